#include "phy/link_counters.h"

#include <gtest/gtest.h>

#include <vector>

namespace mpxe::phy {
namespace {

// Frames are only looked at up to their destination address.
const uint8_t kUnicast[14] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
const uint8_t kBroadcast[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t kMulticast[14] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
const uint8_t kAlmostBroadcast[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};

constexpr size_t kSlotBytes = sizeof(uint64_t);

TEST(LinkCounters, KeptCountersStartAtZeroTheRestReadAllOnes) {
  LinkCounters c;
  for (uint32_t i = 0; i < LinkCounters::kSlots; ++i) {
    Stat s = static_cast<Stat>(i);
    EXPECT_EQ(c.get(s), LinkCounters::kept(s) ? 0 : LinkCounters::kUnsupported) << i;
  }
  EXPECT_FALSE(LinkCounters::kept(Stat::RxCrcErrorFrames));
  EXPECT_FALSE(LinkCounters::kept(Stat::Collisions));
  EXPECT_TRUE(LinkCounters::kept(Stat::TxTotalBytes));
}

TEST(LinkCounters, ReceivedFramesAreCountedByDestination) {
  LinkCounters c;
  c.received(kUnicast, 60);
  c.received(kBroadcast, 342);
  c.received(kMulticast, 90);
  c.received(kAlmostBroadcast, 64);  // group bit set, not all ones: multicast
  EXPECT_EQ(c.get(Stat::RxTotalFrames), 4u);
  EXPECT_EQ(c.get(Stat::RxGoodFrames), 4u);
  EXPECT_EQ(c.get(Stat::RxUnicastFrames), 1u);
  EXPECT_EQ(c.get(Stat::RxBroadcastFrames), 1u);
  EXPECT_EQ(c.get(Stat::RxMulticastFrames), 2u);
  EXPECT_EQ(c.get(Stat::RxTotalBytes), 60u + 342 + 90 + 64);
  EXPECT_EQ(c.get(Stat::TxTotalFrames), 0u);
}

TEST(LinkCounters, DroppedOversizeAndRuntsCountInTotalsOnly) {
  LinkCounters c;
  c.dropped(100);
  c.oversize(2000);
  c.runt(10);
  EXPECT_EQ(c.get(Stat::RxTotalFrames), 3u);
  EXPECT_EQ(c.get(Stat::RxTotalBytes), 2110u);
  EXPECT_EQ(c.get(Stat::RxDroppedFrames), 1u);
  EXPECT_EQ(c.get(Stat::RxOversizeFrames), 1u);
  EXPECT_EQ(c.get(Stat::RxGoodFrames), 0u);
  EXPECT_EQ(c.get(Stat::RxUnicastFrames), 0u);
}

TEST(LinkCounters, TransmittedFramesAreCountedByDestination) {
  LinkCounters c;
  c.transmitted(kBroadcast, 342);
  c.transmitted(kUnicast, 1514);
  c.transmitted(kMulticast, 60);
  EXPECT_EQ(c.get(Stat::TxTotalFrames), 3u);
  EXPECT_EQ(c.get(Stat::TxGoodFrames), 3u);
  EXPECT_EQ(c.get(Stat::TxUnicastFrames), 1u);
  EXPECT_EQ(c.get(Stat::TxBroadcastFrames), 1u);
  EXPECT_EQ(c.get(Stat::TxMulticastFrames), 1u);
  EXPECT_EQ(c.get(Stat::TxTotalBytes), 342u + 1514 + 60);
  EXPECT_EQ(c.get(Stat::RxTotalFrames), 0u);
}

TEST(LinkCounters, ResetZeroesEveryKeptCounter) {
  LinkCounters c;
  c.received(kUnicast, 60);
  c.transmitted(kUnicast, 60);
  c.reset();
  EXPECT_EQ(c.get(Stat::RxTotalFrames), 0u);
  EXPECT_EQ(c.get(Stat::TxTotalBytes), 0u);
  EXPECT_EQ(c.get(Stat::Collisions), LinkCounters::kUnsupported);
}

// The table a caller needs ends at the last kept counter, TxTotalBytes (slot 19).
TEST(LinkCounters, TableSizeEndsAtTheLastKeptCounter) {
  EXPECT_EQ(LinkCounters::table_size(), 20 * kSlotBytes);
}

TEST(LinkCounters, FullTableGetsEveryCounterAndAllOnesForTheRest) {
  LinkCounters c;
  c.received(kMulticast, 90);
  c.transmitted(kBroadcast, 342);
  std::vector<uint64_t> table(LinkCounters::kSlots, 0x5a5a);
  EXPECT_EQ(c.copy_to(table.data(), table.size() * kSlotBytes), 20 * kSlotBytes);
  for (uint32_t i = 0; i < LinkCounters::kSlots; ++i)
    EXPECT_EQ(table[i], c.get(static_cast<Stat>(i))) << i;
  EXPECT_EQ(table[static_cast<uint32_t>(Stat::RxMulticastFrames)], 1u);
  EXPECT_EQ(table[static_cast<uint32_t>(Stat::TxTotalBytes)], 342u);
  EXPECT_EQ(table[static_cast<uint32_t>(Stat::RxCrcErrorFrames)], LinkCounters::kUnsupported);
  EXPECT_EQ(table[static_cast<uint32_t>(Stat::TxRetryFrames)], LinkCounters::kUnsupported);
}

TEST(LinkCounters, SmallTableGetsTheWholeSlotsThatFitAndTheSizeNeeded) {
  LinkCounters c;
  c.received(kUnicast, 60);
  std::vector<uint64_t> table(LinkCounters::kSlots, 0x5a5a);
  // 100 bytes: twelve whole slots and half of one, which stays untouched.
  size_t needed = c.copy_to(table.data(), 100);
  EXPECT_EQ(needed, 20 * kSlotBytes);
  EXPECT_GT(needed, 100u);  // Statistics() answers EFI_BUFFER_TOO_SMALL
  EXPECT_EQ(table[0], 1u);  // RxTotalFrames
  EXPECT_EQ(table[2], LinkCounters::kUnsupported);  // RxUndersizeFrames
  EXPECT_EQ(table[11], 0u);  // TxGoodFrames
  EXPECT_EQ(table[12], 0x5a5au);
}

TEST(LinkCounters, SizeQueryWithoutTableWritesNothing) {
  LinkCounters c;
  EXPECT_EQ(c.copy_to(nullptr, 0), 20 * kSlotBytes);
  EXPECT_EQ(c.copy_to(nullptr, 4096), 20 * kSlotBytes);
}

TEST(LinkCounters, TableOfExactlyTheNeededSizeIsEnough) {
  LinkCounters c;
  std::vector<uint64_t> table(LinkCounters::kSlots, 0x5a5a);
  EXPECT_EQ(c.copy_to(table.data(), 20 * kSlotBytes), 20 * kSlotBytes);
  EXPECT_EQ(table[19], 0u);
  EXPECT_EQ(table[20], 0x5a5au);
}

}  // namespace
}  // namespace mpxe::phy
