// ICMP for IPv4: echo (ping) both ways, destination-unreachable errors handed to
// the UDP endpoint that caused them, and the port unreachables we send.
#include "net/iface/interface.h"

#include "core/byte_ops.h"
#include "net/wire/icmp.h"
#include "net/wire/udp.h"

namespace mpxe::net {

void Interface::rx_icmp(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload) {
  Result<IcmpPacket> packet = IcmpPacket::check(payload);
  if (!packet) return drop(Drop::Malformed, packet.error());
  Result<IcmpRepr> parsed = IcmpRepr::parse(packet.value());
  if (!parsed) {
    Errc why = parsed.error().reason();
    return drop(why == Errc::BadChecksum   ? Drop::BadChecksum
                : why == Errc::Unsupported ? Drop::Unsupported
                                           : Drop::Malformed,
                parsed.error());
  }
  const IcmpRepr& icmp = parsed.value();
  switch (icmp.type) {
    case IcmpType::EchoRequest:
      // RFC 1122 3.2.2.6: an echo request to a broadcast address "MAY be silently
      // discarded"; answering them is how smurf amplification works.
      if (!config_.configured() || ip.dst != config_.address) return drop(Drop::NotForUs);
      return tx_echo_reply(frame, ip, icmp.ident, icmp.seq_no, icmp.data);
    case IcmpType::EchoReply:
      if (echo_listener_ == nullptr) return drop(Drop::NoEndpoint);
      echo_listener_->on_echo_reply(ip.src, icmp.ident, icmp.seq_no, icmp.data, now_);
      return;
    case IcmpType::DstUnreachable: {
      // The quoted datagram must be one of ours, carrying UDP; its first 8 octets
      // (which parse() guarantees) hold the ports.
      const Ipv4Repr& quoted = icmp.quoted_header;
      bool ours = !config_.configured() || quoted.src == config_.address;
      if (!ours || quoted.protocol != static_cast<uint8_t>(IpProtocol::Udp))
        return drop(Drop::NoEndpoint);
      UdpMeta meta;
      meta.src = quoted.src;
      meta.dst = quoted.dst;
      meta.src_port = load_be16(icmp.data.data() + UdpDatagram::kSrcPortOffset);
      meta.dst_port = load_be16(icmp.data.data() + UdpDatagram::kDstPortOffset);
      UdpEndpoint* endpoint = endpoint_for(meta.src_port);
      if (endpoint == nullptr) return drop(Drop::NoEndpoint);
      endpoint->on_unreachable(meta, icmp.code, now_);
      return;
    }
    case IcmpType::TimeExceeded:
      return drop(Drop::Unsupported);
  }
}

Result<void> Interface::send_ping(Ipv4Address dst, uint16_t ident, uint16_t seq, Bytes data) {
  IcmpRepr icmp;
  icmp.type = IcmpType::EchoRequest;
  icmp.ident = ident;
  icmp.seq_no = seq;
  icmp.data = data;
  if (icmp.buffer_len() + Ipv4Repr::buffer_len() > mtu_) return Error(Layer::Icmp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_next_hop(dst);
  if (!dst_mac) return dst_mac.error();
  Result<MutableBytes> space = tx_ipv4_begin(
      dst_mac.value(), ipv4_header(config_.address, dst, IpProtocol::Icmp, icmp.buffer_len()));
  if (!space) return space.error();
  Result<void> status = icmp.emit(space.value());
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + icmp.buffer_len());
}

void Interface::tx_echo_reply(const EthernetFrame& frame, const Ipv4Repr& ip, uint16_t ident,
                              uint16_t seq, Bytes data) {
  IcmpRepr icmp;
  icmp.type = IcmpType::EchoReply;
  icmp.ident = ident;
  icmp.seq_no = seq;
  icmp.data = data;
  // A request reassembled from fragments may be larger than one frame; we do not
  // fragment, so it goes unanswered.
  if (icmp.buffer_len() + Ipv4Repr::buffer_len() > mtu_)
    return drop(Drop::TooBig, Error(Layer::Icmp, Errc::TooBig));
  // RFC 1122 3.2.2.6: "the source address of the reply MUST be the specific-
  // destination address". It goes back to the MAC it came from: that is the next
  // hop towards the sender, with no ARP round trip.
  Result<MutableBytes> space = tx_ipv4_begin(
      frame.src(), ipv4_header(config_.address, ip.src, IpProtocol::Icmp, icmp.buffer_len()));
  if (!space || !icmp.emit(space.value())) return;
  if (tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + icmp.buffer_len()))
    ++counters_.echo_replies;
}

void Interface::tx_port_unreachable(const EthernetFrame& frame, const Ipv4Repr& ip,
                                    Bytes datagram) {
  if (!icmp_errors_.allow(now_, kIcmpErrorsPerSecond)) return;
  IcmpRepr icmp;
  icmp.type = IcmpType::DstUnreachable;
  icmp.code = static_cast<uint8_t>(IcmpUnreachable::Port);
  icmp.quoted_header = ip;
  // "Internet Header + 64 bits of Original Data Datagram": the UDP header.
  icmp.data = datagram.first(IcmpPacket::kQuotedDataMin);
  Result<MutableBytes> space = tx_ipv4_begin(
      frame.src(), ipv4_header(config_.address, ip.src, IpProtocol::Icmp, icmp.buffer_len()));
  if (!space || !icmp.emit(space.value())) return;
  if (tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + icmp.buffer_len()))
    ++counters_.icmp_errors;
}

}  // namespace mpxe::net
