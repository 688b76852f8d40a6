# Shared by the benchmarks in this directory: sourced, never run (run.sh runs
# only *.sh). Builds the topology
#
#   gen-ns [g0] <-veth-> [p0] dut-ns br0 [p1] <-veth-> [s0] sink-ns
#
# and measures what reaches the sink. CPU use, the same in every mode:
#  - the generator is one thread pinned to GEN_CPU (0);
#  - p0's NAPI runs as a kernel thread pinned to DUT_CPU (1): everything the
#    DUT does with a frame (Linux bridge, zstack-tna's pipeline or the bare
#    redirect) happens there;
#  - the sink's XDP program runs in s0's NAPI, which the DUT schedules from
#    that same thread, so its cost lands on DUT_CPU too. Moving s0 to a NAPI
#    thread of its own costs more than it saves: every hand-over between CPUs
#    is a wake-up, and in a VM an inter-processor interrupt.
# Without the NAPI thread, veth would poll p0 on the CPU that transmitted into
# g0, and generator, DUT and sink would all share CPU 0 (measured: about 40%
# less in every mode).
#
# With TNA_BENCH_BPF_STATS=1 the kernel's BPF run-time statistics are switched
# on for the run (kernel.bpf_stats_enabled, restored at exit) and each mode
# also reports the CPU time per packet spent in the XDP program on p0 (for
# zstack-tna the root, which includes the pipeline it tail-calls) and in the
# sink's. Time in BPF depends far less on other load than packets per second;
# the statistics themselves cost two clock reads per program run, in every
# XDP mode alike.
#
# Every mode also reports how busy the NAPI threads kept DUT_CPU and so the
# DUT's CPU time per delivered frame: a mode whose DUT is not busy all the
# time is bounded by something else (the generator, or waking the thread).

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

TOOLS=$TNA_BUILD/tools
BENCH_OUT=$TNA_BUILD/bench
GEN_CPU=${TNA_BENCH_GEN_CPU:-0}
DUT_CPU=${TNA_BENCH_DUT_CPU:-1}
GEN_IP=10.77.0.1
SINK_IP=10.77.0.2
UDP_PORT=9
NAPI_PINS=

# bench_require FILE...: every tool the benchmark needs is built.
bench_require() {
	local f
	for f in "$@"; do
		[ -x "$f" ] || [ -f "$f" ] && continue
		echo "missing $f: run \`make tests\` first" >&2
		return 1
	done
	[ "$(id -u)" -eq 0 ] || { echo "benchmarks need root (namespaces, XDP)" >&2; return 1; }
}

# Disables IPv6 before any link exists, so no router solicitation or MLD
# report ever crosses the bridge during a measurement.
bench_ns() {
	local ns
	ns=$(ns_new "$1") || return 1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	echo "$ns"
}

# Sets GEN, DUT, SINK, GEN_MAC, SINK_MAC.
topology_up() {
	GEN=$(bench_ns gen) && DUT=$(bench_ns dut) && SINK=$(bench_ns sink) || return 1
	ip -n "$GEN" link add g0 type veth peer name p0 netns "$DUT" &&
	ip -n "$DUT" link add p1 type veth peer name s0 netns "$SINK" &&
	ip -n "$DUT" link add br0 type bridge &&
	ip -n "$DUT" link set p0 master br0 &&
	ip -n "$DUT" link set p1 master br0 || return 1
	ip -n "$GEN" addr add "$GEN_IP/24" dev g0
	ip -n "$SINK" addr add "$SINK_IP/24" dev s0
	ip -n "$GEN" link set g0 up && ip -n "$SINK" link set s0 up &&
	ip -n "$DUT" link set br0 up && ip -n "$DUT" link set p0 up &&
	ip -n "$DUT" link set p1 up || return 1
	# A frame redirected into g0 reaches p0 only if p0 polls a NAPI ring: an
	# XDP program or GRO gives it one. GRO stays on in every mode.
	ip netns exec "$DUT" ethtool -K p0 gro on >/dev/null || return 1
	napi_pin "$DUT" p0 "$DUT_CPU" || return 1
	GEN_MAC=$(ip -n "$GEN" -j link show g0 | jq -r '.[0].address')
	SINK_MAC=$(ip -n "$SINK" -j link show s0 | jq -r '.[0].address')
}

# napi_pin NS IFACE CPU: moves IFACE's NAPI polling to a kernel thread pinned
# to CPU. Kernel threads carry the interface name but not the namespace, so
# ours are the napi/IFACE-* threads that appear when threading is switched on.
# IFACE must have GRO on, so its NAPI (and thread) outlive XDP programs.
napi_pin() {
	local ns=$1 dev=$2 cpu=$3 before pids pid
	before=$(pgrep -x "napi/$dev-[0-9]+" | sort)
	echo 1 | ip netns exec "$ns" tee "/sys/class/net/$dev/threaded" >/dev/null || return 1
	pids=$(comm -13 <(echo "$before") <(pgrep -x "napi/$dev-[0-9]+" | sort) | xargs)
	if [ -z "$pids" ]; then
		echo "no NAPI thread appeared for $dev" >&2
		return 1
	fi
	for pid in $pids; do
		taskset -pc "$cpu" "$pid" >/dev/null || return 1
		NAPI_PINS+=" $pid:$cpu"
	done
}

# True while the NAPI threads found by napi_pin still exist where they were
# put: attaching or detaching XDP must not have replaced them.
napi_still_pinned() {
	local pin
	for pin in $NAPI_PINS; do
		[ "$(taskset -pc "${pin%:*}" 2>/dev/null | awk '{print $NF}')" = "${pin#*:}" ] ||
			return 1
	done
}

