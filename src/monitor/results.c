/* results.c — the results of a campaign: every questionnaire scored, then
 * per agency and overall (means of the services' percentages and
 * scores, and how many services are below level 3, the report's first
 * recommendation), written as JSON or as one CSV table.  Decimals are
 * written from hundredths, never through a double, so 4.99 stays 4.99. */
#include "internal.h"

#include <string.h>

int mon_results_of(struct pc_arena *a, const struct mon_sheet *s, struct mon_results *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (s->has_infra) {
        int rc = mon_score_infra(&s->infra, &out->infra, err);
        if (rc)
            return pc_err_set(err, rc, "infrastructure: %s", err->msg);
        out->has_infra = true;
    }
    out->services = pc_arena_array(a, s->nservices ? s->nservices : 1, sizeof *out->services);
    for (size_t i = 0; i < s->nservices; i++) {
        const struct mon_sheet_service *in = &s->services[i];
        struct mon_service_result *r = &out->services[out->nservices++];
        r->service = in->service;
        r->agency = in->agency;
        memcpy(r->has, in->has, sizeof r->has);
        int rc = 0;
        if (in->has[MON_DEVELOPMENT])
            rc = mon_score_development(&in->answers[MON_DEVELOPMENT], in->model, &r->development, err);
        if (!rc && in->has[MON_PARTICIPATION])
            rc = mon_score_participation(&in->answers[MON_PARTICIPATION], &r->participation, err);
        if (!rc && in->has[MON_TRANSPARENCY])
            rc = mon_score_transparency(&in->answers[MON_TRANSPARENCY], in->paid, &r->transparency, err);
        if (rc)
            return pc_err_set(err, rc, "service %s: %s", in->service, err->msg);
    }
    return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static void put_num(struct pc_buf *b, struct pc_arena *a, int hundredths)
{
    pc_buf_puts(b, mon_hundredths(a, hundredths));
}

static void put_str(struct pc_buf *b, const char *s)
{
    pc_buf_putc(b, '"');
    pc_buf_json_str(b, s ? s : "");
    pc_buf_putc(b, '"');
}

void mon_infra_json(const struct mon_infra_result *r, struct pc_buf *out)
{
    struct pc_arena a;
    pc_arena_init(&a);
    pc_buf_puts(out, "{\"components\": {");
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++) {
        pc_buf_printf(out, "%s\"%d\": ", k ? ", " : "", k + 1);
        put_num(out, &a, r->component[k]);
    }
    pc_buf_puts(out, "}, \"index\": ");
    put_num(out, &a, r->index);
    pc_buf_putc(out, '}');
    pc_arena_release(&a);
}

void mon_dev_json(const struct mon_dev_result *r, struct pc_buf *out)
{
    struct pc_arena a;
    pc_arena_init(&a);
    pc_buf_puts(out, "{\"percent\": ");
    put_num(out, &a, r->percent);
    pc_buf_printf(out, ", \"level\": %d}", r->level);
    pc_arena_release(&a);
}

void mon_score_json(const struct mon_score_result *r, struct pc_buf *out)
{
    pc_buf_printf(out, "{\"score\": %d, \"band\": ", r->score);
    put_str(out, mon_band_name(r->band));
    pc_buf_putc(out, '}');
}

/* Sums for the means of a group of services (an agency, all). */
struct tally {
    const char *agency;
    int services;
    int dev_n, dev_percent_sum, below_3;
    int part_n, part_sum;
    int transp_n, transp_percent_sum;
};

static void tally_add(struct tally *t, const struct mon_service_result *r)
{
    t->services++;
    if (r->has[MON_DEVELOPMENT]) {
        t->dev_n++;
        t->dev_percent_sum += r->development.percent;
        t->below_3 += r->development.level < 3;
    }
    if (r->has[MON_PARTICIPATION]) {
        t->part_n++;
        t->part_sum += r->participation.score * 100;
    }
    if (r->has[MON_TRANSPARENCY]) {
        t->transp_n++;
        t->transp_percent_sum += 10000 * r->transparency.score / r->transparency.max;
    }
}

static void tally_json(struct pc_buf *b, struct pc_arena *a, const struct tally *t)
{
    pc_buf_printf(b, "\"services\": %d, \"development_percent\": ", t->services);
    if (t->dev_n)
        put_num(b, a, t->dev_percent_sum / t->dev_n);
    else
        pc_buf_puts(b, "null");
    pc_buf_printf(b, ", \"below_level_3\": %d, \"participation\": ", t->below_3);
    if (t->part_n)
        put_num(b, a, t->part_sum / t->part_n);
    else
        pc_buf_puts(b, "null");
    pc_buf_puts(b, ", \"transparency_percent\": ");
    if (t->transp_n)
        put_num(b, a, t->transp_percent_sum / t->transp_n);
    else
        pc_buf_puts(b, "null");
}

