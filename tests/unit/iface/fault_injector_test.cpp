#include "phy/fault_injector.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/prng.h"
#include "iface_test_util.h"

namespace mpxe::phy {
namespace {

using net::test::Buffer;
using net::test::FakeDevice;
using net::test::view;

const net::MacAddress kMac{{0x02, 0, 0, 0, 0, 1}};

// Frame i: 64 bytes, every byte i (so a frame says which it is).
Buffer numbered(uint8_t i, size_t size = 64) { return Buffer(size, i); }

// Receives everything waiting, releasing each frame at once; returns copies.
std::vector<Buffer> drain(Device& device) {
  std::vector<Buffer> out;
  RxFrame frame;
  while (device.receive(frame)) {
    out.emplace_back(frame.data, frame.data + frame.size);
    device.release(frame);
  }
  return out;
}

size_t bits_different(const Buffer& a, const Buffer& b) {
  size_t n = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) n += __builtin_popcount(a[i] ^ b[i]);
  return n;
}

TEST(Prng, IsDeterministicPerSeedAndBounded) {
  Prng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
  // SplitMix64's first output for seed 0 (the reference value).
  EXPECT_EQ(Prng(0).next_u64(), 0xE220A8397B1DCDAFull);
  Prng d(7);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(d.below(10), 10u);
  EXPECT_EQ(d.below(0), 0u);
  EXPECT_FALSE(d.chance_per_mille(0));
  EXPECT_TRUE(d.chance_per_mille(1000));
}

TEST(FaultSpec, ParsesAnySubsetAndRefusesWhatItDoesNotKnow) {
  FaultRates rates;
  rates.corrupt = 7;
  uint64_t seed = 1;
  ASSERT_TRUE(parse_fault_spec("drop=10,dup=5 reorder=20,seed=12345678901", &rates, &seed));
  EXPECT_EQ(rates.drop, 10);
  EXPECT_EQ(rates.duplicate, 5);
  EXPECT_EQ(rates.reorder, 20);
  EXPECT_EQ(rates.corrupt, 7);  // not given: kept
  EXPECT_EQ(seed, 12345678901u);
  EXPECT_TRUE(rates.any());
  ASSERT_TRUE(parse_fault_spec("corrupt=1000\n", &rates, &seed));
  EXPECT_EQ(rates.corrupt, 1000);
  ASSERT_TRUE(parse_fault_spec("", &rates, &seed));
  for (const char* bad : {"drop=1001", "drops=1", "dro=1", "drop", "drop=", "=5", "drop=-1",
                          "drop=1x", "seed=99999999999999999999", "drop=1;dup=2"}) {
    FaultRates before = rates;
    EXPECT_FALSE(parse_fault_spec(bad, &rates, &seed)) << bad;
    EXPECT_EQ(rates.drop, before.drop) << bad;
  }
  EXPECT_FALSE(FaultRates{}.any());
}

TEST(FaultInjector, ZeroRatesPassEverythingThroughZeroCopy) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 1, {}, {});
  EXPECT_EQ(faults.info().mtu, 1500);
  for (uint8_t i = 0; i < 10; ++i) inner.push_rx(numbered(i));
  RxFrame frame;
  ASSERT_TRUE(faults.receive(frame));
  EXPECT_GE(frame.slot, 100u);  // the inner device's own slot: no copy was made
  faults.release(frame);
  auto got = drain(faults);
  ASSERT_EQ(got.size(), 9u);
  for (uint8_t i = 0; i < 9; ++i) EXPECT_EQ(got[i], numbered(i + 1));
  EXPECT_EQ(inner.released(), 10u);
  for (uint8_t i = 0; i < 5; ++i) EXPECT_TRUE(faults.transmit(view(numbered(i))));
  EXPECT_EQ(inner.tx.size(), 5u);
  EXPECT_EQ(faults.rx_counters().frames, 10u);
  EXPECT_EQ(faults.rx_counters().dropped + faults.rx_counters().corrupted, 0u);
}

TEST(FaultInjector, DropRateIsRoughlyWhatWasAsked) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 2024, {200, 0, 0, 0}, {300, 0, 0, 0});
  const int n = 5000;
  for (int i = 0; i < n; ++i) inner.push_rx(numbered(static_cast<uint8_t>(i)));
  size_t received = drain(faults).size();
  for (int i = 0; i < n; ++i) EXPECT_TRUE(faults.transmit(view(numbered(1))));
  // 20% and 30% of 5000, within 3 standard deviations (about 85 and 97 frames).
  EXPECT_NEAR(static_cast<double>(faults.rx_counters().dropped), 1000, 100);
  EXPECT_NEAR(static_cast<double>(faults.tx_counters().dropped), 1500, 110);
  EXPECT_EQ(received + faults.rx_counters().dropped, static_cast<size_t>(n));
  EXPECT_EQ(inner.tx.size() + faults.tx_counters().dropped, static_cast<size_t>(n));
  EXPECT_EQ(inner.released(), static_cast<size_t>(n));
}

TEST(FaultInjector, CorruptionFlipsExactlyOneBitOfACopy) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 5, {0, 0, 0, 1000}, {0, 0, 0, 1000});
  for (uint8_t i = 0; i < 20; ++i) inner.push_rx(numbered(i));
  auto got = drain(faults);
  ASSERT_EQ(got.size(), 20u);
  for (uint8_t i = 0; i < 20; ++i) EXPECT_EQ(bits_different(got[i], numbered(i)), 1u);
  EXPECT_EQ(faults.rx_counters().corrupted, 20u);
  Buffer original = numbered(9);
  ASSERT_TRUE(faults.transmit(view(original)));
  EXPECT_EQ(original, numbered(9)) << "the caller's bytes are never touched";
  EXPECT_EQ(bits_different(inner.tx[0], original), 1u);
}

