/* test_catalog.c — the catalogue: line parsers and their error messages,
 * the import (good and bad directories), and reading: search with folding
 * and stems, ranking, filters, cursor paging, single items.
 * The reading tests run on a temporary SQLite file and, when
 * PENCERE_TEST_PG_URL is set, on a fresh PostgreSQL database too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/catalog/catalog.h"
#include "pgdb.h"

/* ---- fixture files ---------------------------------------------------- */

#define MAX_LINES 16

struct lines {
    char *line[MAX_LINES];
    size_t n;
};

static char fixture_dir[1024];
static struct lines fx_agencies, fx_events, fx_services;

static void read_lines(const char *name, struct lines *out)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open fixture %s", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    out->n = 0;
    while ((len = getline(&line, &cap, f)) >= 0 && out->n < MAX_LINES) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len)
            out->line[out->n++] = strdup(line);
    }
    free(line);
    fclose(f);
}

static void free_lines(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    l->n = 0;
}

static int load_fixtures(void)
{
    const char *src = getenv("PENCERE_SRC");
    if (!src || !*src) {
        fprintf(stderr, "PENCERE_SRC is not set (meson test sets it)\n");
        return -1;
    }
    snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/fixtures/catalog", src);
    read_lines("agencies.jsonl", &fx_agencies);
    read_lines("life_events.jsonl", &fx_events);
    read_lines("services.jsonl", &fx_services);
    return fx_agencies.n >= 2 && fx_events.n >= 2 && fx_services.n >= 3 ? 0 : -1;
}

/* The fixture line whose "id" is id. */
static const char *fixture_line(const struct lines *l, const char *id)
{
    char needle[128];
    snprintf(needle, sizeof needle, "{\"id\":\"%s\"", id);
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->line[i], needle, strlen(needle)) == 0)
            return l->line[i];
    fail_msg("fixture has no %s", id);
    return NULL;
}

/* Copy of line with the value at a dotted path replaced by value_json (or
 * removed when value_json is NULL).  Caller frees. */
static char *edit(const char *line, const char *path, const char *value_json)
{
    json_error_t je;
    json_t *root = json_loads(line, 0, &je);
    assert_non_null(root);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *o = root;
    char *key = buf, *dot;
    while ((dot = strchr(key, '.'))) {
        *dot = 0;
        o = json_object_get(o, key);
        assert_non_null(o);
        key = dot + 1;
    }
    if (value_json) {
        json_t *v = json_loads(value_json, JSON_DECODE_ANY, &je);
        if (!v)
            fail_msg("bad test JSON %s: %s", value_json, je.text);
        json_object_set_new(o, key, v);
    } else {
        json_object_del(o, key);
    }
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return s;
}

/* ---- parsing good lines ----------------------------------------------- */

static void test_parse_fixture_agencies(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (size_t i = 0; i < fx_agencies.n; i++) {
        struct cat_agency g;
        struct pc_err err = {0};
        int rc = cat_parse_agency(&a, fx_agencies.line[i], strlen(fx_agencies.line[i]), &g, &err);
        if (rc)
            fail_msg("agencies.jsonl line %zu: %s", i + 1, err.msg);
        assert_non_null(g.id);
        assert_non_null(g.name.s[PC_LANG_AZ]);
        assert_non_null(g.name.s[PC_LANG_EN]);
        assert_non_null(g.name.s[PC_LANG_RU]);
    }
    struct cat_agency g;
    struct pc_err err = {0};
    const char *din = fixture_line(&fx_agencies, "din");
    assert_int_equal(cat_parse_agency(&a, din, strlen(din), &g, &err), 0);
    assert_string_equal(g.id, "din");
    assert_string_equal(g.name.s[PC_LANG_AZ], "Daxili İşlər Nazirliyi");
    assert_string_equal(g.name.s[PC_LANG_RU], "Министерство внутренних дел");
    assert_string_equal(g.shortname.s[PC_LANG_AZ], "DİN");
    assert_string_equal(g.shortname.s[PC_LANG_EN], "MIA");
    assert_string_equal(g.kind, "ministry");
    assert_string_equal(g.website, "https://www.mia.gov.az");
    assert_int_equal(g.approved_services, 12);
    assert_string_equal(g.source, "fixture");
    const char *vn = fixture_line(&fx_agencies, "vn");
    assert_int_equal(cat_parse_agency(&a, vn, strlen(vn), &g, &err), 0);
    assert_null(g.website);
    assert_int_equal(g.approved_services, -1);
    assert_null(g.shortname.s[PC_LANG_AZ]);
    assert_null(g.shortname.s[PC_LANG_EN]);
    assert_null(g.shortname.s[PC_LANG_RU]);
    /* the line need not be NUL-terminated: n counts */
    char *padded = malloc(strlen(vn) + 8);
    memcpy(padded, vn, strlen(vn));
    memcpy(padded + strlen(vn), "garbage", 8);
    assert_int_equal(cat_parse_agency(&a, padded, strlen(vn), &g, &err), 0);
    free(padded);
    pc_arena_release(&a);
}

static void test_parse_fixture_life_events(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (size_t i = 0; i < fx_events.n; i++) {
        struct cat_life_event e;
        struct pc_err err = {0};
        int rc = cat_parse_life_event(&a, fx_events.line[i], strlen(fx_events.line[i]), &e, &err);
        if (rc)
            fail_msg("life_events.jsonl line %zu: %s", i + 1, err.msg);
        assert_true(e.position >= 1);
    }
    struct cat_life_event e;
    struct pc_err err = {0};
    const char *l = fixture_line(&fx_events, "taxes");
    assert_int_equal(cat_parse_life_event(&a, l, strlen(l), &e, &err), 0);
    assert_string_equal(e.id, "taxes");
    assert_string_equal(e.name.s[PC_LANG_AZ], "Vergilər");
    assert_string_equal(e.name.s[PC_LANG_RU], "Налоги");
    assert_int_equal(e.position, 2);
    pc_arena_release(&a);
}

static void test_parse_fixture_services(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (size_t i = 0; i < fx_services.n; i++) {
        struct cat_service s;
        struct pc_err err = {0};
        int rc = cat_parse_service(&a, fx_services.line[i], strlen(fx_services.line[i]), &s, &err);
        if (rc)
            fail_msg("services.jsonl line %zu: %s", i + 1, err.msg);
    }
    struct cat_service s;
    struct pc_err err = {0};
    const char *l = fixture_line(&fx_services, "din-id-card");
    assert_int_equal(cat_parse_service(&a, l, strlen(l), &s, &err), 0);
    assert_string_equal(s.id, "din-id-card");
    assert_string_equal(s.agency_id, "din");
    assert_string_equal(s.name.s[PC_LANG_AZ], "Şəxsiyyət vəsiqəsinin dəyişdirilməsi");
    assert_true(s.for_citizens);
    assert_false(s.for_entrepreneurs);
    assert_false(s.for_officials);
    assert_int_equal(s.relations, CAT_BIT(CAT_REL_G2C));
    assert_int_equal(s.login, CAT_LOGIN_CODE_PASSWORD);
    assert_int_equal(s.fee_qepik, 500);
    assert_false(s.free);
    assert_int_equal(s.deadline_days, 15);
    assert_int_equal(s.ndocuments, 1);
    assert_string_equal(s.documents[0].s[PC_LANG_AZ], "Şəxsiyyət vəsiqəsi");
    assert_string_equal(s.documents[0].s[PC_LANG_EN], "Identity card");
    assert_int_equal(s.channels, CAT_BIT(CAT_CH_PORTAL) | CAT_BIT(CAT_CH_SERVICE_CENTRE));
    assert_string_equal(s.approved_list, "191");
    assert_non_null(s.maturity);
    assert_int_equal(s.maturity->model, 4);
    assert_int_equal(s.maturity->level, 2);
    assert_int_equal(s.maturity->transparency_max, 10);
    assert_int_equal(s.nlife_events, 1);
    assert_string_equal(s.life_events[0], "identity-documents");

    l = fixture_line(&fx_services, "din-fine-check");
    assert_int_equal(cat_parse_service(&a, l, strlen(l), &s, &err), 0);
    assert_true(s.free);
    assert_int_equal(s.fee_qepik, -1);
    assert_int_equal(s.deadline_days, -1);
    assert_int_equal(s.ndocuments, 0);
    assert_null(s.maturity);
    assert_null(s.approved_list);
    assert_true(s.for_citizens);
    assert_true(s.for_entrepreneurs);
    assert_int_equal(s.relations, CAT_BIT(CAT_REL_G2C) | CAT_BIT(CAT_REL_G2B));
    assert_int_equal(s.login, CAT_LOGIN_NONE);

    /* fee in manat with qəpik, and a free service with a zero fee */
    char *x = edit(l, "fee_azn", "2.35");
    char *y = edit(x, "free", "false");
    assert_int_equal(cat_parse_service(&a, y, strlen(y), &s, &err), 0);
    assert_int_equal(s.fee_qepik, 235);
    free(x);
    free(y);
    x = edit(l, "fee_azn", "0");
    assert_int_equal(cat_parse_service(&a, x, strlen(x), &s, &err), 0);
    assert_int_equal(s.fee_qepik, 0);
    assert_true(s.free);
    free(x);
    /* 40 documents are allowed */
    struct pc_buf docs;
    pc_buf_init(&docs, 0);
    pc_buf_putc(&docs, '[');
    for (int i = 0; i < 40; i++)
        pc_buf_printf(&docs, "%s{\"az\":\"s%d\",\"en\":\"d%d\",\"ru\":\"д%d\"}", i ? "," : "", i, i, i);
    pc_buf_putc(&docs, ']');
    x = edit(l, "documents", docs.data);
    assert_int_equal(cat_parse_service(&a, x, strlen(x), &s, &err), 0);
    assert_int_equal(s.ndocuments, 40);
    assert_string_equal(s.documents[39].s[PC_LANG_RU], "д39");
    free(x);
    pc_buf_release(&docs);
    pc_arena_release(&a);
}

