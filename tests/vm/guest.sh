#!/bin/bash
# Stage 2 of the Moat test VM: runs as PID 1 inside the guest, in the overlay
# over the host's / (see initramfs-init), with the host's bash and tools.
#
# It talks to the host through two channels:
#  - /dev/ttyS1, which only this script writes to (the kernel console is on
#    ttyS0), so progress markers can never be torn by kernel messages.  In
#    shell mode ttyS1 carries the command's raw output instead.
#  - the writable 9p share "moatres" (a host tmp dir, mounted at $RES) for
#    everything bulky: scenario output, kernel logs, exit codes.  9p writes
#    are synchronous (cache=none), so a file is complete on the host as soon
#    as the marker that announces it arrives, and partial output survives a
#    guest hang.
#
# Under TCG every exec of a host binary costs ~0.1 s, so this script prefers
# bash builtins and /proc writes over small tools.
#
# No `set -e`: PID 1 must reach the power-off at the end whatever happens.
# If it dies anyway, the kernel panics, panic=-1 reboots and qemu -no-reboot
# exits, so the host still notices.

RES=/.moat/res
HOST=/.moat/host # the bare read-only host root, moved here by stage 1
MARK='@@MOAT-VM@@'
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH=$STD_PATH
CG=/sys/fs/cgroup/moat-scenario

poweroff_now() {
	echo o >/proc/sysrq-trigger
	sleep 30
}

uptime_s() {
	local up rest
	read -r up rest </proc/uptime
	echo "$up"
}

# Everything in one `mount -a`.  /proc, /sys and /dev come mounted from
# stage 1 (mount -a skips them); they are listed as a fallback.  Fresh /tmp
# and /run, because the host's would leak in through the overlay (netns
# names under /run/netns, sockets, pid files).  cache=none (the default) on
# the results share: every write reaches the host immediately.
mount_all() {
	local p9=trans=virtio,version=9p2000.L,msize=262144
	mkdir -p "$RES"
	printf '%s\n' \
		"proc /proc proc defaults 0 0" \
		"sysfs /sys sysfs defaults 0 0" \
		"devtmpfs /dev devtmpfs defaults 0 0" \
		"devpts /dev/pts devpts gid=5,mode=620,ptmxmode=666,X-mount.mkdir 0 0" \
		"tmpfs /dev/shm tmpfs mode=1777,X-mount.mkdir 0 0" \
		"cgroup2 /sys/fs/cgroup cgroup2 defaults 0 0" \
		"debugfs /sys/kernel/debug debugfs defaults 0 0" \
		"tmpfs /tmp tmpfs mode=1777 0 0" \
		"tmpfs /run tmpfs mode=0755 0 0" \
		"moatres $RES 9p $p9 0 0" \
		>/.moat/fstab
	mount -a -T /.moat/fstab
}

