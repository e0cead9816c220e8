#!/usr/bin/env bash
# A 64 MiB boot file (the shell with random data after it) through our ROM on one
# NIC model at one core count (the arguments): the driver hashes the image (on the
# BSP between blocks, or on an AP when the BSP falls behind; with a third argument
# "ap", --hash-on-ap, on an AP whenever there is one), its sha256= equals the host's,
# the runner's --sha256 lets it boot, and the shell it started runs.
source "$(dirname "$0")/lib.sh"
require_machine
nic=${1:?usage: mpxe_big_image.sh NIC [CORES [ap]]}
cores=${2:-4}
placement=()
[[ ${3:-} == ap ]] && placement=(--hash-on-ap)
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$nic.rom ]] || skip "mpxe-$nic.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$pxe/big.efi"
head -c $((64 << 20)) /dev/urandom >>"$pxe/big.efi"
image_sha=$(sha256sum "$pxe/big.efi" | cut -d' ' -f1)
log=$WORK/serial.log
run_mpxe --stack mpxe --nic "$nic" --cores "$cores" --pxe-folder "$pxe" --boot-file big.efi \
  --sha256 "$image_sha" "${placement[@]}" --serial-log "$log" --shell-cmd "exit 5"
expect_status 5
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
expect_in "$log" '^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, tftp [0-9]+ ms \(67[0-9]{6} bytes'
if ((cores == 1)); then
  expect_in "$log" '^mpxe: mp: running inline \(no application processor\)$'
else
  expect_in "$log" "^mpxe: mp: 1 worker on standby on $((cores - 1)) APs\$"
fi
# Every byte hashed exactly once, wherever: BSP + APs = the image (each figure in
# whole KiB, rounded down).
kib=$(($(stat -c %s "$pxe/big.efi") >> 10))
clean "$log" | grep -Eo 'sha256 of [0-9]+ KiB on the BSP, [0-9]+ KiB on APs' |
  awk -v kib="$kib" '{ s = $3 + $8; if (s != kib && s != kib - 1) { print "hashed " $3 " + " $8 " KiB of " kib; exit 1 } }' ||
  fail "the BSP and the APs did not hash the image exactly once between them"
if [[ ${3:-} == ap ]] && ((cores > 1)); then
  expect_in "$log" '; sha256 of [0-9]+ KiB on the BSP, [1-9][0-9]* KiB on APs'
fi
finish
