/* isreg_pages.c — the register of information systems on the portal: the
 * public list with its folding search, one system's card with its
 * versions and compliance checks, the statistics (registered of known,
 * by body and by year, with a chart), and for staff the card form, the
 * overdue list and the steps (submit; the operator's register or return).
 * What each person may see or do is decided in src/isreg; this file
 * renders the typed answers. */
#include "internal.h"
#include "../isreg/isreg.h"

#include <string.h>

static enum msg status_msg(enum isreg_status s)
{
    static const enum msg m[ISREG_STATUS_COUNT] = {M_ISR_ST_DRAFT, M_ISR_ST_SUBMITTED, M_ISR_ST_RETURNED,
                                                   M_ISR_ST_REGISTERED, M_ISR_ST_DEREGISTERED};
    return m[s];
}

static const char *kind_label(struct http_req *r, enum isreg_kind k)
{
    return web_t(r, k == ISREG_KIND_RESOURCE ? M_ISR_KIND_RESOURCE : M_ISR_KIND_PERSONAL);
}

static const enum msg category_msgs[ISREG_CAT_COUNT] = {
    M_ISR_CAT_IDENTITY,  M_ISR_CAT_CONTACT, M_ISR_CAT_ADDRESS,   M_ISR_CAT_FAMILY,
    M_ISR_CAT_EMPLOYMENT, M_ISR_CAT_FINANCIAL, M_ISR_CAT_HEALTH, M_ISR_CAT_EDUCATION,
    M_ISR_CAT_BIOMETRIC, M_ISR_CAT_CRIMINAL, M_ISR_CAT_PROPERTY};

static const char *agency_name(struct http_req *r, const char *id)
{
    struct cat_agency ag;
    return cat_get_agency(app_of(r)->db, &r->arena, id, &ag, NULL) == 0 ? pc_text_get(&ag.name, web_lang_id(r)) : id;
}

static const char *day_of_time(struct http_req *r, int64_t t)
{
    if (!t)
        return "";
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s", ts);
}

/* Links for staff: their body's systems, the operator's queue, overdue. */
static void staff_links(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    const char *agency = id_agency_of(who);
    bool op = id_authorize(who, ID_ACT_ISREG_REVIEW, NULL);
    bool editor = agency && id_authorize(who, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = agency});
    if (!op && !editor)
        return;
    web_html(r, "<ul class=\"link-list\">\n");
    if (editor)
        web_html(r, "<li><a href=\"/information-systems?owner=%q\">%s</a></li>\n<li><a href=\"/information-systems/new\">%s</a></li>\n",
                 agency, web_t(r, M_ISR_MY_SYSTEMS), web_t(r, M_ISR_NEW));
    if (op)
        web_html(r, "<li><a href=\"/information-systems?status=submitted\">%s</a></li>\n", web_t(r, M_ISR_REVIEW_QUEUE));
    web_html(r, "<li><a href=\"/information-systems/overdue\">%s</a></li>\n</ul>\n", web_t(r, M_ISR_OVERDUE));
}

