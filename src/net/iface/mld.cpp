// MLD at the interface (RFC 3810): the solicited-node groups of Slaac's
// addresses are handed to the MldListener, which reports them, and queries reach
// it once checked; reports leave here with the Router Alert hop-by-hop header.
#include "net/iface/interface.h"

namespace mpxe::net {

void Interface::sync_mld_groups() {
  Ipv6Address groups[Slaac::kMaxAddresses];
  size_t n = 0;
  for (size_t i = 0; i < Slaac::kMaxAddresses; ++i) {
    const SlaacAddress& address = slaac_.address(i);
    if (address.state == SlaacAddressState::Empty || address.state == SlaacAddressState::Duplicate)
      continue;
    groups[n++] = address.address.solicited_node();
  }
  mld_.set_groups(Span<const Ipv6Address>(groups, n), now_, *this);
}

void Interface::rx_mld_query(const Ipv6Repr& ip, Bytes message) {
  // RFC 3810 5.1.14: a query from anything but a link-local address "MUST
  // silently discard"; and every MLD message travels with hop limit 1 (5).
  if (!ip.src.is_link_local() || ip.hop_limit != kMldHopLimit)
    return drop(Drop::Malformed, Error(Layer::Icmpv6, Errc::BadAddress));
  Result<MldQuery> query = MldQuery::parse(message, ip.src, ip.dst);
  if (!query) {
    Errc why = query.error().reason();
    return drop(why == Errc::BadChecksum ? Drop::BadChecksum : Drop::Malformed, query.error());
  }
  mld_.on_query(query.value(), now_);
}

Result<void> Interface::send_mld_report(MldVersion version, Span<const MldRecord> records) {
  if (records.empty()) return Error(Layer::Icmpv6, Errc::BadValue);
  // RFC 3810 5.2.13: from the link-local address, or :: while it is tentative.
  Ipv6Address src = slaac_.link_local_ready() ? slaac_.link_local() : Ipv6Address();
  bool v1 = version == MldVersion::V1;
  Ipv6Address dst = v1 ? records[0].group : kMldv2Routers;
  size_t message_len = v1 ? Mldv1Report::kLen : Mldv2Report::buffer_len(records.size());
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = ipv6_next::kHopByHop;
  ip.payload_len = static_cast<uint16_t>(kRouterAlertHeaderLen + message_len);
  ip.hop_limit = kMldHopLimit;
  Result<MutableBytes> space = tx_ipv6_begin(dst.multicast_mac(), ip);
  if (!space) return space.error();
  Result<void> status = emit_router_alert_header(space.value(), ipv6_next::kIcmpv6);
  MutableBytes message = space.value().subspan(kRouterAlertHeaderLen);
  if (status)
    status = v1 ? Mldv1Report::emit(message, records[0].group, src)
                : Mldv2Report::emit(message, records, src, dst);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + ip.payload_len);
}

}  // namespace mpxe::net
