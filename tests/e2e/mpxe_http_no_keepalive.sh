#!/usr/bin/env bash
# HTTP boot from a server that closes every connection after one response (nginx
# with keepalive_timeout 0) but takes byte ranges: each 4 MiB chunk after a
# connection's first goes over a new connection, and the 64 MiB image still
# arrives byte for byte (sha256= equals the host's, --sha256 passes).
source "$(dirname "$0")/lib.sh"
require_machine
require_nginx
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
www=$WORK/www
mkdir -p "$www" "$WORK/tmp"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$www/boot.efi"
head -c $((64 << 20)) /dev/urandom >>"$www/boot.efi"
chmod -R a+rX "$WORK"
size=$(stat -c %s "$www/boot.efi")
sha=$(sha256sum "$www/boot.efi" | cut -d' ' -f1)
port=$(free_port)
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  keepalive_timeout 0;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
  server { listen 127.0.0.1:$port; root $www; }
}
CONF
"$nginx" -p "$WORK" -c "$WORK/nginx.conf" || fail "nginx did not start"
trap '[[ -f $WORK/nginx.pid ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null; rm -rf "$WORK"' EXIT
wait_for_port "$port"
((FAILED)) && finish

log=$WORK/serial.log
run_mpxe --stack mpxe --nic e1000 --cores 4 --boot-url "http://10.0.2.2:$port/boot.efi" \
  --sha256 "$sha" --serial-log "$log" --shell-cmd "exit 0"
expect_status 0
chunks=$(((size + (4 << 20) - 1) / (4 << 20)))
expect_in "$log" "^mpxe: http: $chunks chunks of 4 MiB over 4 connections\$"
expect_in "$log" "^sha256=$sha\$"
expect_in "$log" '^mpxe: sha256 matches the expected digest$'
expect_in "$log" "^mpxe: summary: .* \\($size bytes, [0-9.]+ MB/s, 4 connections\\)\$"
finish
