/* test_social.c — social assistance (src/social): the means test as a pure
 * function (no income, one member, income exactly at the criterion, the
 * property rules, the cap, absurd figures refused), the parameters' file
 * (every field checked; a version never changes; the version in force on
 * a day), the bank's answer file, and the decision's schedule with the
 * month's payment orders and their reconciliation, on SQLite and
 * PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <time.h>

#include "../../src/cases/cases.h"
#include "../../src/pki/pki.h"
#include "../../src/social/social.h"
#include "fixture.h"

static struct social_params params(void)
{
    struct social_params p = {.version = 1, .criterion = 24600, .cap = 0, .months = 12, .count_wages = true,
                              .count_pensions = true, .count_benefits = false, .max_dwellings = 2,
                              .max_vehicles = 1};
    for (int r = 0; r < SOCIAL_RULE_COUNT; r++)
        p.refs[r] = "ref";
    return p;
}

static bool has_line(const struct social_means *m, enum social_line_kind k, int64_t value)
{
    for (size_t i = 0; i < m->nlines; i++)
        if (m->lines[i].kind == k && m->lines[i].value == value)
            return true;
    return false;
}

static void test_no_income(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_member m[3] = {{.fin = "AAAAAAA"}, {.fin = "BBBBBBB"}, {.fin = NULL}};
    struct social_means out;
    struct pc_err err = {0};
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 3}, &out, &err), 0);
    assert_true(out.eligible);
    assert_int_equal(out.members, 3);
    assert_int_equal(out.income_per_person, 0);
    assert_int_equal(out.amount, 24600 * 3);
    assert_int_equal(out.months, 12);
    assert_true(has_line(&out, SOCIAL_LINE_AMOUNT, 24600 * 3));
    assert_true(has_line(&out, SOCIAL_LINE_PERIOD, 12));
}

static void test_one_member_and_rounding(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_member m = {.fin = "AAAAAAA", .wages = 10000, .pension = 5000, .benefits = 3000};
    struct social_means out;
    struct pc_err err = {0};
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), 0);
    /* benefits are not counted under these rules: a line says so */
    assert_int_equal(out.income, 15000);
    assert_true(has_line(&out, SOCIAL_LINE_NOT_COUNTED, 3000));
    assert_true(has_line(&out, SOCIAL_LINE_WAGES, 10000));
    assert_int_equal(out.amount, 24600 - 15000);
    /* 100.01 AZN for three: 33.337 → 33.34 (half up) */
    struct social_member three[3] = {{.wages = 10001}, {0}, {0}};
    assert_int_equal(social_means_compute(&p, &(struct social_household){three, 3}, &out, &err), 0);
    assert_int_equal(out.income_per_person, 3334);
    assert_int_equal(out.amount, (24600 - 3334) * 3);
}

static void test_exactly_at_the_criterion(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_member m[2] = {{.wages = 24600 * 2}, {0}};
    struct social_means out;
    struct pc_err err = {0};
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 2}, &out, &err), 0);
    assert_false(out.eligible);
    assert_int_equal(out.amount, 0);
    assert_int_equal(out.months, 0);
    assert_true(has_line(&out, SOCIAL_LINE_ABOVE_CRITERION, 24600));
    /* one qəpik below: eligible for a qəpik a member */
    m[0].wages = 24600 * 2 - 2;
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 2}, &out, &err), 0);
    assert_true(out.eligible);
    assert_int_equal(out.amount, 2);
}

static void test_property_rules_and_cap(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_member m[2] = {{.dwellings = 2}, {.dwellings = 1}};
    struct social_means out;
    struct pc_err err = {0};
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 2}, &out, &err), 0);
    assert_false(out.eligible);
    assert_true(has_line(&out, SOCIAL_LINE_DWELLINGS, 3));
    m[1].dwellings = 0;
    m[1].vehicles = 2;
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 2}, &out, &err), 0);
    assert_false(out.eligible);
    assert_true(has_line(&out, SOCIAL_LINE_VEHICLES, 2));
    p.max_vehicles = -1; /* no vehicle rule */
    p.cap = 30000;
    assert_int_equal(social_means_compute(&p, &(struct social_household){m, 2}, &out, &err), 0);
    assert_true(out.eligible);
    assert_int_equal(out.amount, 30000);
    assert_true(has_line(&out, SOCIAL_LINE_CAPPED, 30000));
}

/* An entrepreneur's income counts where the parameters say so (vemtas2). */
static void test_business_income(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_member m = {.fin = "AAAAAAA", .wages = 10000, .business = 8000};
    struct social_means out;
    struct pc_err err = {0};
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), 0);
    assert_int_equal(out.income, 10000);
    assert_true(has_line(&out, SOCIAL_LINE_NOT_COUNTED, 8000));
    p.count_business = true;
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), 0);
    assert_int_equal(out.income, 18000);
    assert_true(has_line(&out, SOCIAL_LINE_BUSINESS, 8000));
    assert_string_equal(social_line_name(SOCIAL_LINE_BUSINESS), "business");
    m.business = SOCIAL_MONEY_MAX + 1;
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), PC_EINVAL);
}

