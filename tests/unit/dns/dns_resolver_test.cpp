// The DNS stub resolver scripted through whole lookups: queries checked byte for
// byte, replies built by hand after RFC 1035 4.1 (header, question, resource
// records, compression pointers) or taken from a dnsmasq capture, time moved
// explicitly.
#include "net/socket/dns_resolver.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "frames.h"
#include "net_test_util.h"

namespace mpxe::net {
namespace {

using test::Buffer;

constexpr Ipv4Address kServer = Ipv4Address::of(10, 77, 0, 1);
constexpr Ipv4Address kServer2 = Ipv4Address::of(10, 77, 0, 53);
constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
constexpr Ipv4Address kStranger = Ipv4Address::of(10, 77, 0, 66);
constexpr uint16_t kPort = 32850;  // the capture's client port
constexpr uint16_t kId = 0x4d50;   // the capture's query ID

// Hands out the values a test queues, then a counter: the resolver's ID is the
// high half of one draw.
class ScriptedRandom final : public Random {
 public:
  uint32_t next_u32() override {
    if (!queue.empty()) {
      uint32_t v = queue.front();
      queue.erase(queue.begin());
      return v;
    }
    return counter += 0x00010000;
  }
  std::vector<uint32_t> queue;
  uint32_t counter = 0x12340000;
};

struct Sent {
  UdpMeta meta;
  Buffer bytes;
};

class RecordingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    if (refuse > 0) {
      --refuse;
      return Error(Layer::Iface, Errc::WouldBlock);
    }
    sent.push_back({meta, Buffer(payload.begin(), payload.end())});
    return {};
  }
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<Sent> sent;
  int refuse = 0;
};

// ---------------------------------------------------------------------------
// Message builders, RFC 1035 4.1.

