#include "net/wire/udp.h"

#include "net/wire/checksum.h"
#include "net/wire/ipv4.h"

namespace mpxe::net {

Result<UdpDatagram> UdpDatagram::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Udp, Errc::Truncated);
  uint16_t length = load_be16(bytes.data() + kLengthOffset);
  if (length < kHeaderLen) return Error(Layer::Udp, Errc::BadLength);
  if (length > bytes.size()) return Error(Layer::Udp, Errc::Truncated);
  return UdpDatagram(bytes.first(length));
}

bool UdpDatagram::verify_checksum(Ipv4Address src, Ipv4Address dst) const {
  if (checksum() == 0) return true;
  Checksum sum;
  sum.add_u16(ipv4_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp), length()));
  sum.add(bytes_);
  return sum.sum() == 0xFFFF;
}

bool UdpDatagram::verify_checksum(const Ipv6Address& src, const Ipv6Address& dst) const {
  if (checksum() == 0) return false;
  Checksum sum;
  sum.add_u16(ipv6_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp), length()));
  sum.add(bytes_);
  return sum.sum() == 0xFFFF;
}

Result<UdpRepr> UdpRepr::parse(const UdpDatagram& datagram, const Ipv6Address& src,
                               const Ipv6Address& dst) {
  if (!datagram.verify_checksum(src, dst)) return Error(Layer::Udp, Errc::BadChecksum);
  return UdpRepr{datagram.src_port(), datagram.dst_port(),
                 static_cast<uint16_t>(datagram.length() - UdpDatagram::kHeaderLen)};
}

Result<UdpRepr> UdpRepr::parse(const UdpDatagram& datagram, Ipv4Address src, Ipv4Address dst) {
  if (!datagram.verify_checksum(src, dst)) return Error(Layer::Udp, Errc::BadChecksum);
  return UdpRepr{datagram.src_port(), datagram.dst_port(),
                 static_cast<uint16_t>(datagram.length() - UdpDatagram::kHeaderLen)};
}

namespace {

// The header, then the checksum over `pseudo` (the pseudo header's sum) and the
// datagram; zero goes out as all ones (RFC 768, and RFC 8200 8.1 for IPv6).
Result<void> emit_with(const UdpRepr& udp, MutableBytes out, uint16_t pseudo) {
  size_t len = udp.buffer_len();
  uint8_t* p = out.data();
  store_be16(p + UdpDatagram::kSrcPortOffset, udp.src_port);
  store_be16(p + UdpDatagram::kDstPortOffset, udp.dst_port);
  store_be16(p + UdpDatagram::kLengthOffset, static_cast<uint16_t>(len));
  store_be16(p + UdpDatagram::kChecksumOffset, 0);
  Checksum sum;
  sum.add_u16(pseudo);
  sum.add(Bytes(p, len));
  uint16_t checksum = sum.finish();
  // "If the computed checksum is zero, it is transmitted as all ones (the
  // equivalent in one's complement arithmetic)."
  store_be16(p + UdpDatagram::kChecksumOffset, checksum == 0 ? 0xFFFF : checksum);
  return {};
}

}  // namespace

Result<void> UdpRepr::emit(MutableBytes out, Ipv4Address src, Ipv4Address dst) const {
  if (payload_len > 0xFFFF - UdpDatagram::kHeaderLen) return Error(Layer::Udp, Errc::BadLength);
  size_t len = buffer_len();
  if (out.size() < len) return Error(Layer::Udp, Errc::NoSpace);
  return emit_with(*this, out,
                   ipv4_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp),
                                          static_cast<uint16_t>(len)));
}

Result<void> UdpRepr::emit(MutableBytes out, const Ipv6Address& src, const Ipv6Address& dst) const {
  if (payload_len > 0xFFFF - UdpDatagram::kHeaderLen) return Error(Layer::Udp, Errc::BadLength);
  size_t len = buffer_len();
  if (out.size() < len) return Error(Layer::Udp, Errc::NoSpace);
  return emit_with(*this, out,
                   ipv6_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp),
                                          static_cast<uint32_t>(len)));
}

}  // namespace mpxe::net
