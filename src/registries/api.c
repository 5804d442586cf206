/* api.c — a registry's HTTP edge as a provider information system behind
 * a gateway: REST (GET /population/v1/persons/{fin},
 * /taxpayers/v1/taxpayers/{voen}, /taxpayers/v1/entrepreneurs/{fin},
 * /vehicles/v1/owners/{fin}, /fines/v1/protocols/{no} and
 * ?fin=|licence=|voen=, POST /fines/v1/protocols/{no}/payment), SOAP (POST /KIND/soap, operation
 * getPerson, getTaxpayer, getEntrepreneurs, getVehicles …, the X-Road
 * header answered back as X-Road providers do) and the WSDL (GET /KIND/wsdl).  The gateway in front has
 * checked who asks; the registry logs the X-Road-Client, -UserId and
 * -Issue it is given. */
#include "internal.h"
#include "../exchange/exchange.h"
#include "../http/http.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static struct reg_api *app_of(struct http_req *r)
{
    return r->app;
}

/* What differs between the kinds. */
static const struct {
    const char *sql, *bad_key, *op, *ns;
    const char *fields[7][2];          /* SOAP element, JSON key of the document */
} kinds[REG_KIND_COUNT] = {
    [REG_POPULATION] = {"SELECT doc FROM reg_persons WHERE fin = ?",
                        "a FİN is 7 characters 0-9 A-Z without I and O", "getPerson", "urn:pencere:population",
                        {{"fin", "fin"}, {"surname", "surname"}, {"name", "name"}, {"patronymic", "patronymic"},
                         {"birthDate", "birth_date"}, {"address", "address"}, {NULL, NULL}}},
    [REG_TAXPAYERS] = {"SELECT doc FROM reg_taxpayers WHERE voen = ?", "a VÖEN is 10 digits", "getTaxpayer",
                       "urn:pencere:taxpayers",
                       {{"voen", "voen"}, {"name", "name"}, {"kind", "kind"}, {"status", "status"},
                        {"directorFin", "director_fin"}, {"representatives", "representatives"}, {NULL, NULL}}},
    [REG_REALESTATE] = {"SELECT doc FROM reg_properties WHERE fin = ?",
                        "a FİN is 7 characters 0-9 A-Z without I and O", "getProperties", "urn:pencere:realestate",
                        {{"fin", "fin"}, {"properties", "properties"}, {NULL, NULL}}},
    [REG_EMPLOYMENT] = {"SELECT doc FROM reg_contracts WHERE fin = ?",
                        "a FİN is 7 characters 0-9 A-Z without I and O", "getContracts", "urn:pencere:employment",
                        {{"fin", "fin"}, {"contracts", "contracts"}, {NULL, NULL}}},
    [REG_PENSIONS] = {"SELECT doc FROM reg_insurance WHERE fin = ?", "a FİN is 7 characters 0-9 A-Z without I and O",
                      "getInsurance", "urn:pencere:pensions",
                      {{"fin", "fin"}, {"insuranceYears", "insurance_years"}, {"pension", "pension"},
                       {"socialAssistance", "social_assistance"}, {NULL, NULL}}},
    [REG_FINES] = {"SELECT doc FROM reg_fines WHERE protocol_no = ?", "a protocol number is PR and 8 digits",
                   "getProtocol", "urn:pencere:fines",
                   {{"protocolNo", "protocol_no"}, {"date", "date"}, {"article", "article"},
                    {"amountQepik", "amount_qepik"}, {"points", "points"}, {"status", "status"}, {"plate", "plate"}}},
    [REG_VEHICLES] = {"SELECT doc FROM reg_vehicles WHERE fin = ?", "a FİN is 7 characters 0-9 A-Z without I and O",
                      "getVehicles", "urn:pencere:vehicles", {{"fin", "fin"}, {"vehicles", "vehicles"}, {NULL, NULL}}},
};

static bool key_ok(enum reg_kind k, const char *key)
{
    return k == REG_TAXPAYERS ? reg_voen_index(key) >= 0 : k == REG_FINES ? reg_protocol_ok(key) : reg_index_of(key) >= 0;
}

