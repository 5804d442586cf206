/* layout.c — the page frame shared by every page (GOV.UK-like: skip
 * link, header, language switch, main menu, footer) and the error page. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* The current URL with lang=CODE in place of any lang parameter, built
 * from the cleaned path: "//host/x" must not become a link to host. */
static const char *url_with_lang(struct http_req *r, const char *code)
{
    struct pc_buf b;
    pc_buf_init(&b, 8192);
    pc_buf_urlencode(&b, http_path_clean(&r->arena, r->path ? r->path : "/"));
    /* keep the slashes readable */
    char *u = b.data;
    for (char *s = u; (s = strstr(s, "%2F")); ) {
        *s = '/';
        memmove(s + 1, s + 3, strlen(s + 3) + 1);
    }
    b.len = strlen(u);
    char sep = '?';
    for (size_t i = 0; i < r->query.n; i++) {
        if (strcmp(r->query.items[i].key, "lang") == 0)
            continue;
        pc_buf_putc(&b, sep);
        pc_buf_urlencode(&b, r->query.items[i].key);
        pc_buf_putc(&b, '=');
        pc_buf_urlencode(&b, r->query.items[i].value);
        sep = '&';
    }
    pc_buf_printf(&b, "%clang=%s", sep, code);
    const char *out = pc_arena_strdup(&r->arena, b.data);
    pc_buf_release(&b);
    return out;
}

/* Right side of the menu: "Log in", or the person's name, the desk of
 * their role, and a log-out button (a form: logging out changes state). */
static void account_links(struct http_req *r)
{
    const struct id_principal *p = web_who(r);
    web_html(r, "<ul class=\"account-nav\">\n");
    if (!p) {
        web_html(r, "<li><a href=\"/login\">%s</a></li>\n</ul>\n", web_t(r, M_NAV_LOGIN));
        return;
    }
    web_html(r, "<li><a href=\"/account\">%s</a></li>\n", p->display_name);
    const char *agency = id_agency_of(p);
    if (id_has_role(p, ID_ROLE_CITIZEN) || id_has_role(p, ID_ROLE_REPRESENTATIVE))
        web_html(r, "<li><a href=\"/applications\">%s</a></li>\n", web_t(r, M_MY_APPS_TITLE));
    if (p->kind == ID_ACCOUNT_CITIZEN && p->fin) /* the e-safe: a person's own, or the company's they act for */
        web_html(r, "<li><a href=\"/esafe\">%s</a></li>\n", web_t(r, M_ESAFE_TITLE));
    if (agency)
        web_html(r, "<li><a href=\"/office\">%s</a></li>\n", web_t(r, M_OFFICE_TITLE));
    if (id_authorize(p, ID_ACT_FILE_PAPER, &(struct id_resource){.agency_id = agency}))
        web_html(r, "<li><a href=\"/office/paper\">%s</a></li>\n", web_t(r, M_PAPER_NAV));
    if (id_has_role(p, ID_ROLE_INSPECTOR))
        web_html(r, "<li><a href=\"/inspect/visits\">%s</a></li>\n", web_t(r, M_INSPECT_TITLE));
    if (id_has_role(p, ID_ROLE_REGISTRAR))
        web_html(r, "<li><a href=\"/registrar\">%s</a></li>\n", web_t(r, M_REG_TITLE));
    if (id_has_role(p, ID_ROLE_AUDITOR))
        web_html(r, "<li><a href=\"/audit\">%s</a></li>\n", web_t(r, M_AUDIT_TITLE));
    if (id_has_role(p, ID_ROLE_OPERATOR))
        web_html(r, "<li><a href=\"/operator/outbox\">%s</a></li>\n", web_t(r, M_OUTBOX_TITLE));
    if (id_authorize(p, ID_ACT_MANAGE_OIDC_CLIENTS, NULL))
        web_html(r, "<li><a href=\"/operator/oidc-clients\">%s</a></li>\n", web_t(r, M_OIDC_CLIENTS_TITLE));
    if (id_authorize(p, ID_ACT_EVALUATE, NULL) || (agency && id_authorize(p, ID_ACT_VIEW_EVALUATION,
                                                                          &(struct id_resource){.agency_id = agency})))
        web_html(r, "<li><a href=\"/campaigns\">%s</a></li>\n", web_t(r, M_CG_TITLE)); /* campaigns */
    if (id_authorize(p, ID_ACT_MANAGE_CATALOG, NULL))
        web_html(r, "<li><a href=\"/operator/approved\">%s</a></li>\n", web_t(r, M_AP_TITLE)); /* campaigns */
    if (agency && id_has_role(p, ID_ROLE_AGENCY_ADMIN))
        web_html(r, "<li><a href=\"/agencies/%s/staff\">%s</a></li>\n", agency, web_t(r, M_STAFF_TITLE));
    web_html(r, "<li><form method=\"post\" action=\"/logout\" class=\"inline\">");
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\" class=\"link-button\">%s</button></form></li>\n</ul>\n", web_t(r, M_NAV_LOGOUT));
}

