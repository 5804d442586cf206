/* internal.h — shared inside src/web only: the HTML writer, the page
 * frame, and the handlers each file registers in portal.c. */
#ifndef PC_WEB_INTERNAL_H
#define PC_WEB_INTERNAL_H

#include "web.h"
#include "i18n.h"
#include "../cases/cases.h"
#include "../ecert/ecert.h"
#include "../catalog/catalog.h"
#include "../identity/identity.h"
#include "../pki/pki.h"
#include "../esafe/esafe.h"

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
    /* a guest applying without login (guest.c) */
    bool guest_loaded;
    struct id_principal guest;
    const char *guest_token;   /* set when the guest cookie named a live guest session */
    int guest_rc;
    struct pc_err guest_err;
    const struct form_set *forms; /* the forms snapshot of this request (case_view.c) */
    struct web_mem_file *mem_files; /* files of a page that reads them itself (uploads.c) */
    /* the post-office kiosk this device is (kiosk.c), looked up once */
    bool kiosk_loaded, at_kiosk;
    struct id_kiosk kiosk;
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

/* ---- post-office kiosks and paper applications (kiosk.c, kiosks.c, paper.c; branch kiosk) ---- */

/* The registered kiosk this device is (its cookie), or NULL. */
#define WEB_KIOSK_COOKIE "pc_kiosk"
const struct id_kiosk *web_kiosk(struct http_req *r);
/* A page session used at a kiosk is bound to it (auth.c calls this once a
 * session is found): 0, or a code when the binding could not be written. */
int web_kiosk_bind(struct http_req *r, struct id_principal *who, struct pc_err *err);
/* The kiosk's part of every page's head and of its body tag (layout.c). */
void web_kiosk_head(struct http_req *r);
const char *web_kiosk_body_attrs(struct http_req *r);
/* A channel in words. */
const char *web_channel_label(struct http_req *r, enum case_channel ch);
/* A case's channel (and district) as facts of a <dl>, and for a paper
 * application the link to its scan under base (…/files/SHA). */
void web_channel_facts(struct http_req *r, const struct case_app *app, const char *base);
/* A receipt's facts (reference, service, when, channel) as a <dl>; base:
 * where the case's files are served, NULL for no link (kiosk.c). */
void web_receipt_facts(struct http_req *r, const struct case_app *app, const char *base);
/* registering paper applications from the back office (paper_pages.c) */
int web_page_paper(struct http_req *r);
int web_page_paper_form(struct http_req *r);
int web_page_paper_post(struct http_req *r);
int web_page_paper_receipt(struct http_req *r);
/* The table of applications by month, district and channel (statistics). */
void web_channel_stats(struct http_req *r, const char *from_month, const char *to_month);
int web_page_kiosk(struct http_req *r);
int web_page_kiosk_end(struct http_req *r);
int web_page_kiosk_alive(struct http_req *r);
int web_page_kiosk_receipt(struct http_req *r);
int web_page_kiosks(struct http_req *r);
int web_page_kiosks_post(struct http_req *r);
int web_page_kiosk_withdraw_post(struct http_req *r);
int web_api_paper_post(struct http_req *r);

/* ---- uploaded files (uploads.c) ---- */

extern const struct http_upload_sink web_upload_sink;
/* The file of an upload as cases knows it (the name it was sent under). */
void web_upload_file(const struct http_upload *u, struct case_file *out);
/* The file cases received for an uploaded part (NULL for a file read in
 * memory or one that could not be received). */
struct case_file_writer *web_upload_part(const struct http_upload *u);
/* Send one of a case's files (404 unless its answers refer to it). */
int web_serve_case_file(struct http_req *r, const struct case_app *app, const char *sha256);
/* Send a stored file as an attachment, streamed; takes rd. */
int web_send_stored_file(struct http_req *r, struct case_file_reader *rd, const struct case_file *info);

/* A file held in memory for a page that reads it itself and keeps
 * nothing: the route says so (web_mem_route: its size limit, 0 for the
 * usual sink).  web_mem_file: the file of that field, NULL when none or too big. */
struct web_mem_file {
    const char *field;
    struct pc_buf buf;
    struct web_mem_file *next;
};
size_t web_mem_route(struct http_req *r);
const struct web_mem_file *web_mem_file(struct http_req *r, const char *field);

