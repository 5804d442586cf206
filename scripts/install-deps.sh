#!/usr/bin/env bash
# Install what building, running and testing Pəncərə needs on Debian 12.
# Idempotent: packages already present are skipped, so a second run is
# quick and needs no network.  Run as root (or with sudo available).
#   scripts/install-deps.sh          build + demo dependencies
#   scripts/install-deps.sh --test   also the test tools (PostgreSQL,
#                                    pytest, Chromium, Node, clang, nginx, haproxy, wrk, zbar,
#                                    poppler, qpdf)
set -euo pipefail

build_pkgs=(gcc pkg-config meson ninja-build python3
  libmicrohttpd-dev libsqlite3-dev libpq-dev libssl-dev libjansson-dev zlib1g-dev libargon2-dev
  libcmocka-dev libcurl4-openssl-dev libmagic-dev ca-certificates
  libqrencode-dev)  # QR login codes (mobile)
test_pkgs=(postgresql python3-pytest python3-yaml python3-jsonschema python3-aiosmtpd python3-authlib python3-zeep
  chromium nodejs npm clang libclang-rt-14-dev nginx haproxy wrk curl procps
  softhsm2 libengine-pkcs11-openssl opensc
  zbar-tools  # the QR login tests decode the page's code (mobile)
  poppler-utils qpdf)  # ecert: the QR code read from its page; pdfsig and qpdf check the PAdES seal

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_pkgs[@]}")
fi

# A tool already on PATH from elsewhere (e.g. a newer Node.js than Debian's)
# is used as it is: installing Debian's package beside it would conflict.
provided_by_command() {
  case $1 in
    nodejs) command -v node >/dev/null ;;
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && ! provided_by_command "$p"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all Debian packages present"
fi

if [[ "${1:-}" == "--test" ]]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  if [[ -f "$here/tests/browser/package-lock.json" ]]; then
    if [[ ! -d "$here/tests/browser/node_modules/playwright-core" || ! -d "$here/tests/browser/node_modules/axe-core" ]]; then
      echo "install-deps: npm ci (browser-test tools)"
      (cd "$here/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
fi
