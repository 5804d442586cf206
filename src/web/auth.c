/* auth.c — who is asking, for every request: the session from the
 * cookie (pages) or the bearer token (API), each token valid only in its
 * own place; a session the database cannot look up is a 503, never a
 * logout; CSRF checks on every form post; and the one helper pages use to
 * ask id_authorize before acting. */
#include "internal.h"

#include <string.h>

#define SESSION_COOKIE "pc_session"
#define CSRF_COOKIE "pc_csrf"

static const char *bearer_token(struct http_req *r)
{
    const char *h = http_header(r, "Authorization");
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        return h + 7;
    return NULL;
}

/* The token of the request and its kind.  The API takes bearer tokens
 * only, pages the cookie only: an API call can then never ride on a
 * browser's cookie (CSRF), and identity refuses a token of one kind in the
 * other place. */
static const char *request_token(struct http_req *r, const char **kind)
{
    *kind = r->is_api ? "bearer" : "cookie";
    return r->is_api ? bearer_token(r) : http_kv_get(&r->cookies, SESSION_COOKIE);
}

/* A session logged in with a certificate lasts while the certificate
 * does (identity asks the centre, within the freshness limit).  When the
 * status cannot be learned the session stands on the last answer: the
 * centre being down logs no one out (logged once per request). */
static int recheck_certificate(struct http_req *r, const struct id_principal *p, struct pc_err *err)
{
    int rc = id_session_recheck(app_of(r)->db, &r->arena, app_of(r)->certs, p, r->remote_addr, err);
    if (rc == PC_EUNAVAIL) {
        pc_log(PC_LOG_WARN, "session.certificate_status_unknown", "msg", err->msg, NULL);
        return 0;
    }
    return rc;
}

const struct id_principal *web_who(struct http_req *r)
{
    struct web_ctx *c = web_ctx(r);
    if (!c->who_loaded) {
        c->who_loaded = true;
        const char *kind, *token = request_token(r, &kind);
        int rc = token ? id_session_lookup(app_of(r)->db, &r->arena, token, kind, &c->who, &c->who_err) : PC_ENOTFOUND;
        if (rc == 0)
            rc = recheck_certificate(r, &c->who, &c->who_err);
        if (rc == 0 && !r->is_api) /* a session used at a kiosk becomes the kiosk's */
            rc = web_kiosk_bind(r, &c->who, &c->who_err);
        if (rc == 0) {
            c->logged_in = true;
            c->token = token;
        } else if (rc != PC_ENOTFOUND) {
            c->who_rc = rc;
        }
    }
    return c->logged_in ? &c->who : NULL;
}

const char *web_session_token(struct http_req *r)
{
    return web_who(r) ? web_ctx(r)->token : NULL;
}

void web_set_session_cookie(struct http_req *r, const char *token)
{
    const char *secure = app_of(r)->secure_cookies ? "; Secure" : "";
    if (token)
        http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, SESSION_COOKIE "=%s; Path=/; HttpOnly;"
                                                         " SameSite=Lax; Max-Age=%d%s", token,
                                                         ID_SESSION_ABSOLUTE_SECS, secure));
    else
        http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, SESSION_COOKIE "=; Path=/; HttpOnly;"
                                                         " SameSite=Lax; Max-Age=0%s", secure));
}

/* The token a form must carry: the session's, or before login a random
 * value also set as a cookie (double submit). */
static const char *csrf_token(struct http_req *r)
{
    const struct id_principal *p = web_who(r);
    if (p)
        return p->csrf;
    struct web_ctx *c = web_ctx(r);
    if (c->anon_csrf)
        return c->anon_csrf;
    const char *have = http_kv_get(&r->cookies, CSRF_COOKIE);
    if (have && strlen(have) == 32) {
        c->anon_csrf = have;
    } else {
        char *fresh = pc_arena_alloc(&r->arena, 33);
        pc_random_hex(fresh, 16);
        c->anon_csrf = fresh;
        http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, CSRF_COOKIE "=%s; Path=/; HttpOnly;"
                                                         " SameSite=Strict%s", fresh,
                                                         app_of(r)->secure_cookies ? "; Secure" : ""));
    }
    return c->anon_csrf;
}

void web_csrf_field(struct http_req *r)
{
    web_html(r, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", csrf_token(r));
}

const char *web_csrf_query(struct http_req *r)
{
    return pc_arena_printf(&r->arena, "csrf=%s", csrf_token(r));
}

/* A form with files is checked before its body is read (web_auth_admit),
 * so its token travels in the address or a header, never in the body. */
static bool csrf_ok(struct http_req *r)
{
    const char *sent = http_takes_files(r) ? http_kv_get(&r->query, "csrf") : http_kv_get(&r->form, "csrf");
    if (!sent && http_takes_files(r))
        sent = http_header(r, "X-CSRF-Token");
    const struct id_principal *p = web_who(r);
    const char *want = p ? p->csrf : http_kv_get(&r->cookies, CSRF_COOKIE);
    return sent && want && strlen(sent) == strlen(want) && strlen(want) >= 32 &&
           pc_ct_equal(sent, want, strlen(want));
}

/* Routes that never ask who is asking (files, probes): a session cookie
 * the browser sends along costs them no lookup. */
static bool sessionless(struct http_req *r)
{
    static const char *const names[] = {"asset", "robots", "favicon", "api_openapi", "healthz", "metrics"};
    const char *route = http_route_name(r);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (pc_str_eq(route, names[i]))
            return true;
    return false;
}

/* The session and the CSRF token: 1 when answered. */
static int auth_check(struct http_req *r)
{
    /* Who is asking, before anything acts on it.  When the database cannot
     * say, the answer is 503 with Retry-After: not a login redirect, not a
     * 401, not "the form has expired" — and a form post's page keeps what
     * was typed (web_retry_form). */
    const char *kind;
    if (!sessionless(r) && request_token(r, &kind)) {
        web_who(r);
        struct web_ctx *c = web_ctx(r);
        if (c->who_rc) {
            web_fail(r, c->who_rc, &c->who_err);
            return 1;
        }
    }
    if (strcmp(r->method, "POST") == 0 && !r->is_api && !csrf_ok(r)) {
        http_error(r, 403, "csrf", "Forbidden", "The form has expired.");
        return 1;
    }
    return 0;
}

int web_auth_before(struct http_req *r)
{
    return web_before(r) || auth_check(r);
}

int web_auth_admit(struct http_req *r, enum id_action action)
{
    if (auth_check(r))
        return 1;
    return web_require(r, action, NULL) ? 0 : 1;
}

bool web_require(struct http_req *r, enum id_action action, const struct id_resource *res)
{
    const struct id_principal *p = web_who(r);
    if (id_authorize(p, action, res))
        return true;
    if (!p) {
        if (r->is_api) {
            http_set_header(r, "WWW-Authenticate", "Bearer");
            http_problem(r, 401, "unauthenticated", "Log in first", "Send Authorization: Bearer TOKEN.");
        } else {
            http_redirect(r, 303, pc_arena_printf(&r->arena, "/login?next=%s", r->path));
        }
        return false;
    }
    /* someone else's object is "not found", not "forbidden": no probing */
    if (res && (res->fin || res->voen))
        http_error(r, 404, "not-found", "Page not found", NULL);
    else
        http_error(r, 403, "forbidden", "Forbidden", NULL);
    return false;
}
