#!/usr/bin/env bash
# bench/run.sh — Pəncərə against nginx on this machine, in one run (~4 min).
#
#   bench/run.sh            build (release) if needed, measure, write docs/performance.md
#
# What it does, in order:
#   1. builds a release binary in build-bench/ (or uses $PENCERE_BIN);
#   2. starts `pencere demo` (SQLite, default configuration, --log-level warn),
#      saves the home page, the agency page with the most services and
#      /api/v1/services?limit=20 as static files and serves them with nginx
#      (worker_processes auto, access_log off) on another loopback port;
#   3. for each of the three URLs on pencere and on nginx: warm-up, then
#      wrk -t2 -c50 -d15s --latency; pencere once more with the header
#      Accept-Encoding: gzip, as browsers send it;
#   4. samples pencere's VmRSS/VmHWM (/proc/PID/status) during and after load;
#   5. repeats the three pencere URLs with the default log level (info, one
#      JSON line per request) written to a file, then without the page cache
#      (--page-cache-ms 0, when the binary has it), then measures memory when
#      the demo accounts log in at once (Argon2id);
#   5c. the catalogue's front door without the page cache: search with a
#      different query on every request and the services API with varied
#      filters (wrk scripts from bench/catalog_queries.py), and the size of
#      the catalogue's in-memory snapshot for the real catalogue and for the
#      big-catalogue test's generated one;
#   5e. the cached API at warn and at info in turns (three rounds), for the
#      log level's cost on the tail;
#   6. repeats the API and the home page on PostgreSQL (`pencere portal` on a
#      throw-away cluster from scripts/pg-test.sh), and search and filters
#      without the page cache there;
#   7. writes docs/performance.md (bench/report.py) with the machine, the
#      commands, the figures and the goals; raw wrk output goes to bench/out/.
#
# Only 127.0.0.1 is ever contacted.  Every process started here is stopped on
# exit (also on Ctrl+C or an error).  Environment knobs, for quick tries only:
#   BENCH_DURATION (15)  BENCH_WARMUP (2)  BENCH_CONNECTIONS (50)  BENCH_THREADS (2)
#   BENCH_SKIP_PG=1      PENCERE_BIN=path  BENCH_DOC=path (docs/performance.md)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-50}
THREADS=${BENCH_THREADS:-2}
OUT=$ROOT/bench/out
DOC=${BENCH_DOC:-$ROOT/docs/performance.md}
T0=$(date +%s)

for tool in wrk nginx curl meson ninja; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/pencere-bench.XXXXXX)
PG_DIR=""
PIDS=()          # pencere servers and samplers started by us
NGINX_PID=""

say() { printf '[bench %3ds] %s\n' $(( $(date +%s) - T0 )) "$*" >&2; }

alive() {        # running, and not a zombie waiting to be reaped
  local s
  read -r _ _ s _ 2>/dev/null < "/proc/$1/stat" || return 1
  [[ $s != Z ]]
}

