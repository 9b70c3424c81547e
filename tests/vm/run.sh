#!/bin/bash
# Boot one qemu VM (TCG) on the Debian kernel whose headers are installed and
# run the VM scenarios in it, or run one arbitrary command in it.
#
#   tests/vm/run.sh [-k] [SCENARIO ...]   run scenarios (default: all)
#   tests/vm/run.sh [-k] --shell-cmd CMD  run CMD (bash -c) in the VM
#
# See tests/vm/README.md for the scenario contract and the environment.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME must use a '.' and sort a stable order

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
MOAT_ROOT=$(cd "$VM_DIR/../.." && pwd -P)
# shellcheck source=klog.sh
. "$VM_DIR/klog.sh"

MARK='@@MOAT-VM@@'
MEM=${MOAT_VM_MEM:-2048}
CPUS=${MOAT_VM_CPUS:-2}
BOOT_TIMEOUT=${MOAT_VM_BOOT_TIMEOUT:-180}
SCENARIO_TIMEOUT=${MOAT_VM_SCENARIO_TIMEOUT:-300}
# Host-side slack on top of a scenario's own timeout (enforced in the guest):
# covers the state reset (cgroup kill, netns teardown, rmmod) on a slow TCG.
GRACE=${MOAT_VM_GRACE:-120}
KEEP=${KEEP:-0}
OUTPUT_LINES=300 # how much of a failed scenario's output/log to print

WORK='' QEMU_PID='' WATCHDOG_PID=''

usage() {
	cat <<EOF
usage: $0 [-k] [SCENARIO ...]
       $0 [-k] --shell-cmd 'COMMAND'

Runs the named scenarios (tests/vm/scenarios/NAME.sh; default all) in one
qemu VM, or runs COMMAND with bash -c in the VM, streaming its output and
returning its exit code.

  -k           keep the work dir (console log, outputs) and print its path
               (same as KEEP=1)
env: MOAT_VM_MEM (MiB, default 2048), MOAT_VM_CPUS (default 2),
     MOAT_VM_TIMEOUT (whole run, s), MOAT_VM_BOOT_TIMEOUT (default 180),
     MOAT_VM_SCENARIO_TIMEOUT (default 300), MOAT_VM_KVER, MOAT_VM_CACHE,
     MOAT_VM_GRACE (host slack per scenario, default 120),
     MOAT_VM_APPEND (extra kernel command line), MOAT_KO
EOF
}

say() { echo "vm: $*"; }
die() {
	echo "vm: $*" >&2
	exit 2
}

