#!/usr/bin/env bash
# Bridge benchmark: 64-byte UDP frames from tna-gen through br0 to tna-sink,
# in four modes over the same ports and the same CPUs (see bench-lib.bash):
#   linux         the Linux bridge alone, p0 polled with GRO (as a NIC is)
#   linux-nogro   the Linux bridge alone, p0 polled through an XDP program
#                 that passes every frame, GRO off: no GRO work per frame
#   zstack-tna    the same bridge with the daemon's XDP pipelines on its ports
#   xdp-redirect  tna-xdp-fwd: a bare devmap redirect p0 -> p1, the ceiling
# Each mode: warm up, count SECONDS at the sink, REPEATS times; the median of
# delivered frames per second is the mode's figure. Writes bridge.json and
# bridge.svg under build/bench. Speed is reported, never asserted.
set -uo pipefail
TNA_NS_PREFIX=${TNA_NS_PREFIX:-tnab$$}
source "$(dirname "$0")/bench-lib.bash"

SECONDS_PER_RUN=${TNA_BENCH_SECONDS:-5}
WARMUP=${TNA_BENCH_WARMUP:-1}
REPEATS=${TNA_BENCH_REPEATS:-3}
FRAME_SIZE=${TNA_BENCH_FRAME_SIZE:-64}
ACCEL_TIMEOUT=${TNA_BENCH_ACCEL_TIMEOUT:-20}
MODES=(linux linux-nogro zstack-tna xdp-redirect)

FWD_PID= GEN_PID=
cleanup() {
	[ -n "$FWD_PID" ] && kill "$FWD_PID" 2>/dev/null
	[ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null
	daemon_stop
	ns_cleanup
	bpf_stats_restore
}
trap cleanup EXIT

# measure_once: one warmed-up run; prints "delivered_pps offered_pps busy
# dut_ns sink_ns": how much of DUT_CPU the NAPI threads used (0..1) and the
# BPF time per packet on p0 and s0 (null unless TNA_BENCH_BPF_STATS=1 and a
# program ran there), all three over the counted seconds but the last half.
measure_once() {
	local gen_out sink gen t0 t1 cpu0 cpu1 dut0 dut1 sink0 sink1 span
	fdb_learn || { echo "the bridge did not learn both stations" >&2; return 1; }
	sink_start "$SECONDS_PER_RUN" --warmup "$WARMUP" || return 1
	gen_out=$(mktemp)
	gen_start "$(plus "$WARMUP" "$SECONDS_PER_RUN" 0.5)" "$gen_out" --size "$FRAME_SIZE"
	span=$(awk -v s="$SECONDS_PER_RUN" 'BEGIN { print (s > 1 ? s - 0.5 : s / 2) }')
	sleep "$WARMUP"
	read -r t0 cpu0 dut0 sink0 <<<"$(date +%s%N) $(napi_runtime) $(prog_stats "$DUT" p0 |
		tr ' ' ,) $(prog_stats "$SINK" s0 | tr ' ' ,)"
	sleep "$span"
	read -r t1 cpu1 dut1 sink1 <<<"$(date +%s%N) $(napi_runtime) $(prog_stats "$DUT" p0 |
		tr ' ' ,) $(prog_stats "$SINK" s0 | tr ' ' ,)"
	wait "$GEN_PID"
	wait "$SINK_PID"
	GEN_PID=
	sink=$(cat "$SINK_OUT")
	gen=$(cat "$gen_out")
	rm -f "$SINK_OUT" "$gen_out"
	[ -n "$sink" ] && [ -n "$gen" ] || return 1
	napi_still_pinned || echo "warning: p0's NAPI thread changed during the run" >&2
	echo "$(jq .pps <<<"$sink") $(jq .pps <<<"$gen")" \
		"$(awk -v c=$((cpu1 - cpu0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", c / t }')" \
		"$(ns_per_run "${dut0/,/ }" "${dut1/,/ }") $(ns_per_run "${sink0/,/ }" "${sink1/,/ }")"
}

