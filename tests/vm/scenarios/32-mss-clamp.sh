#!/bin/bash
# TCP MSS clamping on the moat device, seen on captured SYNs: a fixed
# clamp rewrites the SYN on its way out and the SYN-ACK on its way in;
# auto follows the inner MTU; off leaves them alone.
# timeout: 180
set -euo pipefail
. "$MOAT_VM_LIB"
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

moat_load
tunnel_outer
tunnel 4 raw "$GCM" $GCM_AB $GCM_BA
nsx b iperf3 -s -D -B 10.2.0.1 >/dev/null

# syn_mss NS: the MSS options of the SYNs NS's moat0 receives while a
# connects to b; prints them one per line.
syn_mss() {
	local cap=syn-$1.txt
	nsx "$1" timeout 10 tcpdump -l -n -v -Q in -i moat0 -c 1 \
		'tcp[tcpflags] & tcp-syn != 0' >"$cap" 2>/dev/null &
	local pid=$!
	sleep 1.5
	nsx a python3 -c '
import socket
socket.create_connection(("10.2.0.1", 5201), timeout=5).close()'
	wait $pid || true
	grep -o 'mss [0-9]*' "$cap" | awk '{print $2}'
}

log "fixed clamp 1000 on a: b receives a SYN with MSS 1000"
nsx a moat link set dev moat0 mss-clamp 1000
[ "$(syn_mss b)" = 1000 ] || fail "the SYN was not clamped"
log "and a receives the SYN-ACK clamped too"
[ "$(syn_mss a)" = 1000 ] || fail "the SYN-ACK was not clamped"

log "off: the stack's own MSS (1412 - 40)"
nsx a moat link set dev moat0 mss-clamp off
[ "$(syn_mss b)" = 1372 ] || fail "mss-clamp off changed the SYN"

log "auto: b's smaller inner MTU clamps a's SYN as it arrives"
ip -n b link set moat0 mtu 1300
[ "$(syn_mss b)" = 1260 ] || fail "auto did not follow b's inner MTU"
nsx b moat link show dev moat0 | grep -q 'mss-clamp auto' || fail "show"
