/* audit.c — the hash-chained audit log and the personal-data access log:
 * appending, the "change + audit entry" transaction, checking the chain,
 * and the two listings (the auditor's and the person's). */
#include "audit.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

/* db_xact_lock key that serialises appends to the chain across nodes. */
#define AUDIT_LOCK_KEY 724200102

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The code of a call that failed with NULL (db_conn_get, db_prepare):
 * the one it wrote into err, so that it reaches the caller unchanged. */
static int failed(const struct pc_err *err)
{
    return err && err->code < 0 ? err->code : PC_EIO;
}

/* hash = SHA-256 over the fields, each preceded by its length, so that no
 * two different entries can produce the same input ("ab"+"c" vs "a"+"bc"). */
static void entry_hash(int64_t seq, const char *at, const struct audit_entry *e,
                       const char *prev, char out[65])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    char seqs[32];
    snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
    const char *fields[] = {seqs, at, e->actor, e->role, e->action, e->object_type,
                            e->object_id, e->ip, e->detail, prev};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *f = fields[i] ? fields[i] : "";
        char len[24];
        int n = snprintf(len, sizeof len, "%zu:", strlen(f));
        EVP_DigestUpdate(md, len, (size_t)n);
        EVP_DigestUpdate(md, f, strlen(f));
    }
    unsigned char digest[32];
    EVP_DigestFinal_ex(md, digest, NULL);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

int64_t audit_append(struct db_conn *c, const struct audit_entry *e, struct pc_err *err)
{
    int rc = db_xact_lock(c, AUDIT_LOCK_KEY, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", err);
    if (!s)
        return failed(err);
    rc = db_step(s, err);
    if (rc < 0)
        return rc;
    int64_t seq = 1;
    char prev[65] = GENESIS;
    if (rc == 1) {
        seq = db_col_int(s, 0) + 1;
        snprintf(prev, sizeof prev, "%s", db_col_text(s, 1));
    }
    char at[21], hash[65];
    pc_rfc3339(pc_now_unix(), at);
    entry_hash(seq, at, e, prev, hash);
    s = db_prepare(c, "INSERT INTO audit_log(seq, at, actor, role, action, object_type, object_id, ip,"
                      " detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return failed(err);
    db_bind_int(s, 1, seq);
    db_bind_text(s, 2, at);
    db_bind_text(s, 3, e->actor ? e->actor : "system");
    db_bind_text(s, 4, e->role ? e->role : "system");
    db_bind_text(s, 5, e->action);
    db_bind_text(s, 6, e->object_type ? e->object_type : "");
    db_bind_text(s, 7, e->object_id ? e->object_id : "");
    db_bind_text(s, 8, e->ip ? e->ip : "");
    db_bind_text(s, 9, e->detail ? e->detail : "");
    db_bind_text(s, 10, prev);
    db_bind_text(s, 11, hash);
    int64_t n = db_run(s, err);
    return n < 0 ? n : seq;
}

int audit_begin(struct db *db, struct db_conn **c, struct pc_err *err)
{
    *c = db_conn_get(db, err);
    return *c ? db_begin(*c, err) : failed(err);
}

int audit_end(struct db_conn *c, int rc, const struct audit_entry *e, struct pc_err *err)
{
    if (rc == 0) {
        int64_t seq = audit_append(c, e, err);
        rc = seq < 0 ? (int)seq : 0;
    }
    return db_end(c, rc, err);
}

int audit_list(struct db *db, struct pc_arena *a, int64_t before, size_t max, struct audit_row **out, size_t *n,
               bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, max, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT seq, at, actor, role, action, object_type, object_id, ip, detail"
                                          " FROM audit_log WHERE (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?", err)
                          : NULL;
    if (!s)
        return failed(err);
    db_bind_int(s, 1, before);
    db_bind_int(s, 2, before);
    db_bind_int(s, 3, (int64_t)max + 1); /* one more than asked: is there a next page? */
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == max) {
            *more = true;
            break;
        }
        struct audit_row *row = &(*out)[(*n)++];
        row->seq = db_col_int(s, 0);
        row->at = pc_arena_strdup(a, db_col_text(s, 1));
        row->e = (struct audit_entry){
            .actor = pc_arena_strdup(a, db_col_text(s, 2)), .role = pc_arena_strdup(a, db_col_text(s, 3)),
            .action = pc_arena_strdup(a, db_col_text(s, 4)), .object_type = pc_arena_strdup(a, db_col_text(s, 5)),
            .object_id = pc_arena_strdup(a, db_col_text(s, 6)), .ip = pc_arena_strdup(a, db_col_text(s, 7)),
            .detail = pc_arena_strdup(a, db_col_text(s, 8)),
        };
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}

