#!/bin/bash
# The handshake bench's load generator (tests/tools/moat-ikeload, make
# tools) against moatd as a `remote = %any` responder: from namespace gen,
# two handshakes in flight from two source addresses, for 8 s. At least
# one IKE_SA_INIT + IKE_AUTH completes, none fails, and moatd installed
# the last one's Child SA on moat0. With a wrong key every handshake
# fails with AUTHENTICATION_FAILED and none counts as completed. This
# checks that the generator and the responder work, not how fast: the
# generator retransmits for 18 s before it gives up, longer than it runs
# (moatd's first install loads the crypto modules, seconds under TCG).
# timeout: 240
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"

GEN=$MOAT_ROOT/tests/tools/build/moat-ikeload
MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $GEN ]] || fail "generator not built: $GEN (make tools)"
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"

moat_load
modprobe -a aesni_intel ghash_clmulni_intel 2>/dev/null || true
netns_pair gen resp 10.99.0.1/24 10.99.0.2/24
ip -n gen route add local 10.77.0.0/16 dev lo
ip -n resp route add 10.77.0.0/16 via 10.99.0.1

cat >resp.conf <<EOF
[conn load]
local = 10.99.0.2
remote = %any
local-id = @resp.example
remote-id = @load.example
psk = "scenario 57 key"
ike = aes128gcm16-prfsha256-x25519
esp = aes128gcm16
dpd-delay = 0
EOF
chmod 600 resp.conf
ip netns exec resp "$MOATD" -c resp.conf -f 2>moatd.log &
wait_for -t 30 nsx resp moat ike show || { cat moatd.log; fail "moatd did not start"; }

# gen PSK SECONDS: the generator's key=value line.
gen() {
	nsx gen "$GEN" -r 10.99.0.2 -s 10.77.0.1 -n 2 -w 0 -d "$2" -T 3000 \
		-R 5 -k "$1" | tee gen.out | grep '^ikeload: '
}
sas() { [[ $(nsx resp moat sa show dev moat0 | grep -c '^sa spi') == "$1" ]]; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

log "the right key: handshakes complete, none fails"
line=$(gen "scenario 57 key" 8) || fail "generator: $(cat gen.out)"
cat gen.out
[[ $(field completed "$line") -ge 1 ]] || fail "nothing completed: $line"
[[ $(field failed "$line") == 0 ]] || fail "failures: $(cat gen.out)"
# moatd answers IKE_AUTH first, then installs.
wait_for -t 20 grep -q 'installed SAs' moatd.log ||
	fail "moatd installed no Child SA"
wait_for -t 20 sas 2 || fail "moat0 does not hold the last handshake's two SAs"

log "a wrong key: every handshake fails, none completes"
line=$(gen "not the key" 4) || fail "generator: $(cat gen.out)"
cat gen.out
[[ $(field completed "$line") == 0 ]] || fail "completed with a wrong key"
[[ $(field failed "$line") -ge 1 ]] || fail "no failure counted: $line"
grep -q 'failed: AUTHENTICATION_FAILED' gen.out ||
	fail "failures not AUTHENTICATION_FAILED"