/* ---- parsing bad lines ------------------------------------------------ */

enum kind { AGENCY, EVENT, SERVICE };

struct bad {
    enum kind kind;
    const char *base;    /* fixture id the line is made from, or NULL: raw is the line */
    const char *path;    /* dotted path to edit */
    const char *value;   /* new JSON value, NULL to remove */
    const char *expect;  /* must appear in the message */
};

static int parse_kind(struct pc_arena *a, enum kind k, const char *line, struct pc_err *err)
{
    size_t n = strlen(line);
    union {
        struct cat_agency g;
        struct cat_life_event e;
        struct cat_service s;
    } u;
    switch (k) {
    case AGENCY: return cat_parse_agency(a, line, n, &u.g, err);
    case EVENT: return cat_parse_life_event(a, line, n, &u.e, err);
    default: return cat_parse_service(a, line, n, &u.s, err);
    }
}

static const struct lines *kind_lines(enum kind k)
{
    return k == AGENCY ? &fx_agencies : k == EVENT ? &fx_events : &fx_services;
}

static char *many_documents(int n)
{
    struct pc_buf b;
    pc_buf_init(&b, 0);
    pc_buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        pc_buf_printf(&b, "%s{\"az\":\"a\",\"en\":\"b\",\"ru\":\"c\"}", i ? "," : "");
    pc_buf_putc(&b, ']');
    return pc_buf_steal(&b, NULL);
}

static char *many_ids(int n)
{
    struct pc_buf b;
    pc_buf_init(&b, 0);
    pc_buf_putc(&b, '[');
    for (int i = 0; i < n; i++)
        pc_buf_printf(&b, "%s\"event-%d\"", i ? "," : "", i);
    pc_buf_putc(&b, ']');
    return pc_buf_steal(&b, NULL);
}

/* How many of the bad lines are not refused with PC_EINVAL and a message
 * that mentions what they expect (each one printed). */
static int bad_cases_failing(const struct bad *cases, size_t n)
{
    struct pc_arena a;
    pc_arena_init(&a);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        const struct bad *c = &cases[i];
        char *line = c->base ? edit(fixture_line(kind_lines(c->kind), c->base), c->path, c->value)
                             : strdup(c->path);
        struct pc_err err = {0};
        int rc = parse_kind(&a, c->kind, line, &err);
        if (rc != PC_EINVAL) {
            printf("case %zu (%s %s=%s): accepted (rc %d), want PC_EINVAL\n", i,
                   c->base ? c->base : "raw", c->path, c->value ? c->value : "<removed>", rc);
            failures++;
        } else if (!strstr(err.msg, c->expect)) {
            printf("case %zu (%s %s=%s): message \"%s\" does not mention %s\n", i,
                   c->base ? c->base : "raw", c->path, c->value ? c->value : "<removed>", err.msg, c->expect);
            failures++;
        } else if (err.code != PC_EINVAL) {
            printf("case %zu: err.code %d\n", i, err.code);
            failures++;
        }
        free(line);
    }
    pc_arena_release(&a);
    return failures;
}

