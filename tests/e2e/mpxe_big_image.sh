#!/usr/bin/env bash
# A 64 MiB boot file (the shell with random data after it) through our ROM on one
# NIC model (the argument): the driver's sha256= of the image equals the host's,
# and the shell it started runs.
source "$(dirname "$0")/lib.sh"
require_machine
nic=${1:?usage: mpxe_big_image.sh NIC}
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$nic.rom ]] || skip "mpxe-$nic.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$pxe/big.efi"
head -c $((64 << 20)) /dev/urandom >>"$pxe/big.efi"
image_sha=$(sha256sum "$pxe/big.efi" | cut -d' ' -f1)
log=$WORK/serial.log
run_mpxe --stack mpxe --nic "$nic" --pxe-folder "$pxe" --boot-file big.efi \
  --serial-log "$log" --shell-cmd "exit 5"
expect_status 5
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, tftp [0-9]+ ms \(67[0-9]{6} bytes'
finish
