/* envelope.c — a message on the wire between two gateways.  It stays an
 * HTTP request (POST /xr/v1/message) or answer whose body is the
 * message's body, byte for byte; everything else travels in headers:
 *
 *   X-Road-Protocol, -Client, -Service, -Id, -UserId, -Issue,
 *   X-Road-Method, X-Road-Path        what the information system asked
 *   Content-Type                      the body's type
 *   X-Road-Headers: a, b              the end-to-end headers that follow,
 *                                     by name (a proxy may add others)
 *   X-Road-Signature, -Sign-Cert, -Sign-Ocsp       the member's proof
 *   X-Road-Gateway, -Gateway-Auth ("TS SIG"), -Gateway-Ocsp   the sender's
 *   X-Road-Request-Hash, X-Road-Error (answers)
 *
 * Certificates and OCSP answers are base64 DER.  Parsing is strict and
 * bounded: this is the message envelope the fuzz harness drives. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DER_MAX 8192

static int need(xr_get_header get, void *ctx, const char *name, const char **out, struct pc_err *err)
{
    *out = get(ctx, name);
    if (!*out || !**out)
        return pc_err_set(err, PC_EINVAL, "%s is missing", name);
    if (strlen(*out) > XR_HEADER_VALUE_MAX)
        return pc_err_set(err, PC_EINVAL, "%s is too long", name);
    return 0;
}

static int der(struct pc_arena *a, xr_get_header get, void *ctx, const char *name, bool required,
               const unsigned char **out, size_t *len, struct pc_err *err)
{
    const char *v = get(ctx, name);
    *out = NULL;
    *len = 0;
    if (!v || !*v)
        return required ? pc_err_set(err, PC_EINVAL, "%s is missing", name) : 0;
    unsigned char *p;
    if (xr_b64_decode_arena(a, v, DER_MAX, &p, len) || *len == 0)
        return pc_err_set(err, PC_EINVAL, "%s is not base64 of at most %d bytes", name, DER_MAX);
    *out = p;
    return 0;
}

/* The end-to-end headers named by X-Road-Headers. */
static int forwarded(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_hdr *h, size_t *n,
                     struct pc_err *err)
{
    const char *list = get(ctx, "X-Road-Headers");
    *n = 0;
    if (!list || !*list)
        return 0;
    if (strlen(list) > 2048)
        return pc_err_set(err, PC_EINVAL, "X-Road-Headers is too long");
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if (e == p)
            break;
        char *name = pc_arena_strndup(a, p, (size_t)(e - p));
        for (const char *c = name; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
                return pc_err_set(err, PC_EINVAL, "X-Road-Headers names a bad header");
        if (!xr_header_forwardable(name, NULL))
            return pc_err_set(err, PC_EINVAL, "X-Road-Headers names %s, which does not cross", name);
        for (size_t i = 0; i < *n; i++)
            if (strcmp(h[i].name, name) == 0)
                return pc_err_set(err, PC_EINVAL, "X-Road-Headers names %s twice", name);
        const char *v = get(ctx, name);
        if (!v)
            return pc_err_set(err, PC_EINVAL, "the header %s named by X-Road-Headers is missing", name);
        if (strlen(v) > XR_HEADER_VALUE_MAX)
            return pc_err_set(err, PC_EINVAL, "the header %s is too long", name);
        if (xr_hdr_add(a, h, n, name, v))
            return pc_err_set(err, PC_EINVAL, "more than %d end-to-end headers", XR_MAX_FWD_HEADERS);
        p = e;
    }
    return 0;
}

