#!/bin/bash
# moatd's §2.8 collisions, forced: with 400 ms of delay each way between
# a and b, `moat ike rekey` on both ends at once makes their requests
# cross. A simultaneous Child SA rekey installs two new SAs on each end;
# one is deleted again, so each end ends up with the same single pair
# (the SPIs of one are the other's), nothing else in the kernel, and the
# ping that ran across it lost nothing. A simultaneous IKE SA rekey leaves
# one IKE SA on each end, the same one, with the Child SA moved to it. A
# rekey crossing `moat ike down` on the other end ends with nothing on
# either end.
# timeout: 200
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"
# shellcheck source=../moatd-rekey-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-rekey-lib.sh"
log() { echo "== [${SECONDS}s] $*"; }
trap moatd_dump_logs EXIT

# both CMD...: moat CMD in a and in b at the same moment.
both() {
	ip netns exec a moat "$@" >a.cmd 2>&1 &
	local pa=$!
	ip netns exec b moat "$@" >b.cmd 2>&1 || fail "b: moat $*: $(cat b.cmd)"
	wait $pa || fail "a: moat $*: $(cat a.cmd)"
}

test_nsas() { [[ $(moatd_nsas "$1") == "$2" ]]; }
gone() { test_nsas a 0 && test_nsas b 0; }
settled() { one_pair a && one_pair b; }

moat_load
tunnel_outer
for ns in a b; do
	# No timer rekeys: only the requested ones.
	moatd_conf $ns 'retransmit-timeout = 3s' 'dpd-delay = 0'
	moatd_start $ns
done
moatd_inner
nsx a moat ike up t || fail "ike up"
ping_ok a 10.2.0.1 || fail "no ping through the tunnel"
tc -n a qdisc add dev veth-b root netem delay 400ms
tc -n b qdisc add dev veth-a root netem delay 400ms

log "both ends rekey the Child SA at once, under a ping"
ip netns exec a ping -i 0.2 -W 5 10.2.0.1 >ping.out 2>&1 &
ping_pid=$!
sleep 1
before=$(spis a | xargs)
both ike rekey t
wait_for -t 20 settled || fail "never back to one SA pair"
sleep 2		# the last replaced inbound SAs go, ping goes on
for ns in a b; do
	grep -q 'waits for a slot' $ns.log ||
		fail "$ns: no collision: the rekeys did not cross"
done
agree || fail "the ends disagree on the SPIs after the collision"
[[ $(spis a | xargs) != "$before" ]] || fail "a: SPIs unchanged"
kill -INT $ping_pid
wait $ping_pid || true
grep -v '^64 bytes' ping.out
no_loss ping.out 20 6 || fail "ping lost packets across the collision"

log "both ends rekey the IKE SA at once"
old=$(ike_spis a)
both ike rekey t ike
wait_for -t 20 one_ike a || fail "a: not back to one IKE SA"
wait_for -t 20 one_ike b || fail "b: not back to one IKE SA"
grep -q 'redundant' a.log b.log || fail "no IKE SA collision"
[[ $(ike_spis a) == "$(ike_spis b)" ]] ||
	fail "IKE SAs differ: a '$(ike_spis a)', b '$(ike_spis b)'"
[[ $(ike_spis a) != "$old" ]] || fail "IKE SPIs unchanged"
agree || fail "the Child SA did not survive the IKE SA collision"
ping_ok a 10.2.0.1 || fail "no ping after the IKE SA collision"
# The moved Child SA is rekeyed on the new IKE SA.
nsx a moat ike rekey t || fail "Child SA rekey on the new IKE SA"
sleep 3
agree || fail "the ends disagree after a rekey on the new IKE SA"

log "a rekey crossing a close: nothing is left"
ip netns exec a moat ike rekey t >a.cmd 2>&1 &
nsx b moat ike down t || fail "b: ike down"
wait || true
wait_for -t 20 gone || fail "SAs left: a '$(spis a | xargs)' b '$(spis b | xargs)'"
for ns in a b; do
	[[ -z $(nsx $ns moat peer show dev moat0) ]] || fail "$ns: peer left"
	[[ $(ike_spis $ns) == "" ]] || fail "$ns: an IKE SA left"
done
moatd_stop a
moatd_stop b
