// EFI_PXE_BASE_CODE_PROTOCOL as an NBP calls it, over a fake NetSession that
// records what the protocol asked of the stack and answers as told.
#include "driver/efi/pxe_base_code.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "uefi_stubs.h"

namespace mpxe::driver {
namespace {

using namespace uefi;
using net::Ipv4Address;

const Ipv4Address kStation = Ipv4Address::of(10, 77, 0, 120);
const Ipv4Address kMask = Ipv4Address::of(255, 255, 255, 0);
const Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 2);

IpAddress ip(Ipv4Address a) {
  IpAddress out{};
  a.write(out.v4.Addr);
  return out;
}
Ipv4Address v4(const IpAddress& a) { return Ipv4Address::from_bytes(a.v4.Addr); }

class FakeSession final : public NetSession {
 public:
  struct Datagram {
    UdpDatagram meta;
    std::vector<uint8_t> bytes;
  };
  struct Write {
    net::IpAddress src, dst;
    uint16_t dst_port;
    net::Interface::UdpSendOptions ip;
    std::vector<uint8_t> bytes;
  };

  Status up() override { up_ = true; return kSuccess; }
  void down() override { up_ = false; }
  bool is_up() const override { return up_; }
  net::MacAddress mac() const override { return net::MacAddress{{0x52, 0x54, 0, 0x12, 0x34, 0x56}}; }

  Status dhcp(DhcpFlavor) override {
    ++dhcp_calls;
    lease_.station = kStation;
    lease_.mask = kMask;
    lease_.router = Ipv4Address::of(10, 77, 0, 1);
    lease_.boot_server = kServer;
    std::strcpy(lease_.boot_file, "boot.efi");
    lease_.ack.size = 300;
    return kSuccess;
  }
  const NetLease& lease() const override { return lease_; }
  void set_station(Ipv4Address ip, Ipv4Address mask, Ipv4Address router) override {
    lease_.station = ip;
    lease_.mask = mask;
    lease_.router = router;
  }
  Status discover(const net::PxeDiscoveryRequest& request) override {
    discoveries.push_back(request);
    if (!discovery_answers) return kTimeout;
    lease_.pxe_discover.size = 300;
    lease_.pxe_reply.size = 300;
    std::strcpy(lease_.boot_file, "discovered.efi");
    return kSuccess;
  }
  uint16_t discovered_layer() const override { return granted_layer; }
  Bytes pxe_options() const override { return Bytes(options.data(), options.size()); }
  Status tftp_size(const net::IpAddress& server, const char*, uint64_t* size) override {
    tftp_server = server;
    *size = file_size;
    return kSuccess;
  }
  Status tftp_read(const net::IpAddress& server, const char*, uint8_t* buffer, uint64_t capacity,
                   uint64_t* size, uint16_t) override {
    tftp_server = server;
    *size = file_size;
    if (buffer != nullptr && capacity < file_size) return kBufferTooSmall;
    return kSuccess;
  }
  bool tftp_error(uint8_t*, const char**) const override { return false; }
  Status start_ipv6(net::Ipv6Address* station) override {
    ++ipv6_starts;
    *station = slaac_station;
    return kSuccess;
  }
  Status dhcp6() override {
    ++dhcp6_calls;
    lease_ = NetLease();
    lease_.ipv6 = true;
    lease_.station6 = leased_station;
    lease_.discover.size = 60;
    lease_.discover.bytes[0] = 1;  // Solicit
    lease_.ack.size = 90;
    lease_.ack.bytes[0] = 7;  // Reply
    return kSuccess;
  }
  Status set_station6(const net::Ipv6Address& ip, uint8_t prefix_len) override {
    station6_set = ip;
    station6_prefix = prefix_len;
    lease_.station6 = ip;
    return kSuccess;
  }
  Status udp_write(const net::IpAddress& src, const net::IpAddress& dst, uint16_t dst_port,
                   const net::Interface::UdpSendOptions& ip, uint16_t* src_port,
                   const uint8_t* data, size_t size) override {
    if (*src_port == 0) *src_port = 49152;
    std::vector<uint8_t> bytes(ip.prefix.begin(), ip.prefix.end());
    bytes.insert(bytes.end(), data, data + size);
    writes.push_back(Write{src, dst, dst_port, ip, bytes});
    return kSuccess;
  }
  Status udp_read(const UdpFilter& filter, uint8_t* buffer, size_t* size, UdpDatagram* got,
                  uint32_t) override {
    if (icmp_pending) {
      icmp_pending = false;
      return kIcmpError;
    }
    for (auto it = inbox.begin(); it != inbox.end(); ++it) {
      if (!filter.matches(it->meta)) continue;
      size_t n = it->bytes.size() < *size ? it->bytes.size() : *size;
      std::memcpy(buffer, it->bytes.data(), n);
      bool truncated = it->bytes.size() > *size;
      *size = n;
      *got = it->meta;
      inbox.erase(it);
      return truncated ? kBufferTooSmall : kSuccess;
    }
    return kTimeout;
  }
  void last_icmp_error(UdpDatagram* quoted, uint8_t* code) const override {
    *quoted = icmp_quoted;
    *code = icmp_code;
  }
  Status arp(Ipv4Address, net::MacAddress* mac) override {
    *mac = net::MacAddress{{0x52, 0x54, 0, 0xaa, 0xbb, 0xcc}};
    return kSuccess;
  }
  size_t arp_entries(Ipv4Address* ips, net::MacAddress* macs, size_t capacity) const override {
    size_t n = 0;
    for (const auto& e : neighbours)
      if (n < capacity) {
        ips[n] = e.first;
        macs[n++] = e.second;
      }
    return n;
  }

