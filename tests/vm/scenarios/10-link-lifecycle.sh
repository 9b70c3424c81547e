#!/bin/bash
# moat devices in two namespaces: each namespace sees only its own, the
# settings round-trip through genetlink, and unloading the module with
# devices present removes them cleanly.
# timeout: 120
set -euo pipefail
. "$MOAT_VM_LIB"

moat_load
ip netns add a
ip netns add b
ip -n a link add moat0 type moat
ip -n b link add moat0 type moat
ip -n b link add moat1 type moat

log "each namespace lists its own devices"
out=$(nsx a moat link show)
echo "$out"
grep -qE '^[0-9]+: moat0: mtu 1412 state DOWN$' <<<"$out" || fail "a: $out"
grep -q 'mss-clamp auto pmtu-floor4 576 peers 0 sas 0' <<<"$out" ||
	fail "a: defaults"
[ "$(nsx b moat link show | grep -c ': moat[01]: ')" = 2 ] || fail "b: count"
[ -z "$(moat link show)" ] || fail "init namespace sees devices"

log "JSON and statistics"
nsx b moat -j -s link show | python3 -c '
import json, sys
links = json.load(sys.stdin)
assert [l["ifname"] for l in links] == ["moat0", "moat1"], links
for l in links:
    assert l["mtu"] == 1412 and l["mss_clamp"] == "auto", l
    assert l["stats"]["rx"]["packets"] == 0, l
' || fail "JSON"
nsx a moat -j link show dev moat0 | python3 -c '
import json, sys
assert len(json.load(sys.stdin)) == 1' || fail "JSON for one device"

log "set and show"
nsx a ip link set moat0 up mtu 1300
nsx a moat link set dev moat0 mss-clamp 1200 pmtu-floor4 1000
out=$(nsx a moat link show dev moat0)
grep -q 'mtu 1300 state UNKNOWN' <<<"$out" || fail "mtu/state: $out"
grep -q 'mss-clamp 1200 pmtu-floor4 1000' <<<"$out" || fail "set: $out"
nsx a moat link set dev moat0 mss-clamp off
nsx a moat link show dev moat0 | grep -q 'mss-clamp off pmtu-floor4 1000' ||
	fail "mss-clamp off"
nsx b moat link show dev moat0 | grep -q 'mss-clamp auto pmtu-floor4 576' ||
	fail "b's moat0 changed with a's"

log "a device moves between namespaces"
nsx b ip link set moat1 netns a
nsx a moat link show dev moat1 >/dev/null || fail "moat1 not in a"
expect_fail nsx b moat link show dev moat1 2>/dev/null

log "unload with devices present"
rmmod moat
[ -z "$(nsx a ip -o link show type moat 2>/dev/null)" ] || fail "a kept devices"
[ -z "$(nsx b ip -o link show type moat 2>/dev/null)" ] || fail "b kept devices"
out=$(nsx a moat link show 2>&1) && fail "family still there"
grep -q 'module is not loaded' <<<"$out" || fail "no module message: $out"

log "load again"
moat_load
nsx a ip link add moat0 type moat
nsx a moat link show dev moat0 >/dev/null
