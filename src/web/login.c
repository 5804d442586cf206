/* login.c — logging in and out: the login form and its second step, the
 * JSON login and logout for kiosks and apps.  The password hash runs on a
 * worker thread (http_defer); identity first decides on this thread
 * whether the attempt may wait for one at all (id_login_admit), so a flood
 * of wrong passwords is answered at once instead of queueing. */
#include "internal.h"

#include <jansson.h>
#include <string.h>

const char *web_safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 200)
        return "/account";
    for (const char *p = next; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return "/account";
    return next;
}

/* challenge: the token to send back with the next attempt (or NULL). */
static void login_page(struct http_req *r, const char *login, const struct web_field_error *errors, int nerrors,
                       const char *notice, const char *challenge)
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
        web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", web_safe_next(next));
    if (challenge && *challenge)
        web_html(r, "<input type=\"hidden\" name=\"challenge\" value=\"%s\">\n", challenge);
    struct web_field f_login = {"login", web_t(r, M_LOGIN_FIELD_LOGIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), login,
                                 "text", "username", 64};
    struct web_field f_pw = {"password", web_t(r, M_LOGIN_FIELD_PASSWORD), NULL, NULL, "password",
                              "current-password", ID_PASSWORD_MAX};
    web_text_field(r, &f_login, errors, nerrors);
    web_text_field(r, &f_pw, errors, nerrors);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n<ul class=\"links\">\n<li><a href=\"/reset\">%s</a></li>\n"
            "<li><a href=\"/activate\">%s</a></li>\n<li><a href=\"/register\">%s</a></li>\n",
         web_t(r, M_LOGIN_BUTTON), web_t(r, M_LOGIN_FORGOT), web_t(r, M_LOGIN_NO_ACCOUNT), web_t(r, M_LOGIN_REGISTER));
    if (app_of(r)->certs)
        web_html(r, "<li><a href=\"/login/certificate?next=%q\">%s</a></li>\n", web_safe_next(next), web_t(r, M_CERT_LINK));
    web_html(r, "</ul>\n");
    if (app_of(r)->mid)
        web_login_phone_ways(r);
    web_page_end(r);
}

int web_page_login(struct http_req *r)
{
    const char *notice = NULL;
    if (http_kv_get(&r->query, "activated"))
        notice = web_t(r, M_LOGIN_ACTIVATED);
    else if (http_kv_get(&r->query, "out"))
        notice = web_t(r, M_LOGIN_LOGGED_OUT);
    login_page(r, NULL, NULL, 0, notice, NULL);
    return 0;
}

/* The words for a refused attempt (PC_ELIMIT): wait for the challenge, a
 * busy moment, or a pause of minutes. */
static const char *throttled_text(struct http_req *r, int64_t retry, const char *challenge)
{
    if (challenge && *challenge)
        return pc_arena_printf(&r->arena, web_t(r, M_LOGIN_CHALLENGE), (int)retry);
    if (retry <= 2)
        return web_t(r, M_LOGIN_BUSY);
    return pc_arena_printf(&r->arena, web_t(r, M_LOGIN_THROTTLED), (int)(retry + 59) / 60);
}

static void retry_after(struct http_req *r, int64_t secs)
{
    http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)(secs > 0 ? secs : 1)));
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
        web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", web_safe_next(next));
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
        return http_redirect(r, 303, web_safe_next(http_kv_get(&r->form, "next")));
    }
    if (rc == PC_EINVAL) { /* a wrong code: the ticket stays, try again */
        struct web_field_error e = {"otp", web_t(r, M_2FA_WRONG)};
        r->status = 401;
        second_factor_page(r, ticket, http_kv_get(&r->form, "next"), &e, 1);
        return 0;
    }
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        struct web_field_error e = {"login", rc == PC_EDENIED ? web_t(r, M_2FA_EXPIRED) : throttled_text(r, retry, NULL)};
        r->status = rc == PC_EDENIED ? 401 : 429;
        login_page(r, NULL, &e, 1, NULL, NULL);
        if (rc == PC_ELIMIT)
            retry_after(r, retry);
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

