#!/usr/bin/env python3
"""Captures the DHCP exchanges that dhcp_frames.h holds, from servers no one here wrote.

Run as root from this folder: python3 capture_dhcp.py > dhcp_frames.h
(--skip-slirp leaves QEMU out; --slirp-only runs only QEMU.)

dnsmasq: three namespaces on one Ethernet segment (a bridge in the server's
namespace, veth pairs to the other two). The client side is this script with a raw
socket; it sends what DhcpClient sends (the same bytes: dhcp_client_test checks
that the client's DISCOVER and REQUEST equal the ones here), so the servers answer
exactly what they would answer the client.

  full    one dnsmasq with an address range and --dhcp-boot: OFFER, ACK, and the
          NAK it gives a REQUEST for an address of another network
  proxy   dnsmasq A hands out addresses only; dnsmasq B in proxy mode
          (--dhcp-range=...,proxy --pxe-service=x86-64_EFI,...): OFFER from A,
          ProxyOffer from B, ACK from A, then the port-4011 request to B and its
          reply
  two     two address servers, only the second names a boot file

slirp: QEMU's user network answering stock OVMF's PXE client (filter-dump writes a
pcap); its OFFER and ACK use OVMF's xid, which the test's Random hands to the client.

Namespaces and servers are removed (servers stopped by pid) on the way out.
"""
import functools, os, shutil, socket, struct, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from capture_lib import checksum, c_array, read_pcap, sh as capture_lib_sh  # noqa: E402
sh = functools.partial(capture_lib_sh, quiet=True)

NS_S, NS_P, NS_C = "mpxe-dcap-srv", "mpxe-dcap-pxy", "mpxe-dcap-cli"
MAC = bytes.fromhex("525400123456")
GUID = bytes.fromhex("6a0b4d2c8e1f4a5b9c7d0e2f3a4b5c6d")
XID = {"full": 0x6D707865, "proxy": 0x70787931, "two": 0x74776F31}
PROXY_XID = 0x34303131
PRL = bytes([1, 3, 6, 12, 15, 28, 43, 51, 54, 60, 66, 67] + list(range(128, 136)))
VENDOR = b"PXEClient:Arch:00007:UNDI:003016"


def ip4(s):
    return socket.inet_aton(s)


def message(msg_type, xid, secs=0, flags=0x8000, ciaddr="0.0.0.0", requested=None, server=None):
    """A DHCP message laid out exactly as DhcpClient::build() lays it out."""
    head = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, secs, flags, ip4(ciaddr),
                       bytes(4), bytes(4), bytes(4), MAC, b"", b"")
    opts = bytes([99, 130, 83, 99, 53, 1, msg_type])
    if requested:
        opts += bytes([50, 4]) + ip4(requested)
    if server:
        opts += bytes([54, 4]) + ip4(server)
    opts += bytes([57, 2, 0x05, 0xC0, 55, len(PRL)]) + PRL
    opts += bytes([93, 2, 0, 7, 94, 3, 1, 3, 0x10, 97, 17, 0]) + GUID
    opts += bytes([60, len(VENDOR)]) + VENDOR + bytes([255])
    msg = head + opts
    return msg + bytes(max(0, 300 - len(msg)))


def broadcast_frame(payload):
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, 20 + len(udp), 0, 0, 64, 17, 0, bytes(4),
                     b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\xff" * 6 + MAC + b"\x08\x00" + ip + udp


