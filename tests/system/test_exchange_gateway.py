"""Messages through two gateways (the portal's gw1 and the registries' gw2)
with certificates, OCSP and time-stamps from a real `pencere ca serve`:
the REST message protocol end to end, every refusal path with its
X-Road-like fault type, SOAP driven by python3-zeep from a WSDL, the
message log verified offline on both sides.
One exchange (CA, central registry, two gateways, a provider) per module."""
import base64
import hashlib
import json
import os
import sqlite3
import time

import pytest
import zeep
import zeep.exceptions

import syslib
from syslib import request, run_cli
from exchange_support import (BIG, CLIENT, DOWN, OTHER, PERSONS, POP, SERVICE, SLOW, SOAP, TAXPAYERS, TAXSOAP,
                              Exchange)
from test_pki_support import openssl, serial_of, wait_for




@pytest.fixture(scope="module")
def xr(tmp_path_factory):
    x = Exchange(str(tmp_path_factory.mktemp("xr")))
    yield x
    x.close()


def fault(r):
    return r.json()["type"], r.header("X-Road-Error")


def log_count(x):
    return request(x.gw1.port, "GET", "/healthz").json()["log_records"]


def test_a_query_crosses_both_gateways(xr):
    r = xr.call("/r1/" + SERVICE + "/1AB2C3D?x=1", headers={"X-Road-UserId": "1AB2C3D", "X-Road-Issue": "case-7",
                                                          "X-Road-Id": "msg-1", "Accept": "application/json",
                                                          "Cookie": "session=secret"})
    assert r.status == 200, r
    doc = r.json()
    assert doc == {"fin": "1AB2C3D", "name": "Aysel Məmmədova", "client": CLIENT, "user": "1AB2C3D",
                   "issue": "case-7", "accept": "application/json"}
    assert r.header("X-Road-Id") == "msg-1" and r.header("X-Road-Request-Hash")
    assert r.header("ETag") == '"v1"'
    # hop-by-hop and named-in-Connection headers do not cross; nor cookies, either way
    assert r.header("X-Secret") is None and r.header("Set-Cookie") is None
    method, path, headers, _ = xr.provider.seen[-1]
    assert (method, path) == ("GET", "/person/1AB2C3D?x=1")
    assert "Cookie" not in headers and headers["X-Road-Service"] == SERVICE
    # the provider's own answers pass through, signed like any other
    r = xr.call("/r1/" + SERVICE + "/0000000")
    assert r.status == 404 and r.json() == {"error": "no such person"} and not r.header("X-Road-Error")


FIRST = "0034LZB"  # person 0 of the synthetic population


def test_connections_between_gateways_are_kept(xr):
    """The consumer's gateway keeps its connections to the other gateway
    (at most one per request thread: `gateway serve` runs 16), not one per
    message."""
    before = xr.tamper.connections
    for _ in range(40):
        assert xr.call("/r1/" + SERVICE + "/1AB2C3D").status == 200
    assert xr.tamper.connections - before <= 16


def test_the_population_register_answers_through_both_gateways(xr):
    r = xr.call("/r1/" + PERSONS + "/" + FIRST, headers={"X-Road-UserId": FIRST, "X-Road-Issue": "case-1"})
    assert r.status == 200, r
    father = r.json()
    schemas = syslib.SchemaSet(syslib.load_openapi())
    schemas.validate(father, schemas.response_schema("/population/v1/persons/{fin}", "get", 200))
    assert father["fin"] == FIRST and father["sex"] == "M" and len(father["children_fins"]) == 2
    child = xr.call("/r1/" + PERSONS + "/" + father["children_fins"][0]).json()
    assert child["father_fin"] == FIRST and child["patronymic"].startswith(father["name"])
    r = xr.call("/r1/" + PERSONS + "/0000000")
    assert r.status == 404 and not r.header("X-Road-Error")  # the registry's answer, passed on signed
    r = xr.call("/r1/" + PERSONS + "/bad")
    assert r.status == 400


