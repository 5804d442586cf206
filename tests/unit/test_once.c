/* test_once.c — unit tests of once only (src/once) against a small local
 * HTTP server that plays the portal's gateway in front of the registers
 * (their answers from src/registries' generators): the registration check
 * (the same person; other surname, patronymic or birth date; unknown),
 * the representative check (director, representative, anyone else, an
 * unknown VÖEN), registry prefill of a form page, a paper application's
 * identity card against the register's, the exchange's refusals
 * as "not available" (never "no such person"), and every answer written
 * into the person's access log.  On SQLite and, with PENCERE_TEST_PG_URL,
 * PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/once/once.h"
#include "../../src/audit/audit.h"
#include "../../src/http/http.h"
#include "../../src/registries/registries.h"
#include "fixture.h"

#define PEOPLE 2000
#define TAXPAYERS 400
#define PERSONS "AZ/GOV/1400000001/population/persons"
#define TAX "AZ/GOV/1400057421/avis/taxpayers"

/* The fake gateway: the registers' records by the last segment; a service
 * it does not know is the gateway's UnknownService. */
static int fake_gateway(struct http_req *r)
{
    const char *u = r->raw_uri, *key = strrchr(u, '/') + 1;
    const char *doc = NULL;
    if (pc_str_has_prefix(u, "/r1/" PERSONS "/")) {
        int64_t i = reg_index_of(key);
        doc = i >= 0 && i < PEOPLE ? reg_person_json(&r->arena, (uint64_t)i, PEOPLE) : NULL;
    } else if (pc_str_has_prefix(u, "/r1/" TAX "/")) {
        int64_t i = reg_voen_index(key);
        doc = i >= 0 && i < TAXPAYERS ? reg_taxpayer_json(&r->arena, (uint64_t)i, PEOPLE) : NULL;
    } else {
        http_set_header(r, "X-Road-Error", "Client.UnknownService");
        return http_reply_json(r, 404, "{\"type\":\"Client.UnknownService\",\"message\":\"no such service\"}");
    }
    return doc ? http_reply_json(r, 200, doc) : http_reply_json(r, 404, "{\"error\":\"not found\"}");
}

static const struct http_route routes[] = {{"GET", "/r1/{rest*}", fake_gateway, 0, 0, "r1"}};
static struct http_server *srv;
static char gateway[64];

static struct xc *client(const char *persons)
{
    static char dir[64], file[128];
    snprintf(dir, sizeof dir, "/tmp/pencere-once.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/x.json", dir);
    FILE *f = fopen(file, "w");
    fprintf(f, "{\"gateway\":\"%s\",\"client\":\"AZ/GOV/1500000002/portal\",\"services\":{\"population\":\"%s\","
               "\"taxpayers\":\"" TAX "\"}}", gateway, persons);
    fclose(f);
    struct pc_err err = {0};
    struct xc *x = xc_new(&(struct xc_config){.config_file = file}, &err);
    const char *svc;
    struct pc_arena a;
    pc_arena_init(&a);
    assert_int_equal(xc_service(x, XC_POPULATION, &a, &svc, &err), 0); /* read now: the file can go */
    pc_arena_release(&a);
    unlink(file);
    rmdir(dir);
    return x;
}

/* The last entry of fin's access log. */
static struct access_row last_read(struct fixture *f, struct pc_arena *a, const char *fin)
{
    struct access_row *rows;
    size_t n;
    bool more;
    struct pc_err err = {0};
    assert_int_equal(audit_access_list(f->db, a, fin, 10, &rows, &n, &more, &err), 0);
    assert_true(n > 0);
    return rows[0];
}

static void test_registration(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc *x = client(PERSONS);
    struct id_person p = fx_person(f, &a, 0, 5), q; /* the register's person 5 */
    enum once_mismatch why;
    struct once_source src;
    assert_int_equal(once_check_registration(x, f->db, &a, &p, &why, &src, &err), 0);
    assert_int_equal(why, ONCE_MATCH);
    assert_string_equal(src.kind, XC_POPULATION);
    assert_string_equal(src.service, PERSONS);
    assert_true(src.at > 0 && strlen(src.message_id) > 10);
    struct access_row row = last_read(f, &a, p.fin);
    assert_string_equal(row.e.accessor_role, "exchange");
    assert_string_equal(row.e.accessor, PERSONS);
    assert_string_equal(row.e.data_kind, XC_POPULATION);
    assert_string_equal(row.e.ground, "registration");
    /* each detail that differs is named, and refused */
    const struct {
        const char **field;
        enum once_mismatch why;
    } changes[] = {{&q.last_name, ONCE_MISMATCH_SURNAME}, {&q.first_name, ONCE_MISMATCH_NAME},
                   {&q.patronymic, ONCE_MISMATCH_PATRONYMIC}, {&q.birth_date, ONCE_MISMATCH_BIRTH_DATE}};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        q = p;
        *changes[i].field = "1999-01-01";
        assert_int_equal(once_check_registration(x, f->db, &a, &q, &why, &src, &err), PC_ECONFLICT);
        assert_int_equal(why, changes[i].why);
    }
    /* a person of another slice: not in this register */
    struct id_person stranger = fx_person(f, &a, 3, 0);
    assert_int_equal(once_check_registration(x, f->db, &a, &stranger, &why, &src, &err), PC_ENOTFOUND);
    assert_non_null(strstr(err.msg, stranger.fin));
    assert_string_equal(last_read(f, &a, stranger.fin).e.data_kind, XC_POPULATION); /* asked, and told so */
    xc_free(x);
    /* the exchange refusing is "not available", never "no such person" */
    x = client("AZ/GOV/1400000001/population/nosuch");
    assert_int_equal(once_check_registration(x, f->db, &a, &p, &why, &src, &err), PC_EUNAVAIL);
    assert_non_null(strstr(err.msg, "UnknownService"));
    xc_free(x);
    assert_int_equal(once_check_registration(NULL, f->db, &a, &p, &why, &src, &err), PC_EUNAVAIL);
    pc_arena_release(&a);
}

