// Neighbour discovery messages from Linux, dnsmasq and QEMU's user network
// (ipv6_frames.h, captured by capture_ipv6.py), what we emit for the same fields,
// and the RFC 4861 validity checks on hostile variations.
#include <gtest/gtest.h>

#include "net/wire/icmpv6.h"
#include "net/wire/ndp.h"
#include "net_test_util.h"
#include "ipv6_frames.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::to_buffer;
using test::view;

const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const Ipv6Address kServer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);

struct Parsed {
  Ipv6Repr ip;
  Bytes message;
};

Parsed split(Bytes eth) {
  auto p = Ipv6Packet::check(eth.subspan(EthernetFrame::kHeaderLen));
  EXPECT_TRUE(p.ok());
  return {Ipv6Repr::parse(p.value()), p.value().payload()};
}

NdpRepr parse_ok(Bytes eth) {
  Parsed in = split(eth);
  auto repr = NdpRepr::parse(in.ip, in.message);
  EXPECT_TRUE(repr.ok()) << error_text(repr.error());
  return repr.ok() ? repr.value() : NdpRepr{};
}

// Re-emits `parsed` for the frame's addresses, from its fields alone (the options
// it read are written from them, not copied), and compares with the message.
void expect_same_bytes(NdpRepr repr, Bytes eth) {
  repr.options = Bytes();
  Parsed in = split(eth);
  Buffer out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(test::mut(out), in.ip.src, in.ip.dst).ok());
  EXPECT_TRUE(bytes_equal(view(out), in.message));
}

// A mutated message with its checksum made right again, so the check under test
// is the one that fires.
Result<NdpRepr> parse_resealed(const Ipv6Repr& ip, Buffer message) {
  store_be16(message.data() + 2, 0);
  store_be16(message.data() + 2, icmpv6_checksum(ip.src, ip.dst, view(message)));
  return NdpRepr::parse(ip, view(message));
}

TEST(Ndp, DnsmasqRouterAdvertisement) {
  NdpRepr ra = parse_ok(frame(frames6::kNdpRaDnsmasq));
  EXPECT_EQ(ra.type, Icmpv6Type::RouterAdvert);
  EXPECT_EQ(ra.cur_hop_limit, 64);
  EXPECT_FALSE(ra.managed);
  EXPECT_TRUE(ra.other);  // one range is ra-stateless
  EXPECT_EQ(ra.router_lifetime, 600);
  EXPECT_EQ(ra.reachable_time, 0u);
  EXPECT_EQ(ra.retrans_timer, 0u);
  EXPECT_EQ(ra.mtu, 1400u);
  ASSERT_TRUE(ra.has_source_mac);
  EXPECT_EQ(ra.source_mac, kServerMac);
  NdpOptions options(ra.options);
  NdpOption option;
  int prefixes = 0, rdnss = 0;
  while (options.next(option)) {
    if (option.type == ndp_option::kPrefixInfo) {
      auto prefix = NdpPrefix::parse(option);
      ASSERT_TRUE(prefix.ok());
      EXPECT_EQ(prefix.value().prefix_len, 64);
      EXPECT_TRUE(prefix.value().on_link);
      EXPECT_TRUE(prefix.value().autonomous);
      if (prefixes++ == 0) {
        EXPECT_EQ(prefix.value().prefix, Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0));
        EXPECT_EQ(prefix.value().valid_lifetime, 43200u);
        EXPECT_EQ(prefix.value().preferred_lifetime, 43200u);
      } else {
        EXPECT_EQ(prefix.value().prefix, Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0, 0, 0, 0));
        EXPECT_EQ(prefix.value().valid_lifetime, 7200u);
      }
    } else if (option.type == ndp_option::kRdnss) {
      auto servers = NdpRdnss::parse(option);
      ASSERT_TRUE(servers.ok());
      ++rdnss;
      EXPECT_EQ(servers.value().lifetime, 43200u);
      ASSERT_EQ(servers.value().count(), 1u);
      EXPECT_EQ(servers.value().address(0), kServer);
    }
  }
  EXPECT_FALSE(options.error().is_error());
  EXPECT_EQ(prefixes, 2);
  EXPECT_EQ(rdnss, 1);
}