int web_page_isreg_list(struct http_req *r)
{
    struct isreg_filter f = {.q = http_kv_get(&r->query, "q"), .agency_id = http_kv_get(&r->query, "owner"),
                             .cursor = http_kv_get(&r->query, "cursor"), .status = -1, .limit = 50};
    if (f.q && !*f.q)
        f.q = NULL;
    if (f.agency_id && !*f.agency_id)
        f.agency_id = NULL;
    const char *st = http_kv_get(&r->query, "status");
    if (st && *st && (f.status = isreg_status_parse(st)) < 0)
        return http_error(r, 400, "bad-parameter", "Bad request", "unknown status");
    struct isreg_page page;
    struct pc_err err = {0};
    int rc = isreg_list(app_of(r)->db, &r->arena, web_who(r), &f, &page, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct cat_agency *agencies;
    size_t nagencies = 0;
    rc = cat_list_agencies(app_of(r)->db, &r->arena, &agencies, &nagencies, &err);
    if (rc)
        return web_fail(r, rc, &err);

    web_page_begin(r, web_t(r, M_ISR_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ISR_TITLE), web_t(r, M_ISR_LEAD));
    staff_links(r);
    web_html(r, "<p><a href=\"/information-systems/stats\">%s</a></p>\n", web_t(r, M_ISR_STATS_TITLE));
    web_html(r, "<form method=\"get\" action=\"/information-systems\" class=\"filters inline-filters\" role=\"search\">\n"
                "<div class=\"field\"><label for=\"q\">%s</label>\n"
                "<input class=\"input\" id=\"q\" name=\"q\" type=\"search\" maxlength=\"200\" value=\"%s\"></div>\n"
                "<div class=\"field\"><label for=\"f-owner\">%s</label>\n<select id=\"f-owner\" name=\"owner\">\n"
                "<option value=\"\">%s</option>\n",
             web_t(r, M_ISR_SEARCH), f.q ? f.q : "", web_t(r, M_ISR_OWNER), web_t(r, M_FILTER_ANY));
    for (size_t i = 0; i < nagencies; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", agencies[i].id,
                 pc_str_eq(f.agency_id, agencies[i].id) ? " selected" : "", pc_text_get(&agencies[i].name, web_lang_id(r)));
    web_html(r, "</select></div>\n<div class=\"field\"><label for=\"f-status\">%s</label>\n<select id=\"f-status\" name=\"status\">\n"
                "<option value=\"\">%s</option>\n", web_t(r, M_ISR_STATUS), web_t(r, M_FILTER_ANY));
    for (int s = 0; s < ISREG_STATUS_COUNT; s++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", isreg_status_name((enum isreg_status)s),
                 f.status == s ? " selected" : "", web_t(r, status_msg((enum isreg_status)s)));
    web_html(r, "</select></div>\n<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SEARCH_BUTTON));

    web_html(r, "<p role=\"status\">%r</p>\n", pc_arena_printf(&r->arena, web_t(r, M_ISR_COUNT), (long long)page.n));
    if (page.n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ISR_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                    "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_ISR_TITLE), web_t(r, M_ISR_TITLE), web_t(r, M_COL_NAME), web_t(r, M_ISR_OWNER),
                 web_t(r, M_ISR_KIND), web_t(r, M_ISR_STATUS), web_t(r, M_ISR_REGISTERED_ON));
        for (size_t i = 0; i < page.n; i++) {
            const struct isreg_system *s = &page.items[i];
            web_html(r, "<tr><td><a href=\"/information-systems/%s\">%s</a></td><td>%s</td><td>%s</td>"
                        "<td><span class=\"tag\">%s</span></td><td><time>%s</time></td></tr>\n",
                     s->id, pc_text_get(&s->card.name, web_lang_id(r)), agency_name(r, s->agency_id),
                     kind_label(r, s->card.kind), web_t(r, status_msg(s->status)), day_of_time(r, s->registered_at));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    /* the same filters, for the next page and the download */
    struct pc_buf q;
    pc_buf_init(&q, 1024);
    if (f.q) { pc_buf_puts(&q, "q="); pc_buf_urlencode(&q, f.q); pc_buf_putc(&q, '&'); }
    if (f.agency_id) { pc_buf_puts(&q, "owner="); pc_buf_urlencode(&q, f.agency_id); pc_buf_putc(&q, '&'); }
    if (f.status >= 0) { pc_buf_puts(&q, "status="); pc_buf_puts(&q, isreg_status_name((enum isreg_status)f.status)); pc_buf_putc(&q, '&'); }
    const char *qs = pc_arena_strdup(&r->arena, q.data ? q.data : "");
    pc_buf_release(&q);
    if (page.next)
        web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"/information-systems?%scursor=%q\" rel=\"next\">%s</a></li></ul></nav>\n",
                 web_t(r, M_PAGINATION), qs, page.next, web_t(r, M_SERVICES_NEXT));
    if (f.status < 0 || f.status == ISREG_REGISTERED || f.status == ISREG_DEREGISTERED)
        web_html(r, "<p><a href=\"/api/v1/information-systems/export.csv?%s\" download>%s</a></p>\n", qs,
                 web_t(r, M_ISR_DOWNLOAD_CSV));
    web_page_end(r);
    return 0;
}

/* ---- statistics ------------------------------------------------------------------------ */

static const char *percent(struct http_req *r, int part, int whole)
{
    return whole ? pc_arena_printf(&r->arena, "%d%%", (part * 100 + whole / 2) / whole) : "—";
}

/* Bars of the registered share by year: an image with its own text
 * alternative; the table below it holds the same figures. */
static void share_chart(struct http_req *r, const struct isreg_stats *st)
{
    if (!st->nyears)
        return;
    int w = 56, h = 160, gap = 16, left = 8;
    int width = left + (int)st->nyears * (w + gap);
    web_html(r, "<figure class=\"chart\">\n<svg role=\"img\" aria-labelledby=\"share-title\" viewBox=\"0 0 %d %d\" "
                "width=\"%d\" height=\"%d\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"share-title\">%s</title>\n",
             width, h + 40, width, h + 40, web_t(r, M_ISR_CHART));
    for (size_t i = 0; i < st->nyears; i++) {
        const struct isreg_count *y = &st->years[i];
        int bar = y->known ? h * y->registered / y->known : 0;
        int x = left + (int)i * (w + gap);
        web_html(r, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#d9e2ec\"/>\n"
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#0b5394\"/>\n"
                    "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">%s</text>\n"
                    "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">%d</text>\n",
                 x, 0, w, h, x, h - bar, w, bar, x + w / 2, h - bar - 4 < 12 ? 12 : h - bar - 4,
                 percent(r, y->registered, y->known), x + w / 2, h + 20, y->year);
    }
    web_html(r, "</svg>\n</figure>\n");
}

int web_page_isreg_stats(struct http_req *r)
{
    struct isreg_stats st;
    struct pc_err err = {0};
    int rc = isreg_stats(app_of(r)->db, &r->arena, isreg_day_of(pc_now_unix()), &st, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_ISR_STATS_TITLE));
    const char *crumbs[] = {web_t(r, M_ISR_TITLE), "/information-systems", web_t(r, M_ISR_STATS), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ISR_STATS_TITLE), web_t(r, M_ISR_STATS_LEAD));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%d</dd>\n<dt>%s</dt><dd>%d (%s)</dd>\n<dt>%s</dt><dd>%d</dd>\n</dl>\n"
                "<p>%r</p>\n",
             web_t(r, M_ISR_KNOWN), st.totals.known, web_t(r, M_ISR_REGISTERED), st.totals.registered,
             percent(r, st.totals.registered, st.totals.known), web_t(r, M_ISR_UNREGISTERED),
             st.totals.known - st.totals.registered,
             pc_arena_printf(&r->arena, web_t(r, M_ISR_FINES), st.fine_min, st.fine_max));

    web_html(r, "<h2>%s</h2>\n", web_t(r, M_ISR_BY_YEAR));
    share_chart(r, &st);
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_ISR_BY_YEAR), web_t(r, M_ISR_BY_YEAR), web_t(r, M_ISR_YEAR), web_t(r, M_ISR_KNOWN),
             web_t(r, M_ISR_REGISTERED), web_t(r, M_ISR_SHARE), web_t(r, M_ISR_SOURCE));
    for (size_t i = 0; i < st.nyears; i++) {
        const struct isreg_count *y = &st.years[i];
        web_html(r, "<tr><th scope=\"row\">%d</th><td>%d</td><td>%d</td><td>%s</td><td>%s</td></tr>\n", y->year, y->known,
                 y->registered, percent(r, y->registered, y->known),
                 pc_str_eq(y->source, "register") ? web_t(r, M_ISR_SOURCE_REGISTER) : y->source);
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");

    web_html(r, "<h2>%s</h2>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_ISR_BY_BODY), web_t(r, M_ISR_BY_BODY), web_t(r, M_ISR_BY_BODY), web_t(r, M_ISR_OWNER),
             web_t(r, M_ISR_KNOWN), web_t(r, M_ISR_REGISTERED), web_t(r, M_ISR_UNREGISTERED));
    for (size_t i = 0; i < st.nagencies; i++) {
        const struct isreg_count *a = &st.agencies[i];
        web_html(r, "<tr><th scope=\"row\"><a href=\"/information-systems?owner=%q\">%s</a></th><td>%d</td><td>%d</td><td>%d</td></tr>\n",
                 a->agency_id, agency_name(r, a->agency_id), a->known, a->registered, a->known - a->registered);
    }
    web_html(r, "<tr><th scope=\"row\">%s</th><td>%d</td><td>%d</td><td>%d</td></tr>\n</tbody>\n</table>\n</div>\n",
             web_t(r, M_ISR_TOTAL), st.totals.known, st.totals.registered, st.totals.known - st.totals.registered);
    web_html(r, "<p><a href=\"/api/v1/information-systems/stats\">JSON</a></p>\n");
    web_page_end(r);
    return 0;
}

