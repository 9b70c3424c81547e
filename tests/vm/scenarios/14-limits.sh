#!/bin/bash
# What userspace can make the module hold is bounded, and letting go of it
# is cheap.  A device with thousands of peers and tens of thousands of
# selectors is deleted in bounded time (teardown frees the selector table
# once, not a rebuild per peer under RTNL).  max-peers and max-sas refuse
# the peer or SA past the cap, with a message naming it, and change nothing;
# a lowered cap keeps what is there.  The max_devices module parameter caps
# the devices per outer namespace: a device counts where its ESP travels,
# wherever it was moved, until it is deleted.
# TEARDOWN_PEERS x TEARDOWN_SELECTORS (default 2048 x 16) and
# TEARDOWN_BOUND_MS (10000) size the teardown test.  Adding is itself
# quadratic (each PEER_NEW rebuilds the table): 4096 x 16 takes minutes
# to set up under TCG, so it is for runs by hand.
# timeout: 239
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"

STRESS=(python3 -S "$MOAT_ROOT/tests/vm/tools/moat-stress.py")
PEERS=${TEARDOWN_PEERS:-2048}
NTS=${TEARDOWN_SELECTORS:-16}
BOUND_MS=${TEARDOWN_BOUND_MS:-10000}
nlraw=$MOAT_ROOT/tests/tools/build/moat-nlraw
[[ -x $nlraw ]] || fail "test client not built: $nlraw"


# counts DEV: "PEERS SAS" as moat link show says.
counts() {
	local out
	out=$(moat link show dev "$1")
	[[ $out =~ peers\ ([0-9]+)\ sas\ ([0-9]+) ]] || fail "no counts: $out"
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

now_us() {
	echo "${EPOCHREALTIME/./}"
}

moat_load

log "teardown of $PEERS peers x $NTS selectors"
ip link add moat0 type moat
"${STRESS[@]}" peers moat0 "$PEERS" "$NTS" || fail "could not add the peers"
[[ $(counts moat0) == "$PEERS 0" ]] || fail "moat0 holds $(counts moat0)"
t0=$(now_us)
ip link del moat0
ms=$((($(now_us) - t0) / 1000))
echo "teardown: $PEERS peers x $NTS selectors in $ms ms"
((ms < BOUND_MS)) ||
	fail "deleting the device took $ms ms, more than $BOUND_MS ms"

log "max-peers"
ip link add moat1 type moat
moat link show dev moat1 | grep -q 'max-peers 16384 max-sas 65536' ||
	fail "defaults: $(moat link show dev moat1)"
moat link set dev moat1 max-peers 4
moat -j link show dev moat1 | grep -q '"max_peers":4' ||
	fail "JSON: $(moat -j link show dev moat1)"
for i in 1 2 3 4; do
	moat peer add dev moat1 remote 192.0.2.$i encap udp ts 10.$i.0.0/16
done
refused 'max-peers' moat peer add dev moat1 remote 192.0.2.5 ts 10.5.0.0/16
[[ $(counts moat1) == "4 0" ]] || fail "after the refusal: $(counts moat1)"
moat peer show dev moat1 remote 192.0.2.5 2>/dev/null | grep -q . &&
	fail "the refused peer is there"
# The cap counts what is there: a deleted peer makes room.
moat peer del dev moat1 remote 192.0.2.4
moat peer add dev moat1 remote 192.0.2.5 ts 10.5.0.0/16
# Lowering a cap keeps what is there and refuses more.
moat link set dev moat1 max-peers 2
[[ $(counts moat1) == "4 0" ]] || fail "lowering the cap: $(counts moat1)"
refused 'max-peers' moat peer add dev moat1 remote 192.0.2.6 ts 10.6.0.0/16
moat link set dev moat1 max-peers 16384

log "max-sas: counted over all of the device's peers"
key=0x000102030405060708090a0b0c0d0e0fa0a1a2a3
sa() { # PEER DIR SPI
	moat sa add dev moat1 peer "$1" dir "$2" spi "$3" \
		aead 'rfc4106(gcm(aes))' $key 128
}
moat link set dev moat1 max-sas 3
moat link show dev moat1 | grep -q 'max-sas 3' || fail "max-sas not set"
sa 192.0.2.1 in 0x1001
sa 192.0.2.1 out 0x2001
sa 192.0.2.2 in 0x1002
refused 'max-sas' sa 192.0.2.3 in 0x1003
refused 'max-sas' sa 192.0.2.1 out 0x2002
[[ $(counts moat1) == "4 3" ]] || fail "after the refusals: $(counts moat1)"
[[ $(moat sa show dev moat1 | grep -c 'spi 0x') == 3 ]] ||
	fail "sa show: $(moat sa show dev moat1)"
moat sa del dev moat1 dir in spi 0x1002
sa 192.0.2.3 in 0x1003

log "the caps' ranges"
# LINK_SET (2), IFNAME (2), LINK (3) { MAX_PEERS (11), MAX_SAS (12) }
refused 'error (22|34) ' "$nlraw" 2 2:str:moat1 3:nest 11:u32:0 end
refused 'error (22|34) ' "$nlraw" 2 2:str:moat1 3:nest 11:u32:65537 end
refused 'error (22|34) ' "$nlraw" 2 2:str:moat1 3:nest 12:u32:0 end
refused 'error (22|34) ' "$nlraw" 2 2:str:moat1 3:nest 12:u32:262145 end
"$nlraw" 2 2:str:moat1 3:nest 11:u32:65536 12:u32:262144 end >/dev/null ||
	fail "the largest caps were refused"
moat link show dev moat1 | grep -q 'max-peers 65536 max-sas 262144' ||
	fail "largest caps: $(moat link show dev moat1)"
ip link del moat1

log "max_devices=2, per outer namespace"
wait_for -t 20 rmmod moat || fail "rmmod: $(rmmod moat 2>&1)"
moat_load max_devices=2
ip link add m0 type moat
ip link add m1 type moat
refused 'max_devices' ip link add m2 type moat
ip netns add o
ip -n o link add m0 type moat
ip -n o link add m1 type moat
refused 'max_devices' ip -n o link add m2 type moat
# A deleted device frees its place.
ip link del m0
ip link add m2 type moat
# A device moved away still counts where it was made...
ip link set m2 netns o
refused 'max_devices' ip link add m3 type moat
# ...until it goes, here with the namespace it was moved to.
ip netns del o
wait_for -t 20 ip link add m3 type moat ||
	fail "no room after namespace o went: $(ip link add m3 type moat 2>&1)"
[[ $(ip -o link show type moat | wc -l) == 2 ]] ||
	fail "devices: $(ip -o link show type moat)"
