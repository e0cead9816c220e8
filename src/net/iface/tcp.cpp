// TCP over IPv4 and IPv6: the registry of connections and their diversion to
// another owner, segments routed to them, resets for segments of no connection,
// and segments out. Only the receive check and the header out differ by family.
#include "net/iface/interface.h"

#include "core/byte_ops.h"
#include "net/wire/tcp.h"

namespace mpxe::net {
namespace {

// The header and payload of one segment into `space` (just past the IP header).
Result<void> fill_segment(MutableBytes space, const TcpRepr& header, Bytes payload,
                          const IpAddress& src, const IpAddress& dst) {
  copy_bytes(space.subspan(header.header_len()), payload);
  TcpRepr repr = header;
  repr.payload_len = payload.size();
  return repr.emit(space, src, dst);
}

}  // namespace

// ---------------------------------------------------------------------------
// Connections

void Interface::set_random(Random& random) {
  random_ = &random;
  isn_.seed(random);
}

Result<void> Interface::tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                                    StreamReceiver& receiver, const TcpConfig& config, Millis now) {
  if (random_ == nullptr) return Error(Layer::Tcp, Errc::Unsupported);
  now_ = now;
  IpAddress local = config_.address;
  if (remote.is_v6()) {
    if (!ipv6_enabled_) return Error(Layer::Iface, Errc::Unsupported);
    Result<Ipv6Address> source = ipv6_source(Ipv6Address::unspecified(), remote.v6());
    if (!source) return source.error();
    local = source.value();
  } else if (!config_.configured()) {
    return Error(Layer::Iface, Errc::Unreachable);
  }
  TcpConfig capped = config;
  if (capped.mss > tcp_mss(remote.family())) capped.mss = tcp_mss(remote.family());
  size_t slot = kMaxTcpConnections;
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (tcp_[i] == &connection) {
      slot = i;
      break;
    }
    if (tcp_[i] == nullptr && slot == kMaxTcpConnections) slot = i;
  }
  if (slot == kMaxTcpConnections) return Error(Layer::Iface, Errc::Exhausted);
  tcp_[slot] = nullptr;  // its old port is free to draw again
  diverted_[slot] = Diversion{};
  Result<uint16_t> local_port = allocate_port(*random_);
  if (!local_port) return local_port.error();
  TcpTuple tuple{local, local_port.value(), remote, port};
  tcp_[slot] = &connection;
  Result<void> status = connection.connect(tuple, isn_.isn(tuple, now), receiver, capped, now, *this);
  if (!status) tcp_[slot] = nullptr;
  return status;
}

uint16_t Interface::tcp_mss(IpFamily family) const {
  const size_t ip_header = family == IpFamily::V6 ? Ipv6Repr::buffer_len() : Ipv4Repr::buffer_len();
  const uint16_t mtu = family == IpFamily::V6 ? ipv6_mtu() : mtu_;
  return static_cast<uint16_t>(mtu - ip_header - TcpSegment::kMinHeaderLen);
}

void Interface::tcp_release(TcpConnection& connection) {
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (tcp_[i] != &connection) continue;
    tcp_[i] = nullptr;
    diverted_[i] = Diversion{};
  }
}

Result<void> Interface::tcp_divert(TcpConnection& connection, TcpSegmentSink& sink, uint32_t cookie) {
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (tcp_[i] != &connection) continue;
    if (connection.state() == TcpConnection::State::Closed) break;
    diverted_[i] = Diversion{&sink, cookie, connection.tuple()};
    return {};
  }
  return Error(Layer::Iface, Errc::BadValue);
}

void Interface::tcp_undivert(TcpConnection& connection) {
  for (size_t i = 0; i < kMaxTcpConnections; ++i)
    if (tcp_[i] == &connection) diverted_[i] = Diversion{};
}

// ---------------------------------------------------------------------------
// Segments

void Interface::rx_tcp(const Ipv4Repr& ip, Bytes payload) {
  // TCP is unicast only (RFC 9293 3.9.2.3 has no broadcast connections).
  if (!config_.configured() || ip.dst != config_.address) return drop(Drop::NotForUs);
  rx_tcp_segment(ip.src, ip.dst, payload);
}

void Interface::rx_tcp6(const Ipv6Repr& ip, Bytes payload) {
  // rx_ipv6 took the destination as one of our usable addresses or a group we
  // are in; RFC 1122 4.2.3.10: a segment to a group is silently discarded.
  if (ip.dst.is_multicast()) return drop(Drop::NotForUs);
  rx_tcp_segment(ip.src, ip.dst, payload);
}

