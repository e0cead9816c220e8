#include "mpsh/dhcp_options.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace mpsh {
namespace {

// An EFI_PXE_BASE_CODE_PACKET is 1472 bytes; the DHCP packet sits at its start.
constexpr size_t kPxePacketSize = 1472;

std::vector<uint8_t> bootp_reply(const uint8_t siaddr[4], const char* file,
                                 std::vector<uint8_t> options) {
  std::vector<uint8_t> p(kPxePacketSize, 0);
  p[0] = 2;  // BOOTREPLY
  p[1] = 1;
  p[2] = 6;
  const uint8_t yiaddr[4] = {10, 0, 2, 15};
  std::memcpy(&p[16], yiaddr, 4);
  std::memcpy(&p[kBootpSiaddrOffset], siaddr, 4);
  if (file != nullptr) std::memcpy(&p[kBootpFileOffset], file, std::strlen(file));
  const uint8_t cookie[4] = {0x63, 0x82, 0x53, 0x63};
  std::memcpy(&p[kDhcpCookieOffset], cookie, 4);
  std::memcpy(&p[kDhcpOptionsOffset], options.data(), options.size());
  return p;
}

mpxe::Bytes view(const std::vector<uint8_t>& v) { return mpxe::Bytes(v.data(), v.size()); }

// The shape of the ACK QEMU's user-mode network (slirp) hands out.
const uint8_t kSlirpServer[4] = {10, 0, 2, 2};
const std::vector<uint8_t> kSlirpOptions = {
    53, 1, 5,                    // DHCPACK
    54, 4, 10, 0, 2, 2,          // server identifier
    51, 4, 0, 1, 0x51, 0x80,     // lease time
    1, 4, 255, 255, 255, 0,      // subnet mask
    3, 4, 10, 0, 2, 2,           // router
    6, 4, 10, 0, 2, 3,           // DNS
    255};

TEST(DhcpOptions, FindsOptionsInASlirpAck) {
  auto ack = bootp_reply(kSlirpServer, "mpsh.efi", kSlirpOptions);
  DhcpOption mask = dhcp_find_option(view(ack), kDhcpOptSubnetMask);
  ASSERT_TRUE(mask.found);
  ASSERT_EQ(mask.value.size(), 4u);
  EXPECT_EQ(mask.value[0], 255);
  EXPECT_EQ(mask.value[3], 0);
  DhcpOption router = dhcp_find_option(view(ack), kDhcpOptRouter);
  ASSERT_TRUE(router.found);
  EXPECT_EQ(router.value[3], 2);
  EXPECT_FALSE(dhcp_find_option(view(ack), kDhcpOptBootFile).found);
}

TEST(DhcpOptions, SkipsPadsAndStopsAtEnd) {
  const uint8_t area[] = {0, 0, 12, 3, 'a', 'b', 'c', 255, 3, 4, 1, 2, 3, 4};
  DhcpOption host = dhcp_find_in_area(mpxe::Bytes(area), 12);
  ASSERT_TRUE(host.found);
  EXPECT_EQ(host.value.size(), 3u);
  EXPECT_EQ(host.value[0], 'a');
  EXPECT_FALSE(dhcp_find_in_area(mpxe::Bytes(area), 3).found);  // after End
}

TEST(DhcpOptions, TruncatedOptionIsAbsent) {
  const uint8_t area[] = {1, 4, 255, 255};
  EXPECT_FALSE(dhcp_find_in_area(mpxe::Bytes(area), 1).found);
  const uint8_t lone_tag[] = {0, 3};
  EXPECT_FALSE(dhcp_find_in_area(mpxe::Bytes(lone_tag), 3).found);
}

TEST(DhcpOptions, NeedsTheMagicCookie) {
  auto ack = bootp_reply(kSlirpServer, "x", kSlirpOptions);
  ack[kDhcpCookieOffset] = 0;
  EXPECT_FALSE(dhcp_packet_has_options(view(ack)));
  EXPECT_FALSE(dhcp_find_option(view(ack), kDhcpOptRouter).found);
  std::vector<uint8_t> short_packet(100, 0);
  EXPECT_FALSE(dhcp_find_option(view(short_packet), kDhcpOptRouter).found);
}

TEST(DhcpOptions, FollowsOptionOverloadIntoFileAndSname) {
  const uint8_t zero[4] = {};
  auto p = bootp_reply(zero, nullptr, {52, 1, 3, 255});
  const uint8_t in_file[] = {67, 9, 'b', 'o', 'o', 't', '.', 'e', 'f', 'i', 0, 255};
  std::memcpy(&p[kBootpFileOffset], in_file, sizeof(in_file));
  const uint8_t in_sname[] = {3, 4, 192, 168, 1, 1, 255};
  std::memcpy(&p[kBootpSnameOffset], in_sname, sizeof(in_sname));
  DhcpOption file = dhcp_find_option(view(p), kDhcpOptBootFile);
  ASSERT_TRUE(file.found);
  EXPECT_EQ(file.value.size(), 9u);
  DhcpOption router = dhcp_find_option(view(p), kDhcpOptRouter);
  ASSERT_TRUE(router.found);
  EXPECT_EQ(router.value[0], 192);

  // The overloaded file field is not a file name.
  LeaseSummary s = summarize_lease(view(p), mpxe::Bytes());
  EXPECT_STREQ(s.boot_file, "boot.efi");
}

TEST(LeaseSummary, TakesServerAndFileFromTheAck) {
  auto ack = bootp_reply(kSlirpServer, "mpsh.efi", kSlirpOptions);
  LeaseSummary s = summarize_lease(view(ack), mpxe::Bytes());
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(s.server[0], 10);
  EXPECT_EQ(s.server[3], 2);
  EXPECT_STREQ(s.boot_file, "mpsh.efi");
  ASSERT_TRUE(s.has_router);
  EXPECT_EQ(s.router[3], 2);
}

TEST(LeaseSummary, ProxyOfferSuppliesServerAndFileWhenTheAckHasNone) {
  const uint8_t zero[4] = {};
  auto ack = bootp_reply(zero, nullptr, {53, 1, 5, 54, 4, 192, 168, 0, 1, 255});
  const uint8_t proxy_server[4] = {192, 168, 0, 9};
  auto proxy = bootp_reply(proxy_server, "pxe/boot.efi", {53, 1, 2, 60, 9, 'P', 'X', 'E', 'C',
                                                          'l', 'i', 'e', 'n', 't', 255});
  LeaseSummary s = summarize_lease(view(ack), view(proxy));
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(s.server[3], 9);
  EXPECT_STREQ(s.boot_file, "pxe/boot.efi");
  EXPECT_FALSE(s.has_router);
}

TEST(LeaseSummary, FallsBackToServerIdentifierAndOption67) {
  const uint8_t zero[4] = {};
  auto ack = bootp_reply(zero, nullptr,
                         {54, 4, 172, 16, 0, 1, 67, 7, 'a', '/', 'b', '.', 'e', 'f', 'i', 255});
  LeaseSummary s = summarize_lease(view(ack), mpxe::Bytes());
  ASSERT_TRUE(s.has_server);
  EXPECT_EQ(s.server[0], 172);
  EXPECT_EQ(s.server[3], 1);
  EXPECT_STREQ(s.boot_file, "a/b.efi");
}

TEST(LeaseSummary, EmptyLease) {
  LeaseSummary s = summarize_lease(mpxe::Bytes(), mpxe::Bytes());
  EXPECT_FALSE(s.has_server);
  EXPECT_FALSE(s.has_router);
  EXPECT_STREQ(s.boot_file, "");
}

TEST(LeaseSummary, NonPrintableFileBytesAreMasked) {
  auto ack = bootp_reply(kSlirpServer, "a\x01" "b", kSlirpOptions);
  LeaseSummary s = summarize_lease(view(ack), mpxe::Bytes());
  EXPECT_STREQ(s.boot_file, "a?b");
}

}  // namespace
}  // namespace mpsh
