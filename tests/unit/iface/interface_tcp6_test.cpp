// TCP over IPv6 through the interface: a whole HTTP exchange against the
// segments a Linux server sent (tcp6_frames.h, captured by
// tests/unit/net/capture_ipv6.py --tcp) after dnsmasq's RA and Linux's NA
// (net/ipv6_frames.h), resets, checksums, diversion and the refusals. What the
// interface sends is parsed back over the IPv6 pseudo header.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <vector>

#include "iface_test_util.h"
#include "net/iface/interface.h"
#include "net/ipv6_frames.h"
#include "net/socket/tcp_connection.h"
#include "net/wire/ipv6.h"
#include "net/wire/tcp.h"
#include "tcp6_frames.h"

namespace mpxe::net {
namespace {

using test::Buffer;
using test::FakeDevice;
using test::view;

// The captures' client (us) and the dnsmasq host that served HTTP.
const MacAddress kOurMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const MacAddress kServerMac{{0x52, 0x54, 0x00, 0xab, 0xcd, 0xef}};
const Ipv6Address kLinkLocal = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kGlobal = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0x5054, 0x00ff, 0xfe12, 0x3456);
const Ipv6Address kServer = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 1);
const Ipv6Address kRouter = Ipv6Address::of(0xfe80, 0, 0, 0, 0x5054, 0x00ff, 0xfeab, 0xcdef);

struct Stack {
  Stack() : device(kOurMac), storage(Reassembler::kMaxPayload),
            spans{MutableBytes(storage.data(), storage.size())},
            iface(device, Span<const MutableBytes>(spans, 1)) {}
  void feed(Bytes frame, Millis now) {
    device.push_rx(test::to_buffer(frame));
    iface.poll(now);
  }
  uint32_t dropped(Drop reason) const { return iface.counters().dropped(reason); }
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

// Link-local address at 1000; with `dnsmasq`, its RA (prefix fd00:6d70::/64 on
// link, MTU 1400, the router in the neighbour cache) and the global address at 2000.
void bring_up(Stack& s, bool dnsmasq = true) {
  s.iface.enable_ipv6(0);
  s.iface.poll(1000);
  ASSERT_TRUE(s.iface.slaac().link_local_ready());
  if (dnsmasq) {
    s.feed(Bytes(frames6::kNdpRaDnsmasq), 1000);
    s.iface.poll(2000);
    ASSERT_TRUE(s.iface.slaac().is_assigned(kGlobal, 2000));
  }
  s.sent();
}

class SequenceRandom final : public Random {
 public:
  template <size_t N>
  explicit SequenceRandom(const uint32_t (&words)[N]) : words_(words, words + N) {}
  uint32_t next_u32() override {
    return at_ < words_.size() ? words_[at_++] : 0x9E3779B9u * static_cast<uint32_t>(++at_);
  }