static void test_parse_bad_lines(void **state)
{
    (void)state;
    char *docs41 = many_documents(41), *ids21 = many_ids(21);
    char long_name[600];
    snprintf(long_name, sizeof long_name, "{\"az\":\"%0450d\",\"en\":\"x\",\"ru\":\"y\"}", 0);
    const struct bad cases[] = {
        /* the shape of the line */
        {SERVICE, NULL, "{\"id\":", NULL, "not valid JSON"},
        {SERVICE, NULL, "{\"id\":\"abc\",}", NULL, "not valid JSON"},
        {SERVICE, NULL, "", NULL, "not valid JSON"},
        {SERVICE, NULL, "[1,2,3]", NULL, "one JSON object"},
        {AGENCY, NULL, "\"din\"", NULL, "JSON"},
        {EVENT, NULL, "42", NULL, "JSON"},
        {AGENCY, NULL, "{\"id\":\"din\"} {\"id\":\"vn\"}", NULL, "not valid JSON"},
        {EVENT, NULL, "{\"id\":\"taxes\",\"id\":\"taxes\",\"name\":{\"az\":\"a\",\"en\":\"b\",\"ru\":\"c\"},\"order\":1}", NULL, "not valid JSON"},
        /* unknown fields */
        {SERVICE, "din-id-card", "colour", "\"red\"", "unknown field \"colour\""},
        {AGENCY, "din", "Name", "\"x\"", "unknown field \"Name\""},
        {EVENT, "taxes", "position", "3", "unknown field \"position\""},
        /* ids */
        {SERVICE, "din-id-card", "id", "\"Din-ID-card\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"ab\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"-din\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"din-\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"din id\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"şəxs\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"din/../x\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "\"id\""},
        {SERVICE, "din-id-card", "id", "17", "\"id\""},
        {SERVICE, "din-id-card", "id", NULL, "\"id\""},
        {AGENCY, "din", "id", "\"d\"", "\"id\""},
        {EVENT, "taxes", "id", "\"TAXES\"", "\"id\""},
        {SERVICE, "din-id-card", "agency", "\"DIN\"", "\"agency\""},
        /* texts */
        {SERVICE, "din-id-card", "name.ru", NULL, "\"name\".ru"},
        {SERVICE, "din-id-card", "name.az", NULL, "\"name\".az"},
        {SERVICE, "din-id-card", "description.en", NULL, "\"description\".en"},
        {AGENCY, "din", "name.en", NULL, "\"name\".en"},
        {EVENT, "taxes", "name.ru", NULL, "\"name\".ru"},
        {SERVICE, "din-id-card", "name.en", "\"\"", "\"name\".en"},
        {SERVICE, "din-id-card", "description.az", "\"\"", "\"description\".az"},
        {EVENT, "taxes", "name.az", "\"\"", "\"name\".az"},
        {SERVICE, "din-id-card", "name.az", "5", "\"name\".az"},
        {SERVICE, "din-id-card", "name", "\"Şəxsiyyət\"", "\"name\""},
        {SERVICE, "din-id-card", "name", NULL, "\"name\""},
        {SERVICE, "din-id-card", "name.tr", "\"Kimlik\"", "\"name\""},
        {SERVICE, "din-id-card", "name.az", "\"two\\nlines\"", "line break"},
        {SERVICE, "din-id-card", "name", long_name, "\"name\".az"},
        /* vocabularies */
        {SERVICE, "din-id-card", "audience", "[\"aliens\"]", "aliens"},
        {SERVICE, "din-id-card", "audience", "[]", "\"audience\""},
        {SERVICE, "din-id-card", "audience", "\"citizens\"", "\"audience\""},
        {SERVICE, "din-id-card", "audience", "[\"citizens\", 5]", "\"audience\""},
        {SERVICE, "din-id-card", "relation", "[\"G2X\"]", "G2X"},
        {SERVICE, "din-id-card", "login", "\"password\"", "password"},
        {SERVICE, "din-id-card", "login", "null", "\"login\""},
        {SERVICE, "din-id-card", "login", NULL, "\"login\""},
        {SERVICE, "din-id-card", "login", "[\"none\"]", "\"login\""},
        {SERVICE, "din-id-card", "channels", "[\"fax\"]", "fax"},
        {SERVICE, "din-id-card", "channels", "[]", "\"channels\""},
        {AGENCY, "din", "kind", "\"department\"", "\"kind\""},
        {AGENCY, "din", "kind", NULL, "\"kind\""},
        {AGENCY, "din", "website", "\"ftp://mia.gov.az\"", "\"website\""},
        {AGENCY, "din", "website", "\"\"", "\"website\""},
        {AGENCY, "din", "approved_services", "-1", "\"approved_services\""},
        {AGENCY, "din", "approved_services", "\"12\"", "\"approved_services\""},
        /* fees */
        {SERVICE, "din-id-card", "free", "true", "free service cannot have a fee"},
        {SERVICE, "din-id-card", "free", NULL, "\"free\""},
        {SERVICE, "din-id-card", "free", "\"no\"", "\"free\""},
        {SERVICE, "din-id-card", "fee_azn", "-5", "\"fee_azn\""},
        {SERVICE, "din-id-card", "fee_azn", "\"5\"", "\"fee_azn\""},
        {SERVICE, "din-id-card", "fee_azn", "1e12", "\"fee_azn\""},
        /* deadlines */
        {SERVICE, "din-id-card", "deadline_days", "0", "\"deadline_days\""},
        {SERVICE, "din-id-card", "deadline_days", "3651", "\"deadline_days\""},
        {SERVICE, "din-id-card", "deadline_days", "1.5", "\"deadline_days\""},
        /* maturity */
        {SERVICE, "din-id-card", "maturity.level", "5", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity", "{\"model\":3,\"level\":4}", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity.model", "6", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity.level", "-1", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity.level", NULL, "\"maturity\""},
        {SERVICE, "din-id-card", "maturity.grade", "1", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity", "\"good\"", "\"maturity\""},
        {SERVICE, "din-id-card", "maturity.participation", "11", "participation"},
        {SERVICE, "din-id-card", "maturity.transparency.max", "9", "transparency"},
        {SERVICE, "din-id-card", "maturity.transparency.max", "12", "transparency"},
        {SERVICE, "din-id-card", "maturity.transparency", "{\"max\":8,\"score\":9}", "transparency"},
        {SERVICE, "din-id-card", "maturity.transparency", "{\"max\":8}", "transparency"},
        {SERVICE, "din-id-card", "maturity.transparency", "7", "transparency"},
        {SERVICE, "din-id-card", "maturity.note", "5", "note"},
        /* documents */
        {SERVICE, "din-id-card", "documents", docs41, "\"documents\""},
        {SERVICE, "din-id-card", "documents", NULL, "\"documents\""},
        {SERVICE, "din-id-card", "documents", "{}", "\"documents\""},
        {SERVICE, "din-id-card", "documents", "[{\"az\":\"a\",\"en\":\"b\"}]", "documents[0]"},
        {SERVICE, "din-id-card", "documents", "[{\"az\":\"a\",\"en\":\"b\",\"ru\":\"c\"},\"text\"]", "documents[1]"},
        /* life events */
        {SERVICE, "din-id-card", "life_events", "[]", "\"life_events\""},
        {SERVICE, "din-id-card", "life_events", ids21, "\"life_events\""},
        {SERVICE, "din-id-card", "life_events", "[\"Taxes\"]", "\"life_events\"[0]"},
        {SERVICE, "din-id-card", "life_events", "[\"taxes\", 7]", "\"life_events\"[1]"},
        {SERVICE, "din-id-card", "life_events", NULL, "\"life_events\""},
        {EVENT, "taxes", "order", NULL, "\"order\""},
        {EVENT, "taxes", "order", "0", "\"order\""},
        {EVENT, "taxes", "order", "\"1\"", "\"order\""},
        /* optional strings */
        {SERVICE, "din-id-card", "approved_list", "\"\"", "\"approved_list\""},
        {SERVICE, "din-id-card", "approved_list", "191", "\"approved_list\""},
        {SERVICE, "din-id-card", "source", "[]", "\"source\""},
    };
    int failures = bad_cases_failing(cases, sizeof cases / sizeof *cases);
    free(docs41);
    free(ids21);
    assert_int_equal(failures, 0);
}

/* The rules data/catalog/check.py used to check on top of the importer,
 * now the importer's own (one checker). */
static void test_parse_rules_of_the_old_python_checker(void **state)
{
    (void)state;
    const struct bad cases[] = {
        /* ids: no doubled hyphen */
        {SERVICE, "din-id-card", "id", "\"din--card\"", "\"id\""},
        {AGENCY, "din", "id", "\"d--n\"", "\"id\""},
        {EVENT, "taxes", "id", "\"ta--xes\"", "\"id\""},
        /* texts: trimmed, no control characters anywhere, az and en in Latin letters */
        {SERVICE, "din-id-card", "name.en", "\" Identity card\"", "white space"},
        {SERVICE, "din-id-card", "description.ru", "\"Замена \"", "white space"},
        {SERVICE, "din-id-card", "description.en", "\"two\\nlines\"", "line break"},
        {SERVICE, "din-id-card", "name.en", "\"tab\\there\"", "control character"},
        {SERVICE, "din-id-card", "name.az", "\"Şəxsiyyət вəsiqəsi\"", "Cyrillic"},
        {SERVICE, "din-id-card", "description.az", "\"Ә ilə\"", "Cyrillic"},
        {AGENCY, "din", "name.en", "\"Министерство\"", "Cyrillic"},
        {AGENCY, "din", "short.az", "\"ДİN\"", "Cyrillic"},
        {SERVICE, "din-id-card", "documents", "[{\"az\":\"Паспорт\",\"en\":\"b\",\"ru\":\"c\"}]", "documents[0]"},
        {SERVICE, "din-id-card", "approved_list", "\"191 \"", "white space"},
        /* agencies: an https website; every field but "short" present; a source */
        {AGENCY, "din", "website", "\"http://www.mia.gov.az\"", "https"},
        {AGENCY, "din", "website", "\"https://localhost\"", "https"},
        {AGENCY, "din", "website", "\"https://www.mia.gov.az/a b\"", "https"},
        {AGENCY, "din", "website", "\"https://WWW.MIA.GOV.AZ\"", "https"},
        {AGENCY, "din", "website", "\"https://mia.gov.a\"", "https"},
        {AGENCY, "din", "website", NULL, "missing field \"website\""},
        {AGENCY, "din", "approved_services", NULL, "missing field \"approved_services\""},
        {AGENCY, "din", "source", NULL, "missing field \"source\""},
        {AGENCY, "din", "source", "null", "\"source\""},
        {AGENCY, "din", "source", "\" fixture\"", "white space"},
        /* services: every field present, a source, no repeated values */
        {SERVICE, "din-id-card", "fee_azn", NULL, "missing field \"fee_azn\""},
        {SERVICE, "din-id-card", "deadline_days", NULL, "missing field \"deadline_days\""},
        {SERVICE, "din-id-card", "approved_list", NULL, "missing field \"approved_list\""},
        {SERVICE, "din-id-card", "maturity", NULL, "missing field \"maturity\""},
        {SERVICE, "din-id-card", "source", NULL, "missing field \"source\""},
        {SERVICE, "din-id-card", "source", "null", "\"source\""},
        {SERVICE, "din-id-card", "audience", "[\"citizens\",\"citizens\"]", "twice"},
        {SERVICE, "din-id-card", "relation", "[\"G2C\",\"G2B\",\"G2C\"]", "twice"},
        {SERVICE, "din-id-card", "channels", "[\"portal\",\"portal\"]", "twice"},
        {SERVICE, "din-id-card", "life_events", "[\"taxes\",\"taxes\"]", "twice"},
        /* the evaluation: exactly {max, score}; a note says something; 8 is the free-service scale */
        {SERVICE, "din-id-card", "maturity.transparency", "{\"max\":10,\"score\":5,\"weight\":1}", "transparency"},
        {SERVICE, "din-id-card", "maturity.note", "\"\"", "note"},
        {SERVICE, "din-id-card", "maturity.note", "\" spaced\"", "white space"},
        {SERVICE, "din-id-card", "maturity.transparency", "{\"max\":8,\"score\":5}", "\"free\" is false"},
    };
    int failures = bad_cases_failing(cases, sizeof cases / sizeof *cases);
    struct pc_arena a;
    pc_arena_init(&a);
    /* and what stays allowed */
    struct cat_service s;
    struct cat_agency g;
    struct pc_err err = {0};
    char *x = edit(fixture_line(&fx_services, "din-fine-check"), "maturity",
                   "{\"model\":3,\"level\":1,\"participation\":0,\"transparency\":{\"max\":8,\"score\":2},\"note\":\"A note.\"}");
    assert_int_equal(cat_parse_service(&a, x, strlen(x), &s, &err), 0);
    assert_int_equal(s.maturity->transparency_max, 8);
    assert_string_equal(s.maturity->note, "A note.");
    free(x);
    x = edit(fixture_line(&fx_services, "din-id-card"), "description.en", "\"Two  spaces inside, «quotes» and ə.\"");
    assert_int_equal(cat_parse_service(&a, x, strlen(x), &s, &err), 0);
    free(x);
    x = edit(fixture_line(&fx_agencies, "din"), "website", "\"https://e-gov.az/az/structure/8?x=1&y=2\"");
    assert_int_equal(cat_parse_agency(&a, x, strlen(x), &g, &err), 0);
    free(x);
    pc_arena_release(&a);
    assert_int_equal(failures, 0);
}

/* ---- cat_filter_check (texts: pc_text_get, tested in test_base) -------- */

static void test_filter_check(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct cat_filter f = {.free = -1, .limit = 20};
    assert_int_equal(cat_filter_check(&f, &err), 0);
    f.limit = 0;
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "limit"));
    f.limit = CAT_PAGE_MAX + 1;
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    f.limit = CAT_PAGE_MAX;
    assert_int_equal(cat_filter_check(&f, &err), 0);
    f.audience = "aliens";
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "audience"));
    f.audience = "officials";
    assert_int_equal(cat_filter_check(&f, &err), 0);
    f.login = "password";
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    f.login = "e_signature";
    assert_int_equal(cat_filter_check(&f, &err), 0);
    f.agency = "DIN";
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    f.agency = "din' OR 1=1 --";
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    f.agency = "din";
    f.life_event = "../x";
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    f.life_event = "taxes";
    assert_int_equal(cat_filter_check(&f, &err), 0);
    char q[CAT_QUERY_MAX + 2];
    memset(q, 'a', sizeof q - 1);
    q[sizeof q - 1] = 0;
    f.q = q;
    assert_int_equal(cat_filter_check(&f, &err), PC_EINVAL);
    q[CAT_QUERY_MAX] = 0;
    assert_int_equal(cat_filter_check(&f, &err), 0);
}