/* ---- one system -------------------------------------------------------------------------- */

static void list_dd(struct http_req *r, const struct isreg_list *l, const char *href_prefix)
{
    if (!l->n) {
        web_html(r, "<dd>%s</dd>\n", web_t(r, M_ISR_NONE_DECLARED));
        return;
    }
    web_html(r, "<dd><ul>");
    for (size_t i = 0; i < l->n; i++)
        if (href_prefix) {  /* a catalogue service: its name when the catalogue has it */
            struct cat_service svc;
            const char *name = cat_get_service(app_of(r)->db, &r->arena, l->items[i], &svc, NULL) == 0
                                   ? pc_text_get(&svc.name, web_lang_id(r)) : l->items[i];
            web_html(r, "<li><a href=\"%s%q\">%s</a></li>", href_prefix, l->items[i], name);
        } else
            web_html(r, "<li><code>%s</code></li>", l->items[i]);
    web_html(r, "</ul></dd>\n");
}

static void text_dd(struct http_req *r, enum msg label, const char *v)
{
    web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, label), v && *v ? v : web_t(r, M_ISR_NONE_DECLARED));
}

static void card_facts(struct http_req *r, const struct isreg_system *s)
{
    const struct isreg_card *c = &s->card;
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n",
             web_t(r, M_ISR_OWNER), agency_name(r, s->agency_id), web_t(r, M_ISR_STATUS), web_t(r, status_msg(s->status)),
             web_t(r, M_ISR_KIND), kind_label(r, c->kind));
    text_dd(r, M_ISR_PURPOSE, c->purpose);
    text_dd(r, M_ISR_LEGAL, c->legal_basis);
    web_html(r, "<dt>%s</dt><dd>", web_t(r, M_ISR_CATEGORIES));
    const char *sep = "";
    for (int i = 0; i < ISREG_CAT_COUNT; i++)
        if (c->categories & ISREG_BIT(i)) {
            web_html(r, "%s%s", sep, web_t(r, category_msgs[i]));
            sep = ", ";
        }
    web_html(r, "%s</dd>\n<dt>%s</dt><dd>%s</dd>\n", *sep ? "" : web_t(r, M_ISR_NONE_DECLARED), web_t(r, M_ISR_USES_FIN),
             web_t(r, c->uses_fin ? M_ISR_YES : M_ISR_NO));
    text_dd(r, M_ISR_SOURCES, c->sources);
    text_dd(r, M_ISR_RECIPIENTS, c->recipients);
    web_html(r, "<dt>%s</dt>", web_t(r, M_ISR_OFFERED));
    list_dd(r, &c->services_offered, NULL);
    web_html(r, "<dt>%s</dt>", web_t(r, M_ISR_USED));
    list_dd(r, &c->services_used, NULL);
    web_html(r, "<dt>%s</dt>", web_t(r, M_ISR_PORTAL));
    list_dd(r, &c->portal_services, "/services/");
    web_html(r, "<dt>%s</dt><dd><time>%s</time></dd>\n", web_t(r, M_ISR_STARTED), c->started_on);
    if (c->hosting) {
        text_dd(r, M_ISR_HOSTING, c->hosting);
        text_dd(r, M_ISR_SECURITY, c->security);
        text_dd(r, M_ISR_RESPONSIBLE, c->responsible);
    }
    web_html(r, "</dl>\n");
}

