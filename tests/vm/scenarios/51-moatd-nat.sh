#!/bin/bash
# moatd across a NAT: a (initiator) sits behind r, which masquerades a's
# side to 198.51.100.1 with ports 20000-20999; b (responder, remote %any)
# is outside. Both moatds hand their UDP 4500 sockets to the module. IKE
# detects the NAT and floats to 4500; both sides install the peer with
# encap udp, b with a's NAT-mapped port; pings cross both ways, counted by
# the SAs; on r's outside leg the ESP is UDP/4500 (nft counters), never
# raw ESP; a's NAT keepalives reach b's module (rx_nat_keepalive). While
# moatd holds 4500, a hand-keyed encap-udp peer shares its socket and the
# module cannot be unloaded; once moatd is gone, the module opens its own.
# Then the other order: the module's own 4500 socket exists before b's
# moatd starts: moatd says so, speaks IKE on 500 only, and without a NAT
# the tunnel still works in raw ESP. Last, encap = yes forces ESP in UDP
# without a NAT.
# timeout: 420
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

A=192.168.1.2 R_IN=192.168.1.1 R_OUT=198.51.100.1 B=198.51.100.2

# conf NS LOCAL REMOTE LOCAL_TS REMOTE_TS LOCAL_ID REMOTE_ID
conf() {
	cat >"$1.conf" <<-EOF
		[moatd]
		log-level = debug
		[conn t]
		local = $2
		remote = $3
		local-ts = $4
		remote-ts = $5
		local-id = $6
		remote-id = $7
		auth = psk
		psk = "moat scenario 51 shared secret"
		retransmit-timeout = 500ms
		retransmit-tries = 3
		dpd-delay = 30s
		keepalive = 1s
	EOF
	chmod 600 "$1.conf"
}

# counter NAME: packets counted so far by r's nft counter NAME.
counter() {
	nsx r nft list counter inet moat51 "$1" | grep -o 'packets [0-9]*' |
		cut -d' ' -f2
}

# pj NS EXPR CMD...: moat -j CMD in NS, then prints python EXPR on it (x).
pj() {
	local ns=$1 expr=$2
	shift 2
	nsx "$ns" moat -j "$@" | python3 -c "
import json, sys
x = json.load(sys.stdin)
print($expr)"
}

# peer_ep NS: encap sport dport of NS's single peer on moat0.
peer_ep() {
	pj "$1" '" ".join(str(x[0].get(k, "-")) for k in ("encap", "sport", "dport"))' \
		peer show dev moat0
}

# keepalives NS: NAT keepalives NS's module has eaten.
keepalives() {
	pj "$1" 'x[0]["stats"]["rx_nat_keepalive"]' -s link show dev moat0
}

moat_load
netns_pair a r $A/24 $R_IN/24
netns_pair r b $R_OUT/24 $B/24
ip -n a route add default via $R_IN
nsx r sysctl -qw net.ipv4.ip_forward=1
nsx r nft -f - <<EOF
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "veth-b" meta l4proto udp masquerade to :20000-20999
		oifname "veth-b" masquerade
	}
}
table inet moat51 {
	counter esp_udp_out {}
	counter esp_udp_in {}
	counter esp_raw {}
	chain count {
		type filter hook forward priority filter; policy accept;
		meta l4proto esp counter name esp_raw
		oifname "veth-b" udp dport 4500 udp length > 9 @th,64,32 != 0 counter name esp_udp_out
		iifname "veth-b" udp sport 4500 udp length > 9 @th,64,32 != 0 counter name esp_udp_in
	}
}
EOF

conf a $A $B 10.1.0.0/16 10.2.0.0/16 @a.example @b.example
conf b $B %any 10.2.0.0/16 10.1.0.0/16 @b.example @a.example
start a
start b
if grep -q 'port 4500 is taken\|did not take' a.log b.log; then
	fail "moatd did not get UDP 4500"
fi
ip -n a addr add 10.1.0.1/32 dev moat0
ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
ip -n b addr add 10.2.0.1/32 dev moat0
ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1

log "moat ike up across the NAT"
nsx a moat ike up t || fail "ike up"
nsx b moat ike show
nsx a moat peer show dev moat0
nsx b moat peer show dev moat0

