# shellcheck shell=bash
# Helpers for the ESP scenarios (tests/vm/scenarios/2*.sh) and the
# benchmark: `. "$MOAT_ROOT/tests/vm/esp-lib.sh"` (it sources lib.sh).
#
# The topology is always the same: namespaces a and b over one veth pair.
#   outer: a 192.0.2.1 2001:db8::1      b 192.0.2.2 2001:db8::2
#   inner: a 10.1.0.1  fd00:1::1        b 10.2.0.1  fd00:2::1
# SPI 0x1001 carries a -> b, SPI 0x2001 b -> a.
# shellcheck source=lib.sh
. "${MOAT_VM_LIB:-$MOAT_ROOT/tests/vm/lib.sh}"

ESP_TOOLS=$MOAT_ROOT/tests/vm/tools
# The helpers need only the standard library: -S skips site, which saves
# a good part of python's start-up (seconds in the VM, on a busy host).
PY=(python3 -S)

A4=192.0.2.1 B4=192.0.2.2 A6=2001:db8::1 B6=2001:db8::2
IN_A4=10.1.0.1 IN_A6=fd00:1::1 IN_B4=10.2.0.1 IN_B6=fd00:2::1
TS_A4=10.1.0.0/16 TS_A6=fd00:1::/64 TS_B4=10.2.0.0/16 TS_B6=fd00:2::/64
SPI_AB=0x1001 SPI_BA=0x2001

# Keys as ip xfrm takes them: the key, then the 4-byte salt.
GCM_AB=0x000102030405060708090a0b0c0d0e0fa0a1a2a3
GCM_BA=0x1f1e1d1c1b1a19181716151413121110b0b1b2b3
CHACHA_AB=0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3fc0c1c2c3
CHACHA_BA=0x5f5e5d5c5b5a595857565554535251504f4e4d4c4b4a49484746454443424140d0d1d2d3

# Extra words for the SAs moat_tunnel adds (arrays; empty by default).
SA_OUT_OPTS=()
SA_IN_OPTS=()

# alg_name gcm|chacha: the kernel's name of the AEAD.
alg_name() {
	case $1 in
	gcm) echo 'rfc4106(gcm(aes))' ;;
	chacha) echo 'rfc7539esp(chacha20,poly1305)' ;;
	*) fail "unknown AEAD $1" ;;
	esac
}

# alg_key gcm|chacha ab|ba: the key of one direction.
alg_key() {
	case $1/$2 in
	gcm/ab) echo $GCM_AB ;;
	gcm/ba) echo $GCM_BA ;;
	chacha/ab) echo $CHACHA_AB ;;
	chacha/ba) echo $CHACHA_BA ;;
	*) fail "no key for $1/$2" ;;
	esac
}

# outer_of a|b 4|6: the outer address of a side.
outer_of() {
	case $1$2 in
	a4) echo $A4 ;; a6) echo $A6 ;; b4) echo $B4 ;; b6) echo $B6 ;;
	esac
}

# esp_topology: namespaces a and b, one veth pair, both outer families.
esp_topology() {
	netns_pair a b $A4/24 $B4/24
	ip -n a addr add $A6/64 dev veth-b nodad
	ip -n b addr add $B6/64 dev veth-a nodad
}

# moat_end NS L4 L6 REMOTE ENCAP TS4 TS6: a fresh moat0 in NS with inner
# addresses L4 and L6, routes to TS4 and TS6 through it, and a peer at
# REMOTE (ENCAP raw or udp) that owns TS4 and TS6.
moat_end() {
	local ns=$1 l4=$2 l6=$3 remote=$4 encap=$5 ts4=$6 ts6=$7 e=()
	[[ $encap == udp ]] && e=(encap udp)
	ip -n "$ns" link del moat0 2>/dev/null || true
	ip -n "$ns" link add moat0 type moat
	ip -n "$ns" link set moat0 up
	ip -n "$ns" addr add "$l4/32" dev moat0
	ip -n "$ns" addr add "$l6/128" dev moat0 nodad
	ip -n "$ns" route add "$ts4" dev moat0 src "$l4"
	ip -n "$ns" route add "$ts6" dev moat0 src "$l6"
	nsx "$ns" moat peer add dev moat0 remote "$remote" "${e[@]}" \
		ts "$ts4,$ts6"
}

