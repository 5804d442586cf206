/* ca.c — an open CA: its configuration, certificates (root, issuing CA,
 * OCSP responder, TSA), the database, and the key process with the
 * remote keys that sign through it.  Opening checks, by signing a test
 * digest with every key, that the key process holds the keys of the
 * certificates; a key it cannot load yet (an HSM that is not there) is
 * only a warning: the CA serves what it can (chain, CRL, pre-signed OCSP
 * answers) and signing fails with PC_EUNAVAIL until the key is back. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

static const char *const cert_files[PK_KEY_COUNT] = {PK_CA_CERT, PK_OCSP_CERT, PK_TSA_CERT};

/* Sign a test message with the remote key and verify it with the
 * certificate: 0, PC_EUNAVAIL (key not loaded) or PC_EINVAL (another key). */
static int probe(struct pki_ca *ca, enum pk_key_id k, struct pc_err *err)
{
    X509 *cert = k == PK_KEY_CA ? ca->cert : k == PK_KEY_OCSP ? ca->ocsp_cert : ca->tsa_cert;
    unsigned char msg[32], sig[PK_SIG_MAX];
    size_t n = sizeof sig;
    pc_random_bytes(msg, sizeof msg);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    if (!m)
        pc_oom(0);
    int ok = EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, ca->key[k]) == 1 &&
             EVP_DigestSign(m, sig, &n, msg, sizeof msg) == 1;
    EVP_MD_CTX_free(m);
    if (!ok) {
        ERR_clear_error();
        if (!pk_remote_error(err))
            pc_err_set(err, PC_EUNAVAIL, "key %s: signing failed", pk_key_name(k));
        return err ? err->code : PC_EUNAVAIL;
    }
    m = EVP_MD_CTX_new();
    ok = m && EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
         EVP_DigestVerify(m, sig, n, msg, sizeof msg) == 1;
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    if (!ok)
        return pc_err_set(err, PC_EINVAL, "the key process's key %s does not belong to %s", pk_key_name(k),
                          cert_files[k]);
    return 0;
}

int pk_need_key(struct pki_ca *ca, enum pk_key_id k, struct pc_err *err)
{
    return ca->key[k] ? 0 : pc_err_set(err, PC_EUNAVAIL, "the CA was opened without its keys");
}

bool pki_ca_keys_ready(struct pki_ca *ca, struct pc_err *err)
{
    if (!ca->signer) {
        pc_err_set(err, PC_EUNAVAIL, "the CA was opened without its keys");
        return false;
    }
    for (int k = 0; k < PK_KEY_COUNT; k++)
        if (probe(ca, (enum pk_key_id)k, err))
            return false;
    return true;
}

int pki_ca_key_pid(struct pki_ca *ca)
{
    return ca->signer ? pk_signer_pid(ca->signer) : 0;
}

struct db *pki_ca_db(struct pki_ca *ca)
{
    return ca->db;
}

const char *pki_ca_chain_pem(struct pki_ca *ca, size_t *len)
{
    *len = ca->chain_pem_len;
    return ca->chain_pem;
}

