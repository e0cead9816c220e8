#!/usr/bin/env bash
# --stack ovmf --http: QEMU's DHCP sends no "HTTPClient" class, so OVMF's own HTTPv4
# options cannot boot; the runner's URI boot option (Boot0000, written into the vars
# copy) does, first in the boot order: HttpBootDxe downloads mpsh from the runner's
# nginx and `exit 0` comes back without a PXEv4/PXEv6 detour.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
log=$WORK/serial.log
start=$SECONDS
run_mpxe --stack ovmf --http --shell-cmd "ver; exit 0" --serial-log "$log"
expect_status 0
expect_in "$log" '^  URI: http://10\.0\.2\.2:[0-9]+/mpsh\.efi$'
expect_in "$log" 'Downloading\.\.\.100%'
expect_in "$log" 'BdsDxe: starting Boot0000 .*/Uri\(http://10\.0\.2\.2:[0-9]+/mpsh\.efi\)$'
expect_in "$log" '^mpsh [0-9]'
clean "$log" | grep -q 'PXEv4' && fail "OVMF tried PXEv4 before the HTTP boot option"
# Without the detour OVMF boots in about 10 s here; the PXEv4 + PXEv6 route took 75 s.
((SECONDS - start < 45)) || fail "took $((SECONDS - start)) s: did OVMF try PXE first?"
finish
