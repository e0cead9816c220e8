#!/usr/bin/env python3
"""Writes the seeds of fuzz_pe_image into corpus/pe_image/: a tiny PE32+ driver
(the layout of tests/unit/pecheck/pe_builder.h: .text, .data, .reloc), the same
image signed by sbsign with a throwaway key made by the openssl CLI, and copies
of the signed one with its certificate table bent (bad revision, length past the
end, misaligned, padding after the table, two entries). Run from anywhere;
rewrites the folder."""
import os
import struct
import subprocess
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "pe_image")
OPTIONAL = 0x40 + 4 + 20
SECURITY = OPTIONAL + 112 + 8 * 4


def tiny_pe():
    sections = [(b".text", 0x1000, 0x123, 0x60000020), (b".data", 0x2000, 0x40, 0xC0000040),
                (b".reloc", 0x3000, 0x0C, 0x42000040)]
    b = bytearray(0x200 * (1 + len(sections)))
    b[0:2] = b"MZ"
    struct.pack_into("<I", b, 0x3C, 0x40)
    b[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", b, 0x44, 0x8664, len(sections), 0, 0, 0, 112 + 16 * 8, 0x22)
    o = OPTIONAL
    struct.pack_into("<H", b, o, 0x20B)
    struct.pack_into("<I", b, o + 16, 0x1010)
    struct.pack_into("<II", b, o + 32, 0x1000, 0x200)
    struct.pack_into("<II", b, o + 56, 0x4000, 0x200)
    struct.pack_into("<HH", b, o + 68, 11, 0x0160)
    struct.pack_into("<I", b, o + 108, 16)
    struct.pack_into("<II", b, o + 112 + 8 * 5, 0x3000, 0x0C)
    for i, (name, rva, vsize, flags) in enumerate(sections):
        h = o + 112 + 16 * 8 + 40 * i
        b[h:h + len(name)] = name
        struct.pack_into("<IIII", b, h + 8, vsize, rva, 0x200, 0x200 * (i + 1))
        struct.pack_into("<I", b, h + 36, flags)
        for k in range(0x200):
            b[0x200 * (i + 1) + k] = (i * 31 + k) & 0xFF
    return bytes(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    with tempfile.TemporaryDirectory() as tmp:
        unsigned = os.path.join(tmp, "unsigned.efi")
        open(unsigned, "wb").write(tiny_pe())
        subprocess.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=seed/", "-keyout", os.path.join(tmp, "k.key"),
                        "-out", os.path.join(tmp, "k.crt")], check=True, capture_output=True)
        subprocess.run(["sbsign", "--key", os.path.join(tmp, "k.key"), "--cert", os.path.join(tmp, "k.crt"),
                        "--output", os.path.join(tmp, "signed.efi"), unsigned], check=True, capture_output=True)
        signed = open(os.path.join(tmp, "signed.efi"), "rb").read()
    table, size = struct.unpack_from("<II", signed, SECURITY)

    def bent(offset, fmt, value, data=signed):
        b = bytearray(data)
        struct.pack_into(fmt, b, offset, value)
        return bytes(b)

    seeds = {
        "unsigned": tiny_pe(),
        "signed": signed,
        "bad_revision": bent(table + 4, "<H", 0x0100),
        "length_past_end": bent(table, "<I", size + 8),
        "misaligned": bent(SECURITY + 4, "<I", size - 4, bent(SECURITY, "<I", table + 4)),
        "padded_after_table": signed + b"\xff" * 512,
        "two_entries": bent(SECURITY + 4, "<I", size * 2, signed + signed[table:]),
    }
    for name, data in seeds.items():
        open(os.path.join(OUT, name), "wb").write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
