#!/usr/bin/env bash
# Our ROM on a link where nothing answers, then on one whose server lacks the boot
# file: each ends with a clear line from the driver and the firmware moving on to
# its next boot option, which the runner reports as status 109 -- never a hang.
# The NIC sits on a TAP device in a network namespace this test makes (root only).
#   1. no DHCP server and no IPv6 router at all: DHCP gives up after its retries,
#      then IPv6 after its router solicitations;
#   2. dnsmasq answers DHCP with a boot file its TFTP folder does not hold.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

# The runner (and QEMU, which opens the TAP) run inside the namespace.
log=$WORK/silent.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --serial-log "$log"
expect_status 109
expect_in "$log" '^mpxe: DHCP \(PXE\) on 52:54:00:12:34:56$'
expect_in "$log" '^mpxe: no DHCP lease: '
# Then IPv6, the other family of the one boot option: no router here either.
expect_in "$log" '^mpxe: no boot over IPv4; trying IPv6$'
expect_in "$log" '^mpxe: IPv6: no router advertisement in [0-9]+ ms'
expect_stderr '^mpxe: boot failed: mpxe: no DHCP lease: no DHCP offer; IPv6: no router advertisement in [0-9]+ ms .*; then '

mkdir "$WORK/tftp"
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
  --bind-interfaces --pid-file= --leasefile-ro --dhcp-range=10.77.0.50,10.77.0.99,1h \
  --dhcp-boot=absent.efi --enable-tftp --tftp-root="$WORK/tftp" \
  --log-facility="$WORK/dnsmasq.log" &
log=$WORK/missing.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --serial-log "$log"
expect_status 109
expect_in "$log" "^mpxe: boot server 10\\.77\\.0\\.1 file 'absent\\.efi'\$"
expect_in "$log" '^mpxe: TFTP error 1 from server: .+'
expect_stderr '^mpxe: boot failed: mpxe: TFTP error 1 from server: .+; then '
finish
