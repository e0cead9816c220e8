// IPv4 headers (RFC 791). Options are skipped, never interpreted: the header
// length tells where the payload starts. Fragments are described, not reassembled.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"

namespace mpxe::net {

// Values of the Protocol field (the IANA "Assigned Internet Protocol Numbers").
enum class IpProtocol : uint8_t {
  Icmp = 1,
  Tcp = 6,
  Udp = 17,
};

class Ipv4Packet {
 public:
  static constexpr size_t kVersionIhlOffset = 0;
  static constexpr size_t kDscpEcnOffset = 1;
  static constexpr size_t kTotalLenOffset = 2;
  static constexpr size_t kIdentOffset = 4;
  static constexpr size_t kFlagsFragmentOffset = 6;
  static constexpr size_t kTtlOffset = 8;
  static constexpr size_t kProtocolOffset = 9;
  static constexpr size_t kChecksumOffset = 10;
  static constexpr size_t kSrcOffset = 12;
  static constexpr size_t kDstOffset = 16;
  static constexpr size_t kMinHeaderLen = 20;
  static constexpr size_t kMaxHeaderLen = 60;  // IHL is 4 bits of 32-bit words
  static_assert(kDstOffset + Ipv4Address::kSize == kMinHeaderLen);

  static constexpr uint16_t kFlagDontFragment = 0x4000;
  static constexpr uint16_t kFlagMoreFragments = 0x2000;
  static constexpr uint16_t kFragmentOffsetMask = 0x1FFF;  // in 8-octet units

  // A whole datagram: version 4, a header length of at least 20 that fits, and a
  // total length that covers the header and fits. Bytes past the total length
  // (Ethernet padding) are dropped from the view.
  static Result<Ipv4Packet> check(Bytes bytes);
  // The header an ICMP error quotes (RFC 792: "Internet Header + 64 bits of
  // Original Data Datagram"): the same header checks, but the total length
  // describes a datagram of which only a prefix is present.
  static Result<Ipv4Packet> check_quoted(Bytes bytes);

  uint8_t version() const { return bytes_[kVersionIhlOffset] >> 4; }
  size_t header_len() const { return size_t{bytes_[kVersionIhlOffset] & 0x0Fu} * 4; }
  uint8_t dscp_ecn() const { return bytes_[kDscpEcnOffset]; }
  uint16_t total_len() const { return load_be16(bytes_.data() + kTotalLenOffset); }
  uint16_t ident() const { return load_be16(bytes_.data() + kIdentOffset); }
  bool dont_fragment() const { return (flags_fragment() & kFlagDontFragment) != 0; }
  bool more_fragments() const { return (flags_fragment() & kFlagMoreFragments) != 0; }
  // In bytes (the field counts 8-byte units).
  uint16_t fragment_offset() const {
    return static_cast<uint16_t>((flags_fragment() & kFragmentOffsetMask) * 8);
  }
  uint8_t ttl() const { return bytes_[kTtlOffset]; }
  uint8_t protocol() const { return bytes_[kProtocolOffset]; }
  uint16_t checksum() const { return load_be16(bytes_.data() + kChecksumOffset); }
  Ipv4Address src() const { return Ipv4Address::from_bytes(bytes_.data() + kSrcOffset); }
  Ipv4Address dst() const { return Ipv4Address::from_bytes(bytes_.data() + kDstOffset); }
  Bytes header() const { return bytes_.first(header_len()); }
  Bytes options() const { return bytes_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
  // The payload up to the total length (for a quoted header: what is present of it).
  Bytes payload() const { return bytes_.subspan(header_len()); }

  // "The checksum field is the 16 bit one's complement of the one's complement sum
  // of all 16 bit words in the header."
  bool verify_checksum() const;

 private:
  explicit constexpr Ipv4Packet(Bytes bytes) : bytes_(bytes) {}
  static Result<Ipv4Packet> check_header(Bytes bytes);
  uint16_t flags_fragment() const { return load_be16(bytes_.data() + kFlagsFragmentOffset); }
  Bytes bytes_;
};

struct Ipv4Repr {
  Ipv4Address src;
  Ipv4Address dst;
  uint8_t protocol = 0;        // an IpProtocol value, or any other number seen on the wire
  uint16_t payload_len = 0;
  uint8_t ttl = 64;
  uint8_t dscp_ecn = 0;
  uint16_t ident = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in bytes, a multiple of 8

  // Fails on a bad header checksum.
  static Result<Ipv4Repr> parse(const Ipv4Packet& packet);
  // For a header quoted in an ICMP error: the ICMP checksum already covers these
  // bytes, and the quoted header's own checksum need not hold (a NAT on the way
  // may have rewritten its addresses), so it is not verified.
  static Ipv4Repr parse_quoted(const Ipv4Packet& packet);
  // emit() writes a 20-byte header: options are never sent.
  static constexpr size_t buffer_len() { return Ipv4Packet::kMinHeaderLen; }
  // Writes the header, checksum included, into the first buffer_len() bytes of
  // `out`; the payload is the caller's to place after it.
  Result<void> emit(MutableBytes out) const;

  constexpr bool operator==(const Ipv4Repr&) const = default;
};

}  // namespace mpxe::net
