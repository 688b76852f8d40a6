#!/usr/bin/env bash
# Live changes: with the daemon running, each change made with ip, bridge, nft
# or socat shows in `tnactl -j graph` within 1 s, the graph still equals the
# kernel afterwards, and `tnactl -j monitor` prints the changes as they happen.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
require_env

MON=$(mktemp)
trap 'kill "${MON_PID:-}" 2>/dev/null; daemon_stop; ns_cleanup; rm -f "$MON"' EXIT
HOST=$(ns_new host)
PEER=$(ns_new peer)
h() { ip -n "$HOST" "$@"; }
hx() { ip netns exec "$HOST" "$@"; }

# reflected WHAT EXPR: one check line, EXPR (see graphq.py) true within 1 s.
reflected() {
	check "$1 within 1 s" wait_until 1 graphq "$2"
}

topology() {
	h link add br0 type bridge
	for i in 1 2; do
		h link add "port$i" type veth peer name "st$i" netns "$PEER"
		h link set "port$i" master br0 up
		ip -n "$PEER" link set "st$i" up
	done
	h link set br0 up
	h link add vr0 type veth peer name vr1 netns "$PEER"
	h link set vr0 up
	ip -n "$PEER" link set vr1 up
	h addr add 10.20.0.1/24 dev vr0
	ip -n "$PEER" addr add 10.20.0.2/24 dev vr1
	h route add 10.21.0.0/24 via 10.20.0.2
	hx sysctl -qw net.ipv4.ip_forward=1
	hx nft add table inet filter
	hx nft add chain inet filter forward \
		'{ type filter hook forward priority 0; policy accept; }'
	hx nft add rule inet filter forward ct state established,related accept
}

setup "bridge, routed subnet, nftables" topology
daemon_start "$HOST" || { not_ok "daemon starts in $HOST"; exit 1; }
ok "daemon starts in $HOST"
"$TNA_BUILD/tnactl" -j -s "$SOCK" monitor >"$MON" 2>&1 &
MON_PID=$!
BR=$(ifindex "$HOST" br0)
VR=$(ifindex "$HOST" vr0)
P1=$(ifindex "$HOST" port1)

# Bridge ports.
h link add port3 type veth peer name st3 netns "$PEER"
h link set port3 master br0 up
P3=$(ifindex "$HOST" port3)
reflected "bridge port port3 added" "node('link:$P3').get('master') == 'br0' and \
('link:$P3', 'member-of', 'link:$BR') in E and 'port3' in S['bridging:br0']['ports']"
h link set port3 nomaster
reflected "bridge port port3 released" "node('link:$P3').get('master') is None and \
not any(e[:2] == ('link:$P3', 'member-of') for e in E)"
h link del port3
reflected "link port3 deleted" "'link:$P3' not in N"

# Bridge port STP state, set by hand (the bridge runs no STP).
bridge -n "$HOST" link set dev port1 state 0
reflected "port1 state disabled" "node('link:$P1')['port']['state'] == 'disabled' and \
'port1' not in S['bridging:br0']['forwarding_ports']"
h link set dev port1 type bridge_slave state 3
reflected "port1 state forwarding" "node('link:$P1')['port']['state'] == 'forwarding' and \
'port1' in S['bridging:br0']['forwarding_ports']"

# Addresses.
h addr add 10.30.0.1/24 dev vr0
reflected "IPv4 address added" "'address:$VR:10.30.0.1/24' in N and \
('address:$VR:10.30.0.1/24', 'address-on', 'link:$VR') in E"
check "monitor printed the address as added within 1 s" \
	wait_until 1 sh -c "'$TNA_PY' '$TNA_IT/events.py' '$MON' \
		added 'address:$VR:10.30.0.1/24' >/dev/null"
h addr add fd30::1/64 dev vr0 nodad
reflected "IPv6 address added" "'address:$VR:fd30::1/64' in N"
h addr del 10.30.0.1/24 dev vr0
reflected "IPv4 address removed" "'address:$VR:10.30.0.1/24' not in N"
h addr del fd30::1/64 dev vr0
reflected "IPv6 address removed" "'address:$VR:fd30::1/64' not in N"

