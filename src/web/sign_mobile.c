/* sign_mobile.c — signing an application with the mobile signature
 * (issue 10 item 5), the second way beside the pasted signature on the
 * check page.  The number is the one on record or typed, the FİN the
 * session's.  The portal fetches that number's signing certificate,
 * builds the detached CMS the application's bytes will carry
 * (pki_cms_external), asks the phone to sign its digest (PIN2), and shows
 * the verification code on a waiting page that reloads itself (Refresh
 * header and a Continue button, no script), as the mobile login does.  On
 * OK the CMS is completed with the phone's signature and stored by
 * case_sign exactly as a pasted one; every refusal returns to the check
 * page, named in ?sign=.
 *
 *   POST /applications/{id}/sign/mobile   start
 *   GET  /applications/{id}/sign/mobile   wait, and the end
 *
 * Between the two the browser holds the session id, the signing time and
 * the digest in a cookie (pc_mids, HttpOnly, five minutes, this path).
 * Nothing in it is believed: case_sign verifies the finished CMS over the
 * application's bytes as they are then, its chain, status and signer. */
#include "internal.h"
#include "../mobile/mobile.h"
#include "../pki/pki.h"

#include <stdlib.h>
#include <string.h>

#define SIGNM_COOKIE "pc_mids"

/* The refusals this way adds to the check page's (?sign=NAME). */
static const struct {
    const char *name;
    enum msg text;
} refusals[] = {
    {"mobile-phone", M_MID_ERR_PHONE},       {"mobile-no-fin", M_SIGNM_NO_FIN},
    {"mobile-expired", M_SIGNM_EXPIRED},     {"mobile-failed", M_MID_R_FAILED},
    {"mobile-timeout", M_MID_R_TIMEOUT},     {"mobile-not-client", M_MID_R_NOT_CLIENT},
    {"mobile-cancelled", M_MID_R_CANCELLED}, {"mobile-mismatch", M_SIGNM_MISMATCH},
    {"mobile-absent", M_MID_R_ABSENT},       {"mobile-sim", M_MID_R_SIM},
};

/* How the service's results are named there (OK is not a refusal). */
static const char *const result_names[MID_RESULT_COUNT] = {
    [MID_OK] = "mobile-failed",
    [MID_TIMEOUT] = "mobile-timeout",
    [MID_NOT_MID_CLIENT] = "mobile-not-client",
    [MID_USER_CANCELLED] = "mobile-cancelled",
    [MID_SIGNATURE_HASH_MISMATCH] = "mobile-mismatch",
    [MID_PHONE_ABSENT] = "mobile-absent",
    [MID_DELIVERY_ERROR] = "mobile-failed",
    [MID_SIM_ERROR] = "mobile-sim",
};

const char *web_sign_mobile_refusal(struct http_req *r, const char *name)
{
    for (size_t i = 0; name && i < sizeof refusals / sizeof refusals[0]; i++)
        if (pc_str_eq(name, refusals[i].name))
            return web_t(r, refusals[i].text);
    return NULL;
}

void web_sign_mobile_section(struct http_req *r, const struct case_app *app)
{
    if (!app_of(r)->mid)
        return;
    const struct id_principal *who = web_who(r);
    struct id_person p = {0};
    struct pc_err err = {0};
    if (who->fin)
        id_person_get(app_of(r)->db, &r->arena, who->fin, &p, &err); /* no record: the field starts empty */
    web_html(r, "<h3>%s</h3>\n<p>%s</p>\n<form method=\"post\" action=\"/applications/%q/sign/mobile\">\n",
             web_t(r, M_SIGNM_TITLE), web_t(r, M_SIGNM_LEAD), app->id);
    web_csrf_field(r);
    struct web_field f = {"mid-phone", web_t(r, M_MID_FIELD_PHONE), web_t(r, M_SIGNM_PHONE_HINT), p.phone, "tel",
                          "tel", 24};
    web_text_field(r, &f, NULL, 0);
    web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n", web_t(r, M_SIGNM_BUTTON));
}

static void set_cookie(struct http_req *r, const struct case_app *app, const char *value)
{
    http_set_header(r, "Set-Cookie",
                    pc_arena_printf(&r->arena,
                                    SIGNM_COOKIE "=%s; Path=/applications/%s/sign/mobile; HttpOnly; SameSite=Lax; "
                                                 "Max-Age=%d%s",
                                    value ? value : "", app->id, value ? 300 : 0,
                                    app_of(r)->secure_cookies ? "; Secure" : ""));
}

/* Back to the check page, with a refusal's name or "ok". */
static int back(struct http_req *r, const struct case_app *app, const char *name)
{
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/check?sign=%s#sign", app->id, name));
}

static int not_here(struct http_req *r)
{
    return http_error(r, 404, "not-found", "Page not found", NULL);
}

