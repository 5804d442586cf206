/* attachments.c — files attached to applications.  A file arrives chunk
 * by chunk into a part in the store's tmp folder (outside any web root),
 * hashed as it goes; at the end its type is told from the content
 * (libmagic, not the name) against an allow-list.  Only when a handler
 * keeps it does it go into the store (file_store.c), under its SHA-256,
 * so the same content is stored once; a part nobody keeps is deleted with
 * its writer.  Who uploaded what is recorded (table uploads), so an
 * application can only refer to its own applicant's files, and a file is
 * read back only for an application whose answers name it. */
#include "internal.h"

#include <errno.h>
#include <magic.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const allowed_types[] = {"application/pdf", "image/jpeg", "image/png", NULL};

struct case_file_writer {
    struct case_store *st;
    int fd;                          /* the part, open until kept or freed */
    char path[CASE_PATH_MAX];        /* its name; "" once moved into the store */
    EVP_MD_CTX *md;
    int64_t size;
    char sha256[65];
    bool too_big, failed, finished, kept;
};

/* libmagic handles are not thread-safe: one per thread, closed at exit. */
static pthread_key_t magic_key;
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;

static void magic_free(void *m)
{
    magic_close(m);
}

static void magic_key_init(void)
{
    pthread_key_create(&magic_key, magic_free);
}

static magic_t thread_magic(void)
{
    pthread_once(&magic_once, magic_key_init);
    magic_t m = pthread_getspecific(magic_key);
    if (!m) {
        m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
        if (m && magic_load(m, NULL) != 0) {
            magic_close(m);
            m = NULL;
        }
        if (m)
            pthread_setspecific(magic_key, m);
    }
    return m;
}

bool case_is_sha256(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!s || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[64] == 0;
}

/* The type of content that begins with p[0..n). */
static void content_type(const void *p, size_t n, char out[64])
{
    magic_t m = thread_magic();
    const char *type = m ? magic_buffer(m, p, n) : NULL;
    snprintf(out, 64, "%s", type ? type : "application/octet-stream");
}

struct case_file_writer *case_file_writer_new(struct case_store *st, struct pc_err *err)
{
    struct case_file_writer *w = calloc(1, sizeof *w);
    if (!w)
        pc_oom(sizeof *w);
    w->st = st;
    w->fd = case_store_part_new(st, w->path, err);
    w->md = EVP_MD_CTX_new();
    if (w->fd < 0 || !w->md || EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
        if (w->fd >= 0)
            pc_err_set(err, PC_EIO, "cannot start storing a file");
        case_file_writer_free(w);
        return NULL;
    }
    return w;
}

int case_file_write(struct case_file_writer *w, const void *p, size_t n)
{
    if (w->too_big || w->failed)
        return w->too_big ? PC_ETOOBIG : PC_EIO;
    if (w->size + (int64_t)n > FORM_FILE_MAX) {
        w->too_big = true;
        return PC_ETOOBIG;
    }
    for (size_t done = 0; done < n;) {
        ssize_t k = write(w->fd, (const char *)p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            w->failed = true;
            return PC_EIO;
        }
        done += (size_t)k;
    }
    EVP_DigestUpdate(w->md, p, n);
    w->size += (int64_t)n;
    return 0;
}

int case_file_finish(struct case_file_writer *w, struct case_file *out, struct pc_err *err)
{
    unsigned char d[32];
    EVP_DigestFinal_ex(w->md, d, NULL);
    EVP_MD_CTX_free(w->md);
    w->md = NULL;
    memset(out, 0, sizeof *out);
    out->size = w->size;
    if (w->too_big)
        return pc_err_set(err, PC_ETOOBIG, "the file is larger than %d bytes", FORM_FILE_MAX);
    if (w->failed)
        return pc_err_set(err, PC_EIO, "writing the file failed");
    if (w->size == 0)
        return pc_err_set(err, PC_EINVAL, "the file is empty");
    for (int i = 0; i < 32; i++)
        snprintf(w->sha256 + 2 * i, 3, "%02x", d[i]);
    memcpy(out->sha256, w->sha256, sizeof out->sha256);
    /* the type from the beginning of the content, as a download tells it */
    unsigned char *head = malloc(CASE_CHUNK);
    if (!head)
        pc_oom(CASE_CHUNK);
    ssize_t n = pread(w->fd, head, CASE_CHUNK, 0);
    if (n > 0)
        content_type(head, (size_t)n, out->mime);
    free(head);
    if (n <= 0)
        return pc_err_set(err, PC_EIO, "cannot read the received file back: %s", strerror(errno));
    bool allowed = false;
    for (const char *const *t = allowed_types; *t; t++)
        allowed = allowed || strcmp(*t, out->mime) == 0;
    if (!allowed)
        return pc_err_set(err, PC_EINVAL, "the content is %s; a PDF, JPEG or PNG is taken", out->mime);
    w->finished = true;
    return 0;
}

