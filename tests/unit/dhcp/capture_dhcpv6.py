#!/usr/bin/env python3
"""Captures the DHCPv6 exchanges that dhcpv6_frames.h holds, from servers no one here wrote.

Run as root from this folder: python3 capture_dhcpv6.py > dhcpv6_frames.h

The client side is this script; it sends what Dhcpv6Client sends (the same bytes:
dhcpv6_client_test checks that the client's Solicit, Request and
Information-Request equal the ones here), so the servers answer exactly what they
would answer the client.

dnsmasq 2.90: two namespaces joined by a veth pair; dnsmasq in one with
enable-ra, a one-address range, option6:bootfile-url, dns-server and
domain-search; this script in the other on a UDP socket bound to port 546 of the
link-local address fe80::5054:ff:fe12:3456 (the client's MAC 52:54:00:12:34:56).
  stateful   Solicit -> Advertise, Request -> Reply (IA_NA with the address)
  noaddrs    a second client (another DUID) solicits the one-address range:
             Advertise with Status Code NoAddrsAvail
  stateless  Information-Request -> Reply

slirp: QEMU 7.2's user network (-netdev user,ipv6=on) behind a hub whose other
port is a UDP socket netdev, with no machine at all (-M none): this script
writes Ethernet frames to that socket (a router solicitation, from which slirp
learns our MAC, then the Information-Request), answers a neighbour solicitation
for our link-local address should one come, and reads the Reply.

Namespaces and servers are removed (servers stopped by pid) on the way out.
"""
import functools, os, select, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from capture_lib import checksum, c_array, sh as capture_lib_sh  # noqa: E402
sh = functools.partial(capture_lib_sh, quiet=True)

NS_S, NS_C = "mpxe-d6cap-srv", "mpxe-d6cap-cli"
MAC = bytes.fromhex("525400123456")
LL = "fe80::5054:ff:fe12:3456"
GUID = bytes.fromhex("6a0b4d2c8e1f4a5b9c7d0e2f3a4b5c6d")
OTHER_GUID = bytes.fromhex("00112233445566778899aabbccddeeff")
IAID = 0x00123456
XID = {"solicit": 0x6D7078, "request": 0x657631, "other": 0x6F7468, "inform": 0x696E66,
       "slirp": 0x736C72}
PREFIX = "fd00:6d70:7865::"
SERVER = PREFIX + "1"
BOOT_URL = "tftp://[%s]/mpsh.efi" % SERVER
VENDOR = b"PXEClient:Arch:00007:UNDI:003016"

ORO_SOLICIT = [59, 60, 23, 24, 82]
ORO_INFORM = [59, 60, 23, 24, 83, 32]


def opt(code, value):
    return struct.pack("!HH", code, len(value)) + value


def message(msg_type, xid, guid=GUID, server_id=None, ia_address=None, ia=True, oro=ORO_SOLICIT):
    """A DHCPv6 message laid out exactly as Dhcpv6ClientMessage::emit() lays it out."""
    m = struct.pack("!I", (msg_type << 24) | xid)
    m += opt(1, struct.pack("!H", 4) + guid)
    if server_id:
        m += opt(2, server_id)
    m += opt(8, struct.pack("!H", 0))
    if ia:
        nested = b""
        if ia_address:
            nested = opt(5, socket.inet_pton(socket.AF_INET6, ia_address) + bytes(8))
        m += opt(3, struct.pack("!III", IAID, 0, 0) + nested)
    m += opt(6, b"".join(struct.pack("!H", c) for c in oro))
    m += opt(61, struct.pack("!H", 7))
    m += opt(62, bytes([1, 3, 0x10]))
    m += opt(16, struct.pack("!IH", 343, len(VENDOR)) + VENDOR)
    return m


def options(payload):
    out, pos = {}, 4
    while pos + 4 <= len(payload):
        code, length = struct.unpack("!HH", payload[pos:pos + 4])
        out.setdefault(code, payload[pos + 4:pos + 4 + length])
        pos += 4 + length
    return out


def ia_address_of(payload):
    ia = options(payload).get(3)
    if not ia:
        return None
    nested = options(b"\0" * 4 + ia[12:])
    if 5 not in nested:
        return None
    return socket.inet_ntop(socket.AF_INET6, nested[5][:16])


def in_ns(ns, *args, check=True):
    return sh("ip", "netns", "exec", ns, *args, check=check)


