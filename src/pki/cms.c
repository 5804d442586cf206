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
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
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

/* The detached CMS of pk_cms_sign built around a signature made
 * elsewhere (a phone's SIM signs only a hash): the signed attributes are
 * fixed by the certificate, the data and the signing time, so the digest
 * asked for first and the structure completed later are the same.  The
 * attributes are made here as CMS_final would make them. */
static int external_attrs(CMS_SignerInfo *si, X509 *cert, const void *data, size_t data_len, int64_t signing_time,
                          unsigned char digest[32], struct pc_err *err)
{
    unsigned char md[32];
    SHA256(data, data_len, md);
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)signing_time);
    ASN1_OBJECT *type = OBJ_nid2obj(NID_pkcs7_data);
    int ok = t && CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, type, -1) &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1) &&
             CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, (int)sizeof md);
    ASN1_TIME_free(t);
    if (!ok)
        return pk_ssl_fail(err, PC_EIO, "cannot add the signed attributes");
    int rc = add_signing_cert_v2(si, cert, err);
    if (rc)
        return rc;
    /* what is signed: the attributes' DER as a SET (PKCS7_ATTR_SIGN sorts it as CMS does) */
    STACK_OF(X509_ATTRIBUTE) *attrs = sk_X509_ATTRIBUTE_new_null();
    for (int i = 0; attrs && i < CMS_signed_get_attr_count(si); i++)
        sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i));
    unsigned char *der = NULL;
    int n = attrs ? ASN1_item_i2d((ASN1_VALUE *)attrs, &der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN)) : -1;
    sk_X509_ATTRIBUTE_free(attrs);
    if (n <= 0)
        return pk_ssl_fail(err, PC_EIO, "cannot encode the signed attributes");
    SHA256(der, (size_t)n, digest);
    OPENSSL_free(der);
    return 0;
}

/* pki_cms_external's work; with_attrs false: no signed attributes, the
 * signature is over the data itself (pki_cms_wrap). */
static int external_cms(struct pc_arena *a, const char *cert_pem, bool with_attrs, const void *data, size_t data_len,
                        int64_t signing_time, const unsigned char *sig, size_t sig_len, unsigned char digest[32],
                        const unsigned char **der, size_t *der_len, struct pc_err *err)
{
    STACK_OF(X509) *certs = NULL;
    int rc = pk_certs_from_pem(cert_pem, strlen(cert_pem), &certs, err);
    X509 *cert = rc ? NULL : sk_X509_shift(certs);
    unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP | CMS_PARTIAL | CMS_NOATTR;
    CMS_ContentInfo *cms = rc ? NULL : CMS_sign(NULL, NULL, certs, NULL, flags);
    /* the certificate's public key stands for the private one: nothing is signed here */
    CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), EVP_sha256(), flags) : NULL;
    if (!rc && !si)
        rc = pk_ssl_fail(err, PC_EINVAL, "cannot use this certificate for a signature");
    if (!rc && with_attrs)
        rc = external_attrs(si, cert, data, data_len, signing_time, digest, err);
    if (!rc && sig) {
        if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len))
            pc_oom(sig_len);
        int n = i2d_CMS_ContentInfo(cms, NULL);
        unsigned char *buf = pc_arena_alloc(a, n > 0 ? (size_t)n : 1), *p = buf;
        if (n <= 0 || i2d_CMS_ContentInfo(cms, &p) != n)
            rc = pk_ssl_fail(err, PC_EIO, "cannot encode the signature");
        *der = buf;
        *der_len = n > 0 ? (size_t)n : 0;
    }
    CMS_ContentInfo_free(cms);
    X509_free(cert);
    sk_X509_pop_free(certs, X509_free);
    ERR_clear_error();
    return rc;
}

int pki_cms_external(struct pc_arena *a, const char *cert_pem, const void *data, size_t data_len,
                     int64_t signing_time, const unsigned char *sig, size_t sig_len, unsigned char digest[32],
                     const unsigned char **der, size_t *der_len, struct pc_err *err)
{
    return external_cms(a, cert_pem, true, data, data_len, signing_time, sig, sig_len, digest, der, der_len, err);
}

int pki_cms_wrap(struct pc_arena *a, const char *cert_pem, const unsigned char *sig, size_t sig_len,
                 const unsigned char **der, size_t *der_len, struct pc_err *err)
{
    if (!sig || !sig_len)
        return pc_err_set(err, PC_EINVAL, "no signature");
    return external_cms(a, cert_pem, false, NULL, 0, 0, sig, sig_len, NULL, der, der_len, err);
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
