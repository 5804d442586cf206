"""The identity findings of issue 8 and the session half of issue 13, each
black-box over HTTP on the backend chosen by PENCERE_TEST_DB:

  8.1  staff accounts bound to their own person, confirmed by that person
       or the registration desk, in a namespace no FİN can enter; a
       person's record only to their own citizen account;
  8.3  the desk finds one person (a FİN, or a surname with the card), not
       a list of the population;
  8.4  revoking a representation ends acting-for at once;
  8.6  no lockout by strangers (challenges), a flood of wrong passwords is
       turned away unhashed while real logins go on (bounded time), staff
       logins are not shown in access logs;
  8.9  a second-factor code works once;
  8.12 tokens only in their own place, and an API logout;
  13.1 a database failure while looking up a session is a 503 with
       Retry-After: no 401, no login redirect, no "form expired", and a
       form post keeps what was typed.
"""
import http.client
import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.parse

import pytest

import syslib
from test_identity import CSRF_RE, Browser, _totp, account, api_login, bearer, logged_in


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("identity-security"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db)
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))
    yield srv
    srv.close()


def seeded_server(make_server, tmp_path):
    """A portal of its own with the demo's people (for tests that count
    failures or break the database)."""
    work = str(tmp_path)
    srv = make_server(start=False)
    r = syslib.run_cli("admin", "seed-demo", "--db", srv.db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.persons = json.load(open(os.path.join(work, "demo-persons.json")))
    return srv


def api_from(srv, source, path, body, headers=None, timeout=30):
    """A JSON POST from a given loopback address (127.0.0.0/8 is all ours)."""
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout, source_address=(source, 0))
    try:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        c.request("POST", path, body=json.dumps(body).encode(), headers=h)
        r = c.getresponse()
        return syslib.Response(r.status, r.reason, r.getheaders(), r.read())
    finally:
        c.close()


def code_of(page):
    return re.search(r'class="code".*?([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})', page, re.S).group(1)


def activate(srv, login, code, password):
    r = Browser(srv).post("/activate", {"login": login, "code": code, "password": password, "confirm": password})
    assert r.status == 303, (r.status, r.text[:300])


def citizen_with_account(srv, person):
    """Give a person of the population a citizen account at the desk."""
    reg, _ = logged_in(srv, "registrar")
    r = reg.post("/registrar/persons/%s/code" % person["fin"], {}, from_page="/registrar/persons/%s" % person["fin"])
    assert r.status == 200, r.text[:300]
    activate(srv, person["fin"], code_of(r.text), "Oz-parolum-2026")
    b = Browser(srv)
    b.login(person["fin"], "Oz-parolum-2026")
    return b


# ---- 8.1 staff accounts --------------------------------------------------------

def test_a_staff_login_never_shows_the_persons_record(seeded):
    """officer.din is bound to a person of the population; before, /account
    showed that person's identity card, address and access log to it."""
    b, a = logged_in(seeded, "officer", "din")
    page = b.get("/account").text
    assert a["fin"] not in page
    assert 'id="who-looked"' not in page
    assert re.search(r"AZE\d{8}", page) is None


def test_the_administrator_gets_no_code_and_the_person_confirms(seeded):
    person = seeded.persons[2]
    admin, _ = logged_in(seeded, "agency_admin", "din")
    r = admin.post("/agencies/din/staff", {"login": "k.confirmed", "fin": person["fin"].lower()})
    assert r.status == 200 and not re.search(r'class="code"', r.text)
    assert "Waiting" in admin.get("/agencies/din/staff?lang=en").text
    # nobody can issue its code before the person says yes
    cli = syslib.run_cli("admin", "issue-code", "--db", seeded.db.url, "--login", "k.confirmed")
    assert cli.returncode != 0 and "confirmation" in cli.stderr
    # the person, from their own citizen account, confirms and gets the code
    me = citizen_with_account(seeded, person)
    page = me.get("/account?lang=en").text
    staff_id = re.search(r'name="account" value="([0-9a-f]{32})"', page).group(1)
    assert "k.confirmed" in page
    r = me.post("/account/staff/confirm", {"account": staff_id}, from_page="/account")
    assert r.status == 200
    activate(seeded, "k.confirmed", code_of(r.text), "Is-parolum-2026")
    work = Browser(seeded)
    work.login("k.confirmed", "Is-parolum-2026")
    mine = work.get("/account").text
    assert person["fin"] not in mine and "/office" in mine
    # the citizen account stays a citizen's: no officer role came with it
    roles = bearer(seeded, "/api/v1/me", api_login(seeded, person["fin"], "Oz-parolum-2026").json()["token"]).json()
    assert [g["role"] for g in roles["roles"]] == ["citizen"]


