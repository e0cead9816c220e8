#include "driver/efi/pxe_base_code.h"

#include "core/byte_ops.h"
#include "net/socket/pxe_station6.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;
using net::Ipv4Address;
using net::Ipv6Address;

namespace {

// UEFI 2.10, 24.3: EFI_PXE_BASE_CODE_UDP_OPFLAGS_*.
constexpr uint16_t kUdpAnySrcIp = 0x0001;
constexpr uint16_t kUdpAnySrcPort = 0x0002;
constexpr uint16_t kUdpAnyDestIp = 0x0004;
constexpr uint16_t kUdpAnyDestPort = 0x0008;
constexpr uint16_t kUdpUseFilter = 0x0010;
constexpr uint16_t kUdpMayFragment = 0x0020;

// DEFAULT_TTL of the specification's PXE Base Code header (what EDK II starts with).
constexpr uint8_t kDefaultTtl = 16;
constexpr uint8_t kIcmpDestinationUnreachable = 3;
constexpr uint8_t kIcmpv6DestinationUnreachable = 1;
constexpr uint8_t kIpProtocolUdp = 17;
constexpr uint32_t kUdpReadTimeoutMs = 1000;
constexpr uint16_t kMaxUdpPayload = 1472;  // what one Ethernet frame carries
// Over IPv6, which is never fragmented here: the MTU less the IPv6 and UDP headers.
constexpr uint16_t kMaxUdp6Payload = 1500 - 40 - 8;

Ipv4Address to_v4(const IpAddress& ip) { return Ipv4Address::from_bytes(ip.v4.Addr); }

void from_v4(IpAddress* out, Ipv4Address ip) {
  fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(out), sizeof(*out)), 0);
  ip.write(out->v4.Addr);
}

Ipv6Address to_v6(const IpAddress& ip) { return Ipv6Address::from_bytes(ip.v6.Addr); }

void from_v6(IpAddress* out, const Ipv6Address& ip) {
  fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(out), sizeof(*out)), 0);
  ip.write(out->v6.Addr);
}

// An EFI_IP_ADDRESS in the protocol's family, and back.
net::IpAddress to_ip(const IpAddress& ip, bool ipv6) {
  return ipv6 ? net::IpAddress(to_v6(ip)) : net::IpAddress(to_v4(ip));
}

void from_ip(IpAddress* out, const net::IpAddress& ip) {
  if (ip.is_v6()) from_v6(out, ip.v6());
  else from_v4(out, ip.v4());
}

void copy_packet(PxePacket* out, const RawPacket& in) {
  fill_bytes(MutableBytes(out->Raw, sizeof(out->Raw)), 0);
  copy_bytes(MutableBytes(out->Raw, sizeof(out->Raw)), Bytes(in.bytes, in.size));
}

}  // namespace

PxeBaseCode* PxeBaseCode::from(PxeBaseCodeProtocol* self) {
  return reinterpret_cast<PxeBaseCode*>(self);
}

void PxeBaseCode::init(NetSession* session) {
  session_ = session;
  protocol_.Revision = kPxeBaseCodeProtocolRevision;
  protocol_.Start = start;
  protocol_.Stop = stop;
  protocol_.Dhcp = dhcp;
  protocol_.Discover = discover;
  protocol_.Mtftp = mtftp;
  protocol_.UdpWrite = udp_write;
  protocol_.UdpRead = udp_read;
  protocol_.SetIpFilter = set_ip_filter;
  protocol_.Arp = arp;
  protocol_.SetParameters = set_parameters;
  protocol_.SetStationIp = set_station_ip;
  protocol_.SetPackets = set_packets;
  protocol_.Mode = &mode_;
  reset_mode();
}

void PxeBaseCode::reset_mode() {
  fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(&mode_), sizeof(mode_)), 0);
  mode_.IpV6Available = true;
  mode_.IpV6Supported = true;
  mode_.AutoArp = true;
  mode_.TTL = kDefaultTtl;
  mode_.IpFilter.Filters = kPxeIpFilterStationIp;
}

