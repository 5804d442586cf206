/* server.c — the libmicrohttpd side of the HTTP edge: start and stop,
 * per-request life cycle (set-up, body with per-route limit, dispatch,
 * response with security headers and gzip, completion), metrics. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define NBUCKETS 12
static const double bucket_secs[NBUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                            0.1, 0.25, 0.5, 1, 2.5, 10};

/* The micro-cache: a small hash table of recent public answers.  With
 * cache_ms of a second, a page under load is rendered about once a second
 * per node instead of for every request; the catalogue it shows changes
 * only on import, so a second's delay is the whole cost. */
#define CACHE_SLOTS 1024

struct cache_entry {
    char *key;
    char *body;
    size_t len;
    char *gz;                    /* the body gzipped once, or NULL */
    size_t gzlen;
    const char *content_type;    /* a route's constant */
    int64_t expires_usec;
};

#define CACHE_MAX_BYTES (16 * 1024 * 1024)

/* The pool that runs deferred work (see http_defer). */
struct defer_job {
    struct http_req *r;
    struct defer_job *next;
};

struct defer_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct defer_job *head, *tail;
    pthread_t threads[16];
    int nthreads;
    bool stopping;
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct defer_pool pool;
    pthread_mutex_t cache_lock;
    size_t cache_bytes;
    struct cache_entry cache[CACHE_SLOTS];
    atomic_ulong cache_hits;
    struct http_config cfg;
    unsigned port;
    atomic_long in_flight;
    atomic_ulong by_class[6];           /* 1xx … 5xx, index 0 unused */
    atomic_ulong *by_route;             /* cfg.nroutes + 1 (unmatched) */
    atomic_ulong latency[NBUCKETS + 1]; /* cumulative at write time */
    atomic_ulong latency_sum_usec;
    atomic_ulong requests;
    int64_t started_unix;
};

static const char security_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/* ---- small helpers ------------------------------------------------------ */

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_set_header(struct http_req *r, const char *name, const char *value)
{
    struct http_header *h = pc_arena_alloc(&r->arena, sizeof *h);
    if (!h)
        return;
    h->name = pc_arena_strdup(&r->arena, name);
    h->value = pc_arena_strdup(&r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

const char *http_route_name(const struct http_req *r)
{
    if (r->route_index < 0 || !r->server)
        return "unmatched";
    const char *name = r->server->cfg.routes[r->route_index].name;
    return name ? name : r->server->cfg.routes[r->route_index].pattern;
}

const char *http_param(struct http_req *r, int i)
{
    return i >= 0 && i < r->nparams ? r->params[i] : NULL;
}

int http_reply(struct http_req *r, int status, const char *content_type, const char *body)
{
    r->status = status;
    r->content_type = content_type;
    pc_buf_reset(&r->out);
    pc_buf_puts(&r->out, body);
    return 0;
}

int http_reply_json(struct http_req *r, int status, const char *json)
{
    return http_reply(r, status, "application/json", json);
}

int http_redirect(struct http_req *r, int status, const char *location)
{
    http_set_header(r, "Location", location);
    return http_reply(r, status, "text/plain; charset=utf-8", "");
}

int http_problem(struct http_req *r, int status, const char *type, const char *title, const char *detail)
{
    r->status = status;
    r->content_type = "application/problem+json";
    pc_buf_reset(&r->out);
    pc_buf_puts(&r->out, "{\"type\":\"https://pencere.az/problems/");
    pc_buf_json_str(&r->out, type);
    pc_buf_puts(&r->out, "\",\"title\":\"");
    pc_buf_json_str(&r->out, title);
    pc_buf_printf(&r->out, "\",\"status\":%d", status);
    if (detail) {
        pc_buf_puts(&r->out, ",\"detail\":\"");
        pc_buf_json_str(&r->out, detail);
        pc_buf_putc(&r->out, '"');
    }
    pc_buf_puts(&r->out, ",\"instance\":\"");
    pc_buf_json_str(&r->out, r->path ? r->path : "/");
    pc_buf_puts(&r->out, "\"}");
    return 0;
}

int http_error(struct http_req *r, int status, const char *type, const char *title, const char *detail)
{
    r->headers = NULL; /* a half-built response's headers do not apply */
    if (r->is_api || !r->server->cfg.error_page)
        return http_problem(r, status, type, title, detail);
    pc_buf_reset(&r->out);
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    r->server->cfg.error_page(r, status, type, title, detail);
    return 0;
}

/* ---- request set-up ----------------------------------------------------- */

/* Match path against "/a/{x}/b"; captures go to r->params.  A last
 * capture "{x*}" takes the rest of the path, slashes included (an OCSP
 * GET carries base64, which has them). */
static bool match_pattern(struct http_req *r, const char *pattern, const char *path)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = pe && pe[-1] == '*' ? NULL : strchr(s, '/');
            size_t len = se ? (size_t)(se - s) : strlen(s);
            if (!pe || len == 0 || n >= 8)
                return false;
            r->params[n++] = pc_arena_strndup(&r->arena, s, len);
            p = pe + 1;
            s += len;
        } else if (*p++ != *s++) {
            return false;
        }
    }
    if (*p || *s)
        return false;
    r->nparams = n;
    return true;
}

