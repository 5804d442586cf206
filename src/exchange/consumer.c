/* consumer.c — the consumer side: an information system calls its own
 * gateway with the REST message protocol (/r1/{service id}/{path} and the
 * X-Road-* headers) or with SOAP (POST /, the X-Road header elements).
 * The gateway checks the client is one of its members' and the service
 * is in the global configuration, signs the request as the member, sends
 * it to the provider's gateway, checks the answer's proof and that it is
 * bound to this request, logs both and answers.  Every refusal is a fault
 * {type, message, detail} (or a SOAP fault) and a record in the log. */
#include "internal.h"
#include "../http/http.h"

#include <string.h>
#include <strings.h>

#define CALL_MARGIN_MS 2000 /* the provider gateway reports a timeout itself first */

/* End-to-end request headers an information system may send through (the
 * HTTP edge names no others; hop-by-hop and X-Road-* never cross). */
static const char *const forwarded[] = {"Accept", "Accept-Language", "If-Match", "If-None-Match",
                                        "If-Modified-Since", "Prefer"};

const char *xr_req_header(void *req, const char *name)
{
    return http_header(req, name);
}

static struct xr_gateway *gw_of(struct http_req *r)
{
    return ((struct xr_gateway_api *)r->app)->gw;
}

int xr_answer_fault(struct http_req *r, enum xr_proto proto, enum xr_origin o, enum xr_fault f, const char *message)
{
    const char *type = xr_fault_type(&r->arena, o, f), *id = http_header(r, "X-Road-Id");
    r->status = xr_fault_status(f);
    r->no_gzip = true;
    pc_buf_reset(&r->out);
    http_set_header(r, "X-Road-Error", type);
    if (proto == XR_PROTO_SOAP) {
        r->content_type = "text/xml; charset=utf-8";
        xr_soap_fault(&r->out, type, message, id);
    } else {
        r->content_type = "application/json";
        pc_buf_puts(&r->out, "{\"type\":\"");
        pc_buf_json_str(&r->out, type);
        pc_buf_puts(&r->out, "\",\"message\":\"");
        pc_buf_json_str(&r->out, message);
        pc_buf_puts(&r->out, "\",\"detail\":\"");
        pc_buf_json_str(&r->out, id ? id : "");
        pc_buf_puts(&r->out, "\"}");
    }
    return 0;
}

/* A refusal: a record in the log (unsigned, with the fault), the
 * monitoring, and the answer. */
static int refuse(struct http_req *r, struct xr_gateway *g, const struct xr_msg *m, enum xr_origin o, enum xr_fault f,
                  const struct pc_err *err, int64_t t0)
{
    const char *type = xr_fault_type(&r->arena, o, f), *bh;
    const char *block = xr_msg_block(&r->arena, m), *hash = xr_hash(&r->arena, block, m->body, m->body_len, &bh);
    const char *client = m->meta.client.instance[0] ? xr_id_str(&r->arena, &m->meta.client) : "",
               *service = m->meta.service.instance[0] ? xr_id_str(&r->arena, &m->meta.service) : "";
    struct xr_logrec rec = {.message_id = m->meta.id, .side = XR_SIDE_CONSUMER, .kind = XR_REC_REQUEST,
                            .proto = m->proto, .client = client, .service = service, .user_id = m->meta.user_id,
                            .issue = m->meta.issue, .fault = type, .block = block, .body_hash = bh, .hash = hash,
                            .body = g->o.log_bodies ? m->body : NULL, .body_len = m->body_len};
    struct pc_err lerr = {0};
    if (xr_msglog_append(g->log, &rec, &lerr))
        pc_log(PC_LOG_ERROR, "gateway.log_failed", "msg", lerr.msg, NULL);
    pc_log(f >= XR_FAULT_NETWORK ? PC_LOG_WARN : PC_LOG_INFO, "gateway.refused", "side", "consumer", "type", type,
           "client", client, "service", service, "msg", err->msg, NULL);
    xr_monitor_record(g->monitor, XR_SIDE_CONSUMER, service, client, false, pc_mono_usec() - t0, m->body_len, 0);
    return xr_answer_fault(r, m->proto, o, f, err->msg);
}