  NetLease lease_;
  bool up_ = false;
  int dhcp_calls = 0;
  bool discovery_answers = true;
  uint16_t granted_layer = 0;
  std::vector<uint8_t> options;
  std::vector<net::PxeDiscoveryRequest> discoveries;
  uint64_t file_size = 5000;
  std::vector<Write> writes;
  std::deque<Datagram> inbox;
  bool icmp_pending = false;
  UdpDatagram icmp_quoted;
  uint8_t icmp_code = 0;
  std::vector<std::pair<Ipv4Address, net::MacAddress>> neighbours;
  net::IpAddress tftp_server;  // of the last tftp_size/tftp_read
  net::Ipv6Address slaac_station = net::Ipv6Address::of(0xfd77, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
  net::Ipv6Address leased_station = net::Ipv6Address::of(0xfd77, 0, 0, 0, 0, 0, 0, 0x123);
  int ipv6_starts = 0, dhcp6_calls = 0;
  net::Ipv6Address station6_set;
  uint8_t station6_prefix = 0;
};

struct Harness {
  Harness() {
    pxe.init(&session);
    pxe.set_handle(handle);
    test::installed_protocols().clear();
  }
  PxeBaseCodeProtocol* p() { return pxe.protocol(); }
  void start_and_dhcp() {
    ASSERT_EQ(p()->Start(p(), false), kSuccess);
    ASSERT_EQ(p()->Dhcp(p(), false), kSuccess);
  }

