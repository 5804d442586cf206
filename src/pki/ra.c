/* ra.c — the registration authority: issuance (from a CSR or as a
 * PKCS#12), suspension, resumption, revocation, renewal, a holder's list,
 * statistics.  Who may do what is decided in one function, authorize().
 *
 * Nothing is half-done: a certificate is built and signed first (in the
 * key process), then the certificate, its first status, the request, its
 * pre-signed OCSP response and the audit entry are written in one
 * transaction.  If the key process is down, signing fails before anything
 * is written; if the transaction fails, the signed bytes are dropped and
 * were never handed out.  A refused request is recorded (request row and
 * audit entry) in a transaction of its own. */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pkcs12.h>

#define LIST_MAX 200

enum op { OP_ISSUE, OP_VIEW, OP_SUSPEND, OP_RESUME, OP_REVOKE, OP_RENEW };
static const char *const op_names[] = {"issue", "view", "suspend", "resume", "revoke", "renew"};
static const char *const role_names[] = {"holder", "registrar", "operator"};

/* The one place that decides.  Operators may do everything; registrars
 * everything an RA does (they checked the ID card at the desk); holders
 * act on what is theirs: their FİN, or a VÖEN the RA vouched they may act
 * for.  Resuming a suspended certificate needs a registrar (the holder's
 * identity is proven again).  The centre's own certificates (responder,
 * TSA) are never the RA's business. */
static int authorize(const struct pki_actor *who, enum op op, const struct pki_profile *p, const char *fin,
                     const char *voen, struct pc_err *err)
{
    if (p && !p->ra)
        return pc_err_set(err, PC_EDENIED, "profile %s is not issued through the registration authority", p->id);
    if (who->role == PKI_ACTOR_OPERATOR || who->role == PKI_ACTOR_REGISTRAR)
        return 0;
    if (who->role != PKI_ACTOR_HOLDER || op == OP_RESUME)
        return pc_err_set(err, PC_EDENIED, "a holder may not %s a certificate", op_names[op]);
    bool own_person = fin && who->fin && strcmp(fin, who->fin) == 0;
    bool own_entity = voen && who->voen && strcmp(voen, who->voen) == 0;
    bool ok;
    if (p && p->subject == PKI_SUBJ_OFFICER)
        ok = false; /* an agency's officers get theirs from a registrar */
    else if (p && p->subject == PKI_SUBJ_REPRESENTATIVE)
        ok = own_person && own_entity;
    else if (p && p->subject == PKI_SUBJ_ORGANISATION)
        ok = own_entity;
    else
        ok = fin ? own_person : own_entity;
    return ok ? 0 : pc_err_set(err, PC_EDENIED, "the certificate is not the holder's own");
}

int pk_audit(struct db_conn *c, const struct pki_actor *who, const char *action, const char *serial,
             const char *detail, struct pc_err *err)
{
    struct audit_entry e = {
        .actor = who->id ? who->id : "unknown",
        .role = role_names[who->role],
        .action = action,
        .object_type = "certificate",
        .object_id = serial ? serial : "",
        .ip = who->ip ? who->ip : "",
        .detail = detail ? detail : "",
    };
    int64_t seq = audit_append(c, &e, err);
    return seq < 0 ? (int)seq : 0;
}

static const char *request_id(struct pc_arena *a)
{
    char *id = pc_arena_alloc(a, 33);
    pc_random_hex(id, 16);
    return id;
}

