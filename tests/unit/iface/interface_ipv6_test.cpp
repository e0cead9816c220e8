// The interface's IPv6 side driven through whole exchanges, on the frames
// captured from dnsmasq 2.90, the Linux kernel and QEMU 7.2's slirp
// (tests/unit/net/ipv6_frames.h, tests/unit/dhcp/dhcpv6_frames.h): what it sends
// is parsed back, or compared byte for byte with what Linux sent in our place.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "core/prng.h"
#include "dhcp/dhcpv6_frames.h"
#include "iface_test_util.h"
#include "net/iface/interface.h"
#include "net/ipv6_frames.h"
#include "net/mld_frames.h"
#include "net/socket/dhcpv6_binding.h"
#include "net/socket/dhcpv6_client.h"
#include "net/wire/icmpv6.h"
#include "net/wire/ipv6.h"
#include "net/wire/mld.h"
#include "net/wire/ndp.h"
#include "phy/multicast_table.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::FakeDevice;
using test::RecordingEndpoint;
using test::view;

// The captures' client (us), the dnsmasq host and QEMU's slirp.
const MacAddress kOurMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kDnsmasqMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const MacAddress kSlirpMac{{0x52, 0x56, 0x00, 0x00, 0x00, 0x02}};
const Ipv6Address kLinkLocal = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kDnsmasqGlobal = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kDnsmasqServer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
const Ipv6Address kDnsmasqRouter = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfeab, 0xcdef);
const Ipv6Address kQemuGlobal = Ipv6Address::of(0xfec0, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kSlirpRouter = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 2);
const Ipv6Address kSlirpHost = Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 2);
// The port the captured DNS query left from (kUdp6DnsQuery).
constexpr uint16_t kDnsClientPort = 0xec33;

struct Stack {
  explicit Stack(MacAddress mac = kOurMac)
      : device(mac), storage(Reassembler::kMaxPayload),
        spans{MutableBytes(storage.data(), storage.size())},
        iface(device, Span<const MutableBytes>(spans, 1)) {}
  size_t feed(Buffer frame, Millis now) {
    device.push_rx(std::move(frame));
    return iface.poll(now);
  }
  template <size_t N>
  size_t feed(const uint8_t (&frame)[N], Millis now) {
    return feed(test::to_buffer(frame), now);
  }
  uint32_t dropped(Drop reason) const { return iface.counters().dropped(reason); }
  // The frames sent since the last call.
  std::vector<Buffer> sent() {
    std::vector<Buffer> out(device.tx.begin() + taken, device.tx.end());
    taken = device.tx.size();
    return out;
  }

  FakeDevice device;
  Buffer storage;
  MutableBytes spans[1];
  Interface iface;
  size_t taken = 0;
};

// One sent frame taken apart: Ethernet, the IPv6 header, the upper layer.
struct Sent {
  MacAddress eth_dst;
  Ipv6Repr ip;
  Buffer upper;
};

Sent parse_sent(const Buffer& frame) {
  Sent out;
  auto eth = EthernetFrame::check(view(frame));
  EXPECT_TRUE(eth.ok());
  if (!eth) return out;
  EXPECT_EQ(eth.value().ethertype(), static_cast<uint16_t>(EtherType::Ipv6));
  EXPECT_EQ(eth.value().src(), kOurMac);
  out.eth_dst = eth.value().dst();
  auto packet = Ipv6Packet::check(eth.value().payload());
  EXPECT_TRUE(packet.ok());
  if (!packet) return out;
  out.ip = Ipv6Repr::parse(packet.value());
  Ipv6Chain chain = Ipv6Chain::walk(packet.value());
  EXPECT_TRUE(chain.ok());
  out.upper = test::to_buffer(chain.payload);
  return out;
}

NdpRepr parse_ndp(const Sent& sent) {
  auto ndp = NdpRepr::parse(sent.ip, view(sent.upper));
  EXPECT_TRUE(ndp.ok()) << error_text(ndp.error());
  return ndp ? ndp.value() : NdpRepr{};
}

Buffer ipv6_frame(MacAddress src_mac, MacAddress dst_mac, Ipv6Repr ip, const Buffer& upper) {
  ip.payload_len = static_cast<uint16_t>(upper.size());
  Buffer packet(Ipv6Repr::buffer_len() + upper.size());
  EXPECT_TRUE(ip.emit(MutableBytes(packet.data(), packet.size())));
  std::copy(upper.begin(), upper.end(), packet.begin() + Ipv6Repr::buffer_len());
  return test::eth_frame(src_mac, dst_mac, EtherType::Ipv6, view(packet));
}

Ipv6Repr header(const Ipv6Address& src, const Ipv6Address& dst, uint8_t next, uint8_t hops = 64) {
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = next;
  ip.hop_limit = hops;
  return ip;
}

Buffer udp6(const Ipv6Address& src, const Ipv6Address& dst, uint16_t src_port, uint16_t dst_port,
            Bytes payload) {
  UdpRepr udp{src_port, dst_port, static_cast<uint16_t>(payload.size())};
  Buffer out(udp.buffer_len());
  std::copy(payload.begin(), payload.end(), out.begin() + UdpDatagram::kHeaderLen);
  EXPECT_TRUE(udp.emit(MutableBytes(out.data(), out.size()), src, dst));
  return out;
}

Buffer ndp_message(const NdpRepr& ndp, const Ipv6Address& src, const Ipv6Address& dst) {
  Buffer out(ndp.buffer_len());
  EXPECT_TRUE(ndp.emit(MutableBytes(out.data(), out.size()), src, dst));
  return out;
}

// Enabled at 0, DAD over at 1000: the link-local address is ours.
void bring_up(Stack& s) {
  s.iface.enable_ipv6(0);
  s.iface.poll(1000);
  ASSERT_TRUE(s.iface.slaac().link_local_ready());
  s.sent();
}

// dnsmasq's RA at 1000 and the poll that ends the global address's DAD.
void configure_from_dnsmasq(Stack& s) {
  bring_up(s);
  s.feed(frames6::kNdpRaDnsmasq, 1000);
  s.iface.poll(2000);
  ASSERT_TRUE(s.iface.slaac().is_assigned(kDnsmasqGlobal, 2000));
  s.sent();
}

// dnsmasq's host defends ADDRESS: an unsolicited, overriding NA to all-nodes, at NOW.
void defend_from_dnsmasq(Stack& s, const Ipv6Address& address, Millis now) {
  NdpRepr defence;
  defence.type = Icmpv6Type::NeighborAdvert;
  defence.target = address;
  defence.override_ = true;
  defence.has_target_mac = true;
  defence.target_mac = kDnsmasqMac;
  Ipv6Address all = Ipv6Address::all_nodes();
  s.feed(ipv6_frame(kDnsmasqMac, all.multicast_mac(),
                    header(address, all, ipv6_next::kIcmpv6, kNdpHopLimit),
                    ndp_message(defence, address, all)),
         now);
}

// dnsmasq's host solicits TARGET from SRC (with its MAC), or probes it from ::.
Buffer solicitation_for(const Ipv6Address& target, const Ipv6Address& src) {
  NdpRepr ns;
  ns.type = Icmpv6Type::NeighborSolicit;
  ns.target = target;
  Ipv6Address group = target.solicited_node();
  if (!src.is_unspecified()) {
    ns.has_source_mac = true;
    ns.source_mac = kDnsmasqMac;
  }
  return ipv6_frame(kDnsmasqMac, group.multicast_mac(),
                    header(src, group, ipv6_next::kIcmpv6, kNdpHopLimit),
                    ndp_message(ns, src, group));
}

// ---------------------------------------------------------------------------
// Off by default

TEST(InterfaceIpv6, OffByDefaultDropsIpv6AndSendsNothing) {
  Stack s;
  // Unicast to our MAC (the multicast ones are not even received).
  s.feed(frames6::kNdpRaDnsmasq, 0);
  s.feed(frames6::kNdpRaQemu, 0);
  EXPECT_EQ(s.dropped(Drop::Unsupported), 1u);
  EXPECT_EQ(s.dropped(Drop::NotForUs), 1u);
  EXPECT_TRUE(s.device.tx.empty());
  UdpMeta meta;
  meta.dst = kDnsmasqServer;
  meta.src_port = 1;
  meta.dst_port = 2;
  auto sent = s.iface.send_udp(meta, bytes_of("x"));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error(), Error(Layer::Iface, Errc::Unsupported));
}

