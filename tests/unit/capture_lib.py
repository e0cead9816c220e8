"""What the capture scripts (tests/unit/*/capture_*.py) share: they run real servers in
network namespaces, record the frames, and write them as C++ arrays for the unit tests.
Each script puts this folder on sys.path and imports from here."""

import ctypes
import fcntl
import socket
import struct
import subprocess


def sh(*args, check=True, quiet=False):
    """Runs a command; quiet drops its output (stdout and stderr)."""
    out = subprocess.DEVNULL if quiet else None
    return subprocess.run(args, check=check, stdout=out, stderr=out)


def checksum(b):
    """The Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def c_array(name, comment, data, per_line=16):
    """`inline constexpr uint8_t NAME[]` holding data, after a // comment line."""
    out = ["// " + comment, "inline constexpr uint8_t %s[] = {" % name]
    for i in range(0, len(data), per_line):
        out.append("    " + ", ".join("0x%02x" % b for b in data[i:i + per_line]) + ",")
    out.append("};")
    return "\n".join(out)


def read_pcap(path):
    """The frames of a classic pcap file (tcpdump -w), [] when there is no file."""
    try:
        data = open(path, "rb").read()
    except FileNotFoundError:
        return []
    frames, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def tx_checksum_off(dev):
    """What `ethtool -K DEV tx off` does (ETHTOOL_STXCSUM through SIOCETHTOOL): without it
    veth leaves UDP checksums to an offload that never happens, and the capture holds
    only the pseudo-header sum."""
    value = ctypes.create_string_buffer(struct.pack("II", 0x17, 0), 8)
    ifreq = struct.pack("16sP16x", dev.encode(), ctypes.addressof(value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, 0x8946, ifreq)


def record_frames(dev, drive):
    """Runs drive() while recording every frame on dev (AF_PACKET, all protocols);
    returns (frames, what drive returned). Frames still in flight get half a second."""
    import threading
    import time
    frames = []
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    sniff.bind((dev, 0))
    sniff.settimeout(0.2)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            try:
                frames.append(sniff.recvfrom(65535)[0])
            except socket.timeout:
                continue
            except OSError:  # ENETDOWN, once, when the socket was bound while the link was down
                continue

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        result = drive()
    finally:
        time.sleep(0.5)
        stop.set()
        t.join()
    return frames, result
