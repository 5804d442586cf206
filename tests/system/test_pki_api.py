"""The CA's RA API (/ca/api/v1), as the portal and other systems use it:
requests signed with the client's shared secret, the actor the client
vouches for, issuance from a CSR and as a PKCS#12, a holder's own list,
suspension, resumption, revocation, renewal, statistics by holder
category, verification reports, and every refusal: bad signatures, old
requests, someone else's certificate, bad CSRs and keys, a subject that
names someone else, no proof of possession, unknown serials."""
import base64
import json
import os
import time

import pytest

from syslib import request
from test_pki_support import CA, make_csr, openssl, write

HOLDER = {"id": "acc-1", "role": "holder", "fin": "6FAB789", "ip": "203.0.113.7"}
REGISTRAR = {"id": "acc-reg", "role": "registrar"}


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    c = CA(str(tmp_path_factory.mktemp("ca-api")))
    c.start()
    yield c
    c.close()


def test_openapi_documents_the_ca_paths(spec):
    paths = spec["paths"]
    for p in ("/ca/api/v1/certificates", "/ca/api/v1/certificates/pkcs12", "/ca/api/v1/certificates/{serial}",
              "/ca/api/v1/certificates/{serial}/revoke", "/ca/api/v1/verify", "/ca/api/v1/statistics",
              "/ca/ocsp", "/ca/tsa", "/ca/crl", "/ca/chain.pem"):
        assert p in paths, p


def test_holder_applies_online_with_a_csr(ca, tmp_path, schemas):
    key, csr = make_csr(str(tmp_path), "h", "/CN=Nigar Həsənova/serialNumber=6FAB789")
    r = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER)
    assert r.status == 201, r.text
    body = r.json()
    schemas.validate_ref(body, "CaCertificate")
    assert body["status"] == "good" and body["category"] == "citizen" and body["fin"] == "6FAB789"
    pem = write(str(tmp_path / "h.pem"), body["pem"])
    openssl("verify", "-CAfile", ca.root, "-untrusted", ca.issuer, pem)
    # the holder sees it in their own list, newest first
    r = ca.api("GET", "/certificates?fin=6FAB789", actor=HOLDER)
    assert r.status == 200
    schemas.validate_ref(r.json(), "CaCertificateList")
    assert r.json()["certificates"][0]["serial"] == body["serial"]
    r = ca.api("GET", "/certificates/" + body["serial"], actor=HOLDER)
    assert r.status == 200 and r.json()["serial"] == body["serial"]


def test_registrar_issues_a_pkcs12_at_the_desk(ca, tmp_path, schemas):
    r = ca.api("POST", "/certificates/pkcs12", {"profile": "citizen", "holder": {"fin": "7ABC890", "name": "Rəşad Quliyev"},
                                                "password": "desk-password-1", "channel": "desk"}, actor=REGISTRAR)
    assert r.status == 201, r.text
    schemas.validate_ref(r.json(), "CaPkcs12")
    p12 = write(str(tmp_path / "h.p12"), base64.b64decode(r.json()["pkcs12"]))
    out = openssl("pkcs12", "-in", p12, "-passin", "pass:desk-password-1", "-nodes", "-info").stdout.decode()
    assert "PRIVATE KEY" in out and "PNOAZ-7ABC890" in out.replace(" ", "")
    assert "AES-256-CBC" in openssl("pkcs12", "-in", p12, "-passin", "pass:desk-password-1", "-info", "-noout").stderr.decode()
    r = openssl("pkcs12", "-in", p12, "-passin", "pass:wrong-password", "-nodes", check=False)
    assert r.returncode != 0
    r = ca.api("POST", "/certificates/pkcs12", {"profile": "citizen", "holder": {"fin": "7ABC890", "name": "R"},
                                                "password": "short"}, actor=REGISTRAR)
    assert r.status == 400 and "password" in r.json()["detail"]