// ---------------------------------------------------------------------------
// SLAAC through the interface

TEST(InterfaceIpv6, EnableSendsDadAndRouterSolicitationWithHopLimit255) {
  Stack s;
  s.iface.enable_ipv6(0);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 3u);
  // RFC 4862 5.4.2: the solicited-node group is joined, and reported, before
  // DAD's solicitation goes to it; from :: while the address is tentative (RFC
  // 3810 5.2.13), the report the Linux kernel sent from the same MAC.
  EXPECT_EQ(out[0], test::to_buffer(frames6::kMldReportHopByHop));
  EXPECT_EQ(s.iface.mld().stats().reports_sent, 1u);
  out.erase(out.begin());
  Sent dad = parse_sent(out[0]);
  EXPECT_EQ(dad.eth_dst, (MacAddress{{0x33, 0x33, 0xff, 0x12, 0x34, 0x56}}));
  EXPECT_EQ(dad.ip.hop_limit, kNdpHopLimit);
  EXPECT_TRUE(dad.ip.src.is_unspecified());
  EXPECT_EQ(dad.ip.dst, kLinkLocal.solicited_node());
  EXPECT_EQ(parse_ndp(dad).target, kLinkLocal);
  Sent rs = parse_sent(out[1]);
  EXPECT_EQ(rs.eth_dst, (MacAddress{{0x33, 0x33, 0, 0, 0, 2}}));
  EXPECT_EQ(rs.ip.hop_limit, kNdpHopLimit);
  // From the optimistic link-local address (RFC 4429), without our MAC.
  EXPECT_EQ(rs.ip.src, kLinkLocal);
  EXPECT_EQ(parse_ndp(rs).type, Icmpv6Type::RouterSolicit);
  EXPECT_FALSE(parse_ndp(rs).has_source_mac);
  EXPECT_EQ(s.iface.slaac().next_deadline(), Slaac::kRetransTimer);
}

TEST(InterfaceIpv6, SolicitRoutersSendsSlaacsSolicitationNow) {
  Stack s;
  EXPECT_EQ(s.iface.solicit_routers().error(), Error(Layer::Iface, Errc::Unsupported));
  bring_up(s);
  s.iface.poll(1500);
  ASSERT_TRUE(s.iface.solicit_routers().ok());
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  // DAD has passed: the Linux kernel's RS from this MAC, byte for byte.
  EXPECT_EQ(out[0], test::to_buffer(frames6::kNdpRs));
}

// RFC 4429: while the link-local address's DAD runs it is ours to use, but it
// puts itself into no one's cache: our answers for it do not override, and our
// solicitations from it carry no link-layer address.
TEST(InterfaceIpv6, OptimisticAddressIsUsedButOverridesNoCache) {
  Stack s;
  s.iface.enable_ipv6(0);
  s.sent();
  const Ipv6Address neighbour = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 0x99);
  // What left besides MLD's repeated report (its time is drawn from the MAC).
  auto ndp_sent = [&] {
    std::vector<Buffer> out;
    for (Buffer& frame : s.sent())
      if (parse_sent(frame).ip.hop_limit == kNdpHopLimit) out.push_back(frame);
    return out;
  };
  auto resolve_us = [&](Millis now) {
    s.feed(solicitation_for(kLinkLocal, kDnsmasqRouter), now);
    std::vector<Buffer> out = ndp_sent();
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? NdpRepr{} : parse_ndp(parse_sent(out[0]));
  };
  NdpRepr advert = resolve_us(100);
  EXPECT_EQ(advert.type, Icmpv6Type::NeighborAdvert);
  EXPECT_EQ(advert.target, kLinkLocal);
  EXPECT_TRUE(advert.solicited);
  EXPECT_FALSE(advert.override_);
  EXPECT_TRUE(advert.has_target_mac);
  // A datagram to it is ours.
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(4000, endpoint));
  s.feed(ipv6_frame(kDnsmasqMac, kOurMac, header(kDnsmasqRouter, kLinkLocal, ipv6_next::kUdp),
                    udp6(kDnsmasqRouter, kLinkLocal, 547, 4000, bytes_of("reply"))),
         200);
  ASSERT_EQ(endpoint.datagrams.size(), 1u);
  // A datagram from it to a neighbour not yet known: the solicitation comes from
  // it, without our link-layer address.
  UdpMeta meta;
  meta.dst = neighbour;
  meta.src_port = 4000;
  meta.dst_port = 547;
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Ndp, Errc::WouldBlock));
  std::vector<Buffer> out = ndp_sent();
  ASSERT_EQ(out.size(), 1u);
  Sent ns = parse_sent(out[0]);
  EXPECT_EQ(ns.ip.src, kLinkLocal);
  EXPECT_EQ(ns.ip.dst, neighbour.solicited_node());
  EXPECT_EQ(parse_ndp(ns).type, Icmpv6Type::NeighborSolicit);
  EXPECT_FALSE(parse_ndp(ns).has_source_mac);
  // DAD over: answers override, solicitations carry our MAC.
  s.iface.poll(1000);
  s.sent();
  EXPECT_TRUE(resolve_us(1100).override_);
  meta.dst = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 0x98);
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Ndp, Errc::WouldBlock));
  out = ndp_sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(parse_ndp(parse_sent(out[0])).has_source_mac);
}

TEST(InterfaceIpv6, WithoutARouterTheLaterSolicitationIsLinuxsByteForByte) {
  Stack s;
  bring_up(s);
  // The second RS, at 4 s, goes from the link-local address with our MAC: what
  // the Linux kernel sent from the same MAC.
  s.iface.poll(3999);
  EXPECT_TRUE(s.sent().empty());
  s.iface.poll(4000);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(frames6::kNdpRs));
}

TEST(InterfaceIpv6, DnsmasqAdvertisementGivesAddressesAndTheRouterToTheNeighbourCache) {
  Stack s;
  configure_from_dnsmasq(s);
  const Slaac& slaac = s.iface.slaac();
  EXPECT_EQ(slaac.stats().advertisements, 1u);
  EXPECT_EQ(slaac.mtu(), 1400u);
  Ipv6Address router;
  ASSERT_TRUE(slaac.default_router(2000, router));
  EXPECT_EQ(router, kDnsmasqRouter);
  // The RA's source link-layer option: the router is known, Stale.
  EXPECT_EQ(s.iface.neighbors().state_of(kDnsmasqRouter, 2000), NeighborCache::State::Stale);
  // Each of the two prefixes made an address that ran DAD of its own through
  // the interface.
  EXPECT_EQ(slaac.stats().dad_sent, 3u);
  EXPECT_TRUE(slaac.is_assigned(
      Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456), 2000));
  // dnsmasq leaves Reachable Time and Retrans Timer unspecified: the defaults stand.
  EXPECT_EQ(s.iface.neighbors().reachable_time(), NeighborCache::kReachableTime);
  EXPECT_EQ(s.iface.neighbors().retrans_timer(), NeighborCache::kRetransTimer);
}

