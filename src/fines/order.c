/* order.c — paying fines: an order is the protocols one payer pays
 * together (open while its payment may still bring money or the register
 * is still to be told; told; refused by the register; void when no money
 * came).  Before money moves each protocol is read again from the
 * register (unpaid, the amount the payer was shown) and claimed by the
 * order in one transaction (a protocol paid, or being paid by another
 * payment now, is refused); then src/pay makes the payment.  Once it
 * succeeded the register is told (settle: at once from the return page,
 * and by the job until the register knows); a payment that failed or was
 * given up frees the claims. */
#include "fines.h"
#include "../pay/pay.h"

#include <stdlib.h>
#include <string.h>

#define FINE_SERVICE "din-fees-fines-payment"   /* the catalogue's service */
#define FINE_AGENCY "din"
#define ORDER_KEEP_SECS (7 * 86400)             /* an open order is looked at this long */
#define ORDER_STARTING_SECS 120                 /* an order still without a payment is being made */

static int failed(struct pc_err *err)
{
    return err->code ? err->code : pc_err_set(err, PC_EIO, "the database did not answer");
}

/* Is the order other (holding a claim) paying or paid now?  PC_ECONFLICT
 * saying which, 0 when its claim may be taken over. */
static int claim_live(struct db *db, struct pc_arena *a, const char *other, const char *number, struct pc_err *err)
{
    struct fine_order o;
    int rc = fine_order_get(db, a, other, &o, err);
    if (rc == PC_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (pc_str_eq(o.state, "told"))
        return pc_err_set(err, PC_ECONFLICT, "protocol %s is paid", number);
    struct pay_payment *p;
    size_t n;
    if ((rc = pay_list_for(db, a, other, &p, &n, err)))
        return rc;
    int64_t now = pc_now_unix();
    for (size_t i = 0; i < n; i++) {
        if (p[i].status == PAY_SUCCESS)
            return pc_err_set(err, PC_ECONFLICT, "protocol %s is paid", number);
        if (!pay_status_final(p[i].status) && now - p[i].created_at < PAY_EXPIRE_SECS)
            return pc_err_set(err, PC_ECONFLICT, "protocol %s is being paid now", number);
    }
    if (n == 0 && now - o.created_at < ORDER_STARTING_SECS)
        return pc_err_set(err, PC_ECONFLICT, "protocol %s is being paid now", number);
    return 0;
}

/* The order's row and its claims, in one transaction. */
static int open_order(struct db *db, struct pc_arena *a, const char *id, const char *const *numbers,
                      const int64_t *amounts, size_t n, int64_t total, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return failed(err);
    struct pc_buf nums, ams;
    pc_buf_init(&nums, 1024);
    pc_buf_init(&ams, 1024);
    for (size_t i = 0; i < n; i++) {
        pc_buf_printf(&nums, "%s%s", i ? " " : "", numbers[i]);
        pc_buf_printf(&ams, "%s%lld", i ? " " : "", (long long)amounts[i]);
    }
    int64_t now = pc_now_unix();
    int rc = db_begin(c, err);
    struct db_stmt *s = rc ? NULL : db_prepare(c, "INSERT INTO fine_orders(id, protocols, amounts, amount_qepik, state,"
                                                  " created_at) VALUES (?, ?, ?, ?, 'open', ?)", err);
    if (!rc && !s)
        rc = failed(err);
    if (!rc) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, pc_arena_strndup(a, nums.data, nums.len));
        db_bind_text(s, 3, pc_arena_strndup(a, ams.data, ams.len));
        db_bind_int(s, 4, total);
        db_bind_int(s, 5, now);
        int64_t r = db_run(s, err);
        rc = r < 0 ? (int)r : 0;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        s = db_prepare(c, "INSERT INTO fine_claims(protocol_no, order_id, claimed_at) VALUES (?, ?, ?)"
                          " ON CONFLICT (protocol_no) DO NOTHING", err);
        if (!s) {
            rc = failed(err);
            break;
        }
        db_bind_text(s, 1, numbers[i]);
        db_bind_text(s, 2, id);
        db_bind_int(s, 3, now);
        int64_t r = db_run(s, err);
        if (r != 0) {
            rc = r < 0 ? (int)r : 0;
            continue;
        }
        /* claimed by another order: taken over only when that one is dead */
        s = db_prepare(c, "SELECT order_id FROM fine_claims WHERE protocol_no = ?", err);
        if (!s) {
            rc = failed(err);
            break;
        }
        db_bind_text(s, 1, numbers[i]);
        int got = db_step(s, err);
        const char *other = got == 1 ? pc_arena_strdup(a, db_col_text(s, 0)) : NULL;
        if (got < 0 || (got == 1 && (rc = claim_live(db, a, other, numbers[i], err))))
            rc = got < 0 ? got : rc;
        if (rc)
            break;
        s = db_prepare(c, "UPDATE fine_claims SET order_id = ?, claimed_at = ? WHERE protocol_no = ? AND order_id = ?",
                       err);
        if (!s) {
            rc = failed(err);
            break;
        }
        db_bind_text(s, 1, id);
        db_bind_int(s, 2, now);
        db_bind_text(s, 3, numbers[i]);
        db_bind_text(s, 4, other ? other : "");
        r = db_run(s, err);
        rc = r < 0 ? (int)r : r == 1 ? 0 : pc_err_set(err, PC_ECONFLICT, "protocol %s is being paid now", numbers[i]);
    }
    pc_buf_release(&nums);
    pc_buf_release(&ams);
    rc = db_end(c, rc, err);
    db_conn_idle(c);
    return rc;
}

