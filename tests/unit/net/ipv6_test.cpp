// IPv6, its extension-header walk, ICMPv6 and the pseudo-header checksum, fed
// the frames capture_ipv6.py captured from Linux and dnsmasq (ipv6_frames.h), and
// hostile chains built from them.
#include <gtest/gtest.h>

#include "net/wire/checksum.h"
#include "net/wire/icmpv6.h"
#include "net/wire/ipv6.h"
#include "net_test_util.h"
#include "ipv6_frames.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::frame;
using test::to_buffer;
using test::view;

const Ipv6Address kServer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
// What Linux made by SLAAC from 52:54:00:12:34:56 and the RA's fd00:6d70::/64.
const Ipv6Address kClient = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};

Bytes ip_of(Bytes eth) { return test::ipv4_of(eth); }  // the Ethernet payload, whatever it is

Ipv6Packet packet_of(Bytes eth) {
  auto packet = Ipv6Packet::check(ip_of(eth));
  EXPECT_TRUE(packet.ok());
  return packet.value();
}

// The ICMPv6 message of a frame with no extension headers.
Bytes icmp_of(Bytes eth) { return packet_of(eth).payload(); }

TEST(Ipv6Packet, ReadsTheFixedHeaderOfALinuxEchoRequest) {
  Ipv6Packet p = packet_of(frame(frames6::kIcmpv6EchoRequest));
  EXPECT_EQ(p.version(), 6);
  EXPECT_EQ(p.traffic_class(), 0);
  EXPECT_EQ(p.flow_label(), 0x66c86u);
  EXPECT_EQ(p.payload_len(), 25);
  EXPECT_EQ(p.next_header(), ipv6_next::kIcmpv6);
  EXPECT_EQ(p.hop_limit(), 64);
  EXPECT_EQ(p.src(), kClient);
  EXPECT_EQ(p.dst(), kServer);
  Ipv6Repr repr = Ipv6Repr::parse(p);
  uint8_t out[40];
  ASSERT_TRUE(repr.emit(MutableBytes(out)).ok());
  EXPECT_TRUE(bytes_equal(Bytes(out), p.bytes().first(40)));
}

TEST(Ipv6Packet, RefusesShortAndWrongVersion) {
  Buffer b = to_buffer(ip_of(frame(frames6::kIcmpv6EchoRequest)));
  EXPECT_FAILS(Ipv6Packet::check(Bytes(b.data(), 39)), Layer::Ipv6, Errc::Truncated);
  EXPECT_FAILS(Ipv6Packet::check(Bytes(b.data(), b.size() - 1)), Layer::Ipv6, Errc::Truncated);
  b[0] = 0x45;
  EXPECT_FAILS(Ipv6Packet::check(view(b)), Layer::Ipv6, Errc::BadVersion);
}

TEST(Ipv6Packet, DropsEthernetPaddingFromTheView) {
  Buffer b = to_buffer(ip_of(frame(frames6::kIcmpv6EchoRequest)));
  b.insert(b.end(), 6, 0);
  auto p = Ipv6Packet::check(view(b));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.value().payload().size(), 25u);
}

TEST(Ipv6Chain, NoExtensionHeaders) {
  Ipv6Chain chain = Ipv6Chain::walk(packet_of(frame(frames6::kIcmpv6EchoRequest)));
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain.protocol, ipv6_next::kIcmpv6);
  EXPECT_EQ(chain.headers, 0u);
  EXPECT_EQ(chain.payload.size(), 25u);
}

TEST(Ipv6Chain, SkipsTheHopByHopRouterAlertOfAnMldReport) {
  Ipv6Chain chain = Ipv6Chain::walk(packet_of(frame(frames6::kMldReportHopByHop)));
  ASSERT_TRUE(chain.ok()) << ipv6_fault_text(chain.fault);
  EXPECT_EQ(chain.protocol, ipv6_next::kIcmpv6);
  EXPECT_EQ(chain.headers, 1u);
  EXPECT_TRUE(chain.router_alert);
  EXPECT_EQ(chain.payload[0], static_cast<uint8_t>(Icmpv6Type::Mldv2Report));
}

