// DNS messages (RFC 1035) as a stub resolver needs them: the header, a query for
// one name, and the A, AAAA (RFC 3596) and CNAME records of a response. Names may be compressed;
// every pointer must point backwards, so reading a name always ends.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/result.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"

namespace mpxe::net {

inline constexpr uint16_t kDnsServerPort = 53;

enum class DnsType : uint16_t {
  A = 1,
  Ns = 2,
  Cname = 5,
  Soa = 6,
  Ptr = 12,
  Mx = 15,
  Txt = 16,
  Aaaa = 28,
};

inline constexpr uint16_t kDnsClassIn = 1;

enum class DnsRcode : uint8_t {
  NoError = 0,
  FormatError = 1,
  ServerFailure = 2,
  NameError = 3,  // NXDOMAIN
  NotImplemented = 4,
  Refused = 5,
};

// A name in uncompressed wire form: length-prefixed labels ending with the root's
// zero length. RFC 1035 2.3.4: "labels 63 octets or less", "names 255 octets or
// less" (this form, root included).
class DnsName {
 public:
  static constexpr size_t kMaxLen = 255;
  static constexpr size_t kMaxLabelLen = 63;

  // "www.example.com" or "www.example.com." (BadName for empty labels or "";
  // NameTooLong past the limits above).
  static Result<DnsName> from_text(Bytes dotted);
  // Reads the name at `offset` of a whole message, following compression pointers.
  // `end` (when given) gets the offset just past the name where it sits.
  static Result<DnsName> read(Bytes message, size_t offset, size_t* end = nullptr);

  Bytes wire() const { return Bytes(wire_, len_); }
  // "www.example.com" (no trailing dot); returns the full length, NUL-terminates
  // when capacity > 0.
  size_t format(char* out, size_t capacity) const;
  // DNS names compare without regard to ASCII case (RFC 1035 2.3.3).
  bool operator==(const DnsName& other) const;

 private:
  uint8_t wire_[kMaxLen] = {};
  uint8_t len_ = 0;
};
static_assert(sizeof(DnsName) == DnsName::kMaxLen + 1);

class DnsPacket {
 public:
  static constexpr size_t kIdOffset = 0;
  static constexpr size_t kFlagsOffset = 2;
  static constexpr size_t kQdcountOffset = 4;
  static constexpr size_t kAncountOffset = 6;
  static constexpr size_t kNscountOffset = 8;
  static constexpr size_t kArcountOffset = 10;
  static constexpr size_t kHeaderLen = 12;
  static_assert(kArcountOffset + 2 == kHeaderLen);

  static constexpr uint16_t kFlagResponse = 0x8000;       // QR
  static constexpr uint16_t kOpcodeMask = 0x7800;         // 0: standard query
  static constexpr uint16_t kFlagAuthoritative = 0x0400;  // AA
  static constexpr uint16_t kFlagTruncated = 0x0200;      // TC
  static constexpr uint16_t kFlagRecursionDesired = 0x0100;
  static constexpr uint16_t kFlagRecursionAvailable = 0x0080;
  static constexpr uint16_t kRcodeMask = 0x000F;
  // The largest message over UDP without EDNS: "Messages carried by UDP are
  // restricted to 512 bytes".
  static constexpr size_t kMaxUdpLen = 512;

  static Result<DnsPacket> check(Bytes bytes);

  uint16_t id() const { return load_be16(bytes_.data() + kIdOffset); }
  uint16_t flags() const { return load_be16(bytes_.data() + kFlagsOffset); }
  bool is_response() const { return (flags() & kFlagResponse) != 0; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags() & kOpcodeMask) >> 11); }
  bool truncated() const { return (flags() & kFlagTruncated) != 0; }
  uint8_t rcode() const { return static_cast<uint8_t>(flags() & kRcodeMask); }
  uint16_t qdcount() const { return load_be16(bytes_.data() + kQdcountOffset); }
  uint16_t ancount() const { return load_be16(bytes_.data() + kAncountOffset); }
  uint16_t nscount() const { return load_be16(bytes_.data() + kNscountOffset); }
  uint16_t arcount() const { return load_be16(bytes_.data() + kArcountOffset); }
  // The whole message: names point into it from anywhere.
  Bytes bytes() const { return bytes_; }

 private:
  explicit constexpr DnsPacket(Bytes bytes) : bytes_(bytes) {}
  Bytes bytes_;
};

