/* cert_login.c — logging in with an e-signature certificate: the page
 * that gives a challenge and explains the desktop helper (`pencere
 * login-sign`, which signs the challenge with the card's or key file's
 * key and prints an answer to paste), its post, and the same for programs
 * through the JSON API.  Identity decides (id_login_certificate); the
 * refusal's reason is shown in the person's language. */
#include "internal.h"

#include <string.h>

static const enum msg problem_msgs[ID_CERT_PROBLEM_COUNT] = {
    [ID_CERT_OK] = M_CERTP_MALFORMED,
    [ID_CERT_MALFORMED] = M_CERTP_MALFORMED,
    [ID_CERT_CHALLENGE_UNKNOWN] = M_CERTP_CHALLENGE_UNKNOWN,
    [ID_CERT_CHALLENGE_EXPIRED] = M_CERTP_CHALLENGE_EXPIRED,
    [ID_CERT_CHALLENGE_USED] = M_CERTP_CHALLENGE_USED,
    [ID_CERT_WRONG_HOST] = M_CERTP_WRONG_HOST,
    [ID_CERT_BAD_SIGNATURE] = M_CERTP_BAD_SIGNATURE,
    [ID_CERT_UNTRUSTED] = M_CERTP_UNTRUSTED,
    [ID_CERT_EXPIRED] = M_CERTP_EXPIRED,
    [ID_CERT_REVOKED] = M_CERTP_REVOKED,
    [ID_CERT_SUSPENDED] = M_CERTP_SUSPENDED,
    [ID_CERT_WRONG_PROFILE] = M_CERTP_WRONG_PROFILE,
    [ID_CERT_NO_PERSON] = M_CERTP_NO_PERSON,
    [ID_CERT_NOT_REPRESENTATIVE] = M_CERTP_NOT_REPRESENTATIVE,
};

/* The host the client reached us at, as it signs it. */
static const char *host_of(struct http_req *r)
{
    const char *h = http_header(r, "Host");
    return h && *h && strlen(h) <= ID_HOST_MAX ? h : NULL;
}

/* Where the login continues (a local path only). */
static const char *next_of(struct http_req *r)
{
    const char *next = http_kv_get(&r->form, "next");
    return web_safe_next(next ? next : http_kv_get(&r->query, "next"));
}

static void cert_page(struct http_req *r, const char *error)
{
    struct web_field_error e = {"answer", error};
    web_form_title(r, web_t(r, M_CERT_TITLE), error ? 1 : 0);
    web_error_summary(r, &e, error ? 1 : 0);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_CERT_TITLE), web_t(r, M_CERT_LEAD));
    char challenge[ID_TOKEN_CHARS + 1];
    int64_t expires;
    struct pc_err err = {0};
    const char *host = host_of(r);
    int rc = !app_of(r)->certs || !host ? PC_EUNAVAIL
             : id_cert_challenge(app_of(r)->db, r->remote_addr, challenge, &expires, &err);
    if (rc) {
        if (rc != PC_EUNAVAIL)
            pc_log(PC_LOG_WARN, "cert_login.no_challenge", "msg", err.msg, NULL);
        web_html(r, "<p>%s</p>\n<p><a href=\"/login\">%s</a></p>\n",
                 web_t(r, rc == PC_EUNAVAIL ? M_CERT_OFF : M_CERTP_UNAVAILABLE), web_t(r, M_STEPUP_PASSWORD));
        web_page_end(r);
        return;
    }
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<pre class=\"command\"><code>pencere login-sign --key my.key --cert my.pem"
                " --host %s --challenge %s</code></pre>\n<p class=\"hint\">%s</p>\n",
             web_t(r, M_CERT_HELPER_TITLE), web_t(r, M_CERT_HELPER_STEPS), host, challenge,
             web_t(r, M_CERT_HELPER_NOTE));
    web_html(r, "<form method=\"post\" action=\"/login/certificate\" novalidate>\n");
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n<div class=\"field%r\">\n"
                "<label for=\"answer\">%s</label>\n<p class=\"hint\" id=\"answer-hint\">%s</p>\n",
             next_of(r), error ? " field-error" : "", web_t(r, M_CERT_FIELD_ANSWER), web_t(r, M_CERT_FIELD_ANSWER_HINT));
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"answer-error\">%s</p>\n", error);
    web_html(r, "<textarea class=\"input textarea\" id=\"answer\" name=\"answer\" rows=\"6\" spellcheck=\"false\""
                " aria-describedby=\"answer-hint%r\"%r></textarea>\n</div>\n<button type=\"submit\">%s</button>\n</form>\n",
             error ? " answer-error" : "", error ? " aria-invalid=\"true\"" : "", web_t(r, M_CERT_BUTTON));
    if (app_of(r)->tls_login)
        web_html(r, "<p>%s <a href=\"/login/tls?next=%q\">%s</a></p>\n", web_t(r, M_CERT_TLS), next_of(r),
                 web_t(r, M_CERT_TLS_LINK));
    web_html(r, "<p><a href=\"/login\">%s</a></p>\n", web_t(r, M_STEPUP_PASSWORD));
    web_page_end(r);
}

int web_page_cert_login(struct http_req *r)
{
    cert_page(r, NULL);
    return 0;
}

/* Parse and log in; on 0 token holds the session.  *problem and *retry
 * say why not (PC_EINVAL: the answer could not be read). */
