// TFTP boot file URLs (RFC 3617) as DHCPv6 servers send them in OPT_BOOTFILE_URL:
// QEMU's user network's own, dnsmasq's, and the forms an operator may write.
#include "net/wire/tftp_url.h"

#include <gtest/gtest.h>

#include <string>

#include "core/byte_ops.h"

namespace mpxe::net {
namespace {

Result<TftpUrl> parse(const std::string& text) {
  return parse_tftp_url(Bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string host_text(const TftpUrl& url) {
  char text[IpAddress::kMaxTextLen + 1];
  url.server.format(text, sizeof text);
  return text;
}

Errc reason(const std::string& text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? Errc::None : r.error().reason();
}

// Slirp's option 59 as QEMU 7.2 (libslirp 4.7) sent it to the ROM for -netdev
// user,ipv6=on,bootfile=mpsh.efi: the address written out in full, not compressed.
TEST(TftpUrl, QemuUserNetworksUrl) {
  auto r = parse("tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/mpsh.efi");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().server.is_v6());
  EXPECT_EQ(host_text(r.value()), "fec0::2");
  EXPECT_EQ(r.value().port, 69);
  EXPECT_STREQ(r.value().file, "mpsh.efi");
  EXPECT_EQ(r.value().file_size, 8u);
  auto compressed = parse("tftp://[fec0::2]/mpsh.efi");
  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ(compressed.value().server, r.value().server);
}

TEST(TftpUrl, PortPathAndIpv4Host) {
  auto r = parse("TFTP://[2001:db8::1]:6969/boot/x64/grubx64.efi");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(host_text(r.value()), "2001:db8::1");
  EXPECT_EQ(r.value().port, 6969);
  EXPECT_STREQ(r.value().file, "boot/x64/grubx64.efi");

  auto v4 = parse("tftp://192.0.2.7/pxe/mpsh.efi");
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4.value().server.is_v4());
  EXPECT_EQ(host_text(v4.value()), "192.0.2.7");
  EXPECT_STREQ(v4.value().file, "pxe/mpsh.efi");
}

TEST(TftpUrl, PercentEscapesAndOctetMode) {
  auto r = parse("tftp://[fe80::1]/my%20file%2Eefi;mode=octet");
  ASSERT_TRUE(r.ok());
  EXPECT_STREQ(r.value().file, "my file.efi");
  EXPECT_EQ(reason("tftp://[fe80::1]/a.txt;mode=netascii"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fe80::1]/a%2"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fe80::1]/a%zz"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fe80::1]/a%00b"), Errc::BadName);
  EXPECT_EQ(reason("tftp://[fe80::1]/a%0ab"), Errc::BadName);
}

TEST(TftpUrl, RefusesWhatCannotBeFetched) {
  EXPECT_EQ(reason("http://[fec0::2]/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp:/[fec0::2]/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://[fec0::2]"), Errc::Truncated);
  EXPECT_EQ(reason("tftp://[fec0::2]/"), Errc::Truncated);
  EXPECT_EQ(reason("tftp://[fec0::2/mpsh.efi"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://[fec0::g]/mpsh.efi"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://[fe80::1%25eth0]/mpsh.efi"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://[]/mpsh.efi"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://fec0::2/mpsh.efi"), Errc::Unsupported);  // unbracketed: not a host
  EXPECT_EQ(reason("tftp://boot.example/mpsh.efi"), Errc::Unsupported);
  EXPECT_EQ(reason("tftp://300.1.1.1/mpsh.efi"), Errc::BadAddress);
  EXPECT_EQ(reason("tftp://[fec0::2]:/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fec0::2]:0/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fec0::2]:65536/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fec0::2]:69x/mpsh.efi"), Errc::BadValue);
  EXPECT_EQ(reason("tftp://[fec0::2]x/mpsh.efi"), Errc::BadAddress);
}

TEST(TftpUrl, LongestFileFitsAndOneMoreDoesNot) {
  std::string file(TftpUrl::kMaxFile, 'a');
  auto r = parse("tftp://[fec0::2]/" + file);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().file_size, TftpUrl::kMaxFile);
  EXPECT_EQ(reason("tftp://[fec0::2]/" + file + "a"), Errc::NameTooLong);
}

TEST(TftpUrl, SchemeCheckIgnoresCase) {
  EXPECT_TRUE(is_tftp_url(bytes_of("TfTp://x")));
  EXPECT_FALSE(is_tftp_url(bytes_of("tftp:/")));
  EXPECT_FALSE(is_tftp_url(bytes_of("http://[::1]/")));
}

}  // namespace
}  // namespace mpxe::net
