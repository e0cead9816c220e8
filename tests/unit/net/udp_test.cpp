#include "net/wire/udp.h"

#include <gtest/gtest.h>

#include "frames.h"
#include "ipv6_frames.h"
#include "net/wire/checksum.h"
#include "net/wire/ipv4.h"
#include "net/wire/ipv6.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::to_buffer;
using test::view;

struct Captured {
  Ipv4Address src;
  Ipv4Address dst;
  Buffer udp;
};

Captured udp_of(Bytes eth) {
  auto ip = Ipv4Packet::check(test::ipv4_of(eth)).value();
  return {ip.src(), ip.dst(), to_buffer(ip.payload())};
}

TEST(Udp, ParsesACapturedDatagram) {
  Captured c = udp_of(frame(frames::kDnsQuery));
  auto datagram = UdpDatagram::check(view(c.udp));
  ASSERT_TRUE(datagram);
  EXPECT_EQ(datagram.value().dst_port(), 53);
  EXPECT_EQ(datagram.value().length(), c.udp.size());
  EXPECT_TRUE(datagram.value().verify_checksum(c.src, c.dst));
  auto repr = UdpRepr::parse(datagram.value(), c.src, c.dst);
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().dst_port, 53);
  EXPECT_EQ(repr.value().payload_len, c.udp.size() - 8);
}

TEST(Udp, RoundTripsToTheSameBytes) {
  for (Bytes captured :
       {frame(frames::kDnsQuery), frame(frames::kDnsResponse), frame(frames::kDhcpOffer),
        frame(frames::kTftpRrq), frame(frames::kTftpOackAtftpd), frame(frames::kTftpDataAtftpd),
        frame(frames::kTftpErrorDnsmasq)}) {
    Captured c = udp_of(captured);
    auto repr = UdpRepr::parse(UdpDatagram::check(view(c.udp)).value(), c.src, c.dst).value();
    Buffer out = c.udp;  // the payload in place; the header is rewritten
    std::fill(out.begin(), out.begin() + 8, 0xEE);
    ASSERT_TRUE(repr.emit(mut(out), c.src, c.dst));
    EXPECT_EQ(out, c.udp);
  }
}

TEST(Udp, AZeroChecksumMeansNone) {
  // The DHCPDISCOVER was sent without a checksum, as PXE ROMs often do.
  Captured c = udp_of(frame(frames::kDhcpDiscover));
  auto datagram = UdpDatagram::check(view(c.udp)).value();
  EXPECT_EQ(datagram.checksum(), 0);
  c.udp.back() ^= 0xFF;  // nothing can tell
  EXPECT_TRUE(UdpRepr::parse(UdpDatagram::check(view(c.udp)).value(), c.src, c.dst));
}

TEST(Udp, RejectsABadChecksum) {
  Captured c = udp_of(frame(frames::kDnsResponse));
  c.udp.back() ^= 1;
  auto datagram = UdpDatagram::check(view(c.udp)).value();
  EXPECT_FAILS(UdpRepr::parse(datagram, c.src, c.dst), Layer::Udp, Errc::BadChecksum);
  // The pseudo header counts: the right bytes from another address fail too.
  Captured d = udp_of(frame(frames::kDnsResponse));
  EXPECT_FAILS(UdpRepr::parse(UdpDatagram::check(view(d.udp)).value(), Ipv4Address::of(10, 77, 0, 9),
                              d.dst),
               Layer::Udp, Errc::BadChecksum);
}