/* Find the route; *allowed_any tells whether the path exists at all. */
static int find_route(struct http_req *r, bool *path_exists)
{
    const struct http_config *cfg = &r->server->cfg;
    *path_exists = false;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct http_route *rt = &cfg->routes[i];
        if (!match_pattern(r, rt->pattern, r->path))
            continue;
        *path_exists = true;
        bool same = strcmp(rt->method, r->method) == 0 ||
                    (strcmp(rt->method, "GET") == 0 && strcmp(r->method, "HEAD") == 0);
        if (same)
            return (int)i;
    }
    r->nparams = 0;
    return -1;
}

static void remote_address(struct http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    r->remote_addr[0] = 0;
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->remote_addr, sizeof r->remote_addr);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->remote_addr, sizeof r->remote_addr);
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
    if (http_url_decode(&r->arena, uri, plen, false, &path))
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

static bool content_type_is(struct http_req *r, const char *type)
{
    const char *ct = http_header(r, "Content-Type");
    return ct && strncasecmp(ct, type, strlen(type)) == 0;
}

/* ---- response ----------------------------------------------------------- */

static bool is_text(const char *ct)
{
    return ct && (pc_str_has_prefix(ct, "text/") || strstr(ct, "json") || strstr(ct, "xml") ||
                  strstr(ct, "javascript") || strstr(ct, "yaml") || strstr(ct, "svg"));
}

/* Accept-Encoding lists codings with optional weights: "gzip;q=0" refuses. */
static bool accepts_gzip(struct http_req *r)
{
    const char *ae = http_header(r, "Accept-Encoding");
    for (const char *p = ae; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if ((n >= 4 && strncasecmp(p, "gzip", 4) == 0 && (n == 4 || p[4] == ';' || p[4] == ' ')) ||
            (n >= 1 && p[0] == '*' && (n == 1 || p[1] == ';' || p[1] == ' '))) {
            const char *q = memchr(p, ';', n);
            if (!q)
                return true;
            const char *eq = strstr(q, "q=");
            if (!eq || eq > p + n)
                return true;
            return strtod(eq + 2, NULL) > 0.0;
        }
        p += n;
    }
    return false;
}

/* gzip n bytes into a malloc'd buffer; NULL on failure. */
static char *gzip_bytes(const char *p, size_t n, size_t *outlen)
{
    z_stream z = {0};
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong bound = deflateBound(&z, (uLong)n);
    char *dst = malloc(bound);
    if (dst) {
        z.next_in = (Bytef *)p;
        z.avail_in = (uInt)n;
        z.next_out = (Bytef *)dst;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            *outlen = z.total_out;
        } else {
            free(dst);
            dst = NULL;
        }
    }
    deflateEnd(&z);
    return dst;
}

