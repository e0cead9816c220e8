#!/usr/bin/env bash
# A boot file that is a disk image boots as a RAM disk. Our ROM answers BDS's size
# query with EFI_WARN_FILE_SYSTEM, downloads into the reserved pages BDS allocates,
# hashes, registers them through EFI_RAM_DISK_PROTOCOL below its own device path,
# and BDS starts \EFI\BOOT\BOOTX64.EFI (mpsh) from the disk.
#   mpxe_ramdisk.sh tftp|http img   an 8 MiB FAT image as boot.img (virtual disk);
#                                   then with a wrong --sha256: refused before it
#                                   becomes a disk, status 109
#   mpxe_ramdisk.sh tftp|http iso   the same FAT image as the El Torito EFI boot
#                                   image of boot.iso (virtual CD, 2048-byte blocks)
# tftp is QEMU's TFTP server; http is the runner's nginx (mpxe run --http), over our TCP.
source "$(dirname "$0")/lib.sh"
require_machine
transport=${1:?usage: mpxe_ramdisk.sh tftp|http img|iso}
kind=${2:?usage: mpxe_ramdisk.sh tftp|http img|iso}
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v mformat >/dev/null && command -v mcopy >/dev/null || skip "mtools not installed"
[[ $kind == iso ]] && { command -v xorriso >/dev/null || skip "xorriso not installed"; }
case $transport in
  tftp) via=() name="boot\\.$kind" ;;
  http) require_nginx; via=(--http) name="http://10\\.0\\.2\\.2:[0-9]+/boot\\.$kind" ;;
  *) echo "unknown transport $transport"; exit 2 ;;
esac
case $kind in
  img) type="virtual disk" ;;
  iso) type="virtual CD" ;;
  *) echo "unknown image kind $kind"; exit 2 ;;
esac

pxe=$WORK/pxe
mkdir -p "$pxe" "$WORK/iso"
fat=$WORK/iso/efiboot.img
truncate -s 8M "$fat"
mformat -i "$fat" -v MPXERAM :: || fail "mformat failed"
mmd -i "$fat" ::/EFI ::/EFI/BOOT || fail "mmd failed"
mcopy -i "$fat" "$MPXE_BUILD_DIR/firmware/mpsh.efi" ::/EFI/BOOT/BOOTX64.EFI || fail "mcopy failed"
if [[ $kind == img ]]; then
  mv "$fat" "$pxe/boot.img"
else
  xorriso -as mkisofs -quiet -V MPXEISO -e efiboot.img -no-emul-boot -o "$pxe/boot.iso" \
    "$WORK/iso" || fail "xorriso failed"
fi
((FAILED)) && finish
image=$pxe/boot.$kind
image_sha=$(sha256sum "$image" | cut -d' ' -f1)

log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio "${via[@]}" --pxe-folder "$pxe" --boot-file "boot.$kind" \
  --sha256 "$image_sha" --serial-log "$log" --shell-cmd "ver; exit 0"
expect_status 0
expect_in "$log" "^mpxe: boot server [0-9.]+ file '$name'"
expect_in "$log" "^mpxe: '$name' is a $type image: it will boot from a RAM disk\$"
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
expect_in "$log" "^mpxe: '$name' is a disk image: registered as a RAM disk \\([0-9.]+ MiB, $type\\)"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'

if [[ $kind == img ]]; then
  expect_in "$log" "registered as a RAM disk \\(8 MiB, virtual disk\\)"
  wrong=$(printf '%s' "$image_sha" | tr '0-9a-f' '1-9a-f0')
  bad_log=$WORK/serial-bad.log
  run_mpxe --stack mpxe --nic virtio "${via[@]}" --pxe-folder "$pxe" --boot-file boot.img \
    --sha256 "$wrong" --serial-log "$bad_log" --shell-cmd "exit 0"
  expect_status 109
  expect_in "$bad_log" "^mpxe: sha256 mismatch: got $image_sha, expected $wrong; refusing to boot '$name'\$"
  clean "$bad_log" | grep -q 'registered as a RAM disk' && fail "a refused image became a RAM disk"
  clean "$bad_log" | grep -q '^mpsh ' && fail "the shell ran although the image's digest was wrong"
fi
finish