static int set_state(struct db *db, const char *id, const char *state, const char *problem, struct pc_err *err);

/* The order's claims given up (its payment failed, or was never made). */
static int release(struct db *db, const char *id, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "DELETE FROM fine_claims WHERE order_id = ?", err) : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, id);
    int64_t r = db_run(s, err);
    db_conn_idle(c);
    return r < 0 ? (int)r : 0;
}

int fine_pay_start(struct db *db, struct pay_provider *prov, const struct fine_registry *reg,
                   const struct fine_client *who, const char *const *numbers, size_t n, int64_t shown_qepik,
                   const char *return_base, struct pc_arena *a, struct pay_payment *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!prov)
        return pc_err_set(err, PC_EUNAVAIL, "online payment is not configured");
    if (n == 0 || n > FINE_ORDER_MAX)
        return pc_err_set(err, PC_EINVAL, "choose 1 to %d protocols", FINE_ORDER_MAX);
    int64_t *amounts = pc_arena_array(a, n, sizeof *amounts), total = 0;
    int rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = fine_id_check(FINE_BY_PROTOCOL, numbers[i], err)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (pc_str_eq(numbers[i], numbers[j]))
                return pc_err_set(err, PC_EINVAL, "protocol %s is named twice", numbers[i]);
    }
    if ((rc = fine_throttle(db, who->ip, who->per_minute, err)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct fine *f;
        size_t m;
        if ((rc = fine_registry_find(reg, a, FINE_BY_PROTOCOL, numbers[i], &f, &m, err)))
            return rc;
        if (m != 1)
            return pc_err_set(err, PC_EINVAL, "there is no protocol %s to pay", numbers[i]);
        if (f->status != FINE_UNPAID)
            return pc_err_set(err, PC_ECONFLICT, "protocol %s is %s", numbers[i],
                              f->status == FINE_PAID ? "paid" : "cancelled");
        amounts[i] = f->amount_qepik;
        total += f->amount_qepik;
    }
    if (total != shown_qepik)
        return pc_err_set(err, PC_ECONFLICT, "the amount to pay is %lld qəpik, not %lld", (long long)total,
                          (long long)shown_qepik);
    char rnd[25];
    pc_random_hex(rnd, 12);
    const char *id = pc_arena_printf(a, "FIN-%s", rnd);
    if ((rc = open_order(db, a, id, numbers, amounts, n, total, err)))
        return rc;
    struct pay_order o = {.subject = id, .service_id = FINE_SERVICE, .agency_id = FINE_AGENCY,
                          .description = pc_arena_printf(a, "Cərimə %s%s", numbers[0], n > 1 ? " …" : ""),
                          .amount_qepik = total};
    rc = pay_start_order(db, prov, &o, return_base, "/fines/paid/%s", a, out, err);
    if (rc) {
        struct pc_err e2 = {0};
        if (!release(db, id, &e2))   /* no money moved: the protocols may be paid again */
            set_state(db, id, "void", NULL, &e2);
    }
    return rc;
}

