// AAAA records (RFC 3596): the wire parser on dnsmasq's captured answers
// (dns_aaaa_captures.h, capture_aaaa.py) and hostile variations of them, and the
// resolver asking A, AAAA or both in the caller's order, over IPv4 or IPv6.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "dns_aaaa_captures.h"
#include "net/socket/dns_resolver.h"
#include "net/wire/dns.h"

namespace mpxe::net {
namespace {

using Buffer = std::vector<uint8_t>;

template <size_t N>
Buffer buffer(const uint8_t (&a)[N]) {
  return Buffer(a, a + N);
}

const Ipv6Address kFd00_7 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 7);
const Ipv4Address kV4_7 = Ipv4Address::of(10, 77, 0, 7);
constexpr Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 1);
constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
constexpr uint16_t kPort = 40000;

DnsName name(const char* dotted) { return DnsName::from_text(bytes_of(dotted)).value(); }

std::string format(const DnsName& n) {
  char out[256];
  n.format(out, sizeof out);
  return out;
}

Result<DnsResponse> parse(const Buffer& bytes) {
  auto packet = DnsPacket::check(Bytes(bytes.data(), bytes.size()));
  if (!packet) return packet.error();
  return DnsResponse::parse(packet.value());
}

// The query the resolver must send for a capture: its header as a query (RD
// only, no answers) and its question, byte for byte.
Buffer query_of(const Buffer& capture, size_t question_end) {
  Buffer q(capture.begin(), capture.begin() + static_cast<long>(question_end));
  q[2] = 0x01;  // RD
  q[3] = 0x00;
  q[6] = q[7] = 0;  // ANCOUNT
  return q;
}

// ---------------------------------------------------------------------------
// The wire

TEST(DnsAaaa, ParsesDnsmasqsAnswer) {
  Buffer bytes = buffer(captures::kAaaaDual);
  auto r = parse(bytes);
  ASSERT_TRUE(r) << error_text(r.error());
  EXPECT_EQ(r.value().question_type, DnsType::Aaaa);
  EXPECT_EQ(r.value().a_count, 0);
  ASSERT_EQ(r.value().aaaa_count, 1);
  EXPECT_EQ(r.value().aaaa[0].address, kFd00_7);
  EXPECT_EQ(r.value().aaaa[0].ttl, 300u);
  Ipv6Address v6[4];
  Ipv4Address v4[4];
  uint32_t ttl = 0;
  EXPECT_EQ(r.value().addresses_for(name("DUAL.mpxe.test"), v6, 4, &ttl), 1u);
  EXPECT_EQ(v6[0], kFd00_7);
  EXPECT_EQ(ttl, 300u);
  EXPECT_EQ(r.value().addresses_for(name("dual.mpxe.test"), v4, 4, &ttl), 0u);
}

TEST(DnsAaaa, FollowsDnsmasqsCnameToTheAaaa) {
  Buffer bytes = buffer(captures::kAaaaCname);
  auto r = parse(bytes);
  ASSERT_TRUE(r) << error_text(r.error());
  EXPECT_EQ(r.value().cname_count, 1);
  ASSERT_EQ(r.value().aaaa_count, 1);
  Ipv6Address v6[4];
  uint32_t ttl = 0;
  DnsName canonical;
  EXPECT_EQ(r.value().addresses_for(name("www6.mpxe.test"), v6, 4, &ttl, &canonical), 1u);
  EXPECT_EQ(v6[0], kFd00_7);
  EXPECT_EQ(format(canonical), "dual.mpxe.test");
}

TEST(DnsAaaa, KeepsTheOrderOfSeveralAndTakesNodata) {
  Buffer multi = buffer(captures::kAaaaMulti);
  auto r = parse(multi);
  ASSERT_TRUE(r);
  Ipv6Address v6[4];
  uint32_t ttl = 0;
  ASSERT_EQ(r.value().addresses_for(name("multi6.mpxe.test"), v6, 4, &ttl), 2u);
  EXPECT_EQ(v6[0], Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0xa));
  EXPECT_EQ(v6[1], Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0xb));
  EXPECT_EQ(r.value().addresses_for(name("multi6.mpxe.test"), v6, 1, &ttl), 1u) << "capacity";

  Buffer nodata = buffer(captures::kAaaaNodata);
  auto n = parse(nodata);
  ASSERT_TRUE(n);
  EXPECT_EQ(n.value().rcode, DnsRcode::NoError);
  EXPECT_EQ(n.value().answer_count, 0);
  EXPECT_EQ(n.value().addresses_for(name("boot.mpxe.test"), v6, 4, &ttl), 0u);
}

