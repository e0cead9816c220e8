#!/usr/bin/env bash
# A stateful DHCPv6 lease that another node holds: the ipv6_site.sh site with a
# range of one address, fd77::1a0, which the namespace's kernel answers for by
# proxy NDP (dnsmasq does not see it as in use, so it leases it, and it forgets a
# Decline and leases it again). Our ROM's DAD hears the defence, declines it,
# asks again, names each decline and, after the client's restarts, gives IPv6 up
# with the cause; the same boot option then boots mpsh over IPv4 from dnsmasq.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/../interop/netns_lib.sh"
source "$(dirname "$0")/ipv6_site.sh"
require_machine
[[ -f $MPXE_BUILD_DIR/rom/mpxe-virtio.rom ]] || skip "mpxe-virtio.rom not built"
command -v dnsmasq >/dev/null || skip "no dnsmasq"
netns_setup

taken=fd77::1a0
# Linux answers for a proxied address only on an interface that forwards.
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.forwarding=1"
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$TAP.proxy_ndp=1"
# Answered at once: the default delay (up to 0.8 s) could miss DAD's 1 s.
ip netns exec "$NS" sysctl -qw "net.ipv6.neigh.$TAP.proxy_delay=0"
ip -n "$NS" -6 neigh add proxy "$taken" dev "$TAP"

SITE6_RANGE_FIRST=$taken SITE6_RANGE_LAST=$taken
ipv6_mpsh_site --dhcp-range=10.77.0.50,10.77.0.99,1h --dhcp-boot=mpsh.efi

log=$WORK/serial.log
run_mpxe_in_ns --stack mpxe --nic virtio --tap "$TAP" --ipv6 --shell-cmd "net; exit 0" \
  --serial-log "$log"
expect_status 0
clean "$log" | grep -E '^mpxe: (IPv6|no boot)'
for n in 1 2 3; do
  expect_in "$log" "^mpxe: IPv6: DHCPv6 address fd77::1a0 from fe80::[0-9a-f:]+ is in use on the link \\(another node advertises it\\): declined \\($n of at most 3\\)\$"
done
expect_in "$log" '^mpxe: IPv6: stateful DHCPv6 failed: DHCPv6 address in use on the link \(DAD\)'
expect_in "$log" '^mpxe: no boot over IPv6; trying IPv4$'
expect_in "$log" '^net: ip 10\.77\.0\.[0-9]+ mask 255\.255\.255\.0$'
# Never taken as ours: no "via stateful DHCPv6" address line.
if clean "$log" | grep -q 'via stateful DHCPv6'; then fail "the ROM used an address in use"; fi
# dnsmasq names the client, not the address, in its Decline line.
[[ $(grep -c "DHCPDECLINE($TAP) " "$SITE6_LOG") -eq 3 ]] || fail "dnsmasq did not log 3 Declines"
((FAILED)) && { echo "--- dnsmasq"; cat "$SITE6_LOG"; }
finish
