// PXE 2.1 boot server discovery scripted at explicit milliseconds: where each
// request goes as the control bits allow, what it carries (checked field by field
// against the PXE 2.1 layout, not against a builder), which replies count.
#include "net/socket/pxe_discovery.h"

#include <map>

#include "dhcp_test_util.h"
#include "pxe_frames.h"

namespace mpxe::net::test {
namespace {

constexpr uint16_t kItem = 0x8001;
const Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 120);
const Ipv4Address kProxy = Ipv4Address::of(10, 77, 0, 2);

struct Harness {
  explicit Harness(std::initializer_list<uint32_t> r = {0xC0FFEE01})
      : random(r), discovery(pxe_config(), random) {}

  void start(const PxeDiscoveryRequest& request, Millis now) {
    discovery.start(request, now);
    discovery.poll(now, tx);
  }
  void receive(const UdpMeta& meta, const Buffer& packet, Millis now) {
    discovery.on_datagram(meta, view(packet), now, tx);
  }
  size_t run_until(Millis until) {
    size_t before = tx.count();
    for (int guard = 0; guard < 1000; ++guard) {
      Millis d = discovery.next_deadline();
      if (d == kNever || d > until) break;
      discovery.poll(d, tx);
    }
    return tx.count() - before;
  }

  ScriptedRandom random;
  RecordingSender tx;
  PxeDiscovery discovery;
};

PxeDiscoveryRequest request_for(uint8_t control) {
  PxeDiscoveryRequest r;
  r.client = kClient;
  r.type = kItem;
  r.control = control;
  r.menu_server = kProxy;
  return r;
}

// A boot server's DHCPACK: option 43 = `vendor` (sub-options, End included).
Buffer reply(uint32_t xid, Buffer vendor, const char* file, Ipv4Address siaddr = Ipv4Address()) {
  DhcpRepr repr;
  repr.op = BootpOp::Reply;
  repr.xid = xid;
  repr.ciaddr = kClient;
  repr.siaddr = siaddr;
  repr.set_client_mac(client_mac());
  repr.file = bytes_of(file);
  uint8_t options[300];
  DhcpOptionWriter w{MutableBytes(options)};
  EXPECT_TRUE(w.put_message_type(DhcpMessageType::Ack).ok());
  EXPECT_TRUE(w.put_address(dhcp_option::kServerId, kProxy).ok());
  EXPECT_TRUE(w.put(dhcp_option::kVendorClassId, bytes_of("PXEClient")).ok());
  if (!vendor.empty()) EXPECT_TRUE(w.put(dhcp_option::kVendorSpecific, view(vendor)).ok());
  EXPECT_TRUE(w.put_end().ok());
  repr.options = w.written();
  Buffer out(repr.buffer_len());
  EXPECT_TRUE(repr.emit(MutableBytes(out.data(), out.size())).ok());
  return out;
}

Buffer item71(uint16_t type, uint16_t layer = 0) {
  return {71, 4, static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), static_cast<uint8_t>(layer >> 8),
          static_cast<uint8_t>(layer), 255};
}

TEST(PxeDiscoveryRequest, TakesTheServersOfTheChosenType) {
  const uint8_t blob[] = {6, 1, 0x07, 8, 18, 0x80, 0x01, 2, 10, 0, 0, 5, 10, 0, 0, 6, 0x00, 0x03,
                          1, 10, 0, 0, 7, 255};
  auto options = PxeVendorOptions::parse(Bytes(blob)).value();
  auto r = PxeDiscoveryRequest::from_options(options, kItem, kClient, kProxy);
  EXPECT_EQ(r.control, 0x07);
  ASSERT_EQ(r.server_count, 2);
  EXPECT_EQ(str(r.servers[0]), "10.0.0.5");
  EXPECT_EQ(str(r.servers[1]), "10.0.0.6");
  EXPECT_EQ(r.type, kItem);
  EXPECT_EQ(r.client, kClient);
}

