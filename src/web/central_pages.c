/* central_pages.c — the central registry's operator pages: overview,
 * members, gateways, services, access rights, audit trail, and the forms
 * that change the registry.  Each form calls the same domain function as
 * `pencere central` (one code path); the page renders the typed view
 * (xr_central_view).  A refused change re-renders its page with the reason
 * and the status of the code; a change made goes back to it (303). */
#include "internal.h"
#include "central_ui.h"
#include "../audit/audit.h"

#include <string.h>

#define NAME_MAX_CHARS 200
#define PEM_MAX (16 << 10)
#define CHAIN_MAX (64 << 10)
#define URL_MAX 512
#define OPENAPI_MAX (1 << 20)
#define AUDIT_PAGE 50

const char *cui_when(struct http_req *r, int64_t t)
{
    char *s = pc_arena_alloc(&r->arena, 21);
    pc_rfc3339(t, s);
    return s;
}

/* The registry as it is now, or a failure answered. */
static bool view(struct http_req *r, struct xr_view *v)
{
    struct pc_err err = {0};
    int rc = xr_central_view(cui_central(r), &r->arena, v, &err);
    if (rc)
        web_fail(r, rc, &err);
    return rc == 0;
}

/* ---- reading forms: limits first, then the identifier's form ---- */

static const char *field(struct http_req *r, const char *name, size_t max, bool needed, enum msg label)
{
    const char *v = http_kv_get(&r->form, name);
    size_t n = v ? strlen(v) : 0;
    if ((needed && n == 0) || n > max) {
        struct cui_ctx *c = cui_ctx(r);
        if (!c->fail_msg) {
            r->status = 400;
            c->fail_msg = pc_arena_printf(&r->arena, "%s %s", cui_t(r, M_CUI_ERR_FIELD), cui_t(r, label));
        }
        return NULL;
    }
    return v ? v : "";
}

static bool id_field(struct http_req *r, const char *name, enum xr_id_kind kind, enum msg label, struct xr_id *out)
{
    const char *v = field(r, name, XR_ID_MAX, true, label);
    struct pc_err err = {0};
    if (!v)
        return false;
    if (!xr_id_parse_str(v, kind, out, &err))
        return true;
    struct cui_ctx *c = cui_ctx(r);
    if (!c->fail_msg) {
        r->status = 400;
        c->fail_msg = pc_arena_printf(&r->arena, "%s %s", cui_t(r, M_CUI_ERR_ID), cui_t(r, label));
        c->fail_detail = pc_arena_strdup(&r->arena, err.msg);
    }
    return false;
}

/* The outcome of a change: back to the page, or the page with why not. */
static int outcome(struct http_req *r, int rc, const struct pc_err *err, const char *page, int (*render)(struct http_req *))
{
    if (!rc)
        return cui_done(r, pc_arena_printf(&r->arena, "%s?done=1", page));
    cui_refused(r, rc, err);
    /* a 4xx the operator can correct: the page again, with why */
    return r->status < 500 && cui_ctx(r)->fail_msg ? render(r) : 0;
}

/* ---- small pieces of HTML ---- */

void cui_form_begin(struct http_req *r, const char *action, enum msg legend)
{
    web_html(r, "<form method=\"post\" action=\"%s\">\n<fieldset><legend>%s</legend>\n", action,
             cui_t(r, legend));
    cui_csrf_field(r);
}

void cui_form_end(struct http_req *r, enum msg button)
{
    web_html(r, "<button type=\"submit\">%s</button>\n</fieldset>\n</form>\n", cui_t(r, button));
}

/* A text input; id must be unique on the page, hint an example or NULL. */
void cui_input(struct http_req *r, const char *id, const char *name, enum msg label, int max, const char *hint)
{
    web_html(r, "<div class=\"field\"><label for=\"%s\">%s</label>", id, cui_t(r, label));
    if (hint)
        web_html(r, "<p class=\"hint\" id=\"%s-hint\">%s</p>", id,
                 pc_arena_printf(&r->arena, cui_t(r, M_CUI_ID_HINT), hint));
    web_html(r, "<input id=\"%s\" name=\"%s\" maxlength=\"%d\"%r%r></div>\n", id, name, max,
             hint ? pc_arena_printf(&r->arena, " aria-describedby=\"%s-hint\"", id) : "",
             pc_str_eq(name, "max_request") || pc_str_eq(name, "timeout_ms") ? " inputmode=\"numeric\"" : "");
}