/* ---- the certification centre's pages (certs.c, desk_certs.c, verify.c) ---- */
struct web_field_error;
struct pki_actor web_certs_actor(struct http_req *r, enum pki_actor_role role, const char *fin);
/* The portal's RA client in *ca (0), or 1 after a 503 answer (none configured). */
int web_certs_ca(struct http_req *r, struct pki_client **ca);
/* A table of certificates with the actions of who looks: the holder's
 * suspend and revoke, the desk's resume, posting to base/SERIAL/… */
enum web_certs_view { WEB_CERTS_HOLDER, WEB_CERTS_DESK };
void web_certs_table(struct http_req *r, const struct pki_cert *certs, size_t n, const char *base,
                     enum web_certs_view view);
/* Someone else's certificate: 404, as for any other person's object. */
int web_certs_not_theirs(struct http_req *r);
/* The two ways to apply (CSR, PKCS#12), posting to base/csr and base/p12;
 * extra adds fields to both, told which form ("csr", "p12"): the desk's
 * ID-card check. */
struct web_cert_choice {
    const char *value, *label;      /* one more option of the forms' profile list */
};
void web_certs_apply_forms(struct http_req *r, const char *base, const struct web_field_error *errors, int nerrors,
                           void (*extra)(struct http_req *r, const char *form, const struct web_field_error *e, int n),
                           const struct web_cert_choice *more, size_t nmore);
/* What to issue when not the posted profile: a single-purpose
 * certificate for service, answering the person's request_id. */
struct web_cert_order {
    const char *profile, *service, *request_id;
};
/* Issue from the posted form (o NULL: the posted profile) for fin as
 * who: 1 when answered (the certificate, a redirect to done_href, an
 * error page), 0 with field errors to show on the form again. */
int web_certs_issue(struct http_req *r, const struct pki_actor *who, const char *fin, const char *channel, bool p12,
                    const struct web_cert_order *o, const char *done_href, struct web_field_error *errors,
                    int *nerrors);
/* A catalogue service's name in the page's language (else its id). */
const char *web_certs_service_name(struct http_req *r, const char *service_id);
int web_page_certs_single_post(struct http_req *r);
/* A certificate of fin's as a PEM file (someone else's: 404). */
int web_certs_send_pem(struct http_req *r, const struct pki_actor *who, const char *fin, const char *serial);
int web_page_certs(struct http_req *r);
int web_page_certs_csr_post(struct http_req *r);
int web_page_certs_p12_post(struct http_req *r);
int web_page_cert_pem(struct http_req *r);
int web_page_cert_suspend_post(struct http_req *r);
int web_page_cert_revoke_post(struct http_req *r);
int web_page_desk_certs(struct http_req *r);
int web_page_desk_certs_csr_post(struct http_req *r);
int web_page_desk_certs_p12_post(struct http_req *r);
int web_page_desk_cert_pem(struct http_req *r);
int web_page_desk_cert_resume_post(struct http_req *r);
int web_page_verify(struct http_req *r);
int web_page_verify_post(struct http_req *r);
int web_api_cert_stats(struct http_req *r);
/* The decision document of an application, and case_act that seals a
 * decision first when the portal has a centre (decision.c). */
int web_case_act(struct http_req *r, const struct case_app *app, enum case_step step, const char *note,
                 int64_t version, struct case_app *out, struct pc_err *err);
/* The kinds of the agency's sealed documents of a case (pki_doc_get). */
#define WEB_SEALED_DECISION "decision"
#define WEB_SEALED_APPEAL "appeal"
/* doc sealed by the centre with the case agency's key (the portal has a
 * centre: app_of(r)->ca), as out (object_id the case, kind, at); an
 * agency without a valid seal is PC_EUNAVAIL. */
int web_seal_text(struct http_req *r, const struct case_app *app, const char *kind, const char *doc, int64_t at,
                  struct pki_sealed_doc *out, struct pc_err *err);
/* A case's sealed document (its text, or its detached signature) as a
 * file, for whoever the caller let see the case; what is "document",
 * "signature", or KIND-document / KIND-signature for another kind
 * ("appeal-document", "grant-ended-signature"); 404 when none. */
