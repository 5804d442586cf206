/* certs.c — a person's e-signature certificates in the portal: the list
 * with each one's status, applying for one (a CSR pasted in, or a
 * password-protected PKCS#12 made for the holder and handed over once),
 * suspending and revoking one's own (lifting a suspension is the desk's,
 * with the person in front of it: the centre refuses it to a holder).  The same list and forms
 * serve the registration desk (desk_certs.c) under its own path and actor.
 *
 * Everything is asked of the certification centre over its RA API (the
 * portal holds no key and no certificate table): the centre checks the
 * actor again, audits every step and commits each one whole, so a centre
 * that is down is a 503 page and nothing half-done. */
#include "internal.h"
#include "../pki/pki.h"

#include <string.h>

/* The profiles a person may ask for for themself. */
static const char *const person_profiles[] = {"citizen", "citizen-auth"};

static const struct { int reason; enum msg label; } reasons[] = {
    {PKI_REASON_KEY_COMPROMISE, M_CERTS_REASON_KEY},
    {PKI_REASON_CESSATION, M_CERTS_REASON_CESSATION},
    {PKI_REASON_SUPERSEDED, M_CERTS_REASON_SUPERSEDED},
};

static const enum msg status_msgs[] = {
    [PKI_STATUS_GOOD] = M_CERT_GOOD, [PKI_STATUS_SUSPENDED] = M_CERT_SUSPENDED, [PKI_STATUS_REVOKED] = M_CERT_REVOKED};

int web_certs_ca(struct http_req *r, struct pki_client **ca)
{
    *ca = app_of(r)->ca;
    if (*ca)
        return 0;
    struct pc_err err = {0};
    web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "this portal has no certification centre (--ca-url)"), &err);
    return 1;
}

struct pki_actor web_certs_actor(struct http_req *r, enum pki_actor_role role, const char *fin)
{
    const struct id_principal *who = web_who(r);
    return (struct pki_actor){.role = role, .id = who->account_id, .fin = fin, .ip = r->remote_addr};
}

/* The holder a certificate is made for: the person's FİN and name as the
 * population register has them (never what the CSR says). */
static int holder_of(struct http_req *r, const char *fin, struct pki_holder *h, struct pc_err *err)
{
    struct id_person p;
    int rc = id_person_get(app_of(r)->db, &r->arena, fin, &p, err);
    if (rc)
        return rc;
    *h = (struct pki_holder){.fin = p.fin, .name = pc_arena_printf(&r->arena, "%s %s", p.first_name, p.last_name)};
    return 0;
}

static void short_date(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    web_html(r, "<time datetime=\"%s\">%s</time>", ts, pc_arena_printf(&r->arena, "%.10s", ts));
}

static void change_form(struct http_req *r, const char *base, const struct pki_cert *c, const char *to, enum msg label,
                        bool with_reason)
{
    web_html(r, "<form method=\"post\" action=\"%s/%s/%s\" class=\"inline\">\n", base, c->serial, to);
    web_csrf_field(r);
    if (with_reason) {
        const char *id = pc_arena_printf(&r->arena, "reason-%s", c->serial);
        web_html(r, "<label for=\"%s\">%s</label> <select id=\"%s\" name=\"reason\">\n", id, web_t(r, M_CERTS_REASON), id);
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            web_html(r, "<option value=\"%s\">%s</option>\n", pki_reason_name(reasons[i].reason),
                     web_t(r, reasons[i].label));
        web_html(r, "</select>\n");
    }
    web_html(r, "<button type=\"submit\"%r>%s</button>\n</form>\n", with_reason ? " class=\"warning\"" : " class=\"secondary\"",
             web_t(r, label));
}