TEST(InterfaceIpv6, AdvertisementTimersReachTheNeighbourCache) {
  Stack s;
  bring_up(s);
  NdpRepr ra;
  ra.type = Icmpv6Type::RouterAdvert;
  ra.cur_hop_limit = 64;
  ra.router_lifetime = 600;
  ra.reachable_time = 12'000;
  ra.retrans_timer = 500;
  ra.has_source_mac = true;
  ra.source_mac = kDnsmasqMac;
  Ipv6Address all = Ipv6Address::all_nodes();
  s.feed(ipv6_frame(kDnsmasqMac, all.multicast_mac(),
                    header(kDnsmasqRouter, all, ipv6_next::kIcmpv6, kNdpHopLimit),
                    ndp_message(ra, kDnsmasqRouter, all)),
         1000);
  EXPECT_EQ(s.iface.neighbors().reachable_time(), 12'000u);
  EXPECT_EQ(s.iface.neighbors().retrans_timer(), 500u);
}

TEST(InterfaceIpv6, QemuAdvertisementToAllNodesIsTaken) {
  Stack s;
  bring_up(s);
  s.feed(frames6::kNdpRaQemu, 1000);
  s.iface.poll(2000);
  EXPECT_TRUE(s.iface.slaac().is_assigned(kQemuGlobal, 2000));
  EXPECT_EQ(s.iface.neighbors().state_of(kSlirpRouter, 2000), NeighborCache::State::Stale);
}

TEST(InterfaceIpv6, OtherGroupsAndOtherAddressesAreNotOurs) {
  Stack s;
  configure_from_dnsmasq(s);
  // The defence of fd00:6d70::99 goes to ff02::1: taken, and teaches nothing.
  s.feed(frames6::kNdpNaDefence, 2000);
  EXPECT_EQ(s.iface.neighbors().state_of(Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x99), 2000),
            NeighborCache::State::Empty);
  // mDNS's group (ff02::fb): not joined, dropped at the MAC.
  uint32_t before = s.dropped(Drop::NotForUs);
  Ipv6Address mdns = Ipv6Address::of(0xff02, 0, 0, 0, 0, 0, 0, 0xfb);
  Buffer payload = udp6(kDnsmasqRouter, mdns, 5353, 5353, bytes_of("q"));
  s.feed(ipv6_frame(kDnsmasqMac, mdns.multicast_mac(), header(kDnsmasqRouter, mdns, ipv6_next::kUdp),
                    payload),
         2000);
  EXPECT_EQ(s.dropped(Drop::NotForUs), before + 1);
  // Unicast to an address that is not ours, on our MAC.
  Ipv6Address other = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x42);
  Buffer to_other = udp6(kDnsmasqServer, other, 53, kDnsClientPort, bytes_of("a"));
  s.feed(ipv6_frame(kDnsmasqMac, kOurMac, header(kDnsmasqServer, other, ipv6_next::kUdp), to_other),
         2000);
  EXPECT_EQ(s.dropped(Drop::NotForUs), before + 2);
  EXPECT_TRUE(s.sent().empty());
}

// ---------------------------------------------------------------------------
// Multicast filter

std::vector<MacAddress> groups_of(const phy::RxFilter& filter) {
  std::vector<MacAddress> out;
  for (size_t i = 0; i < filter.group_count; ++i) out.push_back(MacAddress::from_bytes(filter.groups[i]));
  return out;
}

TEST(InterfaceIpv6, DeviceIsAskedForAllNodesAndOurSolicitedNodeGroups) {
  Stack s;
  s.device.modes = phy::kRxMulticastList | phy::kRxAllMulticast;
  s.iface.poll(0);
  EXPECT_TRUE(s.device.filters.empty());  // IPv4 only: nothing to ask for
  s.iface.enable_ipv6(0);
  ASSERT_EQ(s.device.filters.size(), 1u);
  EXPECT_EQ(s.device.filters[0].modes, uint32_t{phy::kRxMulticastList});
  const MacAddress all_nodes{{0x33, 0x33, 0, 0, 0, 1}};
  const MacAddress ours{{0x33, 0x33, 0xff, 0x12, 0x34, 0x56}};
  EXPECT_EQ(groups_of(s.device.filters[0]), (std::vector<MacAddress>{all_nodes, ours}));
  // The EUI-64 addresses from dnsmasq's prefixes share that group: no change,
  // so the device is not asked again.
  s.iface.poll(1000);
  s.feed(frames6::kNdpRaDnsmasq, 1000);
  s.iface.poll(2000);
  EXPECT_EQ(s.device.filters.size(), 1u);
  // Once someone else has programmed the device, the next poll asks again.
  s.iface.refresh_rx_filter();
  s.iface.poll(2100);
  ASSERT_EQ(s.device.filters.size(), 2u);
  EXPECT_EQ(groups_of(s.device.filters[1]), (std::vector<MacAddress>{all_nodes, ours}));
}

// The filter the interface asks for, as the e1000/e1000e driver programs it (the
// Multicast Table Array hash, RCTL.MO 00), passes every group frame IPv6 needs
// here: Linux's DAD probe for our address (to our solicited-node group), QEMU's
// RA and a bridge's MLD query (to all-nodes).
TEST(InterfaceIpv6, IntelMulticastTableFromOurFilterPassesTheGroupsIpv6Needs) {
  Stack s;
  s.device.modes = phy::kRxMulticastList | phy::kRxAllMulticast | phy::kRxPromiscuous;
  s.iface.enable_ipv6(0);
  ASSERT_EQ(s.device.filters.size(), 1u);
  phy::MulticastTable table;
  table.add_list(s.device.filters[0]);
  for (Bytes frame : {Bytes(frames6::kNdpDadNs), Bytes(frames6::kNdpRaQemu),
                      Bytes(mld_frames::kMldv2GeneralQuery)}) {
    ASSERT_EQ(frame[0] & 1, 1) << "a group frame";
    EXPECT_TRUE(table.passes(frame.data()));
  }
  // Bits 47:36 of the group MAC: ours hashes to 0x563; another solicited-node
  // group, ff02::1:ff00:42's, to 0x420, not in the table.
  const uint8_t ours[6] = {0x33, 0x33, 0xff, 0x12, 0x34, 0x56};
  const uint8_t other[6] = {0x33, 0x33, 0xff, 0x00, 0x00, 0x42};
  EXPECT_EQ(phy::MulticastTable::hash(ours, 0), 0x563u);
  EXPECT_EQ(phy::MulticastTable::hash(other, 0), 0x420u);
  EXPECT_TRUE(table.passes(ours));
  EXPECT_FALSE(table.passes(other));
}

TEST(InterfaceIpv6, DeviceWithoutAGroupListIsAskedForAllMulticast) {
  Stack s;
  s.device.modes = phy::kRxAllMulticast;
  s.iface.enable_ipv6(0);
  ASSERT_EQ(s.device.filters.size(), 1u);
  EXPECT_EQ(s.device.filters[0].modes, uint32_t{phy::kRxAllMulticast});
  EXPECT_EQ(s.iface.counters().rx_filter_refused, 0u);
}

// ---------------------------------------------------------------------------
// MLD: the solicited-node group reported, Linux's queries answered as Linux does

// The MLD listener's delays come from a generator seeded with the MAC: the same
// draws, in the same order, name the millisecond each report is due.
constexpr uint64_t kMldSeed = 0x525400123456;

// Rewrites an MLD frame's ICMPv6 checksum (the message after the 8-byte
// hop-by-hop header) for its addresses.
void reseal_mld(Buffer& frame) {
  constexpr size_t kMessage = EthernetFrame::kHeaderLen + Ipv6Packet::kHeaderLen + kRouterAlertHeaderLen;
  Ipv6Address src = Ipv6Address::from_bytes(frame.data() + EthernetFrame::kHeaderLen + Ipv6Packet::kSrcOffset);
  Ipv6Address dst = Ipv6Address::from_bytes(frame.data() + EthernetFrame::kHeaderLen + Ipv6Packet::kDstOffset);
  Bytes message(frame.data() + kMessage, frame.size() - kMessage);
  store_be16(frame.data() + kMessage + 2, icmpv6_checksum(src, dst, message));
}

TEST(InterfaceIpv6, JoinReportIsRepeatedOnceWithinASecond) {
  Stack s;
  s.iface.enable_ipv6(0);
  s.sent();
  Prng draws(kMldSeed);
  Millis repeat = 1 + draws.below(1000);
  ASSERT_LT(repeat, Slaac::kRetransTimer);  // this MAC's draw: before DAD ends
  EXPECT_EQ(s.iface.next_deadline(), repeat);
  s.iface.poll(repeat - 1);
  EXPECT_TRUE(s.sent().empty());
  s.iface.poll(repeat);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(mld_frames::kMldv2JoinFromUnspecified));
  EXPECT_EQ(s.iface.mld().stats().reports_sent, 2u);
  // Nothing more about the group, also once dnsmasq's addresses (same group) come.
  s.iface.poll(1000);
  s.feed(frames6::kNdpRaDnsmasq, 1000);
  s.iface.poll(2000);
  for (const Buffer& frame : s.sent()) EXPECT_NE(parse_sent(frame).ip.hop_limit, kMldHopLimit);
  EXPECT_EQ(s.iface.mld().stats().reports_sent, 2u);
  EXPECT_EQ(s.iface.mld().group_count(), 1u);
}

