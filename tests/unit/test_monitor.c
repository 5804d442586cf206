/* test_monitor.c — unit tests of src/monitor's methodology engine: answers
 * and shares, the infrastructure index truncated to two decimals, the
 * maturity level on the 3-, 4- and 5-level models with not-applicable
 * questions, the bands of e-participation and e-transparency (10- and
 * 8-point scales), the edge cases the methodology defines, questionnaire
 * and campaign files with their errors by line, and the 2014 campaign of
 * data/evaluations: its infrastructure index and the band of every
 * published participation and transparency score; the live
 * self-assessment; usage statistics (periods, aggregates by day and by
 * month, counting in memory) on SQLite and PostgreSQL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../src/cases/cases.h"
#include "../../src/catalog/catalog.h"
#include "../../src/identity/identity.h"
#include "../../src/monitor/monitor.h"
#include "fixture.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Answers of criterion c from "id=value" pairs separated by spaces. */
static struct mon_answers answers(enum mon_criterion c, const char *pairs)
{
    struct mon_answers a;
    memset(&a, 0, sizeof a);
    a.criterion = c;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", pairs);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        assert_non_null(eq);
        *eq = 0;
        int i = mon_question_index(c, tok);
        assert_true(i >= 0);
        struct pc_err err = {0};
        assert_int_equal(mon_answer_parse(eq + 1, &a.a[i], &err), 0);
    }
    return a;
}

/* n questions of criterion c answered: the first `yes` 1, the rest 0. */
static struct mon_answers yes_first(enum mon_criterion c, size_t n, size_t yes)
{
    struct mon_answers a;
    memset(&a, 0, sizeof a);
    a.criterion = c;
    for (size_t i = 0; i < n; i++)
        a.a[i].kind = i < yes ? MON_ANS_YES : MON_ANS_NO;
    return a;
}

static char *read_src(const char *rel, size_t *len)
{
    const char *src = getenv("PENCERE_SRC");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", src, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char data[1 << 16];
    *len = fread(data, 1, sizeof data - 1, f);
    data[*len] = 0;
    fclose(f);
    return data;
}

/* ---- answers ------------------------------------------------------------------ */

static void test_answers_and_shares(void **state)
{
    (void)state;
    struct mon_answer v;
    struct pc_err err = {0};
    assert_int_equal(mon_answer_parse("1", &v, &err), 0);
    assert_int_equal(v.kind, MON_ANS_YES);
    assert_int_equal(mon_answer_parse(" no ", &v, &err), 0);
    assert_int_equal(v.kind, MON_ANS_NO);
    assert_int_equal(mon_answer_parse("null", &v, &err), 0);
    assert_int_equal(v.kind, MON_ANS_NA);
    assert_int_equal(mon_answer_parse("50.5%", &v, &err), 0);
    assert_int_equal(v.kind, MON_ANS_SHARE);
    assert_int_equal(v.share, 5050);
    const char *bad[] = {"", "2", "maybe", "101%", "50.555%", "%", "-1%", "5 0%", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(mon_answer_parse(bad[i], &v, &err), PC_EINVAL);
    struct pc_arena a;
    pc_arena_init(&a);
    v = (struct mon_answer){MON_ANS_SHARE, 6300};
    assert_string_equal(mon_answer_text(&a, &v), "63%");
    pc_arena_release(&a);
}

/* ---- infrastructure ---------------------------------------------------------- */

static const char *all_infra(const char *last)
{
    static char buf[1024];
    size_t n, o = 0;
    const struct mon_question *q = mon_questions(MON_INFRA, &n);
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s=%s ", q[i].id, i + 1 == n ? last : "1");
    return buf;
}

static void test_infra_truncates_and_sums(void **state)
{
    (void)state;
    /* 3 of 9, all, 2 of 3, 1, 2 of 2, 0, 2 of 2: the 2014 answers */
    struct mon_answers a = answers(MON_INFRA, "1.1=1 1.2=0 1.3=1 1.4=1 1.5=0 1.6=0 1.7=0 1.8=0 1.9=0 "
                                              "2.1=1 2.2=1 2.3=1 2.4=1 2.5=63% 2.6=51% 2.7=100% "
                                              "3.1=1 3.2=50.01% 3.3=50% 4.1=1 5.1=1 5.2=1 6.1=0 7.1=1 7.2=1");
    struct mon_infra_result r;
    struct pc_err err = {0};
    assert_int_equal(mon_score_infra(&a, &r, &err), 0);
    int want[MON_INFRA_COMPONENTS] = {33, 100, 66, 100, 100, 0, 100};
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++)
        assert_int_equal(r.component[k], want[k]);
    assert_int_equal(r.index, 499);
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    mon_infra_json(&r, &b);
    assert_string_equal(b.data, "{\"components\": {\"1\": 0.33, \"2\": 1, \"3\": 0.66, \"4\": 1, \"5\": 1, \"6\": 0, "
                                "\"7\": 1}, \"index\": 4.99}");
    pc_buf_release(&b);
    struct pc_arena ar;
    pc_arena_init(&ar);
    assert_string_equal(mon_printed(&ar, 7, r.index), "7/4.99");
    assert_string_equal(mon_printed(&ar, 1, 50), "1/0.5");
    pc_arena_release(&ar);
}

static void test_infra_edge_cases(void **state)
{
    (void)state;
    struct mon_infra_result r;
    struct pc_err err = {0};
    struct mon_answers a = answers(MON_INFRA, all_infra("1"));
    assert_int_equal(mon_score_infra(&a, &r, &err), 0);
    assert_int_equal(r.index, 700);
    a = answers(MON_INFRA, all_infra("na"));
    assert_int_equal(mon_score_infra(&a, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "7.2"));
    a = answers(MON_INFRA, all_infra("1"));
    a.a[0].kind = MON_ANS_MISSING;
    assert_int_equal(mon_score_infra(&a, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "question 1.1: not answered"));
    a = answers(MON_INFRA, all_infra("1"));
    a.a[0] = (struct mon_answer){MON_ANS_SHARE, 9000}; /* 1.1 is yes/no */
    assert_int_equal(mon_score_infra(&a, &r, &err), PC_EINVAL);
    a = answers(MON_DEVELOPMENT, "1=1");
    assert_int_equal(mon_score_infra(&a, &r, &err), PC_EINVAL);
}

/* ---- e-development ----------------------------------------------------------- */

static void test_levels_on_every_model(void **state)
{
    (void)state;
    /* the highest k with yes/applicable ≥ k/L, exact fractions */
    assert_int_equal(mon_level(3, 0, 15), 0);
    assert_int_equal(mon_level(3, 5, 15), 1);   /* 33.33 % */
    assert_int_equal(mon_level(3, 4, 15), 0);   /* 26.66 % */
    assert_int_equal(mon_level(3, 10, 15), 2);  /* 66.66 % is 2/3 exactly */
    assert_int_equal(mon_level(3, 14, 15), 2);
    assert_int_equal(mon_level(3, 15, 15), 3);
    assert_int_equal(mon_level(4, 3, 12), 1);   /* 25 % */
    assert_int_equal(mon_level(4, 9, 12), 3);   /* 75 % */
    assert_int_equal(mon_level(4, 11, 12), 3);
    assert_int_equal(mon_level(5, 3, 15), 1);   /* 20 % */
    assert_int_equal(mon_level(5, 11, 15), 3);  /* 73 % */
    assert_int_equal(mon_level(5, 12, 15), 4);  /* 80 % */
    assert_int_equal(mon_level(5, 15, 15), 5);
    assert_int_equal(mon_level(3, 0, 0), 0);
}

