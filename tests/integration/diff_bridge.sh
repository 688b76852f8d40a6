#!/usr/bin/env bash
# Differential: forwarding on a plain bridge ends the same with and without the
# daemon: unicast, unknown destination, broadcast and multicast, ARP, learning
# and flooding off, static entries, hairpin, ports of different MTUs.
# See difflib.bash for what a scenario is and what is compared.
set -uo pipefail
source "$(dirname "$0")/difflib.bash"
require_env ethtool ping
trap diff_exit EXIT

NOBODY=02:00:00:00:0f:0f	# never sends: unknown to the bridge

three_stations() {
	diff_bridge
	diff_station a
	diff_station b
	diff_station c
}

# Unicast both ways between a and b, IPv4 and not; c must see none of it.
scen_unicast_setup() { three_stations; }
scen_unicast_drive() {
	diff_hello a b c
	diff_send a b --count 200 --gap-us 500 --dport 7000 --len 300
	diff_send b a --count 200 --gap-us 500 --dport 7001 --len 1000
	diff_send a b --count 100 --gap-us 500 --kind raw --len 64
}
DIFF_ACCEL="pa pb pc"
diff_scenario unicast "unicast between ports" \
	"pa.redirected >= 250" "pb.redirected >= 150" "pc.redirected == 0"

# A destination the bridge never learned is flooded to every other port.
scen_unknown_setup() { three_stations; }
scen_unknown_drive() {
	diff_hello a b c
	diff_send a "$NOBODY" --count 100 --gap-us 500
	diff_send b "$NOBODY" --count 100 --gap-us 500 --kind raw --len 100
}
DIFF_ACCEL="pa pb pc"
diff_scenario unknown "unknown destination (flooded)" \
	"all_redirected == 0" "pa.punt('dst_unknown') >= 100" "pb.punt('dst_unknown') >= 100"

# Broadcast and multicast (IPv4 and not): flooded, and a copy for br0.
scen_bcast_mcast_setup() { three_stations; }
scen_bcast_mcast_drive() {
	diff_hello a b c
	diff_send a ff:ff:ff:ff:ff:ff --count 100 --gap-us 500 --dip 10.9.0.255
	diff_send a 01:00:5e:01:02:03 --count 100 --gap-us 500 --dip 239.1.2.3
	diff_send b 01:00:5e:01:02:04 --count 100 --gap-us 500 --kind raw
	diff_send c 03:00:00:00:00:01 --count 50 --gap-us 500 --kind raw
}
DIFF_ACCEL="pa pb pc"
diff_scenario bcast_mcast "broadcast and multicast" \
	"all_redirected == 0" "pa.punt('broadcast_dst') >= 100" "pa.punt('multicast_dst') >= 100"

# ARP through the bridge: the kernels of the stations resolve each other and
# ping; the neighbour tables and what every station saw must match.
scen_arp_setup() { three_stations; }
ping_summary() {
	ip netns exec "$(sns "$1")" ping -c 5 -i 0.2 -W 1 -q "$(ip4 "$2")" |
		sed -n 's/^\([0-9]* packets transmitted, [0-9]* received\).*/ping \1/p' |
		sed "s/^/$1 -> $2: /"
}
neighbours() {
	local x
	for x in a b c; do
		ip -n "$(sns "$x")" neigh show | awk -v x="$x" '{print "neigh " x ": " $1 " " $5}' | sort
	done
}
scen_arp_drive() {
	ping_summary a b
	ping_summary b c
	neighbours
}
DIFF_ACCEL="pa pb pc"
diff_scenario arp "ARP and ping" \
	"pa.redirected >= 3" "pb.redirected >= 3" "pa.punt('broadcast_dst') >= 1"

# Learning off on pa: a's frames are forwarded but a is never learned, so
# frames to a are flooded; flooding off on pc: c gets no unknown unicast
# (broadcast still reaches it).
scen_learning_flood_setup() {
	three_stations
	brx bridge link set dev pa learning off
	brx bridge link set dev pc flood off
}
scen_learning_flood_drive() {
	diff_hello a b c
	diff_send a b --count 100 --gap-us 500
	diff_send b a --count 100 --gap-us 500
	diff_send a "$NOBODY" --count 100 --gap-us 500 --kind raw
	diff_send c b --count 100 --gap-us 500
}
DIFF_ACCEL="pa pb pc"
diff_scenario learning_flood "learning off (pa) and flooding off (pc)" \
	"pa.redirected >= 50" "pc.redirected >= 50" "pb.redirected == 0"

# Static entries: b (which never sends) and a station e that does not exist,
# behind pc. Then c sends with b's address as its source: whatever the kernel
# makes of that (a static entry does not move), traffic to b goes where the
# kernel says.
scen_static_setup() {
	three_stations
	brx bridge fdb add "$(mac b)" dev pb master static
	brx bridge fdb add "$(mac e)" dev pc master static
}
scen_static_drive() {
	diff_hello a
	diff_send a b --count 100 --gap-us 500
	diff_send a "$(mac e)" --count 100 --gap-us 500
	diff_send c a --src "$(mac b)" --count 50 --gap-us 500
	sleep 0.1
	diff_send a b --count 100 --gap-us 500
}
DIFF_ACCEL="pa pb pc"
diff_scenario static "static FDB entries" "pa.redirected >= 150" "pc.punt('src_moved') >= 1"

# Hairpin on pa: a frame to a MAC learned on pa goes back out of pa. Hairpin
# off on pb: the same is dropped.
A2=02:00:00:00:0a:11
B2=02:00:00:00:0b:11
scen_hairpin_setup() {
	three_stations
	brx bridge link set dev pa hairpin on
}
scen_hairpin_drive() {
	diff_hello a b c
	diff_send a ff:ff:ff:ff:ff:ff --src "$A2" --kind raw --len 60
	diff_send b ff:ff:ff:ff:ff:ff --src "$B2" --kind raw --len 60
	sleep 0.1
	diff_send a "$A2" --count 100 --gap-us 500
	diff_send b "$B2" --count 100 --gap-us 500
	diff_send a b --count 100 --gap-us 500
}
DIFF_ACCEL="pa pb pc"
diff_scenario hairpin "hairpin on one port, off on another" \
	"pa.redirected >= 50" "pa.punt('egress_is_ingress') >= 100" \
	"pb.punt('egress_is_ingress') >= 100"

# MTUs: pb 1000 on the bridge side only (its station keeps 1500), so the
# bridge is what drops: it forwards a frame whose IPv4 packet is at most
# MTU + 18 bytes (is_skb_forwardable without the Ethernet header) and drops
# longer ones; b's 1400-byte frames are dropped as pb receives them. c is a
# jumbo port (9000 on both ends).
scen_mtu_setup() {
	three_stations
	br link set pb mtu 1000
	br link set pc mtu 9000
	ip -n "$(sns c)" link set sc mtu 9000
}
scen_mtu_drive() {
	local len
	diff_hello a b c
	for len in 1014 1032 1033 1400; do
		diff_send a b --count 50 --gap-us 500 --len "$len" --dport "$len"
	done
	diff_send b a --count 50 --gap-us 500 --len 1400
	diff_send a c --count 50 --gap-us 500 --len 1400
	diff_send c a --count 50 --gap-us 500 --len 1400
}
DIFF_ACCEL="pa pb"
diff_scenario mtu "ports of different MTUs" \
	"pa.redirected >= 50" "pa.punt('egress_mtu') >= 100"
