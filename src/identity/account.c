/* account.c — accounts and their roles: citizen accounts (one per person,
 * the FİN as login) and staff accounts (their own namespace of logins,
 * bound to the staff member's person record and confirmed by that person
 * or a registration desk before any code can activate them), finding an
 * account by what someone typed, agency staff lists, taking a role away. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define STAFF_CODE_VALID_SECS (72 * 3600)
#define UNCONFIRMED_MAX 8

static const char *kind_name(enum id_account_kind k)
{
    return k == ID_ACCOUNT_STAFF ? "staff" : "citizen";
}

bool id_staff_login_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return false;
    /* never something a FİN typed in any case could be */
    char fin[8];
    return !id_fin_normalize(s, fin);
}

int id_login_key(const char *typed, char out[ID_LOGIN_KEY], enum id_account_kind *kind)
{
    char fin[8];
    if (id_fin_normalize(typed, fin)) {
        memcpy(out, fin, 8);
        *kind = ID_ACCOUNT_CITIZEN;
        return 0;
    }
    if (!id_staff_login_valid(typed))
        return PC_EINVAL;
    memcpy(out, typed, strlen(typed) + 1);
    *kind = ID_ACCOUNT_STAFF;
    return 0;
}

/* Insert an account and its grants on c (inside a transaction). */
static int insert_account(struct db_conn *c, const char *id, enum id_account_kind kind, const char *login,
                          const char *fin, const char *status, const struct id_grant *grants, int ngrants,
                          const char *by, struct pc_err *err)
{
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    struct db_stmt *s = db_prepare(c, "INSERT INTO accounts(id, login, fin, status, kind, created_by, created_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, login);
    db_bind_text(s, 3, fin);
    db_bind_text(s, 4, status);
    db_bind_text(s, 5, kind_name(kind));
    db_bind_text(s, 6, by);
    db_bind_text(s, 7, now);
    int rc = id_ran(db_run(s, err));
    if (rc == PC_ECONFLICT)
        return pc_err_set(err, PC_ECONFLICT, kind == ID_ACCOUNT_STAFF ? "the login %s is taken"
                                                                        : "%s has a citizen account already", login);
    for (int i = 0; i < ngrants && !rc; i++) {
        s = db_prepare(c, "INSERT INTO account_roles(account_id, role, agency_id, granted_by, granted_at)"
                          " VALUES (?, ?, ?, ?, ?)", err);
        if (!s)
            return id_failed(err);
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, id_role_name(grants[i].role));
        db_bind_text(s, 3, grants[i].agency_id ? grants[i].agency_id : "");
        db_bind_text(s, 4, by ? by : "system");
        db_bind_text(s, 5, now);
        rc = id_ran(db_run(s, err));
    }
    return rc;
}

