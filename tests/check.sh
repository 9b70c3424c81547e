#!/bin/bash
# make check: builds, then runs every test layer in turn -- userspace unit
# tests (ASan/UBSan), fuzz harnesses, kernel lint, packaging and man pages
# (tests/pkg: also builds the .debs the VM installs), KUnit on UML and the VM
# scenarios -- and ends with one line "N passed, M failed" over them all.
# "tests/check.sh LAYER..." runs only those layers.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
total_pass=0 total_fail=0

# Runs one layer, streaming its output, and adds up its closing count line
# "<layer>: N passed, M failed". A layer that dies without one counts as a
# failure.
layer() {	# name, command...
	local name=$1 log counts p f rc
	shift
	log=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	counts=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	if [ -n "$counts" ]; then
		p=$(echo "$counts" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$counts" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	else
		echo "FAIL $name: ended (exit $rc) without a result line"
		p=0 f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	rm -f "$log"
}

build() {
	if make -s all tools; then
		echo "build: 1 passed, 0 failed"
	else
		echo "build: 0 passed, 1 failed"
		return 1
	fi
}

unit() {
	make -s -C tests/unit run
}

cli() {
	make -s -C userspace SAN=1 && tests/unit/cli.sh
}

fuzz() {
	make -s -C tests/fuzz && tests/fuzz/run.sh
}

layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(build unit fuzz lint pkg kunit vm)
for l in "${layers[@]}"; do
	case $l in
	build) layer build build ;;
	unit) layer unit unit; layer cli cli ;;
	fuzz) layer fuzz fuzz ;;
	lint) layer lint tests/lint.sh ;;
	pkg) layer pkg tests/pkg/run.sh ;;
	kunit) layer kunit tests/kunit/run.sh ;;
	vm) layer vm-selftest tests/vm/selftest.sh; layer vm tests/vm/parallel.sh ;;
	*) echo "unknown layer $l"; total_fail=$((total_fail + 1)) ;;
	esac
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
