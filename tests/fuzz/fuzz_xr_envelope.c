/* fuzz_xr_envelope.c — the message envelope between gateways and the SOAP
 * envelope from information systems: xr_envelope_parse,
 * xr_envelope_parse_reply and xr_soap_parse on arbitrary bytes.  The
 * input is "Name: value" lines up to an empty line (the transport
 * headers, at most 64), then a body given to the SOAP parser.
 * Invariants: only PC_EINVAL from the envelope; a parsed request written
 * back with xr_envelope_write parses again to the same signed block and
 * proof; a parsed reply names its request hash and, when it has one, a
 * known fault type; a parsed SOAP message has a service identifier and a
 * body operation, and its header written back parses to the same
 * metadata; no leak (everything in one arena). */
#include "fuzz_common.h"

#include "../../src/exchange/envelope.c"
#include "../../src/exchange/soap.c"
#include "../../src/exchange/xml.c"

#define MAXH 64

struct hdrs {
    struct xr_hdr h[MAXH];
    size_t n;
};

static const char *get(void *ctx, const char *name)
{
    struct hdrs *x = ctx;
    for (size_t i = 0; i < x->n; i++)
        if (strcasecmp(x->h[i].name, name) == 0)
            return x->h[i].value;
    return NULL;
}

static void check_request(struct pc_arena *a, struct hdrs *in)
{
    struct pc_err err = {0};
    struct xr_msg m, again;
    struct xr_proof p, q;
    int rc = xr_envelope_parse(a, get, in, &m, &p, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    struct hdrs out = {0};
    xr_envelope_write(a, &m, &p, "AZ/GOV/1/gw", out.h, &out.n, MAXH);
    /* Content-Type travels as the HTTP header beside the envelope */
    if (m.content_type[0])
        out.h[out.n++] = (struct xr_hdr){"Content-Type", m.content_type};
    FUZZ_CHECK(xr_envelope_parse(a, get, &out, &again, &q, &err) == 0);
    FUZZ_CHECK(strcmp(xr_msg_block(a, &m), xr_msg_block(a, &again)) == 0);
    FUZZ_CHECK(strcmp(p.signature, q.signature) == 0 && p.auth_ts == q.auth_ts);
    FUZZ_CHECK(p.cert_len == q.cert_len && memcmp(p.cert_der, q.cert_der, p.cert_len) == 0);
}

static void check_reply(struct pc_arena *a, struct hdrs *in)
{
    struct pc_err err = {0};
    struct xr_reply r;
    struct xr_proof p;
    const char *hash;
    memset(&r, 0, sizeof r);
    int rc = xr_envelope_parse_reply(a, get, in, &r, &p, &hash, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc)
        return;
    FUZZ_CHECK(hash && *hash);
    if (r.fault)
        FUZZ_CHECK(xr_fault_parse(r.fault, NULL) != XR_FAULT_COUNT);
}

static void check_soap(struct pc_arena *a, const char *body, size_t n)
{
    struct pc_err err = {0};
    struct xr_meta m, again;
    const char *op;
    enum xr_fault f;
    int rc = xr_soap_parse(a, body, n, &m, &op, &f, &err);
    FUZZ_CHECK(rc == 0 || rc == PC_EINVAL);
    if (rc) {
        FUZZ_CHECK(f == XR_FAULT_INVALID_SOAP || f == XR_FAULT_INVALID_CLIENT || f == XR_FAULT_INVALID_SERVICE);
        return;
    }
    FUZZ_CHECK(m.service.kind == XR_ID_SERVICE && op && *op);
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    pc_buf_puts(&b, "<e:Envelope xmlns:e=\"" XR_SOAP_NS "\" xmlns:xrd=\"" XR_XROAD_NS "\" xmlns:iden=\"" XR_IDEN_NS
                    "\"><e:Header>");
    xr_soap_header(&b, &m);
    pc_buf_puts(&b, "</e:Header><e:Body><x/></e:Body></e:Envelope>");
    FUZZ_CHECK(xr_soap_parse(a, b.data, b.len, &again, &op, &f, &err) == 0);
    FUZZ_CHECK(xr_id_eq(&m.client, &again.client) && xr_id_eq(&m.service, &again.service));
    FUZZ_CHECK(strcmp(m.id, again.id) == 0 && strcmp(m.user_id, again.user_id) == 0 &&
               strcmp(m.issue, again.issue) == 0);
    pc_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pc_arena a;
    pc_arena_init(&a);
    char *buf = pc_arena_strndup(&a, (const char *)data, size);
    struct hdrs in = {0};
    char *p = buf, *body = buf + size;
    while (*p && in.n < MAXH) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        if (!*p) {
            body = nl ? nl + 1 : p;
            break;
        }
        char *colon = strchr(p, ':');
        if (colon) {
            *colon = 0;
            const char *v = colon + 1;
            while (*v == ' ')
                v++;
            in.h[in.n++] = (struct xr_hdr){p, v};
        }
        if (!nl) {
            body = p + strlen(p);
            break;
        }
        p = nl + 1;
    }
    check_request(&a, &in);
    check_reply(&a, &in);
    check_soap(&a, body, strlen(body));
    pc_arena_release(&a);
    return 0;
}
