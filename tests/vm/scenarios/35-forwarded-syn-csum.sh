#!/bin/bash
# The receive-side MSS clamp leaves a correct TCP checksum on SYNs that the
# gateway forwards.  ESP in UDP over IPv6 from a local sender on a veth
# arrives CHECKSUM_PARTIAL; before the fix the clamp edited the inner SYN
# while ip_summed still described that outer packet, so the checksum was
# not updated and the forwarded SYN left with a stale one.
#
#   c (client) -- a (moat gateway) == IPv6, ESP in UDP == b (moat gateway) -- s
#
# b clamps the MSS to 1000, a does not clamp.  A SYN from c to s and the
# SYN-ACK c sends to a connection from s are both clamped by b as they
# come out of the tunnel, then forwarded to s.  Captured as they arrive at
# s, each has MSS 1000 and a correct checksum, and the connections carry
# data both ways.  IPv4 and IPv6 inside.
# timeout: 240
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

SYNCHECK=$MOAT_ROOT/tests/vm/tools/syn-check.py
CLAMP=1000 PORT=7001 BYTES=65536

# gateways: c -- a == b -- s, forwarding on a and b, the tunnel between
# them over IPv6 in UDP.
gateways() {
	local ns
	netns_pair c a 10.1.0.2/24 10.1.0.1/24
	netns_pair a b 192.0.2.1/24 192.0.2.2/24
	netns_pair b s 10.2.0.1/24 10.2.0.2/24
	ip -n c addr add fd00:1::2/64 dev veth-a nodad
	ip -n a addr add fd00:1::1/64 dev veth-c nodad
	ip -n a addr add 2001:db8::1/64 dev veth-b nodad
	ip -n b addr add 2001:db8::2/64 dev veth-a nodad
	ip -n b addr add fd00:2::1/64 dev veth-s nodad
	ip -n s addr add fd00:2::2/64 dev veth-b nodad
	ip -n c route add default via 10.1.0.1
	ip -n c route add default via fd00:1::1
	ip -n s route add default via 10.2.0.1
	ip -n s route add default via fd00:2::1
	for ns in a b; do
		nsx $ns sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1
		ip -n $ns link add moat0 type moat
		ip -n $ns link set moat0 up
	done
	ip -n a route add 10.2.0.0/16 dev moat0
	ip -n a route add fd00:2::/64 dev moat0
	ip -n b route add 10.1.0.0/16 dev moat0
	ip -n b route add fd00:1::/64 dev moat0
	nsx a moat peer add dev moat0 remote 2001:db8::2 encap udp ts 10.2.0.0/16,fd00:2::/64
	nsx b moat peer add dev moat0 remote 2001:db8::1 encap udp ts 10.1.0.0/16,fd00:1::/64
	nsx a moat sa add dev moat0 peer 2001:db8::2 dir out spi 0x1001 aead "$GCM" $GCM_AB 128
	nsx b moat sa add dev moat0 peer 2001:db8::1 dir in spi 0x1001 aead "$GCM" $GCM_AB 128
	nsx b moat sa add dev moat0 peer 2001:db8::1 dir out spi 0x2001 aead "$GCM" $GCM_BA 128
	nsx a moat sa add dev moat0 peer 2001:db8::2 dir in spi 0x2001 aead "$GCM" $GCM_BA 128
}

# serve NS ADDR: a TCP server on ADDR:$PORT in NS for one connection: it
# reads to the end and answers with the number of bytes it read.
serve() {
	ip netns exec "$1" python3 -S -c '
import socket, sys
addr = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, int(sys.argv[2])))
s.listen(1)
s.settimeout(30)
print("ready", flush=True)
c, _ = s.accept()
c.settimeout(30)
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
c.sendall(b"%d" % n)
c.close()' "$2" $PORT >serve.out 2>&1 &
	SERVER=$!
	wait_for -t 30 grep -q ready serve.out || fail "server in $1: $(cat serve.out)"
}

# xfer NS ADDR: from NS, connect to ADDR:$PORT, send $BYTES, and check
# that the server read them all.
xfer() {
	nsx "$1" python3 -S -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
c.sendall(b"m" * int(sys.argv[3]))
c.shutdown(socket.SHUT_WR)
got = c.recv(100)
sys.exit(0 if got == sys.argv[3].encode() else "server read %r" % got)' \
		"$2" $PORT $BYTES || fail "$label: TCP from $1 to $2"
	wait "$SERVER" || fail "$label: server: $(cat serve.out)"
}

moat_load
gateways
nsx b moat link set dev moat0 mss-clamp $CLAMP
nsx a moat link set dev moat0 mss-clamp off
nsx c ping -q -c 1 -w 10 10.2.0.2 >/dev/null || fail "no way from c to s"
nsx c ping -q -c 1 -w 10 fd00:2::2 >/dev/null || fail "no way from c to s (IPv6)"

for inner in 4 6; do
	if [[ $inner == 4 ]]; then C=10.1.0.2 S=10.2.0.2; else
		C=fd00:1::2 S=fd00:2::2; fi
	label="IPv$inner inside"
	log "$label: SYN c -> s, then SYN-ACK c -> s, captured as they reach s"
	# What reaches s with SYN set: the SYN of c's connection, then the
	# SYN-ACK of s's.
	ip netns exec s timeout 60 tcpdump -c 2 -Q in -i veth-b -U -n \
		-w syn$inner.pcap \
		'(ip and tcp[13] & 2 != 0) or (ip6 and ip6[6] == 6 and ip6[53] & 2 != 0)' \
		2>syn$inner.err &
	cap=$!
	wait_for -t 30 grep -q 'listening on' syn$inner.err || fail "tcpdump: $(cat syn$inner.err)"
	serve s $S
	xfer c $S
	serve c $C
	xfer s $C
	wait $cap || fail "$label: tcpdump: $(cat syn$inner.err)"
	python3 -S "$SYNCHECK" syn$inner.pcap | tee syn$inner.txt
	want="syn $C $S mss $CLAMP csum ok
synack $C $S mss $CLAMP csum ok"
	[[ $(<syn$inner.txt) == "$want" ]] ||
		fail "$label: at s, expected:"$'\n'"$want"
done
nsx b moat -s link show dev moat0