void Interface::rx_tcp_segment(const IpAddress& src, const IpAddress& dst, Bytes payload) {
  Result<TcpSegment> segment = TcpSegment::check(payload);
  if (!segment) return drop(Drop::Malformed, segment.error());
  TcpTuple arrived{dst, segment.value().dst_port(), src, segment.value().src_port()};
  for (const Diversion& diversion : diverted_) {
    if (diversion.sink != nullptr && diversion.tuple == arrived) {
      diversion.sink->tcp_segment(diversion.cookie, src, dst, payload);
      return;
    }
  }
  Result<TcpRepr> parsed = TcpRepr::parse(segment.value(), src, dst);
  if (!parsed) {
    return drop(parsed.error().reason() == Errc::BadChecksum ? Drop::BadChecksum : Drop::Malformed,
                parsed.error());
  }
  const TcpRepr& tcp = parsed.value();
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (owns(i) && tcp_[i]->matches(arrived)) {
      tcp_[i]->on_segment(tcp, segment.value().payload(), now_, *this);
      return;
    }
  }
  drop(Drop::NoEndpoint);
  tx_tcp_reset(src, dst, tcp);
}

void Interface::tx_tcp_reset(const IpAddress& src, const IpAddress& dst, const TcpRepr& segment) {
  // RFC 9293 3.10.7.1, a segment for no connection: never answer a RST; answer
  // anything else with one that the sender will accept. Nothing to a group
  // (RFC 1122 4.2.3.10: such segments are silently discarded).
  if (segment.has(tcp_flags::kRst) || !src.is_unicast() || dst.is_multicast()) return;
  if (!tcp_resets_.allow(now_, kTcpResetsPerSecond)) return;
  TcpRepr reset;
  reset.src_port = segment.dst_port;
  reset.dst_port = segment.src_port;
  if (segment.has(tcp_flags::kAck)) {
    reset.seq = segment.ack;
    reset.flags = tcp_flags::kRst;
  } else {
    reset.ack = segment.seq + segment.seq_len();
    reset.flags = tcp_flags::kRst | tcp_flags::kAck;
  }
  if (send_tcp(TcpTuple{dst, segment.dst_port, src, segment.src_port}, reset, Bytes()))
    ++counters_.tcp_resets;
}

Result<void> Interface::send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) {
  if (tuple.local.family() != tuple.remote.family()) return Error(Layer::Iface, Errc::Unsupported);
  if (tuple.remote.is_v6()) return send_tcp6(tuple, header, payload);
  const Ipv4Address local = tuple.local.v4(), remote = tuple.remote.v4();
  size_t len = header.header_len() + payload.size();
  if (len + Ipv4Repr::buffer_len() > mtu_) return Error(Layer::Tcp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_next_hop(remote);
  if (!dst_mac) return dst_mac.error();
  Ipv4Repr ip = ipv4_header(local, remote, IpProtocol::Tcp, len);
  ip.dont_fragment = true;  // RFC 9293 3.7.2: path MTU discovery
  Result<MutableBytes> space = tx_ipv4_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  Result<void> status = fill_segment(space.value(), header, payload, local, remote);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + len);
}

Result<void> Interface::send_tcp6(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) {
  if (!ipv6_enabled_) return Error(Layer::Iface, Errc::Unsupported);
  const Ipv6Address remote = tuple.remote.v6();
  // The connection's address may have expired since it opened: it then sends
  // nothing (RFC 4862 5.5.4: an invalid address is not a source).
  Result<Ipv6Address> local = ipv6_source(tuple.local.v6(), remote);
  if (!local) return local.error();
  size_t len = header.header_len() + payload.size();
  if (len + Ipv6Repr::buffer_len() > ipv6_mtu()) return Error(Layer::Tcp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_ipv6_next_hop(remote);
  if (!dst_mac) return dst_mac.error();
  Ipv6Repr ip;
  ip.src = local.value();
  ip.dst = remote;
  ip.next_header = ipv6_next::kTcp;
  ip.payload_len = static_cast<uint16_t>(len);
  ip.hop_limit = slaac_.hop_limit();
  Result<MutableBytes> space = tx_ipv6_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  Result<void> status = fill_segment(space.value(), header, payload, local.value(), remote);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv6Repr::buffer_len() + len);
}

}  // namespace mpxe::net