static void checks_table(struct http_req *r, const struct isreg_system *s)
{
    static const enum msg check_msgs[ISREG_CHECK_COUNT] = {M_ISR_CHECK_ON_TIME, M_ISR_CHECK_PORTAL, M_ISR_CHECK_FIN,
                                                           M_ISR_CHECK_EXCHANGE, M_ISR_CHECK_FINDINGS};
    static const enum msg result_msgs[] = {M_ISR_RES_PASS, M_ISR_RES_FAIL, M_ISR_RES_NA, M_ISR_RES_UNKNOWN};
    static const enum msg compliance_msgs[ISREG_COMPLIANCE_COUNT] = {M_ISR_COMPLIANT, M_ISR_FINDINGS_OPEN,
                                                                     M_ISR_NOT_COMPLIANT};
    web_html(r, "<h2>%s</h2>\n<p>%s: <strong>%s</strong></p>\n<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<tbody>\n",
             web_t(r, M_ISR_CHECKS), web_t(r, M_ISR_COMPLIANCE), web_t(r, compliance_msgs[s->compliance]),
             web_t(r, M_ISR_CHECKS));
    for (int i = 0; i < ISREG_CHECK_COUNT; i++)
        web_html(r, "<tr><th scope=\"row\">%s</th><td>%s</td></tr>\n", web_t(r, check_msgs[i]),
                 web_t(r, result_msgs[s->checks[i]]));
    web_html(r, "</tbody>\n</table>\n");
}

static void versions_table(struct http_req *r, const struct isreg_system *s)
{
    web_html(r, "<h2>%s</h2>\n<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_ISR_VERSIONS), web_t(r, M_ISR_VERSIONS), web_t(r, M_ISR_VERSIONS), web_t(r, M_ISR_VERSION),
             web_t(r, M_ISR_CHANGE_ON), web_t(r, M_ISR_CHANGE_NOTE), web_t(r, M_ISR_DUE_ON), web_t(r, M_ISR_LATE_DAYS),
             web_t(r, M_ISR_REGISTERED_ON));
    for (size_t i = 0; i < s->nversions; i++) {
        const struct isreg_card *v = &s->versions[i];
        web_html(r, "<tr><td>%d</td><td><time>%s</time></td><td>%s</td><td><time>%s</time></td><td>%r</td><td><time>%s</time></td></tr>\n",
                 v->version, v->change_on, v->change_note, v->due_on,
                 v->late_days < 0 ? "—" : pc_arena_printf(&r->arena, "%d", v->late_days),
                 v->status == ISREG_CARD_REGISTERED || v->status == ISREG_CARD_SUPERSEDED ? day_of_time(r, v->decided_at) : "");
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void staff_sections(struct http_req *r, const struct isreg_system *s, const char *remarks_error)
{
    const struct id_principal *who = web_who(r);
    bool op = id_authorize(who, ID_ACT_ISREG_REVIEW, NULL);
    bool editor = id_authorize(who, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = s->agency_id});
    if (editor && s->status != ISREG_DEREGISTERED && s->status != ISREG_SUBMITTED)
        web_html(r, "<p><a class=\"button secondary\" href=\"/information-systems/%s/edit\">%s</a></p>\n", s->id,
                 web_t(r, M_ISR_EDIT));
    if (editor && (s->status == ISREG_DRAFT || s->status == ISREG_RETURNED)) {
        web_html(r, "<form method=\"post\" action=\"/information-systems/%s/act\">\n", s->id);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" name=\"action\" value=\"submit\">%s</button>\n</form>\n", web_t(r, M_ISR_SUBMIT));
    }
    if (op && s->status == ISREG_SUBMITTED) {
        web_html(r, "<form method=\"post\" action=\"/information-systems/%s/act\">\n", s->id);
        web_csrf_field(r);
        web_html(r, "<div class=\"field%r\"><label for=\"remarks\">%s</label>\n<p class=\"hint\" id=\"remarks-hint\">%s</p>\n",
                 remarks_error ? " field-error" : "", web_t(r, M_ISR_REMARKS), web_t(r, M_ISR_REMARKS_HINT));
        if (remarks_error)
            web_html(r, "<p class=\"error-message\" id=\"remarks-error\">%s</p>\n", remarks_error);
        web_html(r, "<textarea class=\"input textarea\" id=\"remarks\" name=\"remarks\" rows=\"4\" maxlength=\"4000\" "
                    "aria-describedby=\"remarks-hint%r\"%r></textarea></div>\n<div class=\"button-row\">\n"
                    "<button type=\"submit\" name=\"action\" value=\"register\">%s</button>\n"
                    "<button type=\"submit\" name=\"action\" value=\"return\" class=\"warning\">%s</button>\n</div>\n</form>\n",
                 remarks_error ? " remarks-error" : "", remarks_error ? " aria-invalid=\"true\"" : "",
                 web_t(r, M_ISR_REGISTER), web_t(r, M_ISR_RETURN));
    }
    if (s->ndecisions) {
        web_html(r, "<h2>%s</h2>\n<ul class=\"history\">\n", web_t(r, M_ISR_DECISIONS));
        for (size_t i = 0; i < s->ndecisions; i++)
            web_html(r, "<li><time>%s</time> — %s %d%r%s</li>\n", day_of_time(r, s->decisions[i].at),
                     s->decisions[i].decision, s->decisions[i].version, *s->decisions[i].remarks ? ": " : "",
                     s->decisions[i].remarks);
        web_html(r, "</ul>\n");
    }
    if (editor || op) {
        web_html(r, "<h2>%s</h2>\n", web_t(r, M_ISR_FILES));
        if (!s->nfiles)
            web_html(r, "<p>%s</p>\n", web_t(r, M_ISR_FILES_NONE));
        else
            web_html(r, "<ul>\n");
        for (size_t i = 0; i < s->nfiles; i++)
            web_html(r, "<li><a href=\"/information-systems/%s/files/%s\">%s</a> (%s %d, %L KB)</li>\n", s->id,
                     s->files[i].sha256, s->files[i].name, web_t(r, M_ISR_VERSION), s->files[i].version,
                     (long long)(s->files[i].size + 1023) / 1024);
        if (s->nfiles)
            web_html(r, "</ul>\n");
    }
    if (editor && (s->status == ISREG_DRAFT || s->status == ISREG_RETURNED)) {
        /* a form with files carries its CSRF token in the address */
        web_html(r, "<form method=\"post\" action=\"/information-systems/%s/files?%s\" enctype=\"multipart/form-data\">\n"
                    "<div class=\"field\"><label for=\"document\">%s</label>\n"
                    "<input class=\"input\" type=\"file\" id=\"document\" name=\"document\" "
                    "accept=\"application/pdf,image/jpeg,image/png\"></div>\n"
                    "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
                 s->id, web_csrf_query(r), web_t(r, M_ISR_FILE_ADD), web_t(r, M_ISR_FILE_BUTTON));
    }
    if (s->nfindings) {
        web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_ISR_FINDINGS));
        for (size_t i = 0; i < s->nfindings; i++)
            web_html(r, "<li>%s — %s <time>%s</time>%r%s</li>\n", s->findings[i].text, web_t(r, M_ISR_FOLLOW_UP),
                     s->findings[i].follow_up_on, s->findings[i].closed_at ? " ✓ " : "",
                     s->findings[i].closed_at ? s->findings[i].closed_note : "");
        web_html(r, "</ul>\n");
    }
}

