"""Certificate login and login levels, black-box: a certification centre
(`pencere ca serve`) issues certificates, a portal started with
--ca-chain/--ocsp-url checks them, `pencere login-sign` (the desktop
helper) signs its challenges.  The API and the login page; replayed,
foreign-host and signing-only answers; a certificate revoked while its
session is open; a service asking for an e-signature refusing a
code-password session (the step-up page, the API's problem) and taking
the certificate's."""
import base64
import json
import os
import re

import pytest

import syslib
from test_identity import Browser, api_login, bearer
from test_pki_support import CA, make_csr, serial_of, wait_for, write

E_SIGNATURE_SERVICE = "vn-e-declaration"   # the fixture catalogue's "login": "e_signature"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("certlogin"))
    ca = CA(os.path.join(work, "ca"))
    ca.start()
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    # --cert-status-max-age 0: every request asks the centre, so a revocation shows at once
    srv = syslib.Server(os.path.join(work, "portal"), db=db,
                        extra=["--ca-chain", ca.chain_file(), "--ocsp-url", ca.url("/ca/ocsp"),
                               "--cert-status-max-age", "0"])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))  # no account yet
    srv.ca = ca
    srv.work = work
    yield srv
    srv.close()
    ca.close()


def citizen(env, index=0):
    return [a for a in env.accounts if a["role"] == "citizen"][index]


def issue(env, name, fin, profile="citizen-auth", extra=()):
    key, csr = make_csr(env.work, name, "/CN=%s" % name)
    r = env.ca.cli("issue", "--profile", profile, "--fin", fin, "--name", name, "--csr", csr, *extra)
    assert r.returncode == 0, r.stderr
    return key, write(os.path.join(env.work, name + ".pem"), r.stdout)


def challenge(env):
    r = syslib.request(env.port, "POST", "/api/v1/auth/challenge", body=b"")
    assert r.status == 201, (r.status, r.text)
    return r.json()


def answer(key, pem, host, chal):
    r = syslib.run_cli("login-sign", "--key", key, "--cert", pem, "--host", host, "--challenge", chal)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def api_cert_login(env, body):
    return syslib.request(env.port, "POST", "/api/v1/auth/certificate", body=body.encode(),
                          headers={"Content-Type": "application/json"})


def fresh_answer(env, key, pem):
    c = challenge(env)
    return answer(key, pem, c["host"], c["challenge"])


def test_api_login_with_a_certificate_and_its_replay(env, schemas):
    who = citizen(env)
    key, pem = issue(env, "api-login", who["login"])
    c = challenge(env)
    assert c["host"] == "127.0.0.1:%d" % env.port
    assert c["to_sign"] == "PENCERE-LOGIN-1\n%s\n%s" % (c["host"], c["challenge"])
    body = answer(key, pem, c["host"], c["challenge"])
    r = api_cert_login(env, body)
    assert r.status == 200, (r.status, r.text)
    assert r.json()["level"] == "e_signature"
    schemas.validate(r.json(), schemas.response_schema("/api/v1/auth/certificate", "post", "200"))
    me = bearer(env, "/api/v1/me", r.json()["token"])
    assert me.status == 200 and me.json()["fin"] == who["login"]
    # the same answer again: the challenge is spent
    again = api_cert_login(env, body)
    assert again.status == 401 and again.json()["reason"] == "challenge-used", again.text
    assert again.content_type == "application/problem+json"
    schemas.validate(again.json(), schemas.response_schema("/api/v1/auth/certificate", "post", "401",
                                                            "application/problem+json"))


def test_answers_for_another_host_or_from_a_signing_certificate_are_refused(env):
    who = citizen(env)
    key, pem = issue(env, "foreign-host", who["login"])
    c = challenge(env)
    r = api_cert_login(env, answer(key, pem, "evil.example", c["challenge"]))
    assert r.status == 401 and r.json()["reason"] == "wrong-host", r.text
    skey, spem = issue(env, "signing-only", who["login"], profile="citizen")
    r = api_cert_login(env, fresh_answer(env, skey, spem))
    assert r.status == 401 and r.json()["reason"] == "wrong-profile", r.text
    r = api_cert_login(env, '{"challenge": 1}')
    assert r.status == 400 and r.json()["type"].endswith("/bad-body")


