#!/usr/bin/env bash
# One history per member, with real processes on a loopback testnet of 4 nodes:
#   A. a copy of a running node's directory (a cloned machine) starts: its peers refuse it, it
#      refuses to sign, the original keeps publishing, no fork;
#   B. a node restored from an older backup publishes through its API at once: it gets its
#      newer entries back first, no fork, the record reaches every node;
#   C. the same restore, then a publish with the CLI while the node is stopped: refused without
#      --offline; with it, the log forks, and every node shows the fork and ends on one digest;
#   D. a node's audit log, witnessed by the network, loses its last line while the node is
#      stopped: the node refuses to start and `audit --verify` fails, until the log is restored;
#   E. `bureau backup` of a running node with a message and a hit, more entries signed after it,
#      the machine lost, `bureau restore` into a fresh directory: the node signs nothing until a
#      member has given its log back, then publishes its next seq: no fork, mailbox and hits kept.
# Prints what an operator sees and how long each step took; exits non-zero if a check fails.
#
#   testnet/fork-scenario.sh [--base-port P]     (default 17500; uses P..P+13 and P+100..P+113)
#
# Binary: $BUREAU, else target/release/bureau (built if missing). Needs jq and bc.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
base_port=17500
parse_args "$@"
if [[ ! -x $bureau ]]; then
  (cd "$repo" && cargo build --release --quiet -p bureau-node)
fi
for tool in jq bc; do
  command -v "$tool" > /dev/null || die "needs $tool (apt-get install $tool)"
