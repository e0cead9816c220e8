// UDP: delivery to the bound endpoint, and datagrams out, whole or (for the PXE
// Base Code's UdpWrite) as IPv4 fragments; over IPv6 both ways, whole only.
#include "net/iface/interface.h"

#include "core/byte_ops.h"
#include "net/wire/checksum.h"
#include "net/wire/udp.h"

namespace mpxe::net {

// ---------------------------------------------------------------------------
// Receive

void Interface::rx_udp(const EthernetFrame& frame, const Ipv4Repr& ip, Bytes payload) {
  Result<UdpDatagram> datagram = UdpDatagram::check(payload);
  if (!datagram) return drop(Drop::Malformed, datagram.error());
  Result<UdpRepr> parsed = UdpRepr::parse(datagram.value(), ip.src, ip.dst);
  if (!parsed) return drop(Drop::BadChecksum, parsed.error());
  UdpMeta meta;
  meta.src = ip.src;
  meta.dst = ip.dst;
  meta.src_port = parsed.value().src_port;
  meta.dst_port = parsed.value().dst_port;
  UdpEndpoint* endpoint = endpoint_for(meta.dst_port);
  if (endpoint == nullptr) {
    drop(Drop::NoEndpoint);
    // RFC 1122 4.1.3.1: "UDP SHOULD send an ICMP Port Unreachable" - but never for
    // a broadcast (3.2.2), and not while we have no address to send it from.
    if (config_.configured() && ip.dst == config_.address && ip.src.is_unicast())
      tx_port_unreachable(frame, ip, payload);
    return;
  }
  endpoint->on_datagram(meta, datagram.value().payload(), now_, *this);
}

void Interface::rx_udp6(const EthernetFrame& frame, const Ipv6Repr& ip, Bytes payload) {
  Result<UdpDatagram> datagram = UdpDatagram::check(payload);
  if (!datagram) return drop(Drop::Malformed, datagram.error());
  // The checksum is mandatory over IPv6: zero fails with the wrong ones.
  Result<UdpRepr> parsed = UdpRepr::parse(datagram.value(), ip.src, ip.dst);
  if (!parsed) return drop(Drop::BadChecksum, parsed.error());
  UdpMeta meta;
  meta.src = ip.src;
  meta.dst = ip.dst;
  meta.src_port = parsed.value().src_port;
  meta.dst_port = parsed.value().dst_port;
  UdpEndpoint* endpoint = endpoint_for(meta.dst_port);
  if (endpoint == nullptr) {
    drop(Drop::NoEndpoint);
    // RFC 4443 2.4 (e.3): never for a packet to a multicast group; nor to ::.
    if (!ip.dst.is_multicast() && ip.src.is_unicast()) tx_icmpv6_port_unreachable(frame, ip);
    return;
  }
  endpoint->on_datagram(meta, datagram.value().payload(), now_, *this);
}

// ---------------------------------------------------------------------------
// Transmit

Result<void> Interface::send_udp(const UdpMeta& meta, Bytes payload) {
  return send_udp(meta, payload, UdpSendOptions());
}

Result<void> Interface::send_udp(const UdpMeta& meta, Bytes payload, const UdpSendOptions& options) {
  size_t data_len = options.prefix.size() + payload.size();
  if (data_len > kMaxUdpDatagramPayload) return Error(Layer::Udp, Errc::TooBig);
  bool fits = UdpDatagram::kHeaderLen + data_len + Ipv4Repr::buffer_len() <= mtu_;
  if (!fits && !options.may_fragment) return Error(Layer::Udp, Errc::TooBig);
  if (meta.dst.is_v6()) return send_udp6(meta, payload, options);
  if (!meta.src.is_v4() || !meta.dst.is_v4()) return Error(Layer::Iface, Errc::Unsupported);
  const Ipv4Address dst = meta.dst.v4();
  Result<MacAddress> dst_mac = resolve_next_hop(dst, options.gateway);
  if (!dst_mac) return dst_mac.error();
  Ipv4Address src = meta.src.is_unspecified() ? config_.address : meta.src.v4();
  UdpRepr udp{meta.src_port, meta.dst_port, static_cast<uint16_t>(data_len)};
  Ipv4Repr ip = ipv4_header(src, dst, IpProtocol::Udp, udp.buffer_len());
  ip.ttl = options.ttl;
  ip.dscp_ecn = options.tos;
  if (!fits) {
    // RFC 768: the checksum covers the whole datagram, computed before it is cut.
    uint8_t header[UdpDatagram::kHeaderLen];
    store_be16(header + UdpDatagram::kSrcPortOffset, udp.src_port);
    store_be16(header + UdpDatagram::kDstPortOffset, udp.dst_port);
    store_be16(header + UdpDatagram::kLengthOffset, static_cast<uint16_t>(udp.buffer_len()));
    store_be16(header + UdpDatagram::kChecksumOffset, 0);
    Checksum sum;
    sum.add_u16(ipv4_pseudo_header_sum(src, dst, static_cast<uint8_t>(IpProtocol::Udp),
                                       static_cast<uint16_t>(udp.buffer_len())));
    sum.add(Bytes(header));
    sum.add(options.prefix);
    sum.add(payload);
    uint16_t checksum = sum.finish();
    store_be16(header + UdpDatagram::kChecksumOffset, checksum == 0 ? 0xFFFF : checksum);
    return tx_udp_fragments(dst_mac.value(), ip, header, options.prefix, payload);
  }
  Result<MutableBytes> space = tx_ipv4_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  copy_bytes(space.value().subspan(UdpDatagram::kHeaderLen), options.prefix);
  copy_bytes(space.value().subspan(UdpDatagram::kHeaderLen + options.prefix.size()), payload);
  Result<void> status = udp.emit(space.value(), src, dst);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + udp.buffer_len());
}