/* ---- a database with the fixture imported ----------------------------- */

struct fixture {
    struct db *db;
    bool pg;
    char url[512];
    char dir[64];
    char pgname[40];
    struct pc_arena arena;
};

static struct fixture fx_sqlite, fx_pg;

static int import_fixture(struct fixture *f)
{
    struct pc_err err = {0};
    if (db_migrate(f->db, &err)) {
        fprintf(stderr, "db_migrate: %s\n", err.msg);
        return -1;
    }
    struct cat_import_stats st;
    if (cat_import(f->db, fixture_dir, stderr, &st, &err)) {
        fprintf(stderr, "cat_import: %s\n", err.msg);
        return -1;
    }
    pc_arena_init(&f->arena);
    return 0;
}

static int setup_sqlite(void **state)
{
    struct fixture *f = &fx_sqlite;
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pencere-test-cat.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->url, sizeof f->url, "%.60s/catalog.db", f->dir);
    struct pc_err err = {0};
    f->db = db_open(f->url, &err);
    if (!f->db) {
        fprintf(stderr, "db_open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return import_fixture(f);
}

static void rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static int teardown_sqlite(void **state)
{
    struct fixture *f = *state;
    pc_arena_release(&f->arena);
    db_close(f->db);
    rm_rf(f->dir);
    return 0;
}

static int setup_pg(void **state)
{
    struct fixture *f = &fx_pg;
    memset(f, 0, sizeof *f);
    f->pg = true;
    if (pgdb_create("u_catalog", f->pgname, f->url))
        return -1;
    struct pc_err err = {0};
    f->db = db_open(f->url, &err);
    if (!f->db) {
        fprintf(stderr, "db_open(postgres): %s\n", err.msg);
        return -1;
    }
    *state = f;
    return import_fixture(f);
}

static int teardown_pg(void **state)
{
    struct fixture *f = *state;
    pc_arena_release(&f->arena);
    db_close(f->db);
    pgdb_drop(f->pgname);
    return 0;
}

/* Run a search; fails the test on an error. */
static struct cat_page find(struct fixture *f, struct cat_filter flt)
{
    struct cat_page p;
    struct pc_err err = {0};
    if (flt.limit == 0)
        flt.limit = 20;
    int rc = cat_find_services(f->db, &f->arena, &flt, &p, &err);
    if (rc)
        fail_msg("cat_find_services(q=%s): %d %s", flt.q ? flt.q : "-", rc, err.msg);
    return p;
}

#define FILTER(...) ((struct cat_filter){.free = -1, __VA_ARGS__})

/* "id1,id2,…" of a page, for compact comparisons. */
static const char *ids(struct fixture *f, const struct cat_page *p)
{
    struct pc_buf b;
    pc_buf_init(&b, 0);
    for (size_t i = 0; i < p->n; i++)
        pc_buf_printf(&b, "%s%s", i ? "," : "", p->items[i].id);
    const char *s = pc_arena_strdup(&f->arena, b.data);
    pc_buf_release(&b);
    return s;
}

static void test_import_stats(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_import_stats st;
    /* importing the same files again changes nothing and reports the counts */
    assert_int_equal(cat_import(f->db, fixture_dir, stderr, &st, &err), 0);
    assert_int_equal(st.agencies, 2);
    assert_int_equal(st.life_events, 2);
    assert_int_equal(st.services, 3);
    assert_int_equal(st.withdrawn, 0);
    assert_int_equal(st.bad_rows, 0);
}

static void test_list_agencies_and_events(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_agency *ag;
    size_t n;
    assert_int_equal(cat_list_agencies(f->db, &f->arena, &ag, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ag[0].id, "din"); /* by Azerbaijani name */
    assert_string_equal(ag[1].id, "vn");
    assert_int_equal(ag[0].service_count, 2);
    assert_int_equal(ag[1].service_count, 1);
    struct cat_life_event *ev;
    assert_int_equal(cat_list_life_events(f->db, &f->arena, &ev, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ev[0].id, "identity-documents");
    assert_int_equal(ev[0].position, 1);
    assert_int_equal(ev[0].service_count, 2);
    assert_string_equal(ev[1].id, "taxes");
    assert_int_equal(ev[1].service_count, 1);
    assert_string_equal(ev[1].name.s[PC_LANG_RU], "Налоги");
}

static void test_get_agency(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_agency g;
    assert_int_equal(cat_get_agency(f->db, &f->arena, "din", &g, &err), 0);
    assert_string_equal(g.name.s[PC_LANG_AZ], "Daxili İşlər Nazirliyi");
    assert_string_equal(g.name.s[PC_LANG_EN], "Ministry of Internal Affairs");
    assert_string_equal(g.shortname.s[PC_LANG_AZ], "DİN");
    assert_string_equal(g.kind, "ministry");
    assert_string_equal(g.website, "https://www.mia.gov.az");
    assert_int_equal(g.approved_services, 12);
    assert_int_equal(g.service_count, 2);
    assert_string_equal(g.source, "fixture");
    assert_int_equal(cat_get_agency(f->db, &f->arena, "vn", &g, &err), 0);
    assert_null(g.website);
    assert_null(g.shortname.s[PC_LANG_AZ]);
    assert_int_equal(g.approved_services, -1);
    err = (struct pc_err){0};
    assert_int_equal(cat_get_agency(f->db, &f->arena, "nope", &g, &err), PC_ENOTFOUND);
    assert_int_equal(err.code, PC_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nope"));
    assert_int_equal(cat_get_agency(f->db, &f->arena, "DIN", &g, &err), PC_ENOTFOUND);
}

static void test_get_service(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_service s;
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-id-card", &s, &err), 0);
    assert_string_equal(s.id, "din-id-card");
    assert_string_equal(s.agency_id, "din");
    assert_string_equal(s.agency_name.s[PC_LANG_EN], "Ministry of Internal Affairs");
    assert_string_equal(s.name.s[PC_LANG_AZ], "Şəxsiyyət vəsiqəsinin dəyişdirilməsi");
    assert_string_equal(s.description.s[PC_LANG_RU], "Замена старого или утерянного удостоверения личности.");
    assert_true(s.for_citizens);
    assert_false(s.for_entrepreneurs);
    assert_int_equal(s.relations, CAT_BIT(CAT_REL_G2C));
    assert_int_equal(s.login, CAT_LOGIN_CODE_PASSWORD);
    assert_int_equal(s.fee_qepik, 500);
    assert_false(s.free);
    assert_int_equal(s.deadline_days, 15);
    assert_int_equal(s.channels, CAT_BIT(CAT_CH_PORTAL) | CAT_BIT(CAT_CH_SERVICE_CENTRE));
    assert_string_equal(s.approved_list, "191");
    assert_non_null(s.maturity);
    assert_int_equal(s.maturity->level, 2);
    assert_int_equal(s.ndocuments, 1);
    assert_string_equal(s.documents[0].s[PC_LANG_AZ], "Şəxsiyyət vəsiqəsi");
    assert_string_equal(s.documents[0].s[PC_LANG_EN], "Identity card");
    assert_string_equal(s.documents[0].s[PC_LANG_RU], "Удостоверение личности");
    assert_int_equal(s.nlife_events, 1);
    assert_string_equal(s.life_events[0], "identity-documents");

    assert_int_equal(cat_get_service(f->db, &f->arena, "din-fine-check", &s, &err), 0);
    assert_int_equal(s.ndocuments, 0);
    assert_int_equal(s.fee_qepik, -1);
    assert_int_equal(s.deadline_days, -1);
    assert_true(s.free);
    assert_null(s.maturity);
    assert_null(s.approved_list);
    assert_int_equal(s.relations, CAT_BIT(CAT_REL_G2C) | CAT_BIT(CAT_REL_G2B));

    err = (struct pc_err){0};
    assert_int_equal(cat_get_service(f->db, &f->arena, "no-such-service", &s, &err), PC_ENOTFOUND);
    assert_int_equal(err.code, PC_ENOTFOUND);
}

static void test_find_all(void **state)
{
    struct fixture *f = *state;
    struct cat_page p = find(f, FILTER(.limit = 10));
    assert_int_equal(p.total, 3);
    assert_int_equal(p.n, 3);
    assert_null(p.next);
    assert_string_equal(ids(f, &p), "din-fine-check,din-id-card,vn-e-declaration");
    for (size_t i = 0; i < p.n; i++) {
        assert_int_equal(p.items[i].score, 0);
        assert_null(p.items[i].documents); /* only cat_get_service fills them */
    }
    /* the items carry their fields */
    assert_string_equal(p.items[1].agency_name.s[PC_LANG_AZ], "Daxili İşlər Nazirliyi");
    assert_int_equal(p.items[1].fee_qepik, 500);
    /* an empty or punctuation-only query is no query */
    p = find(f, FILTER(.q = ""));
    assert_int_equal(p.total, 3);
    p = find(f, FILTER(.q = " %_ ,. "));
    assert_int_equal(p.total, 3);
}

static void test_find_folding_and_stems(void **state)
{
    struct fixture *f = *state;
    /* the same hits for every spelling */
    const char *spellings[] = {"şəxsiyyət vəsiqəsi", "ŞƏXSİYYƏT VƏSİQƏSİ", "sexsiyyet vesiqesi",
                               "Şəxsiyyət, vəsiqəsi!"};
    for (size_t i = 0; i < 4; i++) {
        struct cat_page p = find(f, FILTER(.q = spellings[i]));
        if (p.total != 1 || p.n != 1 || strcmp(p.items[0].id, "din-id-card") != 0)
            fail_msg("q=\"%s\": %lld hits (%s), want din-id-card", spellings[i], (long long)p.total, ids(f, &p));
        assert_true(p.items[0].score > 0);
    }
    /* the stem of "vəsiqəsi" finds "vəsiqəsinin" (name) and "vəsiqəsi" (description) */
    struct cat_page p = find(f, FILTER(.q = "vəsiqəsi"));
    assert_int_equal(p.total, 2);
    assert_string_equal(ids(f, &p), "din-id-card,din-fine-check");
    p = find(f, FILTER(.q = "vəsiqə"));
    assert_int_equal(p.total, 2);
    p = find(f, FILTER(.q = "VƏSİQƏNİN"));
    assert_int_equal(p.total, 2);
    /* a word must start a word: "siqə" is inside "vəsiqə" only */
    p = find(f, FILTER(.q = "siqə"));
    assert_int_equal(p.total, 0);
    assert_int_equal(p.n, 0);
    assert_null(p.next);
    /* English and Russian texts are searched too */
    p = find(f, FILTER(.q = "identity card"));
    assert_string_equal(ids(f, &p), "din-id-card");
    p = find(f, FILTER(.q = "УДОСТОВЕРЕНИЯ"));
    assert_int_equal(p.total, 2);
    assert_string_equal(p.items[0].id, "din-id-card");
    /* the agency's name matches too */
    p = find(f, FILTER(.q = "Vergilər Nazirliyi"));
    assert_string_equal(ids(f, &p), "vn-e-declaration");
    p = find(f, FILTER(.q = "МВД"));
    assert_int_equal(p.total, 2);
    /* every word must match */
    p = find(f, FILTER(.q = "vəsiqəsi bəyannamə"));
    assert_int_equal(p.total, 0);
    p = find(f, FILTER(.q = "nothingmatchesthis"));
    assert_int_equal(p.total, 0);
}

static void test_find_ranking(void **state)
{
    struct fixture *f = *state;
    /* din-id-card has the word in its name, din-fine-check in its description */
    struct cat_page p = find(f, FILTER(.q = "vəsiqəsi"));
    assert_int_equal(p.n, 2);
    assert_string_equal(p.items[0].id, "din-id-card");
    assert_string_equal(p.items[1].id, "din-fine-check");
    assert_true(p.items[0].score > p.items[1].score);
    assert_true(p.items[1].score > 0);
    /* an exact word start in the name ranks above a stem match in the name */
    struct cat_page exact = find(f, FILTER(.q = "vəsiqəsinin"));
    struct cat_page stem = find(f, FILTER(.q = "vəsiqəsindən"));
    assert_true(exact.n >= 1 && stem.n >= 1);
    assert_string_equal(exact.items[0].id, "din-id-card");
    assert_string_equal(stem.items[0].id, "din-id-card");
    assert_true(exact.items[0].score > stem.items[0].score);
    /* "yol" (road) is only in a description */
    p = find(f, FILTER(.q = "cərimələr"));
    assert_true(p.n >= 1);
    assert_string_equal(p.items[0].id, "din-fine-check");
}

static void test_find_filters(void **state)
{
    struct fixture *f = *state;
    struct cat_page p;
    p = find(f, FILTER(.audience = "citizens"));
    assert_string_equal(ids(f, &p), "din-fine-check,din-id-card");
    p = find(f, FILTER(.audience = "entrepreneurs"));
    assert_string_equal(ids(f, &p), "din-fine-check,vn-e-declaration");
    p = find(f, FILTER(.audience = "officials"));
    assert_int_equal(p.total, 0);
    p = find(f, FILTER(.login = "none"));
    assert_string_equal(ids(f, &p), "din-fine-check");
    p = find(f, FILTER(.login = "e_signature"));
    assert_string_equal(ids(f, &p), "vn-e-declaration");
    p = find(f, FILTER(.login = "code_password"));
    assert_string_equal(ids(f, &p), "din-id-card");
    p = find(f, (struct cat_filter){.free = 1});
    assert_string_equal(ids(f, &p), "din-fine-check,vn-e-declaration");
    p = find(f, (struct cat_filter){.free = 0});
    assert_string_equal(ids(f, &p), "din-id-card");
    p = find(f, FILTER(.agency = "vn"));
    assert_string_equal(ids(f, &p), "vn-e-declaration");
    assert_int_equal(p.total, 1);
    p = find(f, FILTER(.agency = "din"));
    assert_int_equal(p.total, 2);
    p = find(f, FILTER(.agency = "nope"));
    assert_int_equal(p.total, 0);
    p = find(f, FILTER(.life_event = "identity-documents"));
    assert_string_equal(ids(f, &p), "din-fine-check,din-id-card");
    p = find(f, FILTER(.life_event = "taxes"));
    assert_string_equal(ids(f, &p), "vn-e-declaration");
    /* filters combine */
    p = find(f, (struct cat_filter){.audience = "citizens", .free = 1});
    assert_string_equal(ids(f, &p), "din-fine-check");
    p = find(f, (struct cat_filter){.agency = "din", .login = "none", .free = 1,
                                    .life_event = "identity-documents", .audience = "entrepreneurs"});
    assert_string_equal(ids(f, &p), "din-fine-check");
    p = find(f, FILTER(.q = "vəsiqəsi", .login = "none"));
    assert_string_equal(ids(f, &p), "din-fine-check");
    p = find(f, FILTER(.q = "vəsiqəsi", .agency = "vn"));
    assert_int_equal(p.total, 0);
}

/* Walk every page with limit 1; returns the ids in order. */
static const char *walk(struct fixture *f, struct cat_filter flt, int64_t *total, int *pages)
{
    struct pc_buf b;
    pc_buf_init(&b, 0);
    flt.limit = 1;
    flt.cursor = NULL;
    *pages = 0;
    for (;;) {
        struct cat_page p = find(f, flt);
        assert_true(p.n <= 1);
        if (*pages == 0)
            *total = p.total;
        assert_int_equal(p.total, *total);
        if (p.n == 1) {
            char needle[80];
            snprintf(needle, sizeof needle, ",%s,", p.items[0].id);
            pc_buf_putc(&b, ',');
            if (strstr(b.data, needle))
                fail_msg("page %d repeats %s", *pages, p.items[0].id);
            b.len--; /* take the probe comma back */
            b.data[b.len] = 0;
            pc_buf_printf(&b, ",%s", p.items[0].id);
        }
        (*pages)++;
        if (!p.next)
            break;
        assert_true(p.n == 1);
        if (*pages > 10)
            fail_msg("paging does not end");
        flt.cursor = p.next;
    }
    const char *s = pc_arena_strdup(&f->arena, b.len ? b.data + 1 : "");
    pc_buf_release(&b);
    return s;
}

static void test_find_paging(void **state)
{
    struct fixture *f = *state;
    int64_t total;
    int pages;
    const char *all = walk(f, FILTER(), &total, &pages);
    assert_string_equal(all, "din-fine-check,din-id-card,vn-e-declaration");
    assert_int_equal(total, 3);
    assert_int_equal(pages, 3);
    /* with a query the pages follow the ranking */
    const char *ranked = walk(f, FILTER(.q = "vəsiqəsi"), &total, &pages);
    assert_string_equal(ranked, "din-id-card,din-fine-check");
    assert_int_equal(total, 2);
    assert_int_equal(pages, 2);
    /* and with filters */
    const char *filtered = walk(f, FILTER(.audience = "entrepreneurs"), &total, &pages);
    assert_string_equal(filtered, "din-fine-check,vn-e-declaration");
    /* limit 2 then the rest */
    struct cat_page p = find(f, FILTER(.limit = 2));
    assert_int_equal(p.n, 2);
    assert_non_null(p.next);
    struct cat_page q = find(f, FILTER(.limit = 2, .cursor = p.next));
    assert_int_equal(q.n, 1);
    assert_string_equal(q.items[0].id, "vn-e-declaration");
    assert_null(q.next);
    /* exactly a full last page has no next */
    p = find(f, FILTER(.limit = 3));
    assert_int_equal(p.n, 3);
    assert_null(p.next);
}

static void test_find_bad_input(void **state)
{
    struct fixture *f = *state;
    struct cat_page p;
    struct pc_err err = {0};
    struct cat_filter flt = FILTER(.limit = 0);
    assert_int_equal(cat_find_services(f->db, &f->arena, &flt, &p, &err), PC_EINVAL);
    flt.limit = CAT_PAGE_MAX + 1;
    assert_int_equal(cat_find_services(f->db, &f->arena, &flt, &p, &err), PC_EINVAL);
    flt.limit = 5;
    flt.audience = "everyone";
    assert_int_equal(cat_find_services(f->db, &f->arena, &flt, &p, &err), PC_EINVAL);
    flt.audience = NULL;

    char enc[200];
    static const char *const raw[] = {"x:din-id-card", "5", "5:", "5:DIN", "-1:din", "5:a b",
                                      "999999:din", "5:din\x01", "1:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof raw / sizeof *raw; i++) {
        pc_b64url_encode(raw[i], strlen(raw[i]), enc);
        flt.cursor = enc;
        err = (struct pc_err){0};
        int rc = cat_find_services(f->db, &f->arena, &flt, &p, &err);
        if (rc != PC_EINVAL)
            fail_msg("cursor of \"%s\" accepted: %d", raw[i], rc);
        assert_non_null(strstr(err.msg, "cursor"));
    }
    static const char *const garbage[] = {"!!!", "a", "", "Zm9v=", "not a cursor", "%41%42"};
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        flt.cursor = garbage[i];
        int rc = cat_find_services(f->db, &f->arena, &flt, &p, &err);
        if (rc != PC_EINVAL)
            fail_msg("cursor \"%s\" accepted: %d", garbage[i], rc);
    }
    /* a well-formed cursor after the last item is just an empty page */
    pc_b64url_encode("0:zzz", 5, enc);
    flt.cursor = enc;
    assert_int_equal(cat_find_services(f->db, &f->arena, &flt, &p, &err), 0);
    assert_int_equal(p.n, 0);
    assert_null(p.next);
    assert_int_equal(p.total, 3);
}

/* ---- importing bad directories --------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *join_lines(const struct lines *l, const char *skip_id, const char *extra)
{
    struct pc_buf b;
    pc_buf_init(&b, 0);
    char needle[128] = "";
    if (skip_id)
        snprintf(needle, sizeof needle, "{\"id\":\"%s\"", skip_id);
    for (size_t i = 0; i < l->n; i++) {
        if (skip_id && strncmp(l->line[i], needle, strlen(needle)) == 0)
            continue;
        pc_buf_printf(&b, "%s\n", l->line[i]);
    }
    if (extra)
        pc_buf_puts(&b, extra);
    return pc_buf_steal(&b, NULL);
}

static void make_catalog_dir(char *dir, size_t cap, const char *agencies, const char *events, const char *services)
{
    snprintf(dir, cap, "/tmp/pencere-test-import.XXXXXX");
    assert_non_null(mkdtemp(dir));
    write_file(dir, "agencies.jsonl", agencies);
    write_file(dir, "life_events.jsonl", events);
    write_file(dir, "services.jsonl", services);
}

static int64_t count_services(struct fixture *f)
{
    struct cat_page p = find(f, FILTER(.limit = 1));
    return p.total;
}

static void test_import_bad_rows(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    /* every file good except the listed rows; one good row also changes, and
     * that change must not reach the database */
    char *renamed = edit(fixture_line(&fx_services, "din-id-card"), "name.en", "\"CHANGED\"");
    char *dup = edit(fixture_line(&fx_services, "vn-e-declaration"), "name.en", "\"dup\"");
    char *unknown_agency = edit(fixture_line(&fx_services, "din-fine-check"), "agency", "\"nope\"");
    char *ua2 = edit(unknown_agency, "id", "\"orphan-service\"");
    char *unknown_event = edit(fixture_line(&fx_services, "din-fine-check"), "life_events", "[\"no-such-event\"]");
    char *ue2 = edit(unknown_event, "id", "\"eventless\"");
    char *bad_fee = edit(fixture_line(&fx_services, "din-id-card"), "free", "true");
    char *bf2 = edit(bad_fee, "id", "\"fee-clash\"");

    struct pc_buf svc;
    pc_buf_init(&svc, 0);
    pc_buf_printf(&svc, "%s\n", renamed);                                     /* 1 good (changed) */
    pc_buf_printf(&svc, "%s\n", fixture_line(&fx_services, "din-fine-check")); /* 2 good */
    pc_buf_printf(&svc, "\n");                                                /* 3 blank: skipped */
    pc_buf_printf(&svc, "%s\n", fixture_line(&fx_services, "vn-e-declaration")); /* 4 good */
    pc_buf_printf(&svc, "{\"id\": oops}\n");                                  /* 5 bad JSON */
    pc_buf_printf(&svc, "%s\n", dup);                                         /* 6 duplicate id */
    pc_buf_printf(&svc, "%s\n", ua2);                                         /* 7 unknown agency */
    pc_buf_printf(&svc, "%s\n", ue2);                                         /* 8 unknown life event */
    pc_buf_printf(&svc, "%s\r\n", bf2);                                       /* 9 free with fee */
    char *agencies = join_lines(&fx_agencies, NULL, "[\"not\", \"an\", \"object\"]\n"); /* line 3 */
    char *events = join_lines(&fx_events, NULL, "{\"id\":\"no-order\",\"name\":{\"az\":\"a\",\"en\":\"b\",\"ru\":\"c\"}}\n");

    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, svc.data);

    char *report = NULL;
    size_t report_len = 0;
    FILE *rep = open_memstream(&report, &report_len);
    assert_non_null(rep);
    struct cat_import_stats st;
    int rc = cat_import(f->db, dir, rep, &st, &err);
    fclose(rep);
    assert_int_equal(rc, PC_EINVAL);
    assert_int_equal(err.code, PC_EINVAL);
    assert_true(strlen(err.msg) > 0);

    static const char *const expected[] = {
        "agencies.jsonl:3: ", "life_events.jsonl:3: ", "services.jsonl:5: ", "services.jsonl:6: ",
        "services.jsonl:7: ", "services.jsonl:8: ", "services.jsonl:9: ",
    };
    for (size_t i = 0; i < sizeof expected / sizeof *expected; i++)
        if (!strstr(report, expected[i]))
            fail_msg("report lacks \"%s\":\n%s", expected[i], report);
    assert_non_null(strstr(report, "services.jsonl:6: duplicate id \"vn-e-declaration\""));
    assert_non_null(strstr(report, "services.jsonl:7: unknown agency \"nope\""));
    assert_non_null(strstr(report, "services.jsonl:8: unknown life event \"no-such-event\""));
    assert_non_null(strstr(report, "\"order\""));
    assert_null(strstr(report, "services.jsonl:1:"));
    assert_null(strstr(report, "services.jsonl:2:"));
    assert_null(strstr(report, "services.jsonl:3:"));
    assert_null(strstr(report, "services.jsonl:4:"));
    /* one report line per bad row */
    int lines = 0;
    for (char *p = report; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    assert_int_equal(st.bad_rows, 7);

    /* nothing changed */
    struct cat_service s;
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-id-card", &s, &err), 0);
    assert_string_equal(s.name.s[PC_LANG_EN], "Replacement of the identity card");
    assert_int_equal(count_services(f), 3);
    assert_int_equal(cat_get_service(f->db, &f->arena, "orphan-service", &s, &err), PC_ENOTFOUND);

    /* a missing file is an I/O error, not a crash */
    char path[128];
    snprintf(path, sizeof path, "%s/life_events.jsonl", dir);
    unlink(path);
    err = (struct pc_err){0};
    assert_int_equal(cat_import(f->db, dir, NULL, &st, &err), PC_EIO);
    assert_non_null(strstr(err.msg, "life_events.jsonl"));
    assert_int_equal(count_services(f), 3);

    free(report);
    rm_rf(dir);
    free(renamed);
    free(dup);
    free(unknown_agency);
    free(ua2);
    free(unknown_event);
    free(ue2);
    free(bad_fee);
    free(bf2);
    free(agencies);
    free(events);
    pc_buf_release(&svc);
}

static void test_import_withdraws(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    char *agencies = join_lines(&fx_agencies, NULL, NULL);
    char *events = join_lines(&fx_events, NULL, NULL);
    char *services = join_lines(&fx_services, "din-fine-check", NULL);
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, services);
    struct cat_import_stats st;
    assert_int_equal(cat_import(f->db, dir, stderr, &st, &err), 0);
    assert_int_equal(st.services, 2);
    assert_int_equal(st.withdrawn, 1);
    struct cat_service s;
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-fine-check", &s, &err), PC_ENOTFOUND);
    assert_int_equal(count_services(f), 2);
    struct cat_agency g;
    assert_int_equal(cat_get_agency(f->db, &f->arena, "din", &g, &err), 0);
    assert_int_equal(g.service_count, 1);
    /* back again */
    assert_int_equal(cat_import(f->db, fixture_dir, stderr, &st, &err), 0);
    assert_int_equal(st.withdrawn, 0);
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-fine-check", &s, &err), 0);
    assert_int_equal(count_services(f), 3);
    rm_rf(dir);
    free(agencies);
    free(events);
    free(services);
}

/* Another process imports while the server runs: the catalogue readers
 * leave statements part-way through their rows (cat_get_agency,
 * cat_get_service, the COUNT and list passes of cat_find_services), which
 * on SQLite pins the connection's snapshot until db_idle() at the end of
 * the request.  The next request must see the new catalogue, and the
 * connection must still be able to write (db_begin resets by itself). */
static void test_reads_see_other_connections(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_service s;
    struct cat_agency g;
    struct cat_import_stats st;
    char *agencies = join_lines(&fx_agencies, NULL, NULL);
    char *events = join_lines(&fx_events, NULL, NULL);
    char *services = join_lines(&fx_services, "din-fine-check", NULL);
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, services);
    free(agencies);
    free(events);
    free(services);

    /* request 1: a page's reads */
    assert_int_equal(count_services(f), 3);
    assert_int_equal(cat_get_agency(f->db, &f->arena, "din", &g, &err), 0);
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-fine-check", &s, &err), 0);
    db_idle(f->db);

    /* meanwhile another process withdraws a service */
    struct db *other = db_open(f->url, &err);
    if (!other)
        fail_msg("second db_open: %s", err.msg);
    assert_int_equal(cat_import(other, dir, stderr, &st, &err), 0);
    assert_int_equal(st.withdrawn, 1);

    /* request 2 sees it */
    int rc = cat_get_service(f->db, &f->arena, "din-fine-check", &s, &err);
    struct cat_page p = find(f, FILTER(.audience = "entrepreneurs"));
    int got = cat_get_agency(f->db, &f->arena, "din", &g, &err);
    /* and, without db_idle, another process's commit does not stop this
     * connection's own write transaction */
    assert_int_equal(cat_import(other, fixture_dir, stderr, &st, &err), 0);
    struct pc_err werr = {0};
    int wrc = cat_import(f->db, dir, stderr, &st, &werr);
    db_idle(f->db);
    /* back to the fixture for the tests that follow */
    struct pc_err e2 = {0};
    assert_int_equal(cat_import(other, fixture_dir, stderr, &st, &e2), 0);
    db_close(other);
    rm_rf(dir);

    assert_int_equal(got, 0);
    if (wrc != 0 || rc != PC_ENOTFOUND || p.total != 1 || g.service_count != 1)
        fail_msg("after another connection's import: get_service rc %d (want %d), entrepreneurs total %lld "
                 "(want 1), din service_count %d (want 1); this connection's own import: %d %s (want 0)",
                 rc, PC_ENOTFOUND, (long long)p.total, g.service_count, wrc, werr.msg);
    assert_int_equal(count_services(f), 3);
}

