"""The certification centre in the portal (issue 9, second step), end to
end over HTTP with the real processes: `pencere ca serve` on its own
database and a portal configured as its RA client (--ca-url,
--ca-key-file).  A citizen gets a certificate online (CSR, and a PKCS#12
handed over once), another is issued at the registration desk after the
ID-card check, the holder signs a document with `pencere sign` and a
stranger verifies it on /verify; a decision is sealed with the agency's
key and verifiable by `openssl cms -verify`; nobody else sees or touches
a person's certificates; the audit chain's head is time-stamped and
`pencere admin audit-verify --ca-url` proves it; with the centre down the
portal answers 503 and nothing is half done."""
import base64
import json
import os
import re
import signal
import subprocess
import uuid

import pytest

import syslib
from test_identity import Browser
from test_pki_support import CA, make_csr, openssl, wait_for, write


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("pki-portal"))
    ca = CA(os.path.join(work, "centre"))
    r = syslib.run_cli("ca", "add-seal", "--data-dir", ca.dir, "--db", ca.db.url, "--agency", "din",
                       "--name", "Daxili İşlər Nazirliyi", timeout=120)
    assert r.returncode == 0, r.stderr
    ca.start()
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db, extra=["--ca-url", ca.url(""), "--ca-key-file", ca.path("clients", "portal.key"),
                                            "--audit-stamp-interval", "0.2"])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))
    srv.ca = ca
    srv.work = work
    yield srv
    try:
        srv.close()
    finally:
        ca.close()


def account(srv, role, index=0, agency=None):
    return [a for a in srv.accounts if a["role"] == role and (agency is None or a["agency"] == agency)][index]


def login(srv, role, index=0, agency=None):
    a = account(srv, role, index, agency)
    b = Browser(srv)
    b.login(a["login"], a["password"])
    b.fin = a.get("fin")
    return b


def fin_of(srv, role, index=0):
    """The FİN of a demo account's person (citizens log in with it)."""
    return account(srv, role, index)["login"]


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode()
    for k, (name, data) in files.items():
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
                'Content-Type: application/octet-stream\r\n\r\n' % (boundary, k, name)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def verify_on_portal(srv, doc, sig, lang="en"):
    """A stranger (no login) uploads a document and its signature."""
    b = Browser(srv)
    page = b.get("/verify?lang=" + lang)
    assert page.status == 200
    # a form with files carries its CSRF token in its address
    action = re.search(r'action="(/verify\?csrf=[^"]+)"', page.text).group(1)
    body, ctype = multipart({}, {"document": ("doc.txt", doc), "signature": ("doc.txt.p7s", sig)})
    return b._keep(syslib.request(srv.port, "POST", action + "&lang=" + lang, body=body,
                                  headers=b._headers({"Content-Type": ctype})))


def issue_online(srv, b, tmp_path, name):
    key, csr = make_csr(str(tmp_path), name, subj="/O=whatever")
    r = b.post("/account/certificates/csr", {"profile": "citizen", "csr": open(csr).read()},
               from_page="/account/certificates")
    assert r.status == 303, (r.status, r.text[:800])
    serial = re.search(r"issued=([0-9A-F]+)", r.header("Location")).group(1)
    pem = b.get("/account/certificates/%s" % serial)
    assert pem.status == 200 and pem.body.startswith(b"-----BEGIN CERTIFICATE-----")
    return key, write(os.path.join(str(tmp_path), name + ".pem"), pem.body), serial


