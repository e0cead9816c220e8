#!/usr/bin/env bash
# HTTP(S) boot over IPv6 through our ROM, from an IPv6-only site on a TAP in a
# network namespace this test makes (root only): dnsmasq 2.90 sends router
# advertisements for fd00:6d70::/64 (O set, M clear: SLAAC, then a stateless
# DHCPv6 Information-Request) and names the boot file URL (option 59); nginx
# serves it on [fd00:6d70::1]. The link carries no IPv4 at all, and --ipv6 makes
# the ROM try IPv6 first: IPv4 DHCP must never run.
#   mpxe_http6.sh NIC         http://[fd00:6d70::1]:8080/big.efi (the shell and 4 MiB of
#                             padding) in byte ranges over four connections, byte-exact
#                             (--sha256); on virtio also http://boot.mpxe.test:8080/,
#                             named only to the HTTPClient vendor class and looked up
#                             as AAAA through the DHCPv6 DNS server
#   mpxe_http6.sh NIC errors  refusals named, status 109: connection refused by
#                             [fd00:6d70::1]:8081; a name with only an A record; an
#                             off-link server when the RA gives no default route
#   mpxe_http6.sh NIC https   https://[fd00:6d70::1]:8443/big.efi, the certificate's
#                             subjectAltName the IPv6 address, the CA from --ca-cert
NIC=${1:-virtio}
MODE=${2:-http}
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
source "$(dirname "$0")/../interop/ipv6_lib.sh"
require_machine
require_nginx
[[ -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
[[ $MODE != https ]] || command -v openssl >/dev/null || skip "openssl not installed"
netns_setup
trap 'netns_cleanup; rm -rf "$WORK"' EXIT
ipv6_segment

www=$WORK/www
mkdir "$www"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$www/"
cat "$MPXE_BUILD_DIR/firmware/mpsh.efi" >"$www/big.efi"
head -c $((4 << 20)) /dev/urandom >>"$www/big.efi"
big_size=$(stat -c %s "$www/big.efi")
big_sha=$(sha256sum "$www/big.efi" | cut -d' ' -f1)
mpsh_sha=$(sha256sum "$www/mpsh.efi" | cut -d' ' -f1)
chmod -R a+rX "$WORK"

server=fd00:6d70::1
server_re=fd00:6d70::1
ours_re=${OUR_SLAAC//./\\.}

# site NAME ARGS...: dnsmasq on the server's end of the link: RA with O set for the
# /64, stateless DHCPv6, DNS on [fd00:6d70::1] for mpxe.test; ARGS name the URL.
DNSMASQ=
site() {
  local name=$1
  shift
  [[ -z $DNSMASQ ]] || { kill "$DNSMASQ"; wait "$DNSMASQ" 2>/dev/null; }
  ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --user=root \
    --interface="$SERVER_IF6" --bind-interfaces --pid-file= --leasefile-ro --log-dhcp \
    --no-resolv --no-hosts --enable-ra \
    --dhcp-range=::,constructor:$SERVER_IF6,ra-stateless,64,1h \
    "--dhcp-option=option6:dns-server,[$server]" \
    --host-record=boot.mpxe.test,$server --host-record=v4only.mpxe.test,10.77.0.1 \
    --log-facility="$WORK/dnsmasq-$name.log" "$@" &
  DNSMASQ=$!
  sleep 0.5
}

# The IPv6 lease as the console reports it, for a URL offered to PXEClient.
expect_v6_lease() {
  expect_in "$1" '^mpxe: IPv6 \(SLAAC, DHCPv6\) on 52:54:00:12:34:56$'
  expect_in "$1" "^mpxe: IPv6: address $ours_re router ([0-9a-f:]+|none), RA M=0 O=1 \\([0-9]+ ms\\)\$"
  if clean "$1" | grep -q '^mpxe: DHCP (PXE) on'; then fail "IPv4 DHCP ran although IPv6 answered"; fi
}

case $MODE in
http)
  start_ns_nginx "[$server]" 8080 "$www"
  url="http://[$server]:8080/big.efi"
  url_re="http://\\[$server_re\\]:8080/big\\.efi"
  site literal "--dhcp-option=option6:bootfile-url,$url"
  log=$WORK/literal.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --sha256 "$big_sha" \
    --serial-log "$log" --shell-cmd "net; exit 0"
  expect_status 0
  expect_v6_lease "$log"
  expect_in "$log" "^mpxe: IPv6: boot file URL '$url_re' via stateless DHCPv6 from fe80::[0-9a-f:]+ \\([0-9]+ ms\\)\$"
  expect_in "$log" "^mpxe: boot server $server_re file '$url_re'\$"
  expect_in "$log" "^mpxe: http: \\[$server_re\\]:8080 over IPv6 answered \\(from $ours_re\\)\$"
  expect_in "$log" "^mpxe: file '$url_re' $big_size bytes \\(byte ranges accepted\\)\$"
  expect_in "$log" "^mpxe: summary: dhcp [0-9]+ ms, size [0-9]+ ms, http [0-9]+ ms \\($big_size bytes, [0-9.]+ MB/s, 4 connections\\)\$"
  expect_in "$log" "^sha256=$big_sha\$"
  expect_in "$log" '^mpxe: sha256 matches the expected digest$'
  expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
  expect_in "$log" "^net: ipv6 $ours_re\$"
  # nginx saw the ranges come from our SLAAC address.
  grep -qE "^$ours_re - .*\"GET /big\\.efi HTTP/1\\.1\" 206 " "$NS_NGINX_ACCESS_LOG" ||
    fail "nginx logged no range GET of big.efi from $OUR_SLAAC"
  if [[ $NIC == virtio ]]; then
    # Only the HTTPClient class is told the URL (as a UEFI HTTP boot site does),
    # and it names its host: an AAAA lookup through the DHCPv6 DNS server.
    site named --dhcp-vendorclass=set:http,enterprise:343,HTTPClient \
      "--dhcp-option=tag:http,option6:bootfile-url,http://boot.mpxe.test:8080/mpsh.efi"
    log=$WORK/named.log
    run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --sha256 "$mpsh_sha" \
      --serial-log "$log" --shell-cmd "exit 0"
    expect_status 0
    expect_in "$log" '^mpxe: IPv6: no boot file URL for PXEClient; asking again as HTTPClient$'
    expect_in "$log" "^mpxe: IPv6: boot file URL 'http://boot\\.mpxe\\.test:8080/mpsh\\.efi' via stateless DHCPv6 from fe80::[0-9a-f:]+ as HTTPClient \\([0-9]+ ms\\)\$"
    expect_in "$log" "^mpxe: boot file 'http://boot\\.mpxe\\.test:8080/mpsh\\.efi', its server by DNS \\($server_re\\) over IPv6\$"
    expect_in "$log" "^mpxe: boot\\.mpxe\\.test is $server_re \\(DNS, [0-9]+ ms\\)\$"
    expect_in "$log" "^mpxe: http: \\[$server_re\\]:8080 over IPv6 answered \\(from $ours_re\\)\$"
    expect_in "$log" "^sha256=$mpsh_sha\$"
    expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
    grep -q 'tags: http, ' "$WORK/dnsmasq-named.log" || fail "dnsmasq tagged no request as HTTPClient's"
  fi
  ;;
errors)
  # Nothing listens on 8081: the server's RST, named with the address and family.
  site refused "--dhcp-option=option6:bootfile-url,http://[$server]:8081/mpsh.efi"
  log=$WORK/refused.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --serial-log "$log"
  expect_status 109
  expect_v6_lease "$log"
  expect_in "$log" "^mpxe: http://\\[$server_re\\]:8081/mpsh\\.efi: connection failed \\(.*refused.*\\), to \\[$server_re\\]:8081 over IPv6\$"
  # A name with only an A record: unreachable from this IPv6-only boot, said so.
  site v4only "--dhcp-option=option6:bootfile-url,http://v4only.mpxe.test/mpsh.efi"
  log=$WORK/v4only.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --serial-log "$log"
  expect_status 109
  expect_in "$log" '^mpxe: cannot resolve v4only\.mpxe\.test: no AAAA record, only A \(10\.77\.0\.1\): this boot has no IPv4 address$'
  expect_stderr '^mpxe: boot failed: .*v4only\.mpxe\.test'
  # An off-link server, and the RA gives no default route (router lifetime 0):
  # named before any SYN, not after they time out.
  site noroute --ra-param=$SERVER_IF6,10,0 \
    "--dhcp-option=option6:bootfile-url,http://[fd99::1]:8080/mpsh.efi"
  log=$WORK/noroute.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --serial-log "$log"
  expect_status 109
  expect_in "$log" "^mpxe: IPv6: address $ours_re router none, RA M=0 O=1 "
  expect_in "$log" '^mpxe: http://\[fd99::1\]:8080/mpsh\.efi: no route to \[fd99::1\]:8080 over IPv6: it is not on-link and no router advertised a default route \(router lifetime 0\)$'
  ;;
https)
  cd "$WORK" || exit 1
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
    -subj "/CN=e2e IPv6 CA" 2>/dev/null || fail "openssl req (CA)"
  openssl req -newkey rsa:2048 -nodes -keyout v6.key -out v6.csr -subj "/O=e2e" 2>/dev/null ||
    fail "openssl req (server)"
  printf 'subjectAltName=IP:%s\n' "$server" >v6.ext
  openssl x509 -req -in v6.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile v6.ext -out v6.pem 2>/dev/null || fail "openssl x509 (server)"
  start_ns_nginx "[$server]" 8443 "$www" "$WORK/v6.pem" "$WORK/v6.key"
  url="https://[$server]:8443/big.efi"
  url_re="https://\\[$server_re\\]:8443/big\\.efi"
  site tls "--dhcp-option=option6:bootfile-url,$url"
  log=$WORK/https.log
  run_mpxe_in_ns --stack mpxe --nic "$NIC" --tap "$TAP" --ipv6 --ca-cert "$WORK/ca.pem" \
    --sha256 "$big_sha" --serial-log "$log" --shell-cmd "exit 0"
  expect_status 0
  expect_v6_lease "$log"
  expect_in "$log" "^mpxe: boot server $server_re file '$url_re'\$"
  expect_in "$log" '^mpxe: https: TLSv1\.3, '
  expect_in "$log" "^mpxe: http: \\[$server_re\\]:8443 over IPv6 answered \\(from $ours_re\\)\$"
  expect_in "$log" "^sha256=$big_sha\$"
  expect_in "$log" '^mpsh [^ ]+ - mpxe shell'
  ;;
*)
  fail "unknown mode $MODE"
  ;;
esac
[[ -z $DNSMASQ ]] || { kill "$DNSMASQ"; wait "$DNSMASQ" 2>/dev/null; }
finish
