// One TCP connection, active open only (RFC 9293), as an I/O-free state machine:
// segments come in through on_segment(), time through `now` and poll(), and
// everything it sends leaves through a TcpSender. It is built for one job: to
// receive a large download fast and to survive a peer that misbehaves.
//
//   Closed -connect()-> SynSent -SYN,ACK-> Established -close()-> FinWait1 -ACK-> FinWait2
//                          |                    |                     |FIN            |FIN
//                          |                    FIN                Closing -ACK-> TimeWait -> Closed
//                          |                    v                                     ^
//                          |                CloseWait -close()-> LastAck -ACK-> Closed |
//   RST, retries exhausted, abort(): Closed with error() saying why (none for abort())
//
// Receiving. Bytes go straight from the received frame to where the receiver
// wants them (StreamReceiver::stream_rx_space, e.g. the image buffer at the file
// offset): in order or not. Out-of-order data is placed at its final offset at
// once and only its range is remembered, in a fixed table of kMaxRanges; SACK
// blocks (RFC 2018, D-SACK from RFC 2883 for duplicates) are drawn from that
// table. So the receive window can be megabytes (window scaling, RFC 7323) with
// no buffer of our own and no heap: the receiver's limit is the window's edge.
//
// ACK policy (RFC 9293 3.8.6.3, RFC 5681 4.2): out-of-order data, a duplicate,
// data that fills a hole and a FIN are acknowledged at once; data in order is
// acknowledged every `ack_every` segments and otherwise at the next poll(). The
// interface polls its connections after each batch of received frames, so a
// fast sender gets one ACK per batch (stretch ACKs, as with receive offload),
// a slow one one per segment.
//
// Sending is small (HTTP requests): a fixed send buffer of kSendBufferSize
// bytes, sent in segments of the peer's MSS within its window, retransmitted
// from the oldest unacknowledged byte on RTO (RFC 6298: smoothed RTT, doubling
// backoff, bounded). A zero window is probed through the same timer, so a peer
// that never opens fails after data_retries like one that never answers.
//
// Hostile or broken peers: checksums are checked by the interface; segments out
// of the window draw a (rate-limited) ACK and are dropped; RST must hit
// RCV.NXT exactly, else it draws a challenge ACK (RFC 5961 3), as does a SYN on
// an open connection (RFC 5961 4); timestamps that go backwards are dropped
// (PAWS, RFC 7323 5). Every wait is bounded: SYN retries, data retries,
// FIN-WAIT-2 and TIME-WAIT (kept short: ISNs come from RFC 6528's clock plus a
// keyed hash, so a reused port pair starts above the old sequence space).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/stream/stream_receiver.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/tcp.h"

namespace mpxe::net {

struct TcpTuple {
  IpAddress local;
  uint16_t local_port = 0;
  IpAddress remote;
  uint16_t remote_port = 0;
  constexpr bool operator==(const TcpTuple&) const = default;
};

class TcpSender {
 public:
  // Sends one segment from tuple.local to tuple.remote: `header` (ports, numbers,
  // flags, options; payload_len must be payload.size()) followed by `payload`.
  // Fails without queueing anything, like UdpSender::send_udp.
  virtual Result<void> send_tcp(const TcpTuple& tuple, const TcpRepr& header, Bytes payload) = 0;

 protected:
  ~TcpSender() = default;
};

struct TcpConfig {
  // Our MSS (RFC 9293 3.7.1): the link MTU less 40 (less 60 over IPv6).
  uint16_t mss = 1460;
  // The largest window advertised, bytes; sets our window-scale shift.
  uint32_t max_window = 4u << 20;
  bool window_scale = true;
  bool sack = true;
  bool timestamps = true;
  // RFC 6298 2.1 starts at 1 s; the minimum is below its 1 s (as Linux's 200 ms):
  // a boot network is a LAN.
  Millis rto_initial = 1000;
  Millis rto_min = 200;
  Millis rto_max = 8000;
  // SYN sent 1 + syn_retries times (1+2+4+8+8+8 s = 31 s), data and FIN 1 +
  // data_retries times, before the connection fails with Tcp/TimedOut.
  uint8_t syn_retries = 5;
  uint8_t data_retries = 8;
  // In-order data segments acknowledged at once every this many (else at the
  // next poll()).
  uint8_t ack_every = 8;
  // TIME-WAIT, kept short (see the top of this file), and the longest wait in
  // FIN-WAIT-2 for a peer that never closes its side.
  Millis time_wait_ms = 1000;
  Millis fin_wait2_ms = 10000;
  // Challenge ACKs and ACKs to out-of-window segments, at most this many a second.
  uint32_t unsolicited_acks_per_second = 20;
};

struct TcpStats {
  uint64_t segments_in = 0;
  uint64_t bytes_in = 0;          // payload placed (duplicates not counted)
  uint64_t out_of_order = 0;      // segments placed beyond a hole
  uint64_t duplicates = 0;        // segments holding nothing new
  uint64_t out_of_window = 0;     // unacceptable segments (RFC 9293 3.10.7.4)
  uint64_t dropped_no_range = 0;  // out-of-order segments dropped: the range table was full
  uint64_t segments_out = 0;
  uint64_t acks_out = 0;          // pure ACKs
  uint64_t retransmits = 0;
  uint64_t challenge_acks = 0;
  uint64_t paws_rejected = 0;
};

class TcpConnection {
 public:
  enum class State : uint8_t {
    Closed,
    SynSent,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
  };

