/* pay_pages.c — payments of fees in HTML: the fee shown before starting,
 * the payment box of an application (pay now, the payments, receipts),
 * paying before submission, the return page after the bank, the receipt
 * (HTML and PDF), the officer's refund form and the operator's
 * reconciliation report.  src/pay decides; this file renders. */
#include "internal.h"
#include "../pay/pay.h"

#include <stdlib.h>
#include <string.h>

static const char *azn(struct http_req *r, int64_t qepik)
{
    char b[32];
    pay_azn_format(qepik, b);
    return pc_arena_strdup(&r->arena, b);
}

static const char *when(struct http_req *r, int64_t t)
{
    if (!t)
        return "—";
    char ts[21];
    pc_rfc3339(t, ts);
    return pc_arena_printf(&r->arena, "%.10s %.5s", ts, ts + 11);
}

static const char *status_label(struct http_req *r, enum pay_status s)
{
    static const enum msg m[PAY_STATUS_COUNT] = {
        [PAY_CREATED] = M_PAY_ST_CREATED, [PAY_STARTED] = M_PAY_ST_STARTED, [PAY_SUBMITTED] = M_PAY_ST_SUBMITTED,
        [PAY_SUCCESS] = M_PAY_ST_SUCCESS, [PAY_FAILED] = M_PAY_ST_FAILED,   [PAY_CANCELLED] = M_PAY_ST_CANCELLED,
        [PAY_ERROR] = M_PAY_ST_ERROR,     [PAY_EXPIRED] = M_PAY_ST_EXPIRED,
    };
    return web_t(r, m[s]);
}

/* ---- the fee before starting, and on an application ---------------------- */

void web_pay_fee_notice(struct http_req *r, const struct cat_service *s)
{
    if (s->fee_qepik <= 0)
        return;
    const struct form_def *def = form_set_get(web_forms(r), s->id);
    bool first = def && def->workflow.fee_first;
    web_html(r, "<h2>%s</h2>\n<p>%s</p>\n", web_t(r, M_PAY_FEE),
             pc_arena_printf(&r->arena, web_t(r, first ? M_PAY_FEE_FIRST : M_PAY_FEE_LATER), azn(r, s->fee_qepik)));
}

bool web_pay_check_button(struct http_req *r, const struct case_app *app)
{
    int64_t due = 0;
    struct pc_err err = {0};
    if (case_fee_due(app_of(r)->db, web_forms(r), app, &r->arena, &due, &err) || due <= 0)
        return false;
    web_html(r, "<p>%s</p>\n<form method=\"post\" action=\"/applications/%s/pay\">\n", web_t(r, M_PAY_FIRST_LEAD), app->id);
    web_csrf_field(r);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n",
             pc_arena_printf(&r->arena, web_t(r, M_PAY_AND_SUBMIT), azn(r, due)));
    return true;
}

void web_pay_box(struct http_req *r, const struct case_app *app, bool staff)
{
    struct pc_err err = {0};
    int64_t fee;
    if (pay_fee_of(app_of(r)->db, &r->arena, app->service_id, &fee, &err) || fee <= 0)
        return;
    struct pay_payment *list;
    size_t n;
    if (pay_list_for(app_of(r)->db, &r->arena, app->id, &list, &n, &err))
        return;
    bool paid = false;
    for (size_t i = 0; i < n; i++)
        paid |= list[i].status == PAY_SUCCESS && list[i].refunded_qepik < list[i].amount_qepik;
    web_html(r, "<h2>%s</h2>\n<p>%s: <strong>%s AZN</strong>. %s</p>\n", web_t(r, M_PAY_PAYMENTS), web_t(r, M_PAY_FEE),
             azn(r, fee), web_t(r, paid ? M_PAY_PAID : M_PAY_NOT_PAID));
    if (!paid && !staff && app->status != CS_CANCELLED && app->status != CS_DRAFT) {
        if (!app_of(r)->pay) {
            web_html(r, "<p>%s</p>\n", web_t(r, M_PAY_NO_PROVIDER));
        } else {
            web_html(r, "<form method=\"post\" action=\"/applications/%s/pay\">\n", app->reference);
            web_csrf_field(r);
            web_html(r, "<button type=\"submit\">%s</button>\n</form>\n",
                     pc_arena_printf(&r->arena, web_t(r, M_PAY_NOW), azn(r, fee)));
        }
    }
    if (n == 0)
        return;
    web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             web_t(r, M_PAY_PAYMENTS), web_t(r, M_PAY_PAYMENTS), web_t(r, M_PAY_REFERENCE), web_t(r, M_PAY_AMOUNT),
             web_t(r, M_PAY_STATUS), web_t(r, M_PAY_REFUNDED), web_t(r, M_PAY_PAID_AT));
    for (size_t i = 0; i < n; i++) {
        const struct pay_payment *p = &list[i];
        const char *href = staff ? pc_arena_printf(&r->arena, "/office/payments/%s", p->id)
                         : p->status == PAY_SUCCESS ? pc_arena_printf(&r->arena, "/payments/%s/receipt", p->id) : NULL;
        web_html(r, "<tr><td>%r%s%r</td><td>%s AZN</td><td><span class=\"tag\">%s</span></td><td>%s AZN</td><td>%s</td></tr>\n",
                 href ? pc_arena_printf(&r->arena, "<a class=\"ref\" href=\"%s\">", href) : "", p->id, href ? "</a>" : "",
                 azn(r, p->amount_qepik), status_label(r, p->status), azn(r, p->refunded_qepik), when(r, p->paid_at));
    }
    web_html(r, "</tbody>\n</table>\n</div>\n");
}

