/* campaign_results.c — a portal campaign's answers as a campaign file's
 * sheet, scored by the one engine (results.c, method.c), and its results
 * in the shape of a published campaign (a group per agency, the printed
 * "max/score" from the engine's levels and scores) so that the report,
 * its charts and the CSV and JSON downloads are the published campaigns'
 * own. */
#include "internal.h"

#include <string.h>

void mon_campaign_sheet(struct pc_arena *a, const struct mon_campaign *c, struct mon_sheet *out)
{
    memset(out, 0, sizeof *out);
    out->has_infra = true;
    out->infra = c->infra.answers[MON_INFRA];
    out->services = pc_arena_array(a, c->nservices ? c->nservices : 1, sizeof *out->services);
    out->nservices = c->nservices;
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_campaign_subject *x = &c->services[i];
        struct mon_sheet_service *s = &out->services[i];
        memset(s, 0, sizeof *s);
        s->service = x->service;
        s->agency = x->agency;
        s->model = x->model;
        s->paid = x->paid;
        s->line = (int)i + 1;
        for (int k = MON_DEVELOPMENT; k < MON_CRITERION_COUNT; k++) {
            s->has[k] = true;
            s->answers[k] = x->answers[k];
        }
    }
}

int mon_campaign_results(struct pc_arena *a, const struct mon_campaign *c, struct mon_results *out,
                         struct pc_err *err)
{
    struct mon_sheet sheet;
    mon_campaign_sheet(a, c, &sheet);
    return mon_results_of(a, &sheet, out, err);
}

static bool seen_before(const struct mon_results *r, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (strcmp(r->services[k].agency, r->services[i].agency) == 0)
            return true;
    return false;
}

void mon_campaign_published(struct pc_arena *a, const struct mon_campaign *c, const struct mon_results *r,
                            mon_agency_name_fn agency_name, void *ctx, struct mon_published *out)
{
    memset(out, 0, sizeof *out);
    out->id = c->id;
    for (int l = 0; l < PC_LANG_COUNT; l++)
        out->title.s[l] = c->name;
    out->has_infra = r->has_infra;
    out->infra_answers = c->infra.answers[MON_INFRA];
    out->infra = r->infra;
    out->infra_printed_index = mon_printed(a, MON_INFRA_COMPONENTS, r->infra.index);
    out->groups = pc_arena_array(a, r->nservices ? r->nservices : 1, sizeof *out->groups);
    out->services = pc_arena_array(a, r->nservices ? r->nservices : 1, sizeof *out->services);
    out->discrepancies = pc_arena_array(a, 1, sizeof *out->discrepancies);
    for (size_t i = 0; i < r->nservices; i++) {
        const struct mon_service_result *in = &r->services[i];
        if (!seen_before(r, i)) {
            struct mon_group *g = &out->groups[out->ngroups++];
            g->id = in->agency;
            for (int l = 0; l < PC_LANG_COUNT; l++)
                g->name.s[l] = in->agency;
            if (agency_name)
                agency_name(ctx, in->agency, &g->name);
        }
        struct mon_published_service *s = &out->services[out->nservices++];
        memset(s, 0, sizeof *s);
        s->service = in->service;
        s->agency = in->agency;
        s->group = in->agency;
        s->row = pc_arena_printf(a, "%zu.", i + 1);
        s->name = in->service;
        s->model = in->development.model;
        s->paid = in->transparency.max == 10;
        s->development = (struct mon_published_score){in->development.model, in->development.level, ""};
        s->participation = (struct mon_published_score){in->participation.max, in->participation.score, ""};
        s->transparency = (struct mon_published_score){in->transparency.max, in->transparency.score, ""};
        s->participation_band = in->participation.band;
        s->transparency_band = in->transparency.band;
        s->discrepancies = pc_arena_array(a, 1, sizeof *s->discrepancies);
    }
}
