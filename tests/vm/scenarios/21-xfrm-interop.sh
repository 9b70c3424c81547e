#!/bin/bash
# moat in namespace a <-> Linux XFRM in namespace b, same keys: both AEADs,
# raw ESP and ESP in UDP over IPv4 (with TCP), and raw ESP over IPv6 (pings
# only); IPv4 and IPv6 inside one SA pair (XFRM's af-unspec).  Pings cross both ways and each
# ESP packet is counted once on each side; TCP flows both ways; XFRM sees
# no bad ICV, no replay and no packet out of its window; ESP in UDP really
# travels in UDP and raw ESP does not.
# timeout: 480
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

moat_load
esp_topology
xfrm_udp_socket b
nsx b iperf3 -s -D >/dev/null
XFRM_IN_OPTS=(replay-window 64)
declare -A before after

# expect_same KEY1 KEY2: both counters moved by the same amount.
expect_same() {
	local d1 d2
	d1=$(delta "$1") d2=$(delta "$2")
	[[ $d1 == "$d2" ]] || fail "$label: $1 moved by $d1 but $2 by $d2"
}

# at_least KEY N: the counter moved by N or more.
at_least() {
	local d
	d=$(delta "$1")
	((d >= $2)) || fail "$label: $1 moved by $d, expected at least $2"
}

interop() { # OUTER ENCAP ALG [notcp]
	local outer=$1 encap=$2 alg=$3 tcp=${4:-tcp} k mbps udp_in n=200
	label="$alg outer v$outer $encap"
	log "$label"
	moat_side_a "$outer" "$encap" "$alg"
	xfrm_side_b "$outer" "$encap" "$alg"
	snap before a b

	# 3 + 3 requests from a, 2 + 2 from b: 10 ESP packets each way.
	pings a $IN_B4 3 || fail "$label: ping a -> b, IPv4 inside"
	pings a $IN_B6 3 || fail "$label: ping a -> b, IPv6 inside"
	pings b $IN_A4 2 || fail "$label: ping b -> a, IPv4 inside"
	pings b $IN_A6 2 || fail "$label: ping b -> a, IPv6 inside"
	snap after a b
	expect_delta a:out.$SPI_AB.tx_packets 10
	expect_delta b:xfrm.$SPI_AB.packets 10
	expect_delta b:xfrm.$SPI_BA.packets 10
	expect_delta a:in.$SPI_BA.rx_packets 10

	if [[ $tcp == tcp ]]; then
		mbps=$(iperf_mbps a $IN_B4 -t 3) || fail "$label: TCP a -> b"
		log "TCP a -> b (moat encrypts): $mbps Mbit/s"
		[[ ${mbps%.*} -ge 1 ]] || fail "$label: TCP a -> b at $mbps Mbit/s"
		mbps=$(iperf_mbps a $IN_B4 -t 3 -R) || fail "$label: TCP b -> a"
		log "TCP b -> a (moat decrypts): $mbps Mbit/s"
		[[ ${mbps%.*} -ge 1 ]] || fail "$label: TCP b -> a at $mbps Mbit/s"
	else
		pings a $IN_B6 20 0.05 || fail "$label: 20 quick pings a -> b"
		n=30
	fi
	snap after a b
	show_snap after

	at_least a:out.$SPI_AB.tx_packets $n
	at_least a:in.$SPI_BA.rx_packets $n
	at_least b:xfrm.$SPI_AB.packets $n
	for k in failed replay replay_window; do
		expect_delta b:xfrm.$SPI_AB.$k 0
	done
	for k in XfrmInStateProtoError XfrmInNoStates XfrmInStateSeqError \
		XfrmInTmplMismatch XfrmInNoPols XfrmInStateInvalid; do
		expect_delta b:xstat.$k 0
	done
	for k in rx_unknown_spi rx_replayed rx_outside_window rx_icv_fail \
		rx_bad_trailer rx_selector rx_too_short rx_bad_inner; do
		expect_delta a:link.$k 0
	done
	for k in tx_no_sa tx_error tx_bad_inner; do
		expect_delta a:link.$k 0
	done

	# Where the ESP went: b's UDP layer sees it all or none of it.
	udp_in=$(delta b:snmp.Udp.InDatagrams)
	if [[ $encap == udp ]]; then
		((udp_in >= $(delta b:xfrm.$SPI_AB.packets))) ||
			fail "$label: only $udp_in UDP datagrams reached b"
	else
		((udp_in == 0)) || fail "$label: $udp_in UDP datagrams reached b"
	fi
}

interop 4 raw gcm
interop 4 udp gcm
interop 4 raw chacha
interop 4 udp chacha
interop 6 raw gcm notcp
