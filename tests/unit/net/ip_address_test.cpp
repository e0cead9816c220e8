#include <gtest/gtest.h>

#include <string>

#include "net/wire/ip_address.h"
#include "net/wire/ipv6_address.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

std::string text_of(const Ipv6Address& address) {
  char out[Ipv6Address::kMaxTextLen + 1];
  size_t len = address.format(out, sizeof out);
  EXPECT_EQ(len, std::string(out).size());
  return out;
}

std::string text_of(const IpAddress& address) {
  char out[IpAddress::kMaxTextLen + 1];
  address.format(out, sizeof out);
  return out;
}

TEST(Ipv6Address, ParsesTheFormsOfRfc4291) {
  EXPECT_EQ(Ipv6Address::parse("2001:db8:0:0:8:800:200c:417a").value(),
            Ipv6Address::of(0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a));
  EXPECT_EQ(Ipv6Address::parse("2001:DB8::8:800:200C:417A").value(),
            Ipv6Address::of(0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a));
  EXPECT_EQ(Ipv6Address::parse("ff01::101").value(), Ipv6Address::of(0xff01, 0, 0, 0, 0, 0, 0, 0x101));
  EXPECT_EQ(Ipv6Address::parse("::1").value(), Ipv6Address::of(0, 0, 0, 0, 0, 0, 0, 1));
  EXPECT_EQ(Ipv6Address::parse("::").value(), Ipv6Address::unspecified());
  EXPECT_EQ(Ipv6Address::parse("fe80::").value(), Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 0));
  EXPECT_EQ(Ipv6Address::parse("0001:0002:0003:0004:0005:0006:0007:0008").value(),
            Ipv6Address::of(1, 2, 3, 4, 5, 6, 7, 8));
  // "::" may stand for one group (RFC 4291), though RFC 5952 never writes it so.
  EXPECT_EQ(Ipv6Address::parse("1:2:3::5:6:7:8").value(), Ipv6Address::of(1, 2, 3, 0, 5, 6, 7, 8));
  EXPECT_EQ(Ipv6Address::parse("::13.1.68.3").value(),
            Ipv6Address::of(0, 0, 0, 0, 0, 0, 0x0d01, 0x4403));
  EXPECT_EQ(Ipv6Address::parse("::ffff:129.144.52.38").value(),
            Ipv6Address::mapped(Ipv4Address::of(129, 144, 52, 38)));
  EXPECT_EQ(Ipv6Address::parse("1:2:3:4:5:6:10.0.0.1").value(),
            Ipv6Address::of(1, 2, 3, 4, 5, 6, 0x0a00, 1));
}

TEST(Ipv6Address, RefusesAnythingElse) {
  for (const char* bad :
       {"", ":", ":::", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1::2::3", ":1::", "1::2:", "1:2:3:4:5:6:7:", "12345::",
        "::g", "fe80::1%eth0", "[::1]", " ::1", "::1 ", "1.2.3.4", "::1.2.3", "::1.2.3.4:5",
        "::01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::a.2.3.4", "-1::"})
    EXPECT_FAILS(Ipv6Address::parse(bad), Layer::Address, Errc::BadAddress) << bad;
}

TEST(Ipv6Address, FormatsAsRfc5952) {
  EXPECT_EQ(text_of(Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 2, 1)), "2001:db8::2:1");
  // 4.2.2: one zero group is written as 0.
  EXPECT_EQ(text_of(Ipv6Address::of(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), "2001:db8:0:1:1:1:1:1");
  // 4.2.3: the longest run; the first of two equal ones.
  EXPECT_EQ(text_of(Ipv6Address::of(0x2001, 0, 0, 1, 0, 0, 0, 1)), "2001:0:0:1::1");
  EXPECT_EQ(text_of(Ipv6Address::of(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), "2001:db8::1:0:0:1");
  // 4.1 and 4.3: no leading zeros, lower case.
  EXPECT_EQ(text_of(Ipv6Address::of(0x2001, 0xdb8, 0xaaa, 0xbbbb, 0xc, 0xd, 0xe, 0xf)),
            "2001:db8:aaa:bbbb:c:d:e:f");
  EXPECT_EQ(text_of(Ipv6Address::unspecified()), "::");
  EXPECT_EQ(text_of(Ipv6Address::of(0, 0, 0, 0, 0, 0, 0, 1)), "::1");
  EXPECT_EQ(text_of(Ipv6Address::of(1, 0, 0, 0, 0, 0, 0, 0)), "1::");
  EXPECT_EQ(text_of(Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2)), "fec0::2");
  // 5: IPv4-mapped addresses keep the dotted quad.
  EXPECT_EQ(text_of(Ipv6Address::mapped(Ipv4Address::of(192, 0, 2, 1))), "::ffff:192.0.2.1");
  EXPECT_EQ(text_of(Ipv6Address::of(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff,
                                    0xffff)).size(),
            Ipv6Address::kMaxTextLen);
}

TEST(Ipv6Address, FormatReportsTheFullLengthWhenCut) {
  char tiny[5];
  EXPECT_EQ(Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 2, 1).format(tiny, sizeof tiny), 13u);
  EXPECT_EQ(std::string(tiny), "2001");
}

