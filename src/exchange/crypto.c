/* crypto.c — the exchange layer's small uses of OpenSSL: keys and
 * certificates from PEM, ECDSA-SHA256 signatures as base64, SHA-512 and
 * SHA-256, base64, certificate fingerprints, P-256 keys with their CSRs
 * for the certification centre, and a certificate chain check against
 * the CA of the global configuration. */
#include "internal.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

size_t xr_b64_encode(const void *p, size_t n, char *out)
{
    return (size_t)EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

const char *xr_b64(struct pc_arena *a, const void *p, size_t n)
{
    char *out = pc_arena_alloc(a, 4 * (n / 3 + 1) + 1);
    xr_b64_encode(p, n, out);
    return out;
}

long xr_b64_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
    if (n % 4 || n > (size_t)1 << 30)
        return -1;
    if (n == 0)
        return 0;
    size_t pad = (size_t)(s[n - 1] == '=') + (size_t)(s[n - 2] == '=');
    size_t len = n / 4 * 3 - pad;
    if (len > max)
        return -1;
    /* EVP_DecodeBlock writes whole triplets: the last quartet goes through
     * a small buffer so that its padding never lands past out[max] */
    size_t head = n - 4;
    if (head && EVP_DecodeBlock(out, (const unsigned char *)s, (int)head) != (int)(head / 4 * 3))
        return -1;
    unsigned char tail[3];
    if (EVP_DecodeBlock(tail, (const unsigned char *)s + head, 4) != 3)
        return -1;
    memcpy(out + head / 4 * 3, tail, 3 - pad);
    return (long)len;
}

int xr_b64_decode_arena(struct pc_arena *a, const char *s, size_t max, unsigned char **out, size_t *len)
{
    size_t n = s ? strlen(s) : 0;
    if (n / 4 * 3 > max + 2)
        return PC_ETOOBIG;
    unsigned char *buf = pc_arena_alloc(a, n / 4 * 3 + 1);
    long k = xr_b64_decode(s ? s : "", n, buf, n / 4 * 3);
    if (k < 0 || (size_t)k > max)
        return PC_EINVAL;
    *out = buf;
    *len = (size_t)k;
    return 0;
}

void xr_sha512(const void *p, size_t n, unsigned char out[64])
{
    EVP_Digest(p, n, out, NULL, EVP_sha512(), NULL);
}

void xr_sha256(const void *p, size_t n, unsigned char out[32])
{
    EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL);
}

void xr_hex(const unsigned char *p, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * n] = 0;
}

/* ---- keys and certificates ------------------------------------------------ */

EVP_PKEY *xr_key_load(const char *path, struct pc_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        pc_err_set(err, PC_EIO, "cannot open the key %s", path);
        return NULL;
    }
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!k)
        pc_err_set(err, PC_EINVAL, "%s is not a PEM private key", path);
    return k;
}

X509 *xr_cert_from_pem(const char *pem, size_t len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return x;
}

X509 *xr_cert_from_der(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p != der + len) {
        X509_free(x);
        return NULL;
    }
    return x;
}

X509 *xr_cert_load(const char *path, struct pc_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        pc_err_set(err, PC_EIO, "cannot open the certificate %s", path);
        return NULL;
    }
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (!x)
        pc_err_set(err, PC_EINVAL, "%s is not a PEM certificate", path);
    return x;
}

int xr_cert_der(X509 *x, struct pc_arena *a, unsigned char **der, size_t *len)
{
    int n = i2d_X509(x, NULL);
    if (n <= 0)
        return PC_EINVAL;
    unsigned char *p = pc_arena_alloc(a, (size_t)n);
    *der = p;
    i2d_X509(x, &p);
    *len = (size_t)n;
    return 0;
}

const char *xr_cert_pem(struct pc_arena *a, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || !PEM_write_bio_X509(b, x)) {
        BIO_free(b);
        return NULL;
    }
    char *p;
    long n = BIO_get_mem_data(b, &p);
    const char *s = pc_arena_strndup(a, p, (size_t)n);
    BIO_free(b);
    return s;
}