def test_citizen_gets_a_certificate_online_signs_and_a_stranger_verifies(env, tmp_path):
    b = login(env, "citizen")
    page = b.get("/account/certificates")
    assert page.status == 200 and 'action="/account/certificates/csr"' in page.text
    assert 'href="/account/certificates"' in b.get("/account").text
    # a CSR naming someone else is refused on the form, nothing issued
    _, csr = make_csr(str(tmp_path), "else", subj="/CN=Someone Else")
    r = b.post("/account/certificates/csr", {"profile": "citizen", "csr": open(csr).read()},
               from_page="/account/certificates")
    assert r.status == 400 and 'id="csr-error"' in r.text
    key, pem, serial = issue_online(env, b, tmp_path, "online")
    listed = b.get("/account/certificates?lang=en").text
    assert serial in listed and "Valid" in listed
    # the certificate names the logged-in person, whatever the CSR said
    subject = openssl("x509", "-in", pem, "-noout", "-subject", "-nameopt", "RFC2253").stdout.decode()
    assert "PNOAZ-" + fin_of(env, "citizen") in subject and "whatever" not in subject
    openssl("verify", "-CAfile", env.ca.root, "-untrusted", env.ca.issuer, pem)
    # the holder signs with pencere sign (CAdES-T with our TSA) ...
    doc = write(os.path.join(str(tmp_path), "contract.txt"), "Müqavilə / Contract 42\n")
    r = syslib.run_cli("sign", "--key", key, "--cert", pem, "--tsa", env.ca.url("/ca/tsa"), doc)
    assert r.returncode == 0, r.stderr
    sig = open(doc + ".p7s", "rb").read()
    # ... and anyone checks it on the portal, in every language
    rep = verify_on_portal(env, open(doc, "rb").read(), sig)
    assert rep.status == 200, rep.text[:800]
    assert "The signature is valid" in rep.text and fin_of(env, "citizen") in rep.text
    assert "Time-stamp" in rep.text and "Chain of trust" in rep.text
    assert "İmza etibarlıdır" in verify_on_portal(env, open(doc, "rb").read(), sig, "az").text
    assert "Подпись действительна" in verify_on_portal(env, open(doc, "rb").read(), sig, "ru").text
    # an altered document is reported, not accepted
    bad = verify_on_portal(env, b"Contract 43\n", sig)
    assert bad.status == 200 and "The signature is not valid" in bad.text
    # one file missing: the form again with the error, 400
    action = re.search(r'action="(/verify\?csrf=[^"]+)"', b.get("/verify").text).group(1)
    body, ctype = multipart({}, {"document": ("d", b"x")})
    r = b._keep(syslib.request(env.port, "POST", action, body=body, headers=b._headers({"Content-Type": ctype})))
    assert r.status == 400 and 'id="document-error"' in r.text


def test_pkcs12_made_for_the_holder_is_handed_over_once(env, tmp_path):
    b = login(env, "citizen", 1)
    r = b.post("/account/certificates/p12", {"profile": "citizen-auth", "password": "short", "confirm": "short"},
               from_page="/account/certificates")
    assert r.status == 400 and 'href="#password"' in r.text
    r = b.post("/account/certificates/p12", {"profile": "citizen-auth", "password": "correct horse 1",
                                             "confirm": "correct horse 2"}, from_page="/account/certificates")
    assert r.status == 400 and 'href="#confirm"' in r.text
    r = b.post("/account/certificates/p12", {"profile": "citizen-auth", "password": "correct horse 1",
                                             "confirm": "correct horse 1"}, from_page="/account/certificates")
    assert r.status == 200 and r.content_type == "application/x-pkcs12", r.text[:500]
    p12 = write(os.path.join(str(tmp_path), "mine.p12"), r.body)
    out = openssl("pkcs12", "-in", p12, "-nokeys", "-passin", "pass:correct horse 1").stdout.decode()
    assert "PNOAZ-" + fin_of(env, "citizen", 1) in out
    # a profile that is not a person's own is refused
    r = b.post("/account/certificates/p12", {"profile": "officer", "password": "correct horse 1",
                                             "confirm": "correct horse 1"}, from_page="/account/certificates")
    assert r.status == 400