TEST(InterfaceIpv6, LinuxBridgeGeneralQueryIsAnsweredWithLinuxsReport) {
  Stack s;
  bring_up(s);
  Prng draws(kMldSeed);
  draws.below(1000);  // the join's repeat
  s.feed(mld_frames::kMldv2GeneralQuery, 2000);
  EXPECT_EQ(s.iface.mld().stats().general_queries, 1u);
  Millis due = 2000 + draws.below(1001);  // Maximum Response Delay 1000 ms
  EXPECT_EQ(s.iface.next_deadline(), due);
  s.iface.poll(due - 1);
  EXPECT_TRUE(s.sent().empty());
  s.iface.poll(due);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  // From the link-local address now: MODE_IS_EXCLUDE {} for ff02::1:ff12:3456,
  // what the Linux kernel answered the same bridge with.
  EXPECT_EQ(out[0], test::to_buffer(mld_frames::kMldv2CurrentState));
}

TEST(InterfaceIpv6, LinuxBridgeV1QueryIsAnsweredWithLinuxsV1Report) {
  Stack s;
  bring_up(s);
  Prng draws(kMldSeed);
  draws.below(1000);
  s.feed(mld_frames::kMldv1GeneralQuery, 2000);
  EXPECT_EQ(s.iface.mld().stats().v1_queries, 1u);
  Millis due = 2000 + draws.below(1001);
  s.iface.poll(due);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(mld_frames::kMldv1Report));
}

TEST(InterfaceIpv6, AddressSpecificQueryForOurGroupIsAnsweredAndForAnotherIsNotOurs) {
  Stack s;
  bring_up(s);
  Prng draws(kMldSeed);
  draws.below(1000);
  // The bridge's query for ff02::1:ff00:42, a group we never joined: dropped
  // at the address check, nothing scheduled.
  uint32_t not_ours = s.dropped(Drop::NotForUs);
  s.feed(mld_frames::kMldv2GroupQuery, 2000);
  EXPECT_EQ(s.dropped(Drop::NotForUs), not_ours + 1);
  EXPECT_EQ(s.iface.mld().stats().specific_queries + s.iface.mld().stats().other_queries, 0u);
  // The same query for our group (to it, naming it, resealed).
  const Ipv6Address ours = kLinkLocal.solicited_node();
  Buffer query = test::to_buffer(mld_frames::kMldv2GroupQuery);
  ours.multicast_mac().write(query.data());
  ours.write(query.data() + EthernetFrame::kHeaderLen + Ipv6Packet::kDstOffset);
  ours.write(query.data() + 62 + 8);
  reseal_mld(query);
  s.feed(query, 3000);
  EXPECT_EQ(s.iface.mld().stats().specific_queries, 1u);
  Millis due = 3000 + draws.below(501);  // Maximum Response Delay 500 ms
  s.iface.poll(due - 1);
  EXPECT_TRUE(s.sent().empty());
  s.iface.poll(due);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(mld_frames::kMldv2CurrentState));
}

TEST(InterfaceIpv6, QueryNotFromALinkLocalAddressOrOverOneHopIsDropped) {
  Stack s;
  bring_up(s);
  // RFC 3810 5.1.14: from a global address.
  Buffer query = test::to_buffer(mld_frames::kMldv2GeneralQuery);
  kDnsmasqServer.write(query.data() + EthernetFrame::kHeaderLen + Ipv6Packet::kSrcOffset);
  reseal_mld(query);
  uint32_t malformed = s.dropped(Drop::Malformed);
  s.feed(query, 2000);
  EXPECT_EQ(s.dropped(Drop::Malformed), malformed + 1);
  // Hop limit 2: it crossed a router.
  query = test::to_buffer(mld_frames::kMldv2GeneralQuery);
  query[EthernetFrame::kHeaderLen + Ipv6Packet::kHopLimitOffset] = 2;
  s.feed(query, 2000);
  EXPECT_EQ(s.dropped(Drop::Malformed), malformed + 2);
  // A wrong checksum.
  query = test::to_buffer(mld_frames::kMldv2GeneralQuery);
  query[64] ^= 1;
  uint32_t bad_checksum = s.dropped(Drop::BadChecksum);
  s.feed(query, 2000);
  EXPECT_EQ(s.dropped(Drop::BadChecksum), bad_checksum + 1);
  EXPECT_EQ(s.iface.mld().stats().general_queries, 0u);
  EXPECT_EQ(s.iface.next_deadline(), s.iface.slaac().next_deadline());
  s.iface.poll(5000);
  for (const Buffer& frame : s.sent()) EXPECT_NE(parse_sent(frame).ip.hop_limit, kMldHopLimit);
}

// ---------------------------------------------------------------------------
// Neighbour solicitations for our addresses

TEST(InterfaceIpv6, SolicitationForOurAddressIsAnswered) {
  Stack s;
  configure_from_dnsmasq(s);
  NdpRepr ns;
  ns.type = Icmpv6Type::NeighborSolicit;
  ns.target = kDnsmasqGlobal;
  ns.has_source_mac = true;
  ns.source_mac = kDnsmasqMac;
  Ipv6Address group = kDnsmasqGlobal.solicited_node();
  s.feed(ipv6_frame(kDnsmasqMac, group.multicast_mac(),
                    header(kDnsmasqServer, group, ipv6_next::kIcmpv6, kNdpHopLimit),
                    ndp_message(ns, kDnsmasqServer, group)),
         2500);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent na = parse_sent(out[0]);
  EXPECT_EQ(na.eth_dst, kDnsmasqMac);
  EXPECT_EQ(na.ip.src, kDnsmasqGlobal);
  EXPECT_EQ(na.ip.dst, kDnsmasqServer);
  EXPECT_EQ(na.ip.hop_limit, kNdpHopLimit);
  NdpRepr advert = parse_ndp(na);
  EXPECT_EQ(advert.type, Icmpv6Type::NeighborAdvert);
  EXPECT_EQ(advert.target, kDnsmasqGlobal);
  EXPECT_TRUE(advert.solicited);
  EXPECT_TRUE(advert.override_);
  EXPECT_FALSE(advert.router);
  ASSERT_TRUE(advert.has_target_mac);
  EXPECT_EQ(advert.target_mac, kOurMac);
  EXPECT_EQ(s.iface.counters().neighbor_advertisements, 1u);
  // The solicitor is learned from its source link-layer option.
  EXPECT_EQ(s.iface.neighbors().state_of(kDnsmasqServer, 2500), NeighborCache::State::Stale);

  // Another node's DAD for our address: defended to all-nodes, unsolicited.
  NdpRepr probe;
  probe.type = Icmpv6Type::NeighborSolicit;
  probe.target = kDnsmasqGlobal;
  s.feed(ipv6_frame(kDnsmasqMac, group.multicast_mac(),
                    header(Ipv6Address(), group, ipv6_next::kIcmpv6, kNdpHopLimit),
                    ndp_message(probe, Ipv6Address(), group)),
         2600);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent defence = parse_sent(out[0]);
  EXPECT_EQ(defence.eth_dst, (MacAddress{{0x33, 0x33, 0, 0, 0, 1}}));
  EXPECT_EQ(defence.ip.dst, Ipv6Address::all_nodes());
  EXPECT_FALSE(parse_ndp(defence).solicited);
}

