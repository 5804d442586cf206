/* gateway_api.c — a gateway's HTTP edge, the only file of the gateway
 * that knows routes: the consumer side for information systems (REST
 * /r1/{service id}/…, SOAP on POST /), the provider side for other
 * gateways (POST /xr/v1/message), the metaservices (/listClients,
 * /listMethods, /allowedMethods), /healthz for load balancers and
 * /metrics with the operational monitoring.  A deployment exposes the
 * consumer side to its own systems only and the provider side to other
 * gateways only (docs/exchange.md). */
#include "internal.h"
#include "../http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct xr_gateway_api *app_of(struct http_req *r)
{
    return r->app;
}

/* Ready when the keys have good, fresh OCSP answers, the configuration
 * is valid, the log's head is stamped in time and the database answers. */
static int h_health(struct http_req *r)
{
    struct xr_gateway *g = app_of(r)->gw;
    struct pc_err err = {0};
    const unsigned char *der;
    size_t len;
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    bool gconf = gc != NULL, keys = xr_gateway_own_ocsp(g, &g->auth, &r->arena, &der, &len, &err) == 0;
    for (size_t i = 0; keys && i < g->nmembers; i++)
        keys = xr_gateway_own_ocsp(g, &g->members[i], &r->arena, &der, &len, &err) == 0;
    bool stamps = g->o.tsa_interval_secs == 0 || xr_msglog_unstamped_age(g->log) <= g->o.tsa_max_lag_secs;
    struct db_conn *k = db_conn_get(g->db, &err);
    bool db = k && db_exec(k, "SELECT 1", &err) == 0;
    xr_gconf_unref(gc);
    bool ok = gconf && keys && stamps && db;
    json_t *j = json_pack("{s:s, s:b, s:b, s:b, s:b, s:I}", "status", ok ? "ok" : "unavailable", "global_conf",
                          gconf, "keys_and_ocsp", keys, "timestamps", stamps, "database", db, "log_records",
                          (json_int_t)xr_msglog_records(g->log));
    if (!ok)
        json_object_set_new(j, "detail", json_string(err.msg));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, ok ? 200 : 503, s);
    free(s);
    return 0;
}

/* ---- metaservices: what the global configuration offers ------------------
 * Answered by this gateway from its own copy of the configuration (X-Road
 * asks the provider's gateway for listMethods; here the configuration is
 * the one source, so the answer is the same and costs no message). */

/* GET /listClients: every client subsystem of the instance. */
static int h_list_clients(struct http_req *r)
{
    struct pc_err err = {0};
    struct xr_gconf *gc = xr_gateway_gconf(app_of(r)->gw, &err);
    if (!gc)
        return xr_answer_fault(r, XR_PROTO_REST, XR_ORIGIN_CONSUMER, XR_FAULT_OUTDATED_GLOBALCONF, err.msg);
    json_t *list = json_array();
    for (size_t i = 0; i < gc->nsubsystems; i++)
        json_array_append_new(list, json_string(xr_id_str(&r->arena, &gc->subsystems[i])));
    json_t *j = json_pack("{s:s, s:I, s:o}", "instance", gc->instance, "configuration_version",
                          (json_int_t)gc->version, "clients", list);
    xr_gconf_unref(gc);
    char *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 200, out);
    free(out);
    return 0;
}

/* GET /listMethods: every service of the configuration; with X-Road-Client,
 * GET /allowedMethods: those that client may call (access is granted per
 * service, deny by default). */
static int list_services(struct http_req *r, bool allowed_only)
{
    struct xr_gateway *g = app_of(r)->gw;
    struct pc_err err = {0};
    struct xr_id client;
    const char *who = http_header(r, "X-Road-Client");
    if (allowed_only && (!who || xr_id_parse_str(who, XR_ID_CLIENT, &client, &err)))
        return xr_answer_fault(r, XR_PROTO_REST, XR_ORIGIN_CLIENT, XR_FAULT_INVALID_CLIENT,
                               who ? err.msg : "X-Road-Client is missing");
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    if (!gc)
        return xr_answer_fault(r, XR_PROTO_REST, XR_ORIGIN_CONSUMER, XR_FAULT_OUTDATED_GLOBALCONF, err.msg);
    json_t *list = json_array();
    for (size_t i = 0; i < gc->nservices; i++) {
        const struct xr_gc_service *s = &gc->services[i];
        if (allowed_only && !xr_gconf_allowed(gc, s, &client))
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "id", s->id_str, "version",
                                              s->version ? s->version : "", "title", s->title ? s->title : "",
                                              "kind", s->kind ? s->kind : "", "max_request",
                                              (json_int_t)s->max_request, "provided", s->gateway >= 0));
    }
    json_t *j = json_pack("{s:I, s:o}", "configuration_version", (json_int_t)gc->version, "services", list);
    xr_gconf_unref(gc);
    char *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    http_reply_json(r, 200, out);
    free(out);
    return 0;
}

