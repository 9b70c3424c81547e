#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Drive the moat module hard over raw netlink, faster than the moat tool can
(one process for thousands of requests: every process start costs ~0.1 s
under TCG).  Stdlib only; run in the VM as root.

  moat-stress.py peers DEV COUNT NTS
      add COUNT peers to DEV, NTS IPv4 selectors (/24) each; prints
      "added COUNT peers x NTS selectors in MS ms".
  moat-stress.py race-dev NAME [--senders K] [--ts N] [--iterations I]
                 [--seconds S]
      K processes send PEER_NEW (encap udp, N selectors each) to device
      NAME without pause while the main process adds NAME, waits a varying
      moment, deletes it, and checks that no UDP socket is left on port
      4500; I times or S seconds, whichever ends first.  Each sender's
      tally counts ENODEV-dying for a request that found the device but
      was refused because it was being deleted: the race, caught.
  moat-stress.py race-netns NAME [--senders K] [--ts N] [--iterations I]
                 [--seconds S]
      the same, but NAME lives in this namespace while its outer namespace
      (where its ESP and UDP socket live) is a fresh one that goes away
      under the senders: a child unshares a network namespace, creates
      NAME there with IFLA_NET_NS_PID pointing here, and exits.
  moat-stress.py sa-race SPI COUNT DEV:PEER...
      one process per DEV:PEER adds inbound SAs SPI, SPI+1, ...
      SPI+COUNT-1 to it, in that order, all starting at once.  Prints
      what each got and why it was refused; exits 1 unless every SPI went
      to exactly one of them.

