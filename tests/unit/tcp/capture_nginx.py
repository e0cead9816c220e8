#!/usr/bin/env python3
"""Captures the real bytes the TCP and HTTP unit tests read, from Linux and nginx.

Run as root:  python3 capture_nginx.py OUTDIR
It makes two network namespaces joined by a veth pair (checksum, segmentation
and receive offloads off, so each captured frame is one real wire segment with
a real checksum), starts nginx (Debian's) in one, drives it from the other with
plain sockets while tcpdump records the client's side, and writes:
  OUTDIR/tcp_frames.h      one whole GET exchange, SYN to the last ACK, frame by frame
  OUTDIR/http_responses.h  the raw bytes nginx answered to a set of requests
Then it stops nginx and tcpdump by pid and deletes the namespaces and files.
"""
import ctypes, fcntl, os, shutil, socket, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from capture_lib import sh, c_array, read_pcap  # noqa: E402

SRV, CLI = "mpxe-tcp-srv", "mpxe-tcp-cli"
SERVER_IP, CLIENT_IP = "10.77.0.1", "10.77.0.2"


def ethtool_set(dev, cmd):
    value = ctypes.create_string_buffer(struct.pack("II", cmd, 0), 8)
    ifreq = struct.pack("16sP16x", dev.encode(), ctypes.addressof(value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            fcntl.ioctl(s, 0x8946, ifreq)
        except OSError:
            pass


def offloads_off(dev):
    # ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO
    for cmd in (0x17, 0x19, 0x1F, 0x24, 0x2C):
        ethtool_set(dev, cmd)


def setup():
    sh("ip", "netns", "add", SRV)
    sh("ip", "netns", "add", CLI)
    sh("ip", "link", "add", "mt-s", "netns", SRV, "type", "veth", "peer", "mt-c", "netns", CLI)
    sh("ip", "-n", SRV, "addr", "add", SERVER_IP + "/24", "dev", "mt-s")
    sh("ip", "-n", CLI, "addr", "add", CLIENT_IP + "/24", "dev", "mt-c")
    sh("ip", "-n", CLI, "link", "set", "mt-c", "address", "52:54:00:12:34:56")
    sh("ip", "-n", SRV, "link", "set", "mt-s", "address", "52:54:00:ab:cd:ef")
    for ns, dev in ((SRV, "mt-s"), (CLI, "mt-c")):
        sh("ip", "-n", ns, "link", "set", dev, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--offloads-off", dev)


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  server {{
    listen {ip}:80;
    root {root}/www;
    location = /moved {{ absolute_redirect off; return 301 /file4000; }}
    location = /found {{ return 302 http://{ip}/file4000; }}
    location /ssi/ {{ ssi on; default_type text/html; }}
  }}
}}
"""


def request(path, extra=b"", close=True):
    """One request on a fresh connection; returns every byte nginx sent until it closed."""
    s = socket.create_connection((SERVER_IP, 80))
    hdr = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + SERVER_IP.encode() + b"\r\n" + extra
    if close:
        hdr += b"Connection: close\r\n"
    s.sendall(hdr + b"\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def exchange():
    """The exchange tcp_frames.h holds: keep-alive request, full response, client closes first."""
    s = socket.create_connection((SERVER_IP, 80))
    s.sendall(b"GET /file4000 HTTP/1.1\r\nHost: " + SERVER_IP.encode() + b"\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data or len(data) - data.index(b"\r\n\r\n") - 4 < 4000:
        data += s.recv(65536)
    time.sleep(0.3)
    s.close()
    time.sleep(0.5)


def client_main():
    exchange()
    out = {}
    out["200"] = request("/file4000")
    out["206"] = request("/file4000", b"Range: bytes=1000-1999\r\n")
    out["416"] = request("/file4000", b"Range: bytes=5000-6000\r\n")
    out["301"] = request("/moved")
    out["302"] = request("/found")
    out["404"] = request("/missing.efi")
    out["chunked"] = request("/ssi/page.html")
    sys.stdout.write(repr(out))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--offloads-off":
        offloads_off(sys.argv[2])
        return
    if len(sys.argv) == 2 and sys.argv[1] == "--client":
        client_main()
        return
    outdir = sys.argv[1]
    root = tempfile.mkdtemp(prefix="mpxe-capture-")
    os.chmod(root, 0o755)
    os.makedirs(os.path.join(root, "www", "ssi"))
    os.makedirs(os.path.join(root, "tmp"))
    with open(os.path.join(root, "www", "file4000"), "wb") as f:
        f.write(bytes((i * 7 + 3) & 0xFF for i in range(4000)))
    with open(os.path.join(root, "www", "ssi", "page.html"), "w") as f:
        f.write("<p>first part</p>\n<!--# echo var=\"host\" -->\n<p>after the include</p>\n")
    for dirpath, dirs, files in os.walk(root):
        for d in dirs: os.chmod(os.path.join(dirpath, d), 0o755)
        for n in files: os.chmod(os.path.join(dirpath, n), 0o644)
    with open(os.path.join(root, "nginx.conf"), "w") as f:
        f.write(NGINX_CONF.format(root=root, ip=SERVER_IP))
    pids = []
    try:
        setup()
        nginx = subprocess.Popen(["ip", "netns", "exec", SRV, "nginx", "-c", os.path.join(root, "nginx.conf")])
        pids.append(nginx)
        pcap = os.path.join(root, "client.pcap")
        dump = subprocess.Popen(["ip", "netns", "exec", CLI, "tcpdump", "-i", "mt-c", "-U", "-s", "0",
                                 "-w", pcap, "tcp"], stderr=subprocess.DEVNULL)
        pids.append(dump)
        time.sleep(1.0)
        out = subprocess.run(["ip", "netns", "exec", CLI, sys.executable, os.path.abspath(__file__), "--client"],
                             check=True, capture_output=True).stdout
        responses = eval(out)
        time.sleep(0.5)
        dump.terminate(); dump.wait(); pids.remove(dump)
        frames = read_pcap(pcap)
        # The first connection: every frame up to and including the last one of its port pair.
        first_port = struct.unpack_from("!H", frames[0], 34)[0]
        exch = [f for f in frames if first_port in struct.unpack_from("!HH", f, 34)]
        with open(os.path.join(outdir, "tcp_frames.h"), "w") as f:
            f.write("// One HTTP/1.1 GET over TCP between a Linux client (10.77.0.2, curl-like\n"
                    "// socket code) and nginx 1.22 on Linux (10.77.0.1:80), captured on the client's\n"
                    "// veth with every offload off by capture_nginx.py: the request for /file4000\n"
                    "// (4000 bytes, byte i = (7i + 3) mod 256), the response, and the client's\n"
                    "// close. Whole Ethernet frames, in capture order.\n#pragma once\n\n"
                    "#include <stddef.h>\n#include <stdint.h>\n\nnamespace mpxe::net::tcp_frames {\n\n")
            names = []
            for i, fr in enumerate(exch):
                src = ".".join(str(b) for b in fr[26:30])
                flags = fr[47]
                fl = "".join(n for bit, n in ((2, "S"), (16, "."), (8, "P"), (1, "F"), (4, "R")) if flags & bit)
                ihl = (fr[14] & 15) * 4
                doff = (fr[14 + ihl + 12] >> 4) * 4
                plen = struct.unpack_from("!H", fr, 16)[0] - ihl - doff
                who = "client" if src == CLIENT_IP else "server"
                name = "kFrame%d" % i
                names.append((name, who == "client"))
                f.write(c_array(name, "%s [%s] %d payload bytes" % (who, fl, plen), fr) + "\n")
                f.write("\n")
            f.write("struct Frame {\n  const uint8_t* data;\n  size_t size;\n  bool from_client;\n};\n\n")
            f.write("inline constexpr Frame kExchange[] = {\n")
            for name, c in names:
                f.write("    {%s, sizeof %s, %s},\n" % (name, name, "true" if c else "false"))
            f.write("};\n\n}  // namespace mpxe::net::tcp_frames\n")
        with open(os.path.join(outdir, "http_responses.h"), "w") as f:
            f.write("// What nginx 1.22 (Debian 12) answered, byte for byte, captured by\n"
                    "// capture_nginx.py: /file4000 is 4000 bytes, byte i = (7i + 3) mod 256.\n"
                    "#pragma once\n\n#include <stdint.h>\n\nnamespace mpxe::net::nginx {\n\n")
            what = {"200": "GET /file4000 (Connection: close)",
                    "206": "GET /file4000 with Range: bytes=1000-1999",
                    "416": "GET /file4000 with Range: bytes=5000-6000",
                    "301": "GET /moved (absolute_redirect off; return 301 /file4000)",
                    "302": "GET /found (return 302 http://10.77.0.1/file4000)",
                    "404": "GET /missing.efi",
                    "chunked": "GET /ssi/page.html (SSI: no length, chunked)"}
            for key, comment in what.items():
                f.write(c_array("k" + key[0].upper() + key[1:] if not key[0].isdigit() else "kStatus" + key,
                                comment, responses[key]) + "\n")
                f.write("\n")
            f.write("}  // namespace mpxe::net::nginx\n")
    finally:
        for p in pids:
            p.terminate(); p.wait()
        sh("ip", "netns", "del", SRV, check=False)
        sh("ip", "netns", "del", CLI, check=False)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