void PxeBaseCode::update_route_and_arp() {
  // Over IPv6 routes come from RAs and neighbours from NDP, neither of which these
  // IPv4 tables describe: EDK II's PXEv6 leaves them empty too.
  if (mode_.UsingIpv6) {
    mode_.RouteTableEntries = 0;
    mode_.ArpCacheEntries = 0;
    return;
  }
  // The routes the stack uses: the station's subnet on the link, then the default
  // route through the lease's router (EDK II lists only the first).
  const NetLease& lease = session_->lease();
  mode_.RouteTableEntries = 0;
  if (!lease.mask.is_unspecified()) {
    PxeRouteEntry& route = mode_.RouteTable[mode_.RouteTableEntries++];
    from_v4(&route.IpAddr, Ipv4Address::from_u32(lease.station.to_u32() & lease.mask.to_u32()));
    from_v4(&route.SubnetMask, lease.mask);
    from_v4(&route.GwAddr, Ipv4Address::unspecified());
  }
  if (!lease.router.is_unspecified()) {
    PxeRouteEntry& route = mode_.RouteTable[mode_.RouteTableEntries++];
    from_v4(&route.IpAddr, Ipv4Address::unspecified());
    from_v4(&route.SubnetMask, Ipv4Address::unspecified());
    from_v4(&route.GwAddr, lease.router);
  }
  // Mode.ArpCache mirrors the stack's: every neighbour answered so far.
  Ipv4Address ips[kPxeMaxArpEntries];
  net::MacAddress macs[kPxeMaxArpEntries];
  size_t n = session_->arp_entries(ips, macs, kPxeMaxArpEntries);
  for (size_t i = 0; i < n; ++i) {
    from_v4(&mode_.ArpCache[i].IpAddr, ips[i]);
    fill_bytes(MutableBytes(mode_.ArpCache[i].MacAddr.Addr, sizeof(MacAddress)), 0);
    macs[i].write(mode_.ArpCache[i].MacAddr.Addr);
  }
  mode_.ArpCacheEntries = static_cast<uint32_t>(n);
}

void PxeBaseCode::adopt_lease() {
  const NetLease& lease = session_->lease();
  mode_.Started = true;
  mode_.UsingIpv6 = lease.ipv6;
  if (lease.ipv6) {
    // A lease over IPv6 (the boot's, or Dhcp()'s): the station's address, and the
    // DHCPv6 Information-Request (or Solicit) and Reply as DhcpDiscover and
    // DhcpAck, as EDK II's PXEv6 keeps them. Arp and Discover have no IPv6 meaning
    // and answer Unsupported; the other members work over IPv6.
    from_v6(&mode_.StationIp, lease.station6);
    fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(&mode_.SubnetMask), sizeof(mode_.SubnetMask)), 0);
    mode_.DhcpDiscoverValid = lease.discover.valid();
    copy_packet(&mode_.DhcpDiscover, lease.discover);
    mode_.DhcpAckReceived = lease.ack.valid();
    copy_packet(&mode_.DhcpAck, lease.ack);
    mode_.ProxyOfferReceived = false;
    mode_.PxeDiscoverValid = false;
    mode_.PxeReplyReceived = false;
    mode_.RouteTableEntries = 0;
    mode_.ArpCacheEntries = 0;
    return;
  }
  from_v4(&mode_.StationIp, lease.station);
  from_v4(&mode_.SubnetMask, lease.mask);
  mode_.DhcpDiscoverValid = lease.discover.valid();
  copy_packet(&mode_.DhcpDiscover, lease.discover);
  mode_.DhcpAckReceived = lease.ack.valid();
  copy_packet(&mode_.DhcpAck, lease.ack);
  mode_.ProxyOfferReceived = lease.proxy_offer.valid();
  copy_packet(&mode_.ProxyOffer, lease.proxy_offer);
  mode_.PxeDiscoverValid = lease.pxe_discover.valid();
  copy_packet(&mode_.PxeDiscover, lease.pxe_discover);
  mode_.PxeReplyReceived = lease.pxe_reply.valid();
  copy_packet(&mode_.PxeReply, lease.pxe_reply);
  update_route_and_arp();
}

