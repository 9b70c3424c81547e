#!/bin/bash
# Rekeys and deletes between moatd in namespace a and strongSwan (Debian's
# charon, XFRM for ESP) in b, from both sides, with a PSK and a required
# RFC 8784 PPK (a rekeyed IKE SA derives its keys from the PPK-mixed
# SK_d). One IKE SA, set up once, while a ping crosses the tunnel every
# 0.2 s:
#   1. moatd rekeys the Child SA: both sides run the new SPI pair, the
#      old one is gone on both sides;
#   2. strongSwan rekeys the Child SA: the same;
#   3. moatd rekeys the IKE SA: new IKE SPIs on both sides, the old IKE
#      SA is gone on both, the Child SA carries on untouched;
#   4. strongSwan rekeys the IKE SA: the same;
#   5. strongSwan deletes the Child SA: moatd removes its pair and keeps
#      the IKE SA, as strongSwan does; moatd deletes the IKE SA: nothing
#      is left on either side.
# Ping lost nothing: a rekey is make-before-break on both ends (moatd
# switches its outbound SA only once the new pair is in, charon as
# responder only once the initiator deleted the old one).
# With MOAT_SS_REKEY_SECS=N (12; default 0: the rest already takes 4-5
# minutes under TCG on a busy host), moatd then rekeys by timer
# (rekey-time = 3s, ike-rekey-time = 8s) under ping for N seconds:
# several Child and at least one IKE SA rekey, no loss, one Child SA pair
# and one IKE SA on each side at the end (not yet run: untested).
# timeout: 420
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../strongswan-lib.sh
. "$MOAT_ROOT/tests/vm/strongswan-lib.sh"
# shellcheck source=../moatd-rekey-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-rekey-lib.sh"

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
ss_have || fail "strongSwan not installed (make deps installs it)"
log() { echo "== [${SECONDS}s] $*"; }
PSK='moat scenario 58 shared secret'
PPK=0x0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000
TIMER_SECS=${MOAT_SS_REKEY_SECS:-0}
ping_pid=

# ss_raw: b's SAs as swanctl --list-sas --raw prints them.
ss_raw() { ss b --list-sas --raw 2>/dev/null; }

# ss_ike: b's IKE SAs, "SPI_I SPI_R" a line.
ss_ike() {
	ss_raw | grep -o 'initiator-spi=[0-9a-f]* responder-spi=[0-9a-f]*' |
		sed 's/[a-z-]*=//g'
}

# a_child: a's kernel SPIs, "SPI/DIR" a line, sorted, hex without 0x.
a_child() { spis a | sed 's/^0x//'; }

# b_child: b's XFRM states as a_child would show them from a's side: the
# state towards 192.0.2.1 is a's inbound SA (ip prints SPIs as 0x%08x).
b_child() {
	ip -n b xfrm state | awk '
		/^src/ { dir = ($4 == "192.0.2.1") ? "in" : "out" }
		/proto esp spi/ { sub(/^0x/, "", $4); print $4 "/" dir }' |
		sort
}

# a_ike: a's established, not replaced IKE SAs, "SPI_I SPI_R" a line.
a_ike() { ike_spis a | tr 'A-F' 'a-f'; }

# child_agree: one pair on each side, the same SPIs.
child_agree() {
	local a
	a=$(a_child)
	[[ $(wc -l <<<"$a") == 2 && $a == "$(b_child)" ]]
}

# ike_agree: one IKE SA on each side, the same SPIs.
ike_agree() {
	local a
	a=$(a_ike)
	[[ -n $a && $(wc -l <<<"$a") == 1 && $(ss_ike) == "$a" ]] && one_ike a
}

no_policy() { [[ -z $(ip -n b xfrm policy) ]]; }
b_no_ike() { ! ss_raw | grep -q 'state='; }

# show: both sides' SAs, for a failure's message.
show() {
	echo "a child: $(a_child | xargs) ike: $(a_ike | xargs)"
	echo "b child: $(b_child | xargs) ike: $(ss_ike | xargs)"
}

# child_rekeyed LABEL OLD: both sides agree on a pair sharing no SPI
# with OLD, and ping still gets through.
child_rekeyed() {
	local new
	wait_for -t 15 child_agree || { show; fail "$1: sides disagree"; }
	new=$(a_child)
	comm -12 <(sed 's,/.*,,' <<<"$2" | sort) <(sed 's,/.*,,' <<<"$new" | sort) |
		grep -q . && { show; fail "$1: an old SPI is still installed"; }
	log "$1: $(xargs <<<"$2") -> $(xargs <<<"$new")"
	traffic_flows "$1"
}

# ike_rekeyed LABEL OLD_IKE OLD_CHILD: both sides run one IKE SA, not
# OLD_IKE; the Child SA pair OLD_CHILD carries on.
ike_rekeyed() {
	wait_for -t 15 ike_agree || { show; fail "$1: sides disagree"; }
	[[ $(a_ike) != "$2" ]] || fail "$1: IKE SPIs unchanged"
	[[ $(ss_raw | grep -c 'state=') == 1 ]] ||
		{ ss_raw; fail "$1: b keeps another IKE SA"; }
	[[ $(a_child) == "$3" ]] || { show; fail "$1: the Child SA changed"; }
	child_agree || { show; fail "$1: Child SAs disagree"; }
	log "$1: $2 -> $(a_ike)"
	traffic_flows "$1"
}

# traffic_flows LABEL: the ping in the background crosses the SA pair
# now installed (b's XFRM states count it; python3 would cost seconds).
traffic_flows() {
	local before
	before=$(xfrm_packets b)
	sleep 1
	(($(xfrm_packets b) > before)) || fail "$1: no ping on the new SAs"
}