// dnsmasq lists a server for each network item; a type it does not list (0,
// local boot) has nobody to ask, and the menu's server is no fallback then.
TEST(PxeDiscoveryRequest, ATypeTheListLeavesOutHasNoServer) {
  const uint8_t blob[] = {6, 1, 0x03, 8, 7, 0x80, 0x00, 1, 10, 77, 0, 2, 255};
  auto options = PxeVendorOptions::parse(Bytes(blob)).value();
  Harness h;
  h.start(PxeDiscoveryRequest::from_options(options, 0, kClient, kProxy), 0);
  EXPECT_EQ(h.discovery.failure(), PxeDiscoveryFailure::NoTarget);
  EXPECT_EQ(h.tx.count(), 0u);
  // Without any list, the menu's server is asked.
  const uint8_t no_list[] = {6, 1, 0x03, 255};
  Harness h2;
  h2.start(PxeDiscoveryRequest::from_options(PxeVendorOptions::parse(Bytes(no_list)).value(), 0,
                                             kClient, kProxy),
           0);
  ASSERT_EQ(h2.tx.count(), 1u);
  EXPECT_EQ(h2.tx.last().meta.dst, kProxy);
}

TEST(PxeDiscovery, TheRequestCarriesTheBootItemFieldByField) {
  Harness h;
  h.start(request_for(pxe_discovery::kNoBroadcast | pxe_discovery::kNoMulticast), 1000);
  ASSERT_EQ(h.tx.count(), 1u);
  const auto& sent = h.tx.last();
  EXPECT_EQ(sent.meta.src, kClient);
  EXPECT_EQ(sent.meta.src_port, 68);
  EXPECT_EQ(sent.meta.dst, kProxy);
  EXPECT_EQ(sent.meta.dst_port, 4011);

  const Buffer& b = sent.bytes;
  ASSERT_GE(b.size(), 300u);  // RFC 1542's minimum
  EXPECT_EQ(b[0], 1);         // BOOTREQUEST
  EXPECT_EQ(b[1], 1);         // Ethernet
  EXPECT_EQ(b[2], 6);
  EXPECT_EQ(load_be32(&b[4]), 0xC0FFEE01u);  // xid
  EXPECT_EQ(load_be16(&b[10]), 0);           // flags: unicast reply is fine, we have an address
  EXPECT_EQ(Buffer(b.begin() + 12, b.begin() + 16), (Buffer{10, 77, 0, 120}));  // ciaddr
  EXPECT_EQ(Buffer(b.begin() + 16, b.begin() + 20), (Buffer{0, 0, 0, 0}));       // yiaddr
  const MacAddress mac = client_mac();
  EXPECT_EQ(Buffer(b.begin() + 28, b.begin() + 34), Buffer(mac.octets, mac.octets + 6));
  EXPECT_EQ(load_be32(&b[236]), 0x63825363u);  // magic cookie

  // The options, walked by hand: 53 = 3 (REQUEST), 43 = {71 4 80 01 00 00, 255},
  // 60 the PXE class, 93 = 7, 97 = the GUID.
  std::map<uint8_t, Buffer> options;
  for (size_t i = 240; i < b.size() && b[i] != 255;) {
    if (b[i] == 0) { ++i; continue; }
    options[b[i]] = Buffer(b.begin() + i + 2, b.begin() + i + 2 + b[i + 1]);
    i += 2 + b[i + 1];
  }
  EXPECT_EQ(options[53], (Buffer{3}));
  EXPECT_EQ(options[43], (Buffer{71, 4, 0x80, 0x01, 0x00, 0x00, 255}));
  EXPECT_EQ(str(view(options[60])), "PXEClient:Arch:00007:UNDI:003016");
  EXPECT_EQ(options[93], (Buffer{0, 7}));
  EXPECT_EQ(options[94], (Buffer{1, 3, 0x10}));
  ASSERT_EQ(options[97].size(), 17u);
  EXPECT_EQ(options[97][0], 0);
  EXPECT_EQ(options.count(54), 0u);  // no server is selected by a discovery
  EXPECT_EQ(buf(h.discovery.request_packet().view()), b);
}

