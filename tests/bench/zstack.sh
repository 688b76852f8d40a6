#!/usr/bin/env bash
# zstack against the kernel's TCP, same machine, same CPUs:
#
#   cli-ns [zsb] <-veth-> [zsa] srv-ns (the daemon; the server under test)
#
# HTTP: zs-http, kern-http (kernel epoll, byte-for-byte the same answers)
# and nginx (a second kernel reference, installed from Debian if missing)
# answer wrk (1 thread, 50 connections, --latency) for bodies of 64 B, 1 KiB,
# 4 KiB and 8 KiB: requests/s, p50 and p99 latency, server CPU per request.
# Bulk: zs-bulk against socat on the client side, both directions, beside
# socat-to-socat over kernel TCP.
#
# CPUs: the server and zsa's NAPI thread on SRV_CPU (1); wrk, the client's
# socat and zsb's NAPI thread on CLI_CPU (0). Server CPU seconds are the
# server process's utime+stime, plus zsa's NAPI thread (where veth receive,
# the XDP steering and, for the kernel servers, TCP receive run), plus the
# softirq time /proc/stat counts on SRV_CPU (transmit completions, timers):
# all read before and after each run.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.bash"
source "$(dirname "${BASH_SOURCE[0]}")/../integration/zslib.bash"

SECS=${TNA_BENCH_SECONDS:-4}
WARMUP=${TNA_BENCH_WARMUP:-1}
CONNS=${TNA_BENCH_CONNS:-50}
BODIES=${TNA_BENCH_BODIES:-64 1024 4096 8192}
BULK=${TNA_BENCH_BULK:-1G}
SRV_CPU=${TNA_BENCH_DUT_CPU:-1}
CLI_CPU=${TNA_BENCH_GEN_CPU:-0}
SRV_IP=10.76.0.1
CLI_IP=10.76.0.2
ZS_DEV=zsa
PORT=8080
BULK_PORT=9000
HZ=$(getconf CLK_TCK)
TMPD=$(mktemp -d)
chmod 755 "$TMPD"
SERVER_PID=
RESULTS=$TMPD/results.tsv

cleanup() {
	server_stop
	daemon_stop
	ns_cleanup
	rm -rf "$TMPD"
}
trap cleanup EXIT

bench_require "$TNA_BUILD/zs-http" "$TNA_BUILD/zs-bulk" "$TOOLS/kern-http" \
	"$TNA_BUILD/zstack-tna" "$TNA_BUILD/tnactl" || exit 1
for tool in wrk socat gnuplot jq; do
	command -v $tool >/dev/null || { echo "missing $tool: run make deps" >&2; exit 1; }
done

# nginx, if Debian has it: installed without starting its service (a
# policy-rc.d that refuses every start, removed after).
nginx_ready() {
	command -v nginx >/dev/null && return 0
	local policy=/usr/sbin/policy-rc.d ours=
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy && chmod 755 $policy && ours=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx \
		>"$TMPD/apt.log" 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends nginx >"$TMPD/apt.log" 2>&1; }
	[ -n "$ours" ] && rm -f $policy
	command -v nginx >/dev/null
}

