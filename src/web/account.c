/* account.c — logging in and out, setting a password with a one-time
 * code, "My data" (what the state holds and who looked at it), sessions,
 * acting for a legal entity; and the JSON login for kiosks and apps. */
#include "internal.h"
#include "../audit/audit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Only a local path may be a redirect target (no "//host", no scheme). */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 200)
        return "/account";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return "/account";
    return next;
}

const char *web_role_label(struct http_req *r, enum id_role role)
{
    return (unsigned)role < ID_ROLE_COUNT ? web_t(r, (enum msg)(M_ROLE_CITIZEN + (int)role)) : "";
}

/* ---- log in ------------------------------------------------------------ */

static void login_page(struct http_req *r, const char *login, const struct web_field_error *errors, int nerrors,
                       const char *notice)
{
    web_form_title(r, web_t(r, M_LOGIN_TITLE), nerrors);
    web_error_summary(r, errors, nerrors);
    if (notice)
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", notice);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/login\" novalidate>\n",
         web_t(r, M_LOGIN_TITLE), web_t(r, M_LOGIN_LEAD));
    web_csrf_field(r);
    const char *next = http_kv_get(&r->query, "next");
    if (!next)
        next = http_kv_get(&r->form, "next");
    if (next)
        web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", safe_next(next));
    struct web_field f_login = {"login", web_t(r, M_LOGIN_FIELD_LOGIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), login,
                                 "text", "username", 64};
    struct web_field f_pw = {"password", web_t(r, M_LOGIN_FIELD_PASSWORD), NULL, NULL, "password",
                              "current-password", ID_PASSWORD_MAX};
    web_text_field(r, &f_login, errors, nerrors);
    web_text_field(r, &f_pw, errors, nerrors);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n<ul class=\"links\">\n<li><a href=\"/reset\">%s</a></li>\n"
            "<li><a href=\"/activate\">%s</a></li>\n<li><a href=\"/register\">%s</a></li>\n</ul>\n",
         web_t(r, M_LOGIN_BUTTON), web_t(r, M_LOGIN_FORGOT), web_t(r, M_LOGIN_NO_ACCOUNT), web_t(r, M_LOGIN_REGISTER));
    web_page_end(r);
}

int web_page_login(struct http_req *r)
{
    const char *notice = NULL;
    if (http_kv_get(&r->query, "activated"))
        notice = web_t(r, M_LOGIN_ACTIVATED);
    else if (http_kv_get(&r->query, "out"))
        notice = web_t(r, M_LOGIN_LOGGED_OUT);
    login_page(r, NULL, NULL, 0, notice);
    return 0;
}

static void second_factor_page(struct http_req *r, const char *ticket, const char *next,
                               const struct web_field_error *errors, int n)
{
    web_form_title(r, web_t(r, M_2FA_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/login/2fa\" novalidate>\n",
         web_t(r, M_2FA_TITLE), web_t(r, M_2FA_LEAD));
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"ticket\" value=\"%s\">\n", ticket);
    if (next)
        web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", safe_next(next));
    struct web_field f = {"otp", web_t(r, M_2FA_FIELD_CODE), web_t(r, M_2FA_FIELD_CODE_HINT), NULL, "text", "one-time-code", 6};
    web_text_field(r, &f, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_2FA_BUTTON));
    web_page_end(r);
}

int web_page_login_2fa_post(struct http_req *r)
{
    const char *ticket = http_kv_get(&r->form, "ticket"), *otp = http_kv_get(&r->form, "otp");
    struct id_login_request req = {.ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry = 0;
    struct pc_err err = {0};
    int rc = id_login_second_factor(app_of(r)->db, &r->arena, ticket, otp ? otp : "", &req, "cookie", token,
                                    &retry, &err);
    if (rc == 0) {
        web_set_session_cookie(r, token);
        return http_redirect(r, 303, safe_next(http_kv_get(&r->form, "next")));
    }
    if (rc == PC_EINVAL) { /* a wrong code: the ticket stays, try again */
        struct web_field_error e = {"otp", web_t(r, M_2FA_WRONG)};
        r->status = 401;
        second_factor_page(r, ticket, http_kv_get(&r->form, "next"), &e, 1);
        return 0;
    }
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        struct web_field_error e = {"login", rc == PC_EDENIED ? web_t(r, M_2FA_EXPIRED)
                                        : pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), (int)(retry + 59) / 60)};
        r->status = rc == PC_EDENIED ? 401 : 429;
        login_page(r, NULL, &e, 1, NULL);
        return 0;
    }
    return web_fail(r, rc, &err);
}