int fine_order_get(struct db *db, struct pc_arena *a, const char *order_id, struct fine_order *out,
                   struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!order_id || strlen(order_id) > 64)
        return pc_err_set(err, PC_ENOTFOUND, "no such order");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, protocols, amounts, amount_qepik, state, problem, created_at,"
                                          " told_at FROM fine_orders WHERE id = ?", err)
                          : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, order_id);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such order");
    out->id = pc_arena_strdup(a, db_col_text(s, 0));
    char *nums = pc_arena_strdup(a, db_col_text(s, 1)), *ams = pc_arena_strdup(a, db_col_text(s, 2));
    out->amount_qepik = db_col_int(s, 3);
    out->state = pc_arena_strdup(a, db_col_text(s, 4));
    out->problem = db_col_is_null(s, 5) ? NULL : pc_arena_strdup(a, db_col_text(s, 5));
    out->created_at = db_col_int(s, 6);
    out->told_at = db_col_int(s, 7);
    db_conn_idle(c);
    out->numbers = pc_arena_array(a, FINE_ORDER_MAX, sizeof *out->numbers);
    out->amounts = pc_arena_array(a, FINE_ORDER_MAX, sizeof *out->amounts);
    char *sp1, *sp2;
    for (char *t = strtok_r(nums, " ", &sp1), *u = strtok_r(ams, " ", &sp2); t && u && out->n < FINE_ORDER_MAX;
         t = strtok_r(NULL, " ", &sp1), u = strtok_r(NULL, " ", &sp2)) {
        out->numbers[out->n] = t;
        out->amounts[out->n++] = strtoll(u, NULL, 10);
    }
    return 0;
}

static int set_state(struct db *db, const char *id, const char *state, const char *problem, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE fine_orders SET state = ?, problem = ?, attempts = attempts + 1,"
                                          " told_at = CASE WHEN ? = 'told' THEN ? ELSE told_at END WHERE id = ?", err)
                          : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, state);
    db_bind_text(s, 2, problem);
    db_bind_text(s, 3, state);
    db_bind_int(s, 4, pc_now_unix());
    db_bind_text(s, 5, id);
    int64_t r = db_run(s, err);
    db_conn_idle(c);
    return r < 0 ? (int)r : 0;
}

