#include "net/wire/dns.h"

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

Error dns_error(Errc reason) { return Error(Layer::Dns, reason); }

// "The first two bits are ones. This allows a pointer to be distinguished from a
// label, since the label must begin with two zero bits" (RFC 1035 4.1.4).
constexpr uint8_t kPointerBits = 0xC0;
// Far more jumps than any real name takes; the backwards rule already bounds
// them, this bounds the work a hostile message can cause.
constexpr unsigned kMaxPointers = 64;
// RFC 2181 8: "implementations should treat TTL values received with the most
// significant bit set as if the entire value received was zero."
uint32_t sane_ttl(uint32_t ttl) { return (ttl & 0x80000000u) ? 0 : ttl; }

constexpr size_t kQuestionTail = 4;  // QTYPE, QCLASS
constexpr size_t kRecordTail = 10;   // TYPE, CLASS, TTL, RDLENGTH

}  // namespace

Result<DnsName> DnsName::from_text(Bytes dotted) {
  if (!dotted.empty() && dotted[dotted.size() - 1] == '.') dotted = dotted.first(dotted.size() - 1);
  if (dotted.empty()) return dns_error(Errc::BadName);
  DnsName name;
  size_t len = 0;
  size_t start = 0;
  for (size_t i = 0; i <= dotted.size(); ++i) {
    if (i < dotted.size() && dotted[i] != '.') continue;
    size_t label = i - start;
    if (label == 0) return dns_error(Errc::BadName);
    if (label > kMaxLabelLen || len + 1 + label + 1 > kMaxLen) return dns_error(Errc::NameTooLong);
    name.wire_[len++] = static_cast<uint8_t>(label);
    copy_bytes(MutableBytes(name.wire_ + len, label), dotted.subspan(start, label));
    len += label;
    start = i + 1;
  }
  name.wire_[len++] = 0;
  name.len_ = static_cast<uint8_t>(len);
  return name;
}

Result<DnsName> DnsName::read(Bytes message, size_t offset, size_t* end) {
  DnsName name;
  size_t len = 0;
  size_t pos = offset;
  // A pointer must land below where the labels being read began: "a pointer to a
  // prior occurance of the same name". Each jump lowers this floor, so no chain of
  // pointers can loop.
  size_t floor = offset;
  size_t in_place_end = 0;
  bool jumped = false;
  unsigned jumps = 0;
  for (;;) {
    if (pos >= message.size()) return dns_error(Errc::Truncated);
    uint8_t label = message[pos];
    if ((label & kPointerBits) == kPointerBits) {
      if (message.size() - pos < 2) return dns_error(Errc::Truncated);
      size_t target = (size_t{label & 0x3Fu} << 8) | message[pos + 1];
      if (!jumped) in_place_end = pos + 2;
      jumped = true;
      if (target >= floor) return dns_error(Errc::BadPointer);
      if (++jumps > kMaxPointers) return dns_error(Errc::TooManyPointers);
      floor = target;
      pos = target;
      continue;
    }
    // 01 and 10 prefixes: extended label types (RFC 6891 deprecated them).
    if ((label & kPointerBits) != 0) return dns_error(Errc::Unsupported);
    if (label == 0) {
      name.wire_[len++] = 0;
      if (!jumped) in_place_end = pos + 1;
      break;
    }
    if (message.size() - pos - 1 < label) return dns_error(Errc::Truncated);
    if (len + 1 + label + 1 > kMaxLen) return dns_error(Errc::NameTooLong);
    copy_bytes(MutableBytes(name.wire_ + len, 1 + size_t{label}), message.subspan(pos, 1 + label));
    len += 1 + size_t{label};
    pos += 1 + size_t{label};
  }
  name.len_ = static_cast<uint8_t>(len);
  if (end != nullptr) *end = in_place_end;
  return name;
}

size_t DnsName::format(char* out, size_t capacity) const {
  size_t n = 0;
  auto put = [&](char c) {
    if (n + 1 < capacity) out[n] = c;
    ++n;
  };
  size_t pos = 0;
  while (pos < len_ && wire_[pos] != 0) {
    if (pos != 0) put('.');
    size_t label = wire_[pos];
    for (size_t i = 1; i <= label && pos + i < len_; ++i) put(static_cast<char>(wire_[pos + i]));
    pos += 1 + label;
  }
  if (capacity > 0) out[n < capacity ? n : capacity - 1] = '\0';
  return n;
}

