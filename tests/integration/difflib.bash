# Differential bridge tests: sourced by tests/integration/diff_*.sh, never run.
#
# A scenario is a setup function (topology and configuration) and a drive
# function (traffic and changes). diff_scenario runs it twice from scratch, once
# with Linux alone and once with the daemon started right after setup, and
# compares the outcome text of the two runs: frames each station received
# (counted by kind by an AF_PACKET sniffer on the station's veth), the FDB
# (entries, ports, states, no timers), the link counters of the bridge, its
# ports and the stations, and whatever the drive function prints. On the daemon
# run it also checks `tnactl -j stats` against the scenario's expectations,
# i.e. that the fast path carried what it should and nothing it must not.
#
# Names: the bridge namespace is $BRNS with br0; station X (a hex letter) lives
# in namespace ${TNA_NS_PREFIX}-X on veth sX (MAC 02:00:00:00:0X:01, IPv4
# 10.9.0.N/24 with N the letter's value), and its bridge port is pX
# (02:00:00:00:0X:02). IPv6 is off everywhere, so no stack sends anything of
# its own accord (router solicitations, MLD) and every frame is one we sent.
# Lines of outcome text starting with "#" are shown, not compared.

# tests/run.sh runs every *.sh here: run on its own, this file does nothing.
[ "${BASH_SOURCE[0]}" != "$0" ] || exit 0

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DIFF_OUT=$(mktemp -d /tmp/tna-diff.XXXXXX)
BRNS=${TNA_NS_PREFIX}-br
DIFF_MODE=
DIFF_ACCEL=
DIFF_FUZZY=
DIFF_BYTES=
DIFF_FUZZY_RX=
DIFF_NO_LINKS=
DIFF_KEEP_OUT=${DIFF_KEEP_OUT:-}

diff_exit() {
	kill ${DIFF_SNIFFERS[*]:-} 2>/dev/null
	daemon_stop
	ns_cleanup
	if [ "$TNA_FAILED" -ne 0 ] || [ -n "$DIFF_KEEP_OUT" ]; then
		echo "# outcomes kept in $DIFF_OUT"
	else
		rm -rf "$DIFF_OUT"
	fi
	tna_finish
}

mac() { printf '02:00:00:00:0%s:01' "$1"; }
port_mac() { printf '02:00:00:00:0%s:02' "$1"; }
ip4() { echo "10.9.0.$((16#$1))"; }
sns() { echo "${TNA_NS_PREFIX}-$1"; }
br() { ip -n "$BRNS" "$@"; }
brx() { ip netns exec "$BRNS" "$@"; }

# diff_ns NAME: a namespace where nothing speaks unless told to: IPv6 off, and
# no IGMP reports for link-local groups (the bridge joins 224.0.0.106, MRD).
diff_ns() {
	local ns
	ns=$(ns_new "$1")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.igmp_link_local_mcast_reports=0
}

# diff_bridge [ip link options]: the bridge namespace and br0 (fixed MAC), up.
diff_bridge() {
	diff_ns br
	br link add br0 address 02:00:00:00:00:b0 type bridge "$@"
	br link set br0 up
}

# diff_station X [NS BRIDGE]: station X on port pX of BRIDGE (default br0 in
# $BRNS). GRO on the station's veth, as the fast path needs to deliver into it.
diff_station() {
	local x=$1 ns=${2:-$BRNS} bridge=${3:-br0} st
	diff_ns "$x"
	st=$(sns "$x")
	ip -n "$ns" link add "p$x" address "$(port_mac "$x")" type veth \
		peer name "s$x" address "$(mac "$x")" netns "$st"
	ip netns exec "$st" ethtool -K "s$x" gro on >/dev/null
	ip -n "$st" addr add "$(ip4 "$x")/24" dev "s$x"
	ip -n "$st" link set "s$x" up
	ip -n "$ns" link set "p$x" master "$bridge"
	ip -n "$ns" link set "p$x" up
}

diff_stations() {
	ip netns list | awk '{print $1}' | sed -n "s/^${TNA_NS_PREFIX}-\([0-9a-f]\)\$/\1/p" | sort
}

