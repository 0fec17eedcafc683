#!/usr/bin/env python3
"""Joins multicast groups on one interface from ONE socket, as antrea-agent does on a Node's
transport interface for the groups of its local receiver Pods. A join past
net.ipv4.igmp_max_memberships fails with ENOBUFS; like the agent, failed joins are retried
(every 0.2 s here) and every change of the count is printed: "joined K of N" or
"joined K of N; #I GROUP failed: errno ENOBUFS".
Usage: agent-joiner.py IFNAME GROUP..."""
import errno
import socket
import struct
import sys
import time

ifname, groups = sys.argv[1], sys.argv[2:]
ifindex = socket.if_nametoindex(ifname)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
joined = set()
last = None
while True:
    failure = ""
    for i, group in enumerate(groups):
        if group in joined:
            continue
        mreqn = struct.pack("4s4si", socket.inet_aton(group), b"\0" * 4, ifindex)
        try:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
            joined.add(group)
        except OSError as e:
            failure = f"; #{i + 1} {group} failed: errno {errno.errorcode.get(e.errno, e.errno)}"
            break
    line = f"joined {len(joined)} of {len(groups)}{failure}"
    if line != last:
        print(line, flush=True)
        last = line
    time.sleep(0.2)
