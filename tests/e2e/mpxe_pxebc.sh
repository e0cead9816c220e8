#!/usr/bin/env bash
# Every EFI_PXE_BASE_CODE_PROTOCOL member an NBP can call, as mpsh's `pxebc` sees
# it, on the real PXE site of mpxe_pxe_menu.sh (root only): dnsmasq A hands out
# addresses only; dnsmasq B, on another host of the segment, is the ProxyDHCP and
# TFTP server with a PXE menu.
#   mpxe_pxebc.sh NIC [mpxe|ovmf]
# mpsh boots through our ROM (mpxe) or stock OVMF (ovmf, virtio only), runs
# `pxebc` and exits. Asserted are the answers both stacks must give alike: the
# Mode after a ProxyDHCP boot, SetParameters and SetIpFilter read back (and the
# TTL and ToS on the wire), the proxy's MAC through Arp, the file's size through
# TFTP_GET_FILE_SIZE and READ_FILE's BUFFER_TOO_SMALL, its bytes. Where the two
# differ today (Mode's IPv6 flags, TTL and route table, Discover, UdpRead's
# status, the directory read) and for the calls that redo the lease (SetStationIp,
# SetPackets, Dhcp) the answers are only printed: the whole report is in the test
# log as "artifact pxebc-STACK-NIC: ..." lines (the UdpWrite datagram's
# header on the wire as a "wire:" line), for comparing the stacks; with
# MPXE_E2E_ARTIFACTS=DIR also the report, the console and the capture as files.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
NIC=${1:?NIC model}
STACK=${2:-mpxe}
require_machine
[[ $STACK == ovmf || -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup
source "$(dirname "$0")/../interop/dnsmasq_lib.sh"
trap 'dnsmasq_cleanup; rm -rf "$WORK"' EXIT

NS2="mpxe-e2e-$$-pxy"
mkdir "$WORK/tftp"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$WORK/tftp/mpsh.efi"
image_size=$(stat -c %s "$WORK/tftp/mpsh.efi")
image_sha=$(sha256sum "$WORK/tftp/mpsh.efi" | cut -d' ' -f1)
chmod -R a+rX "$WORK"
start_menu_site "$NS2" "$WORK/tftp" "Press F8 for the menu,1"
proxy_mac=$(ip -n "$NS2" -o link show pxy0 | grep -Eo 'link/ether [0-9a-f:]{17}' | cut -d' ' -f2)

log=$WORK/pxebc.log
pcap=$WORK/pxebc.pcap
run_mpxe_in_ns --stack "$STACK" --nic "$NIC" --tap "$TAP" --serial-log "$log" --pcap "$pcap" \
  --shell-cmd "pxebc; exit 0"
expect_status 0

# The IP header of the UdpWrite datagram (to port 7): did SetParameters reach the wire?
wire_udp_write() {
  python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
at, seen = 24, 0
while at + 16 <= len(data):
    length = struct.unpack_from("<I", data, at + 8)[0]
    frame = data[at + 16:at + 16 + length]
    at += 16 + length
    # QEMU's filter-dump keeps a TAP's virtio-net header (10 or 12 bytes) in
    # front of the frame: find the IPv4 EtherType past it.
    for skip in (0, 10, 12):
        if frame[skip + 12:skip + 14] == b"\x08\x00" and frame[skip + 14:skip + 15] == b"\x45":
            frame = frame[skip:]
            break
    else:
        continue
    if len(frame) < 42 or frame[23] != 17:
        continue
    ihl = (frame[14] & 0x0F) * 4
    if struct.unpack_from(">H", frame, 14 + ihl + 2)[0] != 7:
        continue
    seen += 1
    print("wire: UdpWrite datagram %s -> %s:7 TTL %d ToS 0x%02x" % (
        ".".join(map(str, frame[26:30])), ".".join(map(str, frame[30:34])), frame[22], frame[15]))
if not seen:
    print("wire: no datagram to port 7 captured")
EOF
}

report=$WORK/pxebc.txt
clean "$log" | grep '^pxebc: ' >"$report"
[[ -f $pcap ]] && wire_udp_write "$pcap" >>"$report"
echo "---- artifact pxebc-$STACK-$NIC ($(wc -l <"$report") lines)"
sed "s/^/artifact pxebc-$STACK-$NIC: /" "$report"
echo "---- end of artifact pxebc-$STACK-$NIC"
if [[ -n ${MPXE_E2E_ARTIFACTS:-} ]]; then
  mkdir -p "$MPXE_E2E_ARTIFACTS"
  cp "$report" "$MPXE_E2E_ARTIFACTS/pxebc-$STACK-$NIC.txt"
  clean "$log" >"$MPXE_E2E_ARTIFACTS/pxebc-$STACK-$NIC.console.txt"
  [[ -f $pcap ]] && cp "$pcap" "$MPXE_E2E_ARTIFACTS/pxebc-$STACK-$NIC.pcap"
fi

# What both stacks must answer alike after booting from this site:
expect_in "$log" '^pxebc: Mode\.Started: TRUE$'
expect_in "$log" '^pxebc: Mode\.UsingIpv6: FALSE$'
expect_in "$log" '^pxebc: Mode\.DhcpAckReceived: TRUE$'
expect_in "$log" '^pxebc: Mode\.ProxyOfferReceived: TRUE$'
expect_in "$log" '^pxebc: Mode\.PxeReplyReceived: TRUE$'
expect_in "$log" '^pxebc: Mode\.StationIp: 10\.77\.0\.(1[0-4][0-9]|150)$'
expect_in "$log" '^pxebc: Mode\.SubnetMask: 255\.255\.255\.0$'
expect_in "$log" '^pxebc: Mode\.PxeReply: file mpsh\.efi server 10\.77\.0\.2$'
expect_in "$log" '^pxebc: SetParameters: SUCCESS TTL 32 ToS 0x10 -> Mode\.TTL 32 Mode\.ToS 0x10$'
expect_in "$log" '^pxebc: SetIpFilter\.Mode\.IpFilter: 0x01 STATION_IP IpCnt 0$'
grep -q '^wire: UdpWrite datagram .* TTL 32 ToS 0x10$' "$report" ||
  fail "the UdpWrite datagram did not leave with SetParameters' TTL 32 and ToS 0x10"
expect_in "$log" "^pxebc: Arp: SUCCESS 10\\.77\\.0\\.2 is $proxy_mac "
expect_in "$log" "^pxebc: Mtftp\\.TftpGetFileSize: SUCCESS mpsh\\.efi size $image_size\$"
expect_in "$log" "^pxebc: Mtftp\\.TftpReadFile\\(small\\): BUFFER_TOO_SMALL buffer 512 size $image_size\$"
expect_in "$log" "^pxebc: Mtftp\\.TftpReadFile: SUCCESS buffer $image_size size $image_size sha256 $image_sha\$"
expect_in "$log" '^pxebc: done$'
finish
