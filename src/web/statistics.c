/* statistics.c — the public usage statistics (src/monitor's aggregates):
 * a period chosen with a GET form (no JavaScript), the totals, the tables
 * the bulletins printed (per government body: services used and uses; the
 * 20 most used services; the monthly trend), each with an SVG chart
 * beside it, and the same figures as CSV and JSON for any period; the
 * period's visits and users (visits.csv); the code-password holders and
 * the certificates by holder category as they are now (the centre's
 * figures through pki_client_stats, "not available" without a centre).
 * A period with no data says so; a bad period is a 400. */
#include "internal.h"
#include "../monitor/monitor.h"
#include "../pki/pki.h"

#include <pthread.h>
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

/* The period's visits (0), or a failure already answered. */
static int visits_of(struct http_req *r, const struct mon_period *p, struct mon_visits *v)
{
    struct pc_err err = {0};
    int rc = mon_visits_query(app_of(r)->db, &r->arena, p, v, &err);
    return rc ? web_fail(r, rc, &err), rc : 0;
}

static const char *min_sec(struct http_req *r, int64_t secs)
{
    return pc_arena_printf(&r->arena, "%lld:%02d", (long long)(secs / 60), (int)(secs % 60));
}

static void visits(struct http_req *r, const struct mon_visits *v)
{
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_ST_VISITS_H), web_t(r, M_ST_VISITS_NOTE));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n"
                "<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n",
             web_t(r, M_ST_VISITS), (long long)v->total.n[MON_V_VISITS], web_t(r, M_ST_USERS),
             (long long)v->total.n[MON_V_USERS], web_t(r, M_ST_NEW_USERS), (long long)v->total.n[MON_V_NEW],
             web_t(r, M_ST_RETURNING), (long long)v->total.n[MON_V_RETURNING], web_t(r, M_ST_AVG_VISIT),
             min_sec(r, mon_visit_average(&v->total)));
    if (!v->nmonths)
        return;
    struct mon_bar *bars = pc_arena_array(&r->arena, v->nmonths, sizeof *bars);
    int64_t max = 1;
    const char *heads[] = {web_t(r, M_ST_MONTH), web_t(r, M_ST_VISITS), web_t(r, M_ST_USERS),
                           web_t(r, M_ST_NEW_USERS), web_t(r, M_ST_RETURNING), web_t(r, M_ST_AVG_VISIT)};
    table_begin(r, web_t(r, M_ST_VISITS_H), heads, 6);
    for (size_t i = 0; i < v->nmonths; i++) {
        const struct mon_visit_row *m = &v->months[i];
        bars[i] = (struct mon_bar){m->month, m->n[MON_V_VISITS] * 100};
        max = m->n[MON_V_VISITS] > max ? m->n[MON_V_VISITS] : max;
        web_html(r, "<tr><td>%s</td><td>%L</td><td>%L</td><td>%L</td><td>%L</td><td>%s</td></tr>\n", m->month,
                 (long long)m->n[MON_V_VISITS], (long long)m->n[MON_V_USERS], (long long)m->n[MON_V_NEW],
                 (long long)m->n[MON_V_RETURNING], min_sec(r, mon_visit_average(m)));
    }
    table_end(r);
    mon_svg_bars(&r->out, "chart-visits", web_t(r, M_ST_CHART_VISITS), bars, v->nmonths, max * 100);
}

/* Figures of now, not of the period: code-password holders (identity)
 * and certificates by holder category (the centre; have_certs false
 * without one or when it does not answer: logged, the page says not
 * available).  Counting every citizen account and asking the centre cost
 * too much for each page (a national register is millions of rows), so a
 * process keeps the last answer for NOW_TTL_SECONDS. */
#define NOW_TTL_SECONDS 60

struct now_figures {
    int64_t holders;
    bool have_holders, have_certs;
    struct pki_stats certs;
};

static pthread_mutex_t now_lock = PTHREAD_MUTEX_INITIALIZER;
static struct now_figures now_cached;
static int64_t now_at; /* 0: never asked */

static void now_ask(struct http_req *r, struct now_figures *f)
{
    memset(f, 0, sizeof *f);
    struct pc_err err = {0};
    f->have_holders = id_code_password_holders(app_of(r)->db, &f->holders, &err) == 0;
    if (!f->have_holders)
        pc_log(PC_LOG_WARN, "web.statistics_holders_failed", "msg", err.msg, NULL);
    struct pki_client *ca = app_of(r)->ca;
    struct pc_err cerr = {0};
    f->have_certs = ca && pki_client_stats(ca, &r->arena, &f->certs, &cerr) == 0;
    if (ca && !f->have_certs)
        pc_log(PC_LOG_WARN, "web.statistics_certs_failed", "msg", cerr.msg, NULL);
}

static void now_of(struct http_req *r, struct now_figures *f)
{
    int64_t now = pc_now_unix();
    pthread_mutex_lock(&now_lock);
    bool fresh = now_at && now - now_at < NOW_TTL_SECONDS;
    if (fresh)
        *f = now_cached;
    pthread_mutex_unlock(&now_lock);
    if (fresh)
        return;
    now_ask(r, f); /* outside the lock: two pages may both ask, once */
    if (!f->have_holders || (app_of(r)->ca && !f->have_certs))
        return; /* a failure is not kept: the next page asks again */
    pthread_mutex_lock(&now_lock);
    now_cached = *f;
    now_at = now;
    pthread_mutex_unlock(&now_lock);
}

static const enum msg category_msg[PKI_CAT_COUNT] = {
    [PKI_CAT_CITIZEN] = M_ST_CAT_CITIZEN, [PKI_CAT_LEGAL] = M_ST_CAT_LEGAL,
    [PKI_CAT_STATE] = M_ST_CAT_STATE, [PKI_CAT_SERVICE] = M_ST_CAT_SERVICE};

