// The TCP connection state machine (src/net/socket/tcp_connection.*), fed the
// segments nginx sent in a captured exchange, and segments built the way a
// peer (well-behaved, lossy or hostile) would send them, at scripted times.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "net/socket/tcp_connection.h"
#include "tcp_test_util.h"

namespace mpxe::net {
namespace {

using namespace tcp_flags;
using test::Captured;
using test::repr_of;
using test::segment_of;

const Ipv4Address kClient{{10, 77, 0, 2}};
const Ipv4Address kServer{{10, 77, 0, 1}};

struct Sent {
  TcpRepr repr;
  std::vector<uint8_t> payload;
};

class RecordingSender final : public TcpSender {
 public:
  Result<void> send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) override {
    EXPECT_EQ(tuple.remote, kServer);
    EXPECT_EQ(header.payload_len, payload.size());
    if (refuse) return Error(Layer::Arp, Errc::WouldBlock);
    sent.push_back({header, std::vector<uint8_t>(payload.begin(), payload.end())});
    return {};
  }
  std::vector<Sent> take() {
    std::vector<Sent> out;
    out.swap(sent);
    return out;
  }
  std::vector<Sent> sent;
  bool refuse = false;
};

// A receiver with one flat buffer: stream offset = buffer offset.
class BufferReceiver final : public StreamReceiver {
 public:
  explicit BufferReceiver(size_t size) : bytes(size, 0xEE) {}
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override {
    EXPECT_LT(offset, bytes.size());
    if (offset >= limit()) return {};
    size_t n = std::min<uint64_t>(len, limit() - offset);
    return MutableBytes(bytes.data() + offset, n);
  }
  uint64_t stream_rx_limit() const override { return limit(); }
  void stream_rx_data(uint64_t end) override {
    EXPECT_GE(end, delivered);
    delivered = end;
    ++data_calls;
  }
  void stream_rx_fin(uint64_t end) override {
    fin = true;
    fin_at = end;
  }
  uint64_t limit() const { return std::min<uint64_t>(bytes.size(), cap); }

  std::vector<uint8_t> bytes;
  uint64_t cap = ~uint64_t{0};
  uint64_t delivered = 0;
  int data_calls = 0;
  bool fin = false;
  uint64_t fin_at = 0;
};

std::vector<uint8_t> pattern(size_t n, size_t seed = 0) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i + seed) * 131 + (i >> 8));
  return v;
}

// The server side of a connection: builds its segments.
struct Peer {
  uint32_t iss = 1000;
  uint32_t nxt = 1001;  // next sequence number to send
  uint32_t ack = 0;     // what it acknowledges of ours
  uint16_t window = 65535;
  uint8_t shift = 7;
  uint32_t ts = 5000;
  bool timestamps = true;
  uint16_t port = 80;
  uint16_t client_port = 50000;

  TcpRepr segment(uint8_t flags, uint32_t seq) const {
    TcpRepr r;
    r.src_port = port;
    r.dst_port = client_port;
    r.seq = seq;
    r.ack = ack;
    r.flags = flags;
    r.window = window;
    if (timestamps) {
      r.options.has_timestamps = true;
      r.options.ts_val = ts;
    }
    return r;
  }
  TcpRepr syn_ack(uint32_t client_iss) {
    ack = client_iss + 1;
    TcpRepr r = segment(kSyn | kAck, iss);
    r.options.has_mss = true;
    r.options.mss = 1460;
    r.options.has_window_scale = true;
    r.options.window_shift = shift;
    r.options.sack_permitted = true;
    r.window = 65160;
    return r;
  }
};

class TcpConnectionTest : public ::testing::Test {
 protected:
  TcpTuple tuple{kClient, 50000, kServer, 80};
  TcpConfig config;
  RecordingSender tx;
  BufferReceiver rx{1 << 20};
  TcpConnection conn;
  Peer peer;
  Millis now = 1000;
  uint32_t iss = 0x12345678;