TEST(PxeDiscovery, DestinationsFollowTheControlBits) {
  struct Case {
    uint8_t control;
    bool multicast;
    int servers;
    std::vector<std::pair<std::string, uint16_t>> want;
  };
  const Case cases[] = {
      {0x00, true, 1, {{"239.0.0.5", 4011}, {"255.255.255.255", 67}, {"10.0.0.5", 4011}}},
      {0x00, false, 0, {{"255.255.255.255", 67}}},
      {pxe_discovery::kNoMulticast, true, 0, {{"255.255.255.255", 67}}},
      {pxe_discovery::kNoBroadcast, true, 2, {{"239.0.0.5", 4011}, {"10.0.0.5", 4011}, {"10.0.0.6", 4011}}},
      {0x03, false, 1, {{"10.0.0.5", 4011}}},
      {0x03, true, 0, {{"10.77.0.2", 4011}}},  // nothing left: the menu's server
  };
  for (const Case& c : cases) {
    PxeDiscoveryRequest r = request_for(c.control);
    if (c.multicast) r.multicast = ip("239.0.0.5");
    for (int i = 0; i < c.servers; ++i) r.servers[r.server_count++] = Ipv4Address::of(10, 0, 0, 5 + i);
    Harness h;
    h.start(r, 0);
    ASSERT_EQ(h.discovery.target_count(), c.want.size()) << int(c.control);
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(str(h.discovery.target(i).dst), c.want[i].first) << int(c.control) << " #" << i;
      EXPECT_EQ(h.discovery.target(i).dst_port, c.want[i].second);
    }
  }
}

TEST(PxeDiscovery, NowhereToAskFailsAtOnce) {
  PxeDiscoveryRequest r = request_for(0x03);
  r.menu_server = Ipv4Address();
  Harness h;
  h.start(r, 0);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Failed);
  EXPECT_EQ(h.discovery.failure(), PxeDiscoveryFailure::NoTarget);
  EXPECT_EQ(h.tx.count(), 0u);
}

TEST(PxeDiscovery, TheEchoingAckGivesTheFileAndServer) {
  Harness h;
  h.start(request_for(0x03), 0);
  h.receive(from_server("10.77.0.2", 4011, "10.77.0.120"),
            reply(0xC0FFEE01, item71(kItem, 0), "menu/boot.efi", Ipv4Address::of(10, 77, 0, 9)), 4);
  ASSERT_EQ(h.discovery.state(), PxeDiscoveryState::Done);
  EXPECT_EQ(str(h.discovery.boot_file().view()), "menu/boot.efi");
  EXPECT_EQ(h.discovery.boot_server(), Ipv4Address::of(10, 77, 0, 9));  // siaddr first
  EXPECT_EQ(h.discovery.replied_from(), kProxy);
  EXPECT_TRUE(h.discovery.reply_packet().valid());
}

TEST(PxeDiscovery, WithoutSiaddrTheServerIdIsTheBootServer) {
  Harness h;
  h.start(request_for(0x03), 0);
  h.receive(from_server("10.77.0.2", 4011, "10.77.0.120"), reply(0xC0FFEE01, item71(kItem), "x.efi"), 4);
  ASSERT_EQ(h.discovery.state(), PxeDiscoveryState::Done);
  EXPECT_EQ(h.discovery.boot_server(), kProxy);
}

