#!/usr/bin/env bash
# Install what is missing, build, and run every test:
#   unit tests (cmocka) under AddressSanitizer + UBSan,
#   system tests (pytest) on a throw-away PostgreSQL cluster with the release
#   build, and on SQLite with the sanitizer build (one SQLite pass: the
#   sanitizer build runs the same code and also catches memory errors and
#   undefined behaviour; the release build still runs every PostgreSQL test
#   and the browser tests),
#   browser tests (headless Chromium, Playwright, axe-core),
#   a short run of every fuzz harness (libFuzzer),
#   and scripts/check-tables.py (no module names another module's tables).
# Ends with one line "N passed, N failed"; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/install-deps.sh --test || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/pencere-test.XXXXXX)
chmod 755 "$work"
results="$work/results"
: > "$results"
record() { echo "$1 $2 $3" >> "$results"; }   # stage passed failed
PY=/usr/bin/python3
pg_pid_dir=""

cleanup() {
  if [[ -n "$pg_pid_dir" ]]; then scripts/pg-test.sh stop "$pg_pid_dir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

summary() {
  local p=0 f=0
  echo
  echo "== summary"
  while read -r stage sp sf; do
    printf '  %-28s %5d passed %5d failed\n' "$stage" "$sp" "$sf"
    p=$((p + sp)); f=$((f + sf))
  done < "$results"
  echo "$p passed, $f failed"
  [[ $f -eq 0 ]]
}

echo "== source checks (one owner per table)"
if $PY scripts/check-tables.py; then record check-tables 1 0; else record check-tables 0 1; fi

echo "== build (release, as the demo builds it, and sanitizer)"
build_ok=1
[[ -f build/build.ninja ]] || meson setup build --buildtype=release >/dev/null || build_ok=0
ninja -C build >/dev/null || build_ok=0
[[ -f build-asan/build.ninja ]] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug >/dev/null || build_ok=0
ninja -C build-asan >/dev/null || build_ok=0
if [[ $build_ok -ne 1 ]]; then record build 0 1; summary; exit 1; fi
record build 1 0

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== unit tests (sanitizer build)"
pg_pid_dir=$(scripts/pg-test.sh start "$work/pg") || { echo "PostgreSQL did not start"; pg_pid_dir=""; }
pg_url=""
[[ -n "$pg_pid_dir" ]] && pg_url=$(cat "$pg_pid_dir/url")
PENCERE_TEST_PG_URL="$pg_url" meson test -C build-asan --print-errorlogs > "$work/unit.log" 2>&1
tail -n 12 "$work/unit.log"
# count the cmocka cases inside the test programs, not just the programs
uf=$(grep -E '^Fail:' "$work/unit.log" | awk '{print $2}'); ut=$(grep -E '^Timeout:' "$work/unit.log" | awk '{print $2}')
cp=$(grep -hoE '\[  PASSED  \] [0-9]+ test' build-asan/meson-logs/testlog.txt | awk '{s+=$4} END {print s+0}')
cf=$(grep -hoE '\[  FAILED  \] [0-9]+ test' build-asan/meson-logs/testlog.txt | awk '{s+=$4} END {print s+0}')
bad=$(( ${uf:-1} + ${ut:-0} ))
[[ $cf -lt $bad ]] && cf=$bad   # a program that crashed reports no cases
record unit "$cp" "$cf"

run_pytest() {  # name binary db-kind
  local name=$1 bin=$2 kind=$3
  echo "== system tests: $name"
  if [[ $kind == postgres && -z "$pg_url" ]]; then record "$name" 0 1; return; fi
  PENCERE_BIN="$root/$bin" PENCERE_TEST_DB="$kind" PENCERE_TEST_PG_URL="$pg_url" \
    $PY -m pytest tests/system -q -p no:cacheprovider --junitxml="$work/$name.xml" 2>&1 | tail -n 15
  $PY - "$work/$name.xml" "$name" >> "$results" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    t = sum(int(s.get('tests', 0)) for s in suites)
    f = sum(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
    sk = sum(int(s.get('skipped', 0)) for s in suites)
    print(sys.argv[2], t - f - sk, f if t else 1)
except Exception:
    print(sys.argv[2], 0, 1)
PYEOF
}
# The fuzz harnesses' own build (clang, every source again) runs beside the
# PostgreSQL pass, which mostly waits on the database: the CI budget.
fuzz_targets=""
fuzz_build_pid=""
if [[ -d tests/fuzz ]] && ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
  fuzz_targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
  ( { [[ -f build-fuzz/build.ninja ]] || CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false >/dev/null; } && nice ninja -C build-fuzz $fuzz_targets ) > "$work/fuzz-build.log" 2>&1 &
  fuzz_build_pid=$!
fi
run_pytest system-postgres build/pencere postgres
run_pytest system-sqlite-asan build-asan/pencere sqlite

echo "== browser tests (Chromium, axe-core)"
if [[ -f tests/browser/run.mjs ]]; then
  node tests/browser/run.mjs --bin "$root/build/pencere" --out "$work/browser.json" 2>&1 | tail -n 20
  $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print('browser', d['passed'], d['failed'])" "$work/browser.json" >> "$results" 2>/dev/null \
    || record browser 0 1
fi

echo "== fuzz harnesses (short runs)"
if [[ -d tests/fuzz ]] && ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
  fz_ok=0; fz_bad=0
  if [[ -n "$fuzz_build_pid" ]] && wait "$fuzz_build_pid"; then
    for f in build-fuzz/fuzz_*; do
      [[ -f $f && -x $f ]] || continue
      n=$(basename "$f"); corpus="tests/fuzz/corpus/${n#fuzz_}"
      mkdir -p "$work/$n"
      dict="tests/fuzz/${n#fuzz_}.dict"
      if "$f" -max_total_time="${FUZZ_SECONDS:-2}" -print_final_stats=0 $( [[ -f $dict ]] && echo "-dict=$dict" ) "$work/$n" $( [[ -d $corpus ]] && echo "$corpus" ) > "$work/$n.log" 2>&1; then
        fz_ok=$((fz_ok + 1)); echo "  $n: ok"
      else
        fz_bad=$((fz_bad + 1)); echo "  $n: FAILED"; tail -n 30 "$work/$n.log"
      fi
    done
  else
    fz_bad=1; echo "  the harnesses did not build:"; grep -B2 -A6 "error" "$work/fuzz-build.log" | head -n 40
  fi
  record fuzz "$fz_ok" "$fz_bad"
fi

summary