Exit status: 0 when everything held, 1 when a check failed (with a line
saying which), 2 on bad usage.
"""

import ctypes
import os
import signal
import socket
import struct
import sys
import time

NETLINK_ROUTE = 0
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_ACK_TLVS = 0x200  # on an NLMSG_ERROR: extack attributes follow
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_GETLINK = 18
IFLA_IFNAME = 3
IFLA_LINKINFO = 18
IFLA_NET_NS_PID = 19
IFLA_INFO_KIND = 1

# include/uapi/linux/moat.h
MOAT_CMD_PEER_NEW = 3
MOAT_CMD_SA_NEW = 6
MOAT_A_IFNAME = 2
MOAT_A_PEER = 4
MOAT_A_SA = 5
MOAT_PEER_A_REMOTE4 = 2
MOAT_PEER_A_ENCAP = 6
MOAT_PEER_A_TS = 9
MOAT_TS_A_ENTRY = 1
MOAT_TS_A_ADDR4 = 2
MOAT_TS_A_PREFIXLEN = 4
MOAT_SA_A_SPI = 2
MOAT_SA_A_DIR = 3
MOAT_SA_A_ALG = 4
MOAT_SA_A_KEY = 5
MOAT_SA_A_ICV_BITS = 6
MOAT_DIR_IN = 1
MOAT_ENCAP_UDP = 1

CLONE_NEWNET = 0x40000000
ERRNO_NAMES = {0: "ok", 1: "EPERM", 2: "ENOENT", 12: "ENOMEM", 16: "EBUSY",
               17: "EEXIST", 19: "ENODEV", 22: "EINVAL", 28: "ENOSPC",
               98: "EADDRINUSE"}


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def die(msg):
    print("moat-stress: " + msg, file=sys.stderr)
    sys.exit(1)


def attr(kind, data):
    return struct.pack("=HH", 4 + len(data), kind) + data + \
        b"\0" * (-len(data) % 4)


def nest(kind, *parts):
    return attr(kind | NLA_F_NESTED, b"".join(parts))


def a_u8(kind, v):
    return attr(kind, struct.pack("=B", v))


def a_u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def a_str(kind, s):
    return attr(kind, s.encode() + b"\0")


def parse_attrs(data):
    out, off = {}, 0
    while off + 4 <= len(data):
        ln, kind = struct.unpack_from("=HH", data, off)
        if ln < 4:
            break
        out[kind & 0x3FFF] = data[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


class Netlink:
    """One netlink socket; request() sends one message and waits for its
    acknowledgement."""

    def __init__(self, proto):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0

    def request(self, msgtype, payload, flags=0):
        """Returns (errno, extack message, [reply bodies])."""
        self.seq += 1
        self.sock.send(struct.pack("=IHHII", 16 + len(payload), msgtype,
                                   flags | NLM_F_REQUEST | NLM_F_ACK,
                                   self.seq, 0) + payload)
        replies = []
        while True:
            data = self.sock.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                ln, kind, fl, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue
                if kind == NLMSG_DONE:
                    return 0, "", replies
                if kind != NLMSG_ERROR:
                    replies.append(body)
                    continue
                err = -struct.unpack_from("=i", body)[0]
                msg = ""
                if fl & NLM_F_ACK_TLVS:
                    # CAP_ACK: the request comes back as its header only.
                    tlv = parse_attrs(body[4 + 16:])
                    msg = tlv.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
                    msg = msg.decode(errors="replace")
                return err, msg, replies


class Genl(Netlink):
    """The moat genetlink family."""

    def __init__(self):
        super().__init__(NETLINK_GENERIC)
        err, msg, rep = self.request(
            GENL_ID_CTRL, struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) +
            a_str(CTRL_ATTR_FAMILY_NAME, "moat"))
        if err or not rep:
            die("no moat genetlink family (%d %s)" % (err, msg))
        fam = parse_attrs(rep[0][4:]).get(CTRL_ATTR_FAMILY_ID)
        self.family = struct.unpack("=H", fam)[0]

    def cmd(self, cmd, payload):
        return self.request(self.family,
                            struct.pack("=BBH", cmd, 1, 0) + payload)[:2]


class Rtnl(Netlink):
    def __init__(self):
        super().__init__(NETLINK_ROUTE)

    @staticmethod
    def ifinfo():
        return struct.pack("=BxHiII", 0, 0, 0, 0, 0)

    def newlink(self, name, netns_pid=None):
        extra = a_u32(IFLA_NET_NS_PID, netns_pid) if netns_pid else b""
        return self.request(RTM_NEWLINK, self.ifinfo() +
                            a_str(IFLA_IFNAME, name) +
                            nest(IFLA_LINKINFO, a_str(IFLA_INFO_KIND, "moat")) +
                            extra, NLM_F_CREATE | NLM_F_EXCL)[:2]

    def dellink(self, name):
        return self.request(RTM_DELLINK, self.ifinfo() +
                            a_str(IFLA_IFNAME, name))[:2]

    def exists(self, name):
        return self.request(RTM_GETLINK, self.ifinfo() +
                            a_str(IFLA_IFNAME, name))[0] == 0


def ip4(n):
    return struct.pack("!I", n)


def peer_new(dev, remote, selectors, udp):
    """A PEER_NEW payload: REMOTE4 @remote (an int), /24 selectors at the
    ints in @selectors."""
    ts = [nest(MOAT_TS_A_ENTRY, attr(MOAT_TS_A_ADDR4, ip4(s)),
               a_u8(MOAT_TS_A_PREFIXLEN, 24)) for s in selectors]
    peer = [attr(MOAT_PEER_A_REMOTE4, ip4(remote))]
    if udp:
        peer.append(a_u8(MOAT_PEER_A_ENCAP, MOAT_ENCAP_UDP))
    peer.append(nest(MOAT_PEER_A_TS, *ts))
    return a_str(MOAT_A_IFNAME, dev) + nest(MOAT_A_PEER, *peer)


def sa_new_in(dev, remote, spi):
    sa = [a_u32(MOAT_SA_A_SPI, spi), a_u8(MOAT_SA_A_DIR, MOAT_DIR_IN),
          a_str(MOAT_SA_A_ALG, "rfc4106(gcm(aes))"),
          attr(MOAT_SA_A_KEY, bytes(range(20))),
          a_u32(MOAT_SA_A_ICV_BITS, 128)]
    return a_str(MOAT_A_IFNAME, dev) + \
        nest(MOAT_A_PEER, attr(MOAT_PEER_A_REMOTE4, socket.inet_aton(remote))) + \
        nest(MOAT_A_SA, *sa)


def parse_opts(args, spec):
    """--name VALUE options of @spec (name -> default int) off @args."""
    opts = dict(spec)
    rest = []
    while args:
        a = args.pop(0)
        if a.startswith("--") and a[2:] in spec and args:
            opts[a[2:]] = int(args.pop(0))
        else:
            rest.append(a)
    return opts, rest


# --- peers -----------------------------------------------------------------

def cmd_peers(args):
    if len(args) != 3:
        usage()
    dev, count, nts = args[0], int(args[1]), int(args[2])
    if count * nts > 1 << 16:
        die("at most 65536 selectors (10.0.0.0/8 in /24s)")
    nl = Genl()
    t0 = time.monotonic()
    for i in range(count):
        # Peer i: remote 100.64.0.0 + i, selectors 10.x.y.0/24, all distinct.
        sel = [0x0A000000 | ((i * nts + j) << 8) for j in range(nts)]
        err, msg = nl.cmd(MOAT_CMD_PEER_NEW,
                          peer_new(dev, 0x64400000 + i, sel, False))
        if err:
            die("peer %d of %d: error %d (%s): %s" %
                (i + 1, count, err, ERRNO_NAMES.get(err, "?"), msg))
    print("added %d peers x %d selectors in %d ms" %
          (count, nts, (time.monotonic() - t0) * 1000))


# --- the races -------------------------------------------------------------

def udp_4500_bound():
    """Lines of /proc/net/udp{,6} in this namespace bound to port 4500."""
    found = []
    for path in ("/proc/self/net/udp", "/proc/self/net/udp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        found += [ln.strip() for ln in lines
                  if ln.split()[1].endswith(":1194")]
    return found


STOP = False


def on_term(*_):
    global STOP
    STOP = True


def sender(name, index, nts, out_fd):
    """Sends PEER_NEW for 16 peers in turn until SIGTERM; writes the tally
    of outcomes to @out_fd."""
    signal.signal(signal.SIGTERM, on_term)
    nl = Genl()
    msgs = []
    for m in range(16):
        peer = index * 16 + m  # < 256: one 10.peer.0.0/16 each
        sel = [0x0A000000 | (peer << 16) | (j << 8) for j in range(nts)]
        msgs.append(peer_new(name, 0xC6120000 | (peer << 8) | 1, sel, True))
    tally = {}
    i = 0
    while not STOP:
        err, msg = nl.cmd(MOAT_CMD_PEER_NEW, msgs[i % 16])
        i += 1
        key = ERRNO_NAMES.get(err, str(err))
        if err == 19 and "deleted" in msg:  # got the device, then too late
            key = "ENODEV-dying"
        tally[key] = tally.get(key, 0) + 1
    os.write(out_fd, (" ".join("%s=%d" % kv for kv in sorted(tally.items()))
                      + "\n").encode())
    os._exit(0)


def start_senders(name, k, nts):
    procs = []
    for index in range(k):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                sender(name, index, nts, w)
            finally:
                os._exit(1)
        os.close(w)
        procs.append((pid, r))
    return procs


def stop_senders(procs):
    tallies = []
    for pid, _ in procs:
        os.kill(pid, signal.SIGTERM)
    for pid, r in procs:
        os.waitpid(pid, 0)
        tallies.append(os.read(r, 4096).decode().strip() or "(no tally)")
        os.close(r)
    return tallies


def jitter(i):
    """A pause of 0..40 ms that differs from one iteration to the next."""
    time.sleep(((i * 7919) % 41) / 1000.0)


class Kmsg:
    """New kernel log records since this was made, without blocking."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(self.fd, 0, os.SEEK_END)

    def complaints(self):
        found = []
        while True:
            try:
                rec = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                return found
            except BrokenPipeError:  # overrun: records were lost
                continue
            text = rec.partition(";")[2].strip()
            if text.startswith(("WARNING:", "BUG:", "refcount_t")):
                found.append(text)


