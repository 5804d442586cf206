/* store.c — the SQL of the mobile signature: the SIMs bound to persons
 * (mobile_clients) and the sessions (mobile_sessions).  Every change of a
 * session's state is one UPDATE that names the state it expects, so two
 * nodes (an answer and a timeout) cannot both end the same session. */
#include "internal.h"

#include <string.h>

static int failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

static int ran(int64_t n)
{
    return n < 0 ? (int)n : 0;
}

/* ---- SIMs ------------------------------------------------------------------ */

int mi_client_get(struct db_conn *c, struct pc_arena *a, const char *phone, struct mi_client_row *out,
                  struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT phone, fin, name, auth_serial, sign_serial, channel_key"
                                      " FROM mobile_clients WHERE phone = ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, phone);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no SIM is bound to %s", phone);
    const char **cols[] = {&out->phone, &out->fin, &out->name, &out->auth_serial, &out->sign_serial,
                           &out->channel_key};
    for (int i = 0; i < 6; i++)
        *cols[i] = pc_arena_strdup(a, db_col_text(s, i));
    db_conn_idle(c);
    return 0;
}

int mi_client_put(struct db_conn *c, const struct mi_client_row *r, const char *by, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "DELETE FROM mobile_clients WHERE phone = ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, r->phone);
    int rc = ran(db_run(s, err));
    if (rc)
        return rc;
    s = db_prepare(c, "INSERT INTO mobile_clients(phone, fin, name, auth_serial, sign_serial, channel_key, created_at,"
                      " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return failed(err);
    const char *vals[] = {r->phone, r->fin, r->name, r->auth_serial, r->sign_serial, r->channel_key};
    for (int i = 0; i < 6; i++)
        db_bind_text(s, i + 1, vals[i]);
    db_bind_int(s, 7, pc_now_unix());
    db_bind_text(s, 8, by);
    return ran(db_run(s, err));
}

/* ---- sessions ------------------------------------------------------------- */

#define SESSION_COLUMNS                                                                                    \
    "id, kind, client, rp_name, phone, fin, hash_type, hash, lang, display_text, client_ip, state, result," \
    " delivered_at, signature, cert_serial, created_at, answer_by, expires_at"

static const char *dup_or_null(struct pc_arena *a, struct db_stmt *s, int i)
{
    return db_col_is_null(s, i) ? NULL : pc_arena_strdup(a, db_col_text(s, i));
}

static void row_of(struct pc_arena *a, struct db_stmt *s, struct mi_session_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = pc_arena_strdup(a, db_col_text(s, 0));
    int k = mid_kind_parse(db_col_text(s, 1)), h = mid_hash_parse(db_col_text(s, 6));
    int l = mid_lang_parse(db_col_text(s, 8)), res = mid_result_parse(db_col_text(s, 12));
    r->kind = k < 0 ? MID_KIND_AUTH : (enum mid_kind)k;
    r->client = pc_arena_strdup(a, db_col_text(s, 2));
    r->rp_name = pc_arena_strdup(a, db_col_text(s, 3));
    r->phone = dup_or_null(a, s, 4);
    r->fin = dup_or_null(a, s, 5);
    r->hash_type = h < 0 ? MID_SHA256 : (enum mid_hash)h;
    const char *hash = db_col_text(s, 7);
    long n = hash ? pc_b64url_decode(hash, strlen(hash), r->hash, sizeof r->hash) : -1;
    r->hash_len = n > 0 ? (size_t)n : 0;
    r->lang = l < 0 ? PC_LANG_AZ : (enum pc_lang)l;
    r->display_text = dup_or_null(a, s, 9);
    r->client_ip = dup_or_null(a, s, 10);
    r->complete = pc_str_eq(db_col_text(s, 11), "complete");
    r->result = res < 0 ? MID_DELIVERY_ERROR : (enum mid_result)res;
    r->delivered_at = db_col_is_null(s, 13) ? 0 : db_col_int(s, 13);
    r->signature = dup_or_null(a, s, 14);
    r->cert_serial = dup_or_null(a, s, 15);
    r->created_at = db_col_int(s, 16);
    r->answer_by = db_col_int(s, 17);
    r->expires_at = db_col_int(s, 18);
}

static void bind_or_null(struct db_stmt *s, int i, const char *v)
{
    if (v)
        db_bind_text(s, i, v);
    else
        db_bind_null(s, i);
}

int mi_session_insert(struct db_conn *c, const struct mi_session_row *r, const char *qr_hash, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "INSERT INTO mobile_sessions(id, kind, client, rp_name, phone, fin, hash_type,"
                                      " hash, lang, display_text, client_ip, qr_hash, state, result, completed_at,"
                                      " created_at, answer_by, expires_at)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return failed(err);
    char hash[90];
    pc_b64url_encode(r->hash, r->hash_len, hash);
    db_bind_text(s, 1, r->id);
    db_bind_text(s, 2, mid_kind_name(r->kind));
    db_bind_text(s, 3, r->client);
    db_bind_text(s, 4, r->rp_name);
    bind_or_null(s, 5, r->phone);
    bind_or_null(s, 6, r->fin);
    db_bind_text(s, 7, mid_hash_name(r->hash_type));
    db_bind_text(s, 8, hash);
    db_bind_text(s, 9, mid_lang_name(r->lang));
    bind_or_null(s, 10, r->display_text);
    bind_or_null(s, 11, r->client_ip);
    bind_or_null(s, 12, qr_hash);
    db_bind_text(s, 13, r->complete ? "complete" : "running");
    bind_or_null(s, 14, r->complete ? mid_result_name(r->result) : NULL);
    if (r->complete)
        db_bind_int(s, 15, r->created_at);
    else
        db_bind_null(s, 15);
    db_bind_int(s, 16, r->created_at);
    db_bind_int(s, 17, r->answer_by);
    db_bind_int(s, 18, r->expires_at);
    return ran(db_run(s, err));
}

static int get_by(struct db_conn *c, struct pc_arena *a, const char *sql, const char *key,
                  struct mi_session_row *out, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, sql, err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, key);
    int rc = db_step(s, err);
    if (rc <= 0)
        return rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no such session");
    row_of(a, s, out);
    db_conn_idle(c);
    return 0;
}