# moat_sa NS REMOTE DIR SPI ALG ab|ba: one SA, with SA_OUT_OPTS or
# SA_IN_OPTS added.
moat_sa() {
	local ns=$1 remote=$2 dir=$3 spi=$4 alg=$5 keydir=$6 opts
	if [[ $dir == out ]]; then opts=("${SA_OUT_OPTS[@]}"); else
		opts=("${SA_IN_OPTS[@]}"); fi
	nsx "$ns" moat sa add dev moat0 peer "$remote" dir "$dir" spi "$spi" \
		aead "$(alg_name "$alg")" "$(alg_key "$alg" "$keydir")" 128 \
		"${opts[@]}"
}

# moat_side_a OUTER ENCAP ALG: a's end of a tunnel to b (moat).
moat_side_a() {
	local rb
	rb=$(outer_of b "$1")
	moat_end a $IN_A4 $IN_A6 "$rb" "$2" $TS_B4 $TS_B6
	moat_sa a "$rb" out $SPI_AB "$3" ab
	moat_sa a "$rb" in $SPI_BA "$3" ba
}

# moat_side_b OUTER ENCAP ALG: b's end of a tunnel to a (moat).
moat_side_b() {
	local ra
	ra=$(outer_of a "$1")
	moat_end b $IN_B4 $IN_B6 "$ra" "$2" $TS_A4 $TS_A6
	moat_sa b "$ra" in $SPI_AB "$3" ab
	moat_sa b "$ra" out $SPI_BA "$3" ba
}

# moat_tunnel OUTER ENCAP ALG: moat on both sides (OUTER 4|6, ENCAP
# raw|udp, ALG gcm|chacha).
moat_tunnel() {
	moat_side_a "$@"
	moat_side_b "$@"
}

# xfrm_side SIDE OUTER ENCAP ALG [STATE-OPTS...]: SIDE's (a or b) end of
# a tunnel to the other side, in Linux XFRM: one state per direction
# (af-unspec: v4 and v6 inside), policies for both inner families, the
# inner addresses on lo.  ESP in UDP needs the UDP_ENCAP socket that
# xfrm_udp_socket starts.  STATE-OPTS go on both states; XFRM_IN_OPTS and
# XFRM_OUT_OPTS (arrays) on one each.
XFRM_IN_OPTS=()
XFRM_OUT_OPTS=()
xfrm_side() {
	local side=$1 outer=$2 encap=$3 alg=$4 peer la ra e=() pair
	local l4 l6 own4 own6 far4 far6 spi_out spi_in kout kin
	shift 4
	if [[ $side == a ]]; then
		peer=b l4=$IN_A4 l6=$IN_A6 own4=$TS_A4 own6=$TS_A6
		far4=$TS_B4 far6=$TS_B6 spi_out=$SPI_AB spi_in=$SPI_BA kout=ab kin=ba
	else
		peer=a l4=$IN_B4 l6=$IN_B6 own4=$TS_B4 own6=$TS_B6
		far4=$TS_A4 far6=$TS_A6 spi_out=$SPI_BA spi_in=$SPI_AB kout=ba kin=ab
	fi
	la=$(outer_of "$side" "$outer") ra=$(outer_of $peer "$outer")
	[[ $encap == udp ]] && e=(encap espinudp 4500 4500 0.0.0.0)
	modprobe -a esp4 esp6 xfrm_user
	ip -n "$side" xfrm state flush
	ip -n "$side" xfrm policy flush
	ip -n "$side" addr replace "$l4/32" dev lo
	ip -n "$side" addr replace "$l6/128" dev lo nodad
	ip -n "$side" route replace "$far4" dev veth-$peer src "$l4"
	ip -n "$side" route replace "$far6" dev veth-$peer src "$l6"
	ip -n "$side" xfrm state add src "$la" dst "$ra" proto esp \
		spi "$spi_out" mode tunnel aead "$(alg_name "$alg")" \
		"$(alg_key "$alg" $kout)" 128 "${e[@]}" flag af-unspec "$@" \
		"${XFRM_OUT_OPTS[@]}"
	ip -n "$side" xfrm state add src "$ra" dst "$la" proto esp \
		spi "$spi_in" mode tunnel aead "$(alg_name "$alg")" \
		"$(alg_key "$alg" $kin)" 128 "${e[@]}" flag af-unspec "$@" \
		"${XFRM_IN_OPTS[@]}"
	for pair in "$own4 $far4" "$own6 $far6"; do
		set -- $pair
		ip -n "$side" xfrm policy add src "$1" dst "$2" dir out \
			tmpl src "$la" dst "$ra" proto esp mode tunnel
		ip -n "$side" xfrm policy add src "$2" dst "$1" dir in \
			tmpl src "$ra" dst "$la" proto esp mode tunnel
	done
}

