#!/bin/bash
# The benchmark itself, run inside the test VM by tests/bench/run.sh (or by
# hand as root on a host that can load moat.ko, with MOAT_ROOT and MOAT_KO
# set).  Every path gets the same fresh topology: namespaces a and b over
# one veth pair (see tests/vm/esp-lib.sh), traffic from a to b.
#
# BENCH_ROUNDS rounds (default 3), interleaved: each round measures every
# path once, in alternating order, so that a host whose load changes shows
# it as spread rather than as a false ratio.  Per path and round:
#   TCP, 1 and 4 streams (iperf3, BENCH_SECONDS each, default 10), and
#   64-byte UDP datagrams per second (BENCH_PPS_SECONDS, default 5) through
#   moat and Linux XFRM (AES-GCM-128 and ChaCha20-Poly1305, raw ESP, same
#   keys), WireGuard, and plain veth (MTU 1420, TCP 1 only);
#   where the CPUs' time went during the 1-stream run (/proc/stat), and for
#   moat the data path's own counters (debugfs moat/pipeline).
# Once a round, among the paths: the AEADs' own speed on one CPU (tcrypt,
# 1420-byte blocks), from which the report takes each round's ceiling.
# BENCH_PROFILE=1 adds, after the rounds, one 1-stream run of moat (both
# AEADs) and of XFRM AES-GCM under perf (cpu-clock, every CPU) and prints
# where the time went, by symbol and by kind of work; for moat, before its
# perf run, one more run with its own stage timings (debugfs moat/timing),
# which TCG cannot blind.  BENCH_PATHS (space separated)
# limits the paths, BENCH_METRICS (tcp1 tcp4 pps) the measurements, and
# BENCH_TCRYPT=0 skips tcrypt: for quick comparisons by hand.
#
# tests/bench/report.py prints the table, the ratios and the summary line.
# No pass or fail.  Measurements that would start after BENCH_BUDGET
# seconds (default 1500) are skipped.
set -uo pipefail
export MOAT_ROOT=${MOAT_ROOT:?}
export MOAT_KO=${MOAT_KO:-$MOAT_ROOT/kmod/moat.ko}
export MOAT_VM_LIB=${MOAT_VM_LIB:-$MOAT_ROOT/tests/vm/lib.sh}
export PATH=$MOAT_ROOT/userspace:$PATH
# shellcheck source=../vm/esp-lib.sh
. "$MOAT_ROOT/tests/vm/esp-lib.sh"

