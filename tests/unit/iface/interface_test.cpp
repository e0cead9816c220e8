#include "net/iface/interface.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "iface_test_util.h"
#include "net/frames.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::FakeDevice;
using test::RecordingEndpoint;
using test::view;

// The addresses of the captured frames (tests/unit/net/frames.h): a client and
// a server on 10.77.0.0/24.
const MacAddress kClientMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const MacAddress kStrangerMac{{0x52, 0x54, 0x00, 0x99, 0x99, 0x99}};
const Ipv4Address kClientIp = Ipv4Address::of(10, 77, 0, 2);
const Ipv4Address kServerIp = Ipv4Address::of(10, 77, 0, 1);
const Ipv4Address kMask24 = Ipv4Address::of(255, 255, 255, 0);
const Ipv4Address kGateway = Ipv4Address::of(10, 77, 0, 254);

class SequenceRandom final : public Random {
 public:
  explicit SequenceRandom(std::vector<uint32_t> values) : values_(std::move(values)) {}
  uint32_t next_u32() override { return values_[next_++ % values_.size()]; }

 private:
  std::vector<uint32_t> values_;
  size_t next_ = 0;
};

// One interface over a fake device, with reassembly buffers of full size.
struct Stack {
  explicit Stack(MacAddress mac, Ipv4Config config = {}, uint16_t mtu = 1500)
      : device(mac, mtu), storage(2, Buffer(Reassembler::kMaxPayload)),
        spans{MutableBytes(storage[0].data(), storage[0].size()),
              MutableBytes(storage[1].data(), storage[1].size())},
        iface(device, Span<const MutableBytes>(spans, 2)) {
    iface.set_ipv4(config);
  }
  // Feeds frames and polls once at `now`.
  size_t feed(std::vector<Buffer> frames, Millis now = 0) {
    for (Buffer& f : frames) device.push_rx(std::move(f));
    return iface.poll(now);
  }
  size_t feed(Buffer frame, Millis now = 0) { return feed(std::vector<Buffer>{std::move(frame)}, now); }
  uint32_t dropped(Drop reason) const { return iface.counters().dropped(reason); }

  FakeDevice device;
  std::vector<Buffer> storage;
  MutableBytes spans[2];
  Interface iface;
};

Ipv4Config client_config() { return {kClientIp, kMask24, kGateway}; }
Ipv4Config server_config() { return {kServerIp, kMask24, {}}; }

Bytes text(const char* s) { return bytes_of(s); }

// ---------------------------------------------------------------------------
// ARP

TEST(InterfaceArp, AnswersARequestForOurAddressWithTheCapturedReply) {
  Stack s(kServerMac, server_config());
  s.feed(test::to_buffer(frames::kArpRequest));
  ASSERT_EQ(s.device.tx.size(), 1u);
  const Buffer& reply = s.device.tx[0];
  // What the server's kernel sent, byte for byte, padded to the Ethernet minimum.
  ASSERT_EQ(reply.size(), EthernetFrame::kMinFrameLen);
  EXPECT_EQ(Buffer(reply.begin(), reply.begin() + sizeof frames::kArpReply),
            test::to_buffer(frames::kArpReply));
  for (size_t i = sizeof frames::kArpReply; i < reply.size(); ++i) EXPECT_EQ(reply[i], 0) << i;
  ArpRepr arp = test::parse_arp_frame(reply);
  EXPECT_EQ(arp.operation, ArpOperation::Reply);
  EXPECT_EQ(arp.sender_mac, kServerMac);
  EXPECT_EQ(arp.sender_ip, kServerIp);
  EXPECT_EQ(arp.target_mac, kClientMac);
  EXPECT_EQ(arp.target_ip, kClientIp);
  // The requester is learned: sending to it needs no request of our own.
  MacAddress mac;
  EXPECT_TRUE(s.iface.arp_cache().lookup(kClientIp, 0, mac));
  EXPECT_EQ(mac, kClientMac);
  EXPECT_EQ(s.iface.counters().arp_replies, 1u);
  EXPECT_EQ(s.device.released(), 1u);
}

TEST(InterfaceArp, IgnoresRequestsForOtherAddressesAndLearnsNothing) {
  Stack s(kServerMac, {Ipv4Address::of(10, 77, 0, 9), kMask24, {}});
  s.feed(test::to_buffer(frames::kArpRequest));
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.iface.arp_cache().size(), 0u);
  EXPECT_EQ(s.dropped(Drop::NotForUs), 1u);
}

TEST(InterfaceArp, UnconfiguredAnswersNothing) {
  Stack s(kServerMac);
  s.feed(test::to_buffer(frames::kArpRequest));
  EXPECT_TRUE(s.device.tx.empty());
}

TEST(InterfaceArp, SendUdpMissesThenHits) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint;
  UdpMeta meta{kClientIp, kServerIp, 50000, 69};
  // Miss: an ARP request goes out and the send says to come back.
  EXPECT_FAILS(s.iface.send_udp(meta, text("hello")), Layer::Arp, Errc::WouldBlock);
  ASSERT_EQ(s.device.tx.size(), 1u);
  auto eth = EthernetFrame::check(view(s.device.tx[0])).value();
  EXPECT_EQ(eth.dst(), MacAddress::broadcast());
  EXPECT_EQ(eth.src(), kClientMac);
  ArpRepr request = test::parse_arp_frame(s.device.tx[0]);
  EXPECT_EQ(request.operation, ArpOperation::Request);
  EXPECT_EQ(request.sender_mac, kClientMac);
  EXPECT_EQ(request.sender_ip, kClientIp);
  EXPECT_EQ(request.target_mac, MacAddress{});
  EXPECT_EQ(request.target_ip, kServerIp);
  // The same bytes as the client kernel's request (padding aside).
  EXPECT_EQ(Buffer(s.device.tx[0].begin(), s.device.tx[0].begin() + sizeof frames::kArpRequest),
            test::to_buffer(frames::kArpRequest));
  // Still waiting: no second request within the second.
  EXPECT_FAILS(s.iface.send_udp(meta, text("hello")), Layer::Arp, Errc::WouldBlock);
  EXPECT_EQ(s.device.tx.size(), 1u);

  // The captured reply arrives; now the datagram goes straight out.
  s.feed(test::to_buffer(frames::kArpReply), 10);
  ASSERT_TRUE(s.iface.send_udp(meta, text("hello")));
  ASSERT_EQ(s.device.tx.size(), 2u);
  test::Parsed sent = test::parse_ipv4_frame(s.device.tx[1]);
  EXPECT_EQ(sent.eth.dst, kServerMac);
  EXPECT_EQ(sent.eth.src, kClientMac);
  EXPECT_EQ(sent.eth.ethertype, EtherType::Ipv4);
  EXPECT_EQ(sent.ip.src, kClientIp);
  EXPECT_EQ(sent.ip.dst, kServerIp);
  EXPECT_EQ(sent.ip.protocol, static_cast<uint8_t>(IpProtocol::Udp));
  EXPECT_EQ(sent.ip.ttl, Interface::kTtl);
  EXPECT_FALSE(sent.ip.more_fragments);
  EXPECT_EQ(sent.ip.fragment_offset, 0);
  EXPECT_EQ(sent.ip.payload_len, 8 + 5);
  auto udp = UdpDatagram::check(view(sent.ip_payload)).value();
  EXPECT_TRUE(UdpRepr::parse(udp, kClientIp, kServerIp).ok());
  EXPECT_NE(udp.checksum(), 0);
  EXPECT_EQ(udp.src_port(), 50000);
  EXPECT_EQ(udp.dst_port(), 69);
  EXPECT_EQ(test::to_buffer(udp.payload()), test::to_buffer(text("hello")));
  EXPECT_EQ(s.device.tx[1].size(), EthernetFrame::kMinFrameLen);  // padded
}

