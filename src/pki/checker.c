/* checker.c — the portal's checks of a certificate that logs someone in:
 * issued under our root, valid now, of a login profile, its status good
 * by our OCSP responder within the freshness limit, and the signature
 * over the challenge made by its key.  It fills identity's struct
 * id_cert_checker, so identity never includes this module.
 *
 * Cost of a login: two signature verifications (the certificate by the
 * issuing CA, which is a trust anchor here so the root's signature is not
 * checked again, and the challenge by the certificate) and a look-up in
 * the status cache; the responder is asked only when the cached answer is
 * older than the freshness limit, and then for its pre-signed answer (no
 * nonce: no signing at the centre).  A revocation is therefore seen within
 * max_age_secs, and at once by a node that had no answer cached. */
#include "internal.h"
#include "../identity/identity.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#define SLOTS 4096                  /* cached statuses (a few dozen bytes each) */
#define CHAIN_SLOTS 4096            /* certificates whose chain was verified (40 bytes each) */
#define PROBE 8                     /* slots looked at per serial */
#define SERIAL_MAX 41

struct status_slot {
    char serial[SERIAL_MAX];
    int status;                     /* V_OCSP_CERTSTATUS_* */
    int reason;
    int64_t fetched_usec;           /* monotonic */
    int64_t next_update;            /* unix: never used past it */
};

struct pki_checker {
    X509_STORE *store;              /* every certificate of the chain is an anchor */
    STACK_OF(X509) *chain;
    X509 *issuer;                   /* the issuing CA (signs the holders' certificates) */
    char *chain_pem;
    size_t chain_len;
    char *ocsp_url;                 /* NULL: the certificate's own */
    char *seen_url;                 /* the responder the last good certificate named */
    struct pki_ca *ca;
    int64_t max_age_usec;
    pthread_mutex_t lock;
    struct status_slot slots[SLOTS];
    /* A certificate (by the SHA-256 of its DER) whose chain to our anchors
     * verified, and until when it is valid: the same bytes verify the same
     * way, so a returning holder costs one signature verification (the
     * challenge's), not two.  Its status is asked for every time all the
     * same. */
    struct chain_slot {
        unsigned char der_sha256[32];
        int64_t not_before, not_after;  /* unix */
    } chains[CHAIN_SLOTS];
};

struct pki_checker *pki_checker_new(const struct pki_checker_config *c, struct pc_err *err)
{
    STACK_OF(X509) *chain = NULL;
    if (!c->chain_pem || pk_certs_from_pem(c->chain_pem, c->chain_len, &chain, err))
        return NULL;
    X509 *issuer = NULL;
    for (int i = 0; i < sk_X509_num(chain) && !issuer; i++) {
        X509 *x = sk_X509_value(chain, i);
        if (X509_check_issued(x, x) != X509_V_OK && X509_check_ca(x))
            issuer = x;
    }
    if (!issuer) {
        sk_X509_pop_free(chain, X509_free);
        pc_err_set(err, PC_EINVAL, "the chain has no issuing CA (a CA certificate that is not self-signed)");
        return NULL;
    }
    struct pki_checker *ck = calloc(1, sizeof *ck);
    if (!ck)
        pc_oom(sizeof *ck);
    ck->store = X509_STORE_new();
    ck->chain = chain;
    ck->issuer = issuer;
    if (!ck->store)
        pc_oom(0);
    for (int i = 0; i < sk_X509_num(chain); i++)
        X509_STORE_add_cert(ck->store, sk_X509_value(chain, i));
    /* the issuing CA is configured, hence trusted: no need to verify the root's signature on it every time */
    X509_STORE_set_flags(ck->store, X509_V_FLAG_PARTIAL_CHAIN);
    ck->chain_pem = strndup(c->chain_pem, c->chain_len);
    ck->chain_len = c->chain_len;
    ck->ocsp_url = c->ocsp_url ? strdup(c->ocsp_url) : NULL;
    ck->ca = c->ca;
    ck->max_age_usec = (int64_t)c->max_age_secs * 1000000;
    pthread_mutex_init(&ck->lock, NULL);
    if (!ck->chain_pem || (c->ocsp_url && !ck->ocsp_url))
        pc_oom(0);
    ERR_clear_error();
    return ck;
}

void pki_checker_free(struct pki_checker *ck)
{
    if (!ck)
        return;
    X509_STORE_free(ck->store);
    sk_X509_pop_free(ck->chain, X509_free);
    free(ck->chain_pem);
    free(ck->ocsp_url);
    free(ck->seen_url);
    pthread_mutex_destroy(&ck->lock);
    free(ck);
}

