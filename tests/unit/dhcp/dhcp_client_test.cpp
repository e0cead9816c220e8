// Whole DHCP exchanges scripted at explicit milliseconds, with the server's packets
// as dnsmasq and QEMU's slirp sent them (dhcp_frames.h).
#include <gtest/gtest.h>

#include "dhcp_frames.h"
#include "dhcp_test_util.h"
#include "net/socket/dhcp_client.h"

namespace mpxe::net::test {
namespace {

using namespace frames;

constexpr uint32_t kFullXid = 0x6D707865;
constexpr uint32_t kProxyXid = 0x70787931;
constexpr uint32_t kTwoXid = 0x74776F31;
constexpr uint32_t kPxeXid = 0x34303131;
constexpr uint32_t kSlirpXid = 0xB59F5C32;

struct Harness {
  explicit Harness(DhcpConfig config = pxe_config(), std::initializer_list<uint32_t> random = {})
      : random(random), client(config, this->random) {}

  void start(Millis now) {
    client.start(now);
    client.poll(now, tx);
  }
  void poll(Millis now) { client.poll(now, tx); }
  template <size_t N>
  void receive(const UdpMeta& meta, const uint8_t (&packet)[N], Millis now) {
    client.on_datagram(meta, Bytes(packet, N), now, tx);
  }
  void receive(const UdpMeta& meta, const Buffer& packet, Millis now) {
    client.on_datagram(meta, view(packet), now, tx);
  }
  // Polls at every deadline up to and including `until`; returns how many sends
  // happened on the way.
  size_t run_until(Millis until) {
    size_t before = tx.count();
    for (int guard = 0; guard < 1000; ++guard) {
      Millis d = client.next_deadline();
      if (d == kNever || d > until) break;
      client.poll(d, tx);
    }
    return tx.count() - before;
  }

  ScriptedRandom random;
  RecordingSender tx;
  DhcpClient client;
};

// ---- what the client sends ------------------------------------------------

TEST(DhcpClientSend, DiscoverIsTheCapturedOneByteForByte) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  ASSERT_EQ(h.tx.count(), 1u);
  EXPECT_EQ(h.tx.last().bytes, buf(kFullDiscover));
  EXPECT_EQ(h.client.state(), DhcpState::Selecting);
}

TEST(DhcpClientSend, DiscoverFieldByField) {
  Harness h(pxe_config(), {0x01020304});
  h.start(5000);
  ASSERT_EQ(h.tx.count(), 1u);
  const auto& sent = h.tx.last();
  EXPECT_TRUE(sent.meta.src.is_unspecified());
  EXPECT_EQ(sent.meta.src_port, 68);
  EXPECT_TRUE(sent.meta.dst.is_broadcast());
  EXPECT_EQ(sent.meta.dst_port, 67);

  auto packet = DhcpPacket::check(view(sent.bytes));
  ASSERT_TRUE(packet.ok());
  const DhcpPacket& p = packet.value();
  EXPECT_EQ(p.op(), 1);  // BOOTREQUEST
  EXPECT_EQ(p.htype(), 1);
  EXPECT_EQ(p.hlen(), 6);
  EXPECT_EQ(p.hops(), 0);
  EXPECT_EQ(p.xid(), 0x01020304u);
  EXPECT_EQ(p.secs(), 0);
  EXPECT_EQ(p.flags(), 0x8000);  // broadcast, nothing else
  EXPECT_TRUE(p.ciaddr().is_unspecified());
  EXPECT_TRUE(p.yiaddr().is_unspecified());
  EXPECT_TRUE(p.siaddr().is_unspecified());
  EXPECT_TRUE(p.giaddr().is_unspecified());
  EXPECT_EQ(p.client_mac(), client_mac());
  for (size_t i = 6; i < 16; ++i) EXPECT_EQ(sent.bytes[DhcpPacket::kChaddrOffset + i], 0);
  for (uint8_t b : p.sname()) EXPECT_EQ(b, 0);
  for (uint8_t b : p.file()) EXPECT_EQ(b, 0);
  EXPECT_GE(sent.bytes.size(), 300u);  // RFC 1542 minimum

  auto options = options_of(view(sent.bytes));
  ASSERT_EQ(options.size(), 7u);
  EXPECT_EQ(options[0], std::make_pair(uint8_t{53}, Buffer{1}));
  EXPECT_EQ(options[1], std::make_pair(uint8_t{57}, Buffer{0x05, 0xC0}));  // 1472
  EXPECT_EQ(options[2].first, 55);
  EXPECT_EQ(options[2].second, (Buffer{1, 3, 6, 12, 15, 28, 43, 51, 54, 60, 66, 67, 128, 129, 130,
                                       131, 132, 133, 134, 135}));
  EXPECT_EQ(options[3], std::make_pair(uint8_t{93}, Buffer{0x00, 0x07}));
  EXPECT_EQ(options[4], std::make_pair(uint8_t{94}, Buffer{1, 3, 0x10}));
  Buffer uuid{0};
  uuid.insert(uuid.end(), kGuid, kGuid + 16);
  EXPECT_EQ(options[5], std::make_pair(uint8_t{97}, uuid));
  EXPECT_EQ(options[6].first, 60);
  EXPECT_EQ(str(view(options[6].second)), "PXEClient:Arch:00007:UNDI:003016");
  // The lease keeps the DISCOVER for EFI_PXE_BASE_CODE_MODE.DhcpDiscover.
  EXPECT_EQ(buf(h.client.lease().discover.view()), sent.bytes);
}

TEST(DhcpClientSend, NoGuidNoOption97) {
  DhcpConfig config = pxe_config();
  config.has_guid = false;
  Harness h(config);
  h.start(0);
  for (auto& [code, value] : options_of(view(h.tx.last().bytes))) EXPECT_NE(code, 97);
}

TEST(DhcpClientSend, HttpModeAnnouncesHttpClient) {
  DhcpConfig config = pxe_config();
  config.mode = DhcpMode::Http;
  Harness h(config);
  h.start(0);
  bool saw_class = false, saw_arch = false;
  for (auto& [code, value] : options_of(view(h.tx.last().bytes))) {
    if (code == 60) {
      EXPECT_EQ(str(view(value)), "HTTPClient:Arch:00016:UNDI:003016");
      saw_class = true;
    }
    if (code == 93) {
      EXPECT_EQ(value, (Buffer{0x00, 0x10}));
      saw_arch = true;
    }
  }
  EXPECT_TRUE(saw_class);
  EXPECT_TRUE(saw_arch);
}

// ---- dnsmasq, one server with a boot file ----------------------------------

TEST(DhcpClientDnsmasq, FullExchange) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  EXPECT_EQ(h.client.next_deadline(), 1000u);

