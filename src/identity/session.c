/* session.c — logging in (throttling, the login method, a new session),
 * looking sessions up, revoking them, and acting for a legal entity.
 *
 * Tokens are 256 random bits shown to the client once; the database keeps
 * only their SHA-256, so a copy of the database lets no one log in. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define THROTTLE_PER_LOGIN 5     /* failures per window before a pause */
#define THROTTLE_PER_IP 30
#define LAST_SEEN_GRANULARITY 60 /* write last_seen at most once a minute */

/* ---- login ------------------------------------------------------------- */

static int clear_throttle(struct db_conn *c, const char *key, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "DELETE FROM login_throttle WHERE key = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, key);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

static int totp_secret_of(struct db_conn *c, struct pc_arena *a, const char *account_id, const char **out,
                          struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT totp_secret FROM accounts WHERE id = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, account_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *out = rc == 1 ? pc_arena_strdup(a, db_col_text(s, 0)) : NULL;
    return 0;
}

/* A 5-minute ticket between the password and the second factor. */
static int new_ticket(struct db_conn *c, const char *account_id, char *ticket_out, struct pc_err *err)
{
    unsigned char raw[32];
    char hash[65];
    if (pc_random_bytes(raw, sizeof raw))
        return pc_err_set(err, PC_EIO, "no randomness");
    pc_b64url_encode(raw, sizeof raw, ticket_out);
    pc_sha256_hex(ticket_out, strlen(ticket_out), hash);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "INSERT INTO one_time_codes(code_hash, account_id, purpose, issued_by, created_at,"
                                      " expires_at) VALUES (?, ?, 'mfa', 'login', ?, ?)", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_int(s, 3, now);
    db_bind_int(s, 4, now + 300);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

static int new_session(struct db_conn *c, const char *account_id, const char *kind,
                       const struct id_login_request *req, char *token_out, struct pc_err *err)
{
    unsigned char raw[32];
    char hash[65], csrf[33];
    if (pc_random_bytes(raw, sizeof raw) || pc_random_hex(csrf, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    pc_b64url_encode(raw, sizeof raw, token_out);
    pc_sha256_hex(token_out, strlen(token_out), hash);
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO sessions(token_hash, account_id, kind, csrf, created_at, last_seen_at, expires_at, ip, user_agent)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return PC_EIO;
    char ua[201];
    snprintf(ua, sizeof ua, "%s", req->user_agent ? req->user_agent : "");
    if (!pc_utf8_valid(ua, strlen(ua)))
        ua[0] = 0;
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_text(s, 3, kind);
    db_bind_text(s, 4, csrf);
    db_bind_int(s, 5, now);
    db_bind_int(s, 6, now);
    db_bind_int(s, 7, now + ID_SESSION_ABSOLUTE_SECS);
    db_bind_text(s, 8, req->ip ? req->ip : "");
    db_bind_text(s, 9, ua);
    return db_run(s, err) < 0 ? PC_EIO : 0;
}

int id_login(struct db *db, struct pc_arena *a, const struct id_login_method *m,
             const struct id_login_request *req, const char *kind, char *token_out,
             int64_t *retry_after, struct pc_err *err)
{
    *retry_after = 0;
    if (!req->login || !*req->login || strlen(req->login) > 64)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int64_t now = pc_now_unix();
    const char *login_key = pc_arena_printf(a, "login:%s", req->login);
    const char *ip_key = pc_arena_printf(a, "ip:%s", req->ip ? req->ip : "");
    int rc = id_throttle_wait(c, login_key, THROTTLE_PER_LOGIN, now, retry_after, err);
    if (!rc)
        rc = id_throttle_wait(c, ip_key, THROTTLE_PER_IP, now, retry_after, err);
    if (rc)
        return rc;
    if (*retry_after > 0)
        return pc_err_set(err, PC_ELIMIT, "too many attempts");

    const char *account_id = NULL;
    int auth = m->authenticate(db, a, req, &account_id, err);
    if (auth != 0 && auth != PC_EDENIED)
        return auth;
    bool need_ticket = false;
    if (auth == 0) {
        const char *totp = NULL;
        if ((rc = totp_secret_of(c, a, account_id, &totp, err)))
            return rc;
        if (totp && !req->otp)
            need_ticket = true;
        else if (totp && !id_totp_check(totp, req->otp, now))
            auth = PC_EDENIED;
    }

    /* The hash above ran outside any transaction; the writes go in one. */
    if ((rc = db_begin(c, err)))
        return rc;
    struct audit_entry e = {.actor = account_id ? account_id : "anonymous", .role = "citizen",
                            .object_type = "account", .object_id = req->login, .ip = req->ip ? req->ip : "",
                            .detail = m->name};
    if (auth == PC_EDENIED) {
        rc = id_throttle_hit(c, login_key, now, err);
        if (!rc)
            rc = id_throttle_hit(c, ip_key, now, err);
        e.action = "session.login_failed";
    } else if (need_ticket) {
        rc = new_ticket(c, account_id, token_out, err);
        e.action = "session.second_factor_asked";
    } else {
        rc = clear_throttle(c, login_key, err);
        if (!rc)
            rc = new_session(c, account_id, kind, req, token_out, err);
        e.action = "session.login";
    }
    if (!rc && audit_append(c, &e, err) < 0)
        rc = PC_EIO;
    if (rc) {
        db_rollback(c);
        return rc;
    }
    if ((rc = db_commit(c, err)))
        return rc;
    if (auth == PC_EDENIED)
        return pc_err_set(err, PC_EDENIED, "wrong login or password");
    return need_ticket ? pc_err_set(err, PC_EMORE, "second factor needed") : 0;
}

int id_login_second_factor(struct db *db, struct pc_arena *a, const char *ticket, const char *otp,
                           const struct id_login_request *req, const char *kind, char *token_out,
                           int64_t *retry_after, struct pc_err *err)
{
    *retry_after = 0;
    if (!ticket || strlen(ticket) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_EDENIED, "the login has expired; start again");
    char hash[65];
    pc_sha256_hex(ticket, ID_TOKEN_CHARS, hash);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c, "SELECT o.account_id, a.totp_secret FROM one_time_codes o JOIN accounts a"
                                      " ON a.id = o.account_id WHERE o.code_hash = ? AND o.purpose = 'mfa'"
                                      " AND o.used_at IS NULL AND o.expires_at > ? AND a.status = 'active'", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, hash);
    db_bind_int(s, 2, now);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_EDENIED, "the login has expired; start again");
    const char *account_id = pc_arena_strdup(a, db_col_text(s, 0));
    const char *secret = pc_arena_strdup(a, db_col_text(s, 1));
    const char *key = pc_arena_printf(a, "mfa:%s", account_id);
    if ((rc = id_throttle_wait(c, key, THROTTLE_PER_LOGIN, now, retry_after, err)))
        return rc;
    if (*retry_after)
        return pc_err_set(err, PC_ELIMIT, "too many attempts");
    bool ok = id_totp_check(secret, otp, now);
    if ((rc = db_begin(c, err)))
        return rc;
    struct audit_entry e = {.actor = account_id, .role = "citizen", .object_type = "account",
                            .object_id = account_id, .ip = req->ip ? req->ip : "", .detail = "totp"};
    if (ok) {
        s = db_prepare(c, "UPDATE one_time_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", err);
        rc = PC_EIO;
        if (s) {
            db_bind_int(s, 1, now);
            db_bind_text(s, 2, hash);
            rc = db_run(s, err) == 1 ? 0 : pc_err_set(err, PC_EDENIED, "the login has expired; start again");
        }
        if (!rc)
            rc = clear_throttle(c, key, err);
        if (!rc)
            rc = new_session(c, account_id, kind, req, token_out, err);
        e.action = "session.login";
    } else {
        rc = id_throttle_hit(c, key, now, err);
        e.action = "session.second_factor_failed";
    }
    if (!rc && audit_append(c, &e, err) < 0)
        rc = PC_EIO;
    if (rc) {
        db_rollback(c);
        return rc;
    }
    if ((rc = db_commit(c, err)))
        return rc;
    return ok ? 0 : pc_err_set(err, PC_EINVAL, "wrong code");
}

/* ---- looking up --------------------------------------------------------- */

int id_session_lookup(struct db *db, struct pc_arena *a, const char *token, struct id_principal *out,
                      struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_ENOTFOUND, "no session");
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT s.account_id, s.csrf, s.acting_for, s.last_seen_at, s.expires_at, a.login, a.fin,"
        " p.first_name, p.last_name FROM sessions s JOIN accounts a ON a.id = s.account_id"
        " LEFT JOIN persons p ON p.fin = a.fin"
        " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND a.status = 'active'", err) : NULL;
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, hash);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no session");
    int64_t now = pc_now_unix(), last_seen = db_col_int(s, 3), expires = db_col_int(s, 4);
    if (now - last_seen > ID_SESSION_IDLE_SECS || now >= expires)
        return pc_err_set(err, PC_ENOTFOUND, "session expired");
    out->account_id = pc_arena_strdup(a, db_col_text(s, 0));
    out->csrf = pc_arena_strdup(a, db_col_text(s, 1));
    out->acting_for = pc_arena_strdup(a, db_col_text(s, 2));
    out->login = pc_arena_strdup(a, db_col_text(s, 5));
    out->fin = pc_arena_strdup(a, db_col_text(s, 6));
    out->display_name = db_col_text(s, 7)
        ? pc_arena_printf(a, "%s %s", db_col_text(s, 7), db_col_text(s, 8)) : out->login;
    out->session_hash = pc_arena_strdup(a, hash);

    s = db_prepare(c, "SELECT role, agency_id FROM account_roles WHERE account_id = ? ORDER BY role, agency_id", err);
    if (!s)
        return PC_EIO;
    db_bind_text(s, 1, out->account_id);
    while ((rc = db_step(s, err)) == 1 && out->ngrants < ID_MAX_ROLES) {
        int role = id_role_parse(db_col_text(s, 0));
        if (role < 0)
            continue;
        out->grants[out->ngrants].role = (enum id_role)role;
        out->grants[out->ngrants].agency_id = pc_arena_strdup(a, db_col_text(s, 1));
        out->ngrants++;
    }
    if (rc < 0)
        return rc;
    if (now - last_seen >= LAST_SEEN_GRANULARITY) {
        s = db_prepare(c, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", err);
        if (s) {
            db_bind_int(s, 1, now);
            db_bind_text(s, 2, hash);
            db_run(s, NULL); /* best effort: a missed refresh costs nothing */
        }
    }
    return 0;
}

