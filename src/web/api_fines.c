/* api_fines.c — fines without login in the JSON API:
 *   GET  /api/v1/fines?protocol=…|fin=…|id_card=…|licence=…|voen=…   the unpaid protocols (one identifier)
 *   POST /api/v1/fines/payments {"protocols": [...], "amount_qepik": N}   start paying them
 *   GET  /api/v1/fines/payments/{id}   the payment, its protocols and whether the register knows
 * src/fines decides; the same rules as the pages (fine_pages.c). */
#include "internal.h"
#include "../fines/fines.h"
#include "../pay/pay.h"

int web_api_fines(struct http_req *r)
{
    static const char *const allowed[] = {"protocol", "fin", "licence", "voen", "id_card", "lang", NULL};
    struct pc_err err = {0};
    if (!web_only_params(r, allowed))
        return 0;
    int key = -1, given = 0;
    for (int k = 0; k < FINE_KEY_COUNT; k++)
        if (http_kv_get(&r->query, fine_key_name(k))) {
            key = k;
            given++;
        }
    if (given != 1)
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "give one of protocol, fin, id_card, licence or voen"), &err);
    const char *value = fine_id_fold(&r->arena, http_kv_get(&r->query, fine_key_name(key)));
    struct fine *f;
    size_t n;
    int rc = fine_lookup(app_of(r)->db, app_of(r)->fines, r->remote_addr, app_of(r)->fines_per_minute,
                         (enum fine_key)key, value, &r->arena, &f, &n, &err);
    if (rc)
        return web_fail(r, rc, &err);
    json_t *list = json_array();
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I, s:i, s:s, s:s}", "number", f[i].number, "date",
                                              f[i].date, "article", f[i].article, "amount_qepik",
                                              (json_int_t)f[i].amount_qepik, "points", f[i].points, "plate",
                                              f[i].plate_masked, "initials", f[i].initials));
        total += f[i].amount_qepik;
    }
    return web_reply_json(r, 200, json_pack("{s:s, s:s, s:o, s:I}", "by", fine_key_name(key), "value", value,
                                            "protocols", list, "total_qepik", (json_int_t)total));
}

static json_t *payment_json(struct http_req *r, const struct pay_payment *p, const struct fine_order *o)
{
    json_t *nums = json_array();
    for (size_t i = 0; i < o->n; i++)
        json_array_append_new(nums, json_pack("{s:s, s:I}", "number", o->numbers[i], "amount_qepik",
                                              (json_int_t)o->amounts[i]));
    json_t *j = json_pack("{s:s, s:s, s:I, s:o, s:s}", "id", p->id, "status", pay_status_name(p->status),
                          "amount_qepik", (json_int_t)p->amount_qepik, "protocols", nums, "register", o->state);
    if (p->next_url && !pay_status_final(p->status))
        json_object_set_new(j, "next_url", json_string(p->next_url));
    if (p->status == PAY_SUCCESS)
        json_object_set_new(j, "receipt", json_string(pc_arena_printf(&r->arena, "/fines/paid/%s/receipt.pdf", p->id)));
    return j;
}

int web_api_fines_pay(struct http_req *r)
{
    struct pc_err err = {0};
    json_t *b = web_json_body(r);
    if (!b)
        return 0;
    json_t *list = json_object_get(b, "protocols"), *amount = json_object_get(b, "amount_qepik"), *x;
    if (!json_is_array(list) || !json_is_integer(amount))
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "{\"protocols\": [numbers], \"amount_qepik\": integer}"), &err);
    if (json_array_size(list) > FINE_ORDER_MAX)
        return web_fail(r, pc_err_set(&err, PC_EINVAL, "choose at most %d protocols", FINE_ORDER_MAX), &err);
    const char *numbers[FINE_ORDER_MAX];
    size_t n = 0, i;
    json_array_foreach(list, i, x) {
        if (!json_is_string(x))
            return web_fail(r, pc_err_set(&err, PC_EINVAL, "protocol numbers are strings"), &err);
        numbers[n++] = json_string_value(x);
    }
    struct pay_payment p;
    struct fine_client who = {.ip = r->remote_addr, .per_minute = app_of(r)->fines_per_minute};
    int rc = fine_pay_start(app_of(r)->db, app_of(r)->pay, app_of(r)->fines, &who, numbers, n, json_integer_value(amount),
                            app_of(r)->public_url ? app_of(r)->public_url : "", &r->arena, &p, &err);
    struct fine_order o;
    if (!rc)
        rc = fine_order_get(app_of(r)->db, &r->arena, p.application_id, &o, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 201, payment_json(r, &p, &o));
}

int web_api_fines_payment(struct http_req *r)
{
    struct pc_err err = {0};
    struct pay_payment p;
    struct fine_order o;
    int rc = fine_payment_get(app_of(r)->db, app_of(r)->fines, &r->arena, http_param(r, 0), &p, &o, &err);
    if (rc)
        return web_fail(r, rc, &err);
    return web_reply_json(r, 200, payment_json(r, &p, &o));
}
