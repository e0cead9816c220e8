#!/usr/bin/env python3
"""Captures the real frames that frames.h holds, from servers no one here wrote.

Run as root, from anywhere:  python3 capture_frames.py > frames.h
It makes two network namespaces joined by a veth pair (transmit checksum offload
off, so the captured checksums are real), starts dnsmasq (DHCP with PXE options,
DNS, TFTP) and atftpd in one, drives them from the other with raw and UDP
sockets while sniffing the client's veth, writes the frames it wants as a C++
header to stdout (dnsmasq's log to stderr), then stops the servers by pid and
deletes the namespaces and the scratch TFTP root.
"""
import os, shutil, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from capture_lib import sh, checksum, c_array, record_frames, tx_checksum_off  # noqa: E402

SRV, CLI = "mpxe-wire-srv", "mpxe-wire-cli"
CLIENT_MAC = bytes.fromhex("525400123456")
SERVER_IP, CLIENT_IP = "10.77.0.1", "10.77.0.2"


def setup():
    sh("ip", "netns", "add", SRV)
    sh("ip", "netns", "add", CLI)
    sh("ip", "link", "add", "mw-s", "netns", SRV, "type", "veth", "peer", "mw-c", "netns", CLI)
    sh("ip", "-n", SRV, "addr", "add", SERVER_IP + "/24", "dev", "mw-s")
    sh("ip", "-n", CLI, "link", "set", "mw-c", "address", "52:54:00:12:34:56")
    sh("ip", "-n", SRV, "link", "set", "mw-s", "address", "52:54:00:ab:cd:ef")
    for ns, dev in ((SRV, "mw-s"), (CLI, "mw-c")):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--tx-off", dev)


def teardown(pids):
    for p in pids:
        p.terminate()
        p.wait()
    sh("ip", "netns", "del", SRV, check=False)
    sh("ip", "netns", "del", CLI, check=False)


