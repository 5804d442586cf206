/* test_cases.c — src/cases without a server: the one checker of form
 * definitions (every rule, with the JSON path of each problem, the data
 * folder and the fixture clean), answers against a typed form, reading a
 * posted page, the workflow's steps as case_step_check decides them, the
 * words the web has for every typed value, files stored by content, and
 * forms stored with versions and picked up by the in-memory snapshot. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ctype.h>

#include "../../src/cases/internal.h"
#include "../../src/catalog/catalog.h"
#include "../../src/identity/identity.h"
#include "../../src/web/internal.h"
#include "pgdb.h"

#define T "{\"az\":\"Ad\",\"en\":\"Name\",\"ru\":\"Имя\"}"

/* A small form that uses every kind of rule. */
static const char *const BASE =
    "{\"service\":\"din-id-card\",\"version\":1,"
    "\"title\":{\"az\":\"Ərizə\",\"en\":\"Application\",\"ru\":\"Заявление\"},"
    "\"what_next\":{\"az\":\"15 gün, rüsum 5 manat\",\"en\":\"15 days, a fee of 5 manat\",\"ru\":\"15 дней, пошлина 5 манатов\"},"
    "\"pages\":["
    " {\"id\":\"reason\",\"title\":" T ",\"questions\":["
    "   {\"id\":\"reason\",\"type\":\"choice\",\"required\":true,\"label\":" T ",\"example\":\"lost\","
    "    \"options\":[{\"value\":\"lost\",\"label\":" T "},{\"value\":\"expired\",\"label\":" T "}]}]},"
    " {\"id\":\"details\",\"title\":" T ",\"show_if\":{\"question\":\"reason\",\"equals\":\"lost\"},\"questions\":["
    "   {\"id\":\"note\",\"type\":\"text\",\"label\":" T ",\"example\":\"Lost in May\",\"min_length\":3,\"max_length\":30},"
    "   {\"id\":\"born\",\"type\":\"date\",\"label\":" T ",\"example\":\"1990-05-17\",\"not_before\":\"-120y\","
    "    \"not_after\":\"today\"},"
    "   {\"id\":\"kids\",\"type\":\"number\",\"label\":" T ",\"example\":2,\"min\":0,\"max\":20,\"integer\":true},"
    "   {\"id\":\"photo\",\"type\":\"file\",\"label\":" T ",\"example\":\"photo.png\",\"accept\":[\"image/png\"]},"
    "   {\"id\":\"family\",\"type\":\"group\",\"label\":" T ",\"example\":[{\"fin\":\"5ABC12D\"}],\"max_items\":5,"
    "    \"questions\":[{\"id\":\"fin\",\"type\":\"fin\",\"label\":" T ",\"example\":\"5ABC12D\",\"required\":true}]}]},"
    " {\"id\":\"contact\",\"title\":" T ",\"questions\":["
    "   {\"id\":\"phone\",\"type\":\"phone\",\"label\":" T ",\"example\":\"+994501234567\",\"prefill\":\"profile.phone\"}]}"
    "]}";

static const char *const TODAY = "2026-12-07";

/* ---- collecting problems --------------------------------------------------------- */

struct problems {
    char lines[64][400];
    int n;
};

static void collect(void *ctx, const char *file, const char *path, const char *what)
{
    struct problems *p = ctx;
    if (p->n < 64)
        snprintf(p->lines[p->n++], sizeof p->lines[0], "%s: %s: %s", file, path, what);
}

/* Set (or, value NULL, remove) the member at a path like
 * "pages[1].questions[0].min_length" of a JSON document. */
static void set_path(json_t *doc, const char *path, json_t *value)
{
    json_t *at = doc;
    char key[80];
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, ".[");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        p += n;
        json_t *next = json_object_get(at, key);
        while (*p == '[') {
            long idx = strtol(p + 1, NULL, 10);
            p = strchr(p, ']') + 1;
            if (!*p) {
                if (value)
                    json_array_set_new(next, (size_t)idx, value);
                else
                    json_array_remove(next, (size_t)idx);
                return;
            }
            next = json_array_get(next, (size_t)idx);
        }
        if (!*p) {
            if (value)
                json_object_set_new(at, key, value);
            else
                json_object_del(at, key);
            return;
        }
        at = next;
        p++; /* '.' */
    }
}

/* Parse BASE changed at one path; the problems in out; the form or NULL. */
static const struct form_def *parse_changed(struct pc_arena *a, const char *path, const char *value_json,
                                            const struct form_catalog *cat, struct problems *out)
{
    json_t *doc = json_loads(BASE, 0, NULL);
    assert_non_null(doc);
    if (path)
        set_path(doc, path, value_json ? json_loads(value_json, JSON_DECODE_ANY, NULL) : NULL);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    memset(out, 0, sizeof *out);
    struct form_report rep = {.problem = collect, .ctx = out};
    const struct form_def *d = form_def_parse(a, text, strlen(text), "din-id-card.json", cat, TODAY, &rep);
    assert_int_equal(rep.count, out->n);
    free(text);
    return d;
}

static void test_base_form_is_clean(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct problems p;
    const struct form_def *d = parse_changed(&a, NULL, NULL, NULL, &p);
    for (int i = 0; i < p.n; i++)
        fprintf(stderr, "%s\n", p.lines[i]);
    assert_int_equal(p.n, 0);
    assert_non_null(d);
    assert_string_equal(d->service, "din-id-card");
    assert_int_equal(d->npages, 3);
    assert_int_equal(d->pages[0].questions[0].type, FORM_CHOICE);
    assert_int_equal(d->pages[0].questions[0].noptions, 2);
    assert_string_equal(pc_text_get(&d->pages[0].questions[0].options[1].label, PC_LANG_RU), "Имя");
    const struct form_question *note = &d->pages[1].questions[0];
    assert_int_equal(note->max_length, 30);
    assert_true(note->max_length_given);
    assert_int_equal(d->pages[1].questions[3].accept, 4u);
    assert_string_equal(d->pages[1].questions[3].accept_list, "image/png");
    assert_true(d->pages[1].has_files);
    assert_false(d->pages[0].has_files);
    assert_int_equal(d->pages[1].questions[4].max_items, 5);
    assert_int_equal(d->pages[2].questions[0].prefill, FORM_PREFILL_PHONE);
    assert_non_null(d->pages[1].show_if);
    /* without a workflow every step is the service's */
    assert_int_equal(d->workflow.steps, (1u << CASE_STEP_COUNT) - 1);
    assert_non_null(strstr(d->json, "\"din-id-card\""));
    pc_arena_release(&a);
}

