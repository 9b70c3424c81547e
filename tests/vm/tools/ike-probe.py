#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send IKE_SA_INIT requests as a legacy initiator would, and sort the
answers.  Stdlib only.

    ike-probe.py DST PORT COUNT [--marker] [--retry] [--pad N] [--ttl N]
                 [--timeout S]

Each request has a fresh SPI, an SA payload (AES-GCM-16/128,
HMAC-SHA2-256, X25519), a KE payload, a nonce and, with --pad, a Vendor
ID payload of N octets (the datagram may then be fragmented: DF is off).
--marker puts the non-ESP marker in front (port 4500). An answer is
"cookie" (HDR, N(COOKIE)), "puzzle" (HDR, N(COOKIE), N(PUZZLE)), "moatd"
(anything else: the daemon answered) or "none" (nothing within the
timeout).  With --retry a cookie or puzzle answer is followed by the same
request with the cookie first and no puzzle solution, as an initiator
that does not know RFC 8019 sends it; its answer is sorted the same way.
Prints first_KIND=N and retry_KIND=N for every kind.
"""

import os
import socket
import struct
import sys

N_COOKIE, N_PUZZLE = 16390, 16434
KINDS = ("cookie", "puzzle", "moatd", "none")


def payload(nxt, body):
    return struct.pack("!BBH", nxt, 0, 4 + len(body)) + body


def transform(last, ttype, tid, attr=b""):
    body = struct.pack("!BxH", ttype, tid) + attr
    return struct.pack("!BxH", 0 if last else 3, 4 + len(body)) + body


def sa_body():
    trans = (transform(False, 1, 20, struct.pack("!HH", 0x800E, 128)) +
             transform(False, 2, 5) + transform(True, 4, 31))
    prop = struct.pack("!BBBB", 1, 1, 0, 3) + trans
    return struct.pack("!BxH", 0, 4 + len(prop)) + prop


def request(spi, nonce, ke, cookie, pad):
    # (type, body) in order; each payload names the next one's type.
    chain = []
    if cookie:
        chain.append((41, struct.pack("!BBH", 0, 0, N_COOKIE) + cookie))
    chain += [(33, sa_body()), (34, struct.pack("!HH", 31, 0) + ke),
              (40, nonce)]
    if pad:
        chain.append((43, b"\x00" * pad))
    body = b""
    for i, (_, data) in enumerate(chain):
        nxt = chain[i + 1][0] if i + 1 < len(chain) else 0
        body += payload(nxt, data)
    hdr = spi + b"\x00" * 8 + struct.pack("!BBBBII", chain[0][0], 0x20, 34,
                                          0x08, 0, 28 + len(body))
    return hdr + body


def notify_type(msg, off):
    return struct.unpack("!H", msg[off + 6:off + 8])[0]


def sort_answer(msg, spi):
    """The kind of an answer to SPI, the cookie if any, or None if not ours."""
    if len(msg) < 28 or msg[:8] != spi:
        return None, None
    if msg[16] != 41 or len(msg) < 36 or notify_type(msg, 28) != N_COOKIE:
        return "moatd", None
    nlen = struct.unpack("!H", msg[30:32])[0]
    cookie = msg[36:28 + nlen]
    after = 28 + nlen
    if msg[28] == 41 and len(msg) >= after + 8 and \
            notify_type(msg, after) == N_PUZZLE:
        return "puzzle", cookie
    return "cookie", cookie


def exchange(s, dst, msg, spi, marker, timeout):
    s.sendto((b"\x00" * 4 if marker else b"") + msg, dst)
    s.settimeout(timeout)
    while True:
        try:
            data = s.recv(65535)
        except socket.timeout:
            return "none", None
        if marker:
            if data[:4] != b"\x00" * 4:
                continue
            data = data[4:]
        kind, cookie = sort_answer(data, spi)
        if kind:
            return kind, cookie


def option(args, name, conv, default):
    if name in args:
        i = args.index(name)
        val = conv(args[i + 1])
        del args[i:i + 2]
        return val
    return default


def main():
    args = sys.argv[1:]
    marker = "--marker" in args
    retry = "--retry" in args
    args = [a for a in args if a not in ("--marker", "--retry")]
    pad = option(args, "--pad", int, 0)
    ttl = option(args, "--ttl", int, 0)
    timeout = option(args, "--timeout", float, 1.0)
    if len(args) != 3:
        sys.exit(__doc__)
    fam = socket.AF_INET6 if ":" in args[0] else socket.AF_INET
    dst = (args[0], int(args[1]))
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER: DONT
        if ttl:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    elif ttl:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    counts = {p + k: 0 for p in ("first_", "retry_") for k in KINDS}
    for _ in range(int(args[2])):
        spi, nonce, ke = os.urandom(8), os.urandom(32), os.urandom(32)
        kind, cookie = exchange(s, dst, request(spi, nonce, ke, None, pad),
                                spi, marker, timeout)
        counts["first_" + kind] += 1
        if retry and cookie:
            kind, _ = exchange(s, dst, request(spi, nonce, ke, cookie, pad),
                               spi, marker, timeout)
            counts["retry_" + kind] += 1
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))


if __name__ == "__main__":
    main()