SECS=${BENCH_SECONDS:-10}
PPS_SECS=${BENCH_PPS_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
BUDGET=${BENCH_BUDGET:-1500}
PROFILE=${BENCH_PROFILE:-0}
PATHS=${BENCH_PATHS:-moat-gcm xfrm-gcm moat-chacha xfrm-chacha wireguard veth}
METRICS=${BENCH_METRICS:-tcp1 tcp4 pps}
START=$SECONDS
WORK=$(mktemp -d)
RES=$WORK/results.tsv
PIPE=/sys/kernel/debug/moat/pipeline
TIMING=/sys/kernel/debug/moat/timing
cd "$WORK" || exit 1
: >"$RES"
ROUND=0

say() { echo "bench: $*"; }

# record PATH METRIC VALUE: one figure of this round.
record() {
	printf '%s\t%s\t%s\t%s\n' "$ROUND" "$1" "$2" "$3" >>"$RES"
}

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

# moat sits ahead of XFRM in the ESP receive chain: unloaded while XFRM
# runs, so that XFRM's figures carry none of its SPI lookups.
moat_out() {
	[[ -e /sys/module/moat ]] || return 0
	if ! wait_for -t 10 rmmod moat 2>/dev/null; then
		say "moat did not unload: XFRM's figures include its SPI lookups"
	fi
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
	python3 -S - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    sys.exit(r["error"])
rx = r["end"]["sum_received"]
if sys.argv[2] == "tcp":
    print("%.1f" % (rx["bits_per_second"] / 1e6))
else:
    print("%.0f" % (rx["bytes"] / 64 / rx["seconds"]))
PY
}

# cpu_snap: the first line of /proc/stat (jiffies of every CPU by kind),
# then the number of context switches so far.
cpu_snap() {
	awk 'NR == 1 { l = $0 } $1 == "ctxt" { print l, $2 }' /proc/stat
}

# cpu_record PATH BEFORE AFTER: the share of CPU time per kind of work.
cpu_record() {
	local k v
	while read -r k v; do
		record "$1" "cpu-$k" "$v"
	done < <(python3 -S - "$2" "$3" "$(nproc)" <<'PY'
import sys
names = ["user", "nice", "sys", "irq", "softirq", "idle", "iowait", "steal"]
order = [0, 1, 2, 5, 6, 3, 4, 7]  # /proc/stat: user nice system idle iowait irq softirq steal
a = [int(x) for x in sys.argv[1].split()[1:9]]
b = [int(x) for x in sys.argv[2].split()[1:9]]
d = [y - x for x, y in zip(a, b)]
tot = sum(d) or 1
for name, i in zip(names, order):
    print(name, "%.1f" % (100.0 * d[i] / tot))
ncpu = int(sys.argv[3])
secs = tot / 100.0 / ncpu
ctxt = int(sys.argv[2].split()[-1]) - int(sys.argv[1].split()[-1])
print("ctxt", "%.0f" % (ctxt / secs if secs else 0))
PY
)
}

# cpu_busy BEFORE AFTER: between two cpu_snap lines, the jiffies of all
# vCPUs that were busy (neither idle nor iowait), then all the jiffies.
cpu_busy() {
	local -a a b
	local i tot=0
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	for ((i = 1; i <= 8; i++)); do
		tot=$((tot + b[i] - a[i]))
	done
	echo $((tot - (b[4] - a[4]) - (b[5] - a[5]))) "$tot"
}

# cpu_busy_record PATH BEFORE AFTER: the CPU time, all vCPUs, that was
# not idle, in ms (USER_HZ is 100).
cpu_busy_record() {
	local busy
	read -r busy _ < <(cpu_busy "$2" "$3")
	record "$1" cpu-busy-ms $((10 * busy))
}

# pipe_snap: moat's data path counters (name value per line), if any.
pipe_snap() {
	[[ -r $PIPE ]] && cat "$PIPE"
}

# pipe_record PATH METRIC-SUFFIX BEFORE AFTER: the counters' deltas.
pipe_record() {
	local k v
	while read -r k v; do
		record "$1" "pipe-$k-$2" "$v"
	done < <(python3 -S - "$3" "$4" <<'PY'
import sys
def parse(s):
    return {k: int(v) for k, v in (l.split() for l in s.splitlines() if l.strip())}
a, b = parse(sys.argv[1]), parse(sys.argv[2])
for k in b:
    print(k, b[k] - a.get(k, 0))
PY
)
}

# run_iperf NAME METRIC ARGS...: one iperf3 run from a to DST.
run_iperf() {
	local name=$1 metric=$2 kind=tcp fig cpu0 cpu1 p0 p1
	shift 2
	[[ $metric == pps ]] && kind=udp
	over_budget "$name $metric" && return 0
	cpu0=$(cpu_snap)
	p0=$(pipe_snap)
	timeout $((SECS + PPS_SECS + 60)) ip netns exec a \
		iperf3 -c "$DST" -J "$@" >"$name.$metric.json" 2>&1
	cpu1=$(cpu_snap)
	p1=$(pipe_snap)
	if fig=$(iperf_figure "$name.$metric.json" $kind 2>&1); then
		record "$name" "$metric" "$fig"
		say "round $ROUND $name $metric: $fig"
	else
		say "round $ROUND $name $metric: failed: $fig"
		return 0
	fi
	[[ $metric == tcp1 ]] && cpu_record "$name" "$cpu0" "$cpu1"
	[[ $metric == prof ]] && cpu_busy_record "$name" "$cpu0" "$cpu1"
	[[ $name == moat-* && -n $p1 ]] &&
		pipe_record "$name" "$metric" "$p0" "$p1"
	return 0
}

# want METRIC: whether BENCH_METRICS asks for METRIC.
want() { [[ " $METRICS " == *" $1 "* ]]; }

# setup NAME SETUP [ARGS...]: a fresh topology for one path, and its iperf3
# server.
setup() {
	local name=$1 rc
	shift
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
		return 1
	fi
	ip netns exec b iperf3 -s -D --pidfile "$PWD/iperf.pid" >/dev/null
	wait_for -t 10 sh -c "ip netns exec b ss -ltnH 'sport = :5201' | grep -q ." ||
		say "$name: no iperf3 server"
	# Resolve neighbours, complete handshakes.
	ip netns exec a ping -c 2 -i 0.2 -W 2 "$DST" >/dev/null 2>&1 ||
		say "$name: $DST does not answer pings"
	return 0
}

setup_of() { # NAME: the setup command of a path
	case $1 in
	moat-gcm) echo setup_moat gcm ;;
	moat-chacha) echo setup_moat chacha ;;
	xfrm-gcm) echo setup_xfrm gcm ;;
	xfrm-chacha) echo setup_xfrm chacha ;;
	wireguard) echo setup_wg ;;
	veth) echo setup_veth ;;
	esac
}

