#!/bin/bash
# IKE fragmentation (RFC 7383) between two moatd: the link between a and b
# has an MTU of 600 and drops IP fragments (as a path that loses them
# does), and each side has 12 traffic selectors and a long identity, so
# IKE_AUTH does not fit in one datagram. With fragmentation off the
# tunnel cannot come up; with it on (the default), both IKE_AUTH messages
# travel as Encrypted Fragment payloads (counted on the wire by tcpdump),
# the tunnel comes up and carries traffic both ways.
# timeout: 240
set -euo pipefail
. "$MOAT_VM_LIB"

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
log() { echo "== [${SECONDS}s] $*"; }
declare -A pid other=([a]=b [b]=a)
long=$(printf 'x%.0s' {1..150})

# ts12 PREFIX: 12 host prefixes PREFIX0/32 .. PREFIX11/32 (a config
# line holds at most 198 characters).
ts12() {
	local i out=
	for i in {0..11}; do out+=${out:+,}$1$i/32; done
	echo "$out"
}

# conf NS LOCAL REMOTE LTS RTS [EXTRA]: NS.conf with conn f.
conf() {
	cat >"$1.conf" <<-EOF
		[moatd]
		log-level = debug
		[conn f]
		local = $2
		remote = $3
		local-id = @$1.$long.example
		remote-id = @${other[$1]}.$long.example
		psk = "moat scenario 55 fragments"
		local-ts = $4
		remote-ts = $5
		retransmit-timeout = 1s
		retransmit-tries = 2
		${6:-}
	EOF
	chmod 600 "$1.conf"
}

start() {
	ip netns exec "$1" "$MOATD" -c "$1.conf" -f 2>>"$1.log" &
	pid[$1]=$!
	wait_for nsx "$1" moat ike show || fail "moatd in $1 did not start"
}

stop() {
	kill -TERM "${pid[$1]}"
	wait "${pid[$1]}" || true
}

# both EXTRA: both moatd (re)started with EXTRA in their conn.
both() {
	conf a 192.0.2.1 192.0.2.2 "$(ts12 10.1.0.)" "$(ts12 10.2.0.)" "$1"
	conf b 192.0.2.2 192.0.2.1 "$(ts12 10.2.0.)" "$(ts12 10.1.0.)" "$1"
	start a
	start b
}

# skf_count: IKE messages seen on b's link whose first payload is SKF
# (53), on port 500 or after the non-ESP marker on 4500.
skf_count() {
	tcpdump -r cap.pcap -nn \
		'(udp port 500 and udp[24] = 53) or (udp port 4500 and udp[28] = 53)' \
		2>/dev/null | wc -l
}

dump_logs() {
	local rc=$?
	if ((rc)); then
		echo "--- a.log"; tail -n 40 a.log
		echo "--- b.log"; tail -n 40 b.log
	fi 2>/dev/null
	return $rc
}
trap dump_logs EXIT

moat_load
netns_pair a b 192.0.2.1/24 192.0.2.2/24
for ns in a b; do
	ip -n $ns link set "veth-${other[$ns]}" mtu 600
	# Before defragmentation: a fragment never reaches a socket.
	nsx $ns nft -f - <<-'EOF'
		table ip nofrag {
			chain pre {
				type filter hook prerouting priority -500;
				ip frag-off & 0x3fff != 0 counter drop
			}
		}
	EOF
done

log "fragmentation off: IKE_AUTH is lost in IP fragments"
both 'fragmentation = no'
refused 'timeout' nsx a moat ike up f
nsx b nft list ruleset | grep -q 'counter packets [1-9]' ||
	fail "no IP fragment was dropped: the test does not test"
stop a
stop b

log "fragmentation on: IKE_AUTH goes as IKE fragments"
nsx b tcpdump -i veth-a -U -w cap.pcap udp 2>/dev/null &
tcpdump_pid=$!
both ''
sleep 1	# tcpdump's start
nsx a moat ike up f || fail "ike up with IKE fragmentation"
for ns in a b; do
	nsx $ns moat ike show | grep -q 'ike established' ||
		fail "$ns: not established"
done
ip -n a addr add 10.1.0.1/32 dev moat0
ip -n a route add 10.2.0.0/24 dev moat0 src 10.1.0.1
ip -n b addr add 10.2.0.1/32 dev moat0
ip -n b route add 10.1.0.0/24 dev moat0 src 10.2.0.1
ping_ok a 10.2.0.1 || fail "ping a -> b"
ping_ok b 10.1.0.1 || fail "ping b -> a"
kill "$tcpdump_pid"
wait "$tcpdump_pid" || true
n=$(skf_count)
log "$n IKE fragments on the wire"
tcpdump -r cap.pcap -nn udp 2>/dev/null | head -n 20
((n >= 4)) || fail "$n IKE fragments: IKE_AUTH was not fragmented both ways"
stop a
stop b
