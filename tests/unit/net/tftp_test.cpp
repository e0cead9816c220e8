#include "net/wire/tftp.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <set>
#include <string>

#include "frames.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::str;
using test::text;
using test::to_buffer;
using test::view;

Result<TftpRepr> parse(Bytes bytes) {
  auto packet = TftpPacket::check(bytes);
  if (!packet) return packet.error();
  return TftpRepr::parse(packet.value());
}

Buffer payload(Bytes eth) { return to_buffer(test::udp_payload_of(eth)); }


// Each string followed by its NUL, as TFTP lays them out.
Buffer strings(std::initializer_list<std::string> list) {
  Buffer out;
  for (const std::string& s : list) {
    out.insert(out.end(), s.begin(), s.end());
    out.push_back(0);
  }
  return out;
}

TEST(Tftp, ParsesTheCapturedReadRequest) {
  Buffer rrq = payload(frame(frames::kTftpRrq));
  auto repr = parse(view(rrq));
  ASSERT_TRUE(repr);
  EXPECT_EQ(repr.value().opcode, TftpOpcode::Rrq);
  EXPECT_EQ(str(repr.value().filename), "bootx64.efi");
  EXPECT_EQ(str(repr.value().mode), "octet");
  EXPECT_TRUE(tftp_mode_is_octet(repr.value().mode));
  auto options = TftpOptions::parse(repr.value().options);
  ASSERT_TRUE(options);
  EXPECT_EQ(options.value().blksize, 1432);
  EXPECT_TRUE(options.value().has_tsize);
  EXPECT_EQ(options.value().tsize, 0u);
  EXPECT_EQ(options.value().timeout, 3);
  EXPECT_EQ(options.value().windowsize, 4);
  EXPECT_EQ(options.value().unknown_count, 0);
}

TEST(Tftp, EmitsTheReadRequestThatWasCaptured) {
  TftpOptions options;
  options.has_blksize = options.has_tsize = options.has_timeout = options.has_windowsize = true;
  options.blksize = 1432;
  options.tsize = 0;
  options.timeout = 3;
  options.windowsize = 4;
  Buffer out(128);
  auto len = tftp_emit_rrq(mut(out), text("bootx64.efi"), options);
  ASSERT_TRUE(len);
  out.resize(len.value());
  EXPECT_EQ(out, payload(frame(frames::kTftpRrq)));
}

TEST(Tftp, ParsesTheOacksOfTwoServers) {
  // atftpd answers all four options, in its own order.
  Buffer atftpd_bytes = payload(frame(frames::kTftpOackAtftpd));
  auto atftpd = parse(view(atftpd_bytes));
  ASSERT_TRUE(atftpd);
  EXPECT_EQ(atftpd.value().opcode, TftpOpcode::Oack);
  auto a = TftpOptions::parse(atftpd.value().options).value();
  EXPECT_TRUE(a.has_blksize && a.has_tsize && a.has_timeout && a.has_windowsize);
  EXPECT_EQ(a.blksize, 1432);
  EXPECT_EQ(a.tsize, 2048u);
  EXPECT_EQ(a.timeout, 3);
  EXPECT_EQ(a.windowsize, 4);

  // dnsmasq knows blksize and tsize only, and drops the rest.
  Buffer dnsmasq_bytes = payload(frame(frames::kTftpOackDnsmasq));
  auto dnsmasq = parse(view(dnsmasq_bytes));
  ASSERT_TRUE(dnsmasq);
  auto d = TftpOptions::parse(dnsmasq.value().options).value();
  EXPECT_TRUE(d.has_blksize && d.has_tsize);
  EXPECT_FALSE(d.has_timeout || d.has_windowsize);
  EXPECT_EQ(d.blksize, 1432);
  EXPECT_EQ(d.tsize, 2048u);
}

TEST(Tftp, ParsesCapturedDataAndErrors) {
  Buffer data_bytes = payload(frame(frames::kTftpDataAtftpd));
  auto data = parse(view(data_bytes));
  ASSERT_TRUE(data);
  EXPECT_EQ(data.value().opcode, TftpOpcode::Data);
  EXPECT_EQ(data.value().block, 2);
  ASSERT_EQ(data.value().data.size(), 2048u - 1432u);  // the last, short block
  EXPECT_EQ(data.value().data[0], 1432 % 256);  // the file is bytes 0..255 repeated

  Buffer error_bytes = payload(frame(frames::kTftpErrorAtftpd));
  auto error = parse(view(error_bytes));
  ASSERT_TRUE(error);
  EXPECT_EQ(error.value().error_code, static_cast<uint16_t>(TftpErrorCode::FileNotFound));
  EXPECT_EQ(str(error.value().error_message), "File not found");

  Buffer error2_bytes = payload(frame(frames::kTftpErrorDnsmasq));
  auto error2 = parse(view(error2_bytes));
  ASSERT_TRUE(error2);
  EXPECT_EQ(error2.value().error_code, 1);
  EXPECT_NE(str(error2.value().error_message).find("missing.efi not found"), std::string::npos);
}

