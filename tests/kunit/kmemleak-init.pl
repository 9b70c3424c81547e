#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# init (PID 1) of run.sh's kmemleak boot: the KUnit kernel (UML) booted a
# second time with the host's / as a read-only hostfs root.  The kernel
# runs the built-in KUnit suites before it starts init, so by now every
# object a test allocated and lost is unreferenced.  This has kmemleak
# scan twice and powers the kernel off.  The kernel itself prints each
# unreferenced object on the console (run.sh boots it with
# kmemleak.verbose=1), so no report passes through this program.  It
# writes nothing to the host.
#
# One process and raw system calls (x86_64 numbers: UML runs the host's
# binaries) rather than a shell script.  On a host with AVX-512 or AMX,
# UML 6.1 can restore only the x87/SSE part of a user process's registers
# (patches/um-xstate-fallback.patch), so AVX registers do not survive a
# page fault.  That breaks glibc's AVX string functions, which run.sh
# turns off with GLIBC_TUNABLES, and shell pipelines lost output even so.
#
# Environment (kernel command line):
#   MOAT_KMEMLEAK_WAIT  seconds from init to the first scan (default 6):
#                       kmemleak does not report objects younger than 5 s.
#
# Progress lines start "moat-kmemleak: "; the last one is "done" or
# "error: ...".

use strict;
use warnings;

my $KMEMLEAK = '/sys/kernel/debug/kmemleak';
my ($SYS_MOUNT, $SYS_REBOOT) = (165, 169);
my ($REBOOT_MAGIC1, $REBOOT_MAGIC2, $REBOOT_POWER_OFF) =
	(0xfee1dead, 672274793, 0x4321fedc);

$| = 1;

sub report { print "moat-kmemleak: @_\n"; }

# There is no init system to ask for a shutdown.  Should reboot(2) fail,
# init exiting panics the kernel, which ends UML as well.
sub power_off {
	syscall($SYS_REBOOT, $REBOOT_MAGIC1, $REBOOT_MAGIC2, $REBOOT_POWER_OFF, 0);
	report("error: power off failed: $!");
	exit 1;
}

sub fail {
	report("error: @_");
	power_off();
}

sub mount_fs {
	my ($type, $dir) = @_;

	syscall($SYS_MOUNT, $type, $dir, $type, 0, 0) == 0 or
		fail("cannot mount $type on $dir: $!");
}

sub uptime {
	open(my $fh, '<', '/proc/uptime') or fail("/proc/uptime: $!");
	my ($seconds) = split(' ', scalar(<$fh>) // '');
	defined($seconds) or fail("cannot read /proc/uptime");
	return $seconds;
}

# The scan runs inside the write, so its result is the write's.
sub scan {
	my ($n) = @_;

	open(my $fh, '>', $KMEMLEAK) or fail("$KMEMLEAK: $!");
	my $written = syswrite($fh, 'scan');
	defined($written) && $written == 4 or
		fail("scan $n refused (kmemleak disabled itself?): $!");
	close($fh);
	report("scan $n done");
}

mount_fs('proc', '/proc');
mount_fs('sysfs', '/sys');
mount_fs('debugfs', '/sys/kernel/debug');
-e $KMEMLEAK or fail("no $KMEMLEAK: the kernel has no kmemleak");

my $wait = $ENV{MOAT_KMEMLEAK_WAIT} // 6;
$wait =~ /^[0-9]+$/ or fail("MOAT_KMEMLEAK_WAIT=$wait is not a number of seconds");
my $until = uptime() + $wait;
report("suites finished; first scan in ${wait}s");
select(undef, undef, undef, 0.5) while uptime() < $until;
# An object is reported only if its content did not change since the
# previous scan, so the first scan mostly records checksums.
scan(1);
select(undef, undef, undef, 1);
scan(2);
report('done');
power_off();