TEST(Ipv6Chain, SkipsDestinationOptionsPadN) {
  Ipv6Packet p = packet_of(frame(frames6::kUdpDstOpts));
  Ipv6Chain chain = Ipv6Chain::walk(p);
  ASSERT_TRUE(chain.ok()) << ipv6_fault_text(chain.fault);
  EXPECT_EQ(chain.protocol, ipv6_next::kUdp);
  EXPECT_EQ(chain.headers, 1u);
  EXPECT_EQ(chain.payload.size(), 8u + 11u);  // UDP header and "closed port"
  // The UDP checksum covers the upper-layer length, not the payload length.
  Checksum sum;
  sum.add(chain.payload);
  EXPECT_EQ(checksum_combine(ipv6_pseudo_header_sum(p.src(), p.dst(), ipv6_next::kUdp,
                                                    static_cast<uint32_t>(chain.payload.size())),
                             sum.sum(), 0),
            0xFFFF);
}

// Linux's Parameter Problem for the same packet points where our walk stopped.
TEST(Ipv6Chain, UnknownOptionStopsWhereTheLinuxKernelPointed) {
  Ipv6Chain chain = Ipv6Chain::walk(packet_of(frame(frames6::kUdpDstOptsUnknown)));
  EXPECT_EQ(chain.fault, Ipv6Fault::UnknownOption);
  Ipv6Packet error = packet_of(frame(frames6::kIcmpv6ParamProblem));
  auto icmp = Icmpv6Packet::check(error.payload());
  ASSERT_TRUE(icmp.ok());
  auto repr = Icmpv6Repr::parse(icmp.value(), error.src(), error.dst());
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr.value().type, Icmpv6Type::ParamProblem);
  EXPECT_EQ(repr.value().code, static_cast<uint8_t>(Icmpv6ParamProblem::UnknownOption));
  EXPECT_EQ(chain.pointer, repr.value().param);
  EXPECT_EQ(chain.pointer, 42u);
  EXPECT_STREQ(icmpv6_code_text(4, 2), "unrecognized option");
}

TEST(Ipv6Chain, FragmentsAreNamedNotReassembled) {
  Ipv6Chain first = Ipv6Chain::walk(packet_of(frame(frames6::kFragmentRequestFirst)));
  EXPECT_EQ(first.fault, Ipv6Fault::Fragment);
  EXPECT_EQ(first.fragment.next_header, ipv6_next::kIcmpv6);
  EXPECT_EQ(first.fragment.offset, 0);
  EXPECT_TRUE(first.fragment.more);
  Ipv6Chain last = Ipv6Chain::walk(packet_of(frame(frames6::kFragmentRequestLast)));
  EXPECT_EQ(last.fault, Ipv6Fault::Fragment);
  EXPECT_EQ(last.fragment.offset, 1352);
  EXPECT_FALSE(last.fragment.more);
  EXPECT_EQ(last.fragment.ident, first.fragment.ident);
  EXPECT_EQ(ipv6_fault_error(last.fault), Error(Layer::Ipv6, Errc::Unsupported));
}

// A packet: the fixed header of the echo request, then `chain` (extension
// headers) ending in an 8-byte upper layer of protocol 17.
Buffer with_chain(uint8_t first, std::initializer_list<uint8_t> chain) {
  Buffer b = to_buffer(ip_of(frame(frames6::kIcmpv6EchoRequest)).first(40));
  b.insert(b.end(), chain);
  b.insert(b.end(), 8, 0xAA);
  b[6] = first;
  store_be16(b.data() + 4, static_cast<uint16_t>(b.size() - 40));
  return b;
}

Ipv6Chain walk(const Buffer& b) {
  auto p = Ipv6Packet::check(view(b));
  EXPECT_TRUE(p.ok());
  return Ipv6Chain::walk(p.value());
}

