/* multipart.c — multipart/form-data bodies (files).  libmicrohttpd's post
 * processor splits the body into parts; text parts become r->form pairs,
 * file parts stream into the application's upload sink chunk by chunk,
 * so a file never sits in memory whole.  At most HTTP_MAX_UPLOADS files a
 * request; whatever the handler did not keep is given back to the sink
 * when the request ends (http__mp_release), however it ended. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MP_TEXT_MAX (64 * 1024)

struct multipart {
    struct MHD_PostProcessor *pp;
    char key[128];
    struct pc_buf text;
    bool in_text;
    void *file;                  /* the sink's handle of the current file */
    struct http_upload *cur, *tail;
    int files;
    bool failed;
};

bool http__content_type_is(struct http_req *r, const char *type)
{
    const char *ct = http_header(r, "Content-Type");
    return ct && strncasecmp(ct, type, strlen(type)) == 0;
}

static void mp_finish_text(struct http_req *r)
{
    struct multipart *m = r->mp;
    if (!m->in_text)
        return;
    m->in_text = false;
    if (m->text.toobig || !pc_utf8_valid(m->text.data, m->text.len) ||
        http_kv_push(&r->arena, &r->form, HTTP_MAX_PARAMS, pc_arena_strdup(&r->arena, m->key),
                     pc_arena_strndup(&r->arena, m->text.data, m->text.len)))
        m->failed = true;
    pc_buf_reset(&m->text);
}

static void mp_finish_file(struct http_req *r)
{
    struct multipart *m = r->mp;
    if (!m->cur)
        return;
    if (m->file)
        r->server->cfg.uploads->close(m->file, m->cur); /* the handle stays in cur->part */
    else if (!m->cur->error)
        m->cur->error = PC_EIO;
    m->file = NULL;
    m->cur = NULL;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *encoding, const char *data,
                               uint64_t off, size_t size)
{
    struct http_req *r = cls;
    struct multipart *m = r->mp;
    (void)kind; (void)content_type; (void)encoding;
    if (!key || strlen(key) >= sizeof m->key)
        return MHD_YES;
    if (filename) {
        mp_finish_text(r);
        if (off == 0 || !m->cur) {
            mp_finish_file(r);
            if (++m->files > HTTP_MAX_UPLOADS) {
                m->failed = true;
                return MHD_NO; /* nothing more of this body is stored */
            }
            struct http_upload *u = pc_arena_alloc(&r->arena, sizeof *u);
            u->field = pc_arena_strdup(&r->arena, key);
            u->filename = pc_arena_strdup(&r->arena, filename);
            if (m->tail)
                m->tail->next = u;
            else
                r->uploads = u;
            m->tail = m->cur = u;
            m->file = u->part = r->server->cfg.uploads->open(r, key, filename);
        }
        if (m->file && size && r->server->cfg.uploads->write(m->file, data, size))
            m->cur->error = m->cur->error ? m->cur->error : PC_ETOOBIG;
        return MHD_YES;
    }
    mp_finish_file(r);
    if (!m->in_text || off == 0 || strcmp(m->key, key) != 0) {
        mp_finish_text(r);
        snprintf(m->key, sizeof m->key, "%s", key);
        m->in_text = true;
    }
    pc_buf_append(&m->text, data, size);
    return MHD_YES;
}

int http__mp_start(struct http_req *r)
{
    struct multipart *m = pc_arena_alloc(&r->arena, sizeof *m);
    pc_buf_init(&m->text, MP_TEXT_MAX);
    r->mp = m;
    m->pp = MHD_create_post_processor(r->conn, 32 * 1024, on_part, r);
    return m->pp ? 0 : PC_EINVAL;
}

void http__mp_feed(struct http_req *r, const char *data, size_t n, size_t max_body)
{
    struct multipart *m = r->mp;
    /* r->body only counts the bytes here: the parts went to the sink */
    r->body.len += n;
    if (!m->failed && (r->body.len > max_body || MHD_post_process(m->pp, data, n) != MHD_YES))
        m->failed = true; /* the rest is counted, never parsed or stored */
    if (r->body.len > max_body)
        r->body.toobig = true;
}

void http__mp_end(struct http_req *r, bool aborted)
{
    struct multipart *m = r->mp;
    if (!m)
        return;
    if (m->pp) {
        if (MHD_destroy_post_processor(m->pp) != MHD_YES)
            m->failed = true;
        m->pp = NULL;
    }
    if (aborted && m->cur && !m->cur->error)
        m->cur->error = PC_EIO;
    mp_finish_text(r);
    mp_finish_file(r);
    pc_buf_release(&m->text);
    r->mp = NULL;
    if (m->failed && !aborted)
        r->body.toobig = true; /* reported as a bad body by dispatch */
}

void http__mp_release(struct http_req *r)
{
    for (struct http_upload *u = r->uploads; u; u = u->next)
        if (u->part) {
            r->server->cfg.uploads->release(u->part);
            u->part = NULL;
        }
}