void xr_cert_fp(X509 *x, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    X509_digest(x, EVP_sha256(), md, &n);
    xr_hex(md, 32, out);
}

/* "sha256//" and the base64 SHA-256 of the certificate's public key
 * (SubjectPublicKeyInfo), libcurl's form of a pinned key; "" on failure. */
void xr_cert_pin(X509 *x, char out[56])
{
    out[0] = 0;
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(X509_get0_pubkey(x), &der);
    if (n <= 0)
        return;
    unsigned char md[32];
    xr_sha256(der, (size_t)n, md);
    OPENSSL_free(der);
    memcpy(out, "sha256//", 8);
    xr_b64_encode(md, 32, out + 8);
}

/* The organizationIdentifier (NTRAZ-VÖEN) of a certificate's subject, or "". */
void xr_cert_org_id(X509 *x, char *out, size_t max)
{
    out[0] = 0;
    X509_NAME *n = X509_get_subject_name(x);
    int nid = OBJ_txt2nid("organizationIdentifier");
    int i = nid == NID_undef ? -1 : X509_NAME_get_index_by_NID(n, nid, -1);
    if (i < 0)
        return;
    ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    size_t len = (size_t)ASN1_STRING_length(s);
    if (len >= max)
        return;
    memcpy(out, ASN1_STRING_get0_data(s), len);
    out[len] = 0;
}

bool xr_cert_is_member(X509 *x, const struct xr_id *member)
{
    char org[96], want[96];
    xr_cert_org_id(x, org, sizeof org);
    snprintf(want, sizeof want, "NTRAZ-%s", member->member);
    return strcmp(org, want) == 0;
}

bool xr_cert_has_usage(X509 *x, uint32_t ku)
{
    return (X509_get_key_usage(x) & ku) == ku;
}

/* ---- signatures ------------------------------------------------------------ */

int xr_sign(EVP_PKEY *k, struct pc_arena *a, const void *data, size_t len, const char **b64, struct pc_err *err)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t n = sizeof sig;
    int ok = c && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestSign(c, sig, &n, data, len) == 1;
    EVP_MD_CTX_free(c);
    if (!ok)
        return pc_err_set(err, PC_EUNAVAIL, "the signing key cannot sign");
    *b64 = xr_b64(a, sig, n);
    return 0;
}

bool xr_verify(X509 *x, const void *data, size_t len, const char *b64)
{
    unsigned char sig[512];
    long n = b64 ? xr_b64_decode(b64, strlen(b64), sig, sizeof sig) : -1;
    if (n <= 0)
        return false;
    EVP_PKEY *k = X509_get0_pubkey(x);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = k && c && EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestVerify(c, sig, (size_t)n, data, len) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

bool xr_key_matches(EVP_PKEY *key, X509 *x)
{
    return X509_check_private_key(x, key) == 1;
}

/* ---- new keys and their requests ------------------------------------------- */

int xr_keygen(const char *key_path, const char *csr_path, struct pc_err *err)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509_REQ *req = X509_REQ_new();
    int rc = 0;
    /* the subject is the CA's to write from the holder it has checked: the
     * request only proves possession of the key */
    if (!k || !req || !X509_REQ_set_version(req, 0) || !X509_REQ_set_pubkey(req, k) ||
        !X509_REQ_sign(req, k, EVP_sha256()))
        rc = pc_err_set(err, PC_EIO, "cannot make a key and its request");
    FILE *kf = NULL, *cf = NULL;
    if (!rc) {
        umask(077);
        kf = fopen(key_path, "w");
        cf = fopen(csr_path, "w");
        if (!kf || !cf || !PEM_write_PrivateKey(kf, k, NULL, NULL, 0, NULL, NULL) || !PEM_write_X509_REQ(cf, req))
            rc = pc_err_set(err, PC_EIO, "cannot write %s or %s", key_path, csr_path);
    }
    if (kf && fclose(kf) && !rc)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", key_path);
    if (cf && fclose(cf) && !rc)
        rc = pc_err_set(err, PC_EIO, "cannot write %s", csr_path);
    X509_REQ_free(req);
    EVP_PKEY_free(k);
    return rc;
}