/* A record of a message that crossed, with its proof. */
static int log_signed(struct xr_gateway *g, struct pc_arena *a, const struct xr_msg *m, enum xr_rec_kind kind,
                      const char *block, const char *body_hash, const char *hash, const void *body, size_t len,
                      const char *fault, const struct xr_proof *p, X509 *cert, struct pc_err *err)
{
    struct xr_logrec rec = {.message_id = m->meta.id, .side = XR_SIDE_CONSUMER, .kind = kind, .proto = m->proto,
                            .client = xr_id_str(a, &m->meta.client), .service = xr_id_str(a, &m->meta.service),
                            .user_id = m->meta.user_id, .issue = m->meta.issue, .fault = fault, .block = block,
                            .body_hash = body_hash, .hash = hash, .body = g->o.log_bodies ? body : NULL,
                            .body_len = len, .signature = p ? p->signature : NULL, .cert = cert,
                            .ocsp = p ? p->ocsp_der : NULL, .ocsp_len = p ? p->ocsp_len : 0};
    return xr_msglog_append(g->log, &rec, err);
}

/* The request is parsed (m): check, sign, send, check the answer, answer. */
static int consume(struct http_req *r, struct xr_gateway *g, struct xr_msg *m, int64_t t0)
{
    struct pc_err err = {0};
    struct pc_arena *a = &r->arena;
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    if (!gc)
        return refuse(r, g, m, XR_ORIGIN_CONSUMER, XR_FAULT_OUTDATED_GLOBALCONF, &err, t0);
    pc_arena_defer(a, (void (*)(void *))xr_gconf_unref, gc);
    int me = xr_gconf_gateway_index(gc, &g->id);
    struct xr_signer *signer = xr_gateway_signer(g, &m->meta.client);
    if (!signer || !xr_gconf_client_known(gc, &m->meta.client) || !xr_gconf_serves(gc, me, &m->meta.client)) {
        pc_err_set(&err, PC_EDENIED, "%s is not a client of this gateway", xr_id_str(a, &m->meta.client));
        return refuse(r, g, m, XR_ORIGIN_CLIENT, XR_FAULT_UNKNOWN_MEMBER, &err, t0);
    }
    const struct xr_gc_service *svc = xr_gconf_service(gc, &m->meta.service);
    if (!svc || svc->gateway < 0) {
        pc_err_set(&err, PC_ENOTFOUND, "no service %s in the global configuration", xr_id_str(a, &m->meta.service));
        return refuse(r, g, m, XR_ORIGIN_CLIENT, XR_FAULT_UNKNOWN_SERVICE, &err, t0);
    }
    if ((int64_t)m->body_len > svc->max_request) {
        pc_err_set(&err, PC_ETOOBIG, "the request is %zu bytes; %s takes at most %lld", m->body_len, svc->id_str,
                   (long long)svc->max_request);
        return refuse(r, g, m, XR_ORIGIN_CLIENT, XR_FAULT_TOO_LARGE, &err, t0);
    }
    if (g->o.tsa_interval_secs > 0 && xr_msglog_unstamped_age(g->log) > g->o.tsa_max_lag_secs) {
        pc_err_set(&err, PC_EUNAVAIL, "the message log has not been time-stamped for too long");
        return refuse(r, g, m, XR_ORIGIN_CONSUMER, XR_FAULT_TIMESTAMPING, &err, t0);
    }
    const struct xr_gc_gateway *pgw = &gc->gateways[svc->gateway];
    const char *block = xr_msg_block(a, m), *bh, *hash = xr_hash(a, block, m->body, m->body_len, &bh);
    struct xr_proof proof;
    if (xr_gateway_prove(g, signer, a, hash, pgw->id_str, &proof, &err))
        return refuse(r, g, m, XR_ORIGIN_CONSUMER, XR_FAULT_CERT_VALIDATION, &err, t0);
    if (log_signed(g, a, m, XR_REC_REQUEST, block, bh, hash, m->body, m->body_len, NULL, &proof, signer->cert, &err))
        return refuse(r, g, m, XR_ORIGIN_CONSUMER, XR_FAULT_INTERNAL, &err, t0);

    struct xr_hdr hdrs[XR_MAX_FWD_HEADERS + 24];
    size_t nh;
    xr_envelope_write(a, m, &proof, pgw->id_str, hdrs, &nh, sizeof hdrs / sizeof hdrs[0]);
    int timeout = svc->timeout_ms < g->o.timeout_ms ? svc->timeout_ms : g->o.timeout_ms;
    /* over https both gateways show their authentication certificates;
     * either way the connection is kept (net.c: a handle per thread) */
    bool https = pc_str_has_prefix(pgw->address, "https://");
    struct xr_tls tls = {pc_arena_printf(a, "%s/certs/auth.pem", g->dir), pc_arena_printf(a, "%s/keys/auth.key", g->dir),
                         pc_arena_printf(a, "%s/ca-chain.pem", g->dir), pgw->auth_pin};
    struct xr_http_call call = {"POST", pc_arena_printf(a, "%s/xr/v1/message", pgw->address), hdrs, nh,
                                m->content_type, m->body, m->body_len, timeout + CALL_MARGIN_MS,
                                (size_t)svc->max_response + 1, https ? &tls : NULL};
    struct xr_http_answer ans;
    enum xr_fault f;
    struct xr_reply rep = {0};
    if (xr_http(a, &call, &ans, &f, &err)) {
        /* the request is logged; its missing answer is logged as the fault */
        rep.status = xr_fault_status(f);
        rep.fault = xr_fault_type(a, XR_ORIGIN_CONSUMER, f);
        const char *rb = xr_reply_block(a, &rep, hash, m->meta.id), *rbh, *rh = xr_hash(a, rb, "", 0, &rbh);
        log_signed(g, a, m, XR_REC_RESPONSE, rb, rbh, rh, "", 0, rep.fault, NULL, NULL, &err);
        xr_monitor_record(g->monitor, XR_SIDE_CONSUMER, svc->id_str, xr_id_str(a, &m->meta.client), false,
                          pc_mono_usec() - t0, m->body_len, 0);
        return xr_answer_fault(r, m->proto, XR_ORIGIN_CONSUMER, f, err.msg);
    }
    rep.status = (int)ans.status;
    rep.body = ans.body;
    rep.body_len = ans.len;
    struct xr_proof rp;
    const char *req_hash;
    X509 *cert = NULL;
    bool signed_reply = xr_answer_header(&ans, "X-Road-Signature") != NULL;
    int rc = xr_envelope_parse_reply(a, xr_answer_header, &ans, &rep, &rp, &req_hash, &err);
    if (rc && !signed_reply && rep.fault) {
        /* an unsigned fault (the provider gateway could not sign): passed on, logged unsigned */
        rc = 0;
        req_hash = hash;
        memset(&rp, 0, sizeof rp);
    }
    f = XR_FAULT_INVALID_MESSAGE;
    if (!rc && !pc_str_eq(req_hash, hash))
        rc = pc_err_set(&err, PC_EDENIED, "the answer is bound to another request");
    const char *rb = rc ? NULL : xr_reply_block(a, &rep, req_hash, m->meta.id), *rbh = NULL,
               *rh = rc ? NULL : xr_hash(a, rb, rep.body, rep.body_len, &rbh);
    if (!rc && signed_reply) {
        struct xr_id provider;
        xr_id_member(&m->meta.service, &provider);
        rc = xr_gateway_check_proof(g, gc, a, &rp, &provider, rh, svc->gateway, &cert, &f, &err);
    }
    if (rc) {
        rep.fault = xr_fault_type(a, XR_ORIGIN_CONSUMER, f);
        rb = xr_reply_block(a, &rep, hash, m->meta.id);
        rh = xr_hash(a, rb, rep.body, rep.body_len, &rbh);
        log_signed(g, a, m, XR_REC_RESPONSE, rb, rbh, rh, rep.body, rep.body_len, rep.fault, NULL, NULL, &err);
        xr_monitor_record(g->monitor, XR_SIDE_CONSUMER, svc->id_str, xr_id_str(a, &m->meta.client), false,
                          pc_mono_usec() - t0, m->body_len, rep.body_len);
        return xr_answer_fault(r, m->proto, XR_ORIGIN_CONSUMER, f, err.msg);
    }
    if (log_signed(g, a, m, XR_REC_RESPONSE, rb, rbh, rh, rep.body, rep.body_len, rep.fault,
                   signed_reply ? &rp : NULL, cert, &err)) {
        pc_log(PC_LOG_ERROR, "gateway.log_failed", "msg", err.msg, NULL);
        return xr_answer_fault(r, m->proto, XR_ORIGIN_CONSUMER, XR_FAULT_INTERNAL, "the message log failed");
    }
    if (g->o.tsa_interval_secs == 0 && gc->tsa_url && xr_msglog_stamp(g->log, gc->tsa_url, &err))
        pc_log(PC_LOG_WARN, "gateway.stamp_failed", "msg", err.msg, NULL);
    xr_monitor_record(g->monitor, XR_SIDE_CONSUMER, svc->id_str, xr_id_str(a, &m->meta.client), !rep.fault,
                      pc_mono_usec() - t0, m->body_len, rep.body_len);
    r->status = rep.status;
    r->content_type = rep.content_type && *rep.content_type ? pc_arena_strdup(a, rep.content_type) : NULL;
    r->no_gzip = true;
    for (size_t i = 0; i < rep.nhdrs; i++)
        http_set_header(r, rep.hdrs[i].name, rep.hdrs[i].value);
    http_set_header(r, "X-Road-Id", m->meta.id);
    http_set_header(r, "X-Road-Request-Hash", hash);
    if (rep.fault)
        http_set_header(r, "X-Road-Error", rep.fault);
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, rep.body, rep.body_len);
    return 0;
}

