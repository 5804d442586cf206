/* test_isreg.c — the register of information systems without a server,
 * on SQLite and (when PENCERE_TEST_PG_URL holds an admin URL) on a fresh
 * PostgreSQL database: dates and the card's checks; a card's whole life
 * (draft, submit, return, register, a declared change, de-registration)
 * with who may do each step; what the public sees; the 20-day clock, the
 * overdue list and reminders sent once; the statistics; the demo data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/isreg/internal.h"
#include "../../src/catalog/catalog.h"
#include "../../src/notify/notify.h"
#include "fixture.h"

/* ---- dates and the card ------------------------------------------------------------ */

static void test_dates(void **state)
{
    (void)state;
    int64_t d;
    char out[11];
    assert_int_equal(isreg_date_parse("1970-01-01", &d), PC_EINVAL); /* before 1990 */
    assert_int_equal(isreg_date_parse("2024-02-29", &d), 0);
    isreg_date_format(d, out);
    assert_string_equal(out, "2024-02-29");
    isreg_date_format(d + 1, out);
    assert_string_equal(out, "2024-03-01");
    assert_int_equal(isreg_date_parse("2023-02-29", &d), PC_EINVAL);
    assert_int_equal(isreg_date_parse("2026-13-01", &d), PC_EINVAL);
    assert_int_equal(isreg_date_parse("2026-1-01", &d), PC_EINVAL);
    assert_int_equal(isreg_date_parse("2026-12-07", &d), 0);
    assert_int_equal(d, 20794);
    assert_int_equal(isreg_day_of(20794LL * 86400 + 86399), 20794);
    for (int64_t k = 7305; k < 7305 + 4000; k += 37) {   /* 1990 on: round trip */
        isreg_date_format(k, out);
        assert_int_equal(isreg_date_parse(out, &d), 0);
        assert_int_equal(d, k);
    }
}

static const char *SERVICES_OFFERED[] = {"AZ/GOV/1400000001/population/person"};

static struct isreg_card good_card(const char *change_on)
{
    struct isreg_card c = {0};
    c.kind = ISREG_KIND_PERSONAL_DATA;
    c.name = (struct pc_text){{"Vergi ödəyicilərinin sistemi", "Taxpayer system", "Система налогоплательщиков"}};
    c.purpose = "Uçot";
    c.legal_basis = "Vergi Məcəlləsi";
    c.categories = ISREG_BIT(ISREG_CAT_IDENTITY) | ISREG_BIT(ISREG_CAT_FINANCIAL);
    c.uses_fin = true;
    c.hosting = "Data centre A, rack 12";
    c.security = "Encrypted backups";
    c.responsible = "R. Məmmədov, +994124000000";
    snprintf(c.started_on, sizeof c.started_on, "2013-03-01");
    snprintf(c.change_on, sizeof c.change_on, "%s", change_on);
    return c;
}

static void test_card_checks(void **state)
{
    (void)state;
    int64_t today;
    isreg_date_parse("2026-12-07", &today);
    const char *field;
    struct pc_err err = {0};
    struct isreg_card c = good_card("2026-12-01");
    assert_int_equal(isreg_card_check(&c, today, &field, &err), 0);

    struct isreg_card bad = c;
    bad.purpose = "";
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "purpose");
    bad = c;
    snprintf(bad.change_on, sizeof bad.change_on, "2026-12-08");   /* a change in the future */
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "change_on");
    bad = c;
    snprintf(bad.change_on, sizeof bad.change_on, "2012-01-01");   /* before it started */
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    bad = c;
    bad.kind = ISREG_KIND_RESOURCE;                                /* holds personal data */
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "kind");
    bad = c;
    bad.categories = 0;
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "data_categories");
    bad = c;
    const char *wrong[] = {"AZ/GOV/population"};
    bad.services_used = (struct isreg_list){wrong, 1};
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "services_used");
    bad = c;
    const char *twice[] = {SERVICES_OFFERED[0], SERVICES_OFFERED[0]};
    bad.services_offered = (struct isreg_list){twice, 2};
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    bad = c;
    bad.name.s[PC_LANG_AZ] = "\xff\xfe";
    assert_int_equal(isreg_card_check(&bad, today, &field, &err), PC_EINVAL);
    assert_string_equal(field, "name_az");
    assert_false(isreg_id_valid("Avis"));
    assert_false(isreg_id_valid("a"));
    assert_false(isreg_id_valid("avis;drop"));
    assert_true(isreg_id_valid("avis-2"));
}

