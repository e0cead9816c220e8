#include "net/packet_buffer.h"

#include <gtest/gtest.h>

#include "frames.h"
#include "net/wire/ethernet.h"
#include "net/wire/ipv4.h"
#include "net/wire/udp.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::frame;

TEST(PacketBuffer, ReservesHeadroomAndGrowsBothWays) {
  uint8_t storage[64];
  PacketBuffer buffer(MutableBytes(storage), 16);
  EXPECT_EQ(buffer.headroom(), 16u);
  EXPECT_EQ(buffer.length(), 0u);
  EXPECT_EQ(buffer.tailroom(), 48u);

  auto body = buffer.put(10);
  ASSERT_TRUE(body);
  EXPECT_EQ(body.value().data(), storage + 16);
  auto header = buffer.push(8);
  ASSERT_TRUE(header);
  EXPECT_EQ(header.value().data(), storage + 8);
  EXPECT_EQ(buffer.data(), storage + 8);
  EXPECT_EQ(buffer.length(), 18u);
  EXPECT_EQ(buffer.headroom(), 8u);

  auto pulled = buffer.pull(8);
  ASSERT_TRUE(pulled);
  EXPECT_EQ(pulled.value().data(), storage + 8);
  EXPECT_EQ(buffer.data(), storage + 16);
  EXPECT_EQ(buffer.length(), 10u);

  ASSERT_TRUE(buffer.trim(4));
  EXPECT_EQ(buffer.length(), 4u);
  EXPECT_EQ(buffer.tailroom(), 44u);
}

TEST(PacketBuffer, RefusesToBreakTheInvariant) {
  uint8_t storage[32];
  PacketBuffer buffer(MutableBytes(storage), 4);
  ASSERT_TRUE(buffer.put(20));
  auto expect_unchanged = [&] {
    EXPECT_EQ(buffer.headroom(), 4u);
    EXPECT_EQ(buffer.length(), 20u);
    EXPECT_EQ(buffer.tailroom(), 8u);
  };
  EXPECT_FAILS(buffer.push(5), Layer::Buffer, Errc::NoSpace);
  expect_unchanged();
  EXPECT_FAILS(buffer.put(9), Layer::Buffer, Errc::NoSpace);
  expect_unchanged();
  EXPECT_FAILS(buffer.pull(21), Layer::Buffer, Errc::Truncated);
  expect_unchanged();
  EXPECT_FAILS(buffer.trim(21), Layer::Buffer, Errc::BadLength);
  expect_unchanged();
  // Sizes that would wrap around.
  EXPECT_FALSE(buffer.push(static_cast<size_t>(-1)));
  EXPECT_FALSE(buffer.put(static_cast<size_t>(-1)));
  EXPECT_FALSE(buffer.pull(static_cast<size_t>(-1)));
  expect_unchanged();
  // Exactly to the edges is fine.
  EXPECT_TRUE(buffer.push(4));
  EXPECT_TRUE(buffer.put(8));
  EXPECT_EQ(buffer.length(), 32u);
}

TEST(PacketBuffer, ClampsHeadroomAndHoldsReceivedFrames) {
  uint8_t storage[16];
  PacketBuffer big(MutableBytes(storage), 100);
  EXPECT_EQ(big.headroom(), 16u);
  EXPECT_EQ(big.tailroom(), 0u);

  PacketBuffer rx = PacketBuffer::holding(MutableBytes(storage), 12);
  EXPECT_EQ(rx.headroom(), 0u);
  EXPECT_EQ(rx.length(), 12u);
  EXPECT_EQ(PacketBuffer::holding(MutableBytes(storage), 99).length(), 16u);
  PacketBuffer empty;
  EXPECT_EQ(empty.length(), 0u);
  EXPECT_FALSE(empty.put(1));
}

// Builds the captured DNS query frame layer by layer, headers pushed in front of
// the payload without moving it, and gets the captured bytes back.
TEST(PacketBuffer, BuildsARealFrameByPushingHeaders) {
  Bytes captured = frame(frames::kDnsQuery);
  auto eth = EthernetFrame::check(captured).value();
  auto ip = Ipv4Packet::check(eth.payload()).value();
  auto udp = UdpDatagram::check(ip.payload()).value();

  uint8_t storage[256];
  PacketBuffer buffer(MutableBytes(storage), 64);
  auto payload = buffer.put(udp.payload().size());
  ASSERT_TRUE(payload);
  copy_bytes(payload.value(), udp.payload());

  UdpRepr udp_repr = UdpRepr::parse(udp, ip.src(), ip.dst()).value();
  auto udp_header = buffer.push(UdpDatagram::kHeaderLen);
  ASSERT_TRUE(udp_header);
  ASSERT_TRUE(udp_repr.emit(buffer.contents(), ip.src(), ip.dst()));

  Ipv4Repr ip_repr = Ipv4Repr::parse(ip).value();
  ASSERT_TRUE(buffer.push(Ipv4Repr::buffer_len()));
  ASSERT_TRUE(ip_repr.emit(buffer.contents()));

  EthernetRepr eth_repr = EthernetRepr::parse(eth).value();
  ASSERT_TRUE(buffer.push(EthernetRepr::buffer_len()));
  ASSERT_TRUE(eth_repr.emit(buffer.contents()));

  EXPECT_EQ(test::to_buffer(buffer.contents()), test::to_buffer(captured));
  EXPECT_EQ(buffer.headroom(), 64u - 42u);
}

}  // namespace
}  // namespace mpxe::net
