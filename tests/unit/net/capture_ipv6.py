#!/usr/bin/env python3
"""Captures the real IPv6 frames that ipv6_frames.h holds, from peers no one here wrote.

Run as root, from anywhere:  python3 capture_ipv6.py > ipv6_frames.h
It makes two network namespaces joined by a veth pair (transmit checksum offload
off, so the captured checksums are real) and starts dnsmasq in one with router
advertisements (two prefixes, MTU, RDNSS) and DNS. The client's Linux kernel then
brings its link up while the client's veth is sniffed: its DAD, router
solicitation and SLAAC come from the kernel, the echo requests, UDP datagrams with
extension headers and the DNS query from sockets here. Then QEMU's user network
(libslirp, `-netdev user,ipv6=on`) is asked for its router advertisement: a QEMU
with no guest (`-machine none`) joins it to a UDP socket through a hub, and a
router solicitation goes in as a raw frame. The frames it wants are written as a
C++ header to stdout; everything it started is stopped by pid and the namespaces
deleted.

With --tcp (python3 capture_ipv6.py --tcp > ../iface/tcp6_frames.h) it captures
instead a Linux HTTP server's side of one whole TCP exchange over IPv6, as mpxe's
interface would run it in interface_tcp6_test.cpp: the client's kernel has IPv6
off and this script sends the client's segments from a packet socket, from
mpxe's SLAAC address, port and RFC 6528 ISN for the random words the test feeds
the interface (TCP_RANDOM_WORDS, connecting at TCP_CONNECT_AT ms), so the
server's SYN-ACK, data and FIN are what the interface must accept.

With --mld (python3 capture_ipv6.py --mld > mld_frames.h) it captures MLD instead:
a Linux bridge in one namespace is the MLD querier (multicast snooping, querier
on, 1 s query interval), a client kernel with the same MAC in the other answers
it. The client's MLDv2 reports as its link comes up and as it answers the
bridge's General Query, the bridge's General and Multicast Address Specific
queries (the latter after the client leaves a group), then, with the bridge
switched to MLDv1, its v1 General Query and the client's v1 report.
"""
import functools, hashlib, os, shutil, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from capture_lib import checksum, c_array, record_frames, tx_checksum_off, sh as capture_lib_sh  # noqa: E402
sh = functools.partial(capture_lib_sh, quiet=True)

SRV, CLI = "mpxe-v6-srv", "mpxe-v6-cli"
CLIENT_MAC = bytes.fromhex("525400123456")
SERVER_MAC = bytes.fromhex("525400abcdef")
SERVER_IP = "fd00:6d70::1"
SERVER_IP2 = "fd00:6d71::1"
CONTESTED_IP = "fd00:6d70::99"  # the server holds it; the client tries to claim it
# --tcp: mpxe's SLAAC address from dnsmasq's prefix, and what its interface draws.
TCP_CLIENT_IP = "fd00:6d70::5054:ff:fe12:3456"
TCP_RANDOM_WORDS = (0x6D707865, 0x74637036, 0x49535321, 0x53454544, 0x0000C0DE)
TCP_CONNECT_AT = 3000
TCP_MSS = 1400 - 60  # the RA's MTU less the IPv6 and TCP headers
TCP_WINDOW_SHIFT = 7  # TcpConfig's 4 MiB window
HTTP_REQUEST = b"GET /boot.efi HTTP/1.1\r\nHost: [fd00:6d70::1]\r\nConnection: close\r\n\r\n"
HTTP_BODY = bytes((i * 7 + (i >> 8)) & 0xFF for i in range(4000))
HTTP_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(HTTP_BODY)) + HTTP_BODY