def test_holder_suspends_and_revokes_only_their_own(env, tmp_path):
    owner = login(env, "citizen")
    _, pem, serial = issue_online(env, owner, tmp_path, "own")
    base = "/account/certificates/" + serial
    # nobody else acts on it or downloads it: another citizen, an officer, a stranger
    other = login(env, "citizen", 1)
    assert other.post(base + "/revoke", {"reason": "keyCompromise"}, from_page="/account/certificates").status == 404
    assert other.get(base).status == 404
    officer = login(env, "officer", agency="din")
    assert officer.get("/account/certificates").status in (403, 404)
    assert officer.get(base).status in (403, 404)
    anon = Browser(env)
    assert anon.get("/account/certificates").status == 303
    assert owner.post(base + "/suspend", {}, from_page="/account/certificates").status == 303
    assert env.ca.ocsp(pem)[0] == "revoked"                 # certificateHold
    assert "Suspended" in owner.get("/account/certificates?lang=en").text
    # lifting a suspension is the desk's, not the holder's
    assert owner.post(base + "/resume", {}, from_page="/account/certificates").status in (404, 405)
    desk = login(env, "registrar")
    fin = fin_of(env, "citizen")
    page = "/registrar/persons/%s/certificates" % fin
    assert "%s/%s/resume" % (page, serial) in desk.get(page).text
    other_page = "/registrar/persons/%s/certificates" % env.persons[1]["fin"]
    assert desk.post("%s/%s/resume" % (other_page, serial), {}, from_page=other_page).status == 404
    assert env.ca.ocsp(pem)[0] == "revoked"
    r = desk.post("%s/%s/resume" % (page, serial), {}, from_page=page)
    assert r.status == 303 and "changed=1" in r.header("Location")
    assert env.ca.ocsp(pem)[0] == "good"
    assert owner.post(base + "/revoke", {"reason": "bogus"}, from_page="/account/certificates").status == 400
    assert owner.post(base + "/revoke", {"reason": "keyCompromise"}, from_page="/account/certificates").status == 303
    status, out = env.ca.ocsp(pem)
    assert status == "revoked" and "keyCompromise" in out
    assert "Revoked" in owner.get("/account/certificates?lang=en").text
    # the centre's audit names the holder's account for each step
    assert env.ca.api("GET", "/certificates/" + serial, actor={"role": "operator", "id": "cli:test"}).status == 200


def test_every_other_role_is_kept_out(env, tmp_path):
    """A citizen's certificate is theirs: every staff role and the other
    citizen get 404/403 for it and for its actions; only a registrar opens
    the desk's page."""
    owner = login(env, "citizen")
    _, _, serial = issue_online(env, owner, tmp_path, "kept")
    fin = fin_of(env, "citizen")
    desk = "/registrar/persons/%s/certificates" % fin
    for role, index in (("citizen", 1), ("representative", 0), ("officer", 0), ("agency_admin", 0),
                        ("operator", 0), ("evaluator", 0), ("auditor", 0)):
        b = login(env, role, index)
        own = b.get("/account/certificates")
        assert serial not in own.text, role
        assert b.get("/account/certificates/" + serial).status in (403, 404), role
        csrf = re.search(r'name="csrf" value="([^"]+)"', b.get("/account").text).group(1)
        for action, fields in (("suspend", {}), ("revoke", {"reason": "keyCompromise"})):
            r = b.post("/account/certificates/%s/%s" % (serial, action), dict(fields, csrf=csrf))
            assert r.status in (403, 404), (role, action, r.status)
        assert b.get(desk).status in (403, 404), role
        assert b.get("%s/%s" % (desk, serial)).status in (403, 404), role
        r = b.post("%s/%s/resume" % (desk, serial), {"csrf": csrf})
        assert r.status in (403, 404), (role, r.status)
    assert "Valid" in owner.get("/account/certificates?lang=en").text      # nothing happened to it


def test_registrar_issues_at_the_desk_after_the_id_card_check(env, tmp_path):
    person = env.persons[0]
    fin = person["fin"]
    desk = login(env, "registrar")
    base = "/registrar/persons/%s/certificates" % fin
    page = desk.get(base)
    assert page.status == 200 and 'name="id_checked"' in page.text and "/registrar/persons/%s/certificates" % fin in \
        desk.get("/registrar/persons/%s" % fin).text
    _, csr = make_csr(str(tmp_path), "desk", subj="/C=AZ")
    r = desk.post(base + "/csr", {"profile": "citizen", "csr": open(csr).read()}, from_page=base)
    assert r.status == 400 and 'id="id_checked-csr-error"' in r.text and 'href="#id_checked-csr"' in r.text
    r = desk.post(base + "/csr", {"profile": "citizen", "csr": open(csr).read(), "id_checked": "1"}, from_page=base)
    assert r.status == 303, r.text[:800]
    serial = re.search(r"issued=([0-9A-F]+)", r.header("Location")).group(1)
    listed = desk.get(base + "?lang=en").text
    assert serial in listed and "/suspend" not in listed      # the holder's actions are the holder's
    pem = desk.get(base + "/" + serial)
    assert pem.status == 200 and b"BEGIN CERTIFICATE" in pem.body
    # a certificate of someone else is not served under this person's page
    other = env.persons[1]["fin"]
    assert desk.get("/registrar/persons/%s/certificates/%s" % (other, serial)).status == 404
    # nobody but a registrar issues here
    for role in ("citizen", "operator"):
        assert login(env, role).get(base).status in (403, 404)
    assert login(env, "officer", agency="din").post(base + "/csr", {"profile": "citizen", "csr": open(csr).read(),
                                                                    "id_checked": "1"},
                                                    from_page="/office").status in (403, 404)
    # the check is in the portal's audit log under the registrar's name
    auditor = login(env, "auditor")
    assert "pki.id_card_checked" in auditor.get("/audit").text


