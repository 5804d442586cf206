#!/usr/bin/env python3
"""Benchmark of the exchange layer (issue 11), in one run on this machine:

  1. a provider service called directly and through consumer gateway →
     provider gateway (signing, verification, OCSP checks and the message
     log on, both sides): the population register's REST query by FİN;
     throughput with wrk (2 threads, 16 connections) and latency at a
     moderate load (2 connections): the goal is ≥ 0.5× the direct
     throughput and < 5 ms added p99;
  2. the same with 1 KB and 1 MB request bodies (a document service whose
     provider echoes the body: a small Python server, the same for both
     paths);
  3. the message log's growth: bytes of the consumer gateway's database
     per record, scaled to a million messages (bodies kept, and the part
     that bodies take).

The processes are those of the system tests (tests/system/exchange_support.py:
a CA, the central registry, two gateways talking directly, the population
register with 1,000 people), on SQLite.  Each gateway's CPU time per call
(from /proc) is given beside the throughput: on a shared machine it moves
far less than req/s.  --baseline OLD_BINARY measures an earlier build's
gateway rows first, in the same run, as "before".  The section goes to bench/exchange.md and is
spliced into docs/performance.md between <!-- exchange:begin --> and
<!-- exchange:end -->.

Usage: bench/exchange.py BIN [--seconds N] [--doc docs/performance.md] [--baseline OLD_BIN --baseline-label TEXT]
       bench/exchange.py --splice docs/performance.md
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import benchlib  # shared: free port, CPU ticks, splicing docs/performance.md

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BEGIN, END = "<!-- exchange:begin -->", "<!-- exchange:end -->"
SAVED = os.path.join(ROOT, "bench", "exchange.md")

WRK_SCRIPT = """
local f = os.getenv("BODY")
if f then
  wrk.method = "POST"
  local h = io.open(f, "rb"); wrk.body = h:read("*all"); h:close()
  wrk.headers["Content-Type"] = os.getenv("CTYPE") or "application/octet-stream"
end
local c = os.getenv("CLIENT")
if c then wrk.headers["X-Road-Client"] = c end
-- a SOAP message names its own id, and a gateway refuses one it has seen:
-- each request gets "bench-THREAD-N" for the body's "bench-1"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local seq = 0
if os.getenv("UNIQUE_ID") then
  request = function()
    seq = seq + 1
    return wrk.format(nil, nil, nil, (wrk.body:gsub("bench%-1", "bench-" .. tid .. "-" .. seq)))
  end
