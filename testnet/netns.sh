#!/usr/bin/env bash
# A test topology of network namespaces, one per node, for reachability scenarios.
#
#   testnet/netns.sh up          build it (refuses if any of its namespaces exists)
#   testnet/netns.sh down        remove everything it made (idempotent; safe after a failed up)
#   testnet/netns.sh status      list its namespaces, addresses and rules
#   testnet/netns.sh check       probe the reachability below with ping and nc; non-zero if wrong
#   testnet/netns.sh exec NAME CMD...   run CMD inside node NAME (gs, a, b, c, d, c-router, ...)
#   testnet/netns.sh addr NAME   print NAME's address (what the others dial)
#   testnet/netns.sh lift        lift the a <-> b partition (the route between them comes back)
#
# Topology (nothing touches the host's own networking: the bridge lives in its own namespace):
#
#   bureau-hub:  bridge br0 (no address), one veth port (port-NAME) per host below
#   bureau-gs    10.77.0.1/24   secretariat, reachable by everyone
#   bureau-a     10.77.0.2/24   member; a <-> b dropped both ways (nft on the bridge)
#   bureau-b     10.77.0.3/24   member
#   bureau-c-router  10.77.0.4/24 outside, 10.77.1.1/24 inside: forwards and masquerades
#   bureau-c     10.77.1.2/24   behind the router: can dial out, cannot be dialled
#   bureau-d-router  10.77.0.5/24 outside, 10.77.2.1/24 inside: the same kind of NAT
#   bureau-d     10.77.2.2/24   behind its own router: c and d can only meet by hole punching
#
# The routers drop unsolicited inbound packets (as home and office NATs do) rather than
# answer them with a reset; they keep a connection's source port where it is free, so an
# outbound connection from port 7000 is seen from outside at the router's address, port 7000.
#
# Every address exists only inside these namespaces. Needs root, iproute2 and nftables
# (`apt-get install iproute2 nftables`; `iputils-ping netcat-openbsd` for `check`).
# BUREAU_NETNS_PREFIX (default "bureau") renames every namespace, for parallel topologies.
set -euo pipefail

prefix=${BUREAU_NETNS_PREFIX:-bureau}
hub=$prefix-hub
hosts=(gs a b c-router c d-router d)
# Outer (bridged) addresses, and the addresses of the NAT-ed hosts on their private subnets.
declare -A address=(
  [gs]=10.77.0.1 [a]=10.77.0.2 [b]=10.77.0.3 [c-router]=10.77.0.4 [c]=10.77.1.2
  [d-router]=10.77.0.5 [d]=10.77.2.2
)
# Each private subnet: NAME-router is its gateway at .1.
declare -A subnet=([c]=10.77.1 [d]=10.77.2)
readonly lan_prefix=24
# How long `check` waits for one probe before it counts as dropped.
readonly probe_timeout_s=1

ns() { echo "$prefix-$1"; }
die() { echo "netns.sh: $*" >&2; exit 1; }

