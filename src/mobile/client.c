/* client.c — the relying party's side of the mobile signature (the
 * portal): requests to the service signed with the RA client's shared
 * secret (as the RA API's clients sign theirs), and the check of an OK
 * answer that takes nothing on trust: the signature is verified here over
 * our own hash with the certificate's key, the certificate must chain to
 * our root, be valid now, carry the mobile-authentication policy, and
 * name the person (serialNumber PNOAZ-FİN). */
#include "internal.h"
#include "../pki/pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mid_client {
    char *base_url;
    char id[64];
    char secret[65];
    X509_STORE *trust;
};

static int read_small(const char *path, char *buf, size_t cap, size_t *n, struct pc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pc_err_set(err, PC_EIO, "cannot read %s", path);
    *n = fread(buf, 1, cap - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    buf[*n] = 0;
    return more ? pc_err_set(err, PC_ETOOBIG, "%s is too large", path) : 0;
}

struct mid_client *mid_client_new(const char *base_url, const char *key_file, const char *trust_file,
                                  struct pc_err *err)
{
    struct mid_client *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    char key[256];
    size_t n;
    const char *base = strrchr(key_file, '/');
    base = base ? base + 1 : key_file;
    size_t idlen = strlen(base) > 4 && strcmp(base + strlen(base) - 4, ".key") == 0 ? strlen(base) - 4 : 0;
    int rc = idlen && idlen < sizeof c->id ? read_small(key_file, key, sizeof key, &n, err)
                                           : pc_err_set(err, PC_EINVAL, "the client key file must be NAME.key");
    if (!rc) {
        key[strcspn(key, "\r\n")] = 0;
        if (strlen(key) != 64)
            rc = pc_err_set(err, PC_EINVAL, "%s does not hold a client secret (64 hex digits)", key_file);
    }
    if (!rc) {
        memcpy(c->id, base, idlen);
        memcpy(c->secret, key, 65);
        c->trust = X509_STORE_new();
        if (!c->trust || X509_STORE_load_file(c->trust, trust_file) != 1)
            rc = pc_err_set(err, PC_EIO, "cannot load the trust anchors from %s", trust_file);
        ERR_clear_error();
    }
    OPENSSL_cleanse(key, sizeof key);
    c->base_url = strdup(base_url);
    if (!c->base_url)
        pc_oom(strlen(base_url));
    if (rc) {
        mid_client_free(c);
        return NULL;
    }
    return c;
}

void mid_client_free(struct mid_client *c)
{
    if (!c)
        return;
    X509_STORE_free(c->trust);
    OPENSSL_cleanse(c->secret, sizeof c->secret);
    free(c->base_url);
    free(c);
}

/* One signed request: for who (a registrar at the desk), or with no
 * person behind it (who NULL: the client system acts). */
static int call_as(struct mid_client *c, struct pc_arena *a, const struct pki_actor *who, const char *method,
                   const char *target, json_t *body, int wait_ms, json_t **out, struct pc_err *err)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (body && !text)
        pc_oom(0);
    const char *b = text ? pc_arena_strdup(a, text) : NULL;
    free(text);
    int64_t ts = pc_now_unix();
    char sig[48];
    const char *role = who ? (who->role == PKI_ACTOR_REGISTRAR ? "registrar" : who->role == PKI_ACTOR_OPERATOR
                                                                           ? "operator" : "holder") : NULL;
    if (pki_auth_sign(c->secret, method, target, ts, who, role, b, b ? strlen(b) : 0, sig))
        return pc_err_set(err, PC_EINVAL, "the client secret is not usable");
    const char *headers[6] = {
        pc_arena_printf(a, "Authorization: PC-HMAC-SHA256 client=%s, ts=%lld, sig=%s", c->id, (long long)ts, sig)};
    size_t n = 1;
    if (who && who->id) {
        headers[n++] = pc_arena_printf(a, "X-Pencere-Actor: %s", who->id);
        headers[n++] = pc_arena_printf(a, "X-Pencere-Actor-Role: %s", role);
        if (who->ip)
            headers[n++] = pc_arena_printf(a, "X-Pencere-Actor-Ip: %s", who->ip);
    }
    return mi_http_json(a, method, pc_arena_printf(a, "%s%s", c->base_url, target), headers, b, wait_ms, out, err);
}