/* ---- revoking ------------------------------------------------------------ */

static int revoke_where(struct db *db, const char *sql, const char *arg, const char *actor,
                        const char *action, const char *ip, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, sql, err);
    rc = PC_EIO;
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, arg);
        rc = db_run(s, err) < 0 ? PC_EIO : 0;
    }
    if (!rc) {
        struct audit_entry e = {.actor = actor, .role = "citizen", .action = action, .object_type = "session",
                                .object_id = actor, .ip = ip ? ip : "", .detail = ""};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    return db_end(c, rc, err);
}

int id_session_revoke(struct db *db, const char *token, const char *ip, struct pc_err *err)
{
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return 0;
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_principal p;
    int rc = id_session_lookup(db, &a, token, &p, NULL);
    if (rc == 0)
        rc = revoke_where(db, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                          hash, p.account_id, "session.logout", ip, err);
    else
        rc = 0; /* already gone */
    pc_arena_release(&a);
    return rc;
}

int id_session_revoke_all(struct db *db, const char *account_id, const char *ip, struct pc_err *err)
{
    return revoke_where(db, "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                        account_id, account_id, "session.logout_everywhere", ip, err);
}

int id_sessions_list(struct db *db, struct pc_arena *a, const struct id_principal *p,
                     struct id_session_info **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent, kind FROM sessions"
        " WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?"
        " ORDER BY last_seen_at DESC LIMIT 50", err) : NULL;
    if (!s)
        return PC_EIO;
    int64_t now = pc_now_unix();
    db_bind_text(s, 1, p->account_id);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now - ID_SESSION_IDLE_SECS);
    *out = pc_arena_alloc(a, 50 * sizeof **out);
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < 50) {
        struct id_session_info *i = &(*out)[(*n)++];
        const char *h = db_col_text(s, 0);
        i->hash_prefix = pc_arena_strndup(a, h, 12);
        i->current = pc_str_eq(h, p->session_hash);
        i->created_at = db_col_int(s, 1);
        i->last_seen_at = db_col_int(s, 2);
        i->ip = pc_arena_strdup(a, db_col_text(s, 3));
        i->user_agent = pc_arena_strdup(a, db_col_text(s, 4));
        i->kind = pc_arena_strdup(a, db_col_text(s, 5));
    }
    return rc < 0 ? rc : 0;
}

