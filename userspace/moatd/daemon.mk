# The daemon's own sources (sockets, kernel hand-off, control socket,
# clock, kernel events, main): built into moatd only. Everything else in
# userspace/moatd is pure and is also linked by the unit tests, the fuzz
# harnesses and the IKE load generator, which include this file.
MOATD_DAEMON_FILES := main.c sock.c kernel.c ctl.c timer.c events.c solve.c guardd.c resumed.c
