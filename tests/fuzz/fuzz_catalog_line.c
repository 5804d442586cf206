/* fuzz_catalog_line.c — one line of a catalogue file through
 * cat_parse_agency, cat_parse_life_event and cat_parse_service.
 * Invariants: no crash, leak or sanitizer report; only 0 or PC_EINVAL;
 * a failure always has a message; the same input gives the same result and
 * message twice; an accepted item satisfies what the database and the pages
 * rely on (ids are slugs, every text has non-empty az/en/ru in valid UTF-8,
 * vocabularies, limits, a free service has no fee, the evaluation is in
 * range and survives its stored form). */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/catalog/vocab.c"
#include "../../src/catalog/parse.c"

#include <string.h>

static bool slug_ok(const char *s, size_t min, size_t max)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    if (n < min || n > max || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool text_ok(const char *s, size_t max)
{
    return s && *s && strlen(s) <= max && pc_utf8_valid(s, strlen(s));
}

static void check_text(const struct pc_text *t, size_t max)
{
    FUZZ_CHECK(text_ok(t->s[PC_LANG_AZ], max));
    FUZZ_CHECK(text_ok(t->s[PC_LANG_EN], max));
    FUZZ_CHECK(text_ok(t->s[PC_LANG_RU], max));
}

/* a non-empty set of values of an enum with count values */
static bool set_ok(unsigned bits, int count)
{
    return bits != 0 && bits < CAT_BIT(count);
}

/* the evaluation is in range and reads back the same from its stored form */
static void check_maturity(struct pc_arena *a, const struct cat_maturity *m)
{
    FUZZ_CHECK(m->model >= 3 && m->model <= 5 && m->level >= 0 && m->level <= m->model);
    FUZZ_CHECK(m->participation >= -1 && m->participation <= 10);
    FUZZ_CHECK(m->transparency_max == 0 || m->transparency_max == 8 || m->transparency_max == 10);
    FUZZ_CHECK(m->transparency_score >= 0 && m->transparency_score <= m->transparency_max);
    json_t *j = json_loads(cat_maturity_store(a, m), 0, NULL);
    const struct cat_maturity *back = NULL;
    FUZZ_CHECK(j && cat_maturity_parse(a, j, &back, NULL) == 0 && back);
    json_decref(j);
    FUZZ_CHECK(back->model == m->model && back->level == m->level && back->participation == m->participation &&
               back->transparency_max == m->transparency_max && back->transparency_score == m->transparency_score);
    FUZZ_CHECK((back->note == NULL) == (m->note == NULL) && (!m->note || strcmp(back->note, m->note) == 0));
}

static void run_agency(const char *line, size_t n)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_agency g, g2;
    struct pc_err e = {0}, e2 = {0};
    int rc = cat_parse_agency(&a, line, n, &g, &e);
    int rc2 = cat_parse_agency(&a, line, n, &g2, &e2);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(rc == rc2);
    if (rc) {
        FUZZ_CHECK(e.msg[0] != 0);
        FUZZ_CHECK(strcmp(e.msg, e2.msg) == 0);
    } else {
        FUZZ_CHECK(slug_ok(g.id, 2, 40));
        FUZZ_CHECK(strcmp(g.id, g2.id) == 0);
        check_text(&g.name, CAT_NAME_MAX);
        FUZZ_CHECK((g.shortname.s[PC_LANG_AZ] == NULL) == (g.shortname.s[PC_LANG_EN] == NULL));
        FUZZ_CHECK((g.shortname.s[PC_LANG_AZ] == NULL) == (g.shortname.s[PC_LANG_RU] == NULL));
        if (g.shortname.s[PC_LANG_AZ])
            check_text(&g.shortname, 40);
        FUZZ_CHECK(g.kind && cat_vocab_parse(&cat_vocab_kind, g.kind, strlen(g.kind)) >= 0);
        FUZZ_CHECK(!g.website || pc_str_has_prefix(g.website, "http://") || pc_str_has_prefix(g.website, "https://"));
        FUZZ_CHECK(g.approved_services >= -1 && g.approved_services <= 10000);
    }
    pc_arena_release(&a);
}

static void run_event(const char *line, size_t n)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_life_event ev, ev2;
    struct pc_err e = {0}, e2 = {0};
    int rc = cat_parse_life_event(&a, line, n, &ev, &e);
    int rc2 = cat_parse_life_event(&a, line, n, &ev2, &e2);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(rc == rc2);
    if (rc) {
        FUZZ_CHECK(e.msg[0] != 0);
        FUZZ_CHECK(strcmp(e.msg, e2.msg) == 0);
    } else {
        FUZZ_CHECK(slug_ok(ev.id, 2, 40));
        check_text(&ev.name, CAT_NAME_MAX);
        FUZZ_CHECK(ev.position >= 1 && ev.position <= 1000);
        FUZZ_CHECK(ev.position == ev2.position);
    }
    pc_arena_release(&a);
}

static void run_service(const char *line, size_t n)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct cat_service s, s2;
    struct pc_err e = {0}, e2 = {0};
    int rc = cat_parse_service(&a, line, n, &s, &e);
    int rc2 = cat_parse_service(&a, line, n, &s2, &e2);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    FUZZ_CHECK(rc == rc2);
    if (rc) {
        FUZZ_CHECK(e.msg[0] != 0);
        FUZZ_CHECK(strcmp(e.msg, e2.msg) == 0);
    } else {
        FUZZ_CHECK(slug_ok(s.id, 3, 60));
        FUZZ_CHECK(slug_ok(s.agency_id, 2, 40));
        check_text(&s.name, CAT_NAME_MAX);
        check_text(&s.description, CAT_DESC_MAX);
        FUZZ_CHECK(!strchr(s.name.s[PC_LANG_AZ], '\n') && !strchr(s.name.s[PC_LANG_EN], '\n') && !strchr(s.name.s[PC_LANG_RU], '\n'));
        FUZZ_CHECK(s.for_citizens || s.for_entrepreneurs || s.for_officials);
        FUZZ_CHECK(set_ok(s.relations, CAT_REL_COUNT));
        FUZZ_CHECK(set_ok(s.channels, CAT_CH_COUNT));
        FUZZ_CHECK(s.login >= 0 && s.login < CAT_LOGIN_COUNT);
        FUZZ_CHECK(s.fee_qepik >= -1 && s.fee_qepik <= 1000000000);
        FUZZ_CHECK(!s.free || s.fee_qepik <= 0);
        FUZZ_CHECK(s.deadline_days == -1 || (s.deadline_days >= 1 && s.deadline_days <= 3650));
        FUZZ_CHECK(s.ndocuments <= 40);
        for (size_t i = 0; i < s.ndocuments; i++)
            check_text(&s.documents[i], CAT_NAME_MAX);
        FUZZ_CHECK(s.nlife_events >= 1 && s.nlife_events <= 20);
        for (size_t i = 0; i < s.nlife_events; i++)
            FUZZ_CHECK(slug_ok(s.life_events[i], 2, 40));
        FUZZ_CHECK(!s.approved_list || text_ok(s.approved_list, 100));
        FUZZ_CHECK(!s.source || text_ok(s.source, 200));
        FUZZ_CHECK((s.maturity == NULL) == (s2.maturity == NULL));
        if (s.maturity)
            check_maturity(&a, s.maturity);
        FUZZ_CHECK(strcmp(s.id, s2.id) == 0 && s.fee_qepik == s2.fee_qepik);
    }
    pc_arena_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *line = (const char *)data;
    run_agency(line, size);
    run_event(line, size);
    run_service(line, size);
    return 0;
}