static int check_channel(const char *channel, struct pc_err *err)
{
    static const char *const ok[] = {"online", "desk", "api", "cli"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (pc_str_eq(channel, ok[i]))
            return 0;
    return pc_err_set(err, PC_EINVAL, "channel must be online, desk, api or cli");
}

/* Record a refused request (rc is an error, not the CA being down) in a
 * transaction of its own; returns rc unchanged. */
static int refused(struct pki_ca *ca, const struct pki_actor *who, const char *kind, const char *profile,
                   const struct pki_holder *h, const char *channel, int rc, const struct pc_err *why)
{
    if (rc == 0 || rc == PC_EUNAVAIL)
        return rc;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err e2 = {0};
    struct db_conn *c = db_conn_get(ca->db, &e2);
    const char *detail = pc_arena_printf(&a, "%s: %s", pc_errcode_name(rc), why ? why->msg : "");
    if (c && db_begin(c, &e2) == 0) {
        int r = pk_store_request(c, request_id(&a), pc_now_unix(), kind, profile, h,
                                 check_channel(channel, NULL) ? "api" : channel, who->id ? who->id : "unknown",
                                 "rejected", NULL, detail, &e2);
        if (!r)
            r = pk_audit(c, who, "pki.request_refused", NULL, pc_arena_printf(&a, "%s %s", kind, detail), &e2);
        db_end(c, r, &e2);
    }
    if (e2.code)
        pc_log(PC_LOG_WARN, "pki.refusal_not_recorded", "msg", e2.msg, NULL);
    pc_arena_release(&a);
    return rc;
}

/* PEM text of a certificate stored as base64 DER. */
static char *pem_of_b64(struct pc_arena *a, const char *b64)
{
    struct pc_buf b;
    size_t n = strlen(b64);
    pc_buf_init(&b, n + n / 64 + 128);
    pc_buf_puts(&b, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < n; i += 64) {
        pc_buf_append(&b, b64 + i, n - i < 64 ? n - i : 64);
        pc_buf_putc(&b, '\n');
    }
    pc_buf_puts(&b, "-----END CERTIFICATE-----\n");
    char *s = pc_arena_strdup(a, b.data);
    pc_buf_release(&b);
    return s;
}

static void to_cert(struct pc_arena *a, const struct pk_row *r, struct pki_cert *out)
{
    *out = (struct pki_cert){
        .serial = r->serial, .profile = r->profile, .category = r->category, .subject = r->subject,
        .fin = r->fin, .voen = r->voen, .status = r->status, .reason = r->reason, .revoked_at = r->revoked_at,
        .not_before = r->not_before, .not_after = r->not_after, .renewed_from = r->renewed_from,
        .pem = pem_of_b64(a, r->der_b64),
    };
}

struct issue_ctx {
    const struct pki_actor *who;
    const struct pki_profile *p;
    const char *fin, *voen;          /* for the row */
    enum pki_category category;
    X509_NAME *subject;
    EVP_PKEY *pubkey;
    const X509_PUBKEY *spki;         /* a CSR's key, copied as it is */
    const char *service;
    const char *kind, *channel, *renewed_from;
    const struct pki_holder *h;      /* for the request row */
};

/* What one issuance writes, in the (shared) transaction of pk_commit. */
struct issue_write {
    struct pki_ca *ca;
    const struct issue_ctx *ic;
    const struct pk_row *row;
    struct pc_arena *a;
};

static int issue_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    struct issue_write *w = arg;
    const struct pk_row *row = w->row;
    const struct issue_ctx *ic = w->ic;
    const char *actor = ic->who->id ? ic->who->id : "unknown";
    int rc;
    if ((rc = pk_store_insert(c, row, err)) ||
        (rc = pk_store_event(c, row->serial, row->created_at, PKI_STATUS_GOOD, 0, actor, err)) ||
        (rc = pk_store_request(c, request_id(w->a), row->created_at, ic->kind, ic->p->id, ic->h, ic->channel, actor,
                               "issued", row->serial, row->subject, err)) ||
        (rc = pk_ocsp_presign(w->ca, c, row->serial, row, err)))
        return rc;
    return pk_audit(c, ic->who, ic->renewed_from ? "pki.renew" : "pki.issue", row->serial,
                    pc_arena_printf(w->a, "%s %s %s", ic->p->id, ic->channel, row->subject), err);
}

/* Sign, then store everything in one transaction (shared with other
 * issuances that come at the same time: db_commit_group). */
