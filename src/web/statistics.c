/* statistics.c — the public usage statistics (src/monitor's aggregates):
 * a period chosen with a GET form (no JavaScript), the totals, the tables
 * the bulletins printed (per government body: services used and uses; the
 * 20 most used services; the monthly trend), each with an SVG chart
 * beside it, and the same figures as CSV and JSON for any period.  A
 * period with no data says so; a bad period is a 400. */
#include "internal.h"
#include "../monitor/monitor.h"

#include <string.h>

#define TOP 20

/* The period of ?from=&to= (months or days); by default this year so far. */
static int period_of(struct http_req *r, struct mon_period *p, const char **from, const char **to)
{
    *from = http_kv_get(&r->query, "from");
    *to = http_kv_get(&r->query, "to");
    char now[21];
    pc_rfc3339(pc_now_unix(), now);
    if (!*from || !**from)
        *from = pc_arena_printf(&r->arena, "%.4s-01", now);
    if (!*to || !**to)
        *to = pc_arena_printf(&r->arena, "%.7s", now);
    struct pc_err err = {0};
    int rc = mon_period_parse(*from, *to, p, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc;
}

/* The usage of the request's period: 0, PC_ENOTFOUND (nothing recorded;
 * the caller decides), or another code already answered. */
static int usage_of(struct http_req *r, struct mon_usage *u, const char **from, const char **to)
{
    struct mon_period p;
    if (period_of(r, &p, from, to))
        return PC_EINVAL;
    struct pc_err err = {0};
    int rc = mon_usage_query(app_of(r)->db, &r->arena, &p, u, &err);
    if (rc && rc != PC_ENOTFOUND)
        web_fail(r, rc, &err);
    return rc;
}

const char *web_agency_name(struct http_req *r, const struct cat_agency *list, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].id, id) == 0)
            return pc_text_get(&list[i].name, web_lang_id(r));
    return id;
}

static const char *service_name(struct http_req *r, const char *id)
{
    struct cat_service s;
    struct pc_err err = {0};
    return cat_get_service(app_of(r)->db, &r->arena, id, &s, &err) == 0 ? pc_text_get(&s.name, web_lang_id(r)) : id;
}

static void table_begin(struct http_req *r, const char *caption, const char *const *heads, int n)
{
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>",
             caption, caption);
    for (int i = 0; i < n; i++)
        web_html(r, "<th scope=\"col\">%s</th>", heads[i]);
    web_html(r, "</tr></thead>\n<tbody>\n");
}

static void table_end(struct http_req *r)
{
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void period_form(struct http_req *r, const char *from, const char *to)
{
    web_html(r, "<form method=\"get\" action=\"/statistics\" class=\"period\">\n<fieldset class=\"fieldset\">\n"
                "<legend class=\"legend\">%s</legend>\n",
             web_t(r, M_ST_PERIOD));
    struct web_field f_from = {"from", web_t(r, M_ST_FROM), NULL, from, "text", "off", 10};
    struct web_field f_to = {"to", web_t(r, M_ST_TO), NULL, to, "text", "off", 10};
    web_text_field(r, &f_from, NULL, 0);
    web_text_field(r, &f_to, NULL, 0);
    web_html(r, "<button type=\"submit\" class=\"button\">%s</button>\n</fieldset>\n</form>\n", web_t(r, M_ST_SHOW));
}

static void by_agency(struct http_req *r, const struct mon_usage *u)
{
    struct cat_agency *list = NULL;
    size_t n = 0;
    struct pc_err err = {0};
    if (cat_list_agencies(app_of(r)->db, &r->arena, &list, &n, &err))
        n = 0; /* ids instead of names */
    struct mon_bar *bars = pc_arena_array(&r->arena, u->nagencies ? u->nagencies : 1, sizeof *bars);
    int64_t max = 1;
    for (size_t i = 0; i < u->nagencies; i++) {
        bars[i] = (struct mon_bar){web_agency_name(r, list, n, u->agencies[i].id), u->agencies[i].n[MON_USE_VIEW] * 100};
        max = u->agencies[i].n[MON_USE_VIEW] > max ? u->agencies[i].n[MON_USE_VIEW] : max;
    }
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ST_BY_AGENCY));
    const char *heads[] = {web_t(r, M_SVC_AGENCY), web_t(r, M_ST_SERVICES_USED), web_t(r, M_ST_VIEWS),
                           web_t(r, M_ST_STARTS)};
    table_begin(r, web_t(r, M_ST_BY_AGENCY), heads, 4);
    for (size_t i = 0; i < u->nagencies; i++)
        web_html(r, "<tr><td><a href=\"/agencies/%q\">%s</a></td><td>%d</td><td>%L</td><td>%L</td></tr>\n",
                 u->agencies[i].id, bars[i].label, u->agencies[i].services, (long long)u->agencies[i].n[MON_USE_VIEW],
                 (long long)u->agencies[i].n[MON_USE_START]);
    table_end(r);
    if (u->nagencies)
        mon_svg_bars(&r->out, "chart-agencies", web_t(r, M_ST_CHART_AGENCIES), bars,
                     u->nagencies < TOP ? u->nagencies : TOP, max * 100);
}

