/* paper_pages.c — registering a paper application from the back office
 * (/office/paper): an officer of the service's agency or a post-office
 * operator types in the applicant (FİN and the identity card shown), the
 * district, the answers of the paper form (the service's own questions,
 * rendered by the application pages' code, every page on one page) and
 * attaches the scanned paper; once_submit_paper (the call the API makes:
 * the applicant in the population register when the portal has an
 * exchange, then cases' case_submit_paper) checks the identity, the role,
 * the answers and the scan.  The
 * receipt is a page to print and hand over.  Works without JavaScript:
 * a group's add and remove buttons post the page and show it again. */
#include "internal.h"
#include "../once/once.h"

#include <string.h>

/* The service of the URL's form, when the caller may register paper
 * applications to its agency; otherwise answered (login, 403, 404) and
 * NULL returned. */
static const struct form_def *paper_form(struct http_req *r, const char *service)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return NULL;
    const struct form_def *def = form_set_get(web_forms(r), service);
    struct cat_service svc;
    struct pc_err err = {0};
    int rc = def ? cat_get_service(app_of(r)->db, &r->arena, service, &svc, &err) : PC_ENOTFOUND;
    if (rc == PC_ENOTFOUND) {
        http_error(r, 404, "not-found", "Page not found", NULL);
        return NULL;
    }
    if (rc) {
        web_fail(r, rc, &err);
        return NULL;
    }
    struct id_resource res = {.agency_id = svc.agency_id};
    return web_require(r, ID_ACT_FILE_PAPER, &res) ? def : NULL;
}

/* ---- choosing the service ------------------------------------------------ */

int web_page_paper(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    /* the form below asks for a service's code: go to its page */
    const char *asked = http_kv_get(&r->query, "service");
    if (asked && form_set_get(web_forms(r), asked))
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/paper/%s", asked));
    const struct id_principal *who = web_who(r);
    web_page_begin(r, web_t(r, M_PAPER_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<ul class=\"paper-services\">\n", web_t(r, M_PAPER_TITLE),
             web_t(r, M_PAPER_CHOOSE));
    /* the services of the post offices, those the caller may register */
    const char *sid;
    for (size_t i = 0; (sid = case_kiosk_service_at(i)); i++) {
        struct cat_service svc;
        if (!form_set_get(web_forms(r), sid) || cat_get_service(app_of(r)->db, &r->arena, sid, &svc, NULL))
            continue;
        struct id_resource res = {.agency_id = svc.agency_id};
        if (id_authorize(who, ID_ACT_FILE_PAPER, &res))
            web_html(r, "<li><a href=\"/office/paper/%s\">%s</a></li>\n", sid, pc_text_get(&svc.name, web_lang_id(r)));
    }
    web_html(r, "</ul>\n<form method=\"get\" action=\"/office/paper\">\n");
    struct web_field_error none = {"paper-service", web_t(r, M_PAPER_ERR_SERVICE)};
    web_text_field(r, &(struct web_field){.id = "paper-service", .label = web_t(r, M_PAPER_SERVICE_CODE),
                                          .value = asked, .maxlength = 100},
                   &none, asked ? 1 : 0);
    web_html(r, "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n", web_t(r, M_PAPER_OPEN));
    web_page_end(r);
    return 0;
}

/* ---- the form ------------------------------------------------------------- */

/* What the operator typed, kept when the page is shown again. */
struct paper_typed {
    const char *fin, *id_card, *district;
    struct case_file scan;           /* the scan received (sha256 "" when none) */
};

#define PAPER_MAX_ERRORS (FORM_MAX_ISSUES + 4)

static void questions(struct http_req *r, const struct form_def *def, const struct form_answers *answers,
                      const struct form_issues *issues)
{
    enum pc_lang lang = web_lang_id(r);
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_PAPER_ANSWERS));
    for (size_t p = 0; p < def->npages; p++) {
        const struct form_page *page = &def->pages[p];
        web_html(r, "<h3>%s</h3>\n", pc_text_get(&page->title, lang));
        if (page->has_hint)
            web_html(r, "<p class=\"hint\">%s</p>\n", pc_text_get(&page->hint, lang));
        for (size_t k = 0; k < page->nquestions; k++) {
            const struct form_question *q = &page->questions[k];
            if (q->type == FORM_GROUP) {
                web_group_html(r, q, answers, issues);
                continue;
            }
            struct form_value v;
            form_value_of(answers, q, NULL, 0, &r->arena, &v);
            web_question_html(r, q, q->id, &v, issues);
        }
    }
}

