/* evaluation.c — the published evaluation campaigns (src/monitor): the
 * list, and a campaign's report like the 2014 report's diagrams 1–6
 * (infrastructure components; levels on the 3- and 4-level models;
 * e-participation; e-transparency on both scales) as SVG charts, each
 * with a table of the same figures, the results by sector group and
 * service, the recommendations, every discrepancy of the report, and the
 * CSV and JSON downloads.  The figures and bands come from monitor; this
 * file only renders them.  Also a service's published evaluation for its
 * page and the API (web_maturity: the campaigns are the one source), and
 * the live self-assessment (monitor's live.c answers the questionnaire
 * from the platform): on each service page, and for every service on
 * /evaluations/live. */
#include "internal.h"
#include "../monitor/monitor.h"

#include <string.h>

static const enum msg band_msg[MON_BAND_COUNT] = {
    [MON_BAND_NONE] = M_EV_BAND_NONE,
    [MON_BAND_WEAK] = M_EV_BAND_WEAK,
    [MON_BAND_SATISFACTORY] = M_EV_BAND_SATISFACTORY,
    [MON_BAND_GOOD] = M_EV_BAND_GOOD,
    [MON_BAND_EXCELLENT] = M_EV_BAND_EXCELLENT,
    [MON_BAND_NON_TRANSPARENT] = M_EV_BAND_NON_TRANSPARENT,
    [MON_BAND_RELATIVELY_TRANSPARENT] = M_EV_BAND_RELATIVELY,
    [MON_BAND_SUFFICIENTLY_TRANSPARENT] = M_EV_BAND_SUFFICIENTLY,
};

static const struct mon_published *campaign_of(struct http_req *r)
{
    const struct mon_published *c;
    struct pc_err err = {0};
    int rc = mon_published_get(http_param(r, 0), &c, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return NULL;
    }
    return c;
}

const struct cat_maturity *web_maturity(struct http_req *r, const struct cat_service *s)
{
    const struct mon_published *list;
    size_t n;
    struct pc_err err = {0};
    if (mon_published_list(&list, &n, &err))
        return s->maturity;
    for (size_t i = 0; i < n; i++) { /* newest first */
        const struct mon_published_service *p = mon_published_service(&list[i], s->id);
        if (!p)
            continue;
        struct cat_maturity *m = pc_arena_alloc(&r->arena, sizeof *m);
        *m = (struct cat_maturity){p->model, p->development.score, p->participation.score, p->transparency.max,
                                   p->transparency.score, NULL};
        for (size_t k = 0; k < p->ndiscrepancies; k++)
            m->note = m->note ? pc_arena_printf(&r->arena, "%s %s", m->note, p->discrepancies[k]) : p->discrepancies[k];
        return m;
    }
    return s->maturity;
}

/* ---- live self-assessment ------------------------------------------------ */

static int live_of(struct http_req *r, const struct cat_service *s, const struct cat_maturity *published,
                   struct mon_live *out)
{
    struct pc_err err = {0};
    const struct form_def *form = form_set_get(web_forms(r), s->id);
    int rc = mon_live_assess(s, form, published ? published->model : 0, out, &err);
    if (rc)
        pc_log(PC_LOG_ERROR, "monitor.live_failed", "service", s->id, "msg", err.msg, NULL);
    return rc;
}

void web_live_section(struct http_req *r, const struct cat_service *s, const struct cat_maturity *published)
{
    struct mon_live l;
    if (live_of(r, s, published, &l))
        return;
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_EV_LIVE),
             pc_arena_printf(&r->arena, web_t(r, M_EV_LIVE_LEVEL), l.result.level, l.model,
                             mon_hundredths(&r->arena, l.result.percent)));
    if (published && mon_live_below_claim(&l, published->level, published->model))
        web_html(r, "<p class=\"flag\"><strong>%s</strong></p>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_EV_LIVE_BELOW), published->level, published->model));
    web_html(r, "<details>\n<summary>%s</summary>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" "
                "tabindex=\"0\">\n<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_EV_LIVE_HOW), web_t(r, M_EV_LIVE_HOW), web_t(r, M_EV_LIVE_HOW), web_t(r, M_EV_QUESTION),
             web_t(r, M_EV_ANSWER));
    size_t n;
    const struct mon_question *q = mon_questions(MON_DEVELOPMENT, &n);
    for (size_t i = 0; i < n; i++) {
        enum mon_answer_kind k = l.answers.a[i].kind;
        web_html(r, "<tr><td>%s. %s</td><td>%s</td></tr>\n", q[i].id, pc_text_get(&q[i].text, web_lang_id(r)),
                 web_t(r, k == MON_ANS_YES ? M_EV_ANS_YES : k == MON_ANS_NO ? M_EV_ANS_NO : M_EV_ANS_NA));
    }
    web_html(r, "</tbody>\n</table>\n</div>\n</details>\n");
}

