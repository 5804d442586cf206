/* archive.c — retention of a gateway's message log (`pencere gateway
 * archive --days N`): the records older than N days, up to the last
 * time-stamped one among them, move to a JSON-lines file in DIR/archive
 * (a header naming the range, the chain value before it and the previous
 * file with its SHA-256; then every record whole; then their
 * time-stamps), the file is synced, and only then are they deleted; the
 * log's base (xr_msglog_base) keeps the last moved record's seq and chain
 * value and the file's name and digest, so verify-log goes on from there
 * and the archives chain to each other. */
#include "internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int xr_msglog_base(struct db_conn *k, int64_t *seq, char chain[65], char *archive, size_t max, struct pc_err *err)
{
    *seq = 0;
    chain[0] = 0;
    if (archive)
        archive[0] = 0;
    struct db_stmt *s = db_prepare(k, "SELECT seq, chain, archive FROM xr_msglog_base WHERE id = 1", err);
    int rc = s ? db_step(s, err) : -1;
    if (rc == 1) {
        *seq = db_col_int(s, 0);
        snprintf(chain, 65, "%s", db_col_text(s, 1));
        if (archive)
            snprintf(archive, max, "%s", db_col_text(s, 2));
    }
    db_conn_idle(k);
    return rc < 0 ? (err && err->code ? err->code : PC_EIO) : 0;
}

/* A row as a JSON line; body (when given) is the "body" column's value. */
static void put_row(FILE *f, struct db_stmt *s, int ncols, const char *const *names, const char *body)
{
    json_t *o = json_object();
    for (int i = 0; i < ncols; i++)
        json_object_set_new(o, names[i], db_col_is_null(s, i) ? json_null() : json_string(db_col_text(s, i)));
    if (body)
        json_object_set_new(o, "body", json_string(body));
    char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(f, "%s\n", line);
    free(line);
    json_decref(o);
}

