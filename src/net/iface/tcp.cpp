// TCP: the registry of connections and their diversion to another owner,
// segments routed to them, resets for segments of no connection, and segments
// out.
#include "net/iface/interface.h"

#include "core/byte_ops.h"
#include "net/wire/tcp.h"

namespace mpxe::net {

// ---------------------------------------------------------------------------
// Connections

void Interface::set_random(Random& random) {
  random_ = &random;
  isn_.seed(random);
}

Result<void> Interface::tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                                    StreamReceiver& receiver, const TcpConfig& config, Millis now) {
  if (random_ == nullptr) return Error(Layer::Tcp, Errc::Unsupported);
  if (!remote.is_v4()) return Error(Layer::Iface, Errc::Unsupported);
  if (!config_.configured()) return Error(Layer::Iface, Errc::Unreachable);
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
  TcpTuple tuple{config_.address, local_port.value(), remote, port};
  tcp_[slot] = &connection;
  now_ = now;
  Result<void> status = connection.connect(tuple, isn_.isn(tuple, now), receiver, config, now, *this);
  if (!status) tcp_[slot] = nullptr;
  return status;
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
  Result<TcpSegment> segment = TcpSegment::check(payload);
  if (!segment) return drop(Drop::Malformed, segment.error());
  TcpTuple arrived{ip.dst, segment.value().dst_port(), ip.src, segment.value().src_port()};
  for (const Diversion& diversion : diverted_) {
    if (diversion.sink != nullptr && diversion.tuple == arrived) {
      diversion.sink->tcp_segment(diversion.cookie, ip.src, ip.dst, payload);
      return;
    }
  }
  Result<TcpRepr> parsed = TcpRepr::parse(segment.value(), ip.src, ip.dst);
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
  tx_tcp_reset(ip, tcp);
}

void Interface::tx_tcp_reset(const Ipv4Repr& ip, const TcpRepr& segment) {
  // RFC 9293 3.10.7.1, a segment for no connection: never answer a RST; answer
  // anything else with one that the sender will accept.
  if (segment.has(tcp_flags::kRst) || !ip.src.is_unicast()) return;
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
  if (send_tcp(TcpTuple{ip.dst, segment.dst_port, ip.src, segment.src_port}, reset, Bytes()))
    ++counters_.tcp_resets;
}

Result<void> Interface::send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) {
  if (!tuple.local.is_v4() || !tuple.remote.is_v4()) return Error(Layer::Iface, Errc::Unsupported);
  const Ipv4Address local = tuple.local.v4(), remote = tuple.remote.v4();
  size_t len = header.header_len() + payload.size();
  if (len + Ipv4Repr::buffer_len() > mtu_) return Error(Layer::Tcp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_next_hop(remote);
  if (!dst_mac) return dst_mac.error();
  Ipv4Repr ip = ipv4_header(local, remote, IpProtocol::Tcp, len);
  ip.dont_fragment = true;  // RFC 9293 3.7.2: path MTU discovery
  Result<MutableBytes> space = tx_ipv4_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  copy_bytes(space.value().subspan(header.header_len()), payload);
  TcpRepr repr = header;
  repr.payload_len = payload.size();
  Result<void> status = repr.emit(space.value(), local, remote);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + len);
}

}  // namespace mpxe::net
