/* desk_certs.c — the registration desk issues a certificate to the person
 * in front of it: the registrar checks the ID card (a box the form will
 * not go without; the check goes into the audit log under the registrar's
 * name before the centre is asked), then applies from a CSR the person
 * brought or has a PKCS#12 made and handed over at the desk.  The
 * person's certificates are listed without the holder's own actions: a
 * registrar issues and lifts a suspension, the holder suspends and
 * revokes.  The centre checks
 * the registrar's role again and records the channel "desk"; the look at
 * the person's record goes into their access log.  A free single-purpose
 * certificate the person asked for online waits here: it is one more
 * choice of the forms' profile list ("single:REQUEST"), issued with the
 * service named in it, and the request is then done. */
#include "internal.h"
#include "../audit/audit.h"

#include <string.h>

#define SINGLE_CHOICE "single:"

/* The FİN of the page when the registrar may issue to them, else the
 * answer (login, 403, 404) is written and NULL returned. */
static const char *desk_fin(struct http_req *r)
{
    const char *fin = http_param(r, 0);
    struct id_resource res = {.fin = fin};
    if (!web_require(r, ID_ACT_ISSUE_CERT_AT_DESK, &res))
        return NULL;
    return fin;
}

static const char *base_of(struct http_req *r, const char *fin)
{
    return pc_arena_printf(&r->arena, "/registrar/persons/%s/certificates", fin);
}

/* The box on the form (csr or p12) and its error: ids per form, so that
 * the error summary links to the box of the form that was sent. */
static void id_check_box(struct http_req *r, const char *form, const struct web_field_error *e, int n)
{
    const char *id = pc_arena_printf(&r->arena, "id_checked-%s", form);
    bool bad = false;
    for (int i = 0; i < n; i++)
        bad |= pc_str_eq(e[i].field, id);
    web_html(r, "<div class=\"field checkbox%r\">", bad ? " field-error" : "");
    if (bad)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", id, web_t(r, M_DESK_CERT_ERR_CHECKED));
    web_html(r, "<input type=\"checkbox\" id=\"%s\" name=\"id_checked\" value=\"1\"%r><label for=\"%s\">%s</label></div>\n",
             id, bad ? pc_arena_printf(&r->arena, " aria-describedby=\"%s-error\" aria-invalid=\"true\"", id) : "", id,
             web_t(r, M_DESK_CERT_CHECKED));
}

/* The desk's look at the person's record, in their access log (as the
 * registrar's person page records it). */
static int record_look(struct http_req *r, const char *fin, struct pc_err *err)
{
    const struct id_principal *who = web_who(r);
    struct access_entry e = {.subject_fin = fin, .accessor = who->account_id,
                             .accessor_role = id_role_name((enum id_role)id_authorize_role(who, ID_ACT_ISSUE_CERT_AT_DESK, NULL)),
                             .agency_id = "", .data_kind = "profile", .ground = "cert-desk"};
    struct db_conn *c = db_conn_get(app_of(r)->db, err);
    return c ? audit_access_record(c, &e, err) : err->code;
}

/* The person's waiting single-purpose requests, listed and offered as
 * choices of the forms. */
static void single_requests(struct http_req *r, const struct id_single_request *w, size_t nw,
                            struct web_cert_choice *choices)
{
    if (!nw)
        return;
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<ul>\n", web_t(r, M_DESK_SINGLE_TITLE), web_t(r, M_DESK_SINGLE_HINT));
    for (size_t i = 0; i < nw; i++) {
        const char *name = web_certs_service_name(r, w[i].service_id);
        char ts[21];
        pc_rfc3339(w[i].created_at, ts);
        web_html(r, "<li>%s (<time datetime=\"%s\">%s</time>)</li>\n", name, ts, pc_arena_printf(&r->arena, "%.10s", ts));
        choices[i] = (struct web_cert_choice){pc_arena_printf(&r->arena, SINGLE_CHOICE "%s", w[i].id),
                                              pc_arena_printf(&r->arena, web_t(r, M_DESK_SINGLE_CHOICE), name)};
    }
    web_html(r, "</ul>\n");
}

