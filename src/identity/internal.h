/* internal.h — shared inside src/identity only. */
#ifndef PC_IDENTITY_INTERNAL_H
#define PC_IDENTITY_INTERNAL_H

#include "identity.h"

#define THROTTLE_WINDOW 900      /* seconds */

/* The code of a call that failed with NULL (db_conn_get, db_prepare): the
 * one it wrote into err, so that the caller passes it on unchanged. */
static inline int id_failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

/* db_run's result as a code: rows changed become 0. */
static inline int id_ran(int64_t rows)
{
    return rows < 0 ? (int)rows : 0;
}

/* A key's failures in the current window and when the latest was. */
struct id_throttle {
    int64_t window_start, failures, last_at;
};

/* Read key's count (zero when its window has ended). */
int id_throttle_get(struct db_conn *c, const char *key, int64_t now, struct id_throttle *out, struct pc_err *err);
/* Seconds still to wait after the latest failure: none below `free`
 * failures, then base seconds doubled for each failure beyond, at most
 * max. */
int64_t id_throttle_delay(const struct id_throttle *t, int64_t free, int64_t base, int64_t max, int64_t now);
/* Forget key's failures (a success). */
int id_throttle_clear(struct db_conn *c, const char *key, struct pc_err *err);
/* If key has `limit` or more hits in the current window, raise *retry to
 * the seconds left in it.  Only reads. */
int id_throttle_wait(struct db_conn *c, const char *key, int limit, int64_t now, int64_t *retry,
                     struct pc_err *err);
/* Count one hit for key (starting a new window when the old one ended). */
int id_throttle_hit(struct db_conn *c, const char *key, int64_t now, struct pc_err *err);

/* The role a principal acts in on its own account, for audit entries:
 * "citizen" for a citizen account, else its first grant's (authz.c). */
const char *id_principal_role(const struct id_principal *p);

/* ---- passwords (password.c) ---- */

/* The node's queue of unauthenticated attempts waiting for a hash:
 * take a place (false: none for this kind of attempt now) and give it
 * back. */
bool id_hash_queue_enter(bool suspect);
void id_hash_queue_leave(void);

/* ---- second factor (totp.c) ---- */

/* Accept code for the account once: it must match secret now and be of a
 * later step than the last one used (which it becomes), on c.  PC_EINVAL
 * when it does not match or was used. */
int id_totp_use(struct db_conn *c, const char *account_id, const char *secret, const char *code, int64_t now,
                struct pc_err *err);
/* The account's secret (NULL when the second factor is off), into a. */
int id_totp_secret_of(struct db_conn *c, struct pc_arena *a, const char *account_id, const char **out,
                      struct pc_err *err);

/* ---- accounts (account.c) ---- */

#define ID_LOGIN_KEY 65

/* What a typed login names: a FİN in any case is a citizen account's
 * login (upper-cased into out), anything else a staff login as typed.
 * PC_EINVAL when it can be neither. */
int id_login_key(const char *typed, char out[ID_LOGIN_KEY], enum id_account_kind *kind);
/* id_citizen_account inside the caller's transaction on c (audited). */
int id_citizen_account_on(struct db_conn *c, struct pc_arena *a, const char *fin, const char *by,
                          const char *by_role, const char **account_id, struct pc_err *err);

/* ---- sessions (session.c) ---- */

/* A new session in the caller's transaction on c, recording how it was
 * logged in (and for whom it acts, or NULL). */
int id_session_insert(struct db_conn *c, const char *account_id, const char *kind, const struct id_login_info *how,
                      const char *acting_for, const char *ip, const char *user_agent, char *token_out,
                      struct pc_err *err);

/* ---- one-time codes (code.c) ---- */

/* Insert a one-time code for an account inside the caller's transaction,
 * voiding the account's earlier unused codes.  code_out: ID_CODE_LEN+1. */
int id_code_insert(struct db_conn *c, const char *account_id, const char *purpose, const char *by,
                   const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err);

#endif
