#!/bin/bash
# Packet fuzzing of one moat endpoint (b) from its peer's namespace (a):
# tests/tools/moat-pktfuzz writes Ethernet frames onto a's veth towards b
# (ESP raw and in UDP, keepalives, IKE, ICMP errors, all of them also as
# IPv4/IPv6 fragments; see its header), and b must count every packet
# that reaches moat exactly once, stay free of kernel warnings, keep its
# live SAs' windows where they were and still carry pings and TCP.
#
# MOAT_PKTFUZZ_PACKETS frames in all (default 400000: 86 % in the data
# run, 7 % each in the ptb and noise runs, then 400 paced quiet ones),
# within MOAT_PKTFUZZ_SECONDS of sending (default 100; the runs stop
# early at that bound, and say so), from MOAT_PKTFUZZ_JOBS senders
# (default one per CPU), seed MOAT_PKTFUZZ_SEED (random, printed).  The
# harness passes no environment: for longer runs use the shell mode,
#   MOAT_VM_TIMEOUT=3600 tests/vm/run.sh --shell-cmd 'cd $(mktemp -d) &&
#     MOAT_PKTFUZZ_PACKETS=10000000 MOAT_PKTFUZZ_SECONDS=3000
#     bash $MOAT_ROOT/tests/vm/scenarios/40-packet-fuzz.sh'
#
# b has two peers, a's IPv4 and IPv6 addresses, both with ESP in UDP (so
# both UDP 4500 sockets exist; raw ESP reaches the SAs too).  Each has a
# live inbound SA that real traffic used first (0x1001; 0x1101 with ESN),
# an inbound SA only the fuzzer has the key of (0x1002; 0x1102 with ESN)
# and an outbound SA for PTBs to quote (0x2001; 0x2101).
#
# The books, per run, from b's counters before and after.  Neither nft
# nor iptables is installed here, so what reached moat is read from the
# kernel's own SNMP counters, which moat does not touch.  b's namespace
# receives nothing but the fuzzer's frames (and ND, which cancels out);
# inner packets go to an address b does not have, so they are never
# delivered there; UDP only goes to port 4500:
#   reached = raw ESP + UDP datagrams for moat's sockets, reassembled:
#     raw ESP = Ip(6)InDelivers - UDP delivered - ICMP delivered, with
#               UDP delivered = Udp(6) InDatagrams + NoPorts + InErrors
#     UDP     = Udp(6) InDatagrams: moat's encap_rcv consumes every
#               datagram it sees (ESP, keepalive, IKE)
#   counted = rx_packets + every rx_* drop reason on moat0's link
#             counters (device and namespace, so rx_unknown_spi,
#             rx_too_short and rx_ike_dropped are in)
# - data:  counted + XfrmInHdrError == reached, no PTB counted, and each
#          drop reason the run aims at moved.  Raw ESP shorter than its
#          8-byte header is the one packet moat neither takes nor counts:
#          it leaves it to XFRM (esp4/esp6 are loaded here), which counts
#          XfrmInHdrError.  This run never sends the two packets moat
#          consumes without a counter: intact keepalives, dummy packets.
# - quiet: just those two, unfragmented and paced: reached == as many as
#          were sent, and only rx_nat_keepalive moves, by the keepalives
#          sent.  This equality with what was
#          sent holds only because nothing is lost on the way.
# - ptb:   Frag Needed / Packet Too Big quoting an outbound SA well enough
#          to be judged (any quoted sequence number, MTU and source):
#          ptb_accepted + ptb_rejected + ptb_clamped over both peers ==
#          IcmpMsg InType3 + Icmp6InType2 (what ICMP took in, past its
#          checksum: the run sends no other ICMP), nothing else counted.
# - noise: ICMP errors that must not count (another SPI or peer, other
#          types and codes, quotes too short, bad checksums, other
#          protocols, broken quoted headers): no counter moves.
# A quarter of all datagrams go as fragments, some of them broken
# (overlaps, gaps), which is why "reached" is measured, not predicted.
# timeout: 360
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

