#!/usr/bin/env bash
# `mpxe run --ipv6`: our ROM boots mpsh over IPv6 on QEMU's own user network
# (libslirp), where OVMF's PXEv6 and iPXE cannot (slirp answers only a stateless
# Information-Request, which neither sends when the RA has M=0 O=0). The ROM tries
# IPv6 first: SLAAC from slirp's RA (fe80::2, fec0::/64), stateless DHCPv6 from
# fec0::2 with the boot file URL tftp://[fec0::2]/mpsh.efi, and TFTP over IPv6 from
# the same folder. IPv4 is never asked. mpsh's `net` reads the IPv6 lease through
# our PXE Base Code (Mode.UsingIpv6).
source "$(dirname "$0")/lib.sh"
require_machine
nic=${1:-virtio}
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$nic.rom ]] || skip "mpxe-$nic.rom not built"
log=$WORK/serial.log
run_mpxe --stack mpxe --nic "$nic" --ipv6 --shell-cmd "net; exit 0" --serial-log "$log"
expect_status 0
expect_in "$log" '^mpxe: IPv6 \(SLAAC, DHCPv6\) on 52:54:00:12:34:56$'
expect_in "$log" '^mpxe: IPv6: address fec0::[0-9a-f:]+ router fe80::2, RA M=0 O=0 \([0-9]+ ms\)$'
# slirp writes the address out in full (QEMU 7.2, libslirp 4.7).
expect_in "$log" "^mpxe: IPv6: boot file URL 'tftp://\\[fec0:0000:0000:0000:0000:0000:0000:0002\\]/mpsh\\.efi' via stateless DHCPv6 from fec0::2 \\([0-9]+ ms\\)\$"
expect_in "$log" "^mpxe: boot server fec0::2 file 'mpsh\\.efi'\$"
expect_in "$log" "^mpxe: file 'mpsh\\.efi' [0-9]+ bytes\$"
expect_in "$log" '^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, tftp [0-9]+ ms \([0-9]+ bytes, .*blksize [0-9]+'
expect_in "$log" "^mpxe: starting 'mpsh\\.efi'\$"
expect_in "$log" '^net: ipv6 fec0::[0-9a-f:]+$'
expect_in "$log" '^net: dhcpv6 reply received$'
# IPv6 answered first: the IPv4 fallback never ran.
if clean "$log" | grep -q '^mpxe: DHCP (PXE) on'; then fail "IPv4 DHCP ran although IPv6 booted"; fi
finish