void put16(Buffer& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void put32(Buffer& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
// "www.mpxe.test" as labels and the root's zero.
void put_name(Buffer& b, const std::string& dotted) {
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    b.push_back(static_cast<uint8_t>(dot - start));
    b.insert(b.end(), dotted.begin() + static_cast<long>(start), dotted.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  b.push_back(0);
}
void put_pointer(Buffer& b, uint16_t offset) { put16(b, static_cast<uint16_t>(0xC000 | offset)); }

constexpr uint16_t kFlagsAnswer = 0x8180;  // QR, RD, RA, NOERROR
constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeCname = 5;
constexpr uint16_t kTypeAaaa = 28;
constexpr uint16_t kQuestionOffset = 12;

struct Message {
  Buffer b;
  uint16_t an = 0;

  // Header and one question; counts patched by done().
  Message(uint16_t id, uint16_t flags, const std::string& qname, uint16_t qtype = kTypeA,
          uint16_t qclass = 1) {
    put16(b, id);
    put16(b, flags);
    put16(b, 1);
    put16(b, 0);
    put16(b, 0);
    put16(b, 0);
    put_name(b, qname);
    put16(b, qtype);
    put16(b, qclass);
  }
  // Owner written by `owner` (a name or a pointer), then TYPE CLASS TTL RDLENGTH RDATA.
  template <typename Owner>
  Message& record(Owner owner, uint16_t type, uint32_t ttl, const Buffer& rdata) {
    owner(b);
    put16(b, type);
    put16(b, 1);
    put32(b, ttl);
    put16(b, static_cast<uint16_t>(rdata.size()));
    b.insert(b.end(), rdata.begin(), rdata.end());
    ++an;
    return *this;
  }
  Message& a(uint16_t owner_offset, uint32_t ttl, Ipv4Address address) {
    return record([&](Buffer& out) { put_pointer(out, owner_offset); }, kTypeA, ttl,
                  Buffer(address.octets, address.octets + 4));
  }
  // A CNAME whose target is written in full; returns the target's offset.
  uint16_t cname(uint16_t owner_offset, uint32_t ttl, const std::string& target) {
    Buffer rdata;
    put_name(rdata, target);
    uint16_t at = static_cast<uint16_t>(b.size() + 2 + 10);
    record([&](Buffer& out) { put_pointer(out, owner_offset); }, kTypeCname, ttl, rdata);
    return at;
  }
  Buffer done() const {
    Buffer out = b;
    out[6] = static_cast<uint8_t>(an >> 8);
    out[7] = static_cast<uint8_t>(an);
    return out;
  }
};

DnsResolverConfig config_with(std::initializer_list<Ipv4Address> servers) {
  DnsResolverConfig config;
  std::vector<Ipv4Address> list(servers);
  config.set_servers(list.data(), list.size());
  return config;
}

Bytes text(const char* s) { return bytes_of(s); }

std::string format(const DnsName& name) {
  char out[256];
  name.format(out, sizeof out);
  return out;
}

class DnsResolverTest : public ::testing::Test {
 protected:
  DnsResolverTest() { random.queue.push_back(uint32_t{kId} << 16); }

  void reply(const Buffer& bytes, Millis now, Ipv4Address from = kServer,
             uint16_t from_port = kDnsServerPort, uint16_t to_port = kPort) {
    UdpMeta meta;
    meta.src = from;
    meta.dst = kClient;
    meta.src_port = from_port;
    meta.dst_port = to_port;
    resolver.on_datagram(meta, Bytes(bytes.data(), bytes.size()), now, tx);
  }
  // Starts a lookup and polls the first query out.
  void begin(const char* name, Millis now = 0) {
    ASSERT_TRUE(resolver.start(text(name), kPort, now));
    ASSERT_EQ(resolver.state(), DnsResolverState::Querying);
    resolver.poll(now, tx);
  }
  // The standard answer: the question's name has address `a`, with `ttl`.
  Buffer answer(const std::string& name, Ipv4Address a, uint32_t ttl = 300) {
    Message m(resolver.query_id(), kFlagsAnswer, name);
    m.a(kQuestionOffset, ttl, a);
    return m.done();
  }

  ScriptedRandom random;
  RecordingSender tx;
  DnsResolver resolver{config_with({kServer}), random};
};

// ---------------------------------------------------------------------------

TEST_F(DnsResolverTest, SendsTheQueryDnsmasqWasAskedAndTakesItsCapturedCnameAnswer) {
  begin("www.mpxe.test");
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  // Byte for byte the query of the capture (same ID, same name): RD, one
  // question, type A, class IN.
  EXPECT_EQ(sent[0].bytes, test::to_buffer(test::udp_payload_of(test::frame(frames::kDnsQuery))));
  EXPECT_EQ(sent[0].meta.dst, kServer);
  EXPECT_EQ(sent[0].meta.dst_port, 53);
  EXPECT_EQ(sent[0].meta.src_port, kPort);

  Buffer response = test::to_buffer(test::udp_payload_of(test::frame(frames::kDnsResponse)));
  reply(response, 3);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  const DnsAnswer& a = resolver.answer();
  ASSERT_EQ(a.count, 1);
  EXPECT_EQ(a.addresses[0], Ipv4Address::of(10, 77, 0, 1));
  EXPECT_EQ(format(a.name), "www.mpxe.test");
  EXPECT_EQ(format(a.canonical), "boot.mpxe.test");
  EXPECT_TRUE(a.is_alias());
  EXPECT_EQ(a.ttl_s, 300u);
  EXPECT_EQ(a.source, DnsSource::Server);
  EXPECT_EQ(a.server, kServer);
  EXPECT_EQ(resolver.finished_at() - resolver.started_at(), 3u);
  EXPECT_EQ(resolver.next_deadline(), kNever);
  EXPECT_EQ(resolver.stats().accepted, 1u);
}

TEST_F(DnsResolverTest, DottedQuadIsItsOwnAnswerWithoutAQuery) {
  ASSERT_TRUE(resolver.start(text("192.168.7.9"), kPort, 5));
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().count, 1);
  EXPECT_EQ(resolver.answer().addresses[0], Ipv4Address::of(192, 168, 7, 9));
  EXPECT_EQ(resolver.answer().source, DnsSource::Literal);
  resolver.poll(5, tx);
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(resolver.stats().literals, 1u);
  // Not a strict dotted quad: a name like any other.
  begin("1.2.3");
  EXPECT_EQ(tx.take().size(), 1u);
}

TEST_F(DnsResolverTest, RetransmitsWithBackoffThenTimesOut) {
  begin("slow.mpxe.test");
  EXPECT_EQ(tx.take().size(), 1u);
  EXPECT_EQ(resolver.next_deadline(), 1000u);
  resolver.poll(999, tx);
  EXPECT_TRUE(tx.take().empty());
  resolver.poll(1000, tx);
  std::vector<Sent> second = tx.take();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(resolver.next_deadline(), 3000u);  // 1 s, then 2 s
  resolver.poll(3000, tx);
  std::vector<Sent> third = tx.take();
  ASSERT_EQ(third.size(), 1u);
  // The same query each time: one ID per lookup.
  EXPECT_EQ(second[0].bytes, third[0].bytes);
  EXPECT_EQ(resolver.next_deadline(), 7000u);  // then 4 s
  resolver.poll(6999, tx);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
  resolver.poll(7000, tx);
  EXPECT_TRUE(tx.take().empty());
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::Timeout);
  EXPECT_EQ(resolver.error(), Error(Layer::Dns, Errc::Unreachable));
  EXPECT_EQ(resolver.stats().queries, 3u);
  EXPECT_EQ(resolver.stats().retransmits, 2u);
  EXPECT_EQ(resolver.next_deadline(), kNever);
}

TEST_F(DnsResolverTest, TotalLimitCutsTheScheduleShort) {
  DnsResolverConfig config = config_with({kServer});
  config.rounds = 10;
  config.total_limit = 5000;
  ASSERT_TRUE(resolver.configure(config));
  begin("slow.mpxe.test");
  Millis now = 0;
  int sends = static_cast<int>(tx.take().size());
  while (resolver.state() == DnsResolverState::Querying) {
    now = resolver.next_deadline();
    ASSERT_LE(now, 5000u);
    resolver.poll(now, tx);
    sends += static_cast<int>(tx.take().size());
  }
  EXPECT_EQ(now, 5000u);
  EXPECT_EQ(sends, 3);  // 0, 1, 3 s; the 4 s wait is cut at 5 s
  EXPECT_EQ(resolver.failure(), DnsFailure::Timeout);
}

TEST_F(DnsResolverTest, NothingIsTakenPastTheTotalLimitEvenWithoutAPoll) {
  begin("slow.mpxe.test");
  reply(answer("slow.mpxe.test", Ipv4Address::of(10, 77, 0, 5)), 10000);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::Timeout);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongState), 1u);
}

