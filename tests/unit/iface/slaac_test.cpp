// SLAAC and router discovery (src/net/socket/slaac.cpp) scripted with explicit
// times: the router advertisements are the ones dnsmasq and QEMU sent
// (tests/unit/net/ipv6_frames.h), the duplicate is Linux's own DAD solicitation.
#include "net/socket/slaac.h"

#include <gtest/gtest.h>

#include <iterator>
#include <vector>

#include "core/byte_ops.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv6.h"
#include "net/ipv6_frames.h"

namespace mpxe::net {
namespace {

const MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const Ipv6Address kLinkLocal = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kGlobal70 = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kGlobal71 = Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kRouter = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfeab, 0xcdef);

struct Sent {
  Ipv6Address src, dst;
  NdpRepr repr;
  std::vector<uint8_t> bytes;
};

class RecordingSender final : public NdpSender {
 public:
  Result<void> send_ndp(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) override {
    if (refuse > 0) {
      --refuse;
      return Error(Layer::Iface, Errc::WouldBlock);
    }
    Sent s{src, dst, {}, std::vector<uint8_t>(message.begin(), message.end())};
    Ipv6Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.hop_limit = kNdpHopLimit;
    auto repr = NdpRepr::parse(ip, Bytes(s.bytes.data(), s.bytes.size()));
    EXPECT_TRUE(repr.ok()) << "we sent an NDP message our own parser refuses";
    if (repr) s.repr = repr.value();
    sent.push_back(s);
    return {};
  }
  size_t count(Icmpv6Type type) const {
    size_t n = 0;
    for (const Sent& s : sent) n += s.repr.type == type;
    return n;
  }
  std::vector<Sent> sent;
  int refuse = 0;
};

struct Input {
  Ipv6Repr ip;
  NdpRepr repr;
  std::vector<uint8_t> bytes;  // what repr.options points into
};

template <size_t N>
Input ndp_of(const uint8_t (&eth)[N]) {
  Input in;
  auto p = Ipv6Packet::check(Bytes(eth, N).subspan(EthernetFrame::kHeaderLen));
  EXPECT_TRUE(p.ok());
  in.ip = Ipv6Repr::parse(p.value());
  in.bytes.assign(p.value().payload().begin(), p.value().payload().end());
  auto repr = NdpRepr::parse(in.ip, Bytes(in.bytes.data(), in.bytes.size()));
  EXPECT_TRUE(repr.ok());
  in.repr = repr.value();
  return in;
}

// Rebinds repr.options to the copy the Input owns.
void feed(Slaac& slaac, Input& in, Millis now, NdpSender& tx) {
  auto repr = NdpRepr::parse(in.ip, Bytes(in.bytes.data(), in.bytes.size()));
  ASSERT_TRUE(repr.ok());
  slaac.on_ndp(in.ip, repr.value(), now, tx);
}

// An RA built from fields, with the options given.
Input ra(uint16_t router_lifetime, std::vector<uint8_t> options, uint16_t src_tail = 1) {
  Input in;
  in.ip.src = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, src_tail);
  in.ip.dst = Ipv6Address::all_nodes();
  in.ip.hop_limit = kNdpHopLimit;
  NdpRepr repr;
  repr.type = Icmpv6Type::RouterAdvert;
  repr.router_lifetime = router_lifetime;
  repr.options = Bytes(options.data(), options.size());
  in.bytes.resize(repr.buffer_len());
  EXPECT_TRUE(repr.emit(MutableBytes(in.bytes.data(), in.bytes.size()), in.ip.src, in.ip.dst).ok());
  return in;
}

std::vector<uint8_t> prefix_option(uint16_t second_group, uint8_t len, uint32_t valid,
                                   uint32_t preferred, bool autonomous = true) {
  NdpPrefix p;
  p.prefix = Ipv6Address::of(0x2001, 0xdb8, second_group, 0, 0, 0, 0, 0);
  p.prefix_len = len;
  p.on_link = true;
  p.autonomous = autonomous;
  p.valid_lifetime = valid;
  p.preferred_lifetime = preferred;
  std::vector<uint8_t> out(NdpPrefix::kLen);
  EXPECT_TRUE(p.emit(MutableBytes(out.data(), out.size())).ok());
  return out;
}