  FakeSession session;
  PxeBaseCode pxe;
  int handle_storage = 0;
  Handle handle = &handle_storage;
};

TEST(PxeBaseCode, EveryMemberWantsStartFirst) {
  Harness h;
  PxeBaseCodeProtocol* p = h.p();
  uint16_t layer = 0;
  uint64_t size = 0;
  Uintn usize = 0;
  IpAddress a = ip(kServer);
  PxeUdpPort port = 7;
  EXPECT_EQ(p->Dhcp(p, false), kNotStarted);
  EXPECT_EQ(p->Discover(p, 0, &layer, false, nullptr), kNotStarted);
  EXPECT_EQ(p->Mtftp(p, PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr, &a,
                     reinterpret_cast<const uint8_t*>("x"), nullptr, false),
            kNotStarted);
  EXPECT_EQ(p->UdpWrite(p, 0, &a, &port, nullptr, nullptr, nullptr, nullptr, nullptr, &usize, nullptr),
            kNotStarted);
  EXPECT_EQ(p->Arp(p, &a, nullptr), kNotStarted);
  EXPECT_EQ(p->SetParameters(p, nullptr, nullptr, nullptr, nullptr, nullptr), kNotStarted);
  EXPECT_EQ(p->Stop(p), kNotStarted);
}

TEST(PxeBaseCode, DhcpFillsModeLikeEdk2) {
  Harness h;
  h.start_and_dhcp();
  const PxeMode* m = h.p()->Mode;
  EXPECT_TRUE(m->Started);
  EXPECT_TRUE(m->DhcpAckReceived);
  EXPECT_FALSE(m->PxeReplyReceived);
  EXPECT_EQ(v4(m->StationIp), kStation);
  EXPECT_EQ(v4(m->SubnetMask), kMask);
  ASSERT_EQ(m->RouteTableEntries, 2u);
  EXPECT_EQ(v4(m->RouteTable[0].IpAddr), Ipv4Address::of(10, 77, 0, 0));
  EXPECT_EQ(v4(m->RouteTable[0].SubnetMask), kMask);
  EXPECT_EQ(v4(m->RouteTable[0].GwAddr), Ipv4Address());
  EXPECT_EQ(v4(m->RouteTable[1].IpAddr), Ipv4Address());
  EXPECT_EQ(v4(m->RouteTable[1].GwAddr), Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(m->TTL, 16);  // DEFAULT_TTL
  EXPECT_TRUE(m->AutoArp);
}

TEST(PxeBaseCode, DiscoverWithInfoAsksTheListedServersAndReportsTheLayer) {
  Harness h;
  h.start_and_dhcp();
  alignas(8) uint8_t storage[sizeof(PxeDiscoverInfo) + sizeof(PxeSrvList)] = {};
  auto* info = reinterpret_cast<PxeDiscoverInfo*>(storage);
  info->UseUCast = true;
  info->MustUseList = true;
  info->IpCnt = 2;
  info->SrvList[0].Type = 0x8001;
  info->SrvList[0].IpAddr = ip(Ipv4Address::of(10, 77, 0, 5));
  info->SrvList[1].Type = 0x0003;
  info->SrvList[1].IpAddr = ip(Ipv4Address::of(10, 77, 0, 6));
  h.session.granted_layer = 2;
  uint16_t layer = 1;
  ASSERT_EQ(h.p()->Discover(h.p(), 0x8001, &layer, false, info), kSuccess);
  ASSERT_EQ(h.session.discoveries.size(), 1u);
  const net::PxeDiscoveryRequest& r = h.session.discoveries[0];
  EXPECT_EQ(r.type, 0x8001);
  EXPECT_EQ(r.layer, 1);
  EXPECT_EQ(r.client, kStation);
  EXPECT_EQ(r.control, net::pxe_discovery::kNoBroadcast | net::pxe_discovery::kNoMulticast |
                           net::pxe_discovery::kListedOnly);
  ASSERT_EQ(r.server_count, 1);
  EXPECT_EQ(r.servers[0], Ipv4Address::of(10, 77, 0, 5));
  EXPECT_EQ(layer, 2);
  EXPECT_TRUE(h.p()->Mode->PxeDiscoverValid);
  EXPECT_TRUE(h.p()->Mode->PxeReplyReceived);
}

TEST(PxeBaseCode, DiscoverWithoutInfoUsesTheLeasesMenu) {
  Harness h;
  h.session.options = {6, 1, 0x03, 8, 7, 0x80, 0x00, 1, 10, 77, 0, 2, 255};
  h.start_and_dhcp();
  uint16_t layer = 0;
  ASSERT_EQ(h.p()->Discover(h.p(), 0x8000, &layer, false, nullptr), kSuccess);
  const net::PxeDiscoveryRequest& r = h.session.discoveries.at(0);
  EXPECT_EQ(r.control, 0x03);
  ASSERT_EQ(r.server_count, 1);
  EXPECT_EQ(r.servers[0], kServer);
}

TEST(PxeBaseCode, DiscoverRefusesWhatItCannotDo) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), false), kSuccess);
  uint16_t layer = 0;
  EXPECT_EQ(h.p()->Discover(h.p(), 0, &layer, false, nullptr), kNotReady);  // no DHCP yet
  ASSERT_EQ(h.p()->Dhcp(h.p(), false), kSuccess);
  EXPECT_EQ(h.p()->Discover(h.p(), 0, &layer, true, nullptr), kInvalidParameter);  // no BIS
  h.session.discovery_answers = false;
  EXPECT_EQ(h.p()->Discover(h.p(), 0, &layer, false, nullptr), kTimeout);
  EXPECT_FALSE(h.p()->Mode->PxeReplyReceived);
}

TEST(PxeBaseCode, UdpWriteCarriesTtlTosGatewayAndSource) {
  Harness h;
  h.start_and_dhcp();
  uint8_t ttl = 5, tos = 0x20;
  ASSERT_EQ(h.p()->SetParameters(h.p(), nullptr, nullptr, &ttl, &tos, nullptr), kSuccess);
  EXPECT_EQ(h.p()->Mode->TTL, 5);
  EXPECT_EQ(h.p()->Mode->ToS, 0x20);
  IpAddress dst = ip(Ipv4Address::of(192, 0, 2, 9));
  IpAddress gateway = ip(Ipv4Address::of(10, 77, 0, 254));
  IpAddress src = ip(Ipv4Address::of(10, 77, 0, 121));
  PxeUdpPort dst_port = 69, src_port = 0;
  uint8_t header[2] = {0, 1};
  uint8_t body[3] = {'a', 'b', 'c'};
  Uintn header_size = 2, body_size = 3;
  ASSERT_EQ(h.p()->UdpWrite(h.p(), 0, &dst, &dst_port, &gateway, &src, &src_port, &header_size,
                            header, &body_size, body),
            kSuccess);
  ASSERT_EQ(h.session.writes.size(), 1u);
  const FakeSession::Write& w = h.session.writes[0];
  EXPECT_EQ(w.dst, Ipv4Address::of(192, 0, 2, 9));
  EXPECT_EQ(w.src, Ipv4Address::of(10, 77, 0, 121));
  EXPECT_EQ(w.ip.gateway, Ipv4Address::of(10, 77, 0, 254));
  EXPECT_EQ(w.ip.ttl, 5);
  EXPECT_EQ(w.ip.tos, 0x20);
  EXPECT_EQ(w.bytes, (std::vector<uint8_t>{0, 1, 'a', 'b', 'c'}));
  EXPECT_EQ(src_port, 49152);
  EXPECT_FALSE(w.ip.may_fragment);

  // Over one frame: only with MAY_FRAGMENT, and never over 65507 bytes.
  std::vector<uint8_t> big(4000, 0x5a);
  Uintn big_size = big.size();
  EXPECT_EQ(h.p()->UdpWrite(h.p(), 0, &dst, &dst_port, nullptr, nullptr, &src_port, nullptr,
                            nullptr, &big_size, big.data()),
            kBadBufferSize);
  constexpr uint16_t kMayFragment = 0x0020;
  ASSERT_EQ(h.p()->UdpWrite(h.p(), kMayFragment, &dst, &dst_port, nullptr, nullptr, &src_port,
                            nullptr, nullptr, &big_size, big.data()),
            kSuccess);
  EXPECT_TRUE(h.session.writes.back().ip.may_fragment);
  EXPECT_EQ(h.session.writes.back().bytes.size(), 4000u);
  std::vector<uint8_t> huge(65508);
  Uintn huge_size = huge.size();
  EXPECT_EQ(h.p()->UdpWrite(h.p(), kMayFragment, &dst, &dst_port, nullptr, nullptr, &src_port,
                            nullptr, nullptr, &huge_size, huge.data()),
            kBadBufferSize);
}

