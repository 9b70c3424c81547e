# shellcheck shell=bash
# Kernel log policy for the VM tests, sourced by run.sh and selftest.sh.
#
# Any of these strings in the kernel log of a scenario fails it, even if the
# scenario script itself passed: a data path that warns, leaks a refcount or
# sleeps in atomic context is broken whatever its packets look like.
KLOG_PATTERNS=(
	'WARNING:'
	'BUG:'
	'Oops'
	'general protection'
	'lockdep'
	'possible circular locking'
	'sleeping function called from invalid context'
	'Call Trace'
	'kernel BUG'
	'UBSAN'
	'KASAN'
	'refcount_t'
	'list_del corruption'
	'unregister_netdevice: waiting'
)

# klog_scan FILE: print the offending lines of FILE (a dmesg capture) and
# return 0 if there are any, 1 if the log is clean.  A missing file is clean;
# the caller decides whether a missing log is itself a failure.
klog_scan() {
	local file=$1 args=() p
	[[ -r $file ]] || return 1
	for p in "${KLOG_PATTERNS[@]}"; do
		args+=(-e "$p")
	done
	# Fixed strings, not regexps: the patterns are literal kernel text.
	grep -a -F "${args[@]}" -- "$file"
}
