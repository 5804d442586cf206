/* i18n.c — the request's language and the look-up of messages. */
#include "internal.h"

const char *web_t_lang(enum pc_lang lang, enum msg m)
{
    if ((unsigned)m >= M_COUNT)
        return "";
    return pc_text_get(&web_messages[m], lang);
}

const char *web_t(struct http_req *r, enum msg m)
{
    return web_t_lang(web_ctx(r)->lang, m);
}

enum pc_lang web_lang_id(struct http_req *r)
{
    return web_ctx(r)->lang;
}

const char *web_lang(struct http_req *r)
{
    return pc_lang_code(web_ctx(r)->lang);
}

bool web_lang_bad(struct http_req *r)
{
    return web_ctx(r)->lang_bad;
}

int web_before(struct http_req *r)
{
    if (web_lang_bad(r)) {
        http_error(r, 400, "bad-language", "Unknown language", "lang must be one of az, en, ru");
        return 1;
    }
    const char *q = http_kv_get(&r->query, "lang");
    if (q && !r->is_api && !pc_str_eq(q, http_kv_get(&r->cookies, "lang"))) {
        /* Remember the choice for the next pages (a year, this site only). */
        http_set_header(r, "Set-Cookie",
                        pc_arena_printf(&r->arena, "lang=%s; Path=/; Max-Age=31536000; SameSite=Lax", q));
    }
    return 0;
}
