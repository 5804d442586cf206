#!/usr/bin/env python3
"""Fines looked up without login, per second (issue 14, item 3).

The fines register (`pencere registry --kind fines`, 100,000 protocols of
20,000 people, SQLite) and a `pencere portal` on SQLite that reaches it
directly (--fines-url; the exchange's gateways are measured by
bench/exchange.py); wrk asks GET /api/v1/fines?fin=… for the FİNs of the
people in turn over 8 connections: each request is checked, counted for
throttling (a write), forwarded to the register over HTTP, and its answer
checked and masked.  The throttle is set out of the way
(--fines-lookups-per-minute 100000) so what is measured is the look-up.

The result goes to bench/fines.md and is spliced into docs/performance.md
between <!-- fines:begin --> and <!-- fines:end -->.

Usage: bench/fines.py BIN [--seconds N] [--doc docs/performance.md]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import busy_ticks, cpu_ticks, free_port, splice  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAVED = os.path.join(ROOT, "bench", "fines.md")
BEGIN, END = "<!-- fines:begin -->", "<!-- fines:end -->"
PROTOCOLS, PEOPLE = 100000, 20000

WRK_LIST = r"""
local lines, n, i = {}, 0, 0
function init(args)
  for line in io.lines(os.getenv("LIST")) do
    n = n + 1
    lines[n] = line
  end
  i = math.random(n)
end
function request()
  i = i % n + 1
  return wrk.format("GET", "/api/v1/fines?fin=" .. lines[i])
end
"""


def wait_healthy(port, log):
    for _ in range(600):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("port %d did not become healthy:\n%s" % (port, open(log.name).read()[-2000:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="pencere-bench-fines-")
    procs = []
    try:
        reg_db = os.path.join(work, "fines.db")
        out = subprocess.run([a.bin, "registry", "generate", "--kind", "fines", "--db", reg_db, "--count",
                              str(PROTOCOLS), "--people", str(PEOPLE)], check=True, capture_output=True, text=True)
        # the FİNs that have protocols (the register's own index)
        fins = subprocess.run(["sqlite3", reg_db, "SELECT DISTINCT fin FROM reg_fines WHERE fin IS NOT NULL"],
                              check=True, capture_output=True, text=True).stdout.split()
        listfile = os.path.join(work, "fins.txt")
        open(listfile, "w").write("\n".join(fins) + "\n")
        rport, pport = free_port(), free_port()
        log = open(os.path.join(work, "servers.log"), "wb")
        procs.append(subprocess.Popen([a.bin, "registry", "--kind", "fines", "--db", reg_db, "--listen",
                                       "127.0.0.1:%d" % rport, "--log-level", "warn"], stdout=log, stderr=log))
        wait_healthy(rport, log)
        procs.append(subprocess.Popen([a.bin, "portal", "--listen", "127.0.0.1:%d" % pport, "--db",
                                       os.path.join(work, "portal.db"), "--files-dir", os.path.join(work, "files"),
                                       "--log-level", "warn", "--fines-url",
                                       "http://127.0.0.1:%d/fines/v1/protocols" % rport,
                                       "--fines-lookups-per-minute", "100000"], stdout=log, stderr=log))
        wait_healthy(pport, log)
        script = os.path.join(work, "list.lua")
        open(script, "w").write(WRK_LIST)
        s0, b0, t0 = sum(cpu_ticks(p.pid) for p in procs), busy_ticks(), time.monotonic()
        res = subprocess.run(["wrk", "-t2", "-c8", "-d%ds" % a.seconds, "--latency", "-s", script,
                              "http://127.0.0.1:%d/" % pport], capture_output=True, text=True,
                             env=dict(os.environ, LIST=listfile), timeout=a.seconds + 60).stdout
        s1, b1, t1 = sum(cpu_ticks(p.pid) for p in procs), busy_ticks(), time.monotonic()
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
        shutil.rmtree(work, ignore_errors=True)

    def ms(label):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)" % label, res, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", res).group(1))
    requests = int(re.search(r"(\d+) requests in", res).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", res)
    servers = (s1 - s0) / os.sysconf("SC_CLK_TCK")
    lines = [BEGIN, "## Fines without login: look-ups", "",
             "`bench/fines.py`: GET /api/v1/fines?fin=… for %d people with protocols (of %d protocols), "
             "8 connections, %d s; the portal (SQLite) asks the fines register (SQLite) over HTTP for each; "
             "every look-up is also counted for throttling." % (len(fins), PROTOCOLS, a.seconds), "",
             "| look-ups/s | p50 ms | p99 ms | non-2xx | CPU µs per look-up (portal + register) |",
             "|---|---|---|---|---|",
             "| %.0f | %.2f | %.2f | %d | %.0f |" % (rps, ms("50%"), ms("99%"), int(bad.group(1)) if bad else 0,
                                                  servers / max(1, requests) * 1e6),
             "", "Generated %s; CPUs used by neither server nor wrk: %.2f." %
             (time.strftime("%Y-%m-%d"), max(0.0, ((b1 - b0) / os.sysconf("SC_CLK_TCK") - servers) / (t1 - t0) - 1.0)),
             END]
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines, BEGIN, END)
    print("\n".join(lines))
    print(out.stdout.strip())


if __name__ == "__main__":
    main()
