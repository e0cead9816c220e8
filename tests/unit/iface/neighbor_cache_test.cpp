// The IPv6 neighbour cache's states (RFC 4861 7.3), scripted with explicit times.
#include "net/iface/neighbor_cache.h"

#include <gtest/gtest.h>

namespace mpxe::net {
namespace {

using Kind = NeighborCache::Resolution::Kind;
using State = NeighborCache::State;

const Ipv6Address kPeer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
const MacAddress kPeerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const MacAddress kOtherMac{{0x52, 0x54, 0x00, 0x11, 0x22, 0x33}};

TEST(NeighborCache, IncompleteSolicitsThriceThenFails) {
  NeighborCache cache;
  NeighborCache::Solicitation s;
  EXPECT_EQ(cache.resolve(kPeer, 0).kind, Kind::SendSolicitation);  // 1
  EXPECT_EQ(cache.state_of(kPeer, 0), State::Incomplete);
  EXPECT_EQ(cache.resolve(kPeer, 999).kind, Kind::Waiting);
  EXPECT_EQ(cache.next_deadline(), 1000u);
  EXPECT_FALSE(cache.next_solicitation(999, s));
  ASSERT_TRUE(cache.next_solicitation(1000, s));  // 2
  EXPECT_EQ(s.target, kPeer);
  EXPECT_FALSE(s.unicast);
  ASSERT_TRUE(cache.next_solicitation(2000, s));  // 3
  EXPECT_FALSE(cache.next_solicitation(3000, s));
  EXPECT_EQ(cache.state_of(kPeer, 3000), State::Failed);
  EXPECT_EQ(cache.resolve(kPeer, 3001).kind, Kind::Failed);
  EXPECT_EQ(cache.next_deadline(), kNever);
  EXPECT_EQ(cache.resolve(kPeer, 3000 + NeighborCache::kFailedHold).kind, Kind::SendSolicitation);
}

TEST(NeighborCache, SolicitedAdvertisementMakesItReachableThenStale) {
  NeighborCache cache;
  cache.resolve(kPeer, 0);
  // No target link-layer option: an Incomplete entry learns nothing.
  cache.on_advertisement(kPeer, true, true, nullptr, 10);
  EXPECT_EQ(cache.state_of(kPeer, 10), State::Incomplete);
  cache.on_advertisement(kPeer, true, true, &kPeerMac, 20);
  EXPECT_EQ(cache.state_of(kPeer, 20), State::Reachable);
  auto r = cache.resolve(kPeer, 30);
  EXPECT_EQ(r.kind, Kind::Resolved);
  EXPECT_EQ(r.mac, kPeerMac);
  EXPECT_EQ(cache.state_of(kPeer, 20 + NeighborCache::kReachableTime - 1), State::Reachable);
  EXPECT_EQ(cache.state_of(kPeer, 20 + NeighborCache::kReachableTime), State::Stale);
}

TEST(NeighborCache, StaleGoesThroughDelayToProbeAndFails) {
  NeighborCache cache;
  NeighborCache::Solicitation s;
  cache.on_link_layer_address(kPeer, kPeerMac, 0);  // from an RA or NS: Stale
  EXPECT_EQ(cache.state_of(kPeer, 0), State::Stale);
  EXPECT_EQ(cache.next_deadline(), kNever);
  auto r = cache.resolve(kPeer, 100);  // a packet goes out to the cached MAC
  EXPECT_EQ(r.kind, Kind::Resolved);
  EXPECT_EQ(r.mac, kPeerMac);
  EXPECT_EQ(cache.state_of(kPeer, 100), State::Delay);
  EXPECT_EQ(cache.next_deadline(), 100 + NeighborCache::kDelayFirstProbeTime);
  EXPECT_FALSE(cache.next_solicitation(5099, s));
  ASSERT_TRUE(cache.next_solicitation(5100, s));  // probe 1, unicast
  EXPECT_TRUE(s.unicast);
  EXPECT_EQ(s.mac, kPeerMac);
  EXPECT_EQ(cache.state_of(kPeer, 5100), State::Probe);
  EXPECT_EQ(cache.resolve(kPeer, 5200).kind, Kind::Resolved);  // still used while probing
  ASSERT_TRUE(cache.next_solicitation(6100, s));
  ASSERT_TRUE(cache.next_solicitation(7100, s));
  EXPECT_FALSE(cache.next_solicitation(8100, s));
  EXPECT_EQ(cache.state_of(kPeer, 8100), State::Failed);
}

TEST(NeighborCache, ConfirmationInDelayAvoidsTheProbe) {
  NeighborCache cache;
  NeighborCache::Solicitation s;
  cache.on_link_layer_address(kPeer, kPeerMac, 0);
  cache.resolve(kPeer, 0);
  cache.confirm(kPeer, 2000);  // TCP saw new data acknowledged
  EXPECT_EQ(cache.state_of(kPeer, 2000), State::Reachable);
  EXPECT_FALSE(cache.next_solicitation(6000, s));
}

TEST(NeighborCache, AdvertisementRulesOfRfc4861Section7_2_5) {
  NeighborCache cache;
  cache.resolve(kPeer, 0);
  cache.on_advertisement(kPeer, true, true, &kPeerMac, 10);
  // Not override, another MAC: the cached one stands but is in doubt.
  cache.on_advertisement(kPeer, false, false, &kOtherMac, 20);
  MacAddress mac;
  ASSERT_TRUE(cache.lookup(kPeer, 20, mac));
  EXPECT_EQ(mac, kPeerMac);
  EXPECT_EQ(cache.state_of(kPeer, 20), State::Stale);
  // Override, unsolicited, another MAC: taken, Stale.
  cache.on_advertisement(kPeer, false, true, &kOtherMac, 30);
  ASSERT_TRUE(cache.lookup(kPeer, 30, mac));
  EXPECT_EQ(mac, kOtherMac);
  EXPECT_EQ(cache.state_of(kPeer, 30), State::Stale);
  // Solicited, same MAC, no override: Reachable.
  cache.on_advertisement(kPeer, true, false, &kOtherMac, 40);
  EXPECT_EQ(cache.state_of(kPeer, 40), State::Reachable);
  // An advertisement for an address no one asked about creates nothing.
  const Ipv6Address stranger = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 7);
  cache.on_advertisement(stranger, false, true, &kOtherMac, 50);
  EXPECT_EQ(cache.state_of(stranger, 50), State::Empty);
}

TEST(NeighborCache, RouterTimersReplaceTheDefaults) {
  NeighborCache cache;
  cache.set_timers(10'000, 500);
  cache.set_timers(0, 0);  // unspecified: kept
  EXPECT_EQ(cache.reachable_time(), 10'000u);
  EXPECT_EQ(cache.retrans_timer(), 500u);
  cache.resolve(kPeer, 0);
  EXPECT_EQ(cache.next_deadline(), 500u);
}

TEST(NeighborCache, BoundedAndLeastRecentlyUsedGoesFirst) {
  NeighborCache cache;
  for (uint16_t i = 0; i < NeighborCache::kCapacity + 4; ++i)
    cache.on_link_layer_address(Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, i + 1), kPeerMac, i);
  EXPECT_EQ(cache.size(), NeighborCache::kCapacity);
  EXPECT_EQ(cache.state_of(Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 1), 100), State::Empty);
  EXPECT_EQ(cache.state_of(Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 20), 100), State::Stale);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_STREQ(neighbor_state_text(State::Probe), "probe");
}

}  // namespace
}  // namespace mpxe::net
