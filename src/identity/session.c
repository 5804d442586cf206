/* session.c — sessions: making one for a login method, looking them up
 * (by token and kind), revoking them, listing an account's, and acting
 * for a legal entity.  The methods themselves are login.c's and
 * cert_login.c's.
 *
 * Tokens are 256 random bits shown to the client once; the database keeps
 * only their SHA-256, so a copy of the database lets no one log in. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define LAST_SEEN_GRANULARITY 60 /* write last_seen at most once a minute */

/* ---- making one ------------------------------------------------------------ */

int id_new_token(char *token_out, char hash[65], struct pc_err *err)
{
    unsigned char raw[32];
    if (pc_random_bytes(raw, sizeof raw))
        return pc_err_set(err, PC_EIO, "no randomness");
    pc_b64url_encode(raw, sizeof raw, token_out);
    pc_sha256_hex(token_out, strlen(token_out), hash);
    return 0;
}

int id_session_insert(struct db_conn *c, const char *account_id, const char *kind, const struct id_login_info *how,
                      const char *acting_for, const char *ip, const char *user_agent, char *token_out,
                      struct pc_err *err)
{
    char hash[65], csrf[33];
    int rc = id_new_token(token_out, hash, err);
    if (rc)
        return rc;
    if (pc_random_hex(csrf, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    int64_t now = pc_now_unix();
    struct db_stmt *s = db_prepare(c,
        "INSERT INTO sessions(token_hash, account_id, kind, csrf, created_at, last_seen_at, expires_at, ip, user_agent,"
        " login_method, cert_serial, only_service, acting_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return id_failed(err);
    char ua[201];
    snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
    if (!pc_utf8_valid(ua, strlen(ua)))
        ua[0] = 0;
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, account_id);
    db_bind_text(s, 3, kind);
    db_bind_text(s, 4, csrf);
    db_bind_int(s, 5, now);
    db_bind_int(s, 6, now);
    db_bind_int(s, 7, now + ID_SESSION_ABSOLUTE_SECS);
    db_bind_text(s, 8, ip ? ip : "");
    db_bind_text(s, 9, ua);
    db_bind_text(s, 10, id_method_name(how->method));
    db_bind_text(s, 11, how->cert_serial);
    db_bind_text(s, 12, how->only_service);
    db_bind_text(s, 13, acting_for);
    return id_ran(db_run(s, err));
}

/* ---- looking up --------------------------------------------------------- */

int id_session_lookup(struct db *db, struct pc_arena *a, const char *token, const char *kind,
                      struct id_principal *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_ENOTFOUND, "no session");
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    /* acting_for holds only while the grant does: checked on every request */
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT s.account_id, s.csrf, s.acting_for, s.last_seen_at, s.expires_at, a.login, a.fin,"
        " p.first_name, p.last_name, a.kind, (SELECT 1 FROM representatives r WHERE r.voen = s.acting_for"
        " AND r.fin = a.fin AND r.revoked_at IS NULL), s.login_method, s.created_at, s.cert_serial, s.only_service,"
        " s.kiosk_id, k.district, k.idle_secs"
        " FROM sessions s JOIN accounts a ON a.id = s.account_id LEFT JOIN persons p ON p.fin = a.fin"
        " LEFT JOIN kiosks k ON k.id = s.kiosk_id AND k.revoked_at IS NULL"
        " WHERE s.token_hash = ? AND s.kind = ? AND s.revoked_at IS NULL AND a.status = 'active'", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    db_bind_text(s, 2, kind);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "no session");
    int64_t now = pc_now_unix(), last_seen = db_col_int(s, 3), expires = db_col_int(s, 4);
    /* a kiosk's session lives only as long as the kiosk's idle time (and
     * the kiosk itself: a withdrawn kiosk's sessions are over) */
    bool at_kiosk = !db_col_is_null(s, 15);
    if (at_kiosk && db_col_is_null(s, 16))
        return pc_err_set(err, PC_ENOTFOUND, "the kiosk was withdrawn");
    int64_t idle = at_kiosk ? db_col_int(s, 17) : ID_SESSION_IDLE_SECS;
    if (now - last_seen > idle || now >= expires)
        return pc_err_set(err, PC_ENOTFOUND, "session expired");
    out->account_id = pc_arena_strdup(a, db_col_text(s, 0));
    out->csrf = pc_arena_strdup(a, db_col_text(s, 1));
    bool granted = !db_col_is_null(s, 10);
    out->acting_for = granted ? pc_arena_strdup(a, db_col_text(s, 2)) : NULL;
    out->login = pc_arena_strdup(a, db_col_text(s, 5));
    out->fin = pc_arena_strdup(a, db_col_text(s, 6));
    const char *account_kind = db_col_text(s, 9);
    out->kind = pc_str_eq(account_kind, "staff") ? ID_ACCOUNT_STAFF
              : pc_str_eq(account_kind, "guest") ? ID_ACCOUNT_GUEST : ID_ACCOUNT_CITIZEN;
    out->display_name = db_col_text(s, 7)
        ? pc_arena_printf(a, "%s %s", db_col_text(s, 7), db_col_text(s, 8)) : out->login;
    out->session_hash = pc_arena_strdup(a, hash);
    int method = id_method_parse(db_col_text(s, 11));
    /* a method this node does not know (a newer node's) reaches no level here */
    out->auth = (struct id_login_info){.method = method < 0 ? ID_METHOD_COUNT : (enum id_method)method,
                                       .at = db_col_int(s, 12), .cert_serial = pc_arena_strdup(a, db_col_text(s, 13)),
                                       .only_service = pc_arena_strdup(a, db_col_text(s, 14)),
                                       .kiosk_id = pc_arena_strdup(a, db_col_text(s, 15)),
                                       .kiosk_district = pc_arena_strdup(a, db_col_text(s, 16))};

