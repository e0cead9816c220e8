// 48-bit IEEE 802 MAC addresses.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"

namespace mpxe::net {

struct MacAddress {
  static constexpr size_t kSize = 6;
  uint8_t octets[kSize] = {};

  static constexpr MacAddress from_bytes(const uint8_t* p) {
    MacAddress mac;
    for (size_t i = 0; i < kSize; ++i) mac.octets[i] = p[i];
    return mac;
  }
  static constexpr MacAddress broadcast() {
    return MacAddress{{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};
  }
  constexpr void write(uint8_t* p) const {
    for (size_t i = 0; i < kSize; ++i) p[i] = octets[i];
  }

  constexpr bool is_zero() const {
    for (uint8_t o : octets)
      if (o != 0) return false;
    return true;
  }
  constexpr bool is_broadcast() const {
    for (uint8_t o : octets)
      if (o != 0xFF) return false;
    return true;
  }
  // The I/G bit, the least significant bit of the first octet: set for group
  // addresses, which include broadcast.
  constexpr bool is_multicast() const { return (octets[0] & 0x01) != 0; }
  constexpr bool is_unicast() const { return !is_multicast(); }
  // The U/L bit: set for locally administered addresses (QEMU's 52:54:00 is one).
  constexpr bool is_local() const { return (octets[0] & 0x02) != 0; }

  // "52:54:00:12:34:56" (either case, ':' or '-' between octets).
  static Result<MacAddress> parse(Bytes text);
  // "52:54:00:12:34:56"; returns the full length (17), NUL-terminates when capacity > 0.
  size_t format(char* out, size_t capacity) const;

  constexpr bool operator==(const MacAddress&) const = default;
};
static_assert(sizeof(MacAddress) == 6);

}  // namespace mpxe::net
