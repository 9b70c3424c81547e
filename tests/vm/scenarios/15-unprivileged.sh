#!/bin/bash
# Reading moat's state needs CAP_NET_ADMIN over the network namespace, as
# changing it does: SPIs and sequence numbers are what a forged ICMP PTB
# needs.  An unprivileged user (nobody, no capabilities) is refused every
# dump (link, peer, SA; the tool and raw genetlink alike) and the events
# group, with the tool's permission message, while root gets all of them,
# events included.  A user namespace's root is admin of the network
# namespace it created: there it adds, shows and monitors its own devices;
# in the init namespace it is nobody.
# timeout: 150
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"
nlraw=$MOAT_ROOT/tests/tools/build/moat-nlraw
[[ -x $nlraw ]] || fail "test client not built: $nlraw"

NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all)
KEY=0x000102030405060708090a0b0c0d0e0fa0a1a2a3
PERM='permission denied \(needs CAP_NET_ADMIN\)'


# monitor_refused WHO...: `moat monitor` run by WHO ends at once with an
# error; one that waits (status 124 from timeout) has joined the group.
monitor_refused() {
	local out rc=0
	out=$("$@" timeout 10 moat monitor 2>&1) || rc=$?
	echo "  $* moat monitor -> status $rc: $out"
	((rc != 0)) || fail "monitor ended without an error: $out"
	((rc != 124)) || fail "monitor subscribed to the events: $*"
	grep -q 'permission denied (needs CAP_NET_ADMIN)' <<<"$out" ||
		fail "monitor refused without saying why: $out"
}

moat_load
ip link add moat0 type moat
moat peer add dev moat0 remote 192.0.2.2 ts 10.2.0.0/16
moat sa add dev moat0 peer 192.0.2.2 dir in spi 0x2001 \
	aead 'rfc4106(gcm(aes))' $KEY 128

log "root reads everything, and gets the events"
moat link show | grep -q ': moat0: ' || fail "link show as root"
moat peer show | grep -q 'peer 192.0.2.2 dev moat0' || fail "peer show as root"
moat sa show | grep -q 'sa spi 0x00002001 dir in' || fail "sa show as root"
moat monitor count 1 >events.out 2>&1 &
mon=$!
sleep 1 # let it join
moat sa add dev moat0 peer 192.0.2.2 dir in spi 0x2002 \
	aead 'rfc4106(gcm(aes))' $KEY 128 lifetime hard seconds 1
wait_for -t 15 grep -q 'expire hard seconds spi 0x00002002' events.out ||
	fail "root got no event: $(cat events.out)"
wait "$mon" || fail "monitor: $(cat events.out)"

log "nobody gets no dump, no event, and changes nothing"
for cmd in "link show" "link show dev moat0" "peer show" \
	"peer show dev moat0" "sa show" "sa show dev moat0"; do
	# shellcheck disable=SC2086 # words of a command
	refused "$PERM" "${NOBODY[@]}" moat $cmd
done
monitor_refused "${NOBODY[@]}"
refused "$PERM" "${NOBODY[@]}" moat peer add dev moat0 remote 192.0.2.3 \
	ts 10.3.0.0/16
# Raw genetlink, doit and dump: LINK_GET (1), PEER_GET (5), SA_GET (8).
refused '^error 1 ' "${NOBODY[@]}" "$nlraw" 1 2:str:moat0
refused '^error 1 ' "${NOBODY[@]}" "$nlraw" -d 1
refused '^error 1 ' "${NOBODY[@]}" "$nlraw" -d 5 2:str:moat0
refused '^error 1 ' "${NOBODY[@]}" "$nlraw" -d 8 2:str:moat0

log "a user namespace's root: admin of its own network namespace"
# As nobody, in a user namespace that owns a new network namespace.
own=$("${NOBODY[@]}" unshare -Urn bash -c "
	set -euo pipefail
	ip link add moat9 type moat
	moat peer add dev moat9 remote 192.0.2.9 encap udp ts 10.9.0.0/16
	moat sa add dev moat9 peer 192.0.2.9 dir in spi 0x2001 \
		aead 'rfc4106(gcm(aes))' $KEY 128
	moat link show
	moat peer show
	moat sa show
	timeout 2 moat monitor || [ \$? = 124 ]
	echo done
" 2>&1) || fail "in its own namespace: $own"
while read -r line; do echo "  $line"; done <<<"$own"
grep -q '^done$' <<<"$own" || fail "did not finish: $own"
grep -q ': moat9: ' <<<"$own" || fail "its device is not listed"
grep -q 'peer 192.0.2.9 dev moat9' <<<"$own" || fail "its peer is not listed"
grep -q 'sa spi 0x00002001 dir in peer 192.0.2.9' <<<"$own" ||
	fail "its SA is not listed"
grep -qE 'moat0|192\.0\.2\.2' <<<"$own" && fail "it sees the init namespace's"

log "... and nobody in the init network namespace"
for cmd in "link show" "peer show dev moat0" "sa show dev moat0"; do
	# shellcheck disable=SC2086 # words of a command
	refused "$PERM" "${NOBODY[@]}" unshare -Ur moat $cmd
done
monitor_refused "${NOBODY[@]}" unshare -Ur
refused "$PERM" "${NOBODY[@]}" unshare -Ur moat link set dev moat0 mss-clamp off

log "root still sees its own, unchanged"
[[ $(moat peer show | grep -c '^peer ') == 1 ]] || fail "peers: $(moat peer show)"
moat link show dev moat0 | grep -q 'mss-clamp auto' || fail "moat0 changed"