stop_pid() {     # stop_pid PID [SIGNAL]: signal, wait up to 15 s, then KILL; reap
  local pid=$1 sig=${2:-TERM}
  if alive "$pid"; then
    kill -"$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 150); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [[ -n $NGINX_PID ]] && stop_pid "$NGINX_PID" QUIT
  [[ -n $PG_DIR ]] && "$ROOT/scripts/pg-test.sh" stop "$PG_DIR" || true
  if [[ $rc != 0 && -d $OUT ]]; then   # keep the servers' logs for a post-mortem
    for f in "$WORK"/*.log "$WORK"/nginx/logs/error.log; do
      [[ -f $f ]] && tail -n 200 "$f" > "$OUT/failed-$(basename "$f")"
    done
    echo "bench: failed; server logs are in ${OUT#$ROOT/}/failed-*" >&2
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# CPU accounting, so that a figure can be checked against what else ran:
# busy and total jiffies of the machine, and jiffies of a process tree.
cpu_jiffies() {   # -> "BUSY TOTAL"
  local _cpu user nice sys idle iowait irq softirq steal
  read -r _cpu user nice sys idle iowait irq softirq steal _ < /proc/stat
  echo "$((user + nice + sys + irq + softirq + steal)) $((user + nice + sys + idle + iowait + irq + softirq + steal))"
}
proc_jiffies() {  # PID...: utime+stime of each (all threads), summed
  local pid sum=0 f
  for pid in "$@"; do
    read -r -a f 2>/dev/null < "/proc/$pid/stat" || continue
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}
server_pids() {   # PID and its children (nginx: master and workers)
  local c=""
  read -r c 2>/dev/null < "/proc/$1/task/$1/children" || true
  echo "$1 $c"
}

# Commands as run, for the report.
CMDS=$WORK/commands.txt
: > "$CMDS"
note_cmd() { local c="$*"; c=${c//$ROOT\//}; printf '%s\n' "${c//$WORK/\$WORK}" >> "$CMDS"; }

# ---- 1. binary -----------------------------------------------------------
if [[ -n ${PENCERE_BIN:-} ]]; then
  BIN=$PENCERE_BIN
else
  BUILD=$ROOT/build-bench
  if [[ ! -f $BUILD/build.ninja ]]; then
    say "configuring $BUILD (release)"
    meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
  fi
  say "building $BUILD"
  ninja -C "$BUILD" >/dev/null
  BIN=$BUILD/pencere
  note_cmd "meson setup build-bench --buildtype=release && ninja -C build-bench"
fi
[[ -x $BIN ]] || { echo "bench: no binary at $BIN" >&2; exit 1; }

if [[ -f $ROOT/data/catalog/services.jsonl ]]; then
  CATALOG=$ROOT/data/catalog
else
  CATALOG=$ROOT/tests/fixtures/catalog
fi

# Other work on the machine skews every figure: wait up to 20 s for
# less than a quarter of a CPU of other load, then go on regardless (the
# report shows how much else ran during each measurement).
for i in $(seq 10); do
  c0=$(cpu_jiffies); sleep 1; c1=$(cpu_jiffies)
  busy=$(( (${c1% *} - ${c0% *}) * 100 / (${c1#* } - ${c0#* } + 1) ))
  (( busy * $(nproc) < 25 )) && break
  (( i == 1 )) && say "machine busy (${busy}% of all CPUs); waiting up to 20 s for it to calm down"
  sleep 1
done
rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/static"
cp /proc/loadavg "$OUT/loadavg-start.txt"
RESULTS=$OUT/results.tsv
printf 'server\tconfig\turl_name\turl\twrk_file\thwm_kb\trss_after_kb\tbusy_j\ttotal_j\tserver_j\twrk_cpu_s\tdb_j\n' > "$RESULTS"

# ---- helpers ---------------------------------------------------------------
PEN_PID=""; PEN_PORT=""; SAMPLER_PID=""

# start_pencere NAME LOGFILE ARGS...: start, wait for /healthz, start the RSS sampler.
start_pencere() {
  local name=$1 log=$2; shift 2
  PEN_PORT=$(free_port)
  local args=("$@" --listen "127.0.0.1:$PEN_PORT")
  note_cmd "$(printf '%q ' "${BIN#$ROOT/}" "${args[@]}")2>$log"
  "$BIN" "${args[@]}" >"$WORK/$name.stdout" 2>"$log" &
  PEN_PID=$!
  PIDS+=("$PEN_PID")
  local ok=""
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PEN_PORT/healthz" 2>/dev/null; then ok=1; break; fi
    kill -0 "$PEN_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $ok ]]; then
    echo "bench: pencere ($name) did not become healthy; its log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  say "pencere $name up on :$PEN_PORT (pid $PEN_PID, $(status_kb "$PEN_PID" Threads) threads)"
  sample_rss "$PEN_PID" "$OUT/rss-$name.tsv" &
  SAMPLER_PID=$!
  PIDS+=("$SAMPLER_PID")
  printf '%s\t%s\t%s\n' "$name" "$(status_kb "$PEN_PID" VmRSS)" "$(status_kb "$PEN_PID" Threads)" \
    >> "$OUT/rss-start.tsv"
}

stop_pencere() {  # records the resident memory after 2 s idle, then stops
  sleep 2
  printf '%s\t%s\t%s\n' "$CUR_NAME" "$(status_kb "$PEN_PID" VmRSS)" "$(status_kb "$PEN_PID" VmHWM)" \
    >> "$OUT/rss-after.tsv"
  stop_pid "$SAMPLER_PID"
  stop_pid "$PEN_PID"
}

# Every 200 ms: monotonic ms, VmRSS kB, VmHWM kB.  Builtins only (no forks),
# so the sampler does not disturb the measurement.
sample_rss() {
  local pid=$1 out=$2 k v rss hwm fd
  exec {fd}<> <(:)          # an fd that never has data: read -t is a fork-free sleep
  while [[ -r /proc/$pid/status ]]; do
    rss=0; hwm=0
    while read -r k v _; do
      case $k in VmRSS:) rss=$v ;; VmHWM:) hwm=$v ;; esac
    done 2>/dev/null < "/proc/$pid/status" || break
    printf '%s\t%s\t%s\n' "${EPOCHREALTIME/./}" "$rss" "$hwm" >> "$out"
    read -r -t 0.2 -u "$fd" || true
  done
}

status_kb() {
  local k v
  while read -r k v _; do [[ $k == "$2:" ]] && { echo "$v"; return; }; done 2>/dev/null < "/proc/$1/status"
  echo 0
}

WRK_EXTRA=()     # e.g. (-H 'Accept-Encoding: gzip')
WRK_SCRIPT=""    # a wrk Lua script choosing each request's path

# run_wrk SERVER CONFIG URL_NAME URL PID: warm-up, measured run, record.
run_wrk() {
  local server=$1 config=$2 name=$3 url=$4 pid=$5 db_pid=${6:-}
  local f=$OUT/wrk-$server-$config-$name.txt hwm="" after="" pids c0 c1 s0 s1 d0=0 d1=0 dbp="" wrk_cpu="" timer=()
  local script=()
  [[ -n $WRK_SCRIPT ]] && script=(-s "$WRK_SCRIPT")
  wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "${WRK_EXTRA[@]}" "${script[@]}" "$url" >/dev/null
  if [[ $server == pencere ]]; then   # VmHWM of this run only
    { echo 5 > "/proc/$pid/clear_refs"; } 2>/dev/null || true
  fi
  say "wrk $server/$config $url"
  note_cmd "wrk -t$THREADS -c$CONNS -d${DURATION}s --latency ${WRK_EXTRA[*]:+-H '${WRK_EXTRA[1]}' }${WRK_SCRIPT:+-s ${WRK_SCRIPT##*/} }'$url'"
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%U %S' -o "$f.time")
  pids=$(server_pids "$pid")
  [[ -n $db_pid ]] && dbp=$(server_pids "$db_pid")
  c0=$(cpu_jiffies); s0=$(proc_jiffies $pids); [[ -n $dbp ]] && d0=$(proc_jiffies $dbp)
  "${timer[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "${WRK_EXTRA[@]}" "${script[@]}" "$url" > "$f"
  c1=$(cpu_jiffies); s1=$(proc_jiffies $pids); [[ -n $dbp ]] && d1=$(proc_jiffies $dbp)
  if ! alive "$pid"; then
    local st=0; wait "$pid" 2>/dev/null || st=$?
    echo "bench: $server ($config) died during $url (exit status $st); wrk said:" >&2
    cat "$f" >&2
    exit 1
  fi
  [[ -f $f.time ]] && read -r u sy < "$f.time" && wrk_cpu=$(awk -v u="$u" -v s="$sy" 'BEGIN{printf "%.2f", u+s}')
  if [[ $server == pencere ]]; then
    hwm=$(status_kb "$pid" VmHWM)
    after=$(status_kb "$pid" VmRSS)
  fi
  # busy jiffies, total jiffies, server jiffies, wrk CPU seconds, database server
  # jiffies (jiffies are 1/CLK_TCK s)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$config" "$name" "$url" "$(basename "$f")" \
    "$hwm" "$after" "$(( ${c1% *} - ${c0% *} ))" "$(( ${c1#* } - ${c0#* } ))" "$((s1 - s0))" "$wrk_cpu" \
    "$((d1 - d0))" >> "$RESULTS"
  grep -E 'Requests/sec|^ +99%' "$f" | tr -s ' ' | tr '\n' ' ' >&2; echo >&2
}

