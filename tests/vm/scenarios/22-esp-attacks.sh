#!/bin/bash
# Forged and replayed ESP between two moat namespaces, raw and in UDP.
# Packets captured on their way to b are sent again from a: each is
# dropped, as rx_replayed while inside b's 32-packet window and as
# rx_outside_window when older, exactly as many as were sent.  Packets
# held back from b (tc drops them after tcpdump saw them) are fresh: one
# with a flipped ICV bit counts rx_icv_fail, truncated ones rx_too_short,
# and neither uses up its sequence number: the intact packets sent right
# after them are accepted.  An unknown SPI counts rx_unknown_spi on the
# device (and raw ESP then goes on to XFRM).  The tunnel works after all
# of it, and nothing else was counted.
# timeout: 360
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

WINDOW=32
INJECT=$ESP_TOOLS/esp-inject.py
moat_load
modprobe -a esp4 sch_ingress cls_flower act_gact
esp_topology
SA_IN_OPTS=(replay-window "$WINDOW")
declare -A before after
CAP_PID='' CAP_FILE=''

# capture_start FILE N: record the next N packets a sends to b's veth
# (ESP only); capture_wait waits for them (30 s at most).
capture_start() {
	ip netns exec b timeout 30 tcpdump -c "$2" -i veth-a -U -n -w "$1" \
		"src host $A4 and ($CAP_FILTER)" 2>"$1.err" &
	CAP_PID=$!
	CAP_FILE=$1
	wait_for grep -q 'listening on' "$1.err" || fail "tcpdump: $(cat "$1.err")"
}

capture_wait() {
	wait "$CAP_PID" || fail "capture $CAP_FILE: $(cat "$CAP_FILE.err")"
}

# inject ARGS...: esp-inject.py send, from a to b's outer address.
inject() {
	nsx a "${PY[@]}" "$INJECT" send "$@" --spi $SPI_AB --dst $B4 \
		"${UDP_ARGS[@]}" >/dev/null
}

# burst N: N inner datagrams a -> b.
burst() {
	nsx a "${PY[@]}" "$INJECT" burst --dst $IN_B4 --count "$1" >/dev/null
}

# plus KEY N: "KEY>=before+N", for snap --until.
plus() {
	echo "$1>=$((${before[$1]:-0} + $2))"
}

attacks() { # raw|udp
	local encap=$1 list n first last top old rep k
	local rx=b:in.$SPI_AB
	if [[ $encap == udp ]]; then
		# ESP only: no NAT-T keepalive (1 byte), no IKE (zero marker).
		CAP_FILTER='udp dst port 4500 and udp[4:2] > 16 and udp[8:4] != 0'
		UDP_ARGS=(--udp)
	else
		CAP_FILTER='esp' UDP_ARGS=()
	fi
	log "$encap: tunnel up"
	moat_tunnel 4 "$encap" gcm
	pings a $IN_B4 2 || fail "$encap: no tunnel"

	log "$encap: replay 48 packets into a window of $WINDOW"
	capture_start replay-$encap.pcap 48
	burst 48
	capture_wait
	snap before --until "$rx.rx_packets>=50" b
	list=$("${PY[@]}" "$INJECT" list replay-$encap.pcap --spi $SPI_AB)
	n=$(wc -l <<<"$list")
	((n == 48)) || fail "$encap: captured $n ESP packets, not 48: $list"
	first=$(awk 'NR == 1 { print $3 }' <<<"$list")
	last=$(awk 'END { print $3 }' <<<"$list")
	((last - first == 47)) ||
		fail "$encap: sequence numbers $first..$last are not consecutive"
	top=${before[$rx.seq]}
	((top == last)) || fail "$encap: b's SA says highest seq $top, not $last"
	# top - seq >= window: too old; otherwise a replay.
	old=$(awk -v t="$top" -v w=$WINDOW 't - $3 >= w' <<<"$list" | wc -l)
	rep=$((n - old))
	log "$encap: seq $first..$last, expect $rep replayed, $old too old"
	inject replay-$encap.pcap
	sleep 0.5 # anything counted twice would show by now
	snap after --until "$(plus $rx.rx_replayed $rep)" \
		--until "$(plus $rx.rx_outside_window $old)" b
	expect_delta $rx.rx_replayed $rep
	expect_delta $rx.rx_outside_window $old
	expect_delta b:link.rx_replayed $rep
	expect_delta b:link.rx_outside_window $old
	expect_delta $rx.rx_packets 0

	log "$encap: hold 4 fresh packets back from b"
	tc -n b qdisc add dev veth-a clsact
	if [[ $encap == udp ]]; then
		tc -n b filter add dev veth-a ingress protocol ip flower \
			ip_proto udp dst_port 4500 action drop
	else
		tc -n b filter add dev veth-a ingress protocol ip flower \
			ip_proto 0x32 action drop
	fi
	capture_start held-$encap.pcap 4
	burst 4
	capture_wait
	tc -n b qdisc del dev veth-a clsact
	list=$("${PY[@]}" "$INJECT" list held-$encap.pcap --spi $SPI_AB)
	[[ $(wc -l <<<"$list") == 4 ]] || fail "$encap: held packets: $list"

	log "$encap: forged, then intact: a flipped ICV bit, cut to 12 and 24 bytes"
	before=() && for k in "${!after[@]}"; do before[$k]=${after[$k]}; done
	# Back to back, in this order: #0 with a bad ICV, #0, #1 cut to 12
	# bytes (ESP header + 4) and to 24, then #1 #2 #3 intact.
	inject held-$encap.pcap --pkt 0:icv --pkt 0 --pkt 1:cut12 --pkt 1:cut24 \
		--pkt 1 --pkt 2 --pkt 3
	snap after --until "$(plus $rx.rx_packets 4)" \
		--until "$(plus $rx.rx_icv_fail 1)" \
		--until "$(plus $rx.rx_too_short 2)" b
	expect_delta $rx.rx_packets 4
	expect_delta $rx.rx_icv_fail 1
	expect_delta b:link.rx_icv_fail 1
	expect_delta $rx.rx_too_short 2
	expect_delta b:link.rx_too_short 2
	expect_delta $rx.rx_replayed 0

	log "$encap: the held packets again (replays now), and an unknown SPI"
	before=() && for k in "${!after[@]}"; do before[$k]=${after[$k]}; done
	inject held-$encap.pcap
	nsx a "${PY[@]}" "$INJECT" forge --dst $B4 --spi 0xdead0001 --count 3 \
		--len 80 "${UDP_ARGS[@]}" >/dev/null
	sleep 0.5
	snap after --until "$(plus $rx.rx_replayed 4)" \
		--until "$(plus b:link.rx_unknown_spi 3)" b
	expect_delta $rx.rx_replayed 4
	expect_delta b:link.rx_unknown_spi 3
	if [[ $encap == raw ]]; then # handed on to XFRM, which has no state
		expect_delta b:xstat.XfrmInNoStates 3
	fi
	for k in rx_outside_window rx_icv_fail rx_too_short rx_packets; do
		expect_delta $rx.$k 0
	done

	log "$encap: the tunnel still works"
	pings a $IN_B4 3 || fail "$encap: no tunnel a -> b after the attacks"
	pings b $IN_A4 3 || fail "$encap: no tunnel b -> a after the attacks"
	snap after b
	show_snap after
	for k in rx_bad_trailer rx_selector rx_bad_inner rx_nomem \
		rx_queue_full rx_expired; do
		[[ ${after[b:link.$k]} == 0 ]] ||
			fail "$encap: b:link.$k is ${after[b:link.$k]}"
	done
}

attacks raw
attacks udp
