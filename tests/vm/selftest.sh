#!/bin/bash
# Host-only checks of the VM harness logic, no qemu needed (a second or so):
# the kernel log scanner against fake dmesg captures, and how run.sh judges
# a scenario from its exit status, reset problems and kernel log.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=run.sh
. "$here/run.sh"
set +e # the checks below look at failures on purpose

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passes=0 failures=0

ok() {
	passes=$((passes + 1))
	echo "ok - $*"
}
not_ok() {
	failures=$((failures + 1))
	echo "not ok - $*"
}

# --- klog_scan -------------------------------------------------------------

# Lines a healthy run of the module produces: none may trip the scanner.
cat >"$tmp/clean" <<'EOF'
[   12.453302] moat: loading out-of-tree module taints kernel.
[   12.459198] moat: module verification failed: signature and/or required key missing - tainting kernel
[   12.461809] moat: IPsec ESP tunnel device, genetlink version 1
[   19.313260] IPv6: ADDRCONF(NETDEV_CHANGE): veth-right: link becomes ready
[   45.068502] netlink: 'moat-nlraw': attribute type 6 has an invalid length.
[   47.432369] overlayfs: failed to get metacopy (-5)
[   48.000000] warning: process `foo' used the deprecated sysctl system call
EOF
if hits=$(klog_scan "$tmp/clean"); then
	not_ok "clean log flagged: $hits"
else
	ok "clean log passes"
fi

if klog_scan "$tmp/does-not-exist" >/dev/null; then
	not_ok "missing log flagged"
else
	ok "missing log is clean (the caller handles it)"
fi

# One realistic line per kind of kernel complaint the policy must catch.
while IFS= read -r line; do
	printf '%s\n' "[    1.000000] moat: fine" "$line" \
		"[    3.000000] moat: fine" >"$tmp/bad"
	hits=$(klog_scan "$tmp/bad")
	if [[ $? == 0 && $hits == "$line" ]]; then
		ok "caught: ${line:15:60}"
	else
		not_ok "missed or misreported: $line (got: $hits)"
	fi
done <<'EOF'
[   20.100000] WARNING: CPU: 1 PID: 345 at net/xfrm/xfrm_state.c:712 xfrm_state_fini+0x5a/0x60
[   20.100000] BUG: sleeping function called from invalid context at include/linux/sched/mm.h:274
[   20.100000] BUG: KASAN: slab-use-after-free in moat_xmit+0x1c/0x2a0 [moat]
[   20.100000] BUG: unable to handle page fault for address: ffffffffc0a01000
[   20.100000] Oops: 0000 [#1] PREEMPT SMP NOPTI
[   20.100000] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1]
[   20.100000] kernel BUG at net/core/dev.c:10876!
[   20.100000] WARNING: possible circular locking dependency detected
[   20.100000] INFO: lockdep is turned off.
[   20.100000] Call Trace:
[   20.100000] UBSAN: shift-out-of-bounds in kmod/replay.c:88:23
[   20.100000] refcount_t: underflow; use-after-free.
[   20.100000] list_del corruption, ffff888004a1c0a8->next is LIST_POISON1 (dead000000000100)
[   20.100000] unregister_netdevice: waiting for moat0 to become free. Usage count = 2
EOF

# --- judging a scenario ----------------------------------------------------

WORK=$tmp/work
mkdir -p "$WORK/res/out"
OUTPUT_LINES=5

# judge NAME RC SECS PROBLEM KLOG-FILE -> the verdict line on stdout
judge() {
	local name=$1
	TIMEOUT_OF[$name]=30
	echo "output of $name" >"$WORK/res/out/$name.out"
	[[ -n $5 ]] && cp "$5" "$WORK/res/out/$name.dmesg"
	report_scenario "$name" "$2" "$3" "$4" | head -n 1
}

expect() { # description expected actual
	if [[ $3 == "$2" ]]; then ok "$1"; else not_ok "$1: got '$3', want '$2'"; fi
}

printf '%s\n' "[   20.100000] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1" \
	>"$tmp/warn"
expect "pass" "PASS vm/a (3s)" "$(judge a 0 3 "" "$tmp/clean")"
expect "exit status" "FAIL vm/b: exit status 1" "$(judge b 1 3 "" "$tmp/clean")"
expect "timeout" "FAIL vm/c: timed out after 30s" \
	"$(judge c 124 30 "" "$tmp/clean")"
expect "exit 124 before the limit is a plain failure" \
	"FAIL vm/d: exit status 124" "$(judge d 124 2 "" "$tmp/clean")"
expect "kernel warning fails a passing script" \
	"FAIL vm/e: kernel log: WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1" \
	"$(judge e 0 3 "" "$tmp/warn")"
expect "reset problem" "FAIL vm/f: reset: rmmod moat failed" \
	"$(judge f 0 3 "rmmod moat failed" "$tmp/clean")"
expect "no kernel log" "FAIL vm/g: no kernel log captured" \
	"$(judge g 0 3 "" "")"
expect "reasons add up" \
	"FAIL vm/h: exit status 2; reset: rmmod moat failed; kernel log: WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x1" \
	"$(judge h 2 3 "rmmod moat failed" "$tmp/warn")"

# A failure shows the output and the kernel log, indented.
full=$(report_scenario e 0 3 "")
if grep -q '^    output of e$' <<<"$full" &&
	grep -q '^    \[   20.100000\] WARNING' <<<"$full"; then
	ok "failure shows output and kernel log"
else
	not_ok "failure details missing: $full"
fi

# --- scenario_timeout --------------------------------------------------------

printf '#!/bin/bash\n# timeout: 42\necho hi\n' >"$tmp/t1.sh"
printf '#!/bin/bash\necho "# timeout: 42"\n' >"$tmp/t2.sh"
expect "timeout comment" 42 "$(scenario_timeout "$tmp/t1.sh")"
expect "default timeout" "$SCENARIO_TIMEOUT" "$(scenario_timeout "$tmp/t2.sh")"

echo "vm-selftest: $passes passed, $failures failed"
((failures == 0))