/* Regression (was a bug in src/catalog/catalog.c, cat_list_life_events): the result array has a
 * fixed capacity of 32 and the loop `while (db_step(...) == 1 && *n < cap)`
 * silently stops there, returning success with the rest missing (and the
 * statement left active).  The import accepts any number of life
 * situations, and cat_list_agencies grows its array.  Fix: grow the array
 * like cat_list_agencies does. */
static void test_many_life_events(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_buf ev;
    pc_buf_init(&ev, 0);
    for (size_t i = 0; i < fx_events.n; i++)
        pc_buf_printf(&ev, "%s\n", fx_events.line[i]);
    for (int i = 0; i < 40; i++)
        pc_buf_printf(&ev, "{\"id\":\"extra-%02d\",\"name\":{\"az\":\"Əlavə %d\",\"en\":\"Extra %d\",\"ru\":\"Доп %d\"},\"order\":%d}\n",
                      i, i, i, i, 100 + i);
    char *agencies = join_lines(&fx_agencies, NULL, NULL);
    char *services = join_lines(&fx_services, NULL, NULL);
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, ev.data, services);
    struct cat_import_stats st;
    int rc = cat_import(f->db, dir, stderr, &st, &err);
    if (rc)
        fail_msg("cat_import: %d %s", rc, err.msg);
    assert_int_equal(st.life_events, (int)fx_events.n + 40);
    rm_rf(dir);
    free(agencies);
    free(services);
    pc_buf_release(&ev);

    struct cat_life_event *list;
    size_t n = 0;
    assert_int_equal(cat_list_life_events(f->db, &f->arena, &list, &n, &err), 0);
    if (n != fx_events.n + 40)
        fail_msg("cat_list_life_events returned %zu of %zu life situations", n, fx_events.n + 40);
    assert_string_equal(list[n - 1].id, "extra-39");
}

