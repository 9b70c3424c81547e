#!/bin/bash
# What "make demo" shows, run where modules can be loaded (the host or the
# test VM): two namespaces, each running moatd with a pre-shared key;
# `moat ike up` negotiates IKEv2 and moatd hands the Child SA's keys to the
# module; a ping crosses the tunnel; then moat's view of the IKE SA, the
# link, the peer and the SAs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
moatd=$top/userspace/moatd/moatd
L=moat-left R=moat-right
work=$(mktemp -d /tmp/moat-demo.XXXXXX)
declare -A pid

cleanup() {
	local p
	for p in "${pid[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	ip netns del $L 2>/dev/null || true
	ip netns del $R 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
cleanup
work=$(mktemp -d /tmp/moat-demo.XXXXXX)

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

# moatd.conf for each side: one connection, inner 10.1.0.0/16 <-> 10.2.0.0/16.
conf() {	# ns local remote local-ts remote-ts
	cat >"$work/$1.conf" <<-CONF
		[conn site]
		local = $2
		remote = $3
		local-ts = $4
		remote-ts = $5
		auth = psk
		psk = "moat demo: use a long random secret in real life"
	CONF
	chmod 600 "$work/$1.conf"
	step "cat $1/moatd.conf"
	cat "$work/$1.conf"
}
conf $L 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16
conf $R 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16

# moatd in each namespace, in the foreground with its log in a file; it
# creates moat0 and waits for `moat ike up` or the peer.
for ns in $L $R; do
	step "[$ns] moatd -c $ns/moatd.conf -f &"
	ip netns exec $ns "$moatd" -c "$work/$ns.conf" -f 2>"$work/$ns.log" &
	pid[$ns]=$!
done
for ns in $L $R; do
	for _ in $(seq 50); do
		ip netns exec $ns moat ike show >/dev/null 2>&1 && break
		sleep 0.1
	done
done
run ip -n $L addr add 10.1.0.1/32 dev moat0
run ip -n $R addr add 10.2.0.1/32 dev moat0
run ip -n $L route add 10.2.0.0/16 dev moat0 src 10.1.0.1
run ip -n $R route add 10.1.0.0/16 dev moat0 src 10.2.0.1

# IKEv2, then traffic across the tunnel, then what moat saw.
at $L moat ike up site
at $L ping -c 3 -i 0.2 10.2.0.1
at $L moat ike show
at $R moat -j ike show
at $L moat link show
at $L moat peer show
at $L moat -s sa show
step "[$L] moatd's log"
cat "$work/$L.log"