TEST(InterfaceArp, PollRetriesRequestsThenGivesUp) {
  Stack s(kClientMac, client_config());
  UdpMeta meta{{}, kServerIp, 50000, 69};
  s.iface.poll(0);
  EXPECT_FAILS(s.iface.send_udp(meta, text("x")), Layer::Arp, Errc::WouldBlock);
  EXPECT_EQ(s.iface.next_deadline(), 1000u);
  s.iface.poll(999);
  EXPECT_EQ(s.device.tx.size(), 1u);
  s.iface.poll(1000);
  EXPECT_EQ(s.device.tx.size(), 2u);
  s.iface.poll(2000);
  EXPECT_EQ(s.device.tx.size(), 3u);
  s.iface.poll(3000);
  EXPECT_EQ(s.iface.next_deadline(), kNever);
  EXPECT_FAILS(s.iface.send_udp(meta, text("x")), Layer::Arp, Errc::Unreachable);
  s.iface.poll(3000 + ArpCache::kFailedHold - 1);
  EXPECT_FAILS(s.iface.send_udp(meta, text("x")), Layer::Arp, Errc::Unreachable);
  EXPECT_EQ(s.device.tx.size(), 3u) << "never more than three requests";
  for (const Buffer& frame : s.device.tx)
    EXPECT_EQ(test::parse_arp_frame(frame).target_ip, kServerIp);
  EXPECT_EQ(s.iface.counters().arp_requests, 3u);
  // After the hold, a send starts a fresh round of requests.
  s.iface.poll(3000 + ArpCache::kFailedHold);
  EXPECT_FAILS(s.iface.send_udp(meta, text("x")), Layer::Arp, Errc::WouldBlock);
  EXPECT_EQ(s.device.tx.size(), 4u);
}

TEST(InterfaceArp, LearnsFromARequestAddressedToUs) {
  Stack s(kClientMac, client_config());
  ArpRepr request{ArpOperation::Request, kServerMac, kServerIp, MacAddress{}, kClientIp};
  s.feed(test::arp_frame(kServerMac, MacAddress::broadcast(), request));
  ASSERT_EQ(s.device.tx.size(), 1u);  // our reply
  ASSERT_TRUE(s.iface.send_udp({kClientIp, kServerIp, 1, 2}, text("x")));
  EXPECT_EQ(test::parse_ipv4_frame(s.device.tx[1]).eth.dst, kServerMac);
}

TEST(InterfaceArp, UpdatesAKnownEntryFromAnyPacketButAddsOnlyWhenTargeted) {
  Stack s(kClientMac, client_config());
  ArpRepr known{ArpOperation::Reply, kServerMac, kServerIp, kClientMac, kClientIp};
  s.feed(test::arp_frame(kServerMac, kClientMac, known));
  // The server moves to another MAC and asks for someone else: we update (merge).
  ArpRepr moved{ArpOperation::Request, kStrangerMac, kServerIp, MacAddress{},
                Ipv4Address::of(10, 77, 0, 50)};
  // A third host asks for someone else: not learned.
  ArpRepr other{ArpOperation::Request, kStrangerMac, Ipv4Address::of(10, 77, 0, 60), MacAddress{},
                Ipv4Address::of(10, 77, 0, 50)};
  s.feed({test::arp_frame(kStrangerMac, MacAddress::broadcast(), moved),
          test::arp_frame(kStrangerMac, MacAddress::broadcast(), other)});
  MacAddress mac;
  ASSERT_TRUE(s.iface.arp_cache().lookup(kServerIp, 0, mac));
  EXPECT_EQ(mac, kStrangerMac);
  EXPECT_FALSE(s.iface.arp_cache().lookup(Ipv4Address::of(10, 77, 0, 60), 0, mac));
  EXPECT_TRUE(s.device.tx.empty());
}

TEST(InterfaceArp, ProbesAndBogusSendersTeachNothing) {
  Stack s(kClientMac, client_config());
  // RFC 5227 probe for our address: sender IP 0.0.0.0.
  ArpRepr probe{ArpOperation::Request, kServerMac, Ipv4Address{}, MacAddress{}, kClientIp};
  ArpRepr multicast_sender{ArpOperation::Reply, MacAddress::broadcast(), kServerIp, kClientMac,
                           kClientIp};
  s.feed({test::arp_frame(kServerMac, MacAddress::broadcast(), probe),
          test::arp_frame(kServerMac, kClientMac, multicast_sender)});
  EXPECT_EQ(s.iface.arp_cache().size(), 0u);
  EXPECT_EQ(s.dropped(Drop::Malformed), 1u);
  // The probe is answered all the same: that is how we defend our address.
  ASSERT_EQ(s.device.tx.size(), 1u);
  ArpRepr defence = test::parse_arp_frame(s.device.tx[0]);
  EXPECT_EQ(defence.operation, ArpOperation::Reply);
  EXPECT_EQ(defence.sender_ip, kClientIp);
  EXPECT_EQ(defence.target_mac, kServerMac);
}

TEST(InterfaceArp, NeverAnswersToAZeroOrGroupAddress) {
  // Found by fuzz_iface: a request "from" 00:00:00:00:00:00 got a reply sent there.
  Stack s(kServerMac, server_config());
  ArpRepr zero{ArpOperation::Request, MacAddress{}, kClientIp, MacAddress{}, kServerIp};
  s.feed(test::arp_frame(kClientMac, MacAddress::broadcast(), zero));
  // Frames from a zero or group source are bogus whatever they carry.
  Buffer from_zero = test::to_buffer(frames::kArpRequest);
  fill_bytes(MutableBytes(from_zero.data() + 6, 6), 0);
  Buffer from_group = test::to_buffer(frames::kIcmpEchoRequest);
  from_group[6] |= 0x01;
  s.feed({from_zero, from_group});
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.dropped(Drop::Malformed), 3u);
  EXPECT_EQ(s.iface.arp_cache().size(), 0u);
}

