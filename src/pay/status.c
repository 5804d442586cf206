/* status.c — the statuses of a payment, their stable names, and the one
 * rule of how a provider's report moves a payment (out-of-order and late
 * reports included). */
#include "pay.h"

#include <string.h>

static const char *const names[PAY_STATUS_COUNT] = {
    [PAY_CREATED] = "created", [PAY_STARTED] = "started", [PAY_SUBMITTED] = "submitted",
    [PAY_SUCCESS] = "success", [PAY_FAILED] = "failed",   [PAY_CANCELLED] = "cancelled",
    [PAY_ERROR] = "error",     [PAY_EXPIRED] = "expired",
};

const char *pay_status_name(enum pay_status s)
{
    return (unsigned)s < PAY_STATUS_COUNT ? names[s] : "error";
}

int pay_status_parse(const char *name)
{
    for (int i = 0; name && i < PAY_STATUS_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

bool pay_status_final(enum pay_status s)
{
    return s >= PAY_SUCCESS;
}

/* created 0, started 1, submitted 2, every final status 3 */
static int rank(enum pay_status s)
{
    return pay_status_final(s) ? 3 : (int)s;
}

enum pay_move pay_status_move(enum pay_status from, enum pay_status to)
{
    if (rank(to) > rank(from))
        return PAY_MOVE_APPLY;
    if (to == PAY_SUCCESS && (from == PAY_EXPIRED || from == PAY_CANCELLED))
        return PAY_MOVE_LATE_SUCCESS;
    return PAY_MOVE_STALE;
}

static const char *const outcomes[] = {
    [PAY_OUT_APPLIED] = "applied", [PAY_OUT_STALE] = "stale", [PAY_OUT_LATE_SUCCESS] = "late_success",
    [PAY_OUT_AMOUNT_MISMATCH] = "amount_mismatch", [PAY_OUT_DUPLICATE] = "duplicate",
};

const char *pay_outcome_name(enum pay_outcome o)
{
    return outcomes[o];
}

static const char *const mismatches[PAY_MIS_COUNT] = {
    [PAY_MIS_MISSING] = "missing", [PAY_MIS_EXTRA] = "extra", [PAY_MIS_AMOUNT] = "amount", [PAY_MIS_STATUS] = "status",
};

const char *pay_mismatch_name(enum pay_mismatch m)
{
    return (unsigned)m < PAY_MIS_COUNT ? mismatches[m] : "status";
}
