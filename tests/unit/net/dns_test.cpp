#include "net/wire/dns.h"

#include <gtest/gtest.h>

#include <string>

#include "frames.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::mut;
using test::text;
using test::to_buffer;
using test::view;

Buffer query() { return to_buffer(test::udp_payload_of(frame(frames::kDnsQuery))); }
Buffer response() { return to_buffer(test::udp_payload_of(frame(frames::kDnsResponse))); }

DnsName name(const char* dotted) { return DnsName::from_text(text(dotted)).value(); }

std::string format(const DnsName& n) {
  char out[256];
  n.format(out, sizeof out);
  return out;
}

// The response points into `bytes`: keep them alive while it is used.
Result<DnsResponse> parse_response(const Buffer& bytes) {
  auto packet = DnsPacket::check(view(bytes));
  if (!packet) return packet.error();
  return DnsResponse::parse(packet.value());
}

// A response header (id 1, QR RD RA) and the question www.mpxe.test A IN at
// offset 12, then whatever a test appends.
Buffer response_with(uint16_t ancount, const Buffer& answers) {
  Buffer m = {0, 1, 0x81, 0x80, 0, 1, static_cast<uint8_t>(ancount >> 8),
              static_cast<uint8_t>(ancount), 0, 0, 0, 0,
              3, 'w', 'w', 'w', 4, 'm', 'p', 'x', 'e', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1};
  m.insert(m.end(), answers.begin(), answers.end());
  return m;
}

// One A record for the question's name: pointer, type A, class IN, TTL, 4 bytes.
Buffer a_record(uint32_t ttl, Ipv4Address address) {
  Buffer r = {0xc0, 0x0c, 0, 1, 0, 1, static_cast<uint8_t>(ttl >> 24),
              static_cast<uint8_t>(ttl >> 16), static_cast<uint8_t>(ttl >> 8),
              static_cast<uint8_t>(ttl), 0, 4};
  r.insert(r.end(), address.octets, address.octets + 4);
  return r;
}

TEST(Dns, EmitsTheCapturedQuery) {
  DnsQueryRepr q;
  q.id = 0x4d50;
  q.name = name("www.mpxe.test");
  q.type = DnsType::A;
  Buffer out(q.buffer_len());
  ASSERT_TRUE(q.emit(mut(out)));
  EXPECT_EQ(out, query());

  auto back = DnsQueryRepr::parse(DnsPacket::check(view(out)).value());
  ASSERT_TRUE(back);
  EXPECT_TRUE(back.value() == q);
}

