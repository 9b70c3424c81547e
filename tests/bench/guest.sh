#!/bin/bash
# The benchmark itself, run inside the test VM by tests/bench/run.sh (or by
# hand as root on a host that can load moat.ko, with MOAT_ROOT and MOAT_KO
# set).  Every path gets the same fresh topology: namespaces a and b over
# one veth pair (see tests/vm/esp-lib.sh), traffic from a to b.
#
#   TCP, 1 and 4 streams (iperf3, BENCH_SECONDS each, default 20), through
#   plain veth (MTU 1420), Linux XFRM and moat with AES-GCM-128 and
#   ChaCha20-Poly1305 (raw ESP, same keys), and WireGuard;
#   packets per second with 64-byte UDP payloads (iperf3 -u -b 0,
#   BENCH_PPS_SECONDS, default 10) through the tunnels;
#   the AEAD's own speed on one CPU (tcrypt, 1420-byte blocks).
#
# Prints a table, the ratios, and a one-line summary.  No pass or fail.
# Measurements that would start after BENCH_BUDGET seconds (default 720)
# are skipped, so the run ends in bounded time whatever the machine does.
set -uo pipefail
export MOAT_ROOT=${MOAT_ROOT:?}
export MOAT_KO=${MOAT_KO:-$MOAT_ROOT/kmod/moat.ko}
export MOAT_VM_LIB=${MOAT_VM_LIB:-$MOAT_ROOT/tests/vm/lib.sh}
export PATH=$MOAT_ROOT/userspace:$PATH
# shellcheck source=../vm/esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

SECS=${BENCH_SECONDS:-20}
PPS_SECS=${BENCH_PPS_SECONDS:-10}
BUDGET=${BENCH_BUDGET:-720}
START=$SECONDS
WORK=$(mktemp -d)
cd "$WORK" || exit 1
declare -A R C # R[path,metric] = figure; C: counters

say() { echo "bench: $*"; }

over_budget() {
	if ((SECONDS - START > BUDGET)); then
		say "time budget (${BUDGET}s) used up: skipping $*"
		return 0
	fi
	return 1
}

teardown() {
	local pid
	if [[ -s iperf.pid ]]; then
		pid=$(<iperf.pid)
		kill "$pid" 2>/dev/null
		rm -f iperf.pid
	fi
	ip -all netns delete 2>/dev/null
	return 0
}

# --- the paths ----------------------------------------------------------

# Each runs in a subshell with set -e; the traffic goes from a to b's
# inner address (the outer one for plain veth).
setup_veth() {
	netns_pair a b $A4/24 $B4/24
	ip -n a link set veth-b mtu 1420
	ip -n b link set veth-a mtu 1420
}

setup_xfrm() { # gcm|chacha
	esp_topology
	xfrm_side a 4 raw "$1"
	xfrm_side b 4 raw "$1"
}

setup_moat() { # gcm|chacha
	[[ -e /sys/module/moat ]] || moat_load
	esp_topology
	moat_tunnel 4 raw "$1"
}

setup_wg() {
	local ns peer port=51820 mine theirs
	command -v wg >/dev/null || {
		echo "wg not found (Debian package wireguard-tools)"
		return 1
	}
	esp_topology
	for ns in a b; do
		wg genkey >$ns.key
		wg pubkey <$ns.key >$ns.pub
	done
	for ns in a b; do
		if [[ $ns == a ]]; then
			peer=b mine=$IN_A4 theirs=$TS_B4
		else
			peer=a mine=$IN_B4 theirs=$TS_A4
		fi
		ip -n $ns link add wg0 type wireguard
		ip netns exec $ns wg set wg0 listen-port $port \
			private-key "$PWD/$ns.key" peer "$(<$peer.pub)" \
			allowed-ips "$theirs" \
			endpoint "$(outer_of $peer 4):$port"
		ip -n $ns addr add "$mine/32" dev wg0
		ip -n $ns link set wg0 up
		ip -n $ns route add "$theirs" dev wg0 src "$mine"
	done
}

# --- the measurements ----------------------------------------------------

# iperf JSON-FILE tcp|udp: the figure of one iperf3 run (Mbit/s received;
# for UDP, datagrams received per second).
iperf_figure() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    sys.exit(r["error"])
rx = r["end"]["sum_received"]
if sys.argv[2] == "tcp":
    print("%.1f" % (rx["bits_per_second"] / 1e6))
else:
    print("%.0f" % (rx["bytes"] / 64 / rx["seconds"]))
EOF
}

# run_iperf NAME METRIC ARGS...: one iperf3 run from a to DST.
run_iperf() {
	local name=$1 metric=$2 kind=tcp fig
	shift 2
	[[ $metric == pps ]] && kind=udp
	over_budget "$name $metric" && return 0
	timeout $((SECS + PPS_SECS + 60)) ip netns exec a \
		iperf3 -c "$DST" -J "$@" >"$name.$metric.json" 2>&1
	if fig=$(iperf_figure "$name.$metric.json" $kind 2>&1); then
		R[$name,$metric]=$fig
		say "$name $metric: $fig"
	else
		say "$name $metric: failed: $fig"
	fi
}

