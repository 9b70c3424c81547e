# shellcheck shell=bash
# A moat <-> moat tunnel between namespaces a and b, for scenarios:
# . "$MOAT_ROOT/tests/vm/moat-tunnel.sh" after lib.sh.
#
# Outer: veth a <-> b with 192.0.2.1/24 <-> 192.0.2.2/24 and 2001:db8::1/64
# <-> 2001:db8::2/64. Inner: a's moat0 is 10.1.0.1 and fd00:1::1, b's is
# 10.2.0.1 and fd00:2::1, each routing the other's /16 and /64 into moat0.
# SPIs: 0x1001 carries a -> b, 0x2001 carries b -> a.

# ip xfrm style: the key, then a 4-byte salt.
GCM_AB=0x000102030405060708090a0b0c0d0e0f10111213
GCM_BA=0x1f1e1d1c1b1a191817161514131211100f0e0d0c
CHACHA_AB=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fa0a1a2a3
CHACHA_BA=0x1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100c0c1c2c3
GCM='rfc4106(gcm(aes))'
CHACHA='rfc7539esp(chacha20,poly1305)'

# tunnel_outer: the namespaces and the veth between them.
tunnel_outer() {
	netns_pair a b 192.0.2.1/24 192.0.2.2/24
	ip -n a addr add 2001:db8::1/64 dev veth-b nodad
	ip -n b addr add 2001:db8::2/64 dev veth-a nodad
}

# tunnel_remote NS OUTER: the outer address of the other side of NS.
tunnel_remote() {
	case $1$2 in
	a4) echo 192.0.2.2 ;; b4) echo 192.0.2.1 ;;
	a6) echo 2001:db8::2 ;; b6) echo 2001:db8::1 ;;
	esac
}

# tunnel_devices: a fresh, addressed and routed moat0 on each side.
tunnel_devices() {
	local ns
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
}

# tunnel OUTER(4|6) ENCAP(raw|udp) ALG KEY_AB KEY_BA [SA OPTIONS...]:
# devices, peers and both directions' SAs; the options go on every SA.
tunnel() {
	local outer=$1 encap=$2 alg=$3 kab=$4 kba=$5 e=() ra rb
	shift 5
	ra=$(tunnel_remote b "$outer")
	rb=$(tunnel_remote a "$outer")
	[ "$encap" = udp ] && e=(encap udp)
	tunnel_devices
	nsx a moat peer add dev moat0 remote "$rb" "${e[@]}" ts 10.2.0.0/16,fd00:2::/64
	nsx b moat peer add dev moat0 remote "$ra" "${e[@]}" ts 10.1.0.0/16,fd00:1::/64
	nsx a moat sa add dev moat0 peer "$rb" dir out spi 0x1001 aead "$alg" "$kab" 128 "$@"
	nsx b moat sa add dev moat0 peer "$ra" dir in spi 0x1001 aead "$alg" "$kab" 128 "$@"
	nsx b moat sa add dev moat0 peer "$ra" dir out spi 0x2001 aead "$alg" "$kba" 128 "$@"
	nsx a moat sa add dev moat0 peer "$rb" dir in spi 0x2001 aead "$alg" "$kba" 128 "$@"
}

# sa_stat NS DIR KEY: one counter of NS's SA in direction DIR (JSON name).
sa_stat() {
	nsx "$1" moat -j -s sa show dev moat0 | python3 -c '
import json, sys
sas = [s for s in json.load(sys.stdin) if s["dir"] == sys.argv[1]]
print(sas[0]["stats"][sys.argv[2]] if sas else -1)' "$2" "$3"
}

# sa_count NS: how many SAs NS's moat0 has.
sa_count() {
	nsx "$1" moat -j sa show dev moat0 | python3 -c '
import json, sys
print(len(json.load(sys.stdin)))'
}