int web_send_sealed(struct http_req *r, const struct case_app *app, const char *what);
/* The sealed outcome of the case's appeal, when there is one: a heading
 * and its two files under base (base/appeal-document, …). */
void web_appeal_outcome(struct http_req *r, const struct case_app *app, const char *base);
/* The files of the case's appeal (appeal_files.c): listed with links
 * under base (base/appeal-files/SHA), and for the applicant while the
 * appeal is under review the form that attaches more. */
void web_appeal_files_section(struct http_req *r, const struct case_app *app, const char *base, bool applicant);
int web_page_application_appeal_files_post(struct http_req *r);
int web_page_application_appeal_file(struct http_req *r);
int web_page_office_appeal_file(struct http_req *r);
int web_page_application_sealed(struct http_req *r);
const char *web_decision_document(struct http_req *r, const struct case_app *app, enum case_state outcome,
                                  const char *decision, int64_t at);

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

/* Only a local path may be where a login continues (no "//host", no
 * scheme, no control characters): next, else "/account" (login.c). */
const char *web_safe_next(const char *next);
/* account pages (account.c) and registration centre (registrar.c) */
int web_page_login(struct http_req *r);
int web_page_login_post(struct http_req *r);
int web_page_login_2fa_post(struct http_req *r);
/* login.c, for the other ways of logging in: the second-factor step. */
void web_login_second_factor(struct http_req *r, const char *ticket, const char *next);
/* logging in with the phone (login_mobile.c) */
int web_page_login_mobile(struct http_req *r);
int web_page_login_mobile_post(struct http_req *r);
int web_page_login_qr_post(struct http_req *r);
int web_page_login_mobile_wait(struct http_req *r);
/* The phone's ways on the code-password page. */
void web_login_phone_ways(struct http_req *r);
/* The registrar's look at the person of the URL ({fin}), logged; 1 when
 * the answer (refusal, 404) is written (registrar.c). */
int web_registrar_person(struct http_req *r, struct id_person *person);
/* registering a mobile signature at the desk (desk_mobile.c) */
int web_page_desk_mobile(struct http_req *r);
int web_page_desk_mobile_post(struct http_req *r);
/* A QR code of text as a PNG data: URI, or NULL (qr.c). */
const char *web_qr_data_uri(struct http_req *r, const char *text);
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
/* certificate login (cert_login.c) */
int web_page_cert_login(struct http_req *r);
int web_page_cert_login_post(struct http_req *r);
int web_page_tls_login(struct http_req *r);
int web_api_cert_challenge(struct http_req *r);
int web_api_cert_login(struct http_req *r);
/* login levels (levels.c): the step-up page; web_require_level answers
 * (a redirect to it, or the API's problem naming the level) and returns
 * false when who lacks the level service_id asks for; "this login" on
 * the account page. */
int web_page_step_up(struct http_req *r);
bool web_require_level(struct http_req *r, const char *service_id);
void web_login_facts(struct http_req *r, const struct id_principal *p);
/* signed applications (signing.c): the check page's signing section, the
 * signature's post (after the handler checked the draft is the caller's),
 * the bytes to sign, the signed bundle (name: application.json or
 * application.json.p7s), and the signature's facts under base (the
 * application's or the case's URL). */
void web_sign_section(struct http_req *r, const struct form_def *def, const struct case_app *app);
int web_sign_post(struct http_req *r, const struct case_app *app);
/* Base64 as people and tools write it (standard or URL-safe, padded or
 * not, wrapped), at most max characters: the bytes, or NULL. */
const unsigned char *web_b64_decode(struct http_req *r, const char *text, size_t max, size_t *len);
/* signing a draft through the API (api_sign.c): the document to sign and
 * the signature made with the certificate's own key */
int web_api_application_signing(struct http_req *r);
int web_api_application_signature(struct http_req *r);
/* Check and keep a detached CMS signature of app (case_sign), then back
 * to the check page naming the outcome. */
int web_sign_store(struct http_req *r, const struct case_app *app, const unsigned char *der, size_t len);
/* The mobile signature's way (sign_mobile.c): its part of the check
 * page's section, its refusals' texts (NULL for another name), the start
 * and the waiting page. */
