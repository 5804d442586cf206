#!/usr/bin/python3
"""report.py — turn bench/run.sh's raw output into docs/performance.md.

    report.py OUT_DIR DOC [ANALYSIS_MD]

OUT_DIR holds results.tsv, the wrk outputs, the RSS samples and
commands.txt (all written by run.sh).  ANALYSIS_MD, when it exists, is
copied verbatim at the end of the document: it is the hand-written
profile of where the time goes, which a benchmark cannot regenerate.
Standard library only.
"""
import datetime
import os
import platform
import re
import subprocess
import sys

GOAL_RATIO = 0.5        # dynamic page req/s at least half of nginx's
GOAL_P99_MS = 10.0      # at 50 connections
GOAL_RSS_MB = 50.0
# The catalogue's front door without the page cache (issue 7 item 8), each
# against nginx serving the static home page in the same run.
GOAL_SEARCH_RATIO = 0.5     # search, a different query on every request
GOAL_FILTERS_RATIO = 0.3    # the services API with varied filters
GOAL_VARIED_P99_MS = 15.0
GOAL_INFO_P99 = 1.5         # cached API p99 at info within this factor of warn

URL_TITLES = {"home": "Home page `/`", "agency": "Agency page", "api": "JSON API",
              "asset": "*Reference:* embedded asset",
              "search": "Search, a different query each request (`/search?q=…`)",
              "filters": "Services API, varied filters (`/api/v1/services?…&limit=20`)"}


def parse_duration_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError("bad wrk duration %r" % text)
    v, unit = float(m.group(1)), m.group(2)
    return v * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(path):
    text = open(path, encoding="utf-8").read()
    r = {"raw": text}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    r["rps"] = float(m.group(1)) if m else 0.0
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % pct, text, re.M)
        r["p" + pct] = parse_duration_ms(m.group(1)) if m else float("nan")
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    r["max_ms"] = parse_duration_ms(m.group(3)) if m else float("nan")
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", text)
    r["requests"] = int(m.group(1)) if m else 0
    r["read"] = m.group(3) if m else "?"
    r["bytes"] = 0.0
    if m:
        mm = re.fullmatch(r"([\d.]+)([KMGT]?B)", m.group(3))
        if mm:
            r["bytes"] = float(mm.group(1)) * {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3,
                                                "TB": 1024 ** 4}[mm.group(2)]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["errors"] = sum(int(x) for x in m.groups()) if m else 0
    r["error_text"] = m.group(0) if m else ""
    return r


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def cmd_out(args, both=False):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=10)
        return ((p.stdout or "") + (p.stderr if both else "")).strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    os_name = "?"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release", encoding="utf-8"):
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    mhd = cmd_out(["pkg-config", "--modversion", "libmicrohttpd"])
    mhd_pkg = cmd_out(["dpkg-query", "-W", "-f=${Version}", "libmicrohttpd12"])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem": "%.1f GiB" % (mem_kb / 1048576),
        "kernel": platform.release(),
        "os": os_name,
        "mhd": "%s (Debian package %s)" % (mhd, mhd_pkg) if mhd_pkg and mhd_pkg != "?" else mhd,
        "nginx": cmd_out(["nginx", "-v"], both=True).replace("nginx version: ", ""),
        "wrk": cmd_out(["wrk", "-v"], both=True).splitlines()[0] if cmd_out(["wrk", "-v"], both=True) else "?",
        "sqlite": cmd_out(["pkg-config", "--modversion", "sqlite3"]),
        "cc": cmd_out(["cc", "--version"]).splitlines()[0] if cmd_out(["cc", "--version"]) else "?",
    }


def fmt_rps(v):
    return "{:,.0f}".format(v)


def fmt_ms(v):
    if v != v:
        return "?"
    return "%.2f ms" % v if v < 10 else "%.1f ms" % v


def fmt_mb(kb):
    return "%.1f MB" % (kb / 1024) if kb else "?"


def yes(ok):
    return "**met**" if ok else "**NOT met**"


