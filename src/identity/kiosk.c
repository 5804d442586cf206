/* kiosk.c — post-office kiosks: the operator registers a device (its post
 * office, district and idle time) and the device keeps a token; a session
 * logged in at a kiosk is bound to it, so it ends after the kiosk's short
 * idle time and the principal names the kiosk (the channel and district
 * of what it submits).  Only the token's SHA-256 is stored. */
#include "identity.h"
#include "../audit/audit.h"
#include "internal.h"

#include <string.h>

#define KIOSK_COLS "id, post_office, district, idle_secs, created_at"

static void row_of(struct db_stmt *s, struct pc_arena *a, struct id_kiosk *out)
{
    *out = (struct id_kiosk){.id = pc_arena_strdup(a, db_col_text(s, 0)),
                             .post_office = pc_arena_strdup(a, db_col_text(s, 1)),
                             .district = pc_arena_strdup(a, db_col_text(s, 2)),
                             .idle_secs = (int)db_col_int(s, 3),
                             .created_at = db_col_int(s, 4)};
}

static int check_name(const char *what, const char *v, struct pc_err *err)
{
    if (!pc_text_line(v, ID_KIOSK_TEXT_MAX))
        return pc_err_set(err, PC_EINVAL, "the %s must be one line of 1–%d bytes", what, ID_KIOSK_TEXT_MAX);
    return 0;
}

int id_kiosk_register(struct db *db, struct pc_arena *a, const struct id_principal *who, const char *post_office,
                      const char *district, int idle_secs, const char *ip, struct id_kiosk *out, char *token_out,
                      struct pc_err *err)
{
    token_out[0] = 0;
    if (!id_authorize(who, ID_ACT_MANAGE_KIOSKS, NULL))
        return pc_err_set(err, PC_EDENIED, "only the portal's operator registers kiosks");
    int rc;
    if ((rc = check_name("post office", post_office, err)) || (rc = check_name("district", district, err)))
        return rc;
    if (idle_secs < ID_KIOSK_IDLE_MIN || idle_secs > ID_KIOSK_IDLE_MAX)
        return pc_err_set(err, PC_EINVAL, "the idle time must be %d–%d seconds", ID_KIOSK_IDLE_MIN, ID_KIOSK_IDLE_MAX);
    char hash[65];
    char *id = pc_arena_alloc(a, 33);
    if ((rc = id_new_token(token_out, hash, err)))
        return rc;
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    *out = (struct id_kiosk){.id = id, .post_office = pc_arena_strdup(a, post_office),
                             .district = pc_arena_strdup(a, district), .idle_secs = idle_secs,
                             .created_at = pc_now_unix()};
    struct db_conn *c;
    if ((rc = audit_begin(db, &c, err)))
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO kiosks(id, token_hash, post_office, district, idle_secs, created_by,"
                                      " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
    rc = id_failed(err);
    if (s) {
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, hash);
        db_bind_text(s, 3, post_office);
        db_bind_text(s, 4, district);
        db_bind_int(s, 5, idle_secs);
        db_bind_text(s, 6, who->account_id);
        db_bind_int(s, 7, out->created_at);
        rc = id_ran(db_run(s, err));
    }
    struct audit_entry e = {.actor = who->account_id, .role = "operator", .action = "kiosk.register",
                            .object_type = "kiosk", .object_id = id, .ip = ip ? ip : "", .detail = district};
    rc = audit_end(c, rc, &e, err);
    if (rc)
        token_out[0] = 0;
    return rc;
}

int id_kiosk_by_token(struct db *db, struct pc_arena *a, const char *token, struct id_kiosk *out, struct pc_err *err)
{
    if (!token || strlen(token) != ID_TOKEN_CHARS)
        return pc_err_set(err, PC_ENOTFOUND, "not a registered kiosk");
    char hash[65];
    pc_sha256_hex(token, ID_TOKEN_CHARS, hash);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " KIOSK_COLS " FROM kiosks WHERE token_hash = ? AND revoked_at IS NULL",
                                       err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, hash);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return pc_err_set(err, PC_ENOTFOUND, "not a registered kiosk");
    row_of(s, a, out);
    db_conn_idle(c);
    return 0;
}

int id_kiosks_list(struct db *db, struct pc_arena *a, const struct id_principal *who, struct id_kiosk **out,
                   size_t *n, struct pc_err *err)
{
    *n = 0;
    if (!id_authorize(who, ID_ACT_MANAGE_KIOSKS, NULL))
        return pc_err_set(err, PC_EDENIED, "only the portal's operator sees the kiosks");
    *out = pc_arena_array(a, ID_KIOSKS_MAX, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT " KIOSK_COLS " FROM kiosks WHERE revoked_at IS NULL"
                                          " ORDER BY created_at DESC, id LIMIT ?", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_int(s, 1, ID_KIOSKS_MAX);
    int rc;
    while ((rc = db_step(s, err)) == 1)
        row_of(s, a, &(*out)[(*n)++]);
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int id_kiosk_withdraw(struct db *db, const struct id_principal *who, const char *kiosk_id, const char *ip,
                      struct pc_err *err)
{
    if (!id_authorize(who, ID_ACT_MANAGE_KIOSKS, NULL))
        return pc_err_set(err, PC_EDENIED, "only the portal's operator withdraws kiosks");
    struct db_conn *c;
    int rc = audit_begin(db, &c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "UPDATE kiosks SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", err);
    rc = id_failed(err);
    if (s) {
        db_bind_int(s, 1, pc_now_unix());
        db_bind_text(s, 2, kiosk_id);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : n == 0 ? pc_err_set(err, PC_ENOTFOUND, "no such kiosk in service") : 0;
    }
    struct audit_entry e = {.actor = who->account_id, .role = "operator", .action = "kiosk.withdraw",
                            .object_type = "kiosk", .object_id = kiosk_id, .ip = ip ? ip : "", .detail = ""};
    return audit_end(c, rc, &e, err);
}

int id_session_bind_kiosk(struct db *db, const struct id_principal *p, const struct id_kiosk *k, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "UPDATE sessions SET kiosk_id = ?, last_seen_at = ? WHERE token_hash = ?"
                                          " AND revoked_at IS NULL AND kiosk_id IS NULL", err) : NULL;
    if (!s)
        return id_failed(err);
    db_bind_text(s, 1, k->id);
    db_bind_int(s, 2, pc_now_unix());
    db_bind_text(s, 3, p->session_hash);
    return id_ran(db_run(s, err));
}
