#!/bin/bash
# Kernel code standards as tests: a W=1 build with no warnings, sparse
# (C=1) with nothing to say, and checkpatch --no-tree clean on kmod/ and
# the uapi header. Prints PASS/FAIL per check and "lint: N passed, M failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MOAT_CACHE:-/var/cache/moat}
kver=$("$top/tests/kver.sh")
kdir=/lib/modules/$kver/build
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

result() {	# name, ok?
	if [ "$2" = 0 ]; then
		echo "PASS lint/$1"; passed=$((passed + 1))
	else
		echo "FAIL lint/$1"; sed 's/^/    /' "$log" | head -60
		failed=$((failed + 1))
	fi
}

# checkpatch.pl and its data files, taken once from Debian's linux-source.
checkpatch() {
	local dir=$cache/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		mkdir -p "$dir"
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$dir" \
			--strip-components=1 linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch >&2
	fi
	echo "$dir/scripts/checkpatch.pl"
}

# Builds from a scratch copy so the checks never race the real build.
build() {	# extra make args...
	local tmp
	tmp=$(mktemp -d)
	cp -r "$top/kmod" "$top/include" "$tmp/"
	rm -f "$tmp/kmod/tests"
	make -C "$kdir" M="$tmp/kmod" CONFIG_MOAT=m W=1 "$@" modules >"$log" 2>&1
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

build && ! grep -E 'warning:|error:' "$log" >/dev/null
result w1-build $?

build C=2 && grep -q '  CHECK ' "$log" &&
	! grep -E 'warning:|error:' "$log" >/dev/null
result sparse $?

cp_pl=$(checkpatch)
(cd "$top" && "$cp_pl" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f $(git ls-files --cached --others --exclude-standard 'kmod/*.[ch]' 'tests/kunit/*.[ch]') \
	include/uapi/linux/moat.h) >"$log" 2>&1
! grep -E ': (ERROR|WARNING|CHECK):' "$log" >/dev/null
result checkpatch $?

echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