/* ---- paying ----------------------------------------------------------------- */

/* The portal's own address, to which the bank sends the payer back. */
static const char *return_base(struct http_req *r)
{
    return app_of(r)->public_url ? app_of(r)->public_url : "";
}

int web_page_pay_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    if (!app_of(r)->pay)
        return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no payment provider is configured"), &err);
    struct pay_payment p;
    int rc = pay_start(app_of(r)->db, web_forms(r), app_of(r)->pay, web_who(r), http_param(r, 0), return_base(r),
                       &r->arena, &p, &err);
    if (rc == PC_ECONFLICT) {
        /* paid already (its draft now submitted): the application shows it */
        struct case_app app;
        if ((rc = case_load(app_of(r)->db, &r->arena, http_param(r, 0), &app, &err)))
            return web_fail(r, rc, &err);
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/applications/%s", app.reference ? app.reference : app.id));
    }
    if (rc)
        return web_fail(r, rc, &err);
    /* a form may only lead to this site (CSP form-action 'self'): the
     * bank's page is reached from ours by a link */
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/payments/%s/go", p.id));
}

/* The payment of the URL if the asker may see it; else the answer is written. */
static int visible_payment(struct http_req *r, struct pay_payment *p)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = pay_get(app_of(r)->db, &r->arena, http_param(r, 0), p, &err);
    if (rc == 0 && !pay_may_view(web_who(r), p))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such payment");
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

int web_page_pay_go(struct http_req *r)
{
    struct pay_payment p;
    if (visible_payment(r, &p))
        return 0;
    if (pay_status_final(p.status) || !p.next_url)
        return http_redirect(r, 303, pc_arena_printf(&r->arena, "/payments/%s/return", p.id));
    web_page_begin(r, web_t(r, M_PAY_GO_TITLE));
    web_html(r, "<h1>%s</h1>\n<p>%s</p>\n<p><a class=\"button button-start\" href=\"%s\" rel=\"external noreferrer\">%s</a></p>\n",
             web_t(r, M_PAY_GO_TITLE), pc_arena_printf(&r->arena, web_t(r, M_PAY_GO_LEAD), azn(r, p.amount_qepik)),
             p.next_url, web_t(r, M_PAY_GO_BUTTON));
    web_page_end(r);
    return 0;
}

/* Where "back to the application" goes: its reference once submitted. */
static const char *application_href(struct http_req *r, const struct pay_payment *p)
{
    struct case_app app;
    struct pc_err err = {0};
    if (case_load(app_of(r)->db, &r->arena, p->application_id, &app, &err))
        return "/applications";
    return app.reference ? pc_arena_printf(&r->arena, "/applications/%s", app.reference)
                         : pc_arena_printf(&r->arena, "/applications/%s/check", app.id);
}