Result<void> Interface::send_udp6(const UdpMeta& meta, Bytes payload,
                                  const UdpSendOptions& options) {
  // A meta whose source is the IPv4 default (0.0.0.0) lets us choose, as an
  // unspecified IPv6 one does; an IPv4 address proper mixes the families.
  if (!ipv6_enabled_ || (meta.src.is_v4() && !meta.src.is_unspecified()))
    return Error(Layer::Iface, Errc::Unsupported);
  const Ipv6Address dst = meta.dst.v6();
  Result<Ipv6Address> source = ipv6_source(meta.src.v6(), dst);
  if (!source) return source.error();
  const Ipv6Address src = source.value();
  size_t data_len = options.prefix.size() + payload.size();
  UdpRepr udp{meta.src_port, meta.dst_port, static_cast<uint16_t>(data_len)};
  if (Ipv6Repr::buffer_len() + udp.buffer_len() > ipv6_mtu()) return Error(Layer::Udp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_ipv6_next_hop(dst);
  if (!dst_mac) return dst_mac.error();
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = ipv6_next::kUdp;
  ip.payload_len = static_cast<uint16_t>(udp.buffer_len());
  // The IPv4 TTL default stands for "the interface's": the RA's hop limit then.
  ip.hop_limit = options.ttl == kTtl ? slaac_.hop_limit() : options.ttl;
  ip.traffic_class = options.tos;
  Result<MutableBytes> space = tx_ipv6_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  copy_bytes(space.value().subspan(UdpDatagram::kHeaderLen), options.prefix);
  copy_bytes(space.value().subspan(UdpDatagram::kHeaderLen + options.prefix.size()), payload);
  Result<void> status = udp.emit(space.value(), src, dst);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + udp.buffer_len());
}

Result<void> Interface::tx_udp_fragments(MacAddress dst_mac, Ipv4Repr ip,
                                         const uint8_t (&udp_header)[8], Bytes prefix, Bytes payload) {
  // The datagram is header | prefix | payload; each fragment carries a multiple
  // of 8 bytes of it but the last (RFC 791 "fragment offset ... in units of 8").
  const size_t total = sizeof(udp_header) + prefix.size() + payload.size();
  const size_t per_fragment = (mtu_ - Ipv4Repr::buffer_len()) & ~size_t{7};
  Bytes pieces[3] = {Bytes(udp_header), prefix, payload};
  for (size_t offset = 0; offset < total; offset += per_fragment) {
    size_t len = total - offset < per_fragment ? total - offset : per_fragment;
    Ipv4Repr fragment = ip;
    fragment.payload_len = static_cast<uint16_t>(len);
    fragment.fragment_offset = static_cast<uint16_t>(offset);
    fragment.more_fragments = offset + len < total;
    Result<MutableBytes> space = tx_ipv4_begin(dst_mac, fragment);
    if (!space) return space.error();
    // Copy [offset, offset + len) of the three pieces laid end to end.
    size_t at = 0, written = 0;
    for (Bytes piece : pieces) {
      size_t begin = offset > at ? offset - at : 0;
      size_t end = offset + len - at;
      if (begin < piece.size() && end > 0) {
        size_t stop = end < piece.size() ? end : piece.size();
        copy_bytes(space.value().subspan(written), piece.subspan(begin, stop - begin));
        written += stop - begin;
      }
      at += piece.size();
      if (at >= offset + len) break;
    }
    Result<void> sent = tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + len);
    if (!sent) return sent;
  }
  ++counters_.tx_fragmented;
  return {};
}

}  // namespace mpxe::net
