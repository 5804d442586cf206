"""Channels into one case flow (issue 17, item 1-3): post-office kiosks
registered by the operator, the kiosk mode with its short session and
its receipt, paper applications registered by a post-office operator or
an officer with the applicant's identity card checked, the channel and
district recorded on every case, and the channel statistics.  The
fixture catalogue gets the social-assistance service (the kiosks' one)
with the fixture form of din-id-card."""
import json
import os
import re
import time

import pytest

import syslib
from test_identity import Browser
from test_applications import PNG, GOOD, call, token, upload

SERVICE = "eesmn-vemtas"              # its agency in the fixture catalogue is din (it has no eesmn)
POSTAL_PASSWORD = "Poct-operatoru-2026"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("kiosk"))
    catalog = syslib.copy_catalog(syslib.FIXTURE, os.path.join(work, "fx", "catalog"))
    services = syslib.read_jsonl(os.path.join(catalog, "services.jsonl"))
    row = dict([s for s in services if s["id"] == "din-id-card"][0], id=SERVICE,
               name={"az": "Ünvanlı sosial yardım", "en": "Targeted social assistance", "ru": "Адресная социальная помощь"})
    with open(os.path.join(catalog, "services.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.makedirs(os.path.join(work, "fx", "forms"))
    form = json.load(open(os.path.join(syslib.FIXTURE, "..", "forms", "din-id-card.json")))
    form.update(service=SERVICE)
    json.dump(form, open(os.path.join(work, "fx", "forms", SERVICE + ".json"), "w"), ensure_ascii=False)
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(os.path.join(work, "portal"), catalog=catalog, db=db)
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))  # no account yet
    srv.tokens = {}
    # a post-office operator (no demo account has the role): made by the
    # operator's command line, its password set with a one-time code
    fin = srv.persons[4]["fin"]
    r = syslib.run_cli("admin", "create-account", "--db", db.url, "--login", "postal.test", "--fin", fin,
                       "--role", "postal_operator")
    assert r.returncode == 0, r.stderr
    code = syslib.run_cli("admin", "issue-code", "--db", db.url, "--login", "postal.test")
    assert code.returncode == 0, code.stderr
    r = Browser(srv).post("/activate", {"login": "postal.test", "code": code.stdout.strip(), "password": POSTAL_PASSWORD,
                                        "confirm": POSTAL_PASSWORD})
    assert r.status == 303, r.text[:300]
    srv.accounts.append({"role": "postal_operator", "login": "postal.test", "password": POSTAL_PASSWORD,
                         "agency": None, "fin": fin})
    yield srv
    srv.close()


def account(env, role, agency=None, index=0):
    return [a for a in env.accounts if a["role"] == role and (agency is None or a["agency"] == agency)][index]


def login(env, role, agency=None, index=0, b=None):
    a = account(env, role, agency, index)
    b = b or Browser(env)
    b.login(a["login"], a["password"])
    return b


def register_kiosk(env, district, idle=60, post_office="Bakı AZ1000"):
    """The operator registers a device: the browser it does it in becomes the kiosk."""
    device = login(env, "operator")
    r = device.post("/operator/kiosks", {"post_office": post_office, "district": district, "idle_secs": str(idle)})
    assert r.status == 303 and r.header("Location") == "/operator/kiosks?registered=1", (r.status, r.text[:300])
    assert "pc_kiosk" in device.cookies
    kiosk = Browser(env)
    kiosk.cookies["pc_kiosk"] = device.cookies["pc_kiosk"]
    return kiosk


def page_post(b, url, fields):
    page = b.get(url)
    m = re.search(r'name="_version" value="(\d+)"', page.text)
    assert m, (url, page.status, page.text[:300])
    return b.post(url, dict(fields, _version=m.group(1)), from_page=url)


def apply_at(b):
    """Fill the service's form page by page and send it; the answer to the send."""
    start = b.get("/kiosk")
    assert 'action="/services/%s/apply"' % SERVICE in start.text, start.text[:2000]
    r = b.post("/services/%s/apply" % SERVICE, {}, from_page="/kiosk")
    assert r.status == 303, (r.status, r.text[:300])
    base = r.header("Location").rsplit("/page/", 1)[0]
    page_post(b, base + "/page/reason", {"reason": "expired"})
    page_post(b, base + "/page/contact", {"phone": "+994501112233", "birth_date": "1990-12-31", "children": "1"})
    page_post(b, base + "/page/family", {})
    return b.post(base + "/submit", {}, from_page=base + "/check")


def test_a_device_that_is_not_a_registered_kiosk_is_refused(env):
    r = Browser(env).get("/kiosk?lang=en")
    assert r.status == 403 and "not a registered kiosk" in r.text
    b = Browser(env)
    b.cookies["pc_kiosk"] = "A" * 43
    assert b.get("/kiosk").status == 403
    # nobody but the operator registers kiosks
    citizen = login(env, "citizen")
    assert citizen.get("/operator/kiosks").status == 403
    r = citizen.post("/operator/kiosks", {"post_office": "x", "district": "y", "idle_secs": "60"},
                     from_page="/applications")
    assert r.status == 403 and "pc_kiosk" not in citizen.cookies


