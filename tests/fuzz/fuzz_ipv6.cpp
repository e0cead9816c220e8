// The IPv6 parsers (header, extension-header walk, ICMPv6, NDP, MLD) and the
// machines they feed (SLAAC, the neighbour cache, the MLD listener), fed a script
// of frames at advancing times.
//
// Input: one flags byte, then records of
//   [u8 step] [u16 big-endian length] [length bytes: one Ethernet frame]
// step: time advance in units of 64 ms before the frame. Flags: bit 0 "patch":
// before parsing, an IPv6 frame whose walk reaches ICMPv6 gets hop limit 255 and
// a right ICMPv6 checksum, so the fuzzer reaches past the cheap gates; bit 1: the
// machine's sends fail (the retry path); bit 2: advertisements are not for
// neighbours the cache asked about.
//
// Invariants: a parsed header emits its own 40 bytes; the walk stays inside the
// packet and ends at its end; an echo or error message re-emits its own bytes; an
// NDP message re-emitted from its fields parses back to the same fields; every
// NDP message SLAAC sends passes our own parser; SLAAC's addresses are ours
// (link-local first, the others from /64 prefixes with our interface identifier)
// and its tables stay bounded; deadlines lie ahead after a poll; and once the
// frames stop, router discovery and DAD end by time alone. MLD: a report's
// records stay inside it and one with plain records re-emits its own bytes; the
// listener reports only the groups it was given, and once the frames stop, its
// answers and repeats are all sent by time alone.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/iface/neighbor_cache.h"
#include "net/socket/mld_listener.h"
#include "net/socket/slaac.h"
#include "net/wire/ethernet.h"
#include "net/wire/icmpv6.h"
#include "net/wire/ipv6.h"
#include "net/wire/mld.h"
#include "net/wire/ndp.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

const MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};

class CheckingSender final : public NdpSender {
 public:
  Result<void> send_ndp(const Ipv6Address& src, const Ipv6Address& dst, Bytes message) override {
    Ipv6Repr ip;
    ip.src = src;
    ip.dst = dst;
    ip.hop_limit = kNdpHopLimit;
    FUZZ_CHECK(NdpRepr::parse(ip, message).ok());
    FUZZ_CHECK(src.is_unspecified() || src.is_link_local());
    if (refuse) return Error(Layer::Iface, Errc::WouldBlock);
    return {};
  }
  bool refuse = false;
};

// The groups the listener is given: our solicited-node group and one more.
constexpr Ipv6Address kGroups[2] = {Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff12, 0x3456),
                                    Ipv6Address::of(0xff05, 0, 0, 0, 0, 0, 0, 0x1234)};

class CheckingMldSender final : public MldSender {
 public:
  Result<void> send_mld_report(MldVersion version, Span<const MldRecord> records) override {
    FUZZ_CHECK(records.size() >= 1 && records.size() <= MldListener::kMaxGroups);
    if (version == MldVersion::V1) FUZZ_CHECK(records.size() == 1);
    for (const MldRecord& r : records) FUZZ_CHECK(r.group == kGroups[0] || r.group == kGroups[1]);
    if (refuse) return Error(Layer::Iface, Errc::WouldBlock);
    ++sent;
    return {};
  }
  bool refuse = false;
  uint32_t sent = 0;
};

void check_mld(const Ipv6Repr& ip, Bytes message, MldListener& listener, Millis now) {
  Result<MldQuery> query = MldQuery::parse(message, ip.src, ip.dst);
  if (query) {
    FUZZ_CHECK(query.value().sources.size() == size_t{query.value().source_count} * 16 ||
               !query.value().v2);
    listener.on_query(query.value(), now);
    FUZZ_CHECK(listener.next_deadline() >= now);
  }
  Result<Mldv2Report> report = Mldv2Report::check(message, ip.src, ip.dst);
  if (!report) return;
  Mldv2Report::Reader reader = report.value().records();
  Mldv2Report::Entry entry;
  std::vector<MldRecord> plain;
  bool all_plain = true;
  size_t n = 0;
  while (reader.next(entry)) {
    ++n;
    FUZZ_CHECK(entry.sources.size() == size_t{entry.source_count} * 16);
    FUZZ_CHECK(entry.sources.data() >= message.data() &&
               entry.aux.data() + entry.aux.size() <= message.data() + message.size());
    all_plain = all_plain && entry.source_count == 0 && entry.aux.empty() && entry.type != 0;
    plain.push_back(MldRecord{static_cast<MldRecordType>(entry.type), entry.group});
  }
  FUZZ_CHECK(n == report.value().record_count());
  if (!all_plain || Mldv2Report::buffer_len(n) != message.size() || message[1] != 0 ||
      load_be16(message.data() + 4) != 0)
    return;
  std::vector<uint8_t> out(message.size());
  FUZZ_CHECK(Mldv2Report::emit(MutableBytes(out.data(), out.size()),
                               Span<const MldRecord>(plain.data(), plain.size()), ip.src, ip.dst)
                 .ok());
  FUZZ_CHECK(bytes_equal(Bytes(out.data(), out.size()), message));
}

