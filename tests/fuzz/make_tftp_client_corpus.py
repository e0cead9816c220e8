#!/usr/bin/env python3
"""Writes the seeds of fuzz_tftp_client (corpus/tftp_client/). The input format is
described at the top of fuzz_tftp_client.cpp: a target byte, then [ctl][u16 len][bytes]
records, one datagram each."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
TID, PORT69, OTHER_PORT, OTHER_HOST = 0, 1, 2, 3
PATCHED, POLL = 4, 8


def advance(index):  # index into the table of time steps (0 ms ... 10 s)
    return index << 4


def record(ctl, data):
    return bytes([ctl, len(data) >> 8, len(data) & 255]) + data


def data(block, payload):
    return bytes([0, 3, block >> 8, block & 255]) + payload


def near(offset, payload=bytes(16)):
    # Patched into DATA for the expected block + offset (-2 ... 5).
    return bytes([0, 3, offset + 2, 0]) + payload


def oack(*pairs):
    return b"\x00\x06" + b"".join(n + b"\x00" + v + b"\x00" for n, v in pairs)


def error(code, text):
    return bytes([0, 5, 0, code]) + text + b"\x00"


SEEDS = {
    "requesting-oack-window": bytes([1]) + record(TID, oack((b"blksize", b"16"),
                                                           (b"windowsize", b"4"),
                                                           (b"tsize", b"100"))),
    "requesting-plain-data": bytes([1]) + record(advance(2), data(1, bytes(512))),
    "window-gap-and-restart": bytes([3]) +
        record(PATCHED, near(1)) + record(PATCHED, near(2)) + record(PATCHED, near(0)) +
        record(PATCHED, near(0)) + record(PATCHED, near(-1)) + record(PATCHED | POLL, near(0, b"end")),
    "lockstep-duplicates": bytes([2]) +
        record(PATCHED, near(-1)) + record(PATCHED | advance(11), near(-1)) +
        record(PATCHED | POLL | advance(7), near(0)),
    "closing-resent-last": bytes([4]) +
        record(advance(11), data(2, b"\x5a\x5a\x5a")) + record(POLL | advance(13), data(2, b"zzz")),
    "intruders": bytes([2]) +
        record(OTHER_PORT, data(2, bytes(16))) + record(OTHER_HOST, error(5, b"unknown")) +
        record(PORT69, data(2, bytes(16))),
    "server-error-mid-window": bytes([3]) + record(TID, error(3, b"Disk full\x01")),
    "silence-to-give-up": bytes([0x0A]) + b"".join(record(POLL | advance(14), b"") for _ in range(6)),
    "size-only-stray-data": bytes([5]) + record(TID, data(1, bytes(8))),
    "rfc1350-sized": bytes([7]) + record(PATCHED, near(0, bytes(512))) + record(PATCHED, near(0, b"short")),
    # The reorder store (3 blocks of 16): a swapped pair, every block twice, a
    # gap that fills after the wait, and a block with no room.
    "window-swapped-pair": bytes([3]) +
        record(PATCHED, near(1)) + record(PATCHED, near(-1)) + record(PATCHED, near(2)) +
        record(PATCHED, near(1)) + record(PATCHED, near(0)),
    "window-every-block-twice": bytes([3]) + b"".join(
        record(PATCHED, near(0)) + record(PATCHED, near(-1)) for _ in range(6)),
    "window-gap-waits-then-fills": bytes([3]) +
        record(PATCHED, near(2)) + record(PATCHED | POLL | advance(2), near(3)) +
        record(PATCHED | advance(3), near(0)) + record(PATCHED, near(0, b"end")),
    "window-gap-no-room": bytes([3]) +
        record(PATCHED, near(4)) + record(PATCHED, near(5)) + record(PATCHED, near(1)) +
        record(PATCHED | POLL | advance(8), near(0)),
    "window-no-store": bytes([3 | 0x20]) + record(PATCHED, near(1)) + record(PATCHED, near(0)),
    # OACK violations, each its own named fault.
    "oack-blksize-larger": bytes([1]) + record(TID, oack((b"blksize", b"2048"))),
    "oack-blksize-range": bytes([1]) + record(TID, oack((b"blksize", b"4"))),
    "oack-window-not-asked": bytes([1 | 0x10]) + record(TID, oack((b"windowsize", b"8"))),
    "oack-window-larger": bytes([1]) + record(TID, oack((b"windowsize", b"64"))),
    "oack-unknown": bytes([1]) + record(TID, oack((b"multicast", b",,1"))),
    "oack-repeated": bytes([1]) + record(TID, oack((b"tsize", b"1"), (b"TSIZE", b"2"))),
    "oack-tsize-nonsense": bytes([1]) + record(TID, oack((b"tsize", b"-1"))),
    "oack-timeout-larger": bytes([1 | 0x08]) + record(TID, oack((b"timeout", b"9"))),
    "oack-malformed": bytes([1]) + record(TID, b"\x00\x06blksize\x00"),
}


def main():
    d = os.path.join(HERE, "corpus", "tftp_client")
    os.makedirs(d, exist_ok=True)
    for name, seed in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(seed)


if __name__ == "__main__":
    main()
