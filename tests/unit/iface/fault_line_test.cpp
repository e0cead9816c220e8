#include "phy/fault_line.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "iface_test_util.h"
#include "phy/fault_injector.h"

namespace mpxe::phy {
namespace {

using net::test::Buffer;
using net::test::FakeDevice;
using net::test::view;

const net::MacAddress kMac{{0x02, 0, 0, 0, 0, 2}};

// Frame i: every byte i (so a frame says which it is).
Buffer numbered(uint8_t i, size_t size = 64) { return Buffer(size, i); }

size_t bits_different(const Buffer& a, const Buffer& b) {
  size_t n = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) n += __builtin_popcount(a[i] ^ b[i]);
  return n;
}

// A FaultLine with buffers of its own, as mpxe-relay keeps them (9 KiB frames).
struct Line {
  explicit Line(uint64_t seed, FaultRates rates, size_t buffer = 9216)
      : hold(buffer), scratch(buffer),
        line(seed, rates, MutableBytes(hold.data(), hold.size()),
             MutableBytes(scratch.data(), scratch.size())) {}
  std::vector<uint8_t> hold, scratch;
  FaultLine line;
};

TEST(FaultLine, ZeroRatesPassEveryFrameOnceInOrder) {
  FakeDevice out(kMac);
  Line l(1, {});
  for (uint8_t i = 0; i < 20; ++i) EXPECT_TRUE(l.line.pass(view(numbered(i)), out));
  ASSERT_EQ(out.tx.size(), 20u);
  for (uint8_t i = 0; i < 20; ++i) EXPECT_EQ(out.tx[i], numbered(i));
  EXPECT_EQ(l.line.counters().frames, 20u);
  EXPECT_FALSE(l.line.holding());
}

TEST(FaultLine, AHeldFrameLeavesAfterItsNeighbourOrWhenReleased) {
  FakeDevice out(kMac);
  Line l(3, {0, 0, 1000, 0});
  ASSERT_TRUE(l.line.pass(view(numbered(1)), out));
  EXPECT_TRUE(out.tx.empty());
  EXPECT_TRUE(l.line.holding());
  // 2 is drawn for reordering too, but one frame is held at a time: 2 goes, then 1.
  ASSERT_TRUE(l.line.pass(view(numbered(2)), out));
  ASSERT_EQ(out.tx.size(), 2u);
  EXPECT_EQ(out.tx[0], numbered(2));
  EXPECT_EQ(out.tx[1], numbered(1));
  EXPECT_EQ(l.line.counters().reordered, 1u);
  // No neighbour comes for 3: the owner's timer sends it, not counted as reordered.
  ASSERT_TRUE(l.line.pass(view(numbered(3)), out));
  EXPECT_EQ(out.tx.size(), 2u);
  EXPECT_TRUE(l.line.release_held(out));
  ASSERT_EQ(out.tx.size(), 3u);
  EXPECT_EQ(out.tx[2], numbered(3));
  EXPECT_FALSE(l.line.holding());
  EXPECT_EQ(l.line.counters().reordered, 1u);
  EXPECT_TRUE(l.line.release_held(out)) << "nothing held: nothing sent";
  EXPECT_EQ(out.tx.size(), 3u);
}

TEST(FaultLine, AHeldFrameTheDeviceRefusesStaysHeld) {
  FakeDevice out(kMac);
  Line l(3, {0, 0, 1000, 0});
  ASSERT_TRUE(l.line.pass(view(numbered(1)), out));
  out.tx_full = true;
  EXPECT_FALSE(l.line.release_held(out));
  EXPECT_TRUE(l.line.holding());
  EXPECT_FALSE(l.line.pass(view(numbered(2)), out)) << "the device's refusal is the caller's";
  out.tx_full = false;
  EXPECT_TRUE(l.line.release_held(out));
  ASSERT_EQ(out.tx.size(), 1u);
  EXPECT_EQ(out.tx[0], numbered(1));
}

TEST(FaultLine, JumboFramesAreHarmedWithBuffersLargeEnough) {
  FakeDevice out(kMac);
  Line corrupt(5, {0, 0, 0, 1000});
  Buffer jumbo = numbered(7, 9014);
  ASSERT_TRUE(corrupt.line.pass(view(jumbo), out));
  ASSERT_EQ(out.tx.size(), 1u);
  EXPECT_EQ(out.tx[0].size(), jumbo.size());
  EXPECT_EQ(bits_different(out.tx[0], jumbo), 1u);
  EXPECT_EQ(jumbo, numbered(7, 9014)) << "the caller's bytes are never touched";
  EXPECT_EQ(corrupt.line.counters().corrupted, 1u);

  Line reorder(5, {0, 0, 1000, 0});
  out.tx.clear();
  ASSERT_TRUE(reorder.line.pass(view(numbered(1, 9014)), out));
  ASSERT_TRUE(reorder.line.pass(view(numbered(2, 60)), out));
  ASSERT_EQ(out.tx.size(), 2u);
  EXPECT_EQ(out.tx[1], numbered(1, 9014));
}

TEST(FaultLine, FramesLargerThanItsBuffersPassUnharmed) {
  FakeDevice out(kMac);
  Line l(5, {0, 0, 1000, 1000}, 1536);
  Buffer big = numbered(4, 1537);
  ASSERT_TRUE(l.line.pass(view(big), out));
  ASSERT_EQ(out.tx.size(), 1u);
  EXPECT_EQ(out.tx[0], big);
  EXPECT_FALSE(l.line.holding());
  EXPECT_EQ(l.line.counters().skipped, 2u);  // neither corrupted nor held
}

TEST(FaultLine, AFrameMarkedNotToCorruptMeetsTheOtherFaultsForTheSameDraws) {
  FakeDevice marked_out(kMac), plain_out(kMac);
  FaultRates rates{0, 1000, 0, 1000};
  Line marked(8, rates), plain(8, rates);
  ASSERT_TRUE(marked.line.pass(view(numbered(1)), marked_out, false));
  ASSERT_TRUE(plain.line.pass(view(numbered(1)), plain_out));
  ASSERT_EQ(marked_out.tx.size(), 2u);  // duplicated, not corrupted
  EXPECT_EQ(marked_out.tx[0], numbered(1));
  EXPECT_EQ(marked_out.tx[1], numbered(1));
  EXPECT_EQ(marked.line.counters().spared, 1u);
  EXPECT_EQ(marked.line.counters().corrupted, 0u);
  EXPECT_EQ(bits_different(plain_out.tx[0], numbered(1)), 1u);
  // The next frame's decision is the same on both lines: the streams did not drift.
  ASSERT_TRUE(marked.line.pass(view(numbered(2)), marked_out));
  ASSERT_TRUE(plain.line.pass(view(numbered(2)), plain_out));
  EXPECT_EQ(marked_out.tx[2], plain_out.tx[2]);
}

TEST(FaultLine, OnlyIpFramesAreCheckedByTheirReceiver) {
  auto frame = [](std::vector<uint8_t> type) {
    Buffer f(12, 0xAA);
    f.insert(f.end(), type.begin(), type.end());
    f.resize(std::max<size_t>(f.size(), 60), 0);
    return f;
  };
  EXPECT_TRUE(receiver_checks(view(frame({0x08, 0x00}))));
  EXPECT_TRUE(receiver_checks(view(frame({0x86, 0xDD}))));
  EXPECT_TRUE(receiver_checks(view(frame({0x81, 0x00, 0x00, 0x07, 0x08, 0x00}))));
  EXPECT_FALSE(receiver_checks(view(frame({0x08, 0x06}))));  // ARP
  EXPECT_FALSE(receiver_checks(view(frame({0x81, 0x00, 0x00, 0x07, 0x08, 0x06}))));
  EXPECT_FALSE(receiver_checks(view(Buffer(13, 0x08))));  // no room for a type
}

TEST(FaultLine, DuplicatesAndDropsAtTheirRates) {
  FakeDevice out(kMac);
  Line l(2024, {100, 50, 0, 0});
  const int n = 5000;
  for (int i = 0; i < n; ++i)
    ASSERT_TRUE(l.line.pass(view(numbered(static_cast<uint8_t>(i))), out));
  const FaultCounters& c = l.line.counters();
  // 10% and 5% (of the frames not dropped), within about 3 standard deviations.
  EXPECT_NEAR(static_cast<double>(c.dropped), 500, 65);
  EXPECT_NEAR(static_cast<double>(c.duplicated), 225, 45);
  EXPECT_EQ(out.tx.size(), n - c.dropped + c.duplicated);
}

// What one line sends for a fixed stream of frames, whatever the rates.
std::vector<Buffer> run(FaultLine& line) {
  FakeDevice out(kMac);
  for (int i = 0; i < 300; ++i)
    (void)line.pass(view(numbered(static_cast<uint8_t>(i), 60 + i)), out);
  (void)line.release_held(out);
  return out.tx;
}

TEST(FaultLine, IsTheFaultInjectorsTransmitSideDrawForDraw) {
  FaultRates rates{100, 100, 100, 100};
  Line line(FaultInjector::tx_seed(99), rates, FaultInjector::kBufferSize);
  FakeDevice inner(kMac);
  FaultInjector injector(inner, 99, {}, rates);
  for (int i = 0; i < 300; ++i)
    (void)injector.transmit(view(numbered(static_cast<uint8_t>(i), 60 + i)));
  RxFrame idle;
  EXPECT_FALSE(injector.receive(idle));  // idle: the held frame goes out
  EXPECT_EQ(run(line.line), inner.tx);
  EXPECT_EQ(line.line.counters().dropped, injector.tx_counters().dropped);

  Line again(FaultInjector::tx_seed(99), rates, FaultInjector::kBufferSize);
  Line other(FaultInjector::tx_seed(98), rates, FaultInjector::kBufferSize);
  EXPECT_NE(run(other.line), run(again.line));
}

}  // namespace
}  // namespace mpxe::phy
