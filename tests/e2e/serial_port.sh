#!/usr/bin/env bash
# --serial-port: the console sits on a TCP server (nobody connects here) and QEMU
# logs it; the runner still scans that log and still maps `exit N`.
source "$(dirname "$0")/lib.sh"
require_machine
port=$((20000 + RANDOM % 20000))
run_mpxe --serial-port "$port" --shell-cmd "cpus; exit 5" --serial-log "$WORK/serial.log"
expect_status 5
expect_stderr "serial console on tcp 127\.0\.0\.1:$port"
expect_in "$WORK/serial.log" '^cpus: 4 enabled of 4$'
[[ ! -s $WORK/stdout ]] || fail "the console leaked to stdout"
finish