TEST(InterfaceArp, AnnounceSendsAGratuitousRequest) {
  Stack s(kClientMac);
  EXPECT_FAILS(s.iface.announce(), Layer::Iface, Errc::Unreachable);
  s.iface.set_ipv4(client_config());
  ASSERT_TRUE(s.iface.announce());
  ASSERT_EQ(s.device.tx.size(), 1u);
  EXPECT_EQ(EthernetFrame::check(view(s.device.tx[0])).value().dst(), MacAddress::broadcast());
  ArpRepr arp = test::parse_arp_frame(s.device.tx[0]);
  EXPECT_EQ(arp.operation, ArpOperation::Request);
  EXPECT_EQ(arp.sender_ip, kClientIp);
  EXPECT_EQ(arp.target_ip, kClientIp);
  EXPECT_EQ(arp.sender_mac, kClientMac);
  EXPECT_EQ(arp.target_mac, MacAddress{});
}

// ---------------------------------------------------------------------------
// IPv4 receive filtering

struct FilterCase {
  const char* name;
  MacAddress eth_dst;
  Ipv4Address ip_dst;
  bool accepted;
};

TEST(InterfaceIpv4, AcceptsOurAddressAndBroadcastsOnly) {
  const FilterCase cases[] = {
      {"unicast to us", kClientMac, kClientIp, true},
      {"limited broadcast", MacAddress::broadcast(), Ipv4Address::broadcast(), true},
      {"subnet broadcast", MacAddress::broadcast(), Ipv4Address::of(10, 77, 0, 255), true},
      {"our IP in an Ethernet broadcast", MacAddress::broadcast(), kClientIp, true},
      {"another host", kClientMac, Ipv4Address::of(10, 77, 0, 3), false},
      {"another subnet's broadcast", MacAddress::broadcast(), Ipv4Address::of(10, 78, 0, 255), false},
      {"multicast", MacAddress::broadcast(), Ipv4Address::of(224, 0, 0, 1), false},
      {"another MAC", kStrangerMac, kClientIp, false},
      {"a multicast MAC", MacAddress{{0x01, 0x00, 0x5e, 0, 0, 1}}, kClientIp, false},
  };
  for (const FilterCase& c : cases) {
    Stack s(kClientMac, client_config());
    RecordingEndpoint endpoint;
    ASSERT_TRUE(s.iface.bind(68, endpoint));
    s.feed(test::udp_frame(kServerMac, c.eth_dst, kServerIp, c.ip_dst, 67, 68, text("x")));
    EXPECT_EQ(endpoint.datagrams.size(), c.accepted ? 1u : 0u) << c.name;
    EXPECT_EQ(s.dropped(Drop::NotForUs), c.accepted ? 0u : 1u) << c.name;
  }
}

TEST(InterfaceIpv4, UnconfiguredAcceptsAnyUnicastSoAnOfferToYiaddrArrives) {
  Stack s(kClientMac);
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(68, endpoint));
  // An OFFER unicast to the offered address, and the captured broadcast one.
  s.feed({test::udp_frame(kServerMac, kClientMac, kServerIp, Ipv4Address::of(10, 77, 0, 111), 67,
                          68, text("offer")),
          test::to_buffer(frames::kDhcpOffer)});
  ASSERT_EQ(endpoint.datagrams.size(), 2u);
  EXPECT_EQ(endpoint.datagrams[0].meta.dst, Ipv4Address::of(10, 77, 0, 111));
  EXPECT_EQ(endpoint.datagrams[1].meta.src, kServerIp);
  EXPECT_EQ(endpoint.datagrams[1].meta.dst, Ipv4Address::broadcast());
  EXPECT_EQ(endpoint.datagrams[1].meta.src_port, 67);
  EXPECT_EQ(endpoint.datagrams[1].payload[0], 2) << "BOOTREPLY";
  // Once configured (DHCP is done), only our address.
  s.iface.set_ipv4(client_config());
  s.feed(test::udp_frame(kServerMac, kClientMac, kServerIp, Ipv4Address::of(10, 77, 0, 111), 67,
                         68, text("late")));
  EXPECT_EQ(endpoint.datagrams.size(), 2u);
}

TEST(InterfaceIpv4, DropsBadHeadersAndSources) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(68, endpoint));
  Buffer good = test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 67, 68, text("x"));
  Buffer bad_sum = good;
  bad_sum[14 + 10] ^= 0x01;
  Buffer truncated(good.begin(), good.begin() + 14 + 19);
  Buffer bad_version = good;
  bad_version[14] = 0x65;
  Buffer from_broadcast = test::udp_frame(kServerMac, kClientMac, Ipv4Address::broadcast(),
                                          kClientIp, 67, 68, text("x"));
  s.feed({bad_sum, truncated, bad_version, from_broadcast, Buffer(10, 0)});
  EXPECT_TRUE(endpoint.datagrams.empty());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
  EXPECT_EQ(s.dropped(Drop::Malformed), 4u);
  EXPECT_EQ(s.iface.counters().rx_frames, 5u);
  EXPECT_EQ(s.device.released(), 5u);
}

TEST(InterfaceIpv4, UnknownEtherTypesAndProtocolsAreUnsupported) {
  Stack s(kClientMac, client_config());
  Buffer ipv6 = test::eth_frame(kServerMac, kClientMac, EtherType::Ipv6, text("whatever"));
  // GRE (47): an IP protocol this stack has no handler for.
  Buffer gre_packet = test::ipv4_packet(
      test::ip_header(kServerIp, kClientIp, static_cast<IpProtocol>(47)), text("gre!"));
  s.feed({ipv6, test::eth_frame(kServerMac, kClientMac, EtherType::Ipv4, view(gre_packet))});
  EXPECT_EQ(s.dropped(Drop::Unsupported), 2u);
  EXPECT_TRUE(s.device.tx.empty());
}

// ---------------------------------------------------------------------------
// Fragments through the interface

TEST(InterfaceIpv4, ReassemblesAFragmentedDatagramForAnEndpoint) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(50000, endpoint));
  Buffer data(4000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i ^ (i >> 8));
  Buffer udp = test::udp_datagram(kServerIp, kClientIp, 69, 50000, view(data));
  auto frames = test::fragment_frames(kServerMac, kClientMac,
                                      test::ip_header(kServerIp, kClientIp, IpProtocol::Udp, 77),
                                      view(udp), 1480);
  ASSERT_EQ(frames.size(), 3u);
  // Out of order: last, first, middle.
  s.feed({frames[2], frames[0]}, 100);
  EXPECT_TRUE(endpoint.datagrams.empty());
  EXPECT_EQ(s.iface.next_deadline(), 100 + Reassembler::kTimeout);
  s.feed(frames[1], 200);
  ASSERT_EQ(endpoint.datagrams.size(), 1u);
  EXPECT_EQ(endpoint.datagrams[0].payload, data);
  EXPECT_EQ(endpoint.datagrams[0].meta.src_port, 69);
  EXPECT_EQ(s.iface.next_deadline(), kNever);
}