# measure NAME PPS? SETUP [ARGS...]: set the path up and measure it.
measure() {
	local name=$1 pps=$2 rc
	shift 2
	over_budget "$name" && return 0
	say "$name: setting up"
	teardown
	DST=$IN_B4
	[[ $name == veth ]] && DST=$B4
	# Not in an if: that would turn set -e off inside.
	(
		set -e
		"$@"
	) >"$name.setup.log" 2>&1
	rc=$?
	if ((rc)); then
		say "$name: setup failed:"
		sed 's/^/    /' "$name.setup.log" | tail -n 5
		teardown
		return 0
	fi
	ip netns exec b iperf3 -s -D --pidfile "$PWD/iperf.pid" >/dev/null
	wait_for -t 10 sh -c "ip netns exec b ss -ltnH 'sport = :5201' | grep -q ." ||
		say "$name: no iperf3 server"
	# Resolve neighbours, complete handshakes.
	ip netns exec a ping -c 2 -i 0.2 -W 2 "$DST" >/dev/null 2>&1 ||
		say "$name: $DST does not answer pings"
	run_iperf "$name" tcp1 -t "$SECS"
	run_iperf "$name" tcp4 -t "$SECS" -P 4
	if [[ $pps == pps ]]; then
		run_iperf "$name" pps -t "$PPS_SECS" -u -l 64 -b 0
	fi
	if [[ $name == moat-* ]]; then
		say "$name: device counters of a and b (non-zero):"
		snap C a b
		show_snap C | grep -E ':link\.' | sed 's/^/    /'
	fi
	teardown
}

# tcrypt MODE ALG: MB/s of ALG encryption and decryption of 1420-byte
# blocks on one CPU, from tcrypt's speed test (the modprobe fails on
# purpose: tcrypt never stays loaded).
tcrypt() {
	local mode=$1 alg=$2 from out
	over_budget "tcrypt mode=$mode" && return 0
	from=$(dmesg | wc -l)
	modprobe tcrypt mode="$mode" sec=1 2>/dev/null
	out=$(dmesg | tail -n +$((from + 1)) | python3 -c '
import re, sys
alg, dirn, best = sys.argv[1], None, {}
for line in sys.stdin:
    m = re.search(r"testing speed of (\S+) \((\S+)\) (encryption|decryption)", line)
    if m:
        dirn = m.group(3) if m.group(1) == alg else None
        impl = m.group(2)
        continue
    m = re.search(r"\((\d+) bit key, (\d+) byte blocks\): (\d+) operations in (\d+) seconds \((\d+) bytes\)", line)
    if dirn and m:
        size, secs, nbytes = int(m.group(2)), int(m.group(4)), int(m.group(5))
        # The block size nearest 1420 (tcrypt has 1420 itself).
        cur = best.get(dirn)
        if cur is None or abs(size - 1420) < abs(cur[0] - 1420):
            best[dirn] = (size, nbytes / secs / 1e6, impl)
for d in ("encryption", "decryption"):
    if d in best:
        print("%s %.1f %d %s" % (d, best[d][1], best[d][0], best[d][2]))
' "$alg")
	[[ -n $out ]] || {
		say "tcrypt mode=$mode: no figures for $alg"
		return 0
	}
	while read -r dirn mbs size impl; do
		R[tcrypt-$alg,$dirn]=$mbs
		R[tcrypt-$alg,driver]=$impl
		say "tcrypt $alg ($impl) $dirn, $size-byte blocks: $mbs MB/s"
	done <<<"$out"
}

# --- the report ------------------------------------------------------------

fig() { # path metric
	echo "${R[$1,$2]:--}"
}

ratio() { # a b: a / b with two decimals, or -
	python3 -c '
import sys
try:
    a, b = float(sys.argv[1]), float(sys.argv[2])
    print("%.2f" % (a / b))
except (ValueError, ZeroDivisionError):
    print("-")' "$1" "$2"
}

mbit_of_mbs() { # MB/s -> Mbit/s
	[[ $1 == - ]] && echo - && return
	python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) * 8))' "$1"
}

