"""`pencere admin import-catalog` against the database of a running portal:
bad rows are all reported as FILE:LINE and change nothing; a good
re-import is idempotent; a service removed from the files is withdrawn;
a changed service is visible (and searchable) at once.

Every test leaves the database with the fixture catalogue again."""
import json
import os
import re
import time

import pytest

import syslib
from syslib import FIXTURE, copy_catalog, read_jsonl, run_cli, write_jsonl_lines

FIXTURE_SUMMARY = "imported 2 agencies, 3 services, 2 life situations; 0 services withdrawn"


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    srv = syslib.Server(str(tmp_path_factory.mktemp("import")))
    srv.start()
    yield srv
    srv.close()


def admin_import(srv, directory):
    return run_cli("admin", "import-catalog", "--db", srv.db.url, "--dir", directory)


def snapshot(srv):
    """Everything the API says about the catalogue."""
    out = {}
    for path in ("/api/v1/agencies", "/api/v1/life-events", "/api/v1/services?limit=100",
                 "/api/v1/agencies/din", "/api/v1/agencies/vn"):
        r = srv.get(path)
        assert r.status == 200, (path, r)
        out[path] = r.json()
    for s in out["/api/v1/services?limit=100"]["items"]:
        out[s["id"]] = srv.get("/api/v1/services/" + s["id"]).json()
    return out


@pytest.fixture
def baseline(portal):
    """The fixture state before the test; restored and checked after it."""
    before = snapshot(portal)
    assert before["/api/v1/services?limit=100"]["total"] == 3
    yield before
    r = admin_import(portal, FIXTURE)
    assert r.returncode == 0, r.stderr
    assert snapshot(portal) == before
    portal.assert_alive("the import test")


def reported(stderr):
    """{(file, line): message} of the FILE:LINE: message reports."""
    out = {}
    for m in re.finditer(r"^(agencies|life_events|services)\.jsonl:(\d+): (.+)$", stderr, re.M):
        out[(m.group(1) + ".jsonl", int(m.group(2)))] = m.group(3)
    return out


def test_bad_service_rows_are_all_reported_and_nothing_changes(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "bad"))
    rows = read_jsonl(os.path.join(FIXTURE, "services.jsonl"))
    good = rows[0]
    changed = dict(good, name=dict(good["name"], en="A name that must not be imported"))
    no_ru = dict(good["name"])
    del no_ru["ru"]
    lines = [changed, rows[1], rows[2],
             '{"id": "broken-json", "agency": ',                                  # 4: invalid JSON
             dict(good, id="svc-unknown-agency", agency="no-such-agency"),          # 5: unknown agency
             dict(good, id="Bad ID!"),                                             # 6: bad id
             dict(good, id="svc-missing-ru", name=no_ru),                          # 7: missing translation
             dict(good, description=dict(good["description"]))]                   # 8: duplicate id
    write_jsonl_lines(os.path.join(d, "services.jsonl"), lines)
    r = admin_import(portal, d)
    assert r.returncode == 1, (r.stdout, r.stderr)
    rep = reported(r.stderr)
    assert set(rep) == {("services.jsonl", n) for n in (4, 5, 6, 7, 8)}, r.stderr
    assert "JSON" in rep[("services.jsonl", 4)]
    assert "no-such-agency" in rep[("services.jsonl", 5)]
    assert "id" in rep[("services.jsonl", 6)]
    assert "ru" in rep[("services.jsonl", 7)]
    assert "duplicate" in rep[("services.jsonl", 8)] and "din-id-card" in rep[("services.jsonl", 8)]
    assert "nothing was imported" in r.stderr
    assert snapshot(portal) == baseline
    assert portal.get("/api/v1/services/svc-unknown-agency").status == 404