// Mode.IcmpError as EDK II keeps it: the ICMP (ICMPv6) header, then the quoted
// IPv4 (IPv6) header and the first 8 bytes of the UDP datagram it refused.
void PxeBaseCode::note_icmp_error() {
  UdpDatagram quoted;
  uint8_t code = 0;
  session_->last_icmp_error(&quoted, &code);
  PxeIcmpError& e = mode_.IcmpError;
  fill_bytes(MutableBytes(reinterpret_cast<uint8_t*>(&e), sizeof(e)), 0);
  e.Code = code;
  uint8_t* ip = e.Data;
  uint8_t* udp = nullptr;
  if (quoted.dst.is_v6()) {
    e.Type = kIcmpv6DestinationUnreachable;
    ip[0] = 0x60;  // version 6
    store_be16(ip + 4, 8);  // payload length: the UDP header quoted
    ip[6] = kIpProtocolUdp;
    ip[7] = mode_.TTL;
    quoted.src.v6().write(ip + 8);
    quoted.dst.v6().write(ip + 24);
    udp = ip + 40;
  } else {
    e.Type = kIcmpDestinationUnreachable;
    ip[0] = 0x45;  // version 4, 20-byte header
    ip[8] = mode_.TTL;
    ip[9] = kIpProtocolUdp;
    quoted.src.v4().write(ip + 12);
    quoted.dst.v4().write(ip + 16);
    udp = ip + 20;
  }
  store_be16(udp, quoted.src_port);
  store_be16(udp + 2, quoted.dst_port);
  mode_.IcmpErrorReceived = true;
}

bool PxeBaseCode::callback_allows(PxeFunction function, bool received, const uint8_t* packet,
                                  size_t length) {
  if (!mode_.MakeCallbacks || callback_ == nullptr || callback_->Callback == nullptr) return true;
  PxePacket copy;
  PxePacket* arg = nullptr;
  if (packet != nullptr) {
    length = length < sizeof(copy.Raw) ? length : sizeof(copy.Raw);
    copy_bytes(MutableBytes(copy.Raw, sizeof(copy.Raw)), Bytes(packet, length));
    arg = &copy;
  }
  return callback_->Callback(callback_, function, received, static_cast<uint32_t>(length), arg) !=
         PxeCallbackStatus::Abort;
}

net::IpAddress PxeBaseCode::tftp_server(const IpAddress* given) const {
  if (mode_.UsingIpv6) {
    if (given != nullptr) {
      net::Ipv6Address v6 = net::Ipv6Address::from_bytes(given->v6.Addr);
      if (!v6.is_unspecified()) return v6;
    }
    return session_->lease().boot_address;
  }
  if (given != nullptr && !to_v4(*given).is_unspecified()) return to_v4(*given);
  return session_->lease().boot_server;
}

// Start. With UseIpv6 the interface is brought up for IPv6 as the
// boot does (link-local address, router solicitation, SLAAC), and StationIp is
// the address that gives: sources go from it until Dhcp() or SetStationIp().
Status PxeBaseCode::start(PxeBaseCodeProtocol* self, Boolean use_ipv6) {
  PxeBaseCode* pxe = from(self);
  if (pxe->mode_.Started) return kAlreadyStarted;
  Status s = pxe->session_->up();
  if (is_error(s)) return s;
  Ipv6Address station;
  if (use_ipv6) {
    s = pxe->session_->start_ipv6(&station);
    if (is_error(s)) return s;
  }
  pxe->reset_mode();
  pxe->mode_.Started = true;
  if (use_ipv6) {
    pxe->mode_.UsingIpv6 = true;
    from_v6(&pxe->mode_.StationIp, station);
  }
  return kSuccess;
}

Status PxeBaseCode::stop(PxeBaseCodeProtocol* self) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  pxe->reset_mode();
  return kSuccess;
}

Status PxeBaseCode::dhcp(PxeBaseCodeProtocol* self, Boolean) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (!pxe->callback_allows(PxeFunction::Dhcp)) return kAborted;
  Status s = pxe->mode_.UsingIpv6 ? pxe->session_->dhcp6() : pxe->session_->dhcp(DhcpFlavor::Pxe);
  if (is_error(s)) return s;
  pxe->adopt_lease();
  return kSuccess;
}