/* The record's document, or PC_ENOTFOUND / PC_EINVAL. */
static int record(struct http_req *r, const char *key, const char **doc, struct pc_err *err)
{
    enum reg_kind k = app_of(r)->kind;
    if (!key_ok(k, key))
        return pc_err_set(err, PC_EINVAL, "%s", kinds[k].bad_key);
    struct db_conn *c = db_conn_get(app_of(r)->db, err);
    struct db_stmt *s = c ? db_prepare(c, kinds[k].sql, err) : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, key);
    int rc = db_step(s, err);
    if (rc == 1)
        *doc = pc_arena_strdup(&r->arena, db_col_text(s, 0));
    return rc == 1 ? 0 : rc < 0 ? rc : pc_err_set(err, PC_ENOTFOUND, "no record for %s", key);
}

static void log_query(struct http_req *r, const char *key, int rc)
{
    const char *client = http_header(r, "X-Road-Client"), *user = http_header(r, "X-Road-UserId"),
               *issue = http_header(r, "X-Road-Issue");
    pc_log(PC_LOG_INFO, "registry.query", "key", key, "client", client ? client : "", "user", user ? user : "",
           "issue", issue ? issue : "", "code", pc_errcode_name(rc), NULL);
}

/* A domain code as the register's answer. */
static int problem(struct http_req *r, int rc, const struct pc_err *err)
{
    switch (rc) {
    case PC_EINVAL: return http_problem(r, 400, "bad-request", "Bad request", err->msg);
    case PC_ENOTFOUND: return http_problem(r, 404, "not-found", "Not found", err->msg);
    case PC_ECONFLICT: return http_problem(r, 409, "conflict", "Conflict", err->msg);
    default: return http_problem(r, 503, "unavailable", "Service unavailable", NULL);
    }
}

/* GET /fines/v1/protocols?fin=… | id_card=… | licence=… | voen=… | protocol=… (one key). */
static int h_fines_find(struct http_req *r)
{
    static const char *const keys[] = {[REG_FINE_BY_PROTOCOL] = "protocol", [REG_FINE_BY_FIN] = "fin",
                                       [REG_FINE_BY_LICENCE] = "licence", [REG_FINE_BY_VOEN] = "voen",
                                       [REG_FINE_BY_ID_CARD] = "id_card"};
    struct pc_err err = {0};
    int which = -1, given = 0;
    for (int k = 0; k < (int)(sizeof keys / sizeof keys[0]); k++)
        if (http_kv_get(&r->query, keys[k])) {
            which = k;
            given++;
        }
    if (given != 1)
        return http_problem(r, 400, "bad-request", "Bad request", "one of protocol, fin, id_card, licence or voen");
    const char *value = http_kv_get(&r->query, keys[which]), *json;
    int rc = reg_fines_find(app_of(r)->db, &r->arena, (enum reg_fine_key)which, value, &json, &err);
    log_query(r, value, rc);
    return rc ? problem(r, rc, &err) : http_reply_json(r, 200, json);
}

/* POST /fines/v1/protocols/{no}/payment {"reference", "amount_qepik"}. */
static int h_fine_paid(struct http_req *r)
{
    struct pc_err err = {0};
    json_error_t je;
    json_t *b = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
    pc_arena_defer(&r->arena, (void (*)(void *))json_decref, b);
    const char *ref = json_string_value(json_object_get(b, "reference")), *json;
    json_t *amount = json_object_get(b, "amount_qepik");
    if (!ref || !json_is_integer(amount))
        return http_problem(r, 400, "bad-request", "Bad request", "{\"reference\": string, \"amount_qepik\": integer}");
    int rc = reg_fine_mark_paid(app_of(r)->db, &r->arena, http_param(r, 0), ref, json_integer_value(amount), &json,
                                &err);
    log_query(r, http_param(r, 0), rc);
    return rc ? problem(r, rc, &err) : http_reply_json(r, 200, json);
}

#define ENTREPRENEURS_MAX 20

/* A person's individual-entrepreneur registrations in the taxpayers'
 * register: {"fin", "entrepreneurs": [taxpayer documents]} (none: an
 * empty list).  PC_EINVAL when fin is not a FİN. */
static int entrepreneurs(struct http_req *r, const char *fin, const char **json, struct pc_err *err)
{
    if (reg_index_of(fin) < 0)
        return pc_err_set(err, PC_EINVAL, "%s", kinds[REG_POPULATION].bad_key);
    struct db_conn *c = db_conn_get(app_of(r)->db, err);
    struct db_stmt *s = c ? db_prepare(c, "SELECT doc FROM reg_taxpayers WHERE owner_fin = ? ORDER BY voen LIMIT ?", err)
                          : NULL;
    if (!s)
        return err->code ? err->code : PC_EUNAVAIL;
    db_bind_text(s, 1, fin);
    db_bind_int(s, 2, ENTREPRENEURS_MAX);
    json_t *list = json_array();
    int rc;
    while ((rc = db_step(s, err)) == 1)
        json_array_append_new(list, json_loads(db_col_text(s, 0), 0, NULL));
    json_t *d = json_pack("{s:s, s:o}", "fin", fin, "entrepreneurs", list);
    char *text = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    *json = pc_arena_strdup(&r->arena, text);
    free(text);
    return rc < 0 ? rc : 0;
}