def setup(tcp=False):
    sh("ip", "netns", "add", SRV)
    sh("ip", "netns", "add", CLI)
    sh("ip", "link", "add", "m6-s", "netns", SRV, "type", "veth", "peer", "m6-c", "netns", CLI)
    sh("ip", "-n", CLI, "link", "set", "m6-c", "address", "52:54:00:12:34:56")
    sh("ip", "-n", SRV, "link", "set", "m6-s", "address", "52:54:00:ab:cd:ef")
    # The server's addresses are usable at once (no DAD), so dnsmasq advertises at start.
    sh("ip", "netns", "exec", SRV, "sysctl", "-q", "-w", "net.ipv6.conf.m6-s.accept_dad=0")
    sh("ip", "netns", "exec", CLI, "sysctl", "-q", "-w", "net.ipv6.conf.m6-c.accept_ra=1")
    if tcp:
        # The client's segments come from this script: its kernel must not answer
        # the server (a RST for a SYN-ACK of no socket), nor solicit, nor report.
        sh("ip", "netns", "exec", CLI, "sysctl", "-q", "-w", "net.ipv6.conf.m6-c.disable_ipv6=1")
    sh("ip", "-n", SRV, "link", "set", "lo", "up")
    sh("ip", "-n", CLI, "link", "set", "lo", "up")
    sh("ip", "-n", SRV, "link", "set", "m6-s", "up")
    for addr in (SERVER_IP, SERVER_IP2, CONTESTED_IP):
        sh("ip", "-n", SRV, "-6", "addr", "add", addr + "/64", "dev", "m6-s", "nodad")
    for ns, dev in ((SRV, "m6-s"), (CLI, "m6-c")):
        sh("ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--tx-off", dev)
    if tcp:
        sh("ip", "-n", SRV, "-6", "neigh", "replace", TCP_CLIENT_IP, "lladdr",
           "52:54:00:12:34:56", "dev", "m6-s", "nud", "permanent")
        sh("ip", "-n", CLI, "link", "set", "m6-c", "up")


def teardown(procs):
    for p in procs:
        p.terminate()
        p.wait()
    sh("ip", "netns", "del", SRV, check=False)
    sh("ip", "netns", "del", CLI, check=False)