# ---- 2. pencere (SQLite) and the static copies ------------------------------
CUR_NAME=sqlite
start_pencere sqlite "$WORK/sqlite.log" demo --data-dir "$(mktemp -d "$WORK/data.XXXX")" \
  --catalog "$CATALOG" --log-level warn
P=http://127.0.0.1:$PEN_PORT

# The agency with the most services (the catalogue is data, not a constant).
AGENCY=$(curl -fsS "$P/api/v1/agencies" | $PY -c '
import json, sys
items = json.load(sys.stdin)["items"]
print(max(items, key=lambda a: (a["service_count"], a["id"]))["id"])')
declare -A PATHS=([home]="/" [agency]="/agencies/$AGENCY" [api]="/api/v1/services?limit=20")
NAMES=(home agency api)
# The varied requests of 5c: every request asks something else.
for what in search api; do
  $PY "$ROOT/bench/catalog_queries.py" "$CATALOG" "$what" "$WORK/varied-$what.lua" >/dev/null
  cp "$WORK/varied-$what.lua" "$OUT/varied-$what.lua"
done
note_cmd "$PY bench/catalog_queries.py $CATALOG search varied-search.lua; … api varied-api.lua   # copies in bench/out/"
# run_varied CONFIG PID [DB_PID]: search and filters, one wrk script each,
# in VARIED_ROUNDS rounds (search, search-2, …): on a shared machine the
# report judges the tail on the round with the least other load and shows
# every round.
VARIED_ROUNDS=${BENCH_VARIED_ROUNDS:-3}
run_varied() {
  local round suffix
  for round in $(seq "$VARIED_ROUNDS"); do
    suffix=""; (( round > 1 )) && suffix="-$round"
    WRK_SCRIPT=$WORK/varied-search.lua run_wrk pencere "$1" "search$suffix" "$P/search" "$2" "${3:-}"
    WRK_SCRIPT=$WORK/varied-api.lua run_wrk pencere "$1" "filters$suffix" "$P/api/v1/services" "$2" "${3:-}"
  done
}

# Static copies, byte for byte what pencere sends to a client without
# Accept-Encoding (wrk sends none, so neither server compresses).
curl -fsS -o "$WORK/static/home.html" "$P/"
curl -fsS -o "$WORK/static/agency.html" "$P${PATHS[agency]}"
curl -fsS -o "$WORK/static/services.json" "$P${PATHS[api]}"
for n in home.html agency.html services.json; do
  printf '%s\t%s\n' "$n" "$(stat -c %s "$WORK/static/$n")"
done > "$OUT/static-sizes.tsv"
curl -fsS -D "$OUT/pencere-headers.txt" -o /dev/null "$P/"

NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat > "$WORK/nginx/nginx.conf" <<EOF
# Reference: the same bytes and the same response headers as pencere, from files.
user root;
worker_processes auto;
daemon off;
master_process on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server_tokens off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  types { }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/static;
    add_header Vary "Accept-Encoding" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy same-origin always;
    add_header X-Frame-Options DENY always;
    add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'" always;
    add_header Cross-Origin-Opener-Policy same-origin always;
    add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;
    add_header Cache-Control no-cache always;
    location = / { default_type "text/html; charset=utf-8"; try_files /home.html =404; }
    location = /agencies/$AGENCY { default_type "text/html; charset=utf-8"; try_files /agency.html =404; }
    location = /api/v1/services { default_type application/json; try_files /services.json =404; }
  }
}
EOF
cp "$WORK/nginx/nginx.conf" "$OUT/nginx.conf"
note_cmd "nginx -e \$WORK/nginx/logs/error.log -p \$WORK/nginx -c \$WORK/nginx/nginx.conf   # config: bench/out/nginx.conf"
nginx -e "$WORK/nginx/logs/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
N=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 100); do curl -fsS -o /dev/null "$N/" 2>/dev/null && break; sleep 0.1; done
for n in "${NAMES[@]}"; do    # the reference must answer the same bytes
  a=$(curl -fsS "$P${PATHS[$n]}" | md5sum); b=$(curl -fsS "$N${PATHS[$n]}" | md5sum)
  [[ $a == "$b" ]] || { echo "bench: nginx copy of ${PATHS[$n]} differs from pencere's answer" >&2; exit 1; }