static int desk_page(struct http_req *r, const char *fin, const struct web_field_error *errors, int n)
{
    struct pki_client *ca;
    if (web_certs_ca(r, &ca))
        return 0;
    struct pc_err err = {0};
    struct id_person p;
    int rc = id_person_get(app_of(r)->db, &r->arena, fin, &p, &err);
    if (!rc)
        rc = record_look(r, fin, &err);
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_REGISTRAR, NULL);
    struct pki_cert *certs = NULL;
    size_t nc = 0;
    if (!rc)
        rc = pki_client_list(ca, &r->arena, &who, fin, NULL, &certs, &nc, &err);
    struct id_single_request *waiting = NULL;
    size_t nw = 0;
    if (!rc)
        rc = id_single_waiting(app_of(r)->db, &r->arena, fin, &waiting, &nw, &err);
    if (rc)
        return web_fail(r, rc, &err);
    const char *title = pc_arena_printf(&r->arena, "%s: %s %s", web_t(r, M_DESK_CERT_TITLE), p.first_name, p.last_name);
    web_form_title(r, title, n);
    const char *crumbs[] = {web_t(r, M_REG_TITLE), "/registrar", pc_arena_printf(&r->arena, "%s %s", p.first_name, p.last_name),
                            pc_arena_printf(&r->arena, "/registrar/persons/%s", fin), web_t(r, M_DESK_CERT_TITLE), NULL};
    web_page_breadcrumbs(r, crumbs, 3);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p>FİN %s</p>\n", title, fin);
    if (http_kv_get(&r->query, "issued"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s <code>%s</code></p></div>\n", web_t(r, M_CERTS_ISSUED),
                 http_kv_get(&r->query, "issued"));
    if (http_kv_get(&r->query, "changed"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_CERTS_CHANGED));
    web_certs_table(r, certs, nc, base_of(r, fin), WEB_CERTS_DESK);
    struct web_cert_choice *choices = pc_arena_array(&r->arena, nw ? nw : 1, sizeof *choices);
    single_requests(r, waiting, nw, choices);
    web_certs_apply_forms(r, base_of(r, fin), errors, n, id_check_box, choices, nw);
    web_page_end(r);
    return 0;
}

int web_page_desk_certs(struct http_req *r)
{
    const char *fin = desk_fin(r);
    return fin ? desk_page(r, fin, NULL, 0) : 0;
}

/* The registrar's word that the card was checked, in the audit log. */
static int record_id_check(struct http_req *r, const char *fin, struct pc_err *err)
{
    struct db_conn *c;
    int rc = audit_begin(app_of(r)->db, &c, err);
    if (rc)
        return rc;
    struct audit_entry e = {.actor = web_who(r)->account_id, .role = "registrar", .action = "pki.id_card_checked",
                            .object_type = "person", .object_id = fin, .ip = r->remote_addr,
                            .detail = "ID card checked at the desk before a certificate"};
    return audit_end(c, 0, &e, err);
}

static int desk_issue(struct http_req *r, bool p12)
{
    const char *fin = desk_fin(r);
    if (!fin)
        return 0;
    struct pc_err err = {0};
    struct web_cert_order order, *o = NULL;
    const char *profile = http_kv_get(&r->form, "profile");
    if (profile && !strncmp(profile, SINGLE_CHOICE, strlen(SINGLE_CHOICE))) {
        /* a waiting request of this person's (someone else's: not found) */
        struct id_single_request req;
        int rc = id_single_get(app_of(r)->db, &r->arena, fin, profile + strlen(SINGLE_CHOICE), &req, &err);
        if (rc)
            return web_fail(r, rc, &err);
        order = (struct web_cert_order){"single-purpose", req.service_id, req.id};
        o = &order;
    }
    struct web_field_error errors[3];
    int n = 0;
    if (!pc_str_eq(http_kv_get(&r->form, "id_checked"), "1")) {
        errors[n++] = (struct web_field_error){p12 ? "id_checked-p12" : "id_checked-csr", web_t(r, M_DESK_CERT_ERR_CHECKED)};
    } else {
        int rc = record_id_check(r, fin, &err);
        if (rc)
            return web_fail(r, rc, &err);
        struct pki_actor who = web_certs_actor(r, PKI_ACTOR_REGISTRAR, NULL);
        if (web_certs_issue(r, &who, fin, "desk", p12, o, base_of(r, fin), errors, &n))
            return 0;
    }
    r->status = 400;
    return desk_page(r, fin, errors, n);
}

int web_page_desk_certs_csr_post(struct http_req *r)
{
    return desk_issue(r, false);
}

int web_page_desk_certs_p12_post(struct http_req *r)
{
    return desk_issue(r, true);
}

int web_page_desk_cert_pem(struct http_req *r)
{
    const char *fin = desk_fin(r);
    if (!fin)
        return 0;
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_REGISTRAR, NULL);
    return web_certs_send_pem(r, &who, fin, http_param(r, 1));
}

/* Lifting a suspension, with the person at the desk: only a certificate
 * of the person of the page (someone else's is "not found"). */
int web_page_desk_cert_resume_post(struct http_req *r)
{
    const char *fin = desk_fin(r);
    struct pki_client *ca;
    if (!fin || web_certs_ca(r, &ca))
        return 0;
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_REGISTRAR, NULL);
    struct pki_cert c;
    struct pc_err err = {0};
    int rc = pki_client_get(ca, &r->arena, &who, http_param(r, 1), &c, &err);
    if (!rc && !pc_str_eq(c.fin, fin))
        return web_certs_not_theirs(r);
    if (!rc)
        rc = pki_client_change(ca, &r->arena, &who, c.serial, PKI_STATUS_GOOD, 0, &c, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "%s?changed=1", base_of(r, fin)));
}
