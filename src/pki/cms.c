/* cms.c — making a detached CMS signature (CAdES-BES, and CAdES-T with a
 * time-stamp): SHA-256, signed attributes content-type, message-digest,
 * signing-time and signing-certificate-v2 (RFC 5035), the signer's
 * certificate and its chain included; then, when a TSA is named, the
 * signature value is time-stamped (RFC 3161) and the token added as the
 * unsigned attribute signatureTimeStampToken.  `openssl cms -verify`
 * accepts the result. */
#include "internal.h"

#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#define TSA_ANSWER_MAX 65536

static int add_signing_cert_v2(CMS_SignerInfo *si, X509 *cert, struct pc_err *err)
{
    ESS_SIGNING_CERT_V2 *sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), cert, NULL, 1);
    unsigned char *der = NULL;
    int n = sc ? i2d_ESS_SIGNING_CERT_V2(sc, &der) : -1;
    int ok = n > 0 && CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, V_ASN1_SEQUENCE, der, n);
    OPENSSL_free(der);
    ESS_SIGNING_CERT_V2_free(sc);
    return ok ? 0 : pk_ssl_fail(err, PC_EIO, "cannot add signing-certificate-v2");
}

/* Ask the TSA for a token over the signature value; check that it is an
 * answer to this question (imprint, nonce) — its signature is checked by
 * whoever verifies. */
static int timestamp(struct pc_arena *a, CMS_SignerInfo *si, const char *url, struct pc_err *err)
{
    ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    unsigned char md[32];
    SHA256(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), md);
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
              TS_MSG_IMPRINT_set_msg(mi, md, sizeof md) && TS_REQ_set_version(q, 1) &&
              TS_REQ_set_msg_imprint(q, mi) && ASN1_INTEGER_set_uint64(nonce, nv) && TS_REQ_set_nonce(q, nonce) &&
              TS_REQ_set_cert_req(q, 1);
    X509_ALGOR_free(alg);
    TS_MSG_IMPRINT_free(mi);
    ASN1_INTEGER_free(nonce);
    unsigned char *der = NULL;
    int n = ok ? i2d_TS_REQ(q, &der) : -1;
    int rc = n > 0 ? 0 : pk_ssl_fail(err, PC_EIO, "cannot make the time-stamp request");
    unsigned char *ans = NULL;
    size_t alen = 0;
    if (!rc)
        rc = pk_http_post(a, url, "application/timestamp-query", der, (size_t)n, TSA_ANSWER_MAX, &ans, &alen, err);
    OPENSSL_free(der);
    TS_RESP *r = NULL;
    if (!rc) {
        const unsigned char *p = ans;
        r = d2i_TS_RESP(NULL, &p, (long)alen);
        TS_VERIFY_CTX *v = TS_REQ_to_TS_VERIFY_CTX(q, NULL);
        if (v)
            TS_VERIFY_CTX_set_flags(v, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
        if (!r || !v || TS_RESP_verify_response(v, r) != 1)
            rc = pk_ssl_fail(err, PC_EINVAL, "the TSA's answer is not a time-stamp of this signature");
        TS_VERIFY_CTX_free(v);
    }
    if (!rc) {
        unsigned char *tok = NULL;
        int tl = i2d_PKCS7(TS_RESP_get_token(r), &tok);
        if (tl <= 0 || !CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, tok, tl))
            rc = pk_ssl_fail(err, PC_EIO, "cannot add the time-stamp");
        OPENSSL_free(tok);
    }
    TS_RESP_free(r);
    TS_REQ_free(q);
    return rc;
}

