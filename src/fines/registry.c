/* registry.c — the one place the portal talks to the interior ministry's
 * fines register: its REST API (docs/fines.md) through the portal's
 * exchange gateway (src/xclient: the service of kind "fines", the order
 * as X-Road-Issue), or directly at --fines-url; answers read into typed
 * protocols.  Redirects are not followed; answers are bounded. */
#include "fines.h"
#include "../pay/client.h"
#include "../xclient/xclient.h"

#include "../registries/registries.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define ANSWER_MAX (256 * 1024)
#define FINE_KIND "fines"          /* the register's kind in the exchange's configuration */

/* One request: path after the register's protocols ("?fin=…", "/PR…/payment"). */
static int call(const struct fine_registry *reg, struct pc_arena *a, const char *method, const char *path,
                const char *body, const char *issue, long *status, const char **out, size_t *out_len,
                struct pc_err *err)
{
    *out = "";
    *out_len = 0;
    *status = 0;
    char *text = NULL;
    size_t len = 0;
    int rc;
    long timeout = reg && reg->timeout_ms > 0 ? reg->timeout_ms : 5000;
    if (reg && reg->url) {
        const char *headers[] = {"Accept: application/json", "Content-Type: application/json", NULL};
        struct pay_http req = {.method = method, .url = pc_arena_printf(a, "%s%s", reg->url, path),
                               .headers = headers, .body = body, .body_len = body ? strlen(body) : 0,
                               .max_answer = ANSWER_MAX, .timeout_ms = timeout};
        rc = pay_http_do(&req, a, status, &text, &len, err);
    } else if (reg && reg->xc) {
        const char *service;
        struct xc_answer ans;
        rc = xc_service(reg->xc, FINE_KIND, a, &service, err);
        if (!rc) {
            struct xc_call c = {.service = service, .path = path, .method = method, .body = body,
                                .len = body ? strlen(body) : 0, .content_type = "application/json", .issue = issue,
                                .timeout_ms = (int)timeout, .max_body = ANSWER_MAX};
            rc = xc_call(reg->xc, a, &c, &ans, err);
            *status = ans.status;
            text = ans.body;
            len = ans.len;
        }
    } else {
        return pc_err_set(err, PC_EUNAVAIL, "no fines register is configured (--fines-url or the exchange)");
    }
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return rc == PC_EINVAL ? rc : pc_err_set(err, PC_EUNAVAIL, "the fines register: %s", why);
    }
    *out = text ? text : "";
    *out_len = len;
    if (*status >= 500 || *status == 0)
        return pc_err_set(err, PC_EUNAVAIL, "the fines register answered %ld", *status);
    return 0;
}

/* A string field of at most 64 bytes (NULL: missing or too long). */
static const char *field(struct pc_arena *a, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && strlen(s) <= 64 ? pc_arena_strdup(a, s) : NULL;
}

static const char *const key_fields[FINE_KEY_COUNT] = {"protocol_no", "fin", "licence", "voen", "id_card"};

int fine_answer_parse(struct pc_arena *a, const char *text, size_t len, enum fine_key k, const char *value,
                      struct fine **out, size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    json_error_t je;
    json_t *d = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &je);
    if (d)
        pc_arena_defer(a, (void (*)(void *))json_decref, d);
    json_t *list = json_object_get(d, "protocols"), *p;
    if (!json_is_array(list) || json_array_size(list) > FINE_ANSWER_MAX)
        return pc_err_set(err, PC_EUNAVAIL, "the fines register's answer is not a list of protocols");
    size_t i;
    *out = pc_arena_array(a, json_array_size(list) + 1, sizeof **out);
    json_array_foreach(list, i, p) {
        const char *st = field(a, p, "status"), *key = field(a, p, key_fields[k]);
        json_t *amount = json_object_get(p, "amount_qepik"), *points = json_object_get(p, "points");
        struct fine f = {
            .number = field(a, p, "protocol_no"), .date = field(a, p, "date"), .article = field(a, p, "article"),
            .plate_masked = fine_plate_mask(a, field(a, p, "plate")), .initials = field(a, p, "initials"),
            .amount_qepik = json_integer_value(amount), .points = (int)json_integer_value(points),
            .status = pc_str_eq(st, "paid") ? FINE_PAID : pc_str_eq(st, "unpaid") ? FINE_UNPAID : FINE_CANCELLED,
        };
        /* what is paid must be well formed: a number, a sane amount, a
         * known status, and exactly the identifier that was asked */
        if (!f.number || !reg_protocol_ok(f.number) || !f.date || !f.article || !f.initials ||
            !json_is_integer(amount) || f.amount_qepik <= 0 || f.amount_qepik > FINE_AMOUNT_MAX ||
            !json_is_integer(points) || f.points < 0 || f.points > 100 ||
            !(pc_str_eq(st, "paid") || pc_str_eq(st, "unpaid") || pc_str_eq(st, "cancelled")))
            return pc_err_set(err, PC_EUNAVAIL, "the fines register's protocol %zu is not well formed", i);
        if (!pc_str_eq(key, value))
            return pc_err_set(err, PC_EUNAVAIL, "the fines register answered a protocol of another %s",
                              fine_key_name(k));
        (*out)[(*n)++] = f;
    }
    return 0;
}

int fine_registry_find(const struct fine_registry *reg, struct pc_arena *a, enum fine_key k, const char *value,
                       struct fine **out, size_t *n, struct pc_err *err)
{
    *out = NULL;
    *n = 0;
    long status;
    const char *text;
    size_t len;
    int rc = call(reg, a, "GET", pc_arena_printf(a, "?%s=%s", fine_key_name(k), value), NULL, NULL, &status, &text,
                  &len, err);
    if (rc)
        return rc;
    if (status != 200)
        return pc_err_set(err, PC_EUNAVAIL, "the fines register refused a look-up (%ld)", status);
    return fine_answer_parse(a, text, len, k, value, out, n, err);
}

int fine_registry_paid(const struct fine_registry *reg, struct pc_arena *a, const char *number, const char *reference,
                       int64_t amount_qepik, const char *issue, struct pc_err *err)
{
    long status;
    const char *text;
    size_t len;
    const char *body = pc_arena_printf(a, "{\"reference\":\"%s\",\"amount_qepik\":%lld}", reference,
                                       (long long)amount_qepik);
    int rc = call(reg, a, "POST", pc_arena_printf(a, "/%s/payment", number), body, issue, &status, &text, &len, err);
    if (rc)
        return rc;
    if (status == 200)
        return 0;
    json_error_t je;
    json_t *d = json_loadb(text, len, 0, &je);
    pc_arena_defer(a, (void (*)(void *))json_decref, d);
    const char *why = field(a, d, "detail");
    if (status == 409)
        return pc_err_set(err, PC_ECONFLICT, "the fines register refused: %s", why ? why : "conflict");
    return pc_err_set(err, PC_EUNAVAIL, "the fines register answered %ld: %s", status, why ? why : "");
}
