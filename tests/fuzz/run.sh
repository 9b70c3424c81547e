#!/bin/bash
# Gives every libFuzzer harness a bounded run from its seed corpus: a crash,
# leak or sanitizer report fails it. FUZZ_SECONDS bounds each run.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-15}
passed=0 failed=0
for h in "$dir"/build/fuzz_*; do
	name=$(basename "$h")
	work=$(mktemp -d)
	cp -r "$dir/corpus/$name/." "$work/" 2>/dev/null
	if "$h" -max_total_time="$secs" -runs=5000000 -max_len=4096 \
		-artifact_prefix="$work/" "$work" >"$work/log" 2>&1; then
		echo "PASS fuzz/$name ($(grep -Eo 'Done [0-9]+ runs' "$work/log"))"
		passed=$((passed + 1))
	else
		echo "FAIL fuzz/$name"
		grep -A30 -E 'ERROR|runtime error|deadly signal' "$work/log" | \
			head -40 | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
