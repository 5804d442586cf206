#!/usr/bin/env python3
"""Benchmarks of participation and the online queue, in one run on this
machine:

  1. votes per second with exactly-once counting: THREADS threads cast a
     vote each for VOTERS different persons (every tenth tries a second
     vote, which must be refused) through the module (part_vote: the
     group commit under the polls lock), then the count must equal the
     voters exactly;
  2. bookings per second for one hot day of one centre (40 counters,
     10-minute slots: 2,160 slots, of which a day's listing gives the
     first 2,000): every thread asks for every listed slot from its own
     starting point, so most requests race for a slot just taken;
     every slot must end booked exactly once;
  3. the hall's display page (/queue/centres/ID/display) over HTTP with
     wrk: requests/s, p50 and p99, with 30 people called.

1 and 2 run build/bench_participation (bench/participation.c) on SQLite
and, with --pg-url, on PostgreSQL.  The section goes to
bench/participation.md and is spliced into docs/performance.md between
<!-- participation:begin --> and <!-- participation:end -->.

Usage: bench/participation.py BUILD_DIR [--pg-url ADMIN_URL] [--threads N] [--voters N] [--doc docs/performance.md]
Standard library only; wrk must be installed; loopback only.
"""
import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import benchlib  # shared: free port, CPU ticks, splicing docs/performance.md

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(ROOT, "tests", "fixtures", "catalog")
BEGIN, END = "<!-- participation:begin -->", "<!-- participation:end -->"


def domain(build, url, threads, voters):
    out = subprocess.run([os.path.join(build, "bench_participation"), url, CATALOG, str(threads), str(voters)],
                         capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        sys.exit("bench_participation failed on %s: %s %s" % (url, out.stdout, out.stderr))
    return json.loads(out.stdout)


def call(port, method, path, body=None, token=None):
    h = {"Content-Type": "application/json"}
    if token:
        h["Authorization"] = "Bearer " + token
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def wrk(url, seconds=10, conns=32):
    out = subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)" % label, out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"),
            "p99": ms("99%"), "bad": int(bad.group(1)) if bad else 0}