TEST(Ipv6Chain, HostileChainsAreRefusedByName) {
  // Destination options, then hop-by-hop: hop-by-hop must come first.
  Ipv6Chain c = walk(with_chain(60, {0, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0}));
  EXPECT_EQ(c.fault, Ipv6Fault::HopByHopNotFirst);
  EXPECT_EQ(c.pointer, 40u);
  // Nine destination options headers in a row.
  std::initializer_list<uint8_t> one = {60, 0, 1, 4, 0, 0, 0, 0};
  Buffer nine;
  for (int i = 0; i < 9; ++i) nine.insert(nine.end(), one);
  nine[8 * 8] = 17;
  Buffer b = with_chain(60, {});
  b.insert(b.begin() + 40, nine.begin(), nine.end());
  store_be16(b.data() + 4, static_cast<uint16_t>(b.size() - 40));
  EXPECT_EQ(walk(b).fault, Ipv6Fault::TooManyHeaders);
  // Eight is the bound, and passes.
  Buffer eight(nine.begin(), nine.begin() + 64);
  eight[7 * 8] = 17;
  b = with_chain(60, {});
  b.insert(b.begin() + 40, eight.begin(), eight.end());
  store_be16(b.data() + 4, static_cast<uint16_t>(b.size() - 40));
  EXPECT_TRUE(walk(b).ok());
  // A header whose length runs past the packet.
  EXPECT_EQ(walk(with_chain(60, {17, 9, 1, 4, 0, 0, 0, 0})).fault, Ipv6Fault::HeaderTruncated);
  // An option whose length runs past its header.
  c = walk(with_chain(60, {17, 0, 1, 5, 0, 0, 0, 0}));
  EXPECT_EQ(c.fault, Ipv6Fault::OptionTruncated);
  EXPECT_EQ(c.pointer, 43u);
  // An unknown option with action 00 is skipped; 01 discards.
  EXPECT_TRUE(walk(with_chain(60, {17, 0, 0x1E, 4, 0, 0, 0, 0})).ok());
  EXPECT_EQ(walk(with_chain(60, {17, 0, 0x5E, 4, 0, 0, 0, 0})).fault, Ipv6Fault::UnknownOption);
  // Pad1 options are single bytes.
  EXPECT_TRUE(walk(with_chain(60, {17, 0, 0, 0, 0, 0, 0, 0})).ok());
  // A routing header with segments left is not for a host; with none it is skipped.
  c = walk(with_chain(43, {17, 0, 4, 1, 0, 0, 0, 0}));
  EXPECT_EQ(c.fault, Ipv6Fault::RoutingSegmentsLeft);
  EXPECT_EQ(c.pointer, 43u);
  EXPECT_TRUE(walk(with_chain(43, {17, 0, 4, 0, 0, 0, 0, 0})).ok());
  // An atomic fragment (RFC 6946) is walked through; a real one is not.
  c = walk(with_chain(44, {17, 0, 0, 0, 1, 2, 3, 4}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.protocol, ipv6_next::kUdp);
  EXPECT_EQ(walk(with_chain(44, {17, 0, 0, 1, 1, 2, 3, 4})).fault, Ipv6Fault::Fragment);
  EXPECT_EQ(walk(with_chain(59, {})).fault, Ipv6Fault::NoNextHeader);
  EXPECT_EQ(walk(with_chain(50, {})).fault, Ipv6Fault::UnknownHeader);
  EXPECT_STREQ(ipv6_fault_text(Ipv6Fault::HopByHopNotFirst), "hop-by-hop header not first");
}

TEST(Icmpv6, EchoRequestAndTheReplyWeWouldSendMatchLinux) {
  Ipv6Packet request = packet_of(frame(frames6::kIcmpv6EchoRequest));
  auto packet = Icmpv6Packet::check(request.payload());
  ASSERT_TRUE(packet.ok());
  EXPECT_TRUE(packet.value().verify_checksum(request.src(), request.dst()));
  auto repr = Icmpv6Repr::parse(packet.value(), request.src(), request.dst());
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr.value().type, Icmpv6Type::EchoRequest);
  EXPECT_EQ(repr.value().ident, 0x6d70);
  EXPECT_EQ(repr.value().seq_no, 1);
  EXPECT_EQ(test::str(repr.value().data), "mpxe echo payload");

  Icmpv6Repr reply = repr.value();
  reply.type = Icmpv6Type::EchoReply;
  Buffer out(reply.buffer_len());
  ASSERT_TRUE(reply.emit(test::mut(out), request.dst(), request.src()).ok());
  EXPECT_TRUE(bytes_equal(view(out), icmp_of(frame(frames6::kIcmpv6EchoReply))));
}