  // An offer that names a boot file: nothing better can come, REQUEST at once.
  h.receive(from_server("10.77.0.1"), kFullOffer, 12);
  EXPECT_EQ(h.client.state(), DhcpState::Requesting);
  ASSERT_EQ(h.tx.count(), 2u);
  EXPECT_EQ(h.tx.last().bytes, buf(kFullRequest));
  EXPECT_TRUE(h.tx.last().meta.dst.is_broadcast());
  EXPECT_EQ(h.tx.last().meta.dst_port, 67);
  EXPECT_EQ(h.client.next_deadline(), 12u + 500u);

  h.receive(from_server("10.77.0.1"), kFullAck, 20);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_TRUE(h.client.has_address());
  EXPECT_EQ(h.client.failure(), DhcpFailure::None);
  EXPECT_FALSE(h.client.error().is_error());
  EXPECT_EQ(h.client.next_deadline(), kNever);

  const DhcpLease& lease = h.client.lease();
  EXPECT_EQ(str(lease.address), "10.77.0.111");
  EXPECT_EQ(str(lease.subnet_mask), "255.255.255.0");
  ASSERT_EQ(lease.router_count, 1);
  EXPECT_EQ(str(lease.routers[0]), "10.77.0.1");
  ASSERT_EQ(lease.dns_server_count, 2);
  EXPECT_EQ(str(lease.dns_servers[0]), "10.77.0.1");
  EXPECT_EQ(str(lease.dns_servers[1]), "10.77.0.3");
  EXPECT_EQ(str(lease.domain_name.view()), "mpxe.test");
  EXPECT_STREQ(lease.domain_name.text, "mpxe.test");
  EXPECT_EQ(lease.lease_time, 3600u);
  EXPECT_EQ(str(lease.server_id), "10.77.0.1");
  EXPECT_EQ(lease.boot_source, DhcpBootSource::Ack);
  EXPECT_EQ(str(lease.boot_server), "10.77.0.1");
  EXPECT_EQ(str(lease.boot_server_name.view()), "boot.mpxe.test");  // option 66, NUL dropped
  EXPECT_EQ(str(lease.boot_file.view()), "pxe.efi");                 // option 67, NUL dropped
  EXPECT_EQ(lease.pxe_options_length, 0);
  EXPECT_TRUE(lease.proxy_server.is_unspecified());

  EXPECT_EQ(buf(lease.discover.view()), buf(kFullDiscover));
  EXPECT_EQ(buf(lease.ack.view()), buf(kFullAck));
  EXPECT_FALSE(lease.proxy_offer.valid());
  EXPECT_FALSE(lease.pxe_discover.valid());
  EXPECT_FALSE(lease.pxe_reply.valid());

  const DhcpTimeline& t = h.client.timeline();
  EXPECT_EQ(t.started, 0u);
  EXPECT_EQ(t.first_offer, 12u);
  EXPECT_EQ(t.requested, 12u);
  EXPECT_EQ(t.acked, 20u);
  EXPECT_EQ(t.finished, 20u);
  EXPECT_EQ(t.proxy_offer, kNever);
  EXPECT_EQ(h.client.stats().offers, 1);
  EXPECT_EQ(h.client.stats().accepted, 2u);
  EXPECT_EQ(h.client.stats().dropped_total(), 0u);

  // Bound: nothing more goes out, late packets are ignored.
  EXPECT_EQ(h.run_until(100000), 0u);
  h.receive(from_server("10.77.0.1"), kFullAck, 200);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::WrongState), 1u);
}

// dnsmasq pings an address before offering it, so its OFFER comes about 3 s after
// the DISCOVER (captured at 3.005 s). The client retransmits meanwhile, and the
// REQUEST repeats the secs of the last DISCOVER (RFC 2131 4.4.1).
TEST(DhcpClientDnsmasq, OfferAfterThePingCheck) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  EXPECT_EQ(h.run_until(3005), 2u);  // at 1000 and 3000
  ASSERT_EQ(h.tx.count(), 3u);
  EXPECT_EQ(secs_of(h.tx.sent[1].bytes), 1);
  EXPECT_EQ(secs_of(h.tx.sent[2].bytes), 3);
  EXPECT_EQ(with_secs(view(h.tx.sent[2].bytes), 0), buf(kFullDiscover));  // same xid
  // The lease keeps the DISCOVER that went out last.
  EXPECT_EQ(buf(h.client.lease().discover.view()), h.tx.sent[2].bytes);

  h.receive(from_server("10.77.0.1"), kFullOffer, 3005);
  ASSERT_EQ(h.tx.count(), 4u);
  EXPECT_EQ(secs_of(h.tx.last().bytes), 3);
  EXPECT_EQ(with_secs(view(h.tx.last().bytes), 0), buf(kFullRequest));
  h.receive(from_server("10.77.0.1"), kFullAck, 3311);
  EXPECT_EQ(h.client.state(), DhcpState::Bound);
}

