#!/usr/bin/env bash
# Runs one libFuzzer target, bounded in runs and time so `make test` stays
# short, from an empty corpus; prints one result line. A crash, a sanitizer
# report or an invariant failure makes libFuzzer exit non-zero.
set -u
target=$1
corpus=$(mktemp -d)
trap 'rm -rf "$corpus" "$corpus.log"' EXIT
"$target" -runs=300000 -max_total_time=45 -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1
status=$?
tail -n 12 "$corpus.log"
if [ "$status" -eq 0 ]; then
	echo "ok - libFuzzer ran $(basename "$target") with no crash or invariant failure"
else
	echo "not ok - libFuzzer found a failing input for $(basename "$target") (status $status)"
fi
exit "$status"