// UEFI 2.10 24.3.5: a real boot server discovery for any type and layer. With no
// Info the lease's own PXE options (control bits, multicast address, server
// list) say where to ask; else the caller's flags and list do.
Status PxeBaseCode::discover(PxeBaseCodeProtocol* self, uint16_t type, uint16_t* layer,
                             Boolean use_bis, PxeDiscoverInfo* info) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  // PXE 2.1 boot server discovery is DHCPv4's (options 43 and 60, port 4011).
  if (pxe->mode_.UsingIpv6) return kUnsupported;
  if (use_bis && !pxe->mode_.BisSupported) return kInvalidParameter;
  if (info != nullptr && info->IpCnt > net::PxeDiscoveryRequest::kMaxTargets) return kInvalidParameter;
  if (!pxe->mode_.DhcpAckReceived) return kNotReady;
  const NetLease& lease = pxe->session_->lease();
  uint16_t wanted_layer = layer != nullptr ? *layer : 0;
  net::PxeDiscoveryRequest request;
  if (info == nullptr) {
    net::Result<net::PxeVendorOptions> options =
        net::PxeVendorOptions::parse(pxe->session_->pxe_options());
    if (options) {
      request = net::PxeDiscoveryRequest::from_options(options.value(), type, lease.station,
                                                       lease.boot_server);
    } else {
      request.client = lease.station;
      request.type = type;
      request.menu_server = lease.boot_server;
    }
    request.layer = wanted_layer;
  } else {
    net::PxeDiscoverInfo portable;
    portable.use_multicast = info->UseMCast;
    portable.use_broadcast = info->UseBCast;
    portable.use_unicast = info->UseUCast;
    portable.must_use_list = info->MustUseList;
    portable.multicast = to_v4(info->ServerMCastIp);
    for (uint16_t i = 0; i < info->IpCnt; ++i) {
      portable.servers[i].type = info->SrvList[i].Type;
      portable.servers[i].accept_any = info->SrvList[i].AcceptAnyResponse;
      portable.servers[i].address = to_v4(info->SrvList[i].IpAddr);
    }
    portable.server_count = static_cast<uint8_t>(info->IpCnt);
    request = net::pxe_request_from_info(portable, type, wanted_layer, lease.station);
  }
  if (!pxe->callback_allows(PxeFunction::Discover)) return kAborted;
  Status s = pxe->session_->discover(request);
  if (is_error(s)) return s;
  pxe->adopt_lease();
  const RawPacket& reply = pxe->session_->lease().pxe_reply;
  if (!pxe->callback_allows(PxeFunction::Discover, true, reply.bytes, reply.size)) return kAborted;
  if (layer != nullptr) *layer = pxe->session_->discovered_layer();
  return kSuccess;
}

Status PxeBaseCode::mtftp(PxeBaseCodeProtocol* self, PxeTftpOpcode operation, void* buffer,
                          Boolean, uint64_t* buffer_size, Uintn* block_size, IpAddress* server_ip,
                          const uint8_t* filename, PxeMtftpInfo*, Boolean dont_use_buffer) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (filename == nullptr || buffer_size == nullptr) return kInvalidParameter;
  if (block_size != nullptr && *block_size < 512) return kInvalidParameter;
  const char* name = reinterpret_cast<const char*>(filename);
  if (pxe->url_reader_ != nullptr &&
      (starts_with_nocase(name, "http://") || starts_with_nocase(name, "https://")))
    return pxe->mtftp_url(operation, buffer, buffer_size, name, dont_use_buffer);
  net::IpAddress server = pxe->tftp_server(server_ip);
  if (server.is_unspecified()) return kInvalidParameter;
  pxe->mode_.TftpErrorReceived = false;
  if (!pxe->callback_allows(PxeFunction::Mtftp)) return kAborted;

  Status s;
  switch (operation) {
    case PxeTftpOpcode::TftpGetFileSize:
      s = pxe->session_->tftp_size(server, name, buffer_size);
      break;
    case PxeTftpOpcode::TftpReadFile: {
      if (buffer == nullptr && !dont_use_buffer) return kInvalidParameter;
      uint16_t blocks = block_size != nullptr && *block_size < 65464
                            ? static_cast<uint16_t>(*block_size) : 0;
      uint8_t* target = dont_use_buffer ? nullptr : static_cast<uint8_t*>(buffer);
      s = pxe->session_->tftp_read(server, name, target, *buffer_size, buffer_size, blocks);
      break;
    }
    default:
      // Directory reads and multicast TFTP: not offered.
      return kUnsupported;
  }
  uint8_t code = 0;
  const char* text = nullptr;
  if (is_error(s) && pxe->session_->tftp_error(&code, &text)) {
    pxe->mode_.TftpErrorReceived = true;
    pxe->mode_.TftpError.ErrorCode = code;
    MutableBytes out(reinterpret_cast<uint8_t*>(pxe->mode_.TftpError.ErrorString),
                     sizeof(pxe->mode_.TftpError.ErrorString) - 1);
    fill_bytes(MutableBytes(out.data(), out.size() + 1), 0);
    copy_bytes(out, Bytes(reinterpret_cast<const uint8_t*>(text), text ? __builtin_strlen(text) : 0));
    return kTftpError;
  }
  pxe->update_route_and_arp();
  return s;
}

