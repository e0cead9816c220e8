// `pxebc [ADDRESS/PREFIX]`: what the boot device's EFI_PXE_BASE_CODE_PROTOCOL
// answers an NBP. Prints its Mode, then calls the members and prints what each
// returned, one line per item: "pxebc: <Member>: <STATUS> <details>", Mode
// fields as "pxebc: Mode.<Field>: <value>". The statuses are the specification's
// names (pxebc_text.h), so a test can hold two firmwares' answers side by side.
// Over IPv4 every member but Start and Stop is called (they would take the
// shell's own boot device away). Over IPv6 (UsingIpv6) the members are called
// in the order an NBP using them would: SetStationIp to ADDRESS/PREFIX when
// given (else to the station itself) with a UDP round trip from it, then Stop,
// Start(UseIpv6) and Dhcp, which bring the lease back, and a round trip from that.

#include "core/format.h"
#include "core/sha256.h"
#include "mpsh/lease.h"
#include "mpsh/member_report.h"
#include "mpsh/pxe_client.h"
#include "mpsh/pxebc_text.h"
#include "mpsh/shell.h"
#include "mpsh/text.h"
#include "net/wire/ipv6_address.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpsh {
namespace {

using mpxe::net::Ipv4Address;
using mpxe::net::Ipv6Address;
using uefi::PxeBaseCodeProtocol;
using uefi::PxeMode;
using uefi::PxePacket;
using uefi::PxeTftpOpcode;
using uefi::Status;

// EFI_PXE_BASE_CODE_UDP_OPFLAGS_* (UEFI 2.10, 24.3, UdpWrite/UdpRead).
constexpr uint16_t kUdpAnySrcIp = 0x0001;
constexpr uint16_t kUdpAnySrcPort = 0x0002;
constexpr uint16_t kUdpUseFilter = 0x0010;

constexpr uint8_t kTestTtl = 32;
constexpr uint8_t kTestTos = 0x10;               // "minimize delay"
constexpr uefi::PxeUdpPort kEchoPort = 7;        // echo: silence or an ICMP error, both fine
constexpr uint16_t kBootstrapType = 0;           // PXE_BOOT_TYPE_BOOTSTRAP
constexpr uint64_t kSmallBuffer = 512;           // one TFTP block: smaller than any NBP
constexpr uint64_t kMinBuffer = 64ull << 10;     // for the reads that have no size to go by
constexpr uint64_t kLargestRead = 256ull << 20;  // a bigger size is taken for garbage
constexpr uint64_t kPageSize = 4096;

// The MTFTP group and ports PXE sites commonly hand out (PXE 2.1, 2.4: options
// 1-3), for the members' Info: nothing on the site serves them, the answer is
// the point.
constexpr uint8_t kMtftpGroup[4] = {224, 1, 1, 0};
constexpr uefi::PxeUdpPort kMtftpClientPort = 1758;
constexpr uefi::PxeUdpPort kMtftpServerPort = 1759;

const char* yes(uefi::Boolean b) { return b ? "TRUE" : "FALSE"; }

// An EFI_IP_ADDRESS in the protocol's family (Mode.UsingIpv6).
struct IpText {
  explicit IpText(const uefi::IpAddress& ip, bool v6 = false) {
    if (v6) Ipv6Address::from_bytes(ip.v6.Addr).format(text, sizeof(text));
    else Ipv4Address::from_bytes(ip.v4.Addr).format(text, sizeof(text));
  }
  explicit IpText(Ipv4Address ip) { ip.format(text, sizeof(text)); }
  char text[Ipv6Address::kMaxTextLen + 1];
};

// "10.77.0.2:7", "[fd77::1]:7".
struct EndpointText {
  EndpointText(const uefi::IpAddress& ip, uefi::PxeUdpPort port, bool v6) {
    mpxe::format(text, sizeof(text), v6 ? "[%s]:%u" : "%s:%u", IpText(ip, v6).text, port);
  }
  char text[Ipv6Address::kMaxTextLen + 9];
};

uefi::IpAddress to_ip(Ipv4Address v4) {
  uefi::IpAddress ip{};
  v4.write(ip.v4.Addr);
  return ip;
}

constexpr MemberReport out{"pxebc"};

// " (server error 1: File not found)" after a TFTP_ERROR, from the Mode; a
// TFTP_ERROR the Mode does not explain shows as such.
struct TftpErrorText {
  TftpErrorText(const PxeMode& m, Status s) {
    if (s != uefi::kTftpError) return;
    if (!m.TftpErrorReceived) {
      mpxe::format(text, sizeof(text), " (TftpErrorReceived FALSE)");
      return;
    }
    char server_text[sizeof(m.TftpError.ErrorString) + 1];
    size_t n = 0;
    for (; n < sizeof(m.TftpError.ErrorString) && m.TftpError.ErrorString[n] != 0; ++n) {
      char c = m.TftpError.ErrorString[n];
      server_text[n] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    server_text[n] = '\0';
    mpxe::format(text, sizeof(text), " (server error %u: %s)", m.TftpError.ErrorCode, server_text);
  }
  char text[160] = {};
};

class Pages {
 public:
  explicit Pages(uint64_t bytes)
      : count_(static_cast<uefi::Uintn>((bytes + kPageSize - 1) / kPageSize)) {
    uefi::PhysicalAddress address = 0;
    if (count_ != 0 &&
        !uefi::is_error(uefi::bs()->AllocatePages(uefi::AllocateType::AnyPages,
                                                  uefi::MemoryType::LoaderData, count_, &address)))
      data_ = reinterpret_cast<uint8_t*>(address);
  }
  ~Pages() {
    if (data_ != nullptr)
      uefi::bs()->FreePages(reinterpret_cast<uefi::PhysicalAddress>(data_), count_);
  }
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;
  uint8_t* data() const { return data_; }
  uint64_t bytes() const { return data_ != nullptr ? uint64_t{count_} * kPageSize : 0; }

