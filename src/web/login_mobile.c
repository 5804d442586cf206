/* login_mobile.c — logging in with the phone (issue 10): the mobile
 * signature (number and FİN typed, the request approved on the phone
 * with PIN1) and QR login (the phone scans the code this page shows).
 *
 *   GET  /login/mobile        the form (number, FİN)
 *   POST /login/mobile        start a session at the mobile-signature service
 *   POST /login/qr            start a QR session
 *   GET  /login/mobile/wait   the waiting page: the verification code or
 *                             the QR code (and its text); it reloads
 *                             itself (a Refresh header, no script) and
 *                             has a Continue button; once the phone has
 *                             answered, the check and the session
 *
 * Between the pages, the browser holds the session's id, our challenge
 * (the hash the phone signs) and the FİN asked for in a cookie of its own
 * (HttpOnly, five minutes, Path=/login).  Nothing in it is believed: the
 * relying-party client verifies the signature over our hash, the
 * certificate's chain and the FİN (mid_client_verify) before identity
 * logs the person in (id_login_mobile / id_login_qr). */
#include "internal.h"
#include "../mobile/mobile.h"

#include <openssl/evp.h>
#include <string.h>

#define MID_COOKIE "pc_mid"
#define WAIT_PATH "/login/mobile/wait"
#define REFRESH_SECS "2"

/* What the cookie carries: kind (m or q), session, hash, and the FİN
 * asked for (m) or the QR code (q), joined by '.'. */
struct pending {
    char kind;
    const char *sid, *hash_b64, *extra;
    unsigned char hash[32];
};

static void set_cookie(struct http_req *r, const char *value)
{
    http_set_header(r, "Set-Cookie",
                    pc_arena_printf(&r->arena, MID_COOKIE "=%s; Path=/login; HttpOnly; SameSite=Lax; Max-Age=%d%s",
                                    value ? value : "", value ? 300 : 0,
                                    app_of(r)->secure_cookies ? "; Secure" : ""));
}

static bool read_pending(struct http_req *r, struct pending *p)
{
    const char *v = http_kv_get(&r->cookies, MID_COOKIE);
    if (!v || strlen(v) > 200 || (v[0] != 'm' && v[0] != 'q') || v[1] != '.')
        return false;
    char *s = pc_arena_strdup(&r->arena, v + 2), *save;
    p->kind = v[0];
    p->sid = strtok_r(s, ".", &save);
    p->hash_b64 = strtok_r(NULL, ".", &save);
    p->extra = strtok_r(NULL, ".", &save);
    return p->sid && p->hash_b64 && p->extra && strlen(p->sid) == MID_SESSION_ID_CHARS &&
           pc_b64url_decode(p->hash_b64, strlen(p->hash_b64), p->hash, sizeof p->hash) == 32;
}

static const char *next_of(struct http_req *r)
{
    const char *n = http_kv_get(&r->form, "next");
    return web_safe_next(n ? n : http_kv_get(&r->query, "next"));
}

/* ---- the form ------------------------------------------------------------ */

