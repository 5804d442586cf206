/* test_exchange.c — unit tests of the exchange layer (src/exchange):
 * identifiers and REST targets, the protocol's headers and paths, fault
 * types, the XML reader and the SOAP header, the signed blocks and
 * hashes, the envelope between gateways, and the central registry with
 * the global configuration it signs (on SQLite and, when
 * PENCERE_TEST_PG_URL is set, on PostgreSQL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/exchange/internal.h"
#include "../../src/audit/audit.h"
#include "../../src/identity/identity.h"
#include "fixture.h"

#include <openssl/pem.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- identifiers ---------------------------------------------------------- */

static void test_ids(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct xr_id id, m;
    assert_int_equal(xr_id_parse_str("AZ/GOV/1400000001/population/person", XR_ID_SERVICE, &id, &err), 0);
    assert_string_equal(id.instance, "AZ");
    assert_string_equal(id.cls, "GOV");
    assert_string_equal(id.member, "1400000001");
    assert_string_equal(id.subsystem, "population");
    assert_string_equal(id.code, "person");
    struct pc_arena a;
    pc_arena_init(&a);
    assert_string_equal(xr_id_str(&a, &id), "AZ/GOV/1400000001/population/person");

    assert_int_equal(xr_id_parse_str("AZ/COM/1500000002", XR_ID_CLIENT, &id, &err), 0);
    assert_int_equal(id.kind, XR_ID_MEMBER);
    assert_int_equal(xr_id_parse_str("AZ/COM/1500000002/portal", XR_ID_CLIENT, &id, &err), 0);
    assert_int_equal(id.kind, XR_ID_SUBSYSTEM);
    xr_id_member(&id, &m);
    assert_string_equal(xr_id_str(&a, &m), "AZ/COM/1500000002");

    assert_int_equal(xr_id_parse_str("AZ/GOV/1/gw1", XR_ID_GATEWAY, &id, &err), 0);
    assert_string_equal(id.code, "gw1");
    assert_string_equal(xr_id_str(&a, &id), "AZ/GOV/1/gw1");
    assert_int_equal(xr_id_parse_str("AZ/registries", XR_ID_GROUP, &id, &err), 0);
    assert_string_equal(xr_id_str(&a, &id), "AZ/registries");

    /* refusals, each named */
    const char *bad[] = {"", "AZ/GOV/1/p", "AZ/XYZ/1/p/s", "AZ/GOV//p/s", "AZ/GOV/1/p/s/x", "AZ/GOV/1/p/s t",
                         "AZ/GOV/1/p/s\n", "AZ/GOV/1/p/ş"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(xr_id_parse_str(bad[i], XR_ID_SERVICE, &id, &err), PC_EINVAL);
        assert_true(strstr(err.msg, "service") != NULL);
    }
    char longpart[XR_PART_MAX + 16];
    memset(longpart, 'a', sizeof longpart - 1);
    longpart[sizeof longpart - 1] = 0;
    char s[256];
    snprintf(s, sizeof s, "AZ/GOV/1/%s", longpart);
    assert_int_equal(xr_id_parse_str(s, XR_ID_SUBSYSTEM, &id, &err), PC_EINVAL);

    /* percent-encoded parts and writing them back for a URL */
    assert_int_equal(xr_id_parse("AZ/GOV/1/p/get%3Dx", 18, XR_ID_SERVICE, true, &id, &err), 0);
    assert_string_equal(id.code, "get=x");
    struct pc_buf b;
    pc_buf_init(&b, 1024);
    xr_id_write(&b, &id, true);
    assert_int_equal(b.len, strlen("AZ/GOV/1/p/get%3Dx"));
    assert_memory_equal(b.data, "AZ/GOV/1/p/get%3Dx", b.len);
    pc_buf_release(&b);
    /* the longest identifier, percent-encoded, still parses */
    char longest[3 * XR_ID_MAX + 1] = "AZ/GOV/1/p/", enc[3 * XR_ID_MAX + 1];
    for (int i = 0; i < XR_PART_MAX; i++)
        strcat(longest, "%3D");
    assert_int_equal(xr_id_parse(longest, strlen(longest), XR_ID_SERVICE, true, &id, &err), 0);
    pc_buf_init(&b, 1024);
    xr_id_write(&b, &id, true);
    snprintf(enc, sizeof enc, "%.*s", (int)b.len, b.data);
    assert_string_equal(enc, longest);
    pc_buf_release(&b);
    assert_int_equal(xr_id_parse("AZ/GOV/1/p/a%2", 14, XR_ID_SERVICE, true, &id, &err), PC_EINVAL);
    assert_int_equal(xr_id_parse("AZ/GOV/1/p/a%2F", 15, XR_ID_SERVICE, true, &id, &err), PC_EINVAL);
    pc_arena_release(&a);
}

