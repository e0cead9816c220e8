#!/usr/bin/env bash
# Interop: our DHCP client (mpxe-net dhcp, on a TAP in a private namespace) against
# dnsmasq, which no one here wrote.
#  1. one dnsmasq hands out the address and the boot file (--dhcp-boot);
#  2. ProxyDHCP: dnsmasq A hands out addresses only, dnsmasq B in a second
#     namespace is a proxy (--dhcp-range=...,proxy --pxe-service=x86-64_EFI,...).
#     Both sit on one Ethernet segment: a bridge joins our TAP and a veth to B's
#     namespace. The boot file comes from B's answer on port 4011;
#  3. HTTP boot: dnsmasq answers the HTTPClient class with a URL;
#  4. case 1 through the fault injector dropping 30% of frames each way (seeded):
#     the retransmissions must get the lease anyway.
# Each case checks the printed lease; dnsmasq logs to a file we show on failure.
#   dhcp_dnsmasq.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

. "$HERE/dnsmasq_lib.sh"

NS2="mpxe-it-$$-pxy"
MAC=52:54:00:12:34:56

run_dhcp() {
  in_ns "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 40 -v "$@" | tee "$work/out" ||
    fail "mpxe-net $* exited $?"
}

COMMON=(--dhcp-option=option:router,10.77.0.1 --dhcp-option=option:dns-server,10.77.0.1
        --domain=mpxe.test)

echo "== 1. dnsmasq with address and boot file"
start_dnsmasq full "$NS" "$TAP" --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
  --dhcp-boot=pxe.efi,boot.mpxe.test,10.77.0.1 "${COMMON[@]}"
sleep 0.5
run_dhcp dhcp --guid 6a0b4d2c8e1f4a5b9c7d0e2f3a4b5c6d
grep -qE '^address: 10\.77\.0\.(1[0-4][0-9]|150)$' "$work/out" || fail "address not in the range"
expect netmask 255.255.255.0
expect routers 10.77.0.1
expect dns 10.77.0.1
expect domain mpxe.test
expect lease "3600 s"
expect server 10.77.0.1
expect boot-source ack
expect boot-server 10.77.0.1
expect boot-server-name boot.mpxe.test
expect boot-file pxe.efi
grep -q "DHCPACK(.*) 10\.77\.0\.[0-9]* $MAC" "$work/full.log" || fail "dnsmasq logged no DHCPACK for us"
stop_dnsmasq

echo "== 2. ProxyDHCP: addresses from dnsmasq A, the boot file from dnsmasq B on port 4011"
# One segment: br0 holds our TAP and a veth into B's namespace; A serves on br0.
bridge_segment
add_host "$NS2" pxy0 10.77.0.2
start_dnsmasq address "$NS" br0 --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h "${COMMON[@]}"
start_dnsmasq proxy "$NS2" pxy0 --dhcp-range=10.77.0.0,proxy \
  "--pxe-service=x86-64_EFI,mpxe boot,pxe.efi"
sleep 0.5
run_dhcp dhcp
grep -qE '^address: 10\.77\.0\.(1[0-4][0-9]|150)$' "$work/out" || fail "address not in the range"
expect server 10.77.0.1
expect routers 10.77.0.1
expect proxy 10.77.0.2
expect boot-source pxe-reply
expect boot-server 10.77.0.2
expect boot-file pxe.efi
grep -qE '^packets: .*proxy-offer [1-9][0-9]*, pxe-discover [1-9][0-9]*, pxe-reply [1-9]' "$work/out" ||
  fail "the proxy's packets were not kept"
grep -q "PXE(pxy0) .*$MAC" "$work/proxy.log" || fail "the proxy logged no port-4011 answer for us"
stop_dnsmasq

echo "== 3. HTTP boot: the HTTPClient class gets a URL"
start_dnsmasq http "$NS" br0 --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
  --dhcp-vendorclass=set:http,HTTPClient --dhcp-option-force=tag:http,60,HTTPClient \
  --dhcp-boot=tag:http,http://10.77.0.1/boot/bootx64.efi "${COMMON[@]}"
sleep 0.5
run_dhcp dhcp --http --proxy-wait 300
expect boot-source ack
expect boot-file http://10.77.0.1/boot/bootx64.efi
stop_dnsmasq

echo "== 4. case 1 with 30% of frames dropped each way (seeded)"
start_dnsmasq lossy "$NS" br0 --dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h \
  --dhcp-boot=pxe.efi,,10.77.0.1 "${COMMON[@]}"
sleep 0.5
run_dhcp --drop 300 --seed 11 dhcp
expect boot-file pxe.efi
expect boot-server 10.77.0.1
grep -E '^sent: ' "$work/out"
stop_dnsmasq

echo "PASS"