  void establish() {
    ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
    auto syn = tx.take();
    ASSERT_EQ(syn.size(), 1u);
    feed(peer.syn_ack(iss));
    ASSERT_EQ(conn.state(), TcpConnection::State::Established);
    tx.take();
  }
  void feed(TcpRepr repr, Bytes payload = Bytes()) {
    repr.payload_len = payload.size();
    conn.on_segment(repr, payload, now, tx);
  }
  // In-order data from the peer.
  void data(Bytes payload, uint8_t flags = kAck) {
    feed(peer.segment(flags, peer.nxt), payload);
    peer.nxt += static_cast<uint32_t>(payload.size());
  }
  void data_at(uint32_t seq, Bytes payload) { feed(peer.segment(kAck, seq), payload); }
  Bytes got(size_t n) const { return Bytes(rx.bytes.data(), n); }
};

// --- The captured exchange ---------------------------------------------------

TEST_F(TcpConnectionTest, ReplaysTheCapturedNginxExchange) {
  // Open exactly as the captured client did (its port and ISN), send its
  // request, and feed nginx's segments: every one must be accepted as it was.
  Captured syn = segment_of(tcp_frames::kExchange[0]);
  TcpRepr linux_syn = repr_of(syn);
  TcpTuple captured{kClient, linux_syn.src_port, kServer, 80};
  ASSERT_TRUE(conn.connect(captured, linux_syn.seq, rx, config, now, tx));
  auto sent = tx.take();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].repr.flags, kSyn);
  EXPECT_EQ(sent[0].repr.seq, linux_syn.seq);
  EXPECT_EQ(sent[0].repr.options.mss, 1460);
  EXPECT_TRUE(sent[0].repr.options.sack_permitted);
  EXPECT_TRUE(sent[0].repr.options.has_timestamps);
  EXPECT_EQ(sent[0].repr.options.window_shift, 7);  // 4 MiB window


  std::vector<uint8_t> response;
  for (const auto& frame : tcp_frames::kExchange) {
    Captured c = segment_of(frame);
    TcpRepr r = repr_of(c);
    if (frame.from_client) {
      if (r.payload_len > 0) {
        std::vector<uint8_t> req(c.tcp.end() - r.payload_len, c.tcp.end());
        ASSERT_EQ(conn.send(Bytes(req.data(), req.size())).value(), req.size());
        conn.poll(now, tx);
        auto out = tx.take();
        ASSERT_EQ(out.size(), 1u);
        EXPECT_EQ(out[0].repr.seq, r.seq);
        EXPECT_EQ(out[0].payload, req);
      }
      if (r.has(kFin)) {
        conn.close();
        conn.poll(now, tx);
        auto out = tx.take();
        ASSERT_FALSE(out.empty());
        EXPECT_TRUE(out.back().repr.has(kFin));
        EXPECT_EQ(out.back().repr.seq, r.seq);
      }
      continue;
    }
    now += 1;
    Bytes payload = test::payload_of(c);
    conn.on_segment(r, payload, now, tx);
    response.insert(response.end(), payload.begin(), payload.end());
    if (r.has(kSyn)) {
      EXPECT_EQ(conn.state(), TcpConnection::State::Established);
      auto out = tx.take();
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].repr.ack, r.seq + 1);
    }
  }
  EXPECT_EQ(conn.stats().out_of_window, 0u);
  EXPECT_EQ(conn.stats().duplicates, 0u);
  ASSERT_EQ(rx.delivered, response.size());
  EXPECT_EQ(std::vector<uint8_t>(rx.bytes.begin(), rx.bytes.begin() + response.size()), response);
  std::string head(response.begin(), response.begin() + 15);
  EXPECT_EQ(head, "HTTP/1.1 200 OK");
  // nginx's FIN after ours: TIME-WAIT, our ACK of it sent, then closed.
  EXPECT_EQ(conn.state(), TcpConnection::State::TimeWait);
  EXPECT_TRUE(rx.fin);
  auto last = tx.take();
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last.back().repr.flags, kAck);
  conn.poll(now + config.time_wait_ms, tx);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  EXPECT_FALSE(conn.error().is_error());
}

// --- Handshake ---------------------------------------------------------------

TEST_F(TcpConnectionTest, HandshakeAgreesOptions) {
  establish();
  EXPECT_EQ(conn.peer_mss(), 1460);
  EXPECT_TRUE(conn.sack_enabled());
  EXPECT_TRUE(conn.timestamps_enabled());
  EXPECT_EQ(conn.send_shift(), 7);
  EXPECT_EQ(conn.receive_shift(), 7);
}

