#!/bin/bash
# An ICMPv6 Packet Too Big whose source is one of the receiver's own
# addresses is spoofed (IPv6 input does not drop such packets) unless it
# came in over loopback.  Before the fix such a PTB was taken as plausible
# and shrank the tunnel.
#
# IPv6 outside, a -- r -- b routed.  A forger on r, on a's link, answers
# live ESP from a (fresh sequence numbers) with PTBs claiming MTU 1280
# from a's own outer address and from a's own inner address: a's peer
# keeps no path MTU, and every one of them counts as ptb_rejected.  The
# positive control: the same PTB from r's real address on that link is
# accepted (ptb_accepted, path MTU 1280, the inner MTU follows).  Raw ESP
# and ESP in UDP.  PTB6_SPOOFS (by hand, run.sh --shell-cmd) sets how many
# ESP packets get spoofed answers (default 3).
# timeout: 240
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../pmtu-path.sh
. "$MOAT_ROOT/tests/vm/pmtu-path.sh"

FORGE=$MOAT_ROOT/tests/vm/tools/ptb6-forge.py
SPOOFS=${PTB6_SPOOFS:-3}	# ESP packets answered with spoofed PTBs
A6=2001:db8:1::1 R6A=2001:db8:1::fe R6B=2001:db8:2::fe B6=2001:db8:2::2

# topology6: pmtu_topology's a -- r -- b (all links 1500), with IPv6.
topology6() {
	pmtu_topology 1500
	ip -n a addr add $A6/64 dev veth-r nodad
	ip -n r addr add $R6A/64 dev veth-a nodad
	ip -n r addr add $R6B/64 dev veth-b nodad
	ip -n b addr add $B6/64 dev veth-r nodad
	nsx r sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n a route add 2001:db8:2::/64 via $R6A
	ip -n b route add 2001:db8:1::/64 via $R6B
}

# tunnel6 ENCAP: moat between a and b over IPv6.
tunnel6() {
	local e=()
	[[ $1 == udp ]] && e=(encap udp)
	tunnel_devices
	nsx a moat peer add dev moat0 remote $B6 "${e[@]}" ts 10.2.0.0/16,fd00:2::/64
	nsx b moat peer add dev moat0 remote $A6 "${e[@]}" ts 10.1.0.0/16,fd00:1::/64
	nsx a moat sa add dev moat0 peer $B6 dir out spi 0x1001 aead "$GCM" $GCM_AB 128
	nsx b moat sa add dev moat0 peer $A6 dir in spi 0x1001 aead "$GCM" $GCM_AB 128
	nsx b moat sa add dev moat0 peer $A6 dir out spi 0x2001 aead "$GCM" $GCM_BA 128
	nsx a moat sa add dev moat0 peer $B6 dir in spi 0x2001 aead "$GCM" $GCM_BA 128
}

# peer_state: "pmtu inner_mtu accepted rejected clamped" of a's peer.
peer_state() {
	nsx a moat -j -s peer show dev moat0 | python3 -S -c '
import json, sys
p = json.load(sys.stdin)[0]
s = p["stats"]
print(p["pmtu"], p["inner_mtu"], s["ptb_accepted"], s["ptb_rejected"],
      s["ptb_clamped"])'
}

# forge N FROM...: PTBs (MTU 1280) from each FROM for the next N ESP
# packets a sends, while a pings b through the tunnel.
forge() {
	local n=$1 out=forge.out pid
	shift
	ip netns exec r python3 -S "$FORGE" veth-a $A6 1280 "$n" "$@" >$out 2>&1 &
	pid=$!
	wait_for -t 30 grep -q ready $out || fail "forger: $(cat $out)"
	nsx a ping -q -c $((n + 2)) -i 0.3 -w 20 fd00:2::1 >/dev/null ||
		fail "$label: pings through the tunnel"
	wait $pid || fail "$label: the forger did not answer $n ESP packets: $(cat $out)"
	grep '^ptb' $out
}

# expect_state PMTU ACCEPTED REJECTED CLAMPED: a's peer shows that (the
# inner MTU is not checked).
expect_state() {
	local got
	read -r -a got < <(peer_state)
	[[ "${got[0]} ${got[2]} ${got[3]} ${got[4]}" == "$*" ]] ||
		fail "$label: pmtu accepted rejected clamped: ${got[0]} ${got[2]} ${got[3]} ${got[4]}, expected $*"
}

moat_load
topology6
for encap in raw udp; do
	label=$encap
	log "$label: tunnel over IPv6"
	tunnel6 $encap
	nsx a ping -q -c 1 -w 10 fd00:2::1 >/dev/null || fail "$label: no tunnel"
	read -r pmtu inner0 _ < <(peer_state)
	[[ $pmtu == 0 ]] || fail "$label: path MTU $pmtu before any PTB"

	log "$label: PTBs from a's own addresses, outer and inner, from r's link"
	forge "$SPOOFS" $A6 fd00:1::1
	expect_state "0 0 $((2 * SPOOFS)) 0"
	read -r _ inner _ < <(peer_state)
	[[ $inner == "$inner0" ]] || fail "$label: the inner MTU went from $inner0 to $inner"

	log "$label: the same PTB from r's address on the link counts"
	forge 1 $R6A
	expect_state "1280 1 $((2 * SPOOFS)) 0"
	read -r _ inner _ < <(peer_state)
	((inner < inner0)) || fail "$label: the inner MTU stayed at $inner"
	nsx a moat -s peer show dev moat0
	# The tunnel still carries 1280-byte IPv6 (fragmented outside).
	nsx a ping -q -c 2 -w 10 -s 1232 fd00:2::1 >/dev/null ||
		fail "$label: 1280-byte IPv6 ping after the PTB"
done
