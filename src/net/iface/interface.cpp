#include "net/iface/interface.h"

#include "net/wire/checksum.h"

#include "core/byte_ops.h"
#include "net/wire/icmp.h"
#include "net/wire/tcp.h"
#include "net/wire/udp.h"

namespace mpxe::net {

const char* drop_text(Drop reason) {
  switch (reason) {
    case Drop::Malformed: return "malformed";
    case Drop::BadChecksum: return "bad checksum";
    case Drop::NotForUs: return "not for us";
    case Drop::Unsupported: return "unsupported";
    case Drop::NoEndpoint: return "no endpoint";
    case Drop::Fragment: return "fragment refused";
    case Drop::TooBig: return "answer too big";
  }
  return "unknown";
}

Interface::Interface(phy::Device& device, Span<const MutableBytes> reassembly_buffers)
    : device_(device), reassembler_(reassembly_buffers) {
  phy::DeviceInfo info = device.info();
  mac_ = MacAddress::from_bytes(info.mac);
  if (info.mtu != 0 && info.mtu < kMaxMtu) mtu_ = info.mtu;
}

// ---------------------------------------------------------------------------
// Polling and timers

size_t Interface::poll(Millis now) {
  now_ = now;
  reassembler_.expire(now);
  Ipv4Address target;
  while (arp_.next_request(now, target))
    (void)tx_arp(ArpOperation::Request, MacAddress::broadcast(), MacAddress{}, target,
                 config_.address);

  size_t handled = 0;
  phy::RxFrame frame;
  while (handled < kRxBatch && device_.receive(frame)) {
    ++handled;
    ++counters_.rx_frames;
    counters_.rx_bytes += frame.size;
    rx_frame(Bytes(frame.data, frame.size));
    device_.release(frame);
  }
  // After the batch: TCP timers, and one ACK per connection for all the data
  // the batch brought (see tcp_connection.h on the ACK policy).
  for (size_t i = 0; i < kMaxTcpConnections; ++i)
    if (owns(i)) tcp_[i]->poll(now, *this);
  return handled;
}

Millis Interface::next_deadline() const {
  Millis arp = arp_.next_deadline();
  Millis fragments = reassembler_.next_deadline();
  Millis next = arp < fragments ? arp : fragments;
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (!owns(i)) continue;
    Millis tcp = tcp_[i]->next_deadline();
    if (tcp < next) next = tcp;
  }
  return next;
}

void Interface::drop(Drop reason, Error error) {
  ++counters_.drops[static_cast<size_t>(reason)];
  if (error.is_error()) counters_.last_drop_error = error;
}

// ---------------------------------------------------------------------------
// Bindings

UdpEndpoint* Interface::endpoint_for(uint16_t port) const {
  for (const Binding& binding : bindings_)
    if (binding.port == port && port != 0) return binding.endpoint;
  return nullptr;
}

bool Interface::is_bound(uint16_t port) const { return endpoint_for(port) != nullptr; }

bool Interface::port_in_use(uint16_t port) const {
  if (is_bound(port)) return true;
  for (size_t i = 0; i < kMaxTcpConnections; ++i) {
    if (tcp_[i] == nullptr) continue;
    const TcpTuple& tuple = owns(i) ? tcp_[i]->tuple() : diverted_[i].tuple;
    if (tuple.local_port == port) return true;
  }
  return false;
}

Status Interface::bind(uint16_t port, UdpEndpoint& endpoint) {
  if (port == 0) return Error(Layer::Iface, Errc::BadValue);
  if (is_bound(port)) return Error(Layer::Iface, Errc::InUse);
  for (Binding& binding : bindings_) {
    if (binding.port != 0) continue;
    binding = Binding{port, &endpoint};
    return {};
  }
  return Error(Layer::Iface, Errc::Exhausted);
}

void Interface::unbind(uint16_t port) {
  for (Binding& binding : bindings_)
    if (binding.port == port) binding = Binding{};
}