TEST(PxeDiscovery, RepliesForAnotherItemOrTransactionAreIgnored) {
  Harness h;
  h.start(request_for(0x03), 0);
  h.receive(from_server("10.77.0.2", 4011), reply(0xC0FFEE01, item71(0x8002), "other.efi"), 3);
  h.receive(from_server("10.77.0.2", 4011), reply(0x12345678, item71(kItem), "stale.efi"), 4);
  h.receive(from_server("10.77.0.2", 4011), Buffer{1, 2, 3}, 5);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Discovering);
  EXPECT_EQ(h.discovery.drops(PxeDiscoveryDrop::WrongItem), 1u);
  EXPECT_EQ(h.discovery.drops(PxeDiscoveryDrop::NotOurs), 1u);
  EXPECT_EQ(h.discovery.drops(PxeDiscoveryDrop::Malformed), 1u);
  h.receive(from_server("10.77.0.2", 4011), reply(0xC0FFEE01, item71(kItem), "right.efi"), 6);
  EXPECT_EQ(str(h.discovery.boot_file().view()), "right.efi");
}

TEST(PxeDiscovery, ABrokenOption43InTheReplyIsMalformed) {
  Harness h;
  h.start(request_for(0x03), 0);
  h.receive(from_server("10.77.0.2", 4011), reply(0xC0FFEE01, Buffer{71, 3, 0, 1, 0, 255}, "x.efi"), 3);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Discovering);
  EXPECT_EQ(h.discovery.last_error(), Error(Layer::Dhcp, Errc::BadOption));
}

TEST(PxeDiscovery, ListedOnlyRefusesOtherServers) {
  PxeDiscoveryRequest r = request_for(0x07);
  r.servers[r.server_count++] = Ipv4Address::of(10, 77, 0, 5);
  Harness h;
  h.start(r, 0);
  h.receive(from_server("10.77.0.66", 4011), reply(0xC0FFEE01, item71(kItem), "rogue.efi"), 2);
  EXPECT_EQ(h.discovery.drops(PxeDiscoveryDrop::NotListed), 1u);
  h.receive(from_server("10.77.0.5", 4011), reply(0xC0FFEE01, item71(kItem), "good.efi"), 3);
  EXPECT_EQ(str(h.discovery.boot_file().view()), "good.efi");
}

// Each destination: sends at 0, 500, 1500, 3500 ms (jitter zeroed), given up at
// 7500; then the next destination at once. All silent: NoReply, in bounded time.
TEST(PxeDiscovery, RetriesEachDestinationThenMovesOnThenGivesUp) {
  PxeDiscoveryRequest r = request_for(pxe_discovery::kNoMulticast);
  r.servers[r.server_count++] = Ipv4Address::of(10, 77, 0, 5);
  Harness h;
  h.start(r, 0);
  EXPECT_EQ(h.run_until(3499), 2u);
  EXPECT_EQ(h.run_until(3500), 1u);
  EXPECT_EQ(h.run_until(7499), 0u);
  EXPECT_EQ(h.run_until(7500), 1u);  // the unicast target's first send
  EXPECT_EQ(str(h.tx.last().meta.dst), "10.77.0.5");
  EXPECT_EQ(h.tx.sent[0].meta.dst_port, 67);
  h.run_until(60000);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Failed);
  EXPECT_EQ(h.discovery.failure(), PxeDiscoveryFailure::NoReply);
  EXPECT_EQ(h.discovery.requests_sent(), 8);
  EXPECT_EQ(h.discovery.error(), Error(Layer::Dhcp, Errc::TimedOut));
}

TEST(PxeDiscovery, PortUnreachableMovesToTheNextDestination) {
  PxeDiscoveryRequest r = request_for(0x03);
  r.servers[r.server_count++] = Ipv4Address::of(10, 77, 0, 5);
  r.servers[r.server_count++] = Ipv4Address::of(10, 77, 0, 6);
  Harness h;
  h.start(r, 0);
  UdpMeta quoted = h.tx.last().meta;
  h.discovery.on_unreachable(quoted, 3, 10);
  h.discovery.poll(10, h.tx);
  EXPECT_EQ(str(h.tx.last().meta.dst), "10.77.0.6");
  EXPECT_EQ(h.discovery.target_index(), 1);
}