done
readonly wait_s=${BUREAU_SCENARIO_DEADLINE_S:-60}
work=$(mktemp -d)
dir=$work/net
nodes=4
extra_pids=()
cleanup() {
  for pid in "${extra_pids[@]}"; do kill -TERM "$pid" 2> /dev/null || true; done
  "$repo/testnet/down.sh" --dir "$dir" > /dev/null 2>&1 || true
  if [[ ${keep:-} != 1 ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }
step() { printf '\n== %s\n' "$*"; }
fail() {
  keep=1
  echo "FAIL: $* (logs kept in $dir/logs)" >&2
  exit 1
}

# `bureau` against node directory D through the API at PORT.
api() {
  local node=$1 port=$2
  shift 2
  "$bureau" --dir "$node" --api "127.0.0.1:$port" "$@"
}
status_of() { api "$1" "$2" status --json 2> /dev/null; }

# Starts `bureau node run` on directory D, network port P, API port Q; logs to D.log.
start() {
  local node=$1 port=$2 api_port=$3
  rm -f "$node/api.addr"
  NO_COLOR=1 BUREAU_LOG=${BUREAU_LOG:-info} nohup "$bureau" node run --dir "$node" \
    --listen "/ip4/127.0.0.1/tcp/$port" --api-listen "127.0.0.1:$api_port" \
    --metrics-listen 127.0.0.1:0 < /dev/null >> "$dir/logs/$(basename "$node").log" 2>&1 &
  echo $!
}

stop() {
  local pid=$1
  kill -TERM "$pid" 2> /dev/null || return 0
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2> /dev/null || return 0
    sleep 0.05
  done
  kill -KILL "$pid" 2> /dev/null || true
}

# Waits until `condition` succeeds, at most $wait_s seconds.
until_true() {
  local what=$1
  shift
  local deadline=$(($(date +%s) + wait_s))
  until "$@"; do
    (($(date +%s) < deadline)) || fail "not within ${wait_s} s: $what"
    sleep 0.1
  done
}

node_pid() { cat "$dir/pids/node$1.pid"; }
node_dir() { echo "$dir/node$1"; }
port_of() { echo $((base_port + $1)); }
api_of() { echo $((base_port + 100 + $1)); }

# Every testnet node answers and all digests agree; prints the digest.
one_digest() {
  local i digests=()
  for ((i = 0; i < nodes; i++)); do
    digests+=("$(status_of "$(node_dir "$i")" "$(api_of "$i")" | jq -r .digest)") || return 1
  done
  [[ $(printf '%s\n' "${digests[@]}" | sort -u | wc -l) == 1 && ${digests[0]} != null ]]
}

# Every testnet node finds the travel document NUMBER.
found_everywhere() {
  local i
  for ((i = 0; i < nodes; i++)); do
    api "$(node_dir "$i")" "$(api_of "$i")" search sltd --number "$1" --json 2> /dev/null |
      jq -e '.results | length == 1' > /dev/null || return 1
  done
}

# Every testnet node shows N forks in its status.
forks_everywhere() {
  local i
  for ((i = 0; i < nodes; i++)); do
    status_of "$(node_dir "$i")" "$(api_of "$i")" | jq -e ".forks | length == $1" > /dev/null ||
      return 1
  done
}

meshed() {
  status_of "$(node_dir "$1")" "$(api_of "$1")" |
    jq -e ".members_connected == $((nodes - 1))" > /dev/null
}

restart_node() {
  local i=$1 pid
  pid=$(start "$(node_dir "$i")" "$(port_of "$i")" "$(api_of "$i")")
  echo "$pid" > "$dir/pids/node$i.pid"
}

step "a testnet of $nodes nodes"
"$repo/testnet/up.sh" "$nodes" --base-port "$base_port" --dir "$dir" > "$work/up.out" ||
  { cat "$work/up.out"; fail "testnet did not come up"; }
head -n 1 "$work/up.out"

# --- A. a copied directory -------------------------------------------------------------------
step "A. node3's directory is copied (a cloned machine) and both copies run"
stop "$(node_pid 3)"
cp -a "$(node_dir 3)" "$dir/node3-copy"
restart_node 3
until_true "node3 back and meshed" meshed 3
copy_api=$((base_port + 110))
started=$(now)
extra_pids+=("$(start "$dir/node3-copy" $((base_port + 10)) "$copy_api")")
refused_state() { status_of "$dir/node3-copy" "$copy_api" | jq -e '.signing.state == "refused"' > /dev/null; }
until_true "the copy refuses to sign" refused_state
echo "the copy refuses to sign after $(since "$started") s:"
status_of "$dir/node3-copy" "$copy_api" | jq -r '"  signing: " + .signing.reason'
if api "$dir/node3-copy" "$copy_api" publish sltd --number COPY1 2> "$work/copy.err"; then
  fail "the copy signed a record"
fi
echo "the copy's publish fails: $(cat "$work/copy.err")"
api "$(node_dir 3)" "$(api_of 3)" publish sltd --number ORIGINAL1 > /dev/null ||
  fail "the original could not publish"
until_true "the original's record everywhere" found_everywhere ORIGINAL1
until_true "one digest" one_digest
forks_everywhere 0 || fail "a fork appeared"
echo "the original's record is on every node, one digest, no fork"
stop "${extra_pids[0]}"
extra_pids=()

# --- B. a restored backup publishes through its API at once ------------------------------------
step "B. node2 is restored from an older backup and publishes through its API at once"
stop "$(node_pid 2)"
cp -a "$(node_dir 2)" "$work/backup2"
restart_node 2
until_true "node2 back" meshed 2
for number in NEWER1 NEWER2 NEWER3; do
  api "$(node_dir 2)" "$(api_of 2)" publish sltd --number "$number" > /dev/null
done
until_true "node2's newer records everywhere" found_everywhere NEWER3
stop "$(node_pid 2)"
rm -rf "$(node_dir 2)"
cp -a "$work/backup2" "$(node_dir 2)"
before=$(jq -r '[.entries] | add' <<< "$(status_of "$(node_dir 0)" "$(api_of 0)")")
started=$(now)
restart_node 2
answers() { status_of "$(node_dir 2)" "$(api_of 2)" > /dev/null; }
until_true "node2's API" answers
api "$(node_dir 2)" "$(api_of 2)" publish sltd --number RESTORED1 > /dev/null ||
  fail "the restored node could not publish"
echo "the restored node acknowledged a publish $(since "$started") s after it started"
until_true "the new record everywhere" found_everywhere RESTORED1
until_true "one digest" one_digest
forks_everywhere 0 || fail "the restored node forked its log"
for number in NEWER1 NEWER2 NEWER3; do
  api "$(node_dir 2)" "$(api_of 2)" search sltd --number "$number" --json | jq -e '.results | length == 1' \
    > /dev/null || fail "the restored node lost $number"
done
echo "every node has the new record and the three newer ones, one digest, no fork" \
  "(entries on node0: $before before, $(status_of "$(node_dir 0)" "$(api_of 0)" | jq .entries) after)"

# --- C. the same restore, then the CLI signs while the node is stopped --------------------------
step "C. node1 is restored from an older backup and the CLI publishes while it is stopped"
stop "$(node_pid 1)"
cp -a "$(node_dir 1)" "$work/backup1"
restart_node 1
until_true "node1 back" meshed 1
api "$(node_dir 1)" "$(api_of 1)" publish sltd --number LATER1 > /dev/null
until_true "node1's record everywhere" found_everywhere LATER1
stop "$(node_pid 1)"
rm -rf "$(node_dir 1)"
cp -a "$work/backup1" "$(node_dir 1)"
rm -f "$(node_dir 1)/api.addr"
set +e
"$bureau" --dir "$(node_dir 1)" publish sltd --number OFFLINE1 2> "$work/offline.err"
code=$?
set -e
[[ $code == 5 ]] || fail "an offline publish without --offline exited $code, not 5"
echo "without --offline (exit $code): $(cat "$work/offline.err")"
"$bureau" --dir "$(node_dir 1)" --offline publish sltd --number OFFLINE1 > /dev/null
echo "with --offline the CLI signs; the log now differs from the network's copy"
started=$(now)
restart_node 1
until_true "every node shows the fork" forks_everywhere 1
echo "every node shows the fork $(since "$started") s after node1 started"
until_true "one digest" one_digest
echo "one digest on every node $(since "$started") s after node1 started"
echo "what node0's operator sees:"
api "$(node_dir 0)" "$(api_of 0)" status | grep -E '^fork' | sed 's/^/  /'
api "$(node_dir 0)" "$(api_of 0)" members | grep -E 'forked' | sed 's/^/  /'
echo "what node1's operator sees:"
api "$(node_dir 1)" "$(api_of 1)" status | grep -E '^(fork|WARNING)' | sed 's/^/  /'
grep -h "fork: this key signed two histories" "$dir"/logs/node0.log | tail -n 1 | sed 's/^/  node0 log: /'
if api "$(node_dir 1)" "$(api_of 1)" publish sltd --number AFTERFORK1 2> "$work/after.err"; then
  fail "the forked node signed again"
fi
echo "node1 refuses to sign: $(cat "$work/after.err")"

# --- D. the audit log is cut while the node is stopped ------------------------------------------
step "D. node3's audit log loses its last line while node3 is stopped"
api "$(node_dir 3)" "$(api_of 3)" search sltd --number ORIGINAL1 --purpose "scenario D" > /dev/null
api "$(node_dir 3)" "$(api_of 3)" audit --witness | sed 's/^/  /'
stop "$(node_pid 3)"
log3=$(node_dir 3)/audit.log
cp "$log3" "$work/audit3.log"
head -n -1 "$work/audit3.log" > "$log3"
set +e
NO_COLOR=1 timeout 60 "$bureau" node run --dir "$(node_dir 3)" --listen "/ip4/127.0.0.1/tcp/$(port_of 3)" \
  --api-listen "127.0.0.1:$(api_of 3)" --metrics-listen 127.0.0.1:0 > "$work/cut.out" 2>&1
code=$?
set -e
[[ $code != 0 ]] || fail "node3 started on a cut audit log"
grep -q "accept-audit-loss" "$work/cut.out" || fail "node3's refusal does not say what to do: $(cat "$work/cut.out")"
echo "node3 refuses to start (exit $code): $(grep -o 'the audit log holds.*deleted' "$work/cut.out" | head -n 1)"
if "$bureau" --dir "$(node_dir 3)" audit --verify 2> "$work/verify.err"; then
  fail "audit --verify passed on a cut log"
fi
echo "audit --verify: $(cat "$work/verify.err")"
cp "$work/audit3.log" "$log3"
"$bureau" --dir "$(node_dir 3)" audit --verify | sed 's/^/  restored: /'
restart_node 3
until_true "node3 back on its whole log" meshed 3

# --- E. bureau backup and bureau restore --------------------------------------------------------
step "E. node2 is backed up while it runs, signs more, is lost, and is restored with bureau restore"
member2=$(status_of "$(node_dir 2)" "$(api_of 2)" | jq -r .member)
api "$(node_dir 3)" "$(api_of 3)" message send --to "$member2" --handling h2 --subject "Backup check" \
  "Kept after a restore?" > /dev/null
api "$(node_dir 3)" "$(api_of 3)" search firearm --serial "${member2:0:2}40001" \
  --purpose "scenario E" > /dev/null
mail_of() { api "$(node_dir 2)" "$(api_of 2)" message inbox --json 2> /dev/null; }
hits_of() { api "$(node_dir 2)" "$(api_of 2)" hits --json 2> /dev/null; }
has_mail() { mail_of | jq -e '[.. | objects | select(.subject? == "Backup check")] | length >= 1' > /dev/null; }
has_hit() { hits_of | jq -e '.on_my_records | length >= 1' > /dev/null; }
until_true "the message reaches node2" has_mail
until_true "the hit reaches node2" has_hit
hits_before=$(hits_of | jq -c '[.on_my_records[].id] | sort')
api "$(node_dir 2)" "$(api_of 2)" backup "$work/node2.backup" | sed 's/^/  /'
after_backup=$(api "$(node_dir 2)" "$(api_of 2)" publish sltd --number AFTERBACKUP1 --json | jq .seq)
until_true "node2's record after the backup everywhere" found_everywhere AFTERBACKUP1
stop "$(node_pid 2)"
rm -rf "$(node_dir 2)"
"$bureau" --dir "$(node_dir 2)" restore "$work/node2.backup" | sed 's/^/  /'
started=$(now)
restart_node 2
until_true "node2's API" answers
settled() { status_of "$(node_dir 2)" "$(api_of 2)" | jq -e '.restored_awaiting_seq == null' > /dev/null; }
until_true "node2 gets its own log back" settled
echo "the restored node may sign $(since "$started") s after it started"
published=$(api "$(node_dir 2)" "$(api_of 2)" publish sltd --number RESTORED2 --json) ||
  fail "the restored node could not publish"
seq=$(jq .seq <<< "$published")
echo "  it published RESTORED2 at seq $seq (AFTERBACKUP1, signed after the backup, was seq $after_backup)"
((seq == after_backup + 1)) || fail "RESTORED2 took seq $seq, not $((after_backup + 1))"
until_true "RESTORED2 everywhere" found_everywhere RESTORED2
until_true "one digest" one_digest
forks_everywhere 1 || fail "a new fork appeared (node1's from C is the only one)"
api "$(node_dir 2)" "$(api_of 2)" search sltd --number AFTERBACKUP1 --json |
  jq -e '.results | length == 1' > /dev/null || fail "the restored node lacks what it signed after the backup"
has_mail || fail "the restored node lost its message"
hits_of | jq -e --argjson before "$hits_before" '[.on_my_records[].id] as $now | $before - $now == []' \
  > /dev/null || fail "the restored node lost hits"
echo "node2 kept its message and its $(jq length <<< "$hits_before") hits, has every record, one digest, no new fork"

echo
echo "fork scenario: all checks passed"