static void test_targets_and_paths(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct xr_id svc;
    const char *rest;
    assert_int_equal(xr_target_parse("/r1/AZ/GOV/1400000001/population/person/1AB2C3D?x=1", &svc, &rest, &err), 0);
    assert_string_equal(svc.code, "person");
    assert_string_equal(rest, "/1AB2C3D?x=1");
    assert_int_equal(xr_target_parse("/r1/AZ/GOV/1400000001/population/person", &svc, &rest, &err), 0);
    assert_string_equal(rest, "");
    assert_int_equal(xr_target_parse("/r1/AZ/GOV/1400000001/population/person?q", &svc, &rest, &err), 0);
    assert_string_equal(rest, "?q");
    assert_int_equal(xr_target_parse("/r2/AZ/GOV/1/p/s", &svc, &rest, &err), PC_EINVAL);
    assert_int_equal(xr_target_parse("/r1/AZ/GOV/1/p", &svc, &rest, &err), PC_EINVAL);
    assert_int_equal(xr_target_parse("/r1/AZ/GOV/1/p/s#f", &svc, &rest, &err), PC_EINVAL);

    assert_int_equal(xr_rest_path_check("", &err), 0);
    assert_int_equal(xr_rest_path_check("/persons/1AB2C3D?fields=a..b", &err), 0);
    assert_int_equal(xr_rest_path_check("/a/.../b", &err), 0);
    const char *bad[] = {"/../admin", "/a/./b", "/%2e%2E/x", "/.%2e", "/a%2fb", "/a%5cb", "/a\\b", "/a b", "/a\tb",
                         "x/y", "/a%00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(xr_rest_path_check(bad[i], &err), PC_EINVAL);
}

/* ---- the protocol's headers ------------------------------------------------- */

static void test_meta_and_forwarding(void **state)
{
    (void)state;
    struct pc_err err = {0};
    struct xr_meta m;
    enum xr_fault f;
    memset(&m, 0, sizeof m);
    assert_int_equal(xr_meta_ids(&m, NULL, "1AB2C3D", "case-42", &f, &err), 0);
    assert_int_equal(f, XR_FAULT_NONE);
    assert_int_equal(strlen(m.id), 36); /* a made UUID */
    assert_string_equal(m.user_id, "1AB2C3D");
    assert_string_equal(m.issue, "case-42");
    assert_int_equal(xr_meta_ids(&m, "abc-1_2.3:4", NULL, NULL, &f, &err), 0);
    assert_string_equal(m.id, "abc-1_2.3:4");

    char big[XR_ISSUE_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(xr_meta_ids(&m, "a b", NULL, NULL, &f, &err), PC_EINVAL);
    assert_int_equal(f, XR_FAULT_INVALID_HEADER);
    assert_int_equal(xr_meta_ids(&m, "", NULL, NULL, &f, &err), PC_EINVAL);
    assert_int_equal(xr_meta_ids(&m, NULL, "a\rb", NULL, &f, &err), PC_EINVAL);
    assert_int_equal(xr_meta_ids(&m, NULL, "\xff\xfe", NULL, &f, &err), PC_EINVAL);
    assert_int_equal(xr_meta_ids(&m, NULL, NULL, big, &f, &err), PC_EINVAL);
    big[XR_ISSUE_MAX] = 0;
    assert_int_equal(xr_meta_ids(&m, NULL, NULL, big, &f, &err), 0);

    assert_true(xr_header_forwardable("Accept", NULL));
    assert_true(xr_header_forwardable("X-Request-Trace", "keep-alive"));
    assert_false(xr_header_forwardable("X-Request-Trace", "keep-alive, x-request-trace"));
    const char *never[] = {"Connection", "keep-alive", "Transfer-Encoding", "Host", "Cookie", "Authorization",
                           "X-Road-Client", "x-forwarded-for", "Upgrade", "Content-Length", ""};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        assert_false(xr_header_forwardable(never[i], NULL));
}

static void test_faults(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    assert_string_equal(xr_fault_type(&a, XR_ORIGIN_PROVIDER, XR_FAULT_ACCESS_DENIED),
                        "Server.ServerProxy.AccessDenied");
    assert_string_equal(xr_fault_type(&a, XR_ORIGIN_CLIENT, XR_FAULT_INVALID_HEADER), "Client.InvalidHttpHeader");
    for (int f = 1; f < XR_FAULT_COUNT; f++)
        for (int o = 0; o < 3; o++) {
            enum xr_origin got;
            assert_int_equal(xr_fault_parse(xr_fault_type(&a, (enum xr_origin)o, (enum xr_fault)f), &got), f);
            assert_int_equal(got, o);
            assert_true(xr_fault_status((enum xr_fault)f) >= 400);
            assert_true(xr_fault_pc((enum xr_fault)f) < 0);
        }
    assert_int_equal(xr_fault_parse("Server.ServerProxy.Nonsense", NULL), XR_FAULT_COUNT);
    assert_int_equal(xr_fault_parse("AccessDenied", NULL), XR_FAULT_COUNT);
    assert_int_equal(xr_fault_status(XR_FAULT_TOO_LARGE), 413);
    assert_int_equal(xr_fault_status(XR_FAULT_OUTDATED_GLOBALCONF), 503);
    assert_int_equal(xr_fault_of_pc(PC_ETOOBIG), XR_FAULT_TOO_LARGE);
    pc_arena_release(&a);
}

/* ---- XML and SOAP ----------------------------------------------------------- */

static const char soap_req[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\" xmlns:iden=\"http://x-road.eu/xsd/identifiers\" "
    "xmlns:pop=\"urn:pencere:population\">"
    "<soapenv:Header>"
    "<xrd:client iden:objectType=\"SUBSYSTEM\"><iden:xRoadInstance>AZ</iden:xRoadInstance>"
    "<iden:memberClass>GOV</iden:memberClass><iden:memberCode>1500000002</iden:memberCode>"
    "<iden:subsystemCode>portal</iden:subsystemCode></xrd:client>"
    "<xrd:service iden:objectType=\"SERVICE\"><iden:xRoadInstance>AZ</iden:xRoadInstance>"
    "<iden:memberClass>GOV</iden:memberClass><iden:memberCode>1400000001</iden:memberCode>"
    "<iden:subsystemCode>population</iden:subsystemCode><iden:serviceCode>person</iden:serviceCode></xrd:service>"
    "<xrd:id>m-1</xrd:id><xrd:userId>AZ1AB2C3D</xrd:userId><xrd:issue>case &amp; 7</xrd:issue>"
    "<xrd:protocolVersion>4.0</xrd:protocolVersion>"
    "</soapenv:Header>"
    "<soapenv:Body><pop:getPerson><pop:fin>1AB2C3D</pop:fin></pop:getPerson></soapenv:Body>"
    "</soapenv:Envelope>";

static void test_soap(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct xr_meta m;
    const char *op = NULL;
    enum xr_fault f;
    assert_int_equal(xr_soap_parse(&a, soap_req, strlen(soap_req), &m, &op, &f, &err), 0);
    assert_string_equal(op, "getPerson");
    assert_string_equal(xr_id_str(&a, &m.client), "AZ/GOV/1500000002/portal");
    assert_string_equal(xr_id_str(&a, &m.service), "AZ/GOV/1400000001/population/person");
    assert_string_equal(m.id, "m-1");
    assert_string_equal(m.issue, "case & 7");

    /* the header written back reads the same */
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    pc_buf_puts(&b, "<e:Envelope xmlns:e=\"" XR_SOAP_NS "\" xmlns:xrd=\"" XR_XROAD_NS "\" xmlns:iden=\"" XR_IDEN_NS
                    "\"><e:Header>");
    xr_soap_header(&b, &m);
    pc_buf_puts(&b, "</e:Header><e:Body><x/></e:Body></e:Envelope>");
    struct xr_meta m2;
    assert_int_equal(xr_soap_parse(&a, b.data, b.len, &m2, &op, &f, &err), 0);
    assert_true(xr_id_eq(&m.client, &m2.client) && xr_id_eq(&m.service, &m2.service));
    assert_string_equal(m2.issue, "case & 7");
    pc_buf_release(&b);

    /* a fault is an envelope with its code */
    pc_buf_init(&b, 4096);
    xr_soap_fault(&b, "Server.ServerProxy.AccessDenied", "no <access>", NULL);
    struct xr_xml_node *root;
    assert_int_equal(xr_xml_parse(&a, b.data, b.len, &root, &err), 0);
    struct xr_xml_node *fault = xr_xml_child(xr_xml_child(root, XR_SOAP_NS, "Body"), XR_SOAP_NS, "Fault");
    assert_non_null(fault);
    assert_string_equal(xr_xml_child(fault, "", "faultcode")->text, "Server.ServerProxy.AccessDenied");
    assert_string_equal(xr_xml_child(fault, "", "faultstring")->text, "no <access>");
    pc_buf_release(&b);

    /* refusals */
    const char *doctype = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
    assert_int_equal(xr_xml_parse(&a, doctype, strlen(doctype), &root, &err), PC_EINVAL);
    const char *unbound = "<p:x/>";
    assert_int_equal(xr_xml_parse(&a, unbound, strlen(unbound), &root, &err), PC_EINVAL);
    const char *two = "<x/><y/>";
    assert_int_equal(xr_xml_parse(&a, two, strlen(two), &root, &err), PC_EINVAL);
    const char *unclosed = "<x><y></x>";
    assert_int_equal(xr_xml_parse(&a, unclosed, strlen(unclosed), &root, &err), PC_EINVAL);
    pc_buf_init(&b, 1 << 12);
    for (int i = 0; i <= XR_XML_MAX_DEPTH; i++)
        pc_buf_puts(&b, "<a>");
    for (int i = 0; i <= XR_XML_MAX_DEPTH; i++)
        pc_buf_puts(&b, "</a>");
    assert_int_equal(xr_xml_parse(&a, b.data, b.len, &root, &err), PC_EINVAL);
    pc_buf_release(&b);

    char *v3 = pc_arena_strdup(&a, soap_req);
    memcpy(strstr(v3, ">4.0<") + 1, "3.9", 3);
    assert_int_equal(xr_soap_parse(&a, v3, strlen(v3), &m, &op, &f, &err), PC_EINVAL);
    assert_int_equal(f, XR_FAULT_INVALID_SOAP);
    char *badclient = pc_arena_strdup(&a, soap_req);
    memcpy(strstr(badclient, ">GOV<") + 1, "XYZ", 3);
    assert_int_equal(xr_soap_parse(&a, badclient, strlen(badclient), &m, &op, &f, &err), PC_EINVAL);
    assert_int_equal(f, XR_FAULT_INVALID_CLIENT);
    pc_arena_release(&a);
}

/* ---- signed blocks and the envelope ------------------------------------------ */

static void fill_msg(struct pc_arena *a, struct xr_msg *m)
{
    struct pc_err err = {0};
    memset(m, 0, sizeof *m);
    m->proto = XR_PROTO_REST;
    assert_int_equal(xr_id_parse_str("AZ/GOV/1500000002/portal", XR_ID_CLIENT, &m->meta.client, &err), 0);
    assert_int_equal(xr_id_parse_str("AZ/GOV/1400000001/population/person", XR_ID_SERVICE, &m->meta.service, &err),
                     0);
    snprintf(m->meta.id, sizeof m->meta.id, "m-1");
    snprintf(m->meta.user_id, sizeof m->meta.user_id, "1AB2C3D");
    m->method = "GET";
    m->path = "/1AB2C3D";
    m->content_type = "";
    assert_int_equal(xr_hdr_add(a, m->hdrs, &m->nhdrs, "X-Trace", "t1"), 0);
    assert_int_equal(xr_hdr_add(a, m->hdrs, &m->nhdrs, "Accept", "application/json"), 0);
    m->body = "";
}

static void test_blocks_and_hashes(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_msg m;
    fill_msg(&a, &m);
    assert_string_equal(m.hdrs[0].name, "accept"); /* sorted, lower case */
    const char *block = xr_msg_block(&a, &m), *bh;
    assert_non_null(strstr(block, "service: AZ/GOV/1400000001/population/person\n"));
    assert_non_null(strstr(block, "h-accept: application/json\nh-x-trace: t1\n"));
    const char *h = xr_hash(&a, block, "abc", 3, &bh);
    assert_string_equal(xr_hash_of(&a, block, bh), h);
    const char *bh2;
    assert_string_not_equal(xr_hash(&a, block, "abd", 3, &bh2), h);
    m.path = "/1AB2C3E";
    assert_string_not_equal(xr_hash(&a, xr_msg_block(&a, &m), "abc", 3, &bh2), h);

    /* a response names the request's hash, which binds the two */
    struct xr_reply r = {.status = 200, .content_type = "application/json"};
    const char *rb1 = xr_reply_block(&a, &r, h, "m-1"), *rb2 = xr_reply_block(&a, &r, "other", "m-1");
    assert_string_not_equal(rb1, rb2);
    assert_null(xr_hash_of(&a, block, "not base64 of 64 bytes"));
    assert_int_equal(xr_hdr_add(&a, m.hdrs, &m.nhdrs, "a", "b"), 0);
    while (m.nhdrs < XR_MAX_FWD_HEADERS)
        assert_int_equal(xr_hdr_add(&a, m.hdrs, &m.nhdrs, "z", "b"), 0);
    assert_int_equal(xr_hdr_add(&a, m.hdrs, &m.nhdrs, "z", "b"), PC_ETOOBIG);
    pc_arena_release(&a);
}

/* Headers for the envelope's parser: a list of "name", "value". */
struct hdrs {
    struct xr_hdr h[64];
    size_t n;
};

static const char *get_hdr(void *ctx, const char *name)
{
    struct hdrs *x = ctx;
    for (size_t i = 0; i < x->n; i++)
        if (strcasecmp(x->h[i].name, name) == 0)
            return x->h[i].value;
    return NULL;
}

static void set_hdr(struct hdrs *x, const char *name, const char *value)
{
    for (size_t i = 0; i < x->n; i++)
        if (strcasecmp(x->h[i].name, name) == 0) {
            x->h[i].value = value;
            return;
        }
    x->h[x->n++] = (struct xr_hdr){name, value};
}

static void test_envelope(void **state)
{
    (void)state;
    struct pc_arena a;
    pc_arena_init(&a);
    struct pc_err err = {0};
    struct xr_msg m, got;
    fill_msg(&a, &m);
    static const unsigned char der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct xr_proof p = {.signature = "c2ln", .cert_der = der, .cert_len = sizeof der, .ocsp_der = der,
                         .ocsp_len = sizeof der, .auth_ts = 1700000000, .auth_sig = "YXV0aA==",
                         .auth_ocsp_der = der, .auth_ocsp_len = sizeof der};
    assert_int_equal(xr_id_parse_str("AZ/GOV/1500000002/gw1", XR_ID_GATEWAY, &p.gateway, &err), 0);
    struct hdrs w = {0};
    xr_envelope_write(&a, &m, &p, "AZ/GOV/1400000001/gw2", w.h, &w.n, 64);
    struct xr_proof q;
    assert_int_equal(xr_envelope_parse(&a, get_hdr, &w, &got, &q, &err), 0);
    assert_string_equal(xr_msg_block(&a, &got), xr_msg_block(&a, &m));
    assert_int_equal(q.auth_ts, 1700000000);
    assert_string_equal(q.auth_sig, "YXV0aA==");
    assert_int_equal(q.cert_len, sizeof der);
    assert_true(xr_id_eq(&q.gateway, &p.gateway));

    /* every required header, and bad values, refused with its name */
    const char *required[] = {"X-Road-Protocol", "X-Road-Client", "X-Road-Service", "X-Road-Method", "X-Road-Id",
                              "X-Road-Signature", "X-Road-Sign-Cert", "X-Road-Sign-Ocsp", "X-Road-Gateway",
                              "X-Road-Gateway-Auth", "X-Road-Gateway-Ocsp"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        struct hdrs x = w;
        set_hdr(&x, required[i], "");
        memset(&err, 0, sizeof err);
        assert_int_equal(xr_envelope_parse(&a, get_hdr, &x, &got, &q, &err), PC_EINVAL);
        assert_non_null(strstr(err.msg, required[i]));
    }
    const char *bad[][2] = {{"X-Road-Protocol", "r2"},          {"X-Road-Method", "TRACE"},
                            {"X-Road-Path", "/../x"},           {"X-Road-Gateway-Auth", "x y"},
                            {"X-Road-Gateway-Auth", "123"},     {"X-Road-Sign-Cert", "!!"},
                            {"X-Road-Headers", "cookie"},       {"X-Road-Headers", "accept, accept"},
                            {"X-Road-Headers", "x-missing"},    {"X-Road-Client", "AZ/GOV/1/a/b"},
                            {"X-Road-Gateway", "AZ/GOV/1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hdrs x = w;
        set_hdr(&x, bad[i][0], bad[i][1]);
        assert_int_equal(xr_envelope_parse(&a, get_hdr, &x, &got, &q, &err), PC_EINVAL);
    }

    /* an answer: the request's hash and a known fault type */
    struct xr_reply r = {.status = 403, .content_type = "application/json",
                         .fault = "Server.ServerProxy.AccessDenied"}, rr;
    struct hdrs wr = {0};
    xr_envelope_write_reply(&a, &r, &p, &m.meta, "HASH", wr.h, &wr.n, 64);
    const char *rh;
    memset(&rr, 0, sizeof rr);
    set_hdr(&wr, "Content-Type", "application/json");
    assert_int_equal(xr_envelope_parse_reply(&a, get_hdr, &wr, &rr, &q, &rh, &err), 0);
    assert_string_equal(rh, "HASH");
    assert_string_equal(rr.fault, "Server.ServerProxy.AccessDenied");
    set_hdr(&wr, "X-Road-Error", "Server.Nonsense");
    assert_int_equal(xr_envelope_parse_reply(&a, get_hdr, &wr, &rr, &q, &rh, &err), PC_EINVAL);
    pc_arena_release(&a);
}

/* ---- signatures ------------------------------------------------------------ */

static char tmpdir[64];

static void tmp_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

static void test_sign_verify(void **state)
{
    (void)state;
    struct pc_err err = {0};
    char key[128], cert[128];
    tmp_path(key, sizeof key, "s.key");
    tmp_path(cert, sizeof cert, "s.pem");
    assert_int_equal(xr_selfsigned(key, cert, "test", 1, &err), 0);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* the key is the owner's alone */
    EVP_PKEY *k = xr_key_load(key, &err);
    X509 *x = xr_cert_load(cert, &err);
    assert_non_null(k);
    assert_non_null(x);
    assert_true(xr_key_matches(k, x));
    struct pc_arena a;
    pc_arena_init(&a);
    const char *sig;
    assert_int_equal(xr_sign(k, &a, "hello", 5, &sig, &err), 0);
    assert_true(xr_verify(x, "hello", 5, sig));
    assert_false(xr_verify(x, "hellp", 5, sig));
    assert_false(xr_verify(x, "hello", 5, "AAAA"));
    assert_false(xr_verify(x, "hello", 5, "not base64!"));
    unsigned char *der;
    size_t len;
    assert_int_equal(xr_cert_der(x, &a, &der, &len), 0);
    X509 *y = xr_cert_from_der(der, len);
    assert_non_null(y);
    assert_null(xr_cert_from_der(der, len - 1));
    char fp1[65], fp2[65];
    xr_cert_fp(x, fp1);
    xr_cert_fp(y, fp2);
    assert_string_equal(fp1, fp2);
    unsigned char out[8];
    assert_int_equal(xr_b64_decode("aGVsbG8=", 8, out, sizeof out), 5);
    assert_int_equal(xr_b64_decode("aGVsbG8", 7, out, sizeof out), -1);
    assert_int_equal(xr_b64_decode("aGVsbG8gd29ybGQ=", 16, out, sizeof out), -1);
    X509_free(y);
    X509_free(x);
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

/* A trust made of one self-signed certificate (the file path), as a
 * configuration would carry it. */
static void trust_of(struct pc_arena *a, const char *path, struct xr_gconf *gc)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char pem[8192];
    size_t n = fread(pem, 1, sizeof pem - 1, f);
    fclose(f);
    pem[n] = 0;
    memset(gc, 0, sizeof *gc);
    gc->ca_chain = pc_arena_strdup(a, pem);
    gc->store = xr_store_from_pem(gc->ca_chain);
    assert_non_null(gc->store);
    xr_sha256(gc->ca_chain, strlen(gc->ca_chain), gc->ca_md);
}

/* A signer's certificate is parsed and its chain checked once per trust
 * and validity window; another trust, a time outside the chain's window,
 * a certificate of another CA or bad DER are checked (and refused) anew. */
static void test_cert_cache(void **state)
{
    (void)state;
    struct pc_err err = {0};
    char key[128], cert[128], key2[128], cert2[128];
    tmp_path(key, sizeof key, "cc.key");
    tmp_path(cert, sizeof cert, "cc.pem");
    tmp_path(key2, sizeof key2, "cc2.key");
    tmp_path(cert2, sizeof cert2, "cc2.pem");
    assert_int_equal(xr_selfsigned(key, cert, "signer", 1, &err), 0);
    assert_int_equal(xr_selfsigned(key2, cert2, "other", 1, &err), 0);
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_gconf gc, other;
    trust_of(&a, cert, &gc);
    trust_of(&a, cert2, &other);
    X509 *x = xr_cert_load(cert, &err), *y = xr_cert_load(cert2, &err);
    unsigned char *der, *der2;
    size_t len, len2;
    assert_int_equal(xr_cert_der(x, &a, &der, &len), 0);
    assert_int_equal(xr_cert_der(y, &a, &der2, &len2), 0);
    int64_t now = pc_now_unix();
    int64_t window[2];
    assert_int_equal(xr_chain_check(gc.store, x, now, window, &err), 0);
    assert_true(window[0] <= now && now < window[1] && window[1] <= now + 86400 + 60);

    struct xr_cert_cache *c = xr_cert_cache_new();
    X509 *first = xr_cert_cache_get(c, &gc, der, len, now, &err);
    assert_non_null(first);
    assert_int_equal(X509_cmp(first, x), 0);
    X509 *again = xr_cert_cache_get(c, &gc, der, len, now + 1, &err);
    assert_ptr_equal(again, first); /* the same parsed certificate: no new check */
    X509_free(again);
    /* the same certificate under another CA is checked again and refused */
    assert_null(xr_cert_cache_get(c, &other, der, len, now, &err));
    assert_int_equal(err.code, PC_EDENIED);
    /* past the chain's window it is checked again and refused */
    err = (struct pc_err){0};
    assert_null(xr_cert_cache_get(c, &gc, der, len, now + 3 * 86400, &err));
    assert_int_equal(err.code, PC_EDENIED);
    err = (struct pc_err){0};
    assert_null(xr_cert_cache_get(c, &gc, der2, len2, now, &err)); /* another CA's */
    assert_int_equal(err.code, PC_EDENIED);
    err = (struct pc_err){0};
    assert_null(xr_cert_cache_get(c, &gc, der, len - 1, now, &err));
    assert_int_equal(err.code, PC_EDENIED);
    X509 *third = xr_cert_cache_get(c, &gc, der, len, now, &err);
    assert_non_null(third);
    X509_free(third);
    X509_free(first);
    xr_cert_cache_free(c);
    X509_free(x);
    X509_free(y);
    X509_STORE_free(gc.store);
    X509_STORE_free(other.store);
    pc_arena_release(&a);
}

/* ---- the central registry and the global configuration ---------------------- */

struct central_fx {
    struct xr_central *c;
    char dir[128];
};

static int fetch_from(void *ctx, struct pc_arena *a, const char *sha256, const char **data, size_t *len,
                      struct pc_err *err)
{
    return xr_central_gconf_file(ctx, a, sha256, data, len, err);
}

/* A file of the configuration with one byte changed. */
static int fetch_tampered(void *ctx, struct pc_arena *a, const char *sha256, const char **data, size_t *len,
                          struct pc_err *err)
{
    int rc = xr_central_gconf_file(ctx, a, sha256, data, len, err);
    if (!rc) {
        char *c = pc_arena_strdup(a, *data);
        c[*len / 2] ^= 1;
        *data = c;
    }
    return rc;
}

static struct xr_id idp(const char *s, enum xr_id_kind k)
{
    struct xr_id id;
    struct pc_err err = {0};
    if (xr_id_parse_str(s, k, &id, &err))
        fail_msg("%s: %s", s, err.msg);
    return id;
}

static const char *read_text(struct pc_arena *a, const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    return pc_arena_strndup(a, buf, n);
}

/* A self-signed certificate whose subject names a member (NTRAZ-code), as
 * PEM in the arena: what the CA issues a gateway, enough for the registry. */
static const char *member_cert(struct pc_arena *a, const char *code)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    char org[64];
    snprintf(org, sizeof org, "NTRAZ-%s", code);
    assert_true(k && x && n);
    assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"gw", -1, -1, 0));
    assert_true(X509_NAME_add_entry_by_txt(n, "organizationIdentifier", MBSTRING_UTF8, (const unsigned char *)org,
                                           -1, -1, 0));
    assert_true(X509_set_version(x, 2) && X509_set_subject_name(x, n) && X509_set_issuer_name(x, n));
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    assert_true(X509_set_pubkey(x, k) && X509_sign(x, k, EVP_sha256()));
    const char *pem = xr_cert_pem(a, x);
    X509_NAME_free(n);
    X509_free(x);
    EVP_PKEY_free(k);
    return pem;
}

static void test_central_registry(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/central-%s", tmpdir, f->pg ? "pg" : "sqlite");
    assert_int_equal(xr_central_init(dir, "AZ", "http://127.0.0.1:1", &err), 0);
    assert_int_equal(xr_central_init(dir, "AZ", "http://127.0.0.1:1", &err), PC_ECONFLICT);
    assert_int_equal(xr_central_init("/tmp/x", "A/Z", NULL, &err), PC_EINVAL);
    struct xr_central *c = xr_central_open(dir, f->pg ? f->pgurl : f->path, &err);
    if (!c)
        fail_msg("open: %s", err.msg);
    const char *actor = "cli:test";

    struct xr_id pop = idp("AZ/GOV/1400000001", XR_ID_MEMBER), portal = idp("AZ/GOV/1500000002", XR_ID_MEMBER),
                 popsub = idp("AZ/GOV/1400000001/population", XR_ID_SUBSYSTEM),
                 portsub = idp("AZ/GOV/1500000002/portal", XR_ID_SUBSYSTEM),
                 other = idp("AZ/GOV/1500000002/other", XR_ID_SUBSYSTEM),
                 gw2 = idp("AZ/GOV/1400000001/gw2", XR_ID_GATEWAY),
                 svc = idp("AZ/GOV/1400000001/population/person", XR_ID_SERVICE),
                 grp = idp("AZ/portals", XR_ID_GROUP);
    assert_int_equal(xr_central_add_member(c, actor, &pop, "Population register", &err), 0);
    assert_int_equal(xr_central_add_member(c, actor, &pop, "again", &err), PC_ECONFLICT);
    assert_int_equal(xr_central_add_member(c, actor, &portal, "Portal", &err), 0);
    struct xr_id foreign = idp("EE/GOV/1", XR_ID_MEMBER);
    assert_int_equal(xr_central_add_member(c, actor, &foreign, "elsewhere", &err), PC_EINVAL);
    assert_int_equal(xr_central_add_subsystem(c, actor, &popsub, &err), 0);
    assert_int_equal(xr_central_add_subsystem(c, actor, &portsub, &err), 0);
    assert_int_equal(xr_central_add_subsystem(c, actor, &other, &err), 0);
    struct xr_id orphan = idp("AZ/GOV/9/x", XR_ID_SUBSYSTEM);
    assert_int_equal(xr_central_add_subsystem(c, actor, &orphan, &err), PC_ENOTFOUND);

    char key[200], cert[200];
    snprintf(key, sizeof key, "%s/gw.key", dir);
    snprintf(cert, sizeof cert, "%s/gw.pem", dir);
    assert_int_equal(xr_selfsigned(key, cert, "gw2", 1, &err), 0);
    const char *ca_pem = read_text(&a, cert);
    assert_int_equal(xr_central_put_gateway(c, actor, &gw2, "http://127.0.0.1:2", "not a certificate", &err),
                     PC_EINVAL);
    /* a certificate of another member is refused */
    assert_int_equal(xr_central_put_gateway(c, actor, &gw2, "http://127.0.0.1:2", member_cert(&a, "1500000002"),
                                            &err), PC_EINVAL);
    const char *pem = member_cert(&a, "1400000001");
    assert_int_equal(xr_central_put_gateway(c, actor, &gw2, "http://127.0.0.1:2", pem, &err), 0);
    assert_int_equal(xr_central_gateway_client(c, actor, &gw2, &popsub, &err), 0);

    struct xr_service_rec s = {.id = svc, .version = "v1", .title = "A person by FİN", .kind = "query",
                               .max_request = XR_QUERY_MAX_REQUEST, .max_response = 1 << 20, .timeout_ms = 5000};
    assert_int_equal(xr_central_put_service(c, actor, &s, &err), 0);
    assert_int_equal(xr_central_add_group(c, actor, &grp, "Portals", &err), 0);
    assert_int_equal(xr_central_group_member(c, actor, &grp, &portsub, &err), 0);
    assert_int_equal(xr_central_grant(c, actor, &svc, &grp, false, &err), 0);
    struct xr_ca_rec ca = {.name = "test CA", .chain_pem = ca_pem, .ocsp_url = "http://127.0.0.1:3/ocsp",
                           .tsa_url = "http://127.0.0.1:3/tsa"};
    assert_int_equal(xr_central_put_ca(c, actor, &ca, &err), 0);

    const char *dump;
    assert_int_equal(xr_central_dump(c, &a, &dump, &err), 0);
    assert_non_null(strstr(dump, "AZ/GOV/1400000001/population/person"));
    assert_null(strstr(dump, "BEGIN CERTIFICATE")); /* the operator sees fingerprints */

    /* publish, then read it as a gateway does */
    struct xr_gconf_pub pub;
    assert_int_equal(xr_central_gconf(c, &a, &pub, &err), 0);
    X509 *anchor = xr_cert_from_pem(pub.cert_pem, strlen(pub.cert_pem));
    assert_non_null(anchor);
    struct xr_gconf *g = NULL;
    if (xr_gconf_load(pub.directory, pub.signature, anchor, fetch_from, c, &g, &err))
        fail_msg("load: %s", err.msg);
    assert_string_equal(g->instance, "AZ");
    assert_true(g->expires > g->generated);
    const struct xr_gc_service *gs = xr_gconf_service(g, &svc);
    assert_non_null(gs);
    assert_int_equal(gs->max_request, XR_QUERY_MAX_REQUEST);
    assert_int_equal(gs->gateway, xr_gconf_gateway_index(g, &gw2));
    assert_true(gs->gateway >= 0);
    assert_true(xr_gconf_client_known(g, &portsub));
    /* deny by default: the group's member may, its sibling may not */
    assert_true(xr_gconf_allowed(g, gs, &portsub));
    assert_false(xr_gconf_allowed(g, gs, &other));
    assert_false(xr_gconf_allowed(g, gs, &popsub));
    int64_t v1 = g->version;
    xr_gconf_unref(g);

    /* a change publishes a new version; a revoked right is gone */
    assert_int_equal(xr_central_grant(c, actor, &svc, &grp, true, &err), 0);
    assert_int_equal(xr_central_grant(c, actor, &svc, &other, false, &err), 0);
    assert_int_equal(xr_central_gconf(c, &a, &pub, &err), 0);
    assert_int_equal(xr_gconf_load(pub.directory, pub.signature, anchor, fetch_from, c, &g, &err), 0);
    assert_true(g->version > v1);
    gs = xr_gconf_service(g, &svc);
    assert_false(xr_gconf_allowed(g, gs, &portsub));
    assert_true(xr_gconf_allowed(g, gs, &other));
    int64_t v2 = g->version;
    xr_gconf_unref(g);

    /* a change made by another process (the epoch in the database) is seen */
    fx_exec(fx_conn(f), "UPDATE xr_epoch SET epoch = epoch + 1 WHERE id = 1");
    assert_int_equal(xr_central_gconf(c, &a, &pub, &err), 0);
    assert_int_equal(xr_gconf_load(pub.directory, pub.signature, anchor, fetch_from, c, &g, &err), 0);
    assert_true(g->version > v2);
    xr_gconf_unref(g);

    /* every change has its audit entry */
    struct audit_row *rows;
    size_t nrows;
    bool more;
    assert_int_equal(audit_list(xr_central_db(c), &a, 0, 100, &rows, &nrows, &more, &err), 0);
    size_t xr = 0;
    for (size_t i = 0; i < nrows; i++)
        xr += pc_str_has_prefix(rows[i].e.action, "xr.");
    assert_int_equal(xr, 14); /* twelve changes, a revoke and a grant */

    /* tampering: the directory, its signature, a file; another anchor */
    char *dir2 = pc_arena_strdup(&a, pub.directory);
    char *vp = strstr(dir2, "\"expires\":") + 10;
    *vp = *vp == '9' ? '8' : '9';
    assert_int_equal(xr_gconf_load(dir2, pub.signature, anchor, fetch_from, c, &g, &err), PC_EDENIED);
    assert_int_equal(xr_gconf_load(pub.directory, "AAAA", anchor, fetch_from, c, &g, &err), PC_EDENIED);
    assert_int_equal(xr_gconf_load(pub.directory, pub.signature, anchor, fetch_tampered, c, &g, &err), PC_EDENIED);
    X509 *wrong = xr_cert_from_pem(pem, strlen(pem));
    assert_int_equal(xr_gconf_load(pub.directory, pub.signature, wrong, fetch_from, c, &g, &err), PC_EDENIED);
    X509_free(wrong);
    X509_free(anchor);
    xr_central_close(c);
    pc_arena_release(&a);
}

static bool in_list(const char *const *items, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], id) == 0)
            return true;
    return false;
}

