/* store.c — the emulator's state and its life: start and stop, finding a
 * payment, and finishing one with its callbacks to the portal (signed,
 * retried a little, and on a test card's demand delivered twice or out
 * of order). */
#include "internal.h"
#include "../pay/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLBACK_TRIES 3

struct pp_payment *pp_find(struct pp_server *s, const char *id)
{
    for (size_t i = 0; id && i < s->n; i++)
        if (strcmp(s->payments[i].id, id) == 0)
            return &s->payments[i];
    return NULL;
}

struct callback {
    char url[512], body[1024];
};

/* POST one callback, signed now; a few tries while the portal is away. */
static void deliver(struct pp_server *s, const struct callback *cb)
{
    for (int i = 0; i < CALLBACK_TRIES; i++) {
        char sig[96], hdr[128];
        pay_sign(s->cfg.secret, pc_now_unix(), cb->body, strlen(cb->body), sig);
        snprintf(hdr, sizeof hdr, PAY_SIG_HEADER ": %s", sig);
        const char *hdrs[] = {hdr, "Content-Type: application/json", NULL};
        struct pay_http req = {.method = "POST", .url = cb->url, .headers = hdrs, .body = cb->body,
                               .body_len = strlen(cb->body), .max_answer = 4096,
                               .timeout_ms = s->cfg.callback_timeout_ms};
        struct pc_arena a;
        pc_arena_init(&a);
        struct pc_err err = {0};
        long status;
        char *ans;
        size_t len;
        int rc = pay_http_do(&req, &a, &status, &ans, &len, &err);
        pc_arena_release(&a);
        if (rc == 0 && status >= 200 && status < 500) {
            if (status >= 300)
                pc_logf(PC_LOG_WARN, "payprovider.callback_refused", "%ld for %s", status, cb->body);
            return;
        }
        pc_log(PC_LOG_WARN, "payprovider.callback_failed", "msg", rc ? err.msg : "server error", NULL);
    }
}

void pp_finish(struct pp_server *s, const char *id, enum pay_status final, enum pp_delivery how)
{
    struct callback cbs[3];
    int n = 0;
    pthread_mutex_lock(&s->lock);
    struct pp_payment *p = pp_find(s, id);
    if (p && !pay_status_final(p->status)) {
        /* every status the payment passes through, in order: a decline
         * or a cancel is never submitted, a timeout never ends */
        enum pay_status seq[3];
        int k = 0;
        if (p->status < PAY_STARTED)
            seq[k++] = PAY_STARTED;
        if ((final == PAY_SUCCESS || final == PAY_SUBMITTED) && p->status < PAY_SUBMITTED)
            seq[k++] = PAY_SUBMITTED;
        if (pay_status_final(final))
            seq[k++] = final;
        for (int i = 0; i < k; i++, n++) {
            p->status = seq[i];
            snprintf(cbs[n].url, sizeof cbs[n].url, "%s", p->callback_url);
            snprintf(cbs[n].body, sizeof cbs[n].body,
                     "{\"event_id\":\"%s-e%d\",\"payment_id\":\"%s\",\"reference\":\"%s\",\"status\":\"%s\","
                     "\"amount\":%lld,\"currency\":\"AZN\"}",
                     p->id, ++p->events, p->id, p->reference, pay_status_name(seq[i]), (long long)p->amount);
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (how == PP_DELIVER_REORDER)
        for (int i = n - 1; i >= 0; i--)
            deliver(s, &cbs[i]);
    else
        for (int i = 0; i < n; i++) {
            deliver(s, &cbs[i]);
            if (how == PP_DELIVER_TWICE)
                deliver(s, &cbs[i]);
        }
}

static const struct http_route routes[] = {
    {"POST", "/v1/payments", pp_api_create, 8192, HTTP_ROUTE_NO_STORE, "pp_create"},
    {"POST", "/v1/payments/{id}/refunds", pp_api_refund, 4096, HTTP_ROUTE_NO_STORE, "pp_refund"},
    {"GET", "/v1/settlements/{day}", pp_api_settlement, 0, HTTP_ROUTE_NO_STORE, "pp_settlement"},
    {"GET", "/pay/{id}", pp_card_page, 0, HTTP_ROUTE_NO_STORE, "pp_card"},
    {"POST", "/pay/{id}", pp_card_post, 4096, HTTP_ROUTE_NO_STORE, "pp_card_post"},
    {"POST", "/pay/{id}/3ds", pp_3ds_post, 4096, HTTP_ROUTE_NO_STORE, "pp_3ds"},
    {"GET", "/pay/{id}/done", pp_done_page, 0, HTTP_ROUTE_NO_STORE, "pp_done"},
};

struct pp_server *pp_start(const struct pp_config *cfg, struct pc_err *err)
{
    if (!cfg->api_key || !*cfg->api_key || strlen(cfg->api_key) >= 160 || !cfg->secret ||
        strlen(cfg->secret) < PAY_SECRET_MIN || strlen(cfg->secret) >= 160 ||
        (cfg->public_url && strlen(cfg->public_url) >= 256)) {
        pc_err_set(err, PC_EINVAL, "the emulator needs an API key and a secret of %d-159 characters", PAY_SECRET_MIN);
        return NULL;
    }
    struct pp_server *s = calloc(1, sizeof *s);
    if (!s)
        pc_oom(sizeof *s);
    /* the caller's strings may not outlive this call */
    s->cfg = *cfg;
    snprintf(s->api_key, sizeof s->api_key, "%s", cfg->api_key);
    snprintf(s->secret, sizeof s->secret, "%s", cfg->secret);
    s->cfg.api_key = s->api_key;
    s->cfg.secret = s->secret;
    if (cfg->public_url) {
        snprintf(s->public_url, sizeof s->public_url, "%s", cfg->public_url);
        s->cfg.public_url = s->public_url;
    }
    if (s->cfg.callback_timeout_ms <= 0)
        s->cfg.callback_timeout_ms = 5000;
    s->payments = calloc(PP_MAX_PAYMENTS, sizeof *s->payments);
    if (!s->payments)
        pc_oom(PP_MAX_PAYMENTS * sizeof *s->payments);
    pthread_mutex_init(&s->lock, NULL);
    struct http_config http;
    http_config_defaults(&http);
    http.listen = cfg->listen;
    http.routes = routes;
    http.nroutes = sizeof routes / sizeof routes[0];
    http.app = s;
    http.threads = 4;
    s->http = http_start(&http, err);
    if (!s->http) {
        pp_stop(s);
        return NULL;
    }
    if (cfg->public_url)
        snprintf(s->url, sizeof s->url, "%s", cfg->public_url);
    else {
        /* the host of the listen address, with the port bound */
        const char *colon = strrchr(cfg->listen, ':');
        snprintf(s->url, sizeof s->url, "http://%.*s:%u", (int)(colon ? colon - cfg->listen : 9), cfg->listen,
                 http_port(s->http));
    }
    return s;
}

const char *pp_url(const struct pp_server *s)
{
    return s->url;
}

void pp_stop(struct pp_server *s)
{
    if (!s)
        return;
    if (s->http)
        http_stop(s->http, 2);
    pthread_mutex_destroy(&s->lock);
    free(s->payments);
    free(s);
}
