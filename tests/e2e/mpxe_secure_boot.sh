#!/usr/bin/env bash
# mpxe run --secure-boot on NIC $1 through stack $2 (mpxe by default): OVMF's Secure
# Boot build with the signing certificate enrolled offline (PK, KEK, db, plus
# Microsoft's KEK and db certificates and dbx from OVMF_VARS_4M.ms.fd), the stack
# PXE-boots the signed mpsh, and mpsh's `ver` reads SecureBoot 1 and SetupMode 0
# from the firmware: enforced. With ipxe, QEMU's unsigned iPXE ROM runs all the same
# (Debian's OVMF checks no option ROM) and the runner says so.
# One processor: SMM under TCG is slow with more (secure_boot_lib.sh says why not).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/secure_boot_lib.sh"
nic=${1:?NIC model}
stack=${2:-mpxe}
require_machine
[[ $stack != mpxe || -f $MPXE_BUILD_DIR/rom/mpxe-$nic.rom ]] || skip "mpxe-$nic.rom not built"
[[ $stack != ipxe || -f /usr/lib/ipxe/qemu/efi-$nic.rom ]] || skip "QEMU's iPXE ROM for $nic not installed (ipxe-qemu)"
secure_boot_setup
log=$WORK/serial.log
run_mpxe --stack "$stack" --nic "$nic" --secure-boot --secure-boot-cert "$SB_CERT" --cores 1 \
  --pxe-folder "$SB_SIGNED" --shell-cmd "ver; exit 0" --serial-log "$log" --timeout 280
expect_status 0
case $stack in
  mpxe)
    expect_in "$log" '^mpxe: driver [^ ]+ loaded at 0x'
    expect_in "$log" "^mpxe: starting 'mpsh\\.efi'\$" ;;
  ipxe)
    expect_in "$log" '^iPXE [^ ]+ -- Open Source Network Boot Firmware'
    expect_stderr "^mpxe: secure boot: QEMU's iPXE ROM is not signed; Debian's OVMF runs option ROMs signed or not" ;;
esac
expect_in "$log" '^secure boot: SecureBoot 1, SetupMode 0 \(enforced\)$'
expect_stderr '^mpxe: secure boot: /usr/share/OVMF/OVMF_CODE_4M\.secboot\.fd, enforcing'
subject=$(openssl x509 -in "$SB_CERT" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= //p')
# As a literal in the patterns below: the build's name has parentheses.
subject=$(sed 's/[][\\.*^$()+?{}|]/\\&/g' <<<"$subject")
expect_stderr "^mpxe:   PK: '$subject'\$"
expect_stderr "^mpxe:   KEK: '$subject', 'Microsoft Corporation KEK CA 2011' "
expect_stderr "^mpxe:   db: '$subject', 'Microsoft Windows Production PCA 2011', 'Microsoft Corporation UEFI CA 2011' "
finish
