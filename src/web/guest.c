/* guest.c — applying without logging in (issue 10), the web side.  A
 * service of level none is applied to from a guest session (identity's
 * guest.c) held in a cookie of its own, so that no page, menu or API ever
 * takes a guest for a logged-in person; the application pages (apply.c)
 * take the guest as the applicant of its own drafts and cases.  Here: the
 * page before a guest's first draft (the service start page is cached and
 * cannot carry a form token), the contact field of the check page, the
 * page that shows the access code once, the "follow an application" pages
 * (reference + code: identity throttles them like logins), and what the
 * officer's case page says of a guest's case.  The rules are cases'. */
#include "internal.h"

#include <ctype.h>
#include <string.h>

#define GUEST_COOKIE "pc_guest"
#define REFERENCE_MAX 32
#define CODE_MAX 40

/* ---- who applies --------------------------------------------------------------- */

static void set_guest_cookie(struct http_req *r, const char *token)
{
    const char *secure = app_of(r)->secure_cookies ? "; Secure" : "";
    http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, GUEST_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax;"
                                                     " Max-Age=%d%s", token ? token : "",
                                                     token ? ID_SESSION_ABSOLUTE_SECS : 0, secure));
}

/* The guest of the cookie, looked up once per request. */
static const struct id_principal *guest_of(struct http_req *r)
{
    struct web_ctx *c = web_ctx(r);
    if (!c->guest_loaded) {
        c->guest_loaded = true;
        const char *token = http_kv_get(&r->cookies, GUEST_COOKIE);
        int rc = token ? id_session_lookup(app_of(r)->db, &r->arena, token, "guest", &c->guest, &c->guest_err)
                       : PC_ENOTFOUND;
        if (rc == 0 && c->guest.kind == ID_ACCOUNT_GUEST) {
            c->guest_token = token;
        } else if (rc && rc != PC_ENOTFOUND) {
            c->guest_rc = rc;
        }
    }
    return c->guest_token ? &c->guest : NULL;
}

const struct id_principal *web_applicant(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    return who ? who : guest_of(r);
}

bool web_guest_failed(struct http_req *r)
{
    struct web_ctx *c = web_ctx(r);
    if (!c->guest_rc)
        return false;
    web_fail(r, c->guest_rc, &c->guest_err);
    return true;
}

/* Whether service asks for no login (an unknown service: false). */
static bool open_to_guests(struct http_req *r, const char *service)
{
    enum id_level need;
    struct pc_err err = {0};
    return case_login_check(app_of(r)->db, &r->arena, NULL, service, &need, &err) == 0;
}

const struct id_principal *web_new_applicant(struct http_req *r, const char *service)
{
    if (web_who(r) || !open_to_guests(r, service)) {
        if (!web_require(r, ID_ACT_APPLY, NULL) || !web_require_level(r, service))
            return NULL;
        return web_who(r);
    }
    const struct id_principal *guest = guest_of(r);
    if (guest || web_guest_failed(r))
        return guest;
    char token[ID_TOKEN_CHARS + 1];
    const char *account;
    int64_t retry;
    struct pc_err err = {0};
    int rc = id_guest_start(app_of(r)->db, &r->arena, r->remote_addr, http_header(r, "User-Agent"), token, &account,
                            &retry, &err);
    if (rc == PC_ELIMIT)
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)(retry > 0 ? retry : 1)));
    if (rc) {
        web_fail(r, rc, &err);
        return NULL;
    }
    set_guest_cookie(r, token);
    struct id_principal *p = pc_arena_alloc(&r->arena, sizeof *p);
    *p = (struct id_principal){.account_id = account, .login = "", .kind = ID_ACCOUNT_GUEST, .display_name = "",
                               .auth = {.method = ID_METHOD_GUEST, .at = pc_now_unix()}};
    return p;
}

/* ---- before the first page ------------------------------------------------------- */

int web_page_apply_guest(struct http_req *r)
{
    const char *service = http_param(r, 0);
    struct cat_service s;
    struct pc_err err = {0};
    int rc = cat_get_service(app_of(r)->db, &r->arena, service, &s, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    /* logged in, or a service that asks for a login: its start page says how */
    if (web_who(r) || !open_to_guests(r, service) || !form_offered(app_of(r)->forms, service))
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/services/%s/start", s.id));
    web_page_begin(r, web_t(r, M_GUEST_TITLE));
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<p>%s</p>\n",
             pc_text_get(&s.name, web_lang_id(r)), web_t(r, M_GUEST_TITLE), web_t(r, M_GUEST_LEAD),
             web_t(r, M_GUEST_CODE_LEAD));
    web_html(r, "<form method=\"post\" action=\"/services/%q/apply\">\n", s.id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"button-start\">%s</button>\n</form>\n"
                "<p>%s <a href=\"/login?next=/services/%q/start\">%s</a></p>\n",
             web_t(r, M_APPLY_START), web_t(r, M_GUEST_LOGIN_INSTEAD), s.id, web_t(r, M_LOGIN_BUTTON));
    web_page_end(r);
    return 0;
}

/* ---- submitting -------------------------------------------------------------------- */

void web_guest_contact_field(struct http_req *r, const char *value, const struct web_field_error *errors, int n)
{
    struct web_field f = {"contact", web_t(r, M_GUEST_CONTACT_LABEL), web_t(r, M_GUEST_CONTACT_HINT), value, "text",
                          "email", 254};
    web_text_field(r, &f, errors, n);
}

