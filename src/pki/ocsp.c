/* ocsp.c — the OCSP responder (RFC 6960; GET and POST come from api.c).
 *
 * Pre-signed answers (cfssl's ocsprefresh/ocspserve idea, RFC 5019's
 * pre-production): every certificate has a signed single response for
 * its current status in pki_ocsp, made when it is issued, re-made in the
 * same transaction as every status change and refreshed by the job before
 * it runs out.  A request for one certificate by a SHA-1 CertID (what
 * OpenSSL and browsers send) without a nonce is answered with those bytes:
 * from this node's memory, else from the database.  A nonce, several
 * certificates, another hash, or a serial we never issued get a response
 * signed now by the responder's key (in the key process).
 *
 * Nodes agree: a status change also raises the status epoch in
 * pki_counters; each node looks at it at most every 250 ms and forgets
 * its memory when it moved, so another node's revocation is answered
 * within that time. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#define SLOTS 32768                 /* memory: a response is about 1 KB */
#define MAX_CERTS_PER_REQUEST 10

struct pk_ocsp_slot {
    char serial[41];
    unsigned char *der;
    size_t len;
    int64_t until;                  /* unix seconds: reread after */
    int64_t epoch;
};

int pk_ocsp_init(struct pki_ca *ca, struct pc_err *err)
{
    (void)err;
    ca->ocsp_nslots = SLOTS;
    ca->ocsp_slots = calloc(SLOTS, sizeof *ca->ocsp_slots);
    if (!ca->ocsp_slots)
        pc_oom(SLOTS * sizeof *ca->ocsp_slots);
    return 0;
}

void pk_ocsp_release(struct pki_ca *ca)
{
    for (size_t i = 0; ca->ocsp_slots && i < ca->ocsp_nslots; i++)
        free(ca->ocsp_slots[i].der);
    free(ca->ocsp_slots);
    ca->ocsp_slots = NULL;
}

