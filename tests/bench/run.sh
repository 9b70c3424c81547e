#!/bin/bash
# make bench: moat against Linux XFRM, WireGuard, plain veth and the AEAD's
# own speed, all measured in one boot of the test VM (tests/vm/run.sh), on
# the same topology.  The figures are only meaningful as ratios within one
# run: the VM is emulated (TCG).  See tests/bench/guest.sh for what is
# measured.
#
# env: BENCH_SECONDS (each TCP run, default 20), BENCH_PPS_SECONDS (each
# UDP run, default 10), BENCH_BUDGET (seconds after which the guest starts
# no new measurement, default 720), MOAT_VM_TIMEOUT (hard limit of the
# whole VM run, default 870: the bench ends in under 15 minutes).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

num() { # NAME VALUE: refuse anything but a positive integer
	[[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || {
		echo "bench: $1 must be a positive integer, not '$2'" >&2
		exit 2
	}
	echo "$2"
}
secs=$(num BENCH_SECONDS "${BENCH_SECONDS:-20}")
pps_secs=$(num BENCH_PPS_SECONDS "${BENCH_PPS_SECONDS:-10}")
budget=$(num BENCH_BUDGET "${BENCH_BUDGET:-720}")
export MOAT_VM_TIMEOUT=${MOAT_VM_TIMEOUT:-870}

[[ -f $top/kmod/moat.ko && -x $top/userspace/moat ]] ||
	{ echo "bench: build first (make)" >&2; exit 2; }
exec "$top/tests/vm/run.sh" --shell-cmd \
	"BENCH_SECONDS=$secs BENCH_PPS_SECONDS=$pps_secs BENCH_BUDGET=$budget \
bash $top/tests/bench/guest.sh"