# xfrm_side_b OUTER ENCAP ALG [STATE-OPTS...]: b's end in XFRM.
xfrm_side_b() {
	xfrm_side b "$@"
}

# xfrm_udp_socket NS: the UDP 4500 socket with UDP_ENCAP_ESPINUDP that an
# IKE daemon would hold, so XFRM in NS gets ESP in UDP.  Runs until the
# scenario ends (the harness kills it).
xfrm_udp_socket() {
	local out=udp-encap-$1.out
	nsx "$1" python3 "$ESP_TOOLS/udp-encap.py" >"$out" 2>&1 &
	wait_for grep -q ready "$out" || fail "UDP_ENCAP socket in $1: $(cat "$out")"
}

# snap NAME [--until NS:KEY>=N]... NS...: fill the associative array NAME
# (declare -A it first) with the counters of each NS, keyed NS:KEY (see
# tools/counters.py); with --until, once the conditions hold (10 s at
# most: the assertions that follow say what is missing).
snap() {
	local -n _into=$1
	local k v out
	shift
	_into=()
	# Read as a whole, not from a pipe: bash reads a pipe a byte at a
	# time, and its ~2000 lines then cost seconds under TCG.
	out=$("${PY[@]}" "$ESP_TOOLS/counters.py" "$@") || true
	while IFS='=' read -r k v; do
		_into[$k]=$v
	done <<<"$out"
}

# show_snap NAME: the moat and xfrm counters in NAME that are not 0.
show_snap() {
	local -n _from=$1
	local k
	for k in "${!_from[@]}"; do
		if [[ ${_from[$k]} != 0 && $k != *:snmp.* ]]; then
			echo "  $k=${_from[$k]}"
		fi
	done | sort
}

# await NS:KEY N [SECS]: wait (default 10 s) until the counter is N or
# more; fails (status 1, with a message) if it never gets there.
await() {
	"${PY[@]}" "$ESP_TOOLS/counters.py" --until "$1>=$2" \
		--timeout "${3:-10}" "${1%%:*}" >/dev/null
}

# delta KEY: after[KEY] - before[KEY] (arrays named before and after;
# a missing key counts as 0).
delta() {
	echo $((${after[$1]:-0} - ${before[$1]:-0}))
}

# expect_delta KEY N: the counter KEY moved by exactly N.
expect_delta() {
	local d
	d=$(delta "$1")
	[[ $d == "$2" ]] || fail "$1 moved by $d, expected $2"
}

# iperf_mbps NS SERVER [IPERF-ARGS...]: Mbit/s received in an iperf3 TCP
# test from NS to SERVER (a server must run there).  Parsed from the text
# output: a python start costs more than the parsing is worth.
iperf_mbps() {
	local ns=$1 srv=$2 out line
	shift 2
	out=$(nsx "$ns" iperf3 -c "$srv" -f m "$@" 2>&1) || {
		echo "iperf3 -c $srv $*: $(tail -n 3 <<<"$out")" >&2
		return 1
	}
	line=$(grep -E ' receiver$' <<<"$out" | tail -n 1)
	[[ $line =~ ([0-9.]+)\ Mbits/sec ]] || {
		echo "iperf3 -c $srv $*: no receiver line: $(tail -n 3 <<<"$out")" >&2
		return 1
	}
	echo "${BASH_REMATCH[1]}"
}

# pings NS ADDR N [INTERVAL]: N pings (0.2 s apart) from NS to ADDR, all
# answered.
pings() {
	local out
	out=$(nsx "$1" ping -q -c "$3" -i "${4:-0.2}" -W 2 "$2" 2>&1)
	grep -q " $3 received" <<<"$out" || {
		echo "ping $2 from $1: $(grep received <<<"$out")" >&2
		return 1
	}
}
