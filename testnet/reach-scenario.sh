#!/usr/bin/env bash
# Reachability scenarios on the netns topology (testnet/netns.sh): real `bureau` processes, one
# per namespace, and what a user would check.
#
#   testnet/reach-scenario.sh        (needs root, ip netns and nftables; skips clearly otherwise)
#
#   gs (XGS, 10.77.0.1)  the secretariat, reachable by all; it serves as relay
#   a  (FRA, 10.77.0.2)  and  b (DEU, 10.77.0.3): no route between them, both reach gs
#   c  (ITA, 10.77.1.2)  behind NAT: dials out, cannot be dialled
#   d  (ESP, 10.77.2.2)  behind another NAT: c and d cannot dial each other
#
# Scenarios, each with delivered or not, time taken and how the connection was made:
#   1. a record published by a reaches b (no route between them)
#   2. a direct message from a to b (through a relay circuit)
#   3. a direct message from a to c, behind NAT
#   4. a direct message from c to d, both behind NAT (through a relay circuit, or the hole once
#      punched)
#   5. c and d punch a hole through both NATs (DCUtR) and connect directly
#   6. the partition lifted, a message from a to b, and how a and b are now connected
# Cleans up every namespace and process it made, even on failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
netns=$repo/testnet/netns.sh
# How long one scenario may take before it counts as not delivered.
readonly deadline_s=${BUREAU_SCENARIO_DEADLINE_S:-60}
export BUREAU_NETNS_PREFIX=${BUREAU_NETNS_PREFIX:-bureau-reach}

