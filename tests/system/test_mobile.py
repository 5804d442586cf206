"""The mobile signature (src/mobile, docs/mobile.md): the service in the CA
role (`pencere ca serve`, paths /mid/…) and the phone emulator
(`pencere phone`).  A relying party starts authentication, signing and QR
sessions; the phone fetches them, shows the same verification code,
approves with a PIN or refuses; the relying party long-polls the result.
Every refusal has its answer: no mobile signature, a refusal on the phone,
a wrong PIN until it blocks, a hash mismatch, a phone that never answers
(TIMEOUT) or never asked (PHONE_ABSENT), replayed, expired and unknown QR
codes, too many requests for one phone, unsigned phone requests."""
import base64
import hashlib
import json
import os
import sqlite3
import subprocess
import threading
import time

import pytest

import syslib
from syslib import request, run_cli
from test_pki_support import CA, openssl, wait_for, write

PHONE = "+994501234567"
FIN = "5XK2M7P"
NAME = "Aysel Məmmədova"
PIN1, PIN2, PUK = "1234", "12345", "87654321"
REGISTRAR = {"id": "desk-7", "role": "registrar"}
ANSWER_SECS = 3


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    c = CA(str(tmp_path_factory.mktemp("mobile")))
    c.other_secret = c.add_client("other-rp")
    c.serve_args = ("--mobile-answer-secs", str(ANSWER_SECS), "--mobile-qr-secs", str(ANSWER_SECS))
    c.start()
    yield c
    c.close()


def mid(ca, method, path, body=None, **kw):
    return ca.api(method, path, body, prefix="/mid/v1", **kw)


def phone(ca, sim, *args, check=True):
    cmd, rest = args[0], args[1:]
    extra = ("--url", ca.url("")) if cmd not in ("init", "enrolment", "unblock") else ()
    r = run_cli("phone", cmd, "--dir", sim, *extra, *rest)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def new_sim(ca, tmp, number, fin=FIN, name=NAME):
    sim = os.path.join(str(tmp), "sim-" + number.strip("+"))
    text = phone(ca, sim, "init", "--phone", number, "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK).stdout
    r = mid(ca, "POST", "/enrolments", {"phoneNumber": number, "nationalIdentityNumber": fin, "name": name,
                                        "sim": text}, actor=REGISTRAR)
    assert r.status == 201, r.text
    return sim, r.json()


def start(ca, kind, number=PHONE, fin=FIN, digest=None, **extra):
    digest = digest or os.urandom(32)
    body = {"relyingPartyName": "Pəncərə", "phoneNumber": number, "nationalIdentityNumber": fin,
            "hashType": "SHA256", "hash": b64(digest), "language": "AZE"}
    body.update(extra)
    r = mid(ca, "POST", "/" + kind, body)
    return r, digest


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def status(ca, sid, wait_ms=0):
    r = mid(ca, "GET", "/session/%s?timeoutMs=%d" % (sid, wait_ms))
    assert r.status == 200, r.text
    return r.json()


def requests_of(ca, sim):
    out = phone(ca, sim, "requests").stdout
    return [line.split("\t") for line in out.splitlines() if line]


def audit_actions(ca, object_id):
    sql = "SELECT action FROM audit_log WHERE object_id = '%s' ORDER BY seq" % object_id
    if ca.db.kind == "sqlite":
        with sqlite3.connect(ca.db.url) as c:
            return [row[0] for row in c.execute(sql)]
    r = subprocess.run(["psql", ca.db.url, "-At", "-c", sql], capture_output=True, text=True, timeout=30)
    return r.stdout.split()


@pytest.fixture(scope="module")
def sim(ca, tmp_path_factory):
    s, binding = new_sim(ca, tmp_path_factory.mktemp("sims"), PHONE)
    assert binding["phoneNumber"] == PHONE and binding["authSerial"] != binding["signSerial"]
    return s


@pytest.mark.once
def test_openapi_documents_the_mobile_paths(spec):
    for p in ("/mid/v1/authentication", "/mid/v1/signature", "/mid/v1/qr", "/mid/v1/session/{id}",
              "/mid/v1/certificate", "/mid/v1/enrolments", "/mid/sim/v1/requests", "/mid/sim/v1/qr",
              "/mid/sim/v1/requests/{id}"):
        assert p in spec["paths"], p


def test_authentication_same_code_on_both_sides_and_a_verifiable_signature(ca, sim, tmp_path, schemas):
    r, digest = start(ca, "authentication")
    assert r.status == 200, r.text
    schemas.validate_ref(r.json(), "MidSession")
    sid, code = r.json()["sessionID"], r.json()["verificationCode"]
    assert len(code) == 4 and code.isdigit()
    # the code is the hash's: 6 high bits of the first byte, 7 low bits of the last
    assert int(code) == ((digest[0] & 0xFC) << 5) | (digest[-1] & 0x7F)
    assert status(ca, sid)["state"] == "RUNNING"
    reqs = requests_of(ca, sim)
    mine = [q for q in reqs if q[0] == sid]
    assert mine and mine[0][1] == "authentication" and mine[0][2] == code and mine[0][3] == "Pəncərə"
    assert phone(ca, sim, "approve", "--pin", PIN1, sid).stdout.strip() == "OK"
    st = status(ca, sid)
    schemas.validate_ref(st, "MidStatus")
    assert st["state"] == "COMPLETE" and st["result"] == "OK"
    # the relying party checks the signature over its own hash itself
    cert = write(str(tmp_path / "auth.pem"), st["cert"])
    openssl("verify", "-CAfile", ca.root, "-untrusted", ca.issuer, cert)
    subj = openssl("x509", "-in", cert, "-noout", "-subject", "-nameopt", "utf8").stdout.decode()
    assert FIN in subj
    openssl("x509", "-in", cert, "-pubkey", "-noout", "-out", str(tmp_path / "pub.pem"))
    with open(tmp_path / "sig", "wb") as f:
        f.write(unb64(st["signature"]["value"]))
    with open(tmp_path / "dgst", "wb") as f:
        f.write(digest)
    openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-in", str(tmp_path / "dgst"),
            "-sigfile", str(tmp_path / "sig"))
    assert "mobile.ok" in audit_actions(ca, sid)


