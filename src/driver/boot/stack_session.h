// NetSession over our own stack: one Interface on the NIC, a DHCP client, a TFTP
// client and a raw UDP endpoint for the PXE Base Code's UdpRead/UdpWrite, all
// driven by one poll loop on the BSP. Memory is allocated once, in init().
#pragma once

#include "driver/boot/net_session.h"
#include "driver/boot/platform.h"
#include "net/iface/interface.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/dhcpv6_binding.h"
#include "net/socket/dhcpv6_client.h"
#include "net/socket/dns_resolver.h"
#include "net/socket/tftp_client.h"
#include "phy/device.h"

namespace mpxe::driver {

// Datagrams kept for UdpRead, copied out of the receive ring.
class RawUdpQueue final : public net::UdpEndpoint {
 public:
  static constexpr size_t kSlots = 8;
  static constexpr size_t kMaxPayload = RawPacket::kCapacity;

  void on_datagram(const net::UdpMeta& meta, Bytes payload, net::Millis now,
                   net::UdpSender& tx) override;
  // ICMP destination unreachable quoting one of our datagrams: kept (the last
  // one) until UdpRead reports it.
  void on_unreachable(const net::UdpMeta& quoted, uint8_t code, net::Millis now) override;
  bool take_unreachable(UdpDatagram* quoted, uint8_t* code);
  // Takes the oldest datagram the filter accepts; false when there is none.
  bool take(const UdpFilter& filter, uint8_t* buffer, size_t* size, UdpDatagram* got,
            bool* truncated);

 private:
  struct Slot {
    bool used = false;
    UdpDatagram meta;
    size_t size = 0;
    uint8_t bytes[kMaxPayload];
  };
  Slot slots_[kSlots];
  uint32_t next_ = 0;
  bool unreachable_ = false;
  UdpDatagram unreachable_quoted_;
  uint8_t unreachable_code_ = 0;
};

// What an IPv6 lease attempt found (StackSession::ipv6_lease), for the console and
// the PXE Base Code's v6 Mode fields.
struct Ipv6Outcome {
  net::Ipv6Address link_local;
  net::Ipv6Address address;      // the source TFTP uses (DHCPv6's, SLAAC's, else link-local)
  net::Ipv6Address autoconf;     // SLAAC's address (or the link-local one) before DHCPv6
  bool leased = false;           // `address` is the stateful DHCPv6 lease's (DAD passed)
  net::Ipv6Address router;
  bool has_router = false;
  bool managed = false, other = false;  // the RA's M and O
  bool stateful = false;                // DHCPv6 ran Solicit/Request (M set)
  bool http_client = false;             // the answer was to the HTTPClient class
  net::IpAddress dhcp_server;           // the Reply's source
  net::Millis slaac_ms = 0;             // enable_ipv6 to a usable address and the RA
  net::Millis dhcp_ms = 0;
  char boot_url[256] = {};
  char failure[200] = {};  // why the attempt failed; empty on success
};

class StackSession final : public NetSession {
 public:
  // Sink for downloads; the caller decides where bytes go (a buffer, a hasher).
  using Sink = net::TftpSink;

  uefi::Status init(phy::Device* device, const uint8_t mac[6]);

  uefi::Status up() override;
  void down() override;
  bool is_up() const override { return up_; }
  net::MacAddress mac() const override;

