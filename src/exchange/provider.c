/* provider.c — the provider side: another gateway sends a signed message
 * (POST /xr/v1/message, envelope.c).  The gateway checks the sender
 * gateway's authentication and the client member's signature and
 * certificate status (OCSP, with a freshness limit), refuses replays,
 * checks access (deny by default) and limits, forwards to the provider's
 * information system (no redirects, bounded, timed), signs the answer as
 * the provider member bound to the request's hash, and logs both.  A
 * refusal is answered signed too when this gateway can sign for the
 * service's member, so the consumer can tell it from a forgery. */
#include "internal.h"
#include "../http/http.h"

#include <string.h>
#include <strings.h>

static struct xr_gateway *gw_of(struct http_req *r)
{
    return ((struct xr_gateway_api *)r->app)->gw;
}

struct pmsg {
    struct xr_msg m;
    const char *block, *body_hash, *hash;  /* of the request */
    const char *from_gw;                   /* the consumer gateway, to authenticate the answer towards */
    struct xr_signer *signer;              /* the service's member, when we sign for it */
};

static void log_rec(struct xr_gateway *g, struct pc_arena *a, const struct pmsg *pm, enum xr_rec_kind kind,
                    const char *block, const char *body_hash, const char *hash, const void *body, size_t len,
                    const char *fault, const struct xr_proof *p, X509 *cert)
{
    const struct xr_msg *m = &pm->m;
    struct xr_logrec rec = {.message_id = m->meta.id, .side = XR_SIDE_PROVIDER, .kind = kind, .proto = m->proto,
                            .client = m->meta.client.instance[0] ? xr_id_str(a, &m->meta.client) : "",
                            .service = m->meta.service.instance[0] ? xr_id_str(a, &m->meta.service) : "",
                            .user_id = m->meta.user_id, .issue = m->meta.issue, .fault = fault, .block = block,
                            .body_hash = body_hash, .hash = hash, .body = g->o.log_bodies ? body : NULL,
                            .body_len = len, .signature = p ? p->signature : NULL, .cert = cert,
                            .ocsp = p ? p->ocsp_der : NULL, .ocsp_len = p ? p->ocsp_len : 0};
    struct pc_err err = {0};
    if (xr_msglog_append(g->log, &rec, &err))
        pc_log(PC_LOG_ERROR, "gateway.log_failed", "msg", err.msg, NULL);
}

/* Write the answer: sign it when we can, log it, send it. */
static int answer(struct http_req *r, struct xr_gateway *g, struct pmsg *pm, struct xr_reply *rep, int64_t t0)
{
    struct pc_arena *a = &r->arena;
    struct pc_err err = {0};
    const char *req_hash = pm->hash ? pm->hash : "";
    const char *rb = xr_reply_block(a, rep, req_hash, pm->m.meta.id), *rbh,
               *rh = xr_hash(a, rb, rep->body, rep->body_len, &rbh);
    struct xr_proof p, *pp = NULL;
    if (pm->signer && pm->from_gw && xr_gateway_prove(g, pm->signer, a, rh, pm->from_gw, &p, &err) == 0)
        pp = &p;
    else if (!rep->fault)
        pc_log(PC_LOG_ERROR, "gateway.sign_failed", "msg", err.msg, NULL);
    log_rec(g, a, pm, XR_REC_RESPONSE, rb, rbh, rh, rep->body, rep->body_len, rep->fault, pp,
            pp ? pm->signer->cert : NULL);
    struct xr_hdr hdrs[XR_MAX_FWD_HEADERS + 24];
    size_t nh;
    xr_envelope_write_reply(a, rep, pp, &pm->m.meta, req_hash, hdrs, &nh, sizeof hdrs / sizeof hdrs[0]);
    for (size_t i = 0; i < nh; i++)
        http_set_header(r, hdrs[i].name, hdrs[i].value);
    r->status = rep->status;
    r->content_type = rep->content_type && *rep->content_type ? rep->content_type : NULL;
    r->no_gzip = true;
    pc_buf_reset(&r->out);
    pc_buf_append(&r->out, rep->body, rep->body_len);
    const char *svc = pm->m.meta.service.instance[0] ? xr_id_str(a, &pm->m.meta.service) : "",
               *client = pm->m.meta.client.instance[0] ? xr_id_str(a, &pm->m.meta.client) : "";
    xr_monitor_record(g->monitor, XR_SIDE_PROVIDER, svc, client, !rep->fault, pc_mono_usec() - t0, pm->m.body_len,
                      rep->body_len);
    return 0;
}

