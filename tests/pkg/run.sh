#!/bin/bash
# Packaging and documentation as tests: the man pages render without a
# warning and cover the grammar of `moat help` and every key moatd
# accepts; the bash completion completes objects, commands, keywords,
# devices and connections; make install-userspace installs a unit that
# systemd-analyze verifies; one version number; make deb builds both
# packages, lintian finds no error in them, and DKMS builds the module
# from moat-dkms (the VM scenario 60-packages installs them). Prints
# PASS/FAIL per test and "pkg: N passed, M failed". MOAT_PKG_DEB=0 skips
# make deb, lintian and DKMS.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
moat=$top/userspace/moat
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log

# check NAME CMD...: CMD passes, or its output (in $log) is shown.
check() {
	local name=$1
	shift
	if "$@" >"$log" 2>&1; then
		echo "PASS pkg/$name"; passed=$((passed + 1))
	else
		echo "FAIL pkg/$name"; sed 's/^/    /' "$log" | head -40
		failed=$((failed + 1))
	fi
}

# missing WORD...: prints the words absent from stdin's words; fails if any.
missing() {
	local text w bad=0
	text=$(cat)
	for w in "$@"; do
		grep -qwF -- "$w" <<<"$text" || { echo "missing: $w"; bad=1; }
	done
	return $bad
}

# The text of a man page source, escapes for fonts and hyphens removed.
man_text() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' "$1"; }

