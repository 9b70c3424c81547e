# shellcheck shell=bash
# Running moatd in scenarios: . "$MOAT_ROOT/tests/vm/moatd-lib.sh" after
# lib.sh. Each namespace NS runs at most one moatd, with NS.conf (written
# by the scenario) and its log in NS.log; dump_logs prints every log when
# the scenario fails (set as the EXIT trap here).

MOATD=$MOAT_ROOT/userspace/moatd/moatd
[[ -x $MOATD ]] || fail "moatd not built: $MOATD"
declare -A pid
log() { echo "== [${SECONDS}s] $*"; }

# start NS: moatd -f in NS, its log in NS.log; waits for its control socket.
start() {
	# Not through nsx (a function: $! would be a subshell); ip execs moatd.
	ip netns exec "$1" "$MOATD" -c "$1.conf" -f 2>>"$1.log" &
	pid[$1]=$!
	wait_for nsx "$1" moat ike show || { cat "$1.log"; fail "moatd in $1 did not start"; }
}

# stop NS [SIG]: signals moatd in NS and waits for it.
stop() {
	kill -"${2:-TERM}" "${pid[$1]}"
	wait "${pid[$1]}" || true
}

# nsas NS: how many SAs NS's moat0 has (text: python is slow under TCG).
nsas() { nsx "$1" moat sa show dev moat0 | grep -c '^sa spi' || true; }

# no_sas NS: NS's moat0 has no SA (for wait_for: evaluated on each try).
no_sas() { [[ $(nsas "$1") == 0 ]]; }
test_nsas() { [[ $(nsas "$1") == "$2" ]]; }

# On failure, moatd's logs.
dump_logs() {
	local rc=$? f
	if ((rc)); then
		for f in *.log; do
			[[ -e $f ]] && { echo "--- $f"; cat "$f"; }
		done
	fi 2>/dev/null
	return $rc
}
trap dump_logs EXIT