TEST_F(TcpConnectionTest, NoWindowScaleWithoutThePeers) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  TcpRepr sa = peer.syn_ack(iss);
  sa.options.has_window_scale = false;
  sa.options.sack_permitted = false;
  sa.options.has_timestamps = false;
  feed(sa);
  EXPECT_EQ(conn.receive_shift(), 0);
  EXPECT_FALSE(conn.sack_enabled());
  auto out = tx.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].repr.window, 0xFFFF);  // unscaled: capped at 64 KiB
  EXPECT_FALSE(out[1].repr.options.has_timestamps);
}

TEST_F(TcpConnectionTest, RstToSynIsRefused) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  TcpRepr rst = peer.segment(kRst | kAck, 0);
  rst.ack = iss + 1;
  feed(rst);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::Refused));
}

TEST_F(TcpConnectionTest, RstWithABadAckInSynSentIsIgnored) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  TcpRepr rst = peer.segment(kRst | kAck, 0);
  rst.ack = iss + 77;
  feed(rst);
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);
}

TEST_F(TcpConnectionTest, SynAckForAnotherSynDrawsRst) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  tx.take();
  TcpRepr sa = peer.syn_ack(iss);
  sa.ack = iss + 5000;
  feed(sa);
  EXPECT_EQ(conn.state(), TcpConnection::State::SynSent);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.flags, kRst);
  EXPECT_EQ(out[0].repr.seq, iss + 5000);
}

TEST_F(TcpConnectionTest, SynIsRetransmittedWithBackoffThenTimesOut) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  tx.take();
  std::vector<Millis> times;
  Millis t = now;
  while (conn.state() == TcpConnection::State::SynSent && t < now + 120000) {
    t = conn.next_deadline();
    conn.poll(t, tx);
    for (auto& s : tx.take()) {
      EXPECT_EQ(s.repr.flags, kSyn);
      EXPECT_EQ(s.repr.seq, iss);
      times.push_back(t - now);
    }
  }
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::TimedOut));
  std::vector<Millis> want = {1000, 3000, 7000, 15000, 23000};
  EXPECT_EQ(times, want);
  EXPECT_EQ(t - now, 31000u);  // the last SYN waited its full 8 s too
}

TEST_F(TcpConnectionTest, SynThatCouldNotLeaveIsRetriedSoon) {
  tx.refuse = true;  // ARP still resolving
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  EXPECT_LE(conn.next_deadline(), now + 10);
  tx.refuse = false;
  conn.poll(now + 10, tx);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.flags, kSyn);
  EXPECT_EQ(conn.stats().retransmits, 0u);
}

// --- Receiving ---------------------------------------------------------------

TEST_F(TcpConnectionTest, InOrderDataLandsAtItsOffsetAndAcksAreStretched) {
  establish();
  auto bytes = pattern(1448 * 20);
  for (int i = 0; i < 20; ++i) data(Bytes(bytes.data() + i * 1448, 1448));
  // ack_every 8: ACKs after the 8th and 16th segments only.
  auto out = tx.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].repr.ack, peer.iss + 1 + 8 * 1448);
  EXPECT_EQ(out[1].repr.ack, peer.iss + 1 + 16 * 1448);
  EXPECT_EQ(out[0].repr.options.sack_count, 0);
  // The rest at the next poll (the interface polls after each batch).
  EXPECT_EQ(conn.next_deadline(), now);
  conn.poll(now, tx);
  out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.ack, peer.nxt);
  EXPECT_EQ(rx.delivered, bytes.size());
  EXPECT_TRUE(bytes_equal(got(bytes.size()), Bytes(bytes.data(), bytes.size())));
  EXPECT_EQ(conn.stats().bytes_in, bytes.size());
}

// An ACK the sender refused (ring full, next hop resolving) is tried again in
// 10 ms: a deadline of `now` would have the caller poll again at once, in a loop.
TEST_F(TcpConnectionTest, RefusedAckIsRetriedSoonNotAtOnce) {
  establish();
  tx.refuse = true;
  auto bytes = pattern(1448);
  data(Bytes(bytes.data(), bytes.size()));
  conn.poll(now, tx);
  EXPECT_TRUE(tx.take().empty());
  EXPECT_EQ(conn.next_deadline(), now + 10);
  tx.refuse = false;
  conn.poll(now + 10, tx);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.ack, peer.nxt);
}

