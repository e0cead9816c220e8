#!/usr/bin/env python3
"""A TFTP server that misbehaves on purpose, for tftp_oack_test.sh; one fault per
run, most of them an OACK that breaks RFC 2347:

  bad_tftp_server.py ADDR MODE
    blksize-larger      grants blksize 4096, more than any client here asks
    blksize-range       grants blksize 4 (RFC 2348: 8-65464)
    window-not-asked    grants windowsize 8 whether asked or not
    window-larger       grants windowsize 64, more than the 16 asked
    unknown-option      grants "multicast" (RFC 2090), which nobody asked
    tsize-nonsense      answers tsize with "lots"
    malformed-oack      an OACK whose last option has no value
    trickle             no OACK (every option refused), then lock-step 512-byte
                        blocks of a 1 MiB file, each sent 2 s after the ACK of
                        the one before: never late enough for a timeout

It listens on ADDR:69 and answers every RRQ from a fresh port (a transfer ID of
its own, as RFC 1350 asks), then waits up to 5 s for the client's ERROR 8 (in
trickle mode, for as long as the client ACKs) and prints what came back: "client
ERROR 8: <text>" or "client said nothing". Runs until killed.
"""
import socket, struct, sys, time

addr, mode = sys.argv[1], sys.argv[2]

OACKS = {
    "blksize-larger": [(b"blksize", b"4096"), (b"tsize", b"1000")],
    "blksize-range": [(b"blksize", b"4")],
    "window-not-asked": [(b"windowsize", b"8")],
    "window-larger": [(b"windowsize", b"64")],
    "unknown-option": [(b"blksize", b"512"), (b"multicast", b",,1")],
    "tsize-nonsense": [(b"tsize", b"lots")],
}


def oack():
    if mode == "malformed-oack":
        return b"\x00\x06blksize\x00"  # a name with no value
    return b"\x00\x06" + b"".join(n + b"\x00" + v + b"\x00" for n, v in OACKS[mode])


def trickle(transfer, client):
    """Sends blocks until the client stops ACKing or sends an ERROR."""
    size = 1 << 20
    block = 1
    while (block - 1) * 512 <= size:
        if block > 1:
            time.sleep(2)
        payload = bytes(((i * 7 + 3) & 0xFF) for i in range((block - 1) * 512, min(block * 512, size)))
        transfer.sendto(struct.pack("!HH", 3, block & 0xFFFF) + payload, client)
        while True:
            reply, _ = transfer.recvfrom(2048)
            if reply[:2] == b"\x00\x05":
                return reply
            if reply[:2] == b"\x00\x04" and struct.unpack("!H", reply[2:4])[0] == block & 0xFFFF:
                break
        block += 1
    return b""


if mode not in OACKS and mode not in ("malformed-oack", "trickle"):
    sys.exit("unknown mode " + mode)
listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
listener.bind((addr, 69))
print("listening", flush=True)
while True:
    request, client = listener.recvfrom(2048)
    if request[:2] != b"\x00\x01":
        continue
    transfer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    transfer.bind((addr, 0))
    transfer.settimeout(5)
    try:
        if mode == "trickle":
            reply = trickle(transfer, client)
        else:
            transfer.sendto(oack(), client)
            reply, _ = transfer.recvfrom(2048)
        if reply[:2] == b"\x00\x05":
            code = struct.unpack("!H", reply[2:4])[0]
            print("client ERROR %d: %s" % (code, reply[4:].split(b"\x00")[0].decode()), flush=True)
        else:
            print("client sent opcode %d" % struct.unpack("!H", reply[:2])[0], flush=True)
    except socket.timeout:
        print("client said nothing", flush=True)
    transfer.close()
