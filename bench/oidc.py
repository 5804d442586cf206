#!/usr/bin/env python3
"""Throughput of the OpenID Connect provider's token endpoint.

A portal with `--oidc-issuer` (SQLite, and PostgreSQL with --pg-url) gets
a confidential client registered by the operator and a citizen who has
consented once; then, with wrk (2 threads, 8 connections):

  1. the authorization endpoint mints codes for the logged-in citizen
     (`GET /oidc/authorize`, consent remembered: a 302 carrying the code)
     in runs of SECONDS until there are CODES_PER_SEC × SECONDS codes or
     MINT_MAX_SECS have passed (a code lives 60 s), each code kept by the
     wrk thread that got it;
  2. the token endpoint redeems them (`POST /api/v1/oidc/token`: client
     authentication, the code claimed once, PKCE S256, the access token
     stored, an ES256 id_token signed) for SECONDS.  A thread that runs
     out of codes stops, so its figure is then a lower bound (marked ≥).

CPU per request is the server's CPU time over the requests served.  The
section goes to bench/oidc.md and is spliced into docs/performance.md
between <!-- oidc:begin --> and <!-- oidc:end -->.

Usage: bench/oidc.py BIN [--pg-url ADMIN_URL] [--seconds N] [--doc docs/performance.md]
       bench/oidc.py --splice docs/performance.md   (put the saved section back)
"""
import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests

import benchlib
from pki import busy_ticks, cpu_ticks, free_port, postgres_pids

ROOT = os.path.abspath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BEGIN, END = "<!-- oidc:begin -->", "<!-- oidc:end -->"
SAVED = os.path.join(ROOT, "bench", "oidc.md")
TICK = os.sysconf("SC_CLK_TCK")
VERIFIER = "bench-verifier-" + "x" * 40
CODES_PER_SEC = 6000    # more than the token endpoint redeems a second here
MINT_MAX_SECS = 45      # the first codes are then 50 s old at the end (a code lives 60 s)
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")

# Phase 1: every 302 of the authorization endpoint gives a code, written to
# the thread's file.  Phase 2: each thread redeems its own file's codes.
MINT_LUA = """
local n = 0
function setup(thread) n = n + 1; thread:set("id", n) end
function init(args)
  out = io.open(os.getenv("CODES") .. "-" .. id, "w")
  wrk.headers["Cookie"] = os.getenv("COOKIE")
end
function response(status, headers, body)
  local code = headers["Location"] and headers["Location"]:match("[?&]code=([^&]+)")
  if code then out:write(code, "\\n"); out:flush() end
end
"""
REDEEM_LUA = """
local n, threads = 0, {}
function setup(thread) n = n + 1; thread:set("id", n); table.insert(threads, thread) end
function init(args)
  codes, i, short = {}, 0, 0
  for line in io.lines(os.getenv("CODES") .. "-" .. id) do codes[#codes + 1] = line end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = os.getenv("AUTH")
  prefix = "grant_type=authorization_code&redirect_uri=" .. os.getenv("REDIRECT") ..
           "&code_verifier=" .. os.getenv("VERIFIER") .. "&code="
end
function request()
  i = i + 1
  if i > #codes then short = 1; wrk.thread:stop(); i = #codes end
  return wrk.format(nil, nil, nil, prefix .. codes[i])
end
function done(summary, latency, requests)
  local s = 0
  for _, t in ipairs(threads) do s = s + t:get("short") end
  io.write(string.format("Ran out of codes: %d\\n", s))
end
"""


def wrk(url, seconds, script, env):
    path = os.path.join(env["WORK"], "bench.lua")
    open(path, "w").write(script)
    out = subprocess.run(["wrk", "-t2", "-c8", "-d%ds" % seconds, "--latency", "-s", path, url],
                         capture_output=True, text=True, env=dict(os.environ, **env), timeout=seconds + 60).stdout

    def ms(label):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)" % label, out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    short = re.search(r"Ran out of codes: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "total": total,
            "p50": ms("50%"), "p99": ms("99%"), "bad": int(bad.group(1)) if bad else 0,
            "short": int(short.group(1)) if short else 0}


