#!/usr/bin/env bash
# HTTP boot from a URL that names its server: our ROM looks the name up through the
# DNS server of its DHCP lease, connects to the address, and keeps the name in the
# Host header. On a TAP in a network namespace this test makes (root only), with
# dnsmasq for DHCP and DNS and Python's http.server for the files:
#   1. http://boot.mpxe.test:8080/mpsh.efi boots the shell;
#   2. a name the DNS server does not know ends with a clear line and status 109.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
command -v python3 >/dev/null || skip "no python3"
netns_setup

mkdir "$WORK/www"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$WORK/www/"
image_sha=$(sha256sum "$WORK/www/mpsh.efi" | cut -d' ' -f1)
ip netns exec "$NS" python3 -m http.server --bind "$HOST_IP" --directory "$WORK/www" 8080 \
  >"$WORK/http.log" 2>&1 &

# dnsmasq NAME BOOT-URL: DHCP (option 6 names dnsmasq itself) and DNS for mpxe.test.
start_dnsmasq() {
  ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --interface="$TAP" \
    --bind-interfaces --pid-file= --leasefile-ro --no-resolv --no-hosts \
    --dhcp-range=10.77.0.50,10.77.0.99,1h --address=/boot.mpxe.test/"$HOST_IP" \
    --dhcp-boot="$2" --log-facility="$WORK/$1.log" &
  DNSMASQ=$!
}

start_dnsmasq named http://boot.mpxe.test:8080/mpsh.efi
log=$WORK/named.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --serial-log "$log" --digest \
  --shell-cmd "net; exit 0"
kill "$DNSMASQ"; wait "$DNSMASQ" 2>/dev/null
expect_status 0
expect_in "$log" "^mpxe: boot\\.mpxe\\.test is 10\\.77\\.0\\.1 \\(DNS, [0-9]+ ms\\)\$"
expect_in "$log" "^sha256=$image_sha\$"
expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
grep -q '"GET /mpsh.efi HTTP/1.1" 200' "$WORK/http.log" || fail "the HTTP server saw no GET of mpsh.efi"

start_dnsmasq unknown http://nowhere.mpxe.test:8080/mpsh.efi
log=$WORK/unknown.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --serial-log "$log"
kill "$DNSMASQ"; wait "$DNSMASQ" 2>/dev/null
expect_status 109
expect_in "$log" '^mpxe: cannot resolve nowhere\.mpxe\.test: '
finish