/* Compress r->out with gzip; leaves r->out untouched on any failure. */
static bool gzip_body(struct http_req *r)
{
    z_stream z = {0};
    if (deflateInit2(&z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    uLong bound = deflateBound(&z, (uLong)r->out.len);
    unsigned char *dst = pc_arena_alloc(&r->arena, bound);
    bool ok = false;
    if (dst) {
        z.next_in = (Bytef *)r->out.data;
        z.avail_in = (uInt)r->out.len;
        z.next_out = dst;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
            pc_buf_reset(&r->out);
            ok = pc_buf_append(&r->out, dst, z.total_out) == 0;
        }
    }
    deflateEnd(&z);
    return ok;
}

static enum MHD_Result send_response(struct http_req *r)
{
    if (r->server->cfg.after)
        r->server->cfg.after(r); /* error pages may have used the database too */
    const struct http_route *rt = r->route_index >= 0 ? &r->server->cfg.routes[r->route_index] : NULL;
    if (r->out.toobig) {
        pc_buf_release(&r->out);
        r->status = 500;
        r->content_type = "text/plain; charset=utf-8";
        pc_buf_puts(&r->out, "response too large\n");
    }
    bool gz = r->gzipped;
    if (!gz && !r->no_gzip && r->out.len >= 512 && is_text(r->content_type)) {
        if (accepts_gzip(r))
            gz = gzip_body(r);
    }
    size_t len;
    char *body = pc_buf_steal(&r->out, &len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (is_text(r->content_type) || gz)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    bool has_cache = false;
    for (struct http_header *h = r->headers; h; h = h->next) {
        MHD_add_response_header(resp, h->name, h->value);
        if (strcasecmp(h->name, "Cache-Control") == 0)
            has_cache = true;
    }
    if (!has_cache) {
        bool personal = (rt && (rt->flags & HTTP_ROUTE_NO_STORE)) || r->status >= 400;
        MHD_add_response_header(resp, "Cache-Control", personal ? "no-store" : "no-cache");
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* ---- multipart bodies (files) ----------------------------------------------
 * libmicrohttpd's post processor splits the body into parts; text parts
 * become r->form pairs, file parts stream into the application's upload
 * sink chunk by chunk, so a file never sits in memory whole. */

#define MP_TEXT_MAX (64 * 1024)

struct multipart {
    struct MHD_PostProcessor *pp;
    char key[128];
    struct pc_buf text;
    bool in_text;
    void *file;                  /* the sink's handle of the current file */
    struct http_upload *cur, *tail;
    bool failed;
};

static void mp_finish_text(struct http_req *r)
{
    struct multipart *m = r->mp;
    if (!m->in_text)
        return;
    m->in_text = false;
    if (m->text.toobig || !pc_utf8_valid(m->text.data, m->text.len) ||
        http_kv_push(&r->arena, &r->form, HTTP_MAX_PARAMS, pc_arena_strdup(&r->arena, m->key),
                     pc_arena_strndup(&r->arena, m->text.data, m->text.len)))
        m->failed = true;
    pc_buf_reset(&m->text);
}

static void mp_finish_file(struct http_req *r)
{
    struct multipart *m = r->mp;
    if (!m->cur)
        return;
    if (m->file)
        r->server->cfg.uploads->close(m->file, m->cur);
    else if (!m->cur->error)
        m->cur->error = PC_EIO;
    m->file = NULL;
    m->cur = NULL;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *encoding, const char *data,
                               uint64_t off, size_t size)
{
    struct http_req *r = cls;
    struct multipart *m = r->mp;
    (void)kind; (void)content_type; (void)encoding;
    if (!key || strlen(key) >= sizeof m->key)
        return MHD_YES;
    if (filename) {
        mp_finish_text(r);
        if (off == 0 || !m->cur) {
            mp_finish_file(r);
            struct http_upload *u = pc_arena_alloc(&r->arena, sizeof *u);
            u->field = pc_arena_strdup(&r->arena, key);
            u->filename = pc_arena_strdup(&r->arena, filename);
            if (m->tail)
                m->tail->next = u;
            else
                r->uploads = u;
            m->tail = m->cur = u;
            m->file = r->server->cfg.uploads->open(r, key, filename);
        }
        if (m->file && size && r->server->cfg.uploads->write(m->file, data, size))
            m->cur->error = m->cur->error ? m->cur->error : PC_ETOOBIG;
        return MHD_YES;
    }
    mp_finish_file(r);
    if (!m->in_text || off == 0 || strcmp(m->key, key) != 0) {
        mp_finish_text(r);
        snprintf(m->key, sizeof m->key, "%s", key);
        m->in_text = true;
    }
    pc_buf_append(&m->text, data, size);
    return MHD_YES;
}

static int mp_start(struct http_req *r)
{
    struct multipart *m = pc_arena_alloc(&r->arena, sizeof *m);
    pc_buf_init(&m->text, MP_TEXT_MAX);
    r->mp = m;
    m->pp = MHD_create_post_processor(r->conn, 32 * 1024, on_part, r);
    return m->pp ? 0 : PC_EINVAL;
}

/* End of the body (or of the request): flush and release. */
static void mp_end(struct http_req *r, bool aborted)
{
    struct multipart *m = r->mp;
    if (!m)
        return;
    if (m->pp) {
        if (MHD_destroy_post_processor(m->pp) != MHD_YES)
            m->failed = true;
        m->pp = NULL;
    }
    if (aborted && m->cur && !m->cur->error)
        m->cur->error = PC_EIO;
    mp_finish_text(r);
    mp_finish_file(r);
    pc_buf_release(&m->text);
    r->mp = NULL;
    if (m->failed && !aborted)
        r->body.toobig = true; /* reported as a bad body by dispatch */
}

/* ---- MHD callbacks ------------------------------------------------------ */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *s = cls;
    (void)conn;
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
    pc_buf_init(&r->body, 1);
    pc_buf_init(&r->out, 0);
    atomic_fetch_add(&s->in_flight, 1);
    return r;
}

static size_t rt_max_body(struct http_req *r)
{
    return r->server->cfg.routes[r->route_index].max_body;
}

static enum MHD_Result fail_early(struct http_req *r, int status, const char *type,
                                  const char *title, const char *detail)
{
    http_error(r, status, type, title, detail);
    return send_response(r);
}

/* ---- deferred work ---------------------------------------------------------- */

static void *defer_thread(void *arg)
{
    struct http_server *s = arg;
    struct defer_pool *p = &s->pool;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->wake, &p->lock);
        struct defer_job *j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head)
                p->tail = NULL;
        }
        pthread_mutex_unlock(&p->lock);
        if (!j)
            break; /* stopping and nothing left */
        struct http_req *r = j->r;
        free(j);
        r->deferred_work(r);
        if (s->cfg.after)
            s->cfg.after(r); /* this thread's database statements */
        MHD_resume_connection(r->conn);
    }
    return NULL;
}

