/* seal.c — agencies' electronic seals.  An agency's seal is a key only
 * the key process holds (DIR/seals/ID.key, encrypted like the CA's keys)
 * and its certificate (profile agency-seal, DIR/seals/ID.pem), made by an
 * operator.  Sealing a document — a decision issued in the back office —
 * makes a detached CAdES-T signature here with that key (the digest is
 * signed over there) and a time-stamp from our own TSA; the portal sends
 * the document and gets the signature, it never holds a key.  Every seal
 * is audited; a revoked or expired seal signs nothing.
 *
 * The serving process loads a seal's certificate when the seal is first
 * used; a seal made again after its revocation is picked up by a restart. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pk_seal {
    char id[PK_SEAL_ID_MAX + 1];
    X509 *cert;
    EVP_PKEY *key;                  /* remote: signs in the key process */
};

void pk_seals_release(struct pki_ca *ca)
{
    for (size_t i = 0; i < ca->nseals; i++) {
        X509_free(ca->seals[i].cert);
        EVP_PKEY_free(ca->seals[i].key);
    }
    free(ca->seals);
    ca->seals = NULL;
    ca->nseals = 0;
}

static const char *seal_file(struct pc_arena *a, struct pki_ca *ca, const char *agency, const char *ext)
{
    return pc_arena_printf(a, "%s/%s/%s.%s", ca->cfg.dir, PK_SEAL_DIR, agency, ext);
}

static int check_agency(const char *agency, struct pc_err *err)
{
    if (!agency || !pk_id_ok(agency, strlen(agency)))
        return pc_err_set(err, PC_EINVAL, "an agency id is 1 to %d characters a-z 0-9 -", PK_SEAL_ID_MAX);
    return 0;
}

/* The agency's seal, loaded on first use: its certificate and remote key
 * with references of the caller's own (the array may move meanwhile). */
static int seal_get(struct pki_ca *ca, struct pc_arena *a, const char *agency, X509 **cert_out, EVP_PKEY **key_out,
                    struct pc_err *err)
{
    int rc = check_agency(agency, err);
    if (rc)
        return rc;
    if (!ca->signer)
        return pc_err_set(err, PC_EUNAVAIL, "the CA was opened without its keys");
    pthread_mutex_lock(&ca->seal_lock);
    for (size_t i = 0; i < ca->nseals; i++)
        if (strcmp(ca->seals[i].id, agency) == 0) {
            X509_up_ref(*cert_out = ca->seals[i].cert);
            EVP_PKEY_up_ref(*key_out = ca->seals[i].key);
            pthread_mutex_unlock(&ca->seal_lock);
            return 0;
        }
    struct pc_err lerr = {0};
    X509 *cert = pk_cert_load(seal_file(a, ca, agency, "pem"), &lerr);
    EVP_PKEY *key = cert ? pk_remote_key(ca->signer, PK_KEY_SEAL, agency, cert, err) : NULL;
    if (!cert)
        rc = lerr.code == PC_ENOTFOUND ? pc_err_set(err, PC_ENOTFOUND, "agency %s has no seal at the certification "
                                                                          "centre (pencere ca add-seal)", agency)
                                       : pc_err_set(err, lerr.code, "%s", lerr.msg);
    else if (!key)
        rc = err ? err->code : PC_EINVAL;
    if (!rc) {
        struct pk_seal *more = realloc(ca->seals, (ca->nseals + 1) * sizeof *more);
        if (!more)
            pc_oom(0);
        ca->seals = more;
        struct pk_seal *s = &ca->seals[ca->nseals++];
        memset(s, 0, sizeof *s);
        snprintf(s->id, sizeof s->id, "%s", agency);
        X509_up_ref(s->cert = cert);
        EVP_PKEY_up_ref(s->key = key);
        *cert_out = cert;
        *key_out = key;
    } else {
        X509_free(cert);
        EVP_PKEY_free(key);
    }
    pthread_mutex_unlock(&ca->seal_lock);
    return rc;
}

