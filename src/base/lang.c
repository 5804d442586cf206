/* lang.c — the program's one list of languages and the lookup of a text
 * in one of them. */
#include "base.h"

static const char *const codes[PC_LANG_COUNT] = {"az", "en", "ru"};
static const char *const names[PC_LANG_COUNT] = {"Azərbaycanca", "English", "Русский"};

const char *pc_lang_code(enum pc_lang lang)
{
    return (unsigned)lang < PC_LANG_COUNT ? codes[lang] : codes[PC_LANG_AZ];
}

const char *pc_lang_name(enum pc_lang lang)
{
    return (unsigned)lang < PC_LANG_COUNT ? names[lang] : names[PC_LANG_AZ];
}

int pc_lang_parse(const char *code)
{
    if (!code)
        return -1;
    for (int i = 0; i < PC_LANG_COUNT; i++)
        if (pc_str_eq(code, codes[i]))
            return i;
    return -1;
}

const char *pc_text_get(const struct pc_text *t, enum pc_lang lang)
{
    if (!t)
        return "";
    if ((unsigned)lang < PC_LANG_COUNT && t->s[lang])
        return t->s[lang];
    return t->s[PC_LANG_AZ] ? t->s[PC_LANG_AZ] : "";
}
