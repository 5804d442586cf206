/* ocsp.c — certificate status for the exchange.  A gateway asks the
 * certification centre's OCSP responder about its own certificates (with
 * a nonce, so the answer is made now and says how fresh it is) and sends
 * the newest answer with every message; the receiving gateway checks it:
 * signed by the responder our CA delegated, about exactly that
 * certificate, good, and no older than the freshness limit (X-Road's
 * 3600 s by default).  Checked answers are remembered by their digest, so
 * the same answer on many messages costs one signature check. */
#include "internal.h"

#include <openssl/err.h>
#include <string.h>

#define CACHE_SLOTS 256

struct slot {
    unsigned char digest[32];
    int64_t this_update;
    int status;                 /* V_OCSP_CERTSTATUS_* */
    bool used;
};

struct xr_ocsp_cache {
    pthread_mutex_t lock;
    struct slot slots[CACHE_SLOTS];
};

struct xr_ocsp_cache *xr_ocsp_cache_new(void)
{
    struct xr_ocsp_cache *c = calloc(1, sizeof *c);
    if (!c)
        pc_oom(sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void xr_ocsp_cache_free(struct xr_ocsp_cache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Verify a response's signature and find x's status in it. */
static int examine(X509_STORE *st, X509 *x, const unsigned char *der, size_t len, OCSP_CERTID *want, int *status,
                   int64_t *this_update, struct pc_err *err)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    OCSP_BASICRESP *basic = NULL;
    X509 *issuer = NULL;
    OCSP_CERTID *id = want;
    int rc = 0;
    if (!resp || p != der + len) {
        rc = pc_err_set(err, PC_EDENIED, "the OCSP answer is not DER");
    } else if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        rc = pc_err_set(err, PC_EDENIED, "the OCSP responder answered %s",
                        OCSP_response_status_str(OCSP_response_status(resp)));
    } else if (!(basic = OCSP_response_get1_basic(resp))) {
        rc = pc_err_set(err, PC_EDENIED, "the OCSP answer has no basic response");
    } else if (OCSP_basic_verify(basic, NULL, st, 0) != 1) {
        rc = pc_err_set(err, PC_EDENIED, "the OCSP answer is not signed by the trusted CA's responder");
    } else if (!id && (!(issuer = xr_issuer_in(st, x)) || !(id = OCSP_cert_to_id(EVP_sha1(), x, issuer)))) {
        rc = pc_err_set(err, PC_EDENIED, "the certificate's issuer is not the trusted CA");
    } else {
        int reason;
        ASN1_GENERALIZEDTIME *rev, *thisu, *nextu;
        if (OCSP_resp_find_status(basic, id, status, &reason, &rev, &thisu, &nextu) != 1)
            rc = pc_err_set(err, PC_EDENIED, "the OCSP answer is about another certificate");
        else
            *this_update = xr_asn1_unix(thisu);
    }
    if (id != want)
        OCSP_CERTID_free(id);
    X509_free(issuer);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
    return rc;
}

int xr_ocsp_fetch(struct pc_arena *a, const char *url, X509_STORE *st, X509 *x, unsigned char **der, size_t *len,
                  int *status, int64_t *this_update, struct pc_err *err)
{
    X509 *issuer = xr_issuer_in(st, x);
    if (!issuer)
        return pc_err_set(err, PC_EDENIED, "the certificate was not issued by the trusted CA");
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), x, issuer);
    OCSP_CERTID *mine = id ? OCSP_CERTID_dup(id) : NULL;
    int rc = 0;
    if (!req || !id || !mine || !OCSP_request_add0_id(req, id) || !OCSP_request_add1_nonce(req, NULL, 16)) {
        if (!OCSP_request_onereq_count(req))
            OCSP_CERTID_free(id);
        rc = pc_err_set(err, PC_EIO, "cannot build an OCSP request");
    }
    unsigned char *rd = NULL;
    int rl = rc ? 0 : i2d_OCSP_REQUEST(req, &rd);
    if (!rc && rl <= 0)
        rc = pc_err_set(err, PC_EIO, "cannot encode an OCSP request");
    if (!rc) {
        struct xr_http_call call = {"POST", url, NULL, 0, "application/ocsp-request", rd, (size_t)rl, 10000, 16384, NULL};
        struct xr_http_answer ans;
        enum xr_fault f;
        rc = xr_http(a, &call, &ans, &f, err);
        if (!rc && ans.status != 200)
            rc = pc_err_set(err, PC_EUNAVAIL, "the OCSP responder answered HTTP %ld", ans.status);
        if (!rc) {
            rc = examine(st, x, ans.body, ans.len, mine, status, this_update, err);
            *der = ans.body;
            *len = ans.len;
        }
    }
    OPENSSL_free(rd);
    OCSP_CERTID_free(mine);
    OCSP_REQUEST_free(req);
    X509_free(issuer);
    ERR_clear_error();
    return rc;
}

int xr_ocsp_check(struct xr_ocsp_cache *c, X509_STORE *st, X509 *x, const unsigned char *der, size_t len,
                  int freshness, int64_t now, struct pc_err *err)
{
    /* the answer and the certificate together: one answer, one certificate */
    unsigned char cert_md[32], key[64];
    unsigned int n = 0;
    X509_digest(x, EVP_sha256(), cert_md, &n);
    xr_sha256(der, len, key);
    memcpy(key + 32, cert_md, 32);
    unsigned char digest[32];
    xr_sha256(key, sizeof key, digest);
    uint32_t h = pc_fnv1a(digest, sizeof digest) % CACHE_SLOTS;
    int status = -1;
    int64_t this_update = 0;
    pthread_mutex_lock(&c->lock);
    if (c->slots[h].used && memcmp(c->slots[h].digest, digest, 32) == 0) {
        status = c->slots[h].status;
        this_update = c->slots[h].this_update;
    }
    pthread_mutex_unlock(&c->lock);
    if (status < 0) {
        int rc = examine(st, x, der, len, NULL, &status, &this_update, err);
        if (rc)
            return rc;
        pthread_mutex_lock(&c->lock);
        c->slots[h] = (struct slot){.this_update = this_update, .status = status, .used = true};
        memcpy(c->slots[h].digest, digest, 32);
        pthread_mutex_unlock(&c->lock);
    }
    if (status == V_OCSP_CERTSTATUS_REVOKED)
        return pc_err_set(err, PC_EDENIED, "the certificate is revoked or suspended");
    if (status != V_OCSP_CERTSTATUS_GOOD)
        return pc_err_set(err, PC_EDENIED, "the certificate's status is unknown");
    if (now - this_update > freshness)
        return pc_err_set(err, PC_EDENIED, "the OCSP answer is %lld s old (at most %d s is accepted)",
                          (long long)(now - this_update), freshness);
    if (this_update - now > 300)
        return pc_err_set(err, PC_EDENIED, "the OCSP answer is from the future (clocks apart)");
    return 0;
}
