#!/bin/bash
# SA lifetimes: reaching a soft limit sends an event and the SA goes on;
# passing a hard limit sends an event and deletes the SA; packets past it
# are not sent. Packets, bytes and seconds.
# timeout: 180
set -euo pipefail
. "$MOAT_VM_LIB"
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

moat_load
tunnel_outer

# events FILE: the expiry events in FILE as "kind reason spi dir" lines.
events() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(e["expire"], e["reason"], hex(e["spi"]), e["dir"])' "$1"
}

log "packets: soft at 5, hard after 10"
tunnel 4 raw "$GCM" $GCM_AB $GCM_BA lifetime soft packets 5 hard packets 10
nsx a timeout 60 moat -j monitor count 3 >ev-a.json &
mon=$!
sleep 0.5
nsx a ping -c 14 -i 0.1 -W 1 10.2.0.1 >ping.txt || true
wait $mon || fail "monitor did not see 3 events: $(cat ev-a.json)"
events ev-a.json | tee ev.txt
grep -qx 'soft packets 0x1001 out' ev.txt || fail "no soft event for 0x1001"
grep -qx 'hard packets 0x1001 out' ev.txt || fail "no hard event for 0x1001"
grep -qx 'soft packets 0x2001 in' ev.txt || fail "no soft event for 0x2001"
[ "$(sa_stat b in rx_packets)" = 10 ] ||
	fail "b received $(sa_stat b in rx_packets) packets, not 10"
grep -q '10 received' ping.txt || fail "ping: $(tail -2 ping.txt)"
nsx a moat sa show dev moat0 | tee sas.txt
grep -q 'spi 0x00001001' sas.txt && fail "the hard-expired SA is still there"
[ "$(sa_count a)" = 1 ] || fail "a should keep only its inbound SA"
[ "$(nsx a moat -j -s link show dev moat0 | python3 -c '
import json, sys; print(json.load(sys.stdin)[0]["stats"]["tx_no_sa"])')" -ge 1 ] ||
	fail "packets after the hard limit were not counted as tx_no_sa"

log "bytes: hard after 3000 bytes of inner packets"
tunnel 4 udp "$GCM" $GCM_AB $GCM_BA lifetime hard bytes 3000
nsx a ping -c 5 -i 0.1 -W 1 -s 972 10.2.0.1 >ping.txt || true
grep -q '3 received' ping.txt || fail "ping: $(tail -2 ping.txt)"
[ "$(sa_count a)" = 1 ] || fail "the byte-limited SA is still there"

log "seconds: soft after 4, hard after 8"
# Generous limits: under TCG, setting up the tunnel takes a second or two.
nsx b timeout 40 moat -j monitor count 4 >ev-b.json &
mon=$!
sleep 0.5
tunnel 6 raw "$CHACHA" $CHACHA_AB $CHACHA_BA lifetime soft seconds 4 hard seconds 8
nsx a ping -c 1 -W 2 fd00:2::1 >/dev/null || fail "no ping before expiry"
wait $mon || fail "monitor did not see 4 events: $(cat ev-b.json)"
events ev-b.json | sort | tee ev.txt
[ "$(grep -c '^hard seconds' ev.txt)" = 2 ] || fail "no hard events"
[ "$(grep -c '^soft seconds' ev.txt)" = 2 ] || fail "no soft events"
[ "$(sa_count b)" = 0 ] || fail "b's SAs outlived their hard lifetime"
nsx a ping -c 1 -W 1 fd00:2::1 >/dev/null && fail "ping after expiry"
true
