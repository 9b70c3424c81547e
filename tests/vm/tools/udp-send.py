#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send COUNT UDP datagrams with a given payload.  Stdlib only.

    udp-send.py DST PORT COUNT HEX

HEX is the payload in hex digits.  IPv6 if DST has a colon.  Prints how
many it sent.
"""

import socket
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    dst, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    payload = bytes.fromhex(sys.argv[4])
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(count):
        s.sendto(payload, (dst, port))
    print("sent %d" % count)


if __name__ == "__main__":
    main()
