#!/usr/bin/env bash
# The zs_* API with the kernel as the peer (tests/tools/zs-api-test): a zstack
# server in namespace A answers kernel clients (python, socat) in B; a zstack
# client in A talks to a kernel server in B. Data both ways is checked by
# length and hash; the zero-copy path copies no payload while zs_send/zs_recv
# count theirs; zs_fd runs in an epoll loop beside a kernel UDP socket; close
# and shutdown reach the kernel as FIN, abort as RST; SIGKILL of the
# application gives the port back to the kernel.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/zslib.bash"
require_env ethtool
APP=$TNA_BUILD/tools/zs-api-test
require_built "$APP"
trap 'daemon_stop; ns_cleanup' EXIT

A_IP=10.79.0.1
B_IP=10.79.0.2
ZS_DEV=zsa
ZS_PEER=zsb
PORT=8080
KPORT=9090
REPLY=200000
zs_start

# FNV-1a 64 and the pattern, as zs-api-test computes them; a socket read to EOF.
PYLIB='
def fnv(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h
def pattern(n):
    return bytes((i * 131 + 7) & 0xff for i in range(n))
def read_to_eof(s):
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            return got
        got += b
'

# kclient BYTES: a kernel client sends BYTES random bytes, shuts down its side,
# reads the reply to EOF and checks it; prints "ok" or what was wrong.
kclient() {
	ip netns exec "$B" timeout 20 "$TNA_PY" -c "$PYLIB"'
import os, socket, sys
n, reply = int(sys.argv[1]), int(sys.argv[2])
data = os.urandom(n)
s = socket.create_connection((sys.argv[3], int(sys.argv[4])), timeout=10)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
head, _, body = read_to_eof(s).partition(b"\n")
want = "%d %016x" % (n, fnv(data))
if head.decode() != want:
    print("reply head %r, want %r" % (head, want))
elif body != pattern(reply):
    print("reply body of %d bytes differs from the %d-byte pattern" % (len(body), reply))
else:
    print("ok")' "$1" $REPLY $A_IP $PORT 2>&1
}

# A kernel client whose data starts with ABORT: zstack answers RST.
kclient_abort() {
	ip netns exec "$B" timeout 10 "$TNA_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"ABORT please")
try:
    while s.recv(4096):
        pass
    print("eof")
except ConnectionResetError:
    print("reset")' $A_IP $PORT 2>&1
}

counters() {
	ip netns exec "$B" timeout 3 socat -T 2 - UDP:$A_IP:$((PORT + 1)) <<<"stats" 2>/dev/null
}
counter() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }

