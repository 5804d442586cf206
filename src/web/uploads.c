/* uploads.c — the HTTP side of files attached to applications: the sink
 * the multipart parser streams each file into (cases receives it, and
 * stores it when a handler keeps it: see cases/attachments.c; a page that
 * only reads its files gets them in memory), the download of a case's
 * file, and the upload API.  Storage, type checks and who uploaded what
 * are cases' business. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the sink writes to: a case's file (received by cases), or, on a
 * page that reads its files itself (web_mem_route: the verification page,
 * whose document and signature are checked and never kept), memory. */
struct sink_handle {
    struct case_file_writer *w;
    struct web_mem_file *mem;
};

/* Files are taken only from someone who may send them: the session and
 * the CSRF token are checked when the head is complete, before a byte of
 * the body is stored (an anonymous body is answered and never read).  A
 * page that only reads its files in memory is open to anyone, with its
 * CSRF token checked all the same. */
static int sink_admit(struct http_req *r)
{
    if (web_mem_route(r))
        return web_auth_before(r);
    /* a guest applying without login (guest.c) sends its pages' files
     * with the same limits and token; the page then checks the draft is
     * the guest's own */
    if (!r->is_api && !web_who(r) && web_applicant(r))
        return web_auth_before(r);
    return web_auth_admit(r, r->is_api ? ID_ACT_UPLOAD : ID_ACT_VIEW_OWN_DATA);
}

static void mem_release(void *p)
{
    pc_buf_release(&((struct web_mem_file *)p)->buf);
}

static void *sink_open(struct http_req *r, const char *field, const char *filename)
{
    (void)filename;
    struct sink_handle *h = pc_arena_alloc(&r->arena, sizeof *h);
    size_t max = web_mem_route(r);
    if (max) {
        struct web_ctx *ctx = web_ctx(r);
        h->mem = pc_arena_alloc(&r->arena, sizeof *h->mem);
        h->mem->field = pc_arena_strdup(&r->arena, field);
        pc_buf_init(&h->mem->buf, max);
        pc_arena_defer(&r->arena, mem_release, h->mem);
        h->mem->next = ctx->mem_files;
        ctx->mem_files = h->mem;
        return h;
    }
    struct pc_err err = {0};
    h->w = case_file_writer_new(app_of(r)->files, &err);
    if (!h->w) {
        pc_log(PC_LOG_ERROR, "upload.open_failed", "msg", err.msg, NULL);
        return NULL;
    }
    return h;
}

static int sink_write(void *p, const char *data, size_t n)
{
    struct sink_handle *h = p;
    if (h->mem)
        return pc_buf_append(&h->mem->buf, data, n);
    return case_file_write(h->w, data, n);
}

static void sink_close(void *p, struct http_upload *out)
{
    struct sink_handle *h = p;
    if (h->mem) {
        out->size = (int64_t)h->mem->buf.len;
        out->error = h->mem->buf.toobig ? PC_ETOOBIG : 0;
        snprintf(out->mime, sizeof out->mime, "application/octet-stream");
        return;
    }
    struct case_file f = {0};
    struct pc_err err = {0};
    out->error = case_file_finish(h->w, &f, &err);
    out->size = f.size;
    memcpy(out->sha256, f.sha256, sizeof out->sha256);
    memcpy(out->mime, f.mime, sizeof out->mime);
    if (out->error == PC_EIO)
        pc_log(PC_LOG_ERROR, "upload.store_failed", "msg", err.msg, NULL);
}

/* The request is over: a file its handler did not keep is deleted (a file
 * in memory goes with the request's arena). */
static void sink_release(void *p)
{
    struct sink_handle *h = p;
    if (h && h->w)
        case_file_writer_free(h->w);
}

const struct web_mem_file *web_mem_file(struct http_req *r, const char *field)
{
    for (const struct web_mem_file *m = web_ctx(r)->mem_files; m; m = m->next)
        if (pc_str_eq(m->field, field))
            return m->buf.toobig ? NULL : m;
    return NULL;
}

const struct http_upload_sink web_upload_sink = {sink_admit, sink_open, sink_write, sink_close, sink_release};

struct case_file_writer *web_upload_part(const struct http_upload *u)
{
    const struct sink_handle *h = u->part;
    return h ? h->w : NULL;
}

void web_upload_file(const struct http_upload *u, struct case_file *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->sha256, u->sha256, sizeof out->sha256);
    memcpy(out->mime, u->mime, sizeof out->mime);
    out->name = u->filename;
    out->size = u->size;
}

static int64_t stream_read(void *ctx, char *buf, size_t max)
{
    return case_file_read(ctx, buf, max);
}

static void stream_release(void *ctx)
{
    case_file_reader_free(ctx);
}

int web_send_stored_file(struct http_req *r, struct case_file_reader *rd, const struct case_file *info)
{
    /* read from the store while it is sent: never whole in memory */
    struct http_stream st = {.size = info->size, .read = stream_read, .release = stream_release, .ctx = rd};
    http_reply_stream(r, 200, pc_arena_strdup(&r->arena, info->mime), &st);
    /* never shown inline: a file is the person's, not the portal's page */
    http_set_header(r, "Content-Disposition", "attachment");
    return 0;
}

int web_serve_case_file(struct http_req *r, const struct case_app *app, const char *sha256)
{
    struct case_file_reader *rd;
    struct case_file info;
    struct pc_err err = {0};
    int rc = case_file_open(app_of(r)->files, app, sha256, &rd, &info, &r->arena, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    return web_send_stored_file(r, rd, &info);
}

int web_api_upload(struct http_req *r)
{
    if (!web_require(r, ID_ACT_UPLOAD, NULL))
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
    struct pc_err err = {0};
    struct case_file f;
    web_upload_file(u, &f);
    int rc = u->error ? pc_err_set(&err, u->error, "the file could not be stored")
                      : case_upload_keep(web_upload_part(u), web_who(r)->account_id, &f, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = case_file_json(&f);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 201, s ? s : "{}");
    free(s);
    return 0;
}