// A standard query with one question, as a stub resolver sends it.
struct DnsQueryRepr {
  uint16_t id = 0;
  DnsName name;
  DnsType type = DnsType::A;
  bool recursion_desired = true;

  // Fails unless the message is a standard query (BadValue for QR set, Unsupported
  // for another opcode or question count) with a well-formed question.
  static Result<DnsQueryRepr> parse(const DnsPacket& packet);
  size_t buffer_len() const;
  Result<void> emit(MutableBytes out) const;

  bool operator==(const DnsQueryRepr& other) const;
};

struct DnsARecord {
  uint16_t name_offset = 0;  // where the owner name is: read it with DnsName::read
  uint32_t ttl = 0;
  Ipv4Address address;
};

// RFC 3596 2.2: "a 128 bit IPv6 address is encoded in the data portion of an
// AAAA resource record in network byte order".
struct DnsAaaaRecord {
  uint16_t name_offset = 0;
  uint32_t ttl = 0;
  Ipv6Address address;
};

struct DnsCnameRecord {
  uint16_t name_offset = 0;
  uint16_t target_offset = 0;  // the canonical name, inside the record's RDATA
  uint32_t ttl = 0;
};

// What a response says about one question: its A, AAAA and CNAME answers. Other record
// types are stepped over (their names checked too); authority and additional
// sections are not read.
struct DnsResponse {
  static constexpr size_t kMaxA = 8;
  static constexpr size_t kMaxAaaa = 8;
  static constexpr size_t kMaxCname = 4;

  Bytes message;  // what the offsets below point into
  uint16_t id = 0;
  uint16_t flags = 0;
  DnsRcode rcode = DnsRcode::NoError;
  bool truncated = false;       // TC: the answer did not fit in UDP
  bool has_question = false;
  uint16_t question_offset = 0;
  DnsType question_type = DnsType::A;
  uint16_t question_class = kDnsClassIn;
  DnsARecord a[kMaxA];
  uint8_t a_count = 0;          // past kMaxA, further A records are dropped
  DnsAaaaRecord aaaa[kMaxAaaa];
  uint8_t aaaa_count = 0;       // past kMaxAaaa, further AAAA records are dropped
  DnsCnameRecord cname[kMaxCname];
  uint8_t cname_count = 0;
  uint16_t answer_count = 0;    // all records of the answer section

  // Fails unless the message is a response to a standard query (BadValue,
  // Unsupported) whose question and answers are well formed: names within bounds
  // and pointers backwards (BadPointer, TooManyPointers), records within the
  // message (Truncated), an A record's RDATA 4 bytes, an AAAA record's 16, and a CNAME's RDATA exactly
  // its name (BadLength). A message with TC set may end mid-answer: the records
  // before the cut are kept.
  static Result<DnsResponse> parse(const DnsPacket& packet);

  // The addresses `name` resolves to in this response, following CNAMEs (at most
  // kMaxCname of them): fills up to `capacity` entries and returns their number.
  // `ttl` gets the smallest TTL along the chain when anything is found;
  // `canonical` (when given) the name the chain ends at, found or not (`name`
  // itself when no CNAME applies).
  size_t addresses_for(const DnsName& name, Ipv4Address* out, size_t capacity,
                       uint32_t* ttl, DnsName* canonical = nullptr) const;
  // The same for the AAAA records.
  size_t addresses_for(const DnsName& name, Ipv6Address* out, size_t capacity,
                       uint32_t* ttl, DnsName* canonical = nullptr) const;

 private:
  // Where `name`'s CNAME chain in the answer ends; lowers *min_ttl to each link's.
  DnsName follow_aliases(const DnsName& name, uint32_t* min_ttl) const;
};

}  // namespace mpxe::net