static void test_representative(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc *x = client(PERSONS);
    struct once_source src;
    /* the first legal entity: its director and its representatives may act, nobody else */
    json_t *doc = NULL;
    char voen[11];
    for (uint64_t t = 0; !doc && t < TAXPAYERS; t++) {
        doc = json_loads(reg_taxpayer_json(&a, t, PEOPLE), 0, NULL);
        if (!pc_str_eq(json_string_value(json_object_get(doc, "kind")), "legal_entity")) {
            json_decref(doc);
            doc = NULL;
        } else {
            reg_voen_of(t, voen);
        }
    }
    assert_non_null(doc);
    const char *director = json_string_value(json_object_get(doc, "director_fin"));
    json_t *reps = json_object_get(doc, "representatives");
    assert_int_equal(once_check_representative(x, f->db, &a, voen, director, &src, &err), 0);
    assert_string_equal(src.kind, XC_TAXPAYERS);
    for (size_t i = 0; i < json_array_size(reps); i++)
        assert_int_equal(once_check_representative(x, f->db, &a, voen, json_string_value(json_array_get(reps, i)),
                                                   &src, &err), 0);
    char other[8];
    reg_fin_of(PEOPLE + 1, other);
    assert_int_equal(once_check_representative(x, f->db, &a, voen, other, &src, &err), PC_EDENIED);
    assert_string_equal(last_read(f, &a, director).e.ground, pc_arena_printf(&a, "act-for %s", voen));
    json_decref(doc);
    reg_voen_of(TAXPAYERS + 5, voen);
    assert_int_equal(once_check_representative(x, f->db, &a, voen, other, &src, &err), PC_ENOTFOUND);
    assert_int_equal(once_check_representative(x, f->db, &a, "12345", other, &src, &err), PC_EINVAL);
    xc_free(x);
    pc_arena_release(&a);
}

static void test_prefill(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc *x = client(PERSONS);
    struct form_question qs[] = {
        {.id = "name", .type = FORM_TEXT, .prefill = FORM_PREFILL_POP_FULL_NAME},
        {.id = "born", .type = FORM_DATE, .prefill = FORM_PREFILL_POP_BIRTH_DATE},
        {.id = "home", .type = FORM_ADDRESS, .prefill = FORM_PREFILL_POP_ADDRESS},
        {.id = "spouse", .type = FORM_FIN, .prefill = FORM_PREFILL_POP_SPOUSE_FIN},
        {.id = "phone", .type = FORM_PHONE, .prefill = FORM_PREFILL_PHONE},
    };
    struct form_page page = {.id = "p", .questions = qs, .nquestions = 5};
    struct reg_person rp;
    reg_person_of(4, &rp); /* a father: he has a spouse */
    struct once_prefill pre;
    assert_int_equal(once_prefill(x, f->db, &a, &page, rp.fin, "draft-1", &pre, &err), 0);
    assert_string_equal(pre.v[FORM_PREFILL_POP_FULL_NAME], pc_arena_printf(&a, "%s %s", rp.name, rp.surname));
    assert_string_equal(pre.v[FORM_PREFILL_POP_BIRTH_DATE], rp.birth_date);
    assert_string_equal(pre.v[FORM_PREFILL_POP_ADDRESS],
                        pc_arena_printf(&a, "%s, %s %d, mənzil %d", rp.city, rp.street, rp.house, rp.apartment));
    char wife[8];
    reg_fin_of(5, wife);
    assert_string_equal(pre.v[FORM_PREFILL_POP_SPOUSE_FIN], wife);
    assert_null(pre.v[FORM_PREFILL_PHONE]); /* the portal's own record, not a registry's */
    assert_string_equal(pre.src[FORM_PREFILL_POP_BIRTH_DATE].kind, XC_POPULATION);
    assert_string_equal(last_read(f, &a, rp.fin).e.ground, "draft-1");
    /* filled where unanswered; an answer given stays */
    json_t *given = json_pack("{s:s}", "born", "2000-01-01");
    struct form_answers *ans = form_answers_from_json(&a, given);
    json_decref(given);
    form_prefill_values(&page, ans, pre.v);
    json_t *j = form_answers_json(ans);
    assert_string_equal(json_string_value(json_object_get(j, "born")), "2000-01-01");
    assert_string_equal(json_string_value(json_object_get(j, "name")), pre.v[FORM_PREFILL_POP_FULL_NAME]);
    assert_null(json_object_get(j, "phone"));
    json_decref(j);
    /* a page without registry sources asks nothing */
    struct form_page plain = {.id = "q", .questions = &qs[4], .nquestions = 1};
    assert_int_equal(once_prefill(NULL, f->db, &a, &plain, rp.fin, "draft-1", &pre, &err), 0);
    assert_null(pre.v[FORM_PREFILL_POP_FULL_NAME]);
    xc_free(x);
    pc_arena_release(&a);
}

