#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read ESP packets from a pcap file and send them (again), changed or not;
forge ESP packets; send bursts of inner UDP datagrams.  Stdlib only.

  esp-inject.py list PCAP [--spi SPI]
      one line per ESP packet: index spi seq esp-length encap
  esp-inject.py send PCAP --dst ADDR [--spi SPI] [--udp [PORT]]
                [--pkt I[:icv|:cutN]]...
      send the ESP part (header to ICV) of captured packets again: raw
      ESP (IP protocol 50) to ADDR, or to UDP PORT (4500) of ADDR with
      --udp.  Each --pkt sends packet I (0 = the first with that SPI) as
      it was, with one bit of its last byte (the ICV) flipped (:icv), or
      cut to its first N bytes (:cutN); in the order given, back to back.
      Without --pkt: every packet, unchanged, in capture order.
  esp-inject.py forge --dst ADDR --spi SPI [--seq N] [--len N]
                [--count N] [--udp [PORT]]
      send COUNT packets of LEN bytes: SPI, SEQ (+1 each), random bytes.
  esp-inject.py burst --dst ADDR --count N [--port P] [--size N] [--pps R]
      send N UDP datagrams of SIZE bytes to ADDR:P (inner traffic), at
      most R a second if given.

Every sending command prints how many packets it sent.  (No argparse:
python starts slowly enough in the VM as it is.)
"""

import os
import socket
import struct
import sys
import time

ESP = 50
UDP = 17
NAT_T_PORT = 4500


def pcap_records(path):
    """Yield (linktype, frame bytes) for each record of a classic pcap."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a pcap file (pcapng is not supported)" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        yield linktype, data[off:off + incl]
        off += incl


def l3_of(linktype, frame):
    """The IP packet inside a link-layer frame, or None."""
    ip_types = (b"\x08\x00", b"\x86\xdd")
    if linktype == 1:  # Ethernet
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8"):  # VLAN tags
            etype = frame[off + 2:off + 4]
            off += 4
        return frame[off:] if etype in ip_types else None
    if linktype == 113:  # Linux cooked (SLL)
        return frame[16:] if frame[14:16] in ip_types else None
    if linktype == 276:  # SLL2
        return frame[20:] if frame[0:2] in ip_types else None
    if linktype in (12, 101, 228, 229):  # raw IP
        return frame
    return None


def esp_of(pkt):
    """(esp bytes, 'raw'|'udp') of an IP packet carrying ESP, or None."""
    if not pkt:
        return None
    version = pkt[0] >> 4
    if version == 4:
        ihl = (pkt[0] & 0xF) * 4
        total = struct.unpack("!H", pkt[2:4])[0]
        if struct.unpack("!H", pkt[6:8])[0] & 0x3FFF:
            return None  # a fragment
        proto, payload = pkt[9], pkt[ihl:total]
    elif version == 6:
        plen = struct.unpack("!H", pkt[4:6])[0]
        proto, payload = pkt[6], pkt[40:40 + plen]
    else:
        return None
    if proto == ESP:
        return payload, "raw"
    if proto == UDP and len(payload) >= 8:
        body = payload[8:struct.unpack("!H", payload[4:6])[0]]
        # RFC 3948: a keepalive is one 0xff byte; a zero marker is IKE.
        if len(body) >= 8 and body[:4] != b"\0\0\0\0":
            return body, "udp"
    return None


def esp_packets(path, spi=None):
    """[(esp bytes, encap)] from a pcap, optionally only one SPI's."""
    found = []
    for linktype, frame in pcap_records(path):
        got = esp_of(l3_of(linktype, frame))
        if not got or len(got[0]) < 8:
            continue
        if spi is not None and struct.unpack("!I", got[0][:4])[0] != spi:
            continue
        found.append(got)
    return found


def sender(dst, udp_port):
    """A socket and the address tuple that send bare ESP to dst."""
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    if udp_port:
        return socket.socket(fam, socket.SOCK_DGRAM), (dst, udp_port)
    return socket.socket(fam, socket.SOCK_RAW, ESP), (dst, 0)


