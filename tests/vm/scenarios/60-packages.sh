#!/bin/bash
# Moat installed as the README says. From the tree: the README's make load
# loads the module on a fresh kernel (its dependencies first). From the
# packages that make deb built (tests/pkg runs it): they install with dpkg,
# DKMS installs moat.ko for the VM's kernel, modprobe moat loads it, both
# the tool and modinfo report the changelog's version, and the installed
# /usr/sbin/moatd, started as the installed unit starts it with the
# unit's capability bounding set, brings a tunnel up between two
# namespaces from /etc/moat/moatd.conf. dpkg --purge removes it all.
#
# TCG compiles the module too slowly (over 25 minutes on a loaded host), so
# moat-dkms's postinst loads the module DKMS built from the package on the
# host (tests/pkg: build/deb/moat-VERSION.dkms.tar.gz), the way DKMS
# loads prebuilt modules. tests/vm/pkg-dkms-in-vm.sh runs this scenario
# with DKMS_IN_VM=1: DKMS compiles in the VM.
#
# depmod, which DKMS runs on install and on removal, reads every module
# of the kernel: over 3000 of them take minutes under TCG. So the
# scenario runs in its own mount namespace, where /lib/modules/KVER holds
# only what moat needs (udp_tunnel, ip6_udp_tunnel, veth) with the
# kernel's modules.builtin files, build and source links. DKMS, depmod and
# modprobe do their real work on that tree; the kernel's own module
# requests (crypto, nft) still see the whole tree, outside the namespace.
# timeout: 600
set -euo pipefail
if [[ ${MOAT_SLIM_MODULES:-} != 1 ]]; then
	exec env MOAT_SLIM_MODULES=1 unshare --mount --propagation private \
		bash "$0" "$@"
fi
. "$MOAT_VM_LIB"
# shellcheck source=../moat-tunnel.sh
. "$MOAT_ROOT/tests/vm/moat-tunnel.sh"

readme=$MOAT_ROOT/README.md
ver=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$MOAT_ROOT/debian/changelog")
kver=$(uname -r)

# slim_modules: this namespace's /lib/modules/KVER, cut to what moat needs.
slim_modules() {
	local full=/lib/modules/$kver slim=$PWD/modules f
	mkdir "$slim"	# in the scenario's directory, which the harness removes
	cp -a "$full"/modules.builtin* "$full"/modules.order "$slim"/
	cp -a "$full"/build "$full"/source "$slim"/
	for f in kernel/net/ipv4/udp_tunnel.ko kernel/net/ipv6/ip6_udp_tunnel.ko \
		kernel/drivers/net/veth.ko; do
		mkdir -p "$slim/${f%/*}"
		cp -a "$full/$f" "$slim/$f"
	done
	mount --bind "$slim" "$full"
	depmod -a "$kver"
}
slim_modules