static void textarea(struct http_req *r, const char *id, enum msg label, int rows)
{
    web_html(r, "<div class=\"field\"><label for=\"%s\">%s</label><textarea id=\"%s\" name=\"%s\" rows=\"%d\">"
                "</textarea></div>\n", id, cui_t(r, label), id, id, rows);
}

void cui_table_begin(struct http_req *r, enum msg caption, const enum msg *cols, size_t n)
{
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption>%s</caption>\n<thead><tr>", cui_t(r, caption), cui_t(r, caption));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<th scope=\"col\">%s</th>", cui_t(r, cols[i]));
    web_html(r, "</tr></thead>\n<tbody>\n");
}

void cui_table_end(struct http_req *r)
{
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

/* A list of identifiers, each with its link to remove it (what: the
 * removal's word; owner: the first identifier of a link, or NULL). */
static void list(struct http_req *r, const char *const *items, size_t n, const char *what, const char *owner)
{
    if (n == 0)
        return;
    web_html(r, "<ul>");
    for (size_t i = 0; i < n; i++) {
        web_html(r, "<li>%s", items[i]);
        cui_remove_link(r, what, owner ? owner : items[i], owner ? items[i] : NULL);
        web_html(r, "</li>");
    }
    web_html(r, "</ul>");
}

/* A row of an object (its id with its Remove link, a text) and the list
 * of what it holds (each with its own Remove link). */
static void holder_row(struct http_req *r, const char *id, enum xr_removal what, const char *text,
                       const char *const *items, size_t n, enum xr_removal items_what)
{
    web_html(r, "<tr><td>%s", id);
    cui_remove_link(r, xr_removal_name(what), id, NULL);
    web_html(r, "</td><td>%s</td><td>", text);
    list(r, items, n, xr_removal_name(items_what), xr_removal_has_of(items_what) ? id : NULL);
    web_html(r, "</td></tr>\n");
}

/* ---- overview ---- */

int cui_overview(struct http_req *r)
{
    struct xr_view v;
    if (!view(r, &v))
        return 0;
    size_t nsub = 0;
    for (size_t i = 0; i < v.nmembers; i++)
        nsub += v.members[i].nsubsystems;
    cui_page_begin(r, cui_t(r, M_CUI_OVERVIEW));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>", cui_t(r, M_CUI_INSTANCE), v.instance,
             cui_t(r, M_CUI_GCONF_VERSION));
    if (v.gconf_version)
        web_html(r, "%L</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s", (long long)v.gconf_version,
                 cui_t(r, M_CUI_GCONF_GENERATED), cui_when(r, v.gconf_generated), cui_t(r, M_CUI_GCONF_EXPIRES),
                 cui_when(r, v.gconf_expires));
    else
        web_html(r, "%s", cui_t(r, M_CUI_GCONF_NONE));
    web_html(r, "</dd>\n<dt>%s</dt><dd>%d</dd>\n<dt>%s</dt><dd>%L</dd>\n<dt>%s</dt><dd>%s %s</dd>\n</dl>\n",
             cui_t(r, M_CUI_VALIDITY), v.validity, cui_t(r, M_CUI_EPOCH), (long long)v.epoch, cui_t(r, M_CUI_CA),
             *v.ca_name ? v.ca_name : cui_t(r, M_CUI_NONE), v.ocsp_url);
    static const enum msg cols[] = {M_CUI_MEMBERS, M_CUI_SUBSYSTEMS, M_CUI_GATEWAYS, M_CUI_SERVICES, M_CUI_GROUPS,
                                    M_CUI_RIGHTS};
    cui_table_begin(r, M_CUI_COUNTS, cols, sizeof cols / sizeof cols[0]);
    web_html(r, "<tr><td>%L</td><td>%L</td><td>%L</td><td>%L</td><td>%L</td><td>%L</td></tr>\n",
             (long long)v.nmembers, (long long)nsub, (long long)v.ngateways, (long long)v.nservices,
             (long long)v.ngroups, (long long)v.nrights);
    cui_table_end(r);
    web_html(r, "<form method=\"post\" action=\"/publish\">\n<p>%s</p>\n",
             cui_t(r, M_CUI_PUBLISH_LEAD));
    cui_csrf_field(r);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", cui_t(r, M_CUI_PUBLISH));
    cui_form_begin(r, "/ca", M_CUI_PUT_CA);
    cui_input(r, "ca-name", "name", M_CUI_CA_NAME, NAME_MAX_CHARS, NULL);
    textarea(r, "chain", M_CUI_CA_CHAIN, 8);
    cui_input(r, "ca-ocsp", "ocsp", M_CUI_OCSP, URL_MAX, "https://ca.example/ca/ocsp");
    cui_input(r, "ca-tsa", "tsa", M_CUI_TSA, URL_MAX, "https://ca.example/ca/tsa");
    cui_form_end(r, M_CUI_SAVE);
    cui_page_end(r);
    return 0;
}

