/* central_ui.c — the central registry's operator pages: their own listener
 * (`pencere central serve --admin-listen`), their own accounts (the
 * central's operators, never the portal's identity).  Here: the routes,
 * the hook that resolves the language and the session and checks the CSRF
 * token of every POST (the one place access is decided: everything but
 * the login page and the style sheet needs an operator), login, logout,
 * cookies HttpOnly and SameSite=Strict (src/http adds Secure over TLS),
 * the layout and the error page.  The pages are in central_pages.c. */
#include "internal.h"
#include "central_ui.h"

#include <string.h>

#define SESSION_COOKIE "pc_central"
#define LOGIN_CSRF_COOKIE "pc_central_csrf"

struct cui_ctx *cui_ctx(struct http_req *r)
{
    if (!r->ctx)
        r->ctx = pc_arena_alloc(&r->arena, sizeof(struct cui_ctx));
    return r->ctx;
}

struct xr_central *cui_central(struct http_req *r)
{
    return ((struct central_ui_app *)r->app)->central;
}

const char *cui_t(struct http_req *r, enum msg m)
{
    return web_t_lang(cui_ctx(r)->lang, m);
}

const char *cui_actor(struct http_req *r)
{
    return pc_arena_printf(&r->arena, "op:%s", cui_ctx(r)->op.login);
}

/* ---- layout ---- */

static const char *with_lang(struct http_req *r, const char *code)
{
    return pc_arena_printf(&r->arena, "%s?lang=%s", r->path, code);
}

void cui_page_begin(struct http_req *r, const char *title)
{
    struct cui_ctx *c = cui_ctx(r);
    r->content_type = "text/html; charset=utf-8";
    web_html(r, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>%s — %s</title>\n<link rel=\"stylesheet\" href=\"/assets/site.css\">\n"
                "<link rel=\"icon\" href=\"/assets/favicon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n"
                "<a class=\"skip-link\" href=\"#main\">%s</a>\n<header class=\"site-header\">\n"
                "<div class=\"wrap header-row\">\n<a class=\"brand\" href=\"/\"><span class=\"brand-mark\" "
                "aria-hidden=\"true\"></span><span class=\"brand-name\">Pəncərə</span> <span class=\"brand-sub\">"
                "%s</span></a>\n<nav class=\"langs\" aria-label=\"%s\"><ul>\n",
             pc_lang_code(c->lang), title, cui_t(r, M_CUI_SITE), cui_t(r, M_SKIP_TO_CONTENT), cui_t(r, M_CUI_SITE),
             cui_t(r, M_LANG_LABEL));
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        const char *code = pc_lang_code((enum pc_lang)i);
        web_html(r, "<li><a href=\"%s\" lang=\"%s\" hreflang=\"%s\"%r>%s</a></li>\n", with_lang(r, code), code, code,
                 (int)c->lang == i ? " aria-current=\"true\"" : "", pc_lang_name((enum pc_lang)i));
    }
    web_html(r, "</ul></nav>\n</div>\n");
    if (c->logged_in) {
        static const struct {
            const char *href;
            enum msg m;
        } nav[] = {{"/", M_CUI_OVERVIEW},        {"/members", M_CUI_MEMBERS}, {"/gateways", M_CUI_GATEWAYS},
                   {"/services", M_CUI_SERVICES}, {"/access", M_CUI_ACCESS},  {"/operators", M_CUI_OPERATORS},
                   {"/audit", M_CUI_AUDIT}};
        web_html(r, "<nav class=\"main-nav\" aria-label=\"%s\"><div class=\"wrap nav-row\"><ul>\n",
                 cui_t(r, M_CUI_NAV));
        for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++)
            web_html(r, "<li><a href=\"%s\"%r>%s</a></li>\n", nav[i].href,
                     pc_str_eq(r->path, nav[i].href) ? " aria-current=\"page\"" : "", cui_t(r, nav[i].m));
        web_html(r, "</ul>\n<form method=\"post\" action=\"/logout\" class=\"inline\"><span>%s</span> ",
                 pc_arena_printf(&r->arena, cui_t(r, M_CUI_SIGNED_IN_AS), c->op.login));
        cui_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button></form>\n</div></nav>\n",
                 cui_t(r, M_CUI_LOGOUT));
    }
    web_html(r, "</header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n<h1>%s</h1>\n", title);
    if (c->fail_msg) {
        web_html(r, "<div class=\"error-summary\" role=\"alert\"><h2>%s</h2><p>%s</p>\n", cui_t(r, M_CUI_ERR_TITLE),
                 c->fail_msg);
        if (c->fail_detail)
            web_html(r, "<p>%s <span lang=\"en\">%s</span></p>\n", cui_t(r, M_CUI_DETAIL), c->fail_detail);
        web_html(r, "</div>\n");
    } else if (http_kv_get(&r->query, "done")) {
        const char *done = http_kv_get(&r->query, "done");
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n",
                 cui_t(r, pc_str_eq(done, "publish")   ? M_CUI_PUBLISHED
                          : pc_str_eq(done, "removed") ? M_CUI_REMOVED
                                                       : M_CUI_SAVED));
    }
}

