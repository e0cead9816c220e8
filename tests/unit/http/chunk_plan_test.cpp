// ChunkPlan (src/net/fetch/chunk_plan.*): who fetches which part of a download,
// and how far it is final from byte 0 while chunks complete out of order.
#include "net/fetch/chunk_plan.h"

#include <gtest/gtest.h>

#include <vector>

namespace mpxe::net {
namespace {

TEST(ChunkPlan, ChunksAreTakenInOrderAndCoverTheResourceOnce) {
  ChunkPlan plan;
  plan.reset(10 * 1000 + 7, 3, 1000);
  EXPECT_EQ(plan.chunk_count(), 11u);
  std::vector<uint8_t> covered(10 * 1000 + 7, 0);
  uint64_t expected_from = 0;
  ChunkPlan::Chunk k;
  while (!plan.all_taken()) {
    for (uint32_t c = 0; c < 3; ++c) {
      if (plan.holding(c)) plan.complete(c);
      if (!plan.take(c, &k)) continue;
      EXPECT_EQ(k.from, expected_from);
      EXPECT_LE(k.to - k.from, 1000u);
      for (uint64_t b = k.from; b < k.to; ++b) ++covered[b];
      expected_from = k.to;
    }
  }
  EXPECT_EQ(expected_from, covered.size());
  for (uint8_t n : covered) ASSERT_EQ(n, 1);
  EXPECT_FALSE(plan.take(0, &k));
}

TEST(ChunkPlan, WithoutAChunkSizeEachConnectionGetsOneRange) {
  ChunkPlan plan;
  plan.reset(100, 4, 0);
  EXPECT_EQ(plan.chunk_count(), 4u);
  ChunkPlan::Chunk k;
  ASSERT_TRUE(plan.take(2, &k));
  EXPECT_EQ(k.from, 0u);
  EXPECT_EQ(k.to, 25u);
  EXPECT_FALSE(plan.take(2, &k));  // one at a time
  EXPECT_FALSE(plan.take(4, &k));  // no such connection
}

TEST(ChunkPlan, AnEmptyResourceIsOneEmptyChunk) {
  ChunkPlan plan;
  plan.reset(0, 4, 1 << 20);
  EXPECT_EQ(plan.chunk_count(), 1u);
  ChunkPlan::Chunk k;
  ASSERT_TRUE(plan.take(0, &k));
  EXPECT_EQ(k.from, 0u);
  EXPECT_EQ(k.to, 0u);
  EXPECT_FALSE(plan.take(1, &k));
  uint64_t none[ChunkPlan::kMaxConnections] = {};
  EXPECT_EQ(plan.complete_to(0, none), 0u);
}

TEST(ChunkPlan, TheFinalPrefixWaitsForTheFirstChunkStillArriving) {
  ChunkPlan plan;
  plan.reset(4000, 2, 1000);
  ChunkPlan::Chunk k;
  ASSERT_TRUE(plan.take(0, &k));  // [0, 1000)
  ASSERT_TRUE(plan.take(1, &k));  // [1000, 2000)
  uint64_t in_order[ChunkPlan::kMaxConnections] = {};
  in_order[0] = 300;
  in_order[1] = 1000;
  EXPECT_EQ(plan.complete_to(0, in_order), 300u);
  // Connection 1 finishes first and takes [2000, 3000): nothing moves past 300.
  plan.complete(1);
  ASSERT_TRUE(plan.take(1, &k));
  EXPECT_EQ(k.from, 2000u);
  in_order[1] = 500;
  EXPECT_EQ(plan.complete_to(300, in_order), 300u);
  // Connection 0 completes: [0, 2000) is whole, then 500 of the chunk 1 holds.
  plan.complete(0);
  EXPECT_EQ(plan.complete_to(300, in_order), 2500u);
  EXPECT_EQ(plan.delivered(0, 0), 1000u);
  EXPECT_EQ(plan.delivered(1, 500), 1500u);
  // Never beyond what is taken, and never more than a chunk holds.
  in_order[1] = 5000;
  EXPECT_EQ(plan.complete_to(2500, in_order), 3000u);
  plan.complete(1);
  EXPECT_EQ(plan.complete_to(3000, in_order), 3000u);  // [3000, 4000) not taken
  ASSERT_TRUE(plan.take(0, &k));
  plan.complete(0);
  EXPECT_EQ(plan.complete_to(3000, in_order), 4000u);
  EXPECT_TRUE(plan.all_taken());
}


TEST(ChunkPlan, AChunkGivenBackIsTakenFirstAsTheRestThatIsMissing) {
  ChunkPlan plan;
  plan.reset(3000, 2, 1000);
  ChunkPlan::Chunk k;
  ASSERT_TRUE(plan.take(0, &k));  // [0, 1000)
  ASSERT_TRUE(plan.take(1, &k));  // [1000, 2000)
  uint64_t in_order[ChunkPlan::kMaxConnections] = {};
  in_order[0] = 400;
  EXPECT_EQ(plan.complete_to(0, in_order), 400u);
  // Connection 0 is cut after 400 bytes: the 400 stay final, the chunk waits.
  EXPECT_EQ(plan.give_back(0, 400), 1u);
  EXPECT_FALSE(plan.holding(0));
  EXPECT_TRUE(plan.has_returned());
  EXPECT_FALSE(plan.all_taken());
  in_order[0] = 0;
  EXPECT_EQ(plan.complete_to(0, in_order), 400u);
  plan.complete(1);
  EXPECT_EQ(plan.complete_to(0, in_order), 400u) << "[400, 1000) still missing";
  // Connection 1 is free first: it takes the missing part, before [2000, 3000).
  ASSERT_TRUE(plan.take(1, &k));
  EXPECT_EQ(k.from, 400u);
  EXPECT_EQ(k.to, 1000u);
  EXPECT_EQ(plan.resumed_at(1), 400u);
  in_order[1] = 100;
  EXPECT_EQ(plan.complete_to(400, in_order), 500u);
  // Cut again: the second time for this chunk, and what arrived before counts.
  EXPECT_EQ(plan.give_back(1, 500), 2u);
  ASSERT_TRUE(plan.take(0, &k));
  EXPECT_EQ(k.from, 500u);
  plan.complete(0);
  EXPECT_EQ(plan.complete_to(500, in_order), 2000u);
  EXPECT_EQ(plan.delivered(0, 0), 400u + 500u);
  EXPECT_EQ(plan.delivered(1, 0), 1000u + 100u);
  ASSERT_TRUE(plan.take(0, &k));
  EXPECT_EQ(k.from, 2000u);
  EXPECT_TRUE(plan.all_taken());
}

}  // namespace
}  // namespace mpxe::net
