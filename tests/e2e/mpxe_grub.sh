#!/usr/bin/env bash
# SNP handoff, GRUB: our ROM PXE-boots Debian's signed grubnetx64.efi, whose own
# network stack (efinet) then runs over the SNP we install when the download ends.
# GRUB takes its address from our PXE Base Code's DhcpAck, reads grub/grub.cfg over
# TFTP through SNP (the echoed token proves it), and chainloads mpsh.efi the same way;
# the shell sees the lease and its exit status ends the run.
source "$(dirname "$0")/lib.sh"
require_machine
grub=/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
[[ -f $grub ]] || skip "$grub not installed (package grub-efi-amd64-signed)"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir -p "$pxe/grub"
cp "$grub" "$pxe/grubnetx64.efi"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
# GRUB's net image asks the TFTP server for /grub/grub.cfg (after grub/x86_64-efi/*.lst).
token=grub-snp-$RANDOM$RANDOM
cat >"$pxe/grub/grub.cfg" <<EOF
echo "$token: grub.cfg from \${net_default_server} via \${net_default_interface}"
chainloader (tftp)/mpsh.efi
boot
EOF
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --boot-file grubnetx64.efi \
  --serial-log "$log" --shell-cmd "net; exit 0"
expect_status 0
expect_in "$log" "^mpxe: file 'grubnetx64\.efi' [0-9]+ bytes\$"
expect_in "$log" '^Welcome to GRUB!'
expect_in "$log" "^$token: grub\.cfg from 10\.0\.2\.2 via efinet[0-9]+\$"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
expect_in "$log" '^net: ip 10\.0\.2\.15 mask 255\.255\.255\.0$'
expect_in "$log" '^net: server 10\.0\.2\.2 file grubnetx64\.efi$'
finish
