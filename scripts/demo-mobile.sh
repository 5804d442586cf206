#!/usr/bin/env bash
# The demo with the mobile signature (docs/mobile.md): the CA role that
# hosts the service, `pencere demo` using it (--mid-url), and the demo
# citizen's phone — a SIM bound to their FİN that answers every request
# with its PINs (`pencere phone auto`).  Prints how to log in with it.
# Stop with Ctrl+C (everything it started stops).
#   scripts/demo-mobile.sh [DATA_DIR]        (default demo-data)
# $PENCERE_BIN (default build/pencere), $PORTAL_PORT (8080), $CA_PORT (8090),
# $PHONE_AUTO=0 to answer on the phone yourself.
set -euo pipefail
BIN=${PENCERE_BIN:-build/pencere}
DIR=${1:-demo-data}
PORTAL_PORT=${PORTAL_PORT:-8080}
CA_PORT=${CA_PORT:-8090}
CA_URL=http://127.0.0.1:$CA_PORT
NUMBER=+994501234567 PIN1=1234 PIN2=12345 PUK=87654321
mkdir -p "$DIR"

[[ -f $DIR/ca/ca.json ]] || "$BIN" ca init --data-dir "$DIR/ca" --public-url "$CA_URL" >/dev/null
[[ -f $DIR/ca/clients/portal.key ]] || "$BIN" ca add-client --data-dir "$DIR/ca" --id portal >/dev/null
cat "$DIR/ca/certs/ca.pem" "$DIR/ca/certs/root.pem" >"$DIR/ca-chain.pem"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
trap 'exit 0' INT TERM
"$BIN" ca serve --data-dir "$DIR/ca" --listen "127.0.0.1:$CA_PORT" --log-level warn 2>"$DIR/ca.log" &
pids+=($!)
"$BIN" demo --data-dir "$DIR" --listen "127.0.0.1:$PORTAL_PORT" --mid-url "$CA_URL" \
  --mid-client-key "$DIR/ca/clients/portal.key" --mid-trust "$DIR/ca-chain.pem" --log-level warn &
pids+=($!)

ready() { curl -fsS -o /dev/null "$1/healthz" 2>/dev/null; }
for _ in $(seq 300); do
  ready "$CA_URL" && ready "http://127.0.0.1:$PORTAL_PORT" && break
  sleep 0.1
done
ready "$CA_URL" || { echo "demo-mobile: the CA role did not start (see $DIR/ca.log)" >&2; exit 1; }

FIN=$(python3 -c 'import json, sys; print([a for a in json.load(open(sys.argv[1])) if a["role"] == "citizen"][0]["fin"])' \
  "$DIR/demo-accounts.json")
SIM=$DIR/phone
if [[ ! -f $SIM/sim.json ]]; then
  "$BIN" phone init --dir "$SIM" --phone "$NUMBER" --pin1 $PIN1 --pin2 $PIN2 --puk $PUK >/dev/null
  "$BIN" phone enrol --dir "$SIM" --url "$CA_URL" --client-key "$DIR/ca/clients/portal.key" \
    --trust "$DIR/ca-chain.pem" --fin "$FIN" --name "Demo citizen" >/dev/null
fi
answers="waits for you to answer (below)"
if [[ ${PHONE_AUTO:-1} != 0 ]]; then
  answers="approves every request by itself (PHONE_AUTO=0: answer yourself)"
  "$BIN" phone auto --dir "$SIM" --url "$CA_URL" --pin1 $PIN1 --pin2 $PIN2 2>>"$DIR/phone.log" &
  pids+=($!)
fi

cat <<EOT

The mobile signature: the demo citizen's phone is running.

  Phone number $NUMBER, FİN $FIN, PIN1 $PIN1, PIN2 $PIN2, PUK $PUK (SIM in $SIM)
  Service      $CA_URL/mid/v1 (the CA role)

  Number login  http://127.0.0.1:$PORTAL_PORT/login/mobile  → type $NUMBER and $FIN
  QR login      http://127.0.0.1:$PORTAL_PORT/login  → "Log in with a QR code", then scan it:
                $BIN phone scan --dir $SIM --url $CA_URL 'PCQR1:CODE'   (or the code shown under it)
  The phone    $answers
  By hand       $BIN phone requests --dir $SIM --url $CA_URL
                $BIN phone approve  --dir $SIM --url $CA_URL --pin $PIN1 ID   (or: refuse ID)

EOT
wait "${pids[1]}"
