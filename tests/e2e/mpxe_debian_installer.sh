#!/usr/bin/env bash
# A real-world PXE chain through our ROM: Debian 12's netboot installer, as a
# Debian PXE server serves it (package debian-installer-12-netboot-amd64).
#   bootnetx64.efi  shim, started by BDS from our LoadFile; it fetches grubx64.efi
#                   through our EFI_PXE_BASE_CODE_PROTOCOL's Mtftp
#   grubx64.efi     GRUB, whose efinet runs over the SNP we hand over; it reads
#                   grub.cfg and loads the installer's kernel and its 40 MB initrd
#   linux           boots after ExitBootServices (our NIC reset, nothing of ours left
#                   running), unpacks the initrd and runs a shell from it instead of
#                   the installer's menus, which would wait for a person; the shell
#                   prints a token and the kernel release, and reboots: QEMU ends
#                   without an exit status (110)
source "$(dirname "$0")/lib.sh"
require_machine
di=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
[[ -f $di/bootnetx64.efi && -f $di/initrd.gz ]] ||
  skip "$di not installed (package debian-installer-12-netboot-amd64)"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
dir=$pxe/debian-installer/amd64
mkdir -p "$dir/grub"
for f in bootnetx64.efi grubx64.efi linux initrd.gz; do ln -s "$di/$f" "$dir/$f"; done
token=di-$RANDOM$RANDOM
# The installer's grub.cfg with a serial console and, after "--", a shell command
# for init (the kernel passes what follows "--" to init as its arguments, split at
# spaces, quotes and all: so the command has none, ${IFS} stands for them, and
# GRUB's single quotes keep GRUB from expanding it). If reboot failed, the shell's
# exit would panic the kernel, and panic=-1 reboots too.
cat >"$dir/grub/grub.cfg" <<CFG
set timeout=0
echo "grub.cfg of the installer from \${net_default_server}"
linux /debian-installer/amd64/linux console=ttyS0,115200 panic=-1 rdinit=/bin/sh -- -c '/bin/echo\${IFS}$token:\${IFS}up;/bin/uname\${IFS}-r;/sbin/reboot\${IFS}-f'
initrd /debian-installer/amd64/initrd.gz
boot
CFG
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --cores 2 --pxe-folder "$pxe" \
  --boot-file debian-installer/amd64/bootnetx64.efi --serial-log "$log" --timeout 240
expect_status 110
expect_in "$log" "^mpxe: file 'debian-installer/amd64/bootnetx64\\.efi' 1048504 bytes\$"
expect_in "$log" '^Fetching Netboot Image debian-installer/amd64/grubx64\.efi$'
expect_in "$log" '^Welcome to GRUB!'
expect_in "$log" '^grub\.cfg of the installer from 10\.0\.2\.2$'
expect_in "$log" '^\[ *[0-9.]+\] Linux version 6\.1\.'
expect_in "$log" "^$token: up\$"
expect_in "$log" '^6\.1\.[0-9]+-[0-9]+-amd64$'
finish
