/* levels.c — login levels as people and programs see them: the step-up
 * page that lists the ways to reach the level a service asks for, the
 * one check handlers make before starting or submitting an application
 * (a redirect to that page, or the API's problem naming the level), and
 * "this login" on the account page.  The rule itself is cases' and
 * identity's (case_login_check, id_level_for). */
#include "internal.h"

#include <string.h>

static const enum msg level_msgs[ID_LEVEL_COUNT] = {
    [ID_LEVEL_NONE] = M_LEVEL_NONE,
    [ID_LEVEL_CODE_PASSWORD] = M_LEVEL_CODE_PASSWORD,
    [ID_LEVEL_E_SIGNATURE] = M_LEVEL_E_SIGNATURE,
};

static const enum msg method_msgs[ID_METHOD_COUNT] = {
    [ID_METHOD_PASSWORD] = M_METHOD_PASSWORD,
    [ID_METHOD_CERTIFICATE] = M_METHOD_CERTIFICATE,
};

static const char *level_label(struct http_req *r, enum id_level l)
{
    return web_t(r, level_msgs[(unsigned)l < ID_LEVEL_COUNT ? l : ID_LEVEL_NONE]);
}

static const char *step_up_url(struct http_req *r, const char *service_id)
{
    return pc_arena_printf(&r->arena, "/login/step-up?service=%s", service_id);
}

bool web_require_level(struct http_req *r, const char *service_id)
{
    enum id_level need = ID_LEVEL_NONE;
    struct pc_err err = {0};
    const struct id_principal *who = web_who(r);
    int rc = case_login_check(app_of(r)->db, &r->arena, who, service_id, &need, &err);
    if (rc == 0 || rc == PC_ENOTFOUND)
        return true; /* no such service: the handler's own call answers that, as before */
    if (rc != PC_EDENIED) {
        web_fail(r, rc, &err);
        return false;
    }
    if (!r->is_api) {
        http_redirect(r, 303, step_up_url(r, service_id));
        return false;
    }
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "type",
                          "https://pencere.az/problems/login-level-required", "title", "A stronger login is needed",
                          "status", 403, "detail", err.msg, "instance", r->path, "level_needed", id_level_name(need),
                          "level", id_level_name(id_level_for(who, service_id)));
    web_reply_json(r, 403, p);
    r->content_type = "application/problem+json";
    return false;
}

int web_page_step_up(struct http_req *r)
{
    const char *service_id = http_kv_get(&r->query, "service");
    struct cat_service s;
    struct pc_err err = {0};
    int rc = service_id ? cat_get_service(app_of(r)->db, &r->arena, service_id, &s, &err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND)
        return http_error(r, 404, "not-found", "Page not found", NULL);
    if (rc)
        return web_fail(r, rc, &err);
    const struct id_principal *who = web_who(r);
    enum id_level need;
    rc = case_login_check(app_of(r)->db, &r->arena, who, service_id, &need, &err);
    const char *start = pc_arena_printf(&r->arena, "/services/%s/start", service_id);
    if (rc == 0)
        return http_redirect(r, 303, start); /* already enough: nothing to step up to */
    if (rc != PC_EDENIED)
        return web_fail(r, rc, &err);
    enum pc_lang lang = web_lang_id(r);
    const char *name = pc_text_get(&s.name, lang);
    web_page_begin(r, web_t(r, M_STEPUP_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_STEPUP_TITLE),
             pc_arena_printf(&r->arena, web_t(r, M_STEPUP_LEAD), name, level_label(r, need),
                             level_label(r, id_method_level(who ? who->auth.method : ID_METHOD_COUNT))));
    if (who && who->auth.only_service) {
        web_html(r, "<div class=\"notice\"><p>%s</p></div>\n",
                 pc_arena_printf(&r->arena, web_t(r, M_STEPUP_ONLY_FOR),
                                 web_certs_service_name(r, who->auth.only_service)));
    }
    web_html(r, "<h2>%s</h2>\n<ul class=\"links\">\n", web_t(r, M_STEPUP_WAYS));
    if (need == ID_LEVEL_CODE_PASSWORD)
        web_html(r, "<li><a href=\"/login?next=%q\">%s</a></li>\n", start, web_t(r, M_STEPUP_PASSWORD));
    if (app_of(r)->certs)
        web_html(r, "<li><a href=\"/login/certificate?next=%q\">%s</a></li>\n", start, web_t(r, M_STEPUP_CERT));
    web_html(r, "</ul>\n");
    if (need == ID_LEVEL_E_SIGNATURE)
        web_html(r, "<p>%s</p>\n", web_t(r, M_STEPUP_MOBILE));
    if (id_single_offered(service_id))
        web_html(r, "<p>%s <a href=\"/account/certificates#single\">%s</a></p>\n", web_t(r, M_STEPUP_SINGLE),
                 web_t(r, M_STEPUP_SINGLE_LINK));
    web_html(r, "<p><a href=\"/services/%q\">%s</a></p>\n", service_id, web_t(r, M_STEPUP_BACK));
    web_page_end(r);
    return 0;
}

void web_login_facts(struct http_req *r, const struct id_principal *p)
{
    const struct id_login_info *in = &p->auth;
    char ts[21];
    pc_rfc3339(in->at, ts);
    const char *level = level_label(r, id_method_level(in->method));
    if (in->only_service)
        level = pc_arena_printf(&r->arena, "%s — %s", level,
                                pc_arena_printf(&r->arena, web_t(r, M_ACCOUNT_LOGIN_ONLY), in->only_service));
    /* its own class: the person's record is the page's one dl.facts */
    web_html(r, "<h2>%s</h2>\n<dl class=\"login-facts\">\n<dt>%s</dt><dd>%s</dd>\n"
                "<dt>%s</dt><dd><time datetime=\"%s\">%s</time></dd>\n<dt>%s</dt><dd>%s</dd>\n",
             web_t(r, M_ACCOUNT_THIS_LOGIN), web_t(r, M_ACCOUNT_LOGIN_HOW),
             web_t(r, (unsigned)in->method < ID_METHOD_COUNT ? method_msgs[in->method] : M_METHOD_OTHER),
             web_t(r, M_ACCOUNT_LOGIN_WHEN), ts, pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11),
             web_t(r, M_ACCOUNT_LOGIN_LEVEL), level);
    if (in->cert_serial)
        web_html(r, "<dt>%s</dt><dd><code class=\"key\">%s</code></dd>\n", web_t(r, M_ACCOUNT_LOGIN_CERT), in->cert_serial);
    web_html(r, "</dl>\n");
}
