/* oidc_clients.c — the portal operator's screen of agencies' sites that
 * sign people in through the portal: the list, registering one (its
 * secret shown once), disabling one.  src/oidc checks every field. */
#include "internal.h"
#include "../oidc/oidc.h"

#include <string.h>

/* The non-empty lines of a textarea, at most max (*over: there were more). */
static size_t lines_of(struct http_req *r, const char *text, const char **out, size_t max, bool *over)
{
    size_t n = 0;
    *over = false;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\r\n");
        const char *s = p, *e = p + len;
        while (s < e && *s == ' ')
            s++;
        while (e > s && e[-1] == ' ')
            e--;
        if (e > s) {
            if (n == max)
                *over = true;
            else
                out[n++] = pc_arena_strndup(&r->arena, s, (size_t)(e - s));
        }
        p += len;
        p += strspn(p, "\r\n");
    }
    return n;
}

/* The form field of the site's name in one language: "name_az", … */
static const char *name_field(struct http_req *r, enum pc_lang l)
{
    return pc_arena_printf(&r->arena, "name_%s", pc_lang_code(l));
}

/* A textarea like web_text_field's inputs: hint, error message, state. */
static void textarea(struct http_req *r, const char *id, enum msg label, enum msg hint, const char *value,
                     const struct web_field_error *e, int nerr)
{
    const char *err = nerr && pc_str_eq(e->field, id) ? e->message : NULL;
    web_html(r, "<div class=\"field%r\">\n<label for=\"%s\">%s</label>\n<p class=\"hint\" id=\"%s-hint\">%s</p>\n",
             err ? " field-error" : "", id, web_t(r, label), id, web_t(r, hint));
    if (err)
        web_html(r, "<p class=\"error-message\" id=\"%s-error\">%s</p>\n", id, err);
    web_html(r, "<textarea class=\"input\" id=\"%s\" name=\"%s\" rows=\"3\" aria-describedby=\"%s-hint%s%r\"%r>%s"
                "</textarea>\n</div>\n",
             id, id, id, err ? " " : "", err ? pc_arena_printf(&r->arena, "%s-error", id) : "",
             err ? " aria-invalid=\"true\"" : "", value ? value : "");
}

static void checkbox(struct http_req *r, const char *id, enum msg label, bool checked)
{
    web_html(r, "<div class=\"field checkbox\">\n<input type=\"checkbox\" id=\"%s\" name=\"%s\" value=\"1\"%r>\n"
                "<label for=\"%s\">%s</label>\n</div>\n",
             id, id, checked ? " checked" : "", id, web_t(r, label));
}

static void client_row(struct http_req *r, const struct oidc_client *c)
{
    web_html(r, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>", c->id,
             pc_text_get(&c->name, web_lang_id(r)),
             web_t(r, c->confidential ? M_OIDC_TYPE_CONFIDENTIAL : M_OIDC_TYPE_PUBLIC),
             web_t(r, c->subject == OIDC_SUB_PAIRWISE ? M_OIDC_SUB_PAIRWISE : M_OIDC_SUB_PUBLIC));
    for (size_t i = 0; i < c->nredirect; i++)
        web_html(r, "%r<code>%s</code>", i ? "<br>" : "", c->redirect_uris[i]);
    web_html(r, "</td><td>");
    if (c->disabled) {
        web_html(r, "%s", web_t(r, M_OIDC_DISABLED));
    } else {
        web_html(r, "<form method=\"post\" action=\"/operator/oidc-clients/%s/disable\">", c->id);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"warning\">%s<span class=\"visually-hidden\"> — %s</span></button>"
                    "</form>",
                 web_t(r, M_OIDC_DISABLE), c->id);
    }
    web_html(r, "</td></tr>\n");
}

