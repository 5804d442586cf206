/* fine_pages.c — fines and duties paid without login (src/fines decides,
 * this file renders): /fines looks up the unpaid protocols of one
 * identifier, the payer chooses and pays them through the provider, comes
 * back to /fines/paid/PAY-… (which tells the register at once if it can)
 * and takes the receipt, sealed by the agency when a certification centre
 * is configured.  A payment's id (random, 96 bits) is what lets its payer
 * see it again: there is no account.  No JavaScript. */
#include "internal.h"
#include "../fines/fines.h"
#include "../pay/pay.h"

#include <stdlib.h>
#include <string.h>

static const char *azn(struct http_req *r, int64_t qepik)
{
    char b[32];
    pay_azn_format(qepik, b);
    return pc_arena_strdup(&r->arena, b);
}

static const enum msg key_labels[FINE_KEY_COUNT] = {M_FINES_BY_PROTOCOL, M_FINES_BY_FIN, M_FINES_BY_LICENCE,
                                                    M_FINES_BY_VOEN, M_FINES_BY_ID_CARD};

static void search_form(struct http_req *r, int by, const char *q, const char *error)
{
    web_html(r, "<form method=\"get\" action=\"/fines\" class=\"stack\">\n<fieldset class=\"fieldset\">"
                "<legend class=\"legend\">%s</legend>\n", web_t(r, M_FINES_BY));
    for (int k = 0; k < FINE_KEY_COUNT; k++)
        web_html(r, "<div class=\"choice\"><input type=\"radio\" id=\"by-%s\" name=\"by\" value=\"%s\"%r>"
                    "<label for=\"by-%s\">%s</label></div>\n",
                 fine_key_name(k), fine_key_name(k), k == by ? " checked" : "", fine_key_name(k),
                 web_t(r, key_labels[k]));
    web_html(r, "</fieldset>\n<div class=\"field%r\">\n<label for=\"q\">%s</label>\n", error ? " field-error" : "",
             web_t(r, M_FINES_VALUE));
    if (error)
        web_html(r, "<p class=\"error-message\" id=\"q-error\">%s</p>\n", error);
    web_html(r, "<input type=\"text\" id=\"q\" name=\"q\" value=\"%s\" maxlength=\"32\" autocomplete=\"off\" "
                "spellcheck=\"false\"%r>\n</div>\n<button type=\"submit\">%s</button>\n</form>\n",
             q ? q : "", error ? " aria-describedby=\"q-error\" aria-invalid=\"true\"" : "", web_t(r, M_FINES_FIND));
}

static void results(struct http_req *r, const char *who, const struct fine *f, size_t n)
{
    if (n == 0) {
        web_html(r, "<p role=\"status\">%s</p>\n", pc_arena_printf(&r->arena, web_t(r, M_FINES_NONE), who));
        return;
    }
    web_html(r, "<h2>%s</h2>\n<form method=\"post\" action=\"/fines/pay\">\n",
             pc_arena_printf(&r->arena, web_t(r, M_FINES_FOUND), who));
    web_csrf_field(r);
    web_html(r, "<table>\n<caption class=\"visually-hidden\">%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
             pc_arena_printf(&r->arena, web_t(r, M_FINES_FOUND), who), web_t(r, M_FINES_CHOOSE),
             web_t(r, M_FINES_NUMBER), web_t(r, M_FINES_DATE), web_t(r, M_FINES_ARTICLE), web_t(r, M_PAY_AMOUNT),
             web_t(r, M_FINES_POINTS), web_t(r, M_FINES_PLATE), web_t(r, M_FINES_NAME));
    for (size_t i = 0; i < n; i++)
        web_html(r, "<tr><td><input type=\"checkbox\" id=\"p-%s\" name=\"protocol\" value=\"%s\" checked>"
                    "<input type=\"hidden\" name=\"amount.%s\" value=\"%L\"></td>"
                    "<td><label for=\"p-%s\" class=\"ref\">%s</label></td><td>%s</td><td>%s</td><td>%s AZN</td>"
                    "<td>%d</td><td>%s</td><td>%s</td></tr>\n",
                 f[i].number, f[i].number, f[i].number, (long long)f[i].amount_qepik, f[i].number, f[i].number,
                 f[i].date, f[i].article, azn(r, f[i].amount_qepik), f[i].points, f[i].plate_masked,
                 *f[i].initials ? f[i].initials : "—");
    web_html(r, "</tbody>\n</table>\n<button type=\"submit\" class=\"button-start\">%s</button>\n</form>\n",
             web_t(r, M_FINES_PAY));
}

