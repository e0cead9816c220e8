// ICMPv6 (RFC 4443): echo request and reply, and the four error messages, parsed
// enough to name them and to find the packet they quote. Neighbour discovery's
// messages (types 133-137) are ICMPv6 too, and have their own file (ndp.h).
// The checksum covers the IPv6 pseudo header, so every parse and emit takes the
// addresses of the IPv6 header around the message.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv6.h"

namespace mpxe::net {

enum class Icmpv6Type : uint8_t {
  DstUnreachable = 1,
  PacketTooBig = 2,
  TimeExceeded = 3,
  ParamProblem = 4,
  EchoRequest = 128,
  EchoReply = 129,
  MldQuery = 130,
  MldReport = 131,
  MldDone = 132,
  RouterSolicit = 133,
  RouterAdvert = 134,
  NeighborSolicit = 135,
  NeighborAdvert = 136,
  Redirect = 137,
  Mldv2Report = 143,
};

// Codes of DstUnreachable (RFC 4443 3.1).
enum class Icmpv6Unreachable : uint8_t {
  NoRoute = 0,
  AdminProhibited = 1,
  BeyondScope = 2,
  Address = 3,
  Port = 4,
  SourcePolicy = 5,
  RejectRoute = 6,
};

// Codes of ParamProblem (RFC 4443 3.4).
enum class Icmpv6ParamProblem : uint8_t {
  BadHeaderField = 0,
  UnknownNextHeader = 1,
  UnknownOption = 2,
};

// "echo request", "router advertisement", ...; "unknown" for another number.
const char* icmpv6_type_text(uint8_t type);
// What an error says, "port unreachable", "unrecognized option", ...; for the
// other types their name.
const char* icmpv6_code_text(uint8_t type, uint8_t code);
// Types 1-127 are errors (RFC 4443 2.1).
constexpr bool icmpv6_is_error(uint8_t type) { return type < 128; }

class Icmpv6Packet {
 public:
  static constexpr size_t kTypeOffset = 0;
  static constexpr size_t kCodeOffset = 1;
  static constexpr size_t kChecksumOffset = 2;
  static constexpr size_t kIdentOffset = 4;  // echo
  static constexpr size_t kSeqOffset = 6;    // echo
  static constexpr size_t kParamOffset = 4;  // PacketTooBig: MTU; ParamProblem: pointer
  static constexpr size_t kHeaderLen = 8;    // every message has a 4-byte body at least

  // The bytes are the whole upper-layer payload: the checksum covers all of them.
  static Result<Icmpv6Packet> check(Bytes bytes);

  uint8_t type() const { return bytes_[kTypeOffset]; }
  uint8_t code() const { return bytes_[kCodeOffset]; }
  uint16_t checksum() const { return load_be16(bytes_.data() + kChecksumOffset); }
  uint16_t ident() const { return load_be16(bytes_.data() + kIdentOffset); }
  uint16_t seq_no() const { return load_be16(bytes_.data() + kSeqOffset); }
  uint32_t param() const { return load_be32(bytes_.data() + kParamOffset); }
  // Echo data, or the invoking packet of an error.
  Bytes data() const { return bytes_.subspan(kHeaderLen); }
  Bytes bytes() const { return bytes_; }
  // RFC 4443 2.3: over the pseudo header (RFC 8200 8.1, next header 58) and the message.
  bool verify_checksum(const Ipv6Address& src, const Ipv6Address& dst) const;

 private:
  explicit constexpr Icmpv6Packet(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// The checksum field value for `message` (its own checksum field taken as zero)
// between `src` and `dst`.
uint16_t icmpv6_checksum(const Ipv6Address& src, const Ipv6Address& dst, Bytes message);

struct Icmpv6Repr {
  Icmpv6Type type = Icmpv6Type::EchoRequest;
  uint8_t code = 0;
  uint16_t ident = 0;   // echo
  uint16_t seq_no = 0;  // echo
  // PacketTooBig: the next hop's MTU; ParamProblem: the offset of the field at
  // fault in the invoking packet; the other errors: their "unused" field (zero
  // from any sender that follows RFC 4443, ignored, but kept so the message
  // re-emits as it came).
  uint32_t param = 0;
  Ipv6Repr quoted_header;  // errors: the invoking packet's fixed header
  // Echo: the data. Errors: the invoking packet as quoted, its header included.
  Bytes data;

  // Echo and the four errors. Fails with BadChecksum, Unsupported for another
  // type (NDP and MLD have their own parsers), Truncated or BadVersion for an
  // error whose invoking packet has no whole IPv6 header.
  static Result<Icmpv6Repr> parse(const Icmpv6Packet& packet, const Ipv6Address& src,
                                  const Ipv6Address& dst);
  size_t buffer_len() const { return Icmpv6Packet::kHeaderLen + data.size(); }
  // Writes the whole message, data copied in and checksum computed. `data` may
  // point into `out` (an echo reply built where the request was).
  Result<void> emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const;

  bool operator==(const Icmpv6Repr& other) const;
};

}  // namespace mpxe::net
