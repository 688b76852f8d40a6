# Shared helpers for integration tests: sourced, never run.
# Each test builds its own namespaces (prefixed with $TNA_NS_PREFIX), prints one
# "ok - ..." / "not ok - ..." line per check, and cleans up on exit.

TNA_ROOT=${TNA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TNA_BUILD=${TNA_BUILD:-$TNA_ROOT/build}
TNA_NS_PREFIX=${TNA_NS_PREFIX:-tnat$$}
TNA_FAILED=0

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; TNA_FAILED=$((TNA_FAILED + 1)); }
skip()   { echo "skip - $*"; }

# check "description" command...: one result line from a command's status.
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Creates a namespace named ${TNA_NS_PREFIX}-$1 and prints its name. Loopback up,
# bpffs mounted (ip netns exec remounts /sys).
ns_new() {
	local ns="${TNA_NS_PREFIX}-$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# Runs a command in a namespace with bpffs mounted in its view of /sys.
nsx() {
	local ns=$1; shift
	ip netns exec "$ns" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; exec "$@"' sh "$@"
}

ns_cleanup() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^${TNA_NS_PREFIX}-" || true); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

# Starts the daemon in a namespace; sets DAEMON_PID and SOCK. Waits until it answers.
daemon_start() {
	local ns=$1
	SOCK=/run/zstack-tna/${ns}.sock
	mkdir -p /run/zstack-tna
	nsx "$ns" "$TNA_BUILD/zstack-tna" --control "$SOCK" >"/tmp/${ns}.daemon.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for i in $(seq 1 100); do
		"$TNA_BUILD/tnactl" -s "$SOCK" caps >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "daemon did not answer on $SOCK; its log:" >&2
	cat "/tmp/${ns}.daemon.log" >&2
	return 1
}

daemon_stop() {
	[ -n "${DAEMON_PID:-}" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
}

tnactl() { "$TNA_BUILD/tnactl" -s "$SOCK" "$@"; }

# wait_until SECONDS command...: polls every 50 ms until the command succeeds.
wait_until() {
	local limit=$1; shift
	local end=$((SECONDS + limit)) start
	start=$(date +%s%N)
	while :; do
		"$@" && return 0
		[ "$(( ($(date +%s%N) - start) / 1000000 ))" -ge $((limit * 1000)) ] && return 1
		sleep 0.05
	done
}

tna_finish() {
	[ "$TNA_FAILED" -eq 0 ]
}