done
curl -fsS -D "$OUT/nginx-headers.txt" -o /dev/null "$N/"
say "nginx up on :$NGINX_PORT (pid $NGINX_PID), agency page ${PATHS[agency]}"

# ---- 3. + 4. load: pencere (SQLite, warn) and nginx -------------------------
for n in "${NAMES[@]}"; do
  run_wrk pencere sqlite "$n" "$P${PATHS[$n]}" "$PEN_PID"
done
# Browsers send Accept-Encoding: gzip; wrk by default does not.  The same
# server and URLs once more as a browser would ask (pencere compresses).
WRK_EXTRA=(-H 'Accept-Encoding: gzip')
for n in "${NAMES[@]}"; do
  run_wrk pencere sqlite-gzip "$n" "$P${PATHS[$n]}" "$PEN_PID"
done
WRK_EXTRA=()
for n in "${NAMES[@]}"; do
  run_wrk nginx static "$n" "$N${PATHS[$n]}" "$NGINX_PID"
done
stop_pid "$NGINX_PID" QUIT; NGINX_PID=""
stop_pencere

# ---- 5. default log level (info) to a file ---------------------------------
CUR_NAME=sqlite-info
INFO_LOG=$WORK/sqlite-info.log
start_pencere sqlite-info "$INFO_LOG" demo --data-dir "$(mktemp -d "$WORK/data.XXXX")" --catalog "$CATALOG"
P=http://127.0.0.1:$PEN_PORT
for n in "${NAMES[@]}"; do
  run_wrk pencere sqlite-info "$n" "$P${PATHS[$n]}" "$PEN_PID"