static int answer_login(struct http_req *r, const char *text, size_t len, const char *kind, char *token,
                        int64_t *retry, enum id_cert_problem *problem, struct pc_err *err)
{
    struct id_cert_response resp;
    *problem = ID_CERT_MALFORMED;
    *retry = 0;
    if (!app_of(r)->certs)
        return pc_err_set(err, PC_EUNAVAIL, "certificate login is not set up on this portal");
    int rc = id_cert_response_parse(&r->arena, text, len, &resp, err);
    if (rc)
        return rc;
    return id_login_certificate(app_of(r)->db, &r->arena, app_of(r)->certs, &resp, host_of(r), r->remote_addr,
                                http_header(r, "User-Agent"), kind, token, retry, problem, err);
}

/* The page's answer to a login attempt: the session cookie and on to
 * where the login continues, or the page again with the refusal. */
static int page_login_done(struct http_req *r, int rc, const char *token, enum id_cert_problem problem,
                           int64_t retry, const struct pc_err *err)
{
    if (rc == 0) {
        web_set_session_cookie(r, token); /* a new token at every login: no fixation */
        return http_redirect(r, 303, next_of(r));
    }
    if (rc == PC_EINVAL || rc == PC_EDENIED) {
        r->status = rc == PC_EINVAL ? 400 : 401;
        cert_page(r, web_t(r, problem_msgs[(unsigned)problem < ID_CERT_PROBLEM_COUNT ? problem : ID_CERT_MALFORMED]));
        return 0;
    }
    if (rc == PC_ELIMIT)
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)(retry > 0 ? retry : 1)));
    return web_fail(r, rc, err);
}

int web_page_cert_login_post(struct http_req *r)
{
    const char *answer = http_kv_get(&r->form, "answer");
    if (!answer || !*answer) {
        r->status = 400;
        cert_page(r, web_t(r, M_CERT_REQUIRED_ANSWER));
        return 0;
    }
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    enum id_cert_problem problem;
    struct pc_err err = {0};
    int rc = answer_login(r, answer, strlen(answer), "cookie", token, &retry, &problem, &err);
    return page_login_done(r, rc, token, problem, retry, &err);
}

/* The certificate the browser presented in the TLS handshake (the portal
 * terminating TLS itself): no challenge, the handshake proved the key. */
int web_page_tls_login(struct http_req *r)
{
    const unsigned char *der;
    size_t len;
    if (!app_of(r)->certs || !app_of(r)->tls_login || http_client_cert(r, &der, &len)) {
        r->status = 401;
        cert_page(r, web_t(r, M_CERT_TLS_NONE));
        return 0;
    }
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    enum id_cert_problem problem;
    struct pc_err err = {0};
    int rc = id_login_tls_certificate(app_of(r)->db, &r->arena, app_of(r)->certs, der, len, r->remote_addr,
                                      http_header(r, "User-Agent"), "cookie", token, &retry, &problem, &err);
    return page_login_done(r, rc, token, problem, retry, &err);
}

/* ---- the JSON API ------------------------------------------------------------------- */

int web_api_cert_challenge(struct http_req *r)
{
    const char *host = host_of(r);
    if (!app_of(r)->certs || !host)
        return http_problem(r, 503, "certificate-login-off", "Certificate login is not set up on this portal", NULL);
    char challenge[ID_TOKEN_CHARS + 1];
    int64_t expires;
    struct pc_err err = {0};
    int rc = id_cert_challenge(app_of(r)->db, r->remote_addr, challenge, &expires, &err);
    if (rc)
        return web_fail(r, rc, &err);
    char ts[21];
    pc_rfc3339(expires, ts);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "challenge", challenge, "host", host, "to_sign",
                          id_cert_to_sign(&r->arena, host, challenge), "expires_at", ts);
    return web_reply_json(r, 201, j);
}

int web_api_cert_login(struct http_req *r)
{
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    enum id_cert_problem problem;
    struct pc_err err = {0};
    int rc = answer_login(r, r->body.data ? r->body.data : "", r->body.len, "bearer", token, &retry, &problem, &err);
    if (rc == PC_EINVAL)
        return http_problem(r, 400, "bad-body", "Invalid request body", err.msg);
    if (rc == PC_EDENIED) {
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "https://pencere.az/problems/certificate-refused",
                              "title", "The certificate login was refused", "status", 401, "detail", err.msg,
                              "instance", r->path, "reason", id_cert_problem_name(problem));
        web_reply_json(r, 401, p);
        r->content_type = "application/problem+json";
        return 0;
    }
    if (rc == PC_ELIMIT)
        http_set_header(r, "Retry-After", pc_arena_printf(&r->arena, "%lld", (long long)(retry > 0 ? retry : 1)));
    if (rc)
        return web_fail(r, rc, &err);
    char expires[21];
    pc_rfc3339(pc_now_unix() + ID_SESSION_ABSOLUTE_SECS, expires);
    json_t *res = json_pack("{s:s, s:s, s:s, s:i, s:s}", "token", token, "token_type", "Bearer", "expires_at", expires,
                            "idle_timeout_seconds", ID_SESSION_IDLE_SECS, "level", id_level_name(ID_LEVEL_E_SIGNATURE));
    return web_reply_json(r, 200, res);
}