// ---- QEMU's slirp, answering OVMF's xid ------------------------------------

TEST(DhcpClientSlirp, BootFileInTheFileField) {
  Harness h(pxe_config(), {kSlirpXid});
  h.start(0);
  h.receive(from_server("10.0.2.2"), kSlirpOffer, 3);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  auto options = options_of(view(h.tx.last().bytes));
  ASSERT_GE(options.size(), 3u);
  EXPECT_EQ(options[0], std::make_pair(uint8_t{53}, Buffer{3}));
  EXPECT_EQ(options[1], std::make_pair(uint8_t{50}, Buffer{10, 0, 2, 15}));
  EXPECT_EQ(options[2], std::make_pair(uint8_t{54}, Buffer{10, 0, 2, 2}));
  auto request = DhcpPacket::check(view(h.tx.last().bytes)).value();
  EXPECT_EQ(request.xid(), kSlirpXid);
  EXPECT_TRUE(request.ciaddr().is_unspecified());  // RFC 2131 table 5, SELECTING
  EXPECT_TRUE(request.yiaddr().is_unspecified());
  EXPECT_EQ(request.flags(), 0x8000);

  h.receive(from_server("10.0.2.2"), kSlirpAck, 5);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  const DhcpLease& lease = h.client.lease();
  EXPECT_EQ(str(lease.address), "10.0.2.15");
  EXPECT_EQ(str(lease.subnet_mask), "255.255.255.0");
  ASSERT_EQ(lease.router_count, 1);
  EXPECT_EQ(str(lease.routers[0]), "10.0.2.2");
  ASSERT_EQ(lease.dns_server_count, 1);
  EXPECT_EQ(str(lease.dns_servers[0]), "10.0.2.3");
  EXPECT_TRUE(lease.domain_name.empty());
  EXPECT_EQ(lease.lease_time, 86400u);
  EXPECT_EQ(str(lease.server_id), "10.0.2.2");
  EXPECT_EQ(lease.boot_source, DhcpBootSource::Ack);
  EXPECT_EQ(str(lease.boot_server), "10.0.2.2");  // siaddr
  EXPECT_TRUE(lease.boot_server_name.empty());
  EXPECT_EQ(str(lease.boot_file.view()), "bootfile");  // the file field
  EXPECT_EQ(lease.ack.length, sizeof kSlirpAck);
}

// ---- several offers --------------------------------------------------------

// The address server that names no boot file answers first; the one that does
// comes later in the window and wins.
TEST(DhcpClientOffers, PrefersTheOfferWithABootFile) {
  Harness h(pxe_config(), {kTwoXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kTwoOffer2, 4);  // .112, no file
  EXPECT_EQ(h.client.state(), DhcpState::Collecting);
  EXPECT_EQ(h.client.next_deadline(), 4u + DhcpConfig::kDefaultOfferWait);
  EXPECT_EQ(h.tx.count(), 1u);

  h.receive(from_server("10.77.0.2"), kTwoOffer, 9);  // .211 with pxe.efi
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  EXPECT_EQ(h.tx.last().bytes, buf(kTwoRequest));  // names .211 and server .2

  h.receive(from_server("10.77.0.2"), kTwoAck, 15);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(str(h.client.lease().address), "10.77.0.211");
  EXPECT_EQ(str(h.client.lease().boot_server), "10.77.0.2");
  EXPECT_EQ(str(h.client.lease().boot_file.view()), "pxe.efi");
  EXPECT_EQ(h.client.stats().offers, 2);
}

// With no boot file anywhere the whole window is waited out, then the first
// offer is taken; later equal offers are dropped as no better.
TEST(DhcpClientOffers, WithoutBootFileTheFirstOfferAfterTheWindow) {
  DhcpConfig config = pxe_config();
  config.offer_wait = 700;
  Harness h(config, {kTwoXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kTwoOffer2, 30);
  h.receive(from_server("10.77.0.1"), with_xid(kProxyOffer, kTwoXid), 40);  // .111 from .1
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::Duplicate), 1u);
  EXPECT_EQ(h.client.state(), DhcpState::Collecting);
  // The DISCOVER timer is off while collecting.
  EXPECT_EQ(h.client.next_deadline(), 730u);
  h.poll(729);
  EXPECT_EQ(h.tx.count(), 1u);
  h.poll(730);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  auto options = options_of(view(h.tx.last().bytes));
  EXPECT_EQ(options[1], std::make_pair(uint8_t{50}, Buffer{10, 77, 0, 112}));
  EXPECT_EQ(options[2], std::make_pair(uint8_t{54}, Buffer{10, 77, 0, 1}));
  EXPECT_EQ(h.client.timeline().requested, kNever);  // only set once ACKed
  h.receive(from_server("10.77.0.1"), with_xid(kProxyAck, kTwoXid), 735);
  // An ACK may assign another address than offered; the server's word counts.
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(str(h.client.lease().address), "10.77.0.111");
  EXPECT_EQ(h.client.lease().boot_source, DhcpBootSource::None);
  EXPECT_FALSE(h.client.lease().has_boot_file());
  EXPECT_EQ(h.client.timeline().requested, 730u);
}

// ---- ProxyDHCP -------------------------------------------------------------