def test_signing_uses_the_signing_key_and_pin2(ca, sim):
    r, _ = start(ca, "signature", displayText="Ərizə №42")
    sid = r.json()["sessionID"]
    assert [q for q in requests_of(ca, sim) if q[0] == sid][0][4] == "Ərizə №42"
    # PIN1 is not the signing PIN: refused on the SIM, nothing is sent
    r = phone(ca, sim, "approve", "--pin", PIN1, sid, check=False)
    assert r.returncode == 1 and "2 tries left" in r.stderr
    assert phone(ca, sim, "approve", "--pin", PIN2, sid).stdout.strip() == "OK"
    st = status(ca, sid)
    assert st["result"] == "OK"
    r = mid(ca, "POST", "/certificate", {"relyingPartyName": "Pəncərə", "phoneNumber": PHONE,
                                         "nationalIdentityNumber": FIN})
    assert r.status == 200 and r.json()["result"] == "OK" and r.json()["cert"] == st["cert"]


def test_long_poll_answers_when_the_phone_does(ca, sim):
    r, _ = start(ca, "authentication")
    sid = r.json()["sessionID"]
    got = {}

    def poll():
        t0 = time.monotonic()
        got["st"] = status(ca, sid, wait_ms=20000)
        got["secs"] = time.monotonic() - t0

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.3)  # the poll is parked before the phone answers
    phone(ca, sim, "approve", "--pin", PIN1, sid)
    t.join(30)
    assert got["st"]["result"] == "OK"
    assert got["secs"] < ANSWER_SECS + 2


def test_refused_on_the_phone(ca, sim):
    r, _ = start(ca, "authentication")
    sid = r.json()["sessionID"]
    requests_of(ca, sim)
    phone(ca, sim, "refuse", sid)
    assert status(ca, sid)["result"] == "USER_CANCELLED"
    assert "mobile.user_cancelled" in audit_actions(ca, sid)
    # an answer after the end is a conflict
    r = phone(ca, sim, "refuse", sid, check=False)
    assert r.returncode == 1