/* The field of the form a refusal points at, and what to say. */
static struct web_field_error field_error(struct http_req *r, const struct oidc_client_problem *p)
{
    switch (p->field) {
    case OIDC_FIELD_AGENCY:
        return (struct web_field_error){"agency", web_t(r, M_OIDC_F_BAD_AGENCY)};
    case OIDC_FIELD_REDIRECT_URIS:
        return (struct web_field_error){"redirect_uris", web_t(r, M_OIDC_F_BAD_URIS)};
    case OIDC_FIELD_POST_LOGOUT_URIS:
        return (struct web_field_error){"post_logout_uris", web_t(r, M_OIDC_F_BAD_URIS)};
    case OIDC_FIELD_BACKCHANNEL_URI:
        return (struct web_field_error){"backchannel_logout_uri", web_t(r, M_OIDC_F_BAD_URIS)};
    case OIDC_FIELD_NAME:
        return (struct web_field_error){name_field(r, p->lang), web_t(r, M_OIDC_F_BAD_NAME)};
    case OIDC_FIELD_ID:
    case OIDC_FIELD_NONE:
        break;
    }
    return (struct web_field_error){name_field(r, PC_LANG_AZ), web_t(r, M_OIDC_F_INVALID)};
}

/* The list and the form (bad: the form sent back with what was typed,
 * and the field refused). */
static int clients_page(struct http_req *r, const struct oidc_client_problem *bad)
{
    struct oidc_client *list;
    size_t n = 0;
    struct cat_agency *agencies;
    size_t na = 0;
    struct pc_err err = {0};
    int rc = oidc_client_list(app_of(r)->db, &r->arena, &list, &n, &err);
    if (!rc)
        rc = cat_list_agencies(app_of(r)->db, &r->arena, &agencies, &na, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct web_field_error e = bad ? field_error(r, bad) : (struct web_field_error){0};
    int nerr = bad != NULL;
    if (bad)
        r->status = 400;
    web_form_title(r, web_t(r, M_OIDC_CLIENTS_TITLE), nerr);
    web_error_summary(r, &e, nerr);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_OIDC_CLIENTS_TITLE), web_t(r, M_OIDC_CLIENTS_LEAD));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_OIDC_CLIENTS_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n"
                    "<table class=\"table\">\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\"><span class=\"visually-hidden\">%s</span></th></tr>"
                    "</thead>\n<tbody>\n",
                 web_t(r, M_OIDC_CLIENTS_TITLE), web_t(r, M_OIDC_CLIENTS_TITLE), web_t(r, M_OIDC_COL_CLIENT),
                 web_t(r, M_OIDC_COL_SITE), web_t(r, M_OIDC_COL_TYPE), web_t(r, M_OIDC_COL_SUBJECT),
                 web_t(r, M_OIDC_COL_URIS), web_t(r, M_OIDC_DISABLE));
        for (size_t i = 0; i < n; i++)
            client_row(r, &list[i]);
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    const struct http_kvlist *f = &r->form;
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/operator/oidc-clients\" novalidate>\n",
             web_t(r, M_OIDC_ADD_TITLE));
    web_csrf_field(r);
    static const enum msg labels[PC_LANG_COUNT] = {
        [PC_LANG_AZ] = M_OIDC_F_NAME_AZ, [PC_LANG_EN] = M_OIDC_F_NAME_EN, [PC_LANG_RU] = M_OIDC_F_NAME_RU};
    for (int l = 0; l < PC_LANG_COUNT; l++) {
        const char *id = name_field(r, (enum pc_lang)l);
        struct web_field fl = {id, web_t(r, labels[l]), NULL, http_kv_get(f, id), "text", "off", 100};
        web_text_field(r, &fl, &e, nerr);
    }
    const char *chosen = http_kv_get(f, "agency");
    bool bad_agency = nerr && pc_str_eq(e.field, "agency");
    web_html(r, "<div class=\"field%r\">\n<label for=\"agency\">%s</label>\n%r"
                "<select class=\"input\" id=\"agency\" name=\"agency\"%r>\n",
             bad_agency ? " field-error" : "", web_t(r, M_OIDC_F_AGENCY),
             bad_agency ? pc_arena_printf(&r->arena, "<p class=\"error-message\" id=\"agency-error\">%s</p>\n",
                                          e.message) : "",
             bad_agency ? " aria-invalid=\"true\" aria-describedby=\"agency-error\"" : "");
    for (size_t i = 0; i < na; i++)
        web_html(r, "<option value=\"%s\"%r>%s</option>\n", agencies[i].id,
                 pc_str_eq(chosen, agencies[i].id) ? " selected" : "", pc_text_get(&agencies[i].name, web_lang_id(r)));
    web_html(r, "</select>\n</div>\n");
    textarea(r, "redirect_uris", M_OIDC_F_REDIRECTS, M_OIDC_F_URIS_HINT, http_kv_get(f, "redirect_uris"), &e, nerr);
    textarea(r, "post_logout_uris", M_OIDC_F_POST_LOGOUT, M_OIDC_F_URIS_HINT, http_kv_get(f, "post_logout_uris"), &e,
             nerr);
    struct web_field bc = {"backchannel_logout_uri", web_t(r, M_OIDC_F_BACKCHANNEL), NULL,
                           http_kv_get(f, "backchannel_logout_uri"), "url", "off", OIDC_URI_MAX};
    web_text_field(r, &bc, &e, nerr);
    checkbox(r, "confidential", M_OIDC_F_CONFIDENTIAL, !bad || http_kv_get(f, "confidential"));
    checkbox(r, "pairwise", M_OIDC_F_PAIRWISE, bad && http_kv_get(f, "pairwise"));
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_OIDC_ADD_BUTTON));
    web_page_end(r);
    return 0;
}

