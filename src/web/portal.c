/* portal.c — the portal role's route table, /healthz, /metrics and the
 * http configuration that ties the web module to the HTTP edge. */
#include "internal.h"
#include "../notify/notify.h"

#include <stdio.h>
#include <string.h>

static int health(struct http_req *r)
{
    struct pc_err err = {0};
    int64_t services = cat_count_services(app_of(r)->db, &err);
    if (services < 0) {
        pc_log(PC_LOG_WARN, "health.db_failed", "msg", err.msg, NULL);
        return http_reply_json(r, 503, "{\"status\":\"unavailable\"}");
    }
    char body[128];
    snprintf(body, sizeof body, "{\"status\":\"ok\",\"db\":\"%s\",\"services\":%lld}",
             db_kind_name(app_of(r)->db), (long long)services);
    return http_reply_json(r, 200, body);
}

static int metrics(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (app_of(r)->http)
        http_metrics_write(app_of(r)->http, &r->out);
    db_metrics_write(app_of(r)->db, &r->out);
    notify_metrics_write(app_of(r)->db, &r->out);
    return 0;
}

static int asset(struct http_req *r)
{
    return http_serve_asset(r, http_param(r, 0));
}

static int openapi(struct http_req *r)
{
    return http_serve_asset(r, "openapi.yaml");
}

static int robots(struct http_req *r)
{
    return http_serve_asset(r, "robots.txt");
}

static int favicon(struct http_req *r)
{
    return http_serve_asset(r, "favicon.svg");
}

#define FORM_MAX 8192   /* bytes of a small form or JSON body */
#define JSON_MAX (256 * 1024) /* an application's answers */
#define ISREG_BODY_MAX (64 * 1024) /* a registration card */
#define PAGE_FORM_MAX (64 * 1024) /* one page of an application form */
#define UPLOAD_MAX (21 * 1024 * 1024) /* a page with a file: the largest file allowed and its form */
#define PAY_CALLBACK_MAX 4096 /* a provider's callback (PAY_EVENT_MAX) */