/* A login in two halves: the work (Argon2id, the session) on a worker
 * thread, the answer on a server thread (see http_defer). */
struct login_job {
    struct id_login_request req;
    const char *kind;
    const char *typed;
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    int rc;
    struct pc_err err;
};

static void login_work(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    j->rc = id_login(app_of(r)->db, &r->arena, &id_login_password, &j->req, j->kind, j->token, &j->retry, &j->err);
}

static int page_login_done(struct http_req *r);

int web_page_login_post(struct http_req *r)
{
    const char *login = http_kv_get(&r->form, "login");
    const char *password = http_kv_get(&r->form, "password");
    struct web_field_error errors[2];
    int n = 0;
    if (!login || !*login)
        errors[n++] = (struct web_field_error){"login", web_t(r, M_ERR_REQUIRED_LOGIN)};
    if (!password || !*password)
        errors[n++] = (struct web_field_error){"password", web_t(r, M_ERR_REQUIRED_PASSWORD)};
    if (n) {
        r->status = 400;
        login_page(r, login, errors, n, NULL);
        return 0;
    }
    /* a FİN may be typed in lower case; staff logins are used as typed */
    char norm[65];
    size_t k = 0;
    for (const char *p = login; *p && k < sizeof norm - 1; p++)
        if (*p != ' ')
            norm[k++] = *p;
    norm[k] = 0;
    if (k == 7) {
        char up[8];
        const char *found;
        for (int i = 0; i < 8; i++)
            up[i] = (norm[i] >= 'a' && norm[i] <= 'z') ? (char)(norm[i] - 32) : norm[i];
        if (strcmp(up, norm) != 0 && id_fin_valid(up) &&
            id_account_find(app_of(r)->db, &r->arena, norm, &found, NULL) == PC_ENOTFOUND &&
            id_account_find(app_of(r)->db, &r->arena, up, &found, NULL) == 0)
            memcpy(norm, up, 8);
    }
    struct login_job *j = pc_arena_alloc(&r->arena, sizeof *j);
    j->req = (struct id_login_request){.login = pc_arena_strdup(&r->arena, norm), .secret = password,
                                       .ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    j->kind = "cookie";
    j->typed = login;
    r->deferred_arg = j;
    /* the password hash runs off the server's threads */
    return http_defer(r, login_work, page_login_done);
}

static int page_login_done(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    int rc = j->rc;
    if (rc == 0) {
        web_set_session_cookie(r, j->token); /* a new token at every login: no fixation */
        return http_redirect(r, 303, safe_next(http_kv_get(&r->form, "next")));
    }
    if (rc == PC_EMORE) {
        second_factor_page(r, j->token, http_kv_get(&r->form, "next"), NULL, 0);
        return 0;
    }
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        struct web_field_error e = {"login", rc == PC_EDENIED ? web_t(r, M_LOGIN_WRONG)
                                        : pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), (int)(j->retry + 59) / 60)};
        r->status = rc == PC_EDENIED ? 401 : 429;
        if (rc == PC_ELIMIT)
            http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)j->retry));
        login_page(r, j->typed, &e, 1, NULL);
        return 0;
    }
    return web_fail(r, rc, &j->err);
}

int web_page_logout_post(struct http_req *r)
{
    const char *token = web_session_token(r);
    struct pc_err err = {0};
    int rc = token ? id_session_revoke(app_of(r)->db, token, r->remote_addr, &err) : 0;
    if (rc)
        return web_fail(r, rc, &err);
    web_set_session_cookie(r, NULL);
    return http_redirect(r, 303, "/login?out=1");
}

/* ---- activation with a one-time code ------------------------------------ */

