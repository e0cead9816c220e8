#!/usr/bin/env bash
# QEMU's default e1000 ROM (iPXE) PXE-boots mpsh; same contract as with OVMF's stack.
source "$(dirname "$0")/lib.sh"
require_machine
log=$WORK/serial.log
run_mpxe --stack ipxe --nic e1000 --shell-cmd "ver; cpus; net; exit 7" --serial-log "$log"
expect_status 7
expect_in "$log" 'iPXE'
expect_in "$log" '^cpus: 4 enabled of 4$'
expect_in "$log" '^net: ip [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ mask [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$'
finish
