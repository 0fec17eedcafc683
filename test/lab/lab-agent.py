#!/usr/bin/env python3
"""The multicast socket of an antrea-agent, for a lab Node: ONE socket joins, on the transport
interface, the groups of the Node's receiver Pods (pkg/agent/multicast/mcast_socket_linux.go), so
a join past net.ipv4.igmp_max_memberships fails with ENOBUFS (net/ipv4/igmp.c). Reads commands
from stdin, one per line: "join IFACE GROUP" or "leave IFACE GROUP"; answers one line each:
"joined GROUP", "left GROUP" or "failed GROUP errno ENOBUFS"."""
import errno
import socket
import struct
import sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for line in sys.stdin:
    words = line.split()
    if len(words) != 3 or words[0] not in ("join", "leave"):
        print(f"bad command: {line.strip()}", flush=True)
        continue
    op, ifname, group = words
    mreqn = struct.pack("4s4si", socket.inet_aton(group), b"\0" * 4, socket.if_nametoindex(ifname))
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP if op == "join" else socket.IP_DROP_MEMBERSHIP, mreqn)
        print(f"{'joined' if op == 'join' else 'left'} {group}", flush=True)
    except OSError as e:
        print(f"failed {group} errno {errno.errorcode.get(e.errno, e.errno)}", flush=True)