static void activate_page(struct http_req *r, const char *login, const char *code,
                          const struct web_field_error *errors, int n)
{
    web_form_title(r, web_t(r, M_ACTIVATE_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/activate\" novalidate>\n",
         web_t(r, M_ACTIVATE_TITLE), web_t(r, M_ACTIVATE_LEAD));
    web_csrf_field(r);
    struct web_field fields[] = {
        {"login", web_t(r, M_LOGIN_FIELD_LOGIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), login, "text", "username", 64},
        {"code", web_t(r, M_ACTIVATE_FIELD_CODE), web_t(r, M_ACTIVATE_FIELD_CODE_HINT), code, "text", "one-time-code", 20},
        {"password", web_t(r, M_ACTIVATE_FIELD_PASSWORD), web_t(r, M_ACTIVATE_FIELD_PASSWORD_HINT), NULL, "password",
         "new-password", ID_PASSWORD_MAX},
        {"confirm", web_t(r, M_ACTIVATE_FIELD_CONFIRM), NULL, NULL, "password", "new-password", ID_PASSWORD_MAX},
    };
    for (size_t i = 0; i < 4; i++)
        web_text_field(r, &fields[i], errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_ACTIVATE_BUTTON));
    web_page_end(r);
}

int web_page_activate(struct http_req *r)
{
    activate_page(r, http_kv_get(&r->query, "login"), NULL, NULL, 0);
    return 0;
}

int web_page_activate_post(struct http_req *r)
{
    const char *login = http_kv_get(&r->form, "login"), *code = http_kv_get(&r->form, "code");
    const char *pw = http_kv_get(&r->form, "password"), *confirm = http_kv_get(&r->form, "confirm");
    struct web_field_error errors[4];
    int n = 0;
    struct pc_err err = {0};
    if (!login || !*login)
        errors[n++] = (struct web_field_error){"login", web_t(r, M_ERR_REQUIRED_LOGIN)};
    if (!code || !*code)
        errors[n++] = (struct web_field_error){"code", web_t(r, M_ERR_REQUIRED_CODE)};
    if (id_password_check(pw, &err))
        errors[n++] = (struct web_field_error){"password", web_t(r, M_ERR_PASSWORD_RULES)};
    else if (!pc_str_eq(pw, confirm))
        errors[n++] = (struct web_field_error){"confirm", web_t(r, M_ERR_PASSWORDS_DIFFER)};
    if (!n) {
        int rc = id_code_redeem(app_of(r)->db, login, code, pw, r->remote_addr, &err);
        if (rc == 0)
            return http_redirect(r, 303, "/login?activated=1");
        if (rc == PC_ELIMIT) {
            struct web_field_error e = {"code", pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), 15)};
            r->status = 429;
            activate_page(r, login, code, &e, 1);
            return 0;
        }
        if (rc != PC_EDENIED && rc != PC_EINVAL)
            return web_fail(r, rc, &err);
        errors[n++] = (struct web_field_error){"code", web_t(r, M_ERR_CODE_BAD)};
    }
    r->status = 400;
    activate_page(r, login, code, errors, n);
    return 0;
}

/* ---- my data --------------------------------------------------------------- */

static void fact(struct http_req *r, enum msg label, const char *value)
{
    web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, label), value && *value ? value : web_t(r, M_FIELD_NOT_GIVEN));
}

static void when(struct http_req *r, int64_t unix_secs)
{
    char ts[21];
    pc_rfc3339(unix_secs, ts);
    web_html(r, "<time datetime=\"%s\">%s</time>", ts, pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11));
}

