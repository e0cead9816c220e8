#!/usr/bin/env python3
"""Writes the seed corpus under corpus/<target>/ from the captured frames in
tests/unit/net/frames.h, plus a few hand-made edge cases. Run it again after
frames.h changes; the files it writes are committed."""
import os, re, struct

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = os.path.join(HERE, "..", "unit", "net", "frames.h")


def load_frames():
    text = open(FRAMES).read()
    out = {}
    for m in re.finditer(r"inline constexpr uint8_t k(\w+)\[\] = \{([^}]*)\}", text):
        out[m.group(1)] = bytes(int(x, 16) for x in re.findall(r"0x([0-9a-f]{2})", m.group(2)))
    return out


def udp_payload(frame):
    ihl = (frame[14] & 15) * 4
    return frame[14 + ihl + 8:14 + struct.unpack("!H", frame[16:18])[0]]


def kebab(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    frames = load_frames()
    for name, frame in frames.items():
        write("stack", kebab(name), frame)
        payload = udp_payload(frame) if frame[12:14] == b"\x08\x00" and frame[23] == 17 else None
        if payload is None:
            continue
        if name.startswith("Dhcp"):
            write("dhcp", kebab(name), payload)
        elif name.startswith("Dns"):
            write("dns", kebab(name), payload)
        elif name.startswith("Tftp"):
            write("tftp", kebab(name), payload)

    # DHCP: an offer with option overload 3, options spilling into file and sname.
    offer = udp_payload(frames["DhcpOffer"])
    head = bytearray(offer[:240])
    head[44:236] = bytes(192)
    sname = bytes([66, 4]) + b"tftp" + b"\xff"
    file = bytes([67, 14]) + b"overloaded.efi" + b"\xff"
    head[44:44 + len(sname)] = sname
    head[108:108 + len(file)] = file
    write("dhcp", "overload-both", bytes(head) + bytes([53, 1, 2, 52, 1, 3, 54, 4, 10, 77, 0, 1, 255]))

    # TFTP: the packets no server was asked for.
    write("tftp", "ack-0", b"\x00\x04\x00\x00")
    write("tftp", "wrq", b"\x00\x02upload.bin\x00NETASCII\x00tsize\x00123\x00")
    write("tftp", "error-option-refused", b"\x00\x05\x00\x08blksize refused\x00")

    # DNS: a pointer chain and a name made of pointers at the question.
    query_head = bytes([0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]) + \
        b"\x03www\x04mpxe\x04test\x00\x00\x01\x00\x01"
    a_tail = bytes([0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1])
    # alias.mpxe.test (a label, then a pointer into the question) at 31, and a
    # second owner that is only a pointer to it.
    write("dns", "pointer-to-pointer", query_head + b"\x05alias\xc0\x10" + a_tail +
          bytes([0xc0, 31]) + a_tail)
    write("dns", "nxdomain", bytes([0, 2, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0]) + query_head[12:31])


if __name__ == "__main__":
    main()