/* A look-up by the path's key as JSON: found, or the problem. */
static int answer(struct http_req *r, int (*find)(struct http_req *, const char *, const char **, struct pc_err *))
{
    struct pc_err err = {0};
    const char *key = http_param(r, 0), *doc;
    int rc = find(r, key, &doc, &err);
    log_query(r, key, rc);
    return rc ? problem(r, rc, &err) : http_reply_json(r, 200, doc);
}

/* GET /taxpayers/v1/entrepreneurs/{fin}. */
static int h_entrepreneurs(struct http_req *r)
{
    return answer(r, entrepreneurs);
}

static int h_record(struct http_req *r)
{
    return answer(r, record);
}

/* One answer element: a string as it is, an address as one line, a list
 * of FİNs space-separated, a number as digits, anything else (lists of
 * records) as its JSON text. */
static void text_elem(struct pc_buf *b, const char *tag, json_t *v)
{
    pc_buf_printf(b, "<tns:%s>", tag);
    if (json_is_string(v)) {
        pc_buf_html(b, json_string_value(v));
    } else if (json_is_integer(v)) {
        pc_buf_printf(b, "%lld", (long long)json_integer_value(v));
    } else if ((json_is_array(v) && json_is_object(json_array_get(v, 0))) ||
               (json_is_object(v) && !json_object_get(v, "city"))) {
        char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        pc_buf_html(b, text);
        free(text);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            pc_buf_puts(b, i ? " " : "");
            pc_buf_html(b, json_string_value(x) ? json_string_value(x) : "");
        }
    } else if (json_is_object(v)) {
        const char *city = json_string_value(json_object_get(v, "city")),
                   *street = json_string_value(json_object_get(v, "street")),
                   *region = json_string_value(json_object_get(v, "region"));
        char line[512];
        snprintf(line, sizeof line, "%s%s%s %lld%s%s", city ? city : "", street ? ", " : "", street ? street : "",
                 (long long)json_integer_value(json_object_get(v, "house")), region ? ", " : "",
                 region ? region : "");
        pc_buf_html(b, line);
    }
    pc_buf_printf(b, "</tns:%s>", tag);
}

static int soap_fault(struct http_req *r, int status, const char *code, const char *msg)
{
    r->status = status;
    r->content_type = "text/xml; charset=utf-8";
    pc_buf_reset(&r->out);
    xr_soap_fault(&r->out, code, msg, NULL);
    return 0;
}

/* The answer's envelope around body (the X-Road header answered back). */
static void soap_begin(struct http_req *r, const struct xr_meta *meta, const char *ns)
{
    struct pc_buf *b = &r->out;
    r->status = 200;
    r->content_type = "text/xml; charset=utf-8";
    pc_buf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soapenv:Envelope xmlns:soapenv=\"" XR_SOAP_NS
                     "\" xmlns:xrd=\"" XR_XROAD_NS "\" xmlns:iden=\"" XR_IDEN_NS
                     "\" xmlns:tns=\"%s\"><soapenv:Header>", ns);
    xr_soap_header(b, meta);
    pc_buf_puts(b, "</soapenv:Header><soapenv:Body>");
}