Result<uint16_t> Interface::allocate_port(Random& random) const {
  static_assert((kEphemeralCount & (kEphemeralCount - 1)) == 0, "a mask draws it unbiased");
  // With at most kMaxBindings ports taken of 16384, a few draws always find one;
  // the walk from a random start is there so the loop provably ends.
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint16_t port = static_cast<uint16_t>(kEphemeralFirst + (random.next_u32() & (kEphemeralCount - 1)));
    if (!port_in_use(port)) return port;
  }
  uint32_t start = random.next_u32() & (kEphemeralCount - 1);
  for (uint32_t i = 0; i < kEphemeralCount; ++i) {
    uint16_t port = static_cast<uint16_t>(kEphemeralFirst + ((start + i) & (kEphemeralCount - 1)));
    if (!port_in_use(port)) return port;
  }
  return Error(Layer::Iface, Errc::Exhausted);
}

// ---------------------------------------------------------------------------
// Receive path

void Interface::rx_frame(Bytes bytes) {
  Result<EthernetFrame> checked = EthernetFrame::check(bytes);
  if (!checked) return drop(Drop::Malformed, checked.error());
  const EthernetFrame& frame = checked.value();
  // No multicast group is joined: only our own address and broadcast.
  if (frame.dst() != mac_ && !frame.dst().is_broadcast()) return drop(Drop::NotForUs);
  // A source must be one station (IEEE 802: the I/G bit clear), and a real one:
  // answers go back to it.
  if (!frame.src().is_unicast() || frame.src().is_zero())
    return drop(Drop::Malformed, Error(Layer::Ethernet, Errc::BadAddress));
  switch (frame.ethertype()) {
    case static_cast<uint16_t>(EtherType::Arp): return rx_arp(frame);
    case static_cast<uint16_t>(EtherType::Ipv4): return rx_ipv4(frame);
    default: return drop(Drop::Unsupported);
  }
}

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
  if (now_ >= rst_window_start_ + 1000 || now_ < rst_window_start_) {
    rst_window_start_ = now_;
    rst_window_count_ = 0;
  }
  if (rst_window_count_ >= kTcpResetsPerSecond) return;
  ++rst_window_count_;
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

// ---------------------------------------------------------------------------
// TCP connections

void Interface::set_random(Random& random) {
  random_ = &random;
  isn_.seed(random);
}

Status Interface::tcp_connect(TcpConnection& connection, Ipv4Address remote, uint16_t port,
                              TcpReceiver& receiver, const TcpConfig& config, Millis now) {
  if (random_ == nullptr) return Error(Layer::Tcp, Errc::Unsupported);
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
  Status status = connection.connect(tuple, isn_.isn(tuple, now), receiver, config, now, *this);
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

Status Interface::tcp_divert(TcpConnection& connection, TcpSegmentSink& sink, uint32_t cookie) {
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

Status Interface::send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) {
  size_t len = header.header_len() + payload.size();
  if (len + Ipv4Repr::buffer_len() > mtu_) return Error(Layer::Tcp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_next_hop(tuple.remote);
  if (!dst_mac) return dst_mac.error();
  Ipv4Repr ip = ipv4_header(tuple.local, tuple.remote, IpProtocol::Tcp, len);
  ip.dont_fragment = true;  // RFC 9293 3.7.2: path MTU discovery
  Result<MutableBytes> space = tx_ipv4_begin(dst_mac.value(), ip);
  if (!space) return space.error();
  copy_bytes(space.value().subspan(header.header_len()), payload);
  TcpRepr repr = header;
  repr.payload_len = payload.size();
  Status status = repr.emit(space.value(), tuple.local, tuple.remote);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + len);
}

// ---------------------------------------------------------------------------
// Transmit path

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
  Status status = eth.emit(frame);
  if (status) status = ip.emit(frame.subspan(EthernetFrame::kHeaderLen));
  if (!status) return status.error();
  return frame.subspan(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len());
}

