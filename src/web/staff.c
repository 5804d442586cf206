/* staff.c — an agency administrator's screens: the officers of their
 * agency, adding one (a work login bound to the officer's own person
 * record, which works only once that person confirms it — from their own
 * account or at a registration centre, where the activation code is
 * shown to them, never to the administrator), removing access.
 * id_authorize ties every screen to the administrator's own agency: the
 * agency in the URL is checked, not trusted. */
#include "internal.h"

#include <string.h>

static bool allowed(struct http_req *r, const char *agency)
{
    struct id_resource res = {.agency_id = agency};
    return web_require(r, ID_ACT_MANAGE_AGENCY_STAFF, &res);
}

/* The list and the form to add one (errors: the form sent back). */
static int staff_page(struct http_req *r, const char *agency, const char *login, const char *fin,
                      const struct web_field_error *errors, int n)
{
    struct id_staff *list;
    size_t count = 0;
    bool more = false;
    struct pc_err err = {0};
    int rc = id_agency_staff(app_of(r)->db, &r->arena, agency, &list, &count, &more, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (more) /* ID_STAFF_MAX shown: say so to the operator */
        pc_log(PC_LOG_WARN, "web.staff_list_cut", "agency", agency, NULL);
    web_form_title(r, web_t(r, M_STAFF_TITLE), n);
    web_error_summary(r, errors, n);
    struct cat_agency g;
    const char *agency_name = cat_get_agency(app_of(r)->db, &r->arena, agency, &g, NULL) == 0
                                  ? pc_text_get(&g.name, web_lang_id(r)) : agency;
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", agency_name, web_t(r, M_STAFF_TITLE),
         web_t(r, M_STAFF_LEAD));
    if (count == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_STAFF_NONE));
    } else {
        /* a region that scrolls sideways on a narrow phone, not the page */
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">"
                "<span class=\"visually-hidden\">%s</span></th></tr></thead>\n<tbody>\n",
             web_t(r, M_STAFF_TITLE), web_t(r, M_STAFF_TITLE), web_t(r, M_COL_NAME), web_t(r, M_COL_LOGIN), web_t(r, M_COL_ROLE), web_t(r, M_STAFF_REMOVE));
        for (size_t i = 0; i < count; i++) {
            bool waits = pc_str_eq(list[i].status, "unconfirmed");
            web_html(r, "<tr><td>%s</td><td>%s</td><td>%s%s%s</td><td>", list[i].name, list[i].login,
                 web_role_label(r, list[i].role), waits ? " — " : "", waits ? web_t(r, M_STAFF_WAITS) : "");
            if (list[i].role == ID_ROLE_OFFICER || list[i].role == ID_ROLE_INSPECTOR) {
                web_html(r, "<form method=\"post\" action=\"/agencies/%s/staff/%s/remove\">"
                            "<input type=\"hidden\" name=\"role\" value=\"%s\">", agency, list[i].account_id,
                         id_role_name(list[i].role));
                web_csrf_field(r);
                web_html(r, "<button type=\"submit\" class=\"warning\">%s<span class=\"visually-hidden\"> — %s</span>"
                        "</button></form>", web_t(r, M_STAFF_REMOVE), list[i].login);
            }
            web_html(r, "</td></tr>\n");
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/agencies/%s/staff\" novalidate>\n", web_t(r, M_STAFF_ADD_TITLE), agency);
    web_csrf_field(r);
    struct web_field f_login = {"login", web_t(r, M_STAFF_FIELD_LOGIN), web_t(r, M_STAFF_FIELD_LOGIN_HINT), login, "text", "off", 64};
    struct web_field f_fin = {"fin", web_t(r, M_FIELD_FIN), web_t(r, M_STAFF_FIELD_FIN_HINT), fin, "text", "off", 7};
    web_text_field(r, &f_login, errors, n);
    web_text_field(r, &f_fin, errors, n);
    /* officers take applications; inspectors visit households (src/inspect) */
    bool inspector = pc_str_eq(http_kv_get(&r->form, "role"), "inspector");
    web_html(r, "<fieldset class=\"field\"><legend>%s</legend>\n<div class=\"choice\"><input type=\"radio\" "
                "id=\"role-officer\" name=\"role\" value=\"officer\"%r><label for=\"role-officer\">%s</label></div>\n"
                "<div class=\"choice\"><input type=\"radio\" id=\"role-inspector\" name=\"role\" value=\"inspector\"%r>"
                "<label for=\"role-inspector\">%s</label></div>\n</fieldset>\n",
             web_t(r, M_COL_ROLE), inspector ? "" : " checked", web_role_label(r, ID_ROLE_OFFICER),
             inspector ? " checked" : "", web_role_label(r, ID_ROLE_INSPECTOR));
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_STAFF_ADD_BUTTON));
    web_page_end(r);
    return 0;
}