int pki_cms_sign(struct pc_arena *a, const char *key_pem, size_t key_len, const char *passphrase,
                 const char *cert_pem, size_t cert_len, const void *data, size_t data_len, const char *tsa_url,
                 const unsigned char **der, size_t *der_len, struct pc_err *err)
{
    STACK_OF(X509) *certs = NULL;
    EVP_PKEY *key = pk_key_from_pem(key_pem, key_len, passphrase, err);
    int rc = key ? pk_certs_from_pem(cert_pem, cert_len, &certs, err) : (err ? err->code : PC_EINVAL);
    X509 *cert = rc ? NULL : sk_X509_shift(certs);
    if (!rc && X509_check_private_key(cert, key) != 1)
        rc = pc_err_set(err, PC_EINVAL, "the key does not belong to the certificate");
    ERR_clear_error();
    unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
    CMS_ContentInfo *cms = rc ? NULL : CMS_sign(NULL, NULL, certs, NULL, flags);
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, cert, key, EVP_sha256(), flags) : NULL;
    if (!rc && !si)
        rc = pk_ssl_fail(err, PC_EINVAL, "cannot sign with this key and certificate");
    if (!rc)
        rc = add_signing_cert_v2(si, cert, err);
    if (!rc) {
        BIO *in = BIO_new_mem_buf(data, (int)data_len);
        if (!in || !CMS_final(cms, in, NULL, flags))
            rc = pk_ssl_fail(err, PC_EIO, "signing failed");
        BIO_free(in);
    }
    if (!rc && tsa_url)
        rc = timestamp(a, si, tsa_url, err);
    if (!rc) {
        int n = i2d_CMS_ContentInfo(cms, NULL);
        unsigned char *buf = pc_arena_alloc(a, n > 0 ? (size_t)n : 1), *p = buf;
        i2d_CMS_ContentInfo(cms, &p);
        *der = buf;
        *der_len = n > 0 ? (size_t)n : 0;
    }
    CMS_ContentInfo_free(cms);
    X509_free(cert);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(key);
    return rc;
}

int pki_sign_bytes(struct pc_arena *a, const char *key_pem, size_t key_len, const char *passphrase, const void *data,
                   size_t len, const unsigned char **sig, size_t *sig_len, struct pc_err *err)
{
    EVP_PKEY *k = pk_key_from_pem(key_pem, key_len, passphrase, err);
    if (!k)
        return err && err->code ? err->code : PC_EINVAL;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t n = 0;
    unsigned char *out = NULL;
    int rc = 0;
    if (!md)
        pc_oom(0);
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 || EVP_DigestSign(md, NULL, &n, data, len) != 1)
        rc = pk_ssl_fail(err, PC_EINVAL, "cannot sign with this key");
    else if (EVP_DigestSign(md, (out = pc_arena_alloc(a, n)), &n, data, len) != 1)
        rc = pk_ssl_fail(err, PC_EINVAL, "cannot sign with this key");
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(k);
    *sig = out;
    *sig_len = n;
    return rc;
}

/* The text a memory BIO holds, in the arena. */
static const char *bio_text(struct pc_arena *a, BIO *b)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    return pc_arena_strndup(a, p, n > 0 ? (size_t)n : 0);
}

int pki_p12_to_pem(struct pc_arena *a, const unsigned char *p12, size_t len, const char *password, const char **key_pem,
                   const char **cert_pem, struct pc_err *err)
{
    const unsigned char *p = p12;
    PKCS12 *pk = len <= INT32_MAX ? d2i_PKCS12(NULL, &p, (long)len) : NULL;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    int rc = 0;
    if (!pk || !PKCS12_parse(pk, password ? password : "", &key, &cert, NULL) || !key || !cert) {
        rc = pk_ssl_fail(err, PC_EINVAL, "cannot open the PKCS#12 (wrong password, or not a PKCS#12)");
    } else {
        BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
        if (!kb || !cb || !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) || !PEM_write_bio_X509(cb, cert)) {
            rc = pk_ssl_fail(err, PC_EIO, "cannot write the key or certificate as PEM");
        } else {
            *key_pem = bio_text(a, kb);
            *cert_pem = bio_text(a, cb);
        }
        BIO_free(kb);
        BIO_free(cb);
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    PKCS12_free(pk);
    return rc;
}
