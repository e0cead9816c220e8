// The DHCP client state machine fed arbitrary datagrams in each of its states.
//
// Input: byte 0 picks the state to drive the client into with well-formed
// replies (Idle, Selecting, Collecting, Requesting, ProxyRequesting, Bound,
// Failed), byte 1 picks the source port and whether the datagram is also fed
// "patched" (op, xid, chaddr and cookie set to what the client expects, so the
// fuzzer reaches past the cheap gates); the rest is the datagram. Afterwards the
// client is run to the end of its timers.
//
// Invariants: no crash or sanitizer report; the state is one of the seven; an
// address is held exactly from the ACK on and is unicast; Bound has its ACK kept;
// every kept packet and string is within its storage; every datagram is counted
// as accepted or dropped; deadlines never go back in time and the machine ends
// (Bound or Failed) within a bounded time, whatever it was fed.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/dhcp_client.h"
#include "net/wire/dhcp.h"
#include "net/wire/dhcp_options.h"

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
  Result<void> send_udp(const UdpMeta&, Bytes payload) override {
    FUZZ_CHECK(payload.size() <= DhcpRawPacket::kCapacity);
    ++sent;
    return {};
  }
  int sent = 0;
};

// A reply from `server` as a DHCP server builds it.
std::vector<uint8_t> reply(DhcpMessageType type, uint32_t xid, Ipv4Address yiaddr,
                           Ipv4Address server, bool proxy, const char* file) {
  uint8_t options[64];
  DhcpOptionWriter w{MutableBytes(options)};
  (void)w.put_message_type(type);
  (void)w.put_address(dhcp_option::kServerId, server);
  (void)w.put_address(dhcp_option::kSubnetMask, Ipv4Address::of(255, 255, 255, 0));
  if (proxy) (void)w.put(dhcp_option::kVendorClassId, bytes_of("PXEClient"));
  (void)w.put_end();
  DhcpRepr repr;
  repr.op = BootpOp::Reply;
  repr.xid = xid;
  repr.yiaddr = yiaddr;
  repr.siaddr = server;
  repr.set_client_mac(kMac);
  if (file != nullptr) repr.file = bytes_of(file);
  repr.options = w.written();
  std::vector<uint8_t> out(repr.buffer_len());
  FUZZ_CHECK(repr.emit(MutableBytes(out.data(), out.size())).ok());
  return out;
}

UdpMeta from(Ipv4Address server, uint16_t port) {
  UdpMeta meta;
  meta.src = server;
  meta.dst = Ipv4Address::broadcast();
  meta.src_port = port;
  meta.dst_port = kDhcpClientPort;
  return meta;
}

void feed(DhcpClient& client, const UdpMeta& meta, const std::vector<uint8_t>& bytes, Millis now,
          NullSender& tx) {
  client.on_datagram(meta, Bytes(bytes.data(), bytes.size()), now, tx);
}