end
"""


def wrk(url, seconds, conns, threads, env):
    e = dict(os.environ)
    e.update(env)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s",
                          env["SCRIPT"], url], capture_output=True, text=True, env=e, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    n = int(re.search(r"(\d+) requests in", out).group(1))

    def ms(label):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % label, out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "n": n, "p50": ms("50"), "p99": ms("99"), "non2xx": int(errors.group(1)) if errors else 0}


def wrk_cpu(url, seconds, conns, threads, env, procs):
    """wrk, and the CPU each of procs ({name: Proc}) spent per request (µs)."""
    t0 = {k: benchlib.cpu_ticks(p.proc.pid) for k, p in procs.items()}
    r = wrk(url, seconds, conns, threads, env)
    r["cpu"] = {k: (benchlib.cpu_ticks(p.proc.pid) - t0[k]) / benchlib.TICK * 1e6 / max(r["n"], 1)
                for k, p in procs.items()}
    return r


def soap_envelope(xs, fin):
    """A getPerson request in the X-Road SOAP protocol, as an information
    system sends it to its gateway (the registry ignores the header)."""
    def ident(i, service=False):
        parts = i.split("/")
        tags = ("xRoadInstance", "memberClass", "memberCode", "subsystemCode") + (("serviceCode",) if service else ())
        return "".join("<iden:%s>%s</iden:%s>" % (t, v, t) for t, v in zip(tags, parts))
    return ('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:iden="http://x-road.eu/xsd/identifiers" '
            'xmlns:t="urn:pencere:population"><e:Header><xrd:client>%s</xrd:client><xrd:service>%s</xrd:service>'
            '<xrd:id>bench-1</xrd:id><xrd:protocolVersion>4.0</xrd:protocolVersion></e:Header><e:Body>'
            '<t:getPerson><t:fin>%s</t:fin></t:getPerson></e:Body></e:Envelope>' % (
                ident(xs.CLIENT), ident(xs.SOAP, True), fin)).encode()


def run(xs, seconds, gateway_args, with_bodies, peer_tls=False):
    """One exchange: the FİN query direct and through the gateways, then
    (with_bodies) the echo service with 1 KB and 1 MB bodies and the
    log's size."""
    tmp = tempfile.mkdtemp(prefix="pencere-bench-xr-")
    script = os.path.join(tmp, "wrk.lua")
    open(script, "w").write(WRK_SCRIPT)
    # no tampering proxy between the gateways: they talk directly
    x = xs.Exchange(tmp, gw1_tsa_interval="60", gw2_tsa_interval="60", gateway_args=gateway_args,
                    peer_tls=peer_tls, tamper=False)
    out = {}
    try:
        fin = "0034LZB"
        direct = x.registry.url + "/population/v1/persons/" + fin
        via = "http://127.0.0.1:%d/r1/%s/%s" % (x.gw1.port, xs.PERSONS, fin)
        base = {"SCRIPT": script}
        gw = dict(base, CLIENT=xs.CLIENT)
        procs = {"gw1": x.gw1, "gw2": x.gw2}
        for name, url, env in (("direct", direct, base), ("gateways", via, gw)):
            wrk(url, 2, 8, 2, env)  # warm-up
            out[name, "max"] = wrk(url, seconds, 16, 2, env) if name == "direct" else \
                wrk_cpu(url, seconds, 16, 2, env, procs)
            out[name, "moderate"] = wrk(url, seconds, 2, 1, env)
        if with_bodies:
            out["bodies"] = {}
            for size, label in ((1024, "1 KB"), (1 << 20, "1 MB")):
                body = os.path.join(tmp, "body-%d" % size)
                open(body, "wb").write(os.urandom(size))
                via = "http://127.0.0.1:%d/r1/%s" % (x.gw1.port, xs.BIG)
                wrk(via, 2, 4, 2, dict(gw, BODY=body))  # warm-up
                out["bodies"][label] = (
                    wrk(x.provider.url + "/upload", seconds, 4, 2, dict(base, BODY=body)),
                    wrk_cpu(via, seconds, 4, 2, dict(gw, BODY=body), procs))
            # the SOAP path: the registry's SOAP service direct and through both gateways
            env = os.path.join(tmp, "soap.xml")
            open(env, "wb").write(soap_envelope(xs, fin))
            senv = dict(base, BODY=env, CTYPE="text/xml; charset=utf-8", UNIQUE_ID="1")
            via = "http://127.0.0.1:%d/" % x.gw1.port
            wrk(via, 2, 8, 2, senv)  # warm-up
            out["soap"] = (wrk(x.registry.url + "/population/soap", seconds, 16, 2, senv),
                           wrk_cpu(via, seconds, 16, 2, senv, procs))
        out["records"] = xs.request(x.gw1.port, "GET", "/healthz").json()["log_records"]
        for p in (x.gw1, x.gw2):
            p.stop()  # checkpoint the WAL into the file
        if with_bodies:  # on SQLite: the log's size
            out["db_bytes"] = os.path.getsize(x.gw1.db)
            con = sqlite3.connect(x.gw1.db)
            # bodies as bytes (body_raw, migration 311) or, in earlier builds, base64 (body)
            raw = any(c[1] == "body_raw" for c in con.execute("PRAGMA table_info(xr_msglog)"))
            stored = "COALESCE(LENGTH(body_raw), LENGTH(body), 0)" if raw else "COALESCE(LENGTH(body), 0)"
            out["body_bytes"] = con.execute("SELECT COALESCE(SUM(%s), 0) FROM xr_msglog" % stored).fetchone()[0]
            out["big"] = con.execute("SELECT COUNT(*) FROM xr_msglog WHERE %s > 100000" % stored).fetchone()[0]
            # what a record of each body size stores of its body (the echo answers the same size)
            out["stored"] = {label: con.execute("SELECT AVG(%s) FROM xr_msglog WHERE service = ? AND %s BETWEEN ? "
                                                "AND ?" % (stored, stored), (xs.BIG, lo, hi)).fetchone()[0] or 0
                             for label, lo, hi in (("1 KB", 1000, 2000), ("1 MB", 1000000, 2000000))}
            con.close()
        for p in (x.gw1, x.gw2):
            r = xs.run_cli("gateway", "verify-log", "--data-dir", p.dir, "--db", p.db, timeout=600)
            assert r.returncode == 0, r.stderr
    finally:
        x.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def splice(path, lines):
    benchlib.splice(path, lines, BEGIN, END)