TEST_F(TcpConnectionTest, WindowIsScaledFromTheReceiversLimit) {
  establish();
  rx.cap = 100000;
  conn.poll(now, tx);
  data(Bytes(pattern(1000).data(), 1000));
  conn.poll(now, tx);
  auto out = tx.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().repr.window, (100000 - 1000 + 127) >> 7);
}

TEST_F(TcpConnectionTest, TheLastBytesBeforeTheLimitAreNeverAZeroWindow) {
  // 48 bytes left of a body with window scale 7: advertised as one unit (128),
  // not as zero, or the sender would wait forever for a window update (seen
  // against nginx: the last 48 bytes of 64 MiB never came).
  establish();
  rx.cap = 1048;
  data(Bytes(pattern(1000).data(), 1000));
  conn.poll(now, tx);
  auto out = tx.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back().repr.window, 1);
  // What arrives past the limit is cut there.
  data(Bytes(pattern(100).data(), 100));
  EXPECT_EQ(rx.delivered, 1048u);
}

TEST_F(TcpConnectionTest, OutOfOrderDataIsPlacedAndSacked) {
  establish();
  auto bytes = pattern(5000);
  uint32_t base = peer.nxt;
  // Segments 2 and 4 arrive first.
  data_at(base + 1000, Bytes(bytes.data() + 1000, 1000));
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);  // at once
  EXPECT_EQ(out[0].repr.ack, base);
  ASSERT_EQ(out[0].repr.options.sack_count, 1);
  EXPECT_EQ(out[0].repr.options.sack[0], (TcpSackBlock{base + 1000, base + 2000}));
  data_at(base + 3000, Bytes(bytes.data() + 3000, 1000));
  out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].repr.options.sack_count, 2);
  // The newest range first.
  EXPECT_EQ(out[0].repr.options.sack[0], (TcpSackBlock{base + 3000, base + 4000}));
  EXPECT_EQ(out[0].repr.options.sack[1], (TcpSackBlock{base + 1000, base + 2000}));
  EXPECT_EQ(rx.delivered, 0u);
  EXPECT_EQ(conn.ranges(), 2u);
  // The first hole filled: delivery jumps over segment 2, ACK at once.
  data_at(base, Bytes(bytes.data(), 1000));
  out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.ack, base + 2000);
  EXPECT_EQ(rx.delivered, 2000u);
  data_at(base + 2000, Bytes(bytes.data() + 2000, 1000));
  data_at(base + 4000, Bytes(bytes.data() + 4000, 1000));
  EXPECT_EQ(rx.delivered, 5000u);
  EXPECT_EQ(conn.ranges(), 0u);
  EXPECT_TRUE(bytes_equal(got(5000), Bytes(bytes.data(), 5000)));
}

TEST_F(TcpConnectionTest, DuplicatesDrawAnImmediateDsack) {
  establish();
  auto bytes = pattern(3000);
  uint32_t base = peer.nxt;
  data(Bytes(bytes.data(), 1500));
  data(Bytes(bytes.data() + 1500, 1500));
  conn.poll(now, tx);
  tx.take();
  data_at(base, Bytes(bytes.data(), 1500));  // the same again
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.ack, base + 3000);
  ASSERT_EQ(out[0].repr.options.sack_count, 1);
  EXPECT_EQ(out[0].repr.options.sack[0], (TcpSackBlock{base, base + 1500}));
  EXPECT_EQ(conn.stats().duplicates, 1u);
  EXPECT_EQ(rx.delivered, 3000u);
}

