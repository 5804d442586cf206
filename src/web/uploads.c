/* uploads.c — files attached to applications.  The HTTP edge streams each
 * file of a multipart body into this sink chunk by chunk: to a temporary
 * file under the files folder (outside any web root), hashing as it goes;
 * at the end the type is checked from the content (libmagic, not the name)
 * against an allow-list, and the file is stored by its SHA-256, so the
 * same content is kept once.  Who uploaded what is recorded, so that an
 * application can only refer to its own applicant's files. */
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

#define UPLOAD_HARD_MAX (20 * 1024 * 1024)   /* no question allows more */

static const char *const allowed_types[] = {"application/pdf", "image/jpeg", "image/png", NULL};

struct upload_file {
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

static void *sink_open(struct http_req *r, const char *field, const char *filename)
{
    (void)field;
    (void)filename;
    const char *root = app_of(r)->files_dir;
    struct upload_file *u = calloc(1, sizeof *u);
    if (!u || !root)
        goto fail;
    snprintf(u->dir, sizeof u->dir, "%s", root);
    if (strlen(root) > 3000)
        goto fail;
    char tmpdir[3100];
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", root);
    mkdir(root, 0700);
    mkdir(tmpdir, 0700);
    snprintf(u->tmp, sizeof u->tmp, "%s/up-XXXXXX", tmpdir);
    int fd = mkstemp(u->tmp);
    if (fd < 0)
        goto fail;
    u->f = fdopen(fd, "wb");
    u->md = EVP_MD_CTX_new();
    if (!u->f || !u->md || EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1) {
        if (u->f)
            fclose(u->f);
        else
            close(fd);
        unlink(u->tmp);
        EVP_MD_CTX_free(u->md);
        goto fail;
    }
    return u;
fail:
    pc_log(PC_LOG_ERROR, "upload.open_failed", "msg", strerror(errno), NULL);
    free(u);
    return NULL;
}

static int sink_write(void *h, const char *data, size_t n)
{
    struct upload_file *u = h;
    if (u->too_big || u->failed)
        return PC_ETOOBIG;
    if (u->size + (int64_t)n > UPLOAD_HARD_MAX) {
        u->too_big = true;
        return PC_ETOOBIG;
    }
    if (fwrite(data, 1, n, u->f) != n) {
        u->failed = true;
        return PC_EIO;
    }
    EVP_DigestUpdate(u->md, data, n);
    u->size += (int64_t)n;
    return 0;
}

static void sink_close(void *h, struct http_upload *out)
{
    struct upload_file *u = h;
    unsigned char d[32];
    bool ok = fclose(u->f) == 0 && !u->failed && !u->too_big && u->size > 0;
    EVP_DigestFinal_ex(u->md, d, NULL);
    EVP_MD_CTX_free(u->md);
    out->size = u->size;
    if (!ok) {
        out->error = u->too_big ? PC_ETOOBIG : u->size == 0 ? PC_EINVAL : PC_EIO;
        unlink(u->tmp);
        free(u);
        return;
    }
    for (int i = 0; i < 32; i++)
        snprintf(out->sha256 + 2 * i, 3, "%02x", d[i]);
    magic_t m = thread_magic();
    const char *type = m ? magic_file(m, u->tmp) : NULL;
    snprintf(out->mime, sizeof out->mime, "%s", type ? type : "application/octet-stream");
    bool allowed = false;
    for (const char *const *t = allowed_types; *t; t++)
        allowed = allowed || strcmp(*t, out->mime) == 0;
    if (!allowed) {
        out->error = PC_EINVAL;
        unlink(u->tmp);
        free(u);
        return;
    }
    char sub[4200], final[4300];
    snprintf(sub, sizeof sub, "%s/%.2s", u->dir, out->sha256);
    mkdir(sub, 0700);
    snprintf(final, sizeof final, "%s/%s", sub, out->sha256);
    if (rename(u->tmp, final) != 0) {
        out->error = PC_EIO;
        unlink(u->tmp);
    }
    free(u);
}

const struct http_upload_sink web_upload_sink = {sink_open, sink_write, sink_close};

const char *web_upload_path(struct http_req *r, const char *sha256)
{
    for (int i = 0; i < 64; i++)
        if (!sha256 || !((sha256[i] >= '0' && sha256[i] <= '9') || (sha256[i] >= 'a' && sha256[i] <= 'f')))
            return NULL;
    if (sha256[64])
        return NULL;
    return pc_arena_printf(&r->arena, "%s/%.2s/%s", app_of(r)->files_dir, sha256, sha256);
}

/* Record that the caller uploaded the file (one row per uploader). */
int web_upload_record(struct http_req *r, const struct http_upload *u)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(app_of(r)->db, &err);
    struct db_stmt *s = c ? db_prepare(c, "INSERT INTO uploads(sha256, account_id, name, size, mime, created_at)"
                                          " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(sha256, account_id) DO NOTHING", &err) : NULL;
    if (!s)
        return PC_EIO;
    char name[201];
    snprintf(name, sizeof name, "%s", u->filename && pc_utf8_valid(u->filename, strlen(u->filename)) ? u->filename : "file");
    db_bind_text(s, 1, u->sha256);
    db_bind_text(s, 2, web_who(r)->account_id);
    db_bind_text(s, 3, name);
    db_bind_int(s, 4, u->size);
    db_bind_text(s, 5, u->mime);
    db_bind_int(s, 6, pc_now_unix());
    return db_run(s, &err) < 0 ? PC_EIO : 0;
}