def test_operator_checks_what_a_kiosk_is_given(env):
    op = login(env, "operator")
    for fields, field in [({"post_office": "", "district": "Yasamal", "idle_secs": "60"}, "post_office"),
                          ({"post_office": "AZ1001", "district": "x" * 101, "idle_secs": "60"}, "district"),
                          ({"post_office": "AZ1001", "district": "Yasamal", "idle_secs": "2"}, "idle_secs"),
                          ({"post_office": "AZ1001", "district": "Yasamal", "idle_secs": "abc"}, "idle_secs")]:
        r = op.post("/operator/kiosks", fields)
        assert r.status == 400 and 'href="#%s"' % field in r.text, (fields, r.status)
    assert "pc_kiosk" not in op.cookies


def test_kiosk_application_records_channel_and_district_and_prints_a_receipt(env):
    kiosk = register_kiosk(env, "Nəsimi")
    start = kiosk.get("/kiosk?lang=en")
    assert start.status == 200 and 'class="kiosk"' in start.text and "Nəsimi" in start.text
    # the screen wipes itself without JavaScript too; the keyboard's script is there
    assert '<noscript><meta http-equiv="refresh" content="60;url=/kiosk/end"></noscript>' in start.text
    assert re.search(r'<script src="/assets/kiosk\.js[^"]*" defer>', start.text)
    assert 'name="login"' in start.text and "data-osk" in start.text and 'value="/kiosk"' in start.text
    citizen = account(env, "citizen")
    r = kiosk.post("/login", {"login": citizen["login"], "password": citizen["password"], "next": "/kiosk"},
                   from_page="/kiosk")
    assert r.status == 303 and r.header("Location") == "/kiosk"
    r = apply_at(kiosk)
    assert r.status == 303 and r.header("Location").startswith("/kiosk/receipt/AZ-"), r.header("Location")
    ref = r.header("Location").rsplit("/", 1)[1]
    receipt = kiosk.get(r.header("Location") + "?lang=en")
    assert receipt.status == 200 and ref in receipt.text and "Kiosk — Nəsimi" in receipt.text
    assert "data-print hidden" in receipt.text
    # the case carries its channel and district, for the applicant and the officer alike
    st, body, _ = call(env, "GET", "/api/v1/applications/" + ref, token=token(env, "citizen"))
    assert st == 200 and body["channel"] == "kiosk" and body["district"] == "Nəsimi"
    st, body, _ = call(env, "GET", "/api/v1/applications/" + ref, token=token(env, "officer", "din"))
    assert st == 200 and body["channel"] == "kiosk"
    # someone else's receipt is not found
    assert login(env, "citizen", index=1).get("/kiosk/receipt/" + ref).status == 404
    # ending the session at the kiosk logs out and goes back to the start
    r = kiosk.get("/kiosk/end")
    assert r.status == 303 and r.header("Location") == "/kiosk" and "pc_session" not in kiosk.cookies
    assert 'name="login"' in kiosk.get("/kiosk").text


def test_kiosk_session_ends_after_the_kiosks_idle_time(env):
    kiosk = register_kiosk(env, "Yasamal", idle=5)
    citizen = account(env, "citizen", index=1)
    kiosk.post("/login", {"login": citizen["login"], "password": citizen["password"], "next": "/kiosk"},
               from_page="/kiosk")
    assert kiosk.get("/applications").status == 200
    # someone typing on a page (kiosk.js asks now and then) keeps it past the idle time
    for _ in range(2):
        time.sleep(3)
        assert kiosk.get("/kiosk/alive").status == 204
    assert kiosk.get("/applications").status == 200
    # the same account at home keeps its ordinary session
    home = login(env, "citizen", index=1)
    # wait for the kiosk's session to be over (the server's clock, not a fixed sleep)
    deadline = time.time() + 20
    while time.time() < deadline:
        r = kiosk.get("/applications")
        if r.status == 303:
            break
        time.sleep(7)  # one idle period without a request
    assert r.status == 303 and r.header("Location").startswith("/login"), r.status
    assert home.get("/applications").status == 200


def test_a_session_at_home_is_not_ended_by_the_kiosks_link(env):
    home = login(env, "citizen")
    r = home.get("/kiosk/end")
    assert r.status == 303 and home.get("/applications").status == 200


def test_web_and_api_channels(env):
    st, body, _ = call(env, "POST", "/api/v1/applications", {"service": SERVICE, "answers": GOOD},
                       token(env, "citizen"), {"Idempotency-Key": "kiosk-test-api-1"})
    assert st == 201 and body["channel"] == "api" and body["district"] is None
    b = login(env, "citizen", index=1)
    r = b.post("/services/%s/apply" % SERVICE, {}, from_page="/services/%s/start" % SERVICE)
    base = r.header("Location").rsplit("/page/", 1)[0]
    page_post(b, base + "/page/reason", {"reason": "expired"})
    page_post(b, base + "/page/contact", {"phone": "+994501112233", "birth_date": "1990-12-31", "children": "1"})
    page_post(b, base + "/page/family", {})
    r = b.post(base + "/submit", {}, from_page=base + "/check")
    ref = re.match(r"/applications/(AZ-\d{4}-\d{8})\?sent=1", r.header("Location")).group(1)
    st, body, _ = call(env, "GET", "/api/v1/applications/" + ref, token=token(env, "officer", "din"))
    assert st == 200 and body["channel"] == "web"