void pki_checker_trust(const struct pki_checker *ck, struct pki_trust *out)
{
    *out = (struct pki_trust){.chain_pem = ck->chain_pem, .chain_len = ck->chain_len, .ca = ck->ca};
}

/* ---- status, with a freshness limit ------------------------------------------- */

static struct status_slot *slot_for(struct pki_checker *ck, const char *serial, bool *found)
{
    uint32_t h = pc_fnv1a(serial, strlen(serial));
    struct status_slot *oldest = NULL;
    for (int i = 0; i < PROBE; i++) {
        struct status_slot *s = &ck->slots[(h + (uint32_t)i) % SLOTS];
        if (strcmp(s->serial, serial) == 0) {
            *found = true;
            return s;
        }
        if (!oldest || s->fetched_usec < oldest->fetched_usec)
            oldest = s;
    }
    *found = false;
    return oldest;
}

static enum id_cert_problem problem_of(int status, int reason)
{
    if (status == V_OCSP_CERTSTATUS_GOOD)
        return ID_CERT_OK;
    if (status == V_OCSP_CERTSTATUS_REVOKED)
        return reason == PKI_REASON_HOLD ? ID_CERT_SUSPENDED : ID_CERT_REVOKED;
    return ID_CERT_UNTRUSTED; /* a serial the responder never issued */
}

/* The status of serial (upper-case hex) now: the cached answer while it is
 * fresh, else the responder's (url: the one the certificate named, or
 * NULL).  0 with *problem (ID_CERT_OK when good), or PC_EUNAVAIL. */
static int status_of(struct pki_checker *ck, struct pc_arena *a, const char *serial, const char *url,
                     enum id_cert_problem *problem, struct pc_err *err)
{
    int64_t now = pc_mono_usec(), wall = pc_now_unix();
    bool found;
    pthread_mutex_lock(&ck->lock);
    struct status_slot *s = slot_for(ck, serial, &found);
    if (found && now - s->fetched_usec < ck->max_age_usec && (!s->next_update || wall < s->next_update)) {
        *problem = problem_of(s->status, s->reason);
        pthread_mutex_unlock(&ck->lock);
        return 0;
    }
    const char *ask = ck->ocsp_url ? ck->ocsp_url : url ? url : ck->seen_url ? pc_arena_strdup(a, ck->seen_url) : NULL;
    pthread_mutex_unlock(&ck->lock);

    BIGNUM *bn = NULL;
    if (!BN_hex2bn(&bn, serial))
        return pc_err_set(err, PC_EINVAL, "bad serial %s", serial);
    ASN1_INTEGER *num = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    OCSP_CERTID *id = num ? OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(ck->issuer),
                                             X509_get0_pubkey_bitstr(ck->issuer), num) : NULL;
    ASN1_INTEGER_free(num);
    if (!id)
        pc_oom(0);
    struct pk_ocsp_answer ans;
    int rc = pk_ocsp_ask(a, ck->ca, ask, id, false, ck->chain, ck->store, &ans, err);
    OCSP_CERTID_free(id);
    if (rc)
        return rc;
    pthread_mutex_lock(&ck->lock);
    s = slot_for(ck, serial, &found);
    snprintf(s->serial, sizeof s->serial, "%s", serial);
    s->status = ans.status;
    s->reason = ans.reason;
    s->fetched_usec = now;
    s->next_update = ans.next_update;
    if (url && !ck->ocsp_url && !pc_str_eq(ck->seen_url, url)) {
        free(ck->seen_url);
        ck->seen_url = strdup(url);
    }
    pthread_mutex_unlock(&ck->lock);
    *problem = problem_of(ans.status, ans.reason);
    return 0;
}

/* ---- the login checks ----------------------------------------------------------- */

/* Profiles that log a person in: a person's (or representative's)
 * authentication certificate, or a single-purpose one. */
static bool login_profile(const struct pki_profile *p)
{
    return p && p->ra && (p->key_usage & PKI_KU_DIGITAL_SIGNATURE) &&
           (p->subject == PKI_SUBJ_PERSON || p->subject == PKI_SUBJ_REPRESENTATIVE) &&
           ((p->ext_key_usage & PKI_EKU_CLIENT_AUTH) || p->single_service);
}

static int refuse(enum id_cert_problem *problem, enum id_cert_problem p, struct pc_err *err, const char *why)
{
    *problem = p;
    return pc_err_set(err, PC_EDENIED, "%s", why);
}

static bool signature_ok(X509 *x, const void *data, size_t len, const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY *k = X509_get0_pubkey(x);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = k && md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* The chain to our anchors now: 0, or the problem.  der: the
 * certificate's bytes (the cache's key). */