topology() {
	SRV=$(bench_ns srv) && CLI=$(bench_ns cli) || return 1
	ip link add zsa netns "$SRV" type veth peer name zsb netns "$CLI" || return 1
	ip -n "$SRV" addr add $SRV_IP/24 dev zsa
	ip -n "$CLI" addr add $CLI_IP/24 dev zsb
	ip -n "$SRV" link set zsa up && ip -n "$CLI" link set zsb up || return 1
	# Complete checksums from the kernel (zstack reads the wire); GRO gives
	# each side a NAPI to pin and makes zstack's frames deliverable.
	local ns dev ns_dev
	for ns_dev in "$SRV:zsa" "$CLI:zsb"; do
		ns=${ns_dev%:*} dev=${ns_dev#*:}
		ip netns exec "$ns" ethtool -K "$dev" tx off gro on >/dev/null || return 1
	done
	napi_pin "$SRV" zsa "$SRV_CPU" && napi_pin "$CLI" zsb "$CLI_CPU" || return 1
	SRV_NAPI=$(for p in $NAPI_PINS; do [ "${p#*:}" = "$SRV_CPU" ] && echo "${p%:*}"; done)
	ip netns exec "$CLI" ping -c 1 -W 2 $SRV_IP >/dev/null
}

# CPU ticks: a process's utime+stime (fields 14 and 15 of /proc/PID/stat,
# read after the command name, which may hold spaces).
proc_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
softirq_ticks() { awk -v c="cpu$SRV_CPU" '$1 == c { print $8 }' /proc/stat; }
busy_ticks() {
	awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
cpu_snapshot() {
	local t=0 p
	for p in $SRV_NAPI; do t=$((t + $(proc_ticks "$p"))); done
	echo "$(proc_ticks "$SERVER_PID") $t $(softirq_ticks) $(busy_ticks "$CLI_CPU")"
}

# server_start KIND BODY: KIND is zs-http, kern-http or nginx, on SRV_CPU.
server_start() {
	local kind=$1 body=$2
	case $kind in
	zs-http)
		ip netns exec "$SRV" taskset -c "$SRV_CPU" "$TNA_BUILD/zs-http" zsa $SRV_IP $PORT \
			--body "$body" >"$TMPD/server.log" 2>&1 &
		SERVER_PID=$!
		wait_until 10 steered
		;;
	kern-http)
		ip netns exec "$SRV" taskset -c "$SRV_CPU" "$TOOLS/kern-http" $SRV_IP $PORT \
			--body "$body" >"$TMPD/server.log" 2>&1 &
		SERVER_PID=$!
		wait_until 5 listening "$SRV" $PORT
		;;
	nginx)
		mkdir -p "$TMPD/www"
		head -c "$body" /dev/zero | tr '\0' x >"$TMPD/www/body"
		cat >"$TMPD/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		pid $TMPD/nginx.pid;
		error_log $TMPD/nginx.err;
		events { worker_connections 4096; }
		http {
			access_log off;
			keepalive_requests 100000000;
			default_type application/octet-stream;
			server {
				listen $SRV_IP:$PORT;
				location / { root $TMPD/www; try_files /body =404; }
			}
		}
		EOF
		ip netns exec "$SRV" taskset -c "$SRV_CPU" nginx -c "$TMPD/nginx.conf" \
			>"$TMPD/server.log" 2>&1 &
		SERVER_PID=$!
		wait_until 5 listening "$SRV" $PORT
		;;
	esac
}

# The kernel frees an AF_XDP socket's queue from a workqueue: a zs-http
# started at once could find it busy.
server_stop() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	wait_until 3 steering_gone
	sleep 0.5
}

wrk_run() {
	ip netns exec "$CLI" taskset -c "$CLI_CPU" timeout $(($1 + 10)) wrk -t 1 -c "$CONNS" \
		-d "$1" --latency "http://$SRV_IP:$PORT/"
}

# wrk's latency as microseconds.
to_us() {
	awk '{ v = $1 + 0; u = $1; sub(/^[0-9.]+/, "", u)
		print (u == "s" ? v * 1e6 : u == "ms" ? v * 1e3 : v) }'
}

# http_run KIND BODY: one measurement, appended to RESULTS.
http_run() {
	local kind=$1 body=$2 before after out rps reqs p50 p99 errors
	server_start "$kind" "$body"
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "$kind did not start:" >&2
		sed 's/^/  /' "$TMPD/server.log" >&2
		SERVER_PID=
		return 1
	fi
	wrk_run "$WARMUP" >/dev/null 2>&1
	before=$(cpu_snapshot)
	out=$(wrk_run "$SECS" 2>&1)
	after=$(cpu_snapshot)
	server_stop
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	reqs=$(awk '/ requests in / { print $1 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_us)
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_us)
	errors=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }
		/Non-2xx/ { print $NF }' <<<"$out" | awk '{ s += $1 } END { print s + 0 }')
	if [ -z "$rps" ] || [ -z "$reqs" ]; then
		echo "wrk against $kind gave no figures:" >&2
		sed 's/^/  /' <<<"$out" >&2
		return 1
	fi
	read -r b_proc b_napi b_sirq b_cli <<<"$before"
	read -r a_proc a_napi a_sirq a_cli <<<"$after"
	printf 'http\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$body" "$rps" "$reqs" \
		"$p50" "$p99" "$errors" \
		"$(awk -v t=$((a_proc - b_proc)) -v hz="$HZ" 'BEGIN { print t / hz }')" \
		"$(awk -v t=$((a_napi - b_napi)) -v hz="$HZ" 'BEGIN { print t / hz }')" \
		"$(awk -v t=$((a_sirq - b_sirq)) -v hz="$HZ" 'BEGIN { print t / hz }')" \
		"$(awk -v t=$((a_cli - b_cli)) -v hz="$HZ" -v s="$SECS" \
			'BEGIN { print t / hz / s }')" >>"$RESULTS"
	printf '  %-9s %5s B: %9.0f req/s  p50 %7.0f us  p99 %7.0f us  errors %s\n' "$kind" \
		"$body" "$rps" "$p50" "$p99" "$errors"
}

