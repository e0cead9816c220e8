// The TLS heap: first fit over given pools, merging on release, bounded and
// counted failures, and safe against pointers it never gave out.
#include "tls/tls_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <array>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace mpxe::tls {
namespace {

class TlsHeapTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(heap.add_pool(pool.data(), pool.size())); }

  bool inside_pool(const void* p, size_t size) const {
    const auto* b = static_cast<const uint8_t*>(p);
    return b >= pool.data() && b + size <= pool.data() + pool.size();
  }

  alignas(16) std::array<uint8_t, 64 * 1024> pool{};
  TlsHeap heap;
};

TEST_F(TlsHeapTest, BlocksAreAlignedInsideThePoolAndDoNotOverlap) {
  std::vector<std::pair<uint8_t*, size_t>> blocks;
  for (size_t size : {1u, 15u, 16u, 17u, 100u, 1000u, 3u, 4096u}) {
    auto* p = static_cast<uint8_t*>(heap.allocate(size));
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % TlsHeap::kAlignment, 0u);
    EXPECT_TRUE(inside_pool(p, size));
    EXPECT_GE(heap.usable_size(p), size);
    std::memset(p, static_cast<int>(blocks.size() + 1), size);
    blocks.emplace_back(p, size);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (size_t j = 0; j < blocks[i].second; ++j) ASSERT_EQ(blocks[i].first[j], i + 1);
  }
  EXPECT_TRUE(heap.consistent());
  for (auto& [p, size] : blocks) heap.release(p);
  EXPECT_TRUE(heap.consistent());
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, FreedNeighboursMergeWhateverTheOrder) {
  void* a = heap.allocate(100);
  void* b = heap.allocate(100);
  void* c = heap.allocate(100);
  void* d = heap.allocate(100);  // keeps c's upper neighbour in use
  heap.release(a);
  heap.release(c);
  EXPECT_TRUE(heap.consistent());
  heap.release(b);  // merges with a below and c above
  EXPECT_TRUE(heap.consistent());
  // The hole a+b+c is the first fit for something that needs all three.
  void* big = heap.allocate(3 * 100 + 2 * 16);
  EXPECT_EQ(big, a);
  heap.release(big);
  heap.release(d);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, FirstFitTakesTheLowestHoleThatFits) {
  void* a = heap.allocate(64);
  void* b = heap.allocate(256);
  void* c = heap.allocate(64);
  heap.release(b);
  void* small = heap.allocate(32);
  EXPECT_EQ(small, b);
  heap.release(a);
  heap.release(c);
  heap.release(small);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, ReallocateGrowsInPlaceWhenTheBlockAboveIsFree) {
  auto* p = static_cast<uint8_t*>(heap.allocate(100));
  std::memset(p, 0x5a, 100);
  auto* grown = static_cast<uint8_t*>(heap.reallocate(p, 1000));
  EXPECT_EQ(grown, p);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(grown[i], 0x5a);
  auto* shrunk = static_cast<uint8_t*>(heap.reallocate(grown, 10));
  EXPECT_EQ(shrunk, p);
  EXPECT_TRUE(heap.consistent());
  heap.release(shrunk);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, ReallocateMovesAndKeepsTheContentsWhenBlocked) {
  auto* p = static_cast<uint8_t*>(heap.allocate(100));
  void* wall = heap.allocate(16);
  for (int i = 0; i < 100; ++i) p[i] = static_cast<uint8_t>(i);
  auto* moved = static_cast<uint8_t*>(heap.reallocate(p, 5000));
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, p);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(moved[i], i);
  EXPECT_TRUE(heap.consistent());
  heap.release(moved);
  heap.release(wall);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, AFailedReallocateKeepsTheOldBlock) {
  auto* p = static_cast<uint8_t*>(heap.allocate(100));
  std::memset(p, 7, 100);
  EXPECT_EQ(heap.reallocate(p, pool.size()), nullptr);
  EXPECT_EQ(heap.stats().failures, 1u);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(p[i], 7);
  heap.release(p);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, ExhaustionIsCountedAndTheHighWaterMarkKept) {
  std::vector<void*> blocks;
  while (void* p = heap.allocate(1000)) blocks.push_back(p);
  const HeapStats full = heap.stats();
  EXPECT_GT(blocks.size(), 50u);
  EXPECT_EQ(full.failures, 1u);
  EXPECT_EQ(full.largest_failed, 1000u);
  EXPECT_EQ(full.live_blocks, blocks.size());
  EXPECT_EQ(full.high_water_bytes, full.in_use_bytes);
  EXPECT_LE(full.in_use_bytes, full.pool_bytes);
  EXPECT_LT(full.largest_free_bytes, 1024u);  // a 1000-byte block takes 1024
  for (void* p : blocks) heap.release(p);
  const HeapStats empty = heap.stats();
  EXPECT_EQ(empty.in_use_bytes, 0u);
  EXPECT_EQ(empty.high_water_bytes, full.high_water_bytes);
  EXPECT_EQ(empty.largest_free_bytes, empty.pool_bytes);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, SizesNearTheTopOfTheAddressSpaceFailWithoutWrapping) {
  EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);
  EXPECT_EQ(heap.allocate(SIZE_MAX - 8), nullptr);
  void* p = heap.allocate(8);
  EXPECT_EQ(heap.reallocate(p, SIZE_MAX - 15), nullptr);
  EXPECT_EQ(heap.stats().failures, 3u);
  heap.release(p);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, ZeroBytesGiveDistinctBlocks) {
  void* a = heap.allocate(0);
  void* b = heap.allocate(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(a, b);
  heap.release(a);
  heap.release(b);
  EXPECT_TRUE(heap.all_free());
}

TEST_F(TlsHeapTest, DoubleAndForeignFreesAreCountedAndHarmless) {
  void* a = heap.allocate(64);
  void* b = heap.allocate(64);
  heap.release(a);
  heap.release(a);
  int on_stack = 0;
  heap.release(&on_stack);
  heap.release(static_cast<uint8_t*>(b) + 16);  // inside a live block
  EXPECT_EQ(heap.reallocate(&on_stack, 10), nullptr);
  heap.release(nullptr);
  EXPECT_EQ(heap.stats().bad_frees, 4u);
  EXPECT_TRUE(heap.consistent());
  heap.release(b);
  EXPECT_TRUE(heap.all_free());
}

TEST(TlsHeapPools, SeveralPoolsServeAndEachReturnsToOneBlock) {
  alignas(16) static uint8_t first[4096];
  alignas(16) static uint8_t second[8192];
  TlsHeap heap;
  EXPECT_FALSE(heap.allocate(1) != nullptr);
  // Unaligned edges are trimmed; a pool too small for a block is refused.
  EXPECT_FALSE(heap.add_pool(first, 40));
  ASSERT_TRUE(heap.add_pool(first + 3, sizeof(first) - 3));
  ASSERT_TRUE(heap.add_pool(second, sizeof(second)));
  void* big = heap.allocate(6000);  // fits only the second
  ASSERT_NE(big, nullptr);
  EXPECT_GE(static_cast<uint8_t*>(big), second);
  void* small = heap.allocate(100);
  ASSERT_NE(small, nullptr);
  EXPECT_LT(static_cast<uint8_t*>(small), first + sizeof(first));
  EXPECT_TRUE(heap.consistent());
  heap.release(big);
  heap.release(small);
  EXPECT_TRUE(heap.all_free());
}

TEST(TlsHeapThreads, ProcessorsAllocatingAtOnceNeverShareABlock) {
  alignas(16) static uint8_t pool[1 << 20];
  TlsHeap heap;
  ASSERT_TRUE(heap.add_pool(pool, sizeof(pool)));
  auto worker = [&heap](unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::pair<uint8_t*, size_t>> mine;
    for (int round = 0; round < 4000; ++round) {
      if (mine.size() < 32 && rng() % 3 != 0) {
        const size_t size = 1 + rng() % 2000;
        auto* p = static_cast<uint8_t*>(heap.allocate(size));
        if (p == nullptr) continue;
        std::memset(p, static_cast<int>(seed), size);
        mine.emplace_back(p, size);
      } else if (!mine.empty()) {
        const size_t at = rng() % mine.size();
        auto [p, size] = mine[at];
        for (size_t i = 0; i < size; ++i)
          if (p[i] != static_cast<uint8_t>(seed)) ADD_FAILURE() << "block overwritten";
        heap.release(p);
        mine[at] = mine.back();
        mine.pop_back();
      }
    }
    for (auto [p, size] : mine) heap.release(p);
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t <= 4; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  EXPECT_TRUE(heap.consistent());
  EXPECT_TRUE(heap.all_free());
}

}  // namespace
}  // namespace mpxe::tls