PACKETS=${MOAT_PKTFUZZ_PACKETS:-400000}
BUDGET=${MOAT_PKTFUZZ_SECONDS:-100}
SEED=${MOAT_PKTFUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
JOBS=${MOAT_PKTFUZZ_JOBS:-$(nproc)}
FUZZ=$MOAT_ROOT/tests/tools/build/moat-pktfuzz
COUNT=(python3 -S "$ESP_TOOLS/pktfuzz-count.py")
[[ -x $FUZZ ]] || fail "not built: $FUZZ (make tools)"

# Keys: the live pairs, and the two SAs only the fuzzer keys.
K_AB4=$GCM_AB K_BA4=$GCM_BA
K_AB6=0x303132333435363738393a3b3c3d3e3fc4c5c6c7
K_BA6=0x404142434445464748494a4b4c4d4e4fd4d5d6d7
K_OWN4=0x505152535455565758595a5b5c5d5e5fe4e5e6e7
K_OWN6=0x606162636465666768696a6b6c6d6e6ff4f5f6f7
GCM=$(alg_name gcm)

# sa NS PEER DIR SPI KEY [OPTS...]
sa() {
	local ns=$1 peer=$2 dir=$3 spi=$4 key=$5
	shift 5
	nsx "$ns" moat sa add dev moat0 peer "$peer" dir "$dir" spi "$spi" \
		aead "$GCM" "$key" 128 "$@"
}

# device NS L4 L6 R4 R6 TS4 TS6: moat0, with one peer per outer family.
device() {
	local ns=$1
	ip -n "$ns" -batch - <<-EOF
		link add moat0 type moat
		link set moat0 up
		addr add $2/32 dev moat0
		addr add $3/128 dev moat0 nodad
		route add $6 dev moat0 src $2
		route add $7 dev moat0 src $3
	EOF
	nsx "$ns" moat peer add dev moat0 remote "$4" encap udp ts "$6"
	nsx "$ns" moat peer add dev moat0 remote "$5" encap udp ts "$7"
}

log "setup (seed $SEED, $JOBS senders)"
moat_load
modprobe -a esp4 esp6
esp_topology
# Incomplete fragment queues go after 2 s, long before 16-bit IDs wrap,
# and may fill 64 MB meanwhile; every source is welcome.
nsx b sh -c 'echo 2 >/proc/sys/net/ipv4/ipfrag_time
	echo 2 >/proc/sys/net/ipv6/ip6frag_time
	echo 67108864 >/proc/sys/net/ipv4/ipfrag_high_thresh
	echo 67108864 >/proc/sys/net/ipv6/ip6frag_high_thresh
	for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done'
device a $IN_A4 $IN_A6 $B4 $B6 $TS_B4 $TS_B6
device b $IN_B4 $IN_B6 $A4 $A6 $TS_A4 $TS_A6
sa a $B4 out 0x1001 $K_AB4
sa a $B4 in 0x2001 $K_BA4
sa a $B6 out 0x1101 $K_AB6 esn
sa a $B6 in 0x2101 $K_BA6 esn replay-window 1024
sa b $A4 in 0x1001 $K_AB4 replay-window 32
sa b $A4 in 0x1002 $K_OWN4
sa b $A4 out 0x2001 $K_BA4
sa b $A6 in 0x1101 $K_AB6 esn replay-window 1024
sa b $A6 in 0x1102 $K_OWN6 esn replay-window 128
sa b $A6 out 0x2101 $K_BA6 esn

log "live traffic both ways, so every SA has sequence numbers"
# Quick pings: more packets than 0x1001's window, so that replays of
# them are both inside and behind it.
nsx a ping -q -c 100 -i 0.005 -W 2 $IN_B4 >/dev/null ||
	fail "no tunnel with IPv4 inside"
nsx a ping -q -c 50 -i 0.005 -W 2 $IN_B6 >/dev/null ||
	fail "no tunnel with IPv6 inside"
MAC_B=$(ip -n b -br link show veth-a | awk '{ print $3 }')

declare -A seq
TOTAL=0
# snap FILE: b's counters into FILE; seq[in.0x1001] and so on, b's SAs'
# sequence numbers, as they are now.
snap() {
	local dir spi n
	while read -r dir spi n; do
		seq[$dir.$spi]=$n
	done < <("${COUNT[@]}" snap b "$1")
}
snap start.json
LIVE4=${seq[in.0x1001]} LIVE6=${seq[in.0x1101]}
((LIVE4 >= 64 && LIVE6 >= 32 && ${seq[out.0x2001]} && ${seq[out.0x2101]})) ||
	fail "too little live traffic: $(declare -p seq)"

# fuzz MODE FRAMES SECONDS [ARGS...]: one run and its books.
fuzz() {
	local mode=$1 frames=$2 secs=$3 rc
	shift 3
	snap before.json
	log "$mode: up to $frames frames in ${secs}s (at ${SECONDS}s)"
	nsx a "$FUZZ" --dev veth-b --dst-mac "$MAC_B" --v4 $A4,$B4 \
		--v6 $A6,$B6 --seed "$SEED" --mode "$mode" --count "$frames" \
		--seconds "$secs" \
		--live 0x1001,$K_AB4,${seq[in.0x1001]} \
		--live 0x1101,$K_AB6,${seq[in.0x1101]},esn \
		--own 0x1002,$K_OWN4,${seq[in.0x1002]},4 \
		--own 0x1102,$K_OWN6,${seq[in.0x1102]},6,esn \
		--quote 0x2001,${seq[out.0x2001]},$A4 \
		--quote 0x2101,${seq[out.0x2101]},$A6 \
		--inner4 $TS_A4,10.2.0.99 --inner6 $TS_A6,fd00:2::99 \
		"$@" >"gen-$mode.out" || fail "$mode: moat-pktfuzz failed"
	sed 's/^/  /' "gen-$mode.out"
	TOTAL=$((TOTAL + $(awk '$1 == "total" { print $5 }' "gen-$mode.out")))
	awk '$1 == "total" && $7 > 0 {
		printf "  %d frames/s\n", $5 / $7 }' "gen-$mode.out"
	rc=0
	"${COUNT[@]}" check "$mode" b before.json "gen-$mode.out" \
		>"books-$mode.out" || rc=$?
	sed 's/^/  /' "books-$mode.out"
	((rc == 0)) || fail "$mode: the books do not balance"
}