int web_page_pay_return(struct http_req *r)
{
    struct pay_payment p;
    if (visible_payment(r, &p))
        return 0;
    struct pc_err err = {0};
    /* the callback normally submitted the draft already; if it could not,
     * this does (a repeat is harmless) */
    if (p.status == PAY_SUCCESS && pay_settle_application(app_of(r)->db, web_forms(r), &p, &err))
        pc_log(PC_LOG_WARN, "pay.return_submit_failed", "payment", p.id, "msg", err.msg, NULL);
    enum msg m = p.status == PAY_SUCCESS ? M_PAY_RETURN_SUCCESS
               : !pay_status_final(p.status) ? M_PAY_RETURN_WAIT
               : p.status == PAY_ERROR ? M_PAY_RETURN_ERROR : M_PAY_RETURN_FAILED;
    web_page_begin(r, web_t(r, M_PAY_RETURN_TITLE));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s</p>\n</div>\n", web_t(r, M_PAY_RETURN_TITLE), web_t(r, m));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd class=\"ref\">%s</dd>\n<dt>%s</dt><dd>%s AZN</dd>\n"
                "<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n</dl>\n",
             web_t(r, M_PAY_REFERENCE), p.id, web_t(r, M_PAY_AMOUNT), azn(r, p.amount_qepik), web_t(r, M_PAY_STATUS),
             status_label(r, p.status));
    const char *back = application_href(r, &p);
    if (p.status == PAY_SUCCESS)
        web_html(r, "<p><a class=\"button\" href=\"/payments/%s/receipt\">%s</a></p>\n", p.id, web_t(r, M_PAY_RECEIPT));
    else if (!pay_status_final(p.status))
        web_html(r, "<p><a class=\"button\" href=\"/payments/%s/return\">%s</a></p>\n", p.id, web_t(r, M_PAY_RELOAD));
    else if (p.status != PAY_ERROR)
        web_html(r, "<p><a class=\"button\" href=\"%s\">%s</a></p>\n", back, web_t(r, M_PAY_TRY_AGAIN));
    web_html(r, "<p><a href=\"%s\">%s</a></p>\n", back, web_t(r, M_PAY_BACK));
    web_page_end(r);
    return 0;
}

void web_receipt_names(struct http_req *r, const struct pay_payment *p, enum pc_lang lang,
                       struct pay_receipt_info *info)
{
    struct cat_service s;
    struct cat_agency ag;
    struct case_app app;
    memset(info, 0, sizeof *info);
    info->p = p;
    info->service = cat_get_service(app_of(r)->db, &r->arena, p->service_id, &s, NULL) == 0 ? pc_text_get(&s.name, lang)
                                                                                            : p->service_id;
    info->agency = cat_get_agency(app_of(r)->db, &r->arena, p->agency_id, &ag, NULL) == 0 ? pc_text_get(&ag.name, lang)
                                                                                          : p->agency_id;
    info->application_ref = case_load(app_of(r)->db, &r->arena, p->application_id, &app, NULL) == 0 && app.reference
                                ? app.reference : "—";
}

int web_page_pay_receipt(struct http_req *r)
{
    struct pay_payment p;
    if (visible_payment(r, &p))
        return 0;
    struct pc_err err = {0};
    if (p.status != PAY_SUCCESS)
        return web_fail(r, pc_err_set(&err, PC_ENOTFOUND, "a receipt exists only for a paid payment"), &err);
    struct pay_receipt_info info;
    web_receipt_names(r, &p, web_lang_id(r), &info);
    web_page_begin(r, web_t(r, M_PAY_RECEIPT));
    web_html(r, "<h1>%s</h1>\n<dl class=\"facts\">\n<dt>%s</dt><dd class=\"ref\">%s</dd>\n<dt>%s</dt><dd>%s AZN</dd>\n"
                "<dt>%s</dt><dd>%s AZN</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd class=\"ref\">%s</dd>\n</dl>\n",
             web_t(r, M_PAY_RECEIPT), web_t(r, M_PAY_REFERENCE), p.id, web_t(r, M_PAY_AMOUNT), azn(r, p.amount_qepik),
             web_t(r, M_PAY_REFUNDED), azn(r, p.refunded_qepik), web_t(r, M_PAY_PAID_AT), when(r, p.paid_at),
             web_t(r, M_PAY_SERVICE), info.service, web_t(r, M_PAY_APPLICATION), info.application_ref);
    web_html(r, "<p><a class=\"button\" href=\"/payments/%s/receipt.pdf\" download>%s</a></p>\n<p><a href=\"%s\">%s</a></p>\n",
             p.id, web_t(r, M_PAY_RECEIPT_PDF), application_href(r, &p), web_t(r, M_PAY_BACK));
    if (app_of(r)->ca)
        web_html(r, "<p>%s <a href=\"/payments/%s/receipt.pdf.p7s\" download>%s</a> · <a href=\"/verify\">%s</a></p>\n",
                 web_t(r, M_FINES_SEALED), p.id, web_t(r, M_FINES_SIGNATURE), web_t(r, M_FINES_VERIFY));
    web_page_end(r);
    return 0;
}