/* Each rule: a change to BASE, the path and words of the problem it makes. */
static const struct {
    const char *path, *value, *where, *what;
} rules[] = {
    {"extra", "1", "$.extra", "unknown key"},
    {"version", NULL, "$", "missing key \"version\""},
    {"version", "0", "$.version", "integer"},
    {"service", "\"Bad Id\"", "$.service", "service id"},
    {"title.en", "\" Padded\"", "$.title.en", "leading or trailing"},
    {"title.az", "\"line\\nbreak\"", "$.title.az", "control character"},
    {"title.en", "\"Заявление\"", "$.title.en", "Cyrillic"},
    {"title.ru", "\"Zayavlenie\"", "$.title.ru", "no Cyrillic"},
    {"title.de", "\"Antrag\"", "$.title.de", "not a language"},
    {"title.en", "\"\"", "$.title.en", "non-empty"},
    {"pages[1].id", "\"reason\"", "$.pages[1].id", "repeats the page id"},
    {"pages[1].id", "\"Details\"", "$.pages[1].id", "a-z, 0-9 and -"},
    {"pages[0].colour", "1", "$.pages[0].colour", "unknown key for a page"},
    {"pages", "[]", "$.pages", "1–30 pages"},
    {"pages[0].questions[0].type", "\"slider\"", "$.pages[0].questions[0].type", "not a known type"},
    {"pages[1].questions[0].options", "[]", "$.pages[1].questions[0].options", "unknown key for a text question"},
    {"pages[1].questions[0].example", NULL, "$.pages[1].questions[0]", "missing key \"example\""},
    {"pages[2].questions[0].id", "\"note\"", "$.pages[2].questions[0].id", "repeats the question id"},
    {"pages[1].questions[0].required", "\"yes\"", "$.pages[1].questions[0].required", "true or false"},
    {"pages[1].questions[0].prefill", "\"profile.shoe_size\"", "$.pages[1].questions[0].prefill", "not a known source"},
    {"pages[1].questions[0].prefill", "\"profile.fin\"", "$.pages[1].questions[0].prefill", "does not fit a text"},
    {"pages[1].questions[0].min_length", "40", "$.pages[1].questions[0]", "min_length is greater"},
    {"pages[1].questions[2].min", "30", "$.pages[1].questions[2]", "min is greater than max"},
    {"pages[1].questions[2].max", "\"ten\"", "$.pages[1].questions[2].max", "must be a number"},
    {"pages[1].questions[1].not_before", "\"yesterday\"", "$.pages[1].questions[1].not_before", "\"today\""},
    {"pages[1].questions[1].not_before", "\"+1d\"", "$.pages[1].questions[1]", "not_before is later"},
    {"pages[0].questions[0].options[1].value", "\"lost\"", "$.pages[0].questions[0].options[1].value", "repeats"},
    {"pages[0].questions[0].options[1].colour", "1", "$.pages[0].questions[0].options[1].colour", "in an option"},
    {"pages[0].questions[0].options[1].value", "\" x\"", "$.pages[0].questions[0].options[1].value", "outer spaces"},
    {"pages[0].questions[0].options", "[{\"value\":\"lost\",\"label\":" T "}]", "$.pages[0].questions[0].options",
     "2–50 options"},
    {"pages[1].questions[3].max_bytes", "30000000", "$.pages[1].questions[3].max_bytes", "from 1 to"},
    {"pages[1].questions[3].accept", "[\"text/plain\"]", "$.pages[1].questions[3].accept[0]", "is not one of"},
    {"pages[1].questions[3].accept", "[\"image/png\",\"image/png\"]", "$.pages[1].questions[3].accept", "repeats a type"},
    {"pages[1].questions[3].accept", "[]", "$.pages[1].questions[3].accept", "non-empty list"},
    {"pages[1].questions[4].questions[0].type", "\"group\"", "$.pages[1].questions[4].questions[0].type", "nested"},
    {"pages[1].questions[4].min_items", "6", "$.pages[1].questions[4]", "min_items is greater"},
    {"pages[1].questions[4].max_items", "21", "$.pages[1].questions[4].max_items", "from 1 to 20"},
    {"pages[1].questions[4].item_label", "{\"az\":\"Üzv\"}", "$.pages[1].questions[4].item_label.en", "non-empty"},
    /* examples must be valid answers */
    {"pages[1].questions[0].example", "\"ab\"", "$.pages[1].questions[0].example", "too_short"},
    {"pages[1].questions[0].example", "\" padded\"", "$.pages[1].questions[0].example", "leading or trailing"},
    {"pages[1].questions[0].example", "\"\"", "$.pages[1].questions[0].example", "is empty"},
    {"pages[1].questions[2].example", "2.5", "$.pages[1].questions[2].example", "whole number"},
    {"pages[1].questions[2].example", "21", "$.pages[1].questions[2].example", "above_max"},
    {"pages[1].questions[1].example", "\"2100-01-01\"", "$.pages[1].questions[1].example", "date_too_late"},
    {"pages[1].questions[1].example", "\"1990-02-30\"", "$.pages[1].questions[1].example", "bad_date"},
    {"pages[0].questions[0].example", "\"stolen\"", "$.pages[0].questions[0].example", "bad_choice"},
    {"pages[1].questions[3].example", "\"photo.pdf\"", "$.pages[1].questions[3].example", "one of .png"},
    {"pages[1].questions[3].example", "\"../photo.png\"", "$.pages[1].questions[3].example", "without folders"},
    {"pages[1].questions[4].example", "[{}]", "$.pages[1].questions[4].example[0].fin", "required answer missing"},
    {"pages[1].questions[4].example", "[{\"fin\":\"x\",\"age\":3}]", "$.pages[1].questions[4].example[0].age",
     "no such question"},
    {"pages[2].questions[0].example", "\"12345\"", "$.pages[2].questions[0].example", "bad_phone"},
    /* conditions name an earlier question and a value it can take */
    {"pages[1].show_if.question", "\"phone\"", "$.pages[1].show_if.question", "earlier page"},
    {"pages[1].show_if.in", "[\"lost\"]", "$.pages[1].show_if", "exactly one of"},
    {"pages[1].show_if.equals", "\"stolen\"", "$.pages[1].show_if.equals", "not an option"},
    {"pages[1].show_if", "{\"question\":\"reason\",\"answered\":false}", "$.pages[1].show_if.answered", "must be true"},
    {"pages[1].show_if", "{\"question\":\"reason\",\"in\":[]}", "$.pages[1].show_if.in", "non-empty list"},
    {"pages[2].show_if", "{\"question\":\"kids\",\"equals\":\"many\"}", "$.pages[2].show_if.equals", "possible answer"},
    {"pages[2].show_if", "{\"question\":\"photo\",\"equals\":\"x\"}", "$.pages[2].show_if", "only be tested with answered"},
    /* the service's workflow */
    {"workflow", "{\"steps\":[\"teleport\"]}", "$.workflow.steps[0]", "does not have"},
    {"workflow", "{\"roles\":{\"approve\":[\"citizen\"]}}", "$.workflow.roles.approve[0]", "officer and agency_admin"},
    {"workflow", "{\"roles\":{\"cancel\":[\"officer\"]}}", "$.workflow.roles.cancel", "officer's step"},
    {"workflow", "{\"deadlines\":{\"draft\":3}}", "$.workflow.deadlines.draft", "not a state"},
    {"workflow", "{\"deadlines\":{\"in_review\":400}}", "$.workflow.deadlines.in_review", "1..365"},
    {"workflow", "{\"colour\":1}", "$.workflow.colour", "unknown key"},
};

static bool has_problem(const struct problems *p, const char *where, const char *what)
{
    char prefix[200];
    snprintf(prefix, sizeof prefix, "din-id-card.json: %s: ", where);
    for (int i = 0; i < p->n; i++)
        if (strncmp(p->lines[i], prefix, strlen(prefix)) == 0 && strstr(p->lines[i] + strlen(prefix), what))
            return true;
    return false;
}

static void test_every_rule_reports_its_path(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct pc_arena a;
        pc_arena_init(&a);
        struct problems p;
        const struct form_def *d = parse_changed(&a, rules[i].path, rules[i].value, NULL, &p);
        if (!has_problem(&p, rules[i].where, rules[i].what)) {
            for (int k = 0; k < p.n; k++)
                fprintf(stderr, "  got %s\n", p.lines[k]);
            fail_msg("%s = %s: no problem \"%s\" at %s", rules[i].path, rules[i].value ? rules[i].value : "(removed)",
                     rules[i].what, rules[i].where);
        }
        assert_null(d);
        pc_arena_release(&a);
    }
}

