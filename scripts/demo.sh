#!/usr/bin/env bash
# Install what is missing, build, and start the demo: every role on
# SQLite files in ./demo-data, with the catalogue loaded.  Ctrl+C stops it.
#   scripts/demo.sh [--listen HOST:PORT] [--data-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
[[ -f build/build.ninja ]] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
exec ./build/pencere demo --listen 127.0.0.1:8080 --data-dir demo-data "$@"