static void access_log_table(struct http_req *r, const char *fin)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(app_of(r)->db, &err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT l.at, l.accessor_role, l.agency_id, l.data_kind, l.ground, COALESCE(a.login, l.accessor)"
        " FROM data_access_log l LEFT JOIN accounts a ON a.id = l.accessor"
        " WHERE l.subject_fin = ? ORDER BY l.at DESC LIMIT 100", &err) : NULL;
    web_html(r, "<h2 id=\"who-looked\">%s</h2>\n<p>%s</p>\n", web_t(r, M_ACCOUNT_WHO_LOOKED), web_t(r, M_ACCOUNT_WHO_LOOKED_LEAD));
    if (!s)
        return;
    db_bind_text(s, 1, fin);
    int rows = 0;
    while (db_step(s, &err) == 1) {
        /* in a region of its own that scrolls sideways on a narrow phone,
         * so that the page itself does not */
        if (rows++ == 0)
            web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"who-looked\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_ACCOUNT_WHO_LOOKED), web_t(r, M_COL_WHEN), web_t(r, M_COL_WHO), web_t(r, M_COL_WHAT), web_t(r, M_COL_WHY));
        int role = id_role_parse(db_col_text(s, 1));
        const char *agency = db_col_text(s, 2);
        /* the time as on the sessions page ("2026-11-23 11:28"); the kind
         * of data and the ground are stored as codes and shown in the
         * reader's language */
        const char *at = db_col_text(s, 0), *kind = db_col_text(s, 3), *ground = db_col_text(s, 4);
        const char *what = pc_str_eq(kind, "profile") ? web_t(r, M_DATA_PROFILE) : pc_str_eq(kind, "case") ? web_t(r, M_DATA_CASE) : kind;
        const char *why = pc_str_eq(ground, "id-check") ? web_t(r, M_GROUND_ID_CHECK)
                          : pc_str_has_prefix(ground, "AZ-") ? pc_arena_printf(&r->arena, web_t(r, M_GROUND_CASE), ground) : ground;
        web_html(r, "<tr><td><time datetime=\"%s\">%s</time></td><td>%s%s%s (%s)</td><td>%s</td><td>%s</td></tr>\n",
             at, at && strlen(at) >= 16 ? pc_arena_printf(&r->arena, "%.10s %.5s", at, at + 11) : at,
             role >= 0 ? web_role_label(r, (enum id_role)role) : db_col_text(s, 1),
             agency && *agency ? ", " : "", agency ? agency : "", db_col_text(s, 5), what, why);
    }
    if (rows)
        web_html(r, "</tbody>\n</table>\n</div>\n");
    else
        web_html(r, "<p>%s</p>\n", web_t(r, M_ACCOUNT_NOBODY_LOOKED));
}

int web_page_account(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    struct pc_err err = {0};
    web_page_begin(r, web_t(r, M_ACCOUNT_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_ACCOUNT_TITLE));
    if (p->acting_for)
        web_html(r, "<div class=\"notice\"><p>%s</p></div>\n",
             pc_arena_printf(&r->arena, web_t(r, M_ACCOUNT_ACTING_FOR), p->acting_for));
    web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_ACCOUNT_ROLES));
    for (int i = 0; i < p->ngrants; i++)
        web_html(r, "<li>%s%s%s</li>\n", web_role_label(r, p->grants[i].role), *p->grants[i].agency_id ? " — " : "",
             p->grants[i].agency_id);
    web_html(r, "</ul>\n");
    struct id_person person;
    if (!p->fin || id_person_get(app_of(r)->db, &r->arena, p->fin, &person, &err) != 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ACCOUNT_NOT_PERSON));
    } else {
        web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n", web_t(r, M_ACCOUNT_PERSONAL));
        fact(r, M_FIELD_FIN, person.fin);
        fact(r, M_FIELD_NAME, pc_arena_printf(&r->arena, "%s %s", person.last_name, person.first_name));
        fact(r, M_FIELD_PATRONYMIC, person.patronymic);
        fact(r, M_FIELD_BIRTH_DATE, person.birth_date);
        fact(r, M_FIELD_ID_CARD, person.id_card);
        fact(r, M_FIELD_ADDRESS, person.address);
        fact(r, M_FIELD_PHONE, person.phone);
        fact(r, M_FIELD_EMAIL, person.email);
        fact(r, M_FIELD_LANG, pc_lang_name(pc_lang_parse(person.lang) < 0 ? PC_LANG_AZ : (enum pc_lang)pc_lang_parse(person.lang)));
        web_html(r, "</dl>\n");
        struct id_entity *ents;
        size_t ne = 0;
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_ACCOUNT_ENTITIES));
        if (id_entities_of(app_of(r)->db, &r->arena, p->fin, &ents, &ne, &err) == 0 && ne) {
            web_html(r, "<ul class=\"entities\">\n");
            for (size_t i = 0; i < ne; i++) {
                web_html(r, "<li><strong>%s</strong> (VÖEN %s, %s)\n<form method=\"post\" action=\"/account/act-for\" class=\"inline\">\n",
                     ents[i].name, ents[i].voen, ents[i].legal_form);
                web_csrf_field(r);
                web_html(r, "<input type=\"hidden\" name=\"voen\" value=\"%s\"><button type=\"submit\" class=\"secondary\">%s"
                        "<span class=\"visually-hidden\"> — %s</span></button></form></li>\n",
                     ents[i].voen, web_t(r, M_ACCOUNT_ACT_FOR), ents[i].name);
            }
            web_html(r, "</ul>\n");
            if (p->acting_for) {
                web_html(r, "<form method=\"post\" action=\"/account/act-for\">\n");
                web_csrf_field(r);
                web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button></form>\n", web_t(r, M_ACCOUNT_STOP_ACTING));
            }
        } else {
            web_html(r, "<p>%s</p>\n", web_t(r, M_ACCOUNT_NO_ENTITIES));
        }
        access_log_table(r, p->fin);
    }
    web_html(r, "<ul class=\"links\">\n<li><a href=\"/account/sessions\">%s</a></li>\n"
            "<li><a href=\"/account/2fa\">%s</a></li>\n</ul>\n", web_t(r, M_SESSIONS_TITLE), web_t(r, M_2FA_SETUP_TITLE));
    web_page_end(r);
    return 0;
}