 private:
  std::vector<uint32_t> words_;
  size_t at_ = 0;
};

class BufferReceiver final : public StreamReceiver {
 public:
  explicit BufferReceiver(size_t size = 64 * 1024) : bytes(size) {}
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override {
    if (offset >= bytes.size()) return MutableBytes();
    return MutableBytes(bytes.data() + offset, std::min<size_t>(len, bytes.size() - offset));
  }
  uint64_t stream_rx_limit() const override { return bytes.size(); }
  void stream_rx_data(uint64_t end) override { in_order = end; }
  void stream_rx_fin(uint64_t end) override {
    fin = end;
    fin_seen = true;
  }
  Buffer bytes;
  uint64_t in_order = 0;
  uint64_t fin = 0;
  bool fin_seen = false;
};

// One segment of ours taken apart, its checksum checked over the IPv6 pseudo header.
struct SentSegment {
  MacAddress eth_dst;
  Ipv6Repr ip;
  TcpRepr tcp;
  Buffer payload;
};

SentSegment parse_segment(const Buffer& frame) {
  SentSegment out;
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
  EXPECT_EQ(out.ip.next_header, ipv6_next::kTcp);
  auto segment = TcpSegment::check(packet.value().payload());
  EXPECT_TRUE(segment.ok());
  if (!segment) return out;
  auto tcp = TcpRepr::parse(segment.value(), out.ip.src, out.ip.dst);
  EXPECT_TRUE(tcp.ok()) << "bad TCP checksum over IPv6";
  if (!tcp) return out;
  out.tcp = tcp.value();
  out.payload = test::to_buffer(segment.value().payload());
  return out;
}

// A segment from `src` (at `src_mac`) to `dst`, as a peer would send it.
Buffer tcp6_frame(MacAddress src_mac, const Ipv6Address& src, const Ipv6Address& dst,
                  const TcpRepr& tcp, Bytes payload = Bytes()) {
  TcpRepr r = tcp;
  r.payload_len = payload.size();
  Buffer segment(r.buffer_len());
  std::copy(payload.begin(), payload.end(), segment.begin() + static_cast<long>(r.header_len()));
  EXPECT_TRUE(r.emit(MutableBytes(segment.data(), segment.size()), src, dst));
  Ipv6Repr ip;
  ip.src = src;
  ip.dst = dst;
  ip.next_header = ipv6_next::kTcp;
  ip.payload_len = static_cast<uint16_t>(segment.size());
  Buffer packet(Ipv6Repr::buffer_len() + segment.size());
  EXPECT_TRUE(ip.emit(MutableBytes(packet.data(), packet.size())));
  std::copy(segment.begin(), segment.end(), packet.begin() + Ipv6Repr::buffer_len());
  MacAddress dst_mac = dst.is_multicast() ? dst.multicast_mac() : kOurMac;
  return test::eth_frame(src_mac, dst_mac, EtherType::Ipv6, view(packet));
}

TcpRepr parse_captured(const frames6::CapturedFrame& frame) {
  auto eth = EthernetFrame::check(Bytes(frame.data, frame.size));
  auto packet = Ipv6Packet::check(eth.value().payload());
  Ipv6Repr ip = Ipv6Repr::parse(packet.value());
  auto segment = TcpSegment::check(packet.value().payload());
  return TcpRepr::parse(segment.value(), ip.src, ip.dst).value();
}

// ---------------------------------------------------------------------------
// A whole exchange with Linux

TEST(InterfaceTcp6, HttpExchangeWithLinuxsServerFromSynToClose) {
  Stack s;
  bring_up(s);
  SequenceRandom random(frames6::kTcpRandomWords);
  s.iface.set_random(random);
  // The RA's MTU of 1400 sets the MSS: less 40 bytes of IPv6 and 20 of TCP.
  EXPECT_EQ(s.iface.tcp_mss(IpFamily::V6), 1340u);
  EXPECT_EQ(s.iface.tcp_mss(IpFamily::V4), 1460u);
  TcpConnection conn;
  BufferReceiver rx;
  Millis now = frames6::kTcpConnectAt;
  ASSERT_TRUE(s.iface.tcp_connect(conn, kServer, 80, rx, TcpConfig{}, now));
  // The global address for a global peer; the port and ISN are those the capture
  // script computed (SHA-256 in Python) for the same random words.
  EXPECT_EQ(conn.tuple(), (TcpTuple{kGlobal, frames6::kTcpClientPort, kServer, 80}));
  // The server is not known yet: the SYN waits for Linux's very solicitation.
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], test::to_buffer(frames6::kNdpNs));
  s.feed(Bytes(frames6::kNdpNa), now += 10);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  SentSegment syn = parse_segment(out[0]);
  EXPECT_EQ(syn.eth_dst, kServerMac);
  EXPECT_EQ(syn.ip.src, kGlobal);
  EXPECT_EQ(syn.ip.dst, kServer);
  EXPECT_EQ(syn.ip.hop_limit, s.iface.slaac().hop_limit());
  EXPECT_EQ(syn.tcp.flags, tcp_flags::kSyn);
  EXPECT_EQ(syn.tcp.src_port, frames6::kTcpClientPort);
  EXPECT_EQ(syn.tcp.seq, frames6::kTcpClientIsn);
  EXPECT_TRUE(syn.tcp.options.has_mss);
  EXPECT_EQ(syn.tcp.options.mss, 1340u);

  // Linux's SYN-ACK (its MSS option, from the server's 1500-byte link).
  const auto& captured = frames6::kTcp6ServerFrames;
  const size_t count = sizeof captured / sizeof captured[0];
  ASSERT_GE(count, 3u);
  const TcpRepr syn_ack = parse_captured(captured[0]);
  ASSERT_EQ(syn_ack.flags, tcp_flags::kSyn | tcp_flags::kAck);
  EXPECT_TRUE(syn_ack.options.has_mss);
  EXPECT_EQ(syn_ack.ack, frames6::kTcpClientIsn + 1);
  s.feed(Bytes(captured[0].data, captured[0].size), now += 10);
  ASSERT_EQ(conn.state(), TcpConnection::State::Established);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  SentSegment ack = parse_segment(out[0]);
  EXPECT_EQ(ack.tcp.flags, tcp_flags::kAck);
  EXPECT_EQ(ack.tcp.ack, syn_ack.seq + 1);

  // The request, the same bytes the capture sent.
  ASSERT_EQ(conn.send(Bytes(frames6::kHttpRequest)).value(), sizeof frames6::kHttpRequest);
  s.iface.poll(now += 10);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  SentSegment request = parse_segment(out[0]);
  EXPECT_EQ(request.tcp.seq, frames6::kTcpClientIsn + 1);
  EXPECT_EQ(request.payload, test::to_buffer(frames6::kHttpRequest));

  // The answer, up to and with the server's FIN: every byte in place, each
  // acknowledged, the FIN too.
  size_t next = 1;
  uint32_t fin_end = 0;
  for (; next < count; ++next) {
    const TcpRepr segment = parse_captured(captured[next]);
    s.feed(Bytes(captured[next].data, captured[next].size), now += 10);
    if (segment.has(tcp_flags::kFin)) {
      fin_end = segment.seq + segment.seq_len();
      ++next;
      break;
    }
  }
  ASSERT_NE(fin_end, 0u) << "the capture holds no FIN";
  EXPECT_EQ(conn.error(), Error());
  ASSERT_TRUE(rx.fin_seen);
  ASSERT_EQ(rx.fin, sizeof frames6::kHttpResponse);
  EXPECT_EQ(rx.in_order, sizeof frames6::kHttpResponse);
  EXPECT_TRUE(std::equal(std::begin(frames6::kHttpResponse), std::end(frames6::kHttpResponse),
                         rx.bytes.begin()));
  EXPECT_EQ(conn.state(), TcpConnection::State::CloseWait);
  out = s.sent();
  ASSERT_FALSE(out.empty());
  for (const Buffer& frame : out) EXPECT_EQ(parse_segment(frame).ip.dst, kServer);
  EXPECT_EQ(parse_segment(out.back()).tcp.ack, fin_end);

  // Our FIN, and the server's last ACK closes the connection.
  conn.close();
  s.iface.poll(now += 10);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  SentSegment fin = parse_segment(out[0]);
  EXPECT_TRUE(fin.tcp.has(tcp_flags::kFin));
  EXPECT_EQ(fin.tcp.seq,
            static_cast<uint32_t>(frames6::kTcpClientIsn + 1 + sizeof frames6::kHttpRequest));
  EXPECT_EQ(conn.state(), TcpConnection::State::LastAck);
  ASSERT_LT(next, count) << "the capture holds no ACK of our FIN";
  for (; next < count; ++next) s.feed(Bytes(captured[next].data, captured[next].size), now += 10);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  EXPECT_EQ(conn.error(), Error());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 0u);
  EXPECT_EQ(s.dropped(Drop::Malformed), 0u);
  s.iface.tcp_release(conn);
}

