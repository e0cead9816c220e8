#!/usr/bin/env bash
# Each thing the runner needs, missing, gives its own status and one line, before or
# instead of a boot: QEMU, OVMF, the ROM for --stack mpxe, a combination that cannot
# work, QEMU refusing its arguments, KVM failing under OVMF.
source "$(dirname "$0")/lib.sh"
require_machine

MPXE_QEMU=/nonexistent/qemu run_mpxe
expect_status 107
expect_stderr '^mpxe: /nonexistent/qemu not found .*\(status 107\)$'

MPXE_OVMF_CODE=/nonexistent/OVMF_CODE.fd run_mpxe
expect_status 106
expect_stderr '^mpxe: OVMF image /nonexistent/OVMF_CODE\.fd not found .*\(status 106\)$'

mkdir "$WORK/build"
MPXE_BUILD_DIR=$WORK/build run_mpxe --stack mpxe --nic e1000
expect_status 108
expect_stderr "^mpxe: --stack mpxe: option ROM $WORK/build/rom/mpxe-e1000\.rom not found"

MPXE_BUILD_DIR=$WORK/build run_mpxe --stack ovmf
expect_status 111
expect_stderr "default payload $WORK/build/firmware/mpsh\.efi not found"

run_mpxe --stack ovmf --nic e1000
expect_status 100
expect_stderr 'OVMF has no Intel NIC driver'

run_mpxe -- -no-such-qemu-option
expect_status 102
expect_stderr '^mpxe: QEMU failed to start'

run_mpxe --print-command --stack ipxe --nic e1000e --cores 2
expect_status 0
grep -q -- '-smp 2 ' "$WORK/stdout" || fail "--print-command: no -smp 2"
grep -q -- '-device e1000e,netdev=n0,bootindex=1 ' "$WORK/stdout" || fail "--print-command: NIC"

# OVMF dies under this host's KVM (DESIGN.md); where /dev/kvm works at all, the
# runner must say so at once rather than wait for the timeout.
if [[ -w /dev/kvm ]]; then
  run_mpxe --accel kvm --timeout 120 --shell-cmd "exit 0"
  [[ $STATUS == 103 || $STATUS == 0 ]] || fail "--accel kvm: status $STATUS, expected 103 (or a boot)"
fi
finish
