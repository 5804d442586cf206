/* signing.c — signed applications as people see them: on the check page
 * of a form that asks for a signature, the application's canonical bytes
 * to download, the command that signs them (`pencere sign`) and the
 * signature pasted back (or the mobile signature: sign_mobile.c); the
 * signature's facts on the applicant's and the
 * officer's pages; the signed bundle (application.json and its .p7s,
 * which `pencere verify` accepts).  Cases decide (case_sign). */
#include "internal.h"
#include "../pki/pki.h"

#include <string.h>

#define SIG_FIELD_MAX (4 * PKI_SIG_MAX / 3 + 8)

static const enum msg problem_msgs[CASE_SIGN_PROBLEM_COUNT] = {
    [CASE_SIGN_OK] = M_SIGNP_BAD,
    [CASE_SIGN_BAD] = M_SIGNP_BAD,
    [CASE_SIGN_UNTRUSTED] = M_SIGNP_UNTRUSTED,
    [CASE_SIGN_REVOKED] = M_SIGNP_REVOKED,
    [CASE_SIGN_STATUS_UNKNOWN] = M_CERTP_UNAVAILABLE,
    [CASE_SIGN_NOT_APPLICANT] = M_SIGNP_NOT_APPLICANT,
    [CASE_SIGN_WRONG_PROFILE] = M_SIGNP_WRONG_PROFILE,
};

/* The refusal named by ?sign= after a failed post, or NULL. */
static const char *refusal(struct http_req *r)
{
    const char *name = http_kv_get(&r->query, "sign");
    for (int p = CASE_SIGN_BAD; name && p < CASE_SIGN_PROBLEM_COUNT; p++)
        if (pc_str_eq(name, case_sign_problem_name((enum case_sign_problem)p)))
            return web_t(r, problem_msgs[p]);
    return pc_str_eq(name, "needed") ? web_t(r, M_SIGN_NEEDED) : web_sign_mobile_refusal(r, name);
}

void web_sign_section(struct http_req *r, const struct form_def *def, const struct case_app *app)
{
    if (def->signature == FORM_SIGN_NONE)
        return;
    web_html(r, "<h2 id=\"sign\">%s</h2>\n<p>%s</p>\n", web_t(r, M_SIGN_TITLE),
             web_t(r, def->signature == FORM_SIGN_REQUIRED ? M_SIGN_LEAD_REQUIRED : M_SIGN_LEAD_OPTIONAL));
    if (!app_of(r)->checker) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_SIGN_OFF));
        return;
    }
    struct case_signature s;
    struct pc_err err = {0};
    if (case_signed_now(app_of(r)->db, &r->arena, app, &err) == 0 &&
        case_signature_get(app_of(r)->db, &r->arena, app->id, &s, &err) == 0) {
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_SIGN_DONE), s.signer_name, s.signer_serial));
        return;
    }
    const char *error = refusal(r);
    if (error)
        web_html(r, "<div class=\"error-summary\" role=\"alert\"><p>%s</p></div>\n", error);
    web_html(r, "<p>%s</p>\n<p><a href=\"/applications/%q/to-sign\" download=\"application.json\">%s</a></p>\n"
                "<pre class=\"command\"><code>pencere sign --key my-sign.key --cert my-sign.pem application.json\n"
                "base64 -w0 application.json.p7s</code></pre>\n",
             web_t(r, M_SIGN_STEPS), app->id, web_t(r, M_SIGN_DOWNLOAD));
    web_html(r, "<form method=\"post\" action=\"/applications/%q/sign\">\n", app->id);
    web_csrf_field(r);
    web_html(r, "<div class=\"field\">\n<label for=\"signature\">%s</label>\n<textarea class=\"input textarea\" "
                "id=\"signature\" name=\"signature\" rows=\"4\" spellcheck=\"false\"></textarea>\n</div>\n"
                "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
             web_t(r, M_SIGN_FIELD), web_t(r, M_SIGN_BUTTON));
    web_sign_mobile_section(r, app);
}

static const char *check_url(struct http_req *r, const struct case_app *app, const char *result)
{
    return pc_arena_printf(&r->arena, "/applications/%s/check?sign=%s#sign", app->id, result);
}