/* Rules across rows: a repeated agency name, service name within an
 * agency or life-situation order is reported on the later row; a row with
 * several problems is one report line; cat_check writes nothing. */
static void test_check_rules_across_rows(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    char *twin_agency = edit(fixture_line(&fx_agencies, "vn"), "id", "\"vn-twin\"");
    char *agencies = join_lines(&fx_agencies, NULL, twin_agency);                    /* line 3 */
    char *twin_event = edit(fixture_line(&fx_events, "taxes"), "id", "\"taxes-twin\"");
    char *events = join_lines(&fx_events, NULL, twin_event);                         /* line 3 */
    char *same_name = edit(fixture_line(&fx_services, "din-id-card"), "id", "\"din-id-card-again\"");
    char *other_agency = edit(same_name, "agency", "\"vn\"");
    char *ae = edit(other_agency, "id", "\"vn-id-card\"");
    char *both = edit(same_name, "life_events", "[\"nowhere\"]");
    char *both2 = edit(both, "id", "\"din-two-problems\"");
    struct pc_buf svc;
    pc_buf_init(&svc, 0);
    for (size_t i = 0; i < fx_services.n; i++)
        pc_buf_printf(&svc, "%s\n", fx_services.line[i]);                           /* 1-3 */
    pc_buf_printf(&svc, "%s\n%s\n%s\n", same_name, ae, both2);                        /* 4-6 */
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, svc.data);

    char *report = NULL;
    size_t report_len = 0;
    FILE *rep = open_memstream(&report, &report_len);
    struct cat_import_stats st;
    int64_t v = cat_version(f->db, &err);
    assert_int_equal(cat_check(dir, rep, &st, &err), PC_EINVAL);
    fclose(rep);
    assert_int_equal(st.bad_rows, 4);
    assert_non_null(strstr(report, "agencies.jsonl:3: duplicate agency name \"Vergilər Nazirliyi\" (also on line 2)"));
    assert_non_null(strstr(report, "life_events.jsonl:3: duplicate order \"2\" (also on line "));
    assert_non_null(strstr(report, "services.jsonl:4: duplicate service name within its agency"));
    assert_null(strstr(report, "services.jsonl:5:"));  /* the same name at another agency is fine */
    assert_non_null(strstr(report, "services.jsonl:6: unknown life event \"nowhere\"; duplicate service name"));
    int lines = 0;
    for (char *p = report; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 4);
    free(report);
    /* nothing was written */
    assert_int_equal(cat_version(f->db, &err), v);
    assert_int_equal(count_services(f), 3);
    /* the good files check clean, with their counts */
    assert_int_equal(cat_check(fixture_dir, NULL, &st, &err), 0);
    assert_int_equal(st.agencies, 2);
    assert_int_equal(st.life_events, 2);
    assert_int_equal(st.services, 3);
    assert_int_equal(st.bad_rows, 0);

    rm_rf(dir);
    free(twin_agency);
    free(agencies);
    free(twin_event);
    free(events);
    free(same_name);
    free(other_agency);
    free(ae);
    free(both);
    free(both2);
    pc_buf_release(&svc);
}