static void release_buf(void *b)
{
    pc_buf_release(b);
}

/* Every active service of the catalogue, a page of CAT_PAGE_MAX at a time. */
int web_page_live(struct http_req *r)
{
    enum pc_lang lang = web_lang_id(r);
    struct pc_buf *rows = pc_arena_alloc(&r->arena, sizeof *rows);
    pc_buf_init(rows, 4u * 1024 * 1024);
    pc_arena_defer(&r->arena, release_buf, rows);
    int flagged = 0;
    struct cat_filter f = {.free = -1, .limit = CAT_PAGE_MAX};
    do {
        struct cat_page page;
        struct pc_err err = {0};
        int rc = cat_find_services(app_of(r)->db, &r->arena, &f, &page, &err);
        if (rc)
            return web_fail(r, rc, &err);
        for (size_t i = 0; i < page.n; i++) {
            const struct cat_service *s = &page.items[i];
            const struct cat_maturity *m = web_maturity(r, s);
            struct mon_live l;
            if (live_of(r, s, m, &l))
                continue;
            bool below = m && mon_live_below_claim(&l, m->level, m->model);
            flagged += below;
            pc_buf_puts(rows, "<tr><td><a href=\"/services/");
            pc_buf_urlencode(rows, s->id);
            pc_buf_puts(rows, "\">");
            pc_buf_html(rows, pc_text_get(&s->name, lang));
            pc_buf_puts(rows, "</a></td><td>");
            pc_buf_html(rows, pc_text_get(&s->agency_name, lang));
            pc_buf_printf(rows, "</td><td>%d/%d</td><td>", l.model, l.result.level);
            if (m)
                pc_buf_printf(rows, "%d/%d", m->model, m->level);
            pc_buf_puts(rows, "</td><td>");
            if (below)
                pc_buf_html(rows, web_t(r, M_EV_FLAG));
            pc_buf_puts(rows, "</td></tr>\n");
        }
        f.cursor = page.next;
    } while (f.cursor);
    web_page_begin(r, web_t(r, M_EV_LIVE_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_EV_TITLE), "/evaluations", web_t(r, M_EV_LIVE_TITLE),
                            NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<p>%s</p>\n", web_t(r, M_EV_LIVE_TITLE),
             web_t(r, M_EV_LIVE_INTRO), pc_arena_printf(&r->arena, web_t(r, M_EV_FLAGGED_N), flagged));
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead>\n<tbody>\n",
             web_t(r, M_EV_LIVE_TITLE), web_t(r, M_EV_LIVE_TITLE), web_t(r, M_EV_SERVICE), web_t(r, M_SVC_AGENCY),
             web_t(r, M_EV_MEASURED), web_t(r, M_EV_PUBLISHED), web_t(r, M_EV_FLAG));
    pc_buf_append(&r->out, rows->data, rows->len);
    web_html(r, "</tbody>\n</table>\n</div>\n");
    web_page_end(r);
    return 0;
}

