#!/usr/bin/env bash
# Interop: PXE 2.1 boot server discovery (mpxe-net dhcp, our DhcpClient and
# PxeDiscovery on a TAP in a private namespace) against dnsmasq sites with PXE
# boot menus, the way WDS/SCCM/Serva sites look on the wire.
#  1. ProxyDHCP with a menu and a prompt of timeout 0: addresses from dnsmasq A,
#     the menu from dnsmasq B in another namespace; the first item that is not
#     local boot is asked for with option 43/71, B answers with its file;
#  2. the same with a prompt of 2 s: the wait is honoured (time measured);
#  3. --pxe-menu 3 picks the third item: its own file comes back;
#  4. --pxe-menu 2, local boot: nothing is asked, the command says why;
#  5. one dnsmasq is DHCP server and boot server on one host, menu in the ACK;
#  6. an item served from another host (pxe-service with a server address):
#     discovery goes by unicast to the PXE_BOOT_SERVERS entry (control bits 3:
#     no broadcast, no multicast), and the reply names the other host.
# Multicast discovery and lists naming other hosts are not something dnsmasq
# sends; the unit tests (pxe_discovery_test.cpp) script them from the spec.
#   pxe_discovery_dnsmasq.sh path/to/mpxe-net
set -euo pipefail
MPXE_NET=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netns_lib.sh"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup
. "$HERE/dnsmasq_lib.sh"

NS2="mpxe-it-$$-pxy"
MAC=52:54:00:12:34:57

run_dhcp() {
  local status=0
  in_ns "$MPXE_NET" --tap "$TAP" --mac "$MAC" --timeout 60 -v "$@" >"$work/out" 2>"$work/err" || status=$?
  cat "$work/out"
  return $status
}

ADDRESSES=(--dhcp-range=10.77.0.100,10.77.0.150,255.255.255.0,1h --dhcp-option=option:router,10.77.0.1)
MENU=("--pxe-service=X86-64_EFI,Install over the network,install"
      "--pxe-service=X86-64_EFI,Boot from local disk"
      "--pxe-service=X86-64_EFI,Rescue system,rescue")

bridge_segment
add_host "$NS2" pxy0 10.77.0.2

echo "== 1. ProxyDHCP menu, prompt timeout 0"
start_dnsmasq address "$NS" br0 "${ADDRESSES[@]}"
start_dnsmasq proxy "$NS2" pxy0 --dhcp-range=10.77.0.0,proxy "--pxe-prompt=Choose,0" "${MENU[@]}"
sleep 0.5
run_dhcp dhcp || fail "no boot through the menu"
expect proxy 10.77.0.2
grep -q '^menu: 1 type [1-9][0-9]* Install over the network (chosen)$' "$work/out" || fail "first item not chosen"
grep -q '^menu: 2 type 0 Boot from local disk$' "$work/out" || fail "local boot item not listed as type 0"
expect prompt "Choose (0 s)"
expect boot-source pxe-reply
expect boot-file install.0
expect boot-server 10.77.0.2
expect discovery-reply-from 10.77.0.2
grep -qE '^packets: .*pxe-discover [1-9][0-9]*, pxe-reply [1-9]' "$work/out" || fail "discovery packets not kept"
grep -q "PXE(pxy0) .*$MAC" "$work/proxy.log" || fail "dnsmasq logged no PXE answer for us"
stop_dnsmasq

echo "== 2. the prompt's 2 s are waited"
start_dnsmasq address "$NS" br0 "${ADDRESSES[@]}"
start_dnsmasq proxy "$NS2" pxy0 --dhcp-range=10.77.0.0,proxy "--pxe-prompt=Press F8,2" "${MENU[@]}"
sleep 0.5
t0=$(date +%s%N)
run_dhcp dhcp || fail "no boot after the prompt"
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect prompt "Press F8 (2 s)"
expect boot-file install.0
[ "$elapsed_ms" -ge 2000 ] || fail "the prompt's timeout was not waited (${elapsed_ms} ms)"
stop_dnsmasq

echo "== 3. --pxe-menu 3 picks the rescue item"
start_dnsmasq address "$NS" br0 "${ADDRESSES[@]}"
start_dnsmasq proxy "$NS2" pxy0 --dhcp-range=10.77.0.0,proxy "--pxe-prompt=Press F8,5" "${MENU[@]}"
sleep 0.5
t0=$(date +%s%N)
run_dhcp dhcp --pxe-menu 3 || fail "no boot of item 3"
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect boot-file rescue.0
grep -q '^menu: 3 .*Rescue system (chosen)$' "$work/out" || fail "item 3 not chosen"
[ "$elapsed_ms" -lt 5000 ] || fail "a pinned item still waited for the prompt (${elapsed_ms} ms)"

echo "== 4. --pxe-menu 2 is local boot: no discovery"
if run_dhcp dhcp --pxe-menu 2; then fail "local boot reported a network boot"; fi
expect discovery "the item chosen is local boot"
stop_dnsmasq

echo "== 5. one dnsmasq: DHCP server and boot server on one host"
start_dnsmasq both "$NS" br0 "${ADDRESSES[@]}" "--pxe-prompt=Choose,0" "${MENU[@]}"
sleep 0.5
run_dhcp dhcp || fail "no boot from the one-host site"
expect boot-source pxe-reply
expect boot-file install.0
expect boot-server 10.77.0.1
stop_dnsmasq

echo "== 6. a menu item served from another host: the discovery reply names it"
# dnsmasq lists only itself in PXE_BOOT_SERVERS; a pxe-service with a server
# address makes its discovery reply name that server (siaddr/sname) instead.
start_dnsmasq address "$NS" br0 "${ADDRESSES[@]}"
start_dnsmasq proxy "$NS2" pxy0 --dhcp-range=10.77.0.0,proxy "--pxe-prompt=Choose,0" \
  "--pxe-service=X86-64_EFI,Install from C,install,10.77.0.3" \
  "--pxe-service=X86-64_EFI,Other from B,other"
sleep 0.5
run_dhcp dhcp || fail "no boot of the item served by another host"
expect boot-servers "type 32768 10.77.0.2"
grep -q '^discovery-target: 10\.77\.0\.2:4011$' "$work/out" || fail "the listed server was not asked by unicast"
expect discovery-reply-from 10.77.0.2
expect boot-server 10.77.0.3
expect boot-file install.0
stop_dnsmasq

echo "PASS"
