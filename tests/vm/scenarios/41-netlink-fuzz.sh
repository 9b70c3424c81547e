#!/bin/bash
# The genetlink family takes what is valid, refuses the rest, and what it
# refuses changes nothing.  moat-nlfuzz (tests/tools/moat-nlfuzz.c) sends
# MOAT_NLFUZZ_REQUESTS (default 50000) seeded requests to moat0 in
# namespace f: valid ones built from a model of the device, and invalid
# ones (wrong types, lengths and nesting, missing, unknown and read-only
# attributes, huge values, broken framing, every command number).  During
# the first 8% of them moat0 is deleted and re-created all the while, by
# RTM_DELLINK or with the namespace it was made from; no UDP socket may
# outlive it.  Then, on a fresh moat0, every invalid request must be
# refused, every valid one accepted, and the device must equal the model
# every 250 requests.  Afterwards:
#  - the state the valid requests alone make (the model's), built on a
#    fresh device in another namespace, shows the same link settings,
#    peers and SAs in moat -j;
#  - without CAP_NET_ADMIN every command fails with EPERM, GETs and dumps
#    too, and the events group cannot be joined;
#  - deleting the devices leaves no UDP socket bound.
# By hand: MOAT_NLFUZZ_REQUESTS, MOAT_NLFUZZ_SEED (default: the clock),
# and MOAT_NLFUZZ_REPLAY=1, which also replays every accepted request on a
# third device and compares (about half as long again as the fuzzing), e.g.
#   MOAT_VM_TIMEOUT=7200 tests/vm/run.sh --shell-cmd \
#     'MOAT_NLFUZZ_REQUESTS=1000000 bash tests/vm/scenarios/41-netlink-fuzz.sh'
# timeout: 480
set -euo pipefail
. "$MOAT_VM_LIB"

FUZZ=$MOAT_ROOT/tests/tools/build/moat-nlfuzz
[[ -x $FUZZ ]] || fail "test client not built: $FUZZ"
N=${MOAT_NLFUZZ_REQUESTS:-50000}
SEED=${MOAT_NLFUZZ_SEED:-$(date +%s)}
REPLAY=${MOAT_NLFUZZ_REPLAY:-0}
# 100000 requests take 2 to 3 minutes under TCG, on a busy host.
SECS=$((N / 300 + 60))
cd "$(mktemp -d)"

# state NS: moat0's link settings, peers and SAs, without what differs
# between two devices built alike (names, indexes, counters, ages).
state() {
	nsx "$1" moat -j link show dev moat0 |
		jq -S 'map(del(.ifindex, .ifname, .stats))'
	nsx "$1" moat -j peer show dev moat0 |
		jq -S 'map(del(.ifindex, .ifname, .stats))'
	nsx "$1" moat -j sa show dev moat0 |
		jq -S 'map(del(.ifindex, .ifname, .seq, .age, .stats))'
}

# same_state NS: moat0 in NS looks like moat0 in f.
same_state() {
	state "$1" >"$1-now.json"
	diff -u f.json "$1-now.json" || fail "moat0 in $1 differs from moat0 in f"
}

# no_udp NS: no UDP socket is bound in NS.
no_udp() {
	local found
	found=$(nsx "$1" ss -HuanO)
	[[ -z $found ]] || fail "$1: UDP sockets left behind: $found"
}

moat_load
ip netns add f
ip netns add g
args=(-s "$SEED" -n "$N" -t "$SECS" -e expected.log)
if [[ $REPLAY == 1 ]]; then
	args+=(-l accepted.log)
fi

log "fuzz: $N requests, seed $SEED (MOAT_NLFUZZ_SEED=$SEED repeats them)"
nsx f "$FUZZ" fuzz "${args[@]}" moat0 ||
	fail "the fuzzer found problems (above), seed $SEED"
state f >f.json
echo "  $(jq -s '.[1] | length' f.json) peers, $(jq -s '.[2] | length' f.json) SAs"

log "what the valid requests alone make, on a fresh device ($SECONDS s)"
ip -n g link add moat0 type moat
nsx g "$FUZZ" replay expected.log moat0 || fail "the expected state was refused"
same_state g

if [[ $REPLAY == 1 ]]; then
	log "replay the $(wc -l <accepted.log) accepted requests ($SECONDS s)"
	ip netns add h
	ip -n h link add moat0 type moat
	nsx h "$FUZZ" replay accepted.log moat0 || fail "the replay was refused"
	same_state h
	ip -n h link del moat0
	no_udp h
fi

log "without CAP_NET_ADMIN nothing goes, reading included ($SECONDS s)"
nsx f setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$FUZZ" unpriv -s "$SEED" -n 1000 moat0 ||
	fail "an unprivileged user got through"
nsx f unshare -U -r "$FUZZ" unpriv -s "$((SEED + 1))" -n 600 moat0 ||
	fail "root of another user namespace got through"
same_state f

log "deleting the devices leaves no socket ($SECONDS s)"
ip -n f link del moat0
ip -n g link del moat0
no_udp f
no_udp g
log "done ($SECONDS s)"
