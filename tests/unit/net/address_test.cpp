#include <gtest/gtest.h>

#include <string>

#include "net/wire/ipv4_address.h"
#include "net/wire/mac_address.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::text;

TEST(Ipv4Address, ParsesStrictDottedQuads) {
  auto a = Ipv4Address::parse("10.77.0.1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.value(), Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(a.value().to_u32(), 0x0a4d0001u);
  EXPECT_EQ(Ipv4Address::parse("0.0.0.0").value(), Ipv4Address::unspecified());
  EXPECT_EQ(Ipv4Address::parse("255.255.255.255").value(), Ipv4Address::broadcast());
  for (const char* bad : {"", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.1.1.1", "01.2.3.4",
                          "1..2.3", "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1234.1.1.1",
                          "1.2.3.0x4"})
    EXPECT_FAILS(Ipv4Address::parse(bad), Layer::Address, Errc::BadAddress) << bad;
}

TEST(Ipv4Address, FormatsAndRoundTrips) {
  char out[16];
  EXPECT_EQ(Ipv4Address::of(192, 168, 100, 255).format(out, sizeof out), 15u);
  EXPECT_EQ(std::string(out), "192.168.100.255");
  for (uint32_t v : {0u, 1u, 0x0a4d0001u, 0xc0a80101u, 0xFFFFFFFFu, 0x7f000001u}) {
    char s[16];
    Ipv4Address::from_u32(v).format(s, sizeof s);
    EXPECT_EQ(Ipv4Address::parse(s).value().to_u32(), v) << s;
  }
  char tiny[4];
  EXPECT_EQ(Ipv4Address::of(10, 0, 0, 1).format(tiny, sizeof tiny), 8u);
  EXPECT_EQ(std::string(tiny), "10.");
}

TEST(Ipv4Address, Classifies) {
  EXPECT_TRUE(Ipv4Address::broadcast().is_broadcast());
  EXPECT_TRUE(Ipv4Address::unspecified().is_unspecified());
  EXPECT_TRUE(Ipv4Address::of(224, 0, 0, 1).is_multicast());
  EXPECT_TRUE(Ipv4Address::of(239, 255, 255, 250).is_multicast());
  EXPECT_FALSE(Ipv4Address::of(240, 0, 0, 1).is_multicast());
  EXPECT_TRUE(Ipv4Address::of(127, 0, 0, 1).is_loopback());
  EXPECT_TRUE(Ipv4Address::of(169, 254, 3, 4).is_link_local());
  EXPECT_TRUE(Ipv4Address::of(10, 77, 0, 2).is_unicast());
  EXPECT_FALSE(Ipv4Address::broadcast().is_unicast());
  Ipv4Address mask = Ipv4Address::of(255, 255, 255, 0);
  EXPECT_TRUE(Ipv4Address::of(10, 77, 0, 2).same_subnet(Ipv4Address::of(10, 77, 0, 200), mask));
  EXPECT_FALSE(Ipv4Address::of(10, 77, 1, 2).same_subnet(Ipv4Address::of(10, 77, 0, 2), mask));
}

TEST(MacAddress, ClassifiesByTheIgAndUlBits) {
  EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
  EXPECT_TRUE(MacAddress::broadcast().is_multicast());
  MacAddress ipv6_mcast{{0x33, 0x33, 0x00, 0x00, 0x00, 0x16}};
  EXPECT_TRUE(ipv6_mcast.is_multicast());
  EXPECT_FALSE(ipv6_mcast.is_broadcast());
  MacAddress qemu{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
  EXPECT_TRUE(qemu.is_unicast());
  EXPECT_TRUE(qemu.is_local());
  MacAddress intel{{0x00, 0x1b, 0x21, 0x00, 0x00, 0x01}};
  EXPECT_FALSE(intel.is_local());
  EXPECT_TRUE(MacAddress{}.is_zero());
}

TEST(MacAddress, ParsesAndFormats) {
  auto mac = MacAddress::parse(text("52:54:00:AB:cd:ef"));
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac.value(), (MacAddress{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}}));
  EXPECT_TRUE(MacAddress::parse(text("52-54-00-ab-cd-ef")));
  char out[18];
  EXPECT_EQ(mac.value().format(out, sizeof out), 17u);
  EXPECT_EQ(std::string(out), "52:54:00:ab:cd:ef");
  for (const char* bad : {"", "52:54:00:ab:cd", "52:54:00:ab:cd:ef:", "52:54:00:ab:cd:eg",
                          "52.54.00.ab.cd.ef", "525400abcdef00000"})
    EXPECT_FAILS(MacAddress::parse(text(bad)), Layer::Address, Errc::BadAddress) << bad;
}

}  // namespace
}  // namespace mpxe::net