    s = db_prepare(c, "SELECT role, agency_id FROM account_roles WHERE account_id = ? ORDER BY role, agency_id", err);
    if (!s)
        return id_failed(err);
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
    db_conn_idle(c);
    /* acting for an entity also needs the representative role still */
    if (out->acting_for && !id_has_role(out, ID_ROLE_REPRESENTATIVE))
        out->acting_for = NULL;
    /* a kiosk's idle time is short: every request counts */
    if (now - last_seen >= (at_kiosk ? 1 : LAST_SEEN_GRANULARITY)) {
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
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, sql, err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, arg);
        rc = id_ran(db_run(s, err));
    }
    struct audit_entry e = {.actor = actor, .role = "citizen", .action = action, .object_type = "session",
                            .object_id = actor, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

int id_session_revoke(struct db *db, const char *token, const char *kind, const char *ip, struct pc_err *err)
{
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return 0;
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_principal p;
    int rc = id_session_lookup(db, &a, token, kind, &p, err);
    if (rc == 0)
        rc = revoke_where(db, "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                          hash, p.account_id, "session.logout", ip, err);
    else if (rc == PC_ENOTFOUND)
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
                     struct id_session_info **out, size_t *n, bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, ID_SESSIONS_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c,
        "SELECT token_hash, created_at, last_seen_at, ip, user_agent, kind FROM sessions"
        " WHERE account_id = ? AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ?"
        " ORDER BY last_seen_at DESC LIMIT ?", err) : NULL;
    if (!s)
        return id_failed(err);
    int64_t now = pc_now_unix();
    db_bind_text(s, 1, p->account_id);
    db_bind_int(s, 2, now);
    db_bind_int(s, 3, now - ID_SESSION_IDLE_SECS);
    db_bind_int(s, 4, ID_SESSIONS_MAX + 1);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == ID_SESSIONS_MAX) {
            *more = true;
            break;
        }
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
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_session_act_for(struct db *db, const struct id_principal *p, const char *voen, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return id_failed(err);
    if (voen) {
        if (!id_voen_valid(voen))
            return pc_err_set(err, PC_EINVAL, "VÖEN must be 10 digits");
        struct db_stmt *s = db_prepare(c, "SELECT 1 FROM representatives WHERE voen = ? AND fin = ?"
                                          " AND revoked_at IS NULL", err);
        if (!s)
            return id_failed(err);
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
    struct db_stmt *s = db_prepare(c, "UPDATE sessions SET acting_for = ? WHERE token_hash = ? AND revoked_at IS NULL", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, voen);
        db_bind_text(s, 2, p->session_hash);
        int64_t n = db_run(s, err);
        rc = n == 1 ? 0 : n < 0 ? (int)n : pc_err_set(err, PC_ENOTFOUND, "the session ended before it could act for %s",
                                                       voen ? voen : "oneself");
    }
    struct audit_entry e = {.actor = p->account_id, .role = "representative", .action = "session.act_for",
                            .object_type = "legal_entity", .object_id = voen ? voen : "", .ip = "",
                            .detail = voen ? "start" : "stop"};
    return audit_end(c, rc, &e, err);
}