  uefi::Status dhcp(DhcpFlavor flavor) override;
  // The boot over IPv6, up to the boot file's name and server: IPv6 on (SLAAC),
  // a router advertisement within bounds, DHCPv6 (stateful when the RA sets M,
  // else an Information-Request; asked again as HTTPClient when the PXEClient
  // answer names no URL), and its boot file URL. tftp://[addr]/file: the lease's
  // boot_file, boot_address and boot_port come from the URL; http(s)://: the
  // boot_file is the URL, boot_address its IPv6 literal (:: for a name, which
  // resolve() looks up over IPv6). lease().ipv6 is set; on failure
  // ipv6().failure says why. Each wait is bounded.
  uefi::Status ipv6_lease(DhcpFlavor flavor);
  const Ipv6Outcome& ipv6() const { return ipv6_; }
  const net::Dhcpv6Client* dhcpv6_client() const { return dhcpv6_; }
  // The last IPv6 lease attempt's DHCPv6 run: the addresses it declined.
  const net::Dhcpv6Binding* dhcpv6_binding() const { return dhcpv6_binding_; }
  // After the NIC was lent (SNP): the device's receive filter is written again
  // from what the interface needs (IPv6's groups), whatever SNP left in it.
  void reclaim_device() {
    if (iface_ != nullptr) iface_->refresh_rx_filter();
  }
  uefi::Status discover(const net::PxeDiscoveryRequest& request) override;
  Bytes pxe_options() const override;
  uint16_t discovered_layer() const override { return discovery_ != nullptr ? discovery_->layer() : 0; }
  // Why the last discover() failed, for the console.
  const net::PxeDiscovery* last_discovery() const { return discovery_; }
  const NetLease& lease() const override { return lease_; }
  void set_station(net::Ipv4Address ip, net::Ipv4Address mask, net::Ipv4Address router) override;
  // The PXE Base Code over IPv6 (stack_session_v6.cpp).
  uefi::Status start_ipv6(net::Ipv6Address* station) override;
  uefi::Status dhcp6() override;
  uefi::Status set_station6(const net::Ipv6Address& ip, uint8_t prefix_len) override;

  uefi::Status tftp_size(const net::IpAddress& server, const char* name,
                         uint64_t* size) override;
  uefi::Status tftp_read(const net::IpAddress& server, const char* name, uint8_t* buffer,
                         uint64_t capacity, uint64_t* size, uint16_t block_size) override;
  bool tftp_error(uint8_t* code, const char** text) const override;
  // What a download calls back: progress every ~200 ms (with `detail`, a short
  // text for the end of the line, or null), and idle whenever a poll
  // of the NIC finds no frame -- the BSP's spare time between a lock-step ACK and
  // the next block, where it hashes when no AP does.
  struct FetchHooks {
    void (*progress)(void* context, uint64_t bytes, uint64_t total, net::Millis elapsed,
                     const char* detail) = nullptr;
    void (*idle)(void* context) = nullptr;
    void* context = nullptr;
  };
  uefi::Status tftp_fetch(const net::IpAddress& server, uint16_t port, const char* name,
                          Sink& sink, uint16_t block_size, const FetchHooks& hooks);
  // tftp_size and tftp_read from a server of either family, on any port.
  uefi::Status tftp_size(const net::IpAddress& server, uint16_t port, const char* name,
                         uint64_t* size);
  uefi::Status tftp_read(const net::IpAddress& server, uint16_t port, const char* name,
                         uint8_t* buffer, uint64_t capacity, uint64_t* size,
                         uint16_t block_size);
  const net::TftpClient& tftp() const { return tftp_; }

  uefi::Status udp_write(const net::IpAddress& src, const net::IpAddress& dst, uint16_t dst_port,
                         const net::Interface::UdpSendOptions& ip, uint16_t* src_port,
                         const uint8_t* data, size_t size) override;
  uefi::Status udp_read(const UdpFilter& filter, uint8_t* buffer, size_t* size,
                        UdpDatagram* got, uint32_t timeout_ms) override;
  void last_icmp_error(UdpDatagram* quoted, uint8_t* code) const override {
    *quoted = icmp_quoted_;
    *code = icmp_code_;
  }
  uefi::Status arp(net::Ipv4Address ip, net::MacAddress* mac) override;
  size_t arp_entries(net::Ipv4Address* ips, net::MacAddress* macs, size_t capacity) const override {
    return iface_ != nullptr ? iface_->arp_cache().complete(clock_.now(), ips, macs, capacity) : 0;
  }

  // A host name to an address this boot can reach, through the lease's DNS
  // servers: over IPv4, A records from the servers of DHCP option 6; over IPv6,
  // AAAA then A records (DnsFamily::PreferV6) from the servers of DHCPv6 option
  // 23 and the RA's RDNSS, and the first address of a family the interface has
  // (an A record cannot be reached from an IPv6-only lease). Address literals
  // and cached names answer at once. On failure `why` says what went wrong (text
  // that stays valid until the next call).
  uefi::Status resolve(Bytes name, net::IpAddress* address, const char** why);
  // Why this boot cannot reach `address` over IPv6 (IPv6 off, no source address,
  // neither on-link nor a default router to send it to), or null when it can: a
  // connection to it would only time out its SYNs.
  const char* ipv6_unroutable(const net::Ipv6Address& address) const;
  // Which records resolve() asks for: what the lease's family can use.
  net::DnsFamily dns_family() const { return dns_family_; }
  // The servers resolve() asks, in order.
  size_t dns_server_count() const { return dns_server_count_; }
  const net::IpAddress& dns_server(size_t i) const { return dns_servers_[i]; }