static int system_page(struct http_req *r, const char *remarks_error)
{
    struct isreg_system s;
    struct pc_err err = {0};
    int rc = isreg_get(app_of(r)->db, app_of(r)->exchange, &r->arena, web_who(r), http_param(r, 0), &s, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    const char *name = pc_text_get(&s.card.name, web_lang_id(r));
    struct web_field_error errs[] = {{"remarks", remarks_error}};
    web_form_title(r, name, remarks_error ? 1 : 0);
    const char *crumbs[] = {web_t(r, M_ISR_TITLE), "/information-systems", name, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_error_summary(r, errs, remarks_error ? 1 : 0);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", agency_name(r, s.agency_id), name);
    if (http_kv_get(&r->query, "done"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_ISR_DONE));
    if (s.deregistered_on[0])
        web_html(r, "<div class=\"notice\"><p>%s: <time>%s</time>. %s: %s</p></div>\n", web_t(r, M_ISR_ST_DEREGISTERED),
                 s.deregistered_on, web_t(r, M_ISR_REASON), s.deregister_reason);
    card_facts(r, &s);
    staff_sections(r, &s, remarks_error);
    checks_table(r, &s);
    versions_table(r, &s);
    web_html(r, "<p><a href=\"/api/v1/information-systems/%s\">JSON</a></p>\n", s.id);
    web_page_end(r);
    return 0;
}

int web_page_isreg_system(struct http_req *r)
{
    return system_page(r, NULL);
}

/* After a step on system id: its page again ("done"), or why not. */
static int step_done(struct http_req *r, int rc, const struct pc_err *err, const char *id)
{
    if (rc == PC_ECONFLICT)
        return http_error(r, 409, "conflict", web_t(r, M_ISR_CONFLICT), NULL);
    if (rc)
        return web_fail(r, rc, err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/information-systems/%s?done=1", id));
}

int web_page_isreg_act(struct http_req *r)
{
    const char *action = http_kv_get(&r->form, "action"), *id = http_param(r, 0);
    struct db *db = app_of(r)->db;
    const struct id_principal *who = web_who(r);
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    int rc, late;
    int64_t now = pc_now_unix();
    if (pc_str_eq(action, "submit"))
        rc = isreg_submit(db, who, r->remote_addr, id, now, &late, &err);
    else if (pc_str_eq(action, "register"))
        rc = isreg_register(db, who, r->remote_addr, id, now, &err);
    else if (pc_str_eq(action, "return"))
        rc = isreg_return(db, who, r->remote_addr, id, http_kv_get(&r->form, "remarks"), now, &err);
    else
        return http_error(r, 400, "bad-form", "Bad request", NULL);
    if (rc == PC_EINVAL && pc_str_eq(action, "return")) {
        r->status = 400;
        return system_page(r, web_t(r, M_ISR_REMARKS_REQUIRED));
    }
    return step_done(r, rc, &err, id);
}

/* ---- the overdue list ---------------------------------------------------------------------- */

int web_page_isreg_overdue(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct isreg_overdue *o;
    size_t n;
    struct pc_err err = {0};
    int rc = isreg_overdue(app_of(r)->db, &r->arena, web_who(r), isreg_day_of(pc_now_unix()), &o, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_ISR_OVERDUE));
    const char *crumbs[] = {web_t(r, M_ISR_TITLE), "/information-systems", web_t(r, M_ISR_OVERDUE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_ISR_OVERDUE));
    if (!n) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ISR_OVERDUE_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                    "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_ISR_OVERDUE), web_t(r, M_ISR_OVERDUE), web_t(r, M_COL_NAME), web_t(r, M_ISR_OWNER),
                 web_t(r, M_ISR_CHANGE_ON), web_t(r, M_ISR_DUE_ON), web_t(r, M_ISR_STATUS));
        for (size_t i = 0; i < n; i++) {
            bool late = o[i].days_late > 0;
            web_html(r, "<tr><td><a href=\"/information-systems/%s\">%s</a></td><td>%s</td><td><time>%s</time></td>"
                        "<td><time>%s</time></td><td>%r%r%r</td></tr>\n",
                     o[i].system_id, pc_text_get(&o[i].name, web_lang_id(r)), agency_name(r, o[i].agency_id), o[i].change_on,
                     o[i].due_on, late ? "<strong class=\"overdue\">" : "",
                     pc_arena_printf(&r->arena, web_t(r, late ? M_ISR_DAYS_LATE : M_ISR_DAYS_LEFT),
                                     late ? o[i].days_late : -o[i].days_late),
                     late ? "</strong>" : "");
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    web_page_end(r);
    return 0;
}

/* ---- the card form ----------------------------------------------------------------------- */

struct card_field {
    const char *name;
    enum msg label;
    bool area, date, list;
};

static const struct card_field card_fields[] = {
    {"name_az", M_ISR_F_NAME_AZ, false, false, false},  {"name_en", M_ISR_F_NAME_EN, false, false, false},
    {"name_ru", M_ISR_F_NAME_RU, false, false, false},  {"purpose", M_ISR_PURPOSE, true, false, false},
    {"legal_basis", M_ISR_LEGAL, true, false, false},   {"sources", M_ISR_SOURCES, true, false, false},
    {"recipients", M_ISR_RECIPIENTS, true, false, false},
    {"services_offered", M_ISR_OFFERED, true, false, true}, {"services_used", M_ISR_USED, true, false, true},
    {"portal_services", M_ISR_PORTAL, true, false, true},
    {"hosting", M_ISR_HOSTING, true, false, false},     {"security", M_ISR_SECURITY, true, false, false},
    {"responsible", M_ISR_RESPONSIBLE, false, false, false},
    {"started_on", M_ISR_STARTED, false, true, false},   {"change_on", M_ISR_CHANGE_ON, false, true, false},
    {"change_note", M_ISR_CHANGE_NOTE, true, false, false},
};

/* The value a field shows: what was posted, else the card's. */
static const char *card_value(struct http_req *r, const struct isreg_card *c, const char *name)
{
    const char *posted = http_kv_get(&r->form, name);
    if (posted || !c)
        return posted;
    if (strncmp(name, "name_", 5) == 0)
        return c->name.s[pc_lang_parse(name + 5)];
    struct { const char *n; const char *v; } plain[] = {
        {"purpose", c->purpose}, {"legal_basis", c->legal_basis}, {"sources", c->sources},
        {"recipients", c->recipients}, {"hosting", c->hosting}, {"security", c->security},
        {"responsible", c->responsible}, {"started_on", c->started_on}, {"change_on", c->change_on},
        {"change_note", c->change_note}};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(plain[i].n, name) == 0)
            return plain[i].v;
    const struct isreg_list *l = strcmp(name, "services_offered") == 0 ? &c->services_offered
                               : strcmp(name, "services_used") == 0    ? &c->services_used
                                                                       : &c->portal_services;
    struct pc_buf b;
    pc_buf_init(&b, 16384);
    for (size_t i = 0; i < l->n; i++)
        pc_buf_printf(&b, "%s%s", i ? "\n" : "", l->items[i]);
    const char *s = pc_arena_strdup(&r->arena, b.data ? b.data : "");
    pc_buf_release(&b);
    return s;
}

static void card_form(struct http_req *r, const char *action, const char *id, const struct isreg_card *c,
                      const char *bad_field)
{
    const char *title = web_t(r, id ? M_ISR_EDIT : M_ISR_NEW);
    struct web_field_error errs[] = {{bad_field, web_t(r, M_ISR_FIX)}};
    int nerr = bad_field ? 1 : 0;
    web_form_title(r, title, nerr);
    const char *crumbs[] = {web_t(r, M_ISR_TITLE), "/information-systems", title, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_error_summary(r, errs, nerr);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"%s\" novalidate>\n", title,
             web_t(r, M_ISR_EDIT_LEAD), action);
    web_csrf_field(r);
    if (!id) {
        struct web_field f = {.id = "id", .label = web_t(r, M_ISR_F_ID), .value = http_kv_get(&r->form, "id"),
                              .maxlength = ISREG_ID_MAX};
        web_text_field(r, &f, errs, nerr);
    }
    /* kind */
    const char *kind = http_kv_get(&r->form, "kind");
    int k = kind ? isreg_kind_parse(kind) : c ? (int)c->kind : ISREG_KIND_PERSONAL_DATA;
    web_html(r, "<fieldset class=\"field%r\"><legend>%s</legend>\n", pc_str_eq(bad_field, "kind") ? " field-error" : "",
             web_t(r, M_ISR_KIND));
    for (int i = 0; i < ISREG_KIND_COUNT; i++)
        web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"kind-%d\" name=\"kind\" value=\"%s\"%r>"
                    "<label for=\"kind-%d\">%s</label></div>\n",
                 i, isreg_kind_name((enum isreg_kind)i), k == i ? " checked" : "", i, kind_label(r, (enum isreg_kind)i));
    web_html(r, "</fieldset>\n");
    for (size_t i = 0; i < sizeof card_fields / sizeof card_fields[0]; i++) {
        const struct card_field *f = &card_fields[i];
        const char *v = card_value(r, c, f->name);
        if (!f->area) {
            struct web_field wf = {.id = f->name, .label = web_t(r, f->label), .value = v,
                                   .hint = f->date ? web_t(r, M_ISR_F_DATE_HINT) : NULL,
                                   .maxlength = f->date ? 10 : ISREG_NAME_MAX};
            web_text_field(r, &wf, errs, nerr);
            continue;
        }
        bool bad = pc_str_eq(bad_field, f->name);
        web_html(r, "<div class=\"field%r\"><label for=\"%s\">%s</label>\n", bad ? " field-error" : "", f->name,
                 web_t(r, f->label));
        if (f->list)
            web_html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", f->name, web_t(r, M_ISR_F_LIST_HINT));
        if (bad)
            web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", f->name, web_t(r, M_ISR_FIX));
        web_html(r, "<textarea class=\"input textarea\" id=\"%s\" name=\"%s\" rows=\"3\" maxlength=\"%d\"%r%r%s%r%r>%s</textarea></div>\n",
                 f->name, f->name, ISREG_TEXT_MAX, f->list || bad ? " aria-describedby=\"" : "",
                 f->list ? pc_arena_printf(&r->arena, "%s-hint", f->name) : "",
                 bad ? pc_arena_printf(&r->arena, "%s%s-error", f->list ? " " : "", f->name) : "",
                 f->list || bad ? "\"" : "", bad ? " aria-invalid=\"true\"" : "", v ? v : "");
    }
    /* categories and the FİN */
    web_html(r, "<fieldset class=\"field%r\"><legend>%s</legend>\n", pc_str_eq(bad_field, "data_categories") ? " field-error" : "",
             web_t(r, M_ISR_CATEGORIES));
    for (int i = 0; i < ISREG_CAT_COUNT; i++) {
        const char *name = isreg_category_name((enum isreg_category)i);
        bool on = pc_str_eq(r->method, "POST") ? http_kv_get(&r->form, pc_arena_printf(&r->arena, "cat_%s", name)) != NULL
                                 : c && (c->categories & ISREG_BIT(i));
        web_html(r, "<div class=\"checkbox\"><input type=\"checkbox\" id=\"cat-%s\" name=\"cat_%s\" value=\"1\"%r>"
                    "<label for=\"cat-%s\">%s</label></div>\n", name, name, on ? " checked" : "", name,
                 web_t(r, category_msgs[i]));
    }
    bool fin = pc_str_eq(r->method, "POST") ? http_kv_get(&r->form, "uses_fin") != NULL : c && c->uses_fin;
    web_html(r, "</fieldset>\n<div class=\"field checkbox\"><input type=\"checkbox\" id=\"uses_fin\" name=\"uses_fin\" value=\"1\"%r>"
                "<label for=\"uses_fin\">%s</label></div>\n<button type=\"submit\">%s</button>\n</form>\n",
             fin ? " checked" : "", web_t(r, M_ISR_USES_FIN), web_t(r, M_ISR_SAVE));
    web_page_end(r);
}