/* ---- a database ---------------------------------------------------------------------- */

/* The database of the run (fixture.h) and the principals of the tests. */
struct fx {
    struct db *db;
    struct pc_arena arena;
    struct id_principal officer, other, operator, citizen;
};

static struct id_principal principal(const char *account, enum id_role role, const char *agency)
{
    struct id_principal p = {.account_id = account, .login = account, .kind = ID_ACCOUNT_STAFF};
    p.grants[0] = (struct id_grant){role, agency};
    p.ngrants = 1;
    return p;
}

static void fill(struct fx *x)
{
    struct pc_err err = {0};
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/catalog", getenv("PENCERE_SRC"));
    struct cat_import_stats cst;
    assert_int_equal(cat_import(x->db, dir, stderr, &cst, &err), 0);
    pc_arena_init(&x->arena);
    /* a real, active officer account of "vn" with a work address, so
     * that reminders have someone to reach */
    struct id_person person = {.fin = "5ISR3G1", .last_name = "Əliyev", .first_name = "Rəşad", .patronymic = "Kamal",
                               .birth_date = "1985-04-02", .gender = "m", .id_card = "AA1234567",
                               .email = "r.aliyev@vn.example.az", .lang = "az", .source = "test"};
    struct db_conn *c = db_conn_get(x->db, &err);
    assert_int_equal(id_person_put(c, &person, &err), 0);
    struct id_grant g = {ID_ROLE_OFFICER, "vn"};
    const char *acc;
    assert_int_equal(id_account_create(x->db, ID_ACCOUNT_STAFF, "officer.vn", person.fin, &g, 1, NULL, NULL, &x->arena,
                                       &acc, &err), 0);
    char code[ID_CODE_LEN + 1];
    assert_int_equal(id_code_issue(x->db, acc, "activate", NULL, NULL, "", 600, code, &err), 0);
    if (id_code_redeem(x->db, "officer.vn", code, "a long test password 42", "", &err))
        fail_msg("redeem: %s", err.msg);
    x->officer = principal(acc, ID_ROLE_OFFICER, "vn");
    x->other = principal("acc-other", ID_ROLE_AGENCY_ADMIN, "din");
    x->operator = principal("acc-operator", ID_ROLE_OPERATOR, "");
    x->citizen = principal("acc-citizen", ID_ROLE_CITIZEN, "");
    x->citizen.kind = ID_ACCOUNT_CITIZEN;
}

static int count_reminders(struct fx *x)
{
    struct pc_err err = {0};
    struct notify_message *m;
    size_t n = 0;
    assert_int_equal(notify_list_recent(x->db, &x->arena, 1000, &m, &n, &err), 0);
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcmp(m[i].template_id, "isreg-deadline") == 0;
    return k;
}

static void days_ago(int days, char out[11])
{
    isreg_date_format(isreg_day_of(pc_now_unix()) - days, out);
}

