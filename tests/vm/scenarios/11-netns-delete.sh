#!/bin/bash
# Deleting a namespace takes its moat devices with it, leaves the others
# alone, and leaves nothing that keeps the module from unloading.
# timeout: 120
set -euo pipefail
. "$MOAT_VM_LIB"

moat_load
for ns in a b c; do
	ip netns add $ns
	ip -n $ns link add moat0 type moat
	ip -n $ns link set moat0 up
done
ip -n a addr add 10.1.0.1/24 dev moat0
ip -n a route add 10.2.0.0/16 dev moat0

log "traffic with no peer is dropped and counted, not stuck"
nsx a busybox ping -c 2 -W 1 10.2.0.1 >/dev/null 2>&1 && fail "ping answered"
[ "$(nsx a cat /sys/class/net/moat0/statistics/tx_dropped)" -ge 2 ] ||
	fail "tx_dropped not counted"

log "delete namespaces"
ip netns delete a
ip netns delete b
wait_for -t 20 sh -c '! grep -q "^moat " /proc/modules || \
	[ "$(awk "/^moat /{print \$3}" /proc/modules)" = 0 ]'
nsx c moat link show dev moat0 >/dev/null || fail "c lost its device"

log "a namespace created and deleted in a loop"
for i in $(seq 1 20); do
	ip netns add loop
	ip -n loop link add moat0 type moat
	ip -n loop link set moat0 up
	ip netns delete loop
done

ip netns delete c
wait_for -t 20 rmmod moat || fail "module still in use after the namespaces went"
