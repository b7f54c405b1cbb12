#!/usr/bin/env bash
# Loads the dashboard of a running devnet in headless Chromium, saves a screenshot and checks
# the rendered page: members listed with how they are reached, counts shown, a hit and a
# message listed. Installs Debian's chromium when it can (root with apt-get); otherwise skips,
# saying so, or fails under BUREAU_REQUIRE_SCENARIOS=1 (as `.ci/run` sets it when root).
#   scripts/dashboard-check.sh [OUT_DIR]      screenshot and DOM in OUT_DIR
#                                             (default target/dashboard-check)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$(mkdir -p "${1:-target/dashboard-check}" && cd "${1:-target/dashboard-check}" && pwd)
base=${BUREAU_DASHBOARD_BASE_PORT:-17800}

skip() {
  if [[ ${BUREAU_REQUIRE_SCENARIOS:-} == 1 ]]; then
    echo "dashboard-check: FAILED: could not run: $* (BUREAU_REQUIRE_SCENARIOS=1)" >&2
    exit 1
  fi
  echo "dashboard-check: SKIPPED: $*"
  exit 0
}
browser() { command -v chromium || command -v chromium-browser || true; }
if [[ -z $(browser) && $(id -u) == 0 ]] && command -v apt-get > /dev/null; then
  echo "dashboard-check: installing chromium"
  apt-get update -qq > /dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null 2>&1 ||
    echo "dashboard-check: could not install chromium"
fi
chromium=$(browser)
[[ -n $chromium ]] || skip "no chromium (apt-get install chromium)"
for tool in jq; do
  command -v "$tool" > /dev/null || skip "needs $tool (apt-get install $tool)"
done

bureau=${BUREAU:-}
if [[ -z $bureau ]]; then
  cargo build --release --quiet -p bureau-node
  bureau=${CARGO_TARGET_DIR:-$repo/target}/release/bureau
fi
work=$(mktemp -d)
cleanup() {
  [[ -n ${devnet:-} ]] && kill -INT "$devnet" 2> /dev/null && wait "$devnet" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
"$bureau" devnet --base-port "$base" --nodes 3 > devnet.out 2>&1 &
devnet=$!
for _ in $(seq 1 600); do
  grep -q "up and meshed" devnet.out && break
  kill -0 "$devnet" 2> /dev/null || { cat devnet.out >&2; echo "dashboard-check: devnet died" >&2; exit 1; }
  sleep 0.1
done
grep -q "up and meshed" devnet.out || { cat devnet.out >&2; echo "dashboard-check: devnet not up in 60 s" >&2; exit 1; }

# A hit for France (Germany finds one of its firearms) and a message from Germany.
"$bureau" --dir devnet/node2 search firearm --serial FR40001 --purpose "dashboard check" > /dev/null
"$bureau" --dir devnet/node2 message send --to FRA --handling h2 --subject "Dashboard check" "Seen?" > /dev/null
for _ in $(seq 1 100); do
  hits=$("$bureau" --dir devnet/node1 hits --json | jq '.on_my_records | length')
  ((hits > 0)) && break
  sleep 0.1
done

url=$("$bureau" --dir devnet/node1 dashboard)
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=10000)
"$chromium" "${flags[@]}" --dump-dom "$url" > "$out/dashboard.html" 2> "$out/chromium.log"
"$chromium" "${flags[@]}" --window-size=1280,1500 --screenshot="$out/dashboard.png" "$url" \
  >> "$out/chromium.log" 2>&1

dom=$out/dashboard.html
failed=0
expect() {
  if grep -q -- "$2" "$dom"; then
    echo "ok   $1"
  else
    echo "FAIL $1 (no $2 in $dom)" >&2
    failed=1
  fi
}
expect "the page names the node's member" 'id="member">FRA<'
expect "the secretariat is listed" '<td>XGS</td>'
expect "Germany is listed" '<td>DEU</td>'
expect "members are reached directly" '<td class="ok">direct</td>'
expect "the node is ready" 'ready</div><div class="value ok">yes<'
expect "records are counted" 'records</div><div class="value ">[1-9]'
expect "the hit on a French firearm is listed" 'firearms/FRA/'
expect "the message from Germany is listed" '<td>DEU</td><td>FRA</td>'
((failed == 0)) || { echo "dashboard-check: FAILED (screenshot: $out/dashboard.png)" >&2; exit 1; }
echo "dashboard-check: the dashboard renders in $("$chromium" --version 2> /dev/null | head -1); screenshot $out/dashboard.png"