// dnsmasq A gives the address, dnsmasq B in proxy mode the boot file, through the
// PXE 2.1 request to its port 4011.
TEST(DhcpClientProxy, ProxyOfferThenPort4011) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), kProxyProxyOffer, 1);
  // A proxy offer alone gives no address: keep asking.
  EXPECT_EQ(h.client.state(), DhcpState::Selecting);
  EXPECT_TRUE(h.client.lease().proxy_offer.valid());
  EXPECT_EQ(h.client.stats().proxy_offers, 1);
  EXPECT_EQ(h.run_until(3004), 2u);

  // The address offer completes the picture: REQUEST without waiting.
  h.receive(from_server("10.77.0.1"), kProxyOffer, 3004);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  EXPECT_EQ(with_secs(view(h.tx.last().bytes), 0), buf(kProxyRequest));

  h.random.push(kPxeXid);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3311);
  ASSERT_EQ(h.client.state(), DhcpState::ProxyRequesting);
  EXPECT_TRUE(h.client.has_address());
  EXPECT_EQ(str(h.client.lease().address), "10.77.0.111");
  EXPECT_FALSE(h.client.lease().has_boot_file());
  // Nothing goes out before the caller had a chance to configure the address.
  EXPECT_EQ(h.tx.count(), 4u);
  EXPECT_EQ(h.client.next_deadline(), 3311u);

  h.poll(3311);
  ASSERT_EQ(h.tx.count(), 5u);
  const auto& pxe = h.tx.last();
  EXPECT_EQ(str(pxe.meta.src), "10.77.0.111");
  EXPECT_EQ(pxe.meta.src_port, 68);
  EXPECT_EQ(str(pxe.meta.dst), "10.77.0.2");
  EXPECT_EQ(pxe.meta.dst_port, 4011);
  EXPECT_EQ(secs_of(pxe.bytes), 3);
  EXPECT_EQ(with_secs(view(pxe.bytes), 0), buf(kProxyPxeRequest));
  auto request = DhcpPacket::check(view(pxe.bytes)).value();
  EXPECT_EQ(str(request.ciaddr()), "10.77.0.111");
  EXPECT_EQ(request.flags(), 0);  // we have an address: unicast replies are fine

  // A late packet of the first transaction does not count.
  h.receive(from_server("10.77.0.1"), kProxyAck, 3500);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::WrongXid), 1u);
  h.receive(from_server("10.77.0.2", 4011, "10.77.0.111"), kProxyPxeReply, 3966);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(h.client.failure(), DhcpFailure::None);

  const DhcpLease& lease = h.client.lease();
  EXPECT_EQ(str(lease.address), "10.77.0.111");
  EXPECT_EQ(str(lease.server_id), "10.77.0.1");
  EXPECT_EQ(str(lease.routers[0]), "10.77.0.1");
  EXPECT_EQ(lease.boot_source, DhcpBootSource::PxeReply);
  EXPECT_EQ(str(lease.boot_file.view()), "pxe.efi");
  EXPECT_EQ(str(lease.boot_server), "10.77.0.2");
  EXPECT_EQ(str(lease.boot_server_name.view()), "10.77.0.2");  // dnsmasq fills sname
  EXPECT_EQ(str(lease.proxy_server), "10.77.0.2");
  EXPECT_EQ(with_secs(lease.discover.view(), 0), buf(kProxyDiscover));  // the one of 3 s
  EXPECT_EQ(buf(lease.ack.view()), buf(kProxyAck));
  EXPECT_EQ(buf(lease.proxy_offer.view()), buf(kProxyProxyOffer));
  EXPECT_EQ(buf(lease.pxe_discover.view()), pxe.bytes);
  EXPECT_EQ(buf(lease.pxe_reply.view()), buf(kProxyPxeReply));

  const DhcpTimeline& t = h.client.timeline();
  EXPECT_EQ(t.proxy_offer, 1u);
  EXPECT_EQ(t.first_offer, 3004u);
  EXPECT_EQ(t.acked, 3311u);
  EXPECT_EQ(t.pxe_reply, 3966u);
  EXPECT_EQ(t.finished, 3966u);
}

// The first unicast meets an ARP miss: retried 20 ms later, attempts intact.
TEST(DhcpClientProxy, RefusedSendIsRetriedSoon) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), kProxyProxyOffer, 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.random.push(kPxeXid);  // the values are drawn in order: xid, jitters, then this
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  h.tx.fail_next = 1;
  h.poll(3);
  EXPECT_EQ(h.tx.refused, 1);
  EXPECT_EQ(h.client.next_deadline(), 3u + DhcpClient::kSendRetry);
  h.poll(23);
  EXPECT_EQ(h.tx.last().meta.dst_port, 4011);
  EXPECT_EQ(h.client.next_deadline(), 523u);
  EXPECT_EQ(h.client.stats().send_failures, 1);
  EXPECT_EQ(h.client.stats().pxe_requests_sent, 1);
}

// No answer on port 4011: 4 sends at 0.5, 1, 2 s intervals, then Bound with what
// there is and the reason.
TEST(DhcpClientProxy, Port4011Unanswered) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), kProxyProxyOffer, 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.random.push(kPxeXid);
  h.receive(from_server("10.77.0.1"), kProxyAck, 10);
  size_t before = h.tx.count();
  std::vector<Millis> times;
  for (int guard = 0; guard < 100 && !h.client.done(); ++guard) {
    Millis d = h.client.next_deadline();
    size_t n = h.tx.count();
    h.poll(d);
    if (h.tx.count() > n) times.push_back(d);
  }
  EXPECT_EQ(times, (std::vector<Millis>{10, 510, 1510, 3510}));
  EXPECT_EQ(h.tx.count() - before, 4u);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(h.client.timeline().finished, 7510u);
  EXPECT_EQ(h.client.failure(), DhcpFailure::ProxyNoReply);
  EXPECT_TRUE(h.client.error().is_error());
  EXPECT_EQ(h.client.error().layer(), Layer::Dhcp);
  EXPECT_FALSE(h.client.lease().has_boot_file());
  EXPECT_EQ(str(h.client.lease().address), "10.77.0.111");  // the address is still good
  for (size_t i = before; i < h.tx.count(); ++i) EXPECT_EQ(xid_of(h.tx.sent[i].bytes), kPxeXid);
}