TEST(Slaac, StartsDadAndSolicitsRoutersAtOnce) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  ASSERT_EQ(tx.sent.size(), 2u);
  // DAD: from ::, to the solicited-node group, no link-layer option.
  EXPECT_EQ(tx.sent[0].repr.type, Icmpv6Type::NeighborSolicit);
  EXPECT_TRUE(tx.sent[0].src.is_unspecified());
  EXPECT_EQ(tx.sent[0].dst, kLinkLocal.solicited_node());
  EXPECT_EQ(tx.sent[0].repr.target, kLinkLocal);
  EXPECT_FALSE(tx.sent[0].repr.has_source_mac);
  // RS from the optimistic link-local address, so without our MAC (RFC 4429 2.2).
  EXPECT_EQ(tx.sent[1].repr.type, Icmpv6Type::RouterSolicit);
  EXPECT_EQ(tx.sent[1].src, kLinkLocal);
  EXPECT_EQ(tx.sent[1].dst, Ipv6Address::all_routers());
  EXPECT_FALSE(tx.sent[1].repr.has_source_mac);
  EXPECT_FALSE(slaac.link_local_ready());
  EXPECT_TRUE(slaac.is_optimistic(kLinkLocal));
  EXPECT_FALSE(slaac.is_tentative(kLinkLocal));
  EXPECT_EQ(slaac.next_deadline(), Slaac::kRetransTimer);
  slaac.poll(999, tx);
  EXPECT_FALSE(slaac.link_local_ready());
  slaac.poll(1000, tx);
  EXPECT_TRUE(slaac.link_local_ready());
  EXPECT_FALSE(slaac.is_optimistic(kLinkLocal));
  EXPECT_EQ(slaac.address(0).state, SlaacAddressState::Preferred);
  EXPECT_EQ(slaac.link_local(), kLinkLocal);
  EXPECT_TRUE(slaac.is_assigned(kLinkLocal, 1000));
}

// RFC 4429: the link-local address is used from start() on, before its DAD ends.
TEST(Slaac, LinkLocalAddressIsUsableWhileItsDadRuns) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  EXPECT_TRUE(slaac.link_local_usable());
  EXPECT_EQ(slaac.address(0).state, SlaacAddressState::Optimistic);
  EXPECT_TRUE(slaac.is_assigned(kLinkLocal, 0));
  Ipv6Address src;
  ASSERT_TRUE(slaac.source_for(kRouter, 0, src));
  EXPECT_EQ(src, kLinkLocal);
  // With no global address, the link-local one for a global destination too.
  ASSERT_TRUE(slaac.source_for(Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 500, src));
  EXPECT_EQ(src, kLinkLocal);
  EXPECT_STREQ(slaac_address_state_text(slaac.address(0).state), "optimistic");
}

TEST(Slaac, RouterSolicitationBytesFollowTheLinkLocalAddressesDad) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  uint8_t out[32];
  Ipv6Address src;
  // Before start(): from ::, no option (RFC 4861 6.3.7).
  Result<size_t> length = slaac.build_router_solicitation(MutableBytes(out), src);
  ASSERT_TRUE(length.ok());
  EXPECT_TRUE(src.is_unspecified());
  const uint8_t kFromUnspecified[] = {0x85, 0x00, 0x7b, 0xb8, 0, 0, 0, 0};
  EXPECT_EQ(std::vector<uint8_t>(out, out + length.value()),
            std::vector<uint8_t>(std::begin(kFromUnspecified), std::end(kFromUnspecified)));
  // Optimistic: from the link-local address, still no option (RFC 4429 2.2).
  slaac.start(0, tx);
  length = slaac.build_router_solicitation(MutableBytes(out), src);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(src, kLinkLocal);
  const uint8_t kFromOptimistic[] = {0x85, 0x00, 0xf9, 0x7a, 0, 0, 0, 0};
  EXPECT_EQ(std::vector<uint8_t>(out, out + length.value()),
            std::vector<uint8_t>(std::begin(kFromOptimistic), std::end(kFromOptimistic)));
  // The one start() sent is those bytes.
  ASSERT_EQ(tx.count(Icmpv6Type::RouterSolicit), 1u);
  EXPECT_EQ(tx.sent[1].bytes, std::vector<uint8_t>(std::begin(kFromOptimistic), std::end(kFromOptimistic)));
  // DAD passed: with our MAC, the ICMPv6 bytes the Linux kernel sent from this MAC.
  slaac.poll(1000, tx);
  length = slaac.build_router_solicitation(MutableBytes(out), src);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(src, kLinkLocal);
  const size_t icmp = EthernetFrame::kHeaderLen + Ipv6Packet::kHeaderLen;
  EXPECT_EQ(std::vector<uint8_t>(out, out + length.value()),
            std::vector<uint8_t>(std::begin(frames6::kNdpRs) + icmp, std::end(frames6::kNdpRs)));
  // Too small a buffer is refused, not overrun.
  uint8_t small[8];
  EXPECT_FALSE(slaac.build_router_solicitation(MutableBytes(small), src).ok());
}

