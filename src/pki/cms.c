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
#include <openssl/ts.h>

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

/* Time-stamp the signature value and add the token as the unsigned
 * attribute signatureTimeStampToken (CAdES-T).  The answer is checked to
 * be for this question; its signature is checked by whoever verifies. */
static int timestamp(struct pc_arena *a, CMS_SignerInfo *si, pk_tsa_fn ask, void *ctx, struct pc_err *err)
{
    ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
    unsigned char md[32];
    SHA256(ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), md);
    PKCS7 *token = NULL;
    int rc = pk_tsa_token(a, md, ask, ctx, &token, err);
    if (!rc) {
        unsigned char *tok = NULL;
        int tl = i2d_PKCS7(token, &tok);
        if (tl <= 0 || !CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, tok, tl))
            rc = pk_ssl_fail(err, PC_EIO, "cannot add the time-stamp");
        OPENSSL_free(tok);
    }
    PKCS7_free(token);
    return rc;
}

int pk_cms_sign(struct pc_arena *a, EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain, const void *data,
                size_t data_len, pk_tsa_fn ask, void *ctx, const unsigned char **der, size_t *der_len,
                struct pc_err *err)
{
    int rc = 0;
    unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL;
    CMS_ContentInfo *cms = CMS_sign(NULL, NULL, chain, NULL, flags);
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, cert, key, EVP_sha256(), flags) : NULL;
    int remote;
    if (!si)
        rc = (remote = pk_remote_error(err)) ? remote : pk_ssl_fail(err, PC_EINVAL, "cannot sign with this key and certificate");
    if (!rc)
        rc = add_signing_cert_v2(si, cert, err);
    if (!rc) {
        BIO *in = BIO_new_mem_buf(data, (int)data_len);
        if (!in || !CMS_final(cms, in, NULL, flags))
            rc = (remote = pk_remote_error(err)) ? remote : pk_ssl_fail(err, PC_EIO, "signing failed");
        BIO_free(in);
    }
    if (!rc && ask)
        rc = timestamp(a, si, ask, ctx, err);
    if (!rc) {
        int n = i2d_CMS_ContentInfo(cms, NULL);
        unsigned char *buf = pc_arena_alloc(a, n > 0 ? (size_t)n : 1), *p = buf;
        i2d_CMS_ContentInfo(cms, &p);
        *der = buf;
        *der_len = n > 0 ? (size_t)n : 0;
    }
    CMS_ContentInfo_free(cms);
    ERR_clear_error();
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
    if (!rc)
        rc = pk_cms_sign(a, key, cert, certs, data, data_len, tsa_url ? pk_tsa_http : NULL, (void *)tsa_url, der,
                         der_len, err);
    X509_free(cert);
    sk_X509_pop_free(certs, X509_free);
    EVP_PKEY_free(key);
    return rc;
}
