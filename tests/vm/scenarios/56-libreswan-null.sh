#!/bin/bash
# moatd in namespace a <-> Libreswan's pluto (XFRM for ESP) in namespace
# b with NULL authentication (RFC 7619), which strongSwan does not have.
# pluto comes from the .deb that "make deps" unpacks into
# /var/cache/moat/libreswan/root (Debian's libreswan conflicts with
# strongSwan's packages, so it is never installed); it runs in its own
# mount namespace, where that tree's /usr/libexec/ipsec is bound to where
# pluto looks for its helpers, with its NSS database, control socket and
# logs in the scenario's directory. Each side initiates; pings cross both
# ways, counted by moat's SAs and XFRM's states; each side's Delete
# removes both sides' SAs; a stopped pluto leaves no XFRM state behind.
# Without the unpacked tree the scenario says SKIP and passes.
# timeout: 300
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../strongswan-lib.sh
. "$MOAT_ROOT/tests/vm/strongswan-lib.sh"	# for xfrm_warm

MOATD=$MOAT_ROOT/userspace/moatd/moatd
LSW=${MOAT_LIBRESWAN:-/var/cache/moat/libreswan/root}
LSW_EXEC=$LSW/usr/libexec/ipsec
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
if [[ ! -x $LSW_EXEC/pluto ]]; then
	echo "SKIP: no unpacked libreswan in $LSW (make libreswan-cache)"
	exit 0
fi
# lsw CMD...: CMD with the libraries that came with the unpacked tree.
lsw() { LD_LIBRARY_PATH=$LSW/usr/lib/x86_64-linux-gnu "$@"; }
log() { echo "== [${SECONDS}s] $*"; }
moatd_pid='' pluto_pid=''

whack() { lsw "$LSW_EXEC/whack" --ctlsocket "$PWD/run/pluto.ctl" "$@"; }

lsw_start() {
	mkdir -p run nss
	lsw "$LSW/usr/bin/certutil" -N -d "sql:$PWD/nss" --empty-password
	# ipsec.conf wants each setting indented under its section. The
	# routes are ours: no updown script (and /usr/lib/ipsec/_updown is
	# strongSwan's here).
	printf '%s\n' 'config setup' '  plutodebug=none' 'conn m' '  ikev2=yes' '  authby=null' \
		'  leftid=%null' '  rightid=%null' '  left=192.0.2.2' \
		'  right=192.0.2.1' '  leftsubnet=10.2.0.0/16' \
		'  rightsubnet=10.1.0.0/16' '  ike=aes_gcm128-sha2_256-dh31' \
		'  esp=aes_gcm128' '  pfs=no' '  retransmit-timeout=20s' \
		'  leftupdown=/bin/true' '  auto=add' >ipsec.conf
	: >ipsec.secrets
	# ip execs unshare execs sh execs pluto: $! is pluto.
	# shellcheck disable=SC2016 # for the inner sh
	LD_LIBRARY_PATH=$LSW/usr/lib/x86_64-linux-gnu ip netns exec b unshare -m sh -c '
		mount -t tmpfs none /usr/libexec && mkdir /usr/libexec/ipsec &&
		mount --bind "$0" /usr/libexec/ipsec && exec "$0/pluto" "$@"' \
		"$LSW_EXEC" --config "$PWD/ipsec.conf" --rundir "$PWD/run" \
		--nssdir "$PWD/nss" --secretsfile "$PWD/ipsec.secrets" \
		--ipsecdir "$PWD" --nofork --stderrlog >>pluto.out 2>&1 &
	pluto_pid=$!
	wait_for -t 60 test -S run/pluto.ctl || fail "pluto did not start"
	whack --listen >/dev/null
	lsw "$LSW_EXEC/addconn" --config "$PWD/ipsec.conf" \
		--ctlsocket "$PWD/run/pluto.ctl" m >/dev/null ||
		fail "addconn refused the conn"
}

lsw_stop() {
	[[ -n $pluto_pid ]] || return 0
	kill -TERM "$pluto_pid" 2>/dev/null || true
	wait "$pluto_pid" || true
	pluto_pid=
	[[ -z $(ip -n b xfrm state) ]] || fail "b: XFRM states left by pluto"
}