  static constexpr size_t kSendBufferSize = 4096;
  static constexpr size_t kMaxRanges = 16;
  // RFC 9293 3.7.1: without an MSS option, "the default ... is 536".
  static constexpr uint16_t kDefaultMss = 536;

  // Copyable only so that connect() can start from a fresh value; a connection
  // registered with an interface must not be copied or moved.
  TcpConnection() = default;

  // Sends the SYN. Any earlier connection held by this object is forgotten
  // (without a word to its peer: abort() first to send RST). Fails on a config
  // that cannot work (MSS under 64, window over 1 GiB).
  Result<void> connect(const TcpTuple& tuple, uint32_t iss, StreamReceiver& receiver,
                       const TcpConfig& config, Millis now, TcpSender& tx);
  // A segment of this connection (the interface matched the tuple and checked
  // the checksum); `payload` is valid only during the call.
  void on_segment(const TcpRepr& segment, Bytes payload, Millis now, TcpSender& tx);
  // Timers, pending ACKs and data waiting for the window.
  void poll(Millis now, TcpSender& tx);
  Millis next_deadline() const;
  // Whether a segment for `tuple` (seen from our side) belongs here.
  bool matches(const TcpTuple& tuple) const { return state_ != State::Closed && tuple == tuple_; }

  // Queues bytes to send (in SynSent they wait for the handshake); returns how
  // many fit in the send buffer. Fails once close() was called or the
  // connection is not open.
  Result<size_t> send(Bytes data);
  // Sends FIN after the queued data (half-close: receiving goes on).
  void close();
  // Sends RST (when synchronized) and forgets the connection.
  void abort(TcpSender& tx);

  State state() const { return state_; }
  Error error() const { return error_; }
  const TcpTuple& tuple() const { return tuple_; }
  // Open for sending and receiving data (not Closed, not TimeWait).
  bool is_active() const { return state_ != State::Closed && state_ != State::TimeWait; }
  bool is_established() const { return state_ == State::Established; }
  // Bytes received in order so far (the stream offset of RCV.NXT).
  uint64_t received() const { return rcv_off_; }
  bool peer_closed() const { return fin_received_; }
  // Every byte queued by send() has been acknowledged.
  bool all_acked() const { return snd_una_ == snd_nxt_ && sbuf_len_ == 0; }
  size_t send_space() const { return kSendBufferSize - sbuf_len_; }

  // What the handshake agreed.
  uint16_t peer_mss() const { return peer_mss_; }
  bool sack_enabled() const { return sack_; }
  bool timestamps_enabled() const { return ts_; }
  uint8_t send_shift() const { return snd_shift_; }
  uint8_t receive_shift() const { return rcv_shift_; }
  Millis rto() const { return rto_; }
  size_t ranges() const { return range_count_; }

  const TcpStats& stats() const { return stats_; }

 private:
  struct Range {
    uint64_t start = 0;
    uint64_t end = 0;
    uint32_t stamp = 0;  // higher: more recently extended (SACK blocks go newest first)
  };

  void on_syn_sent(const TcpRepr& seg, Millis now, TcpSender& tx);
  bool acceptable(const TcpRepr& seg) const;
  bool process_ack(const TcpRepr& seg, Millis now, TcpSender& tx);
  void process_data(const TcpRepr& seg, Bytes payload);
  void update_rcv_nxt() {
    rcv_nxt_ = irs_ + 1 + static_cast<uint32_t>(rcv_off_) + (fin_received_ ? 1 : 0);
  }
  size_t send_mss() const;
  void process_fin(Millis now);
  size_t place(uint64_t offset, Bytes data);
  bool add_range(uint64_t start, uint64_t end);
  void absorb_ranges();

  // Sends what is due: data within the window, FIN, and an ACK when one is owed
  // now (or merely pending, with flush_pending).
  void output(Millis now, TcpSender& tx, bool flush_pending);
  bool send_segment(TcpSender& tx, Millis now, uint32_t seq, uint8_t flags, Bytes payload);
  void send_ack(Millis now, TcpSender& tx);
  void send_unsolicited_ack(Millis now, TcpSender& tx);
  void send_rst(TcpSender& tx, uint32_t seq);
  TcpOptions options_for(uint8_t flags, Millis now) const;
  uint32_t window_bytes() const;
  uint16_t window_field(bool syn) const;
  void on_timeout(Millis now, TcpSender& tx);
  void sample_rtt(Millis rtt);
  void arm_rtx(Millis now);
  void fail(Errc reason);
  void enter_time_wait(Millis now);
  uint32_t ts_now(Millis now) const { return static_cast<uint32_t>(now) + ts_offset_; }
  uint32_t sbuf_end_seq() const { return sbuf_seq_ + static_cast<uint32_t>(sbuf_len_); }