int mi_session_get(struct db_conn *c, struct pc_arena *a, const char *id, struct mi_session_row *out,
                   struct pc_err *err)
{
    return get_by(c, a, "SELECT " SESSION_COLUMNS " FROM mobile_sessions WHERE id = ?", id, out, err);
}

int mi_session_by_qr(struct db_conn *c, struct pc_arena *a, const char *qr_hash, struct mi_session_row *out,
                     struct pc_err *err)
{
    return get_by(c, a, "SELECT " SESSION_COLUMNS " FROM mobile_sessions WHERE qr_hash = ?", qr_hash, out, err);
}

int mi_session_finish(struct db_conn *c, const char *id, const char *phone, enum mid_result result,
                      const char *signature, const char *cert_serial, int64_t now, struct pc_err *err)
{
    struct db_stmt *s =
        db_prepare(c, phone ? "UPDATE mobile_sessions SET state = 'complete', result = ?, signature = ?, cert_serial = ?,"
                              " completed_at = ? WHERE id = ? AND state = 'running' AND phone = ?"
                            : "UPDATE mobile_sessions SET state = 'complete', result = ?, signature = ?, cert_serial = ?,"
                              " completed_at = ? WHERE id = ? AND state = 'running'", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, mid_result_name(result));
    bind_or_null(s, 2, signature);
    bind_or_null(s, 3, cert_serial);
    db_bind_int(s, 4, now);
    db_bind_text(s, 5, id);
    if (phone)
        db_bind_text(s, 6, phone);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : n > 0;
}

int mi_session_pending(struct db_conn *c, struct pc_arena *a, const char *phone, int64_t now, size_t max,
                       struct mi_session_row **out, size_t *n, struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, max ? max : 1, sizeof **out);
    struct db_stmt *s = db_prepare(c, "SELECT " SESSION_COLUMNS " FROM mobile_sessions WHERE phone = ?"
                                      " AND state = 'running' AND answer_by > ? ORDER BY created_at, id", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, phone);
    db_bind_int(s, 2, now);
    int rc = 0;
    while (*n < max && (rc = db_step(s, err)) == 1)
        row_of(a, s, &(*out)[(*n)++]);
    db_conn_idle(c);
    if (*n < max && rc < 0)
        return rc;
    /* the phone has them now: a later silence is TIMEOUT, not PHONE_ABSENT */
    for (size_t i = 0; i < *n; i++) {
        if ((*out)[i].delivered_at)
            continue;
        s = db_prepare(c, "UPDATE mobile_sessions SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL", err);
        if (!s)
            return failed(err);
        db_bind_int(s, 1, now);
        db_bind_text(s, 2, (*out)[i].id);
        if ((rc = ran(db_run(s, err))))
            return rc;
        (*out)[i].delivered_at = now;
    }
    return 0;
}

