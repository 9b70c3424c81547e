#!/bin/bash
# moatd rekeys under traffic. Both ends run rekey-time = 2s (each rekeys
# at a random moment in the last tenth; the module's soft expiry at 2s is
# the fallback) and ike-rekey-time = 10s, while a ping crosses the tunnel
# every 0.15 s: after at least $MOAT_REKEYS (20) Child SA rekeys (new SAs
# installed, counted in moatd's log) and a few IKE SA rekeys (the Child
# SAs move to the new IKE SA, the old one is deleted on both sides), ping
# has lost nothing. The kernel never holds more than two outbound and
# four inbound SAs (current, new, one more after a collision, and a
# replaced inbound one kept for late packets) and settles back to one
# pair between rekeys. `moat ike rekey` rekeys on request (53: both ends
# agree on the SPIs; collisions). kill -9 leaves SAs that the next moatd
# removes, however many rekeys made them; SIGTERM removes everything.
# timeout: 420
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

REKEYS=${MOAT_REKEYS:-20}

# rekeys_since N: Child SA rekeys in a.log after its line N. Each rekey
# installs a new SA; a collision (both ends rekeyed the same SA, §2.8.1)
# installs two, the second waiting for a free outbound slot.
rekeys_since() {
	local inst wait
	inst=$(tail -n +"$(($1 + 1))" a.log | grep -c 'installed SAs in' || true)
	wait=$(tail -n +"$(($1 + 1))" a.log | grep -c 'waits for a slot' || true)
	echo $((inst - wait))
}

# more_installs N: a logged more than N Child SA installs.
more_installs() { (($(grep -c 'installed SAs' a.log) > $1)); }

moat_load
tunnel_outer
for ns in a b; do
	moatd_conf $ns 'rekey-time = 2s' 'life-time = 20s' \
		'ike-rekey-time = 10s' 'ike-life-time = 60s' 'dpd-delay = 30s'
	start $ns
done
moatd_inner
nsx a moat ike up t || fail "ike up"
ping_ok a 10.2.0.1 || fail "no ping through the tunnel"

log "ping every 0.15 s while the SAs are rekeyed $REKEYS times"
ip netns exec a ping -i 0.15 -W 3 10.2.0.1 >ping.out 2>&1 &
ping_pid=$!
mark=$(wc -l <a.log)
max_in=0 max_out=0 rekeys=0
end=$((SECONDS + REKEYS * 6 + 30))
while ((rekeys < REKEYS && SECONDS < end)); do
	n_in=$(nsas a in) n_out=$(nsas a out)
	((n_in > max_in)) && max_in=$n_in
	((n_out > max_out)) && max_out=$n_out
	rekeys=$(rekeys_since "$mark")
	sleep 0.5
done
kill -INT $ping_pid
wait $ping_pid || true
log "$rekeys Child SA rekeys; up to $max_in inbound, $max_out outbound SAs"
grep -v '^64 bytes' ping.out
((rekeys >= REKEYS)) || fail "only $rekeys Child SA rekeys while ping ran"
no_loss ping.out || fail "ping lost packets across the rekeys"
((max_out <= 2 && max_in <= 4)) ||
	fail "a: up to $max_in inbound and $max_out outbound SAs at once"
n_ike=$(grep -c 'IKE SA rekeyed' a.log || true)
((n_ike >= 2)) || fail "a: $n_ike IKE SA rekeys, expected at least 2"
for ns in a b; do
	grep -q 'old IKE SA deleted' $ns.log ||
		fail "$ns: no old IKE SA was deleted"
	! grep -q 'IKE SA failed' $ns.log || fail "$ns: an IKE SA failed"
	! grep -Eq 'kernel refused|sa add' $ns.log ||
		fail "$ns: the kernel refused an SA"
done
grep -q 'soft-expired: rekey' a.log b.log ||
	log "(no soft-expiry event was needed)"

log "between rekeys, back to one pair"
for ns in a b; do
	wait_for -t 30 one_pair $ns || fail "$ns: never back to one SA pair"
done
[[ $(ike_spis a | wc -l) == 1 ]] || fail "a: IKE SAs '$(ike_spis a)'"

log "moat ike rekey: a Child SA and the IKE SA on request"
before=$(grep -c 'installed SAs' a.log)
nsx a moat ike rekey t || fail "ike rekey t"
wait_for -t 5 more_installs "$before" ||
	fail "a: no new Child SA after ike rekey"
old=$(ike_spis a)
wait_for -t 5 nsx a moat ike rekey t ike || fail "ike rekey t ike"
wait_for -t 10 one_ike a || fail "a: the old IKE SA stays"
[[ $(ike_spis a) != "$old" ]] || fail "a: IKE SPIs unchanged by ike rekey"
ping_ok a 10.2.0.1 || fail "no ping after the requested rekeys"
refused 'no such conn' nsx a moat ike rekey nosuch

log "kill -9: the next moatd removes every SA, rekeyed ones too"
stop b KILL
[[ $(nsas b) -ge 2 ]] || fail "b: SIGKILL should leave the SAs"
start b
[[ $(nsas b) == 0 ]] || fail "b: leftovers not removed: $(spis b)"
[[ -z $(nsx b moat peer show dev moat0) ]] || fail "b: peer left"

log "SIGTERM removes what moatd installed"
wait_for -t 30 test_nsas a 0 || fail "a: SAs kept for the killed b"
nsx a moat ike up t || fail "ike up after b's restart"
sleep 3	# a rekey or two
stop a
[[ $(nsas a) == 0 ]] || fail "a: SAs left after SIGTERM: $(spis a)"
[[ -z $(nsx a moat peer show dev moat0) ]] || fail "a: peer left after SIGTERM"
# a's Delete, or, when a request of a was outstanding at SIGTERM (one at
# a time: no Delete could go out), b's next rekey timing out.
wait_for -t 25 test_nsas b 0 || fail "b: SAs kept after a stopped"
stop b