class Portal:
    def __init__(self, binary, work, db_url):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        subprocess.run([binary, "admin", "seed-demo", "--db", db_url, "--out-dir", work], check=True,
                       capture_output=True, timeout=300)
        self.accounts = json.load(open(os.path.join(work, "demo-accounts.json")))
        passfile = os.path.join(work, "oidc-pass")
        open(passfile, "w").write("a benchmark passphrase\n")
        args = [binary, "portal", "--listen", "127.0.0.1:%d" % self.port, "--db", db_url, "--files-dir",
                os.path.join(work, "files"), "--import-catalog", os.path.join(ROOT, "tests", "fixtures", "catalog"),
                "--oidc-issuer", self.base, "--oidc-passphrase-file", passfile, "--log-level", "warn"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "err"), "wb"))
        for _ in range(600):
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("the portal did not start")

    def session(self, role):
        a = [x for x in self.accounts if x["role"] == role][0]
        s = requests.Session()
        s.post(self.base + "/login", data={"login": a["login"], "password": a["password"],
                                           "csrf": self.csrf(s, "/login")}, allow_redirects=False)
        return s

    def csrf(self, s, path):
        return re.search(r'name="csrf" value="([0-9a-f]+)"', s.get(self.base + path).text).group(1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def measured(fn, pid, db_pids):
    """Run fn() (a wrk run) and add CPU figures: the server's and the
    database's (PostgreSQL's backends) per request, and what else ran."""
    before = {q: cpu_ticks([q]) for q in db_pids()}
    s0, b0, t0 = cpu_ticks([pid]), busy_ticks(), time.monotonic()
    r = fn()
    s1, b1, t1 = cpu_ticks([pid]), busy_ticks(), time.monotonic()
    db = sum(cpu_ticks([q]) - before.get(q, 0) for q in db_pids())
    r["cpu_us"] = (s1 - s0 + db) / TICK / max(r["total"], 1) * 1e6
    r["busy"] = (s1 - s0) / TICK / (t1 - t0)
    r["other"] = max(0.0, (b1 - b0 - (s1 - s0) - db) / TICK / (t1 - t0))
    return r


def bench_backend(binary, work, db_url, label, seconds, results, db_pids=lambda: ()):
    os.makedirs(work, exist_ok=True)
    p = Portal(binary, work, db_url)
    try:
        op = p.session("operator")
        redirect = "https://tax.example/cb"
        page = op.post(p.base + "/operator/oidc-clients", data={
            "csrf": p.csrf(op, "/operator/oidc-clients"), "name_az": "Bench", "name_en": "Bench",
            "name_ru": "Bench", "agency": "vn", "redirect_uris": redirect, "confidential": "1"}).text
        cid = re.search(r'id="client-id">([^<]+)<', page).group(1)
        secret = re.search(r'id="client-secret">([^<]+)<', page).group(1)
        citizen = p.session("citizen")
        q = urllib.parse.urlencode({"response_type": "code", "client_id": cid, "redirect_uri": redirect,
                                    "scope": "openid profile", "code_challenge": CHALLENGE,
                                    "code_challenge_method": "S256"})
        consent = citizen.get(p.base + "/oidc/authorize?" + q, allow_redirects=False)
        form = re.search(r'action="(/oidc/continue/[^"]+)"', consent.text).group(1)
        citizen.post(p.base + form, data={"decision": "allow", "csrf": p.csrf(citizen, form)})
        env = {"WORK": work, "CODES": os.path.join(work, "codes"),
               "COOKIE": "; ".join("%s=%s" % kv for kv in citizen.cookies.items()),
               "AUTH": "Basic " + base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode(),
               "REDIRECT": urllib.parse.quote(redirect, safe=""), "VERIFIER": VERIFIER}
        runs = []
        t_start = time.monotonic()
        while sum(r["total"] for r in runs) < CODES_PER_SEC * seconds and time.monotonic() - t_start < MINT_MAX_SECS:
            env["CODES"] = os.path.join(work, "codes.%d" % len(runs))   # each run its own files
            runs.append(measured(lambda: wrk(p.base + "/oidc/authorize?" + q, seconds, MINT_LUA, env), p.proc.pid,
                                 db_pids))
        for t in (1, 2):  # every code a wrk thread got, for the same thread of the next run
            with open(os.path.join(work, "all-%d" % t), "w") as out:
                for k in range(len(runs)):
                    out.write(open(os.path.join(work, "codes.%d-%d" % (k, t))).read())
        results.append(dict(runs[0], backend=label, phase="authorize"))
        env["CODES"] = os.path.join(work, "all")
        r = measured(lambda: wrk(p.base + "/api/v1/oidc/token", seconds, REDEEM_LUA, env), p.proc.pid, db_pids)
        results.append(dict(r, backend=label, phase="token"))
    finally:
        p.stop()


def report(results, seconds):
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [BEGIN, "## OpenID Connect provider", "",
             "Generated by `bench/oidc.py build/pencere --pg-url URL` on %s, %d cores (shared: see \"other CPUs\"); "
             "wrk with 2 threads and 8 connections; `pencere portal --log-level warn` with `--oidc-issuer`. "
             "The authorization endpoint mints codes in runs of %d s (a logged-in citizen who has consented: "
             "each answer a 302 with a code; the first run shown), then the token endpoint redeems them for %d s "
             "(≥: a wrk thread ran out of codes and stopped). CPU per request includes PostgreSQL's backends. "
             "Re-run it to refresh this section." % (now, os.cpu_count(), seconds, seconds), "",
             "| endpoint | database | per second | p50 / p99 | CPU per request | server CPUs busy | other CPUs "
             "| errors |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append("| %s | %s | %s%s | %.2f / %.2f ms | %d µs | %.2f | %.2f | %d |" % (
            "token (`POST /api/v1/oidc/token`)" if r["phase"] == "token" else "authorize (`GET /oidc/authorize`)",
            r["backend"], "≥ " if r["short"] else "", format(int(r["rps"]), ","), r["p50"], r["p99"], r["cpu_us"],
            r["busy"], r["other"], r["bad"]))
    lines += ["", "Each token request: client authentication (SHA-256 of the secret, constant-time compare), "
              "the code claimed in one `UPDATE … WHERE used_at IS NULL`, PKCE S256, the access token stored "
              "(its SHA-256), an ES256 id_token signed. Each authorization: the client and its redirect URI "
              "checked, the consent looked up, the code stored, an audit entry (`oidc.sign_in`).", END]
    return lines


