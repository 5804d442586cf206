#!/usr/bin/env python3
"""Benchmarks of identity and applications, in one run on this machine:

  1. logins per second (Argon2id) and the p99 of a catalogue page while a
     login storm runs, against the same page's p99 without the storm;
  2. session-checked pages (/account with a cookie) against the anonymous
     agency page, both rendered (page cache off), with wrk;
  3. durable application submissions per second (upload a small PNG, then
     file the application) by concurrent citizens, with p99;
  4. the agency inbox page with 100,000 cases in the queue (p50/p99, wrk);
  5. with --flood: the latency of a real login while clients at many
     addresses send wrong passwords as fast as they can, for BIN and, with
     --before OLD_BIN, for an older build (before/after), on SQLite.

Usage: bench/identity_apps.py BIN [--pg-url ADMIN_URL] [--out FILE.md]
       bench/identity_apps.py BIN --flood [--before OLD_BIN]
Standard library only; wrk must be installed; loopback only.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import benchlib  # shared: free port, CPU ticks, splicing docs/performance.md

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
       b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00"
       b"\x00IEND\xaeB`\x82")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "catalog")


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Portal:
    def __init__(self, binary, db_url, work, extra=()):
        self.port = benchlib.free_port()
        self.work = work
        args = [binary, "portal", "--listen", "127.0.0.1:%d" % self.port, "--db", db_url,
                "--import-catalog", FIXTURE, "--files-dir", os.path.join(work, "files"), "--log-level", "warn"]
        self.proc = subprocess.Popen(args + list(extra), stdout=open(os.path.join(work, "out.log"), "wb"),
                                     stderr=open(os.path.join(work, "err.log"), "wb"))
        for _ in range(300):
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("portal did not start: " + open(os.path.join(work, "err.log")).read()[-2000:])

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def get(self, path, headers=None):
        c = self.conn()
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def api(conn, method, path, body=None, token=None, headers=None, raw=None, ctype="application/json"):
    h = {"Content-Type": ctype}
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    return r.status, r.read(), r


def wrk(url, seconds=10, conns=50, headers=()):
    args = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency"]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def lat(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    return {"rps": rps, "p50": lat(50), "p99": lat(99)}


def make_citizens(binary, db_url, work, n):
    """n synthetic persons with accounts and a known password: seed a
    population, create accounts, activate them through the web form."""
    subprocess.run([binary, "admin", "seed-population", "--db", db_url, "--count", str(n + 50), "--seed", "11"],
                   check=True, capture_output=True)
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--pg-url", help="PostgreSQL admin URL: also run the submission and inbox parts on it")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "identity_apps.json"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--only", choices=["inbox"],
                    help="only the inbox (all of it, by state and overdue, overdue alone, assigned to me); "
                         "replaces only its rows")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"),
                    help="Markdown file whose identity-and-applications section is replaced")
    ap.add_argument("--cases", type=int, default=100000)
    ap.add_argument("--flood", action="store_true", help="only the logins-during-a-flood figures")
    ap.add_argument("--before", help="with --flood: an older binary to compare with")
    a = ap.parse_args()
    if a.flood:
        return flood_main(a)
    results = {"machine": {"nproc": os.cpu_count(), "load": os.getloadavg()[0]}, "backends": {}}
    backends = [("sqlite", None)] + ([("postgres", a.pg_url)] if a.pg_url else [])
    for kind, admin_url in backends:
        work = tempfile.mkdtemp(prefix="pencere-bench-")
        if kind == "sqlite":
            db_url = os.path.join(work, "pencere.db")
        else:
            name = "bench_" + secrets.token_hex(4)
            subprocess.run(["psql", admin_url, "-q", "-c", "CREATE DATABASE %s" % name], check=True)
            u = urllib.parse.urlsplit(admin_url)
            db_url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, "", ""))
        subprocess.run([a.binary, "admin", "seed-demo", "--db", db_url, "--out-dir", work], check=True,
                       capture_output=True)
        accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
        portal = Portal(a.binary, db_url, work, extra=["--page-cache-ms", "0"])
        r = {}
        try:
            if not a.only:
                r.update(bench_identity(portal, accounts, a.seconds) if kind == "sqlite" else {})
                r.update(bench_submissions(portal, accounts, a.seconds))
            r.update(bench_inbox(portal, accounts, db_url, kind, a.cases, a.seconds))
        finally:
            portal.stop()
            shutil.rmtree(work, ignore_errors=True)
        results["backends"][kind] = r
        print(kind, json.dumps(r, indent=1))
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    json.dump(results, open(a.out, "w"), indent=1)
    if a.only:
        update_inbox(results, a.doc)
    else:
        write_doc(results, a.doc)


def login(portal, acc):
    c = portal.conn()
    st, body, _ = api(c, "POST", "/api/v1/auth/password", {"login": acc["login"], "password": acc["password"]})
    c.close()
    assert st == 200, body
    return json.loads(body)["token"]


def cookie_login(portal, acc):
    c = portal.conn()
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    csrf_cookie = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("pc_csrf=")][0]
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "login": acc["login"], "password": acc["password"]})
    c.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                     "Cookie": csrf_cookie})
    r = c.getresponse()
    r.read()
    sess = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("pc_session=")][0]
    c.close()
    return sess


def bench_identity(portal, accounts, seconds):
    out = {}
    base = "http://127.0.0.1:%d" % portal.port
    # the catalogue page alone
    out["agency_page_alone"] = wrk(base + "/agencies/din", seconds=seconds, conns=10)
    # a login storm: 8 clients logging in again and again (a mix of right and
    # wrong passwords would trip the throttle; the storm uses right ones of
    # two accounts, which the throttle never counts)
    stop = time.monotonic() + seconds + 2
    lat, n = [], [0]
    lock = threading.Lock()
    citizens = [x for x in accounts if x["role"] in ("officer", "agency_admin", "operator", "evaluator", "auditor",
                                                    "registrar")]
    def storm(i):
        acc = citizens[i % len(citizens)]
        c = portal.conn()
        while time.monotonic() < stop:
            t0 = time.monotonic()
            st, body, _ = api(c, "POST", "/api/v1/auth/password", {"login": acc["login"], "password": acc["password"]})
            with lock:
                lat.append((time.monotonic() - t0) * 1000)
                n[0] += st == 200
        c.close()
    threads = [threading.Thread(target=storm, args=(i,)) for i in range(8)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(1)
    out["agency_page_during_login_storm"] = wrk(base + "/agencies/din", seconds=seconds, conns=10)
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    out["logins_per_second"] = round(n[0] / elapsed, 1)
    out["login_p50_ms"] = round(pct(lat, 50), 1)
    out["login_p99_ms"] = round(pct(lat, 99), 1)
    # session-checked pages against the anonymous page, both rendered
    sess = cookie_login(portal, [x for x in accounts if x["role"] == "citizen"][0])
    out["anonymous_agency_page"] = wrk(base + "/agencies/din", seconds=seconds)
    out["session_account_page"] = wrk(base + "/account", seconds=seconds, headers=["Cookie: " + sess])
    out["session_agency_page"] = wrk(base + "/agencies/din", seconds=seconds, headers=["Cookie: " + sess])
    return out


def bench_submissions(portal, accounts, seconds):
    tokens = [login(portal, x) for x in accounts if x["role"] in ("citizen", "representative")]
    answers = {"reason": "expired", "phone": "+994501234567", "birth_date": "1990-05-17", "children": 1,
               "members": [{"fin": "5ABC12D", "name": "Əli Məmmədov"}]}
    boundary = "bench-boundary"
    upload = (b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n"
              b"Content-Type: image/png\r\n\r\n" + PNG + b"\r\n--" + boundary.encode() + b"--\r\n")
    lat, done, errors = [], [0], [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    def worker(i):
        tok = tokens[i % len(tokens)]
        c = portal.conn()
        k = 0
        while time.monotonic() < stop:
            k += 1
            t0 = time.monotonic()
            st, body, _ = api(c, "POST", "/api/v1/uploads", token=tok, raw=upload,
                              ctype="multipart/form-data; boundary=" + boundary)
            if st != 201:
                with lock:
                    errors[0] += 1
                continue
            f = json.loads(body)
            st, body, _ = api(c, "POST", "/api/v1/applications",
                              {"service": "din-id-card", "answers": dict(answers, photo=f)}, tok,
                              {"Idempotency-Key": "bench-%d-%d-%s" % (i, k, secrets.token_hex(4))})
            with lock:
                if st == 201:
                    done[0] += 1
                    lat.append((time.monotonic() - t0) * 1000)
                else:
                    errors[0] += 1
        c.close()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return {"submissions_per_second": round(done[0] / elapsed, 1), "submission_p50_ms": round(pct(lat, 50), 1),
            "submission_p99_ms": round(pct(lat, 99), 1), "submission_errors": errors[0], "submitted": done[0]}


def bench_inbox(portal, accounts, db_url, kind, cases, seconds):
    """Put `cases` submitted applications into din's queue straight into the
    database (the schema is the portal's; one in 50 assigned to the officer),
    then time the officer's inbox."""
    officer = [x for x in accounts if x["role"] == "officer" and x["agency"] == "din"][0]
    now = int(time.time())
    applicant = None
    rows = []
    for i in range(cases):
        rows.append(("b%031x" % i, "AZ-2025-%08d" % (i + 1), now - (cases - i) * 30, i % 7))
    states = ["submitted", "registered", "in_review", "info_requested", "approved", "refused", "delivered"]
    if kind == "sqlite":
        db = sqlite3.connect(db_url)
        applicant = db.execute("SELECT id FROM accounts WHERE login = (SELECT login FROM accounts ORDER BY login LIMIT 1)").fetchone()[0]
        assignee = db.execute("SELECT id FROM accounts WHERE login = ?", (officer["login"],)).fetchone()[0]
        db.executemany("INSERT INTO applications(id, reference, service_id, agency_id, form_version, applicant, status,"
                       " answers, version, lang, created_at, updated_at, submitted_at, due_at, assigned_to) VALUES"
                       " (?, ?, 'din-id-card', 'din', 1, ?, ?, '{}', 1, 'az', ?, ?, ?, ?, ?)",
                       [(r[0], r[1], applicant, states[r[3]], r[2], r[2], r[2], r[2] + 15 * 86400,
                         assignee if i % 50 == 0 else None) for i, r in enumerate(rows)])
        db.commit()
        db.close()
    else:
        sql = ["BEGIN;"]
        acc = subprocess.run(["psql", db_url, "-At", "-c", "SELECT id FROM accounts ORDER BY login LIMIT 1"],
                             capture_output=True, text=True, check=True).stdout.strip()
        assignee = subprocess.run(["psql", db_url, "-At", "-c", "SELECT id FROM accounts WHERE login = '%s'"
                                   % officer["login"]], capture_output=True, text=True, check=True).stdout.strip()
        sql.append("INSERT INTO applications(id, reference, service_id, agency_id, form_version, applicant, status, answers,"
                   " version, lang, created_at, updated_at, submitted_at, due_at, assigned_to)"
                   " SELECT 'b' || lpad(to_hex(g), 31, '0'), 'AZ-2025-' || lpad(g::text, 8, '0'), 'din-id-card', 'din', 1,"
                   " '%s', (ARRAY['submitted','registered','in_review','info_requested','approved','refused','delivered'])[g %% 7 + 1],"
                   " '{}', 1, 'az', %d + g * 30, %d + g * 30, %d + g * 30, %d + g * 30 + 1296000,"
                   " CASE WHEN (g - 1) %% 50 = 0 THEN '%s' END"
                   " FROM generate_series(1, %d) g;" % (acc, now - cases * 30, now - cases * 30, now - cases * 30,
                                                       now - cases * 30, assignee, cases))
        sql.append("COMMIT; ANALYZE applications;")
        subprocess.run(["psql", db_url, "-q", "-c", "\n".join(sql)], check=True, capture_output=True)
    sess = cookie_login(portal, officer)
    base = "http://127.0.0.1:%d" % portal.port
    out = {"inbox_cases": cases}
    for key, query in (("inbox_page", ""), ("inbox_filtered_page", "?status=in_review&overdue=1"),
                       ("inbox_overdue_page", "?overdue=1"), ("inbox_mine_page", "?mine=1")):
        out[key] = wrk(base + "/office" + query, seconds=seconds, conns=10, headers=["Cookie: " + sess])
    return out


def flood_login(port, source, login, password, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        st, _, _ = api(c, "POST", "/api/v1/auth/password", {"login": login, "password": password})
        return st
    finally:
        c.close()


FLOOD_RATE = 25     # attempts a second per flooding client, at most


def flood_process(port, indexes, stop, queue):
    """Threads of one flooding process: wrong passwords for unknown logins,
    each thread from its own address; puts its answers' counts on queue."""
    answers, lock = {}, threading.Lock()
    def flood(i):
        n = 0
        while not stop.is_set():
            try:
                st = flood_login(port, "127.0.0.%d" % (2 + i), "ghost.%d.%d" % (i, n), "not-the-password-1", 10)
            except OSError:
                st = "error"
            with lock:
                answers[st] = answers.get(st, 0) + 1
            n += 1
            stop.wait(1.0 / FLOOD_RATE)
    threads = [threading.Thread(target=flood, args=(i,)) for i in indexes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(answers)


def bench_flood(binary, clients, seconds):
    """Real logins (one client, sequential) alone, then while `clients`
    clients at as many addresses (127.0.0.2, …) send wrong passwords for
    unknown logins as fast as they can."""
    work = tempfile.mkdtemp(prefix="pencere-flood-")
    db_url = os.path.join(work, "pencere.db")
    subprocess.run([binary, "admin", "seed-demo", "--db", db_url, "--out-dir", work], check=True, capture_output=True)
    acc = [x for x in json.load(open(os.path.join(work, "demo-accounts.json"))) if x["role"] == "citizen"][0]
    portal = Portal(binary, db_url, work)
    try:
        def real_logins(n):
            took = []
            for _ in range(n):
                t0 = time.monotonic()
                st = flood_login(portal.port, "127.0.0.1", acc["login"], acc["password"])
                took.append((time.monotonic() - t0) * 1000)
                assert st == 200, st
            return took
        alone = real_logins(20)
        # the flood runs in processes of its own, so that the measuring
        # client never waits for Python's lock behind the flooding threads
        stop = multiprocessing.Event()
        queue = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=flood_process, args=(portal.port, range(k, clients, 4), stop, queue))
                 for k in range(4)]
        t0 = time.monotonic()
        for p in procs:
            p.start()
        time.sleep(2)
        during = []
        while time.monotonic() - t0 < 2 + seconds:
            during += real_logins(1)
        stop.set()
        answers = {}
        for _ in procs:
            for st, n in queue.get(timeout=60).items():
                answers[st] = answers.get(st, 0) + n
        for p in procs:
            p.join(30)
        elapsed = time.monotonic() - t0
        return {"clients": clients, "alone_p50_ms": round(pct(alone, 50), 1), "during_p50_ms": round(pct(during, 50), 1),
                "during_p99_ms": round(pct(during, 99), 1), "during_max_ms": round(max(during), 1),
                "real_logins": len(during), "flood_per_second": round(sum(answers.values()) / elapsed, 1),
                "flood_refused_share": round(answers.get(429, 0) / max(1, sum(answers.values())), 3)}
    finally:
        portal.stop()
        shutil.rmtree(work, ignore_errors=True)


FLOOD_BEGIN, FLOOD_END = "<!-- identity_flood:begin -->", "<!-- identity_flood:end -->"


def flood_main(a):
    runs = [("after", a.binary)] + ([("before", a.before)] if a.before else [])
    res = {label: [] for label, _ in runs}
    load = os.getloadavg()[0]
    # the builds take turns, so that both meet the same conditions
    for clients in (16, 48):
        for label, binary in runs:
            res[label].append(bench_flood(binary, clients, a.seconds))
            print(label, json.dumps(res[label][-1]))
    lines = [FLOOD_BEGIN, "### Logins during a flood of wrong passwords", "",
             "Generated by `bench/identity_apps.py BIN --flood --before OLD_BIN` on %s, %d cores, SQLite: one client "
             "logs in again and again with the right password (from 127.0.0.1) while N clients at N other loopback "
             "addresses send wrong passwords for unknown logins, each as fast as answers come but at most %d a "
             "second (%d s; the two builds take turns; load average %.1f when it started — the machine is shared "
             "with other work, and the flooding clients run on it too)."
             % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), FLOOD_RATE, a.seconds, load), "",
             "| build | flood clients | real login alone, p50 | real login during the flood: p50 / p99 / max | flood answered/s | refused unhashed |",
             "|---|---|---|---|---|---|"]
    for label, _ in reversed(runs):
        for r in res[label]:
            lines.append("| %s | %d | %.0f ms | %.0f / %.0f / %.0f ms | %.0f | %.0f %% |"
                         % (label, r["clients"], r["alone_p50_ms"], r["during_p50_ms"], r["during_p99_ms"],
                            r["during_max_ms"], r["flood_per_second"], 100 * r["flood_refused_share"]))
    lines += ["", "Before: every wrong password was hashed in turn (per-address limit 30 in 15 minutes), so a real "
              "login queued behind the flood's hashes. After: an attempt from an address with recent failures "
              "waits only behind a queue of at most 2, otherwise it is answered 429 at once without a hash "
              "(docs/operations.md, \"Logins: delays, challenges, limits\"). The p99 and max after include the "
              "first moments, when each flooding address has no failure yet and its first attempts are hashed like "
              "anyone's, and the shared machine's own spikes.", FLOOD_END]
    saved = os.path.join(ROOT, "bench", "identity_apps.md")
    text = open(saved).read() if os.path.exists(saved) else BEGIN + "\n" + END + "\n"
    if FLOOD_BEGIN in text:
        text = text[:text.index(FLOOD_BEGIN)] + "\n".join(lines) + text[text.index(FLOOD_END) + len(FLOOD_END):]
    else:
        text = text.replace(END, "\n".join(lines) + "\n" + END)
    open(saved, "w").write(text)
    splice_saved(a.doc)