/* The portal's synthetic people are the register's (identity's population.c). */
/* A paper application's applicant (idcheck): the card shown must be the
 * one the register holds; unknown, another card and the register not
 * askable are told apart, and the look is in the person's access log. */
static void test_paper_card(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct xc *x = client(PERSONS);
    struct reg_person rp;
    reg_person_of(7, &rp);
    struct once_source src;
    assert_int_equal(once_check_card(x, f->db, &a, rp.fin, rp.id_card, "paper-application", &src, &err), 0);
    assert_string_equal(src.kind, XC_POPULATION);
    assert_string_equal(last_read(f, &a, rp.fin).e.ground, "paper-application");
    /* as typed at a desk: lower case, a space */
    char typed[32];
    snprintf(typed, sizeof typed, "%.3s %s", rp.id_card, rp.id_card + 3);
    for (char *c = typed; *c; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    assert_int_equal(once_check_card(x, f->db, &a, rp.fin, typed, "paper-application", &src, &err), 0);
    struct reg_person other;
    reg_person_of(8, &other);
    assert_int_equal(once_check_card(x, f->db, &a, rp.fin, other.id_card, "paper-application", &src, &err), PC_EINVAL);
    assert_int_equal(once_check_card(x, f->db, &a, rp.fin, "", "paper-application", &src, &err), PC_EINVAL);
    struct id_person stranger = fx_person(f, &a, 3, 0);
    assert_int_equal(once_check_card(x, f->db, &a, stranger.fin, stranger.id_card, "paper-application", &src, &err),
                     PC_ENOTFOUND);
    xc_free(x);
    x = client("AZ/GOV/1400000001/population/nosuch");
    assert_int_equal(once_check_card(x, f->db, &a, rp.fin, rp.id_card, "paper-application", &src, &err), PC_EUNAVAIL);
    xc_free(x);
    assert_int_equal(once_check_card(NULL, f->db, &a, rp.fin, rp.id_card, "paper-application", &src, &err),
                     PC_EUNAVAIL);
    pc_arena_release(&a);
}

static void test_one_population(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    for (int64_t i = 0; i < 8; i++) {
        struct id_person p = fx_person(f, &a, 0, 100 + i);
        struct reg_person rp;
        reg_person_of((uint64_t)(100 + i), &rp);
        assert_string_equal(p.fin, rp.fin);
        assert_string_equal(p.last_name, rp.surname);
        assert_string_equal(p.first_name, rp.name);
        assert_string_equal(p.patronymic, rp.patronymic);
        assert_string_equal(p.birth_date, rp.birth_date);
        assert_string_equal(p.id_card, rp.id_card);
        assert_string_equal(p.gender, rp.male ? "m" : "f");
    }
    char fin[8], reg[8];
    id_population_fin(2, 7, fin); /* seed s: the register's people from s × 10 million */
    reg_fin_of(20000007, reg);
    assert_string_equal(fin, reg);
    pc_arena_release(&a);
}

int main(void)
{
    struct http_config cfg;
    http_config_defaults(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.threads = 2;
    cfg.routes = routes;
    cfg.nroutes = 1;
    struct pc_err err = {0};
    if (!(srv = http_start(&cfg, &err))) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    snprintf(gateway, sizeof gateway, "http://127.0.0.1:%u", http_port(srv));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registration),
        cmocka_unit_test(test_representative),
        cmocka_unit_test(test_prefill),
        cmocka_unit_test(test_one_population),
        cmocka_unit_test(test_paper_card),
    };
    int failed = fx_run("once", tests, sizeof tests / sizeof tests[0]);
    http_stop(srv, 1);
    return failed;
}
