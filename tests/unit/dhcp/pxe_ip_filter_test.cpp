// The PXE Base Code's receive filter (SetIpFilter + UdpRead with USE_FILTER).
#include "net/socket/pxe_ip_filter.h"
#include "net/socket/pxe_station6.h"

#include "dhcp_test_util.h"

namespace mpxe::net::test {
namespace {

const Ipv4Address kStation = Ipv4Address::of(10, 77, 0, 120);
const Ipv4Address kMask = Ipv4Address::of(255, 255, 255, 0);

bool takes(const PxeIpFilterRule& rule, const char* dst) {
  return rule.accepts(ip(dst), kStation, kMask);
}

const IpAddress kStation6 = Ipv6Address::parse("fd77::120").value();

bool takes6(const PxeIpFilterRule& rule, const char* dst) {
  return rule.accepts(Ipv6Address::parse(dst).value(), kStation6, Ipv4Address());
}

TEST(PxeIpFilter, StationIpOnlyByDefault) {
  PxeIpFilterRule rule;
  EXPECT_TRUE(takes(rule, "10.77.0.120"));
  EXPECT_FALSE(takes(rule, "10.77.0.121"));
  EXPECT_FALSE(takes(rule, "255.255.255.255"));
  EXPECT_FALSE(takes(rule, "224.0.1.2"));
}

TEST(PxeIpFilter, BroadcastTakesLimitedAndSubnetBroadcast) {
  PxeIpFilterRule rule;
  rule.filters = PxeIpFilterRule::kBroadcast;
  EXPECT_TRUE(takes(rule, "255.255.255.255"));
  EXPECT_TRUE(takes(rule, "10.77.0.255"));
  EXPECT_FALSE(takes(rule, "10.78.0.255"));  // another subnet's
  EXPECT_FALSE(takes(rule, "10.77.0.120"));  // station not asked for
}

TEST(PxeIpFilter, PromiscuousTakesEverythingMulticastOnlyGroups) {
  PxeIpFilterRule all;
  all.filters = PxeIpFilterRule::kPromiscuous;
  EXPECT_TRUE(takes(all, "192.168.9.9"));
  PxeIpFilterRule groups;
  groups.filters = PxeIpFilterRule::kPromiscuousMulticast;
  EXPECT_TRUE(takes(groups, "239.1.2.3"));
  EXPECT_FALSE(takes(groups, "192.168.9.9"));
}

TEST(PxeIpFilter, TheListAddsAddresses) {
  PxeIpFilterRule rule;
  rule.filters = 0;
  rule.list[rule.count++] = ip("239.0.0.5");
  rule.list[rule.count++] = ip("10.77.0.200");
  EXPECT_TRUE(takes(rule, "239.0.0.5"));
  EXPECT_TRUE(takes(rule, "10.77.0.200"));
  EXPECT_FALSE(takes(rule, "10.77.0.120"));
}

TEST(PxeIpFilter, Ipv6StationAndList) {
  PxeIpFilterRule rule;
  EXPECT_TRUE(takes6(rule, "fd77::120"));
  EXPECT_FALSE(takes6(rule, "fd77::121"));
  EXPECT_FALSE(takes6(rule, "ff02::1"));
  rule.list[rule.count++] = Ipv6Address::parse("fd77::200").value();
  EXPECT_TRUE(takes6(rule, "fd77::200"));
}

TEST(PxeIpFilter, Ipv6HasNoBroadcastButMulticastGroups) {
  PxeIpFilterRule broadcast;
  broadcast.filters = PxeIpFilterRule::kBroadcast;
  EXPECT_FALSE(takes6(broadcast, "ff02::1"));
  EXPECT_FALSE(takes6(broadcast, "fd77::ffff:ffff:ffff:ffff"));
  PxeIpFilterRule groups;
  groups.filters = PxeIpFilterRule::kPromiscuousMulticast;
  EXPECT_TRUE(takes6(groups, "ff02::1"));
  EXPECT_TRUE(takes6(groups, "ff05::1:3"));
  EXPECT_FALSE(takes6(groups, "fd77::5"));
}

TEST(PxeIpFilter, TheOtherFamilyIsNeverTaken) {
  PxeIpFilterRule all;
  all.filters = PxeIpFilterRule::kPromiscuous;
  EXPECT_TRUE(takes6(all, "2001:db8::1"));
  EXPECT_FALSE(all.accepts(ip("10.77.0.120"), kStation6, Ipv4Address()));
  EXPECT_FALSE(all.accepts(Ipv6Address::parse("fd77::120").value(), kStation, kMask));
}

// SetStationIp over IPv6: the SubnetMask as a prefix length.
uint8_t prefix_of(const char* mask) {
  Result<uint8_t> len = pxe_ipv6_prefix_len(Ipv6Address::parse(mask).value());
  EXPECT_TRUE(len.ok()) << mask;
  return len.ok() ? len.value() : 0;
}

TEST(PxeStation6, MaskGivesThePrefixLengthNoneGivesSixtyFour) {
  EXPECT_EQ(prefix_of("ffff:ffff:ffff:ffff::"), 64);
  EXPECT_EQ(prefix_of("ffff:ffff:ffff:ff80::"), 57);
  EXPECT_EQ(prefix_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 128);
  EXPECT_EQ(prefix_of("8000::"), 1);
  EXPECT_EQ(prefix_of("::"), 64);
  EXPECT_FALSE(pxe_ipv6_prefix_len(Ipv6Address::parse("ffff:0:ffff::").value()).ok());
  EXPECT_FALSE(pxe_ipv6_prefix_len(Ipv6Address::parse("::1").value()).ok());
}

TEST(PxeStation6, OnlyAUnicastAddressCanBeTheStation) {
  EXPECT_TRUE(pxe_ipv6_station_valid(Ipv6Address::parse("fd77::42").value()));
  EXPECT_TRUE(pxe_ipv6_station_valid(Ipv6Address::parse("2001:db8::1").value()));
  EXPECT_FALSE(pxe_ipv6_station_valid(Ipv6Address::parse("::").value()));
  EXPECT_FALSE(pxe_ipv6_station_valid(Ipv6Address::parse("::1").value()));
  EXPECT_FALSE(pxe_ipv6_station_valid(Ipv6Address::parse("ff02::1").value()));
  EXPECT_TRUE(pxe_ipv6_station_valid(Ipv6Address::parse("fe80::1").value()));
}

}  // namespace
}  // namespace mpxe::net::test