static void scan_field(struct http_req *r, const struct paper_typed *t, const char *error)
{
    web_html(r, "<div class=\"field%r\">\n<label for=\"paper-scan\">%s</label>\n<p class=\"hint\" id=\"paper-scan-hint\">",
             error ? " field-error" : "", web_t(r, M_PAPER_SCAN_FIELD));
    if (t->scan.sha256[0]) {
        web_html(r, web_t(r, M_PAPER_SCAN_KEPT), t->scan.name ? t->scan.name : t->scan.sha256);
        web_html(r, "<input type=\"hidden\" name=\"_scan_sha\" value=\"%s\">", t->scan.sha256);
    } else {
        web_html(r, "%s", web_t(r, M_PAPER_SCAN_HINT));
    }
    web_html(r, "</p>\n");
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"paper-scan-error\">%s</p>\n", error);
    web_html(r, "<input id=\"paper-scan\" name=\"_scan\" type=\"file\" accept=\"application/pdf,image/jpeg,image/png\""
                " aria-describedby=\"paper-scan-hint%r\"></div>\n", error ? " paper-scan-error" : "");
}

/* The page; errs: the operator's fields' errors (their ids), then the
 * answers' issues are added. */
static void paper_page(struct http_req *r, const struct form_def *def, const struct paper_typed *t,
                       const struct form_answers *answers, const struct web_field_error *own, int nown,
                       const struct form_issues *issues)
{
    struct web_field_error errs[PAPER_MAX_ERRORS];
    int ne = 0;
    for (int i = 0; i < nown; i++)
        errs[ne++] = own[i];
    ne += web_form_errors(r, def, issues, errs + ne);
    web_form_title(r, web_t(r, M_PAPER_TITLE), ne);
    web_html(r, "<p><a class=\"back-link\" href=\"/office/paper\">%s</a></p>\n", web_t(r, M_PAPER_OTHER_SERVICE));
    web_error_summary(r, errs, ne);
    web_html(r, "<span class=\"caption\">%s</span>\n<h1>%s</h1>\n", web_certs_service_name(r, def->service),
             web_t(r, M_PAPER_TITLE));
    /* the route takes files: its token travels in the address (web_auth_admit) */
    web_html(r, "<form method=\"post\" action=\"/office/paper/%s?%s\" enctype=\"multipart/form-data\" novalidate>\n",
             def->service, web_csrf_query(r));
    web_html(r, "<fieldset class=\"fieldset\"><legend class=\"legend\">%s</legend>\n<p class=\"hint\">%s</p>\n",
             web_t(r, M_PAPER_APPLICANT), web_t(r, M_PAPER_APPLICANT_HINT));
    web_text_field(r, &(struct web_field){.id = "paper-fin", .label = web_t(r, M_PAPER_FIN), .value = t->fin,
                                          .autocomplete = "off", .maxlength = 7},
                   own, nown);
    web_text_field(r, &(struct web_field){.id = "paper-card", .label = web_t(r, M_PAPER_ID_CARD), .value = t->id_card,
                                          .autocomplete = "off", .maxlength = 20},
                   own, nown);
    web_text_field(r, &(struct web_field){.id = "paper-district", .label = web_t(r, M_PAPER_DISTRICT),
                                          .value = t->district, .maxlength = CASE_DISTRICT_MAX},
                   own, nown);
    web_html(r, "</fieldset>\n");
    questions(r, def, answers, issues);
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_PAPER_SCAN_TITLE));
    const char *scan_error = NULL;
    for (int i = 0; i < nown; i++)
        if (pc_str_eq(own[i].field, "paper-scan"))
            scan_error = own[i].message;
    scan_field(r, t, scan_error);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_PAPER_SUBMIT));
    web_page_end(r);
}

