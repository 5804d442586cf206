/* kiosks.c — the operator's list of post-office kiosks: register the
 * device the form is sent from (its post office, district and idle time;
 * the device's key goes into its cookie and is never shown) and withdraw
 * one.  Identity decides who may (ID_ACT_MANAGE_KIOSKS). */
#include "internal.h"

#include <string.h>

#define KIOSK_COOKIE_SECS (5 * 365 * 86400)

static void register_form(struct http_req *r, const struct web_field_error *errors, int n)
{
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_KIOSKS_REGISTER), web_t(r, M_KIOSKS_REGISTER_HINT));
    web_error_summary(r, errors, n);
    web_html(r, "<form method=\"post\" action=\"/operator/kiosks\" novalidate>\n");
    web_csrf_field(r);
    char idle[12];
    snprintf(idle, sizeof idle, "%d", ID_KIOSK_IDLE_DEFAULT);
    struct web_field f_po = {"post_office", web_t(r, M_KIOSKS_POST_OFFICE), NULL, http_kv_get(&r->form, "post_office"),
                             "text", "off", ID_KIOSK_TEXT_MAX};
    struct web_field f_d = {"district", web_t(r, M_KIOSKS_DISTRICT), NULL, http_kv_get(&r->form, "district"), "text",
                            "off", ID_KIOSK_TEXT_MAX};
    const char *idle_v = http_kv_get(&r->form, "idle_secs");
    struct web_field f_i = {"idle_secs", web_t(r, M_KIOSKS_IDLE), NULL, idle_v ? idle_v : idle, "text", "off", 4};
    web_text_field(r, &f_po, errors, n);
    web_text_field(r, &f_d, errors, n);
    web_text_field(r, &f_i, errors, n);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_KIOSKS_REGISTER));
}

static int list_page(struct http_req *r, const struct web_field_error *errors, int nerrors)
{
    struct id_kiosk *list;
    size_t n = 0;
    struct pc_err err = {0};
    int rc = id_kiosks_list(app_of(r)->db, &r->arena, web_who(r), &list, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    if (nerrors)
        r->status = 400;
    web_page_begin(r, web_t(r, M_KIOSKS_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_KIOSKS_TITLE));
    if (http_kv_get(&r->query, "registered"))
        web_html(r, "<div class=\"notice\" role=\"status\"><p>%s</p></div>\n", web_t(r, M_KIOSKS_DONE));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_KIOSKS_NONE));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                    "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">"
                    "<span class=\"visually-hidden\">%s</span></th></tr></thead>\n<tbody>\n",
                 web_t(r, M_KIOSKS_TITLE), web_t(r, M_KIOSKS_TITLE), web_t(r, M_KIOSKS_POST_OFFICE),
                 web_t(r, M_KIOSKS_DISTRICT), web_t(r, M_KIOSKS_IDLE), web_t(r, M_KIOSKS_REGISTERED),
                 web_t(r, M_KIOSKS_WITHDRAW));
        for (size_t i = 0; i < n; i++) {
            char ts[21];
            pc_rfc3339(list[i].created_at, ts);
            web_html(r, "<tr><td>%s</td><td>%s</td><td>%d</td><td>%s</td><td><form method=\"post\""
                        " action=\"/operator/kiosks/%s/withdraw\" class=\"inline\">",
                     list[i].post_office, list[i].district, list[i].idle_secs, ts, list[i].id);
            web_csrf_field(r);
            web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button></form></td></tr>\n",
                     web_t(r, M_KIOSKS_WITHDRAW));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    register_form(r, errors, nerrors);
    web_page_end(r);
    return 0;
}

int web_page_kiosks(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_KIOSKS, NULL))
        return 0;
    return list_page(r, NULL, 0);
}

int web_page_kiosks_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_KIOSKS, NULL))
        return 0;
    long long idle = 0;
    const char *po = http_kv_get(&r->form, "post_office"), *district = http_kv_get(&r->form, "district");
    struct web_field_error errors[3];
    int n = 0;
    if (!po || !*po || strlen(po) > ID_KIOSK_TEXT_MAX)
        errors[n++] = (struct web_field_error){"post_office", web_t(r, M_KIOSKS_POST_OFFICE)};
    if (!district || !*district || strlen(district) > ID_KIOSK_TEXT_MAX)
        errors[n++] = (struct web_field_error){"district", web_t(r, M_KIOSKS_DISTRICT)};
    if (pc_parse_int(http_kv_get(&r->form, "idle_secs"), ID_KIOSK_IDLE_MIN, ID_KIOSK_IDLE_MAX, &idle))
        errors[n++] = (struct web_field_error){"idle_secs", web_t(r, M_KIOSKS_IDLE)};
    if (n)
        return list_page(r, errors, n);
    struct id_kiosk k;
    char token[ID_TOKEN_CHARS + 1];
    struct pc_err err = {0};
    int rc = id_kiosk_register(app_of(r)->db, &r->arena, web_who(r), po, district, (int)idle, r->remote_addr, &k,
                               token, &err);
    if (rc)
        return web_fail(r, rc, &err);
    http_set_header(r, "Set-Cookie", pc_arena_printf(&r->arena, WEB_KIOSK_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax;"
                                                     " Max-Age=%d%s", token, KIOSK_COOKIE_SECS,
                                                     app_of(r)->secure_cookies ? "; Secure" : ""));
    return http_redirect(r, 303, "/operator/kiosks?registered=1");
}

int web_page_kiosk_withdraw_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_MANAGE_KIOSKS, NULL))
        return 0;
    struct pc_err err = {0};
    int rc = id_kiosk_withdraw(app_of(r)->db, web_who(r), http_param(r, 0), r->remote_addr, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/operator/kiosks");
}