TEST_F(DnsResolverTest, FallsOverToTheNextServerAndTakesALateAnswerFromTheFirst) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test");
  std::vector<Sent> first = tx.take();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].meta.dst, kServer);
  EXPECT_EQ(resolver.next_deadline(), 1000u);
  resolver.poll(1000, tx);
  std::vector<Sent> second = tx.take();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].meta.dst, kServer2);
  EXPECT_EQ(resolver.next_deadline(), 2000u);  // the first round waits 1 s for each
  resolver.poll(2000, tx);
  std::vector<Sent> third = tx.take();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].meta.dst, kServer);
  EXPECT_EQ(resolver.next_deadline(), 4000u);  // the second round 2 s

  reply(answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 80)), 2100, kServer2);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().server, kServer2);
  EXPECT_EQ(resolver.answer().addresses[0], Ipv4Address::of(10, 77, 0, 80));
}

TEST_F(DnsResolverTest, RoundRobinOfTwoServersEndsWithinTheLimits) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("slow.mpxe.test");
  std::vector<Millis> times = {0};
  std::vector<IpAddress> to = {tx.take()[0].meta.dst};
  while (resolver.state() == DnsResolverState::Querying) {
    Millis now = resolver.next_deadline();
    resolver.poll(now, tx);
    for (const Sent& s : tx.take()) {
      times.push_back(now);
      to.push_back(s.meta.dst);
    }
  }
  // Waits 1, 1, 2, 2, 4, (4 cut at the 10 s limit).
  EXPECT_EQ(times, (std::vector<Millis>{0, 1000, 2000, 4000, 6000}));
  EXPECT_EQ(to, (std::vector<IpAddress>{kServer, kServer2, kServer, kServer2, kServer}));
  EXPECT_EQ(resolver.finished_at(), 10000u);
  EXPECT_EQ(resolver.failure(), DnsFailure::Timeout);
}

