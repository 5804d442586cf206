/* api.c — a registry's HTTP edge as a provider information system behind
 * a gateway: REST (GET /population/v1/persons/{fin}), SOAP (POST
 * /population/soap, operation getPerson, the X-Road header answered back
 * as X-Road providers do) and the WSDL (GET /population/wsdl).  The
 * gateway in front has checked who asks; the registry logs the
 * X-Road-Client, -UserId and -Issue it is given. */
#include "internal.h"
#include "../exchange/exchange.h"
#include "../http/http.h"

#include <jansson.h>
#include <string.h>

static struct reg_api *app_of(struct http_req *r)
{
    return r->app;
}

/* The person's document, or PC_ENOTFOUND / PC_EINVAL. */
static int person(struct http_req *r, const char *fin, const char **doc, struct pc_err *err)
{
    if (reg_index_of(fin) < 0)
        return pc_err_set(err, PC_EINVAL, "a FİN is 7 characters 0-9 A-Z without I and O");
    struct db_conn *c = db_conn_get(app_of(r)->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT doc FROM reg_persons WHERE fin = ?", err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, fin);
    int rc = db_step(s, err);
    if (rc == 1)
        *doc = pc_arena_strdup(&r->arena, db_col_text(s, 0));
    return rc == 1 ? 0 : rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no person with the FİN %s", fin);
}

static void log_query(struct http_req *r, const char *fin, int rc)
{
    const char *client = http_header(r, "X-Road-Client"), *user = http_header(r, "X-Road-UserId"),
               *issue = http_header(r, "X-Road-Issue");
    pc_log(PC_LOG_INFO, "registry.query", "fin", fin, "client", client ? client : "", "user", user ? user : "",
           "issue", issue ? issue : "", "code", pc_errcode_name(rc), NULL);
}

static int h_person(struct http_req *r)
{
    struct pc_err err = {0};
    const char *fin = http_param(r, 0), *doc;
    int rc = person(r, fin, &doc, &err);
    log_query(r, fin, rc);
    if (rc == PC_EINVAL || rc == PC_ENOTFOUND)
        return http_problem(r, rc == PC_EINVAL ? 400 : 404, rc == PC_EINVAL ? "bad-request" : "not-found",
                            rc == PC_EINVAL ? "Bad request" : "Not found", err.msg);
    if (rc)
        return http_problem(r, 503, "unavailable", "Service unavailable", NULL);
    return http_reply_json(r, 200, doc);
}

static void text_elem(struct pc_buf *b, const char *tag, json_t *v)
{
    pc_buf_printf(b, "<pop:%s>", tag);
    pc_buf_html(b, json_string_value(v) ? json_string_value(v) : "");
    pc_buf_printf(b, "</pop:%s>", tag);
}

static int soap_fault(struct http_req *r, int status, const char *code, const char *msg)
{
    r->status = status;
    r->content_type = "text/xml; charset=utf-8";
    pc_buf_reset(&r->out);
    xr_soap_fault(&r->out, code, msg, NULL);
    return 0;
}

static int h_soap(struct http_req *r)
{
    struct pc_err err = {0};
    struct xr_meta meta;
    const char *op;
    enum xr_fault f;
    struct xr_xml_node *root;
    if (xr_soap_parse(&r->arena, r->body.data ? r->body.data : "", r->body.len, &meta, &op, &f, &err) ||
        xr_xml_parse(&r->arena, r->body.data, r->body.len, &root, &err))
        return soap_fault(r, 400, "Client.InvalidSoap", err.msg);
    struct xr_xml_node *body = xr_xml_child(root, XR_SOAP_NS, "Body"), *req = xr_xml_first(body);
    struct xr_xml_node *fin_el = req ? xr_xml_child(req, "urn:pencere:population", "fin") : NULL;
    if (!pc_str_eq(op, "getPerson") || !fin_el)
        return soap_fault(r, 400, "Client.UnknownOperation", "the operation is getPerson with a fin");
    const char *doc;
    int rc = person(r, fin_el->text, &doc, &err);
    log_query(r, fin_el->text, rc);
    if (rc)
        return soap_fault(r, rc == PC_EINVAL || rc == PC_ENOTFOUND ? 400 : 503,
                          rc == PC_ENOTFOUND ? "Client.NotFound" : rc == PC_EINVAL ? "Client.BadFin" : "Server",
                          err.msg);
    json_error_t je;
    json_t *d = json_loads(doc, 0, &je), *addr = json_object_get(d, "address");
    struct pc_buf *b = &r->out;
    r->status = 200;
    r->content_type = "text/xml; charset=utf-8";
    pc_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"" XR_SOAP_NS
                   "\" xmlns:xrd=\"" XR_XROAD_NS "\" xmlns:iden=\"" XR_IDEN_NS
                   "\" xmlns:pop=\"urn:pencere:population\"><soapenv:Header>");
    xr_soap_header(b, &meta);
    pc_buf_puts(b, "</soapenv:Header><soapenv:Body><pop:getPersonResponse>");
    static const char *const fields[][2] = {{"fin", "fin"},          {"surname", "surname"},
                                            {"name", "name"},        {"patronymic", "patronymic"},
                                            {"birthDate", "birth_date"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        text_elem(b, fields[i][0], json_object_get(d, fields[i][1]));
    json_t *line = json_sprintf("%s, %s %lld, %s", json_string_value(json_object_get(addr, "city")),
                                json_string_value(json_object_get(addr, "street")),
                                (long long)json_integer_value(json_object_get(addr, "house")),
                                json_string_value(json_object_get(addr, "region")));
    text_elem(b, "address", line);
    json_decref(line);
    json_decref(d);
    pc_buf_puts(b, "</pop:getPersonResponse></soapenv:Body></soapenv:Envelope>\n");
    return 0;
}

static int h_wsdl(struct http_req *r)
{
    return http_reply(r, 200, "text/xml; charset=utf-8", reg_population_wsdl);
}

static int h_health(struct http_req *r)
{
    struct pc_err err = {0};
    struct db_conn *c = db_conn_get(app_of(r)->db, &err);
    bool ok = c && db_exec(c, "SELECT 1", &err) == 0;
    return http_reply_json(r, ok ? 200 : 503, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}");
}

static int h_metrics(struct http_req *r)
{
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4";
    if (app_of(r)->http)
        http_metrics_write(app_of(r)->http, &r->out);
    return 0;
}

#define SOAP_MAX 10240 /* the 2014 requirements: a query of at most 10 KB */

static const struct http_route routes[] = {
    {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},
    {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},
    {"GET", "/population/v1/persons/{fin}", h_person, 0, HTTP_ROUTE_NO_STORE, "person"},
    {"POST", "/population/soap", h_soap, SOAP_MAX, HTTP_ROUTE_NO_STORE, "soap"},
    {"GET", "/population/wsdl", h_wsdl, 0, 0, "wsdl"},
};

static void after(struct http_req *r)
{
    db_idle(app_of(r)->db);
}

void reg_http_config(struct reg_api *app, struct http_config *cfg)
{
    cfg->routes = routes;
    cfg->nroutes = sizeof routes / sizeof routes[0];
    cfg->app = app;
    cfg->after = after;
}

static const char *const kinds[REG_KIND_COUNT] = {"population"};

int reg_kind_parse(const char *name)
{
    for (int k = 0; k < REG_KIND_COUNT; k++)
        if (pc_str_eq(name, kinds[k]))
            return k;
    return -1;
}

const char *reg_kind_name(enum reg_kind k)
{
    return kinds[k];
}