# The bridge learns both stations the realistic way: the sink's ARP request
# is flooded (s0's MAC learned on p1) and the generator's reply comes back
# (g0's MAC learned on p0). Repeated before every run, so ageing never
# removes the sink, which sends nothing while it is measured. Retried: links
# just brought up may not carry the first exchange.
fdb_learn() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$SINK" ping -c 1 -W 1 "$GEN_IP" >/dev/null 2>&1
		fdb_has "$SINK_MAC" p1 && fdb_has "$GEN_MAC" p0 && return 0
		sleep 0.2
	done
	return 1
}

fdb_has() {
	bridge -n "$DUT" -j fdb show br br0 |
		jq -e --arg mac "$1" --arg dev "$2" \
			'any(.[]; .mac == $mac and .ifname == $dev)' >/dev/null
}

# prog_stats NS IFACE: "run_time_ns run_cnt" of the XDP program on IFACE
# ("0 0" without one, or with statistics off).
prog_stats() {
	local id
	id=$(ip -n "$1" -j link show "$2" | jq '.[0].xdp.prog.id // empty')
	if [ -z "$id" ]; then
		echo "0 0"
		return
	fi
	bpftool -j prog show id "$id" 2>/dev/null |
		jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"' || echo "0 0"
}

# napi_runtime: nanoseconds the pinned NAPI threads have run, with the
# softirq work done in their context (the sink's XDP): all the DUT's CPU time.
napi_runtime() {
	local pin total=0 ns
	for pin in $NAPI_PINS; do
		read -r ns _ <"/proc/${pin%:*}/schedstat" || continue
		total=$((total + ns))
	done
	echo "$total"
}

# ns_per_run "NS0 CNT0" "NS1 CNT1": nanoseconds per run between two prog_stats
# snapshots, or null when the program did not run.
ns_per_run() {
	local a=($1) b=($2)
	awk -v t="$((b[0] - a[0]))" -v n="$((b[1] - a[1]))" \
		'BEGIN { if (n > 0) printf "%.1f\n", t / n; else print "null" }'
}

# bpf_stats_on: switches the kernel's BPF statistics on for the rest of the
# run when TNA_BENCH_BPF_STATS=1; bpf_stats_restore puts the sysctl back.
BPF_STATS_WAS=
bpf_stats_on() {
	[ "${TNA_BENCH_BPF_STATS:-0}" = 1 ] || return 0
	command -v bpftool >/dev/null || { echo "no bpftool: no BPF statistics" >&2; return 0; }
	BPF_STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
}

bpf_stats_restore() {
	[ -n "$BPF_STATS_WAS" ] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS"
	BPF_STATS_WAS=
}

xdp_attached() {
	ip -n "$1" -j link show "$2" | jq -e '.[0].xdp != null' >/dev/null
}

# pipeline_live SOCK IFACE: the daemon reports IFACE's pipeline program
# published (prog_id; the root program is attached before it, so root_prog_id
# alone says nothing) and the kernel shows an XDP program on it.
pipeline_live() {
	"$TNA_BUILD/tnactl" -s "$1" -j pipeline "$2" 2>/dev/null |
		jq -e '.prog_id > 0' >/dev/null 2>&1 &&
	xdp_attached "$DUT" "$2"
}

# wait_ms LIMIT_MS command...: polls every millisecond; prints the elapsed
# milliseconds and succeeds once the command does, or fails at the limit.
wait_ms() {
	local limit=$1 start now
	shift
	start=$(date +%s%N)
	while :; do
		now=$(date +%s%N)
		if "$@"; then
			echo $(((now - start) / 1000000))
			return 0
		fi
		[ $(((now - start) / 1000000)) -ge "$limit" ] && return 1
		sleep 0.001
	done
}

# The tools run under `ip netns exec` directly rather than nsx: nothing of
# theirs is pinned, and a backgrounded simple command leaves $! naming
# timeout(1), which passes SIGTERM on to the tool so it stops and reports.

# sink_start SECONDS [tna-sink options]: counts UDP frames to UDP_PORT on s0
# into $SINK_OUT, in the background (SINK_PID); returns once it is attached.
sink_start() {
	local secs=$1
	shift
	SINK_OUT=$(mktemp)
	ip netns exec "$SINK" timeout --kill-after=5 "$(plus "$secs" 30)" "$TOOLS/tna-sink" \
		--dev s0 --udp-port "$UDP_PORT" --duration "$secs" --json "$@" >"$SINK_OUT" &
	SINK_PID=$!
	wait_ms 5000 xdp_attached "$SINK" s0 >/dev/null
}

# gen_start SECONDS OUT [tna-gen options]: sends from g0 to the sink's MAC in
# the background (GEN_PID); tna-gen's JSON goes to OUT.
gen_start() {
	local secs=$1 out=$2
	shift 2
	ip netns exec "$GEN" timeout --kill-after=5 "$(plus "$secs" 30)" "$TOOLS/tna-gen" \
		--dev g0 --dst-mac "$SINK_MAC" --src-ip "$GEN_IP" --dst-ip "$SINK_IP" \
		--port "$UDP_PORT" --cpus "$GEN_CPU" --duration "$secs" --json "$@" >"$out" &
	GEN_PID=$!
}

# plus N...: the sum, fractions allowed.
plus() {
	awk 'BEGIN { for (i = 1; i < ARGC; i++) s += ARGV[i]; print s }' "$@"
}

median() {
	tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Warns when something else is using the CPUs the figures depend on.
load_warning() {
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	awk -v l="$load" 'BEGIN { exit !(l > 0.5) }' &&
		echo "warning: load average $load: other work on this machine skews the figures" >&2
	true
}