static int issue(struct pki_ca *ca, struct pc_arena *a, const struct issue_ctx *ic, struct pki_cert *out,
                 X509 **cert_out, struct pc_err *err)
{
    struct pk_issue is = {
        .profile = ic->p, .subject = ic->subject, .pubkey = ic->pubkey, .spki = ic->spki, .issuer = ca->cert,
        .issuer_key = ca->key[PK_KEY_CA], .service = ic->service, .aia_ocsp = ca->aia_ocsp,
        .aia_issuer = ca->aia_issuer, .crl_url = ca->crl_url, .path_len = -1,
    };
    int rc = pk_need_key(ca, PK_KEY_CA, err);
    X509 *x = rc ? NULL : pk_cert_make(&is, err);
    if (!x)
        return rc ? rc : err ? err->code : PC_EIO;
    size_t dlen;
    char *der = pk_der_of_cert(a, x, &dlen);
    int64_t now = pc_now_unix();
    struct pk_row row = {
        .serial = pk_serial_hex(a, X509_get0_serialNumber(x)), .issuer = ca->issuer_id, .profile = ic->p->id,
        .subject = pk_name_str(a, ic->subject), .fin = ic->fin, .voen = ic->voen, .renewed_from = ic->renewed_from,
        .der_b64 = pk_b64(a, der, dlen), .category = ic->category, .status = PKI_STATUS_GOOD,
        .not_before = pk_asn1_time(X509_get0_notBefore(x)), .not_after = pk_asn1_time(X509_get0_notAfter(x)),
        .created_at = now,
    };
    struct issue_write w = {.ca = ca, .ic = ic, .row = &row, .a = a};
    rc = pk_commit(ca, issue_write, &w, err);
    if (rc) {
        X509_free(x);
        return rc;
    }
    to_cert(a, &row, out);
    if (cert_out)
        *cert_out = x;
    else
        X509_free(x);
    return 0;
}

/* The common part of the two ways to issue: profile, authority, holder. */
static int prepare(struct pki_ca *ca, const struct pki_actor *who, const char *profile, const struct pki_holder *h,
                   const char *channel, struct issue_ctx *ic, struct pc_err *err)
{
    (void)ca;
    const struct pki_profile *p = pki_profile_find(profile);
    if (!p)
        return pc_err_set(err, PC_EINVAL, "unknown profile %s", profile ? profile : "(none)");
    int rc;
    if ((rc = check_channel(channel, err)) || (rc = authorize(who, OP_ISSUE, p, h->fin, h->voen, err)) ||
        (rc = pk_subject_build(p, h, &ic->subject, err)))
        return rc;
    bool person = p->subject != PKI_SUBJ_ORGANISATION && p->subject != PKI_SUBJ_SERVICE;
    bool entity = p->subject == PKI_SUBJ_REPRESENTATIVE || p->subject == PKI_SUBJ_ORGANISATION;
    ic->who = who;
    ic->p = p;
    ic->fin = person ? h->fin : NULL;
    ic->voen = entity ? h->voen : NULL;
    ic->category = pk_category_of(p, h);
    ic->service = p->single_service ? h->service : NULL;
    ic->channel = channel;
    ic->h = h;
    return 0;
}

int pki_issue_csr(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                  const struct pki_holder *h, const void *csr, size_t csr_len, const char *channel,
                  struct pki_cert *out, struct pc_err *err)
{
    struct issue_ctx ic = {.kind = "csr"};
    X509_REQ *req = NULL;
    int rc = prepare(ca, who, profile, h, channel, &ic, err);
    if (!rc)
        rc = pk_csr_parse(csr, csr_len, &req, err);
    if (!rc)
        rc = pk_subject_check(a, X509_REQ_get_subject_name(req), ic.subject, err);
    if (!rc) {
        ic.spki = X509_REQ_get_X509_PUBKEY(req);
        rc = issue(ca, a, &ic, out, NULL, err);
    }
    X509_REQ_free(req);
    X509_NAME_free(ic.subject);
    return refused(ca, who, "csr", profile, h, channel, rc, err);
}

int pki_issue_p12(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *profile,
                  const struct pki_holder *h, enum pki_key_type kt, const char *password, const char *channel,
                  struct pki_cert *out, const unsigned char **p12, size_t *p12_len, struct pc_err *err)
{
    struct issue_ctx ic = {.kind = "p12"};
    size_t plen = password ? strlen(password) : 0;
    int rc = prepare(ca, who, profile, h, channel, &ic, err);
    if (!rc && (plen < PKI_P12_PASSWORD_MIN || plen > PKI_P12_PASSWORD_MAX || !pc_utf8_valid(password, plen)))
        rc = pc_err_set(err, PC_EINVAL, "the PKCS#12 password must be %d to %d characters", PKI_P12_PASSWORD_MIN,
                        PKI_P12_PASSWORD_MAX);
    EVP_PKEY *key = NULL;
    X509 *x = NULL;
    if (!rc && !(key = pk_key_generate(kt, err)))
        rc = err ? err->code : PC_EIO;
    if (!rc) {
        ic.pubkey = key;
        rc = issue(ca, a, &ic, out, &x, err);
    }
    if (!rc) {
        PKCS12 *pk = PKCS12_create(password, out->serial, key, x, ca->chain, 0, 0, 0, 0, 0);
        int n = pk ? i2d_PKCS12(pk, NULL) : -1;
        if (n > 0) {
            unsigned char *buf = pc_arena_alloc(a, (size_t)n), *q = buf;
            i2d_PKCS12(pk, &q);
            *p12 = buf;
            *p12_len = (size_t)n;
        } else {
            rc = pk_ssl_fail(err, PC_EIO, "cannot make the PKCS#12");
        }
        PKCS12_free(pk);
    }
    EVP_PKEY_free(key);
    X509_free(x);
    X509_NAME_free(ic.subject);
    return refused(ca, who, "p12", profile, h, channel, rc, err);
}

