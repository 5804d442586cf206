/* request.c — the life of one request (nginx's ngx_http_request.c): set
 * up when the request line arrives; the head checked (framing, target,
 * who the client is), routed, and for file uploads admitted by the
 * application before any of the body is read; the body taken in under
 * the route's limit and deadline; the handler run (or its work
 * deferred); counted and released (with the files nobody kept) when the
 * answer is sent. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FORWARDED 16   /* X-Forwarded-* header fields read per request */

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void *http__on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *s = cls;
    struct http_req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    pc_arena_init(&r->arena);
    r->server = s;
    r->app = s->cfg.app;
    r->raw_uri = pc_arena_strdup(&r->arena, uri);
    r->started_usec = pc_mono_usec();
    r->route_index = -1;
    r->status = 200;
    r->tcp = http__conn_of(conn);
    pc_buf_init(&r->body, 1);
    pc_buf_init(&r->out, 0);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

/* The values of every header field called name, in the order received. */
struct field_values {
    const char *name;
    const char *v[MAX_FORWARDED];
    size_t n;                    /* kept in v */
    size_t seen;                 /* all of them: more than n means too many to read */
    bool differ;                 /* not all the same */
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct field_values *f = cls;
    (void)kind;
    if (strcasecmp(key, f->name) != 0)
        return MHD_YES;
    if (f->n && strcmp(f->v[0], value) != 0)
        f->differ = true;
    if (f->n < MAX_FORWARDED)
        f->v[f->n++] = value;
    f->seen++;
    return MHD_YES;
}

static void fields(struct http_req *r, const char *name, struct field_values *f)
{
    *f = (struct field_values){.name = name};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect, f);
}

/* Who is asking: the TCP peer, or, when the peer is a trusted proxy, the
 * client it names; and whether the client came over HTTPS.  Returns
 * whether the peer is a trusted proxy. */
static bool client(struct http_req *r)
{
    const struct http_config *cfg = &r->server->cfg;
    bool trusted = false;
    if (r->tcp)
        r->client = *http__conn_peer(r->tcp, &trusted);
    r->https = cfg->https;
    if (trusted) {
        struct field_values f;
        fields(r, "X-Forwarded-For", &f);
        struct http_addr named;
        /* the proxy's own entry is the last: never read a list cut short */
        if (f.seen == f.n && http_forwarded_client(&cfg->trusted, f.v, f.n, &named) == 0)
            r->client = named;
        fields(r, "X-Forwarded-Proto", &f);
        r->https = r->https || (f.seen == f.n && http_forwarded_https(f.v, f.n));
    }
    http_addr_format(&r->client, r->remote_addr);
    return trusted;
}

/* Where the body ends must be beyond doubt, or a proxy in front and we
 * could disagree and a second request hide in the first one's body
 * (request smuggling): one Content-Length value, or one Transfer-Encoding
 * that is exactly chunked, never both. */
static bool framing_ok(struct http_req *r)
{
    struct field_values cl, te;
    fields(r, "Content-Length", &cl);
    fields(r, "Transfer-Encoding", &te);
    if (cl.differ || te.seen > 1 || (te.seen && cl.seen))
        return false;
    return !te.n || strcasecmp(te.v[0], "chunked") == 0;
}

/* Decode path and query of the raw URI; returns an HTTP status or 0. */
static int parse_target(struct http_req *r)
{
    const char *uri = r->raw_uri ? r->raw_uri : "/";
    /* Until the path is decoded, error pages need something safe to show,
     * and /api/ requests must still get problem+json. */
    r->path = "/";
    r->is_api = pc_str_has_prefix(uri, "/api/");
    if (uri[0] != '/')
        return 400;
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    char *path;
    if (http_path_decode(&r->arena, uri, plen, &path))
        return 400;
    r->path = path;
    r->is_api = pc_str_has_prefix(path, "/api/");
    if (q) {
        int rc = http_parse_urlencoded(&r->arena, q + 1, strlen(q + 1), &r->query);
        if (rc)
            return rc == PC_ETOOBIG ? 414 : 400;
    }
    const char *cookie = http_header(r, "Cookie");
    if (cookie && http_parse_cookies(&r->arena, cookie, strlen(cookie), &r->cookies))
        return 400;
    return 0;
}

static size_t rt_max_body(struct http_req *r)
{
    return r->server->cfg.routes[r->route_index].max_body;
}

/* The body must keep arriving: body_timeout from the head, and a second
 * more for every HTTP_BODY_MIN_RATE bytes received (a big upload on a
 * slow line is fine, a trickle is not). */
static void body_deadline(struct http_req *r)
{
    int64_t extra = (int64_t)(r->body.len / HTTP_BODY_MIN_RATE) * 1000000;
    http__conn_deadline(r->tcp, r->body_usec + (int64_t)r->server->cfg.body_timeout_secs * 1000000 + extra);
}

static enum MHD_Result refuse_and_close(struct http_req *r, int status, const char *type, const char *title,
                                        const char *detail)
{
    r->close = true;
    return http__fail(r, status, type, title, detail);
}

bool http_takes_files(const struct http_req *r)
{
    return r->route_index >= 0 && (r->server->cfg.routes[r->route_index].flags & HTTP_ROUTE_MULTIPART);
}

