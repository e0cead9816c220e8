#include <gtest/gtest.h>

#include "frames.h"
#include "net/wire/arp.h"
#include "net/wire/ethernet.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::to_buffer;
using test::view;

const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};

TEST(Ethernet, ParsesACapturedFrame) {
  auto frame_view = EthernetFrame::check(frame(frames::kArpRequest));
  ASSERT_TRUE(frame_view);
  const EthernetFrame& eth = frame_view.value();
  EXPECT_EQ(eth.dst(), MacAddress::broadcast());
  EXPECT_EQ(eth.src(), kClientMac);
  EXPECT_EQ(eth.ethertype(), 0x0806);
  EXPECT_EQ(eth.payload().size(), 28u);

  auto repr = EthernetRepr::parse(eth);
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().ethertype, EtherType::Arp);
}

TEST(Ethernet, HeaderRoundTripsToTheSameBytes) {
  for (Bytes captured : {frame(frames::kArpRequest), frame(frames::kDhcpOffer),
                         frame(frames::kTftpOackAtftpd)}) {
    auto repr = EthernetRepr::parse(EthernetFrame::check(captured).value()).value();
    Buffer out(EthernetRepr::buffer_len());
    ASSERT_TRUE(repr.emit(mut(out)));
    EXPECT_EQ(out, to_buffer(captured.first(14)));
  }
}

TEST(Ethernet, RejectsShortAnd8023Frames) {
  EXPECT_FAILS(EthernetFrame::check(frame(frames::kArpRequest).first(13)), Layer::Ethernet,
               Errc::Truncated);
  EXPECT_TRUE(EthernetFrame::check(frame(frames::kArpRequest).first(14)));
  Buffer llc = to_buffer(frame(frames::kArpRequest));
  llc[12] = 0x00;  // an 802.3 length, 46
  llc[13] = 0x2e;
  EXPECT_FAILS(EthernetRepr::parse(EthernetFrame::check(view(llc)).value()), Layer::Ethernet,
               Errc::Unsupported);
  Buffer tiny(13);
  EXPECT_FAILS(EthernetRepr{}.emit(mut(tiny)), Layer::Ethernet, Errc::NoSpace);
}

TEST(Arp, ParsesACapturedRequestAndReply) {
  auto request = ArpRepr::parse(ArpPacket::check(test::ipv4_of(frame(frames::kArpRequest))).value());
  ASSERT_TRUE(request);
  EXPECT_EQ(request.value().operation, ArpOperation::Request);
  EXPECT_EQ(request.value().sender_mac, kClientMac);
  EXPECT_EQ(request.value().sender_ip, Ipv4Address::of(10, 77, 0, 2));
  EXPECT_TRUE(request.value().target_mac.is_zero());
  EXPECT_EQ(request.value().target_ip, Ipv4Address::of(10, 77, 0, 1));

  auto reply = ArpRepr::parse(ArpPacket::check(test::ipv4_of(frame(frames::kArpReply))).value());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply.value().operation, ArpOperation::Reply);
  EXPECT_EQ(reply.value().sender_mac, kServerMac);
  EXPECT_EQ(reply.value().sender_ip, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(reply.value().target_mac, kClientMac);
  EXPECT_EQ(reply.value().target_ip, Ipv4Address::of(10, 77, 0, 2));
}

TEST(Arp, RoundTripsToTheSameBytes) {
  for (Bytes captured : {frame(frames::kArpRequest), frame(frames::kArpReply)}) {
    Bytes arp = test::ipv4_of(captured);
    auto repr = ArpRepr::parse(ArpPacket::check(arp).value()).value();
    Buffer out(ArpRepr::buffer_len());
    ASSERT_TRUE(repr.emit(mut(out)));
    EXPECT_EQ(out, to_buffer(arp));
  }
}

TEST(Arp, BuildsTheReplyTheServerSent) {
  auto request = ArpRepr::parse(ArpPacket::check(test::ipv4_of(frame(frames::kArpRequest))).value())
                     .value();
  ArpRepr reply{ArpOperation::Reply, kServerMac, request.target_ip, request.sender_mac,
                request.sender_ip};
  Buffer out(ArpRepr::buffer_len());
  ASSERT_TRUE(reply.emit(mut(out)));
  EXPECT_EQ(out, to_buffer(test::ipv4_of(frame(frames::kArpReply))));
}

TEST(Arp, IgnoresEthernetPadding) {
  Buffer padded = to_buffer(test::ipv4_of(frame(frames::kArpRequest)));
  padded.resize(46, 0);  // a 60-byte frame from a real NIC
  auto packet = ArpPacket::check(view(padded));
  ASSERT_TRUE(packet);
  EXPECT_TRUE(ArpRepr::parse(packet.value()));
}

TEST(Arp, RejectsTruncatedForeignAndUnknownPackets) {
  Buffer arp = to_buffer(test::ipv4_of(frame(frames::kArpRequest)));
  EXPECT_FAILS(ArpPacket::check(view(arp).first(27)), Layer::Arp, Errc::Truncated);
  EXPECT_FAILS(ArpPacket::check(Bytes()), Layer::Arp, Errc::Truncated);

  struct Mutation {
    size_t offset;
    uint8_t value;
  };
  // Hardware type 6 (IEEE 802), protocol IPv6, hardware length 8, protocol length 16:
  // the fixed offsets would read the wrong bytes, so all are refused.
  for (Mutation m : {Mutation{1, 6}, Mutation{2, 0x86}, Mutation{4, 8}, Mutation{5, 16}}) {
    Buffer bad = arp;
    bad[m.offset] = m.value;
    EXPECT_FAILS(ArpPacket::check(view(bad)), Layer::Arp, Errc::Unsupported) << m.offset;
  }
  for (uint8_t op : {0, 3, 4, 8, 9}) {  // RARP, InARP...
    Buffer bad = arp;
    bad[7] = op;
    EXPECT_FAILS(ArpRepr::parse(ArpPacket::check(view(bad)).value()), Layer::Arp,
                 Errc::BadOpcode)
        << int{op};
  }
  Buffer tiny(27);
  EXPECT_FAILS(ArpRepr{}.emit(mut(tiny)), Layer::Arp, Errc::NoSpace);
}

}  // namespace
}  // namespace mpxe::net