/* The posted form as a card (strings in the request's arena). */
static void card_from_form(struct http_req *r, struct isreg_card *c)
{
    memset(c, 0, sizeof *c);
    int k = isreg_kind_parse(http_kv_get(&r->form, "kind"));
    c->kind = k < 0 ? ISREG_KIND_COUNT : (enum isreg_kind)k;
    for (int l = 0; l < PC_LANG_COUNT; l++)
        c->name.s[l] = http_kv_get(&r->form, pc_arena_printf(&r->arena, "name_%s", pc_lang_code((enum pc_lang)l)));
    c->purpose = http_kv_get(&r->form, "purpose");
    c->legal_basis = http_kv_get(&r->form, "legal_basis");
    c->sources = http_kv_get(&r->form, "sources");
    c->recipients = http_kv_get(&r->form, "recipients");
    c->hosting = http_kv_get(&r->form, "hosting");
    c->security = http_kv_get(&r->form, "security");
    c->responsible = http_kv_get(&r->form, "responsible");
    c->change_note = http_kv_get(&r->form, "change_note");
    isreg_list_from_lines(&r->arena, http_kv_get(&r->form, "services_offered"), &c->services_offered);
    isreg_list_from_lines(&r->arena, http_kv_get(&r->form, "services_used"), &c->services_used);
    isreg_list_from_lines(&r->arena, http_kv_get(&r->form, "portal_services"), &c->portal_services);
    const char *d = http_kv_get(&r->form, "started_on");
    snprintf(c->started_on, sizeof c->started_on, "%.10s", d ? d : "");
    d = http_kv_get(&r->form, "change_on");
    snprintf(c->change_on, sizeof c->change_on, "%.10s", d && *d ? d : c->started_on);
    for (int i = 0; i < ISREG_CAT_COUNT; i++)
        if (http_kv_get(&r->form, pc_arena_printf(&r->arena, "cat_%s", isreg_category_name((enum isreg_category)i))))
            c->categories |= ISREG_BIT(i);
    c->uses_fin = http_kv_get(&r->form, "uses_fin") != NULL;
}