static void service_json(struct pc_buf *b, struct pc_arena *a, const struct mon_service_result *r)
{
    pc_buf_puts(b, "{\"service\": ");
    put_str(b, r->service);
    pc_buf_puts(b, ", \"agency\": ");
    put_str(b, r->agency);
    if (r->has[MON_DEVELOPMENT]) {
        pc_buf_printf(b, ", \"development\": {\"model\": %d, \"percent\": ", r->development.model);
        put_num(b, a, r->development.percent);
        pc_buf_printf(b, ", \"level\": %d, \"printed\": ", r->development.level);
        put_str(b, pc_arena_printf(a, "%d/%d", r->development.model, r->development.level));
        pc_buf_putc(b, '}');
    }
    const struct mon_score_result *sc[2] = {&r->participation, &r->transparency};
    const char *names[2] = {"participation", "transparency"};
    for (int i = 0; i < 2; i++) {
        if (!r->has[MON_PARTICIPATION + i])
            continue;
        pc_buf_printf(b, ", \"%s\": {\"max\": %d, \"score\": %d, \"band\": ", names[i], sc[i]->max, sc[i]->score);
        put_str(b, mon_band_name(sc[i]->band));
        pc_buf_puts(b, ", \"printed\": ");
        put_str(b, pc_arena_printf(a, "%d/%d", sc[i]->max, sc[i]->score));
        pc_buf_putc(b, '}');
    }
    pc_buf_putc(b, '}');
}

void mon_results_json(const struct mon_results *r, struct pc_buf *out)
{
    struct pc_arena a;
    pc_arena_init(&a);
    pc_buf_puts(out, "{");
    const char *sep = "";
    if (r->has_infra) {
        pc_buf_puts(out, "\"infrastructure\": ");
        mon_infra_json(&r->infra, out);
        sep = ", ";
    }
    pc_buf_printf(out, "%s\"services\": [", sep);
    struct tally all = {0};
    struct tally *ag = pc_arena_array(&a, r->nservices ? r->nservices : 1, sizeof *ag);
    size_t nag = 0;
    for (size_t i = 0; i < r->nservices; i++) {
        if (i)
            pc_buf_puts(out, ", ");
        service_json(out, &a, &r->services[i]);
        tally_add(&all, &r->services[i]);
        size_t k = 0;
        while (k < nag && !pc_str_eq(ag[k].agency, r->services[i].agency))
            k++;
        if (k == nag)
            ag[nag++].agency = r->services[i].agency;
        tally_add(&ag[k], &r->services[i]);
    }
    pc_buf_puts(out, "], \"agencies\": [");
    for (size_t k = 0; k < nag; k++) {
        pc_buf_printf(out, "%s{\"agency\": ", k ? ", " : "");
        put_str(out, ag[k].agency);
        pc_buf_puts(out, ", ");
        tally_json(out, &a, &ag[k]);
        pc_buf_putc(out, '}');
    }
    pc_buf_puts(out, "], \"overall\": {");
    tally_json(out, &a, &all);
    if (r->has_infra) {
        pc_buf_puts(out, ", \"infrastructure_index\": ");
        put_num(out, &a, r->infra.index);
    }
    pc_buf_puts(out, "}}\n");
    pc_arena_release(&a);
}

/* ---- CSV: one table, a row per score ------------------------------------------ */

static void csv_row(struct pc_buf *b, const char *subject, const char *agency, const char *criterion,
                    const char *max, const char *score, const char *percent, const char *level_or_band,
                    const char *printed)
{
    const char *f[] = {subject, agency, criterion, max, score, percent, level_or_band, printed};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        if (i)
            pc_buf_putc(b, ',');
        mon__csv_put(b, f[i]);
    }
    pc_buf_puts(b, "\r\n");
}

void mon_results_csv(const struct mon_results *r, struct pc_buf *out)
{
    struct pc_arena a;
    pc_arena_init(&a);
    csv_row(out, "subject", "agency", "criterion", "max", "score", "percent", "level_or_band", "printed");
    if (r->has_infra) {
        for (int k = 0; k < MON_INFRA_COMPONENTS; k++)
            csv_row(out, "infrastructure", "", pc_arena_printf(&a, "component %d", k + 1), "1",
                    mon_hundredths(&a, r->infra.component[k]), "", "", mon_printed(&a, 1, r->infra.component[k]));
        csv_row(out, "infrastructure", "", "index", "7", mon_hundredths(&a, r->infra.index), "", "",
                mon_printed(&a, 7, r->infra.index));
    }
    for (size_t i = 0; i < r->nservices; i++) {
        const struct mon_service_result *s = &r->services[i];
        if (s->has[MON_DEVELOPMENT])
            csv_row(out, s->service, s->agency, "development", pc_arena_printf(&a, "%d", s->development.model),
                    pc_arena_printf(&a, "%d", s->development.level), mon_hundredths(&a, s->development.percent),
                    pc_arena_printf(&a, "%d", s->development.level),
                    pc_arena_printf(&a, "%d/%d", s->development.model, s->development.level));
        const struct mon_score_result *sc[2] = {&s->participation, &s->transparency};
        for (int j = 0; j < 2; j++)
            if (s->has[MON_PARTICIPATION + j])
                csv_row(out, s->service, s->agency, mon_criterion_name((enum mon_criterion)(MON_PARTICIPATION + j)),
                        pc_arena_printf(&a, "%d", sc[j]->max), pc_arena_printf(&a, "%d", sc[j]->score), "",
                        mon_band_name(sc[j]->band), pc_arena_printf(&a, "%d/%d", sc[j]->max, sc[j]->score));
    }
    pc_arena_release(&a);
}
