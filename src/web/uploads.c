/* uploads.c — the HTTP side of files attached to applications: the sink
 * the multipart parser streams each file into (cases receives it, and
 * stores it when a handler keeps it: see cases/attachments.c), the
 * download of a case's file, and the upload API.  Storage, type checks and who uploaded what are cases' business. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Files are taken only from someone who may send them: the session and
 * the CSRF token are checked when the head is complete, before a byte of
 * the body is stored (an anonymous body is answered and never read). */
static int sink_admit(struct http_req *r)
{
    return web_auth_admit(r, r->is_api ? ID_ACT_APPLY : ID_ACT_VIEW_OWN_DATA);
}

static void *sink_open(struct http_req *r, const char *field, const char *filename)
{
    (void)field;
    (void)filename;
    struct pc_err err = {0};
    struct case_file_writer *w = case_file_writer_new(app_of(r)->files, &err);
    if (!w)
        pc_log(PC_LOG_ERROR, "upload.open_failed", "msg", err.msg, NULL);
    return w;
}

static int sink_write(void *h, const char *data, size_t n)
{
    return case_file_write(h, data, n);
}

static void sink_close(void *h, struct http_upload *out)
{
    struct case_file f = {0};
    struct pc_err err = {0};
    out->error = case_file_finish(h, &f, &err);
    out->size = f.size;
    memcpy(out->sha256, f.sha256, sizeof out->sha256);
    memcpy(out->mime, f.mime, sizeof out->mime);
    if (out->error == PC_EIO)
        pc_log(PC_LOG_ERROR, "upload.store_failed", "msg", err.msg, NULL);
}

/* The request is over: a file its handler did not keep is deleted. */
static void sink_release(void *h)
{
    case_file_writer_free(h);
}

const struct http_upload_sink web_upload_sink = {sink_admit, sink_open, sink_write, sink_close, sink_release};

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
    /* read from the store while it is sent: never whole in memory */
    struct http_stream st = {.size = info.size, .read = stream_read, .release = stream_release, .ctx = rd};
    http_reply_stream(r, 200, pc_arena_strdup(&r->arena, info.mime), &st);
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
    struct pc_err err = {0};
    struct case_file f;
    web_upload_file(u, &f);
    int rc = u->error ? pc_err_set(&err, u->error, "the file could not be stored")
                      : case_upload_keep(u->part, web_who(r)->account_id, &f, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = case_file_json(&f);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 201, s ? s : "{}");
    free(s);
    return 0;
}
