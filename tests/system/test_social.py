"""Social assistance (VEMTAS, issue 17): evidence from the registries for the
applicant and every declared family member, the differences flagged, a
registry that is down (the case waits, is retried, the officer is told),
the means test's proposal in the API contract, the officer's override
(audited), and who may see it.

The registries are a small stand-in HTTP server in this process serving
the registries' REST paths (src/registries/api.c) with families chosen
here; it can be taken down per kind.  The portal reads it through
--social-registries.  The catalogue is the real one with the VEMTAS
service's login lowered to code-password (the test logs in with a
password), and the test imports its own parameters (valid 2020-2099)."""
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

import signal

import syslib
from test_identity import Browser

FIN_RE = re.compile(r"^[0-9A-Z]{7}$")
PATHS = {"population": "/population/v1/persons/", "employment": "/employment/v1/contracts/",
         "pensions": "/pensions/v1/insured/", "realestate": "/realestate/v1/properties/"}
CRITERION = 200.00  # the test's own parameters (AZN a month per person)


class Registries:
    """The four registries (or those of paths) as one HTTP server; people[fin] = {kind: doc}."""

    def __init__(self, paths=PATHS):
        self.people = {}
        self.paths = paths
        self.down = set()
        self.issues = []
        reg = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                for kind, prefix in paths.items():
                    if self.path.startswith(prefix):
                        break
                else:
                    return self.answer(404, {})
                fin = self.path[len(prefix):]
                reg.issues.append((kind, fin, self.headers.get("X-Road-Issue"), self.headers.get("X-Road-UserId")))
                if kind in reg.down:
                    return self.answer(503, {"error": "down"})
                doc = reg.people.get(fin, {}).get(kind)
                return self.answer(200, doc) if doc is not None else self.answer(404, {"error": "no record"})

            def answer(self, status, doc):
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def person(self, fin, born, spouse=None, children=(), wages=(), pension=None, assistance=None, homes=0, died=None):
        self.people[fin] = {
            "population": {"fin": fin, "surname": "Məmmədov", "name": "Test", "birth_date": born, "death_date": died,
                           "spouse_fin": spouse, "children_fins": list(children)},
            "employment": {"fin": fin, "contracts": [{"employer_voen": "1400000001", "salary_azn": w,
                                                      "started_at": "2020-01-01", "ended_at": None} for w in wages]},
            "pensions": {"fin": fin, "pension": {"kind": "age", "amount_azn": pension} if pension else None,
                         "social_assistance": {"kind": "targeted", "amount_azn": assistance} if assistance else None},
            "realestate": {"fin": fin, "properties": [{"kind": "apartment"}] * homes},
        }

    def close(self):
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    s = start_world(tmp_path_factory, Registries())
    yield s
    s.close()
    s.reg.close()


def start_world(tmp_path_factory, reg, params_update=None, extra=()):
    """A portal whose social assistance asks reg (its kinds), with the test's parameters (updated by params_update)."""
    work = str(tmp_path_factory.mktemp("social"))
    # the real catalogue, the VEMTAS service reachable with a password, and its form
    cat = syslib.copy_catalog(syslib.REAL_CATALOG, os.path.join(work, "data", "catalog"))
    lines = syslib.read_jsonl(os.path.join(cat, "services.jsonl"))
    for s in lines:
        if s["id"] == "eesmn-vemtas":
            s["login"] = "code_password"
    syslib.write_jsonl_lines(os.path.join(cat, "services.jsonl"), [json.dumps(s, ensure_ascii=False) for s in lines])
    os.makedirs(os.path.join(work, "data", "forms"))
    shutil.copy(os.path.join(syslib.ROOT, "data", "forms", "eesmn-vemtas.json"), os.path.join(work, "data", "forms"))
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    params = json.load(open(os.path.join(syslib.ROOT, "data", "social", "params.json")))
    v = params["versions"][0]
    v.update(version=1, valid_from="2020-01-01", valid_to="2099-12-31", criterion_qepik=int(CRITERION * 100))
    v.update(params_update or {})
    pfile = os.path.join(work, "params.json")
    json.dump({"versions": [v]}, open(pfile, "w"))
    r = syslib.run_cli("admin", "social-params", "--db", db.url, "--import", pfile)
    assert r.returncode == 0 and "1 new version" in r.stdout, r.stderr
    conf = os.path.join(work, "registries.json")
    json.dump({k: {"url": reg.url, "service": "AZ/GOV/TEST/%s/v1" % k} for k in reg.paths}, open(conf, "w"))
    s = syslib.Server(work, catalog=cat, db=db, extra=["--social-registries", conf, "--social-recheck", "1"] + list(extra))
    s.start()
    s.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    s.reg = reg
    s.tokens = {}
    return s


