#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Answer live IPv6 ESP with forged ICMPv6 Packet Too Big, as a host on
the sender's link would: the source address is whatever it is told.

    ptb6-forge.py IFACE ESP_SRC MTU COUNT FROM... [--timeout SECS]

Sniffs IPv6 frames on IFACE.  For each of the first COUNT packets from
ESP_SRC that carry ESP (next header 50, or UDP to port 4500 that is not
IKE), it sends ESP_SRC one Packet Too Big claiming MTU from each FROM
address, quoting the packet (its IPv6 and ESP headers, so a live SPI and
sequence number, cut to fit 1280 bytes).  The frame goes straight back to
the sender's MAC address on IFACE, so no route or address of ours is
involved.  Prints "ready" once it listens, then one line per PTB
("ptb from FROM spi SPI seq SEQ"), then "forged N".  Exit status 1 when
SECS (default 20) pass before COUNT packets were answered.  Stdlib only.
"""

import socket
import struct
import sys
import time

from inet import csum

ETH_P_IPV6 = 0x86DD
ESP, UDP, ICMPV6 = 50, 17, 58
ICMPV6_PKT_TOOBIG = 2
NAT_T_PORT = 4500
MIN_MTU = 1280



def esp_header(ip):
    """The 8-byte ESP header an IPv6 packet carries, or None."""
    nexthdr, payload = ip[6], ip[40:]
    if nexthdr == ESP and len(payload) >= 8:
        return payload[:8]
    if nexthdr == UDP and len(payload) >= 16:
        dport = struct.unpack("!H", payload[2:4])[0]
        if dport == NAT_T_PORT and payload[8:12] != b"\0\0\0\0":
            return payload[8:16]
    return None


def ptb(src, dst, mtu, quoted):
    """An IPv6 packet: ICMPv6 Packet Too Big from SRC to DST."""
    quoted = quoted[:MIN_MTU - 40 - 8]
    icmp = struct.pack("!BBHI", ICMPV6_PKT_TOOBIG, 0, 0, mtu) + quoted
    pseudo = src + dst + struct.pack("!I3xB", len(icmp), ICMPV6)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    hdr = struct.pack("!IHBB", 6 << 28, len(icmp), ICMPV6, 64) + src + dst
    return hdr + icmp


def main():
    args = sys.argv[1:]
    timeout = 20.0
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    if len(args) < 5:
        sys.exit(__doc__)
    iface, esp_src, mtu, count = args[0], args[1], int(args[2]), int(args[3])
    esp_src = socket.inet_pton(socket.AF_INET6, esp_src)
    sources = [(a, socket.inet_pton(socket.AF_INET6, a)) for a in args[4:]]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_IPV6))
    sock.bind((iface, 0))
    sock.settimeout(0.2)
    print("ready", flush=True)
    end = time.monotonic() + timeout
    answered = forged = 0
    while answered < count and time.monotonic() < end:
        try:
            frame, addr = sock.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ip = frame[14:]
        if len(ip) < 48 or ip[8:24] != esp_src:
            continue
        esph = esp_header(ip)
        if not esph:
            continue
        # Back to where the packet came from: swap the MAC addresses.
        eth = frame[6:12] + frame[0:6] + frame[12:14]
        spi, seq = struct.unpack("!II", esph)
        for name, src in sources:
            sock.send(eth + ptb(src, esp_src, mtu, ip))
            print("ptb from %s spi %#x seq %d" % (name, spi, seq))
            forged += 1
        answered += 1
    print("forged %d" % forged, flush=True)
    return 0 if answered == count else 1


if __name__ == "__main__":
    sys.exit(main())
