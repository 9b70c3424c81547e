#!/bin/bash
# A real smaller MTU on the outer path (a router with a 1280-byte link):
# moat learns it from the router's Frag Needed, lowers the inner MTU, tells
# inner senders, cuts IPv4 without DF before ESP, and large pings and TCP
# keep working. IPv6 inside stays at 1280 and its ESP is fragmented.
# timeout: 240
set -euo pipefail
. "$MOAT_VM_LIB"
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
. "$MOAT_ROOT/tests/vm/pmtu-path.sh"

moat_load
pmtu_topology 1280
for encap in raw udp; do
	log "encap $encap"
	pmtu_tunnel $encap "$GCM" $GCM_AB $GCM_BA
	[ "$(peer_field a pmtu)" = 0 ] || fail "a path MTU before any ICMP"

	# 1300 bytes of ICMP with DF: too big for the 1280 link once in ESP.
	nsx a ping -c 1 -W 2 -M do -s 1272 10.2.0.1 >/dev/null 2>&1 || true
	wait_for -t 10 sh -c "[ \$(ip netns exec a $MOAT -j peer show dev moat0 | \
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0][\"pmtu\"])') = 1280 ]" ||
		fail "the path MTU was not learned: $(nsx a moat -s peer show)"
	[ "$(peer_field a ptb_accepted)" -ge 1 ] || fail "no PTB counted"
	inner=$(peer_field a inner_mtu)
	want=$([ $encap = udp ] && echo 1218 || echo 1226)
	[ "$inner" = "$want" ] || fail "inner MTU $inner, expected $want"
	[ "$(peer_field a inner_mtu6)" = 1280 ] || fail "IPv6 inner MTU off the floor"

	log "DF pings: told the inner MTU, then fit"
	out=$(nsx a ping -c 1 -W 2 -M do -s 1272 10.2.0.1 2>&1) && fail "too big went through"
	grep -qE "mtu ?= ?$inner" <<<"$out" || fail "no Frag Needed with the inner MTU: $out"
	nsx a ping -c 2 -W 2 -M do -s $((inner - 28)) 10.2.0.1 >/dev/null ||
		fail "a ping of exactly the inner MTU"
	log "IPv4 without DF is cut before ESP"
	# Forget the route's PMTU, so the stack cuts at the device MTU and
	# moat must cut those pieces again.
	ip -n a route flush cache
	nsx a ping -c 2 -W 2 -M dont -s 3000 10.2.0.1 >/dev/null || fail "big ping without DF"
	[ "$(peer_field a tx_inner_frags)" -ge 2 ] || fail "no inner fragments counted"
	log "IPv6 inside stays at 1280; the outer packet is fragmented"
	nsx a ping -c 2 -W 2 -s 1232 fd00:2::1 >/dev/null || fail "1280-byte IPv6 ping"
	[ "$(peer_field a tx_outer_frags)" -ge 2 ] || fail "no outer fragments counted"
	log "TCP"
	nsx b iperf3 -s -D -1 -B 10.2.0.1 >/dev/null
	sleep 0.5
	mbps=$(iperf_mbps a 10.2.0.1 3)
	echo "TCP over a 1280 path ($encap): $mbps Mbit/s"
	python3 -c "assert $mbps > 1" || fail "TCP stalled"
	nsx a moat -s peer show dev moat0
done
