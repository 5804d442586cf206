#!/usr/bin/env python3
"""Certificate logins per second on this machine (issue 10; goal ≥ 2,000/s:
one ECDSA verify and one OCSP look-up per login).

A certification centre (`pencere ca serve`, made by `pencere ca init`)
issues citizen-auth certificates (P-256) to a few people of the demo
population; a portal started with --ca-chain/--ocsp-url checks them.  A
login is two requests, timed separately with wrk (8 connections, 2
threads):

  1. POST /api/v1/auth/challenge: each request from its own client address
     (X-Forwarded-For, the portal trusting 127.0.0.1), as many clients
     would; the challenges are saved;
  2. the answers are signed here (Python's cryptography, not timed) and
     POST /api/v1/auth/certificate sends each once: chain and signature
     checks, the OCSP status, the challenge spent, the session and its
     audit entry written.  Logins per second counts the 200 answers.

The answer round runs twice: with the default freshness limit (60 s: the
status of a certificate seen within it comes from the cache) and with
--cert-status-max-age 0 (the responder is asked at every login, for its
pre-signed answer).  The section goes to bench/cert_login.md and is
spliced into docs/performance.md between <!-- cert_login:begin --> and
<!-- cert_login:end -->.

With --before OLD_BIN the same rounds also run with another build (e.g.
main's), each build on its own database, one after the other for each
backend, and the section gains a "before and after" table from this one
run (the machine's load is then the same for both).

Usage: bench/cert_login.py BIN [--before OLD_BIN] [--pg-url ADMIN_URL] [--seconds N] [--doc docs/performance.md]
       bench/cert_login.py --splice docs/performance.md   (put the saved section back)
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import re
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import pki as pkibench  # noqa: E402  (the CA runner and CPU counters)

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

ROOT = pkibench.ROOT
BEGIN, END = "<!-- cert_login:begin -->", "<!-- cert_login:end -->"
SAVED = os.path.join(ROOT, "bench", "cert_login.md")
HOLDERS = 8

# Each request from its own address (a challenge is not bound to one);
# every challenge saved as "challenge host", one file per thread.
CHALLENGE_LUA = """
threads = {}
function setup(thread) thread:set("id", tostring(#threads)); table.insert(threads, thread) end
local n, id, out = 0, 0, nil
function init(args) id = tonumber(wrk.thread:get("id")); out = io.open(os.getenv("OUT") .. "." .. id, "w") end
function request()
  n = n + 1
  local addr = string.format("10.%d.%d.%d", id, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/api/v1/auth/challenge", {["X-Forwarded-For"] = addr, ["Content-Length"] = "0"}, "")
end
function response(status, headers, body)
  local c = body:match('"challenge":%s*"([^"]+)"')
  local h = body:match('"host":%s*"([^"]+)"')
  if status == 201 and c then out:write(c .. " " .. h .. "\\n") end
end
function done(summary, latency, requests) end
"""

# Each answer once, each from its own address; 200s counted.
ANSWER_LUA = """
threads = {}
function setup(thread) thread:set("id", tostring(#threads)); table.insert(threads, thread) end
local answers, i, ok = {}, 0, 0
function init(args)
  local f = io.open(os.getenv("ANSWERS") .. "." .. wrk.thread:get("id"))
  for line in f:lines() do
    local a, b = line:match("^(%S+)\\t(.*)$")
    table.insert(answers, {a, b})
  end
  f:close()
end
function request()
  i = i + 1
  local x = answers[i] or answers[#answers]
  return wrk.format("POST", "/api/v1/auth/certificate",
                    {["X-Forwarded-For"] = x[1], ["Content-Type"] = "application/json"}, x[2])
end
local other = {}
function response(status, headers, body)
  if status == 200 then ok = ok + 1; wrk.thread:set("ok", ok)
  else
    local k = status .. " " .. (body:match('"reason":%s*"([^"]+)"') or body:match('"type":%s*"[^"]*/([^"/]+)"') or "")
    other[k] = (other[k] or 0) + 1
    local t = {}
    for name, n in pairs(other) do table.insert(t, name .. "=" .. n) end
    wrk.thread:set("other", table.concat(t, ","))
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (tonumber(t:get("ok")) or 0)
    io.write(string.format("REFUSED %s\\n", t:get("other") or ""))
  end
  io.write(string.format("LOGINS_OK %d\\n", total))
end
"""


def wrk_lua(url, seconds, script, env, work):
    path = os.path.join(work, "bench.lua")
    open(path, "w").write(script)
    t0 = os.times()
    out = subprocess.run(["wrk", "-t2", "-c8", "-d%ds" % seconds, "--latency", "-s", path, url],
                         capture_output=True, text=True, env=dict(os.environ, **env), timeout=seconds + 60).stdout
    t1 = os.times()
    r = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "seconds": seconds,
         "wrk_cpu": (t1.children_user + t1.children_system) - (t0.children_user + t0.children_system)}
    for label in ("50%", "99%"):
        m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)" % label, out, re.M)
        r["p" + label[:2]] = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    m = re.search(r"LOGINS_OK (\d+)", out)
    r["ok"] = int(m.group(1)) if m else None
    r["refused"] = ",".join(x for x in re.findall(r"^REFUSED (.*)$", out, re.M) if x)
    return r


class Portal:
    def __init__(self, binary, work, db_url, ca, max_age, files):
        self.port = pkibench.free_port()
        self.proc = subprocess.Popen(
            [binary, "portal", "--listen", "127.0.0.1:%d" % self.port, "--db", db_url, "--files-dir", files,
             "--ca-chain", ca.chain, "--ocsp-url", ca.url("/ca/ocsp"), "--cert-status-max-age", str(max_age),
             "--trusted-proxy", "127.0.0.1", "--log-level", "warn", "--per-ip-connections", "0"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "portal.err"), "ab"))
        for _ in range(300):
            try:
                if self.post("/api/v1/auth/challenge", b"")[0] == 201:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("the portal did not start (see %s/portal.err)" % work)

    def url(self, path=""):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def post(self, path, body, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request("POST", path, body=body, headers=dict(headers or {}, **{"Content-Type": "application/json"}))
        r = c.getresponse()
        return r.status, r.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def make_holders(binary, work, ca, persons):
    """(key, certificate PEM) of HOLDERS people, issued by the centre."""
    holders = []
    for i, p in enumerate(persons[:HOLDERS]):
        name = "Bench Holder %d" % i
        key = ec.generate_private_key(ec.SECP256R1())
        kpath = os.path.join(work, "h%d.key" % i)
        open(kpath, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
        csr = os.path.join(work, "h%d.csr" % i)
        pkibench.run("openssl", "req", "-new", "-key", kpath, "-subj", "/CN=%s" % name, "-out", csr)
        out = pkibench.run(binary, "ca", "issue", "--data-dir", ca.dir, "--db", ca.db, "--profile", "citizen-auth",
                           "--fin", p["fin"], "--name", name, "--csr", csr).stdout.decode()
        holders.append((key, out[:out.index("-----END CERTIFICATE-----") + 25]))
    return holders


def sign_answers(work, holders, prefix):
    """Read the saved challenges, write one answer file per wrk thread."""
    n = 0
    for t in (0, 1):
        src = "%s.%d" % (os.path.join(work, "chal"), t)
        k = -1
        with open(src) as f, open("%s.%d" % (prefix, t), "w") as out:
            for k, line in enumerate(f):
                ch, host = line.split()
                addr = "10.%d.%d.%d" % (100 + t, (k // 256) % 256, k % 256)
                key, cert = holders[(n + k) % len(holders)]
                sig = key.sign(("PENCERE-LOGIN-1\n%s\n%s" % (host, ch)).encode(), ec.ECDSA(hashes.SHA256()))
                body = json.dumps({"challenge": ch, "host": host, "certificate": cert,
                                   "signature": base64.urlsafe_b64encode(sig).decode().rstrip("=")})
                out.write("%s\t%s\n" % (addr, body))
            n += k + 1
    return n


def warm_up(portal, holders):
    """Each holder logs in once, one after another: the account is made at
    a person's first login, and the status is then cached."""
    for key, cert in holders:
        c = json.loads(portal.post("/api/v1/auth/challenge", b"")[1])
        sig = key.sign(c["to_sign"].encode(), ec.ECDSA(hashes.SHA256()))
        body = json.dumps({"challenge": c["challenge"], "host": c["host"], "certificate": cert,
                           "signature": base64.b64encode(sig).decode()}).encode()
        status, text = portal.post("/api/v1/auth/certificate", body)
        if status != 200:
            raise SystemExit("warm-up login refused: %d %s" % (status, text[:300]))


def round_(binary, work, db_url, ca, max_age, seconds, db_pids):
    files = os.path.join(work, "files")
    portal = Portal(binary, work, db_url, ca, max_age, files)
    pids = [portal.proc.pid] + ca.pids()
    try:
        warm_up(portal, ca.holders)
        # twice as long: enough answers for the login round, which is the slower
        chal = pkibench.measured(lambda: wrk_lua(portal.url(), 2 * seconds, CHALLENGE_LUA,
                                                 {"OUT": os.path.join(work, "chal")}, work), pids, db_pids)
        answers = os.path.join(work, "answers")
        chal["made"] = sign_answers(work, ca.holders, answers)
        login = pkibench.measured(lambda: wrk_lua(portal.url(), seconds, ANSWER_LUA, {"ANSWERS": answers}, work),
                                  pids, db_pids)
        login["made"] = chal["made"]
        login["logins_per_s"] = login["ok"] / seconds
        # CPU per login: per 200 answer, not per request sent
        n_req = max(1.0, login["rps"] * seconds)
        login["cpu_us"] *= n_req / max(1, login["ok"])
        login["db_us"] *= n_req / max(1, login["ok"])
        login["exhausted"] = login["ok"] >= login["made"]
        return {"challenge": chal, "login": login}
    finally:
        portal.stop()


def backend(binary, work, db_url, label, seconds, ca, results, db_pids=lambda: ()):
    r = pkibench.run(binary, "admin", "seed-demo", "--db", db_url, "--out-dir", work)
    assert r.returncode == 0
    persons = json.load(open(os.path.join(work, "demo-persons.json")))
    if not getattr(ca, "holders", None):
        ca.holders = make_holders(binary, work, ca, persons)
    results[label] = {"cached": round_(binary, work, db_url, ca, 60, seconds, db_pids),
                      "ocsp_each": round_(binary, work, db_url, ca, 0, seconds, db_pids)}


def fmt(x):
    return pkibench.fmt(x)


def server_pids(admin_url):
    """The processes of the PostgreSQL server at admin_url only (its
    postmaster and children): other servers on a shared machine are not
    this benchmark's CPU."""
    datadir = subprocess.run(["psql", admin_url, "-Atc", "SHOW data_directory"], capture_output=True,
                             text=True).stdout.strip()

    def pids():
        try:
            master = int(open(os.path.join(datadir, "postmaster.pid")).readline())
        except (OSError, ValueError):
            return pkibench.postgres_pids()
        kids = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
        return [master] + [int(k) for k in kids]
    return pids


def splice(path, lines):
    benchlib.splice(path, lines, BEGIN, END)


def report(r, seconds):
    lines = [BEGIN, "## Certificate login", "",
             "Generated by `bench/cert_login.py build/pencere%s` on %s, %d cores (shared: see \"other CPUs\"); %d s "
             "per run, wrk with 8 connections and 2 threads against one `pencere portal --log-level warn` with "
             "`--ca-chain`/`--ocsp-url` of a `pencere ca serve` on the same machine; %d holders of citizen-auth "
             "certificates (ECDSA P-256), every challenge from its own client address. A login is two requests: "
             "the challenge, then the signed answer (signed by the benchmark beforehand, not timed). Re-run it to "
             "refresh this section."
             % (" --pg-url URL" if "postgres" in r else "", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                os.cpu_count(), seconds, HOLDERS), ""]
    best = max(v["cached"]["login"]["logins_per_s"] for k, v in r.items() if k in ("sqlite", "postgres"))
    # what the code costs, apart from the machine's other load: the CPU of a login on every core
    cheapest = min(v["cached"]["login"]["cpu_us"] + v["cached"]["login"].get("db_us", 0)
                   for k, v in r.items() if k in ("sqlite", "postgres"))
    capacity = os.cpu_count() * 1e6 / max(1.0, cheapest)
    lines += ["### Goal", "", "| goal | result | |", "|---|---|---|",
              "| certificate logins ≥ 2,000/s (one ECDSA verify and one OCSP look-up each) | %s/s | %s |"
              % (fmt(best), pkibench.verdict(best >= 2000)),
              "| the same, from the CPU a login costs on %d cores with nothing else running | %s/s | an estimate, "
              "not a measurement |" % (os.cpu_count(), fmt(capacity)), ""]
    rows = []
    for label in ("sqlite", "postgres"):
        if label not in r:
            continue
        for mode, what in (("cached", "status cached (≤ 60 s)"), ("ocsp_each", "OCSP asked at every login")):
            x = r[label][mode]
            c, lg = x["challenge"], x["login"]
            db = " + %s µs PostgreSQL" % fmt(lg["db_us"]) if label == "postgres" else ""
            rows.append("| %s | %s | %s | %.2f / %.2f ms | %s%s | %.2f / %.2f ms | %s µs%s | %.2f |"
                        % (label, what, fmt(c["rps"]), c["p50"], c["p99"], fmt(lg["logins_per_s"]),
                           " (all %s answers used: at least)" % fmt(lg["made"]) if lg["exhausted"] else "",
                           lg["p50"], lg["p99"], fmt(lg["cpu_us"]), db, lg["other_cpus"]))
    lines += ["| database | certificate status | challenges/s | p50 / p99 | logins/s (answers accepted) | "
              "p50 / p99 | CPU per login (portal + centre) | other CPUs |",
              "|---|---|---:|---:|---:|---:|---:|---:|"] + rows + [""]
    if any(k.endswith(" before") for k in r):
        lines += ["### Before and after (the same run)", "",
                  "The previous build (`--before`) and this one, each on its own database, measured one after the "
                  "other in this run. CPU per login is the steadier figure on a shared machine.", "",
                  "| database | certificate status | logins/s before | logins/s after | CPU per login before | "
                  "CPU per login after |", "|---|---|---:|---:|---:|---:|"]
        for label in ("sqlite", "postgres"):
            if label not in r or label + " before" not in r:
                continue
            for mode, what in (("cached", "status cached (≤ 60 s)"), ("ocsp_each", "OCSP asked at every login")):
                b, x = r[label + " before"][mode]["login"], r[label][mode]["login"]

                def cpu(lg):
                    return "%s µs%s" % (fmt(lg["cpu_us"]), " + %s µs PostgreSQL" % fmt(lg["db_us"])
                                        if label == "postgres" else "")
                lines.append("| %s | %s | %s | %s | %s | %s |" % (label, what, fmt(b["logins_per_s"]),
                                                                  fmt(x["logins_per_s"]), cpu(b), cpu(x)))
        lines += [""]
    lines += ["A returning holder's answer costs one ECDSA P-256 verification (the challenge by the certificate: "
              "a certificate whose chain verified once is remembered by the SHA-256 of its bytes within its "
              "validity) and, with the status cached, no request to the centre; the rest is the database in one "
              "transaction: the challenge spent, the session written, the audit entry chained. With the freshness "
              "limit at 0 every login also asks the centre's responder for its pre-signed answer over HTTP and "
              "verifies its signature. Logins per second here are bound by what else the shared machine runs "
              "(\"other CPUs\"); CPU per login is what the code costs.", "", END]
    return lines


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--splice":
        if os.path.exists(SAVED):
            splice(sys.argv[2], open(SAVED).read().rstrip("\n").split("\n"))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--pg-url")
    ap.add_argument("--before", help="another build measured in the same run (its own databases)")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (scripts/install-deps.sh --test)")
    work = tempfile.mkdtemp(prefix="pencere-bench-certlogin.")
    binary = os.path.abspath(a.binary)
    ca = pkibench.CA(binary, work, os.path.join(work, "ca.db"))
    ca.db = os.path.join(work, "ca.db")
    ca.chain = os.path.join(work, "chain.pem")
    open(ca.chain, "w").write(ca.get("/ca/chain.pem")[1].decode())
    results = {}
    # (build, its label's suffix, its folder): the previous build first, when asked for
    builds = ([(os.path.abspath(a.before), " before", os.path.join(work, "before"))] if a.before else []) + \
        [(binary, "", work)]
    for _, _, folder in builds:
        os.makedirs(folder, exist_ok=True)
    try:
        for b, suffix, folder in builds:
            backend(b, folder, os.path.join(folder, "portal.db"), "sqlite" + suffix, a.seconds, ca, results)
        if a.pg_url:
            for b, suffix, folder in builds:
                name = "bench_certlogin_%d%s" % (os.getpid(), suffix.strip())
                subprocess.run(["psql", a.pg_url, "-qc", "CREATE DATABASE %s" % name], check=True)
                u = urllib.parse.urlsplit(a.pg_url)
                url = urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + name, u.query, ""))
                try:
                    backend(b, folder, url, "postgres" + suffix, a.seconds, ca, results,
                            db_pids=server_pids(a.pg_url))
                finally:
                    subprocess.run(["psql", a.pg_url, "-qc", "DROP DATABASE %s WITH (FORCE)" % name])
    finally:
        ca.stop()
    json.dump(results, open(os.path.join(work, "results.json"), "w"), indent=1)
    lines = report(results, a.seconds)
    open(SAVED, "w").write("\n".join(lines) + "\n")
    splice(a.doc, lines)
    print("\n".join(lines))
    if os.environ.get("BENCH_KEEP"):
        print("kept:", work, file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
