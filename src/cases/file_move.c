/* file_move.c — moving uploaded files from one store to the other
 * (`pencere admin move-files`): every file of the source is read back,
 * written into the destination through the same writer uploads use, and
 * kept only when its content still hashes to its name.  Files already in
 * the destination are left alone, so a move that stopped can be run
 * again; the source is never changed. */
#include "internal.h"

#include <string.h>

struct move {
    struct case_store *from, *to;
    struct case_move_stats *stats;
    struct pc_err *err;
    char buf[64 * 1024];
};

/* 0 when it is in `to` now (or was already, or was skipped as damaged);
 * a code when a store fails. */
static int move_one(void *ctx, const char *sha256)
{
    struct move *m = ctx;
    struct case_file_reader *rd;
    struct pc_err err = {0};
    int rc = case_store_reader_open(m->to, sha256, &rd, &err);
    if (rc == 0) {
        case_file_reader_free(rd);
        m->stats->present++;
        return 0;
    }
    if (rc != PC_ENOTFOUND || (rc = case_store_reader_open(m->from, sha256, &rd, &err)))
        return pc_err_set(m->err, rc, "%s", err.msg);
    struct case_file_writer *w = case_file_writer_new(m->to, &err);
    rc = w ? 0 : err.code;
    int64_t n = 0;
    while (!rc && (n = case_file_read(rd, m->buf, sizeof m->buf)) > 0)
        rc = case_file_write(w, m->buf, (size_t)n);
    rc = rc ? rc : n < 0 ? (int)n : 0;
    struct case_file f;
    /* a file that no longer reads or hashes to its name is reported, not copied */
    int bad = rc ? rc : case_file_finish(w, &f, &err);
    if (bad || strcmp(f.sha256, sha256) != 0) {
        pc_logf(PC_LOG_ERROR, "files.damaged", "stored file %s cannot be moved: %s", sha256,
                bad ? (err.msg[0] ? err.msg : "it cannot be read") : "its content does not match its name");
        m->stats->damaged++;
        rc = 0;
    } else if ((rc = case_file_keep(w, &err)) == 0) {
        m->stats->moved++;
        m->stats->bytes += f.size;
    } else {
        pc_err_set(m->err, rc, "%s", err.msg);
    }
    case_file_writer_free(w);
    case_file_reader_free(rd);
    return rc;
}

int case_store_move(struct case_store *from, struct case_store *to, struct case_move_stats *stats, struct pc_err *err)
{
    memset(stats, 0, sizeof *stats);
    struct move *m = malloc(sizeof *m);
    if (!m)
        pc_oom(sizeof *m);
    *m = (struct move){.from = from, .to = to, .stats = stats, .err = err};
    int rc = case_store_each(from, move_one, m, err);
    free(m);
    return rc;
}
