/* vocab.c — the catalogue's fixed vocabularies: one table of words per
 * enum, used by the import, the stored form, the filters and the API. */
#include "internal.h"

#include <string.h>

static const char *const logins[] = {"none", "code_password", "e_signature"};
static const char *const audiences[] = {"citizens", "entrepreneurs", "officials"};
static const char *const relations[] = {"G2C", "G2B", "G2E", "G2G"};
static const char *const channels[] = {"portal", "agency_site", "service_centre"};
static const char *const kinds[] = {"ministry", "committee", "agency", "service", "fund",
                                    "company", "commission", "court", "other"};

_Static_assert(sizeof logins / sizeof *logins == CAT_LOGIN_COUNT, "a word per login");
_Static_assert(sizeof audiences / sizeof *audiences == CAT_AUD_COUNT, "a word per audience");
_Static_assert(sizeof relations / sizeof *relations == CAT_REL_COUNT, "a word per relation");
_Static_assert(sizeof channels / sizeof *channels == CAT_CH_COUNT, "a word per channel");

const struct cat_vocab cat_vocab_login = {"login", logins, CAT_LOGIN_COUNT};
const struct cat_vocab cat_vocab_audience = {"audience", audiences, CAT_AUD_COUNT};
const struct cat_vocab cat_vocab_relation = {"relation", relations, CAT_REL_COUNT};
const struct cat_vocab cat_vocab_channel = {"channels", channels, CAT_CH_COUNT};
const struct cat_vocab cat_vocab_kind = {"kind", kinds, sizeof kinds / sizeof *kinds};

const char *cat_vocab_name(const struct cat_vocab *v, int i)
{
    return i >= 0 && i < v->n ? v->words[i] : "";
}

int cat_vocab_parse(const struct cat_vocab *v, const char *s, size_t n)
{
    for (int i = 0; s && i < v->n; i++)
        if (strlen(v->words[i]) == n && memcmp(v->words[i], s, n) == 0)
            return i;
    return -1;
}

const char *cat_login_name(enum cat_login v) { return cat_vocab_name(&cat_vocab_login, (int)v); }
const char *cat_audience_name(enum cat_audience v) { return cat_vocab_name(&cat_vocab_audience, (int)v); }
const char *cat_relation_name(enum cat_relation v) { return cat_vocab_name(&cat_vocab_relation, (int)v); }
const char *cat_channel_name(enum cat_channel v) { return cat_vocab_name(&cat_vocab_channel, (int)v); }

static int parse_word(const struct cat_vocab *v, const char *s)
{
    return s ? cat_vocab_parse(v, s, strlen(s)) : -1;
}

int cat_login_parse(const char *s) { return parse_word(&cat_vocab_login, s); }
int cat_audience_parse(const char *s) { return parse_word(&cat_vocab_audience, s); }
int cat_relation_parse(const char *s) { return parse_word(&cat_vocab_relation, s); }
int cat_channel_parse(const char *s) { return parse_word(&cat_vocab_channel, s); }

/* The stored form of a set: ",G2C,G2B," (commas at both ends, so that a
 * word is always found with its commas). */
const char *cat_set_store(struct pc_arena *a, const struct cat_vocab *v, unsigned bits)
{
    struct pc_buf b;
    pc_buf_init(&b, 1024);
    pc_buf_putc(&b, ',');
    for (int i = 0; i < v->n; i++)
        if (bits & CAT_BIT(i))
            pc_buf_printf(&b, "%s,", v->words[i]);
    const char *s = pc_arena_strdup(a, b.data);
    pc_buf_release(&b);
    return s;
}

unsigned cat_set_load(const struct cat_vocab *v, const char *s)
{
    unsigned bits = 0;
    while (s && *s) {
        size_t n = strcspn(s, ",");
        int i = cat_vocab_parse(v, s, n);
        if (i >= 0)
            bits |= CAT_BIT(i);
        s += n + (s[n] == ',');
    }
    return bits;
}