def dhcp_of(frame):
    """(src, sport, dst, dport, payload) of a UDP/IPv4 frame on a DHCP port, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 15) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    udp = frame[14 + ihl:14 + total]
    sport, dport = struct.unpack("!HH", udp[:4])
    if not ({sport, dport} & {67, 68, 4011}):
        return None
    return (socket.inet_ntoa(frame[26:30]), sport, socket.inet_ntoa(frame[30:34]), dport, udp[8:])


class Sniffer:
    def __init__(self, dev):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.sock.bind((dev, 0))
        self.sock.settimeout(0.1)
        self.seen = []
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.is_set():
            try:
                frame, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            d = dhcp_of(frame)
            if d and d[1] != 68:  # what servers sent; our own sends are known
                self.seen.append((time.monotonic() - self.t0,) + d)

    def send(self, payload):
        self.sock.send(broadcast_frame(payload))

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def dnsmasq(ns, dev, root, *args):
    log = os.path.join(root, "dnsmasq-%s-%s.log" % (ns, dev))
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
         "--port=0", "--interface=" + dev, "--bind-interfaces", "--pid-file=",
         "--leasefile-ro", "--log-dhcp", "--log-facility=" + log] + list(args),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def setup():
    for ns in (NS_S, NS_P, NS_C):
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "-n", NS_S, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", NS_S, "link", "set", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0")
    sh("ip", "-n", NS_S, "addr", "add", "10.77.0.1/24", "dev", "br0")
    sh("ip", "link", "add", "dcap-c", "netns", NS_C, "type", "veth", "peer", "dcap-cs", "netns", NS_S)
    sh("ip", "link", "add", "dcap-p", "netns", NS_P, "type", "veth", "peer", "dcap-ps", "netns", NS_S)
    sh("ip", "-n", NS_C, "link", "set", "dcap-c", "address", "52:54:00:12:34:56")
    sh("ip", "-n", NS_P, "addr", "add", "10.77.0.2/24", "dev", "dcap-p")
    for port in ("dcap-cs", "dcap-ps"):
        sh("ip", "-n", NS_S, "link", "set", port, "master", "br0")
        sh("ip", "-n", NS_S, "link", "set", port, "up")
    sh("ip", "-n", NS_S, "link", "set", "br0", "up")
    sh("ip", "-n", NS_P, "link", "set", "dcap-p", "up")
    sh("ip", "-n", NS_C, "link", "set", "dcap-c", "up")
    time.sleep(0.5)


def teardown(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
            p.wait()
    for ns in (NS_S, NS_P, NS_C):
        sh("ip", "netns", "del", ns, check=False)


def wait_for(sniffer, n, timeout=5.0):
    end = time.monotonic() + timeout
    while len(sniffer.seen) < n and time.monotonic() < end:
        time.sleep(0.05)
    time.sleep(0.3)


def in_client_ns():
    """Re-run inside the client's namespace: python3 capture_dhcp.py --client SCENARIO."""
    scenario = sys.argv[2]
    xid = XID[scenario]
    s = Sniffer("dcap-c")
    sent = []
    s.send(message(1, xid))
    sent.append(("discover", message(1, xid)))
    wait_for(s, 2 if scenario != "full" else 1)
    # The REQUEST for the offer DhcpClient would pick: one naming a boot file, else the first.
    chosen = None
    for x in s.seen:
        p = x[5]
        if p[16:20] != bytes(4) and (chosen is None or (p[108] != 0 and chosen[108] == 0)):
            chosen = p
    yiaddr = socket.inet_ntoa(chosen[16:20])
    server = opt(chosen, 54)
    n = len(s.seen)
    req = message(3, xid, requested=yiaddr, server=socket.inet_ntoa(server))
    s.send(req)
    sent.append(("request", req))
    wait_for(s, n + 1)
    if scenario == "full":
        n = len(s.seen)
        nak_req = message(3, xid, requested="10.99.0.5", server=socket.inet_ntoa(server))
        s.send(nak_req)
        sent.append(("request-wrong", nak_req))
        wait_for(s, n + 1)
    if scenario == "proxy":
        proxy = [x for x in s.seen if x[5][16:20] == bytes(4)][0]
        proxy_ip = socket.inet_ntoa(opt(proxy[5], 54))
        subprocess.run(["ip", "addr", "add", yiaddr + "/24", "dev", "dcap-c"], check=True)
        time.sleep(0.3)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((yiaddr, 68))
        u.settimeout(3.0)
        pxe = message(3, PROXY_XID, flags=0, ciaddr=yiaddr, server=proxy_ip)
        n = len(s.seen)
        u.sendto(pxe, (proxy_ip, 4011))
        sent.append(("pxe-request", pxe))
        try:
            u.recvfrom(2048)
        except socket.timeout:
            pass
        wait_for(s, n + 1)
    s.close()
    out = []
    for name, payload in sent:
        out.append("S %s %s" % (name, payload.hex()))
    for t, src, sport, dst, dport, payload in s.seen:
        out.append("R %.3f %s %d %s %d %s" % (t, src, sport, dst, dport, payload.hex()))
    print("\n".join(out))


def opt(payload, code):
    i = 240
    while i < len(payload) and payload[i] != 255:
        if payload[i] == 0:
            i += 1
            continue
        if payload[i] == code:
            return payload[i + 2:i + 2 + payload[i + 1]]
        i += 2 + payload[i + 1]
    return None


def run_scenario(name, root):
    procs = []
    common = ["--dhcp-option=option:router,10.77.0.1",
              "--dhcp-option=option:dns-server,10.77.0.1,10.77.0.3", "--domain=mpxe.test"]
    try:
        if name == "full":
            procs.append(dnsmasq(NS_S, "br0", root, "--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h",
                                 "--dhcp-boot=pxe.efi,boot.mpxe.test,10.77.0.1", *common))
        elif name == "proxy":
            procs.append(dnsmasq(NS_S, "br0", root, "--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h",
                                 *common))
            procs.append(dnsmasq(NS_P, "dcap-p", root, "--dhcp-range=10.77.0.0,proxy",
                                 "--pxe-service=x86-64_EFI,mpxe boot,pxe.efi"))
        elif name == "two":
            procs.append(dnsmasq(NS_S, "br0", root, "--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h",
                                 *common))
            procs.append(dnsmasq(NS_P, "dcap-p", root, "--dhcp-range=10.77.0.200,10.77.0.250,255.255.255.0,1h",
                                 "--dhcp-boot=pxe.efi,,10.77.0.2", "--no-ping", *common))
        time.sleep(1.0)
        r = subprocess.run(["ip", "netns", "exec", NS_C, sys.executable, os.path.abspath(__file__),
                            "--client", name], check=True, stdout=subprocess.PIPE, text=True)
        return r.stdout.splitlines()
    finally:
        for p in procs:
            p.terminate()
            p.wait()


