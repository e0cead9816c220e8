#!/usr/bin/env bash
# Debian 12's netboot installer under Secure Boot enforced, booted over HTTP
# through our ROM (mpxe run --http --secure-boot): the ROM fetches shim
# (bootnetx64.efi) from the runner's nginx and the firmware verifies it against
# Microsoft's db certificate. shim takes its PXE path (our PXE Base Code is started
# and its DhcpAck names the boot file URL): it asks Mtftp for the URL's folder plus
# grubx64.efi, which the ROM reads over HTTP from the same nginx. Debian's signed
# GRUB has no HTTP client and QEMU's DHCP sends no HTTPClient class, so GRUB's
# root is (tftp,10.0.2.2): grub.cfg, the kernel and the initrd come from QEMU's
# TFTP server, which serves the same folder. The kernel is verified through shim
# and reports Secure Boot on. (OVMF's HttpBootDxe, the reference, gets as far as
# GRUB's prompt: docs/secure-boot.md.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secure_boot_lib.sh"
source "$(dirname "$0")/debian_installer_lib.sh"
require_machine
require_nginx
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
secure_boot_setup
token=sb-$RANDOM$RANDOM
debian_installer_setup "$token"
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --http --secure-boot --secure-boot-cert "$SB_CERT" \
  --cores 1 --pxe-folder "$DI_PXE" --boot-file "$DI_BOOT_FILE" --serial-log "$log" --timeout 400
expect_stderr '^mpxe: secure boot: /usr/share/OVMF/OVMF_CODE_4M\.secboot\.fd, enforcing'
expect_status 110
url='http://10\.0\.2\.2:[0-9]+/debian-installer/amd64'
grub_size=$(stat -L -c %s "$DI_PXE/debian-installer/amd64/grubx64.efi")
expect_in "$log" "^mpxe: file '$url/bootnetx64\\.efi' 1048504 bytes"
expect_in "$log" "^Fetching Netboot Image $url/grubx64\\.efi\$"
expect_in "$log" "^mpxe: pxebc: '$url/grubx64\\.efi' $grub_size bytes over HTTP\$"
expect_in "$log" '^grub\.cfg of the installer from 10\.0\.2\.2:[0-9]+$'
expect_in "$log" '^grub\.cfg: root tftp,10\.0\.2\.2$'
expect_in "$log" '^Welcome to GRUB!'
# What shows where each stage came from, for the test's log.
clean "$log" | grep -E 'Fetching Netboot|pxebc:|grub\.cfg|URI|Secure boot|[Ll]ockdown|shim' |
  sed 's/^/  console: /'
debian_installer_expect_kernel "$log" "$token"
expect_in "$log" '^\[ *[0-9.]+\] secureboot: Secure boot enabled$'
expect_in "$log" '^\[ *[0-9.]+\] Kernel is locked down from EFI Secure Boot'
finish
