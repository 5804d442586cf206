/* registrar.c — the registration centre's desk: identify the person in
 * front of it (by the FİN on their card, or their surname with the card's
 * number: never a browse of the population), check the card, issue
 * a one-time activation code for the simplified code-password (also on a
 * home visit to a person with a disability), and confirm a work login an
 * agency bound to the person.  Every look at a person's record goes into
 * the personal-data access log with the role it was made in; every code
 * into the audit log. */
#include "internal.h"
#include "../audit/audit.h"

#include <string.h>

#define CODE_VALID_SECS (72 * 3600)
#define FOUND_MAX 5      /* a FİN finds one person; a name with a card number a few at most */

/* One field takes the FİN or the surname (as the desk has always worked);
 * a surname needs the card's number beside it. */
static void search_form(struct http_req *r, const char *q, const char *card)
{
    web_page_begin(r, web_t(r, M_REG_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"get\" action=\"/registrar\" role=\"search\">\n",
         web_t(r, M_REG_TITLE), web_t(r, M_REG_LEAD));
    struct web_field f_q = {"q", web_t(r, M_REG_SEARCH_LABEL), web_t(r, M_REG_SEARCH_HINT), q, "search", "off", ID_NAME_MAX};
    struct web_field f_card = {"id_card", web_t(r, M_REG_SEARCH_CARD), NULL, card, "text", "off", 20};
    web_text_field(r, &f_q, NULL, 0);
    web_text_field(r, &f_card, NULL, 0);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_SEARCH_BUTTON));
}

int web_page_registrar(struct http_req *r)
{
    if (!web_require(r, ID_ACT_ISSUE_CODE, NULL))
        return 0;
    const char *q = http_kv_get(&r->query, "q"), *card = http_kv_get(&r->query, "id_card");
    char fin[8];
    struct id_person_query query = {.id_card = card};
    if (id_fin_normalize(q, fin))
        query.fin = fin;
    else
        query.last_name = q;
    struct id_person *list = NULL;
    size_t n = 0;
    bool more = false;
    struct pc_err err = {0};
    int rc = q && *q ? id_person_find(app_of(r)->db, &r->arena, &query, &list, &n, FOUND_MAX, &more, &err) : 0;
    if (rc && rc != PC_EINVAL)
        return web_fail(r, rc, &err);
    search_form(r, q, card);
    if (rc) {
        /* a surname alone: the desk identifies one person, it does not browse */
        web_html(r, "<p class=\"notice\" role=\"status\">%s</p>\n", web_t(r, M_REG_SEARCH_RULE));
    } else if (q && *q && n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_REG_NONE_FOUND));
    } else if (n) {
        /* a name to pick by; the record itself is opened (and logged) on
         * its own page */
        web_html(r, "<ul class=\"people\">\n");
        for (size_t i = 0; i < n; i++)
            web_html(r, "<li><a href=\"/registrar/persons/%s\">%s %s %s</a></li>\n", list[i].fin, list[i].last_name,
                     list[i].first_name, list[i].patronymic ? list[i].patronymic : "");
        web_html(r, "</ul>\n");
    }
    web_page_end(r);
    return 0;
}

/* Load the person of the URL for a registrar, recording the look with the
 * role the registrar acts in. */
int web_registrar_person(struct http_req *r, struct id_person *person)
{
    char fin[8];
    bool valid = id_fin_normalize(http_param(r, 0), fin);
    struct id_resource res = {.fin = valid ? fin : http_param(r, 0)};
    /* the desk first (a citizen has no business here even for their own
     * record), then the person */
    if (!web_require(r, ID_ACT_ISSUE_CODE, NULL) || !web_require(r, ID_ACT_VIEW_PERSON, &res))
        return 1;
    struct pc_err err = {0};
    int rc = valid ? id_person_get(app_of(r)->db, &r->arena, fin, person, &err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND) {
        http_error(r, 404, "not-found", "Page not found", NULL);
        return 1;
    }
    const struct id_principal *p = web_who(r);
    struct access_entry e = {.subject_fin = fin, .accessor = p->account_id,
                             /* the desk's role, even for a registrar who is also the person */
                             .accessor_role = id_role_name((enum id_role)id_authorize_role(p, ID_ACT_ISSUE_CODE, NULL)),
                             .agency_id = "", .data_kind = "profile", .ground = "id-check"};
    struct db_conn *c = rc == 0 ? db_conn_get(app_of(r)->db, &err) : NULL;
    if (rc == 0 && !c)
        rc = err.code;
    if (rc == 0)
        rc = audit_access_record(c, &e, &err);
    if (rc) {
        web_fail(r, rc, &err);
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

/* Work logins bound to the person that wait for confirmation: the desk
 * confirms them once it has checked the card. */
static void staff_waiting(struct http_req *r, const struct id_person *person, const struct id_staff *list, size_t n)
{
    if (n == 0)
        return;
    web_html(r, "<h2>%s</h2>\n<ul class=\"entities\">\n", web_t(r, M_REG_STAFF_WAITING));
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<li><strong>%s</strong> — %s, %s\n<form method=\"post\" action=\"/registrar/persons/%s/code\" class=\"inline\">\n",
                 list[i].login, web_role_label(r, list[i].role), list[i].agency_id, person->fin);
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"account\" value=\"%s\"><button type=\"submit\" class=\"secondary\">%s"
                    "<span class=\"visually-hidden\"> — %s</span></button></form></li>\n",
                 list[i].account_id, web_t(r, M_REG_STAFF_CONFIRM), list[i].login);
    }
    web_html(r, "</ul>\n");
}