TEST(PxeBaseCode, UdpReadWithUseFilterHonoursSetIpFilter) {
  Harness h;
  h.start_and_dhcp();
  UdpDatagram to_other{kServer, Ipv4Address::of(10, 77, 0, 99), 7, 4000};
  UdpDatagram broadcast{kServer, Ipv4Address::broadcast(), 7, 4000};
  h.session.inbox.push_back({to_other, {1}});
  h.session.inbox.push_back({broadcast, {2}});
  PxeIpFilter filter{};
  filter.Filters = kPxeIpFilterBroadcast;
  ASSERT_EQ(h.p()->SetIpFilter(h.p(), &filter), kSuccess);
  EXPECT_EQ(h.p()->Mode->IpFilter.Filters, kPxeIpFilterBroadcast);
  constexpr uint16_t kUseFilter = 0x0010, kAnySrcIp = 0x0001, kAnySrcPort = 0x0002,
                     kAnyDestPort = 0x0008;
  uint8_t buffer[8];
  Uintn size = sizeof(buffer);
  ASSERT_EQ(h.p()->UdpRead(h.p(), kUseFilter | kAnySrcIp | kAnySrcPort | kAnyDestPort, nullptr,
                           nullptr, nullptr, nullptr, nullptr, nullptr, &size, buffer),
            kSuccess);
  EXPECT_EQ(buffer[0], 2);  // the broadcast, not the datagram for another host
  size = sizeof(buffer);
  EXPECT_EQ(h.p()->UdpRead(h.p(), kUseFilter | kAnySrcIp | kAnySrcPort | kAnyDestPort, nullptr,
                           nullptr, nullptr, nullptr, nullptr, nullptr, &size, buffer),
            kTimeout);
  filter.Filters = kPxeIpFilterPromiscuous;
  ASSERT_EQ(h.p()->SetIpFilter(h.p(), &filter), kSuccess);
  size = sizeof(buffer);
  EXPECT_EQ(h.p()->UdpRead(h.p(), kUseFilter | kAnySrcIp | kAnySrcPort | kAnyDestPort, nullptr,
                           nullptr, nullptr, nullptr, nullptr, nullptr, &size, buffer),
            kSuccess);
  EXPECT_EQ(buffer[0], 1);
}

TEST(PxeBaseCode, AnIcmpErrorDuringUdpReadIsReportedInMode) {
  Harness h;
  h.start_and_dhcp();
  h.session.icmp_pending = true;
  h.session.icmp_quoted = UdpDatagram{kStation, kServer, 49152, 7};
  h.session.icmp_code = 3;  // port unreachable
  uint8_t buffer[8];
  Uintn size = sizeof(buffer);
  EXPECT_EQ(h.p()->UdpRead(h.p(), 0x000F, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                           &size, buffer),
            kIcmpError);
  const PxeMode* m = h.p()->Mode;
  ASSERT_TRUE(m->IcmpErrorReceived);
  EXPECT_EQ(m->IcmpError.Type, 3);
  EXPECT_EQ(m->IcmpError.Code, 3);
  EXPECT_EQ(Ipv4Address::from_bytes(m->IcmpError.Data + 16), kServer);  // quoted destination
  EXPECT_EQ((m->IcmpError.Data[22] << 8) | m->IcmpError.Data[23], 7);   // quoted port
}

struct CallbackRecorder {
  PxeBaseCodeCallbackProtocol protocol{0x00010000, &CallbackRecorder::call};
  std::vector<PxeFunction> seen;
  PxeFunction abort_on = PxeFunction::First;  // First is never asked about

  static PxeCallbackStatus call(PxeBaseCodeCallbackProtocol* self, PxeFunction function, Boolean,
                                uint32_t, PxePacket*) {
    auto* r = reinterpret_cast<CallbackRecorder*>(self);
    r->seen.push_back(function);
    return function == r->abort_on ? PxeCallbackStatus::Abort : PxeCallbackStatus::Continue;
  }
};

