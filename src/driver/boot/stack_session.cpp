#include "driver/boot/stack_session.h"

#include "core/byte_ops.h"
#include "core/format.h"
#include "driver/efi/efi_status.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {

using namespace uefi;
using net::Ipv4Address;
using net::Millis;

namespace {

constexpr Millis kDhcpLimitMs = 60000;
constexpr Millis kProgressEveryMs = 200;
constexpr Millis kUdpWriteArpWaitMs = 2000;
constexpr Millis kArpWaitMs = 3000;
constexpr uint16_t kDiscardPort = 9;  // RFC 863; nothing is ever sent to it
// The largest TFTP block that crosses Ethernet unfragmented over IPv6: MTU 1500
// less the IPv6 (40), UDP (8) and DATA (4) headers. IPv6 is never fragmented here.
constexpr uint16_t kTftpV6BlockSize = 1500 - 40 - 8 - 4;

void copy_raw(RawPacket& out, const net::DhcpRawPacket& in) {
  out.size = copy_bytes(MutableBytes(out.bytes, sizeof(out.bytes)), in.view());
}

// Writes a download into a caller's buffer, refusing anything past its end.
class BufferSink final : public net::TftpSink {
 public:
  BufferSink(uint8_t* buffer, uint64_t capacity) : buffer_(buffer), capacity_(capacity) {}
  net::Result<void> on_size(uint64_t tsize) override {
    size_ = tsize;
    if (buffer_ != nullptr && tsize > capacity_) {
      too_small_ = true;
      return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    }
    return {};
  }
  net::Result<void> on_data(uint64_t offset, Bytes data) override {
    if (buffer_ == nullptr) return {};  // DontUseBuffer: fetch and count only
    if (offset + data.size() > capacity_) {
      too_small_ = true;
      return net::Error(net::Layer::Tftp, net::Errc::NoSpace);
    }
    copy_bytes(MutableBytes(buffer_ + offset, data.size()), data);
    return {};
  }
  bool too_small() const { return too_small_; }
  uint64_t announced_size() const { return size_; }

 private:
  uint8_t* buffer_;
  uint64_t capacity_;
  uint64_t size_ = 0;
  bool too_small_ = false;
};

}  // namespace

void RawUdpQueue::on_datagram(const net::UdpMeta& meta, Bytes payload, Millis, net::UdpSender&) {
  // Either family: UdpRead's filter keeps to the protocol's (the station's).
  // Oldest first; a full queue drops the newest, as a socket buffer would.
  for (size_t i = 0; i < kSlots; ++i) {
    Slot& slot = slots_[(next_ + i) % kSlots];
    if (slot.used) continue;
    slot.used = true;
    slot.meta = UdpDatagram{meta.src, meta.dst, meta.src_port, meta.dst_port};
    slot.size = copy_bytes(MutableBytes(slot.bytes, sizeof(slot.bytes)), payload);
    return;
  }
}

void RawUdpQueue::on_unreachable(const net::UdpMeta& quoted, uint8_t code, net::Millis) {
  unreachable_ = true;
  unreachable_quoted_ = UdpDatagram{quoted.src, quoted.dst, quoted.src_port, quoted.dst_port};
  unreachable_code_ = code;
}

bool RawUdpQueue::take_unreachable(UdpDatagram* quoted, uint8_t* code) {
  if (!unreachable_) return false;
  unreachable_ = false;
  *quoted = unreachable_quoted_;
  *code = unreachable_code_;
  return true;
}

bool RawUdpQueue::take(const UdpFilter& filter, uint8_t* buffer, size_t* size, UdpDatagram* got,
                       bool* truncated) {
  for (size_t i = 0; i < kSlots; ++i) {
    Slot& slot = slots_[(next_ + i) % kSlots];
    if (!slot.used) continue;
    const UdpDatagram& m = slot.meta;
    if (!filter.matches(m)) continue;
    *truncated = slot.size > *size;
    *size = copy_bytes(MutableBytes(buffer, *size), Bytes(slot.bytes, slot.size));
    *got = m;
    slot.used = false;
    next_ = static_cast<uint32_t>((next_ + i + 1) % kSlots);
    return true;
  }
  return false;
}