/* Whether id appears anywhere in the registry's view. */
static bool view_has(const struct xr_view *v, const char *id)
{
    bool found = false;
    for (size_t i = 0; i < v->nmembers; i++)
        found |= strcmp(v->members[i].id, id) == 0 || in_list(v->members[i].subsystems, v->members[i].nsubsystems, id);
    for (size_t i = 0; i < v->ngateways; i++)
        found |= strcmp(v->gateways[i].id, id) == 0 || in_list(v->gateways[i].clients, v->gateways[i].nclients, id);
    for (size_t i = 0; i < v->nservices; i++)
        found |= strcmp(v->services[i].id, id) == 0;
    for (size_t i = 0; i < v->ngroups; i++)
        found |= strcmp(v->groups[i].id, id) == 0 || in_list(v->groups[i].members, v->groups[i].nmembers, id);
    for (size_t i = 0; i < v->nrights; i++)
        found |= strcmp(v->rights[i].service, id) == 0 || strcmp(v->rights[i].subject, id) == 0;
    return found;
}

/* Taking things away: a member only when nothing of it remains (the
 * refusal names what), a subsystem only without services, what hangs on
 * an object goes with it, each removal raises the epoch and is audited. */
static void test_central_removal(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/central-rm-%s", tmpdir, f->pg ? "pg" : "sqlite");
    assert_int_equal(xr_central_init(dir, "AZ", "http://127.0.0.1:1", &err), 0);
    struct xr_central *c = xr_central_open(dir, f->pg ? f->pgurl : f->path, &err);
    if (!c)
        fail_msg("open: %s", err.msg);
    const char *actor = "cli:test";
    struct xr_id m = idp("AZ/GOV/1600000003", XR_ID_MEMBER), sub = idp("AZ/GOV/1600000003/app", XR_ID_SUBSYSTEM),
                 gw = idp("AZ/GOV/1600000003/gw", XR_ID_GATEWAY),
                 svc = idp("AZ/GOV/1600000003/app/svc", XR_ID_SERVICE), grp = idp("AZ/rmgroup", XR_ID_GROUP);
    struct xr_service_rec s = {svc, "v1", "svc", "query", 10240, 1 << 20, 30000, NULL};
    assert_int_equal(xr_central_add_member(c, actor, &m, "Removable", &err), 0);
    assert_int_equal(xr_central_add_subsystem(c, actor, &sub, &err), 0);
    assert_int_equal(xr_central_put_gateway(c, actor, &gw, "https://gw:8443", member_cert(&a, "1600000003"), &err),
                     0);
    assert_int_equal(xr_central_gateway_client(c, actor, &gw, &sub, &err), 0);
    assert_int_equal(xr_central_put_service(c, actor, &s, &err), 0);
    assert_int_equal(xr_central_add_group(c, actor, &grp, "g", &err), 0);
    assert_int_equal(xr_central_group_member(c, actor, &grp, &sub, &err), 0);
    assert_int_equal(xr_central_grant(c, actor, &svc, &grp, false, &err), 0);
    assert_int_equal(xr_central_grant(c, actor, &svc, &m, false, &err), 0);

    /* refused, naming what remains; nothing changes */
    assert_int_equal(xr_central_remove(c, actor, XR_RM_MEMBER, &m, NULL, &err), PC_ECONFLICT);
    assert_non_null(strstr(err.msg, "AZ/GOV/1600000003/app"));
    assert_non_null(strstr(err.msg, "AZ/GOV/1600000003/gw"));
    assert_int_equal(xr_central_remove(c, actor, XR_RM_SUBSYSTEM, &sub, NULL, &err), PC_ECONFLICT);
    assert_non_null(strstr(err.msg, "AZ/GOV/1600000003/app/svc"));
    /* identifiers that do not fit, links that are not there */
    assert_int_equal(xr_central_remove(c, actor, XR_RM_MEMBER, &sub, NULL, &err), PC_EINVAL);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_GROUP_MEMBER, &grp, NULL, &err), PC_EINVAL);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_GATEWAY_CLIENT, &gw, &m, &err), PC_EINVAL);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_GROUP_MEMBER, &grp, &m, &err), PC_ENOTFOUND);
    struct xr_view v;
    assert_int_equal(xr_central_view(c, &a, &v, &err), 0);
    int64_t epoch = v.epoch;

    /* a service takes its rights with it, a gateway its client links */
    assert_int_equal(xr_central_remove(c, actor, XR_RM_SERVICE, &svc, NULL, &err), 0);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_SERVICE, &svc, NULL, &err), PC_ENOTFOUND);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_GATEWAY, &gw, NULL, &err), 0);
    assert_int_equal(xr_central_view(c, &a, &v, &err), 0);
    assert_true(v.epoch > epoch);
    assert_false(view_has(&v, "AZ/GOV/1600000003/app/svc"));
    assert_false(view_has(&v, "AZ/GOV/1600000003/gw"));
    assert_true(view_has(&v, "AZ/rmgroup"));
    /* a subsystem takes its memberships, then the member can go */
    assert_int_equal(xr_central_remove(c, actor, XR_RM_SUBSYSTEM, &sub, NULL, &err), 0);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_MEMBER, &m, NULL, &err), 0);
    assert_int_equal(xr_central_remove(c, actor, XR_RM_GROUP, &grp, NULL, &err), 0);
    assert_int_equal(xr_central_view(c, &a, &v, &err), 0);
    assert_false(view_has(&v, "AZ/GOV/1600000003/app"));
    assert_false(view_has(&v, "AZ/GOV/1600000003"));
    assert_false(view_has(&v, "AZ/rmgroup"));

    /* the names the CLI and the forms use */
    for (int i = 0; i < XR_RM_COUNT; i++)
        assert_int_equal(xr_removal_parse(xr_removal_name((enum xr_removal)i)), i);
    assert_int_equal(xr_removal_parse("planet"), -1);

    struct audit_row *rows;
    size_t nrows;
    bool more;
    assert_int_equal(audit_list(xr_central_db(c), &a, 0, 20, &rows, &nrows, &more, &err), 0);
    size_t removals = 0;
    for (size_t i = 0; i < nrows; i++)
        removals += strstr(rows[i].e.action, ".remove") && !pc_str_has_prefix(rows[i].e.action, "xr.operator.");
    assert_int_equal(removals, 5);
    xr_central_close(c);
    pc_arena_release(&a);
}

