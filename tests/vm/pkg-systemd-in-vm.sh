#!/bin/bash
# moatd.service as installed by the moat package, started by a real
# systemd: tests/vm/run.sh tests/vm/pkg-systemd-in-vm.sh (after make deb).
# The VM's init is not systemd, so systemd boots in a container
# (systemd-nspawn, package systemd-container) over the VM's root, in
# network namespace a, with the module already loaded. The unit's
# hardening (bounding set, ProtectSystem, SystemCallFilter, ...) applies
# as on a real host: moatd must start, hand its sockets to the module's
# guard, reload on systemctl reload and stop cleanly.
#
# The unit's ExecStartPre (modprobe moat) needs moat.ko installed under
# /lib/modules, which only DKMS does (scenarios/60-packages, minutes of
# depmod under TCG): a drop-in empties it here. Not in make check.
# timeout: 600
set -euo pipefail
# shellcheck source=lib.sh
. "$MOAT_VM_LIB"
command -v systemd-nspawn >/dev/null ||
	fail "no systemd-nspawn: apt-get install systemd-container"
ver=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$MOAT_ROOT/debian/changelog")
deb=$MOAT_ROOT/build/deb/moat_${ver}_amd64.deb
[[ -f $deb ]] || fail "$deb missing: run make deb"

rm -f /var/lib/man-db/auto-update
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >/dev/null || fail "dpkg -i"
(cd "$MOAT_ROOT" && make -s load) || fail "make load"
ip netns add a
ip -n a link set lo up
printf '[moatd]\nlog-level = info\n' >/etc/moat/moatd.conf
mkdir -p /etc/systemd/system/moatd.service.d
printf '[Service]\nExecStartPre=\n' >/etc/systemd/system/moatd.service.d/vm.conf
printf '[Unit]\nDescription=moatd alone\nWants=moatd.service\n' \
	>/etc/systemd/system/moat-vm.target
mkdir -p ctroot
mount --bind / ctroot
# No machined or bus in the VM: --register=no --keep-unit. moatd needs
# CAP_NET_ADMIN, which nspawn keeps only when asked.
systemd-nspawn -q --register=no --keep-unit --link-journal=no \
	--capability=CAP_NET_ADMIN -D "$PWD/ctroot" \
	--network-namespace-path=/run/netns/a -b systemd.unit=moat-vm.target \
	>nspawn.log 2>&1 &
nspawn=$!
init=''
ct() { nsenter -t "$init" -a "$@"; }
active() {
	init=$(pgrep -P "$nspawn" | head -n 1)
	[[ -n $init ]] && ct systemctl is-active -q moatd.service
}
wait_for -t 120 active || { cat nspawn.log; fail "moatd.service not active"; }
wait_for -t 20 ct moat ike show >/dev/null || fail "moatd does not answer"
journal() { ct journalctl -u moatd.service --no-pager -o cat; }
journal | grep -q "the module's guard is on" || { journal; fail "guard not on"; }
! journal | grep -q "cannot" || { journal; fail "moatd could not do something"; }
ct systemctl reload moatd.service || fail "systemctl reload"
wait_for -t 10 eval 'journal | grep -q "reloaded /etc/moat/moatd.conf"' ||
	{ journal; fail "no reload"; }
ct systemctl stop moatd.service
[[ $(ct systemctl show -P Result moatd.service) == success ]] ||
	{ journal; fail "moatd did not stop cleanly"; }
kill "$nspawn"
wait "$nspawn" || true
umount ctroot
# systemd made its cgroups under this script's; the harness removes only
# the one it made, so remove them once their processes are gone.
mycg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
no_subcgroups() {
	find "$mycg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
	[[ -z $(find "$mycg" -mindepth 1 -type d) ]]
}
wait_for -t 30 no_subcgroups || fail "the container's cgroups stay"
log "moatd.service ran, reloaded and stopped under systemd"