TEST(Ndp, QemuUserNetworkRouterAdvertisement) {
  NdpRepr ra = parse_ok(frame(frames6::kNdpRaQemu));
  EXPECT_FALSE(ra.managed);
  EXPECT_FALSE(ra.other);
  EXPECT_EQ(ra.router_lifetime, 1800);
  EXPECT_EQ(ra.source_mac, (MacAddress{{0x52, 0x56, 0, 0, 0, 2}}));
  NdpOptions options(ra.options);
  NdpOption option;
  ASSERT_TRUE(options.next(option));  // source link-layer address first
  ASSERT_TRUE(options.next(option));
  auto prefix = NdpPrefix::parse(option);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix.value().prefix, Ipv6Address::of(0xfec0, 0, 0, 0, 0, 0, 0, 0));
  EXPECT_EQ(prefix.value().valid_lifetime, 86400u);
  EXPECT_EQ(prefix.value().preferred_lifetime, 14400u);
  EXPECT_FALSE(options.next(option));  // no RDNSS on this host (below)
}

TEST(Ndp, RouterSolicitationAsLinuxSendsIt) {
  NdpRepr rs = parse_ok(frame(frames6::kNdpRs));
  EXPECT_EQ(rs.type, Icmpv6Type::RouterSolicit);
  EXPECT_TRUE(rs.has_source_mac);
  EXPECT_EQ(rs.source_mac, kClientMac);
  NdpRepr ours;
  ours.type = Icmpv6Type::RouterSolicit;
  ours.has_source_mac = true;
  ours.source_mac = kClientMac;
  expect_same_bytes(ours, frame(frames6::kNdpRs));
}

TEST(Ndp, DadSolicitationWithNonce) {
  NdpRepr ns = parse_ok(frame(frames6::kNdpDadNs));
  EXPECT_EQ(ns.type, Icmpv6Type::NeighborSolicit);
  EXPECT_EQ(ns.target, Ipv6Address::link_local(kClientMac));
  EXPECT_FALSE(ns.has_source_mac);
  EXPECT_TRUE(ns.has_nonce);  // RFC 7527, as Linux sends it
  expect_same_bytes(ns, frame(frames6::kNdpDadNs));
}

TEST(Ndp, SolicitationAndSolicitedAdvertisement) {
  NdpRepr ns = parse_ok(frame(frames6::kNdpNs));
  EXPECT_EQ(ns.target, kServer);
  EXPECT_EQ(ns.source_mac, kClientMac);
  expect_same_bytes(ns, frame(frames6::kNdpNs));
  NdpRepr na = parse_ok(frame(frames6::kNdpNa));
  EXPECT_EQ(na.type, Icmpv6Type::NeighborAdvert);
  EXPECT_EQ(na.target, kServer);
  EXPECT_TRUE(na.solicited);
  EXPECT_TRUE(na.override_);
  EXPECT_FALSE(na.router);  // the server does not forward
  ASSERT_TRUE(na.has_target_mac);
  EXPECT_EQ(na.target_mac, kServerMac);
  expect_same_bytes(na, frame(frames6::kNdpNa));
}

TEST(Ndp, AdvertisementDefendingAnAddress) {
  NdpRepr na = parse_ok(frame(frames6::kNdpNaDefence));
  EXPECT_EQ(na.target, Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x99));
  EXPECT_FALSE(na.solicited);
  EXPECT_TRUE(na.override_);
  expect_same_bytes(na, frame(frames6::kNdpNaDefence));
}