int cui_post_ca(struct http_req *r)
{
    struct pc_err err = {0};
    struct xr_ca_rec ca = {field(r, "name", NAME_MAX_CHARS, true, M_CUI_CA_NAME),
                           field(r, "chain", CHAIN_MAX, true, M_CUI_CA_CHAIN),
                           field(r, "ocsp", URL_MAX, true, M_CUI_OCSP), field(r, "tsa", URL_MAX, true, M_CUI_TSA)};
    if (!ca.name || !ca.chain_pem || !ca.ocsp_url || !ca.tsa_url)
        return cui_overview(r);
    int rc = xr_central_put_ca(cui_central(r), cui_actor(r), &ca, &err);
    return outcome(r, rc, &err, "/", cui_overview);
}

int cui_post_publish(struct http_req *r)
{
    struct pc_err err = {0};
    int64_t version = 0;
    int rc = xr_central_publish(cui_central(r), cui_actor(r), &version, &err);
    if (rc)
        return cui_refused(r, rc, &err);
    return cui_done(r, "/?done=publish");
}

/* ---- members and subsystems ---- */

int cui_members(struct http_req *r)
{
    struct xr_view v;
    if (!view(r, &v))
        return 0;
    cui_page_begin(r, cui_t(r, M_CUI_MEMBERS));
    static const enum msg cols[] = {M_CUI_ID, M_CUI_NAME, M_CUI_SUBSYSTEMS};
    if (v.nmembers == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_MEMBERS, cols, 3);
        for (size_t i = 0; i < v.nmembers; i++) {
            holder_row(r, v.members[i].id, XR_RM_MEMBER, v.members[i].name, v.members[i].subsystems,
                       v.members[i].nsubsystems, XR_RM_SUBSYSTEM);
        }
        cui_table_end(r);
    }
    cui_form_begin(r, "/members", M_CUI_ADD_MEMBER);
    cui_input(r, "member-id", "id", M_CUI_ID, XR_ID_MAX, pc_arena_printf(&r->arena, "%s/GOV/1400000001", v.instance));
    cui_input(r, "member-name", "name", M_CUI_NAME, NAME_MAX_CHARS, NULL);
    cui_form_end(r, M_CUI_ADD);
    cui_form_begin(r, "/subsystems", M_CUI_ADD_SUBSYSTEM);
    cui_input(r, "subsystem-id", "id", M_CUI_ID, XR_ID_MAX,
              pc_arena_printf(&r->arena, "%s/GOV/1400000001/population", v.instance));
    cui_form_end(r, M_CUI_ADD);
    cui_page_end(r);
    return 0;
}

int cui_post_member(struct http_req *r)
{
    struct xr_id id;
    struct pc_err err = {0};
    const char *name = field(r, "name", NAME_MAX_CHARS, true, M_CUI_NAME);
    if (!id_field(r, "id", XR_ID_MEMBER, M_CUI_ID, &id) || !name)
        return cui_members(r);
    int rc = xr_central_add_member(cui_central(r), cui_actor(r), &id, name, &err);
    return outcome(r, rc, &err, "/members", cui_members);
}

