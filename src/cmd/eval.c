/* eval.c — `pencere eval`: the evaluation methodology on files
 * (docs/monitoring.md).  One questionnaire scored as the command
 * contract prints it (infrastructure, service, participation,
 * transparency), or a whole campaign file with results per service,
 * agency and overall.  --printed writes the report's "max/score" instead
 * of JSON.  Every problem of a file goes to stderr ("line N: …") and the
 * exit code is 1; nothing is scored from a file with any problem. */
#include "cli.h"
#include "../monitor/monitor.h"

#include <string.h>

#define SHEET_MAX (1024 * 1024)
#define CAMPAIGN_MAX (8 * 1024 * 1024)

static const char summary[] =
    "Score evaluation questionnaires with the e-Governance Academy methodology.\n\n"
    "  pencere eval infrastructure FILE          {\"components\": {\"1\": 0.33, ...}, \"index\": 4.99}\n"
    "  pencere eval service --model 3|4|5 FILE   {\"percent\": 66.66, \"level\": 2}\n"
    "  pencere eval participation FILE           {\"score\": 7, \"band\": \"good\"}\n"
    "  pencere eval transparency --paid|--free FILE  {\"score\": 5, \"band\": \"relatively transparent\"}\n"
    "  pencere eval campaign [--csv] FILE        results per service, agency and overall\n\n"
    "A questionnaire FILE is a JSON object {\"1.1\": 1, \"2.5\": \"63%\", \"14\": null} or CSV lines\n"
    "question,answer.  A campaign FILE is JSON Lines or CSV\n"
    "subject,agency,model,paid,criterion,question,answer (docs/monitoring.md).";

static int usage(void)
{
    fprintf(stderr, "pencere eval: usage: pencere eval infrastructure|service|participation|transparency|campaign "
                    "[OPTIONS] FILE (see --help)\n");
    return EXIT_USAGE;
}

static int print(struct pc_buf *b)
{
    fwrite(b->data, 1, b->len, stdout);
    if (b->len && b->data[b->len - 1] != '\n')
        putchar('\n');
    pc_buf_release(b);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static int fail(const char *what, const struct pc_err *err)
{
    fprintf(stderr, "pencere eval %s: %s\n", what, err->msg);
    return EXIT_FAIL;
}

/* One questionnaire: read, check, score, print. */
static int one(enum mon_criterion c, const char *text, size_t len, int model, bool paid, bool printed)
{
    const char *what = c == MON_DEVELOPMENT ? "service" : mon_criterion_name(c);
    struct mon_answers ans;
    struct pc_err err = {0};
    if (mon_sheet_parse(text, len, c, !paid, stderr, &ans, &err))
        return fail(what, &err);
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_buf b;
    pc_buf_init(&b, 4096);
    int rc;
    if (c == MON_INFRA) {
        struct mon_infra_result r;
        rc = mon_score_infra(&ans, &r, &err);
        if (!rc && printed)
            pc_buf_puts(&b, mon_printed(&a, MON_INFRA_COMPONENTS, r.index));
        else if (!rc)
            mon_infra_json(&r, &b);
    } else if (c == MON_DEVELOPMENT) {
        struct mon_dev_result r;
        rc = mon_score_development(&ans, model, &r, &err);
        if (!rc && printed)
            pc_buf_printf(&b, "%d/%d", r.model, r.level);
        else if (!rc)
            mon_dev_json(&r, &b);
    } else {
        struct mon_score_result r;
        rc = c == MON_PARTICIPATION ? mon_score_participation(&ans, &r, &err)
                                    : mon_score_transparency(&ans, paid, &r, &err);
        if (!rc && printed)
            pc_buf_printf(&b, "%d/%d", r.max, r.score);
        else if (!rc)
            mon_score_json(&r, &b);
    }
    pc_arena_release(&a);
    if (rc) {
        pc_buf_release(&b);
        return fail(what, &err);
    }
    return print(&b);
}

static int campaign(const char *text, size_t len, bool csv)
{
    struct pc_arena a;
    pc_arena_init(&a);
    struct mon_sheet s;
    struct mon_results r;
    struct pc_err err = {0};
    int rc = mon_campaign_file_parse(&a, text, len, stderr, &s, &err);
    if (!rc)
        rc = mon_results_of(&a, &s, &r, &err);
    if (rc) {
        pc_arena_release(&a);
        return fail("campaign", &err);
    }
    struct pc_buf b;
    pc_buf_init(&b, 64u * 1024 * 1024);
    if (csv)
        mon_results_csv(&r, &b);
    else
        mon_results_json(&r, &b);
    pc_arena_release(&a);
    return print(&b);
}

int cmd_eval(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"model", "3|4|5", "service: the maturity model (levels)", NULL},
        {"paid", NULL, "transparency: a paid service, scored out of 10", NULL},
        {"free", NULL, "transparency: a free service, scored out of 8 (9 and 10 do not apply)", NULL},
        {"printed", NULL, "write \"max/score\" as the report prints it instead of JSON", NULL},
        {"csv", NULL, "campaign: one CSV table instead of JSON", NULL},
        {NULL, NULL, NULL, NULL},
    };
    const char *pos[2];
    int npos;
    int rc = cli_parse_pos("eval", summary, opts, argc, argv, pos, 2, &npos);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (npos != 2)
        return usage();
    const char *kind = pos[0];
    bool is_campaign = strcmp(kind, "campaign") == 0;
    int c = strcmp(kind, "service") == 0 ? MON_DEVELOPMENT : mon_criterion_parse(kind);
    if (!is_campaign && (c < 0 || strcmp(kind, "development") == 0))
        return usage();
    bool paid = cli_get(opts, "paid") != NULL, free_ = cli_get(opts, "free") != NULL;
    long long model = 0;
    if (c == MON_DEVELOPMENT && (!cli_get(opts, "model") || pc_parse_int(cli_get(opts, "model"), 3, 5, &model))) {
        fprintf(stderr, "pencere eval service: --model must be 3, 4 or 5\n");
        return EXIT_USAGE;
    }
    if (c == MON_TRANSPARENCY && paid == free_) {
        fprintf(stderr, "pencere eval transparency: give exactly one of --paid and --free\n");
        return EXIT_USAGE;
    }
    struct pc_arena a;
    pc_arena_init(&a);
    char *text;
    size_t len;
    if (cli_read_file("eval", &a, pos[1], is_campaign ? CAMPAIGN_MAX : SHEET_MAX, &text, &len)) {
        pc_arena_release(&a);
        return EXIT_FAIL;
    }
    rc = is_campaign ? campaign(text, len, cli_get(opts, "csv") != NULL)
                     : one((enum mon_criterion)c, text, len, (int)model, paid, cli_get(opts, "printed") != NULL);
    pc_arena_release(&a);
    return rc;
}
