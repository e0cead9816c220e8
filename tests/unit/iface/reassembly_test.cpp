#include "net/iface/reassembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "iface_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::view;

const Ipv4Address kSrc = Ipv4Address::of(10, 77, 0, 1);
const Ipv4Address kDst = Ipv4Address::of(10, 77, 0, 2);

// A reassembler over `slots` buffers of `size` bytes each, owning them.
struct Fixture {
  explicit Fixture(size_t slots = Reassembler::kMaxSlots, size_t size = Reassembler::kMaxPayload)
      : storage(slots, Buffer(size)), spans(make_spans(storage)),
        reassembler(Span<const MutableBytes>(spans.data(), spans.size())) {}
  static std::vector<MutableBytes> make_spans(std::vector<Buffer>& storage) {
    std::vector<MutableBytes> spans;
    for (Buffer& b : storage) spans.emplace_back(b.data(), b.size());
    return spans;
  }
  std::vector<Buffer> storage;
  std::vector<MutableBytes> spans;
  Reassembler reassembler;
};

Buffer pattern(size_t n, uint8_t seed = 0) {
  Buffer b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + seed);
  return b;
}

Ipv4Repr fragment(uint16_t ident, size_t offset, size_t len, bool more) {
  Ipv4Repr ip;
  ip.src = kSrc;
  ip.dst = kDst;
  ip.protocol = static_cast<uint8_t>(IpProtocol::Udp);
  ip.ident = ident;
  ip.fragment_offset = static_cast<uint16_t>(offset);
  ip.more_fragments = more;
  ip.payload_len = static_cast<uint16_t>(len);
  return ip;
}

// Adds [offset, offset+len) of `data` as one fragment.
Result<Reassembler::Datagram> add(Reassembler& r, const Buffer& data, size_t offset, size_t len,
                                  Millis now = 0, uint16_t ident = 1) {
  bool more = offset + len < data.size();
  return r.add(fragment(ident, offset, len, more), view(data).subspan(offset, len), now);
}

void expect_complete(const Result<Reassembler::Datagram>& result, const Buffer& data) {
  ASSERT_TRUE(result.ok());
  ASSERT_TRUE(result.value().complete);
  EXPECT_EQ(test::to_buffer(result.value().payload), data);
  EXPECT_EQ(result.value().header.payload_len, data.size());
  EXPECT_FALSE(result.value().header.more_fragments);
  EXPECT_EQ(result.value().header.fragment_offset, 0);
  EXPECT_EQ(result.value().header.src, kSrc);
}

TEST(Reassembly, InOrder) {
  Fixture f;
  Buffer data = pattern(3000);
  auto r1 = add(f.reassembler, data, 0, 1480);
  ASSERT_TRUE(r1);
  EXPECT_FALSE(r1.value().complete);
  auto r2 = add(f.reassembler, data, 1480, 1480);
  ASSERT_TRUE(r2);
  EXPECT_FALSE(r2.value().complete);
  expect_complete(add(f.reassembler, data, 2960, 40), data);
  EXPECT_EQ(f.reassembler.in_use(), 0u);
  EXPECT_EQ(f.reassembler.stats().completed, 1u);
}

TEST(Reassembly, OutOfOrderLastFirst) {
  Fixture f;
  Buffer data = pattern(3000, 3);
  ASSERT_FALSE(add(f.reassembler, data, 2960, 40).value().complete);
  ASSERT_FALSE(add(f.reassembler, data, 0, 1480).value().complete);
  expect_complete(add(f.reassembler, data, 1480, 1480), data);
}

