/* pages.c — the catalogue's HTML pages: home, bodies, one body, service
 * lists (filters, search, services without registration), one service and
 * its start page.  Every page works without JavaScript.  Ids in links are
 * URL-encoded (%q) although the import allows only slugs: the page does
 * not rely on it. */
#include "internal.h"
#include "../cases/cases.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 20

/* The words of the catalogue's vocabularies on the pages. */
static const enum msg login_msg[CAT_LOGIN_COUNT] = {M_LOGIN_NONE, M_LOGIN_CODE_PASSWORD, M_LOGIN_E_SIGNATURE};
static const enum msg audience_msg[CAT_AUD_COUNT] = {M_AUD_CITIZENS, M_AUD_ENTREPRENEURS, M_AUD_OFFICIALS};
static const enum msg audience_hint[CAT_AUD_COUNT] = {M_AUD_CITIZENS_HINT, M_AUD_ENTREPRENEURS_HINT,
                                                      M_AUD_OFFICIALS_HINT};
static const enum msg channel_msg[CAT_CH_COUNT] = {M_SVC_CH_PORTAL, M_SVC_CH_AGENCY_SITE, M_SVC_CH_SERVICE_CENTRE};

static const char *login_label(struct http_req *r, enum cat_login login)
{
    return web_t(r, login_msg[login]);
}

static void search_form(struct http_req *r, const char *value, bool big)
{
    web_html(r, "<form class=\"search%r\" action=\"/search\" method=\"get\" role=\"search\">\n"
            "<label for=\"q\">%s</label>\n<p class=\"hint\" id=\"q-hint\">%s</p>\n"
            "<div class=\"search-row\"><input id=\"q\" name=\"q\" type=\"search\" value=\"%s\" "
            "maxlength=\"%d\" aria-describedby=\"q-hint\" autocomplete=\"off\">\n"
            "<button type=\"submit\">%s</button></div>\n</form>\n",
         big ? " search-big" : "", web_t(r, M_SEARCH_LABEL), web_t(r, M_SEARCH_HINT), value ? value : "",
         CAT_QUERY_MAX, web_t(r, M_SEARCH_BUTTON));
}

static const char *fee_text(struct http_req *r, const struct cat_service *s)
{
    if (s->free)
        return web_t(r, M_SVC_FREE);
    if (s->fee_qepik >= 0)
        return pc_arena_printf(&r->arena, web_t(r, M_SVC_FEE_AMOUNT), (long long)(s->fee_qepik / 100),
                               (long long)(s->fee_qepik % 100));
    return web_t(r, M_SVC_FEE_NOT_STATED);
}

static void service_item(struct http_req *r, const struct cat_service *s, int heading)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<li class=\"service-item\">\n<h%d class=\"service-title\"><a href=\"/services/%q\">%s</a></h%d>\n"
            "<p class=\"meta\"><span>%s</span> · <span>%s</span> · <span>%s</span></p>\n<p>%s</p>\n</li>\n",
         heading, s->id, pc_text_get(&s->name, lang), heading, pc_text_get(&s->agency_name, lang),
         login_label(r, s->login), fee_text(r, s), pc_text_get(&s->description, lang));
}

/* ---- home ------------------------------------------------------------- */