# measure NAME: set the path up and measure it (tcrypt: the AEADs alone).
measure() {
	local name=$1
	over_budget "$name" && return 0
	if [[ $name == tcrypt ]]; then
		tcrypt 211 'rfc4106(gcm(aes))'
		tcrypt 213 'rfc7539esp(chacha20,poly1305)'
		return 0
	fi
	[[ $name == moat-* ]] || moat_out
	# shellcheck disable=SC2046
	setup "$name" $(setup_of "$name") || return 0
	want tcp1 && run_iperf "$name" tcp1 -t "$SECS"
	[[ $name == veth ]] && { teardown; return 0; }
	want tcp4 && run_iperf "$name" tcp4 -t "$SECS" -P 4
	want pps && run_iperf "$name" pps -t "$PPS_SECS" -u -l 64 -b 0
	[[ $name == moat-chacha ]] && aead_pick_record
	teardown
}

# aead_pick_record: which ChaCha20-Poly1305 implementation moat timed
# fastest when this round loaded it, and its figure against the default's
# (tcrypt's ceiling is the default's).
aead_pick_record() {
	local f=/sys/kernel/debug/moat/aead drv ns def
	[[ -r $f ]] || return 0
	read -r _ drv ns _ < <(grep ' \*$' "$f") || return 0
	read -r _ _ def _ < <(head -n 1 "$f")
	record moat-aead pick "$drv"
	record moat-aead pick-ns "$ns"
	record moat-aead default-ns "$def"
}

