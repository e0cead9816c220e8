// DHCPv6: the wire parser, and the client fed arbitrary datagrams in each state.
//
// Input: byte 0 picks the mode and the state to drive the client into with
// well-formed answers (stateful: Soliciting, Soliciting with an Advertise kept,
// Requesting, Bound, Failed; stateless: InformationRequesting), byte 1 picks the
// source port and whether the datagram is also fed "patched" (msg-type Advertise
// or Reply, our transaction id, so the fuzzer reaches past the cheap gates); the
// rest is the datagram.
//
// Invariants: no crash or sanitizer report; a parse that succeeds gives an
// address only from an IA Address inside the bytes, a DNS count within its
// array; the client's state is one of six; Bound in stateful mode holds a
// unicast address and the Reply; every datagram is counted as accepted or
// dropped; and the machine ends (Bound or Failed) within bounded time.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/dhcpv6.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

constexpr MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};

class CountingRandom final : public Random {
 public:
  uint32_t next_u32() override { return state_ = state_ * 1664525u + 1013904223u; }

 private:
  uint32_t state_ = 0x6D707865;
};

class NullSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta& meta, Bytes payload) override {
    FUZZ_CHECK(payload.size() <= DhcpRawPacket::kCapacity);
    FUZZ_CHECK(meta.dst == IpAddress(kDhcpv6AllServers));
    auto packet = Dhcpv6Packet::check(payload);
    FUZZ_CHECK(packet.ok());
    FUZZ_CHECK(Dhcpv6Params::parse(packet.value()).ok());
    return {};
  }
};

const Ipv6Address kServer = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 1);
const Ipv6Address kAddress = Ipv6Address::of(0xfd00, 0, 0, 0, 0, 0, 0, 0x100);

void put(std::vector<uint8_t>& m, uint16_t code, const std::vector<uint8_t>& value) {
  m.push_back(static_cast<uint8_t>(code >> 8));
  m.push_back(static_cast<uint8_t>(code));
  m.push_back(static_cast<uint8_t>(value.size() >> 8));
  m.push_back(static_cast<uint8_t>(value.size()));
  m.insert(m.end(), value.begin(), value.end());
}

// An answer as a server builds it: our Client ID, a Server ID, an IA_NA with one address.
std::vector<uint8_t> answer(Dhcpv6MessageType type, const Dhcpv6Client& client) {
  uint32_t xid = client.transaction_id();
  std::vector<uint8_t> m = {static_cast<uint8_t>(type), static_cast<uint8_t>(xid >> 16),
                            static_cast<uint8_t>(xid >> 8), static_cast<uint8_t>(xid)};
  Bytes duid = client.client_duid().view();
  put(m, dhcpv6_option::kClientId, std::vector<uint8_t>(duid.begin(), duid.end()));
  put(m, dhcpv6_option::kServerId, {0, 3, 0, 1, 1, 2, 3, 4, 5, 6});
  std::vector<uint8_t> ia(12 + 4 + 24, 0);
  store_be32(ia.data(), client.iaid());
  store_be16(ia.data() + 12, dhcpv6_option::kIaAddr);
  store_be16(ia.data() + 14, 24);
  kAddress.write(ia.data() + 16);
  store_be32(ia.data() + 32, 3600);
  store_be32(ia.data() + 36, 3600);
  put(m, dhcpv6_option::kIaNa, ia);
  return m;
}

UdpMeta from(uint16_t port) {
  UdpMeta meta;
  meta.src = kServer;
  meta.dst = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
  meta.src_port = port;
  meta.dst_port = kDhcpv6ClientPort;
  return meta;
}

void check_invariants(const Dhcpv6Client& client) {
  Dhcpv6State state = client.state();
  FUZZ_CHECK(static_cast<uint8_t>(state) <= static_cast<uint8_t>(Dhcpv6State::Failed));
  const Dhcpv6Lease& lease = client.lease();
  if (state == Dhcpv6State::Bound) {
    FUZZ_CHECK(lease.reply.valid());
    if (client.config().mode == Dhcpv6Mode::Stateful) {
      FUZZ_CHECK(lease.has_address && lease.address.is_unicast());
      FUZZ_CHECK(lease.server_duid.valid());
    }
  }
  if (state == Dhcpv6State::Failed) FUZZ_CHECK(client.failure() != Dhcpv6Failure::None);
  FUZZ_CHECK((client.next_deadline() == kNever) == (client.done() || state == Dhcpv6State::Idle));
  FUZZ_CHECK(lease.dns_server_count <= Dhcpv6Lease::kMaxDnsServers);
  FUZZ_CHECK(lease.boot_file_param_count <= Dhcpv6Lease::kMaxBootParams);
  FUZZ_CHECK(lease.boot_file_url.text[lease.boot_file_url.length] == 0);
  FUZZ_CHECK(lease.domain.text[lease.domain.length] == 0);
  for (const DhcpRawPacket* p : {&lease.solicit, &lease.advertise, &lease.request, &lease.reply})
    FUZZ_CHECK(p->length <= DhcpRawPacket::kCapacity);
  const Dhcpv6Stats& stats = client.stats();
  FUZZ_CHECK(stats.accepted + stats.dropped_total() == stats.received);
}