static struct pk_ocsp_slot *slot_of(struct pki_ca *ca, const char *serial)
{
    uint32_t h = 2166136261u;
    for (const char *s = serial; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return &ca->ocsp_slots[h % ca->ocsp_nslots];
}

void pk_ocsp_forget(struct pki_ca *ca)
{
    pthread_mutex_lock(&ca->ocsp_lock);
    ca->status_epoch++; /* every slot now belongs to an older epoch */
    pthread_mutex_unlock(&ca->ocsp_lock);
}

static bool cache_get(struct pki_ca *ca, struct pc_arena *a, const char *serial, const unsigned char **der,
                      size_t *len)
{
    bool hit = false;
    pthread_mutex_lock(&ca->ocsp_lock);
    struct pk_ocsp_slot *s = slot_of(ca, serial);
    if (s->der && s->epoch == ca->status_epoch && s->until > pc_now_unix() && strcmp(s->serial, serial) == 0) {
        unsigned char *copy = pc_arena_alloc(a, s->len);
        memcpy(copy, s->der, s->len);
        *der = copy;
        *len = s->len;
        hit = true;
    }
    pthread_mutex_unlock(&ca->ocsp_lock);
    return hit;
}

static void cache_put(struct pki_ca *ca, const char *serial, const unsigned char *der, size_t len, int64_t next_update,
                      int64_t epoch)
{
    unsigned char *copy = malloc(len);
    if (!copy)
        pc_oom(len);
    memcpy(copy, der, len);
    pthread_mutex_lock(&ca->ocsp_lock);
    if (epoch != ca->status_epoch) {
        pthread_mutex_unlock(&ca->ocsp_lock); /* read before a change: do not keep */
        free(copy);
        return;
    }
    struct pk_ocsp_slot *s = slot_of(ca, serial);
    unsigned char *old = s->der;
    snprintf(s->serial, sizeof s->serial, "%s", serial);
    s->der = copy;
    s->len = len;
    s->until = next_update - ca->cfg.ocsp_refresh_secs / 2;
    s->epoch = epoch;
    pthread_mutex_unlock(&ca->ocsp_lock);
    free(old);
}

/* At most every 250 ms: has a status changed anywhere?  Then forget. */
static void check_epoch(struct pki_ca *ca, struct db_conn *c)
{
    long long now = pc_mono_usec(), last = atomic_load(&ca->epoch_checked_usec);
    if (now - last < PK_EPOCH_CHECK_USEC || !atomic_compare_exchange_strong(&ca->epoch_checked_usec, &last, now))
        return;
    int64_t v;
    if (pk_counter_get(c, PK_COUNTER_EPOCH, &v, NULL))
        return;
    pthread_mutex_lock(&ca->ocsp_lock);
    if (v > ca->status_epoch)
        ca->status_epoch = v; /* what this node cached is from before */
    pthread_mutex_unlock(&ca->ocsp_lock);
}

/* ---- building responses ---------------------------------------------- */

/* An OCSPResponse of status (with bs when successful) as DER in the arena. */
static int response_der(struct pc_arena *a, int status, OCSP_BASICRESP *bs, const unsigned char **der, size_t *len)
{
    OCSP_RESPONSE *r = OCSP_response_create(status, bs);
    if (!r)
        pc_oom(0);
    int n = i2d_OCSP_RESPONSE(r, NULL);
    unsigned char *buf = pc_arena_alloc(a, (size_t)n), *p = buf;
    i2d_OCSP_RESPONSE(r, &p);
    OCSP_RESPONSE_free(r);
    *der = buf;
    *len = (size_t)n;
    return 0;
}

static int answer_status(struct pc_arena *a, int status, const unsigned char **der, size_t *len)
{
    return response_der(a, status, NULL, der, len);
}

/* The status of one certificate for a response: known (the caller has the
 * row it just wrote), else from the database (unknown when we never issued
 * it). */
static int add_status(struct pki_ca *ca, struct pc_arena *a, struct db_conn *c, OCSP_BASICRESP *bs,
                      OCSP_CERTID *id, const char *serial, const struct pk_row *known, ASN1_TIME *now,
                      ASN1_TIME *next, struct pc_err *err)
{
    struct pk_row row;
    int rc = known ? 0 : serial ? pk_store_get(c, a, serial, &row, err) : PC_ENOTFOUND;
    if (known)
        row = *known;
    if (rc && rc != PC_ENOTFOUND)
        return rc;
    int status = V_OCSP_CERTSTATUS_UNKNOWN, reason = -1;
    ASN1_TIME *rev = NULL;
    if (rc == 0 && pc_str_eq(row.issuer, ca->issuer_id)) {
        if (row.status == PKI_STATUS_GOOD) {
            status = V_OCSP_CERTSTATUS_GOOD;
        } else {
            /* RFC 6960 §2.2: on hold is "revoked" with certificateHold */
            status = V_OCSP_CERTSTATUS_REVOKED;
            reason = row.status == PKI_STATUS_SUSPENDED ? PKI_REASON_HOLD : row.reason;
            rev = ASN1_TIME_set(NULL, (time_t)row.revoked_at);
        }
    }
    ERR_clear_error();
    bool ok = OCSP_basic_add1_status(bs, id, status, reason, rev, now, next) != NULL;
    ASN1_TIME_free(rev);
    return ok ? 0 : pk_ssl_fail(err, PC_EIO, "cannot add a status to the OCSP response");
}

/* Sign a basic response for ids (with the request's nonce, if any). */
static int sign_response(struct pki_ca *ca, struct pc_arena *a, struct db_conn *c, OCSP_CERTID **ids,
                         char **serials, const struct pk_row *known, int n, OCSP_REQUEST *req,
                         const unsigned char **der, size_t *len, int64_t *next_update, struct pc_err *err)
{
    int rc = pk_need_key(ca, PK_KEY_OCSP, err);
    if (rc)
        return rc;
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    int64_t t = pc_now_unix();
    *next_update = t + ca->cfg.ocsp_validity_secs;
    ASN1_TIME *now = ASN1_TIME_set(NULL, (time_t)t), *next = ASN1_TIME_set(NULL, (time_t)*next_update);
    if (!bs || !now || !next)
        pc_oom(0);
    for (int i = 0; !rc && i < n; i++)
        rc = add_status(ca, a, c, bs, ids[i], serials[i], known, now, next, err);
    if (!rc && req && OCSP_copy_nonce(bs, req) <= 0)
        rc = pk_ssl_fail(err, PC_EIO, "cannot copy the nonce");
    if (!rc && !OCSP_basic_sign(bs, ca->ocsp_cert, ca->key[PK_KEY_OCSP], EVP_sha256(), NULL, OCSP_RESPID_KEY)) {
        ERR_clear_error();
        if (!pk_remote_error(err))
            pc_err_set(err, PC_EUNAVAIL, "signing the OCSP response failed");
        rc = err ? err->code : PC_EUNAVAIL;
    }
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
    if (rc) {
        OCSP_BASICRESP_free(bs);
        return rc;
    }
    response_der(a, OCSP_RESPONSE_STATUS_SUCCESSFUL, bs, der, len);
    OCSP_BASICRESP_free(bs);
    return 0;
}

static OCSP_CERTID *sha1_id(struct pki_ca *ca, const char *serial)
{
    BIGNUM *bn = NULL;
    ASN1_INTEGER *i = NULL;
    OCSP_CERTID *id = NULL;
    if (BN_hex2bn(&bn, serial) && (i = BN_to_ASN1_INTEGER(bn, NULL)) != NULL)
        id = OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ca->cert), X509_get0_pubkey_bitstr(ca->cert), i);
    ASN1_INTEGER_free(i);
    BN_free(bn);
    return id;
}

int pk_ocsp_presign(struct pki_ca *ca, struct db_conn *c, const char *serial, const struct pk_row *known,
                    struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    OCSP_CERTID *id = sha1_id(ca, serial);
    char *serials[1] = {(char *)serial};
    const unsigned char *der;
    size_t len;
    int64_t next;
    int rc = id ? sign_response(ca, &a, c, &id, serials, known, 1, NULL, &der, &len, &next, err)
                : pc_err_set(err, PC_EINVAL, "bad serial %s", serial);
    if (!rc)
        rc = pk_store_ocsp_put(c, serial, pc_now_unix(), next, pk_b64(&a, der, len), err);
    OCSP_CERTID_free(id);
    pc_arena_release(&a);
    return rc;
}

