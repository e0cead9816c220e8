#!/usr/bin/env bash
# A real PXE site with a boot menu, as WDS/SCCM/Serva sites look on the wire, on a
# TAP in network namespaces this test makes (root only): dnsmasq A hands out
# addresses only; dnsmasq B, on another host of the segment, is the ProxyDHCP and
# TFTP server with a PXE menu (prompt 1 s: "Boot mpsh", local boot, "Other").
#   mpxe_pxe_menu.sh NIC [ovmf]
#   1. our ROM shows the menu, waits out the prompt, discovers the boot server for
#      the first network item and boots mpsh from B; mpsh's own `net` reads the
#      PxeReply the PXE Base Code holds and fetches a file from B through Mtftp;
#   2. --pxe-menu 2 (local boot): no network boot, status 109, the console says why;
#   3. --pxe-menu 3: B names a file it does not have: TFTP's error is shown, 109.
# With `ovmf`, case 1 runs through stock OVMF instead (virtio only): its NBP sees
# the same Mode fields as through ours.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
NIC=${1:?NIC model}
STACK=${2:-mpxe}
require_machine
[[ $STACK == ovmf || -f $MPXE_BUILD_DIR/rom/mpxe-$NIC.rom ]] || skip "mpxe-$NIC.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup
source "$(dirname "$0")/../interop/dnsmasq_lib.sh"
trap 'dnsmasq_cleanup; rm -rf "$WORK"' EXIT

mkdir "$WORK/tftp"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$WORK/tftp/mpsh.efi"
image_sha=$(sha256sum "$WORK/tftp/mpsh.efi" | cut -d' ' -f1)
chmod -R a+rX "$WORK"
start_menu_site "mpxe-e2e-$$-pxy" "$WORK/tftp" "Press F8 for the menu,1"

log=$WORK/menu.log
run_mpxe_in_ns --stack "$STACK" --nic "$NIC" --tap "$TAP" --serial-log "$log" \
  --shell-cmd "net; tftp get mpsh.efi; exit 0"
expect_status 0
# What the NBP saw, read from the PXE Base Code's Mode by mpsh itself:
expect_in "$log" '^net: ip 10\.77\.0\.(1[0-4][0-9]|150) mask 255\.255\.255\.0$'
expect_in "$log" '^net: server 10\.77\.0\.2 file mpsh\.efi$'
expect_in "$log" '^net: dhcp ack received$'
expect_in "$log" '^net: proxy offer received$'
expect_in "$log" '^net: pxe discover sent$'
expect_in "$log" '^net: pxe reply received$'
expect_in "$log" "^sha256=$image_sha\$"
if [[ $STACK == mpxe ]]; then
  expect_in "$log" '^mpxe: PXE boot menu from 10\.77\.0\.2 '
  expect_in "$log" '^mpxe: +1\. Boot mpsh  <$'
  expect_in "$log" '^mpxe: +2\. Boot from local disk \(local boot\)$'
  expect_in "$log" '^mpxe: Press F8 for the menu \(1\)'
  expect_in "$log" "^mpxe: boot server discovery for 'Boot mpsh' \\(type 32768\\)\$"
  expect_in "$log" '^mpxe: boot server 10\.77\.0\.2 answered \(layer 0\)$'
  expect_in "$log" "^mpxe: boot server 10\\.77\\.0\\.2 file 'mpsh\\.efi' \\(ProxyDHCP\\)\$"
fi
grep -q "PXE(pxy0) .* mpsh.efi" "$work/proxy.log" || fail "dnsmasq B logged no discovery answer naming mpsh.efi"

if [[ $STACK == mpxe ]]; then
  log=$WORK/local.log
  run_mpxe_in_ns --nic "$NIC" --tap "$TAP" --serial-log "$log" --pxe-menu 2
  expect_status 109
  expect_in "$log" "^mpxe: 'Boot from local disk' is local boot: leaving the network boot"

  log=$WORK/missing.log
  run_mpxe_in_ns --nic "$NIC" --tap "$TAP" --serial-log "$log" --pxe-menu 3
  expect_status 109
  expect_in "$log" "^mpxe: item 3 chosen \\(--pxe-menu\\)\$"
  expect_in "$log" "file 'missing\\.efi'"
  expect_in "$log" '^mpxe: TFTP error 1 from server: '
fi
finish
