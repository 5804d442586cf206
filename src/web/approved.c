/* approved.c — the registry of approved e-services (src/monitor's
 * registry.c): the share of the approved services on the portal and on
 * the bodies' own sites on each date (SVG charts with their tables), and
 * each date's comparison table as the bulletin publishes it, with its
 * published total and the notes on what it lost or contradicts; then the
 * tables of the rows the operator keeps (approved_edit.c). */
#include "internal.h"
#include "../monitor/monitor.h"

#include <string.h>

static const enum msg heads[MON_REG_COUNT] = {M_AP_APPROVED, M_AP_APPROVED_ON_PORTAL, M_AP_ON_PORTAL, M_AP_ON_OWN_SITE,
                                              M_AP_APPROVED_ON_OWN_SITE};

static void cell(struct http_req *r, int v)
{
    if (v < 0)
        web_html(r, "<td>—<span class=\"visually-hidden\"> %s</span></td>", web_t(r, M_AP_LOST));
    else
        web_html(r, "<td>%d</td>", v);
}

/* The share of part in whole on each date's published total, in
 * hundredths of a per cent (truncated). */
static void progress(struct http_req *r, const struct mon_registry *reg, enum mon_reg_field part, enum msg title,
                     const char *id)
{
    struct mon_bar *bars = pc_arena_array(&r->arena, reg->ndates ? reg->ndates : 1, sizeof *bars);
    size_t n = 0;
    for (size_t i = 0; i < reg->ndates; i++) {
        const struct mon_reg_row *t = mon_registry_total(reg, reg->dates[i]);
        if (t && t->n[MON_REG_APPROVED] > 0 && t->n[part] >= 0)
            bars[n++] = (struct mon_bar){pc_arena_printf(&r->arena, web_t(r, M_AP_AS_OF), reg->dates[i]),
                                         10000LL * t->n[part] / t->n[MON_REG_APPROVED]};
    }
    if (!n)
        return;
    web_html(r, "<figure class=\"chart-figure\">\n");
    mon_svg_bars(&r->out, id, web_t(r, title), bars, n, 10000);
    web_html(r, "<figcaption>%s</figcaption>\n</figure>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" "
                "tabindex=\"0\">\n<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, title), web_t(r, title), web_t(r, title), web_t(r, M_AP_DATE), web_t(r, M_AP_SHARE));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td>%s</td><td>%s</td></tr>\n", bars[i].label, mon_hundredths(&r->arena, bars[i].value));
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void date_table(struct http_req *r, const struct mon_registry *reg, const char *date,
                       const struct cat_agency *agencies, size_t nagencies)
{
    const char *title = pc_arena_printf(&r->arena, web_t(r, M_AP_AS_OF), date);
    web_html(r, "<h2>%s</h2>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">№</th><th scope=\"col\">%s</th>",
             title, title, title, web_t(r, M_SVC_AGENCY));
    for (int f = 0; f < MON_REG_COUNT; f++)
        web_html(r, "<th scope=\"col\">%s</th>", web_t(r, heads[f]));
    web_html(r, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < reg->nrows; i++) {
        const struct mon_reg_row *x = &reg->rows[i];
        if (x->total || strcmp(x->date, date) != 0)
            continue;
        web_html(r, "<tr><td>%s%s</td><td><a href=\"/agencies/%q\">%s</a>", x->row, x->note ? "*" : "", x->agency,
                 web_agency_name(r, agencies, nagencies, x->agency));
        if (!x->listed)
            web_html(r, " (%s)", web_t(r, M_AP_NOT_LISTED));
        web_html(r, "</td>");
        for (int f = 0; f < MON_REG_COUNT; f++)
            cell(r, x->n[f]);
        web_html(r, "</tr>\n");
    }
    const struct mon_reg_row *t = mon_registry_total(reg, date);
    if (t) {
        web_html(r, "<tr><th scope=\"row\" colspan=\"2\">%s%s</th>", web_t(r, M_AP_TOTAL), t->note ? "*" : "");
        for (int f = 0; f < MON_REG_COUNT; f++)
            cell(r, t->n[f]);
        web_html(r, "</tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

int web_page_approved(struct http_req *r)
{
    struct mon_registry *reg = pc_arena_alloc(&r->arena, sizeof *reg);
    struct pc_err err = {0};
    int rc = mon_registry_current(app_of(r)->db, &r->arena, reg, &err); /* the seed, then the operator's rows */
    if (rc)
        return web_fail(r, rc, &err);
    struct cat_agency *agencies = NULL;
    size_t nagencies = 0;
    if (cat_list_agencies(app_of(r)->db, &r->arena, &agencies, &nagencies, &err))
        nagencies = 0; /* ids instead of names */
    web_page_begin(r, web_t(r, M_AP_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_EV_TITLE), "/evaluations", web_t(r, M_AP_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_AP_TITLE), web_t(r, M_AP_INTRO));
    progress(r, reg, MON_REG_APPROVED_ON_PORTAL, M_AP_PROGRESS, "chart-approved-portal");
    progress(r, reg, MON_REG_APPROVED_ON_OWN_SITE, M_AP_PROGRESS_OWN, "chart-approved-own");
    for (size_t i = reg->ndates; i-- > 0;) /* the latest first */
        date_table(r, reg, reg->dates[i], agencies, nagencies);
    web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_AP_NOTES));
    for (size_t i = 0; i < reg->nrows; i++) {
        const struct mon_reg_row *x = &reg->rows[i];
        if (x->note)
            web_html(r, "<li lang=\"en\"><strong>%s %s</strong>: %s (%s)</li>\n", x->date,
                     x->total ? web_t(r, M_AP_TOTAL) : web_agency_name(r, agencies, nagencies, x->agency), x->note,
                     x->source ? x->source : "");
    }
    web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}
