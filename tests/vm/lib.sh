# shellcheck shell=bash
# Helpers for VM scenarios: `. "$MOAT_VM_LIB"` (= $MOAT_ROOT/tests/vm/lib.sh).
# Small on purpose; see tests/vm/README.md.

# fail MSG...: end the scenario as failed, with a reason in its output.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# log MSG...: a visible step marker in the scenario's output.
log() { echo "== [${SECONDS}s] $*"; }

# nsx NS CMD...: run CMD inside network namespace NS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# netns_pair A B [ADDR_A ADDR_B]: create namespaces A and B (if missing)
# joined by a veth pair, both ends up, lo up in both.  The end in A is named
# "veth-B" and the end in B "veth-A" (names cut to 15 chars).  Addresses are
# CIDR, default 10.99.0.1/24 and 10.99.0.2/24.
netns_pair() {
	local a=$1 b=$2 addr_a=${3:-10.99.0.1/24} addr_b=${4:-10.99.0.2/24}
	local dev_a="veth-$b" dev_b="veth-$a" ns
	dev_a=${dev_a:0:15} dev_b=${dev_b:0:15}
	for ns in "$a" "$b"; do
		[[ -e /run/netns/$ns ]] || ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add "$dev_a" netns "$a" type veth peer name "$dev_b" netns "$b"
	ip -n "$a" addr add "$addr_a" dev "$dev_a"
	ip -n "$b" addr add "$addr_b" dev "$dev_b"
	ip -n "$a" link set "$dev_a" up
	ip -n "$b" link set "$dev_b" up
}

# wait_for [-t SECS] CMD...: retry CMD (every 0.2 s) until it succeeds;
# returns 1 with a message after SECS (default 10) seconds.
wait_for() {
	local secs=10 end
	if [[ $1 == -t ]]; then
		secs=$2
		shift 2
	fi
	end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS >= end)); then
			echo "wait_for: gave up after ${secs}s: $*" >&2
			return 1
		fi
		sleep 0.2
	done
}

# ping_ok NS ADDR: one ping from NS to ADDR answered within 2 s.  Uses
# busybox's ping, since iputils-ping is not always installed on the host.
ping_ok() {
	nsx "$1" busybox ping -c 1 -W 2 "$2" >/dev/null
}

# moat_load [PARAM=VALUE...]: insmod the built module (fails clearly when
# it was not built).  The harness unloads it after the scenario.
moat_load() {
	[[ -f $MOAT_KO ]] || fail "module not built: $MOAT_KO"
	# insmod resolves nothing: load what modinfo says moat depends on.
	local dep
	for dep in $(modinfo -F depends "$MOAT_KO" | tr , ' '); do
		modprobe "$dep"
	done
	insmod "$MOAT_KO" "$@"
}

# expect_fail CMD...: succeed only if CMD fails.
expect_fail() {
	if "$@"; then
		echo "expected failure, but succeeded: $*" >&2
		return 1
	fi
	return 0
}

# refused PATTERN CMD...: CMD must fail, and say something matching the
# extended regex PATTERN (what a person would read).
refused() {
	local pat=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "accepted: $* -> $out"
	fi
	echo "  $* -> $out"
	grep -qE -- "$pat" <<<"$out" || fail "wrong message for $*: $out"
}