@pytest.mark.parametrize("number,fin", [("+994551112233", FIN), (PHONE, "7ZZZZZZ")])
def test_no_mobile_signature_for_the_number_and_fin(ca, sim, number, fin):
    r, _ = start(ca, "authentication", number=number, fin=fin)
    assert r.status == 200, r.text
    sid = r.json()["sessionID"]
    st = status(ca, sid)
    assert st == {"state": "COMPLETE", "result": "NOT_MID_CLIENT"}
    assert audit_actions(ca, sid) == ["mobile.not_mid_client"]
    r = mid(ca, "POST", "/certificate", {"relyingPartyName": "Pəncərə", "phoneNumber": number,
                                         "nationalIdentityNumber": fin})
    assert r.json() == {"result": "NOT_FOUND"}


def test_phone_absent_and_timeout(ca, sim):
    absent, _ = start(ca, "authentication")
    absent = absent.json()["sessionID"]
    # fetched but never answered: TIMEOUT; never fetched: PHONE_ABSENT
    seen, _ = start(ca, "authentication")
    seen = seen.json()["sessionID"]
    ids = [q[0] for q in requests_of(ca, sim)]
    assert absent in ids and seen in ids  # both fetched now …
    absent2, _ = start(ca, "authentication")
    absent2 = absent2.json()["sessionID"]
    st = status(ca, seen, wait_ms=(ANSWER_SECS + 3) * 1000)
    assert st["result"] == "TIMEOUT"
    st = status(ca, absent2, wait_ms=(ANSWER_SECS + 3) * 1000)
    assert st["result"] == "PHONE_ABSENT"
    assert "mobile.phone_absent" in audit_actions(ca, absent2)
    r = phone(ca, sim, "approve", "--pin", PIN1, seen, check=False)
    assert r.returncode == 1  # no longer waiting


def test_wrong_pin_until_it_blocks_then_the_puk(ca, tmp_path):
    number = "+994701112233"
    sim, _ = new_sim(ca, tmp_path, number, fin="3PQ8R2T")
    r, _ = start(ca, "authentication", number=number, fin="3PQ8R2T")
    sid = r.json()["sessionID"]
    requests_of(ca, sim)
    for left in (2, 1):
        r = phone(ca, sim, "approve", "--pin", "0000", sid, check=False)
        assert r.returncode == 1 and "%d tries left" % left in r.stderr
    r = phone(ca, sim, "approve", "--pin", "0000", sid, check=False)
    assert r.returncode == 1 and "blocked" in r.stderr
    assert status(ca, sid)["result"] == "SIM_ERROR"
    assert "mobile.sim_error" in audit_actions(ca, sid)
    # even the right PIN is refused now, until the PUK sets a new one
    r2, _ = start(ca, "authentication", number=number, fin="3PQ8R2T")
    sid2 = r2.json()["sessionID"]
    r = phone(ca, sim, "approve", "--pin", PIN1, sid2, check=False)
    assert r.returncode == 1 and "blocked" in r.stderr
    r = phone(ca, sim, "unblock", "--key", "auth", "--puk", "11111111", "--pin", "4321", check=False)
    assert r.returncode == 1 and "9 tries left" in r.stderr
    phone(ca, sim, "unblock", "--key", "auth", "--puk", PUK, "--pin", "4321")
    r3, _ = start(ca, "authentication", number=number, fin="3PQ8R2T")
    sid3 = r3.json()["sessionID"]
    assert phone(ca, sim, "approve", "--pin", "4321", sid3).stdout.strip() == "OK"


def sim_call(ca, sim, method, target, body=None):
    """A request signed with the SIM's channel key, as the phone signs it."""
    data = b"" if body is None else json.dumps(body).encode()
    ts = int(time.time())
    msg = "PCSIM1\n%s\n%s\n%d\n%s" % (method, target, ts, hashlib.sha256(data).hexdigest())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", os.path.join(sim, "channel.pem")],
                         input=msg.encode(), capture_output=True, check=True).stdout
    number = json.load(open(os.path.join(sim, "sim.json")))["phone"]
    hdrs = {"Authorization": "PC-SIM-P256 phone=%s, ts=%d, sig=%s" % (number, ts, b64(sig)),
            "Content-Type": "application/json"}
    return request(ca.port, method, target, headers=hdrs, body=data if body is not None else None)