int cui_post_subsystem(struct http_req *r)
{
    struct xr_id id;
    struct pc_err err = {0};
    if (!id_field(r, "id", XR_ID_SUBSYSTEM, M_CUI_ID, &id))
        return cui_members(r);
    int rc = xr_central_add_subsystem(cui_central(r), cui_actor(r), &id, &err);
    return outcome(r, rc, &err, "/members", cui_members);
}

/* ---- gateways ---- */

int cui_gateways(struct http_req *r)
{
    struct xr_view v;
    if (!view(r, &v))
        return 0;
    cui_page_begin(r, cui_t(r, M_CUI_GATEWAYS));
    static const enum msg cols[] = {M_CUI_ID, M_CUI_ADDRESS, M_CUI_CLIENTS, M_CUI_CERT};
    if (v.ngateways == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_GATEWAYS, cols, 4);
        for (size_t i = 0; i < v.ngateways; i++) {
            const struct xr_view_gateway *g = &v.gateways[i];
            web_html(r, "<tr><td>%s", g->id);
            cui_remove_link(r, xr_removal_name(XR_RM_GATEWAY), g->id, NULL);
            web_html(r, "</td><td>%s</td><td>", g->address);
            list(r, g->clients, g->nclients, xr_removal_name(XR_RM_GATEWAY_CLIENT), g->id);
            web_html(r, "</td><td><dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd><code>%s</code></dd>"
                        "<dt>%s</dt><dd>%s – %s</dd><dt>%s</dt><dd><code class=\"fingerprint\">%s</code></dd></dl>"
                        "</td></tr>\n",
                     cui_t(r, M_CUI_SUBJECT), g->subject, cui_t(r, M_CUI_SERIAL), g->serial, cui_t(r, M_CUI_VALID),
                     cui_when(r, g->not_before), cui_when(r, g->not_after), cui_t(r, M_CUI_FINGERPRINT),
                     g->fingerprint);
        }
        cui_table_end(r);
    }
    cui_form_begin(r, "/gateways", M_CUI_PUT_GATEWAY);
    cui_input(r, "gateway-id", "id", M_CUI_ID, XR_ID_MAX,
              pc_arena_printf(&r->arena, "%s/GOV/1400000001/gw2", v.instance));
    cui_input(r, "gateway-address", "address", M_CUI_ADDRESS, 512, "https://gw2.example:8443");
    textarea(r, "cert", M_CUI_CERT_PEM, 8);
    cui_form_end(r, M_CUI_SAVE);
    cui_form_begin(r, "/gateway-clients", M_CUI_GATEWAY_CLIENT);
    cui_input(r, "gc-gateway", "gateway", M_CUI_GATEWAY, XR_ID_MAX, NULL);
    cui_input(r, "gc-client", "client", M_CUI_SUBSYSTEM, XR_ID_MAX, NULL);
    cui_form_end(r, M_CUI_ADD);
    cui_page_end(r);
    return 0;
}

int cui_post_gateway(struct http_req *r)
{
    struct xr_id id;
    struct pc_err err = {0};
    const char *address = field(r, "address", 512, true, M_CUI_ADDRESS);
    const char *pem = field(r, "cert", PEM_MAX, true, M_CUI_CERT_PEM);
    if (!id_field(r, "id", XR_ID_GATEWAY, M_CUI_ID, &id) || !address || !pem)
        return cui_gateways(r);
    int rc = xr_central_put_gateway(cui_central(r), cui_actor(r), &id, address, pem, &err);
    return outcome(r, rc, &err, "/gateways", cui_gateways);
}

int cui_post_gateway_client(struct http_req *r)
{
    struct xr_id gw, sub;
    struct pc_err err = {0};
    if (!id_field(r, "gateway", XR_ID_GATEWAY, M_CUI_GATEWAY, &gw) ||
        !id_field(r, "client", XR_ID_SUBSYSTEM, M_CUI_SUBSYSTEM, &sub))
        return cui_gateways(r);
    int rc = xr_central_gateway_client(cui_central(r), cui_actor(r), &gw, &sub, &err);
    return outcome(r, rc, &err, "/gateways", cui_gateways);
}