void web_certs_table(struct http_req *r, const struct pki_cert *certs, size_t n, const char *base,
                     enum web_certs_view view)
{
    if (!n) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_CERTS_NONE));
        return;
    }
    web_html(r, "<table>\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead>\n<tbody>\n",
             web_t(r, M_CERTS_TITLE), web_t(r, M_CERTS_SERIAL), web_t(r, M_CERTS_KIND), web_t(r, M_CERTS_STATUS),
             web_t(r, M_CERTS_VALID_UNTIL), web_t(r, M_CERTS_ACTIONS));
    for (size_t i = 0; i < n; i++) {
        const struct pki_cert *c = &certs[i];
        const struct pki_profile *p = pki_profile_find(c->profile);
        web_html(r, "<tr><td><code>%s</code></td><td>%s</td><td><span class=\"tag\">%s</span></td><td>", c->serial,
                 p ? pc_text_get(&p->name, web_lang_id(r)) : c->profile, web_t(r, status_msgs[c->status]));
        short_date(r, c->not_after);
        web_html(r, "</td><td><a href=\"%s/%s\" download=\"%s.pem\">%s</a>\n", base, c->serial, c->serial,
                 web_t(r, M_CERTS_DOWNLOAD));
        bool own = view == WEB_CERTS_HOLDER;
        if (own && c->status == PKI_STATUS_GOOD)
            change_form(r, base, c, "suspend", M_CERTS_SUSPEND, false);
        if (own && c->status != PKI_STATUS_REVOKED)
            change_form(r, base, c, "revoke", M_CERTS_REVOKE, true);
        if (!own && c->status == PKI_STATUS_SUSPENDED)
            change_form(r, base, c, "resume", M_CERTS_RESUME, false);
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table>\n<p class=\"hint\">%s</p>\n", web_t(r, M_CERTS_REVOKE_HINT));
}

static void profile_select(struct http_req *r, const char *id, const struct web_cert_choice *more, size_t nmore)
{
    web_html(r, "<div class=\"field\"><label for=\"%s\">%s</label>\n<select class=\"input\" id=\"%s\" name=\"profile\">\n", id,
             web_t(r, M_CERTS_PROFILE), id);
    /* a form sent back keeps its choice (a single-purpose request is not
     * lost to a missing tick) */
    const char *posted = http_kv_get(&r->form, "profile");
    for (size_t i = 0; i < sizeof person_profiles / sizeof person_profiles[0]; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", person_profiles[i],
                 pc_str_eq(posted, person_profiles[i]) ? " selected" : "",
                 pc_text_get(&pki_profile_find(person_profiles[i])->name, web_lang_id(r)));
    for (size_t i = 0; i < nmore; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", more[i].value, pc_str_eq(posted, more[i].value) ? " selected" : "",
                 more[i].label);
    web_html(r, "</select></div>\n");
}

void web_certs_apply_forms(struct http_req *r, const char *base, const struct web_field_error *errors, int nerrors,
                           void (*extra)(struct http_req *r, const char *form, const struct web_field_error *e, int n),
                           const struct web_cert_choice *more, size_t nmore)
{
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"%s/csr\" novalidate>\n", web_t(r, M_CERTS_CSR_TITLE), base);
    web_csrf_field(r);
    profile_select(r, "csr-profile", more, nmore);
    bool bad = false;
    for (int i = 0; i < nerrors; i++)
        bad |= pc_str_eq(errors[i].field, "csr");
    web_html(r, "<div class=\"field%r\"><label for=\"csr\">%s</label>\n<p class=\"hint\" id=\"csr-hint\">%s</p>\n",
             bad ? " field-error" : "", web_t(r, M_CERTS_CSR_FIELD), web_t(r, M_CERTS_CSR_HINT));
    if (bad)
        web_html(r, "<p class=\"error-message\" id=\"csr-error\">%s</p>\n", web_t(r, M_CERTS_ERR_CSR));
    web_html(r, "<textarea class=\"input textarea code\" id=\"csr\" name=\"csr\" rows=\"8\" maxlength=\"%d\" "
                "spellcheck=\"false\" aria-describedby=\"csr-hint%r\"%r></textarea></div>\n",
             PKI_CSR_MAX, bad ? " csr-error" : "", bad ? " aria-invalid=\"true\"" : "");
    if (extra)
        extra(r, "csr", errors, nerrors);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CERTS_APPLY));

    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n<form method=\"post\" action=\"%s/p12\" novalidate>\n", web_t(r, M_CERTS_P12_TITLE),
             web_t(r, M_CERTS_P12_HINT), base);
    web_csrf_field(r);
    profile_select(r, "p12-profile", more, nmore);
    struct web_field fields[] = {
        {"password", web_t(r, M_CERTS_PASSWORD), web_t(r, M_CERTS_PASSWORD_HINT), NULL, "password", "new-password",
         PKI_P12_PASSWORD_MAX},
        {"confirm", web_t(r, M_CERTS_CONFIRM), NULL, NULL, "password", "new-password", PKI_P12_PASSWORD_MAX},
    };
    for (size_t i = 0; i < 2; i++)
        web_text_field(r, &fields[i], errors, nerrors);
    if (extra)
        extra(r, "p12", errors, nerrors);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_CERTS_APPLY));
}

