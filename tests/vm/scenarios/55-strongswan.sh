#!/bin/bash
# moatd in namespace a <-> strongSwan (Debian's charon, XFRM for ESP) in
# namespace b, with a pre-shared key. One charon serves every case; each
# case loads its own swanctl config and starts a fresh moatd:
#   - moatd initiates (AES-GCM-128), pings both ways, counted by moat's
#     SAs and by XFRM's states; moatd's Delete removes both sides' SAs;
#   - strongSwan initiates (AES-GCM-256), pings; its Delete does the same;
#   - ChaCha20-Poly1305 (Debian's strongSwan has it through openssl);
#   - RFC 8784 PPK: required on both sides (a wrong PPK then fails),
#     and optional on moatd against a strongSwan without one;
#   - narrowing: strongSwan's /32 pair against moatd's 0.0.0.0/0;
#   - IKE fragmentation (RFC 7383) both ways: over a 600-octet MTU that
#     drops IP fragments, with long identities and 12 selectors a side,
#     each side initiates; charon logs the fragments it split and took;
#   - a stopped charon leaves no XFRM state or policy behind.
# timeout: 600
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../strongswan-lib.sh
. "$MOAT_ROOT/tests/vm/strongswan-lib.sh"

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
ss_have || fail "strongSwan not installed (make deps installs it)"
log() { echo "== [${SECONDS}s] $*"; }
PSK='moat scenario 55 shared secret'
PPK=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# moat_rx: packets a's inbound SA counted.
moat_rx() {
	nsx a moat -j -s sa show dev moat0 | python3 -c '
import json, sys
print(sum(s["stats"]["rx_packets"] for s in json.load(sys.stdin)
          if s["dir"] == "in"))'
}

# traffic LABEL: 3 pings a -> b and 2 b -> a cross the fresh SAs of a
# case; both sides count them (5 ESP packets each way).
traffic() {
	local x m
	log "$1: traffic"
	nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "$1: ping a -> b"
	nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "$1: ping b -> a"
	x=$(xfrm_packets b) m=$(moat_rx)
	# XFRM counts both of its states: 5 in and 5 out.
	((x == 10)) || fail "$1: XFRM counted $x packets, not 10"
	((m == 5)) || fail "$1: moat's inbound SA counted $m, not 5"
}

# xfrm_alg NAME: b's XFRM states use the AEAD NAME.
xfrm_alg() {
	ip -n b xfrm state | grep -q "aead $1" ||
		fail "b: XFRM states without $1: $(ip -n b xfrm state | grep aead)"
}

down_by_moatd() {
	log "$1: moatd deletes"
	nsx a moat ike down s || fail "$1: moat ike down"
	[[ $(nsas) == 0 ]] || fail "$1: a's SAs left after ike down"
	wait_for -t 10 no_xfrm || fail "$1: b's XFRM states left after moatd's Delete"
	[[ $(ss_sas b) == 0 ]] || fail "$1: strongSwan kept the IKE SA"
}

down_by_strongswan() {
	log "$1: strongSwan deletes"
	ss b --terminate --ike m >/dev/null || fail "$1: swanctl --terminate"
	wait_for -t 10 no_sas || fail "$1: a's SAs left after strongSwan's Delete"
	nsx a moat ike show | grep -q 'ike established' &&
		fail "$1: moatd kept the IKE SA"
	no_xfrm || fail "$1: b's XFRM states left"
}

trap ss_dump_logs EXIT

moat_load
ss_topology
start=$SECONDS
xfrm_warm b
log "kernel AEADs ready in $((SECONDS - start))s"
start=$SECONDS
# Fragments strongSwan sends are IP datagrams of at most 576 octets, as
# moatd's (its default is 1280).
ss_start b 'fragment_size = 576'
log "charon started in $((SECONDS - start))s"

log "moatd initiates, AES-GCM-128"
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16
m_conf 'ike = aes128gcm16-prfsha256-x25519' 'esp = aes128gcm16'
m_start
nsx a moat ike up s || fail "ike up"
both_up || fail "not established on both sides"
xfrm_alg 'rfc4106(gcm(aes))'
ip -n b xfrm state | grep -q 'aead.*0x[0-9a-f]\{40\} 128' ||
	fail "b: not a 128-bit key"
traffic "moatd initiator"
down_by_moatd "moatd initiator"

log "strongSwan initiates, AES-GCM-256"
s_conf aes256gcm16-prfsha384-x25519 aes256gcm16
m_conf 'ike = aes256gcm16-prfsha384-x25519' 'esp = aes256gcm16'
m_start
ss b --initiate --child m >/dev/null || fail "swanctl --initiate"
wait_for -t 10 both_up || fail "strongSwan initiator: not established"
ip -n b xfrm state | grep -q 'aead.*0x[0-9a-f]\{72\} 128' ||
	fail "b: not a 256-bit key"
traffic "strongSwan initiator"
down_by_strongswan "strongSwan initiator"

log "ChaCha20-Poly1305, strongSwan initiates, moatd deletes"
s_conf chacha20poly1305-prfsha256-x25519 chacha20poly1305
m_conf 'ike = chacha20poly1305-prfsha256-x25519' 'esp = chacha20poly1305'
m_start
ss b --initiate --child m >/dev/null || fail "swanctl --initiate chacha"
wait_for -t 10 both_up || fail "chacha: not established"
xfrm_alg 'rfc7539esp(chacha20,poly1305)'
traffic chacha
down_by_moatd chacha