TEST(PxeDiscovery, ARefusedSendIsRetriedWithoutSpendingAnAttempt) {
  Harness h;
  h.tx.fail_next = 3;  // the server's MAC is being resolved
  h.start(request_for(0x03), 0);
  EXPECT_EQ(h.tx.count(), 0u);
  h.run_until(60);
  EXPECT_EQ(h.tx.count(), 1u);
  EXPECT_EQ(h.tx.refused, 3);
  h.run_until(60000);
  EXPECT_EQ(h.discovery.requests_sent(), 4);
}

TEST(PxeDiscovery, ALinkThatRefusesEverythingEndsInBoundedTime) {
  Harness h;
  h.tx.fail_next = 1 << 30;
  h.start(request_for(0x03), 0);
  h.run_until(60000);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Failed);
  EXPECT_EQ(h.discovery.failure(), PxeDiscoveryFailure::SendFailed);
}

}  // namespace
}  // namespace mpxe::net::test

// ---- against what a real site and a real client put on the wire ---------------

namespace mpxe::net::test {
namespace {

std::map<uint8_t, Buffer> options_of(Bytes packet) {
  std::map<uint8_t, Buffer> out;
  DhcpPacket p = DhcpPacket::check(packet).value();
  DhcpOptionIterator it(p);
  DhcpOption o;
  while (it.next(o)) out.emplace(o.code, buf(o.value));
  return out;
}

TEST(PxeDiscoveryCaptured, DnsmasqsMenuParses) {
  auto options = options_of(Bytes(kDnsmasqMenuAck));
  auto parsed = PxeVendorOptions::parse(view(options[dhcp_option::kVendorSpecific]));
  ASSERT_TRUE(parsed.ok());
  const PxeVendorOptions& o = parsed.value();
  EXPECT_EQ(o.control(), pxe_discovery::kNoBroadcast | pxe_discovery::kNoMulticast);
  ASSERT_EQ(o.menu_count(), 3u);
  EXPECT_EQ(o.menu_item(0).type, 0x8000);
  EXPECT_EQ(str(o.menu_item(0).description), "Boot mpxe shell");
  EXPECT_EQ(o.menu_item(2).type, kPxeLocalBoot);
  ASSERT_EQ(o.server_entry_count(), 2u);
  EXPECT_EQ(str(o.server_entry(0).address(0)), "10.88.0.2");
  EXPECT_EQ(o.prompt_timeout(), 2);
  EXPECT_EQ(str(o.prompt_text()), "Press F8 for menu");
  EXPECT_EQ(o.choose(0).value().type, 0x8000);
}

// Our request for the item OVMF asked for carries what OVMF's carried where it
// matters to a server: the message type, ciaddr, option 43 byte for byte, the
// architecture and the class prefix.
TEST(PxeDiscoveryCaptured, OurRequestMatchesOvmfsWhereServersLook) {
  auto menu = options_of(Bytes(kDnsmasqMenuAck));
  auto parsed = PxeVendorOptions::parse(view(menu[dhcp_option::kVendorSpecific])).value();
  Harness h;
  h.start(PxeDiscoveryRequest::from_options(parsed, 0x8000, ip("10.88.0.111"), ip("10.88.0.2")), 0);
  ASSERT_EQ(h.tx.count(), 1u);
  EXPECT_EQ(str(h.tx.last().meta.dst), "10.88.0.2");
  EXPECT_EQ(h.tx.last().meta.dst_port, 4011);

  auto ours = options_of(view(h.tx.last().bytes));
  auto ovmf = options_of(Bytes(kOvmfDiscoverRequest));
  EXPECT_EQ(ours[53], ovmf[53]);
  EXPECT_EQ(ours[43], ovmf[43]);
  EXPECT_EQ(ours[93], ovmf[93]);
  EXPECT_EQ(str(view(ours[60])).substr(0, 20), str(view(ovmf[60])).substr(0, 20));
  EXPECT_EQ(ovmf.count(54), 0u);
  EXPECT_EQ(ours.count(54), 0u);
  const Buffer& b = h.tx.last().bytes;
  EXPECT_EQ(Buffer(b.begin() + 12, b.begin() + 16),
            Buffer(kOvmfDiscoverRequest + 12, kOvmfDiscoverRequest + 16));  // ciaddr
  EXPECT_EQ(b[0], kOvmfDiscoverRequest[0]);
}

TEST(PxeDiscoveryCaptured, DnsmasqsBootAckIsTaken) {
  Harness h({kDnsmasqBootAckXid});
  PxeDiscoveryRequest r = request_for(0x03);
  r.type = 0x8000;
  r.client = ip("10.88.0.111");
  r.menu_server = ip("10.88.0.2");
  h.start(r, 0);
  UdpMeta meta = from_server("10.88.0.2", 4011, "10.88.0.111");
  h.discovery.on_datagram(meta, Bytes(kDnsmasqBootAck), 3, h.tx);
  ASSERT_EQ(h.discovery.state(), PxeDiscoveryState::Done);
  EXPECT_EQ(str(h.discovery.boot_file().view()), "shell.0");
  EXPECT_EQ(str(h.discovery.boot_server()), "10.88.0.2");
  EXPECT_EQ(h.discovery.layer(), 0);
}

}  // namespace
}  // namespace mpxe::net::test