Status PxeBaseCode::mtftp_url(PxeTftpOpcode operation, void* buffer, uint64_t* buffer_size,
                              const char* url, bool dont_use_buffer) {
  if (operation != PxeTftpOpcode::TftpGetFileSize && operation != PxeTftpOpcode::TftpReadFile)
    return kUnsupported;
  if (operation == PxeTftpOpcode::TftpReadFile && buffer == nullptr && !dont_use_buffer)
    return kInvalidParameter;
  mode_.TftpErrorReceived = false;
  if (!callback_allows(PxeFunction::Mtftp)) return kAborted;
  bool size_only = operation == PxeTftpOpcode::TftpGetFileSize || dont_use_buffer;
  Status s = url_reader_(url_reader_context_, url,
                         size_only ? nullptr : static_cast<uint8_t*>(buffer), buffer_size);
  update_route_and_arp();
  return s;
}

Status PxeBaseCode::udp_write(PxeBaseCodeProtocol* self, uint16_t op_flags, IpAddress* dest_ip,
                              PxeUdpPort* dest_port, IpAddress* gateway_ip, IpAddress* src_ip,
                              PxeUdpPort* src_port, Uintn* header_size, void* header,
                              Uintn* buffer_size, void* buffer) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (dest_ip == nullptr || dest_port == nullptr || buffer_size == nullptr ||
      (buffer == nullptr && *buffer_size != 0) || (header_size != nullptr && header == nullptr))
    return kInvalidParameter;
  const bool v6 = pxe->mode_.UsingIpv6;
  size_t head = header_size != nullptr ? *header_size : 0;
  // UEFI 2.10 24.3.6: over one frame only with MAY_FRAGMENT, as IPv4 fragments;
  // IPv6 is never fragmented here, so one frame is the limit there.
  size_t total = head + *buffer_size;
  bool may_fragment = (op_flags & kUdpMayFragment) != 0 && !v6;
  if (total > net::Interface::kMaxUdpDatagramPayload ||
      (total > (v6 ? kMaxUdp6Payload : kMaxUdpPayload) && !may_fragment))
    return kBadBufferSize;
  Bytes body(static_cast<const uint8_t*>(buffer), *buffer_size);
  uint16_t port = 0;
  if (src_port != nullptr && (op_flags & kUdpAnySrcPort) == 0) port = *src_port;
  if (!pxe->callback_allows(PxeFunction::UdpWrite, false, body.data(), body.size()))
    return kAborted;
  net::Interface::UdpSendOptions ip;
  ip.may_fragment = may_fragment;
  ip.prefix = Bytes(static_cast<const uint8_t*>(header), head);
  // The gateway is IPv4's: over IPv6 the next hop is the RA's router (NDP).
  if (gateway_ip != nullptr && !v6) ip.gateway = to_v4(*gateway_ip);
  ip.ttl = pxe->mode_.TTL;
  ip.tos = pxe->mode_.ToS;
  // No source given: the station address (over IPv4 the session's, which is it).
  net::IpAddress src = v6 ? net::IpAddress(to_v6(pxe->mode_.StationIp))
                          : net::IpAddress(Ipv4Address::unspecified());
  if (src_ip != nullptr && (op_flags & kUdpAnySrcIp) == 0) src = to_ip(*src_ip, v6);
  Status s = pxe->session_->udp_write(src, to_ip(*dest_ip, v6), *dest_port, ip, &port,
                                      body.data(), body.size());
  if (!is_error(s) && src_port != nullptr) *src_port = port;
  pxe->update_route_and_arp();
  return s;
}

