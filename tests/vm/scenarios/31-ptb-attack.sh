#!/bin/bash
# The PTB attack (Roca, Fall et al.): a router on the outer path sniffs ESP
# and answers one packet in four with a forged Frag Needed (MTU 68..576)
# quoting the live IP and ESP headers, while TCP runs through the tunnel.
# With moat, TCP keeps at least 90 % of its throughput and the inner MTU
# never drops below its floor. The same attack on Linux XFRM is measured
# for comparison (reported, not asserted).
# timeout: 420
set -euo pipefail
. "$MOAT_VM_LIB"
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
. "$MOAT_ROOT/tests/vm/pmtu-path.sh"

SECS=${PTB_SECONDS:-8}
ATTACK=$MOAT_ROOT/tests/vm/tools/ptb-attack.py

moat_load
pmtu_topology 1500

# measure LABEL: TCP a -> b without, then under the attack; "base attacked".
# The baseline runs the same sniffer on the router, forging nothing, so
# the two differ only by the forged PTBs.
measure() {
	local base hit
	nsx r python3 "$ATTACK" veth-a 192.0.2.1 $((SECS + 3)) 0 >/dev/null &
	sleep 1
	nsx b iperf3 -s -D -1 -B 10.2.0.1 >/dev/null
	sleep 0.5
	base=$(iperf_mbps a 10.2.0.1 "$SECS")
	wait
	nsx r python3 "$ATTACK" veth-a 192.0.2.1 $((SECS + 3)) >attack-$1.txt &
	sleep 1
	nsx b iperf3 -s -D -1 -B 10.2.0.1 >/dev/null
	sleep 0.5
	hit=$(iperf_mbps a 10.2.0.1 "$SECS")
	wait
	echo "$1: $base Mbit/s without the attack, $hit under it ($(cat attack-$1.txt))" >&2
	echo "$base $hit"
}

log "moat"
pmtu_tunnel raw "$GCM" $GCM_AB $GCM_BA
read -r base hit < <(measure moat)
# TCG timing is noisy: one retry before calling it a failure.
if ! python3 -c "import sys; sys.exit(not $hit >= 0.9 * $base)"; then
	read -r base hit < <(measure moat-retry)
fi
nsx a moat -s peer show dev moat0
[ "$(peer_field a ptb_clamped)" -ge 10 ] || fail "the forged PTBs were not seen"
[ "$(peer_field a inner_mtu)" -ge 576 ] || fail "inner MTU below the IPv4 floor"
[ "$(peer_field a inner_mtu6)" -ge 1280 ] || fail "inner MTU below 1280"
python3 -c "import sys; sys.exit(not $hit >= 0.9 * $base)" ||
	fail "TCP kept only $hit of $base Mbit/s under the attack"
moat_ratio=$(python3 -c "print('%.0f%%' % (100 * $hit / $base))")

log "Linux XFRM, same keys and path"
ip -n a link del moat0
ip -n b link del moat0
modprobe -a esp4 xfrm_user
xfrm_end() {	# NS LOCAL REMOTE OWN FAR
	ip -n "$1" addr replace "${4%/*}1/32" dev lo 2>/dev/null || true
	ip -n "$1" xfrm state add src "$2" dst "$3" proto esp spi "$6" \
		mode tunnel aead "$GCM" "$7" 128
	ip -n "$1" xfrm state add src "$3" dst "$2" proto esp spi "$8" \
		mode tunnel aead "$GCM" "$9" 128
	ip -n "$1" xfrm policy add src "$4" dst "$5" dir out \
		tmpl src "$2" dst "$3" proto esp mode tunnel
	ip -n "$1" xfrm policy add src "$5" dst "$4" dir in \
		tmpl src "$3" dst "$2" proto esp mode tunnel
}
ip -n a addr add 10.1.0.1/32 dev lo
ip -n b addr add 10.2.0.1/32 dev lo
ip -n a route add 10.2.0.0/16 via 192.0.2.254 src 10.1.0.1
ip -n b route add 10.1.0.0/16 via 198.51.100.254 src 10.2.0.1
xfrm_end a 192.0.2.1 198.51.100.2 10.1.0.0/16 10.2.0.0/16 0x1001 $GCM_AB 0x2001 $GCM_BA
xfrm_end b 198.51.100.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 0x2001 $GCM_BA 0x1001 $GCM_AB
nsx a ping -c 2 -W 2 10.2.0.1 >/dev/null || fail "XFRM tunnel does not work"
read -r xbase xhit < <(measure xfrm)
xfrm_ratio=$(python3 -c "print('%.0f%%' % (100 * $xhit / $xbase))")
echo "RESULT ptb-attack: moat kept $moat_ratio of its TCP throughput, Linux XFRM $xfrm_ratio"
