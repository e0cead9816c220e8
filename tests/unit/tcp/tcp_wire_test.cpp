// TCP segments and options (src/net/wire/tcp.*) against segments Linux and
// nginx put on the wire (tcp_frames.h), and hostile variations of them.
#include <gtest/gtest.h>

#include "net/wire/tcp.h"
#include "tcp_test_util.h"

namespace mpxe::net {
namespace {

using test::build_segment;
using test::Captured;
using test::repr_of;
using test::segment_of;

const Ipv4Address kClient{{10, 77, 0, 2}};
const Ipv4Address kServer{{10, 77, 0, 1}};

TEST(TcpWire, ParsesLinuxSyn) {
  Captured syn = segment_of(tcp_frames::kExchange[0]);
  EXPECT_EQ(syn.src, kClient);
  EXPECT_EQ(syn.dst, kServer);
  TcpRepr repr = repr_of(syn);
  EXPECT_EQ(repr.flags, tcp_flags::kSyn);
  EXPECT_EQ(repr.dst_port, 80);
  EXPECT_EQ(repr.payload_len, 0u);
  EXPECT_EQ(repr.seq_len(), 1u);
  // Linux offers all four: MSS 1460, SACK-permitted, timestamps, window scale 7.
  EXPECT_TRUE(repr.options.has_mss);
  EXPECT_EQ(repr.options.mss, 1460);
  EXPECT_TRUE(repr.options.sack_permitted);
  EXPECT_TRUE(repr.options.has_timestamps);
  EXPECT_EQ(repr.options.ts_ecr, 0u);
  EXPECT_TRUE(repr.options.has_window_scale);
  EXPECT_EQ(repr.options.sack_count, 0);
}

TEST(TcpWire, SynReemitsByteForByte) {
  // Linux lays SYN options out as emit() does (MSS, SACK-perm, TS, NOP, WS).
  for (size_t i : {0u, 1u}) {
    Captured c = segment_of(tcp_frames::kExchange[i]);
    TcpRepr repr = repr_of(c);
    std::vector<uint8_t> again = build_segment(repr, Bytes(), c.src, c.dst);
    EXPECT_EQ(again, c.tcp) << "frame " << i;
  }
}

TEST(TcpWire, EveryCapturedSegmentRoundTrips) {
  for (const auto& frame : tcp_frames::kExchange) {
    Captured c = segment_of(frame);
    TcpRepr repr = repr_of(c);
    Bytes payload = test::payload_of(c);
    EXPECT_EQ(repr.payload_len, payload.size());
    std::vector<uint8_t> again = build_segment(repr, payload, c.src, c.dst);
    EXPECT_EQ(again, c.tcp);
  }
}

TEST(TcpWire, ServerDataCarriesTheFile) {
  // Frame 5: the first data segment; its payload starts with the status line.
  Captured c = segment_of(tcp_frames::kExchange[5]);
  TcpRepr repr = repr_of(c);
  EXPECT_EQ(repr.payload_len, 1448u);  // MSS 1460 less the 12 bytes of timestamps
  Bytes payload = test::payload_of(c);
  EXPECT_EQ(std::string(payload.begin(), payload.begin() + 15), "HTTP/1.1 200 OK");
}

TEST(TcpWire, RejectsBadChecksumsEverywhere) {
  Captured c = segment_of(tcp_frames::kExchange[5]);
  for (size_t i = 0; i < c.tcp.size(); i += 97) {
    Captured bad = c;
    bad.tcp[i] ^= 0x10;
    auto segment = TcpSegment::check(Bytes(bad.tcp.data(), bad.tcp.size()));
    if (!segment) continue;  // the data offset byte: no longer a segment at all
    auto repr = TcpRepr::parse(segment.value(), bad.src, bad.dst);
    ASSERT_FALSE(repr.ok()) << "byte " << i;
  }
  // The pseudo header counts: the same bytes from another address fail.
  auto segment = TcpSegment::check(Bytes(c.tcp.data(), c.tcp.size()));
  EXPECT_FALSE(TcpRepr::parse(segment.value(), Ipv4Address{{10, 77, 0, 3}}, c.dst).ok());
}

TEST(TcpWire, CheckRejectsBadLengths) {
  Captured c = segment_of(tcp_frames::kExchange[0]);
  EXPECT_EQ(TcpSegment::check(Bytes(c.tcp.data(), 19)).error(), Error(Layer::Tcp, Errc::Truncated));
  std::vector<uint8_t> bytes = c.tcp;
  bytes[12] = 0x40;  // 16-byte header
  EXPECT_EQ(TcpSegment::check(Bytes(bytes.data(), bytes.size())).error(),
            Error(Layer::Tcp, Errc::BadLength));
  bytes[12] = 0xF0;  // 60-byte header in a 40-byte segment
  EXPECT_EQ(TcpSegment::check(Bytes(bytes.data(), bytes.size())).error(),
            Error(Layer::Tcp, Errc::Truncated));
}

TEST(TcpWire, OptionsRejectMalformedLengths) {
  const uint8_t zero_len[] = {2, 0, 0, 0};
  const uint8_t overrun[] = {8, 10, 0, 0};
  const uint8_t bad_mss[] = {2, 3, 5, 1};
  const uint8_t bad_sack[] = {5, 9, 0, 0, 0, 0, 0, 0, 0};
  const uint8_t lone_kind[] = {1, 1, 1, 3};
  for (Bytes area : {Bytes(zero_len), Bytes(overrun), Bytes(bad_mss), Bytes(bad_sack), Bytes(lone_kind)})
    EXPECT_EQ(TcpOptions::parse(area).error(), Error(Layer::Tcp, Errc::BadOption));
}

TEST(TcpWire, OptionsSkipUnknownAndStopAtEnd) {
  // An unknown kind 30 of length 4, MSS, End, then garbage that is not read.
  const uint8_t area[] = {30, 4, 1, 2, 2, 4, 0x05, 0xb4, 0, 0xff, 0xff, 0xff};
  auto options = TcpOptions::parse(Bytes(area));
  ASSERT_TRUE(options);
  EXPECT_TRUE(options.value().has_mss);
  EXPECT_EQ(options.value().mss, 1460);
}

TEST(TcpWire, SackBlocksRoundTrip) {
  TcpOptions options;
  options.has_timestamps = true;
  options.ts_val = 0x01020304;
  options.ts_ecr = 0xA0B0C0D0;
  options.sack_count = 3;
  options.sack[0] = {0xFFFFFF00u, 0x00000100u};  // wraps
  options.sack[1] = {1000, 2000};
  options.sack[2] = {3000, 4000};
  EXPECT_EQ(options.buffer_len(), 40u);
  uint8_t out[40];
  auto len = options.emit(MutableBytes(out));
  ASSERT_TRUE(len);
  auto back = TcpOptions::parse(Bytes(out, len.value()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), options);
  // A fourth block does not fit beside timestamps.
  options.sack_count = 4;
  EXPECT_FALSE(options.emit(MutableBytes(out)).ok());
}

TEST(TcpWire, SequenceComparisonsWrap) {
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xFFFFFFF0u));
  EXPECT_EQ(seq_diff(0x10u, 0xFFFFFFF0u), 0x20);
  EXPECT_TRUE(seq_le(5u, 5u));
  EXPECT_FALSE(seq_lt(5u, 5u));
}

}  // namespace
}  // namespace mpxe::net