TEST_F(DnsResolverTest, AMismatchedReplyIsDroppedSilently) {
  begin("www.mpxe.test");
  tx.take();
  const Ipv4Address good = Ipv4Address::of(10, 77, 0, 5);
  const Ipv4Address evil = Ipv4Address::of(6, 6, 6, 6);
  uint16_t id = resolver.query_id();

  // Wrong ID.
  Message wrong_id(static_cast<uint16_t>(id ^ 1), kFlagsAnswer, "www.mpxe.test");
  wrong_id.a(kQuestionOffset, 300, evil);
  reply(wrong_id.done(), 1);
  // Right bytes, wrong server: another host, the server's other port, our other port.
  reply(answer("www.mpxe.test", evil), 2, kStranger);
  reply(answer("www.mpxe.test", evil), 3, kServer, 5353);
  reply(answer("www.mpxe.test", evil), 4, kServer, 53, kPort + 1);
  // Another name, another type, another class.
  Message other_name(id, kFlagsAnswer, "www.evil.test");
  other_name.a(kQuestionOffset, 300, evil);
  reply(other_name.done(), 5);
  Message aaaa(id, kFlagsAnswer, "www.mpxe.test", kTypeAaaa);
  aaaa.a(kQuestionOffset, 300, evil);
  reply(aaaa.done(), 6);
  Message chaos(id, kFlagsAnswer, "www.mpxe.test", kTypeA, 3);
  chaos.a(kQuestionOffset, 300, evil);
  reply(chaos.done(), 7);
  // No question at all.
  Buffer no_question = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x81, 0x80,
                        0, 0, 0, 0, 0, 0, 0, 0};
  reply(no_question, 8);
  // Our own query reflected back (QR clear).
  Message query(id, 0x0100, "www.mpxe.test");
  reply(query.done(), 9);
  // Too short for a header.
  reply(Buffer{1, 2, 3}, 10);

  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
  const DnsStats& s = resolver.stats();
  EXPECT_EQ(s.drops(DnsDrop::WrongId), 1u);
  EXPECT_EQ(s.drops(DnsDrop::WrongServer), 3u);
  EXPECT_EQ(s.drops(DnsDrop::WrongQuestion), 4u);
  EXPECT_EQ(s.drops(DnsDrop::NotResponse), 1u);
  EXPECT_EQ(s.drops(DnsDrop::Malformed), 1u);
  EXPECT_EQ(s.last_error, Error(Layer::Dns, Errc::Truncated));
  EXPECT_TRUE(tx.sent.empty()) << "nothing is answered";
  EXPECT_EQ(resolver.next_deadline(), 1000u) << "the schedule is unchanged";

  // The name compares without regard to case (RFC 1035 2.3.3).
  reply(answer("WWW.Mpxe.TEST", good), 11);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().addresses[0], good);
}

TEST_F(DnsResolverTest, AServerNotYetAskedIsAStranger) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test");
  reply(answer("www.mpxe.test", Ipv4Address::of(6, 6, 6, 6)), 1, kServer2);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongServer), 1u);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
}

TEST_F(DnsResolverTest, RepliesAfterTheLookupAreDropped) {
  begin("www.mpxe.test");
  Buffer good = answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 5));
  reply(good, 1);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  reply(good, 2);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongState), 1u);
  EXPECT_EQ(resolver.answer().addresses[0], Ipv4Address::of(10, 77, 0, 5));
}

TEST_F(DnsResolverTest, FollowsACnameChainAndTakesTheSmallestTtl) {
  begin("www.mpxe.test");
  Message m(resolver.query_id(), kFlagsAnswer, "www.mpxe.test");
  uint16_t web = m.cname(kQuestionOffset, 600, "web.mpxe.test");
  uint16_t host = m.cname(web, 120, "host.mpxe.test");
  m.a(host, 900, Ipv4Address::of(10, 77, 0, 7));
  m.a(host, 900, Ipv4Address::of(10, 77, 0, 8));
  // An address for a name off the chain is not ours.
  m.a(web + 4, 900, Ipv4Address::of(6, 6, 6, 6));  // "mpxe.test"
  reply(m.done(), 4);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  const DnsAnswer& a = resolver.answer();
  ASSERT_EQ(a.count, 2);
  EXPECT_EQ(a.addresses[0], Ipv4Address::of(10, 77, 0, 7));
  EXPECT_EQ(a.addresses[1], Ipv4Address::of(10, 77, 0, 8));
  EXPECT_EQ(format(a.canonical), "host.mpxe.test");
  EXPECT_EQ(a.ttl_s, 120u);
}

TEST_F(DnsResolverTest, ACnameLoopEndsInNoAddress) {
  begin("a.mpxe.test");
  Message m(resolver.query_id(), kFlagsAnswer, "a.mpxe.test");
  uint16_t b = m.cname(kQuestionOffset, 60, "b.mpxe.test");
  m.cname(b, 60, "a.mpxe.test");
  reply(m.done(), 1);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NoAddress);
}