def test_only_the_person_or_the_desk_confirms(seeded):
    person, other = seeded.persons[3], seeded.persons[4]
    admin, _ = logged_in(seeded, "agency_admin", "din")
    assert admin.post("/agencies/din/staff", {"login": "k.desk", "fin": person["fin"]}).status == 200
    # another citizen cannot confirm it (not found for them)
    stranger = citizen_with_account(seeded, other)
    listing = syslib.run_cli("admin", "issue-code", "--db", seeded.db.url, "--login", "k.desk")
    assert listing.returncode != 0
    reg, _ = logged_in(seeded, "registrar")
    page = reg.get("/registrar/persons/%s" % person["fin"]).text
    staff_id = re.search(r'name="account" value="([0-9a-f]{32})"', page).group(1)
    r = stranger.post("/account/staff/confirm", {"account": staff_id}, from_page="/account")
    assert r.status == 404
    # nor can the administrator who made it (a desk of their own would
    # still not be the person)
    r = admin.post("/account/staff/confirm", {"account": staff_id}, from_page="/account")
    assert r.status in (403, 404)
    # the desk, having checked the card, can
    r = reg.post("/registrar/persons/%s/code" % person["fin"], {"account": staff_id},
                 from_page="/registrar/persons/%s" % person["fin"])
    assert r.status == 200 and code_of(r.text)


def test_staff_logins_never_take_a_fin(seeded):
    person = seeded.persons[0]
    admin, _ = logged_in(seeded, "agency_admin", "din")
    for login in (person["fin"], person["fin"].lower(), "abc1234"):
        r = admin.post("/agencies/din/staff", {"login": login, "fin": person["fin"]}, from_page="/agencies/din/staff")
        assert r.status == 400 and 'href="#login"' in r.text, login


# ---- 8.3 the registration desk -------------------------------------------------------

def test_the_desk_finds_one_person_not_a_list(seeded):
    reg, _ = logged_in(seeded, "registrar")
    person = seeded.persons[0]
    # a surname alone lists nobody (before: 50 FİNs with birth dates)
    page = reg.get("/registrar?q=" + urllib.parse.quote(person["last_name"])).text
    assert "/registrar/persons/" not in page
    # the FİN (any case) finds the one person, and shows no birth date
    page = reg.get("/registrar?q=" + person["fin"].lower()).text
    assert re.findall(r"/registrar/persons/([0-9A-Z]{7})", page) == [person["fin"]]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split("<main", 1)[1])
    # a surname with the card's number (typed loosely) finds them too
    card = person["id_card"].lower()[:5] + " " + person["id_card"][5:]
    page = reg.get("/registrar?q=%s&id_card=%s" % (urllib.parse.quote(person["last_name"]),
                                                    urllib.parse.quote(card))).text
    assert "/registrar/persons/%s" % person["fin"] in page


# ---- 8.4 acting for a company ---------------------------------------------------------

def test_revoking_a_representation_ends_acting_for_at_once(seeded):
    rep, a = logged_in(seeded, "representative")
    voen = re.findall(r'name="voen" value="(\d{10})"', rep.get("/account").text)[-1]
    assert rep.post("/account/act-for", {"voen": voen}, from_page="/account").status == 303
    token = api_login(seeded, a["login"], a["password"]).json()["token"]
    assert voen in rep.get("/account").text
    r = syslib.run_cli("admin", "revoke-representative", "--db", seeded.db.url, "--voen", voen, "--fin", a["fin"])
    assert r.returncode == 0, r.stderr
    page = rep.get("/account").text
    assert 'name="voen" value="%s"' % voen not in page
    assert "VÖEN %s" % voen not in page.split("<h2", 1)[0]
    assert bearer(seeded, "/api/v1/me", token).json()["acting_for"] is None


# ---- 8.6 lockout by strangers, floods, access logs -----------------------------------------

