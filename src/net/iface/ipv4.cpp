// IPv4: which destinations we accept, reassembly of fragments, dispatch by
// protocol, and on the way out the header, the route to the next hop and the
// frame that carries one datagram.
#include "net/iface/interface.h"

namespace mpxe::net {

// ---------------------------------------------------------------------------
// Receive

bool Interface::is_subnet_broadcast(Ipv4Address dst) const {
  if (!config_.configured()) return false;
  uint32_t host_bits = ~config_.netmask.to_u32();
  // A /31 or /32 has no broadcast address (RFC 3021); mask 0 would make every
  // address one.
  if (host_bits <= 1 || host_bits == 0xFFFFFFFF) return false;
  return dst.same_subnet(config_.address, config_.netmask) &&
         (dst.to_u32() & host_bits) == host_bits;
}

bool Interface::accepts_ipv4_dst(Ipv4Address dst) const {
  // Unconfigured, anything: a DHCP server may unicast the OFFER to the address it
  // offers (RFC 2131 4.1, when the broadcast bit is clear).
  if (!config_.configured()) return !dst.is_multicast();
  return dst == config_.address || dst.is_broadcast() || is_subnet_broadcast(dst);
}

void Interface::rx_ipv4(const EthernetFrame& frame) {
  Result<Ipv4Packet> packet = Ipv4Packet::check(frame.payload());
  if (!packet) return drop(Drop::Malformed, packet.error());
  Result<Ipv4Repr> parsed = Ipv4Repr::parse(packet.value());
  if (!parsed) return drop(Drop::BadChecksum, parsed.error());
  const Ipv4Repr& ip = parsed.value();
  // RFC 1122 3.2.1.3: "A host MUST silently discard an incoming datagram
  // containing an IP source address that is invalid" (broadcast, multicast).
  if (ip.src.is_broadcast() || ip.src.is_multicast() || ip.src.is_loopback())
    return drop(Drop::Malformed, Error(Layer::Ipv4, Errc::BadAddress));
  if (!accepts_ipv4_dst(ip.dst)) return drop(Drop::NotForUs);

  if (!ip.more_fragments && ip.fragment_offset == 0)
    return rx_ipv4_payload(frame, ip, packet.value().payload());
  Result<Reassembler::Datagram> added = reassembler_.add(ip, packet.value().payload(), now_);
  if (!added) return drop(Drop::Fragment, added.error());
  if (!added.value().complete) return;
  rx_ipv4_payload(frame, added.value().header, added.value().payload);
}

void Interface::rx_ipv4_payload(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload) {
  switch (ip.protocol) {
    case static_cast<uint8_t>(IpProtocol::Icmp): return rx_icmp(frame, ip, payload);
    case static_cast<uint8_t>(IpProtocol::Udp): return rx_udp(frame, ip, payload);
    case static_cast<uint8_t>(IpProtocol::Tcp): return rx_tcp(ip, payload);
    default: return drop(Drop::Unsupported);
  }
}

// ---------------------------------------------------------------------------
// Transmit

Ipv4Repr Interface::ipv4_header(Ipv4Address src, Ipv4Address dst, IpProtocol protocol,
                                size_t len) {
  Ipv4Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = static_cast<uint8_t>(protocol);
  ip.payload_len = static_cast<uint16_t>(len);
  ip.ttl = kTtl;
  ip.ident = next_ident_++;
  return ip;
}

Result<MacAddress> Interface::resolve_next_hop(Ipv4Address dst, Ipv4Address gateway) {
  if (dst.is_broadcast() || is_subnet_broadcast(dst)) return MacAddress::broadcast();
  if (dst.is_multicast()) {
    // RFC 1112 6.4: 01-00-5E-00-00-00 plus the low-order 23 bits of the group.
    return MacAddress{{0x01, 0x00, 0x5E, static_cast<uint8_t>(dst.octets[1] & 0x7F),
                       dst.octets[2], dst.octets[3]}};
  }
  // There is no loopback: a datagram to our own address would only ARP for ourselves.
  if (!dst.is_unicast() || !config_.configured() || dst == config_.address)
    return Error(Layer::Iface, Errc::Unreachable);
  Ipv4Address next_hop = dst;
  if (!dst.same_subnet(config_.address, config_.netmask)) {
    Ipv4Address via = gateway.is_unspecified() ? config_.gateway : gateway;
    if (via.is_unspecified()) return Error(Layer::Iface, Errc::Unreachable);
    next_hop = via;
  }
  ArpCache::Resolution resolution = arp_.resolve(next_hop, now_);
  switch (resolution.kind) {
    case ArpCache::Resolution::Resolved:
      return resolution.mac;
    case ArpCache::Resolution::SendRequest:
      (void)tx_arp(ArpOperation::Request, MacAddress::broadcast(), MacAddress{}, next_hop,
                   config_.address);
      return Error(Layer::Arp, Errc::WouldBlock);
    case ArpCache::Resolution::Waiting:
      return Error(Layer::Arp, Errc::WouldBlock);
    case ArpCache::Resolution::Failed:
      return Error(Layer::Arp, Errc::Unreachable);
  }
  return Error(Layer::Arp, Errc::WouldBlock);
}

Result<MutableBytes> Interface::tx_ipv4_begin(MacAddress dst_mac, const Ipv4Repr& ip) {
  size_t ip_len = Ipv4Repr::buffer_len() + ip.payload_len;
  if (ip_len > mtu_) return Error(Layer::Ipv4, Errc::TooBig);
  MutableBytes frame(tx_buffer_, EthernetFrame::kHeaderLen + ip_len);
  EthernetRepr eth{mac_, dst_mac, EtherType::Ipv4};
  Result<void> status = eth.emit(frame);
  if (status) status = ip.emit(frame.subspan(EthernetFrame::kHeaderLen));
  if (!status) return status.error();
  return frame.subspan(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len());
}

}  // namespace mpxe::net