TEST_F(DnsResolverTest, ACnameWithoutTheTargetsAddressIsNoAddress) {
  begin("www.mpxe.test");
  Message m(resolver.query_id(), kFlagsAnswer, "www.mpxe.test");
  m.cname(kQuestionOffset, 60, "elsewhere.example");
  reply(m.done(), 1);
  EXPECT_EQ(resolver.failure(), DnsFailure::NoAddress);
  EXPECT_EQ(format(resolver.answer().canonical), "elsewhere.example");
}

TEST_F(DnsResolverTest, NoDataIsNoAddress) {
  begin("www.mpxe.test");
  reply(Message(resolver.query_id(), kFlagsAnswer, "www.mpxe.test").done(), 1);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NoAddress);
  EXPECT_STREQ(dns_failure_text(resolver.failure()), "no A record for the name");
}

TEST_F(DnsResolverTest, CompressionPointersAreFollowedAndLoopsRefused) {
  begin("www.mpxe.test");
  uint16_t id = resolver.query_id();
  // A pointer to itself in the answer's owner name: a loop.
  Message self(id, kFlagsAnswer, "www.mpxe.test");
  uint16_t at = static_cast<uint16_t>(self.b.size());
  self.a(at, 300, Ipv4Address::of(6, 6, 6, 6));
  reply(self.done(), 1);
  EXPECT_EQ(resolver.stats().last_error, Error(Layer::Dns, Errc::BadPointer));
  // A pointer forwards, into the RDATA.
  Message forward(id, kFlagsAnswer, "www.mpxe.test");
  forward.a(static_cast<uint16_t>(forward.b.size() + 12), 300, Ipv4Address::of(6, 6, 6, 6));
  reply(forward.done(), 2);
  // Two pointers that point at each other: the second must point below the first.
  Message pair(id, kFlagsAnswer, "www.mpxe.test");
  uint16_t first = static_cast<uint16_t>(pair.b.size());
  pair.record([&](Buffer& b) { put_pointer(b, static_cast<uint16_t>(first + 2)); }, kTypeA, 300,
              {6, 6, 6, 6});
  Buffer loop = pair.done();
  // Turn the record's TYPE field (right after the first pointer) into a pointer
  // back to the first one.
  loop[first + 2] = 0xC0;
  loop[first + 3] = static_cast<uint8_t>(first);
  reply(loop, 3);
  // A pointer past the end of the message.
  Message past(id, kFlagsAnswer, "www.mpxe.test");
  past.a(0x3FFF, 300, Ipv4Address::of(6, 6, 6, 6));
  reply(past.done(), 4);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::Malformed), 4u);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);

  // The honest answer with its names compressed: owner points at the question,
  // the CNAME target's tail points at "mpxe.test" inside the question.
  Message good(id, kFlagsAnswer, "www.mpxe.test");
  Buffer target = {4, 'b', 'o', 'o', 't'};
  put_pointer(target, kQuestionOffset + 4);
  uint16_t target_at = static_cast<uint16_t>(good.b.size() + 12);
  good.record([](Buffer& b) { put_pointer(b, kQuestionOffset); }, kTypeCname, 300, target);
  good.a(target_at, 300, Ipv4Address::of(10, 77, 0, 9));
  reply(good.done(), 5);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(format(resolver.answer().canonical), "boot.mpxe.test");
  EXPECT_EQ(resolver.answer().addresses[0], Ipv4Address::of(10, 77, 0, 9));
}

TEST_F(DnsResolverTest, TruncatedAnswerIsAnExplicitError) {
  begin("big.mpxe.test");
  Message m(resolver.query_id(), kFlagsAnswer | 0x0200, "big.mpxe.test");
  m.a(kQuestionOffset, 300, Ipv4Address::of(10, 77, 0, 9));
  Buffer bytes = m.done();
  bytes[7] = 20;  // promises 20 answers: cut after the first
  reply(bytes, 1);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::Truncated);
  EXPECT_EQ(resolver.error(), Error(Layer::Dns, Errc::Truncated));
  EXPECT_FALSE(resolver.cached(text("big.mpxe.test"), 2)) << "a partial answer is not kept";
}