def test_a_revoked_certificate_is_refused_and_ends_its_session(env):
    who = citizen(env, 1)
    key, pem = issue(env, "revoked-later", who["login"])
    r = api_cert_login(env, fresh_answer(env, key, pem))
    assert r.status == 200, r.text
    token = r.json()["token"]
    assert bearer(env, "/api/v1/me", token).status == 200
    assert env.ca.cli("revoke", "--serial", serial_of(pem), "--reason", "keyCompromise").returncode == 0
    # the centre's pre-signed answers follow the change within its epoch check
    assert wait_for(lambda: bearer(env, "/api/v1/me", token).status == 401, timeout=3)  # the session ended
    r = api_cert_login(env, fresh_answer(env, key, pem))
    assert r.status == 401 and r.json()["reason"] == "revoked", r.text


def test_login_page_takes_the_pasted_answer_and_the_account_page_shows_it(env):
    """A person with no account yet: the certificate proves who they are,
    as the registration desk does, and the account is made."""
    key, pem = issue(env, "page-login", env.persons[0]["fin"])
    b = Browser(env)
    page = b.get("/login/certificate?lang=en")
    assert page.status == 200 and "pencere login-sign" in page.text
    m = re.search(r"--host ([^ ]+) --challenge ([A-Za-z0-9_-]+)", page.text)
    assert m, page.text
    host, chal = m.group(1), m.group(2)
    bad = b.post("/login/certificate", {"answer": "not json"}, from_page="/login/certificate")
    assert bad.status == 400 and "cannot be read" in bad.text
    r = b.post("/login/certificate", {"answer": answer(key, pem, host, chal), "next": "/account"},
               from_page="/login/certificate")
    assert r.status == 303 and r.header("Location") == "/account", (r.status, r.text[:400])
    acct = b.get("/account?lang=en")
    assert acct.status == 200 and "E-signature certificate" in acct.text and serial_of(pem).upper() in acct.text.upper()


def test_e_signature_service_steps_a_code_password_session_up(env, schemas):
    who = citizen(env, 0)
    b = Browser(env)
    b.login(who["login"], who["password"])
    acct = b.get("/account?lang=en")
    assert "Simplified code-password" in acct.text or "code-password" in acct.text
    r = b.post("/services/%s/apply" % E_SIGNATURE_SERVICE, {}, from_page="/account")
    assert r.status == 303 and r.header("Location") == "/login/step-up?service=%s" % E_SIGNATURE_SERVICE
    page = b.get("/login/step-up?service=%s&lang=en" % E_SIGNATURE_SERVICE)
    assert page.status == 200 and "/login/certificate?next=" in page.text and "e-signature" in page.text
    # the API names the level needed
    tok = api_login(env, who["login"], who["password"]).json()["token"]
    body = json.dumps({"service": E_SIGNATURE_SERVICE, "answers": {}}).encode()
    r = syslib.request(env.port, "POST", "/api/v1/applications", body=body,
                       headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json",
                                "Idempotency-Key": "step-up-test-1"})
    assert r.status == 403 and r.json()["level_needed"] == "e_signature", r.text
    assert r.json()["type"].endswith("/login-level-required")
    schemas.validate(r.json(), schemas.response_schema("/api/v1/applications", "post", "403",
                                                        "application/problem+json"))
    # with the certificate the level is enough: past the level check (this fixture service has no form)
    key, pem = issue(env, "step-up", who["login"])
    ctok = api_cert_login(env, fresh_answer(env, key, pem)).json()["token"]
    r = syslib.request(env.port, "POST", "/api/v1/applications", body=body,
                       headers={"Authorization": "Bearer " + ctok, "Content-Type": "application/json",
                                "Idempotency-Key": "step-up-test-2"})
    assert r.status == 422 and r.json()["type"].endswith("/no-such-form"), r.text


# ---- signed applications ------------------------------------------------------