void web_sign_mobile_section(struct http_req *r, const struct case_app *app);
const char *web_sign_mobile_refusal(struct http_req *r, const char *name);
int web_sign_mobile_post(struct http_req *r, const struct case_app *app);
int web_sign_mobile_wait(struct http_req *r, const struct case_app *app);
int web_serve_to_sign(struct http_req *r, const struct case_app *app);
int web_serve_signed(struct http_req *r, const struct case_app *app, const char *name);
void web_signature_facts(struct http_req *r, const struct case_app *app, const char *base);
int web_page_apply_sign(struct http_req *r);
int web_page_apply_sign_mobile(struct http_req *r);
int web_page_apply_sign_mobile_wait(struct http_req *r);
int web_page_apply_to_sign(struct http_req *r);
int web_page_application_signed(struct http_req *r);
int web_page_office_signed(struct http_req *r);
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
/* One question of a form as a field (apply.c), with its answer and its
 * issue, under the name its answer is posted as; the error summary's
 * entries for issues (errs holds FORM_MAX_ISSUES), their count returned.
 * Applications and surveys render their questions with these. */
void web_question_html(struct http_req *r, const struct form_question *q, const char *name,
                       const struct form_value *v, const struct form_issues *issues);
/* A group question with its items and its add and remove buttons. */
void web_group_html(struct http_req *r, const struct form_question *g, const struct form_answers *answers,
                    const struct form_issues *issues);
int web_form_errors(struct http_req *r, const struct form_def *def, const struct form_issues *issues,
                    struct web_field_error *errs);
/* A posted page of questions as cases reads it (fields, files, the add and
 * remove buttons), for the draft's version shown (apply.c). */
struct form_post;
void web_form_post(struct http_req *r, int64_t version, struct form_post *post);
void web_answers_list(struct http_req *r, const struct form_def *def, const struct form_answers *answers,
                      const char *change_base, const char *file_base);
void web_history_list(struct http_req *r, const char *app_id);
/* applying without login (guest.c): the applicant of the request (the
 * logged-in person, else the guest of the guest cookie, else NULL);
 * whether the guest's lookup failed (then answered with web_fail); the
 * applicant of a new draft for service (the logged-in person, allowed and
 * with the level, or for a service of level none a guest, made now when
 * the visitor has none; NULL when the answer is written); the page before
 * a guest's first draft; the check page's contact field; the page that
 * shows a guest's reference and access code once; following a case with
 * them; a guest's case on the officer's page. */
const struct id_principal *web_applicant(struct http_req *r);
bool web_guest_failed(struct http_req *r);
const struct id_principal *web_new_applicant(struct http_req *r, const char *service);
int web_page_apply_guest(struct http_req *r);
void web_guest_contact_field(struct http_req *r, const char *value, const struct web_field_error *errors, int n);
int web_guest_sent(struct http_req *r, const struct case_app *app, const char *code);
int web_page_follow(struct http_req *r);
int web_page_follow_post(struct http_req *r);
void web_guest_facts(struct http_req *r, const struct case_app *app);
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
int web_page_application_appeal(struct http_req *r);
int web_page_application_file(struct http_req *r);
int web_page_application_result(struct http_req *r);
int web_page_application_result_document(struct http_req *r);
int web_page_application_result_signature(struct http_req *r);
int web_api_upload(struct http_req *r);
int web_page_office(struct http_req *r);
int web_page_office_case(struct http_req *r);
int web_page_office_act(struct http_req *r);
/* field visits (inspect_pages.c) */
int web_page_inspect_visits(struct http_req *r);
int web_page_inspect_visit(struct http_req *r);
int web_page_inspect_visit_post(struct http_req *r);
int web_page_inspect_photo(struct http_req *r);
int web_page_inspect_worker(struct http_req *r);
int web_page_office_inspection_post(struct http_req *r);
/* The field visit box of the officer's case page (nothing when the agency has no inspectors). */
void web_inspection_box(struct http_req *r, const struct case_app *app);
/* office.c: the case of the URL if it is the officer's agency's (else the
 * 404 is answered and 1 returned); the case page, with the error of a
 * refused note or social-assistance change when given */
int web_office_case(struct http_req *r, struct case_app *app);
/* web_office_case for a download of one of the case's files: the read is
 * recorded in the person's access log; 1 when answered. */
