#include "net/wire/arp.h"

namespace mpxe::net {

Result<ArpPacket> ArpPacket::check(Bytes bytes) {
  if (bytes.size() < kLen) return Error(Layer::Arp, Errc::Truncated);
  ArpPacket packet(bytes.first(kLen));
  if (packet.hardware_type() != kHardwareEthernet || packet.protocol_type() != kProtocolIpv4 ||
      bytes[kHardwareLenOffset] != MacAddress::kSize ||
      bytes[kProtocolLenOffset] != Ipv4Address::kSize)
    return Error(Layer::Arp, Errc::Unsupported);
  return packet;
}

Result<ArpRepr> ArpRepr::parse(const ArpPacket& packet) {
  uint16_t op = packet.operation();
  if (op != static_cast<uint16_t>(ArpOperation::Request) &&
      op != static_cast<uint16_t>(ArpOperation::Reply))
    return Error(Layer::Arp, Errc::BadOpcode);
  return ArpRepr{static_cast<ArpOperation>(op), packet.sender_mac(), packet.sender_ip(),
                 packet.target_mac(), packet.target_ip()};
}

Result<void> ArpRepr::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return Error(Layer::Arp, Errc::NoSpace);
  uint8_t* p = out.data();
  store_be16(p + ArpPacket::kHardwareTypeOffset, ArpPacket::kHardwareEthernet);
  store_be16(p + ArpPacket::kProtocolTypeOffset, ArpPacket::kProtocolIpv4);
  p[ArpPacket::kHardwareLenOffset] = MacAddress::kSize;
  p[ArpPacket::kProtocolLenOffset] = Ipv4Address::kSize;
  store_be16(p + ArpPacket::kOperationOffset, static_cast<uint16_t>(operation));
  sender_mac.write(p + ArpPacket::kSenderMacOffset);
  sender_ip.write(p + ArpPacket::kSenderIpOffset);
  target_mac.write(p + ArpPacket::kTargetMacOffset);
  target_ip.write(p + ArpPacket::kTargetIpOffset);
  return {};
}

}  // namespace mpxe::net
