#!/usr/bin/env bash
# OVMF's own stack on virtio-net PXE-boots mpsh from QEMU's TFTP server; the shell
# runs the fw_cfg commands and `exit 7` comes back as the runner's status.
source "$(dirname "$0")/lib.sh"
require_machine
log=$WORK/serial.log
run_mpxe --stack ovmf --nic virtio --shell-cmd "ver; cpus; net; exit 7" --serial-log "$log"
expect_status 7
expect_in "$log" '^mpsh [0-9]'
expect_in "$log" '^cpus: 4 enabled of 4$'
expect_in "$log" '^net: ip [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ mask [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'
expect_in "$log" '^net: server [0-9.]+ file mpsh\.efi$'
cmp -s "$log" "$WORK/stdout" || fail "--serial-log differs from the console the runner streamed"
finish
