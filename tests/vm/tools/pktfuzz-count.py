#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The bookkeeping of tests/vm/scenarios/40-packet-fuzz.sh.

    pktfuzz-count.py snap NS FILE       save NS's counters as JSON, and
                                        print one line per SA of NS's
                                        moat0: DIR SPI SEQ (SPI in hex)
    pktfuzz-count.py check MODE NS BEFORE GEN-OUTPUT [--timeout SECS]

check compares what reached moat in NS since BEFORE, by the kernel's own
counters, with what moat counted, for one moat-pktfuzz run in MODE (data,
ptb, noise, quiet); GEN-OUTPUT is what the run printed.  Moat decrypts
asynchronously, so it polls until both sides have been equal and still
for a second (SECS, default 30, at most); then it prints the books and
exits 0 if they balance, 1 if not.  The equations are in the scenario's
header.  Run in the VM, as root.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import counters  # noqa: E402  (enter, run, read)

DEV = os.environ.get("MOAT_DEV", "moat0")


def snmp(out):
    """Ip, Udp, Icmp, IcmpMsg of /proc/net/snmp and the IPv6 twins."""
    lines = counters.read("/proc/self/net/snmp").splitlines()
    for names, values in zip(lines, lines[1:]):
        n, v = names.split(), values.split()
        if (len(n) == len(v) > 1 and n[0] == v[0] and
                not n[1].lstrip("-").isdigit()):
            for name, val in zip(n[1:], v[1:]):
                out[n[0][:-1] + "." + name] = int(val)
    for line in counters.read("/proc/self/net/snmp6").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    for line in counters.read("/proc/self/net/xfrm_stat").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])


def moat_stats(out):
    """moat0's link counters (link.*) and its peers' PTB counters."""
    for link in json.loads(counters.run("moat", "-j", "-s", "link", "show",
                                        "dev", DEV) or "[]"):
        for key, val in link.get("stats", {}).items():
            out["link." + key] = val
    for key in ("ptb_accepted", "ptb_rejected", "ptb_clamped"):
        out["peers." + key] = 0
    for peer in json.loads(counters.run("moat", "-j", "-s", "peer", "show",
                                        "dev", DEV) or "[]"):
        for key in ("ptb_accepted", "ptb_rejected", "ptb_clamped"):
            out["peers." + key] += peer.get("stats", {}).get(key, 0)


def snapshot(ns):
    counters.enter(ns)
    out = {}
    snmp(out)
    moat_stats(out)
    return out


def sas():
    for sa in json.loads(counters.run("moat", "-j", "sa", "show", "dev",
                                      DEV) or "[]"):
        print("%s %#x %d" % (sa["dir"], sa["spi"], sa.get("seq", 0)))


# Runs this long must have reached every path they aim at; shorter ones
# (by hand) may miss a rare one.
FULL = {"data": 20000, "ptb": 5000, "noise": 2000, "quiet": 0}
DATA_PATHS = ("rx_packets", "rx_replayed", "rx_outside_window", "rx_icv_fail",
              "rx_bad_trailer", "rx_selector", "rx_too_short", "rx_bad_inner",
              "rx_unknown_spi", "rx_ike_dropped")