void cui_page_end(struct http_req *r)
{
    web_html(r, "</main>\n</body>\n</html>\n");
}

void cui_csrf_field(struct http_req *r)
{
    web_html(r, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">\n", cui_ctx(r)->op.csrf);
}

int cui_refused(struct http_req *r, int rc, const struct pc_err *err)
{
    struct cui_ctx *c = cui_ctx(r);
    enum msg m;
    switch (rc) {
    case PC_EINVAL: r->status = 400; m = M_CUI_ERR_INVALID; break;
    case PC_ENOTFOUND: r->status = 404; m = M_CUI_ERR_NOTFOUND; break;
    case PC_ECONFLICT: r->status = 409; m = M_CUI_ERR_CONFLICT; break;
    default: return web_fail(r, rc, err);
    }
    pc_log(PC_LOG_INFO, "central.refused", "route", http_route_name(r), "code", pc_errcode_name(rc), "msg", err->msg,
           NULL);
    if (!c->fail_msg)
        c->fail_msg = cui_t(r, m);
    c->fail_detail = err->msg[0] ? pc_arena_strdup(&r->arena, err->msg) : NULL;
    c->fail_rc = rc;
    return 0;
}

int cui_done(struct http_req *r, const char *page)
{
    return http_redirect(r, 303, page);
}

/* ---- the error page of this listener ---- */

static void error_page(struct http_req *r, int status, const char *type, const char *title, const char *detail)
{
    (void)title;
    (void)detail; /* English words of the HTTP layer; the page chooses its own by type */
    enum msg m = pc_str_eq(type, "csrf")          ? M_CUI_ERR_CSRF
                 : status == 404                  ? M_CUI_ERR_NOPAGE
                 : status == 429                  ? M_CUI_LOGIN_LIMIT
                 : status >= 500                  ? M_CUI_ERR_UNAVAIL
                                                  : M_CUI_ERR_INVALID;
    r->status = status;
    cui_page_begin(r, cui_t(r, M_CUI_ERR_TITLE));
    web_html(r, "<p>%s</p>\n<p><a href=\"/\">%s</a></p>\n", cui_t(r, m), cui_t(r, M_CUI_OVERVIEW));
    cui_page_end(r);
}

/* ---- login and logout ---- */

static int login_form(struct http_req *r, enum msg problem)
{
    struct cui_ctx *c = cui_ctx(r);
    /* before login the form's token is a double-submit cookie */
    const char *have = http_kv_get(&r->cookies, LOGIN_CSRF_COOKIE);
    if (have && strlen(have) == 32 && strspn(have, "0123456789abcdef") == 32) {
        snprintf(c->op.csrf, sizeof c->op.csrf, "%s", have);
    } else {
        if (pc_random_hex(c->op.csrf, 16))
            return web_fail(r, PC_EIO, &(struct pc_err){.code = PC_EIO, .msg = "no randomness"});
        http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, LOGIN_CSRF_COOKIE "=%s; Path=/; HttpOnly; "
                                                                    "SameSite=Strict", c->op.csrf));
    }
    cui_page_begin(r, cui_t(r, M_CUI_LOGIN_TITLE));
    if (problem)
        web_html(r, "<div class=\"error-summary\" role=\"alert\"><p>%s</p></div>\n", cui_t(r, problem));
    web_html(r, "<form method=\"post\" action=\"/login\">\n");
    cui_csrf_field(r);
    web_html(r, "<div class=\"field\"><label for=\"login\">%s</label>"
                "<input id=\"login\" name=\"login\" autocomplete=\"username\" required maxlength=\"64\"></div>\n"
                "<div class=\"field\"><label for=\"password\">%s</label><input id=\"password\" name=\"password\" "
                "type=\"password\" autocomplete=\"current-password\" required maxlength=\"128\"></div>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             cui_t(r, M_CUI_LOGIN), cui_t(r, M_CUI_PASSWORD), cui_t(r, M_CUI_SIGN_IN));
    cui_page_end(r);
    return 0;
}

