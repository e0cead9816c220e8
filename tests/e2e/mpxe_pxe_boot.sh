#!/usr/bin/env bash
# Our option ROM alone PXE-boots mpsh on one NIC model (the argument): the firmware
# offers exactly one network boot option, the shell reads the lease through our
# PXE Base Code, asks our Mtftp for a file's size (iPXE answers Unsupported there),
# asks the server itself through our UdpWrite/UdpRead (`tftp tsize`) and downloads
# the file byte-exact. Nobody asked for the boot image's digest: the ROM prints
# none (the one sha256= line is mpsh's, of the blob) and starts the image itself.
source "$(dirname "$0")/lib.sh"
require_machine
nic=${1:?usage: mpxe_pxe_boot.sh virtio|virtio-modern|e1000|e1000e}
rom=$nic
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$rom.rom ]] || skip "mpxe-$rom.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
head -c 1048576 /dev/urandom >"$pxe/blob.bin"
blob_sha=$(sha256sum "$pxe/blob.bin" | cut -d' ' -f1)
log=$WORK/serial.log
run_mpxe --stack mpxe --nic "$nic" --pxe-folder "$pxe" --serial-log "$log" \
  --shell-cmd "net; bootopts; tftp size blob.bin; tftp tsize blob.bin; tftp get blob.bin; exit 0"
expect_status 0
expect_in "$log" '^mpxe: lease [0-9.]+ mask [0-9.]+ router [0-9.]+'
expect_in "$log" "^mpxe: starting 'mpsh\\.efi'\$"
[[ $(clean "$log" | grep -c '^sha256=') == 1 ]] || fail "a digest was printed that nobody asked for"
expect_in "$log" '^net: ip 10\.0\.2\.15 mask 255\.255\.255\.0$'
expect_in "$log" '^net: server 10\.0\.2\.2 file mpsh\.efi$'
expect_in "$log" '^boot: Boot[0-9A-F]{4} "UEFI PXEv4 \(MAC:[0-9A-F]{12}\)" network$'
expect_in "$log" '^boot: [0-9]+ options, 1 network$'
expect_in "$log" '^tftp: blob\.bin size 1048576$'
expect_in "$log" '^tftp: blob\.bin tsize 1048576$'
expect_in "$log" "^sha256=$blob_sha\$"
finish
