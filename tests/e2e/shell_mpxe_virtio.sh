#!/usr/bin/env bash
# --stack mpxe: our option ROM PXE-boots mpsh from QEMU's TFTP server; same contract
# as with OVMF's and iPXE's stacks. Skipped until the ROM is built.
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "$MPXE_BUILD_DIR/rom/mpxe-virtio.rom not built"
log=$WORK/serial.log
run_mpxe --stack mpxe --nic virtio --shell-cmd "ver; cpus; net; exit 7" --serial-log "$log"
expect_status 7
expect_in "$log" '^mpxe: driver [^ ]+ loaded at 0x'
expect_in "$log" '^cpus: 4 enabled of 4$'
expect_in "$log" '^net: ip [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ mask [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'
finish