TEST(InterfaceTcp6, CapturedSegmentWithABadChecksumIsDroppedAndCounted) {
  Stack s;
  bring_up(s);
  SequenceRandom random(frames6::kTcpRandomWords);
  s.iface.set_random(random);
  TcpConnection conn;
  BufferReceiver rx;
  ASSERT_TRUE(s.iface.tcp_connect(conn, kServer, 80, rx, TcpConfig{}, frames6::kTcpConnectAt));
  s.feed(Bytes(frames6::kNdpNa), frames6::kTcpConnectAt + 10);
  s.sent();
  // Linux's SYN-ACK with one bit of its MSS option flipped: the pseudo header's
  // sum no longer matches. Dropped, counted, unanswered; the connection waits.
  Buffer bad(frames6::kTcp6ServerFrames[0].data,
             frames6::kTcp6ServerFrames[0].data + frames6::kTcp6ServerFrames[0].size);
  bad[14 + 40 + 22] ^= 0x01;
  s.feed(view(bad), frames6::kTcpConnectAt + 20);
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
  EXPECT_EQ(s.iface.counters().last_drop_error, Error(Layer::Tcp, Errc::BadChecksum));
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);
  // The same bytes from another address fail too: the sum covers the addresses.
  Buffer moved(frames6::kTcp6ServerFrames[0].data,
               frames6::kTcp6ServerFrames[0].data + frames6::kTcp6ServerFrames[0].size);
  moved[14 + 8 + 15] ^= 0x02;  // fd00:6d70::1 -> fd00:6d70::3
  s.feed(view(moved), frames6::kTcpConnectAt + 30);
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 2u);
  // The intact one is taken.
  s.feed(Bytes(frames6::kTcp6ServerFrames[0].data, frames6::kTcp6ServerFrames[0].size),
         frames6::kTcpConnectAt + 40);
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
  s.iface.tcp_release(conn);
}

