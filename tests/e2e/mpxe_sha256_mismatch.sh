#!/usr/bin/env bash
# mpxe run --sha256 with a digest the boot file does not have: our ROM downloads
# the image, says what it got and what was expected, and refuses it; the firmware
# moves on and the runner ends with its boot-failed status (109).
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
image_sha=$(sha256sum "$pxe/mpsh.efi" | cut -d' ' -f1)
wrong=$(printf '%s' "$image_sha" | tr '0-9a-f' '1-9a-f0')
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --sha256 "$wrong" --serial-log "$log" \
  --shell-cmd "exit 0"
expect_status 109
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" "^mpxe: sha256 mismatch: got $image_sha, expected $wrong; refusing to boot 'mpsh\\.efi'\$"
clean "$log" | grep -q '^mpsh ' && fail "the shell ran although its digest was wrong"
expect_stderr '^mpxe: boot failed: '
finish
