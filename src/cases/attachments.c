/* attachments.c — files attached to applications.  A file arrives chunk
 * by chunk into a temporary file under the files folder (outside any web
 * root), hashed as it goes; at the end its type is told from the content
 * (libmagic, not the name) against an allow-list, and it is kept under its
 * SHA-256, so the same content is stored once.  Who uploaded what is
 * recorded (table uploads), so an application can only refer to its own
 * applicant's files, and a file is read back only for an application
 * whose answers name it. */
#include "internal.h"

#include <errno.h>
#include <magic.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const allowed_types[] = {"application/pdf", "image/jpeg", "image/png", NULL};

struct case_file_writer {
    FILE *f;
    char tmp[4096];
    char dir[4096];
    EVP_MD_CTX *md;
    int64_t size;
    bool too_big, failed;
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

static bool is_sha256(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!s || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return s[64] == 0;
}

struct case_file_writer *case_file_writer_new(const char *files_dir, struct pc_err *err)
{
    if (!files_dir || strlen(files_dir) > 3000) {
        pc_err_set(err, PC_EIO, "no folder for uploaded files");
        return NULL;
    }
    struct case_file_writer *w = calloc(1, sizeof *w);
    if (!w)
        pc_oom(sizeof *w);
    snprintf(w->dir, sizeof w->dir, "%s", files_dir);
    char tmpdir[3100];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", files_dir);
    mkdir(files_dir, 0700);
    mkdir(tmpdir, 0700);
    snprintf(w->tmp, sizeof w->tmp, "%s/up-XXXXXX", tmpdir);
    int fd = mkstemp(w->tmp);
    if (fd < 0) {
        pc_err_set(err, PC_EIO, "cannot create a file in %s: %s", tmpdir, strerror(errno));
        free(w);
        return NULL;
    }
    w->f = fdopen(fd, "wb");
    w->md = EVP_MD_CTX_new();
    if (!w->f || !w->md || EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1) {
        if (w->f)
            fclose(w->f);
        else
            close(fd);
        unlink(w->tmp);
        EVP_MD_CTX_free(w->md);
        free(w);
        pc_err_set(err, PC_EIO, "cannot start storing a file");
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
    if (fwrite(p, 1, n, w->f) != n) {
        w->failed = true;
        return PC_EIO;
    }
    EVP_DigestUpdate(w->md, p, n);
    w->size += (int64_t)n;
    return 0;
}

int case_file_finish(struct case_file_writer *w, struct case_file *out, struct pc_err *err)
{
    unsigned char d[32];
    bool closed = fclose(w->f) == 0;
    EVP_DigestFinal_ex(w->md, d, NULL);
    EVP_MD_CTX_free(w->md);
    out->size = w->size;
    int rc = 0;
    if (w->too_big)
        rc = pc_err_set(err, PC_ETOOBIG, "the file is larger than %d bytes", FORM_FILE_MAX);
    else if (!closed || w->failed)
        rc = pc_err_set(err, PC_EIO, "writing the file failed");
    else if (w->size == 0)
        rc = pc_err_set(err, PC_EINVAL, "the file is empty");
    if (rc) {
        unlink(w->tmp);
        free(w);
        return rc;
    }
    for (int i = 0; i < 32; i++)
        snprintf(out->sha256 + 2 * i, 3, "%02x", d[i]);
    magic_t m = thread_magic();
    const char *type = m ? magic_file(m, w->tmp) : NULL;
    snprintf(out->mime, sizeof out->mime, "%s", type ? type : "application/octet-stream");
    bool allowed = false;
    for (const char *const *t = allowed_types; *t; t++)
        allowed = allowed || strcmp(*t, out->mime) == 0;
    if (!allowed) {
        unlink(w->tmp);
        free(w);
        return pc_err_set(err, PC_EINVAL, "the content is %s; a PDF, JPEG or PNG is taken", out->mime);
    }
    char sub[4200], final[4300];
    snprintf(sub, sizeof sub, "%s/%.2s", w->dir, out->sha256);
    mkdir(sub, 0700);
    snprintf(final, sizeof final, "%s/%s", sub, out->sha256);
    if (rename(w->tmp, final) != 0) {
        rc = pc_err_set(err, PC_EIO, "cannot store the file: %s", strerror(errno));
        unlink(w->tmp);
    }
    free(w);
    return rc;
}

int case_upload_record(struct db *db, const char *account_id, const struct case_file *f, struct pc_err *err)
{
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

int case_file_open(const char *files_dir, const struct case_app *app, const char *sha256, FILE **f,
                   struct case_file *info, struct pc_err *err)
{
    const json_t *a = is_sha256(sha256) && app->answers ? answers_file(app->answers->j, sha256) : NULL;
    if (!a || !files_dir)
        return pc_err_set(err, PC_ENOTFOUND, "no such file in this application");
    char path[4200];
    snprintf(path, sizeof path, "%s/%.2s/%s", files_dir, sha256, sha256);
    *f = fopen(path, "rb");
    if (!*f)
        return pc_err_set(err, errno == ENOENT ? PC_ENOTFOUND : PC_EIO, "cannot open the stored file: %s",
                          strerror(errno));
    memset(info, 0, sizeof *info);
    snprintf(info->sha256, sizeof info->sha256, "%s", sha256);
    /* the type the content had when it was stored */
    magic_t m = thread_magic();
    const char *type = m ? magic_file(m, path) : NULL;
    snprintf(info->mime, sizeof info->mime, "%s", type ? type : "application/octet-stream");
    info->name = json_string_value(json_object_get(a, "name"));
    info->size = json_integer_value(json_object_get(a, "size"));
    return 0;
}
