// IPv6: which destinations and multicast groups we take, the extension-header
// walk, dispatch by upper-layer protocol, and on the way out the header, the next
// hop through the neighbour cache and the frame that carries one packet.
#include "net/iface/interface.h"

namespace mpxe::net {

// ---------------------------------------------------------------------------
// Receive

bool Interface::accepts_ipv6_dst(const Ipv6Address& dst) const {
  if (dst.is_multicast()) {
    if (dst == Ipv6Address::all_nodes()) return true;
    // The solicited-node group of each address we hold or are testing (DAD
    // hears another node's probe there, RFC 4862 5.4.3).
    for (size_t i = 0; i < Slaac::kMaxAddresses; ++i) {
      const SlaacAddress& address = slaac_.address(i);
      if (address.state == SlaacAddressState::Empty ||
          address.state == SlaacAddressState::Duplicate)
        continue;
      if (dst == address.address.solicited_node()) return true;
    }
    return false;
  }
  // RFC 4862 5.4: a packet to a tentative address is discarded (NDP's own
  // messages for it come to the solicited-node group).
  return slaac_.is_assigned(dst, now_);
}

bool Interface::accepts_multicast_mac(MacAddress dst) const {
  // RFC 2464 7: 33:33 and the group's last four octets; the IPv6 check above
  // then tells a group we joined from another one with the same low bits.
  if (!ipv6_enabled_ || dst.octets[0] != 0x33 || dst.octets[1] != 0x33) return false;
  if (dst == Ipv6Address::all_nodes().multicast_mac()) return true;
  for (size_t i = 0; i < Slaac::kMaxAddresses; ++i) {
    const SlaacAddress& address = slaac_.address(i);
    if (address.state == SlaacAddressState::Empty || address.state == SlaacAddressState::Duplicate)
      continue;
    if (dst == address.address.solicited_node().multicast_mac()) return true;
  }
  return false;
}

void Interface::rx_ipv6(const EthernetFrame& frame) {
  if (!ipv6_enabled_) return drop(Drop::Unsupported);
  Result<Ipv6Packet> packet = Ipv6Packet::check(frame.payload());
  if (!packet) return drop(Drop::Malformed, packet.error());
  const Ipv6Repr ip = Ipv6Repr::parse(packet.value());
  // RFC 4291 2.7: "Multicast addresses must not be used as source addresses".
  if (ip.src.is_multicast() || ip.src.is_loopback())
    return drop(Drop::Malformed, Error(Layer::Ipv6, Errc::BadAddress));
  if (!accepts_ipv6_dst(ip.dst)) return drop(Drop::NotForUs);
  Ipv6Chain chain = Ipv6Chain::walk(packet.value());
  if (!chain.ok()) {
    Error error = ipv6_fault_error(chain.fault);
    switch (chain.fault) {
      case Ipv6Fault::Fragment: return drop(Drop::Fragment, error);
      case Ipv6Fault::NoNextHeader:
      case Ipv6Fault::UnknownHeader: return drop(Drop::Unsupported, error);
      default: return drop(Drop::Malformed, error);
    }
  }
  switch (chain.protocol) {
    case ipv6_next::kIcmpv6: return rx_icmpv6(frame, ip, chain.payload);
    case ipv6_next::kUdp: return rx_udp6(frame, ip, chain.payload);
    case ipv6_next::kTcp: return rx_tcp6(ip, chain.payload);
    default: return drop(Drop::Unsupported);
  }
}

// ---------------------------------------------------------------------------
// Multicast groups

void Interface::sync_rx_filter() {
  phy::RxFilter filter;
  uint32_t modes = device_.rx_modes();
  if ((modes & phy::kRxMulticastList) != 0) {
    filter.modes = phy::kRxMulticastList;
    auto add = [&filter](MacAddress group) {
      for (size_t i = 0; i < filter.group_count; ++i)
        if (MacAddress::from_bytes(filter.groups[i]) == group) return;
      if (filter.group_count < phy::RxFilter::kMaxGroups) group.write(filter.groups[filter.group_count++]);
    };
    add(Ipv6Address::all_nodes().multicast_mac());
    // An EUI-64 address shares its low 24 bits, so its group, with the
    // link-local one: usually one group for all.
    for (size_t i = 0; i < Slaac::kMaxAddresses; ++i) {
      const SlaacAddress& address = slaac_.address(i);
      if (address.state == SlaacAddressState::Empty || address.state == SlaacAddressState::Duplicate)
        continue;
      add(address.address.solicited_node().multicast_mac());
    }
  } else if ((modes & phy::kRxAllMulticast) != 0) {
    filter.modes = phy::kRxAllMulticast;
  } else {
    return;  // the device takes no group: IPv6 gets only unicast here
  }
  bool same = rx_filter_valid_ && filter.modes == rx_filter_.modes &&
              filter.group_count == rx_filter_.group_count;
  for (size_t i = 0; same && i < filter.group_count; ++i)
    same = MacAddress::from_bytes(filter.groups[i]) == MacAddress::from_bytes(rx_filter_.groups[i]);
  if (same) return;
  // Kept even when refused, so a device that refuses is not asked every poll.
  if (!device_.set_rx_filter(filter)) ++counters_.rx_filter_refused;
  rx_filter_ = filter;
  rx_filter_valid_ = true;
}

// ---------------------------------------------------------------------------
// Transmit

uint16_t Interface::ipv6_mtu() const {
  // The RA's MTU option (Slaac keeps it inside 1280..link MTU).
  return slaac_.mtu() < mtu_ ? slaac_.mtu() : mtu_;
}

Result<Ipv6Address> Interface::ipv6_source(const Ipv6Address& requested,
                                           const Ipv6Address& dst) const {
  Ipv6Address src = requested;
  if (src.is_unspecified()) {
    if (!slaac_.source_for(dst, now_, src)) return Error(Layer::Iface, Errc::Unreachable);
  } else if (!slaac_.is_assigned(src, now_)) {
    // Not ours, or still tentative (RFC 4862 5.4: not a source before DAD ends).
    return Error(Layer::Iface, Errc::Unreachable);
  }
  return src;
}

Result<MacAddress> Interface::resolve_ipv6_next_hop(const Ipv6Address& dst) {
  if (dst.is_multicast()) return dst.multicast_mac();
  // No loopback here either.
  if (!dst.is_unicast() || dst.is_loopback() || slaac_.is_assigned(dst, now_))
    return Error(Layer::Iface, Errc::Unreachable);
  Ipv6Address next_hop = dst;
  if (!slaac_.on_link(dst, now_) && !slaac_.default_router(now_, next_hop))
    return Error(Layer::Iface, Errc::Unreachable);
  NeighborCache::Resolution resolution = neighbors_.resolve(next_hop, now_);
  switch (resolution.kind) {
    case NeighborCache::Resolution::Resolved:
      return resolution.mac;
    case NeighborCache::Resolution::SendSolicitation:
      (void)tx_neighbor_solicitation(next_hop, nullptr);
      return Error(Layer::Ndp, Errc::WouldBlock);
    case NeighborCache::Resolution::Waiting:
      return Error(Layer::Ndp, Errc::WouldBlock);
    case NeighborCache::Resolution::Failed:
      return Error(Layer::Ndp, Errc::Unreachable);
  }
  return Error(Layer::Ndp, Errc::WouldBlock);
}

Result<MutableBytes> Interface::tx_ipv6_begin(MacAddress dst_mac, const Ipv6Repr& ip) {
  size_t ip_len = Ipv6Repr::buffer_len() + ip.payload_len;
  if (ip_len > ipv6_mtu()) return Error(Layer::Ipv6, Errc::TooBig);
  MutableBytes frame(tx_buffer_, EthernetFrame::kHeaderLen + ip_len);
  EthernetRepr eth{mac_, dst_mac, EtherType::Ipv6};
  Result<void> status = eth.emit(frame);
  if (status) status = ip.emit(frame.subspan(EthernetFrame::kHeaderLen));
  if (!status) return status.error();
  return frame.subspan(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len());
}

}  // namespace mpxe::net