static void base_msg(struct http_req *r, struct xr_msg *m, enum xr_proto proto)
{
    memset(m, 0, sizeof *m);
    m->proto = proto;
    m->method = r->method;
    m->path = "";
    const char *ct = http_header(r, "Content-Type");
    m->content_type = ct ? ct : "";
    m->body = r->body.data ? r->body.data : "";
    m->body_len = r->body.len;
    xr_new_message_id(m->meta.id);
}

int xr_consumer_rest(struct http_req *r)
{
    struct xr_gateway *g = gw_of(r);
    int64_t t0 = pc_mono_usec();
    struct pc_err err = {0};
    struct xr_msg m;
    base_msg(r, &m, XR_PROTO_REST);
    const char *rest, *client = http_header(r, "X-Road-Client");
    enum xr_fault f = XR_FAULT_INVALID_SERVICE;
    struct xr_id svc;
    int rc = xr_target_parse(r->raw_uri, &svc, &rest, &err);
    if (!rc)
        m.meta.service = svc;
    if (!rc && (f = XR_FAULT_INVALID_REQUEST, rc = xr_rest_path_check(rest, &err)) == 0)
        m.path = rest;
    if (!rc && !client) {
        f = XR_FAULT_INVALID_CLIENT;
        rc = pc_err_set(&err, PC_EINVAL, "X-Road-Client is missing");
    }
    if (!rc && (f = XR_FAULT_INVALID_CLIENT,
                rc = xr_id_parse(client, strlen(client), XR_ID_CLIENT, true, &m.meta.client, &err)) == 0)
        rc = xr_meta_ids(&m.meta, http_header(r, "X-Road-Id"), http_header(r, "X-Road-UserId"),
                         http_header(r, "X-Road-Issue"), &f, &err);
    for (size_t i = 0; !rc && i < sizeof forwarded / sizeof forwarded[0]; i++) {
        const char *v = http_header(r, forwarded[i]);
        if (v && strlen(v) > XR_HEADER_VALUE_MAX)
            rc = pc_err_set(&err, PC_EINVAL, "the header %s is too long", forwarded[i]);
        else if (v)
            xr_hdr_add(&r->arena, m.hdrs, &m.nhdrs, forwarded[i], v);
        f = XR_FAULT_INVALID_HEADER;
    }
    if (rc)
        return refuse(r, g, &m, XR_ORIGIN_CLIENT, f, &err, t0);
    return consume(r, g, &m, t0);
}

int xr_consumer_soap(struct http_req *r)
{
    struct xr_gateway *g = gw_of(r);
    int64_t t0 = pc_mono_usec();
    struct pc_err err = {0};
    struct xr_msg m;
    base_msg(r, &m, XR_PROTO_SOAP);
    const char *op;
    enum xr_fault f;
    struct xr_meta meta;
    if (xr_soap_parse(&r->arena, m.body, m.body_len, &meta, &op, &f, &err))
        return refuse(r, g, &m, XR_ORIGIN_CLIENT, f, &err, t0);
    m.meta = meta;
    return consume(r, g, &m, t0);
}
