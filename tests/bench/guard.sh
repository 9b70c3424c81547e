#!/bin/bash
# make bench, IKE flood part (also make bench-guard): the spoofed
# IKE_SA_INIT flood rate up to which legitimate initiators still all
# connect, for three responders measured in one boot of the test VM
# (tests/vm/run.sh):
#   moat-guard    moatd with the module's guard (moat guard set mode auto):
#                 cookies answered in softirq, before moatd sees the flood;
#   moat-noguard  moatd with the guard off (moat guard set mode off): what
#                 moatd does by itself (its userspace cookies, if any);
#   strongswan    charon with its default cookie_threshold (30 half-open).
# The figures mean something only as ratios within one run (TCG).
#
# Topology: namespace gen (10.99.0.1) floods the responder in namespace
# resp (10.99.0.2, UDP 500) with tests/tools/build/moat-ikeflood -m spoof
# (Ethernet frames on gen's veth, -i/-M) from random addresses of 10.66.0.0/16 (answers to them are routed to
# gen, which drops them: no one waits for them); namespace cli (10.98.0.11..20)
# holds the legitimate initiator: one moatd with 10 conns (PSK, one source
# address each, retransmit 1 s x 3), the same initiator for every
# responder. Each responder has one conn open to any address (remote =
# %any, told apart by the identity @cli.example), as a gateway for road
# warriors has: the flood is what such a responder must answer. One step = one flood rate: the flood starts, after
# BENCH_GUARD_WARMUP (3 s) the 10 conns are brought up at once (`moat ike
# up`, each given BENCH_GUARD_LEGIT_SECS, 20 s), then the flood stops. A
# step succeeds when 10/10 connect (>= 99 % of 10 tries). A subject stops
# stepping after a step in which none connected.
#
# Reported per step: connected/10, the generator's achieved rate and the
# share of its frames refused at the responder's full receive backlog, the
# responder's CPU share over the flood (utime + stime from /proc/PID/stat,
# in % of one CPU); for moat-guard also the guard's level and what its
# counters moved by in the step. Then, per subject, the highest rate
# with 10/10 below the first failing step, and the ratios
#   bench: guard moat-guard/strongswan R (...), moat-guard/moat-noguard R
#
# env: BENCH_GUARD_RATES (pps, space separated, default
# "250 500 1000 2000 4000 8000 16000 max"; max = as fast as the generator goes),
# BENCH_GUARD_SUBJECTS (default "moat-guard moat-noguard strongswan"),
# BENCH_GUARD_WARMUP, BENCH_GUARD_LEGIT_SECS, BENCH_GUARD_PIN (default 1:
# the responder and its receive path, RPS on its veths, on CPU 0, the
# generator on the last CPU; without it the guard's softirq work runs on
# the CPU that sends the flood through the veth, and the generator pays
# for it; 0: no pinning), MOAT_VM_TIMEOUT (default from the steps).
#
#   tests/bench/guard.sh            boots the VM and runs in it
#   tests/bench/guard.sh --guest    the measurement (in the VM, root)
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

# shellcheck source=lib.sh
. "$top/tests/bench/lib.sh"
RATES=${BENCH_GUARD_RATES:-250 500 1000 2000 4000 8000 16000 max}
SUBJECTS=${BENCH_GUARD_SUBJECTS:-moat-guard moat-noguard strongswan}
WARM=$(num BENCH_GUARD_WARMUP "${BENCH_GUARD_WARMUP:-3}") || exit 2
LEGIT=$(num BENCH_GUARD_LEGIT_SECS "${BENCH_GUARD_LEGIT_SECS:-20}") || exit 2
PIN=${BENCH_GUARD_PIN:-1}
for r in $RATES; do
	[[ $r == max || ($r =~ ^[0-9]+$ && $r -gt 0) ]] ||
		{ echo "bench: bad rate '$r' in BENCH_GUARD_RATES" >&2; exit 2; }
done
for s in $SUBJECTS; do
	case $s in
	moat-guard | moat-noguard | strongswan) ;;
	*) echo "bench: unknown subject '$s' in BENCH_GUARD_SUBJECTS" >&2; exit 2 ;;
	esac
done
[[ $PIN == [01] ]] || { echo "bench: BENCH_GUARD_PIN must be 0 or 1" >&2; exit 2; }

