#!/usr/bin/env bash
# A digest the boot file does not have refuses the boot, wherever it came from:
# mpxe run --sha256, or FILE.sha256 the server publishes beside the file (what
# sha256sum writes). Our ROM downloads the image, says what it got and what was
# expected, and refuses it; the firmware moves on and the runner ends with its
# boot-failed status (109). A published digest that matches lets the image start,
# and one that is not a digest at all refuses the boot too.
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$pxe/"
image_sha=$(sha256sum "$pxe/mpsh.efi" | cut -d' ' -f1)
wrong=$(printf '%s' "$image_sha" | tr '0-9a-f' '1-9a-f0')

refused() {  # LOG EXPECTED: the boot was refused against EXPECTED
  expect_status 109
  expect_in "$1" "^sha256=$image_sha\$"
  expect_in "$1" "^mpxe: sha256 mismatch: got $image_sha, expected $2; refusing to boot 'mpsh\\.efi'\$"
  clean "$1" | grep -q '^mpsh ' && fail "the shell ran although its digest was wrong"
  expect_stderr "^mpxe: boot failed: mpxe: sha256 mismatch: got $image_sha, expected $2; refusing to boot 'mpsh\\.efi'; then "
}

log=$WORK/pinned.log
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --sha256 "$wrong" --serial-log "$log" \
  --shell-cmd "exit 0"
refused "$log" "$wrong"

log=$WORK/published-wrong.log
printf '%s  mpsh.efi\n' "$wrong" >"$pxe/mpsh.efi.sha256"
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --serial-log "$log" --shell-cmd "exit 0"
expect_in "$log" "^mpxe: the server publishes 'mpsh\\.efi\\.sha256': the image must match it\$"
refused "$log" "$wrong"

log=$WORK/published-right.log
(cd "$pxe" && sha256sum mpsh.efi >mpsh.efi.sha256)
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --serial-log "$log" --shell-cmd "exit 0"
expect_status 0
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: sha256 matches the digest the server publishes$'
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'

log=$WORK/published-garbage.log
echo '<html><head><title>404 Not Found</title></head><body>not here</body></html>' >"$pxe/mpsh.efi.sha256"
run_mpxe --stack mpxe --nic virtio --pxe-folder "$pxe" --serial-log "$log" --shell-cmd "exit 0"
expect_status 109
expect_in "$log" "^mpxe: 'mpsh\\.efi\\.sha256' holds no SHA-256 \\(digest: bad value\\)\$"
clean "$log" | grep -q '^mpsh ' && fail "the shell ran against a broken digest"
finish