/* A card's life, and who may do each step of it. */
static void check_lifecycle(struct fx *x)
{
    struct pc_err err = {0};
    const char *field;
    int64_t now = pc_now_unix();
    char d[11];
    days_ago(3, d);
    struct isreg_card card = good_card(d);
    const char *portal[] = {"vn-e-declaration"};
    card.portal_services = (struct isreg_list){portal, 1};
    card.services_offered = (struct isreg_list){SERVICES_OFFERED, 1};

    /* only the owning body's staff create its systems */
    assert_int_equal(isreg_create(x->db, &x->other, "", "avis", "vn", &card, &field, &err), PC_EDENIED);
    assert_int_equal(isreg_create(x->db, &x->citizen, "", "avis", "vn", &card, &field, &err), PC_EDENIED);
    assert_int_equal(isreg_create(x->db, NULL, "", "avis", "vn", &card, &field, &err), PC_EDENIED);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "avis", "vn", &card, &field, &err), 0);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "avis", "vn", &card, &field, &err), PC_ECONFLICT);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "Bad Id", "vn", &card, &field, &err), PC_EINVAL);

    /* the public does not see a draft */
    struct isreg_system sys;
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), PC_ENOTFOUND);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, &x->other, "avis", &sys, &err), PC_ENOTFOUND);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, &x->officer, "avis", &sys, &err), 0);
    assert_int_equal(sys.status, ISREG_DRAFT);
    assert_string_equal(sys.card.hosting, "Data centre A, rack 12");

    /* submitted on time; another body cannot submit it; the operator returns it */
    int late = -1;
    assert_int_equal(isreg_submit(x->db, &x->other, "", "avis", now, &late, &err), PC_EDENIED);
    assert_int_equal(isreg_submit(x->db, &x->officer, "", "avis", now, &late, &err), 0);
    assert_int_equal(late, 0);
    assert_int_equal(isreg_submit(x->db, &x->officer, "", "avis", now, &late, &err), PC_ECONFLICT);
    assert_int_equal(isreg_register(x->db, &x->officer, "", "avis", now, &err), PC_EDENIED);
    assert_int_equal(isreg_return(x->db, &x->operator, "", "avis", "", now, &err), PC_EINVAL);
    assert_int_equal(isreg_return(x->db, &x->operator, "", "avis", "Add the legal act's number", now, &err), 0);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), PC_ENOTFOUND);

    /* corrected, submitted again, registered */
    int version = 0;
    card.legal_basis = "Vergi Məcəlləsi, maddə 33";
    assert_int_equal(isreg_save_card(x->db, &x->officer, "", "avis", &card, &version, &field, &err), 0);
    assert_int_equal(version, 1);
    assert_int_equal(isreg_submit(x->db, &x->officer, "", "avis", now, &late, &err), 0);
    assert_int_equal(isreg_register(x->db, &x->operator, "", "avis", now, &err), 0);
    assert_int_equal(isreg_register(x->db, &x->operator, "", "avis", now, &err), PC_ECONFLICT);

    /* the public sees it now, without the confidential fields */
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), 0);
    assert_int_equal(sys.status, ISREG_REGISTERED);
    assert_int_equal(sys.registered_version, 1);
    assert_null(sys.card.hosting);
    assert_null(sys.card.responsible);
    assert_null(sys.decisions);
    assert_string_equal(sys.card.legal_basis, "Vergi Məcəlləsi, maddə 33");
    assert_int_equal(sys.checks[ISREG_CHECK_ON_TIME], ISREG_CHECK_PASS);
    assert_int_equal(sys.checks[ISREG_CHECK_PORTAL], ISREG_CHECK_PASS);
    assert_int_equal(sys.checks[ISREG_CHECK_FIN], ISREG_CHECK_PASS);
    assert_int_equal(sys.checks[ISREG_CHECK_EXCHANGE], ISREG_CHECK_UNKNOWN);
    assert_int_equal(sys.compliance, ISREG_COMPLIANT);

    /* a change declared 30 days after it happened: 10 days late; the
     * public keeps seeing version 1 until version 2 is registered */
    days_ago(30, card.change_on);
    card.change_note = "A new module for VAT refunds";
    const char *foreign[] = {"din-id-card"};
    card.portal_services = (struct isreg_list){foreign, 1};
    assert_int_equal(isreg_save_card(x->db, &x->officer, "", "avis", &card, &version, &field, &err), 0);
    assert_int_equal(version, 2);
    assert_int_equal(isreg_submit(x->db, &x->officer, "", "avis", now, &late, &err), 0);
    assert_int_equal(late, 10);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), 0);
    assert_int_equal(sys.card.version, 1);
    assert_int_equal(sys.status, ISREG_REGISTERED);
    assert_int_equal(sys.nversions, 1);
    assert_int_equal(isreg_register(x->db, &x->operator, "", "avis", now, &err), 0);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), 0);
    assert_int_equal(sys.card.version, 2);
    assert_int_equal(sys.nversions, 2);
    assert_int_equal(sys.versions[1].status, ISREG_CARD_SUPERSEDED);
    assert_int_equal(sys.card.late_days, 10);
    assert_int_equal(sys.checks[ISREG_CHECK_ON_TIME], ISREG_CHECK_FAIL);
    assert_int_equal(sys.checks[ISREG_CHECK_PORTAL], ISREG_CHECK_FAIL);   /* din's service, not vn's */
    assert_int_equal(sys.compliance, ISREG_NOT_COMPLIANT);

    /* staff see every decision */
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, &x->operator, "avis", &sys, &err), 0);
    assert_int_equal(sys.ndecisions, 6);   /* submitted, returned, submitted, registered, submitted, registered */
    assert_string_equal(sys.decisions[4].decision, "returned");
    assert_string_equal(sys.decisions[4].remarks, "Add the legal act's number");

    /* findings: open one past its date, then close it */
    char fid[33];
    assert_int_equal(isreg_finding_open(x->db, &x->officer, "", "avis", "x", "2026-01-01", fid, &err), PC_EDENIED);
    char past[11];
    days_ago(1, past);
    assert_int_equal(isreg_finding_open(x->db, &x->operator, "", "avis", "FİN used beyond the declared purpose", past,
                                        fid, &err), 0);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, &x->officer, "avis", &sys, &err), 0);
    assert_int_equal(sys.checks[ISREG_CHECK_FINDINGS], ISREG_CHECK_FAIL);
    assert_int_equal(sys.nfindings, 1);
    assert_int_equal(isreg_finding_close(x->db, &x->operator, "", "avis", fid, "Purpose extended by order 12", &err), 0);
    assert_int_equal(isreg_finding_close(x->db, &x->operator, "", "avis", fid, "again", &err), PC_ENOTFOUND);

    /* de-registration: not in the future, warned about exchange services */
    char tomorrow[11];
    days_ago(-1, tomorrow);
    assert_int_equal(isreg_deregister(x->db, &x->officer, "", "avis", tomorrow, "stopped", false, now, &err), PC_EINVAL);
    days_ago(2, d);
    assert_int_equal(isreg_deregister(x->db, &x->other, "", "avis", d, "stopped", true, now, &err), PC_EDENIED);
    assert_int_equal(isreg_deregister(x->db, &x->officer, "", "avis", d, "stopped", false, now, &err), PC_ECONFLICT);
    assert_non_null(strstr(err.msg, "AZ/GOV/1400000001/population/person"));
    assert_int_equal(isreg_deregister(x->db, &x->officer, "", "avis", d, "Replaced by AVİS-2", true, now, &err), 0);
    assert_int_equal(isreg_save_card(x->db, &x->officer, "", "avis", &card, &version, &field, &err), PC_ECONFLICT);
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "avis", &sys, &err), 0);
    assert_int_equal(sys.status, ISREG_DEREGISTERED);
    assert_string_equal(sys.deregistered_on, d);
}

