#!/usr/bin/env bash
# HTTP boot failures through our ROM end with a clear line and the firmware moving
# on (runner status 109), never a hang:
#   1. nothing listens on the URL's port: the connection is refused;
#   2. the server answers 404: its status line is shown.
# The server is Python's http.server on the host's loopback (the guest reaches it
# at 10.0.2.2 through QEMU's user network).
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v python3 >/dev/null || skip "no python3"

closed=$(free_port)
log=$WORK/refused.log
run_mpxe --stack mpxe --boot-url "http://10.0.2.2:$closed/mpsh.efi" --serial-log "$log"
expect_status 109
expect_in "$log" "^mpxe: http://10\\.0\\.2\\.2:$closed/mpsh\\.efi: .*refused"

mkdir "$WORK/www"
port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" "$port" >"$WORK/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$port"
log=$WORK/missing.log
run_mpxe --stack mpxe --boot-url "http://10.0.2.2:$port/absent.efi" --serial-log "$log"
expect_status 109
expect_in "$log" "^mpxe: HTTP 404 [^ ].* from http://10\\.0\\.2\\.2:$port/absent\\.efi\$"
finish