/* The head has arrived: check it, find the route, get ready for a body. */
static enum MHD_Result begin(struct http_req *r, struct MHD_Connection *conn, const char *method)
{
    const struct http_config *cfg = &r->server->cfg;
    r->method = pc_arena_strdup(&r->arena, method);
    r->conn = conn;
    bool via_proxy = client(r);
    bool framed = framing_ok(r);
    int status = parse_target(r); /* first: an answer needs r->path and r->is_api */
    if (!framed)
        return refuse_and_close(r, 400, "bad-request", "Bad request", "The length of the body is ambiguous.");
    if (status)
        return http__fail(r, status, "bad-request", "Bad request", "The address or its parameters could not be read.");
    r->session = (cfg->session_cookie && http_kv_get(&r->cookies, cfg->session_cookie)) ||
                 http_header(r, "Authorization");
    if (via_proxy && cfg->per_ip_connections) {
        /* through a proxy: the client's share is counted per request */
        if (!http__share_take(r->server, &r->client))
            return refuse_and_close(r, 429, "too-many-requests", "Too many requests",
                                    "Too many requests from your address are in progress.");
        r->client_counted = true;
    }
    bool exists;
    r->route_index = http__route_find(r, &exists);
    if (r->route_index < 0) {
        if (exists)
            return http__fail(r, 405, "method-not-allowed", "Method not allowed", NULL);
        return http__fail(r, 404, "not-found", "Page not found", NULL);
    }
    const struct http_route *rt = &r->server->cfg.routes[r->route_index];
    const char *cl = http_header(r, "Content-Length");
    long long n = 0;
    if (cl && (pc_parse_int(cl, 0, INT64_MAX, &n) || (size_t)n > rt->max_body))
        return http__fail(r, 413, "body-too-large", "Request body too large", NULL);
    pc_buf_init(&r->body, rt->max_body ? rt->max_body : 1);
    if ((rt->flags & HTTP_ROUTE_MULTIPART) && cfg->uploads) {
        /* who may send files is known before a byte of them is stored */
        if (cfg->uploads->admit && cfg->uploads->admit(r))
            return http__send(r);
        if (http__content_type_is(r, "multipart/form-data") && http__mp_start(r))
            return http__fail(r, 400, "bad-form", "The form could not be read", NULL);
    }
    r->body_usec = pc_mono_usec();
    if (n > 0 || http_header(r, "Transfer-Encoding"))
        body_deadline(r);
    else
        http__conn_deadline(r->tcp, 0);
    return MHD_YES;
}

/* The whole body has arrived: parse it, run the hooks and the handler. */
static enum MHD_Result dispatch(struct http_req *r)
{
    const struct http_route *rt = &r->server->cfg.routes[r->route_index];
    http__conn_deadline(r->tcp, 0); /* all in: the wait is ours now */
    bool multipart_failed = false;
    if (r->mp) {
        http__mp_end(r, false);
        multipart_failed = r->body.toobig;
        r->body.toobig = false;
    }
    if (r->body.toobig)
        return http__fail(r, 413, "body-too-large", "Request body too large", NULL);
    if (multipart_failed)
        return http__fail(r, 400, "bad-form", "The form could not be read", NULL);
    if (r->body.len && http__content_type_is(r, "application/x-www-form-urlencoded")) {
        int rc = http_parse_urlencoded(&r->arena, r->body.data, r->body.len, &r->form);
        if (rc)
            return http__fail(r, rc == PC_ETOOBIG ? 413 : 400, "bad-form", "The form could not be read", NULL);
    }
    const struct http_config *cfg = &r->server->cfg;
    if (cfg->before && cfg->before(r))
        return http__send(r); /* the hook answered (a bad language, a forged form) */
    const char *ckey = http__cache_key(r, rt);
    if (ckey && http__cache_get(r, ckey))
        return http__send(r);
    int rc = rt->fn(r);
    if (rc == HTTP_DEFERRED)
        return MHD_YES; /* suspended: the response comes when the work is done */
    if (rc == 0 && ckey)
        http__cache_put(r, ckey);
    if (rc < 0) {
        pc_log(PC_LOG_ERROR, "http.handler_failed", "route", rt->pattern, "code", pc_errcode_name(rc), NULL);
        http_error(r, 500, "internal", "Internal error", NULL);
    }
    return http__send(r);
}

enum MHD_Result http__on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)cls; (void)url; (void)version;
    struct http_req *r = *req_cls;
    if (!r)
        return MHD_NO; /* allocation failed in on_uri: drop the connection */
    if (!r->method)
        return begin(r, conn, method);
    if (r->deferred) {
        /* resumed after deferred work: finish the response */
        r->deferred = false;
        int rc = r->deferred_done(r);
        if (rc < 0)
            http_error(r, 500, "internal", "Internal error", NULL);
        return http__send(r);
    }
    if (*upload_size) {
        if (r->mp)
            http__mp_feed(r, upload, *upload_size, rt_max_body(r));
        else if (pc_buf_append(&r->body, upload, *upload_size))
            r->body.toobig = true;
        *upload_size = 0;
        body_deadline(r);
        return MHD_YES;
    }
    return dispatch(r);
}

void http__on_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    (void)conn;
    struct http_req *r = *req_cls;
    if (!r)
        return;
    /* a keep-alive connection now owes the next request's head */
    http__conn_deadline(r->tcp, pc_mono_usec() + (int64_t)s->cfg.header_timeout_secs * 1000000);
    if (r->client_counted)
        http__share_drop(s, &r->client);
    if (r->method)
        http__observe(s, r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? (unsigned)r->status : 499);
    if (r->mp)
        http__mp_end(r, true); /* the client went away mid-upload: drop the partial file */
    http__mp_release(r);       /* and every file the handler did not keep */
    if (r->stream.release)
        r->stream.release(r->stream.ctx); /* an answer never handed to libmicrohttpd */
    pc_buf_release(&r->body);
    pc_buf_release(&r->out);
    pc_arena_release(&r->arena);
    free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}
