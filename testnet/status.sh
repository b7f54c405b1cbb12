#!/usr/bin/env bash
# One line per node of the testnet: member, pid (and whether it runs), members connected,
# entries, digest (short) and API address. Exits non-zero if any node is down or its API
# does not answer (state silent).
#
#   testnet/status.sh [--dir D] [--json]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; }
as_json=
args=()
for arg in "$@"; do
  if [[ $arg == --json ]]; then as_json=1; else args+=("$arg"); fi
done
parse_args "${args[@]}"
require_bureau
load_env

down=0
rows=()
for ((i = 0; i < nodes; i++)); do
  pid=- state=down member=- peers=- entries=- digest=- api=-
  if pid=$(running_pid "$i"); then
    state=up
    if json=$(node_status "$i"); then
      member=$(jq -r .member <<< "$json")
      peers=$(jq -r .members_connected <<< "$json")
      entries=$(jq -r .entries <<< "$json")
      digest=$(jq -r '.digest[0:8]' <<< "$json")
      api=$(< "$dir/node$i/api.addr")
    else
      state=silent
      down=$((down + 1))
    fi
  else
    pid=-
    down=$((down + 1))
  fi
  rows+=("node$i $member $pid $state $peers $entries $digest $api")
done

if [[ -n $as_json ]]; then
  printf '%s\n' "${rows[@]}" | jq -R 'split(" ") | {node: .[0], member: .[1], pid: .[2],
    state: .[3], peers: .[4], entries: .[5], digest: .[6], api: .[7]}' | jq -s .
else
  { echo "NODE MEMBER PID STATE PEERS ENTRIES DIGEST API"; printf '%s\n' "${rows[@]}"; } | column -t
fi
((down == 0)) || { echo "$down of $nodes nodes down or not answering ($dir)" >&2; exit 1; }
