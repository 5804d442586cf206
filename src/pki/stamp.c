/* stamp.c — asking a time-stamping authority and checking what it gave:
 * the RFC 3161 request for a SHA-256 imprint (with a nonce, certificates
 * asked for), the check that the answer is a token for this very question,
 * and the check of a kept token against our trust anchors later.  The
 * question goes to a TSA over HTTP (signatures made with `pencere sign`,
 * the audit chain's head) or to this CA's own TSA (seals, seal.c). */
#include "internal.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#define TSA_ANSWER_MAX 65536

static TS_REQ *request_for(const unsigned char md[32])
{
    TS_REQ *q = TS_REQ_new();
    TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
    X509_ALGOR *alg = X509_ALGOR_new();
    ASN1_INTEGER *nonce = ASN1_INTEGER_new();
    unsigned char nb[8];
    uint64_t nv = 0;
    if (!q || !mi || !alg || !nonce || RAND_bytes(nb, sizeof nb) != 1)
        pc_oom(0);
    for (int i = 0; i < 8; i++)
        nv = nv << 8 | nb[i];
    nv >>= 1; /* positive */
    bool ok = X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) && TS_MSG_IMPRINT_set_algo(mi, alg) &&
              TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)md, 32) && TS_REQ_set_version(q, 1) &&
              TS_REQ_set_msg_imprint(q, mi) && ASN1_INTEGER_set_uint64(nonce, nv) && TS_REQ_set_nonce(q, nonce) &&
              TS_REQ_set_cert_req(q, 1);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    ASN1_INTEGER_free(nonce);
    if (!ok) {
        TS_REQ_free(q);
        return NULL;
    }
    return q;
}

int pk_tsa_token(struct pc_arena *a, const unsigned char md[32], pk_tsa_fn ask, void *ctx, PKCS7 **token,
                 struct pc_err *err)
{
    TS_REQ *q = request_for(md);
    unsigned char *der = NULL;
    int n = q ? i2d_TS_REQ(q, &der) : -1;
    int rc = n > 0 ? 0 : pk_ssl_fail(err, PC_EIO, "cannot make the time-stamp request");
    const unsigned char *ans = NULL;
    size_t alen = 0;
    if (!rc)
        rc = ask(ctx, a, der, (size_t)n, &ans, &alen, err);
    OPENSSL_free(der);
    TS_RESP *r = NULL;
    if (!rc) {
        const unsigned char *p = ans;
        r = d2i_TS_RESP(NULL, &p, (long)alen);
        TS_VERIFY_CTX *v = TS_REQ_to_TS_VERIFY_CTX(q, NULL);
        if (v)
            TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
        if (!r || !v || TS_RESP_verify_response(v, r) != 1)
            rc = pk_ssl_fail(err, PC_EINVAL, "the TSA's answer is not a time-stamp of this question");
        TS_VERIFY_CTX_free(v);
    }
    if (!rc && !(*token = PKCS7_dup(TS_RESP_get_token(r))))
        pc_oom(0);
    TS_RESP_free(r);
    TS_REQ_free(q);
    return rc;
}

int pk_tsa_http(void *url, struct pc_arena *a, const unsigned char *req, size_t len, const unsigned char **resp,
                size_t *resp_len, struct pc_err *err)
{
    unsigned char *out;
    int rc = pk_http_post(a, url, "application/timestamp-query", req, len, TSA_ANSWER_MAX, &out, resp_len, err);
    if (!rc)
        *resp = out;
    return rc;
}

int pki_tsa_stamp(struct pc_arena *a, const char *url, const unsigned char digest[32], const unsigned char **token,
                  size_t *len, int64_t *gen_time, struct pc_err *err)
{
    PKCS7 *tok = NULL;
    int rc = pk_tsa_token(a, digest, pk_tsa_http, (void *)url, &tok, err);
    if (rc)
        return rc;
    TS_TST_INFO *tst = PKCS7_to_TS_TST_INFO(tok);
    *gen_time = tst ? pk_asn1_time(TS_TST_INFO_get_time(tst)) : 0;
    TS_TST_INFO_free(tst);
    int n = i2d_PKCS7(tok, NULL);
    unsigned char *buf = pc_arena_alloc(a, n > 0 ? (size_t)n : 1), *p = buf;
    i2d_PKCS7(tok, &p);
    PKCS7_free(tok);
    *token = buf;
    *len = n > 0 ? (size_t)n : 0;
    return n > 0 ? 0 : pc_err_set(err, PC_EIO, "cannot encode the time-stamp token");
}