def exchange(sock, request, xid, wait=5.0):
    """Sends `request` to ff02::1:2 and returns (payload, source) of the first answer with `xid`."""
    sock.sendto(request, ("ff02::1:2", 547, 0, socket.if_nametoindex("veth-c")))
    deadline = time.time() + wait
    while time.time() < deadline:
        r, _, _ = select.select([sock], [], [], deadline - time.time())
        if not r:
            break
        data, src = sock.recvfrom(2048)
        if len(data) >= 4 and (struct.unpack("!I", data[:4])[0] & 0xFFFFFF) == xid:
            return data, src[0]
    raise SystemExit("no answer with xid %06x" % xid)


def capture_dnsmasq():
    tmp = tempfile.mkdtemp()
    pidfile = os.path.join(tmp, "dnsmasq.pid")
    leases = os.path.join(tmp, "leases")
    for ns in (NS_S, NS_C):
        sh("ip", "netns", "del", ns, check=False)
        sh("ip", "netns", "add", ns)
    pid = None
    try:
        sh("ip", "link", "add", "veth-s", "netns", NS_S, "type", "veth", "peer", "name", "veth-c",
           "netns", NS_C)
        in_ns(NS_C, "ip", "link", "set", "veth-c", "address", "52:54:00:12:34:56")
        in_ns(NS_C, "sysctl", "-q", "net.ipv6.conf.veth-c.addr_gen_mode=1")
        in_ns(NS_C, "sysctl", "-q", "net.ipv6.conf.veth-c.accept_ra=0")
        in_ns(NS_C, "ip", "addr", "add", LL + "/64", "dev", "veth-c", "nodad")
        in_ns(NS_S, "ip", "addr", "add", SERVER + "/64", "dev", "veth-s", "nodad")
        for ns, dev in ((NS_S, "veth-s"), (NS_C, "veth-c"), (NS_S, "lo"), (NS_C, "lo")):
            in_ns(ns, "ip", "link", "set", dev, "up")
        time.sleep(2)  # the server's link-local address leaves DAD
        in_ns(NS_S, "dnsmasq", "--port=0", "--interface=veth-s", "--bind-interfaces",
              "--pid-file=" + pidfile, "--dhcp-leasefile=" + leases, "--enable-ra",
              "--dhcp-range=%s100,%s100,64,1h" % (PREFIX, PREFIX),
              "--dhcp-option=option6:bootfile-url," + BOOT_URL,
              "--dhcp-option=option6:dns-server,[%s53]" % PREFIX,
              "--dhcp-option=option6:domain-search,boot.example",
              "--dhcp-option=option6:bootfile-param,mpsh,-v")
        pid = int(open(pidfile).read().strip())
        time.sleep(1)
        # The client side runs inside its namespace: a child of this script.
        out = subprocess.run(["ip", "netns", "exec", NS_C, sys.executable, __file__, "--client"],
                             check=True, stdout=subprocess.PIPE).stdout
        return eval(out.decode())
    finally:
        if pid:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        for ns in (NS_S, NS_C):
            sh("ip", "netns", "del", ns, check=False)


def client_side():
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LL, 546, 0, socket.if_nametoindex("veth-c")))
    got = {}
    solicit = message(1, XID["solicit"])
    advertise, src = exchange(sock, solicit, XID["solicit"])
    got["solicit"], got["advertise"], got["server_ll"] = solicit, advertise, src
    request = message(3, XID["request"], server_id=options(advertise)[2],
                      ia_address=ia_address_of(advertise))
    reply, _ = exchange(sock, request, XID["request"])
    got["request"], got["reply"] = request, reply
    other = message(1, XID["other"], guid=OTHER_GUID)
    got["other_solicit"] = other
    got["noaddrs_advertise"], _ = exchange(sock, other, XID["other"])
    inform = message(11, XID["inform"], ia=False, oro=ORO_INFORM)
    got["inform"] = inform
    got["inform_reply"], _ = exchange(sock, inform, XID["inform"])
    print(repr(got))


def ipv6_frame(dst_mac, src, dst, next_header, body):
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s + d + struct.pack("!IxxxB", len(body), next_header)
    csum_at = 6 if next_header == 17 else 2
    body = body[:csum_at] + struct.pack("!H", checksum(pseudo + body)) + body[csum_at + 2:]
    hop = 1 if next_header == 17 else 255
    header = struct.pack("!IHBB", 6 << 28, len(body), next_header, hop) + s + d
    return dst_mac + MAC + b"\x86\xdd" + header + body