const unsigned char *web_b64_decode(struct http_req *r, const char *text, size_t max, size_t *len)
{
    size_t n = text ? strlen(text) : 0;
    if (n > max)
        return NULL;
    /* base64 as `base64` prints it (standard, padded, maybe wrapped), or URL-safe */
    char *flat = pc_arena_alloc(&r->arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ' && text[i] != '=')
            flat[k++] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];
    flat[k] = 0;
    unsigned char *out = pc_arena_alloc(&r->arena, k + 1);
    long got = k ? pc_b64url_decode(flat, k, out, k + 1) : -1;
    if (got <= 0)
        return NULL;
    *len = (size_t)got;
    return out;
}

int web_sign_post(struct http_req *r, const struct case_app *app)
{
    if (!app_of(r)->checker)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    size_t len;
    const unsigned char *der = web_b64_decode(r, http_kv_get(&r->form, "signature"), SIG_FIELD_MAX, &len);
    if (!der)
        return http_redirect(r, 303, check_url(r, app, case_sign_problem_name(CASE_SIGN_BAD)));
    return web_sign_store(r, app, der, len);
}

int web_sign_store(struct http_req *r, const struct case_app *app, const unsigned char *der, size_t len)
{
    struct pki_trust trust;
    pki_checker_trust(app_of(r)->checker, &trust);
    struct case_signature s;
    enum case_sign_problem problem;
    struct pc_err err = {0};
    int rc = case_sign(app_of(r)->db, &trust, web_who(r), app->id, der, len, r->remote_addr, &r->arena, &s,
                       &problem, &err);
    if (rc == PC_EINVAL)
        return http_redirect(r, 303, check_url(r, app, case_sign_problem_name(problem)));
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, check_url(r, app, "ok"));
}

/* Bytes to download under a file name (never shown inline). */
static int attachment(struct http_req *r, const char *name, const char *type, const void *p, size_t n)
{
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, p, n);
    r->status = 200;
    r->content_type = type;
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"%s\"", name));
    return 0;
}

int web_serve_to_sign(struct http_req *r, const struct case_app *app)
{
    size_t len;
    const char *text = case_canonical(&r->arena, app, &len);
    return attachment(r, "application.json", "application/json", text, len);
}

int web_serve_signed(struct http_req *r, const struct case_app *app, const char *name)
{
    struct case_signature s;
    struct pc_err err = {0};
    int rc = case_signature_get(app_of(r)->db, &r->arena, app->id, &s, &err);
    bool p7s = pc_str_eq(name, "application.json.p7s");
    if (rc == PC_ENOTFOUND || !(p7s || pc_str_eq(name, "application.json")))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    if (!p7s)
        return attachment(r, name, "application/json", s.signed_text, s.signed_len);
    const unsigned char *der;
    size_t len;
    if (case_signature_der(&r->arena, &s, &der, &len))
        return web_fail(r, pc_err_set(&err, PC_EIO, "the stored signature of %s cannot be decoded", app->id), &err);
    return attachment(r, name, "application/pkcs7-signature", der, len);
}

void web_signature_facts(struct http_req *r, const struct case_app *app, const char *base)
{
    struct case_signature s;
    struct pc_err err = {0};
    if (case_signature_get(app_of(r)->db, &r->arena, app->id, &s, &err))
        return;
    char at[21], verified[21];
    pc_rfc3339(s.signing_time ? s.signing_time : s.verified_at, at);
    pc_rfc3339(s.verified_at, verified);
    web_html(r, "<h2>%s</h2>\n<dl class=\"login-facts\">\n<dt>%s</dt><dd>%s (%s)</dd>\n"
                "<dt>%s</dt><dd><code class=\"key\">%s</code></dd>\n<dt>%s</dt><dd><time datetime=\"%s\">%s</time></dd>\n"
                "<dt>%s</dt><dd><time datetime=\"%s\">%s</time></dd>\n</dl>\n",
             web_t(r, M_SIG_SECTION), web_t(r, M_SIG_SIGNER), s.signer_name, s.signer_fin, web_t(r, M_SIG_CERT),
             s.signer_serial, web_t(r, M_SIG_TIME), at, pc_arena_printf(&r->arena, "%.10s %.5s", at, at + 11),
             web_t(r, M_SIG_VERIFIED), verified, pc_arena_printf(&r->arena, "%.10s %.5s", verified, verified + 11));
    web_html(r, "<p>%s: <a href=\"%s/signed/application.json\">application.json</a>, "
                "<a href=\"%s/signed/application.json.p7s\">application.json.p7s</a></p>\n",
             web_t(r, M_SIG_BUNDLE), base, base);
}
