#!/usr/bin/env bash
# Debian 12's netboot installer under Secure Boot enforced (mpxe run --secure-boot)
# through stack $1 (mpxe: our ROM; ovmf: EDK II's NetworkPkg, the reference): the
# firmware verifies shim against Microsoft's db certificate, shim verifies GRUB and
# GRUB (through shim's verifier) the kernel against Debian's key in shim, and the
# kernel reports Secure Boot on. With $2 = unsigned-kernel the kernel's signature is
# removed: GRUB refuses it ("bad shim signature"), no kernel runs, grub.cfg says so
# and powers off (110, without the token).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secure_boot_lib.sh"
source "$(dirname "$0")/debian_installer_lib.sh"
stack=${1:?stack (mpxe or ovmf)}
variant=${2:-signed}
require_machine
[[ $stack != mpxe || -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
[[ $stack != ipxe || -f /usr/lib/ipxe/qemu/efi-virtio.rom ]] || skip "QEMU's iPXE ROM for virtio not installed (ipxe-qemu)"
secure_boot_setup
token=sb-$RANDOM$RANDOM
kernel=
if [[ $variant == unsigned-kernel ]]; then
  kernel=$WORK/linux-unsigned
  cp "$DI_IMAGES/linux" "$kernel"
  sbattach --remove "$kernel" >/dev/null || fail "sbattach could not remove the kernel's signature"
  sbverify --list "$kernel" 2>&1 | grep -q 'No signature table' || fail "the kernel copy still carries a signature"
fi
debian_installer_setup "$token" $kernel
log=$WORK/serial.log
run_mpxe --stack "$stack" --nic virtio --secure-boot --secure-boot-cert "$SB_CERT" --cores 1 \
  --pxe-folder "$DI_PXE" --boot-file "$DI_BOOT_FILE" --serial-log "$log" --timeout 400
expect_stderr '^mpxe: secure boot: /usr/share/OVMF/OVMF_CODE_4M\.secboot\.fd, enforcing'
expect_status 110
[[ $stack != mpxe ]] || expect_in "$log" "^mpxe: file 'debian-installer/amd64/bootnetx64\\.efi' 1048504 bytes\$"
debian_installer_expect_chain "$log"
# What shows enforcement, for the test's log.
clean "$log" | grep -E 'Secure boot|[Ll]ockdown|locked down|shim signature' | sed 's/^/  console: /'
if [[ $variant == unsigned-kernel ]]; then
  expect_in "$log" 'bad shim signature'
  expect_in "$log" '^grub\.cfg: the kernel did not boot$'
  clean "$log" | grep -q "^$token: up" && fail "the unsigned kernel ran under Secure Boot"
  clean "$log" | grep -Eq 'Linux version' && fail "the unsigned kernel started"
else
  debian_installer_expect_kernel "$log" "$token"
  expect_in "$log" '^\[ *[0-9.]+\] secureboot: Secure boot enabled$'
  expect_in "$log" '^\[ *[0-9.]+\] Kernel is locked down from EFI Secure Boot'
fi
finish