// ---------------------------------------------------------------------------
// Segments of no connection

TEST(InterfaceTcp6, SynToAClosedPortDrawsAResetButNotToAGroup) {
  Stack s;
  bring_up(s);  // the router's link-layer address comes with its RA
  TcpRepr syn;
  syn.src_port = 40000;
  syn.dst_port = 80;
  syn.seq = 0x01020304;
  syn.flags = tcp_flags::kSyn;
  syn.options.has_mss = true;
  syn.options.mss = 1440;
  s.feed(view(tcp6_frame(kServerMac, kRouter, kLinkLocal, syn)), 2100);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  SentSegment reset = parse_segment(out[0]);
  EXPECT_EQ(reset.eth_dst, kServerMac);
  EXPECT_EQ(reset.ip.src, kLinkLocal);
  EXPECT_EQ(reset.ip.dst, kRouter);
  EXPECT_EQ(reset.tcp.flags, tcp_flags::kRst | tcp_flags::kAck);
  EXPECT_EQ(reset.tcp.src_port, 80u);
  EXPECT_EQ(reset.tcp.dst_port, 40000u);
  EXPECT_EQ(reset.tcp.seq, 0u);
  EXPECT_EQ(reset.tcp.ack, 0x01020305u);
  EXPECT_EQ(s.iface.counters().tcp_resets, 1u);
  EXPECT_EQ(s.dropped(Drop::NoEndpoint), 1u);
  // A segment with ACK draws a RST at its ACK number.
  TcpRepr stray = syn;
  stray.flags = tcp_flags::kAck;
  stray.ack = 0xA0B0C0D0;
  stray.options = TcpOptions{};
  s.feed(view(tcp6_frame(kServerMac, kRouter, kLinkLocal, stray)), 2110);
  out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parse_segment(out[0]).tcp.flags, tcp_flags::kRst);
  EXPECT_EQ(parse_segment(out[0]).tcp.seq, 0xA0B0C0D0u);
  // Never a RST for a RST, nor for a segment to a group we are in (all-nodes,
  // our solicited-node group): those are not even ours to look at.
  const uint32_t not_for_us = s.dropped(Drop::NotForUs);
  TcpRepr rst = syn;
  rst.flags = tcp_flags::kRst;
  rst.options = TcpOptions{};
  s.feed(view(tcp6_frame(kServerMac, kRouter, kLinkLocal, rst)), 2120);
  s.feed(view(tcp6_frame(kServerMac, kRouter, Ipv6Address::all_nodes(), syn)), 2130);
  s.feed(view(tcp6_frame(kServerMac, kRouter, kLinkLocal.solicited_node(), syn)), 2140);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(s.dropped(Drop::NotForUs), not_for_us + 2);
  EXPECT_EQ(s.iface.counters().tcp_resets, 2u);
}

TEST(InterfaceTcp6, ResetsAreRateLimited) {
  Stack s;
  bring_up(s);
  TcpRepr syn;
  syn.src_port = 40000;
  syn.dst_port = 80;
  syn.flags = tcp_flags::kSyn;
  for (uint32_t i = 0; i < 2 * Interface::kTcpResetsPerSecond; ++i) {
    syn.seq = i;
    s.feed(view(tcp6_frame(kServerMac, kRouter, kLinkLocal, syn)), 3000);
  }
  EXPECT_EQ(s.iface.counters().tcp_resets, Interface::kTcpResetsPerSecond);
  EXPECT_EQ(s.sent().size(), Interface::kTcpResetsPerSecond);
}

