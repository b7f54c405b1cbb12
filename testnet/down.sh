#!/usr/bin/env bash
# Stops the testnet's nodes: SIGTERM to each (a node closes its API and connections and flushes
# its store), then SIGKILL to any still running after $BUREAU_DOWN_TIMEOUT_S seconds
# (default 10). Removes the pid files; keeps the data and logs (up.sh restarts the same network).
#
#   testnet/down.sh [--dir D]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
parse_args "$@"
load_env
timeout_s=${BUREAU_DOWN_TIMEOUT_S:-10}
started=$(date +%s.%N)

pids=()
for ((i = 0; i < nodes; i++)); do
  if pid=$(running_pid "$i"); then
    kill -TERM "$pid" 2> /dev/null || true
    pids+=("$pid")
  fi
done

deadline=$(($(date +%s) + timeout_s))
killed=0
for pid in "${pids[@]}"; do
  while kill -0 "$pid" 2> /dev/null && (($(date +%s) < deadline)); do sleep 0.05; done
  if kill -0 "$pid" 2> /dev/null; then
    kill -KILL "$pid" 2> /dev/null || true
    killed=$((killed + 1))
  fi
done
rm -f "$dir"/pids/node*.pid

printf 'testnet down: %d nodes stopped in %.1f s' "${#pids[@]}" "$(echo "$(date +%s.%N) - $started" | bc)"
((killed == 0)) && echo || echo ", $killed killed after ${timeout_s} s"
