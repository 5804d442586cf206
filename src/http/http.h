/*
 * http.h — the HTTP edge: a libmicrohttpd server with a thread pool, a
 * router, request parsing (path, query, form, cookies), limits (a share of
 * the connections per client address, deadlines for a request's head and
 * body), the client's address behind trusted proxies, security headers
 * (Secure cookies and HSTS over HTTPS), gzip, a micro-cache, static
 * assets, /metrics, graceful shutdown.
 *
 * A handler gets a struct http_req whose memory lives in req->arena until
 * the response is sent, fills req->status/out/content_type (or calls one
 * of the http_reply_* helpers) and returns 0.  A handler that returns a
 * negative code gets a 500 written for it.  Errors become protocol replies
 * only here: problem+json under /api/, an HTML page (rendered by the
 * server's error_page hook) everywhere else.
 *
 * The parsers (http_parse_*) do not depend on libmicrohttpd, so unit tests
 * and fuzzers call them directly.
 */
#ifndef PC_HTTP_H
#define PC_HTTP_H

#include "../base/base.h"

/* ---- parsing ---------------------------------------------------------- */

struct http_kv {
    const char *key;
    const char *value;
};

struct http_kvlist {
    struct http_kv *items;
    size_t n;
};

#define HTTP_MAX_PARAMS 64       /* query or form fields per request */
#define HTTP_MAX_COOKIES 32

/* Percent-decode s[0..n) ('+' becomes space when plus_is_space) into the
 * arena.  Fails (PC_EINVAL) on a bad escape, NUL byte or invalid UTF-8. */
int http_url_decode(struct pc_arena *a, const char *s, size_t n, bool plus_is_space, char **out);
/* Parse "a=1&b=2" (query strings and urlencoded forms).  Empty pairs are
 * skipped; more than HTTP_MAX_PARAMS pairs is PC_ETOOBIG. */
int http_parse_urlencoded(struct pc_arena *a, const char *s, size_t n, struct http_kvlist *out);
/* Parse a Cookie header "a=b; c=d".  Malformed pairs are skipped (browsers
 * send what they send); values are not decoded.  More than
 * HTTP_MAX_COOKIES is PC_ETOOBIG. */
int http_parse_cookies(struct pc_arena *a, const char *s, size_t n, struct http_kvlist *out);
/* Append a pair (the list holds at most max; PC_ETOOBIG beyond). */
int http_kv_push(struct pc_arena *a, struct http_kvlist *l, size_t max, const char *k, const char *v);
/* First value for key, or NULL. */
const char *http_kv_get(const struct http_kvlist *l, const char *key);
/* Decode a request path (percent-encoding, no '+' rule): PC_EINVAL on what
 * http_url_decode refuses and on control characters (below 0x20, DEL),
 * which no page of ours has and a log or a header must never receive. */
int http_path_decode(struct pc_arena *a, const char *s, size_t n, char **out);
/* The path with empty and "." segments dropped and ".." resolved (never
 * above the root): always starts with exactly one '/', so a link built
 * from it stays on this site ("//host/x" would be another host). */
const char *http_path_clean(struct pc_arena *a, const char *path);

/* ---- client addresses and trusted proxies (forwarded.c) --------------- */

/* An IP address; IPv4 is kept as ::ffff:a.b.c.d. */
struct http_addr {
    unsigned char b[16];
};

#define HTTP_MAX_PROXIES 32

/* The addresses (or CIDR blocks) of trusted reverse proxies. */
struct http_proxies {
    size_t n;
    struct {
        struct http_addr net;
        unsigned bits;           /* prefix length over the 128 bits */
    } items[HTTP_MAX_PROXIES];
};

/* Parse "203.0.113.5", "2001:db8::1", "[2001:db8::1]", with or without
 * ":PORT" after an IPv4 or bracketed IPv6 address.  PC_EINVAL otherwise. */
int http_addr_parse(const char *s, size_t n, struct http_addr *out);
/* The address as text (dotted quad for IPv4) into out[64]. */
void http_addr_format(const struct http_addr *a, char out[64]);
bool http_addr_is_v4(const struct http_addr *a);
/* From a socket address (AF_INET or AF_INET6; anything else: all zero). */
struct sockaddr;
void http_addr_from_sockaddr(const struct sockaddr *sa, struct http_addr *out);
/* Parse a list of addresses and CIDR blocks separated by commas or
 * spaces, e.g. "10.0.0.0/8, 192.168.1.5, ::1"; at most HTTP_MAX_PROXIES. */
