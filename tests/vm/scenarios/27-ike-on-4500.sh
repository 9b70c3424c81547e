#!/bin/bash
# IKE that reaches the module's own UDP 4500 socket is dropped and counted,
# not queued: no daemon reads that socket, so queued datagrams would pin
# memory until the peer goes.  Between two moat namespaces with ESP in UDP,
# N datagrams with the zero non-ESP marker (IKE, down to the bare 4-byte
# marker) sent to b's port 4500 count exactly N in rx_ike_dropped and
# nothing else, and the socket's receive queue stays empty.  NAT
# keepalives are eaten and counted as such (rx_nat_keepalive), ESP still
# carries the tunnel, a datagram too short for ESP counts as such.
# (A socket moatd hands in keeps its IKE instead: 51-moatd-nat.)
# timeout: 150
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

SEND=("${PY[@]}" "$ESP_TOOLS/udp-send.py")
N=20
# An IKE_SA_INIT-shaped header after the marker; the content is not read.
IKE=00000000$(printf '%016x' 0x1122334455667788)0000000000000000
IKE+=21202208000000000000001c
declare -A before after

# rx_queue NS: the receive queue (bytes) of NS's UDP sockets on port 4500,
# summed; /proc/net/udp has them in hex as tx_queue:rx_queue.
rx_queue() {
	local f sum=0
	while read -r -a f; do
		[[ ${f[1]} == *:1194 ]] && sum=$((sum + 16#${f[4]#*:}))
	done < <(nsx "$1" cat /proc/net/udp)
	echo $sum
}

moat_load
esp_topology
moat_tunnel 4 udp gcm
pings a $IN_B4 2 || fail "no tunnel"
[[ $(rx_queue b) == 0 ]] || fail "b's 4500 queue holds $(rx_queue b) bytes already"

log "$N IKE datagrams to b's port 4500"
snap before b
nsx a "${SEND[@]}" $B4 4500 $((N - 1)) "$IKE" >/dev/null
nsx a "${SEND[@]}" $B4 4500 1 00000000 >/dev/null
await b:link.rx_ike_dropped $N ||
	fail "rx_ike_dropped did not reach $N; b's 4500 queue: $(rx_queue b) bytes"
sleep 0.5 # anything counted twice, or late, would show by now
snap after b
show_snap after
expect_delta b:link.rx_ike_dropped $N
for k in rx_too_short rx_unknown_spi rx_packets rx_icv_fail rx_bad_inner; do
	expect_delta b:link.$k 0
done
[[ $(rx_queue b) == 0 ]] || fail "b's 4500 queue holds $(rx_queue b) bytes"

log "NAT keepalives: eaten, counted as keepalives only"
snap before b
nsx a "${SEND[@]}" $B4 4500 5 ff >/dev/null
sleep 1
snap after b
expect_delta b:snmp.Udp.InDatagrams 5
expect_delta b:link.rx_nat_keepalive 5
for k in rx_ike_dropped rx_too_short rx_unknown_spi; do
	expect_delta b:link.$k 0
done
[[ $(rx_queue b) == 0 ]] || fail "keepalives queued: $(rx_queue b) bytes"

log "ESP still flows; a datagram too short for ESP is counted as such"
snap before b
pings a $IN_B4 3 || fail "no tunnel after the IKE datagrams"
nsx a "${SEND[@]}" $B4 4500 1 0102030405 >/dev/null
snap after --until "b:link.rx_too_short>=$((${before[b:link.rx_too_short]} + 1))" b
expect_delta b:in.$SPI_AB.rx_packets 3
expect_delta b:link.rx_too_short 1
expect_delta b:link.rx_ike_dropped 0
[[ $(rx_queue b) == 0 ]] || fail "b's 4500 queue holds $(rx_queue b) bytes"