int web_page_act_for_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const char *voen = http_kv_get(&r->form, "voen");
    struct pc_err err = {0};
    int rc = id_session_act_for(app_of(r)->db, web_who(r), voen && *voen ? voen : NULL, &err);
    if (rc == PC_EDENIED || rc == PC_EINVAL)
        return http_error(r, 403, "forbidden", "Forbidden", err.msg);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/account");
}

/* ---- sessions ---------------------------------------------------------------- */

int web_page_sessions(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct id_session_info *list;
    size_t n = 0;
    struct pc_err err = {0};
    int rc = id_sessions_list(app_of(r)->db, &r->arena, web_who(r), &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_SESSIONS_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n"
            "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
            "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n"
            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
         web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_LEAD), web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_TITLE), web_t(r, M_SESSIONS_FROM),
         web_t(r, M_SESSIONS_STARTED), web_t(r, M_SESSIONS_LAST_SEEN));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<tr><td>%s — %s%s%s%s</td><td>", list[i].ip, list[i].user_agent, list[i].current ? " <strong>(" : "",
             list[i].current ? web_t(r, M_SESSIONS_THIS) : "", list[i].current ? ")</strong>" : "");
        when(r, list[i].created_at);
        web_html(r, "</td><td>");
        when(r, list[i].last_seen_at);
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n<form method=\"post\" action=\"/account/sessions/revoke-all\">\n");
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_SESSIONS_LOGOUT_ALL));
    web_page_end(r);
    return 0;
}

int web_page_sessions_revoke_all(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = id_session_revoke_all(app_of(r)->db, web_who(r)->account_id, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_set_session_cookie(r, NULL);
    return http_redirect(r, 303, "/login?out=1");
}

/* ---- JSON login --------------------------------------------------------------- */

static int api_login_done(struct http_req *r);

int web_api_auth_password(struct http_req *r)
{
    json_error_t je;
    json_t *body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    const char *login = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    const char *otp = json_string_value(json_object_get(body, "otp"));
    if (!json_is_object(body) || !login || !password) {
        json_decref(body);
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send a JSON object {\"login\": \"…\", \"password\": \"…\"}.");
    }
    struct login_job *j = pc_arena_alloc(&r->arena, sizeof *j);
    if (!j) {
        json_decref(body);
        return PC_ENOMEM;
    }
    j->req = (struct id_login_request){.login = pc_arena_strdup(&r->arena, login),
                                       .secret = pc_arena_strdup(&r->arena, password),
                                       .otp = otp ? pc_arena_strdup(&r->arena, otp) : NULL,
                                       .ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    j->kind = "bearer";
    json_decref(body);
    r->deferred_arg = j;
    return http_defer(r, login_work, api_login_done);
}

static int api_login_done(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    int rc = j->rc;
    if (rc == PC_EDENIED)
        return http_problem(r, 401, "wrong-credentials", "Wrong login or password", NULL);
    if (rc == PC_EMORE)
        return http_problem(r, 401, "second-factor-required", "A second factor is needed",
                            "This account has two-step login: send \"otp\", the code of the authenticator app.");
    if (rc == PC_ELIMIT) {
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)j->retry));
        return http_problem(r, 429, "too-many-attempts", "Too many failed attempts",
                            pc_arena_printf(&r->arena, "Try again in %lld seconds.", (long long)j->retry));
    }
    if (rc)
        return web_fail(r, rc, &j->err);
    char expires[21];
    pc_rfc3339(pc_now_unix() + ID_SESSION_ABSOLUTE_SECS, expires);
    json_t *res = json_pack("{s:s, s:s, s:s, s:i}", "token", j->token, "token_type", "Bearer", "expires_at", expires,
                            "idle_timeout_seconds", ID_SESSION_IDLE_SECS);
    return web_reply_json(r, 200, res);
}

