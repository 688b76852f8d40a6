#!/usr/bin/env bash
# The zstack-tna demo: a small network in network namespaces, configured with
# ip and bridge only, watched by the daemon; then what tnactl sees of it.
#
#   station1 10.0.1.11 ──┐
#                        ├── br0 10.0.1.1 ─ host ─ rt0 10.0.2.1 ── far 10.0.2.2
#   station2 10.0.1.12 ──┘      bridged            routed
#
# Everything lives in namespaces named tnademo<pid>-*, removed on exit
# (also on Ctrl-C or failure). Run as root after `make` (or just `make demo`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
PREFIX=tnademo$$
HOST=$PREFIX-host
STA1=$PREFIX-station1
STA2=$PREFIX-station2
FAR=$PREFIX-far
SOCK=/run/zstack-tna/$PREFIX.sock
LOG=$(mktemp /tmp/zstack-tna-demo.XXXXXX)
DAEMON_PID=

if [ -t 1 ]; then
	BOLD=$'\e[1m' DIM=$'\e[2m' RED=$'\e[31m' OFF=$'\e[0m'
else
	BOLD= DIM= RED= OFF=
fi

die() {
	echo "${RED}demo: $*${OFF}" >&2
	exit 1
}
step() { echo "${DIM}-- $*${OFF}"; }
heading() {
	echo
	echo "${BOLD}== $1${OFF}"
	shift
	printf '   %s\n' "$@"
	echo
}

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "$status" -eq 1 ] && [ -s "$LOG" ]; then
		echo "daemon log (last lines):" >&2
		tail -n 10 "$LOG" >&2
	fi
	local ns
	for ns in "$HOST" "$STA1" "$STA2" "$FAR"; do
		if ip netns list 2>/dev/null | grep -qw "^$ns"; then
			ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
			ip netns del "$ns" 2>/dev/null || true
		fi
	done
	rm -f "$LOG"
	if [ "$status" -eq 0 ]; then
		echo
		step "namespaces removed, daemon stopped: the demo left nothing behind"
	fi
	exit "$status"
}

preflight() {
	[ "$(id -u)" -eq 0 ] || die "needs root to create network namespaces; run: sudo make demo"
	local f tool
	for f in zstack-tna tnactl; do
		[ -x "$BUILD/$f" ] || die "$BUILD/$f is missing; run: make demo"
	done
	[ -x "$BUILD/zs-http" ] || die "$BUILD/zs-http is missing; run: make demo"
	for tool in ip bridge ping ethtool curl; do
		command -v "$tool" >/dev/null || die "'$tool' is not installed; run: make deps"
	done
}

tnactl() { "$BUILD/tnactl" -s "$SOCK" "$@"; }
h() { ip -n "$HOST" "$@"; }

build_network() {
	step "creating namespaces: $HOST, $STA1, $STA2, $FAR"
	for ns in "$HOST" "$STA1" "$STA2" "$FAR"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done

	step "host: bridge br0 (10.0.1.1/24) with ports port1 and port2"
	h link add br0 type bridge
	h link set br0 up
	h addr add 10.0.1.1/24 dev br0
	local i sta
	for i in 1 2; do
		sta=$PREFIX-station$i
		h link add "port$i" type veth peer name eth0 netns "$sta"
		h link set "port$i" master br0 up
		ip -n "$sta" addr add "10.0.1.1$i/24" dev eth0
		ip -n "$sta" link set eth0 up
		# A frame redirected by XDP into a veth is only delivered when the
		# peer takes XDP frames: GRO on (or an XDP program) makes it so.
		ip netns exec "$sta" ethtool -K eth0 gro on >/dev/null
		ip -n "$sta" route add default via 10.0.1.1
	done

	step "host: rt0 (10.0.2.1/24) to the far subnet, IPv4 forwarding on"
	h link add rt0 type veth peer name eth0 netns "$FAR"
	h link set rt0 up
	h addr add 10.0.2.1/24 dev rt0
	ip -n "$FAR" addr add 10.0.2.2/24 dev eth0
	ip -n "$FAR" link set eth0 up
	ip -n "$FAR" route add default via 10.0.2.1
	ip netns exec "$HOST" sysctl -qw net.ipv4.ip_forward=1
}

start_daemon() {
	step "starting zstack-tna in $HOST (control socket $SOCK)"
	mkdir -p "$(dirname "$SOCK")"
	ip netns exec "$HOST" "$BUILD/zstack-tna" --control "$SOCK" >"$LOG" 2>&1 &
	DAEMON_PID=$!
	local i
	for i in $(seq 1 100); do
		tnactl caps >/dev/null 2>&1 && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	die "zstack-tna did not come up (log below)"
}

# Waits until the daemon has published a pipeline on a port.
wait_accelerated() {
	local port=$1 i
	for i in $(seq 1 100); do
		tnactl -j pipeline "$port" 2>/dev/null | grep -q '"prog_id": *[1-9]' && return 0
		sleep 0.05
	done
	die "the daemon did not accelerate $port: see tnactl explain $port"
}

