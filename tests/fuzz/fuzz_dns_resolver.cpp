// The DNS stub resolver fed arbitrary datagrams (and ICMP errors) during lookups.
//
// Input: byte 0 configures the run:
//   bits 0-1  servers: 1 to 4
//   bit 2     the cache starts with "cached.mpxe.test" in it (a lookup answered first)
//   bit 3     the UdpSender refuses every third send (an interface waiting for ARP)
//   bits 4-7  the first name looked up, from kNames (a name, an alias target, a
//             literal of either family, the cached name, a 63-octet label, ...);
//             each next lookup, started whenever one ends, takes the next name
// Byte 1:
//   bits 0-1  the first lookup's family (A, AAAA, A then AAAA, AAAA then A); each
//             next lookup takes the next (a literal of a family not asked for is
//             refused, and the next name and family are tried)
//   bit 2     the servers are IPv6 addresses
// Then records [ctl][u16 len, big-endian][len bytes], each one datagram:
//   ctl bits 0-1  source: server 0 port 53, the server asked last port 53, server 0
//                 from another port, another host
//   ctl bit 2     patched: given our query's ID, QR set, opcode QUERY, and our
//                 question in front of the record's bytes (read from offset 12 on
//                 as the answer section), so the answer logic is reached
//   ctl bit 3     poll after it
//   ctl bit 4     an ICMP port unreachable quoting our query to that source instead
//   ctl bits 5-7  time advance before it: 0, 1, 19, 20, 500, 1000, 2000, 4000 ms
// Afterwards the clock runs to the end of the lookup.
//
// Invariants: no crash or sanitizer report; failure() set exactly in Failed; a
// Done answer has 1 to 4 addresses, a source, a TTL within the cap; a deadline
// exactly while Querying, ahead of `now` after poll(); every datagram sent is a
// standard query for one A/IN or AAAA/IN question (the type of the lookup's
// current phase) with the phase's ID, from the bound port to port 53 of a
// configured server, at most 512 bytes; at most rounds x servers queries per
// phase (two phases for a two-family lookup); a Done answer's addresses in its
// families' order; a lookup polled on time ends within total_limit of its
// start; the cache never holds more than its slots.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/dns_resolver.h"
#include "net/wire/dns.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

constexpr IpAddress kServers4[DnsResolverConfig::kMaxServers] = {
    Ipv4Address::of(10, 77, 0, 1), Ipv4Address::of(10, 77, 0, 53), Ipv4Address::of(192, 168, 1, 1),
    Ipv4Address::of(8, 8, 8, 8)};
constexpr IpAddress kServers6[DnsResolverConfig::kMaxServers] = {
    Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 1), Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0x53),
    Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 1), Ipv6Address::of(0x2001, 0x4860, 0x4860, 0, 0, 0, 0, 0x8888)};
constexpr DnsFamily kFamilies[4] = {DnsFamily::V4, DnsFamily::V6, DnsFamily::PreferV4,
                                    DnsFamily::PreferV6};
constexpr Ipv4Address kClient = Ipv4Address::of(10, 77, 0, 2);
constexpr Ipv4Address kOther = Ipv4Address::of(10, 77, 0, 9);
constexpr uint16_t kLocalPort = 49999;

const char* const kNames[16] = {
    "www.mpxe.test", "boot.mpxe.test", "10.77.0.1", "cached.mpxe.test", "a", "A.B.C.D.E.F.G",
    "WWW.MPXE.TEST.", "x.y", "192.168.000.1", "cached.MPXE.test",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk.test", "nope.mpxe.test",
    "1.2.3", "www.mpxe.test", "z.z.z.z.z.z.z.z.z.z.z.z.z.z.z.z", "fd00::53"};

uint32_t phases(DnsFamily family) {
  return family == DnsFamily::PreferV4 || family == DnsFamily::PreferV6 ? 2 : 1;
}

constexpr Millis kAdvance[8] = {0, 1, 19, 20, 500, 1000, 2000, 4000};

class CheckingSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    if (refuse_every_third && ++calls % 3 == 0) return Error(Layer::Iface, Errc::WouldBlock);
    FUZZ_CHECK(payload.size() <= DnsPacket::kMaxUdpLen);
    FUZZ_CHECK(meta.src_port == kLocalPort && meta.dst_port == kDnsServerPort);
    bool known = false;
    for (uint8_t i = 0; i < server_count; ++i) known = known || meta.dst == servers[i];
    FUZZ_CHECK(known);
    auto packet = DnsPacket::check(payload);
    FUZZ_CHECK(packet.ok());
    auto query = DnsQueryRepr::parse(packet.value());
    FUZZ_CHECK(query.ok());
    FUZZ_CHECK(query.value().type == resolver->query_type() && query.value().recursion_desired);
    FUZZ_CHECK(query.value().type == DnsType::A || query.value().type == DnsType::Aaaa);
    FUZZ_CHECK(query.value().id == resolver->query_id());
    last_query.assign(payload.begin(), payload.end());
    last_server = meta.dst;
    ++sent;
    return {};
  }
  const DnsResolver* resolver = nullptr;
  const IpAddress* servers = kServers4;
  uint8_t server_count = 1;
  bool refuse_every_third = false;
  uint64_t calls = 0;
  uint64_t sent = 0;
  std::vector<uint8_t> last_query;
  IpAddress last_server = kServers4[0];
};

class FixedRandom final : public Random {
 public:
  uint32_t next_u32() override { return state = state * 1664525u + 1013904223u; }
  uint32_t state = 7;
};

void deliver(DnsResolver& resolver, IpAddress src, uint16_t port, const std::vector<uint8_t>& bytes,
             Millis now, CheckingSender& tx) {
  UdpMeta meta;
  meta.src = src;
  meta.dst = kClient;
  meta.src_port = port;
  meta.dst_port = kLocalPort;
  resolver.on_datagram(meta, Bytes(bytes.data(), bytes.size()), now, tx);
}

void check_invariants(const DnsResolver& resolver, Millis now, bool polled) {
  DnsResolverState state = resolver.state();
  FUZZ_CHECK(static_cast<uint8_t>(state) <= static_cast<uint8_t>(DnsResolverState::Failed));
  FUZZ_CHECK((state == DnsResolverState::Failed) == (resolver.failure() != DnsFailure::None));
  FUZZ_CHECK((state == DnsResolverState::Failed) == resolver.error().is_error());
  FUZZ_CHECK((state == DnsResolverState::Querying) == (resolver.next_deadline() != kNever));
  if (state == DnsResolverState::Querying && polled) FUZZ_CHECK(resolver.next_deadline() > now);
  if (state == DnsResolverState::Done) {
    const DnsAnswer& a = resolver.answer();
    FUZZ_CHECK(a.count >= 1 && a.count <= DnsAnswer::kMaxAddresses);
    FUZZ_CHECK(a.source != DnsSource::None);
    FUZZ_CHECK(a.ttl_s <= resolver.config().max_cache_ttl_s);
    // The preferred family's addresses first, and only the families asked for.
    const DnsFamily f = resolver.family();
    const bool v6_first = f == DnsFamily::V6 || f == DnsFamily::PreferV6;
    for (size_t i = 0; i < a.count; ++i) {
      if (f == DnsFamily::V4) FUZZ_CHECK(a.addresses[i].is_v4());
      if (f == DnsFamily::V6) FUZZ_CHECK(a.addresses[i].is_v6());
      if (i > 0 && a.addresses[i].is_v6() != a.addresses[i - 1].is_v6())
        FUZZ_CHECK(a.addresses[i - 1].is_v6() == v6_first);
    }
  }
  if (resolver.done()) FUZZ_CHECK(resolver.finished_at() >= resolver.started_at());
  FUZZ_CHECK(resolver.cache_entries(now) <= DnsResolver::kCacheSlots);
  const DnsStats& s = resolver.stats();
  FUZZ_CHECK(s.accepted + s.dropped_total() == s.received);
}

