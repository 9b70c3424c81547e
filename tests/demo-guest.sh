#!/bin/bash
# What "make demo" shows, run where modules can be loaded (the host or the
# test VM): a live moat tunnel between two namespaces, keyed by hand, with
# traffic crossing it and moat's view of the link, the peers and the SAs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
moat=$top/userspace/moat
L=moat-left R=moat-right
K_LR=0x000102030405060708090a0b0c0d0e0f10111213
K_RL=0x1f1e1d1c1b1a191817161514131211100f0e0d0c

cleanup() {
	ip netns del $L 2>/dev/null || true
	ip netns del $R 2>/dev/null || true
}
trap cleanup EXIT
cleanup

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@"; }
at() { local ns=$1; shift; step "[$ns] $*"; ip netns exec "$ns" "$@"; }

if ! grep -q '^moat ' /proc/modules; then
	for dep in $(modinfo -F depends "$top/kmod/moat.ko" | tr , ' '); do
		modprobe "$dep"
	done
	run insmod "$top/kmod/moat.ko"
fi
export PATH=$top/userspace:$PATH

# The outer network: two namespaces on a veth pair.
run ip netns add $L
run ip netns add $R
run ip link add veth-l netns $L type veth peer name veth-r netns $R
run ip -n $L addr add 192.0.2.1/24 dev veth-l
run ip -n $R addr add 192.0.2.2/24 dev veth-r
ip -n $L link set veth-l up
ip -n $R link set veth-r up

# The tunnel: moat0 on each side, inner 10.1.0.0/16 <-> 10.2.0.0/16.
for ns in $L $R; do
	run ip -n $ns link add moat0 type moat
	ip -n $ns link set moat0 up
done
run ip -n $L addr add 10.1.0.1/32 dev moat0
run ip -n $R addr add 10.2.0.1/32 dev moat0
run ip -n $L route add 10.2.0.0/16 dev moat0 src 10.1.0.1
run ip -n $R route add 10.1.0.0/16 dev moat0 src 10.2.0.1
at $L moat peer add dev moat0 remote 192.0.2.2 encap udp ts 10.2.0.0/16
at $R moat peer add dev moat0 remote 192.0.2.1 encap udp ts 10.1.0.0/16
at $L moat sa add dev moat0 peer 192.0.2.2 dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $K_LR 128 esn
at $R moat sa add dev moat0 peer 192.0.2.1 dir in spi 0x1001 aead 'rfc4106(gcm(aes))' $K_LR 128 esn replay-window 32768
at $R moat sa add dev moat0 peer 192.0.2.1 dir out spi 0x2001 aead 'rfc4106(gcm(aes))' $K_RL 128
at $L moat sa add dev moat0 peer 192.0.2.2 dir in spi 0x2001 aead 'rfc4106(gcm(aes))' $K_RL 128

# Traffic across it, then what moat saw.
at $L ping -c 3 -i 0.2 10.2.0.1
at $L moat link show
at $L moat peer show
at $L moat -s sa show
at $R moat -j -s sa show dev moat0 peer 192.0.2.1
