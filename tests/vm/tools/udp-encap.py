#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold UDP port 4500 open with UDP_ENCAP_ESPINUDP set, as an IKE daemon
would, so that Linux XFRM receives ESP in UDP (RFC 3948) in this namespace.

    udp-encap.py [PORT] [--v6]

Prints "ready" once bound, then sleeps until it is killed.
"""

import signal
import socket
import sys

SOL_UDP = 17
UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2


def main():
    port = 4500
    fams = [socket.AF_INET]
    for arg in sys.argv[1:]:
        if arg == "--v6":
            fams.append(socket.AF_INET6)
        else:
            port = int(arg)
    socks = []
    for fam in fams:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", port))
        s.setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
        socks.append(s)
    print("ready", flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
