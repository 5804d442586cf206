/* refund.c — refunds by the agency's officers, full or partial: the
 * amount is reserved in one conditional statement (never above what was
 * paid less what was refunded, whatever runs at the same time), then
 * asked of the provider; a refusal gives it back. */
#include "internal.h"
#include "../audit/audit.h"
#include "../identity/identity.h"

#include <string.h>

#define REASON_MAX 500

static int reserve(struct db_conn *c, const struct pay_refund *r, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE pay_payments SET refunded_qepik = refunded_qepik + ?, updated_at = ?"
                                      " WHERE id = ? AND status = 'success' AND refunded_qepik + ? <= amount_qepik", err);
    if (!s)
        return pay_err(err);
    db_bind_int(s, 1, r->amount_qepik);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, r->payment_id);
    db_bind_int(s, 4, r->amount_qepik);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return pc_err_set(err, PC_EINVAL, "a refund of %lld qəpik is above what remains of the payment",
                          (long long)r->amount_qepik);
    s = db_prepare(c, "INSERT INTO pay_refunds(id, payment_id, amount_qepik, status, by_account, reason, created_at)"
                      " VALUES (?, ?, ?, 'pending', ?, ?, ?)", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, r->id);
    db_bind_text(s, 2, r->payment_id);
    db_bind_int(s, 3, r->amount_qepik);
    db_bind_text(s, 4, r->by_account);
    db_bind_text(s, 5, r->reason);
    db_bind_int(s, 6, now);
    n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

/* After the provider answered: done, or failed with the amount given back. */
static int settle(struct db_conn *c, const struct pay_refund *r, bool ok, struct pc_err *err)
{
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE pay_refunds SET status = ? WHERE id = ?", err);
    if (!s)
        return db_end(c, pay_err(err), err);
    db_bind_text(s, 1, ok ? "done" : "failed");
    db_bind_text(s, 2, r->id);
    int64_t n = db_run(s, err);
    if (n >= 0 && !ok) {
        s = db_prepare(c, "UPDATE pay_payments SET refunded_qepik = refunded_qepik - ? WHERE id = ?", err);
        if (!s)
            return db_end(c, pay_err(err), err);
        db_bind_int(s, 1, r->amount_qepik);
        db_bind_text(s, 2, r->payment_id);
        n = db_run(s, err);
    }
    return db_end(c, n < 0 ? (int)n : 0, err);
}

int pay_refund(struct db *db, struct pay_provider *prov, const struct id_principal *who, const char *payment_id,
               int64_t amount_qepik, const char *reason, const char *ip, struct pc_arena *a, struct pay_refund *out,
               struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    struct pay_payment p;
    int rc = pay_get(db, a, payment_id, &p, err);
    if (rc)
        return rc;
    struct id_resource res = {.agency_id = p.agency_id};
    int role = id_authorize_role(who, ID_ACT_PAY_REFUND, &res);
    if (role < 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such payment");
    if (amount_qepik <= 0)
        return pc_err_set(err, PC_EINVAL, "a refund is a positive amount");
    if (!reason || !*reason || strlen(reason) > REASON_MAX || !pc_utf8_valid(reason, strlen(reason)))
        return pc_err_set(err, PC_EINVAL, "a refund needs a reason of at most %d bytes", REASON_MAX);
    if (p.status != PAY_SUCCESS)
        return pc_err_set(err, PC_EINVAL, "only a succeeded payment can be refunded");
    char rnd[25];
    pc_random_hex(rnd, 12);
    out->id = pc_arena_printf(a, "RF-%s", rnd);
    out->payment_id = p.id;
    out->amount_qepik = amount_qepik;
    out->by_account = who->account_id;
    out->reason = reason;
    out->created_at = pc_now_unix();
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    rc = reserve(c, out, out->created_at, err);
    struct audit_entry e = {.actor = who->account_id, .role = id_role_name((enum id_role)role), .action = "payment.refund",
                            .object_type = "payment", .object_id = p.id, .ip = ip ? ip : "",
                            .detail = pc_arena_printf(a, "%s %lld", out->id, (long long)amount_qepik)};
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    rc = prov->ops->refund(prov->ctx, p.provider_id, out->id, amount_qepik, err);
    struct pc_err e2 = {0};
    int src = settle(c, out, rc == 0, &e2);
    out->status = rc == 0 ? "done" : "failed";
    if (rc)
        return rc;
    if (src)
        *err = e2;
    return src;
}

int pay_refunds_of(struct db *db, struct pc_arena *a, const char *payment_id, struct pay_refund **out, size_t *n,
                   struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, 50, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, payment_id, by_account, reason, status, amount_qepik, created_at"
                                          " FROM pay_refunds WHERE payment_id = ? ORDER BY created_at, id LIMIT 50", err)
                          : NULL;
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, payment_id);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        struct pay_refund *r = &(*out)[(*n)++];
        r->id = pc_arena_strdup(a, db_col_text(s, 0));
        r->payment_id = pc_arena_strdup(a, db_col_text(s, 1));
        r->by_account = pc_arena_strdup(a, db_col_text(s, 2));
        r->reason = pc_arena_strdup(a, db_col_text(s, 3));
        r->status = pc_arena_strdup(a, db_col_text(s, 4));
        r->amount_qepik = db_col_int(s, 5);
        r->created_at = db_col_int(s, 6);
    }
    return rc < 0 ? rc : 0;
}
