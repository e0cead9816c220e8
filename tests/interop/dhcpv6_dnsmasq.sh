#!/usr/bin/env bash
# Interop: SLAAC and DHCPv6 (mpxe-net --ipv6 dhcp6, on a TAP in a private
# namespace) against dnsmasq 2.90 with router advertisements, which no one here
# wrote; the IPv6 PXE site docs/real-server.md describes.
#  1. stateful: dnsmasq's RA sets M and O and gives the /64 with A set
#     (dhcp-range=...,constructor:IF,slaac): we take a SLAAC address, then a
#     DHCPv6 address from the range (Solicit/Advertise/Request/Reply, then DAD),
#     the DNS server, domain, boot file URL and parameters, the server's DUID;
#     dnsmasq logs its Reply. Then the file the URL names, over TFTP from the
#     server the URL names (dnsmasq's TFTP), byte-exact by SHA-256;
#  2. case 1's lease through the fault injector (seeded loss, duplication,
#     reordering each way): the retransmissions must get it anyway (TFTP over
#     IPv6 through faults is tftp6_test.sh's: dnsmasq's lock-step TFTP backs off
#     for seconds per lost block);
#  3. stateless: the RA sets O only (ra-stateless): an Information-Request, no
#     address, DNS and the boot URL;
#  4. a duplicate: the range's one address is already another host's (a third
#     namespace on the link), so our DAD hears its kernel defend it: we Decline it (dnsmasq logs DHCPDECLINE),
#     ask again, and fail with a named cause, not hang.
#   dhcpv6_dnsmasq.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup
. "$HERE/dnsmasq_lib.sh"
. "$HERE/ipv6_lib.sh"
ipv6_segment

ROOT=$work/root
mkdir -p "$ROOT"
chmod 755 "$work" "$ROOT"
head -c $((3 << 20 | 123)) /dev/urandom >"$ROOT/boot.efi"
chmod 644 "$ROOT/boot.efi"
BOOT_URL="tftp://[$HOST_IP6]/boot.efi"

run() {
  local status=0
  in_ns "$MPXE_NET" --tap "$TAP" --mac "$OUR_MAC" --timeout 45 -v "$@" >"$work/out" 2>"$work/err" ||
    status=$?
  cat "$work/out"
  [ "$status" -eq 0 ] || { cat "$work/err"; fail "mpxe-net $* exited $status"; }
}

# The server dnsmasq answers as: RA on SERVER_IF6, DHCPv6 with PXE's options, TFTP.
SITE=(--user=root --enable-ra --enable-tftp "--tftp-root=$ROOT"
      "--dhcp-option=option6:bootfile-url,$BOOT_URL"
      "--dhcp-option=option6:bootfile-param,boot.efi,-v"
      "--dhcp-option=option6:dns-server,[fd00:6d70::53]"
      "--dhcp-option=option6:domain-search,boot.example")

