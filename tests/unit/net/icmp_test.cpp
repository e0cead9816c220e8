#include "net/wire/icmp.h"

#include <gtest/gtest.h>

#include "frames.h"
#include "net/wire/checksum.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::str;
using test::to_buffer;
using test::view;

Result<IcmpRepr> parse(Bytes bytes) {
  auto packet = IcmpPacket::check(bytes);
  if (!packet) return packet.error();
  return IcmpRepr::parse(packet.value());
}

void fix_checksum(Buffer& icmp) {
  store_be16(&icmp[2], 0);
  store_be16(&icmp[2], internet_checksum(view(icmp)));
}

TEST(Icmp, ParsesACapturedEchoRequest) {
  auto repr = parse(test::l4_of(frame(frames::kIcmpEchoRequest)));
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().type, IcmpType::EchoRequest);
  EXPECT_EQ(repr.value().code, 0);
  EXPECT_EQ(repr.value().ident, 0x6d70);
  EXPECT_EQ(repr.value().seq_no, 1);
  EXPECT_EQ(str(repr.value().data), "mpxe echo payload");
}

TEST(Icmp, BuildsTheEchoReplyTheServerSent) {
  IcmpRepr reply = parse(test::l4_of(frame(frames::kIcmpEchoRequest))).value();
  reply.type = IcmpType::EchoReply;
  Buffer out(reply.buffer_len());
  ASSERT_TRUE(reply.emit(mut(out)));
  EXPECT_EQ(out, to_buffer(test::l4_of(frame(frames::kIcmpEchoReply))));
}

TEST(Icmp, BuildsAnEchoReplyInPlace) {
  Buffer message = to_buffer(test::l4_of(frame(frames::kIcmpEchoRequest)));
  IcmpRepr reply = parse(view(message)).value();  // data points into `message`
  reply.type = IcmpType::EchoReply;
  ASSERT_TRUE(reply.emit(mut(message)));
  EXPECT_EQ(message, to_buffer(test::l4_of(frame(frames::kIcmpEchoReply))));
}

TEST(Icmp, ParsesACapturedPortUnreachableWithItsQuotedDatagram) {
  auto repr = parse(test::l4_of(frame(frames::kIcmpPortUnreachable)));
  ASSERT_TRUE(repr);
  const IcmpRepr& r = repr.value();
  EXPECT_EQ(r.type, IcmpType::DstUnreachable);
  EXPECT_EQ(r.code, static_cast<uint8_t>(IcmpUnreachable::Port));
  EXPECT_EQ(r.quoted_header.src, Ipv4Address::of(10, 77, 0, 2));
  EXPECT_EQ(r.quoted_header.dst, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(r.quoted_header.protocol, static_cast<uint8_t>(IpProtocol::Udp));
  ASSERT_GE(r.data.size(), 8u);
  EXPECT_EQ(load_be16(r.data.data() + 2), 9);  // the UDP destination port
  EXPECT_EQ(str(r.data.subspan(8)), "closed port");
}

TEST(Icmp, RoundTripsToTheSameBytes) {
  for (Bytes captured : {frame(frames::kIcmpEchoRequest), frame(frames::kIcmpEchoReply),
                         frame(frames::kIcmpPortUnreachable)}) {
    Bytes icmp = test::l4_of(captured);
    auto repr = parse(icmp);
    ASSERT_TRUE(repr);
    Buffer out(repr.value().buffer_len());
    ASSERT_TRUE(repr.value().emit(mut(out)));
    EXPECT_EQ(out, to_buffer(icmp));
  }
}

TEST(Icmp, CarriesTheNextHopMtuOfFragmentationNeeded) {
  IcmpRepr repr = parse(test::l4_of(frame(frames::kIcmpPortUnreachable))).value();
  repr.code = static_cast<uint8_t>(IcmpUnreachable::FragmentationNeeded);
  repr.next_hop_mtu = 1400;
  repr.type = IcmpType::DstUnreachable;
  Buffer out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(mut(out)));
  EXPECT_EQ(load_be16(&out[6]), 1400);
  auto back = parse(view(out));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().next_hop_mtu, 1400);
  EXPECT_TRUE(back.value() == repr);
  repr.type = IcmpType::TimeExceeded;
  repr.code = 0;
  repr.next_hop_mtu = 0;
  ASSERT_TRUE(repr.emit(mut(out)));
  EXPECT_TRUE(parse(view(out)).value() == repr);
}

TEST(Icmp, RejectsHostileMessages) {
  Buffer echo = to_buffer(test::l4_of(frame(frames::kIcmpEchoRequest)));
  EXPECT_FAILS(IcmpPacket::check(view(echo).first(7)), Layer::Icmp, Errc::Truncated);

  Buffer corrupt = echo;
  corrupt.back() ^= 1;
  EXPECT_FAILS(parse(view(corrupt)), Layer::Icmp, Errc::BadChecksum);

  Buffer timestamp = echo;  // type 13: valid ICMP, not handled here
  timestamp[0] = 13;
  fix_checksum(timestamp);
  EXPECT_FAILS(parse(view(timestamp)), Layer::Icmp, Errc::Unsupported);

  Buffer unreachable = to_buffer(test::l4_of(frame(frames::kIcmpPortUnreachable)));
  // Quoted header cut short, then quoted data under 64 bits.
  for (size_t len : {8u, 20u, 27u, 35u}) {
    Buffer cut(unreachable.begin(), unreachable.begin() + len);
    fix_checksum(cut);
    EXPECT_FAILS(parse(view(cut)), Layer::Icmp, Errc::Truncated) << len;
  }
  Buffer cut(unreachable.begin(), unreachable.begin() + 36);  // header + exactly 8 bytes
  fix_checksum(cut);
  EXPECT_TRUE(parse(view(cut)));

  Buffer bad_version = unreachable;
  bad_version[8] = 0x65;
  fix_checksum(bad_version);
  EXPECT_FAILS(parse(view(bad_version)), Layer::Icmp, Errc::BadVersion);
  Buffer bad_ihl = unreachable;
  bad_ihl[8] = 0x4F;  // 60-byte quoted header: past the end of the message
  fix_checksum(bad_ihl);
  EXPECT_FAILS(parse(view(bad_ihl)), Layer::Icmp, Errc::Truncated);
  Buffer bad_total = unreachable;
  store_be16(&bad_total[10], 10);  // quoted total length inside its own header
  fix_checksum(bad_total);
  EXPECT_FAILS(parse(view(bad_total)), Layer::Icmp, Errc::BadLength);
}

TEST(Icmp, EmitChecksItsBuffer) {
  IcmpRepr repr;
  Buffer tiny(7);
  EXPECT_FAILS(repr.emit(mut(tiny)), Layer::Icmp, Errc::NoSpace);
  repr.type = IcmpType::DstUnreachable;
  Buffer no_room_for_quote(8);
  EXPECT_FAILS(repr.emit(mut(no_room_for_quote)), Layer::Icmp, Errc::NoSpace);
}

}  // namespace
}  // namespace mpxe::net