static void defer_pool_start(struct http_server *s)
{
    struct defer_pool *p = &s->pool;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 1 ? (int)cores - 1 : 1;
    if (n > 16)
        n = 16;
    for (int i = 0; i < n; i++)
        if (pthread_create(&p->threads[p->nthreads], NULL, defer_thread, s) == 0)
            p->nthreads++;
}

static void defer_pool_stop(struct http_server *s)
{
    struct defer_pool *p = &s->pool;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
}

int http_defer(struct http_req *r, void (*work)(struct http_req *r), int (*done)(struct http_req *r))
{
    struct defer_pool *p = &r->server->pool;
    struct defer_job *j = calloc(1, sizeof *j);
    if (!j || !p->nthreads) {
        free(j);
        work(r); /* no pool: do it here */
        return done(r);
    }
    j->r = r;
    r->deferred_work = work;
    r->deferred_done = done;
    r->deferred = true;
    MHD_suspend_connection(r->conn);
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return HTTP_DEFERRED;
}

static uint32_t cache_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The full key, or NULL if this request is not served from the cache. */
static const char *cache_key(struct http_req *r, const struct http_route *rt)
{
    const struct http_config *cfg = &r->server->cfg;
    if (!(rt->flags & HTTP_ROUTE_CACHE) || !cfg->cache_key || !cfg->cache_ms ||
        (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0))
        return NULL;
    const char *extra = cfg->cache_key(r);
    return extra ? pc_arena_printf(&r->arena, "%s|%s", r->raw_uri, extra) : NULL;
}

static bool cache_get(struct http_req *r, const char *key)
{
    struct http_server *s = r->server;
    struct cache_entry *e = &s->cache[cache_hash(key) % CACHE_SLOTS];
    bool hit = false;
    pthread_mutex_lock(&s->cache_lock);
    if (e->key && strcmp(e->key, key) == 0 && e->expires_usec > pc_mono_usec()) {
        pc_buf_reset(&r->out);
        /* compressed once when stored, not again for every browser */
        r->gzipped = e->gz && !r->no_gzip && accepts_gzip(r);
        hit = (r->gzipped ? pc_buf_append(&r->out, e->gz, e->gzlen) : pc_buf_append(&r->out, e->body, e->len)) == 0;
        r->content_type = e->content_type;
        r->status = 200;
    }
    pthread_mutex_unlock(&s->cache_lock);
    if (hit)
        atomic_fetch_add(&s->cache_hits, 1);
    return hit;
}

