#!/bin/bash
# RFC 5723 session resumption (issue 9 item 6). moatd a connects to b and
# keeps the ticket b gives it. b's guard is then set to puzzles at
# difficulty 24, above a's puzzle-max-difficulty (20): a fresh client is
# asked that puzzle, and a would not solve it. a's path to b goes down, so
# a's liveness check times out and its IKE SA is lost; when the path is
# back, a resumes with IKE_SESSION_RESUME (which the guard does not judge):
# no puzzle, a new IKE SA on both ends, and the tunnel carries pings. When
# b restarts (its ticket key is gone) b answers a's next resumption with
# TICKET_NACK, and a falls back to IKE_SA_INIT.
# timeout: 150
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"

PROBE=(python3 -S "$MOAT_ROOT/tests/vm/tools/ike-probe.py")

moat_load
tunnel_outer
moatd_conf a "resumption = yes" "dpd-delay = 2s"
sed -i 's/^log-level = debug$/&\npuzzle-max-difficulty = 20/' a.conf
moatd_conf b "resumption = yes"
start a
start b

log "a connects and keeps a ticket"
nsx a moat ike up t || fail "a could not connect"
moatd_inner
nsx a ping -c 2 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "ping a -> b"
grep -q "t: resumption ticket kept" a.log || fail "a kept no ticket"

log "b's guard: puzzles at difficulty 24, above a's limit of 20"
nsx b moat guard set mode puzzles difficulty 24-24
out=$(nsx a "${PROBE[@]}" 192.0.2.2 500 1)
echo "   fresh client: $out"
[[ " $out " == *" first_puzzle=1 "* ]] || fail "a fresh client was not asked the puzzle"

log "a's path to b goes down: its IKE SA is lost"
ip -n a link set veth-b down
wait_for -t 30 grep -q "t: IKE SA failed: timeout" a.log ||
	fail "a's liveness check did not time out"
ip -n a link set veth-b up	# while a retransmits its resumption
grep -q "t: resuming with a ticket" a.log || fail "a did not resume"

log "a resumes: no puzzle, a new IKE SA on both ends"
wait_for -t 30 grep -q "t: IKE SA established (resumed)" a.log ||
	fail "a's resumption did not complete"
wait_for -t 5 grep -q "t: IKE SA established (resumed)" b.log ||
	fail "b did not see a resumption"
! grep -q "asks a puzzle" a.log || fail "a was asked a puzzle"
wait_for -t 10 nsx a ping -c 1 -W 1 10.2.0.1 >/dev/null ||
	fail "no ping a -> b after the resumption"
nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "ping b -> a"
[[ $(nsx a moat ike show | grep -c established) == 1 ]] ||
	fail "a: $(nsx a moat ike show)"
[[ $(nsx b moat ike show | grep -c established) == 1 ]] ||
	fail "b: $(nsx b moat ike show)"
grep -h "resum" a.log b.log | sed 's/^/   /'
[[ $(grep -c "t: resumption ticket kept" a.log) == 2 ]] ||
	fail "the resumed IKE_AUTH gave a no new ticket"

log "b restarts: its ticket key is gone, a's ticket gets TICKET_NACK"
nsx b moat guard set mode off
stop b
wait_for -t 5 no_sas a || fail "a: SAs left after b's Delete"
start b
nsx a moat ike up t || fail "a did not fall back to IKE_SA_INIT"
grep -q "t: IKE SA failed: TICKET_NACK" a.log || fail "b did not refuse the ticket"
grep -q "a resumption ticket refused" b.log || fail "b did not say it refused"
[[ $(grep -c "t: IKE SA established$" a.log) == 2 ]] ||
	fail "a's fallback is not a full IKE SA"
wait_for -t 10 nsx a ping -c 1 -W 1 10.2.0.1 >/dev/null ||
	fail "no ping a -> b after the fallback"