int http_proxies_parse(const char *list, struct http_proxies *out, struct pc_err *err);
bool http_proxies_contain(const struct http_proxies *p, const struct http_addr *a);
/* The client named by the X-Forwarded-For header fields values[0..n) (in
 * the order received) of a request from a trusted proxy: the rightmost
 * address that is not itself a trusted proxy (the leftmost if all are).
 * PC_ENOTFOUND without any address, PC_EINVAL when an entry on the way is
 * not an address (the peer is then the client: garbage is not trusted). */
int http_forwarded_client(const struct http_proxies *p, const char *const *values, size_t n,
                          struct http_addr *out);
/* Whether X-Forwarded-Proto values[0..n) say https (the last entry, set
 * by the proxy nearest to us). */
bool http_forwarded_https(const char *const *values, size_t n);

/* ---- requests and responses ------------------------------------------ */

struct http_header {
    const char *name;
    const char *value;
    struct http_header *next;
};

struct http_server;
struct http_req;
struct http_conn;

/* One file of a multipart/form-data body, as the upload sink received it. */
struct http_upload {
    const char *field, *filename;
    char sha256[65];
    char mime[64];
    int64_t size;
    int error;                   /* 0, PC_ETOOBIG, PC_EINVAL (type not allowed), PC_EIO */
    /* The sink's handle of the received file, until the request ends: the
     * handler keeps what it wants through the application's own calls;
     * the sink's release discards the rest.  NULL when none was opened. */
    void *part;
    struct http_upload *next;
};

/* Whether r's route takes files (HTTP_ROUTE_MULTIPART): its body is
 * admitted before it is read, so what decides admission (a CSRF token)
 * cannot be in it. */
bool http_takes_files(const struct http_req *r);

#define HTTP_MAX_UPLOADS 32      /* file parts of one request at most (more: 400) */

/* Where uploaded files go, chunk by chunk (never the whole file in memory).
 * Nothing of a body is accepted before admit has said who may send it,
 * and nothing a handler did not keep outlives its request. */
struct http_upload_sink {
    /* The head of a request to a HTTP_ROUTE_MULTIPART route is complete,
     * no byte of the body read yet: 0 lets the body in; otherwise the hook
     * wrote the answer (not logged in, a forged form …) and the body is
     * never read. */
    int (*admit)(struct http_req *r);
    void *(*open)(struct http_req *r, const char *field, const char *filename);
    int (*write)(void *h, const char *data, size_t n);
    /* The part is complete: fill sha256, mime, size or error.  h stays the
     * upload's `part` until release. */
    void (*close)(void *h, struct http_upload *out);
    /* The request is over, however it ended (answered, refused, the client
     * gone): drop what the handler did not keep, and free h. */
    void (*release)(void *h);
};

/* A body read piece by piece while it is sent (a stored file: never whole
 * in memory).  read gives up to max bytes (0 early or < 0: the file is
 * broken, the connection is cut); release is called once, when the answer
 * is done or dropped. */
struct http_stream {
    int64_t size;
    int64_t (*read)(void *ctx, char *buf, size_t max);
    void (*release)(void *ctx);
    void *ctx;
};

struct http_req {
    struct pc_arena arena;
    struct http_server *server;
    void *app;                   /* the application's context */
    void *conn;                  /* the MHD connection (private) */
    const char *method;
    const char *raw_uri;         /* as received, path and query */
    const char *path;            /* decoded, valid UTF-8 */
    struct http_kvlist query;
    struct http_kvlist form;     /* urlencoded POST bodies */
    struct http_kvlist cookies;
    const char *params[8];       /* {name} captures of the route, in order */
    int nparams;
    struct pc_buf body;          /* raw request body, limited per route */
    struct http_upload *uploads; /* files of a multipart body, in order */
    void *mp;                    /* multipart parsing state (private) */
    char remote_addr[64];        /* the client: the TCP peer, or whom a trusted proxy names */
    bool https;                  /* reached over HTTPS (--https, or a trusted proxy says so) */
    bool session;                /* carries a session (cookie or bearer): private, never cached */
    bool is_api;                 /* path under /api/ */
    int64_t started_usec;
    int route_index;             /* -1 when no route matched */
    void *ctx;                   /* per-request state of the application */

