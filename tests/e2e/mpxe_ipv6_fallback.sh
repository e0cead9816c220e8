#!/usr/bin/env bash
# --ipv6 on a link with no IPv6 router: the ROM tries IPv6 first, names why it
# gave up (no router advertisement), and the same boot option boots over IPv4
# from dnsmasq. The NIC sits on a TAP in a network namespace this test makes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

mkdir "$WORK/tftp"
cp "$MPXE_BUILD_DIR/firmware/mpsh.efi" "$WORK/tftp/"
ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
  --bind-interfaces --pid-file= --leasefile-ro --dhcp-range=10.77.0.50,10.77.0.99,1h \
  --dhcp-boot=mpsh.efi --enable-tftp --tftp-root="$WORK/tftp" \
  --log-facility="$WORK/dnsmasq.log" &
log=$WORK/serial.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --ipv6 --shell-cmd "net; exit 0" \
  --serial-log "$log"
expect_status 0
expect_in "$log" '^mpxe: IPv6 \(SLAAC, DHCPv6\) on 52:54:00:12:34:56$'
expect_in "$log" '^mpxe: IPv6: no router advertisement in [0-9]+ ms \([0-9]+ solicitations\)$'
expect_in "$log" '^mpxe: no boot over IPv6; trying IPv4$'
expect_in "$log" '^mpxe: lease 10\.77\.0\.[0-9]+ mask 255\.255\.255\.0 '
expect_in "$log" "^mpxe: starting 'mpsh\\.efi'\$"
expect_in "$log" '^net: ip 10\.77\.0\.[0-9]+ mask 255\.255\.255\.0$'
finish
