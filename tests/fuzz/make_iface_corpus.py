#!/usr/bin/env python3
"""Writes the seeds of fuzz_iface (corpus/iface/) from the captured frames in
tests/unit/net/frames.h and ipv6_frames.h and a few fragment sequences. The input format is
described at the top of fuzz_iface.cpp: a flags byte, then [step][u16 len][frame]
records."""
import hashlib, os, re, socket, struct

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


def lcg_words(n, value=42):
    """fuzz_iface's LcgRandom: the words set_random and tcp_connect draw."""
    out = []
    for _ in range(n):
        value = (value * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(value)
    return out


def tcp6_port_and_isn(local, remote, connect_at):
    """The port and RFC 6528 ISN of fuzz_iface's connection to [remote]:80 opened at
    connect_at ms: four words seed the secret, the fifth picks the port (as
    Interface::tcp_connect and TcpIsnSource do)."""
    words = lcg_words(5)
    secret = b"".join(struct.pack("!I", w) for w in words[:4])
    port = 49152 + (words[4] & 16383)
    digest = hashlib.sha256(secret + local + struct.pack("!H", port) + remote +
                            struct.pack("!H", 80)).digest()
    return port, (connect_at * 250 + struct.unpack("!I", digest[:4])[0]) & 0xFFFFFFFF


def tcp6(src_mac, dst_mac, src, dst, sport, dport, seq, ack, flags, payload=b"", options=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(options)) << 2, flags,
                      65535, 0, 0) + options + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    seg = seg[:16] + struct.pack("!H", checksum(pseudo + seg)) + seg[18:]
    ip = struct.pack("!IHBB", 0x60000000, len(seg), 6, 64) + src + dst
    return dst_mac + src_mac + b"\x86\xdd" + ip + seg


def tcp6_seeds(g):
    """A whole connection over IPv6. dnsmasq's RA is unicast to our link-local
    address, so it is taken once that is ours, at 1024 ms; the connection opens
    after that poll, from the link-local address (the global one runs DAD until
    2024), to fd00:6d70::1, on-link. Its SYN waits for the NA (at 2048, to the
    global address), then the server's SYN-ACK, data out of order and in order, its
    FIN, and a SYN to a closed port; then the same with a bad checksum and a RST."""
    ours = socket.inet_pton(socket.AF_INET6, "fe80::5054:ff:fe12:3456")
    server = socket.inet_pton(socket.AF_INET6, "fd00:6d70::1")
    connect_at = 16 * 64
    port, isn = tcp6_port_and_isn(ours, server, connect_at)
    irs = 0x10203040

    def seg(seq, ack, flags, payload=b"", options=b"", sport=80, dport=port):
        return tcp6(SERVER_MAC, CLIENT_MAC, server, ours, sport, dport, seq, ack, flags, payload,
                    options)

    mss = struct.pack("!BBH", 2, 4, 1440) + b"\x01\x01\x04\x02\x01\x03\x03\x07"
    body = bytes((i * 11) & 0xFF for i in range(3000))
    exchange = [
        (16, g["NdpRaDnsmasq"]),
        (16, g["NdpNa"]),
        (1, seg(irs, isn + 1, 0x12, options=mss)),
        (1, seg(irs + 1 + 1400, isn + 1, 0x10, body[1400:2800])),
        (1, seg(irs + 1, isn + 1, 0x18, body[:1400])),
        (1, seg(irs + 1 + 2800, isn + 1, 0x19, body[2800:])),
        (1, seg(7, 0, 0x02, sport=40000, dport=80)),
    ]
    write("ipv6-tcp-exchange", script(IPV6 | CLIENT, exchange))
    bad = bytearray(exchange[2][1])
    bad[-1] ^= 1
    write("ipv6-tcp-bad-checksum-and-reset", script(IPV6 | CLIENT, exchange[:2] + [
        (1, bytes(bad)), (1, seg(0, isn + 1, 0x14)), (100, seg(7, 0, 0x02, sport=40000, dport=80))]))


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
    tcp6_seeds(g)
    write("bogus-sources", script(CONFIGURED | BOUND, [(0, bytes(zero_sender)), (0, bytes(group_source))]))


if __name__ == "__main__":
    main()