TEST(PxeBaseCode, MakeCallbacksNeedsTheCallerProtocolAndCanAbort) {
  Harness h;
  h.start_and_dhcp();
  Boolean yes = true;
  EXPECT_EQ(h.p()->SetParameters(h.p(), nullptr, nullptr, nullptr, nullptr, &yes), kInvalidParameter);
  EXPECT_FALSE(h.p()->Mode->MakeCallbacks);

  CallbackRecorder recorder;
  test::installed_protocols().push_back({h.handle, kPxeBaseCodeCallbackProtocolGuid, &recorder.protocol});
  ASSERT_EQ(h.p()->SetParameters(h.p(), nullptr, nullptr, nullptr, nullptr, &yes), kSuccess);
  EXPECT_TRUE(h.p()->Mode->MakeCallbacks);
  uint64_t size = 0;
  IpAddress server = ip(kServer);
  const uint8_t* name = reinterpret_cast<const uint8_t*>("boot.efi");
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr,
                         &server, name, nullptr, false),
            kSuccess);
  EXPECT_EQ(recorder.seen, (std::vector<PxeFunction>{PxeFunction::Mtftp}));
  recorder.abort_on = PxeFunction::Mtftp;
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr,
                         &server, name, nullptr, false),
            kAborted);
  recorder.abort_on = PxeFunction::Dhcp;
  EXPECT_EQ(h.p()->Dhcp(h.p(), false), kAborted);
  EXPECT_EQ(h.session.dhcp_calls, 1);  // the aborted one never reached the stack
  Boolean no = false;
  ASSERT_EQ(h.p()->SetParameters(h.p(), nullptr, nullptr, nullptr, nullptr, &no), kSuccess);
  EXPECT_EQ(h.p()->Dhcp(h.p(), false), kSuccess);
}

TEST(PxeBaseCode, MtftpTooSmallGivesTheRealSize) {
  Harness h;
  h.start_and_dhcp();
  uint8_t buffer[100];
  uint64_t size = sizeof(buffer);
  IpAddress server = ip(kServer);
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpReadFile, buffer, false, &size, nullptr,
                         &server, reinterpret_cast<const uint8_t*>("boot.efi"), nullptr, false),
            kBufferTooSmall);
  EXPECT_EQ(size, 5000u);
}

// shim, booted from an http:// boot file, asks Mtftp for the URL's folder plus its
// next stage: that name goes to the URL reader (HTTP), never to a TFTP server.
struct UrlCalls {
  std::vector<std::string> urls;
  std::vector<bool> with_buffer;
  uint64_t file_size = 3000;
  static Status read(void* context, const char* url, uint8_t* buffer, uint64_t* size) {
    auto* self = static_cast<UrlCalls*>(context);
    self->urls.push_back(url);
    self->with_buffer.push_back(buffer != nullptr);
    uint64_t room = *size;
    *size = self->file_size;
    if (buffer == nullptr) return kSuccess;
    if (room < self->file_size) return kBufferTooSmall;
    std::memset(buffer, 0xab, self->file_size);
    return kSuccess;
  }
};

TEST(PxeBaseCode, MtftpOfAnHttpUrlGoesToTheUrlReader) {
  Harness h;
  UrlCalls calls;
  h.pxe.set_url_reader(UrlCalls::read, &calls);
  h.start_and_dhcp();
  IpAddress server = ip(kServer);
  const char* url = "http://10.0.2.2:8080/debian-installer/amd64/grubx64.efi";
  auto name = reinterpret_cast<const uint8_t*>(url);
  uint64_t size = 0;
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr,
                         &server, name, nullptr, false),
            kSuccess);
  EXPECT_EQ(size, 3000u);
  std::vector<uint8_t> small(100);
  size = small.size();
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpReadFile, small.data(), false, &size, nullptr,
                         &server, name, nullptr, false),
            kBufferTooSmall);
  EXPECT_EQ(size, 3000u);
  std::vector<uint8_t> buffer(8192);
  size = buffer.size();
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpReadFile, buffer.data(), false, &size,
                         nullptr, &server, reinterpret_cast<const uint8_t*>("HTTPS://h/x.efi"),
                         nullptr, false),
            kSuccess);
  EXPECT_EQ(size, 3000u);  // the file's size, not the buffer's
  EXPECT_EQ(buffer[2999], 0xab);
  EXPECT_EQ(buffer[3000], 0);
  EXPECT_EQ(calls.urls, (std::vector<std::string>{url, url, "HTTPS://h/x.efi"}));
  EXPECT_EQ(calls.with_buffer, (std::vector<bool>{false, true, true}));
  EXPECT_TRUE(h.session.tftp_server.is_unspecified());  // no TFTP request at all
  // Other operations on a URL are not offered; a plain name still goes to TFTP.
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpWriteFile, buffer.data(), false, &size,
                         nullptr, &server, name, nullptr, false),
            kUnsupported);
  size = buffer.size();
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpReadFile, buffer.data(), false, &size,
                         nullptr, &server, reinterpret_cast<const uint8_t*>("grubx64.efi"),
                         nullptr, false),
            kSuccess);
  EXPECT_EQ(calls.urls.size(), 3u);
  EXPECT_EQ(h.session.tftp_server, net::IpAddress(kServer));
}