def api(srv, method, path, body=None, token=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    r = syslib.request(srv.port, method, path, headers=h, body=json.dumps(body).encode() if body is not None else None)
    return r.status, (r.json() if r.body and r.content_type.startswith("application/") and "json" in r.content_type
                      else {})


def api_token(srv, role, agency=None, index=0):
    a = account(srv, role, index, agency)
    st, body = api(srv, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})
    assert st == 200, body
    return body["token"]


GOOD = {"reason": "lost", "police_report": "PR-2026-1", "phone": "+994501234567", "birth_date": "1990-05-17",
        "children": 2, "members": [{"fin": "5ABC12D", "name": "Əli Məmmədov"}]}


def case_in_review(srv, citizen, officer):
    h = {"Content-Type": "application/json", "Authorization": "Bearer " + citizen,
         "Idempotency-Key": uuid.uuid4().hex}
    r = syslib.request(srv.port, "POST", "/api/v1/applications", headers=h,
                       body=json.dumps({"service": "din-id-card", "answers": GOOD}).encode())
    assert r.status == 201, r.text
    a = r.json()
    for step in ("register", "start_review"):
        st, a = api(srv, "POST", "/api/v1/applications/%s/actions" % a["reference"],
                    {"action": step, "version": a["version"]}, officer)
        assert st == 200, a
    return a


def test_a_decision_is_sealed_with_the_agencys_key_and_verifiable(env, tmp_path):
    citizen, officer = api_token(env, "citizen"), api_token(env, "officer", "din")
    a = case_in_review(env, citizen, officer)
    ref = a["reference"]
    st, a = api(env, "POST", "/api/v1/applications/%s/actions" % ref,
                {"action": "approve", "version": a["version"], "note": "Sənədlər qaydasındadır."}, officer)
    assert st == 200 and a["status"] == "approved", a
    b = login(env, "citizen")
    page = b.get("/applications/%s/result?lang=en" % ref)
    assert page.status == 200 and "sealed with the agency" in page.text and 'href="/verify"' in page.text
    doc = b.get("/applications/%s/result/document" % ref)
    sig = b.get("/applications/%s/result/signature" % ref)
    assert doc.status == 200 and sig.status == 200 and sig.content_type == "application/pkcs7-signature"
    assert ref.encode() in doc.body and "Sənədlər qaydasındadır.".encode() in doc.body
    d = write(os.path.join(str(tmp_path), "decision.txt"), doc.body)
    s = write(os.path.join(str(tmp_path), "decision.txt.p7s"), sig.body)
    chain = env.ca.chain_file()
    # OpenSSL, the independent client, accepts it; so does pencere verify
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", s, "-content", d, "-CAfile", chain,
            "-purpose", "any", "-out", os.devnull)
    r = syslib.run_cli("verify", "--trust", chain, d, s)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = verify_on_portal(env, doc.body, sig.body)
    assert "The signature is valid" in rep.text and "Daxili İşlər Nazirliyi" in rep.text
    # someone else's decision is not theirs to download
    other = login(env, "citizen", 1)
    assert other.get("/applications/%s/result/signature" % ref).status == 404
    # the agency's officer sees it sealed on the case and downloads the same pair; another agency's does not
    off = login(env, "officer", agency="din")
    assert "/office/cases/%s/decision/signature" % ref in off.get("/office/cases/%s?lang=en" % ref).text
    assert off.get("/office/cases/%s/decision/signature" % ref).body == sig.body
    assert off.get("/office/cases/%s/decision/document" % ref).body == doc.body
    assert off.get("/office/cases/%s/decision/other" % ref).status == 404
    assert login(env, "officer", agency="eesmn").get("/office/cases/%s/decision/signature" % ref).status == 404


