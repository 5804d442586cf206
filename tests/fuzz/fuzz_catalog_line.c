/* fuzz_catalog_line.c — one line of a catalogue file through
 * cat_parse_agency, cat_parse_life_event and cat_parse_service.
 * Invariants: no crash, leak or sanitizer report; only 0 or PC_EINVAL;
 * a failure always has a message; the same input gives the same result and
 * message twice; an accepted item satisfies what the database and the pages
 * rely on (ids are slugs, every text has non-empty az/en/ru in valid UTF-8,
 * vocabularies, limits, a free service has no fee, maturity is JSON). */
#include "fuzz_common.h"

#include "../../src/base/utf8.c"
#include "../../src/catalog/import.c"

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

/* every comma-separated word of list is in vocab */
static bool list_ok(const char *list, const char *const *vocab)
{
    if (!list || !*list)
        return false;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool ok = false;
        for (const char *const *w = vocab; *w; w++)
            if (strlen(*w) == n && strncmp(*w, p, n) == 0)
                ok = true;
        if (!ok)
            return false;
        p += n;
        if (*p == ',')
            p++;
    }
    return true;
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
        check_text(&g.name, NAME_MAX_BYTES);
        FUZZ_CHECK((g.shortname.s[PC_LANG_AZ] == NULL) == (g.shortname.s[PC_LANG_EN] == NULL));
        FUZZ_CHECK((g.shortname.s[PC_LANG_AZ] == NULL) == (g.shortname.s[PC_LANG_RU] == NULL));
        if (g.shortname.s[PC_LANG_AZ])
            check_text(&g.shortname, 40);
        bool kind_ok = false;
        for (const char *const *k = agency_kinds; *k; k++)
            kind_ok |= g.kind && strcmp(*k, g.kind) == 0;
        FUZZ_CHECK(kind_ok);
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
        check_text(&ev.name, NAME_MAX_BYTES);
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
        check_text(&s.name, NAME_MAX_BYTES);
        check_text(&s.description, DESC_MAX_BYTES);
        FUZZ_CHECK(!strchr(s.name.s[PC_LANG_AZ], '\n') && !strchr(s.name.s[PC_LANG_EN], '\n') && !strchr(s.name.s[PC_LANG_RU], '\n'));
        FUZZ_CHECK(s.for_citizens || s.for_entrepreneurs || s.for_officials);
        FUZZ_CHECK(list_ok(s.relations, relations));
        FUZZ_CHECK(list_ok(s.channels, channels));
        FUZZ_CHECK(list_ok(s.login, logins) && !strchr(s.login, ','));
        FUZZ_CHECK(s.fee_qepik >= -1 && s.fee_qepik <= 1000000000);
        FUZZ_CHECK(!s.free || s.fee_qepik <= 0);
        FUZZ_CHECK(s.deadline_days == -1 || (s.deadline_days >= 1 && s.deadline_days <= 3650));
        FUZZ_CHECK(s.ndocuments <= 40);
        for (size_t i = 0; i < s.ndocuments; i++)
            check_text(&s.documents[i], NAME_MAX_BYTES);
        FUZZ_CHECK(s.nlife_events >= 1 && s.nlife_events <= 20);
        for (size_t i = 0; i < s.nlife_events; i++)
            FUZZ_CHECK(slug_ok(s.life_events[i], 2, 40));
        FUZZ_CHECK(!s.approved_list || text_ok(s.approved_list, 100));
        FUZZ_CHECK(!s.source || text_ok(s.source, 200));
        if (s.maturity_json) {
            json_error_t je;
            json_t *m = json_loads(s.maturity_json, 0, &je);
            FUZZ_CHECK(json_is_object(m));
            json_int_t model = json_integer_value(json_object_get(m, "model"));
            json_int_t level = json_integer_value(json_object_get(m, "level"));
            FUZZ_CHECK(model >= 3 && model <= 5 && level >= 0 && level <= model);
            json_decref(m);
            FUZZ_CHECK(s2.maturity_json && strcmp(s.maturity_json, s2.maturity_json) == 0);
        }
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