/* ---- services ---- */

int cui_services(struct http_req *r)
{
    struct xr_view v;
    if (!view(r, &v))
        return 0;
    cui_page_begin(r, cui_t(r, M_CUI_SERVICES));
    static const enum msg cols[] = {M_CUI_ID, M_CUI_VERSION, M_CUI_TITLE, M_CUI_KIND, M_CUI_MAX_REQUEST,
                                    M_CUI_TIMEOUT, M_CUI_OPENAPI};
    if (v.nservices == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_SERVICES, cols, sizeof cols / sizeof cols[0]);
        for (size_t i = 0; i < v.nservices; i++) {
            const struct xr_view_service *s = &v.services[i];
            web_html(r, "<tr><td>%s", s->id);
            cui_remove_link(r, xr_removal_name(XR_RM_SERVICE), s->id, NULL);
            web_html(r, "</td><td>%s</td><td>%s</td><td>%s</td><td>%L</td><td>%d</td><td>", s->version, s->title,
                     cui_t(r, pc_str_eq(s->kind, "document") ? M_CUI_KIND_DOCUMENT : M_CUI_KIND_QUERY),
                     (long long)s->max_request, s->timeout_ms);
            if (s->has_openapi)
                web_html(r, "<a href=\"/openapi?id=%q\">%s</a>", s->id, cui_t(r, M_CUI_OPENAPI));
            web_html(r, "</td></tr>\n");
        }
        cui_table_end(r);
    }
    cui_form_begin(r, "/services", M_CUI_PUT_SERVICE);
    cui_input(r, "service-id", "id", M_CUI_ID, XR_ID_MAX,
              pc_arena_printf(&r->arena, "%s/GOV/1400000001/population/person", v.instance));
    cui_input(r, "service-version", "version", M_CUI_VERSION, 32, "v1");
    cui_input(r, "service-title", "title", M_CUI_TITLE, NAME_MAX_CHARS, NULL);
    web_html(r, "<div class=\"field\"><label for=\"service-kind\">%s</label><select id=\"service-kind\" name=\"kind\">"
                "<option value=\"query\">%s</option><option value=\"document\">%s</option></select></div>\n",
             cui_t(r, M_CUI_KIND), cui_t(r, M_CUI_KIND_QUERY), cui_t(r, M_CUI_KIND_DOCUMENT));
    cui_input(r, "service-max", "max_request", M_CUI_MAX_REQUEST, 10, NULL);
    cui_input(r, "service-timeout", "timeout_ms", M_CUI_TIMEOUT, 6, NULL);
    textarea(r, "openapi", M_CUI_OPENAPI_TEXT, 6);
    cui_form_end(r, M_CUI_SAVE);
    cui_page_end(r);
    return 0;
}

/* A number field: empty is def; otherwise an integer in [0, max]. */
static bool number(struct http_req *r, const char *name, long long max, long long def, enum msg label,
                   long long *out)
{
    const char *v = field(r, name, 12, false, label);
    *out = def;
    if (!v)
        return false;
    if (!*v || pc_parse_int(v, 0, max, out) == 0)
        return true;
    struct cui_ctx *c = cui_ctx(r);
    if (!c->fail_msg) {
        r->status = 400;
        c->fail_msg = pc_arena_printf(&r->arena, "%s %s", cui_t(r, M_CUI_ERR_INVALID), cui_t(r, label));
    }
    return false;
}

