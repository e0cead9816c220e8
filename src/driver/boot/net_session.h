// One NIC's network session in the firmware: the device, the stack's interface
// and the protocol machines, driven by a poll loop on the BSP. LoadFile and the
// PXE Base Code protocol are both thin faces over it.
#pragma once

#include "net/iface/interface.h"
#include "net/socket/pxe_discovery.h"
#include "net/socket/pxe_ip_filter.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/ipv6_address.h"
#include "net/wire/mac_address.h"
#include "uefi/types.h"

namespace mpxe::driver {

// A DHCP exchange as the PXE Base Code Mode exposes it: the packets exactly as
// they were on the wire, up to the 1472 bytes an EFI_PXE_BASE_CODE_PACKET holds.
struct RawPacket {
  static constexpr size_t kCapacity = 1472;
  uint8_t bytes[kCapacity] = {};
  size_t size = 0;
  bool valid() const { return size != 0; }
};

struct NetLease {
  net::Ipv4Address station;
  net::Ipv4Address mask;
  net::Ipv4Address router;
  net::Ipv4Address boot_server;   // where the boot file is fetched from
  char boot_file[256] = {};       // NUL-terminated, empty when none was offered
  RawPacket discover, ack, proxy_offer, pxe_discover, pxe_reply;
  // The boot file's TFTP server in either family: boot_server over IPv4; an IPv6
  // boot (ipv6) takes it and its port from the DHCPv6 boot file URL, and leaves
  // the IPv4 fields above unset.
  net::IpAddress boot_address;
  uint16_t boot_port = 69;
  bool ipv6 = false;
  net::Ipv6Address station6;      // ipv6: the address TFTP goes from
};

enum class DhcpFlavor { Pxe, Http };

// Addresses of a UDP datagram (both of one family), and which of them a UdpRead
// filter ignores.
struct UdpDatagram {
  net::IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
};

struct UdpFilter {
  UdpDatagram want;
  bool ipv6 = false;  // the family taken: the protocol's (UsingIpv6)
  bool any_src_ip = false, any_src_port = false, any_dst_ip = false, any_dst_port = false;
  // USE_FILTER: the destination must pass the PXE Base Code's IP filter instead,
  // against the station address (its family is the protocol's) and, over IPv4, mask.
  const net::PxeIpFilterRule* ip_filter = nullptr;
  net::IpAddress station;
  net::Ipv4Address mask;

  bool matches(const UdpDatagram& m) const {
    if (m.dst.is_v6() != ipv6) return false;
    if (!any_src_ip && !(m.src == want.src)) return false;
    if (!any_src_port && m.src_port != want.src_port) return false;
    if (!any_dst_port && m.dst_port != want.dst_port) return false;
    if (ip_filter != nullptr) return ip_filter->accepts(m.dst, station, mask);
    return any_dst_ip || m.dst == want.dst;
  }
};

class NetSession {
 public:
  virtual uefi::Status up() = 0;  // the device and the interface, idempotent
  virtual void down() = 0;
  virtual bool is_up() const = 0;
  virtual net::MacAddress mac() const = 0;

  virtual uefi::Status dhcp(DhcpFlavor flavor) = 0;
  virtual const NetLease& lease() const = 0;
  // PXE 2.1 boot server discovery (after dhcp()): on success the reply's boot
  // server and file become the lease's, and its packets PxeDiscover/PxeReply.
  // The PXE options the lease was given (a menu, boot servers; empty when none).
  virtual uefi::Status discover(const net::PxeDiscoveryRequest& request) = 0;
  virtual uint16_t discovered_layer() const = 0;  // the layer the last reply granted
  virtual Bytes pxe_options() const = 0;
  virtual void set_station(net::Ipv4Address ip, net::Ipv4Address mask,
                           net::Ipv4Address router) = 0;

  // IPv6 on the interface, as the boot brings it up: the link-local address
  // after DAD, a router solicitation, and the addresses the RA's prefixes make,
  // each wait bounded. *station gets the address sources go from (a global one
  // when there is one, else the link-local one). A link with no router is no
  // failure: the link-local address is enough to talk on it.
  virtual uefi::Status start_ipv6(net::Ipv6Address* station) = 0;
  // DHCPv6 again, on IPv6 brought up as start_ipv6() does: stateful (Solicit,
  // Request) when the RA sets M, else an Information-Request. On success lease()
  // is the IPv6 one: station6 (the leased address once DAD passed, else the
  // autoconfigured one), its first message and the Reply as discover and ack,
  // and the boot file URL's server and file when the Reply names one.
  virtual uefi::Status dhcp6() = 0;
  // A station address by hand, with its /prefix_len on-link; DAD runs first.
  // kDeviceError when another node holds it, kInvalidParameter for a link-local
  // address that is not the interface's own.
  virtual uefi::Status set_station6(const net::Ipv6Address& ip, uint8_t prefix_len) = 0;

  // Size of a file through TFTP's tsize option (a server of either family, port 69).
  virtual uefi::Status tftp_size(const net::IpAddress& server, const char* name,
                                 uint64_t* size) = 0;
  // Reads a whole file into `buffer` (capacity bytes); with buffer == nullptr the
  // data is fetched and discarded. *size gets the file's size; kBufferTooSmall when
  // it does not fit (the size is still reported when the server told it).
  virtual uefi::Status tftp_read(const net::IpAddress& server, const char* name,
                                 uint8_t* buffer, uint64_t capacity, uint64_t* size,
                                 uint16_t block_size) = 0;

  // src_port in/out: 0 picks an ephemeral port, which stays bound for replies.
  // A non-zero gateway overrides the route.
  // After a failed read: the server's TFTP ERROR, if that is what ended it.
  virtual bool tftp_error(uint8_t* code, const char** text) const = 0;

  // A UdpWrite to an IPv4 or IPv6 `dst`: `src` unspecified means the station
  // address (over IPv6 the one the interface picks for `dst`); `ip` carries the
  // gateway (IPv4 only, for off-subnet destinations), TTL (hop limit) and ToS
  // (traffic class). The next hop is resolved by ARP or NDP, waiting a little.
  virtual uefi::Status udp_write(const net::IpAddress& src, const net::IpAddress& dst,
                                 uint16_t dst_port,
                                 const net::Interface::UdpSendOptions& ip, uint16_t* src_port,
                                 const uint8_t* data, size_t size) = 0;
  // Waits up to timeout_ms for a datagram the filter accepts; *size in/out; the
  // datagram is consumed even when it does not fit (kBufferTooSmall).
  virtual uefi::Status udp_read(const UdpFilter& filter, uint8_t* buffer, size_t* size,
                                UdpDatagram* got, uint32_t timeout_ms) = 0;
  // After udp_read() answered kIcmpError: the datagram the ICMP error quoted and
  // its code (type 3, destination unreachable).
  virtual void last_icmp_error(UdpDatagram* quoted, uint8_t* code) const = 0;
  virtual uefi::Status arp(net::Ipv4Address ip, net::MacAddress* mac) = 0;
  // The answered ARP entries, up to `capacity`, for Mode.ArpCache.
  virtual size_t arp_entries(net::Ipv4Address* ips, net::MacAddress* macs, size_t capacity) const = 0;

 protected:
  ~NetSession() = default;
};

}  // namespace mpxe::driver
