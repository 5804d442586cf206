#!/usr/bin/env python3
"""E-certificates (issue 14): certificates issued per second — registry
data, the PDF with its QR code, the issuing agency's seal (CAdES-T: the
centre signs in its key process and time-stamps), the seal carried into
the PDF, the record, the e-safe entry and the audit entry in one
transaction — goal at least 200/s on this machine; and the public
verification page's p99 (goal under 20 ms).  Each is compared in the
same run with a reference on the same portal: /healthz (a static answer)
for the pages, and for issuing, the same portal serving the stored PDF
(GET .../pdf: the request path, the login and one read, without making
or sealing anything).

A `pencere ca serve` with the four issuing agencies' seals and a
`pencere portal` (SQLite) as its RA client; wrk orders certificates over
the demo's three citizen accounts and four kinds in turns (a person's
newer certificate of a kind supersedes the older one, as in life).

The result goes to bench/ecert.md and is spliced into docs/performance.md
between <!-- ecert:begin --> and <!-- ecert:end -->.

Usage: bench/ecert.py BIN [--before OLD_BIN [--before-label TEXT]] [--seconds N] [--threads N] [--doc docs/performance.md]
"""
import argparse
import json
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
SAVED = os.path.join(ROOT, "bench", "ecert.md")
BEGIN, END = "<!-- ecert:begin -->", "<!-- ecert:end -->"
GOAL_RATE, GOAL_P99 = 200, 20.0
AGENCIES = (("din", "Daxili İşlər Nazirliyi"), ("eesmn", "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"),
            ("dsmf", "Dövlət Sosial Müdafiə Fondu"), ("vn", "Vergilər Nazirliyi"))
KINDS = ("address", "employment", "income", "taxpayer")

WRK_ROTATE = r"""
local reqs, n, i = {}, 0, 0
function init(args)
  for line in io.lines(os.getenv("LIST")) do
    local m, p, t, b = line:match("^(%S+)\t(%S+)\t(%S*)\t(.*)$")
    local h = {["Content-Type"] = "application/json"}
    if t ~= "" then h["Authorization"] = "Bearer " .. t end
    n = n + 1
    reqs[n] = wrk.format(m, p, h, b ~= "" and b or nil)
  end
  i = math.random(n) - 1
end
function request()
  i = i % n + 1
  return reqs[i]
end
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.exit("%s: %s" % (" ".join(cmd[:3]), r.stderr[-2000:]))
    return r.stdout


def wait_healthy(port, proc, what):
    for _ in range(400):
        if proc.poll() is not None:
            sys.exit("%s exited" % what)
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("%s did not start" % what)


def call(port, method, path, body=None, tok=None):
    h = {"Content-Type": "application/json"}
    if tok:
        h["Authorization"] = "Bearer " + tok
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, headers=h,
                                 data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req, timeout=30))


def wrk(port, seconds, lines, work, conns, name):
    listfile = os.path.join(work, name + ".txt")
    with open(listfile, "w") as f:
        f.write("\n".join(lines) + "\n")
    script = os.path.join(work, "rotate.lua")
    open(script, "w").write(WRK_ROTATE)
    out = subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True,
                         env=dict(os.environ, LIST=listfile), timeout=seconds + 120).stdout

    def ms(label):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)" % label, out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "bad": int(bad.group(1)) if bad else 0, "requests": int(re.search(r"(\d+) requests in", out).group(1))}


def measured(procs, fn):
    """fn()'s result with the CPU milliseconds per request of each of procs
    (the portal, the centre) and the other CPUs' load."""
    c0, b0, t0 = [cpu_ticks(p.pid) for p in procs], busy_ticks(), time.monotonic()
    r = fn()
    c1, b1, t1 = [cpu_ticks(p.pid) for p in procs], busy_ticks(), time.monotonic()
    tck = os.sysconf("SC_CLK_TCK")
    r["cpu_ms"] = [(y - x) / tck / max(1, r["requests"]) * 1e3 for x, y in zip(c0, c1)]
    ours = sum(c1) - sum(c0)
    r["other_cpus"] = max(0.0, ((b1 - b0) - ours) / tck / (t1 - t0) - 1.0)  # wrk takes about one
    return r