int web_send_receipt(struct http_req *r, const struct pay_receipt_info *info, bool signature)
{
    unsigned char *pdf;
    size_t len;
    struct pc_err err = {0};
    int rc = signature && !app_of(r)->ca ? pc_err_set(&err, PC_ENOTFOUND, "receipts are not sealed here")
                                         : pay_receipt_pdf(info, &pdf, &len, &err);
    if (rc)
        return web_fail(r, rc, &err);
    pc_arena_defer(&r->arena, free, pdf);
    const unsigned char *sig = NULL;
    size_t sig_len = 0;
    if (signature && (rc = pay_receipt_seal(app_of(r)->ca, info->p, pdf, len, &r->arena, &sig, &sig_len, &err)))
        return web_fail(r, rc, &err);
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, signature ? sig : pdf, signature ? sig_len : len);
    r->status = 200;
    r->content_type = signature ? "application/pkcs7-signature" : "application/pdf";
    r->no_gzip = true;
    http_set_header(r, "Content-Disposition", pc_arena_printf(&r->arena, "attachment; filename=\"%s.pdf%s\"",
                                                              info->p->id, signature ? ".p7s" : ""));
    return 0;
}

static int receipt_file(struct http_req *r, bool signature)
{
    struct pay_payment p;
    if (visible_payment(r, &p))
        return 0;
    struct pay_receipt_info info;
    web_receipt_names(r, &p, PC_LANG_AZ, &info);
    return web_send_receipt(r, &info, signature);
}

int web_page_pay_receipt_pdf(struct http_req *r)
{
    return receipt_file(r, false);
}

int web_page_pay_receipt_sig(struct http_req *r)
{
    return receipt_file(r, true);
}

/* ---- the officer's refund form ---------------------------------------------------- */

/* The payment of the URL if the officer may refund it; else 404 written. */
static int agency_payment(struct http_req *r, struct pay_payment *p)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 1;
    struct pc_err err = {0};
    int rc = pay_get(app_of(r)->db, &r->arena, http_param(r, 0), p, &err);
    struct id_resource res = {.agency_id = p->agency_id};
    if (rc == 0 && !id_authorize(web_who(r), ID_ACT_PAY_REFUND, &res))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such payment");
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