def test_holder_may_not_touch_someone_elses_certificate(ca, tmp_path):
    key, csr = make_csr(str(tmp_path), "x", "/CN=Other")
    # apply for another FİN
    r = ca.issue(csr, "9ZZZ999", "Other", actor=HOLDER)
    assert r.status == 403, r.text
    r = ca.issue(csr, "9ZZZ999", "Other", actor=REGISTRAR)
    assert r.status == 201
    serial = r.json()["serial"]
    for method, path, body in (("GET", "/certificates/" + serial, None),
                               ("POST", "/certificates/%s/revoke" % serial, {"reason": "keyCompromise"}),
                               ("POST", "/certificates/%s/suspend" % serial, {}),
                               ("GET", "/certificates?fin=9ZZZ999", None)):
        r = ca.api(method, path, body, actor=HOLDER)
        assert r.status == 403, (path, r.text)
        assert r.content_type == "application/problem+json"
    # resuming needs a registrar, even for one's own
    key, csr = make_csr(str(tmp_path), "own", "/CN=Nigar Həsənova")
    own = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER).json()["serial"]
    assert ca.api("POST", "/certificates/%s/suspend" % own, {}, actor=HOLDER).json()["status"] == "suspended"
    assert ca.api("POST", "/certificates/%s/resume" % own, {}, actor=HOLDER).status == 403
    r = ca.api("POST", "/certificates/%s/resume" % own, {}, actor=REGISTRAR)
    assert r.status == 200 and r.json()["status"] == "good"


def test_revoke_with_reason_suspend_resume_renew(ca, tmp_path):
    key, csr = make_csr(str(tmp_path), "r", "/CN=Nigar Həsənova")
    serial = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER).json()["serial"]
    pem = write(str(tmp_path / "r.pem"), ca.api("GET", "/certificates/" + serial, actor=HOLDER).json()["pem"])
    # renewal: a new key, the same subject; the old one stays valid
    key2, csr2 = make_csr(str(tmp_path), "r2", "/CN=NIGAR HESENOVA")
    r = ca.api("POST", "/certificates/%s/renew" % serial, {"csr": open(csr2).read()}, actor=HOLDER)
    assert r.status == 201, r.text
    new = r.json()
    assert new["renewed_from"] == serial and new["serial"] != serial and new["subject"].endswith("C=AZ")
    assert ca.ocsp(pem)[0] == "good"
    r = ca.api("POST", "/certificates/%s/revoke" % serial, {"reason": "keyCompromise"}, actor=HOLDER)
    assert r.status == 200 and r.json()["status"] == "revoked" and r.json()["reason"] == "keyCompromise"
    assert ca.ocsp(pem)[0] == "revoked"                    # the same node: at once
    assert ca.api("POST", "/certificates/%s/revoke" % serial, {}, actor=HOLDER).status == 409
    assert ca.api("POST", "/certificates/%s/renew" % serial, {"csr": open(csr2).read()}, actor=HOLDER).status == 409
    r = ca.api("POST", "/certificates/%s/revoke" % new["serial"], {"reason": "certificateHold"}, actor=HOLDER)
    assert r.status == 400
    r = ca.api("POST", "/certificates/%s/revoke" % new["serial"], {"reason": "bogus"}, actor=HOLDER)
    assert r.status == 400


@pytest.mark.parametrize("serial", ["0123456789ABCDEF", "zz", "1" * 41])
def test_unknown_or_bad_serials(ca, serial):
    r = ca.api("GET", "/certificates/" + serial, actor=REGISTRAR)
    assert r.status == (404 if serial.startswith("01") else 400), r.text
    r = ca.api("POST", "/certificates/%s/revoke" % serial, {}, actor=REGISTRAR)
    assert r.status == (404 if serial.startswith("01") else 400), r.text
    r = ca.cli("revoke", "--serial", serial)
    assert r.returncode == 1


def test_statistics_by_holder_category(ca, tmp_path, schemas):
    before = ca.api("GET", "/statistics").json()["categories"]
    key, csr = make_csr(str(tmp_path), "s", "/CN=Firm Rep")
    r = ca.issue(csr, "8BCD901", "Firm Rep", profile="representative", actor=REGISTRAR,
                 extra={"voen": "1234567891", "org": "Firm MMC"})
    assert r.status == 201, r.text
    key, csr = make_csr(str(tmp_path), "o", "/CN=Officer")
    r = ca.issue(csr, "8BCD902", "Officer", profile="officer", actor=REGISTRAR,
                 extra={"agency": "din", "org": "Daxili İşlər Nazirliyi"})
    assert r.status == 201, r.text
    after = ca.api("GET", "/statistics")
    schemas.validate_ref(after.json(), "CaStatistics")
    a = after.json()["categories"]
    assert a["legal"]["issued"] == before["legal"]["issued"] + 1
    assert a["state"]["issued"] == before["state"]["issued"] + 1
    assert a["service"]["issued"] == 0        # the responder's and TSA's are not the RA's


