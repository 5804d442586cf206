"""The free single-purpose certificate, obtained and used (issue 10 item
4): a social-assistance applicant logged in with the code-password asks
for it on their certificates page, a registrar issues it at the desk
after the ID-card check (a PKCS#12, the service named in it), and it logs
in for that service's level, signs that service's application and is
refused for another service.  Every refusal of the way there is tested:
no code-password session, someone else's request, a service that offers
no such certificate."""
import base64
import json
import os
import re

import pytest

import syslib
from test_identity import Browser, api_login
from test_pki_support import CA, make_csr, openssl, serial_of, write

SERVICE = "eesmn-vemtas"              # targeted social assistance: offers the certificate
OTHER = "vn-e-declaration"            # the fixture catalogue's other e-signature service
PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A portal that is the centre's RA client (issues) and checks
    certificates against it (logins, signatures); the fixture catalogue
    with a social-assistance service whose form must be signed."""
    work = str(tmp_path_factory.mktemp("single"))
    ca = CA(os.path.join(work, "ca"))
    ca.start()
    catalog = syslib.copy_catalog(syslib.FIXTURE, os.path.join(work, "fx", "catalog"))
    services = syslib.read_jsonl(os.path.join(catalog, "services.jsonl"))
    row = dict([s for s in services if s["id"] == "din-id-card"][0], id=SERVICE, login="e_signature",
               name={"az": "Ünvanlı sosial yardım", "en": "Targeted social assistance", "ru": "Адресная социальная помощь"})
    with open(os.path.join(catalog, "services.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.makedirs(os.path.join(work, "fx", "forms"))
    form = json.load(open(os.path.join(syslib.FIXTURE, "..", "forms", "din-id-card.json")))
    form.update(service=SERVICE, signature="required")
    json.dump(form, open(os.path.join(work, "fx", "forms", SERVICE + ".json"), "w"), ensure_ascii=False)
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(os.path.join(work, "portal"), catalog=catalog, db=db,
                        extra=["--ca-url", ca.url(""), "--ca-key-file", ca.path("clients", "portal.key"),
                               "--ca-chain", ca.chain_file(), "--ocsp-url", ca.url("/ca/ocsp"),
                               "--cert-status-max-age", "0"])
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))  # no account
    srv.ca, srv.work = ca, work
    yield srv
    srv.close()
    ca.close()


def account(env, role, index=0):
    return [a for a in env.accounts if a["role"] == role][index]


def login(env, role, index=0):
    a = account(env, role, index)
    b = Browser(env)
    b.login(a["login"], a["password"])
    return b


def cert_login(env, key, pem):
    """A browser session logged in with a certificate (the pasted answer)."""
    b = Browser(env)
    m = re.search(r"--host ([^ ]+) --challenge ([A-Za-z0-9_-]+)", b.get("/login/certificate").text)
    r = syslib.run_cli("login-sign", "--key", key, "--cert", pem, "--host", m.group(1), "--challenge", m.group(2))
    assert r.returncode == 0, r.stderr
    r = b.post("/login/certificate", {"answer": r.stdout.strip(), "next": "/account"}, from_page="/login/certificate")
    assert r.status == 303, (r.status, r.text[:400])
    return b


def ask(b, service=SERVICE):
    return b.post("/account/certificates/single", {"service": service}, from_page="/account/certificates")


def request_choice(page):
    m = re.search(r'<option value="(single:[0-9a-f]+)">', page)
    return m.group(1) if m else None


def test_asked_online_issued_at_the_desk_logs_in_and_signs_for_its_service_only(env):
    who = account(env, "citizen", 0)
    fin = who["login"]
    me = login(env, "citizen", 0)
    page = me.get("/account/certificates?lang=en")
    assert page.status == 200 and 'action="/account/certificates/single"' in page.text
    r = ask(me)
    assert r.status == 303 and r.header("Location") == "/account/certificates?asked=1#single"
    page = me.get("/account/certificates?lang=en").text
    assert "Waiting for the registration desk" in page and 'action="/account/certificates/single"' not in page
    assert ask(me).status == 303  # asking again is the same request
    # the desk sees it waiting and offers it in the forms
    desk = login(env, "registrar")
    base = "/registrar/persons/%s/certificates" % fin
    seen = desk.get(base + "?lang=en").text
    assert "Waiting requests for a single-purpose certificate" in seen and seen.count("<li>") >= 1
    choice = request_choice(seen)
    assert choice and seen.count(choice) == 2, seen  # one option in each form: asked twice, one request
    fields = {"profile": choice, "password": PASSWORD, "confirm": PASSWORD}
    r = desk.post(base + "/p12", fields, from_page=base)
    assert r.status == 400 and 'id="id_checked-p12-error"' in r.text  # not without the ID-card check
    assert '<option value="%s" selected>' % choice in r.text  # the choice is kept for the second try
    r = desk.post(base + "/p12", dict(fields, id_checked="1"), from_page=base)
    assert r.status == 200 and r.content_type == "application/x-pkcs12", r.text[:500]
    p12 = write(os.path.join(env.work, "single.p12"), r.body)
    key = os.path.join(env.work, "single.key")
    pem = os.path.join(env.work, "single.pem")
    openssl("pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", "pass:" + PASSWORD, "-out", key)
    openssl("pkcs12", "-in", p12, "-clcerts", "-nokeys", "-passin", "pass:" + PASSWORD, "-out", pem)
    text = openssl("x509", "-in", pem, "-noout", "-text").stdout.decode()
    assert "e-service:" + SERVICE in text and "PNOAZ-" + fin in text
    # done: no longer waiting, on either side; the citizen's list has the certificate
    assert request_choice(desk.get(base).text) is None
    mine = me.get("/account/certificates?lang=en").text
    assert "Waiting for the registration desk" not in mine and serial_of(pem).upper() in mine.upper()
    assert "Single-service signature certificate" in mine
    # the same request cannot be issued twice
    r = desk.post(base + "/p12", dict(fields, id_checked="1"), from_page=base)
    assert r.status == 404

    # it logs in with the e-signature level for its service only
    b = cert_login(env, key, pem)
    assert SERVICE in b.get("/account?lang=en").text
    r = b.post("/services/%s/apply" % OTHER, {}, from_page="/account")
    assert r.status == 303 and r.header("Location") == "/login/step-up?service=%s" % OTHER
    step_up = b.get("/login/step-up?service=%s&lang=en" % OTHER).text
    assert "valid only for the service “Targeted social assistance”" in step_up
    r = b.post("/services/%s/apply" % SERVICE, {}, from_page="/services/%s/start" % SERVICE)
    assert r.status == 303 and "/page/" in r.header("Location"), (r.status, r.header("Location"))
    # and signs that service's application
    draft = r.header("Location").rsplit("/page/", 1)[0]
    for name, answers in (("reason", {"reason": "expired"}),
                          ("contact", {"phone": "+994551234567", "birth_date": "1985-01-02"}), ("family", {})):
        url = draft + "/page/" + name
        version = re.search(r'name="_version" value="(\d+)"', b.get(url).text).group(1)
        assert b.post(url, dict(answers, _version=version), from_page=url).status == 303, name
    data = b.get(draft + "/to-sign").body
    path = os.path.join(env.work, "application.json")
    open(path, "wb").write(data)

    def sign_with(k, p):
        r = syslib.run_cli("sign", "--key", k, "--cert", p, path)
        assert r.returncode == 0, r.stderr
        sig = base64.b64encode(open(path + ".p7s", "rb").read()).decode()
        r = b.post(draft + "/sign", {"signature": sig}, from_page=draft + "/check")
        return re.search(r"sign=([a-z-]+)", r.header("Location")).group(1)

    # a single-purpose certificate of another service is refused for this one
    okey, csr = make_csr(env.work, "other-single", "/C=AZ")
    r = env.ca.cli("issue", "--profile", "single-purpose", "--fin", fin, "--name", "x", "--csr", csr,
                   "--service", OTHER)
    assert r.returncode == 0, r.stderr
    assert sign_with(okey, write(os.path.join(env.work, "other-single.pem"), r.stdout)) == "wrong-profile"
    assert sign_with(key, pem) == "ok"
    r = b.post(draft + "/submit", {}, from_page=draft + "/check")
    assert r.status == 303 and "?sent=1" in r.header("Location"), r.header("Location")

    # audited: asked, checked, issued; the desk's look is in the person's access log
    auditor = login(env, "auditor")
    log = auditor.get("/audit").text
    assert "pki.single_requested" in log and "pki.single_issued" in log and "pki.id_card_checked" in log
    assert "Identification for an e-signature certificate" in me.get("/account?lang=en").text


def test_asking_needs_a_code_password_session_and_a_service_that_offers_one(env):
    # no session: the login page
    anon = Browser(env)
    r = anon.post("/account/certificates/single", {"service": SERVICE}, csrf=False)
    assert r.status in (303, 403), r.status
    # a certificate login is not the code-password the documents ask for
    who = account(env, "citizen", 1)
    key, csr = make_csr(env.work, "auth-1", "/C=AZ")
    r = env.ca.cli("issue", "--profile", "citizen-auth", "--fin", who["login"], "--name", "x", "--csr", csr)
    assert r.returncode == 0, r.stderr
    b = cert_login(env, key, write(os.path.join(env.work, "auth-1.pem"), r.stdout))
    r = ask(b)
    assert r.status == 403, (r.status, r.text[:300])
    # a service that offers no single-purpose certificate
    me = login(env, "citizen", 1)
    r = ask(me, OTHER)
    assert r.status == 400, (r.status, r.text[:300])
    assert ask(me, "").status == 400
    assert "Waiting for the registration desk" not in me.get("/account/certificates?lang=en").text


def test_the_desk_cannot_issue_someone_elses_request(env):
    a = account(env, "citizen", 1)
    assert ask(login(env, "citizen", 1)).status == 303
    desk = login(env, "registrar")
    choice = request_choice(desk.get("/registrar/persons/%s/certificates" % a["login"]).text)
    assert choice
    other = "/registrar/persons/%s/certificates" % env.persons[0]["fin"]
    assert request_choice(desk.get(other).text) is None
    r = desk.post(other + "/p12", {"profile": choice, "password": PASSWORD, "confirm": PASSWORD, "id_checked": "1"},
                  from_page=other)
    assert r.status == 404
    key, csr = make_csr(env.work, "csr-other", "/C=AZ")
    r = desk.post(other + "/csr", {"profile": choice, "csr": open(csr).read(), "id_checked": "1"}, from_page=other)
    assert r.status == 404
    # the holder's own request, issued from a CSR at the desk
    mine = "/registrar/persons/%s/certificates" % a["login"]
    r = desk.post(mine + "/csr", {"profile": choice, "csr": open(csr).read(), "id_checked": "1"}, from_page=mine)
    assert r.status == 303 and "?issued=" in r.header("Location"), (r.status, r.text[:400])
    assert request_choice(desk.get(mine).text) is None
    # a citizen cannot issue at the desk
    assert login(env, "citizen", 0).post(mine + "/p12", {"profile": choice, "password": PASSWORD,
                                                         "confirm": PASSWORD, "id_checked": "1"},
                                         from_page="/account").status in (403, 404)
