/* approved_edit.c — the operator keeps the registry of approved
 * e-services (monitor's approved.c decides and stores): the Cabinet's
 * decisions (number, date), each body's services on a decision's list (or
 * on none), and since when each is on the portal and on the body's own
 * site.  /evaluations/approved shows the tables these rows make. */
#include "internal.h"
#include "../monitor/monitor.h"

#include <string.h>

static const char *decision_label(struct http_req *r, const struct mon_decision *d, size_t nd, const char *id)
{
    for (size_t i = 0; id && i < nd; i++)
        if (strcmp(d[i].id, id) == 0)
            return pc_arena_printf(&r->arena, web_t(r, M_RG_DECISION_N), d[i].number, d[i].date);
    return web_t(r, M_RG_NO_DECISION);
}

static void date_input(struct http_req *r, const char *id, const char *name, enum msg label, const char *value,
                       const char *service)
{
    web_html(r, "<label for=\"%s\">%s<span class=\"visually-hidden\"> — %s</span></label>\n"
                "<input class=\"input\" type=\"date\" id=\"%s\" name=\"%s\" value=\"%s\">\n",
             id, web_t(r, label), service, id, name, value ? value : "");
}

static void entries_table(struct http_req *r, const struct mon_decision *d, size_t nd, const struct mon_reg_entry *e,
                          size_t ne, const struct cat_agency *ag, size_t nag)
{
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_RG_ENTRIES));
    if (!ne) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_RG_NO_ENTRIES));
        return;
    }
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_RG_ENTRIES), web_t(r, M_RG_ENTRIES), web_t(r, M_SVC_AGENCY), web_t(r, M_EV_SERVICE),
             web_t(r, M_RG_DECISION), web_t(r, M_RG_WHERE));
    for (size_t i = 0; i < ne; i++) {
        web_html(r, "<tr><td>%s</td><td>%s", web_agency_name(r, ag, nag, e[i].agency), e[i].name);
        if (e[i].service)
            web_html(r, " (<a href=\"/services/%q\">%s</a>)", e[i].service, e[i].service);
        web_html(r, "</td><td>%s</td><td><form method=\"post\" action=\"/operator/approved/entries/%q\" "
                    "class=\"inline-fields\">\n",
                 decision_label(r, d, nd, e[i].decision), e[i].id);
        web_csrf_field(r);
        date_input(r, pc_arena_printf(&r->arena, "p-%s", e[i].id), "on_portal", M_RG_ON_PORTAL, e[i].on_portal,
                   e[i].name);
        date_input(r, pc_arena_printf(&r->arena, "o-%s", e[i].id), "on_own_site", M_RG_ON_OWN_SITE, e[i].on_own_site,
                   e[i].name);
        web_html(r, "<button type=\"submit\">%s<span class=\"visually-hidden\"> — %s</span></button>\n</form></td>"
                    "</tr>\n",
                 web_t(r, M_RG_SAVE), e[i].name);
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

static void forms(struct http_req *r, const struct mon_decision *d, size_t nd, const struct cat_agency *ag,
                  size_t nag)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/operator/approved/decisions\">\n",
             web_t(r, M_RG_ADD_DECISION));
    web_csrf_field(r);
    struct web_field number = {"number", web_t(r, M_RG_NUMBER), NULL, NULL, "text", "off", 40};
    struct web_field date = {"date", web_t(r, M_RG_DATE), NULL, NULL, "date", "off", 10};
    web_text_field(r, &number, NULL, 0);
    web_text_field(r, &date, NULL, 0);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_RG_ADD_DECISION));
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/operator/approved/entries\">\n", web_t(r, M_RG_ADD_ENTRY));
    web_csrf_field(r);
    web_html(r, "<div class=\"field\">\n<label for=\"decision\">%s</label>\n"
                "<select class=\"input\" id=\"decision\" name=\"decision\">\n<option value=\"\">%s</option>\n",
             web_t(r, M_RG_DECISION), web_t(r, M_RG_NO_DECISION));
    for (size_t i = 0; i < nd; i++)
        web_html(r, "<option value=\"%s\">%s</option>\n", d[i].id, decision_label(r, d, nd, d[i].id));
    web_html(r, "</select>\n</div>\n<div class=\"field\">\n<label for=\"agency\">%s</label>\n"
                "<select class=\"input\" id=\"agency\" name=\"agency\">\n",
             web_t(r, M_SVC_AGENCY));
    for (size_t i = 0; i < nag; i++)
        web_html(r, "<option value=\"%s\">%s</option>\n", ag[i].id, pc_text_get(&ag[i].name, lang));
    web_html(r, "</select>\n</div>\n");
    struct web_field name = {"name", web_t(r, M_RG_NAME), NULL, NULL, "text", "off", MON_REG_NAME_MAX};
    struct web_field service = {"service", web_t(r, M_RG_SERVICE), web_t(r, M_RG_SERVICE_HINT), NULL, "text", "off",
                                100};
    web_text_field(r, &name, NULL, 0);
    web_text_field(r, &service, NULL, 0);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_RG_ADD_ENTRY));
}