ping_start() {
	ip netns exec a ping -i 0.2 -W 3 10.2.0.1 >"$1" 2>&1 &
	ping_pid=$!
}

# ping_stop FILE MIN: ping lost nothing, sent at least MIN.
ping_stop() {
	kill -INT "$ping_pid"
	wait "$ping_pid" || true
	ping_pid=
	no_loss "$1" "$2" || fail "ping lost packets ($1)"
}

dump_logs() {
	local rc=$?
	[[ -z $ping_pid ]] || kill "$ping_pid" 2>/dev/null || true
	(exit $rc)
	ss_dump_logs
}
trap dump_logs EXIT

moat_load
ss_topology
xfrm_warm b
ss_start b
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16 \
	'ppk_id = moat-ppk
ppk_required = yes' "ppk-m {
id = moat-ppk
secret = $PPK
}"
m_conf 'ike = aes128gcm16-prfsha256-x25519' 'esp = aes128gcm16' \
	'ppk-id = moat-ppk' "ppk = $PPK" 'ppk-required = yes'
m_start
nsx a moat ike up s || fail "ike up"
both_up || fail "not established on both sides"
grep -q "using PPK for PPK_ID 'moat-ppk'" b.charon.log ||
	fail "strongSwan did not use the PPK"
child_agree || { show; fail "the sides disagree on the Child SA"; }
ike_agree || { show; fail "the sides disagree on the IKE SA"; }
show

ping_start ping.out
nsx a ping -c 1 -W 3 10.2.0.1 >/dev/null || fail "no ping through the tunnel"

log "1. moatd rekeys the Child SA"
old=$(a_child)
nsx a moat ike rekey s || fail "moat ike rekey s"
child_rekeyed "moatd Child rekey" "$old"

log "2. strongSwan rekeys the Child SA"
old=$(a_child)
ss b --rekey --child m >/dev/null || fail "swanctl --rekey --child"
child_rekeyed "strongSwan Child rekey" "$old"

log "3. moatd rekeys the IKE SA"
old=$(a_ike) child=$(a_child)
nsx a moat ike rekey s ike || fail "moat ike rekey s ike"
ike_rekeyed "moatd IKE rekey" "$old" "$child"

log "4. strongSwan rekeys the IKE SA"
old=$(a_ike)
ss b --rekey --ike m >/dev/null || fail "swanctl --rekey --ike"
ike_rekeyed "strongSwan IKE rekey" "$old" "$child"

log "strongSwan rekeys the Child SA again, now under its rekeyed IKE SA"
old=$(a_child)
ss b --rekey --child m >/dev/null || fail "swanctl --rekey --child, again"
child_rekeyed "strongSwan Child rekey, rekeyed IKE SA" "$old"
ping_stop ping.out 20
grep -q 'IKE SA failed' a.log && fail "a: an IKE SA failed"
[[ $(grep -c "using PPK for PPK_ID 'moat-ppk'" b.charon.log) == 1 ]] ||
	fail "strongSwan authenticated again"

log "5. strongSwan deletes the Child SA, moatd the IKE SA"
ss b --terminate --child m >/dev/null || fail "swanctl --terminate --child"
wait_for -t 10 no_sas || { show; fail "a: Child SAs left after strongSwan's Delete"; }
no_xfrm || fail "b: XFRM states left"
[[ $(a_ike | wc -l) == 1 && $(ss_sas b) == 1 ]] ||
	{ show; fail "the IKE SA did not survive its Child SA"; }
nsx a moat peer show dev moat0 | grep -q . || fail "a: the peer went with the Child SA"
nsx a moat ike down s || fail "moat ike down"
[[ $(nsas) == 0 && -z $(a_ike) ]] || fail "a: SAs left after ike down"
wait_for -t 10 b_no_ike ||
	{ ss_raw; fail "b: the IKE SA stays after moatd's Delete"; }
no_xfrm || fail "b: XFRM states left after moatd's Delete"
# charon keeps XFRM policies here after the rekeys (not after 55's
# Deletes); its stop must still remove them (ss_stop checks).
wait_for -t 3 no_policy || { log "b: XFRM policies kept:"; ip -n b xfrm policy; }

if ((TIMER_SECS == 0)); then
	log "done in ${SECONDS}s (timer rekeys: MOAT_SS_REKEY_SECS=12)"
	exit 0
fi
log "moatd rekeys by timer for ${TIMER_SECS}s"
m_conf 'ike = aes128gcm16-prfsha256-x25519' 'esp = aes128gcm16' \
	'ppk-id = moat-ppk' "ppk = $PPK" 'ppk-required = yes' \
	'rekey-time = 3s' 'ike-rekey-time = 8s'
m_start
nsx a moat ike up s || fail "ike up, timer rekeys"
ping_start ping2.out
mark=$(wc -l <a.log)
sleep "$TIMER_SECS"
n_child=$(tail -n +"$((mark + 1))" a.log | grep -c 'installed SAs in' || true)
n_ike=$(tail -n +"$((mark + 1))" a.log | grep -c 'IKE SA rekeyed' || true)
log "$n_child Child SA and $n_ike IKE SA rekeys"
((n_child >= TIMER_SECS / 3 - 1 && n_ike >= 1)) ||
	fail "too few timer rekeys: $n_child Child, $n_ike IKE"
wait_for -t 15 child_agree || { show; fail "timer: sides disagree on the Child SA"; }
wait_for -t 15 ike_agree || { show; fail "timer: sides disagree on the IKE SA"; }
ping_stop ping2.out $((TIMER_SECS * 4))
nsx a moat ike down s || fail "moat ike down, timer rekeys"
wait_for -t 10 no_xfrm || fail "b: XFRM states left after the last Delete"
log "done in ${SECONDS}s"