/* The health check's count is the database's own (withdrawn rows too). */
static void test_count_services(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    assert_int_equal(cat_count_services(f->db, &err), 3);
    char *agencies = join_lines(&fx_agencies, NULL, NULL);
    char *events = join_lines(&fx_events, NULL, NULL);
    char *services = join_lines(&fx_services, "din-fine-check", NULL);
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, services);
    struct cat_import_stats st;
    assert_int_equal(cat_import(f->db, dir, stderr, &st, &err), 0);
    assert_int_equal(count_services(f), 2);
    assert_int_equal(cat_count_services(f->db, &err), 3);
    assert_int_equal(cat_import(f->db, fixture_dir, stderr, &st, &err), 0);
    rm_rf(dir);
    free(agencies);
    free(events);
    free(services);
}

/* The catalogue is served from a snapshot: an import replaces it, a reader
 * still holding the old one keeps reading it (its arena holds a reference;
 * AddressSanitizer would see a use after free), and the next read sees the
 * new version. */
static void test_snapshot_replaced_while_held(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena old_reader;
    pc_arena_init(&old_reader);
    struct cat_service before;
    assert_int_equal(cat_get_service(f->db, &old_reader, "din-id-card", &before, &err), 0);
    assert_true(cat_memory_bytes(f->db) > 0);
    int64_t v = cat_version(f->db, &err);
    assert_true(v > 0);

    char *renamed = edit(fixture_line(&fx_services, "din-id-card"), "name.en", "\"Renamed card\"");
    char *services = join_lines(&fx_services, "din-id-card", renamed);
    char *agencies = join_lines(&fx_agencies, NULL, NULL);
    char *events = join_lines(&fx_events, NULL, NULL);
    char dir[64];
    make_catalog_dir(dir, sizeof dir, agencies, events, services);
    struct db *other = db_open(f->url, &err);
    if (!other)
        fail_msg("second db_open: %s", err.msg);
    struct cat_import_stats st;
    assert_int_equal(cat_import(other, dir, stderr, &st, &err), 0);

    struct cat_service after;
    assert_int_equal(cat_get_service(f->db, &f->arena, "din-id-card", &after, &err), 0);
    assert_string_equal(after.name.s[PC_LANG_EN], "Renamed card");
    assert_int_equal(cat_version(f->db, &err), v + 1);
    /* the old reader's service is the old version, whole */
    assert_string_equal(before.name.s[PC_LANG_EN], "Replacement of the identity card");
    assert_string_equal(before.documents[0].s[PC_LANG_EN], "Identity card");
    assert_string_equal(before.agency_name.s[PC_LANG_AZ], "Daxili İşlər Nazirliyi");
    pc_arena_release(&old_reader);

    assert_int_equal(cat_import(other, fixture_dir, stderr, &st, &err), 0);
    db_close(other);
    rm_rf(dir);
    free(renamed);
    free(services);
    free(agencies);
    free(events);
}