int xr_selfsigned(const char *key_path, const char *cert_path, const char *cn, int days, struct pc_err *err)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    int rc = 0;
    unsigned char serial[16];
    pc_random_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    X509_NAME *name = X509_NAME_new();
    if (!k || !x || !bn || !name || !X509_set_version(x, 2) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
        !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"AZ", -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
        !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -300) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) || !X509_set_pubkey(x, k) ||
        !X509_sign(x, k, EVP_sha256()))
        rc = pc_err_set(err, PC_EIO, "cannot make the configuration signing certificate");
    FILE *kf = NULL, *cf = NULL;
    if (!rc) {
        umask(077);
        kf = fopen(key_path, "w");
        cf = fopen(cert_path, "w");
        if (!kf || !cf || !PEM_write_PrivateKey(kf, k, NULL, NULL, 0, NULL, NULL) || !PEM_write_X509(cf, x))
            rc = pc_err_set(err, PC_EIO, "cannot write %s or %s", key_path, cert_path);
    }
    if (kf)
        fclose(kf);
    if (cf)
        fclose(cf);
    X509_NAME_free(name);
    BN_free(bn);
    X509_free(x);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- trust: the certification centre named by the global configuration -- */

X509_STORE *xr_store_from_pem(const char *chain_pem)
{
    X509_STORE *st = X509_STORE_new();
    BIO *b = BIO_new_mem_buf(chain_pem, -1);
    X509 *x;
    int n = 0;
    while (st && b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        X509_STORE_add_cert(st, x);
        X509_free(x);
        n++;
    }
    ERR_clear_error();
    BIO_free(b);
    if (!n) {
        X509_STORE_free(st);
        return NULL;
    }
    return st;
}

X509 *xr_issuer_in(X509_STORE *st, X509 *x)
{
    X509_STORE_CTX *c = X509_STORE_CTX_new();
    X509 *issuer = NULL;
    if (c && X509_STORE_CTX_init(c, st, x, NULL) == 1)
        X509_STORE_CTX_get1_issuer(&issuer, c, x);
    X509_STORE_CTX_free(c);
    return issuer;
}

int64_t xr_asn1_unix(const ASN1_TIME *t)
{
    struct tm tm;
    return t && ASN1_TIME_to_tm(t, &tm) ? (int64_t)timegm(&tm) : 0;
}

int xr_chain_check(X509_STORE *st, X509 *x, int64_t at, int64_t window[2], struct pc_err *err)
{
    X509_STORE_CTX *c = X509_STORE_CTX_new();
    int ok = 0;
    if (c && X509_STORE_CTX_init(c, st, x, NULL) == 1) {
        X509_STORE_CTX_set_time(c, 0, (time_t)at);
        X509_STORE_CTX_set_purpose(c, X509_PURPOSE_ANY);
        ok = X509_verify_cert(c) == 1;
        if (!ok)
            pc_err_set(err, PC_EDENIED, "the certificate does not lead to the trusted CA: %s",
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(c)));
        STACK_OF(X509) *chain = ok && window ? X509_STORE_CTX_get0_chain(c) : NULL;
        if (window)
            window[0] = window[1] = at; /* unknown: valid only now */
        for (int i = 0; chain && i < sk_X509_num(chain); i++) {
            X509 *y = sk_X509_value(chain, i);
            int64_t nb = xr_asn1_unix(X509_get0_notBefore(y)), na = xr_asn1_unix(X509_get0_notAfter(y));
            if (i == 0 || nb > window[0])
                window[0] = nb;
            if (i == 0 || na < window[1])
                window[1] = na;
        }
    } else {
        pc_err_set(err, PC_EIO, "cannot check a certificate chain");
    }
    X509_STORE_CTX_free(c);
    return ok ? 0 : err ? err->code : PC_EDENIED;
}
