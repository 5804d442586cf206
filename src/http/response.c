/* response.c — building and sending answers: the http_reply_* helpers
 * (a body in memory, or a stream read while it is sent),
 * problem+json and HTML error answers (one place, nginx's
 * ngx_http_special_response.c), the headers every answer carries (also
 * the answers libmicrohttpd writes itself), cookies marked Secure over
 * HTTPS, gzip, and handing the answer to libmicrohttpd. */
#include "internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char security_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

void http_set_header(struct http_req *r, const char *name, const char *value)
{
    struct http_header *h = pc_arena_alloc(&r->arena, sizeof *h);
    h->name = pc_arena_strdup(&r->arena, name);
    h->value = pc_arena_strdup(&r->arena, value);
    h->next = r->headers;
    r->headers = h;
}

int http_reply(struct http_req *r, int status, const char *content_type, const char *body)
{
    r->status = status;
    r->content_type = content_type;
    pc_buf_reset(&r->out);
    pc_buf_puts(&r->out, body);
    return 0;
}

static void stream_drop(struct http_req *r)
{
    if (r->stream.release)
        r->stream.release(r->stream.ctx);
    memset(&r->stream, 0, sizeof r->stream);
}

int http_reply_stream(struct http_req *r, int status, const char *content_type, const struct http_stream *st)
{
    stream_drop(r);
    pc_buf_reset(&r->out);
    r->status = status;
    r->content_type = content_type;
    r->no_gzip = true;
    r->stream = *st;
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
    stream_drop(r);
    if (r->is_api || !r->server->cfg.error_page)
        return http_problem(r, status, type, title, detail);
    pc_buf_reset(&r->out);
    r->status = status;
    r->content_type = "text/html; charset=utf-8";
    r->server->cfg.error_page(r, status, type, title, detail);
    return 0;
}

/* Compress r->out in place when it is worth it and the client takes it. */
static bool gzip_out(struct http_req *r)
{
    if (r->gzipped)
        return true;
    if (r->no_gzip || r->out.len < 512 || !http__is_text(r->content_type) || !http__accepts_gzip(r))
        return false;
    struct pc_buf z;
    pc_buf_init(&z, r->out.len);
    if (http__gzip(r->out.data, r->out.len, &z)) {
        pc_buf_release(&z);
        return false;
    }
    pc_buf_release(&r->out);
    r->out = z;
    return true;
}

/* Every answer, ours or libmicrohttpd's own. */
static void security_headers(struct MHD_Response *resp, bool https)
{
    if (https)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
}

/* "; Secure" on a cookie that lacks it. */
static const char *secure_cookie(struct http_req *r, const char *v)
{
    for (const char *p = v; (p = strchr(p, ';'));) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, "Secure", 6) == 0 && (p[6] == 0 || p[6] == ';' || p[6] == ' ' || p[6] == '\t'))
            return v;
    }
    return pc_arena_printf(&r->arena, "%s; Secure", v);
}

/* Who may keep the answer.  Personal routes and errors: nobody
 * ("no-store").  Public pages: anyone, after asking ("no-cache"), unless
 * the request carries a session: then the page shows a person's name and
 * form token, so nobody but that browser, and not even it ("private,
 * no-store").  Answers that say "public" themselves (the embedded assets)
 * hold nothing personal and keep it. */
static const char *cache_control(struct http_req *r, const char *set)
{
    if (set && (!r->session || pc_str_has_prefix(set, "public")))
        return set;
    const struct http_route *rt = r->route_index >= 0 ? &r->server->cfg.routes[r->route_index] : NULL;
    if ((rt && (rt->flags & HTTP_ROUTE_NO_STORE)) || r->status >= 400)
        return "no-store";
    return r->session ? "private, no-store" : "no-cache";
}

