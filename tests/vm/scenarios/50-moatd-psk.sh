#!/bin/bash
# moatd between namespaces a and b with a pre-shared key. moatd creates
# moat0 (up) on start; `moat ike up` from a negotiates IKE_SA_INIT and
# IKE_AUTH and installs the peer (narrowed selectors) and both SAs on each
# side; a ping between the inner addresses crosses the tunnel (counted by
# the SAs); `moat ike show` says established on both sides; `moat ike down`
# removes the SAs on both sides (Delete); a killed peer is found dead by
# the liveness check; a moatd killed with SIGKILL leaves SAs that the next
# one removes; SIGTERM removes what moatd installed; SIGHUP keeps the SAs of
# unchanged conns and removes those of removed ones; a bad config or a
# wrong key fails with a reason; only CAP_NET_ADMIN is kept; NULL auth on
# one side only (a encrypts without proving who it is, b uses the psk)
# works, and fails when b asks a for the psk.
# timeout: 240
set -euo pipefail
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

# shellcheck source=../moatd-lib.sh
. "$MOAT_ROOT/tests/vm/moatd-lib.sh"

# Conn t6: IPv6 outside, its own inner prefixes, on the same moat0.
declare -A out6=([a]=2001:db8::1 [b]=2001:db8::2)
declare -A in6=([a]=fd00:11::/64 [b]=fd00:12::/64)
declare -A other=([a]=b [b]=a)

# conf NS LOCAL REMOTE LOCAL_TS REMOTE_TS [PSK]: NS.conf, mode 0600, with
# conn t as given and conn t6 over IPv6.
conf() {
	local ns=$1 psk=${6:-moat scenario 50 shared secret} o=${other[$1]}
	local common="auth = psk
psk = \"$psk\"
retransmit-timeout = 500ms
retransmit-tries = 3
dpd-delay = 2s"
	cat >"$ns.conf" <<-EOF
		[moatd]
		log-level = debug
		[conn t]
		local = $2
		remote = $3
		local-ts = $4
		remote-ts = $5
		$common
		[conn t6]
		local = ${out6[$ns]}
		remote = ${out6[$o]}
		local-ts = ${in6[$ns]}
		remote-ts = ${in6[$o]}
		$common
	EOF
	chmod 600 "$ns.conf"
}

moat_load
tunnel_outer

log "a bad config is refused with file:line"
printf '[conn x]\nlocal = 192.0.2.1\nremote = nowhere\n' >bad.conf
chmod 600 bad.conf
refused 'bad.conf:3' nsx a "$MOATD" -c bad.conf -f

conf a 192.0.2.1 192.0.2.2 10.1.0.0/16,fd00:1::/64 10.2.0.0/16,fd00:2::/64
conf b 192.0.2.2 192.0.2.1 10.2.0.0/16,fd00:2::/64 10.1.0.0/16,fd00:1::/64
start a
start b

log "moatd made moat0, up, and keeps only CAP_NET_ADMIN"
for ns in a b; do
	ip -n $ns link show moat0 | grep -q '[<,]UP[,>]' || fail "$ns: moat0 not up"
	caps=$(awk '/^CapEff/ {print $2}' "/proc/${pid[$ns]}/status")
	[[ $caps == 0000000000001000 ]] || fail "$ns: moatd CapEff $caps"
done
ip -n a addr add 10.1.0.1/32 dev moat0
ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
ip -n b addr add 10.2.0.1/32 dev moat0
ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1

log "moat ike up"
nsx a moat ike up t || fail "ike up"
nsx a moat ike show
nsx b moat ike show
for ns in a b; do
	nsx $ns moat ike show | grep -q 'ike established' ||
		fail "$ns: ike show does not say established"
	[[ $(nsas $ns) == 2 ]] || fail "$ns: $(nsas $ns) SAs, not 2"
done
nsx a moat peer show dev moat0
nsx a moat peer show dev moat0 | grep -q '10.2.0.0/16' ||
	fail "a: peer without the narrowed selector 10.2.0.0/16"
nsx a moat peer show dev moat0 | grep -q 'fd00:2::/64' ||
	fail "a: peer without the narrowed selector fd00:2::/64"