/* fines: markPaid(protocolNo, reference, amountQepik) → markPaidResponse(protocolNo, status, paymentRef). */
static int soap_mark_paid(struct http_req *r, const struct xr_meta *meta, struct xr_xml_node *req)
{
    const char *ns = kinds[REG_FINES].ns;
    struct xr_xml_node *no = req ? xr_xml_child(req, ns, "protocolNo") : NULL,
                       *ref = req ? xr_xml_child(req, ns, "reference") : NULL,
                       *amount = req ? xr_xml_child(req, ns, "amountQepik") : NULL;
    long long q;
    if (!no || !ref || !amount || pc_parse_int(amount->text, 0, INT64_MAX, &q))
        return soap_fault(r, 400, "Client.UnknownOperation", "markPaid has protocolNo, reference and amountQepik");
    struct pc_err err = {0};
    const char *doc;
    int rc = reg_fine_mark_paid(app_of(r)->db, &r->arena, no->text, ref->text, q, &doc, &err);
    log_query(r, no->text, rc);
    if (rc)
        return soap_fault(r, rc == PC_EINVAL || rc == PC_ENOTFOUND || rc == PC_ECONFLICT ? 400 : 503,
                          rc == PC_ENOTFOUND ? "Client.NotFound" : rc == PC_ECONFLICT ? "Client.Conflict"
                          : rc == PC_EINVAL ? "Client.BadKey" : "Server", err.msg);
    soap_begin(r, meta, ns);
    pc_buf_puts(&r->out, "<tns:markPaidResponse>");
    json_error_t je;
    json_t *d = json_loads(doc, 0, &je);
    text_elem(&r->out, "protocolNo", json_object_get(d, "protocol_no"));
    text_elem(&r->out, "status", json_object_get(d, "status"));
    text_elem(&r->out, "paymentRef", json_object_get(d, "payment_ref"));
    json_decref(d);
    pc_buf_puts(&r->out, "</tns:markPaidResponse></soapenv:Body></soapenv:Envelope>\n");
    return 0;
}

/* taxpayers: getEntrepreneurs(fin) → getEntrepreneursResponse(fin, entrepreneurs). */
static int soap_entrepreneurs(struct http_req *r, const struct xr_meta *meta, struct xr_xml_node *req)
{
    const char *ns = kinds[REG_TAXPAYERS].ns;
    struct xr_xml_node *fin = req ? xr_xml_child(req, ns, "fin") : NULL;
    if (!fin)
        return soap_fault(r, 400, "Client.UnknownOperation", "getEntrepreneurs has a fin");
    struct pc_err err = {0};
    const char *doc;
    int rc = entrepreneurs(r, fin->text, &doc, &err);
    log_query(r, fin->text, rc);
    if (rc)
        return soap_fault(r, rc == PC_EINVAL ? 400 : 503, rc == PC_EINVAL ? "Client.BadKey" : "Server", err.msg);
    soap_begin(r, meta, ns);
    pc_buf_puts(&r->out, "<tns:getEntrepreneursResponse>");
    json_t *d = json_loads(doc, 0, NULL);
    text_elem(&r->out, "fin", json_object_get(d, "fin"));
    text_elem(&r->out, "entrepreneurs", json_object_get(d, "entrepreneurs"));
    json_decref(d);
    pc_buf_puts(&r->out, "</tns:getEntrepreneursResponse></soapenv:Body></soapenv:Envelope>\n");
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
    enum reg_kind k = app_of(r)->kind;
    struct xr_xml_node *body = xr_xml_child(root, XR_SOAP_NS, "Body"), *req = xr_xml_first(body);
    if (k == REG_FINES && pc_str_eq(op, "markPaid"))
        return soap_mark_paid(r, &meta, req);
    if (k == REG_TAXPAYERS && pc_str_eq(op, "getEntrepreneurs"))
        return soap_entrepreneurs(r, &meta, req);
    const char *key_name = kinds[k].fields[0][0];
    struct xr_xml_node *key = req ? xr_xml_child(req, kinds[k].ns, key_name) : NULL;
    if (!pc_str_eq(op, kinds[k].op) || !key)
        return soap_fault(r, 400, "Client.UnknownOperation",
                          pc_arena_printf(&r->arena, "the operation is %s with a %s", kinds[k].op, key_name));
    const char *doc;
    int rc = record(r, key->text, &doc, &err);
    log_query(r, key->text, rc);
    if (rc)
        return soap_fault(r, rc == PC_EINVAL || rc == PC_ENOTFOUND ? 400 : 503,
                          rc == PC_ENOTFOUND ? "Client.NotFound" : rc == PC_EINVAL ? "Client.BadKey" : "Server",
                          err.msg);
    json_error_t je;
    json_t *d = json_loads(doc, 0, &je);
    struct pc_buf *b = &r->out;
    soap_begin(r, &meta, kinds[k].ns);
    pc_buf_printf(b, "<tns:%sResponse>", kinds[k].op);
    for (size_t i = 0; i < 7 && kinds[k].fields[i][0]; i++)
        text_elem(b, kinds[k].fields[i][0], json_object_get(d, kinds[k].fields[i][1]));
    json_decref(d);
    pc_buf_printf(b, "</tns:%sResponse></soapenv:Body></soapenv:Envelope>\n", kinds[k].op);
    return 0;
}