TEST(Dns, ParsesTheCapturedResponseWithCompressedNames) {
  Buffer bytes = response();
  auto packet = DnsPacket::check(view(bytes));
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet.value().is_response());
  EXPECT_EQ(packet.value().ancount(), 2);

  auto r = DnsResponse::parse(packet.value());
  ASSERT_TRUE(r);
  const DnsResponse& resp = r.value();
  EXPECT_EQ(resp.id, 0x4d50);
  EXPECT_EQ(resp.rcode, DnsRcode::NoError);
  EXPECT_FALSE(resp.truncated);
  ASSERT_TRUE(resp.has_question);
  EXPECT_EQ(format(DnsName::read(view(bytes), resp.question_offset).value()), "www.mpxe.test");
  EXPECT_EQ(resp.answer_count, 2);
  ASSERT_EQ(resp.cname_count, 1);
  ASSERT_EQ(resp.a_count, 1);
  EXPECT_EQ(resp.cname[0].ttl, 300u);
  // The CNAME's owner is a pointer to the question; its target is spelled out;
  // the A record's owner is a pointer into that target.
  EXPECT_EQ(format(DnsName::read(view(bytes), resp.cname[0].name_offset).value()),
            "www.mpxe.test");
  EXPECT_EQ(format(DnsName::read(view(bytes), resp.cname[0].target_offset).value()),
            "boot.mpxe.test");
  EXPECT_EQ(format(DnsName::read(view(bytes), resp.a[0].name_offset).value()), "boot.mpxe.test");
  EXPECT_EQ(resp.a[0].address, Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(resp.a[0].ttl, 300u);

  Ipv4Address out[4];
  uint32_t ttl = 0;
  ASSERT_EQ(resp.addresses_for(name("www.mpxe.test"), out, 4, &ttl), 1u);
  EXPECT_EQ(out[0], Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(ttl, 300u);
  EXPECT_EQ(resp.addresses_for(name("WWW.Mpxe.TEST."), out, 4, &ttl), 1u);
  EXPECT_EQ(resp.addresses_for(name("boot.mpxe.test"), out, 4, &ttl), 1u);
  EXPECT_EQ(resp.addresses_for(name("other.mpxe.test"), out, 4, &ttl), 0u);
}

TEST(Dns, NamesConvertBetweenTextAndWire) {
  DnsName n = name("www.mpxe.test.");
  EXPECT_EQ(to_buffer(n.wire()),
            (Buffer{3, 'w', 'w', 'w', 4, 'm', 'p', 'x', 'e', 4, 't', 'e', 's', 't', 0}));
  EXPECT_EQ(format(n), "www.mpxe.test");
  EXPECT_TRUE(name("A.b") == name("a.B"));
  EXPECT_FALSE(name("a.b") == name("a.bc"));
  for (const char* bad : {"", ".", "a..b", ".a", "a.b.."})
    EXPECT_FAILS(DnsName::from_text(text(bad)), Layer::Dns, Errc::BadName) << bad;
  std::string label63(63, 'x');
  EXPECT_TRUE(DnsName::from_text(text(label63.c_str())));
  std::string label64(64, 'x');
  EXPECT_FAILS(DnsName::from_text(text(label64.c_str())), Layer::Dns, Errc::NameTooLong);
  // 4 labels of 63 take 4 * 64 + 1 = 257 bytes: over 255. 3 labels of 63 and one of
  // 61 take exactly 255.
  std::string too_long = label63 + "." + label63 + "." + label63 + "." + label63;
  EXPECT_FAILS(DnsName::from_text(text(too_long.c_str())), Layer::Dns, Errc::NameTooLong);
  std::string longest = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'y');
  auto max = DnsName::from_text(text(longest.c_str()));
  ASSERT_TRUE(max);
  EXPECT_EQ(max.value().wire().size(), 255u);
  char small[4];
  EXPECT_EQ(n.format(small, sizeof small), 13u);
  EXPECT_EQ(std::string(small), "www");
}