Status PxeBaseCode::udp_read(PxeBaseCodeProtocol* self, uint16_t op_flags, IpAddress* dest_ip,
                             PxeUdpPort* dest_port, IpAddress* src_ip, PxeUdpPort* src_port,
                             Uintn* header_size, void* header, Uintn* buffer_size, void* buffer) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (buffer_size == nullptr || buffer == nullptr || (header_size != nullptr && header == nullptr))
    return kInvalidParameter;
  const bool v6 = pxe->mode_.UsingIpv6;
  UdpFilter filter;
  filter.ipv6 = v6;
  filter.any_src_ip = (op_flags & kUdpAnySrcIp) != 0 || src_ip == nullptr;
  filter.any_src_port = (op_flags & kUdpAnySrcPort) != 0 || src_port == nullptr;
  filter.any_dst_ip = (op_flags & (kUdpAnyDestIp | kUdpUseFilter)) != 0 || dest_ip == nullptr;
  net::PxeIpFilterRule rule;
  if (op_flags & kUdpUseFilter) {
    const PxeIpFilter& f = pxe->mode_.IpFilter;
    rule.filters = f.Filters;
    rule.count = f.IpCnt < net::PxeIpFilterRule::kMaxList ? f.IpCnt : net::PxeIpFilterRule::kMaxList;
    for (uint8_t i = 0; i < rule.count; ++i) rule.list[i] = to_ip(f.IpList[i], v6);
    filter.ip_filter = &rule;
    filter.station = to_ip(pxe->mode_.StationIp, v6);
    if (!v6) filter.mask = to_v4(pxe->mode_.SubnetMask);
  }
  filter.any_dst_port = (op_flags & kUdpAnyDestPort) != 0 || dest_port == nullptr;
  if (!filter.any_src_ip) filter.want.src = to_ip(*src_ip, v6);
  if (!filter.any_src_port) filter.want.src_port = *src_port;
  if (!filter.any_dst_ip) filter.want.dst = to_ip(*dest_ip, v6);
  if (!filter.any_dst_port) filter.want.dst_port = *dest_port;

  uint8_t datagram[kMaxUdpPayload];
  size_t size = sizeof(datagram);
  UdpDatagram got;
  Status s = pxe->session_->udp_read(filter, datagram, &size, &got, kUdpReadTimeoutMs);
  if (s == kIcmpError) pxe->note_icmp_error();
  if (is_error(s)) return s;
  if (!pxe->callback_allows(PxeFunction::UdpRead, true, datagram, size)) return kAborted;
  size_t head = header_size != nullptr ? *header_size : 0;
  if (size < head) return kBufferTooSmall;
  copy_bytes(MutableBytes(static_cast<uint8_t*>(header), head), Bytes(datagram, head));
  size_t body = size - head;
  Status result = kSuccess;
  if (body > *buffer_size) {
    body = *buffer_size;
    result = kBufferTooSmall;
  }
  copy_bytes(MutableBytes(static_cast<uint8_t*>(buffer), body), Bytes(datagram + head, body));
  *buffer_size = body;
  if (dest_ip != nullptr) from_ip(dest_ip, got.dst);
  if (dest_port != nullptr) *dest_port = got.dst_port;
  if (src_ip != nullptr) from_ip(src_ip, got.src);
  if (src_port != nullptr) *src_port = got.src_port;
  pxe->update_route_and_arp();
  return result;
}

Status PxeBaseCode::set_ip_filter(PxeBaseCodeProtocol* self, PxeIpFilter* filter) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (filter == nullptr || filter->IpCnt > kPxeMaxIpCount) return kInvalidParameter;
  pxe->mode_.IpFilter = *filter;
  return kSuccess;
}

Status PxeBaseCode::arp(PxeBaseCodeProtocol* self, IpAddress* ip, MacAddress* mac) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  // The specification has Arp refuse IPv6 (neighbours are NDP's there).
  if (pxe->mode_.UsingIpv6) return kUnsupported;
  if (ip == nullptr) return kInvalidParameter;
  if (!pxe->callback_allows(PxeFunction::Arp)) return kAborted;
  net::MacAddress resolved;
  Status s = pxe->session_->arp(to_v4(*ip), &resolved);
  if (is_error(s)) return s;
  if (mac != nullptr) {
    fill_bytes(MutableBytes(mac->Addr, sizeof(mac->Addr)), 0);
    resolved.write(mac->Addr);
  }
  pxe->update_route_and_arp();
  return kSuccess;
}