TEST_F(DnsResolverTest, NxDomainEndsTheLookupWithoutAskingAnotherServer) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("nope.mpxe.test");
  tx.take();
  reply(Message(resolver.query_id(), 0x8183, "nope.mpxe.test").done(), 2);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NxDomain);
  EXPECT_EQ(resolver.rcode(), 3);
  EXPECT_STREQ(dns_failure_text(resolver.failure()), "name does not exist (NXDOMAIN)");
  resolver.poll(5000, tx);
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_FALSE(resolver.cached(text("nope.mpxe.test"), 3));
}

TEST_F(DnsResolverTest, ServerFailureMovesToTheNextServerAtOnce) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test");
  tx.take();
  reply(Message(resolver.query_id(), 0x8182, "www.mpxe.test").done(), 10);
  std::vector<Sent> next = tx.take();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].meta.dst, kServer2);
  EXPECT_EQ(resolver.next_deadline(), 1010u);
  // It is out for the rest of the lookup: the next round skips it.
  resolver.poll(1010, tx);
  next = tx.take();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].meta.dst, kServer2);
  reply(answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 5)), 1020, kServer2);
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
}

TEST_F(DnsResolverTest, ALateRefusalFromAnEarlierServerLeavesTheCurrentWaitAlone) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test");
  resolver.poll(1000, tx);
  ASSERT_EQ(tx.take().size(), 2u);  // kServer, then kServer2
  Buffer refused = Message(resolver.query_id(), 0x8185, "www.mpxe.test").done();
  reply(refused, 1100, kServer);
  reply(refused, 1200, kServer);  // a repeat changes nothing
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(resolver.next_deadline(), 2000u);
  // The next round skips the server that refused.
  resolver.poll(2000, tx);
  std::vector<Sent> next = tx.take();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].meta.dst, kServer2);
  reply(answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 5)), 2100, kServer2);
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
}

TEST_F(DnsResolverTest, EveryServerSayingNoIsThatError) {
  struct Case {
    uint16_t flags;
    DnsFailure failure;
  } cases[] = {{0x8182, DnsFailure::ServerFailure},
               {0x8185, DnsFailure::Refused},
               {0x8184, DnsFailure::ServerError},
               {0x8181, DnsFailure::ServerError}};
  for (const Case& c : cases) {
    begin("www.mpxe.test");
    tx.take();
    reply(Message(resolver.query_id(), c.flags, "www.mpxe.test").done(), 1);
    EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
    EXPECT_EQ(resolver.failure(), c.failure);
    EXPECT_EQ(resolver.rcode(), c.flags & 0xF);
    EXPECT_TRUE(tx.sent.empty());
  }
}

TEST_F(DnsResolverTest, ARefusalThenSilenceReportsTheRefusal) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test");
  reply(Message(resolver.query_id(), 0x8185, "www.mpxe.test").done(), 1);
  while (resolver.state() == DnsResolverState::Querying) resolver.poll(resolver.next_deadline(), tx);
  EXPECT_EQ(resolver.failure(), DnsFailure::Refused);
}

TEST_F(DnsResolverTest, ARefusedSendIsRetriedWithoutSpendingAnAttempt) {
  tx.refuse = 3;  // the server's MAC is being resolved
  ASSERT_TRUE(resolver.start(text("www.mpxe.test"), kPort, 0));
  resolver.poll(0, tx);
  EXPECT_EQ(resolver.next_deadline(), DnsResolver::kSendRetry);
  resolver.poll(20, tx);
  resolver.poll(40, tx);
  EXPECT_TRUE(tx.sent.empty());
  resolver.poll(60, tx);
  EXPECT_EQ(tx.take().size(), 1u);
  EXPECT_EQ(resolver.stats().send_failures, 3u);
  EXPECT_EQ(resolver.stats().retransmits, 0u);
  // The wait runs from the attempt's start, not from the send that finally left.
  EXPECT_EQ(resolver.next_deadline(), 1000u);
}

TEST_F(DnsResolverTest, ASenderThatRefusesEverythingEndsInSendFailed) {
  tx.refuse = 1 << 30;
  ASSERT_TRUE(resolver.start(text("www.mpxe.test"), kPort, 0));
  int polls = 0;
  while (resolver.state() == DnsResolverState::Querying && polls < 10000) {
    resolver.poll(resolver.next_deadline(), tx);
    ++polls;
  }
  EXPECT_EQ(resolver.failure(), DnsFailure::SendFailed);
  EXPECT_EQ(resolver.error(), Error(Layer::Iface, Errc::WouldBlock));
  EXPECT_LE(resolver.finished_at(), 7000u);
}