# Where one call's CPU goes (perf record --call-graph dwarf on both gateways
# under wrk, 16 connections, relaxed log, plain HTTP; shares of each
# gateway's samples), measured once by hand with this script's setup: the
# profile is not rerun by the script, its date says when it was taken.
PROFILE = [
    "Where one call's CPU goes after this work (perf, %s; shares of each gateway's samples, consumer / provider): "
    "the message log %s (SQLite's commit writing the WAL is most of it: two records per call on each side, each "
    "waited for before the message moves on); the two ECDSA P-256 verifications (the member's signature and the "
    "sending gateway's authentication) %s; the two signatures %s; libcurl to the other gateway or the provider "
    "%s; the rest is the HTTP server, parsing, hashing and allocation. In kernel time (sockets, the WAL's writes, "
    "thread switches) about a quarter." % ("2026-12-07", "25 % / 30 %", "27 % / 22 %", "8 % / 10 %", "24 % / 12 %"),
    "",
    "Before this work the same profile had: the signer's certificate parsed from DER (18 % / 21 %) and its "
    "chain checked (11 % / 15 %) for every message, a new TCP connection per message between the gateways, a "
    "look-up of the signer's certificate and a `PRAGMA` for every log batch, and each record holding the "
    "base64 OCSP answer (about 2.4 KB of a record's 3.9 KB). Now: a checked certificate is kept by the digest of "
    "its DER with the CA it was checked against and its chain's validity window (src/exchange/certcache.c; "
    "revocation is still checked on every message with its fresh OCSP answer), connections between gateways "
    "are kept (plain HTTP too: the 40 ms stall once blamed on our HTTP stack was the tests' Python proxy under "
    "Nagle's algorithm), and the log stores each certificate and OCSP answer once (migration 310; the hash chain "
    "still covers the answer whole).",
    "",
    "Big bodies and the SOAP path (perf of each gateway, 2026-12-07, 1 MB bodies at 4 connections): before this "
    "work about two thirds of a gateway's CPU for a 1 MB call was the kernel's: page faults and `munmap` of fresh"
    " mappings (about a quarter: the program's mmap threshold of 1 MiB, set in main for Argon2id's work areas, "
    "made every copy of a body a new mapping, faulted in page by page), SQLite writing the body to the WAL, "
    "reading it back and syncing at checkpoints (about 28 %), and the body's base64 for the log. Now bodies are "
    "stored as bytes (`body_raw`, migration 311: a quarter fewer bytes, no encoding; the chain covers the body's "
    "hash, as before), the gateway process keeps big blocks in the heap (mmap threshold 32 MiB, trim threshold "
    "256 MiB: a worker thread's arena keeps about its largest message), and the provider's answer buffer is "
    "handed to the request's arena instead of copied. What remains for a 1 MB body is the log's own writing "
    "(SQLite writes each body twice, WAL and checkpoint), two SHA-512 of a body per gateway (request and answer) "
    "and the socket copies. A SOAP call's profile is that of a REST call: parsing the envelope and rendering "
    "faults are under 1 % of a gateway's CPU, so nothing SOAP-specific was worth changing.",
]