static void test_absurd_figures_refused(void **state)
{
    (void)state;
    struct social_params p = params();
    struct social_means out;
    struct pc_err err = {0};
    struct social_member m = {.wages = -1};
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), PC_EINVAL);
    m = (struct social_member){.pension = SOCIAL_MONEY_MAX + 1};
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), PC_EINVAL);
    m = (struct social_member){.dwellings = -3};
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 1}, &out, &err), PC_EINVAL);
    assert_int_equal(social_means_compute(&p, &(struct social_household){&m, 0}, &out, &err), PC_EINVAL);
    struct social_member many[SOCIAL_MEMBERS_MAX + 1] = {{0}};
    assert_int_equal(social_means_compute(&p, &(struct social_household){many, SOCIAL_MEMBERS_MAX + 1}, &out, &err),
                     PC_EINVAL);
    assert_int_equal(social_means_compute(&p, &(struct social_household){many, SOCIAL_MEMBERS_MAX}, &out, &err), 0);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[65536];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char *version_json(int version, const char *from, const char *to, int criterion)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"versions\": [{\"version\": %d, \"valid_from\": \"%s\", \"valid_to\": \"%s\", \"legal_ref\": \"Q\", "
             "\"criterion_qepik\": %d, \"cap_qepik\": 0, \"months\": 6, \"max_dwellings\": -1, \"max_vehicles\": -1, "
             "\"count\": {\"wages\": true, \"pensions\": true, \"benefits\": true}, \"refs\": {\"criterion\": \"a\", "
             "\"income\": \"b\", \"property\": \"c\", \"amount\": \"d\", \"period\": \"e\"}}]}",
             version, from, to, criterion);
    return buf;
}

static void test_params_parse_checks_every_field(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"versions\": []}",
        "{\"versions\": [{\"version\": 0}]}",
        "not json",
    };
    struct pc_err err = {0};
    int added;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(social_params_import(NULL, "t", bad[i], strlen(bad[i]), &added, &err), PC_EINVAL);
    /* each field broken in turn */
    static const char *const fields[][2] = {
        {"\"valid_from\": \"2026-01-01\"", "\"valid_from\": \"2027-01-01\""},
        {"\"criterion_qepik\": 24600", "\"criterion_qepik\": -5"},
        {"\"months\": 6", "\"months\": 0"},
        {"\"legal_ref\": \"Q\"", "\"legal_ref\": \"\""},
        {"\"benefits\": true", "\"benefits\": 1"},
        {"\"period\": \"e\"", "\"periods\": \"e\""},
        {"\"max_dwellings\": -1", "\"max_dwellings\": -2"},
    };
    struct pc_arena a;
    pc_arena_init(&a);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *good = version_json(1, "2026-01-01", "2026-12-31", 24600);
        const char *at = strstr(good, fields[i][0]);
        assert_non_null(at);
        char *text = pc_arena_printf(&a, "%.*s%s%s", (int)(at - good), good, fields[i][1], at + strlen(fields[i][0]));
        json_t *j = json_loads(text, 0, NULL);
        assert_non_null(j);
        struct social_params p;
        assert_int_equal(social_params_parse(&a, json_array_get(json_object_get(j, "versions"), 0), &p, &err),
                         PC_EINVAL);
        json_decref(j);
    }
    pc_arena_release(&a);
}