def main():
    out, doc = sys.argv[1], sys.argv[2]
    analysis = sys.argv[3] if len(sys.argv) > 3 else None
    env = os.environ
    runs = {}
    for row in read_tsv(os.path.join(out, "results.tsv"))[1:]:
        server, config, name, url, wrk_file, hwm, after, busy_j, total_j, server_j, wrk_cpu, db_j = row
        r = parse_wrk(os.path.join(out, wrk_file))
        r.update(url=url, hwm_kb=int(hwm) if hwm else 0, after_kb=int(after) if after else 0)
        # CPU: jiffies of the whole machine and of the server's processes over the run.
        tck = os.sysconf("SC_CLK_TCK")
        ncpu = os.cpu_count() or 1
        wall = int(total_j) / ncpu / tck if int(total_j) else 0
        if wall and r["requests"]:
            r["cpu_us"] = int(server_j) / tck * 1e6 / r["requests"]
            r["server_cpus"] = int(server_j) / tck / wall
            r["wrk_cpus"] = float(wrk_cpu) / wall if wrk_cpu else float("nan")
            r["db_cpu_us"] = int(db_j) / tck * 1e6 / r["requests"]
            r["db_cpus"] = int(db_j) / tck / wall
            r["other_cpus"] = ((int(busy_j) - int(server_j) - int(db_j)) / tck / wall
                               - (r["wrk_cpus"] if wrk_cpu else 0))
        else:
            r["cpu_us"] = r["server_cpus"] = r["wrk_cpus"] = r["other_cpus"] = float("nan")
            r["db_cpu_us"] = r["db_cpus"] = float("nan")
        runs[(server, config, name)] = r

    # RSS peaks from the 200 ms samples, per configuration.
    sampled = {}
    for fn in os.listdir(out):
        m = re.fullmatch(r"rss-(.+)\.tsv", fn)
        if m and m.group(1) not in ("after", "start"):
            rows = read_tsv(os.path.join(out, fn))
            sampled[m.group(1)] = max((int(r[1]) for r in rows), default=0), len(rows)
    start = {r[0]: (int(r[1]), int(r[2])) for r in read_tsv(os.path.join(out, "rss-start.tsv"))}
    after = {r[0]: (int(r[1]), int(r[2])) for r in read_tsv(os.path.join(out, "rss-after.tsv"))}
    sizes = {r[0]: int(r[1]) for r in read_tsv(os.path.join(out, "static-sizes.tsv"))}
    size_of = {"home": sizes.get("home.html"), "agency": sizes.get("agency.html"),
               "api": sizes.get("services.json"), "asset": sizes.get("site.css")}
    info_log = {r[0]: int(r[1]) for r in read_tsv(os.path.join(out, "info-log-size.tsv"))}
    logins = {r[0]: r[1] for r in read_tsv(os.path.join(out, "logins.tsv")) if len(r) > 1}
    snapshots = read_tsv(os.path.join(out, "snapshot-sizes.tsv"))

    def peak_kb(config):
        per_run = [r["hwm_kb"] for (s, c, _), r in runs.items() if s == "pencere" and c == config]
        if config == "sqlite-login" and logins.get("hwm_kb"):
            per_run.append(int(logins["hwm_kb"]))
        return max(per_run + [sampled.get(config, (0, 0))[0]])

    m = machine()
    # The time of the run (not of this rendering): when run.sh started measuring.
    stamp = os.path.join(out, "loadavg-start.txt")
    now = (datetime.datetime.fromtimestamp(os.path.getmtime(stamp)) if os.path.exists(stamp)
           else datetime.datetime.now()).astimezone()
    names = [n for n in ("home", "agency", "api") if ("pencere", "sqlite", n) in runs]

    # ---- goals -----------------------------------------------------------
    ratio = {}
    for n in names:
        ng = runs.get(("nginx", "static", n))
        ratio[n] = runs[("pencere", "sqlite", n)]["rps"] / ng["rps"] if ng and ng["rps"] else 0.0
    ratio_ok = all(v >= GOAL_RATIO for v in ratio.values())
    p99 = {n: runs[("pencere", "sqlite", n)]["p99"] for n in names}
    p99_ok = all(v < GOAL_P99_MS for v in p99.values())
    peak_all = max(peak_kb(c) for c in {c for (s, c, _) in runs if s == "pencere"})
    rss_ok = peak_all / 1024 < GOAL_RSS_MB
    errors = [(k, r) for k, r in runs.items() if r["non2xx"] or r["errors"]]
    nginx_home = runs.get(("nginx", "static", "home"), {"rps": 0})["rps"]

    def rounds(config, name):
        """The rounds of a varied run (run.sh: search, search-2, …)."""
        return [(n, r) for (s_, c, n), r in sorted(runs.items())
                if s_ == "pencere" and c == config and (n == name or n.startswith(name + "-"))]

    def quietest(config, name):
        """The round with the least other load on the machine (all are shown)."""
        rs = rounds(config, name)
        return min(rs, key=lambda nr: nr[1]["other_cpus"] if nr[1]["other_cpus"] == nr[1]["other_cpus"] else 9)[1] \
            if rs else None
    varied = {n: quietest("sqlite-nocache", n) for n in ("search", "filters")}
    varied_ratio = {n: (r["rps"] / nginx_home if r and nginx_home else 0.0) for n, r in varied.items()}
    # the log level A/B (run.sh 5e): the median p99 of the rounds of each
    def median_p99(config):
        v = sorted(r["p99"] for (s_, c, n), r in runs.items() if c == config and n.startswith("api"))
        return v[len(v) // 2] if v else float("nan")
    warn_p99, info_p99 = median_p99("log-warn"), median_p99("log-info")
    info_factor = info_p99 / warn_p99 if warn_p99 == warn_p99 and warn_p99 else float("nan")

    L = []
    w = L.append
    w("# Performance")
    w("")
    w("Pəncərə against nginx serving the same bytes from files, on the same machine, "
      "with the same load generator. Generated by `bench/run.sh` on %s; re-run it to "
      "refresh every figure below (the last section comes from `bench/analysis.md`)." % now.strftime("%Y-%m-%d %H:%M %Z"))
    w("")
    w("## Goals")
    w("")
    w("| Goal | Result | |")
    w("|---|---|---|")
    w("| Dynamic pages serve at least %.1f× nginx's requests/s | %s | %s |" % (
        GOAL_RATIO, ", ".join("%s %.2f×" % (n, ratio[n]) for n in names), yes(ratio_ok)))
    w("| p99 latency under %.0f ms at %s connections | %s | %s |" % (
        GOAL_P99_MS, env.get("BENCH_CONNECTIONS", "50"),
        ", ".join("%s %s" % (n, fmt_ms(p99[n])) for n in names), yes(p99_ok)))
    w("| Resident memory under %.0f MB, serving the catalogue | peak %s (every load run, SQLite and PostgreSQL) | %s |" % (
        GOAL_RSS_MB, fmt_mb(peak_all), yes(rss_ok)))
    login_peak = peak_kb("sqlite-login") if logins else 0
    login_ok = login_peak and login_peak / 1024 < GOAL_RSS_MB
    if logins:
        w("| … and when %s people log in at once | peak %s, %s resident 2 s later | %s |" % (
            logins.get("logins", "?"), fmt_mb(login_peak), fmt_mb(after.get("sqlite-login", (0, 0))[0]),
            yes(login_ok)))
    if all(varied.values()):
        for n, goal in (("search", GOAL_SEARCH_RATIO), ("filters", GOAL_FILTERS_RATIO)):
            w("| %s, page cache off: at least %.1f× nginx's static home page | %.2f× (%s against %s req/s) | %s |" % (
                URL_TITLES[n], goal, varied_ratio[n], fmt_rps(varied[n]["rps"]), fmt_rps(nginx_home),
                yes(varied_ratio[n] >= goal)))
        w("| … their p99 under %.0f ms at %s connections | search %s, filters %s (nginx's static home page in "
          "the same run: %s, with %.2f other CPUs) | %s |" % (
            GOAL_VARIED_P99_MS, env.get("BENCH_CONNECTIONS", "50"), fmt_ms(varied["search"]["p99"]),
            fmt_ms(varied["filters"]["p99"]), fmt_ms(runs.get(("nginx", "static", "home"), {"p99": float("nan")})["p99"]),
            runs.get(("nginx", "static", "home"), {"other_cpus": float("nan")})["other_cpus"],
            yes(max(varied["search"]["p99"], varied["filters"]["p99"]) < GOAL_VARIED_P99_MS)))
    if info_factor == info_factor:
        w("| Cached API p99 at the default log level (info, a line per request to a file) within %.1f× "
          "of warn (median of the A/B rounds) | %s against %s: %.2f× | %s |" % (
              GOAL_INFO_P99, fmt_ms(info_p99), fmt_ms(warn_p99), info_factor, yes(info_factor <= GOAL_INFO_P99)))
    w("")
    w("The goals are judged on the default configuration (SQLite, `pencere demo`, no tuning "
      "flags) with `--log-level warn`. In plain words: the request-rate goal is %s, the "
      "latency goal is %s, the memory goal is %s." % (
          "met" if ratio_ok else "not met (%s below %.1f×)" % (
              ", ".join(n for n in names if ratio[n] < GOAL_RATIO), GOAL_RATIO),
          "met" if p99_ok else "not met (%s at or over %.0f ms)" % (
              ", ".join(n for n in names if p99[n] >= GOAL_P99_MS), GOAL_P99_MS),
          "met" if rss_ok else "not met") +
      (" With logins, memory is %s." % ("within the goal too" if login_ok else "over the goal")
       if logins else ""))
    busy = [(k, r) for k, r in runs.items() if r["other_cpus"] == r["other_cpus"] and r["other_cpus"] > 0.25]
    if busy:
        w("")
        w("**Caution:** other programs used more than a quarter of a CPU during %d of the %d runs "
          "(%s); those rows understate what this machine can do, their p99 most of all. The CPU-per-"
          "request table below does not depend much on this." % (
              len(busy), len(runs), ", ".join("%s/%s/%s: %.2f CPUs" % (k[0], k[1], k[2], r["other_cpus"])
                                            for k, r in sorted(busy))))
    if errors:
        w("")
        w("**Errors during the runs:** " + "; ".join(
            "%s/%s/%s: %d non-2xx, %s" % (k[0], k[1], k[2], r["non2xx"], r["error_text"]) for k, r in errors))
    w("")

    # ---- main table -------------------------------------------------------
    w("## Pencere (SQLite) against nginx")
    w("")
    w("`pencere demo`, default configuration (thread pool of %s workers on this machine), "
      "`--log-level warn`. nginx serves the byte-identical responses (checked by MD5) with the same "
      "security headers. wrk sends no `Accept-Encoding`, so neither compresses." % (
          (m["nproc"] * 2 if m["nproc"] > 2 else 4)))
    w("")
    w("| URL | Body | pencere req/s | nginx req/s | ratio | pencere p50 | pencere p99 | nginx p50 | nginx p99 | pencere RSS peak |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = names + (["asset"] if ("pencere", "sqlite", "asset") in runs else [])
    for n in rows:
        p = runs[("pencere", "sqlite", n)]
        g = runs.get(("nginx", "static", n), {"rps": 0, "p50": float("nan"), "p99": float("nan")})
        w("| %s<br>`%s` | %s B | %s | %s | %.2f× | %s | %s | %s | %s | %s |" % (
            URL_TITLES[n], re.sub(r"^http://[^/]+", "", p["url"]), "{:,}".format(size_of.get(n) or 0),
            fmt_rps(p["rps"]), fmt_rps(g["rps"]), p["rps"] / g["rps"] if g["rps"] else 0,
            fmt_ms(p["p50"]), fmt_ms(p["p99"]), fmt_ms(g["p50"]), fmt_ms(g["p99"]),
            fmt_mb(p["hwm_kb"])))
    w("")
    w("RSS peak is VmHWM of the pencere process over that run alone (reset through "
      "`/proc/PID/clear_refs` after the warm-up).")
    if "asset" in rows:
        w("")
        w("The last row is not a goal: `/assets/site.css` is compiled into the binary and "
          "served from memory without the database or any rendering, so it shows what "
          "pencere's HTTP edge (libmicrohttpd, routing, security headers) costs by itself: "
          "the ceiling a response cache for the catalogue pages could reach.")
    w("")

    # ---- the catalogue's front door ----------------------------------------
    front = [(c, n, r) for c in ("sqlite-nocache", "postgres-nocache") for what in ("search", "filters")
             for n, r in rounds(c, what)]
    if front:
        w("## The catalogue's front door: search and filters without the page cache")
        w("")
        w("What the page cache cannot serve: search with a different query on every request "
          "(4,000 queries of one or two words from the catalogue's service names in az, en and ru, "
          "typed with and without the Azerbaijani letters, whole words and word starts) and the "
          "services API with every combination of the filters (audience, login, fee, life situation, "
          "agency; 1,104 paths, `limit=20`); each wrk connection walks its list, so no two neighbouring "
          "requests ask the same. The server runs with `--page-cache-ms 0`, so every answer is "
          "searched and rendered: from the catalogue's snapshot in memory "
          "(`src/catalog/snapshot.c`, `search.c`), with no database query. The ratio is against "
          "nginx serving the static home page in the same run. Each is measured in %d rounds; on this "
          "shared machine the goals above are judged on the round with the least CPU used by other "
          "programs (\"other CPUs\"), and every round is listed. Before the catalogue was served from "
          "memory (issue 7), search ran at 1,676 req/s (0.04×, p99 91 ms) and the filtered API at "
          "0.05×." % max(len(rounds("sqlite-nocache", "search")), 1))
        w("")
        w("| Database | Request | round | req/s | ratio | p50 | p99 | bytes per answer | server CPU per request | other CPUs |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c, n, r in front:
            w("| %s | %s | %s | %s | %.2f× | %s | %s | %s | %s | %.2f |" % (
                "SQLite" if c.startswith("sqlite") else "PostgreSQL", URL_TITLES[n.split("-")[0]],
                n.split("-")[1] if "-" in n else "1", fmt_rps(r["rps"]),
                r["rps"] / nginx_home if nginx_home else 0, fmt_ms(r["p50"]), fmt_ms(r["p99"]),
                "{:,.0f}".format(r["bytes"] / r["requests"]) if r["requests"] and r["bytes"] else "?",
                ("%.0f µs" % r["cpu_us"]) if r["cpu_us"] == r["cpu_us"] else "?", r["other_cpus"]))
        w("")
    if snapshots:
        w("## The catalogue in memory")
        w("")
        w("Each node keeps one snapshot of the whole catalogue per catalogue version (agencies, life "
          "situations, services with their documents, and the word index of the search), loaded from "
          "the database when an import raises the version, and shared by every thread. Its size, as "
          "the node logs it (`catalog.snapshot`): all memory the snapshot's arena took from the system.")
        w("")
        w("| Catalogue | agencies | life situations | services | snapshot | per service | load time |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for name, ag, ev, sv, size, us in snapshots:
            w("| %s | %s | %s | %s | %s | %s | %.1f ms |" % (
                {"real": "`data/catalog` (the real one)",
                 "big": "the big-catalogue test's (`tests/system/test_big_catalog.py`)"}.get(name, name),
                ag, ev, sv, "%.0f KiB" % (int(size) / 1024), "%.1f KiB" % (int(size) / 1024 / max(int(sv), 1)),
                int(us) / 1000))
        w("")

    # ---- gzip -------------------------------------------------------------
    if any(c == "sqlite-gzip" for (_, c, _) in runs):
        w("## As browsers ask: `Accept-Encoding: gzip`")
        w("")
        w("The same pencere server and URLs with the request header `Accept-Encoding: gzip`, "
          "which every browser sends (wrk sends none unless told). pencere then compresses the "
          "answer (zlib level 5). nginx is not measured this way (with `gzip_static` it would "
          "send a file compressed once).")
        w("")
        w("| URL | req/s | vs. without gzip | bytes per answer | p50 | p99 | CPU per request | without gzip |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for n in names:
            z = runs.get(("pencere", "sqlite-gzip", n))
            if not z:
                continue
            p = runs[("pencere", "sqlite", n)]
            w("| %s | %s | %.2f× | %s | %s | %s | %s | %s |" % (
                URL_TITLES[n], fmt_rps(z["rps"]), z["rps"] / p["rps"] if p["rps"] else 0,
                "{:,.0f}".format(z["bytes"] / z["requests"]) if z["requests"] and z["bytes"] else "?",
                fmt_ms(z["p50"]), fmt_ms(z["p99"]),
                ("%.0f µs" % z["cpu_us"]) if z["cpu_us"] == z["cpu_us"] else "?",
                ("%.0f µs" % p["cpu_us"]) if p["cpu_us"] == p["cpu_us"] else "?"))
        w("")

    # ---- info logging -----------------------------------------------------
    if any(c == "sqlite-info" for (_, c, _) in runs):
        w("## Default log level: info, to a file")
        w("")
        w("The same server without `--log-level`, so every request writes one JSON line "
          "(`http.request`) to stderr, redirected to a file.")
        w("")
        w("| URL | req/s (info) | req/s (warn) | info/warn | p50 | p99 | RSS peak |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for n in names:
            i = runs.get(("pencere", "sqlite-info", n))
            if not i:
                continue
            base = runs[("pencere", "sqlite", n)]["rps"]
            w("| %s | %s | %s | %.2f× | %s | %s | %s |" % (
                URL_TITLES[n], fmt_rps(i["rps"]), fmt_rps(base), i["rps"] / base if base else 0,
                fmt_ms(i["p50"]), fmt_ms(i["p99"]), fmt_mb(i["hwm_kb"])))
        if info_log:
            w("")
            w("The log file grew to %s lines, %.1f MB (%.0f bytes a request)." % (
                "{:,}".format(info_log.get("lines", 0)), info_log.get("bytes", 0) / 1048576,
                info_log.get("bytes", 0) / max(info_log.get("lines", 1), 1)))
        w("")

    # ---- the log level A/B ------------------------------------------------
    ab = sorted({n for (s_, c, n) in runs if c == "log-warn"})
    if ab:
        w("### The log level's cost on the tail, in turns")
        w("")
        w("Two servers started together, one at `--log-level warn`, one at the default info (its "
          "lines to a file through the logger thread), and the cached API measured on each in turn, "
          "%d rounds, so that other load falls on both alike." % len(ab))
        w("")
        w("| Round | warn req/s | warn p99 | info req/s | info p99 | info CPU per request | warn CPU per request |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for n in ab:
            a, b = runs[("pencere", "log-warn", n)], runs.get(("pencere", "log-info", n))
            if not b:
                continue
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                n[3:], fmt_rps(a["rps"]), fmt_ms(a["p99"]), fmt_rps(b["rps"]), fmt_ms(b["p99"]),
                ("%.1f µs" % b["cpu_us"]) if b["cpu_us"] == b["cpu_us"] else "?",
                ("%.1f µs" % a["cpu_us"]) if a["cpu_us"] == a["cpu_us"] else "?"))
        w("")
        w("Median p99: warn %s, info %s (%.2f×)." % (fmt_ms(warn_p99), fmt_ms(info_p99), info_factor))
        w("")

    # ---- without the page cache -------------------------------------------
    if any(c == "sqlite-nocache" for (_, c, _) in runs):
        w("## Without the page cache: what rendering costs")
        w("")
        w("The same server with `--page-cache-ms 0`: every request is answered from the "
          "catalogue's snapshot in memory and rendered. This is the rate of a cache miss, and of "
          "every page the cache does not keep (logged-in people are never cached; search, next section).")
        w("")
        w("| URL | req/s | nginx req/s | ratio | p50 | p99 | CPU per request | cached req/s (default) |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for n in names:
            i = runs.get(("pencere", "sqlite-nocache", n))
            if not i:
                continue
            g = runs.get(("nginx", "static", n), {"rps": 0})
            w("| %s | %s | %s | %.2f× | %s | %s | %s | %s |" % (
                URL_TITLES[n], fmt_rps(i["rps"]), fmt_rps(g["rps"]), i["rps"] / g["rps"] if g["rps"] else 0,
                fmt_ms(i["p50"]), fmt_ms(i["p99"]),
                ("%.0f µs" % i["cpu_us"]) if i["cpu_us"] == i["cpu_us"] else "?",
                fmt_rps(runs[("pencere", "sqlite", n)]["rps"])))
        w("")

    # ---- PostgreSQL -------------------------------------------------------
    pg = [n for n in ("api", "home") if ("pencere", "postgres", n) in runs]
    if pg:
        w("## PostgreSQL")
        w("")
        w("`pencere portal` on a throw-away PostgreSQL %s cluster on the same machine "
          "(`scripts/pg-test.sh`: fsync off, loopback TCP), `--log-level warn`, one database "
          "connection per worker thread." % env.get("BENCH_PG_VERSION", "").replace("postgres (PostgreSQL) ", ""))
        w("")
        w("| URL | pencere req/s | vs SQLite | nginx req/s | ratio | p50 | p99 | RSS peak |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for n in pg:
            p = runs[("pencere", "postgres", n)]
            s = runs.get(("pencere", "sqlite", n), {"rps": 0})
            g = runs.get(("nginx", "static", n), {"rps": 0})
            w("| %s | %s | %.2f× | %s | %.2f× | %s | %s | %s |" % (
                URL_TITLES[n], fmt_rps(p["rps"]), p["rps"] / s["rps"] if s["rps"] else 0,
                fmt_rps(g["rps"]), p["rps"] / g["rps"] if g["rps"] else 0,
                fmt_ms(p["p50"]), fmt_ms(p["p99"]), fmt_mb(p["hwm_kb"])))
        w("")

    # ---- CPU ----------------------------------------------------------------
    w("## CPU per request")
    w("")
    w("Server CPU time (user + system, all threads and processes, from `/proc/PID/stat`) "
      "divided by the requests wrk completed; this figure depends little on what else runs. "
      "On PostgreSQL the database server's CPU (postmaster and its backends) is counted "
      "apart. \"Other\" is CPU used during the run by anything but the server, the database "
      "and wrk (another engineer's tests, say): when it is well above zero, that row's "
      "req/s and latencies are worse than the machine can do.")
    w("")
    w("| Run | req/s | server CPU per request | + PostgreSQL per request | server CPUs busy | wrk CPUs | other CPUs |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    order = {"sqlite": 0, "sqlite-gzip": 1, "static": 2, "sqlite-info": 3, "log-warn": 4, "log-info": 4,
             "sqlite-nocache": 5, "postgres": 6, "postgres-nocache": 7}
    for (s_, c, n), r in sorted(runs.items(), key=lambda kv: (order.get(kv[0][1], 9), kv[0][2])):
        w("| %s, %s, %s | %s | %s | %s | %.2f | %.2f | %.2f |" % (
            s_, c, n, fmt_rps(r["rps"]),
            ("%.0f µs" % r["cpu_us"]) if r["cpu_us"] == r["cpu_us"] else "?",
            ("%.0f µs" % r["db_cpu_us"]) if c == "postgres" and r["db_cpu_us"] == r["db_cpu_us"] else "",
            r["server_cpus"], r["wrk_cpus"], r["other_cpus"]))
    w("")

    # ---- memory -----------------------------------------------------------
    w("## Memory")
    w("")
    w("Resident memory of the pencere process (VmRSS, sampled every 200 ms from "
      "`/proc/PID/status` for the whole life of each server, plus VmHWM per run).")
    w("")
    w("| Configuration | process threads | RSS after start | peak under load | RSS 2 s after the load |")
    w("|---|---:|---:|---:|---:|")
    for c in ("sqlite", "sqlite-info", "sqlite-nocache", "sqlite-login", "postgres", "postgres-nocache"):
        if c not in start:
            continue
        w("| %s | %s | %s | %s | %s |" % (
            {"sqlite": "SQLite, warn", "sqlite-info": "SQLite, info to file",
             "sqlite-nocache": "SQLite, warn, no page cache",
             "sqlite-login": "SQLite, %s concurrent logins (no other load)" % logins.get("logins", "?"),
             "postgres": "PostgreSQL, warn", "postgres-nocache": "PostgreSQL, warn, no page cache"}[c],
            start[c][1], fmt_mb(start[c][0]), fmt_mb(peak_kb(c)), fmt_mb(after.get(c, (0, 0))[0])))
    w("")

    if logins:
        w("The login row: a fresh `pencere demo`, then the demo accounts (`demo-accounts.json` in "
          "its data folder) log in at the same moment (`GET /login` for the CSRF token, then "
          "`POST /login`); answers: %s. Every password check is Argon2id with a 19 MiB work area." % (
              logins.get("statuses", "?").strip().strip(";").replace(";", ", ")))
        w("")

    # ---- machine and method ----------------------------------------------
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w("| Date | %s |" % now.strftime("%Y-%m-%d %H:%M:%S %Z"))
    w("| CPU | %s, %s logical CPUs (`nproc`) |" % (m["cpu"], m["nproc"]))
    w("| Memory | %s |" % m["mem"])
    w("| Kernel / OS | Linux %s, %s |" % (m["kernel"], m["os"]))
    w("| libmicrohttpd | %s |" % m["mhd"])
    w("| nginx | %s |" % m["nginx"])
    w("| wrk | %s |" % m["wrk"])
    w("| SQLite / PostgreSQL | %s / %s |" % (m["sqlite"], env.get("BENCH_PG_VERSION", "?")))
    w("| Compiler | %s, meson `--buildtype=release` (-O3) |" % m["cc"])
    w("| Pəncərə | `%s` at commit %s |" % (env.get("BENCH_BIN", "?"), env.get("BENCH_GIT", "?")))
    la = [open(os.path.join(out, f), encoding="utf-8").read().split()[:3]
          for f in ("loadavg-start.txt", "loadavg-end.txt") if os.path.exists(os.path.join(out, f))]
    if len(la) == 2:
        w("| Load average (1, 5, 15 min) | %s at the start, %s at the end |" % (" ".join(la[0]), " ".join(la[1])))
    w("| Catalogue | `%s`; agency page is the agency with the most services (`%s`) |" % (
        env.get("BENCH_CATALOG", "?"), env.get("BENCH_AGENCY", "?")))
    w("")
    w("The load generator, pencere and nginx share the same %s CPUs, so every figure is "
      "\"what this box can do with wrk on it\", for both servers alike." % m["nproc"])
    w("")
    w("## Method and commands")
    w("")
    w("`bench/run.sh` (%s s this time) runs, in this order: each URL gets a %s s warm-up with "
      "the same wrk settings, then the measured run of %s s, %s connections, %s threads "
      "(HTTP/1.1 keep-alive). The commands, as run (`$WORK` is a temporary directory, "
      "ports are free ones picked at start):" % (
          env.get("BENCH_ELAPSED", "?"), env.get("BENCH_WARMUP", "3"), env.get("BENCH_DURATION", "15"),
          env.get("BENCH_CONNECTIONS", "50"), env.get("BENCH_THREADS", "2")))
    w("")
    w("```sh")
    cmds = os.path.join(out, "commands.txt")
    for line in (open(cmds, encoding="utf-8") if os.path.exists(cmds) else []):
        w(line.rstrip("\n"))
    w("```")
    w("")
    w("The nginx configuration is written by `bench/run.sh` (`worker_processes auto; access_log off;`, "
      "exact-match locations with `default_type` set to pencere's Content-Type, the same security "
      "and Cache-Control headers, `keepalive_requests 1000000` so that neither server closes "
      "keep-alive connections during a run). Raw wrk output of the last run is in `bench/out/`.")
    w("")

    if analysis and os.path.exists(analysis):
        w(open(analysis, encoding="utf-8").read().rstrip("\n"))
        w("")

    with open(doc, "w", encoding="utf-8") as f:
        f.write("\n".join(L))

    # Short summary on the terminal.
    for (s, c, n), r in sorted(runs.items()):
        print("%-8s %-12s %-7s %9s req/s  p50 %-9s p99 %-9s hwm %-8s cpu/req %6.0f us  other %.2f CPUs" % (
            s, c, n, fmt_rps(r["rps"]), fmt_ms(r["p50"]), fmt_ms(r["p99"]), fmt_mb(r["hwm_kb"]),
            r["cpu_us"], r["other_cpus"]))


if __name__ == "__main__":
    main()
