#include "net/wire/checksum.h"

#include <gtest/gtest.h>

#include <random>

#include "frames.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::view;

// RFC 1071 3. "Numerical Examples": bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2.
const uint8_t kRfc1071Example[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

TEST(Checksum, MatchesTheRfc1071Example) {
  Checksum sum;
  sum.add(Bytes(kRfc1071Example));
  EXPECT_EQ(sum.sum(), 0xddf2);
  EXPECT_EQ(sum.finish(), 0x220d);
  EXPECT_EQ(internet_checksum(Bytes(kRfc1071Example)), 0x220d);
}

TEST(Checksum, PadsAnOddLastByteWithZero) {
  const uint8_t odd[] = {0x12, 0x34, 0x56};
  Checksum sum;
  sum.add(Bytes(odd));
  EXPECT_EQ(sum.sum(), 0x1234 + 0x5600);
  EXPECT_EQ(internet_checksum(Bytes()), 0xFFFF);
}

TEST(Checksum, PiecesOfAnyLengthSumLikeTheWhole) {
  std::mt19937 rng(1071);
  Buffer data(301);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  Checksum whole;
  whole.add(view(data));
  for (size_t cut1 = 0; cut1 <= data.size(); cut1 += 7) {
    for (size_t cut2 = cut1; cut2 <= data.size(); cut2 += 13) {
      Checksum pieces;
      pieces.add(view(data).subspan(0, cut1));
      pieces.add(view(data).subspan(cut1, cut2 - cut1));
      pieces.add(view(data).subspan(cut2));
      ASSERT_EQ(pieces.sum(), whole.sum()) << cut1 << " " << cut2;
    }
  }
}

TEST(Checksum, WordsAddedAfterAnOddPieceLandInPlace) {
  const uint8_t bytes[] = {0xab, 0x12, 0x34, 0xcd};
  Checksum pieces;
  pieces.add(Bytes(bytes, 1));
  pieces.add_u16(0x1234);
  pieces.add(Bytes(bytes + 3, 1));
  Checksum whole;
  whole.add(Bytes(bytes));
  EXPECT_EQ(pieces.sum(), whole.sum());
}

TEST(Checksum, CombinesSeparateSumsEvenAcrossAnOddBoundary) {
  std::mt19937 rng(768);
  Buffer data(64);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  Checksum whole;
  whole.add(view(data));
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    Checksum first, second;
    first.add(view(data).first(cut));
    second.add(view(data).subspan(cut));
    EXPECT_EQ(checksum_combine(first.sum(), second.sum(), cut), whole.sum()) << cut;
  }
}

TEST(Checksum, VerifiesACapturedIpv4Header) {
  Bytes ip = test::ipv4_of(frame(frames::kIcmpEchoReply));
  EXPECT_EQ(internet_checksum(ip.first(20)), 0);
}

TEST(Checksum, PseudoHeaderSumCoversACapturedUdpDatagram) {
  auto ip = Ipv4Packet::check(test::ipv4_of(frame(frames::kDnsResponse))).value();
  Bytes udp = ip.payload();
  Checksum sum;
  sum.add_u16(ipv4_pseudo_header_sum(ip.src(), ip.dst(), 17, static_cast<uint16_t>(udp.size())));
  sum.add(udp);
  EXPECT_EQ(sum.sum(), 0xFFFF);
  // By hand: 10.77.0.1 + 10.77.0.2 + 17 + length.
  uint32_t expect = 0x0a4d + 0x0001 + 0x0a4d + 0x0002 + 17 + udp.size();
  EXPECT_EQ(ipv4_pseudo_header_sum(ip.src(), ip.dst(), 17, static_cast<uint16_t>(udp.size())),
            checksum_fold(expect));
}

TEST(Checksum, AdjustsForAChangedWordAsRfc1624Says) {
  Buffer header = test::to_buffer(test::ipv4_of(frame(frames::kIcmpEchoRequest)).first(20));
  uint16_t old_word = load_be16(&header[8]);  // TTL and protocol
  uint16_t old_checksum = load_be16(&header[10]);
  header[8] -= 1;  // a router decrements the TTL
  uint16_t new_word = load_be16(&header[8]);
  store_be16(&header[10], 0);
  uint16_t recomputed = internet_checksum(view(header));
  EXPECT_EQ(checksum_adjust(old_checksum, old_word, new_word), recomputed);
}

TEST(Checksum, FoldsCarriesEndAround) {
  EXPECT_EQ(checksum_fold(0x1FFFE), 0xFFFF);
  EXPECT_EQ(checksum_fold(0xFFFFFFFFull), 0xFFFF);
  EXPECT_EQ(checksum_fold(0x12345), 0x2346);
}

}  // namespace
}  // namespace mpxe::net
