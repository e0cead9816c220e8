#!/usr/bin/env bash
# The boot file exists but is no EFI image: OVMF fails the PXEv4 option. The runner
# sees BdsDxe's failure line and stops at once with status 109 (not 101, a timeout:
# OVMF would try PXEv6 and HTTP boot for minutes, then sit in its built-in shell).
source "$(dirname "$0")/lib.sh"
require_machine
mkdir "$WORK/pxe"
echo "not an EFI image" >"$WORK/pxe/bad.efi"
run_mpxe --stack ovmf --pxe-folder "$WORK/pxe" --boot-file bad.efi --serial-log "$WORK/serial.log"
expect_status 109
expect_stderr '^mpxe: boot failed: Boot0001 "UEFI PXEv4 \(MAC:[0-9A-F]+\)": Not Found'
expect_in "$WORK/serial.log" 'BdsDxe: failed to load Boot0001'
finish