int web_page_home(struct http_req *r)
{
    struct pc_err err = {0};
    struct cat_agency *agencies;
    struct cat_life_event *events;
    size_t na, ne;
    if (cat_list_agencies(app_of(r)->db, &r->arena, &agencies, &na, &err) ||
        cat_list_life_events(app_of(r)->db, &r->arena, &events, &ne, &err))
        return web_fail(r, err.code, &err);
    int nservices = 0;
    for (size_t i = 0; i < na; i++)
        nservices += agencies[i].service_count;
    enum pc_lang lang = web_lang_id(r);

    web_page_begin(r, web_t(r, M_HOME_TITLE));
    web_html(r, "<div class=\"hero\">\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_HOME_TITLE), web_t(r, M_HOME_LEAD));
    search_form(r, NULL, true);
    web_html(r, "<p class=\"figures\">%s</p>\n</div>\n",
         pc_arena_printf(&r->arena, web_t(r, M_HOME_FIGURES), (int)na, nservices));

    web_html(r, "<section aria-labelledby=\"by-audience\">\n<h2 id=\"by-audience\">%s</h2>\n<ul class=\"cards\">\n",
         web_t(r, M_HOME_BY_AUDIENCE));
    for (int i = 0; i < CAT_AUD_COUNT; i++)
        web_html(r, "<li class=\"card\"><h3><a href=\"/services?audience=%q\">%s</a></h3><p>%s</p></li>\n",
             cat_audience_name((enum cat_audience)i), web_t(r, audience_msg[i]), web_t(r, audience_hint[i]));
    web_html(r, "</ul>\n</section>\n");

    web_html(r, "<section aria-labelledby=\"by-life\">\n<h2 id=\"by-life\">%s</h2>\n<ul class=\"life-events\">\n",
         web_t(r, M_HOME_BY_LIFE_EVENT));
    for (size_t i = 0; i < ne; i++)
        web_html(r, "<li><a href=\"/services?life_event=%q\">%s</a> <span class=\"count\">(%d)</span></li>\n",
             events[i].id, pc_text_get(&events[i].name, lang), events[i].service_count);
    web_html(r, "</ul>\n</section>\n");

    web_html(r, "<section aria-labelledby=\"other\">\n<h2 id=\"other\">%s</h2>\n<ul class=\"links\">\n"
            "<li><a href=\"/services/no-registration\">%s</a></li>\n"
            "<li><a href=\"/agencies\">%s</a></li>\n<li><a href=\"/services\">%s</a></li>\n</ul>\n</section>\n",
         web_t(r, M_HOME_OTHER_WAYS), web_t(r, M_NAV_NO_REGISTRATION), web_t(r, M_NAV_AGENCIES), web_t(r, M_NAV_SERVICES));
    web_page_end(r);
    return 0;
}

/* ---- agencies --------------------------------------------------------- */

int web_page_agencies(struct http_req *r)
{
    struct pc_err err = {0};
    struct cat_agency *agencies;
    size_t n;
    if (cat_list_agencies(app_of(r)->db, &r->arena, &agencies, &n, &err))
        return web_fail(r, err.code, &err);
    enum pc_lang lang = web_lang_id(r);
    web_page_begin(r, web_t(r, M_AGENCIES_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_AGENCIES_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<ul class=\"agency-list\">\n",
         web_t(r, M_AGENCIES_TITLE), web_t(r, M_AGENCIES_LEAD));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li><a href=\"/agencies/%q\">%s</a> <span class=\"count\">%d</span></li>\n",
             agencies[i].id, pc_text_get(&agencies[i].name, lang), agencies[i].service_count);
    web_html(r, "</ul>\n");
    web_page_end(r);
    return 0;
}

int web_page_agency(struct http_req *r)
{
    struct pc_err err = {0};
    struct cat_agency g;
    int rc = cat_get_agency(app_of(r)->db, &r->arena, http_param(r, 0), &g, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, err.code, &err);
    /* every service of the agency, page after page of the search */
    struct cat_filter f = {.agency = g.id, .free = -1, .limit = CAT_PAGE_MAX};
    struct cat_page page = {0}, more;
    do {
        if (cat_find_services(app_of(r)->db, &r->arena, &f, &more, &err))
            return web_fail(r, err.code, &err);
        if (page.n == 0) {
            page = more;
        } else {
            struct cat_service *all = pc_arena_alloc(&r->arena, (page.n + more.n) * sizeof *all);
            memcpy(all, page.items, page.n * sizeof *all);
            memcpy(all + page.n, more.items, more.n * sizeof *all);
            page.items = all;
            page.n += more.n;
        }
        f.cursor = more.next;
    } while (f.cursor);
    enum pc_lang lang = web_lang_id(r);
    const char *name = pc_text_get(&g.name, lang);
    web_page_begin(r, name);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_AGENCIES_TITLE), "/agencies", name, NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<h1>%s</h1>\n<dl class=\"facts\">\n", name);
    if (g.website)
        web_html(r, "<dt>%s</dt><dd><a href=\"%s\" rel=\"noopener\">%s</a></dd>\n", web_t(r, M_AGENCY_WEBSITE), g.website, g.website);
    if (g.approved_services >= 0)
        web_html(r, "<dt>%s</dt><dd>%d</dd>\n", web_t(r, M_AGENCY_APPROVED), g.approved_services);
    web_html(r, "</dl>\n<h2>%s (%L)</h2>\n", web_t(r, M_AGENCY_SERVICES), (long long)page.total);
    if (page.n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_AGENCY_NO_SERVICES));
    } else {
        web_html(r, "<ul class=\"service-list\">\n");
        for (size_t i = 0; i < page.n; i++)
            service_item(r, &page.items[i], 3);
        web_html(r, "</ul>\n");
    }
    web_page_end(r);
    return 0;
}