log "PPK required on both sides (RFC 8784)"
# ppk_secret KEY: a swanctl PPK secret (one setting a line: no ";").
ppk_secret() { printf 'ppk-m {\nid = moat-ppk\nsecret = %s\n}\n' "$1"; }
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16 \
	'ppk_id = moat-ppk
ppk_required = yes' "$(ppk_secret $PPK)"
m_conf 'ppk-id = moat-ppk' "ppk = $PPK" 'ppk-required = yes'
m_start
nsx a moat ike up s || fail "ike up with PPK"
traffic "PPK required"
# charon logs it once the PPK went into the IKE SA's keys.
ppk_uses() { grep -c "using PPK for PPK_ID 'moat-ppk'" b.charon.log || true; }
[[ $(ppk_uses) == 1 ]] || fail "strongSwan did not use the PPK"
down_by_strongswan "PPK required"
ss b --initiate --child m >/dev/null || fail "swanctl --initiate with PPK"
wait_for -t 10 both_up || fail "PPK, strongSwan initiator: not established"
traffic "PPK required, strongSwan initiator"
[[ $(ppk_uses) == 2 ]] || fail "strongSwan initiator did not use the PPK"
down_by_moatd "PPK required, strongSwan initiator"

log "a different PPK on each side fails the authentication"
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16 \
	'ppk_id = moat-ppk
ppk_required = yes' "$(ppk_secret 0x${PPK:2:62}ff)"
refused 'AUTHENTICATION_FAILED' nsx a moat ike up s
[[ $(nsas) == 0 ]] || fail "SAs after a failed PPK authentication"
no_xfrm || fail "b: XFRM states after a failed PPK authentication"

log "PPK optional on moatd, strongSwan without one: plain PSK"
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16
m_conf 'ppk-id = moat-ppk' "ppk = $PPK"
m_start
nsx a moat ike up s || fail "ike up, optional PPK"
traffic "PPK optional"
[[ $(ppk_uses) == 2 ]] || fail "a PPK was used with only one side having it"
down_by_moatd "PPK optional"

log "narrowing: strongSwan's /32 pair against moatd's 0.0.0.0/0"
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16 '' '' 10.2.0.1/32 10.1.0.1/32
m_conf 'local-ts = 0.0.0.0/0' 'remote-ts = 10.2.0.0/16'
m_start
ss b --initiate --child m >/dev/null || fail "swanctl --initiate, narrowing"
wait_for -t 10 both_up || fail "narrowing: not established"
peer=$(nsx a moat peer show dev moat0)
echo "$peer"
grep -q '10.2.0.1/32' <<<"$peer" || fail "a: peer without 10.2.0.1/32"
grep -q '10.2.0.0/16' <<<"$peer" && fail "a: peer kept the unnarrowed 10.2.0.0/16"
ip -n b xfrm policy | grep -q 'src 10.2.0.1/32 dst 10.1.0.1/32' ||
	fail "b: no XFRM policy for the /32 pair"
traffic narrowing
down_by_strongswan narrowing

log "IKE fragmentation both ways: MTU 600, IP fragments dropped"
for ns in a b; do
	ip -n $ns link set "veth-$([[ $ns == a ]] && echo b || echo a)" mtu 600
	nsx $ns nft -f - <<-'EOF'
		table ip nofrag {
			chain pre {
				type filter hook prerouting priority -500;
				ip frag-off & 0x3fff != 0 drop
			}
		}
	EOF
done
long=$(printf 'x%.0s' {1..150})
SS_ID_A=a.$long.example SS_ID_B=b.$long.example
ts12() {
	local i out=
	for i in {0..11}; do out+=${out:+,}$1$i/32; done
	echo "$out"
}
s_conf aes128gcm16-prfsha256-x25519 aes128gcm16 'fragmentation = yes' '' \
	"$(ts12 10.2.0.)" "$(ts12 10.1.0.)"
m_conf "local-id = @$SS_ID_A" "remote-id = @$SS_ID_B" \
	"local-ts = $(ts12 10.1.0.)" "remote-ts = $(ts12 10.2.0.)"
m_start
ip -n a route replace 10.2.0.0/24 dev moat0 src 10.1.0.1
frags() { grep -c "$1" b.charon.log || true; }
nsx a moat ike up s || fail "ike up over fragments"
(($(frags 'received fragment #') >= 2)) ||
	fail "strongSwan did not get moatd's IKE_AUTH in fragments"
(($(frags 'into [0-9]* fragments') >= 1)) ||
	fail "strongSwan did not fragment its IKE_AUTH answer"
traffic "fragments, moatd initiator"
down_by_moatd "fragments, moatd initiator"
ss b --initiate --child m >/dev/null || fail "swanctl --initiate, fragments"
wait_for -t 20 both_up || fail "fragments, strongSwan initiator: not established"
(($(frags 'into [0-9]* fragments') >= 2)) ||
	fail "strongSwan did not fragment its IKE_AUTH request"
traffic "fragments, strongSwan initiator"
down_by_strongswan "fragments, strongSwan initiator"

log "charon stops and leaves nothing behind"
m_stop
ss_stop b
log "done in ${SECONDS}s"