TEST_F(TcpConnectionTest, OverlappingSegmentsDeliverEachByteOnce) {
  establish();
  auto bytes = pattern(4000);
  uint32_t base = peer.nxt;
  data_at(base, Bytes(bytes.data(), 1000));
  data_at(base + 500, Bytes(bytes.data() + 500, 1500));    // half old
  data_at(base + 3000, Bytes(bytes.data() + 3000, 1000));  // beyond a hole
  data_at(base + 2500, Bytes(bytes.data() + 2500, 1000));  // overlaps that range
  data_at(base + 1800, Bytes(bytes.data() + 1800, 900));   // fills the hole, overlapping both
  EXPECT_EQ(rx.delivered, 4000u);
  EXPECT_EQ(conn.ranges(), 0u);
  EXPECT_TRUE(bytes_equal(got(4000), Bytes(bytes.data(), 4000)));
}

TEST_F(TcpConnectionTest, DataOutsideTheWindowIsNotTaken) {
  establish();
  rx.cap = 10000;
  auto bytes = pattern(1000);
  data_at(peer.nxt + 20000, Bytes(bytes.data(), 1000));  // beyond the limit
  data_at(peer.nxt - 70000, Bytes(bytes.data(), 1000));  // long ago
  EXPECT_EQ(conn.stats().out_of_window, 2u);
  EXPECT_EQ(conn.ranges(), 0u);
  EXPECT_EQ(rx.delivered, 0u);
  auto out = tx.take();
  EXPECT_EQ(out.size(), 2u);  // each answered with an ACK
  // A segment straddling the limit: only what fits is taken.
  auto big = pattern(12000);
  data_at(peer.nxt, Bytes(big.data(), 1400));
  data_at(peer.nxt + 1400, Bytes(big.data() + 1400, 9000));
  EXPECT_EQ(rx.delivered, 10000u);
}

TEST_F(TcpConnectionTest, SequenceNumbersWrapAround) {
  peer.iss = 0xFFFFF000u;
  peer.nxt = peer.iss + 1;
  iss = 0xFFFFFFF0u;
  establish();
  auto bytes = pattern(40000, 7);
  // In order across the wrap, then out of order across it.
  for (size_t off = 0; off < 20000; off += 1000) data(Bytes(bytes.data() + off, 1000));
  EXPECT_EQ(rx.delivered, 20000u);
  uint32_t base = peer.nxt;
  data_at(base + 10000, Bytes(bytes.data() + 30000, 10000));
  data_at(base, Bytes(bytes.data() + 20000, 10000));
  peer.nxt += 20000;
  EXPECT_EQ(rx.delivered, 40000u);
  EXPECT_TRUE(bytes_equal(got(40000), Bytes(bytes.data(), 40000)));
  // Our own numbers wrapped too: the request goes out after 0xFFFFFFFF.
  std::vector<uint8_t> req(100, 'x');
  ASSERT_TRUE(conn.send(Bytes(req.data(), req.size())));
  conn.poll(now, tx);
  auto out = tx.take();
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out[0].repr.seq, 0xFFFFFFF1u);
  peer.ack = 0xFFFFFFF1u + 100;
  data(Bytes());
  EXPECT_TRUE(conn.all_acked());
}

TEST_F(TcpConnectionTest, TheRangeTableIsBounded) {
  establish();
  auto bytes = pattern(100);
  uint32_t base = peer.nxt;
  for (size_t i = 0; i < TcpConnection::kMaxRanges + 4; ++i)
    data_at(base + 200 * static_cast<uint32_t>(i + 1), Bytes(bytes.data(), 100));
  EXPECT_EQ(conn.ranges(), TcpConnection::kMaxRanges);
  EXPECT_EQ(conn.stats().dropped_no_range, 4u);
  // Still works once the holes fill.
  auto all = pattern(200 * 40);
  for (uint32_t off = 0; off < 200 * 40; off += 1000)
    data_at(base + off, Bytes(all.data() + off, 1000));
  EXPECT_EQ(rx.delivered, 8000u);
}

// --- Hostile peers -------------------------------------------------------------

TEST_F(TcpConnectionTest, ExactRstResets) {
  establish();
  feed(peer.segment(kRst, peer.nxt));
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::Reset));
}