TEST(Tftp, RoundTripsToTheSameBytes) {
  for (Bytes captured : {frame(frames::kTftpRrq), frame(frames::kTftpOackAtftpd),
                         frame(frames::kTftpOackDnsmasq), frame(frames::kTftpDataAtftpd),
                         frame(frames::kTftpErrorAtftpd), frame(frames::kTftpErrorDnsmasq)}) {
    Buffer bytes = payload(captured);
    auto repr = parse(view(bytes));
    ASSERT_TRUE(repr);
    Buffer out(repr.value().buffer_len());
    ASSERT_TRUE(repr.value().emit(mut(out)));
    EXPECT_EQ(out, bytes);
  }
  TftpRepr ack;
  ack.opcode = TftpOpcode::Ack;
  ack.block = 0xFFFF;  // the block before a rollover
  Buffer out(ack.buffer_len());
  ASSERT_TRUE(ack.emit(mut(out)));
  EXPECT_EQ(out, (Buffer{0, 4, 0xFF, 0xFF}));
  EXPECT_TRUE(parse(view(out)).value() == ack);
}

TEST(Tftp, MatchesOptionNamesWithoutRegardToCase) {
  Buffer area = strings({"BlkSize", "1468", "TSIZE", "7", "WindowSize", "8", "multicast", ""});
  auto options = TftpOptions::parse(view(area));
  ASSERT_TRUE(options);
  EXPECT_EQ(options.value().blksize, 1468);
  EXPECT_EQ(options.value().tsize, 7u);
  EXPECT_EQ(options.value().windowsize, 8);
  EXPECT_EQ(options.value().unknown_count, 1);
  EXPECT_TRUE(tftp_mode_is_octet(text("OCTET")));
  EXPECT_FALSE(tftp_mode_is_octet(text("netascii")));
}

TEST(Tftp, OptionsRoundTripAndEmitAnOack) {
  TftpOptions options;
  options.has_blksize = options.has_tsize = true;
  options.blksize = 65464;
  options.tsize = 18446744073709551615ull;
  Buffer out(options.buffer_len());
  auto len = options.emit(mut(out));
  ASSERT_TRUE(len);
  EXPECT_EQ(len.value(), out.size());
  EXPECT_TRUE(TftpOptions::parse(view(out)).value() == options);

  Buffer oack(64);
  auto oack_len = tftp_emit_oack(mut(oack), options);
  ASSERT_TRUE(oack_len);
  oack.resize(oack_len.value());
  Buffer expected = {0, 6};
  Buffer pairs = strings({"blksize", "65464", "tsize", "18446744073709551615"});
  expected.insert(expected.end(), pairs.begin(), pairs.end());
  EXPECT_EQ(oack, expected);
}

TEST(Tftp, RejectsBadOptionValues) {
  auto one = [](const std::string& name, const std::string& value) {
    Buffer area = strings({name, value});
    return TftpOptions::parse(view(area));
  };
  for (const char* v : {"7", "65465", "0", "", "abc", "12a", "-8", " 512", "99999999999999999999"})
    EXPECT_FAILS(one("blksize", v), Layer::Tftp, Errc::BadOption) << v;
  EXPECT_TRUE(one("blksize", "8"));
  EXPECT_TRUE(one("blksize", "0065464"));
  for (const char* v : {"0", "256", "x"})
    EXPECT_FAILS(one("timeout", v), Layer::Tftp, Errc::BadOption) << v;
  for (const char* v : {"0", "65536"})
    EXPECT_FAILS(one("windowsize", v), Layer::Tftp, Errc::BadOption) << v;
  EXPECT_FAILS(one("tsize", "18446744073709551616"), Layer::Tftp, Errc::BadOption);
  EXPECT_TRUE(one("tsize", "18446744073709551615"));
  EXPECT_TRUE(one("x-unknown", "anything"));

  Buffer twice = strings({"blksize", "512", "BLKSIZE", "1024"});
  EXPECT_FAILS(TftpOptions::parse(view(twice)), Layer::Tftp, Errc::BadOption);

  TftpOptions bad;
  bad.has_blksize = true;
  bad.blksize = 4;
  Buffer out(64);
  EXPECT_FAILS(bad.emit(mut(out)), Layer::Tftp, Errc::BadOption);
}

