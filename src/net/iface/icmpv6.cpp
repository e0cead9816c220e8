// ICMPv6 (RFC 4443): echo requests to our addresses answered, NDP's messages
// handed to ndp.cpp and MLD queries to mld.cpp, a destination unreachable handed
// to the UDP endpoint whose datagram it quotes, and port unreachables sent for
// unbound ports; the other errors and echo replies have no listener yet.
#include "net/iface/interface.h"

#include "core/byte_ops.h"
#include "net/wire/icmpv6.h"
#include "net/wire/udp.h"

namespace mpxe::net {

void Interface::rx_icmpv6(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes message) {
  Result<Icmpv6Packet> packet = Icmpv6Packet::check(message);
  if (!packet) return drop(Drop::Malformed, packet.error());
  uint8_t type = packet.value().type();
  // Redirects (137) are not followed: dropped below as unsupported.
  if (type >= static_cast<uint8_t>(Icmpv6Type::RouterSolicit) &&
      type <= static_cast<uint8_t>(Icmpv6Type::NeighborAdvert))
    return rx_ndp(frame, ip, message);
  // MLD queries go to the listener (mld.cpp); other hosts' reports are dropped
  // below as unsupported (this host suppresses none of its own for them).
  if (type == static_cast<uint8_t>(Icmpv6Type::MldQuery)) return rx_mld_query(ip, message);
  if (type != static_cast<uint8_t>(Icmpv6Type::EchoRequest) &&
      type != static_cast<uint8_t>(Icmpv6Type::DstUnreachable))
    return drop(Drop::Unsupported);
  Result<Icmpv6Repr> parsed = Icmpv6Repr::parse(packet.value(), ip.src, ip.dst);
  if (!parsed) {
    Errc why = parsed.error().reason();
    return drop(why == Errc::BadChecksum ? Drop::BadChecksum : Drop::Malformed, parsed.error());
  }
  if (parsed.value().type == Icmpv6Type::DstUnreachable)
    return rx_icmpv6_unreachable(parsed.value());
  // As for IPv4, a request to a group (ff02::1) goes unanswered (RFC 4443 4.2
  // allows either): only our own unicast addresses answer.
  if (ip.dst.is_multicast() || ip.src.is_unspecified()) return drop(Drop::NotForUs);
  tx_echo6_reply(frame, ip, parsed.value().ident, parsed.value().seq_no, parsed.value().data);
}

void Interface::rx_icmpv6_unreachable(const Icmpv6Repr& icmp) {
  // The invoking packet as quoted (RFC 4443 3.1: "as much of invoking packet as
  // possible"): walked past its extension headers to the UDP header's ports.
  Result<Ipv6Packet> quoted = Ipv6Packet::check_quoted(icmp.data);
  if (!quoted) return drop(Drop::Malformed, quoted.error());
  Ipv6Chain chain = Ipv6Chain::walk(quoted.value());
  const Ipv6Repr& header = icmp.quoted_header;
  if (!chain.ok() || chain.protocol != ipv6_next::kUdp ||
      chain.payload.size() < UdpDatagram::kHeaderLen || !slaac_.is_assigned(header.src, now_))
    return drop(Drop::NoEndpoint);
  UdpMeta meta;
  meta.src = header.src;
  meta.dst = header.dst;
  meta.src_port = load_be16(chain.payload.data() + UdpDatagram::kSrcPortOffset);
  meta.dst_port = load_be16(chain.payload.data() + UdpDatagram::kDstPortOffset);
  UdpEndpoint* endpoint = endpoint_for(meta.src_port);
  if (endpoint == nullptr) return drop(Drop::NoEndpoint);
  endpoint->on_unreachable(meta, icmp.code, now_);
}

void Interface::tx_icmpv6_port_unreachable(const EthernetFrame& frame, const Ipv6Repr& ip) {
  if (!icmp_errors_.allow(now_, kIcmpErrorsPerSecond)) return;
  Result<Ipv6Packet> packet = Ipv6Packet::check(frame.payload());
  if (!packet) return;
  // "As much of invoking packet as possible without the ICMPv6 packet exceeding
  // the minimum IPv6 MTU" (1280).
  constexpr size_t kMaxQuote = Slaac::kMinMtu - Ipv6Packet::kHeaderLen - Icmpv6Packet::kHeaderLen;
  Bytes invoking = packet.value().bytes();
  Icmpv6Repr icmp;
  icmp.type = Icmpv6Type::DstUnreachable;
  icmp.code = static_cast<uint8_t>(Icmpv6Unreachable::Port);
  icmp.data = invoking.first(invoking.size() < kMaxQuote ? invoking.size() : kMaxQuote);
  Ipv6Repr reply;
  reply.src = ip.dst;
  reply.dst = ip.src;
  reply.next_header = ipv6_next::kIcmpv6;
  reply.payload_len = static_cast<uint16_t>(icmp.buffer_len());
  reply.hop_limit = slaac_.hop_limit();
  Result<MutableBytes> space = tx_ipv6_begin(frame.src(), reply);
  if (!space || !icmp.emit(space.value(), reply.src, reply.dst)) return;
  if (tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + icmp.buffer_len()))
    ++counters_.icmp_errors;
}

void Interface::tx_echo6_reply(const EthernetFrame& frame, const Ipv6Repr& ip, uint16_t ident,
                               uint16_t seq, Bytes data) {
  Icmpv6Repr icmp;
  icmp.type = Icmpv6Type::EchoReply;
  icmp.ident = ident;
  icmp.seq_no = seq;
  icmp.data = data;
  Ipv6Repr reply;
  // RFC 4443 4.2: the reply's source is the address the request was sent to.
  reply.src = ip.dst;
  reply.dst = ip.src;
  reply.next_header = ipv6_next::kIcmpv6;
  reply.payload_len = static_cast<uint16_t>(icmp.buffer_len());
  reply.hop_limit = slaac_.hop_limit();
  if (Ipv6Repr::buffer_len() + icmp.buffer_len() > ipv6_mtu())
    return drop(Drop::TooBig, Error(Layer::Icmpv6, Errc::TooBig));
  // Back to the MAC the request came from, the next hop towards its sender.
  Result<MutableBytes> space = tx_ipv6_begin(frame.src(), reply);
  if (!space || !icmp.emit(space.value(), reply.src, reply.dst)) return;
  if (tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + icmp.buffer_len()))
    ++counters_.echo_replies;
}

}  // namespace mpxe::net