int web_api_me(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    json_t *roles = json_array();
    for (int i = 0; i < p->ngrants; i++) {
        json_t *g = json_pack("{s:s}", "role", id_role_name(p->grants[i].role));
        if (*p->grants[i].agency_id)
            json_object_set_new(g, "agency", json_string(p->grants[i].agency_id));
        json_array_append_new(roles, g);
    }
    json_t *j = json_pack("{s:s, s:o, s:s, s:o, s:o}", "login", p->login, "fin", p->fin ? json_string(p->fin) : json_null(),
                          "name", p->display_name, "roles", roles,
                          "acting_for", p->acting_for ? json_string(p->acting_for) : json_null());
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 200, s);
    free(s);
    return 0;
}

/* ---- self-service registration and password reset ------------------------ */

static void send_code_page(struct http_req *r, bool reset, const char *fin, const char *card,
                           const struct web_field_error *errors, int n)
{
    const char *title = web_t(r, reset ? M_RESET_TITLE : M_REGISTER_TITLE);
    web_form_title(r, title, n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"%s\" novalidate>\n", title,
         web_t(r, reset ? M_RESET_LEAD : M_REGISTER_LEAD), reset ? "/reset" : "/register");
    web_csrf_field(r);
    struct web_field f_fin = {"fin", web_t(r, M_FIELD_FIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), fin, "text", "username", 7};
    struct web_field f_card = {"id_card", web_t(r, M_FIELD_ID_CARD), web_t(r, M_FIELD_ID_CARD_HINT), card, "text", "off", 20};
    web_text_field(r, &f_fin, errors, n);
    web_text_field(r, &f_card, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SEND_CODE_BUTTON));
    web_page_end(r);
}

static int send_code_get(struct http_req *r, bool reset)
{
    send_code_page(r, reset, NULL, NULL, NULL, 0);
    return 0;
}

static int send_code_post(struct http_req *r, bool reset)
{
    const char *fin_in = http_kv_get(&r->form, "fin"), *card = http_kv_get(&r->form, "id_card");
    char fin[8] = "";
    struct web_field_error errors[2];
    int n = 0;
    size_t len = fin_in ? strlen(fin_in) : 0;
    if (len == 7)
        for (int i = 0; i < 8; i++)
            fin[i] = (fin_in[i] >= 'a' && fin_in[i] <= 'z') ? (char)(fin_in[i] - 32) : fin_in[i];
    if (!id_fin_valid(fin))
        errors[n++] = (struct web_field_error){"fin", web_t(r, len ? M_ERR_FIN_FORMAT : M_ERR_REQUIRED_LOGIN)};
    if (!card || !*card || strlen(card) > 20)
        errors[n++] = (struct web_field_error){"id_card", web_t(r, M_ERR_REQUIRED_ID_CARD)};
    if (n) {
        r->status = 400;
        send_code_page(r, reset, fin_in, card, errors, n);
        return 0;
    }
    int64_t retry = 0;
    struct pc_err err = {0};
    int rc = id_code_send(app_of(r)->db, &r->arena, fin, card, reset ? "reset" : "activate", r->remote_addr,
                          web_lang(r), &retry, &err);
    if (rc == PC_ELIMIT) {
        struct web_field_error e = {"fin", pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), (int)(retry + 59) / 60)};
        r->status = 429;
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)retry));
        send_code_page(r, reset, fin_in, card, &e, 1);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_CODE_SENT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<p><a class=\"button\" href=\"/activate?login=%s\">%s</a></p>\n",
         web_t(r, M_CODE_SENT_TITLE), web_t(r, M_CODE_SENT_BODY), fin, web_t(r, M_CODE_SENT_NEXT));
    web_page_end(r);
    return 0;
}