log "IKE floated to 4500; the peers are encap udp, b's to a's mapped port"
[[ $(pj a 'x["conns"][0]["ike_sa"]["remote_port"]' ike show) == 4500 ]] ||
	fail "a: IKE did not float to the peer's 4500"
bport=$(pj b '[c["ike_sa"]["remote_port"] for c in x["conns"] if c.get("ike_sa")][0]' ike show)
((bport >= 20000 && bport <= 20999)) || fail "b: IKE from port $bport, not a NAT-mapped one"
[[ $(peer_ep a) == "udp 4500 4500" ]] || fail "a: peer $(peer_ep a), not udp 4500 4500"
[[ $(peer_ep b) == "udp 4500 $bport" ]] || fail "b: peer $(peer_ep b), not udp 4500 $bport"

log "pings both ways, as UDP/4500 on r's outside leg"
out0=$(counter esp_udp_out) in0=$(counter esp_udp_in)
nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "ping a -> b"
nsx b ping -c 3 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "ping b -> a"
n=$(sa_stat b in rx_packets)
((n >= 6)) || fail "b's inbound SA counted $n packets, not 6"
n=$(sa_stat a in rx_packets)
((n >= 6)) || fail "a's inbound SA counted $n packets, not 6"
out=$(($(counter esp_udp_out) - out0)) in=$(($(counter esp_udp_in) - in0))
((out >= 6 && in >= 6)) || fail "r saw $out ESP-in-UDP packets out and $in in, not 6 each"
[[ $(counter esp_raw) == 0 ]] || fail "r saw $(counter esp_raw) raw ESP packets"

log "a's NAT keepalives reach b's module; b, not behind a NAT, sends none"
k0=$(keepalives b)
more_keepalives() { (($(keepalives b) > k0)); }
wait_for -t 10 more_keepalives || fail "no NAT keepalive counted by b ($k0)"
[[ $(keepalives a) == 0 ]] || fail "a counted $(keepalives a) keepalives from b"

log "a hand-keyed encap-udp peer shares moatd's socket; the module stays loaded"
ip -n a link add moat1 type moat
nsx a moat peer add dev moat1 remote 203.0.113.7 encap udp ts 10.7.0.0/16 ||
	fail "a: hand-keyed encap udp peer refused while moatd holds 4500"
expect_fail rmmod moat
nsx a moat ike down t || fail "ike down"
stop a
stop b
nsx a moat peer del dev moat1 remote 203.0.113.7
nsx a moat peer add dev moat1 remote 203.0.113.7 encap udp ts 10.7.0.0/16 ||
	fail "a: the module cannot open 4500 after moatd closed its socket"
nsx a moat peer del dev moat1 remote 203.0.113.7

log "the module's own 4500 socket first: moatd runs on 500, raw ESP"
ip -n b link add moat1 type moat
nsx b moat peer add dev moat1 remote 203.0.113.9 encap udp ts 10.9.0.0/16
nsx r nft delete table ip nat
ip -n b route add 192.168.1.0/24 via $R_OUT
: >b.log
start b
grep -q 'IPv4 UDP port 4500 is taken' b.log || fail "b: no word about UDP 4500"
start a
nsx a moat ike up t || fail "ike up with the module's socket on b's 4500"
[[ $(peer_ep b) == "none - -" ]] || fail "b: peer $(peer_ep b), not raw ESP"
raw0=$(counter esp_raw)
ping_ok a 10.2.0.1 || fail "ping a -> b in raw ESP"
(($(counter esp_raw) > raw0)) || fail "r saw no raw ESP"
stop a
stop b

log "encap = yes without a NAT: IKE floats all the same, ESP in UDP"
nsx b moat peer del dev moat1 remote 203.0.113.9
echo "encap = yes" >>a.conf
start b
start a
nsx a moat ike up t || fail "ike up with encap = yes"
[[ $(peer_ep a) == "udp 4500 4500" ]] || fail "a: peer $(peer_ep a), not udp 4500 4500"
[[ $(peer_ep b) == "udp 4500 4500" ]] || fail "b: peer $(peer_ep b), not udp 4500 4500"
out0=$(counter esp_udp_out)
ping_ok a 10.2.0.1 || fail "ping a -> b with encap = yes"
(($(counter esp_udp_out) > out0)) || fail "r saw no ESP in UDP with encap = yes"
stop a
stop b