static int refuse(struct http_req *r, struct xr_gateway *g, struct pmsg *pm, enum xr_fault f,
                  const struct pc_err *err, int64_t t0)
{
    struct pc_arena *a = &r->arena;
    const char *type = xr_fault_type(a, XR_ORIGIN_PROVIDER, f);
    pc_log(f >= XR_FAULT_NETWORK ? PC_LOG_WARN : PC_LOG_INFO, "gateway.refused", "side", "provider", "type", type,
           "msg", err->msg, NULL);
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    if (pm->m.proto == XR_PROTO_SOAP) {
        xr_soap_fault(&b, type, err->msg, pm->m.meta.id);
    } else {
        pc_buf_puts(&b, "{\"type\":\"");
        pc_buf_json_str(&b, type);
        pc_buf_puts(&b, "\",\"message\":\"");
        pc_buf_json_str(&b, err->msg);
        pc_buf_puts(&b, "\",\"detail\":\"");
        pc_buf_json_str(&b, pm->m.meta.id);
        pc_buf_puts(&b, "\"}");
    }
    struct xr_reply rep = {.status = xr_fault_status(f),
                           .content_type = pm->m.proto == XR_PROTO_SOAP ? "text/xml; charset=utf-8"
                                                                         : "application/json",
                           .fault = type, .body = pc_arena_strndup(a, b.data, b.len), .body_len = b.len};
    pc_buf_release(&b);
    /* a request not yet logged (refused before its proof was checked) is logged as received */
    if (pm->block && !pm->signer)
        log_rec(g, a, pm, XR_REC_REQUEST, pm->block, pm->body_hash, pm->hash, pm->m.body, pm->m.body_len, type,
                NULL, NULL);
    return answer(r, g, pm, &rep, t0);
}

/* The provider system's URL for this request. */
static const char *target(struct pc_arena *a, const struct xr_local_service *ls, const struct xr_msg *m)
{
    if (m->proto == XR_PROTO_SOAP || !m->path[0])
        return ls->url;
    size_t n = strlen(ls->url);
    bool slash = n && ls->url[n - 1] == '/';
    return pc_arena_printf(a, "%.*s%s", (int)(slash ? n - 1 : n), ls->url, m->path);
}

/* The SHA-256 (hex) of the connection's TLS client certificate: on the
 * peers' listener the handshake proved the other gateway holds its key,
 * and this names which certificate it was.  False when none was shown. */
static bool tls_client_fp(struct http_req *r, char hex[65])
{
    const unsigned char *der;
    size_t len;
    if (http_client_cert(r, &der, &len))
        return false;
    unsigned char md[32];
    xr_sha256(der, len, md);
    xr_hex(md, 32, hex);
    return true;
}

/* Whether fp is the authentication certificate of a gateway of the
 * configuration in force. */
static bool fp_of_a_gateway(struct xr_gateway *g, const char *fp)
{
    struct pc_err err = {0};
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    bool known = false;
    for (size_t i = 0; gc && !known && i < gc->ngateways; i++)
        known = strcmp(gc->gateways[i].auth_fp, fp) == 0;
    xr_gconf_unref(gc);
    return known;
}