/* Admit the attempt here, hash it on a worker: done(r) answers either way. */
static int start_login(struct http_req *r, struct login_job *j, int (*done)(struct http_req *r))
{
    r->deferred_arg = j;
    j->rc = id_login_admit(app_of(r)->db, &r->arena, &j->req, j->token, &j->retry, &j->err);
    if (j->rc)
        return done(r);
    return http_defer(r, login_work, done);
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
        login_page(r, login, errors, n, NULL, http_kv_get(&r->form, "challenge"));
        return 0;
    }
    struct login_job *j = pc_arena_alloc(&r->arena, sizeof *j);
    /* identity reads the login: a FİN in any case, or a staff login */
    j->req = (struct id_login_request){.login = login, .secret = password,
                                       .challenge = http_kv_get(&r->form, "challenge"),
                                       .ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    j->kind = "cookie";
    j->typed = login;
    return start_login(r, j, page_login_done);
}

static int page_login_done(struct http_req *r)
{
    struct login_job *j = r->deferred_arg;
    int rc = j->rc;
    if (rc == 0) {
        web_set_session_cookie(r, j->token); /* a new token at every login: no fixation */
        return http_redirect(r, 303, web_safe_next(http_kv_get(&r->form, "next")));
    }
    if (rc == PC_EMORE) {
        second_factor_page(r, j->token, http_kv_get(&r->form, "next"), NULL, 0);
        return 0;
    }
    if (rc == PC_EDENIED || rc == PC_ELIMIT) {
        struct web_field_error e = {"login", rc == PC_EDENIED ? web_t(r, M_LOGIN_WRONG)
                                                              : throttled_text(r, j->retry, j->token)};
        r->status = rc == PC_EDENIED ? 401 : 429;
        login_page(r, j->typed, &e, 1, NULL, rc == PC_ELIMIT ? j->token : NULL);
        if (rc == PC_ELIMIT)
            retry_after(r, j->retry);
        return 0;
    }
    return web_fail(r, rc, &j->err);
}

int web_page_logout_post(struct http_req *r)
{
    const char *token = web_session_token(r);
    web_oidc_session_ending(r); /* leaving the portal leaves the agencies' sites too */
    struct pc_err err = {0};
    int rc = token ? id_session_revoke(app_of(r)->db, token, "cookie", r->remote_addr, &err) : 0;
    if (rc)
        return web_fail(r, rc, &err);
    web_set_session_cookie(r, NULL);
    return http_redirect(r, 303, "/login?out=1");
}

/* ---- JSON login and logout ----------------------------------------------------- */

static int api_login_done(struct http_req *r);

int web_api_auth_password(struct http_req *r)
{
    json_error_t je;
    json_t *body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    pc_arena_defer(&r->arena, (void (*)(void *))json_decref, body);
    const char *login = json_string_value(json_object_get(body, "login"));
    const char *password = json_string_value(json_object_get(body, "password"));
    const char *otp = json_string_value(json_object_get(body, "otp"));
    const char *challenge = json_string_value(json_object_get(body, "challenge"));
    if (!json_is_object(body) || !login || !password)
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send a JSON object {\"login\": \"…\", \"password\": \"…\"}.");
    struct login_job *j = pc_arena_alloc(&r->arena, sizeof *j);
    j->req = (struct id_login_request){.login = login, .secret = password, .otp = otp, .challenge = challenge,
                                       .ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    j->kind = "bearer";
    return start_login(r, j, api_login_done);
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
    if (rc == PC_ELIMIT && *j->token) {
        /* a challenge: the same client sends it back after the wait */
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:I}", "type", "https://pencere.az/problems/challenge",
                              "title", "Wait, then answer the challenge", "status", 429, "instance", r->path,
                              "challenge", j->token, "retry_after", (json_int_t)j->retry);
        retry_after(r, j->retry);
        web_reply_json(r, 429, p);
        r->content_type = "application/problem+json";
        return 0;
    }
    if (rc == PC_ELIMIT) {
        http_problem(r, 429, "too-many-attempts", "Too many failed attempts",
                     pc_arena_printf(&r->arena, "Try again in %lld seconds.", (long long)j->retry));
        retry_after(r, j->retry);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &j->err);
    char expires[21];
    pc_rfc3339(pc_now_unix() + ID_SESSION_ABSOLUTE_SECS, expires);
    json_t *res = json_pack("{s:s, s:s, s:s, s:i}", "token", j->token, "token_type", "Bearer", "expires_at", expires,
                            "idle_timeout_seconds", ID_SESSION_IDLE_SECS);
    return web_reply_json(r, 200, res);
}

int web_api_auth_logout(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = id_session_revoke(app_of(r)->db, web_session_token(r), "bearer", r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_reply_json(r, 200, "{\"revoked\":true}");
}

void web_login_second_factor(struct http_req *r, const char *ticket, const char *next)
{
    second_factor_page(r, ticket, next, NULL, 0);
}