    /* deferred work (http_defer) */
    int (*deferred_done)(struct http_req *r);
    void (*deferred_work)(struct http_req *r);
    void *deferred_arg;          /* the handler's state between work and done */
    bool deferred;
    bool woken;                  /* a parked request was woken by its key (not its deadline) */

    /* response */
    int status;
    const char *content_type;
    struct pc_buf out;
    struct http_stream stream;   /* the body, when stream.read is set (http_reply_stream) */
    struct http_header *headers;
    bool no_gzip;
    bool gzipped;                /* r->out is already gzip (from the cache) */

    /* private to src/http */
    struct http_conn *tcp;       /* the connection's state (deadline, peer) */
    struct http_addr client;     /* remote_addr, parsed */
    bool client_counted;         /* holds one of the client's shares of the connection limit */
    bool close;                  /* close the connection after this answer */
    int64_t body_usec;           /* when the body began to arrive */
};

typedef int (*http_handler)(struct http_req *r);

enum {
    HTTP_ROUTE_NO_STORE = 1,     /* Cache-Control: no-store (personal pages) */
    HTTP_ROUTE_MULTIPART = 2,    /* accepts multipart/form-data with files */
    HTTP_ROUTE_CACHE = 4,        /* public page: answers may be reused for a moment */
};

struct http_route {
    const char *method;          /* "GET" also answers HEAD */
    const char *pattern;         /* "/api/v1/services/{id}"; a last "{x*}" takes the rest */
    http_handler fn;
    size_t max_body;             /* 0: no body accepted */
    int flags;
    const char *name;            /* label for /metrics */
};

/* Render an error page for a non-API path (language, layout: the web
 * module's business).  Called with the status, the problem type (the
 * stable slug of http_error, e.g. "csrf": pages choose their words by it)
 * and the English title and detail. */
typedef void (*http_error_page_fn)(struct http_req *r, int status, const char *type, const char *title,
                                   const char *detail);
/* Called before the handler of every matched route (e.g. language,
 * session); a non-zero return means the hook already wrote a response. */
typedef int (*http_before_fn)(struct http_req *r);
/* Called once the response of any request is written, on the thread that
 * served it (release per-request resources such as the database
 * connection's half-read statements). */
typedef void (*http_after_fn)(struct http_req *r);

struct http_config {
    const char *listen;          /* "127.0.0.1:8080" or "[::1]:8080" */
    unsigned threads;            /* worker threads; 0 = 2 × cores, at least 4 */
    unsigned max_connections;
    /* Connections one client address may hold (an IPv6 client: its /64);
     * behind a trusted proxy, requests in progress per forwarded client.
     * 0 = unlimited. */
    unsigned per_ip_connections;
    unsigned timeout_secs;       /* idle connection timeout (slow clients) */
    /* Deadlines that trickling bytes do not reset: the request line and
     * headers within header_timeout_secs of the connection being ready
     * for them (accepted, or the previous answer sent); the body within
     * body_timeout_secs of the head, plus a second per HTTP_BODY_MIN_RATE
     * bytes received.  A connection past its deadline is closed. */
    unsigned header_timeout_secs;
    unsigned body_timeout_secs;
    size_t header_limit;         /* bytes of request line + headers */
    /* Peers whose X-Forwarded-For and X-Forwarded-Proto are believed. */
    struct http_proxies trusted;
    /* Served over HTTPS (TLS ends at a proxy in front): every cookie gets
     * Secure and every answer HSTS.  A trusted proxy's X-Forwarded-Proto
     * https does the same for its request. */
    bool https;
    /* TLS served by this process (tls.c): the certificate chain and key
     * (PEM); NULL for plain HTTP.  With tls_client_ca_pem every client is
     * asked (not required) for a certificate issued under it. */
    const char *tls_cert_pem, *tls_key_pem, *tls_client_ca_pem;
    /* The cookie that carries a session: a request with it (or with an
     * Authorization header) is answered "private, no-store" and never
     * shares the micro-cache. */
    const char *session_cookie;
    const struct http_route *routes;
    size_t nroutes;
    void *app;
    http_error_page_fn error_page;
    http_before_fn before;
    http_after_fn after;
    const struct http_upload_sink *uploads;
    /* Micro-cache of public pages: for a HTTP_ROUTE_CACHE route, return the
     * part of the cache key beyond the request target (e.g. the language
     * cookie), or NULL when this request must not share answers.  Requests
     * with a session never get here.  Answers are kept cache_ms ms. */
    const char *(*cache_key)(struct http_req *r);
    unsigned cache_ms;
    bool log_requests;
};