TEST(Tftp, RejectsHostilePackets) {
  EXPECT_FAILS(TftpPacket::check(Bytes()), Layer::Tftp, Errc::Truncated);
  EXPECT_FAILS(TftpPacket::check(view(Buffer{0})), Layer::Tftp, Errc::Truncated);
  for (uint16_t op : {0, 7, 0x0100, 0xFFFF}) {
    Buffer bad = {static_cast<uint8_t>(op >> 8), static_cast<uint8_t>(op), 0, 0};
    EXPECT_FAILS(TftpPacket::check(view(bad)), Layer::Tftp, Errc::BadOpcode) << op;
  }
  for (uint8_t op : {3, 4, 5})  // DATA, ACK and ERROR need their 16-bit field
    EXPECT_FAILS(TftpPacket::check(view(Buffer{0, op, 0})), Layer::Tftp, Errc::Truncated);
  EXPECT_FAILS(parse(view(Buffer{0, 4, 0, 1, 0})), Layer::Tftp, Errc::BadLength);

  Buffer rrq = payload(frame(frames::kTftpRrq));
  // Every cut of the request: inside the file name or mode the string has no end;
  // inside the options, a name lacks its value or a value its end.
  // Cuts between whole option pairs leave a shorter, valid request.
  const size_t options_start = 2 + 12 + 6;
  const std::set<size_t> pair_ends = {options_start, 33, 41, 51};
  for (size_t len = 2; len < rrq.size(); ++len) {
    auto r = parse(view(rrq).first(len));
    if (pair_ends.count(len)) {
      EXPECT_TRUE(r) << len;
      continue;
    }
    ASSERT_FALSE(r) << len;
    if (len < options_start) {
      EXPECT_EQ(r.error(), Error(Layer::Tftp, Errc::Unterminated)) << len;
    } else {
      EXPECT_TRUE(r.error() == Error(Layer::Tftp, Errc::Unterminated) ||
                  r.error() == Error(Layer::Tftp, Errc::BadOption))
          << len;
    }
  }
  EXPECT_FAILS(parse(view(Buffer{0, 1, 0, 'o', 'c', 't', 'e', 't', 0})), Layer::Tftp,
               Errc::BadValue);  // empty file name
  EXPECT_FAILS(parse(view(Buffer{0, 1, 'f', 0, 0})), Layer::Tftp, Errc::BadValue);  // empty mode
  // An option name with its value missing entirely, and an empty name.
  EXPECT_FAILS(parse(view(Buffer{0, 6, 'x', 0})), Layer::Tftp, Errc::BadOption);
  EXPECT_FAILS(parse(view(Buffer{0, 6, 0, '1', 0})), Layer::Tftp, Errc::BadOption);
  EXPECT_FAILS(parse(view(Buffer{0, 5, 0, 1, 'n', 'o'})), Layer::Tftp, Errc::Unterminated);
  EXPECT_TRUE(parse(view(Buffer{0, 5, 0, 1, 0, 'x', 'y'})));  // trailing bytes after the message
}

TEST(Tftp, EmitRefusesWhatWouldNotParseBack) {
  TftpRepr rrq;
  rrq.opcode = TftpOpcode::Rrq;
  rrq.filename = text("a");
  rrq.mode = text("octet");
  Buffer small(rrq.buffer_len() - 1);
  EXPECT_FAILS(rrq.emit(mut(small)), Layer::Tftp, Errc::NoSpace);
  Buffer out(64);
  const uint8_t nul_name[] = {'a', 0, 'b'};
  rrq.filename = Bytes(nul_name);
  EXPECT_FAILS(rrq.emit(mut(out)), Layer::Tftp, Errc::BadValue);
  rrq.filename = Bytes();
  EXPECT_FAILS(rrq.emit(mut(out)), Layer::Tftp, Errc::BadValue);
  rrq.filename = text("a");
  rrq.options = text("blksize");  // no terminator
  EXPECT_FAILS(rrq.emit(mut(out)), Layer::Tftp, Errc::Unterminated);
  TftpRepr error;
  error.opcode = TftpOpcode::Error;
  error.error_message = Bytes(nul_name);
  EXPECT_FAILS(error.emit(mut(out)), Layer::Tftp, Errc::BadValue);
  EXPECT_FAILS(tftp_emit_rrq(mut(out), Bytes(), TftpOptions{}), Layer::Tftp, Errc::BadValue);
  EXPECT_FAILS(tftp_emit_rrq(mut(small), text("bootx64.efi"), TftpOptions{}), Layer::Tftp,
               Errc::NoSpace);
}

}  // namespace
}  // namespace mpxe::net