done
stop_pencere
printf 'lines\t%s\nbytes\t%s\n' "$(wc -l < "$INFO_LOG")" "$(stat -c %s "$INFO_LOG")" > "$OUT/info-log-size.tsv"
head -n 3 "$INFO_LOG" | tail -n 1 > "$OUT/info-log-sample.txt" || true

# ---- 5a. the same without the page cache (when the binary has one) ---------
# What a page costs to render: the rate a cache miss runs at, and the rate
# for pages the cache cannot keep (search words, logged-in people).
if "$BIN" demo --help 2>&1 | grep -q -- '--page-cache-ms'; then
  CUR_NAME=sqlite-nocache
  start_pencere sqlite-nocache "$WORK/sqlite-nocache.log" demo --data-dir "$(mktemp -d "$WORK/data.XXXX")" \
    --catalog "$CATALOG" --log-level warn --page-cache-ms 0
  P=http://127.0.0.1:$PEN_PORT
  for n in "${NAMES[@]}"; do
    run_wrk pencere sqlite-nocache "$n" "$P${PATHS[$n]}" "$PEN_PID"
  done
  # ---- 5c. search and filters, a different request each time -------------
  run_varied sqlite-nocache "$PEN_PID"
  stop_pencere
fi

# ---- 5d. the snapshot's memory: the real catalogue and a big one ------------
# Each node logs catalog.snapshot (info) with the snapshot's bytes when it
# loads one; the big catalogue is the one tests/system/test_big_catalog.py
# generates.
snapshot_size() {  # snapshot_size NAME CATALOG_DIR
  local d; d=$(mktemp -d "$WORK/snap.XXXX")
  CUR_NAME=snapshot-$1
  start_pencere "snapshot-$1" "$d/log" portal --db "$d/p.db" --import-catalog "$2" --files-dir "$d/files"
  curl -fsS -o /dev/null "http://127.0.0.1:$PEN_PORT/api/v1/services"
  sleep 0.3   # the logger thread writes every 50 ms
  stop_pid "$SAMPLER_PID"; stop_pid "$PEN_PID"
  $PY - "$1" "$d/log" >> "$OUT/snapshot-sizes.tsv" <<'PYEOF'
import json, re, sys
for line in open(sys.argv[2], encoding="utf-8"):
    if '"catalog.snapshot"' in line:
        m = re.search(r"(\d+) agencies, (\d+) life situations, (\d+) services, (\d+) bytes, loaded in (\d+) us",
                      json.loads(line)["msg"])
        if m:
            print("\t".join((sys.argv[1],) + m.groups()))
PYEOF
}
: > "$OUT/snapshot-sizes.tsv"
snapshot_size real "$CATALOG"
BIG=$WORK/big-catalog
$PY -c 'import sys; sys.path.insert(0, sys.argv[1]); import test_big_catalog as t; t.make_catalog(sys.argv[2])' \
  "$ROOT/tests/system" "$BIG"
