#!/usr/bin/env bash
# The reference for mpxe_pxe6_tap: stock OVMF's PXEv6 (NetworkPkg, VirtioNetDxe)
# boots mpsh from the same IPv6 site (tests/e2e/ipv6_site.sh: dnsmasq's RA with
# M=1, stateful DHCPv6 naming tftp://[fd77::1]/mpsh.efi, its TFTP). dnsmasq serves
# no IPv4 range, so OVMF's PXEv4 option runs to its DHCP timeout first and then
# PXEv6 boots; the test prints how long the whole boot took.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
source "$(dirname "$0")/ipv6_site.sh"
require_machine
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

ipv6_mpsh_site

log=$WORK/serial.log
start=$SECONDS
run_mpxe_in_ns --stack ovmf --nic virtio --tap "$TAP" --ipv6 --shell-cmd "net; exit 0" \
  --serial-log "$log"
echo "OVMF: power-on to mpsh's exit in $((SECONDS - start)) s (PXEv4's timeout included)"
expect_status 0
# OVMF's PXEv6 Solicit carries the PXE client architecture (option 61): dnsmasq
# leased it an address from the PXE range, replied it, and sent the file over TFTP
# to it. (OVMF's IPv6 stack leases its own address from the other range.)
leased=$(sed -n "s/.*sent .*mpsh\\.efi to \\(fd77::[0-9a-f]*\\)$/\\1/p" "$SITE6_LOG" | tail -1)
[[ -n $leased ]] || fail "dnsmasq's TFTP sent mpsh.efi to no fd77:: address"
in_site6_range "$leased" "$SITE6_RANGE_FIRST" "$SITE6_RANGE_LAST" ||
  fail "$leased is outside the PXE range $SITE6_RANGE_FIRST-$SITE6_RANGE_LAST"
grep -q "DHCPREPLY($TAP) $leased " "$SITE6_LOG" || fail "dnsmasq logged no Reply of $leased"
expect_in "$log" "^net: ipv6 $leased\$"
((FAILED)) && { echo "--- dnsmasq"; cat "$SITE6_LOG"; }
finish