TEST(InterfaceTcp6, ABadChecksumIsDroppedUnanswered) {
  Stack s;
  bring_up(s);
  TcpRepr syn;
  syn.src_port = 40000;
  syn.dst_port = 80;
  syn.flags = tcp_flags::kSyn;
  Buffer bad = tcp6_frame(kServerMac, kRouter, kLinkLocal, syn);
  bad.back() ^= 0x40;
  s.feed(view(bad), 2100);
  EXPECT_TRUE(s.sent().empty());
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 1u);
  EXPECT_EQ(s.iface.counters().tcp_resets, 0u);
  // Too short for a TCP header: malformed.
  Buffer cut = tcp6_frame(kServerMac, kRouter, kLinkLocal, syn);
  cut.resize(14 + 40 + 12);
  cut[14 + 4] = 0;
  cut[14 + 5] = 12;  // payload length
  s.feed(view(cut), 2110);
  EXPECT_EQ(s.dropped(Drop::Malformed), 1u);
}

// ---------------------------------------------------------------------------
// Opening and sending

class FixedRandom final : public Random {
 public:
  uint32_t next_u32() override { return value = value * 1103515245u + 12345u; }
  uint32_t value = 42;
};

TEST(InterfaceTcp6, ConnectNeedsIpv6OnAndAUsableSourceOfTheRightScope) {
  Stack s;
  FixedRandom random;
  s.iface.set_random(random);
  TcpConnection conn;
  BufferReceiver rx;
  EXPECT_FAILS(s.iface.tcp_connect(conn, kServer, 80, rx, TcpConfig{}, 0), Layer::Iface,
               Errc::Unsupported);
  // On, but the link-local address was found a duplicate while its (optimistic)
  // DAD ran: nothing to send from.
  {
    Stack dup;
    dup.iface.set_random(random);
    dup.iface.enable_ipv6(0);
    dup.feed(Bytes(frames6::kNdpDadNs), 500);
    dup.sent();
    EXPECT_FAILS(dup.iface.tcp_connect(conn, kRouter, 80, rx, TcpConfig{}, 500), Layer::Iface,
                 Errc::Unreachable);
    EXPECT_TRUE(dup.sent().empty());
    EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  }
  s.iface.enable_ipv6(0);
  s.iface.poll(500);
  s.sent();
  // Without an RA, the link MTU sets the MSS.
  s.iface.poll(1000);
  EXPECT_EQ(s.iface.tcp_mss(IpFamily::V6), 1440u);
  s.feed(Bytes(frames6::kNdpRaDnsmasq), 1000);
  s.iface.poll(2000);
  s.sent();
  // A link-local peer gets our link-local address; a global one our global one.
  ASSERT_TRUE(s.iface.tcp_connect(conn, kRouter, 80, rx, TcpConfig{}, 2000));
  EXPECT_EQ(conn.tuple().local, IpAddress(kLinkLocal));
  EXPECT_GE(conn.tuple().local_port, Interface::kEphemeralFirst);
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);  // the router is known from its RA: the SYN goes at once
  SentSegment syn = parse_segment(out[0]);
  EXPECT_EQ(syn.ip.src, kLinkLocal);
  EXPECT_EQ(syn.tcp.flags, tcp_flags::kSyn);
  EXPECT_EQ(syn.tcp.options.mss, 1340u);  // capped though TcpConfig asked for 1460
  TcpConnection other;
  ASSERT_TRUE(s.iface.tcp_connect(other, kServer, 80, rx, TcpConfig{}, 2000));
  EXPECT_EQ(other.tuple().local, IpAddress(kGlobal));
  EXPECT_NE(other.tuple().local_port, conn.tuple().local_port);
  s.iface.tcp_release(conn);
  s.iface.tcp_release(other);
}