TEST(Icmpv6, ChecksumCoversThePseudoHeader) {
  Ipv6Packet request = packet_of(frame(frames6::kIcmpv6EchoRequest));
  auto packet = Icmpv6Packet::check(request.payload());
  // Same bytes, another destination: the checksum no longer holds.
  EXPECT_FAILS(Icmpv6Repr::parse(packet.value(), request.src(), Ipv6Address::all_nodes()),
               Layer::Icmpv6, Errc::BadChecksum);
  Buffer b = to_buffer(request.payload());
  b[10] ^= 1;
  EXPECT_FAILS(Icmpv6Repr::parse(Icmpv6Packet::check(view(b)).value(), request.src(),
                                 request.dst()),
               Layer::Icmpv6, Errc::BadChecksum);
  EXPECT_FAILS(Icmpv6Packet::check(view(b).first(7)), Layer::Icmpv6, Errc::Truncated);
}

TEST(Icmpv6, PortUnreachableQuotesTheDatagramWithItsOptions) {
  Ipv6Packet error = packet_of(frame(frames6::kIcmpv6PortUnreachable));
  auto repr = Icmpv6Repr::parse(Icmpv6Packet::check(error.payload()).value(), error.src(),
                                error.dst());
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr.value().type, Icmpv6Type::DstUnreachable);
  EXPECT_EQ(repr.value().code, static_cast<uint8_t>(Icmpv6Unreachable::Port));
  EXPECT_STREQ(icmpv6_code_text(1, 4), "port unreachable");
  EXPECT_EQ(repr.value().quoted_header.src, kClient);
  EXPECT_EQ(repr.value().quoted_header.dst, kServer);
  EXPECT_EQ(repr.value().quoted_header.next_header, ipv6_next::kDestOptions);
  // The quoted packet walks to its UDP header, port 9.
  auto quoted = Ipv6Packet::check_quoted(repr.value().data);
  ASSERT_TRUE(quoted.ok());
  Ipv6Chain chain = Ipv6Chain::walk(quoted.value());
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(load_be16(chain.payload.data() + 2), 9);
  // An error re-emitted from its repr is the kernel's message.
  Buffer out(repr.value().buffer_len());
  ASSERT_TRUE(repr.value().emit(test::mut(out), error.src(), error.dst()).ok());
  EXPECT_TRUE(bytes_equal(view(out), error.payload()));
}

// Found by fuzz_ipv6: an error whose "unused" field is not zero re-emits as it came.
TEST(Icmpv6, UnusedFieldOfAnErrorIsKept) {
  Ipv6Packet error = packet_of(frame(frames6::kIcmpv6PortUnreachable));
  Buffer b = to_buffer(error.payload());
  store_be32(b.data() + 4, 0x12345678);
  store_be16(b.data() + 2, 0);
  store_be16(b.data() + 2, icmpv6_checksum(error.src(), error.dst(), view(b)));
  auto repr = Icmpv6Repr::parse(Icmpv6Packet::check(view(b)).value(), error.src(), error.dst());
  ASSERT_TRUE(repr.ok());
  EXPECT_EQ(repr.value().param, 0x12345678u);
  Buffer out(repr.value().buffer_len());
  ASSERT_TRUE(repr.value().emit(test::mut(out), error.src(), error.dst()).ok());
  EXPECT_EQ(out, b);
}