/* ---- service lists ----------------------------------------------------- */

enum list_kind { LIST_ALL, LIST_SEARCH, LIST_NO_REGISTRATION };

static void select_options(struct http_req *r, const char *name, const char *label, const char *current,
                           const char *const *values, const char *const *labels, size_t n)
{
    web_html(r, "<div class=\"field\"><label for=\"f-%s\">%s</label>\n<select id=\"f-%s\" name=\"%s\">\n"
            "<option value=\"\">%s</option>\n", name, label, name, name, web_t(r, M_FILTER_ANY));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", values[i],
             pc_str_eq(current, values[i]) ? " selected" : "", labels[i]);
    web_html(r, "</select></div>\n");
}

static void filter_form(struct http_req *r, const struct cat_filter *f, struct cat_life_event *events, size_t ne)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<form class=\"filters\" action=\"/services\" method=\"get\" aria-labelledby=\"filters-h\">\n"
            "<h2 id=\"filters-h\">%s</h2>\n"
            "<div class=\"field\"><label for=\"f-q\">%s</label>\n"
            "<input id=\"f-q\" name=\"q\" type=\"search\" value=\"%s\" maxlength=\"%d\"></div>\n",
         web_t(r, M_FILTER_TITLE), web_t(r, M_SEARCH_LABEL), f->q ? f->q : "", CAT_QUERY_MAX);
    const char *aud_v[CAT_AUD_COUNT], *aud_l[CAT_AUD_COUNT];
    for (int i = 0; i < CAT_AUD_COUNT; i++) {
        aud_v[i] = cat_audience_name((enum cat_audience)i);
        aud_l[i] = web_t(r, audience_msg[i]);
    }
    select_options(r, "audience", web_t(r, M_FILTER_AUDIENCE), f->audience, aud_v, aud_l, CAT_AUD_COUNT);
    const char **ev_v = pc_arena_alloc(&r->arena, (ne + 1) * sizeof *ev_v);
    const char **ev_l = pc_arena_alloc(&r->arena, (ne + 1) * sizeof *ev_l);
    size_t k = 0;
    for (size_t i = 0; ev_v && ev_l && i < ne; i++, k++) {
        ev_v[k] = events[i].id;
        ev_l[k] = pc_text_get(&events[i].name, lang);
    }
    select_options(r, "life_event", web_t(r, M_LIFE_EVENTS_TITLE), f->life_event, ev_v, ev_l, k);
    const char *login_v[CAT_LOGIN_COUNT], *login_l[CAT_LOGIN_COUNT];
    for (int i = 0; i < CAT_LOGIN_COUNT; i++) {
        login_v[i] = cat_login_name((enum cat_login)i);
        login_l[i] = login_label(r, (enum cat_login)i);
    }
    select_options(r, "login", web_t(r, M_FILTER_LOGIN), f->login, login_v, login_l, CAT_LOGIN_COUNT);
    const char *fee_v[] = {"1", "0"};
    const char *fee_l[] = {web_t(r, M_FILTER_FREE), web_t(r, M_FILTER_PAID)};
    select_options(r, "free", web_t(r, M_FILTER_FEE), f->free < 0 ? NULL : (f->free ? "1" : "0"), fee_v, fee_l, 2);
    if (f->agency)
        web_html(r, "<input type=\"hidden\" name=\"agency\" value=\"%s\">\n", f->agency);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_FILTER_APPLY));
}

