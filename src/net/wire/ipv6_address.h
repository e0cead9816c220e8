// IPv6 addresses: sixteen octets in network order, with the text form of RFC 4291
// 2.2 (read) and RFC 5952 (written); and the addresses a host derives from its
// MAC (the modified EUI-64 interface identifier, the link-local address) and
// from a unicast address (its solicited-node group and that group's MAC).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"

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
  // ff02::/16: a group on this link only (all-nodes, all-routers, solicited-node).
  constexpr bool is_link_local_multicast() const { return octets[0] == 0xFF && octets[1] == 0x02; }

  // ff02::1, every node on the link; ff02::2, every router.
  static constexpr Ipv6Address all_nodes() { return of(0xff02, 0, 0, 0, 0, 0, 0, 1); }
  static constexpr Ipv6Address all_routers() { return of(0xff02, 0, 0, 0, 0, 0, 0, 2); }
  // RFC 4291 2.7.1: ff02::1:ffXX:XXXX, the low 24 bits of `unicast`. Neighbour
  // solicitations for an address go to this group.
  constexpr Ipv6Address solicited_node() const {
    Ipv6Address group = of(0xff02, 0, 0, 0, 0, 1, 0xff00, 0);
    for (size_t i = 13; i < kSize; ++i) group.octets[i] = octets[i];
    return group;
  }
  // RFC 2464 7: a multicast address goes to the MAC 33:33 followed by its last
  // four octets.
  constexpr MacAddress multicast_mac() const {
    return MacAddress{{0x33, 0x33, octets[12], octets[13], octets[14], octets[15]}};
  }
  // The first `prefix_len` bits equal those of `prefix`.
  constexpr bool in_prefix(const Ipv6Address& prefix, uint8_t prefix_len) const {
    if (prefix_len > 128) return false;
    size_t whole = prefix_len / 8;
    for (size_t i = 0; i < whole; ++i)
      if (octets[i] != prefix.octets[i]) return false;
    unsigned rest = prefix_len % 8;
    if (rest == 0) return true;
    uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
    return (octets[whole] & mask) == (prefix.octets[whole] & mask);
  }
  // The first 64 bits of `prefix`, then the 64-bit interface identifier.
  static constexpr Ipv6Address from_prefix(const Ipv6Address& prefix, const uint8_t (&iid)[8]) {
    Ipv6Address address;
    for (size_t i = 0; i < 8; ++i) address.octets[i] = prefix.octets[i];
    for (size_t i = 0; i < 8; ++i) address.octets[8 + i] = iid[i];
    return address;
  }
  // RFC 4291 2.5.1 and appendix A, RFC 2464 4: the modified EUI-64 interface
  // identifier of a 48-bit MAC: ff:fe in the middle, the universal/local bit
  // inverted (so 52:54:00:12:34:56 gives 5054:00ff:fe12:3456).
  static constexpr void eui64_interface_id(MacAddress mac, uint8_t (&iid)[8]) {
    iid[0] = static_cast<uint8_t>(mac.octets[0] ^ 0x02);
    iid[1] = mac.octets[1];
    iid[2] = mac.octets[2];
    iid[3] = 0xFF;
    iid[4] = 0xFE;
    iid[5] = mac.octets[3];
    iid[6] = mac.octets[4];
    iid[7] = mac.octets[5];
  }
  // RFC 4862 5.3: fe80::/64 and the interface identifier.
  static constexpr Ipv6Address link_local(MacAddress mac) {
    uint8_t iid[8] = {};
    eui64_interface_id(mac, iid);
    return from_prefix(of(0xfe80, 0, 0, 0, 0, 0, 0, 0), iid);
  }

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
