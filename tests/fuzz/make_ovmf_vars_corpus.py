#!/usr/bin/env python3
"""Writes the seeds of fuzz_ovmf_vars into corpus/ovmf_vars/: Debian's variable stores
(ovmf package) cut to the part that holds variables, their store size patched to fit:
the empty template, the one with Microsoft's keys, the snakeoil one; the empty one in
the plain (gEfiVariableGuid) format; and a few bent copies. Rewrites the folder."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "ovmf_vars")
PLAIN = bytes.fromhex("1636cfdd75326441" "98b6fe85707ffe7d")


def cut(path, length):
    image = bytearray(open(path, "rb").read()[:length])
    store = struct.unpack_from("<H", image, 0x30)[0]
    struct.pack_into("<I", image, store + 16, length - store)
    return image


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    seeds = {
        "empty": cut("/usr/share/OVMF/OVMF_VARS_4M.fd", 0x400),
        "microsoft": cut("/usr/share/OVMF/OVMF_VARS_4M.ms.fd", 0x5a00),
        "snakeoil": cut("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd", 0x4a00),
    }
    plain = bytearray(seeds["empty"])
    plain[0x48:0x58] = PLAIN
    seeds["plain"] = plain
    full = bytearray(seeds["snakeoil"])
    struct.pack_into("<I", full, 0x48 + 16, 0x4a00 - 0x48 - 0x100)  # ends inside a variable
    seeds["store_ends_in_variable"] = full
    bent = bytearray(seeds["microsoft"])
    struct.pack_into("<I", bent, 0x3cf4 + 60 + 6 + 16, 0x10000)  # db's first list runs past
    seeds["db_list_too_long"] = bent
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(name, len(data))


main()
