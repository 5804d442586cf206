/* pages.c — the emulator's card page and 3-D Secure challenge: what a
 * payer sees at the bank.  The test cards decide the outcome; the payer
 * is then sent back to the portal's return address. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static void page_begin(struct http_req *r, const char *title)
{
    pc_buf_puts(&r->out, "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    pc_buf_html(&r->out, title);
    pc_buf_puts(&r->out, " — Test acquirer</title></head>\n<body>\n<main>\n<h1>");
    pc_buf_html(&r->out, title);
    pc_buf_puts(&r->out, "</h1>\n");
}

static int page_end(struct http_req *r)
{
    pc_buf_puts(&r->out, "</main>\n</body>\n</html>\n");
    r->status = 200;
    r->content_type = "text/html; charset=utf-8";
    return 0;
}

/* A copy of the payment (the lock is not held while rendering). */
static bool snapshot(struct http_req *r, struct pp_payment *out)
{
    struct pp_server *s = pp_of(r);
    pthread_mutex_lock(&s->lock);
    struct pp_payment *p = pp_find(s, http_param(r, 0));
    if (p)
        *out = *p;
    pthread_mutex_unlock(&s->lock);
    if (!p)
        http_error(r, 404, "not-found", "Not found", "no such payment");
    return p != NULL;
}

/* After the card form: to our own page that leads back to the portal (a
 * form may only lead to its own site: CSP form-action 'self'). */
static int back(struct http_req *r, const struct pp_payment *p)
{
    return http_redirect(r, 303, pc_arena_printf(&r->arena, "/pay/%s/done", p->id));
}

int pp_done_page(struct http_req *r)
{
    struct pp_payment p;
    if (!snapshot(r, &p))
        return 0;
    page_begin(r, p.status == PAY_SUCCESS ? "Paid" : pay_status_final(p.status) ? "Not paid" : "Waiting for the bank");
    pc_buf_printf(&r->out, "<p>Status: %s.</p>\n<p><a href=\"", pay_status_name(p.status));
    pc_buf_html(&r->out, p.return_url);
    pc_buf_puts(&r->out, "\">Return to the service</a></p>\n");
    return page_end(r);
}

int pp_card_page(struct http_req *r)
{
    struct pp_payment p;
    if (!snapshot(r, &p))
        return 0;
    if (pay_status_final(p.status))
        return back(r, &p);
    page_begin(r, "Pay by card");
    pc_buf_printf(&r->out, "<p>");
    pc_buf_html(&r->out, p.description);
    pc_buf_printf(&r->out, ": <strong>%lld.%02lld AZN</strong></p>\n", (long long)(p.amount / 100),
                  (long long)(p.amount % 100));
    pc_buf_printf(&r->out,
                  "<form method=\"post\" action=\"/pay/%s\">\n"
                  "<p><label for=\"card\">Card number</label><br><input id=\"card\" name=\"card\" inputmode=\"numeric\" "
                  "autocomplete=\"cc-number\" maxlength=\"19\" required></p>\n"
                  "<p><label for=\"exp\">Expiry (MM/YY)</label><br><input id=\"exp\" name=\"exp\" autocomplete=\"cc-exp\" "
                  "maxlength=\"5\" value=\"12/30\"></p>\n"
                  "<p><label for=\"cvc\">Security code</label><br><input id=\"cvc\" name=\"cvc\" autocomplete=\"cc-csc\" "
                  "maxlength=\"4\" value=\"123\"></p>\n"
                  "<p><button type=\"submit\">Pay</button> <button type=\"submit\" name=\"cancel\" value=\"1\" "
                  "formnovalidate>Cancel and go back</button></p>\n</form>\n",
                  p.id);
    pc_buf_puts(&r->out, "<h2>Test cards</h2>\n<ul>\n<li>" PP_CARD_SUCCESS " — success</li>\n<li>" PP_CARD_DECLINE
                         " — declined</li>\n<li>" PP_CARD_3DS " — 3-D Secure challenge (code " PP_3DS_CODE ")</li>\n<li>"
                         PP_CARD_TIMEOUT " — the bank does not answer</li>\n<li>" PP_CARD_TWICE
                         " — success, callbacks sent twice</li>\n<li>" PP_CARD_REORDER
                         " — success, callbacks out of order</li>\n</ul>\n");
    return page_end(r);
}

int pp_card_post(struct http_req *r)
{
    struct pp_payment p;
    if (!snapshot(r, &p))
        return 0;
    if (pay_status_final(p.status))
        return back(r, &p);
    struct pp_server *s = pp_of(r);
    const char *card = http_kv_get(&r->form, "card");
    if (pc_str_eq(http_kv_get(&r->form, "cancel"), "1")) {
        pp_finish(s, p.id, PAY_CANCELLED, PP_DELIVER_NORMAL);
    } else if (pc_str_eq(card, PP_CARD_3DS)) {
        pp_finish(s, p.id, PAY_STARTED, PP_DELIVER_NORMAL);
        page_begin(r, "3-D Secure");
        pc_buf_printf(&r->out, "<p>Your bank sent a code by SMS.</p>\n<form method=\"post\" action=\"/pay/%s/3ds\">\n"
                               "<p><label for=\"code\">Code</label><br><input id=\"code\" name=\"code\" "
                               "inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\"></p>\n"
                               "<p><button type=\"submit\">Confirm</button></p>\n</form>\n",
                      p.id);
        return page_end(r);
    } else if (pc_str_eq(card, PP_CARD_SUCCESS)) {
        pp_finish(s, p.id, PAY_SUCCESS, PP_DELIVER_NORMAL);
    } else if (pc_str_eq(card, PP_CARD_TWICE)) {
        pp_finish(s, p.id, PAY_SUCCESS, PP_DELIVER_TWICE);
    } else if (pc_str_eq(card, PP_CARD_REORDER)) {
        pp_finish(s, p.id, PAY_SUCCESS, PP_DELIVER_REORDER);
    } else if (pc_str_eq(card, PP_CARD_TIMEOUT)) {
        pp_finish(s, p.id, PAY_SUBMITTED, PP_DELIVER_NORMAL);
    } else {
        pp_finish(s, p.id, PAY_FAILED, PP_DELIVER_NORMAL); /* declined: every other number */
    }
    return back(r, &p);
}

int pp_3ds_post(struct http_req *r)
{
    struct pp_payment p;
    if (!snapshot(r, &p))
        return 0;
    if (!pay_status_final(p.status))
        pp_finish(pp_of(r), p.id, pc_str_eq(http_kv_get(&r->form, "code"), PP_3DS_CODE) ? PAY_SUCCESS : PAY_FAILED,
                  PP_DELIVER_NORMAL);
    return back(r, &p);
}