ICMP=$((PACKETS * 7 / 100)) ICMP_SECS=$((BUDGET * 7 / 100 + 1))
fuzz data $((PACKETS - 2 * ICMP)) $((BUDGET - 2 * ICMP_SECS)) --jobs "$JOBS"
fuzz ptb $ICMP $ICMP_SECS --jobs "$JOBS"
fuzz noise $ICMP $ICMP_SECS --jobs "$JOBS"
fuzz quiet 400 30 --pace 500

log "$TOTAL frames sent in all (asked for $((PACKETS + 400)))"
((TOTAL >= PACKETS)) ||
	echo "note: the time limit cut the runs short (MOAT_PKTFUZZ_SECONDS)"

log "the live SAs' windows did not move (at ${SECONDS}s)"
snap end.json
[[ ${seq[in.0x1001]} == "$LIVE4" && ${seq[in.0x1101]} == "$LIVE6" ]] ||
	fail "live windows moved: 0x1001 $LIVE4 -> ${seq[in.0x1001]}," \
		"0x1101 $LIVE6 -> ${seq[in.0x1101]}"

log "the tunnel still carries traffic"
pings a $IN_B4 3 || fail "ping a -> b (IPv4 inside) after fuzzing"
pings a $IN_B6 3 || fail "ping a -> b (IPv6 inside) after fuzzing"
pings b $IN_A4 3 || fail "ping b -> a (IPv4 inside) after fuzzing"
pings b $IN_A6 3 || fail "ping b -> a (IPv6 inside) after fuzzing"
nsx b iperf3 -s -D >/dev/null
sleep 0.3
for dst in $IN_B4 $IN_B6; do
	mbps=$(iperf_mbps a "$dst" -t 2) || fail "TCP a -> $dst after fuzzing"
	log "TCP a -> $dst: $mbps Mbit/s"
	[[ ${mbps%.*} -ge 1 ]] || fail "TCP a -> $dst at $mbps Mbit/s"
done
