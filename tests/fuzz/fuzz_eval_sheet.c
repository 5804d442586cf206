/* fuzz_eval_sheet.c — the files of `pencere eval` (outside input): one
 * questionnaire and a whole campaign, as JSON or CSV.  The first input
 * byte picks the reader (campaign or a questionnaire of one criterion,
 * free or paid), the rest is the file.  Invariants: no crash, leak or
 * sanitizer report; a file is accepted exactly when no problem was
 * reported, and then it scores without error; every score is within the
 * methodology's bounds (components 0..1, index 0..7, level 0..model,
 * percent 0..100, participation 0..10, transparency 0..8 or 0..10) and
 * the band agrees with the score. */
#include "fuzz_common.h"

#include "../../src/monitor/method.c"
#include "../../src/monitor/results.c"
#include "../../src/monitor/sheet.c"

#include <string.h>

static void score_ok(const struct mon_score_result *r, bool transparency)
{
    FUZZ_CHECK(r->score >= 0 && r->score <= r->max);
    FUZZ_CHECK(r->max == 10 || (transparency && r->max == 8));
    FUZZ_CHECK(r->band == (transparency ? mon_transparency_band(r->score, r->max) : mon_participation_band(r->score)));
}

static void dev_ok(const struct mon_dev_result *r)
{
    FUZZ_CHECK(mon_model_valid(r->model));
    FUZZ_CHECK(r->level >= 0 && r->level <= r->model);
    FUZZ_CHECK(r->percent >= 0 && r->percent <= 10000);
    FUZZ_CHECK(r->applicable > 0 && r->yes <= r->applicable);
}

static void infra_ok(const struct mon_infra_result *r)
{
    int sum = 0;
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++) {
        FUZZ_CHECK(r->component[k] >= 0 && r->component[k] <= 100);
        sum += r->component[k];
    }
    FUZZ_CHECK(sum == r->index);
}

static void campaign(const char *text, size_t n, FILE *rep, size_t *told)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct mon_sheet s;
    struct mon_results r;
    struct pc_err err = {0};
    int rc = mon_campaign_file_parse(&a, text, n, rep, &s, &err);
    fflush(rep);
    FUZZ_CHECK((rc == 0) == (*told == 0) || (rc && strstr(err.msg, "empty")));
    if (rc == 0) {
        FUZZ_CHECK(mon_results_of(&a, &s, &r, &err) == 0);
        if (r.has_infra)
            infra_ok(&r.infra);
        for (size_t i = 0; i < r.nservices; i++) {
            if (r.services[i].has[MON_DEVELOPMENT])
                dev_ok(&r.services[i].development);
            if (r.services[i].has[MON_PARTICIPATION])
                score_ok(&r.services[i].participation, false);
            if (r.services[i].has[MON_TRANSPARENCY])
                score_ok(&r.services[i].transparency, true);
        }
        struct pc_buf b;
        pc_buf_init(&b, 64u * 1024 * 1024);
        mon_results_json(&r, &b);
        mon_results_csv(&r, &b);
        FUZZ_CHECK(!b.toobig);
        pc_buf_release(&b);
    }
    pc_arena_release(&a);
}

static void questionnaire(enum mon_criterion c, bool paid, int model, const char *text, size_t n, FILE *rep,
                          size_t *told)
{
    struct mon_answers ans;
    struct pc_err err = {0};
    int rc = mon_sheet_parse(text, n, c, !paid, rep, &ans, &err);
    fflush(rep);
    FUZZ_CHECK((rc == 0) == (*told == 0) || (rc && strstr(err.msg, "empty")));
    if (rc)
        return;
    if (c == MON_INFRA) {
        struct mon_infra_result r;
        FUZZ_CHECK(mon_score_infra(&ans, &r, &err) == 0);
        infra_ok(&r);
    } else if (c == MON_DEVELOPMENT) {
        struct mon_dev_result r;
        FUZZ_CHECK(mon_score_development(&ans, model, &r, &err) == 0);
        dev_ok(&r);
    } else {
        struct mon_score_result r;
        FUZZ_CHECK((c == MON_PARTICIPATION ? mon_score_participation(&ans, &r, &err)
                                           : mon_score_transparency(&ans, paid, &r, &err)) == 0);
        score_ok(&r, c == MON_TRANSPARENCY);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned pick = data[0];
    const char *text = (const char *)data + 1;
    size_t n = size - 1;
    char *out = NULL;
    size_t told = 0;
    FILE *rep = open_memstream(&out, &told);
    if (!rep)
        return 0;
    if ((pick & 7) >= MON_CRITERION_COUNT)
        campaign(text, n, rep, &told);
    else
        questionnaire((enum mon_criterion)(pick & 7), pick & 8, 3 + (int)(pick >> 4) % 3, text, n, rep, &told);
    fclose(rep);
    free(out);
    return 0;
}
