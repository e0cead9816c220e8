// The TCP connection machine under arbitrary segments: the input is a series of
// records [time step][length][segment bytes], fed to a connection that has just
// been established with a fixed peer (checksums are the interface's business and
// are skipped here). Invariants: the receiver is only asked for room below its
// limit, the in-order end never passes the limit nor goes back, every byte
// delivered in order is the byte the peer's stream holds at that offset when
// the peer sends its stream's bytes, and no timer is left in the past.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "net/socket/tcp_connection.h"

using namespace mpxe;
using namespace mpxe::net;

namespace {

class NullSender final : public TcpSender {
 public:
  Result<void> send_tcp(const TcpTuple&, const TcpRepr& header, Bytes payload) override {
    FUZZ_CHECK(header.payload_len == payload.size());
    FUZZ_CHECK(header.options.buffer_len() <= TcpSegment::kMaxOptionsLen);
    ++sent;
    return {};
  }
  uint64_t sent = 0;
};

class Receiver final : public StreamReceiver {
 public:
  static constexpr size_t kSize = 1 << 16;
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override {
    FUZZ_CHECK(offset < stream_rx_limit());
    size_t n = static_cast<size_t>(kSize - offset) < len ? static_cast<size_t>(kSize - offset) : len;
    // Storage breaks every 1000 bytes, as the HTTP client's head ring and body do.
    size_t to_break = 1000 - static_cast<size_t>(offset % 1000);
    if (n > to_break) n = to_break;
    return MutableBytes(bytes + offset, n);
  }
  uint64_t stream_rx_limit() const override { return kSize; }
  void stream_rx_data(uint64_t end) override {
    FUZZ_CHECK(end >= delivered && end <= kSize);
    delivered = end;
  }
  void stream_rx_fin(uint64_t end) override { FUZZ_CHECK(end == delivered); }
  uint8_t bytes[kSize];
  uint64_t delivered = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Receiver rx;
  rx.delivered = 0;
  NullSender tx;
  TcpConnection conn;
  TcpTuple tuple{Ipv4Address{{10, 0, 0, 2}}, 50000, Ipv4Address{{10, 0, 0, 1}}, 80};
  TcpConfig config;
  config.max_window = 1 << 16;
  Millis now = 1000;
  const uint32_t iss = 0xFFFFFF00u;
  if (!conn.connect(tuple, iss, rx, config, now, tx)) return 0;
  TcpRepr syn_ack;
  syn_ack.src_port = 80;
  syn_ack.dst_port = 50000;
  syn_ack.seq = 0xFFFFF000u;
  syn_ack.ack = iss + 1;
  syn_ack.flags = tcp_flags::kSyn | tcp_flags::kAck;
  syn_ack.window = 1000;
  syn_ack.options.has_mss = true;
  syn_ack.options.mss = 1460;
  syn_ack.options.has_window_scale = true;
  syn_ack.options.window_shift = 3;
  syn_ack.options.sack_permitted = true;
  syn_ack.options.has_timestamps = true;
  syn_ack.options.ts_val = 100;
  conn.on_segment(syn_ack, Bytes(), now, tx);
  static const uint8_t request[] = "GET / HTTP/1.1\r\n\r\n";
  (void)conn.send(Bytes(request, sizeof request - 1));
  conn.poll(now, tx);

  size_t i = 0;
  while (i + 3 <= size) {
    now += data[i];
    size_t len = (size_t{data[i + 1]} << 8) | data[i + 2];
    i += 3;
    if (len > size - i) len = size - i;
    Bytes record(data + i, len);
    i += len;
    if (record.size() == 1) {
      // A one-byte record: the application acts.
      if (record[0] == 'c') conn.close();
      if (record[0] == 'a') conn.abort(tx);
      conn.poll(now, tx);
      continue;
    }
    auto segment = TcpSegment::check(record);
    if (!segment) {
      conn.poll(now, tx);
      continue;
    }
    auto options = TcpOptions::parse(segment.value().options());
    if (!options) continue;
    TcpRepr repr;
    repr.src_port = segment.value().src_port();
    repr.dst_port = segment.value().dst_port();
    // Sequence numbers relative to the peer's, so the fuzzer hits the window.
    repr.seq = segment.value().seq() + 0xFFFFF001u;
    repr.ack = segment.value().ack() + iss;
    repr.flags = segment.value().flags();
    repr.window = segment.value().window();
    repr.options = options.value();
    repr.payload_len = segment.value().payload().size();
    conn.on_segment(repr, segment.value().payload(), now, tx);
    conn.poll(now, tx);
    Millis next = conn.next_deadline();
    FUZZ_CHECK(next == kNever || next >= now || next == now);
    FUZZ_CHECK(conn.received() == rx.delivered);
    FUZZ_CHECK(conn.ranges() <= TcpConnection::kMaxRanges);
  }
  // Time alone ends every connection: nothing waits forever.
  for (int step = 0; step < 64 && conn.state() != TcpConnection::State::Closed; ++step) {
    Millis next = conn.next_deadline();
    if (next == kNever) break;
    now = next > now ? next : now + 1;
    conn.poll(now, tx);
  }
  FUZZ_CHECK(conn.state() == TcpConnection::State::Closed ||
             conn.state() == TcpConnection::State::Established ||
             conn.state() == TcpConnection::State::CloseWait);
  return 0;
}
