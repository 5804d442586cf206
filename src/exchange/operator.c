/* operator.c — the central registry's operators: accounts of the central's
 * own database (migrations/300_central_operators.sql), their sessions on
 * the operator listener and the login throttle.  Passwords go through
 * identity's KDF (Argon2id) and nothing else of the portal's identity.
 * Adding, removing and logging in are audited like every change. */
#include "internal.h"
#include "../audit/audit.h"
#include "../identity/identity.h"

#include <string.h>

static int code_of(struct pc_err *err)
{
    return err && err->code ? err->code : PC_EIO;
}

static int login_check(const char *login, struct pc_err *err)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 1 || n > XR_OP_LOGIN_MAX ||
        strspn(login, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n)
        return pc_err_set(err, PC_EINVAL, "a login is 1-%d of A-Z a-z 0-9 . _ -", XR_OP_LOGIN_MAX);
    return 0;
}

static int run(struct db_stmt *s, struct pc_err *err)
{
    int64_t n = s ? db_run(s, err) : code_of(err);
    return n < 0 ? (int)n : 0;
}

int xr_operator_add(struct xr_central *c, const char *actor, const char *login, const char *password,
                    struct pc_err *err)
{
    int rc = login_check(login, err);
    if (rc || (rc = id_password_check(password, err)))
        return rc;
    char enc[128];
    if ((rc = id_password_hash(password, enc, sizeof enc, err)))
        return rc;
    struct db_conn *k;
    if ((rc = audit_begin(c->db, &k, err)))
        return rc;
    struct db_stmt *s = db_prepare(k, "INSERT INTO xr_operators (login, password_hash, created_at, created_by) "
                                      "VALUES (?, ?, ?, ?)", err);
    if (s) {
        db_bind_text(s, 1, login);
        db_bind_text(s, 2, enc);
        db_bind_int(s, 3, pc_now_unix());
        db_bind_text(s, 4, actor);
    }
    rc = run(s, err);
    if (rc == PC_ECONFLICT)
        pc_err_set(err, rc, "the operator %s exists already", login);
    struct audit_entry e = {actor, "operator", "xr.operator.add", "operator", login, "", ""};
    rc = audit_end(k, rc, &e, err);
    db_conn_idle(k);
    return rc;
}

int xr_operator_new_password(char out[33], struct pc_err *err)
{
    /* drawn again in the rare case letters or digits are missing */
    do
        if (pc_random_hex(out, 16))
            return pc_err_set(err, PC_EIO, "no randomness");
    while (id_password_check(out, NULL));
    return 0;
}

/* Whether removing login leaves an operator, inside the removal's
 * transaction (two removing each other at once: one waits, then fails). */
static int not_last(struct db_conn *k, const char *login, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, "SELECT COUNT(*) FROM xr_operators WHERE login <> ?", err);
    if (!s)
        return code_of(err);
    db_bind_text(s, 1, login);
    int r = db_step(s, err);
    if (r < 0)
        return r;
    bool others = r == 1 && db_col_int(s, 0) > 0;
    return others ? 0 : pc_err_set(err, PC_ECONFLICT, "%s is the last operator: add another one first", login);
}

int xr_operator_remove(struct xr_central *c, const char *actor, const char *login, struct pc_err *err)
{
    int rc = login_check(login, err);
    if (!rc && pc_str_has_prefix(actor, "op:") && strcmp(actor + 3, login) == 0)
        rc = pc_err_set(err, PC_ECONFLICT, "an operator cannot remove itself: another operator must");
    struct db_conn *k;
    if (rc || (rc = audit_begin(c->db, &k, err)))
        return rc;
    /* the lock first: of two removing at once, the second sees the first */
    struct db_stmt *s = db_prepare(k, "UPDATE xr_operators SET created_by = created_by", err);
    rc = run(s, err);
    if (!rc)
        rc = not_last(k, login, err);
    s = rc ? NULL : db_prepare(k, "DELETE FROM xr_operator_sessions WHERE login = ?", err);
    if (s)
        db_bind_text(s, 1, login);
    if (!rc)
        rc = run(s, err);
    s = rc ? NULL : db_prepare(k, "DELETE FROM xr_operators WHERE login = ?", err);
    if (s) {
        db_bind_text(s, 1, login);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no operator %s", login) : 0;
    }
    struct audit_entry e = {actor, "operator", "xr.operator.remove", "operator", login, "", ""};
    rc = audit_end(k, rc, &e, err);
    db_conn_idle(k);
    return rc;
}