// After a boot over IPv6 (NetBoot adopts the lease the ROM booted with): Mode says
// IPv6 with the station's address and the DHCPv6 packets; Mtftp goes to the boot
// URL's server, or to the IPv6 address given; Arp and Discover refuse.
TEST(PxeBaseCode, AnIpv6LeaseFillsTheV6ModeAndMtftpUsesIt) {
  const net::Ipv6Address station = net::Ipv6Address::of(0xfec0, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
  const net::Ipv6Address server = net::Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2);
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), false), kSuccess);
  NetLease& lease = h.session.lease_;
  lease.ipv6 = true;
  lease.station6 = station;
  lease.boot_address = server;
  std::strcpy(lease.boot_file, "mpsh.efi");
  lease.discover.size = 60;
  lease.ack.size = 90;
  lease.ack.bytes[0] = 7;  // Reply
  h.pxe.adopt_lease();
  const PxeMode* m = h.p()->Mode;
  EXPECT_TRUE(m->UsingIpv6);
  EXPECT_EQ(net::Ipv6Address::from_bytes(m->StationIp.v6.Addr), station);
  EXPECT_TRUE(m->DhcpDiscoverValid);
  EXPECT_TRUE(m->DhcpAckReceived);
  EXPECT_EQ(m->DhcpAck.Dhcpv6.MessageType, 7u);
  EXPECT_EQ(m->RouteTableEntries, 0u);

  uint64_t size = 0;
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr,
                         nullptr, reinterpret_cast<const uint8_t*>("mpsh.efi"), nullptr, false),
            kSuccess);
  EXPECT_EQ(h.session.tftp_server, net::IpAddress(server));
  IpAddress other{};
  net::Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9).write(other.v6.Addr);
  EXPECT_EQ(h.p()->Mtftp(h.p(), PxeTftpOpcode::TftpGetFileSize, nullptr, false, &size, nullptr,
                         &other, reinterpret_cast<const uint8_t*>("mpsh.efi"), nullptr, false),
            kSuccess);
  EXPECT_EQ(h.session.tftp_server, net::IpAddress(net::Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9)));

  // Arp and Discover have no IPv6 meaning; Dhcp runs DHCPv6 (below).
  IpAddress a = ip(kServer);
  uint16_t layer = 0;
  EXPECT_EQ(h.p()->Arp(h.p(), &a, nullptr), kUnsupported);
  EXPECT_EQ(h.p()->Discover(h.p(), 0, &layer, false, nullptr), kUnsupported);
}

IpAddress ip6(const char* text) {
  IpAddress out{};
  net::Ipv6Address::parse(text).value().write(out.v6.Addr);
  return out;
}
net::Ipv6Address v6(const IpAddress& a) { return net::Ipv6Address::from_bytes(a.v6.Addr); }
net::IpAddress net6(const char* text) { return net::Ipv6Address::parse(text).value(); }

TEST(PxeBaseCode, StartWithIpv6BringsIpv6UpAndTakesItsAddress) {
  Harness h;
  EXPECT_TRUE(h.p()->Mode->IpV6Supported);
  EXPECT_TRUE(h.p()->Mode->IpV6Available);
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  const PxeMode* m = h.p()->Mode;
  EXPECT_EQ(h.session.ipv6_starts, 1);
  EXPECT_TRUE(m->Started);
  EXPECT_TRUE(m->UsingIpv6);
  EXPECT_EQ(v6(m->StationIp), h.session.slaac_station);
  EXPECT_EQ(h.p()->Start(h.p(), true), kAlreadyStarted);
  ASSERT_EQ(h.p()->Stop(h.p()), kSuccess);
  ASSERT_EQ(h.p()->Start(h.p(), false), kSuccess);
  EXPECT_FALSE(h.p()->Mode->UsingIpv6);
  EXPECT_EQ(h.session.ipv6_starts, 1);
}

TEST(PxeBaseCode, DhcpOverIpv6RunsDhcpv6AndKeepsSolicitAndReply) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  ASSERT_EQ(h.p()->Dhcp(h.p(), false), kSuccess);
  const PxeMode* m = h.p()->Mode;
  EXPECT_EQ(h.session.dhcp6_calls, 1);
  EXPECT_EQ(h.session.dhcp_calls, 0);
  EXPECT_TRUE(m->UsingIpv6);
  EXPECT_EQ(v6(m->StationIp), h.session.leased_station);
  EXPECT_TRUE(m->DhcpDiscoverValid);
  EXPECT_EQ(m->DhcpDiscover.Dhcpv6.MessageType, 1u);
  EXPECT_TRUE(m->DhcpAckReceived);
  EXPECT_EQ(m->DhcpAck.Dhcpv6.MessageType, 7u);
  EXPECT_FALSE(m->ProxyOfferReceived);
}