Status StackSession::init(phy::Device* device, const uint8_t mac[6]) {
  device_ = device;
  clock_.calibrate();
  random_.seed(mac);
  // Reassembly takes datagrams up to 64 KiB, so a server may answer a large
  // blksize with fragmented IP. Allocated once, here, never in the packet path.
  static constexpr size_t kSlots = net::Reassembler::kMaxSlots;
  auto* storage = static_cast<uint8_t*>(allocate(kSlots * net::Reassembler::kMaxPayload));
  auto* buffers = static_cast<MutableBytes*>(allocate(kSlots * sizeof(MutableBytes)));
  if (storage == nullptr || buffers == nullptr) return kOutOfResources;
  for (size_t i = 0; i < kSlots; ++i)
    new (&buffers[i]) MutableBytes(storage + i * net::Reassembler::kMaxPayload,
                                   net::Reassembler::kMaxPayload);
  iface_ = new (std::nothrow) net::Interface(*device, Span<const MutableBytes>(buffers, kSlots));
  raw_ = new (std::nothrow) RawUdpQueue;
  if (iface_ == nullptr || raw_ == nullptr) return kOutOfResources;
  iface_->set_random(random_);  // TCP's ephemeral ports and ISN secret
  return kSuccess;
}

Status StackSession::up() {
  if (iface_ == nullptr) return kNotReady;
  up_ = true;
  return kSuccess;
}

void StackSession::down() { up_ = false; }

net::MacAddress StackSession::mac() const { return iface_->mac(); }

void StackSession::adopt(const net::DhcpLease& lease) {
  dns_server_count_ = 0;
  for (uint8_t i = 0; i < lease.dns_server_count && i < net::DnsResolverConfig::kMaxServers; ++i)
    dns_servers_[dns_server_count_++] = lease.dns_servers[i];
  dns_family_ = net::DnsFamily::V4;
  lease_ = NetLease();
  lease_.station = lease.address;
  lease_.mask = lease.subnet_mask;
  lease_.router = lease.router_count > 0 ? lease.routers[0] : Ipv4Address::unspecified();
  lease_.boot_server = lease.boot_server;
  lease_.boot_address = lease.boot_server;
  copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(lease_.boot_file), sizeof(lease_.boot_file) - 1),
             lease.boot_file.view());
  copy_raw(lease_.discover, lease.discover);
  copy_raw(lease_.ack, lease.ack);
  copy_raw(lease_.proxy_offer, lease.proxy_offer);
  copy_raw(lease_.pxe_discover, lease.pxe_discover);
  copy_raw(lease_.pxe_reply, lease.pxe_reply);
}

Status StackSession::dhcp(DhcpFlavor flavor) {
  Status s = up();
  if (is_error(s)) return s;
  if (dhcp_ != nullptr) {
    delete dhcp_;
    dhcp_ = nullptr;
  }
  net::DhcpConfig config;
  config.mac = iface_->mac();
  config.mode = flavor == DhcpFlavor::Http ? net::DhcpMode::Http : net::DhcpMode::Pxe;
  dhcp_ = new (std::nothrow) net::DhcpClient(config, random_);
  if (dhcp_ == nullptr) return kOutOfResources;
  iface_->set_ipv4(net::Ipv4Config{});
  net::Result<void> bound = iface_->bind(net::kDhcpClientPort, *dhcp_);
  if (!bound.ok()) return efi_status(bound.error());
  Millis start = clock_.now();
  dhcp_->start(start);
  bool configured = false;
  poll_until(
      [&] {
        // The address as soon as it is ours: the port-4011 request to a ProxyDHCP
        // server, which the next poll sends, is unicast from it.
        if (!configured && dhcp_->has_address()) {
          const net::DhcpLease& l = dhcp_->lease();
          iface_->set_ipv4(net::Ipv4Config{l.address, l.subnet_mask,
                                           l.router_count > 0 ? l.routers[0] : Ipv4Address()});
          configured = true;
        }
        return dhcp_->done();
      },
      dhcp_, start + kDhcpLimitMs);
  iface_->unbind(net::kDhcpClientPort);
  const bool failed = dhcp_->state() != net::DhcpState::Bound && !dhcp_->has_address();
  if (failed) log("mpxe: DHCP failed: %s\n", net::dhcp_failure_text(dhcp_->failure()));
  // A broken server is named whether or not another one gave the lease.
  char faults[240];
  if (net::dhcp_fault_summary(dhcp_->stats(), faults, sizeof(faults)) > 0)
    log("mpxe: DHCP: %s\n", faults);
  if (failed) return efi_status(dhcp_->failure());
  adopt(dhcp_->lease());
  iface_->set_ipv4(net::Ipv4Config{lease_.station, lease_.mask, lease_.router});
  (void)iface_->announce();
  return kSuccess;
}