static int proof(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_proof *p, struct pc_err *err)
{
    memset(p, 0, sizeof *p);
    const char *gw, *auth;
    int rc;
    if ((rc = need(get, ctx, "X-Road-Signature", &p->signature, err)) ||
        (rc = der(a, get, ctx, "X-Road-Sign-Cert", true, &p->cert_der, &p->cert_len, err)) ||
        (rc = der(a, get, ctx, "X-Road-Sign-Ocsp", true, &p->ocsp_der, &p->ocsp_len, err)) ||
        (rc = need(get, ctx, "X-Road-Gateway", &gw, err)) || (rc = need(get, ctx, "X-Road-Gateway-Auth", &auth, err)) ||
        (rc = der(a, get, ctx, "X-Road-Gateway-Ocsp", true, &p->auth_ocsp_der, &p->auth_ocsp_len, err)))
        return rc;
    if (xr_id_parse_str(gw, XR_ID_GATEWAY, &p->gateway, err))
        return err ? err->code : PC_EINVAL;
    const char *sp = strchr(auth, ' ');
    char ts[24];
    long long t;
    if (!sp || (size_t)(sp - auth) >= sizeof ts)
        return pc_err_set(err, PC_EINVAL, "X-Road-Gateway-Auth is not \"TIME SIGNATURE\"");
    memcpy(ts, auth, (size_t)(sp - auth));
    ts[sp - auth] = 0;
    if (pc_parse_int(ts, 0, INT64_MAX / 2, &t) || !sp[1])
        return pc_err_set(err, PC_EINVAL, "X-Road-Gateway-Auth is not \"TIME SIGNATURE\"");
    p->auth_ts = t;
    p->auth_sig = sp + 1;
    return 0;
}

int xr_envelope_parse(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_msg *m, struct xr_proof *p,
                      struct pc_err *err)
{
    memset(m, 0, sizeof *m);
    const char *proto, *client, *service, *method, *path;
    int rc;
    if ((rc = need(get, ctx, "X-Road-Protocol", &proto, err)) || (rc = need(get, ctx, "X-Road-Client", &client, err)) ||
        (rc = need(get, ctx, "X-Road-Service", &service, err)) || (rc = need(get, ctx, "X-Road-Method", &method, err)))
        return rc;
    if (strcmp(proto, "r1") == 0)
        m->proto = XR_PROTO_REST;
    else if (strcmp(proto, "soap") == 0)
        m->proto = XR_PROTO_SOAP;
    else
        return pc_err_set(err, PC_EINVAL, "X-Road-Protocol must be r1 or soap");
    if ((rc = xr_id_parse_str(client, XR_ID_CLIENT, &m->meta.client, err)) ||
        (rc = xr_id_parse_str(service, XR_ID_SERVICE, &m->meta.service, err)))
        return rc;
    enum xr_fault f;
    const char *id = get(ctx, "X-Road-Id");
    if (!id)
        return pc_err_set(err, PC_EINVAL, "X-Road-Id is missing");
    if ((rc = xr_meta_ids(&m->meta, id, get(ctx, "X-Road-UserId"), get(ctx, "X-Road-Issue"), &f, err)))
        return rc;
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    bool known = false;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(method, methods[i]) == 0) {
            m->method = methods[i];
            known = true;
        }
    if (!known)
        return pc_err_set(err, PC_EINVAL, "X-Road-Method is not a method we forward");
    path = get(ctx, "X-Road-Path");
    m->path = path ? path : "";
    if (strlen(m->path) > XR_HEADER_VALUE_MAX || xr_rest_path_check(m->path, err))
        return pc_err_set(err, PC_EINVAL, "X-Road-Path is not a safe path");
    const char *ct = get(ctx, "Content-Type");
    m->content_type = ct ? ct : "";
    if ((rc = forwarded(a, get, ctx, m->hdrs, &m->nhdrs, err)))
        return rc;
    return proof(a, get, ctx, p, err);
}

