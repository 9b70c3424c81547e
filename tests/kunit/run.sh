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
#   MOAT_KUNIT_KMEMLEAK   set to 0 to skip the kmemleak pass (a second boot
#                         of the same kernel and tests that fails on leaks)
#   MOAT_KUNIT_KMEMLEAK_ALLOW    extended regex; unreferenced objects whose
#                         kmemleak report matches it are not failures
#   MOAT_KUNIT_KMEMLEAK_TIMEOUT  bound on that boot in seconds (default:
#                         kunit.py's --timeout, 300, plus 60)
#   MOAT_KUNIT_KMEMLEAK_WAIT     seconds from init to the first scan
#                         (default 6; kmemleak ignores younger objects)
#
# Exit status: 0 all passed; 1 test failure, kernel log splat, leak or no
# tests ran; 2 configuration or build failure; 3 missing prerequisites or
# setup problem.

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
KMEMLEAK_LOG=$CACHE/kmemleak.log   # console of the last kmemleak boot
KMEMLEAK_JSON=$CACHE/kmemleak.json # its KTAP, parsed by kunit.py

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
	sed -n '/^# Usage:/,/^# setup problem\./s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
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
		patch patch
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

# Fixes this bench needs in Debian's tree, tests/kunit/patches/*.patch in
# name order, applied on top of the unpacked source.  A patch that
# reverses cleanly is in already.  One that does neither means the tree
# was changed some other way: remove $SRC and it is unpacked afresh.
apply_patches() {
	local p
	for p in "$HERE"/patches/*.patch; do
		[[ -e $p ]] || continue
		patch -d "$SRC" -p1 -R -f -s --dry-run -i "$p" >/dev/null 2>&1 && continue
		log "applying $(basename -- "$p") to $SRC"
		patch -d "$SRC" -p1 -N -f -s -i "$p" >/dev/null ||
			die 3 "$p does not apply; remove $SRC to unpack the kernel afresh"
		GRAFT_CHANGED=1
	done
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
# So are this bench's own scripts, docs and kernel patches, so editing them
# rebuilds nothing.
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
		--exclude='/tests/*.md' --exclude='/tests/*.sh' --exclude='/tests/*.pl' \
		--exclude='/tests/patches/' \
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

# Print one line per suite of kunit.py's JSON ($1, default: the run's) and
# leave "passed failed skipped" totals in the last line.  Parameterised
# cases count one per parameter, as kunit.py does.
summarize_json() {
	python3 - "${1:-$RESULTS}" <<-'EOF'
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

# Grep a whole UML console log (default: kunit.py's run), not just the
# KTAP kunit.py parses: a WARN_ON or lockdep report in a passing test is
# still a bug.
scan_kernel_log() {
	local log=${1:-$TEST_LOG} hits n end=0 shown=0
	[[ -f $log ]] || return 0
	hits=$(grep -nE -- "$SPLAT_RE" "$log" |
		{ if [[ -n ${MOAT_KUNIT_LOG_ALLOW:-} ]]; then
			grep -vE -- "$MOAT_KUNIT_LOG_ALLOW"; else cat; fi; } || true)
	[[ -z $hits ]] && return 0
	log "kernel log of the run has $(wc -l <<<"$hits") warning/bug line(s):"
	while IFS=: read -r n _; do
		# Lines inside a report already printed are part of it.
		((n > end)) || continue
		((shown++ < 10)) || break
		echo "---- $log:$n (during $(test_at_line "$log" "$n"))"
		# The report up to its end marker (WARN, KASAN/UBSAN), at most
		# 60 lines: enough for the stack trace.
		end=$(awk -v n="$n" 'NR >= n && (NR == n + 59 ||
			(NR > n && /---\[ end trace|^=+$/)) { print NR; exit }
			END { print NR }' "$log" | head -n 1)
		sed -n "${n},${end}p" -- "$log"
	done <<<"$hits"
	echo "----"
	return 1
}

# Name the test that was running at line $2 of log $1: the innermost
# "# Subtest:" before it and the first KTAP result line after it.
test_at_line() {
	local suite result
	suite=$(head -n "$2" -- "$1" | grep -E '# Subtest: ' | tail -n 1 |
		sed -E 's/.*# Subtest: //' || true)
	result=$(tail -n "+$2" -- "$1" | grep -m 1 -E '^ *(not )?ok [0-9]+ ' |
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

# The kmemleak pass.  kunit.py halts the kernel as soon as the suites are
# done, so nobody looks at what they leaked.  kmemleak_pass boots the same
# kernel once more with the same tests, the host's / as a read-only hostfs
# root and kmemleak-init.pl as init, which has kmemleak scan twice; with
# kmemleak.verbose=1 the kernel prints every unreferenced object on the
# console.  Each one fails the pass: booted with no suite at all this
# kernel reports none (see README.md), so whatever shows up comes from the
# suites and the module code they drive.

# glibc's AVX and AVX-512 string functions misbehave in UML user processes
# on hosts with AVX-512 (see kmemleak-init.pl): keep to SSE.
KMEMLEAK_TUNABLES=glibc.cpu.hwcaps=-AVX,-AVX2,-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD

# What kunit.py gave the kernel it booted: the timeout on the first line,
# then one kernel argument per line (--kernel_args, the filter glob,
# --filter, --filter_action), read with kunit.py's own option parser and
# assembled as kunit_kernel.run_kernel() does.
kunit_boot_args() {
	(cd -- "$SRC/tools/testing/kunit" && python3 - "$@" <<-'EOF'
	import argparse, sys
	import kunit

	p = argparse.ArgumentParser()
	for add in (kunit.add_common_opts, kunit.add_build_opts,
	            kunit.add_exec_opts, kunit.add_parse_opts):
	    add(p)
	a = p.parse_args(sys.argv[1:])
	args = list(a.kernel_args or [])
	if a.filter_glob:
	    args.append("kunit.filter_glob=" + a.filter_glob)
	if a.filter:
	    args.append('kunit.filter="' + a.filter + '"')
	if a.filter_action:
	    args.append("kunit.filter_action=" + a.filter_action)
	print(a.timeout)
	print(*args, sep="\n")
	EOF
	)
}

# The unreferenced objects kmemleak printed, one block each: the line
# "kmemleak: unreferenced object ..." and the indented "kmemleak:   ..."
# lines after it (comm, hex dump, backtrace).  Leaves out the objects that
# MOAT_KUNIT_KMEMLEAK_ALLOW matches.
kmemleak_objects() {
	awk -v allow="${MOAT_KUNIT_KMEMLEAK_ALLOW:-}" '
		function flush() {
			if (obj != "" && (allow == "" || obj !~ allow))
				printf "%s", obj
			obj = ""
		}
		/^kmemleak: unreferenced object / { flush(); obj = $0 "\n"; next }
		obj != "" && /^kmemleak:  / { obj = obj $0 "\n"; next }
		{ flush() }
		END { flush() }' "$KMEMLEAK_LOG"
}

# Boot the kernel for the kmemleak pass and judge it.  $1 is the number of
# test cases kunit.py's run reported, $2 whether its log was clean, the
# rest run.sh's arguments.  Returns 0 pass, 1 fail, 2 skipped; sets
# KMEMLEAK_WHY to one line saying why.
kmemleak_pass() {
	local want=$1 first_clean=$2 init=$HERE/kmemleak-init.pl rc limit
	local objects n p f k err printed counted
	local -a boot
	shift 2
	if [[ ${MOAT_KUNIT_KMEMLEAK:-1} == 0 ]]; then
		KMEMLEAK_WHY="skipped (MOAT_KUNIT_KMEMLEAK=0)"
		return 2
	fi
	if ! grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$BUILD/.config"; then
		KMEMLEAK_WHY="skipped: the kernel was built without CONFIG_DEBUG_KMEMLEAK"
		return 2
	fi
	if [[ $init == *[[:space:]]* ]]; then
		KMEMLEAK_WHY="$init: a kernel command line cannot carry white space"
		return 1
	fi
	mapfile -t boot < <(kunit_boot_args "$@")
	((${#boot[@]})) || { KMEMLEAK_WHY="cannot read kunit.py's options"; return 1; }
	limit=${MOAT_KUNIT_KMEMLEAK_TIMEOUT:-$((boot[0] + 60))}

	log "kmemleak: booting the kernel again to scan for leaks (at most ${limit}s)"
	rm -f -- "$KMEMLEAK_LOG" "$KMEMLEAK_JSON"
	# "ro" keeps the host's files read-only to the kernel; init only
	# mounts proc, sysfs and debugfs.  Unknown NAME=value arguments are
	# init's environment.  Stdin is not the terminal: UML would switch it
	# to raw mode.  timeout signals UML's whole process group, its helper
	# processes included.  A kernel panic makes UML abort(): no core dump.
	set +e
	(
		ulimit -c 0
		cd -- "$CACHE" &&
		exec timeout --kill-after=10 "$limit" "$BUILD/linux" "${boot[@]:1}" \
			kunit.enable=1 mem=1G console=tty kmemleak.verbose=1 \
			root=/dev/root rootfstype=hostfs rootflags=/ ro init="$init" \
			GLIBC_TUNABLES="$KMEMLEAK_TUNABLES" \
			MOAT_KMEMLEAK_WAIT="${MOAT_KUNIT_KMEMLEAK_WAIT:-6}"
	) </dev/null 2>&1 | tr -d '\r' >"$KMEMLEAK_LOG"
	rc=${PIPESTATUS[0]}
	set -e

	if ! grep -qx 'moat-kmemleak: done' "$KMEMLEAK_LOG"; then
		log "kmemleak: the boot's last lines:"
		tail -n 15 -- "$KMEMLEAK_LOG"
		err=$(grep -m 1 '^moat-kmemleak: error: ' "$KMEMLEAK_LOG" || true)
		if [[ -n $err ]]; then
			KMEMLEAK_WHY="kmemleak-init.pl: ${err#moat-kmemleak: }"
		elif ((rc == 124 || rc == 137)); then
			KMEMLEAK_WHY="the kmemleak boot timed out after ${limit}s"
		else
			KMEMLEAK_WHY="the kmemleak boot ended (exit $rc) without a report"
		fi
		KMEMLEAK_WHY+="; console in $KMEMLEAK_LOG"
		return 1
	fi
	# The same tests must have run again, to the end, or the pass proves
	# little.  kunit.py's parser exits 1 when a test failed: not our verdict.
	(cd -- "$SRC" && python3 tools/testing/kunit/kunit.py parse \
		--json="$KMEMLEAK_JSON" "$KMEMLEAK_LOG" >/dev/null) || true
	read -r p f k < <(summarize_json "$KMEMLEAK_JSON" 2>/dev/null | tail -n 1) || true
	if ((${p:-0} + ${f:-0} + ${k:-0} != want)); then
		KMEMLEAK_WHY="the kmemleak boot reported $((${p:-0} + ${f:-0} + ${k:-0}))"
		KMEMLEAK_WHY+=" test cases, kunit.py's run $want; console in $KMEMLEAK_LOG"
		return 1
	fi
	# Same tests, so the same splats as in the first log: only look when
	# that one was clean (this boot also has kmemleak scanning).
	if ((first_clean)) && ! scan_kernel_log "$KMEMLEAK_LOG"; then
		KMEMLEAK_WHY="kernel warnings/bugs during the kmemleak boot (see above)"
		return 1
	fi
	# Each scan that finds new objects ends with "kmemleak: N new
	# suspected memory leaks": the printed objects must add up to that.
	printed=$(grep -c '^kmemleak: unreferenced object ' "$KMEMLEAK_LOG") || true
	counted=$(sed -nE 's/^kmemleak: ([0-9]+) new suspected memory leaks.*/\1/p' \
		"$KMEMLEAK_LOG" | awk '{ n += $1 } END { print n + 0 }')
	if ((printed != counted)); then
		KMEMLEAK_WHY="kmemleak counted $counted leak(s) but $printed were printed"
		KMEMLEAK_WHY+="; console in $KMEMLEAK_LOG"
		return 1
	fi
	objects=$(kmemleak_objects)
	n=$(grep -c '^kmemleak: unreferenced object ' <<<"$objects") || true
	if ((n == 0)); then
		KMEMLEAK_WHY="no unreferenced object after $want test cases"
		((printed == 0)) ||
			KMEMLEAK_WHY+=" ($printed allowed by MOAT_KUNIT_KMEMLEAK_ALLOW)"
		return 0
	fi
	log "kmemleak: $n unreferenced object(s); the first ones:"
	awk '/^kmemleak: unreferenced object / && ++i > 10 { exit } { print }' <<<"$objects"
	echo "----"
	KMEMLEAK_WHY="$n unreferenced object(s) (reports above; all in $KMEMLEAK_LOG)"
	return 1
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
	apply_patches
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

	local clean=1
	if ! scan_kernel_log; then
		log "FAIL: kernel warnings/bugs during the run (see above)"
		failed=1 clean=0
	fi
	if ((passed + nfailed == 0)); then
		log "FAIL: no tests ran${1:+ (filter: $*)}"
		failed=1
	else
		# One more test case, named like a suite, so that check.sh's
		# count includes it.
		local km=0
		kmemleak_pass "$((passed + nfailed + skipped))" "$clean" "$@" || km=$?
		case $km in
		0) echo "  ok   moat_kmemleak: $KMEMLEAK_WHY"; ((++passed)) ;;
		2) echo "  skip moat_kmemleak: $KMEMLEAK_WHY"; ((++skipped)) ;;
		*) echo "  FAIL moat_kmemleak: $KMEMLEAK_WHY"; ((++nfailed)) ;;
		esac
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
