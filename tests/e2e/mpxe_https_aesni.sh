#!/usr/bin/env bash
# HTTPS boot through our ROM on CPUs with and without what wolfSSL's AES-NI code
# runs (TCG's default qemu64 has none of it: mpxe_https.sh).
#   1. --cpu max (TCG's every feature: AES-NI, PCLMULQDQ, SSE4.1, SSSE3): AES-GCM
#      is offered first and taken, on wolfSSL's AES-NI path; 16 MiB byte-exact
#      (sha256= equals the host's, --sha256 passes).
#   2. --cpu qemu64,+aes (the AES bit alone) with fw_cfg etc/edk2/https/ciphers
#      asking for AES-GCM: wolfSSL's own test (the AES bit) would run its AES-NI
#      GCM and fault on the first PCLMULQDQ; mpxe keeps its AES in C, ChaCha20 is
#      not offered, and the same image arrives byte-exact.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
command -v openssl >/dev/null || skip "openssl not installed"
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
pxe=$WORK/pxe
mkdir "$pxe"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$pxe/boot.efi"
head -c $((16 << 20)) /dev/urandom >>"$pxe/boot.efi"
size=$(stat -c %s "$pxe/boot.efi")
image_sha=$(sha256sum "$pxe/boot.efi" | cut -d' ' -f1)
url="https://10\\.0\\.2\\.2:[0-9]+/boot\\.efi"

expect_byte_exact() {
  expect_in "$1" "^mpxe: file '$url' $size bytes \\(byte ranges accepted\\)\$"
  expect_in "$1" "^sha256=$image_sha\$"
  expect_in "$1" '^mpxe: sha256 matches the expected digest$'
  expect_in "$1" '^mpsh [^ ]+ - mpxe shell'
}

log=$WORK/serial-max.log
run_mpxe --stack mpxe --nic virtio --cores 2 --cpu max --https --pxe-folder "$pxe" \
  --boot-file boot.efi --sha256 "$image_sha" --serial-log "$log" --shell-cmd "exit 0"
expect_status 0
expect_in "$log" '^mpxe: tls: cipher suites: AES-GCM first \(the CPU has AES instructions\)$'
expect_in "$log" '^mpxe: https: TLSv1\.3, TLS13-AES128-GCM-SHA256'
expect_byte_exact "$log"

printf '\x13\x01' >"$WORK/ciphers"
log=$WORK/serial-aes-bit.log
run_mpxe --stack mpxe --nic virtio --cores 2 --cpu qemu64,+aes --https --pxe-folder "$pxe" \
  --boot-file boot.efi --sha256 "$image_sha" --serial-log "$log" --shell-cmd "exit 0" \
  -- -fw_cfg "name=etc/edk2/https/ciphers,file=$WORK/ciphers"
expect_status 0
expect_in "$log" '^mpxe: tls: 1 cipher suite from fw_cfg etc/edk2/https/ciphers: TLS13-AES128-GCM-SHA256$'
expect_in "$log" '^mpxe: https: TLSv1\.3, TLS13-AES128-GCM-SHA256'
expect_byte_exact "$log"
finish
