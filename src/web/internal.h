/* internal.h — shared inside src/web only: the HTML writer, the page
 * frame, and the handlers each file registers in portal.c. */
#ifndef PC_WEB_INTERNAL_H
#define PC_WEB_INTERNAL_H

#include "web.h"
#include "i18n.h"
#include "../cases/cases.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"

#include <jansson.h>

/* The portal's state of one request (r->ctx), made on first use by
 * web_ctx (context.c), which resolves the language then, once. */
struct web_ctx {
    enum pc_lang lang;
    bool lang_bad;             /* ?lang= named no language */
    /* who is asking (auth.c) */
    bool who_loaded, logged_in;
    struct id_principal who;
    const char *token;
    int who_rc;                /* the lookup failed (database), not "logged out" */
    struct pc_err who_err;
    const char *anon_csrf;     /* double-submit token for forms before login */
    const struct form_set *forms; /* the forms snapshot of this request (case_view.c) */
};
struct web_ctx *web_ctx(struct http_req *r);

/* Append to r->out (html.c).  Conversions: %s text (HTML-escaped), %r raw trusted
 * HTML, %q text percent-encoded for a URL, %d int, %L long long, %%.
 * Escaping is the default on purpose: raw output has to be asked for. */
void web_html(struct http_req *r, const char *fmt, ...);

/* The page frame: <head>, header with language switch and menu, <main>. */
void web_page_begin(struct http_req *r, const char *title);
void web_page_end(struct http_req *r);
/* Breadcrumb trail: pairs of (label, href), last href NULL = current page. */
void web_page_breadcrumbs(struct http_req *r, const char *const *items, int n);

/* The portal's app from a request. */
static inline struct portal_app *app_of(struct http_req *r)
{
    return r->app;
}

/* Error page hook for http (404, 400, …), in the request's language
 * (layout.c). */
void web_error_page(struct http_req *r, int status, const char *type, const char *title, const char *detail);

/* The one way a handler answers a failed domain call: the error's code
 * picks the status and problem type (PC_ENOTFOUND 404, PC_EINVAL 400,
 * PC_EDENIED 403, PC_ECONFLICT 409, PC_ELIMIT 429, PC_ETOOBIG 413, the
 * rest 503 with Retry-After), and the cause is logged once with the route
 * and the code (at error level for 5xx).  Returns 0, as a handler does
 * (fail.c). */
int web_fail(struct http_req *r, int rc, const struct pc_err *err);
/* Hook run before every handler: language checks and cookie (i18n.c). */
int web_before(struct http_req *r);

/* ---- who is asking (auth.c) ---- */

/* The logged-in principal, or NULL.  (A session the database could not
 * look up is not "logged out": web_auth_before answers 503 for it.) */
const struct id_principal *web_who(struct http_req *r);
const char *web_session_token(struct http_req *r);
/* Set (token) or clear (NULL) the session cookie. */
void web_set_session_cookie(struct http_req *r, const char *token);
/* A hidden CSRF field for a form that posts. */
void web_csrf_field(struct http_req *r);
/* Runs before every handler: language, then CSRF on form posts. */
int web_auth_before(struct http_req *r);
/* For a body with files, when its head is complete: the session, the CSRF
 * token (in the address or X-CSRF-Token), and may the asker do action?
 * 0, or 1 with the answer written. */
int web_auth_admit(struct http_req *r, enum id_action action);
/* "csrf=TOKEN", for the address of a form that posts files. */
const char *web_csrf_query(struct http_req *r);
/* Ask id_authorize; when denied, write the answer (login redirect, 401,
 * 403 or 404 for another person's object) and return false. */
bool web_require(struct http_req *r, enum id_action action, const struct id_resource *res);

/* ---- uploaded files (uploads.c) ---- */

extern const struct http_upload_sink web_upload_sink;
/* The file of an upload as cases knows it (the name it was sent under). */
void web_upload_file(const struct http_upload *u, struct case_file *out);
/* Send one of a case's files (404 unless its answers refer to it). */
int web_serve_case_file(struct http_req *r, const struct case_app *app, const char *sha256);

/* ---- forms (form.c) ---- */

struct web_field_error {
    const char *field;     /* id of the input */
    const char *message;
};

struct web_field {
    const char *id, *label, *hint, *value, *type, *autocomplete;
    int maxlength;
};

void web_form_title(struct http_req *r, const char *title, int nerrors);
/* On the error page of a form post that failed for a while (503): the
 * posted fields (never passwords) as hidden inputs of a form that posts
 * them again, so nothing typed is lost. */
void web_retry_form(struct http_req *r);
/* A page that shows a one-time code once (grouped XXXX-XXXX-XX), what to
 * do with it, that it lasts 72 hours, and a link back. */
void web_code_page(struct http_req *r, const char *title, const char *code, const char *what_to_do,
                   const char *back_href, const char *back_label);
void web_error_summary(struct http_req *r, const struct web_field_error *errors, int n);
void web_text_field(struct http_req *r, const struct web_field *f, const struct web_field_error *errors, int nerrors);