TEST_F(DnsResolverTest, CachesTheAnswerUntilItsTtlRunsOut) {
  begin("www.mpxe.test");
  tx.take();
  reply(answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 5), 60), 100);
  ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_TRUE(resolver.cached(text("www.mpxe.test"), 100));

  // A hit: no query, the rest of the TTL, any case.
  ASSERT_TRUE(resolver.start(text("WWW.MPXE.TEST."), kPort, 30100));
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_EQ(resolver.answer().source, DnsSource::Cache);
  EXPECT_EQ(resolver.answer().addresses[0], Ipv4Address::of(10, 77, 0, 5));
  EXPECT_EQ(resolver.answer().ttl_s, 30u);
  resolver.poll(30100, tx);
  EXPECT_TRUE(tx.sent.empty());
  EXPECT_EQ(resolver.stats().cache_hits, 1u);

  // Still there a millisecond before the end, gone at it.
  EXPECT_TRUE(resolver.cached(text("www.mpxe.test"), 60099));
  EXPECT_FALSE(resolver.cached(text("www.mpxe.test"), 60100));
  random.queue.push_back(0x77770000);
  begin("www.mpxe.test", 60100);
  std::vector<Sent> sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(resolver.query_id(), 0x7777) << "a fresh ID for each lookup";
  EXPECT_EQ(resolver.stats().cache_misses, 2u);
}

TEST_F(DnsResolverTest, TtlIsCappedAndZeroIsNotCached) {
  begin("long.mpxe.test");
  reply(answer("long.mpxe.test", Ipv4Address::of(10, 77, 0, 5), 0x7FFFFFFF), 0);
  EXPECT_EQ(resolver.answer().ttl_s, 3600u);
  EXPECT_TRUE(resolver.cached(text("long.mpxe.test"), 3599999));
  EXPECT_FALSE(resolver.cached(text("long.mpxe.test"), 3600000));

  begin("zero.mpxe.test");
  reply(answer("zero.mpxe.test", Ipv4Address::of(10, 77, 0, 6), 0), 0);
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_FALSE(resolver.cached(text("zero.mpxe.test"), 0));

  // RFC 2181 8: a TTL with the top bit set counts as 0.
  begin("neg.mpxe.test");
  reply(answer("neg.mpxe.test", Ipv4Address::of(10, 77, 0, 7), 0x80000000u), 0);
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
  EXPECT_FALSE(resolver.cached(text("neg.mpxe.test"), 0));
}

TEST_F(DnsResolverTest, AFullCacheReplacesItsLeastRecentlyUsedEntry) {
  Millis now = 0;
  auto resolve = [&](const std::string& name, uint8_t last) {
    ++now;
    begin(name.c_str(), now);
    reply(answer(name, Ipv4Address::of(10, 77, 1, last)), now);
    ASSERT_EQ(resolver.state(), DnsResolverState::Done);
  };
  for (uint8_t i = 0; i < DnsResolver::kCacheSlots; ++i) resolve("h" + std::to_string(i) + ".test", i);
  EXPECT_EQ(resolver.cache_entries(now), DnsResolver::kCacheSlots);
  // Touch h0: h1 is now the least recently used.
  ASSERT_TRUE(resolver.start(text("h0.test"), kPort, ++now));
  EXPECT_EQ(resolver.answer().source, DnsSource::Cache);
  resolve("h9.test", 9);
  EXPECT_EQ(resolver.cache_entries(now), DnsResolver::kCacheSlots);
  EXPECT_TRUE(resolver.cached(text("h0.test"), now));
  EXPECT_FALSE(resolver.cached(text("h1.test"), now));
  EXPECT_TRUE(resolver.cached(text("h9.test"), now));
  resolver.clear_cache();
  EXPECT_EQ(resolver.cache_entries(now), 0u);
}

TEST_F(DnsResolverTest, RefusesBadNamesAndASecondLookup) {
  EXPECT_FAILS(resolver.start(text(""), kPort, 0), Layer::Dns, Errc::BadName);
  EXPECT_FAILS(resolver.start(text("a..b"), kPort, 0), Layer::Dns, Errc::BadName);
  std::string long_label(64, 'x');
  EXPECT_FAILS(resolver.start(text(long_label.c_str()), kPort, 0), Layer::Dns, Errc::NameTooLong);
  EXPECT_EQ(resolver.state(), DnsResolverState::Idle);
  begin("www.mpxe.test");
  uint16_t id = resolver.query_id();
  EXPECT_FAILS(resolver.start(text("other.test"), kPort, 1), Layer::Dns, Errc::InUse);
  EXPECT_FAILS(resolver.configure(config_with({kServer2})), Layer::Dns, Errc::InUse);
  EXPECT_EQ(resolver.query_id(), id);
  EXPECT_EQ(resolver.state(), DnsResolverState::Querying);
}