FIRST_VOEN = "1000000007"  # taxpayer 0


def test_the_taxpayers_register_names_who_may_act(xr):
    """A second member behind gw2 (the tax ministry, signed with its own
    key): a company's representatives are people of the population."""
    r = xr.call("/r1/" + TAXPAYERS + "/" + FIRST_VOEN)
    assert r.status == 200, r
    t = r.json()
    schemas = syslib.SchemaSet(syslib.load_openapi())
    schemas.validate(t, schemas.response_schema("/taxpayers/v1/taxpayers/{voen}", "get", 200))
    assert t["voen"] == FIRST_VOEN and t["representatives"][0] == t["director_fin"]
    p = xr.call("/r1/" + PERSONS + "/" + t["director_fin"])
    assert p.status == 200 and p.json()["fin"] == t["director_fin"]
    assert xr.call("/r1/" + TAXPAYERS + "/12345").status == 400
    svc = zeep.Client(xr.taxpayers.url + "/taxpayers/wsdl").create_service(
        "{urn:pencere:taxpayers}taxpayersBinding", "http://127.0.0.1:%d/" % xr.gw1.port)
    answer = svc.getTaxpayer(voen=FIRST_VOEN, _soapheaders=soap_headers(CLIENT, service=TAXSOAP, msg_id="soap-t"))
    assert answer.voen == FIRST_VOEN and answer.name == t["name"]
    assert answer.representatives.split() == t["representatives"]


def test_client_refusals(xr):
    before = log_count(xr)
    cases = [
        (dict(path="/r1/" + SERVICE + "/1", client=None), 400, "Client.InvalidClientIdentifier"),
        (dict(path="/r1/" + SERVICE + "/1", client="AZ/GOV"), 400, "Client.InvalidClientIdentifier"),
        (dict(path="/r1/AZ/XYZ/1/p/s/1"), 400, "Client.InvalidServiceIdentifier"),
        (dict(path="/r1/" + SERVICE + "/../admin"), 400, "Client.InvalidRequest"),
        (dict(path="/r1/" + SERVICE + "/%2e%2e/admin"), 400, "Client.InvalidRequest"),
        (dict(path="/r1/" + SERVICE + "/1", headers={"X-Road-Id": "bad id"}), 400, "Client.InvalidHttpHeader"),
        (dict(path="/r1/" + SERVICE + "/1", headers={"X-Road-UserId": "x" * 65}), 400, "Client.InvalidHttpHeader"),
        (dict(path="/r1/" + SERVICE + "/1", client=POP + "/population"), 403, "Client.UnknownMember"),
        (dict(path="/r1/" + POP + "/population/nothing/1"), 404, "Client.UnknownService"),
        (dict(path="/r1/" + SERVICE, method="POST", body=b"x" * 10241), 413, "Client.RequestTooLarge"),
    ]
    for kw, status, type_ in cases:
        r = xr.call(**kw)
        assert r.status == status and fault(r) == (type_, type_), (kw, r)
        assert set(r.json()) == {"type", "message", "detail"}
    # every refusal is in the log
    assert log_count(xr) == before + len(cases)


def test_metaservices_list_clients_and_services(xr):
    """listClients, listMethods and allowedMethods from the gateway's own
    copy of the global configuration (what X-Road's metaservices tell)."""
    r = request(xr.gw1.port, "GET", "/listClients")
    assert r.status == 200 and CLIENT in r.json()["clients"] and OTHER in r.json()["clients"], r.text
    services = {s["id"]: s for s in request(xr.gw1.port, "GET", "/listMethods").json()["services"]}
    assert services[PERSONS]["provided"] and services[PERSONS]["kind"] == "query"
    assert services[BIG]["max_request"] == 2000000
    mine = {s["id"] for s in xr.call("/allowedMethods").json()["services"]}
    assert PERSONS in mine and SERVICE in mine
    assert xr.call("/allowedMethods", client=OTHER).json()["services"] == []  # deny by default
    r = xr.call("/allowedMethods", client=None)
    assert r.status == 400 and fault(r)[0] == "Client.InvalidClientIdentifier"