def signing_portal(work, ca, extra=(), unsigned=()):
    """A started portal whose fixture form din-id-card asks for the
    applicant's signature, with the certification centre ca behind it
    (also used by test_sign_mobile.py and test_api_signing.py); the
    services of `unsigned` take the same form without a signature."""
    catalog = syslib.copy_catalog(syslib.FIXTURE, os.path.join(work, "fx", "catalog"))
    os.makedirs(os.path.join(work, "fx", "forms"))
    form = json.load(open(os.path.join(syslib.FIXTURE, "..", "forms", "din-id-card.json")))
    for service in unsigned:
        json.dump(dict(form, service=service), open(os.path.join(work, "fx", "forms", service + ".json"), "w"),
                  ensure_ascii=False)
    form["signature"] = "required"
    json.dump(form, open(os.path.join(work, "fx", "forms", "din-id-card.json"), "w"), ensure_ascii=False)
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(os.path.join(work, "portal"), catalog=catalog, db=db,
                        extra=["--ca-chain", ca.chain_file(), "--ocsp-url", ca.url("/ca/ocsp"),
                               "--cert-status-max-age", "0", *extra])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.ca, srv.work, srv.chain = ca, work, ca.chain_file()
    return srv


def din_draft(b):
    """The address of a filled din-id-card draft of b's citizen."""
    r = b.post("/services/din-id-card/apply", {}, from_page="/services/din-id-card/start")
    base = r.header("Location").rsplit("/page/", 1)[0]
    for page, fields in (("reason", {"reason": "expired"}),
                         ("contact", {"phone": "+994551234567", "birth_date": "1985-01-02"}), ("family", {})):
        url = base + "/page/" + page
        version = re.search(r'name="_version" value="(\d+)"', b.get(url).text).group(1)
        assert b.post(url, dict(fields, _version=version), from_page=url).status == 303, page
    return base


@pytest.fixture(scope="module")
def signing(tmp_path_factory):
    """A portal whose fixture form din-id-card asks for the applicant's
    signature, with the certification centre behind it."""
    work = str(tmp_path_factory.mktemp("signing"))
    ca = CA(os.path.join(work, "ca"))
    ca.start()
    srv = signing_portal(work, ca)
    yield srv
    srv.close()
    ca.close()


def cms_sign(env, key, pem, data, name):
    path = os.path.join(env.work, name + ".json")
    open(path, "wb").write(data)
    r = syslib.run_cli("sign", "--key", key, "--cert", pem, path)
    assert r.returncode == 0, r.stderr
    return base64.b64encode(open(path + ".p7s", "rb").read()).decode()


