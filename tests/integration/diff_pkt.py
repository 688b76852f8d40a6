#!/usr/bin/env python3
"""Deterministic traffic for the differential bridge tests (difflib.bash).

  send IFACE --src MAC --dst MAC [--kind udp|raw] [--dport N] [--len N]
       [--count N] [--gap-us N] [--sip A --dip A]
      Sends COUNT identical frames of LEN bytes (Ethernet header included)
      through an AF_PACKET socket, GAP_US microseconds apart (0: back to back).
      udp: a valid IPv4/UDP datagram (br_netfilter validates the header);
      raw: EtherType 0x88b5 (local experimental), never touched by any stack.
      Prints "sent N in SECONDS, N refused" (refused: the first hop dropped it).

  sniff IFACE OUT READY
      Counts every frame that IFACE receives (not the ones it sends) until
      SIGTERM, then writes one line per kind of frame to OUT:
      "SRC>DST KIND len=N frames=N". Link-local destinations (STP BPDUs, whose
      number depends on time) are left out. READY is created once the socket
      is bound, so no frame sent after it is missed.
"""
import argparse
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_RAW = 0x88B5
PACKET_OUTGOING = 4
PAYLOAD = b"zstack-tna differential "


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(raw):
    return ":".join("%02x" % b for b in raw)


def ip_checksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def payload(n):
    return (PAYLOAD * (n // len(PAYLOAD) + 1))[:max(n, 0)]


def frame(a):
    eth = mac_bytes(a.dst) + mac_bytes(a.src)
    if a.kind == "raw":
        return eth + struct.pack("!H", ETH_P_RAW) + payload(a.len - 14)
    data = payload(a.len - 14 - 20 - 8)
    udp = struct.pack("!HHHH", 40000, a.dport, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(a.sip), socket.inet_aton(a.dip))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return eth + struct.pack("!H", ETH_P_IP) + ip + udp


def send(a):
    f = frame(a)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    start = time.monotonic()
    gap = a.gap_us / 1e6
    refused = 0
    for i in range(a.count):
        if gap:
            # Paced against the start, so sleep jitter does not add up.
            delay = start + i * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            s.send(f)
        except OSError:
            # The first hop dropped it (ENOBUFS: veth to a port whose MTU is
            # too small); the link counters record that.
            refused += 1
    print("sent %d in %.3f, %d refused" % (a.count, time.monotonic() - start, refused))


def kind_of(raw):
    etype = struct.unpack("!H", raw[12:14])[0]
    if etype == ETH_P_IP and len(raw) >= 34:
        proto = raw[23]
        ihl = (raw[14] & 0x0F) * 4
        if proto == 17 and len(raw) >= 14 + ihl + 4:
            return "udp:%d" % struct.unpack("!H", raw[14 + ihl + 2:14 + ihl + 4])[0]
        if proto == 1 and len(raw) > 14 + ihl:
            return "icmp:%d" % raw[14 + ihl]
        return "ip:%d" % proto
    if etype == ETH_P_ARP and len(raw) >= 22:
        return "arp:%d" % struct.unpack("!H", raw[20:22])[0]
    return "eth:0x%04x" % etype


def sniff(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((a.iface, ETH_P_ALL))
    s.settimeout(0.05)
    open(a.ready, "w").close()
    counts = {}
    while True:
        try:
            raw, addr = s.recvfrom(65536)
        except socket.timeout:
            if stop:
                break
            continue
        except OSError:
            # ENETDOWN once when the link goes down; the socket receives
            # again when it comes back up.
            continue
        if addr[2] == PACKET_OUTGOING or len(raw) < 14:
            continue
        if raw[0:5] == b"\x01\x80\xc2\x00\x00" and raw[5] < 0x10:
            continue
        key = "%s>%s %s len=%d" % (mac_text(raw[6:12]), mac_text(raw[0:6]), kind_of(raw),
                                   len(raw))
        counts[key] = counts.get(key, 0) + 1
    with open(a.out, "w") as f:
        for key in sorted(counts):
            f.write("%s frames=%d\n" % (key, counts[key]))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send")
    ps.add_argument("iface")
    ps.add_argument("--src", required=True)
    ps.add_argument("--dst", required=True)
    ps.add_argument("--kind", choices=("udp", "raw"), default="udp")
    ps.add_argument("--dport", type=int, default=7000)
    ps.add_argument("--len", type=int, default=200)
    ps.add_argument("--count", type=int, default=1)
    ps.add_argument("--gap-us", type=int, default=0)
    ps.add_argument("--sip", default="10.9.0.1")
    ps.add_argument("--dip", default="10.9.0.2")
    pn = sub.add_parser("sniff")
    pn.add_argument("iface")
    pn.add_argument("out")
    pn.add_argument("ready")
    a = p.parse_args()
    if a.cmd == "send":
        if a.len < (14 if a.kind == "raw" else 42):
            sys.exit("diff_pkt.py: --len %d is shorter than the headers" % a.len)
        send(a)
    else:
        sniff(a)


if __name__ == "__main__":
    main()