def test_access_is_denied_by_default(xr):
    r = xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER)
    assert r.status == 403 and fault(r)[0] == "Server.ServerProxy.AccessDenied"
    # granted, it goes through once the gateways have the new configuration
    xr.c("grant", "--service", SERVICE, "--subject", OTHER)
    assert wait_for(lambda: xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER).status == 200, timeout=10)
    xr.c("revoke", "--service", SERVICE, "--subject", OTHER)
    assert wait_for(lambda: xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER).status == 403, timeout=10)


def test_a_removal_stops_the_calls_it_allowed(xr):
    """Removing a global group (centralui2) takes its rights with it: the
    gateway refuses the next call once it has the new configuration."""
    xr.c("group", "--id", "AZ/removable", "--description", "goes away")
    xr.c("group-member", "--group", "AZ/removable", "--client", OTHER)
    xr.c("grant", "--service", SERVICE, "--subject", "AZ/removable")
    assert wait_for(lambda: xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER).status == 200, timeout=10)
    xr.c("remove", "--what", "group", "--id", "AZ/removable")
    assert wait_for(lambda: xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER).status == 403, timeout=10)
    r = xr.call("/r1/" + SERVICE + "/1AB2C3D", client=OTHER)
    assert fault(r)[0] == "Server.ServerProxy.AccessDenied"


def test_size_limits_per_service(xr):
    # a document service takes what it declares; the default for queries is 10 KB
    body = os.urandom(1 << 20)
    r = xr.call("/r1/" + BIG, method="POST", body=body, headers={"Content-Type": "application/octet-stream"})
    assert r.status == 200 and r.body == body
    assert xr.provider.seen[-1][3] == body
    r = xr.call("/r1/" + BIG, method="POST", body=os.urandom(2000001))
    assert r.status == 413 and fault(r)[0] == "Client.RequestTooLarge"


def test_provider_down_or_slow(xr):
    r = xr.call("/r1/" + DOWN + "/1")
    assert r.status == 502 and fault(r)[0] == "Server.ServerProxy.ServiceFailed"
    t = time.monotonic()
    r = xr.call("/r1/" + SLOW + "/1")
    assert r.status == 504 and fault(r)[0] == "Server.ServerProxy.ServiceTimeout"
    assert time.monotonic() - t < 2.9  # the service's 1 s, not the provider's 3 s


@pytest.mark.parametrize("mode,status,type_", [
    ("request-body", 502, "Server.ServerProxy.InvalidSignatureValue"),
    ("request-header", 502, "Server.ServerProxy.InvalidSignatureValue"),
    ("other-gateway", 502, "Server.ServerProxy.SslAuthenticationFailed"),
    ("response-body", 502, "Server.ClientProxy.InvalidSignatureValue"),
    ("replay", 409, "Server.ServerProxy.DuplicateMessage"),
])
def test_a_tampered_or_replayed_message_is_refused(xr, mode, status, type_):
    """A man in the middle between the gateways (no TLS between them in
    this test: the signatures are what protect the messages)."""
    before = len(xr.provider.seen)
    xr.tamper.mode = mode
    try:
        r = xr.call("/r1/" + SERVICE + "/1AB2C3D", headers={"X-Road-UserId": "1AB2C3D"})
    finally:
        xr.tamper.mode = "pass"
    assert r.status == status and fault(r)[0] == type_, r
    # a tampered request never reaches the provider; a replayed one once
    assert len(xr.provider.seen) - before == {"response-body": 1, "replay": 1}.get(mode, 0)
    r = request(xr.gw2.port, "POST", "/xr/v1/message", headers={"X-Road-Protocol": "r1"}, body=b"")
    assert r.status == 502 and r.header("X-Road-Error") == "Server.ServerProxy.InvalidMessage"