def race_loop(name, opts, one):
    """Runs @one(iteration) while senders hammer @name; returns the count.
    A kernel warning ends the loop at once, since what follows it proves
    nothing."""
    kmsg = Kmsg()
    procs = start_senders(name, opts["senders"], opts["ts"])
    end = time.monotonic() + opts["seconds"]
    n, failure = 0, None
    try:
        while n < opts["iterations"] and time.monotonic() < end:
            failure = one(n)
            n += 1
            warned = kmsg.complaints()
            if warned and not failure:
                failure = "the kernel warned: " + warned[0]
            if failure:
                break
    finally:
        tallies = stop_senders(procs)
    total = {}
    for i, t in enumerate(tallies):
        print("  sender %d: %s" % (i, t))
        for kv in t.split():
            k, _, v = kv.partition("=")
            total[k] = total.get(k, 0) + int(v or 0)
    if failure:
        die("iteration %d: %s" % (n, failure))
    if not total.get("ok") or not (total.get("ENODEV") or
                                   total.get("ENODEV-dying")):
        die("the senders never raced a deletion (%s): nothing was tested" %
            total)
    return n


def cmd_race_dev(args):
    opts, rest = parse_opts(args, {"senders": 4, "ts": 256,
                                   "iterations": 200, "seconds": 60})
    if len(rest) != 1:
        usage()
    name = rest[0]
    rt = Rtnl()

    def one(i):
        err, msg = rt.newlink(name)
        if err:
            return "ip link add %s: error %d %s" % (name, err, msg)
        jitter(i)
        err, msg = rt.dellink(name)
        if err:
            return "ip link del %s: error %d %s" % (name, err, msg)
        bound = udp_4500_bound()
        if bound:
            return ("UDP port 4500 still bound after %s was deleted "
                    "(a peer outlived its device): %s" % (name, bound))
        return None

    n = race_loop(name, opts, one)
    print("race-dev: %d rounds of add, PEER_NEW x %d senders, del; "
          "port 4500 free after each" % (n, opts["senders"]))