TEST(InterfaceIpv6, ProbeForAnAddressWhoseDadRunsIsADuplicateNotAnAnswer) {
  Stack s;
  s.iface.enable_ipv6(0);
  s.sent();
  // Optimistic: already a source.
  UdpMeta meta;
  meta.dst = Ipv6Address::all_nodes();
  meta.src_port = 1;
  meta.dst_port = 2;
  ASSERT_TRUE(s.iface.send_udp(meta, bytes_of("x")).ok());
  s.sent();
  // The Linux kernel's DAD probe for the same link-local address.
  s.feed(frames6::kNdpDadNs, 500);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(s.iface.slaac().failure(), SlaacFailure::LinkLocalDuplicate);
  // Given up: nothing leaves from it any more.
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Iface, Errc::Unreachable));
  EXPECT_TRUE(s.sent().empty());
}

TEST(InterfaceIpv6, SolicitationWithHopLimitUnder255IsDropped) {
  Stack s;
  configure_from_dnsmasq(s);
  NdpRepr ns;
  ns.type = Icmpv6Type::NeighborSolicit;
  ns.target = kDnsmasqGlobal;
  Ipv6Address group = kDnsmasqGlobal.solicited_node();
  s.feed(ipv6_frame(kDnsmasqMac, group.multicast_mac(),
                    header(kDnsmasqServer, group, ipv6_next::kIcmpv6, 64),
                    ndp_message(ns, kDnsmasqServer, group)),
         2500);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(s.dropped(Drop::Malformed), 1u);
}

// ---------------------------------------------------------------------------
// Echo

TEST(InterfaceIpv6, EchoRequestToOurAddressIsAnswered) {
  Stack s;
  configure_from_dnsmasq(s);
  // The captured request's message, sent to us this time.
  Icmpv6Repr request;
  request.type = Icmpv6Type::EchoRequest;
  request.ident = 0x6d70;
  request.seq_no = 1;
  request.data = bytes_of("mpxe echo payload");
  Buffer message(request.buffer_len());
  ASSERT_TRUE(request.emit(MutableBytes(message.data(), message.size()), kDnsmasqServer,
                           kDnsmasqGlobal));
  s.feed(ipv6_frame(kDnsmasqMac, kOurMac, header(kDnsmasqServer, kDnsmasqGlobal, ipv6_next::kIcmpv6),
                    message),
         3000);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent reply = parse_sent(out[0]);
  EXPECT_EQ(reply.eth_dst, kDnsmasqMac);
  EXPECT_EQ(reply.ip.src, kDnsmasqGlobal);
  EXPECT_EQ(reply.ip.dst, kDnsmasqServer);
  EXPECT_EQ(reply.ip.next_header, ipv6_next::kIcmpv6);
  // The ICMPv6 bytes are those of the captured reply the server's kernel sent
  // back to the same request the other way round (same ident, seq, data; the
  // checksum sums the same addresses).
  const Buffer captured = test::to_buffer(frames6::kIcmpv6EchoReply);
  EXPECT_EQ(reply.upper, Buffer(captured.begin() + 54, captured.end()));
  EXPECT_EQ(s.iface.counters().echo_replies, 1u);

  // To ff02::1: not answered.
  Buffer to_all(request.buffer_len());
  ASSERT_TRUE(request.emit(MutableBytes(to_all.data(), to_all.size()), kDnsmasqServer,
                           Ipv6Address::all_nodes()));
  s.feed(ipv6_frame(kDnsmasqMac, Ipv6Address::all_nodes().multicast_mac(),
                    header(kDnsmasqServer, Ipv6Address::all_nodes(), ipv6_next::kIcmpv6), to_all),
         3000);
  EXPECT_TRUE(s.sent().empty());
}

// ---------------------------------------------------------------------------
// UDP

TEST(InterfaceIpv6, DnsQueryResolvesTheServerAndMatchesLinuxsDatagram) {
  Stack s;
  configure_from_dnsmasq(s);
  RecordingEndpoint resolver;
  ASSERT_TRUE(s.iface.bind(kDnsClientPort, resolver));
  const Buffer query_frame = test::to_buffer(frames6::kUdp6DnsQuery);
  // The DNS message of the captured query (after Ethernet, IPv6, UDP).
  Bytes query = view(query_frame).subspan(14 + 40 + 8);
  UdpMeta meta;
  meta.src = Ipv6Address();
  meta.dst = kDnsmasqServer;
  meta.src_port = kDnsClientPort;
  meta.dst_port = 53;
  // fd00:6d70::1 is on-link (the prefix's L bit) and unknown: one solicitation,
  // which is the one Linux sent, byte for byte.
  auto first = s.iface.send_udp(meta, query);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error(), Error(Layer::Ndp, Errc::WouldBlock));
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(frames6::kNdpNs));
  EXPECT_EQ(s.iface.counters().neighbor_solicitations, 1u);
  // A second try before the answer waits without sending.
  auto again = s.iface.send_udp(meta, query);
  EXPECT_EQ(again.error(), Error(Layer::Ndp, Errc::WouldBlock));
  EXPECT_TRUE(s.sent().empty());

  s.feed(frames6::kNdpNa, 2100);
  EXPECT_EQ(s.iface.neighbors().state_of(kDnsmasqServer, 2100), NeighborCache::State::Reachable);
  ASSERT_TRUE(s.iface.send_udp(meta, query).ok());
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  // Linux's frame but for the flow label it drew: the same MACs, addresses,
  // hop limit and UDP datagram, checksum included.
  Buffer expected = query_frame;
  expected[15] = 0x00;  // traffic class 0, flow label 0
  expected[16] = 0x00;
  expected[17] = 0x00;
  EXPECT_EQ(out[0], expected);

  // dnsmasq's answer reaches the endpoint with an IPv6 meta.
  s.feed(frames6::kUdp6DnsResponse, 2200);
  ASSERT_EQ(resolver.datagrams.size(), 1u);
  const test::Received& got = resolver.datagrams[0];
  EXPECT_EQ(got.meta.src, IpAddress(kDnsmasqServer));
  EXPECT_EQ(got.meta.dst, IpAddress(kDnsmasqGlobal));
  EXPECT_EQ(got.meta.src_port, 53u);
  EXPECT_EQ(got.meta.dst_port, kDnsClientPort);
  EXPECT_EQ(got.payload.size(), sizeof frames6::kUdp6DnsResponse - 14 - 40 - 8);
  EXPECT_EQ(got.now, 2200u);
}

TEST(InterfaceIpv6, PortUnreachableReachesTheEndpointThatSent) {
  Stack s;
  configure_from_dnsmasq(s);
  // The server kernel's answer to the client's datagram to port 9 (behind a
  // destination options header), from port 0x8558.
  RecordingEndpoint sender;
  ASSERT_TRUE(s.iface.bind(0x8558, sender));
  s.feed(frames6::kIcmpv6PortUnreachable, 2000);
  ASSERT_EQ(sender.unreachables.size(), 1u);
  const test::Unreachable& got = sender.unreachables[0];
  EXPECT_EQ(got.code, static_cast<uint8_t>(Icmpv6Unreachable::Port));
  EXPECT_EQ(got.quoted.src, IpAddress(kDnsmasqGlobal));
  EXPECT_EQ(got.quoted.dst, IpAddress(kDnsmasqServer));
  EXPECT_EQ(got.quoted.src_port, 0x8558u);
  EXPECT_EQ(got.quoted.dst_port, 9u);
  // Unbound: no one to tell (and no error about an error).
  s.iface.unbind(0x8558);
  s.sent();
  s.feed(frames6::kIcmpv6PortUnreachable, 2000);
  EXPECT_EQ(sender.unreachables.size(), 1u);
  EXPECT_EQ(s.dropped(Drop::NoEndpoint), 1u);
  EXPECT_TRUE(s.sent().empty());
}

