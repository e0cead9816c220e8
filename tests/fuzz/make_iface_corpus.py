#!/usr/bin/env python3
"""Writes the seeds of fuzz_iface (corpus/iface/) from the captured frames in
tests/unit/net/frames.h and ipv6_frames.h and a few fragment sequences. The input format is
described at the top of fuzz_iface.cpp: a flags byte, then [step][u16 len][frame]
records."""
import os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = os.path.join(HERE, "..", "unit", "net", "frames.h")
FRAMES6 = os.path.join(HERE, "..", "unit", "net", "ipv6_frames.h")

CONFIGURED, CLIENT, BOUND, IPV6 = 1, 2, 4, 16
CLIENT_MAC = bytes.fromhex("525400123456")
SERVER_MAC = bytes.fromhex("525400abcdef")
CLIENT_IP = bytes([10, 77, 0, 2])
SERVER_IP = bytes([10, 77, 0, 1])


def load_frames(path=FRAMES):
    text = open(path).read()
    return {m.group(1): bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", m.group(2)))
            for m in re.finditer(r"inline constexpr uint8_t k(\w+)\[\] = \{([^}]*)\}", text)}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, ident, offset, more, payload):
    flags = (offset // 8) | (0x2000 if more else 0)
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64, proto, 0,
                       src, dst)
    head = head[:10] + struct.pack("!H", checksum(head)) + head[12:]
    return head + payload


def udp(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, length)
    head = struct.pack("!HHHH", sport, dport, length, 0)
    c = checksum(pseudo + head + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def eth(src, dst, payload):
    return dst + src + b"\x08\x00" + payload


def script(flags, frames):
    out = bytes([flags])
    for step, frame in frames:
        out += bytes([step]) + struct.pack("!H", len(frame)) + frame
    return out


def write(name, data):
    d = os.path.join(HERE, "corpus", "iface")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fragments(payload, chunk, order, ident=0x77):
    pieces = []
    for off in range(0, len(payload), chunk):
        more = off + chunk < len(payload)
        pieces.append(eth(SERVER_MAC, CLIENT_MAC,
                          ipv4(SERVER_IP, CLIENT_IP, 17, ident, off, more, payload[off:off + chunk])))
    return [pieces[i] for i in order]


def main():
    f = load_frames()
    write("server-arp-and-echo", script(CONFIGURED | BOUND, [
        (0, f["ArpRequest"]), (1, f["IcmpEchoRequest"]), (1, f["DnsQuery"])]))
    write("client-replies", script(CONFIGURED | CLIENT | BOUND, [
        (0x80, f["ArpReply"]), (1, f["IcmpEchoReply"]), (1, f["IcmpPortUnreachable"]),
        (1, f["TftpOackAtftpd"]), (1, f["TftpDataAtftpd"])]))
    write("unconfigured-offer", script(CLIENT | BOUND, [(0, f["DhcpOffer"])]))
    data = bytes((i * 13) & 0xFF for i in range(4000))
    datagram = udp(SERVER_IP, CLIENT_IP, 69, 50000, data)
    write("fragments-shuffled", script(CONFIGURED | CLIENT | BOUND,
                                       [(1, fr) for fr in fragments(datagram, 1480, [2, 0, 1])]))
    frs = fragments(datagram, 1480, [0, 1, 2])
    evil = bytearray(frs[1])
    evil[-1] ^= 0xFF
    write("fragments-overlap-timeout", script(CONFIGURED | CLIENT | BOUND, [
        (1, frs[0]), (1, frs[0]), (1, bytes(evil)), (1, frs[1]), (100, frs[2])]))

    # Bogus sources: an ARP request from MAC 00:00:00:00:00:00 (found by this
    # fuzzer: it was answered), and an echo request from a group MAC.
    zero_sender = bytearray(f["ArpRequest"])
    zero_sender[22:28] = bytes(6)
    group_source = bytearray(f["IcmpEchoRequest"])
    group_source[6] |= 1
    # IPv6 on (the client's MAC is the one the captures' Linux client had): our
    # DAD over after 1 s, then dnsmasq's RA, its NA and DNS answer, slirp's RA,
    # a defence of another address, a DAD probe and an unknown option.
    g = load_frames(FRAMES6)
    write("ipv6-dnsmasq", script(IPV6 | CLIENT | BOUND, [
        (16, g["NdpRaDnsmasq"]), (16, g["NdpNa"]), (0x80, g["Udp6DnsResponse"]),
        (1, g["NdpNaDefence"]), (1, g["NdpDadNs"]), (1, g["UdpDstOptsUnknown"]),
        (1, g["Icmpv6PortUnreachable"])]))
    write("ipv6-qemu", script(IPV6 | CLIENT | BOUND, [
        (0, g["NdpDadNs"]), (16, g["NdpRaQemu"]), (0x90, g["NdpNs"])]))
    write("bogus-sources", script(CONFIGURED | BOUND, [(0, bytes(zero_sender)), (0, bytes(group_source))]))


if __name__ == "__main__":
    main()