TEST(PxeBaseCode, UdpWriteOverIpv6GoesFromTheStationUnfragmented) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  uint8_t hops = 9;
  ASSERT_EQ(h.p()->SetParameters(h.p(), nullptr, nullptr, &hops, nullptr, nullptr), kSuccess);
  IpAddress dst = ip6("fd77::1");
  IpAddress gateway = ip(Ipv4Address::of(10, 77, 0, 254));
  PxeUdpPort dst_port = 7, src_port = 0;
  uint8_t header[2] = {0, 1};
  uint8_t body[3] = {'a', 'b', 'c'};
  Uintn header_size = 2, body_size = 3;
  constexpr uint16_t kAnySrcIp = 0x0001, kAnySrcPort = 0x0002, kMayFragment = 0x0020;
  ASSERT_EQ(h.p()->UdpWrite(h.p(), kAnySrcIp | kAnySrcPort, &dst, &dst_port, &gateway, nullptr,
                            &src_port, &header_size, header, &body_size, body),
            kSuccess);
  ASSERT_EQ(h.session.writes.size(), 1u);
  const FakeSession::Write& w = h.session.writes[0];
  EXPECT_EQ(w.dst, net6("fd77::1"));
  EXPECT_EQ(w.src, net::IpAddress(h.session.slaac_station));
  EXPECT_TRUE(w.ip.gateway.is_unspecified());  // IPv4's; NDP finds the next hop
  EXPECT_EQ(w.ip.ttl, 9);
  EXPECT_EQ(w.bytes, (std::vector<uint8_t>{0, 1, 'a', 'b', 'c'}));
  EXPECT_EQ(src_port, 49152);
  IpAddress src = ip6("fd77::42");
  src_port = 4000;
  ASSERT_EQ(h.p()->UdpWrite(h.p(), 0, &dst, &dst_port, nullptr, &src, &src_port, nullptr,
                            nullptr, &body_size, body),
            kSuccess);
  EXPECT_EQ(h.session.writes.back().src, net6("fd77::42"));
  // 1452 bytes fill a frame; more is refused even with MAY_FRAGMENT.
  std::vector<uint8_t> full(1452), over(1453);
  Uintn full_size = full.size(), over_size = over.size();
  EXPECT_EQ(h.p()->UdpWrite(h.p(), 0, &dst, &dst_port, nullptr, nullptr, &src_port, nullptr,
                            nullptr, &full_size, full.data()),
            kSuccess);
  EXPECT_EQ(h.p()->UdpWrite(h.p(), kMayFragment, &dst, &dst_port, nullptr, nullptr, &src_port,
                            nullptr, nullptr, &over_size, over.data()),
            kBadBufferSize);
  EXPECT_FALSE(h.session.writes.back().ip.may_fragment);
}

TEST(PxeBaseCode, UdpReadOverIpv6FiltersSplitsAndReportsAddresses) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  const net::IpAddress station = h.session.slaac_station;
  // An IPv4 datagram is never an IPv6 caller's, even with every ANY flag.
  h.session.inbox.push_back({UdpDatagram{kServer, kStation, 7, 4000}, {9}});
  h.session.inbox.push_back({UdpDatagram{net6("fd77::1"), net6("fd77::99"), 7, 4000}, {8}});
  h.session.inbox.push_back({UdpDatagram{net6("fd77::1"), station, 7, 4000}, {1, 2, 3, 4, 5}});
  constexpr uint16_t kUseFilter = 0x0010, kAnySrcIp = 0x0001, kAnySrcPort = 0x0002;
  PxeIpFilter filter{};
  filter.Filters = kPxeIpFilterStationIp;
  ASSERT_EQ(h.p()->SetIpFilter(h.p(), &filter), kSuccess);
  IpAddress from{}, to{};
  PxeUdpPort from_port = 0, to_port = 4000;
  uint8_t header[2] = {}, body[8] = {};
  Uintn header_size = 2, body_size = sizeof(body);
  ASSERT_EQ(h.p()->UdpRead(h.p(), kUseFilter | kAnySrcIp | kAnySrcPort, &to, &to_port, &from,
                           &from_port, &header_size, header, &body_size, body),
            kSuccess);
  EXPECT_EQ(header[0], 1);
  EXPECT_EQ(header[1], 2);
  EXPECT_EQ(body_size, 3u);
  EXPECT_EQ(body[0], 3);
  EXPECT_EQ(v6(from), net::Ipv6Address::parse("fd77::1").value());
  EXPECT_EQ(from_port, 7);
  EXPECT_EQ(net::IpAddress(v6(to)), station);
  // Without the filter, the destination asked for.
  IpAddress other = ip6("fd77::99");
  body_size = sizeof(body);
  ASSERT_EQ(h.p()->UdpRead(h.p(), kAnySrcIp | kAnySrcPort, &other, &to_port, nullptr, nullptr,
                           nullptr, nullptr, &body_size, body),
            kSuccess);
  EXPECT_EQ(body[0], 8);
  body_size = sizeof(body);
  EXPECT_EQ(h.p()->UdpRead(h.p(), 0x000F, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                           &body_size, body),
            kTimeout);
  EXPECT_EQ(h.session.inbox.size(), 1u);  // the IPv4 one, still unread
}