TEST_F(TcpConnectionTest, RstStormInTheWindowOnlyDrawsLimitedChallengeAcks) {
  establish();
  for (int i = 0; i < 1000; ++i) feed(peer.segment(kRst, peer.nxt + 1 + i));
  for (int i = 0; i < 1000; ++i) feed(peer.segment(kRst, peer.nxt + 0x40000000u + i));  // outside
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
  EXPECT_EQ(tx.take().size(), config.unsolicited_acks_per_second);
  now += 1000;
  feed(peer.segment(kRst, peer.nxt + 1));
  EXPECT_EQ(tx.take().size(), 1u);
  // A SYN on an open connection: a challenge ACK, nothing else.
  feed(peer.segment(kSyn, peer.nxt));
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
}

TEST_F(TcpConnectionTest, AckOfUnsentDataIsRefused) {
  establish();
  peer.ack = iss + 1000;
  data(Bytes(pattern(100).data(), 100));
  EXPECT_EQ(rx.delivered, 0u);
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
}

TEST_F(TcpConnectionTest, PawsDropsOldTimestamps) {
  establish();
  peer.ts = 6000;
  data(Bytes(pattern(100).data(), 100));
  peer.ts = 5500;  // older than the last one seen
  data_at(peer.nxt, Bytes(pattern(100).data(), 100));
  EXPECT_EQ(rx.delivered, 100u);
  EXPECT_EQ(conn.stats().paws_rejected, 1u);
}

// --- Sending ------------------------------------------------------------------

TEST_F(TcpConnectionTest, RequestIsRetransmittedWithBackoffThenTimesOut) {
  establish();
  std::string req = "GET / HTTP/1.1\r\nHost: 10.77.0.1\r\n\r\n";
  ASSERT_TRUE(conn.send(Bytes(reinterpret_cast<const uint8_t*>(req.data()), req.size())));
  conn.poll(now, tx);
  ASSERT_EQ(tx.take().size(), 1u);
  Millis first_rto = conn.rto();
  std::vector<Millis> gaps;
  Millis last = now;
  while (conn.state() == TcpConnection::State::Established) {
    Millis t = conn.next_deadline();
    ASSERT_NE(t, kNever);
    conn.poll(t, tx);
    for (auto& s : tx.take()) {
      EXPECT_EQ(s.repr.seq, iss + 1);
      EXPECT_EQ(s.payload.size(), req.size());
      gaps.push_back(t - last);
      last = t;
    }
  }
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::TimedOut));
  ASSERT_EQ(gaps.size(), config.data_retries);
  EXPECT_EQ(gaps[0], first_rto);
  EXPECT_EQ(gaps[1], std::min(first_rto * 2, config.rto_max));
  EXPECT_EQ(gaps.back(), config.rto_max);
}

TEST_F(TcpConnectionTest, ZeroWindowIsProbedAndBounded) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  TcpRepr sa = peer.syn_ack(iss);
  sa.window = 0;
  feed(sa);
  tx.take();
  std::vector<uint8_t> req(200, 'r');
  ASSERT_TRUE(conn.send(Bytes(req.data(), req.size())));
  conn.poll(now, tx);
  EXPECT_TRUE(tx.take().empty());  // nothing fits
  // The peer acknowledges nothing and never opens: probes, then failure, in
  // bounded time.
  Millis t = now;
  int probes = 0;
  while (conn.state() == TcpConnection::State::Established && t < now + 600000) {
    t = conn.next_deadline();
    conn.poll(t, tx);
    probes += static_cast<int>(tx.take().size());
  }
  EXPECT_EQ(conn.error(), Error(Layer::Tcp, Errc::TimedOut));
  EXPECT_GE(probes, 2);
  EXPECT_LT(t - now, 120000u);
}

TEST_F(TcpConnectionTest, WindowOpeningLetsTheRequestGo) {
  ASSERT_TRUE(conn.connect(tuple, iss, rx, config, now, tx));
  TcpRepr sa = peer.syn_ack(iss);
  sa.window = 0;
  feed(sa);
  tx.take();
  std::vector<uint8_t> req(200, 'r');
  ASSERT_TRUE(conn.send(Bytes(req.data(), req.size())));
  conn.poll(now, tx);
  peer.window = 100;  // x 128
  data(Bytes());
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload.size(), 200u);
}

// --- Closing ------------------------------------------------------------------