def test_strangers_cannot_lock_an_account(make_server, tmp_path, schemas):
    srv = seeded_server(make_server, tmp_path)
    a = account(srv, "auditor")
    # ten wrong passwords from ten addresses (before: five locked it for
    # fifteen minutes, the right password included)
    for i in range(10):
        r = api_from(srv, "127.0.0.%d" % (2 + i), "/api/v1/auth/password", {"login": a["login"], "password": "wrong-pass-%d" % i})
        assert r.status == 401
    # the owner is not locked out: they wait a few seconds for a challenge
    r = api_login(srv, a["login"], a["password"])
    assert r.status == 429 and r.header("Retry-After")
    body = r.json()
    schemas.validate_ref(body, "ChallengeProblem")
    assert body["type"].endswith("/challenge") and 0 < body["retry_after"] <= 60
    early = api_login(srv, a["login"], a["password"], challenge=body["challenge"])
    assert early.status == 429 and early.json()["challenge"] == body["challenge"]
    # a stranger at another address cannot use the owner's challenge
    time.sleep(body["retry_after"] + 0.5)
    stolen = api_from(srv, "127.0.0.99", "/api/v1/auth/password",
                      {"login": a["login"], "password": "wrong-pass-x", "challenge": body["challenge"]})
    assert stolen.status == 429 and stolen.json()["challenge"] != body["challenge"]
    ok = api_login(srv, a["login"], a["password"], challenge=body["challenge"])
    assert ok.status == 200, ok.text
    # the page says how long to wait and carries the challenge
    page = Browser(srv).post("/login", {"login": a["login"], "password": a["password"]})
    assert page.status == 429 and 'name="challenge"' in page.text


def test_a_flood_of_wrong_passwords_is_turned_away_unhashed(make_server, tmp_path):
    """Forty-eight clients at as many addresses send wrong passwords, each
    20 a second.  Before, every one was hashed in turn (about 16 a second
    fit on this machine), so a real login queued behind seconds of their
    hashes.  Now a client with failures waits only behind a short queue:
    the flood is answered 429 at once, unhashed, and the real logins that
    go on meanwhile all succeed.  (How long they take is a figure for
    bench/identity_apps.py --flood, not an assertion here.)  Bounded: about
    six seconds."""
    srv = seeded_server(make_server, tmp_path)
    a = account(srv, "citizen")
    stop = threading.Event()
    answers = {}
    lock = threading.Lock()

    def flood(i):
        n = 0
        while not stop.is_set():
            try:
                st = api_from(srv, "127.0.0.%d" % (2 + i), "/api/v1/auth/password",
                              {"login": "ghost.%d.%d" % (i, n), "password": "not-the-password-1"}, timeout=10).status
            except OSError:
                st = "error"
            with lock:
                answers[st] = answers.get(st, 0) + 1
            n += 1
            stop.wait(0.05)

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(48)]
    for t in threads:
        t.start()
    try:
        time.sleep(2)
        deadline = time.monotonic() + 4
        logins = 0
        while time.monotonic() < deadline or logins < 3:
            r = api_login(srv, a["login"], a["password"])
            assert r.status == 200, (r.status, r.text)
            logins += 1
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    total = sum(answers.values())
    assert total > 48 * 10, answers  # the flood did flood
    assert set(answers) <= {401, 429, "error"}, answers
    assert answers.get("error", 0) <= 0.01 * total, answers  # a client socket, now and then
    assert answers.get(429, 0) >= 0.8 * total, answers  # turned away before hashing


def test_staff_are_not_named_in_a_persons_access_log(seeded):
    reg, r_acc = logged_in(seeded, "registrar")
    citizen = account(seeded, "citizen", index=1)
    assert reg.get("/registrar/persons/%s" % citizen["fin"]).status == 200
    me, _ = logged_in(seeded, "citizen", index=1)
    page = me.get("/account?lang=en").text
    assert "Registration-centre operator" in page and r_acc["login"] not in page


# ---- 8.9 second-factor codes work once -------------------------------------------------------

def test_a_second_factor_code_works_once(seeded):
    b, a = logged_in(seeded, "operator")
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', b.get("/account/2fa").text).group(1)
    assert b.post("/account/2fa", {"secret": secret, "otp": _totp(secret, time.time())}).status == 303
    code = _totp(secret, time.time() + 30)
    assert api_login(seeded, a["login"], a["password"], otp=code).status == 200
    again = api_login(seeded, a["login"], a["password"], otp=code)
    assert again.status == 401 and again.json()["type"].endswith("/wrong-credentials")
    # turning it off takes a fresh code too
    off = b.post("/account/2fa", {"off": "1", "otp": code})
    assert off.status == 400


# ---- 8.12 tokens in their own place, and an API logout -------------------------------------------

