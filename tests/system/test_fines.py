"""Fines and duties paid without login (issue 14, item 3), end to end with
real processes: the interior ministry's fines register (`pencere registry
--kind fines`, REST, SOAP, WSDL), the payment provider's emulator, and the
portal.  Looked up by one identifier (same answer shape for an unknown
one), paid through the card page (success, decline), the register told
(at once, or by the job when it was down), a second payment refused before
money moves, amounts that do not match, throttling, and the receipt sealed
by the agency through a certification centre.  The register's data
is the deterministic generator's: protocol i is PR + (i * 48271 +
12345671) mod 10^8."""
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

import pytest

import syslib
from syslib import BIN, request, run_cli
from test_identity import CSRF_RE, Browser
from test_payments import Emulator
from test_pki_support import CA, openssl, wait_for, write

PEOPLE = 100
COUNT = 400


def protocol_no(i):
    return "PR%08d" % ((i * 48271 % 10 ** 8 + 12345671) % 10 ** 8)


class Register:
    """The fines register in its own process and database (restartable on
    the same port: "the register is down" and back)."""

    def __init__(self, work):
        self.db = syslib.Database(work)
        r = run_cli("registry", "generate", "--kind", "fines", "--db", self.db.url, "--count", COUNT,
                    "--people", PEOPLE)
        assert r.returncode == 0 and "first key is PR12345671" in r.stdout, r.stderr
        self.port = syslib.free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen([BIN, "registry", "--kind", "fines", "--db", self.db.url, "--listen",
                                      "127.0.0.1:%d" % self.port, "--log-level", "warn"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + syslib.START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/healthz", timeout=1).status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("the fines register did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(15) == 0

    def get(self, path):
        return request(self.port, "GET", path)

    def protocol(self, no):
        r = self.get("/fines/v1/protocols/" + no)
        assert r.status == 200, r.text
        return r.json()

    def unpaid(self, start=0, person=True):
        """Protocol numbers (from index start on) unpaid in the register now."""
        for i in range(start, COUNT):
            p = self.protocol(protocol_no(i))
            if p["status"] == "unpaid" and (p["fin"] is not None) == person:
                yield p


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("fines"))
    reg = Register(work)
    emu = Emulator(work)
    pay = ["--pay-url", "http://127.0.0.1:%d" % emu.port, "--pay-key-file", os.path.join(work, "key"),
           "--pay-secret-file", os.path.join(work, "secret"),
           "--fines-url", "http://127.0.0.1:%d/fines/v1/protocols" % reg.port]
    srv = syslib.Server(os.path.join(work, "portal"), extra=pay + ["--jobs-interval", "0.2"])
    srv.start()
    srv.reg, srv.emu, srv.pay_args, srv.work = reg, emu, pay, work
    srv.used = set()
    yield srv
    srv.close()
    emu.stop()
    if reg.proc.poll() is None:
        reg.stop()
    reg.db.drop()


def fresh(env, person=True):
    """An unpaid protocol no other test has used."""
    for p in env.reg.unpaid(person=person):
        if p["protocol_no"] not in env.used:
            env.used.add(p["protocol_no"])
            return p
    raise AssertionError("no unpaid protocol left")


def api(env, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    r = request(env.port, method, path, headers={"Content-Type": "application/json"}, body=data)
    return r.status, (r.json() if r.body and "json" in (r.header("Content-Type") or "") else {}), r


def start(env, protocols, amount):
    return api(env, "POST", "/api/v1/fines/payments", {"protocols": protocols, "amount_qepik": amount})


def test_the_register_answers_rest_soap_and_wsdl(env):
    schemas = syslib.SchemaSet(syslib.load_openapi())
    reg = env.reg
    doc = reg.protocol("PR12345671")
    schemas.validate(doc, schemas.response_schema("/fines/v1/protocols/{no}", "get", 200))
    key = "fin" if doc["fin"] else "voen"
    found = reg.get("/fines/v1/protocols?%s=%s" % (key, doc[key])).json()
    schemas.validate(found, schemas.response_schema("/fines/v1/protocols", "get", 200))
    assert doc["protocol_no"] in [p["protocol_no"] for p in found["protocols"]]
    assert all(p[key] == doc[key] for p in found["protocols"])
    assert reg.get("/fines/v1/protocols/PR1").status == 400
    assert reg.get("/fines/v1/protocols/PR00000000").status in (200, 404)
    assert reg.get("/fines/v1/protocols?fin=IIIIIII").status == 400
    assert reg.get("/fines/v1/protocols?fin=0034LZB&voen=1234567890").status == 400
    wsdl = reg.get("/fines/wsdl")
    assert wsdl.status == 200 and 'operation name="getProtocol"' in wsdl.text
    envl = ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:iden="http://x-road.eu/xsd/identifiers" '
            'xmlns:t="urn:pencere:fines"><e:Header><xrd:client><iden:xRoadInstance>AZ</iden:xRoadInstance>'
            '<iden:memberClass>GOV</iden:memberClass><iden:memberCode>1500000002</iden:memberCode>'
            '<iden:subsystemCode>portal</iden:subsystemCode></xrd:client><xrd:service>'
            '<iden:xRoadInstance>AZ</iden:xRoadInstance><iden:memberClass>GOV</iden:memberClass>'
            '<iden:memberCode>1400000003</iden:memberCode><iden:subsystemCode>x</iden:subsystemCode>'
            '<iden:serviceCode>y</iden:serviceCode></xrd:service><xrd:id>1</xrd:id>'
            '<xrd:protocolVersion>4.0</xrd:protocolVersion></e:Header><e:Body><t:getProtocol>'
            '<t:protocolNo>PR12345671</t:protocolNo></t:getProtocol></e:Body></e:Envelope>')
    r = request(reg.port, "POST", "/fines/soap", headers={"Content-Type": "text/xml"}, body=envl.encode())
    assert r.status == 200 and "getProtocolResponse" in r.text and "<tns:amountQepik>%d<" % doc["amount_qepik"] in r.text
    # markPaid over SOAP: idempotent by the reference, like REST
    assert 'operation name="markPaid"' in wsdl.text
    p = fresh(env)
    mark = envl.replace("<t:getProtocol><t:protocolNo>PR12345671</t:protocolNo></t:getProtocol>",
                        "<t:markPaid><t:protocolNo>%s</t:protocolNo><t:reference>SOAP-1</t:reference>"
                        "<t:amountQepik>%d</t:amountQepik></t:markPaid>" % (p["protocol_no"], p["amount_qepik"]))
    for _ in range(2):
        r = request(reg.port, "POST", "/fines/soap", headers={"Content-Type": "text/xml"}, body=mark.encode())
        assert r.status == 200 and "markPaidResponse" in r.text and "<tns:status>paid<" in r.text, r.text
    r = request(reg.port, "POST", "/fines/soap", headers={"Content-Type": "text/xml"},
                body=mark.replace("SOAP-1", "SOAP-2").encode())
    assert r.status == 400 and "Client.Conflict" in r.text
    assert reg.protocol(p["protocol_no"])["payment_ref"] == "SOAP-1"


def test_marking_paid_is_idempotent_and_refuses_another_payment(env):
    reg, p = env.reg, fresh(env)
    no, amount = p["protocol_no"], p["amount_qepik"]

    def paid(ref, qepik):
        return request(reg.port, "POST", "/fines/v1/protocols/%s/payment" % no,
                       headers={"Content-Type": "application/json"},
                       body=json.dumps({"reference": ref, "amount_qepik": qepik}).encode())
    assert paid("REF-1", amount + 1).status == 409          # not the protocol's amount
    assert reg.protocol(no)["status"] == "unpaid"
    first = paid("REF-1", amount)
    assert first.status == 200 and first.json()["status"] == "paid" and first.json()["payment_ref"] == "REF-1"
    assert paid("REF-1", amount).status == 200               # told again: nothing changes
    assert paid("REF-2", amount).status == 409               # another payment: refused
    assert reg.protocol(no)["payment_ref"] == "REF-1"
    assert request(reg.port, "POST", "/fines/v1/protocols/PR00000001/payment",
                   headers={"Content-Type": "application/json"},
                   body=b'{"reference":"x","amount_qepik":1}').status == 404


def test_look_ups_show_only_what_is_needed_and_never_enumerate(env):
    schemas = syslib.SchemaSet(syslib.load_openapi())
    p = fresh(env)
    st, body, _ = api(env, "GET", "/api/v1/fines?fin=" + p["fin"].lower())   # folded: upper case
    assert st == 200, body
    schemas.validate(body, schemas.response_schema("/api/v1/fines", "get", 200))
    assert body["by"] == "fin" and body["value"] == p["fin"]
    mine = [x for x in body["protocols"] if x["number"] == p["protocol_no"]]
    assert mine and mine[0]["amount_qepik"] == p["amount_qepik"] and mine[0]["initials"] == p["initials"]
    assert set(mine[0]) == {"number", "date", "article", "amount_qepik", "points", "plate", "initials"}
    assert mine[0]["plate"] != p["plate"] and mine[0]["plate"][:3] == p["plate"][:3] and "*" in mine[0]["plate"]
    assert body["total_qepik"] == sum(x["amount_qepik"] for x in body["protocols"])
    # only the unpaid ones of exactly this person
    regd = env.reg.get("/fines/v1/protocols?fin=" + p["fin"]).json()["protocols"]
    assert sorted(x["number"] for x in body["protocols"]) == sorted(x["protocol_no"] for x in regd
                                                                    if x["status"] == "unpaid")
    # a FİN nobody has, a licence, a VÖEN, a protocol: the same shape, nothing to say who exists
    for q in ("fin=ZZZZZZZ", "licence=ZZ999999", "voen=9999999999", "protocol=PR99999999", "id_card=ZZ0000000"):
        st, none, _ = api(env, "GET", "/api/v1/fines?" + q)
        assert st == 200 and none["protocols"] == [] and none["total_qepik"] == 0 and set(none) == set(body), q
    # a paid protocol is no debt: it answers like an unknown one
    for q in ("fin=IIIIIII", "licence=A1", "voen=12", "protocol=PR1", "fin=0034LZB&voen=1234567890", "", "x=1"):
        st, _, _ = api(env, "GET", "/api/v1/fines?" + q)
        assert st == 400, q
    b = Browser(env)
    st, by_card, _ = api(env, "GET", "/api/v1/fines?id_card=" + p["id_card"])    # the same person by ID card
    assert st == 200 and sorted(x["number"] for x in by_card["protocols"]) == sorted(x["number"] for x in body["protocols"])
    page = b.get("/fines?by=licence&q=" + urllib.parse.quote(p["licence"]) + "&lang=en")
    assert page.status == 200 and p["protocol_no"] in page.text and p["fin"] not in page.text
    assert "No unpaid fines" in b.get("/fines?by=fin&q=ZZZZZZZ&lang=en").text
    bad = b.get("/fines?by=fin&q=bad&lang=en")
    assert bad.status == 400 and "does not have the format" in bad.text


def pay_in_browser(env, p, card):
    """The HTML flow without login: find, choose, pay on the card page;
    returns the payment id and the page the bank sent the payer back to."""
    b = Browser(env)
    page = b.get("/fines?by=protocol&q=" + p["protocol_no"])
    assert page.status == 200 and 'value="%s"' % p["protocol_no"] in page.text
    fields = [("csrf", CSRF_RE.search(page.text).group(1)), ("protocol", p["protocol_no"]),
              ("amount." + p["protocol_no"], str(p["amount_qepik"]))]
    r = request(env.port, "POST", "/fines/pay", body=urllib.parse.urlencode(fields).encode(),
                headers=b._headers({"Content-Type": "application/x-www-form-urlencoded"}))
    assert r.status == 303 and r.header("Location").startswith("/fines/paid/PAY-"), r.text[:500]
    # our page with the bank's link (a form may not post on to another site)
    go = b.get(r.header("Location") + "?lang=en")
    bank = re.search(r'<a class="button button-start" href="([^"]+)"', go.text).group(1)
    back = env.emu.card(bank.rsplit("/", 1)[1], card)
    assert back.status == 303
    url = urllib.parse.urlparse(back.header("Location"))
    assert url.path.startswith("/fines/paid/PAY-")
    return url.path.rsplit("/", 1)[1], b.get(url.path + "?lang=en")


def test_a_fine_paid_without_login_end_to_end(env):
    p = fresh(env)
    pay_id, page = pay_in_browser(env, p, "4242424242424242")
    assert page.status == 200 and "register knows it" in page.text, page.text[:2000]
    assert env.reg.protocol(p["protocol_no"])["status"] == "paid"
    assert env.reg.protocol(p["protocol_no"])["payment_ref"] == pay_id
    st, body, _ = api(env, "GET", "/api/v1/fines/payments/" + pay_id)
    assert st == 200 and body["status"] == "success" and body["register"] == "told"
    assert body["protocols"] == [{"number": p["protocol_no"], "amount_qepik": p["amount_qepik"]}]
    pdf = request(env.port, "GET", body["receipt"])
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF") and pdf.header("Content-Type") == "application/pdf"
    assert request(env.port, "GET", body["receipt"]).body == pdf.body     # the same bytes each time
    # without a certification centre there is no seal to give
    assert request(env.port, "GET", body["receipt"] + ".p7s").status == 404
    # the debt is gone
    st, found, _ = api(env, "GET", "/api/v1/fines?protocol=" + p["protocol_no"])
    assert st == 200 and found["protocols"] == []
    # a payment that is not a fine's is not shown here
    assert request(env.port, "GET", "/fines/paid/PAY-000000000000000000000000").status == 404


def test_a_declined_card_pays_nothing_and_frees_the_protocol(env):
    p = fresh(env)
    pay_id, page = pay_in_browser(env, p, "4000000000000002")
    assert page.status == 200 and "receipt" not in page.text.lower()
    st, body, _ = api(env, "GET", "/api/v1/fines/payments/" + pay_id)
    assert body["status"] == "failed" and body["register"] == "void"     # no money came: the claim is freed
    assert env.reg.protocol(p["protocol_no"])["status"] == "unpaid"
    assert request(env.port, "GET", "/fines/paid/%s/receipt.pdf" % pay_id).status == 404
    st, again, _ = start(env, [p["protocol_no"]], p["amount_qepik"])    # may be paid again
    assert st == 201, again


def test_a_second_payment_is_refused_before_money_moves(env):
    p = fresh(env)
    st, first, _ = start(env, [p["protocol_no"]], p["amount_qepik"])
    assert st == 201 and first["status"] == "created" and first["next_url"]
    # being paid now: refused (no second payment at the provider)
    st, body, _ = start(env, [p["protocol_no"]], p["amount_qepik"])
    assert st == 409 and "being paid" in body["detail"], body
    back = env.emu.card(first["next_url"].rsplit("/", 1)[1], "4242424242424242")
    assert back.status == 303
    assert wait_for(lambda: api(env, "GET", "/api/v1/fines/payments/" + first["id"])[1]["register"] == "told",
                    timeout=15), "the register was not told"
    st, body, _ = start(env, [p["protocol_no"]], p["amount_qepik"])
    assert st == 409 and "paid" in body["detail"], body
    # named twice, too many, not a protocol
    q = fresh(env)
    assert start(env, [q["protocol_no"], q["protocol_no"]], 2 * q["amount_qepik"])[0] == 400
    assert start(env, [protocol_no(i) for i in range(21)], 1)[0] == 400
    assert start(env, ["PR1"], 1)[0] == 400
    assert start(env, [], 0)[0] == 400


def test_amounts_that_do_not_match_are_refused(env):
    p = fresh(env)
    st, body, _ = start(env, [p["protocol_no"]], p["amount_qepik"] - 100)
    assert st == 409 and "not %d" % (p["amount_qepik"] - 100) in body["detail"], body
    # nothing was claimed: the right amount goes through
    st, body, _ = start(env, [p["protocol_no"]], p["amount_qepik"])
    assert st == 201 and body["amount_qepik"] == p["amount_qepik"]
    # two together: the sum
    a, b = fresh(env), fresh(env)
    st, body, _ = start(env, [a["protocol_no"], b["protocol_no"]], a["amount_qepik"] + b["amount_qepik"])
    assert st == 201 and body["amount_qepik"] == a["amount_qepik"] + b["amount_qepik"]


def test_the_register_down_when_paying_is_told_later(env):
    p = fresh(env)
    st, body, _ = start(env, [p["protocol_no"]], p["amount_qepik"])
    assert st == 201
    env.reg.stop()
    try:
        # while it is down nothing can be looked up or started: 503, never a guess
        assert api(env, "GET", "/api/v1/fines?protocol=" + p["protocol_no"])[0] == 503
        back = env.emu.card(body["next_url"].rsplit("/", 1)[1], "4242424242424242")
        assert back.status == 303
        st, now, _ = api(env, "GET", "/api/v1/fines/payments/" + body["id"])
        assert st == 200 and now["status"] == "success" and now["register"] == "open"   # the payment is kept
        page = request(env.port, "GET", "/fines/paid/%s?lang=en" % body["id"])
        assert page.status == 200 and "will be told shortly" in page.text
    finally:
        env.reg.start()
    # the job tells it once it is back, without the payer
    assert wait_for(lambda: env.reg.protocol(p["protocol_no"])["status"] == "paid", timeout=15), "not told"
    assert env.reg.protocol(p["protocol_no"])["payment_ref"] == body["id"]
    assert wait_for(lambda: api(env, "GET", "/api/v1/fines/payments/" + body["id"])[1]["register"] == "told",
                    timeout=15), "the order is not told"


def test_look_ups_are_throttled_per_address(env):
    srv = syslib.Server(os.path.join(env.work, "portal-throttled"),
                        extra=env.pay_args + ["--fines-lookups-per-minute", "3"])
    srv.start()
    try:
        codes = [request(srv.port, "GET", "/api/v1/fines?fin=ZZZZZZZ").status for _ in range(4)]
        assert codes == [200, 200, 200, 429], codes
        assert request(srv.port, "GET", "/fines?by=fin&q=ZZZZZZZ").status == 429
        # starting a payment asks the register too: counted with the look-ups
        st, body, _ = api(srv, "POST", "/api/v1/fines/payments", {"protocols": ["PR12345671"], "amount_qepik": 1})
        assert st == 429, body
        # a bad identifier is refused before it counts, and says so
        assert request(srv.port, "GET", "/api/v1/fines?fin=bad").status == 400
    finally:
        srv.close()


def test_the_receipt_is_sealed_by_the_agency_and_verifiable(env, tmp_path):
    """With a certification centre (--ca-url): the receipt's PDF and its
    detached seal (.p7s) by the interior ministry's key; OpenSSL and
    `pencere verify` accept the pair, and refuse it with one byte changed."""
    work = str(tmp_path)
    ca = CA(os.path.join(work, "centre"))
    try:
        r = run_cli("ca", "add-seal", "--data-dir", ca.dir, "--db", ca.db.url, "--agency", "din", "--name",
                    "Daxili İşlər Nazirliyi", timeout=120)
        assert r.returncode == 0, r.stderr
        ca.start()
        srv = syslib.Server(os.path.join(work, "portal"),
                            extra=env.pay_args + ["--ca-url", ca.url(""), "--ca-key-file",
                                                  ca.path("clients", "portal.key")])
        srv.start()
        try:
            p = fresh(env)
            st, body, _ = start(srv, [p["protocol_no"]], p["amount_qepik"])
            assert st == 201, body
            assert env.emu.card(body["next_url"].rsplit("/", 1)[1], "4242424242424242").status == 303
            page = request(srv.port, "GET", "/fines/paid/%s?lang=en" % body["id"])
            assert "sealed by the agency" in page.text and "receipt.pdf.p7s" in page.text
            pdf = request(srv.port, "GET", "/fines/paid/%s/receipt.pdf" % body["id"])
            sig = request(srv.port, "GET", "/fines/paid/%s/receipt.pdf.p7s" % body["id"])
            assert pdf.status == 200 and sig.status == 200
            assert sig.header("Content-Type") == "application/pkcs7-signature"
            d = write(os.path.join(work, "receipt.pdf"), pdf.body)
            s = write(os.path.join(work, "receipt.pdf.p7s"), sig.body)
            chain = ca.chain_file()
            openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", s, "-content", d, "-CAfile", chain,
                    "-purpose", "any", "-out", os.devnull)
            r = run_cli("verify", "--trust", chain, d, s)
            assert r.returncode == 0, r.stdout + r.stderr
            bad = bytearray(pdf.body)
            bad[len(bad) // 2] ^= 1
            d2 = write(os.path.join(work, "changed.pdf"), bytes(bad))
            assert run_cli("verify", "--trust", chain, d2, s).returncode != 0
        finally:
            srv.close()
    finally:
        ca.close()