def start_dnsmasq(root):
    return subprocess.Popen([
        "ip", "netns", "exec", SRV, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
        "--interface=m6-s", "--bind-interfaces", "--no-resolv", "--no-hosts", "--local-ttl=300",
        "--pid-file=", "--leasefile-ro", "--log-facility=" + os.path.join(root, "dnsmasq.log"),
        "--host-record=boot.mpxe.test," + SERVER_IP,
        "--enable-ra", "--ra-param=m6-s,mtu:1400,10,600",
        "--dhcp-range=fd00:6d70::,ra-only,64,12h",
        "--dhcp-range=fd00:6d71::,ra-stateless,64,2h",
        "--dhcp-option=option6:dns-server,[" + SERVER_IP + "]"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def client():
    frames, _ = record_frames("m6-c", drive)
    for f in frames:
        sys.stdout.buffer.write(struct.pack("!H", len(f)) + f)

def wait_for_address(prefix, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        out = subprocess.run(["ip", "-6", "addr", "show", "dev", "m6-c"], capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            if prefix in line and "tentative" not in line:
                return
        time.sleep(0.2)
    raise SystemExit("no SLAAC address from " + prefix)


def drive():
    # The link comes up under the sniffer: DAD for the link-local address, MLD
    # reports, router solicitations; dnsmasq's RA; SLAAC for both prefixes.
    subprocess.run(["ip", "link", "set", "m6-c", "up"], check=True)
    wait_for_address("fd00:6d70:")
    wait_for_address("fd00:6d71:")
    time.sleep(0.5)
    icmp = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    # The kernel fills in the ICMPv6 checksum of a raw ICMPv6 socket.
    echo = struct.pack("!BBHHH", 128, 0, 0, 0x6D70, 1) + b"mpxe echo payload"
    icmp.sendto(echo, (SERVER_IP, 0))
    time.sleep(0.3)
    # Over the MTU of 1400 the RA set: the kernel sends fragments, the server's
    # reply comes in fragments too.
    big = struct.pack("!BBHHH", 128, 0, 0, 0x6D70, 2) + bytes(range(256)) * 8
    icmp.sendto(big, (SERVER_IP, 0))
    time.sleep(0.3)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.settimeout(1.0)
    # A destination options header (PadN) before UDP to a closed port: the server
    # answers port unreachable.
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([17, 0, 1, 4, 0, 0, 0, 0]))
    u.sendto(b"closed port", (SERVER_IP, 9))
    time.sleep(0.3)
    # An unknown option whose type's high bits are 10: "discard the packet and ...
    # send an ICMP Parameter Problem, Code 2" (RFC 8200 4.2).
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS, bytes([17, 0, 0x9E, 4, 0, 0, 0, 0]))
    u.sendto(b"bad option", (SERVER_IP, 9))
    time.sleep(0.3)
    u.close()
    d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    d.settimeout(1.0)
    q = struct.pack("!HHHHHH", 0x4D36, 0x0100, 1, 0, 0, 0) + b"\x04boot\x04mpxe\x04test\x00" + \
        struct.pack("!HH", 28, 1)
    d.sendto(q, (SERVER_IP, 53))
    d.recvfrom(2048)
    d.close()
    # Claim an address the server holds: DAD's NS from ::, and the server's NA.
    subprocess.run(["ip", "-6", "addr", "add", CONTESTED_IP + "/64", "dev", "m6-c"], check=True)
    time.sleep(2.0)


def qemu_ra():
    """QEMU's user network answering a router solicitation; no guest runs."""
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.bind(("127.0.0.1", 0))
    tx.settimeout(0.5)
    ours = tx.getsockname()[1]
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    theirs = probe.getsockname()[1]
    probe.close()
    qemu = subprocess.Popen([
        "qemu-system-x86_64", "-machine", "none", "-display", "none", "-nodefaults",
        "-netdev", "user,id=u,ipv6=on",
        "-netdev", "socket,id=s,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (ours, theirs),
        "-netdev", "hubport,id=h1,hubid=0,netdev=u",
        "-netdev", "hubport,id=h2,hubid=0,netdev=s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    got = []
    try:
        time.sleep(1.0)
        src = bytes.fromhex("fe80000000000000505400fffe123456")
        dst = bytes.fromhex("ff020000000000000000000000000002")
        rs = struct.pack("!BBHI", 133, 0, 0, 0) + bytes([1, 1]) + CLIENT_MAC
        pseudo = src + dst + struct.pack("!IxxxB", len(rs), 58)
        rs = rs[:2] + struct.pack("!H", checksum(pseudo + rs)) + rs[4:]
        ip = struct.pack("!IHBB", 0x60000000, len(rs), 58, 255) + src + dst
        frame = bytes.fromhex("333300000002") + CLIENT_MAC + b"\x86\xdd" + ip + rs
        deadline = time.time() + 5
        while time.time() < deadline and not got:
            tx.sendto(frame, ("127.0.0.1", theirs))
            try:
                while True:
                    data, _ = tx.recvfrom(65535)
                    if data[12:14] == b"\x86\xdd" and data[20] == 58 and data[54] == 134:
                        got.append(data)
                        break
            except socket.timeout:
                pass
    finally:
        qemu.terminate()
        qemu.wait()
    return got[0] if got else None


def icmp6_of(f):
    """The ICMPv6 type, and the bytes from the ICMPv6 header on, if the frame is ICMPv6
    right after the fixed header."""
    if f[12:14] != b"\x86\xdd" or f[20] != 58:
        return None, None
    return f[54], f[54:]


def write_header(frames, qemu):
    chosen = {}

    def keep(name, comment, frame):
        if name not in chosen:
            chosen[name] = c_array(name, comment, frame)

    zero = bytes(16)
    contested = socket.inet_pton(socket.AF_INET6, CONTESTED_IP)
    for f in frames:
        if f[12:14] != b"\x86\xdd":
            continue
        src, dst, nh = f[22:38], f[38:54], f[20]
        from_client = f[6:12] == CLIENT_MAC
        t, msg = icmp6_of(f)
        if t == 135 and src == zero and msg[8:24] == contested:
            keep("kNdpDadNsContested", "DAD neighbour solicitation from :: by the client's kernel "
                 "for fd00:6d70::99, which the server already holds", f)
        elif t == 135 and src == zero and msg[8:10] == b"\xfe\x80":
            keep("kNdpDadNs", "DAD neighbour solicitation from :: by the client's kernel for "
                 "its link-local address", f)
        elif t == 136 and not from_client and msg[8:24] == contested:
            keep("kNdpNaDefence", "the server kernel's neighbour advertisement defending "
                 "fd00:6d70::99 against the client's DAD, to ff02::1", f)
        elif t == 133 and from_client:
            keep("kNdpRs", "router solicitation from the client's kernel (source link-layer "
                 "option)", f)
        elif t == 134 and not from_client:
            keep("kNdpRaDnsmasq", "router advertisement from dnsmasq 2.90 --enable-ra: "
                 "fd00:6d70::/64 ra-only, fd00:6d71::/64 ra-stateless (O set), MTU 1400, "
                 "RDNSS fd00:6d70::1, router lifetime 600 s", f)
        elif t == 135 and from_client and src != zero:
            keep("kNdpNs", "neighbour solicitation from the client's kernel for fd00:6d70::1, "
                 "to its solicited-node group", f)
        elif t == 136 and not from_client:
            keep("kNdpNa", "the server kernel's solicited neighbour advertisement for "
                 "fd00:6d70::1 (router flag, target link-layer option)", f)
        elif t == 128 and from_client:
            keep("kIcmpv6EchoRequest", "ICMPv6 echo request ident 0x6d70 seq 1, 17 bytes of "
                 "data, from the client's SLAAC address", f)
        elif t == 129 and not from_client:
            keep("kIcmpv6EchoReply", "ICMPv6 echo reply from the server's kernel", f)
        elif t == 143 and from_client:
            pass  # MLDv2 reports go out with a hop-by-hop header: nh is 0 then
        elif nh == 0 and from_client and f[54] == 58 and f[62] == 143:
            keep("kMldReportHopByHop", "MLDv2 report from the client's kernel: a hop-by-hop "
                 "header (router alert) before ICMPv6", f)
        elif nh == 44 and f[54] == 58:
            offset = struct.unpack("!H", f[56:58])[0]
            name = "kFragment%s%s" % ("Request" if from_client else "Reply",
                                       "First" if offset >> 3 == 0 else "Last")
            if offset & 1 == 0 or offset >> 3 == 0:
                keep(name, "fragment of the 2056-byte ICMPv6 echo %s (MTU 1400): offset %d, "
                     "M=%d" % ("request" if from_client else "reply", offset & ~7, offset & 1), f)
        elif nh == 60 and from_client:
            opt = f[56]
            if opt == 1:
                keep("kUdpDstOpts", "UDP to port 9 behind a destination options header (PadN), "
                     "from the client's kernel (IPV6_DSTOPTS)", f)
            elif opt == 0x9E:
                keep("kUdpDstOptsUnknown", "UDP behind a destination options header whose "
                     "option 0x9e is unknown (action 10: discard, send Parameter Problem)", f)
        elif t == 1 and not from_client:
            keep("kIcmpv6PortUnreachable", "ICMPv6 destination unreachable (port) from the "
                 "server's kernel, quoting the datagram with its destination options", f)
        elif t == 4 and not from_client:
            keep("kIcmpv6ParamProblem", "ICMPv6 parameter problem (code 2, unrecognized "
                 "option) from the server's kernel, pointing at option 0x9e", f)
        elif nh == 17 and from_client and f[56:58] == b"\x00\x35":
            keep("kUdp6DnsQuery", "UDP over IPv6: DNS query boot.mpxe.test AAAA, checksum "
                 "computed by the client's kernel", f)
        elif nh == 17 and not from_client and f[54:56] == b"\x00\x35":
            keep("kUdp6DnsResponse", "UDP over IPv6: dnsmasq's AAAA answer fd00:6d70::1", f)
    if qemu is not None:
        keep("kNdpRaQemu", "router advertisement from QEMU 7.2's user network (libslirp 4.7, "
             "-netdev user,ipv6=on) answering a router solicitation", qemu)
    print("// Real IPv6 frames captured by capture_ipv6.py (run it as root to capture them")
    print("// again): a Linux client and dnsmasq 2.90 on a veth pair, and QEMU's user")
    print("// network. Each is a whole Ethernet II frame as the wire carried it.")
    print("#pragma once")
    print()
    print("#include <stdint.h>")
    print()
    print("namespace mpxe::net::frames6 {")
    for name in sorted(chosen):
        print()
        print(chosen[name])
    print()
    print("}  // namespace mpxe::net::frames6")


def tcp_port_and_isn():
    """The port and ISN Interface::tcp_connect draws with TCP_RANDOM_WORDS: four words
    seed the ISN secret (big-endian), the fifth picks the port in 49152-65535, and the
    ISN is RFC 6528's: 250 ticks a millisecond plus the first word of SHA-256(secret,
    local address, port, remote address, port)."""
    secret = b"".join(struct.pack("!I", w) for w in TCP_RANDOM_WORDS[:4])
    port = 49152 + (TCP_RANDOM_WORDS[4] & 16383)
    digest = hashlib.sha256(secret + socket.inet_pton(socket.AF_INET6, TCP_CLIENT_IP) +
                            struct.pack("!H", port) + socket.inet_pton(socket.AF_INET6, SERVER_IP) +
                            struct.pack("!H", 80)).digest()
    return port, (TCP_CONNECT_AT * 250 + struct.unpack("!I", digest[:4])[0]) & 0xFFFFFFFF


def tcp6_frame(seq, ack, flags, payload=b"", options=b"", window=512):
    """A frame from the client (mpxe's MAC and address) to the server's port 80."""
    src = socket.inet_pton(socket.AF_INET6, TCP_CLIENT_IP)
    dst = socket.inet_pton(socket.AF_INET6, SERVER_IP)
    port, _ = tcp_port_and_isn()
    seg = struct.pack("!HHIIBBHHH", port, 80, seq, ack, (20 + len(options)) << 2, flags, window,
                      0, 0) + options + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    seg = seg[:16] + struct.pack("!H", checksum(pseudo + seg)) + seg[18:]
    ip = struct.pack("!IHBB", 0x60000000, len(seg), 6, 64) + src + dst
    return SERVER_MAC + CLIENT_MAC + b"\x86\xdd" + ip + seg


def http_server():
    """One HTTP/1.1 exchange on [SERVER_IP]:80: read the request, answer, close."""
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((SERVER_IP, 80))
    listener.listen(1)
    listener.settimeout(10)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    conn, _ = listener.accept()
    conn.settimeout(5)
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk:
            break
        request += chunk
    conn.sendall(HTTP_RESPONSE)
    conn.close()
    listener.close()


def drive_tcp():
    """The client's side, segment by segment, as mpxe's TcpConnection sends it."""
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x86DD))
    raw.bind(("m6-c", 0))
    raw.settimeout(0.2)
    port, isn = tcp_port_and_isn()

    def from_server(seconds, done):
        got, deadline = [], time.time() + seconds
        while time.time() < deadline and not done(got):
            try:
                f = raw.recv(65535)
            except socket.timeout:
                continue
            if f[6:12] == SERVER_MAC and f[20] == 6 and struct.unpack("!H", f[56:58])[0] == port:
                got.append(f)
        return got

    def seq_of(f):
        return struct.unpack("!I", f[58:62])[0]

    def tcp_payload_len(f):
        return struct.unpack("!H", f[18:20])[0] - (f[66] >> 4) * 4

    def ts_val(after):
        """TcpConnection's clock: the time in ms plus the ISN (RFC 7323 5.4's offset)."""
        return (isn + TCP_CONNECT_AT + after) & 0xFFFFFFFF

    def ts(after, ecr):
        return b"\x01\x01\x08\x0a" + struct.pack("!II", ts_val(after), ecr)

    def ts_val_of(f):
        opts = f[74:54 + (f[66] >> 4) * 4]
        i = 0
        while i < len(opts):
            if opts[i] == 8:
                return struct.unpack("!I", opts[i + 2:i + 6])[0]
            i += 1 if opts[i] <= 1 else opts[i + 1]
        return 0

    syn_options = (struct.pack("!BBH", 2, 4, TCP_MSS) + b"\x04\x02\x08\x0a" +
                   struct.pack("!II", ts_val(0), 0) +
                   b"\x01\x03\x03" + bytes([TCP_WINDOW_SHIFT]))
    raw.send(tcp6_frame(isn, 0, 0x02, options=syn_options, window=65535))
    syn_ack = from_server(3, lambda g: len(g) >= 1)
    if not syn_ack:
        raise SystemExit("no SYN-ACK from the server")
    irs = seq_of(syn_ack[0])
    raw.send(tcp6_frame(isn + 1, irs + 1, 0x10, options=ts(10, ts_val_of(syn_ack[0]))))
    raw.send(tcp6_frame(isn + 1, irs + 1, 0x18, HTTP_REQUEST, ts(20, ts_val_of(syn_ack[0]))))
    # The answer up to and with the server's FIN.
    answer = from_server(5, lambda g: any(f[67] & 0x01 for f in g))
    if not answer or not answer[-1][67] & 0x01:
        raise SystemExit("no FIN from the server")
    fin_seq = seq_of(answer[-1]) + tcp_payload_len(answer[-1])
    last_ts = ts_val_of(answer[-1])
    raw.send(tcp6_frame(isn + 1 + len(HTTP_REQUEST), fin_seq + 1, 0x10, options=ts(30, last_ts)))
    raw.send(tcp6_frame(isn + 1 + len(HTTP_REQUEST), fin_seq + 1, 0x11, options=ts(40, last_ts)))
    from_server(3, lambda g: len(g) >= 1)


def tcp_client():
    frames, _ = record_frames("m6-c", drive_tcp)
    for f in frames:
        sys.stdout.buffer.write(struct.pack("!H", len(f)) + f)


MQ, MC = "mpxe-mld-q", "mpxe-mld-c"
LEFT_GROUP = "ff02::1:ff00:42"  # joined and left by a socket: the querier asks after it


def mld_setup():
    sh("ip", "netns", "add", MQ)
    sh("ip", "netns", "add", MC)
    sh("ip", "link", "add", "mq-q", "netns", MQ, "type", "veth", "peer", "mq-c", "netns", MC)
    sh("ip", "-n", MC, "link", "set", "mq-c", "address", "52:54:00:12:34:56")
    sh("ip", "-n", MQ, "link", "add", "mq-br", "address", "52:54:00:ab:cd:ef", "type", "bridge",
       "stp_state", "0", "mcast_snooping", "1", "mcast_querier", "1", "mcast_mld_version", "2",
       "mcast_query_interval", "100", "mcast_startup_query_interval", "100",
       "mcast_query_response_interval", "100", "mcast_last_member_interval", "50")
    sh("ip", "netns", "exec", MQ, "sysctl", "-q", "-w", "net.ipv6.conf.mq-br.accept_dad=0")
    sh("ip", "-n", MQ, "link", "set", "mq-q", "master", "mq-br")
    sh("ip", "-n", MQ, "link", "set", "mq-q", "up")
    sh("ip", "-n", MQ, "link", "set", "mq-br", "up")


def mld_client():
    frames, _ = record_frames("mq-c", mld_drive)
    for f in frames:
        sys.stdout.buffer.write(struct.pack("!H", len(f)) + f)


def write_tcp_header(frames):
    port, isn = tcp_port_and_isn()
    server = [f for f in frames if f[6:12] == SERVER_MAC and f[12:14] == b"\x86\xdd" and f[20] == 6]
    names = []
    print("// The Linux server's side of one HTTP exchange over IPv6, captured by")
    print("// tests/unit/net/capture_ipv6.py --tcp (run it as root to capture it again): a")
    print("// client on mpxe's SLAAC address %s, port %d, ISN 0x%08x," % (TCP_CLIENT_IP, port, isn))
    print("// which Interface::tcp_connect draws from kTcpRandomWords at kTcpConnectAt, asks")
    print("// [%s]:80 for kHttpRequest; the server answers kHttpResponse and closes." % SERVER_IP)
    print("#pragma once")
    print()
    print("#include <stddef.h>")
    print("#include <stdint.h>")
    print()
    print("namespace mpxe::net::frames6 {")
    print()
    print("inline constexpr uint32_t kTcpRandomWords[] = {%s};" %
          ", ".join("0x%08x" % w for w in TCP_RANDOM_WORDS))
    print("inline constexpr uint64_t kTcpConnectAt = %d;" % TCP_CONNECT_AT)
    print("inline constexpr uint16_t kTcpClientPort = %d;" % port)
    print("inline constexpr uint32_t kTcpClientIsn = 0x%08x;" % isn)
    print()
    print(c_array("kHttpRequest", "The client's request (%d bytes)" % len(HTTP_REQUEST),
                  HTTP_REQUEST))
    print()
    print(c_array("kHttpResponse", "The server's whole answer (%d bytes)" % len(HTTP_RESPONSE),
                  HTTP_RESPONSE))
    for i, f in enumerate(server):
        flags = f[67]
        what = "+".join(n for bit, n in ((0x02, "SYN"), (0x01, "FIN"), (0x04, "RST"),
                                         (0x08, "PSH"), (0x10, "ACK")) if flags & bit)
        name = "kTcp6Server%d" % i
        names.append(name)
        print()
        print(c_array(name, "server segment %d: %s, seq 0x%08x, %d bytes of data" %
                      (i, what, struct.unpack("!I", f[58:62])[0],
                       struct.unpack("!H", f[18:20])[0] - (f[66] >> 4) * 4), f))
    print()
    print("struct CapturedFrame {")
    print("  const uint8_t* data;")
    print("  size_t size;")
    print("};")
    print("// Every frame the server sent, in order.")
    print("inline constexpr CapturedFrame kTcp6ServerFrames[] = {")
    for name in names:
        print("    {%s, sizeof %s}," % (name, name))
    print("};")
    print()
    print("}  // namespace mpxe::net::frames6")


def capture_tcp():
    procs = []
    try:
        setup(tcp=True)
        server = subprocess.Popen(["ip", "netns", "exec", SRV, sys.executable,
                                   os.path.abspath(__file__), "--http-server"],
                                  stdout=subprocess.PIPE)
        procs.append(server)
        server.stdout.readline()  # "ready"
        blob = subprocess.run(["ip", "netns", "exec", CLI, sys.executable,
                               os.path.abspath(__file__), "--tcp-client"],
                              check=True, stdout=subprocess.PIPE).stdout
    finally:
        teardown(procs)
    write_tcp_header(read_frames(blob))


def mld_drive():
    # The link comes up: reports from :: during DAD, then the querier's queries and
    # the kernel's answers from its link-local address.
    subprocess.run(["ip", "link", "set", "mq-c", "up"], check=True)
    time.sleep(4.0)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    mreq = socket.inet_pton(socket.AF_INET6, LEFT_GROUP) + struct.pack("@I", socket.if_nametoindex("mq-c"))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    time.sleep(1.5)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_LEAVE_GROUP, mreq)
    time.sleep(2.0)
    s.close()
    subprocess.run(["ip", "-n", MQ, "link", "set", "mq-br", "type", "bridge", "mcast_mld_version", "1"],
                   check=True)
    time.sleep(3.0)


def write_mld_header(frames):
    chosen = {}
    client_mac = CLIENT_MAC
    ours = socket.inet_pton(socket.AF_INET6, "ff02::1:ff12:3456")
    left = socket.inet_pton(socket.AF_INET6, LEFT_GROUP)

    def keep(name, comment, frame):
        if name not in chosen:
            chosen[name] = c_array(name, comment, frame)

    for f in frames:
        # MLD goes behind the 8-byte hop-by-hop header (router alert): ICMPv6 at 62, a
        # query's or v1 report's group at 70, an MLDv2 report's first record at 70.
        if f[12:14] != b"\x86\xdd" or f[20] != 0 or f[54] != 58 or len(f) < 70:
            continue
        src = f[22:38]
        t, from_client = f[62], f[6:12] == client_mac
        if t == 130 and not from_client:
            v2, group = len(f) - 62 >= 28, f[70:86]
            if v2 and group == bytes(16):
                keep("kMldv2GeneralQuery", "MLDv2 General Query from a Linux bridge (querier on, "
                     "query response interval 1 s), to ff02::1", f)
            elif v2 and group == left:
                keep("kMldv2GroupQuery", "MLDv2 Multicast Address Specific Query for "
                     "ff02::1:ff00:42 from the Linux bridge, after the client left that group", f)
            elif not v2 and group == bytes(16):
                keep("kMldv1GeneralQuery", "MLDv1 General Query (24 bytes) from the Linux bridge "
                     "set to mcast_mld_version 1", f)
        elif t == 143 and from_client:
            records = struct.unpack("!H", f[68:70])[0]
            if records != 1 or f[74:90] != ours:
                continue
            kind = f[70]
            if kind == 4 and src == bytes(16):
                keep("kMldv2JoinFromUnspecified", "MLDv2 report from the client's kernel as its link "
                     "comes up: CHANGE_TO_EXCLUDE {} for ff02::1:ff12:3456, from :: (DAD)", f)
            elif kind == 2 and src[:2] == b"\xfe\x80":
                keep("kMldv2CurrentState", "MLDv2 report from the client's kernel answering the "
                     "General Query: MODE_IS_EXCLUDE {} for ff02::1:ff12:3456, from fe80::", f)
        elif t == 131 and from_client and f[70:86] == ours:
            keep("kMldv1Report", "MLDv1 report for ff02::1:ff12:3456 from the client's kernel "
                 "answering the v1 General Query, to the group", f)
    print("// Real MLD frames captured by capture_ipv6.py --mld (run it as root to capture them")
    print("// again): a Linux client and a Linux bridge as MLD querier on a veth pair. Each is a")
    print("// whole Ethernet II frame as the wire carried it.")
    print("#pragma once")
    print()
    print("#include <stdint.h>")
    print()
    print("namespace mpxe::net::mld_frames {")
    for name in sorted(chosen):
        print()
        print(chosen[name])
    print()
    print("}  // namespace mpxe::net::mld_frames")
    missing = {"kMldv2GeneralQuery", "kMldv2GroupQuery", "kMldv1GeneralQuery",
               "kMldv2JoinFromUnspecified", "kMldv2CurrentState", "kMldv1Report"} - set(chosen)
    if missing:
        raise SystemExit("not captured: " + ", ".join(sorted(missing)))


def mld_main():
    try:
        mld_setup()
        blob = subprocess.run(["ip", "netns", "exec", MC, sys.executable, os.path.abspath(__file__),
                               "--mld-client"], check=True, stdout=subprocess.PIPE).stdout
    finally:
        sh("ip", "netns", "del", MQ, check=False)
        sh("ip", "netns", "del", MC, check=False)
    write_mld_header(read_frames(blob))


def read_frames(blob):
    frames, i = [], 0
    while i + 2 <= len(blob):
        n = struct.unpack("!H", blob[i:i + 2])[0]
        frames.append(blob[i + 2:i + 2 + n])
        i += 2 + n
    return frames


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--tx-off":
        tx_checksum_off(sys.argv[2])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client()
        return
    if len(sys.argv) > 1 and sys.argv[1] in ("--tcp", "--tcp-client", "--http-server"):
        {"--tcp": capture_tcp, "--tcp-client": tcp_client, "--http-server": http_server}[sys.argv[1]]()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--mld-client":
        mld_client()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--mld":
        mld_main()
        return
    root = tempfile.mkdtemp(prefix="mpxe-v6-")
    procs = []
    try:
        setup()
        procs = [start_dnsmasq(root)]
        time.sleep(1.0)
        blob = subprocess.run(["ip", "netns", "exec", CLI, sys.executable,
                               os.path.abspath(__file__), "--client"],
                              check=True, stdout=subprocess.PIPE).stdout
    finally:
        teardown(procs)
        log = os.path.join(root, "dnsmasq.log")
        if os.path.exists(log):
            sys.stderr.write(open(log).read())
        shutil.rmtree(root)
    write_header(read_frames(blob), qemu_ra() if shutil.which("qemu-system-x86_64") else None)


if __name__ == "__main__":
    main()