# The repo (and the shell-mode cwd) may live under /tmp or /run on the host
# (CI clones anywhere), which the fresh mounts hide: bind them back from the
# bare host root so the same absolute paths work in the guest.
restore_host_paths() {
	local p q wanted=()
	for p in "$@"; do
		[[ $p == /tmp/?* || $p == /run/?* ]] && [[ -d $HOST$p ]] &&
			wanted+=("$p")
	done
	for p in "${wanted[@]}"; do
		for q in "${wanted[@]}"; do # binding a parent brings p along
			[[ $p == "$q"/* ]] && continue 2
		done
		mountpoint -q "$p" && continue # listed twice
		mkdir -p "$p" && mount --bind "$HOST$p" "$p"
	done
}

setup_system() {
	local name limit path dirs=()
	if [[ -f $RES/plan ]]; then # scenarios given by path may live anywhere
		while IFS=$'\t' read -r name limit path; do
			dirs+=("${path%/*}")
		done <"$RES/plan"
	fi
	restore_host_paths "$MOAT_ROOT" "${MOAT_KO%/*}" "${MOAT_VM_CWD:-}" \
		"${dirs[@]}"
	echo moat-vm >/proc/sys/kernel/hostname
	# Only warnings and worse reach the console log (ttyS0), which the host
	# shows when the guest hangs; all of it is in the ring buffer anyway.
	echo 5 >/proc/sys/kernel/printk
	ip link set lo up
}

# The environment a scenario or shell command sees (documented in README.md).
guest_env() {
	GUEST_ENV=(
		HOME=/root
		TERM=dumb
		LANG=C.UTF-8
		PATH="$MOAT_ROOT/userspace:$STD_PATH"
		MOAT_ROOT="$MOAT_ROOT"
		MOAT_KO="$MOAT_KO"
		MOAT="$MOAT"
		MOAT_VM=1
		MOAT_VM_LIB="$MOAT_ROOT/tests/vm/lib.sh"
	)
}

marker() {
	printf '%s %s\n' "$MARK" "$*" >&9
}

cgroup_empty() {
	local line
	while read -r line; do
		[[ $line == "populated 0" ]] && return 0
	done <"$CG/cgroup.events"
	return 1
}

# Put the guest back to a blank state after a scenario.  Prints what went
# wrong, if anything (nothing when all went well).
reset_state() {
	local dev i

	# Every process the scenario started, however it daemonized.
	if [[ -d $CG ]]; then
		echo 1 >"$CG/cgroup.kill"
		for ((i = 0; i < 100; i++)); do
			cgroup_empty && break
			sleep 0.1
		done
		rmdir "$CG" 2>/dev/null || echo "processes survived cgroup.kill"
	fi

	ip -all netns delete 2>/dev/null
	# Virtual links left in the init namespace (there are no real NICs);
	# fallback devices such as tunl0 refuse deletion, which is fine.
	for dev in /sys/class/net/*; do
		dev=${dev##*/}
		[[ $dev == lo ]] || ip link del "$dev" 2>/dev/null
	done
	if [[ -d /sys/module/xfrm_user ]]; then
		ip xfrm state flush
		ip xfrm policy flush
	fi

	if [[ -d /sys/module/moat ]]; then
		# The last references may go away asynchronously (netns cleanup
		# runs in a workqueue), so retry for a while before giving up.
		for ((i = 0; i < 20; i++)); do
			timeout 60 rmmod moat 2>/dev/null && break
			sleep 0.5
		done
		[[ -d /sys/module/moat ]] && echo "rmmod moat failed"
	fi
	return 0
}

# run_scenario NAME TIMEOUT PATH
run_scenario() {
	local name=$1 limit=$2 path=$3 dir rc start problem
	local out="$RES/out/$name.out" klog="$RES/out/$name.dmesg"

	dir=$(mktemp -d /tmp/moat-scenario.XXXXXX)
	mkdir -p "$CG"
	dmesg -C
	marker BEGIN "$name"
	start=$EPOCHSECONDS
	(
		echo "$BASHPID" >"$CG/cgroup.procs"
		cd "$dir" || exit 1
		# -k: a scenario that ignores SIGTERM still ends.
		exec env -i "${GUEST_ENV[@]}" MOAT_SCENARIO="$name" \
			timeout -k 10 "$limit" bash "$path"
	) </dev/null >"$out" 2>&1
	rc=$?

	problem=$(reset_state 2>&1)
	rm -rf "$dir"
	# After the reset, so warnings from teardown count against the scenario.
	dmesg >"$klog" 2>&1
	# One line, space separated: name rc seconds [problem text...]
	marker END "$name" "$rc" "$((EPOCHSECONDS - start))" "${problem//$'\n'/; }"
}

run_all() {
	local name limit path
	while IFS=$'\t' read -r name limit path; do
		[[ -n $name ]] && run_scenario "$name" "$limit" "$path"
	done <"$RES/plan"
}

run_shell() {
	local rc cmd
	cmd=$(<"$RES/cmd")
	cd "${MOAT_VM_CWD:-/tmp}" 2>/dev/null || cd /tmp || exit 1
	dmesg -C
	env -i "${GUEST_ENV[@]}" bash -c "$cmd" </dev/null >&9 2>&1
	rc=$?
	dmesg >"$RES/shell.dmesg" 2>&1
	echo "$rc" >"$RES/shell.rc"
}

main() {
	local kver
	echo "stage 2 at uptime $(uptime_s)s"
	if ! mount_all; then
		echo "moat-vm stage2: mounts failed" >&2
		poweroff_now
	fi
	exec >>"$RES/guest.log" 2>&1
	# shellcheck source=/dev/null
	. "$RES/env"
	setup_system

	# Raw mode: no \n -> \r\n translation, no echo, output byte-exact.
	exec 9<>/dev/ttyS1
	stty raw -echo <&9

	dmesg >"$RES/boot.dmesg" 2>&1
	guest_env
	read -r kver </proc/sys/kernel/osrelease
	echo "ready at uptime $(uptime_s)s"
	echo "$kver" >"$RES/ready"
	case $MOAT_VM_MODE in
	run)
		marker READY "$kver"
		run_all
		marker DONE
		;;
	shell)
		run_shell
		;;
	esac
	# stty uses TCSADRAIN: it returns only once ttyS1 has sent everything,
	# so the tail of the output is not lost to the power-off.
	stty raw -echo <&9
	poweroff_now
}

[[ -n ${MOATVM_TRACE:-} ]] && {
	PS4='+ $EPOCHREALTIME '
	set -x
}
main "$@"