int xr_operator_list(struct xr_central *c, struct pc_arena *a, struct xr_operator **out, size_t *n,
                     struct pc_err *err)
{
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "SELECT login, created_by, created_at FROM xr_operators ORDER BY login",
                                       err) : NULL;
    if (!s)
        return code_of(err);
    size_t cap = 8;
    *out = pc_arena_alloc(a, cap * sizeof **out);
    *n = 0;
    int r;
    while ((r = db_step(s, err)) == 1) {
        if (*n == cap) {
            struct xr_operator *bigger = pc_arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        (*out)[(*n)++] = (struct xr_operator){pc_arena_strdup(a, db_col_text(s, 0)),
                                              pc_arena_strdup(a, db_col_text(s, 1)), db_col_int(s, 2)};
    }
    db_conn_idle(k);
    return r < 0 ? r : 0;
}

/* ---- the throttle ---- */

/* Whether key has used up its failures in the current window. */
static int throttled(struct db_conn *k, const char *key, int max, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, "SELECT failures FROM xr_operator_throttle WHERE key = ? AND window_start > ?",
                                   err);
    if (!s)
        return code_of(err);
    db_bind_text(s, 1, key);
    db_bind_int(s, 2, now - XR_OP_WINDOW_SECS);
    int r = db_step(s, err);
    if (r < 0)
        return r;
    bool over = r == 1 && db_col_int(s, 0) >= max;
    db_conn_idle(k);
    return over ? pc_err_set(err, PC_ELIMIT, "too many failed logins: try again in %d minutes",
                             XR_OP_WINDOW_SECS / 60) : 0;
}

/* Count one failure of key (a new window when the last one is over);
 * windows that are over are dropped, so guessed logins leave no rows. */
static int fail_once(struct db_conn *k, const char *key, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(k, "DELETE FROM xr_operator_throttle WHERE window_start <= ?", err);
    if (s)
        db_bind_int(s, 1, now - XR_OP_WINDOW_SECS);
    int rc = run(s, err);
    if (rc)
        return rc;
    s = db_prepare(k, "UPDATE xr_operator_throttle SET failures = CASE WHEN window_start > ? "
                                      "THEN failures + 1 ELSE 1 END, window_start = CASE WHEN window_start > ? "
                                      "THEN window_start ELSE ? END WHERE key = ?", err);
    if (!s)
        return code_of(err);
    db_bind_int(s, 1, now - XR_OP_WINDOW_SECS);
    db_bind_int(s, 2, now - XR_OP_WINDOW_SECS);
    db_bind_int(s, 3, now);
    db_bind_text(s, 4, key);
    int64_t n = db_run(s, err);
    if (n != 0)
        return n < 0 ? (int)n : 0;
    s = db_prepare(k, "INSERT INTO xr_operator_throttle (key, failures, window_start) VALUES (?, 1, ?)", err);
    if (s) {
        db_bind_text(s, 1, key);
        db_bind_int(s, 2, now);
    }
    return run(s, err);
}

/* ---- sessions ---- */