/* The current list URL with a different cursor (NULL: first page). */
static const char *page_url(struct http_req *r, const char *cursor)
{
    struct pc_buf b;
    pc_buf_init(&b, 8192);
    pc_buf_puts(&b, r->path);
    char sep = '?';
    for (size_t i = 0; i < r->query.n; i++) {
        const char *k = r->query.items[i].key;
        if (strcmp(k, "cursor") == 0 || strcmp(k, "lang") == 0 || !*r->query.items[i].value)
            continue;
        pc_buf_putc(&b, sep);
        pc_buf_urlencode(&b, k);
        pc_buf_putc(&b, '=');
        pc_buf_urlencode(&b, r->query.items[i].value);
        sep = '&';
    }
    if (cursor)
        pc_buf_printf(&b, "%ccursor=%s", sep, cursor);
    const char *u = pc_arena_strdup(&r->arena, b.data);
    pc_buf_release(&b);
    return u;
}

/* Read the list filters from the query; empty values mean "any". */
static int read_filters(struct http_req *r, struct cat_filter *f, int limit)
{
    memset(f, 0, sizeof *f);
    f->free = -1;
    f->limit = limit;
    const char *v;
#define OPT(name, field) if ((v = http_kv_get(&r->query, name)) && *v) f->field = v
    OPT("q", q);
    OPT("audience", audience);
    OPT("agency", agency);
    OPT("login", login);
    OPT("life_event", life_event);
    OPT("cursor", cursor);
#undef OPT
    if ((v = http_kv_get(&r->query, "free")) && *v) {
        if (strcmp(v, "1") && strcmp(v, "0") && strcmp(v, "true") && strcmp(v, "false"))
            return PC_EINVAL;
        f->free = (v[0] == '1' || v[0] == 't');
    }
    if ((v = http_kv_get(&r->query, "limit")) && *v) {
        long long n;
        if (pc_parse_int(v, 1, CAT_PAGE_MAX, &n))
            return PC_EINVAL;
        f->limit = (int)n;
    }
    if (f->q) {
        /* trim so that "  " is no query */
        while (*f->q == ' ')
            f->q++;
        if (!*f->q)
            f->q = NULL;
    }
    return 0;
}

static int service_list(struct http_req *r, enum list_kind kind)
{
    struct cat_filter f;
    struct pc_err err = {0};
    if (read_filters(r, &f, PAGE_SIZE) || cat_filter_check(&f, &err))
        return http_error(r, 400, "bad-filter", "Bad request", err.msg);
    if (kind == LIST_NO_REGISTRATION)
        f.login = cat_login_name(CAT_LOGIN_NONE);
    struct cat_page page;
    int rc = cat_find_services(app_of(r)->db, &r->arena, &f, &page, &err);
    if (rc == PC_EINVAL)
        return http_error(r, 400, "bad-filter", "Bad request", err.msg);
    if (rc)
        return web_fail(r, err.code, &err);
    struct cat_life_event *events;
    size_t ne;
    if (cat_list_life_events(app_of(r)->db, &r->arena, &events, &ne, &err))
        return web_fail(r, err.code, &err);

    const char *title = web_t(r, kind == LIST_SEARCH ? M_SEARCH_TITLE
                             : kind == LIST_NO_REGISTRATION ? M_NOREG_TITLE : M_SERVICES_TITLE);
    if (kind == LIST_ALL && f.audience)
        title = web_t(r, audience_msg[cat_audience_parse(f.audience)]); /* checked by cat_filter_check */
    web_page_begin(r, title);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", title, NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n", title);
    if (kind == LIST_NO_REGISTRATION)
        web_html(r, "<p class=\"lead\">%s</p>\n", web_t(r, M_NOREG_LEAD));
    if (kind == LIST_SEARCH) {
        search_form(r, f.q, false);
        if (f.q)
            web_html(r, "<h2>%s</h2>\n", pc_arena_printf(&r->arena, web_t(r, M_SEARCH_RESULTS_FOR), f.q));
    }
    web_html(r, "<div class=\"list-layout\">\n");
    if (kind == LIST_ALL)
        filter_form(r, &f, events, ne);
    web_html(r, "<div class=\"results\">\n<p class=\"result-count\" role=\"status\">%s</p>\n",
         pc_arena_printf(&r->arena, web_t(r, M_SERVICES_COUNT), (long long)page.total));
    if (page.n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, kind == LIST_SEARCH ? M_SEARCH_EMPTY : M_SERVICES_NONE));
    } else {
        web_html(r, "<ul class=\"service-list\">\n");
        for (size_t i = 0; i < page.n; i++)
            service_item(r, &page.items[i], kind == LIST_SEARCH && f.q ? 3 : 2);
        web_html(r, "</ul>\n");
    }
    if (page.next || f.cursor) {
        web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul>\n", web_t(r, M_PAGINATION));
        if (f.cursor)
            web_html(r, "<li><a href=\"%s\">%s</a></li>\n", page_url(r, NULL), web_t(r, M_SERVICES_FIRST));
        if (page.next)
            web_html(r, "<li><a href=\"%s\" rel=\"next\">%s</a></li>\n", page_url(r, page.next), web_t(r, M_SERVICES_NEXT));
        web_html(r, "</ul></nav>\n");
    }
    web_html(r, "</div>\n</div>\n");
    web_page_end(r);
    return 0;
}

