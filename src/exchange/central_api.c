/* central_api.c — the central registry's HTTP edge, the only file of the
 * central role that knows HTTP.  Gateways fetch the signed global
 * configuration here: GET /gconf answers the directory, its signature and
 * the signing certificate as JSON; GET /gconf/files/{sha256} one file the
 * directory lists; GET /anchor.json what a gateway is configured with.
 * Everything here is public: what matters is signed, and a gateway checks
 * it against its anchor. */
#include "internal.h"
#include "../http/http.h"

#include <string.h>

static struct xr_central_api *app_of(struct http_req *r)
{
    return r->app;
}

/* A domain error as problem+json: the status from the code; the cause is
 * logged once; a 5xx tells the client nothing more. */
static int fail(struct http_req *r, int rc, const struct pc_err *err)
{
    int status = rc == PC_ENOTFOUND ? 404 : rc == PC_EINVAL ? 400 : rc == PC_EUNAVAIL ? 503 : 500;
    const char *msg = err->msg[0] ? err->msg : "(no message)";
    pc_log(status >= 500 ? PC_LOG_ERROR : PC_LOG_INFO, "central.failed", "route", http_route_name(r), "code",
           pc_errcode_name(rc), "msg", msg, NULL);
    return http_problem(r, status, status == 404 ? "not-found" : status == 400 ? "bad-request" : "unavailable",
                        status == 404 ? "Not found" : status == 400 ? "Bad request" : "Service unavailable",
                        status < 500 ? msg : NULL);
}

static int reply_json(struct http_req *r, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        pc_oom(0);
    http_reply_json(r, 200, s);
    free(s);
    return 0;
}

static int h_gconf(struct http_req *r)
{
    struct pc_err err = {0};
    struct xr_gconf_pub pub;
    int rc = xr_central_gconf(app_of(r)->central, &r->arena, &pub, &err);
    if (rc)
        return fail(r, rc, &err);
    return reply_json(r, json_pack("{s:s, s:s, s:s}", "directory", pub.directory, "signature", pub.signature,
                                   "certificate", pub.cert_pem));
}

static int h_file(struct http_req *r)
{
    struct pc_err err = {0};
    const char *sha = http_param(r, 0), *data;
    size_t len;
    if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64)
        return fail(r, pc_err_set(&err, PC_EINVAL, "a file is named by its SHA-256 in lower-case hex"), &err);
    int rc = xr_central_gconf_file(app_of(r)->central, &r->arena, sha, &data, &len, &err);
    if (rc)
        return fail(r, rc, &err);
    r->status = 200;
    r->content_type = "application/json";
    pc_buf_append(&r->out, data, len);
    return 0;
}

static int h_anchor(struct http_req *r)
{
    return http_reply_json(r, 200, xr_central_anchor(app_of(r)->central, &r->arena));
}

/* Healthy when the registry can be read and a configuration signed. */
static int h_health(struct http_req *r)
{
    struct pc_err err = {0};
    struct xr_gconf_pub pub;
    bool ok = xr_central_gconf(app_of(r)->central, &r->arena, &pub, &err) == 0;
    if (!ok)
        pc_log(PC_LOG_WARN, "central.unhealthy", "msg", err.msg, NULL);
    r->status = ok ? 200 : 503;
    r->content_type = "application/json";
    pc_buf_puts(&r->out, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}");
    return 0;
}

static int h_metrics(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4";
    if (app_of(r)->http)
        http_metrics_write(app_of(r)->http, &r->out);
    return 0;
}

static const struct http_route routes[] = {
    {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},
    {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},
    {"GET", "/gconf", h_gconf, 0, HTTP_ROUTE_NO_STORE, "gconf"},
    {"GET", "/gconf/files/{sha256}", h_file, 0, 0, "gconf-file"},
    {"GET", "/anchor.json", h_anchor, 0, 0, "anchor"},
};

static void after(struct http_req *r)
{
    db_idle(xr_central_db(app_of(r)->central));
}

void xr_central_http_config(struct xr_central_api *app, struct http_config *cfg)
{
    cfg->routes = routes;
    cfg->nroutes = sizeof routes / sizeof routes[0];
    cfg->app = app;
    cfg->after = after;
}