/* The pre-signed answer for serial: memory, else the database (re-signed
 * there when it is about to run out and the job has not yet). */
static int presigned(struct pki_ca *ca, struct pc_arena *a, struct db_conn *c, const char *serial,
                     const unsigned char **der, size_t *len, struct pc_err *err)
{
    if (cache_get(ca, a, serial, der, len))
        return 0;
    pthread_mutex_lock(&ca->ocsp_lock);
    int64_t epoch = ca->status_epoch;
    pthread_mutex_unlock(&ca->ocsp_lock);
    int64_t next, next2;
    char *b64, *b64_2;
    int rc = pk_store_ocsp_get(c, a, serial, &next, &b64, err);
    if (rc == 0 && next - pc_now_unix() < 60) {
        /* nearly stale and the job has not come yet: sign it again now,
         * or serve the old one while it is still valid */
        if (db_begin(c, NULL) == 0 && db_end(c, pk_ocsp_presign(ca, c, serial, NULL, NULL), NULL) == 0 &&
            pk_store_ocsp_get(c, a, serial, &next2, &b64_2, NULL) == 0) {
            next = next2;
            b64 = b64_2;
        } else if (next <= pc_now_unix()) {
            rc = pc_err_set(err, PC_EUNAVAIL, "the pre-signed OCSP response of %s ran out", serial);
        }
    }
    if (rc)
        return rc;
    unsigned char *bytes;
    if (pk_unb64(a, b64, strlen(b64), &bytes, len))
        return pc_err_set(err, PC_EIO, "the stored OCSP response of %s is not base64", serial);
    *der = bytes;
    cache_put(ca, serial, bytes, *len, next, epoch);
    return 0;
}

static void free_request(void *p)
{
    OCSP_REQUEST_free(p);
}

int pki_ocsp_respond(struct pki_ca *ca, struct pc_arena *a, const void *req, size_t len, const unsigned char **resp,
                     size_t *resp_len, struct pc_err *err)
{
    const unsigned char *p = req;
    OCSP_REQUEST *rq = len && len <= PKI_OCSP_REQ_MAX ? d2i_OCSP_REQUEST(NULL, &p, (long)len) : NULL;
    if (rq && p != (const unsigned char *)req + len) {
        OCSP_REQUEST_free(rq);
        rq = NULL;
    }
    int n = rq ? OCSP_request_onereq_count(rq) : 0;
    if (n < 1 || n > MAX_CERTS_PER_REQUEST) {
        ERR_clear_error();
        OCSP_REQUEST_free(rq);
        pc_err_set(err, PC_EINVAL, "malformed OCSP request");
        return answer_status(a, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, resp, resp_len);
    }
    pc_arena_defer(a, free_request, rq);
    OCSP_CERTID *ids[MAX_CERTS_PER_REQUEST];
    char *serials[MAX_CERTS_PER_REQUEST];
    bool sha1 = true;
    for (int i = 0; i < n; i++) {
        ids[i] = OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, i));
        int which = -1;
        for (int k = 0; k < 4 && which < 0; k++)
            if (OCSP_id_issuer_cmp(ca->ids[k], ids[i]) == 0)
                which = k;
        if (which < 0) {
            pc_err_set(err, PC_EDENIED, "OCSP request for a certificate of another issuer");
            return answer_status(a, OCSP_RESPONSE_STATUS_UNAUTHORIZED, resp, resp_len);
        }
        sha1 = sha1 && which == 0;
        ASN1_INTEGER *serial = NULL;
        OCSP_id_get0_info(NULL, NULL, NULL, &serial, ids[i]);
        /* a negative or over-long serial is none of ours: unknown */
        serials[i] = serial && ASN1_STRING_length(serial) <= 21 && ASN1_STRING_type(serial) == V_ASN1_INTEGER
                         ? pk_serial_hex(a, serial) : NULL;
    }
    ERR_clear_error();
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return answer_status(a, OCSP_RESPONSE_STATUS_TRYLATER, resp, resp_len);
    check_epoch(ca, c);
    bool nonce = OCSP_REQUEST_get_ext_by_NID(rq, NID_id_pkix_OCSP_Nonce, -1) >= 0;
    int rc = PC_ENOTFOUND;
    if (n == 1 && sha1 && serials[0] && !nonce)
        rc = presigned(ca, a, c, serials[0], resp, resp_len, err);
    if (rc == 0)
        return 0;
    int64_t next;
    rc = sign_response(ca, a, c, ids, serials, NULL, n, nonce ? rq : NULL, resp, resp_len, &next, err);
    if (rc == PC_EUNAVAIL && n == 1 && sha1 && serials[0] && nonce &&
        presigned(ca, a, c, serials[0], resp, resp_len, NULL) == 0)
        return 0; /* the key is away: the pre-signed answer, without the nonce (RFC 6960 allows it) */
    if (rc)
        return answer_status(a, OCSP_RESPONSE_STATUS_TRYLATER, resp, resp_len);
    return 0;
}