int web_page_services(struct http_req *r)
{
    return service_list(r, LIST_ALL);
}

int web_page_search(struct http_req *r)
{
    return service_list(r, LIST_SEARCH);
}

int web_page_no_registration(struct http_req *r)
{
    return service_list(r, LIST_NO_REGISTRATION);
}

/* ---- one service ------------------------------------------------------ */

static int load_service(struct http_req *r, struct cat_service *s)
{
    struct pc_err err = {0};
    int rc = cat_get_service(app_of(r)->db, &r->arena, http_param(r, 0), s, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

static void documents_list(struct http_req *r, const struct cat_service *s)
{
    if (s->ndocuments == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_SVC_NO_DOCUMENTS));
        return;
    }
    web_html(r, "<ul class=\"documents\">\n");
    for (size_t i = 0; i < s->ndocuments; i++)
        web_html(r, "<li>%s</li>\n", pc_text_get(&s->documents[i], web_lang_id(r)));
    web_html(r, "</ul>\n");
}

static void channel_list(struct http_req *r, unsigned channels)
{
    web_html(r, "<ul>\n");
    for (int i = 0; i < CAT_CH_COUNT; i++)
        if (channels & CAT_BIT(i))
            web_html(r, "<li>%s</li>\n", web_t(r, channel_msg[i]));
    web_html(r, "</ul>\n");
}

static void evaluation(struct http_req *r, const struct cat_maturity *m)
{
    web_html(r, "<h2>%s</h2>\n<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_SVC_EVALUATION),
         web_t(r, M_SVC_MATURITY), pc_arena_printf(&r->arena, web_t(r, M_SCORE_OF), m->level, m->model));
    if (m->participation >= 0)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_SVC_PARTICIPATION),
             pc_arena_printf(&r->arena, web_t(r, M_SCORE_OF), m->participation, 10));
    if (m->transparency_max)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_SVC_TRANSPARENCY),
             pc_arena_printf(&r->arena, web_t(r, M_SCORE_OF), m->transparency_score, m->transparency_max));
    web_html(r, "</dl>\n<p><a href=\"/evaluations\">%s</a></p>\n", web_t(r, M_EV_REPORT_LINK));
}

/* "G2C,G2B" */
static const char *relation_list(struct http_req *r, unsigned relations)
{
    const char *out = "";
    for (int i = 0; i < CAT_REL_COUNT; i++)
        if (relations & CAT_BIT(i))
            out = pc_arena_printf(&r->arena, "%s%s%s", out, *out ? "," : "", cat_relation_name((enum cat_relation)i));
    return out;
}

