#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the TCP SYNs and SYN-ACKs in a pcap: their MSS and checksum.

    syn-check.py PCAP

One line per SYN or SYN-ACK (IPv4 or IPv6, Ethernet or Linux cooked
capture), in capture order:

    syn|synack SRC DST mss N|none csum ok|bad

The checksum is computed from the captured bytes (pseudo-header
included), so capture where the packets arrive, not where a local stack
sent them with checksum offload.  Stdlib only.
"""

import socket
import struct
import sys

from inet import csum

TCP = 6


def pcap_frames(path):
    """(linktype, frame) for each record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif data[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a pcap file" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        off += 16
        if incl == orig:  # a cut packet cannot be checked
            yield linktype, data[off:off + incl]
        off += incl


def ip_of(linktype, frame):
    if linktype == 1 and frame[12:14] in (b"\x08\x00", b"\x86\xdd"):
        return frame[14:]
    if linktype == 113 and frame[14:16] in (b"\x08\x00", b"\x86\xdd"):
        return frame[16:]
    return None



def tcp_of(ip):
    """(src, dst, pseudo-header, TCP segment) of an IP packet, or None."""
    if ip[0] >> 4 == 4:
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if ip[9] != TCP or struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
            return None
        seg = ip[ihl:total]
        pseudo = ip[12:20] + struct.pack("!BBH", 0, TCP, len(seg))
        fam, src, dst = socket.AF_INET, ip[12:16], ip[16:20]
    elif ip[0] >> 4 == 6:
        if ip[6] != TCP:
            return None
        seg = ip[40:40 + struct.unpack("!H", ip[4:6])[0]]
        pseudo = ip[8:40] + struct.pack("!I3xB", len(seg), TCP)
        fam, src, dst = socket.AF_INET6, ip[8:24], ip[24:40]
    else:
        return None
    return (socket.inet_ntop(fam, src), socket.inet_ntop(fam, dst), pseudo,
            seg)


def mss_of(seg):
    opts = seg[20:(seg[12] >> 4) * 4]
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if kind == 2 and opts[i + 1] == 4:
            return struct.unpack("!H", opts[i + 2:i + 4])[0]
        i += opts[i + 1]
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for linktype, frame in pcap_frames(sys.argv[1]):
        ip = ip_of(linktype, frame)
        got = tcp_of(ip) if ip else None
        if not got or len(got[3]) < 20:
            continue
        src, dst, pseudo, seg = got
        flags = seg[13]
        if not flags & 0x02:
            continue
        mss = mss_of(seg)
        print("%s %s %s mss %s csum %s" % (
            "synack" if flags & 0x10 else "syn", src, dst,
            "none" if mss is None else mss,
            "ok" if csum(pseudo + seg) == 0 else "bad"))


if __name__ == "__main__":
    main()
