// Ethernet: the frame gate and dispatch by EtherType on receive, and the one
// place frames leave through the device.
#include "net/iface/interface.h"

#include "core/byte_ops.h"

namespace mpxe::net {

void Interface::rx_frame(Bytes bytes) {
  Result<EthernetFrame> checked = EthernetFrame::check(bytes);
  if (!checked) return drop(Drop::Malformed, checked.error());
  const EthernetFrame& frame = checked.value();
  // Our own address, broadcast, and with IPv6 on the groups it joined.
  if (frame.dst() != mac_ && !frame.dst().is_broadcast() && !accepts_multicast_mac(frame.dst()))
    return drop(Drop::NotForUs);
  // A source must be one station (IEEE 802: the I/G bit clear), and a real one:
  // answers go back to it.
  if (!frame.src().is_unicast() || frame.src().is_zero())
    return drop(Drop::Malformed, Error(Layer::Ethernet, Errc::BadAddress));
  switch (frame.ethertype()) {
    case static_cast<uint16_t>(EtherType::Arp): return rx_arp(frame);
    case static_cast<uint16_t>(EtherType::Ipv4): return rx_ipv4(frame);
    case static_cast<uint16_t>(EtherType::Ipv6): return rx_ipv6(frame);
    default: return drop(Drop::Unsupported);
  }
}

Result<void> Interface::tx_frame(size_t length) {
  // Short frames are padded to the Ethernet minimum here: a NIC usually pads on
  // its own, but a TAP device passes whatever it is given.
  if (length < EthernetFrame::kMinFrameLen) {
    fill_bytes(MutableBytes(tx_buffer_ + length, EthernetFrame::kMinFrameLen - length), 0);
    length = EthernetFrame::kMinFrameLen;
  }
  if (!device_.transmit(Bytes(tx_buffer_, length))) {
    ++counters_.tx_full;
    return Error(Layer::Iface, Errc::WouldBlock);
  }
  ++counters_.tx_frames;
  counters_.tx_bytes += length;
  return {};
}

}  // namespace mpxe::net