TEST(Slaac, SolicitRoutersSendsOneNowAndItCountsInTheSchedule) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  EXPECT_FALSE(slaac.solicit_routers(0, tx).ok());  // not started
  EXPECT_TRUE(tx.sent.empty());
  slaac.start(0, tx);
  slaac.poll(1000, tx);
  tx.sent.clear();
  ASSERT_TRUE(slaac.solicit_routers(1500, tx).ok());
  ASSERT_EQ(tx.sent.size(), 1u);
  EXPECT_EQ(tx.sent[0].repr.type, Icmpv6Type::RouterSolicit);
  EXPECT_EQ(tx.sent[0].src, kLinkLocal);
  EXPECT_TRUE(tx.sent[0].repr.has_source_mac);
  EXPECT_EQ(slaac.stats().solicitations_sent, 2u);
  // The next one is due RtrSolicitationInterval after it, the third and last.
  EXPECT_EQ(slaac.next_deadline(), 1500 + Slaac::kRtrSolicitationInterval);
  for (Millis t = 1500; t <= 20'000; t += 100) slaac.poll(t, tx);
  EXPECT_EQ(slaac.stats().solicitations_sent, 3u);
  // A refused send is counted and named.
  tx.refuse = 1;
  Result<void> refused = slaac.solicit_routers(20'000, tx);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), Error(Layer::Iface, Errc::WouldBlock));
  EXPECT_EQ(slaac.stats().send_failures, 1u);
}

TEST(Slaac, SolicitsThreeTimesFourSecondsApartWithoutARouter) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  for (Millis t = 0; t <= 20'000; t += 100) slaac.poll(t, tx);
  ASSERT_EQ(tx.count(Icmpv6Type::RouterSolicit), 3u);
  std::vector<Millis> times;
  // The later ones come from the link-local address, with our MAC.
  const Sent* second = nullptr;
  for (const Sent& s : tx.sent)
    if (s.repr.type == Icmpv6Type::RouterSolicit && !s.src.is_unspecified()) second = &s;
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->src, kLinkLocal);
  EXPECT_TRUE(second->repr.has_source_mac);
  EXPECT_EQ(second->repr.source_mac, kMac);
  EXPECT_FALSE(slaac.routers_settled(11'999));
  EXPECT_TRUE(slaac.routers_settled(12'000));
  EXPECT_EQ(slaac.next_deadline(), kNever);
  EXPECT_FALSE(slaac.ra_received());
}

TEST(Slaac, SolicitationTimesAreExact) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  slaac.poll(1000, tx);
  size_t before = tx.count(Icmpv6Type::RouterSolicit);
  slaac.poll(3999, tx);
  EXPECT_EQ(tx.count(Icmpv6Type::RouterSolicit), before);
  slaac.poll(4000, tx);
  EXPECT_EQ(tx.count(Icmpv6Type::RouterSolicit), before + 1);
  EXPECT_EQ(slaac.next_deadline(), 8000u);
}

TEST(Slaac, DnsmasqAdvertisementConfiguresTwoAddressesAndDns) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  Input advert = ndp_of(frames6::kNdpRaDnsmasq);
  feed(slaac, advert, 300, tx);
  EXPECT_TRUE(slaac.ra_received());
  EXPECT_TRUE(slaac.routers_settled(300));
  EXPECT_FALSE(slaac.managed());
  EXPECT_TRUE(slaac.other_config());
  EXPECT_EQ(slaac.mtu(), 1400);
  Ipv6Address router;
  ASSERT_TRUE(slaac.default_router(300, router));
  EXPECT_EQ(router, kRouter);
  EXPECT_FALSE(slaac.default_router(300 + 600'000, router));
  Ipv6Address dns[4];
  ASSERT_EQ(slaac.dns_servers(300, dns, 4), 1u);
  EXPECT_EQ(dns[0], Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1));
  EXPECT_TRUE(slaac.on_link(Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0, 0, 0, 9), 300));
  EXPECT_FALSE(slaac.on_link(Ipv6Address::of(0xfd00, 0x6d72, 0, 0, 0, 0, 0, 9), 300));
  // Both prefixes' addresses run DAD (the same addresses Linux made from them),
  // optimistic: usable at once.
  EXPECT_TRUE(slaac.is_optimistic(kGlobal70));
  EXPECT_TRUE(slaac.is_optimistic(kGlobal71));
  EXPECT_TRUE(slaac.is_assigned(kGlobal70, 300));
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 3u);
  Ipv6Address source;
  slaac.poll(1000, tx);
  ASSERT_TRUE(slaac.source_for(Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1), 1000, source));
  EXPECT_EQ(source, kGlobal70);  // optimistic, before its DAD ends at 1300
  EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Optimistic);
  slaac.poll(1300, tx);
  EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Preferred);
  ASSERT_TRUE(slaac.source_for(Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1), 1300, source));
  EXPECT_EQ(source, kGlobal70);
  ASSERT_TRUE(slaac.source_for(kRouter, 1300, source));
  EXPECT_EQ(source, kLinkLocal);
  // The router answered: no more solicitations.
  for (Millis t = 1300; t <= 20'000; t += 500) slaac.poll(t, tx);
  EXPECT_EQ(tx.count(Icmpv6Type::RouterSolicit), 1u);
  // fd00:6d71::/64 is valid for 7200 s, fd00:6d70::/64 for 43200 s.
  Millis later = 300 + 7200 * 1000;
  slaac.poll(later, tx);
  EXPECT_FALSE(slaac.is_assigned(kGlobal71, later));
  EXPECT_TRUE(slaac.is_assigned(kGlobal70, later));
}

