/* file_store.c — where uploaded files are kept, and the folder where
 * files being received wait until a handler keeps them.
 *
 * Two stores behind one set of calls (the way db/ keeps its backends):
 *  - a folder (the default; several nodes share one over NFS or an
 *    object-store mount): DIR/ab/abcd… by SHA-256.  Keeping a file syncs
 *    it, moves it in with rename() and syncs the folder, so an answer that
 *    refers to a file never outlives a crash that loses it;
 *  - the database (for nodes without a shared folder): a row per file in
 *    stored_files and its content in rows of CASE_CHUNK bytes in
 *    stored_file_chunks (base64 text, the one binary-safe type both
 *    backends' interface carries), written in one transaction, read back
 *    one chunk at a time: a file is never whole in memory.
 *
 * Files being received wait in DIR/tmp as part-HOST-PID-XXXXXX, so that at
 * start a node can tell its dead predecessors' leftovers (same host, a
 * process that is gone) from parts other live nodes on a shared folder are
 * still receiving; parts older than a day are gone whoever left them. */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PART_STALE_SECS (24 * 3600) /* beyond the slowest body the deadlines allow */
#define DIR_READ_BLOCK (64 * 1024)
#define B64_CHUNK ((CASE_CHUNK + 2) / 3 * 4) /* a chunk as base64 text */

struct case_store {
    enum case_store_kind kind;
    char dir[CASE_PATH_MAX];
    char tmp[CASE_PATH_MAX];
    char host[48];                  /* this machine, as it appears in part names */
    struct db *db;
};

struct case_file_reader {
    struct case_store *st;
    int fd;                         /* the folder store's file */
    char sha256[65];
    int64_t size, given;            /* bytes in the file, bytes handed out */
    int64_t seq;                    /* the database store's next chunk */
    unsigned char *buf;             /* read ahead, not handed out yet: buf[pos..len) */
    size_t pos, len;
};

static const char *const kind_names[] = {[CASE_STORE_DIR] = "dir", [CASE_STORE_DB] = "db"};

const char *case_store_kind_name(enum case_store_kind k)
{
    return kind_names[k];
}

int case_store_kind_parse(const char *name)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (pc_str_eq(name, kind_names[i]))
            return (int)i;
    return -1;
}

/* ---- opening: the folders, and what dead processes left behind ------------------ */

/* A folder of ours: made if missing; refused when another user owns it (a
 * folder under /tmp could have been made by anyone) or tmp is a link. */
static int own_dir(const char *path, bool no_link, struct pc_err *err)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return pc_err_set(err, PC_EIO, "cannot create %s: %s", path, strerror(errno));
    struct stat sb;
    if ((no_link ? lstat(path, &sb) : stat(path, &sb)) != 0)
        return pc_err_set(err, PC_EIO, "cannot read %s: %s", path, strerror(errno));
    if (!S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
        return pc_err_set(err, PC_EIO, "%s is not a folder of this user's own", path);
    return 0;
}

/* Whether a part named part-HOST-PID-XXXXXX was left by a process of this
 * host that no longer runs (or by an earlier process with our own pid, as
 * in a restarted container). */