TEST_F(DnsResolverTest, NoServerFailsWithoutAQuery) {
  ASSERT_TRUE(resolver.configure(DnsResolverConfig()));
  ASSERT_TRUE(resolver.start(text("www.mpxe.test"), kPort, 0));
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::NoServer);
  // A literal needs none.
  ASSERT_TRUE(resolver.start(text("10.0.0.1"), kPort, 0));
  EXPECT_EQ(resolver.state(), DnsResolverState::Done);
}

TEST_F(DnsResolverTest, ServerListDropsUnusableAndRepeatedAddresses) {
  Ipv4Address list[] = {Ipv4Address(), kServer, Ipv4Address::broadcast(), kServer,
                        Ipv4Address::of(224, 0, 0, 251), kServer2, Ipv4Address::of(1, 1, 1, 1),
                        Ipv4Address::of(8, 8, 8, 8), Ipv4Address::of(9, 9, 9, 9)};
  DnsResolverConfig config;
  config.set_servers(list, sizeof list / sizeof list[0]);
  ASSERT_EQ(config.server_count, 4);
  EXPECT_EQ(config.servers[0], kServer);
  EXPECT_EQ(config.servers[1], kServer2);
  EXPECT_EQ(config.servers[2], Ipv4Address::of(1, 1, 1, 1));
  EXPECT_EQ(config.servers[3], Ipv4Address::of(8, 8, 8, 8));
}

TEST_F(DnsResolverTest, PortUnreachableMovesOnThenFails) {
  ASSERT_TRUE(resolver.configure(config_with({kServer, kServer2})));
  begin("www.mpxe.test", 0);
  tx.take();
  UdpMeta quoted;
  quoted.src = kClient;
  quoted.dst = kServer;
  quoted.src_port = kPort;
  quoted.dst_port = 53;
  // Quoting another port of ours: not our query.
  UdpMeta other = quoted;
  other.src_port = kPort + 1;
  resolver.on_unreachable(other, 3, 5);
  EXPECT_EQ(resolver.next_deadline(), 1000u);
  resolver.on_unreachable(quoted, 3, 5);
  EXPECT_EQ(resolver.next_deadline(), 5u);
  resolver.poll(5, tx);
  std::vector<Sent> next = tx.take();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].meta.dst, kServer2);
  quoted.dst = kServer2;
  resolver.on_unreachable(quoted, 3, 6);
  resolver.poll(6, tx);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::Unreachable);
}

TEST_F(DnsResolverTest, CancelEndsTheLookup) {
  begin("www.mpxe.test");
  resolver.cancel(5);
  EXPECT_EQ(resolver.state(), DnsResolverState::Failed);
  EXPECT_EQ(resolver.failure(), DnsFailure::Cancelled);
  EXPECT_EQ(resolver.next_deadline(), kNever);
  reply(answer("www.mpxe.test", Ipv4Address::of(10, 77, 0, 5)), 6);
  EXPECT_EQ(resolver.stats().drops(DnsDrop::WrongState), 1u);
}

TEST_F(DnsResolverTest, EveryFailureHasItsOwnText) {
  std::vector<std::string> seen;
  for (uint8_t f = 0; f <= static_cast<uint8_t>(DnsFailure::Cancelled); ++f) {
    std::string t = dns_failure_text(static_cast<DnsFailure>(f));
    EXPECT_NE(t, "unknown failure");
    for (const std::string& other : seen) EXPECT_NE(t, other);
    seen.push_back(t);
  }
  for (size_t d = 0; d < kDnsDropReasons; ++d)
    EXPECT_STRNE(dns_drop_text(static_cast<DnsDrop>(d)), "unknown");
}

TEST(DnsResolverSize, FitsAFirmwareContext) {
  // Everything inside the object: a name, the query, the answer and the cache.
  EXPECT_LE(sizeof(DnsResolver), 8u * 1024);
}

}  // namespace
}  // namespace mpxe::net
