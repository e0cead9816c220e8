#!/usr/bin/env python3
"""Writes the seeds of fuzz_dns_resolver (corpus/dns_resolver/). The input format is
described at the top of fuzz_dns_resolver.cpp: a setup byte, then [ctl][u16 len][bytes]
records, one datagram each. Patched records (PATCHED) get the query's ID, QR and
question put in front of their bytes from offset 12 on, so the answer sections here
are written as if the question www.mpxe.test A IN (19 bytes) sat at offset 12."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER0, LAST_SERVER, OTHER_PORT, OTHER_HOST = 0, 1, 2, 3
PATCHED, POLL, ICMP = 4, 8, 16
ANSWERS_AT = 12 + 19  # after the header and the question of www.mpxe.test


def advance(index):  # 0, 1, 19, 20, 500, 1000, 2000, 4000 ms
    return index << 5


def record(ctl, data):
    return bytes([ctl, len(data) >> 8, len(data) & 255]) + data


def header(flags, ancount):
    return struct.pack(">HHHHHH", 0, flags, 1, ancount, 0, 0)


def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def ptr(offset):
    return struct.pack(">H", 0xC000 | offset)


A = 1
CNAME = 5
OK = 0x8180

cname_rdata = b"\x04boot" + ptr(16)  # boot + "mpxe.test" of the question
cname_target = ANSWERS_AT + 12      # where that RDATA sits

SEEDS = {
    "answer-a": bytes([0x00]) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "answer-cname": bytes([0x00]) + record(
        PATCHED | POLL,
        header(OK, 2) + rr(ptr(12), CNAME, 600, cname_rdata) + rr(ptr(cname_target), A, 60, bytes([10, 77, 0, 9]))),
    "nxdomain": bytes([0x00]) + record(PATCHED, header(0x8183, 0)),
    "servfail-then-second-server": bytes([0x01]) + record(PATCHED | POLL, header(0x8182, 0))
    + record(PATCHED | LAST_SERVER | POLL | advance(1), header(OK, 1) + rr(ptr(12), A, 5, bytes([10, 77, 0, 53]))),
    "truncated": bytes([0x00]) + record(PATCHED, header(0x8380, 3) + rr(ptr(12), A, 300, bytes([10, 0, 0, 1]))),
    "pointer-loop": bytes([0x00]) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(ANSWERS_AT), A, 300, bytes(4))),
    "wrong-source-then-right": bytes([0x00])
    + record(PATCHED | OTHER_HOST, header(OK, 1) + rr(ptr(12), A, 300, bytes([6, 6, 6, 6])))
    + record(PATCHED | OTHER_PORT, header(OK, 1) + rr(ptr(12), A, 300, bytes([6, 6, 6, 6])))
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "timeouts-four-servers": bytes([0x03]) + b"".join(record(POLL | advance(5), b"") for _ in range(12)),
    "cache-hit-then-lookups": bytes([0x04 | (3 << 4)])
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 2])))
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 0, bytes([10, 77, 0, 3]))),
    "unreachable-then-next": bytes([0x01]) + record(ICMP | POLL, b"") + record(ICMP | LAST_SERVER | POLL, b""),
    "refused-sends": bytes([0x08]) + b"".join(record(POLL | advance(3), b"") for _ in range(6))
    + record(PATCHED | LAST_SERVER | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
}


def main():
    out = os.path.join(HERE, "corpus", "dns_resolver")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out}")


if __name__ == "__main__":
    main()