int pk_tsa_verify(struct pc_arena *a, PKCS7 *tok, STACK_OF(X509) *anchors, STACK_OF(X509) *untrusted,
                  const unsigned char *imprint, size_t ilen, int64_t *gen_time, const char **serial,
                  const char **tsa_name, struct pc_err *err)
{
    TS_TST_INFO *tst = PKCS7_to_TS_TST_INFO(tok);
    TS_VERIFY_CTX *v = TS_VERIFY_CTX_new();
    X509_STORE *st = X509_STORE_new();
    STACK_OF(X509) *certs = X509_chain_up_ref(untrusted);
    unsigned char *copy = OPENSSL_memdup(imprint, ilen); /* the context frees it */
    if (!v || !st || !certs || !copy)
        pc_oom(0);
    for (int i = 0; i < sk_X509_num(anchors); i++)
        X509_STORE_add_cert(st, sk_X509_value(anchors, i));
    TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
    TS_VERIFY_CTX_set_imprint(v, copy, (long)ilen);
    TS_VERIFY_CTX_set_store(v, st);
    TS_VERIFY_CTX_set_certs(v, certs);
    int rc = 0;
    if (!tst || TS_RESP_verify_token(v, tok) != 1) {
        rc = pc_err_set(err, PC_EINVAL, "the time-stamp does not verify: %s", pk_ssl_error(a));
    } else {
        *gen_time = pk_asn1_time(TS_TST_INFO_get_time(tst));
        if (serial)
            *serial = pk_serial_hex(a, TS_TST_INFO_get_serial(tst));
        STACK_OF(X509) *tc = PKCS7_type_is_signed(tok) ? tok->d.sign->cert : NULL;
        for (int i = 0; tsa_name && i < sk_X509_num(tc); i++)
            if (X509_check_purpose(sk_X509_value(tc, i), X509_PURPOSE_TIMESTAMP_SIGN, 0) == 1)
                *tsa_name = pk_name_get(a, X509_get_subject_name(sk_X509_value(tc, i)), NID_commonName);
    }
    TS_VERIFY_CTX_free(v);
    TS_TST_INFO_free(tst);
    ERR_clear_error();
    return rc;
}

int pki_tsa_check(struct pc_arena *a, const char *chain_pem, size_t chain_len, const void *token, size_t len,
                  const unsigned char digest[32], int64_t *gen_time, struct pc_err *err)
{
    if (!len || len > PKI_TOKEN_MAX)
        return pc_err_set(err, PC_EINVAL, "a time-stamp token is 1 to %d bytes", PKI_TOKEN_MAX);
    STACK_OF(X509) *given = NULL;
    int rc = pk_certs_from_pem(chain_pem, chain_len, &given, err);
    if (rc)
        return rc;
    STACK_OF(X509) *anchors = sk_X509_new_null(), *untrusted = sk_X509_new_null();
    if (!anchors || !untrusted)
        pc_oom(0);
    for (int i = 0; i < sk_X509_num(given); i++) {
        X509 *x = sk_X509_value(given, i);
        sk_X509_push(X509_check_issued(x, x) == X509_V_OK ? anchors : untrusted, x);
    }
    const unsigned char *p = token;
    PKCS7 *tok = d2i_PKCS7(NULL, &p, (long)len);
    if (!tok || p != (const unsigned char *)token + len)
        rc = pc_err_set(err, PC_EINVAL, "not a time-stamp token (DER)");
    else
        rc = pk_tsa_verify(a, tok, anchors, untrusted, digest, 32, gen_time, NULL, NULL, err);
    PKCS7_free(tok);
    ERR_clear_error();
    sk_X509_free(anchors);
    sk_X509_free(untrusted);
    sk_X509_pop_free(given, X509_free);
    return rc;
}
