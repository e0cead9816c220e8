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

NS2="mpxe-it-$$-pxy"
MAC=52:54:00:12:34:56
work=$(mktemp -d)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS2" 2>/dev/null || true
  netns_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

# dnsmasq NAME NAMESPACE INTERFACE ARGS...: started in the background, its pid kept.
start_dnsmasq() {
  local name=$1 ns=$2 dev=$3
  shift 3
  ip netns exec "$ns" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
    --interface="$dev" --bind-interfaces --pid-file= --leasefile-ro --log-dhcp \
    --log-facility="$work/$name.log" "$@" &
  pids+=($!)
}

stop_dnsmasq() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log; do [ -e "$log" ] && { echo "--- $log"; cat "$log"; }; done
  exit 1
}

# expect FIELD VALUE: the lease line "FIELD: VALUE" is in the last output.
expect() {
  grep -qx "$1: $2" "$work/out" || fail "expected '$1: $2'"
}

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
ip -n "$NS" addr del "$HOST_IP/24" dev "$TAP"
ip -n "$NS" link add br0 type bridge
ip -n "$NS" link set br0 type bridge forward_delay 0 stp_state 0
ip -n "$NS" link set "$TAP" master br0
ip -n "$NS" addr add "$HOST_IP/24" dev br0
ip netns exec "$NS" sysctl -qw net.ipv6.conf.br0.disable_ipv6=1 || true
ip netns add "$NS2"
ip -n "$NS2" link set lo up
ip link add pxy0 netns "$NS2" type veth peer pxy0-br netns "$NS"
ip -n "$NS" link set pxy0-br master br0
ip -n "$NS" link set pxy0-br up
ip -n "$NS" link set br0 up
ip netns exec "$NS2" sysctl -qw net.ipv6.conf.pxy0.disable_ipv6=1 || true
ip -n "$NS2" addr add 10.77.0.2/24 dev pxy0
ip -n "$NS2" link set pxy0 up
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