static void test_the_data_file_imports(void **state)
{
    struct fixture *f = *state;
    const char *src = getenv("PENCERE_SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/data/social/params.json", src ? src : ".");
    size_t len = 0;
    const char *text = read_file(path, &len);
    assert_non_null(text);
    struct pc_err err = {0};
    int added;
    assert_int_equal(social_params_import(f->db, "admin", text, len, &added, &err), 0);
    assert_int_equal(added, 2); /* 2026; 2027 counting entrepreneurs' income (vemtas2) */
    /* the same file again: nothing new */
    assert_int_equal(social_params_import(f->db, "admin", text, len, &added, &err), 0);
    assert_int_equal(added, 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct social_params p;
    assert_int_equal(social_params_for(f->db, &a, "2026-06-01", &p, &err), 0);
    assert_int_equal(p.version, 1);
    assert_true(p.demo);
    assert_int_equal(p.criterion, 24600);
    assert_false(p.count_business); /* a version without count.business counts none */
    assert_int_equal(social_params_for(f->db, &a, "2027-06-01", &p, &err), 0);
    assert_int_equal(p.version, 2);
    assert_true(p.count_business);
    assert_int_equal(social_params_for(f->db, &a, "2031-01-01", &p, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_a_version_never_changes(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    int added;
    const char *v7 = version_json(7, "2030-01-01", "2030-12-31", 30000);
    assert_int_equal(social_params_import(f->db, "admin", v7, strlen(v7), &added, &err), 0);
    assert_int_equal(added, 1);
    const char *changed = version_json(7, "2030-01-01", "2030-12-31", 31000);
    assert_int_equal(social_params_import(f->db, "admin", changed, strlen(changed), &added, &err), PC_ECONFLICT);
    assert_int_equal(added, 0);
    /* a later version for part of the year wins there */
    const char *v8 = version_json(8, "2030-07-01", "2030-12-31", 32000);
    assert_int_equal(social_params_import(f->db, "admin", v8, strlen(v8), &added, &err), 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct social_params p;
    assert_int_equal(social_params_for(f->db, &a, "2030-03-01", &p, &err), 0);
    assert_int_equal(p.criterion, 30000);
    assert_int_equal(social_params_for(f->db, &a, "2030-07-01", &p, &err), 0);
    assert_int_equal(p.criterion, 32000);
    struct social_params *all;
    size_t n;
    assert_int_equal(social_params_list(f->db, &a, &all, &n, &err), 0);
    assert_true(n >= 2);
    assert_int_equal(all[0].version, 8);
    pc_arena_release(&a);
}

static void test_bank_answer_parse(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct social_bank_line *l;
    size_t n;
    const char good[] = "AZ-2026-00000001-2027-01;PAID\r\n\nAZ-2026-00000002-2027-01;REJECTED;Hesab bağlıdır; closed\n";
    assert_int_equal(social_bank_answer_parse(&a, good, strlen(good), &l, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_true(l[0].paid);
    assert_string_equal(l[0].order_id, "AZ-2026-00000001-2027-01");
    assert_false(l[1].paid);
    assert_string_equal(l[1].reason, "Hesab bağlıdır; closed");
    static const char *const bad[] = {
        "AZ-1;PAID;why",            /* paid with a reason */
        "AZ-1;REJECTED",            /* rejected without one */
        "AZ-1;REJECTED;",
        "AZ-1;MAYBE",
        "az-1;PAID",                /* not an order id of ours */
        "AZ 1;PAID",
        "AZ-1",
        ";PAID",
        "AZ-1;REJECTED;a\tb",
        "AZ-1;PAID\xff",
        "AZ-1;PAID\nAZ-2;MAYBE",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(social_bank_answer_parse(&a, bad[i], strlen(bad[i]), &l, &n, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_int_equal(social_bank_answer_parse(&a, "", 0, &l, &n, &err), 0);
    assert_int_equal(n, 0);
    pc_arena_release(&a);
}

static void test_schedule_orders_and_reconciliation(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct social_decision d = {.applies = true, .granted = true, .amount = 12050, .months = 3, .first_month = "2030-11",
                                .iban = "AZ21NABZ00000000137010001944", .fin = "5ABC12D",
                                .reference = "AZ-2030-00000042"};
    struct db_conn *c = fx_conn(f);
    assert_int_equal(db_begin(c, &err), 0);
    assert_int_equal(social_decision_write(c, &d, &err), 0);
    assert_int_equal(db_commit(c, &err), 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct social_payment *p;
    size_t n;
    assert_int_equal(social_payments_of(f->db, &a, d.reference, &p, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].month, "2030-11");
    assert_string_equal(p[2].month, "2031-01");
    assert_int_equal(p[1].status, SOCIAL_PAY_SCHEDULED);
    char *text;
    size_t len;
    int count;
    assert_int_equal(social_orders_export(f->db, &a, "2030-12", &text, &len, &count, &err), 0);
    assert_int_equal(count, 1);
    assert_string_equal(text, "PENCERE-SOCIAL-PAYMENTS;1;2030-12;1;120.50\n"
                              "AZ-2030-00000042-2030-12;AZ21NABZ00000000137010001944;120.50;5ABC12D\n");
    /* again: the same orders */
    char *again;
    assert_int_equal(social_orders_export(f->db, &a, "2030-12", &again, &len, &count, &err), 0);
    assert_string_equal(again, text);
    assert_int_equal(social_orders_export(f->db, &a, "2030-13", &again, &len, &count, &err), PC_EINVAL);
    const char answer[] = "AZ-2030-00000042-2030-12;REJECTED;account closed\n"
                          "AZ-2030-00000042-2031-01;PAID\n" /* never sent: left alone */
                          "AZ-2030-00000099-2030-12;PAID\n";
    struct social_bank_line *l;
    assert_int_equal(social_bank_answer_parse(&a, answer, strlen(answer), &l, &n, &err), 0);
    struct social_recon rec;
    assert_int_equal(social_reconcile(f->db, l, n, &rec, &err), 0);
    assert_int_equal(rec.rejected, 1);
    assert_int_equal(rec.paid, 0);
    assert_int_equal(rec.unchanged, 1);
    assert_int_equal(rec.unknown, 1);
    assert_int_equal(social_payments_of(f->db, &a, d.reference, &p, &n, &err), 0);
    assert_int_equal(p[1].status, SOCIAL_PAY_REJECTED);
    assert_string_equal(p[1].reason, "account closed");
    assert_int_equal(p[2].status, SOCIAL_PAY_SCHEDULED);
    /* a rejected order is not exported again, nor answered twice */
    assert_int_equal(social_orders_export(f->db, &a, "2030-12", &again, &len, &count, &err), 0);
    assert_int_equal(count, 0);
    assert_int_equal(social_reconcile(f->db, l, 1, &rec, &err), 0);
    assert_int_equal(rec.unchanged, 1);
    pc_arena_release(&a);
}

static void put_evidence(struct db_conn *c, const char *ref, const char *fin, const char *kind, const char *data)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(c,
                                   "INSERT INTO social_evidence (reference, person, kind, source, fetched_at, found, data) "
                                   "VALUES (?, ?, ?, 'AZ/GOV/T/x', 1800000000, ?, ?)",
                                   &err);
    assert_non_null(s);
    db_bind_text(s, 1, ref);
    db_bind_text(s, 2, fin);
    db_bind_text(s, 3, kind);
    db_bind_int(s, 4, data != NULL);
    db_bind_text(s, 5, data ? data : "{}");
    assert_int_equal(db_run(s, &err), 1);
}

/* The household and the differences read from stored evidence and the
 * answers: registry incomes count (a current contract, not an ended one), a
 * member the register does not know counts with the income declared, the
 * register's undeclared child, a wrong birth date and a declared income
 * that differs are flagged; the officer's change is kept beside the
 * proposal. */
static void test_the_case_from_its_evidence(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    int added;
    const char *v = version_json(9, "2000-01-01", "2099-12-31", 20000);
    assert_int_equal(social_params_import(f->db, "t", v, strlen(v), &added, &err), 0);
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "INSERT INTO social_cases (reference, submitted_at, state, next_try_at, updated_at) "
               "VALUES ('AZ-2030-00000007', 1, 'complete', 0, 1)");
    put_evidence(c, "AZ-2030-00000007", "AAAAAA1", "population",
                 "{\"fin\": \"AAAAAA1\", \"birth_date\": \"1980-01-01\", \"death_date\": null, "
                 "\"spouse_fin\": \"BBBBBB2\", \"children_fins\": [\"CCCCCC3\"]}");
    put_evidence(c, "AZ-2030-00000007", "AAAAAA1", "employment",
                 "{\"contracts\": [{\"salary_azn\": 300, \"ended_at\": null}, {\"salary_azn\": 900, "
                 "\"ended_at\": \"2020-01-01\"}]}");
    put_evidence(c, "AZ-2030-00000007", "AAAAAA1", "pensions",
                 "{\"pension\": null, \"social_assistance\": {\"amount_azn\": 50}}");
    put_evidence(c, "AZ-2030-00000007", "AAAAAA1", "realestate", "{\"properties\": [{\"kind\": \"land\"}]}");
    put_evidence(c, "AZ-2030-00000007", "BBBBBB2", "population",
                 "{\"fin\": \"BBBBBB2\", \"birth_date\": \"1982-02-02\", \"death_date\": null}");
    put_evidence(c, "AZ-2030-00000007", "DDDDDD4", "population", NULL);
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *answers = json_loads(
        "{\"applicant_income\": 300, \"family_members\": ["
        "{\"member_fin\": \"BBBBBB2\", \"member_name\": \"B\", \"member_relation\": \"spouse\", "
        "\"member_birth_date\": \"1982-03-03\", \"member_income\": 0},"
        "{\"member_fin\": \"DDDDDD4\", \"member_name\": \"D\", \"member_relation\": \"sibling\", "
        "\"member_birth_date\": \"1990-01-01\", \"member_income\": 60}]}",
        0, NULL);
    struct case_app app = {.id = "x", .reference = "AZ-2030-00000007", .service_id = SOCIAL_SERVICE,
                           .applicant_fin = "AAAAAA1", .answers = form_answers_from_json(&a, answers)};
    json_decref(answers);
    struct social_case sc;
    assert_int_equal(social_case_get(f->db, &a, &app, &sc, &err), 0);
    assert_int_equal(sc.state, SOCIAL_COMPLETE);
    assert_int_equal(sc.nitems, 6);
    bool birth = false, undeclared_child = false, unknown = false, income = false;
    for (size_t i = 0; i < sc.ndiffs; i++) {
        /* declared 300, the registries 350 with the assistance: past 10 % and 10 AZN */
        income |= sc.diffs[i].flag == SOCIAL_FLAG_INCOME && pc_str_eq(sc.diffs[i].person, "AAAAAA1") &&
                  pc_str_eq(sc.diffs[i].declared, "300.00") && pc_str_eq(sc.diffs[i].registry, "350.00");
        birth |= sc.diffs[i].flag == SOCIAL_FLAG_BIRTH_DATE && pc_str_eq(sc.diffs[i].person, "BBBBBB2");
        undeclared_child |= sc.diffs[i].flag == SOCIAL_FLAG_NOT_DECLARED && pc_str_eq(sc.diffs[i].person, "CCCCCC3");
        unknown |= sc.diffs[i].flag == SOCIAL_FLAG_NOT_IN_REGISTER && pc_str_eq(sc.diffs[i].person, "DDDDDD4");
    }
    assert_true(birth && undeclared_child && unknown && income);
    assert_int_equal(sc.ndiffs, 4);
    /* 300 (the current contract, not the ended one) + 50 (assistance: these
     * parameters count benefits) + 60 (declared, not in the register) for 3 */
    assert_true(sc.computed);
    assert_int_equal(sc.params.version, 9);
    assert_int_equal(sc.means.members, 3);
    assert_int_equal(sc.means.income, 41000);
    assert_int_equal(sc.means.income_per_person, 13667);
    assert_true(sc.means.eligible);
    assert_int_equal(sc.means.amount, (20000 - 13667) * 3);
    /* the officer's change, kept and shown with the proposal */
    assert_int_equal(social_override_set(f->db, "officer", "AZ-2030-00000007", true, 10000, "", &err), PC_EINVAL);
    assert_int_equal(social_override_set(f->db, "officer", "AZ-2030-00000007", false, 10000, "x", &err), PC_EINVAL);
    assert_int_equal(social_override_set(f->db, "officer", "AZ-2030-00000007", true, 10000, "visit", &err), 0);
    assert_int_equal(social_override_set(f->db, "officer", "AZ-2030-99999999", true, 1, "visit", &err), PC_ENOTFOUND);
    assert_int_equal(social_case_get(f->db, &a, &app, &sc, &err), 0);
    assert_true(sc.override.set && sc.override.amount == 10000 && pc_str_eq(sc.override.reason, "visit"));
    json_t *j = json_object();
    social_case_json(&sc, j);
    json_t *mt = json_object_get(j, "means_test");
    assert_true(json_real_value(json_object_get(mt, "amount")) == 100.0);
    assert_true(json_real_value(json_object_get(json_object_get(mt, "proposal"), "amount")) == 189.99);
    assert_int_equal(json_array_size(json_object_get(j, "evidence")), 6);
    json_decref(j);
    pc_arena_release(&a);
}

/* Vehicles over the limit exclude; an active entrepreneur's income
 * counts (the parameters say so) and, declared unemployed, is flagged
 * (vemtas2). */
static void test_vehicles_and_entrepreneurs_in_the_case(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    int added;
    const char *v =
        "{\"versions\": [{\"version\": 11, \"valid_from\": \"2000-01-01\", \"valid_to\": \"2099-12-31\", "
        "\"legal_ref\": \"Q\", \"criterion_qepik\": 20000, \"cap_qepik\": 0, \"months\": 6, \"max_dwellings\": -1, "
        "\"max_vehicles\": 1, \"count\": {\"wages\": true, \"pensions\": true, \"benefits\": true, \"business\": true}, "
        "\"refs\": {\"criterion\": \"a\", \"income\": \"b\", \"property\": \"c\", \"amount\": \"d\", \"period\": \"e\"}}]}";
    assert_int_equal(social_params_import(f->db, "t", v, strlen(v), &added, &err), 0);
    struct db_conn *c = fx_conn(f);
    const char *ref = "AZ-2030-00000011";
    fx_exec(c, "INSERT INTO social_cases (reference, submitted_at, state, next_try_at, updated_at) "
               "VALUES ('AZ-2030-00000011', 1, 'complete', 0, 1)");
    put_evidence(c, ref, "EEEEEE1", "population",
                 "{\"fin\": \"EEEEEE1\", \"birth_date\": \"1980-01-01\", \"death_date\": null, \"spouse_fin\": null}");
    put_evidence(c, ref, "EEEEEE1", "entrepreneurs",
                 "{\"fin\": \"EEEEEE1\", \"entrepreneurs\": [{\"voen\": \"1234567891\", \"status\": \"active\", "
                 "\"income_last_year_azn\": 1200}, {\"voen\": \"1234567892\", \"status\": \"liquidated\", "
                 "\"income_last_year_azn\": 9000}]}");
    put_evidence(c, ref, "EEEEEE1", "vehicles", "{\"fin\": \"EEEEEE1\", \"vehicles\": [{\"plate\": \"10-AB-123\"}]}");
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *answers = json_loads("{\"applicant_income\": 100, \"applicant_employment\": \"unemployed\"}", 0, NULL);
    struct case_app app = {.id = "y", .reference = ref, .service_id = SOCIAL_SERVICE, .applicant_fin = "EEEEEE1",
                           .answers = form_answers_from_json(&a, answers)};
    json_decref(answers);
    struct social_case sc;
    assert_int_equal(social_case_get(f->db, &a, &app, &sc, &err), 0);
    assert_true(sc.computed);
    assert_int_equal(sc.params.version, 11);
    /* 1200 AZN a year: 100 a month counted; the liquidated one not */
    assert_true(has_line(&sc.means, SOCIAL_LINE_BUSINESS, 10000));
    assert_int_equal(sc.means.income, 10000);
    assert_true(sc.means.eligible);
    bool flagged = false;
    for (size_t i = 0; i < sc.ndiffs; i++)
        flagged |= sc.diffs[i].flag == SOCIAL_FLAG_ENTREPRENEUR && pc_str_eq(sc.diffs[i].registry, "1234567891") &&
                   pc_str_eq(sc.diffs[i].declared, "unemployed");
    assert_true(flagged);
    assert_int_equal(sc.ndiffs, 1); /* the declared 100 AZN is the registries' 100 */
    /* a second vehicle: over the limit of one, not eligible */
    fx_exec(c, "UPDATE social_evidence SET data = '{\"vehicles\": [{\"plate\": \"10-AB-123\"}, "
               "{\"plate\": \"90-XY-001\"}]}' WHERE reference = 'AZ-2030-00000011' AND kind = 'vehicles'");
    assert_int_equal(social_case_get(f->db, &a, &app, &sc, &err), 0);
    assert_false(sc.means.eligible);
    assert_true(has_line(&sc.means, SOCIAL_LINE_VEHICLES, 2));
    json_t *j = json_object();
    social_case_json(&sc, j);
    json_t *ev = json_object_get(j, "evidence"), *x;
    size_t i;
    int kinds = 0;
    json_array_foreach(ev, i, x) kinds += pc_str_eq(json_string_value(json_object_get(x, "kind")), "vehicles") ||
                                          pc_str_eq(json_string_value(json_object_get(x, "kind")), "entrepreneurs");
    assert_int_equal(kinds, 2);
    json_decref(j);
    pc_arena_release(&a);
}

/* Parameters of one year with the running grant's rules (vemtas2). */
static void import_year(struct fixture *f, int version, int year, bool arrears)
{
    char v[1024];
    snprintf(v, sizeof v,
             "{\"versions\": [{\"version\": %d, \"valid_from\": \"%d-01-01\", \"valid_to\": \"%d-12-31\", "
             "\"legal_ref\": \"Q\", \"criterion_qepik\": 20000, \"cap_qepik\": 0, \"months\": 6, \"max_dwellings\": -1, "
             "\"max_vehicles\": -1, \"reassess_days\": 30, \"arrears\": %s, \"count\": {\"wages\": true, "
             "\"pensions\": true, \"benefits\": true}, \"refs\": {\"criterion\": \"a\", \"income\": \"b\", "
             "\"property\": \"c\", \"amount\": \"d\", \"period\": \"e\"}}]}",
             version, year, year, arrears ? "true" : "false");
    struct pc_err err = {0};
    int added;
    assert_int_equal(social_params_import(f->db, "t", v, strlen(v), &added, &err), 0);
}

/* A grant of 6 months from first_month, its orders all suspended. */
static void suspended_grant(struct fixture *f, const char *ref, const char *first_month)
{
    struct social_decision d = {.applies = true, .granted = true, .amount = 10000, .months = 6, .iban =
                                "AZ21NABZ00000000137010001944", .fin = "AAAAAA9", .reference = ref};
    snprintf(d.first_month, sizeof d.first_month, "%s", first_month);
    struct pc_err err = {0};
    struct db_conn *c = fx_conn(f);
    assert_int_equal(social_decision_write(c, &d, &err), 0);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE social_grants SET suspended_at = 1, suspended_kind = 'death', suspended_fin = "
                              "'AAAAAA9', suspended_since = '2000-01-01' WHERE reference = '%s'", ref);
    fx_exec(c, sql);
    snprintf(sql, sizeof sql, "UPDATE social_payments SET status = 'suspended' WHERE reference = '%s'", ref);
    fx_exec(c, sql);
}

static int64_t day_at(int y, int m, int d)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    return (int64_t)timegm(&tm);
}

/* Lifting a suspension: the months skipped are paid in arrears in the
 * next month's orders (arrears: true) or not; ending cancels what is not
 * sent (vemtas2). */
static void test_resume_with_and_without_arrears_and_end(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    import_year(f, 20, 2030, true);
    import_year(f, 21, 2031, false);
    suspended_grant(f, "AZ-2030-00000021", "2030-01");
    int64_t now = day_at(2030, 2, 15); /* the next month is 2030-03 */
    assert_int_equal(social_resume(f->db, "officer", "AZ-2030-00000021", "", now, NULL, &err), PC_EINVAL);
    assert_int_equal(social_resume(f->db, "officer", "AZ-2030-99999999", "x", now, NULL, &err), PC_ENOTFOUND);
    assert_int_equal(social_resume(f->db, "officer", "AZ-2030-00000021", "the register erred", now, NULL, &err), 0);
    assert_int_equal(social_resume(f->db, "officer", "AZ-2030-00000021", "again", now, NULL, &err), PC_ECONFLICT);
    struct social_payment *p;
    size_t n;
    assert_int_equal(social_payments_of(f->db, &a, "AZ-2030-00000021", &p, &n, &err), 0);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p[i].status, SOCIAL_PAY_SCHEDULED);
        if (i < 2)
            assert_string_equal(p[i].pay_month, "2030-03");
        else
            assert_null(p[i].pay_month);
    }
    char *text;
    size_t len;
    int count;
    assert_int_equal(social_orders_export(f->db, &a, "2030-03", &text, &len, &count, &err), 0);
    assert_int_equal(count, 3); /* March's own and January's and February's in arrears */
    assert_non_null(strstr(text, "AZ-2030-00000021-2030-01;"));
    /* without arrears (the 2031 parameters): the months before the next are not paid */
    suspended_grant(f, "AZ-2031-00000022", "2031-01");
    assert_int_equal(social_resume(f->db, "officer", "AZ-2031-00000022", "x", day_at(2031, 3, 1), NULL, &err), 0);
    assert_int_equal(social_payments_of(f->db, &a, "AZ-2031-00000022", &p, &n, &err), 0);
    assert_int_equal(p[0].status, SOCIAL_PAY_SKIPPED);
    assert_int_equal(p[2].status, SOCIAL_PAY_SKIPPED);
    assert_int_equal(p[3].status, SOCIAL_PAY_SCHEDULED);
    assert_null(p[3].pay_month);
    /* ended: nothing more is paid, and once only */
    assert_int_equal(social_end(f->db, "officer", "AZ-2031-00000022", "moved abroad", day_at(2031, 3, 2), NULL, &err), 0);
    assert_int_equal(social_payments_of(f->db, &a, "AZ-2031-00000022", &p, &n, &err), 0);
    assert_int_equal(p[3].status, SOCIAL_PAY_CANCELLED);
    assert_int_equal(p[5].status, SOCIAL_PAY_CANCELLED);
    assert_int_equal(p[0].status, SOCIAL_PAY_SKIPPED);
    assert_int_equal(social_end(f->db, "officer", "AZ-2031-00000022", "again", day_at(2031, 3, 2), NULL, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

/* The grants whose last month is within reassess_days are re-assessed:
 * the evidence asked again, the earlier change cleared (vemtas2). */
static void test_reassess_due(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct db_conn *c = fx_conn(f);
    suspended_grant(f, "AZ-2030-00000023", "2030-01"); /* last month 2030-06 */
    fx_exec(c, "UPDATE social_grants SET suspended_at = NULL WHERE reference = 'AZ-2030-00000023'");
    fx_exec(c, "INSERT INTO social_cases (reference, submitted_at, state, next_try_at, updated_at, override_eligible, "
               "override_amount, override_reason, override_by, override_at) "
               "VALUES ('AZ-2030-00000023', 1, 'complete', 0, 1, 1, 5000, 'r', 'o', 1)");
    put_evidence(c, "AZ-2030-00000023", "AAAAAA9", "population", "{\"fin\": \"AAAAAA9\"}");
    /* the grant resumed above is due as well: ended, it is not re-assessed */
    assert_int_equal(social_end(f->db, "officer", "AZ-2030-00000021", "moved", day_at(2030, 4, 1), NULL, &err), 0);
    int started;
    assert_int_equal(social_reassess_due(f->db, day_at(2030, 4, 30), &started, &err), 0);
    assert_int_equal(started, 0); /* 32 days before June */
    assert_int_equal(social_reassess_due(f->db, day_at(2030, 5, 3), &started, &err), 0);
    assert_int_equal(started, 1);
    assert_int_equal(social_reassess_due(f->db, day_at(2030, 5, 4), &started, &err), 0);
    assert_int_equal(started, 0); /* begun once */
    struct db_stmt *s = db_prepare(c, "SELECT state, override_amount IS NULL, (SELECT COUNT(*) FROM social_evidence "
                                      "WHERE reference = 'AZ-2030-00000023') FROM social_cases "
                                      "WHERE reference = 'AZ-2030-00000023'", &err);
    assert_int_equal(db_step(s, &err), 1);
    assert_string_equal(db_col_text(s, 0), "pending");
    assert_int_equal(db_col_int(s, 1), 1);
    assert_int_equal(db_col_int(s, 2), 0);
    db_conn_idle(c);
    s = db_prepare(c, "SELECT reassess_at FROM social_grants WHERE reference = 'AZ-2030-00000023'", &err);
    assert_int_equal(db_step(s, &err), 1);
    assert_int_equal(db_col_int(s, 0), day_at(2030, 5, 3));
    db_conn_idle(c);
}

/* seal2: a resumption's and an ending's decision is known before the act,
 * and the act keeps its sealed copy in its transaction only when the text
 * is the same bytes; otherwise nothing is done. */
static void test_end_keeps_the_sealed_decision(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *ref = "AZ-2031-00000024";
    suspended_grant(f, ref, "2031-01");
    struct social_grant_doc doc;
    static const unsigned char sig[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct pki_sealed_doc got;
    /* the suspension lifted: its decision sealed as the first resumption */
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_RESUME, "the register erred",
                                           day_at(2031, 3, 1), &doc, &err), 0);
    assert_string_equal(doc.kind, "grant-resumed-1");
    assert_non_null(strstr(doc.text, "2031-04")); /* payments go on from the next month */
    struct pki_sealed_doc resumed = {.kind = doc.kind, .agency = "eesmn", .created_at = 4, .document = doc.text,
                                     .document_len = strlen(doc.text), .signature = sig, .signature_len = sizeof sig,
                                     .seal_serial = "01"};
    assert_int_equal(social_resume(f->db, "officer", ref, "the register erred", day_at(2031, 3, 1), &resumed, &err), 0);
    assert_int_equal(pki_doc_get(f->db, &a, ref, "grant-resumed-1", &got, &err), 0);
    assert_string_equal(got.document, doc.text);
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_RESUME, "x", day_at(2031, 3, 1), &doc, &err),
                     PC_ECONFLICT); /* not suspended now */
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_END, "", day_at(2031, 3, 2), &doc, &err), PC_EINVAL);
    assert_int_equal(social_grant_document(f->db, &a, "AZ-2031-99999999", SOCIAL_GRANT_END, "x", day_at(2031, 3, 2), &doc, &err),
                     PC_ENOTFOUND);
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_END, "moved abroad", day_at(2031, 3, 2), &doc, &err), 0);
    assert_string_equal(doc.kind, "grant-ended");
    assert_non_null(strstr(doc.text, ref));
    assert_non_null(strstr(doc.text, "moved abroad"));
    struct pki_sealed_doc sealed = {.kind = doc.kind, .agency = "eesmn", .created_at = 5, .document = "another text",
                                    .document_len = 12, .signature = sig, .signature_len = sizeof sig,
                                    .seal_serial = "01"};
    /* the sealed text is not what the act would write: nothing done */
    assert_int_equal(social_end(f->db, "officer", ref, "moved abroad", day_at(2031, 3, 2), &sealed, &err), PC_ECONFLICT);
    assert_int_equal(pki_doc_get(f->db, &a, ref, "grant-ended", &got, &err), PC_ENOTFOUND);
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_END, "moved abroad", day_at(2031, 3, 2), &doc, &err), 0);
    sealed.document = doc.text;
    sealed.document_len = strlen(doc.text);
    assert_int_equal(social_end(f->db, "officer", ref, "moved abroad", day_at(2031, 3, 2), &sealed, &err), 0);
    assert_int_equal(pki_doc_get(f->db, &a, ref, "grant-ended", &got, &err), 0);
    assert_string_equal(got.document, doc.text);
    assert_string_equal(got.object_id, ref);
    assert_int_equal(got.signature_len, sizeof sig);
    struct social_grant g = {.set = true, .ended_at = day_at(2031, 3, 2), .resumptions = 1};
    const char *kinds[4];
    assert_int_equal(social_grant_kinds(&a, &g, kinds, 4), 2);
    assert_string_equal(kinds[0], "grant-resumed-1");
    assert_string_equal(kinds[1], "grant-ended");
    g.extensions = 2;
    assert_int_equal(social_grant_kinds(&a, &g, kinds, 4), 4);
    assert_string_equal(kinds[0], "grant-extended-1");
    assert_string_equal(kinds[1], "grant-extended-2");
    assert_int_equal(social_grant_document(f->db, &a, ref, SOCIAL_GRANT_END, "again", day_at(2031, 3, 2), &doc, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_no_income),
        cmocka_unit_test(test_one_member_and_rounding),
        cmocka_unit_test(test_exactly_at_the_criterion),
        cmocka_unit_test(test_property_rules_and_cap),
        cmocka_unit_test(test_absurd_figures_refused),
        cmocka_unit_test(test_business_income),
        cmocka_unit_test(test_params_parse_checks_every_field),
        cmocka_unit_test(test_bank_answer_parse),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_the_data_file_imports),
        cmocka_unit_test(test_a_version_never_changes),
        cmocka_unit_test(test_schedule_orders_and_reconciliation),
        cmocka_unit_test(test_the_case_from_its_evidence),
        cmocka_unit_test(test_vehicles_and_entrepreneurs_in_the_case),
        cmocka_unit_test(test_resume_with_and_without_arrears_and_end),
        cmocka_unit_test(test_reassess_due),
        cmocka_unit_test(test_end_keeps_the_sealed_decision),
    };
    int failed = cmocka_run_group_tests_name("social", pure, NULL, NULL);
    return failed + fx_run("social-db", db, sizeof db / sizeof db[0]);
}