static void test_every_problem_of_a_file_is_reported(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *doc = json_loads(BASE, 0, NULL);
    set_path(doc, "version", json_integer(0));
    set_path(doc, "title.ru", json_string("latin"));
    set_path(doc, "pages[1].questions[2].example", json_real(2.5));
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    struct problems p = {0};
    struct form_report rep = {.problem = collect, .ctx = &p};
    assert_null(form_def_parse(&a, text, strlen(text), "din-id-card.json", NULL, TODAY, &rep));
    assert_int_equal(p.n, 3);
    free(text);
    /* a BOM, broken JSON, duplicate keys, a file named after another service */
    static const char *const bad[][2] = {
        {"\xEF\xBB\xBF{}", "byte order mark"},
        {"{\"service\":", "not valid UTF-8 JSON"},
        {"{\"service\":\"a\",\"service\":\"b\"}", "not valid UTF-8 JSON"},
        {"[1, 2]", "one JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&p, 0, sizeof p);
        rep.count = 0;
        assert_null(form_def_parse(&a, bad[i][0], strlen(bad[i][0]), "x.json", NULL, TODAY, &rep));
        assert_int_equal(p.n, 1);
        assert_non_null(strstr(p.lines[0], bad[i][1]));
    }
    memset(&p, 0, sizeof p);
    rep.count = 0;
    assert_null(form_def_parse(&a, BASE, strlen(BASE), "din-other.json", NULL, TODAY, &rep));
    assert_true(has_problem(&p, "$.service", "does not match the file name") ||
                strstr(p.lines[0], "does not match the file name"));
    pc_arena_release(&a);
}

/* A form may ask for the applicant's signature; the canonical bytes an
 * applicant signs are one line of JSON with sorted keys, whatever the
 * order the answers were stored in. */
static void test_signature_key_and_canonical_bytes(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct problems p;
    const struct form_def *d = parse_changed(&a, NULL, NULL, NULL, &p);
    assert_int_equal(d->signature, FORM_SIGN_NONE);
    d = parse_changed(&a, "signature", "\"required\"", NULL, &p);
    assert_non_null(d);
    assert_int_equal(d->signature, FORM_SIGN_REQUIRED);
    assert_int_equal(parse_changed(&a, "signature", "\"optional\"", NULL, &p)->signature, FORM_SIGN_OPTIONAL);
    assert_null(parse_changed(&a, "signature", "\"always\"", NULL, &p));
    assert_true(has_problem(&p, "$.signature", "optional"));

    struct form_answers one = {.j = json_loads("{\"b\": [1, {\"y\": 2, \"x\": \"ə\"}], \"a\": \"1\"}", 0, NULL)};
    struct form_answers two = {.j = json_loads("{\"a\": \"1\", \"b\": [1, {\"x\": \"ə\", \"y\": 2}]}", 0, NULL)};
    struct case_app app = {.id = "d1", .service_id = "din-id-card", .form_version = 3, .applicant_fin = "5ABC12D",
                           .answers = &one};
    size_t n1, n2;
    const char *c1 = case_canonical(&a, &app, &n1);
    app.answers = &two;
    const char *c2 = case_canonical(&a, &app, &n2);
    assert_string_equal(c1, c2);
    assert_string_equal(c1, "{\"answers\":{\"a\":\"1\",\"b\":[1,{\"x\":\"ə\",\"y\":2}]},\"applicant_fin\":\"5ABC12D\","
                            "\"application\":\"d1\",\"form_version\":3,\"service\":\"din-id-card\"}");
    app.acting_for = "1400057421";
    assert_non_null(strstr(case_canonical(&a, &app, &n2), "\"acting_for\":\"1400057421\""));
    json_decref(one.j);
    json_decref(two.j);
    pc_arena_release(&a);
}

/* A catalogue of one service for the checker. */
static struct form_service fake_service;

static int fake_lookup(void *ctx, const char *id, struct form_service *out, struct pc_err *err)
{
    (void)ctx;
    if (strcmp(id, "din-id-card") != 0)
        return pc_err_set(err, PC_ENOTFOUND, "no service %s", id);
    *out = fake_service;
    return 0;
}

static void test_the_form_agrees_with_the_catalogue(void **state)
{
    (void)state;
    struct form_catalog cat = {.lookup = fake_lookup};
    struct pc_arena a;
    pc_arena_init(&a);
    struct problems p;
    fake_service = (struct form_service){.deadline_days = 15, .fee_qepik = 500};
    assert_non_null(parse_changed(&a, NULL, NULL, &cat, &p));
    fake_service = (struct form_service){.deadline_days = 10, .fee_qepik = -1};
    assert_null(parse_changed(&a, NULL, NULL, &cat, &p));
    assert_int_equal(p.n, PC_LANG_COUNT);
    assert_true(has_problem(&p, "$.what_next.en", "deadline of 10 days"));
    fake_service = (struct form_service){.deadline_days = -1, .fee_qepik = 250};
    assert_null(parse_changed(&a, NULL, NULL, &cat, &p));
    assert_true(has_problem(&p, "$", "a fee of 2.5 AZN; no ru text"));
    /* "15" does not state a fee of 5: the number stands on its own */
    fake_service = (struct form_service){.deadline_days = -1, .fee_qepik = 500};
    assert_null(parse_changed(&a, "what_next", "{\"az\":\"15 gün\",\"en\":\"15 days\",\"ru\":\"15 дней\"}", &cat, &p));
    assert_true(has_problem(&p, "$", "a fee of 5 AZN; no az text"));
    assert_null(parse_changed(&a, "service", "\"din-unknown\"", &cat, &p));
    assert_true(has_problem(&p, "$.service", "not a service in the catalogue"));
    pc_arena_release(&a);
}

/* The real forms of data/forms and the system tests' fixture are clean
 * against their catalogues. */
static void test_data_and_fixture_forms_are_clean(void **state)
{
    (void)state;
    const char *src = getenv("PENCERE_SRC");
    assert_non_null(src);
    static const char *const dirs[][2] = {{"data/forms", "data/catalog"},
                                          {"tests/fixtures/forms", "tests/fixtures/catalog"}};
    char day[11];
    form_today(day);
    for (size_t i = 0; i < 2; i++) {
        char forms[600], catalog[600];
        snprintf(forms, sizeof forms, "%s/%s", src, dirs[i][0]);
        snprintf(catalog, sizeof catalog, "%s/%s", src, dirs[i][1]);
        struct pc_arena a;
        pc_arena_init(&a);
        struct form_catalog cat;
        struct pc_err err = {0};
        assert_int_equal(form_catalog_files(catalog, &a, &cat, &err), 0);
        struct form_report rep = form_report_file(stderr);
        int files = 0;
        assert_int_equal(form_check_dir(forms, &cat, day, &rep, &files, &err), 0);
        assert_int_equal(rep.count, 0);
        assert_true(files >= 1);
        pc_arena_release(&a);
    }
}

/* What the portal cannot do yet is never promised to an applicant: no
 * form says it was signed with an e-signature or offers to pay online on
 * the portal, in any language (issue 8, texts). */
static void test_forms_promise_only_what_exists(void **state)
{
    (void)state;
    static const char *const promises[] = {"e-signature", "elektron imza", "электронной подпис", "pay online",
                                           "pay it online", "portalda onlayn", "onlayn ödə", "онлайн-оплат",
                                           "онлайн на портале", NULL};
    char dir[600];
    snprintf(dir, sizeof dir, "%s/data/forms", getenv("PENCERE_SRC"));
    DIR *d = opendir(dir);
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[900];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        json_t *form = json_load_file(path, 0, NULL);
        assert_non_null(form);
        char *text = json_dumps(form, 0);
        for (const char *const *p = promises; *p; p++)
            if (strcasestr(text, *p))
                fail_msg("%s promises \"%s\"", e->d_name, *p);
        free(text);
        json_decref(form);
        files++;
    }
    closedir(d);
    assert_true(files >= 1);
}

/* ---- answers ----------------------------------------------------------------------- */

static const struct form_def *base_form(struct pc_arena *a)
{
    struct problems p;
    const struct form_def *d = parse_changed(a, NULL, NULL, NULL, &p);
    assert_non_null(d);
    return d;
}

static struct form_answers *answers_of(struct pc_arena *a, const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    assert_non_null(j);
    return form_answers_own(a, j);
}

static bool has_issue(const struct form_issues *is, const char *field, enum form_issue_code code)
{
    for (int i = 0; i < is->n; i++)
        if (strcmp(is->items[i].field, field) == 0 && is->items[i].code == code)
            return true;
    return false;
}

static void test_answers_against_the_typed_form(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def *d = base_form(&a);
    struct form_issues is;
    const char *sha = "\"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\"";
    char good[600];
    snprintf(good, sizeof good, "{\"reason\":\"lost\",\"note\":\"Lost it\",\"born\":\"1990-05-17\",\"kids\":2,"
             "\"photo\":{\"sha256\":%s,\"name\":\"p.png\",\"size\":10,\"type\":\"image/png\"},"
             "\"family\":[{\"fin\":\"5ABC12D\"}],\"phone\":\"+994501234567\"}", sha);
    form_check_answers(d, answers_of(&a, good), NULL, TODAY, &is);
    assert_int_equal(is.n, 0);
    form_check_answers(d, answers_of(&a, "{\"reason\":\"stolen\",\"note\":\"ab\",\"kids\":2.5,\"born\":\"2100-01-01\","
                                         "\"family\":[{\"fin\":\"x\"},7],\"colour\":1}"), NULL, TODAY, &is);
    assert_true(has_issue(&is, "reason", FORM_ISSUE_BAD_CHOICE));
    assert_true(has_issue(&is, "colour", FORM_ISSUE_UNKNOWN_QUESTION));
    /* a page hidden by the answers ("stolen" is not "lost") is not applicable */
    assert_true(has_issue(&is, "note", FORM_ISSUE_NOT_APPLICABLE));
    form_check_answers(d, answers_of(&a, "{\"reason\":\"lost\",\"note\":\"ab\",\"kids\":2.5,\"born\":\"2100-01-01\","
                                         "\"family\":[{\"fin\":\"x\"},7],"
                                         "\"photo\":{\"sha256\":\"00\",\"name\":\"p\",\"size\":1,\"type\":\"x\"}}"),
                       NULL, TODAY, &is);
    assert_true(has_issue(&is, "note", FORM_ISSUE_TOO_SHORT));
    assert_true(has_issue(&is, "kids", FORM_ISSUE_NOT_AN_INTEGER));
    assert_true(has_issue(&is, "born", FORM_ISSUE_DATE_TOO_LATE));
    assert_true(has_issue(&is, "family[0].fin", FORM_ISSUE_BAD_FIN));
    assert_true(has_issue(&is, "family[1]", FORM_ISSUE_NOT_AN_OBJECT));
    assert_true(has_issue(&is, "photo", FORM_ISSUE_BAD_FILE));
    /* the limit broken comes with the issue */
    for (int i = 0; i < is.n; i++)
        if (is.items[i].code == FORM_ISSUE_TOO_SHORT)
            assert_int_equal(is.items[i].limit, 3);
    char big[600];
    snprintf(big, sizeof big, "{\"reason\":\"lost\",\"photo\":{\"sha256\":%s,\"name\":\"p.pdf\",\"size\":99999999,"
             "\"type\":\"application/pdf\"}}", sha);
    form_check_answers(d, answers_of(&a, big), &d->pages[1], TODAY, &is);
    assert_true(has_issue(&is, "photo", FORM_ISSUE_FILE_TOO_BIG));
    assert_true(has_issue(&is, "photo", FORM_ISSUE_FILE_TYPE));
    assert_true(has_issue(&is, "note", FORM_ISSUE_REQUIRED) || !d->pages[1].questions[0].required);
    pc_arena_release(&a);
}

static void test_navigation_follows_the_answers(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def *d = base_form(&a);
    struct form_answers *lost = answers_of(&a, "{\"reason\":\"lost\"}");
    struct form_answers *expired = answers_of(&a, "{\"reason\":\"expired\"}");
    assert_ptr_equal(form_next_page(d, NULL, NULL), &d->pages[0]);
    assert_ptr_equal(form_next_page(d, lost, &d->pages[0]), &d->pages[1]);
    assert_ptr_equal(form_next_page(d, expired, &d->pages[0]), &d->pages[2]);
    assert_null(form_next_page(d, expired, &d->pages[2]));
    int total;
    assert_int_equal(form_page_position(d, expired, &d->pages[2], &total), 2);
    assert_int_equal(total, 2);
    assert_int_equal(form_page_position(d, lost, &d->pages[2], &total), 3);
    assert_ptr_equal(form_find_page(d, "contact"), &d->pages[2]);
    assert_null(form_find_page(d, "nope"));
    assert_ptr_equal(form_issue_question(d, "family[0].fin"), &d->pages[1].questions[4].questions[0]);
    struct form_issue i = {.code = FORM_ISSUE_REQUIRED};
    snprintf(i.field, sizeof i.field, "family[2].fin");
    assert_ptr_equal(form_issue_page(d, lost, &i), &d->pages[1]);
    pc_arena_release(&a);
}