/* The operators of the central's pages: add, log in (a wrong password and
 * an unknown login the same refusal), the throttle, a session's idle end
 * and logout, removal ending the sessions; the typed view and publishing. */
static void test_central_operators(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/central-ops-%s", tmpdir, f->pg ? "pg" : "sqlite");
    assert_int_equal(xr_central_init(dir, "AZ", "http://127.0.0.1:1", &err), 0);
    struct xr_central *c = xr_central_open(dir, f->pg ? f->pgurl : f->path, &err);
    if (!c)
        fail_msg("open: %s", err.msg);
    id_password_set_params(1, 8); /* cheap hashes for the test */
    assert_int_equal(xr_operator_add(c, "cli:test", "alice", "Secret123pw", &err), 0);
    assert_int_equal(xr_operator_add(c, "cli:test", "alice", "Secret123pw", &err), PC_ECONFLICT);
    assert_int_equal(xr_operator_add(c, "cli:test", "bad login", "Secret123pw", &err), PC_EINVAL);
    assert_int_equal(xr_operator_add(c, "cli:test", "bob", "short", &err), PC_EINVAL);
    assert_int_equal(xr_operator_add(c, "cli:test", "carol", "Secret123pw", &err), 0);
    struct xr_operator *ops;
    size_t n;
    assert_int_equal(xr_operator_list(c, &a, &ops, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ops[0].login, "alice");
    assert_string_equal(ops[0].created_by, "cli:test");

    char tok[44], tok2[44];
    struct xr_op_session s;
    assert_int_equal(xr_operator_login(c, "alice", "Wrong123pw", "10.0.0.1", tok, &err), PC_EDENIED);
    assert_int_equal(xr_operator_login(c, "nobody", "Wrong123pw", "10.0.0.1", tok, &err), PC_EDENIED);
    assert_int_equal(xr_operator_login(c, "alice", "Secret123pw", "10.0.0.1", tok, &err), 0);
    assert_int_equal(strlen(tok), ID_TOKEN_CHARS);
    assert_int_equal(xr_operator_session(c, tok, &s, &err), 0);
    assert_string_equal(s.login, "alice");
    assert_int_equal(strlen(s.csrf), 32);
    assert_int_equal(xr_operator_session(c, "x", &s, &err), PC_EDENIED);
    /* idle past the timeout: the session is over */
    struct db_conn *k = db_conn_get(xr_central_db(c), &err);
    assert_non_null(k);
    assert_int_equal(db_exec(k, "UPDATE xr_operator_sessions SET last_seen = last_seen - 901", &err), 0);
    assert_int_equal(xr_operator_session(c, tok, &s, &err), PC_EDENIED);
    assert_int_equal(xr_operator_login(c, "alice", "Secret123pw", "10.0.0.1", tok, &err), 0);
    assert_int_equal(xr_operator_logout(c, tok, &err), 0);
    assert_int_equal(xr_operator_session(c, tok, &s, &err), PC_EDENIED);

    /* five failures of one login: even the right password waits */
    for (int i = 0; i < XR_OP_FAILURES; i++)
        assert_int_equal(xr_operator_login(c, "carol", "Wrong123pw", "10.0.0.2", tok, &err), PC_EDENIED);
    assert_int_equal(xr_operator_login(c, "carol", "Secret123pw", "10.0.0.2", tok, &err), PC_ELIMIT);
    /* … while another login from another address is not held up */
    assert_int_equal(xr_operator_login(c, "alice", "Secret123pw", "10.0.0.3", tok2, &err), 0);
    assert_int_equal(xr_operator_remove(c, "cli:test", "alice", &err), 0);
    assert_int_equal(xr_operator_session(c, tok2, &s, &err), PC_EDENIED);
    assert_int_equal(xr_operator_remove(c, "cli:test", "alice", &err), PC_ENOTFOUND);
    /* not oneself, not the last one (carol is the one left) */
    assert_int_equal(xr_operator_remove(c, "cli:test", "carol", &err), PC_ECONFLICT);
    char pw[33];
    assert_int_equal(xr_operator_new_password(pw, &err), 0);
    assert_int_equal(strlen(pw), 32);
    assert_int_equal(xr_operator_add(c, "op:carol", "dave", pw, &err), 0);
    assert_int_equal(xr_operator_remove(c, "op:dave", "dave", &err), PC_ECONFLICT);
    assert_int_equal(xr_operator_remove(c, "op:dave", "carol", &err), 0);

    /* the typed view and "publish now" */
    /* (the database is the one test_central_registry filled) */
    struct xr_id m = idp("AZ/GOV/1400000099", XR_ID_MEMBER), gw = idp("AZ/GOV/1400000099/gw9", XR_ID_GATEWAY);
    assert_int_equal(xr_central_add_member(c, "op:alice", &m, "Ninety-nine", &err), 0);
    assert_int_equal(xr_central_put_gateway(c, "op:alice", &gw, "https://gw9:8443", member_cert(&a, "1400000099"),
                                            &err), 0);
    struct xr_view v;
    assert_int_equal(xr_central_view(c, &a, &v, &err), 0);
    assert_string_equal(v.instance, "AZ");
    const struct xr_view_gateway *g = NULL;
    for (size_t i = 0; i < v.ngateways; i++)
        if (strcmp(v.gateways[i].id, "AZ/GOV/1400000099/gw9") == 0)
            g = &v.gateways[i];
    assert_non_null(g);
    assert_string_equal(g->address, "https://gw9:8443");
    assert_string_equal(g->serial, "07");
    assert_non_null(strstr(g->subject, "NTRAZ-1400000099"));
    assert_int_equal(strlen(g->fingerprint), 64);
    assert_true(g->not_after > g->not_before);
    int64_t v1, v2;
    assert_int_equal(xr_central_publish(c, "op:alice", &v1, &err), 0);
    assert_int_equal(xr_central_publish(c, "op:alice", &v2, &err), 0);
    assert_true(v2 > v1);
    assert_int_equal(xr_central_view(c, &a, &v, &err), 0);
    assert_int_equal(v.gconf_version, v2);
    const char *text;
    assert_int_equal(xr_central_openapi(c, &a, "AZ/GOV/1/x/y", &text, &err), PC_ENOTFOUND);
    xr_central_close(c);
    pc_arena_release(&a);
}

/* ---- the message log ------------------------------------------------------- */

static void test_message_log(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *url = f->pg ? f->pgurl : f->path;
    fx_exec(fx_conn(f), "DELETE FROM xr_msglog");
    fx_exec(fx_conn(f), "DELETE FROM xr_certs");
    db_idle(f->db);
    char key[128], cert[128];
    tmp_path(key, sizeof key, "log.key");
    tmp_path(cert, sizeof cert, "log.pem");
    assert_int_equal(xr_selfsigned(key, cert, "member", 1, &err), 0);
    EVP_PKEY *k = xr_key_load(key, &err);
    X509 *x = xr_cert_load(cert, &err);

    struct xr_msglog *l = xr_msglog_open(f->db, &err);
    assert_non_null(l);
    struct xr_msg m;
    fill_msg(&a, &m);
    for (int i = 0; i < 5; i++) {
        const char *block = xr_msg_block(&a, &m), *bh, *sig;
        const char *h = xr_hash(&a, block, "body", 4, &bh), *in = xr_sig_input(&a, h);
        assert_int_equal(xr_sign(k, &a, in, strlen(in), &sig, &err), 0);
        struct xr_logrec r = {.message_id = m.meta.id, .side = XR_SIDE_CONSUMER, .kind = XR_REC_REQUEST,
                              .client = "AZ/GOV/1500000002/portal", .service = "AZ/GOV/1400000001/population/person",
                              .user_id = "", .issue = "", .block = block, .body_hash = bh, .hash = h,
                              .body = "body", .body_len = 4, .signature = i == 3 ? NULL : sig, .cert = x,
                              .fault = i == 3 ? "Server.ClientProxy.AccessDenied" : NULL};
        assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    }
    assert_int_equal(xr_msglog_records(l), 5);
    assert_true(xr_msglog_unstamped_age(l) >= 0);
    xr_msglog_close(l);
    /* reopened, the chain goes on */
    l = xr_msglog_open(f->db, &err);
    assert_int_equal(xr_msglog_records(l), 5);
    xr_msglog_close(l);

    int64_t recs, stamps;
    if (xr_msglog_verify(tmpdir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    assert_int_equal(recs, 5);
    assert_int_equal(stamps, 0);

    /* each kind of tampering is found, naming the record */
    static const struct {
        const char *change, *undo, *says;
    } t[] = {
        {"UPDATE xr_msglog SET user_id = 'X' WHERE seq = 2", "UPDATE xr_msglog SET user_id = '' WHERE seq = 2",
         "record 2 (message m-1, consumer request): its content does not match"},
        {"UPDATE xr_msglog SET body = 'Ym9keQo=' WHERE seq = 3", "UPDATE xr_msglog SET body = 'Ym9keQ==' WHERE seq = 3",
         "record 3 (message m-1, consumer request): the body does not match"},
        {"UPDATE xr_msglog SET seq = 9 WHERE seq = 4", "UPDATE xr_msglog SET seq = 4 WHERE seq = 9",
         "record 4 is missing"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        fx_exec(fx_conn(f), t[i].change);
        memset(&err, 0, sizeof err);
        assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
        if (!strstr(err.msg, t[i].says))
            fail_msg("%s: %s", t[i].change, err.msg);
        fx_exec(fx_conn(f), t[i].undo);
        assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), 0);
    }
    /* a stamp needs the CA chain to be checked */
    fx_exec(fx_conn(f), "INSERT INTO xr_msglog_stamps (seq, chain, at, token) VALUES (1, 'x', 0, 'AAAA')");
    assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "ca-chain.pem is missing"));
    fx_exec(fx_conn(f), "DELETE FROM xr_msglog_stamps");
    /* a signature moved from another record breaks the chain there */
    fx_exec(fx_conn(f), "UPDATE xr_msglog SET signature = (SELECT signature FROM xr_msglog WHERE seq = 1) "
                        "WHERE seq = 2");
    db_idle(f->db);
    assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "record 2"));
    X509_free(x);
    EVP_PKEY_free(k);
    pc_arena_release(&a);
}

