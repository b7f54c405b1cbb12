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

# The API as the README shows it: curl with the token, the OpenAPI document, JSON errors.
api=http://$(cat devnet/node1/api.addr); token=$(cat devnet/node1/api.token)
auth=(-H "Authorization: Bearer $token")
curl -sf "${auth[@]}" "$api/v1/status" | grep -q '"member":"FRA"'
curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$api/v1/search" \
     -d '{"database": "sltd", "number": "f1234667", "purpose": "border check"}' | grep -q 'sltd/FRA/f1234667'
curl -sf "${auth[@]}" "$api/v1/records/sltd/FRA/f1234667?purpose=border+check" | grep -q '"version"'
curl -sf "${auth[@]}" -H 'Content-Type: application/json' "$api/v1/records" \
     -d '{"local_id": "p7654321", "access": "all", "review_date": null, "data": {"travel-document":
          {"number": "P 765-4321", "issuing_country": "FRA", "document_type": "passport",
           "loss": "stolen", "issue_date": null, "expiry_date": null, "theft_date": null,
           "theft_place": null}}}' | grep -q '"ref":"sltd/FRA/p7654321"'
curl -sf "${auth[@]}" -H 'Content-Type: application/json' \
     "$api/v1/records/sltd/FRA/p7654321/cancel" -d '{"reason": "document recovered"}' | grep -q '"version":2'
curl -sf "${auth[@]}" "$api/v1/openapi.json" | grep -q '"openapi":"3.1.0"'
code=$(curl -s -o missing.json -w '%{http_code}' "${auth[@]}" "$api/v1/records/sltd/FRA/nothing")
[ "$code" = 404 ] && grep -q '"kind":"not_found"' missing.json
code=$(curl -s -o wrong.json -w '%{http_code}' -X DELETE "${auth[@]}" "$api/v1/status")
[ "$code" = 405 ] && grep -q '"kind":"method_not_allowed"' wrong.json
echo "API: curl examples, OpenAPI and JSON errors as documented"

# Exit codes by kind.
set +e
"$bureau" --dir devnet/node1 get sltd/FRA/nothing 2>/dev/null; [ $? = 3 ] || { echo "not found must exit 3" >&2; exit 1; }
"$bureau" --dir devnet/node1 cancel sltd/DEU/x --reason no 2>/dev/null; [ $? = 4 ] || { echo "forbidden must exit 4" >&2; exit 1; }
set -e
echo "exit codes: 3 for not found, 4 for forbidden"

# Membership as the README shows it: a new member's node, admitted offline, announced.
check init --dir pol --member POL --genesis devnet/genesis.bureau
check admit --root devnet/root.key --genesis devnet/genesis.bureau pol/join-request.bureau --out pol/node.cert
check --dir devnet/node0 admit-publish pol/node.cert
for _ in $(seq 1 100); do
  "$bureau" --dir devnet/node2 members | grep -q "^POL" && break
  sleep 0.1
done
check --dir devnet/node2 members | tee members.out
grep -q "^POL" members.out
check --dir devnet/node4 config show

kill -INT "$devnet"
wait "$devnet" || true
tail -1 devnet.out
echo "devnet smoke test passed"