# --- a zstack server, kernel clients ---------------------------------------
OUT=$(mktemp)
ip netns exec "$A" "$APP" serve zsa $A_IP $PORT $REPLY 60 >"$OUT" 2>&1 &
APP_PID=$!
check "the zstack server listens on $A_IP:$PORT" wait_until 5 grep -q listening "$OUT"
# zs_listen returns once the steering is live: a kernel client right away
# reaches zstack, not the kernel (which would refuse it).
R=$(ip netns exec "$B" timeout 5 "$TNA_PY" -c '
import socket, sys, time
t = time.monotonic()
try:
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
    ms = (time.monotonic() - t) * 1000
    s.sendall(b"x")
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    print("%.0f" % ms)
except OSError as e:
    print(e)' $A_IP $PORT 2>&1)
check "a kernel client connecting as soon as zs_listen returned is accepted at once ($R ms)" \
	test "$R" -lt 300 2>/dev/null
check "the steering goes live" wait_until 5 steering_live
grep -q listening "$OUT" || sed 's/^/# zs-api-test: /' "$OUT"

R=$(kclient 1000)
check "a kernel client's 1000 bytes reach zstack and the reply comes back whole ($R)" \
	test "$R" = ok
R=$(kclient 3000000)
check "3 MB from a kernel client, $REPLY bytes back, hashes equal ($R)" test "$R" = ok
R=$(echo hello | ip netns exec "$B" timeout 10 socat -t 5 - TCP:$A_IP:$PORT 2>&1 | head -1)
check "socat gets the length and hash of its 6 bytes ($R)" \
	test "$(awk '{print $1}' <<<"$R")" = 6
PIDS=()
RES=$(mktemp -d)
for i in $(seq 1 20); do
	kclient 20000 >"$RES/$i" &
	PIDS+=($!)
done
wait "${PIDS[@]}"
check "20 concurrent kernel clients all get whole replies" \
	test "$(cat "$RES"/* | grep -c '^ok$')" -eq 20
rm -rf "$RES"
# Clients that send, then close at once while the reply is on its way: their
# kernel resets the connection under zs_write, which must not free a frame
# the server still holds (zs-api-test once aborted on a double release).
ip netns exec "$B" timeout 20 "$TNA_PY" -c '
import socket, struct, sys
for i in range(30):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
    s.sendall(b"x" * 1000)
    s.shutdown(socket.SHUT_WR)
    if i % 2:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()' $A_IP $PORT >/dev/null 2>&1
R=$(kclient 1000)
check "after 30 clients closed under its replies the server still answers ($R)" \
	test "$R" = ok
R=$(kclient_abort)
check "zs_abort reaches the kernel client as RST ($R)" test "$R" = reset

C=$(counters)
check "the kernel UDP socket beside zs_fd answers in the same epoll loop ($C)" test -n "$C"
# The zero-copy path copies nothing itself; the stack copies a segment only
# when its frame is still on the TX ring from an earlier send (a
# retransmission racing the first one), and counts that in tx_copies too.
app_copies() { echo $(( $(counter payload_copies <<<"$1") - $(counter tx_copies <<<"$1") )); }
check "the zs_read/zs_write server copied no payload ($C)" test "$(app_copies "$C")" = 0
check "the server counted its connections" test "$(counter connections <<<"$C")" -ge 24

# SIGKILL gives the port back.
{ kill -9 $APP_PID; wait $APP_PID; } 2>/dev/null
check "after SIGKILL of the zstack server a kernel socket binds $A_IP:$PORT" \
	wait_until 3 kernel_can_bind $PORT
rm -f "$OUT"

# --- a zstack client, a kernel server --------------------------------------
# kserver: accepts one connection, reads to EOF (the client's shutdown), then
# sends BYTES pattern bytes and closes; prints what it received.
kserver() {
	ip netns exec "$B" timeout 25 "$TNA_PY" -c "$PYLIB"'
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
print("ready", flush=True)
c, _ = l.accept()
got = read_to_eof(c)
c.sendall(pattern(int(sys.argv[3])))
c.close()
print("received %d %016x" % (len(got), fnv(got)), flush=True)' $B_IP $KPORT "$1"
}

# zclient MODE BYTES: runs the zstack client against kserver; checks both ways.
zclient() {
	local mode=$1 bytes=$2 srv out
	srv=$(mktemp)
	out=$(mktemp)
	kserver $REPLY >"$srv" 2>&1 &
	local kpid=$!
	wait_until 3 grep -q ready "$srv"
	ip netns exec "$A" "$APP" connect zsa $B_IP $KPORT "$bytes" ${mode/zerocopy/} >"$out" 2>&1
	local rc=$?
	wait $kpid
	local sent received want_rx
	sent=$(awk '$1 == "sent" { print $2, $3 }' "$out")
	received=$(awk '$1 == "received" { print $2, $3 }' "$out")
	want_rx=$("$TNA_PY" -c "$PYLIB"'
import sys
print("%d %016x" % (int(sys.argv[1]), fnv(pattern(int(sys.argv[1])))))' $REPLY)
	CONNECT_MS=$(awk '$1 == "connected_ms" { print $2 }' "$out")
	check "zstack client ($mode): exits cleanly" test $rc -eq 0
	check "zstack client ($mode): the kernel server got every byte ($sent)" \
		test "received $sent" = "$(grep received "$srv")"
	check "zstack client ($mode): it got the kernel server's $REPLY bytes ($received)" \
		test "$received" = "$want_rx"
	COPIES=$(app_copies "$(cat "$out")")
	[ $rc -eq 0 ] || sed 's/^/# zs-api-test: /' "$out"
	rm -f "$srv" "$out"
}

zclient zerocopy 2000000
# A new application's first connect: zs_connect waits for its steering, so
# the kernel server's SYN,ACK reaches zstack, not a kernel RST and a 1 s
# retransmission.
check "zstack client: the first connect completes well under 1 s ($CONNECT_MS ms)" \
	test "${CONNECT_MS:--1}" -ge 0 -a "${CONNECT_MS:--1}" -lt 300
check "zstack client (zerocopy): no payload copied outside retransmissions ($COPIES)" \
	test "$COPIES" = 0
zclient copy 500000
check "zstack client (copy): zs_send and zs_recv counted every byte ($COPIES)" \
	test "$COPIES" = $((500000 + REPLY))
tna_finish
