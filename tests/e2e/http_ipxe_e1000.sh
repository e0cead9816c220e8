#!/usr/bin/env bash
# --http: the runner serves the PXE folder with its own nginx on the host's loopback,
# QEMU's DHCP answer names http://10.0.2.2:PORT/mpsh.efi, and iPXE (QEMU's e1000 ROM)
# fetches it over HTTP; the shell's `exit 0` comes back, and nginx is gone afterwards.
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
log=$WORK/serial.log
mkdir "$WORK/tmp"
TMPDIR=$WORK/tmp run_mpxe --stack ipxe --nic e1000 --http --shell-cmd "net; exit 0" \
  --serial-log "$log"
expect_status 0
expect_stderr '^mpxe: nginx \(.*\) serving .* on 127\.0\.0\.1:[0-9]+, ready after [0-9]+ ms$'
expect_stderr '^mpxe: booting http://10\.0\.2\.2:[0-9]+/mpsh\.efi '
# iPXE names what it fetches: "http://10.0.2.2:PORT/mpsh.efi... ok".
expect_in "$log" 'http://10\.0\.2\.2:[0-9]+/mpsh\.efi\.\.\. ok'
expect_in "$log" '^net: ip [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ mask [0-9.]+$'
# Stopped with QEMU, its folder removed (the runner's temp folders live in $WORK/tmp).
pgrep -f "nginx.*$WORK/tmp" >/dev/null && fail "nginx still runs after the run"
[[ -z $(ls -A "$WORK/tmp") ]] || fail "the run's temp folder was left behind: $(ls "$WORK/tmp")"
finish