void web_page_begin(struct http_req *r, const char *title)
{
    const char *lang = web_lang(r);
    r->content_type = "text/html; charset=utf-8";
    web_html(r, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>%s — %s</title>\n"
            "<link rel=\"stylesheet\" href=\"%s\">\n"
            "<link rel=\"icon\" href=\"%s\" type=\"image/svg+xml\">\n",
         lang, title, web_t(r, M_SITE_NAME), http_asset_url(r, "site.css"), http_asset_url(r, "favicon.svg"));
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        const char *code = pc_lang_code((enum pc_lang)i);
        web_html(r, "<link rel=\"alternate\" hreflang=\"%s\" href=\"%s\">\n", code, url_with_lang(r, code));
    }
    web_kiosk_head(r);
    web_html(r, "</head>\n<body%r>\n<a class=\"skip-link\" href=\"#main\">%s</a>\n"
            "<header class=\"site-header\">\n<div class=\"wrap header-row\">\n"
            "<a class=\"brand\" href=\"/\"><span class=\"brand-mark\" aria-hidden=\"true\"></span>"
            "<span class=\"brand-name\">Pəncərə</span> <span class=\"brand-sub\">%s</span></a>\n"
            "<nav class=\"langs\" aria-label=\"%s\"><ul>\n",
         web_kiosk_body_attrs(r), web_t(r, M_SKIP_TO_CONTENT), web_t(r, M_SITE_NAME), web_t(r, M_LANG_LABEL));
    for (int i = 0; i < PC_LANG_COUNT; i++) {
        const char *code = pc_lang_code((enum pc_lang)i);
        web_html(r, "<li><a href=\"%s\" lang=\"%s\" hreflang=\"%s\"%r>%s</a></li>\n", url_with_lang(r, code), code, code,
             (int)web_lang_id(r) == i ? " aria-current=\"true\"" : "", pc_lang_name((enum pc_lang)i));
    }
    web_html(r, "</ul></nav>\n</div>\n<nav class=\"main-nav\" aria-label=\"%s\"><div class=\"wrap nav-row\"><ul>\n"
            "<li><a href=\"/\">%s</a></li>\n<li><a href=\"/services\">%s</a></li>\n"
            "<li><a href=\"/agencies\">%s</a></li>\n<li><a href=\"/services/no-registration\">%s</a></li>\n"
            "</ul>\n",
         web_t(r, M_NAV_LABEL), web_t(r, M_NAV_HOME), web_t(r, M_NAV_SERVICES), web_t(r, M_NAV_AGENCIES),
         web_t(r, M_NAV_NO_REGISTRATION));
    account_links(r);
    web_html(r, "</div></nav>\n</header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
}

void web_page_end(struct http_req *r)
{
    web_html(r, "</main>\n<footer class=\"site-footer\"><div class=\"wrap\">\n<p>%s</p>\n"
            "<ul class=\"footer-links\"><li><a href=\"/api/v1/services\">%s</a></li>\n"
            "<li><a href=\"/information-systems\">%s</a></li></ul>\n</div></footer>\n</body>\n</html>\n",
         web_t(r, M_FOOTER_ABOUT), web_t(r, M_FOOTER_API), web_t(r, M_ISR_TITLE));
}

void web_page_breadcrumbs(struct http_req *r, const char *const *items, int n)
{
    web_html(r, "<nav class=\"breadcrumbs\" aria-label=\"%s\"><ol>\n", web_t(r, M_BREADCRUMB));
    for (int i = 0; i + 1 < n * 2; i += 2) {
        if (items[i + 1])
            web_html(r, "<li><a href=\"%s\">%s</a></li>\n", items[i + 1], items[i]);
        else
            web_html(r, "<li aria-current=\"page\">%s</li>\n", items[i]);
    }
    web_html(r, "</ol></nav>\n");
}

void web_error_page(struct http_req *r, int status, const char *type, const char *title, const char *detail)
{
    (void)title;
    (void)detail; /* the English words of the HTTP layer; pages use the catalogue */
    enum msg mt = M_ERR_TITLE_OTHER, mb = M_ERR_BODY_400;
    switch (status) {
    case 400: mt = M_ERR_TITLE_400; mb = M_ERR_BODY_400; break;
    case 401: case 403: mt = M_ERR_TITLE_403; mb = M_ERR_BODY_403; break;
    case 429: mt = M_ERR_TITLE_429; mb = M_ERR_BODY_500; break;
    case 404: mt = M_ERR_TITLE_404; mb = M_ERR_BODY_404; break;
    case 405: mt = M_ERR_TITLE_405; mb = M_ERR_BODY_405; break;
    case 413: mt = M_ERR_TITLE_413; mb = M_ERR_BODY_413; break;
    case 500: case 503: mt = M_ERR_TITLE_500; mb = M_ERR_BODY_500; break;
    default: break;
    }
    if (status == 400 && web_lang_bad(r))
        mb = M_ERR_BAD_LANG;
    if (pc_str_eq(type, "csrf")) {
        mt = M_ERR_TITLE_400;
        mb = M_ERR_CSRF;
    } else if (pc_str_eq(type, "appeal-term-over")) {
        mt = M_APPEAL_TITLE;
        mb = M_APPEAL_TERM_OVER;
    } else if (pc_str_eq(type, "appeal-same-officer")) {
        mt = M_APPEAL_TITLE;
        mb = M_APPEAL_SAME_OFFICER;
    }
    web_page_begin(r, web_t(r, mt));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n", web_t(r, mt), web_t(r, mb));
    if (status == 503)
        web_retry_form(r); /* a form that could not be handled now: what was typed, to send again */
    web_html(r, "<p><a href=\"/\">%s</a></p>\n", web_t(r, M_ERR_GO_HOME));
    web_page_end(r);
}
