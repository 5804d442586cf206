/* portal.c — the portal role's route table, /healthz, /metrics and the
 * http configuration that ties the web module to the HTTP edge. */
#include "internal.h"
#include "../inspect/inspect.h"
#include "../monitor/monitor.h"
#include "../notify/notify.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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
#define CERT_FORM_MAX (PKI_CSR_MAX * 4) /* a pasted CSR, form-encoded */
#define VERIFY_MAX (6 * 1024 * 1024) /* a document and its signature to verify (verify.c keeps each in bounds) */
#define PAY_CALLBACK_MAX 4096 /* a provider's callback (PAY_EVENT_MAX) */
#define INSPECT_POST_MAX (INSPECT_PHOTOS_MAX * INSPECT_PHOTO_MAX + 65536) /* a visit's record with its photos */
#define ECERT_UPLOAD_MAX (3 * 1024 * 1024) /* a certificate's PDF to check (ecert_verify.c keeps it in bounds) */

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
    /* nologin: applying without login, following a case with its reference and code (guest.c) */
    {"GET", "/services/{id}/apply", web_page_apply_guest, 0, HTTP_ROUTE_NO_STORE, "apply_guest"},
    {"GET", "/follow", web_page_follow, 0, HTTP_ROUTE_NO_STORE, "follow"},
    {"POST", "/follow", web_page_follow_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "follow_post"},
    {"GET", "/applications", web_page_my_applications, 0, HTTP_ROUTE_NO_STORE, "my_applications"},
    {"GET", "/applications/{id}", web_page_application, 0, HTTP_ROUTE_NO_STORE, "application"},
    {"GET", "/applications/{id}/page/{page}", web_page_apply_page, 0, HTTP_ROUTE_NO_STORE, "apply_page"},
    {"POST", "/applications/{id}/page/{page}", web_page_apply_page_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "apply_page_post"},
    {"GET", "/applications/{id}/result", web_page_application_result, 0, HTTP_ROUTE_NO_STORE, "application_result"},
    {"GET", "/applications/{id}/files/{sha}", web_page_application_file, 0, HTTP_ROUTE_NO_STORE, "application_file"},
    {"GET", "/applications/{id}/check", web_page_apply_check, 0, HTTP_ROUTE_NO_STORE, "apply_check"},
    {"POST", "/applications/{id}/submit", web_page_apply_submit, FORM_MAX, HTTP_ROUTE_NO_STORE, "apply_submit"},
    /* logins: signed applications (issue 10) */
    {"POST", "/applications/{id}/sign", web_page_apply_sign, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "apply_sign"},
    {"GET", "/applications/{id}/to-sign", web_page_apply_to_sign, 0, HTTP_ROUTE_NO_STORE, "apply_to_sign"},
    {"POST", "/applications/{id}/sign/mobile", web_page_apply_sign_mobile, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE,
     "apply_sign_mobile"},
    {"GET", "/applications/{id}/sign/mobile", web_page_apply_sign_mobile_wait, 0, HTTP_ROUTE_NO_STORE,
     "apply_sign_mobile_wait"},
    {"GET", "/applications/{id}/signed/{name}", web_page_application_signed, 0, HTTP_ROUTE_NO_STORE, "application_signed"},
    {"GET", "/office/cases/{ref}/signed/{name}", web_page_office_signed, 0, HTTP_ROUTE_NO_STORE, "office_signed"},
    {"POST", "/applications/{id}/respond", web_page_application_respond, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "respond"},
    {"POST", "/applications/{id}/cancel", web_page_application_cancel, FORM_MAX, HTTP_ROUTE_NO_STORE, "cancel"},
    {"POST", "/applications/{id}/appeal", web_page_application_appeal, FORM_MAX, HTTP_ROUTE_NO_STORE, "appeal"},
    /* kiosk: post-office kiosks and paper applications (issue 17) */
    {"GET", "/kiosk", web_page_kiosk, 0, HTTP_ROUTE_NO_STORE, "kiosk"},
    {"GET", "/kiosk/end", web_page_kiosk_end, 0, HTTP_ROUTE_NO_STORE, "kiosk_end"},
    {"GET", "/kiosk/alive", web_page_kiosk_alive, 0, HTTP_ROUTE_NO_STORE, "kiosk_alive"},
    {"GET", "/kiosk/receipt/{ref}", web_page_kiosk_receipt, 0, HTTP_ROUTE_NO_STORE, "kiosk_receipt"},
    {"GET", "/operator/kiosks", web_page_kiosks, 0, HTTP_ROUTE_NO_STORE, "kiosks"},
    {"POST", "/operator/kiosks", web_page_kiosks_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "kiosks_post"},
    {"POST", "/operator/kiosks/{id}/withdraw", web_page_kiosk_withdraw_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "kiosk_withdraw"},
    {"POST", "/api/v1/paper-applications", web_api_paper_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "api_paper"},
    /* paper applications from the back office (vemtas3) */
    {"GET", "/office/paper", web_page_paper, 0, HTTP_ROUTE_NO_STORE, "paper"},
    {"GET", "/office/paper/{service}", web_page_paper_form, 0, HTTP_ROUTE_NO_STORE, "paper_form"},
    {"POST", "/office/paper/{service}", web_page_paper_post, UPLOAD_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART,
     "paper_post"},
    {"GET", "/office/paper/receipt/{ref}", web_page_paper_receipt, 0, HTTP_ROUTE_NO_STORE, "paper_receipt"},
    {"GET", "/office", web_page_office, 0, HTTP_ROUTE_NO_STORE, "office"},
    {"GET", "/office/cases/{ref}", web_page_office_case, 0, HTTP_ROUTE_NO_STORE, "office_case"},
    {"GET", "/office/cases/{ref}/files/{sha}", web_page_office_file, 0, HTTP_ROUTE_NO_STORE, "office_file"},
    {"POST", "/office/cases/{ref}/act", web_page_office_act, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "office_act"},
    {"POST", "/office/cases/{ref}/inspection", web_page_office_inspection_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "office_inspection"},
    {"GET", "/inspect/sw.js", web_page_inspect_worker, 0, 0, "inspect_worker"},
    {"GET", "/inspect/visits", web_page_inspect_visits, 0, HTTP_ROUTE_NO_STORE, "inspect_visits"},
    {"GET", "/inspect/visits/{id}", web_page_inspect_visit, 0, HTTP_ROUTE_NO_STORE, "inspect_visit"},
    {"POST", "/inspect/visits/{id}", web_page_inspect_visit_post, INSPECT_POST_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "inspect_visit_post"},
    {"GET", "/inspect/visits/{id}/photos/{sha}", web_page_inspect_photo, 0, HTTP_ROUTE_NO_STORE, "inspect_photo"},
    {"GET", "/office/cases/{ref}/decision/{what}", web_page_office_decision, 0, HTTP_ROUTE_NO_STORE, "office_decision"},
    /* vemtas: social assistance */
    {"POST", "/office/cases/{ref}/social/refetch", web_page_office_social_refetch, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE,
     "office_social_refetch"},
    {"POST", "/office/cases/{ref}/social/proposal", web_page_office_social_proposal, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE,
     "office_social_proposal"},
    /* vemtas2: the running grant */
    {"POST", "/office/cases/{ref}/social/grant", web_page_office_social_grant, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE,
     "office_social_grant"},
    /* monitor: evaluations, the approved-services registry, usage statistics */
    {"GET", "/evaluations", web_page_evaluations, 0, HTTP_ROUTE_CACHE, "evaluations"},
    {"GET", "/evaluations/live", web_page_live, 0, HTTP_ROUTE_CACHE, "evaluations_live"},
    {"GET", "/evaluations/approved", web_page_approved, 0, 0, "evaluations_approved"}, /* kept rows: not cached */
    {"GET", "/evaluations/{id}", web_page_evaluation, 0, HTTP_ROUTE_CACHE, "evaluation"},
    {"GET", "/evaluations/{id}/results.csv", web_page_evaluation_csv, 0, HTTP_ROUTE_CACHE, "evaluation_csv"},
    {"GET", "/evaluations/{id}/results.json", web_page_evaluation_json, 0, HTTP_ROUTE_CACHE, "evaluation_json"},
    /* campaigns: evaluation campaigns in the portal (campaigns.c) */
    {"GET", "/campaigns", web_page_campaigns, 0, HTTP_ROUTE_NO_STORE, "campaigns"},
    {"POST", "/campaigns", web_page_campaigns_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "campaigns_post"},
    {"GET", "/campaigns/{id}", web_page_campaign, 0, HTTP_ROUTE_NO_STORE, "campaign"},
    {"POST", "/campaigns/{id}/services", web_page_campaign_service_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "campaign_service"},
    {"GET", "/campaigns/{id}/infrastructure/{k}", web_page_campaign_group, 0, HTTP_ROUTE_NO_STORE, "campaign_infra"},
    {"POST", "/campaigns/{id}/infrastructure/{k}", web_page_campaign_group_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "campaign_infra_post"},
    {"GET", "/campaigns/{id}/services/{service}/{criterion}", web_page_campaign_group, 0, HTTP_ROUTE_NO_STORE,
     "campaign_group"},
    {"POST", "/campaigns/{id}/services/{service}/{criterion}", web_page_campaign_group_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "campaign_group_post"},
    {"POST", "/campaigns/{id}/submit", web_page_campaign_submit_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "campaign_submit"},
    {"POST", "/campaigns/{id}/review", web_page_campaign_review_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "campaign_review"},
    {"GET", "/campaigns/{id}/report", web_page_campaign_report, 0, HTTP_ROUTE_NO_STORE, "campaign_report"},
    {"GET", "/campaigns/{id}/results.csv", web_page_campaign_csv, 0, HTTP_ROUTE_NO_STORE, "campaign_csv"},
    {"GET", "/campaigns/{id}/results.json", web_page_campaign_json, 0, HTTP_ROUTE_NO_STORE, "campaign_json"},
    {"GET", "/campaigns/{id}/files/{sha}", web_page_campaign_file, 0, HTTP_ROUTE_NO_STORE, "campaign_file"},
    {"GET", "/operator/approved", web_page_approved_edit, 0, HTTP_ROUTE_NO_STORE, "approved_edit"},
    {"POST", "/operator/approved/decisions", web_page_approved_decision_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "approved_decision"},
    {"POST", "/operator/approved/entries", web_page_approved_entry_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "approved_entry"},
    {"POST", "/operator/approved/entries/{id}", web_page_approved_mark_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "approved_mark"},
    {"GET", "/statistics", web_page_statistics, 0, 0, "statistics"},
    {"GET", "/statistics/usage.csv", web_page_statistics_csv, 0, 0, "statistics_csv"},
    {"GET", "/statistics/usage.json", web_page_statistics_json, 0, 0, "statistics_json"},
    {"GET", "/statistics/visits.csv", web_page_statistics_visits_csv, 0, 0, "statistics_visits_csv"}, /* monitor2 */
    {"GET", "/login", web_page_login, 0, HTTP_ROUTE_NO_STORE, "login"},
    {"POST", "/login", web_page_login_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_post"},
    {"POST", "/login/2fa", web_page_login_2fa_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_2fa"},
    /* logging in with the phone (login_mobile.c) */
    {"GET", "/login/mobile", web_page_login_mobile, 0, HTTP_ROUTE_NO_STORE, "login_mobile"},
    {"POST", "/login/mobile", web_page_login_mobile_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_mobile_post"},
    {"GET", "/login/mobile/wait", web_page_login_mobile_wait, 0, HTTP_ROUTE_NO_STORE, "login_mobile_wait"},
    {"POST", "/login/qr", web_page_login_qr_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "login_qr_post"},
    /* logins: certificate login and step-up (issue 10) */
    {"GET", "/login/certificate", web_page_cert_login, 0, HTTP_ROUTE_NO_STORE, "cert_login"},
    {"POST", "/login/certificate", web_page_cert_login_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "cert_login_post"},
    {"GET", "/login/step-up", web_page_step_up, 0, HTTP_ROUTE_NO_STORE, "step_up"},
    {"GET", "/login/tls", web_page_tls_login, 0, HTTP_ROUTE_NO_STORE, "tls_login"},
    {"POST", "/api/v1/auth/challenge", web_api_cert_challenge, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_auth_challenge"},
    {"POST", "/api/v1/auth/certificate", web_api_cert_login, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "api_auth_certificate"},
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
    {"GET", "/registrar/persons/{fin}/mobile", web_page_desk_mobile, 0, HTTP_ROUTE_NO_STORE, "desk_mobile"},
    {"POST", "/registrar/persons/{fin}/mobile", web_page_desk_mobile_post, 16384, HTTP_ROUTE_NO_STORE, "desk_mobile_post"},
    /* the certification centre in the portal (pki-portal) */
    {"GET", "/account/certificates", web_page_certs, 0, HTTP_ROUTE_NO_STORE, "certs"},
    {"POST", "/account/certificates/csr", web_page_certs_csr_post, CERT_FORM_MAX, HTTP_ROUTE_NO_STORE, "certs_csr"},
    {"POST", "/account/certificates/p12", web_page_certs_p12_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "certs_p12"},
    {"POST", "/account/certificates/single", web_page_certs_single_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "certs_single"},
    {"GET", "/account/certificates/{serial}", web_page_cert_pem, 0, HTTP_ROUTE_NO_STORE, "cert_pem"},
    {"POST", "/account/certificates/{serial}/suspend", web_page_cert_suspend_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "cert_suspend"},
    {"POST", "/account/certificates/{serial}/revoke", web_page_cert_revoke_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "cert_revoke"},
    {"GET", "/registrar/persons/{fin}/certificates", web_page_desk_certs, 0, HTTP_ROUTE_NO_STORE, "desk_certs"},
    {"POST", "/registrar/persons/{fin}/certificates/csr", web_page_desk_certs_csr_post, CERT_FORM_MAX, HTTP_ROUTE_NO_STORE,
     "desk_certs_csr"},
    {"POST", "/registrar/persons/{fin}/certificates/p12", web_page_desk_certs_p12_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "desk_certs_p12"},
    {"GET", "/registrar/persons/{fin}/certificates/{serial}", web_page_desk_cert_pem, 0, HTTP_ROUTE_NO_STORE, "desk_cert_pem"},
    {"POST", "/registrar/persons/{fin}/certificates/{serial}/resume", web_page_desk_cert_resume_post, FORM_MAX,
     HTTP_ROUTE_NO_STORE, "desk_cert_resume"},
    {"GET", "/verify", web_page_verify, 0, HTTP_ROUTE_NO_STORE, "verify"}, /* its form carries a CSRF token */
    {"POST", "/verify", web_page_verify_post, VERIFY_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "verify_post"},
    {"GET", "/applications/{id}/sealed/{what}", web_page_application_sealed, 0, HTTP_ROUTE_NO_STORE,
     "application_sealed"}, /* vemtas3: the appeal's sealed outcome, and its files */
    {"POST", "/applications/{id}/appeal/files", web_page_application_appeal_files_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "appeal_files_post"},
    {"GET", "/applications/{id}/appeal-files/{sha}", web_page_application_appeal_file, 0, HTTP_ROUTE_NO_STORE,
     "appeal_file"},
    {"GET", "/office/cases/{ref}/appeal-files/{sha}", web_page_office_appeal_file, 0, HTTP_ROUTE_NO_STORE,
     "office_appeal_file"},
    {"GET", "/applications/{id}/result/document", web_page_application_result_document, 0, HTTP_ROUTE_NO_STORE,
     "application_result_document"},
    {"GET", "/applications/{id}/result/signature", web_page_application_result_signature, 0, HTTP_ROUTE_NO_STORE,
     "application_result_signature"},
    {"GET", "/api/v1/certificates/statistics", web_api_cert_stats, 0, HTTP_ROUTE_NO_STORE, "api_cert_stats"},
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
    /* nologin: signing a draft through the API (api_sign.c) */
    {"GET", "/api/v1/applications/{ref}/signing", web_api_application_signing, 0, HTTP_ROUTE_NO_STORE,
     "api_application_signing"},
    {"POST", "/api/v1/applications/{ref}/signature", web_api_application_signature, JSON_MAX, HTTP_ROUTE_NO_STORE,
     "api_application_signature"},
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
    {"POST", "/information-systems/{id}/files", web_page_isreg_file_post, UPLOAD_MAX,
     HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "isreg_file_post"},
    {"GET", "/information-systems/{id}/files/{sha}", web_page_isreg_file, 0, HTTP_ROUTE_NO_STORE, "isreg_file"},
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
    /* participation and the online queue */
    {"GET", "/api/v1/polls", web_api_polls, 0, HTTP_ROUTE_NO_STORE, "api_polls"},
    {"POST", "/api/v1/polls", web_api_polls_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_polls_post"},
    {"GET", "/api/v1/polls/{id}", web_api_poll, 0, HTTP_ROUTE_NO_STORE, "api_poll"},
    {"POST", "/api/v1/polls/{id}/close", web_api_poll_close, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_poll_close"},
    {"POST", "/api/v1/polls/{id}/votes", web_api_poll_vote, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_poll_vote"},
    {"GET", "/api/v1/polls/{id}/ballots/{receipt}", web_api_poll_ballot, 0, HTTP_ROUTE_NO_STORE, "api_poll_ballot"},
    {"GET", "/api/v1/polls/{id}/results", web_api_poll_results, 0, HTTP_ROUTE_NO_STORE, "api_poll_results"},
    {"GET", "/api/v1/queue/centres", web_api_queue_centres, 0, HTTP_ROUTE_NO_STORE, "api_queue_centres"},
    {"GET", "/api/v1/queue/slots", web_api_queue_slots, 0, HTTP_ROUTE_NO_STORE, "api_queue_slots"},
    {"POST", "/api/v1/queue/bookings", web_api_queue_book, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_queue_book"},
    {"GET", "/api/v1/queue/bookings/{code}", web_api_queue_booking, 0, HTTP_ROUTE_NO_STORE, "api_queue_booking"},
    {"DELETE", "/api/v1/queue/bookings/{code}", web_api_queue_cancel, 0, HTTP_ROUTE_NO_STORE, "api_queue_cancel"},
    {"POST", "/api/v1/queue/bookings/{code}/cancel", web_api_queue_cancel, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_queue_cancel_post"},
    {"POST", "/api/v1/queue/bookings/{code}/move", web_api_queue_move, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_queue_move"},
    {"POST", "/api/v1/queue/centres/{id}", web_api_queue_centre_put, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_queue_centre_put"},
    {"GET", "/api/v1/queue/centres/{id}/day", web_api_queue_day, 0, HTTP_ROUTE_NO_STORE, "api_queue_day"},
    {"POST", "/api/v1/queue/centres/{id}/check-in", web_api_queue_check_in, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_queue_check_in"},
    {"POST", "/api/v1/queue/centres/{id}/call", web_api_queue_call, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_queue_call"},
    {"POST", "/api/v1/queue/centres/{id}/no-show", web_api_queue_no_show, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_queue_no_show"},
    {"POST", "/api/v1/queue/centres/{id}/holidays", web_api_queue_holiday, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_queue_holiday"},
    {"POST", "/api/v1/services/{id}/feedback", web_api_feedback_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_feedback_post"},
    {"GET", "/api/v1/services/{id}/feedback", web_api_feedback, 0, HTTP_ROUTE_NO_STORE, "api_feedback"},
    {"GET", "/api/v1/feedback/pending", web_api_feedback_pending, 0, HTTP_ROUTE_NO_STORE, "api_feedback_pending"},
    {"POST", "/api/v1/feedback/{id}/moderation", web_api_feedback_moderate, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_feedback_moderate"},
    {"POST", "/api/v1/complaints", web_api_complaints_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_complaints_post"},
    {"GET", "/api/v1/complaints", web_api_complaints, 0, HTTP_ROUTE_NO_STORE, "api_complaints"},
    {"GET", "/api/v1/complaints/{ref}", web_api_complaint, 0, HTTP_ROUTE_NO_STORE, "api_complaint"},
    {"POST", "/api/v1/complaints/{ref}/answer", web_api_complaint_answer, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "api_complaint_answer"},
    {"GET", "/queue/centres/{id}/display", web_page_queue_display, 0, HTTP_ROUTE_NO_STORE, "queue_display"},
    {"GET", "/queue/centres/{id}/desk", web_page_queue_desk, 0, HTTP_ROUTE_NO_STORE, "queue_desk"},
    {"POST", "/queue/centres/{id}/desk/{action}", web_page_queue_desk_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "queue_desk_post"},
    {"GET", "/queue/centres/{id}", web_page_queue_centre, 0, HTTP_ROUTE_NO_STORE, "queue_centre"},
    {"GET", "/queue", web_page_queue, 0, HTTP_ROUTE_NO_STORE, "queue"},
    {"POST", "/queue/book", web_page_queue_book_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "queue_book"},
    {"GET", "/queue/bookings", web_page_queue_mine, 0, HTTP_ROUTE_NO_STORE, "queue_mine"},
    {"GET", "/queue/bookings/{code}", web_page_queue_booking, 0, HTTP_ROUTE_NO_STORE, "queue_booking"},
    {"POST", "/queue/bookings/{code}/cancel", web_page_queue_cancel_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "queue_cancel"},
    {"POST", "/queue/bookings/{code}/move", web_page_queue_move_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "queue_move"},
    {"POST", "/api/v1/surveys", web_api_surveys_post, JSON_MAX, HTTP_ROUTE_NO_STORE, "api_surveys_post"},
    {"GET", "/api/v1/surveys/{id}", web_api_survey, 0, HTTP_ROUTE_NO_STORE, "api_survey"},
    {"POST", "/api/v1/surveys/{id}/responses", web_api_survey_respond, JSON_MAX, HTTP_ROUTE_NO_STORE,
     "api_survey_respond"},
    {"GET", "/api/v1/surveys/{id}/results", web_api_survey_results, 0, HTTP_ROUTE_NO_STORE, "api_survey_results"},
    {"GET", "/api/v1/surveys/{id}/responses.csv", web_api_survey_csv, 0, HTTP_ROUTE_NO_STORE, "api_survey_csv"},
    {"GET", "/surveys/{id}/results", web_page_survey_results, 0, HTTP_ROUTE_NO_STORE, "survey_results"},
    {"GET", "/surveys/{id}", web_page_survey, 0, HTTP_ROUTE_NO_STORE, "survey"},
    {"POST", "/surveys/{id}", web_page_survey_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "survey_post"},
    {"GET", "/services/{id}/feedback", web_page_feedback, 0, HTTP_ROUTE_NO_STORE, "feedback"},
    {"POST", "/services/{id}/feedback", web_page_feedback_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "feedback_post"},
    {"POST", "/complaints", web_page_complaint_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "complaint_post"},
    {"GET", "/complaints", web_page_complaints, 0, HTTP_ROUTE_NO_STORE, "complaints"},
    {"GET", "/complaints/{ref}", web_page_complaint, 0, HTTP_ROUTE_NO_STORE, "complaint"},
    {"POST", "/complaints/{ref}/answer", web_page_complaint_answer_post, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "complaint_answer"},
    {"GET", "/operator/feedback", web_page_moderation, 0, HTTP_ROUTE_NO_STORE, "moderation"},
    {"POST", "/operator/feedback/{id}", web_page_moderation_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "moderation_post"},
    {"GET", "/polls", web_page_polls, 0, HTTP_ROUTE_NO_STORE, "polls"},
    {"GET", "/polls/{id}", web_page_poll, 0, HTTP_ROUTE_NO_STORE, "poll"},
    {"POST", "/polls/{id}/vote", web_page_poll_vote, FORM_MAX, HTTP_ROUTE_NO_STORE, "poll_vote"},
    /* OpenID Connect provider (oidc.c, oidc_clients.c) */
    {"GET", "/.well-known/openid-configuration", web_oidc_discovery, 0, 0, "oidc_discovery"},
    {"GET", "/api/v1/oidc/jwks", web_oidc_jwks, 0, 0, "oidc_jwks"},
    {"POST", "/api/v1/oidc/token", web_oidc_token, FORM_MAX, HTTP_ROUTE_NO_STORE, "oidc_token"},
    {"GET", "/api/v1/oidc/userinfo", web_oidc_userinfo, 0, HTTP_ROUTE_NO_STORE, "oidc_userinfo"},
    {"POST", "/api/v1/oidc/userinfo", web_oidc_userinfo, FORM_MAX, HTTP_ROUTE_NO_STORE, "oidc_userinfo_post"},
    {"GET", "/oidc/authorize", web_oidc_authorize, 0, HTTP_ROUTE_NO_STORE, "oidc_authorize"},
    {"GET", "/oidc/continue/{id}", web_oidc_continue, 0, HTTP_ROUTE_NO_STORE, "oidc_continue"},
    {"POST", "/oidc/continue/{id}", web_oidc_continue_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "oidc_consent"},
    {"GET", "/oidc/logout", web_oidc_logout, 0, HTTP_ROUTE_NO_STORE, "oidc_logout"},
    {"POST", "/oidc/logout", web_oidc_logout_post, PAGE_FORM_MAX, HTTP_ROUTE_NO_STORE, "oidc_logout_post"},
    {"GET", "/operator/oidc-clients", web_page_oidc_clients, 0, HTTP_ROUTE_NO_STORE, "oidc_clients"},
    {"POST", "/operator/oidc-clients", web_page_oidc_clients_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "oidc_clients_add"},
    {"POST", "/operator/oidc-clients/{id}/disable", web_page_oidc_client_disable, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "oidc_client_disable"},
    {"GET", "/account/sites", web_page_oidc_consents, 0, HTTP_ROUTE_NO_STORE, "oidc_consents"},
    {"POST", "/account/sites/{id}/withdraw", web_page_oidc_consent_withdraw, FORM_MAX, HTTP_ROUTE_NO_STORE,
     "oidc_consent_withdraw"},
    /* payments of fees (pay_pages.c, api_pay.c) */
    {"POST", "/applications/{id}/pay", web_page_pay_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "pay_start"},
    {"GET", "/payments/{id}/go", web_page_pay_go, 0, HTTP_ROUTE_NO_STORE, "pay_go"},
    {"GET", "/payments/{id}/return", web_page_pay_return, 0, HTTP_ROUTE_NO_STORE, "pay_return"},
    {"GET", "/payments/{id}/receipt", web_page_pay_receipt, 0, HTTP_ROUTE_NO_STORE, "pay_receipt"},
    {"GET", "/payments/{id}/receipt.pdf", web_page_pay_receipt_pdf, 0, HTTP_ROUTE_NO_STORE, "pay_receipt_pdf"},
    {"GET", "/payments/{id}/receipt.pdf.p7s", web_page_pay_receipt_sig, 0, HTTP_ROUTE_NO_STORE, "pay_receipt_sig"},
    /* fines paid without login (fine_pages.c, api_fines.c) */
    {"GET", "/fines", web_page_fines, 0, HTTP_ROUTE_NO_STORE, "fines"},
    {"POST", "/fines/pay", web_page_fines_pay, FORM_MAX, HTTP_ROUTE_NO_STORE, "fines_pay"},
    {"GET", "/fines/paid/{id}", web_page_fines_paid, 0, HTTP_ROUTE_NO_STORE, "fines_paid"},
    {"GET", "/fines/paid/{id}/receipt.pdf", web_page_fines_receipt, 0, HTTP_ROUTE_NO_STORE, "fines_receipt"},
    {"GET", "/fines/paid/{id}/receipt.pdf.p7s", web_page_fines_receipt_sig, 0, HTTP_ROUTE_NO_STORE, "fines_receipt_sig"},
    {"GET", "/api/v1/fines", web_api_fines, 0, HTTP_ROUTE_NO_STORE, "api_fines"},
    {"POST", "/api/v1/fines/payments", web_api_fines_pay, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_fines_pay"},
    {"GET", "/api/v1/fines/payments/{id}", web_api_fines_payment, 0, HTTP_ROUTE_NO_STORE, "api_fines_payment"},
    {"GET", "/office/payments/{id}", web_page_office_payment, 0, HTTP_ROUTE_NO_STORE, "office_payment"},
    {"POST", "/office/payments/{id}/refund", web_page_office_refund_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "office_refund"},
    {"GET", "/operator/payments", web_page_reconciliation, 0, HTTP_ROUTE_NO_STORE, "reconciliation"},
    {"POST", "/operator/payments", web_page_reconciliation_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "reconciliation_post"},
    {"POST", "/api/v1/payments/callback", web_api_pay_callback, PAY_CALLBACK_MAX, HTTP_ROUTE_NO_STORE, "api_pay_callback"},
    {"POST", "/api/v1/payments/reconciliation", web_api_pay_reconcile, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_reconcile"},
    {"POST", "/api/v1/applications/{ref}/payments", web_api_pay_create, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_create"},
    {"GET", "/api/v1/payments/{id}", web_api_pay_get, 0, HTTP_ROUTE_NO_STORE, "api_pay_get"},
    {"POST", "/api/v1/payments/{id}/refunds", web_api_pay_refund, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_pay_refund"},
    /* e-certificates (ecert_pages.c, ecert_verify.c, api_ecert.c; branch ecert) */
    {"GET", "/account/e-certificates", web_page_ecerts, 0, HTTP_ROUTE_NO_STORE, "ecerts"},
    {"POST", "/account/e-certificates", web_page_ecerts_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "ecerts_order"},
    {"GET", "/account/e-certificates/{id}/pdf", web_ecert_pdf, 0, HTTP_ROUTE_NO_STORE, "ecert_pdf"},
    {"POST", "/e-certificates/{id}/revoke", web_page_ecert_revoke_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "ecert_revoke"},
    {"GET", ECERT_VERIFY_PATH, web_page_ecert_verify, 0, HTTP_ROUTE_NO_STORE, "ecert_verify"},
    {"POST", ECERT_VERIFY_PATH, web_page_ecert_verify_post, ECERT_UPLOAD_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART,
     "ecert_verify_post"},
    {"POST", "/api/v1/e-certificates", web_api_ecert_create, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_ecert_create"},
    {"GET", "/api/v1/e-certificates", web_api_ecert_list, 0, HTTP_ROUTE_NO_STORE, "api_ecert_list"},
    {"GET", "/api/v1/e-certificates/verify/{code}", web_api_ecert_verify, 0, HTTP_ROUTE_NO_STORE, "api_ecert_verify"},
    {"GET", "/api/v1/e-certificates/{id}", web_api_ecert_get, 0, HTTP_ROUTE_NO_STORE, "api_ecert_get"},
    {"GET", "/api/v1/e-certificates/{id}/pdf", web_ecert_pdf, 0, HTTP_ROUTE_NO_STORE, "api_ecert_pdf"},
    {"POST", "/api/v1/e-certificates/{id}/revoke", web_api_ecert_revoke, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_ecert_revoke"},
    {"GET", "/api/v1/openapi.yaml", openapi, 0, 0, "api_openapi"},
    {"GET", "/assets/{name}", asset, 0, 0, "asset"},
    {"GET", "/robots.txt", robots, 0, 0, "robots"},
    {"GET", "/favicon.ico", favicon, 0, 0, "favicon"},
    {"GET", "/healthz", health, 0, 0, "healthz"},
    {"GET", "/metrics", metrics, 0, 0, "metrics"},
    /* the e-safe (esafe branch) */
    {"GET", "/esafe", web_page_esafe, 0, HTTP_ROUTE_NO_STORE, "esafe"},
    {"POST", "/esafe/upload", web_page_esafe_upload, UPLOAD_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART, "esafe_upload"},
    {"POST", "/esafe/folders", web_page_esafe_folder_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_folder"},
    {"GET", "/esafe/open", web_page_esafe_open, 0, HTTP_ROUTE_NO_STORE, "esafe_open"},
    {"POST", "/esafe/open", web_page_esafe_open_post, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_open_post"},
    {"GET", "/esafe/documents/{id}", web_page_esafe_doc, 0, HTTP_ROUTE_NO_STORE, "esafe_doc"},
    {"GET", "/esafe/documents/{id}/file", web_page_esafe_file, 0, HTTP_ROUTE_NO_STORE, "esafe_file"},
    {"POST", "/esafe/documents/{id}/move", web_page_esafe_move, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_move"},
    {"POST", "/esafe/documents/{id}/retention", web_page_esafe_retention, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_retention"},
    {"POST", "/esafe/documents/{id}/delete", web_page_esafe_delete, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_delete"},
    {"POST", "/esafe/documents/{id}/shares", web_page_esafe_share, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_share"},
    {"POST", "/esafe/shares/{id}/revoke", web_page_esafe_revoke, FORM_MAX, HTTP_ROUTE_NO_STORE, "esafe_revoke"},
    {"GET", "/api/v1/esafe/documents", web_api_esafe_list, 0, HTTP_ROUTE_NO_STORE, "api_esafe_list"},
    {"POST", "/api/v1/esafe/documents", web_api_esafe_upload, UPLOAD_MAX, HTTP_ROUTE_NO_STORE | HTTP_ROUTE_MULTIPART,
     "api_esafe_upload"},
    {"POST", "/api/v1/esafe/open", web_api_esafe_open, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_esafe_open"},
    {"GET", "/api/v1/esafe/documents/{id}", web_api_esafe_get, 0, HTTP_ROUTE_NO_STORE, "api_esafe_get"},
    {"POST", "/api/v1/esafe/documents/{id}/delete", web_api_esafe_delete, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_esafe_delete"},
    {"GET", "/api/v1/esafe/documents/{id}/content", web_page_esafe_file, 0, HTTP_ROUTE_NO_STORE, "api_esafe_content"},
    {"POST", "/api/v1/esafe/documents/{id}/shares", web_api_esafe_share, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_esafe_share"},
    {"POST", "/api/v1/esafe/shares/{id}/revoke", web_api_esafe_revoke, FORM_MAX, HTTP_ROUTE_NO_STORE, "api_esafe_revoke"},
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

/* monitor: the usage statistics count what was answered (cached answers
 * too): a service page, an application begun, a search.  Nothing about
 * who asked is kept. */
/* An application was begun: the answer leads to it (not to the login). */
static bool begun(const struct http_req *r)
{
    for (const struct http_header *h = r->headers; h; h = h->next)
        if (strcasecmp(h->name, "Location") == 0)
            return pc_str_has_prefix(h->value, "/applications/");
    return false;
}

/* A page seen: the visitor is the address and the browser, the user the
 * account when the page looked the session up (no lookup is made for the
 * count: a cached page stays cheap).  Monitor hashes both with a salt of
 * the day. */
static void count_visit(struct http_req *r, int64_t now)
{
    const struct id_principal *who = web_ctx(r)->who_loaded ? web_who(r) : NULL;
    const char *ua = http_header(r, "User-Agent");
    const char *visitor = pc_arena_printf(&r->arena, "%s|%s", r->remote_addr, ua ? ua : "");
    mon_visit(app_of(r)->db, visitor, who ? who->account_id : NULL, now);
}

static void count_usage(struct http_req *r)
{
    const char *route = http_route_name(r), *q = http_kv_get(&r->query, "q");
    struct db *db = app_of(r)->db;
    int64_t now = pc_now_unix();
    if (r->status == 200 && strcmp(route, "service") == 0)
        mon_usage_count(db, MON_USE_VIEW, http_param(r, 0), now);
    else if (r->status == 303 && strcmp(route, "apply") == 0 && begun(r))
        mon_usage_count(db, MON_USE_START, http_param(r, 0), now);
    else if (r->status == 200 && strcmp(route, "search") == 0 && q && *q)
        mon_usage_count(db, MON_USE_SEARCH, NULL, now);
    if (!r->is_api && r->status < 400 && r->content_type && pc_str_has_prefix(r->content_type, "text/html"))
        count_visit(r, now);
    struct pc_err err = {0};
    mon_usage_flush(db, now, false, &err); /* at most every MON_USAGE_FLUSH_SECONDS; failures are logged */
}

static void after_request(struct http_req *r)
{
    count_usage(r);
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