int web_page_evaluations(struct http_req *r)
{
    const struct mon_published *list;
    size_t n;
    struct pc_err err = {0};
    int rc = mon_published_list(&list, &n, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    enum pc_lang lang = web_lang_id(r);
    web_page_begin(r, web_t(r, M_EV_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_EV_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<ul class=\"links\">\n", web_t(r, M_EV_TITLE),
             web_t(r, M_EV_INTRO));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li><a href=\"/evaluations/%q\">%s</a> — %s</li>\n", list[i].id, pc_text_get(&list[i].title, lang),
                 pc_arena_printf(&r->arena, web_t(r, M_EV_SERVICES_N), (int)list[i].nservices));
    web_html(r, "<li><a href=\"/evaluations/live\">%s</a></li>\n<li><a href=\"/evaluations/approved\">%s</a></li>\n"
                "<li><a href=\"/statistics\">%s</a></li>\n</ul>\n",
             web_t(r, M_EV_LIVE_TITLE), web_t(r, M_AP_TITLE), web_t(r, M_ST_TITLE));
    web_page_end(r);
    return 0;
}

/* A chart and the table that says the same in text. */
static void chart_with_table(struct http_req *r, const char *id, const char *title, const char *label_head,
                             const char *value_head, const struct mon_bar *bars, size_t n, int max)
{
    web_html(r, "<figure class=\"chart-figure\">\n");
    mon_svg_bars(&r->out, id, title, bars, n, max);
    web_html(r, "<figcaption>%s</figcaption>\n</figure>\n", title);
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             title, title, label_head, value_head);
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td>%s</td><td>%s</td></tr>\n", bars[i].label, mon_hundredths(&r->arena, bars[i].value));
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void infrastructure(struct http_req *r, const struct mon_published *c)
{
    enum pc_lang lang = web_lang_id(r);
    struct mon_bar bars[MON_INFRA_COMPONENTS];
    for (int k = 0; k < MON_INFRA_COMPONENTS; k++)
        bars[k] = (struct mon_bar){pc_text_get(mon_component_name(k + 1), lang), c->infra.component[k]};
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_EV_INFRA),
             pc_arena_printf(&r->arena, web_t(r, M_EV_INFRA_INDEX), mon_hundredths(&r->arena, c->infra.index),
                             c->infra_printed_index));
    chart_with_table(r, "chart-infra", web_t(r, M_EV_COMPONENTS_CHART), web_t(r, M_EV_COMPONENT), web_t(r, M_EV_SCORE),
                     bars, MON_INFRA_COMPONENTS, 100);
}

static void levels(struct http_req *r, const struct mon_published *c)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_EV_LEVELS));
    for (int model = 3; model <= 5; model++) {
        int count[6] = {0}, total = 0;
        for (size_t i = 0; i < c->nservices; i++)
            if (c->services[i].model == model) {
                count[c->services[i].development.score]++;
                total++;
            }
        if (!total)
            continue;
        struct mon_bar bars[6];
        for (int l = 0; l <= model; l++)
            bars[l] = (struct mon_bar){pc_arena_printf(&r->arena, web_t(r, M_EV_LEVEL_N), l), count[l] * 100};
        chart_with_table(r, pc_arena_printf(&r->arena, "chart-levels-%d", model),
                         pc_arena_printf(&r->arena, web_t(r, M_EV_LEVELS_CHART), model), web_t(r, M_EV_DEVELOPMENT),
                         web_t(r, M_EV_COUNT), bars, (size_t)model + 1, total * 100);
    }
}

/* Services by band: participation (max 0), or transparency on one scale. */
static void bands(struct http_req *r, const struct mon_published *c, int transparency_max)
{
    enum mon_band first = transparency_max ? MON_BAND_NON_TRANSPARENT : MON_BAND_WEAK;
    enum mon_band last = transparency_max ? MON_BAND_SUFFICIENTLY_TRANSPARENT : MON_BAND_EXCELLENT;
    int count[MON_BAND_COUNT] = {0}, total = 0;
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        if (transparency_max && s->transparency.max != transparency_max)
            continue;
        count[transparency_max ? s->transparency_band : s->participation_band]++;
        total++;
    }
    if (!total)
        return;
    struct mon_bar bars[MON_BAND_COUNT];
    size_t n = 0;
    bars[n++] = (struct mon_bar){web_t(r, band_msg[MON_BAND_NONE]), count[MON_BAND_NONE] * 100};
    for (enum mon_band b = first; b <= last; b++)
        bars[n++] = (struct mon_bar){web_t(r, band_msg[b]), count[b] * 100};
    const char *title = transparency_max
                            ? pc_arena_printf(&r->arena, web_t(r, M_EV_TRANSPARENCY_CHART), transparency_max)
                            : web_t(r, M_EV_PARTICIPATION_CHART);
    chart_with_table(r, pc_arena_printf(&r->arena, "chart-bands-%d", transparency_max), title,
                     web_t(r, transparency_max ? M_EV_TRANSPARENCY : M_EV_PARTICIPATION), web_t(r, M_EV_COUNT), bars, n,
                     total * 100);
}

/* The service's name in the reader's language from the catalogue, else
 * as the report prints it. */