TEST(Slaac, QemuAdvertisementGivesAFec0Address) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  Input advert = ndp_of(frames6::kNdpRaQemu);
  feed(slaac, advert, 50, tx);
  slaac.poll(1050, tx);
  const Ipv6Address fec0 = Ipv6Address::of(0xfec0, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
  EXPECT_TRUE(slaac.is_assigned(fec0, 1050));
  EXPECT_FALSE(slaac.managed());
  EXPECT_FALSE(slaac.other_config());
  Ipv6Address dns[2];
  EXPECT_EQ(slaac.dns_servers(1050, dns, 2), 0u);
  // Preferred for 14400 s, valid for 86400 s.
  Millis deprecated = 50 + 14400 * 1000;
  slaac.poll(deprecated, tx);
  EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Deprecated);
  EXPECT_TRUE(slaac.is_assigned(fec0, deprecated));
}

// The Linux kernel's DAD solicitation for the same link-local address (same MAC)
// while ours is tentative: the address is someone else's as much as ours.
TEST(Slaac, DuplicateLinkLocalFailsTheMachine) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  // Optimistic, it is in use before the probe comes.
  Ipv6Address src;
  ASSERT_TRUE(slaac.source_for(kRouter, 400, src));
  Input dad = ndp_of(frames6::kNdpDadNs);
  feed(slaac, dad, 500, tx);
  EXPECT_EQ(slaac.failure(), SlaacFailure::LinkLocalDuplicate);
  EXPECT_FALSE(slaac.link_local_usable());
  EXPECT_FALSE(slaac.is_assigned(kLinkLocal, 500));
  EXPECT_FALSE(slaac.source_for(kRouter, 500, src));
  EXPECT_EQ(slaac.address(0).state, SlaacAddressState::Duplicate);
  EXPECT_EQ(slaac.address(0).conflict, DadConflict::Probed);
  EXPECT_EQ(slaac.stats().duplicates, 1u);
  size_t sent = tx.sent.size();
  slaac.poll(5000, tx);
  EXPECT_EQ(tx.sent.size(), sent);
  EXPECT_EQ(slaac.next_deadline(), kNever);
  EXPECT_STREQ(slaac_failure_text(slaac.failure()), "link-local address is a duplicate");
}

// RFC 4429: a collision found while an optimistic address is already in use
// still gives it up.
TEST(Slaac, AdvertisementForAnOptimisticGlobalAddressGivesItUp) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  slaac.poll(1000, tx);
  Input advert = ndp_of(frames6::kNdpRaDnsmasq);
  feed(slaac, advert, 1100, tx);
  Input na;
  na.ip.src = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x99);
  na.ip.dst = Ipv6Address::all_nodes();
  na.ip.hop_limit = kNdpHopLimit;
  na.repr.type = Icmpv6Type::NeighborAdvert;
  na.repr.target = kGlobal70;
  na.repr.override_ = true;
  Ipv6Address src;
  const Ipv6Address server = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
  ASSERT_TRUE(slaac.source_for(server, 1400, src));
  EXPECT_EQ(src, kGlobal70);
  slaac.on_ndp(na.ip, na.repr, 1500, tx);
  EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Duplicate);
  EXPECT_FALSE(slaac.is_assigned(kGlobal70, 1500));
  // The other prefix's address, still optimistic, takes its place as the source.
  ASSERT_TRUE(slaac.source_for(server, 1500, src));
  EXPECT_EQ(src, kGlobal71);
  slaac.poll(2100, tx);
  EXPECT_EQ(slaac.failure(), SlaacFailure::None);
  EXPECT_FALSE(slaac.is_assigned(kGlobal70, 2100));
  EXPECT_TRUE(slaac.is_assigned(kGlobal71, 2100));
  EXPECT_EQ(slaac.address(1).conflict, DadConflict::Advertised);
  // And once preferred, another NA for it changes nothing (5.4.4 only logs).
  na.repr.target = kGlobal71;
  slaac.on_ndp(na.ip, na.repr, 2200, tx);
  EXPECT_TRUE(slaac.is_assigned(kGlobal71, 2200));
}

