#include "net/wire/ipv4.h"

#include <gtest/gtest.h>

#include "frames.h"
#include "net/wire/checksum.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::to_buffer;
using test::view;

Buffer echo_request_ip() { return to_buffer(test::ipv4_of(frame(frames::kIcmpEchoRequest))); }

// Rewrites the header checksum after a test has changed a field.
void fix_checksum(Buffer& ip) {
  size_t hl = (ip[0] & 0x0F) * 4;
  store_be16(&ip[10], 0);
  store_be16(&ip[10], internet_checksum(Bytes(ip.data(), hl)));
}

TEST(Ipv4, ParsesACapturedHeader) {
  Buffer ip = echo_request_ip();
  auto packet = Ipv4Packet::check(view(ip));
  ASSERT_TRUE(packet);
  const Ipv4Packet& p = packet.value();
  EXPECT_EQ(p.version(), 4);
  EXPECT_EQ(p.header_len(), 20u);
  EXPECT_EQ(p.total_len(), 45);
  EXPECT_TRUE(p.dont_fragment());
  EXPECT_FALSE(p.more_fragments());
  EXPECT_EQ(p.fragment_offset(), 0);
  EXPECT_EQ(p.ttl(), 64);
  EXPECT_EQ(p.protocol(), 1);
  EXPECT_TRUE(p.verify_checksum());
  EXPECT_EQ(p.payload().size(), 25u);
  EXPECT_TRUE(p.options().empty());

  auto repr = Ipv4Repr::parse(p);
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().src, Ipv4Address::of(10, 77, 0, 2));
  EXPECT_EQ(repr.value().dst, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(repr.value().protocol, static_cast<uint8_t>(IpProtocol::Icmp));
  EXPECT_EQ(repr.value().payload_len, 25);
  EXPECT_EQ(repr.value().ident, p.ident());
}

TEST(Ipv4, HeadersRoundTripToTheSameBytes) {
  for (Bytes captured :
       {frame(frames::kIcmpEchoRequest), frame(frames::kIcmpEchoReply),
        frame(frames::kIcmpPortUnreachable), frame(frames::kDhcpDiscover),
        frame(frames::kDhcpOffer), frame(frames::kDnsResponse), frame(frames::kTftpDataAtftpd)}) {
    Bytes ip = test::ipv4_of(captured);
    auto repr = Ipv4Repr::parse(Ipv4Packet::check(ip).value());
    ASSERT_TRUE(repr);
    Buffer out(Ipv4Repr::buffer_len());
    ASSERT_TRUE(repr.value().emit(mut(out)));
    EXPECT_EQ(out, to_buffer(ip.first(20)));
  }
}

TEST(Ipv4, DropsEthernetPaddingPastTheTotalLength) {
  Buffer padded = echo_request_ip();
  padded.resize(46, 0);  // the echo request in a 60-byte frame would carry one byte
  padded.resize(46 + 15, 0xA5);
  auto packet = Ipv4Packet::check(view(padded));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet.value().payload().size(), 25u);
}

TEST(Ipv4, SkipsOptions) {
  // The echo request with a 4-byte option (NOP NOP NOP EOL) in its header.
  Buffer plain = echo_request_ip();
  Buffer ip(plain.begin(), plain.begin() + 20);
  ip.insert(ip.end(), {1, 1, 1, 0});
  ip.insert(ip.end(), plain.begin() + 20, plain.end());
  ip[0] = 0x46;
  store_be16(&ip[2], static_cast<uint16_t>(ip.size()));
  fix_checksum(ip);
  auto packet = Ipv4Packet::check(view(ip));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet.value().header_len(), 24u);
  EXPECT_EQ(packet.value().options().size(), 4u);
  EXPECT_EQ(to_buffer(packet.value().payload()), Buffer(plain.begin() + 20, plain.end()));
  auto repr = Ipv4Repr::parse(packet.value());
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().payload_len, 25);
}