require() {
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces and nftables)"
  local missing=()
  command -v ip > /dev/null || missing+=("ip (apt-get install iproute2)")
  command -v nft > /dev/null || missing+=("nft (apt-get install nftables)")
  if [[ ${1:-} == check ]]; then
    command -v ping > /dev/null || missing+=("ping (apt-get install iputils-ping)")
    command -v nc > /dev/null || missing+=("nc (apt-get install netcat-openbsd)")
  fi
  ((${#missing[@]} == 0)) || die "missing: ${missing[*]}"
}

exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# One veth pair: HOST's eth0 in its namespace, its port (port-HOST) on the hub's bridge.
plug() {
  local host=$1
  ip link add eth0 netns "$(ns "$host")" type veth peer name "port-$host" netns "$hub"
  ip -n "$hub" link set dev "port-$host" master br0 up
  ip -n "$(ns "$host")" addr add "${address[$host]}/$lan_prefix" dev eth0
  ip -n "$(ns "$host")" link set eth0 up
}

up() {
  require
  for name in hub "${hosts[@]}"; do
    if exists "$(ns "$name")"; then
      die "$(ns "$name") already exists: run 'netns.sh down' first"
    fi
  done
  # A failed step leaves nothing behind.
  trap 'echo "netns.sh: up failed; removing what it made" >&2; down > /dev/null' ERR
  for name in hub "${hosts[@]}"; do
    ip netns add "$(ns "$name")"
    ip -n "$(ns "$name")" link set lo up
  done
  ip -n "$hub" link add br0 type bridge
  ip -n "$hub" link set br0 up
  for host in gs a b c-router d-router; do plug "$host"; done

  # a and b share the bridge but not a route: the bridge drops their frames both ways, ARP
  # included, so each sees the other as gone (the partition a scenario works around).
  ip netns exec "$hub" nft -f - <<EOF
table bridge partition {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip saddr ${address[a]} ip daddr ${address[b]} drop
    ip saddr ${address[b]} ip daddr ${address[a]} drop
    arp saddr ip ${address[a]} arp daddr ip ${address[b]} drop
    arp saddr ip ${address[b]} arp daddr ip ${address[a]} drop
  }
}
EOF

  behind_nat c
  behind_nat d
  trap - ERR
  echo "topology up: $hub (bridge) and $(for h in "${hosts[@]}"; do printf '%s ' "$(ns "$h")"; done)"
}

# HOST behind HOST-router, which masquerades its outbound connections and refuses inbound
# ones, even from a host that routes the private subnet through it.
behind_nat() {
  local host=$1 router
  router=$(ns "$host-router")
  local gateway=${subnet[$host]}.1 private=${subnet[$host]}.0/$lan_prefix
  ip link add eth1 netns "$router" type veth peer name eth0 netns "$(ns "$host")"
  ip -n "$router" addr add "$gateway/$lan_prefix" dev eth1
  ip -n "$router" link set eth1 up
  ip -n "$(ns "$host")" addr add "${address[$host]}/$lan_prefix" dev eth0
  ip -n "$(ns "$host")" link set eth0 up
  ip -n "$(ns "$host")" route add default via "$gateway"
  ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$router" nft -f - <<EOF
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr $private oifname "eth0" masquerade
  }
}
table ip filter {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "eth1" oifname "eth0" accept
  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "eth0" ct state new drop
  }
}
EOF
}

# Lifts the a <-> b partition: the bridge forwards their frames again.
lift() {
  require
  exists "$hub" || die "$hub does not exist: run 'netns.sh up' first"
  ip netns exec "$hub" nft delete table bridge partition 2> /dev/null || true
  echo "a <-> b partition lifted"
}

down() {
  require
  local removed=0
  # The node namespaces first: a veth goes with the namespace that holds either end.
  for name in d d-router c c-router b a gs hub; do
    if exists "$(ns "$name")"; then
      # Processes still inside keep a namespace's network alive; end those we find there.
      local pids
      pids=$(ip netns pids "$(ns "$name")" 2> /dev/null || true)
      if [[ -n $pids ]]; then
        # shellcheck disable=SC2086 # one pid a word
        kill $pids 2> /dev/null || true
      fi
      ip netns delete "$(ns "$name")"
      removed=$((removed + 1))
    fi
  done
  echo "topology down ($removed namespaces removed)"
}