TEST(DhcpClientProxy, IcmpUnreachableEndsTheExchange) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), kProxyProxyOffer, 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  h.poll(3);
  UdpMeta quoted = h.tx.last().meta;
  UdpMeta other = quoted;
  other.dst_port = 69;
  h.client.on_unreachable(other, 3, 20);  // not ours
  EXPECT_EQ(h.client.state(), DhcpState::ProxyRequesting);
  h.client.on_unreachable(quoted, 3, 21);  // port unreachable
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(h.client.failure(), DhcpFailure::ProxyUnreachable);
  EXPECT_EQ(h.client.error(), Error(Layer::Dhcp, Errc::Unreachable));
}

// A proxy offer that names its boot file (iPXE-style, or dnsmasq for BIOS
// clients) needs no port-4011 exchange.
TEST(DhcpClientProxy, ProxyOfferWithBootFileIsUsedDirectly) {
  Buffer proxy = buf(kProxyProxyOffer);
  const char file[] = "proxied.efi";
  for (size_t i = 0; i < sizeof file - 1; ++i) proxy[DhcpPacket::kFileOffset + i] = file[i];
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  EXPECT_EQ(h.client.state(), DhcpState::Collecting);
  h.receive(from_server("10.77.0.2"), proxy, 5);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  h.receive(from_server("10.77.0.1"), kProxyAck, 8);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  const DhcpLease& lease = h.client.lease();
  EXPECT_EQ(lease.boot_source, DhcpBootSource::ProxyOffer);
  EXPECT_EQ(str(lease.boot_file.view()), "proxied.efi");
  EXPECT_EQ(str(lease.boot_server), "10.77.0.2");  // the proxy's siaddr
  EXPECT_FALSE(lease.pxe_discover.valid());
  EXPECT_EQ(h.client.stats().pxe_requests_sent, 0);
}

// The proxy's offer with its option 43 replaced by `vendor` (sub-options, End
// included) and, when `file` is given, a boot file name.
Buffer proxy_offer_with(Buffer vendor, const char* file = nullptr) {
  Buffer proxy = buf(kProxyProxyOffer);
  for (size_t i = 0; file != nullptr && file[i] != 0; ++i)
    proxy[DhcpPacket::kFileOffset + i] = static_cast<uint8_t>(file[i]);
  size_t end = DhcpPacket::kOptionsOffset;
  while (proxy[end] != 255) end += proxy[end] == 0 ? 1 : 2 + proxy[end + 1];
  proxy.resize(end);
  proxy.push_back(43);
  proxy.push_back(static_cast<uint8_t>(vendor.size()));
  proxy.insert(proxy.end(), vendor.begin(), vendor.end());
  proxy.push_back(255);
  return proxy;
}

// Discovery control without bit 3 but no menu and no server list: there is
// nothing to discover, so the file the proxy named is booted without the
// port-4011 exchange (PXE 2.1 2.4.4 has the client "prompt/menu/discover" only
// from what the options give it).
TEST(DhcpClientProxy, ControlBitsWithoutMenuBootTheOfferedFile) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), proxy_offer_with({6, 1, 0x03, 255}, "menu.efi"), 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(h.client.stats().pxe_requests_sent, 0);
  EXPECT_EQ(h.client.lease().boot_source, DhcpBootSource::ProxyOffer);
  EXPECT_EQ(str(h.client.lease().boot_file.view()), "menu.efi");
  EXPECT_FALSE(h.client.lease().needs_discovery);
}

// A proxy whose options hold a boot menu (dnsmasq: pxe-service + pxe-prompt):
// the lease is bound at the ACK and says boot server discovery comes next, with
// the proxy's options and address; no option-71-less port-4011 request is made.
TEST(DhcpClientProxy, ABootMenuAsksForDiscovery) {
  // 6 = 0x03 (unicast only), 9 = one item type 0x8001 "net", 10 = prompt 2 s "go"
  Buffer vendor = {6, 1, 0x03, 9, 6, 0x80, 0x01, 3, 'n', 'e', 't', 10, 3, 2, 'g', 'o', 255};
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), proxy_offer_with(vendor), 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(h.client.failure(), DhcpFailure::None);
  EXPECT_EQ(h.client.stats().pxe_requests_sent, 0);
  EXPECT_TRUE(h.client.lease().needs_discovery);
  EXPECT_FALSE(h.client.lease().has_boot_file());
  EXPECT_EQ(h.client.lease().menu_server, Ipv4Address::of(10, 77, 0, 2));
  EXPECT_EQ(buf(h.client.lease().pxe_option_bytes()), vendor);
}

// The boot server's reply becomes the lease's boot information and PxeReply; the
// menu stays its PXE options, for a later Discover.
TEST(DhcpClientProxy, ADiscoveryReplyIsTakenAndTheMenuKept) {
  Buffer vendor = {6, 1, 0x03, 9, 6, 0x80, 0x01, 3, 'n', 'e', 't', 255};
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), proxy_offer_with(vendor), 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  ASSERT_TRUE(h.client.lease().needs_discovery);
  DhcpRawPacket request, reply;
  request.assign(Bytes(kProxyAck));  // any packet: it is kept as it was sent
  reply.assign(view(proxy_offer_with({71, 4, 0x80, 0x01, 0, 0, 255}, "boot/net.efi")));
  h.client.take_discovery(request, reply, 50);
  const DhcpLease& lease = h.client.lease();
  EXPECT_FALSE(lease.needs_discovery);
  EXPECT_EQ(lease.boot_source, DhcpBootSource::PxeReply);
  EXPECT_EQ(str(lease.boot_file.view()), "boot/net.efi");
  EXPECT_EQ(buf(lease.pxe_reply.view()), buf(reply.view()));
  EXPECT_EQ(buf(lease.pxe_discover.view()), buf(Bytes(kProxyAck)));
  EXPECT_EQ(buf(lease.pxe_option_bytes()), vendor);
  EXPECT_EQ(h.client.timeline().pxe_reply, 50u);
}

