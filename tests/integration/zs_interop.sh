#!/usr/bin/env bash
# zstack against the kernel's TCP: the zstack examples on A (zs-echo, zs-http,
# zs-bulk) talk to kernel tools on B (socat, curl, wrk, python) over a veth.
# Echo and HTTP with keep-alive and pipelining; 100 MB each way with equal
# SHA-256 at both ends, also with 1 % and 5 % random loss on B (nft numgen);
# 1000 concurrent connections; a port a kernel listener holds is refused;
# SIGKILL gives the port back; ping and kernel TCP on another port work
# throughout.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/zslib.bash"
require_env ethtool curl wrk sha256sum
require_built "$TNA_BUILD"/{zs-echo,zs-http,zs-bulk,tools/kern-http}
TMPD=$(mktemp -d)
trap 'app_stop; daemon_stop; ns_cleanup; rm -rf "$TMPD"' EXIT

A_IP=10.79.0.1
B_IP=10.79.0.2
ZS_DEV=zia
ZS_PEER=zib
ECHO_PORT=7007
HTTP_PORT=8080
KHTTP_PORT=8081	# kern-http on A: the byte-for-byte reference
OTHER=8082	# kernel TCP on A beside zstack
TO_KERNEL=9001	# zs-bulk sends to a kernel receiver on B
FROM_KERNEL=9002 # zs-bulk receives from a kernel sender on B
HELD=8090	# held by a kernel listener on A
BULK=${TNA_ZS_BULK:-100M}
BULK_TIMEOUT=${TNA_ZS_BULK_TIMEOUT:-40}
APP_PID=

topology() {
	zs_topology
	ip netns exec "$B" ethtool -K zib gro on >/dev/null
	head -c "$(numfmt --from=iec "$BULK")" /dev/urandom >"$TMPD/data"
	sha256sum <"$TMPD/data" | cut -d' ' -f1 >"$TMPD/data.sha"
}
zs_start "two namespaces joined by a veth, $BULK of random data" topology

# app_start NAME ARGS...: a zstack example in A, its output in $TMPD/NAME.out;
# returns once it listens and its steering is live.
app_start() {
	local name=$1
	shift
	APP_OUT=$TMPD/$name.out
	ip netns exec "$A" "$TNA_BUILD/$name" "$@" >"$APP_OUT" 2>&1 &
	APP_PID=$!
	wait_until 5 grep -q listening "$APP_OUT" && wait_until 10 steered && return 0
	sed 's/^/# /' "$APP_OUT"
	return 1
}

# Stops the running example with SIGTERM; fails unless it exits 0 within 3 s.
# The kernel frees an AF_XDP socket's queue from a workqueue: the next
# example waits for the steering to go and a moment more.
app_stop() {
	[ -n "$APP_PID" ] || return 0
	local rc pid=$APP_PID
	APP_PID=
	kill -TERM "$pid" 2>/dev/null
	if timeout 3 tail --pid="$pid" -f /dev/null; then
		wait "$pid"
		rc=$?
	else
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=124
	fi
	wait_until 3 steering_gone
	sleep 0.5
	return $rc
}

unaffected "before zstack"

# --- zs-echo --------------------------------------------------------------
check "zs-echo listens on $A_IP:$ECHO_PORT" app_start zs-echo zia $A_IP $ECHO_PORT
echo_line() {
	local got
	got=$(echo "hello, zstack" | ip netns exec "$B" timeout 5 socat -t 2 - TCP:$A_IP:$ECHO_PORT)
	[ "$got" = "hello, zstack" ]
}
check "socat's line comes back from zs-echo" echo_line
echo_file() {
	# Through stdio: a FILE address is written to as well as read from.
	ip netns exec "$B" timeout 10 socat -t 5 -b 65536 - TCP:$A_IP:$ECHO_PORT \
		<"$TMPD/small" >"$TMPD/small.back" 2>/dev/null
	cmp -s "$TMPD/small" "$TMPD/small.back"
}
head -c 1000000 "$TMPD/data" >"$TMPD/small"
check "1 MB comes back from zs-echo unchanged" echo_file
conns_out=$(ip netns exec "$B" timeout 60 "$TNA_PY" "$TNA_IT/zs_conns.py" $A_IP $ECHO_PORT \
	-n 1000 --timeout 45)