static void test_development_not_applicable(void **state)
{
    (void)state;
    struct mon_dev_result r;
    struct pc_err err = {0};
    /* 12 applicable, 8 yes: 66.66 %, level 2 of 3 and of 4 */
    struct mon_answers a = answers(MON_DEVELOPMENT, "1=1 2=1 3=1 4=1 5=1 6=1 7=1 8=1 9=0 10=0 11=0 12=0 "
                                                    "13=na 14=null 15=na");
    assert_int_equal(mon_score_development(&a, 3, &r, &err), 0);
    assert_int_equal(r.applicable, 12);
    assert_int_equal(r.percent, 6666);
    assert_int_equal(r.level, 2);
    assert_int_equal(mon_score_development(&a, 4, &r, &err), 0);
    assert_int_equal(r.level, 2);
    struct pc_buf b;
    pc_buf_init(&b, 256);
    mon_dev_json(&r, &b);
    assert_string_equal(b.data, "{\"percent\": 66.66, \"level\": 2}");
    pc_buf_release(&b);
    /* 0 %: level 0 */
    a = yes_first(MON_DEVELOPMENT, 15, 0);
    assert_int_equal(mon_score_development(&a, 5, &r, &err), 0);
    assert_int_equal(r.percent, 0);
    assert_int_equal(r.level, 0);
    /* nothing applies, a bad model, a share */
    a = answers(MON_DEVELOPMENT, "1=na 2=na 3=na 4=na 5=na 6=na 7=na 8=na 9=na 10=na 11=na 12=na 13=na 14=na 15=na");
    assert_int_equal(mon_score_development(&a, 3, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "no question applies"));
    a = yes_first(MON_DEVELOPMENT, 15, 15);
    assert_int_equal(mon_score_development(&a, 6, &r, &err), PC_EINVAL);
    a.a[4] = (struct mon_answer){MON_ANS_SHARE, 7000};
    assert_int_equal(mon_score_development(&a, 4, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "question 5"));
}

/* ---- e-participation and e-transparency ------------------------------------ */

static void test_participation_bands(void **state)
{
    (void)state;
    const enum mon_band want[11] = {MON_BAND_NONE, MON_BAND_WEAK, MON_BAND_WEAK, MON_BAND_WEAK,
                                    MON_BAND_SATISFACTORY, MON_BAND_SATISFACTORY, MON_BAND_SATISFACTORY,
                                    MON_BAND_GOOD, MON_BAND_GOOD, MON_BAND_EXCELLENT, MON_BAND_EXCELLENT};
    for (int s = 0; s <= 10; s++) {
        struct mon_answers a = yes_first(MON_PARTICIPATION, 10, (size_t)s);
        struct mon_score_result r;
        struct pc_err err = {0};
        assert_int_equal(mon_score_participation(&a, &r, &err), 0);
        assert_int_equal(r.score, s);
        assert_int_equal(r.max, 10);
        assert_int_equal(r.band, want[s]);
    }
    struct mon_score_result r = {7, 10, MON_BAND_GOOD};
    struct pc_buf b;
    pc_buf_init(&b, 256);
    mon_score_json(&r, &b);
    assert_string_equal(b.data, "{\"score\": 7, \"band\": \"good\"}");
    pc_buf_release(&b);
    struct mon_answers a = yes_first(MON_PARTICIPATION, 10, 3);
    a.a[2].kind = MON_ANS_NA; /* every participation question applies */
    struct pc_err err = {0};
    assert_int_equal(mon_score_participation(&a, &r, &err), PC_EINVAL);
}

static void test_transparency_scales(void **state)
{
    (void)state;
    const enum mon_band N = MON_BAND_NON_TRANSPARENT, R = MON_BAND_RELATIVELY_TRANSPARENT,
                        S = MON_BAND_SUFFICIENTLY_TRANSPARENT;
    const enum mon_band paid[11] = {MON_BAND_NONE, N, N, N, N, R, R, R, S, S, S};
    const enum mon_band free_[9] = {MON_BAND_NONE, N, N, N, R, R, S, S, S};
    struct mon_score_result r;
    struct pc_err err = {0};
    for (int s = 0; s <= 10; s++) {
        struct mon_answers a = yes_first(MON_TRANSPARENCY, 10, (size_t)s);
        assert_int_equal(mon_score_transparency(&a, true, &r, &err), 0);
        assert_int_equal(r.max, 10);
        assert_int_equal(r.band, paid[s]);
    }
    for (int s = 0; s <= 8; s++) {
        struct mon_answers a = yes_first(MON_TRANSPARENCY, 8, (size_t)s);
        assert_int_equal(mon_score_transparency(&a, false, &r, &err), 0);
        assert_int_equal(r.max, 8);
        assert_int_equal(r.score, s);
        assert_int_equal(r.band, free_[s]);
    }
    /* a free service answering the payment questions; "na" there is accepted */
    struct mon_answers a = yes_first(MON_TRANSPARENCY, 9, 9);
    assert_int_equal(mon_score_transparency(&a, false, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "question 9"));
    a = answers(MON_TRANSPARENCY, "1=1 2=1 3=1 4=1 5=1 6=1 7=1 8=1 9=na 10=na");
    assert_int_equal(mon_score_transparency(&a, false, &r, &err), 0);
    assert_int_equal(r.score, 8);
    /* a paid service must answer them, and not with "na" */
    assert_int_equal(mon_score_transparency(&a, true, &r, &err), PC_EINVAL);
    a = yes_first(MON_TRANSPARENCY, 8, 8);
    assert_int_equal(mon_score_transparency(&a, true, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "question 9: not answered"));
    for (int b = 0; b < MON_BAND_COUNT; b++)
        assert_int_equal(mon_band_parse(mon_band_name((enum mon_band)b)), b);
}

/* ---- files -------------------------------------------------------------------- */

static void test_questionnaire_files(void **state)
{
    (void)state;
    struct mon_answers a;
    struct pc_err err = {0};
    const char *csv = "question,answer\n1,1\n2,0\n3,1\n4,1\n5,1\n6,0\n7,1\n8,1\n9,1\n10,0\n";
    assert_int_equal(mon_sheet_parse(csv, strlen(csv), MON_PARTICIPATION, false, NULL, &a, &err), 0);
    struct mon_score_result r;
    assert_int_equal(mon_score_participation(&a, &r, &err), 0);
    assert_int_equal(r.score, 7);
    const char *json = "{\"1\": 1, \"2\": 1, \"3\": 1, \"4\": 0, \"5\": 1, \"6\": 1, \"7\": 1, \"8\": 0}";
    assert_int_equal(mon_sheet_parse(json, strlen(json), MON_TRANSPARENCY, true, NULL, &a, &err), 0);
    assert_int_equal(mon_score_transparency(&a, false, &r, &err), 0);
    assert_int_equal(r.score, 6);
    assert_int_equal(r.band, MON_BAND_SUFFICIENTLY_TRANSPARENT);

    /* every problem reported, with its line, and nothing scored */
    char *out = NULL;
    size_t outlen = 0;
    FILE *rep = open_memstream(&out, &outlen);
    const char *bad = "question,answer\n1,1\n1,0\n99,1\n3,maybe\n4\n";
    assert_int_equal(mon_sheet_parse(bad, strlen(bad), MON_PARTICIPATION, false, rep, &a, &err), PC_EINVAL);
    fclose(rep);
    assert_non_null(strstr(out, "line 3: question 1 is answered twice (first on line 2)"));
    assert_non_null(strstr(out, "line 4: unknown participation question \"99\""));
    assert_non_null(strstr(out, "line 5: question 3: \"maybe\" is not an answer"));
    assert_non_null(strstr(out, "line 6: a line is \"question,answer\""));
    assert_non_null(strstr(err.msg, "4 problems"));
    free(out);

    /* a missing question, told once every line is read */
    out = NULL;
    rep = open_memstream(&out, &outlen);
    const char *missing = "{\"1\": 1, \"2\": 0}";
    assert_int_equal(mon_sheet_parse(missing, strlen(missing), MON_PARTICIPATION, false, rep, &a, &err), PC_EINVAL);
    fclose(rep);
    assert_non_null(strstr(out, "question 3: not answered"));
    free(out);
    assert_int_equal(mon_sheet_parse("", 0, MON_INFRA, false, NULL, &a, &err), PC_EINVAL);
    assert_int_equal(mon_sheet_parse("{\"1.1\": 2}", 10, MON_INFRA, false, NULL, &a, &err), PC_EINVAL);
}