Bytes StackSession::pxe_options() const {
  return dhcp_ != nullptr ? dhcp_->lease().pxe_option_bytes() : Bytes();
}

Status StackSession::discover(const net::PxeDiscoveryRequest& request) {
  if (!up_ || dhcp_ == nullptr || !dhcp_->has_address()) return kNotReady;
  if (discovery_ == nullptr) {
    net::DhcpConfig identity = dhcp_->config();
    identity.mode = net::DhcpMode::Pxe;
    discovery_ = new (std::nothrow) net::PxeDiscovery(identity, random_);
    if (discovery_ == nullptr) return kOutOfResources;
  }
  net::Result<void> bound = iface_->bind(net::kDhcpClientPort, *discovery_);
  if (!bound.ok()) return efi_status(bound.error());
  net::PxeDiscoveryRequest r = request;
  r.client = lease_.station;
  discovery_->start(r, clock_.now());
  // The machine bounds itself (4 sends per destination, a handful of them).
  poll_until([&] { return discovery_->done(); }, discovery_, net::kNever);
  iface_->unbind(net::kDhcpClientPort);
  if (discovery_->failure() != net::PxeDiscoveryFailure::None)
    return efi_status(discovery_->failure());
  dhcp_->take_discovery(discovery_->request_packet(), discovery_->reply_packet(), clock_.now());
  Ipv4Address station = lease_.station, mask = lease_.mask, router = lease_.router;
  adopt(dhcp_->lease());
  // SetStationIp may have moved the station since DHCP: keep what is configured.
  lease_.station = station;
  lease_.mask = mask;
  lease_.router = router;
  return kSuccess;
}

void StackSession::set_station(Ipv4Address ip, Ipv4Address mask, Ipv4Address router) {
  lease_.station = ip;
  lease_.mask = mask;
  lease_.router = router;
  iface_->set_ipv4(net::Ipv4Config{ip, mask, router});
}

Status StackSession::tftp_fetch(const net::IpAddress& server, uint16_t server_port,
                                const char* name, Sink& sink, uint16_t block_size,
                                const FetchHooks& hooks) {
  return tftp_run(server, server_port, name, sink, block_size, false, hooks);
}

Status StackSession::tftp_run(const net::IpAddress& server, uint16_t server_port,
                              const char* name, Sink& sink, uint16_t block_size, bool size_only,
                              const FetchHooks& hooks) {
  if (!up_) return kNotStarted;
  tftp_failed_ = false;
  net::Result<uint16_t> port = iface_->allocate_port(random_);
  if (!port.ok() || !iface_->bind(port.value(), tftp_).ok()) return kOutOfResources;
  net::TftpRequest request;
  request.server = server;
  request.server_port = server_port;
  // Over IPv6 the interface picks the source (SLAAC's address, else link-local).
  request.client = server.is_v6() ? net::IpAddress(net::Ipv6Address()) : net::IpAddress(lease_.station);
  request.client_port = port.value();
  request.filename = bytes_of(name);
  request.sink = &sink;
  if (block_size != 0) request.blksize = block_size;
  else if (server.is_v6()) request.blksize = kTftpV6BlockSize;
  request.size_only = size_only;
  request.reorder_store = MutableBytes(tftp_reorder_, sizeof tftp_reorder_);
  Millis start = clock_.now();
  Status s = kSuccess;
  if (!tftp_.start(request, start, *iface_).ok()) {
    s = kInvalidParameter;
  } else {
    Millis next_report = start + kProgressEveryMs;
    poll_until(
        [&] {
          if (hooks.progress != nullptr && clock_.now() >= next_report) {
            next_report += kProgressEveryMs;
            hooks.progress(hooks.context, tftp_.stats().bytes, tftp_.tsize(),
                           clock_.now() - start, nullptr);
          }
          return tftp_.succeeded() || tftp_.finished();
        },
        &tftp_, net::kNever, &hooks);
    s = tftp_.succeeded() ? kSuccess : efi_status(tftp_.failure());
    if (hooks.progress != nullptr)
      hooks.progress(hooks.context, tftp_.stats().bytes, tftp_.tsize(), clock_.now() - start,
                     nullptr);
  }
  iface_->unbind(port.value());
  tftp_failed_ = is_error(s);
  return s;
}

