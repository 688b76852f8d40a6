#!/usr/bin/env bash
# Differential: changes while traffic flows end the same with and without the
# daemon: STP with a blocking port, ports and the bridge going down, ports
# joining and leaving, the daemon killed with SIGKILL and restarted, FDB
# ageing. See difflib.bash for what a scenario is and what is compared.
set -uo pipefail
source "$(dirname "$0")/difflib.bash"
require_env ethtool
trap diff_exit EXIT

three_stations() {
	diff_bridge "$@"
	diff_station a
	diff_station b
	diff_station c
}

# STP: br0 (priority 32768) and br1 in namespace sw (priority 4096, so the
# root) joined by two links, pd-qd and pe-qe. Kernel STP makes pd br0's root
# port (equal costs; qd has the lower port id) and puts pe in blocking. This
# is robust where forcing a state is not: with kernel STP on, the kernel
# refuses `bridge link set ... state`. Station a is on br0, b on br1. Frames
# injected from qe into the blocking pe must be dropped, and a reaches b
# through pd only. Forward delay 2 s (the minimum): convergence takes 4 s.
SW=${TNA_NS_PREFIX}-sw
port_state() { brx bridge -j link show dev "$1" | "$TNA_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["state"])'; }
stp_converged() {
	[ "$(port_state pa)" = forwarding ] && [ "$(port_state pd)" = forwarding ] &&
		[ "$(port_state pe)" = blocking ]
}
scen_stp_setup() {
	local p
	diff_bridge stp_state 1 forward_delay 200 hello_time 100 max_age 600
	diff_ns sw
	ip -n "$SW" link add br1 address 02:00:00:00:00:b1 type bridge stp_state 1 \
		forward_delay 200 hello_time 100 max_age 600 priority 4096
	ip -n "$SW" link set br1 up
	for p in d e; do
		br link add "p$p" address "$(port_mac "$p")" type veth peer name "q$p" \
			address "$(mac "$p")" netns "$SW"
		ip netns exec "$SW" ethtool -K "q$p" gro on >/dev/null
		ip -n "$SW" link set "q$p" master br1 up
		br link set "p$p" master br0 up
	done
	diff_station a
	diff_station b "$SW" br1
	wait_until 15 stp_converged
}
scen_stp_drive() {
	local p
	for p in pa pd pe; do
		echo "stp: $p $(port_state "$p")"
	done
	diff_hello a b
	diff_send a b --count 200 --gap-us 500
	diff_send b a --count 200 --gap-us 500
	ip netns exec "$SW" "$TNA_PY" "$TNA_IT/diff_pkt.py" send qe --src 02:00:00:00:09:09 \
		--dst "$(mac a)" --count 100 --gap-us 500 >/dev/null
	ip netns exec "$SW" "$TNA_PY" "$TNA_IT/diff_pkt.py" send qe --src "$(mac b)" \
		--dst "$(mac a)" --count 100 --gap-us 500 >/dev/null
}
DIFF_ACCEL="pa pd"
DIFF_NO_LINKS=1
diff_scenario stp "STP on, a port in blocking" \
	"pa.redirected >= 100" "pd.redirected >= 100" "pe.redirected == 0" \
	"pe.punt('ingress_not_forwarding') >= 200"

# A port down on the bridge side, its station's side down (carrier lost),
# the bridge down; each followed by traffic, then back up.
scen_down_setup() { three_stations; }
phase() { sleep 0.2; diff_send a b --count 50 --gap-us 500 --dport "$1"; }
scen_down_drive() {
	diff_hello a b c
	phase 7001
	br link set pb down
	phase 7002
	br link set pb up
	sleep 0.2
	diff_hello b
	phase 7003
	ip -n "$(sns b)" link set sb down
	phase 7004
	ip -n "$(sns b)" link set sb up
	sleep 0.2
	diff_hello b
	phase 7005
	br link set br0 down
	phase 7006
	br link set br0 up
	sleep 0.2
	diff_hello a b
	phase 7007
}
DIFF_ACCEL="pa pb pc"
diff_scenario down "a port, a station link and the bridge going down and up" \
	"pa.redirected >= 100" "pa.punt('dst_unknown') >= 50"

# Ports joining and leaving while c streams to a: pd joins, pb leaves, pd
# leaves. The stream must arrive whole; the phases in between are exact.
scen_churn_setup() {
	three_stations
	diff_station d
	br link set pd nomaster
}
scen_churn_drive() {
	local stream
	diff_hello a b c
	diff_send c a --count 2000 --gap-us 1000 --dport 9000 &
	stream=$!
	diff_send a b --count 100 --gap-us 500 --dport 7001
	br link set pd master br0
	diff_wait_accel pd
	sleep 0.2
	diff_hello d
	diff_send a d --count 100 --gap-us 500 --dport 7002
	br link set pb nomaster
	sleep 0.2
	diff_send a b --count 100 --gap-us 500 --dport 7003
	br link set pd nomaster
	sleep 0.2
	diff_send a d --count 100 --gap-us 500 --dport 7004
	wait "$stream"
}
DIFF_ACCEL="pa pb pc"
diff_scenario churn "ports added and removed while traffic flows" \
	"pa.redirected >= 100" "pc.redirected >= 1000"

# The daemon killed with SIGKILL while a streams to b: its XDP links go with
# it and Linux carries on, losing nothing Linux alone would not. Restarted,
# it accelerates again (the counters are the new daemon's, so any redirect
# happened after the restart).
xdp_attached() { br -j -d link show dev "$1" | grep -q '"xdp"'; }
scen_sigkill_setup() { three_stations; }
scen_sigkill_drive() {
	local stream
	diff_hello a b c
	diff_send a b --count 3000 --gap-us 500 --dport 7001 &
	stream=$!
	sleep 0.5
	if [ "$DIFF_MODE" = tna ]; then
		kill -KILL "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
		DAEMON_PID=
	fi
	wait_until 3 sh -c '! ip -n "$0" -j -d link show | grep -q "\"xdp\""' "$BRNS"
	echo "xdp programs left 3 s after SIGKILL: $(br -j -d link show | grep -c '"xdp"')"
	wait "$stream"
	if [ "$DIFF_MODE" = tna ]; then
		daemon_start "$BRNS" >&2 || echo "# daemon did not restart"
		diff_wait_accel pa pb
	fi
	diff_send a b --count 200 --gap-us 500 --dport 7002
	diff_send b a --count 200 --gap-us 500 --dport 7003
}
DIFF_ACCEL="pa pb pc"
diff_scenario sigkill "daemon killed with SIGKILL under traffic, then restarted" \
	"pa.redirected >= 100" "pb.redirected >= 100"

# Ageing (3 s): a and b keep talking to each other through the fast path for
# 6 s and must stay in the FDB (the daemon refreshes what the kernel no
# longer sees); c is silent and d only receives (from a): both must age out
# 3 s after their hello, give or take the 100 ms polling, the kernel's gc
# and the moment the hello was learned (up to 0.3 s before it returned); a
# station kept alive wrongly would stay past 6.5 s, far outside the window. Once d is gone, a's frames to d are flooded: how many b and c get
# depends on the moment, so those lines are not compared.
scen_ageing_setup() {
	three_stations ageing_time 300
	diff_station d
}
scen_ageing_drive() {
	local pids=() hello end now x gone
	declare -A aged
	diff_hello a b c d
	hello=$(date +%s%N)
	diff_send a b --count 60 --gap-us 100000 --dport 7001 & pids+=($!)
	diff_send b a --count 60 --gap-us 100000 --dport 7002 & pids+=($!)
	diff_send a d --count 60 --gap-us 100000 --dport 7003 & pids+=($!)
	end=$((hello + 6500000000))
	while now=$(date +%s%N); [ "$now" -lt "$end" ]; do
		gone=$(brx bridge -j fdb show br br0 | "$TNA_PY" "$TNA_IT/diff_obs.py" fdb-macs)
		for x in a b c d; do
			[[ $gone == *"$(mac "$x")"* ]] && continue
			[ -n "${aged[$x]:-}" ] || aged[$x]=$(((now - hello) / 1000000))
		done
		sleep 0.1
	done
	wait "${pids[@]}"
	for x in a b c d; do
		if [ -z "${aged[$x]:-}" ]; then
			echo "ageing: $x stayed"
		elif [ "${aged[$x]}" -ge 2000 ] && [ "${aged[$x]}" -le 4500 ]; then
			echo "ageing: $x aged out on time (2.0-4.5 s after its hello)"
		else
			echo "ageing: $x aged out after ${aged[$x]} ms"
		fi
	done
	echo "# a: updated $(brx bridge -j -s fdb show br br0 |
		"$TNA_PY" "$TNA_IT/diff_obs.py" fdb-age "$(mac a)" updated) s ago"
	echo "# b: used $(brx bridge -j -s fdb show br br0 |
		"$TNA_PY" "$TNA_IT/diff_obs.py" fdb-age "$(mac b)" used) s ago"
}
DIFF_ACCEL="pa pb pc pd"
DIFF_FUZZY_RX='^rx [bc]: .*>02:00:00:00:0d:01 '
DIFF_NO_LINKS=1
diff_scenario ageing "FDB ageing: talkers stay, silent and receive-only stations age out" \
	"pa.redirected >= 40" "pb.redirected >= 40"