TEST(Icmpv6, ErrorWithoutAWholeQuotedHeaderIsRefused) {
  Ipv6Packet error = packet_of(frame(frames6::kIcmpv6PortUnreachable));
  Icmpv6Repr repr;
  repr.type = Icmpv6Type::DstUnreachable;
  repr.code = 4;
  repr.data = error.payload().subspan(8).first(39);
  Buffer out(repr.buffer_len());
  ASSERT_TRUE(repr.emit(test::mut(out), error.src(), error.dst()).ok());
  EXPECT_FAILS(Icmpv6Repr::parse(Icmpv6Packet::check(view(out)).value(), error.src(), error.dst()),
               Layer::Icmpv6, Errc::Truncated);
}

TEST(Icmpv6, NdpAndMldTypesAreNotEchoOrErrors) {
  Ipv6Packet rs = packet_of(frame(frames6::kNdpRs));
  EXPECT_FAILS(Icmpv6Repr::parse(Icmpv6Packet::check(rs.payload()).value(), rs.src(), rs.dst()),
               Layer::Icmpv6, Errc::Unsupported);
  EXPECT_STREQ(icmpv6_type_text(133), "router solicitation");
  EXPECT_STREQ(icmpv6_type_text(200), "unknown");
}

TEST(Ipv6Checksum, UdpOverIpv6FromLinuxAndDnsmasq) {
  for (Bytes eth : {frame(frames6::kUdp6DnsQuery), frame(frames6::kUdp6DnsResponse)}) {
    Ipv6Packet p = packet_of(eth);
    Checksum sum;
    sum.add_address(p.src());
    sum.add_address(p.dst());
    sum.add_u32(p.payload_len());
    sum.add_u16(ipv6_next::kUdp);
    sum.add(p.payload());
    EXPECT_EQ(sum.sum(), 0xFFFF);
    uint16_t pseudo = ipv6_pseudo_header_sum(p.src(), p.dst(), ipv6_next::kUdp, p.payload_len());
    Checksum body;
    body.add(p.payload());
    EXPECT_EQ(checksum_combine(pseudo, body.sum(), 0), 0xFFFF);
  }
}

TEST(Ipv6Address, DerivedAddressesMatchWhatLinuxUsed) {
  Ipv6Packet dad = packet_of(frame(frames6::kNdpDadNs));
  Ipv6Address link_local = Ipv6Address::link_local(kClientMac);
  EXPECT_EQ(link_local, Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456));
  // DAD asks the solicited-node group of the address, at its 33:33 MAC.
  EXPECT_EQ(dad.dst(), link_local.solicited_node());
  EXPECT_EQ(dad.dst(), Ipv6Address::of(0xff02, 0, 0, 0, 0, 1, 0xff12, 0x3456));
  auto eth = EthernetFrame::check(frame(frames6::kNdpDadNs));
  EXPECT_EQ(eth.value().dst(), dad.dst().multicast_mac());
  EXPECT_TRUE(bytes_equal(dad.payload().subspan(8, 16), Bytes(link_local.octets)));
  uint8_t iid[8];
  Ipv6Address::eui64_interface_id(kClientMac, iid);
  EXPECT_EQ(Ipv6Address::from_prefix(Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0), iid),
            kClient);
  EXPECT_TRUE(kClient.in_prefix(Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0), 64));
  EXPECT_FALSE(kClient.in_prefix(Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0, 0, 0, 0), 64));
  EXPECT_TRUE(kClient.in_prefix(Ipv6Address::of(0xfd00, 0x6d71, 0, 0, 0, 0, 0, 0), 30));
  EXPECT_FALSE(kClient.in_prefix(kServer, 129));
  EXPECT_EQ(Ipv6Address::all_nodes().multicast_mac(),
            (MacAddress{{0x33, 0x33, 0, 0, 0, 1}}));
}

}  // namespace
}  // namespace mpxe::net
