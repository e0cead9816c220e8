#!/usr/bin/env python3
"""Writes the seeds of fuzz_ipv6 (corpus/ipv6/) from the captured frames in
tests/unit/net/ipv6_frames.h and mld_frames.h (capture_ipv6.py: Linux, dnsmasq,
QEMU's user network, a Linux bridge as MLD querier). The input format is at the top of fuzz_ipv6.cpp: a flags byte, then
[step][u16 len][frame] records."""
import os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = [os.path.join(HERE, "..", "unit", "net", name) for name in ("ipv6_frames.h", "mld_frames.h")]
OUT = os.path.join(HERE, "corpus", "ipv6")


def load_frames():
    text = "".join(open(path).read() for path in FRAMES)
    return {m.group(1): bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", m.group(2)))
            for m in re.finditer(r"inline constexpr uint8_t k(\w+)\[\] = \{([^}]*)\}", text)}


def record(step, frame):
    return struct.pack("!BH", step, len(frame)) + frame


def main():
    frames = load_frames()
    os.makedirs(OUT, exist_ok=True)
    for name, frame in frames.items():
        with open(os.path.join(OUT, name.lower()), "wb") as f:
            f.write(bytes([1]) + record(1, frame))
    # A whole exchange: an RA while DAD runs, the neighbour exchange, echo, the errors.
    order = ["NdpRaDnsmasq", "NdpNs", "NdpNa", "Icmpv6EchoReply", "Icmpv6PortUnreachable",
             "Icmpv6ParamProblem", "NdpNaDefence", "NdpRaQemu", "NdpDadNs", "FragmentReplyFirst"]
    script = bytes([1]) + b"".join(record(4, frames[n]) for n in order if n in frames)
    with open(os.path.join(OUT, "exchange"), "wb") as f:
        f.write(script)
    # The querier's queries as they came (flags 0: their checksums are right),
    # the reports between them, v1 last.
    order = ["Mldv2GeneralQuery", "Mldv2JoinFromUnspecified", "Mldv2GroupQuery",
             "Mldv2CurrentState", "Mldv1GeneralQuery", "Mldv1Report"]
    with open(os.path.join(OUT, "mld_exchange"), "wb") as f:
        f.write(bytes([0]) + b"".join(record(8, frames[n]) for n in order))


if __name__ == "__main__":
    main()
