/* internal.h — shared inside src/pay only: the columns of a payment row
 * and reading one. */
#ifndef PC_PAY_INTERNAL_H
#define PC_PAY_INTERNAL_H

#include "pay.h"

#define PAY_COLUMNS "id, application_id, service_id, agency_id, account_id, provider, provider_id, next_url, problem, " \
                    "status, amount_qepik, refunded_qepik, late, created_at, updated_at, paid_at"

void pay_read_row(struct pc_arena *a, struct db_stmt *s, struct pay_payment *p);
/* A payment by our id on connection c (inside a transaction or not). */
int pay_load(struct db_conn *c, struct pc_arena *a, const char *id, struct pay_payment *out, struct pc_err *err);
/* The same, as a code with its message when nothing was found or it failed. */
static inline int pay_err(struct pc_err *err)
{
    return err->code ? err->code : pc_err_set(err, PC_EIO, "the database did not answer");
}

#endif