TEST(DnsAaaa, RefusesAnAaaaWhoseDataIsNot16Bytes) {
  // The capture's RDLENGTH sits at 42-43, its 16 bytes at 44-59.
  Buffer bytes = buffer(captures::kAaaaDual);
  ASSERT_EQ(bytes.size(), 60u);
  ASSERT_EQ(bytes[43], 16);
  Buffer short_one = bytes;
  short_one[43] = 15;
  short_one.pop_back();
  EXPECT_EQ(parse(short_one).error(), Error(Layer::Dns, Errc::BadLength));
  Buffer long_one = bytes;
  long_one[43] = 17;
  long_one.push_back(0);
  EXPECT_EQ(parse(long_one).error(), Error(Layer::Dns, Errc::BadLength));
  Buffer four = bytes;
  four[43] = 4;
  four.resize(48);
  EXPECT_EQ(parse(four).error(), Error(Layer::Dns, Errc::BadLength));
  // RDATA promised past the end.
  Buffer cut = bytes;
  cut.pop_back();
  EXPECT_EQ(parse(cut).error(), Error(Layer::Dns, Errc::Truncated));
  // An A record with an AAAA's 16 bytes.
  Buffer a16 = bytes;
  a16[35] = 1;  // TYPE A
  EXPECT_EQ(parse(a16).error(), Error(Layer::Dns, Errc::BadLength));
}

TEST(DnsAaaa, EmitsTheQueryDnsmasqWasAsked) {
  DnsQueryRepr q;
  q.id = 0x6a01;
  q.name = name("dual.mpxe.test");
  q.type = DnsType::Aaaa;
  Buffer out(q.buffer_len());
  ASSERT_TRUE(q.emit(MutableBytes(out.data(), out.size())));
  EXPECT_EQ(out, query_of(buffer(captures::kAaaaDual), 32));
}

// ---------------------------------------------------------------------------
// The resolver

class QueuedRandom final : public Random {
 public:
  uint32_t next_u32() override {
    if (!ids.empty()) {
      uint32_t v = uint32_t{ids.front()} << 16;
      ids.erase(ids.begin());
      return v;
    }
    return counter += 0x00010000;
  }
  std::vector<uint16_t> ids;
  uint32_t counter = 0x77770000;
};

struct Sent {
  UdpMeta meta;
  Buffer bytes;
};

class RecordingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    sent.push_back({meta, Buffer(payload.begin(), payload.end())});
    return {};
  }
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<Sent> sent;
};

class DnsFamilyTest : public ::testing::Test {
 protected:
  DnsFamilyTest() { use_servers({kServer}); }

  void use_servers(std::vector<IpAddress> servers) {
    DnsResolverConfig config;
    config.set_servers(servers.data(), servers.size());
    ASSERT_TRUE(resolver.configure(config));
  }
  void reply(const Buffer& bytes, Millis now, IpAddress from = kServer) {
    UdpMeta meta;
    meta.src = from;
    meta.dst = kClient;
    meta.src_port = kDnsServerPort;
    meta.dst_port = kPort;
    resolver.on_datagram(meta, Bytes(bytes.data(), bytes.size()), now, tx);
  }
  void begin(const char* host, DnsFamily family, Millis now = 0) {
    ASSERT_TRUE(resolver.start(bytes_of(host), kPort, now, family));
    ASSERT_EQ(resolver.state(), DnsResolverState::Querying);
    resolver.poll(now, tx);
  }
  // An A answer for boot.mpxe.test, as kAaaaNodata's question but type A.
  Buffer boot_a(uint16_t id) {
    Buffer b = buffer(captures::kAaaaNodata);
    b[0] = static_cast<uint8_t>(id >> 8);
    b[1] = static_cast<uint8_t>(id);
    b[2] = 0x85;
    b[7] = 1;
    b[29] = 1;  // QTYPE A
    const uint8_t record[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 77, 0, 1};
    b.insert(b.end(), record, record + sizeof record);
    return b;
  }

  QueuedRandom random;
  RecordingSender tx;
  DnsResolver resolver{DnsResolverConfig{}, random};
};