int web_page_approved_edit(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_CATALOG, NULL))
        return 0;
    struct mon_decision *d;
    struct mon_reg_entry *e;
    size_t nd, ne, nag = 0;
    struct cat_agency *ag = NULL;
    struct pc_err err = {0};
    int rc = mon_decisions_list(app_of(r)->db, &r->arena, &d, &nd, &err);
    if (!rc)
        rc = mon_reg_entries_list(app_of(r)->db, &r->arena, &e, &ne, &err);
    if (!rc)
        rc = cat_list_agencies(app_of(r)->db, &r->arena, &ag, &nag, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_RG_TITLE));
    const char *crumbs[] = {web_t(r, M_NAV_HOME), "/", web_t(r, M_AP_TITLE), "/evaluations/approved",
                            web_t(r, M_RG_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_RG_TITLE), web_t(r, M_RG_LEAD));
    if (http_kv_get(&r->query, "saved"))
        web_html(r, "<p class=\"notice\" role=\"status\">%s</p>\n", web_t(r, M_CG_SAVED));
    web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_RG_DECISIONS));
    for (size_t i = 0; i < nd; i++)
        web_html(r, "<li>%s</li>\n", decision_label(r, d, nd, d[i].id));
    web_html(r, "</ul>\n");
    entries_table(r, d, nd, e, ne, ag, nag);
    forms(r, d, nd, ag, nag);
    web_page_end(r);
    return 0;
}

static int done(struct http_req *r, int rc, const struct pc_err *err)
{
    return rc ? web_fail(r, rc, err) : http_redirect(r, 303, "/operator/approved?saved=1");
}

int web_page_approved_decision_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_CATALOG, NULL))
        return 0;
    const char *id;
    struct pc_err err = {0};
    int rc = mon_decision_add(app_of(r)->db, web_who(r), http_kv_get(&r->form, "number"),
                              http_kv_get(&r->form, "date"), r->remote_addr, &r->arena, &id, &err);
    return done(r, rc, &err);
}

int web_page_approved_entry_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_CATALOG, NULL))
        return 0;
    const char *id;
    struct pc_err err = {0};
    int rc = mon_reg_entry_add(app_of(r)->db, web_who(r), http_kv_get(&r->form, "decision"),
                               http_kv_get(&r->form, "agency"), http_kv_get(&r->form, "name"),
                               http_kv_get(&r->form, "service"), r->remote_addr, &r->arena, &id, &err);
    return done(r, rc, &err);
}

int web_page_approved_mark_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_CATALOG, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = mon_reg_entry_mark(app_of(r)->db, web_who(r), http_param(r, 0), http_kv_get(&r->form, "on_portal"),
                                http_kv_get(&r->form, "on_own_site"), r->remote_addr, &err);
    return done(r, rc, &err);
}