/* The public list, its search and paging. */
static void check_list(struct fx *x)
{
    struct pc_err err = {0};
    const char *field;
    int64_t now = pc_now_unix();
    char d[11];
    days_ago(1, d);
    static const char *const ids[] = {"vn-a", "vn-b", "vn-c", "vn-d", "vn-e"};
    for (int i = 0; i < 5; i++) {
        struct isreg_card c = good_card(d);
        c.name.s[PC_LANG_AZ] = i == 2 ? "Əmlak vergisi uçotu" : "Gömrük bəyannaməsi";
        assert_int_equal(isreg_create(x->db, &x->officer, "", ids[i], "vn", &c, &field, &err), 0);
        int late;
        assert_int_equal(isreg_submit(x->db, &x->officer, "", ids[i], now, &late, &err), 0);
        if (i < 4)
            assert_int_equal(isreg_register(x->db, &x->operator, "", ids[i], now, &err), 0);
    }
    struct isreg_filter f = {.status = -1, .limit = 2};
    struct isreg_page p;
    int seen = 0;
    const char *cursor = NULL;
    do {
        f.cursor = cursor;
        assert_int_equal(isreg_list(x->db, &x->arena, NULL, &f, &p, &err), 0);
        for (size_t i = 0; i < p.n; i++) {
            assert_null(p.items[i].card.hosting);
            assert_string_not_equal(p.items[i].id, "vn-e");    /* submitted, not registered */
            seen++;
        }
        cursor = p.next;
    } while (cursor);
    assert_int_equal(seen, 5);   /* avis (de-registered) and vn-a..vn-d */

    /* folding search: "emlak" finds "Əmlak" */
    f = (struct isreg_filter){.q = "EMLAK vergisi", .status = -1, .limit = 50};
    assert_int_equal(isreg_list(x->db, &x->arena, NULL, &f, &p, &err), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].id, "vn-c");
    f = (struct isreg_filter){.status = ISREG_DEREGISTERED, .limit = 50};
    assert_int_equal(isreg_list(x->db, &x->arena, NULL, &f, &p, &err), 0);
    assert_int_equal(p.n, 1);
    /* the public asking for submitted systems gets none; the operator gets vn-e */
    f = (struct isreg_filter){.status = ISREG_SUBMITTED, .limit = 50};
    assert_int_equal(isreg_list(x->db, &x->arena, NULL, &f, &p, &err), 0);
    assert_int_equal(p.n, 0);
    assert_int_equal(isreg_list(x->db, &x->arena, &x->operator, &f, &p, &err), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.items[0].id, "vn-e");
    f = (struct isreg_filter){.cursor = "x'; DROP", .status = -1, .limit = 5};
    assert_int_equal(isreg_list(x->db, &x->arena, NULL, &f, &p, &err), PC_EINVAL);
}