TEST(Slaac, AdvertisementFloodIsBoundedAndCounted) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  std::vector<uint8_t> options;
  for (uint16_t i = 0; i < 10; ++i) {
    auto p = prefix_option(i, 64, 3600, 1800);
    options.insert(options.end(), p.begin(), p.end());
  }
  // RDNSS with five servers.
  std::vector<uint8_t> rdnss = {25, 11, 0, 0, 0, 0, 0x0e, 0x10};
  for (uint8_t i = 1; i <= 5; ++i) {
    Ipv6Address server = Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, i);
    rdnss.insert(rdnss.end(), server.octets, server.octets + 16);
  }
  options.insert(options.end(), rdnss.begin(), rdnss.end());
  for (uint16_t router = 1; router <= 5; ++router) {
    Input advert = ra(1800, options, router);
    feed(slaac, advert, 100, tx);
  }
  EXPECT_EQ(slaac.stats().advertisements, 5u);
  // Three addresses beside the link-local one, four on-link prefixes, two routers,
  // three DNS servers; the rest counted.
  size_t addresses = 0;
  for (size_t i = 1; i < Slaac::kMaxAddresses; ++i)
    addresses += slaac.address(i).state != SlaacAddressState::Empty;
  EXPECT_EQ(addresses, 3u);
  EXPECT_EQ(slaac.stats().routers_full, 3u);
  EXPECT_EQ(slaac.stats().dns_full, 2u * 5);
  EXPECT_GT(slaac.stats().prefixes_full, 0u);
  Ipv6Address dns[8];
  EXPECT_EQ(slaac.dns_servers(100, dns, 8), 3u);
  // One DAD solicitation per address made, not per RA.
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 1u + 3u);
}

TEST(Slaac, PrefixesItMustNotUse) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  std::vector<uint8_t> options;
  auto add = [&](std::vector<uint8_t> p) { options.insert(options.end(), p.begin(), p.end()); };
  add(prefix_option(1, 48, 3600, 1800));  // not /64
  add(prefix_option(2, 64, 1800, 3600));  // preferred > valid
  add(prefix_option(3, 64, 3600, 1800, false));  // A clear: on-link only
  auto link_local = prefix_option(4, 64, 3600, 1800);
  link_local[16] = 0xfe;
  link_local[17] = 0x80;
  add(link_local);
  Input advert = ra(1800, options);
  feed(slaac, advert, 100, tx);
  for (size_t i = 1; i < Slaac::kMaxAddresses; ++i)
    EXPECT_EQ(slaac.address(i).state, SlaacAddressState::Empty);
  EXPECT_EQ(slaac.stats().prefixes_ignored, 3u);
  EXPECT_TRUE(slaac.on_link(Ipv6Address::of(0x2001, 0xdb8, 3, 0, 0, 0, 0, 5), 100));
}

TEST(Slaac, TwoHourRuleKeepsAnAdvertisementFromCuttingTheValidLifetime) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  Input first = ra(1800, prefix_option(1, 64, 86400, 3600));
  feed(slaac, first, 0, tx);
  slaac.poll(1000, tx);
  ASSERT_EQ(slaac.address(1).valid_until, 86400u * 1000);
  // A valid lifetime of 60 s: cut to two hours, not to a minute.
  Input cut = ra(1800, prefix_option(1, 64, 60, 30));
  feed(slaac, cut, 1000, tx);
  EXPECT_EQ(slaac.address(1).valid_until, 1000 + Slaac::kTwoHours);
  // Again: the two hours left are not cut further.
  feed(slaac, cut, 2000, tx);
  EXPECT_EQ(slaac.address(1).valid_until, 1000 + Slaac::kTwoHours);
  // Longer than two hours is taken as is.
  Input longer = ra(1800, prefix_option(1, 64, 3 * 3600, 30));
  feed(slaac, longer, 3000, tx);
  EXPECT_EQ(slaac.address(1).valid_until, 3000u + 3 * 3600 * 1000);
  // A router lifetime of 0 removes the router.
  Ipv6Address router;
  EXPECT_TRUE(slaac.default_router(3000, router));
  Input gone = ra(0, {});
  feed(slaac, gone, 4000, tx);
  EXPECT_FALSE(slaac.default_router(4000, router));
}

