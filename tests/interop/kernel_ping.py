#!/usr/bin/env python3
"""Pings ADDRESS from the kernel's side with a raw ICMP socket (no ping(8)
needed): sends COUNT echo requests and prints one line per reply. Exits 0 when
every request was answered with the same identifier, sequence and data.
    kernel_ping.py ADDRESS [COUNT]"""
import os, select, socket, struct, sys, time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    address = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    answered = 0
    for seq in range(1, count + 1):
        data = b"kernel to mpxe %d" % seq
        header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        packet = struct.pack("!BBHHH", 8, 0, checksum(header + data), ident, seq) + data
        sent = time.monotonic()
        sock.sendto(packet, (address, 0))
        deadline = sent + 2.0
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sock], [], [], deadline - time.monotonic())
            if not ready:
                break
            reply, (source, _) = sock.recvfrom(2048)
            ihl = (reply[0] & 15) * 4
            icmp = reply[ihl:]
            rtype, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
            if source == address and rtype == 0 and rid == ident and rseq == seq:
                ok = icmp[8:] == data and checksum(icmp) == 0
                print("reply from %s: seq=%d time=%.3f ms%s" % (
                    source, seq, (time.monotonic() - sent) * 1000, "" if ok else " BAD"))
                answered += ok
                break
    print("%d/%d answered" % (answered, count))
    return 0 if answered == count else 1


if __name__ == "__main__":
    sys.exit(main())