TEST(Reassembly, LargestDatagramInShuffledFragments) {
  // 65515 bytes (the most an IPv4 datagram carries) in 1480-byte fragments, in a
  // fixed scrambled order: what TFTP with blksize 65464 produces.
  Fixture f;
  Buffer data = pattern(Reassembler::kMaxPayload, 9);
  std::vector<size_t> offsets;
  for (size_t off = 0; off < data.size(); off += 1480) offsets.push_back(off);
  for (size_t i = 0; i < offsets.size(); ++i) std::swap(offsets[i], offsets[(i * 17 + 5) % offsets.size()]);
  Result<Reassembler::Datagram> last = Reassembler::Datagram{};
  for (size_t k = 0; k < offsets.size(); ++k) {
    size_t len = std::min<size_t>(1480, data.size() - offsets[k]);
    last = add(f.reassembler, data, offsets[k], len);
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last.value().complete, k + 1 == offsets.size());
  }
  expect_complete(last, data);
}

TEST(Reassembly, ExactDuplicateIsIgnoredAndTheDatagramKept) {
  Fixture f;
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 0, 1000));
  auto dup = add(f.reassembler, data, 0, 1000);
  ASSERT_TRUE(dup);
  EXPECT_FALSE(dup.value().complete);
  EXPECT_EQ(f.reassembler.stats().duplicates, 1u);
  expect_complete(add(f.reassembler, data, 1000, 1000), data);
}

TEST(Reassembly, OverlapWithOtherBytesDiscardsTheDatagram) {
  Fixture f;
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 0, 1000));
  // Same range, different bytes: the classic filter-evasion overlap.
  Buffer evil = data;
  evil[8] ^= 0xFF;
  EXPECT_FAILS(add(f.reassembler, evil, 0, 1000), Layer::Ipv4, Errc::Overlap);
  EXPECT_EQ(f.reassembler.in_use(), 0u);
  // The datagram is gone: the rest alone does not complete it.
  auto rest = add(f.reassembler, data, 1000, 1000);
  ASSERT_TRUE(rest);
  EXPECT_FALSE(rest.value().complete);
}

TEST(Reassembly, PartialOverlapDiscardsTheDatagram) {
  Fixture f;
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 0, 1000));
  // Starts inside the first fragment and runs past it (same bytes, still refused).
  EXPECT_FAILS(add(f.reassembler, data, 992, 16), Layer::Ipv4, Errc::Overlap);
  EXPECT_EQ(f.reassembler.stats().refused, 1u);
  EXPECT_EQ(f.reassembler.in_use(), 0u);
}

TEST(Reassembly, BogusFragmentsAreRefusedWithAReason) {
  Fixture f;
  Buffer data = pattern(2000);
  // A middle fragment whose length is not a multiple of 8.
  EXPECT_FAILS(f.reassembler.add(fragment(1, 0, 1001, true), view(data).first(1001), 0),
               Layer::Ipv4, Errc::BadLength);
  // An empty fragment.
  EXPECT_FAILS(f.reassembler.add(fragment(1, 8, 0, true), Bytes(), 0), Layer::Ipv4,
               Errc::BadLength);
  // Past 65535: the ping of death.
  EXPECT_FAILS(f.reassembler.add(fragment(1, 65528, 16, false), view(data).first(16), 0),
               Layer::Ipv4, Errc::BadLength);
  EXPECT_EQ(f.reassembler.in_use(), 0u);
}

TEST(Reassembly, ContradictoryEndsDiscardTheDatagram) {
  Fixture f;
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 1000, 1000));  // last: the end is 2000
  EXPECT_FAILS(f.reassembler.add(fragment(1, 1000, 504, false), view(data).subspan(1000, 504), 0),
               Layer::Ipv4, Errc::BadValue);
  EXPECT_EQ(f.reassembler.in_use(), 0u);

  // Data held past an end announced later.
  ASSERT_TRUE(f.reassembler.add(fragment(3, 1600, 200, true), view(data).subspan(1600, 200), 0));
  EXPECT_FAILS(f.reassembler.add(fragment(3, 800, 8, false), view(data).subspan(800, 8), 0),
               Layer::Ipv4, Errc::BadValue);

  // A fragment that says more follow but reaches the known end.
  ASSERT_TRUE(f.reassembler.add(fragment(4, 1000, 1000, false), view(data).subspan(1000, 1000), 0));
  EXPECT_FAILS(f.reassembler.add(fragment(4, 0, 2000, true), view(data), 0), Layer::Ipv4,
               Errc::BadValue);
}