def test_representative_needs_the_vouched_entity(ca, tmp_path):
    key, csr = make_csr(str(tmp_path), "rep", "/CN=Nigar Həsənova")
    holder = dict(HOLDER)
    r = ca.issue(csr, "6FAB789", "Nigar Həsənova", profile="representative", actor=holder,
                 extra={"voen": "1234567892", "org": "Firm"})
    assert r.status == 403
    holder["voen"] = "1234567892"
    r = ca.issue(csr, "6FAB789", "Nigar Həsənova", profile="representative", actor=holder,
                 extra={"voen": "1234567892", "org": "Firm"})
    assert r.status == 201, r.text
    assert r.json()["voen"] == "1234567892" and r.json()["category"] == "legal"


# ---- refusals: bad input ----------------------------------------------------------

def test_csr_whose_subject_names_someone_else(ca, tmp_path):
    for subj in ("/CN=Nigar Həsənova/serialNumber=PNOAZ-1AAA111", "/CN=Somebody Else", "/CN=Nigar/serialNumber=1AAA111"):
        key, csr = make_csr(str(tmp_path), "m", subj)
        r = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER)
        assert r.status == 400 and "does not match the applicant" in r.json()["detail"], (subj, r.text)
    # an attribute the CA does not write is ignored, never copied
    key, csr = make_csr(str(tmp_path), "ok", "/CN=NIGAR HESENOVA/OU=Whatever/emailAddress=x@example.az")
    r = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER)
    assert r.status == 201, r.text
    assert "Whatever" not in r.json()["subject"] and "example.az" not in r.json()["subject"]


@pytest.mark.parametrize("kind,args,msg", [
    ("rsa1024", ("rsa", 1024), "2048, 3072 or 4096"),
    ("p192", ("ec", None, "P-192"), "P-256 or P-384"),
    ("k256", ("ec", None, "secp256k1"), "P-256 or P-384"),
    ("ed25519", ("ed25519", None), "ECDSA (P-256, P-384) or RSA"),
])
def test_wrong_key_types_and_sizes(ca, tmp_path, kind, args, msg):
    if args[0] == "ec":
        key, csr = make_csr(str(tmp_path), kind, "/CN=K", key="ec", curve=args[2])
    else:
        key, csr = make_csr(str(tmp_path), kind, "/CN=K", key=args[0], bits=args[1])
    r = ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER)
    assert r.status == 400 and msg in r.json()["detail"], r.text


def test_csr_without_proof_of_possession(ca, tmp_path):
    key, csr = make_csr(str(tmp_path), "pop", "/CN=Nigar")
    der = bytearray(openssl("req", "-in", csr, "-outform", "DER").stdout)
    der[-5] ^= 0x40                                         # inside the signature
    pem = "-----BEGIN CERTIFICATE REQUEST-----\n%s\n-----END CERTIFICATE REQUEST-----\n" % (
        base64.encodebytes(bytes(der)).decode().strip())
    r = ca.api("POST", "/certificates", {"profile": "citizen", "holder": {"fin": "6FAB789", "name": "Nigar"},
                                         "csr": pem}, actor=HOLDER)
    assert r.status == 400 and "proof of possession" in r.json()["detail"], r.text


