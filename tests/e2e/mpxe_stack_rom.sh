#!/usr/bin/env bash
# --stack mpxe: OVMF loads our driver from the NIC's option ROM and the driver binds
# the NIC. The boot file here is no EFI image, so the boot fails whatever mpxe's PXE
# path can do: the runner must end with its boot-failed status (109), not a timeout.
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "$MPXE_BUILD_DIR/rom/mpxe-virtio.rom not built"
mkdir "$WORK/pxe"
echo "not an EFI image" >"$WORK/pxe/bad.efi"
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --pxe-folder "$WORK/pxe" --boot-file bad.efi --serial-log "$log"
expect_status 109
expect_in "$log" '^mpxe: driver [^ ]+ loaded at 0x[0-9a-fA-F]+'
expect_in "$log" '^mpxe: bound to '
expect_stderr '^mpxe: boot failed: '
finish
