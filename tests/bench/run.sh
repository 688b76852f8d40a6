#!/usr/bin/env bash
# Entry point of `make bench`: runs every tests/bench/*.sh but this one, each
# bounded in time, and prints their figures. Exits 0 when every benchmark
# ran; benchmarks report speed, they never assert it.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TNA_ROOT=$PWD TNA_BUILD=$PWD/${BUILD:-build}
LIMIT=${TNA_BENCH_LIMIT:-900}

failed=()
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	timeout --kill-after=10 "$LIMIT" bash "$b" || failed+=("$(basename "$b" .sh)")
done
echo "figures in $TNA_BUILD/bench/"
if [ ${#failed[@]} -gt 0 ]; then
	echo "benchmarks that did not run to the end: ${failed[*]}"
	exit 1
fi