def table_row(name, mx, mo):
    cpu = mx.get("cpu")
    return "| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %s | %s |" % (
        name, mx["rps"], mx["p50"], mx["p99"], mo["rps"], mo["p50"], mo["p99"],
        "%.0f" % cpu["gw1"] if cpu else "–", "%.0f" % cpu["gw2"] if cpu else "–")


def measure(xs, seconds, modes, pg_url=None):
    """The rows of each mode (durable, relaxed, tls; pg: every database on
    PostgreSQL at pg_url) and the direct call (the last SQLite mode's run),
    and what the relaxed run found of bodies and the log."""
    import syslib
    res = {}
    extra = {"durable": (), "relaxed": ("--relaxed-log",), "tls": ("--relaxed-log",), "pg": ("--relaxed-log",)}
    for mode in modes:
        syslib.DB_KIND, syslib.PG_URL = ("postgres", pg_url) if mode == "pg" else ("sqlite", syslib.PG_URL)
        r = run(xs, seconds, extra[mode], with_bodies=mode == "relaxed", peer_tls=mode == "tls")
        if mode == "pg":
            res[mode, "max"], res[mode, "moderate"] = r["gateways", "max"], r["gateways", "moderate"]
            continue
        res["direct", "max"], res["direct", "moderate"] = r["direct", "max"], r["direct", "moderate"]
        res[mode, "max"], res[mode, "moderate"] = r["gateways", "max"], r["gateways", "moderate"]
        if mode == "relaxed":
            res["relaxed-extra"] = {k: r[k] for k in ("bodies", "soap", "records", "db_bytes", "body_bytes", "big",
                                                      "stored")}
    return res


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--splice":
        if os.path.exists(SAVED):
            splice(sys.argv[2], open(SAVED).read().rstrip("\n").split("\n"))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    ap.add_argument("--baseline", help="an earlier binary: its gateway rows (relaxed log, plain and TLS) are "
                                       "measured first, in the same run, and shown as 'before'")
    ap.add_argument("--baseline-label", default="before")
    ap.add_argument("--pg", metavar="URL", help="also a row with every database on this PostgreSQL server")
    ap.add_argument("--json-out", help=argparse.SUPPRESS)  # the baseline's own run writes its rows here
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed")
    os.environ["PENCERE_BIN"] = os.path.abspath(a.binary)
    os.environ["PENCERE_TEST_DB"] = "sqlite"
    sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
    import exchange_support as xs

    if a.json_out:
        res = measure(xs, a.seconds, ("relaxed", "tls"))
        rows = {m: {"max": res[m, "max"], "moderate": res[m, "moderate"]} for m in ("relaxed", "tls")}
        rows["direct"] = {"max": res["direct", "max"], "moderate": res["direct", "moderate"]}
        rows["extra"] = res["relaxed-extra"]
        json.dump(rows, open(a.json_out, "w"))
        return
    t0 = time.time()
    load = open("/proc/loadavg").read().split()[0]
    before = None
    if a.baseline:
        out = tempfile.mktemp(prefix="pencere-bench-xr-", suffix=".json")
        subprocess.run([sys.executable, os.path.abspath(__file__), a.baseline, "--seconds", str(a.seconds),
                        "--json-out", out], check=True)
        before = json.load(open(out))
        os.unlink(out)
    res = measure(xs, a.seconds, ("durable", "relaxed", "tls") + (("pg",) if a.pg else ()), a.pg)
    ex = res["relaxed-extra"]
    bodies, records, db_bytes, body_bytes, big = ex["bodies"], ex["records"], ex["db_bytes"], ex["body_bytes"], \
        ex["big"]
    d, dm = res["direct", "max"], res["direct", "moderate"]
    per_record = (db_bytes - body_bytes) / max(records, 1)
    lines = [BEGIN, "## Exchange layer (bench/exchange.py)", "",
             "Measured %s on this 2-core machine shared with other work (load average %s at the start), "
             "SQLite, `wrk --latency`, %d s per row after a warm-up; every message signed by the member, "
             "authenticated gateway to gateway, checked (signatures, OCSP freshness, access) and logged on both "
             "sides (group commit); the logs' heads time-stamped every 60 s; the gateways talk directly (no proxy "
             "between them). Goal: ≥ 0.5× the direct throughput, < 5 ms added p99 at a moderate load. The CPU "
             "columns are each gateway's CPU time per call at 16 connections (from /proc, user + system): the "
             "figure that does not depend on how busy the shared machine is." % (
                 time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t0)), load, a.seconds), "",
             "| population register by FİN | req/s (16 conn.) | p50 ms | p99 ms | req/s (2 conn.) "
             "| p50 ms | p99 ms | consumer gateway CPU µs/call | provider gateway CPU µs/call |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    rows = [("direct", d, dm)]
    if before:
        rows += [("%s: direct (its own run)" % a.baseline_label, before["direct"]["max"],
                  before["direct"]["moderate"]),
                 ("%s: two gateways, `--relaxed-log`" % a.baseline_label, before["relaxed"]["max"],
                  before["relaxed"]["moderate"]),
                 ("%s: two gateways over mutual TLS, `--relaxed-log`" % a.baseline_label, before["tls"]["max"],
                  before["tls"]["moderate"])]
    for name, key in (("two gateways, log commits wait for the disk", "durable"),
                      ("two gateways, `--relaxed-log`", "relaxed"),
                      ("two gateways over mutual TLS (`--peer-listen`), `--relaxed-log`", "tls")):
        rows.append((name, res[key, "max"], res[key, "moderate"]))
    if a.pg:
        rows.append(("two gateways, every database on PostgreSQL (the test server: fsync off, so like "
                     "`--relaxed-log`; the server's own CPU is not in the gateways' columns)", res["pg", "max"],
                     res["pg", "moderate"]))
    lines += [table_row(*r) for r in rows]
    ratios = [("durable log", res["durable", "max"], res["durable", "moderate"], d, dm),
              ("relaxed log", res["relaxed", "max"], res["relaxed", "moderate"], d, dm),
              ("mutual TLS between them, relaxed log", res["tls", "max"], res["tls", "moderate"], d, dm)]
    if before:
        bd, bdm = before["direct"]["max"], before["direct"]["moderate"]
        ratios += [("%s, relaxed log, against its own direct run" % a.baseline_label, before["relaxed"]["max"],
                    before["relaxed"]["moderate"], bd, bdm),
                   ("%s, mutual TLS, against its own direct run" % a.baseline_label, before["tls"]["max"],
                    before["tls"]["moderate"], bd, bdm)]
    for label, g, gm, dd, ddm in ratios:
        lines.append("")
        lines.append("Through the gateways (%s): **%.3f×** the direct throughput at 16 connections; added p99 "
                     "at 2 connections **%.1f ms** (p50 %.1f ms)." % (label, g["rps"] / dd["rps"],
                                                                     gm["p99"] - ddm["p99"], gm["p50"] - ddm["p50"]))
    bex = before["extra"] if before else None
    lines += ["", "| request body (echoed by a Python provider, 4 conn.; relaxed log) | direct req/s | p99 ms "
              "| through gateways req/s | p99 ms | ratio | consumer gateway CPU µs/call | provider gateway CPU "
              "µs/call | log bytes of body per record | log growth per million messages |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]

    def body_row(name, bd, bg, stored, per_rec):
        return "| %s | %.0f | %.1f | %.0f | %.1f | %.2f× | %.0f | %.0f | %.0f | %.2f GB |" % (
            name, bd["rps"], bd["p99"], bg["rps"], bg["p99"], bg["rps"] / bd["rps"], bg["cpu"]["gw1"],
            bg["cpu"]["gw2"], stored, (per_rec + stored) * 1e6 / 1e9)
    for label, (bd, bg) in bodies.items():
        if bex and "cpu" in bex["bodies"][label][1]:
            bper = (bex["db_bytes"] - bex["body_bytes"]) / max(bex["records"], 1)
            lines.append(body_row("%s: %s" % (a.baseline_label, label), *bex["bodies"][label],
                                  bex["stored"][label], bper))
        lines.append(body_row(label, bd, bg, ex["stored"][label], per_record))
    lines += ["", "| SOAP `getPerson` of the population register (16 conn.; relaxed log) | req/s | p50 ms | p99 ms "
              "| consumer gateway CPU µs/call | provider gateway CPU µs/call |",
              "| --- | --- | --- | --- | --- | --- |"]
    soaps = ([(a.baseline_label, bex["soap"])] if bex and "soap" in bex else []) + [("", ex["soap"])]
    for tag, (sd, sg) in soaps:
        pre = tag + ": " if tag else ""
        lines.append("| %sdirect (the registry's SOAP service) | %.0f | %.2f | %.2f | – | – |" % (
            pre, sd["rps"], sd["p50"], sd["p99"]))
        lines.append("| %sthrough both gateways (%.3f× direct) | %.0f | %.2f | %.2f | %.0f | %.0f |" % (
            pre, sg["rps"] / sd["rps"], sg["rps"], sg["p50"], sg["p99"], sg["cpu"]["gw1"], sg["cpu"]["gw2"]))
    lines += ["", "Message log: %d records in the consumer gateway's SQLite file of %.1f MB after the run, "
              "%.1f MB of it bodies (%d records of 1 MB bodies). Without bodies a record takes about **%.0f "
              "bytes**: **%.2f GB per million messages** (a request and its answer are two records, so about %.2f "
              "GB per million calls), plus the bodies when they are kept (`--no-bodies` keeps hashes only). "
              "Both logs verified offline afterwards." % (records, db_bytes / 1e6, body_bytes / 1e6, big,
                                                         per_record, per_record * 1e6 / 1e9,
                                                         2 * per_record * 1e6 / 1e9), "",
              "What bounds the rest: the direct call is the registry answering from SQLite in tens of "
              "microseconds of CPU, so 0.5× would leave each gateway about as much per call; a call through the "
              "gateways costs the CPU in the table on each of them, on two cores shared by both gateways, the "
              "registry, wrk and everyone's work, so the throughput at 16 connections is about two cores divided by "
              "the two gateways' CPU per call. Four ECDSA P-256 operations per message and side are the "
              "protocol (the member's signature and the gateway's authentication, each made and checked), as are "
              "two log records per call on each side, each committed before the message moves on. With log "
              "commits that wait for the disk a call waits for four fsyncs in a row (group commit shares them "
              "between concurrent calls, not within one). The floor those four operations set: `openssl speed "
              "ecdsap256` here gives about 13 µs a signature and 38 µs a verification, so a call's four signatures "
              "and four verifications (both gateways) take about 210 µs of CPU: about 9,500 calls/s on both "
              "cores with nothing else running, under 0.2× the direct call. 0.5× cannot be reached on this "
              "machine with a signature checked on every message; X-Road's own figure (about 0.11× on 32 cores) "
              "is of the same kind.", ""] + PROFILE + ["",
              "Not built: X-Road's batch signatures (one signature over a hash tree's root for the messages "
              "waiting together): the signatures are now under a tenth of a gateway's CPU per call, so they "
              "would win little here.%s" % (
                  "" if a.pg else " Not measured yet: PostgreSQL."), END]
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
