/* test_participation.c — unit tests of src/participation and src/queue:
 * dates of the queue, the canonical tally document; on SQLite and
 * PostgreSQL: votes from many threads counted exactly once, with the
 * poll closing and counted while votes still arrive (each vote is in the
 * count or refused), eligibility groups, reminders of the queue's job and
 * the per-service aggregates that monitoring reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>

#include "../../src/participation/internal.h"
#include "../../src/queue/internal.h"
#include "../../src/catalog/catalog.h"
#include "fixture.h"

#include <limits.h>

/* ---- pure ---------------------------------------------------------------- */

static void test_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(q_day_number("1970-01-01"), INT64_MIN); /* before 2000: refused */
    assert_int_equal(q_day_number("2000-01-01"), 10957);
    assert_int_equal(q_day_number("2024-02-29"), 19782);
    assert_int_equal(q_day_number("2023-02-29"), INT64_MIN);
    assert_int_equal(q_day_number("2026-13-01"), INT64_MIN);
    assert_int_equal(q_day_number("2026-12-7"), INT64_MIN);
    assert_int_equal(q_day_number("2026-12-07x"), INT64_MIN);
    assert_int_equal(q_day_number("2023-02-\f9"), INT64_MIN); /* found by fuzz_queue_day: scanf skipped the blank */
    assert_int_equal(q_day_number("2026-+1-07"), INT64_MIN);
    assert_int_equal(q_day_number(NULL), INT64_MIN);
    struct queue_centre baku = {.utc_offset = 240};
    char day[11];
    queue_local_day(&baku, 1796601600 - 4 * 3600, day); /* 2026-12-07T00:00 Baku */
    assert_string_equal(day, "2026-12-07");
    queue_local_day(&baku, 1796601600 - 4 * 3600 - 1, day);
    assert_string_equal(day, "2026-12-06");
    assert_int_equal(q_day_start(&baku, q_day_number("2026-12-07")), 1796601600 - 4 * 3600);
}

static void test_the_tally_document_is_canonical(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct part_option o[2] = {{.id = "1", .label = {{"Bəli", "Yes", "Да"}}, .votes = 7},
                               {.id = "2", .label = {{"Xeyr", "No", "Нет"}}, .votes = 3}};
    struct part_poll p = {.id = "abc", .question = {{"Sual?", "Question?", "Вопрос?"}}, .opens_at = 0,
                          .closes_at = 60, .options = o, .noptions = 2};
    const char *d = part_tally_document(&a, &p, 10, 120);
    assert_string_equal(d, "{\"closes_at\":\"1970-01-01T00:01:00Z\",\"counted_at\":\"1970-01-01T00:02:00Z\","
                           "\"opens_at\":\"1970-01-01T00:00:00Z\",\"options\":[{\"id\":\"1\",\"label\":\"B\\u0259li\","
                           "\"votes\":7},{\"id\":\"2\",\"label\":\"Xeyr\",\"votes\":3}],\"poll\":\"abc\","
                           "\"question\":\"Sual?\",\"secret\":false,\"total\":10,\"voters\":10}");
    pc_arena_release(&a);
}

/* ---- with a database ---------------------------------------------------------- */

static const struct id_principal operator_ = {.account_id = "op", .login = "operator", .kind = ID_ACCOUNT_STAFF,
                                              .grants = {{ID_ROLE_OPERATOR, ""}}, .ngrants = 1};

static void citizen(struct id_principal *p, char fin[8], int i)
{
    snprintf(fin, 8, "V%06d", i);
    *p = (struct id_principal){.account_id = fin, .login = fin, .kind = ID_ACCOUNT_CITIZEN, .fin = fin,
                               .grants = {{ID_ROLE_CITIZEN, ""}}, .ngrants = 1};
}