# fetch_boot_file [mpxe-net options]: the URL of the last lease, over TFTP.
fetch_boot_file() {
  local url host file expected got
  url=$(sed -n 's/^boot-file-url: //p' "$work/out")
  host=$(sed -n 's|^tftp://\[\([0-9a-f:]*\)\]/.*|\1|p' <<<"$url")
  file=${url#*]/}
  [ -n "$host" ] && [ -n "$file" ] || fail "no tftp://[host]/file in '$url'"
  run "$@" tftp get "$file" --server "$host" --linger 0.3
  expected=$(sha256sum "$ROOT/$file" | cut -d' ' -f1)
  got=$(sed -n 's/^sha256=//p' "$work/out")
  [ "$got" = "$expected" ] || fail "TFTP over IPv6: sha256 $got, want $expected"
  grep -q "blksize 1448" "$work/out" || fail "expected blksize 1448 (the IPv6 default)"
}

check_stateful() {
  expect slaac "$OUR_SLAAC preferred"
  grep -qE '^ra: yes, managed 1, other [01], mtu 1500$' "$work/out" || fail "no RA with M set"
  expect mode stateful
  grep -qE '^address: fd00:6d70::1[0-9a-f]{2} preferred 3600 s valid 3600 s$' "$work/out" ||
    fail "no DHCPv6 address from the range"
  expect dad ok
  expect dns fd00:6d70::53
  expect domain boot.example
  grep -qxF "boot-file-url: $BOOT_URL" "$work/out" || fail "expected boot-file-url: $BOOT_URL"
  grep -qx 'boot-file-param: boot.efi' "$work/out" || fail "boot-file-param boot.efi missing"
  grep -qx 'boot-file-param: -v' "$work/out" || fail "boot-file-param -v missing"
  # dnsmasq's DUID-LL (type 3) of its interface.
  grep -qE '^server-duid: 0003[0-9a-f]{16}$' "$work/out" || fail "no DUID-LL server id"
  grep -qE '^server: fe80::' "$work/out" || fail "the Reply came not from the server's link-local address"
  local address
  address=$(sed -n 's/^address: \([^ ]*\) .*/\1/p' "$work/out")
  grep -q "DHCPREPLY($SERVER_IF6) $address " "$work/$1.log" || fail "dnsmasq logged no Reply of $address"
}

echo "== 1. stateful: SLAAC and an IA_NA address, then the boot file over TFTP"
start_dnsmasq stateful "$NS" "$SERVER_IF6" \
  --dhcp-range=::100,::1ff,constructor:$SERVER_IF6,slaac,64,1h "${SITE[@]}"
sleep 0.5
run dhcp6
check_stateful stateful
fetch_boot_file --ipv6

echo "== 2. case 1 through 5% loss, 2% duplication and 5% reordering each way (seeded)"
run --drop 50 --dup 20 --reorder 50 --seed 5 dhcp6
check_stateful stateful
stop_dnsmasq

echo "== 3. stateless: the RA sets O only, an Information-Request"
start_dnsmasq stateless "$NS" "$SERVER_IF6" \
  --dhcp-range=::,constructor:$SERVER_IF6,ra-stateless,64,1h "${SITE[@]}"
sleep 0.5
run dhcp6
expect slaac "$OUR_SLAAC preferred"
expect ra "yes, managed 0, other 1, mtu 1500"
expect mode stateless
expect address none
expect dns fd00:6d70::53
grep -qxF "boot-file-url: $BOOT_URL" "$work/out" || fail "expected boot-file-url: $BOOT_URL"
grep -qE '^sent: 0 solicit, 0 request, [1-9][0-9]* information-request' "$work/out" ||
  fail "stateless mode sent something else than Information-Requests"
stop_dnsmasq

echo "== 4. the one address in the range is taken: DAD, Decline, a named failure"
# Another host on the link (dnsmasq never hands out its own addresses) holds it.
NSD="mpxe-it-$$-dup"
ip netns add "$NSD"
extra_ns+=("$NSD")
ip link add vdup netns "$NSD" type veth peer vdup-br netns "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.vdup-br.disable_ipv6=1
ip -n "$NS" link set vdup-br master br6
ip -n "$NS" link set vdup-br up
ip netns exec "$NSD" sysctl -qw net.ipv6.conf.vdup.accept_dad=0
ip netns exec "$NSD" sysctl -qw net.ipv6.conf.vdup.accept_ra=0
ip -n "$NSD" addr add fd00:6d70::200/64 dev vdup nodad
ip -n "$NSD" link set vdup up
start_dnsmasq duplicate "$NS" "$SERVER_IF6" \
  --dhcp-range=::200,::200,constructor:$SERVER_IF6,slaac,64,1h "${SITE[@]}"
sleep 0.5
status=0
in_ns "$MPXE_NET" --tap "$TAP" --mac "$OUR_MAC" --timeout 60 -v dhcp6 >"$work/out" 2>"$work/err" ||
  status=$?
cat "$work/out"
[ "$status" -eq 1 ] || { cat "$work/err"; fail "a duplicate address: exit $status, want 1"; }
grep -q 'is in use on the link' "$work/err" || { cat "$work/err"; fail "no DAD conflict logged"; }
grep -qE '^sent: .* [1-9][0-9]* decline' "$work/out" || fail "no Decline sent"
grep -q 'DHCPDECLINE' "$work/duplicate.log" || fail "dnsmasq logged no DHCPDECLINE"
grep -qE '^dhcp6: failed: ' "$work/out" || fail "no failure line"
stop_dnsmasq

echo "PASS"
