#!/usr/bin/env bash
# SNP handoff, iPXE: our ROM PXE-boots iPXE's snponly.efi, which drives only the
# SNP of the handle it was loaded from (ours), runs its own DHCP through it, fetches
# a script and chains mpsh.efi over TFTP; the shell sees the lease and exits 0.
#
# Breaking the loop: iPXE boots whatever the DHCP answer names, which would be
# snponly.efi again, and QEMU's DHCP cannot tell iPXE (user-class "iPXE") apart;
# this iPXE (1.0.0+git-20190125) has no autoexec.ipxe either. So the boot file is a
# URI, tftp://10.0.2.2/boot.ipxe: PXE firmware sends it to the TFTP server verbatim
# (QEMU serves DIR/tftp:/10.0.2.2/boot.ipxe, which holds snponly.efi), while iPXE
# parses it and asks 10.0.2.2 for /boot.ipxe, which holds the script.
source "$(dirname "$0")/lib.sh"
require_machine
snponly=/usr/lib/ipxe/snponly.efi
[[ -f $snponly ]] || skip "$snponly not installed (package ipxe)"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir -p "$pxe/tftp:/10.0.2.2"
cp "$snponly" "$pxe/tftp:/10.0.2.2/boot.ipxe"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
token=ipxe-snp-$RANDOM$RANDOM
cat >"$pxe/boot.ipxe" <<EOF
#!ipxe
echo $token: script from \${next-server} on \${netX/mac}
chain tftp://\${next-server}/mpsh.efi
EOF
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --boot-file tftp://10.0.2.2/boot.ipxe \
  --serial-log "$log" --shell-cmd "net; exit 0"
expect_status 0
expect_in "$log" "^mpxe: file 'tftp://10\.0\.2\.2/boot\.ipxe' [0-9]+ bytes\$"
expect_in "$log" '^iPXE .* Open Source Network Boot Firmware'
expect_in "$log" 'net0: 52:54:00:12:34:56 using SNP on '
expect_in "$log" '^net0: 10\.0\.2\.15/255\.255\.255\.0 gw 10\.0\.2\.2'
expect_in "$log" "^$token: script from 10\.0\.2\.2 on 52:54:00:12:34:56\$"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
expect_in "$log" '^net: ip 10\.0\.2\.15 mask 255\.255\.255\.0$'
finish