static const char *posted_profile(struct http_req *r)
{
    const char *p = http_kv_get(&r->form, "profile");
    for (size_t i = 0; i < sizeof person_profiles / sizeof person_profiles[0]; i++)
        if (pc_str_eq(p, person_profiles[i]))
            return p;
    return NULL;
}

/* A single-purpose request the desk answered: done, with the serial. */
static int request_done(struct http_req *r, const struct pki_actor *who, const char *fin,
                        const struct web_cert_order *o, const char *serial)
{
    struct pc_err err = {0};
    int rc = o && o->request_id ? id_single_issued(app_of(r)->db, fin, o->request_id, serial, who->id, r->remote_addr, &err)
                                : 0;
    return rc ? web_fail(r, rc, &err), 1 : 0;
}

int web_certs_issue(struct http_req *r, const struct pki_actor *who, const char *fin, const char *channel, bool p12,
                    const struct web_cert_order *o, const char *done_href, struct web_field_error *errors,
                    int *nerrors)
{
    struct pki_client *ca;
    if (web_certs_ca(r, &ca))
        return 1;
    const char *profile = o ? o->profile : posted_profile(r);
    if (!profile)
        return http_error(r, 400, "bad-form", "Bad request", NULL), 1;
    struct pc_err err = {0};
    struct pki_holder h;
    int rc = holder_of(r, fin, &h, &err);
    if (rc)
        return web_fail(r, rc, &err), 1;
    h.service = o ? o->service : NULL;
    struct pki_cert cert;
    if (!p12) {
        const char *csr = http_kv_get(&r->form, "csr");
        if (!csr || !*csr || strlen(csr) > PKI_CSR_MAX) {
            errors[(*nerrors)++] = (struct web_field_error){"csr", web_t(r, M_CERTS_ERR_CSR)};
            return 0;
        }
        rc = pki_client_issue_csr(ca, &r->arena, who, profile, &h, csr, strlen(csr), channel, &cert, &err);
        if (rc == PC_EINVAL) {
            errors[(*nerrors)++] = (struct web_field_error){"csr", web_t(r, M_CERTS_ERR_CSR)};
            return 0;
        }
        if (rc)
            return web_fail(r, rc, &err), 1;
        if (request_done(r, who, fin, o, cert.serial))
            return 1;
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "%s?issued=%s", done_href, cert.serial)), 1;
    }
    const char *pw = http_kv_get(&r->form, "password"), *confirm = http_kv_get(&r->form, "confirm");
    size_t len = pw ? strlen(pw) : 0;
    if (len < PKI_P12_PASSWORD_MIN || len > PKI_P12_PASSWORD_MAX)
        errors[(*nerrors)++] = (struct web_field_error){"password", web_t(r, M_CERTS_ERR_PASSWORD)};
    else if (!pc_str_eq(pw, confirm))
        errors[(*nerrors)++] = (struct web_field_error){"confirm", web_t(r, M_ERR_PASSWORDS_DIFFER)};
    if (*nerrors)
        return 0;
    const unsigned char *der;
    size_t der_len;
    rc = pki_client_issue_p12(ca, &r->arena, who, profile, &h, PKI_KEY_P256, pw, channel, &cert, &der, &der_len, &err);
    if (rc)
        return web_fail(r, rc, &err), 1;
    if (request_done(r, who, fin, o, cert.serial))
        return 1;
    /* handed over now and never again: the key is not kept anywhere */
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, der, der_len);
    r->status = 200;
    r->content_type = "application/x-pkcs12";
    r->no_gzip = true;
    http_set_header(r, "Content-Disposition",
                    pc_arena_printf(&r->arena, "attachment; filename=\"%s-%s.p12\"", fin, cert.serial));
    return 1;
}