snapshot_size big "$BIG"
note_cmd "# snapshot sizes: pencere portal --import-catalog DIR (data/catalog; tests/system/test_big_catalog.py's make_catalog), the catalog.snapshot log line"

# ---- 5e. the log level's cost on the tail, A/B ------------------------------
# The cached API at warn and at info (a JSON line per request to a file), on
# two servers started together and measured in turns, three rounds each, so
# that other load on the machine falls on both alike; the report compares
# the median p99 of each.
LOG_ROUNDS=${BENCH_LOG_ROUNDS:-3}
CUR_NAME=log-warn
start_pencere log-warn "$WORK/log-warn.log" demo --data-dir "$(mktemp -d "$WORK/data.XXXX")" --catalog "$CATALOG" \
  --log-level warn
WARN_PID=$PEN_PID WARN_PORT=$PEN_PORT WARN_SAMPLER=$SAMPLER_PID
CUR_NAME=log-info
start_pencere log-info "$WORK/log-info.log" demo --data-dir "$(mktemp -d "$WORK/data.XXXX")" --catalog "$CATALOG"
for round in $(seq "$LOG_ROUNDS"); do
  run_wrk pencere log-warn "api$round" "http://127.0.0.1:$WARN_PORT${PATHS[api]}" "$WARN_PID"
  run_wrk pencere log-info "api$round" "http://127.0.0.1:$PEN_PORT${PATHS[api]}" "$PEN_PID"
done
printf 'lines\t%s\n' "$(wc -l < "$WORK/log-info.log")" > "$OUT/log-ab-lines.tsv"
stop_pencere
stop_pid "$WARN_SAMPLER"; stop_pid "$WARN_PID"

