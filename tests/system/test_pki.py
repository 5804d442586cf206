"""The certification centre against OpenSSL's own tools: the hierarchy
(an offline root signing an issuing CA made elsewhere), issuance from the
command line, OCSP (good, revoked, suspended, unknown, nonce, GET,
malformed, another issuer), CRLs, time-stamps, CMS signatures made by
`pencere sign` and checked by `openssl cms -verify` and `pencere verify`."""
import base64
import os
import re
import time
import urllib.parse

import pytest

import syslib
from syslib import request, run_cli
from test_pki_support import CA, PASSPHRASE, make_csr, openssl, serial_of, wait_for, write


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    c = CA(str(tmp_path_factory.mktemp("ca")))
    c.start()
    yield c
    c.close()


def issue_cli(ca, tmp, name, fin, profile="citizen", subj=None, extra=()):
    key, csr = make_csr(tmp, name, subj or "/CN=%s" % name.replace("-", " "))
    r = ca.cli("issue", "--profile", profile, "--fin", fin, "--name", name.replace("-", " "), "--csr", csr, *extra)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("-----BEGIN CERTIFICATE-----")
    pem = write(os.path.join(tmp, name + ".pem"), r.stdout)
    return key, pem


# ---- hierarchy ------------------------------------------------------------

def test_offline_root_signs_an_issuing_ca_made_elsewhere(tmp_path):
    """init-root on one machine, init-issuing on another, sign-ca back on
    the first, install on the second; OpenSSL verifies the chain."""
    env = {"PENCERE_CA_PASSPHRASE": PASSPHRASE}
    root, issuing = str(tmp_path / "root"), str(tmp_path / "issuing")
    r = run_cli("ca", "init-root", "--data-dir", root, "--name", "Test Root", "--org", "Test Centre",
                "--key-type", "rsa3072", env=env)
    assert r.returncode == 0, r.stderr
    r = run_cli("ca", "init-issuing", "--data-dir", issuing, "--name", "Test Issuing", "--org", "Test Centre",
                "--public-url", "http://ca.test", env=env)
    assert r.returncode == 0, r.stderr
    # the root's key is encrypted and not in the issuing CA's directory
    assert "ENCRYPTED PRIVATE KEY" in open(os.path.join(root, "keys", "root.key")).read()
    assert not os.path.exists(os.path.join(issuing, "keys", "root.key"))
    signed = str(tmp_path / "issuing.pem")
    r = run_cli("ca", "sign-ca", "--data-dir", root, "--csr", os.path.join(issuing, "ca.csr"), "--out", signed,
                env=env)
    assert r.returncode == 0, r.stderr
    r = run_cli("ca", "install", "--data-dir", issuing, "--cert", signed, "--root",
                os.path.join(root, "certs", "root.pem"), env=env)
    assert r.returncode == 0, r.stderr
    rootpem = os.path.join(root, "certs", "root.pem")
    openssl("verify", "-CAfile", rootpem, signed)
    for svc in ("ocsp", "tsa"):
        openssl("verify", "-CAfile", rootpem, "-untrusted", signed, os.path.join(issuing, "certs", svc + ".pem"))
    text = openssl("x509", "-in", signed, "-noout", "-text").stdout.decode()
    assert "CA:TRUE, pathlen:0" in text and "Certificate Sign, CRL Sign" in text
    assert "ecdsa-with-SHA256" not in text.split("Signature Algorithm:")[1].split("\n")[0]  # signed by the RSA root
    # the wrong certificate for this key is refused
    r = run_cli("ca", "install", "--data-dir", issuing, "--cert", rootpem, "--root", rootpem, env=env)
    assert r.returncode == 1 and "not the certificate of this CA's key" in r.stderr


