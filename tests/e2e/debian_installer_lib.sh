# Helpers of the tests that boot Debian 12's netboot installer (sourced after lib.sh),
# as a Debian PXE server serves it (package debian-installer-12-netboot-amd64):
#   bootnetx64.efi  shim (signed by Microsoft), started by BDS from the stack's LoadFile;
#                   it fetches grubx64.efi through EFI_PXE_BASE_CODE_PROTOCOL's Mtftp
#   grubx64.efi     GRUB (signed by Debian), whose efinet runs over the SNP handed over;
#                   it reads grub.cfg and loads the kernel and its 40 MB initrd
#   linux           boots after ExitBootServices, unpacks the initrd and runs a shell
#                   from it instead of the installer's menus, which would wait for a
#                   person; the shell prints a token and the kernel release, and
#                   reboots: QEMU ends without an exit status (110)
DI_IMAGES=/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64
DI_BOOT_FILE=debian-installer/amd64/bootnetx64.efi

# debian_installer_setup TOKEN [KERNEL]: the installer's files in $WORK/pxe (DI_PXE),
# the kernel being KERNEL if given (Debian's otherwise), and a grub.cfg whose shell
# prints "TOKEN: up". Skips when the package is not installed.
debian_installer_setup() {
  local token=$1 kernel=${2:-$DI_IMAGES/linux}
  [[ -f $DI_IMAGES/bootnetx64.efi && -f $DI_IMAGES/initrd.gz ]] ||
    skip "$DI_IMAGES not installed (package debian-installer-12-netboot-amd64)"
  DI_PXE=$WORK/pxe
  local dir=$DI_PXE/debian-installer/amd64
  mkdir -p "$dir/grub"
  for f in bootnetx64.efi grubx64.efi initrd.gz; do ln -s "$DI_IMAGES/$f" "$dir/$f"; done
  ln -s "$kernel" "$dir/linux"
  # A serial console and, after "--", a shell command for init (the kernel passes
  # what follows "--" to init as its arguments, split at spaces, quotes and all: so
  # the command has none, ${IFS} stands for them, and GRUB's single quotes keep GRUB
  # from expanding it). If reboot failed, the shell's exit would panic the kernel,
  # and panic=-1 reboots too. A kernel GRUB refuses leaves GRUB's script running on
  # past "boot": it says so and powers the machine off instead of waiting at a prompt.
  cat >"$dir/grub/grub.cfg" <<CFG
set timeout=0
echo "grub.cfg of the installer from \${net_default_server}"
echo "grub.cfg: root \${root}"
linux /debian-installer/amd64/linux console=ttyS0,115200 panic=-1 rdinit=/bin/sh -- -c '/bin/echo\${IFS}$token:\${IFS}up;/bin/uname\${IFS}-r;/sbin/reboot\${IFS}-f'
initrd /debian-installer/amd64/initrd.gz
boot
echo "grub.cfg: the kernel did not boot"
halt
CFG
}

# debian_installer_expect_chain LOG: shim started from the stack and fetched GRUB,
# GRUB read grub.cfg from the runner's TFTP server.
debian_installer_expect_chain() {
  expect_in "$1" '^Fetching Netboot Image debian-installer/amd64/grubx64\.efi$'
  expect_in "$1" '^Welcome to GRUB!'
  expect_in "$1" '^grub\.cfg of the installer from 10\.0\.2\.2$'
}

# debian_installer_expect_kernel LOG TOKEN: Debian's 6.1 kernel ran the shell.
debian_installer_expect_kernel() {
  expect_in "$1" '^\[ *[0-9.]+\] Linux version 6\.1\.'
  expect_in "$1" "^$2: up\$"
  expect_in "$1" '^6\.1\.[0-9]+-[0-9]+-amd64$'
}