int id_account_create(struct db *db, enum id_account_kind kind, const char *login, const char *fin,
                      const struct id_grant *grants, int ngrants, const char *by, const char *by_role,
                      struct pc_arena *a, const char **account_id, struct pc_err *err)
{
    if (!fin || !id_fin_valid(fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and capital Latin letters");
    if (kind == ID_ACCOUNT_CITIZEN && !pc_str_eq(login, fin))
        return pc_err_set(err, PC_EINVAL, "a citizen account's login is the person's FİN");
    if (kind == ID_ACCOUNT_STAFF && !id_staff_login_valid(login))
        return pc_err_set(err, PC_EINVAL, "a staff login is 3–64 letters, digits, '.', '-' or '_' and not a FİN");
    char *id = pc_arena_alloc(a, 33);
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    /* an administrator's new staff account waits for its owner's word */
    const char *status = kind == ID_ACCOUNT_STAFF && by ? "unconfirmed" : "pending";
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    rc = insert_account(c, id, kind, login, fin, status, grants, ngrants, by, err);
    struct audit_entry e = {.actor = by ? by : "system", .role = by_role ? by_role : "system",
                            .action = "account.create", .object_type = "account", .object_id = id,
                            .ip = "", .detail = login};
    if ((rc = audit_end(c, rc, &e, err)))
        return rc;
    *account_id = id;
    return 0;
}

int id_citizen_account_on(struct db_conn *c, struct pc_arena *a, const char *fin, const char *by,
                          const char *by_role, const char **account_id, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT id FROM accounts WHERE fin = ? AND kind = 'citizen'", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        *account_id = pc_arena_strdup(a, db_col_text(s, 0));
        db_conn_idle(c);
        return 0;
    }
    s = db_prepare(c, "SELECT 1 FROM representatives WHERE fin = ? AND revoked_at IS NULL LIMIT 1", err);
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    int represents = db_step(s, err);
    if (represents < 0)
        return represents;
    db_conn_idle(c);
    char *id = pc_arena_alloc(a, 33);
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    struct id_grant g[2] = {{ID_ROLE_CITIZEN, ""}, {ID_ROLE_REPRESENTATIVE, ""}};
    rc = insert_account(c, id, ID_ACCOUNT_CITIZEN, fin, fin, "pending", g, represents ? 2 : 1, by, err);
    if (rc)
        return rc;
    struct audit_entry e = {.actor = by ? by : "system", .role = by_role ? by_role : "system",
                            .action = "account.create", .object_type = "account", .object_id = id,
                            .ip = "", .detail = fin};
    int64_t seq = audit_append(c, &e, err);
    if (seq < 0)
        return (int)seq;
    *account_id = id;
    return 0;
}

int id_citizen_account(struct db *db, struct pc_arena *a, const char *fin, const char *by, const char *by_role,
                       const char **account_id, struct pc_err *err)
{
    if (!id_fin_valid(fin))
        return pc_err_set(err, PC_EINVAL, "FİN must be 7 characters: digits and capital Latin letters");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = id_citizen_account_on(c, a, fin, by, by_role, account_id, err);
    return db_end(c, rc, err);
}

int id_account_find(struct db *db, struct pc_arena *a, const char *login, const char **account_id,
                    struct pc_err *err)
{
    char key[ID_LOGIN_KEY];
    enum id_account_kind kind;
    if (id_login_key(login, key, &kind))
        return pc_err_set(err, PC_ENOTFOUND, "no such account");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT id FROM accounts WHERE login = ? AND kind = ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, key);
    db_bind_text(s, 2, kind_name(kind));
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such account");
    *account_id = pc_arena_strdup(a, db_col_text(s, 0));
    db_conn_idle(c);
    return 0;
}

/* ---- figures for the usage statistics (src/monitor) --------------------- */

int id_code_password_holders(struct db *db, int64_t *n, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT COUNT(*) FROM accounts WHERE kind = 'citizen' AND status = 'active'"
                                          " AND password_hash IS NOT NULL", err)
                          : NULL;
    if (!s)
        return id_failed(err);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *n = db_col_int(s, 0);
    db_conn_idle(c);
    return 0;
}

int id_account_created_day(struct db *db, const char *account_id, char day[11], struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT created_at FROM accounts WHERE id = ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, account_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no such account");
    snprintf(day, 11, "%.10s", db_col_text(s, 0));
    db_conn_idle(c);
    return 0;
}

/* ---- agency staff -------------------------------------------------------- */

static void read_staff(struct pc_arena *a, struct db_stmt *s, struct id_staff *m)
{
    m->account_id = pc_arena_strdup(a, db_col_text(s, 0));
    m->login = pc_arena_strdup(a, db_col_text(s, 1));
    m->status = pc_arena_strdup(a, db_col_text(s, 2));
    int role = id_role_parse(db_col_text(s, 3));
    m->role = role < 0 ? ID_ROLE_OFFICER : (enum id_role)role;
    m->agency_id = pc_arena_strdup(a, db_col_text(s, 4));
    m->name = db_col_text(s, 5) ? pc_arena_printf(a, "%s %s", db_col_text(s, 5), db_col_text(s, 6)) : m->login;
}

#define STAFF_COLUMNS "a.id, a.login, a.status, r.role, r.agency_id, p.first_name, p.last_name"

