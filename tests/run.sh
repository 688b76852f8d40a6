#!/usr/bin/env bash
# Runs every test suite and prints one closing line: "N passed, N failed, N skipped".
# Suites print "ok - ...", "not ok - ..." or "skip - ..." per check.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export TNA_ROOT=$PWD TNA_BUILD=$PWD/$BUILD

passed=0 failed=0 skipped=0 broken=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_suite NAME TIMEOUT_S command...
run_suite() {
	local name=$1 limit=$2; shift 2
	local start=$SECONDS rc
	echo "== $name"
	timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	local p f s
	p=$(grep -c '^ok - ' "$log")
	f=$(grep -c '^not ok - ' "$log")
	s=$(grep -c '^skip - ' "$log")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# A suite that died without saying which check failed still fails.
		failed=$((failed + 1))
		echo "not ok - $name exited with status $rc"
	fi
	[ "$rc" -ne 0 ] && broken+=("$name")
	echo "-- $name: $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
}

for t in "$BUILD"/tests/unit/*; do
	[ -x "$t" ] && run_suite "unit/$(basename "$t")" 120 "$t"
done
for t in "$BUILD"/tests/zstack/*; do
	[ -x "$t" ] && run_suite "zstack/$(basename "$t")" 300 "$t"
done
# Coverage-guided fuzzing of the TCP core, bounded (tests/fuzz.sh).
for t in "$BUILD"/fuzz/*; do
	[ -x "$t" ] && run_suite "fuzz/$(basename "$t")" 120 tests/fuzz.sh "$t"
done
if [ "$(id -u)" -eq 0 ]; then
	for t in "$BUILD"/tests/fpm/*; do
		[ -x "$t" ] && [[ $t != *.bpf.o ]] && run_suite "fpm/$(basename "$t")" 120 "$t"
	done
	for t in tests/integration/*.sh; do
		[ -f "$t" ] && run_suite "integration/$(basename "$t" .sh)" 600 bash "$t"
	done
else
	echo "skip - BPF_PROG_RUN and integration suites need root"
	skipped=$((skipped + 1))
fi

[ ${#broken[@]} -gt 0 ] && echo "failed suites: ${broken[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
