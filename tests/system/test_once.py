"""Once only (issue 11, item 7): the portal asks the registries through its
own exchange gateway instead of asking the citizen.

The demo (`pencere demo`) runs the exchange: a CA, the central registry,
the population, taxpayer, real-estate, employment and pensions registers
behind the registries' gateway, and the portal's gateway; it writes
DATA_DIR/demo-exchange.json.  A portal on the database under test, seeded
with the demo's people (`admin seed-demo`: the register's first 2,000
people, the taxpayer register's companies), is pointed at that file with
--exchange-config.  Checked through it: registration at the desk (found
and the same: a code; unknown, other names: refused, nothing made; the
register down: the registrar is told, nothing made), acting for a company
(the taxpayer register lists the person, or 403), registry prefill on the
driving-licence form (read-only, "Source: Population register, at HH:MM"),
the citizen's "who looked at my data", and X-Road-UserId / X-Road-Issue in
the portal gateway's message log."""
import json
import os
import re
import signal
import sqlite3
import subprocess
import time

import pytest

import syslib
from syslib import BIN, request
from test_identity import Browser
from test_notify import sql

CODE_RE = re.compile(r'class="code".*?([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2})', re.S)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    work = tmp_path_factory.mktemp("once")
    demo_dir = work / "demo"
    err = open(work / "demo.err", "wb")
    demo = subprocess.Popen([BIN, "demo", "--listen", "127.0.0.1:%d" % syslib.free_port(), "--data-dir",
                             str(demo_dir), "--example-rp", "off"],
                            stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    srv = None
    try:
        portal = str(work / "portal")
        os.makedirs(portal)
        db = syslib.Database(portal)
        r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", portal, timeout=120)
        assert r.returncode == 0, r.stderr
        contract = demo_dir / "demo-exchange.json"
        deadline = time.monotonic() + 120
        while not contract.exists() and time.monotonic() < deadline and demo.poll() is None:
            time.sleep(0.1)
        assert contract.exists(), open(work / "demo.err").read()[-3000:]
        srv = syslib.Server(portal, catalog=syslib.REAL_CATALOG, db=db,
                            extra=["--exchange-config", str(contract)])
        srv.start()
        srv.accounts = json.load(open(os.path.join(portal, "demo-accounts.json")))
        srv.persons = json.load(open(os.path.join(portal, "demo-persons.json")))
        srv.contract = json.loads(contract.read_text())
        srv.demo_dir = demo_dir
        yield srv
    finally:
        if srv:
            srv.close()
        demo.send_signal(signal.SIGTERM)
        demo.wait(30)
        err.close()


def account(srv, role):
    return next(a for a in srv.accounts if a["role"] == role)


def logged_in(srv, role):
    a = account(srv, role)
    b = Browser(srv)
    b.login(a["login"], a["password"])
    return b, a


def register(srv, kind, key):
    """The register's record, asked at the portal's gateway as the portal would."""
    c = srv.contract
    r = request(int(c["gateway"].rsplit(":", 1)[1]), "GET", "/r1/%s/%s" % (c["services"][kind], key),
                headers={"X-Road-Client": c["client"]})
    assert r.status == 200, r
    return r.json()


def gateway_log(srv, user_id):
    """The portal gateway's message log records of requests for user_id: (service, issue)."""
    con = sqlite3.connect(str(srv.demo_dir / "exchange" / "gw1" / "gateway.db"), timeout=30)
    try:
        return con.execute("SELECT service, issue FROM xr_msglog WHERE side = 'consumer' AND kind = 'request'"
                           " AND user_id = ? ORDER BY seq", (user_id,)).fetchall()
    finally:
        con.close()


def has_account(srv, fin):
    return sql(srv.db, "SELECT COUNT(*) FROM accounts WHERE fin = '%s'" % fin)[0][0] != "0"


def test_the_demo_names_every_registry_kind(env):
    # vemtas2: vehicles, and the taxpayers' entrepreneurs by FİN
    assert set(env.contract["services"]) == {"population", "taxpayers", "realestate", "employment", "pensions", "fines",
                                             "vehicles", "entrepreneurs"}
    kinds = {c["kind"] for c in env.contract["calls"]}
    assert kinds == set(env.contract["services"]) - {"fines"}  # protocols, not people: named, no sample call


def test_vehicles_and_entrepreneurs_through_the_gateways(env):
    """vemtas2: the vehicle register and the taxpayers' look-up by FİN answer behind the registries' gateway."""
    fin = env.persons[0]["fin"]
    cars = register(env, "vehicles", fin)
    assert cars["fin"] == fin and isinstance(cars["vehicles"], list)
    assert all(re.match(r"^\d\d-[A-Z]{2}-\d{3}$", v["plate"]) for v in cars["vehicles"])
    mine = register(env, "entrepreneurs", fin)
    assert mine["fin"] == fin and all(e["owner_fin"] == fin for e in mine["entrepreneurs"])


def test_one_population(env):
    """The portal's demo people are the register's: same names, birth date, address, ID card."""
    for p in env.persons[:2] + [account(env, "citizen")]:
        doc = register(env, "population", p["fin"])
        ((last, first, patronymic, born, address, card),) = sql(
            env.db, "SELECT last_name, first_name, patronymic, birth_date, address, id_card FROM persons"
                    " WHERE fin = '%s'" % p["fin"])
        a = doc["address"]
        assert (last, first, patronymic, born, card) == (doc["surname"], doc["name"], doc["patronymic"],
                                                          doc["birth_date"], doc["id_card"])
        assert address == "%s, %s %d, mənzil %d" % (a["city"], a["street"], a["house"], a["apartment"])


def test_registration_at_the_desk_checks_the_population_register(env):
    reg, _ = logged_in(env, "registrar")
    fin = env.persons[0]["fin"]
    r = reg.post("/registrar/persons/%s/code" % fin, {}, from_page="/registrar/persons/%s" % fin)
    assert r.status == 200 and CODE_RE.search(r.text), r.text[:2000]
    assert has_account(env, fin)
    # the call carried the person and the matter
    assert (env.contract["services"]["population"], "registration") in gateway_log(env, fin)


def test_a_person_the_register_does_not_know_is_refused(env):
    # a person of another slice of the synthetic population: in the portal, not in the demo's register
    before = {r[0] for r in sql(env.db, "SELECT fin FROM persons")}
    r = syslib.run_cli("admin", "seed-population", "--db", env.db.url, "--seed", "7", "--count", "1")
    assert r.returncode == 0, r.stderr
    (fin,) = {r[0] for r in sql(env.db, "SELECT fin FROM persons")} - before
    reg, _ = logged_in(env, "registrar")
    r = reg.post("/registrar/persons/%s/code?lang=en" % fin, {}, from_page="/registrar/persons/%s?lang=en" % fin)
    assert r.status == 404 and "The population register has no person with this FİN" in r.text, r.text[:2000]
    assert "No account was created" in r.text and not CODE_RE.search(r.text) and not has_account(env, fin)


def test_other_names_are_refused_and_nothing_is_made(env):
    fin = env.persons[1]["fin"]
    sql(env.db, "UPDATE persons SET last_name = 'Başqasoyadlı' WHERE fin = '%s'" % fin)
    reg, _ = logged_in(env, "registrar")
    r = reg.post("/registrar/persons/%s/code?lang=en" % fin, {}, from_page="/registrar/persons/%s?lang=en" % fin)
    assert r.status == 409, r.text[:2000]
    assert "different: surname" in r.text and "No account was created" in r.text
    assert not has_account(env, fin)


def test_acting_for_a_company_needs_the_taxpayer_register(env):
    rep, a = logged_in(env, "representative")
    voens = re.findall(r'name="voen" value="(\d{10})"', rep.get("/account").text)
    assert len(voens) == 2
    for voen in voens:   # the demo's companies list the representative
        doc = register(env, "taxpayers", voen)
        assert a["fin"] in doc["representatives"] or doc["director_fin"] == a["fin"]
    assert rep.post("/account/act-for", {"voen": voens[0]}, from_page="/account").status == 303
    # a grant the portal holds but the register does not back
    other = env.contract["calls"][1]["path"][1:]
    doc = register(env, "taxpayers", other)
    assert a["fin"] not in doc["representatives"]
    sql(env.db, "INSERT INTO legal_entities (voen, name, legal_form, status, address, created_at) VALUES"
                " ('%s', 'X MMC', 'MMC', 'active', 'Bakı', '2026-01-01T00:00:00Z')" % other)
    sql(env.db, "INSERT INTO representatives (voen, fin, scope, granted_at) VALUES ('%s', '%s', 'full',"
                " '2026-01-01T00:00:00Z')" % (other, a["fin"]))
    r = rep.post("/account/act-for?lang=en", {"voen": other}, from_page="/account")
    assert r.status == 403 and "taxpayer register does not list you" in r.text, r.text[:1000]
    assert (env.contract["services"]["taxpayers"], "act-for %s" % other) in gateway_log(env, a["fin"])


def test_the_form_shows_the_registers_values_and_where_they_came_from(env):
    b, a = logged_in(env, "citizen")
    r = b.post("/services/din-driving-licence/apply", {}, from_page="/services/din-driving-licence/start")
    assert r.status == 303, (r.status, r.text[:500])
    draft = re.search(r"/applications/([^/]+)/page/", r.header("Location")).group(1)
    page = b.get("/applications/%s/page/your-details" % draft)
    assert page.status == 200, page.text[:1000]
    doc = register(env, "population", a["fin"])
    name = "%s %s" % (doc["name"], doc["surname"])
    for qid, value in (("applicant_name", name), ("applicant_birth_date", doc["birth_date"])):
        m = re.search(r'<input[^>]*name="%s"[^>]*>' % qid, page.text)
        assert m and 'value="%s"' % value in m.group(0) and "readonly" in m.group(0), m and m.group(0)
        assert 'aria-describedby="%s-source"' % qid in m.group(0)
    assert re.search(r'id="applicant_name-source">Mənbə: Əhali reyestri, saat \d\d:\d\d<', page.text)
    # what is posted for them does not change them: the register's values are kept
    path = "/applications/%s/page/your-details" % draft
    version = re.search(r'name="_version" value="(\d+)"', page.text).group(1)
    r = b.post(path, {"_version": version, "applicant_name": "Saxta Ad", "applicant_birth_date": "2001-01-01"},
               from_page=path)
    assert r.status == 303, (r.status, r.text[:1000])
    again = b.get(path).text
    assert 'value="%s"' % name in again and "Saxta Ad" not in again and "2001-01-01" not in again
    # the call carried the citizen's FİN and the draft (a draft has no reference yet)
    assert (env.contract["services"]["population"], draft) in gateway_log(env, a["fin"])
    # and the citizen sees which register answered, when, for what
    mine = b.get("/account?lang=en").text
    row = re.search(r"<tr><td><time[^>]*>[^<]*</time></td><td>Population register</td>"
                    r"<td>Your record in the register</td><td>An application being filled in</td></tr>", mine)
    assert row, mine[mine.find("who-looked"):][:2000]


def test_the_register_down_is_told_and_nothing_is_made(env):
    """Runs last: it stops the demo's population register."""
    stop_registry(env, "population")
    fin = env.persons[2]["fin"]
    reg, _ = logged_in(env, "registrar")
    r = reg.post("/registrar/persons/%s/code" % fin, {}, from_page="/registrar/persons/%s" % fin)
    assert r.status == 503 and r.header("Retry-After"), r.text[:1000]
    assert not CODE_RE.search(r.text) and not has_account(env, fin)
    # the citizen's form still works: they type what the register would have given
    b, a = logged_in(env, "citizen")
    r = b.post("/services/din-driving-licence/apply", {}, from_page="/services/din-driving-licence/start")
    draft = re.search(r"/applications/([^/]+)/page/", r.header("Location")).group(1)
    page = b.get("/applications/%s/page/your-details" % draft)
    assert page.status == 200 and "readonly" not in page.text and "-source" not in page.text


@pytest.mark.once
@pytest.mark.parametrize("args", [["--exchange-gateway", "http://127.0.0.1:1"],
                                  ["--exchange-client", "AZ/GOV/1500000002/portal"],
                                  ["--exchange-gateway", "ftp://x", "--exchange-client", "AZ/GOV/1500000002/portal"],
                                  ["--exchange-gateway", "http://x", "--exchange-client", "portal"]])
def test_exchange_options_are_checked_at_start(tmp_path, args):
    r = syslib.run_cli("portal", "--db", str(tmp_path / "p.db"), "--listen", "127.0.0.1:0", *args)
    assert r.returncode == 2 and "exchange" in r.stderr, r.stderr


# ---- helpers ------------------------------------------------------------------

def registry_pid(env, kind):
    """The demo's registry process of kind (a child of the demo this module started)."""
    marker = str(env.demo_dir / "exchange" / ("%s.db" % kind))
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            args = open("/proc/%s/cmdline" % d, "rb").read().split(b"\0")
        except OSError:
            continue
        if b"registry" in args and marker.encode() in args and b"generate" not in args:
            return int(d)
    raise AssertionError("no %s registry process" % kind)


def stop_registry(env, kind):
    """Stop the demo's registry of kind and wait until it is gone."""
    pid = registry_pid(env, kind)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_register_of_systems_checks_exchange_services_against_the_configuration(env):
    """A registration card's exchange services are looked up in the global
    configuration through the portal's gateway (listMethods): listed ones
    pass, one that is not there fails the system's compliance."""
    from test_isreg import CARD
    a = next(x for x in env.accounts if x["role"] == "officer" and x["agency"] == "din")
    r = request(env.port, "POST", "/api/v1/auth/password", body=json.dumps({"login": a["login"],
                                                                            "password": a["password"]}).encode(),
                headers={"Content-Type": "application/json"})
    tok = {"Authorization": "Bearer " + r.json()["token"], "Content-Type": "application/json"}
    services = env.contract["services"]
    for ident, used, verdict in (("din-xr-known", services["taxpayers"], "pass"),
                                 ("din-xr-unknown", "AZ/GOV/1400000001/population/nothing", "fail")):
        card = dict(CARD, services_offered=[services["population"]], services_used=[used])
        r = request(env.port, "POST", "/api/v1/information-systems",
                    body=json.dumps({"id": ident, "owner": "din", "card": card}).encode(), headers=tok)
        assert r.status == 201, r.text
        r = request(env.port, "GET", "/api/v1/information-systems/" + ident, headers=tok)
        assert r.status == 200 and r.json()["checks"]["exchange"] == verdict, r.json()["checks"]
    assert r.json()["compliance"] == "not_compliant"


def test_a_guest_applies_on_a_portal_with_an_exchange(env):
    """A visitor without login (a guest: no person) on a portal that asks
    the registers for prefill: the pages show, nothing is asked of a
    register for nobody (this page once crashed the portal)."""
    from test_nologin import start_as_guest
    b, base = start_as_guest(env)
    page = b.get(base + "/page/topic")
    assert page.status == 200 and "<h1" in page.text
    assert request(env.port, "GET", "/healthz").status == 200  # still up