// A menu in an offer that also names a file, with control bit 3: boot the file.
TEST(DhcpClientProxy, ControlBit3WithAFileSkipsTheMenu) {
  Buffer vendor = {6, 1, 0x08, 9, 6, 0x80, 0x01, 3, 'n', 'e', 't', 255};
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), proxy_offer_with(vendor, "direct.efi"), 1);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.receive(from_server("10.77.0.1"), kProxyAck, 3);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_FALSE(h.client.lease().needs_discovery);
  EXPECT_EQ(str(h.client.lease().boot_file.view()), "direct.efi");
}

// A proxy offer that arrives while the REQUEST is out is still taken.
TEST(DhcpClientProxy, LateProxyOfferIsKept) {
  Harness h(pxe_config(), {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.poll(1002);  // the window ends
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  h.receive(from_server("10.77.0.2"), kProxyProxyOffer, 1003);
  EXPECT_TRUE(h.client.lease().proxy_offer.valid());
  h.receive(from_server("10.77.0.1"), kProxyAck, 1004);
  EXPECT_EQ(h.client.state(), DhcpState::ProxyRequesting);
}

TEST(DhcpClientProxy, HttpModeNeverUsesPort4011) {
  DhcpConfig config = pxe_config();
  config.mode = DhcpMode::Http;
  Buffer proxy = buf(kProxyProxyOffer);
  // The proxy answers an HTTP client: class "HTTPClient" is needed. dnsmasq's
  // "PXEClient" is not ours in HTTP mode and counts as an offer without address.
  Harness h(config, {kProxyXid});
  h.start(0);
  h.receive(from_server("10.77.0.2"), proxy, 1);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::NoAddress), 1u);
  h.receive(from_server("10.77.0.1"), kProxyOffer, 2);
  h.poll(1002);
  h.receive(from_server("10.77.0.1"), kProxyAck, 1003);
  EXPECT_EQ(h.client.state(), DhcpState::Bound);
}

// ---- NAK -------------------------------------------------------------------

TEST(DhcpClientNak, RestartsWithANewTransaction) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kFullOffer, 5);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  h.random.push(0x11111111);
  h.receive(from_server("10.77.0.1"), kFullNak, 9);
  EXPECT_EQ(h.client.state(), DhcpState::Selecting);
  EXPECT_EQ(h.client.stats().naks, 1);
  EXPECT_EQ(h.client.stats().restarts, 1);
  EXPECT_EQ(h.client.next_deadline(), 9u);
  h.poll(9);
  ASSERT_EQ(h.tx.count(), 3u);
  auto discover = DhcpPacket::check(view(h.tx.last().bytes)).value();
  EXPECT_EQ(dhcp_message_type(discover).value(), DhcpMessageType::Discover);
  EXPECT_EQ(discover.xid(), 0x11111111u);
  // The old transaction's packets no longer count.
  h.receive(from_server("10.77.0.1"), kFullOffer, 10);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::WrongXid), 1u);
  h.receive(from_server("10.77.0.1"), with_xid(kFullOffer, 0x11111111), 11);
  h.receive(from_server("10.77.0.1"), with_xid(kFullAck, 0x11111111), 12);
  EXPECT_EQ(h.client.state(), DhcpState::Bound);
}

TEST(DhcpClientNak, RepeatedNaksFail) {
  Harness h(pxe_config(), {1});
  h.start(0);
  Millis now = 0;
  for (uint32_t xid = 1; xid <= 4; ++xid) {
    ASSERT_EQ(h.client.xid(), xid);
    h.receive(from_server("10.77.0.1"), with_xid(kFullOffer, xid), ++now);
    h.random.push(xid + 1);
    h.receive(from_server("10.77.0.1"), with_xid(kFullNak, xid), ++now);
    h.poll(now);
  }
  EXPECT_EQ(h.client.state(), DhcpState::Failed);
  EXPECT_EQ(h.client.failure(), DhcpFailure::TooManyNaks);
  EXPECT_EQ(h.client.error(), Error(Layer::Dhcp, Errc::BadValue));
  EXPECT_EQ(h.client.stats().naks, 4);
  EXPECT_EQ(h.client.next_deadline(), kNever);
  EXPECT_FALSE(h.client.has_address());
}

TEST(DhcpClientNak, OnlyTheSelectedServersNakCounts) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kFullOffer, 5);
  Buffer nak = buf(kFullNak);
  // Option 54 of dnsmasq's NAK sits right after option 53: make it 10.77.0.9.
  ASSERT_EQ(nak[DhcpPacket::kOptionsOffset + 3], 54);
  nak[DhcpPacket::kOptionsOffset + 8] = 9;
  h.receive(from_server("10.77.0.9"), nak, 6);
  EXPECT_EQ(h.client.state(), DhcpState::Requesting);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::WrongServer), 1u);
}

// ---- lost packets ----------------------------------------------------------

