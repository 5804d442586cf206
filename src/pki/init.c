/* init.c — the key ceremonies that build a hierarchy, run from the
 * command line (never by the network-facing CA):
 *
 *   init-root     a root key (encrypted PKCS#8) and its self-signed
 *                 certificate, on a machine that can stay offline;
 *   init-issuing  an issuing CA's key (a file, or an existing PKCS#11
 *                 object) and its CSR, on the CA's machine;
 *   sign-ca       the root signs that CSR (the operator has checked the
 *                 subject it prints);
 *   install       the signed certificate and the root's go into the CA's
 *                 directory, which also gets the OCSP responder's and the
 *                 TSA's keys and certificates, signed by the new CA key;
 *   demo          all of it in one directory (DIR/root holds the root).
 *
 * Layout of a CA directory: ca.json, keys/{ca,ocsp,tsa}.key,
 * certs/{root,ca,ocsp,tsa}.pem, ca.csr; of a root: keys/root.key,
 * certs/root.pem. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#define ROOT_KEY "keys/root.key"
#define ROOT_DAYS (20 * 365)
#define ISSUING_DAYS (10 * 365)

/* The CA certificates' own rows: no key-usage bits (a CA's are fixed),
 * the issuing CA asserts anyPolicy so that policy checks pass through. */
static const struct pki_profile root_profile = {.id = "root-ca", .validity_days = ROOT_DAYS};
static const struct pki_profile issuing_profile = {.id = "issuing-ca", .policy = "2.5.29.32.0",
                                                   .validity_days = ISSUING_DAYS};

static int need(const char *what, const char *v, struct pc_err *err)
{
    return v && *v ? 0 : pc_err_set(err, PC_EINVAL, "%s is required", what);
}

/* C=AZ, O=org, CN=name. */
static X509_NAME *ca_name(const char *name, const char *org, struct pc_err *err)
{
    X509_NAME *n = X509_NAME_new();
    if (!n)
        pc_oom(0);
    if (!X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8, (const unsigned char *)"AZ", -1, -1, 0) ||
        !X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) ||
        !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)name, -1, -1, 0)) {
        X509_NAME_free(n);
        pk_ssl_fail(err, PC_EINVAL, "the CA's name or organisation is not valid (at most 64 characters)");
        return NULL;
    }
    return n;
}