Status PxeBaseCode::set_parameters(PxeBaseCodeProtocol* self, Boolean* auto_arp,
                                   Boolean* send_guid, uint8_t* ttl, uint8_t* tos,
                                   Boolean* make_callback) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  // UEFI 2.10 24.3.10: SendGuid needs a system GUID, which this driver does not
  // read (no SMBIOS lookup): the spec's INVALID_PARAMETER for "not available".
  if (send_guid != nullptr && *send_guid) return kInvalidParameter;
  if (make_callback != nullptr) {
    pxe->callback_ = nullptr;
    if (*make_callback) {
      void* found = nullptr;
      Status s = pxe->handle_ == nullptr
                     ? kNotFound
                     : bs()->HandleProtocol(pxe->handle_, &kPxeBaseCodeCallbackProtocolGuid, &found);
      auto* callback = static_cast<PxeBaseCodeCallbackProtocol*>(found);
      if (is_error(s) || callback == nullptr || callback->Callback == nullptr)
        return kInvalidParameter;
      pxe->callback_ = callback;
    }
    pxe->mode_.MakeCallbacks = *make_callback;
  }
  if (auto_arp != nullptr) pxe->mode_.AutoArp = *auto_arp;
  if (ttl != nullptr) pxe->mode_.TTL = *ttl;
  if (tos != nullptr) pxe->mode_.ToS = *tos;
  return kSuccess;
}

Status PxeBaseCode::set_station_ip(PxeBaseCodeProtocol* self, IpAddress* station_ip,
                                   IpAddress* subnet_mask) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  if (pxe->mode_.UsingIpv6) return pxe->set_station_ip6(station_ip, subnet_mask);
  if (station_ip != nullptr) pxe->mode_.StationIp = *station_ip;
  if (subnet_mask != nullptr) pxe->mode_.SubnetMask = *subnet_mask;
  Ipv4Address router = pxe->mode_.RouteTableEntries > 0
                           ? to_v4(pxe->mode_.RouteTable[0].GwAddr)
                           : Ipv4Address::unspecified();
  pxe->session_->set_station(to_v4(pxe->mode_.StationIp), to_v4(pxe->mode_.SubnetMask), router);
  return kSuccess;
}

// Over IPv6 the station goes onto the interface (DAD first) with the prefix
// SubnetMask's leading ones give (/64 when none), and becomes the source of
// what follows; Mode changes only once the interface holds it.
Status PxeBaseCode::set_station_ip6(IpAddress* station_ip, IpAddress* subnet_mask) {
  Ipv6Address station = to_v6(station_ip != nullptr ? *station_ip : mode_.StationIp);
  Ipv6Address mask = to_v6(subnet_mask != nullptr ? *subnet_mask : mode_.SubnetMask);
  net::Result<uint8_t> prefix_len = net::pxe_ipv6_prefix_len(mask);
  if (!net::pxe_ipv6_station_valid(station) || !prefix_len.ok()) return kInvalidParameter;
  Status s = session_->set_station6(station, prefix_len.value());
  if (is_error(s)) return s;
  from_v6(&mode_.StationIp, station);
  if (subnet_mask != nullptr) mode_.SubnetMask = *subnet_mask;
  return kSuccess;
}

Status PxeBaseCode::set_packets(PxeBaseCodeProtocol* self, Boolean* discover_valid,
                                Boolean* ack_received, Boolean* proxy_received,
                                Boolean* pxe_discover_valid, Boolean* pxe_reply_received,
                                Boolean* bis_reply_received, PxePacket* discover, PxePacket* ack,
                                PxePacket* proxy, PxePacket* pxe_discover, PxePacket* pxe_reply,
                                PxePacket* bis_reply) {
  PxeBaseCode* pxe = from(self);
  if (!pxe->mode_.Started) return kNotStarted;
  PxeMode& m = pxe->mode_;
  if (discover_valid) m.DhcpDiscoverValid = *discover_valid;
  if (ack_received) m.DhcpAckReceived = *ack_received;
  if (proxy_received) m.ProxyOfferReceived = *proxy_received;
  if (pxe_discover_valid) m.PxeDiscoverValid = *pxe_discover_valid;
  if (pxe_reply_received) m.PxeReplyReceived = *pxe_reply_received;
  if (bis_reply_received) m.PxeBisReplyReceived = *bis_reply_received;
  if (discover) m.DhcpDiscover = *discover;
  if (ack) m.DhcpAck = *ack;
  if (proxy) m.ProxyOffer = *proxy;
  if (pxe_discover) m.PxeDiscover = *pxe_discover;
  if (pxe_reply) m.PxeReply = *pxe_reply;
  if (bis_reply) m.PxeBisReply = *bis_reply;
  return kSuccess;
}

}  // namespace mpxe::driver
