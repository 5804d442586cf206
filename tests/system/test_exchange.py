"""The exchange layer's central registry as a real process: `pencere
central` registers members, subsystems, a gateway, a service, a global
group and access rights from the command line (each refusal with its exit
code), and `pencere central serve` publishes the signed global
configuration, which OpenSSL verifies independently (the directory's
ECDSA signature with the anchor's key, each file against its SHA-256).
One registry process for the module."""
import base64
import hashlib
import json
import os
import re
import signal
import subprocess
import time

import pytest

import syslib
from syslib import BIN, request, run_cli
from test_pki_support import openssl, write

POP = "AZ/GOV/1400000001"
PORTAL = "AZ/GOV/1500000002"
SERVICE = POP + "/population/person"


class Central:
    """A central registry's data directory and `pencere central serve`."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.dir = os.path.join(workdir, "central")
        self.db = syslib.Database(workdir)
        self.port = syslib.free_port()
        self.proc = None
        r = run_cli("central", "init", "--data-dir", self.dir, "--instance", "AZ", "--db", self.db.url)
        assert r.returncode == 0, r.stderr

    def cli(self, *args):
        return run_cli("central", *args, "--data-dir", self.dir, "--db", self.db.url)

    def ok(self, *args):
        r = self.cli(*args)
        assert r.returncode == 0, r.stderr
        return r

    def start(self, *extra):
        self.err = os.path.join(self.workdir, "central-stderr.log")
        with open(self.err, "wb") as err, open(os.devnull, "wb") as out:
            self.proc = subprocess.Popen([BIN, "central", "serve", "--listen", "127.0.0.1:%d" % self.port,
                                          "--data-dir", self.dir, "--db", self.db.url, *extra],
                                         stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + syslib.START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, open(self.err).read()[-3000:]
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("pencere central serve did not start:\n" + open(self.err).read()[-3000:])

    def close(self):
        try:
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(syslib.STOP_TIMEOUT)
            if self.proc:
                text = open(self.err, encoding="utf-8", errors="replace").read()
                assert not syslib.sanitizer_findings(text), text[-6000:]
                assert self.proc.returncode == 0, text[-3000:]
        finally:
            self.db.drop()

    def gconf(self):
        r = request(self.port, "GET", "/gconf")
        assert r.status == 200, r
        return r.json()


def member_cert(tmp, name, code):
    """A certificate naming a member (organizationIdentifier NTRAZ-code),
    as our CA issues gateways; self-signed here, the registry checks whose
    it is."""
    key, pem = os.path.join(tmp, name + ".key"), os.path.join(tmp, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", pem, "-days", "1", "-subj", "/CN=%s/organizationIdentifier=NTRAZ-%s" % (name, code))
    return pem


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("exchange"))
    c = Central(tmp)
    c.tmp = tmp
    c.ok("member", "--id", POP, "--name", "Əhali reyestri")
    c.ok("member", "--id", PORTAL, "--name", "Portal")
    c.ok("subsystem", "--id", POP + "/population")
    c.ok("subsystem", "--id", PORTAL + "/portal")
    c.ok("subsystem", "--id", PORTAL + "/other")
    c.ok("gateway", "--id", POP + "/gw2", "--address", "http://127.0.0.1:1",
         "--cert", member_cert(tmp, "gw2", "1400000001"))
    c.ok("gateway-client", "--gateway", POP + "/gw2", "--client", POP + "/population")
    openapi = write(os.path.join(tmp, "person.yaml"), "openapi: 3.0.3\ninfo: {title: person, version: v1}\n")
    c.ok("service", "--id", SERVICE, "--title", "Şəxs FİN ilə", "--openapi", openapi)
    c.ok("group", "--id", "AZ/portals", "--description", "portals")
    c.ok("group-member", "--group", "AZ/portals", "--client", PORTAL + "/portal")
    c.ok("grant", "--service", SERVICE, "--subject", "AZ/portals")
    c.ok("ca", "--chain", member_cert(tmp, "ca", "0000000000"), "--ocsp", "http://127.0.0.1:2/ca/ocsp",
         "--tsa", "http://127.0.0.1:2/ca/tsa")
    c.start()
    yield c
    c.close()


def verify_gconf(central, g, anchor_pem):
    """The directory's signature with the anchor's key (openssl dgst), then
    each file it lists against its digest; returns (directory, files)."""
    tmp = central.tmp
    pub = write(os.path.join(tmp, "anchor-pub.pem"),
                openssl("x509", "-in", write(os.path.join(tmp, "anchor.pem"), anchor_pem), "-noout",
                        "-pubkey").stdout)
    data = write(os.path.join(tmp, "dir.json"), g["directory"].encode())
    sig = write(os.path.join(tmp, "dir.sig"), base64.b64decode(g["signature"]))
    r = openssl("dgst", "-sha256", "-verify", pub, "-signature", sig, data, check=False)
    if r.returncode != 0:
        return None, None
    d = json.loads(g["directory"])
    files = {}
    for f in d["files"]:
        r = request(central.port, "GET", "/gconf/files/" + f["sha256"])
        assert r.status == 200
        assert hashlib.sha256(r.body).hexdigest() == f["sha256"] and len(r.body) == f["size"]
        files[f["name"]] = json.loads(r.body)
    return d, files



def test_the_signed_configuration_verifies_with_openssl(central):
    g = central.gconf()
    anchor = open(os.path.join(central.dir, "certs", "gconf.pem")).read()
    assert g["certificate"].strip() == anchor.strip()
    d, files = verify_gconf(central, g, anchor)
    assert d is not None, "the directory's signature does not verify"
    assert d["instance"] == "AZ" and d["expires"] - d["generated"] == 600
    p = files["shared-params.json"]
    svc = [s for s in p["services"] if s["id"] == SERVICE][0]
    assert svc["max_request"] == 10240 and svc["kind"] == "query"  # the 2014 limit for queries
    assert svc["openapi"].startswith("openapi: 3.0.3")
    assert p["access"] == [{"service": SERVICE, "subject": "AZ/portals"}]
    assert [m["id"] for m in p["members"]] == [POP, PORTAL]
    assert p["gateways"][0]["clients"] == [POP + "/population"]
    assert "BEGIN CERTIFICATE" in p["gateways"][0]["auth_cert"]
    # a changed directory no longer verifies
    bad = dict(g, directory=g["directory"].replace('"AZ"', '"EE"'))
    assert verify_gconf(central, bad, anchor) == (None, None)


def test_a_change_publishes_a_new_version(central):
    before = json.loads(central.gconf()["directory"])["version"]
    assert json.loads(central.gconf()["directory"])["version"] == before  # nothing changed: the same one
    central.ok("grant", "--service", SERVICE, "--subject", PORTAL + "/other")
    central.ok("revoke", "--service", SERVICE, "--subject", "AZ/portals")
    g = central.gconf()
    d, files = verify_gconf(central, g, g["certificate"])
    assert d["version"] > before
    assert files["shared-params.json"]["access"] == [{"service": SERVICE, "subject": PORTAL + "/other"}]


def test_files_anchor_and_health(central):
    assert request(central.port, "GET", "/gconf/files/" + "0" * 64).status == 404
    r = request(central.port, "GET", "/gconf/files/not-a-digest")
    assert r.status == 400 and r.json()["type"].endswith("bad-request")
    a = request(central.port, "GET", "/anchor.json").json()
    assert a["instance"] == "AZ" and a["central_url"] == "http://127.0.0.1:%d" % central.port
    assert "BEGIN CERTIFICATE" in a["certificate"]
    assert request(central.port, "GET", "/healthz").json() == {"status": "ok"}
    assert "gconf" in request(central.port, "GET", "/metrics").text


def test_cli_refusals(central):
    cases = [
        (("member", "--id", POP, "--name", "again"), 1, "registered already"),
        (("member", "--id", POP + "/x", "--name", "n"), 2, "--id"),
        (("member", "--id", "AZ/XYZ/1", "--name", "n"), 2, "unknown member class"),
        (("member", "--id", "EE/GOV/1", "--name", "n"), 1, "instance"),
        (("member", "--id", "AZ/GOV/9"), 2, "--name is required"),
        (("subsystem", "--id", "AZ/GOV/9/x"), 1, "no member"),
        (("gateway", "--id", PORTAL + "/gw1", "--address", "http://127.0.0.1:3",
          "--cert", member_cert(central.tmp, "wrong", "1400000001")), 1, "NTRAZ-1500000002"),
        (("gateway", "--id", PORTAL + "/gw1", "--address", "ftp://x",
          "--cert", member_cert(central.tmp, "gw1", "1500000002")), 1, "http(s)"),
        (("service", "--id", SERVICE, "--title", "t", "--kind", "stream"), 1, "query or document"),
        (("service", "--id", SERVICE, "--title", "t", "--timeout-ms", "0"), 2, "positive integers"),
        (("grant", "--service", POP + "/population/nothing", "--subject", "AZ/portals"), 1, "no service"),
        (("grant", "--service", SERVICE, "--subject", "AZ/nogroup"), 1, "no group"),
        (("revoke", "--service", SERVICE, "--subject", "AZ/portals"), 1, "had no access"),
        (("group-member", "--group", "AZ/portals", "--client", PORTAL + "/portal"), 1, "already"),
        (("frobnicate",), 2, "usage"),
    ]
    for args, code, text in cases:
        r = central.cli(*args) if args[0] != "frobnicate" else run_cli("central", *args)
        assert r.returncode == code, (args, r.returncode, r.stderr)
        assert text in r.stderr, (args, r.stderr)


def test_show_names_certificates_by_fingerprint(central):
    out = json.loads(central.ok("show").stdout)
    assert "BEGIN CERTIFICATE" not in json.dumps(out)
    gw = out["gateways"][0]
    assert len(gw["auth_cert"]) == 64 and gw["id"] == POP + "/gw2"
    assert [s["openapi"] for s in out["services"]] == [True]


@pytest.mark.once
def test_the_demo_runs_the_exchange(tmp_path):
    """`pencere demo` starts a CA, the central registry, the population
    register and two gateways, and writes DATA_DIR/demo-exchange.json; its
    calls work through the portal's gateway and the log verifies."""
    data = tmp_path / "demo"
    port = syslib.free_port()
    err = open(tmp_path / "demo.err", "wb")
    p = subprocess.Popen([BIN, "demo", "--listen", "127.0.0.1:%d" % port, "--data-dir", str(data)],
                         stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    try:
        path = data / "demo-exchange.json"
        deadline = time.monotonic() + 120
        while not path.exists() and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert path.exists(), open(tmp_path / "demo.err").read()[-3000:]
        demo = json.loads(path.read_text())
        gw = int(demo["gateway"].rsplit(":", 1)[1])
        assert demo["client"] == PORTAL + "/portal" and len(demo["calls"]) >= 1
        for call in demo["calls"]:
            r = request(gw, "GET", "/r1/" + call["service"] + call["path"],
                        headers={"X-Road-Client": demo["client"], "X-Road-UserId": "0034LZB"})
            assert r.status == 200 and call["path"][1:] in (r.json().get("fin"), r.json().get("voen")), r
        r = run_cli("gateway", "verify-log", "--data-dir", str(data / "exchange" / "gw1"))
        # a request and an answer for each call, beside what the demo's portal asked itself (its social case)
        m = re.search(r"intact: (\d+) records", r.stdout)
        assert r.returncode == 0 and m and int(m.group(1)) >= 2 * len(demo["calls"]), r.stdout + r.stderr
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(30)
        err.close()
    assert rc == 0
    # the exchange's processes stopped with it
    assert request_fails(gw)


def request_fails(port):
    try:
        request(port, "GET", "/healthz", timeout=2)
        return False
    except OSError:
        return True


@pytest.mark.parametrize("kind,path,op,key", [
    ("realestate", "/realestate/v1/properties/", "getProperties", "properties"),
    ("employment", "/employment/v1/contracts/", "getContracts", "contracts"),
    ("pensions", "/pensions/v1/insured/", "getInsurance", "insurance_years"),
    ("vehicles", "/vehicles/v1/owners/", "getVehicles", "vehicles"),  # vemtas2
])
def test_the_other_registers(tmp_path, kind, path, op, key):
    schemas = syslib.SchemaSet(syslib.load_openapi())
    """Each register by FİN answers REST, its WSDL and SOAP (its own
    database, generated)."""
    db = syslib.Database(str(tmp_path))
    try:
        r = run_cli("registry", "generate", "--kind", kind, "--db", db.url, "--count", "50")
        assert r.returncode == 0 and "first key is 0034LZB" in r.stdout, r.stderr
        port = syslib.free_port()
        p = subprocess.Popen([BIN, "registry", "--kind", kind, "--db", db.url, "--listen", "127.0.0.1:%d" % port,
                              "--log-level", "warn"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + syslib.START_TIMEOUT
            while not request_ok(port) and time.monotonic() < deadline:
                time.sleep(0.05)
            doc = request(port, "GET", path + "0034LZB").json()
            assert doc["fin"] == "0034LZB" and key in doc
            schemas.validate(doc, schemas.response_schema(path + "{fin}", "get", 200))
            assert request(port, "GET", path + "IIIIIII").status == 400
            assert request(port, "GET", path + "0000000").status == 404
            wsdl = request(port, "GET", "/%s/wsdl" % kind)
            assert wsdl.status == 200 and ('operation name="%s"' % op) in wsdl.text
            env = ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
                   'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:iden="http://x-road.eu/xsd/identifiers" '
                   'xmlns:t="urn:pencere:%s"><e:Header><xrd:client><iden:xRoadInstance>AZ</iden:xRoadInstance>'
                   '<iden:memberClass>GOV</iden:memberClass><iden:memberCode>1500000002</iden:memberCode>'
                   '<iden:subsystemCode>portal</iden:subsystemCode></xrd:client><xrd:service>'
                   '<iden:xRoadInstance>AZ</iden:xRoadInstance><iden:memberClass>GOV</iden:memberClass>'
                   '<iden:memberCode>1400000001</iden:memberCode><iden:subsystemCode>x</iden:subsystemCode>'
                   '<iden:serviceCode>y</iden:serviceCode></xrd:service><xrd:id>1</xrd:id>'
                   '<xrd:protocolVersion>4.0</xrd:protocolVersion></e:Header><e:Body><t:%s><t:fin>0034LZB</t:fin>'
                   '</t:%s></e:Body></e:Envelope>' % (kind, op, op))
            r = request(port, "POST", "/%s/soap" % kind, headers={"Content-Type": "text/xml"}, body=env.encode())
            assert r.status == 200 and ("%sResponse" % op) in r.text and "0034LZB" in r.text
        finally:
            p.send_signal(signal.SIGTERM)
            assert p.wait(15) == 0
    finally:
        db.drop()


@pytest.mark.once
def test_entrepreneurs_by_fin(tmp_path):
    """The taxpayers' register finds a person's individual-entrepreneur
    registrations by FİN, over REST and SOAP (vemtas2)."""
    schemas = syslib.SchemaSet(syslib.load_openapi())
    db = syslib.Database(str(tmp_path))
    try:
        r = run_cli("registry", "generate", "--kind", "taxpayers", "--db", db.url, "--count", "200", "--people", "50")
        assert r.returncode == 0, r.stderr
        port = syslib.free_port()
        p = subprocess.Popen([BIN, "registry", "--kind", "taxpayers", "--db", db.url, "--listen",
                              "127.0.0.1:%d" % port, "--log-level", "warn"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + syslib.START_TIMEOUT
            while not request_ok(port) and time.monotonic() < deadline:
                time.sleep(0.05)
            # taxpayer 3 is an entrepreneur: its owner's FİN finds it
            t = request(port, "GET", "/taxpayers/v1/taxpayers/%s" % voen_of(3)).json()
            assert t["kind"] == "individual_entrepreneur"
            path = "/taxpayers/v1/entrepreneurs/"
            doc = request(port, "GET", path + t["owner_fin"]).json()
            schemas.validate(doc, schemas.response_schema(path + "{fin}", "get", 200))
            assert t["voen"] in [e["voen"] for e in doc["entrepreneurs"]]
            assert all(e["owner_fin"] == t["owner_fin"] and e["income_last_year_azn"] >= 1200
                       for e in doc["entrepreneurs"])
            assert request(port, "GET", path + "IIIIIII").status == 400
            nobody = request(port, "GET", path + "0000000")
            assert nobody.status == 200 and nobody.json()["entrepreneurs"] == []
            wsdl = request(port, "GET", "/taxpayers/wsdl")
            assert 'operation name="getEntrepreneurs"' in wsdl.text and 'operation name="getTaxpayer"' in wsdl.text
            env = ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
                   'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:iden="http://x-road.eu/xsd/identifiers" '
                   'xmlns:t="urn:pencere:taxpayers"><e:Header><xrd:client><iden:xRoadInstance>AZ</iden:xRoadInstance>'
                   '<iden:memberClass>GOV</iden:memberClass><iden:memberCode>1500000002</iden:memberCode>'
                   '<iden:subsystemCode>portal</iden:subsystemCode></xrd:client><xrd:service>'
                   '<iden:xRoadInstance>AZ</iden:xRoadInstance><iden:memberClass>GOV</iden:memberClass>'
                   '<iden:memberCode>1400057421</iden:memberCode><iden:subsystemCode>avis</iden:subsystemCode>'
                   '<iden:serviceCode>entrepreneurs</iden:serviceCode></xrd:service><xrd:id>1</xrd:id>'
                   '<xrd:protocolVersion>4.0</xrd:protocolVersion></e:Header><e:Body><t:getEntrepreneurs>'
                   '<t:fin>%s</t:fin></t:getEntrepreneurs></e:Body></e:Envelope>' % t["owner_fin"])
            r = request(port, "POST", "/taxpayers/soap", headers={"Content-Type": "text/xml"}, body=env.encode())
            assert r.status == 200 and "getEntrepreneursResponse" in r.text and t["voen"] in r.text
        finally:
            p.send_signal(signal.SIGTERM)
            assert p.wait(15) == 0
    finally:
        db.drop()


def voen_of(i):
    """The VÖEN of taxpayer i (src/registries/ids.c: a bijection of the index)."""
    return "%010d" % ((i * 3216549871 + 1000000007) % 10 ** 10)


def request_ok(port):
    try:
        return request(port, "GET", "/healthz", timeout=2).status == 200
    except OSError:
        return False