TEST(InterfaceTcp6, SendTcpRefusals) {
  Stack s;
  TcpRepr syn;
  syn.src_port = 50000;
  syn.dst_port = 80;
  syn.flags = tcp_flags::kSyn;
  const TcpTuple v6{kGlobal, 50000, kServer, 80};
  EXPECT_FAILS(s.iface.send_tcp(v6, syn, Bytes()), Layer::Iface, Errc::Unsupported);
  bring_up(s);
  // Mixed families; a source that is not ours.
  EXPECT_FAILS(s.iface.send_tcp(TcpTuple{Ipv4Address::of(10, 0, 0, 2), 50000, kServer, 80}, syn,
                                Bytes()),
               Layer::Iface, Errc::Unsupported);
  const Ipv6Address stranger = Ipv6Address::of(0xfd00, 0x6d70, 0, 0, 0, 0, 0, 0x77);
  EXPECT_FAILS(s.iface.send_tcp(TcpTuple{stranger, 50000, kServer, 80}, syn, Bytes()),
               Layer::Iface, Errc::Unreachable);
  EXPECT_TRUE(s.sent().empty());
  // An unknown neighbour: one solicitation, then Ndp/WouldBlock until it answers.
  EXPECT_FAILS(s.iface.send_tcp(v6, syn, Bytes()), Layer::Ndp, Errc::WouldBlock);
  EXPECT_EQ(s.sent().size(), 1u);
  EXPECT_FAILS(s.iface.send_tcp(v6, syn, Bytes()), Layer::Ndp, Errc::WouldBlock);
  EXPECT_TRUE(s.sent().empty());
  s.feed(Bytes(frames6::kNdpNa), 2100);
  // Over the RA's MTU of 1400: too big (no fragments for TCP).
  std::vector<uint8_t> big(1400 - 40 - 20 + 1);
  EXPECT_FAILS(s.iface.send_tcp(v6, syn, Bytes(big.data(), big.size())), Layer::Tcp, Errc::TooBig);
  ASSERT_TRUE(s.iface.send_tcp(v6, syn, Bytes(big.data(), big.size() - 1)));
  EXPECT_EQ(s.sent().back().size(), 14u + 1400u);
}

// ---------------------------------------------------------------------------
// Diversion (the AP path)

class RecordingSink final : public TcpSegmentSink {
 public:
  void tcp_segment(uint32_t cookie, IpAddress src, IpAddress dst, Bytes segment) override {
    cookies.push_back(cookie);
    sources.push_back(src);
    destinations.push_back(dst);
    segments.emplace_back(segment.begin(), segment.end());
  }
  std::vector<uint32_t> cookies;
  std::vector<IpAddress> sources;
  std::vector<IpAddress> destinations;
  std::vector<Buffer> segments;
};

TEST(InterfaceTcp6, DivertedConnectionsSegmentsReachTheSinkAndCheckThere) {
  Stack s;
  bring_up(s);
  FixedRandom random;
  s.iface.set_random(random);
  TcpConnection conn;
  BufferReceiver rx;
  RecordingSink sink;
  ASSERT_TRUE(s.iface.tcp_connect(conn, kRouter, 80, rx, TcpConfig{}, 2000));
  ASSERT_TRUE(s.iface.tcp_divert(conn, sink, 7));
  std::vector<Buffer> out = s.sent();
  ASSERT_EQ(out.size(), 1u);
  TcpRepr syn_ack;
  syn_ack.src_port = 80;
  syn_ack.dst_port = conn.tuple().local_port;
  syn_ack.seq = 5000;
  syn_ack.ack = parse_segment(out[0]).tcp.seq + 1;
  syn_ack.flags = tcp_flags::kSyn | tcp_flags::kAck;
  Buffer good = tcp6_frame(kServerMac, kRouter, kLinkLocal, syn_ack);
  Buffer bad = good;
  bad.back() ^= 1;
  s.feed(view(good), 2010);
  s.feed(view(bad), 2020);
  ASSERT_EQ(sink.segments.size(), 2u);
  EXPECT_EQ(sink.cookies[0], 7u);
  EXPECT_EQ(sink.sources[0], IpAddress(kRouter));
  EXPECT_EQ(sink.destinations[0], IpAddress(kLinkLocal));
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);  // not the interface's to deliver
  EXPECT_EQ(s.dropped(Drop::BadChecksum), 0u);
  EXPECT_TRUE(s.sent().empty());
  // The new owner checks them as HttpShards' workers do: over the IPv6 pseudo
  // header from the addresses the sink was given.
  auto first = TcpSegment::check(view(sink.segments[0]));
  ASSERT_TRUE(first);
  auto parsed = TcpRepr::parse(first.value(), sink.sources[0], sink.destinations[0]);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value(), syn_ack);
  auto second = TcpSegment::check(view(sink.segments[1]));
  ASSERT_TRUE(second);
  EXPECT_FAILS(TcpRepr::parse(second.value(), sink.sources[1], sink.destinations[1]), Layer::Tcp,
               Errc::BadChecksum);
  // Back with the interface.
  s.iface.tcp_undivert(conn);
  s.feed(view(good), 2030);
  EXPECT_EQ(sink.segments.size(), 2u);
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
  s.iface.tcp_release(conn);
}

}  // namespace
}  // namespace mpxe::net