static void mobile_form(struct http_req *r, const char *phone, const char *fin, const struct web_field_error *errors,
                        int n)
{
    web_form_title(r, web_t(r, M_MID_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/login/mobile\" novalidate>\n",
             web_t(r, M_MID_TITLE), web_t(r, M_MID_LEAD));
    web_csrf_field(r);
    web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", next_of(r));
    struct web_field f_phone = {"phone", web_t(r, M_MID_FIELD_PHONE), web_t(r, M_MID_FIELD_PHONE_HINT), phone, "tel",
                                "tel", 24};
    struct web_field f_fin = {"fin", web_t(r, M_MID_FIELD_FIN), web_t(r, M_LOGIN_FIELD_LOGIN_HINT), fin, "text", "off",
                              7};
    web_text_field(r, &f_phone, errors, n);
    web_text_field(r, &f_fin, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n<ul class=\"links\">\n<li><a href=\"/login\">%s</a></li>\n"
                "</ul>\n",
             web_t(r, M_MID_BUTTON), web_t(r, M_MID_OTHER_WAYS));
    web_page_end(r);
}

int web_page_login_mobile(struct http_req *r)
{
    mobile_form(r, NULL, NULL, NULL, 0);
    return 0;
}

/* The links and the QR button the code-password page offers. */
void web_login_phone_ways(struct http_req *r)
{
    web_html(r, "<h2>%s</h2>\n<ul class=\"links\">\n<li><a href=\"/login/mobile\">%s</a></li>\n</ul>\n"
                "<form method=\"post\" action=\"/login/qr\">\n",
             web_t(r, M_MID_OTHER_WAYS), web_t(r, M_MID_TITLE));
    web_csrf_field(r);
    const char *next = http_kv_get(&r->query, "next");
    if (next)
        web_html(r, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n", web_safe_next(next));
    web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n", web_t(r, M_QR_TITLE));
}

/* ---- starting a session ---------------------------------------------------- */

static int not_configured(struct http_req *r)
{
    struct pc_err err = {0};
    return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no mobile-signature service (--mid-url)"), &err);
}

/* A fresh challenge, the session started for it, the cookie, and the
 * redirect to the waiting page. */
static int start(struct http_req *r, enum mid_kind kind, const char *phone, const char *fin)
{
    struct mid_client *mc = app_of(r)->mid;
    if (!mc)
        return not_configured(r);
    unsigned char rnd[32];
    struct mid_start st = {.rp_name = web_t(r, M_MID_RP_NAME), .phone = phone, .fin = fin,
                           .hash_type = MID_SHA256, .hash_len = 32, .lang = web_lang_id(r),
                           .display_text = web_t(r, M_MID_DISPLAY), .client_ip = r->remote_addr};
    pc_random_bytes(rnd, sizeof rnd);
    EVP_Digest(rnd, sizeof rnd, st.hash, NULL, EVP_sha256(), NULL);
    const char *sid, *code;
    struct pc_err err = {0};
    int rc = mid_client_start(mc, &r->arena, kind, &st, &sid, &code, &err);
    if (rc)
        return web_fail(r, rc, &err);
    char hash[48];
    pc_b64url_encode(st.hash, 32, hash);
    set_cookie(r, pc_arena_printf(&r->arena, "%c.%s.%s.%s", kind == MID_KIND_QR ? 'q' : 'm', sid, hash,
                                  kind == MID_KIND_QR ? code : fin));
    return http_redirect(r, 303, pc_arena_printf(&r->arena, WAIT_PATH "?next=%s", next_of(r)));
}

int web_page_login_mobile_post(struct http_req *r)
{
    const char *phone = http_kv_get(&r->form, "phone"), *fin_typed = http_kv_get(&r->form, "fin");
    char norm[MID_PHONE_MAX + 1];
    char fin[8] = "";
    struct web_field_error errors[2];
    int n = 0;
    if (!mid_phone_normalize(phone, norm))
        errors[n++] = (struct web_field_error){"phone", web_t(r, M_MID_ERR_PHONE)};
    size_t fl = fin_typed ? strlen(fin_typed) : 0;
    for (size_t i = 0; fl == 7 && i < 7; i++) {
        char c = fin_typed[i];
        fin[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
        if (!((fin[i] >= '0' && fin[i] <= '9') || (fin[i] >= 'A' && fin[i] <= 'Z')))
            fl = 0;
    }
    if (fl != 7)
        errors[n++] = (struct web_field_error){"fin", web_t(r, M_MID_ERR_FIN)};
    if (n) {
        r->status = 400;
        mobile_form(r, phone, fin_typed, errors, n);
        return 0;
    }
    return start(r, MID_KIND_AUTH, norm, fin);
}

int web_page_login_qr_post(struct http_req *r)
{
    return start(r, MID_KIND_QR, NULL, NULL);
}

/* ---- waiting, and the end ----------------------------------------------------- */

static int ended(struct http_req *r, enum msg why, int status)
{
    set_cookie(r, NULL);
    r->status = status;
    web_page_begin(r, web_t(r, M_MID_FAILED_TITLE));
    web_html(r, "<h1>%s</h1>\n<div class=\"notice\" role=\"alert\"><p>%s</p></div>\n<ul class=\"links\">\n"
                "<li><a href=\"/login/mobile\">%s</a></li>\n<li><a href=\"/login\">%s</a></li>\n</ul>\n",
             web_t(r, M_MID_FAILED_TITLE), web_t(r, why), web_t(r, M_MID_TITLE), web_t(r, M_MID_OTHER_WAYS));
    web_page_end(r);
    return 0;
}

static enum msg result_text(enum mid_result res)
{
    switch (res) {
    case MID_TIMEOUT: return M_MID_R_TIMEOUT;
    case MID_NOT_MID_CLIENT: return M_MID_R_NOT_CLIENT;
    case MID_USER_CANCELLED: return M_MID_R_CANCELLED;
    case MID_PHONE_ABSENT: return M_MID_R_ABSENT;
    case MID_SIM_ERROR: return M_MID_R_SIM;
    default: return M_MID_R_FAILED; /* a mismatch, a delivery error: nothing the person can mend */
    }
}

static void waiting(struct http_req *r, const struct pending *p)
{
    http_set_header(r, "Refresh", REFRESH_SECS); /* continues by itself; the button without it */
    web_page_begin(r, web_t(r, p->kind == 'q' ? M_QR_TITLE : M_MID_WAIT_TITLE));
    if (p->kind == 'q') {
        char text[MID_QR_CODE_CHARS + 8];
        mid_qr_text(p->extra, text);
        const char *img = web_qr_data_uri(r, text);
        web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_QR_TITLE), web_t(r, M_QR_LEAD));
        if (img)
            web_html(r, "<p><img class=\"qr\" src=\"%s\" alt=\"%s\"></p>\n", img, web_t(r, M_QR_IMAGE_ALT));
        web_html(r, "<p>%s</p>\n<p class=\"code\" id=\"qr-code\">%s-%s-%s-%s</p>\n", web_t(r, M_QR_TEXT),
                 pc_arena_strndup(&r->arena, p->extra, 4), pc_arena_strndup(&r->arena, p->extra + 4, 4),
                 pc_arena_strndup(&r->arena, p->extra + 8, 4), p->extra + 12);
    } else {
        char vc[5];
        mid_verification_code(p->hash, sizeof p->hash, vc);
        web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<p class=\"code\" id=\"verification-code\">%s</p>\n"
                    "<p>%s</p>\n",
                 web_t(r, M_MID_WAIT_TITLE), web_t(r, M_MID_WAIT_CODE), vc, web_t(r, M_MID_WAIT_PIN));
    }
    web_html(r, "<form method=\"get\" action=\"" WAIT_PATH "\">\n<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
                "<p>%s</p>\n<button type=\"submit\">%s</button>\n</form>\n",
             next_of(r), web_t(r, M_MID_WAIT_AUTO), web_t(r, M_MID_CONTINUE));
    web_page_end(r);
}