host_main() {
	local gen=$top/tests/tools/build/moat-ikeflood n
	[[ -f $top/kmod/moat.ko && -x $top/userspace/moatd/moatd && -x $gen ]] ||
		{ echo "bench: build first (make all tools)" >&2; exit 2; }
	n=$(($(wc -w <<<"$RATES") * $(wc -w <<<"$SUBJECTS")))
	export MOAT_VM_TIMEOUT=${MOAT_VM_TIMEOUT:-$((n * (WARM + LEGIT + 40) + 240))}
	exec "$top/tests/vm/run.sh" --shell-cmd \
		"BENCH_GUARD_RATES='$RATES' BENCH_GUARD_SUBJECTS='$SUBJECTS' \
BENCH_GUARD_WARMUP=$WARM BENCH_GUARD_LEGIT_SECS=$LEGIT BENCH_GUARD_PIN=$PIN \
bash $top/tests/bench/guard.sh --guest"
}

if [[ ${1:-} != --guest ]]; then
	host_main
fi

# --- in the VM ---------------------------------------------------------------

export MOAT_ROOT=${MOAT_ROOT:?}
export MOAT_KO=${MOAT_KO:-$MOAT_ROOT/kmod/moat.ko}
export MOAT_VM_LIB=${MOAT_VM_LIB:-$MOAT_ROOT/tests/vm/lib.sh}
export PATH=$MOAT_ROOT/userspace:$PATH
# shellcheck source=../vm/lib.sh
. "$MOAT_VM_LIB"

FLOOD=$MOAT_ROOT/tests/tools/build/moat-ikeflood
MOATD=$MOAT_ROOT/userspace/moatd/moatd
CHARON=/usr/lib/ipsec/charon
RESP=10.99.0.2 SPOOF=10.66.0.0/16 NCLI=10
RESP_MAC=	# resp's end of the gen veth, set by topology
PSK="moat guard bench"
WORK=$(mktemp -d)
cd "$WORK" || exit 1
RPID=
CPID=
FPID=
LAST_OK=0
LAST_RATE=0
declare -A BEST   # BEST[subject] = highest rate with 10/10
declare -A ROWS   # ROWS[subject] = the step lines

say() { echo "bench: $*"; }

RCPU=() GCPU=()
if [[ $PIN == 1 ]] && (($(nproc) >= 2)); then
	RCPU=(taskset -c 0) GCPU=(taskset -c $(($(nproc) - 1)))
fi