static const char campaign_jsonl[] =
    "{\"infrastructure\": {\"1.1\": 1, \"1.2\": 0, \"1.3\": 1, \"1.4\": 1, \"1.5\": 0, \"1.6\": 0, \"1.7\": 0, "
    "\"1.8\": 0, \"1.9\": 0, \"2.1\": 1, \"2.2\": 1, \"2.3\": 1, \"2.4\": 1, \"2.5\": 1, \"2.6\": 1, \"2.7\": 1, "
    "\"3.1\": 1, \"3.2\": 1, \"3.3\": 0, \"4.1\": 1, \"5.1\": 1, \"5.2\": 1, \"6.1\": 0, \"7.1\": 1, \"7.2\": 1}}\n"
    "{\"service\": \"din-plate-number-order\", \"agency\": \"din\", \"model\": 3, \"paid\": true, "
    "\"development\": {\"1\": 1, \"2\": 1, \"3\": 1, \"4\": 1, \"5\": 1, \"6\": 1, \"7\": 1, \"8\": 0, \"9\": 1, "
    "\"10\": 0, \"11\": 1, \"12\": 0, \"13\": 0, \"14\": null, \"15\": null}, "
    "\"transparency\": {\"1\": 1, \"2\": 0, \"3\": 0, \"4\": 0, \"5\": 0, \"6\": 0, \"7\": 0, \"8\": 0, \"9\": 0, "
    "\"10\": 0}}\n"
    "{\"service\": \"sn-e-health-card\", \"agency\": \"sn\", \"paid\": false, "
    "\"participation\": {\"1\": 1, \"2\": 1, \"3\": 1, \"4\": 0, \"5\": 1, \"6\": 1, \"7\": 0, \"8\": 0, \"9\": 0, "
    "\"10\": 0}}\n";

static void test_campaign_file_results(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct mon_sheet s;
    struct mon_results r;
    struct pc_err err = {0};
    assert_int_equal(mon_campaign_file_parse(&a, campaign_jsonl, strlen(campaign_jsonl), NULL, &s, &err), 0);
    assert_true(s.has_infra);
    assert_int_equal(s.nservices, 2);
    assert_int_equal(mon_results_of(&a, &s, &r, &err), 0);
    assert_int_equal(r.infra.index, 499);
    assert_int_equal(r.services[0].development.level, 2); /* 9 of 13: 69.23 % */
    assert_int_equal(r.services[0].development.percent, 6923);
    assert_int_equal(r.services[0].transparency.score, 1);
    assert_int_equal(r.services[1].participation.band, MON_BAND_SATISFACTORY);
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    mon_results_json(&r, &b);
    json_error_t je;
    json_t *o = json_loads(b.data, 0, &je);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(o,
                                          "services"), 0), "development"), "printed")), "3/2");
    assert_int_equal(json_array_size(json_object_get(o, "agencies")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "overall"), "below_level_3")), 1);
    json_decref(o);
    pc_buf_reset(&b);
    mon_results_csv(&r, &b);
    assert_non_null(strstr(b.data, "infrastructure,,index,7,4.99,,,7/4.99\r\n"));
    assert_non_null(strstr(b.data, "din-plate-number-order,din,development,3,2,69.23,2,3/2\r\n"));
    pc_buf_release(&b);

    /* the same campaign as CSV */
    const char *csv = "subject,agency,model,paid,criterion,question,answer\n"
                      "sn-e-health-card,sn,3,0,participation,1,1\n"
                      "sn-e-health-card,sn,3,0,participation,2,1\n"
                      "sn-e-health-card,sn,3,0,participation,3,0\n"
                      "sn-e-health-card,sn,3,0,participation,4,0\n"
                      "sn-e-health-card,sn,3,0,participation,5,0\n"
                      "sn-e-health-card,sn,3,0,participation,6,0\n"
                      "sn-e-health-card,sn,3,0,participation,7,0\n"
                      "sn-e-health-card,sn,3,0,participation,8,0\n"
                      "sn-e-health-card,sn,3,0,participation,9,0\n"
                      "sn-e-health-card,sn,3,0,participation,10,1\n";
    assert_int_equal(mon_campaign_file_parse(&a, csv, strlen(csv), NULL, &s, &err), 0);
    assert_int_equal(mon_results_of(&a, &s, &r, &err), 0);
    assert_int_equal(r.services[0].participation.score, 3);
    assert_int_equal(r.services[0].participation.band, MON_BAND_WEAK);
    pc_arena_release(&a);
}

static void test_campaign_file_bad_rows(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct mon_sheet s;
    struct pc_err err = {0};
    char *out = NULL;
    size_t outlen = 0;
    FILE *rep = open_memstream(&out, &outlen);
    const char *jsonl = "{\"service\": \"x\", \"agency\": \"din\"}\n"
                        "\n"
                        "{\"service\": \"din-a\", \"agency\": \"din\", \"model\": 7, \"development\": {\"1\": 1}}\n"
                        "not json\n"
                        "{\"service\": \"din-a\", \"agency\": \"din\", \"participation\": {}}\n"
                        "{\"service\": \"din-b\", \"agency\": \"din\", \"paid\": false, \"colour\": 1, "
                        "\"transparency\": {\"1\": 1, \"2\": 1, \"3\": 1, \"4\": 1, \"5\": 1, \"6\": 1, \"7\": 1, "
                        "\"8\": 1, \"9\": 1}}\n";
    assert_int_equal(mon_campaign_file_parse(&a, jsonl, strlen(jsonl), rep, &s, &err), PC_EINVAL);
    fclose(rep);
    assert_non_null(strstr(out, "line 1: \"service\" must be a service id"));
    assert_non_null(strstr(out, "line 3: \"model\" must be 3, 4 or 5"));
    assert_non_null(strstr(out, "line 4: not valid JSON"));
    assert_non_null(strstr(out, "line 5: service din-a is given twice (first on line 3)"));
    assert_non_null(strstr(out, "line 6: unknown field \"colour\""));
    assert_non_null(strstr(out, "line 6: din-b, transparency: question 9: a free service is scored out of 8"));
    free(out);

    out = NULL;
    rep = open_memstream(&out, &outlen);
    const char *csv = "subject,agency,model,paid,criterion,question,answer\n"
                      "din-a,din,3,1,development,1,1\n"
                      "din-a,din,4,1,development,2,1\n"
                      "din-a,din,3,1,colour,2,1\n"
                      "infrastructure,din,,,infrastructure,1.1,1\n"
                      "too,few\n";
    assert_int_equal(mon_campaign_file_parse(&a, csv, strlen(csv), rep, &s, &err), PC_EINVAL);
    fclose(rep);
    assert_non_null(strstr(out, "line 3: service din-a has another agency, model or paid than on line 2"));
    assert_non_null(strstr(out, "line 4: the criterion of a service is"));
    assert_non_null(strstr(out, "line 5: an infrastructure row has"));
    assert_non_null(strstr(out, "line 6: a row has 7 fields"));
    free(out);
    assert_int_equal(mon_campaign_file_parse(&a, "  \n", 3, NULL, &s, &err), PC_EINVAL);
    pc_arena_release(&a);
}

/* ---- the 2014 campaign -------------------------------------------------------- */

static void test_2014_infrastructure_index(void **state)
{
    (void)state;
    size_t len;
    const char *text = read_src("data/evaluations/2014/infrastructure.json", &len);
    struct mon_answers a;
    struct pc_err err = {0};
    assert_int_equal(mon_sheet_parse(text, len, MON_INFRA, false, stderr, &a, &err), 0);
    struct mon_infra_result r;
    assert_int_equal(mon_score_infra(&a, &r, &err), 0);
    /* as the report's table prints them (003 L5637-L6068): 0,33 1 0,66 1 1 0 1 */
    int want[MON_INFRA_COMPONENTS] = {33, 100, 66, 100, 100, 0, 100};
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++)
        assert_int_equal(r.component[k], want[k]);
    assert_int_equal(r.index, 499); /* printed "7/5": a discrepancy the data set records */
    text = read_src("data/evaluations/2014/campaign.json", &len);
    json_error_t je;
    json_t *c = json_loadb(text, len, 0, &je);
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(c, "infrastructure"),
                                                                          "published"), "index")), "7/5");
    bool recorded = false;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(c, "discrepancies"), i, d)
        recorded |= strstr(json_string_value(json_object_get(d, "what")), "4.99") != NULL;
    assert_true(recorded);
    json_decref(c);
}

/* The band the report prints, from its Azerbaijani words. */
static int published_band(const char *words)
{
    static const struct {
        const char *az;
        enum mon_band band;
    } w[] = {
        {"zəif", MON_BAND_WEAK}, {"kafi", MON_BAND_SATISFACTORY}, {"yaxşı", MON_BAND_GOOD},
        {"əla", MON_BAND_EXCELLENT}, {"qeyri şəffaf", MON_BAND_NON_TRANSPARENT},
        {"qeyri-şəffaf", MON_BAND_NON_TRANSPARENT}, {"nisbətən şəffaf", MON_BAND_RELATIVELY_TRANSPARENT},
        {"kifayət qədər şəffaf", MON_BAND_SUFFICIENTLY_TRANSPARENT}, {"", MON_BAND_NONE},
    };
    for (size_t i = 0; i < sizeof w / sizeof *w; i++)
        if (strcmp(words, w[i].az) == 0)
            return w[i].band;
    return -1;
}