int web_page_registrar_person(struct http_req *r)
{
    struct id_person person;
    if (web_registrar_person(r, &person))
        return 0;
    const char *account = NULL;
    struct id_staff *waiting;
    size_t nwaiting = 0;
    struct pc_err err = {0};
    int rc = id_staff_unconfirmed(app_of(r)->db, &r->arena, person.fin, &waiting, &nwaiting, &err);
    if (rc)
        return web_fail(r, rc, &err);
    rc = id_account_find(app_of(r)->db, &r->arena, person.fin, &account, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_REG_PERSON_TITLE));
    const char *crumbs[] = {web_t(r, M_REG_TITLE), "/registrar", web_t(r, M_REG_PERSON_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 2);
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_REG_PERSON_TITLE));
    person_facts(r, &person);
    /* pki-portal: the desk issues e-signature certificates too (desk_certs.c) */
    web_html(r, "<p><a href=\"/registrar/persons/%s/certificates\">%s</a></p>\n", person.fin, web_t(r, M_DESK_CERT_TITLE));
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_REG_ISSUE_CODE), web_t(r, M_REG_ISSUE_LEAD));
    if (rc == 0)
        web_html(r, "<p class=\"notice\">%s</p>\n", web_t(r, M_REG_HAS_ACCOUNT));
    web_html(r, "<form method=\"post\" action=\"/registrar/persons/%s/code\">\n", person.fin);
    web_csrf_field(r);
    web_html(r, "<div class=\"field checkbox\"><input type=\"checkbox\" id=\"home_visit\" name=\"home_visit\" value=\"1\">"
            "<label for=\"home_visit\">%s</label></div>\n<button type=\"submit\">%s</button>\n</form>\n",
         web_t(r, M_REG_HOME_VISIT), web_t(r, M_REG_ISSUE_CODE));
    staff_waiting(r, &person, waiting, nwaiting);
    if (app_of(r)->mid)
        web_html(r, "<h2>%s</h2>\n<p><a href=\"/registrar/persons/%s/mobile\">%s</a></p>\n", web_t(r, M_MID_TITLE_SHORT),
                 person.fin, web_t(r, M_DESK_MID_TITLE));
    web_page_end(r);
    return 0;
}

int web_page_registrar_issue_post(struct http_req *r)
{
    struct id_person person;
    if (web_registrar_person(r, &person))
        return 0;
    const struct id_principal *p = web_who(r);
    struct pc_err err = {0};
    struct db *db = app_of(r)->db;
    char code[ID_CODE_LEN + 1];
    const char *staff = http_kv_get(&r->form, "account");
    if (staff) {
        /* a work login bound to this person, confirmed at the desk */
        const char *login = NULL;
        int rc = id_staff_confirm(db, &r->arena, p, staff, r->remote_addr, code, &login, &err);
        if (rc)
            return web_fail(r, rc, &err);
        web_code_page(r, web_t(r, M_STAFF_CONFIRMED), code,
                      pc_arena_printf(&r->arena, web_t(r, M_STAFF_CONFIRMED_LOGIN), login), "/registrar",
                      web_t(r, M_REG_TITLE));
        return 0;
    }
    /* once only: the population register knows this person by these names (nothing is made otherwise) */
    if (web_once_check_person(r, &person))
        return 0;
    const char *account = NULL;
    int rc = id_citizen_account(db, &r->arena, person.fin, p->account_id, "registrar", &account, &err);
    bool home = pc_str_eq(http_kv_get(&r->form, "home_visit"), "1");
    if (!rc)
        rc = id_code_issue(db, account, home ? "activate:home-visit" : "activate", p->account_id, "registrar",
                           r->remote_addr, CODE_VALID_SECS, code, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_code_page(r, web_t(r, M_REG_CODE_ISSUED), code, pc_arena_printf(&r->arena, web_t(r, M_REG_CODE_GIVE), "/activate"),
                  "/registrar", web_t(r, M_REG_TITLE));
    return 0;
}
