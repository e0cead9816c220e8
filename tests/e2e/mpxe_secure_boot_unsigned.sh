#!/usr/bin/env bash
# Secure Boot enforced refuses what db does not vouch for: mpsh with no signature,
# served as the boot file over $1 (tftp by default, or http: the runner's nginx),
# is downloaded by our ROM but the firmware's LoadImage refuses it (Access Denied:
# EDK II's answer when policy forbids an image), the ROM says so, the shell never
# runs and the runner ends with boot failed (109). The same image signed boots
# (mpxe_secure_boot); with Secure Boot off it boots too.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secure_boot_lib.sh"
transport=${1:-tftp}
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
http=()
name='mpsh\.efi'
if [[ $transport == http ]]; then
  require_nginx
  http=(--http)
  name='http://10\.0\.2\.2:[0-9]+/mpsh\.efi'
fi
secure_boot_setup
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --secure-boot --secure-boot-cert "$SB_CERT" --cores 1 \
  "${http[@]}" --pxe-folder "$SB_UNSIGNED" --shell-cmd "ver; exit 0" --serial-log "$log" --timeout 280
expect_status 109
[[ $transport != http ]] ||
  expect_in "$log" "^mpxe: file '$name' [0-9]+ bytes \\(byte ranges accepted\\)\$"
expect_in "$log" "^mpxe: cannot boot: the firmware cannot load '$name': Access Denied \\(Secure Boot: no signature db trusts, or one dbx revokes\\)\$"
clean "$log" | grep -q '^mpsh ' && fail "the unsigned shell ran under Secure Boot"
expect_stderr "^mpxe: boot failed: mpxe: the firmware cannot load '$name': Access Denied \\(Secure Boot: "
finish
