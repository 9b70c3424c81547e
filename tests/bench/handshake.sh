#!/bin/bash
# make bench, IKE part: full IKE_SA_INIT + IKE_AUTH handshakes per second
# that moatd completes as responder, against strongSwan's charon measured
# the same way in the same VM boot (tests/vm/run.sh).  The figures mean
# something only as a ratio within one run: the VM is emulated (TCG).
#
# The load generator, tests/tools/build/moat-ikeload (make tools), runs
# moatd's own exchanges as initiator from namespace gen: BENCH_IKE_INFLIGHT
# handshakes in flight (default 16), each from its own source address
# (10.77.0.1, .2, ...: a local route makes the range local), with PSK and
# the identities @load.example (initiators) and @resp.example (responder).
# The responder runs in namespace resp (10.99.0.2):
#   moatd: one `remote = %any` conn, its Child SAs installed into the moat
#     module; note that a new IKE SA of a conn replaces the established
#     ones of that conn (main.c drop_older), so every handshake also
#     removes the previous peer and its SAs from the module;
#   strongSwan: charon in its own mount namespace (tmpfs /run, its own
#     strongswan.conf and swanctl.conf), the equivalent conn with
#     `unique = no` (its SAs accumulate in XFRM: the generator sends no
#     Delete), install_routes = no (moat installs no routes either).
# Both: aes128gcm16-prfsha256-x25519 for IKE, aes128gcm16 for ESP, no DPD,
# their default logging (info / level 1) to a file.  With 2 or more CPUs
# the generator is pinned to the last CPU and the responder to CPU 0
# (BENCH_IKE_PIN=0: no pinning), so that each responder gets one CPU.
# BENCH_IKE_ONLY=moatd or strongswan measures only that one; a round that
# completes nothing shows the last BENCH_IKE_LOGLINES (30) of its log.
#
# Rounds alternate moatd, strongSwan, moatd, ... (BENCH_IKE_ROUNDS each,
# default 3); each counts the handshakes completed in BENCH_IKE_SECONDS
# (default 10) after BENCH_IKE_WARMUP (default 2).  Prints every round,
# the medians, spreads and ratio, then one line:
#   bench: handshakes moatd/strongswan R.RR (moatd N/s, strongswan M/s)
# No pass or fail.
#
#   tests/bench/handshake.sh            boots the VM and runs in it
#   tests/bench/handshake.sh --guest    the measurement (in the VM, root)
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

# shellcheck source=lib.sh
. "$top/tests/bench/lib.sh"
ROUNDS=$(num BENCH_IKE_ROUNDS "${BENCH_IKE_ROUNDS:-3}") || exit 2
SECS=$(num BENCH_IKE_SECONDS "${BENCH_IKE_SECONDS:-10}") || exit 2
WARM=$(num BENCH_IKE_WARMUP "${BENCH_IKE_WARMUP:-2}") || exit 2
INFLIGHT=$(num BENCH_IKE_INFLIGHT "${BENCH_IKE_INFLIGHT:-16}") || exit 2
PIN=${BENCH_IKE_PIN:-1}
ONLY=${BENCH_IKE_ONLY:-}
LOGLINES=$(num BENCH_IKE_LOGLINES "${BENCH_IKE_LOGLINES:-30}") || exit 2