TEST(FaultInjector, DuplicatesDeliverTheFrameTwice) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 5, {0, 1000, 0, 0}, {0, 1000, 0, 0});
  inner.push_rx(numbered(1));
  inner.push_rx(numbered(2));
  auto got = drain(faults);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], numbered(1));
  EXPECT_EQ(got[1], numbered(1));
  EXPECT_EQ(got[2], numbered(2));
  EXPECT_EQ(got[3], numbered(2));
  EXPECT_EQ(faults.rx_counters().duplicated, 2u);
  ASSERT_TRUE(faults.transmit(view(numbered(3))));
  ASSERT_EQ(inner.tx.size(), 2u);
  EXPECT_EQ(inner.tx[1], numbered(3));
}

TEST(FaultInjector, ReorderSwapsNeighboursAndNeverLosesAFrame) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 5, {0, 0, 1000, 0}, {0, 0, 1000, 0});
  for (uint8_t i = 1; i <= 4; ++i) inner.push_rx(numbered(i));
  auto got = drain(faults);
  // 1 is held and comes after 2; 3 is held and comes after 4.
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], numbered(2));
  EXPECT_EQ(got[1], numbered(1));
  EXPECT_EQ(got[2], numbered(4));
  EXPECT_EQ(got[3], numbered(3));
  EXPECT_EQ(faults.rx_counters().reordered, 2u);
  // A lone frame has no neighbour: it is delivered, not kept.
  inner.push_rx(numbered(5));
  got = drain(faults);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], numbered(5));

  // Transmit: 6 is held until 7 has gone out.
  ASSERT_TRUE(faults.transmit(view(numbered(6))));
  EXPECT_TRUE(inner.tx.empty());
  EXPECT_TRUE(faults.has_pending());
  ASSERT_TRUE(faults.transmit(view(numbered(7))));
  ASSERT_EQ(inner.tx.size(), 2u);
  EXPECT_EQ(inner.tx[0], numbered(7));
  EXPECT_EQ(inner.tx[1], numbered(6));
  // A held transmit goes out once the stack is idle (a receive that finds nothing).
  ASSERT_TRUE(faults.transmit(view(numbered(8))));
  EXPECT_EQ(inner.tx.size(), 2u);
  RxFrame frame;
  EXPECT_FALSE(faults.receive(frame));
  ASSERT_EQ(inner.tx.size(), 3u);
  EXPECT_EQ(inner.tx[2], numbered(8));
  EXPECT_FALSE(faults.has_pending());
}

TEST(FaultInjector, FramesTooBigToCopyPassUnharmed) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 5, {0, 0, 0, 1000}, {});
  inner.push_rx(numbered(1, FaultInjector::kBufferSize + 1));
  auto got = drain(faults);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], numbered(1, FaultInjector::kBufferSize + 1));
  EXPECT_EQ(faults.rx_counters().skipped, 1u);
}

TEST(FaultInjector, CopiesAreLentUntilReleased) {
  FakeDevice inner(kMac);
  FaultInjector faults(inner, 5, {0, 0, 0, 1000}, {});
  for (uint8_t i = 0; i < FaultInjector::kRxBuffers + 1; ++i) inner.push_rx(numbered(i));
  // Hold every frame without releasing: the copy buffers run out, the last frame
  // passes uncorrupted rather than overwrite one still lent.
  std::vector<RxFrame> held(FaultInjector::kRxBuffers + 1);
  for (RxFrame& f : held) ASSERT_TRUE(faults.receive(f));
  for (size_t i = 0; i < FaultInjector::kRxBuffers; ++i)
    EXPECT_EQ(bits_different(Buffer(held[i].data, held[i].data + held[i].size),
                             numbered(static_cast<uint8_t>(i))),
              1u);
  Buffer last(held.back().data, held.back().data + held.back().size);
  EXPECT_EQ(last, numbered(FaultInjector::kRxBuffers));
  EXPECT_EQ(faults.rx_counters().skipped, 1u);
  for (RxFrame& f : held) faults.release(f);
  EXPECT_EQ(inner.released(), FaultInjector::kRxBuffers + 1);
}

// Everything the injector did to a fixed stream of frames, for comparing runs.
std::vector<Buffer> run_mixed(uint64_t seed) {
  FakeDevice inner(kMac);
  FaultRates rates{100, 100, 100, 100};
  FaultInjector faults(inner, seed, rates, rates);
  std::vector<Buffer> trace;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 4; ++i) inner.push_rx(numbered(static_cast<uint8_t>(round * 4 + i)));
    for (Buffer& b : drain(faults)) trace.push_back(std::move(b));
    (void)faults.transmit(view(numbered(static_cast<uint8_t>(round), 80)));
  }
  for (Buffer& b : inner.tx) trace.push_back(std::move(b));
  return trace;
}

TEST(FaultInjector, TheSameSeedReplaysTheSameRun) {
  std::vector<Buffer> first = run_mixed(77);
  EXPECT_EQ(first, run_mixed(77));
  EXPECT_NE(first, run_mixed(78));
}

}  // namespace
}  // namespace mpxe::phy
