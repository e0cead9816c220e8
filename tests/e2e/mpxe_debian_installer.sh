#!/usr/bin/env bash
# A real-world PXE chain through our ROM: Debian 12's netboot installer, shim ->
# GRUB -> Linux and its initrd (debian_installer_lib.sh says how each is reached).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/debian_installer_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
token=di-$RANDOM$RANDOM
debian_installer_setup "$token"
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --cores 2 --pxe-folder "$DI_PXE" \
  --boot-file "$DI_BOOT_FILE" --serial-log "$log" --timeout 240
expect_status 110
expect_in "$log" "^mpxe: file 'debian-installer/amd64/bootnetx64\\.efi' 1048504 bytes\$"
debian_installer_expect_chain "$log"
debian_installer_expect_kernel "$log" "$token"
finish
