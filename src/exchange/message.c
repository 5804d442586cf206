/* message.c — what a signature covers.  A request or a response is
 * reduced to a canonical block of "name: value" lines (the protocol, the
 * identifiers, method and path or status, the content type and the
 * end-to-end headers sorted by name; no value can hold a line break) and
 * its body; the message's hash is X-Road's request hash,
 * base64(SHA-512(SHA-512(block) || SHA-512(body))).  A response's block
 * names the request's hash, which binds the two. */
#include "internal.h"

#include <string.h>

const char *xr_proto_name(enum xr_proto p)
{
    return p == XR_PROTO_SOAP ? "soap" : "r1";
}

int xr_hdr_add(struct pc_arena *a, struct xr_hdr *h, size_t *n, const char *name, const char *value)
{
    if (*n == XR_MAX_FWD_HEADERS)
        return PC_ETOOBIG;
    char *lower = pc_arena_strdup(a, name);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    size_t i = *n;
    /* insertion keeps equal names in their order of arrival */
    while (i > 0 && strcmp(h[i - 1].name, lower) > 0) {
        h[i] = h[i - 1];
        i--;
    }
    h[i] = (struct xr_hdr){lower, pc_arena_strdup(a, value)};
    (*n)++;
    return 0;
}

static void line(struct pc_buf *b, const char *name, const char *value)
{
    pc_buf_puts(b, name);
    pc_buf_puts(b, ": ");
    pc_buf_puts(b, value ? value : "");
    pc_buf_putc(b, '\n');
}

static void headers(struct pc_buf *b, const struct xr_hdr *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pc_buf_puts(b, "h-");
        line(b, h[i].name, h[i].value);
    }
}

static const char *done(struct pc_arena *a, struct pc_buf *b)
{
    const char *s = pc_arena_strndup(a, b->data, b->len);
    pc_buf_release(b);
    return s;
}

const char *xr_msg_block(struct pc_arena *a, const struct xr_msg *m)
{
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    line(&b, "xr1", "request");
    line(&b, "protocol", xr_proto_name(m->proto));
    pc_buf_puts(&b, "client: ");
    xr_id_write(&b, &m->meta.client, false);
    pc_buf_puts(&b, "\nservice: ");
    xr_id_write(&b, &m->meta.service, false);
    pc_buf_putc(&b, '\n');
    line(&b, "id", m->meta.id);
    line(&b, "user-id", m->meta.user_id);
    line(&b, "issue", m->meta.issue);
    line(&b, "method", m->method);
    line(&b, "path", m->path);
    line(&b, "content-type", m->content_type);
    headers(&b, m->hdrs, m->nhdrs);
    return done(a, &b);
}

const char *xr_reply_block(struct pc_arena *a, const struct xr_reply *r, const char *request_hash,
                           const char *message_id)
{
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    line(&b, "xr1", "response");
    line(&b, "request-hash", request_hash);
    line(&b, "id", message_id);
    pc_buf_printf(&b, "status: %d\n", r->status);
    line(&b, "error", r->fault);
    line(&b, "content-type", r->content_type);
    headers(&b, r->hdrs, r->nhdrs);
    return done(a, &b);
}

const char *xr_hash_of(struct pc_arena *a, const char *block, const char *body_hash)
{
    unsigned char both[128], body[64];
    xr_sha512(block, strlen(block), both);
    if (xr_b64_decode(body_hash, strlen(body_hash), body, sizeof body) != 64)
        return NULL;
    memcpy(both + 64, body, 64);
    unsigned char h[64];
    xr_sha512(both, sizeof both, h);
    return xr_b64(a, h, sizeof h);
}

const char *xr_hash(struct pc_arena *a, const char *block, const void *body, size_t len, const char **body_hash)
{
    unsigned char bh[64];
    xr_sha512(body ? body : "", len, bh);
    *body_hash = xr_b64(a, bh, sizeof bh);
    return xr_hash_of(a, block, *body_hash);
}

const char *xr_sig_input(struct pc_arena *a, const char *hash)
{
    return pc_arena_printf(a, "xr1-signature\n%s", hash);
}

const char *xr_auth_input(struct pc_arena *a, const char *hash, int64_t ts, const char *to_gateway)
{
    return pc_arena_printf(a, "xr1-gateway\n%lld\n%s\n%s", (long long)ts, to_gateway, hash);
}
