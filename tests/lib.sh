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
	ip netns exec "$ns" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		exec "$@"' sh "$@"
}

ns_cleanup() {
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^${TNA_NS_PREFIX}-" || true); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}

# Starts the daemon in a namespace; sets DAEMON_PID and SOCK. Waits until it answers.
# daemon_start NS [daemon options...]
daemon_start() {
	local ns=$1
	shift
	SOCK=/run/zstack-tna/${ns}.sock
	DAEMON_LOG=/tmp/${ns}.daemon.log
	mkdir -p /run/zstack-tna
	# Not through nsx: a function run in the background is a subshell, and
	# DAEMON_PID must be the daemon itself (ip netns exec and sh both exec).
	ip netns exec "$ns" sh -c 'mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
		exec "$@"' sh "$TNA_BUILD/zstack-tna" --control "$SOCK" "$@" >"$DAEMON_LOG" 2>&1 &
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

# The daemon's log: kept and shown (tail) when a check failed, removed otherwise.
tna_finish() {
	if [ -n "${DAEMON_LOG:-}" ] && [ -f "$DAEMON_LOG" ]; then
		if [ "$TNA_FAILED" -ne 0 ]; then
			echo "# daemon log $DAEMON_LOG (last lines):"
			tail -n 15 "$DAEMON_LOG" | sed 's/^/#   /'
		else
			rm -f "$DAEMON_LOG"
		fi
	fi
	[ "$TNA_FAILED" -eq 0 ]
}

# --- integration helpers (tests/integration/*.sh) ---------------------------

TNA_PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1	# no __pycache__ in the source tree
TNA_IT=$TNA_ROOT/tests/integration

# require_env [TOOL...]: root, the built daemon and CLI, and the tools the test
# drives; otherwise one "not ok" line saying what to do, and exit.
require_env() {
	local b tool missing=()
	if [ "$(id -u)" -ne 0 ]; then
		not_ok "$(basename "$0"): needs root for network namespaces (run: sudo make test)"
		exit 1
	fi
	for b in zstack-tna tnactl; do
		[ -x "$TNA_BUILD/$b" ] || missing+=("$TNA_BUILD/$b (run: make)")
	done
	for tool in ip bridge nft tc ss socat "$TNA_PY" "$@"; do
		command -v "$tool" >/dev/null || missing+=("$tool (run: make deps)")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		not_ok "$(basename "$0"): missing ${missing[*]}"
		exit 1
	fi
}

# require_built FILE...: the test's own tools are built; otherwise one "not ok"
# line naming the first that is missing, and exit.
require_built() {
	local f
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			not_ok "$(basename "$0" .sh): $f is missing (run: make tests)"
			exit 1
		fi
	done
}

# setup DESCRIPTION FUNCTION [ARGS]: runs a setup step with errexit on; the
# first failing command ends the test with one "not ok" line naming it.
setup() {
	local what=$1
	shift
	(
		set -eE
		trap 'echo "# setup command failed: $BASH_COMMAND" >&2' ERR
		"$@"
	)
	if [ $? -ne 0 ]; then
		not_ok "setup: $what"
		exit 1
	fi
}

# run_checks command...: runs a command that prints its own result lines and
# counts its failures; a non-zero exit without a "not ok" line counts as one.
run_checks() {
	local out rc n cmd="$*"
	out=$("$@")
	rc=$?
	[ -n "$out" ] && echo "$out"
	n=$(grep -c '^not ok - ' <<<"$out")
	TNA_FAILED=$((TNA_FAILED + n))
	if [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
		not_ok "exit status $rc from: ${cmd:0:120}"
	fi
}

# compare_graph NS [compare.py options]: graph vs kernel, one line per object kind.
compare_graph() {
	local ns=$1
	shift
	run_checks nsx "$ns" "$TNA_PY" "$TNA_IT/compare.py" --tnactl "$TNA_BUILD/tnactl" \
		--sock "$SOCK" "$@"
}

# graphq [-p] EXPR: a question about the running daemon's graph (see graphq.py).
graphq() {
	"$TNA_PY" "$TNA_IT/graphq.py" --tnactl "$TNA_BUILD/tnactl" --sock "$SOCK" "$@"
}

# json_find KEY: the first value named KEY anywhere in the JSON on stdin.
json_find() {
	"$TNA_PY" -c '
import json, sys
def find(v, key):
    if isinstance(v, dict):
        if key in v:
            return v[key]
        v = list(v.values())
    if isinstance(v, list):
        for x in v:
            r = find(x, key)
            if r is not None:
                return r
    return None
r = find(json.load(sys.stdin), sys.argv[1])
sys.exit(1) if r is None else print(json.dumps(r))' "$1"
}

# ifindex NS DEV
ifindex() {
	ip -n "$1" -j link show dev "$2" |
		"$TNA_PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["ifindex"])'
}

# listening NS PORT: a TCP socket in NS listens on PORT.
listening() { ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; }