int case_file_keep(struct case_file_writer *w, struct pc_err *err)
{
    if (!w || !w->finished)
        return pc_err_set(err, PC_EINVAL, "only a file received whole and of a type taken is kept");
    if (w->kept)
        return 0;
    int rc = case_store_keep(w->st, w->fd, w->path, w->sha256, w->size, err);
    w->kept = rc == 0;
    return rc;
}

void case_file_writer_free(struct case_file_writer *w)
{
    if (!w)
        return;
    if (w->fd >= 0)
        close(w->fd);
    if (w->path[0])
        unlink(w->path); /* never kept, or copied into the database */
    EVP_MD_CTX_free(w->md);
    free(w);
}

static int upload_record(struct db *db, const char *account_id, const struct case_file *f, struct pc_err *err)
{
    if (!db)
        return pc_err_set(err, PC_EIO, "no database to record the upload in");
    struct db_conn *c = db_conn_get(db, err);
    struct db_stmt *s = c ? db_prepare(c, "INSERT INTO uploads(sha256, account_id, name, size, mime, created_at)"
                                          " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(sha256, account_id) DO NOTHING", err)
                          : NULL;
    if (!s)
        return case_err(err);
    char name[CASE_FILE_NAME_MAX + 1];
    case_file_name_clean(f->name, name);
    db_bind_text(s, 1, f->sha256);
    db_bind_text(s, 2, account_id);
    db_bind_text(s, 3, name);
    db_bind_int(s, 4, f->size);
    db_bind_text(s, 5, f->mime);
    db_bind_int(s, 6, pc_now_unix());
    int64_t n = db_run(s, err);
    return n < 0 ? (int)n : 0;
}

int case_upload_keep(struct case_file_writer *w, const char *account_id, const struct case_file *f,
                     struct pc_err *err)
{
    int rc = case_file_keep(w, err);
    return rc ? rc : upload_record(case_store_db(w->st), account_id, f, err);
}

json_t *case_file_json(const struct case_file *f)
{
    char name[CASE_FILE_NAME_MAX + 1];
    case_file_name_clean(f->name, name);
    return json_pack("{s:s, s:s, s:I, s:s}", "sha256", f->sha256, "name", name, "size", (json_int_t)f->size,
                     "type", f->mime);
}

int case_upload_find(struct db_conn *c, const char *account_id, const char *sha256, struct case_file *out,
                     struct pc_arena *a, struct pc_err *err)
{
    struct db_stmt *s = db_prepare(c, "SELECT name, size, mime FROM uploads WHERE sha256 = ? AND account_id = ?", err);
    if (!s)
        return case_err(err);
    db_bind_text(s, 1, sha256);
    db_bind_text(s, 2, account_id);
    int rc = db_step(s, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return PC_ENOTFOUND;
    memset(out, 0, sizeof *out);
    snprintf(out->sha256, sizeof out->sha256, "%s", sha256);
    char name[CASE_FILE_NAME_MAX + 1];
    case_file_name_clean(db_col_text(s, 0), name);
    out->name = pc_arena_strdup(a, name);
    out->size = db_col_int(s, 1);
    snprintf(out->mime, sizeof out->mime, "%s", db_col_text(s, 2) ? db_col_text(s, 2) : "");
    return 0;
}

/* Is sha256 one of the files of these answers (top level or in groups)? */
static const json_t *answers_file(const json_t *answers, const char *sha256)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)answers, k, v) {
        if (pc_str_eq(json_string_value(json_object_get(v, "sha256")), sha256))
            return v;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            const json_t *f = answers_file(item, sha256);
            if (f)
                return f;
        }
    }
    return NULL;
}

int case_file_open_stored(struct case_store *st, const char *sha256, struct case_file_reader **out,
                          struct case_file *info, struct pc_err *err)
{
    if (!case_is_sha256(sha256))
        return pc_err_set(err, PC_ENOTFOUND, "no such file");
    int rc = case_store_reader_open(st, sha256, out, err);
    if (rc)
        return rc;
    memset(info, 0, sizeof *info);
    snprintf(info->sha256, sizeof info->sha256, "%s", sha256);
    /* the type the content has, not what anyone says it is */
    const void *head;
    size_t n;
    case_store_peek(*out, &head, &n);
    content_type(head, n, info->mime);
    info->size = case_file_reader_size(*out);
    return 0;
}

int case_file_open(struct case_store *st, const struct case_app *app, const char *sha256,
                   struct case_file_reader **out, struct case_file *info, struct pc_arena *a, struct pc_err *err)
{
    const json_t *ans = case_is_sha256(sha256) && app->answers ? answers_file(app->answers->j, sha256) : NULL;
    bool scan = !ans && app->paper_scan && pc_str_eq(app->paper_scan, sha256); /* a paper application's scan */
    if (!ans && !scan)
        return pc_err_set(err, PC_ENOTFOUND, "no such file in this application");
    int rc = case_file_open_stored(st, sha256, out, info, err);
    if (!rc)
        info->name = scan ? "paper-application" : form_file_of(ans, a)->name;
    return rc;
}
