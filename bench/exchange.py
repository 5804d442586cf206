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
a CA, the central registry, two gateways, the population register with
1,000 people), on SQLite.  The section goes to bench/exchange.md and is
spliced into docs/performance.md between <!-- exchange:begin --> and
<!-- exchange:end -->.

Usage: bench/exchange.py BIN [--seconds N] [--doc docs/performance.md]
       bench/exchange.py --splice docs/performance.md
"""
import argparse
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
  wrk.headers["Content-Type"] = "application/octet-stream"
end
local c = os.getenv("CLIENT")
if c then wrk.headers["X-Road-Client"] = c end
"""


def wrk(url, seconds, conns, threads, env):
    e = dict(os.environ)
    e.update(env)
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s",
                          env["SCRIPT"], url], capture_output=True, text=True, env=e, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % label, out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "non2xx": int(errors.group(1)) if errors else 0}


def run(xs, seconds, gateway_args, with_bodies, peer_tls=False):
    """One exchange: the FİN query direct and through the gateways, then
    (with_bodies) the echo service with 1 KB and 1 MB bodies and the
    log's size."""
    tmp = tempfile.mkdtemp(prefix="pencere-bench-xr-")
    script = os.path.join(tmp, "wrk.lua")
    open(script, "w").write(WRK_SCRIPT)
    x = xs.Exchange(tmp, gw1_tsa_interval="60", gateway_args=gateway_args, peer_tls=peer_tls)
    out = {}
    try:
        fin = "0034LZB"
        direct = x.registry.url + "/population/v1/persons/" + fin
        via = "http://127.0.0.1:%d/r1/%s/%s" % (x.gw1.port, xs.PERSONS, fin)
        base = {"SCRIPT": script}
        gw = dict(base, CLIENT=xs.CLIENT)
        for name, url, env in (("direct", direct, base), ("gateways", via, gw)):
            wrk(url, 2, 8, 2, env)  # warm-up
            out[name, "max"] = wrk(url, seconds, 16, 2, env)
            out[name, "moderate"] = wrk(url, seconds, 2, 1, env)
        if with_bodies:
            out["bodies"] = {}
            for size, label in ((1024, "1 KB"), (1 << 20, "1 MB")):
                body = os.path.join(tmp, "body-%d" % size)
                open(body, "wb").write(os.urandom(size))
                out["bodies"][label] = (
                    wrk(x.provider.url + "/upload", seconds, 4, 2, dict(base, BODY=body)),
                    wrk("http://127.0.0.1:%d/r1/%s" % (x.gw1.port, xs.BIG), seconds, 4, 2, dict(gw, BODY=body)))
        out["records"] = xs.request(x.gw1.port, "GET", "/healthz").json()["log_records"]
        for p in (x.gw1, x.gw2):
            p.stop()  # checkpoint the WAL into the file
        out["db_bytes"] = os.path.getsize(x.gw1.db)
        con = sqlite3.connect(x.gw1.db)
        out["body_bytes"] = con.execute("SELECT COALESCE(SUM(LENGTH(body)), 0) FROM xr_msglog").fetchone()[0]
        out["big"] = con.execute("SELECT COUNT(*) FROM xr_msglog WHERE LENGTH(body) > 100000").fetchone()[0]
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


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--splice":
        if os.path.exists(SAVED):
            splice(sys.argv[2], open(SAVED).read().rstrip("\n").split("\n"))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed")
    os.environ["PENCERE_BIN"] = os.path.abspath(a.binary)
    os.environ["PENCERE_TEST_DB"] = "sqlite"
    sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
    import exchange_support as xs

    t0 = time.time()
    load = open("/proc/loadavg").read().split()[0]
    res = {}
    for mode, extra in (("durable", ()), ("relaxed", ("--relaxed-log",)), ("tls", ("--relaxed-log",))):
        r = run(xs, a.seconds, extra, with_bodies=mode == "relaxed", peer_tls=mode == "tls")
        res["direct", "max"], res["direct", "moderate"] = r["direct", "max"], r["direct", "moderate"]
        res[mode, "max"], res[mode, "moderate"] = r["gateways", "max"], r["gateways", "moderate"]
        if mode == "relaxed":
            bodies, records, db_bytes, body_bytes, big = r["bodies"], r["records"], r["db_bytes"], r["body_bytes"], \
                r["big"]
    d, dm = res["direct", "max"], res["direct", "moderate"]
    per_record = (db_bytes - body_bytes) / max(records, 1)
    lines = [BEGIN, "## Exchange layer (bench/exchange.py)", "",
             "Measured %s on this 2-core machine shared with other work (load average %s at the start), "
             "SQLite, `wrk --latency`, %d s per row after a warm-up; every message signed by the member, "
             "authenticated gateway to gateway, checked (signatures, OCSP freshness, access) and logged on both "
             "sides (group commit); the log's head time-stamped every 60 s. Goal: ≥ 0.5× the direct throughput, "
             "< 5 ms added p99 at a moderate load." % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t0)), load,
                                                       a.seconds), "",
             "| population register by FİN | req/s (16 conn.) | p50 ms | p99 ms | req/s (2 conn.) "
             "| p50 ms | p99 ms |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, key in (("direct", "direct"), ("two gateways, log commits wait for the disk", "durable"),
                      ("two gateways, `--relaxed-log`", "relaxed"),
                      ("two gateways over mutual TLS (`--peer-listen`), `--relaxed-log`", "tls")):
        mx, mo = res[key, "max"], res[key, "moderate"]
        lines.append("| %s | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f |" % (name, mx["rps"], mx["p50"], mx["p99"],
                                                                         mo["rps"], mo["p50"], mo["p99"]))
    for key, label in (("durable", "durable log"), ("relaxed", "relaxed log"),
                       ("tls", "mutual TLS between them, kept connections, relaxed log")):
        g, gm = res[key, "max"], res[key, "moderate"]
        lines.append("")
        lines.append("Through the gateways (%s): **%.3f×** the direct throughput at 16 connections; added p99 "
                     "at 2 connections **%.1f ms** (p50 %.1f ms)." % (label, g["rps"] / d["rps"],
                                                                     gm["p99"] - dm["p99"], gm["p50"] - dm["p50"]))
    lines += ["", "| request body (echoed by a Python provider, 4 conn.; relaxed log) | direct req/s | p99 ms "
              "| through gateways req/s | p99 ms | ratio |", "| --- | --- | --- | --- | --- | --- |"]
    for label, (bd, bg) in bodies.items():
        lines.append("| %s | %.0f | %.1f | %.0f | %.1f | %.2f× |" % (label, bd["rps"], bd["p99"], bg["rps"],
                                                                    bg["p99"], bg["rps"] / bd["rps"]))
    lines += ["", "Message log: %d records in the consumer gateway's SQLite file of %.1f MB after the run, "
              "%.1f MB of it bodies (%d records of 1 MB bodies). Without bodies a record takes about **%.0f "
              "bytes**: **%.2f GB per million messages** (a request and its answer are two records, so about %.2f "
              "GB per million calls), plus the bodies when they are kept (`--no-bodies` keeps hashes only). "
              "Both logs verified offline afterwards." % (records, db_bytes / 1e6, body_bytes / 1e6, big,
                                                         per_record, per_record * 1e6 / 1e9,
                                                         2 * per_record * 1e6 / 1e9), "",
              "Where the time goes: the direct call is the registry answering from SQLite in tens of microseconds. "
              "Through the gateways, with log commits that wait for the disk, a call waits for four fsyncs in a row "
              "(the request and the answer on each gateway; group commit shares them between concurrent calls but "
              "not within one), which on this machine's shared disk cost tens of milliseconds; with "
              "`--relaxed-log` the CPU remains: per call four ECDSA P-256 signatures and about six verifications, "
              "chain and OCSP checks (cached answers), base64 of two certificates and two OCSP answers in each "
              "message's headers, two new TCP connections (reused ones stalled 40 ms, docs/exchange.md), on two "
              "cores shared with everyone's work. Next steps: keep-alive between gateways once the stall is "
              "found, verification results cached per certificate, and the benchmark on an idle machine.", "",
              "Over mutual TLS the gateways keep their connections (a handshake per message would cost two "
              "more ECDSA signatures and verifications each way); the stall seen with plain kept connections is "
              "not seen there.", "",
              "Not measured yet: PostgreSQL, the SOAP path.", END]
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
