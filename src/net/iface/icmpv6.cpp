// ICMPv6 (RFC 4443): echo requests to our addresses answered, NDP's messages
// handed to ndp.cpp; errors and echo replies have no listener here yet.
#include "net/iface/interface.h"

#include "net/wire/icmpv6.h"

namespace mpxe::net {

void Interface::rx_icmpv6(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes message) {
  Result<Icmpv6Packet> packet = Icmpv6Packet::check(message);
  if (!packet) return drop(Drop::Malformed, packet.error());
  uint8_t type = packet.value().type();
  if (type >= static_cast<uint8_t>(Icmpv6Type::RouterSolicit) &&
      type <= static_cast<uint8_t>(Icmpv6Type::Redirect))
    return rx_ndp(frame, ip, message);
  if (type != static_cast<uint8_t>(Icmpv6Type::EchoRequest)) return drop(Drop::Unsupported);
  Result<Icmpv6Repr> parsed = Icmpv6Repr::parse(packet.value(), ip.src, ip.dst);
  if (!parsed) {
    Errc why = parsed.error().reason();
    return drop(why == Errc::BadChecksum ? Drop::BadChecksum : Drop::Malformed, parsed.error());
  }
  // As for IPv4, a request to a group (ff02::1) goes unanswered (RFC 4443 4.2
  // allows either): only our own unicast addresses answer.
  if (ip.dst.is_multicast() || ip.src.is_unspecified()) return drop(Drop::NotForUs);
  tx_echo6_reply(frame, ip, parsed.value().ident, parsed.value().seq_no, parsed.value().data);
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