TEST(Reassembly, TimesOutIncompleteDatagrams) {
  Fixture f;
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 0, 1000, 100));
  EXPECT_EQ(f.reassembler.next_deadline(), 100 + Reassembler::kTimeout);
  EXPECT_EQ(f.reassembler.expire(100 + Reassembler::kTimeout - 1), 0u);
  EXPECT_EQ(f.reassembler.expire(100 + Reassembler::kTimeout), 1u);
  EXPECT_EQ(f.reassembler.next_deadline(), kNever);
  EXPECT_EQ(f.reassembler.stats().timed_out, 1u);
  // The second half alone, later, starts a new datagram that cannot complete.
  auto late = add(f.reassembler, data, 1000, 1000, 100 + Reassembler::kTimeout);
  ASSERT_TRUE(late);
  EXPECT_FALSE(late.value().complete);
}

TEST(Reassembly, TimeoutAlsoAppliesInsideAdd) {
  Fixture f(1);
  Buffer data = pattern(2000);
  ASSERT_TRUE(add(f.reassembler, data, 0, 1000, 0, 1));
  // The only slot is busy, but its datagram has timed out by now.
  EXPECT_TRUE(add(f.reassembler, data, 0, 1000, Reassembler::kTimeout, 2));
  EXPECT_EQ(f.reassembler.stats().timed_out, 1u);
}

TEST(Reassembly, TooManyDatagramsAtOnce) {
  Fixture f;
  Buffer data = pattern(2000);
  for (uint16_t ident = 1; ident <= Reassembler::kMaxSlots; ++ident)
    ASSERT_TRUE(add(f.reassembler, data, 0, 1000, 0, ident));
  EXPECT_EQ(f.reassembler.in_use(), Reassembler::kMaxSlots);
  EXPECT_FAILS(add(f.reassembler, data, 0, 1000, 0, 99), Layer::Ipv4, Errc::Exhausted);
  // The ones held still complete.
  expect_complete(add(f.reassembler, data, 1000, 1000, 0, 2), data);
  // And a slot is free again.
  EXPECT_TRUE(add(f.reassembler, data, 0, 1000, 0, 99));
}

TEST(Reassembly, DatagramLargerThanTheBufferIsRefused) {
  Fixture f(2, 4096);
  Buffer data = pattern(8192);
  ASSERT_TRUE(add(f.reassembler, data, 0, 2048));
  EXPECT_FAILS(add(f.reassembler, data, 4000, 192), Layer::Ipv4, Errc::TooBig);
  EXPECT_EQ(f.reassembler.in_use(), 0u);
}

TEST(Reassembly, DifferentKeysAreDifferentDatagrams) {
  Fixture f;
  Buffer a = pattern(1600, 1), b = pattern(1600, 2);
  Ipv4Repr other = fragment(1, 0, 800, true);
  other.protocol = static_cast<uint8_t>(IpProtocol::Icmp);  // same ident, other protocol
  ASSERT_TRUE(add(f.reassembler, a, 0, 800));
  ASSERT_TRUE(f.reassembler.add(other, view(b).first(800), 0));
  EXPECT_EQ(f.reassembler.in_use(), 2u);
  expect_complete(add(f.reassembler, a, 800, 800), a);
}

TEST(Reassembly, ExtraBuffersBeyondTheSlotLimitAreIgnored) {
  Fixture f(Reassembler::kMaxSlots + 2, 64);
  EXPECT_EQ(f.reassembler.slots(), Reassembler::kMaxSlots);
}

}  // namespace
}  // namespace mpxe::net