TEST(Ndp, RefusesWhatRfc4861SaysToDrop) {
  Parsed ra = split(frame(frames6::kNdpRaDnsmasq));
  Buffer msg = to_buffer(ra.message);
  // Hop limit under 255: it crossed a router.
  Ipv6Repr ip = ra.ip;
  ip.hop_limit = 254;
  EXPECT_FAILS(NdpRepr::parse(ip, view(msg)), Layer::Ndp, Errc::BadValue);
  // Code not 0.
  Buffer b = msg;
  b[1] = 1;
  EXPECT_FAILS(parse_resealed(ra.ip, b), Layer::Ndp, Errc::BadValue);
  // A router advertisement from a global address.
  ip = ra.ip;
  ip.src = kServer;
  EXPECT_FAILS(parse_resealed(ip, msg), Layer::Ndp, Errc::BadAddress);
  // Checksum.
  b = msg;
  b[20] ^= 1;
  EXPECT_FAILS(NdpRepr::parse(ra.ip, view(b)), Layer::Ndp, Errc::BadChecksum);
  // The first option (prefix information, length 4) given length 0.
  b = msg;
  ASSERT_EQ(b[16], ndp_option::kPrefixInfo);
  b[17] = 0;
  EXPECT_FAILS(parse_resealed(ra.ip, b), Layer::Ndp, Errc::BadLength);
  // The last option (RDNSS, 3 units) cut short by the message's end.
  b = msg;
  b.pop_back();
  EXPECT_FAILS(parse_resealed(ra.ip, b), Layer::Ndp, Errc::Truncated);
  // A prefix option of 3 units, an RDNSS of 2, an MTU of 2.
  b = msg;
  b[17] = 3;
  EXPECT_FALSE(parse_resealed(ra.ip, b).ok());
  // Shorter than an RA's fixed part.
  EXPECT_FAILS(parse_resealed(ra.ip, Buffer(msg.begin(), msg.begin() + 12)), Layer::Ndp,
               Errc::Truncated);
}

TEST(Ndp, OptionLengthsOfTheirDefinition) {
  Parsed ra = split(frame(frames6::kNdpRaDnsmasq));
  auto with_option = [&](std::initializer_list<uint8_t> option) {
    Buffer b = to_buffer(ra.message.first(16));
    b.insert(b.end(), option);
    return parse_resealed(ra.ip, b);
  };
  EXPECT_FAILS(with_option({25, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}), Layer::Ndp,
               Errc::BadOption);
  EXPECT_FAILS(with_option({5, 2, 0, 0, 0, 0, 5, 0x78, 0, 0, 0, 0, 0, 0, 0, 0}), Layer::Ndp,
               Errc::BadOption);
  EXPECT_FAILS(with_option({1, 2, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0}), Layer::Ndp,
               Errc::BadOption);
  // An option no one defined is skipped.
  auto unknown = with_option({200, 1, 1, 2, 3, 4, 5, 6});
  EXPECT_TRUE(unknown.ok());
}

TEST(Ndp, AddressRulesOfSolicitationsAndAdvertisements) {
  // DAD from :: with a source link-layer option.
  Parsed dad = split(frame(frames6::kNdpDadNs));
  Buffer b = to_buffer(dad.message.first(24));
  b.insert(b.end(), {1, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56});
  EXPECT_FAILS(parse_resealed(dad.ip, b), Layer::Ndp, Errc::BadOption);
  // DAD from :: to someone else than a solicited-node group.
  Ipv6Repr ip = dad.ip;
  ip.dst = Ipv6Address::all_nodes();
  EXPECT_FAILS(parse_resealed(ip, to_buffer(dad.message)), Layer::Ndp, Errc::BadAddress);
  // A multicast target.
  b = to_buffer(dad.message);
  b[8] = 0xff;
  EXPECT_FAILS(parse_resealed(dad.ip, b), Layer::Ndp, Errc::BadAddress);
  // A solicited advertisement to a multicast group.
  Parsed na = split(frame(frames6::kNdpNa));
  ip = na.ip;
  ip.dst = Ipv6Address::all_nodes();
  EXPECT_FAILS(parse_resealed(ip, to_buffer(na.message)), Layer::Ndp, Errc::BadValue);
  // Redirects are not taken.
  b = to_buffer(na.message);
  b[0] = 137;
  EXPECT_FAILS(parse_resealed(na.ip, b), Layer::Ndp, Errc::Unsupported);
}

TEST(Ndp, PrefixOptionEmitsWhatDnsmasqSent) {
  Parsed ra = split(frame(frames6::kNdpRaDnsmasq));
  NdpPrefix prefix;
  prefix.prefix = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0);
  prefix.prefix_len = 64;
  prefix.on_link = prefix.autonomous = true;
  prefix.valid_lifetime = prefix.preferred_lifetime = 43200;
  uint8_t out[32];
  ASSERT_TRUE(prefix.emit(MutableBytes(out)).ok());
  EXPECT_TRUE(bytes_equal(Bytes(out), ra.message.subspan(16, 32)));
}

}  // namespace
}  // namespace mpxe::net
