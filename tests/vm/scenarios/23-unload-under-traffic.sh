#!/bin/bash
# The module goes away cleanly while traffic flows through it.  TCP both
# ways (iperf3) and ping floods (IPv6 inside) run through a moat <-> moat
# tunnel; then (1) namespace b is deleted and rmmod follows at once, while
# a keeps sending into its tunnel and b's devices are still being torn
# down; (2) rmmod with both namespaces alive, ESP in UDP (moat's own UDP
# sockets open) and traffic in full flow.  Each time the module unloads
# within seconds without a kernel warning; then it loads again and a new
# tunnel carries traffic.
# timeout: 480
set -euo pipefail
# shellcheck source=../esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

declare -A before after
PIDS_A=() PIDS_B=()

# bg NS CMD...: start CMD in NS in the background, remembering its pid.
bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" >/dev/null 2>&1 &
	if [[ $ns == a ]]; then PIDS_A+=($!); else PIDS_B+=($!); fi
}

# stop_pids PID...: end processes this scenario started, by pid.
stop_pids() {
	local pid
	for pid in "$@"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "$@"; do
		wait "$pid" 2>/dev/null || true
	done
}

listening() { # NS PORT
	ip netns exec "$1" ss -ltnH "sport = :$2" | grep -q LISTEN
}


# traffic: TCP a -> b and b -> a, and a ping flood each way.
traffic() {
	bg b iperf3 -s -p 5201
	bg a iperf3 -s -p 5202
	wait_for listening b 5201 || fail "no iperf3 server in b"
	wait_for listening a 5202 || fail "no iperf3 server in a"
	bg a iperf3 -c $IN_B4 -p 5201 -t 120
	bg b iperf3 -c $IN_A4 -p 5202 -t 120
	bg a ping -f -q $IN_B6
	bg b ping -f -q $IN_A6
	await a:out.$SPI_AB.tx_packets 300 30 ||
		fail "traffic a -> b did not start"
	await b:out.$SPI_BA.tx_packets 300 30 ||
		fail "traffic b -> a did not start"
	# Still flowing, in both directions, right before the unload.
	snap before a b
	sleep 1
	snap after a b
	log "between two snapshots 1 s apart: a sent $(delta a:out.$SPI_AB.tx_packets)," \
		"received $(delta a:in.$SPI_BA.rx_packets);" \
		"b sent $(delta b:out.$SPI_BA.tx_packets)," \
		"received $(delta b:in.$SPI_AB.rx_packets)"
	(($(delta a:out.$SPI_AB.tx_packets) > 0)) || fail "a stopped sending"
	(($(delta b:in.$SPI_AB.rx_packets) > 0)) || fail "b stopped receiving"
	(($(delta b:out.$SPI_BA.tx_packets) > 0)) || fail "b stopped sending"
	(($(delta a:in.$SPI_BA.rx_packets) > 0)) || fail "a stopped receiving"
}

# unload: rmmod, retried for up to 15 s; it must leave no trace.
unload() {
	local t0=$SECONDS
	wait_for -t 15 rmmod moat || fail "rmmod: $(rmmod moat 2>&1)"
	[[ ! -e /sys/module/moat ]] || fail "module still present"
	log "unloaded after $((SECONDS - t0)) s"
}

log "1: raw ESP, AES-GCM; delete namespace b, then rmmod"
moat_load
esp_topology
moat_tunnel 4 raw gcm
traffic
stop_pids "${PIDS_B[@]}"
PIDS_B=()
ip netns del b
unload
# a's senders kept going into a tunnel that is gone.
stop_pids "${PIDS_A[@]}"
PIDS_A=()
ip netns del a

log "2: ESP in UDP, ChaCha20-Poly1305; rmmod with both sides up"
moat_load
esp_topology
moat_tunnel 4 udp chacha
traffic
unload
stop_pids "${PIDS_A[@]}" "${PIDS_B[@]}"
PIDS_A=() PIDS_B=()
[[ -z $(ip -n a -o link show type moat) ]] || fail "a kept a moat device"
[[ -z $(ip -n b -o link show type moat) ]] || fail "b kept a moat device"

log "3: load again; a new tunnel works"
moat_load
moat_tunnel 4 udp gcm
pings a $IN_B4 3 || fail "no tunnel a -> b after reloading"
pings b $IN_A6 3 || fail "no tunnel b -> a after reloading"
snap after a b
[[ ${after[b:in.$SPI_AB.rx_packets]} -ge 3 ]] || fail "b's SA counted nothing"