static int load_certs(struct pki_ca *ca, struct pc_err *err)
{
    struct pc_arena *a = &ca->arena;
    const char *dir = ca->cfg.dir;
    if (!(ca->root = pk_cert_load(pk_path(a, dir, PK_ROOT_CERT), err)) ||
        !(ca->cert = pk_cert_load(pk_path(a, dir, PK_CA_CERT), err)) ||
        !(ca->ocsp_cert = pk_cert_load(pk_path(a, dir, PK_OCSP_CERT), err)) ||
        !(ca->tsa_cert = pk_cert_load(pk_path(a, dir, PK_TSA_CERT), err)))
        return err ? err->code : PC_EIO;
    ca->chain = sk_X509_new_null();
    if (!ca->chain)
        pc_oom(0);
    X509_up_ref(ca->cert);
    X509_up_ref(ca->root);
    sk_X509_push(ca->chain, ca->cert);
    sk_X509_push(ca->chain, ca->root);
    ca->chain_pem = pc_arena_printf(a, "%s%s", pk_pem_of_cert(a, ca->cert), pk_pem_of_cert(a, ca->root));
    ca->chain_pem_len = strlen(ca->chain_pem);
    /* the issuer id: hex SHA-1 of the CA's public key (its key id) */
    unsigned char md[20];
    unsigned int n = 0;
    if (!X509_pubkey_digest(ca->cert, EVP_sha1(), md, &n))
        return pk_ssl_fail(err, PC_EIO, "cannot hash the CA's key");
    char *hex = pc_arena_alloc(a, 41);
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02X", md[i]);
    ca->issuer_id = hex;
    const EVP_MD *mds[4] = {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (int i = 0; i < 4; i++)
        if (!(ca->ids[i] = OCSP_cert_id_new(mds[i], X509_get_subject_name(ca->cert),
                                            X509_get0_pubkey_bitstr(ca->cert), NULL)))
            return pk_ssl_fail(err, PC_EIO, "cannot make the CA's CertID");
    const char *url = ca->cfg.public_url;
    ca->aia_ocsp = pc_arena_printf(a, "%s/ca/ocsp", url);
    ca->aia_issuer = pc_arena_printf(a, "%s/ca/ca.crt", url);
    ca->crl_url = pc_arena_printf(a, "%s/ca/crl", url);
    return 0;
}

static int open_db(struct pki_ca *ca, const char *db_url, struct pc_err *err)
{
    /* --db, else ca.json's "db" (a URL, or a file beside ca.json), else DIR/pencere.db */
    const char *url = db_url, *c = ca->cfg.db;
    if (!url && c && (pc_str_has_prefix(c, "postgres://") || pc_str_has_prefix(c, "postgresql://")))
        url = c;
    if (!url)
        url = pk_path(&ca->arena, ca->cfg.dir, c ? c : "pencere.db");
    ca->db = db_open(url, err);
    if (!ca->db)
        return err ? err->code : PC_EIO;
    ca->own_db = true;
    return db_migrate(ca->db, err);
}

struct pki_ca *pki_ca_open(const char *dir, const char *db_url, bool keys, struct pc_err *err)
{
    struct pki_ca *ca = calloc(1, sizeof *ca);
    if (!ca)
        pc_oom(sizeof *ca);
    pc_arena_init(&ca->arena);
    pthread_mutex_init(&ca->ocsp_lock, NULL);
    pthread_mutex_init(&ca->crl_lock, NULL);
    pthread_mutex_init(&ca->tsa_lock, NULL);
    db_committer_init(&ca->committer);
    char host[64] = "", rnd[9];
    gethostname(host, sizeof host - 1);
    pc_random_hex(rnd, 4);
    snprintf(ca->holder, sizeof ca->holder, "%s/%ld/%s", host, (long)getpid(), rnd);
    int rc = pk_config_load(&ca->arena, dir, &ca->cfg, err);
    if (!rc)
        rc = load_certs(ca, err);
    if (!rc)
        rc = open_db(ca, db_url, err);
    if (!rc)
        rc = pk_ocsp_init(ca, err);
    if (!keys) {
        if (rc) {
            pki_ca_close(ca);
            return NULL;
        }
        return ca;
    }
    if (!rc && !(ca->signer = pk_signer_start(ca->cfg.dir, err)))
        rc = err ? err->code : PC_EUNAVAIL;
    X509 *certs[PK_KEY_COUNT] = {ca->cert, ca->ocsp_cert, ca->tsa_cert};
    for (int k = 0; !rc && k < PK_KEY_COUNT; k++)
        if (!(ca->key[k] = pk_remote_key(ca->signer, (enum pk_key_id)k, certs[k], err)))
            rc = err ? err->code : PC_EINVAL;
    for (int k = 0; !rc && k < PK_KEY_COUNT; k++) {
        struct pc_err perr = {0};
        int prc = probe(ca, (enum pk_key_id)k, &perr);
        if (prc == PC_EUNAVAIL)
            pc_log(PC_LOG_WARN, "pki.key_unavailable", "key", pk_key_name((enum pk_key_id)k), "msg", perr.msg, NULL);
        else if (prc)
            rc = pc_err_set(err, prc, "%s", perr.msg);
    }
    if (rc) {
        pki_ca_close(ca);
        return NULL;
    }
    return ca;
}

void pki_ca_close(struct pki_ca *ca)
{
    if (!ca)
        return;
    struct db_conn *c = ca->db ? db_conn_get(ca->db, NULL) : NULL;
    if (c) {
        /* a clean stop: another node need not wait for them to expire */
        db_lease_release(c, PK_LEASE_CRL, ca->holder, NULL);
        db_lease_release(c, PK_LEASE_OCSP, ca->holder, NULL);
    }
    for (int k = 0; k < PK_KEY_COUNT; k++)
        EVP_PKEY_free(ca->key[k]);
    pk_signer_stop(ca->signer);
    pk_ocsp_release(ca);
    for (int i = 0; i < 4; i++)
        OCSP_CERTID_free(ca->ids[i]);
    sk_X509_pop_free(ca->chain, X509_free);
    X509_free(ca->root);
    X509_free(ca->cert);
    X509_free(ca->ocsp_cert);
    X509_free(ca->tsa_cert);
    free(ca->crl_der);
    if (ca->own_db)
        db_close(ca->db);
    pthread_mutex_destroy(&ca->ocsp_lock);
    pthread_mutex_destroy(&ca->crl_lock);
    pthread_mutex_destroy(&ca->tsa_lock);
    db_committer_release(&ca->committer);
    pc_arena_release(&ca->arena);
    free(ca);
}

int pk_commit(struct pki_ca *ca, int (*write)(struct db_conn *c, void *arg, struct pc_err *err), void *arg,
              struct pc_err *err)
{
    return db_commit_group(ca->db, &ca->committer, write, arg, err);
}