def test_bad_rows_in_every_file(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "bad"))
    agencies = read_jsonl(os.path.join(FIXTURE, "agencies.jsonl"))
    write_jsonl_lines(os.path.join(d, "agencies.jsonl"), agencies + [
        dict(agencies[1], id="weird-kind", kind="kingdom"),          # 3
        dict(agencies[1], id="ftp-site", website="ftp://example"),   # 4
        dict(agencies[1]),                                           # 5: duplicate vn
        dict(agencies[1], id="extra-field", colour="red"),           # 6
        [1, 2, 3],                                                   # 7: not an object
    ])
    events = read_jsonl(os.path.join(FIXTURE, "life_events.jsonl"))
    no_order = dict(events[0], id="no-order")
    del no_order["order"]
    write_jsonl_lines(os.path.join(d, "life_events.jsonl"), events + [no_order])   # 3
    services = read_jsonl(os.path.join(FIXTURE, "services.jsonl"))
    write_jsonl_lines(os.path.join(d, "services.jsonl"), services + [
        dict(services[0], id="unknown-event", life_events=["no-such-event"]),   # 4
        dict(services[0], id="free-with-fee", free=True, fee_azn=3),            # 5
        dict(services[0], id="bad-login", login="password"),                    # 6
        "",                                                                      # 7: blank lines are fine
        dict(services[0], id="no-audience", audience=[]),                       # 8
    ])
    r = admin_import(portal, d)
    assert r.returncode == 1, (r.stdout, r.stderr)
    rep = reported(r.stderr)
    expected = {("agencies.jsonl", n) for n in (3, 4, 5, 6, 7)} | {("life_events.jsonl", 3)} | \
               {("services.jsonl", n) for n in (4, 5, 6, 8)}
    assert set(rep) == expected, r.stderr
    assert "no-such-event" in rep[("services.jsonl", 4)]
    assert snapshot(portal) == baseline


def test_missing_file_changes_nothing(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "partial"))
    os.remove(os.path.join(d, "services.jsonl"))
    r = admin_import(portal, d)
    assert r.returncode == 1
    assert "services.jsonl" in r.stderr
    assert snapshot(portal) == baseline


def test_missing_directory(portal, baseline, tmp_path):
    r = admin_import(portal, str(tmp_path / "no-such-dir"))
    assert r.returncode == 1
    assert snapshot(portal) == baseline


def test_good_reimport_is_idempotent(portal, baseline):
    for _ in range(2):
        r = admin_import(portal, FIXTURE)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == FIXTURE_SUMMARY
        assert not syslib.sanitizer_findings(r.stderr)
        assert snapshot(portal) == baseline


def test_crlf_and_blank_lines_are_accepted(portal, baseline, tmp_path):
    d = str(tmp_path / "crlf")
    os.makedirs(d)
    for name in ("agencies.jsonl", "life_events.jsonl", "services.jsonl"):
        with open(os.path.join(FIXTURE, name), encoding="utf-8") as f:
            lines = [l for l in f.read().splitlines() if l.strip()]
        with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n\r\n")
    r = admin_import(portal, d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == FIXTURE_SUMMARY
    assert snapshot(portal) == baseline


def test_removed_service_is_withdrawn(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "fewer"))
    services = [s for s in read_jsonl(os.path.join(FIXTURE, "services.jsonl")) if s["id"] != "vn-e-declaration"]
    write_jsonl_lines(os.path.join(d, "services.jsonl"), services)
    r = admin_import(portal, d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "imported 2 agencies, 2 services, 2 life situations; 1 services withdrawn"

    page = portal.get("/api/v1/services").json()
    assert [s["id"] for s in page["items"]] == ["din-fine-check", "din-id-card"] and page["total"] == 2
    r404 = portal.get("/api/v1/services/vn-e-declaration")
    assert r404.status == 404 and r404.content_type == "application/problem+json"
    assert portal.get("/services/vn-e-declaration").status == 404
    assert portal.get("/services/vn-e-declaration/start").status == 404
    vn = portal.get("/api/v1/agencies/vn").json()
    assert vn["service_count"] == 0
    events = {e["id"]: e["service_count"] for e in portal.get("/api/v1/life-events").json()["items"]}
    assert events == {"identity-documents": 2, "taxes": 0}
    assert portal.get("/api/v1/services?q=beyanname").json()["total"] == 0
    assert portal.get("/api/v1/services?agency=vn").json() == {"items": [], "total": 0}
    agency_page = portal.get("/agencies/vn?lang=en")
    assert agency_page.status == 200
    assert "This body has no services on the portal yet." in agency_page.text
    assert "The portal has 2 government bodies offering 2 e-services." in portal.get("/?lang=en").text
    assert "vn-e-declaration" not in portal.get("/services?lang=en").text
    # and the next import brings it back (the baseline fixture checks it is unchanged)


def test_changed_service_is_updated_and_searchable(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "changed"))
    services = read_jsonl(os.path.join(FIXTURE, "services.jsonl"))
    for s in services:
        if s["id"] == "din-fine-check":
            s["name"] = dict(s["name"], en="Checking traffic fines by zebrafish", az="Cərimələrin zolaqlı yoxlanılması")
            s["free"], s["fee_azn"] = False, 2.5
            s["documents"] = [{"az": "Sürücülük vəsiqəsi", "en": "Driving licence", "ru": "Водительское удостоверение"}]
    write_jsonl_lines(os.path.join(d, "services.jsonl"), services)
    r = admin_import(portal, d)
    assert r.returncode == 0, r.stderr
    s = portal.get("/api/v1/services/din-fine-check").json()
    assert s["name"]["en"] == "Checking traffic fines by zebrafish"
    assert s["fee"] == {"free": False, "azn": 2.5}
    assert s["documents"] == [{"az": "Sürücülük vəsiqəsi", "en": "Driving licence", "ru": "Водительское удостоверение"}]
    assert [x["id"] for x in portal.get("/api/v1/services?q=zebrafish").json()["items"]] == ["din-fine-check"]
    assert [x["id"] for x in portal.get("/api/v1/services?q=ZOLAQLI").json()["items"]] == ["din-fine-check"]
    assert [x["id"] for x in portal.get("/api/v1/services?free=false").json()["items"]] == ["din-fine-check", "din-id-card"]
    assert "2.50 manat (AZN)" in portal.get("/services/din-fine-check?lang=en").text


