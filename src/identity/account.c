/* account.c — accounts, roles, passwords (Argon2id) and one-time codes.
 *
 * Passwords are hashed with Argon2id; hashing is deliberately slow and
 * memory-hard, so at most one hash per core runs at a time (a semaphore)
 * and the other requests of the server keep their threads and their
 * latency during a login storm. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <argon2.h>
#include <semaphore.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* 19 MiB, 2 passes (the OWASP baseline for Argon2id): ~60 ms on one core of
 * the 2-core reference machine with Debian 12's libargon2. */
static uint32_t argon_t = 2, argon_m = 19456;
static sem_t hash_slots;
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void hash_init(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    sem_init(&hash_slots, 0, cores > 0 ? (unsigned)cores : 1);
}

void id_password_params(uint32_t *t_cost, uint32_t *m_cost_kib, uint32_t *parallelism)
{
    *t_cost = argon_t;
    *m_cost_kib = argon_m;
    *parallelism = 1;
}

void id_password_set_params(uint32_t t_cost, uint32_t m_cost_kib)
{
    argon_t = t_cost;
    argon_m = m_cost_kib;
}

int id_password_check(const char *pw, struct pc_err *err)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < ID_PASSWORD_MIN)
        return pc_err_set(err, PC_EINVAL, "the password must be at least %d characters", ID_PASSWORD_MIN);
    if (n > ID_PASSWORD_MAX)
        return pc_err_set(err, PC_EINVAL, "the password must be at most %d characters", ID_PASSWORD_MAX);
    if (!pc_utf8_valid(pw, n))
        return pc_err_set(err, PC_EINVAL, "the password is not valid text");
    bool letter = false, digit = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)pw[i];
        if (ch >= '0' && ch <= '9')
            digit = true;
        else if ((ch | 32) >= 'a' && (ch | 32) <= 'z')
            letter = true;
        else if (ch >= 0x80)
            letter = true;
    }
    if (!letter || !digit)
        return pc_err_set(err, PC_EINVAL, "the password needs letters and digits");
    return 0;
}

/* Hash into out (encoded form, with parameters and salt). */
static int hash_password(const char *pw, char *out, size_t outlen)
{
    unsigned char salt[16];
    if (pc_random_bytes(salt, sizeof salt))
        return PC_EIO;
    pthread_once(&hash_once, hash_init);
    sem_wait(&hash_slots);
    int rc = argon2id_hash_encoded(argon_t, argon_m, 1, pw, strlen(pw), salt, sizeof salt, 32, out, outlen);
    sem_post(&hash_slots);
    return rc == ARGON2_OK ? 0 : PC_EIO;
}

/* Constant work whether or not the account exists: an unknown login is
 * checked against this dummy hash so timing does not tell them apart. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    hash_password("not-a-real-password-0", dummy_hash, sizeof dummy_hash);
}

static bool verify_password(const char *encoded, const char *pw)
{
    pthread_once(&hash_once, hash_init);
    if (!encoded) {
        pthread_once(&dummy_once, dummy_init);
        encoded = dummy_hash;
    }
    sem_wait(&hash_slots);
    int rc = argon2id_verify(encoded, pw, strlen(pw));
    sem_post(&hash_slots);
    return rc == ARGON2_OK && encoded != dummy_hash;
}

int id_password_set(struct db *db, const char *account_id, const char *password, struct pc_err *err)
{
    char enc[128];
    if (hash_password(password, enc, sizeof enc))
        return pc_err_set(err, PC_EIO, "password hashing failed");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE accounts SET password_hash = ?, password_set_at = ?,"
                                          " status = 'active', failed_logins = 0 WHERE id = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    db_bind_text(s, 1, enc);
    db_bind_text(s, 2, now);
    db_bind_text(s, 3, account_id);
    int64_t n = db_run(s, err);
    if (n < 0)
        return (int)n;
    return n == 1 ? 0 : pc_err_set(err, PC_ENOTFOUND, "no such account");
}

/* ---- accounts ------------------------------------------------------ */