# measure_mode MODE: REPEATS runs; sets RESULT[MODE] to the mode's JSON object.
declare -A RESULT
measure_mode() {
	local mode=$1 i out delivered=() offered=() busy=() dut_ns=() sink_ns=()
	for i in $(seq 1 "$REPEATS"); do
		out=$(measure_once) || { mode_status "$mode" "failed: no measurement"; return; }
		read -ra out <<<"$out"
		delivered+=("${out[0]}")
		offered+=("${out[1]}")
		busy+=("${out[2]}")
		dut_ns+=("${out[3]}")
		sink_ns+=("${out[4]}")
	done
	RESULT[$mode]=$(jq -n --arg mode "$mode" \
		--argjson d "[$(IFS=,; echo "${delivered[*]}")]" \
		--argjson o "[$(IFS=,; echo "${offered[*]}")]" \
		--argjson m "$(echo "${delivered[*]}" | median)" \
		--argjson dut "[$(IFS=,; echo "${dut_ns[*]}")]" \
		--argjson sink "[$(IFS=,; echo "${sink_ns[*]}")]" \
		--argjson busy "[$(IFS=,; echo "${busy[*]}")]" \
		'{mode: $mode, status: "measured", pps: $m, runs_pps: $d, offered_pps: $o,
		  dut_cpu_busy: $busy,
		  dut_cpu_ns_per_pkt: [range(0; $d | length) as $i
			| if $d[$i] > 0 then $busy[$i] * 1e9 / $d[$i] | round else null end],
		  bpf_ns_per_pkt: {dut: $dut, sink: $sink}}')
}

mode_status() {
	RESULT[$1]=$(jq -n --arg mode "$1" --arg s "$2" '{mode: $mode, status: $s, pps: null}')
}

run_linux() {
	measure_mode linux
}

# GRO off while an XDP_PASS program keeps p0's NAPI ring (and its pinned
# thread): attached before GRO goes off, detached after it is back on.
run_linux_nogro() {
	local limit=$(((WARMUP + SECONDS_PER_RUN + 10) * REPEATS + 10))
	ip netns exec "$DUT" "$TOOLS/tna-xdp-fwd" --in p0 --pass --duration "$limit" 2>/dev/null &
	FWD_PID=$!
	if ! wait_ms 5000 xdp_attached "$DUT" p0 >/dev/null; then
		mode_status linux-nogro "failed: tna-xdp-fwd --pass did not attach"
	elif ! ip netns exec "$DUT" ethtool -K p0 gro off >/dev/null; then
		mode_status linux-nogro "failed: cannot switch GRO off on p0"
	else
		measure_mode linux-nogro
	fi
	ip netns exec "$DUT" ethtool -K p0 gro on >/dev/null
	kill "$FWD_PID" 2>/dev/null
	wait "$FWD_PID" 2>/dev/null
	FWD_PID=
}

# The daemon accelerates the bridge by itself; if it does not within
# ACCEL_TIMEOUT, the mode is reported as not accelerated and the rest runs on.
run_zstack() {
	local port
	if [ ! -x "$TNA_BUILD/zstack-tna" ] || ! daemon_start "$DUT"; then
		mode_status zstack-tna "not accelerated: daemon did not start"
		daemon_stop
		return
	fi
	for port in p0 p1; do
		if ! wait_ms $((ACCEL_TIMEOUT * 1000)) pipeline_live "$SOCK" "$port" >/dev/null; then
			mode_status zstack-tna "not accelerated: no pipeline on $port after ${ACCEL_TIMEOUT} s"
			daemon_stop
			return
		fi
	done
	measure_mode zstack-tna
	daemon_stop
}

run_ceiling() {
	local limit=$(((WARMUP + SECONDS_PER_RUN + 10) * REPEATS + 10))
	ip netns exec "$DUT" "$TOOLS/tna-xdp-fwd" --in p0 --out p1 --duration "$limit" 2>/dev/null &
	FWD_PID=$!
	if ! wait_ms 5000 xdp_attached "$DUT" p0 >/dev/null; then
		mode_status xdp-redirect "failed: tna-xdp-fwd did not attach"
	else
		measure_mode xdp-redirect
	fi
	kill "$FWD_PID" 2>/dev/null
	wait "$FWD_PID" 2>/dev/null
	FWD_PID=
}

ratio() {
	jq -n --argjson a "$1" --argjson b "$2" \
		'if $a == null or $b == null or $b == 0 then null else $a / $b end'
}

