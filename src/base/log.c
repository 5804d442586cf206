/* log.c — structured logs: one JSON object per line on stderr, written with
 * a single write() so lines from different threads never interleave. */
#include "base.h"

#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int log_level = PC_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void pc_log_set_level(enum pc_log_level lvl)
{
    atomic_store(&log_level, (int)lvl);
}

bool pc_log_enabled(enum pc_log_level lvl)
{
    return (int)lvl >= atomic_load(&log_level);
}

static void begin(struct pc_buf *b, enum pc_log_level lvl, const char *event)
{
    char ts[21];
    pc_rfc3339(pc_now_unix(), ts);
    pc_buf_printf(b, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"", ts, level_names[lvl]);
    pc_buf_json_str(b, event);
    pc_buf_putc(b, '"');
}

static void finish(struct pc_buf *b)
{
    pc_buf_puts(b, "}\n");
    if (!b->toobig) {
        ssize_t r = write(STDERR_FILENO, b->data, b->len);
        (void)r;
    }
    pc_buf_release(b);
}

void pc_log(enum pc_log_level lvl, const char *event, ...)
{
    if (!pc_log_enabled(lvl))
        return;
    struct pc_buf b;
    pc_buf_init(&b, 16384);
    begin(&b, lvl, event);
    va_list ap;
    va_start(ap, event);
    const char *key;
    while ((key = va_arg(ap, const char *))) {
        const char *val = va_arg(ap, const char *);
        pc_buf_puts(&b, ",\"");
        pc_buf_json_str(&b, key);
        pc_buf_puts(&b, "\":\"");
        pc_buf_json_str(&b, val ? val : "");
        pc_buf_putc(&b, '"');
    }
    va_end(ap);
    finish(&b);
}

void pc_logf(enum pc_log_level lvl, const char *event, const char *fmt, ...)
{
    if (!pc_log_enabled(lvl))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct pc_buf b;
    pc_buf_init(&b, 16384);
    begin(&b, lvl, event);
    pc_buf_puts(&b, ",\"msg\":\"");
    pc_buf_json_str(&b, msg);
    pc_buf_putc(&b, '"');
    finish(&b);
}
