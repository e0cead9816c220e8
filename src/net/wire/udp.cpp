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

Result<UdpRepr> UdpRepr::parse(const UdpDatagram& datagram, Ipv4Address src, Ipv4Address dst) {
  if (!datagram.verify_checksum(src, dst)) return Error(Layer::Udp, Errc::BadChecksum);
  return UdpRepr{datagram.src_port(), datagram.dst_port(),
                 static_cast<uint16_t>(datagram.length() - UdpDatagram::kHeaderLen)};
}

Result<void> UdpRepr::emit(MutableBytes out, Ipv4Address src, Ipv4Address dst) const {
  if (payload_len > 0xFFFF - UdpDatagram::kHeaderLen) return Error(Layer::Udp, Errc::BadLength);
  size_t len = buffer_len();
  if (out.size() < len) return Error(Layer::Udp, Errc::NoSpace);
  uint8_t* p = out.data();
  store_be16(p + UdpDatagram::kSrcPortOffset, src_port);
  store_be16(p + UdpDatagram::kDstPortOffset, dst_port);
  store_be16(p + UdpDatagram::kLengthOffset, static_cast<uint16_t>(len));
  store_be16(p + UdpDatagram::kChecksumOffset, 0);
  Checksum sum;
  sum.add_u16(ipv4_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp),
                                     static_cast<uint16_t>(len)));
  sum.add(Bytes(p, len));
  uint16_t checksum = sum.finish();
  // "If the computed checksum is zero, it is transmitted as all ones (the
  // equivalent in one's complement arithmetic)."
  store_be16(p + UdpDatagram::kChecksumOffset, checksum == 0 ? 0xFFFF : checksum);
  return {};
}

}  // namespace mpxe::net