Status StackSession::tftp_size(const net::IpAddress& server, const char* name, uint64_t* size) {
  return tftp_size(server, net::kTftpServerPort, name, size);
}

Status StackSession::tftp_size(const net::IpAddress& server, uint16_t server_port,
                               const char* name, uint64_t* size) {
  BufferSink sink(nullptr, 0);
  Status s = tftp_run(server, server_port, name, sink, 0, true, FetchHooks{});
  if (!is_error(s)) *size = tftp_.tsize();
  return s;
}

Status StackSession::tftp_read(const net::IpAddress& server, const char* name, uint8_t* buffer,
                               uint64_t capacity, uint64_t* size, uint16_t block_size) {
  return tftp_read(server, net::kTftpServerPort, name, buffer, capacity, size, block_size);
}

Status StackSession::tftp_read(const net::IpAddress& server, uint16_t server_port,
                               const char* name, uint8_t* buffer, uint64_t capacity,
                               uint64_t* size, uint16_t block_size) {
  BufferSink sink(buffer, capacity);
  Status s = tftp_run(server, server_port, name, sink, block_size, false, FetchHooks{});
  if (sink.too_small()) {
    *size = sink.announced_size() != 0 ? sink.announced_size() : capacity + 1;
    return kBufferTooSmall;
  }
  if (!is_error(s)) *size = tftp_.stats().bytes;
  return s;
}

bool StackSession::tftp_error(uint8_t* code, const char** text) const {
  if (!tftp_failed_ || tftp_.failure() != net::TftpFailure::ServerError) return false;
  *code = static_cast<uint8_t>(tftp_.remote_code());
  *text = tftp_.remote_text();
  return true;
}

Status StackSession::bind_raw(uint16_t* port) {
  if (*port == 0) {
    net::Result<uint16_t> chosen = iface_->allocate_port(random_);
    if (!chosen.ok()) return kOutOfResources;
    *port = chosen.value();
  }
  if (iface_->is_bound(*port)) return kSuccess;
  for (uint16_t& slot : raw_ports_) {
    if (slot != 0) continue;
    if (!iface_->bind(*port, *raw_).ok()) return kOutOfResources;
    slot = *port;
    return kSuccess;
  }
  // Every raw slot in use: give the oldest port up for this one.
  iface_->unbind(raw_ports_[0]);
  for (size_t i = 1; i < sizeof(raw_ports_) / sizeof(raw_ports_[0]); ++i)
    raw_ports_[i - 1] = raw_ports_[i];
  raw_ports_[3] = *port;
  return iface_->bind(*port, *raw_).ok() ? kSuccess : kOutOfResources;
}

Status StackSession::udp_write(const net::IpAddress& src, const net::IpAddress& dst,
                               uint16_t dst_port, const net::Interface::UdpSendOptions& ip,
                               uint16_t* src_port, const uint8_t* data, size_t size) {
  if (!up_) return kNotStarted;
  if (src.is_v4() != dst.is_v4() && !src.is_unspecified()) return kInvalidParameter;
  Status s = bind_raw(src_port);
  if (is_error(s)) return s;
  // Over IPv6 an unspecified source is the interface's choice for `dst`.
  net::IpAddress from = src;
  if (dst.is_v4() && src.is_unspecified()) from = lease_.station;
  else if (dst.is_v6() && src.is_unspecified()) from = net::Ipv6Address();
  net::UdpMeta meta{from, dst, *src_port, dst_port};
  Bytes payload(data, size);
  // The first send may start ARP (NDP) resolution; retry while the answer comes in.
  Millis deadline = clock_.now() + kUdpWriteArpWaitMs;
  net::Result<void> sent = iface_->send_udp(meta, payload, ip);
  while (!sent.ok() && sent.error().reason() == net::Errc::WouldBlock) {
    if (clock_.now() >= deadline) return kTimeout;
    iface_->poll(clock_.now());
    sent = iface_->send_udp(meta, payload, ip);
  }
  return efi_status(sent.error());
}