int mi_session_running(struct db_conn *c, const char *phone, int64_t now, int64_t *n, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT COUNT(*) FROM mobile_sessions WHERE phone = ? AND state = 'running'"
                                      " AND answer_by > ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, phone);
    db_bind_int(s, 2, now);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    *n = rc ? db_col_int(s, 0) : 0;
    db_conn_idle(c);
    return 0;
}

int mi_session_claim(struct db_conn *c, const char *id, const char *phone, const char *fin, int64_t now,
                     struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "UPDATE mobile_sessions SET phone = ?, fin = ?, delivered_at = ? WHERE id = ?"
                                      " AND phone IS NULL AND state = 'running' AND answer_by > ?", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, phone);
    db_bind_text(s, 2, fin);
    db_bind_int(s, 3, now);
    db_bind_text(s, 4, id);
    db_bind_int(s, 5, now);
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : n > 0;
}

int mi_session_overdue(struct db_conn *c, struct pc_arena *a, int64_t now, size_t max, const char ***out, size_t *n,
                       struct pc_err *err)
{
    *n = 0;
    *out = pc_arena_array(a, max ? max : 1, sizeof **out);
    struct db_stmt *s = db_prepare(c, "SELECT id FROM mobile_sessions WHERE state = 'running' AND answer_by <= ?"
                                      " ORDER BY answer_by LIMIT ?", err);
    if (!s)
        return failed(err);
    db_bind_int(s, 1, now);
    db_bind_int(s, 2, (int64_t)max);
    int rc = 0;
    while (*n < max && (rc = db_step(s, err)) == 1)
        (*out)[(*n)++] = pc_arena_strdup(a, db_col_text(s, 0));
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int mi_session_purge(struct db_conn *c, int64_t now, int max, struct pc_err *err)
{
    /* a bounded batch, so that a purge after a long pause holds no lock for long */
    struct db_stmt *s = db_prepare(c, "DELETE FROM mobile_sessions WHERE id IN (SELECT id FROM mobile_sessions"
                                      " WHERE expires_at < ? LIMIT ?)", err);
    if (!s)
        return failed(err);
    db_bind_int(s, 1, now);
    db_bind_int(s, 2, max);
    return ran(db_run(s, err));
}

/* SELECT col FROM mobile_sessions WHERE col IN (keys) AND cond: the keys
 * that qualify. */
static int which(struct db_conn *c, struct pc_arena *a, const char *col, const char *cond, int64_t now,
                 const char *const *keys, size_t n, const char ***out, size_t *nout, struct pc_err *err)
{
    *nout = 0;
    *out = pc_arena_array(a, n ? n : 1, sizeof **out);
    for (size_t at = 0; at < n; at += 50) {
        struct db_query q;
        db_query_init(&q);
        db_query_sql(&q, "SELECT DISTINCT ");
        db_query_sql(&q, col);
        db_query_sql(&q, " FROM mobile_sessions WHERE ");
        db_query_sql(&q, cond);
        if (now)
            db_query_int(&q, " AND answer_by > ?", now);
        db_query_sql(&q, " AND ");
        db_query_sql(&q, col);
        for (size_t i = at; i < n && i < at + 50; i++)
            db_query_text(&q, i == at ? " IN (?" : ", ?", keys[i]);
        db_query_sql(&q, ")");
        struct db_stmt *s = db_query_prepare(c, &q, err);
        db_query_release(&q);
        if (!s)
            return failed(err);
        int rc;
        while ((rc = db_step(s, err)) == 1)
            (*out)[(*nout)++] = pc_arena_strdup(a, db_col_text(s, 0));
        if (rc < 0)
            return rc;
    }
    return 0;
}

int mi_sessions_done(struct db_conn *c, struct pc_arena *a, const char *const *ids, size_t n, const char ***out,
                     size_t *nout, struct pc_err *err)
{
    return which(c, a, "id", "state = 'complete'", 0, ids, n, out, nout, err);
}

int mi_phones_waiting(struct db_conn *c, struct pc_arena *a, const char *const *phones, size_t n, int64_t now,
                      const char ***out, size_t *nout, struct pc_err *err)
{
    return which(c, a, "phone", "state = 'running' AND delivered_at IS NULL", now, phones, n, out, nout, err);
}