int pki_cert_get(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *serial,
                 struct pki_cert *out, struct pc_err *err)
{
    const char *sn = pk_serial_norm(a, serial);
    if (!sn)
        return pc_err_set(err, PC_EINVAL, "a serial number is up to 40 hex digits");
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    struct pk_row r = {0};
    int rc = pk_store_get(c, a, sn, &r, err);
    if (!rc)
        rc = authorize(who, OP_VIEW, NULL, r.fin, r.voen, err);
    if (!rc)
        to_cert(a, &r, out);
    return rc;
}

int pki_cert_list(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *fin,
                  const char *voen, struct pki_cert **out, size_t *n, struct pc_err *err)
{
    if (!fin && !voen)
        return pc_err_set(err, PC_EINVAL, "give a FİN or a VÖEN");
    int rc = authorize(who, OP_VIEW, NULL, fin, fin ? NULL : voen, err);
    if (rc)
        return rc;
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    struct pk_row *rows;
    if ((rc = pk_store_list(c, a, fin, voen, LIST_MAX, &rows, n, err)))
        return rc;
    *out = pc_arena_array(a, *n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++)
        to_cert(a, &rows[i], &(*out)[i]);
    return 0;
}

/* Move a certificate from one status to another, with everything that
 * goes with it, in one transaction; then this node forgets its cached
 * OCSP answers (other nodes see the epoch move). */
static int change(struct pki_ca *ca, const struct pki_actor *who, const char *serial, enum op op, int reason,
                  struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    const char *sn = pk_serial_norm(&a, serial);
    struct db_conn *c = sn && !pk_need_key(ca, PK_KEY_OCSP, err) ? db_conn_get(ca->db, err) : NULL;
    int rc = !sn ? pc_err_set(err, PC_EINVAL, "a serial number is up to 40 hex digits")
             : !c ? (err ? err->code : PC_EUNAVAIL) : db_begin(c, err);
    if (rc) {
        pc_arena_release(&a);
        return rc;
    }
    struct pk_row r = {0};
    int64_t now = pc_now_unix(), epoch;
    enum pki_status to = op == OP_SUSPEND ? PKI_STATUS_SUSPENDED : op == OP_RESUME ? PKI_STATUS_GOOD
                                                                                 : PKI_STATUS_REVOKED;
    if (op == OP_SUSPEND)
        reason = PKI_REASON_HOLD;
    if (!(rc = pk_store_get(c, &a, sn, &r, err)) && !(rc = authorize(who, op, NULL, r.fin, r.voen, err))) {
        if (r.status == PKI_STATUS_REVOKED)
            rc = pc_err_set(err, PC_ECONFLICT, "certificate %s is revoked", sn);
        else if (op == OP_SUSPEND && r.status == PKI_STATUS_SUSPENDED)
            rc = pc_err_set(err, PC_ECONFLICT, "certificate %s is already suspended", sn);
        else if (op == OP_RESUME && r.status != PKI_STATUS_SUSPENDED)
            rc = pc_err_set(err, PC_ECONFLICT, "certificate %s is not suspended", sn);
        else if (op != OP_REVOKE && r.not_after <= now)
            rc = pc_err_set(err, PC_ECONFLICT, "certificate %s has expired", sn);
    }
    const char *actor = who->id ? who->id : "unknown";
    struct pk_row now_row = r;
    now_row.status = to;
    now_row.reason = reason;
    now_row.revoked_at = to == PKI_STATUS_GOOD ? 0 : now;
    if (!rc && !(rc = pk_store_set_status(c, sn, to, reason, now, err)) &&
        !(rc = pk_store_event(c, sn, now, to, reason, actor, err)) &&
        !(rc = pk_counter_add(c, PK_COUNTER_EPOCH, 1, &epoch, err)) &&
        !(rc = pk_ocsp_presign(ca, c, sn, &now_row, err)))
        rc = pk_audit(c, who, pc_arena_printf(&a, "pki.%s", op_names[op]), sn,
                      op == OP_REVOKE ? pki_reason_name(reason) : "", err);
    rc = db_end(c, rc, err);
    if (!rc)
        pk_ocsp_forget(ca);
    pc_arena_release(&a);
    return rc;
}

