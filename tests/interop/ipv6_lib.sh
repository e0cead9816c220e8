# Shared by the IPv6 interop scripts: source after netns_lib.sh, then call
# ipv6_segment after netns_setup. It gives the namespace an IPv6 server on the
# link our TAP is on:
#
#   TAP (ours) == br6 == vsw  <->  vsrv (HOST_IP6/64, link-local; servers bind here)
#
# The kernel's IPv6 lives on vsrv, a veth end, so it has a carrier (and its
# addresses, with DAD off, are usable) before mpxe-net attaches to the TAP: dnsmasq
# sends router advertisements from its start. TAP, br6 and vsw carry no IPv6 of
# their own, and br6 does no MLD snooping (our stack sends no MLD reports), so
# every multicast frame reaches both ends.
#
#   HOST_IP6   fd00:6d70::1, on SERVER_IF6
#   SERVER_IF6 vsrv, the interface servers bind to (dnsmasq --interface)
#   OUR_MAC    the MAC mpxe-net is given; OUR_SLAAC is its SLAAC address in the /64

HOST_IP6=fd00:6d70::1
SERVER_IF6=vsrv
OUR_MAC=52:54:00:12:34:56
OUR_SLAAC=fd00:6d70::5054:ff:fe12:3456

ipv6_segment() {
  ip -n "$NS" addr flush dev "$TAP"
  ip -n "$NS" link add br6 type bridge
  ip -n "$NS" link set br6 type bridge forward_delay 0 stp_state 0 mcast_snooping 0
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.br6.disable_ipv6=1
  ip -n "$NS" link add vsw type veth peer name "$SERVER_IF6"
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.vsw.disable_ipv6=1
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$SERVER_IF6.accept_dad=0"
  ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$SERVER_IF6.accept_ra=0"
  ip -n "$NS" link set "$TAP" master br6
  ip -n "$NS" link set vsw master br6
  ip -n "$NS" addr add "$HOST_IP6/64" dev "$SERVER_IF6" nodad
  ip -n "$NS" link set vsw up
  ip -n "$NS" link set "$SERVER_IF6" up
  ip -n "$NS" link set br6 up
  # Real checksums on the wire, as a NIC would put them there.
  if command -v ethtool >/dev/null; then
    ip netns exec "$NS" ethtool -K "$SERVER_IF6" tx off >/dev/null 2>&1 || true
  fi
  for _ in $(seq 50); do
    ip -n "$NS" -6 addr show dev "$SERVER_IF6" scope link | grep -q 'inet6 fe80' && return 0
    sleep 0.1
  done
  echo "FAIL: $SERVER_IF6 has no link-local address"
  exit 1
}
