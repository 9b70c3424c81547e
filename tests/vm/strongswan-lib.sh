# shellcheck shell=bash
# strongSwan (Debian's charon + swanctl) as a test peer, for scenarios:
# . "$MOAT_ROOT/tests/vm/strongswan-lib.sh" after lib.sh.
#
# charon runs in a network namespace and in its own mount namespace with a
# tmpfs on /run (its pid file is fixed there), reads $PWD/NS.strongswan.conf
# (STRONGSWAN_CONF) and listens for swanctl on $PWD/NS.vici, so nothing of
# the host's /etc/strongswan* or /run is used or left behind. XFRM does ESP.

SS_CHARON=/usr/lib/ipsec/charon
declare -A ss_pid

# ss_have: strongSwan is installed (make deps installs it).
ss_have() { [[ -x $SS_CHARON ]] && command -v swanctl >/dev/null; }

# ss_conf NS [EXTRA]: NS.strongswan.conf; EXTRA goes inside charon { }.
ss_conf() {
	cat >"$1.strongswan.conf" <<-EOF
		charon {
			load_modular = yes
			install_routes = no
			retransmit_timeout = 1.0
			retransmit_tries = 3
			plugins {
				include /etc/strongswan.d/charon/*.conf
				# It would read the host's /etc/ipsec.secrets.
				stroke {
					load = no
				}
				vici {
					socket = unix://$PWD/$1.vici
				}
			}
			filelog {
				ss {
					path = $PWD/$1.charon.log
					default = 1
					ike = 2
					enc = 1
					time_format = %T
					flush_line = yes
				}
			}
			$2
		}
		# swanctl needs none of charon's crypto: loading it all costs
		# about 0.3 s per call, far more under TCG.
		swanctl {
			load = random
		}
	EOF
}

# xfrm_warm NS: instantiate the kernel's AEADs once with throwaway XFRM
# states. The first use of each loads and self-tests its crypto modules:
# seconds under TCG, and charon's first Child SA would wait that long
# inside IKE_AUTH.
xfrm_warm() {
	local alg spi=0x100 k16=0x000102030405060708090a0b0c0d0e0f
	for alg in "rfc4106(gcm(aes)) ${k16}10111213" \
		"rfc4106(gcm(aes)) ${k16}${k16:2}10111213" \
		"rfc7539esp(chacha20,poly1305) ${k16}${k16:2}10111213"; do
		ip -n "$1" xfrm state add src 192.0.2.250 dst 192.0.2.251 \
			proto esp spi $((spi++)) mode tunnel \
			aead "${alg% *}" "${alg#* }" 128
	done
	ip -n "$1" xfrm state flush
}

# ss_start NS [EXTRA]: charon in NS (see ss_conf); waits for its socket.
ss_start() {
	ss_conf "$1" "${2:-}"
	# ip execs unshare execs sh execs charon: $! is charon.
	# shellcheck disable=SC2016 # $0 is for the inner sh
	STRONGSWAN_CONF=$PWD/$1.strongswan.conf ip netns exec "$1" \
		unshare -m sh -c 'mount -t tmpfs none /run && exec "$0"' \
		"$SS_CHARON" >>"$1.charon.out" 2>&1 &
	ss_pid[$1]=$!
	wait_for -t 60 ss "$1" --stats ||
		{ cat "$1.charon.out"; fail "charon in $1 did not start"; }
}

# ss NS ARGS...: swanctl ARGS against NS's charon; its complaints about
# plugins and credential directories it does not need go to NS.swanctl.err.
ss() {
	local ns=$1
	shift
	STRONGSWAN_CONF=$PWD/$ns.strongswan.conf \
		swanctl "$@" --uri "unix://$PWD/$ns.vici" 2>>"$ns.swanctl.err"
}

# ss_load NS FILE: FILE becomes NS's whole swanctl configuration (conns
# and secrets not in it are unloaded).
ss_load() {
	ss "$1" --load-all --file "$PWD/$2" >"$1.swanctl.out" ||
		{ cat "$1.swanctl.out"; fail "swanctl --load-all $2 refused"; }
}

# ss_stop NS: SIGTERM to NS's charon, waits; its XFRM states and
# policies must be gone.
ss_stop() {
	[[ -n ${ss_pid[$1]:-} ]] || return 0
	kill -TERM "${ss_pid[$1]}" 2>/dev/null || true
	wait "${ss_pid[$1]}" || true
	unset "ss_pid[$1]"
	[[ -z $(ip -n "$1" xfrm state) ]] || fail "$1: XFRM states left by charon"
	[[ -z $(ip -n "$1" xfrm policy) ]] || fail "$1: XFRM policies left by charon"
}

# ss_sas NS: NS's established IKE SAs (0 when none).
ss_sas() { ss "$1" --list-sas --raw 2>/dev/null | grep -c 'state=ESTABLISHED' || true; }

# xfrm_packets NS: the packets counted by NS's XFRM states, summed.
xfrm_packets() {
	ip -n "$1" -s xfrm state | awk '
		/^[ \t]*lifetime current:/ { cur = 1; next }
		cur && /\(packets\)/ { split($2, p, "("); n += p[1]; cur = 0 }
		END { print n + 0 }'
}

# moatd in a against one charon in b: the scenario sets MOATD and PSK.
moatd_pid=

# m_conf [KEY=VALUE...]: a.conf, conn s from 192.0.2.1 to 192.0.2.2; each
# argument is one more line of the conn (later keys override nothing:
# moatd refuses a key given twice, so defaults are only set when absent).
m_conf() {
	local extra=("$@") lts=10.1.0.0/16 rts=10.2.0.0/16 line
	for line in "${extra[@]}"; do
		case $line in
		local-ts*) lts= ;;
		remote-ts*) rts= ;;
		esac
	done
	{
		printf '[moatd]\nlog-level = debug\n[conn s]\n'
		printf 'local = 192.0.2.1\nremote = 192.0.2.2\n'
		printf 'psk = "%s"\nretransmit-timeout = 2s\nretransmit-tries = 4\n' "$PSK"
		[[ -n $lts ]] && printf 'local-ts = %s\n' "$lts"
		[[ -n $rts ]] && printf 'remote-ts = %s\n' "$rts"
		printf '%s\n' "${extra[@]}"
	} >a.conf
	chmod 600 a.conf
}

# s_conf IKE ESP [CONN_EXTRA [SECRETS_EXTRA [LOCAL_TS REMOTE_TS]]]:
# b.swanctl.conf, conn m from 192.0.2.2 to 192.0.2.1.
s_conf() {
	cat >b.swanctl.conf <<-EOF
		connections {
			m {
				version = 2
				local_addrs = 192.0.2.2
				remote_addrs = 192.0.2.1
				proposals = $1
				rekey_time = 0
				dpd_delay = 0
				${3:-}
				local {
					auth = psk
					id = ${SS_ID_B:-192.0.2.2}
				}
				remote {
					auth = psk
					id = ${SS_ID_A:-192.0.2.1}
				}
				children {
					m {
						local_ts = ${5:-10.2.0.0/16}
						remote_ts = ${6:-10.1.0.0/16}
						esp_proposals = $2
						rekey_time = 0
						start_action = none
					}
				}
			}
		}
		secrets {
			ike-m {
				id-a = ${SS_ID_A:-192.0.2.1}
				id-b = ${SS_ID_B:-192.0.2.2}
				secret = "$PSK"
			}
			${4:-}
		}
	EOF
	ss_load b b.swanctl.conf
}

# m_start: a fresh moatd in a on a.conf, with 10.1.0.1 on moat0.
m_start() {
	m_stop
	ip netns exec a "$MOATD" -c a.conf -f 2>>a.log &
	moatd_pid=$!
	wait_for nsx a moat ike show || fail "moatd did not start"
	ip -n a addr replace 10.1.0.1/32 dev moat0
	ip -n a route replace 10.2.0.0/16 dev moat0 src 10.1.0.1
}

m_stop() {
	[[ -n $moatd_pid ]] || return 0
	kill -TERM "$moatd_pid"
	wait "$moatd_pid" || true
	moatd_pid=
}

# nsas: how many SAs a's moat0 has.
nsas() { nsx a moat sa show dev moat0 | grep -c '^sa spi' || true; }
no_sas() { [[ $(nsas) == 0 ]]; }
no_xfrm() { [[ -z $(ip -n b xfrm state) ]]; }
both_up() { [[ $(nsas) == 2 && $(ss_sas b) == 1 ]]; }

# ss_topology: namespaces a (192.0.2.1, moatd) and b (192.0.2.2, charon),
# b's inner address 10.2.0.1 routed toward a's 10.1.0.0/16.
ss_topology() {
	netns_pair a b 192.0.2.1/24 192.0.2.2/24
	ip -n b addr add 10.2.0.1/32 dev lo
	ip -n b route add 10.1.0.0/16 dev veth-a src 10.2.0.1
}

# ss_dump_logs: an EXIT trap; prints both daemons' logs when the scenario
# failed, then stops moatd and charon.
ss_dump_logs() {
	local rc=$?
	if ((rc)); then
		echo "--- a.log"; tail -n 60 a.log
		echo "--- b.charon.log"; tail -n 80 b.charon.log
	fi 2>/dev/null
	m_stop
	ss_stop b
	return $rc
}