int pki_suspend(struct pki_ca *ca, const struct pki_actor *who, const char *serial, struct pc_err *err)
{
    return change(ca, who, serial, OP_SUSPEND, PKI_REASON_HOLD, err);
}

int pki_resume(struct pki_ca *ca, const struct pki_actor *who, const char *serial, struct pc_err *err)
{
    return change(ca, who, serial, OP_RESUME, 0, err);
}

int pki_revoke(struct pki_ca *ca, const struct pki_actor *who, const char *serial, int reason, struct pc_err *err)
{
    if (!pki_reason_name(reason) || reason == PKI_REASON_HOLD)
        return pc_err_set(err, PC_EINVAL, "not a revocation reason (suspend for certificateHold)");
    return change(ca, who, serial, OP_REVOKE, reason, err);
}

int pki_renew(struct pki_ca *ca, struct pc_arena *a, const struct pki_actor *who, const char *serial,
              const void *csr, size_t csr_len, const char *channel, struct pki_cert *out, struct pc_err *err)
{
    const char *sn = pk_serial_norm(a, serial);
    if (!sn)
        return pc_err_set(err, PC_EINVAL, "a serial number is up to 40 hex digits");
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    struct pk_row r = {0};
    int rc = pk_store_get(c, a, sn, &r, err);
    const struct pki_profile *p = rc ? NULL : pki_profile_find(r.profile);
    if (!rc && !p)
        rc = pc_err_set(err, PC_ECONFLICT, "certificate %s has a profile no longer issued", sn);
    if (!rc)
        rc = check_channel(channel, err);
    if (!rc)
        rc = authorize(who, OP_RENEW, p, r.fin, r.voen, err);
    if (!rc && r.status == PKI_STATUS_REVOKED)
        rc = pc_err_set(err, PC_ECONFLICT, "certificate %s is revoked: apply for a new one", sn);
    /* the same subject as before: it was written by us from the holder's
     * identity, and the CSR must match it like any other */
    unsigned char *der = NULL;
    size_t dlen = 0;
    X509 *old = NULL;
    X509_REQ *req = NULL;
    if (!rc && (pk_unb64(a, r.der_b64, strlen(r.der_b64), &der, &dlen) || !(old = pk_cert_from_der(der, dlen))))
        rc = pc_err_set(err, PC_EIO, "the stored certificate %s cannot be read", sn);
    if (!rc)
        rc = pk_csr_parse(csr, csr_len, &req, err);
    if (!rc)
        rc = pk_subject_check(a, X509_REQ_get_subject_name(req), X509_get_subject_name(old), err);
    struct pki_holder h = {.fin = r.fin, .voen = r.voen};
    if (!rc) {
        struct issue_ctx ic = {
            .who = who, .p = p, .fin = r.fin, .voen = r.voen, .category = r.category,
            .subject = X509_get_subject_name(old), .spki = X509_REQ_get_X509_PUBKEY(req),
            .service = pk_cert_service(a, old), .kind = "renew", .channel = channel, .renewed_from = sn, .h = &h,
        };
        rc = issue(ca, a, &ic, out, NULL, err);
    }
    X509_REQ_free(req);
    X509_free(old);
    return rc == PC_ENOTFOUND ? rc : refused(ca, who, "renew", r.profile, &h, channel, rc, err);
}

int pki_stats(struct pki_ca *ca, struct pki_stats *out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(ca->db, err);
    if (!c)
        return err ? err->code : PC_EUNAVAIL;
    return pk_store_stats(c, pc_now_unix(), out, err);
}