static void service_cell(struct http_req *r, const struct mon_published_service *s)
{
    struct cat_service cs;
    struct pc_err err = {0};
    if (cat_get_service(app_of(r)->db, &r->arena, s->service, &cs, &err) == 0)
        web_html(r, "<td>%s <a href=\"/services/%q\">%s</a>", s->row, s->service, pc_text_get(&cs.name, web_lang_id(r)));
    else
        web_html(r, "<td>%s %s", s->row, s->name);
    if (s->ndiscrepancies)
        web_html(r, " <a href=\"#d-%q\">*<span class=\"visually-hidden\">%s</span></a>", s->service,
                 web_t(r, M_EV_NOTE_MARK));
    web_html(r, "</td>");
}

static bool shown(const struct mon_published_service *s, const char *agency)
{
    return !agency || strcmp(s->agency, agency) == 0;
}

/* The results by sector group, of one body when agency is not NULL. */
static void results(struct http_req *r, const struct mon_published *c, const char *agency)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<h2>%s</h2>\n<p class=\"hint\">%s</p>\n", web_t(r, M_EV_RESULTS), web_t(r, M_EV_PRINTED_HINT));
    for (size_t g = 0; g < c->ngroups; g++) {
        size_t in_group = 0;
        for (size_t i = 0; i < c->nservices; i++)
            in_group += shown(&c->services[i], agency) && strcmp(c->services[i].group, c->groups[g].id) == 0;
        if (!in_group)
            continue;
        const char *group = pc_text_get(&c->groups[g].name, lang);
        web_html(r, "<h3>%s</h3>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 group, group, group, web_t(r, M_EV_SERVICE), web_t(r, M_EV_DEVELOPMENT), web_t(r, M_EV_PARTICIPATION),
                 web_t(r, M_EV_TRANSPARENCY));
        for (size_t i = 0; i < c->nservices; i++) {
            const struct mon_published_service *s = &c->services[i];
            if (strcmp(s->group, c->groups[g].id) != 0 || !shown(s, agency))
                continue;
            web_html(r, "<tr>");
            service_cell(r, s);
            web_html(r, "<td>%d/%d</td><td>%d/%d — %s</td><td>%d/%d — %s</td></tr>\n", s->development.max,
                     s->development.score, s->participation.max, s->participation.score,
                     web_t(r, band_msg[s->participation_band]), s->transparency.max, s->transparency.score,
                     web_t(r, band_msg[s->transparency_band]));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
}

/* The report's recommendations: every service at least at level 3, and
 * the services on the 4-level model (one body's transaction) at level 4;
 * for one body, which of its services. */
static void recommendations(struct http_req *r, const struct mon_published *c, const char *agency)
{
    int below3 = 0, below4 = 0, n = 0;
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        if (!shown(s, agency))
            continue;
        n++;
        below3 += s->development.score < 3;
        below4 += s->model == 4 && s->development.score < 4;
    }
    web_html(r, "<h2>%s</h2>\n<ul>\n<li>%s</li>\n<li>%s</li>\n</ul>\n", web_t(r, M_EV_RECOMMEND),
             pc_arena_printf(&r->arena, web_t(r, M_EV_BELOW_3), below3, n),
             pc_arena_printf(&r->arena, web_t(r, M_EV_BELOW_4), below4));
    if (!agency || !(below3 || below4))
        return;
    web_html(r, "<h3>%s</h3>\n<ul>\n", web_t(r, M_EV_TO_RAISE));
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        if (shown(s, agency) && (s->development.score < 3 || (s->model == 4 && s->development.score < 4)))
            web_html(r, "<li>%s %s — %d/%d</li>\n", s->row, s->name, s->model, s->development.score);
    }
    web_html(r, "</ul>\n");
}

/* Choose one body (a GET form: no JavaScript needed). */
static void agency_form(struct http_req *r, const struct mon_published *c, const char *agency, const char *base)
{
    struct cat_agency *list = NULL;
    size_t n = 0;
    struct pc_err err = {0};
    if (cat_list_agencies(app_of(r)->db, &r->arena, &list, &n, &err))
        n = 0; /* ids instead of names */
    web_html(r, "<form method=\"get\" action=\"%s\">\n<div class=\"field\">\n"
                "<label for=\"agency\">%s</label>\n<select class=\"input\" id=\"agency\" name=\"agency\">\n"
                "<option value=\"\">%s</option>\n",
             base, web_t(r, M_EV_AGENCY_FILTER), web_t(r, M_EV_ALL_AGENCIES));
    for (size_t i = 0; i < c->nservices; i++) {
        bool first = true; /* each body once, in the report's order */
        for (size_t k = 0; k < i && first; k++)
            first = strcmp(c->services[k].agency, c->services[i].agency) != 0;
        if (first)
            web_html(r, "<option value=\"%s\"%r>%s</option>\n", c->services[i].agency,
                     pc_str_eq(agency, c->services[i].agency) ? " selected" : "",
                     web_agency_name(r, list, n, c->services[i].agency));
    }
    web_html(r, "</select>\n</div>\n<button type=\"submit\" class=\"button\">%s</button>\n</form>\n",
             web_t(r, M_ST_SHOW));
}