# Routes.
h route add 10.99.0.0/24 via 10.20.0.2
reflected "route added" "any(n['dst'] == '10.99.0.0/24' and n.get('gateway') == '10.20.0.2' \
for n in kind('route'))"
h route replace 10.99.0.0/24 via 10.20.0.3
reflected "route replaced (new gateway)" "[n.get('gateway') for n in kind('route') \
if n['dst'] == '10.99.0.0/24'] == ['10.20.0.3']"
h route del 10.99.0.0/24
reflected "route removed" "not any(n['dst'] == '10.99.0.0/24' for n in kind('route'))"

# nftables: a rule added and deleted changes its chain's count and list.
CHAIN=nft-chain:inet:filter:forward
RULES=$(graphq -p "node('$CHAIN')['rules']")
HANDLE=$(hx nft -e -a add rule inet filter forward ip saddr 10.98.0.0/16 drop |
	sed -n 's/.*# handle \([0-9]*\).*/\1/p')
reflected "nft rule added" "(c := node('$CHAIN'))['rules'] == ${RULES:-0} + 1 and \
any(r['handle'] == ${HANDLE:-0} and r['drop'] for r in c['rule_list'])"
hx nft delete rule inet filter forward handle "${HANDLE:-0}"
reflected "nft rule deleted" "(c := node('$CHAIN'))['rules'] == ${RULES:-0} and \
all(r['handle'] != ${HANDLE:-0} for r in c['rule_list'])"

# TCP listeners: the kernel sends no event for them, the daemon must notice.
ip netns exec "$HOST" socat TCP-LISTEN:7001,reuseaddr,fork /dev/null &
LISTENER_PID=$!
reflected "socat listener on 7001 seen" "any(n['port'] == 7001 for n in kind('listener'))"
kill "$LISTENER_PID"
wait "$LISTENER_PID" 2>/dev/null
reflected "socat listener on 7001 gone" "not any(n['port'] == 7001 for n in kind('listener'))"

# A link going down takes most of its IPv4 routes with it (the kernel keeps the
# local one), without a netlink event for each.
vr0_routes() {
	h -4 -j route show table all dev vr0 | "$TNA_PY" -c '
import ipaddress, json, sys
print(sorted(str(ipaddress.ip_network(r["dst"].replace("default", "0.0.0.0/0")))
             for r in json.load(sys.stdin)))'
}
VIA_VR0="sorted(n['dst'] for n in kind('route') if n['family'] == 'inet' and \
(n.get('dev') == 'vr0' or any(x['dev'] == 'vr0' for x in n.get('nexthops') or [])))"
UP_ROUTES=$(vr0_routes)
check "graph has vr0's IPv4 routes while it is up" graphq "$VIA_VR0 == $UP_ROUTES"
h link set vr0 down
DOWN_ROUTES=$(vr0_routes)
check "kernel dropped some of vr0's IPv4 routes" test "$DOWN_ROUTES" != "$UP_ROUTES"
reflected "vr0 down, its IPv4 routes as the kernel's" "node('link:$VR')['admin'] == 'down' and \
$VIA_VR0 == $DOWN_ROUTES"
compare_graph "$HOST" --kinds links,addresses,routes --settle 2 --label " after vr0 down"
h link set vr0 up
reflected "vr0 up, its connected route back" "node('link:$VR')['admin'] == 'up' and \
any(n['dst'] == '10.20.0.0/24' for n in kind('route'))"

compare_graph "$HOST" --settle 3 --label " after all changes"

check "tnactl monitor still running" kill -0 "$MON_PID"
run_checks sh -c "
	'$TNA_PY' '$TNA_IT/events.py' '$MON' added 'link:$P3' removed 'link:$P3' \
		changed 'link:$P1' removed 'address:$VR:10.30.0.1/24' changed 'link:$VR' &&
	echo 'ok - tnactl -j monitor printed one JSON event per change' ||
	echo 'not ok - tnactl -j monitor printed one JSON event per change'"
tna_finish