static int call(struct mid_client *c, struct pc_arena *a, const char *method, const char *target, json_t *body,
                int wait_ms, json_t **out, struct pc_err *err)
{
    return call_as(c, a, NULL, method, target, body, wait_ms, out, err);
}

static json_t *start_body(struct pc_arena *a, enum mid_kind kind, const struct mid_start *req)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "relyingPartyName", req->rp_name, "hashType",
                          mid_hash_name(req->hash_type), "hash", mi_b64url(a, req->hash, req->hash_len), "language",
                          mid_lang_name(req->lang));
    if (kind != MID_KIND_QR) {
        json_object_set_new(j, "phoneNumber", json_string(req->phone));
        json_object_set_new(j, "nationalIdentityNumber", json_string(req->fin));
    }
    if (req->display_text)
        json_object_set_new(j, "displayText", json_string(req->display_text));
    if (kind == MID_KIND_QR && req->client_ip)
        json_object_set_new(j, "clientIp", json_string(req->client_ip));
    return j;
}

int mid_client_start(struct mid_client *c, struct pc_arena *a, enum mid_kind kind, const struct mid_start *req,
                     const char **session_id, const char **qr_code, struct pc_err *err)
{
    static const char *const paths[MID_KIND_COUNT] = {"/mid/v1/authentication", "/mid/v1/signature", "/mid/v1/qr"};
    json_t *j;
    int rc = call(c, a, "POST", paths[kind], start_body(a, kind, req), 0, &j, err);
    if (rc)
        return rc;
    *session_id = pc_arena_strdup(a, json_string_value(json_object_get(j, "sessionID")));
    *qr_code = pc_arena_strdup(a, json_string_value(json_object_get(j, "qrCode")));
    if (!*session_id || strlen(*session_id) != MID_SESSION_ID_CHARS || (kind == MID_KIND_QR && !*qr_code))
        return pc_err_set(err, PC_EIO, "the service's answer has no session");
    return 0;
}