def test_tokens_work_only_where_they_were_issued(seeded):
    b, a = logged_in(seeded, "citizen")
    cookie = b.cookies["pc_session"]
    assert bearer(seeded, "/api/v1/me", cookie).status == 401
    token = api_login(seeded, a["login"], a["password"]).json()["token"]
    thief = Browser(seeded)
    thief.cookies["pc_session"] = token
    r = thief.get("/account")
    assert r.status == 303 and r.header("Location").startswith("/login")


def test_an_api_token_can_be_revoked(seeded, schemas):
    a = account(seeded, "citizen")
    token = api_login(seeded, a["login"], a["password"]).json()["token"]
    assert bearer(seeded, "/api/v1/me", token).status == 200
    r = syslib.request(seeded.port, "POST", "/api/v1/auth/logout", body=b"",
                       headers={"Authorization": "Bearer " + token})
    assert r.status == 200 and r.json() == {"revoked": True}
    schemas.validate(r.json(), schemas.response_schema("/api/v1/auth/logout", "post", 200))
    assert bearer(seeded, "/api/v1/me", token).status == 401


def test_a_fin_may_be_typed_in_lower_case_everywhere(seeded):
    a = account(seeded, "citizen")
    assert api_login(seeded, a["login"].lower(), a["password"]).status == 200
    r = Browser(seeded).post("/reset", {"fin": " " + a["fin"].lower() + " ", "id_card": "AZE00000000"})
    assert r.status == 200 and "activate?login=%s" % a["fin"] in r.text
    reg, _ = logged_in(seeded, "registrar")
    assert "/registrar/persons/%s" % a["fin"] in reg.get("/registrar?q=" + a["fin"].lower()).text
    assert reg.get("/registrar/persons/%s" % a["fin"].lower()).status == 200


# ---- 13.1 the database fails while a session is looked up ------------------------------------------

class Broken:
    """Make the session lookup fail in the database under a running portal,
    and mend it: on SQLite the sessions table is renamed away (every
    statement naming it fails), on PostgreSQL the database refuses
    connections and the portal's are ended."""

    def __init__(self, srv):
        self.srv = srv

    def _sqlite(self, sql):
        import sqlite3
        with sqlite3.connect(self.srv.db.url, timeout=30) as c:
            c.execute(sql)

    def _pg(self, sql):
        subprocess.run(["psql", syslib.PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)

    def __enter__(self):
        if self.srv.db.kind == "sqlite":
            self._sqlite("ALTER TABLE sessions RENAME TO sessions_away")
        else:
            name = self.srv.db.name
            self._pg("ALTER DATABASE %s ALLOW_CONNECTIONS false" % name)
            self._pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'" % name)
        return self

    def __exit__(self, *exc):
        if self.srv.db.kind == "sqlite":
            self._sqlite("ALTER TABLE sessions_away RENAME TO sessions")
        else:
            self._pg("ALTER DATABASE %s ALLOW_CONNECTIONS true" % self.srv.db.name)


def test_a_database_failure_is_never_a_logout(make_server, tmp_path):
    srv = seeded_server(make_server, tmp_path)
    a = account(srv, "citizen")
    b = Browser(srv)
    b.login(a["login"], a["password"])
    csrf = CSRF_RE.search(b.get("/account/sessions").text).group(1)
    token = api_login(srv, a["login"], a["password"]).json()["token"]
    with Broken(srv):
        api = bearer(srv, "/api/v1/me", token)
        page = b.get("/account")
        form = b.post("/account/act-for", {"voen": "1400057421", "note": "what I typed", "password": "secret-1",
                                           "csrf": csrf})
    assert api.status == 503 and api.header("Retry-After"), api
    assert api.header("Content-Type").startswith("application/problem+json")
    assert page.status == 503 and page.header("Retry-After") and page.header("Location") is None
    assert form.status == 503 and form.header("Retry-After")
    # what was typed comes back, ready to be sent again; never the password
    assert '<form method="post" action="/account/act-for">' in form.text
    assert 'name="note" value="what I typed"' in form.text and 'name="csrf" value="%s"' % csrf in form.text
    assert "secret-1" not in form.text
    # once the database is back the same session works (a connection the
    # database ended may fail one more request per thread: issue 13.2)
    assert any(b.get("/account").status == 200 for _ in range(20))
    assert any(bearer(srv, "/api/v1/me", token).status == 200 for _ in range(20))
    assert "web.failed" in srv.stderr()