int id_agency_staff(struct db *db, struct pc_arena *a, const char *agency_id, struct id_staff **out, size_t *n,
                    bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, ID_STAFF_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT " STAFF_COLUMNS " FROM account_roles r JOIN accounts a ON a.id = r.account_id"
        " LEFT JOIN persons p ON p.fin = a.fin WHERE r.agency_id = ? AND r.role IN ('officer', 'agency_admin', 'inspector')"
        " ORDER BY r.role, a.login LIMIT ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, agency_id);
    db_bind_int(s, 2, ID_STAFF_MAX + 1);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == ID_STAFF_MAX) {
            *more = true;
            break;
        }
        read_staff(a, s, &(*out)[(*n)++]);
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_staff_unconfirmed(struct db *db, struct pc_arena *a, const char *fin, struct id_staff **out, size_t *n,
                         struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, UNCONFIRMED_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT " STAFF_COLUMNS " FROM accounts a JOIN account_roles r ON r.account_id = a.id"
        " LEFT JOIN persons p ON p.fin = a.fin WHERE a.fin = ? AND a.kind = 'staff' AND a.status = 'unconfirmed'"
        " ORDER BY a.login, r.role LIMIT ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, UNCONFIRMED_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        read_staff(a, s, &(*out)[(*n)++]);
    return rc < 0 ? rc : 0;
}

int id_staff_confirm(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *account_id,
                     const char *ip, char *code_out, const char **login, struct pc_err *err)
{
    /* the person themself, from their own citizen account, or the desk */
    bool desk = id_authorize(who, ID_ACT_ISSUE_CODE, NULL);
    bool citizen = who && who->kind == ID_ACCOUNT_CITIZEN && who->fin;
    if (!desk && !citizen)
        return pc_err_set(err, PC_EDENIED, "only the person or a registration desk confirms a staff account");
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "SELECT fin, created_by, login FROM accounts WHERE id = ? AND kind = 'staff'"
                                      " AND status = 'unconfirmed'", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, account_id);
        rc = db_step(s, err);
        const char *fin = rc == 1 ? pc_arena_strdup(a, db_col_text(s, 0)) : NULL;
        const char *creator = rc == 1 ? pc_arena_strdup(a, db_col_text(s, 1)) : NULL;
        *login = rc == 1 ? pc_arena_strdup(a, db_col_text(s, 2)) : NULL;
        if (rc == 0 || (rc == 1 && !desk && !pc_str_eq(fin, who->fin)))
            rc = pc_err_set(err, PC_ENOTFOUND, "no staff account %s waits for this confirmation", account_id);
        else if (rc == 1 && pc_str_eq(creator, who->account_id))
            rc = pc_err_set(err, PC_EDENIED, "the account that created a staff account cannot confirm it");
        else if (rc == 1)
            rc = 0;
    }
    const char *role = desk ? "registrar" : "citizen";
    if (!rc && (s = db_prepare(c, "UPDATE accounts SET status = 'pending' WHERE id = ? AND status = 'unconfirmed'", err))) {
        db_bind_text(s, 1, account_id);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    if (!rc)
        rc = id_code_insert(c, account_id, "activate", who->account_id, role, ip, STAFF_CODE_VALID_SECS, code_out, err);
    struct audit_entry e = {.actor = who->account_id, .role = role, .action = "account.staff_confirmed",
                            .object_type = "account", .object_id = account_id, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

int id_grant_remove(struct db *db, const char *account_id, enum id_role role, const char *agency_id,
                    const char *by, const char *ip, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "DELETE FROM account_roles WHERE account_id = ? AND role = ? AND agency_id = ?", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, account_id);
        db_bind_text(s, 2, id_role_name(role));
        db_bind_text(s, 3, agency_id ? agency_id : "");
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "no such grant");
    }
    /* the person's sessions end: their rights changed */
    if (!rc && (s = db_prepare(c, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", err))) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, account_id);
        rc = id_ran(db_run(s, err));
    } else if (!rc) {
        rc = id_failed(err);
    }
    struct audit_entry e = {.actor = by, .role = "agency_admin", .action = "account.role_removed",
                            .object_type = "account", .object_id = account_id, .ip = ip ? ip : "",
                            .detail = pc_str_eq(agency_id, "") ? id_role_name(role) : agency_id};
    return audit_end(c, rc, &e, err);
}