// Starts a lookup of the next name for the next family at `now`: a name kNames
// holds always parses, and only a literal of a family not asked for is refused.
void begin(DnsResolver& resolver, size_t& name_index, size_t& family_index, Millis now,
           CheckingSender& tx, uint32_t& lookups, uint64_t& sent_at_start) {
  for (;;) {
    const char* name = kNames[name_index++ % 16];
    auto started = resolver.start(bytes_of(name), kLocalPort, now, kFamilies[family_index++ % 4]);
    if (started.ok()) break;
    FUZZ_CHECK(IpAddress::parse(name).ok() && started.error() == Error(Layer::Dns, Errc::Unsupported));
  }
  ++lookups;
  sent_at_start = tx.sent;
  check_invariants(resolver, now, false);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  if (size < 2) return 0;
  const uint8_t setup = data[0];
  const uint8_t setup2 = data[1];
  const IpAddress* servers = (setup2 & 4) ? kServers6 : kServers4;
  DnsResolverConfig config;
  config.server_count = 0;
  config.set_servers(servers, static_cast<size_t>((setup & 3) + 1));
  FixedRandom random;
  CheckingSender tx;
  tx.servers = servers;
  tx.last_server = servers[0];
  tx.server_count = config.server_count;
  DnsResolver resolver(config, random);
  tx.resolver = &resolver;
  const uint16_t max_queries = static_cast<uint16_t>(config.rounds * config.server_count);

  Millis now = 0;
  uint32_t lookups = 0;
  uint64_t sent_at_start = 0;
  if (setup & 4) {
    // An honest answer for cached.mpxe.test, so later A lookups can hit the cache.
    size_t cached_name = 3, v4_only = 0;
    begin(resolver, cached_name, v4_only, now, tx, lookups, sent_at_start);
    resolver.poll(now, tx);
    std::vector<uint8_t> answer = tx.last_query;
    answer[2] |= 0x80;  // QR
    answer[7] = 1;      // ANCOUNT
    const uint8_t record[] = {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x01, 0x2C, 0, 4, 10, 77, 0, 7};
    answer.insert(answer.end(), record, record + sizeof record);
    deliver(resolver, tx.last_server, kDnsServerPort, answer, ++now, tx);
    FUZZ_CHECK(resolver.state() == DnsResolverState::Done);
    FUZZ_CHECK(resolver.cached(bytes_of("CACHED.mpxe.test"), now));
  }
  tx.refuse_every_third = (setup & 8) != 0;
  size_t next_name = setup >> 4;
  size_t next_family = setup2 & 3;
  begin(resolver, next_name, next_family, now, tx, lookups, sent_at_start);

  size_t pos = 2;
  while (pos + 3 <= size) {
    uint8_t ctl = data[pos];
    size_t len = load_be16(data + pos + 1);
    pos += 3;
    if (len > size - pos) len = size - pos;
    std::vector<uint8_t> bytes(data + pos, data + pos + len);
    pos += len;

    now += kAdvance[ctl >> 5];
    if ((ctl & 4) && !tx.last_query.empty() && bytes.size() >= DnsPacket::kHeaderLen) {
      const std::vector<uint8_t>& q = tx.last_query;
      std::vector<uint8_t> patched(bytes.begin(), bytes.begin() + DnsPacket::kHeaderLen);
      patched[0] = q[0];
      patched[1] = q[1];
      patched[2] = static_cast<uint8_t>((patched[2] | 0x80) & ~0x78);
      patched[4] = 0;
      patched[5] = 1;
      patched.insert(patched.end(), q.begin() + DnsPacket::kHeaderLen, q.end());
      patched.insert(patched.end(), bytes.begin() + DnsPacket::kHeaderLen, bytes.end());
      bytes.swap(patched);
    }
    IpAddress src = servers[0];
    uint16_t port = kDnsServerPort;
    switch (ctl & 3) {
      case 0: break;
      case 1: src = tx.last_server; break;
      case 2: port = static_cast<uint16_t>(1024 + (len & 0xFF)); break;
      default: src = kOther; break;
    }
    if (ctl & 0x10) {
      UdpMeta quoted;
      quoted.src = kClient;
      quoted.dst = src;
      quoted.src_port = kLocalPort;
      quoted.dst_port = port;
      resolver.on_unreachable(quoted, 3, now);
    } else {
      deliver(resolver, src, port, bytes, now, tx);
    }
    check_invariants(resolver, now, false);
    if (ctl & 8) {
      resolver.poll(now, tx);
      check_invariants(resolver, now, true);
    }
    FUZZ_CHECK(tx.sent - sent_at_start <= max_queries * phases(resolver.family()));
    // The next lookup once one ends: later names may come from the cache.
    if (resolver.done() && lookups < 64) begin(resolver, next_name, next_family, now, tx, lookups, sent_at_start);
  }

  // Whatever it was fed, the lookup ends by its total limit when polled on time
  // (or at once, when the input already moved the clock past it).
  const Millis start = resolver.started_at();
  const Millis limit = resolver.config().total_limit;
  const Millis first_poll = now;
  const bool running = resolver.state() == DnsResolverState::Querying;
  for (int i = 0; i < 10000 && resolver.state() == DnsResolverState::Querying; ++i) {
    Millis d = resolver.next_deadline();
    FUZZ_CHECK(d != kNever);
    if (d > now) now = d;
    resolver.poll(now, tx);
    check_invariants(resolver, now, true);
  }
  FUZZ_CHECK(resolver.done());
  FUZZ_CHECK(tx.sent - sent_at_start <= max_queries * phases(resolver.family()));
  if (running && first_poll <= start + limit) FUZZ_CHECK(resolver.finished_at() - start <= limit);
  if (running && first_poll > start + limit) FUZZ_CHECK(resolver.finished_at() == first_poll);
  return 0;
}