static void printed(json_t *o, const char *key, int *max, int *score, const char **words)
{
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    assert_int_equal(sscanf(json_string_value(json_object_get(v, "printed")), "%d/%d", max, score), 2);
    *words = json_string_value(json_object_get(v, "words"));
    assert_non_null(*words);
}

static void test_2014_published_bands(void **state)
{
    (void)state;
    size_t len;
    char *text = read_src("data/evaluations/2014/services.jsonl", &len);
    int rows = 0, unlisted_words = 0, models[6] = {0};
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        assert_non_null(o);
        rows++;
        const char *id = json_string_value(json_object_get(o, "service")), *words;
        int max, score, model = (int)json_integer_value(json_object_get(o, "model"));
        bool noted = json_array_size(json_object_get(o, "discrepancies")) > 0;
        assert_true(mon_model_valid(model));
        models[model]++;
        printed(o, "development", &max, &score, &words);
        assert_int_equal(max, model);
        assert_true(score >= 0 && score <= model);

        printed(o, "participation", &max, &score, &words);
        assert_int_equal(max, 10);
        assert_int_equal(published_band(words), mon_participation_band(score));

        printed(o, "transparency", &max, &score, &words);
        assert_true(max == 8 || max == 10);
        assert_int_equal(max == 10, json_is_true(json_object_get(o, "paid")));
        int band = published_band(words);
        if (band < 0) {
            /* a word the methodology does not have: the data set must say so */
            fprintf(stderr, "%s: transparency printed with \"%s\" (recorded as a discrepancy)\n", id, words);
            assert_true(noted);
            unlisted_words++;
        } else {
            assert_int_equal(band, mon_transparency_band(score, max));
        }
        if (strcmp(id, "din-plate-number-order") == 0)
            assert_true(noted); /* 3/2 here, 4/2 in section IX */
        json_decref(o);
    }
    assert_int_equal(rows, 30);
    assert_int_equal(models[3], 12); /* the report: 12 services on the 3-level model, 18 on the 4-level */
    assert_int_equal(models[4], 18);
    assert_int_equal(unlisted_words, 2);
}

