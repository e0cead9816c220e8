// Multicast Listener Discovery: MLDv2 (RFC 3810) queries and reports, and the
// MLDv1 (RFC 2710) forms a host still meets (a v1 query; the v1 report it must
// answer one with). All are ICMPv6 messages, checksummed over the IPv6 pseudo
// header, so parse and emit take the addresses around them.
//
// What we send leaves with hop limit 1 behind a hop-by-hop header holding the
// Router Alert option (RFC 2711, value 0 "MLD"), from a link-local address or ::
// while none is usable (RFC 3810 5.2.13), as the Linux kernel sends it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/result.h"
#include "net/wire/ipv6.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

// RFC 3810 5: "All MLDv2 messages described in this document MUST be sent with
// a link-local IPv6 Source Address, an IPv6 Hop Limit of 1".
inline constexpr uint8_t kMldHopLimit = 1;
// RFC 3810 5.2.14: ff02::16, where MLDv2 reports go.
inline constexpr Ipv6Address kMldv2Routers = Ipv6Address::of(0xff02, 0, 0, 0, 0, 0, 0, 0x16);

// RFC 3810 6: groups of scope 0 (reserved) and 1 (interface-local) are never
// reported, and neither is the link-scope all-nodes group ff02::1.
constexpr bool mld_reportable(const Ipv6Address& group) {
  return group.is_multicast() && (group.octets[1] & 0x0F) > 1 && !(group == Ipv6Address::all_nodes());
}

// The 8-byte hop-by-hop header carrying the Router Alert option for MLD: next
// header, length 0, option 5 (length 2, value 0), then PadN of length 0.
inline constexpr size_t kRouterAlertHeaderLen = 8;
// Writes it with `next_header` (58 for MLD). Icmpv6/NoSpace when `out` is short.
Result<void> emit_router_alert_header(MutableBytes out, uint8_t next_header);

// A query (type 130), either form. RFC 3810 8.1: 24 bytes is MLDv1, 28 and more
// (with room for its sources) MLDv2; any other length is not a query.
struct MldQuery {
  static constexpr size_t kV1Len = 24;
  static constexpr size_t kV2HeaderLen = 28;

  bool v2 = false;
  // In milliseconds (the v2 Maximum Response Code decoded, RFC 3810 5.1.3).
  Millis max_response_delay = 0;
  Ipv6Address group;  // :: for a General Query
  // v2 only:
  bool suppress_router_processing = false;  // S flag
  uint8_t robustness = 0;                   // QRV, 0: unspecified
  uint8_t qqic = 0;                         // Querier's Query Interval Code
  uint16_t source_count = 0;
  Bytes sources;  // source_count addresses of 16 bytes

  bool general() const { return group.is_unspecified(); }
  // Type 130, a length of one of the two forms, the checksum right; a group
  // that is neither :: nor multicast is BadAddress.
  static Result<MldQuery> parse(Bytes message, const Ipv6Address& src, const Ipv6Address& dst);
  // RFC 3810 5.1.3: below 32768 the code is the delay; above, a floating point
  // form (exp 3 bits, mant 12 bits): (mant | 0x1000) << (exp + 3).
  static constexpr Millis decode_max_response_code(uint16_t code) {
    if (code < 0x8000) return code;
    uint32_t exp = (code >> 12) & 7;
    uint32_t mant = code & 0x0FFF;
    return Millis{mant | 0x1000} << (exp + 3);
  }
};

// Multicast address record types (RFC 3810 5.2.12).
enum class MldRecordType : uint8_t {
  ModeIsInclude = 1,
  ModeIsExclude = 2,
  ChangeToInclude = 3,
  ChangeToExclude = 4,
  AllowNewSources = 5,
  BlockOldSources = 6,
};

// One record as a host that listens to every source sends it: no sources, no
// auxiliary data (EXCLUDE of nothing is "all sources").
struct MldRecord {
  MldRecordType type = MldRecordType::ModeIsExclude;
  Ipv6Address group;
  constexpr bool operator==(const MldRecord&) const = default;
};

// An MLDv2 report (type 143): an 8-byte header, then records of 20 bytes plus
// 16 per source plus the auxiliary data.
class Mldv2Report {
 public:
  static constexpr size_t kHeaderLen = 8;
  static constexpr size_t kRecordHeaderLen = 20;
  static constexpr size_t kCountOffset = 6;

  // Type 143, the checksum right, and every record the count announces inside
  // the message (bytes after the last one are ignored).
  static Result<Mldv2Report> check(Bytes message, const Ipv6Address& src, const Ipv6Address& dst);
  uint16_t record_count() const { return load_be16(bytes_.data() + kCountOffset); }

  // Walks the records in order.
  struct Entry {
    uint8_t type = 0;
    Ipv6Address group;
    uint16_t source_count = 0;
    Bytes sources;
    Bytes aux;
  };
  class Reader {
   public:
    bool next(Entry& out);

   private:
    friend class Mldv2Report;
    Reader(Bytes rest, uint16_t left) : rest_(rest), left_(left) {}
    Bytes rest_;
    uint16_t left_;
  };
  Reader records() const { return Reader(bytes_.subspan(kHeaderLen), record_count()); }

  static constexpr size_t buffer_len(size_t records) { return kHeaderLen + records * kRecordHeaderLen; }
  // The report of `records` (each with no sources), checksummed for `src` and `dst`.
  static Result<void> emit(MutableBytes out, Span<const MldRecord> records, const Ipv6Address& src,
                           const Ipv6Address& dst);

 private:
  explicit Mldv2Report(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// An MLDv1 report (type 131, RFC 2710 3): 24 bytes naming one group, sent to
// that group.
struct Mldv1Report {
  static constexpr size_t kLen = 24;
  static Result<void> emit(MutableBytes out, const Ipv6Address& group, const Ipv6Address& src);
};

}  // namespace mpxe::net