# bulk_run DIRECTION STACK: DIRECTION send (server namespace to client) or
# recv; STACK zstack (zs-bulk) or kernel (socat). The client side is socat.
bulk_run() {
	local dir=$1 stack=$2 bytes secs gbps peer start end out
	bytes=$(numfmt --from=iec "$BULK")
	if [ "$dir" = send ]; then
		peer="socat -u -b 131072 TCP-LISTEN:$BULK_PORT,bind=$CLI_IP,reuseaddr OPEN:/dev/null"
	else
		peer="socat -u -b 131072 OPEN:/dev/zero,readbytes=$bytes"
		peer+=" TCP-LISTEN:$BULK_PORT,bind=$CLI_IP,reuseaddr"
	fi
	ip netns exec "$CLI" taskset -c "$CLI_CPU" timeout 120 $peer &
	local peer_pid=$!
	wait_until 3 listening "$CLI" $BULK_PORT
	start=$(date +%s%N)
	if [ "$stack" = zstack ]; then
		out=$(ip netns exec "$SRV" taskset -c "$SRV_CPU" timeout 120 "$TNA_BUILD/zs-bulk" zsa \
			--connect $CLI_IP $BULK_PORT --bytes "$bytes" --zeros \
			"--$dir" 2>&1)
	elif [ "$dir" = send ]; then
		out=$(ip netns exec "$SRV" taskset -c "$SRV_CPU" timeout 120 socat -u -b 131072 \
			OPEN:/dev/zero,readbytes="$bytes" TCP:$CLI_IP:$BULK_PORT 2>&1)
	else
		out=$(ip netns exec "$SRV" taskset -c "$SRV_CPU" timeout 120 socat -u -b 131072 \
			TCP:$CLI_IP:$BULK_PORT OPEN:/dev/null 2>&1)
	fi
	local rc=$?
	end=$(date +%s%N)
	wait $peer_pid
	if [ $rc -ne 0 ]; then
		echo "bulk $dir over $stack failed:" >&2
		sed 's/^/  /' <<<"$out" >&2
		return 1
	fi
	# zs-bulk times the connection itself; socat is timed from outside.
	gbps=$(awk '/Gbit\/s/ { for (i = 1; i <= NF; i++) if ($i ~ /^Gbit/) print $(i - 1) }' \
		<<<"$out")
	secs=$(awk -v ns=$((end - start)) 'BEGIN { print ns / 1e9 }')
	[ -n "$gbps" ] || gbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { print b * 8 / s / 1e9 }')
	printf 'bulk\t%s\t%s\t%s\n' "$dir" "$stack" "$gbps" >>"$RESULTS"
	printf '  bulk %-4s %-6s %6.2f Gbit/s\n' "$dir" "$stack" "$gbps"
}

load_warning
setup_ok=1
topology || setup_ok=
[ -n "$setup_ok" ] || { echo "topology setup failed" >&2; exit 1; }
daemon_start "$SRV" >/dev/null || exit 1
taskset -pc "$CLI_CPU" "$DAEMON_PID" >/dev/null
export ZSTACK_TNA_CONTROL=$SOCK
SERVERS="zs-http kern-http"
if nginx_ready; then
	SERVERS+=" nginx"
	NGINX_NOTE="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 process"
else
	NGINX_NOTE="not installable: $(tail -n 1 "$TMPD/apt.log" 2>/dev/null)"
	echo "nginx: $NGINX_NOTE; skipped" >&2
fi