static void test_2014_published_campaign(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/evaluations/2014", getenv("PENCERE_SRC"));
    struct mon_published c;
    struct pc_err err = {0};
    assert_int_equal(mon_published_load(&a, dir, &c, &err), 0);
    assert_string_equal(c.id, "2014");
    assert_int_equal(c.nservices, 30);
    assert_int_equal(c.ngroups, 3);
    assert_true(c.has_infra);
    assert_int_equal(c.infra.index, 499);
    assert_string_equal(c.infra_printed_index, "7/5");
    assert_true(c.ndiscrepancies >= 1);
    const struct mon_published_service *plate = mon_published_service(&c, "din-plate-number-order");
    assert_non_null(plate);
    assert_int_equal(plate->development.max, 3);
    assert_int_equal(plate->development.score, 2);
    assert_int_equal(plate->transparency_band, MON_BAND_NON_TRANSPARENT);
    assert_int_equal(plate->ndiscrepancies, 1);
    assert_null(mon_published_service(&c, "no-such-service"));
    struct pc_buf b;
    pc_buf_init(&b, 1 << 20);
    mon_published_json(&c, &b);
    json_error_t je;
    json_t *o = json_loads(b.data, 0, &je);
    assert_non_null(o);
    json_t *infra = json_object_get(o, "infrastructure");
    assert_true(json_real_value(json_object_get(infra, "index")) == 4.99);
    assert_string_equal(json_string_value(json_object_get(infra, "printed_index")), "7/5");
    assert_int_equal(json_array_size(json_object_get(o, "services")), 30);
    json_decref(o);
    pc_buf_reset(&b);
    mon_published_csv(&c, &b);
    assert_non_null(strstr(b.data, "din-plate-number-order,din,citizen-registration,3.4,3,3/2,10/3,weak,10/1,"
                                   "non-transparent,1\r\n"));
    pc_buf_release(&b);
    /* a broken folder names the file and the line */
    assert_int_equal(mon_published_load(&a, "/nonexistent", &c, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

static void test_svg_bars(void **state)
{
    (void)state;
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    const struct mon_bar bars[] = {{"Autentik <mənbələr>", 33}, {"E-ödəmə", 100}};
    mon_svg_bars(&b, "c1", "Komponentlər & bal", bars, 2, 100);
    assert_non_null(strstr(b.data, "role=\"img\""));
    assert_non_null(strstr(b.data, "aria-labelledby=\"c1-t c1-d\""));
    assert_non_null(strstr(b.data, "<title id=\"c1-t\">Komponentlər &amp; bal</title>"));
    assert_non_null(strstr(b.data, "<desc id=\"c1-d\">Autentik &lt;mənbələr&gt;: 0.33; E-ödəmə: 1.</desc>"));
    assert_non_null(strstr(b.data, "width=\"520\""));       /* 1 of 1: the whole bar */
    assert_non_null(strstr(b.data, "width=\"171\""));       /* 0.33 of it */
    assert_null(strstr(b.data, "<mənbələr>"));
    /* counts of a national year do not fit an int in hundredths */
    pc_buf_reset(&b);
    const struct mon_bar big[] = {{"a", 3000000000LL * 100}, {"b", 1500000000LL * 100}};
    mon_svg_bars(&b, "c2", "t", big, 2, 3000000000LL * 100);
    assert_non_null(strstr(b.data, "<desc id=\"c2-d\">a: 3000000000; b: 1500000000.</desc>"));
    assert_non_null(strstr(b.data, "width=\"260\""));
    pc_buf_release(&b);
}

static void test_live_self_assessment(void **state)
{
    (void)state;
    struct cat_service s;
    memset(&s, 0, sizeof s);
    s.id = "x-service";
    s.description = (struct pc_text){{"Xidmət", "Service", "Услуга"}};
    s.free = true;
    s.login = CAT_LOGIN_CODE_PASSWORD;
    s.channels = CAT_BIT(CAT_CH_PORTAL);
    struct mon_live l;
    struct pc_err err = {0};
    /* no form: a page, a description, the portal, e-signature: 4 of 12 applicable, level 1 of 3 */
    assert_int_equal(mon_live_assess(&s, NULL, 0, &l, &err), 0);
    assert_int_equal(l.model, 3);
    assert_int_equal(l.result.applicable, 12);
    assert_int_equal(l.result.yes, 4);
    assert_int_equal(l.result.level, 1);
    assert_int_equal(l.answers.a[2].kind, MON_ANS_NO);  /* no regulation on record */
    assert_int_equal(l.answers.a[10].kind, MON_ANS_NA); /* free: no payment questions */
    /* a form without uploads, decided online, prefilled from the registry: 10 of 12, level 3 of 4 */
    struct form_question q = {.id = "fin", .type = FORM_FIN, .prefill = FORM_PREFILL_FIN};
    struct form_page page = {.id = "p1", .questions = &q, .nquestions = 1};
    struct form_def form = {.service = "x-service", .version = 1, .pages = &page, .npages = 1};
    form.workflow.steps = 1u << CASE_STEP_APPROVE;
    assert_int_equal(mon_live_assess(&s, &form, 0, &l, &err), 0);
    assert_int_equal(l.model, 4);
    assert_int_equal(l.result.yes, 10);
    assert_int_equal(l.result.level, 3);
    /* a paid service: no online payment on the platform, so not completed on the web */
    s.free = false;
    page.has_files = true;
    assert_int_equal(mon_live_assess(&s, &form, 0, &l, &err), 0);
    assert_int_equal(l.result.applicable, 14);
    assert_int_equal(l.result.yes, 8);
    assert_int_equal(l.result.level, 2);
    assert_int_equal(l.answers.a[7].kind, MON_ANS_NO); /* asks for uploaded documents */
    /* the model of the published evaluation is kept, and a claim above the measure is flagged */
    assert_int_equal(mon_live_assess(&s, &form, 3, &l, &err), 0);
    assert_int_equal(l.model, 3);
    assert_int_equal(l.result.level, 1); /* 8 of 14 = 57 % */
    assert_true(mon_live_below_claim(&l, 2, 3));
    assert_false(mon_live_below_claim(&l, 1, 3));
    assert_true(mon_live_below_claim(&l, 2, 4));   /* 2/4 > 1/3 */
    assert_false(mon_live_below_claim(&l, 1, 4));  /* 1/4 < 1/3 */
    assert_false(mon_live_below_claim(&l, 9, 0));  /* no claim */
}

/* ---- usage statistics ----------------------------------------------------------- */

static void test_usage_periods(void **state)
{
    (void)state;
    struct mon_period p;
    struct pc_err err = {0};
    assert_int_equal(mon_period_parse("2024-02", NULL, &p, &err), 0);
    assert_string_equal(p.from, "2024-02-01");
    assert_string_equal(p.to, "2024-02-29"); /* a leap year */
    assert_true(p.whole_months);
    assert_int_equal(mon_period_parse("2025-01", "2025-12", &p, &err), 0);
    assert_string_equal(p.to, "2025-12-31");
    assert_true(p.whole_months);
    assert_int_equal(mon_period_parse("2025-01-02", "2025-01-31", &p, &err), 0);
    assert_false(p.whole_months);
    assert_int_equal(mon_period_parse("2025-03-01", "2025-04-30", &p, &err), 0);
    assert_true(p.whole_months);
    const char *bad[][2] = {{"2025-13", NULL}, {"2025-02-29", NULL}, {"25-01", NULL}, {"2025-1", NULL},
                            {"1999-12", NULL}, {"2025-05", "2025-04"}, {NULL, NULL}, {"2025-01", "x"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(mon_period_parse(bad[i][0], bad[i][1], &p, &err), PC_EINVAL);
}

/* Every row of the query (at least one) has exactly n columns: the
 * aggregates hold nothing but what the table says. */
static void assert_only_columns(struct db_conn *c, const char *sql, int n)
{
    struct pc_err err = {0};
    struct db_stmt *st = db_prepare(c, sql, &err);
    assert_non_null(st);
    int rows = 0, rc;
    while ((rc = db_step(st, &err)) == 1) /* (PostgreSQL knows the columns once it has answered) */
        rows += db_column_count(st) == n;
    assert_int_equal(rc, 0);
    assert_true(rows > 0);
}

static void test_usage_aggregates(void **state)
{
    struct fixture *f = *state;
    struct db_conn *c = fx_conn(f);
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    /* two months of a few services of two bodies */
    assert_int_equal(mon_usage_add(c, "2025-01-05", "din-a", "din", MON_USE_VIEW, 10, &err), 0);
    assert_int_equal(mon_usage_add(c, "2025-01-05", "din-a", "din", MON_USE_VIEW, 5, &err), 0); /* adds up */
    assert_int_equal(mon_usage_add(c, "2025-01-20", "din-b", "din", MON_USE_VIEW, 40, &err), 0);
    assert_int_equal(mon_usage_add(c, "2025-01-20", "din-a", "din", MON_USE_START, 3, &err), 0);
    assert_int_equal(mon_usage_add(c, "2025-02-01", "vn-a", "vn", MON_USE_VIEW, 7, &err), 0);
    assert_int_equal(mon_usage_add(c, "2025-02-01", "", "", MON_USE_SEARCH, 9, &err), 0);
    struct mon_period p;
    struct mon_usage u;
    assert_int_equal(mon_period_parse("2025-01", "2025-02", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &u, &err), 0);
    assert_int_equal(u.total[MON_USE_VIEW], 62);
    assert_int_equal(u.total[MON_USE_SEARCH], 9);
    assert_int_equal(u.nservices, 3);
    assert_string_equal(u.services[0].id, "din-a"); /* applications begun rank first */
    assert_string_equal(u.services[1].id, "din-b");
    assert_int_equal(u.nagencies, 2);
    assert_string_equal(u.agencies[0].id, "din");
    assert_int_equal(u.agencies[0].services, 2);
    assert_int_equal(u.agencies[0].n[MON_USE_VIEW], 55);
    assert_int_equal(u.nmonths, 2);
    assert_string_equal(u.months[0].id, "2025-01");
    assert_int_equal(u.months[1].n[MON_USE_SEARCH], 9);
    /* the same days from the day table */
    assert_int_equal(mon_period_parse("2025-01-01", "2025-02-27", &p, &err), 0);
    assert_false(p.whole_months);
    struct mon_usage d;
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.total[MON_USE_VIEW], 62);
    assert_int_equal(d.nmonths, 2);
    /* part of a month */
    assert_int_equal(mon_period_parse("2025-01-06", "2025-01-31", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.total[MON_USE_VIEW], 40);
    /* days before, whole months between, days after: each from its table */
    assert_int_equal(mon_usage_add(c, "2025-03-15", "vn-a", "vn", MON_USE_VIEW, 1, &err), 0);
    assert_int_equal(mon_usage_add(c, "2025-03-16", "vn-a", "vn", MON_USE_VIEW, 100, &err), 0);
    assert_int_equal(mon_period_parse("2025-01-20", "2025-03-15", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.total[MON_USE_VIEW], 48);    /* 40 + 7 + 1 */
    assert_int_equal(d.total[MON_USE_START], 3);
    assert_int_equal(d.nmonths, 3);
    assert_int_equal(mon_period_parse("2025-01-10", "2025-02-01", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.total[MON_USE_VIEW], 47);
    assert_int_equal(d.total[MON_USE_SEARCH], 9);
    assert_int_equal(mon_period_parse("2025-02", "2025-03-15", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.total[MON_USE_VIEW], 8);
    /* only searches: no service, no body */
    assert_int_equal(mon_usage_add(c, "2023-05-05", "", "", MON_USE_SEARCH, 2, &err), 0);
    assert_int_equal(mon_period_parse("2023-05", NULL, &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), 0);
    assert_int_equal(d.nservices, 0);
    assert_int_equal(d.nagencies, 0);
    assert_int_equal(d.total[MON_USE_SEARCH], 2);
    /* no personal data: the aggregates have when, which service and body, what, and how many — nothing else */
    assert_only_columns(c, "SELECT * FROM mon_usage_day", 5);
    assert_only_columns(c, "SELECT * FROM mon_usage_month", 5);
    /* nothing recorded */
    assert_int_equal(mon_period_parse("2024-01", "2024-12", &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &d, &err), PC_ENOTFOUND);
    /* the downloads */
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    mon_usage_csv(&u, &b);
    assert_non_null(strstr(b.data, "service,din-a,din,0,15,3,0\r\n"));
    assert_non_null(strstr(b.data, "agency,din,din,2,55,3,0\r\n"));
    assert_non_null(strstr(b.data, "month,2025-02,,0,7,0,9\r\n"));
    pc_buf_reset(&b);
    mon_usage_json(&u, &b);
    json_error_t je;
    json_t *o = json_loads(b.data, 0, &je);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "totals"), "views")), 62);
    json_decref(o);
    pc_buf_release(&b);
    pc_arena_release(&a);
}

static void test_usage_counted_in_memory(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    int64_t t = 1772668800; /* 2026-03-05 00:00:00 UTC */
    struct db_conn *c = fx_conn(f); /* each test starts from no usage */
    fx_exec(c, "DELETE FROM mon_usage_day");
    fx_exec(c, "DELETE FROM mon_usage_month");
    for (int i = 0; i < 5; i++)
        mon_usage_count(f->db, MON_USE_VIEW, "x-service", t + i);
    mon_usage_count(f->db, MON_USE_SEARCH, NULL, t);
    mon_usage_count(f->db, MON_USE_START, "x-service", t + 86400); /* the next day */
    /* not yet: fewer than MON_USAGE_FLUSH_SECONDS since the last flush */
    assert_int_equal(mon_usage_flush(f->db, pc_now_unix(), false, &err), 0);
    struct mon_period p;
    struct mon_usage u;
    assert_int_equal(mon_period_parse("2026-03", NULL, &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &u, &err), 0); /* the query flushes this node first */
    assert_int_equal(u.total[MON_USE_VIEW], 5);
    assert_int_equal(u.total[MON_USE_START], 1);
    assert_int_equal(u.total[MON_USE_SEARCH], 1);
    assert_string_equal(u.services[0].agency, ""); /* not in this database's catalogue */
    assert_int_equal(mon_period_parse("2026-03-06", NULL, &p, &err), 0);
    assert_int_equal(mon_usage_query(f->db, &a, &p, &u, &err), 0);
    assert_int_equal(u.total[MON_USE_VIEW], 0);
    assert_int_equal(u.total[MON_USE_START], 1);
    /* an id too long to be a catalogue id is not counted */
    char longid[200];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = 0;
    mon_usage_count(f->db, MON_USE_VIEW, longid, t);
    assert_int_equal(mon_usage_flush(f->db, t, true, &err), 0);
    pc_arena_release(&a);
}

/* Visits, users (new and returning) and the average visit: counted in
 * memory by salted hashes, added to the day and month tables. */
static void test_visits_and_users(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "DELETE FROM mon_visit_day");
    fx_exec(c, "DELETE FROM mon_visit_month");
    fx_exec(c, "INSERT INTO accounts(id, login, status, kind, created_at) VALUES "
               "('acc-new', 'visits.new', 'active', 'staff', '2026-03-05T08:00:00Z'), "
               "('acc-old', 'visits.old', 'active', 'staff', '2025-01-01T08:00:00Z')");
    int64_t t = 1772668800; /* 2026-03-05 00:00:00 UTC */
    mon_visit(f->db, "b|1.2.3.4|ua", NULL, t);
    mon_visit(f->db, "b|1.2.3.4|ua", NULL, t + 60);
    mon_visit(f->db, "b|1.2.3.4|ua", NULL, t + 120);                                /* one visit, 120 s */
    mon_visit(f->db, "b|1.2.3.4|ua", NULL, t + 120 + MON_VISIT_IDLE_SECONDS + 1);   /* a pause: a new visit */
    mon_visit(f->db, "b|5.6.7.8|ua", NULL, t);
    mon_visit(f->db, "a|acc-new", "acc-new", t + 10);
    mon_visit(f->db, "a|acc-new", "acc-new", t + 20);                                /* 10 s */
    mon_visit(f->db, "a|acc-old", "acc-old", t + 30);
    mon_visit(f->db, "a|acc-new", "acc-new", t + 86400);  /* the next day: a user of the day again, not of the month */
    mon_visit(f->db, NULL, NULL, t);                      /* nothing to tell: not counted */
    struct mon_period p;
    struct mon_visits v;
    assert_int_equal(mon_period_parse("2026-03", NULL, &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0); /* the query flushes this node first */
    assert_int_equal(v.nmonths, 1);
    assert_string_equal(v.months[0].month, "2026-03");
    int64_t month[MON_V_COUNT] = {6, 2, 1, 1, 130};
    for (int i = 0; i < MON_V_COUNT; i++)
        assert_int_equal(v.total.n[i], month[i]);
    assert_int_equal(mon_visit_average(&v.total), 21);
    /* from the day table: users distinct within each day */
    assert_int_equal(mon_period_parse("2026-03-05", "2026-03-06", &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    int64_t days[MON_V_COUNT] = {6, 3, 1, 2, 130};
    for (int i = 0; i < MON_V_COUNT; i++)
        assert_int_equal(v.total.n[i], days[i]);
    assert_int_equal(mon_period_parse("2026-03-06", NULL, &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    assert_int_equal(v.total.n[MON_V_VISITS], 1);
    assert_int_equal(v.total.n[MON_V_RETURNING], 1); /* created the day before */
    /* added directly, and written out */
    int64_t n[MON_V_COUNT] = {100, 40, 10, 30, 6000};
    assert_int_equal(mon_visits_add(c, "2026-04-02", n, &err), 0);
    assert_int_equal(mon_period_parse("2026-03", "2026-04", &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    assert_int_equal(v.nmonths, 2);
    assert_int_equal(v.total.n[MON_V_VISITS], 106);
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    mon_visits_csv(&v, &b);
    assert_non_null(strstr(b.data, "month,visits,users,new_users,returning_users,seconds,average_seconds\r\n"));
    assert_non_null(strstr(b.data, "2026-04,100,40,10,30,6000,60\r\n"));
    assert_non_null(strstr(b.data, "total,106,42,11,31,6130,57\r\n"));
    pc_buf_reset(&b);
    mon_visits_json(&v, &b);
    json_error_t je;
    json_t *o = json_loads(b.data, 0, &je);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "visits")), 106);
    assert_int_equal(json_array_size(json_object_get(o, "months")), 2);
    json_decref(o);
    pc_buf_release(&b);
    /* a period with none: zeros, no months */
    assert_int_equal(mon_period_parse("2001-01", NULL, &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    assert_int_equal(v.nmonths, 0);
    assert_int_equal(v.total.n[MON_V_VISITS], 0);
    /* no personal data: a date and five counts, nothing else */
    assert_only_columns(c, "SELECT * FROM mon_visit_day", 1 + MON_V_COUNT);
    assert_only_columns(c, "SELECT * FROM mon_visit_month", 1 + MON_V_COUNT);
    /* code-password holders: active citizen accounts with a password */
    int64_t holders = -1;
    assert_int_equal(id_code_password_holders(f->db, &holders, &err), 0);
    assert_true(holders >= 0);
    fx_exec(c, "INSERT INTO accounts(id, login, status, kind, password_hash, created_at) VALUES "
               "('acc-holder', 'visits.holder', 'active', 'citizen', 'x', '2026-03-05T08:00:00Z'), "
               "('acc-pending', 'visits.pending', 'pending', 'citizen', NULL, '2026-03-05T08:00:00Z')");
    int64_t after = -1;
    assert_int_equal(id_code_password_holders(f->db, &after, &err), 0);
    assert_int_equal(after, holders + 1);
    pc_arena_release(&a);
}

static void test_registry_of_approved_services(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    char path[1024];
    snprintf(path, sizeof path, "%s/data/evaluations/approved-services.jsonl", getenv("PENCERE_SRC"));
    struct mon_registry reg;
    struct pc_err err = {0};
    assert_int_equal(mon_registry_load(&a, path, &reg, &err), 0);
    assert_int_equal(reg.ndates, 2);
    assert_string_equal(reg.dates[0], "2012-12-25");
    assert_string_equal(reg.dates[1], "2015-03-01");
    const struct mon_reg_row *t = mon_registry_total(&reg, "2015-03-01");
    assert_non_null(t);
    int want[MON_REG_COUNT] = {452, 333, 395, 463, 401};
    for (int f = 0; f < MON_REG_COUNT; f++)
        assert_int_equal(t->n[f], want[f]);
    /* the 2015 rows add up to the published total; 2012 lost two rows' figures, and says so */
    int sum[2][MON_REG_COUNT] = {{0}}, listed[2] = {0}, lost = 0;
    for (size_t i = 0; i < reg.nrows; i++) {
        const struct mon_reg_row *x = &reg.rows[i];
        if (x->total || !x->listed)
            continue;
        int d = strcmp(x->date, "2015-03-01") == 0;
        listed[d]++;
        lost += x->n[MON_REG_APPROVED] < 0;
        if (x->n[MON_REG_APPROVED] < 0)
            assert_non_null(x->note);
        for (int f = 0; f < MON_REG_COUNT; f++)
            sum[d][f] += x->n[f] > 0 ? x->n[f] : 0;
    }
    assert_int_equal(listed[0], 40);
    assert_int_equal(listed[1], 42);
    assert_int_equal(lost, 2);
    for (int f = 0; f < MON_REG_COUNT; f++)
        assert_int_equal(sum[1][f], want[f]);
    t = mon_registry_total(&reg, "2012-12-25");
    assert_int_equal(t->n[MON_REG_APPROVED], 417);
    assert_int_equal(sum[0][MON_REG_APPROVED], 394);
    assert_non_null(t->note);
    assert_null(mon_registry_total(&reg, "2013-01-01"));
    assert_int_equal(mon_registry_load(&a, "/nonexistent", &reg, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

/* The kept registry's tables: one a date after the seed's last, a row a
 * body with something to count, the total; a service on no list counts on
 * the portal but not as approved. */
static void test_registry_kept_rows(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct mon_reg_row seed_rows[1] = {{.date = "2015-03-01", .total = true, .n = {452, 333, 395, 463, 401}}};
    const char *seed_dates[1] = {"2015-03-01"};
    struct mon_registry reg = {seed_rows, 1, seed_dates, 1};
    struct mon_decision d[2] = {{"d1", "191", "2011-05-05"}, {"d2", "412", "2026-02-10"}};
    struct mon_reg_entry e[4] = {
        {"e1", "d1", "din", "A", NULL, "2026-03-01", "2012-01-01"}, /* old dates: counted on the kept dates only */
        {"e2", "d2", "din", "B", NULL, NULL, "2026-02-15"},
        {"e3", NULL, "vn", "C", NULL, "2026-03-01", NULL},
        {"e4", "d2", "xin", "D", NULL, NULL, NULL},
    };
    mon_registry_add_kept(&a, d, 2, e, 4, &reg);
    assert_int_equal(reg.ndates, 4); /* 2015-03-01, then 2026-02-10, 02-15, 03-01 */
    assert_string_equal(reg.dates[1], "2026-02-10");
    assert_string_equal(reg.dates[3], "2026-03-01");
    const struct mon_reg_row *t = mon_registry_total(&reg, "2026-02-10");
    assert_non_null(t);
    int want_0210[MON_REG_COUNT] = {3, 0, 0, 1, 1};
    for (int f = 0; f < MON_REG_COUNT; f++)
        assert_int_equal(t->n[f], want_0210[f]);
    t = mon_registry_total(&reg, "2026-03-01");
    int want_0301[MON_REG_COUNT] = {3, 1, 2, 2, 2};
    for (int f = 0; f < MON_REG_COUNT; f++)
        assert_int_equal(t->n[f], want_0301[f]);
    size_t rows = 0;
    for (size_t i = 0; i < reg.nrows; i++) {
        const struct mon_reg_row *x = &reg.rows[i];
        if (x->total || strcmp(x->date, "2026-03-01") != 0)
            continue;
        rows++;
        if (strcmp(x->agency, "vn") == 0) {
            assert_false(x->listed);
            assert_int_equal(x->n[MON_REG_ON_PORTAL], 1);
            assert_int_equal(x->n[MON_REG_APPROVED], 0);
        }
    }
    assert_int_equal(rows, 3); /* din, vn, xin */
    assert_int_equal(mon_registry_total(&reg, "2015-03-01")->n[MON_REG_APPROVED], 452); /* the seed stays */
    pc_arena_release(&a);
}

static int64_t count_rows(struct db_conn *c, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(c, sql, &err);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    return db_col_int(s, 0);
}

/* Two nodes on one database: a user both see on a day is one user of the
 * day and of the month, new or returning once; each node's own visitors
 * add up.  The salts of days before yesterday are gone. */
static void test_users_distinct_across_nodes(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct db_conn *c = fx_conn(f);
    fx_exec(c, "INSERT INTO accounts(id, login, status, kind, created_at) VALUES "
               "('acc-two-a', 'visits.two.a', 'active', 'staff', '2026-05-28T08:00:00Z'), "
               "('acc-two-b', 'visits.two.b', 'active', 'staff', '2024-01-01T08:00:00Z')");
    struct db *other = db_open(f->pg ? f->pgurl : f->path, &err);
    assert_non_null(other);
    int64_t t = 1779969600; /* 2026-05-28 12:00:00 UTC */
    mon_visit(f->db, "a|acc-two-a", "acc-two-a", t);
    mon_visit(other, "a|acc-two-a", "acc-two-a", t + 5);  /* the same user on the other node */
    mon_visit(other, "a|acc-two-b", "acc-two-b", t + 6);
    mon_visit(f->db, "a|acc-two-b", "acc-two-b", t + 7);
    mon_visit(other, "a|acc-two-b", "acc-two-b", t + 86400);  /* the next day: once more, of the day only */
    mon_visit(f->db, "a|acc-two-b", "acc-two-b", t + 86400 + 1);
    struct mon_period p;
    struct mon_visits v;
    assert_int_equal(mon_period_parse("2026-05", NULL, &p, &err), 0);
    assert_int_equal(mon_visits_query(other, &a, &p, &v, &err), 0); /* each node flushes its own counts */
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    assert_int_equal(v.total.n[MON_V_VISITS], 6); /* visits are each node's */
    assert_int_equal(v.total.n[MON_V_USERS], 2);
    assert_int_equal(v.total.n[MON_V_NEW], 1);
    assert_int_equal(v.total.n[MON_V_RETURNING], 1);
    assert_int_equal(mon_period_parse("2026-05-28", "2026-05-29", &p, &err), 0);
    assert_int_equal(mon_visits_query(f->db, &a, &p, &v, &err), 0);
    assert_int_equal(v.total.n[MON_V_USERS], 3); /* two on the 28th, one on the 29th */
    assert_int_equal(v.total.n[MON_V_NEW], 1);
    /* two days on: the 28th's salt and sightings are deleted, the 29th's kept */
    mon_visit(other, "a|acc-two-a", "acc-two-a", t + 2 * 86400);
    assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM mon_visit_salts WHERE period = '2026-05-28'"), 0);
    assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM mon_visit_seen WHERE period = '2026-05-28'"), 0);
    assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM mon_visit_salts WHERE period = '2026-05-29'"), 1);
    assert_int_equal(count_rows(c, "SELECT COUNT(*) FROM mon_visit_seen WHERE period = '2026-05'"), 2);
    assert_int_equal(mon_visits_query(other, &a, &p, &v, &err), 0);
    db_close(other);
    pc_arena_release(&a);
}

/* ---- evaluation campaigns in the portal (campaigns) ------------------------ */

static void set_all(struct mon_answers *a, enum mon_criterion c, enum mon_answer_kind k, size_t first, size_t last)
{
    a->criterion = c;
    for (size_t i = first; i < last; i++)
        a->a[i].kind = k;
}

/* A campaign's answers become the engine's sheet and its results take the
 * shape of a published campaign: a group per agency in the order met,
 * printed figures from the engine's levels, scores and bands. */
static void test_campaign_results_and_published_shape(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct mon_campaign c;
    memset(&c, 0, sizeof c);
    c.id = "c1";
    c.name = "Spring";
    size_t ni, nd, np, nt;
    mon_questions(MON_INFRA, &ni);
    mon_questions(MON_DEVELOPMENT, &nd);
    mon_questions(MON_PARTICIPATION, &np);
    mon_questions(MON_TRANSPARENCY, &nt);
    set_all(&c.infra.answers[MON_INFRA], MON_INFRA, MON_ANS_YES, 0, ni);
    struct mon_campaign_subject s[3];
    memset(s, 0, sizeof s);
    const char *ids[3] = {"din-a", "vn-b", "din-c"}, *ags[3] = {"din", "vn", "din"};
    for (int i = 0; i < 3; i++) {
        s[i].service = ids[i];
        s[i].agency = ags[i];
        s[i].model = i == 1 ? 3 : 4;
        s[i].paid = i != 1;
        set_all(&s[i].answers[MON_DEVELOPMENT], MON_DEVELOPMENT, MON_ANS_YES, 0, nd);
        set_all(&s[i].answers[MON_PARTICIPATION], MON_PARTICIPATION, MON_ANS_NO, 0, np);
        set_all(&s[i].answers[MON_TRANSPARENCY], MON_TRANSPARENCY, MON_ANS_YES, 0, s[i].paid ? nt : 8);
    }
    /* din-a: half of development no → 50 % → level 2 of 4; 7 of 10 participation */
    set_all(&s[0].answers[MON_DEVELOPMENT], MON_DEVELOPMENT, MON_ANS_NO, 0, nd / 2 + 1);
    set_all(&s[0].answers[MON_PARTICIPATION], MON_PARTICIPATION, MON_ANS_YES, 0, 7);
    c.services = s;
    c.nservices = 3;
    struct mon_results r;
    assert_int_equal(mon_campaign_results(&a, &c, &r, &err), 0);
    assert_int_equal(r.infra.index, 700);
    assert_int_equal(r.services[0].development.level, mon_level(4, (int)(nd - nd / 2 - 1), (int)nd));
    assert_int_equal(r.services[0].participation.score, 7);
    assert_int_equal(r.services[1].transparency.max, 8);
    assert_int_equal(r.services[1].development.level, 3);
    struct mon_published p;
    mon_campaign_published(&a, &c, &r, NULL, NULL, &p);
    assert_string_equal(p.title.s[PC_LANG_EN], "Spring");
    assert_string_equal(p.infra_printed_index, "7/7");
    assert_int_equal(p.ngroups, 2); /* din, vn: each agency once */
    assert_string_equal(p.groups[0].id, "din");
    assert_string_equal(p.groups[1].id, "vn");
    assert_int_equal(p.nservices, 3);
    assert_string_equal(p.services[2].group, "din");
    assert_int_equal(p.services[0].development.max, 4);
    assert_int_equal(p.services[0].development.score, r.services[0].development.level);
    assert_int_equal(p.services[0].participation_band, mon_participation_band(7));
    assert_int_equal(p.services[1].transparency.max, 8);
    assert_false(p.services[1].paid);
    /* one question left: the engine names it, nothing is scored */
    s[2].answers[MON_PARTICIPATION].a[4].kind = MON_ANS_MISSING;
    assert_int_equal(mon_campaign_results(&a, &c, &r, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "din-c"));
    /* a free service answering the payment questions */
    s[2].answers[MON_PARTICIPATION].a[4].kind = MON_ANS_NO;
    s[1].answers[MON_TRANSPARENCY].a[8].kind = MON_ANS_YES;
    assert_int_equal(mon_campaign_results(&a, &c, &r, &err), PC_EINVAL);
    pc_arena_release(&a);
}

/* The life of a campaign in the database: answers only while open, the
 * creator never reviews, a send-back needs a comment, a closed campaign
 * is final; bad answers save nothing. */
static void test_campaign_lifecycle(void **state)
{
    struct fixture *f = *state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct id_principal ev = {.account_id = "ev1", .kind = ID_ACCOUNT_STAFF, .ngrants = 1,
                              .grants = {{ID_ROLE_EVALUATOR, ""}}};
    struct id_principal ev2 = ev, officer = ev;
    ev2.account_id = "ev2";
    officer.account_id = "of1";
    officer.grants[0] = (struct id_grant){ID_ROLE_OFFICER, "din"};
    const char *id, *field;
    assert_int_equal(mon_campaign_create(f->db, &officer, "X", "2026-01", NULL, "", &a, &id, &field, &err),
                     PC_EDENIED);
    assert_int_equal(mon_campaign_create(f->db, &ev, "", "2026-01", NULL, "", &a, &id, &field, &err), PC_EINVAL);
    assert_string_equal(field, "name");
    assert_int_equal(mon_campaign_create(f->db, &ev, "Q1", "2026-13", NULL, "", &a, &id, &field, &err), PC_EINVAL);
    assert_string_equal(field, "from");
    assert_int_equal(mon_campaign_create(f->db, &ev, "Q1", "2026-03", "2026-01", "", &a, &id, &field, &err),
                     PC_EINVAL);
    assert_string_equal(field, "to");
    assert_int_equal(mon_campaign_create(f->db, &ev, "Q1", "2026-01", "2026-03", "", &a, &id, &field, &err), 0);
    struct mon_evidence_file file = {.sha256 = "ab12", .mime = "application/pdf", .name = "decree.pdf", .size = 2048};
    struct mon_answer_in in[2] = {{"1.1", "yes", "a note", "https://example.az/1", &file}, {"1.2", "no", "", "", NULL}};
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, NULL, MON_INFRA, in, 2, "", &err), 0);
    struct mon_answer_in bad[2] = {{"1.1", "no", "", "", NULL}, {"9.9", "yes", "", "", NULL}};
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, NULL, MON_INFRA, bad, 2, "", &err), PC_EINVAL);
    bad[1] = (struct mon_answer_in){"1.2", "2", "", "", NULL};
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, NULL, MON_INFRA, bad, 2, "", &err), PC_EINVAL);
    bad[1] = (struct mon_answer_in){"1.2", "yes", "", "ftp://x", NULL};
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, NULL, MON_INFRA, bad, 2, "", &err), PC_EINVAL);
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, "din-a", MON_INFRA, in, 2, "", &err), PC_EINVAL);
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, "din-a", MON_DEVELOPMENT, NULL, 0, "", &err),
                     PC_ENOTFOUND);
    struct mon_campaign c;
    assert_int_equal(mon_campaign_get(f->db, &a, id, &c, &err), 0);
    assert_int_equal(c.state, MON_CAMPAIGN_OPEN);
    assert_string_equal(c.period.to, "2026-03-31");
    assert_int_equal(c.infra.answers[MON_INFRA].a[0].kind, MON_ANS_YES); /* nothing of the bad posts */
    assert_int_equal(c.infra.answers[MON_INFRA].a[1].kind, MON_ANS_NO);
    assert_string_equal(c.infra.evidence[MON_INFRA][0].note, "a note");
    assert_string_equal(c.infra.evidence[MON_INFRA][0].link, "https://example.az/1");
    assert_string_equal(c.infra.evidence[MON_INFRA][0].file.name, "decree.pdf");
    struct mon_evidence_file got;
    assert_int_equal(mon_campaign_file(f->db, &a, id, "ab12", &got, &err), 0);
    assert_int_equal(got.size, 2048);
    assert_int_equal(mon_campaign_file(f->db, &a, id, "cd34", &got, &err), PC_ENOTFOUND);
    assert_int_equal(mon_campaign_file(f->db, &a, "other", "ab12", &got, &err), PC_ENOTFOUND);
    /* answered again without a file: the file stays; "" takes the answer back */
    in[0].file = NULL;
    in[0].answer = "";
    assert_int_equal(mon_campaign_answer(f->db, &ev, id, NULL, MON_INFRA, in, 1, "", &err), 0);
    assert_int_equal(mon_campaign_get(f->db, &a, id, &c, &err), 0);
    assert_int_equal(c.infra.answers[MON_INFRA].a[0].kind, MON_ANS_MISSING);
    assert_string_equal(c.infra.evidence[MON_INFRA][0].file.sha256, "ab12");
    /* no service yet: cannot be submitted; not submitted: cannot be reviewed */
    assert_int_equal(mon_campaign_submit(f->db, &ev, id, "", &err), PC_EINVAL);
    assert_int_equal(mon_campaign_review(f->db, &ev2, id, true, NULL, "", &err), PC_ECONFLICT);
    assert_int_equal(mon_campaign_review(f->db, &ev, id, true, NULL, "", &err), PC_EDENIED);
    assert_int_equal(mon_campaign_review(f->db, &ev2, id, false, "", "", &err), PC_EINVAL);
    size_t n;
    struct mon_campaign *list;
    assert_int_equal(mon_campaign_list(f->db, &a, true, NULL, &list, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(mon_campaign_list(f->db, &a, false, NULL, &list, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(mon_campaign_list(f->db, &a, false, "din", &list, &n, &err), 0);
    assert_int_equal(n, 0); /* no service of din in it */
    assert_int_equal(mon_campaign_get(f->db, &a, "nosuch", &c, &err), PC_ENOTFOUND);
    pc_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_and_shares),
        cmocka_unit_test(test_infra_truncates_and_sums),
        cmocka_unit_test(test_infra_edge_cases),
        cmocka_unit_test(test_levels_on_every_model),
        cmocka_unit_test(test_development_not_applicable),
        cmocka_unit_test(test_participation_bands),
        cmocka_unit_test(test_transparency_scales),
        cmocka_unit_test(test_questionnaire_files),
        cmocka_unit_test(test_campaign_file_results),
        cmocka_unit_test(test_campaign_file_bad_rows),
        cmocka_unit_test(test_2014_infrastructure_index),
        cmocka_unit_test(test_2014_published_bands),
        cmocka_unit_test(test_2014_published_campaign),
        cmocka_unit_test(test_svg_bars),
        cmocka_unit_test(test_live_self_assessment),
        cmocka_unit_test(test_usage_periods),
        cmocka_unit_test(test_registry_of_approved_services),
        cmocka_unit_test(test_campaign_results_and_published_shape),
        cmocka_unit_test(test_registry_kept_rows),
    };
    const struct CMUnitTest db_tests[] = {
        cmocka_unit_test(test_usage_aggregates),
        cmocka_unit_test(test_usage_counted_in_memory),
        cmocka_unit_test(test_visits_and_users),
        cmocka_unit_test(test_users_distinct_across_nodes),
        cmocka_unit_test(test_campaign_lifecycle),
    };
    int failed = cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
    return failed + fx_run("monitor-usage", db_tests, sizeof db_tests / sizeof db_tests[0]);
}