def worse(x, y):
    """Two measurements of one page as one: the mean rate, the worse latencies."""
    n = x["requests"] + y["requests"]
    return {"rps": (x["rps"] + y["rps"]) / 2, "p50": max(x["p50"], y["p50"]), "p99": max(x["p99"], y["p99"]),
            "bad": x["bad"] + y["bad"], "requests": n,
            "cpu_ms": [(a * x["requests"] + b * y["requests"]) / max(1, n) for a, b in zip(x["cpu_ms"], y["cpu_ms"])],
            "other_cpus": (x["other_cpus"] + y["other_cpus"]) / 2}


def bench(binary, a, only_issue=False):
    """One centre and one portal of binary, measured: issuing, and unless
    only_issue the stored PDF and the verification pages.  The results and
    the size of a certificate's PDF."""
    work = tempfile.mkdtemp(prefix="pencere-bench-ecert.")
    ca_dir, ca_db = os.path.join(work, "ca"), "sqlite:" + os.path.join(work, "ca.db")
    ca_port, port = free_port(), free_port()
    run([binary, "ca", "init", "--data-dir", ca_dir, "--public-url", "http://127.0.0.1:%d" % ca_port])
    run([binary, "ca", "add-client", "--data-dir", ca_dir, "--id", "portal"])
    for agency, name in AGENCIES:
        run([binary, "ca", "add-seal", "--data-dir", ca_dir, "--db", ca_db, "--agency", agency, "--name", name])
    db = "sqlite:" + os.path.join(work, "portal.db")
    run([binary, "admin", "seed-demo", "--db", db, "--out-dir", work])
    ca_log = open(os.path.join(work, "ca.log"), "wb")
    ca = subprocess.Popen([binary, "ca", "serve", "--listen", "127.0.0.1:%d" % ca_port, "--data-dir", ca_dir, "--db",
                           ca_db, "--log-level", "warn", "--threads", str(a.threads)], stdout=ca_log, stderr=ca_log)
    log = open(os.path.join(work, "portal.log"), "wb")
    portal = None
    try:
        wait_healthy(ca_port, ca, "the CA")
        portal = subprocess.Popen([binary, "portal", "--listen", "127.0.0.1:%d" % port, "--db", db, "--files-dir",
                                   os.path.join(work, "files"), "--log-level", "warn", "--threads", str(a.threads),
                                   "--ca-url", "http://127.0.0.1:%d" % ca_port, "--ca-key-file",
                                   os.path.join(ca_dir, "clients", "portal.key")], stdout=log, stderr=log)
        wait_healthy(port, portal, "the portal")
        accounts = [x for x in json.load(open(os.path.join(work, "demo-accounts.json")))
                    if x["role"] in ("citizen", "representative")]
        tokens = [call(port, "POST", "/api/v1/auth/password", {"login": x["login"], "password": x["password"]})["token"]
                  for x in accounts]
        first = [call(port, "POST", "/api/v1/e-certificates", {"kind": k}, t) for t in tokens for k in KINDS]
        orders = ["POST\t/api/v1/e-certificates\t%s\t%s" % (t, json.dumps({"kind": k})) for t in tokens for k in KINDS]
        pdfs = ["GET\t%s\t%s\t" % (c["pdf"], t) for c, t in zip(first, [t for t in tokens for _ in KINDS])]
        code = first[0]["code"]
        results = {}
        procs = [portal, ca]
        results["issue"] = measured(procs, lambda: wrk(port, a.seconds, orders, work, 8, "orders"))
        if not only_issue:
            results["pdf"] = measured(procs, lambda: wrk(port, a.seconds, pdfs, work, 8, "pdfs"))
            pages = {"page": "GET\t/verify/e-certificate?code=%s&lang=az\t\t" % code,
                     "api": "GET\t/api/v1/e-certificates/verify/%s\t\t" % code, "healthz": "GET\t/healthz\t\t"}
            # after a second of /healthz (the PDF phase's end), in turns, twice, the second
            # time in the other order, each row the worse of its two (docs/pki.md)
            wrk(port, 1, [pages["healthz"]], work, 8, "warm")
            half = max(1, a.seconds // 2)
            for turn in range(2):
                for name, line in (pages.items() if turn == 0 else reversed(list(pages.items()))):
                    r = measured(procs, lambda: wrk(port, half, [line], work, 8, name))
                    results[name] = worse(results[name], r) if name in results else r
        issued = call(port, "GET", "/api/v1/e-certificates", None, tokens[0])["items"]
        size = len(urllib.request.urlopen(urllib.request.Request(
            "http://127.0.0.1:%d%s" % (port, issued[0]["pdf"]), headers={"Authorization": "Bearer " + tokens[0]})).read())
    finally:
        for p in (portal, ca):
            if p:
                p.terminate()
                p.wait(30)
        log.close()
        ca_log.close()
    shutil.rmtree(work, ignore_errors=True)
    return results, size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--before", help="an older binary whose issuing is measured first, in the same run")
    ap.add_argument("--before-label", default="before")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (scripts/install-deps.sh --test)")
    before = bench(os.path.abspath(a.before), a, only_issue=True) if a.before else None
    results, size = bench(os.path.abspath(a.binary), a)
    lines = report(results, a.seconds, a.threads, size, before, a.before_label)
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines, BEGIN, END)
    print("\n".join(lines))