# tcrypt MODE ALG: MB/s of ALG encryption and decryption of 1420-byte
# blocks on one CPU, from tcrypt's speed test (the modprobe fails on
# purpose: tcrypt never stays loaded).
tcrypt() {
	local mode=$1 alg=$2 from out dirn mbs size impl
	over_budget "tcrypt mode=$mode" && return 0
	from=$(dmesg | wc -l)
	modprobe tcrypt mode="$mode" sec=1 2>/dev/null
	out=$(dmesg | tail -n +$((from + 1)) | python3 -S -c '
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
		record "tcrypt-$alg" "$dirn" "$mbs"
		record "tcrypt-$alg" driver "$impl"
		say "round $ROUND tcrypt $alg ($impl) $dirn, $size-byte blocks: $mbs MB/s"
	done <<<"$out"
}

# stage_timings NAME: for moat, one 1-stream run with its own stage timings
# on (debugfs moat/timing), and without perf, whose sampling would weigh
# on every stage. perf under TCG mostly samples idle vCPUs; these cannot
# be blinded.
stage_timings() {
	[[ -w $TIMING ]] || return 0
	echo Y >"$TIMING"
	run_iperf "$1" prof -t "$SECS"
	echo N >"$TIMING"
}

# profile NAME: one 1-stream run of NAME under perf, every CPU sampled
# (for moat, after its stage timings).
profile() {
	local name=$1 pid cpu0 cpu1 busy tot
	over_budget "profile $name" && return 0
	[[ $name == moat-* ]] || moat_out
	# shellcheck disable=SC2046
	setup "$name" $(setup_of "$name") || return 0
	[[ $name == moat-* ]] && stage_timings "$name"
	command -v perf >/dev/null || {
		say "profile: no perf in the VM"
		teardown
		return 0
	}
	cpu0=$(cpu_snap)
	perf record -q -a -e cpu-clock -F 997 -o "$name.perf" \
		-- sleep "$SECS" >/dev/null 2>&1 &
	pid=$!
	ip netns exec a iperf3 -c "$DST" -J -t "$SECS" >"$name.prof.json" 2>&1
	wait "$pid"
	cpu1=$(cpu_snap)
	read -r busy tot < <(cpu_busy "$cpu0" "$cpu1")
	teardown
	say "profile $name: $(iperf_figure "$name.prof.json" tcp) Mbit/s under perf"
	perf report -i "$name.perf" --stdio --no-children --sort sym \
		--percent-limit 0.3 2>/dev/null |
		python3 -S "$MOAT_ROOT/tests/bench/perf-kinds.py" "$name" \
			"$( ((tot)) && echo $((100 * busy / tot)))"
}

# --- the run ---------------------------------------------------------------

say "$(uname -r), $(nproc) vCPU; $ROUNDS rounds; TCP ${SECS}s, UDP ${PPS_SECS}s per run"
# Nothing loads the CPU-specific ciphers in the VM (no udev): without
# them every AEAD would run on the generic C code, unlike on a real host.
# XFRM, WireGuard and moat all get them.
modprobe -a aesni_intel ghash_clmulni_intel chacha_x86_64 poly1305_x86_64 \
	2>/dev/null
modprobe -a esp4 xfrm_user
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
read -ra order <<<"$PATHS"
# The AEADs' own speed, once a round among the paths: the ceiling feels the
# host's load as the paths do, and the shares are taken within each round.
[[ ${BENCH_TCRYPT:-1} == 1 ]] && order=(tcrypt "${order[@]}")
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	# Odd rounds in order, even rounds backwards: drift in the host's load
	# weighs on every path alike.
	if ((ROUND % 2)); then
		paths=("${order[@]}")
	else
		paths=()
		for ((i = ${#order[@]} - 1; i >= 0; i--)); do
			paths+=("${order[i]}")
		done
	fi
	for p in "${paths[@]}"; do
		measure "$p"
	done
done
if [[ $PROFILE == 1 ]]; then
	ROUND=profile
	profile moat-gcm
	profile moat-chacha
	profile xfrm-gcm
fi
teardown
say "AEAD drivers (/proc/crypto):" \
	"$(grep -A2 '^name *: \(rfc4106(gcm(aes))\|rfc7539esp(chacha20,poly1305)\|gcm(aes)\|chacha20\|poly1305\|ghash\)$' \
	/proc/crypto | sed -n 's/^driver *: //p' | sort -u | tr '\n' ' ')"
python3 -S "$MOAT_ROOT/tests/bench/report.py" "$RES" \
	"$(uname -r), $(nproc) vCPU, $ROUNDS rounds, TCP ${SECS}s, UDP ${PPS_SECS}s, $((SECONDS - START))s run"