TEST(InterfaceIpv4, RefusedAndTimedOutFragmentsAreCounted) {
  Stack s(kClientMac, client_config());
  Buffer data(3000, 0xAB);
  auto frames = test::fragment_frames(kServerMac, kClientMac,
                                      test::ip_header(kServerIp, kClientIp, IpProtocol::Udp, 5),
                                      view(data), 1480);
  s.feed(frames[0], 0);
  s.iface.poll(Reassembler::kTimeout);
  EXPECT_EQ(s.iface.reassembler().stats().timed_out, 1u);
  // A middle fragment of odd length is bogus.
  Ipv4Repr odd = test::ip_header(kServerIp, kClientIp, IpProtocol::Udp, 6);
  odd.more_fragments = true;
  Buffer packet = test::ipv4_packet(odd, view(data).first(13));
  s.feed(test::eth_frame(kServerMac, kClientMac, EtherType::Ipv4, view(packet)));
  EXPECT_EQ(s.dropped(Drop::Fragment), 1u);
  EXPECT_TRUE(test::is_error(s.iface.counters().last_drop_error, Layer::Ipv4, Errc::BadLength));
}

TEST(InterfaceIcmp, EchoRequestTooBigToAnswerUnfragmentedIsDropped) {
  Stack s(kClientMac, client_config());
  IcmpRepr ping;
  ping.type = IcmpType::EchoRequest;
  ping.ident = 1;
  ping.seq_no = 1;
  Buffer data(3000, 0x5A);
  ping.data = view(data);
  Buffer icmp = test::icmp_message(ping);
  s.feed(test::fragment_frames(kServerMac, kClientMac,
                               test::ip_header(kServerIp, kClientIp, IpProtocol::Icmp, 9),
                               view(icmp), 1480));
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.dropped(Drop::TooBig), 1u);
}

// ---------------------------------------------------------------------------
// ICMP

TEST(InterfaceIcmp, AnswersTheCapturedEchoRequestFieldByField) {
  Stack s(kServerMac, server_config());
  s.feed(test::to_buffer(frames::kIcmpEchoRequest));
  ASSERT_EQ(s.device.tx.size(), 1u);
  const Buffer& reply = s.device.tx[0];
  // Ethernet: straight back to the requester.
  test::Parsed p = test::parse_ipv4_frame(reply);
  EXPECT_EQ(p.eth.dst, kClientMac);
  EXPECT_EQ(p.eth.src, kServerMac);
  EXPECT_EQ(p.eth.ethertype, EtherType::Ipv4);
  // IPv4: our address as the source, checksum verified by the parse.
  EXPECT_EQ(reply[14], 0x45);
  EXPECT_EQ(p.ip.src, kServerIp);
  EXPECT_EQ(p.ip.dst, kClientIp);
  EXPECT_EQ(p.ip.protocol, static_cast<uint8_t>(IpProtocol::Icmp));
  EXPECT_EQ(p.ip.ttl, 64);
  EXPECT_EQ(p.ip.payload_len, 8 + 17);
  EXPECT_FALSE(p.ip.more_fragments);
  // ICMP: type 0 code 0, same ident, sequence and data, valid checksum.
  auto icmp = IcmpPacket::check(view(p.ip_payload)).value();
  EXPECT_EQ(icmp.type(), 0);
  EXPECT_EQ(icmp.code(), 0);
  EXPECT_EQ(icmp.ident(), 0x6d70);
  EXPECT_EQ(icmp.seq_no(), 1);
  EXPECT_TRUE(icmp.verify_checksum());
  EXPECT_EQ(test::to_buffer(icmp.data()), test::to_buffer(text("mpxe echo payload")));
  // The whole ICMP message is what the server's kernel answered.
  auto captured = Ipv4Packet::check(
      EthernetFrame::check(Bytes(frames::kIcmpEchoReply, sizeof frames::kIcmpEchoReply))
          .value()
          .payload());
  EXPECT_EQ(p.ip_payload, test::to_buffer(captured.value().payload()));
  EXPECT_EQ(s.iface.counters().echo_replies, 1u);
}

TEST(InterfaceIcmp, IgnoresEchoRequestsToBroadcast) {
  Stack s(kServerMac, server_config());
  IcmpRepr ping;
  ping.type = IcmpType::EchoRequest;
  s.feed(test::icmp_frame(kClientMac, MacAddress::broadcast(), kClientIp, Ipv4Address::broadcast(),
                          ping));
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.dropped(Drop::NotForUs), 1u);
}

class RecordingEcho final : public EchoListener {
 public:
  void on_echo_reply(Ipv4Address from, uint16_t ident, uint16_t seq, Bytes data,
                     Millis now) override {
    replies.push_back({from, ident, seq, test::to_buffer(data), now});
  }
  struct Reply {
    Ipv4Address from;
    uint16_t ident, seq;
    Buffer data;
    Millis now;
  };
  std::vector<Reply> replies;
};

TEST(InterfaceIcmp, SendPingAndHearTheCapturedReply) {
  Stack s(kClientMac, client_config());
  RecordingEcho echo;
  s.iface.set_echo_listener(&echo);
  s.feed(test::to_buffer(frames::kArpReply));
  ASSERT_TRUE(s.iface.send_ping(kServerIp, 0x6d70, 1, text("mpxe echo payload")));
  ASSERT_EQ(s.device.tx.size(), 1u);
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[0]);
  EXPECT_EQ(p.eth.dst, kServerMac);
  EXPECT_EQ(p.ip.protocol, static_cast<uint8_t>(IpProtocol::Icmp));
  // The ICMP bytes match the captured request from the Linux client.
  auto captured = Ipv4Packet::check(EthernetFrame::check(Bytes(frames::kIcmpEchoRequest,
                                                                sizeof frames::kIcmpEchoRequest))
                                        .value()
                                        .payload());
  EXPECT_EQ(p.ip_payload, test::to_buffer(captured.value().payload()));

  s.feed(test::to_buffer(frames::kIcmpEchoReply), 42);
  ASSERT_EQ(echo.replies.size(), 1u);
  EXPECT_EQ(echo.replies[0].from, kServerIp);
  EXPECT_EQ(echo.replies[0].ident, 0x6d70);
  EXPECT_EQ(echo.replies[0].seq, 1);
  EXPECT_EQ(echo.replies[0].data, test::to_buffer(text("mpxe echo payload")));
  EXPECT_EQ(echo.replies[0].now, 42u);
  s.iface.set_echo_listener(nullptr);
  s.feed(test::to_buffer(frames::kIcmpEchoReply));
  EXPECT_EQ(s.dropped(Drop::NoEndpoint), 1u);
}