def paper(env, tok, person, **change):
    st, scan = upload(env, tok, "paper.png", PNG, "image/png")
    assert st == 201, scan
    body = {"service": SERVICE, "fin": person["fin"], "id_card": person["id_card"], "district": "Sabunçu",
            "scan": scan["sha256"], "answers": dict(GOOD, reason="expired", police_report=None)}
    body["answers"].pop("police_report")
    body.update(change)
    return call(env, "POST", "/api/v1/paper-applications", body, tok)


def test_paper_application_by_a_post_office_operator(env):
    tok = token(env, "postal_operator")
    person = env.persons[0]
    # a wrong identity-card number is refused, and nothing is filed
    st, body, _ = paper(env, tok, person, id_card="AZE99999999")
    assert st == 400 and body["type"].endswith("/wrong-id-card"), body
    st, body, _ = paper(env, tok, dict(person, fin="0000000"))
    assert st == 404 and body["type"].endswith("/no-such-person"), body
    st, body, _ = paper(env, tok, person, scan="0" * 64)
    assert st == 400 and body["type"].endswith("/no-scan"), body
    st, body, _ = paper(env, tok, person, answers={"reason": "nonsense"})
    assert st == 422 and body["errors"]
    st, body, _ = paper(env, tok, person, district="")
    assert st == 400
    # a citizen may not register paper applications
    st, body, _ = paper(env, token(env, "citizen"), env.persons[1])
    assert st == 403
    # the card as typed at the counter: lower case, spaces
    card = person["id_card"].lower()
    st, body, _ = paper(env, tok, person, id_card=card[:3] + " " + card[3:])
    assert st == 201, body
    ref = body["reference"]
    assert body["channel"] == "paper" and body["district"] == "Sabunçu"
    # the officer sees it with the operator in its history
    st, case, _ = call(env, "GET", "/api/v1/applications/" + ref, token=token(env, "officer", "din"))
    assert st == 200 and case["channel"] == "paper"
    assert case["history"][0]["action"] == "submit_paper" and case["history"][0]["note"] == "Sabunçu"
    # the officer's page names the channel and gives the scan
    officer = login(env, "officer", "din")
    page = officer.get("/office/cases/%s?lang=en" % ref).text
    link = re.search(r'href="(/office/cases/%s/files/[0-9a-f]{64})" download>Scan of the paper application' % ref, page)
    assert "Paper — Sabunçu" in page and link, page[:3000]
    scan = officer.get(link.group(1))
    assert scan.status == 200 and scan.body == PNG
    # the applicant, once they have a password, finds it in their account
    code = syslib.run_cli("admin", "issue-code", "--db", env.db.url, "--login", person["fin"])
    assert code.returncode == 0, code.stderr
    password = "Kagiz-muraciet-2026"
    r = Browser(env).post("/activate", {"login": person["fin"], "code": code.stdout.strip(), "password": password,
                                        "confirm": password})
    assert r.status == 303, r.text[:300]
    me = Browser(env)
    me.login(person["fin"], password)
    assert ref in me.get("/applications").text


def test_paper_application_by_an_officer_of_the_agency_only(env):
    person = env.persons[2]
    st, body, _ = paper(env, token(env, "officer", "eesmn"), person)
    assert st == 403
    st, body, _ = paper(env, token(env, "officer", "din"), person)
    assert st == 201 and body["channel"] == "paper"


def test_channel_statistics_by_district_and_month(env):
    st, _, _ = paper(env, token(env, "postal_operator"), env.persons[3], district="Xətai")
    assert st == 201
    st, _, _ = call(env, "POST", "/api/v1/applications", {"service": SERVICE, "answers": GOOD},
                    token(env, "citizen"), {"Idempotency-Key": "kiosk-test-stats-1"})
    assert st == 201
    month = time.strftime("%Y-%m", time.gmtime())
    page = login(env, "operator").get("/statistics?lang=en&from=%s&to=%s" % (month, month))
    assert page.status == 200 and 'id="channel-stats"' in page.text, page.text[:500]
    rows = re.findall(r'<tr><th scope="row">%s</th><td>([^<]*)</td>(.*?)</tr>' % month, page.text)
    counts = {d: {k: int(v) for k, v in re.findall(r'data-channel="(\w+)">(\d+)<', cells)} for d, cells in rows}
    assert counts["Xətai"]["paper"] >= 1 and counts["Xətai"]["kiosk"] == 0, counts
    assert counts["(not given)"]["api"] >= 1, counts