def test_signature_over_another_hash_is_a_mismatch(ca, sim, tmp_path):
    r, _ = start(ca, "authentication")
    sid = r.json()["sessionID"]
    requests_of(ca, sim)
    with open(tmp_path / "other", "wb") as f:
        f.write(os.urandom(32))
    sig = openssl("pkeyutl", "-sign", "-inkey", os.path.join(sim, "auth.pem"), "-in", str(tmp_path / "other")).stdout
    r = sim_call(ca, sim, "POST", "/mid/sim/v1/requests/" + sid, {"answer": "signature", "signature": b64(sig)})
    assert r.status == 200 and r.json()["result"] == "SIGNATURE_HASH_MISMATCH"
    assert status(ca, sid)["result"] == "SIGNATURE_HASH_MISMATCH"
    assert "mobile.signature_hash_mismatch" in audit_actions(ca, sid)


def test_phone_requests_must_be_signed_by_the_bound_sim(ca, sim, tmp_path):
    r = request(ca.port, "GET", "/mid/sim/v1/requests")
    assert r.status == 401 and r.header("WWW-Authenticate") == "PC-SIM-P256"
    # a SIM never enrolled signs for the number: refused
    other = os.path.join(str(tmp_path), "rogue")
    phone(ca, other, "init", "--phone", PHONE, "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK)
    r = phone(ca, other, "requests", check=False)
    assert r.returncode == 1 and "not signed by the SIM" in r.stderr
    # relying-party paths want the RA client's signature
    r = request(ca.port, "POST", "/mid/v1/authentication", body=b"{}")
    assert r.status == 401


def test_too_many_requests_for_one_phone(ca, tmp_path):
    number = "+994771234567"
    new_sim(ca, tmp_path, number, fin="8HJ4K2L")
    for _ in range(3):
        r, _ = start(ca, "authentication", number=number, fin="8HJ4K2L")
        assert r.status == 200
    r, _ = start(ca, "authentication", number=number, fin="8HJ4K2L")
    assert r.status == 429, r.text


@pytest.mark.once
@pytest.mark.parametrize("body,status_", [
    ({"relyingPartyName": "x", "phoneNumber": "050 123 45 67", "nationalIdentityNumber": FIN,
      "hashType": "SHA256", "hash": b64(b"\0" * 32)}, 400),
    ({"relyingPartyName": "x", "phoneNumber": PHONE, "nationalIdentityNumber": FIN, "hashType": "SHA256",
      "hash": b64(b"\0" * 31)}, 400),
    ({"relyingPartyName": "x" * 41, "phoneNumber": PHONE, "nationalIdentityNumber": FIN, "hashType": "SHA256",
      "hash": b64(b"\0" * 32)}, 400),
    ({"relyingPartyName": "x", "phoneNumber": PHONE, "nationalIdentityNumber": FIN, "hashType": "MD5",
      "hash": b64(b"\0" * 16)}, 400),
])
def test_bad_session_requests(ca, sim, body, status_):
    r = mid(ca, "POST", "/authentication", body)
    assert r.status == status_, r.text


def test_qr_login_scan_approve_and_replay(ca, sim, schemas):
    digest = os.urandom(32)
    r = mid(ca, "POST", "/qr", {"relyingPartyName": "Pəncərə portal", "hashType": "SHA256", "hash": b64(digest),
                                "clientIp": "203.0.113.9"})
    assert r.status == 200, r.text
    j = r.json()
    schemas.validate_ref(j, "MidSession")
    sid, text = j["sessionID"], j["qrText"]
    assert text == "PCQR1:" + j["qrCode"] and len(j["qrCode"]) == 16
    line = phone(ca, sim, "scan", text).stdout.strip().split("\t")
    assert line[0] == sid and line[1] == "qr" and line[3] == "Pəncərə portal" and line[-1] == "from 203.0.113.9"
    assert phone(ca, sim, "approve", "--pin", PIN1, sid).stdout.strip() == "OK"
    st = status(ca, sid)
    assert st["result"] == "OK" and FIN in openssl("x509", "-noout", "-subject", input=st["cert"].encode()).stdout.decode()
    r = phone(ca, sim, "scan", text, check=False)
    assert r.returncode == 1 and "used" in r.stderr
    assert "mobile.qr_replayed" in audit_actions(ca, sid)


def test_qr_expired_unknown_and_malformed(ca, sim):
    r = mid(ca, "POST", "/qr", {"relyingPartyName": "Pəncərə", "hashType": "SHA256", "hash": b64(os.urandom(32))})
    sid, code = r.json()["sessionID"], r.json()["qrCode"]
    assert status(ca, sid, wait_ms=(ANSWER_SECS + 3) * 1000)["result"] == "TIMEOUT"
    r = phone(ca, sim, "scan", code.lower(), check=False)  # typed from the page, any case
    assert r.returncode == 1 and "expired" in r.stderr
    assert "mobile.qr_expired" in audit_actions(ca, sid)
    r = phone(ca, sim, "scan", "PCQR1:" + "A" * 16, check=False)
    assert r.returncode == 1 and "no such QR code" in r.stderr
    r = phone(ca, sim, "scan", "https://evil.example/", check=False)
    assert r.returncode == 1 and "not a QR code" in r.stderr


def test_sessions_of_another_relying_party_are_not_found(ca, sim):
    secret = ca.other_secret
    r, _ = start(ca, "authentication")
    sid = r.json()["sessionID"]
    r = mid(ca, "GET", "/session/" + sid, secret=secret, client="other-rp")
    assert r.status == 404
    assert mid(ca, "GET", "/session/" + "0" * 32).status == 404


def test_a_holder_may_not_enrol_a_sim(ca, tmp_path):
    sim = os.path.join(str(tmp_path), "self")
    text = phone(ca, sim, "init", "--phone", "+994509998877", "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK).stdout
    r = mid(ca, "POST", "/enrolments", {"phoneNumber": "+994509998877", "nationalIdentityNumber": FIN, "name": NAME,
                                        "sim": text}, actor={"id": "acc-1", "role": "holder", "fin": FIN})
    assert r.status == 403
    # nor take the SIM's profiles through the RA API
    r = ca.api("POST", "/certificates", {"profile": "mobile-auth", "holder": {"fin": FIN, "name": NAME},
                                         "csr": text.split("-----END CERTIFICATE REQUEST-----")[0] +
                                         "-----END CERTIFICATE REQUEST-----\n"},
               actor={"id": "acc-1", "role": "holder", "fin": FIN})
    assert r.status == 403


def test_phone_enrol_from_the_command_line(ca, tmp_path):
    sim = os.path.join(str(tmp_path), "cli")
    phone(ca, sim, "init", "--phone", "+994601234567", "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK)
    r = phone(ca, sim, "enrol", "--client-key", ca.path("clients", "portal.key"), "--trust", ca.chain_file(),
              "--fin", "2AB3CD4", "--name", NAME)
    number, fin, auth, sign = r.stdout.strip().split("\t")
    assert number == "+994601234567" and fin == "2AB3CD4" and auth != sign
    r, _ = start(ca, "authentication", number=number, fin=fin)
    sid = r.json()["sessionID"]
    assert phone(ca, sim, "approve", "--pin", PIN1, sid).stdout.strip() == "OK"
    # a second SIM for the same number replaces the first: its certificates are revoked
    sim2 = os.path.join(str(tmp_path), "cli2")
    phone(ca, sim2, "init", "--phone", "+994601234567", "--pin1", PIN1, "--pin2", PIN2, "--puk", PUK)
    phone(ca, sim2, "enrol", "--client-key", ca.path("clients", "portal.key"), "--trust", ca.chain_file(),
          "--fin", "2AB3CD4", "--name", NAME)
    assert ca.api("GET", "/certificates/" + auth).json()["status"] == "revoked"
    assert phone(ca, sim, "requests", check=False).returncode == 1  # the old SIM is no longer bound


def test_the_phone_long_polls_for_new_requests(ca, tmp_path):
    number, fin = "+994621234567", "4CD5EF6"
    sim, _ = new_sim(ca, tmp_path, number, fin=fin)
    got = {}

    def poll():
        t0 = time.monotonic()
        got["out"] = phone(ca, sim, "requests", "--wait", "20000").stdout
        got["secs"] = time.monotonic() - t0

    t = threading.Thread(target=poll)
    t.start()
    time.sleep(0.5)  # parked: nothing new yet
    r, _ = start(ca, "authentication", number=number, fin=fin)
    sid = r.json()["sessionID"]
    t.join(30)
    assert sid in got["out"] and got["secs"] < 10
    # what the phone has seen does not answer a long poll at once
    t0 = time.monotonic()
    out = phone(ca, sim, "requests", "--wait", "1500").stdout
    assert sid in out and time.monotonic() - t0 >= 1.2


def test_a_certificate_revoked_while_the_request_waits(ca, tmp_path):
    number, fin = "+994631234567", "6EF7GH8"
    sim, binding = new_sim(ca, tmp_path, number, fin=fin)
    r, _ = start(ca, "authentication", number=number, fin=fin)
    sid = r.json()["sessionID"]
    requests_of(ca, sim)
    r = ca.api("POST", "/certificates/%s/revoke" % binding["authSerial"], {"reason": "keyCompromise"},
               actor={"id": "op", "role": "operator"})
    assert r.status == 200, r.text
    r = phone(ca, sim, "approve", "--pin", PIN1, sid, check=False)
    assert r.stdout.strip() == "NOT_MID_CLIENT"
    assert status(ca, sid)["result"] == "NOT_MID_CLIENT"
    assert "mobile.not_mid_client" in audit_actions(ca, sid)
    # and no new session reaches the phone
    r, _ = start(ca, "authentication", number=number, fin=fin)
    assert status(ca, r.json()["sessionID"])["result"] == "NOT_MID_CLIENT"


def test_parked_polls_answer_when_the_service_stops(tmp_path):
    c = CA(str(tmp_path))
    c.start()
    try:
        got = {}

        def poll():
            r = request(c.port, "GET", "/mid/sim/v1/requests")  # unsigned: answered at once, 401
            got["unsigned"] = r.status
            body = {"relyingPartyName": "P", "hashType": "SHA256", "hash": b64(os.urandom(32))}
            sid = mid(c, "POST", "/qr", body).json()["sessionID"]
            t0 = time.monotonic()
            got["st"] = mid(c, "GET", "/session/%s?timeoutMs=30000" % sid)
            got["secs"] = time.monotonic() - t0

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(1.0)  # parked
        c.stop()  # SIGTERM: the parked poll answers now, the CA exits 0 with a clean stderr
        t.join(15)
        assert got["unsigned"] == 401
        assert got["st"].status == 200 and got["st"].json()["state"] == "RUNNING" and got["secs"] < 10
    finally:
        c.close()


@pytest.mark.skipif(syslib.DB_KIND == "sqlite", reason="several nodes share PostgreSQL")
def test_an_answer_on_one_node_wakes_a_poll_on_another(tmp_path):
    a = CA(str(tmp_path))
    b = CA(str(tmp_path / "b"), db=a.db, init=False)
    b.dir, b.secret = a.dir, a.secret
    a.start()
    b.start()
    try:
        number, fin = "+994641234567", "7GH8JK9"
        sim, _ = new_sim(a, tmp_path, number, fin=fin)
        r, _ = start(a, "authentication", number=number, fin=fin)
        sid = r.json()["sessionID"]
        got = {}

        def poll():
            t0 = time.monotonic()
            got["st"] = status(a, sid, wait_ms=20000)
            got["secs"] = time.monotonic() - t0

        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        assert phone(b, sim, "approve", "--pin", PIN1, sid).stdout.strip() == "OK"  # on node b
        t.join(30)
        assert got["st"]["result"] == "OK" and got["secs"] < 5
    finally:
        b.stop()
        a.close()
