#include "net/socket/tcp_connection.h"

#include "core/byte_ops.h"
#include "core/sha256.h"

namespace mpxe::net {
namespace {

using namespace tcp_flags;

constexpr size_t kTimestampsOptionLen = 12;  // with its two NOPs
constexpr uint16_t kMinPeerMss = 64;
constexpr uint32_t kMaxWindow = 1u << 30;  // RFC 7323 2.3: shift 14 of a 16-bit field

template <typename T>
constexpr T min_of(T a, T b) {
  return a < b ? a : b;
}
template <typename T>
constexpr T max_of(T a, T b) {
  return a > b ? a : b;
}

}  // namespace

const char* tcp_state_text(TcpConnection::State state) {
  switch (state) {
    case TcpConnection::State::Closed: return "CLOSED";
    case TcpConnection::State::SynSent: return "SYN-SENT";
    case TcpConnection::State::Established: return "ESTABLISHED";
    case TcpConnection::State::FinWait1: return "FIN-WAIT-1";
    case TcpConnection::State::FinWait2: return "FIN-WAIT-2";
    case TcpConnection::State::CloseWait: return "CLOSE-WAIT";
    case TcpConnection::State::Closing: return "CLOSING";
    case TcpConnection::State::LastAck: return "LAST-ACK";
    case TcpConnection::State::TimeWait: return "TIME-WAIT";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// Opening

Result<void> TcpConnection::connect(const TcpTuple& tuple, uint32_t iss, StreamReceiver& receiver,
                                    const TcpConfig& config, Millis now, TcpSender& tx) {
  if (config.mss < kMinPeerMss || config.max_window == 0 || config.max_window > kMaxWindow ||
      config.rto_min == 0 || config.rto_initial == 0 || config.rto_max < config.rto_min)
    return Error(Layer::Tcp, Errc::BadValue);
  if (tuple.local_port == 0 || tuple.remote_port == 0 || !tuple.remote.is_unicast())
    return Error(Layer::Tcp, Errc::BadAddress);
  *this = TcpConnection();
  tuple_ = tuple;
  receiver_ = &receiver;
  config_ = config;
  if (config.ack_every == 0) config_.ack_every = 1;
  iss_ = iss;
  snd_una_ = iss;
  snd_nxt_ = iss + 1;
  sbuf_seq_ = iss + 1;
  ts_offset_ = iss;  // RFC 7323 5.4: a per-connection offset, not the bare clock
  if (config_.window_scale)
    while ((config_.max_window >> rcv_shift_) > 0xFFFF && rcv_shift_ < TcpOptions::kMaxWindowShift)
      ++rcv_shift_;
  rto_ = min_of(max_of(config_.rto_initial, config_.rto_min), config_.rto_max);
  state_ = State::SynSent;
  last_now_ = now;
  (void)send_segment(tx, now, iss_, kSyn, Bytes());
  timing_ = true;
  timed_seq_ = iss_;
  timed_at_ = now;
  arm_rtx(now);
  return {};
}

void TcpConnection::on_syn_sent(const TcpRepr& seg, Millis now, TcpSender& tx) {
  bool ack = seg.has(kAck);
  bool rst = seg.has(kRst);
  // RFC 9293 3.10.7.3: an ACK of something we never sent.
  if (ack && (seq_le(seg.ack, iss_) || seq_gt(seg.ack, snd_nxt_))) {
    if (!rst) send_rst(tx, seg.ack);
    return;
  }
  if (rst) {
    if (ack) fail(Errc::Refused);
    return;
  }
  // A SYN without ACK would be a simultaneous open, which a client that only
  // connects to servers never needs: ignored (our SYN is retransmitted).
  if (!seg.has(kSyn) || !ack) return;

  irs_ = seg.seq;
  rcv_off_ = 0;
  update_rcv_nxt();
  snd_una_ = seg.ack;
  const TcpOptions& o = seg.options;
  peer_mss_ = o.has_mss ? max_of(o.mss, kMinPeerMss) : kDefaultMss;
  // RFC 7323 2.2: scaling only when both sides sent the option.
  if (config_.window_scale && o.has_window_scale) {
    snd_shift_ = min_of(o.window_shift, TcpOptions::kMaxWindowShift);
  } else {
    snd_shift_ = 0;
    rcv_shift_ = 0;
  }
  sack_ = config_.sack && o.sack_permitted;
  ts_ = config_.timestamps && o.has_timestamps;
  if (ts_) ts_recent_ = o.ts_val;
  // "the window field in a segment where the SYN bit is set ... MUST NOT be scaled"
  snd_wnd_ = seg.window;
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  if (timing_) sample_rtt(now - timed_at_);
  timing_ = false;
  retries_ = 0;
  rtx_deadline_ = kNever;
  state_ = State::Established;
  // Data or FIN on the SYN,ACK is not taken: the peer sends it again once our
  // ACK of the SYN alone reaches it.
  ack_now_ = true;
}

// ---------------------------------------------------------------------------
// Receiving

void TcpConnection::on_segment(const TcpRepr& seg, Bytes payload, Millis now, TcpSender& tx) {
  last_now_ = now;
  if (state_ == State::Closed) return;
  ++stats_.segments_in;
  if (state_ == State::SynSent) {
    on_syn_sent(seg, now, tx);
    output(now, tx, false);
    return;
  }
  bool rst = seg.has(kRst);
  // PAWS (RFC 7323 5.3): a timestamp older than the latest one is an old
  // duplicate from an earlier wrap of the sequence space.
  if (ts_ && seg.options.has_timestamps && !rst && seq_lt(seg.options.ts_val, ts_recent_)) {
    ++stats_.paws_rejected;
    send_unsolicited_ack(now, tx);
    return;
  }
  if (!acceptable(seg)) {
    ++stats_.out_of_window;
    if (rst) return;
    if (state_ == State::TimeWait && seg.has(kFin)) {
      // The peer did not get our last ACK: repeat it and wait again.
      state_deadline_ = now + config_.time_wait_ms;
      send_ack(now, tx);
      return;
    }
    uint32_t end = seg.seq + static_cast<uint32_t>(seg.payload_len);
    if (seg.payload_len > 0 && seq_le(end, rcv_nxt_)) {
      // All old: our ACK was lost or the segment was duplicated on the way.
      // Answered at once, with a D-SACK block (RFC 2883) for the sender's
      // undo logic.
      ++stats_.duplicates;
      if (sack_) {
        dsack_ = TcpSackBlock{seg.seq, end};
        dsack_pending_ = true;
      }
      send_ack(now, tx);
      return;
    }
    send_unsolicited_ack(now, tx);
    return;
  }
  if (rst) {
    // RFC 5961 3.2: only an exact hit resets; anything else in the window gets
    // a challenge ACK, which a real peer answers with an exact RST.
    if (seg.seq == rcv_nxt_) {
      if (state_ == State::TimeWait) {
        state_ = State::Closed;
      } else {
        fail(Errc::Reset);
      }
      return;
    }
    send_unsolicited_ack(now, tx);
    return;
  }
  if (seg.has(kSyn)) {
    send_unsolicited_ack(now, tx);  // RFC 5961 4.2
    return;
  }
  if (!seg.has(kAck)) return;
  // RFC 7323 4.3: remember the timestamp of a segment that starts at or before
  // what we acknowledge (PAWS above made sure it does not go backwards).
  if (ts_ && seg.options.has_timestamps && seq_le(seg.seq, rcv_nxt_)) ts_recent_ = seg.options.ts_val;
  if (!process_ack(seg, now, tx)) return;
  if (state_ == State::Closed) return;

  if (seg.payload_len > 0) {
    if (state_ == State::Established || state_ == State::FinWait1 || state_ == State::FinWait2)
      process_data(seg, payload);
  }
  if (seg.has(kFin)) {
    if (fin_received_) {
      ack_now_ = true;  // a resent FIN: our ACK of it was lost
    } else {
      int32_t ahead = seq_diff(seg.seq + static_cast<uint32_t>(seg.payload_len), rcv_nxt_);
      if (ahead >= 0) {
        peer_fin_known_ = true;
        peer_fin_off_ = rcv_off_ + static_cast<uint32_t>(ahead);
        if (ahead > 0) ack_now_ = true;  // beyond a hole: ask for the rest
      }
    }
  }
  if (peer_fin_known_ && !fin_received_ && rcv_off_ == peer_fin_off_) process_fin(now);
  output(now, tx, false);
}

bool TcpConnection::acceptable(const TcpRepr& seg) const {
  // RFC 9293 3.10.7.4's four cases. The FIN is left out of the length: it needs
  // no room, and a receiver whose window closed exactly at the end of what it
  // wanted must still see the peer's FIN.
  uint32_t wnd = window_bytes();
  if (seg.payload_len == 0) {
    if (wnd == 0) return seg.seq == rcv_nxt_;
    return seq_ge(seg.seq, rcv_nxt_) && seq_lt(seg.seq, rcv_nxt_ + wnd);
  }
  if (wnd == 0) return false;
  uint32_t last = seg.seq + static_cast<uint32_t>(seg.payload_len) - 1;
  bool first_in = seq_ge(seg.seq, rcv_nxt_) && seq_lt(seg.seq, rcv_nxt_ + wnd);
  bool last_in = seq_ge(last, rcv_nxt_) && seq_lt(last, rcv_nxt_ + wnd);
  return first_in || last_in;
}

bool TcpConnection::process_ack(const TcpRepr& seg, Millis now, TcpSender& tx) {
  uint32_t ack = seg.ack;
  if (seq_gt(ack, snd_nxt_)) {
    // "If the ACK acks something not yet sent ... send an ACK, drop the segment".
    send_unsolicited_ack(now, tx);
    return false;
  }
  if (seq_gt(ack, snd_una_)) {
    if (timing_ && seq_gt(ack, timed_seq_)) {
      sample_rtt(now - timed_at_);
      timing_ = false;
    }
    snd_una_ = ack;
    if (seq_gt(ack, sbuf_seq_)) {
      size_t done = min_of(static_cast<size_t>(seq_diff(ack, sbuf_seq_)), sbuf_len_);
      for (size_t i = done; i < sbuf_len_; ++i) sbuf_[i - done] = sbuf_[i];
      sbuf_len_ -= done;
      sbuf_seq_ += static_cast<uint32_t>(done);
    }
    retries_ = 0;
    rtx_deadline_ = snd_una_ == snd_nxt_ ? kNever : now + rto_;
    if (fin_sent_ && seq_gt(ack, fin_seq_)) {
      switch (state_) {
        case State::FinWait1:
          state_ = State::FinWait2;
          state_deadline_ = now + config_.fin_wait2_ms;
          break;
        case State::Closing:
          enter_time_wait(now);
          break;
        case State::LastAck:
          state_ = State::Closed;
          rtx_deadline_ = kNever;
          return true;
        default:
          break;
      }
    }
  }
  // The window, from the newest segment only (SND.WL1/WL2).
  if (seq_lt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && seq_le(snd_wl2_, ack))) {
    snd_wnd_ = static_cast<uint32_t>(seg.window) << snd_shift_;
    snd_wl1_ = seg.seq;
    snd_wl2_ = ack;
  }
  return true;
}

void TcpConnection::process_data(const TcpRepr& seg, Bytes payload) {
  int32_t rel = seq_diff(seg.seq, rcv_nxt_);
  uint64_t offset = rcv_off_;
  if (rel < 0) {
    payload = payload.subspan(static_cast<size_t>(-static_cast<int64_t>(rel)));
  } else {
    offset += static_cast<uint32_t>(rel);
  }
  uint64_t limit = receiver_->stream_rx_limit();
  if (offset >= limit) {
    payload = Bytes();
  } else if (limit - offset < payload.size()) {
    payload = payload.first(static_cast<size_t>(limit - offset));
  }
  if (peer_fin_known_ && offset + payload.size() > peer_fin_off_) {
    // Data past a FIN already seen: the peer contradicts itself; keep the FIN.
    payload = offset < peer_fin_off_ ? payload.first(static_cast<size_t>(peer_fin_off_ - offset))
                                     : Bytes();
  }
  if (payload.empty()) {
    ++stats_.duplicates;
    ack_now_ = true;
    return;
  }
  if (offset == rcv_off_) {
    bool filled_hole = range_count_ > 0;
    size_t placed = place(offset, payload);
    if (placed == 0) {
      ack_now_ = true;
      return;
    }
    stats_.bytes_in += placed;
    rcv_off_ += placed;
    absorb_ranges();
    update_rcv_nxt();
    if (filled_hole) {
      ack_now_ = true;
    } else {
      ack_pending_ = true;
      if (++segs_unacked_ >= config_.ack_every) ack_now_ = true;
    }
    receiver_->stream_rx_data(rcv_off_);
    return;
  }
  // Beyond a hole: placed where it belongs, its range remembered.
  ++stats_.out_of_order;
  ack_now_ = true;
  size_t placed = place(offset, payload);
  if (placed == 0) return;
  if (!add_range(offset, offset + placed)) {
    ++stats_.dropped_no_range;
    return;
  }
  stats_.bytes_in += placed;
}

size_t TcpConnection::place(uint64_t offset, Bytes data) {
  size_t placed = 0;
  while (placed < data.size()) {
    MutableBytes space = receiver_->stream_rx_space(offset + placed, data.size() - placed);
    if (space.empty()) break;
    placed += copy_bytes(space, data.subspan(placed, space.size()));
  }
  return placed;
}

bool TcpConnection::add_range(uint64_t start, uint64_t end) {
  Range merged{start, end, ++range_clock_};
  size_t kept = 0;
  for (size_t i = 0; i < range_count_; ++i) {
    const Range& r = ranges_[i];
    if (r.end < merged.start || r.start > merged.end) {
      ranges_[kept++] = r;
    } else {
      merged.start = min_of(merged.start, r.start);
      merged.end = max_of(merged.end, r.end);
    }
  }
  range_count_ = kept;
  if (range_count_ == kMaxRanges) return false;
  ranges_[range_count_++] = merged;
  return true;
}

void TcpConnection::absorb_ranges() {
  bool moved = true;
  while (moved) {
    moved = false;
    size_t kept = 0;
    for (size_t i = 0; i < range_count_; ++i) {
      const Range& r = ranges_[i];
      if (r.start <= rcv_off_) {
        if (r.end > rcv_off_) rcv_off_ = r.end;
        moved = true;
      } else {
        ranges_[kept++] = r;
      }
    }
    range_count_ = kept;
  }
}

void TcpConnection::process_fin(Millis now) {
  fin_received_ = true;
  update_rcv_nxt();
  ack_now_ = true;
  receiver_->stream_rx_fin(rcv_off_);
  switch (state_) {
    case State::Established:
      state_ = State::CloseWait;
      break;
    case State::FinWait1:
      // Our FIN not acknowledged yet: both closing at once.
      state_ = State::Closing;
      break;
    case State::FinWait2:
      enter_time_wait(now);
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------
// Sending

Result<size_t> TcpConnection::send(Bytes data) {
  if (fin_queued_) return Error(Layer::Tcp, Errc::Closed);
  if (state_ != State::SynSent && state_ != State::Established && state_ != State::CloseWait)
    return Error(Layer::Tcp, Errc::Closed);
  size_t n = copy_bytes(MutableBytes(sbuf_ + sbuf_len_, kSendBufferSize - sbuf_len_), data);
  sbuf_len_ += n;
  return n;
}

void TcpConnection::close() {
  if (state_ == State::SynSent) {
    state_ = State::Closed;
    return;
  }
  if (state_ == State::Established || state_ == State::CloseWait) fin_queued_ = true;
}

void TcpConnection::abort(TcpSender& tx) {
  if (state_ != State::Closed && state_ != State::SynSent && state_ != State::TimeWait)
    send_rst(tx, snd_nxt_);
  state_ = State::Closed;
  rtx_deadline_ = kNever;
  state_deadline_ = kNever;
}

size_t TcpConnection::send_mss() const {
  size_t mss = min_of(peer_mss_, config_.mss);
  if (ts_) mss -= kTimestampsOptionLen;
  return mss;
}

void TcpConnection::output(Millis now, TcpSender& tx, bool flush_pending) {
  if (state_ == State::Closed || state_ == State::SynSent) return;
  if (state_ == State::Established || state_ == State::CloseWait) {
    while (seq_lt(snd_nxt_, sbuf_end_seq())) {
      uint32_t in_flight = snd_nxt_ - snd_una_;
      uint32_t usable = snd_wnd_ > in_flight ? snd_wnd_ - in_flight : 0;
      size_t unsent = static_cast<size_t>(sbuf_end_seq() - snd_nxt_);
      size_t n = min_of(min_of(unsent, send_mss()), static_cast<size_t>(usable));
      if (n == 0) {
        // A closed window: the retransmission timer probes it.
        if (rtx_deadline_ == kNever) arm_rtx(now);
        break;
      }
      size_t at = static_cast<size_t>(snd_nxt_ - sbuf_seq_);
      uint8_t flags = kAck | (n == unsent ? kPsh : 0);
      if (!send_segment(tx, now, snd_nxt_, flags, Bytes(sbuf_ + at, n))) break;
      if (!timing_) {
        timing_ = true;
        timed_seq_ = snd_nxt_;
        timed_at_ = now;
      }
      snd_nxt_ += static_cast<uint32_t>(n);
      if (rtx_deadline_ == kNever) arm_rtx(now);
    }
    if (fin_queued_ && !fin_sent_ && snd_nxt_ == sbuf_end_seq()) {
      fin_seq_ = snd_nxt_;
      fin_sent_ = true;
      snd_nxt_ += 1;
      state_ = state_ == State::Established ? State::FinWait1 : State::LastAck;
      (void)send_segment(tx, now, fin_seq_, kFin | kAck, Bytes());  // lost: the timer resends it
      if (rtx_deadline_ == kNever) arm_rtx(now);
    }
  }
  // A window update, when the receiver has made room after we advertised
  // little: the peer would otherwise wait for its persist timer.
  if (!ack_now_ && state_ != State::TimeWait) {
    uint32_t wnd = window_bytes();
    if (last_adv_wnd_ < 2u * config_.mss && wnd >= last_adv_wnd_ + 2u * config_.mss) ack_now_ = true;
  }
  if (ack_now_ || (flush_pending && ack_pending_)) send_ack(now, tx);
}

TcpOptions TcpConnection::options_for(uint8_t flags, Millis now) const {
  TcpOptions o;
  if ((flags & kSyn) != 0) {
    o.has_mss = true;
    o.mss = config_.mss;
    o.has_window_scale = config_.window_scale;
    o.window_shift = rcv_shift_;
    o.sack_permitted = config_.sack;
    o.has_timestamps = config_.timestamps;
    o.ts_val = ts_now(now);
    return o;
  }
  if ((flags & kRst) != 0) return o;
  if (ts_) {
    o.has_timestamps = true;
    o.ts_val = ts_now(now);
    o.ts_ecr = ts_recent_;
  }
  if (sack_ && (flags & kAck) != 0) {
    size_t max_blocks = ts_ ? 3 : TcpOptions::kMaxSackBlocks;
    if (dsack_pending_) o.sack[o.sack_count++] = dsack_;
    // The newest ranges first (RFC 2018 4: the first block holds the segment
    // that triggered this ACK).
    bool used[kMaxRanges] = {};
    while (o.sack_count < max_blocks) {
      size_t best = kMaxRanges;
      for (size_t i = 0; i < range_count_; ++i)
        if (!used[i] && (best == kMaxRanges || ranges_[i].stamp > ranges_[best].stamp)) best = i;
      if (best == kMaxRanges) break;
      used[best] = true;
      uint32_t left = rcv_nxt_ + static_cast<uint32_t>(ranges_[best].start - rcv_off_);
      uint32_t right = rcv_nxt_ + static_cast<uint32_t>(ranges_[best].end - rcv_off_);
      o.sack[o.sack_count++] = TcpSackBlock{left, right};
    }
  }
  return o;
}

uint32_t TcpConnection::window_bytes() const {
  uint64_t limit = receiver_ == nullptr ? 0 : receiver_->stream_rx_limit();
  if (limit <= rcv_off_) return 0;
  uint64_t avail = limit - rcv_off_;
  return static_cast<uint32_t>(min_of<uint64_t>(avail, config_.max_window));
}

uint16_t TcpConnection::window_field(bool syn) const {
  uint32_t wnd = window_bytes();
  // Rounded up, not down: the last few bytes before the receiver's limit (the
  // end of a body) would otherwise be advertised as a zero window that never
  // reopens. Bytes past the limit are not taken anyway (process_data trims).
  if (!syn) wnd = static_cast<uint32_t>((uint64_t{wnd} + (uint64_t{1} << rcv_shift_) - 1) >> rcv_shift_);
  return static_cast<uint16_t>(min_of<uint32_t>(wnd, 0xFFFF));
}

bool TcpConnection::send_segment(TcpSender& tx, Millis now, uint32_t seq, uint8_t flags,
                                 Bytes payload) {
  bool syn = (flags & kSyn) != 0;
  TcpRepr repr;
  repr.src_port = tuple_.local_port;
  repr.dst_port = tuple_.remote_port;
  repr.seq = seq;
  if (!syn) flags |= kAck;
  repr.flags = flags;
  repr.ack = (flags & kAck) != 0 ? rcv_nxt_ : 0;
  repr.window = window_field(syn);
  repr.options = options_for(flags, now);
  repr.payload_len = payload.size();
  Result<void> sent = tx.send_tcp(tuple_, repr, payload);
  if (!sent) {
    send_failed_ = true;
    return false;
  }
  ++stats_.segments_out;
  if ((flags & kAck) != 0) {
    ack_pending_ = false;
    ack_now_ = false;
    segs_unacked_ = 0;
    dsack_pending_ = false;
    last_adv_wnd_ = static_cast<uint32_t>(repr.window) << (syn ? 0 : rcv_shift_);
  }
  return true;
}

void TcpConnection::send_ack(Millis now, TcpSender& tx) {
  if (send_segment(tx, now, snd_nxt_, kAck, Bytes())) ++stats_.acks_out;
}

void TcpConnection::send_unsolicited_ack(Millis now, TcpSender& tx) {
  if (now - unsolicited_window_ >= 1000 || now < unsolicited_window_) {
    unsolicited_window_ = now;
    unsolicited_count_ = 0;
  }
  if (unsolicited_count_ >= config_.unsolicited_acks_per_second) return;
  ++unsolicited_count_;
  ++stats_.challenge_acks;
  send_ack(now, tx);
}

void TcpConnection::send_rst(TcpSender& tx, uint32_t seq) {
  TcpRepr repr;
  repr.src_port = tuple_.local_port;
  repr.dst_port = tuple_.remote_port;
  repr.seq = seq;
  repr.flags = kRst;
  if (tx.send_tcp(tuple_, repr, Bytes())) ++stats_.segments_out;
}

// ---------------------------------------------------------------------------
// Time

void TcpConnection::poll(Millis now, TcpSender& tx) {
  last_now_ = now;
  if (state_ == State::Closed) return;
  if (state_deadline_ != kNever && now >= state_deadline_) {
    // TIME-WAIT over, or a peer that never closed its side after ours.
    state_ = State::Closed;
    state_deadline_ = kNever;
    rtx_deadline_ = kNever;
    return;
  }
  bool retry = send_failed_;
  send_failed_ = false;
  if (rtx_deadline_ != kNever && now >= rtx_deadline_) {
    on_timeout(now, tx);
  } else if (retry && state_ == State::SynSent) {
    // The SYN never left (next hop being resolved): again, without counting it.
    (void)send_segment(tx, now, iss_, kSyn, Bytes());
  }
  if (state_ == State::Closed) return;
  output(now, tx, true);
}

Millis TcpConnection::next_deadline() const {
  if (state_ == State::Closed) return kNever;
  Millis d = min_of(rtx_deadline_, state_deadline_);
  // A segment the sender refused (next hop being resolved, ring full) is tried
  // again in 10 ms, a pending ACK with it: not at once, which would spin.
  if (send_failed_) {
    d = min_of(d, last_now_ + 10);
  } else if (ack_now_ || ack_pending_) {
    d = min_of(d, last_now_);
  }
  return d;
}

void TcpConnection::on_timeout(Millis now, TcpSender& tx) {
  rtx_deadline_ = kNever;
  if (state_ == State::SynSent) {
    if (retries_ >= config_.syn_retries) return fail(Errc::TimedOut);
    ++retries_;
    ++stats_.retransmits;
    timing_ = false;  // Karn: no sample from a retransmitted segment
    rto_ = min_of(rto_ * 2, config_.rto_max);
    (void)send_segment(tx, now, iss_, kSyn, Bytes());
    arm_rtx(now);
    return;
  }
  bool outstanding = snd_nxt_ != snd_una_;
  bool unsent = seq_lt(snd_nxt_, sbuf_end_seq());
  if (!outstanding && !unsent) return;
  if (retries_ >= config_.data_retries) return fail(Errc::TimedOut);
  ++retries_;
  ++stats_.retransmits;
  timing_ = false;
  rto_ = min_of(rto_ * 2, config_.rto_max);
  size_t at = static_cast<size_t>(snd_una_ - sbuf_seq_);
  if (!outstanding) {
    // Zero-window probe: one byte past the closed window.
    (void)send_segment(tx, now, snd_nxt_, kAck, Bytes(sbuf_ + (snd_nxt_ - sbuf_seq_), 1));
    snd_nxt_ += 1;
  } else if (seq_lt(snd_una_, sbuf_end_seq())) {
    // The oldest unacknowledged segment again.
    size_t n = min_of(static_cast<size_t>(snd_nxt_ - snd_una_), send_mss());
    n = min_of(n, sbuf_len_ - at);
    (void)send_segment(tx, now, snd_una_, kAck | kPsh, Bytes(sbuf_ + at, n));
  } else if (fin_sent_) {
    (void)send_segment(tx, now, fin_seq_, kFin | kAck, Bytes());
  }
  arm_rtx(now);
}

void TcpConnection::sample_rtt(Millis rtt) {
  // RFC 6298 2.2 and 2.3 (alpha 1/8, beta 1/4, K 4, G 1 ms).
  if (!have_rtt_) {
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    have_rtt_ = true;
  } else {
    Millis diff = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
    rttvar_ = (3 * rttvar_ + diff) / 4;
    srtt_ = (7 * srtt_ + rtt) / 8;
  }
  Millis rto = srtt_ + max_of<Millis>(1, 4 * rttvar_);
  rto_ = min_of(max_of(rto, config_.rto_min), config_.rto_max);
}

void TcpConnection::arm_rtx(Millis now) { rtx_deadline_ = now + rto_; }

void TcpConnection::fail(Errc reason) {
  state_ = State::Closed;
  error_ = Error(Layer::Tcp, reason);
  rtx_deadline_ = kNever;
  state_deadline_ = kNever;
}

void TcpConnection::enter_time_wait(Millis now) {
  state_ = State::TimeWait;
  rtx_deadline_ = kNever;
  state_deadline_ = now + config_.time_wait_ms;
}

// ---------------------------------------------------------------------------
// Initial sequence numbers

void TcpIsnSource::seed(Random& random) {
  for (size_t i = 0; i < kSecretSize; i += 4) store_be32(secret_ + i, random.next_u32());
  seeded_ = true;
}

uint32_t TcpIsnSource::isn(const TcpTuple& tuple, Millis now) const {
  // Each address in its family's length: an IPv4 tuple hashes the 12 bytes it
  // always has.
  uint8_t input[kSecretSize + 2 * (Ipv6Address::kSize + 2)];
  copy_bytes(MutableBytes(input, kSecretSize), Bytes(secret_, kSecretSize));
  size_t len = kSecretSize;
  len += copy_bytes(MutableBytes(input + len, Ipv6Address::kSize), tuple.local.bytes());
  store_be16(input + len, tuple.local_port);
  len += 2;
  len += copy_bytes(MutableBytes(input + len, Ipv6Address::kSize), tuple.remote.bytes());
  store_be16(input + len, tuple.remote_port);
  len += 2;
  Sha256 sha;
  sha.update(input, len);
  uint8_t digest[Sha256::kDigestSize];
  sha.finish(digest);
  // M: RFC 9293 3.4.1's clock, "incremented roughly every 4 microseconds".
  return static_cast<uint32_t>(now * 250) + load_be32(digest);
}

}  // namespace mpxe::net