static struct MHD_Response *buffer_response(struct http_req *r)
{
    size_t len;
    char *body = pc_buf_steal(&r->out, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        free(body);
    return resp;
}

/* libmicrohttpd asks for the body as the socket takes it, on the thread
 * that serves the connection. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct http_stream *st = cls;
    (void)pos;
    int64_t n = st->read(st->ctx, buf, max);
    return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR; /* short or broken: cut, never padded */
}

static void stream_free(void *cls)
{
    struct http_stream *st = cls;
    st->release(st->ctx);
    free(st);
}

/* The stream passes from the request to the answer (which may outlive
 * the request's arena). */
static struct MHD_Response *stream_response(struct http_req *r)
{
    struct http_stream *st = malloc(sizeof *st);
    if (!st)
        pc_oom(sizeof *st);
    *st = r->stream;
    memset(&r->stream, 0, sizeof r->stream);
    struct MHD_Response *resp =
        MHD_create_response_from_callback((uint64_t)st->size, 64 * 1024, stream_read, st, stream_free);
    if (!resp)
        stream_free(st);
    return resp;
}

enum MHD_Result http__send(struct http_req *r)
{
    if (r->server->cfg.after)
        r->server->cfg.after(r); /* error pages may have used the database too */
    http__conn_deadline(r->tcp, 0); /* the request is in: what is owed now is ours */
    if (r->out.toobig) {
        pc_buf_release(&r->out);
        r->status = 500;
        r->content_type = "text/plain; charset=utf-8";
        pc_buf_puts(&r->out, "response too large\n");
    }
    bool gz = !r->stream.read && gzip_out(r);
    struct MHD_Response *resp = r->stream.read ? stream_response(r) : buffer_response(r);
    if (!resp)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(resp, "Content-Type", r->content_type);
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    if (http__is_text(r->content_type) || gz)
        MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    security_headers(resp, r->https);
    const char *cc = NULL;
    for (struct http_header *h = r->headers; h; h = h->next) {
        if (strcasecmp(h->name, "Cache-Control") == 0)
            cc = h->value;
        else if (r->https && strcasecmp(h->name, "Set-Cookie") == 0)
            MHD_add_response_header(resp, h->name, secure_cookie(r, h->value));
        else
            MHD_add_response_header(resp, h->name, h->value);
    }
    MHD_add_response_header(resp, "Cache-Control", cache_control(r, cc));
    if (r->close)
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result http__fail(struct http_req *r, int status, const char *type, const char *title,
                           const char *detail)
{
    http_error(r, status, type, title, detail);
    return http__send(r);
}

/* ---- libmicrohttpd's own answers ---------------------------------------------
 * libmicrohttpd answers some requests itself before the portal sees them
 * (a malformed request line or header, a bad Content-Length, a head too
 * big, a broken chunk) with a bare HTML body: no Content-Type and none of
 * the headers above.  It has no hook for them, so this program supplies
 * MHD_queue_response itself: the library's internal calls reach it through
 * the dynamic linker, and it dresses any answer that lacks our headers
 * before handing it to the real function.  Our own answers already carry
 * them and pass through unchanged.  (Should a build of the library bind
 * its calls internally, those answers merely stay bare; the system tests
 * say so.) */

typedef enum MHD_Result (*queue_fn)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
static queue_fn real_queue;

int http__answers_init(struct pc_err *err)
{
    if (!real_queue)
        real_queue = (queue_fn)dlsym(RTLD_NEXT, "MHD_queue_response");
    if (!real_queue)
        return pc_err_set(err, PC_EIO, "libmicrohttpd's MHD_queue_response not found: %s", dlerror());
    return 0;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
                                   struct MHD_Response *response)
{
    if (!MHD_get_response_header(response, "X-Content-Type-Options")) {
        struct http_conn *c = http__conn_of(connection);
        MHD_add_response_header(response, "Content-Type", "text/html; charset=utf-8");
        security_headers(response, c && http__conn_https(c));
        MHD_add_response_header(response, "Cache-Control", "no-store");
    }
    return real_queue(connection, status_code, response);
}