void check_invariants(const DhcpClient& client) {
  DhcpState state = client.state();
  FUZZ_CHECK(static_cast<uint8_t>(state) <= static_cast<uint8_t>(DhcpState::Failed));
  const DhcpLease& lease = client.lease();
  FUZZ_CHECK(client.has_address() ==
             (state == DhcpState::ProxyRequesting || state == DhcpState::Bound));
  if (client.has_address()) {
    FUZZ_CHECK(lease.address.is_unicast());
    FUZZ_CHECK(lease.ack.valid());
  }
  if (state == DhcpState::Failed) FUZZ_CHECK(client.failure() != DhcpFailure::None);
  FUZZ_CHECK((client.next_deadline() == kNever) ==
             (client.done() || state == DhcpState::Idle));
  for (const DhcpRawPacket* p : {&lease.discover, &lease.ack, &lease.proxy_offer,
                                 &lease.pxe_discover, &lease.pxe_reply})
    FUZZ_CHECK(p->length <= DhcpRawPacket::kCapacity);
  FUZZ_CHECK(lease.boot_file.length <= 255 && lease.boot_file.text[lease.boot_file.length] == 0);
  FUZZ_CHECK(lease.boot_server_name.length <= 255 &&
             lease.boot_server_name.text[lease.boot_server_name.length] == 0);
  FUZZ_CHECK(lease.domain_name.length <= 255 &&
             lease.domain_name.text[lease.domain_name.length] == 0);
  FUZZ_CHECK(lease.router_count <= DhcpLease::kMaxRouters);
  FUZZ_CHECK(lease.dns_server_count <= DhcpLease::kMaxDnsServers);
  if (lease.has_boot_file()) FUZZ_CHECK(lease.boot_source != DhcpBootSource::None);
  const DhcpStats& stats = client.stats();
  // Each datagram is either taken or dropped with a reason, never both or neither.
  FUZZ_CHECK(stats.accepted + stats.dropped_total() == stats.received);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t target = data[0] % 7;
  const uint8_t flags = data[1];
  Bytes payload(data + 2, size - 2);

  const Ipv4Address server = Ipv4Address::of(10, 77, 0, 1);
  const Ipv4Address proxy = Ipv4Address::of(10, 77, 0, 2);
  const Ipv4Address address = Ipv4Address::of(10, 77, 0, 111);

  CountingRandom random;
  NullSender tx;
  DhcpConfig config;
  config.mac = kMac;
  config.mode = (flags & 0x80) ? DhcpMode::Http : DhcpMode::Pxe;
  config.has_guid = (flags & 0x40) != 0;
  DhcpClient client(config, random);

  // Drive the client into the state under test with well-formed replies.
  Millis now = 0;
  uint32_t fed = 0;
  if (target >= 1) {
    client.start(now);
    client.poll(now, tx);
  }
  if (target >= 2 && target <= 5) {
    // Collecting: an address offer without boot file; later states go on.
    feed(client, from(server, 67), reply(DhcpMessageType::Offer, client.xid(), address, server,
                                         false, nullptr), ++now, tx);
    ++fed;
  }
  if (target >= 3 && target <= 5) {
    feed(client, from(proxy, 67), reply(DhcpMessageType::Offer, client.xid(), Ipv4Address(),
                                        proxy, true, nullptr), ++now, tx);
    ++fed;
    if (client.state() == DhcpState::Collecting) {
      now += config.offer_wait;
      client.poll(now, tx);
    }
  }
  if (target >= 4 && target <= 5) {
    feed(client, from(server, 67), reply(DhcpMessageType::Ack, client.xid(), address, server,
                                         false, target == 5 ? "boot.efi" : nullptr), ++now, tx);
    ++fed;
  }
  if (target == 6) {
    client.start(now);
    for (int i = 0; i < 100 && !client.done(); ++i) {
      now = client.next_deadline();
      client.poll(now, tx);
    }
  }
  check_invariants(client);

  // The datagram as it came, then with the gates it would fail opened.
  uint16_t port = (flags & 3) == 0 ? kDhcpServerPort : (flags & 3) == 1 ? kPxeProxyPort
                                                                          : static_cast<uint16_t>(flags);
  UdpMeta meta = from((flags & 4) ? proxy : server, port);
  client.on_datagram(meta, payload, ++now, tx);
  ++fed;
  check_invariants(client);
  if (flags & 8) {
    std::vector<uint8_t> patched(payload.begin(), payload.end());
    if (patched.size() >= DhcpPacket::kOptionsOffset) {
      patched[DhcpPacket::kOpOffset] = static_cast<uint8_t>(BootpOp::Reply);
      patched[DhcpPacket::kHtypeOffset] = DhcpPacket::kHtypeEthernet;
      patched[DhcpPacket::kHlenOffset] = MacAddress::kSize;
      uint32_t xid = client.xid();
      if (client.state() == DhcpState::ProxyRequesting) xid = load_be32(client.lease().pxe_discover.bytes + 4);
      store_be32(patched.data() + DhcpPacket::kXidOffset, xid);
      kMac.write(patched.data() + DhcpPacket::kChaddrOffset);
      store_be32(patched.data() + DhcpPacket::kMagicOffset, DhcpPacket::kMagicCookie);
    }
    client.on_datagram(meta, Bytes(patched.data(), patched.size()), ++now, tx);
    ++fed;
    check_invariants(client);
  }
  FUZZ_CHECK(client.stats().received == fed);

  // Whatever it was fed, the machine ends in bounded time.
  Millis last = now;
  for (int i = 0; i < 2000 && !client.done() && client.state() != DhcpState::Idle; ++i) {
    Millis d = client.next_deadline();
    FUZZ_CHECK(d != kNever);
    if (d < last) d = last;  // a deadline already due is polled now
    last = d;
    client.poll(d, tx);
    check_invariants(client);
  }
  FUZZ_CHECK(client.done() || client.state() == DhcpState::Idle);
  // Four rounds (three restarts) of the longest phases, with jitter, at most.
  FUZZ_CHECK(last <= now + 4 * (17000 + 9000 + 1000) + 9000);
  return 0;
}