static void test_values_as_the_web_shows_them(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def *d = base_form(&a);
    struct form_answers *ans = answers_of(&a, "{\"reason\":\"expired\",\"kids\":3,\"born\":\"1990-05-17\","
                                              "\"family\":[{\"fin\":\"5ABC12D\"},{}],"
                                              "\"photo\":{\"sha256\":\"ab\",\"name\":\"p.png\",\"size\":5,\"type\":\"image/png\"}}");
    struct form_value v;
    form_value_of(ans, &d->pages[0].questions[0], NULL, 0, &a, &v);
    assert_true(v.given);
    assert_int_equal(v.chosen, 2u);
    form_value_of(ans, &d->pages[1].questions[2], NULL, 0, &a, &v);
    assert_string_equal(v.text, "3");
    form_value_of(ans, &d->pages[1].questions[4], NULL, 0, &a, &v);
    assert_int_equal(v.items, 2);
    form_value_of(ans, &d->pages[1].questions[4].questions[0], &d->pages[1].questions[4], 0, &a, &v);
    assert_string_equal(v.text, "5ABC12D");
    form_value_of(ans, &d->pages[1].questions[4].questions[0], &d->pages[1].questions[4], 1, &a, &v);
    assert_false(v.given);
    form_value_of(ans, &d->pages[1].questions[3], NULL, 0, &a, &v);
    assert_string_equal(v.file->name, "p.png");
    assert_int_equal(v.file->size, 5);
    form_value_of(ans, &d->pages[1].questions[0], NULL, 0, &a, &v);
    assert_false(v.given);
    /* prefill fills what is unanswered, from the person's record */
    struct id_person person = {.fin = "5ABC12D", .phone = "+994551112233"};
    form_prefill(&d->pages[2], ans, &person, &a);
    form_value_of(ans, &d->pages[2].questions[0], NULL, 0, &a, &v);
    assert_string_equal(v.text, "+994551112233");
    json_t *copy = form_answers_json(ans);
    assert_string_equal(json_string_value(json_object_get(copy, "phone")), "+994551112233");
    json_decref(copy);
    pc_arena_release(&a);
}

static void test_a_posted_page_is_read_into_answers(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def *d = base_form(&a);
    const struct form_page *details = &d->pages[1];
    struct form_post_field fields[] = {{"note", "  Lost it \t"}, {"kids", "2,5"}, {"born", ""},
                                       {"family[0].fin", "5abc12d"}, {"family[1].fin", "6DEF34G"}};
    struct form_post_file files[] = {{.field = "photo", .error = PC_EINVAL}};
    struct form_post post = {.fields = fields, .nfields = 5, .files = files, .nfiles = 1, .add = "family"};
    json_t *before = json_loads("{\"photo\":{\"sha256\":\"ab\",\"name\":\"old.png\",\"size\":1,\"type\":\"image/png\"}}",
                                0, NULL);
    struct form_issues up = {0};
    json_t *got = form_read_page(details, &post, before, &up);
    assert_string_equal(json_string_value(json_object_get(got, "note")), "Lost it");
    assert_true(json_is_real(json_object_get(got, "kids")));
    assert_true(json_real_value(json_object_get(got, "kids")) == 2.5);
    assert_null(json_object_get(got, "born"));
    json_t *fam = json_object_get(got, "family");
    assert_int_equal(json_array_size(fam), 3); /* two posted, one added */
    assert_string_equal(json_string_value(json_object_get(json_array_get(fam, 0), "fin")), "5ABC12D");
    /* the refused upload is an issue of its field; the file before stays */
    assert_int_equal(up.n, 1);
    assert_int_equal(up.items[0].code, FORM_ISSUE_FILE_TYPE);
    assert_string_equal(json_string_value(json_object_get(json_object_get(got, "photo"), "name")), "old.png");
    json_decref(got);
    post.add = NULL;
    post.remove = "family:0";
    memset(&up, 0, sizeof up);
    got = form_read_page(details, &post, before, &up);
    fam = json_object_get(got, "family");
    assert_int_equal(json_array_size(fam), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fam, 0), "fin")), "6DEF34G");
    json_decref(got);
    json_decref(before);
    pc_arena_release(&a);
}

/* ---- the workflow ---------------------------------------------------------------------- */

static struct id_principal principal(const char *account, enum id_role role, const char *agency)
{
    struct id_principal p = {.account_id = account, .login = account, .ngrants = 1};
    p.grants[0] = (struct id_grant){role, agency};
    return p;
}

static void test_the_workflow_decides_who_may_take_which_step(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    const struct form_def *std = base_form(&a);
    struct problems p;
    const struct form_def *own = parse_changed(&a, "workflow", "{\"steps\":[\"assign_to_me\",\"register\",\"start_review\","
                                               "\"approve\",\"refuse\",\"deliver\"],\"roles\":{\"approve\":[\"agency_admin\"]},"
                                               "\"deadlines\":{\"in_review\":5}}", NULL, &p);
    assert_non_null(own);
    struct id_principal citizen = principal("acc-1", ID_ROLE_CITIZEN, "");
    struct id_principal other = principal("acc-9", ID_ROLE_CITIZEN, "");
    struct id_principal officer = principal("acc-2", ID_ROLE_OFFICER, "din");
    struct id_principal admin = principal("acc-3", ID_ROLE_AGENCY_ADMIN, "din");
    struct id_principal stranger = principal("acc-4", ID_ROLE_OFFICER, "eesmn");
    struct case_app app = {.id = "x", .reference = "AZ-2026-00000001", .service_id = "din-id-card", .agency_id = "din",
                           .applicant = "acc-1", .status = CS_SUBMITTED};
    assert_int_equal(case_step_check(std, &app, &citizen, CASE_STEP_CANCEL, NULL), 0);
    assert_int_equal(case_step_check(std, &app, &other, CASE_STEP_CANCEL, NULL), PC_EDENIED);
    assert_int_equal(case_step_check(std, &app, &officer, CASE_STEP_REGISTER, NULL), 0);
    assert_int_equal(case_step_check(std, &app, &officer, CASE_STEP_CANCEL, NULL), PC_EDENIED);
    assert_int_equal(case_step_check(std, &app, &stranger, CASE_STEP_REGISTER, NULL), PC_EDENIED);
    assert_int_equal(case_step_check(std, &app, &citizen, CASE_STEP_REGISTER, NULL), PC_EDENIED);
    struct pc_err err = {0};
    assert_int_equal(case_step_check(std, &app, &officer, CASE_STEP_APPROVE, &err), PC_EDENIED);
    assert_non_null(strstr(err.msg, "while the application is submitted"));
    /* a service without cancel: the applicant has no step at all */
    assert_int_equal(case_step_check(own, &app, &citizen, CASE_STEP_CANCEL, &err), PC_EDENIED);
    assert_non_null(strstr(err.msg, "no such step"));
    app.status = CS_IN_REVIEW;
    assert_int_equal(case_step_check(own, &app, &officer, CASE_STEP_APPROVE, &err), PC_EDENIED);
    assert_non_null(strstr(err.msg, "role"));
    assert_int_equal(case_step_check(own, &app, &admin, CASE_STEP_APPROVE, NULL), 0);
    assert_int_equal(case_step_check(own, &app, &officer, CASE_STEP_REFUSE, NULL), 0);
    assert_int_equal(case_step_check(own, &app, &officer, CASE_STEP_REQUEST_INFO, NULL), PC_EDENIED);
    assert_int_equal(case_state_secs(own, CS_IN_REVIEW, 7), 5 * 86400);
    assert_int_equal(case_state_secs(std, CS_IN_REVIEW, 7), 7);
    app.status = CS_INFO_REQUESTED;
    assert_int_equal(case_step_check(std, &app, &citizen, CASE_STEP_RESPOND, NULL), 0);
    assert_int_equal(case_step_check(own, &app, &citizen, CASE_STEP_RESPOND, NULL), PC_EDENIED);
    /* names and the table agree */
    for (int s = 0; s < CASE_STEP_COUNT; s++) {
        assert_int_equal(case_step_parse(case_step_name((enum case_step)s)), s);
        assert_int_equal(case_transition_of((enum case_step)s)->step, s);
    }
    assert_int_equal(case_step_parse("fly"), -1);
    for (int s = 0; s < CS_COUNT; s++)
        assert_int_equal(case_state_parse(case_state_name((enum case_state)s)), s);
    assert_string_equal(case_state_notice(CS_IN_REVIEW, PC_LANG_AZ), "baxılır");
    pc_arena_release(&a);
}

/* ---- every typed value has its words ------------------------------------------------------ */

static void assert_message(enum msg m, const char *what, int value)
{
    if (m == (enum msg)0)
        fail_msg("%s %d has no message", what, value);
    for (int l = 0; l < PC_LANG_COUNT; l++)
        assert_non_null(web_messages[m].s[l]);
}