int audit_verify(struct db *db, struct audit_report *rep, struct pc_err *err)
{
    memset(rep, 0, sizeof *rep);
    struct db_conn *c = db_conn_get(db, err);
    if (!c)
        return failed(err);
    /* Read in pages so that a long chain does not sit in memory at once
     * (the PostgreSQL backend fetches a whole result). */
    char prev[65] = GENESIS;
    int64_t expect = 1;
    for (;;) {
        struct db_stmt *s = db_prepare(c, "SELECT seq, at, actor, role, action, object_type, object_id, ip,"
                                          " detail, prev_hash, hash FROM audit_log WHERE seq >= ?"
                                          " ORDER BY seq LIMIT 10000", err);
        if (!s)
            return failed(err);
        db_bind_int(s, 1, expect);
        int rc, rows = 0;
        while ((rc = db_step(s, err)) == 1) {
            rows++;
            int64_t seq = db_col_int(s, 0);
            struct audit_entry e = {
                .actor = db_col_text(s, 2), .role = db_col_text(s, 3), .action = db_col_text(s, 4),
                .object_type = db_col_text(s, 5), .object_id = db_col_text(s, 6), .ip = db_col_text(s, 7),
                .detail = db_col_text(s, 8),
            };
            const char *stored_prev = db_col_text(s, 9), *stored = db_col_text(s, 10);
            char hash[65];
            entry_hash(seq, db_col_text(s, 1), &e, prev, hash);
            const char *why = NULL;
            if (seq != expect)
                why = "an entry is missing before this one";
            else if (!pc_str_eq(stored_prev, prev))
                why = "it does not point at the previous entry";
            else if (!pc_str_eq(stored, hash))
                why = "its content does not match its hash";
            if (why) {
                rep->first_bad = seq != expect ? expect : seq;
                snprintf(rep->why, sizeof rep->why, "%s", why);
                return 0;
            }
            memcpy(prev, hash, sizeof prev);
            rep->entries++;
            expect++;
        }
        if (rc < 0)
            return rc;
        if (rows < 10000)
            return 0;
    }
}

int audit_access_record(struct db_conn *c, const struct access_entry *e, struct pc_err *err)
{
    char id[33], at[21];
    if (pc_random_hex(id, 16))
        return pc_err_set(err, PC_EIO, "no randomness");
    pc_rfc3339(pc_now_unix(), at);
    struct db_stmt *s = db_prepare(c, "INSERT INTO data_access_log(id, at, subject_fin, accessor, accessor_role,"
                                      " agency_id, data_kind, ground) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
    if (!s)
        return failed(err);
    db_bind_text(s, 1, id);
    db_bind_text(s, 2, at);
    db_bind_text(s, 3, e->subject_fin);
    db_bind_text(s, 4, e->accessor);
    db_bind_text(s, 5, e->accessor_role);
    db_bind_text(s, 6, e->agency_id ? e->agency_id : "");
    db_bind_text(s, 7, e->data_kind);
    db_bind_text(s, 8, e->ground);
    int64_t rows = db_run(s, err);
    return rows < 0 ? (int)rows : 0;
}

int audit_access_list(struct db *db, struct pc_arena *a, const char *fin, size_t max, struct access_row **out,
                      size_t *n, bool *more, struct pc_err *err)
{
    *n = 0;
    *more = false;
    *out = pc_arena_array(a, max, sizeof **out);
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT at, accessor, accessor_role, agency_id, data_kind, ground"
                                          " FROM data_access_log WHERE subject_fin = ? ORDER BY at DESC, id LIMIT ?",
                                       err) : NULL;
    if (!s)
        return failed(err);
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, (int64_t)max + 1);
    int rc;
    while ((rc = db_step(s, err)) == 1) {
        if (*n == max) {
            *more = true;
            break;
        }
        struct access_row *row = &(*out)[(*n)++];
        row->at = pc_arena_strdup(a, db_col_text(s, 0));
        row->e = (struct access_entry){
            .subject_fin = pc_arena_strdup(a, fin), .accessor = pc_arena_strdup(a, db_col_text(s, 1)),
            .accessor_role = pc_arena_strdup(a, db_col_text(s, 2)), .agency_id = pc_arena_strdup(a, db_col_text(s, 3)),
            .data_kind = pc_arena_strdup(a, db_col_text(s, 4)), .ground = pc_arena_strdup(a, db_col_text(s, 5)),
        };
    }
    db_conn_idle(c);
    return rc < 0 ? rc : 0;
}