/* The seal's certificate as the records have it: valid now, or why not. */
static int seal_valid(struct pki_ca *ca, struct pc_arena *a, X509 *cert, struct pki_cert *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    static const struct pki_actor system = {.role = PKI_ACTOR_OPERATOR, .id = "system", .ip = ""};
    int rc = pki_cert_get(ca, a, &system, pk_serial_hex(a, X509_get0_serialNumber(cert)), out, err);
    if (rc == PC_ENOTFOUND)
        return pc_err_set(err, PC_ECONFLICT, "the seal's certificate is not in the centre's records");
    if (!rc && out->status != PKI_STATUS_GOOD)
        rc = pc_err_set(err, PC_ECONFLICT, "the seal's certificate %s is %s", out->serial, pki_status_name(out->status));
    if (!rc && out->not_after <= pc_now_unix())
        rc = pc_err_set(err, PC_ECONFLICT, "the seal's certificate %s has expired", out->serial);
    return rc;
}

int pki_seal_add(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *agency,
                 const char *name, struct pki_cert *out, struct pc_err *err)
{
    int rc = check_agency(agency, err);
    if (rc)
        return rc;
    if (who->role != PKI_ACTOR_OPERATOR)
        return pc_err_set(err, PC_EDENIED, "only an operator makes a seal");
    X509 *old = pk_cert_load(seal_file(a, ca, agency, "pem"), NULL);
    struct pki_cert cur;
    struct pc_err verr = {0};
    bool valid = old && seal_valid(ca, a, old, &cur, &verr) == 0;
    X509_free(old);
    if (valid)
        return pc_err_set(err, PC_ECONFLICT, "agency %s has a valid seal (%s); revoke it first", agency, cur.serial);
    char *pass = NULL;
    EVP_PKEY *key = NULL;
    const char *key_path = seal_file(a, ca, agency, "key");
    if ((rc = pk_mkdirs(pk_path(a, ca->cfg.dir, PK_SEAL_DIR), err)) || (rc = pk_passphrase(a, &ca->cfg, &pass, err)))
        return rc;
    if (!(key = pk_key_generate(PKI_KEY_P256, err)))
        rc = err ? err->code : PC_EIO;
    if (!rc)
        rc = pk_key_save(key, key_path, pass, err);
    OPENSSL_cleanse(pass, strlen(pass));
    struct pki_holder h = {.name = name, .org = name, .agency = agency};
    if (!rc)
        rc = pk_issue_own(ca, a, who, pki_profile_find("agency-seal"), &h, key, out, err);
    if (!rc)
        rc = pk_write_file(seal_file(a, ca, agency, "pem"), out->pem, strlen(out->pem), 0644, err);
    else if (key)
        unlink(key_path); /* nothing issued: no key without its certificate */
    EVP_PKEY_free(key);
    return rc;
}

/* Our own TSA, without a round trip over HTTP. */
static int tsa_here(void *ca, struct pc_arena *a, const unsigned char *req, size_t len, const unsigned char **resp,
                    size_t *resp_len, struct pc_err *err)
{
    return pki_tsa_respond(ca, a, req, len, resp, resp_len, err);
}

struct seal_audit {
    const struct pki_actor *who;
    const char *serial, *detail;
};

static int seal_audit_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    const struct seal_audit *s = arg;
    return pk_audit(c, s->who, "pki.seal", s->serial, s->detail, err);
}

int pki_seal_sign(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *agency,
                  const char *ref, const void *doc, size_t len, const unsigned char **sig, size_t *sig_len,
                  struct pki_cert *seal, struct pc_err *err)
{
    if (who->role != PKI_ACTOR_OPERATOR)
        return pc_err_set(err, PC_EDENIED, "documents are sealed by the agency's system, not for a person");
    if (len == 0 || len > PKI_SEAL_DOC_MAX)
        return pc_err_set(err, len ? PC_ETOOBIG : PC_EINVAL, "a document to seal is 1 to %d bytes", PKI_SEAL_DOC_MAX);
    if (!ref || !*ref || strlen(ref) > 64 || !pc_utf8_valid(ref, strlen(ref)))
        return pc_err_set(err, PC_EINVAL, "a sealed document needs a reference of at most 64 bytes");
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    int rc = seal_get(ca, a, agency, &cert, &key, err);
    if (!rc)
        rc = seal_valid(ca, a, cert, seal, err);
    if (!rc)
        rc = pk_cms_sign(a, key, cert, ca->chain, doc, len, tsa_here, ca, sig, sig_len, err);
    if (!rc) {
        char hex[65];
        pc_sha256_hex(doc, len, hex);
        /* seals made at the same time share the audit's transaction (ecert) */
        struct seal_audit sa = {who, seal->serial, pc_arena_printf(a, "%s %s sha256 %s", agency, ref, hex)};
        rc = pk_commit(ca, seal_audit_write, &sa, err);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}
