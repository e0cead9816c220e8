#!/bin/sh
# regenerate.sh [DIR]: makes firmware-vars.bin (and vendor-*.esl) in DIR, by
# default this script's own folder, where they are committed: a variable store the
# firmware itself wrote, for tests/unit/runner/varstore_firmware_test.cpp to hold
# the runner's offline writer against (e2e_varstore_firmware makes a fresh one in a
# temporary DIR and runs that test on it). Debian's Secure Boot OVMF (SMM, secure
# pflash) boots from the empty template (setup mode) into EDK II's UEFI Shell, whose
# `dmpstore -l` hands SetVariable db, dbx, KEK and PK (PK last: it ends setup
# mode), the order and the content `mpxe run --secure-boot` writes them in, each an
# EFI_VARIABLE_AUTHENTICATION_2 payload signed on the host with sign-efi-sig-list
# and test-key.pem at $timestamp.
# (efitools' UpdateVars.efi would do the same, but Debian's build of it cannot tell
# its own variable names apart: "Invalid Variable db".)
# About 30 s under TCG; with the same Debian packages a run makes the committed
# files again bit for bit.
#
# Content: the user's certificate (test-cert.pem, as an X.509 list made by efitools'
# cert-to-efi-sig-list with mpxe's owner GUID) is PK; KEK and db are it followed by
# Microsoft's lists (vendor-kek.esl, vendor-db.esl), dbx is vendor-dbx.esl; the three
# are taken out of Debian's OVMF_VARS_4M.ms.fd by store_tool.py (not by the runner's
# reader, which the test is about) and kept next to this script as the test's input.
#
# Needs: qemu-system-x86, ovmf, efitools, python3 and the UEFI Shell
# (scripts/setup --uefi-shell). test-key.pem/test-cert.pem are a throwaway key
# committed for this fixture only: it signs these payloads and nothing else.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here}" && pwd)
source_dir=$(cd "$here/../../.." && pwd)
code=${MPXE_OVMF_CODE_SECBOOT:-/usr/share/OVMF/OVMF_CODE_4M.secboot.fd}
template=${MPXE_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
vendor_store=${MPXE_OVMF_VARS_MS:-/usr/share/OVMF/OVMF_VARS_4M.ms.fd}
shell=${MPXE_UEFI_SHELL:-$source_dir/.tools/uefi-shell/Shell.efi}
# mpxe's owner GUID (src/tls/signature_list.h kMpxeOwnerGuid): what the runner's
# writer records in the user's list, so the lists can match byte for byte.
owner=6d707865-7472-7573-742d-616e63686f72
# The signing time every payload carries; the firmware keeps it in each variable's
# header. Also in the test (kSignedAt).
timestamp="2026-01-02 03:04:05"

for f in "$code" "$template" "$vendor_store" "$shell"; do
  [ -r "$f" ] || { echo "regenerate.sh: missing $f" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
drive=$work/drive
mkdir -p "$drive/EFI/BOOT"

python3 "$here/store_tool.py" vendor-lists "$vendor_store" "$out"
cert-to-efi-sig-list -g "$owner" "$here/test-cert.pem" "$work/user.esl"
cp "$work/user.esl" "$work/PK.esl"
cat "$work/user.esl" "$out/vendor-kek.esl" > "$work/KEK.esl"
cat "$work/user.esl" "$out/vendor-db.esl" > "$work/db.esl"
cp "$out/vendor-dbx.esl" "$work/dbx.esl"
for var in db dbx KEK PK; do
  sign-efi-sig-list -t "$timestamp" -c "$here/test-cert.pem" -k "$here/test-key.pem" \
    "$var" "$work/$var.esl" "$work/$var.auth" > "$work/sign-$var.log"
  python3 "$here/store_tool.py" dmpstore "$var" "$work/$var.auth" "$drive/$var.dmp"
done

cp "$shell" "$drive/EFI/BOOT/BOOTX64.EFI"
# The Shell finds startup.nsh on FS0: (the only file system). dmpstore names each
# variable it sets and says when SetVariable fails; SetupMode shows 0 once PK is in.
{
  printf '@echo -off\r\nfs0:\r\n'
  for var in db dbx KEK PK; do
    printf 'dmpstore -all -l %s.dmp\r\necho "varstore: %s %%lasterror%%"\r\n' "$var" "$var"
  done
  printf 'dmpstore SetupMode -guid 8be4df61-93ca-11d2-aa0d-00e098032b8c\r\n'
  printf 'echo "varstore: done"\r\nreset -s\r\n'
} > "$drive/startup.nsh"

cp "$template" "$work/vars.fd"
chmod u+w "$work/vars.fd"
timeout 300 qemu-system-x86_64 -machine q35,smm=on,accel=tcg -m 512 -smp 1 \
  -global driver=cfi.pflash01,property=secure,value=on \
  -drive "if=pflash,format=raw,unit=0,readonly=on,file=$code" \
  -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd" \
  -drive "file=fat:$drive,format=raw,if=none,id=drive,readonly=on" \
  -device virtio-blk-pci,drive=drive,bootindex=1 \
  -nic none -display none -serial "file:$work/serial.log" -no-reboot </dev/null

console() { sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g' "$work/serial.log" | tr -d '\r'; }
console | grep -a 'varstore:' || true
for var in db dbx KEK PK; do
  console | grep -aqE "varstore: $var (0x)?0\"?\$" || {
    console | grep -av '^$' | tail -40
    echo "regenerate.sh: the firmware did not take $var (the console's end above)" >&2
    exit 1
  }
done
if console | grep -ai 'failed'; then
  echo "regenerate.sh: SetVariable failed (above)" >&2
  exit 1
fi
python3 "$here/store_tool.py" trim "$work/vars.fd" "$out/firmware-vars.bin"
python3 "$here/store_tool.py" show "$out/firmware-vars.bin"
