#!/usr/bin/env bash
# `mpxe run --ipv6-only`: QEMU's user network with IPv4 off (libslirp: RA M=0 O=0,
# a stateless DHCPv6 answer naming tftp://[fec0::2]/mpsh.efi, TFTP over IPv6).
#   ipv6_only_slirp.sh mpxe   our ROM boots mpsh over IPv6: nothing else was there
#   ipv6_only_slirp.sh ovmf   stock OVMF cannot: its PXEv4 option times out, its PXEv6
#                             option sends Solicit, which slirp ignores ("PXE-E16: No
#                             valid offer received."), and the run ends there (status 109)
#   ipv6_only_slirp.sh ipxe   iPXE cannot: it takes a SLAAC address from the RA but runs
#                             DHCPv6 only when the RA sets M or O, so it has nothing to
#                             boot; OVMF's NetworkPkg then tries PXEv4 and PXEv6 over
#                             iPXE's SNP and fails too (status 109, about 2 minutes)
source "$(dirname "$0")/lib.sh"
require_machine
stack=${1:-mpxe}
log=$WORK/serial.log
case $stack in
  mpxe)
    [[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
    run_mpxe --stack mpxe --ipv6-only --shell-cmd "net; exit 0" --serial-log "$log"
    expect_status 0
    expect_in "$log" '^mpxe: IPv6: address fec0::[0-9a-f:]+ router fe80::2, RA M=0 O=0 \([0-9]+ ms\)$'
    expect_in "$log" "^mpxe: boot server fec0::2 file 'mpsh\\.efi'\$"
    expect_in "$log" '^net: ipv6 fec0::[0-9a-f:]+$'
    ;;
  ovmf)
    # PXEv4's DHCP timeout, then PXEv6's: about 4 minutes under TCG.
    run_mpxe --stack ovmf --ipv6-only --timeout 900 --shell-cmd "exit 0" --serial-log "$log"
    expect_status 109
    expect_in "$log" '^>>Start PXE over IPv6'
    expect_in "$log" 'PXE-E16: No valid offer received'
    expect_stderr 'Boot0002 "UEFI PXEv6 \(MAC:525400123456\)": Not Found'
    ;;
  ipxe)
    run_mpxe --stack ipxe --ipv6-only --timeout 900 --shell-cmd "exit 0" --serial-log "$log"
    expect_status 109
    expect_in "$log" '^net0: fec0::5054:ff:fe12:3456/64 gw fe80::2'
    expect_in "$log" '^Nothing to boot'
    expect_in "$log" '^>>Start PXE over IPv6'
    expect_stderr '"UEFI PXEv6 \(MAC:525400123456\)": Not Found'
    ;;
  *) fail "unknown stack $stack" ;;
esac
# Whatever the stack, the payload must not have run.
if [[ $stack != mpxe ]] && clean "$log" | grep -q '^mpsh>'; then fail "$stack booted mpsh"; fi
finish
