// IPv6 addresses: sixteen octets in network order, with the text form of RFC 4291
// 2.2 (read) and RFC 5952 (written). Nothing sends IPv6 yet: this is the value
// the address-family-neutral tuples, sockets and DNS results can already hold.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::net {

struct Ipv6Address {
  static constexpr size_t kSize = 16;
  // "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"; an IPv4-mapped address is shorter.
  static constexpr size_t kMaxTextLen = 39;
  uint8_t octets[kSize] = {};

  static constexpr Ipv6Address from_bytes(const uint8_t* p) {
    Ipv6Address address;
    for (size_t i = 0; i < kSize; ++i) address.octets[i] = p[i];
    return address;
  }
  // From eight 16-bit groups, as the text form writes them.
  static constexpr Ipv6Address of(uint16_t a, uint16_t b, uint16_t c, uint16_t d, uint16_t e,
                                  uint16_t f, uint16_t g, uint16_t h) {
    const uint16_t groups[8] = {a, b, c, d, e, f, g, h};
    Ipv6Address address;
    for (size_t i = 0; i < 8; ++i) {
      address.octets[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
      address.octets[2 * i + 1] = static_cast<uint8_t>(groups[i]);
    }
    return address;
  }
  static constexpr Ipv6Address unspecified() { return Ipv6Address(); }
  // RFC 4291 2.5.5.2: ::ffff:a.b.c.d.
  static constexpr Ipv6Address mapped(Ipv4Address v4) {
    Ipv6Address address;
    address.octets[10] = address.octets[11] = 0xFF;
    v4.write(address.octets + 12);
    return address;
  }

  constexpr uint16_t group(size_t i) const {
    return static_cast<uint16_t>((octets[2 * i] << 8) | octets[2 * i + 1]);
  }
  constexpr void write(uint8_t* p) const {
    for (size_t i = 0; i < kSize; ++i) p[i] = octets[i];
  }

  constexpr bool is_unspecified() const { return *this == Ipv6Address(); }
  constexpr bool is_loopback() const { return *this == of(0, 0, 0, 0, 0, 0, 0, 1); }
  constexpr bool is_multicast() const { return octets[0] == 0xFF; }  // ff00::/8
  constexpr bool is_link_local() const {                               // fe80::/10
    return octets[0] == 0xFE && (octets[1] & 0xC0) == 0x80;
  }
  constexpr bool is_v4_mapped() const {
    for (size_t i = 0; i < 10; ++i)
      if (octets[i] != 0) return false;
    return octets[10] == 0xFF && octets[11] == 0xFF;
  }
  constexpr bool is_unicast() const { return !is_unspecified() && !is_multicast(); }

  // RFC 4291 2.2: eight groups of 1-4 hex digits, one "::" for a run of zero
  // groups, and a dotted quad (strict, as Ipv4Address::parse) for the last two.
  // No zone index ("%eth0"), no brackets, nothing else.
  static Result<Ipv6Address> parse(Bytes text);
  static Result<Ipv6Address> parse(const char* text);
  // RFC 5952 4: lower-case hex, no leading zeros, the longest run of two or more
  // zero groups (the first of equal runs) as "::"; and 5: an IPv4-mapped address
  // as "::ffff:a.b.c.d". Returns the full length (at most kMaxTextLen),
  // NUL-terminates when capacity > 0.
  size_t format(char* out, size_t capacity) const;

  constexpr bool operator==(const Ipv6Address&) const = default;
};
static_assert(sizeof(Ipv6Address) == 16);

}  // namespace mpxe::net