static void test_every_code_has_a_message(void **state)
{
    (void)state;
    for (int c = 0; c < FORM_ISSUE_COUNT; c++) {
        assert_message(web_issue_msg((enum form_issue_code)c), "issue", c);
        const char *name = form_issue_name((enum form_issue_code)c);
        assert_non_null(name);
        for (int k = 0; k < c; k++)
            assert_string_not_equal(name, form_issue_name((enum form_issue_code)k));
    }
    for (int s = 0; s < CS_COUNT; s++) {
        assert_message(web_state_msg((enum case_state)s), "state", s);
        for (int l = 0; l < PC_LANG_COUNT; l++)
            assert_true(strlen(case_state_notice((enum case_state)s, (enum pc_lang)l)) > 0);
    }
    for (int s = 0; s < CASE_STEP_COUNT; s++)
        assert_message(web_step_msg((enum case_step)s), "step", s);
}

/* ---- files --------------------------------------------------------------------------- */

static const unsigned char PNG[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, '\r', 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0,
    0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, '\r', 'I', 'D', 'A', 'T', 'x', 0x9c, 'c', 0xf8, 0xff, 0xff, '?', 0, 5, 0xfe,
    2, 0xfe, 0xa7, '5', 0x81, 0x84, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 'B', '`', 0x82};

static void rm_rf(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void test_files_are_stored_by_content(void **state)
{
    (void)state;
    char dir[] = "/tmp/pencere-test-files.XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct pc_err err = {0};
    struct case_file f;
    struct case_store *st = case_store_open(CASE_STORE_DIR, dir, NULL, &err);
    assert_non_null(st);
    struct case_file_writer *w = case_file_writer_new(st, &err);
    assert_non_null(w);
    assert_int_equal(case_file_write(w, PNG, 10), 0);
    assert_int_equal(case_file_write(w, PNG + 10, sizeof PNG - 10), 0);
    assert_int_equal(case_file_finish(w, &f, &err), 0);
    assert_int_equal(case_file_keep(w, &err), 0);
    case_file_writer_free(w);
    assert_string_equal(f.mime, "image/png");
    assert_int_equal(f.size, sizeof PNG);
    char hex[65];
    pc_sha256_hex(PNG, sizeof PNG, hex);
    assert_string_equal(f.sha256, hex);
    char path[200];
    snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex, hex);
    assert_int_equal(access(path, R_OK), 0);
    /* a program is refused by its content, an empty file too */
    w = case_file_writer_new(st, &err);
    assert_int_equal(case_file_write(w, "MZ\x90\x00 this is not a picture", 26), 0);
    assert_int_equal(case_file_finish(w, &f, &err), PC_EINVAL);
    assert_string_not_equal(f.mime, "image/png");
    case_file_writer_free(w);
    w = case_file_writer_new(st, &err);
    assert_int_equal(case_file_finish(w, &f, &err), PC_EINVAL);
    case_file_writer_free(w);
    /* past the limit: refused while it streams, and at the end */
    w = case_file_writer_new(st, &err);
    static char chunk[1 << 20];
    int rc = 0;
    for (int i = 0; i < 21 && rc == 0; i++)
        rc = case_file_write(w, chunk, sizeof chunk);
    assert_int_equal(rc, PC_ETOOBIG);
    assert_int_equal(case_file_finish(w, &f, &err), PC_ETOOBIG);
    case_file_writer_free(w);
    /* read back only for an application whose answers name it */
    struct pc_arena a;
    pc_arena_init(&a);
    char answers[300];
    snprintf(answers, sizeof answers, "{\"photo\":{\"sha256\":\"%s\",\"name\":\"me.png\",\"size\":%zu,\"type\":\"image/png\"}}",
             hex, sizeof PNG);
    struct case_app app = {.answers = answers_of(&a, answers)};
    struct case_file_reader *in;
    struct case_file info;
    assert_int_equal(case_file_open(st, &app, hex, &in, &info, &a, &err), 0);
    assert_string_equal(info.name, "me.png");
    assert_string_equal(info.mime, "image/png");
    case_file_reader_free(in);
    char other[65];
    memset(other, 'a', 64);
    other[64] = 0;
    assert_int_equal(case_file_open(st, &app, other, &in, &info, &a, &err), PC_ENOTFOUND);
    assert_int_equal(case_file_open(st, &app, "../../etc/passwd", &in, &info, &a, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
    case_store_close(st);
    rm_rf(dir);
}

/* Names are the client's words: nothing invisible is kept or shown. */
static void test_file_names_keep_no_invisible_characters(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"photo.png", "photo.png"},
        {"ph\xe2\x80\xaeotgnp.exe", "photgnp.exe"},                   /* U+202E right-to-left override */
        {"\xe2\x81\xa6" "a\xe2\x80\x8b" "b\xe2\x81\xa9.pdf", "ab.pdf"}, /* U+2066, U+200B, U+2069 */
        {"a\xc2\xad" "b\xef\xbb\xbf" "c\xe2\x80\xa8.jpg", "abc.jpg"},    /* soft hyphen, BOM, line separator */
        {"tab\there\x7f\xc2\x85.png", "tabhere.png"},                 /* C0, DEL, C1 */
        {"  \xe2\x80\x8f  ", "file"},                                  /* nothing visible left */
        {"\xff\xfe.png", "file"},                                       /* not UTF-8 */
        {"  şəkil  .png  ", "şəkil  .png"},
        {NULL, "file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[CASE_FILE_NAME_MAX + 1];
        case_file_name_clean(cases[i][0], out);
        assert_string_equal(out, cases[i][1]);
    }
    /* cut at the limit, never inside a character */
    char longname[600] = "", out[CASE_FILE_NAME_MAX + 1];
    for (int i = 0; i < 150; i++)
        strcat(longname, "ə");
    case_file_name_clean(longname, out);
    assert_int_equal(strlen(out), CASE_FILE_NAME_MAX);
    assert_true(pc_utf8_valid(out, strlen(out)));
    /* a name stored before the rule is shown without them */
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *j = json_loads("{\"sha256\":\"ab\",\"name\":\"x\\u202egnp.exe\",\"size\":1,\"type\":\"image/png\"}", 0, NULL);
    const struct case_file *f = form_file_of(j, &a);
    assert_string_equal(f->name, "xgnp.exe");
    json_decref(j);
    pc_arena_release(&a);
}

/* ---- stored forms and the snapshot ---------------------------------------------------- */

struct store {
    char dir[64], url[128], forms[128];
    struct db *db;
};

/* A database with the fixture catalogue and an empty forms folder. */
static struct form_catalog store_open(struct store *s, const char *tag)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/pencere-test-%s.XXXXXX", tag);
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->url, sizeof s->url, "%s/cases.db", s->dir);
    snprintf(s->forms, sizeof s->forms, "%s/forms", s->dir);
    assert_int_equal(mkdir(s->forms, 0700), 0);
    struct pc_err err = {0};
    s->db = db_open(s->url, &err);
    assert_non_null(s->db);
    assert_int_equal(db_migrate(s->db, &err), 0);
    char catalog[600];
    snprintf(catalog, sizeof catalog, "%s/tests/fixtures/catalog", getenv("PENCERE_SRC"));
    struct cat_import_stats cst;
    assert_int_equal(cat_import(s->db, catalog, stderr, &cst, &err), 0);
    return form_catalog_db(s->db);
}

static void write_form(const char *dir, int version, const char *note_label_en)
{
    json_t *doc = json_loads(BASE, 0, NULL);
    json_object_set_new(doc, "version", json_integer(version));
    set_path(doc, "pages[1].questions[0].label.en", json_string(note_label_en));
    char path[200];
    snprintf(path, sizeof path, "%s/din-id-card.json", dir);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
}

static void test_forms_are_versioned_and_picked_up(void **state)
{
    (void)state;
    struct store s = {0};
    struct pc_err err = {0};
    struct form_catalog cat = store_open(&s, "forms");
    struct form_report rep = form_report_file(stderr);
    struct form_import_stats st;
    write_form(s.forms, 1, "Note");
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &rep, &st, &err), 0);
    assert_int_equal(st.stored, 1);
    struct form_registry *reg = form_registry_open(s.db, &err);
    assert_non_null(reg);
    const struct form_set *one = form_set_acquire(reg);
    const struct form_def *v1 = form_set_get(one, "din-id-card");
    assert_non_null(v1);
    assert_int_equal(v1->version, 1);
    assert_true(form_offered(reg, "din-id-card"));
    assert_false(form_offered(reg, "din-fine-check"));
    /* the same text again changes nothing; other text under the same version is refused */
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &rep, &st, &err), 0);
    assert_int_equal(st.stored, 0);
    assert_int_equal(st.unchanged, 1);
    write_form(s.forms, 1, "Changed");
    struct form_report quiet = {0};
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &quiet, &st, &err), PC_ECONFLICT);
    /* a bad file: nothing is written */
    char path[200];
    snprintf(path, sizeof path, "%s/broken.json", s.forms);
    FILE *f = fopen(path, "w");
    fputs("{\"service\":", f);
    fclose(f);
    write_form(s.forms, 2, "Note, version 2");
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &quiet, &st, &err), PC_EINVAL);
    assert_true(quiet.count >= 1);
    unlink(path);
    /* a new version: every later caller gets it once the recheck is due */
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &rep, &st, &err), 0);
    assert_int_equal(st.stored, 1);
    struct timespec ts = {0, (FORM_RECHECK_MS + 2) * 1000000L};
    nanosleep(&ts, NULL);
    const struct form_set *two = form_set_acquire(reg);
    assert_ptr_not_equal(one, two);
    assert_int_equal(form_set_get(two, "din-id-card")->version, 2);
    assert_non_null(form_set_version(two, "din-id-card", 1)); /* drafts keep their version */
    /* whoever holds the old snapshot finishes with it */
    assert_string_equal(pc_text_get(&v1->pages[1].questions[0].label, PC_LANG_EN), "Note");
    form_set_release(one);
    form_set_release(two);
    /* no import since: the same snapshot */
    nanosleep(&ts, NULL);
    const struct form_set *three = form_set_acquire(reg);
    assert_ptr_equal(three, two);
    form_set_release(three);
    form_registry_close(reg);
    db_close(s.db);
    rm_rf(s.dir);
}