int web_office_file_case(struct http_req *r, struct case_app *app);
int web_office_case_page(struct http_req *r, const char *note_error, const char *social_error);
/* social.c (vemtas): social assistance on the case page and in the API */
int web_social_section(struct http_req *r, const struct case_app *app, const char *error);
int web_social_api(struct http_req *r, const struct case_app *app, json_t *j);
/* seal2: for the applicant, the grant's sealed later decisions (extended,
 * ended) with their signatures under base (base/grant-ended-document, …);
 * nothing for another service or when none. */
void web_social_sealed(struct http_req *r, const struct case_app *app, const char *base);
int web_page_office_social_grant(struct http_req *r);   /* vemtas2: resume, extend or end a grant */
int web_page_office_social_refetch(struct http_req *r);
int web_page_office_social_proposal(struct http_req *r);
int web_page_office_file(struct http_req *r);
int web_page_office_decision(struct http_req *r);
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
int web_page_isreg_file_post(struct http_req *r);
int web_page_isreg_file(struct http_req *r);
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
int web_page_pay_receipt_sig(struct http_req *r);
/* A receipt's names (service, agency, application) in lang; the PDF's
 * are Azerbaijani, so the same payment gives the same sealed bytes. */
struct pay_payment;
struct pay_receipt_info;
void web_receipt_names(struct http_req *r, const struct pay_payment *p, enum pc_lang lang,
                       struct pay_receipt_info *info);
/* Send a receipt's PDF, or (signature) its seal as a detached .p7s made
 * by the certification centre (404 when none is configured). */
int web_send_receipt(struct http_req *r, const struct pay_receipt_info *info, bool signature);
/* fines paid without login (fine_pages.c, api_fines.c) */
int web_page_fines(struct http_req *r);
int web_page_fines_pay(struct http_req *r);
int web_page_fines_paid(struct http_req *r);
int web_page_fines_receipt(struct http_req *r);
int web_page_fines_receipt_sig(struct http_req *r);
int web_api_fines(struct http_req *r);
int web_api_fines_pay(struct http_req *r);
int web_api_fines_payment(struct http_req *r);
/* The JSON object of the body, or NULL with a 400 written (api_pay.c). */
json_t *web_json_body(struct http_req *r);
int web_page_office_payment(struct http_req *r);
int web_page_office_refund_post(struct http_req *r);
int web_page_reconciliation(struct http_req *r);
int web_page_reconciliation_post(struct http_req *r);
int web_api_pay_callback(struct http_req *r);
int web_api_pay_create(struct http_req *r);
int web_api_pay_get(struct http_req *r);
int web_api_pay_refund(struct http_req *r);
int web_api_pay_reconcile(struct http_req *r);

/* OpenID Connect provider (oidc.c) and the operator's sites (oidc_clients.c) */
int web_oidc_discovery(struct http_req *r);
int web_oidc_jwks(struct http_req *r);
int web_oidc_token(struct http_req *r);
int web_oidc_userinfo(struct http_req *r);
int web_oidc_authorize(struct http_req *r);
int web_oidc_continue(struct http_req *r);
int web_oidc_continue_post(struct http_req *r);
int web_oidc_logout(struct http_req *r);
int web_oidc_logout_post(struct http_req *r);
/* The person's portal session is about to end: tell the sites it signed in to. */
void web_oidc_session_ending(struct http_req *r);
/* … every session of the person's account is about to end. */
void web_oidc_account_ending(struct http_req *r);
int web_page_oidc_clients(struct http_req *r);
int web_page_oidc_clients_post(struct http_req *r);
int web_page_oidc_client_disable(struct http_req *r);
/* What a site learns, in the request's language (an enum oidc_claim). */
const char *web_oidc_claim_text(struct http_req *r, int claim);
/* … and the person's own list of the sites they let in (oidc_consents.c) */
int web_page_oidc_consents(struct http_req *r);
int web_page_oidc_consent_withdraw(struct http_req *r);

/* page handlers (pages.c) */
int web_page_home(struct http_req *r);
int web_page_agencies(struct http_req *r);
int web_page_agency(struct http_req *r);
int web_page_services(struct http_req *r);
int web_page_search(struct http_req *r);
int web_page_no_registration(struct http_req *r);
int web_page_service(struct http_req *r);
int web_page_service_start(struct http_req *r);