static int h_login(struct http_req *r)
{
    if (cui_ctx(r)->logged_in)
        return http_redirect(r, 303, "/");
    return login_form(r, 0);
}

/* The login's Argon2id runs on a worker thread (http_defer), the answer
 * on a server thread. */
struct login_job {
    char token[ID_TOKEN_CHARS + 1];
    int rc;
    struct pc_err err;
};

static void login_work(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    j->rc = xr_operator_login(cui_central(r), http_kv_get(&r->form, "login"), http_kv_get(&r->form, "password"),
                              r->remote_addr, j->token, &j->err);
}

static int login_done(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    int rc = j->rc;
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        r->status = rc == PC_EDENIED ? 401 : 429;
        pc_log(PC_LOG_INFO, "central.login_refused", "code", pc_errcode_name(rc), "ip", r->remote_addr, NULL);
        return login_form(r, rc == PC_EDENIED ? M_CUI_LOGIN_WRONG : M_CUI_LOGIN_LIMIT);
    }
    if (rc)
        return web_fail(r, rc, &j->err);
    http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, SESSION_COOKIE "=%s; Path=/; HttpOnly; "
                                                                "SameSite=Strict", j->token));
    return http_redirect(r, 303, "/");
}

static int h_login_post(struct http_req *r)
{
    r->deferred_arg = pc_arena_alloc(&r->arena, sizeof(struct login_job));
    return http_defer(r, login_work, login_done);
}

static int h_logout(struct http_req *r)
{
    struct pc_err err = {0};
    int rc = xr_operator_logout(cui_central(r), cui_ctx(r)->token, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, SESSION_COOKIE "=; Path=/; HttpOnly; "
                                                                "SameSite=Strict; Max-Age=0"));
    return http_redirect(r, 303, "/login");
}

static int h_asset(struct http_req *r)
{
    const char *name = http_param(r, 0);
    if (!pc_str_eq(name, "site.css") && !pc_str_eq(name, "favicon.svg"))
        return http_error(r, 404, "not-found", "Not found", NULL);
    return http_serve_asset(r, name);
}

/* ---- the one gate ---- */

static bool is_public(struct http_req *r)
{
    const char *n = http_route_name(r);
    return pc_str_eq(n, "cui-login") || pc_str_eq(n, "cui-login-post") || pc_str_eq(n, "cui-asset");
}

static bool same_token(const char *a, const char *b)
{
    size_t n = a ? strlen(a) : 0;
    if (!b || n == 0 || strlen(b) != n)
        return false;
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int before(struct http_req *r)
{
    struct cui_ctx *c = cui_ctx(r);
    const char *q = http_kv_get(&r->query, "lang");
    int lang = q ? pc_lang_parse(q) : -1;
    if (lang >= 0) {
        c->lang = (enum pc_lang)lang;
        if (!pc_str_eq(q, http_kv_get(&r->cookies, "lang")))
            http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, "lang=%s; Path=/; Max-Age=31536000; "
                                                                        "SameSite=Strict", q));
    } else if (q) {
        http_error(r, 400, "bad-language", "Unknown language", "lang must be one of az, en, ru");
        return 1;
    } else if ((lang = pc_lang_parse(http_kv_get(&r->cookies, "lang"))) >= 0) {
        c->lang = (enum pc_lang)lang;
    }
    c->token = http_kv_get(&r->cookies, SESSION_COOKIE);
    struct pc_err err = {0};
    int rc = c->token ? xr_operator_session(cui_central(r), c->token, &c->op, &err) : PC_EDENIED;
    if (rc && rc != PC_EDENIED) {
        web_fail(r, rc, &err);
        return 1;
    }
    c->logged_in = rc == 0;
    bool post = pc_str_eq(r->method, "POST");
    if (is_public(r)) {
        if (post && !same_token(http_kv_get(&r->form, "csrf"), http_kv_get(&r->cookies, LOGIN_CSRF_COOKIE))) {
            http_error(r, 403, "csrf", "Forbidden", "the form's token is missing or wrong");
            return 1;
        }
        return 0;
    }
    if (!c->logged_in) {
        if (post)
            http_error(r, 403, "forbidden", "Forbidden", "operators only");
        else
            http_redirect(r, 303, "/login");
        return 1;
    }
    if (post && !same_token(http_kv_get(&r->form, "csrf"), c->op.csrf)) {
        http_error(r, 403, "csrf", "Forbidden", "the form's token is missing or wrong");
        return 1;
    }
    return 0;
}

