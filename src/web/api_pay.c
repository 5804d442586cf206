/* api_pay.c — payments in the JSON API: the provider's signed callback
 * (the one door a provider knocks on), a citizen starting a payment, a
 * payment as JSON, an officer's refund and the operator's reconciliation. */
#include "internal.h"
#include "../pay/pay.h"

#include <string.h>

static json_t *payment_json(const struct pay_payment *p)
{
    char created[21], paid[21];
    pc_rfc3339(p->created_at, created);
    pc_rfc3339(p->paid_at, paid);
    json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:s, s:b, s:s}", "id", p->id, "status", pay_status_name(p->status),
                          "amount", (json_int_t)p->amount_qepik, "refunded", (json_int_t)p->refunded_qepik, "currency",
                          "AZN", "late", p->late, "created_at", created);
    json_object_set_new(j, "paid_at", p->paid_at ? json_string(paid) : json_null());
    if (p->next_url && !pay_status_final(p->status))
        json_object_set_new(j, "next_url", json_string(p->next_url));
    if (p->problem)
        json_object_set_new(j, "problem", json_string(p->problem));
    return j;
}

static void release_json(void *p)
{
    json_decref(p);
}

json_t *web_json_body(struct http_req *r)
{
    json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        http_problem(r, 400, "bad-json", "Bad request", "the body must be a JSON object");
        return NULL;
    }
    pc_arena_defer(&r->arena, release_json, j);
    return j;
}

static bool provider_ready(struct http_req *r, struct pc_err *err)
{
    if (app_of(r)->pay)
        return true;
    web_fail(r, pc_err_set(err, PC_EUNAVAIL, "no payment provider is configured"), err);
    return false;
}

int web_api_pay_callback(struct http_req *r)
{
    struct pc_err err = {0};
    if (!provider_ready(r, &err))
        return 0;
    const char *body = r->body.data ? r->body.data : "";
    /* the signature first: nothing of an unsigned body is read */
    int rc = pay_verify(app_of(r)->pay->secret, http_header(r, PAY_SIG_HEADER), body, r->body.len, pc_now_unix(), &err);
    struct pay_event ev;
    if (!rc)
        rc = pay_event_parse(&r->arena, body, r->body.len, &ev, &err);
    enum pay_outcome outcome;
    if (!rc)
        rc = pay_callback(app_of(r)->db, web_forms(r), &ev, &outcome, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, json_pack("{s:s}", "outcome", pay_outcome_name(outcome)));
}

int web_api_pay_create(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    if (!provider_ready(r, &err))
        return 0;
    struct pay_payment p;
    int rc = pay_start(app_of(r)->db, web_forms(r), app_of(r)->pay, web_who(r), http_param(r, 0),
                       app_of(r)->public_url ? app_of(r)->public_url : "", &r->arena, &p, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 201, payment_json(&p));
}

int web_api_pay_get(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    struct pay_payment p;
    int rc = pay_get(app_of(r)->db, &r->arena, http_param(r, 0), &p, &err);
    if (!rc && !pay_may_view(web_who(r), &p))
        rc = pc_err_set(&err, PC_ENOTFOUND, "no such payment");
    struct pay_refund *refunds;
    size_t n = 0;
    if (!rc)
        rc = pay_refunds_of(app_of(r)->db, &r->arena, p.id, &refunds, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *j = payment_json(&p);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "id", refunds[i].id, "amount",
                                              (json_int_t)refunds[i].amount_qepik, "status", refunds[i].status));
    json_object_set_new(j, "refunds", list);
    return web_reply_json(r, 200, j);
}

int web_api_pay_refund(struct http_req *r)
{
    if (!web_require(r, ID_ACT_VIEW_OWN_DATA, NULL))
        return 0;
    struct pc_err err = {0};
    json_t *j = web_json_body(r);
    if (!j || !provider_ready(r, &err))
        return 0;
    json_t *amount = json_object_get(j, "amount");
    if (!json_is_integer(amount))
        return http_problem(r, 400, "bad-parameter", "Bad request", "amount is a whole number of qəpik");
    struct pay_refund out;
    int rc = pay_refund(app_of(r)->db, app_of(r)->pay, web_who(r), http_param(r, 0), json_integer_value(amount),
                        json_string_value(json_object_get(j, "reason")), r->remote_addr, &r->arena, &out, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 201, json_pack("{s:s, s:s, s:I, s:s}", "id", out.id, "payment", out.payment_id, "amount",
                                            (json_int_t)out.amount_qepik, "status", out.status));
}

int web_api_pay_reconcile(struct http_req *r)
{
    if (!web_require(r, ID_ACT_PAY_RECONCILE, NULL))
        return 0;
    struct pc_err err = {0};
    json_t *j = web_json_body(r);
    if (!j || !provider_ready(r, &err))
        return 0;
    struct pay_recon rec;
    int rc = pay_reconcile_provider(app_of(r)->db, app_of(r)->pay, json_string_value(json_object_get(j, "day")),
                                    &r->arena, &rec, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *items = json_array();
    for (size_t i = 0; i < rec.nitems; i++) {
        const struct pay_recon_item *it = &rec.items[i];
        json_t *o = json_pack("{s:s, s:s}", "kind", pay_mismatch_name(it->kind), "payment", it->payment_id);
        json_object_set_new(o, "ours", it->ours_qepik >= 0 ? json_integer(it->ours_qepik) : json_null());
        json_object_set_new(o, "theirs", it->theirs_qepik >= 0 ? json_integer(it->theirs_qepik) : json_null());
        json_object_set_new(o, "ours_status", it->ours_status ? json_string(it->ours_status) : json_null());
        json_object_set_new(o, "theirs_status", it->theirs_status ? json_string(it->theirs_status) : json_null());
        json_array_append_new(items, o);
    }
    return web_reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:I, s:o}", "id", rec.id, "day", rec.day, "lines",
                                            (json_int_t)rec.lines, "mismatches", (json_int_t)rec.mismatches, "items", items));
}
