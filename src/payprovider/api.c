/* api.c — the emulator's side of the acquirer protocol: creating a
 * payment (bearer key), refunds (never above what remains), and the
 * settlement file of a day. */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static bool authorized(struct http_req *r)
{
    const char *h = http_header(r, "Authorization");
    const char *key = pp_of(r)->cfg.api_key;
    size_t kl = strlen(key);
    if (!h || strncmp(h, "Bearer ", 7) != 0 || strlen(h + 7) != kl || !pc_ct_equal(h + 7, key, kl)) {
        http_problem(r, 401, "unauthorized", "Unauthorized", "a bearer API key is needed");
        return false;
    }
    return true;
}

static void release_json(void *p)
{
    json_decref(p);
}

static json_t *body_json(struct http_req *r)
{
    json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
    if (j)
        pc_arena_defer(&r->arena, release_json, j);
    return json_is_object(j) ? j : NULL;
}

static bool url_ok(const char *u, size_t max)
{
    return u && strlen(u) < max && (pc_str_has_prefix(u, "http://") || pc_str_has_prefix(u, "https://"));
}

int pp_api_create(struct http_req *r)
{
    if (!authorized(r))
        return 0;
    json_t *j = body_json(r);
    const char *ref = json_string_value(json_object_get(j, "reference"));
    const char *desc = json_string_value(json_object_get(j, "description"));
    const char *ret = json_string_value(json_object_get(j, "return_url"));
    const char *cb = json_string_value(json_object_get(j, "callback_url"));
    json_t *amt = json_object_get(j, "amount");
    if (!ref || strlen(ref) == 0 || strlen(ref) > 64 || !json_is_integer(amt) || json_integer_value(amt) <= 0 ||
        !pc_str_eq(json_string_value(json_object_get(j, "currency")), "AZN") || !url_ok(ret, 512) || !url_ok(cb, 512))
        return http_problem(r, 400, "bad-request", "Bad request",
                            "reference, amount (qəpik > 0), currency AZN, return_url and callback_url are needed");
    struct pp_server *s = pp_of(r);
    char rnd[17];
    pc_random_hex(rnd, 8);
    pthread_mutex_lock(&s->lock);
    if (s->n == PP_MAX_PAYMENTS) {
        pthread_mutex_unlock(&s->lock);
        return http_problem(r, 503, "full", "Full", "the emulator holds no more payments");
    }
    struct pp_payment *p = &s->payments[s->n++];
    snprintf(p->id, sizeof p->id, "pp_%s", rnd);
    snprintf(p->reference, sizeof p->reference, "%s", ref);
    snprintf(p->description, sizeof p->description, "%s", desc ? desc : "");
    snprintf(p->return_url, sizeof p->return_url, "%s", ret);
    snprintf(p->callback_url, sizeof p->callback_url, "%s", cb);
    p->amount = json_integer_value(amt);
    p->created_at = pc_now_unix();
    p->status = PAY_CREATED;
    char body[512];
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"status\":\"created\",\"next_url\":\"%s/pay/%s\"}", p->id, s->url, p->id);
    pthread_mutex_unlock(&s->lock);
    return http_reply_json(r, 201, body);
}

int pp_api_refund(struct http_req *r)
{
    if (!authorized(r))
        return 0;
    json_t *j = body_json(r);
    json_t *amt = json_object_get(j, "amount");
    if (!json_is_integer(amt) || json_integer_value(amt) <= 0 || !json_string_value(json_object_get(j, "refund_id")))
        return http_problem(r, 400, "bad-request", "Bad request", "refund_id and amount (qəpik > 0) are needed");
    struct pp_server *s = pp_of(r);
    pthread_mutex_lock(&s->lock);
    struct pp_payment *p = pp_find(s, http_param(r, 0));
    int status = !p ? 404 : p->status != PAY_SUCCESS ? 409 : p->refunded + json_integer_value(amt) > p->amount ? 400 : 201;
    if (status == 201)
        p->refunded += json_integer_value(amt);
    pthread_mutex_unlock(&s->lock);
    if (status != 201)
        return http_problem(r, status, "refund-refused", "Refund refused",
                            status == 404 ? "no such payment" : status == 409 ? "the payment did not succeed"
                                                                               : "above what remains of the payment");
    return http_reply_json(r, 201, "{\"status\":\"done\"}");
}

int pp_api_settlement(struct http_req *r)
{
    if (!authorized(r))
        return 0;
    const char *day = http_param(r, 0);
    if (strlen(day) != 10)
        return http_problem(r, 400, "bad-request", "Bad request", "the day is YYYY-MM-DD");
    struct pp_server *s = pp_of(r);
    pc_buf_puts(&r->out, "reference,provider_id,status,amount_qepik,refunded_qepik\n");
    bool planted = !s->cfg.plant_mismatch;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++) {
        const struct pp_payment *p = &s->payments[i];
        char d[21];
        pc_rfc3339(p->created_at, d);
        if (strncmp(d, day, 10) != 0)
            continue;
        int64_t amount = p->amount;
        if (!planted && p->status == PAY_SUCCESS) {
            amount += 100; /* the planted mismatch the reconciliation must find */
            planted = true;
        }
        pc_buf_printf(&r->out, "%s,%s,%s,%lld,%lld\n", p->reference, p->id, pay_status_name(p->status),
                      (long long)amount, (long long)p->refunded);
    }
    pthread_mutex_unlock(&s->lock);
    r->status = 200;
    r->content_type = "text/csv; charset=utf-8";
    return 0;
}
