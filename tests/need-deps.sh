#!/bin/bash
# Exits 0 when everything "make deps" installs is already here, so make
# check and make demo can skip apt on a prepared machine. Names what is
# missing otherwise.
missing=()
for cmd in cc make pkg-config qemu-system-x86_64 modprobe ip ping iperf3 \
	   tcpdump python3 rsync xz flex bison bc sparse clang wg nft swanctl \
	   dpkg-buildpackage dh dh_dkms lintian dkms groff; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
for f in /bin/busybox /usr/src/linux-source-6.1.tar.xz \
	 /usr/include/libnl3/netlink/genl/genl.h \
	 /usr/include/openssl/evp.h /usr/include/ini.h \
	 /usr/include/cap-ng.h /usr/lib/ipsec/charon /usr/sbin/swanctl \
	 /usr/lib/ipsec/plugins/libstrongswan-gcm.so; do
	[ -e "$f" ] || missing+=("$f")
done
kver=$("$(dirname "$0")/kver.sh")
if [ -z "$kver" ] || [ ! -e "/boot/vmlinuz-$kver" ]; then
	missing+=("kernel image and headers")
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "missing: ${missing[*]}; installing with make deps" >&2
	exit 1
fi