host_main() {
	local gen=$top/tests/tools/build/moat-ikeload
	[[ -f $top/kmod/moat.ko && -x $top/userspace/moatd/moatd && -x $gen ]] ||
		{ echo "bench: build first (make all tools)" >&2; exit 2; }
	# Each run: the window, and up to ~90 s to start and stop a responder
	# on a busy TCG host.
	export MOAT_VM_TIMEOUT=${MOAT_VM_TIMEOUT:-$((2 * ROUNDS * (SECS + WARM + 90) + 240))}
	exec "$top/tests/vm/run.sh" --shell-cmd \
		"BENCH_IKE_ROUNDS=$ROUNDS BENCH_IKE_SECONDS=$SECS \
BENCH_IKE_WARMUP=$WARM BENCH_IKE_INFLIGHT=$INFLIGHT \
BENCH_IKE_PIN=$(printf %q "$PIN") BENCH_IKE_ONLY=$(printf %q "$ONLY") \
BENCH_IKE_LOGLINES=$LOGLINES \
bash $top/tests/bench/handshake.sh --guest"
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

GEN=$MOAT_ROOT/tests/tools/build/moat-ikeload
MOATD=$MOAT_ROOT/userspace/moatd/moatd
CHARON=/usr/lib/ipsec/charon
RESP=10.99.0.2 SRC=10.77.0.1
PSK="moat handshake bench"
WORK=$(mktemp -d)
cd "$WORK" || exit 1
declare -A RATES # RATES[moatd|strongswan] = "r1 r2 ..."
RPID=

say() { echo "bench: $*"; }

# taskset prefixes for the responder and the generator.
RCPU=() GCPU=()
if [[ $PIN == 1 ]] && (($(nproc) >= 2)); then
	RCPU=(taskset -c 0) GCPU=(taskset -c $(($(nproc) - 1)))
fi

# The first ESP SA with a generated IV (XFRM's seqiv) instantiates the
# kernel's default RNG (drbg, seeded by jitterentropy): half a minute
# under TCG, once per boot.  Paid here, not in strongSwan's first round.
rng_warmup() {
	ip netns add rngwarm
	ip -n rngwarm xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp \
		spi 0x1000 mode tunnel aead 'rfc4106(gcm(aes))' \
		0x0102030405060708090a0b0c0d0e0f1011121314 128
	ip netns delete rngwarm
}

topology() {
	netns_pair gen resp 10.99.0.1/24 $RESP/24
	ip -n gen route add local 10.77.0.0/16 dev lo
	ip -n resp route add 10.77.0.0/16 via 10.99.0.1
}

# --- moatd -----------------------------------------------------------------

moatd_conf() {
	cat >moatd.conf <<-EOF
		[conn load]
		local = $RESP
		remote = %any
		local-id = @resp.example
		remote-id = @load.example
		psk = "$PSK"
		ike = aes128gcm16-prfsha256-x25519
		esp = aes128gcm16
		dpd-delay = 0
	EOF
	chmod 600 moatd.conf
}

moatd_start() {
	ip netns exec resp "${RCPU[@]}" "$MOATD" -c moatd.conf -f \
		2>>moatd.log &
	RPID=$!
	wait_for -t 60 nsx resp moat ike show
}

moatd_stop() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
	ip -n resp link del moat0 2>/dev/null
	return 0
}

# --- strongSwan ----------------------------------------------------------------

