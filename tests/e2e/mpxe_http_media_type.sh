#!/usr/bin/env bash
# Over HTTP, the response's Content-Type says what the boot file is, before its
# name does (as UEFI's HTTP boot reads it):
#   1. /installer, no extension, served as application/vnd.efi-img: a FAT image
#      holding mpsh as \EFI\BOOT\BOOTX64.EFI boots as a RAM disk;
#   2. /mpsh.iso served as application/efi: started as the EFI image it is.
# The server is Python's http.server on the host's loopback, which offers no byte
# ranges: the ROM falls back to one connection.
source "$(dirname "$0")/lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v python3 >/dev/null || skip "no python3"
command -v mformat >/dev/null && command -v mcopy >/dev/null || skip "mtools not installed"

www=$WORK/www
mkdir -p "$www"
truncate -s 8M "$www/installer"
mformat -i "$www/installer" -v MPXERAM :: || fail "mformat failed"
mmd -i "$www/installer" ::/EFI ::/EFI/BOOT || fail "mmd failed"
mcopy -i "$www/installer" "$MPXE_BUILD_DIR/firmware/mpsh.efi" ::/EFI/BOOT/BOOTX64.EFI || fail "mcopy failed"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$www/mpsh.iso"
((FAILED)) && finish

port=$(free_port)
python3 - "$port" "$www" >"$WORK/http.log" 2>&1 <<'PY' &
import functools, http.server, sys
class Typed(http.server.SimpleHTTPRequestHandler):
    extensions_map = {"": "application/vnd.efi-img", ".iso": "application/efi"}
handler = functools.partial(Typed, directory=sys.argv[2])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$port"

url="http://10\\.0\\.2\\.2:$port"
sha=$(sha256sum "$www/installer" | cut -d' ' -f1)
log=$WORK/installer.log
run_mpxe --stack mpxe --nic virtio --boot-url "http://10.0.2.2:$port/installer" --sha256 "$sha" \
  --serial-log "$log" --shell-cmd "ver; exit 0"
expect_status 0
expect_in "$log" "^mpxe: file '$url/installer' 8388608 bytes\$"
expect_in "$log" "^mpxe: '$url/installer' is a virtual disk image \\(its Content-Type says\\): it will boot from a RAM disk\$"
expect_in "$log" "^mpxe: summary: .* \\(8388608 bytes, [0-9.]+ MB/s, 1 connection\\)\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
expect_in "$log" "registered as a RAM disk \\(8 MiB, virtual disk\\)"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'

log=$WORK/efi.log
run_mpxe --stack mpxe --nic virtio --boot-url "http://10.0.2.2:$port/mpsh.iso" \
  --serial-log "$log" --shell-cmd "ver; exit 0"
expect_status 0
clean "$log" | grep -q 'RAM disk' && fail "an image served as application/efi became a RAM disk"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
finish
