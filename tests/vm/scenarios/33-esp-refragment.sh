#!/bin/bash
# ESP that a router re-fragmented on the way, so that the first fragment
# holds the IP header and only 8 bytes of ESP: the receiver reassembles a
# packet whose linear head ends right after the ESP header, the IV and
# the rest hang off its frag_list.  (Before the fix, stripping ESP from it
# hit BUG() in __skb_pull: 1200-byte pings brought the receiver down.)
#
# A relay in namespace r (tools/refrag-relay.py) bridges a and b and
# splits every ESP packet in two: raw ESP after the ESP header; ESP in
# UDP in turn after the UDP header, and after the UDP and ESP headers.
# IPv4 and IPv6 outside (IPv6 with a Fragment header), tcpdump running on
# both receivers (it clones the fragments).  Each time, 1200-byte pings
# cross both ways, a TCP transfer completes, and the counts add up: every
# packet the relay split was reassembled and taken by moat's inbound SA,
# and nothing was dropped.  By hand (run.sh --shell-cmd): REFRAG_ROUNDS
# picks rounds (default "4raw 4udp 6raw 6udp"), REFRAG_TCP_SECONDS sets
# the length of each TCP transfer (default 1).
# timeout: 300
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

RELAY=$ESP_TOOLS/refrag-relay.py
TCP_SECONDS=${REFRAG_TCP_SECONDS:-1}
PINGS=3 SIZE=1200
declare -A before after

# relay_topology: a -- r -- b, a and b on one subnet with esp_topology's
# addresses; r forwards nothing itself (no addresses, no IPv6), the relay
# does.
relay_topology() {
	local ns
	for ns in a r b; do
		ip netns add $ns
		ip -n $ns link set lo up
	done
	nsx r sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link add veth-r netns a type veth peer name veth-a netns r
	ip link add veth-r netns b type veth peer name veth-b netns r
	ip -n a addr add $A4/24 dev veth-r
	ip -n a addr add $A6/64 dev veth-r nodad
	ip -n b addr add $B4/24 dev veth-r
	ip -n b addr add $B6/64 dev veth-r nodad
	ip -n a link set veth-r up
	ip -n b link set veth-r up
	ip -n r link set veth-a up
	ip -n r link set veth-b up
}

# relay_start / relay_stop: the relay in r; relay.out says what it did.
RELAY_PID=''
relay_start() {
	# ip netns exec execs python: $! is the relay's own pid.
	ip netns exec r "${PY[@]}" "$RELAY" veth-a veth-b \
		>relay.out 2>&1 &
	RELAY_PID=$!
	wait_for -t 30 grep -q ready relay.out || fail "relay: $(cat relay.out)"
}

relay_stop() {
	kill "$RELAY_PID"
	wait "$RELAY_PID" || true
	RELAY_PID=''
}

# relay_count KEY: a count from the relay's last line.
relay_count() {
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' \
		relay.out | tail -n 1
}

# big_pings NS ADDR: $PINGS pings of $SIZE bytes, all answered (-w: late
# answers count too; TCG can be slow).
big_pings() {
	local out
	out=$(nsx "$1" ping -q -c $PINGS -i 0.2 -w 20 -s $SIZE "$2" 2>&1) || true
	grep -q " $PINGS received" <<<"$out" || {
		echo "ping -s $SIZE $2 from $1: $(grep received <<<"$out")" >&2
		return 1
	}
}

# no_drops NS: none of NS's receive drop counters moved.
no_drops() {
	local k
	for k in rx_unknown_spi rx_replayed rx_outside_window rx_icv_fail \
		rx_bad_trailer rx_selector rx_too_short rx_bad_inner rx_nomem \
		rx_queue_full rx_expired; do
		[[ $(delta "$1:link.$k") == 0 ]] ||
			fail "$label: $1:link.$k moved by $(delta "$1:link.$k")"
	done
}