static void discrepancies(struct http_req *r, const struct mon_published *c)
{
    web_html(r, "<h2 id=\"discrepancies\">%s</h2>\n<p class=\"hint\">%s</p>\n<ul>\n", web_t(r, M_EV_DISCREPANCIES),
             web_t(r, M_EV_DISCREPANCIES_HINT));
    for (size_t i = 0; i < c->ndiscrepancies; i++)
        web_html(r, "<li lang=\"en\"><strong>%s</strong>: %s</li>\n", c->discrepancies[i].subject,
                 c->discrepancies[i].what);
    for (size_t i = 0; i < c->nservices; i++) {
        const struct mon_published_service *s = &c->services[i];
        for (size_t k = 0; k < s->ndiscrepancies; k++) {
            if (k == 0)
                web_html(r, "<li id=\"d-%s\" lang=\"en\">", s->service);
            else
                web_html(r, "<li lang=\"en\">");
            web_html(r, "<strong>%s %s</strong>: %s</li>\n", s->row, s->service, s->discrepancies[k]);
        }
    }
    web_html(r, "</ul>\n");
}

int web_evaluation_report(struct http_req *r, const struct mon_published *c, const char *agency, bool agency_only,
                          const char *parent, const char *parent_url, const char *page, const char *base)
{
    bool any = !agency;
    for (size_t i = 0; !any && i < c->nservices; i++)
        any = strcmp(c->services[i].agency, agency) == 0;
    if (!any) {
        struct pc_err err = {0};
        pc_err_set(&err, PC_ENOTFOUND, "campaign %s evaluated no service of \"%.40s\"", c->id, agency);
        return web_fail(r, PC_ENOTFOUND, &err);
    }
    const char *title = pc_text_get(&c->title, web_lang_id(r));
    web_page_begin(r, title);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", parent, parent_url, title, NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", parent, title);
    if (c->source)
        web_html(r, "<p>%s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_EV_SOURCE), c->source));
    if (!agency_only) { /* one body's staff see their own rows only */
        web_html(r, "<p>%s: <a href=\"%s/results.csv\">CSV</a>, <a href=\"%s/results.json\">JSON</a></p>\n",
                 web_t(r, M_EV_DOWNLOADS), base, base);
        if (c->has_infra)
            infrastructure(r, c);
        levels(r, c);
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_EV_PARTICIPATION));
        bands(r, c, 0);
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_EV_TRANSPARENCY));
        bands(r, c, 10);
        bands(r, c, 8);
        agency_form(r, c, agency, page);
    }
    results(r, c, agency);
    recommendations(r, c, agency);
    if (!agency_only)
        discrepancies(r, c);
    web_page_end(r);
    return 0;
}

int web_page_evaluation(struct http_req *r)
{
    const struct mon_published *c = campaign_of(r);
    if (!c)
        return 0;
    const char *agency = http_kv_get(&r->query, "agency");
    const char *base = pc_arena_printf(&r->arena, "/evaluations/%s", c->id);
    return web_evaluation_report(r, c, agency && *agency ? agency : NULL, false, web_t(r, M_EV_TITLE), "/evaluations",
                                 base, base);
}

static int download(struct http_req *r, const struct mon_published *c, bool csv)
{
    r->status = 200;
    r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
    if (csv)
        mon_published_csv(c, &r->out);
    else
        mon_published_json(c, &r->out);
    http_set_header(r, "Content-Disposition",
                    pc_arena_printf(&r->arena, "attachment; filename=\"evaluation-%s.%s\"", c->id, csv ? "csv" : "json"));
    return 0;
}

int web_page_evaluation_csv(struct http_req *r)
{
    const struct mon_published *c = campaign_of(r);
    return c ? download(r, c, true) : 0;
}

int web_page_evaluation_json(struct http_req *r)
{
    const struct mon_published *c = campaign_of(r);
    return c ? download(r, c, false) : 0;
}