/* published evaluation campaigns (evaluation.c) */
int web_page_evaluations(struct http_req *r);
int web_page_evaluation(struct http_req *r);
int web_page_evaluation_csv(struct http_req *r);
int web_page_evaluation_json(struct http_req *r);
/* A service's published evaluation: its row in the newest campaign that
 * evaluated it (data/evaluations, the single source of the published
 * scores), else the catalogue's own figures (an operator's catalogue). */
const struct cat_maturity *web_maturity(struct http_req *r, const struct cat_service *s);
/* The service page's live self-assessment: the level the platform
 * measures, flagged when the published one is higher, and how. */
void web_live_section(struct http_req *r, const struct cat_service *s, const struct cat_maturity *published);
int web_page_live(struct http_req *r);
/* A campaign's report (charts, results by group, recommendations,
 * discrepancies; agency_only: one body's rows and recommendations only)
 * at `page` under the breadcrumb parent, its downloads at
 * base/results.csv|json.  Published and portal campaigns alike. */
struct mon_published;
int web_evaluation_report(struct http_req *r, const struct mon_published *c, const char *agency, bool agency_only,
                          const char *parent, const char *parent_url, const char *page, const char *base);
/* evaluation campaigns made in the portal (campaigns.c) */
int web_page_campaigns(struct http_req *r);
int web_page_campaigns_post(struct http_req *r);
int web_page_campaign(struct http_req *r);
int web_page_campaign_service_post(struct http_req *r);
int web_page_campaign_group(struct http_req *r);
int web_page_campaign_group_post(struct http_req *r);
int web_page_campaign_submit_post(struct http_req *r);
int web_page_campaign_review_post(struct http_req *r);
int web_page_campaign_report(struct http_req *r);
int web_page_campaign_csv(struct http_req *r);
int web_page_campaign_json(struct http_req *r);
int web_page_campaign_file(struct http_req *r);
/* the operator keeps the registry of approved e-services (approved_edit.c) */
int web_page_approved_edit(struct http_req *r);
int web_page_approved_decision_post(struct http_req *r);
int web_page_approved_entry_post(struct http_req *r);
int web_page_approved_mark_post(struct http_req *r);
/* usage statistics (statistics.c) */
int web_page_statistics(struct http_req *r);
int web_page_statistics_csv(struct http_req *r);
int web_page_statistics_json(struct http_req *r);
int web_page_statistics_visits_csv(struct http_req *r);
/* An agency's name in the request's language from a list of them (the id
 * when it is not there). */
const char *web_agency_name(struct http_req *r, const struct cat_agency *list, size_t n, const char *id);
/* the registry of approved e-services (approved.c) */
int web_page_approved(struct http_req *r);

/* API handlers (api.c) */
/* Send j (which is consumed) as application/json. */
int web_reply_json(struct http_req *r, int status, json_t *j);
int web_api_agencies(struct http_req *r);
int web_api_agency(struct http_req *r);
int web_api_services(struct http_req *r);
int web_api_service(struct http_req *r);
int web_api_life_events(struct http_req *r);

/* ---- participation and the online queue (api_*.c of polls, queue, feedback, surveys; poll_pages.c, queue_pages.c, feedback_pages.c) ---- */