/* ---- the citizen's own pages ------------------------------------------------ */

/* The logged-in person's FİN when they may manage their certificates here
 * (their own citizen account); otherwise the answer is written. */
static const char *own_fin(struct http_req *r)
{
    const struct id_principal *who = web_who(r);
    struct id_resource res = {.fin = who && who->fin ? who->fin : "-"};
    return web_require(r, ID_ACT_MANAGE_OWN_CERTS, &res) ? who->fin : NULL;
}

#define OWN_BASE "/account/certificates"

/* A service's name in the page's language (its id if the catalogue has
 * none such). */
const char *web_certs_service_name(struct http_req *r, const char *service_id)
{
    struct cat_service s;
    return cat_get_service(app_of(r)->db, &r->arena, service_id, &s, NULL) == 0 ? pc_text_get(&s.name, web_lang_id(r))
                                                                              : service_id;
}

/* The free single-purpose certificates: what waits for the desk, and a
 * button to ask for each offered service not yet asked for. */
static void single_section(struct http_req *r, const struct id_single_request *w, size_t nw)
{
    web_html(r, "<h2 id=\"single\">%s</h2>\n<p>%s</p>\n", web_t(r, M_SINGLE_TITLE), web_t(r, M_SINGLE_LEAD));
    if (http_kv_get(&r->query, "asked"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_SINGLE_ASKED));
    for (size_t i = 0; i < nw; i++)
        web_html(r, "<p><span class=\"tag\">%s</span> %s</p>\n", web_t(r, M_SINGLE_WAITING),
                 web_certs_service_name(r, w[i].service_id));
    const char *sid;
    for (size_t k = 0; (sid = id_single_service_at(k)); k++) {
        bool asked = false;
        for (size_t i = 0; i < nw; i++)
            asked |= pc_str_eq(w[i].service_id, sid);
        if (asked)
            continue;
        web_html(r, "<form method=\"post\" action=\"" OWN_BASE "/single\" class=\"inline\">\n");
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"service\" value=\"%s\">\n<button type=\"submit\">%s</button>\n</form>\n",
                 sid, pc_arena_printf(&r->arena, web_t(r, M_SINGLE_ASK), web_certs_service_name(r, sid)));
    }
}

static int own_page(struct http_req *r, const struct web_field_error *errors, int n)
{
    const char *fin = own_fin(r);
    struct pki_client *ca;
    if (!fin || web_certs_ca(r, &ca))
        return 0;
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_HOLDER, fin);
    struct pki_cert *certs;
    size_t nc;
    struct pc_err err = {0};
    int rc = pki_client_list(ca, &r->arena, &who, fin, NULL, &certs, &nc, &err);
    struct id_single_request *waiting;
    size_t nw;
    if (!rc)
        rc = id_single_waiting(app_of(r)->db, &r->arena, fin, &waiting, &nw, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_form_title(r, web_t(r, M_CERTS_TITLE), n);
    web_error_summary(r, errors, n);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_CERTS_TITLE), web_t(r, M_CERTS_LEAD));
    if (http_kv_get(&r->query, "issued"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s <code>%s</code></p></div>\n", web_t(r, M_CERTS_ISSUED),
                 http_kv_get(&r->query, "issued"));
    if (http_kv_get(&r->query, "changed"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_CERTS_CHANGED));
    web_certs_table(r, certs, nc, OWN_BASE, WEB_CERTS_HOLDER);
    single_section(r, waiting, nw);
    web_certs_apply_forms(r, OWN_BASE, errors, n, NULL, NULL, 0);
    web_html(r, "<p><a href=\"/verify\">%s</a></p>\n", web_t(r, M_CERTS_VERIFY_LINK));
    web_page_end(r);
    return 0;
}

int web_page_certs(struct http_req *r)
{
    return own_page(r, NULL, 0);
}

static int own_issue(struct http_req *r, bool p12)
{
    const char *fin = own_fin(r);
    if (!fin)
        return 0;
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_HOLDER, fin);
    struct web_field_error errors[2];
    int n = 0;
    if (web_certs_issue(r, &who, fin, "online", p12, NULL, OWN_BASE, errors, &n))
        return 0;
    r->status = 400;
    return own_page(r, errors, n);
}

