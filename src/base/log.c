/* log.c — structured logs: one JSON object per line on stderr.
 *
 * Lines are built whole in a local buffer, so lines from different threads
 * never interleave.  Before pc_log_start_thread() every line is written by
 * its caller with one write().  After it, callers copy their line into a
 * shared buffer under a mutex (a memcpy of one line) and a logger thread
 * swaps in its empty buffer and writes the full one out every FLUSH_MS, or
 * at once for an error line or a buffer more than half full: a request
 * thread never waits on the disk, nor on a copy of the buffer.  When the
 * buffer is full (a disk that stopped), callers wait: losing log lines
 * silently is worse for an operator than slowing down. */
#include "base.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_BUF_SIZE ((size_t)1 << 20)
#define FLUSH_MS 50

static atomic_int log_level = PC_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

/* The logger thread's state; `running` is read without the lock first. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* the logger: something to write */
    pthread_cond_t space;     /* callers: the buffer was written out */
    char *buf;                /* filled by callers */
    size_t len;
    bool urgent;
    bool stop;
    pthread_t thread;
} lg = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .space = PTHREAD_COND_INITIALIZER};
static atomic_bool running;

void pc_log_set_level(enum pc_log_level lvl)
{
    atomic_store(&log_level, (int)lvl);
}

bool pc_log_enabled(enum pc_log_level lvl)
{
    return (int)lvl >= atomic_load(&log_level);
}

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* nowhere to report it */
        p += w;
        n -= (size_t)w;
    }
}

static void *logger_main(void *arg)
{
    (void)arg;
    char *out = malloc(LOG_BUF_SIZE);
    if (!out)
        pc_oom(LOG_BUF_SIZE);
    pthread_mutex_lock(&lg.lock);
    for (;;) {
        if (lg.len == 0 && lg.stop)
            break;
        if (lg.len == 0 || (!lg.urgent && !lg.stop && lg.len < LOG_BUF_SIZE / 2)) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += FLUSH_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&lg.wake, &lg.lock, &until);
            if (lg.len == 0)
                continue;
        }
        /* Take the filled buffer and give callers the empty one: a swap,
         * so the lock is never held for a copy (a logger thread preempted
         * in the middle of copying half a megabyte held every request
         * thread that logged: the tail at info was 1.6× that at warn). */
        size_t n = lg.len;
        char *full = lg.buf;
        lg.buf = out;
        out = full;
        lg.len = 0;
        lg.urgent = false;
        pthread_cond_broadcast(&lg.space);
        pthread_mutex_unlock(&lg.lock);
        write_all(out, n);
        pthread_mutex_lock(&lg.lock);
    }
    pthread_mutex_unlock(&lg.lock);
    free(out);
    return NULL;
}

int pc_log_start_thread(void)
{
    if (atomic_load(&running))
        return 0;
    lg.buf = malloc(LOG_BUF_SIZE);
    if (!lg.buf)
        return PC_ENOMEM;
    lg.len = 0;
    lg.stop = false;
    if (pthread_create(&lg.thread, NULL, logger_main, NULL) != 0) {
        free(lg.buf);
        lg.buf = NULL;
        return PC_EIO;
    }
    atomic_store(&running, true);
    return 0;
}

void pc_log_stop_thread(void)
{
    if (!atomic_exchange(&running, false))
        return;
    pthread_mutex_lock(&lg.lock);
    lg.stop = true;
    pthread_cond_signal(&lg.wake);
    pthread_mutex_unlock(&lg.lock);
    pthread_join(lg.thread, NULL);
    /* A caller that read `running` just before it changed may still be
     * waiting for the lock: let it find the thread gone and write itself. */
    pthread_mutex_lock(&lg.lock);
    char *buf = lg.buf;
    size_t n = lg.len;
    lg.buf = NULL;
    lg.len = 0;
    pthread_mutex_unlock(&lg.lock);
    if (buf) {
        write_all(buf, n);
        free(buf);
    }
}

/* Hand a finished line to the logger thread, or write it here. */
static void emit(const char *line, size_t n, bool urgent)
{
    if (atomic_load(&running) && n <= LOG_BUF_SIZE) {
        pthread_mutex_lock(&lg.lock);
        while (lg.buf && !lg.stop && LOG_BUF_SIZE - lg.len < n)
            pthread_cond_wait(&lg.space, &lg.lock);
        if (lg.buf && !lg.stop) {
            memcpy(lg.buf + lg.len, line, n);
            lg.len += n;
            if (urgent || lg.len >= LOG_BUF_SIZE / 2) {
                lg.urgent = true;
                pthread_cond_signal(&lg.wake);
            }
            pthread_mutex_unlock(&lg.lock);
            return;
        }
        pthread_mutex_unlock(&lg.lock);
    }
    write_all(line, n);
}

static void begin(struct pc_buf *b, enum pc_log_level lvl, const char *event)
{
    char ts[21];
    pc_rfc3339(pc_now_unix(), ts);
    pc_buf_printf(b, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"", ts, level_names[lvl]);
    pc_buf_json_str(b, event);
    pc_buf_putc(b, '"');
}

static void finish(struct pc_buf *b, enum pc_log_level lvl)
{
    pc_buf_puts(b, "}\n");
    if (!b->toobig)
        emit(b->data, b->len, lvl >= PC_LOG_ERROR);
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
    finish(&b, lvl);
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
    finish(&b, lvl);
}
