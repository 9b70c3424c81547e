#!/bin/bash
# The VM itself works: right kernel, netns + veth, the IPsec modules load.
# timeout: 60
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
# shellcheck source=../lib.sh
. "$MOAT_VM_LIB"

log "kernel"
kver=$(uname -r)
[[ -d /lib/modules/$kver/build ]] ||
	fail "booted $kver, which has no headers on the host"
[[ $(cat /proc/sys/kernel/hostname) == moat-vm ]] || fail "not in the VM?"

log "environment"
[[ -d $MOAT_ROOT/tests/vm ]] || fail "MOAT_ROOT=$MOAT_ROOT not visible"
[[ $MOAT == "$MOAT_ROOT/userspace/moat" ]] || fail "MOAT=$MOAT"
[[ :$PATH: == *":$MOAT_ROOT/userspace:"* ]] || fail "PATH=$PATH"
[[ -w . && $PWD == /tmp/* ]] || fail "cwd $PWD is not a writable tmp dir"

log "netns + veth"
netns_pair left right 10.99.0.1/24 10.99.0.2/24
wait_for ping_ok left 10.99.0.2 || fail "no ping left -> right"
ping_ok right 10.99.0.1 || fail "no ping right -> left"

log "esp4"
modprobe esp4
[[ -d /sys/module/esp4 ]] || fail "esp4 not loaded"
