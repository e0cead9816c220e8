// The shell's tsize probe: the bytes it sends (as captured from the shell under
// iPXE, talking to QEMU's TFTP server) and what it makes of the replies. The
// packet formats themselves are the wire layer's, tested in tests/unit/net.
#include "mpsh/tsize_probe.h"

#include <gtest/gtest.h>

#include <string>

namespace mpsh {
namespace {

using mpxe::net::TftpErrorCode;

mpxe::Bytes bytes(const std::string& s) {
  return mpxe::Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string built(mpxe::net::Result<size_t> length, const uint8_t* out) {
  if (!length) return "(failed)";
  return std::string(reinterpret_cast<const char*>(out), length.value());
}

TEST(TsizeProbe, SendsTheRequestAndAbortOnTheWire) {
  uint8_t out[64];
  EXPECT_EQ(built(tsize_request(mpxe::MutableBytes(out), "blob.bin"), out),
            std::string("\0\1blob.bin\0octet\0tsize\0" "0\0", 25));
  EXPECT_EQ(built(tsize_abort(mpxe::MutableBytes(out), TftpErrorCode::OptionRefused), out),
            std::string("\0\5\0\x08size probe only\0", 20));
  EXPECT_EQ(built(tsize_abort(mpxe::MutableBytes(out), TftpErrorCode::NotDefined), out),
            std::string("\0\5\0\0size probe only\0", 20));
  // What does not fit is refused, not cut.
  EXPECT_FALSE(tsize_request(mpxe::MutableBytes(out, 10), "blob.bin"));
  EXPECT_FALSE(tsize_abort(mpxe::MutableBytes(out, 19), TftpErrorCode::OptionRefused));
}

TEST(TsizeProbe, ReadsTheSizeFromAnOack) {
  // QEMU's server answering the probe, and answering iPXE's own request.
  TsizeReply r = read_tsize_reply(bytes(std::string("\0\6tsize\0" "1048576\0", 16)));
  EXPECT_EQ(r.kind, TsizeReply::Kind::Oack);
  EXPECT_TRUE(r.has_tsize);
  EXPECT_EQ(r.tsize, 1048576u);
  r = read_tsize_reply(bytes(std::string("\0\6blksize\0" "1428\0TSIZE\0" "12\0", 24)));
  EXPECT_EQ(r.kind, TsizeReply::Kind::Oack);
  EXPECT_EQ(r.tsize, 12u);
  r = read_tsize_reply(bytes(std::string("\0\6blksize\0" "512\0", 14)));
  EXPECT_EQ(r.kind, TsizeReply::Kind::Oack);
  EXPECT_FALSE(r.has_tsize);
}

TEST(TsizeProbe, KeepsListeningPastWhatIsNoAnswer) {
  for (const std::string& p : {std::string("\0\6tsize\0" "12", 10),    // unterminated
                               std::string("\0\6tsize\0" "0x12\0", 13),  // not decimal
                               std::string("\0\6tsize\0\0", 10),         // no value
                               std::string("\0\4\0\1", 4),               // an ACK
                               std::string("\0\5\0", 3),                 // short ERROR
                               std::string("\0\x09", 2), std::string("\0", 1)})
    EXPECT_EQ(read_tsize_reply(bytes(p)).kind, TsizeReply::Kind::Ignore);
}

TEST(TsizeProbe, ReadsErrorsAndData) {
  TsizeReply r = read_tsize_reply(bytes(std::string("\0\5\0\1File not found\0", 19)));
  EXPECT_EQ(r.kind, TsizeReply::Kind::Error);
  EXPECT_EQ(r.error_code, 1);
  EXPECT_STREQ(r.error_text, "File not found");
  r = read_tsize_reply(bytes(std::string("\0\5\0\2denied", 10)));  // no NUL
  EXPECT_EQ(r.kind, TsizeReply::Kind::Error);
  EXPECT_STREQ(r.error_text, "denied");
  r = read_tsize_reply(bytes(std::string("\0\5\0\2", 4) + std::string(100, 'x')));
  EXPECT_EQ(std::string(r.error_text), std::string(sizeof(r.error_text) - 1, 'x'));
  EXPECT_EQ(read_tsize_reply(bytes(std::string("\0\3\0\1data", 8))).kind,
            TsizeReply::Kind::Data);
}

}  // namespace
}  // namespace mpsh
