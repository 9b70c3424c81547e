#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print every counter the ESP scenarios look at, one NS:KEY=VALUE a line.

    counters.py [--until NS:KEY>=N ...] [--timeout SECS] NS...

Run in the VM, as root.  It enters each named namespace itself (setns), so
a snapshot costs one python and two moat processes per namespace: every
process start costs ~0.1 s under TCG, more on a loaded host.  With
--until it first polls until every condition holds (exit status 1 if
SECS, default 10, pass first), then prints.  The moat device is moat0
(MOAT_DEV overrides it).  Keys:

  link.<stat>              moat -j -s link show dev DEV (flat stats)
  <in|out>.<spi>.<stat>    moat -j -s sa show dev DEV, spi as 0x hex
  <in|out>.<spi>.{replay_window,seq,esn}
  xfrm.<spi>.{bytes,packets,replay,failed,replay_window,seq,seq_hi,oseq,oseq_hi}
                           ip -s xfrm state, spi as 0x hex
  xstat.<Name>             /proc/net/xfrm_stat of the namespace
  snmp.<Proto>.<Name>      /proc/net/snmp (Udp, Ip, Icmp) and
                           /proc/net/snmp6 (as snmp.Udp6.InDatagrams, ...)

Each part is left out when it does not apply (no moat device, no states).
"""

import ctypes
import json
import os
import re
import sys
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Move this process into network namespace NS (as ip netns names it)."""
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (ns, os.strerror(err)))
    finally:
        os.close(fd)


def run(*cmd):
    """Output of CMD, or None when it fails.  By hand: importing
    subprocess alone costs half a second in the VM."""
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rfd)
            os.dup2(wfd, 1)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 2)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    os.close(wfd)
    chunks = []
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(rfd)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    return b"".join(chunks).decode()


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def moat_counters(dev, out):
    text = run("moat", "-j", "-s", "link", "show", "dev", dev)
    if not text:
        return
    for link in json.loads(text):
        for key, val in link.get("stats", {}).items():
            if isinstance(val, int):
                out["link." + key] = val
    text = run("moat", "-j", "-s", "sa", "show", "dev", dev)
    for sa in json.loads(text or "[]"):
        pre = "%s.%#x." % (sa.get("dir", "?"), sa.get("spi", 0))
        for key, val in sa.get("stats", {}).items():
            out[pre + key] = val
        for key in ("replay_window", "seq"):
            if key in sa:
                out[pre + key] = sa[key]
        out[pre + "esn"] = int(bool(sa.get("esn")))


FIELDS = (
    ("bytes", r"(\d+)\(bytes\), \d+\(packets\)"),
    ("packets", r"\d+\(bytes\), (\d+)\(packets\)"),
    ("replay_window", r"stats:\s+replay-window (\d+)"),
    ("replay", r"stats:\s+replay-window \d+ replay (\d+)"),
    ("failed", r"stats:\s+replay-window \d+ replay \d+ failed (\d+)"),
    # From the anti-replay context on: the header's "seq" is not the SA's.
    ("seq_hi", r"anti-replay.*?\bseq-hi (0x[0-9a-f]+)"),
    ("seq", r"anti-replay.*?[ \t]seq (0x[0-9a-f]+)"),
    ("oseq_hi", r"anti-replay.*?\boseq-hi (0x[0-9a-f]+)"),
    ("oseq", r"anti-replay.*?\boseq (0x[0-9a-f]+)"),
)


def xfrm_counters(out):
    # Without xfrm_user there can be no states; don't load it for nothing.
    text = run("ip", "-s", "xfrm", "state") if os.path.isdir(
        "/sys/module/xfrm_user") else None
    # One block per state, each starting at a "src ... dst ..." line.
    for block in re.split(r"^(?=src )", text or "", flags=re.M):
        m = re.search(r"proto esp spi (0x[0-9a-f]+)", block)
        if not m:
            continue
        pre = "xfrm.%#x." % int(m.group(1), 16)
        for key, pat in FIELDS:
            f = re.search(pat, block, flags=re.S)
            if f:
                out[pre + key] = int(f.group(1), 0)
    for line in read("/proc/self/net/xfrm_stat").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out["xstat." + parts[0]] = int(parts[1])


def snmp_counters(out):
    lines = read("/proc/self/net/snmp").splitlines()
    # /proc/net/snmp: a line of names, then one of values, per protocol.
    for names, values in zip(lines, lines[1:]):
        n, v = names.split(), values.split()
        if (len(n) == len(v) > 1 and n[0] == v[0] and n[0].endswith(":")
                and not n[1].lstrip("-").isdigit()):
            for name, val in zip(n[1:], v[1:]):
                out["snmp.%s.%s" % (n[0][:-1], name)] = int(val)
    # /proc/net/snmp6: "Udp6InDatagrams 12".
    for line in read("/proc/self/net/snmp6").splitlines():
        m = re.match(r"(Udp6|Ip6|Icmp6)(\w+)\s+(\d+)$", line)
        if m:
            out["snmp.%s.%s" % (m.group(1), m.group(2))] = int(m.group(3))


def snapshot(namespaces, dev, full=True):
    out = {}
    for ns in namespaces:
        enter(ns)
        one = {}
        moat_counters(dev, one)
        if full:
            xfrm_counters(one)
            snmp_counters(one)
        out.update(("%s:%s" % (ns, k), v) for k, v in one.items())
    return out


def parse_until(cond):
    m = re.match(r"^([\w.-]+):(\S+?)>=(\d+)$", cond)
    if not m:
        sys.exit("bad condition %r (want NS:KEY>=N)" % cond)
    return m.group(1), "%s:%s" % (m.group(1), m.group(2)), int(m.group(3))


def main():
    args, until, timeout = sys.argv[1:], [], 10.0
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--until" and args:
            until.append(parse_until(args.pop(0)))
        elif opt == "--timeout" and args:
            timeout = float(args.pop(0))
        else:
            sys.exit(__doc__)
    if not args:
        sys.exit(__doc__)
    dev = os.environ.get("MOAT_DEV", "moat0")
    status = 0
    deadline = time.monotonic() + timeout
    # Only moat's own counters are polled: the others need more processes.
    while until:
        now = snapshot(sorted({ns for ns, _, _ in until}), dev, full=False)
        if all(now.get(key, 0) >= n for _, key, n in until):
            break
        if time.monotonic() > deadline:
            for _, key, n in until:
                print("counters: %s is %s, waited for %d" %
                      (key, now.get(key, "missing"), n), file=sys.stderr)
            status = 1
            break
        time.sleep(0.1)
    out = snapshot(args, dev)
    for key in sorted(out):
        print("%s=%s" % (key, out[key]))
    return status


if __name__ == "__main__":
    sys.exit(main())
