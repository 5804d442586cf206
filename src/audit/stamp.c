/* stamp.c — the audit chain's head, time-stamped.  At a set interval one
 * node (the "audit.stamp" lease) takes the newest entry's hash and, if the
 * head moved since the last stamp, has it time-stamped by a TSA (the
 * certification centre's; the caller says how to reach it) and keeps the
 * token.  audit_check_stamps then proves, for each token, that the entry
 * it names still carries the hash the TSA saw: the log up to that entry
 * existed, unaltered, at the token's time — a rewritten or shortened log
 * cannot be stamped again in the past.
 *
 * The imprint is the entry's hash itself (SHA-256 over the entry and the
 * previous hash), so `openssl ts -verify -digest HASH -in TOKEN -token_in
 * -CAfile chain.pem` checks a token without us. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define LEASE "audit.stamp"
#define PAGE 1000

static int failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

static int unhex32(const char *hex, unsigned char out[32])
{
    if (!hex || strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* The newest entry (seq 0 when the log is empty) and the newest stamp. */
static int heads(struct db_conn *c, struct pc_arena *a, int64_t *seq, const char **hash, int64_t *stamped,
                 struct pc_err *err)
{
    *seq = *stamped = 0;
    struct db_stmt *s = db_prepare(c, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", err);
    int rc = s ? db_step(s, err) : failed(err);
    if (rc == 1) {
        *seq = db_col_int(s, 0);
        *hash = pc_arena_strdup(a, db_col_text(s, 1));
        db_step(s, NULL);
    }
    if (rc < 0)
        return rc;
    s = db_prepare(c, "SELECT seq FROM audit_stamps ORDER BY seq DESC LIMIT 1", err);
    rc = s ? db_step(s, err) : failed(err);
    if (rc == 1) {
        *stamped = db_col_int(s, 0);
        db_step(s, NULL);
    }
    return rc < 0 ? rc : 0;
}

static char *b64(struct pc_arena *a, const unsigned char *p, size_t n)
{
    char *out = pc_arena_alloc(a, 4 * ((n + 2) / 3) + 1);
    pc_b64url_encode(p, n, out);
    return out;
}

int audit_stamp_head(struct db *db, const struct audit_tsa *tsa, int64_t *stamped, struct pc_err *err)
{
    *stamped = 0;
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return failed(err);
    struct pc_arena a;
    pc_arena_init(&a);
    int64_t seq, last;
    const char *hash = NULL;
    unsigned char digest[32];
    int rc = heads(c, &a, &seq, &hash, &last, err);
    if (!rc && seq > last) {
        const unsigned char *tok;
        size_t len;
        int64_t at;
        if (unhex32(hash, digest))
            rc = pc_err_set(err, PC_EIO, "audit entry %lld has no valid hash", (long long)seq);
        if (!rc)
            rc = tsa->stamp(tsa->ctx, &a, digest, &tok, &len, &at, err);
        struct db_stmt *s = rc ? NULL : db_prepare(c, "INSERT INTO audit_stamps(seq, hash, stamped_at, token)"
                                                      " VALUES (?, ?, ?, ?)", err);
        if (!rc && !s)
            rc = failed(err);
        if (!rc) {
            db_bind_int(s, 1, seq);
            db_bind_text(s, 2, hash);
            db_bind_int(s, 3, at);
            db_bind_text(s, 4, b64(&a, tok, len));
            int64_t n = db_run(s, err);
            rc = n < 0 ? (int)n : 0;
        }
        if (!rc)
            *stamped = seq;
    }
    db_conn_idle(c);
    pc_arena_release(&a);
    return rc;
}

/* ---- the job ---------------------------------------------------------------- */

struct audit_stamper {
    struct db *db;
    struct audit_tsa tsa;
    int interval_ms;
    char holder[96];
    struct pc_ticker *ticker;
    bool failing;                  /* log a failure once, and its end */
};

static void round_(void *arg)
{
    struct audit_stamper *j = arg;
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(j->db, &err);
    /* held past the next round, so one node keeps it while it lives */
    int ttl = j->interval_ms / 500 + 30;
    bool fresh;
    int held = c ? db_lease_acquire(c, LEASE, j->holder, pc_now_unix(), ttl, &fresh, &err) : failed(&err);
    int64_t seq = 0;
    int rc = held < 0 ? held : held == 1 ? audit_stamp_head(j->db, &j->tsa, &seq, &err) : 0;
    if (rc && !j->failing)
        pc_log(PC_LOG_WARN, "audit.stamp_failed", "code", pc_errcode_name(rc), "msg", err.msg, NULL);
    else if (!rc && j->failing)
        pc_log(PC_LOG_INFO, "audit.stamp_recovered", NULL);
    j->failing = rc != 0;
    if (seq)
        pc_logf(PC_LOG_INFO, "audit.stamped", "head %lld", (long long)seq);
    db_idle(j->db);
}

static void done(void *arg)
{
    struct audit_stamper *j = arg;
    struct db_conn *c = db_conn_get(j->db, NULL);
    if (c)
        db_lease_release(c, LEASE, j->holder, NULL); /* a clean stop: another node need not wait */
    db_conn_release_thread(j->db);
}

struct audit_stamper *audit_stamper_start(struct db *db, const struct audit_tsa *tsa, int interval_ms,
                                          struct pc_err *err)
{
    struct audit_stamper *j = calloc(1, sizeof *j);
    if (!j)
        pc_oom(sizeof *j);
    j->db = db;
    j->tsa = *tsa;
    j->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    char host[64] = "", rnd[9];
    gethostname(host, sizeof host - 1);
    pc_random_hex(rnd, 4);
    snprintf(j->holder, sizeof j->holder, "%s/%ld/%s", host, (long)getpid(), rnd);
    j->ticker = pc_ticker_start(round_, done, j, j->interval_ms, err);
    if (!j->ticker) {
        free(j);
        return NULL;
    }
    return j;
}

void audit_stamper_stop(struct audit_stamper *j)
{
    if (!j)
        return;
    pc_ticker_stop(j->ticker);
    free(j);
}

/* ---- proving the log against its stamps -------------------------------------- */

/* The stored hash of entry seq, or NULL when there is none. */
static const char *entry_hash(struct db_conn *c, struct pc_arena *a, int64_t seq, struct pc_err *err, int *rc)
{
    struct db_stmt *s = db_prepare(c, "SELECT hash FROM audit_log WHERE seq = ?", err);
    if (!s) {
        *rc = failed(err);
        return NULL;
    }
    db_bind_int(s, 1, seq);
    int r = db_step(s, err);
    const char *h = r == 1 ? pc_arena_strdup(a, db_col_text(s, 0)) : NULL;
    if (r == 1)
        db_step(s, NULL);
    *rc = r < 0 ? r : 0;
    return h;
}

int audit_check_stamps(struct db *db, const struct audit_tsa *tsa, struct audit_report *rep, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return failed(err);
    int64_t after = 0;
    int rc = 0;
    for (;;) {
        struct pc_arena a;
        pc_arena_init(&a);
        struct db_stmt *s = db_prepare(c, "SELECT seq, hash, stamped_at, token FROM audit_stamps WHERE seq > ?"
                                          " ORDER BY seq LIMIT ?", err);
        if (!s) {
            pc_arena_release(&a);
            return failed(err);
        }
        db_bind_int(s, 1, after);
        db_bind_int(s, 2, PAGE);
        struct row { int64_t seq, at; const char *hash, *token; } *rows = pc_arena_array(&a, PAGE, sizeof *rows);
        int n = 0;
        while ((rc = db_step(s, err)) == 1)
            rows[n++] = (struct row){db_col_int(s, 0), db_col_int(s, 2), pc_arena_strdup(&a, db_col_text(s, 1)),
                                     pc_arena_strdup(&a, db_col_text(s, 3))};
        for (int i = 0; rc == 0 && i < n && !rep->bad_stamp; i++) {
            const struct row *r = &rows[i];
            after = r->seq;
            if (rep->first_bad && r->seq >= rep->first_bad)
                continue; /* the chain is broken there already */
            const char *why = NULL;
            const char *stored = entry_hash(c, &a, r->seq, err, &rc);
            size_t tlen = strlen(r->token);
            unsigned char digest[32], *der = pc_arena_alloc(&a, tlen + 1);
            long dlen = pc_b64url_decode(r->token, tlen, der, tlen + 1);
            int64_t at = 0;
            struct pc_err cerr = {0};
            if (rc)
                break;
            if (!stored)
                why = "the entry it proves is missing from the log";
            else if (!pc_str_eq(stored, r->hash))
                why = "the entry's hash is not the one that was stamped";
            else if (unhex32(r->hash, digest) || dlen < 0)
                why = "the stamp cannot be read";
            else if (tsa->check(tsa->ctx, &a, der, (size_t)dlen, digest, &at, &cerr))
                why = pc_arena_printf(&a, "its token does not verify: %s", cerr.msg);
            if (why) {
                rep->bad_stamp = r->seq;
                snprintf(rep->stamp_why, sizeof rep->stamp_why, "%s", why);
            } else {
                rep->stamps++;
                rep->last_stamped = r->seq;
                rep->last_stamped_at = at;
            }
        }
        pc_arena_release(&a);
        if (rc < 0 || rep->bad_stamp || n < PAGE)
            break;
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int64_t audit_stamp_count(struct db *db, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT COUNT(*) FROM audit_stamps", err) : NULL;
    if (!s)
        return failed(err);
    int rc = db_step(s, err);
    int64_t n = rc == 1 ? db_col_int(s, 0) : rc < 0 ? rc : 0;
    if (rc == 1)
        db_step(s, NULL);
    return n;
}
