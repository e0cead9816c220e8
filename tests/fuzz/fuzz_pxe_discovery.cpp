// PXE 2.1 option 43 (PxeVendorOptions) and boot server discovery (PxeDiscovery)
// fed arbitrary bytes.
//
// Input: byte 0 picks what the rest is: even, an option 43 value, parsed and
// planned from (a lease carrying it as its PXE options), with every accessor
// walked; odd, a reply datagram to a discovery under way (byte 1 picks the
// control bits, and whether the datagram is also fed "patched": op, xid and
// chaddr set to what the machine expects, so the fuzzer reaches past the cheap
// gates). Afterwards the machine is run to the end of its timers.
//
// Invariants: no crash or sanitizer report; every menu item and server entry lies
// inside the option; a plan names an item from the menu (or the server list);
// the machine ends (Done or Failed) within bounded time; Done holds its reply.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/pxe_discovery.h"
#include "net/wire/dhcp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

constexpr MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr uint32_t kFixedRandom = 0x6D707865;

class FixedRandom final : public Random {
 public:
  uint32_t next_u32() override { return kFixedRandom; }
};

class NullSender final : public UdpSender {
 public:
  Result<void> send_udp(const UdpMeta&, Bytes payload) override {
    FUZZ_CHECK(payload.size() <= DhcpRawPacket::kCapacity);
    return {};
  }
};

bool inside(Bytes part, Bytes whole) {
  return part.empty() || (part.data() >= whole.data() &&
                          part.data() + part.size() <= whole.data() + whole.size());
}

void fuzz_options(Bytes option) {
  Result<PxeVendorOptions> parsed = PxeVendorOptions::parse(option);
  if (!parsed) return;
  const PxeVendorOptions& o = parsed.value();
  for (size_t i = 0; i < o.menu_count(); ++i) FUZZ_CHECK(inside(o.menu_item(i).description, option));
  for (size_t i = 0; i < o.server_entry_count(); ++i) {
    PxeBootServerEntry e = o.server_entry(i);
    FUZZ_CHECK(inside(e.addresses, option));
    for (size_t a = 0; a < e.count(); ++a) (void)e.address(a);
  }
  FUZZ_CHECK(inside(o.prompt_text(), option));

  DhcpLease lease;
  lease.address = Ipv4Address::of(10, 0, 0, 9);
  lease.menu_server = Ipv4Address::of(10, 0, 0, 2);
  if (option.size() > sizeof(lease.pxe_options)) return;
  lease.pxe_options_length = static_cast<uint8_t>(option.size());
  for (size_t i = 0; i < option.size(); ++i) lease.pxe_options[i] = option[i];
  for (size_t pinned = 0; pinned < 3; ++pinned) {
    Result<PxeBootPlan> plan = pxe_plan_boot(lease, pinned);
    if (!plan) continue;
    bool listed = false;
    for (size_t i = 0; i < o.menu_count(); ++i) listed |= o.menu_item(i).type == plan.value().item.type;
    FUZZ_CHECK(listed || (o.menu_count() == 0 && o.has_servers()));
    FUZZ_CHECK(plan.value().request.server_count <= PxeDiscoveryRequest::kMaxTargets);
  }
}

void fuzz_reply(uint8_t control, bool patch, Bytes datagram) {
  DhcpConfig identity;
  identity.mac = kMac;
  FixedRandom random;
  NullSender tx;
  PxeDiscovery discovery(identity, random);
  PxeDiscoveryRequest request;
  request.client = Ipv4Address::of(10, 0, 0, 9);
  request.type = 0x8000;
  request.control = control;
  request.multicast = Ipv4Address::of(239, 0, 0, 5);
  request.servers[request.server_count++] = Ipv4Address::of(10, 0, 0, 2);
  request.menu_server = Ipv4Address::of(10, 0, 0, 2);
  discovery.start(request, 0);
  discovery.poll(0, tx);
  UdpMeta meta;
  meta.src = Ipv4Address::of(10, 0, 0, 2);
  meta.dst = request.client;
  meta.src_port = kPxeProxyPort;
  meta.dst_port = kDhcpClientPort;
  discovery.on_datagram(meta, datagram, 1, tx);
  if (patch && datagram.size() >= DhcpPacket::kOptionsOffset) {
    std::vector<uint8_t> copy(datagram.begin(), datagram.end());
    copy[0] = static_cast<uint8_t>(BootpOp::Reply);
    store_be32(&copy[4], kFixedRandom);
    for (size_t i = 0; i < MacAddress::kSize; ++i) copy[28 + i] = kMac.octets[i];
    store_be32(&copy[236], DhcpPacket::kMagicCookie);
    discovery.on_datagram(meta, Bytes(copy.data(), copy.size()), 2, tx);
  }
  Millis last = 0;
  for (int guard = 0; guard < 200 && !discovery.done(); ++guard) {
    Millis d = discovery.next_deadline();
    FUZZ_CHECK(d != kNever && d >= last);
    last = d;
    discovery.poll(d, tx);
  }
  FUZZ_CHECK(discovery.done());
  if (discovery.state() == PxeDiscoveryState::Done) FUZZ_CHECK(discovery.reply_packet().valid());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Bytes rest(data + 2, size - 2);
  if ((data[0] & 1) == 0)
    fuzz_options(Bytes(data + 1, size - 1));
  else
    fuzz_reply(data[1] & 0x0F, (data[1] & 0x80) != 0, rest);
  return 0;
}
