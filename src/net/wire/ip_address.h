// An IP address of either family: what the TCP and UDP tuples, the sockets that
// name a peer and DNS results hold, so none of them is tied to IPv4. The layers
// that exist only for IPv4 (ARP, the IPv4 header, DHCPv4) take the Ipv4Address
// out with v4() after checking is_v4(), and refuse an IPv6 one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

enum class IpFamily : uint8_t { V4 = 4, V6 = 6 };

class IpAddress {
 public:
  static constexpr size_t kMaxTextLen = Ipv6Address::kMaxTextLen;

  // 0.0.0.0: the unconfigured IPv4 address every tuple started from before.
  constexpr IpAddress() = default;
  // Implicit, as every IPv4 (IPv6) address is an IP address.
  constexpr IpAddress(Ipv4Address v4) : family_(IpFamily::V4) { v4.write(octets_); }
  constexpr IpAddress(const Ipv6Address& v6) : family_(IpFamily::V6) { v6.write(octets_); }

  constexpr IpFamily family() const { return family_; }
  constexpr bool is_v4() const { return family_ == IpFamily::V4; }
  constexpr bool is_v6() const { return family_ == IpFamily::V6; }
  // The address as its own family's type; 0.0.0.0 (::) for the other family,
  // which no route or socket accepts, so callers check is_v4() (is_v6()) first.
  constexpr Ipv4Address v4() const {
    return is_v4() ? Ipv4Address::from_bytes(octets_) : Ipv4Address::unspecified();
  }
  constexpr Ipv6Address v6() const {
    return is_v6() ? Ipv6Address::from_bytes(octets_) : Ipv6Address::unspecified();
  }
  // The family's octets in network order: 4 or 16 of them.
  constexpr Bytes bytes() const { return Bytes(octets_, is_v4() ? Ipv4Address::kSize : Ipv6Address::kSize); }

  constexpr bool is_unspecified() const { return is_v4() ? v4().is_unspecified() : v6().is_unspecified(); }
  constexpr bool is_multicast() const { return is_v4() ? v4().is_multicast() : v6().is_multicast(); }
  // 255.255.255.255; IPv6 has no broadcast.
  constexpr bool is_broadcast() const { return is_v4() && v4().is_broadcast(); }
  // One host: neither unspecified nor multicast (nor IPv4 broadcast).
  constexpr bool is_unicast() const { return is_v4() ? v4().is_unicast() : v6().is_unicast(); }

  // A dotted quad, or IPv6 text when there is a ':' (see each family's parse).
  static Result<IpAddress> parse(Bytes text);
  static Result<IpAddress> parse(const char* text);
  // The family's text form; returns its full length (at most kMaxTextLen),
  // NUL-terminates when capacity > 0.
  size_t format(char* out, size_t capacity) const;
  // The address and a port as a URL writes them (RFC 3986 3.2.2): "a.b.c.d:port",
  // or "[v6]:port", the brackets keeping the port apart from the address's colons.
  // Returns the full length (at most kMaxEndpointTextLen), NUL-terminates when
  // capacity > 0, as format() does.
  static constexpr size_t kMaxEndpointTextLen = kMaxTextLen + 2 + 6;
  size_t format_with_port(uint16_t port, char* out, size_t capacity) const;

  constexpr bool operator==(const IpAddress&) const = default;

 private:
  IpFamily family_ = IpFamily::V4;
  // An IPv4 address fills the first four octets; the rest stay zero, so the
  // defaulted == compares addresses.
  uint8_t octets_[Ipv6Address::kSize] = {};
};
static_assert(sizeof(IpAddress) == 17);

}  // namespace mpxe::net
