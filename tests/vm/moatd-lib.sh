# shellcheck shell=bash
# moatd between namespaces a and b, for scenarios: . "$MOAT_ROOT/tests/vm/moatd-lib.sh"
# after lib.sh and moat-tunnel.sh (tunnel_outer makes the namespaces).
#
# moatd_conf NS [LINE...]: NS.conf (mode 0600) with conn t between the
#   outer addresses 192.0.2.1 <-> 192.0.2.2, inner 10.1.0.0/16 (a) and
#   10.2.0.0/16 (b), a psk, short retransmissions (unless a LINE sets
#   them), and the extra LINEs.
# moatd_start NS: moatd -f in NS, its log in NS.log; waits for its socket.
# moatd_stop NS [SIG]: signals moatd in NS (TERM) and waits for it.
# moatd_inner: addresses and routes of the inner prefixes on moat0 (after
#   moatd made it).
# moatd_nsas NS [in|out]: how many SAs NS's moat0 has (of one direction).
# moatd_dump_logs: an EXIT trap that prints the logs' tails when the
#   scenario failed (the harness shows the last 300 lines of the output).

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
declare -A moatd_pid

moatd_conf() {
	local ns=$1 l r lts rts
	shift
	if [[ $ns == a ]]; then
		l=192.0.2.1 r=192.0.2.2 lts=10.1.0.0/16 rts=10.2.0.0/16
	else
		l=192.0.2.2 r=192.0.2.1 lts=10.2.0.0/16 rts=10.1.0.0/16
	fi
	{
		printf '[moatd]\nlog-level = debug\n[conn t]\n'
		printf 'local = %s\nremote = %s\n' $l $r
		printf 'local-ts = %s\nremote-ts = %s\n' $lts $rts
		printf 'auth = psk\npsk = "moatd scenario shared secret"\n'
		[[ " $* " == *" retransmit-timeout "* ]] ||
			printf 'retransmit-timeout = 500ms\n'
		[[ " $* " == *" retransmit-tries "* ]] ||
			printf 'retransmit-tries = 3\n'
		printf '%s\n' "$@"
	} >"$ns.conf"
	chmod 600 "$ns.conf"
}

moatd_start() {
	# Not through nsx (a function: $! would be a subshell); ip execs moatd.
	ip netns exec "$1" "$MOATD" -c "$1.conf" -f 2>>"$1.log" &
	moatd_pid[$1]=$!
	wait_for -t 30 nsx "$1" moat ike show ||
		{ cat "$1.log"; fail "moatd in $1 did not start"; }
}

moatd_stop() {
	kill -"${2:-TERM}" "${moatd_pid[$1]}"
	wait "${moatd_pid[$1]}" || true
}

moatd_inner() {
	ip -n a addr add 10.1.0.1/32 dev moat0
	ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
	ip -n b addr add 10.2.0.1/32 dev moat0
	ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1
}

moatd_nsas() {
	nsx "$1" moat sa show dev moat0 | grep -c "^sa spi.*dir ${2:-}" || true
}

moatd_dump_logs() {
	local rc=$? ns
	if ((rc)); then
		for ns in a b; do
			[[ -f $ns.log ]] &&
				{ echo "--- $ns.log (tail)"; tail -n 60 "$ns.log"; }
		done
	fi 2>/dev/null
	return $rc
}
