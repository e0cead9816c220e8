// Neighbour discovery (RFC 4861) at the interface: each validated message feeds
// the neighbour cache and Slaac, a solicitation for one of our addresses is
// answered, and NDP leaves with hop limit 255, for Slaac (the NdpSender) and for
// the neighbour cache's solicitations.
#include "net/iface/interface.h"

#include "core/byte_ops.h"

namespace mpxe::net {

void Interface::rx_ndp(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes message) {
  Result<NdpRepr> parsed = NdpRepr::parse(ip, message);
  if (!parsed) {
    Errc why = parsed.error().reason();
    return drop(why == Errc::BadChecksum ? Drop::BadChecksum : Drop::Malformed, parsed.error());
  }
  const NdpRepr& ndp = parsed.value();
  switch (ndp.type) {
    case Icmpv6Type::RouterAdvert:
      // RFC 4861 6.3.4: the router's link-layer address, then its parameters.
      if (ndp.has_source_mac) neighbors_.on_link_layer_address(ip.src, ndp.source_mac, now_);
      slaac_.on_ndp(ip, ndp, now_, *this);
      neighbors_.set_timers(slaac_.reachable_time(), slaac_.retrans_timer());
      return;
    case Icmpv6Type::NeighborSolicit: {
      // Slaac first: a solicitation from :: for a tentative address is a
      // duplicate, and must not be answered (RFC 4862 5.4.3).
      slaac_.on_ndp(ip, ndp, now_, *this);
      if (!slaac_.is_assigned(ndp.target, now_)) return drop(Drop::NotForUs);
      // RFC 4861 7.2.3: the sender's address is learned (not from a DAD probe).
      if (!ip.src.is_unspecified() && ndp.has_source_mac)
        neighbors_.on_link_layer_address(ip.src, ndp.source_mac, now_);
      // 7.2.4: solicited, to the sender; to all-nodes, unsolicited, for a DAD
      // probe (4862 5.4.3, where our address being another's probe's target
      // means we defend it). The reply goes to the MAC the solicitation came
      // from: no resolution round trip. RFC 4429 2.2: for an optimistic address
      // Override stays clear, so a cache that holds another node for it (the
      // duplicate DAD has yet to find) keeps it.
      NdpRepr advert;
      advert.type = Icmpv6Type::NeighborAdvert;
      advert.target = ndp.target;
      advert.solicited = !ip.src.is_unspecified();
      advert.override_ = !slaac_.is_optimistic(ndp.target);
      advert.has_target_mac = true;
      advert.target_mac = mac_;
      Ipv6Address dst = ip.src.is_unspecified() ? Ipv6Address::all_nodes() : ip.src;
      MacAddress dst_mac = ip.src.is_unspecified() ? dst.multicast_mac() : frame.src();
      if (tx_ndp(dst_mac, ndp.target, dst, advert)) ++counters_.neighbor_advertisements;
      return;
    }
    case Icmpv6Type::NeighborAdvert:
      neighbors_.on_advertisement(ndp.target, ndp.solicited, ndp.override_,
                                  ndp.has_target_mac ? &ndp.target_mac : nullptr, now_);
      slaac_.on_ndp(ip, ndp, now_, *this);
      return;
    default:
      // A router solicitation is for routers (a host discards it, RFC 4861 6.2.6).
      return drop(Drop::Unsupported);
  }
}

Result<void> Interface::set_dhcpv6_address(const Ipv6Address& address, uint32_t preferred_s,
                                            uint32_t valid_s) {
  if (!ipv6_enabled_) return Error(Layer::Iface, Errc::Unsupported);
  Result<void> status = slaac_.assign_dhcpv6(address, preferred_s, valid_s, now_, *this);
  if (status) sync_rx_filter();
  return status;
}

Result<void> Interface::set_static_ipv6(const Ipv6Address& address, uint8_t prefix_len) {
  if (!ipv6_enabled_) return Error(Layer::Iface, Errc::Unsupported);
  Result<void> status = slaac_.assign_static(address, prefix_len, now_, *this);
  if (status) sync_rx_filter();
  return status;
}

Result<void> Interface::solicit_routers() {
  if (!ipv6_enabled_) return Error(Layer::Iface, Errc::Unsupported);
  return slaac_.solicit_routers(now_, *this);
}

Result<void> Interface::send_ndp(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) {
  // RFC 4862 5.4.2: the solicited-node group of a tentative address is joined,
  // and so reported, before DAD's solicitation goes to it.
  sync_mld_groups();
  MacAddress dst_mac;
  if (dst.is_multicast()) {
    dst_mac = dst.multicast_mac();
  } else if (!neighbors_.lookup(dst, now_, dst_mac)) {
    return Error(Layer::Ndp, Errc::WouldBlock);
  }
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = ipv6_next::kIcmpv6;
  ip.payload_len = static_cast<uint16_t>(message.size());
  ip.hop_limit = kNdpHopLimit;
  Result<MutableBytes> space = tx_ipv6_begin(dst_mac, ip);
  if (!space) return space.error();
  copy_bytes(space.value(), message);
  return tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + message.size());
}

Result<void> Interface::tx_ndp(MacAddress dst_mac, const Ipv6Address& src, const Ipv6Address& dst,
                               const NdpRepr& ndp) {
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = ipv6_next::kIcmpv6;
  ip.payload_len = static_cast<uint16_t>(ndp.buffer_len());
  ip.hop_limit = kNdpHopLimit;
  Result<MutableBytes> space = tx_ipv6_begin(dst_mac, ip);
  if (!space) return space.error();
  Result<void> status = ndp.emit(space.value(), src, dst);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + ndp.buffer_len());
}

Result<void> Interface::tx_neighbor_solicitation(const Ipv6Address& target, const MacAddress* mac) {
  // RFC 4861 7.2.2: from an address of ours (:: is for DAD only), with our
  // link-layer address so the target can answer without asking back; RFC 4429
  // 2.2: not from an optimistic address, which must not put itself into the
  // target's cache (the target asks back, and our answer does not override).
  Ipv6Address src;
  if (!slaac_.source_for(target, now_, src)) return Error(Layer::Iface, Errc::Unreachable);
  NdpRepr ns;
  ns.type = Icmpv6Type::NeighborSolicit;
  ns.target = target;
  ns.has_source_mac = !slaac_.is_optimistic(src);
  ns.source_mac = mac_;
  Ipv6Address dst = mac != nullptr ? target : target.solicited_node();
  MacAddress dst_mac = mac != nullptr ? *mac : dst.multicast_mac();
  Result<void> sent = tx_ndp(dst_mac, src, dst, ns);
  if (sent) ++counters_.neighbor_solicitations;
  return sent;
}

}  // namespace mpxe::net