TEST(InterfaceIpv6, DatagramToAnUnboundPortGetsAPortUnreachable) {
  Stack s;
  configure_from_dnsmasq(s);
  // dnsmasq's DNS answer with no one on the port: the kernel's answer in kind,
  // quoting the whole packet.
  s.feed(frames6::kUdp6DnsResponse, 2000);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent error = parse_sent(out[0]);
  EXPECT_EQ(error.eth_dst, kDnsmasqMac);
  EXPECT_EQ(error.ip.src, kDnsmasqGlobal);
  EXPECT_EQ(error.ip.dst, kDnsmasqServer);
  auto packet = Icmpv6Packet::check(view(error.upper));
  ASSERT_TRUE(packet.ok());
  auto icmp = Icmpv6Repr::parse(packet.value(), error.ip.src, error.ip.dst);
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp.value().type, Icmpv6Type::DstUnreachable);
  EXPECT_EQ(icmp.value().code, static_cast<uint8_t>(Icmpv6Unreachable::Port));
  const Buffer captured = test::to_buffer(frames6::kUdp6DnsResponse);
  EXPECT_EQ(test::to_buffer(icmp.value().data), Buffer(captured.begin() + 14, captured.end()));
  EXPECT_EQ(s.iface.counters().icmp_errors, 1u);
  // To a group: never.
  Ipv6Address all = Ipv6Address::all_nodes();
  Buffer to_all = udp6(kDnsmasqServer, all, 53, 4444, bytes_of("x"));
  s.feed(ipv6_frame(kDnsmasqMac, all.multicast_mac(), header(kDnsmasqServer, all, ipv6_next::kUdp),
                    to_all),
         3000);
  EXPECT_TRUE(s.sent().empty());
}

TEST(InterfaceIpv6, OffLinkGoesThroughTheDefaultRouter) {
  Stack s;
  configure_from_dnsmasq(s);
  UdpMeta meta;
  meta.dst = Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
  meta.src_port = 40000;
  meta.dst_port = 69;
  // The router is Stale from its RA: used at once.
  ASSERT_TRUE(s.iface.send_udp(meta, bytes_of("rrq")).ok());
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent sent = parse_sent(out[0]);
  EXPECT_EQ(sent.eth_dst, kDnsmasqMac);
  EXPECT_EQ(sent.ip.src, kDnsmasqGlobal);
  EXPECT_EQ(sent.ip.dst, Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1));
  auto datagram = UdpDatagram::check(view(sent.upper));
  ASSERT_TRUE(datagram.ok());
  EXPECT_TRUE(datagram.value().verify_checksum(sent.ip.src, sent.ip.dst));
  // The router's entry went Stale -> Delay on use (RFC 4861 7.3.3).
  EXPECT_EQ(s.iface.neighbors().state_of(kDnsmasqRouter, 2000), NeighborCache::State::Delay);
}

TEST(InterfaceIpv6, SendRefusals) {
  Stack s;
  s.iface.enable_ipv6(0);
  UdpMeta meta;
  meta.dst = Ipv6Address::all_nodes();
  meta.src = kLinkLocal;
  meta.src_port = 1;
  meta.dst_port = 2;
  // Not ours: refused.
  meta.src = Ipv6Address::of(0xfe80, 0, 0, 0, 0, 0, 0, 0x77);
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Iface, Errc::Unreachable));
  // The link-local address is optimistic, so a source, before DAD is over.
  meta.src = kLinkLocal;
  EXPECT_TRUE(s.iface.send_udp(meta, bytes_of("x")).ok());
  s.iface.poll(1000);
  s.sent();
  EXPECT_TRUE(s.iface.send_udp(meta, bytes_of("x")).ok());
  // No router, no prefix: a global destination has no route.
  meta.src = Ipv6Address();
  meta.dst = Ipv6Address::of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Iface, Errc::Unreachable));
  // Mixed families.
  meta.src = Ipv4Address::of(10, 0, 0, 1);
  EXPECT_EQ(s.iface.send_udp(meta, bytes_of("x")).error(), Error(Layer::Iface, Errc::Unsupported));
  // Over the MTU: IPv6 is not fragmented here.
  meta.src = Ipv6Address();
  meta.dst = Ipv6Address::all_nodes();
  Buffer big(1500 - 40 - 8 + 1, 0x55);
  EXPECT_EQ(s.iface.send_udp(meta, view(big)).error(), Error(Layer::Udp, Errc::TooBig));
  Buffer fits(1500 - 40 - 8, 0x55);
  EXPECT_TRUE(s.iface.send_udp(meta, view(fits)).ok());
}

// ---------------------------------------------------------------------------
// The address DHCPv6 assigned

// What dnsmasq's range would hand out: another /128 in the RA's prefix, with a
// solicited-node group of its own.
const Ipv6Address kAssigned = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x100);

TEST(InterfaceIpv6, Dhcpv6AddressRunsDadThenIsAnsweredForReceivesAndSends) {
  Stack s;
  s.device.modes = phy::kRxMulticastList;
  configure_from_dnsmasq(s);
  size_t filters = s.device.filters.size();
  ASSERT_TRUE(s.iface.set_dhcpv6_address(kAssigned, 3600, 7200).ok());
  // The MLD report for the new solicited-node group first (RFC 4862 5.4.2), then
  // DAD: from :: to that group, hop limit 255.
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(parse_sent(out[0]).ip.dst, kMldv2Routers);
  Sent dad = parse_sent(out[1]);
  EXPECT_EQ(dad.eth_dst, kAssigned.solicited_node().multicast_mac());
  EXPECT_TRUE(dad.ip.src.is_unspecified());
  EXPECT_EQ(dad.ip.dst, kAssigned.solicited_node());
  EXPECT_EQ(dad.ip.hop_limit, kNdpHopLimit);
  EXPECT_EQ(parse_ndp(dad).type, Icmpv6Type::NeighborSolicit);
  EXPECT_EQ(parse_ndp(dad).target, kAssigned);
  // Its group joins the device's filter at once (the probe's answer comes there).
  ASSERT_EQ(s.device.filters.size(), filters + 1);
  const MacAddress assigned_group{{0x33, 0x33, 0xff, 0x00, 0x01, 0x00}};
  auto groups = groups_of(s.device.filters.back());
  EXPECT_NE(std::find(groups.begin(), groups.end(), assigned_group), groups.end());
  EXPECT_EQ(groups.size(), 3u);  // all-nodes, the EUI-64 group, this one

  // Tentative: neither answered for nor a destination yet.
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(4000, endpoint));
  auto datagram_to_us = [&] {
    return ipv6_frame(kDnsmasqMac, kOurMac, header(kDnsmasqServer, kAssigned, ipv6_next::kUdp),
                      udp6(kDnsmasqServer, kAssigned, 69, 4000, bytes_of("data")));
  };
  s.feed(datagram_to_us(), 2500);
  EXPECT_TRUE(endpoint.datagrams.empty());
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().state, SlaacAddressState::Tentative);

  s.iface.poll(3000);
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().state, SlaacAddressState::Preferred);
  s.sent();
  // The server resolves it: answered, from it, with our MAC.
  s.feed(solicitation_for(kAssigned, kDnsmasqServer), 3100);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent na = parse_sent(out[0]);
  EXPECT_EQ(na.ip.src, kAssigned);
  EXPECT_EQ(na.ip.dst, kDnsmasqServer);
  NdpRepr advert = parse_ndp(na);
  EXPECT_EQ(advert.type, Icmpv6Type::NeighborAdvert);
  EXPECT_EQ(advert.target, kAssigned);
  EXPECT_TRUE(advert.solicited);
  // A datagram to it reaches the endpoint; one from it leaves with it as source.
  s.feed(datagram_to_us(), 3200);
  ASSERT_EQ(endpoint.datagrams.size(), 1u);
  EXPECT_EQ(endpoint.datagrams[0].meta.dst, IpAddress(kAssigned));
  UdpMeta meta;
  meta.src = kAssigned;
  meta.dst = kDnsmasqServer;
  meta.src_port = 4000;
  meta.dst_port = 69;
  ASSERT_TRUE(s.iface.send_udp(meta, bytes_of("ack")).ok());
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent ack = parse_sent(out[0]);
  EXPECT_EQ(ack.eth_dst, kDnsmasqMac);
  EXPECT_EQ(ack.ip.src, kAssigned);
  auto udp = UdpDatagram::check(view(ack.upper));
  ASSERT_TRUE(udp.ok());
  EXPECT_TRUE(udp.value().verify_checksum(ack.ip.src, ack.ip.dst));

  // Past its valid lifetime it is no longer ours, and its group leaves the filter.
  s.iface.poll(2000 + 7200 * 1000);
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().state, SlaacAddressState::Empty);
  s.feed(datagram_to_us(), 2000 + 7200 * 1000);
  EXPECT_EQ(endpoint.datagrams.size(), 1u);
  groups = groups_of(s.device.filters.back());
  EXPECT_EQ(std::find(groups.begin(), groups.end(), assigned_group), groups.end());
}

