// ARP (RFC 826): answering and learning from requests, sending requests and
// replies, and the gratuitous announcement (RFC 5227).
#include "net/iface/interface.h"

namespace mpxe::net {

void Interface::rx_arp(const EthernetFrame& frame) {
  Result<ArpPacket> packet = ArpPacket::check(frame.payload());
  if (!packet)
    return drop(packet.error().reason() == Errc::Truncated ? Drop::Malformed : Drop::Unsupported,
                packet.error());
  Result<ArpRepr> parsed = ArpRepr::parse(packet.value());
  if (!parsed) return drop(Drop::Unsupported, parsed.error());
  const ArpRepr& arp = parsed.value();
  if (!arp.sender_mac.is_unicast() || arp.sender_mac.is_zero() || arp.sender_mac == mac_)
    return drop(Drop::Malformed, Error(Layer::Arp, Errc::BadAddress));

  // A probe (sender 0.0.0.0, RFC 5227) teaches nothing; nor does a claim to our
  // own address (a conflict, which a boot client cannot resolve: it keeps going).
  bool learnable = arp.sender_ip.is_unicast() &&
                   !(config_.configured() && arp.sender_ip == config_.address);
  // RFC 826: update an existing entry from any packet (the merge flag) ...
  bool merged = learnable && arp_.update(arp.sender_ip, arp.sender_mac, now_);
  if (!config_.configured() || arp.target_ip != config_.address) {
    if (!merged) drop(Drop::NotForUs);
    return;
  }
  // ... and add one only when we are the target.
  if (learnable && !merged) arp_.insert(arp.sender_ip, arp.sender_mac, now_);
  if (arp.operation == ArpOperation::Request) {
    // "Swap hardware and protocol fields, putting the local hardware and protocol
    // addresses in the sender fields. Set the ar$op field to ares_op$REPLY. Send
    // the packet to the (new) target hardware address on the same hardware on
    // which the request was received."
    if (tx_arp(ArpOperation::Reply, arp.sender_mac, arp.sender_mac, arp.sender_ip,
               config_.address))
      ++counters_.arp_replies;
  }
}

Result<void> Interface::tx_arp(ArpOperation operation, MacAddress eth_dst, MacAddress target_mac,
                               Ipv4Address target_ip, Ipv4Address sender_ip) {
  constexpr size_t kLen = EthernetFrame::kHeaderLen + ArpRepr::buffer_len();
  MutableBytes frame(tx_buffer_, kLen);
  EthernetRepr eth{mac_, eth_dst, EtherType::Arp};
  ArpRepr arp{operation, mac_, sender_ip, target_mac, target_ip};
  Result<void> status = eth.emit(frame);
  if (status) status = arp.emit(frame.subspan(EthernetFrame::kHeaderLen));
  if (!status) return status;
  if (operation == ArpOperation::Request) ++counters_.arp_requests;
  return tx_frame(kLen);
}

Result<void> Interface::announce() {
  if (!config_.configured()) return Error(Layer::Iface, Errc::Unreachable);
  // RFC 5227 2.3: "an ARP Request packet, broadcast on the local link ... the
  // 'sender IP address' and 'target IP address' both set to the host's newly
  // selected IPv4 address".
  return tx_arp(ArpOperation::Request, MacAddress::broadcast(), MacAddress{}, config_.address,
                config_.address);
}

}  // namespace mpxe::net