man_renders() {
	local f out
	for f in man/*.[0-9]; do
		out=$(groff -ww -z -man "$f" 2>&1)
		out+=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		[[ -z $out ]] || { echo "$f: $out"; return 1; }
	done
}

# The words of a usage block: description after two blanks cut, values
# and placeholders kept apart by their case.
help_words() { sed -E 's/([^ ])  +[a-z].*/\1/' | grep -oE '(^|[ {|[])[a-z][a-z0-9-]*' | tr -d ' {|[' ; }

moat8_covers_help() {
	local text objs obj cmds cmd bad=0 words
	text=$(man_text man/moat.8)
	objs=$("$moat" help | sed -n 's/.*OBJECT := {\(.*\)}.*/\1/p' | tr -d '|')
	[[ -n $objs ]] || { echo "no objects in moat help"; return 1; }
	for obj in $objs; do
		words=$("$moat" "$obj" help | grep -E "^(Usage:)? *moat |^ +[[a-z]" | help_words)
		missing $words <<<"$text" || bad=1
		cmds=$("$moat" "$obj" help | sed -n "s/.*moat $obj \([a-z][a-z0-9-]*\).*/\1/p")
		[[ $obj == monitor ]] && cmds=" "
		for cmd in $cmds; do
			grep -qF "moat $obj ${cmd% }" <<<"$text" ||
				{ echo "missing: moat $obj $cmd"; bad=1; }
		done
	done
	missing $("$moat" help | sed -n 's/.*OPTIONS := {\(.*\)}.*/\1/p' |
		tr -d '|[]') <<<"$text" || bad=1
	return $bad
}

# Every key moatd's parser knows (its key tables) and CONFIG.md lists.
conf_keys() {
	{
		sed -nE 's/^\s*\[K_[A-Z0-9_]+\] = \{ "([a-z0-9-]+)".*/\1/p' userspace/moatd/config*.c
		awk '/^## / { keys = /^## \[/ }
		     keys && match($0, /^\| `[a-z0-9-]+` \|/) {
			print substr($0, 4, RLENGTH - 6) }' userspace/moatd/CONFIG.md
	} | sort -u
}

# Each key is an item ".B[IR] "KEY = ..." with a default or "Required".
moatd_conf5_covers_keys() {
	local keys items k bad=0
	keys=$(conf_keys)
	[[ $(wc -l <<<"$keys") -ge 20 ]] || { echo "only found keys: $keys"; return 1; }
	items=$(man_text man/moatd.conf.5 | awk '
		/^\.(TP|SH)/ { if (key) print key, ok; key = ""; tp = /^\.TP/; next }
		tp && match($0, /^\.B[IR]? "[a-z0-9-]+ = /) {
			key = substr($0, RSTART, RLENGTH); sub(/^\.B[IR]? "/, "", key)
			sub(/ = $/, "", key); ok = "nodefault"; tp = 0; next }
		/Default:|Required/ { ok = "ok" }
		{ tp = 0 }
		END { if (key) print key, ok }')
	for k in $keys; do
		case $(awk -v k="$k" '$1 == k { print $2 }' <<<"$items") in
		ok) ;;
		nodefault) echo "moatd.conf(5): $k has no Default: or Required"; bad=1 ;;
		*) echo "moatd.conf(5): no item for key $k"; bad=1 ;;
		esac
	done
	return $bad
}

moatd8_covers_options() {
	local opts
	opts=$(userspace/moatd/moatd -h 2>&1 | grep -oE '^ +-[a-zA-Z]' | tr -d ' ')
	[[ -n $opts ]] || { echo "no options in moatd -h"; return 1; }
	man_text man/moatd.8 | missing $opts SIGHUP SIGTERM /etc/moat/moatd.conf
}

# Installs under $tmp/inst as PREFIX (so ExecStart names a real file).
install_tree() {
	local p=$tmp/inst
	make -s install-userspace PREFIX="$p/usr" SYSCONFDIR="$p/etc" \
		SYSTEMDUNITDIR="$p/lib/systemd/system" || return 1
	local f
	for f in usr/sbin/moat usr/sbin/moatd usr/share/man/man8/moat.8 \
		 usr/share/man/man8/moatd.8 usr/share/man/man5/moatd.conf.5 \
		 usr/share/bash-completion/completions/moat \
		 lib/systemd/system/moatd.service; do
		[[ -f $p/$f ]] || { echo "not installed: $f"; return 1; }
	done
	[[ $(stat -c %a "$p/etc/moat/moatd.conf") == 600 ]] ||
		{ echo "moatd.conf is not 0600"; return 1; }
	# moatd accepts the example: it goes on past loading it (and fails
	# later here, without the module).
	userspace/moatd/moatd -f -c "$p/etc/moat/moatd.conf" 2>&1 | tee "$tmp/ex"
	! grep -q 'moatd.conf:' "$tmp/ex"
}

unit_verifies() {
	local p=$tmp/inst unit=$tmp/inst/lib/systemd/system/moatd.service out
	grep -q "^ExecStart=$p/usr/sbin/moatd -f -c $p/etc/moat/moatd.conf$" "$unit" ||
		{ echo "ExecStart not substituted"; return 1; }
	# Documentation=man:... is checked too: the installed pages.
	out=$(MANPATH=$p/usr/share/man systemd-analyze verify "$unit" 2>&1) ||
		{ echo "$out"; return 1; }
	[[ -z $out ]] || { echo "$out"; return 1; }
	grep -E '^(Type|ExecStartPre|ExecReload|After|CapabilityBoundingSet|ProtectSystem|PrivateTmp|NoNewPrivileges)=' "$unit" >"$tmp/u"
	grep -qx 'Type=simple' "$tmp/u" && grep -qx 'After=network-online.target' "$tmp/u" &&
		grep -qx 'ExecStartPre=+/sbin/modprobe moat' "$tmp/u" &&
		grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$tmp/u" &&
		grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE' "$tmp/u" &&
		grep -qx 'ProtectSystem=strict' "$tmp/u" && grep -qx 'PrivateTmp=yes' "$tmp/u" &&
		grep -qx 'NoNewPrivileges=yes' "$tmp/u" || { cat "$tmp/u"; return 1; }
	# Hardening that slips shows in systemd's own score (0 best, 10 worst).
	systemd-analyze security --offline=true "$unit" 2>&1 | tail -n 1 | tee "$tmp/s"
	awk '/Overall exposure level/ { exit !($(NF - 2) + 0 <= 3.0) }' "$tmp/s"
}

# A moat that answers "-j ike show" as moatd would, and an ip that lists
# two moat devices; the rest goes to the real tool.
completion_stubs() {
	mkdir -p "$tmp/bin"
	cat >"$tmp/bin/moat" <<-EOF
		#!/bin/sh
		[ "\$*" = "-j ike show" ] && exec echo '{"conns":[{"name":"site-b","dev":"moat0","ike_sa":{"state":"established"}},{"name":"road.warrior_1","dev":"moat1"}]}'
		exec "$moat" "\$@"
	EOF
	cat >"$tmp/bin/ip" <<-'EOF'
		#!/bin/sh
		[ "$*" = "-o link show type moat" ] || exit 1
		echo '7: moat7: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue'
		echo '9: wan0@if3: <POINTOPOINT,NOARP> mtu 1420 qdisc noop'
	EOF
	chmod +x "$tmp/bin/moat" "$tmp/bin/ip"
}

# completes "WORDS..." EXPECTED...: the completions of the last word are
# exactly EXPECTED (sorted), or, with "has" first, include them.
completes() {
	local w
	read -ra w <<<"$1"
	[[ -z $1 || $1 == *" " ]] && w+=("")
	PATH=$tmp/bin:$PATH bash -c '
		. completion/moat.bash
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _moat
		printf "%s\n" "${COMPREPLY[@]}"' moat moat "${w[@]}" >"$tmp/c"
	shift
	if [[ $1 == has ]]; then
		shift
		missing "$@" <"$tmp/c"
	else
		diff <(printf '%s\n' "$@" | sort) <(sort "$tmp/c")
	fi
}

completion_works() {
	local bad=0
	completion_stubs
	t() { completes "$@" || { echo "for: moat $1"; bad=1; }; }
	t '' link peer sa monitor ike guard help
	t 'l' link
	t 'link ' help set show
	t '-j sa ' add del show flush help
	t 'link set dev ' moat7 wan0
	t 'ike up ' site-b road.warrior_1
	t 'ike down r' road.warrior_1
	t 'peer add dev moat7 encap ' none udp
	t 'sa add dev x dir ' in out
	t 'link set dev m mss-clamp auto ' pmtu-floor4 max-peers max-sas
	t 'sa add dev x ' has peer dir spi aead esn replay-window lifetime
	t 'monitor ' count
	t 'guard ' help set show
	t 'guard set mode ' auto off cookies puzzles
	return $bad
}

one_version() {
	local v
	v=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
	[[ -n $v ]] || { echo "no version in debian/changelog"; return 1; }
	"$moat" --version | head -n 1 | grep -q "^moat $v," ||
		{ "$moat" --version; echo "not $v"; return 1; }
	if [[ -f kmod/moat.ko ]]; then
		[[ $(modinfo -F version kmod/moat.ko) == "$v" ]] ||
			{ echo "kmod/moat.ko: version $(modinfo -F version kmod/moat.ko), not $v"; return 1; }
	fi
	grep -qx 'PACKAGE_VERSION="#MODULE_VERSION#"' dkms.conf || return 1
	# Nothing else spells it out (as a version: not inside an address).
	! git grep -nE "(^|[^0-9.])${v//./\\.}([^0-9.]|\$)" -- ':!debian/changelog'
}

debs_lint_clean() {
	local v d=build/deb
	v=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
	make -s deb || return 1
	dpkg-deb -c "$d/moat_${v}_"*.deb >"$tmp/moat.list" &&
		dpkg-deb -c "$d/moat-dkms_${v}_all.deb" >"$tmp/dkms.list" || return 1
	grep -q ' ./usr/sbin/moatd$' "$tmp/moat.list" &&
		grep -qE '^-rw------- root/root .* ./etc/moat/moatd.conf$' "$tmp/moat.list" &&
		grep -q ' ./lib/systemd/system/moatd.service$' "$tmp/moat.list" &&
		grep -q ' ./usr/share/man/man5/moatd.conf.5.gz$' "$tmp/moat.list" &&
		grep -q " ./usr/src/moat-$v/dkms.conf$" "$tmp/dkms.list" &&
		grep -q " ./usr/src/moat-$v/kmod/Kbuild$" "$tmp/dkms.list" ||
		{ cat "$tmp/moat.list" "$tmp/dkms.list"; return 1; }
	dpkg-deb -I "$d/moat_${v}_"*.deb conffiles | grep -qx /etc/moat/moatd.conf ||
		{ echo "moatd.conf is not a conffile"; return 1; }
	dpkg-deb --fsys-tarfile "$d/moat-dkms_${v}_all.deb" |
		tar -xO "./usr/src/moat-$v/dkms.conf" | grep -qx "PACKAGE_VERSION=\"$v\"" ||
		{ echo "dkms.conf without PACKAGE_VERSION=\"$v\""; return 1; }
	lintian --fail-on error --tag-display-limit 0 \
		"$d/moat_${v}_"*.deb "$d/moat-dkms_${v}_all.deb" 2>&1 |
		grep -v 'running with root privileges'
	[[ ${PIPESTATUS[0]} == 0 ]]
}

# DKMS builds the moat-dkms package's source for the VM's kernel, here,
# in a private tree (nothing under /var/lib/dkms; a throwaway signing
# key). Its binary tarball goes next to the packages: the VM scenario
# 60-packages puts it where moat-dkms's postinst loads prebuilt modules
# from, as TCG compiles the module too slowly (tests/vm/pkg-dkms-in-vm.sh
# lets DKMS build it in the VM instead).
dkms_builds() {
	local v kver d=$tmp/dkms ko
	v=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
	kver=$(tests/kver.sh)
	mkdir -p "$d/pkg" "$d/tree" "$d/key"
	dpkg-deb -x "build/deb/moat-dkms_${v}_all.deb" "$d/pkg" || return 1
	export mok_signing_key=$d/key/mok.key mok_certificate=$d/key/mok.pub
	local o=(--dkmstree "$d/tree" --sourcetree "$d/pkg/usr/src")
	dkms add -m moat -v "$v" "${o[@]}" &&
		dkms build -m moat -v "$v" -k "$kver" "${o[@]}" || return 1
	ko=$d/tree/moat/$v/$kver/x86_64/module/moat.ko
	[[ $(modinfo -F version "$ko"*) == "$v" ]] ||
		{ echo "$ko: version $(modinfo -F version "$ko"*), not $v"; return 1; }
	dkms mktarball -m moat -v "$v" -k "$kver" --binaries-only "${o[@]}" &&
		cp "$d/tree/moat/$v/tarball/"*.dkms.tar.gz "build/deb/moat-$v.dkms.tar.gz"
}

make -s -C userspace >/dev/null || { echo "FAIL pkg/build"; echo "pkg: 0 passed, 1 failed"; exit 1; }
check man-render man_renders
check moat8-covers-help moat8_covers_help
check moatd-conf5-covers-keys moatd_conf5_covers_keys
check moatd8-covers-options moatd8_covers_options
check install-userspace install_tree
check unit-verify unit_verifies
check completion completion_works
check one-version one_version
if [[ ${MOAT_PKG_DEB:-1} != 0 ]]; then
	check deb-lintian debs_lint_clean
	check dkms-build dkms_builds
fi
echo "pkg: $passed passed, $failed failed"
[ "$failed" = 0 ]