static void cache_put(struct http_req *r, const char *key)
{
    if (r->status != 200 || r->headers || r->out.toobig || r->out.len > 256 * 1024)
        return; /* only plain answers: nothing that sets a cookie or a header */
    struct http_server *s = r->server;
    char *k = strdup(key), *body = malloc(r->out.len ? r->out.len : 1);
    if (!k || !body) {
        free(k);
        free(body);
        return;
    }
    memcpy(body, r->out.data, r->out.len);
    size_t gzlen = 0;
    char *gz = r->out.len >= 512 && is_text(r->content_type) ? gzip_bytes(r->out.data, r->out.len, &gzlen) : NULL;
    struct cache_entry *e = &s->cache[cache_hash(key) % CACHE_SLOTS];
    pthread_mutex_lock(&s->cache_lock);
    size_t old_size = e->key ? e->len + e->gzlen : 0, new_size = r->out.len + gzlen;
    if (s->cache_bytes - old_size + new_size > CACHE_MAX_BYTES) {
        pthread_mutex_unlock(&s->cache_lock); /* full: serve without keeping */
        free(k);
        free(body);
        free(gz);
        return;
    }
    s->cache_bytes = s->cache_bytes - old_size + new_size;
    char *old_key = e->key, *old_body = e->body, *old_gz = e->gz;
    e->key = k;
    e->body = body;
    e->len = r->out.len;
    e->gz = gz;
    e->gzlen = gzlen;
    e->content_type = r->content_type;
    e->expires_usec = pc_mono_usec() + (int64_t)s->cfg.cache_ms * 1000;
    pthread_mutex_unlock(&s->cache_lock);
    free(old_key);
    free(old_body);
    free(old_gz);
}