static int write_cert(X509 *x, const char *path, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *pem = pk_pem_of_cert(&a, x);
    int rc = pk_write_file(path, pem, strlen(pem), 0644, err);
    pc_arena_release(&a);
    return rc;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The passphrase of the options: from the file (relative to dir), else
 * the variable. */
static int options_passphrase(struct pc_arena *a, const char *dir, const struct pki_init_opts *o, char **out,
                              struct pc_err *err)
{
    struct pk_config c;
    pk_config_defaults(&c);
    c.dir = dir;
    c.passphrase_file = o->passphrase_file;
    c.passphrase_env = o->passphrase_env ? o->passphrase_env : "PENCERE_CA_PASSPHRASE";
    int rc = pk_passphrase(a, &c, out, err);
    if (!rc && strlen(*out) < 12)
        rc = pc_err_set(err, PC_EINVAL, "the key passphrase must be at least 12 characters");
    return rc;
}

int pki_init_root(const char *dir, const struct pki_init_opts *o, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char *pass = NULL;
    EVP_PKEY *key = NULL;
    X509_NAME *name = NULL;
    X509 *x = NULL;
    int rc;
    if ((rc = need("--name", o->name, err)) || (rc = need("--org", o->org, err)))
        goto out;
    if (exists(pk_path(&a, dir, ROOT_KEY))) {
        rc = pc_err_set(err, PC_ECONFLICT, "%s already holds a root key", dir);
        goto out;
    }
    if (o->key_type != PKI_KEY_P256 && o->key_type != PKI_KEY_RSA2048 && o->key_type != PKI_KEY_RSA3072) {
        rc = pc_err_set(err, PC_EINVAL, "a CA key is p256, rsa2048 or rsa3072");
        goto out;
    }
    if ((rc = options_passphrase(&a, dir, o, &pass, err)) || (rc = pk_mkdirs(pk_path(&a, dir, "keys"), err)) ||
        (rc = pk_mkdirs(pk_path(&a, dir, "certs"), err)))
        goto out;
    if (!(key = pk_key_generate(o->key_type, err)) || !(name = ca_name(o->name, o->org, err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    struct pk_issue is = {.profile = &root_profile, .subject = name, .pubkey = key, .issuer_key = key,
                          .validity_days = o->validity_days, .ca = true, .path_len = 1};
    if (!(x = pk_cert_make(&is, err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    if (!(rc = pk_key_save(key, pk_path(&a, dir, ROOT_KEY), pass, err)))
        rc = write_cert(x, pk_path(&a, dir, PK_ROOT_CERT), err);
out:
    if (pass)
        OPENSSL_cleanse(pass, strlen(pass));
    X509_free(x);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    pc_arena_release(&a);
    return rc;
}

int pki_init_issuing(const char *dir, const struct pki_init_opts *o, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pk_config c;
    pk_config_defaults(&c);
    c.dir = dir;
    c.name = o->name;
    c.org = o->org;
    c.public_url = o->public_url;
    c.passphrase_file = o->passphrase_file;
    c.passphrase_env = o->passphrase_file ? NULL : o->passphrase_env ? o->passphrase_env : "PENCERE_CA_PASSPHRASE";
    c.keys[PK_KEY_OCSP].file = "keys/ocsp.key";
    c.keys[PK_KEY_TSA].file = "keys/tsa.key";
    if (o->key.pkcs11_uri) {
        c.keys[PK_KEY_CA].pkcs11_uri = o->key.pkcs11_uri;
        c.keys[PK_KEY_CA].pkcs11_module = o->key.pkcs11_module;
        c.keys[PK_KEY_CA].pin_file = o->key.pin_file;
    } else {
        c.keys[PK_KEY_CA].file = "keys/ca.key";
    }
    char *pass = NULL;
    EVP_PKEY *key = NULL;
    X509_NAME *name = NULL;
    X509_REQ *req = NULL;
    int rc;
    if ((rc = need("--name", o->name, err)) || (rc = need("--org", o->org, err)) ||
        (rc = need("--public-url", o->public_url, err)))
        goto out;
    if (!pc_str_has_prefix(o->public_url, "http://") && !pc_str_has_prefix(o->public_url, "https://")) {
        rc = pc_err_set(err, PC_EINVAL, "--public-url must be an http:// or https:// URL");
        goto out;
    }
    if (strcspn(o->public_url, " ,;\"'<>\\") != strlen(o->public_url) || strlen(o->public_url) > 200) {
        rc = pc_err_set(err, PC_EINVAL, "--public-url may not contain spaces, commas or quotes");
        goto out;
    }
    if (exists(pk_path(&a, dir, PK_CONFIG_FILE))) {
        rc = pc_err_set(err, PC_ECONFLICT, "%s already holds a CA (%s)", dir, PK_CONFIG_FILE);
        goto out;
    }
    if (o->key_type != PKI_KEY_P256 && o->key_type != PKI_KEY_RSA2048 && o->key_type != PKI_KEY_RSA3072) {
        rc = pc_err_set(err, PC_EINVAL, "a CA key is p256, rsa2048 or rsa3072");
        goto out;
    }
    if ((rc = options_passphrase(&a, dir, o, &pass, err)) || (rc = pk_mkdirs(pk_path(&a, dir, "keys"), err)) ||
        (rc = pk_mkdirs(pk_path(&a, dir, "certs"), err)))
        goto out;
    if (o->key.pkcs11_uri) {
        key = pk_key_load(&a, &c, &c.keys[PK_KEY_CA], err);
    } else if ((key = pk_key_generate(o->key_type, err)) != NULL) {
        rc = pk_key_save(key, pk_path(&a, dir, c.keys[PK_KEY_CA].file), pass, err);
    }
    if (!key || rc || !(name = ca_name(o->name, o->org, err))) {
        rc = rc ? rc : err ? err->code : PC_EIO;
        goto out;
    }
    req = X509_REQ_new();
    if (!req || !X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, name) ||
        !X509_REQ_set_pubkey(req, key) || !X509_REQ_sign(req, key, EVP_sha256())) {
        rc = pk_ssl_fail(err, PC_EIO, "cannot make the CA's CSR");
        goto out;
    }
    BIO *b = BIO_new(BIO_s_mem());
    char *pem;
    PEM_write_bio_X509_REQ(b, req);
    long n = BIO_get_mem_data(b, &pem);
    rc = pk_write_file(pk_path(&a, dir, PK_CA_CSR), pem, (size_t)n, 0644, err);
    BIO_free(b);
    if (!rc)
        rc = pk_config_save(&c, err);
out:
    if (pass)
        OPENSSL_cleanse(pass, strlen(pass));
    X509_REQ_free(req);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    pc_arena_release(&a);
    return rc;
}

/* The root's passphrase for sign-ca: --passphrase-file, else the variable. */
int pki_sign_ca(const char *root_dir, const char *csr_path, const char *out_path, int validity_days,
                struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pki_init_opts o = {.passphrase_env = "PENCERE_CA_PASSPHRASE"};
    if (exists(pk_path(&a, root_dir, "passphrase")))
        o.passphrase_file = "passphrase"; /* the demo's */
    char *pass = NULL, *csr;
    size_t csr_len;
    EVP_PKEY *key = NULL;
    X509 *root = NULL, *x = NULL;
    X509_REQ *req = NULL;
    int rc;
    if ((rc = options_passphrase(&a, root_dir, &o, &pass, err)) ||
        (rc = pk_read_file(&a, csr_path, PKI_CSR_MAX, &csr, &csr_len, err)) ||
        (rc = pk_csr_parse(csr, csr_len, &req, err)))
        goto out;
    if (!(key = pk_key_load_file(pk_path(&a, root_dir, ROOT_KEY), pass, err)) ||
        !(root = pk_cert_load(pk_path(&a, root_dir, PK_ROOT_CERT), err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    struct pk_issue is = {.profile = &issuing_profile, .subject = X509_REQ_get_subject_name(req),
                          .pubkey = X509_REQ_get0_pubkey(req), .issuer = root, .issuer_key = key,
                          .validity_days = validity_days, .ca = true, .path_len = 0};
    if (!(x = pk_cert_make(&is, err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    rc = write_cert(x, out_path, err);
out:
    if (pass)
        OPENSSL_cleanse(pass, strlen(pass));
    X509_free(x);
    X509_free(root);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    pc_arena_release(&a);
    return rc;
}

/* A service certificate (responder, TSA) with a new key file, signed by
 * the CA key here (install is a ceremony on the CA's machine). */
static int service_cert(struct pc_arena *a, const struct pk_config *c, X509 *ca, EVP_PKEY *ca_key,
                        const char *profile, const char *cn, enum pk_key_id k, const char *pass, struct pc_err *err)
{
    const struct pki_profile *p = pki_profile_find(profile);
    struct pki_holder h = {.name = cn, .org = c->org};
    X509_NAME *name = NULL;
    EVP_PKEY *key = pk_key_generate(PKI_KEY_P256, err);
    X509 *x = NULL;
    int rc = key ? pk_subject_build(p, &h, &name, err) : (err ? err->code : PC_EIO);
    if (!rc) {
        struct pk_issue is = {.profile = p, .subject = name, .pubkey = key, .issuer = ca, .issuer_key = ca_key,
                              .aia_ocsp = pc_arena_printf(a, "%s/ca/ocsp", c->public_url),
                              .aia_issuer = pc_arena_printf(a, "%s/ca/ca.crt", c->public_url),
                              .crl_url = pc_arena_printf(a, "%s/ca/crl", c->public_url), .path_len = -1};
        x = pk_cert_make(&is, err);
        if (!x)
            rc = err ? err->code : PC_EIO;
    }
    if (!rc)
        rc = pk_key_save(key, pk_path(a, c->dir, c->keys[k].file), pass, err);
    if (!rc)
        rc = write_cert(x, pk_path(a, c->dir, k == PK_KEY_OCSP ? PK_OCSP_CERT : PK_TSA_CERT), err);
    X509_free(x);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    return rc;
}

int pki_install_issuing(const char *dir, const char *cert_path, const char *root_path, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pk_config c;
    char *pass = NULL, *csr;
    size_t csr_len;
    X509 *x = NULL, *root = NULL;
    X509_REQ *req = NULL;
    EVP_PKEY *key = NULL;
    int rc;
    if ((rc = pk_config_load(&a, dir, &c, err)) ||
        (rc = pk_read_file(&a, pk_path(&a, dir, PK_CA_CSR), PKI_CSR_MAX, &csr, &csr_len, err)) ||
        (rc = pk_csr_parse(csr, csr_len, &req, err)))
        goto out;
    if (!(x = pk_cert_load(cert_path, err)) || !(root = pk_cert_load(root_path, err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    if (EVP_PKEY_eq(X509_get0_pubkey(x), X509_REQ_get0_pubkey(req)) != 1) {
        rc = pc_err_set(err, PC_EINVAL, "%s is not the certificate of this CA's key (%s)", cert_path, PK_CA_CSR);
        goto out;
    }
    if (X509_check_ca(x) != 1 || X509_verify(x, X509_get0_pubkey(root)) != 1 ||
        X509_verify(root, X509_get0_pubkey(root)) != 1) {
        ERR_clear_error();
        rc = pc_err_set(err, PC_EINVAL, "%s is not a CA certificate signed by the root %s", cert_path, root_path);
        goto out;
    }
    if ((rc = write_cert(x, pk_path(&a, dir, PK_CA_CERT), err)) ||
        (rc = write_cert(root, pk_path(&a, dir, PK_ROOT_CERT), err)) || (rc = pk_passphrase(&a, &c, &pass, err)))
        goto out;
    if (!(key = pk_key_load(&a, &c, &c.keys[PK_KEY_CA], err))) {
        rc = err ? err->code : PC_EIO;
        goto out;
    }
    const char *ocsp_cn = pc_arena_printf(&a, "%.54s OCSP", c.name);
    const char *tsa_cn = pc_arena_printf(&a, "%.55s TSA", c.name);
    if (!(rc = service_cert(&a, &c, x, key, "ocsp", ocsp_cn, PK_KEY_OCSP, pass, err)))
        rc = service_cert(&a, &c, x, key, "tsa", tsa_cn, PK_KEY_TSA, pass, err);
out:
    if (pass)
        OPENSSL_cleanse(pass, strlen(pass));
    EVP_PKEY_free(key);
    X509_REQ_free(req);
    X509_free(x);
    X509_free(root);
    pc_arena_release(&a);
    return rc;
}

int pki_init_demo(const char *dir, const struct pki_init_opts *o, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct pki_init_opts d = *o;
    const char *root_dir = pk_path(&a, dir, "root");
    int rc = pk_mkdirs(root_dir, err);
    /* a demo without a passphrase source gets a random one, in a file in
     * each directory (a real root would be on another machine) */
    if (!rc && !d.passphrase_file && !getenv(d.passphrase_env ? d.passphrase_env : "PENCERE_CA_PASSPHRASE")) {
        char secret[49];
        pc_random_hex(secret, 24);
        if (!(rc = pk_write_file(pk_path(&a, dir, "passphrase"), secret, strlen(secret), 0600, err)))
            rc = pk_write_file(pk_path(&a, root_dir, "passphrase"), secret, strlen(secret), 0600, err);
        OPENSSL_cleanse(secret, sizeof secret);
        d.passphrase_file = "passphrase";
    }
    struct pki_init_opts r = d;
    r.name = pc_arena_printf(&a, "%.50s Root", o->org ? o->org : "Pəncərə");
    r.key = (struct pki_key_source){0};
    r.validity_days = 0;
    if (!rc)
        rc = pki_init_root(root_dir, &r, err);
    if (!rc)
        rc = pki_init_issuing(dir, &d, err);
    const char *signed_path = pk_path(&a, dir, "ca-signed.pem");
    if (!rc)
        rc = pki_sign_ca(root_dir, pk_path(&a, dir, PK_CA_CSR), signed_path, 0, err);
    if (!rc)
        rc = pki_install_issuing(dir, signed_path, pk_path(&a, root_dir, PK_ROOT_CERT), err);
    pc_arena_release(&a);
    return rc;
}
