#!/usr/bin/env bash
# Interop: PXE 2.1 boot server discovery (mpxe-net dhcp on a TAP in a private
# namespace) against ISC dhcpd, whose option 43 is the raw blob of the PXE 2.1
# tables (vendor-encapsulated-options), so the control bits and server lists that
# dnsmasq never sends can be tried against a real server:
#  1. control bits 0 (multicast, broadcast and unicast all allowed; no multicast
#     address, no server list): the discovery is broadcast to port 67, and dhcpd
#     itself answers it -- it names a file only to a request carrying option 43;
#  2. control bits 7 (unicast only, listed servers only) with PXE_BOOT_SERVERS
#     naming another host: the request goes by unicast to that host's port 4011,
#     where dnsmasq (a ProxyDHCP that answers late, so dhcpd's lease is taken
#     first) serves the item; dhcpd's own address is not asked.
#   pxe_discovery_isc.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
DHCPD=$(command -v dhcpd || echo /usr/sbin/dhcpd)
[ -x "$DHCPD" ] || skip "no ISC dhcpd (package isc-dhcp-server)"
netns_setup
. "$HERE/dnsmasq_lib.sh"

NS2="mpxe-it-$$-bsv"
MAC=52:54:00:12:34:58
bridge_segment
add_host "$NS2" bsv0 10.77.0.2

run_dhcp() {
  in_ns "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 60 -v dhcp >"$work/out" 2>"$work/err" ||
    { cat "$work/out"; fail "mpxe-net dhcp exited $?"; }
  cat "$work/out"
}

# The PXE 2.1 option 43 as hex: sub-options given as CODE:HEXBYTES.
pxe_blob() {
  python3 - "$@" <<'PY'
import sys
out = bytearray()
for arg in sys.argv[1:]:
    code, value = arg.split(":", 1)
    data = bytes.fromhex(value)
    out += bytes([int(code), len(data)]) + data
out.append(255)
print(":".join(f"{b:02x}" for b in out))
PY
}

menu_item() {  # TYPE(hex, 4 digits) TEXT
  printf '%s%02x%s' "$1" "${#2}" "$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')"
}

# dhcpd NAME OPTION43: addresses 10.77.0.100-150 on br0; the file only for a
# request that carries option 43 (a boot server discovery, never a DISCOVER).
start_dhcpd() {
  local name=$1 blob=$2
  cat >"$work/$name.conf" <<CONF
authoritative;
default-lease-time 3600;
subnet 10.77.0.0 netmask 255.255.255.0 {
  range 10.77.0.100 10.77.0.150;
  option routers 10.77.0.1;
  option vendor-class-identifier "PXEClient";
  option vendor-encapsulated-options $blob;
  if exists vendor-encapsulated-options {
    filename "isc.efi";
    next-server 10.77.0.1;
  }
}
CONF
  : >"$work/$name.leases"
  ip netns exec "$NS" "$DHCPD" -4 -f -d -cf "$work/$name.conf" -lf "$work/$name.leases" \
    -pf "$work/$name.pid" br0 >"$work/$name.log" 2>&1 &
  pids+=($!)
}

echo "== 1. control bits 0: broadcast discovery, answered by dhcpd on port 67"
menu=$(menu_item 8001 "ISC item")$(menu_item 0000 "Local disk")
start_dhcpd all "$(pxe_blob 6:00 "9:$menu" 10:00414243)"
sleep 1
run_dhcp
grep -q '^menu: 1 type 32769 ISC item (chosen)$' "$work/out" || fail "the ISC menu was not read"
expect discovery-control 0
grep -q '^discovery-target: 255\.255\.255\.255:67$' "$work/out" || fail "no broadcast discovery"
expect discovery-reply-from 10.77.0.1
expect boot-source pxe-reply
expect boot-file isc.efi
expect boot-server 10.77.0.1
stop_dnsmasq

echo "== 2. control bits 7: unicast to the listed server only, another host"
menu=$(menu_item 8000 "From the listed server")$(menu_item 0000 "Local disk")
start_dhcpd listed "$(pxe_blob 6:07 "8:800001$(printf '0a4d0002')" "9:$menu" 10:00414243)"
start_dnsmasq bootserver "$NS2" bsv0 --dhcp-range=10.77.0.0,proxy --dhcp-reply-delay=4 \
  "--pxe-prompt=Choose,0" "--pxe-service=X86-64_EFI,Served by B,fromb" \
  "--pxe-service=X86-64_EFI,Other of B,otherb"
sleep 1
run_dhcp
expect discovery-control 7
expect boot-servers "type 32768 10.77.0.2"
grep -q '^discovery-target: 10\.77\.0\.2:4011$' "$work/out" || fail "the listed server was not asked"
[ "$(grep -c '^discovery-target: ' "$work/out")" = 1 ] || fail "more than the listed server was asked"
expect discovery-reply-from 10.77.0.2
expect boot-file fromb.0
stop_dnsmasq

echo "PASS"