static void refund_page(struct http_req *r, const struct pay_payment *p, const struct web_field_error *errors, int nerr)
{
    web_form_title(r, web_t(r, M_PAY_REFUND_TITLE), nerr);
    web_error_summary(r, errors, nerr);
    web_html(r, "<h1>%s</h1>\n", web_t(r, M_PAY_REFUND_TITLE));
    const char *done = http_kv_get(&r->query, "refunded");
    long long q;
    if (done && pc_parse_int(done, 1, 100000000000LL, &q) == 0)
        web_html(r, "<div class=\"panel\">\n<p>%s</p>\n</div>\n", pc_arena_printf(&r->arena, web_t(r, M_PAY_REFUND_DONE), azn(r, q)));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd class=\"ref\">%s</dd>\n<dt>%s</dt><dd>%s AZN</dd>\n<dt>%s</dt><dd>%s AZN</dd>\n"
                "<dt>%s</dt><dd><span class=\"tag\">%s</span></dd>\n",
             web_t(r, M_PAY_REFERENCE), p->id, web_t(r, M_PAY_AMOUNT), azn(r, p->amount_qepik), web_t(r, M_PAY_REFUNDED),
             azn(r, p->refunded_qepik), web_t(r, M_PAY_STATUS), status_label(r, p->status));
    if (p->problem)
        web_html(r, "<dt>%s</dt><dd>%s</dd>\n", web_t(r, M_PAY_PROBLEM), p->problem);
    web_html(r, "</dl>\n");
    if (p->late)
        web_html(r, "<p><strong>%s</strong></p>\n", web_t(r, M_PAY_LATE));
    struct pay_refund *refunds;
    size_t n = 0;
    struct pc_err err = {0};
    web_html(r, "<h2>%s</h2>\n", web_t(r, M_PAY_REFUNDS));
    if (pay_refunds_of(app_of(r)->db, &r->arena, p->id, &refunds, &n, &err) == 0 && n) {
        web_html(r, "<ul>\n");
        for (size_t i = 0; i < n; i++)
            web_html(r, "<li>%s — %s AZN (%s): %s</li>\n", when(r, refunds[i].created_at), azn(r, refunds[i].amount_qepik),
                     refunds[i].status, refunds[i].reason);
        web_html(r, "</ul>\n");
    } else {
        web_html(r, "<p>%s</p>\n", web_t(r, M_PAY_REFUND_NONE));
    }
    int64_t left = p->amount_qepik - p->refunded_qepik;
    if (p->status == PAY_SUCCESS && left > 0 && app_of(r)->pay) {
        web_html(r, "<p>%s</p>\n<form method=\"post\" action=\"/office/payments/%s/refund\" novalidate>\n",
                 web_t(r, M_PAY_REFUND_LEAD), p->id);
        web_csrf_field(r);
        struct web_field amount = {.id = "amount", .label = web_t(r, M_PAY_REFUND_AMOUNT),
                                   .hint = pc_arena_printf(&r->arena, web_t(r, M_PAY_REFUND_AMOUNT_HINT), azn(r, left)),
                                   .value = http_kv_get(&r->form, "amount"), .maxlength = 12};
        struct web_field reason = {.id = "reason", .label = web_t(r, M_PAY_REFUND_REASON),
                                   .value = http_kv_get(&r->form, "reason"), .maxlength = 500};
        web_text_field(r, &amount, errors, nerr);
        web_text_field(r, &reason, errors, nerr);
        web_html(r, "<button type=\"submit\" class=\"warning\">%s</button>\n</form>\n", web_t(r, M_PAY_REFUND_SUBMIT));
    }
    web_page_end(r);
}

int web_page_office_payment(struct http_req *r)
{
    struct pay_payment p;
    if (agency_payment(r, &p))
        return 0;
    refund_page(r, &p, NULL, 0);
    return 0;
}

int web_page_office_refund_post(struct http_req *r)
{
    struct pay_payment p;
    if (agency_payment(r, &p))
        return 0;
    struct web_field_error errors[2];
    int nerr = 0;
    int64_t q = 0;
    const char *reason = http_kv_get(&r->form, "reason");
    if (pay_azn_parse(http_kv_get(&r->form, "amount"), &q) || q <= 0)
        errors[nerr++] = (struct web_field_error){"amount", web_t(r, M_PAY_REFUND_BAD_AMOUNT)};
    if (!reason || !*reason)
        errors[nerr++] = (struct web_field_error){"reason", web_t(r, M_PAY_REFUND_NEED_REASON)};
    struct pc_err err = {0};
    if (!app_of(r)->pay)
        return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no payment provider is configured"), &err);
    struct pay_refund out;
    int rc = nerr ? 0 : pay_refund(app_of(r)->db, app_of(r)->pay, web_who(r), p.id, q, reason, r->remote_addr, &r->arena,
                                   &out, &err);
    if (rc == PC_EINVAL)
        errors[nerr++] = (struct web_field_error){"amount", web_t(r, M_PAY_REFUND_TOO_MUCH)};
    else if (rc)
        return web_fail(r, rc, &err);
    if (nerr) {
        refund_page(r, &p, errors, nerr);
        r->status = 400;
        return 0;
    }
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/office/payments/%s?refunded=%lld", p.id, (long long)q));
}

/* ---- the operator's reconciliation report -------------------------------------------- */

static const char *mismatch_label(struct http_req *r, enum pay_mismatch m)
{
    static const enum msg msgs[PAY_MIS_COUNT] = {
        [PAY_MIS_MISSING] = M_PAY_MIS_MISSING, [PAY_MIS_EXTRA] = M_PAY_MIS_EXTRA,
        [PAY_MIS_AMOUNT] = M_PAY_MIS_AMOUNT,   [PAY_MIS_STATUS] = M_PAY_MIS_STATUS,
    };
    return web_t(r, msgs[m]);
}

static const char *side(struct http_req *r, int64_t q, const char *status)
{
    if (!status)
        return "—";
    int st = pay_status_parse(status);
    return pc_arena_printf(&r->arena, "%s AZN, %s", q >= 0 ? azn(r, q) : "—",
                           st >= 0 ? status_label(r, (enum pay_status)st) : status);
}