status() {
  require
  local up=0
  for name in hub "${hosts[@]}"; do
    if [[ $name == hub ]] && exists "$hub"; then
      up=$((up + 1))
      printf '%-18s bridge br0, ports: %s\n' "$hub" \
        "$(ip -n "$hub" -brief link show master br0 | awk '{sub(/@.*/, "", $1); print $1}' | tr '\n' ' ')"
    elif exists "$(ns "$name")"; then
      up=$((up + 1))
      printf '%-18s %s\n' "$(ns "$name")" \
        "$(ip -n "$(ns "$name")" -4 -brief addr | awk '$1 != "lo" {print $1, $3}' | tr '\n' ' ')"
    else
      printf '%-18s %s\n' "$(ns "$name")" "absent"
    fi
  done
  ((up == ${#hosts[@]} + 1))
}

run_in() {
  local name=$1
  shift
  [[ -n ${address[$name]:-} || $name == hub ]] || die "no node '$name' (one of: ${hosts[*]} hub)"
  exists "$(ns "$name")" || die "$(ns "$name") does not exist: run 'netns.sh up' first"
  exec ip netns exec "$(ns "$name")" "$@"
}

# One probe: ping (ICMP) and a TCP connect to a listener started in the target.
reach() {
  local from=${1%+route} to=$2 port=7999
  ip netns exec "$(ns "$to")" timeout 5 nc -n -l -p "$port" > /dev/null 2>&1 &
  local listener=$!
  sleep 0.1
  local icmp=no tcp=no
  ip netns exec "$(ns "$from")" ping -c1 -W"$probe_timeout_s" -q "${address[$to]}" > /dev/null 2>&1 && icmp=yes
  ip netns exec "$(ns "$from")" nc -n -z -w"$probe_timeout_s" "${address[$to]}" "$port" > /dev/null 2>&1 && tcp=yes
  kill "$listener" 2> /dev/null || true
  wait "$listener" 2> /dev/null || true
  echo "$icmp $tcp"
}

# The source address TO's listener sees when FROM connects.
source_seen_by() {
  local to=$1 from=$2 port=7998 log
  log=$(mktemp)
  ip netns exec "$(ns "$to")" timeout 5 nc -n -v -l -p "$port" > /dev/null 2> "$log" &
  local listener=$!
  sleep 0.1
  ip netns exec "$(ns "$from")" nc -n -z -w"$probe_timeout_s" "${address[$to]}" "$port" > /dev/null 2>&1 || true
  wait "$listener" 2> /dev/null || true
  sed -n 's/.*Connection received on \([0-9.]*\).*/\1/p' "$log"
  rm -f "$log"
}

check() {
  require check
  local failures=0
  expect() {
    local from=$1 to=$2 want=$3 got icmp tcp
    got=$(reach "$from" "$to")
    local verdict=ok
    if [[ $want == open && $got != "yes yes" ]] || [[ $want == closed && $got != "no no" ]]; then
      verdict=WRONG
      failures=$((failures + 1))
    fi
    read -r icmp tcp <<< "$got"
    printf '%-9s -> %-9s want %-6s ping=%-3s tcp=%-3s %s\n' "$from" "$to" "$want" "$icmp" "$tcp" "$verdict"
  }
  expect a gs open
  expect b gs open
  expect gs a open
  expect a b closed
  expect b a closed
  expect c gs open
  expect c a open
  expect gs c closed
  expect d gs open
  expect c d closed
  expect d c closed
  # Even with a route to the private subnet through the router, nobody dials c.
  local inner_subnet=${subnet[c]}.0/$lan_prefix
  ip -n "$(ns gs)" route add "$inner_subnet" via "${address[c-router]}"
  expect "gs+route" c closed
  ip -n "$(ns gs)" route del "$inner_subnet" via "${address[c-router]}"
  # gs sees c's and d's connections come from their routers' outside addresses.
  local host seen
  for host in c d; do
    seen=$(source_seen_by gs "$host")
    if [[ $seen == "${address[$host-router]}" ]]; then
      echo "$host's connections reach gs from $seen (the router's address): masqueraded"
    else
      echo "$host's connections reach gs from '${seen}', not ${address[$host-router]}: NAT WRONG"
      failures=$((failures + 1))
    fi
  done
  ((failures == 0)) || die "$failures reachability checks wrong"
  echo "reachability as designed"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  check) check ;;
  lift) lift ;;
  exec)
    shift
    (($# >= 2)) || die "usage: netns.sh exec NAME CMD..."
    require
    run_in "$@"
    ;;
  addr)
    [[ -n ${2:-} && -n ${address[${2}]:-} ]] || die "usage: netns.sh addr NAME (one of: ${hosts[*]})"
    echo "${address[$2]}"
    ;;
  *)
    sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