void fuzz_parser(Bytes payload) {
  auto packet = Dhcpv6Packet::check(payload);
  if (!packet) return;
  auto params = Dhcpv6Params::parse(packet.value());
  if (!params) return;
  const Dhcpv6Params& p = params.value();
  FUZZ_CHECK(p.dns_server_count <= Dhcpv6Params::kMaxDnsServers);
  if (p.has_ia_na && p.ia_na.has_address) {
    FUZZ_CHECK(p.ia_na.addresses >= 1);
    FUZZ_CHECK(p.ia_na.address.preferred_lifetime <= p.ia_na.address.valid_lifetime);
  }
  char domain[256];
  auto len = dhcpv6_first_domain(p.domain_list, domain, sizeof domain);
  if (len) FUZZ_CHECK(len.value() < sizeof domain && domain[len.value()] == 0);
  Dhcpv6BootParams walk(p.bootfile_param);
  Bytes param;
  size_t total = 0;
  while (walk.next(param)) total += 2 + param.size();
  FUZZ_CHECK(total == p.bootfile_param.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t target = data[0] % 6;
  const uint8_t flags = data[1];
  Bytes payload(data + 2, size - 2);
  fuzz_parser(payload);

  CountingRandom random;
  NullSender tx;
  Dhcpv6Config config;
  config.mac = kMac;
  config.link_local = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456);
  config.mode = target == 5 ? Dhcpv6Mode::Stateless : Dhcpv6Mode::Stateful;
  config.boot = (flags & 0x80) ? DhcpMode::Http : DhcpMode::Pxe;
  config.has_uuid = (flags & 0x40) != 0;
  config.rapid_commit = (flags & 0x20) != 0;
  Dhcpv6Client client(config, random);

  Millis now = 0;
  uint32_t fed = 0;
  client.start(now);
  client.poll(now, tx);
  if (target >= 1 && target <= 3) {
    auto adv = answer(Dhcpv6MessageType::Advertise, client);
    client.on_datagram(from(kDhcpv6ServerPort), Bytes(adv.data(), adv.size()), ++now, tx);
    ++fed;
  }
  if (target >= 2 && target <= 3) {
    now = client.next_deadline();
    client.poll(now, tx);
    FUZZ_CHECK(client.state() == Dhcpv6State::Requesting);
  }
  if (target == 3) {
    auto reply = answer(Dhcpv6MessageType::Reply, client);
    client.on_datagram(from(kDhcpv6ServerPort), Bytes(reply.data(), reply.size()), ++now, tx);
    ++fed;
    FUZZ_CHECK(client.state() == Dhcpv6State::Bound);
  }
  if (target == 4) {
    for (int i = 0; i < 100 && !client.done(); ++i) {
      now = client.next_deadline();
      client.poll(now, tx);
    }
    FUZZ_CHECK(client.state() == Dhcpv6State::Failed);
  }
  check_invariants(client);

  uint16_t port = (flags & 3) == 0 ? kDhcpv6ServerPort : (flags & 3) == 1 ? 8962 : flags;
  client.on_datagram(from(port), payload, ++now, tx);
  ++fed;
  check_invariants(client);
  if ((flags & 8) && payload.size() >= Dhcpv6Packet::kHeaderLen) {
    std::vector<uint8_t> patched(payload.begin(), payload.end());
    patched[0] = static_cast<uint8_t>((flags & 4) ? Dhcpv6MessageType::Reply : Dhcpv6MessageType::Advertise);
    uint32_t xid = client.transaction_id();
    patched[1] = static_cast<uint8_t>(xid >> 16);
    patched[2] = static_cast<uint8_t>(xid >> 8);
    patched[3] = static_cast<uint8_t>(xid);
    client.on_datagram(from(kDhcpv6ServerPort), Bytes(patched.data(), patched.size()), ++now, tx);
    ++fed;
    check_invariants(client);
  }
  FUZZ_CHECK(client.stats().received == fed);

  // Whatever it was fed, the machine ends in bounded time.
  Millis last = now;
  for (int i = 0; i < 2000 && !client.done(); ++i) {
    Millis d = client.next_deadline();
    FUZZ_CHECK(d != kNever);
    if (d < last) d = last;
    last = d;
    client.poll(d, tx);
    check_invariants(client);
  }
  FUZZ_CHECK(client.done());
  // Three rounds of Solicit and Request at most.
  FUZZ_CHECK(last <= now + 3 * (Dhcpv6Client::kSolicitDuration + Dhcpv6Client::kRequestDuration));
  return 0;
}
