#!/usr/bin/env bash
# A boot file that is not in the folder ends the run before QEMU starts: one line on
# stderr, status 105, no console at all.
source "$(dirname "$0")/lib.sh"
require_machine
log=$WORK/serial.log
run_mpxe --boot-file missing.efi --serial-log "$log"
expect_status 105
expect_stderr '^mpxe: boot file missing\.efi .*\(status 105\)$'
[[ $(wc -l <"$WORK/stderr") -eq 1 ]] || fail "expected exactly one line on stderr"
[[ ! -e $log && ! -s $WORK/stdout ]] || fail "QEMU ran"

mkdir "$WORK/pxe"
run_mpxe --pxe-folder "$WORK/pxe" --boot-file missing.efi --serial-log "$log"
expect_status 105
expect_stderr "^mpxe: boot file missing\.efi not found in PXE folder $WORK/pxe \(status 105\)$"

run_mpxe --pxe-folder "$WORK/none"
expect_status 104
expect_stderr '^mpxe: PXE folder .* does not exist \(status 104\)$'
finish