def appeal_outcome(env, citizen, officer, reviewer, step, reason):
    """A case refused by officer.din, appealed by the citizen, reviewed by
    the agency's administrator with the given step: the case as it ends."""
    a = case_in_review(env, citizen, officer)
    ref = a["reference"]
    for tok, action, note in ((officer, "refuse", "Sənədlər natamamdır."), (citizen, "appeal", "Sənədlər tamdır."),
                              (reviewer, step, reason)):
        st, a = api(env, "POST", "/api/v1/applications/%s/actions" % ref,
                    {"action": action, "version": a["version"], "note": note}, tok)
        assert st == 200, (action, a)
    return a


def test_the_outcome_of_an_appeal_is_sealed_and_in_the_e_safe(env, tmp_path):
    """vemtas3: upheld or granted, the reviewer's outcome is a document
    sealed with the agency's key (openssl cms -verify), offered on the
    citizen's and the office's case pages and put in the citizen's e-safe."""
    citizen, officer = api_token(env, "citizen"), api_token(env, "officer", "din")
    reviewer = api_token(env, "agency_admin", "din")
    chain = env.ca.chain_file()
    b = login(env, "citizen")
    for step, outcome, state in (("uphold_refusal", "refusal upheld", "refused"),
                                 ("grant_appeal", "appeal granted", "in_review")):
        a = appeal_outcome(env, citizen, officer, reviewer, step, "Şikayətə baxıldı: %s." % step)
        ref = a["reference"]
        assert a["status"] == state, a
        page = b.get("/applications/%s?lang=en" % ref)
        assert 'id="appeal-outcome"' in page.text and "/applications/%s/sealed/appeal-signature" % ref in page.text
        doc = b.get("/applications/%s/sealed/appeal-document" % ref)
        sig = b.get("/applications/%s/sealed/appeal-signature" % ref)
        assert doc.status == 200 and sig.status == 200 and sig.content_type == "application/pkcs7-signature"
        assert b"Decision on the appeal" in doc.body and outcome.encode() in doc.body and ref.encode() in doc.body
        assert ("Şikayətə baxıldı: %s." % step).encode() in doc.body
        d = write(os.path.join(str(tmp_path), "%s-appeal.txt" % step), doc.body)
        s = write(os.path.join(str(tmp_path), "%s-appeal.txt.p7s" % step), sig.body)
        openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", s, "-content", d, "-CAfile", chain,
                "-purpose", "any", "-out", os.devnull)
        # the office sees the same pair; the refusal's own sealed decision stays as it was
        off = login(env, "officer", agency="din")
        assert off.get("/office/cases/%s/decision/appeal-signature" % ref).body == sig.body
        assert b"Decision on the appeal" not in off.get("/office/cases/%s/decision/document" % ref).body
        assert b.get("/applications/%s/sealed/other" % ref).status == 404
        assert login(env, "citizen", 1).get("/applications/%s/sealed/appeal-document" % ref).status == 404
        # in the citizen's e-safe, once
        for _ in range(2):
            st, body = api(env, "GET", "/api/v1/esafe/documents", token=citizen)
            assert st == 200, body
            mine = [x for x in body["items"] if x["source_ref"] == ref + "/appeal"]
            assert len(mine) == 1 and mine[0]["kind"] == "decision", body["items"]
        st, _ = api(env, "GET", "/api/v1/esafe/documents/%s/content" % mine[0]["id"], token=citizen)
        assert st == 200
    # granted: the case is decided again, and the new decision is sealed (the refusal's kept aside)
    st, a = api(env, "POST", "/api/v1/applications/%s/actions" % ref,
                {"action": "approve", "version": a["version"], "note": "Yenidən baxıldı: təsdiq."}, officer)
    assert st == 200 and a["status"] == "approved", a
    doc = b.get("/applications/%s/result/document" % ref)
    sig = b.get("/applications/%s/result/signature" % ref)
    assert "Yenidən baxıldı: təsdiq.".encode() in doc.body and b"approved" in doc.body
    d = write(os.path.join(str(tmp_path), "again.txt"), doc.body)
    s = write(os.path.join(str(tmp_path), "again.txt.p7s"), sig.body)
    openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", s, "-content", d, "-CAfile", chain,
            "-purpose", "any", "-out", os.devnull)


