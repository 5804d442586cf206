/* jose.c — the little of JOSE that OpenID Connect needs: compact JWS
 * with ES256 (RFC 7515, 7518 §3.4: the signature is r and s, 32 bytes
 * each, not DER), P-256 public keys as JWKs (RFC 7517) and their
 * thumbprints as key ids (RFC 7638).  The parser reads outside bytes
 * (id_token_hint, the example site's tokens) and has a fuzz harness. */
#include "internal.h"

#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

static void json_release(void *p)
{
    json_decref(p);
}

/* A base64url segment decoded into the arena (NUL-terminated). */
static char *b64_segment(struct pc_arena *a, const char *s, size_t n, size_t *len)
{
    char *out = pc_arena_alloc(a, n * 3 / 4 + 4);
    long got = pc_b64url_decode(s, n, out, n * 3 / 4 + 3);
    if (got < 0)
        return NULL;
    out[got] = 0;
    *len = (size_t)got;
    return out;
}

static void *json_segment(struct pc_arena *a, const char *s, size_t n)
{
    size_t len;
    char *text = b64_segment(a, s, n, &len);
    if (!text)
        return NULL;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    if (!j)
        return NULL;
    pc_arena_defer(a, json_release, j);
    return json_is_object(j) ? j : NULL;
}

int oidc_jws_parse(struct pc_arena *a, const char *jwt, struct oidc_jws *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    size_t n = jwt ? strnlen(jwt, OIDC_JWT_MAX + 1) : 0;
    if (n == 0 || n > OIDC_JWT_MAX)
        return pc_err_set(err, PC_EINVAL, "not a JWT: empty or longer than %d bytes", OIDC_JWT_MAX);
    const char *d1 = memchr(jwt, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - jwt)) : NULL;
    if (!d2 || memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - jwt)))
        return pc_err_set(err, PC_EINVAL, "not a compact JWS: it needs exactly three parts");
    out->header = json_segment(a, jwt, (size_t)(d1 - jwt));
    out->payload = json_segment(a, d1 + 1, (size_t)(d2 - d1 - 1));
    if (!out->header || !out->payload)
        return pc_err_set(err, PC_EINVAL, "the JWT's header or claims are not a JSON object");
    size_t sn = n - (size_t)(d2 + 1 - jwt);
    long got = sn <= 88 ? pc_b64url_decode(d2 + 1, sn, out->sig, sizeof out->sig) : -1;
    if (got < 0)
        return pc_err_set(err, PC_EINVAL, "the JWT's signature is not base64url of at most 64 bytes");
    out->sig_len = (size_t)got;
    out->signing_input = jwt;
    out->signing_len = (size_t)(d2 - jwt);
    out->alg = json_string_value(json_object_get(out->header, "alg"));
    out->kid = json_string_value(json_object_get(out->header, "kid"));
    if (!out->alg)
        return pc_err_set(err, PC_EINVAL, "the JWT's header names no alg");
    return 0;
}

const char *oidc_jws_claim(const struct oidc_jws *j, const char *name)
{
    return j->payload ? json_string_value(json_object_get(j->payload, name)) : NULL;
}