json_t *web_upload_answer(const struct http_upload *u)
{
    char name[201];
    snprintf(name, sizeof name, "%s", u->filename && pc_utf8_valid(u->filename, strlen(u->filename)) ? u->filename : "file");
    return json_pack("{s:s, s:s, s:I, s:s}", "sha256", u->sha256, "name", name, "size", (json_int_t)u->size,
                     "type", u->mime);
}

/* ---- serving files and the API upload -------------------------------------- */

/* Is sha256 one of the files of these answers (top level or in groups)? */
static bool answers_have_file(const json_t *answers, const char *sha256)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)answers, k, v) {
        if (pc_str_eq(json_string_value(json_object_get(v, "sha256")), sha256))
            return true;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (answers_have_file(item, sha256))
                return true;
        }
    }
    return false;
}

int web_serve_case_file(struct http_req *r, const json_t *answers, const char *sha256)
{
    const char *path = web_upload_path(r, sha256);
    if (!path || !answers_have_file(answers, sha256))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    FILE *f = fopen(path, "rb");
    if (!f)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    char buf[65536];
    size_t n;
    pc_buf_reset(&r->out);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        pc_buf_append(&r->out, buf, n);
    fclose(f);
    magic_t m = thread_magic();
    const char *type = m ? magic_file(m, path) : NULL;
    r->status = 200;
    r->content_type = pc_arena_strdup(&r->arena, type ? type : "application/octet-stream");
    r->no_gzip = true;
    /* never shown inline: a file is the applicant's, not the portal's page */
    http_set_header(r, "Content-Disposition", "attachment");
    return 0;
}

int web_api_upload(struct http_req *r)
{
    if (!web_require(r, ID_ACT_APPLY, NULL))
        return 0;
    struct http_upload *u = r->uploads;
    if (!u || u->next)
        return http_problem(r, 400, "one-file", "Send exactly one file",
                            "POST multipart/form-data with one part named \"file\".");
    if (u->error == PC_ETOOBIG)
        return http_problem(r, 413, "file-too-large", "The file is too large", "At most 20 MiB.");
    if (u->error == PC_EINVAL)
        return http_problem(r, 415, "file-type", "This type of file is not accepted",
                            pc_arena_printf(&r->arena, "The content is %s; send a PDF, JPEG or PNG.", u->mime));
    if (u->error || web_upload_record(r, u))
        return http_problem(r, 503, "unavailable", "Service unavailable", NULL);
    json_t *j = web_upload_answer(u);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 201, s ? s : "{}");
    free(s);
    return 0;
}