# use_peer OUTER ENCAP: both ends' peer (and SAs) over OUTER and ENCAP;
# the devices stay.
PEER_A='' PEER_B=''
use_peer() {
	local e=()
	[[ $2 == udp ]] && e=(encap udp)
	if [[ -z $PEER_A ]]; then
		moat_tunnel "$1" "$2" gcm
	else
		nsx a moat peer del dev moat0 remote "$PEER_B"
		nsx b moat peer del dev moat0 remote "$PEER_A"
		nsx a moat peer add dev moat0 remote "$(outer_of b "$1")" \
			"${e[@]}" ts $TS_B4,$TS_B6
		nsx b moat peer add dev moat0 remote "$(outer_of a "$1")" \
			"${e[@]}" ts $TS_A4,$TS_A6
		moat_sa a "$(outer_of b "$1")" out $SPI_AB gcm ab
		moat_sa a "$(outer_of b "$1")" in $SPI_BA gcm ba
		moat_sa b "$(outer_of a "$1")" in $SPI_AB gcm ab
		moat_sa b "$(outer_of a "$1")" out $SPI_BA gcm ba
	fi
	PEER_A=$(outer_of a "$1") PEER_B=$(outer_of b "$1")
}

# refrag OUTER ENCAP: one tunnel through the relay.
refrag() {
	local outer=$1 encap=$2 reasm mbps ra rb split how
	label="outer v$outer $encap"
	log "$label"
	if [[ $outer == 4 ]]; then reasm=snmp.Ip.ReasmOKs; else
		reasm=snmp.Ip6.ReasmOKs; fi
	use_peer "$outer" "$encap"
	relay_start
	snap before a b
	big_pings a $IN_B4 || fail "$label: IPv4 inside, a -> b"
	big_pings b $IN_A6 || fail "$label: IPv6 inside, b -> a"
	mbps=$(iperf_mbps a $IN_B4 -t "$TCP_SECONDS") || fail "$label: TCP a -> b"
	log "TCP a -> b: $mbps Mbit/s"
	relay_stop
	snap after a b
	show_snap after | grep -E 'rx_packets|tx_packets|Reasm' || true
	cat relay.out

	no_drops a
	no_drops b
	rb=$(delta b:in.$SPI_AB.rx_packets) ra=$(delta a:in.$SPI_BA.rx_packets)
	((rb >= 2 * PINGS + 20)) ||
		fail "$label: b's SA took only $rb packets"
	((ra >= 2 * PINGS)) || fail "$label: a's SA took only $ra packets"
	# All ESP was split, reassembled, then taken by the SA; nothing else was.
	[[ $(delta b:$reasm) == "$rb" ]] ||
		fail "$label: b reassembled $(delta b:$reasm) packets, its SA took $rb"
	[[ $(delta a:$reasm) == "$ra" ]] ||
		fail "$label: a reassembled $(delta a:$reasm) packets, its SA took $ra"
	((rb <= $(delta a:out.$SPI_AB.tx_packets))) || fail "$label: b took more than a sent"
	((ra <= $(delta b:out.$SPI_BA.tx_packets))) || fail "$label: a took more than b sent"
	[[ $(relay_count errors) == 0 ]] || fail "$label: the relay failed to send"
	if [[ $encap == raw ]]; then
		split=$(relay_count raw)
	else
		split=$(($(relay_count udp8) + $(relay_count udp16)))
		for how in udp8 udp16; do
			(($(relay_count $how) >= 2 * PINGS)) ||
				fail "$label: the relay split only $(relay_count $how) packets as $how"
		done
	fi
	[[ $split == $((ra + rb)) ]] ||
		fail "$label: the relay split $split packets, the SAs took $((ra + rb))"
}

moat_load
relay_topology
# The receivers' taps hold clones of the fragments while they reassemble.
for ns in a b; do
	nsx $ns tcpdump -i veth-r -n -w /dev/null 2>/dev/null &
done
nsx b iperf3 -s -D >/dev/null

for round in ${REFRAG_ROUNDS:-4raw 4udp 6raw 6udp}; do
	refrag "${round:0:1}" "${round:1}"
done
