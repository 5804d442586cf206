/* desk_mobile.c — registering a mobile signature at the registration
 * desk: after the card check (the person's page, registrar.c), the
 * registrar types the phone number and pastes the SIM's enrolment text
 * (what `pencere phone init` prints: the CSRs of the SIM's two keys and
 * its channel key); the mobile-signature service has the CA issue the
 * certificates and binds the number to the person (mid_client_enrol, as
 * this registrar).  A number bound before gets the new SIM; the old
 * SIM's certificates are revoked there.
 *
 *   GET  /registrar/persons/{fin}/mobile   the form
 *   POST /registrar/persons/{fin}/mobile   bind */
#include "internal.h"
#include "../mobile/mobile.h"
#include "../pki/pki.h"

#include <string.h>

static void desk_form(struct http_req *r, const struct id_person *p, const char *phone, const char *sim,
                      const struct web_field_error *errors, int n)
{
    web_form_title(r, web_t(r, M_DESK_MID_TITLE), n);
    const char *crumbs[] = {web_t(r, M_REG_TITLE), "/registrar", web_t(r, M_REG_PERSON_TITLE),
                            pc_arena_printf(&r->arena, "/registrar/persons/%s", p->fin), web_t(r, M_DESK_MID_TITLE),
                            NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<p><strong>%s %s</strong> (%s)</p>\n"
                "<form method=\"post\" action=\"/registrar/persons/%s/mobile\" novalidate>\n",
             web_t(r, M_DESK_MID_TITLE), web_t(r, M_DESK_MID_LEAD), p->last_name, p->first_name, p->fin, p->fin);
    web_csrf_field(r);
    struct web_field f_phone = {"phone", web_t(r, M_MID_FIELD_PHONE), web_t(r, M_MID_FIELD_PHONE_HINT), phone, "tel",
                                "off", 24};
    web_text_field(r, &f_phone, errors, n);
    const char *sim_error = NULL;
    for (int i = 0; i < n; i++)
        if (strcmp(errors[i].field, "sim") == 0)
            sim_error = errors[i].message;
    web_html(r, "<div class=\"field%r\"><label for=\"sim\">%s</label>\n<p class=\"hint\" id=\"sim-hint\">%s</p>\n",
             sim_error ? " field-error" : "", web_t(r, M_DESK_MID_SIM), web_t(r, M_DESK_MID_SIM_HINT));
    if (sim_error)
        web_html(r, "<p class=\"error-message\" id=\"sim-error\">%s</p>\n", sim_error);
    web_html(r, "<textarea class=\"input textarea\" id=\"sim\" name=\"sim\" rows=\"12\" spellcheck=\"false\" "
                "aria-describedby=\"sim-hint%r\"%r>%s</textarea></div>\n<button type=\"submit\">%s</button>\n</form>\n",
             sim_error ? " sim-error" : "", sim_error ? " aria-invalid=\"true\"" : "", sim ? sim : "",
             web_t(r, M_DESK_MID_BUTTON));
    web_page_end(r);
}

int web_page_desk_mobile(struct http_req *r)
{
    struct id_person p;
    if (web_registrar_person(r, &p))
        return 0;
    desk_form(r, &p, NULL, NULL, NULL, 0);
    return 0;
}

int web_page_desk_mobile_post(struct http_req *r)
{
    struct id_person p;
    if (web_registrar_person(r, &p))
        return 0;
    struct mid_client *mc = app_of(r)->mid;
    struct pc_err err = {0};
    if (!mc)
        return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no mobile-signature service (--mid-url)"), &err);
    const char *phone = http_kv_get(&r->form, "phone"), *sim = http_kv_get(&r->form, "sim");
    char norm[MID_PHONE_MAX + 1];
    struct mid_enrolment e = {0};
    struct web_field_error errors[2];
    int n = 0;
    if (!mid_phone_normalize(phone, norm))
        errors[n++] = (struct web_field_error){"phone", web_t(r, M_MID_ERR_PHONE)};
    if (!sim || mid_parse_enrolment_text(&r->arena, sim, strlen(sim), &e, &err))
        errors[n++] = (struct web_field_error){"sim", web_t(r, M_DESK_MID_SIM_BAD)};
    if (n) {
        r->status = 400;
        desk_form(r, &p, phone, sim, errors, n);
        return 0;
    }
    const struct id_principal *who = web_who(r);
    struct pki_actor desk = {.role = PKI_ACTOR_REGISTRAR, .id = who->account_id, .ip = r->remote_addr};
    e.phone = norm;
    e.fin = p.fin;
    e.name = pc_arena_printf(&r->arena, "%s %s", p.first_name, p.last_name);
    struct mid_binding b;
    int rc = mid_client_enrol(mc, &r->arena, &desk, &e, &b, &err);
    if (rc == PC_EINVAL) { /* the CA refused a CSR or the key: the text is at fault */
        struct web_field_error bad = {"sim", web_t(r, M_DESK_MID_SIM_BAD)};
        r->status = 400;
        desk_form(r, &p, phone, sim, &bad, 1);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_DESK_MID_DONE));
    web_html(r, "<h1>%s</h1>\n<div class=\"notice\" role=\"status\"><p>%s</p></div>\n<dl class=\"facts\">\n"
                "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n</dl>\n"
                "<p><a href=\"/registrar/persons/%s\">%s</a></p>\n",
             web_t(r, M_DESK_MID_DONE), web_t(r, M_DESK_MID_DONE_LEAD), web_t(r, M_MID_FIELD_PHONE), b.phone,
             web_t(r, M_FIELD_FIN), b.fin, web_t(r, M_DESK_MID_AUTH_SERIAL), b.auth_serial,
             web_t(r, M_DESK_MID_SIGN_SERIAL), b.sign_serial, p.fin, web_t(r, M_REG_PERSON_TITLE));
    web_page_end(r);
    return 0;
}