  State state_ = State::Closed;
  Error error_;
  TcpTuple tuple_;
  StreamReceiver* receiver_ = nullptr;
  TcpConfig config_;

  // Send side (RFC 9293 3.3.1 names).
  uint32_t iss_ = 0;
  uint32_t snd_una_ = 0;
  uint32_t snd_nxt_ = 0;
  uint32_t snd_wnd_ = 0;  // bytes, scaled
  uint32_t snd_wl1_ = 0;
  uint32_t snd_wl2_ = 0;
  uint16_t peer_mss_ = kDefaultMss;
  uint8_t snd_shift_ = 0;
  // Bytes queued and not yet acknowledged: sbuf_[0] has sequence number sbuf_seq_.
  uint8_t sbuf_[kSendBufferSize] = {};
  size_t sbuf_len_ = 0;
  uint32_t sbuf_seq_ = 0;
  bool fin_queued_ = false;
  bool fin_sent_ = false;  // the FIN occupies fin_seq_ (cleared to resend it)
  uint32_t fin_seq_ = 0;

  // Receive side.
  uint32_t irs_ = 0;
  uint32_t rcv_nxt_ = 0;
  uint64_t rcv_off_ = 0;  // stream offset of rcv_nxt_
  uint8_t rcv_shift_ = 0;
  Range ranges_[kMaxRanges];
  size_t range_count_ = 0;
  uint32_t range_clock_ = 0;
  bool peer_fin_known_ = false;  // a FIN was seen, maybe beyond a hole
  uint64_t peer_fin_off_ = 0;
  bool fin_received_ = false;    // and every byte before it: RCV.NXT is past it
  bool dsack_pending_ = false;
  TcpSackBlock dsack_;

  // Options agreed.
  bool sack_ = false;
  bool ts_ = false;
  uint32_t ts_offset_ = 0;
  uint32_t ts_recent_ = 0;

  // ACK policy.
  bool ack_pending_ = false;
  bool ack_now_ = false;
  uint8_t segs_unacked_ = 0;

  // Timers (RFC 6298).
  Millis rto_ = 1000;
  Millis rtx_deadline_ = kNever;
  uint8_t retries_ = 0;
  bool have_rtt_ = false;
  Millis srtt_ = 0;
  Millis rttvar_ = 0;
  bool timing_ = false;
  uint32_t timed_seq_ = 0;
  Millis timed_at_ = 0;
  Millis state_deadline_ = kNever;  // FIN-WAIT-2 and TIME-WAIT
  Millis last_now_ = 0;
  uint32_t last_adv_wnd_ = 0;       // the window (bytes) our latest segment advertised
  bool send_failed_ = false;        // the sender refused a segment: retry soon
  Millis unsolicited_window_ = 0;
  uint32_t unsolicited_count_ = 0;

  TcpStats stats_;
};

const char* tcp_state_text(TcpConnection::State state);

// What an application needs from the stack to run connections: the interface
// implements it, tests fake it.
class TcpHost : public TcpSender {
 public:
  // Opens `connection` to remote:port from an unpredictable ephemeral port, with
  // an RFC 6528 ISN, and routes its segments to it until tcp_release(). A
  // connection object already registered is reused (it should be closed).
  virtual Result<void> tcp_connect(TcpConnection& connection, IpAddress remote, uint16_t port,
                                   StreamReceiver& receiver, const TcpConfig& config, Millis now) = 0;
  // Stops routing segments to `connection`; call before destroying it.
  virtual void tcp_release(TcpConnection& connection) = 0;
  // The MSS for this link towards a peer of `family`: the MTU less the IP and
  // TCP headers (40 bytes for IPv4, 60 for IPv6).
  virtual uint16_t tcp_mss(IpFamily family) const = 0;

 protected:
  ~TcpHost() = default;
};

// Initial sequence numbers after RFC 6528: ISN = M + F(local, lport, remote,
// rport, secret), M a 4-microsecond clock, F a keyed hash (SHA-256 here) of the
// tuple. Unpredictable to an off-path attacker, yet increasing for one tuple,
// which is what lets TIME-WAIT stay short.
class TcpIsnSource {
 public:
  static constexpr size_t kSecretSize = 16;
  void seed(Random& random);
  bool seeded() const { return seeded_; }
  uint32_t isn(const TcpTuple& tuple, Millis now) const;

 private:
  uint8_t secret_[kSecretSize] = {};
  bool seeded_ = false;
};

}  // namespace mpxe::net