def test_portal_refuses_to_start_on_bad_catalogue(tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "bad"))
    with open(os.path.join(d, "services.jsonl"), "a", encoding="utf-8") as f:
        f.write("not json at all\n")
    db = syslib.Database(str(tmp_path))
    try:
        r = run_cli("portal", "--listen", "127.0.0.1:%d" % syslib.free_port(), "--db", db.url, "--import-catalog", d,
                    "--files-dir", str(tmp_path / "files"), timeout=60)
    finally:
        db.drop()
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert set(reported(r.stderr)) == {("services.jsonl", 4)}
    assert not syslib.sanitizer_findings(r.stderr)


def test_migrate_is_idempotent(tmp_path):
    db = syslib.Database(str(tmp_path))
    try:
        versions = []
        for _ in range(2):
            r = run_cli("admin", "migrate", "--db", db.url)
            assert r.returncode == 0, r.stderr
            m = re.search(r"schema version (\d+)", r.stdout)
            assert m, r.stdout
            versions.append(int(m.group(1)))
        assert versions[0] == versions[1] >= 1
        r = run_cli("admin", "import-catalog", "--db", db.url, "--dir", FIXTURE)
        assert r.returncode == 0 and r.stdout.strip() == FIXTURE_SUMMARY, r.stderr
    finally:
        db.drop()