/* The catalogue's login field is enforced when a draft is started (and
 * submitted: the same check): below it is PC_EDENIED naming the level. */
static void test_the_login_level_is_enforced(void **state)
{
    (void)state;
    struct store s = {0};
    struct pc_err err = {0};
    struct form_catalog cat = store_open(&s, "levels");
    struct form_report rep = form_report_file(stderr);
    struct form_import_stats st;
    write_form(s.forms, 1, "Note");
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &rep, &st, &err), 0);
    struct form_registry *reg = form_registry_open(s.db, &err);
    const struct form_set *forms = form_set_acquire(reg);
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_principal pw = principal("acc-1", ID_ROLE_CITIZEN, "");
    struct id_principal cert = pw;
    cert.auth.method = ID_METHOD_CERTIFICATE;
    struct id_principal single = cert;
    single.auth.only_service = "vn-e-declaration";
    enum id_level need;
    assert_int_equal(case_login_check(s.db, &a, NULL, "din-fine-check", &need, &err), 0);
    assert_int_equal(need, ID_LEVEL_NONE);
    assert_int_equal(case_login_check(s.db, &a, NULL, "din-id-card", &need, &err), PC_EDENIED);
    assert_int_equal(need, ID_LEVEL_CODE_PASSWORD);
    assert_int_equal(case_login_check(s.db, &a, &pw, "din-id-card", &need, &err), 0);
    assert_int_equal(case_login_check(s.db, &a, &pw, "vn-e-declaration", &need, &err), PC_EDENIED);
    assert_int_equal(need, ID_LEVEL_E_SIGNATURE);
    assert_int_equal(case_login_check(s.db, &a, &cert, "vn-e-declaration", &need, &err), 0);
    assert_int_equal(case_login_check(s.db, &a, &single, "vn-e-declaration", &need, &err), 0);
    assert_int_equal(case_login_check(s.db, &a, &single, "din-id-card", &need, &err), PC_EDENIED);
    assert_int_equal(case_login_check(s.db, &a, &pw, "no-such-service", &need, &err), PC_ENOTFOUND);
    /* starting a draft checks it too */
    const char *id;
    assert_int_equal(case_draft_new(s.db, forms, &single, "din-id-card", PC_LANG_EN, &a, &id, &err), PC_EDENIED);
    assert_int_equal(case_draft_new(s.db, forms, NULL, "din-id-card", PC_LANG_EN, &a, &id, &err), PC_EDENIED);
    pc_arena_release(&a);
    form_set_release(forms);
    form_registry_close(reg);
    db_close(s.db);
    rm_rf(s.dir);
}

/* ---- applying without login (cases/guest.c, identity/guest.c) -------------------------- */

static void test_contacts_are_checked_as_the_forms_check_theirs(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct case_contact c;
    assert_int_equal(case_contact_parse(&a, " anar@example.az ", &c, NULL), 0);
    assert_int_equal(c.kind, CASE_CONTACT_EMAIL);
    assert_string_equal(c.address, "anar@example.az");
    assert_int_equal(case_contact_parse(&a, "050 123-45-67", &c, NULL), 0);
    assert_int_equal(c.kind, CASE_CONTACT_PHONE);
    assert_string_equal(c.address, "+994501234567");
    assert_int_equal(case_contact_parse(&a, "+994 (50) 123 45 67", &c, NULL), 0);
    assert_string_equal(c.address, "+994501234567");
    const char *bad[] = {"", "anar", "anar@", "an ar@example.az", "12345", "+99450123456", "+7 916 123 45 67"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(case_contact_parse(&a, bad[i], &c, NULL), PC_EINVAL);
    assert_int_equal(case_contact_parse(&a, NULL, &c, NULL), PC_EINVAL);
    pc_arena_release(&a);
}

static void test_a_guest_applies_and_follows_with_its_code(void **state)
{
    (void)state;
    struct store s = {0};
    struct pc_err err = {0};
    struct form_catalog cat = store_open(&s, "guest");
    struct form_report rep = form_report_file(stderr);
    struct form_import_stats st;
    /* the fixture catalogue's service of level none takes the base form */
    json_t *doc = json_loads(BASE, 0, NULL);
    json_object_set_new(doc, "service", json_string("din-fine-check"));
    char path[200];
    snprintf(path, sizeof path, "%s/din-fine-check.json", s.forms);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    write_form(s.forms, 1, "Note");
    assert_int_equal(form_import_dir(s.db, s.forms, &cat, &rep, &st, &err), 0);
    struct form_registry *reg = form_registry_open(s.db, &err);
    const struct form_set *forms = form_set_acquire(reg);
    struct pc_arena a;
    pc_arena_init(&a);

    char token[ID_TOKEN_CHARS + 1];
    const char *account;
    int64_t retry;
    assert_int_equal(id_guest_start(s.db, &a, "10.0.0.1", "test", token, &account, &retry, &err), 0);
    struct id_principal guest, none;
    /* a guest's token is a guest session only: never a page's or the API's */
    assert_int_equal(id_session_lookup(s.db, &a, token, "cookie", &none, &err), PC_ENOTFOUND);
    assert_int_equal(id_session_lookup(s.db, &a, token, "bearer", &none, &err), PC_ENOTFOUND);
    assert_int_equal(id_session_lookup(s.db, &a, token, "guest", &guest, &err), 0);
    assert_int_equal(guest.kind, ID_ACCOUNT_GUEST);
    assert_string_equal(guest.account_id, account);
    assert_null(guest.fin);
    assert_int_equal(id_level_for(&guest, "din-fine-check"), ID_LEVEL_NONE);
    /* no role: nothing but its own cases */
    struct id_resource mine = {.owner = account}, theirs = {.owner = "someone"};
    assert_false(id_authorize(&guest, ID_ACT_VIEW_OWN_DATA, NULL));
    assert_false(id_authorize(&guest, ID_ACT_APPLY, NULL));
    assert_true(id_authorize(&guest, ID_ACT_VIEW_CASE, &mine));
    assert_false(id_authorize(&guest, ID_ACT_VIEW_CASE, &theirs));

    const char *id;
    assert_int_equal(case_draft_new(s.db, forms, &guest, "din-id-card", PC_LANG_EN, &a, &id, &err), PC_EDENIED);
    assert_int_equal(case_draft_new(s.db, forms, &guest, "din-fine-check", PC_LANG_EN, &a, &id, &err), 0);
    struct db_conn *c = db_conn_get(s.db, &err);
    struct db_stmt *q = db_prepare(c, "UPDATE applications SET answers = '{\"reason\":\"expired\"}' WHERE id = ?", &err);
    db_bind_text(q, 1, id);
    assert_int_equal(db_run(q, &err), 1);

    struct case_contact contact = {CASE_CONTACT_EMAIL, "anar@example.az"};
    struct case_app out;
    struct form_issues issues;
    char code[CASE_ACCESS_CODE_CHARS + 1];
    /* a guest's draft is never submitted without its contact and code */
    assert_int_equal(case_draft_submit(s.db, forms, &guest, id, "", &a, &out, &issues, &err), PC_EINVAL);
    struct id_principal citizen = principal("acc-1", ID_ROLE_CITIZEN, "");
    assert_int_equal(case_draft_submit_guest(s.db, forms, &citizen, id, &contact, "", &a, &out, code, &issues, &err),
                     PC_EDENIED);
    assert_int_equal(case_draft_submit_guest(s.db, forms, &guest, id, &contact, "", &a, &out, code, &issues, &err), 0);
    assert_true(out.anonymous);
    assert_int_equal(out.status, CS_SUBMITTED);
    assert_int_equal(strlen(code), CASE_ACCESS_CODE_CHARS);
    for (int i = 0; i < CASE_ACCESS_CODE_CHARS; i++)
        assert_true(i % 5 == 4 ? code[i] == '-' : strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[i]) != NULL);
    /* a second click: the same case, no second code */
    char again[CASE_ACCESS_CODE_CHARS + 1];
    struct case_app out2;
    assert_int_equal(case_draft_submit_guest(s.db, forms, &guest, id, &contact, "", &a, &out2, again, &issues, &err), 0);
    assert_string_equal(out2.reference, out.reference);
    assert_string_equal(again, "");

    /* only the code's hash is kept */
    q = db_prepare(c, "SELECT code_hash, contact FROM case_guests WHERE reference = ?", &err);
    db_bind_text(q, 1, out.reference);
    assert_int_equal(db_step(q, &err), 1);
    char key[17], hash[65];
    snprintf(key, sizeof key, "%.4s%.4s%.4s%.4s", code, code + 5, code + 10, code + 15);
    pc_sha256_hex(key, 16, hash);
    assert_string_equal(db_col_text(q, 0), hash);
    assert_null(strstr(db_col_text(q, 0), key));
    assert_string_equal(db_col_text(q, 1), "anar@example.az");
    db_conn_idle(c);
    struct case_contact told;
    assert_int_equal(case_guest_contact(s.db, &a, out.id, &told, &err), 0);
    assert_string_equal(told.address, "anar@example.az");
    /* the contact is told of the submission, and of the decision */
    const char *count_sql = "SELECT COUNT(*) FROM outbox WHERE recipient = 'anar@example.az' AND channel = 'email'";
    q = db_prepare(c, count_sql, &err);
    assert_int_equal(db_step(q, &err), 1);
    assert_int_equal(db_col_int(q, 0), 1);
    db_conn_idle(c);
    /* an officer of the agency, a real account (the history names it) */
    assert_int_equal(id_population_generate(s.db, 12, 0, 1, &err), 0);
    char officer_fin[8];
    id_population_fin(12, 0, officer_fin);
    struct id_grant off = {ID_ROLE_OFFICER, "din"};
    const char *officer_id;
    assert_int_equal(id_account_create(s.db, ID_ACCOUNT_STAFF, "officer.guests", officer_fin, &off, 1, NULL, NULL, &a,
                                       &officer_id, &err), 0);
    struct id_principal officer = principal(officer_id, ID_ROLE_OFFICER, "din");
    struct case_app now = out;
    const enum case_step steps[] = {CASE_STEP_REGISTER, CASE_STEP_START_REVIEW, CASE_STEP_APPROVE};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int act = case_act(s.db, forms, &officer, out.reference, steps[i], "Done.", now.version, "", &a, &now, &err);
        if (act)
            fail_msg("%s: %s", case_step_name(steps[i]), err.msg);
    }
    assert_int_equal(now.status, CS_APPROVED);
    q = db_prepare(c, count_sql, &err);
    assert_int_equal(db_step(q, &err), 1);
    assert_true(db_col_int(q, 0) >= 2);
    db_conn_idle(c);

    /* the code, as people type it; a wrong one and an unknown reference alike */
    const char *who = NULL;
    assert_int_equal(case_guest_check(s.db, &a, out.reference, code, &who, &err), 0);
    assert_string_equal(who, account);
    char typed[40];
    snprintf(typed, sizeof typed, " %s ", key);
    for (char *p = typed; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    assert_int_equal(case_guest_check(s.db, &a, out.reference, typed, &who, &err), 0);
    char wrong[CASE_ACCESS_CODE_CHARS + 1];
    memcpy(wrong, code, sizeof wrong);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    assert_int_equal(case_guest_check(s.db, &a, out.reference, wrong, &who, &err), PC_EDENIED);
    char said[256];
    snprintf(said, sizeof said, "%s", err.msg);
    assert_int_equal(case_guest_check(s.db, &a, "AZ-2000-00000001", code, &who, &err), PC_EDENIED);
    assert_string_equal(err.msg, said);
    assert_int_equal(case_guest_check(s.db, &a, out.reference, "", &who, &err), PC_EDENIED);
    assert_int_equal(case_guest_check(s.db, &a, NULL, code, &who, &err), PC_EDENIED);

    pc_arena_release(&a);
    form_set_release(forms);
    form_registry_close(reg);
    db_close(s.db);
    rm_rf(s.dir);
}