def start_servers(root):
    with open(os.path.join(root, "bootx64.efi"), "wb") as f:
        f.write(bytes(range(256)) * 8)  # 2048 bytes
    dnsmasq = subprocess.Popen([
        "ip", "netns", "exec", SRV, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
        "--interface=mw-s", "--bind-interfaces", "--no-resolv", "--no-hosts", "--local-ttl=300",
        "--pid-file=", "--leasefile-ro", "--log-dhcp", "--log-facility=" + os.path.join(root, "dnsmasq.log"),
        "--host-record=boot.mpxe.test," + SERVER_IP, "--cname=www.mpxe.test,boot.mpxe.test",
        "--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,12h",
        "--dhcp-boot=bootx64.efi,,10.77.0.1", "--no-ping",
        "--pxe-service=BC_EFI,Boot mpxe,bootx64",
        "--pxe-service=BC_EFI,Local disk", "--pxe-prompt=mpxe,5",
        "--dhcp-option=option:router,10.77.0.1", "--dhcp-option=option:dns-server,10.77.0.1",
        "--enable-tftp", "--tftp-root=" + root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    atftpd = subprocess.Popen([
        "ip", "netns", "exec", SRV, "atftpd", "--daemon", "--no-fork", "--port", "6969",
        "--bind-address", SERVER_IP, "--user", "root", "--group", "root", "--logfile", "/dev/null",
        root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return [dnsmasq, atftpd]


def dhcp_discover():
    """A DHCPDISCOVER shaped like OVMF's PXE client's (RFC 4578 options 93/94/97)."""
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x1EC7A1D0, 4, 0x8000,
                        bytes(4), bytes(4), bytes(4), bytes(4), CLIENT_MAC, b"", b"")
    opts = bytes([99, 130, 83, 99,
                  53, 1, 1,                      # DHCPDISCOVER
                  57, 2, 0x05, 0xC0,             # max message size 1472
                  55, 9, 1, 2, 3, 5, 6, 12, 13, 43, 60,
                  93, 2, 0, 7,                   # client arch: EFI BC (x64)
                  94, 3, 1, 3, 0,                # UNDI 3.0
                  97, 17, 0]) + bytes(range(16)) + \
        bytes([60, 32]) + b"PXEClient:Arch:00007:UNDI:003000" + bytes([255])
    udp_payload = bootp + opts
    udp = struct.pack("!HHHH", 68, 67, 8 + len(udp_payload), 0) + udp_payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(4), b"\xff\xff\xff\xff")
    csum = checksum(ip)
    ip = ip[:10] + struct.pack("!H", csum) + ip[12:]
    return b"\xff" * 6 + CLIENT_MAC + b"\x08\x00" + ip + udp


def client():
    frames, tftp_ports = record_frames("mw-c", drive)
    write_header(frames, tftp_ports)

def drain(sock):
    try:
        while True:
            sock.recvfrom(2048)
    except socket.timeout:
        pass


def drive():
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(("mw-c", 0))
    raw.send(dhcp_discover())
    time.sleep(1.5)
    subprocess.run(["ip", "addr", "add", CLIENT_IP + "/24", "dev", "mw-c"], check=True)
    time.sleep(0.3)
    icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    echo = struct.pack("!BBHHH", 8, 0, 0, 0x6D70, 1) + b"mpxe echo payload"
    echo = echo[:2] + struct.pack("!H", checksum(echo)) + echo[4:]
    icmp.sendto(echo, (SERVER_IP, 0))
    time.sleep(0.3)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1.0)
    u.sendto(b"closed port", (SERVER_IP, 9))  # nothing listens: ICMP port unreachable
    time.sleep(0.3)
    q = struct.pack("!HHHHHH", 0x4D50, 0x0100, 1, 0, 0, 0) + b"\x03www\x04mpxe\x04test\x00" + \
        struct.pack("!HH", 1, 1)
    u.sendto(q, (SERVER_IP, 53))
    u.recvfrom(2048)
    ports = {}
    for name, port in (("Atftpd", 6969), ("Dnsmasq", 69)):
        t1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t1.settimeout(1.0)
        rrq = b"\x00\x01bootx64.efi\x00octet\x00blksize\x001432\x00tsize\x000\x00" + \
            b"timeout\x003\x00windowsize\x004\x00"
        t1.sendto(rrq, (SERVER_IP, port))
        oack, peer = t1.recvfrom(2048)
        ports[peer[1]] = name
        t1.sendto(b"\x00\x04\x00\x00", peer)  # ACK 0 accepts the options
        drain(t1)                               # DATA 1 and 2 (2048 bytes, blksize 1432)
        t1.sendto(b"\x00\x04\x00\x02", peer)  # ACK 2 ends the transfer
        drain(t1)
        t1.close()
        t2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t2.settimeout(1.0)
        t2.sendto(b"\x00\x01missing.efi\x00octet\x00", (SERVER_IP, port))
        err, peer = t2.recvfrom(2048)
        ports[peer[1]] = name
        t2.close()
    return ports


def write_header(frames, tftp_ports):
    chosen = {}

    def keep(name, comment, frame):
        if name not in chosen:
            chosen[name] = c_array(name, comment, frame)

    for f in frames:
        etype = struct.unpack("!H", f[12:14])[0]
        if etype == 0x0806:
            op = struct.unpack("!H", f[20:22])[0]
            if op == 1 and f[6:12] == CLIENT_MAC:
                keep("kArpRequest", "ARP request from the client's Linux kernel: who has 10.77.0.1", f)
            if op == 2 and f[6:12] != CLIENT_MAC:
                keep("kArpReply", "ARP reply from the server's Linux kernel", f)
            continue
        if etype != 0x0800:
            continue
        ihl = (f[14] & 15) * 4
        proto = f[23]
        l4 = f[14 + ihl:]
        if proto == 1:
            if l4[0] == 8:
                keep("kIcmpEchoRequest", "ICMP echo request, ident 0x6d70 seq 1, 17 bytes of data", f)
            elif l4[0] == 0:
                keep("kIcmpEchoReply", "ICMP echo reply from the server's kernel", f)
            elif l4[0] == 3 and f[6:12] != CLIENT_MAC:
                keep("kIcmpPortUnreachable",
                     "ICMP port unreachable from the server's kernel for a UDP datagram to port 9", f)
            continue
        if proto != 17:
            continue
        sport, dport = struct.unpack("!HH", l4[0:4])
        payload = l4[8:]
        if dport == 67:
            keep("kDhcpDiscover", "DHCPDISCOVER shaped like a UEFI PXE client's "
                 "(options 57, 55, 93, 94, 97, 60); built by capture_frames.py", f)
        elif sport == 67:
            keep("kDhcpOffer", "DHCPOFFER from dnsmasq 2.90 with --dhcp-boot and two "
                 "--pxe-service entries (option 43: PXE sub-options 6 and 10)", f)
        elif dport == 53:
            keep("kDnsQuery", "DNS query for www.mpxe.test A, id 0x4d50, RD", f)
        elif sport == 53:
            keep("kDnsResponse", "dnsmasq's answer: www.mpxe.test CNAME boot.mpxe.test, "
                 "boot.mpxe.test A 10.77.0.1, names compressed", f)
        elif dport == 6969 and payload[:2] == b"\x00\x01" and b"blksize" in payload:
            keep("kTftpRrq", "TFTP RRQ bootx64.efi octet blksize 1432 tsize 0 timeout 3 "
                 "windowsize 4", f)
        elif sport in tftp_ports:
            server = tftp_ports[sport]
            op = payload[1]
            if op == 6:
                keep("kTftpOack" + server, "TFTP OACK from " + server.lower(), f)
            elif op == 3 and payload[3] == 2:
                keep("kTftpData" + server, "TFTP DATA block 2 (the last, short) from " +
                     server.lower(), f)
            elif op == 5:
                keep("kTftpError" + server, "TFTP ERROR (file not found) from " +
                     server.lower(), f)
    print("// Real frames captured on a veth pair by capture_frames.py (run it as root to")
    print("// capture them again). Each is a whole Ethernet II frame as the wire carried it.")
    print("#pragma once")
    print()
    print("#include <stdint.h>")
    print()
    print("namespace mpxe::net::frames {")
    for body in chosen.values():
        print()
        print(body)
    print()
    print("}  // namespace mpxe::net::frames")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--tx-off":
        tx_checksum_off(sys.argv[2])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client()
        return
    root = tempfile.mkdtemp(prefix="mpxe-wire-")
    os.chmod(root, 0o755)
    pids = []
    try:
        setup()
        pids = start_servers(root)
        subprocess.run(["ip", "netns", "exec", CLI, sys.executable, os.path.abspath(__file__),
                        "--client"], check=True)
    finally:
        teardown(pids)
        log = os.path.join(root, "dnsmasq.log")
        if os.path.exists(log):
            sys.stderr.write(open(log).read())
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