check "1000 concurrent connections each get their line back ($conns_out)" \
	test $? -eq 0
unaffected "while zs-echo serves"
check "zs-echo exits 0 on SIGTERM and gives its steering back" app_stop

# --- zs-http --------------------------------------------------------------
check "zs-http listens on $A_IP:$HTTP_PORT" app_start zs-http zia $A_IP $HTTP_PORT --body 1000
curl_get() {
	ip netns exec "$B" curl -sf -m 5 -o "$TMPD/body" -w '%{http_code} %{size_download}' \
		http://$A_IP:$HTTP_PORT/ >"$TMPD/curl.out" &&
		[ "$(cat "$TMPD/curl.out")" = "200 1000" ]
}
check "curl gets 200 and a 1000-byte body" curl_get
# Three URLs on one command line: curl reuses the connection when the server
# keeps it open (num_connects is 1, then 0, 0).
keepalive() {
	local out
	out=$(ip netns exec "$B" curl -sf -m 5 -o /dev/null -o /dev/null -o /dev/null \
		-w '%{num_connects} ' http://$A_IP:$HTTP_PORT/{a,b,c})
	[ "$out" = "1 0 0 " ]
}
check "curl's three requests share one keep-alive connection" keepalive
ip netns exec "$A" "$TNA_BUILD/tools/kern-http" $A_IP $KHTTP_PORT --body 1000 \
	>"$TMPD/kern-http.out" 2>&1 &
KHTTP_PID=$!
wait_until 3 listening "$A" $KHTTP_PORT
# Pipelined: three requests in one write, the last asks to close.
pipelined() {
	local port=$1
	printf 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n%s' \
		$'GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
		ip netns exec "$B" timeout 5 socat -t 3 - TCP:$A_IP:$port
}
pipelined $HTTP_PORT >"$TMPD/zs.pipe"
pipelined $KHTTP_PORT >"$TMPD/kern.pipe"
check "three pipelined requests get three answers, then a close" \
	test "$(grep -o 'HTTP/1.1 200 OK' "$TMPD/zs.pipe" | wc -l)" -eq 3
check "zs-http answers byte for byte like kern-http" cmp -s "$TMPD/zs.pipe" "$TMPD/kern.pipe"
printf 'POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n' |
	ip netns exec "$B" timeout 5 socat -t 3 - TCP:$A_IP:$HTTP_PORT >"$TMPD/post"
check "a POST gets 405 and a close" grep -q '^HTTP/1.1 405' "$TMPD/post"
kill $KHTTP_PID
wait $KHTTP_PID 2>/dev/null
ip netns exec "$B" timeout 10 wrk -t 2 -c 8 -d 2 http://$A_IP:$HTTP_PORT/ >"$TMPD/wrk" 2>&1
sed -n 's/^ *\([0-9]* requests in.*\)/# wrk: \1/p;s/^Requests\/sec: */# wrk: req\/s /p' "$TMPD/wrk"
wrk_clean() {
	grep -q ' requests in ' "$TMPD/wrk" && ! grep -Eq 'Socket errors|Non-2xx' "$TMPD/wrk"
}
check "wrk, 8 connections for 2 s: no socket errors, every answer 200" wrk_clean
grep -E 'Socket errors|Non-2xx' "$TMPD/wrk" | sed 's/^/# /'
unaffected "while zs-http serves"

# A kernel socket holds $HELD: zs-http must say so and exit 1.
kernel_listen $HELD
check "zs-http exits 0 on SIGTERM and gives its steering back" app_stop
ip netns exec "$A" timeout 10 "$TNA_BUILD/zs-http" zia $A_IP $HELD >"$TMPD/held" 2>&1
check "zs-http on a port a kernel listener holds exits 1" test $? -eq 1
check "its message names the port and the kernel socket" \
	grep -q "$HELD.*held by a kernel socket" "$TMPD/held"
sed 's/^/# zs-http: /' "$TMPD/held"
kill $KSRV 2>/dev/null
wait $KSRV 2>/dev/null
ZSTACK_TNA_CONTROL=$TMPD/nothing.sock ip netns exec "$A" timeout 10 \
	"$TNA_BUILD/zs-http" zia $A_IP $HTTP_PORT >"$TMPD/nodaemon" 2>&1
rc=$?
check "zs-http without a daemon exits 1" test $rc -eq 1
check "its message says the daemon is not there" grep -qi 'daemon' "$TMPD/nodaemon"
sed 's/^/# zs-http: /' "$TMPD/nodaemon"

# SIGKILL: the daemon gives the port back; a kernel server can take it.
sleep 1
check "zs-http listens again" app_start zs-http zia $A_IP $HTTP_PORT
check "curl gets an answer from it" ip netns exec "$B" curl -sf -m 5 -o /dev/null \
	http://$A_IP:$HTTP_PORT/
kill -KILL "$APP_PID"
wait "$APP_PID" 2>/dev/null
APP_PID=
check "after SIGKILL the steering is gone" wait_until 3 steering_gone
kernel_listen $HTTP_PORT "$TMPD/after-kill"
echo "kernel again" | ip netns exec "$B" timeout 3 socat -u - TCP:$A_IP:$HTTP_PORT
wait $KSRV
check "after SIGKILL a kernel socat listens on $HTTP_PORT and gets the line" \
	grep -q "kernel again" "$TMPD/after-kill"
sleep 1

# --- zs-bulk against kernel socat, clean and with loss -----------------------
# loss PERCENT: drops that share of the bulk ports' TCP segments on B, both
# ways (input: zstack's data or ACKs; output: the kernel's).
loss() {
	ip netns exec "$B" nft delete table inet zs_loss 2>/dev/null
	[ "$1" -eq 0 ] && return 0
	ip netns exec "$B" nft -f - <<-EOF
	table inet zs_loss {
		chain in {
			type filter hook input priority 0;
			tcp dport { $TO_KERNEL, $FROM_KERNEL } numgen random mod 100 < $1 drop
		}
		chain out {
			type filter hook output priority 0;
			tcp sport { $TO_KERNEL, $FROM_KERNEL } numgen random mod 100 < $1 drop
		}
	}
	EOF
}

# bulk LABEL send|recv: zs-bulk sends $BULK to socat on B, which hashes what
# arrives, or receives the random file from socat; the hashes must be equal.
bulk() {
	local label=$1 dir=$2 port did what sha rc srv
	if [ "$dir" = send ]; then
		port=$TO_KERNEL did=sent what="sends $BULK to" sha=$TMPD/k.sha
		ip netns exec "$B" timeout "$BULK_TIMEOUT" sh -c \
			"socat -u -b 65536 TCP-LISTEN:$port,bind=$B_IP,reuseaddr - |
			 sha256sum | cut -d' ' -f1" >"$sha" &
	else
		port=$FROM_KERNEL did=received what="receives $BULK from" sha=$TMPD/data.sha
		ip netns exec "$B" timeout "$BULK_TIMEOUT" socat -u -b 65536 OPEN:"$TMPD/data" \
			TCP-LISTEN:$port,bind=$B_IP,reuseaddr &
	fi
	srv=$!
	wait_until 3 listening "$B" $port
	ip netns exec "$A" timeout "$BULK_TIMEOUT" "$TNA_BUILD/zs-bulk" zia --connect $B_IP \
		$port --bytes "$BULK" --$dir --sha256 >"$TMPD/zs.out" 2>&1
	rc=$?
	wait $srv
	sed -n "s/^\($did.*Gbit\/s\).*/# zs-bulk $label: \1/p" "$TMPD/zs.out"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMPD/zs.out"
	check "$label: zs-bulk $what a kernel socat, both hash it the same" \
		test $rc -eq 0 -a "$(awk "/^$did/ { print \$NF }" "$TMPD/zs.out")" = "$(cat "$sha")"
}

for pct in 0 1 5; do
	if ! loss $pct; then
		not_ok "nft numgen loss of $pct % on B"
		continue
	fi
	label="$pct % loss"
	[ $pct -eq 0 ] && label="no loss"
	bulk "$label" send
	bulk "$label" recv
done
loss 0
unaffected "after zstack"
tna_finish