int web_sign_mobile_post(struct http_req *r, const struct case_app *app)
{
    struct mid_client *mc = app_of(r)->mid;
    if (!mc || !app_of(r)->checker)
        return not_here(r);
    const char *fin = web_who(r)->fin;
    char phone[MID_PHONE_MAX + 1];
    if (!fin)
        return back(r, app, "mobile-no-fin");
    if (!mid_phone_normalize(http_kv_get(&r->form, "mid-phone"), phone))
        return back(r, app, "mobile-phone");
    struct mid_start st = {.rp_name = web_t(r, M_MID_RP_NAME), .phone = phone, .fin = fin, .hash_type = MID_SHA256,
                           .hash_len = 32, .lang = web_lang_id(r), .display_text = web_t(r, M_SIGNM_DISPLAY)};
    struct pc_err err = {0};
    const char *cert;
    int rc = mid_client_certificate(mc, &r->arena, &st, &cert, &err);
    if (rc == PC_ENOTFOUND)
        return back(r, app, "mobile-not-client");
    if (rc)
        return web_fail(r, rc, &err);
    size_t len;
    const char *text = case_canonical(&r->arena, app, &len);
    int64_t now = pc_now_unix();
    if ((rc = pki_cms_external(&r->arena, cert, text, len, now, NULL, 0, st.hash, NULL, NULL, &err)))
        return web_fail(r, rc, &err);
    const char *sid, *qr;
    if ((rc = mid_client_start(mc, &r->arena, MID_KIND_SIGN, &st, &sid, &qr, &err)))
        return web_fail(r, rc, &err);
    char hash[48];
    pc_b64url_encode(st.hash, 32, hash);
    set_cookie(r, app, pc_arena_printf(&r->arena, "%s.%lld.%s", sid, (long long)now, hash));
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s/sign/mobile", app->id));
}

struct pending {
    const char *sid;
    int64_t signing_time;
    unsigned char hash[32];
};

static bool read_pending(struct http_req *r, struct pending *p)
{
    const char *v = http_kv_get(&r->cookies, SIGNM_COOKIE);
    if (!v || strlen(v) > 120)
        return false;
    char *s = pc_arena_strdup(&r->arena, v), *save, *end;
    p->sid = strtok_r(s, ".", &save);
    const char *t = strtok_r(NULL, ".", &save), *h = strtok_r(NULL, ".", &save);
    if (!p->sid || !t || !h || strlen(p->sid) != MID_SESSION_ID_CHARS)
        return false;
    p->signing_time = strtoll(t, &end, 10);
    return !*end && p->signing_time > 0 && pc_b64url_decode(h, strlen(h), p->hash, sizeof p->hash) == 32;
}

static void waiting(struct http_req *r, const struct case_app *app, const struct pending *p)
{
    http_set_header(r, "Refresh", "2"); /* continues by itself; the button without it */
    char vc[5];
    mid_verification_code(p->hash, sizeof p->hash, vc);
    web_page_begin(r, web_t(r, M_SIGNM_WAIT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<p class=\"code\" id=\"verification-code\">%s</p>\n<p>%s</p>\n",
             web_t(r, M_SIGNM_WAIT_TITLE), web_t(r, M_MID_WAIT_CODE), vc, web_t(r, M_SIGNM_WAIT_PIN));
    web_html(r, "<form method=\"get\" action=\"/applications/%q/sign/mobile\">\n<p>%s</p>\n"
                "<button type=\"submit\">%s</button>\n</form>\n",
             app->id, web_t(r, M_MID_WAIT_AUTO), web_t(r, M_MID_CONTINUE));
    web_page_end(r);
}

int web_sign_mobile_wait(struct http_req *r, const struct case_app *app)
{
    struct mid_client *mc = app_of(r)->mid;
    if (!mc || !app_of(r)->checker)
        return not_here(r);
    struct pending p;
    if (!read_pending(r, &p))
        return back(r, app, "mobile-expired");
    struct pc_err err = {0};
    struct mid_status st;
    int rc = mid_client_status(mc, &r->arena, p.sid, 0, &st, &err);
    if (rc == PC_ENOTFOUND) {
        set_cookie(r, app, NULL);
        return back(r, app, "mobile-expired");
    }
    if (rc)
        return web_fail(r, rc, &err);
    if (!st.complete) {
        waiting(r, app, &p);
        return 0;
    }
    set_cookie(r, app, NULL); /* the session is spent either way */
    if (st.result != MID_OK || !st.cert_pem)
        return back(r, app, result_names[st.result]);
    size_t len;
    const char *text = case_canonical(&r->arena, app, &len);
    unsigned char digest[32];
    const unsigned char *der;
    size_t der_len;
    rc = pki_cms_external(&r->arena, st.cert_pem, text, len, p.signing_time, st.sig, st.sig_len, digest, &der,
                          &der_len, &err);
    if (rc == PC_EINVAL)
        return back(r, app, "mobile-failed");
    if (rc)
        return web_fail(r, rc, &err);
    return web_sign_store(r, app, der, der_len);
}