TEST(Udp, RejectsLengthsThatPointOutOfBounds) {
  Captured c = udp_of(frame(frames::kDnsQuery));
  EXPECT_FAILS(UdpDatagram::check(view(c.udp).first(7)), Layer::Udp, Errc::Truncated);
  for (uint16_t length : {0, 1, 7}) {
    Buffer bad = c.udp;
    store_be16(&bad[4], length);
    EXPECT_FAILS(UdpDatagram::check(view(bad)), Layer::Udp, Errc::BadLength) << length;
  }
  Buffer longer = c.udp;
  store_be16(&longer[4], static_cast<uint16_t>(c.udp.size() + 1));
  EXPECT_FAILS(UdpDatagram::check(view(longer)), Layer::Udp, Errc::Truncated);
  // Bytes past the length field are not the datagram's.
  Buffer padded = c.udp;
  padded.resize(padded.size() + 9, 0x55);
  auto datagram = UdpDatagram::check(view(padded));
  ASSERT_TRUE(datagram);
  EXPECT_EQ(datagram.value().payload().size(), c.udp.size() - 8);
  EXPECT_TRUE(UdpRepr::parse(datagram.value(), c.src, c.dst));
}

TEST(Udp, SendsAComputedZeroAsAllOnes) {
  Ipv4Address src = Ipv4Address::of(10, 0, 0, 1), dst = Ipv4Address::of(10, 0, 0, 2);
  UdpRepr repr{1000, 2000, 2};
  Buffer out(10, 0);
  ASSERT_TRUE(repr.emit(mut(out), src, dst));
  // Choose the payload word that makes the ones' complement sum 0xFFFF.
  uint16_t word = load_be16(&out[6]);
  store_be16(&out[8], word);
  ASSERT_TRUE(repr.emit(mut(out), src, dst));
  EXPECT_EQ(load_be16(&out[6]), 0xFFFF);
  EXPECT_TRUE(UdpRepr::parse(UdpDatagram::check(view(out)).value(), src, dst));
}

TEST(Udp, EmitChecksItsBuffer) {
  Ipv4Address a;
  Buffer out(16);
  EXPECT_FAILS((UdpRepr{1, 2, 9}).emit(mut(out), a, a), Layer::Udp, Errc::NoSpace);
  EXPECT_FAILS((UdpRepr{1, 2, 65528}).emit(mut(out), a, a), Layer::Udp, Errc::BadLength);
}

// UDP over IPv6 (RFC 8200 8.1): the captured DNS query and answer (the Linux
// client and dnsmasq), whose checksums cover the IPv6 pseudo header.
struct Captured6 {
  Ipv6Address src;
  Ipv6Address dst;
  Buffer udp;
};

Captured6 udp6_of(Bytes eth) {
  auto ip = Ipv6Packet::check(eth.subspan(14)).value();
  return {ip.src(), ip.dst(), to_buffer(ip.payload())};
}

TEST(Udp6, ParsesAndReEmitsTheCapturedDatagrams) {
  for (Bytes eth : {Bytes(frames6::kUdp6DnsQuery), Bytes(frames6::kUdp6DnsResponse)}) {
    Captured6 c = udp6_of(eth);
    auto datagram = UdpDatagram::check(view(c.udp));
    ASSERT_TRUE(datagram.ok());
    auto repr = UdpRepr::parse(datagram.value(), c.src, c.dst);
    ASSERT_TRUE(repr.ok());
    Buffer out = c.udp;
    out[6] = out[7] = 0xAA;  // the checksum is computed again
    ASSERT_TRUE(repr.value().emit(mut(out), c.src, c.dst));
    EXPECT_EQ(out, c.udp);
    // The IPv4 checksum of the same bytes is another number.
    EXPECT_FALSE(datagram.value().verify_checksum(Ipv4Address::of(10, 0, 0, 1),
                                                  Ipv4Address::of(10, 0, 0, 2)));
  }
}

TEST(Udp6, AZeroChecksumIsRefused) {
  Captured6 c = udp6_of(Bytes(frames6::kUdp6DnsQuery));
  c.udp[6] = c.udp[7] = 0;
  auto datagram = UdpDatagram::check(view(c.udp));
  ASSERT_TRUE(datagram.ok());
  auto repr = UdpRepr::parse(datagram.value(), c.src, c.dst);
  ASSERT_FALSE(repr.ok());
  EXPECT_EQ(repr.error(), Error(Layer::Udp, Errc::BadChecksum));
}

}  // namespace
}  // namespace mpxe::net