static int h_wsdl(struct http_req *r)
{
    return http_reply(r, 200, "text/xml; charset=utf-8", reg_wsdl(&r->arena, app_of(r)->kind));
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

/* The routes of one kind: its REST path, its SOAP service, its WSDL. */
#define ROUTES(name, rest, label)                                                       \
    static const struct http_route name[] = {                                           \
        {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},               \
        {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},              \
        {"GET", rest, h_record, 0, HTTP_ROUTE_NO_STORE, label},                         \
        {"POST", "/" label "/soap", h_soap, SOAP_MAX, HTTP_ROUTE_NO_STORE, "soap"},     \
        {"GET", "/" label "/wsdl", h_wsdl, 0, 0, "wsdl"},                               \
    }
ROUTES(population_routes, "/population/v1/persons/{fin}", "population");
/* the taxpayers' register also finds a person's entrepreneur registrations */
static const struct http_route taxpayer_routes[] = {
    {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},
    {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},
    {"GET", "/taxpayers/v1/taxpayers/{voen}", h_record, 0, HTTP_ROUTE_NO_STORE, "taxpayers"},
    {"GET", "/taxpayers/v1/entrepreneurs/{fin}", h_entrepreneurs, 0, HTTP_ROUTE_NO_STORE, "entrepreneurs"},
    {"POST", "/taxpayers/soap", h_soap, SOAP_MAX, HTTP_ROUTE_NO_STORE, "soap"},
    {"GET", "/taxpayers/wsdl", h_wsdl, 0, 0, "wsdl"},
};
ROUTES(realestate_routes, "/realestate/v1/properties/{fin}", "realestate");
ROUTES(employment_routes, "/employment/v1/contracts/{fin}", "employment");
ROUTES(pension_routes, "/pensions/v1/insured/{fin}", "pensions");
ROUTES(vehicle_routes, "/vehicles/v1/owners/{fin}", "vehicles");
/* the fines register also answers lists and is told of payments */
static const struct http_route fine_routes[] = {
    {"GET", "/healthz", h_health, 0, HTTP_ROUTE_NO_STORE, "healthz"},
    {"GET", "/metrics", h_metrics, 0, HTTP_ROUTE_NO_STORE, "metrics"},
    {"GET", "/fines/v1/protocols", h_fines_find, 0, HTTP_ROUTE_NO_STORE, "fines_find"},
    {"GET", "/fines/v1/protocols/{no}", h_record, 0, HTTP_ROUTE_NO_STORE, "fines"},
    {"POST", "/fines/v1/protocols/{no}/payment", h_fine_paid, 1024, HTTP_ROUTE_NO_STORE, "fines_paid"},
    {"POST", "/fines/soap", h_soap, SOAP_MAX, HTTP_ROUTE_NO_STORE, "soap"},
    {"GET", "/fines/wsdl", h_wsdl, 0, 0, "wsdl"},
};
#define NROUTES(x) (sizeof x / sizeof x[0])
static const struct {
    const struct http_route *routes;
    size_t n;
} routes_of[REG_KIND_COUNT] = {
    {population_routes, NROUTES(population_routes)}, {taxpayer_routes, NROUTES(taxpayer_routes)},
    {realestate_routes, NROUTES(realestate_routes)}, {employment_routes, NROUTES(employment_routes)},
    {pension_routes, NROUTES(pension_routes)},       {fine_routes, NROUTES(fine_routes)},
    {vehicle_routes, NROUTES(vehicle_routes)},
};

static void after(struct http_req *r)
{
    db_idle(app_of(r)->db);
}

void reg_http_config(struct reg_api *app, struct http_config *cfg)
{
    cfg->routes = routes_of[app->kind].routes;
    cfg->nroutes = routes_of[app->kind].n;
    cfg->app = app;
    cfg->after = after;
}

static const char *const kind_names[REG_KIND_COUNT] = {"population", "taxpayers", "realestate", "employment",
                                                       "pensions", "fines", "vehicles"};

int reg_kind_parse(const char *name)
{
    for (int k = 0; k < REG_KIND_COUNT; k++)
        if (pc_str_eq(name, kind_names[k]))
            return k;
    return -1;
}

const char *reg_kind_name(enum reg_kind k)
{
    return kind_names[k];
}