TEST(InterfaceIcmp, PortUnreachableReachesTheEndpointThatSent) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint, bystander;
  ASSERT_TRUE(s.iface.bind(0x8052, endpoint));  // the source port the captured error quotes
  ASSERT_TRUE(s.iface.bind(0x8053, bystander));
  s.feed(test::to_buffer(frames::kIcmpPortUnreachable), 7);
  ASSERT_EQ(endpoint.unreachables.size(), 1u);
  EXPECT_TRUE(bystander.unreachables.empty());
  const test::Unreachable& u = endpoint.unreachables[0];
  EXPECT_EQ(u.code, static_cast<uint8_t>(IcmpUnreachable::Port));
  EXPECT_EQ(u.quoted.src, kClientIp);
  EXPECT_EQ(u.quoted.dst, kServerIp);
  EXPECT_EQ(u.quoted.src_port, 0x8052);
  EXPECT_EQ(u.quoted.dst_port, 9);
  EXPECT_EQ(u.now, 7u);
  // Unbound, nobody hears it.
  s.iface.unbind(0x8052);
  s.feed(test::to_buffer(frames::kIcmpPortUnreachable));
  EXPECT_EQ(endpoint.unreachables.size(), 1u);
  EXPECT_EQ(s.dropped(Drop::NoEndpoint), 1u);
}

TEST(InterfaceIcmp, BadChecksumIsDropped) {
  Stack s(kServerMac, server_config());
  Buffer frame = test::to_buffer(frames::kIcmpEchoRequest);
  frame[14 + 20 + 8] ^= 0x10;  // a data byte
  s.feed(frame);
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
}

// ---------------------------------------------------------------------------
// UDP

TEST(InterfaceUdp, DispatchesByDestinationPort) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint a, b;
  ASSERT_TRUE(s.iface.bind(1000, a));
  ASSERT_TRUE(s.iface.bind(2000, b));
  s.feed({test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 7, 2000, text("to b")),
          test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 7, 1000, text("to a"))},
         55);
  ASSERT_EQ(a.datagrams.size(), 1u);
  ASSERT_EQ(b.datagrams.size(), 1u);
  EXPECT_EQ(a.datagrams[0].payload, test::to_buffer(text("to a")));
  EXPECT_EQ(b.datagrams[0].payload, test::to_buffer(text("to b")));
  EXPECT_EQ(a.datagrams[0].meta.src, kServerIp);
  EXPECT_EQ(a.datagrams[0].meta.dst, kClientIp);
  EXPECT_EQ(a.datagrams[0].meta.src_port, 7);
  EXPECT_EQ(a.datagrams[0].meta.dst_port, 1000);
  EXPECT_EQ(a.datagrams[0].now, 55u);
}

TEST(InterfaceUdp, VerifiesNonZeroChecksumsOnly) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint;
  ASSERT_TRUE(s.iface.bind(68, endpoint));
  Buffer good = test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 67, 68, text("data"));
  Buffer corrupt = good;
  corrupt.back() ^= 0x01;
  Buffer unchecked = corrupt;  // "all zero ... means that the transmitter generated no checksum"
  unchecked[14 + 20 + 6] = 0;
  unchecked[14 + 20 + 7] = 0;
  s.feed({good, corrupt, unchecked});
  ASSERT_EQ(endpoint.datagrams.size(), 2u);
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
}

TEST(InterfaceUdp, UnboundUnicastPortGetsAPortUnreachable) {
  Stack s(kClientMac, client_config());
  Buffer frame = test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 4444, 9, text("?"));
  s.feed(frame);
  EXPECT_EQ(s.dropped(Drop::NoEndpoint), 1u);
  ASSERT_EQ(s.device.tx.size(), 1u);
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[0]);
  EXPECT_EQ(p.eth.dst, kServerMac);
  EXPECT_EQ(p.ip.src, kClientIp);
  EXPECT_EQ(p.ip.dst, kServerIp);
  auto icmp = IcmpRepr::parse(IcmpPacket::check(view(p.ip_payload)).value());
  ASSERT_TRUE(icmp.ok());
  EXPECT_EQ(icmp.value().type, IcmpType::DstUnreachable);
  EXPECT_EQ(icmp.value().code, static_cast<uint8_t>(IcmpUnreachable::Port));
  EXPECT_EQ(icmp.value().quoted_header.src, kServerIp);
  EXPECT_EQ(icmp.value().quoted_header.dst, kClientIp);
  EXPECT_EQ(icmp.value().quoted_header.protocol, static_cast<uint8_t>(IpProtocol::Udp));
  EXPECT_EQ(load_be16(icmp.value().data.data()), 4444);
  EXPECT_EQ(load_be16(icmp.value().data.data() + 2), 9);
  // ...but not for a broadcast, and no more than the rate limit in a second.
  s.feed(test::udp_frame(kServerMac, MacAddress::broadcast(), kServerIp, Ipv4Address::broadcast(),
                         4444, 9, text("?")));
  EXPECT_EQ(s.device.tx.size(), 1u);
  for (int i = 0; i < 20; ++i) s.feed(frame, 100);
  EXPECT_EQ(s.device.tx.size(), Interface::kIcmpErrorsPerSecond);
  s.feed(frame, 1000);
  EXPECT_EQ(s.device.tx.size(), Interface::kIcmpErrorsPerSecond + 1);
}

TEST(InterfaceUdp, BindingTable) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint e[Interface::kMaxBindings + 1];
  EXPECT_FAILS(s.iface.bind(0, e[0]), Layer::Iface, Errc::BadValue);
  for (uint16_t i = 0; i < Interface::kMaxBindings; ++i) ASSERT_TRUE(s.iface.bind(100 + i, e[i]));
  EXPECT_FAILS(s.iface.bind(100, e[8]), Layer::Iface, Errc::InUse);
  EXPECT_FAILS(s.iface.bind(999, e[8]), Layer::Iface, Errc::Exhausted);
  s.iface.unbind(103);
  EXPECT_FALSE(s.iface.is_bound(103));
  EXPECT_TRUE(s.iface.bind(999, e[8]));
  EXPECT_TRUE(s.iface.is_bound(999));
}

TEST(InterfaceUdp, EphemeralPortsAreRandomInRangeAndFree) {
  Stack s(kClientMac, client_config());
  RecordingEndpoint endpoint;
  // The draw decides the port: 49152 + (value mod 16384).
  SequenceRandom fixed({5, 5, 5, 5, 5, 5, 5, 5, 7, 16383});
  EXPECT_EQ(s.iface.allocate_port(fixed).value(), 49157);
  ASSERT_TRUE(s.iface.bind(49157, endpoint));
  // Every draw hits the bound port: the walk from a random start finds the next free one.
  SequenceRandom stuck({5, 5, 5, 5, 5, 5, 5, 5, 5});
  EXPECT_EQ(s.iface.allocate_port(stuck).value(), 49158);
  // Real randomness: always in range, not the same port each time.
  class Lcg final : public Random {
   public:
    uint32_t next_u32() override { return state_ = state_ * 1664525u + 1013904223u; }
    uint32_t state_ = 12345;
  } lcg;
  std::set<uint16_t> seen;
  for (int i = 0; i < 100; ++i) {
    uint16_t port = s.iface.allocate_port(lcg).value();
    EXPECT_GE(port, Interface::kEphemeralFirst);
    EXPECT_NE(port, 49157);
    seen.insert(port);
  }
  EXPECT_GT(seen.size(), 90u);
}