def report(r, seconds, threads, size, before=None, before_label="before"):
    iss, pdf = r["issue"], r["pdf"]
    rows = [("Issue: `POST /api/v1/e-certificates`", iss, "≥ %d/s: **%s**" % (GOAL_RATE, "met" if iss["rps"] >= GOAL_RATE else "not met")),
            ("Reference: the stored PDF, `GET …/pdf`", pdf, ""),
            ("Verification page `/verify/e-certificate?code=`", r["page"],
             "p99 < %g ms: **%s**" % (GOAL_P99, "met" if r["page"]["p99"] < GOAL_P99 else "not met")),
            ("Verification API `…/verify/{code}`", r["api"],
             "p99 < %g ms: **%s**" % (GOAL_P99, "met" if r["api"]["p99"] < GOAL_P99 else "not met")),
            ("Reference: `/healthz`", r["healthz"], "")]
    if before:
        rows.insert(1, ("Issue, %s (the same run; its PDF %s bytes)" % (before_label, "{:,}".format(before[1])),
                        before[0]["issue"], ""))
    lines = [BEGIN, "## E-certificates: issuing and verification", "",
             "Generated by `bench/ecert.py` on %s: `pencere ca serve` (the four issuing agencies' seals) and a portal"
             " on SQLite as its RA client, each with %d server threads, wrk with 8 connections for %d s each (the"
             " three pages after a second of `/healthz`, in turns, twice for half as long, the second time in the"
             " other order, each row the worse of its two). Issuing"
             " is the whole path: the registers' data (computed in process), the PDF (src/pdf: PDF/A-2b, the"
             " Pencere Sans subset embedded, the QR code, a PAdES signature field), the agency's CAdES-T seal over"
             " its signed bytes by the centre (signed in its key process, time-stamped by its TSA) written into"
             " the field, and in one transaction the record, the supersession of the person's older one of the"
             " kind, the e-safe entry and the audit entry. The demo's three citizen accounts × four kinds take"
             " turns. A certificate's PDF is %s bytes." % (
                 time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), threads, seconds, "{:,}".format(size)), "",
             "| What | requests/s | p50 | p99 | goal | non-2xx | CPU per request: portal | centre | other CPUs |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|"]
    for label, x, goal in rows:
        lines.append("| %s | %s | %.2f ms | %.2f ms | %s | %d | %.2f ms | %.2f ms | %.2f |" % (
            label, "{:,.0f}".format(x["rps"]), x["p50"], x["p99"], goal, x["bad"], x["cpu_ms"][0], x["cpu_ms"][1],
            x["other_cpus"]))
    cost = sum(iss["cpu_ms"])
    cores = os.cpu_count() or 1
    lines += ["", "CPU per certificate: %.1f ms of the portal's and the centre's together, so %d cores alone could"
              " issue at most about %.0f a second; the rest of a request's time is waiting (the centre's answer,"
              " the group commit's fsync, the CPU the machine's other users take: \"other CPUs\" is CPU used by"
              " neither server nor wrk, counted as one CPU, during the run). Latencies include that waiting, which"
              " is also what the verification pages' p99 measures here; compare it with `/healthz` in the same"
              " run. Why the PDF is written by src/pdf and what it costs: docs/pki.md, \"E-certificates\"." % (
                  cost, cores, cores * 1000.0 / cost if cost else 0), END]
    return lines


if __name__ == "__main__":
    main()