/* An empty message log. */
static void wipe_log(struct fixture *f)
{
    static const char *const wipe[] = {"DELETE FROM xr_msglog", "DELETE FROM xr_msglog_stamps",
                                       "DELETE FROM xr_msglog_base", "DELETE FROM xr_certs",
                                       "DELETE FROM xr_msglog_ocsp"};
    for (size_t i = 0; i < sizeof wipe / sizeof wipe[0]; i++)
        fx_exec(fx_conn(f), wipe[i]);
    db_idle(f->db);
}

static int64_t count_of(struct fixture *f, const char *sql)
{
    struct pc_err err = {0};
    struct db_stmt *s = db_prepare(fx_conn(f), sql, &err);
    assert_non_null(s);
    assert_int_equal(db_step(s, &err), 1);
    int64_t n = db_col_int(s, 0);
    db_idle(f->db);
    return n;
}

/* An OCSP answer sent with many messages is stored once and named by the
 * records; the chain still covers it whole (a changed stored answer is
 * found, naming the first record that used it), and a record holding its
 * answer itself (written before migration 310) still verifies. */
static void test_message_log_ocsp(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *url = f->pg ? f->pgurl : f->path;
    wipe_log(f);
    struct xr_msglog *l = xr_msglog_open(f->db, &err);
    assert_non_null(l);
    struct xr_msg m;
    fill_msg(&a, &m);
    const char *block = xr_msg_block(&a, &m), *bh, *h = xr_hash(&a, block, "b", 1, &bh);
    for (int i = 0; i < 4; i++) {
        const char *answer = i < 3 ? "first OCSP answer" : "second OCSP answer";
        struct xr_logrec r = {.message_id = "m-1", .client = "c", .service = "s", .user_id = "", .issue = "",
                              .block = block, .body_hash = bh, .hash = h, .ocsp = (const unsigned char *)answer,
                              .ocsp_len = strlen(answer)};
        assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    }
    xr_msglog_close(l);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog_ocsp"), 2);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog WHERE ocsp LIKE 'sha256:%'"), 4);
    int64_t recs, stamps;
    if (xr_msglog_verify(tmpdir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    assert_int_equal(recs, 4);
    /* the stored answer changed: the first record naming it no longer fits */
    fx_exec(fx_conn(f), "UPDATE xr_msglog_ocsp SET answer = 'AAAA' WHERE digest = "
                        "(SELECT ocsp FROM xr_msglog WHERE seq = 1)");
    db_idle(f->db);
    assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "record 1 "));
    fx_exec(fx_conn(f), "UPDATE xr_msglog_ocsp SET answer = 'Zmlyc3QgT0NTUCBhbnN3ZXI=' WHERE answer = 'AAAA'");
    /* the answer in the record itself, as before migration 310 */
    fx_exec(fx_conn(f), "UPDATE xr_msglog SET ocsp = 'Zmlyc3QgT0NTUCBhbnN3ZXI=' WHERE seq = 1");
    db_idle(f->db);
    if (xr_msglog_verify(tmpdir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    memset(&err, 0, sizeof err);
    fx_exec(fx_conn(f), "UPDATE xr_msglog SET ocsp = 'Zmlyc3QgT0NTUCBhbnN3ZXJ=' WHERE seq = 1");
    db_idle(f->db);
    assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "record 1 "));
    pc_arena_release(&a);
}

