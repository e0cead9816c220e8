// The PXE Base Code's receive filter (SetIpFilter + UdpRead with USE_FILTER).
#include "net/socket/pxe_ip_filter.h"

#include "dhcp_test_util.h"

namespace mpxe::net::test {
namespace {

const Ipv4Address kStation = Ipv4Address::of(10, 77, 0, 120);
const Ipv4Address kMask = Ipv4Address::of(255, 255, 255, 0);

bool takes(const PxeIpFilterRule& rule, const char* dst) {
  return rule.accepts(ip(dst), kStation, kMask);
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

}  // namespace
}  // namespace mpxe::net::test