TEST(Ipv4, DescribesFragments) {
  Buffer ip = echo_request_ip();
  store_be16(&ip[6], 0x2000 | 185);  // MF, offset 185 * 8
  fix_checksum(ip);
  auto repr = Ipv4Repr::parse(Ipv4Packet::check(view(ip)).value()).value();
  EXPECT_TRUE(repr.more_fragments);
  EXPECT_FALSE(repr.dont_fragment);
  EXPECT_EQ(repr.fragment_offset, 1480);
  Buffer out(20);
  ASSERT_TRUE(repr.emit(mut(out)));
  EXPECT_EQ(out, Buffer(ip.begin(), ip.begin() + 20));
}

TEST(Ipv4, RejectsEveryLengthThatPointsOutOfBounds) {
  Buffer ip = echo_request_ip();
  EXPECT_FAILS(Ipv4Packet::check(view(ip).first(19)), Layer::Ipv4, Errc::Truncated);
  EXPECT_FAILS(Ipv4Packet::check(view(ip).first(44)), Layer::Ipv4, Errc::Truncated);

  Buffer v6 = ip;
  v6[0] = 0x65;
  EXPECT_FAILS(Ipv4Packet::check(view(v6)), Layer::Ipv4, Errc::BadVersion);

  for (uint8_t ihl : {0, 1, 4}) {  // under the 20-byte minimum
    Buffer bad = ip;
    bad[0] = 0x40 | ihl;
    EXPECT_FAILS(Ipv4Packet::check(view(bad)), Layer::Ipv4, Errc::BadLength) << int{ihl};
  }
  Buffer long_header = ip;
  long_header[0] = 0x4F;  // 60 bytes of header in a 45-byte packet
  EXPECT_FAILS(Ipv4Packet::check(view(long_header)), Layer::Ipv4, Errc::Truncated);

  Buffer short_total = ip;
  store_be16(&short_total[2], 19);  // total length inside the header
  EXPECT_FAILS(Ipv4Packet::check(view(short_total)), Layer::Ipv4, Errc::BadLength);

  Buffer long_total = ip;
  store_be16(&long_total[2], 46);
  EXPECT_FAILS(Ipv4Packet::check(view(long_total)), Layer::Ipv4, Errc::Truncated);
  store_be16(&long_total[2], 0xFFFF);
  EXPECT_FAILS(Ipv4Packet::check(view(long_total)), Layer::Ipv4, Errc::Truncated);
}

TEST(Ipv4, RejectsABadChecksum) {
  Buffer ip = echo_request_ip();
  ip[8] = 63;  // TTL changed, checksum not
  auto packet = Ipv4Packet::check(view(ip));
  ASSERT_TRUE(packet);
  EXPECT_FALSE(packet.value().verify_checksum());
  EXPECT_FAILS(Ipv4Repr::parse(packet.value()), Layer::Ipv4, Errc::BadChecksum);
}

TEST(Ipv4, QuotedHeadersMayDescribeMoreThanIsThere) {
  Buffer ip = echo_request_ip();
  Buffer quoted(ip.begin(), ip.begin() + 28);  // header + 64 bits
  EXPECT_FAILS(Ipv4Packet::check(view(quoted)), Layer::Ipv4, Errc::Truncated);
  auto packet = Ipv4Packet::check_quoted(view(quoted));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet.value().total_len(), 45);
  EXPECT_EQ(packet.value().payload().size(), 8u);
  EXPECT_FAILS(Ipv4Packet::check_quoted(view(quoted).first(19)), Layer::Ipv4, Errc::Truncated);
}

TEST(Ipv4, EmitRefusesWhatCannotBeSent) {
  Ipv4Repr repr;
  Buffer out(20);
  Buffer small(19);
  EXPECT_FAILS(repr.emit(mut(small)), Layer::Ipv4, Errc::NoSpace);
  repr.payload_len = 65516;
  EXPECT_FAILS(repr.emit(mut(out)), Layer::Ipv4, Errc::BadLength);
  repr.payload_len = 65515;
  EXPECT_TRUE(repr.emit(mut(out)));
  repr.fragment_offset = 12;  // not a multiple of 8
  EXPECT_FAILS(repr.emit(mut(out)), Layer::Ipv4, Errc::BadValue);
}

}  // namespace
}  // namespace mpxe::net
