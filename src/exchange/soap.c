/* soap.c — the SOAP side of the message protocol (X-Road 4.0): the header
 * elements client, service, id, userId, issue and protocolVersion read
 * from an envelope into the same struct xr_meta the REST headers give,
 * the header written back for answers, and faults in SOAP 1.1 form. */
#include "internal.h"

#include <string.h>

static const char *text_of(struct xr_xml_node *n, const char *ns, const char *name)
{
    struct xr_xml_node *c = xr_xml_child(n, ns, name);
    return c ? c->text : NULL;
}

/* <xrd:client> or <xrd:service> with iden: parts into an identifier. */
static int soap_id(struct pc_arena *a, struct xr_xml_node *n, enum xr_id_kind kind, struct xr_id *out,
                   struct pc_err *err)
{
    const char *inst = text_of(n, XR_IDEN_NS, "xRoadInstance"), *cls = text_of(n, XR_IDEN_NS, "memberClass"),
               *code = text_of(n, XR_IDEN_NS, "memberCode"), *sub = text_of(n, XR_IDEN_NS, "subsystemCode"),
               *svc = text_of(n, XR_IDEN_NS, "serviceCode");
    if (!inst || !cls || !code || (kind == XR_ID_SERVICE && (!sub || !svc)))
        return pc_err_set(err, PC_EINVAL, "the %s element lacks a part", xr_id_kind_name(kind));
    const char *s = kind == XR_ID_SERVICE ? pc_arena_printf(a, "%s/%s/%s/%s/%s", inst, cls, code, sub, svc)
                    : sub ? pc_arena_printf(a, "%s/%s/%s/%s", inst, cls, code, sub)
                    : pc_arena_printf(a, "%s/%s/%s", inst, cls, code);
    return xr_id_parse_str(s, kind, out, err);
}

int xr_soap_parse(struct pc_arena *a, const char *xml, size_t n, struct xr_meta *meta, const char **op,
                  enum xr_fault *fault, struct pc_err *err)
{
    *fault = XR_FAULT_INVALID_SOAP;
    memset(meta, 0, sizeof *meta);
    struct xr_xml_node *root;
    int rc = xr_xml_parse(a, xml, n, &root, err);
    if (rc)
        return rc;
    if (strcmp(root->ns, XR_SOAP_NS) != 0 || strcmp(root->name, "Envelope") != 0)
        return pc_err_set(err, PC_EINVAL, "not a SOAP 1.1 envelope");
    struct xr_xml_node *head = xr_xml_child(root, XR_SOAP_NS, "Header"),
                       *body = xr_xml_child(root, XR_SOAP_NS, "Body");
    if (!head || !body)
        return pc_err_set(err, PC_EINVAL, "the envelope lacks its Header or Body");
    struct xr_xml_node *first = xr_xml_first(body);
    if (!first)
        return pc_err_set(err, PC_EINVAL, "the Body is empty");
    *op = first->name;
    struct xr_xml_node *client = xr_xml_child(head, XR_XROAD_NS, "client"),
                       *service = xr_xml_child(head, XR_XROAD_NS, "service");
    const char *pv = text_of(head, XR_XROAD_NS, "protocolVersion");
    if (!client || !service || !pv)
        return pc_err_set(err, PC_EINVAL, "the header lacks client, service or protocolVersion");
    if (strcmp(pv, "4.0") != 0)
        return pc_err_set(err, PC_EINVAL, "protocolVersion must be 4.0");
    if ((rc = soap_id(a, client, XR_ID_CLIENT, &meta->client, err))) {
        *fault = XR_FAULT_INVALID_CLIENT;
        return rc;
    }
    if ((rc = soap_id(a, service, XR_ID_SERVICE, &meta->service, err))) {
        *fault = XR_FAULT_INVALID_SERVICE;
        return rc;
    }
    const char *id = text_of(head, XR_XROAD_NS, "id");
    if (!id)
        return pc_err_set(err, PC_EINVAL, "the header lacks its id");
    rc = xr_meta_ids(meta, id, text_of(head, XR_XROAD_NS, "userId"), text_of(head, XR_XROAD_NS, "issue"), fault,
                     err);
    if (rc && *fault == XR_FAULT_INVALID_HEADER)
        *fault = XR_FAULT_INVALID_SOAP;
    return rc;
}

static void elem(struct pc_buf *out, const char *tag, const char *text)
{
    pc_buf_printf(out, "<%s>", tag);
    pc_buf_html(out, text);
    pc_buf_printf(out, "</%s>", tag);
}

static void id_elems(struct pc_buf *out, const char *tag, const char *type, const struct xr_id *id)
{
    pc_buf_printf(out, "<xrd:%s iden:objectType=\"%s\">", tag, type);
    elem(out, "iden:xRoadInstance", id->instance);
    elem(out, "iden:memberClass", id->cls);
    elem(out, "iden:memberCode", id->member);
    if (id->subsystem[0])
        elem(out, "iden:subsystemCode", id->subsystem);
    if (id->kind == XR_ID_SERVICE)
        elem(out, "iden:serviceCode", id->code);
    pc_buf_printf(out, "</xrd:%s>", tag);
}

void xr_soap_header(struct pc_buf *out, const struct xr_meta *m)
{
    id_elems(out, "client", m->client.kind == XR_ID_SUBSYSTEM ? "SUBSYSTEM" : "MEMBER", &m->client);
    id_elems(out, "service", "SERVICE", &m->service);
    elem(out, "xrd:id", m->id);
    if (m->user_id[0])
        elem(out, "xrd:userId", m->user_id);
    if (m->issue[0])
        elem(out, "xrd:issue", m->issue);
    elem(out, "xrd:protocolVersion", "4.0");
}

void xr_soap_fault(struct pc_buf *out, const char *type, const char *message, const char *detail)
{
    pc_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"" XR_SOAP_NS
                     "\"><SOAP-ENV:Body><SOAP-ENV:Fault>");
    elem(out, "faultcode", type);
    elem(out, "faultstring", message);
    pc_buf_puts(out, "<faultactor></faultactor><detail>");
    elem(out, "faultDetail", detail ? detail : "");
    pc_buf_puts(out, "</detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>\n");
}