int xr_provider_message(struct http_req *r)
{
    struct xr_gateway *g = gw_of(r);
    struct pc_arena *a = &r->arena;
    int64_t t0 = pc_mono_usec();
    struct pc_err err = {0};
    struct pmsg pm = {0};
    struct xr_proof proof;
    /* over mutual TLS nothing is read from a peer that is not a gateway of the configuration */
    bool tls = ((struct xr_gateway_api *)r->app)->edge == XR_EDGE_PEERS;
    char tls_fp[65] = "";
    if (tls && (!tls_client_fp(r, tls_fp) || !fp_of_a_gateway(g, tls_fp))) {
        pc_err_set(&err, PC_EDENIED, "the TLS client certificate is not a gateway's of the global configuration");
        return refuse(r, g, &pm, XR_FAULT_AUTHENTICATION, &err, t0);
    }
    if (xr_envelope_parse(a, xr_req_header, r, &pm.m, &proof, &err)) {
        snprintf(pm.m.meta.id, sizeof pm.m.meta.id, "%s", "");
        return refuse(r, g, &pm, XR_FAULT_INVALID_MESSAGE, &err, t0);
    }
    struct xr_msg *m = &pm.m;
    m->body = r->body.data ? r->body.data : "";
    m->body_len = r->body.len;
    pm.block = xr_msg_block(a, m);
    pm.hash = xr_hash(a, pm.block, m->body, m->body_len, &pm.body_hash);
    struct xr_gconf *gc = xr_gateway_gconf(g, &err);
    if (!gc)
        return refuse(r, g, &pm, XR_FAULT_OUTDATED_GLOBALCONF, &err, t0);
    pc_arena_defer(a, (void (*)(void *))xr_gconf_unref, gc);
    /* the sender must be the gateway the configuration names for the client */
    int from = xr_gconf_gateway_index(gc, &proof.gateway);
    if (from < 0 || !xr_gconf_serves(gc, from, &m->meta.client)) {
        pc_err_set(&err, PC_EDENIED, "the sending gateway does not serve %s", xr_id_str(a, &m->meta.client));
        return refuse(r, g, &pm, XR_FAULT_AUTHENTICATION, &err, t0);
    }
    pm.from_gw = gc->gateways[from].id_str;
    if (tls && strcmp(tls_fp, gc->gateways[from].auth_fp) != 0) {
        pc_err_set(&err, PC_EDENIED, "the TLS client certificate is not %s's authentication certificate",
                   pm.from_gw);
        return refuse(r, g, &pm, XR_FAULT_AUTHENTICATION, &err, t0);
    }
    const struct xr_gc_service *svc = xr_gconf_service(gc, &m->meta.service);
    const struct xr_local_service *ls = xr_gateway_local(g, &m->meta.service);
    int me = xr_gconf_gateway_index(gc, &g->id);
    struct xr_signer *signer = xr_gateway_signer(g, &m->meta.service);
    if (!svc || !ls || !signer || svc->gateway != me) {
        pc_err_set(&err, PC_ENOTFOUND, "this gateway does not provide %s", xr_id_str(a, &m->meta.service));
        return refuse(r, g, &pm, XR_FAULT_UNKNOWN_SERVICE, &err, t0);
    }
    struct xr_id client_member;
    xr_id_member(&m->meta.client, &client_member);
    X509 *cert;
    enum xr_fault f;
    if (xr_gateway_check_proof(g, gc, a, &proof, &client_member, pm.hash, from, &cert, &f, &err))
        return refuse(r, g, &pm, f, &err, t0);
    /* checked: from here the request is logged signed and answers are signed */
    log_rec(g, a, &pm, XR_REC_REQUEST, pm.block, pm.body_hash, pm.hash, m->body, m->body_len, NULL, &proof, cert);
    pm.signer = signer;
    if (xr_replay_seen(g->replay, pm.hash, pc_now_unix())) {
        pc_err_set(&err, PC_ECONFLICT, "this signed request was received before");
        return refuse(r, g, &pm, XR_FAULT_REPLAY, &err, t0);
    }
    if (!xr_gconf_allowed(gc, svc, &m->meta.client)) {
        pc_err_set(&err, PC_EDENIED, "%s may not call %s", xr_id_str(a, &m->meta.client), svc->id_str);
        return refuse(r, g, &pm, XR_FAULT_ACCESS_DENIED, &err, t0);
    }
    if ((int64_t)m->body_len > svc->max_request) {
        pc_err_set(&err, PC_ETOOBIG, "the request is %zu bytes; %s takes at most %lld", m->body_len, svc->id_str,
                   (long long)svc->max_request);
        return refuse(r, g, &pm, XR_FAULT_TOO_LARGE, &err, t0);
    }
    if ((m->proto == XR_PROTO_SOAP) != ls->soap) {
        pc_err_set(&err, PC_EINVAL, "%s is offered over %s", svc->id_str, ls->soap ? "SOAP" : "REST");
        return refuse(r, g, &pm, XR_FAULT_INVALID_REQUEST, &err, t0);
    }
    /* to the provider's system: the end-to-end headers and who asks */
    struct xr_hdr hdrs[XR_MAX_FWD_HEADERS + 8];
    size_t nh = 0;
    for (size_t i = 0; i < m->nhdrs; i++)
        hdrs[nh++] = m->hdrs[i];
    hdrs[nh++] = (struct xr_hdr){"X-Road-Client", xr_id_str(a, &m->meta.client)};
    hdrs[nh++] = (struct xr_hdr){"X-Road-Service", svc->id_str};
    hdrs[nh++] = (struct xr_hdr){"X-Road-Id", m->meta.id};
    if (m->meta.user_id[0])
        hdrs[nh++] = (struct xr_hdr){"X-Road-UserId", m->meta.user_id};
    if (m->meta.issue[0])
        hdrs[nh++] = (struct xr_hdr){"X-Road-Issue", m->meta.issue};
    if (m->proto == XR_PROTO_SOAP)
        hdrs[nh++] = (struct xr_hdr){"SOAPAction", "\"\""};
    int timeout = svc->timeout_ms < g->o.timeout_ms ? svc->timeout_ms : g->o.timeout_ms;
    struct xr_http_call call = {m->method, target(a, ls, m), hdrs, nh, m->content_type, m->body, m->body_len,
                                timeout, (size_t)svc->max_response, NULL};
    struct xr_http_answer ans;
    if (xr_http(a, &call, &ans, &f, &err))
        return refuse(r, g, &pm, f == XR_FAULT_NETWORK ? XR_FAULT_SERVICE_FAILED : f, &err, t0);
    struct xr_reply rep = {.status = (int)ans.status, .content_type = ans.content_type ? ans.content_type : "",
                           .body = ans.body, .body_len = ans.len};
    const char *conn = xr_answer_header(&ans, "Connection");
    for (size_t i = 0; i < ans.nhdrs && rep.nhdrs < XR_MAX_FWD_HEADERS; i++)
        if (xr_header_forwardable(ans.hdrs[i].name, conn) && strlen(ans.hdrs[i].value) <= XR_HEADER_VALUE_MAX)
            xr_hdr_add(a, rep.hdrs, &rep.nhdrs, ans.hdrs[i].name, ans.hdrs[i].value);
    return answer(r, g, &pm, &rep, t0);
}
