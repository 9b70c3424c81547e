#!/bin/bash
# The guard in the module, on moatd's sockets (issue 9). moatd in a and b
# hands its UDP 500 socket to the module as an IKE socket (4500 as
# before). A legacy initiator (tools/ike-probe.py, forged IKE_SA_INIT
# requests) gets moatd's own answer while the guard is at normal; at
# cookies it gets the module's HDR, N(COOKIE) on 500, on 4500 (marker
# included), over IPv6 and in a fragmented datagram, and reaches moatd
# only with the cookie, as many times as the guard counts passed. A moatd
# initiator still connects (it returns cookies). A request the guard
# cannot read (over its copy limit) is dropped as malformed; one from too
# many hops away is dropped. At puzzles, requests that return the cookie
# without a solution are the legacy share: served or dropped, counted. The
# level steps down without traffic and moat monitor prints each change; a
# refused setting prints the kernel's reason and changes nothing.
# timeout: 180
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"
# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"

PROBE=(python3 -S "$MOAT_ROOT/tests/vm/tools/ike-probe.py")
snapped=

# gjson: b's guard as moat guard show -j prints it.
gjson() { nsx b moat guard show -j; }

# gval JSON KEY: the number KEY holds in JSON.
gval() { grep -o "\"$2\":[0-9]*" <<<"$1" | cut -d: -f2; }

# gstat KEY: b's guard counter (or setting) KEY now.
gstat() { gval "$(gjson)" "$1"; }

# snap: remember b's counters for deltas.
snap() { snapped=$(gjson); }

# deltas KEY=N...: each of b's counters KEY moved by exactly N since snap.
deltas() {
	local now kv k
	now=$(gjson)
	for kv; do
		k=${kv%=*}
		(( $(gval "$now" "$k") - $(gval "$snapped" "$k") == ${kv#*=} )) ||
			fail "guard $k moved by $(( $(gval "$now" "$k") - $(gval "$snapped" "$k") )), not ${kv#*=}"
	done
}

# probe WANT ARGS...: ike-probe.py from a; its output must hold WANT
# (space-separated key=value pairs). Prints the output.
probe() {
	local want=$1 out w
	shift
	out=$(nsx a "${PROBE[@]}" "$@")
	echo "   probe $*: $out"
	for w in $want; do
		[[ " $out " == *" $w "* ]] || fail "probe $*: wanted $w, got $out"
	done
	last=$out
}

# got KEY: the count KEY of the last probe.
got() { sed -n "s/.* *$1=\([0-9]*\).*/\1/p" <<<" $last "; }

moat_load
tunnel_outer
moatd_conf a "retransmit-timeout = 3s"
moatd_conf b "retransmit-timeout = 3s"
start a
start b
grep -q "does not guard" b.log && fail "moatd did not hand its port 500 socket"
# One source sends everything here: no rate limit in the way.
nsx b moat guard set rate 100000 burst 100000

log "normal: a forged request reaches moatd, which answers it"
snap
probe "first_moatd=1" 192.0.2.2 500 1
deltas passed=1 cookies_sent=0

log "cookies: the module answers; only requests with its cookie reach moatd"
nsx b moat guard set mode cookies
gjson | grep -q '"level":"cookies"' || fail "level: $(nsx b moat guard show)"
snap
probe "first_cookie=4 retry_moatd=4" 192.0.2.2 500 4 --retry
deltas cookies_sent=4 cookies_valid=4 passed=4

log "cookies: a moatd initiator still connects"
snap
nsx a moat ike up t || fail "moatd a could not connect at level cookies"
nsx b moat ike show | grep -q established || fail "b has no IKE SA"
now=$(gjson)
c=$(( $(gval "$now" cookies_valid) - $(gval "$snapped" cookies_valid) ))
((c >= 1)) || fail "moatd a returned no cookie"
(( $(gval "$now" cookies_sent) > $(gval "$snapped" cookies_sent) )) ||
	fail "no cookie was sent to moatd a"
deltas passed=$c
# Its liveness checks would cross the hop limit below: no IKE SA, no IKE.
nsx a moat ike down t

log "cookies: on 4500 after the marker, and over IPv6 fragmented"
snap
probe "first_cookie=1" 192.0.2.2 4500 1 --marker
probe "first_cookie=1" 2001:db8::2 500 1 --pad 2500
deltas cookies_sent=2 passed=0

log "cookies: a request too long to copy is dropped as malformed"
snap
probe "first_none=1" 192.0.2.2 500 1 --pad 5000 --timeout 0.5
deltas malformed=1 passed=0 cookies_sent=0

log "hops: IKE from further than N hops is dropped"
nsx b moat guard set hops 1
snap
probe "first_none=1" 192.0.2.2 500 1 --timeout 0.5
probe "first_cookie=1" 192.0.2.2 500 1 --ttl 255
deltas hops_dropped=1 cookies_sent=1
nsx b moat guard set hops 0

log "puzzles: a legacy initiator is served or dropped, as counted"
# moatd b told the guard that a (192.0.2.1) completed IKE_AUTH above; a
# known source passes without a solution unless the difficulty is at its
# top, so put it there.
nsx b moat guard set mode puzzles difficulty 10-10
snap
probe "first_puzzle=6" 192.0.2.2 500 6 --retry --timeout 0.5
served=$(got retry_moatd) dropped=$(got retry_none)
((served + dropped == 6)) || fail "legacy answers: $last"
deltas puzzles_sent=6 legacy_served="$served" legacy_dropped="$dropped" \
	passed="$served"

log "the level steps down without traffic; moat monitor prints each step"
nsx b moat monitor count 2 >mon.txt &
mon=$!
sleep 1
nsx b moat guard set mode auto hold 1
wait_for -t 20 grep -q normal mon.txt || { cat mon.txt; fail "no level events"; }
wait $mon || true
cat mon.txt
[[ $(sed -n 1p mon.txt) == "guard level cookies difficulty "* ]] ||
	fail "first event: $(sed -n 1p mon.txt)"
[[ $(sed -n 2p mon.txt) == "guard level normal difficulty "* ]] ||
	fail "second event: $(sed -n 2p mon.txt)"

log "a refused setting says why and changes nothing"
out=$(nsx b moat guard set mode cookies difficulty 40 2>&1) &&
	fail "difficulty 40 above the maximum was accepted"
echo "   $out"
grep -q "minimum difficulty is above the maximum" <<<"$out" || fail "no reason: $out"
now=$(gjson)
[[ $(gval "$now" difficulty_min) == 10 && $now == *'"mode":"auto"'* ]] ||
	fail "a refused set changed something: $now"
out=$(nsx b moat guard set hold 0 2>&1) && fail "hold 0 was accepted"
echo "   $out"
grep -q "out of range" <<<"$out" || fail "no reason: $out"

log "off: moatd answers again"
nsx b moat guard set mode off
probe "first_moatd=1" 192.0.2.2 500 1
