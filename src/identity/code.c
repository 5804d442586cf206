/* code.c — one-time codes that set a password: issuing one (the
 * registration desk, a confirmed staff account, self-service through the
 * outbox) and redeeming it.  Only the SHA-256 of a code is stored.  A code
 * is checked before the new password is hashed, so guessing codes costs
 * the server no hashing. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define REDEEM_PER_IP 20        /* wrong codes per address per window */
#define REDEEM_PER_LOGIN 5      /* per login per window */

/* No 0/O, 1/I/L: the code is read aloud or copied from paper. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

int id_code_insert(struct db_conn *c, const char *account_id, const char *purpose, const char *by,
                   const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err)
{
    unsigned char rnd[ID_CODE_LEN];
    if (pc_random_bytes(rnd, sizeof rnd))
        return pc_err_set(err, PC_EIO, "no randomness");
    for (int i = 0; i < ID_CODE_LEN; i++)
        code_out[i] = code_alphabet[rnd[i] % (sizeof code_alphabet - 1)];
    code_out[ID_CODE_LEN] = 0;
    char hash[65];
    pc_sha256_hex(code_out, ID_CODE_LEN, hash);
    int64_t now = pc_now_unix();
    /* earlier codes that set a password stop working (login tickets stay) */
    struct db_stmt *s = db_prepare(c, "UPDATE one_time_codes SET used_at = ? WHERE account_id = ? AND used_at IS NULL"
                                      " AND purpose <> 'mfa'", err);
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, account_id);
    int rc = id_ran(db_run(s, err));
    if (rc)
        return rc;
    s = db_prepare(c, "INSERT INTO one_time_codes(code_hash, account_id, purpose, issued_by, created_at, expires_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_text(s, 3, purpose);
    db_bind_text(s, 4, by);
    db_bind_int(s, 5, now);
    db_bind_int(s, 6, now + valid_secs);
    if ((rc = id_ran(db_run(s, err))))
        return rc;
    struct audit_entry e = {.actor = by ? by : "system", .role = by_role ? by_role : "system",
                            .action = "account.code_issued", .object_type = "account",
                            .object_id = account_id, .ip = ip, .detail = purpose};
    int64_t seq = audit_append(c, &e, err);
    return seq < 0 ? (int)seq : 0;
}

int id_code_issue(struct db *db, const char *account_id, const char *purpose, const char *by,
                  const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "SELECT status FROM accounts WHERE id = ?", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, account_id);
        rc = db_step(s, err);
        if (rc == 0)
            rc = pc_err_set(err, PC_ENOTFOUND, "no account %s", account_id);
        else if (rc == 1 && pc_str_eq(db_col_text(s, 0), "unconfirmed"))
            rc = pc_err_set(err, PC_EDENIED, "the staff account waits for its owner's confirmation");
        else if (rc == 1)
            rc = 0;
    }
    if (!rc)
        rc = id_code_insert(c, account_id, purpose, by, by_role, ip, valid_secs, code_out, err);
    return db_end(c, rc, err);
}

/* Codes are typed by people: ignore case, spaces and dashes. */
static bool normalize_code(const char *code, char out[ID_CODE_LEN + 1])
{
    size_t k = 0;
    for (const char *p = code ? code : ""; *p && k <= ID_CODE_LEN; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        if (k == ID_CODE_LEN)
            return false;
        out[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
    }
    out[k] = 0;
    return k == ID_CODE_LEN;
}

#define CODE_USABLE "code_hash = ? AND used_at IS NULL AND expires_at > ? AND purpose <> 'mfa'" \
                    " AND account_id = (SELECT id FROM accounts WHERE login = ? AND kind = ?" \
                    " AND status IN ('pending', 'active'))"

/* Is the code usable for this login now?  1 yes, 0 no, < 0 error. */
static int code_usable(struct db_conn *c, const char *hash, int64_t now, const char *login, const char *kind,
                       struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT 1 FROM one_time_codes WHERE " CODE_USABLE, err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, login);
    db_bind_text(s, 4, kind);
    int rc = db_step(s, err);
    db_conn_idle(c);
    return rc;
}

/* Count a wrong code in a transaction of its own. */
static int count_miss(struct db_conn *c, const char *ip_key, const char *login_key, int64_t now, struct pc_err *err)
{
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = id_throttle_hit(c, ip_key, now, err);
    if (!rc)
        rc = id_throttle_hit(c, login_key, now, err);
    return db_end(c, rc, err);
}

int id_code_redeem(struct db *db, const char *login, const char *code, const char *password,
                   const char *ip, struct pc_err *err)
{
    int rc = id_password_check(password, err);
    if (rc)
        return rc;
    char norm[ID_CODE_LEN + 1], key[ID_LOGIN_KEY];
    enum id_account_kind kind;
    if (id_login_key(login, key, &kind) || !normalize_code(code, norm))
        return pc_err_set(err, PC_EDENIED, "the code is not valid, used or expired");
    const char *kname = kind == ID_ACCOUNT_STAFF ? "staff" : "citizen";
    char hash[65], enc[128];
    pc_sha256_hex(norm, ID_CODE_LEN, hash);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int64_t now = pc_now_unix(), retry = 0;
    /* guessing codes is as throttled as guessing passwords */
    char ip_key[96], login_key[96];
    snprintf(ip_key, sizeof ip_key, "activate:ip:%.64s", ip ? ip : "");
    snprintf(login_key, sizeof login_key, "activate:login:%.64s", key);
    if ((rc = id_throttle_wait(c, ip_key, REDEEM_PER_IP, now, &retry, err)) ||
        (rc = id_throttle_wait(c, login_key, REDEEM_PER_LOGIN, now, &retry, err)))
        return rc;
    if (retry)
        return pc_err_set(err, PC_ELIMIT, "too many attempts");
    /* the code first: a wrong one is never worth a hash */
    rc = code_usable(c, hash, now, key, kname, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if ((rc = count_miss(c, ip_key, login_key, now, err)))
            return rc;
        return pc_err_set(err, PC_EDENIED, "the code is not valid, used or expired");
    }
    if ((rc = id_password_hash(password, enc, sizeof enc, err)))
        return rc;
    if ((rc = db_begin(c, err)))
        return rc;
    /* Mark the code used only if it is still usable: one statement, so two
     * redemptions cannot both succeed. */
    struct db_stmt *s = db_prepare(c, "UPDATE one_time_codes SET used_at = ? WHERE " CODE_USABLE, err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, hash);
        db_bind_int(s, 3, now);
        db_bind_text(s, 4, key);
        db_bind_text(s, 5, kname);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_EDENIED, "the code was used a moment ago");
    }
    char ts[21];
    pc_rfc3339(now, ts);
    if (!rc && (s = db_prepare(c, "UPDATE accounts SET password_hash = ?, password_set_at = ?, status = 'active',"
                                  " failed_logins = 0, locked_until = 0 WHERE login = ? AND kind = ?", err))) {
        db_bind_text(s, 1, enc);
        db_bind_text(s, 2, ts);
        db_bind_text(s, 3, key);
        db_bind_text(s, 4, kname);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "the account %s is gone", key);
    } else if (!rc) {
        rc = id_failed(err);
    }
    /* a new password ends every existing session of the account */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND"
                                  " account_id = (SELECT id FROM accounts WHERE login = ? AND kind = ?)", err))) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, key);
        db_bind_text(s, 3, kname);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    struct audit_entry e = {.actor = key, .role = kname, .action = "account.password_set",
                            .object_type = "account", .object_id = key, .ip = ip, .detail = "one-time code"};
    return audit_end(c, rc, &e, err);
}