/* The returning guest: the proof a test gives. */
static int proof_says(void *ctx, struct pc_arena *a, const char **account_id, struct pc_err *err)
{
    (void)a;
    *account_id = ctx;
    return ctx ? 0 : pc_err_set(err, PC_EDENIED, "wrong");
}

static void test_returning_guests_are_throttled_like_logins(void **state)
{
    (void)state;
    struct store s = {0};
    struct pc_err err = {0};
    store_open(&s, "guest-throttle");
    struct pc_arena a;
    pc_arena_init(&a);
    char token[ID_TOKEN_CHARS + 1];
    const char *account;
    int64_t retry;
    /* so many new guests from one address in a window, then a wait */
    for (int i = 0; i < ID_GUEST_PER_WINDOW; i++)
        assert_int_equal(id_guest_start(s.db, &a, "10.0.0.2", NULL, token, &account, &retry, &err), 0);
    assert_int_equal(id_guest_start(s.db, &a, "10.0.0.2", NULL, token, &account, &retry, &err), PC_ELIMIT);
    assert_true(retry > 0);
    assert_int_equal(id_guest_start(s.db, &a, "10.0.0.3", NULL, token, &account, &retry, &err), 0);

    struct id_guest_proof right = {proof_says, (void *)account}, wrong = {proof_says, NULL};
    assert_int_equal(id_guest_login(s.db, &a, "AZ-2026-00000001", &right, "10.0.0.4", NULL, token, &retry, &err), 0);
    struct id_principal p;
    assert_int_equal(id_session_lookup(s.db, &a, token, "guest", &p, &err), 0);
    assert_string_equal(p.account_id, account);
    int denied = 0;
    int rc;
    while ((rc = id_guest_login(s.db, &a, "AZ-2026-00000001", &wrong, "10.0.0.4", NULL, token, &retry, &err)) ==
           PC_EDENIED)
        denied++;
    assert_int_equal(rc, PC_ELIMIT);
    assert_int_equal(denied, 5);
    assert_true(retry > 0);
    /* then even the right proof waits, from that address, for that key */
    assert_int_equal(id_guest_login(s.db, &a, "AZ-2026-00000001", &right, "10.0.0.4", NULL, token, &retry, &err),
                     PC_ELIMIT);
    assert_int_equal(id_guest_login(s.db, &a, "AZ-2026-00000001", &right, "10.0.0.5", NULL, token, &retry, &err), 0);
    assert_int_equal(id_guest_login(s.db, &a, "", &right, "10.0.0.5", NULL, token, &retry, &err), PC_EDENIED);
    pc_arena_release(&a);
    db_close(s.db);
    rm_rf(s.dir);
}

/* ---- the inbox: filters and paging against a brute-force answer -------------------------- */

#define INBOX_CASES 600

struct inbox_db {
    char dir[64], url[512], pgname[40];
    struct db *db;
    const char *officer, *applicant;
    struct pc_arena arena;
};

/* Cases of every state, due or not, some assigned, in one agency. */
static void fill_inbox(struct inbox_db *x)
{
    struct pc_err err = {0};
    assert_int_equal(db_migrate(x->db, &err), 0);
    char catalog[600];
    snprintf(catalog, sizeof catalog, "%s/tests/fixtures/catalog", getenv("PENCERE_SRC"));
    struct cat_import_stats cst;
    assert_int_equal(cat_import(x->db, catalog, stderr, &cst, &err), 0);
    pc_arena_init(&x->arena);
    /* two people of the synthetic population: an officer and an applicant */
    assert_int_equal(id_population_generate(x->db, 11, 0, 2, &err), 0);
    char officer_fin[8], applicant_fin[8];
    id_population_fin(11, 0, officer_fin);
    id_population_fin(11, 1, applicant_fin);
    struct id_grant off = {ID_ROLE_OFFICER, "din"}, cit = {ID_ROLE_CITIZEN, ""};
    assert_int_equal(id_account_create(x->db, ID_ACCOUNT_STAFF, "officer.inbox", officer_fin, &off, 1, NULL, NULL,
                                       &x->arena, &x->officer, &err), 0);
    assert_int_equal(id_account_create(x->db, ID_ACCOUNT_CITIZEN, applicant_fin, applicant_fin, &cit, 1, NULL, NULL,
                                       &x->arena, &x->applicant, &err), 0);
    struct db_conn *c = db_conn_get(x->db, &err);
    assert_int_equal(db_begin(c, &err), 0);
    int64_t now = pc_now_unix();
    for (int i = 0; i < INBOX_CASES; i++) {
        struct db_stmt *s = db_prepare(c, "INSERT INTO applications(id, reference, service_id, agency_id, form_version,"
                                          " applicant, status, answers, version, lang, created_at, updated_at, submitted_at,"
                                          " due_at, assigned_to) VALUES (?, ?, 'din-id-card', 'din', 1, ?, ?, '{}', 1, 'az',"
                                          " ?, ?, ?, ?, ?)", &err);
        assert_non_null(s);
        char id[33], ref[24];
        snprintf(id, sizeof id, "%032x", i);
        snprintf(ref, sizeof ref, "AZ-2025-%08d", i);
        /* every 50th pair shares a submission second: the cursor's tie-break on id */
        int64_t at = now - (INBOX_CASES - i) * 3600 + (i % 50 == 1 ? -3600 : 0);
        enum case_state st = (enum case_state)(i % CS_COUNT);
        db_bind_text(s, 1, id);
        db_bind_text(s, 2, st == CS_DRAFT ? NULL : ref);
        db_bind_text(s, 3, x->applicant);
        db_bind_text(s, 4, case_state_name(st));
        db_bind_int(s, 5, at);
        db_bind_int(s, 6, at);
        if (st == CS_DRAFT)
            db_bind_null(s, 7);
        else
            db_bind_int(s, 7, at);
        db_bind_int(s, 8, at + (i % 3 ? 10 : 30) * 86400);
        db_bind_text(s, 9, i % 4 == 0 ? x->officer : NULL);
        assert_int_equal(db_run(s, &err), 1);
    }
    assert_int_equal(db_commit(c, &err), 0);
}

