/* override.c — the officer's acts on a VEMTAS case besides the workflow's
 * steps: accepting or overriding the means test's proposal (eligibility
 * and amount, with a reason) and asking the registries again ("fetch
 * again" for stale evidence).  Each is one audited transaction; who may
 * act is decided by the caller (id_authorize on the case). */
#include "internal.h"
#include "../audit/audit.h"

#include <stdio.h>
#include <string.h>

#define REASON_MAX 1000

static int changed(int64_t n, const char *reference, struct pc_err *err)
{
    if (n < 0)
        return (int)n;
    return n ? 0 : pc_err_set(err, PC_ENOTFOUND, "%s is not a social-assistance case taken yet", reference);
}

int social_override_set(struct db *db, const char *actor, const char *reference, bool eligible, int64_t amount,
                        const char *reason, struct pc_err *err)
{
    if (!reason || !*reason || strlen(reason) > REASON_MAX || !pc_utf8_valid(reason, strlen(reason)))
        return pc_err_set(err, PC_EINVAL, "a reason (1 to %d characters) is required", REASON_MAX);
    if (amount < 0 || amount > SOCIAL_MONEY_MAX || (!eligible && amount))
        return pc_err_set(err, PC_EINVAL, "the amount is 0 to %lld qəpik, and 0 when not eligible",
                          (long long)SOCIAL_MONEY_MAX);
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c,
                                   "UPDATE social_cases SET override_eligible = ?, override_amount = ?, "
                                   "override_reason = ?, override_by = ?, override_at = ? WHERE reference = ?",
                                   err);
    if (s) {
        db_bind_int(s, 1, eligible);
        db_bind_int(s, 2, amount);
        db_bind_text(s, 3, reason);
        db_bind_text(s, 4, actor);
        db_bind_int(s, 5, pc_now_unix());
        db_bind_text(s, 6, reference);
        rc = changed(db_run(s, err), reference, err);
    } else {
        rc = err->code;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "eligible=%s amount_qepik=%lld", eligible ? "yes" : "no", (long long)amount);
    return audit_end(c, rc, &(struct audit_entry){actor, "officer", "social.override", "application", reference, "",
                                                  detail},
                     err);
}

int social_refetch_in(struct db_conn *c, const char *reference, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
                                   "UPDATE social_cases SET state = 'pending', attempts = 0, next_try_at = 0, generation = generation + 1, "
                                   "waiting_for = NULL, last_error = NULL, updated_at = ? WHERE reference = ?",
                                   err);
    if (!s)
        return err->code;
    db_bind_int(s, 1, pc_now_unix());
    db_bind_text(s, 2, reference);
    int rc = changed(db_run(s, err), reference, err);
    if (rc)
        return rc;
    if (!(s = db_prepare(c, "DELETE FROM social_evidence WHERE reference = ?", err)))
        return err->code;
    db_bind_text(s, 1, reference);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int social_refetch(struct db *db, const char *actor, const char *reference, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    rc = social_refetch_in(c, reference, err);
    return audit_end(c, rc, &(struct audit_entry){actor, "officer", "social.refetch", "application", reference, "",
                                                  "evidence asked again"},
                     err);
}