int xr_msglog_archive(const char *dir, const char *db_url, int days, int64_t *moved, struct pc_err *err)
{
    static const char *const cols[] = {"seq", "at_ms", "message_id", "side", "kind", "protocol", "client",
                                       "service", "user_id", "issue", "fault", "block", "body_hash", "hash",
                                       "signature", "cert", "ocsp", "body", "prev", "chain"};
    static const char *const stamp_cols[] = {"seq", "chain", "at", "token"};
    char path[1200], file[1400], tmp[1410], prev_file[400];
    *moved = 0;
    if (!db_url) {
        snprintf(path, sizeof path, "%s/gateway.db", dir);
        db_url = path;
    }
    struct db *db = db_open(db_url, err);
    if (!db)
        return err->code ? err->code : PC_EIO;
    struct db_conn *k = db_conn_get(db, err);
    int64_t base = 0, last = 0;
    char base_chain[65], last_chain[65] = "";
    int rc = k ? xr_msglog_base(k, &base, base_chain, prev_file, sizeof prev_file, err)
               : (err->code ? err->code : PC_EIO);
    /* the last time-stamped record old enough: only whole stamped ranges move */
    struct db_stmt *s = rc ? NULL : db_prepare(k, "SELECT st.seq, st.chain FROM xr_msglog_stamps st JOIN xr_msglog m "
                                                  "ON m.seq = st.seq WHERE m.at_ms < ? ORDER BY st.seq DESC LIMIT 1",
                                               err);
    if (s) {
        db_bind_int(s, 1, xr_now_ms() - (int64_t)days * 86400000);
        int r = db_step(s, err);
        if (r == 1) {
            last = db_col_int(s, 0);
            snprintf(last_chain, sizeof last_chain, "%s", db_col_text(s, 1));
        }
        rc = r < 0 ? r : 0;
        db_conn_idle(k);
    }
    if (rc || last <= base) {
        db_close(db);
        return rc;
    }
    snprintf(path, sizeof path, "%s/archive", dir);
    snprintf(file, sizeof file, "%s/msglog-%012lld-%012lld.jsonl", path, (long long)base + 1, (long long)last);
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = xr_mkdirs(path, err) ? NULL : fopen(tmp, "w");
    if (!f) {
        db_close(db);
        return err->code ? err->code : pc_err_set(err, PC_EIO, "cannot write %s", tmp);
    }
    json_t *head = json_pack("{s:i, s:I, s:I, s:s, s:s}", "archive", 1, "from", (json_int_t)base + 1, "to",
                             (json_int_t)last, "prev", base_chain, "previous", prev_file);
    char *h = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fprintf(f, "%s\n", h);
    free(h);
    json_decref(head);
    s = db_prepare(k, XR_LOGROW_SELECT " WHERE seq > ? AND seq <= ? ORDER BY seq", err);
    int r = s ? 0 : -1;
    if (s) {
        db_bind_int(s, 1, base);
        db_bind_int(s, 2, last);
        while ((r = db_step(s, err)) == 1) {
            /* bodies go out as base64, as they did before migration 311 */
            struct pc_arena a;
            pc_arena_init(&a);
            put_row(f, s, 20, cols, xr_logrow_body_b64(&a, s));
            pc_arena_release(&a);
            (*moved)++;
        }
    }
    db_conn_idle(k);
    s = r < 0 ? NULL : db_prepare(k, "SELECT seq, chain, at, token FROM xr_msglog_stamps WHERE seq <= ? ORDER BY seq",
                                  err);
    if (s) {
        db_bind_int(s, 1, last);
        while ((r = db_step(s, err)) == 1)
            put_row(f, s, 4, stamp_cols, NULL);
    }
    db_conn_idle(k);
    bool written = r >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    written = fclose(f) == 0 && written && rename(tmp, file) == 0;
    if (!written) {
        unlink(tmp);
        db_close(db);
        return r < 0 ? r : pc_err_set(err, PC_EIO, "cannot write %s", file);
    }
    /* the file is safe: now the rows go, and the base moves on */
    struct pc_arena a;
    pc_arena_init(&a);
    const char *text = xr_read_text(&a, file);
    unsigned char md[32];
    char hex[65];
    xr_sha256(text, strlen(text), md);
    xr_hex(md, 32, hex);
    const char *name = strrchr(file, '/') + 1, *archive = pc_arena_printf(&a, "%s %s", name, hex);
    rc = db_begin(k, err);
    /* alone: a running gateway's log batch waits, and its next batch sees
     * the new base and forgets which OCSP answers it knew stored (msglog.c) */
    if (!rc)
        rc = db_xact_lock(k, XR_LOCK_MSGLOG, err);
    /* the OCSP answers only archived records named go too (after one scan
     * of the records left); the archive file holds them whole */
    static const char *const steps[] = {"DELETE FROM xr_msglog WHERE seq <= ?",
                                        "DELETE FROM xr_msglog_stamps WHERE seq <= ?",
                                        "DELETE FROM xr_msglog_base WHERE id = 1 AND seq < ?",
                                        "DELETE FROM xr_msglog_ocsp WHERE digest NOT IN (SELECT ocsp FROM xr_msglog)"};
    for (size_t i = 0; !rc && i < sizeof steps / sizeof steps[0]; i++) {
        s = db_prepare(k, steps[i], err);
        if (s && i < 3)
            db_bind_int(s, 1, last);
        int64_t n = s ? db_run(s, err) : -1;
        rc = n < 0 ? (err->code ? err->code : PC_EIO) : 0;
    }
    s = rc ? NULL : db_prepare(k, "INSERT INTO xr_msglog_base (id, seq, chain, archive) VALUES (1, ?, ?, ?)", err);
    if (s) {
        db_bind_int(s, 1, last);
        db_bind_text(s, 2, last_chain);
        db_bind_text(s, 3, archive);
        int64_t n = db_run(s, err);
        rc = n < 0 ? (int)n : 0;
    } else if (!rc) {
        rc = err->code ? err->code : PC_EIO;
    }
    rc = db_end(k, rc, err);
    db_conn_idle(k);
    pc_arena_release(&a);
    db_close(db);
    return rc;
}
