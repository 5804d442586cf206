/*
 * internal.h — private to src/http: the server's state and the calls its
 * files make to each other (nginx's split of ngx_http_request.c,
 * ngx_http_core_module.c and one file per filter).  Nothing outside
 * src/http includes this; names shared between these files carry http__.
 *
 *   server.c    start and stop, the MHD daemon and its options
 *   request.c   the life cycle of one request: head, body, dispatch, end
 *   route.c     the route table: which handler answers a path
 *   response.c  replies, error answers, security headers, sending
 *   compress.c  gzip, written once (answers and the micro-cache)
 *   multipart.c multipart/form-data bodies streamed into the upload sink
 *   defer.c     the pool that runs slow work off the server's threads
 *   park.c      long polls: requests waiting for an event, no thread held
 *   cache.c     the micro-cache of public answers
 *   metrics.c   counters, the latency histogram, the request log line
 *   listen.c    HOST:PORT parsing
 *   conn.c      connections: shares per client address, deadlines
 *   forwarded.c client addresses, trusted proxies (pure parsing)
 */
#ifndef PC_HTTP_INTERNAL_H
#define PC_HTTP_INTERNAL_H

#include "http.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

/* ---- the micro-cache (cache.c) ------------------------------------------ */

#define HTTP_CACHE_SLOTS 1024

struct http_cache_entry {
    char *key;
    char *body;
    size_t len;
    char *gz;                    /* the body gzipped once, or NULL */
    size_t gzlen;
    const char *content_type;    /* a route's constant */
    int64_t expires_usec;
};

struct http_cache {
    pthread_mutex_t lock;
    size_t bytes;
    struct http_cache_entry slots[HTTP_CACHE_SLOTS];
    atomic_ulong hits;
};

/* ---- deferred work (defer.c) -------------------------------------------- */

struct http_defer_job;

struct http_defer_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct http_defer_job *head, *tail;
    pthread_t threads[16];
    int nthreads;
    bool stopping;
};

/* ---- parked requests (park.c) -------------------------------------------- */

struct http_parked;

struct http_parking {
    pthread_mutex_t lock;
    struct http_parked *head;
    size_t count;
    bool stopping;
};

/* ---- metrics (metrics.c) -------------------------------------------------- */

#define HTTP_LATENCY_BUCKETS 12

struct http_metrics {
    atomic_ulong by_class[6];           /* 1xx … 5xx, index 0 unused */
    atomic_ulong *by_route;             /* cfg.nroutes + 1 (unmatched) */
    atomic_ulong latency[HTTP_LATENCY_BUCKETS + 1];
    atomic_ulong latency_sum_usec;
    atomic_ulong requests;
};

/* ---- connections (conn.c) ------------------------------------------------ */

#define HTTP_SHARE_BUCKETS 1024

struct http_share;

struct http_conns {
    pthread_mutex_t lock;
    struct http_conn *head;             /* every open connection */
    struct http_share *shares[HTTP_SHARE_BUCKETS];
    pthread_t watchdog;                 /* wakes every 200 ms */
    atomic_bool stopping;
    atomic_long open;
    atomic_ulong closed_share;          /* refused: the address had its share */
    atomic_ulong closed_deadline;       /* a head or body too slow */
};

/* ---- the server ------------------------------------------------------------ */

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_config cfg;
    unsigned port;
    int64_t started_unix;
    atomic_long in_flight;
    atomic_bool stopping;          /* set by http_stop: new connections are turned away */
    struct http_defer_pool pool;
    struct http_parking parking;
    struct http_cache cache;
    struct http_metrics metrics;
    struct http_conns conns;
};

/* request.c: the MHD callbacks of a request's life */
void *http__on_uri(void *cls, const char *uri, struct MHD_Connection *conn);
enum MHD_Result http__on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **req_cls);
void http__on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                        enum MHD_RequestTerminationCode toe);

/* route.c: the index of the route for r->method and r->path, or -1
 * (*path_exists tells 405 from 404); captures go to r->params. */
int http__route_find(struct http_req *r, bool *path_exists);

/* response.c: queue r's answer on its connection (runs the after hook) */
enum MHD_Result http__send(struct http_req *r);
/* Find libmicrohttpd's MHD_queue_response under ours (see response.c). */
int http__answers_init(struct pc_err *err);
/* http_error and send at once: for answers before a handler runs */
enum MHD_Result http__fail(struct http_req *r, int status, const char *type, const char *title,
                           const char *detail);

/* compress.c */
bool http__is_text(const char *content_type);
bool http__accepts_gzip(struct http_req *r);
/* gzip p[0..n) into out (reset first); PC_EIO or PC_ETOOBIG on failure,
 * out then holds nothing useful. */
int http__gzip(const void *p, size_t n, struct pc_buf *out);

/* multipart.c */
bool http__content_type_is(struct http_req *r, const char *type);
int http__mp_start(struct http_req *r);
/* Feed a chunk of the body; the route's limit bounds the whole body. */
void http__mp_feed(struct http_req *r, const char *data, size_t n, size_t max_body);
/* End of the body (aborted: the client went away); failures leave
 * r->body.toobig set for dispatch to report. */
void http__mp_end(struct http_req *r, bool aborted);
/* The request is over: every received file goes back to the sink. */
void http__mp_release(struct http_req *r);

/* defer.c */
void http__defer_start(struct http_server *s);
void http__defer_stop(struct http_server *s);

/* park.c */
void http__park_init(struct http_parking *p);
void http__park_release(struct http_parking *p);
/* Resume the parked requests whose deadline has come (the watchdog). */
void http__park_expire(struct http_server *s, int64_t now_usec);
/* Resume every parked request and park no more (before the daemon stops:
 * libmicrohttpd refuses to stop with suspended connections). */
void http__park_stop(struct http_server *s);

/* cache.c: the full key of a cacheable request, or NULL */
const char *http__cache_key(struct http_req *r, const struct http_route *rt);
bool http__cache_get(struct http_req *r, const char *key);
void http__cache_put(struct http_req *r, const char *key);
void http__cache_init(struct http_cache *c);
void http__cache_release(struct http_cache *c);

/* metrics.c: count a finished request (and log it) */
void http__observe(struct http_server *s, struct http_req *r, unsigned status);

/* conn.c: libmicrohttpd's connection notices (MHD_OPTION_NOTIFY_CONNECTION) */
void http__on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe);
struct http_conn *http__conn_of(struct MHD_Connection *conn);
/* libmicrohttpd's TLS options for c, MHD_OPTION_END-terminated (tls.c);
 * how many precede the end (0: plain HTTP). */
size_t http__tls_options(const struct http_config *c, struct MHD_OptionItem out[4]);
/* The TCP peer, and whether it is a trusted proxy. */
const struct http_addr *http__conn_peer(const struct http_conn *c, bool *trusted);
/* Whether the server is reached over HTTPS (for answers before a request). */
bool http__conn_https(const struct http_conn *c);
/* The time (pc_mono_usec) by which the connection must have sent what it
 * is sending now; 0: nothing is owed (a handler runs, an answer goes out). */
void http__conn_deadline(struct http_conn *c, int64_t usec);
/* Take (false: the address has its share already) or give back one share
 * of a client address: for requests that come through a trusted proxy. */
bool http__share_take(struct http_server *s, const struct http_addr *a);
void http__share_drop(struct http_server *s, const struct http_addr *a);
int http__conns_start(struct http_server *s);
void http__conns_stop(struct http_server *s);
void http__conns_release(struct http_server *s);

/* listen.c */
int http__parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, struct pc_err *err);

#endif