int xr_operator_login(struct xr_central *c, const char *login, const char *password, const char *ip,
                      char token_out[44], struct pc_err *err)
{
    if (login_check(login, err) || !password || strlen(password) > ID_PASSWORD_MAX)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    int64_t now = pc_now_unix();
    struct pc_arena a;
    pc_arena_init(&a);
    const char *kl = pc_arena_printf(&a, "login:%s", login), *ki = pc_arena_printf(&a, "ip:%s", ip ? ip : "");
    struct db_conn *k = db_conn_get(c->db, err);
    int rc = k ? throttled(k, kl, XR_OP_FAILURES, now, err) : code_of(err);
    if (!rc)
        rc = throttled(k, ki, XR_OP_FAILURES_ADDR, now, err);
    const char *hash = NULL;
    struct db_stmt *s = rc ? NULL : db_prepare(k, "SELECT password_hash FROM xr_operators WHERE login = ?", err);
    if (s) {
        db_bind_text(s, 1, login);
        int r = db_step(s, err);
        if (r < 0)
            rc = r;
        else if (r == 1)
            hash = pc_arena_strdup(&a, db_col_text(s, 0));
        db_conn_idle(k);
    }
    /* an unknown login is checked against a dummy hash: the same time */
    bool ok = !rc && id_password_verify(hash, password);
    char thash[65], csrf[33];
    if (!rc && ok && !(rc = id_new_token(token_out, thash, err)) && pc_random_hex(csrf, 16))
        rc = pc_err_set(err, PC_EIO, "no randomness");
    if (!rc && !(rc = audit_begin(c->db, &k, err))) {
        if (ok) {
            s = db_prepare(k, "INSERT INTO xr_operator_sessions (token_hash, login, csrf, created_at, last_seen) "
                              "VALUES (?, ?, ?, ?, ?)", err);
            if (s) {
                db_bind_text(s, 1, thash);
                db_bind_text(s, 2, login);
                db_bind_text(s, 3, csrf);
                db_bind_int(s, 4, now);
                db_bind_int(s, 5, now);
            }
            rc = run(s, err);
            /* sessions past their end are dropped at the next login */
            s = rc ? NULL : db_prepare(k, "DELETE FROM xr_operator_sessions WHERE last_seen <= ? OR created_at <= ?",
                                       err);
            if (s) {
                db_bind_int(s, 1, now - XR_OP_IDLE_SECS);
                db_bind_int(s, 2, now - XR_OP_SESSION_MAX_SECS);
                rc = run(s, err);
            }
            s = rc ? NULL : db_prepare(k, "DELETE FROM xr_operator_throttle WHERE key = ?", err);
            if (s)
                db_bind_text(s, 1, kl);
            if (!rc)
                rc = run(s, err);
            struct audit_entry e = {pc_arena_printf(&a, "op:%s", login), "operator", "xr.operator.login",
                                    "operator", login, ip ? ip : "", ""};
            rc = audit_end(k, rc, &e, err);
        } else {
            rc = fail_once(k, kl, now, err);
            if (!rc)
                rc = fail_once(k, ki, now, err);
            rc = db_end(k, rc, err);
            if (!rc)
                rc = pc_err_set(err, PC_EDENIED, "wrong login or password");
        }
        db_conn_idle(k);
    }
    pc_arena_release(&a);
    return rc;
}

int xr_operator_session(struct xr_central *c, const char *token, struct xr_op_session *out, struct pc_err *err)
{
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_EDENIED, "not logged in");
    char hash[65];
    pc_sha256_hex(token, strlen(token), hash);
    int64_t now = pc_now_unix();
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "UPDATE xr_operator_sessions SET last_seen = ? WHERE token_hash = ? AND "
                                          "last_seen > ? AND created_at > ?", err) : NULL;
    if (!s)
        return code_of(err);
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, hash);
    db_bind_int(s, 3, now - XR_OP_IDLE_SECS);
    db_bind_int(s, 4, now - XR_OP_SESSION_MAX_SECS);
    int64_t n = db_run(s, err);
    if (n <= 0)
        return n < 0 ? (int)n : pc_err_set(err, PC_EDENIED, "not logged in or the session has ended");
    s = db_prepare(k, "SELECT login, csrf FROM xr_operator_sessions WHERE token_hash = ?", err);
    if (!s)
        return code_of(err);
    db_bind_text(s, 1, hash);
    int r = db_step(s, err);
    if (r == 1) {
        snprintf(out->login, sizeof out->login, "%s", db_col_text(s, 0));
        snprintf(out->csrf, sizeof out->csrf, "%s", db_col_text(s, 1));
    }
    db_conn_idle(k);
    return r == 1 ? 0 : r < 0 ? r : pc_err_set(err, PC_EDENIED, "not logged in");
}

int xr_operator_logout(struct xr_central *c, const char *token, struct pc_err *err)
{
    char hash[65];
    pc_sha256_hex(token ? token : "", token ? strlen(token) : 0, hash);
    struct db_conn *k = db_conn_get(c->db, err);
    struct db_stmt *s = k ? db_prepare(k, "DELETE FROM xr_operator_sessions WHERE token_hash = ?", err) : NULL;
    if (s)
        db_bind_text(s, 1, hash);
    int rc = run(s, err);
    if (k)
        db_conn_idle(k);
    return rc;
}