def books(mode, before, now, sent):
    """(lines to print, whether they balance, what to watch) for one run."""
    def d(key):
        return now.get(key, 0) - before.get(key, 0)

    udp4 = d("Udp.InDatagrams") + d("Udp.NoPorts") + d("Udp.InErrors")
    udp6 = d("Udp6InDatagrams") + d("Udp6NoPorts") + d("Udp6InErrors")
    # What IP delivered, less UDP and ICMP, is what went to the ESP
    # protocol handler (nothing else is sent to this namespace).
    esp4 = d("Ip.InDelivers") - udp4 - d("Icmp.InMsgs")
    esp6 = d("Ip6InDelivers") - udp6 - d("Icmp6InMsgs")
    # Every UDP datagram that reaches moat's encap_rcv is consumed there.
    encap = d("Udp.InDatagrams") + d("Udp6InDatagrams")
    reached = esp4 + esp6 + encap
    raw_short = d("XfrmInHdrError")
    rx = {k[5:]: d(k) for k in set(now) | set(before)
          if k.startswith("link.rx_") and k != "link.rx_bytes"}
    counted = sum(rx.values())
    ptb = sum(d("peers." + k) for k in
              ("ptb_accepted", "ptb_rejected", "ptb_clamped"))
    icmp_ptb = d("IcmpMsg.InType3") + d("Icmp6InType2")
    icmp_in = d("Icmp.InMsgs") + d("Icmp6InMsgs")
    quiet = sent.get("keepalive", 0) + sent.get("dummy", 0)

    lines = [
        "reached moat: raw ESP %d over IPv4, %d over IPv6; %d UDP "
        "datagrams to its encap socket" % (esp4, esp6, encap),
        "  (raw ESP under 8 bytes, left to XFRM: %d; UDP dropped before "
        "moat: %d; ICMP in: %d)" % (raw_short, d("Udp.InErrors") +
                                     d("Udp6InErrors"), icmp_in),
        "counted by moat: %d = %s" % (counted, " + ".join(
            "%s %d" % (k, v) for k, v in sorted(rx.items()) if v) or "0"),
        "PTBs judged: %d (accepted %d, rejected %d, clamped %d); "
        "ICMP Frag Needed/PTB in: %d" % (
            ptb, d("peers.ptb_accepted"), d("peers.ptb_rejected"),
            d("peers.ptb_clamped"), icmp_ptb),
    ]
    if mode == "data":
        ok = counted + raw_short == reached and ptb == 0
        lines.append("books: counted %d + raw<8 %d %s reached %d, PTBs %d"
                     % (counted, raw_short,
                        "==" if counted + raw_short == reached else "!=",
                        reached, ptb))
    elif mode == "quiet":
        kept = sent.get("keepalive", 0)
        ok = (counted == rx.get("rx_nat_keepalive", 0) == kept and
              raw_short == 0 and reached == quiet)
        lines.append("books: reached %d %s keepalives + dummies sent %d, "
                     "counted %d (want rx_nat_keepalive only, %d)" % (
                         reached, "==" if reached == quiet else "!=",
                         quiet, counted, kept))
    elif mode == "ptb":
        ok = ptb == icmp_ptb and counted == 0 and reached == 0
        lines.append("books: PTBs judged %d %s PTBs delivered %d, "
                     "counted %d, reached %d (want 0)" % (
                         ptb, "==" if ptb == icmp_ptb else "!=", icmp_ptb,
                         counted, reached))
    else:
        ok = ptb == 0 and counted == 0 and reached == 0
        lines.append("books: PTBs judged %d, counted %d, reached %d "
                     "(want 0 each)" % (ptb, counted, reached))
    # Balanced books prove little if everything took one path.
    missed = []
    if sent.get("frames", 0) >= FULL[mode]:
        if mode == "data":
            missed = [k for k in DATA_PATHS if rx.get(k, 0) <= 0]
        elif mode == "ptb":
            missed = [k for k in ("ptb_accepted", "ptb_rejected",
                                  "ptb_clamped") if d("peers." + k) <= 0]
        elif mode == "noise" and icmp_in <= 0:
            missed = ["ICMP in"]
    if missed:
        lines.append("never reached: " + ", ".join(missed))
    return lines, ok and not missed, (reached, counted, raw_short, ptb,
                                      icmp_ptb)


def gen_sent(path):
    """{class: datagrams, "frames": all frames} from moat-pktfuzz's
    output."""
    sent = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 6 and p[0] == "class":
                sent[p[1]] = int(p[3])
            elif len(p) == 7 and p[0] == "total":
                sent["frames"] = int(p[4])
    return sent


def check(mode, ns, before_path, gen_path, timeout):
    with open(before_path) as f:
        before = json.load(f)
    sent = gen_sent(gen_path)
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while True:
        now = snapshot(ns)
        lines, ok, key = books(mode, before, now, sent)
        if key != last:
            last, since = key, time.monotonic()
        elif ok and time.monotonic() - since >= 1.0:
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.3)
    print("\n".join(lines))
    return 0 if ok else 1


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "snap":
        snap = snapshot(a[1])
        with open(a[2], "w") as f:
            json.dump(snap, f)
        sas()
        return 0
    timeout = 30.0
    if len(a) == 7 and a[5] == "--timeout":
        timeout = float(a[6])
        a = a[:5]
    if len(a) == 5 and a[0] == "check" and a[1] in (
            "data", "ptb", "noise", "quiet"):
        return check(a[1], a[2], a[3], a[4], timeout)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