TEST(Slaac, MtuOutsideTheLinksRangeIsIgnored) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  slaac.start(0, tx);
  for (uint32_t mtu : {1000u, 9000u, 1280u}) {
    Input advert = ra(1800, {5, 1, 0, 0, static_cast<uint8_t>(mtu >> 24),
                             static_cast<uint8_t>(mtu >> 16), static_cast<uint8_t>(mtu >> 8),
                             static_cast<uint8_t>(mtu)});
    feed(slaac, advert, 100, tx);
  }
  EXPECT_EQ(slaac.mtu(), 1280);
  EXPECT_EQ(slaac.stats().mtus_ignored, 2u);
}

TEST(Slaac, RefusedSendsAreRetriedSoon) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  tx.refuse = 2;  // the DAD solicitation and the RS
  slaac.start(0, tx);
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(slaac.stats().send_failures, 2u);
  EXPECT_EQ(slaac.next_deadline(), Slaac::kSendRetry);
  slaac.poll(Slaac::kSendRetry, tx);
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 1u);
  EXPECT_EQ(tx.count(Icmpv6Type::RouterSolicit), 1u);
  // DAD runs its full second from the solicitation that went out.
  slaac.poll(Slaac::kSendRetry + 999, tx);
  EXPECT_FALSE(slaac.link_local_ready());
  slaac.poll(Slaac::kSendRetry + 1000, tx);
  EXPECT_TRUE(slaac.link_local_ready());
}

// ---------------------------------------------------------------------------
// The address DHCPv6 assigned (IA_NA), beside SLAAC's

const Ipv6Address kManaged = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x100);

// Started at 0, the link-local address preferred at 1000.
void started(Slaac& slaac, RecordingSender& tx) {
  slaac.start(0, tx);
  slaac.poll(1000, tx);
  ASSERT_TRUE(slaac.link_local_ready());
  tx.sent.clear();
}

TEST(SlaacManaged, RunsDadThenIsOursUntilItsValidLifetime) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 1800, 3600, 2000, tx).ok());
  // RFC 8415 18.2.10.1 / RFC 4862 5.4.2: a DAD probe from :: to its group.
  ASSERT_EQ(tx.sent.size(), 1u);
  EXPECT_EQ(tx.sent[0].repr.type, Icmpv6Type::NeighborSolicit);
  EXPECT_TRUE(tx.sent[0].src.is_unspecified());
  EXPECT_EQ(tx.sent[0].dst, kManaged.solicited_node());
  EXPECT_EQ(tx.sent[0].repr.target, kManaged);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Tentative);
  EXPECT_TRUE(slaac.is_tentative(kManaged));
  EXPECT_FALSE(slaac.is_assigned(kManaged, 2500));
  EXPECT_EQ(slaac.next_deadline(), 3000u);
  slaac.poll(3000, tx);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Preferred);
  EXPECT_TRUE(slaac.is_assigned(kManaged, 3000));
  // The only global address: the source for a global destination.
  Ipv6Address src;
  ASSERT_TRUE(slaac.source_for(Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1), 3000, src));
  EXPECT_EQ(src, kManaged);
  ASSERT_TRUE(slaac.source_for(kRouter, 3000, src));
  EXPECT_EQ(src, kLinkLocal);
  // Deprecated at its preferred lifetime, gone at its valid one.
  EXPECT_EQ(slaac.dhcpv6_address().preferred_until, 2000u + 1800 * 1000);
  EXPECT_EQ(slaac.dhcpv6_address().valid_until, 2000u + 3600 * 1000);
  slaac.poll(2000 + 1800 * 1000, tx);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Deprecated);
  EXPECT_TRUE(slaac.is_assigned(kManaged, 2000 + 1800 * 1000));
  slaac.poll(2000 + 3600 * 1000, tx);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Empty);
  EXPECT_FALSE(slaac.is_assigned(kManaged, 2000 + 3600 * 1000));
  EXPECT_EQ(slaac.failure(), SlaacFailure::None);
}