/* A message log with no records, open. */
static struct xr_msglog *open_empty_log(struct fixture *f)
{
    struct pc_err err = {0};
    wipe_log(f);
    struct xr_msglog *l = xr_msglog_open(f->db, &err);
    assert_non_null(l);
    return l;
}

/* A record of message m-1 with the one-byte body "b". */
static struct xr_logrec small_record(struct pc_arena *a)
{
    struct xr_msg m;
    fill_msg(a, &m);
    const char *block = xr_msg_block(a, &m), *bh, *h = xr_hash(a, block, "b", 1, &bh);
    return (struct xr_logrec){.message_id = "m-1", .client = "c", .service = "s", .user_id = "", .issue = "",
                              .block = block, .body_hash = bh, .hash = h, .body = "b", .body_len = 1};
}

/* Archiving deletes the OCSP answers only archived records named, keeps
 * those later records name, and a gateway still running (its log open,
 * remembering the answer as stored) writes a deleted answer again with
 * its next record: the log verifies. */
static void test_archive_ocsp(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    struct xr_msglog *l = open_empty_log(f);
    struct xr_logrec r = small_record(&a);
    r.ocsp = (const unsigned char *)"old answer";
    r.ocsp_len = 10;
    for (int i = 0; i < 3; i++)
        assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    struct xr_logrec newer = r;
    newer.ocsp = (const unsigned char *)"new answer";
    assert_int_equal(xr_msglog_append(l, &newer, &err), 0);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog_ocsp"), 2);
    fx_exec(fx_conn(f), "INSERT INTO xr_msglog_stamps (seq, chain, at, token) "
                        "SELECT seq, chain, 0, 'AAAA' FROM xr_msglog WHERE seq = 3");
    db_idle(f->db);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/archive-ocsp-%s", tmpdir, f->pg ? "pg" : "sqlite");
    assert_int_equal(xr_mkdirs(dir, &err), 0);
    int64_t moved, recs, stamps;
    const char *url = f->pg ? f->pgurl : f->path;
    assert_int_equal(xr_msglog_archive(dir, url, 0, &moved, &err), 0);
    assert_int_equal(moved, 3);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog_ocsp"), 1); /* the new answer stays */
    /* the open log remembered the old answer as stored: it is written again */
    assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    xr_msglog_close(l);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog_ocsp"), 2);
    if (xr_msglog_verify(dir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    assert_int_equal(recs, 2);
    pc_arena_release(&a);
}

/* Bodies are kept as bytes (migration 311): every byte value survives,
 * nothing else holds the body, a one-byte change is named by verify-log,
 * a record written before (the base64 body) still verifies, and evidence
 * gives the body as base64 either way. */
static void test_message_log_bytes(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *url = f->pg ? f->pgurl : f->path;
    unsigned char body[300];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (unsigned char)(i * 7);  /* NUL and bytes that are not UTF-8 too */
    struct xr_msglog *l = open_empty_log(f);
    struct xr_msg m;
    fill_msg(&a, &m);
    const char *block = xr_msg_block(&a, &m), *bh, *h = xr_hash(&a, block, body, sizeof body, &bh);
    for (int i = 0; i < 3; i++) {
        struct xr_logrec r = {.message_id = i == 1 ? "m-old" : "m-1", .client = "c", .service = "s", .user_id = "",
                              .issue = "", .block = block, .body_hash = bh, .hash = h, .body = body,
                              .body_len = sizeof body};
        assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    }
    xr_msglog_close(l);
    assert_int_equal(count_of(f, "SELECT COUNT(*) FROM xr_msglog WHERE body IS NULL AND LENGTH(body_raw) = 300"), 3);
    int64_t recs, stamps;
    if (xr_msglog_verify(tmpdir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    /* record 2 as it was written before migration 311 */
    struct db_stmt *s = db_prepare(fx_conn(f), "UPDATE xr_msglog SET body = ?, body_raw = NULL WHERE seq = 2", &err);
    db_bind_text(s, 1, xr_b64(&a, body, sizeof body));
    assert_int_equal(db_run(s, &err), 1);
    db_idle(f->db);
    if (xr_msglog_verify(tmpdir, url, &recs, &stamps, &err))
        fail_msg("verify with an old record: %s", err.msg);
    assert_int_equal(recs, 3);
    const char *b64 = xr_b64(&a, body, sizeof body);
    for (int i = 0; i < 2; i++) {
        const char *json;
        if (xr_msglog_evidence(tmpdir, url, i ? "m-old" : "m-1", &a, &json, &err))
            fail_msg("evidence: %s", err.msg);
        json_t *ev = json_loads(json, 0, NULL);
        json_t *rec = json_array_get(json_object_get(ev, "records"), 0);
        assert_string_equal(json_string_value(json_object_get(rec, "body")), b64);
        json_decref(ev);
    }
    /* one byte changed in a stored body */
    body[150] ^= 1;
    s = db_prepare(fx_conn(f), "UPDATE xr_msglog SET body_raw = ? WHERE seq = 3", &err);
    db_bind_blob(s, 1, body, sizeof body);
    assert_int_equal(db_run(s, &err), 1);
    db_idle(f->db);
    memset(&err, 0, sizeof err);
    assert_int_equal(xr_msglog_verify(tmpdir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "record 3 (message m-1, consumer request): the body does not match"));
    pc_arena_release(&a);
}

static void test_archive(void **state)
{
    struct fixture *f = *state;
    struct pc_err err = {0};
    struct pc_arena a;
    pc_arena_init(&a);
    const char *url = f->pg ? f->pgurl : f->path;
    wipe_log(f);
    struct xr_msglog *l = xr_msglog_open(f->db, &err);
    struct xr_msg m;
    fill_msg(&a, &m);
    const char *block = xr_msg_block(&a, &m), *bh, *h = xr_hash(&a, block, "b", 1, &bh);
    struct xr_logrec r = {.message_id = "m-1", .client = "c", .service = "s", .user_id = "", .issue = "",
                          .block = block, .body_hash = bh, .hash = h, .body = "b", .body_len = 1};
    for (int i = 0; i < 5; i++)
        assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    xr_msglog_close(l);
    /* a time-stamp of record 3 (its token is not checked here) */
    fx_exec(fx_conn(f), "INSERT INTO xr_msglog_stamps (seq, chain, at, token) "
                        "SELECT seq, chain, 0, 'AAAA' FROM xr_msglog WHERE seq = 3");
    db_idle(f->db);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/archive-%s", tmpdir, f->pg ? "pg" : "sqlite");
    assert_int_equal(xr_mkdirs(dir, &err), 0);
    int64_t moved, recs, stamps;
    assert_int_equal(xr_msglog_archive(dir, url, 365, &moved, &err), 0);
    assert_int_equal(moved, 0); /* nothing that old */
    assert_int_equal(xr_msglog_archive(dir, url, 0, &moved, &err), 0);
    assert_int_equal(moved, 3);
    char file[256];
    snprintf(file, sizeof file, "%s/archive/msglog-000000000001-000000000003.jsonl", dir);
    const char *text = xr_read_text(&a, file);
    assert_non_null(text);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 5); /* the header, three records, the stamp */
    assert_int_equal(xr_msglog_verify(dir, url, &recs, &stamps, &err), 0);
    assert_int_equal(recs, 2);
    /* the chain goes on after the archive */
    l = xr_msglog_open(f->db, &err);
    assert_int_equal(xr_msglog_append(l, &r, &err), 0);
    assert_int_equal(xr_msglog_records(l), 6);
    xr_msglog_close(l);
    if (xr_msglog_verify(dir, url, &recs, &stamps, &err))
        fail_msg("verify: %s", err.msg);
    assert_int_equal(recs, 3);
    /* a record changed after the base is still found */
    fx_exec(fx_conn(f), "UPDATE xr_msglog SET issue = 'x' WHERE seq = 4");
    db_idle(f->db);
    assert_int_equal(xr_msglog_verify(dir, url, &recs, &stamps, &err), PC_EINVAL);
    assert_non_null(strstr(err.msg, "record 4"));
    pc_arena_release(&a);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pencere-test-xr.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_ids),          cmocka_unit_test(test_targets_and_paths),
        cmocka_unit_test(test_meta_and_forwarding), cmocka_unit_test(test_faults),
        cmocka_unit_test(test_soap),         cmocka_unit_test(test_blocks_and_hashes),
        cmocka_unit_test(test_envelope),     cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_cert_cache),
    };
    const struct CMUnitTest db[] = {
        cmocka_unit_test(test_central_registry),
        cmocka_unit_test(test_central_operators),
        cmocka_unit_test(test_central_removal),
        cmocka_unit_test(test_message_log),
        cmocka_unit_test(test_message_log_ocsp),
        cmocka_unit_test(test_message_log_bytes),
        cmocka_unit_test(test_archive_ocsp),
        cmocka_unit_test(test_archive),
    };
    int failed = cmocka_run_group_tests(pure, NULL, NULL);
    failed += fx_run("exchange", db, sizeof db / sizeof db[0]);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        failed++;
    return failed;
}