/* The 20-day clock: the overdue list and reminders, each sent once. */
static void check_clock(struct fx *x)
{
    struct pc_err err = {0};
    const char *field;
    char d[11];
    days_ago(25, d);
    struct isreg_card c = good_card(d);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "vn-late", "vn", &c, &field, &err), 0);
    days_ago(17, d);
    c = good_card(d);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "vn-soon", "vn", &c, &field, &err), 0);
    days_ago(2, d);
    c = good_card(d);
    assert_int_equal(isreg_create(x->db, &x->officer, "", "vn-fresh", "vn", &c, &field, &err), 0);

    int64_t today = isreg_day_of(pc_now_unix());
    struct isreg_overdue *o;
    size_t n;
    assert_int_equal(isreg_overdue(x->db, &x->arena, &x->citizen, today, &o, &n, &err), PC_EDENIED);
    assert_int_equal(isreg_overdue(x->db, &x->arena, &x->other, today, &o, &n, &err), 0);
    assert_int_equal(n, 0);                      /* din has none */
    assert_int_equal(isreg_overdue(x->db, &x->arena, &x->operator, today, &o, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(o[0].system_id, "vn-late");
    assert_int_equal(o[0].days_late, 5);
    assert_string_equal(o[1].system_id, "vn-soon");
    assert_int_equal(o[1].days_late, -3);

    int before = count_reminders(x), sent = 0;
    assert_int_equal(isreg_remind(x->db, today, &sent, &err), 0);
    assert_int_equal(sent, 2);
    int after = count_reminders(x);
    assert_true(after > before);
    assert_int_equal(isreg_remind(x->db, today, &sent, &err), 0);
    assert_int_equal(sent, 0);
    assert_int_equal(count_reminders(x), after);

    /* the reminder renders in every language */
    struct notify_text t;
    assert_int_equal(notify_render(&x->arena, "isreg-deadline", "ru",
                                   "{\"kind\":\"overdue\",\"system\":\"S\",\"id\":\"s\",\"due\":\"2026-01-01\",\"days\":3}",
                                   &t, &err), 0);
}

static void check_stats(struct fx *x)
{
    struct pc_err err = {0};
    struct isreg_known k = {.agency_id = "din", .name = "Köhnə arxiv sistemi", .source = ISREG_SRC_INSPECTION};
    days_ago(10, k.noted_on);
    char kid[33];
    assert_int_equal(isreg_known_add(x->db, &x->officer, "", &k, kid, &err), PC_EDENIED);
    assert_int_equal(isreg_known_add(x->db, &x->operator, "", &k, kid, &err), 0);
    struct isreg_stats st;
    assert_int_equal(isreg_stats(x->db, &x->arena, isreg_day_of(pc_now_unix()), &st, &err), 0);
    /* vn: vn-a..d registered, vn-e submitted, three drafts; avis gone; din: one known */
    assert_int_equal(st.nagencies, 2);
    assert_string_equal(st.agencies[0].agency_id, "din");
    assert_int_equal(st.agencies[0].known, 1);
    assert_int_equal(st.agencies[0].registered, 0);
    assert_string_equal(st.agencies[1].agency_id, "vn");
    assert_int_equal(st.agencies[1].known, 8);
    assert_int_equal(st.agencies[1].registered, 4);
    assert_int_equal(st.totals.known, 9);
    assert_int_equal(st.totals.registered, 4);
    assert_int_equal(st.fine_min, 5 * ISREG_FINE_MIN);
    assert_int_equal(st.fine_max, 5 * ISREG_FINE_MAX);
    assert_true(st.nyears >= 1);
    assert_int_equal(st.years[st.nyears - 1].known, 9);
}

static void check_demo(struct fx *x)
{
    struct pc_err err = {0};
    char dir[600];
    snprintf(dir, sizeof dir, "%s/data/isreg", getenv("PENCERE_SRC"));
    int64_t now = pc_now_unix();
    assert_int_equal(isreg_load_demo(x->db, dir, now, &err), 0);
    struct isreg_stats a, b;
    assert_int_equal(isreg_stats(x->db, &x->arena, isreg_day_of(now), &a, &err), 0);
    assert_int_equal(isreg_load_demo(x->db, dir, now, &err), 0);    /* twice: nothing new */
    assert_int_equal(isreg_stats(x->db, &x->arena, isreg_day_of(now), &b, &err), 0);
    assert_int_equal(a.totals.known, b.totals.known);
    assert_int_equal(a.totals.registered, b.totals.registered);
    assert_true(a.totals.known > a.totals.registered);
    bool published = false;
    for (size_t i = 0; i < a.nyears; i++)
        published |= a.years[i].year == 2013 && a.years[i].known == 80 && a.years[i].registered == 35;
    assert_true(published);
    struct isreg_system sys;
    assert_int_equal(isreg_get(x->db, NULL, &x->arena, NULL, "iamas", &sys, &err), 0);
    assert_int_equal(sys.status, ISREG_REGISTERED);
    struct isreg_overdue *o;
    size_t n;
    assert_int_equal(isreg_overdue(x->db, &x->arena, &x->operator, isreg_day_of(now), &o, &n, &err), 0);
    assert_true(n >= 4);   /* the three of check_clock and the demo's late drafts */
}

/* The whole register on the database of the group (fixture.h: SQLite,
 * then PostgreSQL when a server is given). */
static void test_register(void **state)
{
    struct fixture *f = *state;
    struct fx x = {.db = f->db};
    fill(&x);
    check_lifecycle(&x);
    check_list(&x);
    check_clock(&x);
    check_stats(&x);
    check_demo(&x);
    pc_arena_release(&x.arena);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_card_checks),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_register),
    };
    int failed = cmocka_run_group_tests_name("isreg", pure, NULL, NULL);
    return failed + fx_run("isreg", db, sizeof db / sizeof db[0]);
}
