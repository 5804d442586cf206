/* queue.c — the outbox as a work queue, in SQL that both backends run
 * unchanged: the sender's lease, claiming due messages, recording what
 * happened to them, and recovering messages a dead sender left behind.
 *
 * No SELECT … FOR UPDATE SKIP LOCKED and no RETURNING: only the lease
 * holder claims, so claims do not race.  Every claim starts by renewing
 * the lease with a conditional UPDATE in the same transaction; on
 * PostgreSQL that UPDATE also locks the lease row until the claim
 * commits, so a node taking over an expired lease waits for it. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static int64_t run(struct db_stmt *s, struct pc_err *err)
{
    return s ? db_run(s, err) : PC_EIO;
}

int64_t nt_recover(struct db_conn *c, int64_t now, int max_attempts, const char *holder, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE outbox SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'retry' END,"
        " next_attempt_at = ?, claimed_by = NULL,"
        " last_error = 'interrupted: the sender stopped before recording the result'"
        " WHERE status = 'sending' AND (? = '' OR claimed_by = ?)", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, max_attempts);
    db_bind_int(s, 2, now);
    db_bind_text(s, 3, holder ? holder : "");
    db_bind_text(s, 4, holder ? holder : "");
    return run(s, err);
}

int nt_counts(struct db_conn *c, struct nt_count *out, size_t max, size_t *n, struct pc_err *err)
{
    *n = 0;
    struct db_stmt *s = db_prepare(c, "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status"
                                      " ORDER BY channel, status", err);
    if (!s)
        return err && err->code ? err->code : PC_EIO;
    int rc;
    while ((rc = db_step(s, err)) == 1 && *n < max) {
        struct nt_count *k = &out[(*n)++];
        snprintf(k->channel, sizeof k->channel, "%s", db_col_text(s, 0) ? db_col_text(s, 0) : "");
        snprintf(k->status, sizeof k->status, "%s", db_col_text(s, 1) ? db_col_text(s, 1) : "");
        k->count = db_col_int(s, 2);
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

static char *col(struct pc_arena *a, struct db_stmt *s, int i)
{
    const char *v = db_col_text(s, i);
    return pc_arena_strdup(a, v ? v : "");
}

int nt_claim(struct db_conn *c, struct pc_arena *a, const char *holder, int64_t now, int ttl, const char *ch1,
             const char *ch2, int max, struct nt_item *out, bool *lost, struct pc_err *err)
{
    *lost = false;
    if (!ch1 && !ch2)
        return 0;
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    rc = db_lease_renew(c, NT_LEASE_NAME, holder, now, ttl, err);
    if (rc <= 0) {
        db_rollback(c);
        *lost = rc == 0;
        return rc;
    }
    struct db_stmt *s = db_prepare(c,
        "SELECT id, channel, recipient, template, lang, payload, attempts FROM outbox"
        " WHERE status IN ('created', 'retry') AND next_attempt_at <= ? AND channel IN (?, ?)"
        " ORDER BY next_attempt_at, created_at, id LIMIT ?", err);
    if (!s) {
        db_rollback(c);
        return PC_EIO;
    }
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, ch1 ? ch1 : ch2);
    db_bind_text(s, 3, ch2 ? ch2 : ch1);
    db_bind_int(s, 4, max);
    int n = 0;
    while (n < max && (rc = db_step(s, err)) == 1) {
        struct nt_item *it = &out[n++];
        it->id = col(a, s, 0);
        it->channel = col(a, s, 1);
        it->recipient = col(a, s, 2);
        it->template_id = col(a, s, 3);
        it->lang = col(a, s, 4);
        it->payload = col(a, s, 5);
        it->attempts = (int)db_col_int(s, 6) + 1;
    }
    if (rc < 0) {
        db_rollback(c);
        return rc;
    }
    db_conn_idle(c); /* the SELECT is done with before the UPDATEs */
    int claimed = 0;
    for (int i = 0; i < n; i++) {
        struct db_stmt *u = db_prepare(c,
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_at = ?"
            " WHERE id = ? AND status IN ('created', 'retry')", err);
        if (!u) {
            db_rollback(c);
            return PC_EIO;
        }
        db_bind_text(u, 1, holder);
        db_bind_int(u, 2, now);
        db_bind_text(u, 3, out[i].id);
        int64_t k = run(u, err);
        if (k < 0) {
            db_rollback(c);
            return (int)k;
        }
        if (k > 0)
            out[claimed++] = out[i];
    }
    rc = db_commit(c, err);
    return rc ? rc : claimed;
}

int nt_mark_delivered(struct db_conn *c, const char *id, int64_t now, const char *new_payload, struct pc_err *err)
{
    /* Unconditional: whoever holds the row now, the message went out, and
     * recording that keeps a later holder from sending it again. */
    struct db_stmt *s = db_prepare(c,
        "UPDATE outbox SET status = 'delivered', delivered_at = ?, last_error = NULL, claimed_by = NULL,"
        " payload = COALESCE(?, payload) WHERE id = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, new_payload);
    db_bind_text(s, 3, id);
    int64_t n = run(s, err);
    return n < 0 ? (int)n : 0;
}

int nt_mark_retry(struct db_conn *c, const char *id, const char *holder, int64_t next, const char *error,
                  struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE outbox SET status = 'retry', next_attempt_at = ?, last_error = ?, claimed_by = NULL"
        " WHERE id = ? AND status = 'sending' AND claimed_by = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, next);
    db_bind_text(s, 2, error);
    db_bind_text(s, 3, id);
    db_bind_text(s, 4, holder);
    int64_t n = run(s, err);
    return n < 0 ? (int)n : 0;
}

int nt_mark_failed(struct db_conn *c, const char *id, const char *holder, int64_t now, const char *error,
                   const char *new_payload, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE outbox SET status = 'failed', next_attempt_at = ?, last_error = ?, claimed_by = NULL,"
        " payload = COALESCE(?, payload) WHERE id = ? AND status = 'sending' AND claimed_by = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, error);
    db_bind_text(s, 3, new_payload);
    db_bind_text(s, 4, id);
    db_bind_text(s, 5, holder);
    int64_t n = run(s, err);
    return n < 0 ? (int)n : 0;
}

int nt_unclaim(struct db_conn *c, const char *id, const char *holder, int64_t now, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c,
        "UPDATE outbox SET status = CASE WHEN attempts <= 1 THEN 'created' ELSE 'retry' END,"
        " attempts = attempts - 1, next_attempt_at = ?, claimed_by = NULL"
        " WHERE id = ? AND status = 'sending' AND claimed_by = ?", err);
    if (!s)
        return PC_EIO;
    db_bind_int(s, 1, now);
    db_bind_text(s, 2, id);
    db_bind_text(s, 3, holder);
    int64_t n = run(s, err);
    return n < 0 ? (int)n : 0;
}