TEST(PxeBaseCode, AnIcmpv6ErrorDuringUdpReadIsReportedInMode) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  h.session.icmp_pending = true;
  h.session.icmp_quoted = UdpDatagram{h.session.slaac_station, net6("fd77::1"), 49152, 7};
  h.session.icmp_code = 4;  // port unreachable
  uint8_t buffer[8];
  Uintn size = sizeof(buffer);
  EXPECT_EQ(h.p()->UdpRead(h.p(), 0x000F, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                           &size, buffer),
            kIcmpError);
  const PxeMode* m = h.p()->Mode;
  ASSERT_TRUE(m->IcmpErrorReceived);
  EXPECT_EQ(m->IcmpError.Type, 1);
  EXPECT_EQ(m->IcmpError.Code, 4);
  EXPECT_EQ(m->IcmpError.Data[0] >> 4, 6);
  EXPECT_EQ(m->IcmpError.Data[6], 17);
  EXPECT_EQ(net::Ipv6Address::from_bytes(m->IcmpError.Data + 24),
            net::Ipv6Address::parse("fd77::1").value());
  EXPECT_EQ((m->IcmpError.Data[42] << 8) | m->IcmpError.Data[43], 7);
}

TEST(PxeBaseCode, SetStationIpOverIpv6PutsTheAddressAndPrefixOnTheInterface) {
  Harness h;
  ASSERT_EQ(h.p()->Start(h.p(), true), kSuccess);
  IpAddress station = ip6("fd77::42");
  IpAddress mask = ip6("ffff:ffff:ffff:ff00::");
  ASSERT_EQ(h.p()->SetStationIp(h.p(), &station, &mask), kSuccess);
  EXPECT_EQ(h.session.station6_set, net::Ipv6Address::parse("fd77::42").value());
  EXPECT_EQ(h.session.station6_prefix, 56);
  EXPECT_EQ(v6(h.p()->Mode->StationIp), net::Ipv6Address::parse("fd77::42").value());
  EXPECT_EQ(v6(h.p()->Mode->SubnetMask), net::Ipv6Address::parse("ffff:ffff:ffff:ff00::").value());
  // What follows goes from it.
  IpAddress dst = ip6("fd77::1");
  PxeUdpPort port = 7;
  uint8_t body[1] = {1};
  Uintn body_size = 1;
  ASSERT_EQ(h.p()->UdpWrite(h.p(), 0x0002, &dst, &port, nullptr, nullptr, nullptr, nullptr,
                            nullptr, &body_size, body),
            kSuccess);
  EXPECT_EQ(h.session.writes.back().src, net6("fd77::42"));
  // No mask: /64. A group or a mask with holes: refused, the Mode unchanged.
  h.session.station6_prefix = 0;
  IpAddress next = ip6("fd77::43");
  ASSERT_EQ(h.p()->SetStationIp(h.p(), &next, nullptr), kSuccess);
  EXPECT_EQ(h.session.station6_prefix, 56);  // the Mode's mask stands
  IpAddress none{};
  ASSERT_EQ(h.p()->SetStationIp(h.p(), &next, &none), kSuccess);
  EXPECT_EQ(h.session.station6_prefix, 64);
  IpAddress group = ip6("ff02::1");
  IpAddress holes = ip6("ffff:0:ffff::");
  EXPECT_EQ(h.p()->SetStationIp(h.p(), &group, nullptr), kInvalidParameter);
  EXPECT_EQ(h.p()->SetStationIp(h.p(), &station, &holes), kInvalidParameter);
  EXPECT_EQ(v6(h.p()->Mode->StationIp), net::Ipv6Address::parse("fd77::43").value());
}

TEST(PxeBaseCode, ArpCacheMirrorsTheStacks) {
  Harness h;
  h.start_and_dhcp();
  net::MacAddress a{{2, 0, 0, 0, 0, 1}}, b{{2, 0, 0, 0, 0, 2}};
  h.session.neighbours = {{kServer, a}, {Ipv4Address::of(10, 77, 0, 1), b}};
  IpAddress target = ip(kServer);
  MacAddress mac{};
  ASSERT_EQ(h.p()->Arp(h.p(), &target, &mac), kSuccess);
  const PxeMode* m = h.p()->Mode;
  ASSERT_EQ(m->ArpCacheEntries, 2u);
  EXPECT_EQ(v4(m->ArpCache[1].IpAddr), Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(m->ArpCache[1].MacAddr.Addr[5], 2);
}

}  // namespace
}  // namespace mpxe::driver