int web_page_certs_csr_post(struct http_req *r)
{
    return own_issue(r, false);
}

/* Asking for the free single-purpose certificate: the rule (a
 * code-password login, a service that offers one) is identity's. */
int web_page_certs_single_post(struct http_req *r)
{
    const char *fin = own_fin(r);
    if (!fin)
        return 0;
    struct id_single_request req;
    struct pc_err err = {0};
    int rc = id_single_request(app_of(r)->db, &r->arena, web_who(r), http_kv_get(&r->form, "service"), r->remote_addr,
                               &req, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, OWN_BASE "?asked=1#single");
}

int web_page_certs_p12_post(struct http_req *r)
{
    return own_issue(r, true);
}

/* Someone else's certificate is "not found", as web_require answers for
 * another person's object: no probing of serials. */
int web_certs_not_theirs(struct http_req *r)
{
    return http_error(r, 404, "not-found", "Page not found", NULL);
}

int web_certs_send_pem(struct http_req *r, const struct pki_actor *who, const char *fin, const char *serial)
{
    struct pki_client *ca;
    if (web_certs_ca(r, &ca))
        return 0;
    struct pki_cert c;
    struct pc_err err = {0};
    int rc = pki_client_get(ca, &r->arena, who, serial, &c, &err);
    if (rc == PC_EDENIED || (!rc && !pc_str_eq(c.fin, fin)))
        return web_certs_not_theirs(r);
    if (rc)
        return web_fail(r, rc, &err);
    r->no_gzip = true;
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"%s.pem\"", c.serial));
    return http_reply(r, 200, "application/x-pem-file", c.pem);
}

int web_page_cert_pem(struct http_req *r)
{
    const char *fin = own_fin(r);
    if (!fin)
        return 0;
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_HOLDER, fin);
    return web_certs_send_pem(r, &who, fin, http_param(r, 0));
}

/* suspend, resume, revoke: the centre checks that the certificate is the
 * holder's own (someone else's is "not found"). */
static int own_change(struct http_req *r, enum pki_status to)
{
    const char *fin = own_fin(r);
    struct pki_client *ca;
    if (!fin || web_certs_ca(r, &ca))
        return 0;
    int reason = 0;
    if (to == PKI_STATUS_REVOKED) {
        reason = pki_reason_parse(http_kv_get(&r->form, "reason"));
        if (reason < 0)
            return http_error(r, 400, "bad-form", "Bad request", NULL);
    }
    struct pki_actor who = web_certs_actor(r, PKI_ACTOR_HOLDER, fin);
    struct pki_cert out;
    struct pc_err err = {0};
    int rc = pki_client_change(ca, &r->arena, &who, http_param(r, 0), to, reason, &out, &err);
    if (rc == PC_EDENIED)
        return web_certs_not_theirs(r);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, OWN_BASE "?changed=1");
}

int web_page_cert_suspend_post(struct http_req *r)
{
    return own_change(r, PKI_STATUS_SUSPENDED);
}

int web_page_cert_revoke_post(struct http_req *r)
{
    return own_change(r, PKI_STATUS_REVOKED);
}

/* ---- statistics for the monitoring pages ------------------------------------ */

/* Certificates by holder category (state body, legal entity, citizen and
 * the centre's own): every one issued, and those valid now.  Counts only:
 * public like the catalogue's figures. */
int web_api_cert_stats(struct http_req *r)
{
    struct pki_client *ca;
    if (web_certs_ca(r, &ca))
        return 0;
    struct pki_stats st;
    struct pc_err err = {0};
    int rc = pki_client_stats(ca, &r->arena, &st, &err);
    if (rc)
        return web_fail(r, rc, &err);
    /* the shape of the centre's own answer (CaStatistics) */
    json_t *cats = json_object();
    for (int c = 0; c < PKI_CAT_COUNT; c++)
        json_object_set_new(cats, pki_category_name(c),
                            json_pack("{s:I, s:I}", "issued", (json_int_t)st.issued[c], "valid", (json_int_t)st.valid[c]));
    return web_reply_json(r, 200, json_pack("{s:o}", "categories", cats));
}