static const char *make_poll(struct db *db, struct pc_arena *a, bool changeable, const struct id_group *g)
{
    const struct pc_text opts[] = {{{"A", "A", "A"}}, {{"B", "B", "B"}}, {{"C", "C", "C"}}};
    int64_t now = pc_now_unix();
    struct part_poll_new p = {.question = {{"S?", "Q?", "В?"}}, .options = opts, .noptions = 3, .opens_at = now,
                              .closes_at = now + 3600, .changeable = changeable};
    if (g)
        p.group = *g;
    const char *id;
    struct pc_err err = {0};
    if (part_poll_create(db, &operator_, &p, NULL, a, &id, &err))
        fail_msg("poll: %s", err.msg);
    return id;
}

struct voters {
    struct db *db;
    const char *poll;
    int first, count;
    int accepted;                /* votes that returned 0 */
};

static void *vote_many(void *arg)
{
    struct voters *v = arg;
    for (int i = v->first; i < v->first + v->count; i++) {
        struct id_principal p;
        char fin[8];
        citizen(&p, fin, i);
        struct part_receipt r;
        enum part_refusal why;
        struct pc_err err = {0};
        const char *opt = i % 3 == 0 ? "1" : i % 3 == 1 ? "2" : "3";
        for (int again = 0; again < 2; again++) /* each person tries twice: the second is refused */
            if (part_vote(v->db, &p, v->poll, opt, NULL, &r, &why, &err) == 0)
                v->accepted++;
    }
    db_conn_release_thread(v->db);
    return NULL;
}