def test_import_reports_as_json_lines_not_mixed(portal, baseline, tmp_path):
    """stdout carries only the summary; problems go to stderr."""
    d = copy_catalog(FIXTURE, str(tmp_path / "bad"))
    with open(os.path.join(d, "services.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "x"}) + "\n")
    r = admin_import(portal, d)
    assert r.returncode == 1
    assert r.stdout == ""
    assert ("services.jsonl", 4) in reported(r.stderr)


def test_readers_never_see_a_half_import(portal, baseline):
    """Re-importing the same catalogue while the portal serves: the import
    is one transaction, so every reader sees all 3 services, never a
    withdrawn or missing one, and never an error."""
    import threading
    stop = threading.Event()
    seen = []

    def reader():
        while not stop.is_set():
            try:
                r = portal.get("/api/v1/services", timeout=20)
                seen.append(r.json()["total"] if r.status == 200 else r.status)
                r = portal.get("/api/v1/services/vn-e-declaration", timeout=20)
                seen.append(3 if r.status == 200 else "detail %s" % r.status)
            except Exception as e:  # noqa: BLE001
                seen.append(repr(e))

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(4):
            r = admin_import(portal, FIXTURE)
            assert r.returncode == 0, r.stderr
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    bad = [x for x in seen if x != 3]
    assert not bad, "readers saw %s" % bad[:5]
    assert len(seen) > 10


def test_removed_agency_and_life_event_leave_the_lists(portal, baseline, tmp_path):
    """catalog.h: the import brings the catalogue "to the files' content".
    An agency or life situation no longer in the files must not stay listed
    (import.c write_all only withdraws services; agencies and life_events
    rows are kept and keep appearing, with 0 services)."""
    d = str(tmp_path / "smaller")
    os.makedirs(d)
    agencies = [a for a in read_jsonl(os.path.join(FIXTURE, "agencies.jsonl")) if a["id"] != "vn"]
    events = [e for e in read_jsonl(os.path.join(FIXTURE, "life_events.jsonl")) if e["id"] != "taxes"]
    services = [s for s in read_jsonl(os.path.join(FIXTURE, "services.jsonl")) if s["agency"] != "vn"]
    write_jsonl_lines(os.path.join(d, "agencies.jsonl"), agencies)
    write_jsonl_lines(os.path.join(d, "life_events.jsonl"), events)
    write_jsonl_lines(os.path.join(d, "services.jsonl"), services)
    r = admin_import(portal, d)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "imported 1 agencies, 2 services, 1 life situations; 1 services withdrawn"
    assert [a["id"] for a in portal.get("/api/v1/agencies").json()["items"]] == ["din"]
    assert [e["id"] for e in portal.get("/api/v1/life-events").json()["items"]] == ["identity-documents"]
    assert 'href="/agencies/vn"' not in portal.get("/agencies").text
    assert "life_event=taxes" not in portal.get("/").text


# ---- the catalogue in memory: an import reaches every node within a bound ----

# catalog.h CAT_PORTAL_MAX_AGE_MS (docs/operations.md): a node reads the
# catalogue's version at most this often, so an import made anywhere is
# answered by every node within it.
VERSION_BOUND_S = 0.005


def test_import_reaches_every_node_within_the_bound_under_load(portal, baseline, tmp_path):
    """A second node on the same database, both under steady read load (so
    each keeps answering from its snapshot and re-reads the version only
    every few milliseconds): after the import command returns, and the
    bound has passed, both nodes answer the new catalogue, and no reader
    ever saw an error."""
    import threading
    second = syslib.Server(str(tmp_path / "node2"), catalog=None, db=portal.db)
    second.start()
    stop = threading.Event()
    errors = []

    def reader(node):
        while not stop.is_set():
            try:
                r = node.get("/api/v1/services?q=zebrafish", timeout=20)
                if r.status != 200:
                    errors.append(r.status)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))

    threads = [threading.Thread(target=reader, args=(n,)) for n in (portal, portal, second, second)]
    for t in threads:
        t.start()
    try:
        d = copy_catalog(FIXTURE, str(tmp_path / "changed"))
        services = read_jsonl(os.path.join(FIXTURE, "services.jsonl"))
        for s in services:
            if s["id"] == "din-fine-check":
                s["name"] = dict(s["name"], en="Checking fines by zebrafish")
        write_jsonl_lines(os.path.join(d, "services.jsonl"), services)
        r = admin_import(portal, d)
        assert r.returncode == 0, r.stderr
        time.sleep(VERSION_BOUND_S * 4)
        for node in (portal, second):
            found = node.get("/api/v1/services?q=zebrafish").json()
            assert [s["id"] for s in found["items"]] == ["din-fine-check"], node.port
            assert node.get("/api/v1/services/din-fine-check").json()["name"]["en"] == "Checking fines by zebrafish"
            page = node.get("/services/din-fine-check?lang=en").text
            assert "Checking fines by zebrafish" in page
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        second.stop()   # not close(): the database is the first node's
    assert not errors, errors[:5]