def splice(path, lines):
    """The section into path between its markers (lines[0] and lines[-1])."""
    benchlib.splice(path, lines, lines[0], lines[-1])


def main():
    ap = argparse.ArgumentParser(description="Token endpoint throughput (see the top of this file).")
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--splice", metavar="DOC", help="only put the saved section (bench/oidc.md) back into DOC")
    ap.add_argument("--pg-url")
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    if a.splice:
        if os.path.exists(SAVED):
            splice(a.splice, open(SAVED).read().rstrip("\n").split("\n"))
        return
    if not a.binary or not shutil.which("wrk"):
        sys.exit("usage: bench/oidc.py BIN [--pg-url URL]; wrk is needed (scripts/install-deps.sh --test)")
    work = tempfile.mkdtemp(prefix="pencere-bench-oidc.")
    binary = os.path.abspath(a.binary)
    results = []
    try:
        bench_backend(binary, os.path.join(work, "sqlite"), os.path.join(work, "sqlite", "p.db"), "sqlite",
                      a.seconds, results)
        if a.pg_url:
            name = "bench_oidc_%d" % os.getpid()
            subprocess.run(["psql", a.pg_url, "-q", "-c", "CREATE DATABASE %s" % name], check=True)
            u = urllib.parse.urlsplit(a.pg_url)
            url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))
            try:
                bench_backend(binary, os.path.join(work, "pg"), url, "postgres", a.seconds, results, postgres_pids)
            finally:
                subprocess.run(["psql", a.pg_url, "-q", "-c", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = report(results, a.seconds)
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
