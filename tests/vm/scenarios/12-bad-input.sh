#!/bin/bash
# Bad input gets a readable error and changes nothing: unknown devices,
# devices that are not moat's, missing permission, and malformed
# attributes sent raw over genetlink.
# timeout: 120
set -euo pipefail
. "$MOAT_VM_LIB"
nlraw=$MOAT_ROOT/tests/tools/build/moat-nlraw
[ -x "$nlraw" ] || fail "test client not built: $nlraw"

moat_load
ip netns add a
ip -n a link add moat0 type moat
ip -n a link add dummy0 type dummy 2>/dev/null || ip -n a link add dummy0 type veth

before=$(nsx a moat -j link show)


log "the moat tool"
refused 'link show dev nope: unknown device' nsx a moat link show dev nope
refused 'link set dev nope: unknown device' \
	nsx a moat link set dev nope mss-clamp auto
refused 'link show dev lo: not a moat device' nsx a moat link show dev lo
refused 'not a moat device' nsx a moat link set dev dummy0 pmtu-floor4 600
refused 'permission denied' nsx a unshare -U moat link set dev moat0 mss-clamp off
# Reading needs privilege too: dumps carry SPIs and sequence numbers.
refused 'link show dev moat0: permission denied' nsx a unshare -U moat link show dev moat0

log "raw genetlink"
# Commands: 1 LINK_GET, 2 LINK_SET. Attributes: 1 IFINDEX, 2 IFNAME,
# 3 LINK; inside LINK: 2 IFINDEX, 4 MTU, 6 MSS_CLAMP, 7 PMTU_FLOOR4.
refused 'error (22|34) .*: .+' nsx a "$nlraw" 2 2:str:moat0 3:nest 6:u8:1 end
refused 'error (22|34) .*: .+' nsx a "$nlraw" 2 2:str:moat0 3:nest 6:u32:100 end
refused 'error (22|34) .*: .+' nsx a "$nlraw" 2 2:str:moat0 3:nest 7:u32:67 end
refused 'set the MTU with ip link' nsx a "$nlraw" 2 2:str:moat0 3:nest 4:u32:1000 end
refused 'the link index is read-only' nsx a "$nlraw" 2 2:str:moat0 3:nest 2:u32:1 end
refused 'error (22|34) .*: .+' nsx a "$nlraw" 1 1:u32:0
refused 'error (22|34) .*: .+' nsx a "$nlraw" 1 1:u8:1
refused 'error (22|34) .*: .+' nsx a "$nlraw" 1 2:str:a234567890123456789
refused 'error (22|34) .*: .+' nsx a "$nlraw" 1 2:hex:6d6f617430
refused 'error (22|34) .*: .+' nsx a "$nlraw" 1 99:u32:1
refused 'no device given' nsx a "$nlraw" 2 3:nest 7:u32:600 end
refused 'nothing to set' nsx a "$nlraw" 2 2:str:moat0
refused 'unknown device' nsx a "$nlraw" 1 1:u32:4000
refused 'error 95' nsx a "$nlraw" 200
nsx a "$nlraw" 1 2:str:moat0 | grep -q 'ok 1 replies' || fail "a good request"
nsx a "$nlraw" -d 1 | grep -q 'ok 1 replies' || fail "a good dump"

log "nothing changed"
after=$(nsx a moat -j link show)
[ "$before" = "$after" ] || fail "state changed: $before -> $after"
