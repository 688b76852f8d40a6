#!/usr/bin/env bash
# Smoke test of the bridge fast path: two stations on a Linux bridge, the
# daemon attaches its pipelines, unicast is redirected, the kernel still
# learns, and killing the daemon hands everything back to Linux.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"

require_env ethtool ping
trap 'daemon_stop; ns_cleanup; tna_finish' EXIT

A=$(ns_new a) B=$(ns_new br) C=$(ns_new c)

topology() {
	ip -n "$B" link add br0 type bridge
	ip -n "$B" link add p0 type veth peer name eth0 netns "$A"
	ip -n "$B" link add p1 type veth peer name eth0 netns "$C"
	local p
	for p in p0 p1; do
		ip -n "$B" link set "$p" master br0
		ip -n "$B" link set "$p" up
	done
	ip -n "$B" link set br0 up
	ip -n "$A" addr add 10.88.0.1/24 dev eth0
	ip -n "$C" addr add 10.88.0.2/24 dev eth0
	ip -n "$A" link set eth0 up
	ip -n "$C" link set eth0 up
	# Without GRO (or an XDP program) on the peer, a veth drops redirected frames.
	ip netns exec "$A" ethtool -K eth0 gro on >/dev/null
	ip netns exec "$C" ethtool -K eth0 gro on >/dev/null
}
setup "bridge br0 with ports p0, p1 and a station behind each" topology

# xdp_on PORT: the port has an XDP program attached, as ip -j link reports it.
xdp_on() {
	ip -n "$B" -j -d link show dev "$1" | "$TNA_PY" -c \
		'import json,sys; sys.exit(0 if json.load(sys.stdin)[0].get("xdp") else 1)'
}
has_pipeline() { tnactl -j pipeline "$1" 2>/dev/null | json_find prog_id >/dev/null; }
pings() { ip netns exec "$A" ping -c "${1:-3}" -i 0.2 -W 1 10.88.0.2 >/dev/null; }
# counter IFACE KEY: a top-level number of tnactl -j stats IFACE.
counter() {
	tnactl -j stats "$1" | "$TNA_PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
punts() {
	tnactl -j stats "$1" | "$TNA_PY" -c '
import json, sys
s = json.load(sys.stdin)
print(",".join(sorted(r for f in s["fpms"] for r in f["punted"])))'
}
fdb_has() {
	local mac
	mac=$(ip -n "$1" -j link show eth0 | "$TNA_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
	ip netns exec "$B" bridge fdb show br br0 | grep -q "^$mac dev $2 master br0"
}

daemon_start "$B" || { not_ok "daemon starts"; exit 1; }
check "tnactl pipeline p0 shows a program" wait_until 10 has_pipeline p0
check "ip link shows XDP attached on p0" xdp_on p0
check "ip link shows XDP attached on p1" xdp_on p1
check "ping between the stations through the accelerated bridge" pings 3
check "the kernel learned station a on p0 (bridge fdb)" wait_until 1 fdb_has "$A" p0
check "the kernel learned station c on p1 (bridge fdb)" wait_until 1 fdb_has "$C" p1

before=$(counter p0 redirected)
pings 5
after=$(counter p0 redirected)
check "unicast from a to c was redirected by the fast path ($before -> $after)" \
	test "$after" -gt "$before"
reasons=$(punts p0)
check "ARP and broadcast went to Linux with a reason (punted: $reasons)" \
	grep -qE 'broadcast_dst|multicast_dst' <<<"$reasons"
check "explain p0 says redirects into it are delivered" \
	sh -c "'$TNA_BUILD/tnactl' -s '$SOCK' -j explain p0 | grep -q '\"deliverable\": *true'"

# mirrored MAC: prints how tnactl fdb br0 sees the MAC in the fast path's mirror:
# "yes" (mirrored on the kernel's port), "no" (kernel only), "stale" (mirror
# only: the kernel no longer has it), or "absent".
mirrored() {
	tnactl -j fdb br0 | "$TNA_PY" -c '
import json, sys
for e in json.load(sys.stdin):
    if e["mac"] == sys.argv[1]:
        print("stale" if e.get("kernel") is False else "yes" if e.get("mirrored") else "no")
        break
else:
    print("absent")' "$1"
}
mac_c=$(ip -n "$C" -j link show eth0 | "$TNA_PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
check "the FDB mirror holds station c on p1" test "$(mirrored "$mac_c")" = yes
# Station c may relearn itself at any moment (IPv6 neighbour discovery), so
# "gone" is: the mirror counted the removal, and holds nothing the kernel lacks.
removals() {
	tnactl -j stats | "$TNA_PY" -c '
import json, sys
print(json.load(sys.stdin)["fastpath"]["fdb_mirror"]["removals"])'
}
before=$(removals)
ip netns exec "$B" bridge fdb del "$mac_c" dev p1 master
sleep 0.1
after=$(removals)
state=$(mirrored "$mac_c")
check "a deleted FDB entry has left the mirror 100 ms later (removals $before -> $after, now $state)" \
	test "$after" -gt "$before" -a "$state" != stale
pings 2
c_mirrored() { [ "$(mirrored "$mac_c")" = yes ]; }
check "relearned after the next frames, station c is mirrored again" wait_until 1 c_mirrored

# A peer that loses GRO makes its veth drop redirected frames: the kernel's
# XDP features say so at once, and the daemon must stop redirecting into it.
deliverable() {
	tnactl -j explain "$1" | "$TNA_PY" -c '
import json, sys
print(json.load(sys.stdin)["egress"]["deliverable"])'
}
ip netns exec "$C" ethtool -K eth0 gro off >/dev/null
sleep 0.1
check "100 ms after its peer lost GRO, p1 is no redirect target" test "$(deliverable p1)" = False
ip netns exec "$C" ethtool -K eth0 gro on >/dev/null
sleep 0.1
check "100 ms after GRO is back, p1 is a redirect target again" test "$(deliverable p1)" = True

kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
check "after SIGKILL no XDP program is left on p0" wait_until 5 sh -c "! ip -n '$B' -j -d link show dev p0 | grep -q '\"xdp\"'"
check "after SIGKILL no XDP program is left on p1" sh -c "! ip -n '$B' -j -d link show dev p1 | grep -q '\"xdp\"'"
check "after SIGKILL the stations still reach each other through Linux" pings 3

daemon_start "$B" || { not_ok "daemon restarts"; exit 1; }
check "after a restart p0 is accelerated again" wait_until 10 has_pipeline p0
check "after a restart ip link shows XDP on p0" xdp_on p0
before=$(counter p1 redirected)
pings 3
check "after a restart unicast is redirected again" test "$(counter p1 redirected)" -gt "$before"

ip -n "$B" link set p1 nomaster
check "a port removed from the bridge is detached" wait_until 5 sh -c "! ip -n '$B' -j -d link show dev p1 | grep -q '\"xdp\"'"
check "tnactl pipeline p1 answers that p1 has no fast path" \
	sh -c "! '$TNA_BUILD/tnactl' -s '$SOCK' pipeline p1 2>/dev/null"
check "the remaining port keeps its fast path" xdp_on p0