#define HTTP_BODY_MIN_RATE 1024   /* bytes a second a slow body must keep up */

/* Fill cfg with the defaults (the one place they are stated): 1024
 * connections, 64 per client address, 30 s idle timeout, 20 s for a head,
 * 30 s for a body, 32 KiB of head, a 10 s micro-cache.
 * Zero fields of a config built without it get the same at http_start. */
void http_config_defaults(struct http_config *cfg);
/* Check a HOST:PORT / [V6]:PORT listen address without binding it. */
int http_listen_check(const char *listen, struct pc_err *err);
/* Start serving; returns NULL with err on failure (e.g. port in use). */
struct http_server *http_start(const struct http_config *cfg, struct pc_err *err);
/* The port actually bound (useful with port 0). */
unsigned http_port(const struct http_server *s);
/* Turn new connections away, let in-flight requests finish (up to
 * grace_secs), stop. */
void http_stop(struct http_server *s, unsigned grace_secs);

const char *http_header(struct http_req *r, const char *name);
void http_set_header(struct http_req *r, const char *name, const char *value);
/* The matched route's label (as in /metrics), or "unmatched". */
const char *http_route_name(const struct http_req *r);
/* The certificate (DER) the client presented in this connection's TLS
 * handshake, valid while the request lasts; PC_ENOTFOUND when none (or
 * no TLS here). */
int http_client_cert(struct http_req *r, const unsigned char **der, size_t *len);
/* Route capture by position, already decoded. */
const char *http_param(struct http_req *r, int i);

/* Run slow, CPU-bound work (a password hash) off the server's threads:
 * the connection is suspended, work(r) runs on one of a few worker threads
 * (one per core but one, so a core stays free for everything else), then
 * done(r) writes the response on a server thread.  A handler calls this
 * and returns HTTP_DEFERRED. */
#define HTTP_DEFERRED 1
int http_defer(struct http_req *r, void (*work)(struct http_req *r), int (*done)(struct http_req *r));

/* Long polls: park the request, its connection suspended (no thread is
 * held), until http_wake names its key or wait_ms pass (checked every
 * 200 ms) or the server stops; then done(r) answers on a server thread,
 * with r->woken telling whether the key was named.  With wait_ms <= 0 (or
 * while stopping) done runs at once.  A handler returns what this
 * returns.  Keys are the caller's own, e.g. "mid-s:SESSION". */
int http_park(struct http_req *r, const char *key, int64_t wait_ms, int (*done)(struct http_req *r));
/* Wake every request parked under key; how many there were.  Any thread. */
unsigned http_wake(struct http_server *s, const char *key);
/* The keys parked now that start with prefix (NULL: all), copied into a:
 * for a poller that learns of events on other nodes and wakes them. */
size_t http_parked_keys(struct http_server *s, struct pc_arena *a, const char *prefix, const char ***out);

int http_reply(struct http_req *r, int status, const char *content_type, const char *body);
/* Answer with a body of st->size bytes read while it is sent (never
 * compressed or cached).  The stream is r's from now on: released however
 * the request ends, also when an error answer replaces it. */
int http_reply_stream(struct http_req *r, int status, const char *content_type, const struct http_stream *st);
int http_reply_json(struct http_req *r, int status, const char *json);
int http_redirect(struct http_req *r, int status, const char *location);
/* problem+json (RFC 9457); type is a stable slug appended to the docs URL. */
int http_problem(struct http_req *r, int status, const char *type, const char *title, const char *detail);
/* HTML page or problem+json, whichever fits the request. */
int http_error(struct http_req *r, int status, const char *type, const char *title, const char *detail);

/* Append the Prometheus metrics of this server (used by /metrics). */
void http_metrics_write(struct http_server *s, struct pc_buf *out);

/* ---- static assets (embedded in the binary) -------------------------- */

/* Serve /assets/NAME from the embedded table: ETag, 304, long caching. */
int http_serve_asset(struct http_req *r, const char *name);
/* "/assets/NAME?v=ETAG" for cache-busting links; NULL if no such asset. */
const char *http_asset_url(struct http_req *r, const char *name);

#endif