def libc_unshare(flags):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "unshare: " + os.strerror(err))


def outer_namespace_child(name, parent, ready_w, go_r):
    """In a new network namespace: create @name in @parent's namespace,
    say so on @ready_w, and wait until @go_r closes."""
    try:
        libc_unshare(CLONE_NEWNET)
        err, msg = Rtnl().newlink(name, netns_pid=parent)
        os.write(ready_w, ("%d %s" % (err, msg)).encode())
        os.read(go_r, 1)
    finally:
        os._exit(0)


def cmd_race_netns(args):
    opts, rest = parse_opts(args, {"senders": 4, "ts": 256,
                                   "iterations": 200, "seconds": 60})
    if len(rest) != 1:
        usage()
    name = rest[0]
    rt = Rtnl()
    parent = os.getpid()
    waits = []

    def one(i):
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(go_w)
            outer_namespace_child(name, parent, ready_w, go_r)
        os.close(ready_w)
        os.close(go_r)
        status = os.read(ready_r, 4096).decode()
        os.close(ready_r)
        jitter(i)
        os.close(go_w)  # the child exits: its namespace goes
        os.waitpid(pid, 0)
        if not status.startswith("0 "):
            return "creating %s from a new namespace: %s" % (name, status)
        # Namespaces are dismantled by a worker, later: wait for the device.
        t0 = time.monotonic()
        while rt.exists(name):
            if time.monotonic() - t0 > 30:
                return "%s still here 30 s after its outer namespace went" % name
            time.sleep(0.01)
        waits.append(time.monotonic() - t0)
        return None

    n = race_loop(name, opts, one)
    print("race-netns: %d outer namespaces deleted under PEER_NEW x %d "
          "senders; their devices went within %.1f s (at most)" %
          (n, opts["senders"], max(waits or [0])))


# --- inbound SPI uniqueness ------------------------------------------------

def sa_racer(dev, remote, base, count, go_r, out_w):
    """Adds inbound SAs base..base+count-1 to @dev, in order, once @go_r
    opens; writes the SPIs it got, then the refusals' messages."""
    try:
        nl = Genl()
        msgs = [sa_new_in(dev, remote, base + i) for i in range(count)]
        os.read(go_r, 1)
        won, why = [], set()
        for i, msg in enumerate(msgs):
            err, text = nl.cmd(MOAT_CMD_SA_NEW, msg)
            if err == 0:
                won.append("%#x" % (base + i))
            else:
                why.add("%s: %s" % (ERRNO_NAMES.get(err, err), text))
        os.write(out_w, ("%s\n%s" % (" ".join(won), "; ".join(sorted(why))))
                 .encode())
    finally:
        os._exit(0)


def cmd_sa_race(args):
    """Every racer walks the same SPIs in the same order.  Whoever is
    behind is refused quickly and catches up, so the racers keep meeting
    on one SPI at the same moment: where the check and the insertion are
    not atomic, both get it."""
    if len(args) < 4:
        usage()
    base, count = int(args[0], 0), int(args[1])
    go_r, go_w = os.pipe()
    racers = []
    for target in args[2:]:
        dev, _, remote = target.partition(":")
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(go_w)  # or the start signal never comes
            os.close(out_r)
            sa_racer(dev, remote, base, count, go_r, out_w)
        os.close(out_w)
        racers.append((pid, out_r, target))
    os.close(go_r)
    time.sleep(0.2)  # let every racer get ready
    os.close(go_w)
    winners = {}
    for pid, out_r, target in racers:
        chunks = []
        while True:
            chunk = os.read(out_r, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.waitpid(pid, 0)
        os.close(out_r)
        won, _, why = b"".join(chunks).decode().partition("\n")
        print("%s: %d SAs; refused: %s" % (target, len(won.split()),
                                            why or "-"))
        for spi in won.split():
            winners.setdefault(spi, []).append(target)
    bad = ["%s to %s" % (spi, " and ".join(t))
           for spi, t in sorted(winners.items()) if len(t) != 1]
    missing = count - len(winners)
    print("sa-race: %d SPIs, %d racers: %d taken once, %d more than once, "
          "%d by nobody" % (count, len(racers), len(winners) - len(bad),
                            len(bad), missing))
    if bad or missing:
        die("SPIs not taken exactly once: %s" % ", ".join(bad[:10]))


def main():
    cmds = {"peers": cmd_peers, "race-dev": cmd_race_dev,
            "race-netns": cmd_race_netns, "sa-race": cmd_sa_race}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        usage()
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