static bool valid_login(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

int id_account_create(struct db *db, const char *login, const char *fin, const struct id_grant *grants,
                      int ngrants, const char *by, const char *by_role, struct pc_arena *a,
                      const char **account_id, struct pc_err *err)
{
    if (!valid_login(login))
        return pc_err_set(err, PC_EINVAL, "a login is 3–64 letters, digits, '.', '-' or '_'");
    if (fin && !id_fin_valid(fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and capital Latin letters");
    char *id = pc_arena_alloc(a, 33);
    if (!id || pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c, "INSERT INTO accounts(id, login, fin, status, created_at)"
                                      " VALUES (?, ?, ?, 'pending', ?)", err);
    if (!s) {
        db_rollback(c);
        return PC_EIO;
    }
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, login);
    db_bind_text(s, 3, fin);
    db_bind_text(s, 4, now);
    if (db_run(s, err) < 0) {
        rc = err && err->code == PC_ECONFLICT ? pc_err_set(err, PC_ECONFLICT, "the login is taken") : PC_EIO;
        db_rollback(c);
        return rc;
    }
    for (int i = 0; i < ngrants && !rc; i++) {
        s = db_prepare(c, "INSERT INTO account_roles(account_id, role, agency_id, granted_by, granted_at)"
                          " VALUES (?, ?, ?, ?, ?)", err);
        if (!s) {
            rc = PC_EIO;
            break;
        }
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, id_role_name(grants[i].role));
        db_bind_text(s, 3, grants[i].agency_id ? grants[i].agency_id : "");
        db_bind_text(s, 4, by);
        db_bind_text(s, 5, now);
        if (db_run(s, err) < 0)
            rc = PC_EIO;
    }
    if (!rc) {
        struct audit_entry e = {.actor = by ? by : "system", .role = by_role ? by_role : "system",
                                .action = "account.create", .object_type = "account", .object_id = id,
                                .ip = "", .detail = login};
        if (audit_append(c, &e, err) < 0)
            rc = PC_EIO;
    }
    if (rc) {
        db_rollback(c);
        return rc;
    }
    rc = db_commit(c, err);
    if (!rc)
        *account_id = id;
    return rc;
}

int id_account_find(struct db *db, struct pc_arena *a, const char *login, const char **account_id,
                    struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id FROM accounts WHERE login = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, login);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such account");
    *account_id = pc_arena_strdup(a, db_col_text(s, 0));
    return 0;
}

/* ---- one-time codes --------------------------------------------------- */

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
        return PC_EIO;
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, account_id);
    if (db_run(s, err) < 0)
        return PC_EIO;
    s = db_prepare(c, "INSERT INTO one_time_codes(code_hash, account_id, purpose, issued_by, created_at, expires_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_text(s, 3, purpose);
    db_bind_text(s, 4, by);
    db_bind_int(s, 5, now);
    db_bind_int(s, 6, now + valid_secs);
    if (db_run(s, err) < 0)
        return PC_EIO;
    struct audit_entry e = {.actor = by ? by : "system", .role = by_role ? by_role : "system",
                            .action = "account.code_issued", .object_type = "account",
                            .object_id = account_id, .ip = ip, .detail = purpose};
    return audit_append(c, &e, err) < 0 ? PC_EIO : 0;
}

int id_code_issue(struct db *db, const char *account_id, const char *purpose, const char *by,
                  const char *by_role, const char *ip, int64_t valid_secs, char *code_out, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = id_code_insert(c, account_id, purpose, by, by_role, ip, valid_secs, code_out, err);
    return db_end(c, rc, err);
}