TEST(InterfaceIpv6, Dhcpv6AddressAnotherNodeHoldsIsADuplicate) {
  Stack s;
  configure_from_dnsmasq(s);
  ASSERT_TRUE(s.iface.set_dhcpv6_address(kAssigned, 3600, 3600).ok());
  s.sent();
  // The holder defends it: an NA to all-nodes for the tentative address.
  defend_from_dnsmasq(s, kAssigned, 2500);
  s.iface.poll(3000);
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().state, SlaacAddressState::Duplicate);
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().conflict, DadConflict::Advertised);
  // Never ours: a solicitation for it goes unanswered, IPv6 carries on.
  s.sent();
  s.feed(solicitation_for(kAssigned, kDnsmasqServer), 3100);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_TRUE(s.iface.slaac().is_assigned(kDnsmasqGlobal, 3100));
}

TEST(InterfaceIpv6, Dhcpv6AddressNeedsIpv6On) {
  Stack s;
  EXPECT_EQ(s.iface.set_dhcpv6_address(kAssigned, 1, 1).error(), Error(Layer::Iface, Errc::Unsupported));
  bring_up(s);
  EXPECT_EQ(s.iface.set_dhcpv6_address(kLinkLocal, 1, 1).error(), Error(Layer::Iface, Errc::BadValue));
  EXPECT_TRUE(s.sent().empty());
}

TEST(InterfaceIpv6, ZeroOrWrongUdpChecksumIsDropped) {
  Stack s;
  configure_from_dnsmasq(s);
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(kDnsClientPort, endpoint));
  Buffer response = test::to_buffer(frames6::kUdp6DnsResponse);
  Buffer zero = response;
  zero[14 + 40 + 6] = 0;  // "no checksum": not allowed over IPv6
  zero[14 + 40 + 7] = 0;
  s.feed(zero, 2000);
  Buffer wrong = response;
  wrong[wrong.size() - 1] ^= 1;
  s.feed(wrong, 2000);
  EXPECT_TRUE(endpoint.datagrams.empty());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 2u);
  s.feed(response, 2000);
  EXPECT_EQ(endpoint.datagrams.size(), 1u);
}

// A captured frame from the Linux client to the server, re-addressed from the
// server to us: the extension headers as the kernel wrote them, the UDP checksum
// made again for the new addresses.
Buffer readdressed_to_us(Bytes frame) {
  auto eth = EthernetFrame::check(frame);
  EXPECT_TRUE(eth.ok());
  auto packet = Ipv6Packet::check(eth.value().payload());
  EXPECT_TRUE(packet.ok());
  Ipv6Repr ip = Ipv6Repr::parse(packet.value());
  ip.src = kDnsmasqServer;
  ip.dst = kDnsmasqGlobal;
  Buffer out = ipv6_frame(kDnsmasqMac, kOurMac, ip, test::to_buffer(packet.value().payload()));
  auto moved = Ipv6Packet::check(view(out).subspan(EthernetFrame::kHeaderLen));
  Ipv6Chain chain = Ipv6Chain::walk(moved.value());
  if (chain.ok() && chain.protocol == ipv6_next::kUdp) {
    size_t at = static_cast<size_t>(chain.payload.data() - out.data());
    auto datagram = UdpDatagram::check(chain.payload);
    EXPECT_TRUE(datagram.ok());
    UdpRepr udp{datagram.value().src_port(), datagram.value().dst_port(),
                static_cast<uint16_t>(datagram.value().payload().size())};
    EXPECT_TRUE(udp.emit(MutableBytes(out.data() + at, udp.buffer_len()), ip.src, ip.dst));
  }
  return out;
}

TEST(InterfaceIpv6, UdpBehindDestinationOptionsIsDeliveredAndAnUnknownOptionIsNot) {
  Stack s;
  configure_from_dnsmasq(s);
  RecordingEndpoint discard;
  ASSERT_TRUE(s.iface.bind(9, discard));
  s.feed(readdressed_to_us(Bytes(frames6::kUdpDstOpts)), 2000);
  ASSERT_EQ(discard.datagrams.size(), 1u);
  EXPECT_EQ(discard.datagrams[0].meta.dst, IpAddress(kDnsmasqGlobal));
  // Option 0x9e's action bits say "discard": the walk stops before UDP.
  s.feed(readdressed_to_us(Bytes(frames6::kUdpDstOptsUnknown)), 2000);
  EXPECT_EQ(discard.datagrams.size(), 1u);
  EXPECT_EQ(s.dropped(Drop::Malformed), 1u);
  EXPECT_EQ(s.iface.counters().last_drop_error, ipv6_fault_error(Ipv6Fault::UnknownOption));
}

// ---------------------------------------------------------------------------
// DHCPv6 over the interface on QEMU's user network

class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::initializer_list<uint32_t> values) : values_(values) {}
  uint32_t next_u32() override {
    if (values_.empty()) return 0x80000000;
    uint32_t v = values_.front();
    values_.pop_front();
    return v;
  }

 private:
  std::deque<uint32_t> values_;
};

TEST(InterfaceIpv6, SlirpInformationRequestAndReply) {
  Stack s;
  bring_up(s);
  s.feed(frames6::kNdpRaQemu, 1000);
  s.iface.poll(2000);
  s.sent();
  // slirp's RA has neither M nor O: stateless, as its DHCPv6 server wants.
  ASSERT_FALSE(s.iface.slaac().managed());
  Dhcpv6Config config;
  config.mac = s.iface.mac();
  config.link_local = s.iface.slaac().link_local();
  config.mode = Dhcpv6Mode::Stateless;
  config.has_uuid = true;
  const uint8_t guid[16] = {0x6a, 0x0b, 0x4d, 0x2c, 0x8e, 0x1f, 0x4a, 0x5b,
                            0x9c, 0x7d, 0x0e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d};
  for (size_t i = 0; i < 16; ++i) config.uuid[i] = guid[i];
  ScriptedRandom random{0x736c72};  // the captured transaction id
  Dhcpv6Client client(config, random);
  ASSERT_TRUE(s.iface.bind(546, client));
  client.start(2000);
  client.poll(2000, s.iface);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Sent request = parse_sent(out[0]);
  EXPECT_EQ(request.eth_dst, (MacAddress{{0x33, 0x33, 0x00, 0x01, 0x00, 0x02}}));
  EXPECT_EQ(request.ip.src, kLinkLocal);
  EXPECT_EQ(request.ip.dst, Ipv6Address::of(0xff02, 0, 0, 0, 0, 0, 1, 2));
  EXPECT_EQ(request.ip.next_header, ipv6_next::kUdp);
  auto datagram = UdpDatagram::check(view(request.upper));
  ASSERT_TRUE(datagram.ok());
  EXPECT_TRUE(datagram.value().verify_checksum(request.ip.src, request.ip.dst));
  EXPECT_EQ(datagram.value().src_port(), 546u);
  EXPECT_EQ(datagram.value().dst_port(), 547u);
  EXPECT_EQ(test::to_buffer(datagram.value().payload()),
            test::to_buffer(test::v6frames::kSlirpInformationRequest));

  // slirp's Reply, from fec0::2 and port 547 byte-swapped, to our link-local
  // address.
  Buffer reply = udp6(kSlirpHost, kLinkLocal, test::v6frames::kSlirpSourcePort, 546,
                      Bytes(test::v6frames::kSlirpReply));
  s.feed(ipv6_frame(kSlirpMac, kOurMac, header(kSlirpHost, kLinkLocal, ipv6_next::kUdp), reply),
         2030);
  ASSERT_EQ(client.state(), Dhcpv6State::Bound);
  EXPECT_EQ(std::string(client.lease().boot_file_url.text),
            "tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/mpsh.efi");
  EXPECT_EQ(client.lease().server, IpAddress(kSlirpHost));
}