// DISCOVER at 0, 1, 3, 7 s (waits of 1, 2, 4, 8 s), give up at 15 s.
TEST(DhcpClientTimers, DiscoverBackoffAndGiveUp) {
  Harness h(pxe_config(), {0xABCD0001});
  h.start(0);
  std::vector<Millis> times{0};
  for (int guard = 0; guard < 100 && !h.client.done(); ++guard) {
    Millis d = h.client.next_deadline();
    h.poll(d - 1);  // one millisecond early: nothing
    size_t n = h.tx.count();
    h.poll(d);
    if (h.tx.count() > n) times.push_back(d);
  }
  EXPECT_EQ(times, (std::vector<Millis>{0, 1000, 3000, 7000}));
  EXPECT_EQ(h.client.state(), DhcpState::Failed);
  EXPECT_EQ(h.client.failure(), DhcpFailure::NoOffer);
  EXPECT_EQ(h.client.error(), Error(Layer::Dhcp, Errc::NotFound));
  EXPECT_EQ(h.client.timeline().finished, 15000u);
  ASSERT_EQ(h.tx.count(), 4u);
  std::vector<uint16_t> secs;
  for (auto& s : h.tx.sent) {
    EXPECT_EQ(xid_of(s.bytes), 0xABCD0001u);  // one transaction throughout
    secs.push_back(secs_of(s.bytes));
  }
  EXPECT_EQ(secs, (std::vector<uint16_t>{0, 1, 3, 7}));
  EXPECT_EQ(h.client.stats().discovers_sent, 4);
}

// Jitter stays within +-12.5% of each wait.
TEST(DhcpClientTimers, JitterBounds) {
  Harness low(pxe_config(), {7});
  low.random.fallback = 0;
  low.start(0);
  EXPECT_EQ(low.client.next_deadline(), 875u);
  Harness high(pxe_config(), {7});
  high.random.fallback = 0xFFFFFFFF;
  high.start(0);
  EXPECT_EQ(high.client.next_deadline(), 1124u);
  high.poll(1124);
  EXPECT_EQ(high.client.next_deadline(), 1124u + 2249u);
}

// REQUEST lost: 0.5, 1, 2, 4 s, then a fresh DISCOVER; after three such
// restarts the client gives up.
TEST(DhcpClientTimers, RequestBackoffThenRestartThenGiveUp) {
  Harness h(pxe_config(), {10});
  h.start(0);
  h.receive(from_server("10.77.0.1"), with_xid(kFullOffer, 10), 100);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);
  h.random.values = {0x80000000, 0x80000000, 0x80000000, 11};  // 3 jitters, then the xid
  std::vector<Millis> times{100};
  while (h.client.state() == DhcpState::Requesting) {
    Millis d = h.client.next_deadline();
    size_t n = h.tx.count();
    h.poll(d);
    if (h.client.state() == DhcpState::Requesting && h.tx.count() > n) times.push_back(d);
  }
  EXPECT_EQ(times, (std::vector<Millis>{100, 600, 1600, 3600}));
  // At 7600 the last wait is over: a DISCOVER of a new transaction went out.
  EXPECT_EQ(h.client.state(), DhcpState::Selecting);
  EXPECT_EQ(xid_of(h.tx.last().bytes), 11u);
  EXPECT_EQ(h.client.timeline().finished, kNever);
  EXPECT_EQ(h.client.stats().restarts, 1);
  // Every REQUEST repeated the DISCOVER's secs (0).
  for (size_t i = 1; i <= 4; ++i) EXPECT_EQ(secs_of(h.tx.sent[i].bytes), 0);

  Millis now = 7600;
  for (uint32_t xid = 11; xid <= 13; ++xid) {
    h.receive(from_server("10.77.0.1"), with_xid(kFullOffer, xid), ++now);
    h.random.values = {0x80000000, 0x80000000, 0x80000000, xid + 1};
    now += 7500;
    h.run_until(now);  // three more REQUESTs, then the restart (or the end)
  }
  EXPECT_EQ(h.client.state(), DhcpState::Failed);
  EXPECT_EQ(h.client.failure(), DhcpFailure::NoAck);
  EXPECT_EQ(h.client.stats().restarts, DhcpClient::kMaxRestarts);
}

// A sender that refuses everything: the phase still ends by its deadline.
TEST(DhcpClientTimers, SenderThatNeverSendsEndsInBoundedTime) {
  Harness h(pxe_config());
  h.tx.fail_next = 1 << 30;
  h.start(0);
  h.run_until(60000);
  EXPECT_EQ(h.client.state(), DhcpState::Failed);
  EXPECT_EQ(h.client.failure(), DhcpFailure::SendFailed);
  EXPECT_EQ(h.client.error(), Error(Layer::Udp, Errc::NoSpace));  // the sender's own word
  EXPECT_EQ(h.client.timeline().finished, 16875u);  // 15 s + 12.5%
}

// ---- option overload -------------------------------------------------------

// An ACK built like slirp's but with option 52 = 3: options continue in file,
// then sname (RFC 2132 9.3). Boot file and server name live there as options 67
// and 66; the raw fields must not be read as names.
TEST(DhcpClientOverload, BootFileAndServerNameInsideTheFields) {
  Buffer ack = with_xid(kSlirpAck, 0x5A5A5A5A);
  Buffer offer = with_xid(kSlirpOffer, 0x5A5A5A5A);
  auto overload = [](Buffer& p) {
    std::fill(p.begin() + DhcpPacket::kSnameOffset, p.begin() + DhcpPacket::kMagicOffset, 0);
    const uint8_t file_area[] = {67, 12, 'o', 'v', 'e', 'r', 'l', 'o', 'a', 'd', '.', 'e', 'f', 'i',
                                 255};
    const uint8_t sname_area[] = {66, 8, 't', 'f', 't', 'p', 'h', 'o', 's', 't', 15, 4, 'l', 'a',
                                  'b', '0', 255};
    std::copy(std::begin(file_area), std::end(file_area), p.begin() + DhcpPacket::kFileOffset);
    std::copy(std::begin(sname_area), std::end(sname_area), p.begin() + DhcpPacket::kSnameOffset);
    // Option 52 = 3 in place of the first pad after slirp's options.
    size_t end = DhcpPacket::kOptionsOffset;
    while (p[end] != 255) end += p[end] == 0 ? 1 : 2 + p[end + 1];
    const uint8_t tail[] = {52, 1, 3, 255};
    std::copy(std::begin(tail), std::end(tail), p.begin() + end);
  };
  overload(ack);
  overload(offer);

  Harness h(pxe_config(), {0x5A5A5A5A});
  h.start(0);
  h.receive(from_server("10.0.2.2"), offer, 1);
  ASSERT_EQ(h.client.state(), DhcpState::Requesting);  // the offer does name a file
  h.receive(from_server("10.0.2.2"), ack, 2);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  const DhcpLease& lease = h.client.lease();
  EXPECT_EQ(str(lease.boot_file.view()), "overload.efi");
  EXPECT_EQ(str(lease.boot_server_name.view()), "tftphost");
  EXPECT_EQ(str(lease.domain_name.view()), "lab0");  // option 15 from sname
  EXPECT_EQ(str(lease.boot_server), "10.0.2.2");
}

