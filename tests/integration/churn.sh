#!/usr/bin/env bash
# Churn: 10 000 routes added and then deleted with ip -batch while the daemon
# runs end with graph routes == kernel routes; then a burst from parallel
# batches, big enough to overrun the daemon's event socket, ends consistent too
# and the daemon's resync path shows in `tnactl -j stats`.
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
require_env

CHURN=10000
BURST_BATCHES=4
BURST_EACH=32000
CONVERGE_S=60

BATCHES=$(mktemp -d)
trap 'daemon_stop; ns_cleanup; rm -rf "$BATCHES"' EXIT
HOST=$(ns_new host)
PEER=$(ns_new peer)
h() { ip -n "$HOST" "$@"; }

topology() {
	h link add vr0 type veth peer name vr1 netns "$PEER"
	h link set vr0 up
	ip -n "$PEER" link set vr1 up
	h addr add 10.20.0.1/24 dev vr0
}

# routes VERB COUNT FIRST_OCTET LEN: a batch of COUNT distinct IPv4 routes.
routes() {
	awk -v verb="$1" -v n="$2" -v base="$3" -v len="$4" 'BEGIN {
		for (i = 0; i < n; i++) {
			hi = int(i / 256)
			lo = i % 256
			if (len == 24)
				printf "route %s 10.%d.%d.0/24 via 10.20.0.2\n", verb, base + hi, lo
			else
				printf "route %s 10.%d.%d.%d/32 dev vr0\n", verb, base, hi, lo
		}
	}'
}

kernel_count() { h -4 route show table all | wc -l; }
graph_count() { graphq -p "sum(1 for n in kind('route') if n['family'] == 'inet')"; }

# converge WHAT: waits (bounded) until the graph holds as many IPv4 routes as
# the kernel, says how long that took, then compares them route for route.
converge() {
	local what=$1 start=$SECONDS want have
	want=$(kernel_count)
	while [ $((SECONDS - start)) -lt "$CONVERGE_S" ]; do
		have=$(graph_count 2>/dev/null)
		[ "$have" = "$want" ] && break
		sleep 0.5
	done
	echo "# $what: kernel has $want IPv4 routes," \
		"graph ${have:-none} after $((SECONDS - start)) s"
	compare_graph "$HOST" --kinds routes --families inet --settle 5 --label " after $what"
}

# The daemon's netlink sockets' drop counters: non-zero once one overran.
netlink_drops() {
	local inodes
	inodes=$(find "/proc/$DAEMON_PID/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		tr -dc '0-9\n')
	awk -v list="$inodes" '
		BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) own[a[i]] = 1 }
		NR > 1 && ($10 in own) { drops += $9 }
		END { print drops + 0 }' \
		"/proc/$DAEMON_PID/net/netlink"
}

stat() { tnactl -j stats | json_find "$1"; }

setup "routed subnet" topology
daemon_start "$HOST" || { not_ok "daemon starts in $HOST"; exit 1; }
ok "daemon starts in $HOST"

routes add "$CHURN" 100 24 >"$BATCHES/add"
routes del "$CHURN" 100 24 >"$BATCHES/del"
start=$SECONDS
check "ip -batch adds $CHURN routes" h -batch "$BATCHES/add"
echo "# $CHURN adds took $((SECONDS - start)) s"
converge "$CHURN route adds"
check "ip -batch deletes $CHURN routes" h -batch "$BATCHES/del"
converge "$CHURN route deletes"

peak_rss() {
	local rss
	rss=$(stat peak_rss_kib)
	[ -n "$rss" ] || rss=$(awk '/^VmHWM/ { print $2 }' "/proc/$DAEMON_PID/status")
	echo "${rss:-unknown}"
}
echo "# peak RSS: $(peak_rss) kB after the $CHURN-route churn"

# rss_kb FIELD: the daemon's VmRSS or VmHWM, in kB.
rss_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$DAEMON_PID/status"; }

# One `tnactl -j graph` with the daemon's peak RSS reset just before (clear_refs
# 5). The answer is written out as it is rendered, so what it adds to the RSS
# is about its own text (a tree of it took four times as much, on top of what
# the earlier answers left); once sent, that text is given back.
graph_answer_rss() {
	local steady peak after kb i
	steady=$(rss_kb VmRSS)
	if ! echo 5 >"/proc/$DAEMON_PID/clear_refs"; then
		skip "cannot reset the daemon's peak RSS: no graph answer measurement"
		return
	fi
	kb=$(($(tnactl -j graph | wc -c) / 1024))
	peak=$(rss_kb VmHWM)
	for i in $(seq 1 20); do
		after=$(rss_kb VmRSS)
		[ "$after" -lt $((steady + kb / 2)) ] && break
		sleep 0.1
	done
	echo "# peak RSS: $peak kB during a $kb kB graph answer; $steady kB before," \
		"$after kB after"
	check "the graph answer adds $((peak - steady)) kB to the RSS, under 2.5x its $kb kB" \
		test $((peak - steady)) -lt $((kb * 5 / 2))
	check "RSS falls back after the graph answer ($after kB, $steady kB before)" \
		test "$after" -lt $((steady + kb / 2))
}

# burst VERB: BURST_BATCHES ip -batch processes at once, one check line.
burst() {
	local i pids=() failed=0 start=$SECONDS
	for i in $(seq 1 "$BURST_BATCHES"); do
		h -batch "$BATCHES/$1$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || failed=1
	done
	check "$BURST_BATCHES parallel ip -batch $1 $((BURST_BATCHES * BURST_EACH)) routes" \
		test "$failed" -eq 0
	echo "# $1 burst took $((SECONDS - start)) s"
}

for i in $(seq 1 "$BURST_BATCHES"); do
	routes add "$BURST_EACH" $((150 + i)) 32 >"$BATCHES/add$i"
	routes del "$BURST_EACH" $((150 + i)) 32 >"$BATCHES/del$i"
done
RESYNCS_BEFORE=$(stat resyncs)
burst add
converge "burst of $((BURST_BATCHES * BURST_EACH)) adds"
echo "# after the add burst: socket drops $(netlink_drops), resyncs $(stat resyncs)"
graph_answer_rss

# A daemon that keeps up is never overrun; one that is stopped while the burst
# runs (as one starved of CPU would be) is, once its receive buffer fills.
kill -STOP "$DAEMON_PID"
burst del
kill -CONT "$DAEMON_PID"
converge "burst of $((BURST_BATCHES * BURST_EACH)) deletes, daemon stopped meanwhile"

drops=$(netlink_drops)
resyncs=$(stat resyncs)
echo "# daemon netlink socket drops: $drops; resyncs: ${RESYNCS_BEFORE:-?} before the bursts," \
	"${resyncs:-?} after"
if [ "${resyncs:-0}" -gt "${RESYNCS_BEFORE:-0}" ]; then
	ok "resync path ran after the bursts (tnactl -j stats: resyncs $resyncs)"
elif [ "$drops" -gt 0 ]; then
	not_ok "the event socket dropped $drops messages but tnactl -j stats shows no resync"
else
	skip "the bursts did not overrun the daemon's event socket (no drops): resync unproven"
fi

check "daemon still answers" tnactl caps >/dev/null
echo "# peak RSS: $(peak_rss) kB"
tna_finish
