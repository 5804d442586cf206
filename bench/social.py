#!/usr/bin/env python3
"""Benchmarks of social assistance (src/social, issue 17), on this machine:

  1. means-test computations per second: build/bench_social means N
     (social_means_compute, pure, one thread, households of 1 to 8);
  2. evidence gathering for a household of 6 through the gateways: the
     demo (`pencere demo`) brings up the certification centre, the central
     registry, the registries and the two gateways; bench_social gather
     then asks, as the portal's job does, the population register and for
     each person it knows the employment, pensions, real-estate, vehicle
     and entrepreneur registers, through the portal's gateway
     (X-Road-Issue, -UserId):
     the number of exchange calls, their p50 and slowest latency, and the
     household's total.  ROUNDS rounds (the first one cold).

The section goes to bench/social.md and is spliced into
docs/performance.md between <!-- social:begin --> and <!-- social:end -->.

Usage: bench/social.py BUILD_DIR [--rounds N] [--doc docs/performance.md]
Standard library only; loopback only.
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- social:begin -->", "<!-- social:end -->"


def run(build, *args):
    r = subprocess.run([os.path.join(build, "bench_social")] + list(args), capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        sys.exit("bench_social %s failed: %s" % (args[0], r.stderr))
    return json.loads(r.stdout)


def household(data):
    """Six people of the demo's population register: the first family of
    four and the first person of the next two (as a household with
    grandparents would be)."""
    db = sqlite3.connect(os.path.join(data, "exchange", "population.db"))
    fins = [r[0] for r in db.execute("SELECT fin FROM reg_persons ORDER BY rowid LIMIT 12")]
    db.close()
    return fins[0:4] + [fins[4], fins[8]]


def gather(build, rounds):
    tmp = tempfile.mkdtemp(prefix="bench-social-")
    data = os.path.join(tmp, "demo")
    port = benchlib.free_port()
    err = open(os.path.join(tmp, "demo.err"), "wb")
    p = subprocess.Popen([os.path.join(build, "pencere"), "demo", "--listen", "127.0.0.1:%d" % port, "--data-dir",
                          data], stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL)
    try:
        conf = os.path.join(data, "demo-exchange.json")
        deadline = time.monotonic() + 180
        while not os.path.exists(conf) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        if not os.path.exists(conf):
            sys.exit("the demo's exchange did not come up: " + open(os.path.join(tmp, "demo.err")).read()[-2000:])
        fins = household(data)
        return fins, [run(build, "gather", conf, *fins) for _ in range(rounds)]
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(60)
        err.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    o = ap.parse_args()
    m = run(o.build, "means", "2000000")
    fins, g = gather(o.build, o.rounds)
    cpus = os.cpu_count()
    lines = [BEGIN, "## Social assistance (bench/social.py)", "",
             "%s, %d CPU(s), %s." % (time.strftime("%Y-%m-%d"), cpus, os.uname().machine), "",
             "| what | figure |", "|---|---|",
             "| means-test computations per second (one thread, households of 1–8) | %s |" % format(int(m["per_sec"]), ","),
             "| household of 6: exchange calls per gathering | %d (%d registers × 6 people) |" % (g[0]["calls"], g[0]["calls"] // 6)]
    for i, r in enumerate(g):
        lines.append("| household of 6, round %d%s: total / p50 call / slowest call | %.1f ms / %.1f ms / %.1f ms |"
                     % (i + 1, " (cold)" if i == 0 else "", r["total_ms"], r["p50_ms"], r["max_ms"]))
    lines += ["", "Each call goes portal gateway → registries' gateway → the registry and back, signed and logged "
              "on both gateways; the portal's job asks one case's calls in turn (the job's 0.5 s round and the "
              "back-off while a registry is down come on top).  Household: %s." % ", ".join(fins), END]
    open(os.path.join(ROOT, "bench", "social.md"), "w").write("\n".join(lines[1:-1]) + "\n")
    benchlib.splice(o.doc, lines, BEGIN, END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
