/* i18n.c — choosing the language of a request and looking up messages. */
#include "i18n.h"

#include <string.h>

struct message {
    const char *az, *en, *ru;
};
extern const struct message web_messages[M_COUNT];

const char *const web_langs[3] = {"az", "en", "ru"};
const char *const web_lang_names[3] = {"Azərbaycanca", "English", "Русский"};

bool web_lang_valid(const char *code)
{
    for (int i = 0; i < 3; i++)
        if (pc_str_eq(code, web_langs[i]))
            return true;
    return false;
}

const char *t_lang(const char *lang, enum msg m)
{
    if ((unsigned)m >= M_COUNT)
        return "";
    const struct message *e = &web_messages[m];
    const char *s = e->az;
    if (pc_str_eq(lang, "en"))
        s = e->en;
    else if (pc_str_eq(lang, "ru"))
        s = e->ru;
    return s ? s : (e->az ? e->az : "");
}

const char *web_lang(struct http_req *r)
{
    const char *q = http_kv_get(&r->query, "lang");
    if (web_lang_valid(q))
        return q;
    const char *c = http_kv_get(&r->cookies, "lang");
    if (web_lang_valid(c))
        return c;
    return "az";
}

bool web_lang_bad(struct http_req *r)
{
    const char *q = http_kv_get(&r->query, "lang");
    return q && !web_lang_valid(q);
}

const char *t(struct http_req *r, enum msg m)
{
    return t_lang(web_lang(r), m);
}