TEST(InterfaceUdp, SendsBroadcastsWhileUnconfigured) {
  Stack s(kClientMac);
  ASSERT_TRUE(s.iface.send_udp({{}, Ipv4Address::broadcast(), 68, 67}, text("discover")));
  ASSERT_EQ(s.device.tx.size(), 1u);
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[0]);
  EXPECT_EQ(p.eth.dst, MacAddress::broadcast());
  EXPECT_EQ(p.ip.src, Ipv4Address::unspecified());
  EXPECT_EQ(p.ip.dst, Ipv4Address::broadcast());
  EXPECT_TRUE(UdpRepr::parse(UdpDatagram::check(view(p.ip_payload)).value(), p.ip.src, p.ip.dst));
  // Unicast needs an address and a route.
  EXPECT_FAILS(s.iface.send_udp({{}, kServerIp, 68, 67}, text("x")), Layer::Iface, Errc::Unreachable);
}

TEST(InterfaceUdp, RoutesOffLinkThroughTheGateway) {
  Stack s(kClientMac, client_config());
  Ipv4Address far = Ipv4Address::of(192, 0, 2, 10);
  EXPECT_FAILS(s.iface.send_udp({{}, far, 1, 2}, text("x")), Layer::Arp, Errc::WouldBlock);
  EXPECT_EQ(test::parse_arp_frame(s.device.tx[0]).target_ip, kGateway);
  ArpRepr reply{ArpOperation::Reply, kStrangerMac, kGateway, kClientMac, kClientIp};
  s.feed(test::arp_frame(kStrangerMac, kClientMac, reply));
  ASSERT_TRUE(s.iface.send_udp({{}, far, 1, 2}, text("x")));
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[1]);
  EXPECT_EQ(p.eth.dst, kStrangerMac);
  EXPECT_EQ(p.ip.dst, far);
  EXPECT_EQ(p.ip.src, kClientIp);
  // Subnet broadcast goes to the Ethernet broadcast address.
  ASSERT_TRUE(s.iface.send_udp({{}, Ipv4Address::of(10, 77, 0, 255), 1, 2}, text("x")));
  EXPECT_EQ(test::parse_ipv4_frame(s.device.tx[2]).eth.dst, MacAddress::broadcast());
  // No gateway: off-link is unreachable.
  s.iface.set_ipv4({kClientIp, kMask24, {}});
  EXPECT_FAILS(s.iface.send_udp({{}, far, 1, 2}, text("x")), Layer::Iface, Errc::Unreachable);
}

// The PXE Base Code's UdpWrite: a gateway of the caller's for this datagram, and
// the TTL and ToS SetParameters set.
TEST(InterfaceUdp, SendOptionsSetTheGatewayTtlAndTos) {
  Stack s(kClientMac, client_config());
  Ipv4Address far = Ipv4Address::of(192, 0, 2, 10);
  Ipv4Address other_router = Ipv4Address::of(10, 77, 0, 254);
  Interface::UdpSendOptions options;
  options.gateway = other_router;
  options.ttl = 3;
  options.tos = 0x10;
  EXPECT_FAILS(s.iface.send_udp({{}, far, 1, 2}, text("x"), options), Layer::Arp, Errc::WouldBlock);
  EXPECT_EQ(test::parse_arp_frame(s.device.tx[0]).target_ip, other_router);
  ArpRepr reply{ArpOperation::Reply, kStrangerMac, other_router, kClientMac, kClientIp};
  s.feed(test::arp_frame(kStrangerMac, kClientMac, reply));
  ASSERT_TRUE(s.iface.send_udp({{}, far, 1, 2}, text("x"), options));
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[1]);
  EXPECT_EQ(p.eth.dst, kStrangerMac);
  EXPECT_EQ(p.ip.dst, far);
  EXPECT_EQ(p.ip.ttl, 3);
  EXPECT_EQ(p.ip.dscp_ecn, 0x10);
  // On the link the gateway plays no part: the destination itself is asked for.
  Ipv4Address neighbour = Ipv4Address::of(10, 77, 0, 77);
  EXPECT_FAILS(s.iface.send_udp({{}, neighbour, 1, 2}, text("x"), options), Layer::Arp,
               Errc::WouldBlock);
  EXPECT_EQ(test::parse_arp_frame(s.device.tx[2]).target_ip, neighbour);
}

// The PXE Base Code's UdpWrite with MAY_FRAGMENT: a datagram over the MTU leaves
// as IPv4 fragments of one ident, offsets in 8-byte units, MF on all but the last,
// which put back together are one UDP datagram whose checksum holds.
TEST(InterfaceUdp, FragmentsADatagramOverTheMtuWhenAllowed) {
  Stack s(kClientMac, client_config());
  EXPECT_FAILS(s.iface.send_udp({{}, kServerIp, 1, 2}, text("x")), Layer::Arp, Errc::WouldBlock);
  s.feed(test::arp_frame(kServerMac, kClientMac,
                         ArpRepr{ArpOperation::Reply, kServerMac, kServerIp, kClientMac, kClientIp}));
  s.device.tx.clear();
  Buffer head = {'H', 'E', 'A', 'D'};
  Buffer body(3000);
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<uint8_t>(i * 7);
  Interface::UdpSendOptions options;
  EXPECT_FAILS(s.iface.send_udp({{}, kServerIp, 4000, 5000}, view(body), options), Layer::Udp,
               Errc::TooBig);
  options.may_fragment = true;
  options.prefix = view(head);
  ASSERT_TRUE(s.iface.send_udp({{}, kServerIp, 4000, 5000}, view(body), options));
  ASSERT_EQ(s.device.tx.size(), 3u);
  Buffer whole;
  uint16_t ident = 0;
  for (size_t i = 0; i < 3; ++i) {
    test::Parsed p = test::parse_ipv4_frame(s.device.tx[i]);
    if (i == 0) ident = p.ip.ident;
    EXPECT_EQ(p.ip.ident, ident);
    EXPECT_EQ(p.ip.fragment_offset, whole.size());
    EXPECT_EQ(p.ip.fragment_offset % 8, 0);
    EXPECT_EQ(p.ip.more_fragments, i < 2);
    EXPECT_LE(p.ip.payload_len + 20u, 1500u);
    whole.insert(whole.end(), p.ip_payload.begin(), p.ip_payload.begin() + p.ip.payload_len);
  }
  ASSERT_EQ(whole.size(), 8 + head.size() + body.size());
  auto udp = UdpDatagram::check(view(whole)).value();
  auto repr = UdpRepr::parse(udp, kClientIp, kServerIp);
  ASSERT_TRUE(repr.ok());  // the checksum over the whole datagram holds
  EXPECT_EQ(Buffer(whole.begin() + 8, whole.begin() + 12), head);
  EXPECT_EQ(Buffer(whole.begin() + 12, whole.end()), body);
  EXPECT_EQ(s.iface.counters().tx_fragmented, 1u);
}

