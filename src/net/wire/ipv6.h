// IPv6 headers (RFC 8200): the fixed 40-byte header, and the walk over the
// extension headers that may sit between it and the upper-layer protocol.
//
// The walk skips what a host may skip and names what it refuses: hop-by-hop and
// destination options (each option's action bits obeyed, RFC 8200 4.2), a routing
// header with no segments left (4.4), at most kMaxExtensionHeaders of them; a
// fragment header ends the walk (this stack does not reassemble IPv6), and so
// does a header out of place, one that runs past the packet or an option it must
// not skip. Each refusal is an Ipv6Fault, with the offset of the field at fault
// for an ICMPv6 Parameter Problem.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

// Next Header values (IANA "Assigned Internet Protocol Numbers") the walk knows.
namespace ipv6_next {
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kEsp = 50;
inline constexpr uint8_t kAuth = 51;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kNoNextHeader = 59;
inline constexpr uint8_t kDestOptions = 60;
}  // namespace ipv6_next

class Ipv6Packet {
 public:
  static constexpr size_t kVersionOffset = 0;  // version 4 bits, traffic class 8, flow label 20
  static constexpr size_t kPayloadLenOffset = 4;
  static constexpr size_t kNextHeaderOffset = 6;
  static constexpr size_t kHopLimitOffset = 7;
  static constexpr size_t kSrcOffset = 8;
  static constexpr size_t kDstOffset = 24;
  static constexpr size_t kHeaderLen = 40;
  static_assert(kDstOffset + Ipv6Address::kSize == kHeaderLen);

  // Version 6 and a payload length that fits; bytes past it (Ethernet padding)
  // are dropped from the view. (A jumbogram, RFC 2675, has a payload length of
  // 0 and needs a link that Ethernet is not: its payload reads as empty.)
  static Result<Ipv6Packet> check(Bytes bytes);
  // The header an ICMPv6 error quotes: only a prefix of its payload is present.
  static Result<Ipv6Packet> check_quoted(Bytes bytes);

  uint8_t version() const { return bytes_[kVersionOffset] >> 4; }
  uint8_t traffic_class() const { return static_cast<uint8_t>(word0() >> 20); }
  uint32_t flow_label() const { return word0() & 0xFFFFF; }
  uint16_t payload_len() const { return load_be16(bytes_.data() + kPayloadLenOffset); }
  uint8_t next_header() const { return bytes_[kNextHeaderOffset]; }
  uint8_t hop_limit() const { return bytes_[kHopLimitOffset]; }
  Ipv6Address src() const { return Ipv6Address::from_bytes(bytes_.data() + kSrcOffset); }
  Ipv6Address dst() const { return Ipv6Address::from_bytes(bytes_.data() + kDstOffset); }
  // Everything after the fixed header: extension headers, then the upper layer.
  Bytes payload() const { return bytes_.subspan(kHeaderLen); }
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr Ipv6Packet(Bytes bytes) : bytes_(bytes) {}
  uint32_t word0() const { return load_be32(bytes_.data()); }
  Bytes bytes_;
};

// Why the walk over the extension headers stopped short of an upper layer.
enum class Ipv6Fault : uint8_t {
  None = 0,
  HopByHopNotFirst = 1,   // RFC 8200 4.3: only right after the IPv6 header
  TooManyHeaders = 2,     // more than kMaxExtensionHeaders
  HeaderTruncated = 3,    // an extension header runs past the payload
  OptionTruncated = 4,    // an option runs past its header
  UnknownOption = 5,      // an option whose action bits say "do not skip me"
  RoutingSegmentsLeft = 6,// a routing header still routing (RFC 8200 4.4)
  Fragment = 7,           // a fragment: not reassembled here (an atomic one, offset 0
                          // and no more to come, RFC 6946, is walked through)
  NoNextHeader = 8,       // next header 59: nothing follows
  UnknownHeader = 9,      // ESP, AH or a number no one defined: not for this stack
};
inline constexpr size_t kIpv6Faults = 10;
// "hop-by-hop header not first", ...
const char* ipv6_fault_text(Ipv6Fault fault);
// The fault as an Error of Layer::Ipv6, for the interface's drop counters.
Error ipv6_fault_error(Ipv6Fault fault);

// An IPv6 fragment header (RFC 8200 4.5), as the walk found it.
struct Ipv6FragmentHeader {
  uint8_t next_header = 0;
  uint16_t offset = 0;  // in bytes (the field counts 8-byte units)
  bool more = false;
  uint32_t ident = 0;
};

// Where the walk ended.
struct Ipv6Chain {
  static constexpr size_t kMaxExtensionHeaders = 8;

  Ipv6Fault fault = Ipv6Fault::None;
  // The upper-layer protocol (ICMPv6, UDP, TCP, or any other number) when there
  // is no fault; for a fault, the next header value where it stopped.
  uint8_t protocol = 0;
  // The upper-layer bytes, to the payload length's end.
  Bytes payload;
  size_t headers = 0;  // extension headers walked
  bool router_alert = false;  // a hop-by-hop Router Alert option (RFC 2711): MLD has one
  // Offset from the IPv6 header's first byte of the field at fault: what an
  // ICMPv6 Parameter Problem names (RFC 4443 3.4).
  size_t pointer = 0;
  Ipv6FragmentHeader fragment;  // fault Fragment: the header that stopped the walk

  bool ok() const { return fault == Ipv6Fault::None; }
  static Ipv6Chain walk(const Ipv6Packet& packet);
};

struct Ipv6Repr {
  Ipv6Address src;
  Ipv6Address dst;
  uint8_t next_header = 0;  // the upper layer: emit() writes no extension headers
  uint16_t payload_len = 0;
  uint8_t hop_limit = 64;
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;

  // The fixed header only; the walk says what the next header really is.
  static Ipv6Repr parse(const Ipv6Packet& packet);
  static constexpr size_t buffer_len() { return Ipv6Packet::kHeaderLen; }
  // Writes the 40-byte header into `out`; the payload is the caller's to place.
  Result<void> emit(MutableBytes out) const;

  constexpr bool operator==(const Ipv6Repr&) const = default;
};

}  // namespace mpxe::net