bool DnsName::operator==(const DnsName& other) const {
  // Length octets are at most 63, below 'A', so folding them changes nothing.
  return bytes_equal_nocase(wire(), other.wire());
}

Result<DnsPacket> DnsPacket::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return dns_error(Errc::Truncated);
  return DnsPacket(bytes);
}

Result<DnsQueryRepr> DnsQueryRepr::parse(const DnsPacket& packet) {
  if (packet.is_response()) return dns_error(Errc::BadValue);
  if (packet.opcode() != 0 || packet.qdcount() != 1) return dns_error(Errc::Unsupported);
  Bytes message = packet.bytes();
  size_t end = 0;
  Result<DnsName> name = DnsName::read(message, DnsPacket::kHeaderLen, &end);
  if (!name) return name.error();
  if (message.size() - end < kQuestionTail) return dns_error(Errc::Truncated);
  if (load_be16(message.data() + end + 2) != kDnsClassIn) return dns_error(Errc::Unsupported);
  DnsQueryRepr repr;
  repr.id = packet.id();
  repr.name = name.value();
  repr.type = static_cast<DnsType>(load_be16(message.data() + end));
  repr.recursion_desired = (packet.flags() & DnsPacket::kFlagRecursionDesired) != 0;
  return repr;
}

size_t DnsQueryRepr::buffer_len() const {
  return DnsPacket::kHeaderLen + name.wire().size() + kQuestionTail;
}

Result<void> DnsQueryRepr::emit(MutableBytes out) const {
  if (name.wire().empty()) return dns_error(Errc::BadName);
  if (out.size() < buffer_len()) return dns_error(Errc::NoSpace);
  uint8_t* p = out.data();
  store_be16(p + DnsPacket::kIdOffset, id);
  store_be16(p + DnsPacket::kFlagsOffset,
             recursion_desired ? DnsPacket::kFlagRecursionDesired : uint16_t{0});
  store_be16(p + DnsPacket::kQdcountOffset, 1);
  store_be16(p + DnsPacket::kAncountOffset, 0);
  store_be16(p + DnsPacket::kNscountOffset, 0);
  store_be16(p + DnsPacket::kArcountOffset, 0);
  size_t pos = DnsPacket::kHeaderLen;
  pos += copy_bytes(out.subspan(pos, name.wire().size()), name.wire());
  store_be16(p + pos, static_cast<uint16_t>(type));
  store_be16(p + pos + 2, kDnsClassIn);
  return {};
}

bool DnsQueryRepr::operator==(const DnsQueryRepr& other) const {
  return id == other.id && name == other.name && type == other.type &&
         recursion_desired == other.recursion_desired;
}

