/* ecert_pages.c — the person's e-certificates ("arayış") in the portal:
 * each kind with what it states and a button that orders it, the list of
 * their certificates with the verification code, the state, the PDF's
 * download and revocation.  Plain forms: no JavaScript. */
#include "internal.h"

#define OWN_BASE "/account/e-certificates"

static const enum msg shows_msgs[ECERT_KIND_COUNT] = {
    [ECERT_ADDRESS] = M_ECERT_SHOWS_ADDRESS, [ECERT_EMPLOYMENT] = M_ECERT_SHOWS_EMPLOYMENT,
    [ECERT_INCOME] = M_ECERT_SHOWS_INCOME, [ECERT_TAXPAYER] = M_ECERT_SHOWS_TAXPAYER};

static void when(struct http_req *r, int64_t t)
{
    char ts[21];
    pc_rfc3339(t, ts);
    web_html(r, "<time datetime=\"%s\">%s</time>", ts, pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11));
}

static void kinds(struct http_req *r)
{
    web_html(r, "<h2>%s</h2>\n<ul class=\"cards\">\n", web_t(r, M_ECERT_ORDER_TITLE));
    for (int k = 0; k < ECERT_KIND_COUNT; k++) {
        web_html(r, "<li class=\"card\"><h3>%s</h3>\n<p>%s</p>\n<form method=\"post\" action=\"" OWN_BASE "\">\n",
                 web_t(r, web_ecert_kind_msgs[k]), web_t(r, shows_msgs[k]));
        web_csrf_field(r);
        web_html(r, "<input type=\"hidden\" name=\"kind\" value=\"%s\">\n<button type=\"submit\" "
                    "aria-label=\"%s: %s\">%s</button>\n</form></li>\n",
                 ecert_kind_name((enum ecert_kind)k), web_t(r, M_ECERT_ORDER), web_t(r, web_ecert_kind_msgs[k]),
                 web_t(r, M_ECERT_ORDER));
    }
    web_html(r, "</ul>\n");
}

static void table(struct http_req *r, const struct ecert *list, size_t n)
{
    web_html(r, "<h2 id=\"mine\">%s</h2>\n", web_t(r, M_ECERT_MINE));
    if (!n) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_ECERT_NONE));
        return;
    }
    web_html(r, "<div class=\"table-wrap\"><table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_ECERT_MINE), web_t(r, M_ECERT_COL_KIND), web_t(r, M_ECERT_COL_ISSUED), web_t(r, M_ECERT_CODE),
             web_t(r, M_ECERT_COL_STATE), web_t(r, M_ECERT_COL_ACTIONS));
    for (size_t i = 0; i < n; i++) {
        const struct ecert *e = &list[i];
        web_html(r, "<tr><td>%s<br><span class=\"hint\">%s</span></td><td>", web_t(r, web_ecert_kind_msgs[e->kind]),
                 e->id);
        when(r, e->issued_at);
        web_html(r, "</td><td><a class=\"ref\" href=\"%s\">%s</a></td><td><span class=\"tag\">%s</span></td><td>"
                    "<a href=\"" OWN_BASE "/%s/pdf\" download=\"%s.pdf\">%s</a>\n",
                 web_ecert_verify_url(r, e->code), e->code, web_t(r, web_ecert_state_msgs[e->state]), e->id, e->id,
                 web_t(r, M_ECERT_DOWNLOAD));
        if (e->state == ECERT_VALID) {
            web_html(r, "<form method=\"post\" action=\"/e-certificates/%s/revoke\" class=\"inline\">\n", e->id);
            web_csrf_field(r);
            web_html(r, "<button type=\"submit\" class=\"warning\" aria-label=\"%s: %s\">%s</button>\n</form>\n",
                     web_t(r, M_ECERT_REVOKE), e->id, web_t(r, M_ECERT_REVOKE));
        }
        web_html(r, "</td></tr>\n");
    }
    web_html(r, "</tbody>\n</table></div>\n<p class=\"hint\">%s</p>\n", web_t(r, M_ECERT_SHARE_HINT));
}

int web_page_ecerts(struct http_req *r)
{
    struct ecert *list;
    size_t n;
    if (web_ecert_mine(r, &list, &n))
        return 0;
    web_page_begin(r, web_t(r, M_ECERT_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_ECERT_TITLE), web_t(r, M_ECERT_LEAD));
    const char *issued = http_kv_get(&r->query, "issued");
    for (size_t i = 0; issued && i < n; i++)
        if (pc_str_eq(list[i].id, issued))
            web_html(r, "<div class=\"notice\" role=\"status\"><p>%s <a href=\"" OWN_BASE "/%s/pdf\" download=\"%s.pdf\">"
                        "%s</a></p></div>\n",
                     web_t(r, M_ECERT_ISSUED), list[i].id, list[i].id, web_t(r, M_ECERT_DOWNLOAD));
    if (http_kv_get(&r->query, "revoked"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_ECERT_REVOKED_DONE));
    kinds(r);
    table(r, list, n);
    web_page_end(r);
    return 0;
}

int web_page_ecerts_post(struct http_req *r)
{
    if (!web_ecert_owner(r))
        return 0;
    int kind = ecert_kind_parse(http_kv_get(&r->form, "kind"));
    if (kind < 0)
        return http_error(r, 400, "bad-parameter", "Bad request", "no such kind of e-certificate");
    struct ecert e;
    struct pc_err err = {0};
    int rc = web_ecert_issue(r, (enum ecert_kind)kind, &e, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, OWN_BASE "?issued=%s#mine", e.id));
}

int web_ecert_pdf(struct http_req *r)
{
    struct ecert e;
    if (web_ecert_visible(r, http_param(r, 0), &e))
        return 0;
    return web_ecert_send_pdf(r, &e);
}

/* The owner's revocation (from their list) or the issuing agency's (from
 * the verification page); back where each came from. */
int web_page_ecert_revoke_post(struct http_req *r)
{
    struct ecert e;
    if (web_ecert_revoke(r, &e))
        return 0;
    struct id_resource own = {.fin = e.fin};
    if (id_authorize(web_who(r), ID_ACT_ECERT_OWN, &own))
        return http_redirect(r, 303, OWN_BASE "?revoked=1#mine");
    return http_redirect(r, 303, pc_arena_printf(&r->arena, ECERT_VERIFY_PATH "?code=%s", e.code));
}
