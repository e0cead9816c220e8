#include "mpsh/tftp_packet.h"

#include <gtest/gtest.h>

#include <string>

namespace mpsh {
namespace {

mpxe::Bytes bytes(const std::string& s) {
  return mpxe::Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(TftpPacket, BuildsSizeRequest) {
  uint8_t out[64];
  size_t n = tftp_build_size_request(out, sizeof(out), "blob.bin");
  std::string expected("\0\1blob.bin\0octet\0tsize\0" "0\0", 25);
  ASSERT_EQ(n, expected.size());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), expected);
  EXPECT_EQ(tftp_build_size_request(out, 10, "blob.bin"), 0u);
}

TEST(TftpPacket, BuildsError) {
  uint8_t out[32];
  size_t n = tftp_build_error(out, sizeof(out), kTftpErrorOptionRefused, "size only");
  std::string expected("\0\5\0\x08size only\0", 14);
  ASSERT_EQ(n, expected.size());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), n), expected);
  // Message cut to fit, still NUL-terminated.
  n = tftp_build_error(out, 8, 8, "abcdefgh");
  ASSERT_EQ(n, 8u);
  EXPECT_EQ(out[7], 0);
  EXPECT_EQ(tftp_build_error(out, 4, 8, "x"), 0u);
}

TEST(TftpPacket, ParsesOackWithTsize) {
  // What QEMU's server answers: blksize is echoed only when asked, tsize always.
  TftpReply r = tftp_parse_reply(bytes(std::string("\0\6tsize\0" "1048576\0", 16)));
  EXPECT_EQ(r.kind, TftpReply::Kind::Oack);
  EXPECT_TRUE(r.has_tsize);
  EXPECT_EQ(r.tsize, 1048576u);
  r = tftp_parse_reply(bytes(std::string("\0\6blksize\0" "1428\0TSIZE\0" "12\0", 24)));
  EXPECT_EQ(r.kind, TftpReply::Kind::Oack);
  EXPECT_TRUE(r.has_tsize);
  EXPECT_EQ(r.tsize, 12u);
}

TEST(TftpPacket, OackWithoutTsize) {
  TftpReply r = tftp_parse_reply(bytes(std::string("\0\6blksize\0" "512\0", 14)));
  EXPECT_EQ(r.kind, TftpReply::Kind::Oack);
  EXPECT_FALSE(r.has_tsize);
}

TEST(TftpPacket, MalformedOackIsInvalid) {
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0\6tsize\0" "12", 10))).kind,
            TftpReply::Kind::Invalid);
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0\6tsize\0" "0x12\0", 13))).kind,
            TftpReply::Kind::Invalid);
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0\6tsize\0\0", 10))).kind,
            TftpReply::Kind::Invalid);
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0", 1))).kind, TftpReply::Kind::Invalid);
}

TEST(TftpPacket, ParsesErrorAndData) {
  TftpReply r = tftp_parse_reply(bytes(std::string("\0\5\0\1File not found\0", 19)));
  EXPECT_EQ(r.kind, TftpReply::Kind::Error);
  EXPECT_EQ(r.error_code, 1);
  EXPECT_STREQ(r.error_text, "File not found");
  r = tftp_parse_reply(bytes(std::string("\0\5\0\2denied", 10)));  // no NUL
  EXPECT_EQ(r.kind, TftpReply::Kind::Error);
  EXPECT_STREQ(r.error_text, "denied");
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0\3\0\1data", 8))).kind,
            TftpReply::Kind::Data);
  EXPECT_EQ(tftp_parse_reply(bytes(std::string("\0\4\0\1", 4))).kind, TftpReply::Kind::Other);
}

}  // namespace
}  // namespace mpsh
