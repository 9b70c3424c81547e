#!/bin/bash
# make demo: runs tests/demo-guest.sh on this host when it can load the
# module, and in the test VM (Debian's kernel under qemu) otherwise.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

host_can_load() {
	[ -d "/lib/modules/$(uname -r)/build" ] && [ -e /proc/modules ] &&
		[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" != 1 ] &&
		[ "$(id -u)" = 0 ]
}

if host_can_load; then
	echo "demo: running on this host ($(uname -r))"
	exec "$top/tests/demo-guest.sh"
fi
echo "demo: this kernel ($(uname -r)) cannot load moat; booting the test VM"
exec "$top/tests/vm/run.sh" --shell-cmd "$top/tests/demo-guest.sh"