TEST(InterfaceUdp, RefusesPayloadsOverTheMtu) {
  Stack s(kClientMac);
  Buffer big(1500 - 20 - 8 + 1);
  EXPECT_FAILS(s.iface.send_udp({{}, Ipv4Address::broadcast(), 1, 2}, view(big)), Layer::Udp,
               Errc::TooBig);
  big.pop_back();
  ASSERT_TRUE(s.iface.send_udp({{}, Ipv4Address::broadcast(), 1, 2}, view(big)));
  EXPECT_EQ(s.device.tx[0].size(), 1514u);
  // A smaller device MTU is honoured.
  Stack small(kClientMac, {}, 576);
  EXPECT_EQ(small.iface.mtu(), 576);
  Buffer medium(576 - 28 + 1);
  EXPECT_FAILS(small.iface.send_udp({{}, Ipv4Address::broadcast(), 1, 2}, view(medium)),
               Layer::Udp, Errc::TooBig);
}

TEST(InterfaceUdp, RefusesIpv6AddressesAndSendsNothing) {
  Stack s(kClientMac, client_config());
  const IpAddress v6 = Ipv6Address::parse("fec0::2").value();
  EXPECT_FAILS(s.iface.send_udp({{}, v6, 1, 2}, text("x")), Layer::Iface, Errc::Unsupported);
  EXPECT_FAILS(s.iface.send_udp({v6, kServerIp, 1, 2}, text("x")), Layer::Iface, Errc::Unsupported);
  EXPECT_TRUE(s.device.tx.empty());
}

TEST(InterfaceUdp, FullTransmitRingIsReported) {
  Stack s(kClientMac);
  s.device.tx_full = true;
  EXPECT_FAILS(s.iface.send_udp({{}, Ipv4Address::broadcast(), 1, 2}, text("x")), Layer::Iface,
               Errc::WouldBlock);
  EXPECT_EQ(s.iface.counters().tx_full, 1u);
  EXPECT_EQ(s.iface.counters().tx_frames, 0u);
}

TEST(InterfaceUdp, EndpointCanAnswerFromInsideTheCallback) {
  class Echo final : public UdpEndpoint {
   public:
    void on_datagram(const UdpMeta& meta, Bytes payload, Millis, UdpSender& tx) override {
      result = tx.send_udp({meta.dst, meta.src, meta.dst_port, meta.src_port}, payload);
    }
    Result<void> result = Error(Layer::None, Errc::NotFound);
  } echo;
  Stack s(kServerMac, server_config());
  ASSERT_TRUE(s.iface.bind(7, echo));
  ArpRepr request{ArpOperation::Request, kClientMac, kClientIp, MacAddress{}, kServerIp};
  s.feed({test::arp_frame(kClientMac, MacAddress::broadcast(), request),
          test::udp_frame(kClientMac, kServerMac, kClientIp, kServerIp, 3333, 7, text("ping"))});
  EXPECT_TRUE(echo.result.ok());
  ASSERT_EQ(s.device.tx.size(), 2u);  // ARP reply, UDP echo
  test::Parsed p = test::parse_ipv4_frame(s.device.tx[1]);
  auto udp = UdpDatagram::check(view(p.ip_payload)).value();
  EXPECT_EQ(udp.dst_port(), 3333);
  EXPECT_EQ(test::to_buffer(udp.payload()), test::to_buffer(text("ping")));
}

// ---------------------------------------------------------------------------
// Polling

TEST(InterfacePoll, DrainsABoundedBatchAndReleasesEveryFrameInOrder) {
  Stack s(kClientMac, client_config());
  std::vector<Buffer> frames;
  for (int i = 0; i < 40; ++i)
    frames.push_back(test::udp_frame(kServerMac, kClientMac, kServerIp, kClientIp, 1, 2, text("x")));
  EXPECT_EQ(s.feed(frames), Interface::kRxBatch);
  EXPECT_EQ(s.device.released(), Interface::kRxBatch);
  EXPECT_EQ(s.device.lent(), 0u);
  EXPECT_EQ(s.device.pending_rx(), 40 - Interface::kRxBatch);
  EXPECT_EQ(s.iface.poll(1), 40 - Interface::kRxBatch);
  EXPECT_EQ(s.iface.poll(2), 0u);
  EXPECT_EQ(s.device.released(), 40u);
}

TEST(InterfacePoll, NextDeadlineIsTheEarliestTimer) {
  Stack s(kClientMac, client_config());
  EXPECT_EQ(s.iface.next_deadline(), kNever);
  s.iface.poll(500);
  (void)s.iface.send_udp({{}, kServerIp, 1, 2}, text("x"));  // ARP retry due at 1500
  Buffer data(3000, 1);
  auto frames = test::fragment_frames(kServerMac, kClientMac,
                                      test::ip_header(kServerIp, kClientIp, IpProtocol::Udp, 1),
                                      view(data), 1480);
  s.feed(frames[0], 600);  // reassembly timeout at 5600
  EXPECT_EQ(s.iface.next_deadline(), 1500u);
  s.feed(test::to_buffer(frames::kArpReply), 700);
  EXPECT_EQ(s.iface.next_deadline(), 600 + Reassembler::kTimeout);
}

}  // namespace
}  // namespace mpxe::net

// ---------------------------------------------------------------------------
// TCP demultiplexing