# Skips, saying why; fails instead under BUREAU_REQUIRE_SCENARIOS=1 (what `.ci/run` sets when it
# runs as root, where the scenario can always be made to run).
skip() {
  if [[ ${BUREAU_REQUIRE_SCENARIOS:-} == 1 ]]; then
    echo "reach-scenario: FAILED: could not run: $* (BUREAU_REQUIRE_SCENARIOS=1)" >&2
    exit 1
  fi
  echo "reach-scenario: SKIPPED: $*"
  exit 0
}
[[ $(id -u) == 0 ]] || skip "needs root (network namespaces)"
# Installs what the scenario needs where it can (root with apt-get), so a fresh machine runs
# the scenario instead of skipping it.
install_missing() {
  local packages=()
  command -v nft > /dev/null || packages+=(nftables)
  command -v ip > /dev/null || packages+=(iproute2)
  ((${#packages[@]} > 0)) || return 0
  command -v apt-get > /dev/null || return 0
  echo "reach-scenario: installing ${packages[*]}"
  apt-get update -qq > /dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" > /dev/null 2>&1 ||
    echo "reach-scenario: could not install ${packages[*]}"
}
install_missing
if ! command -v ip > /dev/null || ! ip netns list > /dev/null 2>&1; then
  skip "no 'ip netns' here"
fi
command -v nft > /dev/null || skip "no nftables (apt-get install nftables)"
if ! ip netns add "$BUREAU_NETNS_PREFIX-probe" 2> /dev/null; then
  skip "cannot create network namespaces here"
fi
ip netns delete "$BUREAU_NETNS_PREFIX-probe"

bureau=${BUREAU:-}
if [[ -z $bureau ]]; then
  (cd "$repo" && cargo build --release --quiet -p bureau-node)
  bureau=${CARGO_TARGET_DIR:-$repo/target}/release/bureau
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  "$netns" down > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$netns" up > /dev/null
"$bureau" --dir "$work/net" devnet --provision-only --nodes 5 > /dev/null
: > "$work/empty.toml"
declare -A host_of=([0]=gs [1]=a [2]=b [3]=c [4]=d)
node_dir() { echo "$work/net/node$1"; }
in_ns() {
  local host=$1
  shift
  ip netns exec "$BUREAU_NETNS_PREFIX-$host" "$@"
}
cli() {
  local index=$1
  shift
  in_ns "${host_of[$index]}" "$bureau" --dir "$(node_dir "$index")" "$@"
}

gs_address=$("$netns" addr gs)
start_node() {
  local index=$1 host=${host_of[$1]} address
  address=$("$netns" addr "$host")
  local args=(node run --dir "$(node_dir "$index")" --config "$work/empty.toml"
    --listen "/ip4/$address/tcp/7000")
  if ((index == 0)); then
    # The secretariat is reachable by everyone: it relays for those who cannot be reached.
    args+=(--relay-server always)
  else
    args+=(--bootstrap "/ip4/$gs_address/tcp/7000/p2p/$gs_peer")
  fi
  BUREAU_LOG=${BUREAU_LOG:-info} in_ns "$host" "$bureau" "${args[@]}" \
    > "$work/node$index.log" 2>&1 &
  pids+=($!)
}

# Waits until COMMAND succeeds or the deadline passes; prints the seconds taken or "-".
within() {
  local started now
  started=$(date +%s.%N)
  while true; do
    if "$@" > /dev/null 2>&1; then
      now=$(date +%s.%N)
      printf '%.2f' "$(echo "$now - $started" | bc)"
      return 0
    fi
    now=$(date +%s.%N)
    if (($(echo "$now - $started > $deadline_s" | bc))); then
      printf -- '-'
      return 1
    fi
    sleep 0.2
  done
}

# How FROM's node is connected to MEMBER: direct, relayed, or none.
how() {
  local from=$1 member=$2
  cli "$from" peers --json 2> /dev/null |
    jq -r --arg member "$member" \
      '[.[] | select(.member == $member) | .connection] | if length == 0 then "none" else unique | join("+") end'
}

start_node 0
gs_peer=""
for _ in $(seq 1 100); do
  gs_peer=$(cli 0 status --json 2> /dev/null | jq -r '.peer_id // empty' || true)
  [[ -n $gs_peer ]] && break
  sleep 0.1
done
[[ -n $gs_peer ]] || { cat "$work/node0.log"; echo "the secretariat did not start" >&2; exit 1; }
# d joins later (scenario 4), so its hole punch with c can be timed from its start.
for index in 1 2 3; do start_node "$index"; done
# A node still starting answers from its replica, without members_connected: count that as 0.
members_connected() { [[ $(cli "$1" status --json | jq '.members_connected // 0') -ge 1 ]]; }
wait_connected() {
  within members_connected "$1" > /dev/null || {
    tail -20 "$work/node$1.log"
    echo "node $1 never connected" >&2
    exit 1
  }
}
for index in 1 2 3; do wait_connected "$index"; done

results=()
record() { results+=("$1|$2|$3|$4"); }

# 1. A record from a reaches b although they have no route to each other.
cli 1 publish sltd --number "R 2026-0001" > /dev/null
found() { cli 2 search sltd --number r20260001 --json | grep -q r20260001; }
if took=$(within found); then delivered=yes; else delivered=no; fi
record "record a -> b (no route)" "$delivered" "$took" "gossip and sync through gs; a-b: $(how 1 DEU)"

# 2. A direct message from a to b: no route, so through a relay circuit.
cli 1 message send --to DEU --handling h0 --subject "scenario 2" "through a relay" > /dev/null
inbox_has() { cli "$1" message inbox | grep -q "$2"; }
if took=$(within inbox_has 2 "scenario 2"); then delivered=yes; else delivered=no; fi
record "message a -> b (no route)" "$delivered" "$took" "$(how 1 DEU)"

# 3. A direct message from a to c, which cannot be dialled.
cli 1 message send --to ITA --handling h0 --subject "scenario 3" "behind NAT" > /dev/null
if took=$(within inbox_has 3 "scenario 3"); then delivered=yes; else delivered=no; fi
record "message a -> c (behind NAT)" "$delivered" "$took" "$(how 1 ITA)"

# 4. d starts; a direct message from c to d: neither can dial the other, so through a relay
# circuit unless a hole is punched already.
d_started=$(date +%s.%N)
start_node 4
wait_connected 4
cli 3 message send --to ESP --handling h0 --subject "scenario 4" "between two NATs" > /dev/null
if took=$(within inbox_has 4 "scenario 4"); then delivered=yes; else delivered=no; fi
record "message c -> d (two NATs)" "$delivered" "$took" "$(how 3 ESP)"

# 5. The relayed connection between c and d upgrades to a direct one by hole punching: the
# only way they can be directly connected. Timed from d's start.
punched() { [[ $(how 3 ESP) == *direct* ]]; }
if within punched > /dev/null; then
  delivered=yes
  took=$(printf '%.2f' "$(echo "$(date +%s.%N) - $d_started" | bc)")
else
  delivered=no took=-
fi
punches=$(cli 3 status --json | jq -r '.counters | "c: \(.hole_punch_succeeded) punched, \(.hole_punch_failed) failed"')
record "hole punch c <-> d (from start)" "$delivered" "$took" "$(how 3 ESP); $punches"

# 6. The partition lifted: a and b connect directly.
"$netns" lift > /dev/null
cli 1 message send --to DEU --handling h0 --subject "scenario 6" "after the block" > /dev/null
direct_now() { [[ $(how 1 DEU) == *direct* ]] && inbox_has 2 "scenario 6"; }
if took=$(within direct_now); then delivered=yes; else delivered=no; fi
record "message a -> b, block lifted" "$delivered" "$took" "$(how 1 DEU)"

printf '\n%-30s %-10s %-9s %s\n' SCENARIO DELIVERED SECONDS CONNECTION
failed=0
for row in "${results[@]}"; do
  IFS='|' read -r what ok took connection <<< "$row"
  printf '%-30s %-10s %-9s %s\n' "$what" "$ok" "$took" "$connection"
  [[ $ok == yes ]] || failed=$((failed + 1))
done
if ((failed > 0)); then
  for index in 0 1 2 3 4; do
    echo "--- node$index (${host_of[$index]}) log tail"
    # A panic's message comes before its backtrace: show it, then the tail.
    grep -A2 'panicked' "$work/node$index.log" | head -6 || true
    tail -15 "$work/node$index.log"
  done
  echo "reach-scenario: $failed scenario(s) failed" >&2
  exit 1
fi
echo "reach-scenario: all scenarios passed"