// Overload 1: only file holds options; sname is still a server name.
TEST(DhcpClientOverload, FileOnlyKeepsSnameAsName) {
  Buffer ack = with_xid(kSlirpAck, 0x77);
  std::fill(ack.begin() + DhcpPacket::kSnameOffset, ack.begin() + DhcpPacket::kMagicOffset, 0);
  const char name[] = "boot-server";
  std::copy(name, name + sizeof name - 1, ack.begin() + DhcpPacket::kSnameOffset);
  const uint8_t file_area[] = {67, 7, 'a', '/', 'b', '.', 'e', 'f', 'i', 255};
  std::copy(std::begin(file_area), std::end(file_area), ack.begin() + DhcpPacket::kFileOffset);
  size_t end = DhcpPacket::kOptionsOffset;
  while (ack[end] != 255) end += ack[end] == 0 ? 1 : 2 + ack[end + 1];
  const uint8_t tail[] = {52, 1, 1, 255};
  std::copy(std::begin(tail), std::end(tail), ack.begin() + end);

  Harness h(pxe_config(), {0x77});
  h.start(0);
  h.receive(from_server("10.0.2.2"), with_xid(kSlirpOffer, 0x77), 1);
  h.receive(from_server("10.0.2.2"), ack, 2);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(str(h.client.lease().boot_file.view()), "a/b.efi");
  EXPECT_EQ(str(h.client.lease().boot_server_name.view()), "boot-server");
}

// Option 66 as a dotted quad stands in for a missing siaddr.
TEST(DhcpClientOverload, DottedQuadOption66WhenSiaddrIsZero) {
  Buffer offer = buf(kFullOffer);
  Buffer ack = buf(kFullAck);
  for (Buffer* p : {&offer, &ack}) {
    std::fill(p->begin() + DhcpPacket::kSiaddrOffset, p->begin() + DhcpPacket::kSiaddrOffset + 4, 0);
    // Option 66 "boot.mpxe.test\0" (15 bytes) becomes "10.77.0.42" NUL-padded.
    size_t at = DhcpPacket::kOptionsOffset;
    while ((*p)[at] != 66) at += (*p)[at] == 0 ? 1 : 2 + (*p)[at + 1];
    const char quad[15] = "10.77.0.42";
    std::copy(quad, quad + 15, p->begin() + at + 2);
  }
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), offer, 1);
  h.receive(from_server("10.77.0.1"), ack, 2);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  EXPECT_EQ(str(h.client.lease().boot_server), "10.77.0.42");
  EXPECT_EQ(str(h.client.lease().boot_server_name.view()), "10.77.0.42");
}

// ---- restart ---------------------------------------------------------------

TEST(DhcpClientStart, StartAgainForgetsTheOldLease) {
  Harness h(pxe_config(), {kFullXid});
  h.start(0);
  h.receive(from_server("10.77.0.1"), kFullOffer, 1);
  h.receive(from_server("10.77.0.1"), kFullAck, 2);
  ASSERT_EQ(h.client.state(), DhcpState::Bound);
  h.random.push(99);
  h.start(5000);
  EXPECT_EQ(h.client.state(), DhcpState::Selecting);
  EXPECT_FALSE(h.client.has_address());
  EXPECT_FALSE(h.client.lease().ack.valid());
  EXPECT_TRUE(h.client.lease().address.is_unspecified());
  EXPECT_EQ(xid_of(h.tx.last().bytes), 99u);
  EXPECT_EQ(secs_of(h.tx.last().bytes), 0);  // elapsed from the new start
  EXPECT_EQ(h.client.stats().received, 0u);
}

TEST(DhcpClientStart, IdleDoesNothing) {
  Harness h;
  EXPECT_EQ(h.client.state(), DhcpState::Idle);
  EXPECT_EQ(h.client.next_deadline(), kNever);
  h.poll(1000);
  EXPECT_EQ(h.tx.count(), 0u);
  h.receive(from_server("10.77.0.1"), kFullOffer, 1);
  EXPECT_EQ(h.client.stats().drops(DhcpDrop::WrongState), 1u);
}

TEST(DhcpClientText, NamesForLogs) {
  EXPECT_STREQ(dhcp_state_text(DhcpState::ProxyRequesting), "proxy-requesting");
  EXPECT_STREQ(dhcp_failure_text(DhcpFailure::NoOffer), "no DHCP offer");
  EXPECT_STREQ(dhcp_drop_text(DhcpDrop::WrongXid), "wrong xid");
  for (size_t i = 0; i < kDhcpDropReasons; ++i)
    EXPECT_STRNE(dhcp_drop_text(static_cast<DhcpDrop>(i)), "unknown");
}

}  // namespace
}  // namespace mpxe::net::test
