#!/usr/bin/env python3
"""Writes the seeds of fuzz_dns_resolver (corpus/dns_resolver/). The input format is
described at the top of fuzz_dns_resolver.cpp: two setup bytes, then [ctl][u16 len][bytes]
records, one datagram each. Patched records (PATCHED) get the query's ID, QR and
question put in front of their bytes from offset 12 on, so the answer sections here
are written as if the question www.mpxe.test A (or AAAA) IN (19 bytes) sat at offset 12."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER0, LAST_SERVER, OTHER_PORT, OTHER_HOST = 0, 1, 2, 3
PATCHED, POLL, ICMP = 4, 8, 16
ANSWERS_AT = 12 + 19  # after the header and the question of www.mpxe.test


V4, V6, PREFER_V4, PREFER_V6 = 0, 1, 2, 3
V6_SERVERS = 4


def setup(byte0, byte1=V4):
    return bytes([byte0, byte1])


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
AAAA = 28
FD00_7 = bytes([0xfd] + [0] * 14 + [7])
OK = 0x8180

cname_rdata = b"\x04boot" + ptr(16)  # boot + "mpxe.test" of the question
cname_target = ANSWERS_AT + 12      # where that RDATA sits

SEEDS = {
    "answer-a": setup(0x00) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "answer-cname": setup(0x00) + record(
        PATCHED | POLL,
        header(OK, 2) + rr(ptr(12), CNAME, 600, cname_rdata) + rr(ptr(cname_target), A, 60, bytes([10, 77, 0, 9]))),
    "nxdomain": setup(0x00) + record(PATCHED, header(0x8183, 0)),
    "servfail-then-second-server": setup(0x01) + record(PATCHED | POLL, header(0x8182, 0))
    + record(PATCHED | LAST_SERVER | POLL | advance(1), header(OK, 1) + rr(ptr(12), A, 5, bytes([10, 77, 0, 53]))),
    "truncated": setup(0x00) + record(PATCHED, header(0x8380, 3) + rr(ptr(12), A, 300, bytes([10, 0, 0, 1]))),
    "pointer-loop": setup(0x00) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(ANSWERS_AT), A, 300, bytes(4))),
    "wrong-source-then-right": setup(0x00)
    + record(PATCHED | OTHER_HOST, header(OK, 1) + rr(ptr(12), A, 300, bytes([6, 6, 6, 6])))
    + record(PATCHED | OTHER_PORT, header(OK, 1) + rr(ptr(12), A, 300, bytes([6, 6, 6, 6])))
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "timeouts-four-servers": setup(0x03) + b"".join(record(POLL | advance(5), b"") for _ in range(12)),
    "cache-hit-then-lookups": setup(0x04 | (3 << 4))
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 2])))
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), A, 0, bytes([10, 77, 0, 3]))),
    "unreachable-then-next": setup(0x01) + record(ICMP | POLL, b"") + record(ICMP | LAST_SERVER | POLL, b""),
    "refused-sends": setup(0x08) + b"".join(record(POLL | advance(3), b"") for _ in range(6))
    + record(PATCHED | LAST_SERVER | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "answer-aaaa": setup(0x00, V6) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), AAAA, 300, FD00_7)),
    "aaaa-cname": setup(0x00, V6) + record(
        PATCHED | POLL,
        header(OK, 2) + rr(ptr(12), CNAME, 600, cname_rdata) + rr(ptr(cname_target), AAAA, 60, FD00_7)),
    "aaaa-bad-length": setup(0x00, V6) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), AAAA, 300, bytes(4))),
    "both-prefer-v6": setup(0x00, PREFER_V6)
    + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), AAAA, 300, FD00_7))
    + record(PATCHED | POLL | advance(1), header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 7]))),
    "both-prefer-v4-nodata-first": setup(0x00, PREFER_V4)
    + record(PATCHED | POLL, header(OK, 0))
    + record(PATCHED | POLL | advance(1), header(OK, 1) + rr(ptr(12), AAAA, 30, FD00_7)),
    "both-silent-then-answer": setup(0x00, PREFER_V6) + b"".join(record(POLL | advance(5), b"") for _ in range(4))
    + record(PATCHED | LAST_SERVER | POLL, header(OK, 1) + rr(ptr(12), A, 300, bytes([10, 77, 0, 1]))),
    "v6-servers-servfail-then-next": setup(0x01, V6 | V6_SERVERS) + record(PATCHED | POLL, header(0x8182, 0))
    + record(PATCHED | LAST_SERVER | POLL | advance(1), header(OK, 1) + rr(ptr(12), AAAA, 5, FD00_7)),
    "literal-v6-then-names": setup(0xF0, V6) + record(PATCHED | POLL, header(OK, 1) + rr(ptr(12), AAAA, 300, FD00_7)),
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