TEST(SlaacManaged, AnAdvertisementForItDuringDadMakesItADuplicateToDecline) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 3600, 3600, 2000, tx).ok());
  Input na;
  na.ip.src = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x99);
  na.ip.dst = Ipv6Address::all_nodes();
  na.ip.hop_limit = kNdpHopLimit;
  NdpRepr repr;
  repr.type = Icmpv6Type::NeighborAdvert;
  repr.target = kManaged;
  repr.override_ = true;
  na.bytes.resize(repr.buffer_len());
  ASSERT_TRUE(repr.emit(MutableBytes(na.bytes.data(), na.bytes.size()), na.ip.src, na.ip.dst).ok());
  feed(slaac, na, 2500, tx);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Duplicate);
  EXPECT_EQ(slaac.dhcpv6_address().conflict, DadConflict::Advertised);
  EXPECT_EQ(slaac.stats().duplicates, 1u);
  slaac.poll(3000, tx);
  EXPECT_FALSE(slaac.is_assigned(kManaged, 3000));
  // Only the address is lost, not IPv6.
  EXPECT_EQ(slaac.failure(), SlaacFailure::None);
  EXPECT_TRUE(slaac.link_local_ready());
  // The next address the server gives replaces it, with a DAD of its own.
  const Ipv6Address next = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x101);
  tx.sent.clear();
  ASSERT_TRUE(slaac.assign_dhcpv6(next, 3600, 3600, 4000, tx).ok());
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 1u);
  EXPECT_EQ(slaac.dhcpv6_address().address, next);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Tentative);
}

TEST(SlaacManaged, RenewalTakesTheNewLifetimesWithoutDadAndZeroRemovesIt) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 60, 120, 2000, tx).ok());
  slaac.poll(3000, tx);
  tx.sent.clear();
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 600, 1200, 50000, tx).ok());
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(slaac.dhcpv6_address().valid_until, 50000u + 1200 * 1000);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Preferred);
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 0, 0, 60000, tx).ok());
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Empty);
  EXPECT_FALSE(slaac.is_assigned(kManaged, 60000));
  // Infinite lifetimes stay.
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, NdpPrefix::kInfinite, NdpPrefix::kInfinite, 70000, tx).ok());
  slaac.poll(71000, tx);
  EXPECT_TRUE(slaac.is_assigned(kManaged, kNever - 1));
}

TEST(SlaacStatic, RunsDadIsForEverAndPutsItsPrefixOnLinkUntilDhcpv6ReplacesIt) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  const Ipv6Address station = Ipv6Address::of(0xfd77, 0, 0, 0, 0, 0, 0, 0x42);
  const Ipv6Address neighbour = Ipv6Address::of(0xfd77, 0, 0, 0, 0, 0, 0, 1);
  const Ipv6Address elsewhere = Ipv6Address::of(0xfd78, 0, 0, 0, 0, 0, 0, 1);
  EXPECT_FALSE(slaac.on_link(neighbour, 2000));
  ASSERT_TRUE(slaac.assign_static(station, 64, 2000, tx).ok());
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 1u);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Tentative);
  // Not on-link while its address is only being tested.
  EXPECT_FALSE(slaac.on_link(neighbour, 2500));
  slaac.poll(3000, tx);
  EXPECT_TRUE(slaac.is_assigned(station, kNever - 1));
  EXPECT_TRUE(slaac.on_link(neighbour, 3000));
  EXPECT_FALSE(slaac.on_link(elsewhere, 3000));
  Ipv6Address src;
  ASSERT_TRUE(slaac.source_for(neighbour, 3000, src));
  EXPECT_EQ(src, station);
  // A DHCPv6 lease takes the slot, and the hand-set prefix goes with the address.
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 3600, 3600, 4000, tx).ok());
  slaac.poll(5000, tx);
  EXPECT_FALSE(slaac.is_assigned(station, 5000));
  EXPECT_FALSE(slaac.on_link(neighbour, 5000));
  EXPECT_FALSE(slaac.assign_static(station, 129, 6000, tx).ok());
  EXPECT_FALSE(slaac.assign_static(Ipv6Address::all_nodes(), 64, 6000, tx).ok());
}

TEST(SlaacManaged, RefusesWhatCannotBeAnAssignedAddress) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  EXPECT_FALSE(slaac.assign_dhcpv6(kManaged, 1, 1, 0, tx).ok());  // not started
  started(slaac, tx);
  EXPECT_FALSE(slaac.assign_dhcpv6(kLinkLocal, 1, 1, 2000, tx).ok());
  EXPECT_FALSE(slaac.assign_dhcpv6(Ipv6Address::all_nodes(), 1, 1, 2000, tx).ok());
  EXPECT_FALSE(slaac.assign_dhcpv6(Ipv6Address(), 1, 1, 2000, tx).ok());
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Empty);
}