static enum id_cert_problem chain_problem(struct pki_checker *ck, X509 *x, const unsigned char *der, size_t der_len)
{
    unsigned char key[32];
    SHA256(der, der_len, key);
    struct chain_slot *slot = &ck->chains[(key[0] | key[1] << 8 | (unsigned)key[2] << 16) % CHAIN_SLOTS];
    int64_t now = pc_now_unix();
    pthread_mutex_lock(&ck->lock);
    bool known = memcmp(slot->der_sha256, key, sizeof key) == 0 && now >= slot->not_before && now <= slot->not_after;
    pthread_mutex_unlock(&ck->lock);
    if (known)
        return ID_CERT_OK;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || !X509_STORE_CTX_init(ctx, ck->store, x, ck->chain))
        pc_oom(0);
    int ok = X509_verify_cert(ctx);
    int e = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    if (ok != 1)
        return e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID ? ID_CERT_EXPIRED
                                                                                      : ID_CERT_UNTRUSTED;
    int64_t nb = pk_asn1_time(X509_get0_notBefore(x)), na = pk_asn1_time(X509_get0_notAfter(x));
    if (nb && na) { /* only a good chain is kept, and only within its validity */
        pthread_mutex_lock(&ck->lock);
        memcpy(slot->der_sha256, key, sizeof key);
        slot->not_before = nb;
        slot->not_after = na;
        pthread_mutex_unlock(&ck->lock);
    }
    return ID_CERT_OK;
}

static int check_login(void *ctx, struct pc_arena *a, const unsigned char *cert, size_t cert_len, const void *data,
                       size_t data_len, const unsigned char *sig, size_t sig_len, struct id_cert_holder *out,
                       enum id_cert_problem *problem, struct pc_err *err)
{
    struct pki_checker *ck = ctx;
    memset(out, 0, sizeof *out);
    *problem = ID_CERT_OK;
    X509 *x = pk_cert_from_der(cert, cert_len);
    if (!x)
        return refuse(problem, ID_CERT_MALFORMED, err, "the certificate cannot be read");
    const X509_NAME *n = X509_get_subject_name(x);
    out->serial = pk_serial_hex(a, X509_get0_serialNumber(x));
    out->fin = pk_plain_id(pk_name_get(a, n, NID_serialNumber));
    out->name = pk_name_get(a, n, NID_commonName);
    const struct pki_profile *p = pk_profile_of_cert(x);
    enum id_cert_problem chain = chain_problem(ck, x, cert, cert_len);
    int rc = 0;
    if (chain)
        rc = refuse(problem, chain, err, chain == ID_CERT_EXPIRED ? "the certificate is not valid now"
                                                                   : "the certificate is not issued by our centre");
    else if (!login_profile(p) || !(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) || !id_fin_valid(out->fin))
        rc = refuse(problem, ID_CERT_WRONG_PROFILE, err,
                    pc_arena_printf(a, "a %s certificate does not log in", p ? p->id : "foreign"));
    else if (sig && !signature_ok(x, data, data_len, sig, sig_len)) /* no sig: a TLS handshake proved the key */
        rc = refuse(problem, ID_CERT_BAD_SIGNATURE, err, "the signature does not verify with the certificate's key");
    if (!rc) {
        if (p->subject == PKI_SUBJ_REPRESENTATIVE)
            out->voen = pk_plain_id(pk_name_get(a, n, NID_organizationIdentifier));
        if (p->single_service && !(out->only_service = pk_cert_service(a, x)))
            rc = refuse(problem, ID_CERT_WRONG_PROFILE, err, "a single-purpose certificate that names no service");
        else if (p->subject == PKI_SUBJ_REPRESENTATIVE && !id_voen_valid(out->voen))
            rc = refuse(problem, ID_CERT_WRONG_PROFILE, err, "a representative's certificate without a VÖEN");
    }
    if (!rc && !(rc = status_of(ck, a, out->serial, pk_ocsp_url(a, x), problem, err)) && *problem)
        rc = refuse(problem, *problem, err, pc_arena_printf(a, "the certificate is %s", id_cert_problem_name(*problem)));
    X509_free(x);
    ERR_clear_error();
    return rc;
}

static int check_status(void *ctx, struct pc_arena *a, const char *serial, enum id_cert_problem *problem,
                        struct pc_err *err)
{
    *problem = ID_CERT_OK;
    int rc = status_of(ctx, a, serial, NULL, problem, err);
    if (!rc && *problem)
        return pc_err_set(err, PC_EDENIED, "the certificate is %s", id_cert_problem_name(*problem));
    return rc;
}

void pki_checker_login(struct pki_checker *ck, struct id_cert_checker *out)
{
    *out = (struct id_cert_checker){.check = check_login, .status = check_status, .ctx = ck};
}