def display(build):
    """A demo portal with 30 people called at the demo centre, its display page under wrk."""
    work = tempfile.mkdtemp(prefix="bench-participation-")
    port = benchlib.free_port()
    log = open(os.path.join(work, "demo.log"), "w")
    proc = subprocess.Popen([os.path.join(build, "pencere"), "demo", "--data-dir", work, "--listen",
                             "127.0.0.1:%d" % port, "--log-level", "warn", "--per-ip-connections", "0"],
                            stdout=log, stderr=log)
    try:
        for _ in range(600):
            if os.path.exists(os.path.join(work, "demo-participation.json")):
                try:
                    call(port, "GET", "/healthz")
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
        login = lambda role: [a for a in accounts if a["role"] == role and a["agency"] in (None, "din")][0]
        tok = lambda a: call(port, "POST", "/api/v1/auth/password", {"login": a["login"], "password": a["password"]})["token"]
        op, off = tok(login("operator")), tok(login("officer"))
        demo = json.load(open(os.path.join(work, "demo-participation.json")))
        centre = call(port, "GET", "/api/v1/queue/centres")["items"][0]
        service = centre["counters"][2]["service"]          # the one without login
        body = {"agency": "din", "name": {"az": "D", "en": "D", "ru": "D"}, "address": {"az": "", "en": "", "ru": ""},
                "slot_minutes": 5, "utc_offset": 240, "counters": [service] * 3, "hours": [[0, 1440]] * 7}
        call(port, "POST", "/api/v1/queue/centres/hall", body, op)
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 4 * 3600))
        slots = [s for s in call(port, "GET", "/api/v1/queue/slots?centre=hall&service=%s&date=%s" % (service, day))["items"]
                 if s["free"] and s["start"] > time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))]
        called = 0
        for i, s in enumerate(slots[:30]):
            b = call(port, "POST", "/api/v1/queue/bookings", {"slot": s["id"], "name": "P", "phone": "+99450%07d" % i})
            call(port, "POST", "/api/v1/queue/centres/hall/check-in", {"code": b["code"]}, off)
            call(port, "POST", "/api/v1/queue/centres/hall/call", {"counter": 1 + i % 3}, off)
            called += 1
        r = wrk("http://127.0.0.1:%d/queue/centres/hall/display" % port)
        r["called"] = called
        r["poll"] = demo["poll"]
        return r
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def section(results, disp, threads):
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = []
    for r in results:
        rows.append("| %s | %d | %s | %s | %.2f ms | %.2f ms | %s |" % (
            r["db"], r["threads"], format(r["voters"], ","), format(int(r["votes_per_sec"]), ","), r["vote_p50_ms"],
            r["vote_p99_ms"], "yes: %s ballots for %s voters" % (format(r["votes_counted"], ","), format(r["voters"], ","))
            if r["votes_exact"] else "**NO**"))
    brows = []
    for r in results:
        brows.append("| %s | %d | %s | %s | %s | %s | %s |" % (
            r["db"], r["threads"], format(r["slots"], ","), format(r["booking_attempts"], ","),
            format(int(r["attempts_per_sec"]), ","), format(int(r["bookings_per_sec"]), ","),
            "yes: every slot booked once" if r["slots_exact"] else "**NO**"))
    sqlite = [r for r in results if r["db"] == "sqlite"][0]
    goal = "met" if sqlite["votes_per_sec"] >= 5000 else "**not met**"
    return "\n".join([
        BEGIN,
        "## Participation and the online queue",
        "",
        "Generated by `bench/participation.py` on %s (the machine was shared with other builds: "
        "load average %s at the end)." % (now, open("/proc/loadavg").read().split()[0]),
        "",
        "**Votes with exactly-once counting** (goal ≥ 5,000/s on SQLite: %s). %d threads each cast votes for "
        "different persons through `part_vote` (the group commit under the polls lock; each vote with its "
        "audit entry); every tenth person tries again and must be refused; the count must then equal the "
        "voters." % (goal, threads),
        "",
        "| Database | Threads | Voters | Votes/s | p50 | p99 | Counted exactly |",
        "|---|---:|---:|---:|---:|---:|---|",
    ] + rows + [
        "",
        "**Bookings for one hot day of one centre**: 40 counters, 10-minute slots from 09:00 to 18:00 (2,160 slots; a day's listing returns at most 2,000, and those are the ones asked for); "
        "every thread asks for every slot, from its own starting point, so most requests lose a race "
        "(answered 409).  Each booking is durable with its audit entry and its confirmation in the outbox.",
        "",
        "| Database | Threads | Slots | Requests | Requests/s | Bookings/s | No slot twice |",
        "|---|---:|---:|---:|---:|---:|---|",
    ] + brows + [
        "",
        "**The hall's display page** (`/queue/centres/ID/display`, rendered each time: no page cache), "
        "with %d people called, wrk 32 connections for 10 s: %s requests/s, p50 %.2f ms, p99 %.2f ms%s." % (
            disp["called"], format(int(disp["rps"]), ","), disp["p50"], disp["p99"],
            "" if not disp["bad"] else " (%d non-2xx)" % disp["bad"]),
        "",
        "PostgreSQL here is the test cluster of `scripts/pg-test.sh` (fsync off) on the same two cores; "
        "each vote and booking is several round trips, and the votes of a batch wait on one lock chain "
        "(the audit log's), so on a loaded machine it stays well below SQLite.",
        END,
    ])


def splice(doc, text):
    s = open(doc, encoding="utf-8").read()
    if BEGIN in s:
        s = s[:s.index(BEGIN)] + text + s[s.index(END) + len(END):]
    else:
        s = s.rstrip("\n") + "\n\n" + text + "\n"
    open(doc, "w", encoding="utf-8").write(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--pg-url")
    ap.add_argument("--threads", type=int, default=64)
    ap.add_argument("--voters", type=int, default=20000)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bench-participation-db-")
    results = [domain(a.build, os.path.join(work, "bench.db"), a.threads, a.voters)]
    if a.pg_url:
        name = "bench_part_" + secrets.token_hex(4)
        subprocess.run(["psql", a.pg_url, "-qc", "CREATE DATABASE " + name], check=True)
        try:
            results.append(domain(a.build, a.pg_url.rsplit("/", 1)[0] + "/" + name, a.threads, a.voters))
        finally:
            subprocess.run(["psql", a.pg_url, "-qc", "DROP DATABASE " + name])
    text = section(results, display(a.build), a.threads)
    open(os.path.join(ROOT, "bench", "participation.md"), "w").write(text + "\n")
    splice(a.doc, text)
    print(text)


if __name__ == "__main__":
    main()
