#!/usr/bin/env python3
"""A deliberately broken HTTP/1.1 server, one behaviour per run, for http_test.sh
and for ROM-over-TAP e2e tests:

  bad_http_server.py ADDR PORT MODE [--file PATH | --size BYTES] [--cut BYTES]
                     [--rate BYTES]

It serves one resource (any path but *.sha256, which is 404 so that the
option ROM finds no published digest): PATH's bytes, or BYTES bytes of a fixed
pattern (byte i is (i * 7 + 3) & 0xFF; default 1 MiB). HEAD is always answered
properly; MODE decides what a GET gets:

  close-mid-body  no ranges; every response closes after --cut body bytes
  cut-plain       no ranges; the first response closes after --cut body bytes,
                  the next ones are whole (a client's fresh GET succeeds)
  cut-ranges      honours Range; the first response for each range's last byte
                  closes after --cut body bytes, the next ones are whole (a
                  resumed range succeeds)
  truncate-every  honours Range; every response closes after --cut body bytes
  reset           no ranges; the head and --cut/2 body bytes, then a reset
  trickle         no ranges; the head, then one body byte a second
  trickle-head    no ranges; the response head one byte a second
  slow            honours Range; every body at --rate bytes a second
  slow-first      honours Range; the first response for a range from byte 0 at
                  --rate bytes a second, every other one whole at once
  stall           reads the request, never answers (the HEAD too)

Connections are kept alive between requests and served concurrently until the
server is killed. --cut defaults to 100000, --rate to 20000.
"""
import argparse, re, socket, struct, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("addr")
parser.add_argument("port", type=int)
parser.add_argument("mode", choices=["close-mid-body", "cut-plain", "cut-ranges", "truncate-every",
                                     "reset", "trickle", "trickle-head", "stall", "slow",
                                     "slow-first"])
parser.add_argument("--file")
parser.add_argument("--size", type=int, default=1 << 20)
parser.add_argument("--cut", type=int, default=100000)
parser.add_argument("--rate", type=int, default=20000)
args = parser.parse_args()

if args.file:
    with open(args.file, "rb") as f:
        DATA = f.read()
else:
    DATA = bytes((i * 7 + 3) & 0xFF for i in range(args.size))
SIZE = len(DATA)
RANGES = args.mode in ("cut-ranges", "truncate-every", "slow", "slow-first")
lock = threading.Lock()
cut_once = set()  # cut-plain, cut-ranges: the range ends already cut once


def read_head(conn, buf):
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None, b""
        buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    return buf[:end].decode("latin-1"), buf[end:]


def first_cut(key):
    with lock:
        if key in cut_once:
            return False
        cut_once.add(key)
        return True


def serve(conn):
    held = False
    buf = b""
    try:
        while True:
            head, buf = read_head(conn, buf)
            if head is None:
                return
            if args.mode == "stall":
                held = True
                time.sleep(3600)
                return
            target = head.split(" ")[1] if " " in head else "/"
            if target.endswith(".sha256"):
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                continue
            first, last = 0, SIZE - 1
            m = re.search(r"(?im)^range:\s*bytes=(\d+)-(\d*)\s*$", head)
            partial = RANGES and m is not None
            if partial:
                first = int(m.group(1))
                if m.group(2):
                    last = min(int(m.group(2)), SIZE - 1)
            body = DATA[first:last + 1]
            lines = ["HTTP/1.1 206 Partial Content" if partial else "HTTP/1.1 200 OK",
                     "Content-Length: %d" % len(body)]
            if partial:
                lines.append("Content-Range: bytes %d-%d/%d" % (first, last, SIZE))
            if RANGES:
                lines.append("Accept-Ranges: bytes")
            out = ("\r\n".join(lines) + "\r\n\r\n").encode()
            if head.startswith("HEAD"):
                conn.sendall(out)
                continue
            mode = args.mode
            if mode == "trickle-head":
                for b in out:
                    conn.sendall(bytes([b]))
                    time.sleep(1)
                conn.sendall(body)
                continue
            if mode == "trickle":
                conn.sendall(out)
                for b in body:
                    conn.sendall(bytes([b]))
                    time.sleep(1)
                continue
            if mode == "slow" or (mode == "slow-first" and first == 0 and first_cut(last)):
                conn.sendall(out)
                piece = max(1, args.rate // 10)
                for at in range(0, len(body), piece):
                    conn.sendall(body[at:at + piece])
                    time.sleep(0.1)
                continue
            if mode == "reset":
                conn.sendall(out + body[:args.cut // 2])
                time.sleep(0.2)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            cut = mode in ("close-mid-body", "truncate-every") or (
                mode in ("cut-plain", "cut-ranges") and first_cut(last))
            if cut and len(body) > args.cut:
                conn.sendall(out + body[:args.cut])
                time.sleep(0.2)
                return
            conn.sendall(out + body)
    except OSError:
        pass
    finally:
        if not held:
            conn.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((args.addr, args.port))
srv.listen(16)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