/* First match wins: fixed paths come before patterns that would take them. */
static const struct http_route routes[] = {
    {"GET", "/", web_page_home, 0, HTTP_ROUTE_CACHE, "home"},
    {"GET", "/agencies", web_page_agencies, 0, HTTP_ROUTE_CACHE, "agencies"},
    {"GET", "/agencies/{id}", web_page_agency, 0, HTTP_ROUTE_CACHE, "agency"},
    {"GET", "/agencies/{id}/staff", web_page_staff, 0, HTTP_ROUTE_NO_STORE, "staff"},
    {"POST", "/agencies/{id}/staff", web_page_staff_add_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "staff_add"},
    {"POST", "/agencies/{id}/staff/{account}/remove", web_page_staff_remove_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "staff_remove"},
    {"GET", "/services", web_page_services, 0, HTTP_ROUTE_CACHE, "services"},
    {"GET", "/services/no-registration", web_page_no_registration, 0, HTTP_ROUTE_CACHE, "no_registration"},
    {"GET", "/services/{id}", web_page_service, 0, HTTP_ROUTE_CACHE, "service"},
    {"GET", "/services/{id}/start", web_page_service_start, 0, HTTP_ROUTE_CACHE, "service_start"},
    {"GET", "/search", web_page_search, 0, HTTP_ROUTE_CACHE, "search"},
    {"POST", "/services/{id}/apply", web_page_apply_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "apply"},
    {"GET", "/applications", web_page_my_applications, 0, HTTP_ROUTE_NO_STORE, "my_applications"},
    {"GET", "/applications/{id}", web_page_application, 0, HTTP_ROUTE_NO_STORE, "application"},
    {"GET", "/applications/{id}/page/{page}", web_page_apply_page, 0, HTTP_ROUTE_NO_STORE, "apply_page"},
    {"POST", "/applications/{id}/page/{page}", web_page_apply_page_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "apply_page_post"},
    {"GET", "/applications/{id}/result", web_page_application_result, 0, HTTP_ROUTE_NO_STORE, "application_result"},
    {"GET", "/applications/{id}/files/{sha}", web_page_application_file, 0, HTTP_ROUTE_NO_STORE, "application_file"},
    {"GET", "/applications/{id}/check", web_page_apply_check, 0, HTTP_ROUTE_NO_STORE, "apply_check"},
    {"POST", "/applications/{id}/submit", web_page_apply_submit, FORM_MAX, HTTP_ROUTE_NO_STORE, "apply_submit"},
    {"POST", "/applications/{id}/respond", web_page_application_respond, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "respond"},
    {"POST", "/applications/{id}/cancel", web_page_application_cancel, FORM_MAX, HTTP_ROUTE_NO_STORE, "cancel"},
    {"GET", "/office", web_page_office, 0, HTTP_ROUTE_NO_STORE, "office"},
    {"GET", "/office/cases/{ref}", web_page_office_case, 0, HTTP_ROUTE_NO_STORE, "office_case"},
    {"GET", "/office/cases/{ref}/files/{sha}", web_page_office_file, 0, HTTP_ROUTE_NO_STORE, "office_file"},
    {"POST", "/office/cases/{ref}/act", web_page_office_act, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "office_act"},
    {"GET", "/login", web_page_login, 0, HTTP_ROUTE_NO_STORE, "login"},
    {"POST", "/login", web_page_login_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_post"},
    {"POST", "/login/2fa", web_page_login_2fa_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_2fa"},
    {"GET", "/account/2fa", web_page_totp, 0, HTTP_ROUTE_NO_STORE, "totp"},
    {"POST", "/account/2fa", web_page_totp_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "totp_post"},
    {"POST", "/logout", web_page_logout_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "logout"},
    {"GET", "/activate", web_page_activate, 0, HTTP_ROUTE_NO_STORE, "activate"},
    {"POST", "/activate", web_page_activate_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "activate_post"},
    {"GET", "/register", web_page_register, 0, HTTP_ROUTE_NO_STORE, "register"},
    {"POST", "/register", web_page_register_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "register_post"},
    {"GET", "/reset", web_page_reset, 0, HTTP_ROUTE_NO_STORE, "reset"},
    {"POST", "/reset", web_page_reset_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "reset_post"},
    {"GET", "/audit", web_page_audit, 0, HTTP_ROUTE_NO_STORE, "audit"},
    {"GET", "/operator/outbox", web_page_outbox, 0, HTTP_ROUTE_NO_STORE, "outbox"},
    {"GET", "/account", web_page_account, 0, HTTP_ROUTE_NO_STORE, "account"},
    {"GET", "/account/sessions", web_page_sessions, 0, HTTP_ROUTE_NO_STORE, "sessions"},
    {"POST", "/account/sessions/revoke-all", web_page_sessions_revoke_all, FORM_MAX, HTTP_ROUTE_NO_STORE, "sessions_revoke"},
    {"POST", "/account/act-for", web_page_act_for_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "act_for"},
    {"POST", "/account/staff/confirm", web_page_staff_confirm_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "staff_confirm"},
    {"GET", "/registrar", web_page_registrar, 0, HTTP_ROUTE_NO_STORE, "registrar"},
    {"GET", "/registrar/persons/{fin}", web_page_registrar_person, 0, HTTP_ROUTE_NO_STORE, "registrar_person"},
    {"POST", "/registrar/persons/{fin}/code", web_page_registrar_issue_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "registrar_code"},
    {"POST", "/api/v1/auth/password", web_api_auth_password, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_auth_password"},
    {"POST", "/api/v1/auth/logout", web_api_auth_logout, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_auth_logout"},
    {"GET", "/api/v1/me", web_api_me, 0, HTTP_ROUTE_NO_STORE, "api_me"},
    {"GET", "/api/v1/agencies", web_api_agencies, 0, HTTP_ROUTE_CACHE, "api_agencies"},
    {"GET", "/api/v1/agencies/{id}", web_api_agency, 0, HTTP_ROUTE_CACHE, "api_agency"},
    {"GET", "/api/v1/services", web_api_services, 0, HTTP_ROUTE_CACHE, "api_services"},
    {"GET", "/api/v1/services/{id}", web_api_service, 0, HTTP_ROUTE_CACHE, "api_service"},
    {"GET", "/api/v1/life-events", web_api_life_events, 0, HTTP_ROUTE_CACHE, "api_life_events"},
    {"GET", "/api/v1/services/{id}/form", web_api_service_form, 0, HTTP_ROUTE_CACHE, "api_service_form"},
    {"POST", "/api/v1/applications", web_api_applications_post, JSON_MAX, HTTP_ROUTE_NO_STORE, "api_applications_post"},
    {"POST", "/api/v1/uploads", web_api_upload, UPLOAD_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "api_upload"},
    {"GET", "/api/v1/applications", web_api_applications_list, 0, HTTP_ROUTE_NO_STORE, "api_applications"},
    {"GET", "/api/v1/applications/{ref}", web_api_application_get, 0, HTTP_ROUTE_NO_STORE, "api_application"},
    {"POST", "/api/v1/applications/{ref}/actions", web_api_application_action, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_application_action"},
    /* the register of information systems: not cached (it changes without a catalogue import) */
    {"GET", "/information-systems", web_page_isreg_list, 0, 0, "isreg_list"},
    {"GET", "/information-systems/stats", web_page_isreg_stats, 0, 0, "isreg_stats"},
    {"GET", "/information-systems/overdue", web_page_isreg_overdue, 0, HTTP_ROUTE_NO_STORE, "isreg_overdue"},
    {"GET", "/information-systems/new", web_page_isreg_new, 0, HTTP_ROUTE_NO_STORE, "isreg_new"},
    {"POST", "/information-systems/new", web_page_isreg_new_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "isreg_new_post"},
    {"GET", "/information-systems/{id}", web_page_isreg_system, 0, 0, "isreg_system"},
    {"GET", "/information-systems/{id}/edit", web_page_isreg_edit, 0, HTTP_ROUTE_NO_STORE, "isreg_edit"},
    {"POST", "/information-systems/{id}/edit", web_page_isreg_edit_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "isreg_edit_post"},
    {"POST", "/information-systems/{id}/act", web_page_isreg_act, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "isreg_act"},
    {"GET", "/api/v1/information-systems", web_api_isreg_list, 0, 0, "api_isreg_list"},
    {"POST", "/api/v1/information-systems", web_api_isreg_create, ISREG_BODY_MAX, HTTP_ROUTE_NO_STORE, "api_isreg_create"},
    {"GET", "/api/v1/information-systems/stats", web_api_isreg_stats, 0, 0, "api_isreg_stats"},
    {"GET", "/api/v1/information-systems/export.csv", web_api_isreg_csv, 0, 0, "api_isreg_csv"},
    {"GET", "/api/v1/information-systems/overdue", web_api_isreg_overdue, 0, HTTP_ROUTE_NO_STORE, "api_isreg_overdue"},
    {"POST", "/api/v1/information-systems/known", web_api_isreg_known, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_isreg_known"},
    {"GET", "/api/v1/information-systems/{id}", web_api_isreg_get, 0, 0, "api_isreg_get"},
    {"POST", "/api/v1/information-systems/{id}/card", web_api_isreg_card, ISREG_BODY_MAX, HTTP_ROUTE_NO_STORE, "api_isreg_card"},
    {"POST", "/api/v1/information-systems/{id}/findings", web_api_isreg_finding, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_isreg_finding"},
    {"POST", "/api/v1/information-systems/{id}/findings/{finding}/close", web_api_isreg_finding_close, FORM_MAX,
     HTTP_ROUTE_NO_STORE, "api_isreg_finding_close"},
    {"POST", "/api/v1/information-systems/{id}/{action}", web_api_isreg_action, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_isreg_action"},
    /* payments of fees (pay_pages.c, api_pay.c) */
    {"POST", "/applications/{id}/pay", web_page_pay_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "pay_start"},
    {"GET", "/payments/{id}/go", web_page_pay_go, 0, HTTP_ROUTE_NO_STORE, "pay_go"},
    {"GET", "/payments/{id}/return", web_page_pay_return, 0, HTTP_ROUTE_NO_STORE, "pay_return"},
    {"GET", "/payments/{id}/receipt", web_page_pay_receipt, 0, HTTP_ROUTE_NO_STORE, "pay_receipt"},
    {"GET", "/payments/{id}/receipt.pdf", web_page_pay_receipt_pdf, 0, HTTP_ROUTE_NO_STORE, "pay_receipt_pdf"},
    {"GET", "/office/payments/{id}", web_page_office_payment, 0, HTTP_ROUTE_NO_STORE, "office_payment"},
    {"POST", "/office/payments/{id}/refund", web_page_office_refund_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "office_refund"},
    {"GET", "/operator/payments", web_page_reconciliation, 0, HTTP_ROUTE_NO_STORE, "reconciliation"},
    {"POST", "/operator/payments", web_page_reconciliation_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "reconciliation_post"},
    {"POST", "/api/v1/payments/callback", web_api_pay_callback, PAY_CALLBACK_MAX, HTTP_ROUTE_NO_STORE, "api_pay_callback"},
    {"POST", "/api/v1/payments/reconciliation", web_api_pay_reconcile, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_reconcile"},
    {"POST", "/api/v1/applications/{ref}/payments", web_api_pay_create, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_create"},
    {"GET", "/api/v1/payments/{id}", web_api_pay_get, 0, HTTP_ROUTE_NO_STORE, "api_pay_get"},
    {"POST", "/api/v1/payments/{id}/refunds", web_api_pay_refund, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_refund"},
    {"GET", "/api/v1/openapi.yaml", openapi, 0, 0, "api_openapi"},
    {"GET", "/assets/{name}", asset, 0, 0, "asset"},
    {"GET", "/robots.txt", robots, 0, 0, "robots"},
    {"GET", "/favicon.ico", favicon, 0, 0, "favicon"},
    {"GET", "/healthz", health, 0, 0, "healthz"},
    {"GET", "/metrics", metrics, 0, 0, "metrics"},
};

const struct http_route *web_portal_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

/* Public pages are shared between anonymous visitors of the same language
 * and catalogue version (requests with a session never reach this: the
 * HTTP edge keeps them out of the cache, see session_cookie).  The version
 * costs no query here: catalog's poller thread reads it (within
 * CAT_PORTAL_MAX_AGE_MS). */
static const char *cache_key(struct http_req *r)
{
    int64_t v = cat_version(app_of(r)->db, NULL);
    if (v < 0)
        return NULL;
    const char *lang = r->is_api ? "-" : http_kv_get(&r->cookies, "lang");
    return pc_arena_printf(&r->arena, "%s|%lld", pc_lang_parse(lang) >= 0 ? lang : "-", (long long)v);
}

static void after_request(struct http_req *r)
{
    db_idle(app_of(r)->db);
}

void web_portal_http_config(struct portal_app *app, struct http_config *cfg)
{
    cfg->routes = web_portal_routes(&cfg->nroutes);
    cfg->app = app;
    cfg->error_page = web_error_page;
    cfg->before = web_auth_before;
    cfg->after = after_request;
    cfg->uploads = &web_upload_sink;
    cfg->cache_key = cache_key;
    cfg->session_cookie = "pc_session";
    cat_set_max_age(app->db, CAT_PORTAL_MAX_AGE_MS);
}