def test_init_refuses_a_weak_or_missing_passphrase(tmp_path):
    r = run_cli("ca", "init-root", "--data-dir", str(tmp_path / "r"), "--name", "R",
                env={"PENCERE_CA_PASSPHRASE": "short"})
    assert r.returncode == 1 and "at least 12" in r.stderr
    r = run_cli("ca", "init-root", "--data-dir", str(tmp_path / "r2"), "--name", "R",
                env={"PENCERE_CA_PASSPHRASE": ""})
    assert r.returncode == 1 and "passphrase" in r.stderr
    r = run_cli("ca", "init-root", "--data-dir", str(tmp_path / "r3"), "--name", "R", "--key-type", "p384",
                env={"PENCERE_CA_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 1 and "p256, rsa2048 or rsa3072" in r.stderr


def test_chain_is_served_issuing_ca_first(ca):
    r = request(ca.port, "GET", "/ca/chain.pem")
    assert r.status == 200
    certs = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", r.text, re.S)
    assert len(certs) == 2
    assert certs[0].strip() == open(ca.issuer).read().strip()
    assert certs[1].strip() == open(ca.root).read().strip()
    der = request(ca.port, "GET", "/ca/ca.crt")
    assert der.status == 200 and der.content_type == "application/pkix-cert"


# ---- issuance from the command line ----------------------------------------

def test_issue_cli_prints_a_certificate_openssl_verifies(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Ali-Aliyev", "1ABC234")
    openssl("verify", "-CAfile", ca.root, "-untrusted", ca.issuer, pem)
    text = openssl("x509", "-in", pem, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus").stdout.decode()
    assert "serialNumber=PNOAZ-1ABC234" in text and "CN=Ali Aliyev" in text and "C=AZ" in text
    assert "Non Repudiation" in text and "Digital Signature" not in text      # qualified signature
    assert "qcStatements" in text
    assert "OCSP - URI:%s" % ca.url("/ca/ocsp") in text
    assert "URI:%s" % ca.url("/ca/crl") in text
    # 3 years for people
    nb, na = [openssl("x509", "-in", pem, "-noout", "-" + w).stdout.decode().split("=", 1)[1].strip()
              for w in ("startdate", "enddate")]
    days = (time.mktime(time.strptime(na, "%b %d %H:%M:%S %Y GMT")) -
            time.mktime(time.strptime(nb, "%b %d %H:%M:%S %Y GMT"))) / 86400
    assert 1094 < days < 1096
    # serial: 20 bytes, positive
    assert len(serial_of(pem)) == 40 and int(serial_of(pem)[:2], 16) < 0x80


@pytest.mark.parametrize("profile,extra,expect", [
    ("citizen-auth", (), ["TLS Web Client Authentication", "Digital Signature"]),
    ("representative", ("--voen", "1234567890", "--org", "Example MMC"),
     ["organizationIdentifier=NTRAZ-1234567890", "O=Example MMC", "serialNumber=PNOAZ-2BCD345"]),
    ("officer", ("--agency", "rytn", "--org", "Rəqəmsal İnkişaf Nazirliyi"), ["OU=rytn", "O=Rəqəmsal İnkişaf"]),
    ("single-purpose", ("--service", "social-assistance"), ["e-service:social-assistance"]),
])
def test_profiles_decide_the_subject_and_extensions(ca, tmp_path, profile, extra, expect):
    key, csr = make_csr(str(tmp_path), "p", "/CN=Someone")
    r = ca.cli("issue", "--profile", profile, "--fin", "2BCD345", "--name", "Someone", "--csr", csr, *extra)
    assert r.returncode == 0, r.stderr
    pem = write(str(tmp_path / "p.pem"), r.stdout)
    text = openssl("x509", "-in", pem, "-noout", "-text", "-nameopt", "utf8,sep_comma_plus").stdout.decode()
    for e in expect:
        assert e in text, (e, text)


def test_gateway_certificate_for_a_state_body(ca, tmp_path):
    key, csr = make_csr(str(tmp_path), "gw", "/CN=gw1")
    r = ca.cli("issue", "--profile", "gateway-auth", "--voen", "1400057421", "--org", "Vergilər Nazirliyi",
               "--name", "gw1", "--state-body", "--csr", csr)
    assert r.returncode == 0, r.stderr
    pem = write(str(tmp_path / "gw.pem"), r.stdout)
    text = openssl("x509", "-in", pem, "-noout", "-text").stdout.decode()
    assert "TLS Web Server Authentication" in text and "TLS Web Client Authentication" in text
    r = ca.cli("list", "--voen", "1400057421")
    assert r.returncode == 0 and "gateway-auth" in r.stdout


# ---- OCSP --------------------------------------------------------------------

def test_ocsp_good_revoked_unknown(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Ocsp-Good", "3CDE456")
    assert ca.ocsp(pem)[0] == "good"
    assert ca.ocsp(pem, "-no_nonce")[0] == "good"            # the pre-signed answer
    status, out = ca.ocsp(pem)
    assert "Response verify OK" in out
    key2, pem2 = issue_cli(ca, str(tmp_path), "Ocsp-Revoked", "3CDE457")
    r = ca.cli("revoke", "--serial", serial_of(pem2), "--reason", "keyCompromise")
    assert r.returncode == 0, r.stderr
    status, out = ca.ocsp(pem2, "-no_nonce")
    assert status == "revoked" and "Reason: keyCompromise" in out, out
    assert ca.ocsp(pem2)[0] == "revoked"
    # a serial we never issued
    r = openssl("ocsp", "-issuer", ca.issuer, "-serial", "0x0123456789", "-url", ca.url("/ca/ocsp"),
                "-CAfile", ca.root, check=False)
    out = (r.stdout + r.stderr).decode()
    assert "0x0123456789: unknown" in out and "Response verify OK" in out, out


def test_ocsp_suspension_is_certificate_hold_and_resumes(ca, tmp_path):
    """Changes made by another process (the command line) reach the
    server's cached answers within its epoch check (250 ms)."""
    key, pem = issue_cli(ca, str(tmp_path), "Ocsp-Hold", "3CDE458")
    assert ca.ocsp(pem, "-no_nonce")[0] == "good"             # now cached
    assert ca.cli("suspend", "--serial", serial_of(pem)).returncode == 0
    assert wait_for(lambda: ca.ocsp(pem, "-no_nonce")[0] == "revoked", timeout=2)
    status, out = ca.ocsp(pem, "-no_nonce")
    assert status == "revoked" and "certificateHold" in out, out
    assert ca.cli("resume", "--serial", serial_of(pem)).returncode == 0
    assert wait_for(lambda: ca.ocsp(pem, "-no_nonce")[0] == "good", timeout=2)
    # revoked cannot be resumed or revoked again
    assert ca.cli("revoke", "--serial", serial_of(pem)).returncode == 0
    r = ca.cli("resume", "--serial", serial_of(pem))
    assert r.returncode == 1 and "revoked" in r.stderr


def test_ocsp_nonce_is_echoed(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Ocsp-Nonce", "3CDE459")
    status, out = ca.ocsp(pem, "-resp_text")
    assert status == "good"
    assert "OCSP Nonce" in out and "WARNING: no nonce" not in out, out


def test_ocsp_get_and_post_give_the_same_answer(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Ocsp-Get", "3CDE460")
    req = str(tmp_path / "req.der")
    openssl("ocsp", "-issuer", ca.issuer, "-cert", pem, "-no_nonce", "-reqout", req)
    der = open(req, "rb").read()
    post = request(ca.port, "POST", "/ca/ocsp", headers={"Content-Type": "application/ocsp-request"}, body=der)
    get = request(ca.port, "GET", "/ca/ocsp/" + urllib.parse.quote(base64.b64encode(der).decode(), safe=""))
    assert post.status == 200 and get.status == 200
    # base64 as it is, slashes and all (several in a row are kept too)
    raw = request(ca.port, "GET", "/ca/ocsp/" + base64.b64encode(der).decode())
    assert raw.status == 200 and raw.body == get.body
    bad = request(ca.port, "GET", "/ca/ocsp/" + base64.b64encode(b"\xff\xff\xff" + der).decode().replace("/", "//", 1))
    assert bad.status == 200 and len(bad.body) < 16                 # malformedRequest
    assert post.content_type == "application/ocsp-response"
    assert post.body == get.body                                   # both the pre-signed bytes
    resp = write(str(tmp_path / "resp.der"), get.body)
    out = openssl("ocsp", "-respin", resp, "-issuer", ca.issuer, "-cert", pem, "-CAfile", ca.root,
                  check=False)
    assert b"good" in out.stdout, out


@pytest.mark.parametrize("body", [b"", b"\x30\x03\x02\x01\x00", b"not der at all", b"\x30\x82\xff\xff" + b"A" * 40])
def test_ocsp_malformed_request(ca, tmp_path, body):
    r = request(ca.port, "POST", "/ca/ocsp", body=body)
    assert r.status == 200
    resp = write(str(tmp_path / "m.der"), r.body)
    out = openssl("ocsp", "-respin", resp, "-resp_text", "-noverify", check=False)
    assert b"malformedrequest" in (out.stdout + out.stderr).lower(), out
    g = request(ca.port, "GET", "/ca/ocsp/%%%%zz")
    assert g.status in (200, 400)
    g = request(ca.port, "GET", "/ca/ocsp/" + base64.b64encode(body or b"x").decode().replace("/", "%2F"))
    assert g.status == 200 and len(g.body) < 16
    ca_big = request(ca.port, "POST", "/ca/ocsp", body=b"\x30" * 9000)
    assert ca_big.status == 413


def test_ocsp_for_another_issuer_is_unauthorized(ca, tmp_path):
    r = openssl("ocsp", "-issuer", ca.root, "-cert", ca.issuer, "-url", ca.url("/ca/ocsp"), "-CAfile", ca.root,
                check=False)
    assert b"unauthorized" in r.stdout + r.stderr


# ---- CRL ----------------------------------------------------------------------

def test_crl_lists_revoked_and_suspended(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Crl-Revoked", "4DEF567")
    key2, pem2 = issue_cli(ca, str(tmp_path), "Crl-Held", "4DEF568")
    assert ca.cli("revoke", "--serial", serial_of(pem), "--reason", "superseded").returncode == 0
    assert ca.cli("suspend", "--serial", serial_of(pem2)).returncode == 0
    crl = str(tmp_path / "crl.der")

    def fetched():
        r = request(ca.port, "GET", "/ca/crl")
        write(crl, r.body)
        text = openssl("crl", "-inform", "DER", "-in", crl, "-noout", "-text").stdout.decode()
        return text if serial_of(pem) in text and serial_of(pem2) in text else None

    text = wait_for(fetched, timeout=5)
    assert text, "the CRL did not list both within 5 s"
    assert "Superseded" in text and "Certificate Hold" in text and "X509v3 CRL Number" in text
    chain = ca.chain_file()
    openssl("crl", "-inform", "DER", "-in", crl, "-CAfile", chain, "-noout")           # signature verifies
    r = openssl("verify", "-crl_check", "-CAfile", chain, "-CRLfile", crl, pem, check=False)
    assert r.returncode != 0 and b"certificate revoked" in r.stdout + r.stderr
    assert request(ca.port, "GET", "/ca/crl").content_type == "application/pkix-crl"


# ---- TSA ----------------------------------------------------------------------

def tsa_query(ca, tmp, data=b"document", digest="-sha256"):
    doc = write(os.path.join(tmp, "doc.bin"), data)
    q = os.path.join(tmp, "q.tsq")
    openssl("ts", "-query", "-data", doc, "-cert", digest, "-out", q)
    r = request(ca.port, "POST", "/ca/tsa", headers={"Content-Type": "application/timestamp-query"},
                body=open(q, "rb").read())
    return doc, r


def test_tsa_answers_openssl_ts(ca, tmp_path):
    serials = []
    for i in range(3):
        doc, r = tsa_query(ca, str(tmp_path), b"document %d" % i)
        assert r.status == 200 and r.content_type == "application/timestamp-reply"
        tsr = write(str(tmp_path / "r.tsr"), r.body)
        openssl("ts", "-verify", "-data", doc, "-in", tsr, "-CAfile", ca.root, "-untrusted", ca.issuer)
        text = openssl("ts", "-reply", "-in", tsr, "-text").stdout.decode()
        assert "Status: Granted" in text and "Accuracy: 0x01 seconds" in text
        serials.append(int(re.search(r"Serial number: (0x[0-9A-F]+)", text).group(1), 16))
    assert serials == sorted(serials) and len(set(serials)) == 3


def test_tsa_refuses_sha1_and_garbage(ca, tmp_path):
    doc, r = tsa_query(ca, str(tmp_path), digest="-sha1")
    text = openssl("ts", "-reply", "-in", write(str(tmp_path / "r1.tsr"), r.body), "-text").stdout.decode()
    assert "Status: Rejected" in text and "unrecognized or unsupported algorithm identifier" in text, text
    for body in (b"", b"garbage", b"\x30\x05\x02\x01\x01\x30\x00"):
        r = request(ca.port, "POST", "/ca/tsa", headers={"Content-Type": "application/timestamp-query"}, body=body)
        assert r.status == 200
        text = openssl("ts", "-reply", "-in", write(str(tmp_path / "r2.tsr"), r.body), "-text").stdout.decode()
        assert "Status: Rejected" in text and "bad request format" in text.lower(), text
    assert request(ca.port, "POST", "/ca/tsa", body=b"x" * 5000).status == 413


# ---- signing and verification --------------------------------------------------

def test_sign_with_timestamp_openssl_cms_accepts(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Signer-One", "5EFA678")
    doc = write(str(tmp_path / "decision.txt"), "Qərar: müraciət təmin edildi.\n")
    r = run_cli("sign", "--key", key, "--cert", pem, "--tsa", ca.url("/ca/tsa"), doc)
    assert r.returncode == 0, r.stderr
    sig = doc + ".p7s"
    assert os.path.exists(sig)
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", doc, "-CAfile", ca.chain_file(),
            "-out", os.devnull)
    parsed = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", sig).stdout.decode()
    assert "signingTime" in parsed and "id-smime-aa-signingCertificateV2" in parsed
    assert "id-smime-aa-timeStampToken" in parsed
    r = run_cli("verify", doc, sig, "--trust", ca.chain_file())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "VALID" in r.stdout and "5EFA678" in r.stdout and "time-stamp:" in r.stdout
    assert "good, from the OCSP responder" in r.stdout
    r = run_cli("verify", doc, sig, "--data-dir", ca.dir, "--db", ca.db.url)
    assert r.returncode == 0 and "from the centre's records" in r.stdout, r.stdout + r.stderr


def test_verify_fails_for_altered_document_or_signature(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Signer-Two", "5EFA679")
    doc = write(str(tmp_path / "a.txt"), "original")
    assert run_cli("sign", "--key", key, "--cert", pem, doc).returncode == 0
    sig = doc + ".p7s"
    other = write(str(tmp_path / "b.txt"), "originaL")
    r = run_cli("verify", other, sig, "--trust", ca.chain_file())
    assert r.returncode == 1 and "bad-signature" in r.stdout
    der = bytearray(open(sig, "rb").read())
    der[-10] ^= 0x01
    bad = write(str(tmp_path / "bad.p7s"), bytes(der))
    r = run_cli("verify", doc, bad, "--trust", ca.chain_file())
    assert r.returncode == 1
    r = run_cli("verify", doc, write(str(tmp_path / "junk.p7s"), b"junk"), "--trust", ca.chain_file())
    assert r.returncode == 1 and "malformed" in r.stdout
    # a chain that does not lead to the trusted root
    r = run_cli("verify", doc, sig, "--trust", ca.issuer)
    assert r.returncode == 1


def test_status_at_signing_time(ca, tmp_path):
    """Revoked after a time-stamped signature: still valid.  Suspended
    when it signed: not valid, even once resumed."""
    key, pem = issue_cli(ca, str(tmp_path), "Signer-Three", "5EFA680")
    doc = write(str(tmp_path / "c.txt"), "contract")
    assert run_cli("sign", "--key", key, "--cert", pem, "--tsa", ca.url("/ca/tsa"), doc).returncode == 0
    time.sleep(1.1)
    assert ca.cli("revoke", "--serial", serial_of(pem), "--reason", "cessationOfOperation").returncode == 0
    r = run_cli("verify", doc, doc + ".p7s", "--data-dir", ca.dir, "--db", ca.db.url)
    assert r.returncode == 0, r.stdout
    r = run_cli("verify", doc, doc + ".p7s", "--trust", ca.chain_file())
    assert r.returncode == 0, r.stdout                                      # OCSP: revoked later
    key2, pem2 = issue_cli(ca, str(tmp_path), "Signer-Four", "5EFA681")
    assert ca.cli("suspend", "--serial", serial_of(pem2)).returncode == 0
    time.sleep(1.1)
    doc2 = write(str(tmp_path / "d.txt"), "signed while suspended")
    assert run_cli("sign", "--key", key2, "--cert", pem2, "--tsa", ca.url("/ca/tsa"), doc2).returncode == 0
    time.sleep(1.1)
    assert ca.cli("resume", "--serial", serial_of(pem2)).returncode == 0
    r = run_cli("verify", doc2, doc2 + ".p7s", "--data-dir", ca.dir, "--db", ca.db.url)
    assert r.returncode == 1 and "revoked" in r.stdout and "suspended" in r.stdout, r.stdout


def test_sign_refuses_a_key_of_another_certificate(ca, tmp_path):
    key, pem = issue_cli(ca, str(tmp_path), "Signer-Five", "5EFA682")
    other, _ = make_csr(str(tmp_path), "other")
    doc = write(str(tmp_path / "e.txt"), "x")
    r = run_cli("sign", "--key", other, "--cert", pem, doc)
    assert r.returncode == 1 and "does not belong" in r.stderr
    r = run_cli("sign", "--key", key, "--cert", pem, "--tsa", "http://127.0.0.1:1/ca/tsa", doc)
    assert r.returncode == 1 and not os.path.exists(doc + ".p7s")


@pytest.mark.parametrize("args", [
    ["ca"], ["ca", "frobnicate"], ["ca", "issue", "--bogus"], ["ca", "issue", "--data-dir", "x"],
    ["ca", "revoke", "--data-dir", "x"], ["ca", "revoke", "--data-dir", "x", "--serial", "01", "--reason", "bogus"],
    ["ca", "init-root"], ["ca", "sign-ca", "--data-dir", "x"], ["ca", "serve", "--listen", "nonsense"],
    ["sign"], ["sign", "--key", "k", "--cert", "c"], ["sign", "--key", "k", "--cert", "c", "a", "b"],
    ["verify", "one"], ["verify", "a", "b", "c"], ["verify", "--bogus", "a", "b"],
])
def test_cli_usage_errors(args):
    r = run_cli(*args)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert r.stderr


def test_cli_help():
    r = run_cli("--help")
    for cmd in ("ca", "sign", "verify"):
        assert re.search(r"^\s+%s\s" % cmd, r.stdout, re.M), r.stdout
    r = run_cli("ca", "--help")
    assert r.returncode == 0 and "init-root" in r.stdout and "keyd" not in r.stdout
    for sub in ("init", "issue", "serve", "revoke", "sign-ca"):
        assert run_cli("ca", sub, "--help").returncode == 0
    assert "--tsa" in run_cli("sign", "--help").stdout


def test_cli_errors_name_the_cause(ca, tmp_path):
    r = ca.cli("issue", "--profile", "citizen", "--fin", "1ABC234", "--csr", str(tmp_path / "missing.csr"))
    assert r.returncode == 1 and "missing.csr" in r.stderr
    r = run_cli("ca", "issue", "--data-dir", str(tmp_path / "nothing"), "--fin", "1ABC234", "--csr", "x")
    assert r.returncode == 1 and "not a CA data directory" in r.stderr
    r = run_cli("verify", str(tmp_path / "nope"), str(tmp_path / "nope.p7s"), "--trust", ca.root)
    assert r.returncode == 1 and "cannot open" in r.stderr