/* The request body as a JSON object (released with the request), or NULL. */
json_t *web_body_object(struct http_req *r);
/* Whether someone is logged in; else the 401 (or login redirect) is written. */
bool web_logged_in(struct http_req *r);
/* An RFC 3339 UTC time. */
json_t *web_json_time(int64_t t);
int web_api_polls(struct http_req *r);
int web_api_poll(struct http_req *r);
int web_api_polls_post(struct http_req *r);
int web_api_poll_close(struct http_req *r);
int web_api_poll_vote(struct http_req *r);
int web_api_poll_ballot(struct http_req *r);
int web_api_poll_results(struct http_req *r);
int web_api_queue_centres(struct http_req *r);
int web_api_queue_slots(struct http_req *r);
int web_api_queue_book(struct http_req *r);
int web_api_queue_booking(struct http_req *r);
int web_api_queue_cancel(struct http_req *r);
int web_api_queue_move(struct http_req *r);
int web_api_queue_day(struct http_req *r);
int web_api_queue_check_in(struct http_req *r);
int web_api_queue_call(struct http_req *r);
int web_api_queue_no_show(struct http_req *r);
int web_api_queue_holiday(struct http_req *r);
int web_api_queue_centre_put(struct http_req *r);
int web_page_queue_display(struct http_req *r);
int web_page_queue(struct http_req *r);
int web_page_queue_centre(struct http_req *r);
int web_page_queue_book_post(struct http_req *r);
int web_page_queue_booking(struct http_req *r);
int web_page_queue_mine(struct http_req *r);
int web_page_queue_cancel_post(struct http_req *r);
int web_page_queue_move_post(struct http_req *r);
int web_page_queue_desk(struct http_req *r);
int web_page_queue_desk_post(struct http_req *r);
int web_page_polls(struct http_req *r);
int web_page_poll(struct http_req *r);
int web_page_poll_vote(struct http_req *r);
int web_api_surveys_post(struct http_req *r);
int web_api_survey(struct http_req *r);
int web_api_survey_respond(struct http_req *r);
int web_api_survey_results(struct http_req *r);
int web_api_survey_csv(struct http_req *r);
int web_page_survey_results(struct http_req *r);
int web_page_survey(struct http_req *r);
int web_page_survey_post(struct http_req *r);
int web_page_feedback(struct http_req *r);
int web_page_feedback_post(struct http_req *r);
int web_page_complaint_post(struct http_req *r);
int web_page_complaints(struct http_req *r);
int web_page_complaint(struct http_req *r);
int web_page_complaint_answer_post(struct http_req *r);
int web_page_moderation(struct http_req *r);
int web_page_moderation_post(struct http_req *r);
int web_api_feedback_post(struct http_req *r);
int web_api_feedback(struct http_req *r);
int web_api_feedback_pending(struct http_req *r);
/* A service's ratings and published comments (feedback_pages.c), loaded
 * before the page begins, shown on its feedback page and its catalogue
 * page; the comments under a heading of level h (2 or 3). */
struct part_feedback;
struct web_ratings {
    int64_t count[5], total;         /* ratings of 1..5 stars */
    double average;
    struct part_feedback *comments;
    size_t ncomments;
};
int web_ratings_load(struct http_req *r, const char *service, struct web_ratings *out, struct pc_err *err);
void web_ratings_html(struct http_req *r, const struct web_ratings *w, int h);
int web_api_feedback_moderate(struct http_req *r);
int web_api_complaints_post(struct http_req *r);
int web_api_complaints(struct http_req *r);
int web_api_complaint(struct http_req *r);
int web_api_complaint_answer(struct http_req *r);

/* the e-safe (esafe_pages.c, api_esafe.c) */
/* The e-safe the asker may use: their own person's, or the company's they
 * act for (id_authorize ID_ACT_ESAFE); false with the answer written
 * (login, 401, 403 for staff). */
bool web_esafe_owner(struct http_req *r, struct esafe_owner *o);
struct esafe_actor web_esafe_actor(struct http_req *r);
/* A document's content as an attachment. */
int web_esafe_send(struct http_req *r, const struct esafe_doc *d);
/* The document of the address ({id}) in the asker's e-safe: 0, or 1
 * with the answer written (404 for anyone else's). */
int web_esafe_doc(struct http_req *r, struct esafe_owner *o, struct esafe_doc *d);
/* … with its shares and who opened them. */
struct web_esafe_view {
    struct esafe_owner o;
    struct esafe_doc d;
    struct esafe_share *shares;
    struct esafe_opening *openings;
    size_t nshares, nopenings;
};
int web_esafe_view(struct http_req *r, struct web_esafe_view *v);
/* One of the owner's changes (esafe_delete, esafe_share_revoke) on the
 * object of the address: its code (0 done), or 1 when the asker has no
 * e-safe (answered). */
typedef int (*web_esafe_change_fn)(struct db *db, const struct esafe_owner *o, const struct esafe_actor *by,
                                   const char *id, struct pc_err *err);
int web_esafe_change(struct http_req *r, web_esafe_change_fn fn, struct pc_err *err);
/* Keep the one uploaded file of the request in the asker's e-safe (o)
 * under the posted title: 0 with id set, or 1 with the answer written
 * (no e-safe; 413, 415, 400). */