report() {
	local p gcm_lim chacha_lim share_gcm
	echo
	echo "=== moat benchmark: $(uname -r), $(nproc) vCPU," \
		"TCP ${SECS}s, UDP ${PPS_SECS}s ==="
	printf '%-22s %14s %14s %14s\n' path "TCP 1 (Mbit/s)" \
		"TCP 4 (Mbit/s)" "64 B UDP (pps)"
	for p in veth xfrm-gcm xfrm-chacha wireguard moat-gcm moat-chacha; do
		printf '%-22s %14s %14s %14s\n' "$p" "$(fig $p tcp1)" \
			"$(fig $p tcp4)" "$(fig $p pps)"
	done
	gcm_lim=$(mbit_of_mbs "$(fig 'tcrypt-rfc4106(gcm(aes))' encryption)")
	chacha_lim=$(mbit_of_mbs \
		"$(fig 'tcrypt-rfc7539esp(chacha20,poly1305)' encryption)")
	printf '%-22s %14s   tcrypt, 1 CPU, 1420 B: %s\n' "AEAD gcm" "$gcm_lim" \
		"$(fig 'tcrypt-rfc4106(gcm(aes))' driver)"
	printf '%-22s %14s   tcrypt, 1 CPU, 1420 B: %s\n' "AEAD chacha" \
		"$chacha_lim" "$(fig 'tcrypt-rfc7539esp(chacha20,poly1305)' driver)"
	echo
	printf '%-34s %8s %8s %8s\n' ratio "TCP 1" "TCP 4" pps
	printf '%-34s %8s %8s %8s\n' "moat/XFRM, AES-GCM" \
		"$(ratio "$(fig moat-gcm tcp1)" "$(fig xfrm-gcm tcp1)")" \
		"$(ratio "$(fig moat-gcm tcp4)" "$(fig xfrm-gcm tcp4)")" \
		"$(ratio "$(fig moat-gcm pps)" "$(fig xfrm-gcm pps)")"
	printf '%-34s %8s %8s %8s\n' "moat/XFRM, ChaCha20-Poly1305" \
		"$(ratio "$(fig moat-chacha tcp1)" "$(fig xfrm-chacha tcp1)")" \
		"$(ratio "$(fig moat-chacha tcp4)" "$(fig xfrm-chacha tcp4)")" \
		"$(ratio "$(fig moat-chacha pps)" "$(fig xfrm-chacha pps)")"
	printf '%-34s %8s %8s %8s\n' "moat/WireGuard, ChaCha20-Poly1305" \
		"$(ratio "$(fig moat-chacha tcp1)" "$(fig wireguard tcp1)")" \
		"$(ratio "$(fig moat-chacha tcp4)" "$(fig wireguard tcp4)")" \
		"$(ratio "$(fig moat-chacha pps)" "$(fig wireguard pps)")"
	printf '%-34s %8s %8s\n' "moat/AEAD limit, AES-GCM" \
		"$(ratio "$(fig moat-gcm tcp1)" "$gcm_lim")" \
		"$(ratio "$(fig moat-gcm tcp4)" "$gcm_lim")"
	printf '%-34s %8s %8s\n' "moat/AEAD limit, ChaCha20-Poly1305" \
		"$(ratio "$(fig moat-chacha tcp1)" "$chacha_lim")" \
		"$(ratio "$(fig moat-chacha tcp4)" "$chacha_lim")"
	share_gcm=$(ratio "$(fig moat-gcm tcp1)" "$gcm_lim")
	[[ $share_gcm != - ]] &&
		share_gcm=$(python3 -c "print('%.0f %%' % ($share_gcm * 100))")
	echo
	echo "summary: moat AES-GCM $(fig moat-gcm tcp1) Mbit/s" \
		"= $(ratio "$(fig moat-gcm tcp1)" "$(fig xfrm-gcm tcp1)")x XFRM," \
		"ChaCha $(fig moat-chacha tcp1) Mbit/s" \
		"= $(ratio "$(fig moat-chacha tcp1)" "$(fig wireguard tcp1)")x WireGuard," \
		"$share_gcm of the AES-GCM limit (1 stream, $((SECONDS - START))s run)"
}

say "$(uname -r), $(nproc) vCPU; TCP ${SECS}s, UDP ${PPS_SECS}s per run"
# Nothing loads the CPU-specific ciphers in the VM (no udev): without
# them every AEAD would run on the generic C code, unlike on a real host.
modprobe -a aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64 \
	2>/dev/null
modprobe -a esp4 xfrm_user
tcrypt 211 'rfc4106(gcm(aes))'
tcrypt 213 'rfc7539esp(chacha20,poly1305)'
measure moat-gcm pps setup_moat gcm
measure moat-chacha pps setup_moat chacha
# moat sits ahead of XFRM in the ESP receive chain: out of the way, so
# that XFRM's figures carry none of its SPI lookups.
teardown
if [[ -e /sys/module/moat ]] && ! wait_for -t 10 rmmod moat 2>/dev/null; then
	say "moat did not unload: XFRM's figures include its SPI lookups"
fi
measure xfrm-gcm pps setup_xfrm gcm
measure xfrm-chacha pps setup_xfrm chacha
measure wireguard pps setup_wg
measure veth - setup_veth
teardown
say "AEAD drivers in use: $(grep -A2 '^name *: \(rfc4106(gcm(aes))\|rfc7539esp(chacha20,poly1305)\)$' \
	/proc/crypto | sed -n 's/^driver *: //p' | sort -u | tr '\n' ' ')"
report
