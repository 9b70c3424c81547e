# shellcheck shell=bash
# Three namespaces for path MTU scenarios: a -- r -- b, where r routes and
# its link to b has a smaller MTU. Source after lib.sh and moat-tunnel.sh.
#
#   a: 192.0.2.1/24 (veth-r)          r: 192.0.2.254 / 198.51.100.254
#   b: 198.51.100.2/24 (veth-r)       r's veth-b has MTU $1 (default 1280)
# The moat tunnel between a and b uses the same inner addresses as
# moat-tunnel.sh: a is 10.1.0.1 and fd00:1::1, b is 10.2.0.1 and fd00:2::1.

pmtu_topology() {
	local mtu=${1:-1280}
	netns_pair a r 192.0.2.1/24 192.0.2.254/24
	netns_pair r b 198.51.100.254/24 198.51.100.2/24
	ip -n r link set veth-b mtu "$mtu"
	ip -n b link set veth-r mtu "$mtu"
	nsx r sysctl -qw net.ipv4.ip_forward=1
	ip -n a route add 198.51.100.0/24 via 192.0.2.254
	ip -n b route add 192.0.2.0/24 via 198.51.100.254
}

# pmtu_tunnel ENCAP ALG KEY_AB KEY_BA: moat between a and b across r.
pmtu_tunnel() {
	local encap=$1 alg=$2 kab=$3 kba=$4 e=()
	[ "$encap" = udp ] && e=(encap udp)
	tunnel_devices
	nsx a moat peer add dev moat0 remote 198.51.100.2 "${e[@]}" ts 10.2.0.0/16,fd00:2::/64
	nsx b moat peer add dev moat0 remote 192.0.2.1 "${e[@]}" ts 10.1.0.0/16,fd00:1::/64
	nsx a moat sa add dev moat0 peer 198.51.100.2 dir out spi 0x1001 aead "$alg" "$kab" 128
	nsx b moat sa add dev moat0 peer 192.0.2.1 dir in spi 0x1001 aead "$alg" "$kab" 128
	nsx b moat sa add dev moat0 peer 192.0.2.1 dir out spi 0x2001 aead "$alg" "$kba" 128
	nsx a moat sa add dev moat0 peer 198.51.100.2 dir in spi 0x2001 aead "$alg" "$kba" 128
}

# peer_field NS KEY: a field of NS's only peer, from moat -j -s peer show.
peer_field() {
	nsx "$1" moat -j -s peer show dev moat0 | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]
k = sys.argv[1]
print(p[k] if k in p else p["stats"][k])' "$2"
}

# iperf_mbps NS SERVER SECONDS: TCP throughput from NS to SERVER, Mbit/s.
iperf_mbps() {
	nsx "$1" iperf3 -c "$2" -t "$3" -J | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("%.1f" % (r["end"]["sum_received"]["bits_per_second"] / 1e6))'
}