/* account pages (account.c) and registration centre (registrar.c) */
int web_page_login(struct http_req *r);
int web_page_login_post(struct http_req *r);
int web_page_login_2fa_post(struct http_req *r);
int web_page_totp(struct http_req *r);
int web_page_totp_post(struct http_req *r);
int web_page_logout_post(struct http_req *r);
int web_page_activate(struct http_req *r);
int web_page_activate_post(struct http_req *r);
int web_page_account(struct http_req *r);
int web_page_sessions(struct http_req *r);
int web_page_sessions_revoke_all(struct http_req *r);
int web_page_act_for_post(struct http_req *r);
int web_page_register(struct http_req *r);
int web_page_register_post(struct http_req *r);
int web_page_reset(struct http_req *r);
int web_page_reset_post(struct http_req *r);
int web_page_outbox(struct http_req *r);
int web_page_audit(struct http_req *r);
int web_page_staff(struct http_req *r);
int web_page_staff_add_post(struct http_req *r);
int web_page_staff_remove_post(struct http_req *r);
int web_page_registrar(struct http_req *r);
int web_page_registrar_person(struct http_req *r);
int web_page_registrar_issue_post(struct http_req *r);
int web_api_auth_password(struct http_req *r);
int web_api_auth_logout(struct http_req *r);
int web_page_staff_confirm_post(struct http_req *r);
int web_api_service_form(struct http_req *r);
/* what the application pages share (case_view.c) */
/* The forms as this request sees them (released with the request). */
const struct form_set *web_forms(struct http_req *r);
/* The message of each state, step and answer issue (every value has one). */
enum msg web_state_msg(enum case_state s);
enum msg web_step_msg(enum case_step s);
enum msg web_issue_msg(enum form_issue_code c);
const char *web_state_label(struct http_req *r, enum case_state s);
/* An issue's message in the request's language, with its limit. */
const char *web_issue_text(struct http_req *r, const struct form_issue *i);
void web_answers_list(struct http_req *r, const struct form_def *def, const struct form_answers *answers,
                      const char *change_base, const char *file_base);
void web_history_list(struct http_req *r, const char *app_id);
/* applications in HTML (apply.c) */
int web_page_apply_post(struct http_req *r);
int web_page_apply_page(struct http_req *r);
int web_page_apply_page_post(struct http_req *r);
int web_page_apply_check(struct http_req *r);
int web_page_apply_submit(struct http_req *r);
int web_page_my_applications(struct http_req *r);
int web_page_application(struct http_req *r);
int web_page_application_respond(struct http_req *r);
int web_page_application_cancel(struct http_req *r);
int web_page_application_file(struct http_req *r);
int web_page_application_result(struct http_req *r);
int web_api_upload(struct http_req *r);
int web_page_office(struct http_req *r);
int web_page_office_case(struct http_req *r);
int web_page_office_act(struct http_req *r);
int web_page_office_file(struct http_req *r);
int web_api_applications_post(struct http_req *r);
int web_api_applications_list(struct http_req *r);
int web_api_application_get(struct http_req *r);
int web_api_application_action(struct http_req *r);
int web_api_me(struct http_req *r);
/* Refuse (400) query parameters not in allowed (NULL-terminated). */
bool web_only_params(struct http_req *r, const char *const *allowed);
/* the register of information systems (api_isreg.c, isreg_pages.c) */
int web_api_isreg_list(struct http_req *r);
int web_api_isreg_get(struct http_req *r);
int web_api_isreg_stats(struct http_req *r);
int web_api_isreg_csv(struct http_req *r);
int web_api_isreg_create(struct http_req *r);
int web_api_isreg_card(struct http_req *r);
int web_api_isreg_action(struct http_req *r);
int web_api_isreg_overdue(struct http_req *r);
int web_api_isreg_finding(struct http_req *r);
int web_api_isreg_finding_close(struct http_req *r);
int web_api_isreg_known(struct http_req *r);
int web_page_isreg_list(struct http_req *r);
int web_page_isreg_stats(struct http_req *r);
int web_page_isreg_overdue(struct http_req *r);
int web_page_isreg_system(struct http_req *r);
int web_page_isreg_act(struct http_req *r);
int web_page_isreg_new(struct http_req *r);
int web_page_isreg_new_post(struct http_req *r);
int web_page_isreg_edit(struct http_req *r);
int web_page_isreg_edit_post(struct http_req *r);
const char *web_role_label(struct http_req *r, enum id_role role);
/* payments of fees (pay_pages.c, api_pay.c) */
void web_pay_fee_notice(struct http_req *r, const struct cat_service *s);
/* On "check your answers" of a draft whose fee is paid first: the pay
 * button instead of the submit button (true when shown). */
bool web_pay_check_button(struct http_req *r, const struct case_app *app);
/* An application's fee, its payments, and (for the applicant) "pay now". */
void web_pay_box(struct http_req *r, const struct case_app *app, bool staff);
int web_page_pay_post(struct http_req *r);
int web_page_pay_go(struct http_req *r);
int web_page_pay_return(struct http_req *r);
int web_page_pay_receipt(struct http_req *r);
int web_page_pay_receipt_pdf(struct http_req *r);
int web_page_office_payment(struct http_req *r);
int web_page_office_refund_post(struct http_req *r);
int web_page_reconciliation(struct http_req *r);
int web_page_reconciliation_post(struct http_req *r);
int web_api_pay_callback(struct http_req *r);
int web_api_pay_create(struct http_req *r);
int web_api_pay_get(struct http_req *r);
int web_api_pay_refund(struct http_req *r);
int web_api_pay_reconcile(struct http_req *r);

/* page handlers (pages.c) */
int web_page_home(struct http_req *r);
int web_page_agencies(struct http_req *r);
int web_page_agency(struct http_req *r);
int web_page_services(struct http_req *r);
int web_page_search(struct http_req *r);
int web_page_no_registration(struct http_req *r);
int web_page_service(struct http_req *r);
int web_page_service_start(struct http_req *r);

/* API handlers (api.c) */
/* Send j (which is consumed) as application/json. */
int web_reply_json(struct http_req *r, int status, json_t *j);
int web_api_agencies(struct http_req *r);
int web_api_agency(struct http_req *r);
int web_api_services(struct http_req *r);
int web_api_service(struct http_req *r);
int web_api_life_events(struct http_req *r);

#endif
