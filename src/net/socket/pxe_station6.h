// SetStationIp over IPv6 (UEFI 2.10, PXE Base Code): what a caller's station address
// and SubnetMask mean for the interface. The mask comes as the sixteen bytes of
// an EFI_IP_ADDRESS: leading one bits, the prefix length of the on-link subnet.
// None (all zero) is the /64 every IPv6 subnet of a LAN has (RFC 4291 2.5.4),
// which is also what EDK II's PXEv6 configures. Portable, unit-tested on the host.
#pragma once

#include <stdint.h>

#include "net/result.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

inline constexpr uint8_t kPxeDefaultIpv6PrefixLen = 64;

// The prefix length of `mask`; Iface/BadValue when its ones are not contiguous.
constexpr Result<uint8_t> pxe_ipv6_prefix_len(const Ipv6Address& mask) {
  if (mask.is_unspecified()) return kPxeDefaultIpv6PrefixLen;
  uint8_t len = 0;
  bool ended = false;
  for (uint8_t octet : mask.octets) {
    for (int bit = 7; bit >= 0; --bit) {
      bool one = (octet >> bit) & 1;
      if (one && ended) return Error(Layer::Iface, Errc::BadValue);
      if (one) ++len;
      else ended = true;
    }
  }
  return len;
}

// A station address an interface can hold: unicast and not loopback. (Of the
// link-local ones only the interface's own, from its MAC: the interface says.)
constexpr bool pxe_ipv6_station_valid(const Ipv6Address& station) {
  return station.is_unicast() && !station.is_loopback();
}

}  // namespace mpxe::net