int id_code_redeem(struct db *db, const char *login, const char *code, const char *password,
                   const char *ip, struct pc_err *err)
{
    int rc = id_password_check(password, err);
    if (rc)
        return rc;
    /* codes are typed by people: ignore case, spaces and dashes */
    char norm[ID_CODE_LEN + 1];
    size_t k = 0;
    for (const char *p = code ? code : ""; *p && k <= ID_CODE_LEN; p++) {
        if (*p == ' ' || *p == '-')
            continue;
        norm[k++] = (*p >= 'a' && *p <= 'z') ? (char)(*p - 32) : *p;
    }
    if (k != ID_CODE_LEN)
        return pc_err_set(err, PC_EDENIED, "the code is not valid, used or expired");
    norm[k] = 0;
    char hash[65], enc[128];
    pc_sha256_hex(norm, ID_CODE_LEN, hash);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int64_t now = pc_now_unix(), retry = 0;
    /* guessing codes is as throttled as guessing passwords */
    char ip_key[96], login_key[96];
    snprintf(ip_key, sizeof ip_key, "activate:ip:%.64s", ip ? ip : "");
    snprintf(login_key, sizeof login_key, "activate:login:%.64s", login ? login : "");
    if ((rc = id_throttle_wait(c, ip_key, 20, now, &retry, err)) ||
        (rc = id_throttle_wait(c, login_key, 5, now, &retry, err)))
        return rc;
    if (retry)
        return pc_err_set(err, PC_ELIMIT, "too many attempts");
    if (hash_password(password, enc, sizeof enc))
        return pc_err_set(err, PC_EIO, "password hashing failed");
    if ((rc = db_begin(c, err)))
        return rc;
    /* Mark the code used only if it is this account's, unused and fresh:
     * one statement, so two redemptions cannot both succeed. */
    struct db_stmt *s = db_prepare(c,
        "UPDATE one_time_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? AND purpose <> 'mfa'"
        " AND account_id = (SELECT id FROM accounts WHERE login = ? AND status <> 'disabled')", err);
    int64_t n = -1;
    if (s) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, hash);
        db_bind_int(s, 3, now);
        db_bind_text(s, 4, login);
        n = db_run(s, err);
    }
    if (n != 1) {
        db_rollback(c);
        if (n < 0)
            return PC_EIO;
        /* count the miss in a transaction of its own */
        if (db_begin(c, err) == 0) {
            rc = id_throttle_hit(c, ip_key, now, err);
            if (!rc)
                rc = id_throttle_hit(c, login_key, now, err);
            db_end(c, rc, err);
        }
        return pc_err_set(err, PC_EDENIED, "the code is not valid, used or expired");
    }
    char ts[21];
    pc_rfc3339(now, ts);
    s = db_prepare(c, "UPDATE accounts SET password_hash = ?, password_set_at = ?, status = 'active',"
                      " failed_logins = 0, locked_until = 0 WHERE login = ?", err);
    rc = PC_EIO;
    if (s) {
        db_bind_text(s, 1, enc);
        db_bind_text(s, 2, ts);
        db_bind_text(s, 3, login);
        rc = db_run(s, err) == 1 ? 0 : PC_EIO;
    }
    /* a new password ends every existing session of the account */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE revoked_at IS NULL AND"
                                  " account_id = (SELECT id FROM accounts WHERE login = ?)", err))) {
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, login);
        rc = db_run(s, err) < 0 ? PC_EIO : 0;
    }
    if (!rc) {
        struct audit_entry e = {.actor = login, .role = "citizen", .action = "account.password_set",
                                .object_type = "account", .object_id = login, .ip = ip, .detail = "one-time code"};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    return db_end(c, rc, err);
}

/* ---- the code-password login method --------------------------------- */

static int password_authenticate(struct db *db, struct pc_arena *a, const struct id_login_request *req,
                                 const char **account_id, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id, password_hash, status FROM accounts WHERE login = ?", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, req->login);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    const char *id = NULL, *hash = NULL;
    bool active = false;
    if (rc == 1) {
        id = pc_arena_strdup(a, db_col_text(s, 0));
        hash = pc_arena_strdup(a, db_col_text(s, 1));
        active = pc_str_eq(db_col_text(s, 2), "active");
    }
    /* always verify, against a dummy when there is no usable hash */
    bool ok = verify_password(active ? hash : NULL, req->secret ? req->secret : "");
    if (!ok || !active)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    *account_id = id;
    return 0;
}

const struct id_login_method id_login_password = {
    .name = "password",
    .authenticate = password_authenticate,
};