/* The body whose card a new system gets: the staff member's own. */
static const char *editor_agency(struct http_req *r)
{
    const char *agency = id_agency_of(web_who(r));
    if (!web_require(r, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = agency ? agency : ""}))
        return NULL;
    return agency;
}

int web_page_isreg_new(struct http_req *r)
{
    if (!editor_agency(r))
        return 0;
    card_form(r, "/information-systems/new", NULL, NULL, NULL);
    return 0;
}

static int card_failed(struct http_req *r, int rc, const struct pc_err *err, const char *action, const char *id,
                       const char *field)
{
    if (rc != PC_EINVAL)
        return rc == PC_ECONFLICT ? http_error(r, 409, "conflict", web_t(r, M_ISR_CONFLICT), err->msg)
                                  : web_fail(r, rc, err);
    r->status = 400;
    card_form(r, action, id, NULL, field ? field : "id");
    return 0;
}

int web_page_isreg_new_post(struct http_req *r)
{
    const char *agency = editor_agency(r);
    if (!agency)
        return 0;
    struct isreg_card c;
    card_from_form(r, &c);
    const char *id = http_kv_get(&r->form, "id");
    struct pc_err err = {0};
    const char *field = NULL;
    int rc = isreg_create(app_of(r)->db, web_who(r), r->remote_addr, id ? id : "", agency, &c, &field, &err);
    if (rc == PC_ECONFLICT) {   /* the id is taken: say so at the id field */
        r->status = 409;
        card_form(r, "/information-systems/new", NULL, NULL, "id");
        return 0;
    }
    if (rc)
        return card_failed(r, rc, &err, "/information-systems/new", NULL, field);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/information-systems/%s?done=1", id));
}