/* With a bound (as the portal sets), readers do not ask the version: a
 * poller does, every half bound, and publishes a new version only with its
 * snapshot loaded.  Another connection's import is seen within the bound,
 * an import through the same handle at once. */
static void test_version_read_by_the_poller_within_the_bound(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct cat_import_stats st;
    struct db *other = db_open(f->url, &err);
    if (!other)
        fail_msg("second db_open: %s", err.msg);
    int64_t v = cat_version(f->db, &err);
    cat_set_max_age(f->db, 4000);              /* the poller's first turn is 2 s away */
    assert_int_equal(cat_version(f->db, &err), v); /* the first read asks itself */
    assert_int_equal(cat_import(other, fixture_dir, stderr, &st, &err), 0);
    assert_int_equal(cat_version(other, &err), v + 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(cat_version(f->db, &err), v); /* readers ask nothing */
    struct cat_page p = find(f, FILTER());
    assert_int_equal(p.total, 3);
    cat_set_max_age(f->db, 10);                /* a short bound takes effect at once */
    int64_t seen = v;
    for (int i = 0; i < 200 && seen == v; i++) {
        usleep(5 * 1000);
        seen = cat_version(f->db, &err);
    }
    assert_int_equal(seen, v + 1);
    assert_true(cat_memory_bytes(f->db) > 0);
    /* an import through this handle is seen by the next read */
    assert_int_equal(cat_import(f->db, fixture_dir, stderr, &st, &err), 0);
    assert_int_equal(cat_version(f->db, &err), v + 2);
    cat_set_max_age(f->db, 0);
    assert_int_equal(cat_import(other, fixture_dir, stderr, &st, &err), 0);
    assert_int_equal(cat_version(f->db, &err), v + 3); /* unbounded again: every read asks */
    db_close(other);
}

#define DB_TESTS                                                              \
    {                                                                         \
        cmocka_unit_test(test_import_stats),                                  \
        cmocka_unit_test(test_list_agencies_and_events),                      \
        cmocka_unit_test(test_get_agency),                                    \
        cmocka_unit_test(test_get_service),                                   \
        cmocka_unit_test(test_find_all),                                      \
        cmocka_unit_test(test_find_folding_and_stems),                        \
        cmocka_unit_test(test_find_ranking),                                  \
        cmocka_unit_test(test_find_filters),                                  \
        cmocka_unit_test(test_find_paging),                                   \
        cmocka_unit_test(test_find_bad_input),                                \
        cmocka_unit_test(test_import_bad_rows),                               \
        cmocka_unit_test(test_import_withdraws),                              \
        cmocka_unit_test(test_reads_see_other_connections),                   \
        cmocka_unit_test(test_count_services),                                \
        cmocka_unit_test(test_check_rules_across_rows),                       \
        cmocka_unit_test(test_snapshot_replaced_while_held),                  \
        cmocka_unit_test(test_version_read_by_the_poller_within_the_bound),   \
        cmocka_unit_test(test_many_life_events), /* last: adds life events */ \
    }

int main(void)
{
    if (load_fixtures()) {
        fprintf(stderr, "cannot read tests/fixtures/catalog\n");
        return 1;
    }
    int failed = 0;
    const struct CMUnitTest parse_tests[] = {
        cmocka_unit_test(test_parse_fixture_agencies),
        cmocka_unit_test(test_parse_fixture_life_events),
        cmocka_unit_test(test_parse_fixture_services),
        cmocka_unit_test(test_parse_bad_lines),
        cmocka_unit_test(test_parse_rules_of_the_old_python_checker),
        cmocka_unit_test(test_filter_check),
    };
    failed += cmocka_run_group_tests_name("catalog-parse", parse_tests, NULL, NULL);

    const struct CMUnitTest sqlite_tests[] = DB_TESTS;
    failed += cmocka_run_group_tests_name("catalog-sqlite", sqlite_tests, setup_sqlite, teardown_sqlite);

    if (pgdb_admin_url()) {
        const struct CMUnitTest pg_tests[] = DB_TESTS;
        failed += cmocka_run_group_tests_name("catalog-postgres", pg_tests, setup_pg, teardown_pg);
    } else {
        printf("note: PENCERE_TEST_PG_URL is not set; the PostgreSQL half of test_catalog is skipped\n");
    }
    free_lines(&fx_agencies);
    free_lines(&fx_events);
    free_lines(&fx_services);
    return failed;
}
