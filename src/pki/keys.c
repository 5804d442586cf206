/* keys.c — key pairs: the types we make and accept (ECDSA P-256 by
 * default, P-384, RSA 2048/3072/4096 with exponent 65537), generation,
 * passphrase-protected PKCS#8 files (AES-256-CBC with PBKDF2), loading a
 * key by its reference (file or PKCS#11), and the check of a holder's
 * public key. */
#include "internal.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

static const struct {
    const char *name;
    bool ec;
    const char *curve;
    int bits;
} types[] = {
    [PKI_KEY_P256] = {"p256", true, "P-256", 256},
    [PKI_KEY_RSA2048] = {"rsa2048", false, NULL, 2048},
    [PKI_KEY_RSA3072] = {"rsa3072", false, NULL, 3072},
    [PKI_KEY_P384] = {"p384", true, "P-384", 384},
    [PKI_KEY_RSA4096] = {"rsa4096", false, NULL, 4096},
};
#define NTYPES (int)(sizeof types / sizeof types[0])

int pki_key_type_parse(const char *s)
{
    for (int i = 0; i < NTYPES; i++)
        if (pc_str_eq(s, types[i].name))
            return i;
    return -1;
}

const char *pki_key_type_name(enum pki_key_type t)
{
    return (int)t < NTYPES ? types[t].name : "?";
}

EVP_PKEY *pk_key_generate(enum pki_key_type t, struct pc_err *err)
{
    if ((int)t >= NTYPES) {
        pc_err_set(err, PC_EINVAL, "unknown key type");
        return NULL;
    }
    EVP_PKEY *k = types[t].ec ? EVP_EC_gen(types[t].curve) : EVP_RSA_gen((unsigned)types[t].bits);
    if (!k)
        pk_ssl_fail(err, PC_EIO, "key generation failed");
    return k;
}

int pk_key_save(EVP_PKEY *k, const char *path, const char *passphrase, struct pc_err *err)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!b)
        pc_oom(0);
    if (!PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)passphrase)) {
        BIO_free(b);
        return pk_ssl_fail(err, PC_EIO, "cannot encrypt the key");
    }
    char *p;
    long n = BIO_get_mem_data(b, &p);
    int rc = pk_write_file(path, p, (size_t)n, 0600, err);
    BIO_free(b);
    return rc;
}

EVP_PKEY *pk_key_from_pem(const char *pem, size_t len, const char *passphrase, struct pc_err *err)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    if (!b)
        pc_oom(0);
    /* An empty passphrase for an unencrypted key: never a prompt. */
    EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)(passphrase ? passphrase : ""));
    BIO_free(b);
    if (!k)
        pk_ssl_fail(err, PC_EINVAL, "cannot read the private key (wrong passphrase, or not a PEM key)");
    return k;
}

EVP_PKEY *pk_key_load_file(const char *path, const char *passphrase, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char *pem;
    size_t len;
    EVP_PKEY *k = NULL;
    if (pk_read_file(&a, path, 65536, &pem, &len, err) == 0) {
        k = pk_key_from_pem(pem, len, passphrase, err);
        if (!k)
            pc_err_set(err, err ? err->code : PC_EINVAL, "%s: %s", path, err ? err->msg : "");
        OPENSSL_cleanse(pem, len);
    }
    pc_arena_release(&a);
    return k;
}

EVP_PKEY *pk_key_load(struct pc_arena *a, const struct pk_config *c, const struct pk_keyref *ref,
                      struct pc_err *err)
{
    if (ref->pkcs11_uri)
        return pk_hsm_load(a, ref, err);
    char *pass;
    if (pk_passphrase(a, c, &pass, err))
        return NULL;
    EVP_PKEY *k = pk_key_load_file(pk_path(a, c->dir, ref->file), pass, err);
    OPENSSL_cleanse(pass, strlen(pass));
    return k;
}

int pk_key_check(EVP_PKEY *k, enum pki_key_type *out, struct pc_err *err)
{
    if (EVP_PKEY_is_a(k, "EC")) {
        char curve[64] = "";
        size_t n = 0;
        EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, &n);
        for (int i = 0; i < NTYPES; i++)
            if (types[i].ec && (strcmp(curve, types[i].curve) == 0 ||
                                (i == PKI_KEY_P256 && strcmp(curve, "prime256v1") == 0) ||
                                (i == PKI_KEY_P384 && strcmp(curve, "secp384r1") == 0))) {
                *out = (enum pki_key_type)i;
                return 0;
            }
        return pc_err_set(err, PC_EINVAL, "EC keys must be on P-256 or P-384, not %s", curve[0] ? curve : "this curve");
    }
    if (EVP_PKEY_is_a(k, "RSA")) {
        int bits = EVP_PKEY_get_bits(k);
        BIGNUM *e = NULL;
        bool f4 = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) && BN_is_word(e, RSA_F4);
        BN_free(e);
        if (!f4)
            return pc_err_set(err, PC_EINVAL, "RSA keys must have the public exponent 65537");
        for (int i = 0; i < NTYPES; i++)
            if (!types[i].ec && types[i].bits == bits) {
                *out = (enum pki_key_type)i;
                return 0;
            }
        return pc_err_set(err, PC_EINVAL, "RSA keys must have 2048, 3072 or 4096 bits, not %d", bits);
    }
    return pc_err_set(err, PC_EINVAL, "the key must be ECDSA (P-256, P-384) or RSA, not %s",
                      EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "this type");
}