def test_the_seal_api_answers_as_documented(env, schemas):
    body = {"document": base64.b64encode(b"Decision 1\n").decode(), "reference": "AZ-2026-00000009"}
    r = env.ca.api("POST", "/seals/din/sign", body)
    assert r.status == 200, r.text
    schemas.validate(r.json(), schemas.response_schema("/ca/api/v1/seals/{agency}/sign", "post", "200"))
    assert r.json()["certificate"]["profile"] == "agency-seal"
    assert env.ca.api("POST", "/seals/nobody/sign", body).status == 404
    # a person acting through the portal does not seal
    assert env.ca.api("POST", "/seals/din/sign", body, actor={"id": "acc", "role": "holder", "fin": "1ABC2D3"}).status == 403


def test_statistics_by_holder_category(env, schemas):
    st, body = api(env, "GET", "/api/v1/certificates/statistics")
    assert st == 200
    schemas.validate(body, schemas.response_schema("/api/v1/certificates/statistics", "get", "200"))
    assert body["categories"]["state"]["issued"] >= 1          # the agency's seal
    assert body["categories"]["citizen"]["issued"] >= 1


def test_statistics_page_shows_the_centres_figures(env):
    """monitor2: /statistics shows certificates by holder category from the centre."""
    st, body = api(env, "GET", "/api/v1/certificates/statistics")
    assert st == 200
    page = env.get("/statistics?lang=en").text
    assert 'id="certs-not-available"' not in page
    assert re.search(r"<tr><td>State bodies</td><td>%d</td><td>%d</td></tr>" % (
        body["categories"]["state"]["issued"], body["categories"]["state"]["valid"]), page)