write_results() {
	local tna lin nogro ceil
	mkdir -p "$BENCH_OUT"
	tna=$(jq .pps <<<"${RESULT[zstack-tna]}")
	lin=$(jq .pps <<<"${RESULT[linux]}")
	nogro=$(jq .pps <<<"${RESULT[linux-nogro]}")
	ceil=$(jq .pps <<<"${RESULT[xdp-redirect]}")
	jq -n --argjson size "$FRAME_SIZE" --argjson secs "$SECONDS_PER_RUN" \
		--argjson warmup "$WARMUP" --argjson repeats "$REPEATS" \
		--argjson gen_cpu "$GEN_CPU" --argjson dut_cpu "$DUT_CPU" \
		--argjson modes "$(for m in "${MODES[@]}"; do echo "${RESULT[$m]}"; done | jq -s .)" \
		--argjson over_linux "$(ratio "$tna" "$lin")" \
		--argjson over_nogro "$(ratio "$tna" "$nogro")" \
		--argjson over_ceiling "$(ratio "$tna" "$ceil")" \
		'{benchmark: "bridge", frame_size: $size, seconds: $secs, warmup: $warmup,
		  repeats: $repeats, cpus: {generator: $gen_cpu, dut_and_sink: $dut_cpu},
		  modes: $modes,
		  ratios: {zstack_tna_over_linux: $over_linux,
			   zstack_tna_over_linux_nogro: $over_nogro,
			   zstack_tna_over_ceiling: $over_ceiling}}' >"$BENCH_OUT/bridge.json"
}

print_results() {
	local f=$BENCH_OUT/bridge.json
	echo "bridge: ${FRAME_SIZE}-byte frames, median of $REPEATS x ${SECONDS_PER_RUN} s;" \
		"generator on cpu $GEN_CPU, bridge and sink on cpu $DUT_CPU"
	jq -r 'def ns: map(select(. != null)) | if length == 0 then null
		   else sort | .[length / 2 | floor] end;
		.modes[] | "  \(.mode | . + " " * (14 - length))" +
		(if .pps == null then .status
		 else "\(.pps / 1e6 * 1000 | round / 1000) Mpps delivered" +
		      " (offered \(.offered_pps | max / 1e6 * 1000 | round / 1000) Mpps)" +
		      "\n                DUT cpu \(.dut_cpu_busy | ns * 100 | round)% busy," +
		      " \(.dut_cpu_ns_per_pkt | ns) ns/pkt" +
		      (.bpf_ns_per_pkt | [(.dut | ns | values | "\(.) on p0"),
					  (.sink | ns | values | "\(.) on s0")]
		       | if length == 0 then "" else "; BPF ns/pkt \(join(", "))" end) end)' "$f"
	jq -r 'def r: if type == "number" then . * 100 | round / 100 else "n/a" end;
		.ratios | "  zstack-tna/linux: \(.zstack_tna_over_linux | r)" +
		"   zstack-tna/linux-nogro: \(.zstack_tna_over_linux_nogro | r)" +
		"   zstack-tna/ceiling: \(.zstack_tna_over_ceiling | r)"' "$f"
	echo "  results: $f, $BENCH_OUT/bridge.svg"
}

plot() {
	local data=$BENCH_OUT/bridge.dat
	jq -r '.modes | to_entries[] | .value as $m | [.key, $m.mode, ($m.pps // 0) / 1e6,
		($m.runs_pps // [0] | min / 1e6), ($m.runs_pps // [0] | max / 1e6),
		"\"\(if $m.pps == null then "n/a" else $m.pps / 1e4 | round / 100 end)\""]
		| map(tostring) | join(" ")' "$BENCH_OUT/bridge.json" >"$data"
	gnuplot <<-GP
		set terminal svg size 640,400 font "sans,12"
		set output "$BENCH_OUT/bridge.svg"
		set title "Bridge, ${FRAME_SIZE}-byte frames: delivered Mpps (median of $REPEATS, bars min-max)"
		set ylabel "Mpps"
		set yrange [0:*]
		set style fill solid 0.6
		set boxwidth 0.6
		set xtics nomirror
		set grid ytics
		unset key
		plot "$data" using 1:3:xtic(2) with boxes lc rgb "#4a7ebb", \
		     "" using 1:3:4:5 with yerrorbars lc rgb "black" pt -1, \
		     "" using 1:3:6 with labels offset 0,1
	GP
}

load_warning
bench_require "$TOOLS/tna-gen" "$TOOLS/tna-sink" "$TOOLS/tna-xdp-fwd" \
	"$TOOLS/tna_gen.bpf.o" "$TOOLS/tna_sink.bpf.o" "$TOOLS/tna_xdp_fwd.bpf.o" || exit 1
topology_up || { echo "could not build the benchmark topology" >&2; exit 1; }
bpf_stats_on
run_linux
run_linux_nogro
run_zstack
run_ceiling
write_results
plot || echo "gnuplot failed: no plot" >&2
print_results
