#include "net/iface/arp_cache.h"

#include <gtest/gtest.h>

namespace mpxe::net {
namespace {

using Kind = ArpCache::Resolution::Kind;

const Ipv4Address kPeer = Ipv4Address::of(10, 77, 0, 1);
const MacAddress kPeerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const MacAddress kOtherMac{{0x52, 0x54, 0x00, 0x11, 0x22, 0x33}};

TEST(ArpCache, FirstResolveAsksThenWaitsUntilAnswered) {
  ArpCache cache;
  EXPECT_EQ(cache.resolve(kPeer, 1000).kind, Kind::SendRequest);
  EXPECT_EQ(cache.state_of(kPeer, 1000), ArpCache::State::Pending);
  // Rate limit: one request per address per second.
  EXPECT_EQ(cache.resolve(kPeer, 1001).kind, Kind::Waiting);
  EXPECT_EQ(cache.resolve(kPeer, 1999).kind, Kind::Waiting);
  EXPECT_TRUE(cache.update(kPeer, kPeerMac, 1500));  // the reply completes the pending entry
  auto r = cache.resolve(kPeer, 1501);
  EXPECT_EQ(r.kind, Kind::Resolved);
  EXPECT_EQ(r.mac, kPeerMac);
}

// What Mode.ArpCache shows: answered entries only, and not once they lapsed.
TEST(ArpCache, CompleteListsFreshAnswersOnly) {
  ArpCache cache;
  const Ipv4Address pending = Ipv4Address::of(10, 77, 0, 9);
  cache.insert(kPeer, kPeerMac, 100);
  EXPECT_EQ(cache.resolve(pending, 100).kind, Kind::SendRequest);
  Ipv4Address ips[4];
  MacAddress macs[4];
  ASSERT_EQ(cache.complete(200, ips, macs, 4), 1u);
  EXPECT_EQ(ips[0], kPeer);
  EXPECT_EQ(macs[0], kPeerMac);
  EXPECT_EQ(cache.complete(200, ips, macs, 0), 0u);
  EXPECT_EQ(cache.complete(100 + ArpCache::kLifetime + 1, ips, macs, 4), 0u);
}

TEST(ArpCache, RetriesAreRateLimitedAndGiveUpAfterThree) {
  ArpCache cache;
  Ipv4Address ip;
  ASSERT_EQ(cache.resolve(kPeer, 0).kind, Kind::SendRequest);  // request 1
  EXPECT_EQ(cache.next_deadline(), 1000u);
  EXPECT_FALSE(cache.next_request(999, ip));
  ASSERT_TRUE(cache.next_request(1000, ip));  // request 2
  EXPECT_EQ(ip, kPeer);
  EXPECT_FALSE(cache.next_request(1000, ip));  // once per interval
  EXPECT_EQ(cache.resolve(kPeer, 1500).kind, Kind::Waiting);
  EXPECT_EQ(cache.resolve(kPeer, 2000).kind, Kind::SendRequest);  // request 3, through resolve
  EXPECT_FALSE(cache.next_request(2999, ip));
  // A second after the third request it is given up on, without a fourth.
  EXPECT_FALSE(cache.next_request(3000, ip));
  EXPECT_EQ(cache.state_of(kPeer, 3000), ArpCache::State::Failed);
  EXPECT_EQ(cache.next_deadline(), kNever);
  EXPECT_EQ(cache.resolve(kPeer, 3001).kind, Kind::Failed);
  EXPECT_EQ(cache.resolve(kPeer, 3000 + ArpCache::kFailedHold - 1).kind, Kind::Failed);
  // After the hold, the next send starts over.
  EXPECT_EQ(cache.resolve(kPeer, 3000 + ArpCache::kFailedHold).kind, Kind::SendRequest);
}

TEST(ArpCache, ResolveGivesUpItselfWhenNoOnePolls) {
  ArpCache cache;
  EXPECT_EQ(cache.resolve(kPeer, 0).kind, Kind::SendRequest);
  EXPECT_EQ(cache.resolve(kPeer, 1000).kind, Kind::SendRequest);
  EXPECT_EQ(cache.resolve(kPeer, 2000).kind, Kind::SendRequest);
  EXPECT_EQ(cache.resolve(kPeer, 2500).kind, Kind::Waiting);
  EXPECT_EQ(cache.resolve(kPeer, 3000).kind, Kind::Failed);
}

TEST(ArpCache, EntriesAgeOut) {
  ArpCache cache;
  cache.insert(kPeer, kPeerMac, 10'000);
  MacAddress mac;
  EXPECT_TRUE(cache.lookup(kPeer, 10'000 + ArpCache::kLifetime - 1, mac));
  EXPECT_EQ(mac, kPeerMac);
  EXPECT_FALSE(cache.lookup(kPeer, 10'000 + ArpCache::kLifetime, mac));
  EXPECT_EQ(cache.state_of(kPeer, 10'000 + ArpCache::kLifetime), ArpCache::State::Empty);
  // Using an aged entry asks again.
  EXPECT_EQ(cache.resolve(kPeer, 10'000 + ArpCache::kLifetime).kind, Kind::SendRequest);
}

TEST(ArpCache, UpdateRefreshesAndChangesTheMac) {
  ArpCache cache;
  EXPECT_FALSE(cache.update(kPeer, kPeerMac, 0));  // not there: the merge flag stays false
  cache.insert(kPeer, kPeerMac, 0);
  EXPECT_TRUE(cache.update(kPeer, kOtherMac, 50'000));
  MacAddress mac;
  EXPECT_TRUE(cache.lookup(kPeer, 100'000, mac));  // lifetime counts from the update
  EXPECT_EQ(mac, kOtherMac);
}

TEST(ArpCache, FullTableReplacesTheLeastRecentlyUsed) {
  ArpCache cache;
  for (uint8_t i = 0; i < ArpCache::kCapacity; ++i)
    cache.insert(Ipv4Address::of(10, 0, 0, i), kPeerMac, i);
  EXPECT_EQ(cache.size(), ArpCache::kCapacity);
  // Use entry 0 again: entry 1 is now the least recently used.
  EXPECT_EQ(cache.resolve(Ipv4Address::of(10, 0, 0, 0), 100).kind, Kind::Resolved);
  cache.insert(Ipv4Address::of(10, 0, 1, 0), kOtherMac, 101);
  EXPECT_EQ(cache.size(), ArpCache::kCapacity);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 0, 1), 101), ArpCache::State::Empty);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 0, 0), 101), ArpCache::State::Complete);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 1, 0), 101), ArpCache::State::Complete);
}

TEST(ArpCache, LapsedEntriesAreReplacedBeforeLiveOnes) {
  ArpCache cache;
  for (uint8_t i = 0; i < ArpCache::kCapacity; ++i)
    cache.insert(Ipv4Address::of(10, 0, 0, i), kPeerMac, i == 7 ? 0 : 50'000);
  // Entry 7 has aged out by now; the others, though older in use, stay.
  cache.insert(Ipv4Address::of(10, 0, 1, 0), kOtherMac, ArpCache::kLifetime + 1);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 0, 0), ArpCache::kLifetime + 1),
            ArpCache::State::Complete);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 1, 0), ArpCache::kLifetime + 1),
            ArpCache::State::Complete);
  EXPECT_EQ(cache.state_of(Ipv4Address::of(10, 0, 0, 7), ArpCache::kLifetime + 1),
            ArpCache::State::Empty);
  EXPECT_EQ(cache.size(), ArpCache::kCapacity);
}

}  // namespace
}  // namespace mpxe::net