TEST(SlaacManaged, PrefixesDoNotTakeItsSlotNorMistakeItForTheirs) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  // Assigned first, in the same /64 an RA then advertises with A set.
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 3600, 3600, 2000, tx).ok());
  slaac.poll(3000, tx);
  std::vector<uint8_t> options;
  for (uint16_t group : {1, 2, 3, 4}) {
    auto p = prefix_option(group, 64, 7200, 3600);
    options.insert(options.end(), p.begin(), p.end());
  }
  Input advert = ra(1800, options);
  feed(slaac, advert, 3000, tx);
  // Three SLAAC addresses, the 2001:db8:1:: one among them; the managed slot kept.
  size_t slaac_addresses = 0;
  for (size_t i = 1; i < Slaac::kDhcpv6Slot; ++i)
    slaac_addresses += slaac.address(i).state != SlaacAddressState::Empty;
  EXPECT_EQ(slaac_addresses, 3u);
  EXPECT_EQ(slaac.address(1).address,
            Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0x5054, 0x00ff, 0xfe12, 0x3456));
  EXPECT_EQ(slaac.dhcpv6_address().address, kManaged);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Preferred);
  EXPECT_EQ(slaac.stats().prefixes_full, 1u);
  // An address the prefix already gave us needs no second DAD.
  tx.sent.clear();
  slaac.poll(4000, tx);
  ASSERT_TRUE(slaac.assign_dhcpv6(slaac.address(1).address, 3600, 3600, 4000, tx).ok());
  EXPECT_EQ(tx.count(Icmpv6Type::NeighborSolicit), 0u);
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Preferred);
}

// The server leases the EUI-64 address a prefix made a moment ago: no second
// probe, but the lease is tentative until that DAD ends, and falls with it.
TEST(SlaacManaged, LeaseOfAnOptimisticPrefixAddressWaitsForItsDad) {
  const Ipv6Address eui64 = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
  for (bool collide : {false, true}) {
    Slaac slaac(kMac, 1500);
    RecordingSender tx;
    started(slaac, tx);
    Input advert = ra(1800, prefix_option(1, 64, 7200, 3600));
    feed(slaac, advert, 1000, tx);
    ASSERT_TRUE(slaac.is_optimistic(eui64));
    tx.sent.clear();
    ASSERT_TRUE(slaac.assign_dhcpv6(eui64, 3600, 3600, 1200, tx).ok());
    EXPECT_TRUE(tx.sent.empty());
    EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Tentative);
    EXPECT_EQ(slaac.next_deadline(), 2000u);
    if (collide) {
      Input na;
      na.ip.src = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0x99);
      na.ip.dst = Ipv6Address::all_nodes();
      na.ip.hop_limit = kNdpHopLimit;
      na.repr.type = Icmpv6Type::NeighborAdvert;
      na.repr.target = eui64;
      slaac.on_ndp(na.ip, na.repr, 1500, tx);
      EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Duplicate);
      EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Duplicate);
      EXPECT_EQ(slaac.dhcpv6_address().conflict, DadConflict::Advertised);
    } else {
      slaac.poll(2000, tx);
      EXPECT_EQ(slaac.address(1).state, SlaacAddressState::Preferred);
      EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Preferred);
    }
  }
}

TEST(SlaacManaged, IsTheSourceBeforeASlaacAddressUnlessItIsOnlyDeprecated) {
  Slaac slaac(kMac, 1500);
  RecordingSender tx;
  started(slaac, tx);
  // dnsmasq's "slaac" mode: a prefix with A set and a DHCPv6 lease in it.
  Input advert = ra(1800, prefix_option(1, 64, 7200, 3600));
  feed(slaac, advert, 1000, tx);
  slaac.poll(2000, tx);
  const Ipv6Address eui64 = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
  ASSERT_TRUE(slaac.is_assigned(eui64, 2000));
  const Ipv6Address server = Ipv6Address::of(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1);
  Ipv6Address src;
  ASSERT_TRUE(slaac.source_for(server, 2000, src));
  EXPECT_EQ(src, eui64);
  // Tentative, not optimistic (slaac.h says why): not a source yet.
  ASSERT_TRUE(slaac.assign_dhcpv6(kManaged, 60, 3600, 2000, tx).ok());
  EXPECT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Tentative);
  ASSERT_TRUE(slaac.source_for(server, 2500, src));
  EXPECT_EQ(src, eui64);
  slaac.poll(3000, tx);
  ASSERT_TRUE(slaac.source_for(server, 3000, src));
  EXPECT_EQ(src, kManaged);
  // Link-local destinations keep the link-local source.
  ASSERT_TRUE(slaac.source_for(kRouter, 3000, src));
  EXPECT_EQ(src, kLinkLocal);
  // Deprecated (60 s), it gives way to the preferred SLAAC address.
  slaac.poll(2000 + 60 * 1000, tx);
  ASSERT_EQ(slaac.dhcpv6_address().state, SlaacAddressState::Deprecated);
  ASSERT_TRUE(slaac.source_for(server, 2000 + 60 * 1000, src));
  EXPECT_EQ(src, eui64);
}

}  // namespace
}  // namespace mpxe::net