int web_page_fines(struct http_req *r)
{
    const char *by_s = http_kv_get(&r->query, "by"), *q = http_kv_get(&r->query, "q");
    int by = by_s ? fine_key_parse(by_s) : FINE_BY_PROTOCOL;
    struct fine *f = NULL;
    size_t n = 0;
    const char *error = NULL, *value = NULL;
    struct pc_err err = {0};
    if (q && *q) {
        value = fine_id_fold(&r->arena, q);
        int rc = by < 0 ? PC_EINVAL
                        : fine_lookup(app_of(r)->db, app_of(r)->fines, r->remote_addr, app_of(r)->fines_per_minute,
                                      (enum fine_key)by, value, &r->arena, &f, &n, &err);
        if (rc == PC_EINVAL) {
            error = web_t(r, M_FINES_BAD_ID);
            r->status = 400;
        } else if (rc) {
            return web_fail(r, rc, &err);
        }
    }
    web_page_begin(r, web_t(r, M_FINES_TITLE));
    web_html(r, "<h1>%s</h1>\n<p class=\"lead\">%s</p>\n", web_t(r, M_FINES_TITLE), web_t(r, M_FINES_LEAD));
    if (error)
        web_html(r, "<div class=\"error-summary\" role=\"alert\"><p><a href=\"#q\">%s</a></p></div>\n", error);
    search_form(r, by < 0 ? FINE_BY_PROTOCOL : by, q, error);
    if (value && !error)
        results(r, value, f, n);
    web_page_end(r);
    return 0;
}

int web_page_fines_pay(struct http_req *r)
{
    const char *numbers[FINE_ORDER_MAX + 1];
    size_t n = 0;
    int64_t shown = 0;
    struct pc_err err = {0};
    for (size_t i = 0; i < r->form.n; i++) {
        if (!pc_str_eq(r->form.items[i].key, "protocol"))
            continue;
        if (n == FINE_ORDER_MAX)
            return web_fail(r, pc_err_set(&err, PC_EINVAL, "choose at most %d protocols", FINE_ORDER_MAX), &err);
        numbers[n++] = r->form.items[i].value;
        const char *a = http_kv_get(&r->form, pc_arena_printf(&r->arena, "amount.%s", r->form.items[i].value));
        long long v;
        shown += a && pc_parse_int(a, 0, 1000000000, &v) == 0 ? v : 0;
    }
    struct pay_payment p;
    struct fine_client who = {.ip = r->remote_addr, .per_minute = app_of(r)->fines_per_minute};
    int rc = fine_pay_start(app_of(r)->db, app_of(r)->pay, app_of(r)->fines, &who, numbers, n, shown,
                            app_of(r)->public_url ? app_of(r)->public_url : "", &r->arena, &p, &err);
    if (rc)
        return web_fail(r, rc, &err);
    /* to our page with the bank's link: a form may not post on to another
     * site (the Content-Security-Policy's form-action) */
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/fines/paid/%s", p.id));
}

/* The fine payment of the URL and its order; 1 with the answer written. */
static int fine_payment(struct http_req *r, struct pay_payment *p, struct fine_order *o)
{
    struct pc_err err = {0};
    int rc = fine_payment_get(app_of(r)->db, app_of(r)->fines, &r->arena, http_param(r, 0), p, o, &err);
    if (rc) {
        web_fail(r, rc, &err);
        return 1;
    }
    return 0;
}