int64_t oidc_jws_claim_int(const struct oidc_jws *j, const char *name)
{
    json_t *v = j->payload ? json_object_get(j->payload, name) : NULL;
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

int oidc_jws_verify(const struct oidc_jws *j, EVP_PKEY *key, struct pc_err *err)
{
    if (!pc_str_eq(j->alg, "ES256") || j->sig_len != 64)
        return pc_err_set(err, PC_EDENIED, "the JWT is not signed with ES256");
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(j->sig, 32, NULL), *s = BN_bin2bn(j->sig + 32, 32, NULL);
    unsigned char *der = NULL;
    int derlen = -1;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
        r = s = NULL; /* the signature owns them now */
        derlen = i2d_ECDSA_SIG(sig, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = derlen > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(ctx, der, (size_t)derlen, (const unsigned char *)j->signing_input, j->signing_len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    ERR_clear_error();
    return ok ? 0 : pc_err_set(err, PC_EDENIED, "the JWT's signature does not verify");
}

static void b64_into(struct pc_buf *b, const void *p, size_t n)
{
    char enc[200];
    size_t len = pc_b64url_encode(p, n, enc);
    pc_buf_append(b, enc, len);
}

int oidc_jws_sign(struct pc_arena *a, EVP_PKEY *key, const char *kid, const char *typ, const char *claims,
                  const char **jwt, struct pc_err *err)
{
    struct pc_buf b;
    pc_buf_init(&b, OIDC_JWT_MAX * 4);
    char header[160];
    snprintf(header, sizeof header, "{\"alg\":\"ES256\",\"typ\":\"%s\",\"kid\":\"%s\"}", typ, kid);
    b64_into(&b, header, strlen(header));
    pc_buf_putc(&b, '.');
    size_t clen = strlen(claims);
    char *enc = pc_arena_alloc(a, clen * 4 / 3 + 4);
    pc_buf_append(&b, enc, pc_b64url_encode(claims, clen, enc));
    unsigned char der[80];
    size_t derlen = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = !b.toobig && ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(ctx, der, &derlen, (const unsigned char *)b.data, b.len) == 1;
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = der;
    ECDSA_SIG *sig = ok ? d2i_ECDSA_SIG(NULL, &p, (long)derlen) : NULL;
    unsigned char raw[64];
    ok = sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    ERR_clear_error();
    if (!ok) {
        pc_buf_release(&b);
        return pc_err_set(err, PC_EIO, "could not sign the token");
    }
    pc_buf_putc(&b, '.');
    b64_into(&b, raw, sizeof raw);
    *jwt = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return 0;
}

/* ---- keys as JWKs ------------------------------------------------------- */

int oidc__jwk_of(EVP_PKEY *key, char x[44], char y[44], char kid[44])
{
    unsigned char pub[65];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &len) != 1 || len != 65 ||
        pub[0] != 4) {
        ERR_clear_error();
        return PC_EINVAL;
    }
    pc_b64url_encode(pub + 1, 32, x);
    pc_b64url_encode(pub + 33, 32, y);
    /* RFC 7638: the required members in lexical order, no spaces */
    char canon[160];
    snprintf(canon, sizeof canon, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
    unsigned char h[32];
    EVP_Digest(canon, strlen(canon), h, NULL, EVP_sha256(), NULL);
    pc_b64url_encode(h, sizeof h, kid);
    return 0;
}

/* A P-256 public key from its coordinates (base64url). */
static EVP_PKEY *p256_from_xy(const char *xs, const char *ys)
{
    unsigned char pub[65] = {4};
    if (!xs || !ys || pc_b64url_decode(xs, strlen(xs), pub + 1, 32) != 32 ||
        pc_b64url_decode(ys, strlen(ys), pub + 33, 32) != 32)
        return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    if (bld && ctx && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return key;
}

EVP_PKEY *oidc_jwk_key(const char *json, const char *kid, struct pc_err *err)
{
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
    json_t *jwk = root, *keys = json_object_get(root, "keys");
    if (json_is_array(keys)) {
        jwk = NULL;
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k) {
            if (pc_str_eq(json_string_value(json_object_get(k, "kid")), kid)) {
                jwk = k;
                break;
            }
        }
    }
    EVP_PKEY *key = NULL;
    if (jwk && pc_str_eq(json_string_value(json_object_get(jwk, "kty")), "EC") &&
        pc_str_eq(json_string_value(json_object_get(jwk, "crv")), "P-256"))
        key = p256_from_xy(json_string_value(json_object_get(jwk, "x")), json_string_value(json_object_get(jwk, "y")));
    json_decref(root);
    if (!key)
        pc_err_set(err, PC_ENOTFOUND, "no P-256 key %s in the key set", kid ? kid : "");
    return key;
}
