/* acquirer.c — the adapter of the HTTP acquirer protocol of
 * docs/payments.md (what `pencere payprovider` speaks): the only file
 * that knows how a provider is asked.  Another acquirer is another file
 * filling struct pay_provider_ops. */
#include "pay.h"
#include "client.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX (64 * 1024)

struct acquirer {
    char base[256];
    char auth[200];                 /* "Authorization: Bearer KEY" */
    long timeout_ms;
};

static void release_json(void *p)
{
    json_decref(p);
}

/* POST a JSON body; the answer as JSON (released with a) when 2xx. */
static int post_json(struct acquirer *q, const char *path, json_t *body, struct pc_arena *a, json_t **out,
                     struct pc_err *err)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        pc_oom(0);
    const char *hdrs[] = {q->auth, "Content-Type: application/json", NULL};
    struct pay_http req = {.method = "POST", .url = pc_arena_printf(a, "%s%s", q->base, path), .headers = hdrs,
                           .body = text, .body_len = strlen(text), .max_answer = ANSWER_MAX, .timeout_ms = q->timeout_ms};
    long status;
    char *ans;
    size_t len;
    int rc = pay_http_do(&req, a, &status, &ans, &len, err);
    free(text);
    if (rc)
        return rc;
    if (status >= 500 || status == 0)
        return pc_err_set(err, PC_EUNAVAIL, "the provider answered %ld", status);
    if (status < 200 || status > 299)
        return pc_err_set(err, PC_EINVAL, "the provider refused (%ld): %.200s", status, ans);
    *out = json_loadb(ans, len, 0, NULL);
    if (!json_is_object(*out)) {
        json_decref(*out);
        return pc_err_set(err, PC_EUNAVAIL, "the provider's answer is not a JSON object");
    }
    pc_arena_defer(a, release_json, *out);
    return 0;
}

static int create(void *ctx, const struct pay_create_req *r, struct pc_arena *a, struct pay_created *out,
                  struct pc_err *err)
{
    json_t *body = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "reference", r->reference, "amount",
                             (json_int_t)r->amount_qepik, "currency", "AZN", "description", r->description,
                             "return_url", r->return_url, "callback_url", r->callback_url);
    json_t *ans;
    int rc = post_json(ctx, "/v1/payments", body, a, &ans, err);
    if (rc)
        return rc;
    out->provider_id = pc_arena_strdup(a, json_string_value(json_object_get(ans, "id")));
    out->next_url = pc_arena_strdup(a, json_string_value(json_object_get(ans, "next_url")));
    if (!out->provider_id || !out->next_url || strlen(out->provider_id) > 64 ||
        (!pc_str_has_prefix(out->next_url, "http://") && !pc_str_has_prefix(out->next_url, "https://")))
        return pc_err_set(err, PC_EUNAVAIL, "the provider's answer lacks id or next_url");
    return 0;
}

static int refund(void *ctx, const char *provider_id, const char *refund_id, int64_t amount, struct pc_err *err)
{
    struct pc_arena a;
    pc_arena_init(&a);
    json_t *body = json_pack("{s:s, s:I}", "refund_id", refund_id, "amount", (json_int_t)amount);
    json_t *ans;
    int rc = post_json(ctx, pc_arena_printf(&a, "/v1/payments/%s/refunds", provider_id), body, &a, &ans, err);
    pc_arena_release(&a);
    return rc;
}

static int settlement(void *ctx, const char *day, struct pc_arena *a, char **text, size_t *len, struct pc_err *err)
{
    struct acquirer *q = ctx;
    const char *hdrs[] = {q->auth, NULL};
    struct pay_http req = {.method = "GET", .url = pc_arena_printf(a, "%s/v1/settlements/%s", q->base, day),
                           .headers = hdrs, .max_answer = PAY_SETTLE_MAX_BYTES, .timeout_ms = q->timeout_ms * 4};
    long status;
    int rc = pay_http_do(&req, a, &status, text, len, err);
    if (!rc && status != 200)
        rc = pc_err_set(err, status >= 500 ? PC_EUNAVAIL : PC_EINVAL, "the provider answered %ld for the settlement", status);
    return rc;
}

static void close_acquirer(void *ctx)
{
    free(ctx);
}

static const struct pay_provider_ops ops = {
    .name = "acquirer", .create = create, .refund = refund, .settlement = settlement, .close = close_acquirer,
};

struct pay_provider *pay_acquirer_open(const char *base_url, const char *api_key, const char *secret,
                                       const char *callback_url, long timeout_ms, struct pc_err *err)
{
    if (!base_url || strlen(base_url) >= 256 || (!pc_str_has_prefix(base_url, "http://") && !pc_str_has_prefix(base_url, "https://"))) {
        pc_err_set(err, PC_EINVAL, "the provider's URL must be http(s)://…");
        return NULL;
    }
    if (!secret || strlen(secret) < PAY_SECRET_MIN || strlen(secret) >= 128 || !api_key || strlen(api_key) > 150 ||
        !callback_url || strlen(callback_url) >= 256) {
        pc_err_set(err, PC_EINVAL, "the provider needs an API key, a callback URL and a secret of %d+ characters",
                   PAY_SECRET_MIN);
        return NULL;
    }
    struct acquirer *q = calloc(1, sizeof *q);
    struct pay_provider *p = calloc(1, sizeof *p);
    if (!q || !p)
        pc_oom(sizeof *q);
    snprintf(q->base, sizeof q->base, "%s", base_url);
    snprintf(q->auth, sizeof q->auth, "Authorization: Bearer %s", api_key);
    q->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    p->ops = &ops;
    p->ctx = q;
    snprintf(p->secret, sizeof p->secret, "%s", secret);
    snprintf(p->callback_url, sizeof p->callback_url, "%s", callback_url);
    return p;
}

void pay_provider_close(struct pay_provider *p)
{
    if (!p)
        return;
    if (p->ops->close)
        p->ops->close(p->ctx);
    free(p);
}