static enum MHD_Result dispatch(struct http_req *r)
{
    const struct http_route *rt = &r->server->cfg.routes[r->route_index];
    bool multipart_failed = false;
    if (r->mp) {
        mp_end(r, false);
        multipart_failed = r->body.toobig;
        r->body.toobig = false;
    }
    if (r->body.toobig)
        return fail_early(r, 413, "body-too-large", "Request body too large", NULL);
    if (multipart_failed)
        return fail_early(r, 400, "bad-form", "The form could not be read", NULL);
    if (r->body.len && content_type_is(r, "application/x-www-form-urlencoded")) {
        int rc = http_parse_urlencoded(&r->arena, r->body.data, r->body.len, &r->form);
        if (rc)
            return fail_early(r, rc == PC_ETOOBIG ? 413 : 400, "bad-form",
                              "The form could not be read", NULL);
    }
    const struct http_config *cfg = &r->server->cfg;
    if (cfg->before && cfg->before(r))
        return send_response(r); /* the hook answered (a bad language, a forged form) */
    const char *ckey = cache_key(r, rt);
    if (ckey && cache_get(r, ckey))
        return send_response(r);
    int rc = rt->fn(r);
    if (rc == HTTP_DEFERRED)
        return MHD_YES; /* suspended: the response comes when the work is done */
    if (rc == 0 && ckey)
        cache_put(r, ckey);
    if (rc < 0) {
        pc_log(PC_LOG_ERROR, "http.handler_failed", "route", rt->pattern, "code", pc_errcode_name(rc), NULL);
        http_error(r, 500, "internal", "Internal error", NULL);
    }
    return send_response(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)cls; (void)url; (void)version;
    struct http_req *r = *req_cls;
    if (!r)
        return MHD_NO; /* allocation failed in on_uri: drop the connection */
    if (!r->method) {
        r->method = pc_arena_strdup(&r->arena, method);
        r->conn = conn;
        remote_address(r);
        int status = parse_target(r);
        if (status)
            return fail_early(r, status, "bad-request", "Bad request",
                              "The address or its parameters could not be read.");
        bool exists;
        r->route_index = find_route(r, &exists);
        if (r->route_index < 0) {
            if (exists)
                return fail_early(r, 405, "method-not-allowed", "Method not allowed", NULL);
            return fail_early(r, 404, "not-found", "Page not found", NULL);
        }
        const struct http_route *rt = &r->server->cfg.routes[r->route_index];
        const char *cl = http_header(r, "Content-Length");
        long long n = 0;
        if (cl && (pc_parse_int(cl, 0, INT64_MAX, &n) || (size_t)n > rt->max_body))
            return fail_early(r, 413, "body-too-large", "Request body too large", NULL);
        pc_buf_init(&r->body, rt->max_body ? rt->max_body : 1);
        if ((rt->flags & HTTP_ROUTE_MULTIPART) && r->server->cfg.uploads &&
            content_type_is(r, "multipart/form-data") && mp_start(r))
            return fail_early(r, 400, "bad-form", "The form could not be read", NULL);
        return MHD_YES;
    }
    if (r->deferred) {
        /* resumed after deferred work: finish the response */
        r->deferred = false;
        int rc = r->deferred_done(r);
        if (rc < 0)
            http_error(r, 500, "internal", "Internal error", NULL);
        return send_response(r);
    }
    if (*upload_size) {
        if (r->mp) {
            /* the route's limit bounds the whole multipart body */
            r->body.len += *upload_size;
            if (r->body.len > rt_max_body(r) || MHD_post_process(((struct multipart *)r->mp)->pp, upload,
                                                                 *upload_size) != MHD_YES)
                ((struct multipart *)r->mp)->failed = true;
            if (r->body.len > rt_max_body(r))
                r->body.toobig = true;
        } else if (pc_buf_append(&r->body, upload, *upload_size)) {
            r->body.toobig = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(r);
}

static void observe(struct http_server *s, struct http_req *r, unsigned status)
{
    int64_t usec = pc_mono_usec() - r->started_usec;
    atomic_fetch_add(&s->requests, 1);
    if (status >= 100 && status < 600)
        atomic_fetch_add(&s->by_class[status / 100], 1);
    atomic_fetch_add(&s->by_route[r->route_index >= 0 ? (size_t)r->route_index : s->cfg.nroutes], 1);
    double secs = (double)usec / 1e6;
    int b = 0;
    while (b < NBUCKETS && secs > bucket_secs[b])
        b++;
    atomic_fetch_add(&s->latency[b], 1);
    atomic_fetch_add(&s->latency_sum_usec, (unsigned long)usec);
    if (s->cfg.log_requests && pc_log_enabled(PC_LOG_INFO)) {
        char st[8], ms[32];
        snprintf(st, sizeof st, "%u", status);
        snprintf(ms, sizeof ms, "%.3f", (double)usec / 1000.0);
        /* The path only: query strings may carry search terms or tokens. */
        pc_log(PC_LOG_INFO, "http.request", "method", r->method ? r->method : "-",
               "path", r->path ? r->path : "-", "status", st, "ms", ms,
               "remote", r->remote_addr, NULL);
    }
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    (void)conn;
    struct http_req *r = *req_cls;
    if (!r)
        return;
    unsigned status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? (unsigned)r->status : 499;
    if (r->method)
        observe(s, r, r->method ? status : 400);
    if (r->mp)
        mp_end(r, true); /* the client went away mid-upload: drop the partial file */
    pc_buf_release(&r->body);
    pc_buf_release(&r->out);
    pc_arena_release(&r->arena);
    free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    pc_log(PC_LOG_WARN, "http.mhd", "msg", msg, NULL);
}

/* ---- start / stop ------------------------------------------------------- */

static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, struct pc_err *err);

int http_listen_check(const char *listen, struct pc_err *err)
{
    struct sockaddr_storage ss;
    bool v6;
    return parse_listen(listen ? listen : "", &ss, &v6, err);
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, struct pc_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return pc_err_set(err, PC_EINVAL, "--listen wants HOST:PORT, got '%s'", listen);
    long long port;
    if (pc_parse_int(colon + 1, 0, 65535, &port))
        return pc_err_set(err, PC_EINVAL, "bad port in '%s'", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    memset(ss, 0, sizeof *ss);
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 3 || host[hl - 1] != ']')
            return pc_err_set(err, PC_EINVAL, "bad IPv6 address in '%s'", listen);
        host[hl - 1] = 0;
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return pc_err_set(err, PC_EINVAL, "bad IPv6 address in '%s'", listen);
        *v6 = true;
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : (host[0] ? host : "0.0.0.0");
    if (inet_pton(AF_INET, h, &a->sin_addr) != 1)
        return pc_err_set(err, PC_EINVAL, "bad IPv4 address in '%s'", listen);
    *v6 = false;
    return 0;
}

struct http_server *http_start(const struct http_config *cfg, struct pc_err *err)
{
    struct sockaddr_storage ss;
    bool v6 = false;
    if (parse_listen(cfg->listen, &ss, &v6, err))
        return NULL;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        pc_err_set(err, PC_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    pthread_mutex_init(&s->cache_lock, NULL);
    s->by_route = calloc(cfg->nroutes + 1, sizeof *s->by_route);
    s->started_unix = pc_now_unix();
    unsigned threads = cfg->threads;
    if (!threads) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 2 ? (unsigned)cores * 2 : 4;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections ? cfg->max_connections : 1024,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_secs ? cfg->timeout_secs : 30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_limit ? cfg->header_limit : (size_t)32768,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        pc_err_set(err, PC_EIO, "cannot listen on %s (address in use or not allowed?)", cfg->listen);
        free(s->by_route);
        free(s);
        return NULL;
    }
    defer_pool_start(s);
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
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    int64_t deadline = pc_mono_usec() + (int64_t)grace_secs * 1000000;
    while (atomic_load(&s->in_flight) > 0 && pc_mono_usec() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(s->daemon);
    defer_pool_stop(s);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(s->cache[i].key);
        free(s->cache[i].body);
        free(s->cache[i].gz);
    }
    pthread_mutex_destroy(&s->cache_lock);
    free(s->by_route);
    free(s);
}

void http_metrics_write(struct http_server *s, struct pc_buf *out)
{
    pc_buf_puts(out, "# HELP pencere_http_requests_total Requests answered, by status class.\n"
                     "# TYPE pencere_http_requests_total counter\n");
    for (int c = 1; c <= 5; c++)
        pc_buf_printf(out, "pencere_http_requests_total{class=\"%dxx\"} %lu\n", c,
                      atomic_load(&s->by_class[c]));
    pc_buf_puts(out, "# HELP pencere_http_route_requests_total Requests by route.\n"
                     "# TYPE pencere_http_route_requests_total counter\n");
    for (size_t i = 0; i <= s->cfg.nroutes; i++) {
        const char *name = i < s->cfg.nroutes ? s->cfg.routes[i].name : "unmatched";
        const char *method = i < s->cfg.nroutes ? s->cfg.routes[i].method : "";
        pc_buf_printf(out, "pencere_http_route_requests_total{route=\"%s\",method=\"%s\"} %lu\n",
                      name ? name : s->cfg.routes[i].pattern, method, atomic_load(&s->by_route[i]));
    }
    pc_buf_puts(out, "# HELP pencere_http_request_duration_seconds Time from request line to response.\n"
                     "# TYPE pencere_http_request_duration_seconds histogram\n");
    unsigned long cum = 0;
    for (int b = 0; b < NBUCKETS; b++) {
        cum += atomic_load(&s->latency[b]);
        pc_buf_printf(out, "pencere_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n", bucket_secs[b], cum);
    }
    cum += atomic_load(&s->latency[NBUCKETS]);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_sum %.6f\n",
                  (double)atomic_load(&s->latency_sum_usec) / 1e6);
    pc_buf_printf(out, "pencere_http_request_duration_seconds_count %lu\n", cum);
    pc_buf_printf(out, "# HELP pencere_http_in_flight Requests being served now.\n"
                       "# TYPE pencere_http_in_flight gauge\npencere_http_in_flight %ld\n",
                  atomic_load(&s->in_flight) - 1 /* not counting this one */);
    pc_buf_printf(out, "# HELP pencere_http_cache_hits_total Public pages answered from the micro-cache.\n"
                       "# TYPE pencere_http_cache_hits_total counter\npencere_http_cache_hits_total %lu\n",
                  atomic_load(&s->cache_hits));
    pc_buf_printf(out, "# HELP pencere_start_time_seconds Start time of the process.\n"
                       "# TYPE pencere_start_time_seconds gauge\npencere_start_time_seconds %lld\n",
                  (long long)s->started_unix);
}