int xr_envelope_parse_reply(struct pc_arena *a, xr_get_header get, void *ctx, struct xr_reply *r,
                            struct xr_proof *p, const char **request_hash, struct pc_err *err)
{
    int rc;
    const char *ct = get(ctx, "Content-Type");
    r->content_type = ct ? ct : "";
    r->fault = get(ctx, "X-Road-Error");
    if (r->fault && (strlen(r->fault) > 128 || xr_fault_parse(r->fault, NULL) == XR_FAULT_COUNT))
        return pc_err_set(err, PC_EINVAL, "X-Road-Error is not a known fault type");
    if ((rc = need(get, ctx, "X-Road-Request-Hash", request_hash, err)) ||
        (rc = forwarded(a, get, ctx, r->hdrs, &r->nhdrs, err)))
        return rc;
    return proof(a, get, ctx, p, err);
}

static void add(struct xr_hdr *out, size_t *n, size_t max, const char *name, const char *value)
{
    if (*n < max && value)
        out[(*n)++] = (struct xr_hdr){name, value};
}

static void add_proof(struct pc_arena *a, const struct xr_proof *p, struct xr_hdr *out, size_t *n, size_t max)
{
    add(out, n, max, "X-Road-Signature", p->signature);
    add(out, n, max, "X-Road-Sign-Cert", xr_b64(a, p->cert_der, p->cert_len));
    add(out, n, max, "X-Road-Sign-Ocsp", xr_b64(a, p->ocsp_der, p->ocsp_len));
    add(out, n, max, "X-Road-Gateway", xr_id_str(a, &p->gateway));
    add(out, n, max, "X-Road-Gateway-Auth", pc_arena_printf(a, "%lld %s", (long long)p->auth_ts, p->auth_sig));
    add(out, n, max, "X-Road-Gateway-Ocsp", xr_b64(a, p->auth_ocsp_der, p->auth_ocsp_len));
}

static void add_forwarded(struct pc_arena *a, const struct xr_hdr *h, size_t nh, struct xr_hdr *out, size_t *n,
                          size_t max)
{
    if (!nh)
        return;
    struct pc_buf names;
    pc_buf_init(&names, 4096);
    for (size_t i = 0; i < nh; i++) {
        pc_buf_printf(&names, "%s%s", i ? ", " : "", h[i].name);
        add(out, n, max, h[i].name, h[i].value);
    }
    add(out, n, max, "X-Road-Headers", pc_arena_strndup(a, names.data, names.len));
    pc_buf_release(&names);
}

static void add_meta(struct pc_arena *a, const struct xr_meta *m, struct xr_hdr *out, size_t *n, size_t max)
{
    add(out, n, max, "X-Road-Client", xr_id_str(a, &m->client));
    add(out, n, max, "X-Road-Service", xr_id_str(a, &m->service));
    add(out, n, max, "X-Road-Id", m->id);
    if (m->user_id[0])
        add(out, n, max, "X-Road-UserId", m->user_id);
    if (m->issue[0])
        add(out, n, max, "X-Road-Issue", m->issue);
}

void xr_envelope_write(struct pc_arena *a, const struct xr_msg *m, const struct xr_proof *p, const char *to_gateway,
                       struct xr_hdr *out, size_t *n, size_t max)
{
    (void)to_gateway;
    *n = 0;
    add(out, n, max, "X-Road-Protocol", xr_proto_name(m->proto));
    add_meta(a, &m->meta, out, n, max);
    add(out, n, max, "X-Road-Method", m->method);
    if (m->path[0])
        add(out, n, max, "X-Road-Path", m->path);
    add_forwarded(a, m->hdrs, m->nhdrs, out, n, max);
    add_proof(a, p, out, n, max);
}

void xr_envelope_write_reply(struct pc_arena *a, const struct xr_reply *r, const struct xr_proof *p,
                             const struct xr_meta *meta, const char *request_hash, struct xr_hdr *out, size_t *n,
                             size_t max)
{
    *n = 0;
    add_meta(a, meta, out, n, max);
    add(out, n, max, "X-Road-Request-Hash", request_hash);
    if (r->fault)
        add(out, n, max, "X-Road-Error", r->fault);
    add_forwarded(a, r->hdrs, r->nhdrs, out, n, max);
    if (p)
        add_proof(a, p, out, n, max);
}