  net::Millis now() const { return clock_.now(); }
  // For protocols driven from outside the session (HTTP): the interface, and one
  // pass of the poll loop (NIC, then the interface's timers); true when a frame came.
  net::Interface& iface() { return *iface_; }
  bool poll_once() { return iface_->poll(clock_.now()) != 0; }
  uint64_t ticks_per_ms() const { return clock_.ticks_per_ms(); }
  const net::DhcpClient& dhcp_client() const { return *dhcp_; }

 private:
  // Polls the interface (and `machine`, when given) until done() or the deadline;
  // `idle` (when given) runs whenever a poll brought no frame.
  template <typename Done, typename Machine>
  bool poll_until(Done done, Machine* machine, net::Millis deadline,
                  const FetchHooks* idle = nullptr);
  uefi::Status tftp_run(const net::IpAddress& server, uint16_t port, const char* name,
                        Sink& sink, uint16_t block_size, bool size_only,
                        const FetchHooks& hooks);
  // ipv6_lease's steps; each sets ipv6_.failure when it fails.
  // `solicit`: IPv6 was already on, so Slaac's first solicitation is long gone.
  bool await_slaac(bool solicit);
  bool run_dhcpv6(DhcpFlavor flavor);
  bool take_boot_url();
  bool take_http_url(Bytes url, const char* dhcp_server);
  // The IPv6 lease: station, boot server and file, DHCPv6 packets, DNS servers.
  void adopt_v6(const net::IpAddress& server, uint16_t port, Bytes file);
  void ipv6_fail(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
  void adopt(const net::DhcpLease& lease);
  uefi::Status pick_reachable(const net::DnsAnswer& answer, net::IpAddress* address,
                              const char** why);
  uefi::Status bind_raw(uint16_t* port);

  phy::Device* device_ = nullptr;
  TscClock clock_;
  PlatformRandom random_;
  net::Interface* iface_ = nullptr;   // placement-constructed in init()
  net::DhcpClient* dhcp_ = nullptr;   // likewise
  net::Dhcpv6Client* dhcpv6_ = nullptr;  // made by ipv6_lease()
  net::Dhcpv6Binding* dhcpv6_binding_ = nullptr;  // likewise, over dhcpv6_ and the interface
  Ipv6Outcome ipv6_;
  net::PxeDiscovery* discovery_ = nullptr;  // made on the first discover()
  net::TftpClient tftp_;
  // Where TFTP blocks that come ahead of a gap wait for it: a window of the
  // default blksize (tftp_client.h says why a store).
  uint8_t tftp_reorder_[net::kTftpReorderStoreSize] = {};
  RawUdpQueue* raw_ = nullptr;
  net::DnsResolver* dns_ = nullptr;  // made on the first lookup
  // The lease's DNS servers, of its family (adopt(), take_boot_url()).
  net::IpAddress dns_servers_[net::DnsResolverConfig::kMaxServers];
  uint8_t dns_server_count_ = 0;
  net::DnsFamily dns_family_ = net::DnsFamily::V4;
  char resolve_why_[160] = {};
  uint16_t raw_ports_[4] = {};
  NetLease lease_;
  UdpDatagram icmp_quoted_;
  uint8_t icmp_code_ = 0;
  bool up_ = false;
  bool tftp_failed_ = false;
};

// Shared by stack_session.cpp and stack_session_v6.cpp.
template <typename Done, typename Machine>
inline bool StackSession::poll_until(Done done, Machine* machine, net::Millis deadline,
                                     const FetchHooks* idle) {
  while (!done()) {
    net::Millis now = clock_.now();
    if (now >= deadline) return false;
    size_t frames = iface_->poll(now);
    if (machine != nullptr) machine->poll(now, *iface_);
    if (frames != 0) continue;
    if (idle != nullptr && idle->idle != nullptr) idle->idle(idle->context);
    else asm volatile("pause");
  }
  return true;
}

}  // namespace mpxe::driver
