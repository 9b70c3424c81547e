# shellcheck shell=bash
# Running moatd in scenarios: . "$MOAT_ROOT/tests/vm/moatd-lib.sh" after
# lib.sh. Each namespace NS runs at most one moatd, with NS.conf (written
# by the scenario) and its log in NS.log; dump_logs prints every log when
# the scenario fails (set as the EXIT trap here).

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
declare -A pid
log() { echo "== [${SECONDS}s] $*"; }

# moatd_conf NS [LINE...]: NS.conf (mode 0600) with conn t between the
#   outer addresses of tunnel_outer (moat-tunnel.sh), 192.0.2.1 (a) <->
#   192.0.2.2 (b), inner 10.1.0.0/16 (a) and 10.2.0.0/16 (b), a psk, short
#   retransmissions (unless a LINE sets them), and the extra LINEs.
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

# moatd_inner: addresses and routes of the inner prefixes on moat0 (after
# moatd made it).
moatd_inner() {
	ip -n a addr add 10.1.0.1/32 dev moat0
	ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
	ip -n b addr add 10.2.0.1/32 dev moat0
	ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1
}

# start NS: moatd -f in NS, its log in NS.log; waits for its control socket.
start() {
	# Not through nsx (a function: $! would be a subshell); ip execs moatd.
	ip netns exec "$1" "$MOATD" -c "$1.conf" -f 2>>"$1.log" &
	pid[$1]=$!
	wait_for -t 30 nsx "$1" moat ike show || { cat "$1.log"; fail "moatd in $1 did not start"; }
}

# stop NS [SIG]: signals moatd in NS and waits for it.
stop() {
	kill -"${2:-TERM}" "${pid[$1]}"
	wait "${pid[$1]}" || true
}

# nsas NS [in|out]: how many SAs (of one direction) NS's moat0 has (text:
# python is slow under TCG).
nsas() { nsx "$1" moat sa show dev moat0 | grep -c "^sa spi.*dir ${2:-}" || true; }

# no_sas NS: NS's moat0 has no SA (for wait_for: evaluated on each try).
no_sas() { [[ $(nsas "$1") == 0 ]]; }
test_nsas() { [[ $(nsas "$1") == "$2" ]]; }

# On failure, moatd's logs.
dump_logs() {
	local rc=$? f
	if ((rc)); then
		for f in *.log; do
			[[ -e $f ]] &&
				{ echo "--- $f (tail)"; tail -n 60 "$f"; }
		done
	fi 2>/dev/null
	return $rc
}
trap dump_logs EXIT