# The SPIs moatd reports are the ones in the kernel.
spis=$(nsx a moat -j ike show | python3 -c '
import json, sys
c = json.load(sys.stdin)["conns"][0]
sa = c["ike_sa"]
assert sa["state"] == "established", sa
ch = sa["child_sas"][0]
assert ch["state"] == "installed", ch
print(ch["spi_in"], ch["spi_out"])') || fail "a: ike show -j"
for spi in $spis; do
	nsx a moat sa show dev moat0 | grep -qi "spi $spi" ||
		fail "a: SA $spi not in the kernel"
done

log "ping across the tunnel"
nsx a ping -c 3 -i 0.2 -W 2 10.2.0.1 >/dev/null || fail "ping a -> b"
nsx b ping -c 2 -i 0.2 -W 2 10.1.0.1 >/dev/null || fail "ping b -> a"
n=$(sa_stat b in rx_packets)
[[ $n -ge 3 ]] || fail "b's inbound SA counted $n packets"

log "conn t6: IPv6 outside, a second peer on the same moat0"
ip -n a addr add fd00:11::1/128 dev moat0 nodad
ip -n a route add fd00:12::/64 dev moat0 src fd00:11::1
ip -n b addr add fd00:12::1/128 dev moat0 nodad
ip -n b route add fd00:11::/64 dev moat0 src fd00:12::1
nsx a moat ike up t6 || fail "ike up t6"
nsx a ping -c 2 -i 0.2 -W 2 fd00:12::1 >/dev/null || fail "ping6 a -> b over t6"
[[ $(nsas a) == 4 ]] || fail "a: $(nsas a) SAs with t and t6 up, not 4"
nsx a moat ike down t6 || fail "ike down t6"
wait_for -t 5 test_nsas b 2 || fail "b: t6's SAs left after its Delete"
ping_ok a 10.2.0.1 || fail "t broken by t6's down"

log "the control socket refuses the unprivileged"
refused 'permission denied' nsx a setpriv --reuid 65534 --regid 65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all moat ike show

log "a second up is a no-op that succeeds"
nsx a moat ike up t || fail "second ike up"

log "moat ike down: a's Delete removes the SAs on both sides"
nsx a moat ike down t || fail "ike down"
[[ $(nsas a) == 0 ]] || fail "a: SAs left after ike down"
wait_for -t 5 no_sas b || fail "b: SAs left after a's Delete"
expect_fail nsx a ping -c 1 -W 1 10.2.0.1 >/dev/null

log "b killed: a's liveness check gives up and removes its SAs"
nsx a moat ike up t || fail "ike up again"
ping_ok a 10.2.0.1 || fail "ping after the second up"
stop b KILL
[[ $(nsas b) == 2 ]] || fail "b: SIGKILL should leave the SAs"
wait_for -t 20 no_sas a || fail "a: SAs kept for a dead peer"
grep -q 'liveness check' a.log || fail "a: no liveness check in the log"

log "the next moatd in b removes the leftovers of the killed one"
start b
[[ $(nsas b) == 0 ]] || fail "b: leftovers not removed on start"

log "SIGTERM removes what moatd installed, and tells the peer"
nsx a moat ike up t || fail "ike up after b's restart"
stop b
[[ $(nsas b) == 0 ]] || fail "b: SAs left after SIGTERM"
[[ -z $(nsx b moat peer show dev moat0) ]] || fail "b: peer left after SIGTERM"
wait_for -t 5 no_sas a || fail "a: SAs left after b's Delete"

log "SIGHUP: an unchanged conn keeps its SAs, a removed one loses them"
start b
nsx a moat ike up t || fail "ike up before SIGHUP"
kill -HUP "${pid[a]}"
wait_for grep -q 'reloaded' a.log || fail "a: no reload"
ping_ok a 10.2.0.1 || fail "a: ping after a reload"
[[ $(nsas a) == 2 ]] || fail "a: SAs lost by an unchanged reload"
cp a.conf a.keep
sed -i 's/^\[conn t\]/[conn t2]/' a.conf
kill -HUP "${pid[a]}"
wait_for -t 5 no_sas a || fail "a: SAs of a removed conn kept"
wait_for -t 5 no_sas b || fail "b: SAs kept after a's reload"
nsx a moat ike show | grep -q 'conn t2' || fail "a: new conn t2 not shown"
cp a.keep a.conf
kill -HUP "${pid[a]}"
wait_for -t 5 sh -c "ip netns exec a moat ike show | grep -q 'conn t '" ||
	fail "a: conn t not back after reload"
nsx a moat ike up t || fail "ike up after reloads"
nsx a moat ike down t

log "a wrong key fails with AUTHENTICATION_FAILED; no peer: timeout"
stop b
conf b 192.0.2.2 192.0.2.1 10.2.0.0/16,fd00:2::/64 10.1.0.0/16,fd00:1::/64 wrong
start b
refused 'AUTHENTICATION_FAILED' nsx a moat ike up t
stop b
refused 'timeout' nsx a moat ike up t
refused 'no conn' nsx a moat ike up nosuch
[[ $(nsas a) == 0 ]] || fail "a: SAs after failed ups"
stop a

log "NULL on one side (RFC 7619): a only encrypts, b proves itself with the psk"
moatd_conf a 'local-auth = null'
moatd_conf b 'remote-auth = null'
start a
start b
nsx a moat ike up t || fail "ike up with NULL on a's side"
ping_ok a 10.2.0.1 || fail "a: ping over the one-sided NULL tunnel"
[[ $(nsas b) == 2 ]] || fail "b: $(nsas b) SAs, not 2"
nsx a moat ike down t
stop b
moatd_conf b
start b
refused 'AUTHENTICATION_FAILED' nsx a moat ike up t
stop a
stop b
