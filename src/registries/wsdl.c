/* wsdl.c — each registry's WSDL, X-Road 4.0 style (the X-Road header
 * elements client, service, id, userId, issue and protocolVersion in
 * every request), made from a small description of its look-up (and, for
 * fines, markPaid; for taxpayers, getEntrepreneurs).
 * The address is a placeholder: a client calls its own gateway. */
#include "internal.h"

struct wsdl_op {
    const char *op;
    const char *in[4], *out[8];        /* request and answer elements (NULL-terminated) */
};

static const struct {
    const char *name, *op, *key;
    const char *fields[7];             /* the answer's elements (the last ones may be NULL) */
    struct wsdl_op more;               /* a second operation (op NULL: none) */
} services[REG_KIND_COUNT] = {
    [REG_POPULATION] = {"population", "getPerson", "fin", {"fin", "surname", "name", "patronymic", "birthDate",
                                                           "address", NULL}, {0}},
    [REG_TAXPAYERS] = {"taxpayers", "getTaxpayer", "voen", {"voen", "name", "kind", "status", "directorFin",
                                                            "representatives", NULL},
                       {"getEntrepreneurs", {"fin", NULL}, {"fin", "entrepreneurs", NULL}}},
    [REG_REALESTATE] = {"realestate", "getProperties", "fin", {"fin", "properties", NULL}, {0}},
    [REG_EMPLOYMENT] = {"employment", "getContracts", "fin", {"fin", "contracts", NULL}, {0}},
    [REG_PENSIONS] = {"pensions", "getInsurance", "fin", {"fin", "insuranceYears", "pension", "socialAssistance",
                                                          NULL}, {0}},
    [REG_FINES] = {"fines", "getProtocol", "protocolNo", {"protocolNo", "date", "article", "amountQepik", "points",
                                                          "status", "plate"},
                   {"markPaid", {"protocolNo", "reference", "amountQepik", NULL}, {"protocolNo", "status", "paymentRef", NULL}}},
    [REG_VEHICLES] = {"vehicles", "getVehicles", "fin", {"fin", "vehicles", NULL}, {0}},
};

