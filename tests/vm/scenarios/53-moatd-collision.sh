#!/bin/bash
# moatd's §2.8 collisions, forced: with 5 s of delay each way between a
# and b, `moat ike rekey` on a and right after on b makes their requests
# cross. A simultaneous Child SA rekey installs two new SAs on each end;
# one is deleted again, so each end ends up with the same single pair
# (the SPIs of one are the other's), nothing else in the kernel, and
# traffic passes (52 counts lost pings: a 5 s netem delay under TCG loses
# some by itself). A simultaneous IKE SA rekey leaves one IKE SA on each
# end, the same one, with the Child SA moved to it, once the Deletes of
# the old and the redundant SA are through. A rekey crossing `moat ike
# down` on the other end leaves nothing on either end.
# timeout: 500
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"
# shellcheck source=../moatd-rekey-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-rekey-lib.sh"
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
# Fixed neighbours: a request that first had to resolve its next hop
# through the delay would leave 10 s late, and the rekeys would not cross.
ip -n a neigh replace 192.0.2.2 dev veth-b nud permanent \
	lladdr "$(ip -n b -br link show dev veth-a | awk '{ print $3 }')"
ip -n b neigh replace 192.0.2.1 dev veth-a nud permanent \
	lladdr "$(ip -n a -br link show dev veth-b | awk '{ print $3 }')"
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

log "both ends rekey the IKE SA at once"
old=$(ike_spis a)
both ike rekey t ike
sleep 15
# Each end waits up to 10 s and two retransmit timeouts for a Delete.
wait_for -t 90 one_ike a || fail "a: not back to one IKE SA"
wait_for -t 90 one_ike b || fail "b: not back to one IKE SA"
grep -q 'redundant' a.log b.log || fail "no IKE SA collision"
[[ $(ike_spis a) == "$(ike_spis b)" ]] ||
	fail "IKE SAs differ: a '$(ike_spis a)', b '$(ike_spis b)'"
[[ $(ike_spis a) != "$old" ]] || fail "IKE SPIs unchanged"
agree || fail "the Child SA did not survive the IKE SA collision"
nsx a ping -c 1 -W 15 10.2.0.1 >/dev/null ||
	fail "no ping after the IKE SA collision"

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