int cui_post_service(struct http_req *r)
{
    struct xr_service_rec s = {0};
    struct pc_err err = {0};
    long long maxreq, tmo;
    s.version = field(r, "version", 32, true, M_CUI_VERSION);
    s.title = field(r, "title", NAME_MAX_CHARS, true, M_CUI_TITLE);
    s.kind = field(r, "kind", 16, true, M_CUI_KIND);
    s.openapi = field(r, "openapi", OPENAPI_MAX, false, M_CUI_OPENAPI);
    /* both read before either is judged: each wrong field shows its error */
    bool max_ok = number(r, "max_request", INT32_MAX, 0, M_CUI_MAX_REQUEST, &maxreq);
    bool tmo_ok = number(r, "timeout_ms", 600000, 30000, M_CUI_TIMEOUT, &tmo);
    bool ok = max_ok && tmo_ok;
    if (!id_field(r, "id", XR_ID_SERVICE, M_CUI_ID, &s.id) || !ok || !s.version || !s.title || !s.kind || !s.openapi)
        return cui_services(r);
    if (!*s.openapi)
        s.openapi = NULL;
    s.max_request = maxreq; /* 0: the kind's default (10 KB for a query) */
    s.timeout_ms = (int)tmo;
    int rc = xr_central_put_service(cui_central(r), cui_actor(r), &s, &err);
    return outcome(r, rc, &err, "/services", cui_services);
}

int cui_openapi(struct http_req *r)
{
    struct pc_err err = {0};
    const char *id = http_kv_get(&r->query, "id"), *text;
    if (!id || strlen(id) > XR_ID_MAX)
        return http_error(r, 404, "not-found", "Not found", NULL);
    int rc = xr_central_openapi(cui_central(r), &r->arena, id, &text, &err);
    if (rc)
        return web_fail(r, rc, &err);
    /* shown as text, never run as a page of this site */
    return http_reply(r, 200, "text/plain; charset=utf-8", text);
}

/* ---- access rights and global groups ---- */

int cui_access(struct http_req *r)
{
    struct xr_view v;
    if (!view(r, &v))
        return 0;
    cui_page_begin(r, cui_t(r, M_CUI_ACCESS));
    static const enum msg rcols[] = {M_CUI_SERVICE, M_CUI_RIGHT_SUBJECT, M_CUI_REVOKE};
    if (v.nrights == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_RIGHTS, rcols, 3);
        for (size_t i = 0; i < v.nrights; i++) {
            const struct xr_view_right *g = &v.rights[i];
            web_html(r, "<tr><td>%s</td><td>%s</td><td>", g->service, g->subject);
            cui_remove_link(r, "right", g->service, g->subject);
            web_html(r, "</td></tr>\n");
        }
        cui_table_end(r);
    }
    cui_form_begin(r, "/grants", M_CUI_GRANT);
    cui_input(r, "grant-service", "service", M_CUI_SERVICE, XR_ID_MAX, NULL);
    cui_input(r, "grant-subject", "subject", M_CUI_RIGHT_SUBJECT, XR_ID_MAX,
              pc_arena_printf(&r->arena, "%s/GOV/1500000002/portal", v.instance));
    cui_form_end(r, M_CUI_GRANT);
    web_html(r, "<h2>%s</h2>\n", cui_t(r, M_CUI_GROUPS));
    static const enum msg gcols[] = {M_CUI_ID, M_CUI_DESCRIPTION, M_CUI_GROUP_MEMBERS};
    if (v.ngroups == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_GROUPS, gcols, 3);
        for (size_t i = 0; i < v.ngroups; i++) {
            holder_row(r, v.groups[i].id, XR_RM_GROUP, v.groups[i].description, v.groups[i].members,
                       v.groups[i].nmembers, XR_RM_GROUP_MEMBER);
        }
        cui_table_end(r);
    }
    cui_form_begin(r, "/groups", M_CUI_ADD_GROUP);
    cui_input(r, "group-id", "id", M_CUI_ID, XR_ID_MAX, pc_arena_printf(&r->arena, "%s/portals", v.instance));
    cui_input(r, "group-description", "description", M_CUI_DESCRIPTION, NAME_MAX_CHARS, NULL);
    cui_form_end(r, M_CUI_ADD);
    cui_form_begin(r, "/group-members", M_CUI_ADD_GROUP_MEMBER);
    cui_input(r, "gm-group", "group", M_CUI_GROUP, XR_ID_MAX, NULL);
    cui_input(r, "gm-client", "client", M_CUI_CLIENT, XR_ID_MAX, NULL);
    cui_form_end(r, M_CUI_ADD);
    cui_page_end(r);
    return 0;
}