Result<DnsResponse> DnsResponse::parse(const DnsPacket& packet) {
  if (!packet.is_response()) return dns_error(Errc::BadValue);
  if (packet.opcode() != 0 || packet.qdcount() > 1) return dns_error(Errc::Unsupported);
  Bytes message = packet.bytes();
  DnsResponse response;
  response.message = message;
  response.id = packet.id();
  response.flags = packet.flags();
  response.rcode = static_cast<DnsRcode>(packet.rcode());
  response.truncated = packet.truncated();

  size_t pos = DnsPacket::kHeaderLen;
  if (packet.qdcount() == 1) {
    size_t end = 0;
    Result<DnsName> name = DnsName::read(message, pos, &end);
    if (!name) return name.error();
    if (message.size() - end < kQuestionTail) return dns_error(Errc::Truncated);
    response.has_question = true;
    response.question_offset = static_cast<uint16_t>(pos);
    response.question_type = static_cast<DnsType>(load_be16(message.data() + end));
    response.question_class = load_be16(message.data() + end + 2);
    pos = end + kQuestionTail;
  }

  for (uint16_t i = 0; i < packet.ancount(); ++i) {
    size_t end = 0;
    Result<DnsName> owner = DnsName::read(message, pos, &end);
    if (owner && message.size() - end < kRecordTail) owner = dns_error(Errc::Truncated);
    size_t rdata = end + kRecordTail;
    size_t rdlength = owner ? load_be16(message.data() + end + 8) : 0;
    if (owner && message.size() - rdata < rdlength) owner = dns_error(Errc::Truncated);
    if (!owner) {
      // "TC ... this message was truncated": keep what arrived whole.
      if (response.truncated && owner.error().reason() == Errc::Truncated) break;
      return owner.error();
    }
    uint16_t type = load_be16(message.data() + end);
    uint16_t rclass = load_be16(message.data() + end + 2);
    uint32_t ttl = sane_ttl(load_be32(message.data() + end + 4));
    if (rclass == kDnsClassIn && type == static_cast<uint16_t>(DnsType::A)) {
      if (rdlength != Ipv4Address::kSize) return dns_error(Errc::BadLength);
      if (response.a_count < kMaxA)
        response.a[response.a_count++] = {static_cast<uint16_t>(pos), ttl,
                                          Ipv4Address::from_bytes(message.data() + rdata)};
    } else if (rclass == kDnsClassIn && type == static_cast<uint16_t>(DnsType::Aaaa)) {
      if (rdlength != Ipv6Address::kSize) return dns_error(Errc::BadLength);
      if (response.aaaa_count < kMaxAaaa)
        response.aaaa[response.aaaa_count++] = {static_cast<uint16_t>(pos), ttl,
                                                Ipv6Address::from_bytes(message.data() + rdata)};
    } else if (rclass == kDnsClassIn && type == static_cast<uint16_t>(DnsType::Cname)) {
      size_t target_end = 0;
      Result<DnsName> target = DnsName::read(message.first(rdata + rdlength), rdata, &target_end);
      if (!target) return target.error();
      if (target_end != rdata + rdlength) return dns_error(Errc::BadLength);
      if (response.cname_count < kMaxCname)
        response.cname[response.cname_count++] = {static_cast<uint16_t>(pos),
                                                  static_cast<uint16_t>(rdata), ttl};
    }
    ++response.answer_count;
    pos = rdata + rdlength;
  }
  return response;
}

DnsName DnsResponse::follow_aliases(const DnsName& name, uint32_t* min_ttl) const {
  DnsName current = name;
  // "If a CNAME RR is present at a node, no other data should be present" (RFC
  // 1034 3.6.2): follow the aliases first, then collect the addresses.
  for (size_t hop = 0; hop < kMaxCname; ++hop) {
    bool followed = false;
    for (size_t i = 0; i < cname_count && !followed; ++i) {
      Result<DnsName> owner = DnsName::read(message, cname[i].name_offset);
      if (!owner || !(owner.value() == current)) continue;
      Result<DnsName> target = DnsName::read(message, cname[i].target_offset);
      if (!target) continue;
      current = target.value();
      if (cname[i].ttl < *min_ttl) *min_ttl = cname[i].ttl;
      followed = true;
    }
    if (!followed) break;
  }
  return current;
}

namespace {

// The records of `records` [0, count) owned by `owner`, into out.
template <typename Record, typename Address>
size_t collect(Bytes message, const DnsName& owner, const Record* records, size_t count,
               Address* out, size_t capacity, uint32_t* min_ttl) {
  size_t found = 0;
  for (size_t i = 0; i < count && found < capacity; ++i) {
    Result<DnsName> name = DnsName::read(message, records[i].name_offset);
    if (!name || !(name.value() == owner)) continue;
    out[found++] = records[i].address;
    if (records[i].ttl < *min_ttl) *min_ttl = records[i].ttl;
  }
  return found;
}

}  // namespace

size_t DnsResponse::addresses_for(const DnsName& name, Ipv4Address* out, size_t capacity,
                                  uint32_t* ttl, DnsName* canonical) const {
  uint32_t min_ttl = 0xFFFFFFFF;
  DnsName current = follow_aliases(name, &min_ttl);
  size_t count = collect(message, current, a, a_count, out, capacity, &min_ttl);
  if (count > 0 && ttl != nullptr) *ttl = min_ttl;
  if (canonical != nullptr) *canonical = current;
  return count;
}

size_t DnsResponse::addresses_for(const DnsName& name, Ipv6Address* out, size_t capacity,
                                  uint32_t* ttl, DnsName* canonical) const {
  uint32_t min_ttl = 0xFFFFFFFF;
  DnsName current = follow_aliases(name, &min_ttl);
  size_t count = collect(message, current, aaaa, aaaa_count, out, capacity, &min_ttl);
  if (count > 0 && ttl != nullptr) *ttl = min_ttl;
  if (canonical != nullptr) *canonical = current;
  return count;
}

}  // namespace mpxe::net
