/* crl.c — certificate revocation lists: a version 2 CRL of the issuing
 * CA with every revoked or suspended (certificateHold) certificate that
 * has not expired, its reason, a CRL number and the authority key id.
 *
 * One node publishes at a time (the "pki.crl" lease): a new CRL when a
 * status changed since the last one (the status epoch moved), or when
 * the last is older than the period; nextUpdate leaves room for a
 * publisher that is late.  Every node serves the newest from the
 * database, read again at most once a second. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>


static int add_entry(X509_CRL *crl, const struct pk_row *r)
{
    X509_REVOKED *rv = X509_REVOKED_new();
    BIGNUM *bn = NULL;
    ASN1_INTEGER *serial = NULL;
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)r->revoked_at);
    ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
    int code = r->status == PKI_STATUS_SUSPENDED ? PKI_REASON_HOLD : r->reason;
    bool ok = rv && t && reason && BN_hex2bn(&bn, r->serial) && (serial = BN_to_ASN1_INTEGER(bn, NULL)) &&
              X509_REVOKED_set_serialNumber(rv, serial) && X509_REVOKED_set_revocationDate(rv, t) &&
              ASN1_ENUMERATED_set(reason, code) &&
              (code == PKI_REASON_UNSPECIFIED || X509_REVOKED_add1_ext_i2d(rv, NID_crl_reason, reason, 0, 0)) &&
              X509_CRL_add0_revoked(crl, rv);
    if (!ok)
        X509_REVOKED_free(rv);
    ASN1_ENUMERATED_free(reason);
    ASN1_TIME_free(t);
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return ok ? 0 : -1;
}

/* Build and sign CRL number `number` listing rows. */
static X509_CRL *build(struct pki_ca *ca, const struct pk_row *rows, size_t n, int64_t number, int64_t now,
                       struct pc_err *err)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)now);
    ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(now + ca->cfg.crl_validity_secs));
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    if (!crl || !last || !next || !num)
        pc_oom(0);
    bool ok = X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) && X509_CRL_set1_lastUpdate(crl, last) &&
              X509_CRL_set1_nextUpdate(crl, next) && ASN1_INTEGER_set_int64(num, number) &&
              X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
    for (size_t i = 0; ok && i < n; i++)
        ok = add_entry(crl, &rows[i]) == 0;
    if (ok) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
        X509_EXTENSION *aki = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
        ok = aki && X509_CRL_add_ext(crl, aki, -1) && X509_CRL_sort(crl);
        X509_EXTENSION_free(aki);
    }
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    ASN1_INTEGER_free(num);
    if (!ok) {
        pk_ssl_fail(err, PC_EIO, "cannot build the CRL");
        X509_CRL_free(crl);
        return NULL;
    }
    if (!X509_CRL_sign(crl, ca->key[PK_KEY_CA], EVP_sha256())) {
        ERR_clear_error();
        if (!pk_remote_error(err))
            pc_err_set(err, PC_EUNAVAIL, "signing the CRL failed");
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

int pki_crl_publish(struct pki_ca *ca, bool force, bool *published, struct pc_err *err)
{
    *published = false;
    int rc = pk_need_key(ca, PK_KEY_CA, err);
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    bool fresh;
    int64_t now = pc_now_unix();
    rc = db_lease_acquire(c, PK_LEASE_CRL, ca->holder, now, PK_LEASE_SECS, &fresh, err);
    if (rc <= 0)
        return rc; /* another node publishes */
    struct pc_arena a;
    pc_arena_init(&a);
    int64_t number = 0, epoch = 0, last_epoch = -1, this_update = 0;
    rc = pk_store_crl_last(c, &a, ca->issuer_id, &number, &last_epoch, &this_update, NULL, err);
    if (rc == PC_ENOTFOUND)
        rc = 0;
    if (!rc)
        rc = pk_counter_get(c, PK_COUNTER_EPOCH, &epoch, err);
    bool due = force || last_epoch < 0 || last_epoch < epoch || now - this_update >= ca->cfg.crl_period_secs;
    struct pk_row *rows;
    size_t n;
    if (!rc && due && !(rc = pk_store_revoked(c, &a, ca->issuer_id, now, &rows, &n, err))) {
        X509_CRL *crl = build(ca, rows, n, number + 1, now, err);
        int len = crl ? i2d_X509_CRL(crl, NULL) : 0;
        if (!crl || len <= 0) {
            rc = err && err->code ? err->code : PC_EIO;
        } else {
            unsigned char *der = pc_arena_alloc(&a, (size_t)len), *p = der;
            i2d_X509_CRL(crl, &p);
            /* the publication is a step of the CA like any other: audited */
            static const struct pki_actor job = {.role = PKI_ACTOR_OPERATOR, .id = "system:crl", .ip = ""};
            if (!(rc = db_begin(c, err))) {
                int w = pk_store_crl_put(c, ca->issuer_id, number + 1, now, now + ca->cfg.crl_validity_secs, epoch,
                                         pk_b64(&a, der, (size_t)len), err);
                if (!w)
                    w = pk_audit(c, &job, "pki.crl_publish", NULL,
                                 pc_arena_printf(&a, "CRL %lld, %zu entries", (long long)(number + 1), n), err);
                rc = db_end(c, w, err);
            }
            if (!rc) {
                *published = true;
                pc_logf(PC_LOG_INFO, "pki.crl_published", "CRL %lld with %zu entries", (long long)(number + 1), n);
            }
        }
        X509_CRL_free(crl);
    }
    pc_arena_release(&a);
    return rc;
}

int pki_crl_current(struct pki_ca *ca, struct pc_arena *a, const unsigned char **der, size_t *len,
                    struct pc_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&ca->crl_lock);
    if (!ca->crl_der || pc_mono_usec() - ca->crl_checked_usec > 1000000) {
        struct pc_arena t;
        pc_arena_init(&t);
        struct db_conn *c = db_conn_get(ca->db, err);
        int64_t number, epoch, this_update;
        char *b64;
        unsigned char *bytes;
        size_t n;
        rc = c ? pk_store_crl_last(c, &t, ca->issuer_id, &number, &epoch, &this_update, &b64, err)
               : (err ? err->code : PC_EUNAVAIL);
        if (!rc && pk_unb64(&t, b64, strlen(b64), &bytes, &n))
            rc = pc_err_set(err, PC_EIO, "the stored CRL is not base64");
        if (!rc) {
            unsigned char *copy = malloc(n);
            if (!copy)
                pc_oom(n);
            memcpy(copy, bytes, n);
            free(ca->crl_der);
            ca->crl_der = copy;
            ca->crl_len = n;
            ca->crl_checked_usec = pc_mono_usec();
        }
        pc_arena_release(&t);
    }
    if (!rc) {
        unsigned char *copy = pc_arena_alloc(a, ca->crl_len);
        memcpy(copy, ca->crl_der, ca->crl_len);
        *der = copy;
        *len = ca->crl_len;
    }
    pthread_mutex_unlock(&ca->crl_lock);
    return rc;
}
