#!/usr/bin/env bash
# PXEv6 through our ROM from a real IPv6 site: dnsmasq on a TAP in a namespace
# this test makes (tests/e2e/ipv6_site.sh), its RA with M=1 and a /64 that is
# on-link but not autonomous, stateful DHCPv6 (IA_NA from fd77::100-1ff) naming
# tftp://[fd77::1]/mpsh.efi, and dnsmasq's own TFTP. The ROM (--ipv6: IPv6 first)
# takes the leased address onto the interface after DAD, fetches mpsh from it
# byte-exact (--sha256), and mpsh's `net` shows that address through our PXE Base
# Code, and its `tftp` asks the size (Mtftp, then its own tsize probe over UdpWrite
# and UdpRead) and reads the file again over IPv6, byte-exact. No IPv4 range is
# served: IPv4 is never needed.
#   mpxe_pxe6_tap.sh NIC
NIC=${1:-virtio}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
source "$(dirname "$0")/ipv6_site.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

ipv6_mpsh_site
digest=$MPSH_SHA256

log=$WORK/serial.log
run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --sha256 "$digest" \
  --shell-cmd "net; tftp size mpsh.efi; tftp tsize mpsh.efi; tftp get mpsh.efi; exit 0" \
  --serial-log "$log"
expect_status 0
clean "$log" | grep -E '^mpxe: (IPv6|summary)'
expect_in "$log" '^mpxe: IPv6 \(SLAAC, DHCPv6\) on 52:54:00:12:34:56$'
# No autonomous prefix: before DHCPv6 only the link-local address is ours.
expect_in "$log" '^mpxe: IPv6: address fe80::[0-9a-f:]+ router [0-9a-fnoe:]+, RA M=1 O=[01] \([0-9]+ ms\)$'
expect_in "$log" '^mpxe: IPv6: address fd77::1[0-9a-f]{2} via stateful DHCPv6 from fe80::[0-9a-f:]+ \([0-9]+ ms\)$'
expect_in "$log" "^mpxe: IPv6: boot file URL 'tftp://\\[fd77::1\\]/mpsh\\.efi' via stateful DHCPv6 from fe80::[0-9a-f:]+ \\([0-9]+ ms\\)\$"
expect_in "$log" "^mpxe: boot server fd77::1 file 'mpsh\\.efi'\$"
expect_in "$log" "^sha256=$digest\$"
expect_in "$log" "^mpxe: starting 'mpsh\\.efi'\$"
# The console's lease, mpsh's station address and dnsmasq's Reply are one address,
# inside the range.
leased=$(clean "$log" | sed -n 's/^mpxe: IPv6: address \(fd77::[0-9a-f]*\) via stateful DHCPv6 .*/\1/p' | head -1)
station=$(clean "$log" | sed -n 's/^net: ipv6 \([0-9a-f:]*\)$/\1/p' | head -1)
[[ -n $leased ]] || fail "no stateful DHCPv6 address on the console"
[[ $station == "$leased" ]] || fail "mpsh's net shows ipv6 '$station', the ROM leased '$leased'"
in_site6_range "$leased" "$SITE6_RANGE_FIRST" "$SITE6_RANGE_LAST" ||
  fail "$leased is outside the PXE range $SITE6_RANGE_FIRST-$SITE6_RANGE_LAST"
expect_in "$log" '^net: dhcpv6 reply received$'
expect_in "$log" "^net: boot file url tftp://\\[fd77::1\\]/mpsh\\.efi\$"
expect_in "$log" '^net: server fd77::1 file mpsh\.efi$'
expect_in "$log" "^tftp: mpsh\\.efi size $MPSH_SIZE\$"
expect_in "$log" "^tftp: mpsh\\.efi tsize $MPSH_SIZE\$"
expect_in "$log" "^tftp: mpsh\\.efi $MPSH_SIZE bytes\$"
# The ROM's digest line, then mpsh's of what its own tftp get read.
(($(clean "$log" | grep -c "^sha256=$digest\$") == 2)) || fail "mpsh's tftp get did not read mpsh.efi byte-exact"
grep -q "DHCPREPLY($TAP) $leased " "$SITE6_LOG" || fail "dnsmasq logged no Reply of $leased"
# dnsmasq's TFTP sent the file to the leased address, not to a link-local one.
grep -q "sent .*mpsh\\.efi to $leased" "$SITE6_LOG" || fail "dnsmasq's TFTP did not send mpsh.efi to $leased"
if clean "$log" | grep -q '^mpxe: DHCP (PXE) on'; then fail "IPv4 DHCP ran although IPv6 booted"; fi
((FAILED)) && { echo "--- dnsmasq"; cat "$SITE6_LOG"; }
finish