TEST_F(DnsFamilyTest, AaaaOnlyAsksAaaaAndTakesDnsmasqsAnswer) {
  random.ids = {0x6a01};
  begin("dual.mpxe.test", DnsFamily::V6);
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].bytes, query_of(buffer(captures::kAaaaDual), 32));
  EXPECT_EQ(sent[0].meta.dst, IpAddress(kServer));
  EXPECT_EQ(resolver.query_type(), DnsType::Aaaa);
  reply(buffer(captures::kAaaaDual), 4);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  const DnsAnswer& a = resolver.answer();
  ASSERT_EQ(a.count, 1);
  EXPECT_EQ(a.addresses[0], IpAddress(kFd00_7));
  EXPECT_EQ(a.ttl_s, 300u);
  EXPECT_EQ(a.source, DnsSource::Server);
  EXPECT_EQ(a.server, IpAddress(kServer));
  EXPECT_FALSE(a.is_alias());
  EXPECT_TRUE(tx.take().empty());
}

TEST_F(DnsFamilyTest, AaaaFollowsTheCapturedCname) {
  random.ids = {0x6a03};
  begin("www6.mpxe.test", DnsFamily::V6);
  reply(buffer(captures::kAaaaCname), 2);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kFd00_7));
  EXPECT_EQ(format(resolver.answer().canonical), "dual.mpxe.test");
}

TEST_F(DnsFamilyTest, BothFamiliesComeInThePreferredOrder) {
  // IPv6 first: AAAA, then at once (on the answer, not at a poll) A.
  random.ids = {0x6a01, 0x6a02};
  begin("dual.mpxe.test", DnsFamily::PreferV6);
  ASSERT_EQ(tx.take().size(), 1u);
  reply(buffer(captures::kAaaaDual), 3);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
  std::vector<Sent> second = tx.take();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].bytes, query_of(buffer(captures::kADual), 32));
  // The first query's answer again is another transaction's now.
  reply(buffer(captures::kAaaaDual), 4);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongId), 1u);
  reply(buffer(captures::kADual), 5);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  ASSERT_EQ(resolver.answer().count, 2);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kFd00_7));
  EXPECT_EQ(resolver.answer().addresses[1], IpAddress(kV4_7));
  EXPECT_EQ(resolver.stats().queries, 2u);

  // IPv4 first: the same name, the other order (and not the other family's cache).
  random.ids = {0x6a02, 0x6a01};
  begin("dual.mpxe.test", DnsFamily::PreferV4, 10);
  std::vector<Sent> first = tx.take();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].bytes, query_of(buffer(captures::kADual), 32));
  reply(buffer(captures::kADual), 11);
  reply(buffer(captures::kAaaaDual), 12);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  ASSERT_EQ(resolver.answer().count, 2);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kV4_7));
  EXPECT_EQ(resolver.answer().addresses[1], IpAddress(kFd00_7));
}

TEST_F(DnsFamilyTest, NodataForOneFamilyLeavesTheOther) {
  random.ids = {0x6a05, 0x0b0b};
  begin("boot.mpxe.test", DnsFamily::PreferV6);
  reply(buffer(captures::kAaaaNodata), 2);
  ASSERT_EQ(resolver.state(), DnsResolverState::Querying);
  ASSERT_EQ(tx.take().size(), 2u);
  reply(boot_a(0x0b0b), 3);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  ASSERT_EQ(resolver.answer().count, 1);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(Ipv4Address::of(10, 77, 0, 1)));
  EXPECT_EQ(resolver.answer().ttl_s, 60u);

  // AAAA only: NODATA is the end, said for AAAA.
  random.ids = {0x6a05};
  begin("boot.mpxe.test", DnsFamily::V6, 10);
  reply(buffer(captures::kAaaaNodata), 11);
  ASSERT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NoAddress);
  EXPECT_STREQ(dns_failure_text(resolver.failure(), resolver.family()), "no AAAA record for the name");
  EXPECT_STREQ(dns_failure_text(DnsFailure::NoAddress, DnsFamily::V4), "no A record for the name");
  EXPECT_STREQ(dns_failure_text(DnsFailure::NoAddress, DnsFamily::PreferV4),
               "no A or AAAA record for the name");
}

TEST_F(DnsFamilyTest, AnAnswerOfTheOtherTypeIsTheWrongQuestion) {
  random.ids = {0x6a02};  // the A capture's ID, asked as AAAA
  begin("dual.mpxe.test", DnsFamily::V6);
  reply(buffer(captures::kADual), 1);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongQuestion), 1u);
}

