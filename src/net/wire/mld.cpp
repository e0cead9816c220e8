#include "net/wire/mld.h"

#include "net/wire/icmpv6.h"

namespace mpxe::net {

namespace {

constexpr uint8_t kRouterAlertOption = 5;  // RFC 2711 2.1
constexpr uint8_t kPadN = 1;               // RFC 8200 4.2
constexpr size_t kGroupOffset = 8;         // queries and v1 reports: the multicast address
constexpr size_t kMaxResponseOffset = 4;

}  // namespace

Result<void> emit_router_alert_header(MutableBytes out, uint8_t next_header) {
  if (out.size() < kRouterAlertHeaderLen) return Error(Layer::Icmpv6, Errc::NoSpace);
  const uint8_t header[kRouterAlertHeaderLen] = {next_header, 0, kRouterAlertOption, 2, 0, 0, kPadN, 0};
  for (size_t i = 0; i < kRouterAlertHeaderLen; ++i) out[i] = header[i];
  return {};
}

Result<MldQuery> MldQuery::parse(Bytes message, const Ipv6Address& src, const Ipv6Address& dst) {
  if (message.size() < kV1Len) return Error(Layer::Icmpv6, Errc::Truncated);
  if (message[0] != static_cast<uint8_t>(Icmpv6Type::MldQuery))
    return Error(Layer::Icmpv6, Errc::BadOpcode);
  MldQuery query;
  if (message.size() >= kV2HeaderLen) {
    query.v2 = true;
    query.source_count = load_be16(message.data() + 26);
    if (message.size() - kV2HeaderLen < size_t{query.source_count} * Ipv6Address::kSize)
      return Error(Layer::Icmpv6, Errc::Truncated);
  } else if (message.size() != kV1Len) {
    // RFC 3810 8.1: "(e.g., a Query of length 26 octets) MUST be silently ignored".
    return Error(Layer::Icmpv6, Errc::BadLength);
  }
  if (icmpv6_checksum(src, dst, message) != load_be16(message.data() + Icmpv6Packet::kChecksumOffset))
    return Error(Layer::Icmpv6, Errc::BadChecksum);
  uint16_t code = load_be16(message.data() + kMaxResponseOffset);
  query.max_response_delay = query.v2 ? decode_max_response_code(code) : code;
  query.group = Ipv6Address::from_bytes(message.data() + kGroupOffset);
  if (!query.group.is_unspecified() && !query.group.is_multicast())
    return Error(Layer::Icmpv6, Errc::BadAddress);
  if (query.v2) {
    uint8_t flags = message[24];
    query.suppress_router_processing = (flags & 0x08) != 0;
    query.robustness = flags & 0x07;
    query.qqic = message[25];
    query.sources = message.subspan(kV2HeaderLen, size_t{query.source_count} * Ipv6Address::kSize);
  }
  return query;
}

Result<Mldv2Report> Mldv2Report::check(Bytes message, const Ipv6Address& src,
                                       const Ipv6Address& dst) {
  if (message.size() < kHeaderLen) return Error(Layer::Icmpv6, Errc::Truncated);
  if (message[0] != static_cast<uint8_t>(Icmpv6Type::Mldv2Report))
    return Error(Layer::Icmpv6, Errc::BadOpcode);
  Mldv2Report report(message);
  // Every record must fit: the reader below then never comes up short.
  Bytes rest = message.subspan(kHeaderLen);
  for (uint16_t i = 0; i < report.record_count(); ++i) {
    if (rest.size() < kRecordHeaderLen) return Error(Layer::Icmpv6, Errc::Truncated);
    size_t len = kRecordHeaderLen + size_t{rest[1]} * 4 +
                 size_t{load_be16(rest.data() + 2)} * Ipv6Address::kSize;
    if (rest.size() < len) return Error(Layer::Icmpv6, Errc::Truncated);
    rest = rest.subspan(len);
  }
  if (icmpv6_checksum(src, dst, message) != load_be16(message.data() + Icmpv6Packet::kChecksumOffset))
    return Error(Layer::Icmpv6, Errc::BadChecksum);
  return report;
}

bool Mldv2Report::Reader::next(Entry& out) {
  if (left_ == 0 || rest_.size() < kRecordHeaderLen) return false;
  out.type = rest_[0];
  size_t aux_len = size_t{rest_[1]} * 4;  // in 32-bit words
  out.source_count = load_be16(rest_.data() + 2);
  out.group = Ipv6Address::from_bytes(rest_.data() + 4);
  size_t sources_len = size_t{out.source_count} * Ipv6Address::kSize;
  out.sources = rest_.subspan(kRecordHeaderLen, sources_len);
  out.aux = rest_.subspan(kRecordHeaderLen + sources_len, aux_len);
  rest_ = rest_.subspan(kRecordHeaderLen + sources_len + aux_len);
  --left_;
  return true;
}

Result<void> Mldv2Report::emit(MutableBytes out, Span<const MldRecord> records,
                               const Ipv6Address& src, const Ipv6Address& dst) {
  size_t len = buffer_len(records.size());
  if (records.size() > 0xFFFF) return Error(Layer::Icmpv6, Errc::BadValue);
  if (out.size() < len) return Error(Layer::Icmpv6, Errc::NoSpace);
  uint8_t* p = out.data();
  for (size_t i = 0; i < kHeaderLen; ++i) p[i] = 0;
  p[0] = static_cast<uint8_t>(Icmpv6Type::Mldv2Report);
  store_be16(p + kCountOffset, static_cast<uint16_t>(records.size()));
  for (size_t i = 0; i < records.size(); ++i) {
    uint8_t* r = p + kHeaderLen + i * kRecordHeaderLen;
    r[0] = static_cast<uint8_t>(records[i].type);
    r[1] = 0;  // no auxiliary data
    store_be16(r + 2, 0);  // no sources
    records[i].group.write(r + 4);
  }
  store_be16(p + Icmpv6Packet::kChecksumOffset, icmpv6_checksum(src, dst, Bytes(p, len)));
  return {};
}

Result<void> Mldv1Report::emit(MutableBytes out, const Ipv6Address& group, const Ipv6Address& src) {
  if (out.size() < kLen) return Error(Layer::Icmpv6, Errc::NoSpace);
  uint8_t* p = out.data();
  for (size_t i = 0; i < kLen; ++i) p[i] = 0;
  p[0] = static_cast<uint8_t>(Icmpv6Type::MldReport);
  group.write(p + kGroupOffset);
  // RFC 2710 3.6: sent to the group it reports.
  store_be16(p + Icmpv6Packet::kChecksumOffset, icmpv6_checksum(src, group, Bytes(p, kLen)));
  return {};
}

}  // namespace mpxe::net
