#!/usr/bin/env bash
# Starts a real devnet (5 node processes on loopback), runs the README quick start against it,
# checks the answers, and stops it. Opt-in: it binds ports BASE..BASE+4 (default 17300).
#   scripts/devnet-smoke.sh [BASE_PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-17300}
cargo build --release --quiet
bureau=$PWD/target/release/bureau
work=$(mktemp -d)
trap 'kill "$devnet" 2>/dev/null || true; wait "$devnet" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"

started=$(date +%s.%N)
"$bureau" devnet --base-port "$base" > devnet.out 2>&1 &
devnet=$!
for _ in $(seq 1 300); do
  grep -q "up and meshed" devnet.out && break
  kill -0 "$devnet" 2>/dev/null || { cat devnet.out; echo "devnet died" >&2; exit 1; }
  sleep 0.1
done
grep -q "up and meshed" devnet.out || { cat devnet.out; echo "devnet not up in 30 s" >&2; exit 1; }
echo "devnet up in $(echo "$(date +%s.%N) - $started" | bc) s (wall clock, warm build)"

check() { echo "\$ bureau $*"; "$bureau" "$@"; }
check --dir devnet/node1 publish sltd --number "P 1234-567" --type passport --loss stolen
for _ in $(seq 1 50); do
  "$bureau" --dir devnet/node4 search sltd --number p1234567 --json 2>/dev/null | grep -q p1234567 && break
  sleep 0.1
done
check --dir devnet/node4 search sltd --number p1234567 | tee search.out
grep -q "sltd/FRA/p1234567" search.out
check --dir devnet/node4 status --json | tee status.json
grep -q '"digest"' status.json && grep -q '"peers": 4' status.json
check --dir devnet/node4 peers
check --dir devnet/node1 get sltd/FRA/p1234567
check --dir devnet/node1 cancel sltd/FRA/p1234567 --reason "document recovered"

# Search across scripts, a hit that reaches the owner and its answer, a message, the audit log.
check --dir devnet/node4 search person --name "Sergei Ivanov" --dob 1980 | tee person.out
grep -q "persons/ITA/person3" person.out
check --dir devnet/node4 search firearm --serial FR40001 --purpose "border check" --place "Irun" | tee gun.out
grep -q "firearms/FRA/gun1" gun.out
hit=""
for _ in $(seq 1 100); do
  hit=$("$bureau" --dir devnet/node1 hits | awk '$2 == "firearms/FRA/gun1" { print $1; exit }')
  [ -n "$hit" ] && break
  sleep 0.1
done
[ -n "$hit" ] || { echo "the hit never reached France" >&2; exit 1; }
check --dir devnet/node1 hits
check --dir devnet/node1 hits answer "$hit" --confirmed --action "seize the weapon, call NCB Paris"
for _ in $(seq 1 100); do
  "$bureau" --dir devnet/node4 hits | grep -q "seize the weapon" && break
  sleep 0.1
done
check --dir devnet/node4 hits | tee hits.out
grep -q "confirmed: seize the weapon" hits.out
check --dir devnet/node4 message send --to FRA --handling h2 --subject "Op. Nord" "Suspect at Irun on Friday"
for _ in $(seq 1 100); do
  "$bureau" --dir devnet/node1 message inbox | grep -q "Op. Nord" && break
  sleep 0.1
done
check --dir devnet/node1 message inbox | tee inbox.out
grep -q "Op. Nord" inbox.out
check --dir devnet/node4 audit --tail 5
check --dir devnet/node4 audit --verify
kill -INT "$devnet"
wait "$devnet" || true
tail -1 devnet.out
echo "devnet smoke test passed"
