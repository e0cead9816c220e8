// UDP (RFC 768) over IPv4, and over IPv6 (RFC 8200 8.1: the checksum over the
// IPv6 pseudo header, and mandatory).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

class UdpDatagram {
 public:
  static constexpr size_t kSrcPortOffset = 0;
  static constexpr size_t kDstPortOffset = 2;
  static constexpr size_t kLengthOffset = 4;
  static constexpr size_t kChecksumOffset = 6;
  static constexpr size_t kHeaderLen = 8;
  static_assert(kChecksumOffset + 2 == kHeaderLen);

  // "Length is the length in octets of this user datagram including this header
  // and the data. (This means the minimum value of the length is eight.)"
  // Bytes past the length are dropped from the view.
  static Result<UdpDatagram> check(Bytes bytes);

  uint16_t src_port() const { return load_be16(bytes_.data() + kSrcPortOffset); }
  uint16_t dst_port() const { return load_be16(bytes_.data() + kDstPortOffset); }
  uint16_t length() const { return load_be16(bytes_.data() + kLengthOffset); }
  uint16_t checksum() const { return load_be16(bytes_.data() + kChecksumOffset); }
  Bytes payload() const { return bytes_.subspan(kHeaderLen); }

  // "An all zero transmitted checksum value means that the transmitter generated
  // no checksum": such a datagram passes.
  bool verify_checksum(Ipv4Address src, Ipv4Address dst) const;
  // RFC 8200 8.1: "IPv6 receivers must discard UDP packets containing a zero
  // checksum": over IPv6 a zero checksum fails.
  bool verify_checksum(const Ipv6Address& src, const Ipv6Address& dst) const;

 private:
  explicit constexpr UdpDatagram(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct UdpRepr {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t payload_len = 0;

  // Fails on a bad checksum; the addresses are those of the IPv4 header.
  static Result<UdpRepr> parse(const UdpDatagram& datagram, Ipv4Address src, Ipv4Address dst);
  static Result<UdpRepr> parse(const UdpDatagram& datagram, const Ipv6Address& src,
                               const Ipv6Address& dst);
  size_t buffer_len() const { return UdpDatagram::kHeaderLen + payload_len; }
  // Writes the header into `out` and checksums it with the payload_len bytes of
  // payload the caller has already placed after it.
  Result<void> emit(MutableBytes out, Ipv4Address src, Ipv4Address dst) const;
  Result<void> emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

  constexpr bool operator==(const UdpRepr&) const = default;
};

}  // namespace mpxe::net
