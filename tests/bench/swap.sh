#!/usr/bin/env bash
# Swap benchmark, on the bridge.sh topology with zstack-tna running:
#  1. time from a netlink change (p0 added to br0) to p0's pipeline being live,
#     polled every millisecond: "cold" after the object cache was emptied,
#     "warm" when the object is cached; median of SAMPLES each;
#  2. frames lost over 100 pipeline swaps (`tnactl reload p0`) while tna-gen
#     sends at a constant RATE that the Linux bridge alone also carries:
#     lost = frames sent - frames the sink counted, next to the same
#     measurement without swaps.
# Writes build/bench/swap.json. Whatever the daemon does not offer yet is
# reported as not available.
set -uo pipefail
TNA_NS_PREFIX=${TNA_NS_PREFIX:-tnas$$}
source "$(dirname "$0")/bench-lib.bash"

SAMPLES=${TNA_BENCH_SWAP_SAMPLES:-3}
SWAPS=${TNA_BENCH_SWAPS:-100}
RATE=${TNA_BENCH_SWAP_RATE:-50000}
BASELINE_SECONDS=${TNA_BENCH_SECONDS:-5}
ACCEL_TIMEOUT=${TNA_BENCH_ACCEL_TIMEOUT:-20}
CACHE=$(mktemp -d)

