#include "net/wire/ipv4.h"

#include "net/wire/checksum.h"

namespace mpxe::net {

Result<Ipv4Packet> Ipv4Packet::check_header(Bytes bytes) {
  if (bytes.size() < kMinHeaderLen) return Error(Layer::Ipv4, Errc::Truncated);
  Ipv4Packet packet(bytes);
  if (packet.version() != 4) return Error(Layer::Ipv4, Errc::BadVersion);
  // "Internet Header Length ... the minimum value for a correct header is 5."
  if (packet.header_len() < kMinHeaderLen) return Error(Layer::Ipv4, Errc::BadLength);
  if (packet.header_len() > bytes.size()) return Error(Layer::Ipv4, Errc::Truncated);
  if (packet.total_len() < packet.header_len()) return Error(Layer::Ipv4, Errc::BadLength);
  return packet;
}

Result<Ipv4Packet> Ipv4Packet::check(Bytes bytes) {
  Result<Ipv4Packet> header = check_header(bytes);
  if (!header) return header;
  size_t total = header.value().total_len();
  if (total > bytes.size()) return Error(Layer::Ipv4, Errc::Truncated);
  return Ipv4Packet(bytes.first(total));
}

Result<Ipv4Packet> Ipv4Packet::check_quoted(Bytes bytes) {
  Result<Ipv4Packet> header = check_header(bytes);
  if (!header) return header;
  return Ipv4Packet(bytes.first(header.value().total_len()));
}

bool Ipv4Packet::verify_checksum() const { return internet_checksum(header()) == 0; }

Result<Ipv4Repr> Ipv4Repr::parse(const Ipv4Packet& packet) {
  if (!packet.verify_checksum()) return Error(Layer::Ipv4, Errc::BadChecksum);
  return parse_quoted(packet);
}

Ipv4Repr Ipv4Repr::parse_quoted(const Ipv4Packet& packet) {
  Ipv4Repr repr;
  repr.src = packet.src();
  repr.dst = packet.dst();
  repr.protocol = packet.protocol();
  repr.payload_len = static_cast<uint16_t>(packet.total_len() - packet.header_len());
  repr.ttl = packet.ttl();
  repr.dscp_ecn = packet.dscp_ecn();
  repr.ident = packet.ident();
  repr.dont_fragment = packet.dont_fragment();
  repr.more_fragments = packet.more_fragments();
  repr.fragment_offset = packet.fragment_offset();
  return repr;
}

Result<void> Ipv4Repr::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return Error(Layer::Ipv4, Errc::NoSpace);
  if (payload_len > 0xFFFF - buffer_len()) return Error(Layer::Ipv4, Errc::BadLength);
  if (fragment_offset % 8 != 0 || fragment_offset / 8 > Ipv4Packet::kFragmentOffsetMask)
    return Error(Layer::Ipv4, Errc::BadValue);
  uint8_t* p = out.data();
  p[Ipv4Packet::kVersionIhlOffset] = 0x40 | (buffer_len() / 4);
  p[Ipv4Packet::kDscpEcnOffset] = dscp_ecn;
  store_be16(p + Ipv4Packet::kTotalLenOffset, static_cast<uint16_t>(buffer_len() + payload_len));
  store_be16(p + Ipv4Packet::kIdentOffset, ident);
  uint16_t flags_fragment = static_cast<uint16_t>(fragment_offset / 8);
  if (dont_fragment) flags_fragment |= Ipv4Packet::kFlagDontFragment;
  if (more_fragments) flags_fragment |= Ipv4Packet::kFlagMoreFragments;
  store_be16(p + Ipv4Packet::kFlagsFragmentOffset, flags_fragment);
  p[Ipv4Packet::kTtlOffset] = ttl;
  p[Ipv4Packet::kProtocolOffset] = protocol;
  store_be16(p + Ipv4Packet::kChecksumOffset, 0);
  src.write(p + Ipv4Packet::kSrcOffset);
  dst.write(p + Ipv4Packet::kDstOffset);
  store_be16(p + Ipv4Packet::kChecksumOffset, internet_checksum(Bytes(p, buffer_len())));
  return {};
}

}  // namespace mpxe::net
