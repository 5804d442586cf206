/* registrar.c — the registration centre's desk: find a person, check
 * their identity card, issue a one-time activation code for the
 * simplified code-password (also on a home visit to a person with a
 * disability).  Every look at a person's record goes into the
 * personal-data access log; every code into the audit log. */
#include "internal.h"
#include "../audit/audit.h"

#include <string.h>

#define CODE_VALID_SECS (72 * 3600)

int web_page_registrar(struct http_req *r)
{
    if (!web_require(r, ID_ACT_ISSUE_CODE, NULL))
        return 0;
    const char *q = http_kv_get(&r->query, "q");
    web_page_begin(r, web_t(r, M_REG_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"get\" action=\"/registrar\" role=\"search\">\n",
         web_t(r, M_REG_TITLE), web_t(r, M_REG_LEAD));
    struct web_field f = {"q", web_t(r, M_REG_SEARCH_LABEL), web_t(r, M_REG_SEARCH_HINT), q, "search", "off", ID_NAME_MAX};
    web_text_field(r, &f, NULL, 0);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SEARCH_BUTTON));
    if (q && *q) {
        struct id_person *list;
        size_t n = 0;
        struct pc_err err = {0};
        int rc = id_person_find(app_of(r)->db, &r->arena, q, &list, &n, 50, &err);
        if (rc && rc != PC_EINVAL)
            return web_fail(r, rc, &err);
        if (n == 0) {
            web_html(r, "<p>%s</p>\n", web_t(r, M_REG_NONE_FOUND));
        } else {
            web_html(r, "<ul class=\"people\">\n");
            for (size_t i = 0; i < n; i++)
                web_html(r, "<li><a href=\"/registrar/persons/%s\">%s %s %s</a> — %s, %s</li>\n", list[i].fin,
                     list[i].last_name, list[i].first_name, list[i].patronymic ? list[i].patronymic : "",
                     list[i].fin, list[i].birth_date);
            web_html(r, "</ul>\n");
        }
    }
    web_page_end(r);
    return 0;
}

/* Load the person of the URL for a registrar, recording the look. */
static int load_person(struct http_req *r, struct id_person *person)
{
    const char *fin = http_param(r, 0);
    struct id_resource res = {.fin = fin};
    /* the desk first (a citizen has no business here even for their own
     * record), then the person */
    if (!web_require(r, ID_ACT_ISSUE_CODE, NULL) || !web_require(r, ID_ACT_VIEW_PERSON, &res))
        return 1;
    struct pc_err err = {0};
    int rc = id_fin_valid(fin) ? id_person_get(app_of(r)->db, &r->arena, fin, person, &err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND) {
        http_error(r, 404, "not-found", "Page not found", NULL);
        return 1;
    }
    const struct id_principal *p = web_who(r);
    struct access_entry e = {.subject_fin = fin, .accessor = p->account_id, .accessor_role = "registrar",
                             .agency_id = "", .data_kind = "profile", .ground = "id-check"};
    struct db_conn *c = rc == 0 ? db_conn_get(app_of(r)->db, &err) : NULL;
    if (!c || audit_access_record(c, &e, &err)) {
        web_fail(r, err.code, &err);
        return 1;
    }
    return 0;
}

static void person_facts(struct http_req *r, const struct id_person *p)
{
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s %s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
            "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n",
         web_t(r, M_FIELD_FIN), p->fin, web_t(r, M_FIELD_NAME), p->last_name, p->first_name, web_t(r, M_FIELD_PATRONYMIC),
         p->patronymic ? p->patronymic : "", web_t(r, M_FIELD_BIRTH_DATE), p->birth_date, web_t(r, M_FIELD_ID_CARD),
         p->id_card ? p->id_card : web_t(r, M_FIELD_NOT_GIVEN));
}

int web_page_registrar_person(struct http_req *r)
{
    struct id_person person;
    if (load_person(r, &person))
        return 0;
    const char *account = NULL;
    struct pc_err err = {0};
    bool has_account = id_account_find(app_of(r)->db, &r->arena, person.fin, &account, &err) == 0;
    web_page_begin(r, web_t(r, M_REG_PERSON_TITLE));
    const char *crumbs[] = {web_t(r, M_REG_TITLE), "/registrar", web_t(r, M_REG_PERSON_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_REG_PERSON_TITLE));
    person_facts(r, &person);
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_REG_ISSUE_CODE), web_t(r, M_REG_ISSUE_LEAD));
    if (has_account)
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, M_REG_HAS_ACCOUNT));
    web_html(r, "<form method=\"post\" action=\"/registrar/persons/%s/code\">\n", person.fin);
    web_csrf_field(r);
    web_html(r, "<div class=\"field checkbox\"><input type=\"checkbox\" id=\"home_visit\" name=\"home_visit\" value=\"1\">"
            "<label for=\"home_visit\">%s</label></div>\n<button type=\"submit\">%s</button>\n</form>\n",
         web_t(r, M_REG_HOME_VISIT), web_t(r, M_REG_ISSUE_CODE));
    web_page_end(r);
    return 0;
}

int web_page_registrar_issue_post(struct http_req *r)
{
    struct id_person person;
    if (load_person(r, &person))
        return 0;
    const struct id_principal *p = web_who(r);
    struct pc_err err = {0};
    struct db *db = app_of(r)->db;
    const char *account = NULL;
    int rc = id_account_find(db, &r->arena, person.fin, &account, &err);
    if (rc == PC_ENOTFOUND) {
        struct id_grant g[2] = {{ID_ROLE_CITIZEN, ""}, {ID_ROLE_REPRESENTATIVE, ""}};
        struct id_entity *ents;
        size_t ne = 0;
        id_entities_of(db, &r->arena, person.fin, &ents, &ne, NULL);
        rc = id_account_create(db, person.fin, person.fin, g, ne ? 2 : 1, p->account_id, "registrar", &r->arena,
                               &account, &err);
    }
    char code[ID_CODE_LEN + 1];
    bool home = pc_str_eq(http_kv_get(&r->form, "home_visit"), "1");
    if (!rc)
        rc = id_code_issue(db, account, home ? "activate:home-visit" : "activate", p->account_id, "registrar",
                           r->remote_addr, CODE_VALID_SECS, code, &err);
    if (rc) {
        return web_fail(r, rc, &err);
    }
    web_page_begin(r, web_t(r, M_REG_CODE_ISSUED));
    /* the code's name as text for screen readers: an aria-label on a <p>
     * is either ignored or read instead of the code itself */
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p class=\"code\"><span class=\"visually-hidden\">%s: </span>%s</p>\n</div>\n"
            "<p>%s</p>\n<p>%s</p>\n<p><a href=\"/registrar\">%s</a></p>\n",
         web_t(r, M_REG_CODE_ISSUED), web_t(r, M_ACTIVATE_FIELD_CODE), pc_arena_printf(&r->arena, "%.4s-%.4s-%.2s", code, code + 4, code + 8),
         pc_arena_printf(&r->arena, web_t(r, M_REG_CODE_GIVE), "/activate"), web_t(r, M_REG_CODE_VALID), web_t(r, M_REG_TITLE));
    web_page_end(r);
    return 0;
}