int web_page_fines_paid(struct http_req *r)
{
    struct pay_payment p;
    struct fine_order o;
    if (fine_payment(r, &p, &o))
        return 0;
    enum msg m = p.status == PAY_SUCCESS ? (pc_str_eq(o.state, "told")      ? M_FINES_TOLD
                                            : pc_str_eq(o.state, "refused") ? M_FINES_REFUSED
                                                                            : M_FINES_TELLING)
               : !pay_status_final(p.status) ? M_PAY_RETURN_WAIT
               : p.status == PAY_ERROR       ? M_PAY_RETURN_ERROR
                                             : M_PAY_RETURN_FAILED;
    bool go = p.status == PAY_CREATED && p.next_url;   /* not at the bank yet */
    web_page_begin(r, web_t(r, M_FINES_PAID_TITLE));
    web_html(r, "<div class=\"panel\">\n<h1>%s</h1>\n<p>%s</p>\n</div>\n", web_t(r, M_FINES_PAID_TITLE),
             go ? pc_arena_printf(&r->arena, web_t(r, M_PAY_GO_LEAD), azn(r, p.amount_qepik)) : web_t(r, m));
    web_html(r, "<dl class=\"facts\">\n<dt>%s</dt><dd class=\"ref\">%s</dd>\n<dt>%s</dt><dd>%s AZN</dd>\n<dt>%s</dt><dd>",
             web_t(r, M_PAY_REFERENCE), p.id, web_t(r, M_PAY_AMOUNT), azn(r, p.amount_qepik),
             web_t(r, M_FINES_PROTOCOLS));
    for (size_t i = 0; i < o.n; i++)
        web_html(r, "%s<span class=\"ref\">%s</span> (%s AZN)", i ? ", " : "", o.numbers[i], azn(r, o.amounts[i]));
    web_html(r, "</dd>\n</dl>\n");
    if (p.status == PAY_SUCCESS) {
        web_html(r, "<p><a class=\"button\" href=\"/fines/paid/%s/receipt.pdf\" download>%s</a></p>\n", p.id,
                 web_t(r, M_PAY_RECEIPT_PDF));
        if (app_of(r)->ca)
            web_html(r, "<p>%s <a href=\"/fines/paid/%s/receipt.pdf.p7s\" download>%s</a> · <a href=\"/verify\">%s</a></p>\n",
                     web_t(r, M_FINES_SEALED), p.id, web_t(r, M_FINES_SIGNATURE), web_t(r, M_FINES_VERIFY));
    } else if (go) {
        web_html(r, "<p><a class=\"button button-start\" href=\"%s\" rel=\"external noreferrer\">%s</a></p>\n",
                 p.next_url, web_t(r, M_PAY_GO_BUTTON));
    } else if (!pay_status_final(p.status)) {
        web_html(r, "<p><a class=\"button\" href=\"/fines/paid/%s\">%s</a></p>\n", p.id, web_t(r, M_PAY_RELOAD));
    }
    web_html(r, "<p><a href=\"/fines\">%s</a></p>\n", web_t(r, M_FINES_AGAIN));
    web_page_end(r);
    return 0;
}

static int receipt(struct http_req *r, bool signature)
{
    struct pay_payment p;
    struct fine_order o;
    if (fine_payment(r, &p, &o))
        return 0;
    struct pc_buf nums;
    pc_buf_init(&nums, 1024);
    for (size_t i = 0; i < o.n; i++)
        pc_buf_printf(&nums, "%s%s", i ? ", " : "", o.numbers[i]);
    struct pay_receipt_info info;
    web_receipt_names(r, &p, PC_LANG_AZ, &info);
    info.application_ref = pc_arena_strndup(&r->arena, nums.data, nums.len);
    info.subject_label = PAY_SUBJECT_PROTOCOLS;
    pc_buf_release(&nums);
    return web_send_receipt(r, &info, signature);
}

int web_page_fines_receipt(struct http_req *r)
{
    return receipt(r, false);
}

int web_page_fines_receipt_sig(struct http_req *r)
{
    return receipt(r, true);
}
