# zstack with the kernel as the peer: sourced after tests/lib.sh by
# tests/integration/zs_*.sh (and, for the steering helpers, by
# tests/bench/zstack.sh), never run: the runner runs only *.sh.
#
# Namespace A holds the daemon and the zstack application, namespace B the
# kernel peer; a veth pair joins them, ZS_DEV in A (address A_IP) and ZS_PEER
# in B (B_IP). A test sets those four before zs_start, and OTHER (a port zstack
# leaves to the kernel) before kernel_tcp_ok or unaffected.

A=${TNA_NS_PREFIX}-a
B=${TNA_NS_PREFIX}-b

zs_topology() {
	ns_new a >/dev/null
	ns_new b >/dev/null
	ip link add "$ZS_DEV" netns "$A" type veth peer name "$ZS_PEER" netns "$B"
	ip -n "$A" addr add "$A_IP/24" dev "$ZS_DEV"
	ip -n "$B" addr add "$B_IP/24" dev "$ZS_PEER"
	ip -n "$A" link set "$ZS_DEV" up
	ip -n "$B" link set "$ZS_PEER" up
	# Kernel TCP over veth leaves checksums to offload; zstack sees the wire.
	ip netns exec "$A" ethtool -K "$ZS_DEV" tx off >/dev/null
	ip netns exec "$B" ethtool -K "$ZS_PEER" tx off >/dev/null
}

# zs_start [DESCRIPTION FUNCTION]: the topology (zs_topology, or FUNCTION when
# the test needs more), the daemon in A, and zstack applications pointed at it.
zs_start() {
	setup "${1:-two namespaces joined by a veth}" "${2:-zs_topology}"
	daemon_start "$A" || { not_ok "daemon starts"; exit 1; }
	export ZSTACK_TNA_CONTROL=$SOCK
}

# --- the daemon's steering on ZS_DEV -----------------------------------------

steering_live() { tnactl explain "$ZS_DEV" 2>/dev/null | grep -q "deployed: live"; }
steering_entries() { tnactl explain "$ZS_DEV" 2>/dev/null | grep -c "steered to zstack" || true; }
steering_gone() { [ "$(steering_entries)" -eq 0 ]; }
steered() { [ "$(steering_entries)" -ge 1 ] && steering_live; }

# --- the kernel beside zstack --------------------------------------------------

# kernel_can_bind PORT: a kernel TCP socket in A can bind A_IP:PORT.
kernel_can_bind() {
	ip netns exec "$A" "$TNA_PY" -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))' "$A_IP" "$1" 2>/dev/null
}

ping_ok() { ip netns exec "$B" ping -c 1 -W 1 "$A_IP" >/dev/null; }

# kernel_listen PORT [FILE]: a kernel socat in A takes one connection on
# A_IP:PORT (within 10 s) and writes what it receives to FILE (or discards it);
# sets KSRV to its pid and returns once it listens.
kernel_listen() {
	ip netns exec "$A" timeout 10 socat -u TCP-LISTEN:$1,bind=$A_IP,reuseaddr \
		OPEN:"${2:-/dev/null}",creat &
	KSRV=$!
	wait_until 3 listening "$A" "$1"
}

# A kernel server on A answers a kernel client on B on port OTHER.
kernel_tcp_ok() {
	local KSRV rc
	kernel_listen "$OTHER"
	echo hello | ip netns exec "$B" timeout 3 socat -u - TCP:$A_IP:$OTHER
	rc=$?
	wait $KSRV
	return $rc
}

# unaffected WHEN: ping and kernel TCP work, one check each.
unaffected() {
	check "ping $1" ping_ok
	check "kernel TCP on port $OTHER $1" kernel_tcp_ok
}