def saved_flood_block():
    """The flood figures already in bench/identity_apps.md (kept when the
    rest of the section is measured again)."""
    saved = os.path.join(ROOT, "bench", "identity_apps.md")
    text = open(saved).read() if os.path.exists(saved) else ""
    if FLOOD_BEGIN not in text:
        return []
    return text[text.index(FLOOD_BEGIN):text.index(FLOOD_END) + len(FLOOD_END)].split("\n")


BEGIN, END = "<!-- identity_apps:begin -->", "<!-- identity_apps:end -->"

# What the filtered inbox cost before migration 011 (measured with --only
# inbox on the same machine, the binary of main at e16bf8a) and why.
INBOX_FIX = open(os.path.join(ROOT, "bench", "inbox_fix.md")).read().strip()


def verdict(ok):
    return "**met**" if ok else "**NOT met**"


def write_doc(res, path):
    """Replace (or append) the identity-and-applications section of path."""
    sq = res["backends"].get("sqlite", {})
    pg = res["backends"].get("postgres", {})
    f = lambda x: "%.0f" % x["rps"]
    lines = [BEGIN, "## Identity and applications", "",
             "Generated by `bench/identity_apps.py build/pencere --pg-url URL` on %s, %d cores; pencere portal with "
             "`--page-cache-ms 0` so that every page is rendered (the anonymous page would otherwise come from the "
             "cache). Re-run it to refresh this section." % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                          res["machine"]["nproc"]), ""]
    if sq.get("logins_per_second"):
        alone, storm = sq["agency_page_alone"], sq["agency_page_during_login_storm"]
        ratio = sq["session_account_page"]["rps"] / sq["anonymous_agency_page"]["rps"]
        lines += ["### Logins (Argon2id t=2, 19 MiB, hashed off the server threads)", "",
                  "| measure | figure |", "|---|---|",
                  "| logins per second, 8 clients at once | %.1f (p50 %.0f ms, p99 %.0f ms: they queue for the hashing worker) |"
                  % (sq["logins_per_second"], sq["login_p50_ms"], sq["login_p99_ms"]),
                  "| catalogue page alone, 10 connections | %s req/s, p99 %.2f ms |" % (f(alone), alone["p99"]),
                  "| the same page during the login storm | %s req/s, p99 %.2f ms |" % (f(storm), storm["p99"]),
                  "| session-checked `/account`, 50 connections | %s req/s, p99 %.2f ms |"
                  % (f(sq["session_account_page"]), sq["session_account_page"]["p99"]),
                  "| anonymous `/agencies/din` (rendered), 50 connections | %s req/s, p99 %.2f ms |"
                  % (f(sq["anonymous_agency_page"]), sq["anonymous_agency_page"]["p99"]),
                  "| session page ÷ anonymous page | %.2f× (goal ≥ 0.8×: %s) |" % (ratio, verdict(ratio >= 0.8)), ""]
    lines += ["### Applications", "", "| measure | SQLite | PostgreSQL | goal |", "|---|---|---|---|"]
    def cell(b, k, fmt):
        return fmt % b[k] if k in b else "—"
    lines.append("| durable submissions/s (upload a PNG + file the application, 16 clients) | %s | %s | ≥ 500/s on SQLite: %s |"
                 % (cell(sq, "submissions_per_second", "%.0f"), cell(pg, "submissions_per_second", "%.0f"),
                    verdict(sq.get("submissions_per_second", 0) >= 500)))
    lines.append("| submission p50 / p99 | %s / %s ms | %s / %s ms | |"
                 % (cell(sq, "submission_p50_ms", "%.1f"), cell(sq, "submission_p99_ms", "%.0f"),
                    cell(pg, "submission_p50_ms", "%.1f"), cell(pg, "submission_p99_ms", "%.0f")))
    lines += inbox_rows(sq, pg)
    lines += ["", "Submissions are durable: SQLite runs with `synchronous=FULL` (each commit reaches the disk); on "
              "PostgreSQL the test cluster runs with `fsync=off`, so its figure is an upper bound. The inbox is "
              "filled straight into the database with 100,000 cases of seven states, one in 50 assigned to the "
              "officer.", "", INBOX_FIX, ""] + saved_flood_block() + [END]
    # kept beside the script too: bench/run.sh rewrites docs/performance.md
    # and splices this section back in from here
    open(os.path.join(ROOT, "bench", "identity_apps.md"), "w").write("\n".join(lines) + "\n")
    splice(path, lines)


