#!/usr/bin/env bash
# Differential: filtering and shaping on the bridge ends the same with and
# without the daemon: a bridge-family nft rule, an inet-family forward rule
# with br_netfilter calling it (net.bridge.bridge-nf-call-iptables 1), not
# calling it (0), and switched on under the daemon, and a tbf qdisc shaping a
# port's egress. See difflib.bash for what a scenario is and what is compared.
set -uo pipefail
source "$(dirname "$0")/difflib.bash"
require_env ethtool
trap diff_exit EXIT

three_stations() {
	diff_bridge
	diff_station a
	diff_station b
	diff_station c
}

# a sends b UDP to 7777 (the rules drop it), to 7778, and non-IP frames.
filtered_traffic() {
	diff_hello a b c
	diff_send a b --count 100 --gap-us 500 --dport 7777
	diff_send a b --count 100 --gap-us 500 --dport 7778
	diff_send a b --count 100 --gap-us 500 --kind raw
	diff_send b a --count 100 --gap-us 500 --dport 7777
}

scen_nft_bridge_setup() {
	three_stations
	brx nft add table bridge f
	brx nft add chain bridge f fw '{ type filter hook forward priority 0; policy accept; }'
	brx nft add rule bridge f fw udp dport 7777 drop
}
scen_nft_bridge_drive() { filtered_traffic; }
diff_scenario nft_bridge "bridge-family nft rule dropping udp 7777" "all_redirected == 0"

# inet_forward SYSCTL: the inet forward rule; br_netfilter on or off for IPv4.
inet_forward() {
	three_stations
	brx sysctl -qw net.bridge.bridge-nf-call-iptables="$1"
	brx nft add table inet f
	brx nft add chain inet f fw '{ type filter hook forward priority 0; policy accept; }'
	brx nft add rule inet f fw udp dport 7777 drop
}

scen_inet_nf1_setup() { inet_forward 1; }
scen_inet_nf1_drive() { filtered_traffic; }
DIFF_ACCEL="pa pb pc"
diff_scenario inet_nf1 "inet forward rule, bridge-nf-call-iptables=1 (drops bridged IPv4)" \
	"pa.redirected >= 50" "pa.punt('br_netfilter') >= 150" "pb.punt('br_netfilter') >= 50"

scen_inet_nf0_setup() { inet_forward 0; }
scen_inet_nf0_drive() { filtered_traffic; }
DIFF_ACCEL="pa pb pc"
diff_scenario inet_nf0 "inet forward rule, bridge-nf-call-iptables=0 (does not see it)" \
	"pa.redirected >= 250" "pb.redirected >= 50" "pa.punt('br_netfilter') == 0"

# The sysctl switched on after the daemon planned with it off: no netlink
# event says so, yet the rule must drop from then on.
scen_inet_flip_setup() { inet_forward 0; }
scen_inet_flip_drive() {
	brx sysctl -qw net.bridge.bridge-nf-call-iptables=1
	sleep 1.5
	filtered_traffic
}
DIFF_ACCEL="pa pb pc"
diff_scenario inet_flip "inet forward rule, bridge-nf-call-iptables switched 0 -> 1 under traffic" \
	"pa.redirected >= 50" "pa.punt('br_netfilter') >= 150"

# The rule added while the daemon runs (br_netfilter on): the pipeline that
# forwarded IPv4 must be gone before the rule's first packet.
scen_inet_live_setup() {
	three_stations
	brx sysctl -qw net.bridge.bridge-nf-call-iptables=1
}
scen_inet_live_drive() {
	diff_hello a b c
	diff_send a b --count 100 --gap-us 500 --dport 7777
	brx nft add table inet f
	brx nft add chain inet f fw '{ type filter hook forward priority 0; policy accept; }'
	brx nft add rule inet f fw udp dport 7777 drop
	sleep 0.5
	filtered_traffic
}
DIFF_ACCEL="pa pb pc"
diff_scenario inet_live "inet forward rule added under the daemon (bridge-nf-call-iptables=1)" \
	"pa.redirected >= 100" "pa.punt('br_netfilter') >= 150"

# tbf on pb's egress: 2 Mbit/s, 16 kB burst, 20 ms queue. a offers b about
# 8 Mbit/s for 1 s. What b receives depends on timing, so the drive judges
# it: at most 1.3 times, and at least 0.6 times, rate x sending time + burst +
# the queue. The upper margin covers the token refill granularity and the
# sending time measured from user space; a fast path that skipped the qdisc
# would deliver everything, 3.7 times the budget. The lower one catches a
# shaper that drops it all. Traffic from a to c is exact and fast.
TBF_RATE=2000000 TBF_BURST=16384 TBF_LATENCY_MS=20
scen_tbf_setup() {
	three_stations
	brx tc qdisc add dev pb root tbf rate "$TBF_RATE" burst "$TBF_BURST" \
		latency "${TBF_LATENCY_MS}ms"
}
rx_bytes() {
	ip -n "$(sns "$1")" -j -s link show "s$1" |
		"$TNA_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["bytes"])'
}
scen_tbf_drive() {
	local before after secs
	diff_hello a b c
	diff_send a c --count 200 --gap-us 500
	before=$(rx_bytes b)
	secs=$(ip netns exec "$(sns a)" "$TNA_PY" "$TNA_IT/diff_pkt.py" send sa \
		--src "$(mac a)" --dst "$(mac b)" --count 1000 --gap-us 1000 --len 1000 |
		awk '{print $4}' | tr -d ,)
	sleep 0.3
	after=$(rx_bytes b)
	"$TNA_PY" - "$((after - before))" "$secs" <<-PY
	import sys
	got, secs = int(sys.argv[1]), float(sys.argv[2])
	rate = $TBF_RATE / 8
	budget = rate * secs + $TBF_BURST + rate * $TBF_LATENCY_MS / 1000
	print("# b received %d bytes in %.2f s, budget %d" % (got, secs, budget))
	print("tbf on pb holds: %s" % ("yes" if 0.6 * budget <= got <= 1.3 * budget else "no"))
	PY
}
DIFF_ACCEL="pa pb pc"
DIFF_FUZZY=b
diff_scenario tbf "tbf rate limit on a port's egress" \
	"pa.redirected >= 100" "pa.punt('egress_not_ready') >= 900"