static void run_voters(struct db *db, const char *poll, struct voters *v, int threads, int each)
{
    pthread_t t[16];
    for (int i = 0; i < threads; i++) {
        v[i] = (struct voters){db, poll, i * each, each, 0};
        pthread_create(&t[i], NULL, vote_many, &v[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
}

static void test_concurrent_votes_are_counted_exactly_once(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *poll = make_poll(f->db, &a, false, NULL);
    struct voters v[8];
    run_voters(f->db, poll, v, 8, 60);
    int accepted = 0;
    for (int i = 0; i < 8; i++)
        accepted += v[i].accepted;
    assert_int_equal(accepted, 480);
    struct part_poll p;
    struct part_results res;
    struct pc_err err = {0};
    assert_int_equal(part_poll_get(f->db, &a, poll, &p, &err), 0);
    assert_int_equal(part_results(f->db, &a, &p, &res, &err), 0);
    assert_int_equal(res.total, 480);
    assert_int_equal(res.voters, 480);
    assert_int_equal(p.options[0].votes, 160);
    assert_int_equal(p.options[2].votes, 160);
    pc_arena_release(&a);
}

struct closer {
    struct db *db;
    const char *poll;
};

static void *close_midway(void *arg)
{
    struct closer *c = arg;
    struct pc_err err = {0};
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    if (part_poll_close_now(c->db, &operator_, c->poll, NULL, &err))
        fail_msg("close: %s", err.msg);
    struct part_config cfg;
    part_config_defaults(&cfg);
    int counted, published;
    if (part_tally_round(c->db, &cfg, &counted, &published, &err))
        fail_msg("tally: %s", err.msg);
    db_conn_release_thread(c->db);
    return NULL;
}

static void test_each_vote_is_in_the_count_or_refused(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    const char *poll = make_poll(f->db, &a, true, NULL);
    struct closer cl = {f->db, poll};
    pthread_t t;
    pthread_create(&t, NULL, close_midway, &cl);
    struct voters v[4];
    run_voters(f->db, poll, v, 4, 150);
    pthread_join(t, NULL);
    db_idle(f->db); /* a new snapshot: the count was made on another thread */
    int accepted = 0;
    for (int i = 0; i < 4; i++)
        accepted += v[i].accepted;
    struct part_poll p;
    struct part_results res;
    struct pc_err err = {0};
    assert_int_equal(part_poll_get(f->db, &a, poll, &p, &err), 0);
    assert_true(p.counted);
    assert_int_equal(part_results(f->db, &a, &p, &res, &err), 0);
    assert_true(res.has_tally);
    /* a changeable poll takes a second vote as a change: voters count once */
    json_t *doc = json_loads(res.tally.document, 0, NULL);
    assert_non_null(doc);
    int64_t voters = json_integer_value(json_object_get(doc, "voters"));
    assert_int_equal(json_integer_value(json_object_get(doc, "total")), voters);
    assert_true(voters <= 600 && accepted >= voters && accepted <= 2 * voters);
    json_decref(doc);
    /* nothing changes after the count */
    struct id_principal late;
    char fin[8];
    citizen(&late, fin, 9999);
    struct part_receipt r;
    enum part_refusal why;
    assert_int_equal(part_vote(f->db, &late, poll, "1", NULL, &r, &why, &err), PC_ECONFLICT);
    assert_int_equal(why, PART_REFUSAL_CLOSED);
    pc_arena_release(&a);
}

static void test_only_the_group_votes(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    assert_int_equal(id_population_generate(f->db, 77, 0, 40, &err), 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct id_group g = {.min_age = 30, .max_age = 60};
    const char *poll = make_poll(f->db, &a, false, &g);
    int in = 0, out = 0;
    char day[11];
    part_day(pc_now_unix(), day);
    for (int i = 0; i < 40; i++) {
        char fin[8];
        id_population_fin(77, i, fin);
        struct id_principal p = {.account_id = fin, .kind = ID_ACCOUNT_CITIZEN, .fin = fin,
                                 .grants = {{ID_ROLE_CITIZEN, ""}}, .ngrants = 1};
        bool member;
        assert_int_equal(id_group_member(fx_conn(f), fin, &g, day, &member, &err), 0);
        struct part_receipt r;
        enum part_refusal why;
        int rc = part_vote(f->db, &p, poll, "1", NULL, &r, &why, &err);
        if (member) {
            assert_int_equal(rc, 0);
            in++;
        } else {
            assert_int_equal(rc, PC_EDENIED);
            assert_int_equal(why, PART_REFUSAL_NOT_ELIGIBLE);
            out++;
        }
    }
    assert_true(in > 0 && out > 0);
    /* no population record: not in any group */
    struct id_principal stranger;
    char fin[8];
    citizen(&stranger, fin, 1);
    struct part_receipt r;
    enum part_refusal why;
    assert_int_equal(part_vote(f->db, &stranger, poll, "1", NULL, &r, &why, &err), PC_EDENIED);
    pc_arena_release(&a);
}

static void import_catalog(struct db *db)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/catalog", getenv("PENCERE_SRC"));
    struct cat_import_stats st;
    struct pc_err err = {0};
    if (cat_import(db, dir, stderr, &st, &err))
        fail_msg("import: %s", err.msg);
}

static void test_reminders_go_once_for_the_next_day(void **state)
{
    struct fixture *f = *state;
    import_catalog(f->db);
    struct pc_err err = {0};
    const char *service_of[] = {"din-fine-check"};
    struct queue_centre c = {.id = "rem", .agency_id = "din", .name = {{"R", "R", "R"}},
                             .address = {{"", "", ""}}, .counters = 1, .service_of = service_of,
                             .slot_minutes = 60, .utc_offset = 240};
    for (int d = 0; d < 7; d++)
        c.week[d] = (struct queue_hours){0, 1440};
    assert_int_equal(queue_centre_put(f->db, NULL, &c, NULL, &err), 0);
    int64_t reminded;
    assert_int_equal(queue_round(f->db, pc_now_unix(), &reminded, &err), 0);  /* makes the slots */
    assert_int_equal(reminded, 0);
    struct pc_arena a;
    pc_arena_init(&a);
    char day[11];
    queue_local_day(&c, pc_now_unix() + 2 * 86400, day);
    struct queue_slot *s;
    size_t n;
    assert_int_equal(queue_slots(f->db, &a, "rem", "din-fine-check", day, &s, &n, &err), 0);
    assert_int_equal(n, 24);
    struct queue_booker b = {.name = "Ad", .phone = "+994501234567", .lang = PC_LANG_EN};
    struct queue_booking bk;
    assert_int_equal(queue_book(f->db, &b, s[10].id, NULL, &a, &bk, &err), 0);
    /* two days ahead: not yet; a day before: once */
    assert_int_equal(queue_round(f->db, pc_now_unix(), &reminded, &err), 0);
    assert_int_equal(reminded, 0);
    assert_int_equal(queue_round(f->db, bk.start - 3600, &reminded, &err), 0);
    assert_int_equal(reminded, 1);
    assert_int_equal(queue_round(f->db, bk.start - 1800, &reminded, &err), 0);
    assert_int_equal(reminded, 0);
    /* closed that day: the booking is cancelled, the slots go and the job does not make them again */
    int64_t told;
    assert_int_equal(queue_holiday_add(f->db, NULL, "rem", day, "Bayram", NULL, &told, &err), 0);
    assert_int_equal(told, 1);
    assert_int_equal(queue_round(f->db, pc_now_unix(), &reminded, &err), 0);
    assert_int_equal(queue_slots(f->db, &a, "rem", "din-fine-check", day, &s, &n, &err), 0);
    assert_int_equal(n, 0);
    pc_arena_release(&a);
}

static void test_aggregates_per_service(void **state)
{
    struct fixture *f = *state;
    import_catalog(f->db);
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    int64_t since = pc_now_unix() - 10;
    for (int i = 0; i < 6; i++) {
        struct id_principal p;
        char fin[8];
        citizen(&p, fin, 500 + i);
        assert_int_equal(part_feedback_give(f->db, &p, "din-id-card", NULL, 1 + i % 5, i == 0 ? "Yaxşı" : NULL,
                                            PC_LANG_AZ, NULL, &err), 0);
        struct part_complaint c;
        if (i < 2)
            assert_int_equal(part_complaint_file(f->db, &p, "din-fine-check", NULL, PART_CK_STAFF, "Şikayət",
                                                 PC_LANG_AZ, NULL, &a, &c, &err), 0);
    }
    struct part_service_feedback *agg;
    size_t n;
    assert_int_equal(part_feedback_by_service(f->db, &a, since, pc_now_unix() + 10, &agg, &n, &err), 0);
    assert_int_equal(n, 2);
    const struct part_service_feedback *card = strcmp(agg[0].service_id, "din-id-card") == 0 ? &agg[0] : &agg[1];
    const struct part_service_feedback *fine = card == &agg[0] ? &agg[1] : &agg[0];
    assert_int_equal(card->ratings[0], 2);
    assert_int_equal(card->ratings[4], 1);
    assert_int_equal(card->comments, 0);   /* waiting for moderation */
    assert_int_equal(fine->complaints, 2);
    assert_int_equal(fine->by_kind[PART_CK_STAFF], 2);
    assert_int_equal(fine->answered, 0);
    assert_int_equal(fine->overdue, 0);
    assert_string_equal(fine->agency_id, "din");
    fx_exec(fx_conn(f), "UPDATE complaints SET due_at = 1");   /* their deadline passed */
    assert_int_equal(part_feedback_by_service(f->db, &a, since, pc_now_unix() + 10, &agg, &n, &err), 0);
    assert_int_equal(agg[0].overdue + agg[1].overdue, 2);
    struct part_rating_stats st;
    assert_int_equal(part_service_ratings(f->db, "din-id-card", &st, &err), 0);
    assert_int_equal(st.total, 6);
    assert_true(st.average > 2.6 && st.average < 2.7);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_day_numbers),
        cmocka_unit_test(test_the_tally_document_is_canonical),
    };
    int failed = cmocka_run_group_tests_name("participation", pure, NULL, NULL);
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_concurrent_votes_are_counted_exactly_once),
        cmocka_unit_test(test_each_vote_is_in_the_count_or_refused),
        cmocka_unit_test(test_only_the_group_votes),
        cmocka_unit_test(test_reminders_go_once_for_the_next_day),
        cmocka_unit_test(test_aggregates_per_service),
    };
    return failed + fx_run("participation-db", db_tests, sizeof db_tests / sizeof db_tests[0]);
}