# diff_send X DST [diff_pkt.py send options]: frames from station X to station
# DST (a letter) or to a MAC address.
diff_send() {
	local x=$1 dst=$2
	shift 2
	[ ${#dst} -eq 1 ] && dst=$(mac "$dst")
	ip netns exec "$(sns "$x")" "$TNA_PY" "$TNA_IT/diff_pkt.py" send "s$x" \
		--src "$(mac "$x")" --dst "$dst" --sip "$(ip4 "$x")" "$@" >/dev/null
}

# diff_hello X...: one broadcast from each station, so the bridge learns it.
diff_hello() {
	local x
	for x in "$@"; do
		diff_send "$x" ff:ff:ff:ff:ff:ff --kind raw --len 60
	done
	sleep 0.2
}

DIFF_SNIFFERS=()
diff_sniff_start() {
	local x st
	DIFF_SNIFFERS=()
	for x in $(diff_stations); do
		st=$(sns "$x")
		rm -f "$DIFF_RUN/ready.$x"
		ip netns exec "$st" "$TNA_PY" "$TNA_IT/diff_pkt.py" sniff "s$x" \
			"$DIFF_RUN/sniff.$x" "$DIFF_RUN/ready.$x" &
		DIFF_SNIFFERS+=($!)
	done
	for x in $(diff_stations); do
		wait_until 5 test -e "$DIFF_RUN/ready.$x" || echo "# sniffer on s$x not ready" >&2
	done
}

diff_sniff_stop() {
	sleep 0.3
	kill -TERM ${DIFF_SNIFFERS[*]:-} 2>/dev/null
	wait ${DIFF_SNIFFERS[*]:-} 2>/dev/null
	DIFF_SNIFFERS=()
}

has_pipeline() { tnactl -j pipeline "$1" 2>/dev/null | json_find prog_id >/dev/null 2>&1; }
has_plan() { tnactl -j explain "$1" >/dev/null 2>&1; }

# diff_wait_accel PORT...: on the daemon run, until each port has a live
# pipeline (10 s at most); nothing without the daemon.
diff_wait_accel() {
	local p
	[ "$DIFF_MODE" = tna ] || return 0
	for p in "$@"; do
		wait_until 10 has_pipeline "$p" || echo "# $p: no pipeline after 10 s" >&2
	done
}

# diff_daemon_settle: on the daemon run, until the daemon has planned every
# port and the ports in DIFF_ACCEL have their pipeline.
diff_daemon_settle() {
	local p
	[ "$DIFF_MODE" = tna ] || return 0
	for p in $(br -o link show master br0 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		wait_until 10 has_plan "$p" || echo "# $p: no plan after 10 s" >&2
	done
	diff_wait_accel $DIFF_ACCEL
	sleep 0.2
}

# diff_outcome: the observable state after the drive, as stable lines.
diff_outcome() {
	local x dev devs=()
	for x in $(diff_stations); do
		[[ " $DIFF_FUZZY " == *" $x "* ]] && continue
		sed "s/^/rx $x: /" "$DIFF_RUN/sniff.$x" 2>/dev/null |
			sed -E "${DIFF_FUZZY_RX:+/$DIFF_FUZZY_RX/s/^/# /}"
		[ -n "$DIFF_NO_LINKS" ] && continue
		ip -n "$(sns "$x")" -j -s link show | "$TNA_PY" "$TNA_IT/diff_obs.py" links $DIFF_BYTES "s$x"
	done
	if ip netns list | awk '{print $1}' | grep -qx "$BRNS"; then
		brx bridge -j fdb show br br0 2>/dev/null | "$TNA_PY" "$TNA_IT/diff_obs.py" fdb
		for dev in $(br -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
			[[ $dev == br0 || $dev == p[0-9a-f] ]] || continue
			[[ " $DIFF_FUZZY " == *" ${dev#p} "* ]] && continue
			devs+=("$dev")
		done
		[ -n "$DIFF_NO_LINKS" ] && return 0
		br -j -s link show | "$TNA_PY" "$TNA_IT/diff_obs.py" links $DIFF_BYTES "${devs[@]}"
	fi
}

# diff_run MODE NAME: one run (MODE linux or tna) of scenario NAME from scratch.
diff_run() {
	DIFF_MODE=$1
	local name=$2 out
	DIFF_RUN=$DIFF_OUT/$name.$DIFF_MODE
	out=$DIFF_RUN.out
	mkdir -p "$DIFF_RUN"
	: >"$DIFF_RUN.stats"
	ns_cleanup
	setup "$name: topology and configuration ($DIFF_MODE run)" "scen_${name}_setup"
	if [ "$DIFF_MODE" = tna ]; then
		daemon_start "$BRNS" || { echo "# daemon did not start" >"$out"; return 1; }
		diff_daemon_settle
	fi
	diff_sniff_start
	"scen_${name}_drive" >"$out"
	diff_sniff_stop
	diff_outcome >>"$out"
	if [ "$DIFF_MODE" = tna ]; then
		if [ -n "${DAEMON_PID:-}" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
			tnactl -j stats >"$DIFF_RUN.stats" 2>/dev/null
		else
			echo "daemon_dead" >"$DIFF_RUN.stats"
		fi
		daemon_stop
	fi
	ns_cleanup
}

# diff_scenario NAME WHAT EXPR...: runs scenario NAME (functions
# scen_NAME_setup, scen_NAME_drive) without and with the daemon; one check for
# the same outcome, one for the fast path doing what the EXPRs say
# (diff_obs.py accel). Set before it, for this scenario only: DIFF_ACCEL, the
# ports that must have a pipeline before traffic starts; DIFF_FUZZY, stations
# whose frames and counters depend on timing (the drive judges them itself);
# DIFF_FUZZY_RX, an extended regex of received-frame lines ("rx X: SRC>DST
# ...") whose counts depend on timing; DIFF_NO_LINKS=1, leave out link counters
# (they count STP BPDUs, sent by the clock); DIFF_BYTES=--bytes, compare the
# links' byte counters too (otherwise shown where they differ).
diff_scenario() {
	local name=$1 what=$2 start=$SECONDS
	shift 2
	diff_run linux "$name"
	diff_run tna "$name"
	local a=$DIFF_OUT/$name.linux.out b=$DIFF_OUT/$name.tna.out
	if diff -q <(grep -v '^#' "$a") <(grep -v '^#' "$b") >/dev/null; then
		ok "$what: same outcome with and without the daemon ($((SECONDS - start)) s)"
	else
		not_ok "$what: same outcome with and without the daemon"
		diff -U0 <(grep -v '^#' "$a") <(grep -v '^#' "$b") | grep '^[-+][^-+]' |
			sed 's/^-/# linux: /; s/^+/# tna:   /'
	fi
	# Not compared, shown where the runs differ. A veth with an XDP program
	# counts received bytes without the Ethernet header (and its peer's sent
	# bytes with it): a kernel accounting detail, so byte counters get one line.
	local bytes
	bytes=$(diff -U0 <(grep '^# link' "$a") <(grep '^# link' "$b") |
		sed -n 's/^+# link \([^ ]*\) .*/\1/p' | tr '\n' ' ')
	[ -n "$bytes" ] && echo "# not compared: byte counters differ on ${bytes% }"
	diff -U0 <(grep '^#' "$a" | grep -v '^# link') <(grep '^#' "$b" | grep -v '^# link') |
		grep '^[-+]#' | sed 's/^-# */# not compared, linux: /; s/^+# */# not compared, tna:   /'
	if grep -q daemon_dead "$DIFF_OUT/$name.tna.stats"; then
		not_ok "$what: accelerated as expected (the daemon died)"
	elif "$TNA_PY" "$TNA_IT/diff_obs.py" accel "$DIFF_OUT/$name.tna.stats" "$@" \
		>"$DIFF_OUT/$name.accel"; then
		ok "$what: accelerated as expected ($*)"
	else
		not_ok "$what: accelerated as expected ($*)"
		cat "$DIFF_OUT/$name.accel"
	fi
	DIFF_ACCEL= DIFF_FUZZY= DIFF_BYTES= DIFF_FUZZY_RX= DIFF_NO_LINKS=
}
