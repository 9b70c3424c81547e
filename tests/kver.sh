#!/bin/sh
# Prints the kernel release to build the module for: the running one when
# its headers are installed, else the newest whose headers are (the kernel
# the test VM boots). Debian's ABI number moves, so nothing is hard-coded.
if [ -d "/lib/modules/$(uname -r)/build" ]; then
	uname -r
	exit 0
fi
for d in /lib/modules/*/build; do
	[ -d "$d" ] && basename "$(dirname "$d")"
done | sort -V | tail -n 1