namespace mpxe::net {
namespace {
namespace tcp_demux {

Buffer tcp_frame(const TcpRepr& tcp, Bytes payload = Bytes()) {
  TcpRepr r = tcp;
  r.payload_len = payload.size();
  Buffer segment(r.buffer_len());
  for (size_t i = 0; i < payload.size(); ++i) segment[r.header_len() + i] = payload[i];
  EXPECT_TRUE(r.emit(MutableBytes(segment.data(), segment.size()), kServerIp, kClientIp));
  Buffer packet = test::ipv4_packet(test::ip_header(kServerIp, kClientIp, IpProtocol::Tcp),
                                    view(segment));
  return test::eth_frame(kServerMac, kClientMac, EtherType::Ipv4, view(packet));
}

class FixedRandom final : public Random {
 public:
  uint32_t next_u32() override { return value = value * 1103515245u + 12345u; }
  uint32_t value = 42;
};

class NullReceiver final : public StreamReceiver {
 public:
  MutableBytes stream_rx_space(uint64_t, size_t) override { return MutableBytes(); }
  uint64_t stream_rx_limit() const override { return 0; }
  void stream_rx_data(uint64_t) override {}
  void stream_rx_fin(uint64_t) override {}
};

TEST(InterfaceTcp, ASegmentForNoConnectionDrawsAReset) {
  Stack s(kClientMac, client_config());
  ArpRepr known{ArpOperation::Reply, kServerMac, kServerIp, kClientMac, kClientIp};
  s.feed(test::arp_frame(kServerMac, kClientMac, known));
  s.device.tx.clear();
  TcpRepr syn;
  syn.src_port = 80;
  syn.dst_port = 50000;
  syn.seq = 1000;
  syn.flags = tcp_flags::kSyn;
  s.feed(tcp_frame(syn));
  ASSERT_EQ(s.device.tx.size(), 1u);
  auto parsed = test::parse_ipv4_frame(s.device.tx[0]);
  auto segment = TcpSegment::check(view(parsed.ip_payload));
  ASSERT_TRUE(segment);
  auto reset = TcpRepr::parse(segment.value(), kClientIp, kServerIp);
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset.value().flags, tcp_flags::kRst | tcp_flags::kAck);
  EXPECT_EQ(reset.value().ack, 1001u);
  EXPECT_EQ(s.iface.counters().tcp_resets, 1u);
  // A RST is never answered; a bad checksum is dropped unanswered.
  s.device.tx.clear();
  syn.flags = tcp_flags::kRst;
  s.feed(tcp_frame(syn));
  Buffer bad = tcp_frame(syn);
  bad.back() ^= 1;
  s.feed(bad);
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
}

TEST(InterfaceTcp, ConnectNeedsRandomnessAndRoutesSegments) {
  Stack s(kClientMac, client_config());
  TcpConnection conn;
  NullReceiver rx;
  EXPECT_TRUE(test::is_error(s.iface.tcp_connect(conn, kServerIp, 80, rx, TcpConfig{}, 0).error(),
                             Layer::Tcp, Errc::Unsupported));
  FixedRandom random;
  s.iface.set_random(random);
  ASSERT_TRUE(s.iface.tcp_connect(conn, kServerIp, 80, rx, TcpConfig{}, 0));
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);
  EXPECT_GE(conn.tuple().local_port, Interface::kEphemeralFirst);
  // The SYN waited for ARP; the answer arrives and the SYN follows at once.
  ASSERT_EQ(s.device.tx.size(), 1u);  // the ARP request
  ArpRepr reply{ArpOperation::Reply, kServerMac, kServerIp, kClientMac, kClientIp};
  s.feed(test::arp_frame(kServerMac, kClientMac, reply), 5);
  ASSERT_EQ(s.device.tx.size(), 2u);
  auto syn = TcpRepr::parse(
      TcpSegment::check(view(test::parse_ipv4_frame(s.device.tx[1]).ip_payload)).value(), kClientIp,
      kServerIp);
  ASSERT_TRUE(syn);
  EXPECT_EQ(syn.value().flags, tcp_flags::kSyn);
  // The server's RST for it reaches the connection: refused.
  TcpRepr rst;
  rst.src_port = 80;
  rst.dst_port = conn.tuple().local_port;
  rst.ack = syn.value().seq + 1;
  rst.flags = tcp_flags::kRst | tcp_flags::kAck;
  s.feed(tcp_frame(rst), 20);
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::Refused));
  s.iface.tcp_release(conn);
}

// A diverted connection's segments go to the sink as they came (even with a bad
// checksum: the new owner checks it); the interface neither delivers them to the
// connection nor runs its timers, and keeps its port in use; undivert restores it.
class RecordingSink final : public TcpSegmentSink {
 public:
  void tcp_segment(uint32_t cookie, IpAddress src, IpAddress dst, Bytes segment) override {
    cookies.push_back(cookie);
    sources.push_back(src);
    EXPECT_EQ(dst, kClientIp);
    segments.emplace_back(segment.begin(), segment.end());
  }
  std::vector<uint32_t> cookies;
  std::vector<IpAddress> sources;
  std::vector<Buffer> segments;
};

// IPv6 is off here (interface_tcp6_test.cpp has it on).
TEST(InterfaceTcp, RefusesIpv6PeersAndSendsNothing) {
  Stack s(kClientMac, client_config());
  FixedRandom random;
  s.iface.set_random(random);
  TcpConnection conn;
  NullReceiver rx;
  const IpAddress v6 = Ipv6Address::parse("fec0::2").value();
  EXPECT_FAILS(s.iface.tcp_connect(conn, v6, 80, rx, TcpConfig{}, 0), Layer::Iface,
               Errc::Unsupported);
  TcpRepr syn;
  syn.src_port = 50000;
  syn.dst_port = 80;
  syn.flags = tcp_flags::kSyn;
  EXPECT_FAILS(s.iface.send_tcp(TcpTuple{kClientIp, 50000, v6, 80}, syn, Bytes()), Layer::Iface,
               Errc::Unsupported);
  EXPECT_TRUE(s.device.tx.empty());
}

TEST(InterfaceTcp, DivertedSegmentsGoToTheSinkUnchecked) {
  Stack s(kClientMac, client_config());
  FixedRandom random;
  s.iface.set_random(random);
  ArpRepr known{ArpOperation::Reply, kServerMac, kServerIp, kClientMac, kClientIp};
  s.feed(test::arp_frame(kServerMac, kClientMac, known));
  TcpConnection conn;
  NullReceiver rx;
  RecordingSink sink;
  EXPECT_TRUE(test::is_error(s.iface.tcp_divert(conn, sink, 3).error(), Layer::Iface, Errc::BadValue));
  ASSERT_TRUE(s.iface.tcp_connect(conn, kServerIp, 80, rx, TcpConfig{}, 0));
  ASSERT_TRUE(s.iface.tcp_divert(conn, sink, 3));
  s.device.tx.clear();
  TcpRepr rst;
  rst.src_port = 80;
  rst.dst_port = conn.tuple().local_port;
  rst.flags = tcp_flags::kRst;
  Buffer frame = tcp_frame(rst);
  frame.back() ^= 1;  // checksum now wrong
  s.feed(frame, 5);
  ASSERT_EQ(sink.segments.size(), 1u);
  EXPECT_EQ(sink.cookies[0], 3u);
  EXPECT_EQ(sink.sources[0], kServerIp);
  EXPECT_EQ(sink.segments[0].size(), TcpSegment::kMinHeaderLen);
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);  // not delivered
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 0u);
  // Its SYN is not retransmitted by the interface's timers (its owner's job).
  s.iface.poll(5000);
  EXPECT_TRUE(s.device.tx.empty());
  EXPECT_EQ(s.iface.next_deadline(), kNever);
  // Back with the interface: segments reach it again.
  s.iface.tcp_undivert(conn);
  s.feed(tcp_frame(rst), 5001);
  EXPECT_EQ(sink.segments.size(), 1u);
  s.iface.tcp_release(conn);
}

}  // namespace tcp_demux
}  // namespace
}  // namespace mpxe::net
