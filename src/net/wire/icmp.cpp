#include "net/wire/icmp.h"

#include "core/byte_ops.h"
#include "net/wire/checksum.h"

namespace mpxe::net {
namespace {

bool is_error_type(IcmpType type) {
  return type == IcmpType::DstUnreachable || type == IcmpType::TimeExceeded;
}

}  // namespace

Result<IcmpPacket> IcmpPacket::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Icmp, Errc::Truncated);
  return IcmpPacket(bytes);
}

bool IcmpPacket::verify_checksum() const { return internet_checksum(bytes_) == 0; }

Result<IcmpRepr> IcmpRepr::parse(const IcmpPacket& packet) {
  if (!packet.verify_checksum()) return Error(Layer::Icmp, Errc::BadChecksum);
  IcmpRepr repr;
  repr.type = static_cast<IcmpType>(packet.type());
  repr.code = packet.code();
  switch (repr.type) {
    case IcmpType::EchoRequest:
    case IcmpType::EchoReply:
      repr.ident = packet.ident();
      repr.seq_no = packet.seq_no();
      repr.data = packet.data();
      return repr;
    case IcmpType::DstUnreachable:
    case IcmpType::TimeExceeded: {
      if (repr.type == IcmpType::DstUnreachable &&
          repr.code == static_cast<uint8_t>(IcmpUnreachable::FragmentationNeeded))
        repr.next_hop_mtu = packet.next_hop_mtu();
      // The quoted header is judged as ICMP's problem: it is this message that is bad.
      Result<Ipv4Packet> quoted = Ipv4Packet::check_quoted(packet.data());
      if (!quoted) return Error(Layer::Icmp, quoted.error().reason());
      Bytes rest = packet.data().subspan(quoted.value().header_len());
      if (rest.size() < IcmpPacket::kQuotedDataMin) return Error(Layer::Icmp, Errc::Truncated);
      repr.quoted_header = Ipv4Repr::parse_quoted(quoted.value());
      repr.data = rest;
      return repr;
    }
  }
  return Error(Layer::Icmp, Errc::Unsupported);
}

size_t IcmpRepr::buffer_len() const {
  size_t len = IcmpPacket::kHeaderLen + data.size();
  if (is_error_type(type)) len += Ipv4Repr::buffer_len();
  return len;
}

Result<void> IcmpRepr::emit(MutableBytes out) const {
  size_t len = buffer_len();
  if (out.size() < len) return Error(Layer::Icmp, Errc::NoSpace);
  uint8_t* p = out.data();
  size_t data_offset = IcmpPacket::kHeaderLen;
  if (is_error_type(type)) data_offset += Ipv4Repr::buffer_len();
  // Data first: it may overlap the header being written when it came from `out`.
  copy_bytes(out.subspan(data_offset, data.size()), data);
  p[IcmpPacket::kTypeOffset] = static_cast<uint8_t>(type);
  p[IcmpPacket::kCodeOffset] = code;
  store_be16(p + IcmpPacket::kChecksumOffset, 0);
  if (is_error_type(type)) {
    // "unused: This field is unused" - but for RFC 1191's next-hop MTU.
    store_be16(p + IcmpPacket::kIdentOffset, 0);
    store_be16(p + IcmpPacket::kNextHopMtuOffset, next_hop_mtu);
    Result<void> quoted = quoted_header.emit(out.subspan(IcmpPacket::kHeaderLen));
    if (!quoted) return Error(Layer::Icmp, quoted.error().reason());
  } else {
    store_be16(p + IcmpPacket::kIdentOffset, ident);
    store_be16(p + IcmpPacket::kSeqOffset, seq_no);
  }
  store_be16(p + IcmpPacket::kChecksumOffset, internet_checksum(Bytes(p, len)));
  return {};
}

bool IcmpRepr::operator==(const IcmpRepr& other) const {
  return type == other.type && code == other.code && ident == other.ident &&
         seq_no == other.seq_no && next_hop_mtu == other.next_hop_mtu &&
         quoted_header == other.quoted_header && bytes_equal(data, other.data);
}

}  // namespace mpxe::net