def capture_slirp():
    tmp = tempfile.mkdtemp()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    ours = sock.getsockname()[1]
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    theirs = probe.getsockname()[1]
    probe.close()
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-M", "none", "-nographic", "-nodefaults", "-monitor", "none",
         "-serial", "none",
         "-netdev", "user,id=u0,ipv6=on,tftp=%s,bootfile=mpsh.efi" % tmp,
         "-netdev", "socket,id=s0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (ours, theirs),
         "-netdev", "hubport,id=h0,hubid=0,netdev=u0",
         "-netdev", "hubport,id=h1,hubid=0,netdev=s0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        inform = message(11, XID["slirp"], ia=False, oro=ORO_INFORM)
        udp = struct.pack("!HHHH", 546, 547, 8 + len(inform), 0) + inform
        frame = ipv6_frame(bytes.fromhex("333300010002"), LL, "ff02::1:2", 17, udp)
        # A router solicitation first, as a client sends one: its source link-layer
        # option is how slirp learns where to send the Reply.
        rs = struct.pack("!BBHI", 133, 0, 0, 0) + bytes([1, 1]) + MAC
        sock.sendto(ipv6_frame(bytes.fromhex("333300000002"), LL, "ff02::2", 58, rs),
                    ("127.0.0.1", theirs))
        deadline = time.time() + 10
        sent_at = 0
        while time.time() < deadline:
            if time.time() - sent_at > 1:
                sock.sendto(frame, ("127.0.0.1", theirs))
                sent_at = time.time()
            r, _, _ = select.select([sock], [], [], 0.2)
            if not r:
                continue
            f, _ = sock.recvfrom(4096)
            if len(f) < 54 or f[12:14] != b"\x86\xdd":
                continue
            nh, src = f[20], socket.inet_ntop(socket.AF_INET6, f[22:38])
            body = f[54:]
            if nh == 58 and body[0] == 135:  # neighbour solicitation: answer for us
                target = body[8:24]
                if socket.inet_ntop(socket.AF_INET6, target) == LL:
                    na = struct.pack("!BBHI", 136, 0, 0, 0x60000000) + target + bytes([2, 1]) + MAC
                    sock.sendto(ipv6_frame(f[6:12], LL, src, 58, na), ("127.0.0.1", theirs))
            # slirp stores port 547 in host order where network order belongs: on
            # x86 its Reply leaves from port 8962 (0x2302).
            elif nh == 17 and struct.unpack("!H", body[2:4])[0] == 546:
                payload = body[8:]
                if (struct.unpack("!I", payload[:4])[0] & 0xFFFFFF) == XID["slirp"]:
                    return {"slirp_inform": inform, "slirp_reply": payload, "slirp_server": src,
                            "slirp_port": struct.unpack("!H", body[0:2])[0]}
        raise SystemExit("slirp did not answer")
    finally:
        qemu.terminate()
        qemu.wait()


def main():
    if "--client" in sys.argv:
        client_side()
        return
    got = capture_dnsmasq()
    got.update(capture_slirp())
    out = ["// DHCPv6 messages (UDP payloads) captured by capture_dhcpv6.py: dnsmasq 2.90 and",
           "// QEMU 7.2's slirp answering the client's own messages. Regenerate, do not edit.",
           "#pragma once", "", "#include <cstdint>", "", "namespace mpxe::net::test::v6frames {", ""]
    out.append('inline constexpr char kDnsmasqLinkLocal[] = "%s";' % got["server_ll"].split("%")[0])
    out.append('inline constexpr char kSlirpServer[] = "%s";' % got["slirp_server"])
    out.append("// The source port of slirp's Reply (547 byte-swapped: a slirp bug).")
    out.append("inline constexpr uint16_t kSlirpSourcePort = %d;" % got["slirp_port"])
    out.append("")
    for key, name, comment in [
            ("solicit", "kSolicit", "Our Solicit (xid 6d7078, DUID-UUID, IAID 00123456)"),
            ("advertise", "kDnsmasqAdvertise", "dnsmasq's Advertise to it"),
            ("request", "kRequest", "Our Request for the advertised address (xid 657631)"),
            ("reply", "kDnsmasqReply", "dnsmasq's Reply: IA_NA with the address, DNS, domain, boot URL"),
            ("other_solicit", "kOtherSolicit", "Another client's Solicit (xid 6f7468) once the range is used up"),
            ("noaddrs_advertise", "kDnsmasqNoAddrsAdvertise", "dnsmasq's Advertise with NoAddrsAvail"),
            ("inform", "kInformationRequest", "Our Information-Request (xid 696e66)"),
            ("inform_reply", "kDnsmasqInformReply", "dnsmasq's Reply to it"),
            ("slirp_inform", "kSlirpInformationRequest", "Our Information-Request to slirp (xid 736c72)"),
            ("slirp_reply", "kSlirpReply", "slirp's Reply: Client ID, DNS, boot URL, no Server ID")]:
        out.append(c_array(name, comment, got[key], per_line=12))
        out.append("")
    out.append("}  // namespace mpxe::net::test::v6frames")
    print("\n".join(out))


if __name__ == "__main__":
    main()