void check_slaac(const Slaac& slaac, Millis now) {
  uint8_t iid[8];
  Ipv6Address::eui64_interface_id(kMac, iid);
  FUZZ_CHECK(slaac.address(0).address == Ipv6Address::link_local(kMac));
  for (size_t i = 1; i < Slaac::kMaxAddresses; ++i) {
    const SlaacAddress& a = slaac.address(i);
    if (a.state == SlaacAddressState::Empty) continue;
    FUZZ_CHECK(!a.address.is_link_local() && !a.address.is_multicast());
    for (size_t k = 0; k < 8; ++k) FUZZ_CHECK(a.address.octets[8 + k] == iid[k]);
  }
  Ipv6Address dns[Slaac::kMaxDnsServers + 1];
  FUZZ_CHECK(slaac.dns_servers(now, dns, Slaac::kMaxDnsServers + 1) <= Slaac::kMaxDnsServers);
  FUZZ_CHECK(slaac.mtu() >= Slaac::kMinMtu && slaac.mtu() <= 1500);
}

void check_emits(const Ipv6Packet& packet) {
  Ipv6Repr ip = Ipv6Repr::parse(packet);
  uint8_t header[Ipv6Packet::kHeaderLen];
  FUZZ_CHECK(ip.emit(MutableBytes(header)).ok());
  FUZZ_CHECK(bytes_equal(Bytes(header), packet.bytes().first(Ipv6Packet::kHeaderLen)));
}

void check_icmpv6(const Ipv6Repr& ip, Bytes message) {
  Result<Icmpv6Packet> packet = Icmpv6Packet::check(message);
  if (!packet) return;
  Result<Icmpv6Repr> repr = Icmpv6Repr::parse(packet.value(), ip.src, ip.dst);
  if (!repr) return;
  std::vector<uint8_t> out(repr.value().buffer_len());
  FUZZ_CHECK(repr.value().emit(MutableBytes(out.data(), out.size()), ip.src, ip.dst).ok());
  FUZZ_CHECK(bytes_equal(Bytes(out.data(), out.size()), message));
  (void)icmpv6_code_text(message[0], message[1]);
}

void check_ndp_roundtrip(const Ipv6Repr& ip, const NdpRepr& repr) {
  NdpRepr fields = repr;
  fields.options = Bytes();
  std::vector<uint8_t> out(fields.buffer_len());
  FUZZ_CHECK(fields.emit(MutableBytes(out.data(), out.size()), ip.src, ip.dst).ok());
  Result<NdpRepr> again = NdpRepr::parse(ip, Bytes(out.data(), out.size()));
  FUZZ_CHECK(again.ok());
  const NdpRepr& b = again.value();
  FUZZ_CHECK(b.type == repr.type && b.target == repr.target && b.managed == repr.managed &&
             b.other == repr.other && b.router_lifetime == repr.router_lifetime &&
             b.solicited == repr.solicited && b.override_ == repr.override_ &&
             b.router == repr.router && b.mtu == repr.mtu &&
             b.has_source_mac == repr.has_source_mac && b.source_mac == repr.source_mac &&
             b.has_target_mac == repr.has_target_mac && b.target_mac == repr.target_mac);
}