swan_conf() {
	cat >strongswan.conf <<-EOF
		charon {
			load_modular = no
			load = random nonce openssl kdf kernel-netlink socket-default vici
			install_routes = no
			ikesa_table_size = 1024
			filelog {
				bench {
					path = $WORK/strongswan.log
					default = 1
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
			load = random nonce openssl
			socket = unix://$WORK/charon.vici
		}
	EOF
	cat >swanctl.conf <<-EOF
		connections {
			load {
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
					id = @load.example
				}
				children {
					load {
						esp_proposals = aes128gcm16
					}
				}
			}
		}
		secrets {
			ike-load {
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
	# Its own /run: charon's pid file and nothing else of the guest's.
	STRONGSWAN_CONF=$WORK/strongswan.conf ip netns exec resp \
		unshare -m sh -c 'mount -t tmpfs none /run && exec "$@"' sh \
		"${RCPU[@]}" "$CHARON" >>charon.out 2>&1 &
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

# --- rounds --------------------------------------------------------------------

# run_gen NAME: one measurement; adds the rate to RATES[NAME].
run_gen() {
	local name=$1 out line rate
	out=$(timeout $((SECS + WARM + 30)) ip netns exec gen "${GCPU[@]}" \
		"$GEN" -r $RESP -s $SRC -n "$INFLIGHT" -d "$SECS" -w "$WARM" \
		-k "$PSK" 2>&1)
	line=$(grep '^ikeload: ' <<<"$out")
	rate=$(sed -n 's/.* rate=\([0-9.]*\) .*/\1/p' <<<"$line")
	if [[ -z $rate ]]; then
		say "$name: the generator failed:"
		# shellcheck disable=SC2001 # every line, not the first
		sed 's/^/    /' <<<"$out"
		return 1
	fi
	RATES[$name]+="$rate "
	grep -v '^ikeload: ' <<<"$out" | sed "s/^moat-ikeload: /bench: $name: /"
	if [[ $line != *" failed=0 "* ]]; then
		say "$name: what its log says about failures:"
		grep -B12 -iE 'fail|error|timeout' "$name.log" |
			tail -n "$LOGLINES" | sed 's/^/    /'
	fi
	if [[ $line == *" completed=0 "* ]]; then
		say "$name: nothing completed; the responder's log ends:"
		tail -n "$LOGLINES" "$name.log" | sed 's/^/    /'
	fi
}

# round NAME START STOP: the responder up, one measurement, down.
round() {
	local name=$1 start=$2 stop=$3
	if ! $start; then
		say "$name: the responder did not start:"
		tail -n 5 moatd.log charon.out strongswan.log 2>/dev/null |
			sed 's/^/    /'
		$stop
		return 0
	fi
	run_gen "$name"
	$stop
}

stats() { # RATES...: "median min max" of the figures
	python3 -c '
import statistics, sys
v = [float(x) for x in sys.argv[1:]]
print("%.1f %.1f %.1f" % (statistics.median(v), min(v), max(v)) if v else "- - -")
' "$@"
}

report() {
	local m s r
	# shellcheck disable=SC2086 # one argument per figure
	read -r -a m <<<"$(stats ${RATES[moatd]:-})"
	# shellcheck disable=SC2086
	read -r -a s <<<"$(stats ${RATES[strongswan]:-})"
	r=$(python3 -c '
import sys
try:
    print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))
except (ValueError, ZeroDivisionError):
    print("-")' "${m[0]}" "${s[0]}")
	echo
	echo "=== IKE handshakes/s as responder: $(uname -r), $(nproc) vCPU," \
		"$INFLIGHT in flight, ${SECS}s rounds ==="
	printf '%-12s %10s %10s %10s   %s\n' responder median min max rounds
	printf '%-12s %10s %10s %10s   %s\n' moatd "${m[@]}" "${RATES[moatd]:-}"
	printf '%-12s %10s %10s %10s   %s\n' strongswan "${s[@]}" \
		"${RATES[strongswan]:-}"
	echo "bench: handshakes moatd/strongswan $r (moatd ${m[0]}/s," \
		"strongswan ${s[0]}/s)"
}

say "IKE handshakes: $ROUNDS rounds of ${SECS}s (+${WARM}s warm-up)," \
	"$INFLIGHT in flight, pinning: ${RCPU[*]:-none} / ${GCPU[*]:-none}"
[[ -x $GEN ]] || { say "no $GEN (make tools)"; exit 1; }
modprobe -a aesni_intel ghash_clmulni_intel 2>/dev/null
modprobe -a esp4 xfrm_user
moat_load
rng_warmup
topology
moatd_conf
have_swan=1
if [[ -x $CHARON ]] && command -v swanctl >/dev/null; then
	swan_conf
else
	have_swan=0
	say "strongSwan not installed (apt-get install strongswan-charon" \
		"strongswan-swanctl, or make deps): moatd only"
fi
for ((i = 1; i <= ROUNDS; i++)); do
	[[ $ONLY != strongswan ]] && round moatd moatd_start moatd_stop
	[[ $ONLY != moatd ]] && ((have_swan)) &&
		round strongswan swan_start swan_stop
done
ip -all netns delete 2>/dev/null
report