/* ---- agency staff -------------------------------------------------------- */

int id_agency_staff(struct db *db, struct pc_arena *a, const char *agency_id, struct id_staff **out, size_t *n,
                    struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT a.id, a.login, a.status, r.role, p.first_name, p.last_name FROM account_roles r"
        " JOIN accounts a ON a.id = r.account_id LEFT JOIN persons p ON p.fin = a.fin"
        " WHERE r.agency_id = ? AND r.role IN ('officer', 'agency_admin') ORDER BY r.role, a.login LIMIT 500", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, agency_id);
    *out = pc_arena_alloc(a, 500 * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < 500) {
        struct id_staff *m = &(*out)[(*n)++];
        m->account_id = pc_arena_strdup(a, db_col_text(s, 0));
        m->login = pc_arena_strdup(a, db_col_text(s, 1));
        m->status = pc_arena_strdup(a, db_col_text(s, 2));
        m->role = (enum id_role)id_role_parse(db_col_text(s, 3));
        m->name = db_col_text(s, 4) ? pc_arena_printf(a, "%s %s", db_col_text(s, 4), db_col_text(s, 5)) : m->login;
    }
    return rc < 0 ? rc : 0;
}

int id_grant_remove(struct db *db, const char *account_id, enum id_role role, const char *agency_id,
                    const char *by, const char *ip, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "DELETE FROM account_roles WHERE account_id = ? AND role = ? AND agency_id = ?", err);
    int64_t n = -1;
    if (s) {
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, id_role_name(role));
        db_bind_text(s, 3, agency_id ? agency_id : "");
        n = db_run(s, err);
    }
    if (n == 0)
        rc = pc_err_set(err, PC_ENOTFOUND, "no such grant");
    else if (n < 0)
        rc = PC_EIO;
    /* the person's sessions end: their rights changed */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", err))) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, account_id);
        rc = db_run(s, err) < 0 ? PC_EIO : 0;
    }
    if (!rc) {
        struct audit_entry e = {.actor = by, .role = "agency_admin", .action = "account.role_removed",
                                .object_type = "account", .object_id = account_id, .ip = ip ? ip : "",
                                .detail = pc_str_eq(agency_id, "") ? id_role_name(role) : agency_id};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    return db_end(c, rc, err);
}

/* ---- second factor on and off --------------------------------------------- */

bool id_totp_enabled(struct db *db, const char *account_id)
{
    struct db_conn *c = db_conn_get(db, NULL);
    struct db_stmt *s = c ? db_prepare(c, "SELECT totp_secret IS NOT NULL FROM accounts WHERE id = ?", NULL) : NULL;
    if (!s)
        return false;
    db_bind_text(s, 1, account_id);
    return db_step(s, NULL) == 1 && db_col_int(s, 0) != 0;
}

int id_totp_set(struct db *db, const struct id_principal *p, const char *secret, const char *code,
                const char *ip, struct pc_err *err)
{
    if (secret && (strlen(secret) != ID_TOTP_SECRET_LEN || !id_totp_check(secret, code, pc_now_unix())))
        return pc_err_set(err, PC_EINVAL, "the code does not match; check the clock of your phone and try again");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE accounts SET totp_secret = ? WHERE id = ?", err);
    rc = PC_EIO;
    if (s) {
        db_bind_text(s, 1, secret);
        db_bind_text(s, 2, p->account_id);
        rc = db_run(s, err) == 1 ? 0 : PC_EIO;
    }
    /* a privilege change: every other session of the account ends */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND token_hash <> ?"
                                  " AND revoked_at IS NULL", err))) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, p->account_id);
        db_bind_text(s, 3, p->session_hash ? p->session_hash : "");
        rc = db_run(s, err) < 0 ? PC_EIO : 0;
    }
    if (!rc) {
        struct audit_entry e = {.actor = p->account_id, .role = "citizen",
                                .action = secret ? "account.totp_on" : "account.totp_off", .object_type = "account",
                                .object_id = p->account_id, .ip = ip ? ip : "", .detail = ""};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    return db_end(c, rc, err);
}