int web_page_register(struct http_req *r) { return send_code_get(r, false); }
int web_page_register_post(struct http_req *r) { return send_code_post(r, false); }
int web_page_reset(struct http_req *r) { return send_code_get(r, true); }
int web_page_reset_post(struct http_req *r) { return send_code_post(r, true); }

/* ---- two-step login on and off -------------------------------------------- */

static void totp_page(struct http_req *r, const char *secret, const struct web_field_error *errors, int n)
{
    const struct id_principal *p = web_who(r);
    bool on = id_totp_enabled(app_of(r)->db, p->account_id);
    web_form_title(r, web_t(r, M_2FA_SETUP_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<form method=\"post\" action=\"/account/2fa\" novalidate>\n",
         web_t(r, M_2FA_SETUP_TITLE), web_t(r, on ? M_2FA_IS_ON : M_2FA_IS_OFF));
    web_csrf_field(r);
    if (!on) {
        web_html(r, "<p>%s</p>\n<dl class=\"facts\"><dt>%s</dt><dd><code class=\"key\">%s</code></dd>\n"
                "<dt>URI</dt><dd><code class=\"key\">otpauth://totp/Pencere:%s?secret=%s&amp;issuer=Pencere</code></dd></dl>\n"
                "<input type=\"hidden\" name=\"secret\" value=\"%s\">\n",
             web_t(r, M_2FA_SETUP_LEAD), web_t(r, M_2FA_SETUP_KEY), secret, p->login, secret, secret);
    } else {
        web_html(r, "<p>%s</p>\n<input type=\"hidden\" name=\"off\" value=\"1\">\n", web_t(r, M_2FA_OFF_LEAD));
    }
    struct web_field f = {"otp", web_t(r, M_2FA_FIELD_CODE), web_t(r, M_2FA_FIELD_CODE_HINT), NULL, "text", "one-time-code", 6};
    web_text_field(r, &f, errors, n);
    web_html(r, "<button type=\"submit\"%r>%s</button>\n</form>\n", on ? " class=\"warning\"" : "",
         web_t(r, on ? M_2FA_TURN_OFF : M_2FA_TURN_ON));
    web_page_end(r);
}

int web_page_totp(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    char secret[ID_TOTP_SECRET_LEN + 1];
    struct pc_err err = {0};
    int rc = id_totp_new_secret(secret);
    if (rc) {
        pc_err_set(&err, rc, "no random bytes for a new secret");
        return web_fail(r, rc, &err);
    }
    totp_page(r, secret, NULL, 0);
    return 0;
}

int web_page_totp_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const struct id_principal *p = web_who(r);
    const char *otp = http_kv_get(&r->form, "otp"), *secret = http_kv_get(&r->form, "secret");
    bool off = pc_str_eq(http_kv_get(&r->form, "off"), "1");
    struct pc_err err = {0};
    int rc;
    if (off) {
        /* turning it off needs a current code from the stored secret */
        struct db_conn *c = db_conn_get(app_of(r)->db, &err);
        struct db_stmt *s = c ? db_prepare(c, "SELECT totp_secret FROM accounts WHERE id = ?", &err) : NULL;
        const char *stored = NULL;
        if (s) {
            db_bind_text(s, 1, p->account_id);
            if (db_step(s, &err) == 1)
                stored = pc_arena_strdup(&r->arena, db_col_text(s, 0));
        }
        rc = stored && id_totp_check(stored, otp, pc_now_unix())
                 ? id_totp_set(app_of(r)->db, p, NULL, NULL, r->remote_addr, &err) : PC_EINVAL;
    } else {
        rc = id_totp_set(app_of(r)->db, p, secret, otp, r->remote_addr, &err);
    }
    if (rc == PC_EINVAL) {
        struct web_field_error e = {"otp", web_t(r, M_2FA_WRONG)};
        r->status = 400;
        char fresh[ID_TOTP_SECRET_LEN + 1];
        bool keep = secret && strlen(secret) == ID_TOTP_SECRET_LEN;
        if (!keep)
            id_totp_new_secret(fresh);
        totp_page(r, keep ? secret : fresh, &e, 1);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/account/2fa");
}
