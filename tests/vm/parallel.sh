#!/bin/bash
# Runs the VM scenarios in MOAT_VM_JOBS VMs at once (default 1), each VM
# taking a share of the scenarios, then prints every VM's report in turn
# and one closing line "vm: N passed, M failed" over them all.
#
#   tests/vm/parallel.sh [SCENARIO ...]    all of scenarios/*.sh by default
#
# For hosts with cores to spare: on the 2-core CI machine two TCG guests
# slow each other down about as much as they gain (measured 2026-12-01:
# the layer took longer than in one VM, and the timing-sensitive
# scenarios 23 and 53 failed), so make check keeps one VM there. The
# shares are balanced by the seconds each scenario took on this machine
# (scenario-seconds; 60 for one not listed there), longest first, each to
# the VM with the least work so far. MOAT_VM_JOBS=1 runs them all in one
# VM, as tests/vm/run.sh does.
set -uo pipefail
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
jobs=${MOAT_VM_JOBS:-1}
[[ $jobs =~ ^[1-9]$ ]] || { echo "vm: MOAT_VM_JOBS must be 1..9" >&2; exit 2; }

names=()
if (($#)); then
	names=("$@")
else
	for p in "$VM_DIR"/scenarios/*.sh; do names+=("$(basename "$p" .sh)"); done
fi
((jobs <= ${#names[@]})) || jobs=${#names[@]}
((jobs == 1)) && exec "$VM_DIR/run.sh" "${names[@]}"

# cost NAME: its seconds in scenario-seconds, else 60.
cost() {
	local s
	s=$(awk -v n="${1%.sh}" '$1 == n { print $2; exit }' "$VM_DIR/scenario-seconds")
	echo "${s:-60}"
}

declare -a load share
for ((j = 0; j < jobs; j++)); do load[j]=0 share[j]=''; done
while read -r c name; do
	best=0
	for ((j = 1; j < jobs; j++)); do ((load[j] < load[best])) && best=$j; done
	load[best]=$((load[best] + c))
	share[best]+=" $name"
done < <(for n in "${names[@]}"; do echo "$(cost "$n") $n"; done | sort -rn)

tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for ((j = 0; j < jobs; j++)); do
	[[ -n ${share[j]} ]] || continue
	# Scenarios in name order within a VM, as run.sh would.
	# shellcheck disable=SC2046,SC2086 # the share is a list of names
	"$VM_DIR/run.sh" $(printf '%s\n' ${share[j]} | sort) >"$tmp/$j.log" 2>&1 &
	pids+=($!)
	echo "vm: VM $((j + 1)) of $jobs runs ~$((load[j]))s of scenarios:${share[j]}"
done
rcs=()
for ((j = 0; j < ${#pids[@]}; j++)); do
	wait "${pids[j]}"
	rcs[j]=$?
done
pids=()

passed=0 failed=0
for ((j = 0; j < jobs; j++)); do
	[[ -f $tmp/$j.log ]] || continue
	echo "--- VM $((j + 1)) of $jobs"
	# Its own closing line becomes "VM n: ..." so the layer counts ours.
	sed -E "s/^vm: ([0-9]+ passed, [0-9]+ failed)$/VM $((j + 1)): \1/" "$tmp/$j.log"
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed$' "$tmp/$j.log" | tail -n 1)
	if [[ -n $line ]]; then
		read -r _ p _ f _ <<<"$line"
		# A VM that failed outside any scenario (boot, timeout) still fails.
		((rcs[j] == 0 || f > 0)) || f=1
		passed=$((passed + p)) failed=$((failed + f))
	else
		echo "FAIL vm: VM $((j + 1)) ended without a result line"
		failed=$((failed + 1))
	fi
done
echo "vm: $passed passed, $failed failed"
((failed == 0))