# ---- SOAP, driven by an independent client (python3-zeep) from a WSDL -------------

def client_for(xr):
    c = zeep.Client(xr.registry.url + "/population/wsdl")  # the registry's own WSDL
    return c.create_service("{urn:pencere:population}populationBinding", "http://127.0.0.1:%d/" % xr.gw1.port)


def soap_headers(client_id, service=SOAP, msg_id="soap-1"):
    inst, cls, code, sub = client_id.split("/")
    s = service.split("/")
    return {
        "client": {"xRoadInstance": inst, "memberClass": cls, "memberCode": code, "subsystemCode": sub},
        "service": {"xRoadInstance": s[0], "memberClass": s[1], "memberCode": s[2], "subsystemCode": s[3],
                    "serviceCode": s[4]},
        "id": msg_id, "userId": "1AB2C3D", "issue": "case-9", "protocolVersion": "4.0",
    }


def test_zeep_calls_through_both_gateways(xr):
    svc = client_for(xr)
    person = xr.call("/r1/" + PERSONS + "/" + FIRST).json()
    answer = svc.getPerson(fin=FIRST, _soapheaders=soap_headers(CLIENT))
    assert answer.fin == FIRST and answer.name == person["name"] and answer.surname == person["surname"]
    assert str(answer.birthDate) == person["birth_date"]
    assert person["address"]["city"] in answer.address
    for g in (xr.gw1, xr.gw2):
        r = run_cli("gateway", "verify-log", "--data-dir", g.dir, "--db", g.db)
        assert r.returncode == 0, r.stderr


def test_faults_are_soap_faults(xr):
    svc = client_for(xr)
    with pytest.raises(zeep.exceptions.Fault) as e:
        svc.getPerson(fin="1AB2C3D", _soapheaders=soap_headers(OTHER, msg_id="soap-2"))
    assert e.value.code == "Server.ServerProxy.AccessDenied"
    # a broken envelope from the client
    r = request(xr.gw1.port, "POST", "/", headers={"Content-Type": "text/xml"}, body=b"<not-soap/>")
    assert r.status == 400 and r.header("X-Road-Error") == "Client.InvalidSoap"
    assert b"<faultcode>Client.InvalidSoap</faultcode>" in r.body
    # a DOCTYPE is refused before anything is expanded
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&e;'
            b'</soapenv:Body></soapenv:Envelope>')
    r = request(xr.gw1.port, "POST", "/", headers={"Content-Type": "text/xml"}, body=evil)
    assert r.status == 400 and b"root:" not in r.body


def test_the_message_logs_verify_offline(xr):
    for g in (xr.gw1, xr.gw2):
        r = run_cli("gateway", "verify-log", "--data-dir", g.dir, "--db", g.db)
        assert r.returncode == 0, r.stderr
        assert "intact" in r.stdout
    # gw1 stamps after every message
    n = int(run_cli("gateway", "verify-log", "--data-dir", xr.gw1.dir, "--db", xr.gw1.db).stdout.split()[5])
    assert n >= 1


def digest(rec):
    """A record's digest as docs/exchange.md states it, computed here."""
    names = ["seq", "at_ms", "message_id", "side", "kind", "protocol", "client", "service", "user_id", "issue",
             "fault", "block", "body_hash", "hash", "signature", "cert", "ocsp"]
    data = b"".join(b"%d:%s\n" % (len(rec[n].encode()), rec[n].encode()) for n in names)
    return hashlib.sha256(data).digest()


