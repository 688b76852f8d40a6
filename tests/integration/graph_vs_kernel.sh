#!/usr/bin/env bash
# The graph against the kernel's own dumps, object for object: a topology built
# with ip, bridge, nft, tc and socat, half before the daemon starts (read by its
# initial dump) and half after (read from events), then `tnactl -j graph`
# compared with ip -j, bridge -j, ss, nft -j and tc -j, one line per object kind.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
require_env iptables-legacy

trap 'daemon_stop; ns_cleanup; rm -f "$NFT_FILE"' EXIT
HOST=$(ns_new host)
PEER=$(ns_new peer)
NFT_FILE=$(mktemp)
h() { ip -n "$HOST" "$@"; }

# Before the daemon: a bridge with two ports whose peers are in PEER, a device
# with IPv4 and IPv6 addresses, a routed subnet towards PEER.
links_and_addresses() {
	h link add br0 type bridge
	for i in 1 2; do
		h link add "port$i" type veth peer name "st$i" netns "$PEER"
		h link set "port$i" master br0 up
		ip -n "$PEER" link set "st$i" up
	done
	h link set br0 up
	h addr add 10.1.0.1/24 dev br0
	# CONFIG_DUMMY may be off; a veth pair with both ends here stands in for it
	# (and adds a peer-of edge to compare).
	if h link add dum0 type dummy 2>/dev/null; then
		echo "# dum0 is a dummy device"
	else
		echo "# no dummy driver in this kernel: dum0 is a veth with its peer dum1 here"
		h link add dum0 type veth peer name dum1
		h link set dum1 up
	fi
	h link set dum0 up
	h addr add 10.10.0.1/24 dev dum0
	h addr add fd10::1/64 dev dum0 nodad
	h link add vr0 type veth peer name vr1 netns "$PEER"
	h link set vr0 up
	ip -n "$PEER" link set vr1 up
	h addr add 10.20.0.1/24 dev vr0
	h addr add fd20::1/64 dev vr0 nodad
	ip -n "$PEER" addr add 10.20.0.2/24 dev vr1
	ip netns exec "$HOST" sysctl -qw net.ipv4.ip_forward=1
}

# After the daemon: routes in several tables, rules, netfilter, tc, listeners.
routes_rules_filters() {
	h route add 10.30.0.0/24 via 10.20.0.2
	h route add 10.40.0.0/24 nexthop via 10.20.0.2 dev vr0 weight 1 \
		nexthop via 10.10.0.2 dev dum0 weight 2
	h route add 10.70.0.5 dev vr0 metric 7
	h route add 10.50.0.0/24 via 10.20.0.2 table 100
	h route add default via 10.20.0.2 table 100
	h route add blackhole 10.60.0.0/24 table 100
	h -6 route add fd30::/64 via fd20::2
	h -6 route add fd40::/64 dev dum0 metric 512
	h -6 route add fd50::/64 via fd20::2 table 100
	h rule add from 10.10.0.0/24 lookup 100 priority 1000
	h rule add fwmark 0x10 iif vr0 prohibit priority 1002
	h -6 rule add to fd20::/64 lookup 100 priority 1001
	cat >"$NFT_FILE" <<-'EOF'
	table inet filter {
		chain input { type filter hook input priority 0; policy accept; }
		chain forward {
			type filter hook forward priority 0; policy accept;
			ct state established,related accept
			iifname "vr0" tcp dport 22 drop
			jump audit
		}
		chain audit { counter; }
	}
	table bridge brfilter {
		chain bridged {
			type filter hook forward priority -200; policy accept;
			ether type arp accept
		}
	}
	table netdev devfilter {
		chain early { type filter hook ingress device "dum0" priority 0; policy accept; }
	}
	EOF
	ip netns exec "$HOST" nft -f "$NFT_FILE"
	ip netns exec "$HOST" iptables-legacy -A FORWARD -i vr0 -j ACCEPT
	ip netns exec "$HOST" tc qdisc add dev dum0 root handle 1: tbf rate 1mbit burst 32kbit \
		latency 400ms
	ip netns exec "$HOST" tc qdisc add dev vr0 root handle 1: htb default 10
	ip netns exec "$HOST" tc class add dev vr0 parent 1: classid 1:10 htb rate 1mbit
	ip netns exec "$HOST" tc qdisc add dev port1 clsact
	ip netns exec "$HOST" tc filter add dev port1 ingress prio 10 protocol ip \
		u32 match ip dst 10.0.0.0/8 classid 1:1
}

# socat as the kernel's own TCP listeners: wildcard, bound to an address, IPv6
# only, bound to an IPv6 address, dual-stack, bound to a device.
start_listeners() {
	local spec
	for spec in TCP-LISTEN:8080 TCP-LISTEN:8081,bind=10.10.0.1 TCP6-LISTEN:8082,ipv6only=1 \
		TCP6-LISTEN:8083,bind=[fd10::1] TCP6-LISTEN:8085,ipv6only=0 \
		TCP-LISTEN:8084,so-bindtodevice=dum0; do
		ip netns exec "$HOST" socat "$spec,reuseaddr,fork" /dev/null &
	done
	# socat binds asynchronously: wait until ss sees all six.
	wait_until 5 sh -c "[ \$(ip netns exec $HOST ss -Htln | wc -l) -ge 6 ]"
}

setup "links and addresses" links_and_addresses
daemon_start "$HOST" || { not_ok "daemon starts in $HOST"; exit 1; }
ok "daemon starts in $HOST"
setup "routes, rules, nftables, iptables, tc" routes_rules_filters
setup "socat listeners" start_listeners

compare_graph "$HOST" --settle 5

tna_finish