def test_audit_head_is_time_stamped_and_audit_verify_proves_it(env):
    assert wait_for(lambda: "time-stamps:" in syslib.run_cli("admin", "audit-verify", "--db", env.db.url).stdout
                    and "not checked" in syslib.run_cli("admin", "audit-verify", "--db", env.db.url).stdout,
                    timeout=15)
    r = syslib.run_cli("admin", "audit-verify", "--db", env.db.url, "--ca-url", env.ca.url(""))
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"the log up to entry \d+ existed unaltered at ", r.stdout), r.stdout
    # OpenSSL, the independent client, accepts a kept token over the entry's hash
    digest, token = query_one("SELECT hash, token FROM audit_stamps ORDER BY seq DESC LIMIT 1", env.db)
    tok = write(os.path.join(env.work, "stamp.tsr"), base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    openssl("ts", "-verify", "-digest", digest, "-in", tok, "-token_in", "-CAfile", env.ca.chain_file())
    # a stamp that no longer matches its entry fails the check, naming it
    first = "(SELECT MIN(seq) FROM audit_stamps)"
    sql("UPDATE audit_stamps SET hash = '%s' WHERE seq = %s" % ("0" * 64, first), env.db)
    try:
        bad = syslib.run_cli("admin", "audit-verify", "--db", env.db.url, "--ca-url", env.ca.url(""))
        assert bad.returncode == 1 and "does NOT match" in bad.stdout, bad.stdout + bad.stderr
    finally:
        sql("UPDATE audit_stamps SET hash = (SELECT hash FROM audit_log WHERE audit_log.seq = audit_stamps.seq) "
            "WHERE seq = %s" % first, env.db)


def query_one(statement, db):
    if db.kind == "sqlite":
        import sqlite3
        with sqlite3.connect(db.url) as c:
            return c.execute(statement).fetchone()
    out = subprocess.run(["psql", db.url, "-At", "-F", "\t", "-c", statement], check=True, capture_output=True,
                         text=True).stdout
    return out.strip().split("\t")


def sql(statement, db):
    if db.kind == "sqlite":
        import sqlite3
        with sqlite3.connect(db.url) as c:
            c.execute(statement)
    else:
        subprocess.run(["psql", db.url, "-q", "-c", statement], check=True, capture_output=True)


def test_with_the_centre_down_the_portal_says_so_and_does_nothing(env, tmp_path):
    citizen, officer = api_token(env, "citizen"), api_token(env, "officer", "din")
    a = case_in_review(env, citizen, officer)
    b = login(env, "citizen")
    form = b.get("/account/certificates")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    env.ca.stop()
    try:
        page = b.get("/account/certificates?lang=en")
        assert page.status == 503 and page.header("Retry-After")
        _, csr = make_csr(str(tmp_path), "down", subj="/C=AZ")
        r = b.post("/account/certificates/csr", {"profile": "citizen", "csr": open(csr).read(), "csrf": csrf})
        assert r.status == 503
        st, body = api(env, "POST", "/api/v1/applications/%s/actions" % a["reference"],
                       {"action": "approve", "version": a["version"], "note": "ok"}, officer)
        assert st == 503, body
        st, now = api(env, "GET", "/api/v1/applications/%s" % a["reference"], token=officer)
        assert st == 200 and now["status"] == "in_review" and now["version"] == a["version"]
        assert api(env, "GET", "/api/v1/certificates/statistics")[0] == 503
    finally:
        env.ca.start()
    st, a = api(env, "POST", "/api/v1/applications/%s/actions" % a["reference"],
                {"action": "approve", "version": a["version"], "note": "ok"}, officer)
    assert st == 200 and a["status"] == "approved"


def test_registrar_looking_at_certificates_is_in_the_persons_access_log(env):
    fin = account(env, "citizen")["login"]
    me = login(env, "citizen")
    before = me.get("/account?lang=en").text.count("<td>Registration-centre operator")
    assert login(env, "registrar").get("/registrar/persons/%s/certificates" % fin).status == 200
    page = me.get("/account?lang=en").text
    assert page.count("<td>Registration-centre operator") == before + 1
    assert "Identification for an e-signature certificate" in page


def test_an_agency_whose_seal_is_revoked_cannot_decide(env):
    """Last of the module: it revokes the agency's seal."""
    citizen, officer = api_token(env, "citizen"), api_token(env, "officer", "din")
    a = case_in_review(env, citizen, officer)
    seal = env.ca.api("POST", "/seals/din/sign", {"document": "eA==", "reference": "x"}).json()["certificate"]
    r = env.ca.api("POST", "/certificates/%s/revoke" % seal["serial"], {"reason": "cessationOfOperation"},
                   actor={"role": "operator", "id": "cli:test"})
    assert r.status == 200, r.text
    st, body = api(env, "POST", "/api/v1/applications/%s/actions" % a["reference"],
                   {"action": "refuse", "version": a["version"], "note": "no"}, officer)
    assert st == 503, body
    st, now = api(env, "GET", "/api/v1/applications/%s" % a["reference"], token=officer)
    assert now["status"] == "in_review" and now["version"] == a["version"]


def test_a_portal_without_a_centre_answers_503(make_server):
    srv = make_server()
    page = Browser(srv).get("/verify")
    assert page.status == 200                                   # the form itself needs no centre
    assert syslib.request(srv.port, "GET", "/api/v1/certificates/statistics").status == 503


@pytest.mark.once
def test_the_demo_runs_the_centre_under_its_own_address(tmp_path):
    """`pencere demo` makes a hierarchy at first start, serves the CA's
    contract paths under its own address, prints them, and the portal is
    its RA client (the agencies' seals are there: state bodies counted)."""
    data = tmp_path / "demo"
    out_path, err_path = tmp_path / "demo.out", tmp_path / "demo.err"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        p = subprocess.Popen([syslib.BIN, "demo", "--listen", "127.0.0.1:0", "--data-dir", str(data),
                              "--catalog", syslib.FIXTURE], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    try:
        text = wait_for(lambda: "Press Ctrl+C" in out_path.read_text() and out_path.read_text(),
                        timeout=syslib.START_TIMEOUT)
        assert text, err_path.read_text()[-2000:]
        ca = re.search(r"Chain:\s+http://127\.0\.0\.1:(\d+)/ca/chain\.pem", text)
        portal = re.search(r"http://127\.0\.0\.1:(\d+)/healthz", text)
        assert ca and portal, text
        ca_port, port = int(ca.group(1)), int(portal.group(1))
        for path in ("/ca/ocsp", "/ca/tsa", "/ca/crl"):
            assert "http://127.0.0.1:%d%s\n" % (ca_port, path) in text, path
        chain = syslib.request(ca_port, "GET", "/ca/chain.pem")
        assert chain.status == 200 and chain.body.count(b"BEGIN CERTIFICATE") == 2
        assert syslib.request(ca_port, "GET", "/ca/crl").status == 200
        stats = syslib.request(port, "GET", "/api/v1/certificates/statistics")
        assert stats.status == 200 and stats.json()["categories"]["state"]["issued"] >= 1
        assert (data / "ca" / "ca.json").exists() and (data / "ca" / "clients" / "portal.key").exists()
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        rc = p.wait(30)
    err = err_path.read_text(errors="replace")
    assert rc == 0, err[-2000:]
    assert not syslib.sanitizer_findings(err), err[-4000:]
