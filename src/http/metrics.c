/* metrics.c — what /metrics shows (Prometheus text): answers by status
 * class and by route, a latency histogram, requests in flight, micro-cache
 * hits, open connections and those closed by the per-address share or a
 * deadline; and the one log line per request. */
#include "internal.h"

#include <stdio.h>

static const double bucket_secs[HTTP_LATENCY_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                         0.1,   0.25,   0.5,   1,    2.5,   10};

void http__observe(struct http_server *s, struct http_req *r, unsigned status)
{
    struct http_metrics *m = &s->metrics;
    int64_t usec = pc_mono_usec() - r->started_usec;
    atomic_fetch_add(&m->requests, 1);
    if (status >= 100 && status < 600)
        atomic_fetch_add(&m->by_class[status / 100], 1);
    atomic_fetch_add(&m->by_route[r->route_index >= 0 ? (size_t)r->route_index : s->cfg.nroutes], 1);
    double secs = (double)usec / 1e6;
    int b = 0;
    while (b < HTTP_LATENCY_BUCKETS && secs > bucket_secs[b])
        b++;
    atomic_fetch_add(&m->latency[b], 1);
    atomic_fetch_add(&m->latency_sum_usec, (unsigned long)usec);
    if (s->cfg.log_requests && pc_log_enabled(PC_LOG_INFO)) {
        char st[8], ms[32];
        snprintf(st, sizeof st, "%u", status);
        snprintf(ms, sizeof ms, "%.3f", (double)usec / 1000.0);
        /* The path only: query strings may carry search terms or tokens. */
        pc_log(PC_LOG_INFO, "http.request", "method", r->method, "path", r->path ? r->path : "-", "status", st,
               "ms", ms, "remote", r->remote_addr, NULL);
    }
}

void http_metrics_write(struct http_server *s, struct pc_buf *out)
{
    struct http_metrics *m = &s->metrics;
    pc_buf_puts(out, "# HELP pencere_http_requests_total Requests answered, by status class.\n"
                     "# TYPE pencere_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        pc_buf_printf(out, "pencere_http_requests_total{class=\"%dxx\"} %lu\n", c,
                      atomic_load(&m->by_class[c]));
    pc_buf_puts(out, "# HELP pencere_http_route_requests_total Requests by route.\n"
                     "# TYPE pencere_http_route_requests_total counter\n");
    for (size_t i = 0; i <= s->cfg.nroutes; i++) {
        const char *name = i < s->cfg.nroutes ? s->cfg.routes[i].name : "unmatched";
        const char *method = i < s->cfg.nroutes ? s->cfg.routes[i].method : "";
        pc_buf_printf(out, "pencere_http_route_requests_total{route=\"%s\",method=\"%s\"} %lu\n",
                      name ? name : s->cfg.routes[i].pattern, method, atomic_load(&m->by_route[i]));
    }
    pc_buf_puts(out, "# HELP pencere_http_request_duration_seconds Time from request line to response.\n"
                     "# TYPE pencere_http_request_duration_seconds histogram\n");
    unsigned long cum = 0;
    for (int b = 0; b < HTTP_LATENCY_BUCKETS; b++) {
        cum += atomic_load(&m->latency[b]);
        pc_buf_printf(out, "pencere_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", bucket_secs[b], cum);
    }
    cum += atomic_load(&m->latency[HTTP_LATENCY_BUCKETS]);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_sum %.6f\n",
                  (double)atomic_load(&m->latency_sum_usec) / 1e6);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_count %lu\n", cum);
    pc_buf_printf(out, "# HELP pencere_http_in_flight Requests being served now.\n"
                       "# TYPE pencere_http_in_flight gauge\npencere_http_in_flight %ld\n",
                  atomic_load(&s->in_flight) - 1 /* not counting this one */);
    pc_buf_printf(out, "# HELP pencere_http_cache_hits_total Public pages answered from the micro-cache.\n"
                       "# TYPE pencere_http_cache_hits_total counter\npencere_http_cache_hits_total %lu\n",
                  atomic_load(&s->cache.hits));
    pc_buf_printf(out, "# HELP pencere_http_connections_open Connections open now.\n"
                       "# TYPE pencere_http_connections_open gauge\npencere_http_connections_open %ld\n",
                  atomic_load(&s->conns.open));
    pc_buf_printf(out, "# HELP pencere_http_connections_closed_total Connections (or, behind a trusted proxy, "
                       "requests) refused because their client address had its share, or closed past a "
                       "head or body deadline.\n"
                       "# TYPE pencere_http_connections_closed_total counter\n"
                       "pencere_http_connections_closed_total{reason=\"per_address\"} %lu\n"
                       "pencere_http_connections_closed_total{reason=\"deadline\"} %lu\n",
                  atomic_load(&s->conns.closed_share), atomic_load(&s->conns.closed_deadline));
    pc_buf_printf(out, "# HELP pencere_start_time_seconds Start time of the process.\n"
                       "# TYPE pencere_start_time_seconds gauge\npencere_start_time_seconds %lld\n",
                  (long long)s->started_unix);
}
