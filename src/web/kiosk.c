/* kiosk.c — the kiosk mode of post offices (/kiosk): the device is known
 * by a cookie the operator's registration set (kiosks.c); every page it
 * shows gets large touch targets, an on-screen keyboard for names and an
 * idle timer (kiosk.js; without JavaScript a refresh in <noscript> does
 * the wiping and the normal inputs remain); a session used at the kiosk
 * is bound to it, so the server ends it after the kiosk's short idle time
 * and what it submits carries the kiosk's channel and district.  The
 * start page offers the three logins and the kiosk's services; the
 * receipt is a printable page. */
#include "internal.h"

#include <string.h>

const struct id_kiosk *web_kiosk(struct http_req *r)
{
    struct web_ctx *c = web_ctx(r);
    if (!c->kiosk_loaded) {
        c->kiosk_loaded = true;
        const char *token = r->is_api ? NULL : http_kv_get(&r->cookies, WEB_KIOSK_COOKIE);
        c->at_kiosk = token && id_kiosk_by_token(app_of(r)->db, &r->arena, token, &c->kiosk, NULL) == 0;
    }
    return c->at_kiosk ? &c->kiosk : NULL;
}

int web_kiosk_bind(struct http_req *r, struct id_principal *who, struct pc_err *err)
{
    const struct id_kiosk *k = who->auth.kiosk_id ? NULL : web_kiosk(r);
    if (!k)
        return 0;
    int rc = id_session_bind_kiosk(app_of(r)->db, who, k, err);
    if (rc == 0) {
        who->auth.kiosk_id = k->id;
        who->auth.kiosk_district = k->district;
    }
    return rc;
}

void web_kiosk_head(struct http_req *r)
{
    const struct id_kiosk *k = web_kiosk(r);
    if (!k)
        return;
    /* without JavaScript the page wipes itself after the idle time; with
     * it, kiosk.js counts from the last touch or key instead */
    web_html(r, "<noscript><meta http-equiv=\"refresh\" content=\"%d;url=/kiosk/end\"></noscript>\n"
                "<script src=\"%s\" defer></script>\n", k->idle_secs, http_asset_url(r, "kiosk.js"));
}

const char *web_kiosk_body_attrs(struct http_req *r)
{
    const struct id_kiosk *k = web_kiosk(r);
    if (!k)
        return "";
    /* the keyboard's words, in the page's language, for the script */
    struct pc_buf b;
    pc_buf_init(&b, 256);
    pc_buf_printf(&b, " class=\"kiosk\" data-idle=\"%d\" data-keyboard=\"", k->idle_secs);
    pc_buf_html(&b, web_t(r, M_KIOSK_KEYBOARD));
    pc_buf_puts(&b, "\" data-key-space=\"");
    pc_buf_html(&b, web_t(r, M_KIOSK_KEY_SPACE));
    pc_buf_puts(&b, "\" data-key-back=\"");
    pc_buf_html(&b, web_t(r, M_KIOSK_KEY_BACK));
    pc_buf_puts(&b, "\"");
    const char *out = pc_arena_strdup(&r->arena, b.data);
    pc_buf_release(&b);
    return out;
}

