// IPv4 addresses: four octets in network order, with the classification tests and
// the dotted-quad text form.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"

namespace mpxe::net {

struct Ipv4Address {
  static constexpr size_t kSize = 4;
  uint8_t octets[kSize] = {};

  static constexpr Ipv4Address of(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return Ipv4Address{{a, b, c, d}};
  }
  static constexpr Ipv4Address from_u32(uint32_t host_order) {
    return of(static_cast<uint8_t>(host_order >> 24), static_cast<uint8_t>(host_order >> 16),
              static_cast<uint8_t>(host_order >> 8), static_cast<uint8_t>(host_order));
  }
  static constexpr Ipv4Address from_bytes(const uint8_t* p) { return of(p[0], p[1], p[2], p[3]); }
  static constexpr Ipv4Address unspecified() { return of(0, 0, 0, 0); }
  static constexpr Ipv4Address broadcast() { return of(255, 255, 255, 255); }

  constexpr uint32_t to_u32() const {
    return (uint32_t{octets[0]} << 24) | (uint32_t{octets[1]} << 16) |
           (uint32_t{octets[2]} << 8) | octets[3];
  }
  constexpr void write(uint8_t* p) const {
    for (size_t i = 0; i < kSize; ++i) p[i] = octets[i];
  }

  constexpr bool is_unspecified() const { return to_u32() == 0; }
  constexpr bool is_broadcast() const { return to_u32() == 0xFFFFFFFF; }
  constexpr bool is_multicast() const { return (octets[0] & 0xF0) == 224; }  // 224.0.0.0/4
  constexpr bool is_loopback() const { return octets[0] == 127; }           // 127.0.0.0/8
  constexpr bool is_link_local() const { return octets[0] == 169 && octets[1] == 254; }
  constexpr bool is_unicast() const {
    return !is_unspecified() && !is_broadcast() && !is_multicast();
  }
  // Same network as `other` under `mask`.
  constexpr bool same_subnet(Ipv4Address other, Ipv4Address mask) const {
    return ((to_u32() ^ other.to_u32()) & mask.to_u32()) == 0;
  }

  // Strict dotted quad: four decimal parts 0-255, no leading zeros (which some
  // parsers read as octal), nothing else.
  static Result<Ipv4Address> parse(Bytes text);
  static Result<Ipv4Address> parse(const char* text);
  // "10.77.0.1"; returns the full length (at most 15), NUL-terminates when capacity > 0.
  size_t format(char* out, size_t capacity) const;

  constexpr bool operator==(const Ipv4Address&) const = default;
};
static_assert(sizeof(Ipv4Address) == 4);

}  // namespace mpxe::net
