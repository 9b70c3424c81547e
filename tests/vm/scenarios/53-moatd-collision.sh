#!/bin/bash
# moatd's §2.8 collisions, forced: with 5 s of delay each way between a
# and b, `moat ike rekey` on a and right after on b makes their requests
# cross. A simultaneous Child SA rekey installs two new SAs on each end;
# one is deleted again, so each end ends up with the same single pair
# (the SPIs of one are the other's), nothing else in the kernel, and
# traffic passes (52 counts lost pings: a 5 s netem delay under TCG loses
# some by itself). A
# rekey crossing `moat ike down` on the other end leaves nothing on
# either end.
# timeout: 500
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"
# shellcheck source=../moatd-rekey-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-rekey-lib.sh"
log() { echo "== [${SECONDS}s] $*"; }
trap dump_logs EXIT

# both CMD...: moat CMD in a, then in b, well within the delay.
both() {
	nsx a moat "$@" || fail "a: moat $*"
	nsx b moat "$@" || fail "b: moat $*"
}

gone() { test_nsas a 0 && test_nsas b 0; }
settled() { one_pair a && one_pair b; }

moat_load
tunnel_outer
for ns in a b; do
	# No timer rekeys: only the requested ones.
	moatd_conf $ns 'retransmit-timeout = 12s' 'dpd-delay = 0'
	start $ns
done
moatd_inner
nsx a moat ike up t || fail "ike up"
ping_ok a 10.2.0.1 || fail "no ping through the tunnel"
tc -n a qdisc add dev veth-b root netem delay 5s
tc -n b qdisc add dev veth-a root netem delay 5s

log "both ends rekey the Child SA at once"
before=$(spis a | xargs)
both ike rekey t
sleep 15	# requests, answers, Deletes: 10 s each way and back
wait_for -t 60 settled || fail "never back to one SA pair"
for ns in a b; do
	grep -q 'waits for a slot' $ns.log ||
		fail "$ns: no collision: the rekeys did not cross"
done
agree || fail "the ends disagree on the SPIs after the collision"
[[ $(spis a | xargs) != "$before" ]] || fail "a: SPIs unchanged"
nsx a ping -c 1 -W 15 10.2.0.1 >/dev/null ||
	fail "no ping after the Child SA collision"

# Both ends rekeying the IKE SA at once is left to the unit tests
# (tests/unit/test_exchange_child.c) for now: between two moatds over this
# 5 s delay, the redundant new IKE SA sometimes outlives the minute this
# scenario can wait (its Delete is retransmitted with backoff).

log "a rekey crossing a close: nothing is left"
nsx a moat ike rekey t || fail "a: ike rekey"
nsx b moat ike down t || fail "b: ike down"
sleep 5
wait_for -t 30 gone || fail "SAs left: a '$(spis a | xargs)' b '$(spis b | xargs)'"
for ns in a b; do
	[[ -z $(nsx $ns moat peer show dev moat0) ]] || fail "$ns: peer left"
	[[ $(ike_spis $ns) == "" ]] || fail "$ns: an IKE SA left"
done
stop a
stop b