/* Not a kiosk: a page that says so, 403. */
static int unknown_device(struct http_req *r)
{
    r->status = 403;
    web_page_begin(r, web_t(r, M_KIOSK_UNKNOWN_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n", web_t(r, M_KIOSK_UNKNOWN_TITLE), web_t(r, M_KIOSK_UNKNOWN_BODY));
    web_page_end(r);
    return 0;
}

static void login_choices(struct http_req *r)
{
    web_html(r, "<h2>%s</h2>\n<div class=\"kiosk-choices\">\n<section class=\"kiosk-card\">\n<h3>%s</h3>\n"
                "<form method=\"post\" action=\"/login\">\n",
             web_t(r, M_KIOSK_LOGIN_TITLE), web_t(r, M_KIOSK_LOGIN_PASSWORD));
    web_csrf_field(r);
    /* a FİN is letters and digits (the on-screen keyboard); the password is typed on the real one */
    web_html(r, "<input type=\"hidden\" name=\"next\" value=\"/kiosk\">\n"
                "<div class=\"field\"><label for=\"k-login\">%s</label>\n"
                "<input id=\"k-login\" name=\"login\" type=\"text\" autocomplete=\"off\" autocapitalize=\"characters\""
                " spellcheck=\"false\" maxlength=\"64\" data-osk required></div>\n"
                "<div class=\"field\"><label for=\"k-password\">%s</label>\n"
                "<input id=\"k-password\" name=\"password\" type=\"password\" autocomplete=\"off\" maxlength=\"200\""
                " required></div>\n<button type=\"submit\">%s</button>\n</form>\n</section>\n",
             web_t(r, M_LOGIN_FIELD_LOGIN), web_t(r, M_LOGIN_FIELD_PASSWORD), web_t(r, M_LOGIN_BUTTON));
    if (app_of(r)->certs)
        web_html(r, "<section class=\"kiosk-card\"><h3>%s</h3>\n"
                    "<p><a class=\"button\" href=\"/login/certificate?next=/kiosk\">%s</a></p>\n</section>\n",
                 web_t(r, M_KIOSK_LOGIN_CERT), web_t(r, M_KIOSK_LOGIN_CERT));
    if (app_of(r)->mid)
        web_html(r, "<section class=\"kiosk-card\"><h3>%s</h3>\n"
                    "<p><a class=\"button\" href=\"/login/mobile?next=/kiosk\">%s</a></p>\n</section>\n",
                 web_t(r, M_KIOSK_LOGIN_MOBILE), web_t(r, M_KIOSK_LOGIN_MOBILE));
    web_html(r, "</div>\n");
}

static void services(struct http_req *r)
{
    web_html(r, "<h2>%s</h2>\n<ul class=\"kiosk-services\">\n", web_t(r, M_KIOSK_SERVICES));
    const char *sid;
    for (size_t i = 0; (sid = case_kiosk_service_at(i)); i++) {
        if (!form_set_get(web_forms(r), sid))
            continue; /* not taking applications now */
        web_html(r, "<li><form method=\"post\" action=\"/services/%s/apply\">", sid);
        web_csrf_field(r);
        web_html(r, "<button type=\"submit\" class=\"kiosk-big\">");
        web_html(r, web_t(r, M_KIOSK_APPLY), web_certs_service_name(r, sid));
        web_html(r, "</button></form></li>\n");
    }
    web_html(r, "</ul>\n<p><a class=\"button secondary\" href=\"/applications\">%s</a></p>\n"
                "<p>%s <a href=\"/account/certificates#single\">%s</a></p>\n",
             web_t(r, M_MY_APPS_TITLE), web_t(r, M_KIOSK_SINGLE), web_t(r, M_KIOSK_SINGLE_LINK));
}

int web_page_kiosk(struct http_req *r)
{
    const struct id_kiosk *k = web_kiosk(r);
    if (!k)
        return unknown_device(r);
    web_page_begin(r, web_t(r, M_KIOSK_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"kiosk-where\">", web_t(r, M_KIOSK_TITLE));
    web_html(r, web_t(r, M_KIOSK_WHERE), k->post_office, k->district);
    web_html(r, "</p>\n<p class=\"lead\">%s</p>\n", web_t(r, M_KIOSK_LEAD));
    if (web_who(r))
        services(r);
    else
        login_choices(r);
    web_html(r, "<p><a class=\"button secondary kiosk-end\" href=\"/kiosk/end\">%s</a></p>\n", web_t(r, M_KIOSK_END));
    web_page_end(r);
    return 0;
}

/* The person at the kiosk is still there (kiosk.js asks while they type
 * or touch without loading a page): the lookup has counted the request
 * for the session's idle time.  204 either way; nothing to show. */
int web_page_kiosk_alive(struct http_req *r)
{
    web_who(r);
    r->status = 204;
    return 0;
}

/* The session of a kiosk ends and the screen goes back to the start.  A
 * GET (the idle refresh can only follow a link), so it ends only a
 * session bound to a kiosk: a link elsewhere logs no one out. */
int web_page_kiosk_end(struct http_req *r)
{
    const struct id_principal *p = web_who(r);
    if (p && p->auth.kiosk_id) {
        struct pc_err err = {0};
        int rc = id_session_revoke(app_of(r)->db, web_session_token(r), "cookie", r->remote_addr, &err);
        if (rc)
            return web_fail(r, rc, &err);
        web_set_session_cookie(r, NULL);
    }
    http_set_header(r, "Clear-Site-Data", "\"cache\"");
    return http_redirect(r, 303, "/kiosk");
}

void web_receipt_facts(struct http_req *r, const struct case_app *app, const char *base)
{
    char when[21];
    pc_rfc3339(app->submitted_at, when);
    web_html(r, "<dl class=\"receipt\">\n<dt>%s</dt><dd class=\"reference\">%s</dd>\n"
                "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd><time datetime=\"%s\">%s</time></dd>\n",
             web_t(r, M_KIOSK_RECEIPT_REF), app->reference, web_t(r, M_KIOSK_RECEIPT_SERVICE),
             web_certs_service_name(r, app->service_id), web_t(r, M_KIOSK_RECEIPT_WHEN), when,
             pc_arena_printf(&r->arena, "%.10s %.5s UTC", when, when + 11));
    web_channel_facts(r, app, base);
    web_html(r, "</dl>\n");
}

int web_page_kiosk_receipt(struct http_req *r)
{
    struct case_app app;
    struct pc_err err = {0};
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), &app, &err);
    if (rc)
        return web_fail(r, rc, &err);
    struct id_resource res = {.owner = app.applicant, .fin = app.applicant_fin ? app.applicant_fin : ""};
    if (!app.reference || !id_authorize(web_who(r), ID_ACT_VIEW_CASE, &res) ||
        !pc_str_eq(app.applicant, web_who(r)->account_id))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    web_page_begin(r, web_t(r, M_KIOSK_RECEIPT_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_KIOSK_RECEIPT_TITLE));
    web_receipt_facts(r, &app, pc_arena_printf(&r->arena, "/applications/%s", app.reference));
    web_html(r, "<p>%s</p>\n<p><button type=\"button\" class=\"kiosk-print\" data-print hidden>%s</button> "
                "<a class=\"button secondary kiosk-end\" href=\"/kiosk/end\">%s</a></p>\n",
             web_t(r, M_KIOSK_RECEIPT_KEEP), web_t(r, M_KIOSK_PRINT), web_t(r, M_KIOSK_END));
    web_page_end(r);
    return 0;
}