int fine_order_settle(struct db *db, const struct fine_registry *reg, const char *order_id, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct fine_order o;
    struct pay_payment *p;
    size_t n;
    int rc = fine_order_get(db, &a, order_id, &o, err);
    /* a void order is looked at again only when asked (a late success) */
    bool live = rc == 0 && (pc_str_eq(o.state, "open") || pc_str_eq(o.state, "void"));
    if (rc || !live || (rc = pay_list_for(db, &a, o.id, &p, &n, err))) {
        pc_arena_release(&a);
        return rc;
    }
    const struct pay_payment *paid = NULL;
    bool going = n == 0 && pc_now_unix() - o.created_at < ORDER_STARTING_SECS;
    for (size_t i = 0; i < n; i++) {
        if (p[i].status == PAY_SUCCESS)
            paid = &p[i];
        going |= !pay_status_final(p[i].status);
    }
    if (!paid) {
        /* no money came: the protocols are free again; the job stops looking */
        if (!going && pc_str_eq(o.state, "open") && !(rc = release(db, o.id, err)))
            rc = set_state(db, o.id, "void", NULL, err);
        pc_arena_release(&a);
        return rc;
    }
    for (size_t i = 0; !rc && i < o.n; i++)
        rc = fine_registry_paid(reg, &a, o.numbers[i], paid->id, o.amounts[i], o.id, err);
    struct pc_err e2 = {0};
    if (rc == 0)
        rc = set_state(db, o.id, "told", NULL, err);
    else if (rc == PC_ECONFLICT) /* paid twice or cancelled meanwhile: the agency refunds */
        set_state(db, o.id, "refused", err->msg, &e2);
    else
        set_state(db, o.id, "open", err->msg, &e2);   /* the register is down: next round */
    pc_log(rc ? PC_LOG_WARN : PC_LOG_INFO, "fines.settle", "order", o.id, "payment", paid->id, "code",
           pc_errcode_name(rc), NULL);
    pc_arena_release(&a);
    return rc;
}

int fine_round(struct db *db, const struct fine_registry *reg, int64_t *told, struct pc_err *err)
{
    *told = 0;
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id FROM fine_orders WHERE state = 'open' AND created_at > ?"
                                          " ORDER BY created_at LIMIT 200", err)
                          : NULL;
    if (!s) {
        pc_arena_release(&a);
        return failed(err);
    }
    db_bind_int(s, 1, pc_now_unix() - ORDER_KEEP_SECS);
    const char *ids[200];
    size_t n = 0;
    int rc;
    while ((rc = db_step(s, err)) == 1 && n < 200)
        ids[n++] = pc_arena_strdup(&a, db_col_text(s, 0));
    db_conn_idle(c);
    /* a register that is down fails every order alike: the round goes on,
     * and says the first failure */
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        struct pc_err e = {0};
        struct fine_order o;
        int r = fine_order_settle(db, reg, ids[i], &e);
        if (r == 0 && fine_order_get(db, &a, ids[i], &o, &e) == 0 && pc_str_eq(o.state, "told"))
            (*told)++;
        if (r && r != PC_ECONFLICT && !err->code)
            pc_err_set(err, r, "%s", e.msg);
    }
    pc_arena_release(&a);
    return rc < 0 ? rc : err->code;
}

static int job_step(struct db *db, void *ctx, bool fresh, struct pc_err *err)
{
    (void)fresh; /* every round starts from the tables */
    int64_t told;
    int64_t minute = pc_now_unix() / 60;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "DELETE FROM fine_lookups WHERE minute < ?", err) : NULL;
    if (s) {
        db_bind_int(s, 1, minute - 1);
        db_run(s, err);
        db_conn_idle(c);
    }
    memset(err, 0, sizeof *err);
    return fine_round(db, ctx, &told, err);
}

struct db_job *fine_job_start(struct db *db, const struct fine_registry *reg, int interval_ms, struct pc_err *err)
{
    return db_job_start(db, "fines", interval_ms, 30, job_step, (void *)reg, err);
}

int fine_payment_get(struct db *db, const struct fine_registry *reg, struct pc_arena *a, const char *payment_id,
                     struct pay_payment *p, struct fine_order *o, struct pc_err *err)
{
    int rc = pay_get(db, a, payment_id, p, err);
    if (!rc && !pc_str_has_prefix(p->application_id, "FIN-"))
        rc = pc_err_set(err, PC_ENOTFOUND, "no such payment");
    if (!rc && pay_status_final(p->status)) {
        /* tell the register now if it can be told (or free the claims of a
         * payment that brought nothing); the job does it otherwise */
        struct pc_err e2 = {0};
        if (fine_order_settle(db, reg, p->application_id, &e2))
            pc_log(PC_LOG_WARN, "fines.settle_later", "payment", p->id, "msg", e2.msg, NULL);
    }
    return rc ? rc : fine_order_get(db, a, p->application_id, o, err);
}
