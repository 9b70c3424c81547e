#!/bin/bash
# An inbound SPI names one SA in its outer namespace, whichever device asks
# and however hard they race for it.  A second moat device in the same
# outer namespace (also one moved to another namespace) cannot take an
# inbound SPI the first holds: EEXIST with a clear message, and nothing
# half-installed (the SA dumps and counts are unchanged).  Outbound SPIs
# may repeat, and a device of another outer namespace may hold the same
# SPI.  An SPI that Linux XFRM holds in the outer namespace (either
# family) is refused too, since moat sees ESP first and would shadow it;
# one XFRM holds in another namespace is not in the way.  Four processes
# adding the same SPIs to four devices at the same moments: each SPI goes
# to exactly one.  (Genetlink's own lock serializes moat's requests today,
# so this guards the namespace-wide check-and-insert for the day the
# family runs requests in parallel.)
# SPI_RACE_COUNT (default 200) sets the number of SPIs raced for.
# timeout: 170
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"

STRESS=(python3 -S "$MOAT_ROOT/tests/vm/tools/moat-stress.py")
COUNT=${SPI_RACE_COUNT:-200}
KEY=0x000102030405060708090a0b0c0d0e0fa0a1a2a3
GCM='rfc4106(gcm(aes))'


# sa_in NS DEV PEER SPI: add an inbound SA.
sa_in() {
	nsx "$1" moat sa add dev "$2" peer "$3" dir in spi "$4" \
		aead "$GCM" $KEY 128
}

# state NS: every SA of every moat device in NS (but their ages), and the
# devices' counts.
state() {
	nsx "$1" moat -j sa show | sed 's/"age":[0-9]*//g'
	nsx "$1" moat link show
}

moat_load
modprobe -a xfrm_user esp4 esp6
ip netns add o
ip netns add q
ip netns add p
ip -n o link add m1 type moat
ip -n o link add m2 type moat
# m3's ESP travels in o too: it was made there, then moved to q.
ip -n o link add m3 type moat
ip -n o link set m3 netns q
# m4 belongs to p entirely.
ip -n p link add m4 type moat
nsx o moat peer add dev m1 remote 192.0.2.1 ts 10.1.0.0/16
nsx o moat peer add dev m2 remote 192.0.2.2 ts 10.2.0.0/16
nsx q moat peer add dev m3 remote 192.0.2.3 ts 10.3.0.0/16
nsx p moat peer add dev m4 remote 192.0.2.4 ts 10.4.0.0/16

log "one inbound SPI per outer namespace"
sa_in o m1 192.0.2.1 0x3001
before_o=$(state o) before_q=$(state q)
refused 'SPI.*exists|exists.*SPI' sa_in o m2 192.0.2.2 0x3001
refused 'File exists' sa_in o m2 192.0.2.2 0x3001
refused 'SPI.*exists|exists.*SPI' sa_in q m3 192.0.2.3 0x3001
[[ $(state o) == "$before_o" ]] || fail "o changed: $before_o -> $(state o)"
[[ $(state q) == "$before_q" ]] || fail "q changed: $before_q -> $(state q)"
# The refused SPI was not left behind somewhere: once m1 lets it go, m2
# gets it.
nsx o moat sa del dev m1 dir in spi 0x3001
sa_in o m2 192.0.2.2 0x3001
refused 'SPI.*exists|exists.*SPI' sa_in o m1 192.0.2.1 0x3001

log "outbound SPIs may repeat; another outer namespace has its own SPIs"
nsx o moat sa add dev m1 peer 192.0.2.1 dir out spi 0x3001 \
	aead "$GCM" $KEY 128
nsx q moat sa add dev m3 peer 192.0.2.3 dir out spi 0x3001 \
	aead "$GCM" $KEY 128
sa_in p m4 192.0.2.4 0x3001

log "four racers add the same $COUNT inbound SPIs, in order, to four devices"
nsx o ip link add m5 type moat
nsx o moat peer add dev m5 remote 192.0.2.5 ts 10.5.0.0/16
nsx o ip link add m6 type moat
nsx o moat peer add dev m6 remote 192.0.2.6 ts 10.6.0.0/16
nsx o "${STRESS[@]}" sa-race 0x50000 "$COUNT" m1:192.0.2.1 m2:192.0.2.2 \
	m5:192.0.2.5 m6:192.0.2.6 || fail "SPI race"
# And the dumps agree: each raced SPI once, across every device in o.
n=$(nsx o moat sa show | grep -cE 'sa spi 0x0005[0-9a-f]{4} dir in')
((n == COUNT)) || fail "$n inbound SAs with raced SPIs, not $COUNT"
dups=$(nsx o moat sa show | grep -oE 'sa spi 0x[0-9a-f]+ dir in' | sort |
	uniq -d)
[[ -z $dups ]] || fail "duplicate inbound SPIs: $dups"

log "an SPI that XFRM holds in the outer namespace"
nsx o ip xfrm state add src 192.0.2.1 dst 192.0.2.100 proto esp \
	spi 0x4001 mode tunnel aead "$GCM" $KEY 128
nsx o ip xfrm state add src 2001:db8::1 dst 2001:db8::100 proto esp \
	spi 0x4002 mode tunnel aead "$GCM" $KEY 128
before_o=$(state o)
refused 'XFRM' sa_in o m1 192.0.2.1 0x4001
refused 'XFRM' sa_in o m1 192.0.2.1 0x4002
refused 'XFRM' sa_in q m3 192.0.2.3 0x4001
[[ $(state o) == "$before_o" ]] || fail "o changed: $before_o -> $(state o)"
# XFRM in p is p's business only: o may use the SPI.
nsx p ip xfrm state add src 192.0.2.4 dst 192.0.2.200 proto esp \
	spi 0x4003 mode tunnel aead "$GCM" $KEY 128
sa_in o m1 192.0.2.1 0x4003
refused 'XFRM' sa_in p m4 192.0.2.4 0x4003
# Once XFRM lets an SPI go, moat may take it.
nsx o ip xfrm state del src 192.0.2.1 dst 192.0.2.100 proto esp spi 0x4001
sa_in o m1 192.0.2.1 0x4001