int web_esafe_keep_upload(struct http_req *r, struct esafe_owner *o, char *id);
int web_page_esafe(struct http_req *r);
int web_page_esafe_upload(struct http_req *r);
int web_page_esafe_folder_post(struct http_req *r);
int web_page_esafe_doc(struct http_req *r);
int web_page_esafe_file(struct http_req *r);
int web_page_esafe_move(struct http_req *r);
int web_page_esafe_retention(struct http_req *r);
int web_page_esafe_delete(struct http_req *r);
int web_page_esafe_share(struct http_req *r);
int web_page_esafe_revoke(struct http_req *r);
int web_page_esafe_open(struct http_req *r);
int web_page_esafe_open_post(struct http_req *r);
int web_api_esafe_list(struct http_req *r);
int web_api_esafe_upload(struct http_req *r);
int web_api_esafe_get(struct http_req *r);
int web_api_esafe_delete(struct http_req *r);
int web_api_esafe_share(struct http_req *r);
int web_api_esafe_revoke(struct http_req *r);
int web_api_esafe_open(struct http_req *r);
/* ---- e-certificates (ecert.c, ecert_pages.c, ecert_verify.c, api_ecert.c; branch ecert) ---- */
extern const enum msg web_ecert_kind_msgs[ECERT_KIND_COUNT];
extern const enum msg web_ecert_state_msgs[ECERT_STATE_COUNT];
/* Issue one of kind for the logged-in person (sealed by the agency). */
int web_ecert_issue(struct http_req *r, enum ecert_kind kind, struct ecert *out, struct pc_err *err);
/* The logged-in person's FİN when they may act on their own
 * e-certificates; NULL with the refusal written. */
const char *web_ecert_owner(struct http_req *r);
/* The logged-in person's own, newest first (0); 1 with the refusal written. */
#define WEB_ECERT_LIST_MAX 100
int web_ecert_mine(struct http_req *r, struct ecert **list, size_t *n);
/* The certificate id if it is the asker's (0); 1 with 401/404 written. */
int web_ecert_visible(struct http_req *r, const char *id, struct ecert *out);
/* The role in which the asker may revoke e (owner, or the issuing
 * agency's officer), -1 when they may not. */
int web_ecert_revoke_role(struct http_req *r, const struct ecert *e);
/* Revoke the certificate of the URL ({id}) as the asker: 0 with *e as it
 * was; 1 with the answer written (login, 404 for anyone else's, 409). */
int web_ecert_revoke(struct http_req *r, struct ecert *e);
int web_ecert_send_pdf(struct http_req *r, const struct ecert *e);
const char *web_ecert_verify_url(struct http_req *r, const char *code);
/* The verification page's upload limit (web_mem_route), 0 for other routes. */
size_t web_ecert_mem_route(struct http_req *r);
int web_page_ecerts(struct http_req *r);
int web_page_ecerts_post(struct http_req *r);
/* The PDF of the URL's ({id}) certificate for its owner (page and API). */
int web_ecert_pdf(struct http_req *r);
int web_page_ecert_revoke_post(struct http_req *r);
int web_page_ecert_verify(struct http_req *r);
int web_page_ecert_verify_post(struct http_req *r);
int web_api_ecert_create(struct http_req *r);
int web_api_ecert_list(struct http_req *r);
int web_api_ecert_get(struct http_req *r);
int web_api_ecert_revoke(struct http_req *r);
int web_api_ecert_verify(struct http_req *r);
/* once only (once_pages.c): the registries through the exchange */
struct id_person;
/* The registry's name in the request's language ("Population register"). */
const char *web_registry_name(struct http_req *r, const char *kind);
/* "Source: Population register, at 11:32". */
const char *web_once_source(struct http_req *r, const char *kind, int64_t at);
/* The ground of a registry read in words (registration, acting for, a case, a draft). */
const char *web_once_ground(struct http_req *r, const char *ground);
/* Registration at the desk: with the exchange configured, the person must
 * be in the population register under the same names and birth date.  0:
 * go on; 1: the refusal or failure is answered (nothing was created). */
int web_once_check_person(struct http_req *r, const struct id_person *p);
/* Acting for a company: with the exchange configured, the taxpayer
 * register must list the person as its director or a representative.
 * 0: go on; 1: answered (403, or the failure). */
int web_once_check_act_for(struct http_req *r, const char *voen);

#endif
