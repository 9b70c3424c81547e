#!/bin/bash
# make bench: moat against Linux XFRM, WireGuard, plain veth and the AEAD's
# own speed, all measured in one boot of the test VM (tests/vm/run.sh), on
# the same topology, in interleaved rounds.  The figures are only
# meaningful as ratios within one run: the VM is emulated (TCG).  See
# tests/bench/guest.sh for what is measured, README.md for how to read it.
#
# env: BENCH_ROUNDS (default 3), BENCH_SECONDS (each TCP run, default 10),
# BENCH_PPS_SECONDS (each UDP run, default 5), BENCH_PROFILE (1: add the
# perf profile of moat and XFRM, and moat's own stage timings), BENCH_PATHS (a subset, space separated:
# moat-gcm xfrm-gcm moat-chacha xfrm-chacha wireguard veth), BENCH_METRICS
# (a subset of tcp1 tcp4 pps), BENCH_TCRYPT (0: skip tcrypt), BENCH_BUDGET
# (seconds after which the guest starts no new measurement, default 1500),
# MOAT_VM_TIMEOUT (hard limit of the whole VM run, default 1800).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

# shellcheck source=lib.sh
. "$top/tests/bench/lib.sh"
rounds=$(num BENCH_ROUNDS "${BENCH_ROUNDS:-3}")
secs=$(num BENCH_SECONDS "${BENCH_SECONDS:-10}")
pps_secs=$(num BENCH_PPS_SECONDS "${BENCH_PPS_SECONDS:-5}")
budget=$(num BENCH_BUDGET "${BENCH_BUDGET:-1500}")
profile=${BENCH_PROFILE:-0}
[[ $profile == [01] ]] || { echo "bench: BENCH_PROFILE must be 0 or 1" >&2; exit 2; }
paths=${BENCH_PATHS:-moat-gcm xfrm-gcm moat-chacha xfrm-chacha wireguard veth}
for p in $paths; do
	case $p in
	moat-gcm | xfrm-gcm | moat-chacha | xfrm-chacha | wireguard | veth) ;;
	*) echo "bench: unknown path '$p' in BENCH_PATHS" >&2; exit 2 ;;
	esac
done
metrics=${BENCH_METRICS:-tcp1 tcp4 pps}
for m in $metrics; do
	case $m in
	tcp1 | tcp4 | pps) ;;
	*) echo "bench: unknown metric '$m' in BENCH_METRICS" >&2; exit 2 ;;
	esac
done
tcrypt=${BENCH_TCRYPT:-1}
[[ $tcrypt == [01] ]] || { echo "bench: BENCH_TCRYPT must be 0 or 1" >&2; exit 2; }
export MOAT_VM_TIMEOUT=${MOAT_VM_TIMEOUT:-1800}

[[ -f $top/kmod/moat.ko && -x $top/userspace/moat ]] ||
	{ echo "bench: build first (make)" >&2; exit 2; }
exec "$top/tests/vm/run.sh" --shell-cmd \
	"BENCH_ROUNDS=$rounds BENCH_SECONDS=$secs BENCH_PPS_SECONDS=$pps_secs \
BENCH_BUDGET=$budget BENCH_PROFILE=$profile BENCH_PATHS='$paths' \
BENCH_METRICS='$metrics' BENCH_TCRYPT=$tcrypt \
bash $top/tests/bench/guest.sh"