ping_check() {
	local from=$1 to=$2 what=$3
	if ip netns exec "$from" ping -c 2 -i 0.2 -W 1 "$to" >/dev/null; then
		step "ping ${from#"$PREFIX"-} -> $to ($what): ok"
	else
		die "ping ${from#"$PREFIX"-} -> $to ($what) failed: the demo network is broken"
	fi
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'echo "${RED}demo: failed at line $LINENO: $BASH_COMMAND${OFF}" >&2' ERR

preflight
build_network
start_daemon
ping_check "$STA1" 10.0.1.12 "bridged by br0"
ping_check "$STA2" 10.0.1.11 "bridged by br0"
ping_check "$STA1" 10.0.2.2 "routed by the host"

heading "What the daemon sees: tnactl graph" \
	"Every link, address, route and filter of the host namespace, as read from" \
	"the kernel over netlink. Ports show their bridge and STP state; routes their" \
	"next hops. The services at the end are what a fast path would implement:" \
	"bridging on br0, IPv4 forwarding between br0 and rt0, local delivery."
tnactl graph

heading "What br0 has learned: tnactl fdb br0" \
	"The bridge's forwarding database, mirrored from the kernel: the stations'" \
	"MAC addresses learned on port1 and port2 by the pings above (dynamic), next" \
	"to the bridge's and ports' own addresses and the multicast groups br0 joined" \
	"(local). [fast path] marks what the XDP fast path's mirror holds too."
tnactl fdb br0

wait_accelerated port1
wait_accelerated port2
step "200 pings station1 -> station2 through the accelerated bridge"
ip netns exec "$STA1" ping -c 200 -i 0.005 -q 10.0.1.12 | sed -n 's/^/   /;/packets/p'

heading "The fast path on port1: tnactl pipeline port1" \
	"The XDP pipeline the daemon assembled for this port from the graph: its" \
	"fast-path modules in order, the program the kernel verified, and whether the" \
	"object came from the compile cache."
tnactl pipeline port1

heading "What it carried: tnactl stats port1" \
	"Per module: packets it decided. 'redirect' is a frame forwarded in XDP to the" \
	"other port without entering the kernel's stack; every other outcome is a" \
	"frame handed to Linux, with the reason (ARP broadcasts, the first frames" \
	"before both stations were learned, ...)."
tnactl stats port1

heading "Why it looks like this: tnactl explain port1" \
	"The plan and the graph facts behind every decision: what is in, what is left" \
	"out, and what is left to Linux."
tnactl explain port1

heading "What this machine offers a fast path: tnactl caps" \
	"Kernel version, BTF, per-interface XDP support, AF_XDP zero-copy, conntrack" \
	"kfuncs, bpf_fib_lookup flags and the clang that compiles the pipelines."
tnactl caps

# zstack: a user-space TCP server on rt0, answering a kernel client on far.
zstack_ready() {
	grep -q listening "$ZS_LOG" && tnactl explain rt0 | grep -q "steered to zstack"
}
heading "zstack: an HTTP server outside the kernel's TCP, on rt0" \
	"zs-http runs in the host namespace on zstack: it registers 10.0.2.1:8080 with" \
	"the daemon, which adds an xsk_steer module to rt0's pipeline. TCP to that" \
	"port goes to zs-http's AF_XDP socket; every other packet still goes to Linux."
step "far: checksums in software (ethtool -K eth0 tx off): zstack checks what is on the wire"
ip netns exec "$FAR" ethtool -K eth0 tx off >/dev/null
ZS_LOG=$(mktemp /tmp/zstack-tna-demo-zs.XXXXXX)
ip netns exec "$HOST" env ZSTACK_TNA_CONTROL="$SOCK" "$BUILD/zs-http" rt0 10.0.2.1 8080 \
	--body 64 >"$ZS_LOG" 2>&1 &
ZS_PID=$!
for i in $(seq 1 100); do
	zstack_ready && break
	kill -0 "$ZS_PID" 2>/dev/null || break
	sleep 0.05
done
zstack_ready || { cat "$ZS_LOG" >&2; die "zs-http did not come up (its output is above)"; }
step "$(head -n 1 "$ZS_LOG")"
step "curl from far -> http://10.0.2.1:8080/ (answered by zs-http, not by the kernel):"
ip netns exec "$FAR" curl -s -m 5 -i http://10.0.2.1:8080/ | tr -d '\r' | sed 's/^/   /'
echo
step "the zstack listener in tnactl graph:"
tnactl graph | grep -E "\(zstack\)|owner zstack|steers-to" | sed 's/^ */   /'
echo
step "tnactl explain rt0: the pipeline that steers its port to zstack"
tnactl explain rt0
kill -TERM "$ZS_PID"
wait "$ZS_PID" 2>/dev/null || true
rm -f "$ZS_LOG"
step "zs-http stopped: the daemon took its steering out, Linux has port 8080 back"

heading "More" \
	"tnactl -j graph prints the same as JSON; tnactl graph --dot | dot -Tsvg draws it;" \
	"tnactl show ID shows one node and its edges; tnactl monitor follows changes."