const char *reg_wsdl(struct pc_arena *a, enum reg_kind k)
{
    struct pc_buf b;
    pc_buf_init(&b, 1 << 16);
    const char *n = services[k].name, *op = services[k].op;
    pc_buf_printf(&b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" "
                  "xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                  "xmlns:tns=\"urn:pencere:%s\" xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\" "
                  "xmlns:iden=\"http://x-road.eu/xsd/identifiers\" targetNamespace=\"urn:pencere:%s\" name=\"%s\">\n"
                  "  <wsdl:types>\n"
                  "    <xs:schema targetNamespace=\"http://x-road.eu/xsd/identifiers\" elementFormDefault=\"qualified\">\n"
                  "      <xs:complexType name=\"XRoadIdentifierType\"><xs:sequence>\n"
                  "        <xs:element name=\"xRoadInstance\" type=\"xs:string\"/>\n"
                  "        <xs:element name=\"memberClass\" type=\"xs:string\"/>\n"
                  "        <xs:element name=\"memberCode\" type=\"xs:string\"/>\n"
                  "        <xs:element name=\"subsystemCode\" type=\"xs:string\" minOccurs=\"0\"/>\n"
                  "        <xs:element name=\"serviceCode\" type=\"xs:string\" minOccurs=\"0\"/>\n"
                  "      </xs:sequence><xs:attribute name=\"objectType\" type=\"xs:string\" form=\"qualified\"/>"
                  "</xs:complexType>\n"
                  "    </xs:schema>\n"
                  "    <xs:schema targetNamespace=\"http://x-road.eu/xsd/xroad.xsd\" elementFormDefault=\"qualified\">\n"
                  "      <xs:import namespace=\"http://x-road.eu/xsd/identifiers\"/>\n"
                  "      <xs:element name=\"client\" type=\"iden:XRoadIdentifierType\"/>\n"
                  "      <xs:element name=\"service\" type=\"iden:XRoadIdentifierType\"/>\n",
                  n, n, n);
    static const char *const hdr[] = {"id", "userId", "issue", "protocolVersion"};
    for (size_t i = 0; i < 4; i++)
        pc_buf_printf(&b, "      <xs:element name=\"%s\" type=\"xs:string\"/>\n", hdr[i]);
    pc_buf_printf(&b,
                  "    </xs:schema>\n"
                  "    <xs:schema targetNamespace=\"urn:pencere:%s\" elementFormDefault=\"qualified\">\n"
                  "      <xs:element name=\"%s\"><xs:complexType><xs:sequence>"
                  "<xs:element name=\"%s\" type=\"xs:string\"/></xs:sequence></xs:complexType></xs:element>\n"
                  "      <xs:element name=\"%sResponse\"><xs:complexType><xs:sequence>\n",
                  n, op, services[k].key, op);
    for (size_t i = 0; i < 7 && services[k].fields[i]; i++)
        pc_buf_printf(&b, "        <xs:element name=\"%s\" type=\"xs:string\"/>\n", services[k].fields[i]);
    pc_buf_puts(&b, "      </xs:sequence></xs:complexType></xs:element>\n");
    const struct wsdl_op *more = services[k].more.op ? &services[k].more : NULL;
    if (more) {
        pc_buf_printf(&b, "      <xs:element name=\"%s\"><xs:complexType><xs:sequence>\n", more->op);
        for (size_t i = 0; more->in[i]; i++)
            pc_buf_printf(&b, "        <xs:element name=\"%s\" type=\"xs:string\"/>\n", more->in[i]);
        pc_buf_printf(&b, "      </xs:sequence></xs:complexType></xs:element>\n"
                          "      <xs:element name=\"%sResponse\"><xs:complexType><xs:sequence>\n", more->op);
        for (size_t i = 0; more->out[i]; i++)
            pc_buf_printf(&b, "        <xs:element name=\"%s\" type=\"xs:string\"/>\n", more->out[i]);
        pc_buf_puts(&b, "      </xs:sequence></xs:complexType></xs:element>\n");
    }
    pc_buf_puts(&b, "    </xs:schema>\n"
                    "  </wsdl:types>\n"
                    "  <wsdl:message name=\"requestheader\">\n");
    static const char *const parts[] = {"client", "service", "id", "userId", "issue", "protocolVersion"};
    for (size_t i = 0; i < 6; i++)
        pc_buf_printf(&b, "    <wsdl:part name=\"%s\" element=\"xrd:%s\"/>\n", parts[i], parts[i]);
    pc_buf_puts(&b, "  </wsdl:message>\n");
    const char *ops[2] = {op, more ? more->op : NULL};
    for (size_t o = 0; o < 2 && ops[o]; o++)
        pc_buf_printf(&b,
                      "  <wsdl:message name=\"%s\"><wsdl:part name=\"body\" element=\"tns:%s\"/></wsdl:message>\n"
                      "  <wsdl:message name=\"%sResponse\"><wsdl:part name=\"body\" element=\"tns:%sResponse\"/>"
                      "</wsdl:message>\n",
                      ops[o], ops[o], ops[o], ops[o]);
    pc_buf_printf(&b, "  <wsdl:portType name=\"%sPortType\">", n);
    for (size_t o = 0; o < 2 && ops[o]; o++)
        pc_buf_printf(&b, "<wsdl:operation name=\"%s\"><wsdl:input message=\"tns:%s\"/>"
                          "<wsdl:output message=\"tns:%sResponse\"/></wsdl:operation>",
                      ops[o], ops[o], ops[o]);
    pc_buf_printf(&b,
                  "</wsdl:portType>\n"
                  "  <wsdl:binding name=\"%sBinding\" type=\"tns:%sPortType\">\n"
                  "    <soap:binding style=\"document\" transport=\"http://schemas.xmlsoap.org/soap/http\"/>\n",
                  n, n);
    for (size_t o = 0; o < 2 && ops[o]; o++) {
        pc_buf_printf(&b,
                      "    <wsdl:operation name=\"%s\"><soap:operation soapAction=\"\"/>\n"
                      "      <wsdl:input><soap:body use=\"literal\"/>\n",
                      ops[o]);
        for (size_t i = 0; i < 6; i++)
            pc_buf_printf(&b, "        <soap:header message=\"tns:requestheader\" part=\"%s\" use=\"literal\"/>\n",
                          parts[i]);
        pc_buf_puts(&b, "      </wsdl:input>\n"
                        "      <wsdl:output><soap:body use=\"literal\"/></wsdl:output>\n"
                        "    </wsdl:operation>\n");
    }
    pc_buf_printf(&b,
                  "  </wsdl:binding>\n"
                  "  <wsdl:service name=\"%sService\"><wsdl:port name=\"%sPort\" binding=\"tns:%sBinding\">"
                  "<soap:address location=\"http://localhost/\"/></wsdl:port></wsdl:service>\n"
                  "</wsdl:definitions>\n",
                  n, n, n);
    const char *s = pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    return s;
}
