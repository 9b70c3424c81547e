#!/bin/bash
# What "make demo" shows, run where modules can be loaded (the host or the
# test VM): two namespaces, a moat device in each, and moat's view of them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
moat=$top/userspace/moat

cleanup() {
	ip netns del moat-left 2>/dev/null || true
	ip netns del moat-right 2>/dev/null || true
}
trap cleanup EXIT
cleanup

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@"; }

if ! grep -q '^moat ' /proc/modules; then
	for dep in $(modinfo -F depends "$top/kmod/moat.ko" | tr , ' '); do
		modprobe "$dep"
	done
	run insmod "$top/kmod/moat.ko"
fi
run ip netns add moat-left
run ip netns add moat-right
run ip -n moat-left link add moat0 type moat
run ip -n moat-right link add moat0 type moat
run ip -n moat-left addr add 10.1.0.1/24 dev moat0
run ip -n moat-left link set moat0 up
run ip -n moat-right link set moat0 up
run ip netns exec moat-left "$moat" link show
run ip netns exec moat-right "$moat" -s link show dev moat0
run ip netns exec moat-left "$moat" link set dev moat0 mss-clamp 1360
run ip netns exec moat-left "$moat" -j link show dev moat0
