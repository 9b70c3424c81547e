#!/bin/bash
# The moat tool's command-line behaviour that needs no kernel: help and
# version output, and every usage error naming what was wrong with exit 2.
# Runs the ASan/UBSan build (userspace/moat-san).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
moat=${MOAT_BIN:-$top/userspace/moat-san}
passed=0 failed=0

# expect NAME EXIT-CODE PATTERN -- ARGS...: the output (stdout and stderr)
# must match PATTERN and the exit code must be EXIT-CODE.
expect() {
	local name=$1 code=$2 pat=$3 out rc
	shift 4
	out=$("$moat" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$code" ] && grep -qE -- "$pat" <<<"$out"; then
		echo "PASS cli/$name"; passed=$((passed + 1))
	else
		echo "FAIL cli/$name: exit $rc, output:"; sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
}

expect version 0 '^moat [0-9]+\.[0-9]+\.[0-9]+, genetlink family moat version 1$' -- --version
expect version-short 0 'genetlink family moat' -- -V
expect help 0 'OBJECT := \{ link' -- help
expect help-option 0 'Usage: moat' -- -h
expect link-help 0 'moat link set dev NAME' -- link help
expect no-args 2 'Usage: moat' --
expect bad-option 2 'unknown option "-x"' -- -x link show
expect bad-object 2 'unknown object "frobnicate"' -- frobnicate
expect bad-link-cmd 2 'link: unknown command "explode"' -- link explode
expect set-no-dev 2 'which device' -- link set mss-clamp auto
expect set-nothing 2 'nothing to set' -- link set dev moat0
expect set-bad-mss 2 'mss-clamp "100" is not auto, off or 536..65495' -- link set dev moat0 mss-clamp 100
expect set-bad-floor 2 'pmtu-floor4 "67" is not 68..65535' -- link set dev moat0 pmtu-floor4 67
expect set-floor-junk 2 'pmtu-floor4 "5x" is not' -- link set dev moat0 pmtu-floor4 5x
expect set-missing-value 2 '"mss-clamp" needs a value' -- link set dev moat0 mss-clamp
expect set-unknown 2 'unknown setting "colour"' -- link set dev moat0 colour red
expect show-bad-name 2 'is not a device name' -- link show dev a/b
expect show-extra 2 'unexpected "x"' -- link show dev moat0 x

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