static void holders(struct http_req *r)
{
    struct now_figures f;
    now_of(r, &f);
    web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n</dl>\n", web_t(r, M_ST_HOLDERS_H),
             web_t(r, M_ST_HOLDERS),
             f.have_holders ? pc_arena_printf(&r->arena, "%lld", (long long)f.holders) : "—");
    web_html(r, "<h3>%s</h3>\n", web_t(r, M_ST_CERTS));
    if (!f.have_certs) {
        web_html(r, "<p class=\"flag\" id=\"certs-not-available\">%s</p>\n", web_t(r, M_ST_NOT_AVAILABLE));
        return;
    }
    const char *heads[] = {web_t(r, M_ST_CATEGORY), web_t(r, M_ST_ISSUED), web_t(r, M_ST_VALID)};
    table_begin(r, web_t(r, M_ST_CERTS), heads, 3);
    for (int c = 0; c < PKI_CAT_COUNT; c++)
        web_html(r, "<tr><td>%s</td><td>%L</td><td>%L</td></tr>\n", web_t(r, category_msg[c]),
                 (long long)f.certs.issued[c], (long long)f.certs.valid[c]);
    table_end(r);
}

/* Applications by channel and district, in the period's months (kiosk). */
static void channels(struct http_req *r, const struct mon_period *p)
{
    web_channel_stats(r, pc_arena_strndup(&r->arena, p->from, 7), pc_arena_strndup(&r->arena, p->to, 7));
}

int web_page_statistics(struct http_req *r)
{
    const char *from, *to;
    struct mon_usage u;
    int rc = usage_of(r, &u, &from, &to);
    if (rc && rc != PC_ENOTFOUND)
        return 0;
    const struct mon_period p = u.period;
    struct mon_visits v;
    if (visits_of(r, &p, &v))
        return 0;
    web_page_begin(r, web_t(r, M_ST_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_ST_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ST_TITLE), web_t(r, M_ST_INTRO));
    period_form(r, from, to);
    web_html(r, "<p><strong>%s</strong></p>\n", pc_arena_printf(&r->arena, web_t(r, M_ST_SHOWING), p.from, p.to));
    if (rc == PC_ENOTFOUND) {
        web_html(r, "<p class=\"flag\">%s</p>\n", web_t(r, M_ST_NO_DATA));
        visits(r, &v);
        holders(r);
        channels(r, &p);
        web_page_end(r);
        return 0;
    }
    web_html(r, "<p>%s: <a href=\"/statistics/usage.csv?from=%q&amp;to=%q\">CSV</a>, "
                "<a href=\"/statistics/usage.json?from=%q&amp;to=%q\">JSON</a>, "
                "<a href=\"/statistics/visits.csv?from=%q&amp;to=%q\">%s (CSV)</a></p>\n",
             web_t(r, M_EV_DOWNLOADS), p.from, p.to, p.from, p.to, p.from, p.to, web_t(r, M_ST_VISITS));
    web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%L</dd>\n"
                "</dl>\n",
             web_t(r, M_ST_TOTALS), web_t(r, M_ST_VIEWS), (long long)u.total[MON_USE_VIEW], web_t(r, M_ST_STARTS),
             (long long)u.total[MON_USE_START], web_t(r, M_ST_SEARCHES), (long long)u.total[MON_USE_SEARCH]);
    by_agency(r, &u);
    top_services(r, &u);
    trend(r, &u);
    visits(r, &v);
    holders(r);
    channels(r, &p);
    web_page_end(r);
    return 0;
}

/* ", "now": {"code_password_holders": N|null, "certificates": {cat: {issued, valid}}|null} */
static void now_json(struct http_req *r)
{
    struct now_figures f;
    now_of(r, &f);
    pc_buf_puts(&r->out, ", \"now\": {\"code_password_holders\": ");
    if (f.have_holders)
        pc_buf_printf(&r->out, "%lld", (long long)f.holders);
    else
        pc_buf_puts(&r->out, "null");
    pc_buf_puts(&r->out, ", \"certificates\": ");
    if (!f.have_certs) {
        pc_buf_puts(&r->out, "null}");
        return;
    }
    for (int c = 0; c < PKI_CAT_COUNT; c++)
        pc_buf_printf(&r->out, "%s\"%s\": {\"issued\": %lld, \"valid\": %lld}", c ? ", " : "{",
                      pki_category_name(c), (long long)f.certs.issued[c], (long long)f.certs.valid[c]);
    pc_buf_puts(&r->out, "}}");
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
    if (csv) {
        mon_usage_csv(&u, &r->out);
    } else {
        struct mon_visits v;
        if (visits_of(r, &p, &v))
            return 0;
        pc_buf_putc(&r->out, '{');
        mon_usage_json_members(&u, &r->out);
        pc_buf_puts(&r->out, ", \"visits\": ");
        mon_visits_json(&v, &r->out);
        now_json(r);
        pc_buf_puts(&r->out, "}\n");
    }
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

/* The period's visits as CSV (a row a month and the total); an empty
 * period is the header and a total of zeros, not an error. */
int web_page_statistics_visits_csv(struct http_req *r)
{
    struct mon_period p;
    const char *from, *to;
    if (period_of(r, &p, &from, &to))
        return 0;
    struct mon_visits v;
    if (visits_of(r, &p, &v))
        return 0;
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    mon_visits_csv(&v, &r->out);
    http_set_header(r, "Content-Disposition",
                    pc_arena_printf(&r->arena, "attachment; filename=\"visits-%s-%s.csv\"", p.from, p.to));
    return 0;
}