int web_page_isreg_edit(struct http_req *r)
{
    struct isreg_system s;
    struct pc_err err = {0};
    int rc = isreg_get(app_of(r)->db, app_of(r)->exchange, &r->arena, web_who(r), http_param(r, 0), &s, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    if (!web_require(r, ID_ACT_ISREG_EDIT, &(struct id_resource){.agency_id = s.agency_id}))
        return 0;
    card_form(r, pc_arena_printf(&r->arena, "/information-systems/%s/edit", s.id), s.id, &s.card, NULL);
    return 0;
}

int web_page_isreg_edit_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    const char *id = http_param(r, 0);
    struct isreg_card c;
    card_from_form(r, &c);
    struct pc_err err = {0};
    const char *field = NULL;
    int version;
    int rc = isreg_save_card(app_of(r)->db, web_who(r), r->remote_addr, id, &c, &version, &field, &err);
    if (rc)
        return card_failed(r, rc, &err, pc_arena_printf(&r->arena, "/information-systems/%s/edit", id), id, field);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/information-systems/%s?done=1", id));
}

/* ---- documents ------------------------------------------------------------------------------ */

int web_page_isreg_file_post(struct http_req *r)
{
    const char *id = http_param(r, 0);
    struct http_upload *u = r->uploads;
    if (!u || u->next || !u->filename || !*u->filename || u->error)
        return http_error(r, u && u->error == PC_ETOOBIG ? 413 : 400, "bad-file", web_t(r, M_ISR_FILE_BAD), NULL);
    struct case_file f;
    web_upload_file(u, &f);
    struct pc_err err = {0};
    /* stored for good and recorded as this person's upload, then referred to */
    int rc = case_upload_keep(web_upload_part(u), web_who(r)->account_id, &f, &err);
    struct isreg_file doc = {.name = f.name, .size = f.size};
    snprintf(doc.sha256, sizeof doc.sha256, "%s", f.sha256);
    snprintf(doc.mime, sizeof doc.mime, "%s", f.mime);
    if (!rc)
        rc = isreg_file_add(app_of(r)->db, web_who(r), r->remote_addr, id, &doc, &err);
    return step_done(r, rc, &err, id);
}

int web_page_isreg_file(struct http_req *r)
{
    struct isreg_file doc;
    struct pc_err err = {0};
    int rc = isreg_file_get(app_of(r)->db, &r->arena, web_who(r), http_param(r, 0), http_param(r, 1), &doc, &err);
    struct case_file_reader *rd = NULL;
    struct case_file info;
    if (!rc)
        rc = case_file_open_stored(app_of(r)->files, doc.sha256, &rd, &info, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    return web_send_stored_file(r, rd, &info);
}
