#!/bin/bash
# moat <-> moat: both AEADs, IPv4 and IPv6 outside, raw ESP and ESP in UDP,
# IPv4 and IPv6 inside. Pings must cross, TCP must flow, and the SAs must
# count what they carried.
# timeout: 400
set -euo pipefail
. "$MOAT_VM_LIB"

. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

moat_load
tunnel_outer

check() {	# label
	local label=$1 n
	log "$label"
	nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "$label: ping v4"
	nsx a ping -c 3 -i 0.2 -W 2 fd00:2::1 >/dev/null || fail "$label: ping v6"
	nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "$label: ping back"
	n=$(sa_stat b in rx_packets)
	[ "$n" -ge 6 ] || fail "$label: b's inbound SA counted $n"
	n=$(sa_stat a in rx_packets)
	[ "$n" -ge 6 ] || fail "$label: a's inbound SA counted $n"
}

# Each peer keeps its outer route per CPU once looked up; a change to the
# routes must reach it at once. A route that leads the peer's address into
# moat0 itself drops every packet (counted as no route), and taking it
# away brings the tunnel back. A route kept past the change would let the
# first pings through and leave the counter alone.
for outer in 4 6; do
	log "the outer route followed at once (v$outer)"
	tunnel $outer raw "$GCM" $GCM_AB $GCM_BA
	rb=$(tunnel_remote a $outer)
	nsx a ping -c 4 -i 0.2 -W 2 10.2.0.1 >/dev/null ||
		fail "v$outer: ping before the route change"
	n=$(sa_stat a out tx_no_route)
	nsx a ip route add "$rb" dev moat0
	nsx a ping -c 3 -i 0.2 -W 1 10.2.0.1 >/dev/null &&
		fail "v$outer: pings crossed with the peer routed into moat0"
	m=$(sa_stat a out tx_no_route)
	[ "$m" -ge $((n + 3)) ] ||
		fail "v$outer: tx_no_route went from $n to $m, not by 3 or more"
	nsx a ip route del "$rb" dev moat0
	nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null ||
		fail "v$outer: ping after the route was taken away"
done

for alg in gcm chacha; do
	if [ $alg = gcm ]; then a=$GCM kab=$GCM_AB kba=$GCM_BA
	else a=$CHACHA kab=$CHACHA_AB kba=$CHACHA_BA; fi
	for outer in 4 6; do
		for encap in raw udp; do
			tunnel $outer $encap "$a" $kab $kba
			check "$alg outer v$outer $encap"
		done
	done
done

log "TCP through the last tunnel (chacha, v6 outer, udp)"
nsx b iperf3 -s -D -1 -B 10.2.0.1 >/dev/null
sleep 0.5
nsx a iperf3 -c 10.2.0.1 -t 3 -J >iperf.json || fail "iperf3"
python3 -c '
import json
r = json.load(open("iperf.json"))
bps = r["end"]["sum_received"]["bits_per_second"]
print("TCP %.1f Mbit/s" % (bps / 1e6))
assert bps > 1e6, bps' || fail "TCP too slow or broken"

log "counters"
nsx a moat -s sa show dev moat0
nsx b moat -s link show dev moat0

# debugfs moat/pipeline: the stage timings count only while moat/timing
# says Y, and then every stage of a ping's round trip counts.
log "stage timings (debugfs moat/timing)"
dbg=/sys/kernel/debug/moat
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
pipe() { awk -v k="$1" '$1 == k { print $2 }' $dbg/pipeline; }
[ "$(cat $dbg/timing)" = N ] || fail "timing is on after loading"
before=$(pipe enc_ns)
nsx a ping -c 2 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "ping, timing off"
[ "$(pipe enc_ns)" = "$before" ] || fail "timing off, yet enc_ns grew"
echo Y >$dbg/timing
[ "$(cat $dbg/timing)" = Y ] || fail "timing did not turn on"
declare -A was
for k in xmit_ns enc_ns enc_aead_ns send_ns input_ns dec_ns dec_aead_ns \
	napi_ns; do
	was[$k]=$(pipe $k)
done
nsx a ping -c 2 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "ping, timing on"
echo N >$dbg/timing
for k in "${!was[@]}"; do
	[ "$(pipe $k)" -gt "${was[$k]}" ] || fail "timing on, $k did not grow"
done
[ "$(pipe enc_aead_ns)" -le "$(pipe enc_ns)" ] ||
	fail "the AEAD took longer than the encrypt stage around it"
# Every packet decrypted was decrypted on some CPU. The per-CPU lines are
# read after the totals: a stray packet may count in them alone.
awk '$1 == "dec_pkts" { t = $2 } $1 ~ /^dec_pkts@/ { n += $2 }
	END { if (n < t || n > t + 20) { print n " vs " t; exit 1 } }' \
	$dbg/pipeline ||
	fail "the per-CPU decryptions do not add up to dec_pkts"
echo bogus >$dbg/timing 2>/dev/null && fail "timing took 'bogus'"
[ "$(cat $dbg/timing)" = N ] || fail "timing did not turn off"

# debugfs moat/aead: the first ChaCha20-Poly1305 SA timed the kernel's
# implementations of it, all sealed alike, and its SAs were keyed with the
# fastest (the pings above crossed with it). AES-GCM is never raced.
log "the AEAD implementations timed (debugfs moat/aead)"
cat $dbg/aead
awk -v alg="$CHACHA" '
	$1 != alg { print "raced: " $0; bad = 1 }
	$1 == alg { n++ }
	$1 == alg && $3 == -74 { print "sealed differently: " $0; bad = 1 }
	$1 == alg && $3 >= 0 && (min == "" || $3 < min) { min = $3 }
	$1 == alg && $4 == "*" { picked++; ns = $3 }
	END {
		if (n < 2 || picked != 1 || ns < 0 || ns != min) bad = 1
		exit bad
	}' $dbg/aead || fail "moat/aead: not one fastest pick among the ChaCha implementations"
