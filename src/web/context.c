/* context.c — the portal's state of one request (r->ctx): made on first
 * use, with the request's language resolved then and only then. */
#include "internal.h"

static enum pc_lang resolve_lang(struct http_req *r, bool *bad)
{
    const char *q = http_kv_get(&r->query, "lang");
    int lang = pc_lang_parse(q);
    *bad = q && lang < 0;
    if (lang >= 0)
        return (enum pc_lang)lang;
    lang = pc_lang_parse(http_kv_get(&r->cookies, "lang"));
    return lang >= 0 ? (enum pc_lang)lang : PC_LANG_AZ;
}

struct web_ctx *web_ctx(struct http_req *r)
{
    if (!r->ctx) {
        struct web_ctx *c = pc_arena_alloc(&r->arena, sizeof *c);
        c->lang = resolve_lang(r, &c->lang_bad);
        r->ctx = c;
    }
    return r->ctx;
}
