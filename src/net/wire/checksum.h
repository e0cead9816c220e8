// The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones'
// complement sum of the data taken as big-endian 16-bit words, an odd last byte
// padded with zero. IPv4, ICMP and UDP use it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

// An incremental sum. Pieces may have any length: a piece that ends on an odd
// byte leaves the next piece starting in the low half of a word, as if all the
// pieces had been one buffer.
class Checksum {
 public:
  void add(Bytes data);
  void add_u16(uint16_t value) { add_word(value); }
  void add_u32(uint32_t value) {
    add_word(static_cast<uint16_t>(value >> 16));
    add_word(static_cast<uint16_t>(value));
  }
  void add_address(Ipv4Address address) { add_u32(address.to_u32()); }
  void add_address(const Ipv6Address& address) { add(Bytes(address.octets, Ipv6Address::kSize)); }

  // The folded ones' complement sum. A received header or datagram whose sum,
  // checksum field included, is 0xFFFF is intact.
  uint16_t sum() const;
  // The value to store in a checksum field: the complement of sum().
  uint16_t finish() const { return static_cast<uint16_t>(~sum()); }

 private:
  // A whole word at the current position; the RFC 1071 sum is byte-order
  // independent, so a word split at an odd position contributes swapped.
  void add_word(uint16_t word) {
    acc_ += odd_ ? static_cast<uint16_t>((word >> 8) | (word << 8)) : word;
  }

  uint64_t acc_ = 0;
  bool odd_ = false;  // an odd number of bytes has been added so far
};

// ~sum(data): the checksum field value for a buffer whose checksum field is zero;
// 0 when the buffer's own checksum field is right (RFC 1071 "4. (2)").
uint16_t internet_checksum(Bytes data);

// Folds a 32- or 64-bit partial sum into 16 bits with end-around carry.
uint16_t checksum_fold(uint64_t sum);

// The sum of two pieces from their separate sums (RFC 1071 2(B)): when the first
// piece has an odd length, the second one's bytes sit swapped in the whole.
uint16_t checksum_combine(uint16_t sum_first, uint16_t sum_second, size_t first_len);

// The sum of the IPv4 pseudo header that UDP and TCP checksums cover (RFC 768):
// source, destination, zero, protocol, and the UDP/TCP length.
uint16_t ipv4_pseudo_header_sum(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                                uint16_t length);

// The sum of the IPv6 pseudo header (RFC 8200 8.1) that ICMPv6, UDP and TCP
// checksums over IPv6 cover: source, destination, the upper-layer packet length
// as 32 bits, three zero bytes and the next header (the upper-layer protocol, not
// an extension header's). The destination is the final one.
uint16_t ipv6_pseudo_header_sum(const Ipv6Address& src, const Ipv6Address& dst,
                                uint8_t next_header, uint32_t length);

// A checksum field updated for one 16-bit word of the data changing from
// old_word to new_word, without summing the data again (RFC 1624, eqn. 3:
// HC' = ~(~HC + ~m + m')). Used when forwarding changes the TTL, say.
uint16_t checksum_adjust(uint16_t checksum, uint16_t old_word, uint16_t new_word);

}  // namespace mpxe::net