Status Interface::tx_udp_fragments(MacAddress dst_mac, Ipv4Repr ip,
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
    Status sent = tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + len);
    if (!sent) return sent;
  }
  ++counters_.tx_fragmented;
  return {};
}

Status Interface::tx_frame(size_t length) {
  // Short frames are padded to the Ethernet minimum here: a NIC usually pads on
  // its own, but a TAP device passes whatever it is given.
  if (length < EthernetFrame::kMinFrameLen) {
    fill_bytes(MutableBytes(tx_buffer_ + length, EthernetFrame::kMinFrameLen - length), 0);
    length = EthernetFrame::kMinFrameLen;
  }
  if (!device_.transmit(Bytes(tx_buffer_, length))) {
    ++counters_.tx_full;
    return Error(Layer::Iface, Errc::WouldBlock);
  }
  ++counters_.tx_frames;
  counters_.tx_bytes += length;
  return {};
}

Status Interface::tx_arp(ArpOperation operation, MacAddress eth_dst, MacAddress target_mac,
                         Ipv4Address target_ip, Ipv4Address sender_ip) {
  constexpr size_t kLen = EthernetFrame::kHeaderLen + ArpRepr::buffer_len();
  MutableBytes frame(tx_buffer_, kLen);
  EthernetRepr eth{mac_, eth_dst, EtherType::Arp};
  ArpRepr arp{operation, mac_, sender_ip, target_mac, target_ip};
  Status status = eth.emit(frame);
  if (status) status = arp.emit(frame.subspan(EthernetFrame::kHeaderLen));
  if (!status) return status;
  if (operation == ArpOperation::Request) ++counters_.arp_requests;
  return tx_frame(kLen);
}

Status Interface::send_udp(const UdpMeta& meta, Bytes payload) {
  return send_udp(meta, payload, UdpSendOptions());
}

Status Interface::send_udp(const UdpMeta& meta, Bytes payload, const UdpSendOptions& options) {
  size_t data_len = options.prefix.size() + payload.size();
  if (data_len > kMaxUdpDatagramPayload) return Error(Layer::Udp, Errc::TooBig);
  bool fits = UdpDatagram::kHeaderLen + data_len + Ipv4Repr::buffer_len() <= mtu_;
  if (!fits && !options.may_fragment) return Error(Layer::Udp, Errc::TooBig);
  Result<MacAddress> dst_mac = resolve_next_hop(meta.dst, options.gateway);
  if (!dst_mac) return dst_mac.error();
  Ipv4Address src = meta.src.is_unspecified() ? config_.address : meta.src;
  UdpRepr udp{meta.src_port, meta.dst_port, static_cast<uint16_t>(data_len)};
  Ipv4Repr ip = ipv4_header(src, meta.dst, IpProtocol::Udp, udp.buffer_len());
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
    sum.add_u16(ipv4_pseudo_header_sum(src, meta.dst, static_cast<uint8_t>(IpProtocol::Udp),
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
  Status status = udp.emit(space.value(), src, meta.dst);
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + udp.buffer_len());
}

Status Interface::send_ping(Ipv4Address dst, uint16_t ident, uint16_t seq, Bytes data) {
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
  Status status = icmp.emit(space.value());
  if (!status) return status;
  return tx_frame(EthernetFrame::kHeaderLen + Ipv4Repr::buffer_len() + icmp.buffer_len());
}

Status Interface::announce() {
  if (!config_.configured()) return Error(Layer::Iface, Errc::Unreachable);
  // RFC 5227 2.3: "an ARP Request packet, broadcast on the local link ... the
  // 'sender IP address' and 'target IP address' both set to the host's newly
  // selected IPv4 address".
  return tx_arp(ArpOperation::Request, MacAddress::broadcast(), MacAddress{}, config_.address,
                config_.address);
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
  if (now_ >= icmp_window_start_ + 1000 || now_ < icmp_window_start_) {
    icmp_window_start_ = now_;
    icmp_window_count_ = 0;
  }
  if (icmp_window_count_ >= kIcmpErrorsPerSecond) return;
  ++icmp_window_count_;
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