m_start() {
	cat >a.conf <<-EOF
		[moatd]
		log-level = debug
		[conn n]
		local = 192.0.2.1
		remote = 192.0.2.2
		auth = null
		local-ts = 10.1.0.0/16
		remote-ts = 10.2.0.0/16
		ike = aes128gcm16-prfsha256-x25519
		esp = aes128gcm16
		retransmit-timeout = 2s
		retransmit-tries = 4
	EOF
	chmod 600 a.conf
	ip netns exec a "$MOATD" -c a.conf -f 2>>a.log &
	moatd_pid=$!
	wait_for nsx a moat ike show || fail "moatd did not start"
	ip -n a addr add 10.1.0.1/32 dev moat0
	ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
}

nsas() { nsx a moat sa show dev moat0 | grep -c '^sa spi' || true; }
no_sas() { [[ $(nsas) == 0 ]]; }
no_xfrm() { [[ -z $(ip -n b xfrm state) ]]; }
both_up() { [[ $(nsas) == 2 ]] && [[ $(ip -n b xfrm state | grep -c '^src') == 2 ]]; }

# moat_rx: packets a's inbound SAs counted.
moat_rx() {
	nsx a moat -j -s sa show dev moat0 | python3 -c '
import json, sys
print(sum(s["stats"]["rx_packets"] for s in json.load(sys.stdin)
          if s["dir"] == "in"))'
}

# xfrm_packets: the packets counted by b's XFRM states, summed.
xfrm_packets() {
	ip -n b -s xfrm state | awk '
		/^[ \t]*lifetime current:/ { cur = 1; next }
		cur && /\(packets\)/ { split($2, p, "("); n += p[1]; cur = 0 }
		END { print n + 0 }'
}

# traffic LABEL: 3 pings a -> b and 2 b -> a over fresh SAs; both sides
# count them (5 ESP packets each way).
traffic() {
	local x m
	log "$1: traffic"
	nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "$1: ping a -> b"
	nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "$1: ping b -> a"
	x=$(xfrm_packets) m=$(moat_rx)
	# XFRM counts both of its states: 5 in and 5 out.
	((x == 10)) || fail "$1: XFRM counted $x packets, not 10"
	((m == 5)) || fail "$1: moat's inbound SA counted $m, not 5"
}

dump_logs() {
	local rc=$?
	if ((rc)); then
		echo "--- a.log"; tail -n 40 a.log
		echo "--- pluto.out"; tail -n 60 pluto.out
	fi 2>/dev/null
	[[ -n $moatd_pid ]] && kill "$moatd_pid" 2>/dev/null
	lsw_stop || true
	return $rc
}
trap dump_logs EXIT

moat_load
netns_pair a b 192.0.2.1/24 192.0.2.2/24
ip -n b addr add 10.2.0.1/32 dev lo
ip -n b route add 10.1.0.0/16 dev veth-a src 10.2.0.1
# pluto's Child SA would otherwise wait for the kernel's first AEAD
# self-tests (a minute under TCG) and lose its larval XFRM state.
xfrm_warm b
lsw_start
log "pluto started"
m_start

log "moatd initiates with NULL auth"
nsx a moat ike up n || fail "ike up"
wait_for -t 10 both_up || fail "not up on both sides"
traffic "moatd initiator"
log "moatd deletes"
nsx a moat ike down n || fail "ike down"
wait_for -t 10 no_xfrm || fail "b: XFRM states left after moatd's Delete"

log "Libreswan initiates with NULL auth"
whack --initiate --name m --asynchronous >/dev/null
wait_for -t 30 both_up || fail "Libreswan initiator: not up on both sides"
traffic "Libreswan initiator"
log "Libreswan deletes"
whack --name m --terminate >/dev/null
wait_for -t 10 no_sas || fail "a: SAs left after Libreswan's Delete"
wait_for -t 10 no_xfrm || fail "b: XFRM states left after its Delete"

log "pluto stops and leaves nothing behind"
lsw_stop
