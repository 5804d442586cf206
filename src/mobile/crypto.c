/* crypto.c — the signatures of the mobile signature: a digest signed
 * (by the SIM) and verified (by the service and the relying party) with
 * the key of a certificate, and the SIM's channel key as DER
 * SubjectPublicKeyInfo.  The signature is over the hash as given (the
 * phone never sees the document), DER-encoded ECDSA. */
#include "internal.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

int mi_sign_digest(EVP_PKEY *k, const unsigned char *dgst, size_t n, unsigned char *sig, size_t *sig_len,
                   struct pc_err *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    size_t cap = *sig_len;
    int ok = ctx && EVP_PKEY_sign_init(ctx) > 0 && EVP_PKEY_sign(ctx, NULL, sig_len, dgst, n) > 0 &&
             *sig_len <= cap && EVP_PKEY_sign(ctx, sig, sig_len, dgst, n) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : pc_err_set(err, PC_EIO, "the key could not sign");
}

int mi_verify_digest(EVP_PKEY *k, const unsigned char *dgst, size_t n, const unsigned char *sig, size_t sig_len,
                     struct pc_err *err)
{
    EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
    int ok = ctx && EVP_PKEY_verify_init(ctx) > 0 && EVP_PKEY_verify(ctx, sig, sig_len, dgst, n) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : pc_err_set(err, PC_EINVAL, "the signature does not verify");
}

X509 *mi_cert_from_pem(const char *pem)
{
    BIO *b = pem ? BIO_new_mem_buf(pem, -1) : NULL;
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    ERR_clear_error();
    return x;
}

int mid_signature_check(const char *cert_pem, const unsigned char *hash, size_t hash_len, const unsigned char *sig,
                        size_t sig_len, struct pc_err *err)
{
    X509 *x = mi_cert_from_pem(cert_pem);
    if (!x)
        return pc_err_set(err, PC_EINVAL, "the certificate could not be read");
    int rc = mi_verify_digest(X509_get0_pubkey(x), hash, hash_len, sig, sig_len, err);
    X509_free(x);
    return rc;
}

char *mi_spki_b64(struct pc_arena *a, EVP_PKEY *k)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    char *s = n > 0 ? mi_b64url(a, der, (size_t)n) : NULL;
    OPENSSL_free(der);
    return s;
}

EVP_PKEY *mi_spki_parse(const char *b64)
{
    unsigned char der[512];
    long n = b64 ? pc_b64url_decode(b64, strlen(b64), der, sizeof der) : -1;
    const unsigned char *p = der;
    EVP_PKEY *k = n > 0 ? d2i_PUBKEY(NULL, &p, n) : NULL;
    if (k && p != der + n) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    ERR_clear_error();
    return k;
}