// ---- Discover(type, layer, info) of the PXE Base Code ---------------------------

namespace mpxe::net::test {
namespace {

TEST(PxeDiscoverInfo, TheCallersFlagsBecomeTheControlBits) {
  PxeDiscoverInfo info;
  info.use_unicast = true;
  info.must_use_list = true;
  info.servers[info.server_count++] = {0x8001, false, ip("10.0.0.5")};
  info.servers[info.server_count++] = {0x0003, false, ip("10.0.0.6")};
  info.servers[info.server_count++] = {0x0007, true, ip("10.0.0.7")};
  PxeDiscoveryRequest r = pxe_request_from_info(info, 0x8001, 2, kClient);
  EXPECT_EQ(r.control, pxe_discovery::kNoBroadcast | pxe_discovery::kNoMulticast |
                           pxe_discovery::kListedOnly);
  EXPECT_EQ(r.layer, 2);
  ASSERT_EQ(r.server_count, 2);  // its type, and the one that accepts any
  EXPECT_EQ(str(r.servers[0]), "10.0.0.5");
  EXPECT_EQ(str(r.servers[1]), "10.0.0.7");
  Harness h;
  h.start(r, 0);
  ASSERT_EQ(h.discovery.target_count(), 2);
  EXPECT_EQ(h.tx.last().bytes.size() >= 300, true);
}

TEST(PxeDiscoverInfo, BroadcastOnlyAndAListThatOnlyFilters) {
  PxeDiscoverInfo info;
  info.use_broadcast = true;
  info.must_use_list = true;
  info.servers[info.server_count++] = {0x8001, false, ip("10.0.0.5")};
  Harness h;
  h.start(pxe_request_from_info(info, 0x8001, 0, kClient), 0);
  ASSERT_EQ(h.discovery.target_count(), 1);
  EXPECT_TRUE(h.discovery.target(0).dst.is_broadcast());
  h.receive(from_server("10.0.0.9", 67), reply(0xC0FFEE01, item71(0x8001), "rogue.efi"), 3);
  EXPECT_EQ(h.discovery.drops(PxeDiscoveryDrop::NotListed), 1u);
  h.receive(from_server("10.0.0.5", 67), reply(0xC0FFEE01, item71(0x8001, 1), "ok.efi"), 4);
  EXPECT_EQ(h.discovery.state(), PxeDiscoveryState::Done);
  EXPECT_EQ(h.discovery.layer(), 1);
}

TEST(PxeDiscoverInfo, NothingAllowedIsNoTarget) {
  PxeDiscoverInfo info;
  PxeDiscoveryRequest r = pxe_request_from_info(info, 0, 0, kClient);
  Harness h;
  h.start(r, 0);
  EXPECT_EQ(h.discovery.failure(), PxeDiscoveryFailure::NoTarget);
}

}  // namespace
}  // namespace mpxe::net::test