TEST_F(DnsFamilyTest, NxdomainEndsBothPhases) {
  random.ids = {0x6a05};
  begin("boot.mpxe.test", DnsFamily::PreferV6);
  Buffer nx = buffer(captures::kAaaaNodata);
  nx[3] = 0x83;  // RA, NXDOMAIN
  reply(nx, 1);
  ASSERT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NxDomain);
  EXPECT_EQ(tx.take().size(), 1u) << "no A query after NXDOMAIN";
}

TEST_F(DnsFamilyTest, ASilentFirstPhaseLeavesTheSecondTheRestOfTheLimit) {
  // AAAA unanswered: 0, 1, 3 s, its phase over at 7 s; A asked then, within the
  // 10 s of the lookup.
  random.ids = {0x6a05, 0x0b0b};
  begin("boot.mpxe.test", DnsFamily::PreferV6);
  for (Millis t : {1000, 3000, 7000}) resolver.poll(t, tx);
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(resolver.query_type(), DnsType::A);
  EXPECT_EQ(sent[3].bytes[29], 1) << "QTYPE A";
  reply(boot_a(0x0b0b), 7005);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().count, 1);

  // Both silent: the first failure, at the lookup's limit.
  random.ids = {0x1111, 0x2222};
  begin("boot.mpxe.test", DnsFamily::PreferV4, 20000);
  for (Millis t = 20000; resolver.state() == DnsResolverState::Querying; t = resolver.next_deadline())
    resolver.poll(t, tx);
  EXPECT_EQ(resolver.failure(), DnsFailure::Timeout);
  EXPECT_EQ(resolver.finished_at(), 30000u);
}

TEST_F(DnsFamilyTest, TheCacheKeepsEachFamilyApart) {
  random.ids = {0x6a01};
  begin("dual.mpxe.test", DnsFamily::V6);
  reply(buffer(captures::kAaaaDual), 1);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_TRUE(resolver.cached(bytes_of("dual.mpxe.test"), 2, DnsFamily::V6));
  EXPECT_FALSE(resolver.cached(bytes_of("dual.mpxe.test"), 2));
  ASSERT_TRUE(resolver.start(bytes_of("Dual.Mpxe.Test"), kPort, 2, DnsFamily::V6));
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().source, DnsSource::Cache);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kFd00_7));
  ASSERT_TRUE(resolver.start(bytes_of("dual.mpxe.test"), kPort, 3));
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying) << "an A lookup is not served AAAA";
}

TEST_F(DnsFamilyTest, LiteralsAnswerForTheirFamilyOnly) {
  ASSERT_TRUE(resolver.start(bytes_of("fd00::7"), kPort, 0, DnsFamily::V6));
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().source, DnsSource::Literal);
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kFd00_7));
  ASSERT_TRUE(resolver.start(bytes_of("10.77.0.7"), kPort, 0, DnsFamily::PreferV6));
  EXPECT_EQ(resolver.answer().addresses[0], IpAddress(kV4_7));
  EXPECT_EQ(resolver.start(bytes_of("fd00::7"), kPort, 0).error(), Error(Layer::Dns, Errc::Unsupported))
      << "an A-only lookup never sends an IPv6 literal as a name";
  EXPECT_EQ(resolver.start(bytes_of("10.77.0.7"), kPort, 0, DnsFamily::V6).error(),
            Error(Layer::Dns, Errc::Unsupported));
  EXPECT_TRUE(tx.take().empty());
  EXPECT_EQ(resolver.stats().literals, 2u);
}

TEST_F(DnsFamilyTest, AnIpv6ServerIsAskedOverIpv6) {
  const IpAddress server6 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0x53);
  const IpAddress other6 = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0x54);
  use_servers({server6, Ipv6Address(), server6, kServer});
  EXPECT_EQ(resolver.config().server_count, 2) << "unspecified and repeated ones dropped";
  random.ids = {0x6a01};
  begin("dual.mpxe.test", DnsFamily::V6);
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].meta.dst, server6);
  EXPECT_TRUE(sent[0].meta.src.is_unspecified()) << "the interface picks the source";
  EXPECT_EQ(sent[0].meta.dst_port, kDnsServerPort);
  reply(buffer(captures::kAaaaDual), 1, other6);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongServer), 1u);
  reply(buffer(captures::kAaaaDual), 2, server6);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().server, server6);
}

}  // namespace
}  // namespace mpxe::net
