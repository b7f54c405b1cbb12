#!/usr/bin/env bash
# Starts a loopback testnet of N long-running node processes (default 5: a secretariat and
# members) and returns once every node answers, is connected to every other and is ready
# (caught up with a member, as GET /readyz says).
#
#   testnet/up.sh [N] [--base-port P] [--dir D] [--seed S]
#
# The first run provisions D (default ./testnet-data, or $BUREAU_TESTNET_DIR) with
# `bureau devnet --provision-only`: node keys derived from seed S (default 1, so node i has the
# same peer id in every testnet made with that seed), certificates and sample records. Later runs
# restart the same network with its data (N and P are then those it was made with). Node i
# listens on 127.0.0.1 port P+i (TCP and QUIC), serves its API on 127.0.0.1 port P+S+i and
# /metrics, /healthz, /readyz on 127.0.0.1 port P+2S+i, S being N rounded up to a hundred
# (100 up to 100 nodes; up to 249 nodes, one per ISO 3166 country, make a network the real
# one's size).
# Logs: D/logs/nodeI.log; pids: D/pids/nodeI.pid. Stop with testnet/down.sh, inspect with
# testnet/status.sh. Binary: $BUREAU, else target/release/bureau. Waits at most
# $BUREAU_UP_TIMEOUT_S seconds (default 60).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
parse_args "$@"
require_bureau
timeout_s=${BUREAU_UP_TIMEOUT_S:-60}
started=$(date +%s.%N)

provision() {
  mkdir -p "$(dirname "$dir")"
  "$bureau" --dir "$dir" devnet --provision-only --nodes "$nodes" --base-port "$base_port" \
    --key-seed "$seed"
  printf 'NODES=%d\nBASE_PORT=%d\n' "$nodes" "$base_port" > "$dir/testnet.env"
}

if [[ -e $dir ]]; then
  load_env
  if [[ -n $nodes_given || -n $base_given ]]; then
    echo "reusing $dir: $nodes nodes from port $base_port (N and --base-port apply to a new directory)"
  fi
  for ((i = 0; i < nodes; i++)); do
    if pid=$(running_pid "$i"); then
      die "already up: node$i runs as pid $pid; testnet/down.sh --dir $dir stops it"
    fi
  done
else
  provision
fi

mkdir -p "$dir/logs" "$dir/pids"
rm -f "$dir"/pids/*.pid

# Stops what this run started if it fails before the network is up.
cleanup() {
  echo "up.sh: stopping the nodes it started" >&2
  "$(dirname "$0")/down.sh" --dir "$dir" >&2 || true
}
trap cleanup ERR INT TERM

start_node() {
  local node=$dir/node$1
  rm -f "$node/api.addr"
  echo "--- started $(date -u +%FT%TZ) ---" >> "$dir/logs/node$1.log"
  NO_COLOR=1 BUREAU_LOG=${BUREAU_LOG:-info} nohup "$bureau" node run --dir "$node" \
    --api-listen "127.0.0.1:$(api_port "$1")" --metrics-listen "127.0.0.1:$(metrics_port "$1")" \
    < /dev/null >> "$dir/logs/node$1.log" 2>&1 &
  echo $! > "$(pid_file "$1")"
}

fail_if_exited() {
  if ! running_pid "$1" > /dev/null; then
    tail -n 20 "$dir/logs/node$1.log" >&2
    echo "up.sh: node$1 exited; its log is $dir/logs/node$1.log" >&2
    false
  fi
}

# The secretariat first: every member bootstraps from it, and a member whose first dial finds
# nobody listening waits for a redial.
deadline=$(($(date +%s) + timeout_s))
start_node 0
until node_status 0 > /dev/null; do
  fail_if_exited 0
  if (($(date +%s) > deadline)); then
    echo "up.sh: node0 did not answer in ${timeout_s} s; its log is $dir/logs/node0.log" >&2
    false
  fi
  sleep 0.05
done
for ((i = 1; i < nodes; i++)); do start_node "$i"; done

# Polls until every node answers, is connected to every other and is ready (`status` says
# `ready`, as GET /readyz does: caught up with a member).
while :; do
  ready=0
  connected_all=0
  digests=()
  for ((i = 0; i < nodes; i++)); do
    fail_if_exited "$i"
    if json=$(node_status "$i"); then
      connected=$(jq -r .members_connected <<< "$json")
      if [[ $connected == $((nodes - 1)) ]]; then
        connected_all=$((connected_all + 1))
        [[ $(jq -r .ready <<< "$json") == true ]] && ready=$((ready + 1))
      fi
      digests+=("$(jq -r .digest <<< "$json")")
    fi
  done
  if ((connected_all == nodes)) && [[ -z ${meshed:-} ]]; then
    meshed=$(echo "$(date +%s.%N) - $started" | bc)
  fi
  distinct=$(printf '%s\n' "${digests[@]}" | sort -u | wc -l)
  ((ready == nodes)) && break
  if (($(date +%s) > deadline)); then
    echo "up.sh: not up in ${timeout_s} s: $connected_all of $nodes nodes connected to all," \
      "$ready ready; logs in $dir/logs" >&2
    false
  fi
  sleep 0.2
done
trap - ERR INT TERM

elapsed=$(echo "$(date +%s.%N) - $started" | bc)
printf 'testnet of %d nodes up in %.1f s: meshed after %.1f s, all ready, %d distinct digest(s) (%s)\n\n' \
  "$nodes" "$elapsed" "$meshed" "$distinct" "$dir"
"$(dirname "$0")/status.sh" --dir "$dir"
peer=$(node_status 0 | jq -r .peer_id)
echo
echo "join: bootstrap /ip4/127.0.0.1/tcp/$base_port/p2p/$peer (testnet/JOIN.md)"
echo "try:  $bureau --dir $dir/node$((nodes - 1)) search person --name \"jurgen muller\""
echo "stop: testnet/down.sh --dir $dir"
