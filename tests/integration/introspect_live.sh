#!/usr/bin/env bash
# The rtnetlink reader against the kernel, without the daemon: tna-dump's
# links, addresses and routes equal `ip -j`'s in a namespace built here, STP
# port states announced only as AF_BRIDGE messages arrive, and routes the
# kernel drops silently with a deleted link are gone after the re-dump.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

DUMP=$TNA_BUILD/tools/tna-dump
if [ "$(id -u)" -ne 0 ]; then
	not_ok "introspect_live: needs root to build network namespaces (run: sudo make test)"
	exit 1
fi
if [ ! -x "$DUMP" ]; then
	not_ok "introspect_live: $DUMP is missing (run: make tests)"
	exit 1
fi

FOLLOW=$(mktemp)
trap 'kill "${FOLLOW_PID:-}" 2>/dev/null; ns_cleanup; rm -f "$FOLLOW"' EXIT
NS=$(ns_new dut)
PEER=$(ns_new peer)
n() { ip -n "$NS" "$@"; }

n link add br0 type bridge stp_state 1 forward_delay 200
n link add p1 type veth peer name p1x
n link add p2 type veth peer name p2x netns "$PEER"
n link set p1 master br0
n link set p1 type bridge_slave hairpin on
for l in br0 p1 p1x p2; do n link set "$l" up; done
n addr add 10.30.0.1/24 dev br0
n addr add 2001:db8:30::1/64 dev br0 nodad
n addr add 10.31.0.1 peer 10.31.0.2 dev p2
n route add 10.32.0.0/16 nexthop via 10.30.0.2 weight 1 nexthop via 10.30.0.3 weight 2
n route add 10.33.0.0/24 via 10.30.0.2 table 100 metric 5
n route add 10.34.0.0/24 dev p1x

# Both sides as sorted "key" lines.
dump_links() { ip netns exec "$NS" "$DUMP" | awk '$1 == "+" && $2 == "link" {
	for (i = 5; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	print $3, $4, f["mtu"], f["master"] }' | sort; }
ip_links() { n -j link show | jq -r '.[] | "\(.ifindex) \(.ifname) \(.mtu) \(.master // "")"' |
	while read -r idx name mtu master; do
		m=0; [ -n "$master" ] && m=$(n -j link show dev "$master" | jq '.[0].ifindex')
		echo "$idx $name $mtu $m"
	done | sort; }
dump_addrs() {
	ip netns exec "$NS" "$DUMP" | awk '$1 == "+" && $2 == "address" { print $3, $4 }' | sort
}
ip_addrs() { n -j addr show | jq -r '.[] | .ifindex as $i | .addr_info[] |
	"\($i) \(.local)/\(.prefixlen)"' | sort; }
# Routes as "table dst/len", the way `ip` names tables and writes prefixes.
dump_routes() { ip netns exec "$NS" "$DUMP" | awk '$1 == "+" && $2 == "route" {
	sub("table=", "", $3); print $3, $4 }' | sort; }
ip_routes() { for f in -4 -6; do n "$f" -j route show table all | jq -r --arg f "$f" '.[] |
	(if .dst == "default" then (if $f == "-4" then "0.0.0.0/0" else "::/0" end)
	 elif (.dst | contains("/")) then .dst
	 else .dst + (if $f == "-4" then "/32" else "/128" end) end) as $d |
	({"main": "254", "local": "255", "default": "253"}[.table // "main"] // .table) as $t |
	"\($t) \($d)"'; done | sort; }

same() { [ "$("$1")" == "$("$2")" ] || { diff <("$1") <("$2") | head -20 >&2; return 1; }; }
check "links equal ip -j link (ifindex, name, mtu, master)" same dump_links ip_links
check "addresses equal ip -j addr" same dump_addrs ip_addrs
check "routes of every table equal ip -j route show table all" same dump_routes ip_routes
check "multipath route carries both next hops with weights" \
	sh -c "ip netns exec '$NS' '$DUMP' | grep -q '10.32.0.0/16 .*weight=1}.*weight=2}'"

ip netns exec "$NS" "$DUMP" --follow --seconds 30 --stats >"$FOLLOW" &
FOLLOW_PID=$!
sleep 0.5
# With STP on, p1 walks listening -> learning -> forwarding in 2 x forward_delay;
# the kernel says so only in AF_BRIDGE RTM_NEWLINK messages.
check "STP forwarding state of the port arrives as an event" \
	wait_until 8 grep -q '^+ link [0-9]* p1 .*port{state=3 ' "$FOLLOW"
check "the port keeps its link kind and hairpin across AF_BRIDGE merges" \
	sh -c "grep '^+ link [0-9]* p1 .*port{state=3 ' '$FOLLOW' | tail -1 |
	       grep -q 'kind=veth .*hairpin=1'"

n link del p1x
# Replays the follower's output the way a sink would: a route dump replaces every
# route, events add and remove. Prints the routes held as "table dst metric oif".
replay_routes() {
	awk '
	$1 == "resync-begin" && $2 == "route" { delete seen; dumping = 1; next }
	$1 == "resync-end" && $2 == "route" {
		delete have; for (k in seen) have[k] = 1; dumping = 0; next }
	$2 == "route" { k = $3 " " $4 " " $11 " " $12
		if ($1 == "+") { have[k] = 1; if (dumping) seen[k] = 1 } else delete have[k] }
	END { for (k in have) print k }' "$FOLLOW" | sort
}
fresh_routes() {
	ip netns exec "$NS" "$DUMP" | awk '$1 == "+" && $2 == "route" { print $3, $4, $11, $12 }' |
		sort -u
}
route_gone() {
	grep -q '^resync-begin route' "$FOLLOW" && ! replay_routes | grep -q ' 10\.34\.0\.0/24 '
}
# 10.34.0.0/24 goes with p1x without an RTM_DELROUTE: only a re-dump drops it.
check "a route through a deleted link is gone after the re-dump" wait_until 2 route_gone
check "the deleted link is reported removed" wait_until 1 grep -q '^- link [0-9]* p1x ' "$FOLLOW"

# An event burst far beyond the socket buffer while the follower is stopped:
# the overrun must be noticed and a full re-dump must restore the picture.
for i in $(seq 0 29999); do
	echo "route add 10.$((100 + i / 256)).$((i % 256)).0/24 via 10.30.0.2"
done >"$FOLLOW.batch"
kill -STOP "$FOLLOW_PID"
n -batch "$FOLLOW.batch"
sed 's/^route add/route del/' "$FOLLOW.batch" | n -batch -
n route add 10.35.0.0/24 via 10.30.0.2
kill -CONT "$FOLLOW_PID"
rm -f "$FOLLOW.batch"
sleep 2
kill -TERM "$FOLLOW_PID"
wait "$FOLLOW_PID"
FOLLOW_PID=
check "the overrun was detected and resynced" \
	awk '$1 == "stats" { split($4, r, "="); exit !(r[2] >= 1) }' "$FOLLOW"
check "after the overrun the follower's routes equal a fresh dump" same replay_routes fresh_routes

tna_finish