TEST(Ipv6Address, Classifies) {
  EXPECT_TRUE(Ipv6Address::parse("::").value().is_unspecified());
  EXPECT_TRUE(Ipv6Address::parse("::1").value().is_loopback());
  EXPECT_TRUE(Ipv6Address::parse("ff02::1").value().is_multicast());
  EXPECT_TRUE(Ipv6Address::parse("fe80::1").value().is_link_local());
  EXPECT_FALSE(Ipv6Address::parse("fec0::1").value().is_link_local());
  EXPECT_TRUE(Ipv6Address::parse("fec0::2").value().is_unicast());
  EXPECT_FALSE(Ipv6Address::parse("ff02::1").value().is_unicast());
}

TEST(IpAddress, DefaultsToTheUnspecifiedIpv4Address) {
  IpAddress address;
  EXPECT_TRUE(address.is_v4());
  EXPECT_TRUE(address.is_unspecified());
  EXPECT_EQ(address, IpAddress(Ipv4Address::unspecified()));
  EXPECT_NE(address, IpAddress(Ipv6Address::unspecified()));
}

TEST(IpAddress, HoldsEitherFamily) {
  IpAddress v4 = Ipv4Address::of(10, 77, 0, 1);
  EXPECT_EQ(v4.family(), IpFamily::V4);
  EXPECT_EQ(v4.v4(), Ipv4Address::of(10, 77, 0, 1));
  EXPECT_TRUE(v4.v6().is_unspecified());
  EXPECT_TRUE(v4.is_unicast());
  EXPECT_TRUE(IpAddress(Ipv4Address::broadcast()).is_v4());
  EXPECT_FALSE(IpAddress(Ipv4Address::broadcast()).is_unicast());

  IpAddress v6 = Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2);
  EXPECT_EQ(v6.family(), IpFamily::V6);
  EXPECT_EQ(v6.v6(), Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2));
  EXPECT_TRUE(v6.v4().is_unspecified());
  EXPECT_TRUE(v6.is_unicast());
  EXPECT_TRUE(IpAddress(Ipv6Address::parse("ff02::1").value()).is_multicast());
  // The same bits in two families are two addresses.
  EXPECT_NE(IpAddress(Ipv4Address::of(1, 2, 3, 4)),
            IpAddress(Ipv6Address::parse("102:304::").value()));
  EXPECT_NE(IpAddress(Ipv4Address::of(1, 2, 3, 4)),
            IpAddress(Ipv6Address::mapped(Ipv4Address::of(1, 2, 3, 4))));
}

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  EXPECT_EQ(IpAddress::parse("10.77.0.1").value(), IpAddress(Ipv4Address::of(10, 77, 0, 1)));
  EXPECT_EQ(IpAddress::parse("fec0::2").value(),
            IpAddress(Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2)));
  EXPECT_EQ(text_of(IpAddress::parse("10.77.0.1").value()), "10.77.0.1");
  EXPECT_EQ(text_of(IpAddress::parse("2001:DB8:0::1").value()), "2001:db8::1");
  for (const char* bad : {"", "host", "10.77.0", "1.2.3.4:80", "fe80::1%1", "::g"})
    EXPECT_FAILS(IpAddress::parse(bad), Layer::Address, Errc::BadAddress) << bad;
}

TEST(IpAddress, TextRoundTrips) {
  for (const char* text : {"0.0.0.0", "255.255.255.255", "::", "::1", "1::", "fe80::1:2",
                           "2001:db8:0:1:1:1:1:1", "::ffff:10.0.0.1", "1:0:0:2::3",
                           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    Result<IpAddress> parsed = IpAddress::parse(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(text_of(parsed.value()), text);
  }
}

TEST(IpAddress, FormatsWithAPortAsAUrlWritesIt) {
  char out[IpAddress::kMaxEndpointTextLen + 1];
  EXPECT_EQ(IpAddress(Ipv4Address::of(10, 77, 0, 1)).format_with_port(8080, out, sizeof out), 14u);
  EXPECT_STREQ(out, "10.77.0.1:8080");
  // The brackets keep the port apart from the address's own colons.
  EXPECT_EQ(IpAddress(Ipv6Address::of(0xfd77, 0, 0, 0, 0, 0, 0, 1)).format_with_port(80, out, sizeof out),
            12u);
  EXPECT_STREQ(out, "[fd77::1]:80");
  // The longest there is fits the constant.
  const IpAddress longest =
      IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").value();
  EXPECT_EQ(longest.format_with_port(65535, out, sizeof out), IpAddress::kMaxEndpointTextLen);
  // Cut short: NUL-terminated, the full length still reported.
  char tiny[6];
  EXPECT_EQ(IpAddress(Ipv6Address::of(0xfd77, 0, 0, 0, 0, 0, 0, 1)).format_with_port(443, tiny, sizeof tiny),
            13u);
  EXPECT_STREQ(tiny, "[fd77");
}

}  // namespace
}  // namespace mpxe::net