def inbox_rows(sq, pg):
    f = lambda x: "%.0f" % x["rps"]
    rows = []
    for key, label, goal in (("inbox_page", "inbox page, 100,000 cases, 10 connections", 50),
                             ("inbox_filtered_page", "inbox filtered (status + overdue)", 5),
                             ("inbox_overdue_page", "inbox overdue (any state)", 50),
                             ("inbox_mine_page", "inbox assigned to me (2,000 of the cases)", 50)):
        a_, b_ = sq.get(key), pg.get(key)
        if goal == 5:
            target = "p99 < 5 ms on SQLite: %s" % verdict(a_ is not None and a_["p99"] < 5)
        else:
            target = "p99 < %d ms: %s" % (goal, verdict(all(x["p99"] < goal for x in (a_, b_) if x)))
        rows.append("| %s: req/s, p99 | %s | %s | %s |"
                    % (label, "%s, %.1f ms" % (f(a_), a_["p99"]) if a_ else "—",
                       "%s, %.1f ms" % (f(b_), b_["p99"]) if b_ else "—", target))
    return rows


def update_inbox(res, path):
    """--only inbox: replace the inbox rows and the note on the inbox of the
    saved section (everything else keeps its figures) and put it into path."""
    saved = os.path.join(ROOT, "bench", "identity_apps.md")
    lines = open(saved).read().rstrip("\n").split("\n")
    lines = [l for l in lines if not l.startswith("| inbox")]
    at = next(i for i, l in enumerate(lines) if l.startswith("| submission p50")) + 1
    lines[at:at] = inbox_rows(res["backends"].get("sqlite", {}), res["backends"].get("postgres", {}))
    note = ("The inbox rows: `bench/identity_apps.py build/pencere --only inbox --pg-url URL` on %s, %d cores, "
            "load average %.1f when it started (the machine is shared with other work); 100,000 cases of seven "
            "states, one in 50 assigned to the officer."
            % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), res["machine"]["nproc"], res["machine"]["load"]))
    block = INBOX_FIX.split("\n") + ["", note]
    first = block[0]
    if first in lines:
        # the block ends with its note (or, without one, with INBOX_FIX)
        start = lines.index(first)
        end = next((i for i in range(start, len(lines)) if lines[i].startswith("The inbox rows:")),
                   start + len(INBOX_FIX.split("\n")) - 1)
        lines[start:end + 1] = block
    else:
        lines[-1:-1] = [""] + block if lines[-2] else block
    open(saved, "w").write("\n".join(lines) + "\n")
    splice(path, lines)


def splice(path, lines):
    benchlib.splice(path, lines, BEGIN, END)


def splice_saved(path):
    """Put the saved section (bench/identity_apps.md) into path."""
    saved = os.path.join(ROOT, "bench", "identity_apps.md")
    if os.path.exists(saved):
        splice(path, open(saved).read().rstrip("\n").split("\n"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--splice":
        splice_saved(sys.argv[2])
        sys.exit(0)
    main()
