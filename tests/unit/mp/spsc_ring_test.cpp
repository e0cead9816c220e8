#include "mp/spsc_ring.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <thread>

#include "mp_test_util.h"

namespace mpxe::mp {
namespace {

TEST(SpscRing, EmptyRingPopsNothing) {
  SpscRing<uint32_t, 4> ring;
  uint32_t out = 99;
  EXPECT_FALSE(ring.try_pop(&out));
  EXPECT_EQ(out, 99u);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.size(), 0u);
}

TEST(SpscRing, FillsToCapacityThenRefuses) {
  SpscRing<uint32_t, 8> ring;
  for (uint32_t i = 0; i < 8; ++i) {
    EXPECT_TRUE(ring.try_push(i)) << i;
    EXPECT_EQ(ring.size(), i + 1);
  }
  EXPECT_FALSE(ring.try_push(100));
  EXPECT_EQ(ring.size(), 8u);
  // One pop makes exactly one place.
  uint32_t out;
  ASSERT_TRUE(ring.try_pop(&out));
  EXPECT_EQ(out, 0u);
  EXPECT_TRUE(ring.try_push(8));
  EXPECT_FALSE(ring.try_push(9));
  for (uint32_t i = 1; i <= 8; ++i) {
    ASSERT_TRUE(ring.try_pop(&out));
    EXPECT_EQ(out, i);
  }
  EXPECT_FALSE(ring.try_pop(&out));
}

TEST(SpscRing, SmallestRingAlternatesFullAndEmpty) {
  SpscRing<uint64_t, 2> ring;
  uint64_t out;
  for (uint64_t round = 0; round < 100; ++round) {
    EXPECT_TRUE(ring.try_push(2 * round));
    EXPECT_TRUE(ring.try_push(2 * round + 1));
    EXPECT_FALSE(ring.try_push(0));
    ASSERT_TRUE(ring.try_pop(&out));
    EXPECT_EQ(out, 2 * round);
    ASSERT_TRUE(ring.try_pop(&out));
    EXPECT_EQ(out, 2 * round + 1);
    EXPECT_FALSE(ring.try_pop(&out));
  }
}

TEST(SpscRing, SlotsWrapAroundKeepingOrder) {
  SpscRing<uint32_t, 4> ring;
  uint32_t next_in = 0, next_out = 0;
  // Uneven push/pop batches walk the indices around the slots many times.
  for (int round = 0; round < 1000; ++round) {
    uint32_t pushes = 1 + round % 4;
    for (uint32_t i = 0; i < pushes && ring.try_push(next_in); ++i) ++next_in;
    uint32_t pops = 1 + (round * 7) % 3;
    uint32_t out;
    for (uint32_t i = 0; i < pops && ring.try_pop(&out); ++i) EXPECT_EQ(out, next_out++);
  }
  uint32_t out;
  while (ring.try_pop(&out)) EXPECT_EQ(out, next_out++);
  EXPECT_EQ(next_in, next_out);
  EXPECT_GT(next_out, 1000u);
}

TEST(SpscRing, IndicesWrapPast32Bits) {
  for (uint32_t start : {0xFFFFFFF0u, 0xFFFFFFFFu, 0x7FFFFFFEu}) {
    SpscRing<uint32_t, 16> ring(start);
    uint32_t out;
    for (uint32_t i = 0; i < 16; ++i) ASSERT_TRUE(ring.try_push(i));
    EXPECT_FALSE(ring.try_push(99)) << "full across the wrap, start " << start;
    EXPECT_EQ(ring.size(), 16u);
    for (uint32_t i = 0; i < 16; ++i) {
      ASSERT_TRUE(ring.try_pop(&out));
      EXPECT_EQ(out, i);
    }
    EXPECT_FALSE(ring.try_pop(&out)) << "empty across the wrap, start " << start;
    // Keep going well past the wrap point.
    for (uint32_t i = 0; i < 100; ++i) {
      ASSERT_TRUE(ring.try_push(i));
      ASSERT_TRUE(ring.try_pop(&out));
      EXPECT_EQ(out, i);
    }
  }
}

TEST(SpscRing, ResetEmpties) {
  SpscRing<uint32_t, 4> ring;
  ASSERT_TRUE(ring.try_push(1));
  ASSERT_TRUE(ring.try_push(2));
  ring.reset();
  uint32_t out;
  EXPECT_FALSE(ring.try_pop(&out));
  EXPECT_EQ(ring.size(), 0u);
}

// A wide item: a torn read (slot read before it was fully written, or after it
// was overwritten) breaks the check word.
struct Item {
  uint64_t value;
  uint64_t check;
  uint8_t pad[16];
};

template <uint32_t Capacity>
void contend(uint64_t items) {
  auto ring = std::make_unique<SpscRing<Item, Capacity>>();
  uint64_t consumer_errors = 0;
  uint64_t received = 0;
  std::thread consumer([&] {
    Item item;
    uint64_t expected = 0;
    while (expected < items) {
      if (!ring->try_pop(&item)) {
        test::relax();
        continue;
      }
      if (item.value != expected || item.check != ~expected) ++consumer_errors;
      for (uint8_t b : item.pad)
        if (b != static_cast<uint8_t>(expected)) ++consumer_errors;
      ++expected;
    }
    received = expected;
    EXPECT_FALSE(ring->try_pop(&item)) << "an item beyond the last one pushed";
  });
  for (uint64_t i = 0; i < items; ++i) {
    Item item{i, ~i, {}};
    for (uint8_t& b : item.pad) b = static_cast<uint8_t>(i);
    while (!ring->try_push(item)) test::relax();
  }
  consumer.join();
  EXPECT_EQ(received, items);
  EXPECT_EQ(consumer_errors, 0u);
  EXPECT_TRUE(ring->empty());
}

TEST(SpscRing, TwoThreadsMillionsOfItemsInOrder) { contend<1024>(test::scaled(4'000'000)); }

TEST(SpscRing, TwoThreadsTinyRingStaysAtTheEdges) {
  // Capacity 2: the producer finds it full and the consumer empty almost every time.
  contend<2>(test::scaled(1'000'000));
}

TEST(SpscRing, TwoThreadsStartingJustBelowTheWrap) {
  auto ring = std::make_unique<SpscRing<uint64_t, 64>>(0xFFFFF000u);
  const uint64_t items = test::scaled(1'000'000);
  uint64_t bad = 0;
  std::thread consumer([&] {
    uint64_t expected = 0, v;
    while (expected < items) {
      if (!ring->try_pop(&v)) {
        test::relax();
        continue;
      }
      if (v != expected) ++bad;
      ++expected;
    }
  });
  for (uint64_t i = 0; i < items; ++i)
    while (!ring->try_push(i)) test::relax();
  consumer.join();
  EXPECT_EQ(bad, 0u);
}

}  // namespace
}  // namespace mpxe::mp