int web_page_service(struct http_req *r)
{
    struct cat_service s;
    if (load_service(r, &s))
        return 0;
    struct web_ratings ratings;
    struct pc_err err = {0};
    int rc = web_ratings_load(r, s.id, &ratings, &err);
    if (rc)
        return web_fail(r, rc, &err);
    enum pc_lang lang = web_lang_id(r);
    const char *name = pc_text_get(&s.name, lang);
    const char *agency = pc_text_get(&s.agency_name, lang);
    web_page_begin(r, name);
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_AGENCIES_TITLE), "/agencies",
                            agency, pc_arena_printf(&r->arena, "/agencies/%s", s.agency_id), name, NULL};
    web_page_breadcrumbs(r, crumbs, 4);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n",
         agency, name, pc_text_get(&s.description, lang));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd><a href=\"/agencies/%q\">%s</a></dd>\n",
         web_t(r, M_SVC_AGENCY), s.agency_id, agency);
    web_html(r, "<dt>%s</dt><dd>", web_t(r, M_SVC_WHO));
    const bool aud[CAT_AUD_COUNT] = {s.for_citizens, s.for_entrepreneurs, s.for_officials};
    const char *sep = "";
    for (int i = 0; i < CAT_AUD_COUNT; i++)
        if (aud[i]) {
            web_html(r, "%s%s", sep, web_t(r, audience_msg[i]));
            sep = ", ";
        }
    web_html(r, "</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n",
         web_t(r, M_SVC_LOGIN), login_label(r, s.login), web_t(r, M_SVC_FEE), fee_text(r, &s), web_t(r, M_SVC_DEADLINE),
         s.deadline_days > 0 ? pc_arena_printf(&r->arena, web_t(r, M_SVC_DEADLINE_DAYS), s.deadline_days)
                             : web_t(r, M_SVC_DEADLINE_NONE));
    web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_SVC_RELATIONS), relation_list(r, s.relations));
    if (s.approved_list)
        web_html(r, "<dt>%s</dt><dd>№ %s</dd>\n", web_t(r, M_SVC_APPROVED_LIST), s.approved_list);
    web_html(r, "</dl>\n<h2>%s</h2>\n", web_t(r, M_SVC_DOCUMENTS));
    documents_list(r, &s);
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_SVC_CHANNELS));
    channel_list(r, s.channels);
    web_html(r, "<p><a class=\"button button-start\" role=\"button\" href=\"/services/%q/start\">%s</a></p>\n",
         s.id, web_t(r, M_SVC_START));
    const struct cat_maturity *m = web_maturity(r, &s);
    if (m)
        evaluation(r, m);
    web_live_section(r, &s, m);
    /* what people say of it (src/participation), and where to add one's own */
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_FEEDBACK_TITLE));
    web_ratings_html(r, &ratings, 3);
    web_html(r, "<p><a href=\"/services/%q/feedback\">%s</a></p>\n", s.id, web_t(r, M_FEEDBACK_RATE_LINK));
    web_page_end(r);
    return 0;
}

int web_page_service_start(struct http_req *r)
{
    struct cat_service s;
    if (load_service(r, &s))
        return 0;
    enum pc_lang lang = web_lang_id(r);
    const char *name = pc_text_get(&s.name, lang);
    web_page_begin(r, web_t(r, M_START_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", name, pc_arena_printf(&r->arena, "/services/%s", s.id),
                            web_t(r, M_START_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", name, web_t(r, M_START_TITLE));
    if (s.login == CAT_LOGIN_NONE)
        web_html(r, "<p>%s</p>\n", web_t(r, M_START_NO_LOGIN));
    else
        web_html(r, "<p>%s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_START_NEED_LOGIN), login_label(r, s.login)));
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_SVC_DOCUMENTS));
    documents_list(r, &s);
    web_pay_fee_notice(r, &s);
    web_html(r, "<p>%s</p>\n", web_t(r, M_START_CHANNELS));
    channel_list(r, s.channels);
    if (!form_offered(app_of(r)->forms, s.id)) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_APPLY_NO_FORM));
    } else if (!web_who(r) && s.login == CAT_LOGIN_NONE) {
        /* nologin: no login asked; the next page carries the form's token (this one is cached) */
        web_html(r, "<p><a class=\"button button-start\" href=\"/services/%q/apply\">%s</a></p>\n"
                    "<p><a href=\"/follow\">%s</a></p>\n", s.id, web_t(r, M_APPLY_START), web_t(r, M_FOLLOW_LINK));
    } else if (!web_who(r)) {
        web_html(r, "<p><a class=\"button button-start\" href=\"/login?next=/services/%q/start\">%s</a></p>\n", s.id,
             web_t(r, M_APPLY_LOGIN_FIRST));
    } else {
        web_html(r, "<form method=\"post\" action=\"/services/%q/apply\">\n", s.id);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"button-start\">%s</button>\n</form>\n", web_t(r, M_APPLY_START));
    }
    web_html(r, "<p><a href=\"/services/%q\">%s</a></p>\n", s.id, web_t(r, M_START_BACK));
    web_page_end(r);
    return 0;
}