GEN_PID=
cleanup() {
	[ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null
	daemon_stop
	ns_cleanup
	rm -rf "$CACHE"
}
trap cleanup EXIT

no_xdp() { ! xdp_attached "$DUT" "$1"; }

# Adds p0 to br0 and prints the milliseconds from just before the command to
# its pipeline being live. Counted from before `ip` because enslaving waits
# for the kernel (an RCU grace period) after the netlink event went out.
port_added_to_live() {
	local start
	start=$(date +%s%N)
	ip -n "$DUT" link set p0 master br0
	wait_ms $((ACCEL_TIMEOUT * 1000)) pipeline_live "$SOCK" p0 >/dev/null ||
		{ echo "no pipeline on p0 after ${ACCEL_TIMEOUT} s"; return 1; }
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}

# One cold and one warm sample; prints "cold_ms warm_ms" or fails saying why.
time_to_live_once() {
	local cold warm
	ip -n "$DUT" link set p0 nomaster
	rm -rf "${CACHE:?}"/*
	daemon_start "$DUT" --cache-dir "$CACHE" >/dev/null ||
		{ echo "daemon did not start: $(head -1 "/tmp/${DUT}.daemon.log")"; return 1; }
	wait_ms $((ACCEL_TIMEOUT * 1000)) pipeline_live "$SOCK" p1 >/dev/null ||
		{ echo "no pipeline on p1 after ${ACCEL_TIMEOUT} s"; return 1; }
	# p1's build filled the cache; emptied again, p0's build starts cold.
	rm -rf "${CACHE:?}"/*
	cold=$(port_added_to_live) || return 1
	ip -n "$DUT" link set p0 nomaster
	wait_ms 5000 no_xdp p0 >/dev/null || { echo "p0 kept its program out of the bridge"; return 1; }
	warm=$(port_added_to_live) || return 1
	daemon_stop
	echo "$cold $warm"
}

# Sets TTL_JSON.
measure_time_to_live() {
	local i out cold=() warm=()
	for i in $(seq 1 "$SAMPLES"); do
		if ! out=$(time_to_live_once); then
			daemon_stop
			TTL_JSON=$(jq -n --arg s "not available: $out" '{status: $s}')
			return
		fi
		cold+=("${out% *}")
		warm+=("${out#* }")
	done
	TTL_JSON=$(jq -n --argjson c "[$(IFS=,; echo "${cold[*]}")]" \
		--argjson w "[$(IFS=,; echo "${warm[*]}")]" \
		--argjson cm "$(echo "${cold[*]}" | median)" \
		--argjson wm "$(echo "${warm[*]}" | median)" \
		'{status: "measured", cold_ms: $cm, warm_ms: $wm, cold_runs_ms: $c, warm_runs_ms: $w}')
}

# lost_under ACTION: sends at RATE while ACTION runs (for at least
# BASELINE_SECONDS), then prints {"sent":…,"delivered":…,"lost":…}.
lost_under() {
	local action=$1 gen_out sink
	fdb_learn || { echo "the bridge did not learn both stations" >&2; return 1; }
	sink_start 600 || return 1
	gen_out=$(mktemp)
	gen_start 300 "$gen_out" --rate "$RATE"
	sleep 0.5
	"$action" || echo "warning: $action did not complete" >&2
	kill -TERM "$GEN_PID"
	wait "$GEN_PID"
	GEN_PID=
	sleep 0.2 # the last frames in flight reach the sink
	kill -TERM "$SINK_PID"
	wait "$SINK_PID"
	sink=$(cat "$SINK_OUT")
	rm -f "$SINK_OUT"
	jq -n --argjson g "$(cat "$gen_out")" --argjson s "$sink" \
		'{sent: $g.packets, delivered: $s.packets, lost: ($g.packets - $s.packets)}'
	rm -f "$gen_out"
}

idle() { sleep "$BASELINE_SECONDS"; }

swap_many() {
	local i
	for i in $(seq 1 "$SWAPS"); do
		timeout 10 "$TNA_BUILD/tnactl" -s "$SOCK" reload p0 >/dev/null 2>&1 || {
			echo "swap $i failed" >&2
			return 1
		}
	done
}

# Sets LOSS_JSON.
measure_loss() {
	local base swapped why
	ip -n "$DUT" link set p0 master br0 2>/dev/null
	if ! daemon_start "$DUT" --cache-dir "$CACHE" >/dev/null; then
		why="daemon did not start: $(head -1 "/tmp/${DUT}.daemon.log")"
	elif ! wait_ms $((ACCEL_TIMEOUT * 1000)) pipeline_live "$SOCK" p0 >/dev/null; then
		why="no pipeline on p0 after ${ACCEL_TIMEOUT} s"
	elif ! why=$(timeout 10 "$TNA_BUILD/tnactl" -s "$SOCK" reload p0 2>&1); then
		why="tnactl reload p0 failed: $(echo "$why" | head -1)"
	else
		why=
	fi
	if [ -n "$why" ]; then
		daemon_stop
		LOSS_JSON=$(jq -n --arg s "not available: $why" '{status: $s}')
		return
	fi
	base=$(lost_under idle) && swapped=$(lost_under swap_many) || {
		daemon_stop
		LOSS_JSON='{"status": "failed: no measurement"}'
		return
	}
	daemon_stop
	LOSS_JSON=$(jq -n --argjson b "$base" --argjson s "$swapped" --argjson n "$SWAPS" \
		--argjson r "$RATE" \
		'{status: "measured", swaps: $n, rate_pps: $r, without_swaps: $b, with_swaps: $s}')
}

bench_require "$TOOLS/tna-gen" "$TOOLS/tna-sink" "$TOOLS/tna_gen.bpf.o" \
	"$TOOLS/tna_sink.bpf.o" || exit 1
load_warning
topology_up || { echo "could not build the benchmark topology" >&2; exit 1; }
if [ -x "$TNA_BUILD/zstack-tna" ] && [ -x "$TNA_BUILD/tnactl" ]; then
	measure_time_to_live
	measure_loss
else
	TTL_JSON='{"status": "not available: build/zstack-tna or build/tnactl missing"}'
	LOSS_JSON=$TTL_JSON
fi
mkdir -p "$BENCH_OUT"
jq -n --argjson t "$TTL_JSON" --argjson l "$LOSS_JSON" \
	'{benchmark: "swap", port_added_to_live: $t, loss_over_swaps: $l}' >"$BENCH_OUT/swap.json"
echo "swap: netlink change (port added) to pipeline live, and frames lost over $SWAPS swaps"
jq -r '.port_added_to_live | "  port added -> live: " + (if .status == "measured"
	then "\(.cold_ms) ms without cached object, \(.warm_ms) ms with (median)"
	else .status end)' "$BENCH_OUT/swap.json"
jq -r '.loss_over_swaps | "  lost over swaps:    " + (if .status == "measured"
	then "\(.with_swaps.lost) of \(.with_swaps.sent) at \(.rate_pps) pps" +
	     " (without swaps: \(.without_swaps.lost) of \(.without_swaps.sent))"
	else .status end)' "$BENCH_OUT/swap.json"
echo "  results: $BENCH_OUT/swap.json"
