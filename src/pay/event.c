/* event.c — the parser of a callback's body (outside input: fuzzed by
 * tests/fuzz/fuzz_pay_callback.c). */
#include "pay.h"

#include <jansson.h>
#include <string.h>

#define ID_MAX 64

static void release_json(void *p)
{
    json_decref(p);
}

/* A short printable identifier of the body, or NULL. */
static const char *ident(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || !*s || strlen(s) > ID_MAX)
        return NULL;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.'))
            return NULL;
    return s;
}

int pay_event_parse(struct pc_arena *a, const char *body, size_t len, struct pay_event *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > PAY_EVENT_MAX)
        return pc_err_set(err, PC_ETOOBIG, "a callback body is at most %d bytes", PAY_EVENT_MAX);
    json_error_t je;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return pc_err_set(err, PC_EINVAL, "the callback is not JSON: %s", je.text);
    pc_arena_defer(a, release_json, o);
    if (!json_is_object(o))
        return pc_err_set(err, PC_EINVAL, "the callback must be a JSON object");
    out->event_id = pc_arena_strdup(a, ident(o, "event_id"));
    out->provider_id = pc_arena_strdup(a, ident(o, "payment_id"));
    out->reference = pc_arena_strdup(a, ident(o, "reference"));
    if (!out->event_id || !out->provider_id || !out->reference)
        return pc_err_set(err, PC_EINVAL, "event_id, payment_id and reference must be identifiers of 1-%d characters",
                          ID_MAX);
    int st = pay_status_parse(json_string_value(json_object_get(o, "status")));
    if (st < 0)
        return pc_err_set(err, PC_EINVAL, "unknown status");
    out->status = (enum pay_status)st;
    json_t *amt = json_object_get(o, "amount");
    if (!json_is_integer(amt) || json_integer_value(amt) < 0 || json_integer_value(amt) > 100000000000LL)
        return pc_err_set(err, PC_EINVAL, "amount must be a whole number of qəpik");
    out->amount_qepik = json_integer_value(amt);
    if (!pc_str_eq(json_string_value(json_object_get(o, "currency")), "AZN"))
        return pc_err_set(err, PC_EINVAL, "currency must be AZN");
    return 0;
}
