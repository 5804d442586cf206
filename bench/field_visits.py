#!/usr/bin/env python3
"""An inspector's phone back online with 100 visits recorded offline
(issue 17, item 4): how long its outbox takes to send, one record after
another as assets/inspect.js sends them (each a multipart post of the
visit's answers and one photo of 200 KB, answered with JSON), against two
references in the same run on the same server: the same 100 photos sent
to the upload API (/api/v1/uploads: the file store alone), and 100 GET
/healthz (the HTTP floor).

A `pencere portal` seeded with the demo accounts on SQLite; 100 fixture
applications (din-id-card) whose visits the din officer gives to
inspector.din beforehand.  The result goes to bench/field_visits.md and is
spliced into docs/performance.md between <!-- inspect:begin --> and
<!-- inspect:end -->.

Usage: bench/field_visits.py BIN [--visits N] [--doc docs/performance.md]
       bench/field_visits.py --splice docs/performance.md
"""
import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAVED = os.path.join(ROOT, "bench", "field_visits.md")
BEGIN, END = "<!-- inspect:begin -->", "<!-- inspect:end -->"
PHOTO_BYTES = 200 * 1024


def timed(fn, n):
    """Run fn(i) for i < n one after another: (total seconds, per-call ms list)."""
    each = []
    t0 = time.perf_counter()
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        each.append((time.perf_counter() - t) * 1000)
    return time.perf_counter() - t0, each


def p(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--splice":
        if os.path.exists(SAVED):
            benchlib.splice(sys.argv[2], open(SAVED).read().rstrip("\n").split("\n"), BEGIN, END)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--visits", type=int, default=100)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    os.environ["PENCERE_BIN"] = os.path.abspath(a.binary)
    os.environ["PENCERE_TEST_DB"] = "sqlite"
    sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
    import syslib
    from test_applications import GOOD, PNG, submit
    from test_apply_html import login
    from test_inspect import form_data, visit_of

    work = tempfile.mkdtemp(prefix="pencere-bench-inspect.")
    db = syslib.Database(work)
    r = syslib.run_cli("admin", "seed-demo", "--db", db.url, "--out-dir", work, timeout=120)
    assert r.returncode == 0, r.stderr
    srv = syslib.Server(work, db=db)
    srv.start()
    srv.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
    srv.tokens = {}
    load = open("/proc/loadavg").read().split()[0]
    try:
        from test_applications import token
        tok = token(srv, "citizen")
        officer = login(srv, "officer", "din")
        refs = []
        for i in range(a.visits):
            st, body, _ = submit(srv, GOOD, tok)
            assert st == 201, body
            refs.append(body["reference"])
            r = officer.post("/office/cases/%s/inspection" % body["reference"], {"inspector": "inspector.din"},
                             from_page="/office/cases/" + body["reference"])
            assert r.status == 303, r.status
        insp = login(srv, "inspector", "din")
        page = insp.get("/inspect/visits")
        visits = [visit_of(insp, ref) for ref in refs]
        assert all(visits) and page.status == 200
        first = insp.get("/inspect/visits/" + visits[0]).text
        csrf = re.search(r'\?csrf=([0-9a-f]+)"', first).group(1)
        photos = [PNG + os.urandom(PHOTO_BYTES) for _ in range(a.visits)]
        bodies = []
        for i, v in enumerate(visits):
            fields = {"client_id": "bench-record-%06d" % i, "visited_at": str(int(time.time()) - 60),
                      "housing": "rented", "condition": "poor", "rooms": "2", "water": "1", "notes": "Bench"}
            bodies.append(form_data(fields, [(photos[i], "image/png")]))

        def sync(i):
            body, ct = bodies[i]
            r = syslib.request(srv.port, "POST", "/inspect/visits/%s?csrf=%s" % (visits[i], csrf), body=body,
                               headers=insp._headers({"Content-Type": ct, "Accept": "application/json"}))
            assert r.status == 200 and r.json()["outcome"] == "taken", (r.status, r.text[:200])

        def upload(i):
            body, ct = form_data({}, [(photos[i] + b"u", "image/png")])
            body = body.replace(b'name="photo"', b'name="file"')
            r = syslib.request(srv.port, "POST", "/api/v1/uploads", body=body,
                               headers={"Content-Type": ct, "Authorization": "Bearer " + tok})
            assert r.status == 201, r.status

        def health(i):
            assert syslib.request(srv.port, "GET", "/healthz").status == 200

        rows = []
        for name, fn in (("GET /healthz", health), ("the same photos to /api/v1/uploads", upload),
                         ("visits synced (answers + one photo each)", sync)):
            total, each = timed(fn, a.visits)
            rows.append((name, total, statistics.median(each), p(each, 0.99)))
    finally:
        srv.close()
        db.drop()
        shutil.rmtree(work, ignore_errors=True)
    sync_total = rows[2][1]
    lines = [BEGIN, "## Field visits: a phone's outbox sent (bench/field_visits.py)", "",
             "Measured %s on this 2-core machine shared with other work (load average %s at the start), SQLite, "
             "one request after another as the phone's script sends them, %d visits, a %d KB photo each." % (
                 time.strftime("%Y-%m-%d %H:%M UTC"), load, a.visits, PHOTO_BYTES // 1024), "",
             "| %d requests | total s | median ms | p99 ms |" % a.visits, "| --- | --- | --- | --- |"]
    for name, total, med, p99 in rows:
        lines.append("| %s | %.2f | %.1f | %.1f |" % (name, total, med, p99))
    lines += ["", "The outbox of %d visits is sent in **%.1f s**; a visit costs %.1f× a bare upload of its photo "
              "(the record's checks, its audited transaction, the photo's row and the access log of the "
              "household's reads)." % (a.visits, sync_total, rows[2][2] / max(rows[1][2], 0.001)), END]
    open(SAVED, "w").write("\n".join(lines) + "\n")
    benchlib.splice(a.doc, lines, BEGIN, END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
