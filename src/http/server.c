/* server.c — the libmicrohttpd daemon: its options, start and graceful
 * stop, and the defaults of struct http_config (stated here once). */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void http_config_defaults(struct http_config *cfg)
{
    *cfg = (struct http_config){.max_connections = 1024,
                                .per_ip_connections = 64,
                                .timeout_secs = 30,
                                .header_timeout_secs = 20,
                                .body_timeout_secs = 30,
                                .header_limit = 32768,
                                .cache_ms = 10000};
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    pc_log(PC_LOG_WARN, "http.mhd", "msg", msg, NULL);
}

/* Zero fields of a config not built from http_config_defaults (a zero
 * per-address share stays zero: it means no limit). */
static void fill_defaults(struct http_config *cfg)
{
    struct http_config d;
    http_config_defaults(&d);
    if (!cfg->max_connections)
        cfg->max_connections = d.max_connections;
    if (!cfg->timeout_secs)
        cfg->timeout_secs = d.timeout_secs;
    if (!cfg->header_timeout_secs)
        cfg->header_timeout_secs = d.header_timeout_secs;
    if (!cfg->body_timeout_secs)
        cfg->body_timeout_secs = d.body_timeout_secs;
    if (!cfg->header_limit)
        cfg->header_limit = d.header_limit;
    if (!cfg->threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = cores > 2 ? (unsigned)cores * 2 : 4;
    }
}

/* Once stopping, a new connection is closed as soon as it is accepted.
 * (MHD_quiesce_daemon would close the listening socket instead, but in
 * libmicrohttpd 0.9.75 it races a worker thread of the pool taking the same
 * socket out of its epoll set, and the loser aborts the process.) */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addr;
    (void)addrlen;
    const struct http_server *s = cls;
    return atomic_load(&s->stopping) ? MHD_NO : MHD_YES;
}

struct http_server *http_start(const struct http_config *cfg, struct pc_err *err)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (http__parse_listen(cfg->listen, &ss, &v6, err))
        return NULL;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    fill_defaults(&s->cfg);
    http__cache_init(&s->cache);
    http__park_init(&s->parking);
    s->metrics.by_route = calloc(cfg->nroutes + 1, sizeof *s->metrics.by_route);
    s->started_unix = pc_now_unix();
    int rc = http__answers_init(err);
    if (!rc && http__conns_start(s))
        rc = pc_err_set(err, PC_EIO, "cannot start the connection watchdog");
    if (rc) {
        http__cache_release(&s->cache);
        http__park_release(&s->parking);
        free(s->metrics.by_route);
        free(s);
        return NULL;
    }
    struct MHD_OptionItem tls[4];
    atomic_init(&s->stopping, false);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0) |
                     (http__tls_options(&s->cfg, tls) ? MHD_USE_TLS : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, accept_policy, s, http__on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
        MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_secs,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->cfg.header_limit,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
        MHD_OPTION_URI_LOG_CALLBACK, http__on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, http__on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, http__on_connection, s,
        MHD_OPTION_ARRAY, tls,
        MHD_OPTION_END);
    if (!s->daemon) {
        pc_err_set(err, PC_EIO, "cannot listen on %s (address in use or not allowed?)", cfg->listen);
        http__conns_stop(s);
        http__conns_release(s);
        http__cache_release(&s->cache);
        http__park_release(&s->parking);
        free(s->metrics.by_route);
        free(s);
        return NULL;
    }
    http__defer_start(s);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    return s;
}

unsigned http_port(const struct http_server *s)
{
    return s->port;
}

void http_stop(struct http_server *s, unsigned grace_secs)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true); /* see accept_policy */
    http__park_stop(s); /* long polls answer now */
    int64_t deadline = pc_mono_usec() + (int64_t)grace_secs * 1000000;
    while (atomic_load(&s->in_flight) > 0 && pc_mono_usec() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    http__defer_stop(s);
    http__conns_stop(s);
    http__conns_release(s);
    http__cache_release(&s->cache);
    http__park_release(&s->parking);
    free(s->metrics.by_route);
    free(s);
}