# readme_cmd PATTERN: the README's command line starting with PATTERN, in
# a sh block, its comment cut.
readme_cmd() {
	awk -v p="$1" '/^```sh/ { on = 1; next } /^```/ { on = 0 }
		on && index($0, p) == 1 { sub(/ +#.*/, ""); print; exit }' "$readme"
}

log "the README's make load, on a kernel without udp_tunnel loaded"
modprobe -r ip6_udp_tunnel udp_tunnel 2>/dev/null || true
[[ ! -d /sys/module/udp_tunnel ]] || log "(udp_tunnel stays loaded: in use)"
cmd=$(readme_cmd 'make load')
[[ $cmd == "make load" ]] || fail "README has no 'make load' line: $cmd"
(cd "$MOAT_ROOT" && $cmd) || fail "$cmd failed"
[[ $(cat /sys/module/moat/version) == "$ver" ]] || fail "make load: not moat $ver"
rmmod moat

log "dpkg -i make deb's packages"
cd "$MOAT_ROOT"
debs=("build/deb/moat-dkms_${ver}_all.deb" "build/deb/moat_${ver}_amd64.deb")
for p in "${debs[@]}"; do
	[[ -f $p ]] || fail "$p missing: run make deb (tests/check.sh pkg)"
done
if [[ ${DKMS_IN_VM:-0} != 1 ]]; then
	[[ -f build/deb/moat-$ver.dkms.tar.gz ]] ||
		fail "build/deb/moat-$ver.dkms.tar.gz missing: run tests/check.sh pkg"
	mkdir -p /usr/share/moat-dkms
	cp "build/deb/moat-$ver.dkms.tar.gz" /usr/share/moat-dkms/
fi
# man-db's trigger rebuilds its whole index: minutes under TCG.
rm -f /var/lib/man-db/auto-update
t0=$SECONDS
DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}" || fail "dpkg -i"
cd "$OLDPWD"
log "installed in $((SECONDS - t0))s"
dkms status moat | grep -q "moat/$ver, $kver, .*: installed" ||
	{ dkms status; fail "DKMS did not install moat for $kver"; }
[[ $(modinfo -F version moat) == "$ver" ]] || fail "modinfo moat: $(modinfo -F version moat)"
modinfo -n moat | grep -q '/updates/dkms/moat.ko' || fail "modprobe would load $(modinfo -n moat)"

log "the README's modprobe"
cmd=$(readme_cmd 'modprobe moat')
[[ $cmd == "modprobe moat" ]] || fail "README has no modprobe line"
$cmd
/usr/sbin/moat --version | grep -qx "module moat $ver" || fail "$(/usr/sbin/moat --version)"
[[ $(stat -c '%a %U' /etc/moat/moatd.conf) == "600 root" ]] || fail "moatd.conf not 0600 root"
[[ -L /etc/systemd/system/multi-user.target.wants/moatd.service ]] || fail "moatd.service not enabled"
MANPATH=/usr/share/man man -w moatd.conf >/dev/null || fail "no moatd.conf(5)"

# The unit's ExecStart and bounding set, run in a namespace by hand (no
# systemd in the VM).
unit=/lib/systemd/system/moatd.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "/usr/sbin/moatd -f -c /etc/moat/moatd.conf" ]] || fail "ExecStart=$exec_start"
bset=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
declare -A pid
start_in() {	# NS CMD...
	local ns=$1
	shift
	# ip and setpriv exec: $! is moatd.
	ip netns exec "$ns" setpriv --bounding-set=-all,"$bset" --no-new-privs \
		"$@" 2>>"$ns.log" &
	pid[$ns]=$!
	wait_for -t 20 ip netns exec "$ns" /usr/sbin/moat ike show ||
		{ cat "$ns.log"; fail "moatd in $ns did not start"; }
}

log "a tunnel between namespaces with the installed moatd"
tunnel_outer
conf() {	# LOCAL REMOTE LOCAL_TS REMOTE_TS
	cat <<-EOF
		[moatd]
		log-level = info
		[conn t]
		local = $1
		remote = $2
		local-ts = $3
		remote-ts = $4
		psk = "moat scenario 60 shared secret"
		retransmit-timeout = 500ms
	EOF
}
conf 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16 >/etc/moat/moatd.conf
conf 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16 >b.conf
chmod 600 b.conf
start_in a $exec_start
start_in b /usr/sbin/moatd -f -c "$PWD/b.conf"
ip -n a addr add 10.1.0.1/32 dev moat0
ip -n a route add 10.2.0.0/16 dev moat0 src 10.1.0.1
ip -n b addr add 10.2.0.1/32 dev moat0
ip -n b route add 10.1.0.0/16 dev moat0 src 10.2.0.1
nsx a /usr/sbin/moat ike up t || { cat a.log b.log; fail "ike up"; }
ping_ok a 10.2.0.1 || fail "no ping across the tunnel"
kill -TERM "${pid[a]}" "${pid[b]}"
wait "${pid[a]}" "${pid[b]}" || fail "moatd did not stop cleanly"

log "dpkg --purge removes it all"
for ns in a b; do ip -n $ns link del moat0 2>/dev/null || true; done
rmmod moat
DEBIAN_FRONTEND=noninteractive dpkg --purge moat moat-dkms || fail "dpkg --purge"
[[ ! -e /usr/sbin/moatd && ! -e /etc/moat/moatd.conf && ! -d /usr/src/moat-$ver ]] ||
	fail "files left after purge"
! modinfo moat >/dev/null 2>&1 || fail "moat.ko left: $(modinfo -n moat)"
log "done"