int web_page_login_mobile_wait(struct http_req *r)
{
    struct pending p;
    if (!read_pending(r, &p))
        return ended(r, M_MID_R_EXPIRED, 400);
    struct mid_client *mc = app_of(r)->mid;
    if (!mc)
        return not_configured(r);
    struct pc_err err = {0};
    struct mid_status st;
    int rc = mid_client_status(mc, &r->arena, p.sid, 0, &st, &err);
    if (rc == PC_ENOTFOUND)
        return ended(r, M_MID_R_EXPIRED, 400);
    if (rc)
        return web_fail(r, rc, &err);
    if (!st.complete) {
        waiting(r, &p);
        return 0;
    }
    if (st.result != MID_OK)
        return ended(r, result_text(st.result), 401);
    struct mid_identity who;
    if ((rc = mid_client_verify(mc, &r->arena, &st, p.hash, sizeof p.hash, p.kind == 'm' ? p.extra : NULL, &who,
                                &err))) {
        pc_log(PC_LOG_WARN, "mobile.login_refused", "msg", err.msg, "ip", r->remote_addr, NULL);
        return ended(r, M_MID_R_FAILED, 401);
    }
    struct id_login_request req = {.login = who.fin, .ip = r->remote_addr, .user_agent = http_header(r, "User-Agent")};
    char token[ID_TOKEN_CHARS + 1];
    int64_t retry;
    rc = id_login(app_of(r)->db, &r->arena, p.kind == 'q' ? &id_login_qr : &id_login_mobile, &req, "cookie", token,
                  &retry, &err);
    set_cookie(r, NULL); /* the session at the service is spent either way */
    if (rc == 0) {
        web_set_session_cookie(r, token);
        return http_redirect(r, 303, next_of(r));
    }
    if (rc == PC_EMORE) {
        web_login_second_factor(r, token, next_of(r));
        return 0;
    }
    if (rc == PC_EDENIED || rc == PC_ELIMIT)
        return ended(r, M_MID_R_NO_ACCOUNT, rc == PC_EDENIED ? 403 : 429);
    return web_fail(r, rc, &err);
}
