#!/usr/bin/env bash
# --payload uefi-shell: EDK II's UEFI Shell (built by scripts/setup --uefi-shell)
# PXE-booted through our ROM. --shell-cmd reaches it as startup.nsh on a read-only
# FAT drive; its `exit N` is the runner's status. Then the shell's own network
# commands over the SNP our ROM hands over: `connect -r` binds OVMF's NetworkPkg to
# it, Ip4Config2 runs DHCP, ping reaches QEMU's host. Not built: status 111 before
# QEMU starts, naming the setup flag.
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "$MPXE_BUILD_DIR/rom/mpxe-virtio.rom not built"

MPXE_UEFI_SHELL=$WORK/none/Shell.efi run_mpxe --payload uefi-shell --shell-cmd "ver; exit"
expect_status 111
expect_stderr "^mpxe: --payload uefi-shell: $WORK/none/Shell\.efi not built \(run scripts/setup --uefi-shell.*\(status 111\)$"
[[ -s $WORK/stdout ]] && fail "QEMU ran although the shell is not built"

shell=${MPXE_UEFI_SHELL:-$(cd "$(dirname "$0")/../.." && pwd)/.tools/uefi-shell/Shell.efi}
if [[ ! -f $shell ]]; then
  ((FAILED)) && finish
  skip "$shell not built (scripts/setup --uefi-shell)"
fi

log=$WORK/serial.log
run_mpxe --payload uefi-shell --shell-cmd "ver; exit" --serial-log "$log"
expect_status 0
expect_in "$log" "^mpxe: starting 'Shell\.efi'"
expect_in "$log" '^UEFI Interactive Shell v2\.[0-9]+'
expect_in "$log" '^UEFI v2\.[0-9]+ \(EDK II, '
expect_in "$log" 'mm 0xF4 0x0 -w 4 -IO -n'

# Over --http this time: the shell comes by our ROM's HTTP, then OVMF's stack runs on
# the same SNP. DHCP is asynchronous in EDK II: ping until the lease is there (ping
# refuses while no interface is configured), at most 60 tries a second apart.
require_nginx
log=$WORK/net.log
run_mpxe --payload uefi-shell --http --cores 1 --serial-log "$log" --shell-cmd "connect -r; \
ifconfig -s eth0 dhcp; for %i run (1 60); ping -n 1 10.0.2.2; if %lasterror% == 0 then; \
goto up; endif; stall 1000000; endfor; :up; ifconfig -l eth0; ping -n 3 10.0.2.2; exit 3"
expect_status 3
expect_in "$log" "^mpxe: starting 'http://10\.0\.2\.2:[0-9]+/Shell\.efi'"
expect_in "$log" '^policy +: dhcp$'
expect_in "$log" '^ipv4 address : 10\.0\.2\.15$'
expect_in "$log" '^3 packets transmitted, 3 received, 0% packet loss'
finish