topology() {
	local i
	netns_pair gen resp 10.99.0.1/24 $RESP/24
	netns_pair cli resp 10.98.0.1/24 10.98.0.254/24
	ip -n resp route add $SPOOF via 10.99.0.1
	RESP_MAC=$(ip netns exec resp cat /sys/class/net/veth-gen/address)
	if ((${#RCPU[@]})); then
		# The responder's receive work on its CPU, not the sender's.
		ip netns exec resp sh -c 'echo 1 >/sys/class/net/veth-gen/queues/rx-0/rps_cpus'
		ip netns exec resp sh -c 'echo 1 >/sys/class/net/veth-cli/queues/rx-0/rps_cpus'
	fi
	for ((i = 0; i < NCLI; i++)); do
		ip -n cli addr add 10.98.0.$((11 + i))/24 dev veth-resp
	done
	ip -n cli route add $RESP/32 dev veth-resp
}

# --- the legitimate initiator (moatd in cli) ------------------------------------

cli_conf() {
	local i
	{
		printf '[moatd]\nlog-level = notice\n'
		for ((i = 0; i < NCLI; i++)); do
			printf '[conn c%d]\ndev = mc%d\nlocal = 10.98.0.%d\n' \
				$i $i $((11 + i))
			printf 'remote = %s\npsk = "%s"\n' $RESP "$PSK"
			printf 'local-id = @cli.example\nremote-id = @resp.example\n'
			printf 'ike = aes128gcm16-prfsha256-x25519\nesp = aes128gcm16\n'
			printf 'dpd-delay = 0\nretransmit-timeout = 1s\n'
			printf 'retransmit-tries = 3\n'
		done
	} >cli.conf
	chmod 600 cli.conf
}

cli_start() {
	ip netns exec cli "$MOATD" -c cli.conf -f >>cli.log 2>&1 &
	CPID=$!
	wait_for -t 60 nsx cli moat ike show
}

cli_stop() {
	local i
	kill "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=
	for ((i = 0; i < NCLI; i++)); do
		ip -n cli link del mc$i 2>/dev/null
	done
	return 0
}

# legit: brings the 10 conns of cli's moatd (started before the flood) up
# at once; prints how many connected.
legit() {
	local i n=0 pids=()
	for ((i = 0; i < NCLI; i++)); do
		timeout "$LEGIT" ip netns exec cli moat ike up c$i \
			>"up.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" && n=$((n + 1))
	done
	echo $n
}

# --- the responders ----------------------------------------------------------------

moatd_conf() {
	cat >resp.conf <<-EOF
		[moatd]
		log-level = notice
		[conn legit]
		local = $RESP
		remote = %any
		local-id = @resp.example
		remote-id = @cli.example
		psk = "$PSK"
		ike = aes128gcm16-prfsha256-x25519
		esp = aes128gcm16
		dpd-delay = 0
	EOF
	chmod 600 resp.conf
}

# moatd_start MODE: moatd in resp, the guard in MODE (auto or off).
moatd_start() {
	ip netns exec resp "${RCPU[@]}" "$MOATD" -c resp.conf -f \
		2>>"resp.$1.log" &
	RPID=$!
	wait_for -t 60 nsx resp moat ike show || return 1
	nsx resp moat guard set mode "$1" >>"resp.$1.log" 2>&1 && return 0
	[[ $1 == off ]]	# a module without the guard is "off"
}

moatd_stop() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
	ip -n resp link del moat0 2>/dev/null
	return 0
}

swan_conf() {
	cat >strongswan.conf <<-EOF
		charon {
			load_modular = no
			load = random nonce openssl kdf kernel-netlink socket-default vici
			install_routes = no
			filelog {
				bench {
					path = $WORK/charon.log
					default = 0
				}
			}
			syslog {
				daemon {
					default = -1
				}
			}
			plugins {
				vici {
					socket = unix://$WORK/charon.vici
				}
			}
		}
		swanctl {
			load = random
			socket = unix://$WORK/charon.vici
		}
	EOF
	cat >swanctl.conf <<-EOF
		connections {
			legit {
				local_addrs = $RESP
				proposals = aes128gcm16-prfsha256-x25519
				unique = no
				send_certreq = no
				local {
					auth = psk
					id = @resp.example
				}
				remote {
					auth = psk
					id = @cli.example
				}
				children {
					legit {
						esp_proposals = aes128gcm16
					}
				}
			}
		}
		secrets {
			ike-legit {
				secret = "$PSK"
			}
		}
	EOF
	chmod 600 swanctl.conf
}

swanctl() {
	STRONGSWAN_CONF=$WORK/strongswan.conf command swanctl "$@" \
		--uri "unix://$WORK/charon.vici"
}

swan_start() {
	# shellcheck disable=SC2016 # $0 is for the inner sh
	STRONGSWAN_CONF=$WORK/strongswan.conf ip netns exec resp \
		unshare -m sh -c 'mount -t tmpfs none /run && exec "$0" "$@"' \
		"${RCPU[@]:-env}" "$CHARON" >>charon.out 2>&1 &
	RPID=$!
	wait_for -t 60 swanctl --stats || return 1
	swanctl --load-all --file "$WORK/swanctl.conf" >>charon.out 2>&1
}

swan_stop() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
	ip -n resp xfrm state flush
	ip -n resp xfrm policy flush
}

# --- one step --------------------------------------------------------------------

cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# flood RATE: the spoofed flood from gen, in the background (FPID).
flood() {
	local pps=$1
	[[ $pps == max ]] && pps=10000000
	# Stopped when the initiators are done; the bound is a backstop.
	# Ethernet frames on gen's veth to resp's MAC: the fast path.
	ip netns exec gen "${GCPU[@]}" "$FLOOD" -m spoof -d $RESP -s $SPOOF \
		-r "$pps" -n 1000000000 -t $((WARM + LEGIT + 300)) \
		-i veth-resp -M "$RESP_MAC" >flood.out 2>&1 &
	FPID=$!
}

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# refused LINE: the share (%) of the frames the generator's veth refused
# (ENOBUFS: resp's receive backlog on its CPU was full), of all it tried;
# gen= counts only those that went.
refused() {
	local s e
	s=$(field sent "$1") e=$(field errors "$1")
	echo $(( (${e:-0} * 100) / ((${s:-0} + ${e:-0}) > 0 ? ${s:-0} + ${e:-0} : 1) ))
}

guard_json() { nsx resp moat guard show -j 2>/dev/null; }

# guard_line BEFORE: the guard's level, and what its counters moved by
# since BEFORE (its JSON).
guard_line() {
	guard_json | python3 -c '
import json, sys
a = json.loads(sys.argv[1]).get("stats", {})
g = json.load(sys.stdin); b = g.get("stats", {})
print("level=%s" % g.get("level"), " ".join("%s=%d" % (k, b[k] - a.get(k, 0))
      for k in ("cookies_sent", "cookies_valid", "passed", "rate_limited")
      if k in b))' "$1" 2>/dev/null
}

# step SUBJECT RATE: one measurement, the responder already up; prints
# the connected count.
step() {
	local subj=$1 rate=$2 t0 c0 t1 c1 ok line cpu hz g0 g1
	hz=$(getconf CLK_TCK)
	cli_start || { say "the initiator did not start"; tail -n 5 cli.log; }
	g0=$(guard_json)
	flood "$rate"
	t0=$(date +%s.%N) c0=$(cputicks "$RPID")
	sleep "$WARM"
	ok=$(legit)
	t1=$(date +%s.%N) c1=$(cputicks "$RPID")
	g1=$(guard_line "${g0:-{\}}")
	kill -TERM "$FPID" 2>/dev/null
	wait "$FPID"
	cli_stop
	line=$(grep '^ikeflood: ' flood.out)
	cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
		'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
	line=$(printf '%-13s %6s  %5s/%d  gen=%6s pps  refused=%3s%%  cpu=%3s%%  %s' \
		"$subj" "$rate" "$ok" $NCLI "$(field pps "$line")" \
		"$(refused "$line")" "$cpu" \
		"$([[ $subj == moat-guard ]] && echo "$g1")")
	say "$line"
	ROWS[$subj]+="$line"$'\n'
	[[ $rate == max ]] && rate=$(field pps "$(grep '^ikeflood: ' flood.out)")
	LAST_OK=$ok LAST_RATE=$rate
}

# subject NAME START STOP: every rate, the responder fresh for each.
subject() {
	local name=$1 start=$2 stop=$3 rate failed=0
	BEST[$name]=0
	for rate in $RATES; do
		if ! $start; then
			say "$name: the responder did not start (no guard in this build?)"
			tail -n 5 resp.*.log charon.out 2>/dev/null | sed 's/^/    /'
			$stop
			BEST[$name]=-
			return
		fi
		step "$name" "$rate"
		$stop
		if ((LAST_OK == NCLI)); then
			((failed)) || BEST[$name]=$LAST_RATE
		else
			failed=1
		fi
		((LAST_OK == 0)) && break
	done
}

# ratio A B: A/B of two subjects' best rates; when B held not even the
# lowest rate tried, a lower bound ">R" against that rate.
ratio() {
	local first=${RATES%% *}
	[[ $first == max ]] && first=1
	python3 -c '
import sys
a, b, first = sys.argv[1:]
try:
    a = float(a)
    print("%.2f" % (a / float(b)) if float(b) > 0 else ">%.1f" % (a / float(first)))
except (ValueError, ZeroDivisionError):
    print("-")' "$1" "$2" "$first"
}

report() {
	local s
	echo
	echo "=== spoofed IKE_SA_INIT flood vs $NCLI legitimate initiators:" \
		"$(uname -r), $(nproc) vCPU ==="
	for s in $SUBJECTS; do
		printf '%s' "${ROWS[$s]:-}"
	done
	for s in $SUBJECTS; do
		if [[ ${BEST[$s]:-} == 0 ]]; then
			say "guard: $s holds 10/10 not even at ${RATES%% *} pps"
		else
			say "guard: $s holds 10/10 up to ${BEST[$s]:--} pps"
		fi
	done
	say "guard: moat-guard/strongswan $(ratio "${BEST[moat-guard]:-}" \
"${BEST[strongswan]:-}"), moat-guard/moat-noguard $(ratio \
"${BEST[moat-guard]:-}" "${BEST[moat-noguard]:-}") (moat-guard \
${BEST[moat-guard]:--}, moat-noguard ${BEST[moat-noguard]:--}, strongswan \
${BEST[strongswan]:--} pps)"
}

guard_on() { moatd_start auto; }
guard_off() { moatd_start off; }

say "IKE flood: rates $RATES, warm-up ${WARM}s, $NCLI initiators given" \
	"${LEGIT}s, pinning: ${RCPU[*]:-none} / ${GCPU[*]:-none}"
[[ -x $FLOOD ]] || { say "no $FLOOD (make tools)"; exit 1; }
modprobe -a aesni_intel ghash_clmulni_intel 2>/dev/null
modprobe -a esp4 xfrm_user
moat_load
topology
cli_conf
moatd_conf
for s in $SUBJECTS; do
	case $s in
	moat-guard) subject moat-guard guard_on moatd_stop ;;
	moat-noguard) subject moat-noguard guard_off moatd_stop ;;
	strongswan)
		if [[ -x $CHARON ]] && command -v swanctl >/dev/null; then
			swan_conf
			subject strongswan swan_start swan_stop
		else
			say "strongSwan not installed (make deps): skipped"
		fi ;;
	esac
done
ip -all netns delete 2>/dev/null
report
