/* api_sign.c — signing a draft through the JSON API (issue 10): an API
 * client with a citizen's bearer token gets the application's canonical
 * bytes with their SHA-256 and a challenge naming that version of the
 * draft (GET …/signing), signs the bytes with the certificate's own key
 * (SHA-256, ECDSA or RSA PKCS#1 v1.5: `pencere login-sign --application`
 * does it) and posts the certificate and the signature (POST
 * …/signature).  The signature is wrapped as the detached CMS the pages
 * take (pki_cms_wrap) and judged by the same function, case_sign, so the
 * draft records it exactly as the web flow does and the bundle verifies
 * with `pencere verify`.  Every refusal is a problem+json. */
#include "internal.h"
#include "../pki/pki.h"

#include <string.h>

#define CERT_FIELD_MAX 16384
#define SIG_MAX 1024                 /* a raw signature: RSA-4096 is 512 bytes */

static void release_json(void *j)
{
    json_decref(j);
}

/* The caller's own draft of the URL, for a form that asks for a
 * signature, with its bytes and challenge; else the answer is written. */
struct signing {
    struct case_app app;
    const struct form_def *def;
    const char *text, *sha256, *challenge;
    size_t len;
};

static int load_signing(struct http_req *r, struct signing *s)
{
    const struct id_principal *who = web_who(r);
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), &s->app, &err);
    if (rc == PC_ENOTFOUND || (rc == 0 && !pc_str_eq(s->app.applicant, who->account_id)))
        return http_problem(r, 404, "not-found", "No such application", NULL), 1;
    if (rc)
        return web_fail(r, rc, &err), 1;
    if (s->app.status != CS_DRAFT)
        return http_problem(r, 409, "already-submitted", "The application was sent already",
                            "Only a draft is signed."), 1;
    s->def = form_set_version(web_forms(r), s->app.service_id, s->app.form_version);
    if (!s->def || s->def->signature == FORM_SIGN_NONE)
        return http_problem(r, 409, "signature-not-needed", "This service does not take a signature",
                            "Send the application without one."), 1;
    if (!app_of(r)->checker)
        return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no certification centre is configured for signatures"),
                        &err), 1;
    s->text = case_canonical(&r->arena, &s->app, &s->len);
    char *hex = pc_arena_alloc(&r->arena, 65);
    pc_sha256_hex(s->text, s->len, hex);
    s->sha256 = hex;
    /* the version of the draft signed: a page saved since makes it stale */
    s->challenge = pc_arena_printf(&r->arena, "%lld:%s", (long long)s->app.version, hex);
    return 0;
}

int web_api_application_signing(struct http_req *r)
{
    struct signing s;
    if (load_signing(r, &s))
        return 0;
    struct pc_err err = {0};
    int rc = case_signed_now(app_of(r)->db, &r->arena, &s.app, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    char *doc = pc_arena_alloc(&r->arena, 4 * s.len / 3 + 4);
    doc[pc_b64url_encode(s.text, s.len, doc)] = 0;
    json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "application", s.app.id, "service",
                          s.app.service_id, "signature", s.def->signature == FORM_SIGN_REQUIRED ? "required" : "optional",
                          "signed", rc == 0, "document", doc, "sha256", s.sha256, "challenge", s.challenge,
                          "algorithm", "SHA-256 with the certificate's key over the document's bytes");
    return web_reply_json(r, 200, j);
}

/* A certificate as PEM, or as base64 DER made PEM; NULL if neither. */
static const char *cert_pem_of(struct http_req *r, const char *field)
{
    if (!field || strlen(field) > CERT_FIELD_MAX)
        return NULL;
    if (strstr(field, "-----BEGIN CERTIFICATE-----"))
        return field;
    size_t n;
    const unsigned char *der = web_b64_decode(r, field, CERT_FIELD_MAX, &n);
    if (!der)
        return NULL;
    char *b64 = pc_arena_alloc(&r->arena, 4 * n / 3 + 8);
    size_t k = pc_b64url_encode(der, n, b64);
    struct pc_buf pem;
    pc_buf_init(&pem, CERT_FIELD_MAX * 2);
    pc_buf_puts(&pem, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < k; i += 64) {
        for (size_t j = i; j < k && j < i + 64; j++) { /* PEM's alphabet is the standard one */
            char ch = b64[j] == '-' ? '+' : b64[j] == '_' ? '/' : b64[j];
            pc_buf_append(&pem, &ch, 1);
        }
        if (i + 64 >= k)
            pc_buf_puts(&pem, k % 4 == 2 ? "==" : k % 4 == 3 ? "=" : "");
        pc_buf_puts(&pem, "\n");
    }
    pc_buf_puts(&pem, "-----END CERTIFICATE-----\n");
    const char *out = pc_arena_strndup(&r->arena, (const char *)pem.data, pem.len);
    pc_buf_release(&pem);
    return out;
}

int web_api_application_signature(struct http_req *r)
{
    struct signing s;
    if (load_signing(r, &s))
        return 0;
    json_error_t je;
    json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (body)
        pc_arena_defer(&r->arena, release_json, body);
    const char *challenge = json_string_value(json_object_get(body, "challenge"));
    const char *pem = cert_pem_of(r, json_string_value(json_object_get(body, "certificate")));
    size_t sig_len;
    const unsigned char *sig = web_b64_decode(r, json_string_value(json_object_get(body, "signature")), 2 * SIG_MAX,
                                              &sig_len);
    if (!json_is_object(body) || !challenge || !pem || !sig)
        return http_problem(r, 400, "bad-body", "Invalid request body",
                            "Send {\"challenge\", \"certificate\" (PEM or base64 DER), \"signature\" (base64)}.");
    if (!pc_str_eq(challenge, s.challenge))
        return http_problem(r, 409, "document-changed", "The draft has changed since its document was fetched",
                            "Fetch …/signing again and sign its document.");
    struct pc_err err = {0};
    int rc = case_signed_now(app_of(r)->db, &r->arena, &s.app, &err);
    if (rc == 0)
        return http_problem(r, 409, "already-signed", "The application is signed already", NULL);
    if (rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    const unsigned char *der;
    size_t der_len;
    if ((rc = pki_cms_wrap(&r->arena, pem, sig, sig_len, &der, &der_len, &err)))
        return rc == PC_EINVAL ? http_problem(r, 400, "bad-certificate", "The certificate cannot be read", err.msg)
                               : web_fail(r, rc, &err);
    struct pki_trust trust;
    pki_checker_trust(app_of(r)->checker, &trust);
    struct case_signature out;
    enum case_sign_problem problem;
    rc = case_sign(app_of(r)->db, &trust, web_who(r), s.app.id, der, der_len, r->remote_addr, &r->arena, &out,
                   &problem, &err);
    if (rc == PC_EINVAL) {
        json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "https://pencere.az/problems/signature-refused",
                              "title", "The signature is refused", "status", 422, "detail", err.msg, "instance",
                              r->path, "reason", case_sign_problem_name(problem));
        web_reply_json(r, 422, p);
        r->content_type = "application/problem+json";
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = json_pack("{s:s, s:b, s:s, s:{s:s, s:s, s:s}}", "application", s.app.id, "signed", 1, "sha256",
                          out.digest, "signer", "name", out.signer_name, "fin", out.signer_fin ? out.signer_fin : "",
                          "serial", out.signer_serial);
    return web_reply_json(r, 201, j);
}