@pytest.mark.parametrize("body,msg", [
    ({"profile": "citizen", "holder": {"fin": "6FAB789", "name": "N"}, "csr": "garbage"}, "PKCS#10"),
    ({"profile": "citizen", "holder": {"fin": "6FAB789", "name": "N"}, "csr": "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"}, "PKCS#10"),
    ({"profile": "citizen", "holder": {"fin": "6FAB789", "name": "N"}}, "csr"),
    ({"profile": "nonsense", "holder": {"fin": "6FAB789", "name": "N"}, "csr": "x"}, "unknown profile"),
    ({"profile": "ocsp", "holder": {"fin": "6FAB789", "name": "N"}, "csr": "x"}, "not issued through"),
    ({"profile": "citizen", "holder": {"fin": "6fab789", "name": "N"}, "csr": "x"}, "FİN"),
    ({"profile": "citizen", "holder": "6FAB789", "csr": "x"}, "holder"),
    ({"profile": "citizen", "holder": {"fin": "6FAB789", "name": "N" * 70}, "csr": "x"}, "64 characters"),
    ({"profile": "citizen", "holder": {"fin": "6FAB789", "name": "N\u0001"}, "csr": "x"}, "control"),
])
def test_malformed_requests(ca, body, msg):
    r = ca.api("POST", "/certificates", body, actor=REGISTRAR)
    assert r.status in (400, 403), r.text
    assert msg in r.json()["detail"], r.text
    r = ca.api("POST", "/certificates", b"{not json", actor=HOLDER)
    assert r.status == 400


def test_requests_must_be_signed(ca, tmp_path):
    r = request(ca.port, "GET", "/ca/api/v1/statistics")
    assert r.status == 401 and r.header("WWW-Authenticate") == "PC-HMAC-SHA256"
    other = ca.add_client("other-system")
    assert ca.api("GET", "/statistics", secret=other, client="other-system").status == 401    # not loaded yet
    ca.stop()
    ca.start()                                                 # clients are read at start
    assert ca.api("GET", "/statistics", secret=other, client="other-system").status == 200
    assert ca.api("GET", "/statistics", secret=other, client="portal").status == 401      # wrong key
    assert ca.api("GET", "/statistics", ts=int(time.time()) - 600).status == 401           # too old
    # a header the signature does not cover cannot change who acts
    key, csr = make_csr(str(tmp_path), "t", "/CN=T")
    body = {"profile": "citizen", "holder": {"fin": "9YYY999", "name": "T"}, "csr": open(csr).read()}
    r = ca.api("POST", "/certificates", body, actor=HOLDER, headers={"X-Pencere-Actor-Role": "registrar"})
    assert r.status == 401
    r = ca.api("POST", "/certificates", body, actor={"id": "x", "role": "king"})
    assert r.status == 400


def test_verify_endpoint_reports_for_the_portal(ca, tmp_path, schemas):
    from syslib import run_cli
    key, csr = make_csr(str(tmp_path), "v", "/CN=Nigar Həsənova")
    pem = write(str(tmp_path / "v.pem"), ca.issue(csr, "6FAB789", "Nigar Həsənova", actor=HOLDER).json()["pem"])
    doc = write(str(tmp_path / "v.txt"), "ərizə")
    assert run_cli("sign", "--key", key, "--cert", pem, "--tsa", ca.url("/ca/tsa"), doc).returncode == 0
    sig = open(doc + ".p7s", "rb").read()
    body = {"document": base64.b64encode(open(doc, "rb").read()).decode(), "signature": base64.b64encode(sig).decode()}
    r = ca.api("POST", "/verify", body)
    assert r.status == 200, r.text
    rep = r.json()
    schemas.validate_ref(rep, "CaVerifyReport")
    assert rep["valid"] and rep["verdict"] == "valid"
    assert rep["signer"]["fin"] == "6FAB789" and rep["signer"]["profile"] == "citizen"
    assert rep["timestamp"]["time"] and rep["status"]["source"] == "records" and rep["status"]["status"] == "good"
    assert len(rep["chain"]) == 3
    body["document"] = base64.b64encode(b"altered").decode()
    rep = ca.api("POST", "/verify", body).json()
    assert not rep["valid"] and rep["verdict"] == "bad-signature"
    body["signature"] = base64.b64encode(b"\x30\x03\x02\x01\x01").decode()
    rep = ca.api("POST", "/verify", body).json()
    assert rep["verdict"] == "malformed" and rep["signer"] is None
    assert ca.api("POST", "/verify", {"document": "!!", "signature": "x"}).status == 400


def test_profiles_are_public(ca):
    r = request(ca.port, "GET", "/ca/api/v1/profiles")
    assert r.status == 200
    ids = [p["id"] for p in r.json()["profiles"]]
    assert "citizen" in ids and "single-purpose" in ids and "ocsp" not in ids
    for p in r.json()["profiles"]:
        assert set(p["name"]) == {"az", "en", "ru"} and all(p["name"].values())