// Hop limit 255 and a right ICMPv6 checksum, when the walk reaches ICMPv6.
void patch(std::vector<uint8_t>& frame) {
  if (frame.size() < EthernetFrame::kHeaderLen + Ipv6Packet::kHeaderLen) return;
  MutableBytes ip(frame.data() + EthernetFrame::kHeaderLen, frame.size() - EthernetFrame::kHeaderLen);
  Result<Ipv6Packet> packet = Ipv6Packet::check(ip);
  if (!packet) return;
  Ipv6Chain chain = Ipv6Chain::walk(packet.value());
  if (!chain.ok() || chain.protocol != ipv6_next::kIcmpv6 || chain.payload.size() < 4) return;
  ip[Ipv6Packet::kHopLimitOffset] = kNdpHopLimit;
  uint8_t* icmp = const_cast<uint8_t*>(chain.payload.data());
  store_be16(icmp + 2, icmpv6_checksum(packet.value().src(), packet.value().dst(), chain.payload));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  CheckingSender tx;
  tx.refuse = (flags & 2) != 0;
  Slaac slaac(kMac, 1500);
  NeighborCache cache;
  Millis now = 1000;
  slaac.start(now, tx);
  CheckingMldSender mld_tx;
  mld_tx.refuse = tx.refuse;
  MldListener mld(kMac);
  mld.set_groups(Span<const Ipv6Address>(kGroups), now, mld_tx);
  size_t i = 1;
  while (i + 3 <= size) {
    now += Millis{data[i]} * 64;
    size_t len = load_be16(data + i + 1);
    i += 3;
    if (len > size - i) len = size - i;
    std::vector<uint8_t> frame(data + i, data + i + len);
    i += len;
    if (flags & 1) patch(frame);

    slaac.poll(now, tx);
    FUZZ_CHECK(slaac.next_deadline() > now);
    NeighborCache::Solicitation solicitation;
    while (cache.next_solicitation(now, solicitation)) {
    }
    FUZZ_CHECK(cache.next_deadline() > now);
    mld.poll(now, mld_tx);
    FUZZ_CHECK(mld.next_deadline() > now);

    Result<EthernetFrame> eth = EthernetFrame::check(Bytes(frame.data(), frame.size()));
    if (!eth || eth.value().ethertype() != static_cast<uint16_t>(EtherType::Ipv6)) continue;
    Result<Ipv6Packet> packet = Ipv6Packet::check(eth.value().payload());
    if (!packet) continue;
    check_emits(packet.value());
    Ipv6Chain chain = Ipv6Chain::walk(packet.value());
    Bytes all = packet.value().bytes();
    FUZZ_CHECK(chain.pointer <= all.size());
    FUZZ_CHECK(chain.headers <= Ipv6Chain::kMaxExtensionHeaders);
    (void)ipv6_fault_text(chain.fault);
    if (!chain.ok()) continue;
    FUZZ_CHECK(chain.payload.data() >= all.data() + Ipv6Packet::kHeaderLen);
    FUZZ_CHECK(chain.payload.data() + chain.payload.size() == all.data() + all.size());
    if (chain.protocol != ipv6_next::kIcmpv6) continue;
    Ipv6Repr ip = Ipv6Repr::parse(packet.value());
    check_icmpv6(ip, chain.payload);
    check_mld(ip, chain.payload, mld, now);
    Result<NdpRepr> ndp = NdpRepr::parse(ip, chain.payload);
    if (!ndp) continue;
    check_ndp_roundtrip(ip, ndp.value());
    const NdpRepr& m = ndp.value();
    if (m.has_source_mac && !ip.src.is_unspecified()) cache.on_link_layer_address(ip.src, m.source_mac, now);
    if (m.type == Icmpv6Type::NeighborAdvert) {
      if (!(flags & 4)) (void)cache.resolve(m.target, now);  // make it a neighbour we asked about
      cache.on_advertisement(m.target, m.solicited, m.override_,
                             m.has_target_mac ? &m.target_mac : nullptr, now);
    }
    slaac.on_ndp(ip, m, now, tx);
    check_slaac(slaac, now);
    FUZZ_CHECK(cache.size() <= NeighborCache::kCapacity);
  }

  // The frames stop: time alone ends router discovery and DAD.
  tx.refuse = false;
  for (int step = 0; step < 40; ++step) {
    now += 500;
    slaac.poll(now, tx);
  }
  check_slaac(slaac, now);
  // Every answer and repeat is due within the largest Maximum Response Delay
  // (about 8.4e6 ms) of the last frame.
  mld_tx.refuse = false;
  now += (Millis{0x1FFF} << 10) + 1;
  mld.poll(now, mld_tx);
  mld.poll(now + MldListener::kUnsolicitedReportInterval + 1, mld_tx);
  FUZZ_CHECK(mld.next_deadline() == kNever);
  FUZZ_CHECK(mld.group_count() == 2);
  if (slaac.failure() == SlaacFailure::None) {
    FUZZ_CHECK(slaac.routers_settled(now));
    FUZZ_CHECK(slaac.link_local_ready());
    for (size_t k = 0; k < Slaac::kMaxAddresses; ++k)
      FUZZ_CHECK(!slaac.address(k).dad_running());
  }
  return 0;
}
