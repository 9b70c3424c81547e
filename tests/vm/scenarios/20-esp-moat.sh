#!/bin/bash
# moat <-> moat: both AEADs, IPv4 and IPv6 outside, raw ESP and ESP in UDP,
# IPv4 and IPv6 inside. Pings must cross, TCP must flow, and the SAs must
# count what they carried.
# timeout: 400
set -euo pipefail
. "$MOAT_VM_LIB"

# ip xfrm style: the key, then a 4-byte salt.
GCM_AB=0x000102030405060708090a0b0c0d0e0f10111213
GCM_BA=0x1f1e1d1c1b1a191817161514131211100f0e0d0c
CHACHA_AB=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa0a1a2a3
CHACHA_BA=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100c0c1c2c3

moat_load
netns_pair a b 192.0.2.1/24 192.0.2.2/24
ip -n a addr add 2001:db8::1/64 dev veth-b nodad
ip -n b addr add 2001:db8::2/64 dev veth-a nodad

# tunnel OUTER ENCAP ALG KEY_AB KEY_BA: a fresh moat0 on each side.
tunnel() {
	local outer=$1 encap=$2 alg=$3 kab=$4 kba=$5 ra rb e=()
	if [ "$outer" = 4 ]; then ra=192.0.2.1 rb=192.0.2.2; else
		ra=2001:db8::1 rb=2001:db8::2; fi
	[ "$encap" = udp ] && e=(encap udp)
	for ns in a b; do
		ip -n $ns link del moat0 2>/dev/null || true
		ip -n $ns link add moat0 type moat
		ip -n $ns link set moat0 up
	done
	ip -n a addr add 10.1.0.1/32 dev moat0
	ip -n a addr add fd00:1::1/128 dev moat0 nodad
	ip -n b addr add 10.2.0.1/32 dev moat0
	ip -n b addr add fd00:2::1/128 dev moat0 nodad
	ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
	ip -n a route add fd00:2::/64 dev moat0 src fd00:1::1
	ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1
	ip -n b route add fd00:1::/64 dev moat0 src fd00:2::1
	nsx a moat peer add dev moat0 remote $rb "${e[@]}" ts 10.2.0.0/16,fd00:2::/64
	nsx b moat peer add dev moat0 remote $ra "${e[@]}" ts 10.1.0.0/16,fd00:1::/64
	nsx a moat sa add dev moat0 peer $rb dir out spi 0x1001 aead "$alg" $kab 128
	nsx a moat sa add dev moat0 peer $rb dir in spi 0x2001 aead "$alg" $kba 128
	nsx b moat sa add dev moat0 peer $ra dir in spi 0x1001 aead "$alg" $kab 128
	nsx b moat sa add dev moat0 peer $ra dir out spi 0x2001 aead "$alg" $kba 128
}

# rx_packets of the inbound SA in namespace NS.
sa_rx() {
	nsx "$1" moat -j -s sa show dev moat0 | python3 -c '
import json, sys
sas = [s for s in json.load(sys.stdin) if s["dir"] == "in"]
print(sas[0]["stats"]["rx_packets"])'
}

check() {	# label
	local label=$1
	log "$label"
	nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "$label: ping v4"
	nsx a ping -c 3 -i 0.2 -W 2 fd00:2::1 >/dev/null || fail "$label: ping v6"
	nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "$label: ping back"
	[ "$(sa_rx b)" -ge 6 ] || fail "$label: b's inbound SA counted $(sa_rx b)"
	[ "$(sa_rx a)" -ge 6 ] || fail "$label: a's inbound SA counted $(sa_rx a)"
}

for alg in gcm chacha; do
	if [ $alg = gcm ]; then a='rfc4106(gcm(aes))' kab=$GCM_AB kba=$GCM_BA
	else a='rfc7539esp(chacha20,poly1305)' kab=$CHACHA_AB kba=$CHACHA_BA; fi
	for outer in 4 6; do
		for encap in raw udp; do
			tunnel $outer $encap "$a" $kab $kba
			check "$alg outer v$outer $encap"
		done
	done
done

log "TCP through the last tunnel (chacha, v6 outer, udp)"
nsx b iperf3 -s -D -1 -B 10.2.0.1 >/dev/null
sleep 0.5
nsx a iperf3 -c 10.2.0.1 -t 3 -J >iperf.json || fail "iperf3"
python3 -c '
import json
r = json.load(open("iperf.json"))
bps = r["end"]["sum_received"]["bits_per_second"]
print("TCP %.1f Mbit/s" % (bps / 1e6))
assert bps > 1e6, bps' || fail "TCP too slow or broken"

log "counters"
nsx a moat -s sa show dev moat0
nsx b moat -s link show dev moat0
