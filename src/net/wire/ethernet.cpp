#include "net/wire/ethernet.h"

namespace mpxe::net {

// IEEE 802.3: type values of 1536 and up are EtherTypes, lower ones are lengths.
static constexpr uint16_t kMinEtherType = 0x0600;

Result<EthernetFrame> EthernetFrame::check(Bytes bytes) {
  if (bytes.size() < kHeaderLen) return Error(Layer::Ethernet, Errc::Truncated);
  return EthernetFrame(bytes);
}

Result<EthernetRepr> EthernetRepr::parse(const EthernetFrame& frame) {
  if (frame.ethertype() < kMinEtherType) return Error(Layer::Ethernet, Errc::Unsupported);
  return EthernetRepr{frame.src(), frame.dst(), static_cast<EtherType>(frame.ethertype())};
}

Result<void> EthernetRepr::emit(MutableBytes out) const {
  if (out.size() < buffer_len()) return Error(Layer::Ethernet, Errc::NoSpace);
  dst.write(out.data() + EthernetFrame::kDstOffset);
  src.write(out.data() + EthernetFrame::kSrcOffset);
  store_be16(out.data() + EthernetFrame::kEtherTypeOffset, static_cast<uint16_t>(ethertype));
  return {};
}

}  // namespace mpxe::net