int id_session_act_for(struct db *db, const struct id_principal *p, const char *voen, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return PC_EIO;
    if (voen) {
        if (!id_voen_valid(voen))
            return pc_err_set(err, PC_EINVAL, "VÖEN must be 10 digits");
        struct db_stmt *s = db_prepare(c, "SELECT 1 FROM representatives WHERE voen = ? AND fin = ?"
                                          " AND revoked_at IS NULL", err);
        if (!s)
            return PC_EIO;
        db_bind_text(s, 1, voen);
        db_bind_text(s, 2, p->fin ? p->fin : "");
        int rc = db_step(s, err);
        if (rc < 0)
            return rc;
        struct id_resource res = {.voen = voen, .granted = rc == 1};
        if (!id_authorize(p, ID_ACT_ACT_FOR_ENTITY, &res))
            return pc_err_set(err, PC_EDENIED, "you may not act for this entity");
    }
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE sessions SET acting_for = ? WHERE token_hash = ?", err);
    rc = PC_EIO;
    if (s) {
        db_bind_text(s, 1, voen);
        db_bind_text(s, 2, p->session_hash);
        rc = db_run(s, err) == 1 ? 0 : PC_EIO;
    }
    if (!rc) {
        struct audit_entry e = {.actor = p->account_id, .role = "representative", .action = "session.act_for",
                                .object_type = "legal_entity", .object_id = voen ? voen : "", .ip = "",
                                .detail = voen ? "start" : "stop"};
        rc = audit_append(c, &e, err) < 0 ? PC_EIO : 0;
    }
    return db_end(c, rc, err);
}
