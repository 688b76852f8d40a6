#!/usr/bin/env bash
# zstack steering and the shared port namespace, with the kernel as the peer:
# a zstack application (tests/tools/zs-steer-probe) listens on a port of A;
# the kernel client on B connects. Its SYNs must reach the AF_XDP socket and
# never the kernel (no RST); the kernel cannot take the port meanwhile; a port
# a kernel socket holds is refused; SIGKILL of the application gives the port
# back and removes the steering; ping and kernel TCP on other ports work
# throughout.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/zslib.bash"
require_env tcpdump ethtool
PROBE=$TNA_BUILD/tools/zs-steer-probe
require_built "$PROBE"
trap 'daemon_stop; ns_cleanup' EXIT

A_IP=10.78.0.1
B_IP=10.78.0.2
ZS_DEV=zsa
ZS_PEER=zsb
PORT=8080
OTHER=8081
zs_start

zstack_listeners() { tnactl -j graph | json_find nodes | grep -c '"owner": "zstack"' || true; }
fails() { ! "$@"; }

# zs_app PID: the zstack-app nodes of PID in the graph, then 1 when one of them
# is attached-to ZS_DEV's link and owns a listener, else 0.
zs_app() {
	tnactl -j graph | "$TNA_PY" -c '
import json, sys
g, pid, dev = json.load(sys.stdin), int(sys.argv[1]), sys.argv[2]
links = {n["id"] for n in g["nodes"] if n["kind"] == "link" and n["name"] == dev}
apps = {n["id"] for n in g["nodes"] if n["kind"] == "zstack-app" and n["pid"] == pid}
owners = {e["to"] for e in g["edges"] if e["rel"] == "owned-by"}
attached = {e["from"] for e in g["edges"] if e["rel"] == "attached-to" and e["to"] in links}
print(len(apps), int(bool(apps & owners & attached)))' "$1" "$ZS_DEV"
}

unaffected "before zstack"

# The application: 8 s of counting SYNs to $PORT on its AF_XDP socket.
PROBE_OUT=$(mktemp)
ip netns exec "$A" "$PROBE" zsa $A_IP $PORT 8 >"$PROBE_OUT" 2>&1 &
PROBE_PID=$!
check "the probe registers and listens on $A_IP:$PORT" wait_until 3 grep -q listening "$PROBE_OUT"
check "explain zsa shows xsk_steer deployed" wait_until 5 steering_live
check "explain zsa shows the steering entry" test "$(steering_entries)" -eq 1
check "the graph shows a zstack listener" test "$(zstack_listeners)" -eq 1
check "the graph has a steers-to edge to zsa" \
	sh -c "'$TNA_BUILD/tnactl' -s '$SOCK' -j graph | grep -q steers-to"
check "the graph has the probe's zstack-app node, attached-to zsa, owning its listener" \
	test "$(zs_app $PROBE_PID)" = "1 1"

DUMP=$(mktemp)
ip netns exec "$B" timeout 4 tcpdump -nli zsb "tcp port $PORT" >"$DUMP" 2>/dev/null &
DUMP_PID=$!
sleep 0.5
ip netns exec "$B" timeout 3 socat -u /dev/null TCP:$A_IP:$PORT,connect-timeout=2 2>/dev/null
check "the kernel client's connect gets no answer (SYNs go to zstack)" test $? -ne 0
wait $DUMP_PID
check "no RST came back from $A_IP:$PORT" sh -c "! grep -q 'Flags \[R' '$DUMP'"
check "the kernel cannot bind $A_IP:$PORT while zstack holds it" fails kernel_can_bind $PORT
ip netns exec "$A" timeout 2 socat -u TCP-LISTEN:$PORT,bind=$A_IP,reuseaddr /dev/null 2>/dev/null
check "a kernel listener on $PORT is refused while zstack holds it" test $? -ne 0
unaffected "while zstack steers"
wait $PROBE_PID
check "the SYNs arrived on the AF_XDP socket" \
	sh -c "grep -Eq '^syns [1-9]' '$PROBE_OUT'"
rm -f "$DUMP"

# An fd sent with a request that takes none is closed at once, not kept for
# the next zs-attach (which then has none and says so).
R=$("$TNA_PY" -c '
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile()
r, w = os.pipe()
socket.send_fds(s, [b"{\"cmd\":\"zs-register\",\"app\":\"stray\",\"pid\":%d}\n" % os.getpid()], [r])
f.readline()
s.sendall(b"{\"cmd\":\"zs-attach\",\"ifname\":\"zsa\",\"queue\":1}\n")
print(json.loads(f.readline()).get("error", {}).get("message", "accepted"))' "$SOCK" 2>&1)
check "an fd sent with zs-register is not taken by a later zs-attach ($R)" \
	grep -q "needs the AF_XDP socket" <<<"$R"

# A port a kernel socket holds is refused with port-in-use.
kernel_listen $OTHER
ip netns exec "$A" "$PROBE" zsa $A_IP $OTHER 1 >"$PROBE_OUT" 2>&1
check "a port held by a kernel listener is refused" test $? -ne 0
check "the refusal names the port and says what to do" \
	grep -q "port $OTHER on $A_IP is held by a kernel socket.*stop that socket" "$PROBE_OUT"
kill $KSRV 2>/dev/null
wait $KSRV 2>/dev/null

# SIGKILL gives everything back. The kernel frees a closed AF_XDP socket's
# queue from a workqueue: binding the queue again at once can meet EBUSY.
sleep 1
ip netns exec "$A" "$PROBE" zsa $A_IP $PORT 60 >"$PROBE_OUT" 2>&1 &
PROBE_PID=$!
wait_until 5 steering_live
check "the probe listens again" wait_until 3 grep -q listening "$PROBE_OUT"
grep -q listening "$PROBE_OUT" || sed 's/^/# probe: /' "$PROBE_OUT"
check "the graph shows the probe's zstack-app node again" test "$(zs_app $PROBE_PID)" = "1 1"
{ kill -9 $PROBE_PID; wait $PROBE_PID; } 2>/dev/null
check "after SIGKILL the steering entry is gone" wait_until 3 steering_gone
check "after SIGKILL the graph has no zstack listener" test "$(zstack_listeners)" -eq 0
check "after SIGKILL the graph has no zstack-app node of the probe" \
	test "$(zs_app $PROBE_PID)" = "0 0"
check "after SIGKILL a kernel socket binds $A_IP:$PORT" kernel_can_bind $PORT
check "after SIGKILL the daemon logs the release" grep -q "zs-steer-probe.*gone: released" \
	"$DAEMON_LOG"
kernel_listen $PORT
echo hi | ip netns exec "$B" timeout 3 socat -u - TCP:$A_IP:$PORT
check "after SIGKILL a kernel server on $PORT answers the kernel client" test $? -eq 0
wait $KSRV 2>/dev/null
check "ping after zstack" ping_ok
rm -f "$PROBE_OUT"
tna_finish