# ---- 5b. memory when people log in ----------------------------------------
# Each password check is Argon2id with a 19 MiB work area; the demo seeds
# accounts and writes their passwords to demo-accounts.json.  Ten logins at
# once, then the resident memory.  Best effort: skipped when the demo has
# no accounts file or the login form changes.
CUR_NAME=sqlite-login
LOGIN_DATA=$(mktemp -d "$WORK/data.XXXX")
start_pencere sqlite-login "$WORK/sqlite-login.log" demo --data-dir "$LOGIN_DATA" --catalog "$CATALOG" --log-level warn
P=http://127.0.0.1:$PEN_PORT
login_once() {   # login_once N LOGIN PASSWORD -> HTTP status of the POST
  local jar=$WORK/cookies.$1 tok
  tok=$(curl -fsS -c "$jar" -b "$jar" "$P/login" | grep -o 'name="csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//') || true
  curl -sS -o /dev/null -w '%{http_code}\n' -c "$jar" -b "$jar" --data-urlencode "csrf=$tok" \
    --data-urlencode "login=$2" --data-urlencode "password=$3" "$P/login" || echo 000
}
if [[ -f $LOGIN_DATA/demo-accounts.json ]]; then
  note_cmd "# 10 concurrent POST /login of the demo accounts (GET /login first for the CSRF token), curl"
  { echo 5 > "/proc/$PEN_PID/clear_refs"; } 2>/dev/null || true
  login_pids=(); k=0
  while read -r lg pw; do
    login_once "$k" "$lg" "$pw" > "$WORK/login.$k" & login_pids+=($!); k=$((k + 1))
  done < <($PY -c 'import json, sys
for a in json.load(open(sys.argv[1]))[:10]: print(a["login"], a["password"])' "$LOGIN_DATA/demo-accounts.json")
  wait "${login_pids[@]}" || true
  printf 'logins\t%s\nstatuses\t%s\nhwm_kb\t%s\nrss_kb\t%s\n' "$k" "$(cat "$WORK"/login.* | sort | uniq -c | awk '{printf "%s× %s;", $1, $2}')" \
    "$(status_kb "$PEN_PID" VmHWM)" "$(status_kb "$PEN_PID" VmRSS)" > "$OUT/logins.tsv"
  say "logins: $(tr '\n' ' ' < "$OUT/logins.tsv")"
fi
stop_pencere

# ---- 6. PostgreSQL ---------------------------------------------------------
if [[ ${BENCH_SKIP_PG:-0} != 1 ]]; then
  say "starting a throw-away PostgreSQL cluster"
  PG_DIR=$("$ROOT/scripts/pg-test.sh" start "$(mktemp -d /tmp/pencere-bench-pg.XXXXXX)")
  note_cmd "scripts/pg-test.sh start \$PGDIR"
  CUR_NAME=postgres
  pg_args=(portal --db "$(cat "$PG_DIR/url")" --import-catalog "$CATALOG" --log-level warn)
  if "$BIN" portal --help 2>&1 | grep -q -- '--files-dir'; then   # required with PostgreSQL
    mkdir -p "$WORK/files"; pg_args+=(--files-dir "$WORK/files")
  fi
  start_pencere postgres "$WORK/postgres.log" "${pg_args[@]}"
  P=http://127.0.0.1:$PEN_PORT
  for n in api home; do
    run_wrk pencere postgres "$n" "$P${PATHS[$n]}" "$PEN_PID" "$(head -n 1 "$PG_DIR/data/postmaster.pid")"
  done
  stop_pencere
  if "$BIN" portal --help 2>&1 | grep -q -- '--page-cache-ms'; then
    CUR_NAME=postgres-nocache
    start_pencere postgres-nocache "$WORK/postgres-nocache.log" "${pg_args[@]}" --page-cache-ms 0
    P=http://127.0.0.1:$PEN_PORT
    run_varied postgres-nocache "$PEN_PID" "$(head -n 1 "$PG_DIR/data/postmaster.pid")"
    stop_pencere
  fi
  "$ROOT/scripts/pg-test.sh" stop "$PG_DIR"; PG_DIR=""
  note_cmd "scripts/pg-test.sh stop \$PGDIR"
fi

# ---- 7. report -------------------------------------------------------------
cp /proc/loadavg "$OUT/loadavg-end.txt"
cp "$CMDS" "$OUT/commands.txt"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
PG_VERSION=$("$PG_BIN/postgres" --version 2>/dev/null || echo "?")
BENCH_ELAPSED=$(( $(date +%s) - T0 )) \
BENCH_DURATION=$DURATION BENCH_WARMUP=$WARMUP BENCH_CONNECTIONS=$CONNS BENCH_THREADS=$THREADS \
BENCH_CATALOG=${CATALOG#$ROOT/} BENCH_AGENCY=$AGENCY BENCH_PG_VERSION=$PG_VERSION \
BENCH_BIN=${BIN#$ROOT/} BENCH_GIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src meson.build 2>/dev/null) ]] && echo ' + uncommitted changes in src/' || true)" \
  $PY "$ROOT/bench/report.py" "$OUT" "$DOC" "$ROOT/bench/analysis.md"
  # the identity-and-applications section (bench/identity_apps.py) stays
  $PY "$ROOT/bench/identity_apps.py" --splice "$DOC"
  # … and so does the certification centre's (bench/pki.py)
  $PY "$ROOT/bench/pki.py" --splice "$DOC"
  # … and the OpenID Connect provider's (bench/oidc.py)
  $PY "$ROOT/bench/oidc.py" --splice "$DOC"
  # … and the exchange layer's (bench/exchange.py)
  $PY "$ROOT/bench/exchange.py" --splice "$DOC"
say "wrote ${DOC#$ROOT/} (raw output in ${OUT#$ROOT/}/) in $(( $(date +%s) - T0 )) s"