Status StackSession::udp_read(const UdpFilter& filter, uint8_t* buffer, size_t* size,
                              UdpDatagram* got, uint32_t timeout_ms) {
  if (!up_) return kNotStarted;
  if (!filter.any_dst_port && !iface_->is_bound(filter.want.dst_port)) {
    uint16_t port = filter.want.dst_port;
    Status s = bind_raw(&port);
    if (is_error(s)) return s;
  }
  bool truncated = false;
  bool found = false;
  bool icmp = false;
  poll_until(
      [&] {
        size_t room = *size;
        if (raw_->take(filter, buffer, &room, got, &truncated)) {
          *size = room;
          found = true;
        }
        // "An ICMP error packet was received during the UDP read session."
        icmp = !found && raw_->take_unreachable(&icmp_quoted_, &icmp_code_);
        return found || icmp;
      },
      static_cast<net::TftpClient*>(nullptr), clock_.now() + timeout_ms);
  if (icmp) return kIcmpError;
  if (!found) return kTimeout;
  return truncated ? kBufferTooSmall : kSuccess;
}

Status StackSession::arp(Ipv4Address ip, net::MacAddress* mac) {
  if (!up_) return kNotStarted;
  Millis deadline = clock_.now() + kArpWaitMs;
  // A send to an unresolved address starts resolution and sends nothing; once
  // the cache answers, nothing is sent at all.
  bool asked = false;
  return poll_until(
             [&] {
               if (iface_->arp_cache().lookup(ip, clock_.now(), *mac)) return true;
               if (!asked) {
                 (void)iface_->send_udp(
                     net::UdpMeta{lease_.station, ip, kDiscardPort, kDiscardPort}, Bytes());
                 asked = true;
               }
               return false;
             },
             static_cast<net::TftpClient*>(nullptr), deadline)
             ? kSuccess
             : kTimeout;
}

// The answer lists the preferred family first; an address of a family this
// boot has no address of (an A record on an IPv6-only lease) is never reached.
Status StackSession::pick_reachable(const net::DnsAnswer& answer, net::IpAddress* address,
                                    const char** why) {
  const bool has_v4 = !lease_.ipv6 && !lease_.station.is_unspecified();
  const bool has_v6 = iface_->ipv6_enabled();
  for (uint8_t i = 0; i < answer.count; ++i) {
    const net::IpAddress& candidate = answer.addresses[i];
    if (candidate.is_v4() ? has_v4 : has_v6) {
      *address = candidate;
      return kSuccess;
    }
  }
  char first[net::IpAddress::kMaxTextLen + 1];
  answer.addresses[0].format(first, sizeof first);
  const bool v4_only = answer.addresses[0].is_v4();
  format(resolve_why_, sizeof resolve_why_, "no %s record, only %s (%s): this boot has no %s address",
         v4_only ? "AAAA" : "A", v4_only ? "A" : "AAAA", first, v4_only ? "IPv4" : "IPv6");
  *why = resolve_why_;
  return kNotFound;
}

Status StackSession::resolve(Bytes name, net::IpAddress* address, const char** why) {
  *why = nullptr;
  if (!up_) return kNotStarted;
  net::DnsResolverConfig config;
  config.set_servers(dns_servers_, dns_server_count_);
  if (dns_ == nullptr) {
    dns_ = new (std::nothrow) net::DnsResolver(config, random_);
    if (dns_ == nullptr) return kOutOfResources;
  } else if (!dns_->configure(config).ok()) {
    return kInvalidParameter;
  }
  // A fresh random port for each lookup (RFC 5452), bound only while it runs.
  net::Result<uint16_t> port = iface_->allocate_port(random_);
  if (!port.ok() || !iface_->bind(port.value(), *dns_).ok()) return kOutOfResources;
  Millis start = clock_.now();
  Status s = kSuccess;
  if (!dns_->start(name, port.value(), start, dns_family_).ok()) {
    s = kInvalidParameter;
    *why = "not a host name";
  } else {
    // The resolver bounds itself (total_limit); the deadline is a second fence.
    poll_until([&] { return dns_->done(); }, dns_, start + config.total_limit + 1000);
    if (dns_->state() == net::DnsResolverState::Done && dns_->answer().count > 0) {
      s = pick_reachable(dns_->answer(), address, why);
    } else {
      if (!dns_->done()) dns_->cancel(clock_.now());
      *why = net::dns_failure_text(dns_->failure(), dns_family_);
      s = efi_status(dns_->failure());
    }
  }
  iface_->unbind(port.value());
  return s;
}

}  // namespace mpxe::driver