int mid_client_status(struct mid_client *c, struct pc_arena *a, const char *session_id, int wait_ms,
                      struct mid_status *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    for (const char *p = session_id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return pc_err_set(err, PC_ENOTFOUND, "no such session");
    json_t *j;
    int rc = call(c, a, "GET", pc_arena_printf(a, "/mid/v1/session/%s?timeoutMs=%d", session_id, wait_ms), NULL,
                  wait_ms, &j, err);
    if (rc)
        return rc;
    const char *state = json_string_value(json_object_get(j, "state"));
    out->complete = pc_str_eq(state, "COMPLETE");
    if (!out->complete)
        return pc_str_eq(state, "RUNNING") ? 0 : pc_err_set(err, PC_EIO, "the service's answer has no state");
    int res = mid_result_parse(json_string_value(json_object_get(j, "result")));
    if (res < 0)
        return pc_err_set(err, PC_EIO, "the service's answer has an unknown result");
    out->result = (enum mid_result)res;
    json_t *sig = json_object_get(j, "signature");
    if (out->result == MID_OK && json_is_object(sig)) {
        unsigned char *buf = pc_arena_alloc(a, MID_SIG_MAX);
        if ((rc = mi_bytes(sig, "value", buf, MID_SIG_MAX, &out->sig_len, err)))
            return rc;
        out->sig = buf;
        out->cert_pem = pc_arena_strdup(a, json_string_value(json_object_get(j, "cert")));
    }
    return 0;
}

int mid_client_certificate(struct mid_client *c, struct pc_arena *a, const struct mid_start *req, const char **pem,
                           struct pc_err *err)
{
    json_t *j;
    int rc = call(c, a, "POST", "/mid/v1/certificate",
                  json_pack("{s:s, s:s, s:s}", "relyingPartyName", req->rp_name, "phoneNumber", req->phone,
                            "nationalIdentityNumber", req->fin), 0, &j, err);
    if (rc)
        return rc;
    const char *result = json_string_value(json_object_get(j, "result"));
    *pem = pc_arena_strdup(a, json_string_value(json_object_get(j, "cert")));
    if (pc_str_eq(result, "NOT_FOUND"))
        return pc_err_set(err, PC_ENOTFOUND, "no active mobile signature for this number and FİN");
    return pc_str_eq(result, "OK") && *pem ? 0 : pc_err_set(err, PC_EIO, "the service's answer has no certificate");
}

/* Does x carry the policy of profile? */
static bool has_policy(X509 *x, const char *profile)
{
    const struct pki_profile *p = pki_profile_find(profile);
    CERTIFICATEPOLICIES *pol = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
    bool found = false;
    for (int i = 0; p && pol && i < sk_POLICYINFO_num(pol) && !found; i++) {
        char oid[128];
        OBJ_obj2txt(oid, sizeof oid, sk_POLICYINFO_value(pol, i)->policyid, 1);
        found = strcmp(oid, p->policy) == 0;
    }
    CERTIFICATEPOLICIES_free(pol);
    return found;
}

static char *name_entry(struct pc_arena *a, X509 *x, int nid)
{
    X509_NAME *n = X509_get_subject_name(x);
    int i = X509_NAME_get_index_by_NID(n, nid, -1);
    unsigned char *u = NULL;
    int len = i < 0 ? -1 : ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
    char *s = len >= 0 && !memchr(u, 0, (size_t)len) ? pc_arena_strndup(a, (const char *)u, (size_t)len) : NULL;
    OPENSSL_free(u);
    return s;
}

int mid_client_verify(struct mid_client *c, struct pc_arena *a, const struct mid_status *st,
                      const unsigned char *hash, size_t hash_len, const char *fin, struct mid_identity *out,
                      struct pc_err *err)
{
    if (!st->complete || st->result != MID_OK || !st->sig || !st->cert_pem)
        return pc_err_set(err, PC_EDENIED, "the session did not end with a signature");
    X509 *x = mi_cert_from_pem(st->cert_pem);
    if (!x)
        return pc_err_set(err, PC_EDENIED, "the certificate could not be read");
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int rc = 0;
    if (!ctx || X509_STORE_CTX_init(ctx, c->trust, x, NULL) != 1 || X509_verify_cert(ctx) != 1)
        rc = pc_err_set(err, PC_EDENIED, "the certificate does not chain to our root: %s",
                        ctx ? X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)) : "no memory");
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    if (!rc && !has_policy(x, "mobile-auth"))
        rc = pc_err_set(err, PC_EDENIED, "not a mobile-signature authentication certificate");
    if (!rc && mi_verify_digest(X509_get0_pubkey(x), hash, hash_len, st->sig, st->sig_len, err))
        rc = pc_err_set(err, PC_EDENIED, "the signature is not over our hash");
    const char *sn = rc ? NULL : name_entry(a, x, NID_serialNumber);
    if (!rc && (!sn || !pc_str_has_prefix(sn, "PNOAZ-") || strlen(sn) != 13))
        rc = pc_err_set(err, PC_EDENIED, "the certificate names no FİN");
    if (!rc && fin && strcmp(sn + 6, fin) != 0)
        rc = pc_err_set(err, PC_EDENIED, "the certificate names another person");
    if (!rc) {
        ASN1_INTEGER *serial = X509_get_serialNumber(x);
        BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        *out = (struct mid_identity){.fin = sn + 6, .name = name_entry(a, x, NID_commonName),
                                     .serial = hex ? pc_arena_strdup(a, hex) : NULL};
        OPENSSL_free(hex);
        BN_free(bn);
    }
    X509_free(x);
    return rc;
}

int mid_client_enrol(struct mid_client *c, struct pc_arena *a, const struct pki_actor *who,
                     const struct mid_enrolment *e, struct mid_binding *out, struct pc_err *err)
{
    json_t *j;
    char *sim = pc_arena_printf(a, "%s\n%s\n%s\n", e->auth_csr, e->sign_csr, e->channel_key);
    int rc = call_as(c, a, who, "POST", "/mid/v1/enrolments",
                  json_pack("{s:s, s:s, s:s, s:s}", "phoneNumber", e->phone, "nationalIdentityNumber", e->fin, "name",
                            e->name, "sim", sim), 0, &j, err);
    if (rc)
        return rc;
    *out = (struct mid_binding){
        .phone = pc_arena_strdup(a, json_string_value(json_object_get(j, "phoneNumber"))),
        .fin = pc_arena_strdup(a, json_string_value(json_object_get(j, "nationalIdentityNumber"))),
        .auth_serial = pc_arena_strdup(a, json_string_value(json_object_get(j, "authSerial"))),
        .sign_serial = pc_arena_strdup(a, json_string_value(json_object_get(j, "signSerial")))};
    return 0;
}