static void top_services(struct http_req *r, const struct mon_usage *u)
{
    size_t n = u->nservices < TOP ? u->nservices : TOP;
    struct mon_bar *bars = pc_arena_array(&r->arena, n ? n : 1, sizeof *bars);
    int64_t max = 1;
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ST_TOP));
    const char *heads[] = {"#", web_t(r, M_EV_SERVICE), web_t(r, M_ST_STARTS), web_t(r, M_ST_VIEWS)};
    table_begin(r, web_t(r, M_ST_TOP), heads, 4);
    for (size_t i = 0; i < n; i++) {
        const struct mon_usage_row *s = &u->services[i];
        bars[i] = (struct mon_bar){service_name(r, s->id), s->n[MON_USE_VIEW] * 100};
        max = s->n[MON_USE_VIEW] > max ? s->n[MON_USE_VIEW] : max;
        web_html(r, "<tr><td>%d</td><td><a href=\"/services/%q\">%s</a></td><td>%L</td><td>%L</td></tr>\n", (int)i + 1,
                 s->id, bars[i].label, (long long)s->n[MON_USE_START], (long long)s->n[MON_USE_VIEW]);
    }
    table_end(r);
    if (n)
        mon_svg_bars(&r->out, "chart-top", web_t(r, M_ST_CHART_TOP), bars, n, max * 100);
}

static void trend(struct http_req *r, const struct mon_usage *u)
{
    struct mon_bar *bars = pc_arena_array(&r->arena, u->nmonths ? u->nmonths : 1, sizeof *bars);
    int64_t max = 1;
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ST_TREND));
    const char *heads[] = {web_t(r, M_ST_MONTH), web_t(r, M_ST_VIEWS), web_t(r, M_ST_STARTS), web_t(r, M_ST_SEARCHES)};
    table_begin(r, web_t(r, M_ST_TREND), heads, 4);
    for (size_t i = 0; i < u->nmonths; i++) {
        const struct mon_usage_row *m = &u->months[i];
        bars[i] = (struct mon_bar){m->id, m->n[MON_USE_VIEW] * 100};
        max = m->n[MON_USE_VIEW] > max ? m->n[MON_USE_VIEW] : max;
        web_html(r, "<tr><td>%s</td><td>%L</td><td>%L</td><td>%L</td></tr>\n", m->id, (long long)m->n[MON_USE_VIEW],
                 (long long)m->n[MON_USE_START], (long long)m->n[MON_USE_SEARCH]);
    }
    table_end(r);
    mon_svg_bars(&r->out, "chart-trend", web_t(r, M_ST_CHART_TREND), bars, u->nmonths, max * 100);
}

int web_page_statistics(struct http_req *r)
{
    const char *from, *to;
    struct mon_usage u;
    int rc = usage_of(r, &u, &from, &to);
    if (rc && rc != PC_ENOTFOUND)
        return 0;
    const struct mon_period p = u.period;
    web_page_begin(r, web_t(r, M_ST_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_ST_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ST_TITLE), web_t(r, M_ST_INTRO));
    period_form(r, from, to);
    web_html(r, "<p><strong>%s</strong></p>\n", pc_arena_printf(&r->arena, web_t(r, M_ST_SHOWING), p.from, p.to));
    if (rc == PC_ENOTFOUND) {
        web_html(r, "<p class=\"flag\">%s</p>\n", web_t(r, M_ST_NO_DATA));
        web_page_end(r);
        return 0;
    }
    web_html(r, "<p>%s: <a href=\"/statistics/usage.csv?from=%q&amp;to=%q\">CSV</a>, "
                "<a href=\"/statistics/usage.json?from=%q&amp;to=%q\">JSON</a></p>\n",
             web_t(r, M_EV_DOWNLOADS), p.from, p.to, p.from, p.to);
    web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n"
                "</dl>\n",
             web_t(r, M_ST_TOTALS), web_t(r, M_ST_VIEWS), (long long)u.total[MON_USE_VIEW], web_t(r, M_ST_STARTS),
             (long long)u.total[MON_USE_START], web_t(r, M_ST_SEARCHES), (long long)u.total[MON_USE_SEARCH]);
    by_agency(r, &u);
    top_services(r, &u);
    trend(r, &u);
    web_page_end(r);
    return 0;
}

static int download(struct http_req *r, bool csv)
{
    const char *from, *to;
    struct mon_usage u;
    int rc = usage_of(r, &u, &from, &to);
    if (rc == PC_ENOTFOUND) {
        struct pc_err err = {0};
        pc_err_set(&err, rc, "no usage was recorded from %s to %s", u.period.from, u.period.to);
        return web_fail(r, rc, &err);
    }
    if (rc)
        return 0;
    const struct mon_period p = u.period;
    r->status = 200;
    r->content_type = csv ? "text/csv; charset=utf-8" : "application/json";
    if (csv)
        mon_usage_csv(&u, &r->out);
    else
        mon_usage_json(&u, &r->out);
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"usage-%s-%s.%s\"",
                                                              p.from, p.to, csv ? "csv" : "json"));
    return 0;
}

int web_page_statistics_csv(struct http_req *r)
{
    return download(r, true);
}

int web_page_statistics_json(struct http_req *r)
{
    return download(r, false);
}