def test_evidence_of_one_message_checks_out_independently(xr, tmp_path):
    """`gateway evidence` for msg-1 (the first test's call), checked here
    with hashlib and OpenSSL only: digests, chain up to the time-stamp,
    the time-stamp token, the signatures."""
    r = run_cli("gateway", "evidence", "--data-dir", xr.gw1.dir, "--db", xr.gw1.db, "--message", "msg-1")
    assert r.returncode == 0, r.stderr
    ev = json.loads(r.stdout)
    recs = ev["records"]
    assert [(x["side"], x["kind"]) for x in recs] == [("consumer", "request"), ("consumer", "response")]
    by_seq = {int(x["seq"]): x for x in recs}
    chain = bytes.fromhex(recs[0]["prev"]) if recs[0]["prev"] else bytes(32)
    for link in ev["links"]:
        if link["seq"] in by_seq:
            assert digest(by_seq[link["seq"]]).hex() == link["digest"]
        chain = hashlib.sha256(chain + bytes.fromhex(link["digest"])).digest()
    assert ev["stamp"] and chain.hex() == ev["stamp"]["chain"]  # gw1 stamps after every message
    tok = tmp_path / "token.der"
    tok.write_bytes(base64.b64decode(ev["stamp"]["token"]))
    (tmp_path / "ca.pem").write_text(ev["ca_chain"])
    openssl("ts", "-verify", "-digest", chain.hex(), "-token_in", "-in", str(tok), "-CAfile",
            str(tmp_path / "ca.pem"))
    # each signature over "xr1-signature\n" + hash with the signer's certificate
    for x in recs:
        pem = tmp_path / "signer.pem"
        pem.write_text(ev["certificates"][x["cert"]])
        pub = tmp_path / "pub.pem"
        pub.write_bytes(openssl("x509", "-in", str(pem), "-noout", "-pubkey").stdout)
        (tmp_path / "in").write_bytes(b"xr1-signature\n" + x["hash"].encode())
        (tmp_path / "sig").write_bytes(base64.b64decode(x["signature"]))
        openssl("dgst", "-sha256", "-verify", str(pub), "-signature", str(tmp_path / "sig"), str(tmp_path / "in"))
    r = run_cli("gateway", "evidence", "--data-dir", xr.gw1.dir, "--db", xr.gw1.db, "--message", "nothing")
    assert r.returncode == 1 and "no message" in r.stderr


def test_a_revoked_member_certificate_stops_the_exchange(xr):
    """Last but one: revoke gw1's signing certificate at the CA."""
    serial = serial_of(xr.gw1.sign_pem)
    r = xr.ca.cli("revoke", "--serial", serial, "--reason", "keyCompromise")
    assert r.returncode == 0, r.stderr
    # gw1 refreshes its OCSP answers; from then on it cannot prove anything
    assert wait_for(lambda: request(xr.gw1.port, "GET", "/healthz").status == 503, timeout=15, step=0.2)
    r = xr.call("/r1/" + SERVICE + "/1AB2C3D")
    assert r.status == 502 and fault(r)[0] == "Server.ClientProxy.CertValidation"


def test_an_expired_global_configuration_stops_the_exchange(xr):
    """Last: without its central registry a gateway's copy expires."""
    xr.central.stop()
    assert wait_for(lambda: xr.call("/r1/" + SERVICE + "/1AB2C3D").status == 503, timeout=20, step=0.2)
    r = xr.call("/r1/" + SERVICE + "/1AB2C3D")
    assert fault(r)[0] == "Server.ClientProxy.OutdatedGlobalConf"
    # nothing was lost: both logs still verify
    for g in (xr.gw1, xr.gw2):
        assert run_cli("gateway", "verify-log", "--data-dir", g.dir, "--db", g.db).returncode == 0


def test_a_tampered_log_is_named(xr, tmp_path):
    if syslib.DB_KIND != "sqlite":
        pytest.skip("edits the SQLite file")
    xr.gw2.stop()
    con = sqlite3.connect(xr.gw2.db)
    con.execute("UPDATE xr_msglog SET user_id = 'someone else' WHERE seq = 2")
    con.commit()
    con.close()
    r = run_cli("gateway", "verify-log", "--data-dir", xr.gw2.dir, "--db", xr.gw2.db)
    assert r.returncode == 1 and "record 2" in r.stderr, r.stderr