: >"$RESULTS"
for body in $BODIES; do
	for kind in $SERVERS; do
		http_run "$kind" "$body" || echo "  $kind $body B: no figures" >&2
	done
done
for dir in send recv; do
	for stack in zstack kernel; do
		bulk_run "$dir" "$stack" || echo "  bulk $dir $stack: no figures" >&2
	done
done

mkdir -p "$BENCH_OUT"
"$TNA_PY" - "$RESULTS" "$BENCH_OUT/zstack.json" "$TMPD/plot.dat" <<EOF || exit 1
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
http, bulk = [], []
for r in rows:
    if r[0] == "http":
        kind, body, rps, reqs, p50, p99, errors, proc, napi, sirq, cli = r[1:]
        reqs = int(reqs)
        cpu = float(proc) + float(napi) + float(sirq)
        http.append({"server": kind, "body": int(body), "rps": float(rps), "requests": reqs,
                     "p50_us": float(p50), "p99_us": float(p99), "errors": int(errors),
                     "cpu_s": {"process": float(proc), "napi": float(napi),
                               "softirq": float(sirq)},
                     "cpu_s_per_request": cpu / reqs if reqs else None,
                     "client_cpu_busy": float(cli)})
    else:
        bulk.append({"direction": r[1], "stack": r[2], "gbps": float(r[3])})
def find(kind, body):
    return next((h for h in http if h["server"] == kind and h["body"] == body), None)
def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None
bodies = sorted({h["body"] for h in http})
ratios = {"rps": {}, "p50": {}, "p99": {}, "cpu_per_request": {}}
for b in bodies:
    z, k = find("zs-http", b), find("kern-http", b)
    if z and k:
        ratios["rps"][b] = ratio(z["rps"], k["rps"])
        ratios["p50"][b] = ratio(z["p50_us"], k["p50_us"])
        ratios["p99"][b] = ratio(z["p99_us"], k["p99_us"])
        ratios["cpu_per_request"][b] = ratio(z["cpu_s_per_request"], k["cpu_s_per_request"])
for d in ("send", "recv"):
    z = next((x["gbps"] for x in bulk if x["direction"] == d and x["stack"] == "zstack"), None)
    k = next((x["gbps"] for x in bulk if x["direction"] == d and x["stack"] == "kernel"), None)
    ratios["bulk_" + d] = ratio(z, k)
out = {"setup": {"seconds": $SECS, "connections": $CONNS, "wrk_threads": 1,
                 "server_cpu": $SRV_CPU, "client_cpu": $CLI_CPU, "bulk_bytes": "$BULK",
                 "nginx": "$NGINX_NOTE",
                 "cpu_s": "server process utime+stime, its veth NAPI thread, softirq "
                          "on the server CPU (/proc, USER_HZ ticks)",
                 "ratios": "zs-http / kern-http; zs-bulk / socat"},
       "http": http, "bulk": bulk, "ratios": ratios}
json.dump(out, open(sys.argv[2], "w"), indent=2)
with open(sys.argv[3], "w") as f:
    f.write("body zs-http kern-http nginx zs-http-p99 kern-http-p99 nginx-p99\n")
    for b in bodies:
        row = [str(b)]
        for key in ("rps", "p99_us"):
            for kind in ("zs-http", "kern-http", "nginx"):
                h = find(kind, b)
                row.append(str(h[key]) if h else "NaN")
        f.write(" ".join(row) + "\n")
print(json.dumps(ratios))
EOF

gnuplot <<EOF
set terminal svg size 1000,420 dynamic font "sans,11"
set output "$BENCH_OUT/zstack.svg"
set multiplot layout 1,2 title "zs-http vs kernel servers (wrk, $CONNS connections, 1 server CPU)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set xlabel "body bytes"
set ylabel "requests/s"
set yrange [0:*]
plot "$TMPD/plot.dat" using 2:xtic(1) title "zs-http", '' using 3 title "kern-http", \
	'' using 4 title "nginx"
set ylabel "p99 latency (us)"
plot "$TMPD/plot.dat" using 5:xtic(1) title "zs-http", '' using 6 title "kern-http", \
	'' using 7 title "nginx"
unset multiplot
EOF
echo "figures: $BENCH_OUT/zstack.json, $BENCH_OUT/zstack.svg"
