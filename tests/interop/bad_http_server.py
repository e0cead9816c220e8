#!/usr/bin/env python3
"""A deliberately broken HTTP server for http_test.sh, one behaviour per run:

  bad_http_server.py ADDR PORT close-mid-body   promises 1 MiB, sends 100000 bytes, closes
  bad_http_server.py ADDR PORT stall            accepts, reads the request, never answers
  bad_http_server.py ADDR PORT reset            answers the head, then resets (SO_LINGER 0)

It serves one connection per HEAD/GET it is asked, until killed.
"""
import socket, struct, sys, time

addr, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SIZE = 1 << 20
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(8)
held = []
while True:
    conn, _ = srv.accept()
    req = b""
    while b"\r\n\r\n" not in req:
        chunk = conn.recv(4096)
        if not chunk:
            break
        req += chunk
    if mode == "stall":
        held.append(conn)  # never answered, never closed
        continue
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nAccept-Ranges: bytes\r\n\r\n" % SIZE
    if req.startswith(b"HEAD"):
        conn.sendall(head)
        # keep-alive: the client may send its GET on this connection
        req = b""
        while b"\r\n\r\n" not in req:
            chunk = conn.recv(4096)
            if not chunk:
                break
            req += chunk
        if not req:
            conn.close()
            continue
    if mode == "close-mid-body":
        conn.sendall(head + bytes(100000))
        time.sleep(0.2)
        conn.close()
    elif mode == "reset":
        conn.sendall(head + bytes(50000))
        time.sleep(0.2)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