static int access_change(struct http_req *r, bool revoke)
{
    struct xr_id svc, subject;
    struct pc_err err = {0};
    const char *s = field(r, "subject", XR_ID_MAX, true, M_CUI_RIGHT_SUBJECT);
    if (!id_field(r, "service", XR_ID_SERVICE, M_CUI_SERVICE, &svc) || !s)
        return cui_access(r);
    if (xr_id_parse_subject(s, &subject, &err)) {
        r->status = 400;
        cui_ctx(r)->fail_msg = pc_arena_printf(&r->arena, "%s %s", cui_t(r, M_CUI_ERR_ID),
                                               cui_t(r, M_CUI_RIGHT_SUBJECT));
        cui_ctx(r)->fail_detail = pc_arena_strdup(&r->arena, err.msg);
        return cui_access(r);
    }
    int rc = xr_central_grant(cui_central(r), cui_actor(r), &svc, &subject, revoke, &err);
    return outcome(r, rc, &err, "/access", cui_access);
}

int cui_post_grant(struct http_req *r)
{
    return access_change(r, false);
}

int cui_post_revoke(struct http_req *r)
{
    return access_change(r, true);
}

int cui_post_group(struct http_req *r)
{
    struct xr_id id;
    struct pc_err err = {0};
    const char *d = field(r, "description", NAME_MAX_CHARS, false, M_CUI_DESCRIPTION);
    if (!id_field(r, "id", XR_ID_GROUP, M_CUI_ID, &id) || !d)
        return cui_access(r);
    int rc = xr_central_add_group(cui_central(r), cui_actor(r), &id, d, &err);
    return outcome(r, rc, &err, "/access", cui_access);
}

int cui_post_group_member(struct http_req *r)
{
    struct xr_id g, client;
    struct pc_err err = {0};
    if (!id_field(r, "group", XR_ID_GROUP, M_CUI_GROUP, &g) ||
        !id_field(r, "client", XR_ID_CLIENT, M_CUI_CLIENT, &client))
        return cui_access(r);
    int rc = xr_central_group_member(cui_central(r), cui_actor(r), &g, &client, &err);
    return outcome(r, rc, &err, "/access", cui_access);
}

/* ---- the audit trail ---- */

int cui_audit(struct http_req *r)
{
    long long before = 0;
    const char *b = http_kv_get(&r->query, "before");
    if (b && pc_parse_int(b, 1, INT64_MAX, &before))
        return http_error(r, 400, "bad-parameter", "Bad request", "before must be an entry number");
    struct pc_err err = {0};
    struct audit_row *rows;
    size_t n = 0;
    bool more = false;
    int rc = audit_list(xr_central_db(cui_central(r)), &r->arena, before, AUDIT_PAGE, &rows, &n, &more, &err);
    if (rc)
        return web_fail(r, rc, &err);
    cui_page_begin(r, cui_t(r, M_CUI_AUDIT));
    static const enum msg cols[] = {M_CUI_WHEN, M_CUI_WHO, M_CUI_WHAT, M_CUI_OBJECT};
    if (n == 0)
        web_html(r, "<p>%s</p>\n", cui_t(r, M_CUI_NONE));
    else {
        cui_table_begin(r, M_CUI_AUDIT, cols, 4);
        for (size_t i = 0; i < n; i++) {
            const struct audit_entry *e = &rows[i].e;
            web_html(r, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s %s", rows[i].at, e->actor, e->action,
                     e->object_type, e->object_id);
            if (e->detail && *e->detail)
                web_html(r, " — %s", e->detail);
            web_html(r, "</td></tr>\n");
        }
        cui_table_end(r);
        if (more)
            web_html(r, "<nav class=\"pagination\" aria-label=\"%s\"><ul><li><a href=\"/audit?before=%L\">%s</a>"
                        "</li></ul></nav>\n", cui_t(r, M_PAGINATION), (long long)rows[n - 1].seq,
                     cui_t(r, M_CUI_OLDER));
    }
    cui_page_end(r);
    return 0;
}
