#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs Moat's KUnit suites on a User-Mode Linux kernel.
#
# Debian's own kernel is built without KUnit, so we build a UML kernel from
# Debian's linux-source-6.1 with the module grafted in as net/moat and let
# the kernel's kunit.py configure, build, boot and parse it.  Everything
# heavy lives in a cache outside the clone so reruns are incremental and a
# fresh CI clone reuses the same tree.
#
# Usage: tests/kunit/run.sh [kunit.py run options] [filter_glob]
#   e.g. tests/kunit/run.sh 'moat_replay*'
#        tests/kunit/run.sh --timeout=600 'moat_netlink.*valid*'
#
# Environment:
#   MOAT_CACHE            cache directory (default /var/cache/moat/kunit)
#   MOAT_LINUX_TARBALL    kernel source (default /usr/src/linux-source-6.1.tar.xz)
#   MOAT_KUNIT_JOBS       make -j (default: nproc)
#   MOAT_KUNIT_LOG_ALLOW  extended regex; matching kernel log lines are not
#                         treated as failures (for tests that WARN on purpose)
#   MOAT_KUNIT_REBUILD    set to 1 to run make even if nothing changed
#
# Exit status: 0 all passed; 1 test failure, kernel log splat or no tests
# ran; 2 configuration or build failure; 3 missing prerequisites or setup
# problem.

