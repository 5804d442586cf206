/* monitor.c — operational monitoring of a gateway: per side, service and
 * client the number of messages, failures, the time they took and the
 * bytes they carried, written as Prometheus text on /metrics.  A small
 * table under one lock: a gateway serves a bounded set of pairs, and a
 * pair beyond the table's size is counted under "other". */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define PAIRS 512

struct pair {
    enum xr_side side;
    char service[XR_ID_MAX + 1], client[XR_ID_MAX + 1];
    int64_t count, failed, usec, in_bytes, out_bytes;
};

struct xr_monitor {
    pthread_mutex_t lock;
    struct pair p[PAIRS];
    size_t n;
};

struct xr_monitor *xr_monitor_new(void)
{
    struct xr_monitor *m = calloc(1, sizeof *m);
    if (!m)
        pc_oom(sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void xr_monitor_free(struct xr_monitor *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void xr_monitor_record(struct xr_monitor *m, enum xr_side side, const char *service, const char *client, bool ok,
                       int64_t usec, size_t in_bytes, size_t out_bytes)
{
    pthread_mutex_lock(&m->lock);
    struct pair *p = NULL;
    for (size_t i = 0; i < m->n && !p; i++)
        if (m->p[i].side == side && strcmp(m->p[i].service, service) == 0 && strcmp(m->p[i].client, client) == 0)
            p = &m->p[i];
    if (!p && m->n < PAIRS) {
        p = &m->p[m->n++];
        p->side = side;
        snprintf(p->service, sizeof p->service, "%s", m->n == PAIRS ? "other" : service);
        snprintf(p->client, sizeof p->client, "%s", m->n == PAIRS ? "other" : client);
    }
    if (!p)
        p = &m->p[PAIRS - 1];
    p->count++;
    p->failed += !ok;
    p->usec += usec;
    p->in_bytes += (int64_t)in_bytes;
    p->out_bytes += (int64_t)out_bytes;
    pthread_mutex_unlock(&m->lock);
}

void xr_monitor_write(struct xr_monitor *m, struct pc_buf *out)
{
    static const struct {
        const char *name, *help;
        size_t off;
    } series[] = {
        {"xr_messages_total", "messages", offsetof(struct pair, count)},
        {"xr_messages_failed_total", "messages refused or failed", offsetof(struct pair, failed)},
        {"xr_message_seconds_total", "time spent on messages", offsetof(struct pair, usec)},
        {"xr_request_bytes_total", "request bodies", offsetof(struct pair, in_bytes)},
        {"xr_response_bytes_total", "response bodies", offsetof(struct pair, out_bytes)},
    };
    pthread_mutex_lock(&m->lock);
    for (size_t k = 0; k < sizeof series / sizeof series[0]; k++) {
        pc_buf_printf(out, "# HELP %s The exchange's %s.\n# TYPE %s counter\n", series[k].name, series[k].help,
                      series[k].name);
        for (size_t i = 0; i < m->n; i++) {
            int64_t v = *(const int64_t *)((const char *)&m->p[i] + series[k].off);
            pc_buf_printf(out, "%s{side=\"%s\",service=\"%s\",client=\"%s\"} ", series[k].name,
                          xr_side_name(m->p[i].side), m->p[i].service, m->p[i].client);
            if (series[k].off == offsetof(struct pair, usec))
                pc_buf_printf(out, "%.6f\n", (double)v / 1e6);
            else
                pc_buf_printf(out, "%lld\n", (long long)v);
        }
    }
    pthread_mutex_unlock(&m->lock);
}