int web_page_paper_form(struct http_req *r)
{
    const struct form_def *def = paper_form(r, http_param(r, 0));
    if (!def)
        return 0;
    struct paper_typed t = {0};
    paper_page(r, def, &t, form_answers_from_json(&r->arena, NULL), NULL, 0, NULL);
    return 0;
}

/* The files posted are the operator's uploads (the scan and any file the
 * form asks for): kept under their account, as the upload API does, so
 * cases finds them.  The scan: the file posted now, else the one kept on
 * an earlier post of the page; its error's words, or NULL. */
static const char *keep_files(struct http_req *r, const struct form_post *post, struct paper_typed *t)
{
    const char *scan_error = NULL;
    const char *account = web_who(r)->account_id;
    for (size_t i = 0; i < post->nfiles; i++) {
        const struct form_post_file *f = &post->files[i];
        bool is_scan = pc_str_eq(f->field, "_scan");
        struct pc_err err = {0};
        int rc = f->error ? f->error : case_upload_keep(f->part, account, &f->file, &err);
        if (is_scan && rc == 0)
            t->scan = f->file;
        else if (is_scan) {
            struct form_issue is = {.code = rc == PC_ETOOBIG ? FORM_ISSUE_FILE_TOO_BIG : FORM_ISSUE_FILE_TYPE,
                                    .limit = FORM_FILE_MAX};
            scan_error = rc == PC_ETOOBIG || rc == PC_EINVAL ? web_issue_text(r, &is) : web_t(r, M_PAPER_ERR_SCAN_STORE);
            if (rc != PC_ETOOBIG && rc != PC_EINVAL)
                pc_log(PC_LOG_ERROR, "paper.scan_store_failed", "msg", err.msg, NULL);
        }
    }
    const char *kept = http_kv_get(&r->form, "_scan_sha");
    /* cases checks it is a SHA-256 of the operator's upload */
    if (!t->scan.sha256[0] && !scan_error && kept && strlen(kept) == sizeof t->scan.sha256 - 1)
        memcpy(t->scan.sha256, kept, sizeof t->scan.sha256);
    return scan_error;
}

/* A refusal of cases for one of the operator's fields: its id and words. */
static bool problem_field(struct http_req *r, enum case_paper_problem p, struct web_field_error *out)
{
    switch (p) {
    case CASE_PAPER_OK: return false;
    case CASE_PAPER_NO_PERSON: *out = (struct web_field_error){"paper-fin", web_t(r, M_PAPER_ERR_NO_PERSON)}; break;
    case CASE_PAPER_BAD_FIN: *out = (struct web_field_error){"paper-fin", web_t(r, M_PAPER_ERR_BAD_FIN)}; break;
    case CASE_PAPER_WRONG_CARD: *out = (struct web_field_error){"paper-card", web_t(r, M_PAPER_ERR_WRONG_CARD)}; break;
    case CASE_PAPER_NO_SCAN: *out = (struct web_field_error){"paper-scan", web_t(r, M_PAPER_ERR_NO_SCAN)}; break;
    case CASE_PAPER_BAD_DISTRICT:
        *out = (struct web_field_error){"paper-district", web_t(r, M_PAPER_ERR_DISTRICT)};
        break;
    case CASE_PAPER_UNCHECKED: *out = (struct web_field_error){"paper-fin", web_t(r, M_PAPER_ERR_UNCHECKED)}; break;
    }
    return true;
}

