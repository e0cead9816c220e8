// TCP segments (RFC 9293 3.1) over IPv4 or IPv6, with the options a receiver of
// large transfers needs: MSS (RFC 9293 3.2), window scale and timestamps (RFC
// 7323), SACK-permitted and SACK blocks (RFC 2018).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ip_address.h"

namespace mpxe::net {

// Control bits (RFC 9293 3.1; CWR and ECE from RFC 3168).
namespace tcp_flags {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace tcp_flags

// Option kinds (the IANA "TCP Option Kind Numbers").
enum class TcpOptionKind : uint8_t {
  End = 0,
  Nop = 1,
  Mss = 2,
  WindowScale = 3,
  SackPermitted = 4,
  Sack = 5,
  Timestamps = 8,
};

class TcpSegment {
 public:
  static constexpr size_t kSrcPortOffset = 0;
  static constexpr size_t kDstPortOffset = 2;
  static constexpr size_t kSeqOffset = 4;
  static constexpr size_t kAckOffset = 8;
  static constexpr size_t kDataOffsetOffset = 12;  // high nibble: header length in 32-bit words
  static constexpr size_t kFlagsOffset = 13;
  static constexpr size_t kWindowOffset = 14;
  static constexpr size_t kChecksumOffset = 16;
  static constexpr size_t kUrgentOffset = 18;
  static constexpr size_t kMinHeaderLen = 20;
  static constexpr size_t kMaxHeaderLen = 60;  // Data Offset is 4 bits of 32-bit words
  static constexpr size_t kMaxOptionsLen = kMaxHeaderLen - kMinHeaderLen;
  static_assert(kUrgentOffset + 2 == kMinHeaderLen);

  // The whole IP payload: a Data Offset of at least 5 words whose header fits.
  // Options are not looked at here (TcpOptions::parse does).
  static Result<TcpSegment> check(Bytes bytes);

  uint16_t src_port() const { return load_be16(bytes_.data() + kSrcPortOffset); }
  uint16_t dst_port() const { return load_be16(bytes_.data() + kDstPortOffset); }
  uint32_t seq() const { return load_be32(bytes_.data() + kSeqOffset); }
  uint32_t ack() const { return load_be32(bytes_.data() + kAckOffset); }
  size_t header_len() const { return static_cast<size_t>(bytes_[kDataOffsetOffset] >> 4) * 4; }
  uint8_t flags() const { return bytes_[kFlagsOffset]; }
  uint16_t window() const { return load_be16(bytes_.data() + kWindowOffset); }
  uint16_t checksum() const { return load_be16(bytes_.data() + kChecksumOffset); }
  uint16_t urgent() const { return load_be16(bytes_.data() + kUrgentOffset); }
  Bytes options() const { return bytes_.subspan(kMinHeaderLen, header_len() - kMinHeaderLen); }
  Bytes payload() const { return bytes_.subspan(header_len()); }
  size_t length() const { return bytes_.size(); }

  // Over the pseudo header of the addresses' family (RFC 9293 3.1, RFC 8200
  // 8.1), the header and the payload. False for addresses of mixed families.
  bool verify_checksum(const IpAddress& src, const IpAddress& dst) const;

 private:
  explicit constexpr TcpSegment(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

struct TcpSackBlock {
  uint32_t left = 0;   // first sequence number of the block
  uint32_t right = 0;  // sequence number just past it
  constexpr bool operator==(const TcpSackBlock&) const = default;
};

// The options this stack understands; others are skipped on parse and never
// emitted. emit() writes them in the order Linux uses for a SYN (MSS, SACK-
// permitted, timestamps, window scale), padded with NOPs so each multi-byte
// option keeps its natural alignment, and the whole to a multiple of 4.
struct TcpOptions {
  // RFC 2018: a SACK option holds at most 4 blocks (3 beside timestamps).
  static constexpr size_t kMaxSackBlocks = 4;
  // RFC 7323 2.3: "If a Window Scale option is received with a shift.cnt value
  // larger than 14, the TCP SHOULD log the error but MUST use 14 instead".
  static constexpr uint8_t kMaxWindowShift = 14;

  bool has_mss = false;
  uint16_t mss = 0;
  bool has_window_scale = false;
  uint8_t window_shift = 0;  // as received; the user clamps it to kMaxWindowShift
  bool sack_permitted = false;
  bool has_timestamps = false;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  uint8_t sack_count = 0;
  TcpSackBlock sack[kMaxSackBlocks] = {};

  // Fails on an option whose length byte is below 2, runs past the area, or is
  // not its kind's fixed length (a SACK option: not 2 + 8n with 1 <= n <= 4).
  // Parsing stops at End; unknown kinds are skipped by their length.
  static Result<TcpOptions> parse(Bytes area);
  // Bytes emit() writes: a multiple of 4, at most kMaxOptionsLen when the
  // options fit (emit fails otherwise).
  size_t buffer_len() const;
  Result<size_t> emit(MutableBytes out) const;

  constexpr bool operator==(const TcpOptions&) const = default;
};

struct TcpRepr {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;  // the raw field (scaled by the receiver's shift, but in SYNs)
  uint16_t urgent = 0;
  TcpOptions options;
  size_t payload_len = 0;

  // Fails on a bad checksum or unparseable options.
  static Result<TcpRepr> parse(const TcpSegment& segment, const IpAddress& src,
                               const IpAddress& dst);
  size_t header_len() const { return TcpSegment::kMinHeaderLen + options.buffer_len(); }
  size_t buffer_len() const { return header_len() + payload_len; }
  // Writes the header into `out` and checksums it with the payload_len bytes of
  // payload the caller has already placed after header_len(). Tcp/BadAddress
  // for addresses of mixed families.
  Result<void> emit(MutableBytes out, const IpAddress& src, const IpAddress& dst) const;

  bool has(uint8_t flag) const { return (flags & flag) != 0; }
  // Sequence space the segment occupies: payload, plus one each for SYN and FIN.
  uint32_t seq_len() const {
    return static_cast<uint32_t>(payload_len) + (has(tcp_flags::kSyn) ? 1 : 0) +
           (has(tcp_flags::kFin) ? 1 : 0);
  }

  constexpr bool operator==(const TcpRepr&) const = default;
};

// Sequence-number comparisons modulo 2^32 (RFC 9293 3.4: "the comparison
// operators ... must be performed modulo 2**32"); correct while the two numbers
// are less than 2^31 apart.
constexpr int32_t seq_diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }
constexpr bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
constexpr bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }
constexpr bool seq_gt(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }
constexpr bool seq_ge(uint32_t a, uint32_t b) { return seq_diff(a, b) >= 0; }

}  // namespace mpxe::net