int web_page_staff(struct http_req *r)
{
    const char *agency = http_param(r, 0);
    if (!allowed(r, agency))
        return 0;
    return staff_page(r, agency, NULL, NULL, NULL, 0);
}

int web_page_staff_add_post(struct http_req *r)
{
    const char *agency = http_param(r, 0);
    if (!allowed(r, agency))
        return 0;
    const char *login = http_kv_get(&r->form, "login"), *fin_in = http_kv_get(&r->form, "fin");
    struct web_field_error errors[2];
    int n = 0;
    char fin[8];
    struct id_person person;
    struct pc_err err = {0};
    if (!id_fin_normalize(fin_in, fin)) {
        errors[n++] = (struct web_field_error){"fin", web_t(r, M_ERR_FIN_FORMAT)};
    } else {
        int rc = id_person_get(app_of(r)->db, &r->arena, fin, &person, &err);
        if (rc == PC_ENOTFOUND)
            errors[n++] = (struct web_field_error){"fin", web_t(r, M_ERR_NO_PERSON)};
        else if (rc)
            return web_fail(r, rc, &err);
    }
    if (!n) {
        /* bound to the person, unconfirmed: no code for the administrator */
        struct id_grant g = {pc_str_eq(http_kv_get(&r->form, "role"), "inspector") ? ID_ROLE_INSPECTOR : ID_ROLE_OFFICER,
                             agency};
        const char *account = NULL;
        int rc = id_account_create(app_of(r)->db, ID_ACCOUNT_STAFF, login ? login : "", fin, &g, 1,
                                   web_who(r)->account_id, "agency_admin", &r->arena, &account, &err);
        if (rc == PC_EINVAL)
            errors[n++] = (struct web_field_error){"login", web_t(r, M_ERR_LOGIN_FORMAT)};
        else if (rc == PC_ECONFLICT)
            errors[n++] = (struct web_field_error){"login", web_t(r, M_ERR_LOGIN_TAKEN)};
        else if (rc)
            return web_fail(r, rc, &err);
    }
    if (n) {
        r->status = 400;
        return staff_page(r, agency, login, fin_in, errors, n);
    }
    web_page_begin(r, web_t(r, M_STAFF_ADDED));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s</p>\n</div>\n<p><a href=\"/agencies/%s/staff\">%s</a></p>\n",
         web_t(r, M_STAFF_ADDED), pc_arena_printf(&r->arena, web_t(r, M_STAFF_ADDED_LEAD), login), agency,
         web_t(r, M_STAFF_TITLE));
    web_page_end(r);
    return 0;
}

int web_page_staff_remove_post(struct http_req *r)
{
    const char *agency = http_param(r, 0), *account = http_param(r, 1);
    if (!allowed(r, agency))
        return 0;
    const struct id_principal *p = web_who(r);
    if (pc_str_eq(account, p->account_id))
        return http_error(r, 400, "self", "Bad request", "You cannot remove your own access.");
    struct pc_err err = {0};
    /* the grant must be of this agency: another agency's officer is "not found" */
    enum id_role role = pc_str_eq(http_kv_get(&r->form, "role"), "inspector") ? ID_ROLE_INSPECTOR : ID_ROLE_OFFICER;
    int rc = id_grant_remove(app_of(r)->db, account, role, agency, p->account_id, r->remote_addr, &err);
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/agencies/%s/staff", agency));
}
