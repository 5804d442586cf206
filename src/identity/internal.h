/* internal.h — shared inside src/identity only. */
#ifndef PC_IDENTITY_INTERNAL_H
#define PC_IDENTITY_INTERNAL_H

#include "identity.h"

#define THROTTLE_WINDOW 900      /* seconds */

/* If key has `limit` or more hits in the current window, raise *retry to
 * the seconds left in it.  Only reads. */
int id_throttle_wait(struct db_conn *c, const char *key, int limit, int64_t now, int64_t *retry,
                     struct pc_err *err);
/* Count one hit for key (starting a new window when the old one ended). */
int id_throttle_hit(struct db_conn *c, const char *key, int64_t now, struct pc_err *err);

/* Insert a one-time code for an account inside the caller's transaction,
 * voiding the account's earlier unused codes.  code_out: ID_CODE_LEN+1. */
int id_code_insert(struct db_conn *c, const char *account_id, const char *purpose, const char *by,
                   const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err);

#endif
