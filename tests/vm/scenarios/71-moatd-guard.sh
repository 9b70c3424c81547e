#!/bin/bash
# moatd's side of the guard (issue 9). b's moatd.conf [guard] section is
# in the module at start: puzzles, difficulty 12. moatd a, as initiator,
# solves b's puzzle within its puzzle-budget and connects (the guard
# counts a valid solution); b's moatd then tells the guard that a is a
# known source. b also asks a the IKE_AUTH puzzle (RFC 8019 §7.2) at
# the guard's difficulty and verifies a's solution. A reload applies a
# changed [guard] (mode off); b reports its half-open IKE SAs to the
# guard as forged requests make them, and with the guard off asks for
# its own cookies from half-open-at on.
# timeout: 150
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"

PROBE=(python3 -S "$MOAT_ROOT/tests/vm/tools/ike-probe.py")

# gjson: b's guard as moat guard show -j prints it.
gjson() { nsx b moat guard show -j; }

# gval JSON KEY: the number KEY holds in JSON.
gval() { grep -o "\"$2\":[0-9]*" <<<"$1" | cut -d: -f2; }

# gis KEY N: b's guard shows N for KEY.
gis() { [[ $(gval "$(gjson)" "$1") == "$2" ]]; }

# probe WANT ARGS...: ike-probe.py from a; its output must hold WANT.
probe() {
	local want=$1 out
	shift
	out=$(nsx a "${PROBE[@]}" "$@")
	echo "   probe $*: $out"
	[[ " $out " == *" $want "* ]] || fail "probe $*: wanted $want, got $out"
}

moat_load
tunnel_outer
moatd_conf a "retransmit-timeout = 3s"
sed -i 's/^log-level = debug$/&\npuzzle-budget = 30s/' a.conf
moatd_conf b "retransmit-timeout = 3s" "[guard]" "mode = puzzles" \
	"difficulty = 12-12" "rate = 100000" "burst = 100000" \
	"half-open-at = 3"
start a
start b

log "b's [guard] is in the module"
j=$(gjson)
echo "   $j"
[[ $j == *'"mode":"puzzles"'* && $j == *'"level":"puzzles"'* ]] ||
	fail "mode: $j"
[[ $(gval "$j" difficulty_min) == 12 && $(gval "$j" rate) == 100000 &&
   $(gval "$j" half_open_at) == 3 ]] || fail "settings: $j"
[[ $(gval "$j" known) == 0 ]] || fail "known before any IKE_AUTH: $j"

log "puzzles: moatd a solves the puzzle and connects"
nsx a moat ike up t || fail "moatd a could not connect at level puzzles"
grep -q "asks a puzzle of difficulty 12" a.log || fail "a was asked no puzzle"
grep -q "puzzle answered after" a.log || fail "a did not answer the puzzle"
grep -h "puzzle answered after" a.log | sed 's/^/   /'

log "RFC 8019 §7.2: b asks the IKE_AUTH puzzle two bits below the guard's"
grep -q "asks the IKE_AUTH puzzle of difficulty 10" b.log ||
	fail "b asked no IKE_AUTH puzzle"
grep -q "the responder asks the IKE_AUTH puzzle of difficulty 10" a.log ||
	fail "a saw no IKE_AUTH puzzle"
grep -q "IKE_AUTH puzzle answered after" a.log ||
	fail "a did not answer the IKE_AUTH puzzle"
grep -q "IKE_AUTH puzzle solution verified" b.log ||
	fail "b did not verify the IKE_AUTH puzzle"
j=$(gjson)
(( $(gval "$j" solutions_valid) >= 1 )) || fail "no valid solution: $j"
nsx b moat ike show | grep -q established || fail "b has no IKE SA"

log "b's moatd tells the guard that a completed IKE_AUTH"
wait_for -t 5 gis known 1 || fail "a is not a known source: $(gjson)"

log "reload: [guard] mode = off"
sed -i 's/^mode = puzzles$/mode = off/' b.conf
kill -HUP "${pid[b]}"
wait_for -t 10 eval '[[ $(gjson) == *"\"mode\":\"off\""* ]]' ||
	fail "reload did not apply mode off: $(gjson)"

log "half-open SAs are reported; from half-open-at on, moatd's own cookies"
gis half_open 0 || fail "half-open before the probes: $(gjson)"
probe first_moatd=3 192.0.2.2 500 3
wait_for -t 5 gis half_open 3 || fail "half-open not reported: $(gjson)"
probe first_cookie=1 192.0.2.2 500 1
grep -q "moatd's own cookies on" b.log || fail "b did not say so"