int web_page_paper_post(struct http_req *r)
{
    const struct form_def *def = paper_form(r, http_param(r, 0));
    if (!def)
        return 0;
    struct form_post post;
    web_form_post(r, 0, &post);
    struct paper_typed t = {.fin = http_kv_get(&r->form, "paper-fin"), .id_card = http_kv_get(&r->form, "paper-card"),
                            .district = http_kv_get(&r->form, "paper-district")};
    const char *scan_error = keep_files(r, &post, &t);
    /* the pages in order, each taken when the answers before it show it */
    struct form_answers *answers = form_answers_from_json(&r->arena, NULL);
    struct form_issues upload_issues = {0}, issues = {0};
    for (const struct form_page *p = form_next_page(def, answers, NULL); p; p = form_next_page(def, answers, p))
        answers = form_take_page(p, &post, answers, &r->arena, &upload_issues);
    struct web_field_error own[2];
    int nown = 0;
    if (scan_error)
        own[nown++] = (struct web_field_error){"paper-scan", scan_error};
    if (post.add || post.remove || scan_error || upload_issues.n) { /* shown again, nothing registered */
        if (scan_error || upload_issues.n)
            r->status = 400;
        paper_page(r, def, &t, answers, own, nown, &upload_issues);
        return 0;
    }
    json_t *j = form_answers_json(answers);
    struct case_paper p = {.service_id = def->service, .fin = t.fin ? t.fin : "", .id_card = t.id_card ? t.id_card : "",
                           .district = t.district ? t.district : "", .scan_sha256 = t.scan.sha256, .answers = j};
    struct case_app app;
    enum case_paper_problem problem;
    struct pc_err err = {0};
    struct portal_app *pa = app_of(r);
    int rc = once_submit_paper(pa->exchange, pa->db, web_forms(r), web_who(r), &p, web_lang_id(r), r->remote_addr,
                               &r->arena, &app, &issues, &problem, &err);
    json_decref(j);
    bool unchecked = rc == PC_EUNAVAIL && problem == CASE_PAPER_UNCHECKED;
    if (rc == PC_EINVAL || (rc == PC_ENOTFOUND && problem != CASE_PAPER_OK) || unchecked) {
        if (problem_field(r, problem, &own[nown]))
            nown++;
        r->status = unchecked ? 503 : 400;
        /* the register down: the page again with everything kept (the scan
         * too), to send once it answers */
        if (unchecked) {
            pc_log(PC_LOG_WARN, "paper.identity_unchecked", "msg", err.msg, NULL);
            http_set_header(r, "Retry-After", "30");
        }
        paper_page(r, def, &t, answers, own, nown, &issues);
        return 0;
    }
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/paper/receipt/%s", app.reference));
}

/* ---- the receipt ---------------------------------------------------------- */

int web_page_paper_receipt(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct case_app app;
    struct pc_err err = {0};
    int rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), &app, &err);
    if (rc && rc != PC_ENOTFOUND)
        return web_fail(r, rc, &err);
    /* only the one who registered it: the paper's receipt is theirs to hand over */
    if (rc || !app.reference || app.channel != CASE_CH_PAPER || !pc_str_eq(app.registered_by, web_who(r)->account_id))
        return http_error(r, 404, "not-found", "Page not found", NULL);
    web_page_begin(r, web_t(r, M_PAPER_RECEIPT_TITLE));
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_PAPER_RECEIPT_TITLE));
    web_receipt_facts(r, &app, NULL); /* the scan is the officer's to open, on the case's page */
    web_html(r, "<p>%s</p>\n<p><a class=\"button secondary\" href=\"/office/paper/%s\">%s</a></p>\n",
             web_t(r, M_PAPER_RECEIPT_HAND), app.service_id, web_t(r, M_PAPER_ANOTHER));
    web_page_end(r);
    return 0;
}