set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
CACHE=${MOAT_CACHE:-/var/cache/moat/kunit}
TARBALL=${MOAT_LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${MOAT_KUNIT_JOBS:-$(nproc)}
KUNITCONFIG=$HERE/.kunitconfig

SRC=$CACHE/src              # unpacked kernel tree, module grafted in
BUILD=$CACHE/build          # kunit.py --build_dir (O=)
STAMP=$CACHE/source.stamp   # which tarball $SRC was unpacked from
RESULTS=$CACHE/results.json # kunit.py --json output of the last run
BUILT=$CACHE/built.stamp    # key of the kernel last built in $BUILD
KUNIT_OUT=$CACHE/kunit.out  # kunit.py's console output of the last run
TEST_LOG=$BUILD/test.log    # full UML console log, written by kunit.py

# Kernel log lines that mean the run is not clean even if every test case
# passed: WARN_ON/lockdep/KASAN/UBSAN reports, BUG_ON, panics and stalls.
# Lockdep headers all start with WARNING:, the extra phrases cover the
# follow-up lines it prints once it has switched itself off.
SPLAT_RE='WARNING:|BUG:|kernel BUG at|UBSAN:|Kernel panic|sleeping function called from invalid context'
SPLAT_RE+='|possible (circular|recursive) locking|inconsistent lock state|DEBUG_LOCKS_WARN_ON'
SPLAT_RE+='|INFO: lockdep is turned off|turning off the locking correctness validator'
SPLAT_RE+='|suspicious RCU usage|rcu.*detected stalls|blocked for more than [0-9]+ seconds'

NOISE_RE="^stty: 'standard input'|^/usr/bin/ld: warning: .*(LOAD segment with RWX"
NOISE_RE+=" permissions|missing .note.GNU-stack section)|^/usr/bin/ld: NOTE: This behaviour is"
NOISE_RE+=" deprecated"

log() { printf 'kunit: %s\n' "$*" >&2; }
die() { local rc=$1; shift; log "$*"; exit "$rc"; }

usage() {
	sed -n '/^# Usage:/,/^# problem\./s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
	echo
	echo "Other options are passed to kunit.py run; see its --help:"
	echo "  python3 $SRC/tools/testing/kunit/kunit.py run --help"
}

# Name the Debian package for anything missing rather than failing half
# way through a kernel build.
check_prereqs() {
	local missing=() tool pkg
	while read -r tool pkg; do
		command -v "$tool" >/dev/null 2>&1 || missing+=("$pkg")
	done <<-'EOF'
		python3 python3
		gcc gcc
		make make
		flex flex
		bison bison
		bc bc
		rsync rsync
		xz xz-utils
		tar tar
		flock util-linux
		perl perl
	EOF
	# UML is a Linux program: it links against the C library.
	if command -v gcc >/dev/null 2>&1 &&
	   ! echo '#include <stdio.h>' | gcc -E -x c - >/dev/null 2>&1; then
		missing+=(libc6-dev)
	fi
	[[ -r $TARBALL ]] || missing+=(linux-source-6.1)
	if ((${#missing[@]})); then
		log "missing prerequisites: ${missing[*]}"
		die 3 "install them with: apt-get install ${missing[*]}"
	fi
}

# One run at a time per cache: two kunit.py builds in one O= directory
# corrupt each other.  CI and a developer may share /var/cache.
take_lock() {
	mkdir -p "$CACHE" 2>/dev/null ||
		die 3 "cannot create $CACHE; set MOAT_CACHE to a writable directory"
	exec 9>"$CACHE/.lock"
	if ! flock -n 9; then
		log "waiting for another run using $CACHE"
		flock 9
	fi
}

# Unpack the kernel once.  The stamp records path, size and mtime of the
# tarball, so a Debian update of linux-source-6.1 triggers a fresh unpack.
# The old build directory goes too: tar restores the archive's mtimes,
# which are older than our objects, so make would miss changed sources.
unpack_source() {
	local want
	want=$(stat -c '%n %s %Y' -- "$TARBALL")
	if [[ -d $SRC && -f $STAMP && $(<"$STAMP") == "$want" ]]; then
		return
	fi
	log "unpacking $TARBALL into $SRC (once per kernel update)"
	rm -rf -- "$SRC.new"
	mkdir -p -- "$SRC.new"
	tar -xJf "$TARBALL" -C "$SRC.new" --strip-components=1
	rm -rf -- "$SRC" "$BUILD" "$STAMP"
	mv -- "$SRC.new" "$SRC"
	# Written last: an interrupted unpack is redone next time.
	printf '%s\n' "$want" >"$STAMP"
}

# Copy a file only if its content differs.  No -t on purpose: identical
# files keep the mtime of the earlier copy, changed ones get "now", so a
# fresh clone (all mtimes new) rebuilds nothing but a real edit rebuilds.
# Sets GRAFT_CHANGED when it copies.
sync_file() {
	local out
	mkdir -p -- "$(dirname -- "$2")"
	out=$(rsync --checksum --itemize-changes -- "$1" "$2")
	[[ -z $out ]] || GRAFT_CHANGED=1
}

# net/moat/Kbuild wraps the module's own Kbuild (installed as Kbuild.moat)
# to opt it into UBSAN: UML has no UBSAN_SANITIZE_ALL, so CONFIG_UBSAN alone
# would instrument nothing of ours.  Setting UBSAN_SANITIZE on the make
# command line instead would force it onto files that must not have it.
write_kbuild_wrapper() {
	local tmp=$CACHE/Kbuild.wrapper
	cat >"$tmp" <<-'EOF'
		# Generated by Moat's tests/kunit/run.sh; kmod/Kbuild is Kbuild.moat.
		UBSAN_SANITIZE := y
		include $(srctree)/$(src)/Kbuild.moat
	EOF
	sync_file "$tmp" "$SRC/net/moat/Kbuild"
}

add_line_once() {
	local line=$1 file=$2
	grep -qxF -- "$line" "$file" && return
	printf '%s\n' "$line" >>"$file"
	GRAFT_CHANGED=1
}

# Mirror this clone's module into net/moat.  --copy-links turns the
# kmod/tests symlink into a real net/moat/tests directory.  Out-of-tree
# build products from kmod/ are excluded (and deleted if present): make's
# VPATH would otherwise find a stale kmod/*.o in the source tree and use it.
# So are this bench's own script and docs, so editing them rebuilds nothing.
# Kconfig, Kbuild and Kbuild.moat are protected from --delete: they are
# written below.
graft_module() {
	local f out
	for f in kmod/Kbuild Kconfig include/uapi/linux/moat.h; do
		[[ -f $REPO/$f ]] || die 3 "$REPO/$f is missing; is $REPO a Moat clone?"
	done
	mkdir -p -- "$SRC/net/moat"
	out=$(rsync --recursive --copy-links --checksum --delete --delete-excluded \
		--itemize-changes \
		--filter='P /Kconfig' --exclude='/Kconfig' \
		--filter='P /Kbuild' --exclude='/Kbuild' --filter='P /Kbuild.moat' \
		--exclude='*.o' --exclude='*.ko' --exclude='*.a' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='*.cmd' \
		--exclude='*.d' --exclude='*.order' --exclude='*.symvers' \
		--exclude='.tmp_versions/' --exclude='*.dwo' --exclude='*.gcno' \
		--exclude='*.su' --exclude='*~' --exclude='.*.swp' \
		--exclude='/tests/*.md' --exclude='/tests/*.sh' \
		-- "$REPO/kmod/" "$SRC/net/moat/")
	[[ -z $out ]] || GRAFT_CHANGED=1
	sync_file "$REPO/Kconfig" "$SRC/net/moat/Kconfig"
	sync_file "$REPO/kmod/Kbuild" "$SRC/net/moat/Kbuild.moat"
	write_kbuild_wrapper
	sync_file "$REPO/include/uapi/linux/moat.h" "$SRC/include/uapi/linux/moat.h"
	# Appended after "endif # if NET": valid Kconfig, and MOAT depends on
	# NET itself.  Both edits happen once, so these files keep their mtime.
	add_line_once 'source "net/moat/Kconfig"' "$SRC/net/Kconfig"
	add_line_once 'obj-$(CONFIG_MOAT) += moat/' "$SRC/net/Makefile"
}

# Everything besides the grafted files that decides what kernel make
# would produce: the config fragment, the kernel source and the compiler.
build_key() {
	{
		cat -- "$KUNITCONFIG" "$STAMP"
		gcc --version | head -n 1
	} | sha256sum | cut -d' ' -f1
}

# A rerun with nothing changed skips make's walk over the whole tree
# (~30 s here) and only boots the kernel: "kunit.py exec" instead of
# "run".  Safe because built.stamp is removed before any build and only
# written back once kunit.py got as far as booting what it built.
# MOAT_KUNIT_REBUILD=1 forces the full path.
choose_mode() {
	MODE=run
	if ((GRAFT_CHANGED == 0 && BUILD_OPTS == 0)) && [[ -z ${MOAT_KUNIT_REBUILD:-} ]] &&
	   [[ -x $BUILD/linux && -f $BUILT && $(<"$BUILT") == "$(build_key)" ]]; then
		MODE=exec
	fi
}

# Run kunit.py, teeing its output so we can classify failures afterwards.
# Returns kunit.py's exit status.
run_kunit() {
	local rc opts=()
	rm -f -- "$RESULTS" "$TEST_LOG" "$KUNIT_OUT"
	if [[ $MODE == run ]]; then
		rm -f -- "$BUILT"
		opts=(--jobs="$JOBS")
		log "graft from $REPO, cache $CACHE, $JOBS jobs"
	else
		log "graft from $REPO unchanged since the last build: not rebuilding"
	fi
	set +e
	(
		cd -- "$SRC" &&
		PYTHONUNBUFFERED=1 python3 tools/testing/kunit/kunit.py "$MODE" \
			--arch=um \
			--kunitconfig="$KUNITCONFIG" \
			--build_dir="$BUILD" \
			--json="$RESULTS" \
			"${opts[@]}" \
			"$@"
	) 2>&1 |
		# Known noise: kunit.py runs "stty sane" for the UML console,
		# which fails without a tty (CI), and binutils 2.40 warns about
		# every UML link.  Real warnings still come through.
		grep --line-buffered -vE "$NOISE_RE" |
		tee -- "$KUNIT_OUT"
	rc=${PIPESTATUS[0]}
	set -e
	# Booting means the build went through; options that change the
	# kernel (BUILD_OPTS) leave no stamp, so the next plain run rebuilds.
	if [[ $MODE == run ]] && ((BUILD_OPTS == 0)) &&
	   grep -q 'Starting KUnit Kernel' "$KUNIT_OUT"; then
		build_key >"$BUILT"
	fi
	return "$rc"
}

# Print one line per suite and leave "passed failed skipped" totals in the
# last line.  Parameterised cases count one per parameter, as kunit.py does.
summarize_json() {
	python3 - "$RESULTS" <<-'EOF'
	import json, sys

	def leaves(group):
	    for case in group.get("test_cases", []):
	        yield case["name"], case["status"]
	    for sub in group.get("sub_groups", []):
	        for name, status in leaves(sub):
	            yield sub["name"] + "." + name, status

	top = json.load(open(sys.argv[1]))
	suites = [(g["name"], list(leaves(g))) for g in top.get("sub_groups", [])]
	# A suite that crashed before reporting any case shows up as a case.
	suites += [(c["name"], [("(suite)", c["status"])]) for c in top.get("test_cases", [])]

	totals = [0, 0, 0]
	width = max([len(name) for name, _ in suites] + [10])
	for name, cases in suites:
	    p = sum(s == "PASS" for _, s in cases)
	    k = sum(s == "SKIP" for _, s in cases)
	    f = len(cases) - p - k
	    totals = [totals[0] + p, totals[1] + f, totals[2] + k]
	    mark = "FAIL" if f else "ok  "
	    print(f"  {mark} {name:<{width}}  {p:3d} passed {f:3d} failed {k:3d} skipped")
	    for case, s in cases:
	        if s not in ("PASS", "SKIP"):
	            print(f"         {s}: {name}.{case}")
	print(*totals)
	EOF
}

# Grep the whole UML console log, not just the KTAP kunit.py parses: a
# WARN_ON or lockdep report in a passing test is still a bug.
scan_kernel_log() {
	local hits n end=0 shown=0
	[[ -f $TEST_LOG ]] || return 0
	hits=$(grep -nE -- "$SPLAT_RE" "$TEST_LOG" |
		{ if [[ -n ${MOAT_KUNIT_LOG_ALLOW:-} ]]; then
			grep -vE -- "$MOAT_KUNIT_LOG_ALLOW"; else cat; fi; } || true)
	[[ -z $hits ]] && return 0
	log "kernel log of the run has $(wc -l <<<"$hits") warning/bug line(s):"
	while IFS=: read -r n _; do
		# Lines inside a report already printed are part of it.
		((n > end)) || continue
		((shown++ < 10)) || break
		echo "---- $TEST_LOG:$n (during $(test_at_line "$n"))"
		# The report up to its end marker (WARN, KASAN/UBSAN), at most
		# 60 lines: enough for the stack trace.
		end=$(awk -v n="$n" 'NR >= n && (NR == n + 59 ||
			(NR > n && /---\[ end trace|^=+$/)) { print NR; exit }
			END { print NR }' "$TEST_LOG" | head -n 1)
		sed -n "${n},${end}p" -- "$TEST_LOG"
	done <<<"$hits"
	echo "----"
	return 1
}

# Name the test that was running at a kernel log line: the innermost
# "# Subtest:" before it and the first KTAP result line after it.
test_at_line() {
	local suite result
	suite=$(head -n "$1" -- "$TEST_LOG" | grep -E '# Subtest: ' | tail -n 1 |
		sed -E 's/.*# Subtest: //' || true)
	result=$(tail -n "+$1" -- "$TEST_LOG" | grep -m 1 -E '^ *(not )?ok [0-9]+ ' |
		sed -E 's/^ *(not )?ok [0-9]+ (- )?//; s/ *#.*//' || true)
	printf '%s' "${suite:-boot}${result:+.$result}"
}

# kunit.py prints the whole make stderr on a build failure; repeat just
# the diagnostics at the end where a CI log reader looks first, with paths
# mapped back from the grafted copy to the files to edit in the clone.
show_build_errors() {
	local errs
	errs=$(sed -e 's/^ERROR:root://' -- "$KUNIT_OUT" |
		grep -E -- 'error:|undefined reference|multiple definition|^ERROR: |Missing: ' |
		sed -e "s#$SRC/net/moat/tests/#$REPO/tests/kunit/#g" \
		    -e "s#$SRC/net/moat/Kbuild.moat#$REPO/kmod/Kbuild#g" \
		    -e "s#$SRC/net/moat/Kconfig#$REPO/Kconfig#g" \
		    -e "s#$SRC/net/moat/#$REPO/kmod/#g" \
		    -e "s#$SRC/include/uapi/linux/moat.h#$REPO/include/uapi/linux/moat.h#g" |
		head -n 40 || true)
	if [[ -n $errs ]]; then
		log "errors (paths mapped to $REPO):"
		printf '%s\n' "$errs"
	fi
}

# run.sh owns how kunit.py is driven and where its results go; options
# that change that would make the verdict below wrong.
check_args() {
	local a
	for a in "$@"; do
		case "$a" in
		-h|--help) usage; exit 0 ;;
		--json*|--raw_output*|--build_dir*|--arch*|--qemu_config*|--run_isolated*)
			die 3 "$a is not supported by run.sh (it sets or relies on it);" \
				"call kunit.py in $SRC directly for that" ;;
		--list_tests|--list_tests_attr)
			LIST_ONLY=1 ;;
		--kunitconfig*|--kconfig_add*|--make_options*|--alltests|--cross_compile*)
			BUILD_OPTS=1 ;;
		esac
	done
}

main() {
	LIST_ONLY=0 BUILD_OPTS=0 GRAFT_CHANGED=0
	check_args "$@"

	check_prereqs
	take_lock
	SECONDS=0 # time from here on, not the wait for the lock
	unpack_source
	graft_module
	choose_mode

	local rc=0 failed=0 totals passed=0 nfailed=0 skipped=0
	run_kunit "$@" || rc=$?
	# Listing boots the kernel but runs nothing: no verdict to give.
	((LIST_ONLY)) && exit "$rc"

	if [[ ! -s $RESULTS ]]; then
		# No JSON means kunit.py stopped before booting the kernel.
		show_build_errors
		if grep -q 'Starting KUnit Kernel' "$KUNIT_OUT"; then
			log "FAIL: the kernel ran but kunit.py produced no results (exit $rc)"
			echo "kunit: 0 passed, 0 failed"
			exit 1
		elif grep -q 'Building KUnit Kernel' "$KUNIT_OUT"; then
			log "FAIL: kernel build failed (compiler output above)"
		else
			log "FAIL: kernel configuration failed (kunit.py's error above)"
		fi
		echo "kunit: 0 passed, 0 failed"
		exit 2
	fi

	echo
	echo "kunit: results per suite"
	totals=$(summarize_json)
	sed '$d' <<<"$totals"
	read -r passed nfailed skipped < <(tail -n 1 <<<"$totals")

	if ! scan_kernel_log; then
		log "FAIL: kernel warnings/bugs during the run (see above)"
		failed=1
	fi
	if ((passed + nfailed == 0)); then
		log "FAIL: no tests ran${1:+ (filter: $*)}"
		failed=1
	fi
	if ((rc != 0 && nfailed == 0 && failed == 0)); then
		# e.g. a crash kunit.py noticed but could not pin on a case
		log "FAIL: kunit.py exited with status $rc"
		failed=1
	fi
	((skipped)) && log "$skipped test case(s) skipped"
	log "took ${SECONDS}s"
	echo "kunit: $passed passed, $nfailed failed"
	((nfailed == 0 && failed == 0))
}

# Braces: bash parses the whole line before running it, so editing this
# file during a run (it takes minutes) cannot make bash execute the tail.
{ main "$@"; exit; }
