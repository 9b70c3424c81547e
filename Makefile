# SPDX-License-Identifier: GPL-2.0
#
# Moat: make builds the module and the tools; make check runs every test;
# make demo shows a tunnel. See README.md.

# The module is built for the running kernel when its headers are there,
# otherwise for the newest installed headers (the VM's kernel here).
KVER ?= $(shell tests/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

# Debian packages the build, the tests, the demo and the benchmarks need.
DEPS := build-essential pkg-config linux-headers-amd64 linux-image-amd64 \
	linux-source-6.1 libnl-3-dev libnl-genl-3-dev libssl-dev libinih-dev \
	libcap-ng-dev \
	qemu-system-x86 busybox-static kmod iproute2 iputils-ping \
	procps psmisc iperf3 tcpdump python3 rsync xz-utils bc flex bison \
	libelf-dev sparse clang libclang-rt-14-dev wireguard-tools \
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins \
	nftables

all: kmod userspace

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod CONFIG_MOAT=m W=1 modules

userspace:
	$(MAKE) -C userspace

# Test-only programs the VM scenarios use.
tools:
	$(MAKE) -C tests/tools

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)
	$(MAKE) libreswan-cache

# Libreswan, the NULL-auth peer of tests/vm/scenarios/56-libreswan-null.sh,
# conflicts with strongSwan's packages: its .deb and the libraries it lacks
# here are unpacked under $(LIBRESWAN_CACHE)/root, never installed.
LIBRESWAN_CACHE := /var/cache/moat/libreswan
LIBRESWAN_DEBS := libreswan libevent-pthreads-2.1-7 libldns3 libnss3-tools

libreswan-cache:
	rm -rf $(LIBRESWAN_CACHE)
	mkdir -p $(LIBRESWAN_CACHE)/debs
	cd $(LIBRESWAN_CACHE)/debs && apt-get download $(LIBRESWAN_DEBS)
	for d in $(LIBRESWAN_CACHE)/debs/*.deb; do \
		dpkg -x "$$d" $(LIBRESWAN_CACHE)/root || exit 1; \
	done

# Installs the packages only when something is missing, so a fresh machine
# needs nothing but make, and a prepared one loses no time.
need-deps:
	@tests/need-deps.sh || $(MAKE) deps

check: need-deps
	tests/check.sh

unit: need-deps
	tests/check.sh unit

fuzz: need-deps
	tests/check.sh fuzz

lint: need-deps
	tests/check.sh lint

kunit: need-deps
	tests/kunit/run.sh $(T)

vm-test: need-deps all tools
	tests/vm/run.sh $(T)

demo: need-deps all
	tests/demo.sh

bench: need-deps all tools
	tests/bench/run.sh
	tests/bench/handshake.sh

# IKE handshakes per second, moatd against strongSwan (also in make bench).
bench-ike: need-deps all tools
	tests/bench/handshake.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules_install
	depmod -a $(KVER)
	install -m 0755 userspace/moat /usr/local/sbin/moat

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	$(MAKE) -C userspace clean
	rm -rf tests/unit/build tests/fuzz/build tests/tools/build

.PHONY: libreswan-cache all kmod userspace tools deps need-deps check unit fuzz lint kunit vm-test \
	demo bench bench-ike install clean
