/* source.c — the registries as the evidence's source until the portal's
 * exchange client is merged: each registry's REST service (the paths of
 * src/registries/api.c) asked directly over HTTP, with the case's
 * reference as X-Road-Issue and the FİN on whose behalf as X-Road-UserId,
 * the headers the gateway would carry.  A 404 is "no record", any other
 * failure PC_EUNAVAIL (the case waits and is retried).  The configuration
 * file names each kind's address and service id. */
#include "social.h"
#include "../pay/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX (256 * 1024)
#define TIMEOUT_MS 5000L

static const char *const reg_names[SOCIAL_REG_COUNT] = {"population", "employment", "pensions", "realestate",
                                                        "vehicles",   "entrepreneurs"};
/* Each kind's record path under its address (src/registries/api.c). */
static const char *const reg_paths[SOCIAL_REG_COUNT] = {"/population/v1/persons/", "/employment/v1/contracts/",
                                                        "/pensions/v1/insured/", "/realestate/v1/properties/",
                                                        "/vehicles/v1/owners/", "/taxpayers/v1/entrepreneurs/"};

bool social_reg_optional(enum social_reg k)
{
    return k == SOCIAL_REG_VEHICLES || k == SOCIAL_REG_ENTREPRENEURS;
}

const char *social_reg_name(enum social_reg k)
{
    return (unsigned)k < SOCIAL_REG_COUNT ? reg_names[k] : "?";
}

int social_reg_parse(const char *name)
{
    for (int k = 0; k < SOCIAL_REG_COUNT; k++)
        if (pc_str_eq(name, reg_names[k]))
            return k;
    return -1;
}

struct http_source {
    struct social_source src;        /* first: both sources free with one free() of this */
    char *url[SOCIAL_REG_COUNT], *service[SOCIAL_REG_COUNT];
};

bool social_fin_ok(const char *fin)
{
    if (!fin || strlen(fin) != 7)
        return false;
    for (const char *p = fin; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

static int http_fetch(void *ctx, enum social_reg k, const char *fin, const char *issue, const char *user,
                      struct pc_arena *a, struct social_record *out, struct pc_err *err)
{
    struct http_source *hs = ctx;
    memset(out, 0, sizeof *out);
    if (!social_fin_ok(fin))
        return pc_err_set(err, PC_EINVAL, "not a FİN");
    if (!hs->url[k])
        return pc_err_set(err, social_reg_optional(k) ? PC_ENOTFOUND : PC_EUNAVAIL, "no address for the %s registry",
                          reg_names[k]);
    const char *headers[] = {pc_arena_printf(a, "X-Road-Issue: %s", issue ? issue : ""),
                             pc_arena_printf(a, "X-Road-UserId: %s", user ? user : ""), "Accept: application/json",
                             NULL};
    struct pay_http req = {.method = "GET", .url = pc_arena_printf(a, "%s%s%s", hs->url[k], reg_paths[k], fin),
                           .headers = headers, .max_answer = ANSWER_MAX, .timeout_ms = TIMEOUT_MS};
    long status = 0;
    char *body;
    size_t len;
    int rc = pay_http_do(&req, a, &status, &body, &len, err);
    if (rc)
        return rc == PC_EUNAVAIL ? rc : pc_err_set(err, PC_EUNAVAIL, "the %s registry: %s", reg_names[k], err->msg);
    out->service = pc_arena_strdup(a, hs->service[k]);
    out->fetched_at = pc_now_unix();
    if (status == 404) {
        out->data = "{}";
        return 0;
    }
    json_t *j = status == 200 ? json_loadb(body, len, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return pc_err_set(err, PC_EUNAVAIL, "the %s registry answered %ld", reg_names[k], status);
    }
    json_decref(j);
    out->found = true;
    out->data = body;
    return 0;
}

void social_source_free(struct social_source *s)
{
    if (!s)
        return;
    if (s->fetch == http_fetch) {
        struct http_source *hs = (struct http_source *)s;
        for (int k = 0; k < SOCIAL_REG_COUNT; k++) {
            free(hs->url[k]);
            free(hs->service[k]);
        }
    }
    free(s); /* the source is the first member of either kind */
}

struct social_source *social_source_http_open(const char *config_file, struct pc_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(config_file, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        pc_err_set(err, PC_EINVAL, "%s: %s", config_file, root ? "not an object" : je.text);
        return NULL;
    }
    struct http_source *hs = calloc(1, sizeof *hs);
    if (!hs)
        abort(); /* out of memory: the stated policy */
    hs->src = (struct social_source){http_fetch, hs};
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        int k = social_reg_parse(key);
        const char *url = json_string_value(json_object_get(v, "url"));
        const char *service = json_string_value(json_object_get(v, "service"));
        if (k < 0)
            continue; /* a kind this module does not ask (taxpayers, …) */
        if (!url || !(pc_str_has_prefix(url, "http://") || pc_str_has_prefix(url, "https://")) || !service) {
            pc_err_set(err, PC_EINVAL, "%s: %s needs \"url\" (http or https) and \"service\"", config_file, key);
            json_decref(root);
            social_source_free(&hs->src);
            return NULL;
        }
        hs->url[k] = strdup(url);
        hs->service[k] = strdup(service);
        if (!hs->url[k] || !hs->service[k])
            abort();
    }
    json_decref(root);
    return &hs->src;
}
