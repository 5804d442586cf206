"""E-certificates ("arayış", issue 14 item 5) end to end: `pencere ca
serve` with the issuing agencies' seals and a portal as its RA client.
The contract (order by API, verify by code without login, the PDF's
digest), `pencere verify FILE.pdf` on the untouched PDF, on PDFs with one
byte changed inside the signed part and with bytes appended, `openssl cms
-verify` on the signature taken out of the PDF as an independent check,
the PAdES seal as poppler's pdfsig and qpdf see it, what declares the
PDF PDF/A-2b, another
citizen's certificate (404), superseded and revoked states (owner and the
issuing agency's officer), and the pages: order, list, download, the
public verification page with its file check, all without JavaScript."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import uuid

import pytest

import syslib
from test_identity import Browser
from test_pki_support import CA, openssl

AGENCIES = (("din", "Daxili İşlər Nazirliyi"), ("eesmn", "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"),
            ("dsmf", "Dövlət Sosial Müdafiə Fondu"), ("vn", "Vergilər Nazirliyi"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("ecert"))
    ca = CA(os.path.join(work, "centre"))
    for agency, name in AGENCIES:
        r = syslib.run_cli("ca", "add-seal", "--data-dir", ca.dir, "--db", ca.db.url, "--agency", agency,
                           "--name", name, timeout=120)
        assert r.returncode == 0, r.stderr
    ca.start()
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db, extra=["--ca-url", ca.url(""), "--ca-key-file", ca.path("clients", "portal.key")])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.ca = ca
    srv.work = work
    srv.chain = ca.chain_file()
    yield srv
    try:
        srv.close()
    finally:
        ca.close()


def account(srv, role, index=0, agency=None):
    return [a for a in srv.accounts if a["role"] == role and (agency is None or a["agency"] == agency)][index]


def token(srv, role, index=0, agency=None):
    a = account(srv, role, index, agency)
    r = syslib.request(srv.port, "POST", "/api/v1/auth/password", headers={"Content-Type": "application/json"},
                       body=json.dumps({"login": a["login"], "password": a["password"]}).encode())
    assert r.status == 200, r.text
    return r.json()["token"]


def api(srv, method, path, tok=None, body=None):
    h = {"Content-Type": "application/json"}
    if tok:
        h["Authorization"] = "Bearer " + tok
    return syslib.request(srv.port, method, path, headers=h, body=json.dumps(body).encode() if body is not None else None)


def order(srv, tok, kind="address"):
    r = api(srv, "POST", "/api/v1/e-certificates", tok, {"kind": kind})
    assert r.status == 201, (r.status, r.text)
    return r.json()


def pdf_of(srv, tok, cert):
    r = syslib.request(srv.port, "GET", cert["pdf"], headers={"Authorization": "Bearer " + tok})
    assert r.status == 200 and r.header("Content-Type").startswith("application/pdf"), r.status
    return r.body


def split(pdf):
    """The signed bytes and the signature (PAdES: the file but its
    signature's /Contents, and the DER value in it), read independently."""
    r = [int(x) for x in re.search(rb"/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf).groups()]
    assert r[0] == 0 and r[2] + r[3] == len(pdf)
    der = bytes.fromhex(pdf[r[1] + 1:r[2] - 1].decode())
    n = der[1] if der[1] < 0x80 else int.from_bytes(der[2:2 + (der[1] & 0x7F)], "big") + (der[1] & 0x7F)
    return pdf[:r[1]] + pdf[r[2]:], der[:2 + n]


def verify_cli(srv, tmp_path, name, data):
    path = os.path.join(str(tmp_path), name)
    with open(path, "wb") as f:
        f.write(data)
    return syslib.run_cli("verify", path, "--trust", srv.chain)


def test_the_contract(env, schemas):
    tok = token(env, "citizen")
    cert = order(env, tok)
    schemas.validate(cert, schemas.response_schema("/api/v1/e-certificates", "post", "201"))
    assert cert["kind"] == "address" and cert["state"] == "valid" and cert["id"].startswith("EC-")
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}", cert["code"])
    assert cert["verify_url"].endswith("/verify/e-certificate?code=" + cert["code"])
    pdf = pdf_of(env, tok, cert)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf and b"/JavaScript" not in pdf
    # anyone, without logging in, by the code (typed in lower case, without dashes)
    r = api(env, "GET", "/api/v1/e-certificates/verify/" + cert["code"].replace("-", "").lower())
    assert r.status == 200, r.text
    body = r.json()
    schemas.validate(body, schemas.response_schema("/api/v1/e-certificates/verify/{code}", "get", "200"))
    assert body["valid"] is True and body["kind"] == "address" and body["issuer"] == "Daxili İşlər Nazirliyi"
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest() == cert["sha256"]
    assert body["issued_at"] == cert["issued_at"]
    assert api(env, "GET", "/api/v1/e-certificates/verify/ABCD-EFGH-JKMN-PQRS").status == 404
    assert api(env, "GET", "/api/v1/e-certificates/verify/nonsense").status == 404
    # the owner's list and one
    listed = api(env, "GET", "/api/v1/e-certificates", tok).json()["items"]
    assert cert["id"] in [c["id"] for c in listed]
    assert api(env, "GET", "/api/v1/e-certificates/" + cert["id"], tok).json()["code"] == cert["code"]
    # bad orders, no login
    assert api(env, "POST", "/api/v1/e-certificates", tok, {"kind": "criminal-record"}).status == 400
    assert api(env, "POST", "/api/v1/e-certificates", tok, {"kind": "address", "x": 1}).status == 400
    assert api(env, "POST", "/api/v1/e-certificates", None, {"kind": "address"}).status == 401
    # every kind can be issued, each sealed by its agency
    for kind, (agency, name) in zip(("employment", "income", "taxpayer"), AGENCIES[1:]):
        c = order(env, tok, kind)
        assert api(env, "GET", "/api/v1/e-certificates/verify/" + c["code"]).json()["agency"] == agency


def test_pencere_verify_and_openssl_on_the_pdf(env, tmp_path):
    tok = token(env, "citizen")
    cert = order(env, tok, "income")
    pdf = pdf_of(env, tok, cert)
    ok = verify_cli(env, tmp_path, "good.pdf", pdf)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "VALID" in ok.stdout and "dsmf" in ok.stdout.lower() or "Sosial" in ok.stdout
    assert "time-stamp:" in ok.stdout
    signed, sig = split(pdf)
    # one byte changed inside the signed part: the signature does not match
    bad = bytearray(pdf)
    bad[len(signed) // 2] ^= 0x01
    r = verify_cli(env, tmp_path, "inside.pdf", bytes(bad))
    assert r.returncode != 0 and "bad-signature" in r.stdout, r.stdout + r.stderr
    # bytes appended after the sealed file (an incremental update): found as a change after sealing
    r = verify_cli(env, tmp_path, "after.pdf", pdf + b"1 0 obj\n<<>>\nendobj\n%%EOF\n")
    assert r.returncode != 0 and "changed after it was sealed" in r.stdout, r.stdout + r.stderr
    # a PDF with no seal inside
    r = verify_cli(env, tmp_path, "plain.pdf", b"%PDF-1.7\n1 0 obj\n<</Type /Catalog>>\nendobj\n%%EOF\n")
    assert r.returncode != 0 and "no seal" in r.stdout
    # the independent check: OpenSSL on the detached signature over the signed bytes
    doc, p7s = os.path.join(str(tmp_path), "doc.pdf"), os.path.join(str(tmp_path), "doc.p7s")
    open(doc, "wb").write(signed)
    open(p7s, "wb").write(sig)
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", p7s, "-content", doc, "-CAfile", env.chain,
            "-purpose", "any", "-out", os.devnull)


def tool(*args):
    if not shutil.which(args[0]):
        pytest.skip(args[0] + " is not installed (scripts/install-deps.sh --test)")
    return subprocess.run(list(args), capture_output=True, text=True)


@pytest.mark.once
def test_pades_checked_by_pdfsig_and_qpdf(env, tmp_path):
    """The seal is a PAdES signature as independent readers see it:
    poppler's pdfsig finds it valid, covering the whole file, and not
    valid once one signed byte is changed; qpdf finds the file clean."""
    tok = token(env, "citizen")
    cert = order(env, tok, "address")
    pdf = pdf_of(env, tok, cert)
    good = os.path.join(str(tmp_path), "good.pdf")
    open(good, "wb").write(pdf)
    r = tool("qpdf", "--check", good)
    assert r.returncode == 0 and "No syntax or stream encoding errors" in r.stdout, r.stdout + r.stderr
    r = tool("pdfsig", good)
    assert "Signature #1" in r.stdout, r.stdout + r.stderr
    assert "Signature Validation: Signature is Valid." in r.stdout, r.stdout
    assert "Signature Type: ETSI.CAdES.detached" in r.stdout, r.stdout
    assert "Total document signed" in r.stdout, r.stdout
    # one byte changed inside the signed part (in the trailer, then in the text's stream)
    for at in (len(pdf) - 40, len(pdf) // 3):
        bad = bytearray(pdf)
        bad[at] ^= 0x01
        path = os.path.join(str(tmp_path), "bad%d.pdf" % at)
        open(path, "wb").write(bytes(bad))
        r = tool("pdfsig", path)
        assert "Signature Validation: Signature is Valid." not in r.stdout, r.stdout
        r = verify_cli(env, tmp_path, "bad-cli.pdf", bytes(bad))
        assert r.returncode != 0 and "bad-signature" in r.stdout, r.stdout + r.stderr


@pytest.mark.once
def test_pdfa_2b_declared(env):
    """What our PDF/A-2b declaration consists of (no PDF/A validator in
    Debian: docs/ecert.md): the XMP identification, the sRGB OutputIntent,
    the one font embedded, no encryption, no scripts."""
    tok = token(env, "citizen")
    pdf = pdf_of(env, tok, order(env, tok, "taxpayer"))
    xmp = re.search(rb"<\?xpacket begin.*?<\?xpacket end=\"w\"\?>", pdf, re.S).group(0)
    assert b"<pdfaid:part>2</pdfaid:part>" in xmp and b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "Vergi ödəyicisi statusu haqqında arayış".encode() in xmp
    assert b"/OutputIntents [" in pdf and b"/S /GTS_PDFA1" in pdf and b"/DestOutputProfile" in pdf
    assert pdf.count(b"/FontFile2") == 1 and b"/Encrypt" not in pdf and b"/JavaScript" not in pdf
    assert len(pdf) < 60000, len(pdf)


def test_qr_code_leads_to_the_verification_page(env, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("pdftoppm and zbarimg are needed to read the QR code")
    tok = token(env, "citizen")
    cert = order(env, tok, "taxpayer")
    path = os.path.join(str(tmp_path), "c.pdf")
    open(path, "wb").write(pdf_of(env, tok, cert))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", path, os.path.join(str(tmp_path), "page")],
                   check=True, stderr=subprocess.DEVNULL)
    out = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(str(tmp_path), "page.png")], capture_output=True,
                         text=True).stdout.strip()
    assert out == cert["verify_url"]


def test_another_citizens_certificate_is_not_found(env):
    mine = token(env, "citizen", 0)
    other = token(env, "citizen", 1)
    cert = order(env, mine)
    for path in ("/api/v1/e-certificates/" + cert["id"], cert["pdf"]):
        assert api(env, "GET", path, other).status == 404
        assert api(env, "GET", path).status == 401
    assert api(env, "POST", "/api/v1/e-certificates/%s/revoke" % cert["id"], other).status == 404
    assert cert["id"] not in [c["id"] for c in api(env, "GET", "/api/v1/e-certificates", other).json()["items"]]
    # an officer of another agency may not revoke it either
    assert api(env, "POST", "/api/v1/e-certificates/%s/revoke" % cert["id"],
               token(env, "officer", agency="eesmn")).status == 404
    # staff see no e-certificates of their own here
    assert api(env, "GET", "/api/v1/e-certificates", token(env, "operator")).status == 404


def test_superseded_and_revoked(env):
    tok = token(env, "citizen")
    first = order(env, tok, "employment")
    second = order(env, tok, "employment")
    r = api(env, "GET", "/api/v1/e-certificates/verify/" + first["code"]).json()
    assert r["valid"] is False and r["state"] == "superseded" and "changed_at" in r
    assert api(env, "GET", "/api/v1/e-certificates/verify/" + second["code"]).json()["valid"] is True
    # the owner revokes the newest; once
    r = api(env, "POST", "/api/v1/e-certificates/%s/revoke" % second["id"], tok)
    assert r.status == 200 and r.json()["state"] == "revoked"
    assert api(env, "POST", "/api/v1/e-certificates/%s/revoke" % second["id"], tok).status == 409
    r = api(env, "GET", "/api/v1/e-certificates/verify/" + second["code"]).json()
    assert r["valid"] is False and r["state"] == "revoked"
    # the issuing agency's officer revokes an address certificate
    third = order(env, tok, "address")
    r = api(env, "POST", "/api/v1/e-certificates/%s/revoke" % third["id"], token(env, "officer", agency="din"))
    assert r.status == 200 and r.json()["state"] == "revoked"


def test_pages_order_list_download_and_verify(env):
    a = account(env, "citizen", 1)
    b = Browser(env)
    b.login(a["login"], a["password"])
    assert 'href="/account/e-certificates"' in b.get("/account").text
    page = b.get("/account/e-certificates?lang=en")
    assert page.status == 200 and "Certificate of address" in page.text and "<script" not in page.text
    r = b.post("/account/e-certificates", {"kind": "address"})
    assert r.status == 303, (r.status, r.text[:500])
    cid = re.search(r"issued=(EC-[0-9a-f]+)", r.header("Location")).group(1)
    listed = b.get("/account/e-certificates?lang=az&issued=" + cid).text
    assert cid in listed and "Etibarlıdır" in listed
    code = re.search(r'verify/e-certificate\?code=([A-Z0-9-]{19})"', listed).group(1)
    pdf = b.get("/account/e-certificates/%s/pdf" % cid)
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")
    # a stranger on the public page, in each language
    s = Browser(env)
    for lang, word in (("az", "Arayış etibarlıdır"), ("en", "The certificate is valid"),
                       ("ru", "Справка действительна")):
        v = s.get("/verify/e-certificate?code=%s&lang=%s" % (code, lang))
        assert v.status == 200 and word in v.text and hashlib.sha256(pdf.body).hexdigest() in v.text
    assert s.get("/verify/e-certificate?code=0000&lang=en").status == 400
    assert s.get("/verify/e-certificate?code=ABCD-EFGH-JKMN-PQRS&lang=en").status == 404
    assert s.get("/verify/e-certificate").status == 200
    # the file check: the very PDF, and one with a byte changed
    v = s.get("/verify/e-certificate?code=%s&lang=en" % code)
    action = re.search(r'action="(/verify/e-certificate\?code=[^"]+)"', v.text).group(1).replace("&amp;", "&")
    for data, word in ((pdf.body, "The file is this certificate"),
                       (pdf.body[:100] + b"X" + pdf.body[101:], "The file is not this certificate")):
        boundary = uuid.uuid4().hex
        body = (('--%s\r\nContent-Disposition: form-data; name="pdf"; filename="c.pdf"\r\n'
                 'Content-Type: application/pdf\r\n\r\n' % boundary).encode() + data +
                ("\r\n--%s--\r\n" % boundary).encode())
        r = s._keep(syslib.request(env.port, "POST", action + "&lang=en", body=body,
                                   headers=s._headers({"Content-Type": "multipart/form-data; boundary=" + boundary})))
        assert r.status == 200 and word in r.text, (r.status, r.text[:800])
    # the owner revokes it from the list; the page says so to anyone
    r = b.post("/e-certificates/%s/revoke" % cid, {}, from_page="/account/e-certificates")
    assert r.status == 303
    assert "Arayış ləğv edilib" in s.get("/verify/e-certificate?lang=az&code=" + code).text


def test_the_issuing_agencys_officer_revokes_from_the_verification_page(env):
    tok = token(env, "citizen")
    cert = order(env, tok, "address")
    page = "/verify/e-certificate?lang=en&code=" + cert["code"]
    # the owner and an officer of another agency see no revocation for the agency there
    other = Browser(env)
    a = account(env, "officer", agency="eesmn")
    other.login(a["login"], a["password"])
    assert 'action="/e-certificates/%s/revoke"' % cert["id"] not in other.get(page).text
    r = other.post("/e-certificates/%s/revoke" % cert["id"], {}, from_page="/verify/e-certificate")
    assert r.status == 404
    b = Browser(env)
    a = account(env, "officer", agency="din")
    b.login(a["login"], a["password"])
    text = b.get(page).text
    assert 'action="/e-certificates/%s/revoke"' % cert["id"] in text and "Revoke for the issuing agency" in text
    r = b.post("/e-certificates/%s/revoke" % cert["id"], {}, from_page=page)
    assert r.status == 303 and r.header("Location") == "/verify/e-certificate?code=" + cert["code"]
    assert "The certificate has been revoked" in b.get(page).text
    assert api(env, "GET", "/api/v1/e-certificates/verify/" + cert["code"]).json()["state"] == "revoked"
