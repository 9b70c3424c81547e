#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Relay Ethernet frames between two interfaces, re-fragmenting ESP so
that the first fragment holds no more than the start of the packet.

    refrag-relay.py IF1 IF2

A bridge in userspace (AF_PACKET on both interfaces): every frame that
comes in on one goes out on the other unchanged, except IPv4 and IPv6
packets that carry ESP (IP protocol 50, or UDP to port 4500 that is not
IKE or a keepalive).  Each of those leaves as two fragments: the first
holds the IP header and only the first 8 bytes of the payload (raw ESP:
the ESP header) or, for ESP in UDP, in turn 8 (the UDP header) and 16
(the UDP and ESP headers); the second holds the rest.  IPv4 fragments get
an identification of their own, IPv6 ones a Fragment header.  UDP
checksums are computed again (the sender may have left them to offload).
Packets that already are fragments go on unchanged.

Prints "ready" once both sockets are bound.  On SIGTERM it prints
"relayed N raw N udp8 N udp16 N errors N" (frames relayed, packets split
each way, frames it failed to send) and exits.  Stdlib only.
"""

import os
import select
import signal
import socket
import struct
import sys

from inet import csum

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_IGNORE_OUTGOING = 23
SO_RCVBUFFORCE = 33
ESP, UDP, FRAG6 = 50, 17, 44
NAT_T_PORT = 4500

counts = {"relayed": 0, "raw": 0, "udp8": 0, "udp16": 0, "errors": 0}



def esp_kind(proto, payload):
    """'raw' or 'udp' when PAYLOAD (of IP protocol PROTO) is ESP."""
    if proto == ESP and len(payload) > 8:
        return "raw"
    if proto == UDP and len(payload) > 16:
        dport = struct.unpack("!H", payload[2:4])[0]
        if dport == NAT_T_PORT and payload[8:12] != b"\0\0\0\0":
            return "udp"
    return None


def udp_fixed(udp, pseudo):
    """The UDP datagram with its checksum computed over PSEUDO and it."""
    c = csum(pseudo + udp[:6] + b"\0\0" + udp[8:]) or 0xFFFF
    return udp[:6] + struct.pack("!H", c) + udp[8:]


def split4(ip, first):
    """(how, fragments) for IPv4 packet IP, or None to leave it alone."""
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        return None  # already a fragment
    proto, payload = ip[9], ip[ihl:total]
    kind = esp_kind(proto, payload)
    if not kind:
        return None
    if kind == "udp" and payload[6:8] != b"\0\0":
        payload = udp_fixed(payload, ip[12:20] +
                            struct.pack("!BBH", 0, UDP, len(payload)))
    first = 8 if kind == "raw" else first
    ident = struct.unpack("!H", os.urandom(2))[0]
    frags = []
    for off, part, more in ((0, payload[:first], 1),
                            (first, payload[first:], 0)):
        hdr = bytearray(ip[:ihl])
        struct.pack_into("!HHH", hdr, 2, ihl + len(part), ident,
                         (more << 13) | (off // 8))  # DF off
        hdr[10:12] = b"\0\0"
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        frags.append(bytes(hdr) + part)
    return kind if kind == "raw" else "udp%d" % first, frags


def split6(ip, first):
    """(how, fragments) for IPv6 packet IP, or None to leave it alone."""
    plen = struct.unpack("!H", ip[4:6])[0]
    proto, payload = ip[6], ip[40:40 + plen]
    kind = esp_kind(proto, payload)
    if not kind:
        return None  # extension headers, fragments: left alone
    if kind == "udp":
        payload = udp_fixed(payload, ip[8:40] +
                            struct.pack("!IxxxB", len(payload), UDP))
    first = 8 if kind == "raw" else first
    ident = struct.unpack("!I", os.urandom(4))[0]
    frags = []
    for off, part, more in ((0, payload[:first], 1),
                            (first, payload[first:], 0)):
        hdr = bytearray(ip[:40])
        struct.pack_into("!H", hdr, 4, 8 + len(part))
        hdr[6] = FRAG6
        fh = struct.pack("!BBHI", proto, 0, off | more, ident)
        frags.append(bytes(hdr) + fh + part)
    return kind if kind == "raw" else "udp%d" % first, frags


def relay(frame, out, udp_first):
    """Send FRAME on OUT, re-fragmented if it is ESP (UDP_FIRST: how much
    of ESP in UDP goes into the first fragment).  Returns how it was split:
    "raw", "udp8", "udp16", or None."""
    etype, got, how = frame[12:14], None, None
    if etype == b"\x08\x00" and len(frame) >= 34:
        got = split4(frame[14:], udp_first)
    elif etype == b"\x86\xdd" and len(frame) >= 54:
        got = split6(frame[14:], udp_first)
    try:
        if got:
            how, frags = got
            for frag in frags:
                out.send(frame[:14] + frag)
            counts[how] += 1
        else:
            out.send(frame)
        counts["relayed"] += 1
    except OSError:  # ENOBUFS and the like: the count says so
        counts["errors"] += 1
        return None
    return how


def stop(_sig, _frame):
    print(" ".join("%s %d" % kv for kv in counts.items()), flush=True)
    os._exit(0)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    socks = []
    for name in sys.argv[1:]:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20)
        s.bind((name, 0))
        socks.append(s)
    other = {socks[0]: socks[1], socks[1]: socks[0]}
    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    # ESP in UDP: 8, 16, 8, ... bytes in the first fragment, each way.
    udp_first = {s: 8 for s in socks}
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            how = relay(s.recv(65535), other[s], udp_first[s])
            if how and how.startswith("udp"):
                udp_first[s] = 24 - udp_first[s]


if __name__ == "__main__":
    main()