// The stateful lease through the interface: dnsmasq's captured Advertise and
// Reply (their transaction id rewritten), DAD on the leased address, another
// node's advertisement for it, and the Decline that goes out on the wire.
TEST(InterfaceIpv6, StatefulLeaseInUseIsDeclinedOnTheWireAndNeverASource) {
  Stack s;
  configure_from_dnsmasq(s);
  Dhcpv6Config config;
  config.mac = s.iface.mac();
  config.link_local = s.iface.slaac().link_local();
  config.mode = Dhcpv6Mode::Stateful;
  config.has_uuid = true;  // the captures' client
  const uint8_t guid[16] = {0x6a, 0x0b, 0x4d, 0x2c, 0x8e, 0x1f, 0x4a, 0x5b,
                            0x9c, 0x7d, 0x0e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d};
  for (size_t i = 0; i < 16; ++i) config.uuid[i] = guid[i];
  ScriptedRandom random{};  // every transaction id 0, RAND 0
  Dhcpv6Client client(config, random);
  Dhcpv6Binding binding(client, s.iface);
  ASSERT_TRUE(s.iface.bind(546, client));
  const Ipv6Address server = Ipv6Address::parse(test::v6frames::kDnsmasqLinkLocal).value();
  const Ipv6Address leased = Ipv6Address::of(0xfd00, 0x6d70, 0x7865, 0, 0, 0, 0, 0x100);
  auto from_server = [&](Bytes captured) {
    Buffer message = test::to_buffer(captured);
    message[1] = message[2] = message[3] = 0;  // our transaction id
    return ipv6_frame(kDnsmasqMac, kOurMac, header(server, kLinkLocal, ipv6_next::kUdp),
                      udp6(server, kLinkLocal, 547, 546, view(message)));
  };
  // The DHCPv6 message in a frame we sent, or an empty buffer.
  auto dhcpv6_of = [](const Buffer& frame) {
    Sent sent = parse_sent(frame);
    if (sent.ip.next_header != ipv6_next::kUdp) return Buffer();
    auto udp = UdpDatagram::check(view(sent.upper));
    if (!udp || udp.value().dst_port() != 547) return Buffer();
    EXPECT_EQ(sent.ip.src, kLinkLocal);
    EXPECT_EQ(sent.ip.dst, Ipv6Address::of(0xff02, 0, 0, 0, 0, 0, 1, 2));
    return test::to_buffer(udp.value().payload());
  };

  binding.start(2000);
  binding.poll(2000, s.iface);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(dhcpv6_of(out[0])[0], 1);  // Solicit
  s.feed(from_server(Bytes(test::v6frames::kDnsmasqAdvertise)), 2010);
  Millis now = binding.next_deadline();
  s.iface.poll(now);
  binding.poll(now, s.iface);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(dhcpv6_of(out[0])[0], 3);  // Request
  s.feed(from_server(Bytes(test::v6frames::kDnsmasqReply)), now + 10);
  binding.poll(now + 10, s.iface);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  // The MLD report for its group, then DAD's probe for it from ::.
  out = s.sent();
  ASSERT_EQ(out.size(), 2u);
  Sent dad = parse_sent(out[1]);
  EXPECT_TRUE(dad.ip.src.is_unspecified());
  EXPECT_EQ(parse_ndp(dad).target, leased);

  // Its holder defends it.
  defend_from_dnsmasq(s, leased, now + 500);
  binding.poll(now + 500, s.iface);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Running);
  ASSERT_EQ(binding.decline_count(), 1u);
  EXPECT_EQ(binding.decline(0).address, leased);
  EXPECT_EQ(binding.decline(0).conflict, DadConflict::Advertised);
  EXPECT_EQ(binding.decline(0).server, IpAddress(server));
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  Buffer decline = dhcpv6_of(out[0]);
  ASSERT_FALSE(decline.empty());
  EXPECT_EQ(decline[0], 9);  // Decline, naming the address
  EXPECT_NE(std::search(decline.begin(), decline.end(), leased.octets, leased.octets + 16),
            decline.end());
  // Never a source: the SLAAC address stays the one datagrams leave from.
  Ipv6Address src;
  ASSERT_TRUE(s.iface.slaac().source_for(kDnsmasqServer, now + 2000, src));
  EXPECT_EQ(src, kDnsmasqGlobal);
}

// The boot's order with optimistic DAD: DHCPv6 starts at once, from the
// link-local address whose DAD still runs, and its answers to that address are
// taken; the leased address itself runs DAD tentative, not optimistic: no source
// and not Bound until its DAD has passed.
TEST(InterfaceIpv6, StatefulLeaseStartsBeforeLinkLocalDadEndsButWaitsForItsOwn) {
  Stack s;
  s.iface.enable_ipv6(0);
  s.feed(frames6::kNdpRaDnsmasq, 5);
  s.sent();
  ASSERT_EQ(s.iface.slaac().address(0).state, SlaacAddressState::Optimistic);
  Dhcpv6Config config;
  config.mac = s.iface.mac();
  config.link_local = s.iface.slaac().link_local();
  config.mode = Dhcpv6Mode::Stateful;
  config.has_uuid = true;  // the captures' client
  const uint8_t guid[16] = {0x6a, 0x0b, 0x4d, 0x2c, 0x8e, 0x1f, 0x4a, 0x5b,
                            0x9c, 0x7d, 0x0e, 0x2f, 0x3a, 0x4b, 0x5c, 0x6d};
  for (size_t i = 0; i < 16; ++i) config.uuid[i] = guid[i];
  ScriptedRandom random{};
  Dhcpv6Client client(config, random);
  Dhcpv6Binding binding(client, s.iface);
  ASSERT_TRUE(s.iface.bind(546, client));
  const Ipv6Address server = Ipv6Address::parse(test::v6frames::kDnsmasqLinkLocal).value();
  const Ipv6Address leased = Ipv6Address::of(0xfd00, 0x6d70, 0x7865, 0, 0, 0, 0, 0x100);
  auto from_server = [&](Bytes captured) {
    Buffer message = test::to_buffer(captured);
    message[1] = message[2] = message[3] = 0;
    return ipv6_frame(kDnsmasqMac, kOurMac, header(server, kLinkLocal, ipv6_next::kUdp),
                      udp6(server, kLinkLocal, 547, 546, view(message)));
  };
  binding.start(10);
  binding.poll(10, s.iface);
  bool solicit_sent = false;
  for (const Buffer& frame : s.sent()) {
    Sent sent = parse_sent(frame);
    if (sent.ip.next_header != ipv6_next::kUdp) continue;
    EXPECT_EQ(sent.ip.src, kLinkLocal);  // optimistic
    solicit_sent = true;
  }
  EXPECT_TRUE(solicit_sent);
  s.feed(from_server(Bytes(test::v6frames::kDnsmasqAdvertise)), 20);
  EXPECT_EQ(client.stats().advertises, 1u);  // taken at the optimistic address
  Millis now = binding.next_deadline();
  s.iface.poll(now);
  binding.poll(now, s.iface);
  s.feed(from_server(Bytes(test::v6frames::kDnsmasqReply)), now + 10);
  binding.poll(now + 10, s.iface);
  ASSERT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  EXPECT_EQ(s.iface.slaac().dhcpv6_address().state, SlaacAddressState::Tentative);
  EXPECT_FALSE(s.iface.slaac().is_assigned(leased, now + 500));
  s.iface.poll(now + 500);
  binding.poll(now + 500, s.iface);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Testing);
  s.iface.poll(now + 10 + Slaac::kRetransTimer);
  binding.poll(now + 10 + Slaac::kRetransTimer, s.iface);
  EXPECT_EQ(binding.state(), Dhcpv6BindingState::Bound);
  EXPECT_EQ(binding.dad_ms(), Slaac::kRetransTimer);
  EXPECT_TRUE(s.iface.slaac().is_assigned(leased, now + 10 + Slaac::kRetransTimer));
}

}  // namespace
}  // namespace mpxe::net