def test_snapshot_size_is_logged(portal):
    """Each snapshot a node loads is logged at info with its size."""
    portal.get("/api/v1/services")
    deadline = time.monotonic() + 5   # the logger thread writes every 50 ms
    lines = []
    while not lines and time.monotonic() < deadline:
        lines = [json.loads(l) for l in portal.stderr().splitlines() if '"catalog.snapshot"' in l]
        time.sleep(0.05)
    assert lines, portal.stderr_tail()
    assert re.search(r"version \d+: 2 agencies, 2 life situations, 3 services, \d+ bytes", lines[-1]["msg"]), lines[-1]


# ---- pencere admin check-catalog: the same checks, nothing imported ----------

def test_check_catalog_reports_every_bad_row_and_imports_nothing(portal, baseline, tmp_path):
    d = copy_catalog(FIXTURE, str(tmp_path / "bad"))
    rows = read_jsonl(os.path.join(FIXTURE, "services.jsonl"))
    good = rows[0]
    write_jsonl_lines(os.path.join(d, "services.jsonl"), [
        dict(good, name=dict(good["name"], en="A name that must not be imported")),
        rows[1], rows[2],
        '{"id": "broken-json", "agency": ',                                       # 4
        dict(good, id="svc-unknown-agency", agency="no-such-agency"),               # 5
        dict(good, id="din-twice", channels=["portal", "portal"]),                  # 6
        dict(good, id="din-cyrillic", name=dict(good["name"], az="Шəxsiyyət")),     # 7
    ])
    for args in (["admin", "check-catalog", d], ["admin", "check-catalog", "--dir", d]):
        r = run_cli(*args)
        assert r.returncode == 1, (r.stdout, r.stderr)
        rep = reported(r.stderr)
        assert set(rep) == {("services.jsonl", n) for n in (4, 5, 6, 7)}, r.stderr
        assert "no-such-agency" in rep[("services.jsonl", 5)]
        assert "twice" in rep[("services.jsonl", 6)]
        assert "Cyrillic" in rep[("services.jsonl", 7)]
        assert "4 bad rows" in r.stderr and r.stdout == ""
        assert not syslib.sanitizer_findings(r.stderr)
    assert snapshot(portal) == baseline


def test_check_catalog_of_good_files(tmp_path):
    r = run_cli("admin", "check-catalog", FIXTURE)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("2 agencies, 2 life situations, 3 services: OK")
    r = run_cli("admin", "check-catalog", str(tmp_path / "no-such-dir"))
    assert r.returncode == 1 and "agencies.jsonl" in r.stderr


def _db_sql(srv, sql):
    if srv.db.kind == "postgres":
        import subprocess
        r = subprocess.run(["psql", srv.db.url, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    else:
        import sqlite3
        con = sqlite3.connect(srv.db.url, timeout=30)
        con.executescript(sql)
        con.close()


def test_catalogue_keeps_answering_when_its_version_cannot_be_read(portal, baseline):
    """The version check fails (here: its table is gone): the node goes on
    answering the catalogue from its snapshot, says so in its log once, and
    loads the new version as soon as the version can be read again."""
    before = portal.get("/api/v1/services?q=vesiqe").json()
    _db_sql(portal, "DROP TABLE catalog_version")
    try:
        time.sleep(VERSION_BOUND_S * 4)
        for _ in range(20):
            r = portal.get("/api/v1/services?q=vesiqe")
            assert r.status == 200 and r.json() == before
            assert portal.get("/services/din-id-card").status == 200
            time.sleep(VERSION_BOUND_S)
    finally:
        _db_sql(portal, "CREATE TABLE catalog_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);"
                        "INSERT INTO catalog_version(id, version) VALUES (1, 1000000)")
    time.sleep(VERSION_BOUND_S * 4)
    assert portal.get("/api/v1/services?q=vesiqe").json() == before
    deadline = time.monotonic() + 5   # the logger thread writes every 50 ms
    log = ""
    while time.monotonic() < deadline and "catalog.version_check_recovered" not in log:
        time.sleep(0.05)
        log = portal.stderr()
    assert log.count("catalog.version_check_failed") == 1, log[-3000:]
    assert "catalog.version_check_recovered" in log
    assert re.search(r'"catalog.snapshot".*version 1000000:', log)
