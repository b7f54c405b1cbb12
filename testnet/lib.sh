# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153 # variables for the scripts that source this
# Shared by up.sh, down.sh and status.sh: options, paths and the bureau binary. Sourced, not run.
#
# A testnet directory D holds:
#   D/node0 .. D/nodeN-1   node directories (node0 the secretariat), made by `bureau devnet
#                          --provision-only`: keys, certificate, genesis, bureau.toml, replica
#   D/testnet.env          NODES and BASE_PORT it was made with
#   D/logs/nodeI.log       each node's log (appended across restarts)
#   D/pids/nodeI.pid       each running node's pid

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BUREAU_TESTNET_DIR:-$PWD/testnet-data}
nodes=5
base_port=7000
nodes_given=
base_given=
# Node keys are derived from this seed (up.sh --seed).
seed=1
# The release binary: $BUREAU, else the cargo target directory's.
bureau=${BUREAU:-${CARGO_TARGET_DIR:-$repo/target}/release/bureau}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Parses [N] [--base-port P] [--dir D]; `usage` is the caller's.
parse_args() {
  while (($#)); do
    case $1 in
      --base-port) base_port=${2:?--base-port needs a port}; base_given=1; shift 2 ;;
      --dir) dir=${2:?--dir needs a directory}; shift 2 ;;
      --seed) seed=${2:?--seed needs a number}; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      [0-9]*) nodes=$1; nodes_given=1; shift ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  dir=$(realpath -m "$dir")
}

require_bureau() {
  [[ -x $bureau ]] || die "no bureau binary at $bureau: build it with
  cargo build --release -p bureau-node
or point BUREAU at one"
}

# The node indexes of the testnet in $dir, from its testnet.env.
load_env() {
  [[ -f $dir/testnet.env ]] || die "$dir is not a testnet (no testnet.env): testnet/up.sh makes one"
  # shellcheck source=/dev/null
  source "$dir/testnet.env"
  nodes=$NODES
  base_port=$BASE_PORT
}

pid_file() { echo "$dir/pids/node$1.pid"; }

# The pid of node I if it runs, else nothing (and a non-zero status).
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  pid=$(< "$file")
  [[ -n $pid ]] && kill -0 "$pid" 2> /dev/null || return 1
  echo "$pid"
}

# `bureau status --json` of node I through its API, or nothing. Never the replica itself: a
# CLI that opened it while the node starts would take its lock.
node_status() {
  local addr_file=$dir/node$1/api.addr addr
  [[ -f $addr_file ]] || return 1
  addr=$(< "$addr_file")
  "$bureau" --dir "$dir/node$1" --api "$addr" status --json 2> /dev/null
}

# Ports of one role are `stride` apart: the node count rounded up to a hundred (as `bureau
# devnet` lays them out: node i on P+i, its API on P+stride+i, its metrics on P+2*stride+i).
stride() { echo $(((nodes + 99) / 100 * 100)); }
api_port() { echo $((base_port + $(stride) + $1)); }
metrics_port() { echo $((base_port + 2 * $(stride) + $1)); }