 private:
  uefi::Uintn count_;
  uint8_t* data_ = nullptr;
};

// --- Mode -------------------------------------------------------------------

struct Flag {
  const char* name;
  uefi::Boolean value;
};

void print_flags(const Flag* flags, size_t count) {
  char label[48];
  for (size_t i = 0; i < count; ++i) {
    mpxe::format(label, sizeof(label), "Mode.%s", flags[i].name);
    out.say(label, "%s", yes(flags[i].value));
  }
}

void print_arp_cache(const PxeMode& m) {
  uefi::print("pxebc: Mode.ArpCacheEntries: %u", m.ArpCacheEntries);
  for (uint32_t i = 0; i < m.ArpCacheEntries && i < uefi::kPxeMaxArpEntries; ++i)
    uefi::print(" %s=%s", IpText(m.ArpCache[i].IpAddr).text, MacText(m.ArpCache[i].MacAddr).text);
  uefi::print("\n");
}

void print_route_table(const PxeMode& m) {
  uefi::print("pxebc: Mode.RouteTableEntries: %u", m.RouteTableEntries);
  for (uint32_t i = 0; i < m.RouteTableEntries && i < uefi::kPxeMaxRouteEntries; ++i) {
    const uefi::PxeRouteEntry& r = m.RouteTable[i];
    uefi::print(" %s/%s>%s", IpText(r.IpAddr).text, IpText(r.SubnetMask).text,
                IpText(r.GwAddr).text);
  }
  uefi::print("\n");
}

void print_ip_filter(const char* label, const uefi::PxeIpFilter& f, bool v6) {
  char names[96];
  format_ip_filters(f.Filters, names, sizeof(names));
  uefi::print("pxebc: %s: 0x%02x %s IpCnt %u", label, f.Filters, names, f.IpCnt);
  for (uint8_t i = 0; i < f.IpCnt && i < uefi::kPxeMaxIpCount; ++i)
    uefi::print(" %s", IpText(f.IpList[i], v6).text);
  uefi::print("\n");
}

// The boot file and server one packet names by itself (summarize_lease's rules).
void print_packet(const char* label, uefi::Boolean received, const PxePacket& p) {
  if (!received) {
    out.say(label, "not received");
    return;
  }
  LeaseSummary s = summarize_lease(mpxe::Bytes(p.Raw, sizeof(p.Raw)), mpxe::Bytes());
  out.say(label, "file %s server %s", s.boot_file[0] != '\0' ? s.boot_file : "(none)",
      s.has_server ? IpText(s.server).text : "(none)");
}

// A DHCPv6 Reply: its boot file URL, and the server and file in it.
void print_packet6(const char* label, uefi::Boolean received, const PxePacket& p) {
  if (!received) {
    out.say(label, "not received");
    return;
  }
  Lease6Summary s = summarize_lease6(mpxe::Bytes(p.Raw, sizeof(p.Raw)));
  char server[Ipv6Address::kMaxTextLen + 1] = "(none)";
  if (s.has_server) s.server.format(server, sizeof(server));
  out.say(label, "type %u url %s file %s server %s", static_cast<unsigned>(p.Dhcpv6.MessageType),
          s.has_url ? s.url : "(none)", s.boot_file[0] != '\0' ? s.boot_file : "(none)", server);
}

void print_mode(const PxeMode& m) {
  const Flag before_ttl[] = {
      {"Started", m.Started},
      {"Ipv6Available", m.IpV6Available},
      {"Ipv6Supported", m.IpV6Supported},
      {"UsingIpv6", m.UsingIpv6},
      {"BisSupported", m.BisSupported},
      {"BisDetected", m.BisDetected},
      {"AutoArp", m.AutoArp},
      {"SendGUID", m.SendGUID},
  };
  const Flag after_tos[] = {
      {"DhcpDiscoverValid", m.DhcpDiscoverValid},   {"DhcpAckReceived", m.DhcpAckReceived},
      {"ProxyOfferReceived", m.ProxyOfferReceived}, {"PxeDiscoverValid", m.PxeDiscoverValid},
      {"PxeReplyReceived", m.PxeReplyReceived},     {"PxeBisReplyReceived", m.PxeBisReplyReceived},
      {"IcmpErrorReceived", m.IcmpErrorReceived},   {"TftpErrorReceived", m.TftpErrorReceived},
      {"MakeCallbacks", m.MakeCallbacks},
  };
  print_flags(before_ttl, sizeof(before_ttl) / sizeof(before_ttl[0]));
  out.say("Mode.TTL", "%u", m.TTL);
  out.say("Mode.ToS", "0x%02x", m.ToS);
  print_flags(after_tos, sizeof(after_tos) / sizeof(after_tos[0]));
  out.say("Mode.StationIp", "%s", IpText(m.StationIp, m.UsingIpv6).text);
  out.say("Mode.SubnetMask", "%s", IpText(m.SubnetMask, m.UsingIpv6).text);
  print_arp_cache(m);
  print_route_table(m);
  print_ip_filter("Mode.IpFilter.Filters", m.IpFilter, m.UsingIpv6);
  if (m.UsingIpv6) {
    print_packet6("Mode.DhcpAck", m.DhcpAckReceived, m.DhcpAck);
    return;
  }
  print_packet("Mode.PxeReply", m.PxeReplyReceived, m.PxeReply);
  print_packet("Mode.ProxyOffer", m.ProxyOfferReceived, m.ProxyOffer);
  print_packet("Mode.DhcpAck", m.DhcpAckReceived, m.DhcpAck);
}

// --- Calls ------------------------------------------------------------------

void call_set_parameters(PxeBaseCodeProtocol* pxe) {
  uint8_t ttl = kTestTtl;
  uint8_t tos = kTestTos;
  Status s = pxe->SetParameters(pxe, nullptr, nullptr, &ttl, &tos, nullptr);
  out.report("SetParameters", s, "TTL %u ToS 0x%02x -> Mode.TTL %u Mode.ToS 0x%02x", ttl, tos,
         pxe->Mode->TTL, pxe->Mode->ToS);
}

void call_set_ip_filter(PxeBaseCodeProtocol* pxe) {
  uefi::PxeIpFilter filter{};
  filter.Filters = uefi::kPxeIpFilterStationIp;
  Status s = pxe->SetIpFilter(pxe, &filter);
  out.report("SetIpFilter", s, "STATION_IP");
  print_ip_filter("SetIpFilter.Mode.IpFilter", pxe->Mode->IpFilter, pxe->Mode->UsingIpv6);
}

// Over IPv6 the specification's answer is UNSUPPORTED (neighbours are NDP's).
void call_arp(PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server) {
  const bool v6 = pxe->Mode->UsingIpv6;
  uefi::IpAddress ip = server;
  uefi::MacAddress mac{};
  Status s = pxe->Arp(pxe, &ip, &mac);
  if (uefi::is_error(s))
    out.report("Arp", s, "%s ArpCacheEntries %u", IpText(server, v6).text,
               pxe->Mode->ArpCacheEntries);
  else
    out.report("Arp", s, "%s is %s ArpCacheEntries %u", IpText(server, v6).text,
               MacText(mac).text, pxe->Mode->ArpCacheEntries);
}

struct BootFile {
  uefi::IpAddress server;
  const char* name;
};

Status mtftp(PxeBaseCodeProtocol* pxe, PxeTftpOpcode op, void* buffer, uint64_t* size,
             const BootFile& file, uefi::PxeMtftpInfo* info = nullptr) {
  uefi::IpAddress server = file.server;
  return pxe->Mtftp(pxe, op, buffer, false, size, nullptr, &server,
                    reinterpret_cast<const uint8_t*>(file.name), info, false);
}

// TFTP_GET_FILE_SIZE; the size, 0 when unknown.
uint64_t call_get_file_size(PxeBaseCodeProtocol* pxe, const BootFile& file) {
  uint64_t size = 0;
  Status s = mtftp(pxe, PxeTftpOpcode::TftpGetFileSize, nullptr, &size, file);
  out.report("Mtftp.TftpGetFileSize", s, "%s size %llu%s", file.name, size,
         TftpErrorText(*pxe->Mode, s).text);
  return uefi::is_error(s) ? 0 : size;
}

// TFTP_READ_FILE into a buffer one block long: the specification's answer is
// BUFFER_TOO_SMALL with the size the file needs. That size, 0 when not given.
uint64_t call_read_file_small(PxeBaseCodeProtocol* pxe, const BootFile& file) {
  uint8_t buffer[kSmallBuffer];
  uint64_t size = sizeof(buffer);
  Status s = mtftp(pxe, PxeTftpOpcode::TftpReadFile, buffer, &size, file);
  out.report("Mtftp.TftpReadFile(small)", s, "buffer %llu size %llu%s", kSmallBuffer, size,
         TftpErrorText(*pxe->Mode, s).text);
  return s == uefi::kBufferTooSmall && size > kSmallBuffer ? size : 0;
}

void call_read_file(PxeBaseCodeProtocol* pxe, const BootFile& file, const Pages& buffer,
                    uint64_t size) {
  uint64_t got = size;
  Status s = mtftp(pxe, PxeTftpOpcode::TftpReadFile, buffer.data(), &got, file);
  if (uefi::is_error(s)) {
    out.report("Mtftp.TftpReadFile", s, "buffer %llu size %llu%s", size, got,
           TftpErrorText(*pxe->Mode, s).text);
    return;
  }
  mpxe::Sha256 hash;
  hash.update(buffer.data(), got <= size ? got : size);
  char hex[mpxe::Sha256::kHexSize];
  hash.finish_hex(hex);
  out.report("Mtftp.TftpReadFile", s, "buffer %llu size %llu sha256 %s", size, got, hex);
}

// The members the site cannot serve (no directory listing, no multicast TFTP):
// only what each answers matters.
void call_other_reads(PxeBaseCodeProtocol* pxe, const BootFile& file, const Pages& buffer) {
  uefi::PxeMtftpInfo info{};
  for (size_t i = 0; i < sizeof(kMtftpGroup); ++i) info.MCastIp.v4.Addr[i] = kMtftpGroup[i];
  info.CPort = kMtftpClientPort;
  info.SPort = kMtftpServerPort;
  info.ListenTimeout = 1;
  info.TransmitTimeout = 1;
  const struct {
    const char* member;
    PxeTftpOpcode op;
    uefi::PxeMtftpInfo* info;
  } reads[] = {
      {"Mtftp.TftpReadDirectory", PxeTftpOpcode::TftpReadDirectory, nullptr},
      {"Mtftp.MtftpGetFileSize", PxeTftpOpcode::MtftpGetFileSize, &info},
      {"Mtftp.MtftpReadFile", PxeTftpOpcode::MtftpReadFile, &info},
  };
  for (const auto& r : reads) {
    uint64_t size = r.op == PxeTftpOpcode::MtftpGetFileSize ? 0 : buffer.bytes();
    void* data = r.op == PxeTftpOpcode::MtftpGetFileSize ? nullptr : buffer.data();
    Status s = mtftp(pxe, r.op, data, &size, file, r.info);
    out.report(r.member, s, "%s size %llu%s", file.name, size, TftpErrorText(*pxe->Mode, s).text);
  }
}

void call_mtftp(PxeBaseCodeProtocol* pxe, const BootFile& file) {
  uint64_t size = call_get_file_size(pxe, file);
  uint64_t needed = call_read_file_small(pxe, file);
  if (size == 0) size = needed;
  if (size > kLargestRead) {
    out.say("Mtftp.TftpReadFile", "SKIPPED size %llu taken for garbage", size);
    return;
  }
  Pages buffer(size > kMinBuffer ? size : kMinBuffer);
  if (buffer.data() == nullptr) {
    out.say("Mtftp.TftpReadFile", "SKIPPED no memory for %llu bytes", size);
    return;
  }
  if (size == 0)
    out.say("Mtftp.TftpReadFile", "SKIPPED size unknown");
  else
    call_read_file(pxe, file, buffer, size);
  call_other_reads(pxe, file, buffer);
}

// A datagram to the server's echo port, then a read for an answer through the IP
// filter SetIpFilter set: silence (TIMEOUT) or an ICMP error is what a site
// without an echo service gives; an echo's answer is printed as text. `tag`
// tells one round trip from another ("", "(station)").
void call_udp(PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server, const char* tag = "") {
  const bool v6 = pxe->Mode->UsingIpv6;
  char payload[] = "mpsh pxebc";
  uefi::IpAddress dest = server;
  uefi::PxeUdpPort dest_port = kEchoPort;
  uefi::PxeUdpPort our_port = 0;
  uefi::Uintn length = sizeof(payload) - 1;
  char write_label[32], read_label[32];
  mpxe::format(write_label, sizeof(write_label), "UdpWrite%s", tag);
  mpxe::format(read_label, sizeof(read_label), "UdpRead%s", tag);
  Status s = pxe->UdpWrite(pxe, kUdpAnySrcPort, &dest, &dest_port, nullptr, nullptr, &our_port,
                           nullptr, nullptr, &length, payload);
  out.report(write_label, s, "%s from %s port %u length %llu",
             EndpointText(server, kEchoPort, v6).text, IpText(pxe->Mode->StationIp, v6).text,
             our_port, static_cast<unsigned long long>(length));

  uefi::IpAddress to = pxe->Mode->StationIp;
  uefi::PxeUdpPort to_port = our_port;
  uefi::IpAddress from{};
  uefi::PxeUdpPort from_port = 0;
  uint8_t reply[1500];
  uefi::Uintn size = sizeof(reply);
  s = pxe->UdpRead(pxe, kUdpUseFilter | kUdpAnySrcIp | kUdpAnySrcPort, &to, &to_port, &from,
                   &from_port, nullptr, nullptr, &size, reply);
  const PxeMode& m = *pxe->Mode;
  if (!uefi::is_error(s)) {
    char text[80];
    mpxe::copy_printable(mpxe::Bytes(reply, size < 64 ? size : 64), text, sizeof(text));
    out.report(read_label, s, "port %u: %llu bytes from %s to %s '%s'", to_port,
               static_cast<unsigned long long>(size), EndpointText(from, from_port, v6).text,
               IpText(to, v6).text, text);
  } else if (m.IcmpErrorReceived) {
    out.report(read_label, s, "port %u IcmpErrorReceived TRUE type %u code %u", to_port,
               m.IcmpError.Type, m.IcmpError.Code);
  } else {
    out.report(read_label, s, "port %u IcmpErrorReceived FALSE", to_port);
  }
}

void call_discover(PxeBaseCodeProtocol* pxe) {
  uint16_t layer = 0;
  Status s = pxe->Discover(pxe, kBootstrapType, &layer, false, nullptr);
  out.report("Discover", s, "type %u layer %u", kBootstrapType, layer);
  print_packet("Discover.PxeReply", pxe->Mode->PxeReplyReceived, pxe->Mode->PxeReply);
}

// To `ip` and `mask`, or the station's own when null.
void call_set_station_ip(PxeBaseCodeProtocol* pxe, const uefi::IpAddress* station = nullptr,
                         const uefi::IpAddress* subnet = nullptr) {
  const bool v6 = pxe->Mode->UsingIpv6;
  uefi::IpAddress ip = station != nullptr ? *station : pxe->Mode->StationIp;
  uefi::IpAddress mask = subnet != nullptr ? *subnet : pxe->Mode->SubnetMask;
  Status s = pxe->SetStationIp(pxe, &ip, &mask);
  out.report("SetStationIp", s, "%s/%s -> Mode.StationIp %s", IpText(ip, v6).text,
             IpText(mask, v6).text, IpText(pxe->Mode->StationIp, v6).text);
}

// The Mode's own packets and flags, from copies: the member reads its
// arguments while it writes the Mode.
void call_set_packets(PxeBaseCodeProtocol* pxe) {
  const PxeMode& m = *pxe->Mode;
  uefi::Boolean flags[] = {m.DhcpDiscoverValid, m.DhcpAckReceived,  m.ProxyOfferReceived,
                           m.PxeDiscoverValid,  m.PxeReplyReceived, m.PxeBisReplyReceived};
  PxePacket packets[] = {m.DhcpDiscover, m.DhcpAck,  m.ProxyOffer,
                         m.PxeDiscover,  m.PxeReply, m.PxeBisReply};
  Status s =
      pxe->SetPackets(pxe, &flags[0], &flags[1], &flags[2], &flags[3], &flags[4], &flags[5],
                      &packets[0], &packets[1], &packets[2], &packets[3], &packets[4], &packets[5]);
  out.report("SetPackets", s,
         "same packets -> DhcpAckReceived %s ProxyOfferReceived %s PxeReplyReceived %s",
         yes(m.DhcpAckReceived), yes(m.ProxyOfferReceived), yes(m.PxeReplyReceived));
}

void call_dhcp(PxeBaseCodeProtocol* pxe) {
  Status s = pxe->Dhcp(pxe, false);
  const PxeMode& m = *pxe->Mode;
  out.report("Dhcp", s,
         "Mode.StationIp %s DhcpAckReceived %s ProxyOfferReceived %s PxeReplyReceived %s",
         IpText(m.StationIp, m.UsingIpv6).text, yes(m.DhcpAckReceived), yes(m.ProxyOfferReceived),
         yes(m.PxeReplyReceived));
}

// --- IPv6 -------------------------------------------------------------------

// "fd77::42/64": the address, and the prefix as the mask SetStationIp takes.
bool parse_station6(const char* arg, uefi::IpAddress* ip, uefi::IpAddress* mask) {
  size_t slash = 0;
  while (arg[slash] != '\0' && arg[slash] != '/') ++slash;
  if (arg[slash] != '/') return false;
  mpxe::net::Result<Ipv6Address> address =
      Ipv6Address::parse(mpxe::Bytes(reinterpret_cast<const uint8_t*>(arg), slash));
  uint64_t prefix = 0;
  if (!address || !parse_u64(arg + slash + 1, &prefix) || prefix > 128) return false;
  *ip = uefi::IpAddress{};
  address.value().write(ip->v6.Addr);
  *mask = uefi::IpAddress{};
  for (uint64_t bit = 0; bit < prefix; ++bit)
    mask->v6.Addr[bit / 8] = static_cast<uint8_t>(mask->v6.Addr[bit / 8] | (0x80 >> (bit % 8)));
  return true;
}

void call_restart6(PxeBaseCodeProtocol* pxe) {
  Status s = pxe->Stop(pxe);
  out.report("Stop", s, "Mode.Started %s", yes(pxe->Mode->Started));
  s = pxe->Start(pxe, true);
  out.report("Start(UseIpv6)", s, "Mode.UsingIpv6 %s Mode.StationIp %s", yes(pxe->Mode->UsingIpv6),
             IpText(pxe->Mode->StationIp, true).text);
}

Status run_ipv6(PxeBaseCodeProtocol* pxe, const uefi::IpAddress* station,
                const uefi::IpAddress* subnet) {
  Lease6Summary lease = pxe_lease6(pxe);
  if (!lease.has_server) {
    out.say("calls", "skipped: the DHCPv6 Reply names no tftp://[IPv6] boot file URL");
    return uefi::kNotFound;
  }
  BootFile file{};
  lease.server.write(file.server.v6.Addr);
  file.name = lease.boot_file;
  call_set_parameters(pxe);
  call_set_ip_filter(pxe);
  call_arp(pxe, file.server);
  call_mtftp(pxe, file);
  call_udp(pxe, file.server);
  call_discover(pxe);
  call_set_station_ip(pxe, station, subnet);
  if (station != nullptr) call_udp(pxe, file.server, "(station)");
  call_set_packets(pxe);
  call_restart6(pxe);
  call_dhcp(pxe);
  print_packet6("Dhcp.Mode.DhcpAck", pxe->Mode->DhcpAckReceived, pxe->Mode->DhcpAck);
  call_udp(pxe, file.server, "(dhcp)");
  uefi::print("pxebc: done\n");
  return uefi::kSuccess;
}

}  // namespace

uefi::Status cmd_pxebc(Shell& shell, size_t argc, CommandArgs argv) {
  uefi::IpAddress station{}, subnet{};
  if (argc > 2 || (argc == 2 && !parse_station6(argv[1], &station, &subnet))) {
    uefi::print("usage: pxebc [IPV6-ADDRESS/PREFIX]\n");
    return uefi::kInvalidParameter;
  }
  PxeBaseCodeProtocol* pxe = nullptr;
  Status s = pxe_find(shell.image, &pxe);
  if (uefi::is_error(s) || pxe->Mode == nullptr) {
    out.say("protocol", "%s no PXE Base Code on the boot device", StatusText(s).text);
    return uefi::is_error(s) ? s : uefi::kNotFound;
  }
  out.say("Revision", "0x%llx", static_cast<unsigned long long>(pxe->Revision));
  print_mode(*pxe->Mode);
  if (!pxe->Mode->Started) {
    out.say("calls", "skipped: mpsh calls a PXE Base Code that is started");
    return uefi::kNotStarted;
  }
  if (pxe->Mode->UsingIpv6)
    return run_ipv6(pxe, argc == 2 ? &station : nullptr, argc == 2 ? &subnet : nullptr);
  LeaseSummary lease = pxe_lease(pxe);
  BootFile file{to_ip(lease.server), lease.boot_file};
  call_set_parameters(pxe);
  call_set_ip_filter(pxe);
  call_arp(pxe, to_ip(lease.server));
  call_mtftp(pxe, file);
  call_udp(pxe, to_ip(lease.server));
  call_discover(pxe);
  call_set_station_ip(pxe);
  call_set_packets(pxe);
  call_dhcp(pxe);
  uefi::print("pxebc: done\n");
  return uefi::kSuccess;
}

}  // namespace mpsh
