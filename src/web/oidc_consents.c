/* oidc_consents.c — "Sites you let in": the agencies' sites a person has
 * allowed to sign them in (and what each may know), with a button to
 * withdraw each consent.  src/oidc keeps and forgets them. */
#include "internal.h"
#include "../oidc/oidc.h"

static void consent_row(struct http_req *r, const struct oidc_consent *c)
{
    const char *site = pc_text_get(&c->client.name, web_lang_id(r));
    char ts[21];
    pc_rfc3339(c->granted_at, ts);
    web_html(r, "<tr><td>%s</td><td><ul class=\"claims\">", site);
    struct oidc_pending as_asked = {.client = c->client, .scopes = c->scopes};
    enum oidc_claim claims[OIDC_CLAIM_COUNT];
    size_t n = oidc_claims_of(&as_asked, claims);
    for (size_t i = 0; i < n; i++)
        web_html(r, "<li>%s</li>", web_oidc_claim_text(r, claims[i]));
    web_html(r, "</ul></td><td><time datetime=\"%s\">%.10s</time></td><td>"
                "<form method=\"post\" action=\"/account/sites/%s/withdraw\">",
             ts, ts, c->client.id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"warning\">%s<span class=\"visually-hidden\"> — %s</span></button>"
                "</form></td></tr>\n",
             web_t(r, M_OIDC_SITES_WITHDRAW), site);
}

int web_page_oidc_consents(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct oidc_consent *list = NULL;
    size_t n = 0;
    struct pc_err err = {0};
    int rc = app_of(r)->oidc ? oidc_consent_list(app_of(r)->oidc, &r->arena, web_who(r)->account_id, &list, &n, &err)
                             : 0;
    if (rc)
        return web_fail(r, rc, &err);
    const char *title = web_t(r, M_OIDC_SITES_TITLE);
    web_page_begin(r, title);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", title, web_t(r, M_OIDC_SITES_LEAD));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_OIDC_SITES_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\"><span class=\"visually-hidden\">%s</span></th></tr></thead>\n<tbody>\n",
                 title, title, web_t(r, M_OIDC_COL_SITE), web_t(r, M_OIDC_SITES_KNOWS), web_t(r, M_OIDC_SITES_SINCE),
                 web_t(r, M_OIDC_SITES_WITHDRAW));
        for (size_t i = 0; i < n; i++)
            consent_row(r, &list[i]);
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    web_page_end(r);
    return 0;
}

int web_page_oidc_consent_withdraw(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    if (!app_of(r)->oidc)
        return http_error(r, 404, "not-found", "Not found", "OpenID Connect is not enabled on this portal.");
    struct pc_err err = {0};
    int rc = oidc_consent_withdraw(app_of(r)->oidc, web_who(r), http_param(r, 0), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/account/sites");
}
