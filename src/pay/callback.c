/* callback.c — taking a provider's verified callback: recorded once by
 * its event id (a duplicate or a replay changes nothing), the payment
 * moved by the one rule of status.c (stale news ignored, a late success
 * taken and flagged), an amount other than ours never a success; then
 * the application whose fee is now paid is submitted. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Record the event; *fresh false when its id was seen before. */
static int record(struct db_conn *c, const struct pay_event *ev, enum pay_outcome o, int64_t now, bool *fresh,
                  struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO pay_events(event_id, payment_id, status, amount_qepik, outcome,"
                                      " received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, ev->event_id);
    db_bind_text(s, 2, ev->reference);
    db_bind_text(s, 3, pay_status_name(ev->status));
    db_bind_int(s, 4, ev->amount_qepik);
    db_bind_text(s, 5, pay_outcome_name(o));
    db_bind_int(s, 6, now);
    int64_t n = db_run(s, err);
    *fresh = n == 1;
    return n < 0 ? (int)n : 0;
}

/* Inside the transaction: decide and write. */
static int apply(struct db_conn *c, struct pc_arena *a, const struct pay_event *ev, int64_t now,
                 enum pay_outcome *outcome, struct pay_payment *p, struct pc_err *err)
{
    int rc = pay_load(c, a, ev->reference, p, err);
    if (rc)
        return rc;
    if (p->provider_id && !pc_str_eq(p->provider_id, ev->provider_id))
        return pc_err_set(err, PC_ENOTFOUND, "the callback's payment id is not this payment's");
    enum pay_status to = ev->status;
    const char *problem = NULL;
    enum pay_move mv = pay_status_move(p->status, to);
    *outcome = mv == PAY_MOVE_APPLY ? PAY_OUT_APPLIED : mv == PAY_MOVE_LATE_SUCCESS ? PAY_OUT_LATE_SUCCESS : PAY_OUT_STALE;
    if (mv != PAY_MOVE_STALE && ev->amount_qepik != p->amount_qepik) {
        /* never a success for another amount; someone has to look */
        *outcome = PAY_OUT_AMOUNT_MISMATCH;
        problem = pc_arena_printf(a, "the provider reported %lld qəpik for %s, we asked %lld",
                                  (long long)ev->amount_qepik, pay_status_name(to), (long long)p->amount_qepik);
        to = PAY_ERROR;
        mv = pay_status_move(p->status, to);
    }
    bool fresh = false;
    if ((rc = record(c, ev, *outcome, now, &fresh, err)))
        return rc;
    if (!fresh) {
        *outcome = PAY_OUT_DUPLICATE;
        return 0;
    }
    if (mv == PAY_MOVE_STALE)
        return 0;
    struct db_stmt *s = db_prepare(c, "UPDATE pay_payments SET status = ?, provider_id = COALESCE(provider_id, ?),"
                                      " late = CASE WHEN ? = 1 THEN 1 ELSE late END, problem = COALESCE(?, problem),"
                                      " paid_at = CASE WHEN ? = 'success' THEN ? ELSE paid_at END, updated_at = ?"
                                      " WHERE id = ?", err);
    if (!s)
        return pay_err(err);
    db_bind_text(s, 1, pay_status_name(to));
    db_bind_text(s, 2, ev->provider_id);
    db_bind_int(s, 3, mv == PAY_MOVE_LATE_SUCCESS);
    db_bind_text(s, 4, problem);
    db_bind_text(s, 5, pay_status_name(to));
    db_bind_int(s, 6, now);
    db_bind_int(s, 7, now);
    db_bind_text(s, 8, p->id);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    p->status = to;
    return 0;
}

/* Callbacks come in bursts: they share transactions (one fsync for many
 * on SQLite), each in its own savepoint, through a committer per database. */
#define PAY_DB_SLOT 2
_Static_assert(PAY_DB_SLOT < DB_SLOTS, "a db slot of its own");

static void *committer_make(struct db *db)
{
    (void)db;
    struct db_committer *b = calloc(1, sizeof *b);
    if (!b)
        pc_oom(sizeof *b);
    db_committer_init(b);
    return b;
}

static void committer_free(void *p)
{
    db_committer_release(p);
    free(p);
}

struct take {
    const struct pay_event *ev;
    struct pc_arena *a;
    int64_t now;
    enum pay_outcome outcome;
    struct pay_payment p;
};

static int take_write(struct db_conn *c, void *arg, struct pc_err *err)
{
    struct take *t = arg;
    return apply(c, t->a, t->ev, t->now, &t->outcome, &t->p, err);
}

int pay_callback(struct db *db, const struct form_set *forms, const struct pay_event *ev, enum pay_outcome *outcome,
                 struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct take t = {.ev = ev, .a = &a, .now = pc_now_unix()};
    int rc = db_commit_group(db, db_slot(db, PAY_DB_SLOT, committer_make, committer_free), take_write, &t, err);
    *outcome = t.outcome;
    if (!rc) {
        pc_log(*outcome == PAY_OUT_APPLIED || *outcome == PAY_OUT_DUPLICATE ? PC_LOG_INFO : PC_LOG_WARN, "pay.callback",
               "payment", t.p.id, "status", pay_status_name(ev->status), "outcome", pay_outcome_name(*outcome), NULL);
        /* the draft goes in now; if this fails the return page or a later
         * callback does it (pay_settle_application is safe to repeat) */
        if ((*outcome == PAY_OUT_APPLIED || *outcome == PAY_OUT_LATE_SUCCESS) && t.p.status == PAY_SUCCESS) {
            struct pc_err e2 = {0};
            if (pay_settle_application(db, forms, &t.p, &e2))
                pc_log(PC_LOG_WARN, "pay.submit_failed", "payment", t.p.id, "msg", e2.msg, NULL);
        }
    }
    pc_arena_release(&a);
    return rc;
}