ms_now() { # wall clock in milliseconds
	local t=$EPOCHREALTIME
	echo $((${t%.*} * 1000 + 10#${t#*.} / 1000))
}

secs_since() { # start_ms -> "12.3"
	local d=$(($(ms_now) - $1))
	printf '%d.%d' $((d / 1000)) $((d % 1000 / 100))
}

indent() { sed 's/^/    /'; }

# --- host prerequisites ---------------------------------------------------

check_prereqs() {
	local missing=()
	command -v qemu-system-x86_64 >/dev/null ||
		missing+=("qemu-system-x86_64 (Debian package qemu-system-x86)")
	if [[ ! -x /bin/busybox ]]; then
		missing+=("/bin/busybox (Debian package busybox-static)")
	elif ldd /bin/busybox >/dev/null 2>&1; then
		# The initramfs has no libc: a dynamic busybox cannot run there.
		missing+=("a static /bin/busybox; it is dynamic (install busybox-static)")
	fi
	compgen -G '/boot/vmlinuz-*' >/dev/null ||
		missing+=("/boot/vmlinuz-* (Debian package linux-image-amd64)")
	command -v modprobe >/dev/null || missing+=("modprobe (Debian package kmod)")
	command -v ip >/dev/null || missing+=("ip (Debian package iproute2)")
	if ((${#missing[@]})); then
		printf 'vm: missing: %s\n' "${missing[@]}" >&2
		die "install the packages above ('make deps' does it)"
	fi
}

# The kernel to boot is the newest one that has both an image and headers:
# moat.ko is built against the headers, and Debian's ABI number moves, so
# "uname -r" of the host (which cannot load modules anyway) is irrelevant.
pick_kernel() {
	local build kver found=()
	if [[ -n ${MOAT_VM_KVER:-} ]]; then
		[[ -r /boot/vmlinuz-$MOAT_VM_KVER ]] ||
			die "MOAT_VM_KVER=$MOAT_VM_KVER: no /boot/vmlinuz-$MOAT_VM_KVER"
		echo "$MOAT_VM_KVER"
		return
	fi
	for build in /lib/modules/*/build; do
		[[ -d $build ]] || continue
		kver=${build#/lib/modules/}
		kver=${kver%/build}
		[[ -r /boot/vmlinuz-$kver ]] && found+=("$kver")
	done
	((${#found[@]})) || die "no kernel has both /boot/vmlinuz-KVER and" \
		"/lib/modules/KVER/build (install matching linux-image-amd64" \
		"and linux-headers-amd64)"
	printf '%s\n' "${found[@]}" | sort -V | tail -n 1
}

# Warn early when the module cannot possibly load in this kernel.
check_module_kver() {
	local kver=$1 ko=$2 magic
	[[ -f $ko ]] || return 0
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null) || return 0
	[[ ${magic%% *} == "$kver" ]] ||
		echo "vm: warning: $ko is built for ${magic%% *}, the VM runs $kver" >&2
}

# --- initramfs --------------------------------------------------------------

cache_dir() {
	local dir
	for dir in "${MOAT_VM_CACHE:-}" /var/cache/moat/vm \
		"${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/moat/vm"; do
		[[ -n $dir ]] && mkdir -p "$dir" 2>/dev/null && [[ -w $dir ]] &&
			echo "$dir" && return
	done
	die "no writable cache dir (set MOAT_VM_CACHE)"
}

# Module files needed to mount a 9p root under an overlay, dependencies
# first, in the order modprobe would load them.
initramfs_modules() {
	local kver=$1 mod
	for mod in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -S "$kver" --show-depends "$mod" ||
			die "modprobe -S $kver cannot resolve $mod"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# Copy a module into the image uncompressed: busybox insmod may not know
# the compression a future Debian kernel picks.
copy_module() {
	local src=$1 dir=$2 base
	base=$(basename "$src")
	case $src in
	*.ko.xz) xz -dc "$src" >"$dir/${base%.xz}" ;;
	*.ko.zst) zstd -qdc "$src" >"$dir/${base%.zst}" ;;
	*.ko.gz) gzip -dc "$src" >"$dir/${base%.gz}" ;;
	*) cp "$src" "$dir/" ;;
	esac
	echo "${base%.ko*}.ko"
}

# Print the path of the initramfs for KVER, building it if the cache has
# none for the current inputs (init script, busybox, modules, kernel).
build_initramfs() {
	local kver=$1 dir key out stage mods m
	dir=$(cache_dir)
	mapfile -t mods < <(initramfs_modules "$kver")
	((${#mods[@]})) || die "no modules found for $kver"
	key=$({
		# Contents, not paths: every clone of the repo shares the image.
		cat "$VM_DIR/initramfs-init" /bin/busybox | sha256sum
		stat -c '%n %s %Y' "${mods[@]}" "/boot/vmlinuz-$kver"
	} | sha256sum | cut -c1-12)
	out=$dir/initramfs-$kver-$key.cpio
	if [[ -s $out ]]; then
		touch "$out" # marks it as in use for the pruning below
		echo "$out"
		return
	fi

	echo "vm: building initramfs for $kver" >&2
	stage=$(mktemp -d)
	mkdir -p "$stage"/{bin,dev,proc,sys,mods}
	cp /bin/busybox "$stage/bin/busybox"
	install -m 0755 "$VM_DIR/initramfs-init" "$stage/init"
	for m in "${mods[@]}"; do
		copy_module "$m" "$stage/mods"
	done >"$stage/mods/order"
	# The kernel's built-in initramfs normally provides /dev/console; make
	# sure anyway when we can (needs root).
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	# Uncompressed: unpacking gzip costs more under TCG than reading more.
	(cd "$stage" && find . -mindepth 1 | sort | busybox cpio -o -H newc \
		2>/dev/null) >"$out.tmp.$$"
	rm -rf "$stage"
	mv "$out.tmp.$$" "$out" # atomic: concurrent runs never see a partial file
	# Drop images unused for two days (other clones may use other ones).
	find "$dir" -maxdepth 1 -name "initramfs-*.cpio" -mtime +1 -delete
	echo "$out"
}

# The bzImage payload is xz-compressed on Debian, and a TCG guest spends
# ~4 s unpacking it at every boot.  qemu can boot the uncompressed vmlinux
# directly through its PVH entry point, so unpack it once into the cache.
# Anything unexpected falls back to the bzImage (slower, same result).
kernel_image() {
	local kver=$1 img=/boot/vmlinuz-$1 dir out sects pm off len magic dec
	grep -qx 'CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null || {
		echo "$img"
		return
	}
	dir=$(cache_dir)
	out=$dir/vmlinux-$kver-$(stat -c '%s-%Y' "$img")
	if [[ -s $out ]]; then
		touch "$out"
		echo "$out"
		return
	fi
	# Boot protocol: setup_sects at 0x1f1; payload_offset/length at 0x248
	# and 0x24c, relative to the protected-mode code after the setup.
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	((sects)) || sects=4
	pm=$(((sects + 1) * 512))
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	magic=$(od -An -tx1 -j $((pm + off)) -N4 "$img" | tr -d ' ')
	# xz and zstd payloads carry the 4-byte decompressed size at the end.
	case $magic in
	fd377a58) dec="xz -dc" len=$((len - 4)) ;;
	28b52ffd) dec="zstd -qdc" len=$((len - 4)) ;;
	1f8b*) dec="gzip -dc" ;;
	*) dec= ;;
	esac
	if [[ -n $dec ]] && command -v "${dec%% *}" >/dev/null &&
		dd if="$img" iflag=skip_bytes,count_bytes skip=$((pm + off)) \
			count="$len" bs=1M status=none | $dec >"$out.tmp.$$" &&
		[[ $(od -An -c -N4 "$out.tmp.$$" | tr -d ' ') == '177ELF' ]]; then
		mv "$out.tmp.$$" "$out"
		find "$dir" -maxdepth 1 -name "vmlinux-*" -mtime +1 -delete
		echo "$out"
	else
		rm -f "$out.tmp.$$"
		echo "$img"
	fi
}

# --- scenarios -------------------------------------------------------------

# Resolve NAME, NAME.sh or a path to "name<TAB>path".
resolve_scenario() {
	local arg=$1 path name
	if [[ -f $arg ]]; then
		path=$(realpath "$arg")
	elif [[ -f $VM_DIR/scenarios/${arg%.sh}.sh ]]; then
		path=$VM_DIR/scenarios/${arg%.sh}.sh
	else
		die "no such scenario: $arg (see $VM_DIR/scenarios/)"
	fi
	name=$(basename "$path" .sh)
	[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "bad scenario name: $name"
	printf '%s\t%s\n' "$name" "$path"
}

# The "# timeout: N" comment line of a scenario, else the default.
scenario_timeout() {
	local t
	t=$(sed -n 's/^#[[:space:]]*timeout:[[:space:]]*\([0-9][0-9]*\).*/\1/p' \
		"$1" | head -n 1)
	echo "${t:-$SCENARIO_TIMEOUT}"
}

# --- the VM ----------------------------------------------------------------

cleanup() {
	local rc=$?
	[[ -n $WATCHDOG_PID ]] && kill "$WATCHDOG_PID" 2>/dev/null
	if [[ -n $QEMU_PID ]] && kill "$QEMU_PID" 2>/dev/null; then
		wait "$QEMU_PID" 2>/dev/null
	fi
	if [[ -n $WORK ]]; then
		if [[ $KEEP == 1 ]]; then
			echo "vm: work dir kept: $WORK" >&2
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}

# Write what the guest (tests/vm/guest.sh) reads from the results share.
write_guest_files() {
	local mode=$1 ko
	ko=$(realpath -m "${MOAT_KO:-$MOAT_ROOT/kmod/moat.ko}")
	{
		printf 'MOAT_VM_MODE=%q\n' "$mode"
		printf 'MOAT_ROOT=%q\n' "$MOAT_ROOT"
		printf 'MOAT_KO=%q\n' "$ko"
		printf 'MOAT=%q\n' "$MOAT_ROOT/userspace/moat"
		printf 'MOAT_VM_CWD=%q\n' "$PWD"
	} >"$WORK/res/env"
	check_module_kver "$KVER" "$ko"
}

# Fill QEMU with the command line.  ttyS0 (the kernel console) goes to
# console.log, ttyS1 (the guest harness's own channel) to qemu's stdout.
qemu_cmd() {
	local append bios=()
	# qboot (shipped with qemu) only knows how to boot -kernel, which is all
	# we need, and starts faster than SeaBIOS.
	[[ -r /usr/share/qemu/qboot.rom ]] && bios=(-bios /usr/share/qemu/qboot.rom)
	append="console=ttyS0 panic=-1 quiet log_buf_len=4M"
	append+=" moatvm=$VM_DIR/guest.sh ${MOAT_VM_APPEND:-}"
	# shellcheck disable=SC2054 # the commas are qemu's, not array syntax
	QEMU=(
		# Belt and braces: qemu dies even if this script is SIGKILLed.
		timeout -k 10 "$HARD_LIMIT"
		qemu-system-x86_64
		-nodefaults -no-user-config -display none -no-reboot
		"${bios[@]}" -machine pc -accel tcg -cpu max -smp "$CPUS" -m "$MEM"
		-kernel "$KERNEL" -initrd "$INITRD" -append "$append"
		-serial "file:$WORK/console.log" -serial stdio
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
		-virtfs "local,path=${WORK//,/,,}/res,mount_tag=moatres,security_model=none,multidevs=remap"
	)
}

# Tail of the console and qemu's own messages: the only clues when the
# guest died or hung before reporting.
show_vm_logs() {
	local qemu_msgs
	echo "  --- kernel console (last 100 lines) ---"
	tail -n 100 "$WORK/console.log" 2>/dev/null | indent
	# Our own kill is no news.
	qemu_msgs=$(grep -v 'terminating on signal' "$WORK/qemu.log" || true)
	if [[ -n $qemu_msgs ]]; then
		echo "  --- qemu ---"
		indent <<<"$qemu_msgs"
	fi
	if [[ -s $WORK/res/guest.log ]]; then
		echo "  --- guest harness ---"
		tail -n 30 "$WORK/res/guest.log" | indent
	fi
}

show_file() { # title file head|tail
	local title=$1 file=$2 end=$3 n
	n=$(wc -l <"$file" 2>/dev/null || echo 0)
	if ((n == 0)); then
		echo "  --- $title: (empty) ---"
	elif ((n > OUTPUT_LINES)); then
		echo "  --- $title ($end $OUTPUT_LINES of $n lines) ---"
		"$end" -n "$OUTPUT_LINES" "$file" | indent
	else
		echo "  --- $title ---"
		indent <"$file"
	fi
}

# Judge one scenario from its END marker and the files the guest left.
declare -A TIMEOUT_OF RESULT
PASSED=0 FAILED=0
report_scenario() {
	local name=$1 rc=$2 secs=$3 problem=$4 reasons=() hits
	local out=$WORK/res/out/$name.out klog=$WORK/res/out/$name.dmesg
	if ((rc != 0)); then
		if ((rc == 124 || rc == 137)) && ((secs >= ${TIMEOUT_OF[$name]})); then
			reasons+=("timed out after ${TIMEOUT_OF[$name]}s")
		else
			reasons+=("exit status $rc")
		fi
	fi
	[[ -n $problem ]] && reasons+=("reset: $problem")
	if [[ ! -f $klog ]]; then
		reasons+=("no kernel log captured")
	elif hits=$(klog_scan "$klog"); then
		reasons+=("kernel log: $(head -n 1 <<<"$hits" | sed 's/^\[[^]]*\] *//')")
	fi

	if ((${#reasons[@]} == 0)); then
		RESULT[$name]=pass
		PASSED=$((PASSED + 1))
		echo "PASS vm/$name (${secs}s)"
		return
	fi
	RESULT[$name]=fail
	FAILED=$((FAILED + 1))
	local joined
	joined=$(printf '%s; ' "${reasons[@]}")
	echo "FAIL vm/$name: ${joined%; }"
	show_file output "$out" tail
	show_file "kernel log" "$klog" head
}

# Fail a scenario that never reported.
report_missing() {
	local name=$1 why=$2
	RESULT[$name]=fail
	FAILED=$((FAILED + 1))
	echo "FAIL vm/$name: $why"
	if [[ -s $WORK/res/out/$name.out ]]; then
		show_file "output so far" "$WORK/res/out/$name.out" tail
	fi
}

run_scenarios() {
	local plan=() entry name path t total_budget deadline run_deadline
	local line words current='' state=boot start_ms wait_s why='' status=0 hits
	if (($#)); then
		for entry in "$@"; do plan+=("$(resolve_scenario "$entry")"); done
	else
		for path in "$VM_DIR"/scenarios/*.sh; do
			[[ -f $path ]] && plan+=("$(resolve_scenario "$path")")
		done
	fi
	((${#plan[@]})) || die "no scenarios to run"

	: >"$WORK/res/plan"
	total_budget=$BOOT_TIMEOUT
	for entry in "${plan[@]}"; do
		name=${entry%%$'\t'*} path=${entry#*$'\t'}
		t=$(scenario_timeout "$path")
		TIMEOUT_OF[$name]=$t
		total_budget=$((total_budget + t + GRACE))
		printf '%s\t%s\t%s\n' "$name" "$t" "$path" >>"$WORK/res/plan"
	done
	write_guest_files run

	mkfifo "$WORK/ctl"
	start_ms=$(ms_now)
	HARD_LIMIT=$((${MOAT_VM_TIMEOUT:-$total_budget} + 60))
	qemu_cmd
	# Background jobs ignore SIGINT (no job control); cleanup() kills qemu.
	"${QEMU[@]}" </dev/null >"$WORK/ctl" 2>>"$WORK/qemu.log" &
	QEMU_PID=$!
	exec 3<"$WORK/ctl"
	run_deadline=$((EPOCHSECONDS + ${MOAT_VM_TIMEOUT:-$total_budget}))
	deadline=$((EPOCHSECONDS + BOOT_TIMEOUT))

	# Follow the markers; every phase has a deadline so a hung guest (even
	# a hung kernel, which no in-guest timeout can catch) ends the run.
	while :; do
		((deadline < run_deadline)) || deadline=$run_deadline
		wait_s=$((deadline - EPOCHSECONDS))
		if ((wait_s <= 0)) || ! IFS= read -r -t "$wait_s" line <&3; then
			if ((EPOCHSECONDS >= run_deadline)); then
				why="whole-run timeout (${MOAT_VM_TIMEOUT:-$total_budget}s)"
			elif ((EPOCHSECONDS >= deadline)); then
				case $state in
				boot) why="no sign of life within ${BOOT_TIMEOUT}s" ;;
				running) why="no report within $((${TIMEOUT_OF[$current]:-0} + GRACE))s, guest hung?" ;;
				*) why="silent for ${GRACE}s" ;;
				esac
			elif [[ $state != finished ]]; then
				why="VM exited unexpectedly"
			fi
			break
		fi
		line=${line%$'\r'}
		[[ $line == "$MARK "* ]] || continue
		read -r -a words <<<"${line#"$MARK "}"
		case ${words[0]} in
		READY)
			state=idle
			say "booted ${words[1]:-?} in $(secs_since "$start_ms")s"
			# Not any scenario's fault, but worth knowing.
			if hits=$(klog_scan "$WORK/res/boot.dmesg"); then
				say "warning: the kernel complained while booting:"
				indent <<<"$hits"
			fi
			deadline=$((EPOCHSECONDS + GRACE))
			;;
		BEGIN)
			current=${words[1]}
			state=running
			deadline=$((EPOCHSECONDS + ${TIMEOUT_OF[$current]:-$SCENARIO_TIMEOUT} + GRACE))
			;;
		END)
			report_scenario "${words[1]}" "${words[2]}" "${words[3]}" \
				"${words[*]:4}"
			current='' state=idle
			deadline=$((EPOCHSECONDS + GRACE))
			;;
		DONE)
			state=finished
			deadline=$((EPOCHSECONDS + 60)) # the power-off
			;;
		esac
	done
	exec 3<&-

	if [[ $state == finished ]]; then
		[[ -z $why ]] || echo "vm: warning: the guest did not power off" >&2
	elif [[ -n $why ]]; then
		case $state in
		boot) why="VM failed to boot: $why" ;;
		running) why="$current: $why" ;;
		*) why="VM stopped reporting: $why" ;;
		esac
		echo "vm: $why"
		show_vm_logs
		status=1
	fi
	kill "$QEMU_PID" 2>/dev/null || true
	wait "$QEMU_PID" 2>/dev/null || true
	QEMU_PID=

	for entry in "${plan[@]}"; do
		name=${entry%%$'\t'*}
		[[ -n ${RESULT[$name]:-} ]] && continue
		if [[ $name == "$current" ]]; then
			report_missing "$name" "no report (${why:-guest died})"
		else
			report_missing "$name" "not run (${why:-VM stopped})"
		fi
	done
	say "run took $(secs_since "$start_ms")s"
	say "$PASSED passed, $FAILED failed"
	((FAILED == 0 && status == 0))
}

# --- shell mode --------------------------------------------------------------

# Kill qemu when the guest does not come up or the command overruns; the
# reason goes to $WORK/why for the parent.
watchdog() {
	local qemu=$1 boot_deadline=$((EPOCHSECONDS + BOOT_TIMEOUT))
	local run_deadline=$((EPOCHSECONDS + ${MOAT_VM_TIMEOUT:-1800}))
	while kill -0 "$qemu" 2>/dev/null; do
		if [[ ! -f $WORK/res/ready ]] && ((EPOCHSECONDS > boot_deadline)); then
			echo "VM failed to boot within ${BOOT_TIMEOUT}s" >"$WORK/why"
		elif ((EPOCHSECONDS > run_deadline)); then
			echo "timed out after ${MOAT_VM_TIMEOUT:-1800}s" >"$WORK/why"
		fi
		if [[ -f $WORK/why ]]; then
			kill "$qemu"
			return
		fi
		sleep 1
	done
}

run_shell() {
	local cmd=$1 rc hits
	printf '%s\n' "$cmd" >"$WORK/res/cmd"
	write_guest_files shell
	HARD_LIMIT=$((${MOAT_VM_TIMEOUT:-1800} + 60))
	qemu_cmd
	# ttyS1 straight to our stdout: the command's output streams live.
	"${QEMU[@]}" </dev/null 2>>"$WORK/qemu.log" &
	QEMU_PID=$!
	watchdog "$QEMU_PID" &
	WATCHDOG_PID=$!
	wait "$QEMU_PID" || true
	QEMU_PID=
	kill "$WATCHDOG_PID" 2>/dev/null || true
	WATCHDOG_PID=

	if [[ ! -f $WORK/res/shell.rc ]]; then
		{
			echo "vm: $(cat "$WORK/why" 2>/dev/null || echo "VM exited before the command finished")"
			show_vm_logs
		} >&2
		[[ -f $WORK/why ]] && return 124
		return 125
	fi
	rc=$(<"$WORK/res/shell.rc")
	if hits=$(klog_scan "$WORK/res/shell.dmesg"); then
		echo "vm: warning: the kernel log has suspicious lines:" >&2
		indent <<<"$hits" >&2
	fi
	return "$rc"
}

# --- main --------------------------------------------------------------------

main() {
	local shell_cmd='' have_cmd=0 args=()
	[[ ${MOAT_VM_KEEP:-} == 1 ]] && KEEP=1
	while (($#)); do
		case $1 in
		-k) KEEP=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		--shell-cmd)
			(($# >= 2)) || die "--shell-cmd needs a command"
			shell_cmd=$2 have_cmd=1
			shift
			;;
		--shell-cmd=*) shell_cmd=${1#*=} have_cmd=1 ;;
		--) shift; args+=("$@"); break ;;
		-*) die "unknown option $1 (try -h)" ;;
		*) args+=("$1") ;;
		esac
		shift
	done
	((have_cmd && ${#args[@]})) && die "--shell-cmd takes no scenarios"
	[[ $VM_DIR =~ [[:space:]] ]] &&
		die "the repo path must not contain whitespace (kernel cmdline)"

	check_prereqs
	KVER=$(pick_kernel)
	INITRD=$(build_initramfs "$KVER")
	KERNEL=$(kernel_image "$KVER")

	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/moat-vm.XXXXXX")
	mkdir -p "$WORK/res/out"

	if ((have_cmd)); then
		run_shell "$shell_cmd"
	else
		run_scenarios "${args[@]}"
	fi
}

# Sourcing (selftest.sh does) defines the functions without running.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