static void after(struct http_req *r)
{
    db_idle(xr_central_db(cui_central(r)));
}

#define FORM_MAX (64 << 10)
/* a service's form carries its OpenAPI description (1 MiB, URL-encoded) */
#define SERVICE_FORM_MAX (3 << 20)
/* … and the CA's its chain (64 KiB of PEM) */
#define CA_FORM_MAX (256 << 10)

static const struct http_route routes[] = {
    {"GET", "/login", h_login, 0, HTTP_ROUTE_NO_STORE, "cui-login"},
    {"POST", "/login", h_login_post, 4096, HTTP_ROUTE_NO_STORE, "cui-login-post"},
    {"POST", "/logout", h_logout, 4096, HTTP_ROUTE_NO_STORE, "cui-logout"},
    {"GET", "/assets/{name*}", h_asset, 0, 0, "cui-asset"},
    {"GET", "/", cui_overview, 0, HTTP_ROUTE_NO_STORE, "cui-overview"},
    {"GET", "/members", cui_members, 0, HTTP_ROUTE_NO_STORE, "cui-members"},
    {"GET", "/gateways", cui_gateways, 0, HTTP_ROUTE_NO_STORE, "cui-gateways"},
    {"GET", "/services", cui_services, 0, HTTP_ROUTE_NO_STORE, "cui-services"},
    {"GET", "/openapi", cui_openapi, 0, HTTP_ROUTE_NO_STORE, "cui-openapi"},
    {"GET", "/access", cui_access, 0, HTTP_ROUTE_NO_STORE, "cui-access"},
    {"GET", "/audit", cui_audit, 0, HTTP_ROUTE_NO_STORE, "cui-audit"},
    {"POST", "/members", cui_post_member, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-member-add"},
    {"POST", "/subsystems", cui_post_subsystem, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-subsystem-add"},
    {"POST", "/gateways", cui_post_gateway, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-gateway-put"},
    {"POST", "/gateway-clients", cui_post_gateway_client, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-gateway-client"},
    {"POST", "/services", cui_post_service, SERVICE_FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-service-put"},
    {"POST", "/groups", cui_post_group, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-group-add"},
    {"POST", "/group-members", cui_post_group_member, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-group-member"},
    {"POST", "/grants", cui_post_grant, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-grant"},
    {"POST", "/revoke", cui_post_revoke, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-revoke"},
    {"POST", "/publish", cui_post_publish, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-publish"},
    {"POST", "/ca", cui_post_ca, CA_FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-ca-put"},
    {"GET", "/remove", cui_confirm_remove, 0, HTTP_ROUTE_NO_STORE, "cui-remove-confirm"},
    {"POST", "/remove", cui_post_remove, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-remove"},
    {"GET", "/operators", cui_operators, 0, HTTP_ROUTE_NO_STORE, "cui-operators"},
    {"POST", "/operators", cui_post_operator, FORM_MAX, HTTP_ROUTE_NO_STORE, "cui-operator-add"},
};

void web_central_http_config(struct central_ui_app *app, struct http_config *cfg)
{
    cfg->routes = routes;
    cfg->nroutes = sizeof routes / sizeof routes[0];
    cfg->app = app;
    cfg->before = before;
    cfg->after = after;
    cfg->error_page = error_page;
    cfg->session_cookie = SESSION_COOKIE;
}