int web_page_oidc_clients(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_OIDC_CLIENTS, NULL))
        return 0;
    return clients_page(r, NULL);
}

int web_page_oidc_clients_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_OIDC_CLIENTS, NULL))
        return 0;
    const struct http_kvlist *f = &r->form;
    struct oidc_client c = {0};
    for (int l = 0; l < PC_LANG_COUNT; l++)
        c.name.s[l] = http_kv_get(f, name_field(r, (enum pc_lang)l));
    c.agency_id = http_kv_get(f, "agency");
    c.confidential = http_kv_get(f, "confidential") != NULL;
    c.subject = http_kv_get(f, "pairwise") ? OIDC_SUB_PAIRWISE : OIDC_SUB_PUBLIC;
    bool over1, over2;
    c.nredirect = lines_of(r, http_kv_get(f, "redirect_uris"), c.redirect_uris, OIDC_URIS_MAX, &over1);
    c.npost_logout = lines_of(r, http_kv_get(f, "post_logout_uris"), c.post_logout_uris, OIDC_URIS_MAX, &over2);
    const char *bc = http_kv_get(f, "backchannel_logout_uri");
    c.backchannel_logout_uri = bc && *bc ? bc : NULL;
    struct oidc_client_problem bad = {over1 ? OIDC_FIELD_REDIRECT_URIS : OIDC_FIELD_POST_LOGOUT_URIS, PC_LANG_AZ};
    if (over1 || over2)
        return clients_page(r, &bad);
    const char *id, *secret;
    struct pc_err err = {0};
    int rc = oidc_client_create(app_of(r)->db, &r->arena, &c, web_who(r)->account_id, r->remote_addr, &id, &secret,
                                &bad, &err);
    if (rc == PC_EINVAL)
        return clients_page(r, &bad);
    if (rc)
        return web_fail(r, rc, &err);
    web_page_begin(r, web_t(r, M_OIDC_SECRET_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<dl class=\"summary\">\n<dt>%s</dt><dd><code id=\"client-id\">%s</code></dd>\n",
             web_t(r, M_OIDC_SECRET_TITLE), web_t(r, M_OIDC_SECRET_LEAD), web_t(r, M_OIDC_COL_CLIENT), id);
    if (secret)
        web_html(r, "<dt>%s</dt><dd><code id=\"client-secret\">%s</code></dd>\n", web_t(r, M_OIDC_SECRET), secret);
    web_html(r, "</dl>\n<p><a href=\"/operator/oidc-clients\">%s</a></p>\n", web_t(r, M_OIDC_BACK_TO_LIST));
    web_page_end(r);
    return 0;
}

int web_page_oidc_client_disable(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_OIDC_CLIENTS, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = oidc_client_disable(app_of(r)->db, http_param(r, 0), web_who(r)->account_id, r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/operator/oidc-clients");
}