def changed(esp, how):
    if how == "icv":
        b = bytearray(esp)
        b[-1] ^= 0x01
        return bytes(b)
    if how.startswith("cut"):
        return esp[:int(how[3:])]
    if how:
        sys.exit("unknown change %r (icv or cutN)" % how)
    return esp


def cmd_list(o):
    for i, (esp, encap) in enumerate(esp_packets(o["pcap"], o.get("spi"))):
        spi, seq = struct.unpack("!II", esp[:8])
        print("%d %#x %d %d %s" % (i, spi, seq, len(esp), encap))


def cmd_send(o):
    pkts = esp_packets(o["pcap"], o.get("spi"))
    specs = o.get("pkt") or [str(i) for i in range(len(pkts))]
    sock, dst = sender(o["dst"], o.get("udp"))
    for spec in specs:
        idx, _, how = spec.partition(":")
        sock.sendto(changed(pkts[int(idx)][0], how), dst)
    print("sent %d" % len(specs))


def cmd_forge(o):
    sock, dst = sender(o["dst"], o.get("udp"))
    length, seq = o.get("len", 64), o.get("seq", 1)
    for n in range(o.get("count", 1)):
        head = struct.pack("!II", o["spi"], (seq + n) & 0xFFFFFFFF)
        sock.sendto((head + os.urandom(max(length - 8, 0)))[:length], dst)
    print("sent %d" % o.get("count", 1))


def cmd_burst(o):
    fam = socket.AF_INET6 if ":" in o["dst"] else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    payload = b"m" * o.get("size", 64)
    pps, dst = o.get("pps"), (o["dst"], o.get("port", 9))
    start, sent = time.monotonic(), 0
    for n in range(o["count"]):
        if pps and n % 50 == 0:
            ahead = start + n / pps - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        try:
            sock.sendto(payload, dst)
            sent += 1
        except OSError:  # ENOBUFS and the like: the count says so
            pass
    print("sent %d" % sent)


COMMANDS = {
    # name: (function, positional args, {option: type}, required options)
    "list": (cmd_list, ["pcap"], {"spi": "num"}, ()),
    "send": (cmd_send, ["pcap"],
             {"dst": "str", "spi": "num", "udp": "port", "pkt": "list"},
             ("dst",)),
    "forge": (cmd_forge, [],
              {"dst": "str", "spi": "num", "seq": "num", "len": "num",
               "count": "num", "udp": "port"}, ("dst", "spi")),
    "burst": (cmd_burst, [],
              {"dst": "str", "count": "num", "port": "num", "size": "num",
               "pps": "float"}, ("dst", "count")),
}


def parse(argv):
    if not argv or argv[0] not in COMMANDS:
        sys.exit(__doc__)
    fn, positional, types, required = COMMANDS[argv[0]]
    args, opts, pos = argv[1:], {}, []
    while args:
        a = args.pop(0)
        if not a.startswith("--"):
            pos.append(a)
            continue
        name = a[2:]
        kind = types.get(name)
        if kind is None:
            sys.exit("%s: unknown option %s" % (argv[0], a))
        if kind == "port":  # --udp [PORT]
            opts[name] = (int(args.pop(0)) if args and args[0].isdigit()
                          else NAT_T_PORT)
            continue
        if not args:
            sys.exit("%s needs a value" % a)
        val = args.pop(0)
        if kind == "num":
            opts[name] = int(val, 0)
        elif kind == "float":
            opts[name] = float(val)
        elif kind == "list":
            opts.setdefault(name, []).append(val)
        else:
            opts[name] = val
    if len(pos) != len(positional):
        sys.exit("%s takes %s" % (argv[0], " ".join(positional) or
                                  "no positional arguments"))
    opts.update(zip(positional, pos))
    for name in required:
        if name not in opts:
            sys.exit("%s needs --%s" % (argv[0], name))
    return fn, opts


def main():
    fn, opts = parse(sys.argv[1:])
    fn(opts)


if __name__ == "__main__":
    main()
