#!/usr/bin/env bash
# bench/profile.sh — instructions per request (callgrind), per URL.
#
#   bench/profile.sh [BIN [PENCERE ARGS...]]
#       BIN defaults to a -O3 -g build in build-bench-prof/ ("" for the default);
#       e.g. bench/profile.sh "" --page-cache-ms 0   to profile rendering, not the cache
#
# Runs `pencere demo` under valgrind --tool=callgrind, warms each URL with
# 20 requests, then for each URL zeroes the counters, sends 200 requests on
# one keep-alive connection and dumps.  Instruction counts do not depend on
# what else runs on the machine, so this is the figure to compare before
# and after a change.  Dumps stay in bench/out/profile/ for
# `callgrind_annotate --inclusive=yes bench/out/profile/cg.out.N`.
# Extra knob: PRE_SQL='CREATE INDEX …' is run on the demo database first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=200
BIN=${1:-}
[[ $# -ge 1 ]] && shift
if [[ -z $BIN ]]; then
  BUILD=$ROOT/build-bench-prof
  [[ -f $BUILD/build.ninja ]] || meson setup "$BUILD" "$ROOT" --buildtype=release \
    -Dc_args='-g -fno-omit-frame-pointer' >/dev/null
  ninja -C "$BUILD" >/dev/null
  BIN=$BUILD/pencere
fi
command -v valgrind >/dev/null || { echo "profile: valgrind is not installed" >&2; exit 1; }
CATALOG=$ROOT/data/catalog
[[ -f $CATALOG/services.jsonl ]] || CATALOG=$ROOT/tests/fixtures/catalog
OUT=$ROOT/bench/out/profile
rm -rf "$OUT"; mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/pencere-profile.XXXXXX)
VG=""
cleanup() {
  if [[ -n $VG ]] && kill -0 "$VG" 2>/dev/null; then
    kill "$VG" 2>/dev/null || true
    wait "$VG" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$BIN" demo --listen "127.0.0.1:$PORT" \
  --data-dir "$WORK/data" --catalog "$CATALOG" --log-level warn "$@" >/dev/null 2>"$OUT/valgrind.log" &
VG=$!
B=http://127.0.0.1:$PORT
for _ in $(seq 1800); do   # the demo hashes its accounts' passwords: slow under valgrind
  curl -fsS -o /dev/null "$B/healthz" 2>/dev/null && break
  kill -0 "$VG" 2>/dev/null || { echo "profile: server died" >&2; tail "$OUT/valgrind.log" >&2; exit 1; }
  sleep 0.2
done
[[ -n ${PRE_SQL:-} ]] && sqlite3 "$WORK/data/pencere.db" "$PRE_SQL"
AGENCY=$(curl -fsS "$B/api/v1/agencies" | /usr/bin/python3 -c '
import json, sys
print(max(json.load(sys.stdin)["items"], key=lambda a: (a["service_count"], a["id"]))["id"])')
NAMES=(home agency api search filters asset healthz)
URLS=(/ "/agencies/$AGENCY" "/api/v1/services?limit=20" "/search?q=v%C9%99siq%C9%99si"
      "/api/v1/services?audience=citizens&free=true&limit=20" /assets/site.css /healthz)
burst() {  # burst COUNT URL: COUNT requests on one connection
  local a=() i
  for ((i = 0; i < $1; i++)); do a+=(-o /dev/null "$2"); done
  curl -fsS "${a[@]}"
}
for u in "${URLS[@]}"; do burst 20 "$B$u"; done
for k in "${!URLS[@]}"; do
  callgrind_control -z "$VG" >/dev/null 2>&1
  burst "$N" "$B${URLS[$k]}"
  callgrind_control -d "${NAMES[$k]}" "$VG" >/dev/null 2>&1
done
kill "$VG"; wait "$VG" 2>/dev/null || true; VG=""
for k in "${!NAMES[@]}"; do
  f=$OUT/cg.out.$((k + 1))
  total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  printf '%-8s %-32s %10d instructions/request   (%s)\n' "${NAMES[$k]}" "${URLS[$k]}" $((total / N)) "${f#$ROOT/}"
done