def test_a_form_that_asks_for_a_signature_is_signed_then_sent_and_verifies(signing):
    env = signing
    who, other = citizen(env, 0), citizen(env, 1)
    b = Browser(env)
    b.login(who["login"], who["password"])
    base = din_draft(b)
    check = b.get(base + "/check?lang=en")
    assert 'action="%s/sign"' % base in check.text and "needs the application signed" in check.text
    # unsigned: not sent, back to the check page that says why
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    assert r.status == 303 and r.header("Location") == base + "/check?sign=needed#sign"
    data = b.get(base + "/to-sign")
    assert data.status == 200 and data.header("Content-Disposition").startswith("attachment")
    assert json.loads(data.body)["answers"]["reason"] == "expired"

    def sign_with(sig):
        r = b.post(base + "/sign", {"signature": sig}, from_page=base + "/check")
        assert r.status == 303, r.status
        return re.search(r"sign=([a-z-]+)", r.header("Location")).group(1)

    login_key, login_pem = issue(env, "login-only", who["login"])
    assert sign_with(cms_sign(env, login_key, login_pem, data.body, "a")) == "wrong-profile"
    okey, opem = issue(env, "someone-else", other["login"], profile="citizen")
    assert sign_with(cms_sign(env, okey, opem, data.body, "b")) == "not-the-applicant"
    key, pem = issue(env, "signer", who["login"], profile="citizen")
    assert sign_with(cms_sign(env, key, pem, data.body + b" ", "c")) == "bad-signature"
    assert sign_with("not base64 at all!") == "bad-signature"
    assert sign_with(cms_sign(env, key, pem, data.body, "d")) == "ok"
    assert "The application is signed" in b.get(base + "/check?lang=en").text
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    assert r.status == 303 and "?sent=1" in r.header("Location"), r.header("Location")
    ref = re.search(r"(AZ-\d{4}-\d{8})", r.header("Location")).group(1)

    # the officer sees the verified signature and downloads the bundle, which `pencere verify` accepts
    officer = Browser(env)
    off = [a for a in env.accounts if a["role"] == "officer" and a["agency"] == "din"][0]
    officer.login(off["login"], off["password"])
    case = officer.get("/office/cases/%s?lang=en" % ref)
    assert case.status == 200 and "Verified by the portal" in case.text and serial_of(pem) in case.text.upper()
    doc = officer.get("/office/cases/%s/signed/application.json" % ref)
    p7s = officer.get("/office/cases/%s/signed/application.json.p7s" % ref)
    assert doc.status == 200 and p7s.status == 200 and doc.body == data.body
    open(os.path.join(env.work, "bundle.json"), "wb").write(doc.body)
    open(os.path.join(env.work, "bundle.json.p7s"), "wb").write(p7s.body)
    r = syslib.run_cli("verify", "--trust", env.chain, os.path.join(env.work, "bundle.json"),
                       os.path.join(env.work, "bundle.json.p7s"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert officer.get("/office/cases/%s/signed/other.txt" % ref).status == 404
    # the applicant has the same bundle; others see nothing of it
    assert b.get("/applications/%s/signed/application.json.p7s" % ref).body == p7s.body
    stranger = Browser(env)
    stranger.login(other["login"], other["password"])
    assert stranger.get("/applications/%s/signed/application.json" % ref).status == 404
    # signing and each refusal are in the audit log
    auditor = Browser(env)
    aud = [a for a in env.accounts if a["role"] == "auditor"][0]
    auditor.login(aud["login"], aud["password"])
    log = auditor.get("/audit").text
    assert "application.signed" in log and log.count("application.sign_refused") == 3
    # the API cannot send an application that must be signed
    tok = api_login(env, who["login"], who["password"]).json()["token"]
    r = syslib.request(env.port, "POST", "/api/v1/applications",
                       body=json.dumps({"service": "din-id-card", "answers": {"reason": "expired"}}).encode(),
                       headers={"Authorization": "Bearer " + tok, "Content-Type": "application/json",
                                "Idempotency-Key": "signed-api-1"})
    assert r.status == 400 and "signed" in r.json()["detail"], r.text


# ---- TLS client certificates (the portal terminating TLS itself) ---------------

def test_tls_client_certificate_logs_in_at_login_tls(env, tmp_path):
    import http.client
    import ssl
    import subprocess
    import time
    key, pem = str(tmp_path / "tls.key"), str(tmp_path / "tls.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", pem, "-subj", "/CN=127.0.0.1", "-days", "2"], check=True,
                   capture_output=True)
    port = syslib.free_port()
    err = open(str(tmp_path / "stderr.log"), "wb")
    proc = subprocess.Popen([syslib.BIN, "portal", "--listen", "127.0.0.1:%d" % port, "--db", env.db.url,
                             "--files-dir", str(tmp_path / "files"), "--tls-cert", pem, "--tls-key", key,
                             "--ca-chain", env.ca.chain_file(), "--ocsp-url", env.ca.url("/ca/ocsp")],
                            stdout=subprocess.DEVNULL, stderr=err)
    try:
        def get(path, cert=None):
            ctx = ssl.create_default_context(cafile=pem)
            ctx.check_hostname = False
            if cert:
                ctx.load_cert_chain(cert[1], cert[0])
            c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=10)
            try:
                c.request("GET", path)
                r = c.getresponse()
                return r.status, dict(r.getheaders()), r.read().decode()
            finally:
                c.close()

        deadline = time.monotonic() + 20
        while True:
            try:
                assert get("/healthz")[0] == 200
                break
            except (OSError, ssl.SSLError):
                assert time.monotonic() < deadline and proc.poll() is None, open(str(tmp_path / "stderr.log")).read()
                time.sleep(0.1)
        who = citizen(env)
        status, headers, _ = get("/login/tls?next=/account", issue(env, "tls-login", who["login"]))
        assert status == 303 and headers["Location"] == "/account", (status, headers)
        cookie = headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
        # no certificate: the page says so
        status, _, text = get("/login/tls?lang=en")
        assert status == 401 and "presented no certificate" in text
        # a revoked one: refused with the reason
        rkey, rpem = issue(env, "tls-revoked", who["login"])
        assert env.ca.cli("revoke", "--serial", serial_of(rpem)).returncode == 0
        assert wait_for(lambda: get("/login/tls?lang=en", (rkey, rpem))[0] == 401, timeout=3)
        assert "revoked" in get("/login/tls?lang=en", (rkey, rpem))[2]
    finally:
        proc.terminate()
        proc.wait(10)
