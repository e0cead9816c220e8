// The interface's core: construction, the poll loop and its deadline, drop
// accounting, and the UDP port bindings. Each protocol's receive and transmit
// paths live beside it: ethernet.cpp, arp.cpp, ipv4.cpp, icmpv4.cpp, udp.cpp,
// tcp.cpp, and for IPv6 ipv6.cpp, icmpv6.cpp, ndp.cpp.
#include "net/iface/interface.h"

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

namespace {

uint16_t device_mtu(const phy::DeviceInfo& info) {
  return info.mtu != 0 && info.mtu < Interface::kMaxMtu ? info.mtu : Interface::kMaxMtu;
}

}  // namespace

Interface::Interface(phy::Device& device, Span<const MutableBytes> reassembly_buffers)
    : device_(device),
      mac_(MacAddress::from_bytes(device.info().mac)),
      mtu_(device_mtu(device.info())),
      reassembler_(reassembly_buffers),
      slaac_(mac_, mtu_),
      mld_(mac_) {}

void Interface::enable_ipv6(Millis now) {
  now_ = now;
  ipv6_enabled_ = true;
  slaac_.start(now, *this);
  sync_rx_filter();
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
  if (ipv6_enabled_) {
    slaac_.poll(now, *this);
    mld_.poll(now, *this);
    NeighborCache::Solicitation solicitation;
    while (neighbors_.next_solicitation(now, solicitation))
      (void)tx_neighbor_solicitation(solicitation.target,
                                     solicitation.unicast ? &solicitation.mac : nullptr);
  }

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
  // An RA in the batch may have brought addresses, and groups with them.
  if (ipv6_enabled_) {
    sync_mld_groups();
    sync_rx_filter();
  }
  return handled;
}

Millis Interface::next_deadline() const {
  Millis arp = arp_.next_deadline();
  Millis fragments = reassembler_.next_deadline();
  Millis next = arp < fragments ? arp : fragments;
  if (ipv6_enabled_) {
    Millis slaac = slaac_.next_deadline();
    Millis neighbors = neighbors_.next_deadline();
    Millis mld = mld_.next_deadline();
    if (mld < next) next = mld;
    if (slaac < next) next = slaac;
    if (neighbors < next) next = neighbors;
  }
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

Result<void> Interface::bind(uint16_t port, UdpEndpoint& endpoint) {
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

}  // namespace mpxe::net