static int h_list_methods(struct http_req *r)
{
    return list_services(r, false);
}

static int h_allowed_methods(struct http_req *r)
{
    return list_services(r, true);
}

static int h_metrics(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4";
    xr_monitor_write(app_of(r)->gw->monitor, &r->out);
    if (app_of(r)->http)
        http_metrics_write(app_of(r)->http, &r->out);
    return 0;
}

#define BODY_MAX (16u << 20) /* the route's bound; each service's own limit is checked after */

#define HEALTH {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"}
#define METRICS {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"}
#define PROVIDER {"POST", "/xr/v1/message", xr_provider_message, BODY_MAX, HTTP_ROUTE_NO_STORE, "provider"}
#define CONSUMER                                                                  \
    {"GET", "/listClients", h_list_clients, 0, HTTP_ROUTE_NO_STORE, "listClients"}, \
    {"GET", "/listMethods", h_list_methods, 0, HTTP_ROUTE_NO_STORE, "listMethods"}, \
    {"GET", "/allowedMethods", h_allowed_methods, 0, HTTP_ROUTE_NO_STORE, "allowedMethods"}, \
    {"POST", "/", xr_consumer_soap, BODY_MAX, HTTP_ROUTE_NO_STORE, "soap"},       \
    {"GET", "/r1/{rest*}", xr_consumer_rest, 0, HTTP_ROUTE_NO_STORE, "r1"},       \
    {"POST", "/r1/{rest*}", xr_consumer_rest, BODY_MAX, HTTP_ROUTE_NO_STORE, "r1"}, \
    {"PUT", "/r1/{rest*}", xr_consumer_rest, BODY_MAX, HTTP_ROUTE_NO_STORE, "r1"},  \
    {"PATCH", "/r1/{rest*}", xr_consumer_rest, BODY_MAX, HTTP_ROUTE_NO_STORE, "r1"}, \
    {"DELETE", "/r1/{rest*}", xr_consumer_rest, 0, HTTP_ROUTE_NO_STORE, "r1"}

static const struct http_route all_routes[] = {HEALTH, METRICS, PROVIDER, CONSUMER};
static const struct http_route system_routes[] = {HEALTH, METRICS, CONSUMER};
static const struct http_route peer_routes[] = {HEALTH, PROVIDER};

static void after(struct http_req *r)
{
    db_idle(app_of(r)->gw->db);
}

void xr_gateway_http_config(struct xr_gateway_api *app, struct http_config *cfg)
{
    switch (app->edge) {
    case XR_EDGE_SYSTEMS:
        cfg->routes = system_routes;
        cfg->nroutes = sizeof system_routes / sizeof system_routes[0];
        break;
    case XR_EDGE_PEERS:
        cfg->routes = peer_routes;
        cfg->nroutes = sizeof peer_routes / sizeof peer_routes[0];
        break;
    default:
        cfg->routes = all_routes;
        cfg->nroutes = sizeof all_routes / sizeof all_routes[0];
    }
    cfg->app = app;
    cfg->after = after;
}

/* A whole small file into the arena, NUL-terminated. */
static int read_pem(struct pc_arena *a, const char *path, const char **out, struct pc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pc_err_set(err, PC_ENOTFOUND, "%s: %s", path, strerror(errno));
    char *buf = pc_arena_alloc(a, 65537);
    size_t n = fread(buf, 1, 65536, f);
    bool whole = feof(f) && !ferror(f);
    fclose(f);
    if (!whole)
        return pc_err_set(err, PC_EINVAL, "%s is not a PEM file of at most 64 KiB", path);
    buf[n] = 0;
    *out = buf;
    return 0;
}

int xr_gateway_peer_tls(struct xr_gateway *g, struct pc_arena *a, struct http_config *cfg, struct pc_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/certs/auth.pem", g->dir);
    int rc = read_pem(a, path, &cfg->tls_cert_pem, err);
    snprintf(path, sizeof path, "%s/keys/auth.key", g->dir);
    if (!rc)
        rc = read_pem(a, path, &cfg->tls_key_pem, err);
    snprintf(path, sizeof path, "%s/ca-chain.pem", g->dir);
    if (!rc)
        rc = read_pem(a, path, &cfg->tls_client_ca_pem, err);
    return rc;
}
