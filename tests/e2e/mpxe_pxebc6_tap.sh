#!/usr/bin/env bash
# The PXE Base Code over IPv6 with a real peer: the mpxe_pxe6_tap site (dnsmasq's
# RA with M=1, stateful DHCPv6 naming tftp://[fd77::1]/mpsh.efi, its TFTP) and a
# UDP echo on [fd77::1]:7 that logs what came (source, hop limit, bytes) and
# answers "echo " and those bytes. mpsh boots over IPv6 through our ROM and runs
# `pxebc fd77::42/64`, which calls the members over IPv6 (cmd_pxebc.cpp):
# UdpWrite/UdpRead round trips the echo from the leased station, from fd77::42
# after SetStationIp, and from the address Dhcp leases again after Stop and
# Start(UseIpv6); Mtftp reads the file byte-exact; Arp and Discover answer
# UNSUPPORTED. Asserted on both ends: what the echo got (bytes, source, the hop
# limit SetParameters set) and what mpsh read back.
#   mpxe_pxebc6_tap.sh NIC
NIC=${1:-virtio}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
source "$(dirname "$0")/ipv6_site.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

ipv6_mpsh_site
image_size=$MPSH_SIZE
image_sha=$MPSH_SHA256

# The echo: one line per datagram, "from ADDR PORT hops N data TEXT".
echo_log=$WORK/echo.log
ip netns exec "$NS" python3 - "$SITE6_IP" "$echo_log" <<'PY' &
import socket, sys
address, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
s.bind((address, 7))
with open(log, "a") as f:
    f.write("ready\n")
    f.flush()
    while True:
        data, ancillary, _, peer = s.recvmsg(2048, socket.CMSG_SPACE(4))
        hops = -1
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT:
                hops = int.from_bytes(value[:4], sys.byteorder)
        f.write("from %s %d hops %d data %s\n" % (peer[0], peer[1], hops, data.decode("latin-1")))
        f.flush()
        s.sendto(b"echo " + data, peer[:2])
PY
for _ in $(seq 50); do grep -q '^ready$' "$echo_log" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready$' "$echo_log" 2>/dev/null || fail "the UDP echo did not start"

log=$WORK/serial.log
run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 \
  --shell-cmd "pxebc fd77::42/64; exit 0" --serial-log "$log"
expect_status 0
clean "$log" | grep '^pxebc: ' | sed "s/^/artifact pxebc6-$NIC: /"
echo "---- echo"; cat "$echo_log"

leased=$(clean "$log" | sed -n 's/^mpxe: IPv6: address \(fd77::[0-9a-f]*\) via stateful DHCPv6 .*/\1/p' | head -1)
[[ -n $leased ]] || fail "no stateful DHCPv6 address on the console"
expect_in "$log" '^pxebc: Mode\.Ipv6Supported: TRUE$'
expect_in "$log" '^pxebc: Mode\.UsingIpv6: TRUE$'
expect_in "$log" "^pxebc: Mode\\.StationIp: $leased\$"
expect_in "$log" "^pxebc: Mode\\.DhcpAck: type 7 url tftp://\\[fd77::1\\]/mpsh\\.efi file mpsh\\.efi server fd77::1\$"
expect_in "$log" '^pxebc: SetParameters: SUCCESS TTL 32 '
expect_in "$log" '^pxebc: Arp: UNSUPPORTED '
expect_in "$log" '^pxebc: Discover: UNSUPPORTED '
expect_in "$log" "^pxebc: Mtftp\\.TftpGetFileSize: SUCCESS mpsh\\.efi size $image_size\$"
expect_in "$log" "^pxebc: Mtftp\\.TftpReadFile: SUCCESS buffer $image_size size $image_size sha256 $image_sha\$"
# Round trip 1, from the leased station with SetParameters' hop limit.
expect_in "$log" "^pxebc: UdpWrite: SUCCESS \\[fd77::1\\]:7 from $leased port [0-9]+ length 10\$"
expect_in "$log" "^pxebc: UdpRead: SUCCESS port [0-9]+: 15 bytes from \\[fd77::1\\]:7 to $leased 'echo mpsh pxebc'\$"
grep -q "^from $leased [0-9]* hops 32 data mpsh pxebc\$" "$echo_log" ||
  fail "the echo got no 'mpsh pxebc' from $leased with hop limit 32"
# SetStationIp: fd77::42 on the interface, and the next round trip from it.
expect_in "$log" '^pxebc: SetStationIp: SUCCESS fd77::42/ffff:ffff:ffff:ffff:: -> Mode\.StationIp fd77::42$'
expect_in "$log" "^pxebc: UdpRead\\(station\\): SUCCESS port [0-9]+: 15 bytes from \\[fd77::1\\]:7 to fd77::42 'echo mpsh pxebc'\$"
grep -q '^from fd77::42 [0-9]* hops 32 data mpsh pxebc$' "$echo_log" ||
  fail "the echo got nothing from fd77::42 after SetStationIp"
# Stop, Start(UseIpv6), Dhcp: DHCPv6 again, the same lease, and a round trip from it.
expect_in "$log" '^pxebc: Stop: SUCCESS Mode\.Started FALSE$'
expect_in "$log" '^pxebc: Start\(UseIpv6\): SUCCESS Mode\.UsingIpv6 TRUE Mode\.StationIp [0-9a-f:]+$'
expect_in "$log" "^pxebc: Dhcp: SUCCESS Mode\\.StationIp $leased DhcpAckReceived TRUE "
expect_in "$log" '^pxebc: Dhcp\.Mode\.DhcpAck: type 7 url tftp://\[fd77::1\]/mpsh\.efi '
expect_in "$log" "^pxebc: UdpRead\\(dhcp\\): SUCCESS port [0-9]+: 15 bytes from \\[fd77::1\\]:7 to $leased 'echo mpsh pxebc'\$"
replies=$(grep -c "DHCPREPLY($TAP) $leased " "$SITE6_LOG")
((replies >= 2)) || fail "dnsmasq logged $replies Reply of $leased, not the boot's and Dhcp's"
# Start reset the hop limit to the PXE default (16).
grep -q "^from $leased [0-9]* hops 16 data mpsh pxebc\$" "$echo_log" ||
  fail "the echo got nothing from $leased after Dhcp"
expect_in "$log" '^pxebc: done$'
((FAILED)) && { echo "--- dnsmasq"; cat "$SITE6_LOG"; }
finish
