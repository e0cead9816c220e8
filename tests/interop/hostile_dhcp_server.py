#!/usr/bin/env python3
"""A DHCP server that answers every DISCOVER on INTERFACE with broken offers, one
per fault, each from its own address (so a client can say who sent what):

  10.77.0.3  past-end        an option whose length runs past the end of the packet
  10.77.0.4  wrong-size      option 1 (subnet mask) 3 bytes long instead of 4
  10.77.0.5  overload        option 52 says the file and sname fields hold options,
                             and the file field holds garbage
  10.77.0.6  no-server-id    an offer without option 54
  10.77.0.7  bootp           a plain BOOTP reply: no option 53

  hostile_dhcp_server.py INTERFACE [FAULT...]   (default: every fault)

Frames are written whole on an AF_PACKET socket, so the senders need no address
on any interface. Runs until killed; prints one line per offer sent.
"""
import socket, struct, sys

from kernel_ping import checksum  # the Internet checksum (RFC 1071)

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SENDERS = {
    "past-end": "10.77.0.3",
    "wrong-size": "10.77.0.4",
    "overload": "10.77.0.5",
    "no-server-id": "10.77.0.6",
    "bootp": "10.77.0.7",
}
OFFERED = socket.inet_aton("10.77.0.123")


def options_for(fault, server):
    lease = bytes([51, 4]) + struct.pack("!I", 3600)
    mask = bytes([1, 4, 255, 255, 255, 0])
    offer = bytes([53, 1, 2])
    server_id = bytes([54, 4]) + server
    if fault == "past-end":
        return offer + server_id + lease + bytes([12, 200, ord("h"), ord("i")])
    if fault == "wrong-size":
        return offer + server_id + lease + bytes([1, 3, 255, 255, 255, 255])
    if fault == "overload":
        return offer + server_id + lease + mask + bytes([52, 1, 3, 255])
    if fault == "no-server-id":
        return offer + lease + mask + bytes([255])
    if fault == "bootp":
        return mask + bytes([255])
    raise ValueError(fault)


def bootp_reply(fault, xid, chaddr, server):
    sname = bytes(64)
    file = bytes(128)
    if fault == "overload":
        file = bytes([12, 250]) + bytes(range(126))  # runs past the field's 128 bytes
        sname = bytes([0xFE]) * 64
    head = struct.pack("!BBBBIHH4s4s4s4s16s", 2, 1, 6, 0, xid, 0, 0x8000, bytes(4), OFFERED,
                       server, bytes(4), chaddr)
    return head + sname + file + b"\x63\x82\x53\x63" + options_for(fault, server)


def frame(payload, src_ip, src_mac):
    dst_ip = b"\xff\xff\xff\xff"
    udp_len = 8 + len(payload)
    pseudo = src_ip + dst_ip + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", 67, 68, udp_len, 0) + payload
    udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp) or 0xFFFF) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\xff" * 6 + src_mac + b"\x08\x00" + ip + udp


def discover(data):
    """(xid, chaddr) of a DHCPDISCOVER in Ethernet frame `data`, else None."""
    if len(data) < 14 + 20 + 8 + 240 or data[12:14] != b"\x08\x00" or data[23] != 17:
        return None
    ihl = (data[14] & 0x0F) * 4
    udp = 14 + ihl
    if struct.unpack("!H", data[udp + 2:udp + 4])[0] != 67:
        return None
    bootp = data[udp + 8:]
    if bootp[0] != 1 or bootp[236:240] != b"\x63\x82\x53\x63":
        return None
    at = 240
    while at + 1 < len(bootp) and bootp[at] != 255:
        if bootp[at] == 0:
            at += 1
            continue
        if bootp[at] == 53 and bootp[at + 1] == 1 and at + 2 < len(bootp) and bootp[at + 2] == 1:
            return struct.unpack("!I", bootp[4:8])[0], bootp[28:44]
        at += 2 + bootp[at + 1]
    return None


def main():
    interface = sys.argv[1]
    faults = sys.argv[2:] or list(SENDERS)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((interface, 0))
    print("hostile DHCP on %s: %s" % (interface, " ".join(faults)), flush=True)
    while True:
        data, address = sock.recvfrom(65535)
        if address[2] == PACKET_OUTGOING:
            continue
        seen = discover(data)
        if seen is None:
            continue
        xid, chaddr = seen
        for n, fault in enumerate(faults):
            server = socket.inet_aton(SENDERS[fault])
            mac = bytes([0x02, 0, 0, 0, 0, 3 + list(SENDERS).index(fault)])
            sock.send(frame(bootp_reply(fault, xid, chaddr, server), server, mac))
            print("offer %08x %s from %s" % (xid, fault, SENDERS[fault]), flush=True)


if __name__ == "__main__":
    main()