TEST_F(TcpConnectionTest, PeerClosesFirst) {
  establish();
  auto bytes = pattern(500);
  data(Bytes(bytes.data(), 500), kAck | kFin);
  EXPECT_TRUE(rx.fin);
  EXPECT_EQ(rx.fin_at, 500u);
  EXPECT_EQ(conn.state(), TcpConnection::State::CloseWait);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.ack, peer.nxt + 1);
  conn.close();
  conn.poll(now, tx);
  out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].repr.has(kFin));
  EXPECT_EQ(conn.state(), TcpConnection::State::LastAck);
  peer.ack = iss + 2;
  feed(peer.segment(kAck, peer.nxt + 1));
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
  EXPECT_FALSE(conn.error().is_error());
}

TEST_F(TcpConnectionTest, FinBeyondAHoleWaitsForTheData) {
  establish();
  auto bytes = pattern(2000);
  uint32_t base = peer.nxt;
  feed(peer.segment(kAck | kFin, base + 1000), Bytes(bytes.data() + 1000, 1000));
  EXPECT_FALSE(rx.fin);
  EXPECT_EQ(conn.state(), TcpConnection::State::Established);
  data_at(base, Bytes(bytes.data(), 1000));
  EXPECT_TRUE(rx.fin);
  EXPECT_EQ(rx.fin_at, 2000u);
  EXPECT_EQ(conn.state(), TcpConnection::State::CloseWait);
}

TEST_F(TcpConnectionTest, HalfCloseKeepsReceivingThenTimeWaitIsShort) {
  establish();
  conn.close();
  conn.poll(now, tx);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].repr.has(kFin));
  EXPECT_EQ(conn.state(), TcpConnection::State::FinWait1);
  peer.ack = iss + 2;
  auto bytes = pattern(3000);
  data(Bytes(bytes.data(), 1500));
  EXPECT_EQ(conn.state(), TcpConnection::State::FinWait2);
  data(Bytes(bytes.data() + 1500, 1500), kAck | kFin);
  EXPECT_EQ(rx.delivered, 3000u);
  EXPECT_EQ(conn.state(), TcpConnection::State::TimeWait);
  // A resent FIN in TIME-WAIT is acknowledged again.
  tx.take();
  feed(peer.segment(kAck | kFin, peer.nxt));
  EXPECT_EQ(tx.take().size(), 1u);
  EXPECT_EQ(conn.next_deadline(), now + config.time_wait_ms);
  conn.poll(now + config.time_wait_ms, tx);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
}

TEST_F(TcpConnectionTest, FinWait2IsBounded) {
  establish();
  conn.close();
  conn.poll(now, tx);
  peer.ack = iss + 2;
  data(Bytes());
  EXPECT_EQ(conn.state(), TcpConnection::State::FinWait2);
  conn.poll(now + config.fin_wait2_ms, tx);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
}

TEST_F(TcpConnectionTest, FinIsRetransmitted) {
  establish();
  conn.close();
  conn.poll(now, tx);
  tx.take();
  conn.poll(conn.next_deadline(), tx);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].repr.has(kFin));
  EXPECT_EQ(out[0].repr.seq, iss + 1);
}

TEST_F(TcpConnectionTest, AbortSendsRst) {
  establish();
  conn.abort(tx);
  auto out = tx.take();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].repr.flags, kRst);
  EXPECT_EQ(conn.state(), TcpConnection::State::Closed);
}

// --- ISNs ----------------------------------------------------------------------

class CountingRandom final : public Random {
 public:
  uint32_t next_u32() override { return value += 0x9E3779B9u; }
  uint32_t value = 1;
};

TEST(TcpIsn, DependsOnTheTupleAndTheSecretAndGrowsWithTime) {
  CountingRandom r1, r2;
  r2.value = 77;
  TcpIsnSource a, b;
  a.seed(r1);
  b.seed(r2);
  TcpTuple t1{kClient, 50000, kServer, 80};
  TcpTuple t2{kClient, 50001, kServer, 80};
  EXPECT_NE(a.isn(t1, 0), a.isn(t2, 0));
  EXPECT_NE(a.isn(t1, 0), b.isn(t1, 0));
  EXPECT_EQ(a.isn(t1, 1000) - a.isn(t1, 0), 250000u);  // 4 us ticks
}

}  // namespace
}  // namespace mpxe::net
