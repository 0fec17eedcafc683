#!/usr/bin/env python3
"""The subset of mcjoin v2.9 (troglobit/mcjoin, the program of the antrea/mcjoin:v2.9 image) that
Antrea's e2e tests and mcastctl probe use, for lab Pods: mcjoin is not packaged in Debian. Real
sockets in the caller's network namespace; options and output as v2.9 prints them with -o
(src/mcjoin.c main() getopt "b:c:df:hi:jl:op:st:vw:W:", show_stats(); src/receiver.c join_group();
src/sender.c send_socket(), send_mcast(); src/screen.c progress()).

Usage: mcjoin.py [-o] [-s] [-b BYTES] [-c COUNT] [-f MSEC] [-i IFACE] [-p PORT] [-t TTL]
                 [-w SEC] [-W SEC] [GROUP]
"""
import errno
import getopt
import os
import select
import signal
import socket
import struct
import sys
import time

MAGIC_KEY, SEQ_KEY, FREQ_KEY = "Sender PID ", "count: ", "freq: "
BUFSZ = 1606
out = sys.stdout


def say(text):
    out.write(text)
    out.flush()


def err(text):
    sys.stderr.write(text)
    sys.stderr.flush()


def default_iface():
    # src/addr.c ifdefault(): the interface of the default route in /proc/net/route, lowest metric.
    best, name = None, None
    with open("/proc/net/route") as f:
        next(f)
        for line in f:
            fields = line.split()
            if len(fields) < 8 or not int(fields[3], 16) & 1:
                continue
            if int(fields[1], 16) != 0 or int(fields[7], 16) != 0:
                continue
            metric = int(fields[6])
            if best is None or metric < best:
                best, name = metric, fields[0]
    return name


def iface_addr(iface):
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", iface.encode()[:15]))  # SIOCGIFADDR
        return socket.inet_ntoa(packed[20:24])
    except OSError:
        return None
    finally:
        s.close()


class Stats:
    def __init__(self, group):
        self.group = group
        self.count = self.bytes = self.invalid = self.delayed = self.gaps = self.order = self.dupes = 0
        self.seq = 0
        self.seen = []
        self.last_ok = True


ticks = 0


def progress():
    # src/screen.c progress(): "." every sixth call, then one of ".oOOo." and a backspace.
    global ticks
    text = "." if ticks % 6 == 0 else ""
    text += ".oOOo."[ticks % 6] + "\b"
    ticks += 1
    say(text)


def show_stats(g):
    sg = f"*,{g.group}"
    say(f"{sg}: invalid {g.invalid:<5} delay {g.delayed:<5} gaps {g.gaps:<5} reorder {g.order:<5} dupes {g.dupes:<5} bytes {g.bytes:<13} packets {g.count:<8}\n")
    say(f"\nTotal: {g.count} packets\n")
    up = int(time.time())  # with -o, start is never set: Uptime counts from the epoch
    d, r = divmod(up, 86400)
    h, r = divmod(r, 3600)
    m, s = divmod(r, 60)
    say(f"Uptime: {d}d {h:02}h {m:02}m {s:02}s\n")


def main():
    opts, args = getopt.getopt(sys.argv[1:], "b:c:df:hi:jl:op:st:vw:W:")
    o = dict(opts)
    size = int(o.get("-b", 100))
    count = int(o.get("-c", 0))
    period = int(o.get("-f", 100)) / 1000.0
    port = int(o.get("-p", 1234))
    ttl = int(o.get("-t", 1))
    sender = "-s" in o
    deadline = int(o.get("-W", 0))
    group = args[0] if args else "225.1.2.3"
    if "-w" in o:
        time.sleep(int(o["-w"]))
    iface = o.get("-i") or default_iface() or "eth0"
    g = Stats(group)
    stop = {"now": False}

    def on_signal(*_):
        stop["now"] = True
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    end = time.monotonic() + deadline if deadline else None

    if sender:
        addr = iface_addr(iface)
        if addr is None:
            err(f"Interface {iface} has no IPv4 address yet.\n")
            say("Failed initializing sender, return code 1, aborting.\n")
            return 1
        sd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        say(f"Sending IPv4 multicast on {iface} addr, {addr} ifindex: {socket.if_nametoindex(iface)}, sd: {sd.fileno()}\n")
        sd.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        sd.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack("4s4si", b"\0" * 4, b"\0" * 4, socket.if_nametoindex(iface)))
        sd.bind((addr, 0))
        seq = 0
        next_at = time.monotonic() + period
        while not stop["now"] and (end is None or time.monotonic() < end):
            time.sleep(max(0.0, next_at - time.monotonic()))
            next_at += period
            text = f"{MAGIC_KEY}{os.getpid()}, MC group {group} ... {SEQ_KEY}{seq}, {FREQ_KEY}{int(period * 1000)}".encode()
            sd.sendto(text.ljust(size, b"\0")[:size], (group, port))
            seq += 1
            g.count += 1
            g.bytes += size
            progress()
            if count and g.count >= count:
                break
        show_stats(g)
        say("\n")
        return 0

    ifindex = socket.if_nametoindex(iface)
    sd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sd.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sd.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sd.setsockopt(socket.IPPROTO_IP, 49, 0)  # IP_MULTICAST_ALL off, as mcjoin does
    sd.bind(("0.0.0.0", port))
    say(f"Joining (*,{group}) on {iface}, ifindex: {ifindex}, sd: {sd.fileno()}\n")
    try:
        sd.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4si", socket.inet_aton(group), b"\0" * 4, ifindex))
    except OSError as e:
        err(f"Failed * group ({group},joining) on sd {sd.fileno()} ... {e.errno}: {os.strerror(e.errno)}\n")
        say("Failed initializing receiver, return code 1, aborting.\n")
        return 1
    while not stop["now"] and (end is None or time.monotonic() < end):
        timeout = 0.1 if end is None else max(0.0, min(0.1, end - time.monotonic()))
        ready, _, _ = select.select([sd], [], [], timeout)
        if not ready:
            continue
        try:
            data = sd.recv(BUFSZ)
        except OSError as e:
            if e.errno == errno.EINTR:
                continue
            raise
        text = data.split(b"\0", 1)[0].decode(errors="replace")
        at = text.find(SEQ_KEY)
        g.bytes += len(data)
        g.count += 1
        if at < 0:
            g.invalid += 1
            continue
        seq = int(text[at + len(SEQ_KEY):].split(",")[0])
        if g.seq > 0 and g.seq != seq:
            if seq in g.seen:
                g.dupes += 1
            elif seq < g.seq:
                g.order += 1
            else:
                g.gaps += 1
        g.seen = (g.seen + [seq])[-1000:]
        g.seq = seq + 1
        progress()
        if count and g.count >= count:
            break
    show_stats(g)
    say("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
