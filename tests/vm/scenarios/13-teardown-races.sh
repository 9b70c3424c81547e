#!/bin/bash
# Netlink changes racing device teardown leave nothing behind.  Four
# processes send PEER_NEW (ESP in UDP, 256 selectors each, so a request
# holds its device reference a while before it takes the device lock)
# without pause while (1) moat0 is added and deleted over and over, and
# (2) fresh outer namespaces of a device are deleted under it.  A peer
# installed after the device's teardown removed its peers would keep the
# kernel's UDP 4500 socket bound with nobody to release it: after every
# deletion port 4500 must be free, the module must unload, and the kernel
# must not warn (checked after every round, and by the harness).
# RACE_SECONDS (default 20) and RACE_ITERATIONS (200) bound each loop;
# raise them by hand for a longer hunt.  RACE_LOOPS ("dev netns") picks
# the loops.
# timeout: 170
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"

STRESS=(python3 -S "$MOAT_ROOT/tests/vm/tools/moat-stress.py")
SECS=${RACE_SECONDS:-20}
ITERS=${RACE_ITERATIONS:-200}
LOOPS=${RACE_LOOPS:-dev netns}

# no_4500 WHERE: no UDP socket on port 4500 in the current namespace.
no_4500() {
	local found
	found=$(ss -uanpH 'sport = :4500')
	[[ -z $found ]] || fail "$1: a UDP socket is still bound to 4500: $found"
}

# kernel_complaints: moat's namespace exit warns when sockets outlive
# their peers; say so here, next to the loop that caused it.
kernel_complaints() {
	if dmesg | grep -E -A3 'WARNING:|BUG:' | grep -q moat; then
		dmesg | grep -E -A12 'WARNING:|BUG:' | head -n 30
		fail "$1: the kernel warned (see above)"
	fi
}

moat_load

if [[ " $LOOPS " == *" dev "* ]]; then
	log "PEER_NEW x 4 racing ip link add/del of moat0 ($ITERS rounds, ${SECS}s at most)"
	"${STRESS[@]}" race-dev moat0 --senders 4 --ts 256 \
		--iterations "$ITERS" --seconds "$SECS" || fail "device deletion race"
	no_4500 "after the device loop"
	kernel_complaints "device loop"
fi

if [[ " $LOOPS " == *" netns "* ]]; then
	log "PEER_NEW x 4 racing the deletion of the device's outer namespace"
	"${STRESS[@]}" race-netns moatns --senders 4 --ts 256 \
		--iterations "$ITERS" --seconds "$SECS" ||
		fail "namespace deletion race"
	kernel_complaints "namespace loop"
fi

log "no UDP 4500 socket, no moat device left"
no_4500 "at the end"
[[ -z $(ip -o link show type moat) ]] || fail "moat devices left: $(ip -o link show type moat)"

log "the module unloads"
wait_for -t 20 rmmod moat || fail "rmmod: $(rmmod moat 2>&1)"