TEST(Dns, RejectsPointersThatDoNotPointBackwards) {
  // A pointer to itself.
  Buffer self = response_with(1, {0xc0, 31, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_FAILS(parse_response(self), Layer::Dns, Errc::BadPointer);
  // A pointer forwards, to a well-formed name later in the message.
  Buffer forward = response_with(1, {0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 0, 3, 4});
  EXPECT_FAILS(parse_response(forward), Layer::Dns, Errc::BadPointer);
  // Two labels then a pointer back into the first: "a" "b" -> "a" ... would loop.
  Buffer loop = response_with(1, {1, 'a', 1, 'b', 0xc0, 31, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_FAILS(parse_response(loop), Layer::Dns, Errc::BadPointer);
  // Pointers between two names at each other: the second points back to the first
  // (fine), the first was made to point at the second (forwards).
  Buffer pair = response_with(2, {0xc0, 47, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4,
                                  0xc0, 31, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_FAILS(parse_response(pair), Layer::Dns, Errc::BadPointer);
  // A pointer past the end of the message.
  Buffer past = response_with(1, {0xff, 0xff, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_FAILS(parse_response(past), Layer::Dns, Errc::BadPointer);
}

TEST(Dns, BoundsLongChainsOfPointers) {
  // Each pointer points at the one before it, ending at the question's name: every
  // jump is backwards, but 70 of them is no name any server sends.
  Buffer chain;
  size_t base = 31;
  chain.insert(chain.end(), {0xc0, 12});
  for (size_t i = 1; i < 70; ++i) {
    size_t prev = base + 2 * (i - 1);
    chain.insert(chain.end(), {static_cast<uint8_t>(0xc0 | (prev >> 8)), static_cast<uint8_t>(prev)});
  }
  size_t last = base + 2 * 69;
  Buffer m = response_with(0, chain);
  EXPECT_FAILS(DnsName::read(view(m), last), Layer::Dns, Errc::TooManyPointers);
  EXPECT_EQ(format(DnsName::read(view(m), base + 2 * 10).value()), "www.mpxe.test");
}

TEST(Dns, BoundsTheLengthOfNamesBuiltFromPointers) {
  // Four 63-byte labels, each run ending in a pointer to the previous one: 257 bytes
  // expanded, over the 255 limit.
  Buffer m = response_with(0, {});
  size_t prev = 0;
  for (int i = 0; i < 4; ++i) {
    size_t here = m.size();
    m.push_back(63);
    m.insert(m.end(), 63, static_cast<uint8_t>('a' + i));
    if (i == 0) {
      m.push_back(0);
    } else {
      m.push_back(static_cast<uint8_t>(0xc0 | (prev >> 8)));
      m.push_back(static_cast<uint8_t>(prev));
    }
    prev = here;
  }
  EXPECT_FAILS(DnsName::read(view(m), prev), Layer::Dns, Errc::NameTooLong);
}

TEST(Dns, RejectsTruncatedMessages) {
  Buffer bytes = response();
  EXPECT_FAILS(DnsPacket::check(view(bytes).first(11)), Layer::Dns, Errc::Truncated);
  // Every cut after the header fails, with a reason that says the bytes ran out.
  for (size_t len = 12; len < bytes.size(); ++len) {
    Buffer cut(bytes.begin(), bytes.begin() + len);
    auto r = parse_response(cut);
    ASSERT_FALSE(r) << len;
    EXPECT_EQ(r.error(), Error(Layer::Dns, Errc::Truncated)) << len;
  }
  // A label that runs off the end, and a pointer missing its second byte.
  EXPECT_FAILS(DnsName::read(view(Buffer{5, 'a', 'b'}), 0), Layer::Dns, Errc::Truncated);
  EXPECT_FAILS(DnsName::read(view(Buffer{1, 'a', 0xc0}), 0), Layer::Dns, Errc::Truncated);
  EXPECT_FAILS(DnsName::read(view(Buffer{1, 'a'}), 0), Layer::Dns, Errc::Truncated);
  EXPECT_FAILS(DnsName::read(view(Buffer{0}), 1), Layer::Dns, Errc::Truncated);
}

TEST(Dns, KeepsTheAnswersBeforeTheCutWhenTruncationIsAnnounced) {
  Buffer two = response_with(2, a_record(60, Ipv4Address::of(1, 1, 1, 1)));
  Buffer second = a_record(60, Ipv4Address::of(2, 2, 2, 2));
  two.insert(two.end(), second.begin(), second.begin() + 5);  // cut inside the second
  EXPECT_FAILS(parse_response(two), Layer::Dns, Errc::Truncated);
  two[2] |= 0x02;  // TC
  auto r = parse_response(two);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.value().truncated);
  EXPECT_EQ(r.value().a_count, 1);
}

TEST(Dns, RejectsMalformedRecords) {
  Buffer five = response_with(1, {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5});
  EXPECT_FAILS(parse_response(five), Layer::Dns, Errc::BadLength);
  // A CNAME whose RDATA holds more than its name.
  Buffer cname = response_with(1, {0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 0, 0, 4, 1, 'x', 0, 9});
  EXPECT_FAILS(parse_response(cname), Layer::Dns, Errc::BadLength);
  // A CNAME whose name runs past its RDATA.
  Buffer cname2 = response_with(1, {0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2, 1, 'x', 0});
  EXPECT_FAILS(parse_response(cname2), Layer::Dns, Errc::Truncated);
  // An extended label type (0x40).
  Buffer ext = response_with(1, {0x41, 'x', 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
  EXPECT_FAILS(parse_response(ext), Layer::Dns, Errc::Unsupported);

  Buffer query_bit = response();
  query_bit[2] &= 0x7F;
  EXPECT_FAILS(parse_response(query_bit), Layer::Dns, Errc::BadValue);
  Buffer opcode = response();
  opcode[2] |= 0x10;  // opcode 2, STATUS
  EXPECT_FAILS(parse_response(opcode), Layer::Dns, Errc::Unsupported);
  Buffer two_questions = response();
  two_questions[5] = 2;
  EXPECT_FAILS(parse_response(two_questions), Layer::Dns, Errc::Unsupported);
}

TEST(Dns, ReadsRecordsItDoesNotKeep) {
  // An AAAA record, a TXT in class CH, then more A records than are kept.
  Buffer answers = {0xc0, 0x0c, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16};
  answers.insert(answers.end(), 16, 0xfe);
  answers.insert(answers.end(), {0xc0, 0x0c, 0, 16, 0, 3, 0, 0, 0, 60, 0, 2, 1, 'x'});
  for (int i = 0; i < 10; ++i) {
    Buffer a = a_record(i == 3 ? 0x80000000u : 100u + i, Ipv4Address::of(10, 0, 0, i));
    answers.insert(answers.end(), a.begin(), a.end());
  }
  Buffer message = response_with(12, answers);
  auto r = parse_response(message);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().answer_count, 12);
  EXPECT_EQ(r.value().a_count, DnsResponse::kMaxA);
  EXPECT_EQ(r.value().a[3].ttl, 0u);  // RFC 2181: the top bit makes it zero
  Ipv4Address out[3];
  uint32_t ttl = 1;
  EXPECT_EQ(r.value().addresses_for(name("www.mpxe.test"), out, 3, &ttl), 3u);
  EXPECT_EQ(out[2], Ipv4Address::of(10, 0, 0, 2));
  EXPECT_EQ(ttl, 100u);
}

TEST(Dns, ReportsNameErrors) {
  Buffer nx = response_with(0, {});
  nx[3] = 0x83;  // RA, rcode 3
  auto r = parse_response(nx);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().rcode, DnsRcode::NameError);
  EXPECT_EQ(r.value().a_count, 0);
}

TEST(Dns, QueryParseRefusesResponsesAndOddQueries) {
  Buffer q = query();
  EXPECT_FAILS(DnsQueryRepr::parse(DnsPacket::check(view(response())).value()), Layer::Dns,
               Errc::BadValue);
  Buffer two = q;
  two[5] = 2;
  EXPECT_FAILS(DnsQueryRepr::parse(DnsPacket::check(view(two)).value()), Layer::Dns,
               Errc::Unsupported);
  Buffer chaos = q;
  chaos.back() = 3;  // class CH
  EXPECT_FAILS(DnsQueryRepr::parse(DnsPacket::check(view(chaos)).value()), Layer::Dns,
               Errc::Unsupported);
  Buffer cut(q.begin(), q.end() - 1);
  EXPECT_FAILS(DnsQueryRepr::parse(DnsPacket::check(view(cut)).value()), Layer::Dns,
               Errc::Truncated);
  DnsQueryRepr empty;
  Buffer out(64);
  EXPECT_FAILS(empty.emit(mut(out)), Layer::Dns, Errc::BadName);
  DnsQueryRepr ok;
  ok.name = name("a.b");
  Buffer small(ok.buffer_len() - 1);
  EXPECT_FAILS(ok.emit(mut(small)), Layer::Dns, Errc::NoSpace);
}

}  // namespace
}  // namespace mpxe::net
