# SPDX-License-Identifier: GPL-2.0
#
# Moat: make builds the module and the tools; make check runs every test;
# make demo shows a tunnel. See README.md.

# The module is built for the running kernel when its headers are there,
# otherwise for the newest installed headers (the VM's kernel here).
KVER ?= $(shell tests/kver.sh)
KDIR ?= /lib/modules/$(KVER)/build

# The one version number: the first line of debian/changelog. The module
# (modinfo moat), the tool (moat --version), dkms.conf and the packages
# all take it from there.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)

# make install puts everything under PREFIX; the packages use /usr.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),$(or $(shell pkg-config \
	--variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system),$(PREFIX)/lib/systemd/system)
SYSCONFDIR ?= /etc
DESTDIR ?=

# Debian packages the build, the tests, the demo and the benchmarks need.
DEPS := build-essential pkg-config linux-headers-amd64 linux-image-amd64 \
	linux-source-6.1 libnl-3-dev libnl-genl-3-dev libssl-dev libinih-dev \
	libcap-ng-dev \
	debhelper dh-dkms dkms lintian fakeroot dpkg-dev man-db groff-base \
	bash-completion \
	qemu-system-x86 busybox-static kmod iproute2 iputils-ping \
	procps psmisc iperf3 tcpdump python3 rsync xz-utils bc flex bison \
	libelf-dev sparse clang libclang-rt-14-dev wireguard-tools \
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins \
	nftables

all: kmod userspace

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod CONFIG_MOAT=m W=1 \
		MOAT_VERSION=$(VERSION) modules

kmod/moat.ko:
	$(MAKE) kmod

# Loads the module make built (building it if there is none), with the
# modules it needs first: insmod alone fails with unknown symbols on a
# freshly booted host.
load: kmod/moat.ko
	for m in $$(modinfo -F depends kmod/moat.ko | tr , ' '); do \
		modprobe $$m || exit 1; done
	insmod kmod/moat.ko

unload:
	rmmod moat

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
	tests/bench/guard.sh

# IKE handshakes per second, moatd against strongSwan (also in make bench).
bench-ike: need-deps all tools
	tests/bench/handshake.sh

# The spoofed IKE_SA_INIT flood legitimate initiators survive, moat's
# guard against moatd alone and strongSwan (also in make bench).
bench-guard: need-deps all tools
	tests/bench/guard.sh

# make install: the module for one kernel (KVER), and the rest under
# PREFIX. For a module that follows kernel upgrades, use make dkms-install
# (or the packages: make deb).
install: install-kmod install-userspace

install-kmod: kmod
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod MOAT_VERSION=$(VERSION) \
		modules_install
	depmod -a $(KVER)

# moat, moatd, the unit, man pages, bash completion, and an example
# moatd.conf (0600) unless one is there. The packages use this too.
install-userspace: userspace
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 userspace/moat userspace/moatd/moatd $(DESTDIR)$(SBINDIR)/
	install -m 0644 man/moat.8 man/moatd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/moatd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 completion/moat.bash $(DESTDIR)$(BASHCOMPDIR)/moat
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/moatd.service.in \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/moatd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/moatd.service
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/moat
	[ -e $(DESTDIR)$(SYSCONFDIR)/moat/moatd.conf ] || \
		install -m 0600 systemd/moatd.conf $(DESTDIR)$(SYSCONFDIR)/moat/moatd.conf

# The module's source as DKMS wants it, under /usr/src/moat-VERSION.
DKMS_SRC = $(DESTDIR)/usr/src/moat-$(VERSION)
install-dkms-src:
	install -d $(DKMS_SRC)/kmod $(DKMS_SRC)/include/uapi/linux
	install -m 0644 kmod/Kbuild kmod/*.c kmod/*.h $(DKMS_SRC)/kmod/
	install -m 0644 include/uapi/linux/moat.h $(DKMS_SRC)/include/uapi/linux/

# From source, a module that DKMS rebuilds for every new kernel.
dkms-install: install-dkms-src
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	dkms install moat/$(VERSION)

# Uninstalls what make install and make dkms-install put there.
uninstall:
	-dkms remove moat/$(VERSION) --all
	rm -rf /usr/src/moat-$(VERSION)
	rm -f /lib/modules/$(KVER)/updates/moat.ko /lib/modules/$(KVER)/extra/moat.ko
	-depmod -a $(KVER)
	rm -f $(DESTDIR)$(SBINDIR)/moat $(DESTDIR)$(SBINDIR)/moatd \
		$(DESTDIR)$(MANDIR)/man8/moat.8 $(DESTDIR)$(MANDIR)/man8/moatd.8 \
		$(DESTDIR)$(MANDIR)/man5/moatd.conf.5 \
		$(DESTDIR)$(BASHCOMPDIR)/moat \
		$(DESTDIR)$(SYSTEMDUNITDIR)/moatd.service
	@echo "kept $(SYSCONFDIR)/moat/moatd.conf (your configuration)"

# moat-dkms and moat .deb files in build/deb/, built from a copy of the
# tree's sources (tracked and new files, no build output).
DEB_TREE = build/deb/moat-$(VERSION)
deb:
	rm -rf build/deb && mkdir -p $(DEB_TREE)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 cp -P --parents -t $(DEB_TREE)
	cd $(DEB_TREE) && dpkg-buildpackage -us -uc -b -j2 >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	ls build/deb/*.deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	$(MAKE) -C userspace clean
	rm -rf tests/unit/build tests/fuzz/build tests/tools/build build/deb

.PHONY: all kmod userspace tools deps need-deps check unit fuzz lint kunit vm-test \
	demo bench bench-ike bench-guard libreswan-cache install install-kmod install-userspace \
	install-dkms-src dkms-install uninstall deb load unload clean