static bool left_by_the_dead(const struct case_store *st, const char *name)
{
    if (!pc_str_has_prefix(name, "part-"))
        return false;
    const char *rand = strrchr(name, '-');
    const char *p = rand;
    while (p > name + 5 && p[-1] != '-')
        p--;
    if (p <= name + 5 || (size_t)(p - 1 - (name + 5)) != strlen(st->host) ||
        strncmp(name + 5, st->host, strlen(st->host)) != 0)
        return false;
    char digits[16];
    size_t n = (size_t)(rand - p);
    long long pid;
    if (n == 0 || n >= sizeof digits)
        return false;
    memcpy(digits, p, n);
    digits[n] = 0;
    if (pc_parse_int(digits, 1, INT32_MAX, &pid))
        return false;
    return pid == getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

static int sweep(const struct case_store *st)
{
    DIR *d = opendir(st->tmp);
    if (!d)
        return 0;
    int removed = 0;
    int64_t now = pc_now_unix();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[CASE_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", st->tmp, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if ((left_by_the_dead(st, e->d_name) || now - (int64_t)sb.st_mtime > PART_STALE_SECS) && unlink(path) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

struct case_store *case_store_open(enum case_store_kind kind, const char *dir, struct db *db, struct pc_err *err)
{
    if (!dir || strlen(dir) > CASE_PATH_MAX - 200) {
        pc_err_set(err, PC_EINVAL, "no usable folder for uploaded files");
        return NULL;
    }
    if (kind == CASE_STORE_DB && !db) {
        pc_err_set(err, PC_EINVAL, "files kept in the database need a database");
        return NULL;
    }
    struct case_store *st = calloc(1, sizeof *st);
    if (!st)
        pc_oom(sizeof *st);
    st->kind = kind;
    st->db = db;
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    snprintf(st->tmp, sizeof st->tmp, "%s/tmp", dir);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    size_t n = 0;
    for (const char *h = host; *h && n < sizeof st->host - 1; h++)
        st->host[n++] = (*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') || *h == '.'
                            ? *h : '_';
    if (n == 0)
        st->host[n++] = '_';
    if (own_dir(st->dir, false, err) || own_dir(st->tmp, true, err)) {
        free(st);
        return NULL;
    }
    int removed = sweep(st);
    if (removed)
        pc_logf(PC_LOG_INFO, "files.swept", "%d files left half-received by stopped processes removed from %s",
                removed, st->tmp);
    return st;
}

void case_store_close(struct case_store *st)
{
    free(st);
}

struct db *case_store_db(const struct case_store *st)
{
    return st->db;
}

/* ---- receiving and keeping ------------------------------------------------------- */

int case_store_part_new(struct case_store *st, char path[CASE_PATH_MAX], struct pc_err *err)
{
    int len = snprintf(path, CASE_PATH_MAX, "%s/part-%s-%ld-XXXXXX", st->tmp, st->host, (long)getpid());
    if (len < 0 || len >= CASE_PATH_MAX)
        return pc_err_set(err, PC_EIO, "the folder for received files has too long a name");
    int fd = mkstemp(path);
    if (fd < 0)
        return pc_err_set(err, PC_EIO, "cannot create a file in %s: %s", st->tmp, strerror(errno));
    return fd;
}

static int sync_dir(const char *path, struct pc_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : pc_err_set(err, PC_EIO, "cannot sync %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* The folder store: the content on disk first, then its name, then the
 * folder's record of the name. */
static int keep_in_dir(struct case_store *st, int fd, char *path, const char *sha256, struct pc_err *err)
{
    if (fsync(fd) != 0)
        return pc_err_set(err, PC_EIO, "cannot sync a received file: %s", strerror(errno));
    char sub[CASE_PATH_MAX + 8], final[CASE_PATH_MAX + 80];
    snprintf(sub, sizeof sub, "%s/%.2s", st->dir, sha256);
    bool made = mkdir(sub, 0700) == 0;
    if (!made && errno != EEXIST)
        return pc_err_set(err, PC_EIO, "cannot create %s: %s", sub, strerror(errno));
    if (made && sync_dir(st->dir, err))
        return err->code;
    snprintf(final, sizeof final, "%s/%s", sub, sha256);
    if (rename(path, final) != 0)
        return pc_err_set(err, PC_EIO, "cannot store the file: %s", strerror(errno));
    path[0] = 0; /* moved: nothing left to remove */
    return sync_dir(sub, err);
}

/* One chunk of the file at fd as a row. */
static int put_chunk(struct db_conn *c, int fd, const char *sha256, int64_t seq, int64_t off, size_t n,
                     unsigned char *raw, char *text, struct pc_err *err)
{
    ssize_t got = pread(fd, raw, n, off);
    if (got != (ssize_t)n)
        return pc_err_set(err, PC_EIO, "cannot read a received file back: %s", got < 0 ? strerror(errno) : "short");
    int tn = EVP_EncodeBlock((unsigned char *)text, raw, (int)n);
    struct db_stmt *s = db_prepare(c, "INSERT INTO stored_file_chunks(sha256, seq, data) VALUES (?, ?, ?)", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, sha256);
    db_bind_int(s, 2, seq);
    db_bind_textn(s, 3, text, (size_t)tn);
    int64_t rows = db_run(s, err);
    return rows < 0 ? (int)rows : 0;
}

/* The database store, in one transaction: the file's row first, so that
 * of two nodes keeping the same content at once one writes it and the
 * other waits, then finds it there and adds nothing. */
static int keep_in_db(struct case_store *st, int fd, const char *sha256, int64_t size, struct pc_err *err)
{
    struct db_conn *c = db_conn_get(st->db, err);
    if (!c)
        return case_err(err);
    int rc = db_begin(c, err);
    if (rc)
        return rc;
    struct db_stmt *s = db_prepare(c, "INSERT INTO stored_files(sha256, size, created_at) VALUES (?, ?, ?)"
                                      " ON CONFLICT(sha256) DO NOTHING", err);
    int64_t added = PC_EIO;
    if (s) {
        db_bind_text(s, 1, sha256);
        db_bind_int(s, 2, size);
        db_bind_int(s, 3, pc_now_unix());
        added = db_run(s, err);
    }
    rc = added < 0 ? case_err(err) : 0;
    if (added == 1) {
        unsigned char *raw = malloc(CASE_CHUNK);
        char *text = malloc(B64_CHUNK + 1);
        if (!raw || !text)
            pc_oom(CASE_CHUNK);
        for (int64_t off = 0, seq = 0; !rc && off < size; off += CASE_CHUNK, seq++)
            rc = put_chunk(c, fd, sha256, seq, off, size - off < CASE_CHUNK ? (size_t)(size - off) : CASE_CHUNK, raw,
                           text, err);
        free(raw);
        free(text);
    }
    return db_end(c, rc, err);
}

int case_store_keep(struct case_store *st, int fd, char *path, const char *sha256, int64_t size, struct pc_err *err)
{
    return st->kind == CASE_STORE_DIR ? keep_in_dir(st, fd, path, sha256, err) : keep_in_db(st, fd, sha256, size, err);
}

/* ---- listing ----------------------------------------------------------------------- */

static int each_in_dir(struct case_store *st, int (*fn)(void *ctx, const char *sha256), void *ctx, struct pc_err *err)
{
    DIR *top = opendir(st->dir);
    if (!top)
        return pc_err_set(err, PC_EIO, "cannot read %s: %s", st->dir, strerror(errno));
    int rc = 0;
    for (struct dirent *e; !rc && (e = readdir(top));) {
        if (strlen(e->d_name) != 2 || !isxdigit((unsigned char)e->d_name[0]) || !isxdigit((unsigned char)e->d_name[1]))
            continue;
        char sub[CASE_PATH_MAX + 8];
        snprintf(sub, sizeof sub, "%s/%.2s", st->dir, e->d_name);
        DIR *d = opendir(sub);
        if (!d) {
            rc = pc_err_set(err, PC_EIO, "cannot read %s: %s", sub, strerror(errno));
            break;
        }
        for (struct dirent *f; !rc && (f = readdir(d));)
            if (case_is_sha256(f->d_name) && strncmp(f->d_name, e->d_name, 2) == 0)
                rc = fn(ctx, f->d_name);
        closedir(d);
    }
    closedir(top);
    return rc;
}

#define LIST_PAGE 256

/* A page of names at a time, the statement done before fn runs (fn may
 * use the same connection). */
static int each_in_db(struct case_store *st, int (*fn)(void *ctx, const char *sha256), void *ctx, struct pc_err *err)
{
    char(*page)[65] = malloc(LIST_PAGE * sizeof *page);
    if (!page)
        pc_oom(LIST_PAGE * sizeof *page);
    char after[65] = "";
    int rc = 0;
    for (int n = LIST_PAGE; !rc && n == LIST_PAGE;) {
        struct db_conn *c = db_conn_get(st->db, err);
        struct db_stmt *s = c ? db_prepare(c, "SELECT sha256 FROM stored_files WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
                                           err) : NULL;
        if (!s) {
            rc = case_err(err);
            break;
        }
        db_bind_text(s, 1, after);
        db_bind_int(s, 2, LIST_PAGE);
        n = 0;
        while (n < LIST_PAGE && (rc = db_step(s, err)) == 1)
            snprintf(page[n++], 65, "%s", db_col_text(s, 0));
        db_conn_idle(c);
        rc = rc < 0 ? rc : 0;
        for (int i = 0; !rc && i < n; i++)
            rc = fn(ctx, page[i]);
        if (n)
            memcpy(after, page[n - 1], sizeof after);
    }
    free(page);
    return rc;
}

int case_store_each(struct case_store *st, int (*fn)(void *ctx, const char *sha256), void *ctx, struct pc_err *err)
{
    return st->kind == CASE_STORE_DIR ? each_in_dir(st, fn, ctx, err) : each_in_db(st, fn, ctx, err);
}

/* ---- reading back ------------------------------------------------------------------- */

/* Fill rd->buf with what comes next: the next block of the file, or the
 * next chunk's rows.  0 with rd->len bytes (0 at the end), or a code. */
static int fill(struct case_file_reader *rd, struct pc_err *err)
{
    rd->pos = rd->len = 0;
    if (rd->st->kind == CASE_STORE_DIR) {
        ssize_t n = read(rd->fd, rd->buf, DIR_READ_BLOCK);
        if (n < 0)
            return pc_err_set(err, PC_EIO, "cannot read stored file %s: %s", rd->sha256, strerror(errno));
        rd->len = (size_t)n;
        return 0;
    }
    if (rd->given >= rd->size)
        return 0;
    struct db_conn *c = db_conn_get(rd->st->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT data FROM stored_file_chunks WHERE sha256 = ? AND seq = ?", err)
                          : NULL;
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, rd->sha256);
    db_bind_int(s, 2, rd->seq);
    int rc = db_step(s, err);
    const char *text = rc == 1 ? db_col_text(s, 0) : NULL;
    size_t tn = text ? strlen(text) : 0;
    if (rc == 1 && (tn % 4 || tn > B64_CHUNK))
        rc = pc_err_set(err, PC_EIO, "chunk %lld of stored file %s is damaged", (long long)rd->seq, rd->sha256);
    else if (rc == 0)
        rc = pc_err_set(err, PC_EIO, "chunk %lld of stored file %s is missing", (long long)rd->seq, rd->sha256);
    if (rc == 1) {
        int n = EVP_DecodeBlock(rd->buf, (const unsigned char *)text, (int)tn);
        /* the decoder counts the padding as bytes */
        rd->len = n < 0 ? 0 : (size_t)n - (tn && text[tn - 1] == '=') - (tn > 1 && text[tn - 2] == '=');
        rc = n < 0 ? pc_err_set(err, PC_EIO, "chunk %lld of stored file %s is damaged", (long long)rd->seq,
                                rd->sha256) : 0;
        rd->seq++;
    }
    db_conn_idle(c);
    return rc;
}

int case_store_reader_open(struct case_store *st, const char *sha256, struct case_file_reader **out,
                           struct pc_err *err)
{
    struct case_file_reader *rd = calloc(1, sizeof *rd);
    if (!rd)
        pc_oom(sizeof *rd);
    rd->st = st;
    rd->fd = -1;
    snprintf(rd->sha256, sizeof rd->sha256, "%s", sha256);
    int rc = 0;
    if (st->kind == CASE_STORE_DIR) {
        char path[CASE_PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%.2s/%s", st->dir, sha256, sha256);
        struct stat sb;
        rd->fd = open(path, O_RDONLY);
        if (rd->fd < 0 || fstat(rd->fd, &sb) != 0)
            rc = pc_err_set(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, "cannot open stored file %s: %s", sha256,
                            strerror(errno));
        else
            rd->size = sb.st_size;
    } else {
        struct db_conn *c = db_conn_get(st->db, err);
        struct db_stmt *s = c ? db_prepare(c, "SELECT size FROM stored_files WHERE sha256 = ?", err) : NULL;
        rc = s ? 0 : case_err(err);
        if (s) {
            db_bind_text(s, 1, sha256);
            rc = db_step(s, err);
            rd->size = rc == 1 ? db_col_int(s, 0) : 0;
            rc = rc == 1 ? 0 : rc == 0 ? pc_err_set(err, PC_ENOTFOUND, "file %s is not stored", sha256) : rc;
            db_conn_idle(c);
        }
    }
    if (!rc) {
        /* the decoder writes whole groups of three, padding included */
        rd->buf = malloc(st->kind == CASE_STORE_DIR ? DIR_READ_BLOCK : CASE_CHUNK + 3);
        if (!rd->buf)
            pc_oom(CASE_CHUNK);
        rc = fill(rd, err);
    }
    if (rc) {
        case_file_reader_free(rd);
        return rc;
    }
    *out = rd;
    return 0;
}

void case_store_peek(const struct case_file_reader *rd, const void **p, size_t *n)
{
    *p = rd->buf + rd->pos;
    *n = rd->len - rd->pos;
}

int64_t case_file_read(struct case_file_reader *rd, void *buf, size_t n)
{
    if (rd->pos == rd->len) {
        struct pc_err err = {0};
        if (fill(rd, &err)) {
            pc_log(PC_LOG_ERROR, "files.read_failed", "msg", err.msg, NULL);
            return err.code;
        }
    }
    size_t k = rd->len - rd->pos < n ? rd->len - rd->pos : n;
    memcpy(buf, rd->buf + rd->pos, k);
    rd->pos += k;
    rd->given += (int64_t)k;
    return (int64_t)k;
}

int64_t case_file_reader_size(const struct case_file_reader *rd)
{
    return rd->size;
}

void case_file_reader_free(struct case_file_reader *rd)
{
    if (!rd)
        return;
    if (rd->fd >= 0)
        close(rd->fd);
    free(rd->buf);
    free(rd);
}