/* The report with the form; the page is ended here.  Returns 0. */
static int recon_page(struct http_req *r, const struct web_field_error *errors, int nerr)
{
    struct pay_recon *runs;
    size_t n = 0;
    struct pc_err err = {0};
    int rc = pay_recon_latest(app_of(r)->db, &r->arena, &runs, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    web_form_title(r, web_t(r, M_PAY_RECON_TITLE), nerr);
    web_error_summary(r, errors, nerr);
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n<form method=\"post\" action=\"/operator/payments\" novalidate>\n",
             web_t(r, M_PAY_RECON_TITLE), web_t(r, M_PAY_RECON_LEAD));
    web_csrf_field(r);
    char today[21];
    pc_rfc3339(pc_now_unix(), today);
    today[10] = 0;
    const char *posted = http_kv_get(&r->form, "day");
    struct web_field day = {.id = "day", .label = web_t(r, M_PAY_RECON_DAY), .value = posted ? posted : today,
                            .maxlength = 10};
    web_text_field(r, &day, errors, nerr);
    web_html(r, "<button type=\"submit\">%s</button>\n</form>\n", web_t(r, M_PAY_RECON_RUN));
    if (n == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_PAY_RECON_NONE));
        web_page_end(r);
        return 0;
    }
    const struct pay_recon *last = &runs[0];
    web_html(r, "<h2>%s</h2>\n", pc_arena_printf(&r->arena, web_t(r, M_PAY_RECON_SUMMARY), last->day, (int)last->lines,
                                                  (int)last->mismatches));
    if (last->nitems == 0) {
        web_html(r, "<p>%s</p>\n", web_t(r, M_PAY_RECON_CLEAN));
    } else {
        web_html(r, "<div class=\"table-wrap\" role=\"region\" aria-label=\"%s\" tabindex=\"0\">\n<table class=\"table\">\n"
                    "<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                 web_t(r, M_PAY_RECON_TITLE), web_t(r, M_PAY_RECON_TITLE), web_t(r, M_PAY_COL_KIND), web_t(r, M_PAY_REFERENCE),
                 web_t(r, M_PAY_COL_OURS), web_t(r, M_PAY_COL_THEIRS));
        for (size_t i = 0; i < last->nitems; i++) {
            const struct pay_recon_item *it = &last->items[i];
            web_html(r, "<tr><td data-kind=\"%s\">%s</td><td class=\"ref\">%s</td><td>%s</td><td>%s</td></tr>\n",
                     pay_mismatch_name(it->kind), mismatch_label(r, it->kind), it->payment_id,
                     side(r, it->ours_qepik, it->ours_status), side(r, it->theirs_qepik, it->theirs_status));
        }
        web_html(r, "</tbody>\n</table>\n</div>\n");
    }
    if (n > 1) {
        web_html(r, "<h2>%s</h2>\n<ul>\n", web_t(r, M_PAY_RECON_RUNS));
        for (size_t i = 1; i < n; i++)
            web_html(r, "<li>%s</li>\n", pc_arena_printf(&r->arena, web_t(r, M_PAY_RECON_SUMMARY), runs[i].day,
                                                         (int)runs[i].lines, (int)runs[i].mismatches));
        web_html(r, "</ul>\n");
    }
    web_page_end(r);
    return 0;
}

int web_page_reconciliation(struct http_req *r)
{
    if (!web_require(r, ID_ACT_PAY_RECONCILE, NULL))
        return 0;
    return recon_page(r, NULL, 0);
}

int web_page_reconciliation_post(struct http_req *r)
{
    if (!web_require(r, ID_ACT_PAY_RECONCILE, NULL))
        return 0;
    struct pc_err err = {0};
    if (!app_of(r)->pay)
        return web_fail(r, pc_err_set(&err, PC_EUNAVAIL, "no payment provider is configured"), &err);
    const char *day = http_kv_get(&r->form, "day");
    if (!pay_day_valid(day)) {
        struct web_field_error e = {"day", web_t(r, M_PAY_BAD_DAY)};
        recon_page(r, &e, 1);
        r->status = 400;
        return 0;
    }
    struct pay_recon rec;
    int rc = pay_reconcile_provider(app_of(r)->db, app_of(r)->pay, day, &r->arena, &rec, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return http_redirect(r, 303, "/operator/payments");
}