def query(w, sql, *args):
    """Rows of the portal's database (to see what another module was handed: the e-safe has no reads yet)."""
    if w.db.kind == "sqlite":
        con = sqlite3.connect(w.db.url)
        try:
            return [tuple(str(v) for v in row) for row in con.execute(sql, args)]
        finally:
            con.close()
    for a in args:  # references and FİNs only: [A-Z0-9-]
        assert re.match(r"^[A-Z0-9-]+$", a)
        sql = sql.replace("?", "'%s'" % a, 1)
    r = subprocess.run(["psql", w.db.url, "-At", "-F", "|", "-c", sql], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return [tuple(line.split("|")) for line in r.stdout.splitlines() if line]


def account(w, role, agency=None, index=0):
    return [x for x in w.accounts if x["role"] == role and (agency is None or x["agency"] == agency)][index]


def call(w, method, path, body=None, role="citizen", agency=None, headers=None):
    key = (role, agency)
    if key not in w.tokens:
        a = account(w, role, agency)
        r = syslib.request(w.port, "POST", "/api/v1/auth/password", headers={"Content-Type": "application/json"},
                           body=json.dumps({"login": a["login"], "password": a["password"]}).encode())
        assert r.status == 200, r.text
        w.tokens[key] = r.json()["token"]
    h = {"Content-Type": "application/json", "Authorization": "Bearer " + w.tokens[key]}
    h.update(headers or {})
    r = syslib.request(w.port, method, path, headers=h, body=json.dumps(body).encode() if body is not None else None)
    return r.status, (r.json() if r.body else {})


_n = iter(range(10 ** 6))


def apply(w, members, income=0):
    answers = {"phone": "+994501234567", "address": "Bakı, Nizami küçəsi 1", "applicant_employment": "unemployed",
               "applicant_income": income, "family_members": members, "housing_tenure": "rented",
               "housing_condition": "needs_repair", "land_plot": "no",
               "bank_account_iban": "AZ21NABZ00000000137010001944", "consent_fetch_certificates": "yes"}
    st, body = call(w, "POST", "/api/v1/applications", {"service": "eesmn-vemtas", "answers": answers},
                    headers={"Idempotency-Key": "social-%d-%d" % (os.getpid(), next(_n))})
    assert st == 201, body
    return body["reference"]


def member(fin, relation, born, income=0, name="Məmmədova Aygün"):
    m = {"member_name": name, "member_relation": relation, "member_birth_date": born,
         "member_employment": "unemployed", "member_income": income}
    if fin:
        m["member_fin"] = fin
    return m


def officer_view(w, ref, until=("complete",), timeout=30):
    """The case as its agency's officer reads it, once the evidence is in one of the states `until`."""
    deadline = time.monotonic() + timeout
    while True:
        st, body = call(w, "GET", "/api/v1/applications/" + ref, role="officer", agency="eesmn")
        assert st == 200, body
        if body.get("evidence_status", {}).get("state") in until or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def applicant_fin(w):
    return account(w, "citizen")["fin"]


def test_evidence_for_every_member_and_the_contract(world, schemas):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01", spouse="5ABC12D", children=["6ZT4K9P"], wages=[150])
    world.reg.person("5ABC12D", "1987-05-05", spouse=me, pension=90, assistance=50)
    world.reg.person("6ZT4K9P", "2015-09-09")
    ref = apply(world, [member("5ABC12D", "spouse", "1987-05-05", 140), member("6ZT4K9P", "child", "2015-09-09")],
                income=150)
    body = officer_view(world, ref)
    assert body["evidence_status"]["state"] == "complete", body["evidence_status"]
    schemas.validate_ref(body, "Application")
    ev = body["evidence"]
    for fin in (me, "5ABC12D", "6ZT4K9P"):
        items = [e for e in ev if e["person"] == fin]
        assert {e["kind"] for e in items} == set(PATHS), (fin, items)
        for e in items:
            assert e["source"] == "AZ/GOV/TEST/%s/v1" % e["kind"] and e["found"] is True
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", e["fetched_at"])
            assert e["data"]["fin"] == fin
    # the case's reference went as the X-Road-Issue of every call
    assert {i[2] for i in world.reg.issues if i[1] in (me, "5ABC12D", "6ZT4K9P")} == {ref}
    assert body["differences"] == []
    mt = body["means_test"]
    # wages 150 + pension 90 (targeted assistance not counted) = 240 for 3: 80 a person
    assert mt["members"] == 3 and mt["income_per_person"] == 80.0 and mt["criterion"] == CRITERION
    assert mt["eligible"] is True and mt["amount"] == (CRITERION - 80) * 3 and mt["months"] == 12
    kinds = [l["kind"] for l in mt["lines"]]
    assert "not_counted" in kinds and kinds[-1] == "period" and all(l["ref"] for l in mt["lines"])
    # the applicant's own answer carries none of it
    st, mine = call(world, "GET", "/api/v1/applications/" + ref)
    assert st == 200 and "evidence" not in mine and "means_test" not in mine
    # an officer of another agency does not see the case at all
    st, _ = call(world, "GET", "/api/v1/applications/" + ref, role="officer", agency="din")
    assert st == 404


def test_a_member_not_in_the_register(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01")
    ref = apply(world, [member("9XYZ88Q", "sibling", "1990-01-01", 30)])
    body = officer_view(world, ref)
    items = [e for e in body["evidence"] if e["person"] == "9XYZ88Q"]
    assert len(items) == 1 and items[0]["kind"] == "population" and items[0]["found"] is False
    assert {"flag": "not_in_register", "person": "9XYZ88Q", "declared": "Məmmədova Aygün",
            "registry": None} in body["differences"]
    # counted with the income declared: 30 for 2
    assert body["means_test"]["members"] == 2 and body["means_test"]["income_per_person"] == 15.0


def test_a_declared_family_that_differs(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01", spouse="7QWE3RT", children=["8ZXC4VB"])
    world.reg.person("7QWE3RT", "1986-01-01", spouse=me)
    world.reg.person("8ZXC4VB", "2012-01-01")
    world.reg.person("4LKJ7HG", "1999-03-03", wages=[900])
    # declared: someone else as the spouse (with a wrong birth date and no income), the child left out
    ref = apply(world, [member("4LKJ7HG", "spouse", "1999-03-04", 0)])
    body = officer_view(world, ref)
    flags = {(d["flag"], d["person"]) for d in body["differences"]}
    assert ("not_family", "4LKJ7HG") in flags
    assert ("birth_date", "4LKJ7HG") in flags
    assert ("income", "4LKJ7HG") in flags
    assert ("not_declared", "7QWE3RT") in flags and ("not_declared", "8ZXC4VB") in flags
    # the registry's wages count: 900 for 2 is above the criterion
    assert body["means_test"]["eligible"] is False and body["means_test"]["amount"] == 0


def test_a_registry_down_the_case_waits_is_retried_and_the_officer_is_told(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01")
    world.reg.down.add("employment")
    try:
        ref = apply(world, [])
        body = officer_view(world, ref, until=("waiting",))
        st = body["evidence_status"]
        assert st["state"] == "waiting" and st["waiting_for"] == "employment" and st["next_try_at"]
        assert "means_test" not in body
        # what was fetched is kept; the page tells the officer
        assert [e["kind"] for e in body["evidence"] if e["person"] == me] == ["population"]
        b = Browser(world)
        a = account(world, "officer", "eesmn")
        b.login(a["login"], a["password"])
        page = b.get("/office/cases/" + ref + "?lang=en")
        assert page.status == 200 and "The “employment” registry does not answer now" in page.text
        # tried again while down
        deadline = time.monotonic() + 15
        while officer_view(world, ref, until=("waiting",))["evidence_status"]["attempts"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        world.reg.down.discard("employment")
    body = officer_view(world, ref, timeout=30)
    assert body["evidence_status"]["state"] == "complete"
    assert {e["kind"] for e in body["evidence"] if e["person"] == me} == set(PATHS)
    assert body["means_test"]["eligible"] is True


def test_the_officer_overrides_with_a_reason_audited_and_fetches_again(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01", wages=[50])
    ref = apply(world, [], income=50)
    body = officer_view(world, ref)
    assert body["means_test"]["amount"] == CRITERION - 50
    b = Browser(world)
    a = account(world, "officer", "eesmn")
    b.login(a["login"], a["password"])
    page = b.get("/office/cases/" + ref + "?lang=en")
    assert "Means test: the proposal" in page.text and "Evidence from the registries" in page.text
    # a change without a reason is refused, the page says so
    url = "/office/cases/%s/social/proposal" % ref
    r = b.post(url, {"do": "change", "eligible": "no", "amount": "0", "reason": ""}, from_page="/office/cases/" + ref)
    assert r.status == 400
    r = b.post(url, {"do": "change", "eligible": "yes", "amount": "120,50", "reason": "Ev baxışı: ailənin vəziyyəti"},
               from_page="/office/cases/" + ref)
    assert r.status == 303, r.text[:300]
    mt = officer_view(world, ref)["means_test"]
    assert mt["amount"] == 120.5 and mt["eligible"] is True
    assert mt["proposal"]["amount"] == CRITERION - 50
    assert mt["override"]["reason"] == "Ev baxışı: ailənin vəziyyəti" and mt["override"]["by"]
    # "fetch again" asks the registries anew
    before = len(world.reg.issues)
    r = b.post("/office/cases/%s/social/refetch" % ref, {}, from_page="/office/cases/" + ref)
    assert r.status == 303
    body = officer_view(world, ref)
    assert len(world.reg.issues) >= before + 4 and body["evidence_status"]["state"] == "complete"
    # both acts are in the audit chain, which holds
    r = syslib.run_cli("admin", "audit-verify", "--db", world.db.url)
    assert r.returncode == 0, r.stdout + r.stderr
    aud = Browser(world)
    x = account(world, "auditor")
    aud.login(x["login"], x["password"])
    text = aud.get("/audit?lang=en").text
    assert "social.override" in text and "social.refetch" in text


def step(w, ref, action, version, note=None):
    body = {"action": action, "version": version}
    if note:
        body["note"] = note
    return call(w, "POST", "/api/v1/applications/%s/actions" % ref, body, role="officer", agency="eesmn")


def to_review(w, ref):
    st, a = call(w, "GET", "/api/v1/applications/" + ref, role="officer", agency="eesmn")
    for action in ("register", "start_review"):
        st, a = step(w, ref, action, a["version"])
        assert st == 200, a
    return a["version"]


def test_granted_a_schedule_orders_for_the_bank_and_a_rejected_order(world, tmp_path):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01", wages=[40])
    ref = apply(world, [member(None, "child", "2020-02-02", 0, name="Məmmədov Elçin")], income=40)
    body = officer_view(world, ref)
    assert {"flag": "no_fin", "person": "Məmmədov Elçin", "declared": "child", "registry": None} in body["differences"]
    mt = body["means_test"]
    assert mt["members"] == 2 and mt["amount"] == (CRITERION - 20) * 2
    v = to_review(world, ref)
    st, a = step(world, ref, "approve", v, note="Təyin edilsin.")
    assert st == 200, a
    assert "360.00 AZN" in a["decision"] and "12 ay / months" in a["decision"]
    # the decision is in the applicant's e-safe
    assert query(world, "SELECT owner_id, kind, source FROM esafe_docs WHERE source_ref = ?", ref) == [
        (me, "decision", "cases")]
    body = officer_view(world, ref)
    pays = body["payments"]
    assert len(pays) == 12 and {p["status"] for p in pays} == {"scheduled"}
    assert all(p["amount"] == 360.0 for p in pays)
    first = pays[0]["month"]
    out = str(tmp_path / "orders.txt")
    r = syslib.run_cli("admin", "social-payments", "--db", world.db.url, "--month", first, "--out", out)
    assert r.returncode == 0, r.stderr
    lines = open(out).read().splitlines()
    order = "%s-%s" % (ref, first)
    assert lines[0].startswith("PENCERE-SOCIAL-PAYMENTS;1;%s;" % first)
    assert "%s;AZ21NABZ00000000137010001944;360.00;%s" % (order, me) in lines
    answer = str(tmp_path / "answer.txt")
    open(answer, "w").write("%s;REJECTED;Hesab bağlıdır\n" % order)
    r = syslib.run_cli("admin", "social-reconcile", "--db", world.db.url, "--file", answer)
    assert r.returncode == 0 and "rejected 1" in r.stdout, r.stdout + r.stderr
    pays = officer_view(world, ref)["payments"]
    assert pays[0]["status"] == "rejected" and pays[0]["reason"] == "Hesab bağlıdır"
    assert pays[1]["status"] == "scheduled"
    # the officer is told on the case page
    b = Browser(world)
    a = account(world, "officer", "eesmn")
    b.login(a["login"], a["password"])
    page = b.get("/office/cases/" + ref + "?lang=en").text
    assert "The bank rejected a payment" in page and "Rejected by the bank: Hesab bağlıdır" in page
    # a bad answer file is refused whole
    open(answer, "w").write("%s;MAYBE\n" % order)
    r = syslib.run_cli("admin", "social-reconcile", "--db", world.db.url, "--file", answer)
    assert r.returncode != 0 and "line 1" in r.stderr


def test_not_eligible_cannot_be_granted_only_refused_with_the_appeal_route(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01", wages=[2000])
    ref = apply(world, [], income=2000)
    assert officer_view(world, ref)["means_test"]["eligible"] is False
    v = to_review(world, ref)
    st, body = step(world, ref, "approve", v, note="Təyin edilsin.")
    assert st == 403, body
    st, a = step(world, ref, "refuse", v, note="Gəlir ehtiyac meyarından yüksəkdir.")
    assert st == 200, a
    assert "Appeal: within one month" in a["decision"]
    assert query(world, "SELECT owner_id, kind FROM esafe_docs WHERE source_ref = ?", ref) == [(me, "decision")]
    assert officer_view(world, ref)["payments"] == []


def test_a_death_reported_by_the_register_suspends_the_payments(world):
    me = applicant_fin(world)
    world.reg.person(me, "1985-02-01")
    world.reg.person("3MNB6VC", "1950-06-06")
    ref = apply(world, [member("3MNB6VC", "parent", "1950-06-06")])
    assert officer_view(world, ref)["means_test"]["eligible"] is True
    v = to_review(world, ref)
    st, a = step(world, ref, "approve", v, note="Təyin edilsin.")
    assert st == 200, a
    body = officer_view(world, ref)
    assert body["suspension"] is None and {p["status"] for p in body["payments"]} == {"scheduled"}
    # the register now records the death: the next check suspends what is not yet sent
    world.reg.person("3MNB6VC", "1950-06-06", died="2026-12-01")
    deadline = time.monotonic() + 20
    while body["suspension"] is None:
        assert time.monotonic() < deadline, "not suspended"
        time.sleep(0.3)
        body = officer_view(world, ref)
    assert body["suspension"]["reason"] == "death" and body["suspension"]["person"] == "3MNB6VC"
    assert body["suspension"]["since"] == "2026-12-01"
    assert {p["status"] for p in body["payments"]} == {"suspended"}
    assert {"flag": "deceased", "person": "3MNB6VC", "declared": None, "registry": "2026-12-01"} in body["differences"]
    b = Browser(world)
    a = account(world, "officer", "eesmn")
    b.login(a["login"], a["password"])
    page = b.get("/office/cases/" + ref + "?lang=en").text
    assert "Payments are suspended: the population register records the death of 3MNB6VC on 2026-12-01." in page


@pytest.mark.once
def test_the_demo_case_gets_its_evidence_through_the_exchange(tmp_path):
    """`pencere demo` submits a VEMTAS case of its first citizen with the
    population register's first family; once the demo's exchange is up the
    evidence comes through the gateways (the registries' service ids) and a
    proposal is made.  The demo keeps its own SQLite database."""
    data = tmp_path / "demo"
    port = syslib.free_port()
    err = open(tmp_path / "demo.err", "wb")
    p = subprocess.Popen([syslib.BIN, "demo", "--listen", "127.0.0.1:%d" % port, "--data-dir", str(data)],
                         stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (data / "demo-exchange.json").exists():
            assert time.monotonic() < deadline and p.poll() is None, open(tmp_path / "demo.err").read()[-3000:]
            time.sleep(0.2)
        w = type("Demo", (), {})()
        w.port, w.tokens = port, {}
        w.accounts = json.load(open(data / "demo-accounts.json"))
        st, inbox = call(w, "GET", "/api/v1/applications?service=eesmn-vemtas", role="officer", agency="eesmn")
        # the first citizen's online case, and the second's on paper (vemtas3)
        assert st == 200 and len(inbox["items"]) == 2, inbox
        online = [i for i in inbox["items"] if i["channel"] != "paper"]
        assert len(online) == 1, inbox
        ref = online[0]["reference"]
        # it may have waited for the exchange with back-off: the officer asks again now
        b = Browser(w)
        a = account(w, "officer", "eesmn")
        b.login(a["login"], a["password"])
        r = b.post("/office/cases/%s/social/refetch" % ref, {}, from_page="/office/cases/" + ref)
        assert r.status == 303
        body = officer_view(w, ref, timeout=60)
        assert body["evidence_status"]["state"] == "complete", body["evidence_status"]
        members = [m["member_fin"] for m in body["answers"]["family_members"]]
        for fin in members:
            kinds = {e["kind"]: e for e in body["evidence"] if e["person"] == fin}
            # vemtas2: the demo's exchange also names vehicles and entrepreneurs
            assert set(kinds) == set(PATHS) | {"vehicles", "entrepreneurs"} and kinds["population"]["found"], (fin, kinds)
            assert kinds["population"]["source"].endswith("/population/persons")
        assert body["means_test"]["members"] == 1 + len(members) and body["means_test"]["demo_parameters"] is True
    finally:
        p.send_signal(signal.SIGTERM)
        rc = p.wait(30)
        err.close()
    assert rc == 0
    assert not syslib.sanitizer_findings(open(tmp_path / "demo.err", errors="replace").read())