/* Does case i pass the filter (what case_list must return, newest first)? */
static bool inbox_expects(const struct inbox_db *x, const struct case_filter *f, int i, int64_t now)
{
    enum case_state st = (enum case_state)(i % CS_COUNT);
    int64_t at = now - (INBOX_CASES - i) * 3600 + (i % 50 == 1 ? -3600 : 0);
    int64_t due = at + (i % 3 ? 10 : 30) * 86400;
    (void)x;
    return st != CS_DRAFT && (!f->by_status || st == f->status) && (!f->assigned_to || i % 4 == 0) &&
           (!f->overdue || (due < now && case_state_open(st)));
}

static void check_inbox(struct inbox_db *x)
{
    struct case_filter filters[] = {
        {.limit = 7},
        {.limit = 7, .overdue = true},
        {.limit = 7, .by_status = true, .status = CS_IN_REVIEW, .overdue = true},
        {.limit = 7, .by_status = true, .status = CS_REGISTERED},
        {.limit = 7, .by_status = true, .status = CS_APPROVED, .overdue = true},
        {.limit = 7, .by_status = true, .status = CS_DRAFT},
        {.limit = 7, .assigned_to = "officer"},
        {.limit = 7, .assigned_to = "officer", .overdue = true},
        {.limit = 100, .assigned_to = "officer", .by_status = true, .status = CS_SUBMITTED},
    };
    int64_t now = pc_now_unix();
    for (size_t k = 0; k < sizeof filters / sizeof filters[0]; k++) {
        struct case_filter f = filters[k];
        f.agency_id = "din";
        if (f.assigned_to)
            f.assigned_to = x->officer;
        /* the expected ids, newest first (submission time, then id) */
        int expect[INBOX_CASES], ne = 0;
        for (int i = INBOX_CASES - 1; i >= 0; i--)
            if (inbox_expects(x, &f, i, now))
                expect[ne++] = i;
        for (int a = 1; a < ne; a++) /* insertion sort by (at desc, id desc) */
            for (int b = a; b > 0; b--) {
                int p = expect[b - 1], q = expect[b];
                int64_t tp = now - (INBOX_CASES - p) * 3600 + (p % 50 == 1 ? -3600 : 0);
                int64_t tq = now - (INBOX_CASES - q) * 3600 + (q % 50 == 1 ? -3600 : 0);
                if (tq > tp || (tq == tp && q > p)) {
                    expect[b - 1] = q;
                    expect[b] = p;
                }
            }
        int got = 0;
        const char *cursor = NULL;
        do {
            f.cursor = cursor;
            struct case_list list;
            struct pc_err err = {0};
            if (case_list(x->db, &x->arena, &f, &list, &err))
                fail_msg("filter %zu: %s", k, err.msg);
            for (size_t i = 0; i < list.n; i++) {
                char want[33];
                assert_true(got < ne);
                snprintf(want, sizeof want, "%032x", expect[got++]);
                if (strcmp(list.items[i].id, want) != 0)
                    fail_msg("filter %zu, item %d: %s, expected %s", k, got - 1, list.items[i].id, want);
            }
            cursor = list.next;
        } while (cursor);
        if (got != ne)
            fail_msg("filter %zu: %d cases, expected %d", k, got, ne);
    }
}

/* case_act_with: a write of the caller's commits with the step or undoes
 * it (its code kept), and the step takes the time it is given (a decision
 * signed before it is taken names its own time). */
static int refuse_write(struct db_conn *c, void *ctx, struct pc_err *err)
{
    (void)c;
    (void)ctx;
    return pc_err_set(err, PC_EUNAVAIL, "the sealed document could not be kept");
}

static int count_write(struct db_conn *c, void *ctx, struct pc_err *err)
{
    (void)c;
    (void)err;
    ++*(int *)ctx;
    return 0;
}

static void check_act_with(struct inbox_db *x)
{
    /* a case in review, in the officer's agency */
    int i = CS_IN_REVIEW;
    char ref[24];
    snprintf(ref, sizeof ref, "AZ-2025-%08d", i);
    struct id_principal who = {.account_id = x->officer, .login = "officer.inbox", .kind = ID_ACCOUNT_STAFF,
                               .grants = {{ID_ROLE_OFFICER, "din"}}, .ngrants = 1};
    struct case_app out;
    struct pc_err err = {0};
    struct case_act_extra bad = {.at = 1700000000, .write = refuse_write};
    assert_int_equal(case_act_with(x->db, NULL, &who, ref, CASE_STEP_APPROVE, "ok", 1, "", &bad, &x->arena, &out, &err),
                     PC_EUNAVAIL);
    assert_int_equal(case_load(x->db, &x->arena, ref, &out, &err), 0);
    assert_int_equal(out.status, CS_IN_REVIEW);          /* nothing of the step remains */
    assert_int_equal(out.version, 1);
    int writes = 0;
    struct case_act_extra good = {.at = 1700000000, .write = count_write, .ctx = &writes};
    assert_int_equal(case_act_with(x->db, NULL, &who, ref, CASE_STEP_APPROVE, "ok", 1, "", &good, &x->arena, &out, &err),
                     0);
    assert_int_equal(writes, 1);
    assert_int_equal(out.status, CS_APPROVED);
    assert_int_equal(out.decided_at, 1700000000);
}

static void test_inbox_sqlite(void **state)
{
    (void)state;
    struct inbox_db x = {0};
    snprintf(x.dir, sizeof x.dir, "/tmp/pencere-test-inbox.XXXXXX");
    assert_non_null(mkdtemp(x.dir));
    snprintf(x.url, sizeof x.url, "%s/inbox.db", x.dir);
    struct pc_err err = {0};
    x.db = db_open(x.url, &err);
    assert_non_null(x.db);
    fill_inbox(&x);
    check_inbox(&x);
    check_act_with(&x);
    pc_arena_release(&x.arena);
    db_close(x.db);
    rm_rf(x.dir);
}

static void test_inbox_postgres(void **state)
{
    (void)state;
    if (!pgdb_admin_url()) {
        printf("note: PENCERE_TEST_PG_URL is not set; the inbox on PostgreSQL is skipped\n");
        return;
    }
    struct inbox_db x = {0};
    assert_int_equal(pgdb_create("c_inbox", x.pgname, x.url), 0);
    struct pc_err err = {0};
    x.db = db_open(x.url, &err);
    assert_non_null(x.db);
    fill_inbox(&x);
    check_inbox(&x);
    pc_arena_release(&x.arena);
    db_close(x.db);
    pgdb_drop(x.pgname);
}

/* Channels (branch kiosk): stable names both ways, the kiosks' services. */
static void test_channels_have_stable_names(void **state)
{
    (void)state;
    for (int c = 0; c < CASE_CH_COUNT; c++)
        assert_int_equal(case_channel_parse(case_channel_name((enum case_channel)c)), c);
    assert_string_equal(case_channel_name(CASE_CH_PAPER), "paper");
    assert_int_equal(case_channel_parse("fax"), -1);
    assert_int_equal(case_channel_parse(NULL), -1);
    assert_true(case_kiosk_offered("eesmn-vemtas"));
    assert_false(case_kiosk_offered("din-id-card"));
    assert_string_equal(case_kiosk_service_at(0), "eesmn-vemtas");
    assert_null(case_kiosk_service_at(1000));
    assert_string_equal(case_paper_problem_name(CASE_PAPER_WRONG_CARD), "wrong-id-card");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channels_have_stable_names),
        cmocka_unit_test(test_base_form_is_clean),
        cmocka_unit_test(test_every_rule_reports_its_path),
        cmocka_unit_test(test_every_problem_of_a_file_is_reported),
        cmocka_unit_test(test_the_form_agrees_with_the_catalogue),
        cmocka_unit_test(test_data_and_fixture_forms_are_clean),
        cmocka_unit_test(test_forms_promise_only_what_exists),
        cmocka_unit_test(test_answers_against_the_typed_form),
        cmocka_unit_test(test_navigation_follows_the_answers),
        cmocka_unit_test(test_values_as_the_web_shows_them),
        cmocka_unit_test(test_a_posted_page_is_read_into_answers),
        cmocka_unit_test(test_the_workflow_decides_who_may_take_which_step),
        cmocka_unit_test(test_every_code_has_a_message),
        cmocka_unit_test(test_files_are_stored_by_content),
        cmocka_unit_test(test_file_names_keep_no_invisible_characters),
        cmocka_unit_test(test_forms_are_versioned_and_picked_up),
        cmocka_unit_test(test_the_login_level_is_enforced),
        cmocka_unit_test(test_contacts_are_checked_as_the_forms_check_theirs),
        cmocka_unit_test(test_a_guest_applies_and_follows_with_its_code),
        cmocka_unit_test(test_returning_guests_are_throttled_like_logins),
        cmocka_unit_test(test_signature_key_and_canonical_bytes),
        cmocka_unit_test(test_inbox_sqlite),
        cmocka_unit_test(test_inbox_postgres),
    };
    return cmocka_run_group_tests_name("cases", tests, NULL, NULL);
}