def slirp():
    """OVMF's PXE client against QEMU's user network; returns its DHCP packets."""
    d = tempfile.mkdtemp(prefix="mpxe-slirp-")
    os.makedirs(os.path.join(d, "tftp"))
    open(os.path.join(d, "tftp", "bootfile"), "wb").write(b"x")
    vars_fd = os.path.join(d, "vars.fd")
    open(vars_fd, "wb").write(open("/usr/share/OVMF/OVMF_VARS_4M.fd", "rb").read())
    pcap = os.path.join(d, "slirp.pcap")
    q = subprocess.Popen([
        "qemu-system-x86_64", "-machine", "q35,accel=tcg", "-m", "256", "-nographic",
        "-drive", "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd",
        "-drive", "if=pflash,format=raw,file=" + vars_fd,
        "-netdev", "user,id=n0,tftp=%s,bootfile=bootfile" % os.path.join(d, "tftp"),
        "-object", "filter-dump,id=d0,netdev=n0,file=" + pcap,
        "-device", "virtio-net-pci,netdev=n0,bootindex=1,romfile=,mac=52:54:00:12:34:56",
        "-serial", "null", "-monitor", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 90
        while time.monotonic() < end:
            time.sleep(2)
            if sum(1 for f in read_pcap(pcap) if dhcp_of(f)) >= 4:  # through the ACK
                break
    finally:
        q.terminate()
        q.wait()
    frames = read_pcap(pcap)
    shutil.rmtree(d, ignore_errors=True)
    out = []
    for frame in frames:
        d4 = dhcp_of(frame)
        if not d4:
            continue
        src, sport, dst, dport, payload = d4
        if sport == 68:
            out.append("S ovmf-%s %s" % ("discover" if opt(payload, 53) == b"\x01" else "request",
                                          payload.hex()))
        else:
            out.append("R 0 %s %d %s %d %s" % (src, sport, dst, dport, payload.hex()))
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--client":
        return in_client_ns()
    results = {}
    if "--slirp-only" not in sys.argv:
        procs = []
        try:
            setup()
            with tempfile.TemporaryDirectory() as root:
                for name in ("full", "proxy", "two"):
                    results[name] = run_scenario(name, root)
        finally:
            teardown(procs)
    if "--skip-slirp" not in sys.argv:
        results["slirp"] = slirp()
    print(emit_header(results))


def emit_header(results):
    lines = ["// Real DHCP exchanges captured by capture_dhcp.py (run it as root to capture",
             "// them again): UDP payloads as the wire carried them, with who sent them.",
             "// dnsmasq " + subprocess.run(["dnsmasq", "--version"], stdout=subprocess.PIPE,
                                           text=True).stdout.split()[2] + "; QEMU " +
             subprocess.run(["qemu-system-x86_64", "--version"], stdout=subprocess.PIPE,
                            text=True).stdout.split()[3] + " slirp with stock OVMF as the client.",
             "#pragma once", "", "#include <cstdint>", "", "namespace mpxe::net::test::frames {", ""]
    for scenario, rows in results.items():
        r_count = {}
        for row in rows:
            parts = row.split()
            if parts[0] == "S":
                name = "k%s%s" % (scenario.capitalize(), "".join(w.capitalize() for w in parts[1].split("-")))
                lines.append(c_array(name, "%s: what the client sent (%s)" % (scenario, parts[1]),
                                     bytes.fromhex(parts[2])))
            else:
                t, src, sport, dst, dport, hexp = parts[1:]
                p = bytes.fromhex(hexp)
                mtype = opt(p, 53)
                kind = {2: "Offer", 5: "Ack", 6: "Nak"}.get(mtype[0] if mtype else 0, "Reply")
                if kind == "Offer" and p[16:20] == bytes(4):
                    kind = "ProxyOffer"
                if kind == "Ack" and int(sport) == 4011:
                    kind = "PxeReply"
                r_count[kind] = r_count.get(kind, 0) + 1
                suffix = "" if r_count[kind] == 1 else str(r_count[kind])
                name = "k%s%s%s" % (scenario.capitalize(), kind, suffix)
                lines.append(c_array(name, "%s: %s from %s:%s to %s:%s (at %ss)" % (
                    scenario, kind, src, sport, dst, dport, t), p))
            lines.append("")
    lines.append("}  // namespace mpxe::net::test::frames")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