int web_guest_sent(struct http_req *r, const struct case_app *app, const char *code)
{
    /* the guest's session ends with its application: from now on the
     * reference and the code open it (a shared computer keeps nothing) */
    struct pc_err err = {0};
    if (id_session_revoke(app_of(r)->db, web_ctx(r)->guest_token, "guest", r->remote_addr, &err))
        pc_log(PC_LOG_WARN, "guest.session_not_ended", "msg", err.msg, NULL); /* it ends when idle all the same */
    set_guest_cookie(r, NULL);
    const struct form_def *def = form_set_version(web_forms(r), app->service_id, app->form_version);
    web_page_begin(r, web_t(r, M_APPLY_DONE_TITLE));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s<br><strong class=\"code\">%s</strong></p>\n</div>\n",
             web_t(r, M_APPLY_DONE_TITLE), web_t(r, M_APPLY_DONE_REF), app->reference);
    if (*code)
        web_html(r, "<h2>%s</h2>\n<p><strong class=\"code\">%s</strong></p>\n<p class=\"notice\">%s</p>\n",
                 web_t(r, M_GUEST_CODE_TITLE), code, web_t(r, M_GUEST_CODE_WARN));
    else /* a second click: the code was shown to the first */
        web_html(r, "<p>%s</p>\n", web_t(r, M_GUEST_CODE_SHOWN));
    web_html(r, "<p>%s <a href=\"/follow\">%s</a></p>\n", web_t(r, M_GUEST_FOLLOW_HOW), web_t(r, M_FOLLOW_TITLE));
    if (def)
        web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_APPLY_DONE_NEXT), pc_text_get(&def->what_next, web_lang_id(r)));
    web_page_end(r);
    return 0;
}

/* ---- following an application ------------------------------------------------------ */

static void follow_page(struct http_req *r, const char *reference, const struct web_field_error *errors, int n)
{
    web_form_title(r, web_t(r, M_FOLLOW_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/follow\" novalidate>\n",
             web_t(r, M_FOLLOW_TITLE), web_t(r, M_FOLLOW_LEAD));
    web_csrf_field(r);
    struct web_field ref = {"reference", web_t(r, M_APPLY_DONE_REF), web_t(r, M_FOLLOW_REF_HINT), reference, "text",
                            "off", REFERENCE_MAX};
    struct web_field code = {"code", web_t(r, M_FOLLOW_CODE), web_t(r, M_FOLLOW_CODE_HINT), NULL, "text", "off",
                             CODE_MAX};
    web_text_field(r, &ref, errors, n);
    web_text_field(r, &code, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_FOLLOW_BUTTON));
    web_page_end(r);
}

int web_page_follow(struct http_req *r)
{
    follow_page(r, NULL, NULL, 0);
    return 0;
}

struct follow_proof {
    struct db *db;
    const char *reference, *code;
};

static int follow_check(void *ctx, struct pc_arena *a, const char **account_id, struct pc_err *err)
{
    struct follow_proof *f = ctx;
    return case_guest_check(f->db, a, f->reference, f->code, account_id, err);
}

int web_page_follow_post(struct http_req *r)
{
    const char *typed = http_kv_get(&r->form, "reference"), *code = http_kv_get(&r->form, "code");
    /* a reference as people copy it: spaces around, any case */
    char reference[REFERENCE_MAX + 1] = "";
    size_t n = 0;
    for (const char *p = typed; p && *p && n < REFERENCE_MAX; p++)
        if (!isspace((unsigned char)*p))
            reference[n++] = (char)toupper((unsigned char)*p);
    reference[n] = 0;
    if (!n || !code || !*code || strlen(code) > CODE_MAX || (typed && strlen(typed) > REFERENCE_MAX + 8)) {
        struct web_field_error e = {n ? "code" : "reference", web_t(r, M_FOLLOW_MISSING)};
        r->status = 400;
        follow_page(r, typed, &e, 1);
        return 0;
    }
    struct follow_proof f = {app_of(r)->db, reference, code};
    struct id_guest_proof proof = {follow_check, &f};
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    struct pc_err err = {0};
    int rc = id_guest_login(app_of(r)->db, &r->arena, reference, &proof, r->remote_addr, http_header(r, "User-Agent"),
                            token, &retry, &err);
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        /* the same words for an unknown reference and a wrong code */
        struct web_field_error e = {"reference", rc == PC_EDENIED ? web_t(r, M_FOLLOW_WRONG)
                                                 : pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED),
                                                                   (int)(retry + 59) / 60)};
        r->status = rc == PC_EDENIED ? 400 : 429;
        if (rc == PC_ELIMIT)
            http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)(retry > 0 ? retry : 1)));
        follow_page(r, reference, &e, 1);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    set_guest_cookie(r, token);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", reference));
}

/* ---- for the officer ------------------------------------------------------------------ */

void web_guest_facts(struct http_req *r, const struct case_app *app)
{
    if (!app->anonymous)
        return;
    struct case_contact c;
    struct pc_err err = {0};
    int rc = case_guest_contact(app_of(r)->db, &r->arena, app->id, &c, &err);
    if (rc) /* the page stands without the contact */
        pc_log(PC_LOG_WARN, "case.guest_contact_failed", "msg", err.msg, NULL);
    web_html(r, "<dt>%s</dt><dd>%s%r%s</dd>\n", web_t(r, M_OFFICE_APPLICANT), web_t(r, M_GUEST_NO_LOGIN),
             rc == 0 ? "; " : "", rc == 0 ? c.address : "");
}
