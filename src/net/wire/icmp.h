// ICMP for IPv4 (RFC 792): echo request and reply, and the two error messages a
// client acts on (destination unreachable, time exceeded), which quote the
// header of the datagram that caused them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4.h"

namespace mpxe::net {

enum class IcmpType : uint8_t {
  EchoReply = 0,
  DstUnreachable = 3,
  EchoRequest = 8,
  TimeExceeded = 11,
};

// Codes of DstUnreachable (RFC 792; 4 per RFC 1191 carries the next-hop MTU).
enum class IcmpUnreachable : uint8_t {
  Net = 0,
  Host = 1,
  Protocol = 2,
  Port = 3,
  FragmentationNeeded = 4,
  SourceRouteFailed = 5,
};

class IcmpPacket {
 public:
  static constexpr size_t kTypeOffset = 0;
  static constexpr size_t kCodeOffset = 1;
  static constexpr size_t kChecksumOffset = 2;
  static constexpr size_t kIdentOffset = 4;        // echo
  static constexpr size_t kSeqOffset = 6;          // echo
  static constexpr size_t kNextHopMtuOffset = 6;   // DstUnreachable/FragmentationNeeded
  static constexpr size_t kHeaderLen = 8;
  static_assert(kSeqOffset + 2 == kHeaderLen);
  // "Internet Header + 64 bits of Original Data Datagram"
  static constexpr size_t kQuotedDataMin = 8;

  // The bytes are the whole IPv4 payload: the checksum covers all of them.
  static Result<IcmpPacket> check(Bytes bytes);

  uint8_t type() const { return bytes_[kTypeOffset]; }
  uint8_t code() const { return bytes_[kCodeOffset]; }
  uint16_t checksum() const { return load_be16(bytes_.data() + kChecksumOffset); }
  uint16_t ident() const { return load_be16(bytes_.data() + kIdentOffset); }
  uint16_t seq_no() const { return load_be16(bytes_.data() + kSeqOffset); }
  uint16_t next_hop_mtu() const { return load_be16(bytes_.data() + kNextHopMtuOffset); }
  // Echo data, or the quoted datagram of an error.
  Bytes data() const { return bytes_.subspan(kHeaderLen); }
  // "The checksum is the 16-bit ones's complement of the one's complement sum of
  // the ICMP message starting with the ICMP Type."
  bool verify_checksum() const;

 private:
  explicit constexpr IcmpPacket(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct IcmpRepr {
  IcmpType type = IcmpType::EchoRequest;
  uint8_t code = 0;
  uint16_t ident = 0;         // echo
  uint16_t seq_no = 0;        // echo
  uint16_t next_hop_mtu = 0;  // DstUnreachable, code FragmentationNeeded (RFC 1191)
  Ipv4Repr quoted_header;     // errors: the header of the datagram that caused it
  // Echo: the data. Errors: what is quoted of the datagram after its header (at
  // least 8 bytes: the UDP or TCP ports are there).
  Bytes data;

  // Fails on a bad checksum (BadChecksum), on a type this stack does not handle
  // (Unsupported), and on an error whose quoted datagram is malformed or short.
  static Result<IcmpRepr> parse(const IcmpPacket& packet);
  // Errors are emitted with a 20-byte quoted header (options dropped).
  size_t buffer_len() const;
  // Writes the whole message, data copied in and checksum computed. `data` may
  // point into `out` (an echo reply built where the request was).
  Result<void> emit(MutableBytes out) const;

  bool operator==(const IcmpRepr& other) const;
};

}  // namespace mpxe::net
