#include "net/socket/tftp_client.h"

#include "core/byte_ops.h"
#include "core/format.h"

namespace mpxe::net {
namespace {

Error tftp_error(Errc reason) { return Error(Layer::Tftp, reason); }

// error.h has no reason for "nobody answered" or "the peer said no" yet; these
// are the nearest it offers. failure() is exact.
Error failure_error(TftpFailure failure, uint16_t remote_code) {
  switch (failure) {
    case TftpFailure::None: return Error();
    case TftpFailure::BadRequest: return tftp_error(Errc::BadValue);
    case TftpFailure::Timeout: return tftp_error(Errc::NotFound);
    case TftpFailure::Unreachable: return tftp_error(Errc::Unreachable);
    case TftpFailure::BadOack: return tftp_error(Errc::BadOption);
    case TftpFailure::NoTsize: return tftp_error(Errc::Unsupported);
    case TftpFailure::SinkFailed: return tftp_error(Errc::NoSpace);
    case TftpFailure::Cancelled: return tftp_error(Errc::Unsupported);
    case TftpFailure::TooSlow: return tftp_error(Errc::TimedOut);
    case TftpFailure::ServerError:
      switch (static_cast<TftpErrorCode>(remote_code)) {
        case TftpErrorCode::FileNotFound: return tftp_error(Errc::NotFound);
        case TftpErrorCode::DiskFull: return tftp_error(Errc::NoSpace);
        case TftpErrorCode::OptionRefused: return tftp_error(Errc::BadOption);
        default: return tftp_error(Errc::Unsupported);
      }
  }
  return tftp_error(Errc::Unsupported);
}

// "If the block number is not the next one expected": the distance from `from`
// forward to `to` on the 16-bit circle; under 0x8000 is ahead, above is behind.
constexpr uint16_t block_distance(uint16_t from, uint16_t to) {
  return static_cast<uint16_t>(to - from);
}
constexpr bool is_behind(uint16_t reference, uint16_t block) {
  return block_distance(block, reference) < 0x8000;  // block <= reference
}

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

}  // namespace

size_t tftp_drop_summary(const TftpStats& stats, char* out, size_t capacity) {
  if (capacity > 0) out[0] = '\0';
  size_t length = 0;
  const char* separator = "dropped ";
  auto reason = [&](uint64_t count, const char* one, const char* many, const TftpPeer& first) {
    if (count == 0) return;
    char from[IpAddress::kMaxTextLen + 1];
    first.address.format(from, sizeof from);
    format_append(out, capacity, length, "%s%llu %s (first from %s:%u)", separator, ull(count),
           count == 1 ? one : many, from, first.port);
    separator = ", ";
  };
  reason(stats.duplicates, "duplicate", "duplicates", stats.first_duplicate);
  reason(stats.out_of_order, "block after a gap", "blocks after a gap", stats.first_out_of_order);
  reason(stats.malformed, "malformed", "malformed", stats.first_malformed);
  reason(stats.intruders, "from another transfer", "from other transfers", stats.first_intruder);
  return length;
}

size_t tftp_failure_format(const TftpClient& client, char* out, size_t capacity) {
  if (capacity > 0) out[0] = '\0';
  if (client.state() != TftpClient::State::Failed) return 0;
  char server[IpAddress::kMaxTextLen + 1];
  client.server().format(server, sizeof server);
  size_t length = 0;
  switch (client.failure()) {
    case TftpFailure::ServerError:
      format_append(out, capacity, length, "TFTP error %u from %s: %s", client.remote_code(), server,
             client.remote_text());
      return length;
    case TftpFailure::BadOack: {
      format_append(out, capacity, length, "bad OACK from %s: ", server);
      const char* name = client.oack_option();
      const char* value = client.oack_value();
      switch (client.oack_fault()) {
        case TftpOackFault::Malformed: {
          char why[48];
          error_format(client.oack_error(), why, sizeof why);
          format_append(out, capacity, length, "malformed (%s)", why);
          break;
        }
        case TftpOackFault::Repeated:
          format_append(out, capacity, length, "%s given twice", name);
          break;
        case TftpOackFault::NotANumber:
          format_append(out, capacity, length, "%s '%s' is not a number", name, value);
          break;
        case TftpOackFault::NotAsked:
          format_append(out, capacity, length, "%s %s granted, never asked", name, value);
          break;
        case TftpOackFault::Unknown:
          format_append(out, capacity, length, "unknown option '%s' granted, never asked", name);
          break;
        case TftpOackFault::OutOfRange:
          format_append(out, capacity, length, "%s %s is out of range", name, value);
          break;
        case TftpOackFault::LargerThanAsked:
          format_append(out, capacity, length, "%s %s granted, more than the %llu asked", name, value,
                 ull(client.oack_asked()));
          break;
        case TftpOackFault::None:
          format_append(out, capacity, length, "refused");
          break;
      }
      return length;
    }
    case TftpFailure::Timeout:
      format_append(out, capacity, length, "%s stopped answering: timed out after %llu retransmissions",
             server, ull(client.stats().retransmits));
      return length;
    case TftpFailure::TooSlow:
      format_append(out, capacity, length, "%s too slow: %llu bytes in %llu ms, under %u bytes/s",
                    server, ull(client.slow_bytes()), ull(client.slow_ms()), client.min_rate());
      return length;
    default: {
      char why[48];
      error_format(client.error(), why, sizeof why);
      format_append(out, capacity, length, "%s (server %s; %s)", tftp_failure_text(client.failure()),
             server, why);
      return length;
    }
  }
}

const char* tftp_failure_text(TftpFailure failure) {
  switch (failure) {
    case TftpFailure::None: return "no failure";
    case TftpFailure::BadRequest: return "bad request";
    case TftpFailure::Timeout: return "timed out";
    case TftpFailure::ServerError: return "server error";
    case TftpFailure::BadOack: return "unacceptable option acknowledgement";
    case TftpFailure::NoTsize: return "server does not report sizes";
    case TftpFailure::SinkFailed: return "sink refused the data";
    case TftpFailure::Unreachable: return "server unreachable";
    case TftpFailure::Cancelled: return "cancelled";
    case TftpFailure::TooSlow: return "server too slow";
  }
  return "unknown failure";
}

Result<void> TftpClient::start(const TftpRequest& request, Millis now, UdpSender& tx) {
  if (request.filename.empty()) return tftp_error(Errc::BadValue);
  if (!request.size_only && request.sink == nullptr) return tftp_error(Errc::BadValue);
  if (request.size_only && !request.ask_tsize) return tftp_error(Errc::BadValue);
  if (request.blksize != 0 && (request.blksize < TftpOptions::kMinBlockSize ||
                               request.blksize > TftpOptions::kMaxBlockSize))
    return tftp_error(Errc::BadOption);
  if (request.retransmit_ms == 0) return tftp_error(Errc::BadValue);

  TftpOptions options;
  options.has_tsize = request.ask_tsize;
  options.tsize = 0;  // RFC 2349: "the client sends a tsize of 0 in a read request"
  if (!request.size_only) {
    options.has_blksize = request.blksize != 0;
    options.blksize = request.blksize;
    options.has_windowsize = request.windowsize > 1;
    options.windowsize = request.windowsize;
    options.has_timeout = request.timeout_s != 0;
    options.timeout = request.timeout_s;
  }
  // Built aside first: `request` may be our own request_, its name in our rrq_.
  uint8_t rrq[kMaxRequestLen];
  Result<size_t> len = tftp_emit_rrq(MutableBytes(rrq), request.filename, options);
  if (!len) return len.error();

  TftpRequest copy = request;
  *this = TftpClient();
  request_ = copy;
  rrq_len_ = copy_bytes(MutableBytes(rrq_), Bytes(rrq, len.value()));
  // The caller's name need not outlive start(): point at our copy in the RRQ.
  request_.filename = Bytes(rrq_ + TftpPacket::kFilenameOffset, copy.filename.size());
  if (request_.size_only) {
    request_.blksize = 0;
    request_.windowsize = 0;
    request_.timeout_s = 0;
  }
  base_interval_ = copy.retransmit_ms;
  state_ = State::Requesting;
  progress_at_ = now;
  rate_at_ = now;
  last_send_failed_ = !send_to(tx, request_.server, request_.server_port, Bytes(rrq_, rrq_len_));
  timing_ = !last_send_failed_;
  timed_send_at_ = now;
  arm(now);
  return {};
}

void TftpClient::on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) {
  if (state_ != State::Requesting && state_ != State::Receiving && state_ != State::Closing)
    return;
  // Until the first reply any port of the server may open the transfer; after
  // it only the port that did.
  from_ = TftpPeer{meta.src, meta.src_port};
  if (meta.src != request_.server || (tid_known_ && meta.src_port != tid_port_)) {
    reject_intruder(meta, payload, tx);
    return;
  }
  Result<TftpPacket> checked = TftpPacket::check(payload);
  if (!checked) {
    count_drop(stats_.malformed, stats_.first_malformed);
    return;
  }
  const TftpPacket& packet = checked.value();
  if (state_ == State::Requesting) {
    on_first_reply(meta, packet, now, tx);
    return;
  }
  switch (static_cast<TftpOpcode>(packet.opcode())) {
    case TftpOpcode::Data:
      on_data(packet, now, tx);
      return;
    case TftpOpcode::Oack:
      // Our ACK 0 was lost and the server resent its OACK: acknowledge it again
      // (when our ACK is old; see on_data() on duplicates).
      if (state_ == State::Receiving && oack_ && stats_.blocks == 0) {
        count_drop(stats_.duplicates, stats_.first_duplicate);
        if (now - last_ack_at_ >= first_interval()) send_ack(now, tx, 0);
        return;
      }
      break;
    case TftpOpcode::Error:
      // After the last block the transfer is over for us; nothing to fail.
      if (state_ == State::Receiving) on_error(packet);
      return;
    default:
      break;
  }
  count_drop(stats_.malformed, stats_.first_malformed);
}

void TftpClient::on_first_reply(const UdpMeta& meta, const TftpPacket& packet, Millis now,
                                UdpSender& tx) {
  if (timing_) {
    timing_ = false;
    sample_rtt(now - timed_send_at_);
  }
  switch (static_cast<TftpOpcode>(packet.opcode())) {
    case TftpOpcode::Oack:
      tid_known_ = true;
      tid_port_ = meta.src_port;
      on_oack(packet, now, tx);
      return;
    case TftpOpcode::Data:
      // An RFC 1350 server: no options, so 512-octet blocks in lock-step.
      if (packet.block() != 1 || packet.data().size() > kTftpDefaultBlockSize) break;
      tid_known_ = true;
      tid_port_ = meta.src_port;
      if (request_.size_only) {
        abort_with(tx, TftpErrorCode::OptionRefused, "size only: tsize not supported",
                   TftpFailure::NoTsize, failure_error(TftpFailure::NoTsize, 0));
        return;
      }
      state_ = State::Receiving;
      on_data(packet, now, tx);
      return;
    case TftpOpcode::Error:
      on_error(packet);
      return;
    default:
      break;
  }
  count_drop(stats_.malformed, stats_.first_malformed);
}

void TftpClient::on_oack(const TftpPacket& packet, Millis now, UdpSender& tx) {
  oack_ = true;
  TftpOackFault fault = check_oack(packet.body());
  if (fault != TftpOackFault::None) {
    abort_with(tx, TftpErrorCode::OptionRefused, "unacceptable option acknowledgement",
               TftpFailure::BadOack, failure_error(TftpFailure::BadOack, 0));
    return;
  }
  // check_oack() found every pair well formed, known, asked and in range.
  Result<TftpOptions> parsed = TftpOptions::parse(packet.body());
  if (!parsed) {
    abort_with(tx, TftpErrorCode::OptionRefused, "unacceptable option acknowledgement",
               TftpFailure::BadOack, failure_error(TftpFailure::BadOack, 0));
    return;
  }
  const TftpOptions& o = parsed.value();
  // An option the server left out is an option it refused: its default holds.
  blksize_ = o.has_blksize ? o.blksize : kTftpDefaultBlockSize;
  window_ = o.has_windowsize ? o.windowsize : 1;
  has_tsize_ = o.has_tsize;
  tsize_ = o.tsize;
  if (o.has_timeout) base_interval_ = Millis{o.timeout} * 1000;
  // Blocks ahead of a gap are kept only in a window: in lock-step the server
  // sends nothing past the block we wait for.
  size_t slots = request_.reorder_store.size() / blksize_;
  slots_ = window_ > 1 ? (slots < kTftpMaxHeldBlocks ? slots : kTftpMaxHeldBlocks) : 0;

  if (request_.size_only) {
    if (!has_tsize_) {
      abort_with(tx, TftpErrorCode::OptionRefused, "size only: tsize not supported",
                 TftpFailure::NoTsize, failure_error(TftpFailure::NoTsize, 0));
      return;
    }
    // RFC 2347: "the client ... may ... send an ERROR packet, with error code 8,
    // to terminate the transfer": we wanted the size, not the file.
    send_error(tx, request_.server, tid_port_, TftpErrorCode::OptionRefused, "size only");
    state_ = State::Complete;
    deadline_ = kNever;
    return;
  }
  if (has_tsize_) {
    Result<void> sized = request_.sink->on_size(tsize_);
    if (!sized) {
      abort_for_sink(tx, sized.error());
      return;
    }
  }
  // "The client ... acknowledges the OACK with an ACK of block 0."
  state_ = State::Receiving;
  retries_ = 0;
  progress_at_ = now;
  send_ack(now, tx, 0);
  timing_ = !last_send_failed_;
  timed_send_at_ = now;
  arm(now);
}

TftpOackFault TftpClient::check_oack(Bytes body) {
  // RFC 2347: the server may only answer options the client asked for, with a
  // value no larger than asked (blksize, windowsize, timeout: RFC 2349 says
  // the same value; a smaller one still bounds our timer).
  TftpOptionIterator it(body);
  Bytes name, value;
  bool seen[4] = {};
  while (it.next(name, value)) {
    struct Known {
      const char* name;
      uint64_t min, max;
      uint64_t asked;  // 0: not asked
      bool ceiling;    // the server may not grant more than asked
    };
    const Known known[4] = {
        {"blksize", TftpOptions::kMinBlockSize, TftpOptions::kMaxBlockSize, request_.blksize,
         true},
        {"windowsize", TftpOptions::kMinWindowSize, 65535,
         request_.windowsize > 1 ? request_.windowsize : 0u, true},
        {"timeout", TftpOptions::kMinTimeout, 255, request_.timeout_s, true},
        // tsize: any size, asked with 0 (so "asked" is a flag here).
        {"tsize", 0, ~uint64_t{0}, request_.ask_tsize ? 1u : 0u, false},
    };
    size_t i = 0;
    while (i < 4 && !bytes_equal_nocase(name, bytes_of(known[i].name))) ++i;
    if (i == 4) {
      note_oack_fault(TftpOackFault::Unknown, name, value, 0);
      return oack_fault_;
    }
    const Known& k = known[i];
    Bytes canonical = bytes_of(k.name);
    if (seen[i]) {
      note_oack_fault(TftpOackFault::Repeated, canonical, value, 0);
      return oack_fault_;
    }
    seen[i] = true;
    if (k.asked == 0) {
      note_oack_fault(TftpOackFault::NotAsked, canonical, value, 0);
      return oack_fault_;
    }
    uint64_t number = 0;
    if (!tftp_parse_decimal(value, ~uint64_t{0}, number)) {
      note_oack_fault(TftpOackFault::NotANumber, canonical, value, 0);
      return oack_fault_;
    }
    if (number < k.min || number > k.max) {
      note_oack_fault(TftpOackFault::OutOfRange, canonical, value, 0);
      return oack_fault_;
    }
    if (k.ceiling && number > k.asked) {
      note_oack_fault(TftpOackFault::LargerThanAsked, canonical, value, k.asked);
      return oack_fault_;
    }
  }
  if (it.error().is_error()) {
    note_oack_fault(TftpOackFault::Malformed, Bytes(), Bytes(), 0);
    oack_error_ = it.error();
  }
  return oack_fault_;
}

void TftpClient::note_oack_fault(TftpOackFault fault, Bytes name, Bytes value, uint64_t asked) {
  oack_fault_ = fault;
  copy_printable(name, oack_option_, sizeof oack_option_);
  copy_printable(value, oack_value_, sizeof oack_value_);
  oack_asked_ = asked;
}

void TftpClient::count_drop(uint64_t& counter, TftpPeer& first) {
  if (counter++ == 0) first = from_;
}

void TftpClient::on_data(const TftpPacket& packet, Millis now, UdpSender& tx) {
  uint16_t block = packet.block();
  Bytes data = packet.data();
  if (data.size() > blksize_) {
    count_drop(stats_.malformed, stats_.first_malformed);
    return;
  }
  if (state_ == State::Closing) {
    // The server did not hear our final ACK and resent the last block.
    if (block == last_in_order_) {
      count_drop(stats_.duplicates, stats_.first_duplicate);
      send_ack(now, tx, block);
    }
    return;
  }

  // A lock-step server that wraps from 65535 to 1 skips block 0; only in
  // lock-step is that unambiguous (with a window, block 1 after 65535 may just
  // mean block 0 was lost).
  if (block != expected_ && expected_ == 0 && block == 1 && window_ == 1 && !wrap_to_one_) {
    wrap_to_one_ = true;
    expected_ = 1;
  }

  if (block != expected_) {
    uint16_t distance = block_distance(expected_, block);
    if (distance < 0x8000) {
      on_early_block(distance, data, now, tx);
      return;
    }
    count_drop(stats_.duplicates, stats_.first_duplicate);
    // A block at or before our last ACK, arriving when that ACK is old, means
    // the server timed out waiting for it (it was lost) and resent: ACK again.
    // A duplicate soon after our ACK is the network's copy, or what the server
    // was sending anyway (a window under way, a restart after a gap ACK of
    // ours). Answering those would make a windowed server restart once more,
    // and a lock-step server that resends on every ACK (atftpd without
    // --prevent-sas) send each following block twice, for the rest of the
    // transfer: the Sorcerer's Apprentice (RFC 1123 4.2.3.1).
    if (is_behind(last_acked_, block) && now - last_ack_at_ >= first_interval())
      send_ack(now, tx, last_in_order_);
    return;
  }

  if (timing_) {
    timing_ = false;
    sample_rtt(now - timed_send_at_);
  }
  if (!deliver(data, now, tx)) return;
  deliver_held(now, tx);
  if (state_ != State::Receiving) return;
  // RFC 7440: the receiver acknowledges the last block of each window (after
  // a filled gap, the last block it now has in order).
  if (since_ack_ >= window_) {
    send_ack(now, tx, last_in_order_);
    timing_ = !last_send_failed_;
    timed_send_at_ = now;
  }
  // What is still held sits after a new gap: the old one's answer is spent.
  gap_deadline_ = kNever;
  if (held_ != 0) answer_gap(now, tx, false);
  arm(now);
}

void TftpClient::on_early_block(uint16_t distance, Bytes data, Millis now, UdpSender& tx) {
  // Distance d lives in slot (head_ + d) % slots_: d = slots_ shares its slot
  // with the block we wait for, which is never held (it goes to the sink).
  if (distance > slots_ || distance >= 64) {
    // No room to keep it (or no store): the server must resend it.
    count_drop(stats_.out_of_order, stats_.first_out_of_order);
    answer_gap(now, tx, true);
    return;
  }
  uint64_t bit = uint64_t{1} << distance;
  if ((held_ & bit) != 0) {
    count_drop(stats_.duplicates, stats_.first_duplicate);
    return;
  }
  size_t slot = (head_ + distance) % slots_;
  copy_bytes(request_.reorder_store.subspan(slot * blksize_, data.size()), data);
  held_len_[slot] = static_cast<uint16_t>(data.size());
  held_ |= bit;
  ++stats_.held;
  answer_gap(now, tx, static_cast<unsigned>(__builtin_popcountll(held_)) >= kReorderTolerance);
}

void TftpClient::answer_gap(Millis now, UdpSender& tx, bool at_once) {
  // RFC 7440: a gap draws an ACK of the last block in order, so the server
  // restarts from it; once until the data moves on again.
  if (gap_acked_) return;
  if (!at_once) {
    if (gap_deadline_ == kNever) gap_deadline_ = now + kReorderWaitMs;
    return;
  }
  gap_acked_ = true;
  gap_deadline_ = kNever;
  ++stats_.gap_acks;
  send_ack(now, tx, last_in_order_);
}

bool TftpClient::deliver(Bytes data, Millis now, UdpSender& tx) {
  Result<void> written = request_.sink->on_data(stats_.bytes, data);
  if (!written) {
    abort_for_sink(tx, written.error());
    return false;
  }
  uint16_t block = expected_;
  stats_.bytes += data.size();
  ++stats_.blocks;
  last_in_order_ = block;
  expected_ = block == 0xFFFF ? (wrap_to_one_ ? 1 : 0) : static_cast<uint16_t>(block + 1);
  if (slots_ != 0) {
    head_ = (head_ + 1) % slots_;
    held_ >>= 1;
  }
  ++since_ack_;
  retries_ = 0;
  progress_at_ = now;
  gap_acked_ = false;

  // "A data packet of less than 512 bytes [blksize] signals termination."
  if (data.size() < blksize_) {
    send_ack(now, tx, block);
    state_ = State::Closing;
    deadline_ = now + request_.linger_ms;
    gap_deadline_ = kNever;
    held_ = 0;
  }
  return true;
}

void TftpClient::deliver_held(Millis now, UdpSender& tx) {
  // The gap has filled: what waited behind it goes to the sink in order.
  while (state_ == State::Receiving && (held_ & 1) != 0) {
    size_t slot = head_ % slots_;
    Bytes data = request_.reorder_store.subspan(slot * blksize_, held_len_[slot]);
    if (!deliver(data, now, tx)) return;
  }
}

void TftpClient::on_error(const TftpPacket& packet) {
  remote_code_ = packet.error_code();
  // The message is the server's text up to its NUL (or the datagram's end),
  // kept printable for the console.
  Bytes message = packet.bytes().subspan(TftpPacket::kErrorMessageOffset);
  size_t end = 0;
  while (end < message.size() && message[end] != 0) ++end;
  copy_printable(message.first(end), remote_text_, sizeof remote_text_);
  fail(TftpFailure::ServerError, failure_error(TftpFailure::ServerError, remote_code_));
}

void TftpClient::reject_intruder(const UdpMeta& meta, Bytes payload, UdpSender& tx) {
  count_drop(stats_.intruders, stats_.first_intruder);
  // RFC 1350: "If a source TID does not match, the packet should be discarded
  // as erroneously sent from somewhere else. An error packet should be sent to
  // the source of the incorrect packet". Never in answer to an ERROR (two
  // clients could bounce errors forever), and never to a non-unicast source.
  bool is_error = payload.size() >= 2 &&
                  load_be16(payload.data()) == static_cast<uint16_t>(TftpOpcode::Error);
  if (is_error || !meta.src.is_unicast() || meta.src_port == 0) return;
  send_error(tx, meta.src, meta.src_port, TftpErrorCode::UnknownTransferId,
             "unknown transfer ID");
}

void TftpClient::on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) {
  (void)now;
  if (state_ != State::Requesting && state_ != State::Receiving) return;
  uint16_t port = tid_known_ ? tid_port_ : request_.server_port;
  // Port unreachable (ICMP 3, ICMPv6 4): nothing listens there, nothing will answer.
  const uint8_t port_unreachable = request_.server.is_v6() ? 4 : 3;
  if (code != port_unreachable || quoted.dst != request_.server || quoted.dst_port != port) return;
  fail(TftpFailure::Unreachable, failure_error(TftpFailure::Unreachable, 0));
}

void TftpClient::poll(Millis now, UdpSender& tx) {
  if ((state_ == State::Requesting || state_ == State::Receiving) && request_.min_rate != 0 &&
      request_.rate_window_ms != 0 && now >= rate_at_ + request_.rate_window_ms) {
    const uint64_t arrived = stats_.bytes - rate_mark_;
    if (arrived < uint64_t{request_.min_rate} * (now - rate_at_) / 1000) {
      slow_bytes_ = arrived;
      slow_ms_ = now - rate_at_;
      if (tid_known_)
        send_error(tx, request_.server, tid_port_, TftpErrorCode::NotDefined, "too slow");
      fail(TftpFailure::TooSlow, failure_error(TftpFailure::TooSlow, 0));
      return;
    }
    rate_at_ = now;
    rate_mark_ = stats_.bytes;
  }
  if (state_ == State::Receiving && gap_deadline_ != kNever && now >= gap_deadline_) {
    answer_gap(now, tx, true);
    arm(now);
  }
  if (deadline_ == kNever || now < deadline_) return;
  switch (state_) {
    case State::Requesting:
    case State::Receiving:
      if (now - progress_at_ >= give_up_time()) {
        if (tid_known_)
          send_error(tx, request_.server, tid_port_, TftpErrorCode::NotDefined, "timed out");
        fail(TftpFailure::Timeout, failure_error(TftpFailure::Timeout, 0));
        return;
      }
      if (!last_send_failed_) {
        // The interface refused the last send (ARP pending, ring full): what
        // never left is sent again without counting as a retransmission.
        ++retries_;
        ++stats_.retransmits;
      }
      retransmit(now, tx);
      arm(now);
      return;
    case State::Closing:
      state_ = State::Complete;
      deadline_ = kNever;
      return;
    default:
      deadline_ = kNever;
      return;
  }
}

Millis TftpClient::next_deadline() const {
  Millis next = kNever;
  switch (state_) {
    case State::Requesting:
    case State::Closing:
      next = deadline_;
      break;
    case State::Receiving:
      next = gap_deadline_ < deadline_ ? gap_deadline_ : deadline_;
      break;
    default:
      return kNever;
  }
  if (state_ != State::Closing && request_.min_rate != 0 && request_.rate_window_ms != 0 &&
      rate_at_ + request_.rate_window_ms < next)
    next = rate_at_ + request_.rate_window_ms;
  return next;
}

void TftpClient::cancel(UdpSender& tx) {
  if (state_ != State::Requesting && state_ != State::Receiving) return;
  if (tid_known_)
    send_error(tx, request_.server, tid_port_, TftpErrorCode::NotDefined, "cancelled");
  fail(TftpFailure::Cancelled, failure_error(TftpFailure::Cancelled, 0));
}

bool TftpClient::send_to(UdpSender& tx, IpAddress dst, uint16_t port, Bytes bytes) {
  UdpMeta meta;
  meta.src = request_.client;
  meta.dst = dst;
  meta.src_port = request_.client_port;
  meta.dst_port = port;
  return tx.send_udp(meta, bytes).ok();
}

void TftpClient::send_ack(Millis now, UdpSender& tx, uint16_t block) {
  uint8_t ack[4];
  store_be16(ack, static_cast<uint16_t>(TftpOpcode::Ack));
  store_be16(ack + TftpPacket::kBlockOffset, block);
  ++stats_.acks;
  last_acked_ = block;
  last_ack_at_ = now;
  since_ack_ = 0;
  last_send_failed_ = !send_to(tx, request_.server, tid_port_, Bytes(ack));
}

void TftpClient::send_error(UdpSender& tx, IpAddress dst, uint16_t port, TftpErrorCode code,
                            const char* text) {
  uint8_t packet[TftpPacket::kErrorMessageOffset + kMaxRemoteText + 1];
  store_be16(packet, static_cast<uint16_t>(TftpOpcode::Error));
  store_be16(packet + TftpPacket::kErrorCodeOffset, static_cast<uint16_t>(code));
  size_t n = 0;
  for (; text[n] != '\0' && n < kMaxRemoteText; ++n)
    packet[TftpPacket::kErrorMessageOffset + n] = static_cast<uint8_t>(text[n]);
  packet[TftpPacket::kErrorMessageOffset + n] = 0;
  send_to(tx, dst, port, Bytes(packet, TftpPacket::kErrorMessageOffset + n + 1));
}

void TftpClient::abort_with(UdpSender& tx, TftpErrorCode code, const char* text,
                            TftpFailure failure, Error error) {
  send_error(tx, request_.server, tid_port_, code, text);
  fail(failure, error);
}

void TftpClient::abort_for_sink(UdpSender& tx, Error error) {
  if (error.reason() == Errc::NoSpace) {
    abort_with(tx, TftpErrorCode::DiskFull, "disk full or allocation exceeded",
               TftpFailure::SinkFailed, error);
    return;
  }
  char text[64];
  error_format(error, text, sizeof text);
  abort_with(tx, TftpErrorCode::NotDefined, text, TftpFailure::SinkFailed,
             error.is_error() ? error : failure_error(TftpFailure::SinkFailed, 0));
}

void TftpClient::fail(TftpFailure failure, Error error) {
  state_ = State::Failed;
  failure_ = failure;
  error_ = error;
  deadline_ = kNever;
  gap_deadline_ = kNever;
}

void TftpClient::retransmit(Millis now, UdpSender& tx) {
  timing_ = false;  // Karn: a reply to a resent packet measures nothing
  if (state_ == State::Requesting) {
    last_send_failed_ = !send_to(tx, request_.server, request_.server_port, Bytes(rrq_, rrq_len_));
    return;
  }
  // RFC 7440: on a timeout the receiver acknowledges the last block it has in
  // order; the server resends everything after it. A new window starts there.
  gap_acked_ = false;
  gap_deadline_ = kNever;
  send_ack(now, tx, last_in_order_);
}

void TftpClient::sample_rtt(Millis rtt) {
  // RFC 6298 section 2, in whole milliseconds.
  if (!have_rtt_) {
    have_rtt_ = true;
    srtt_ = rtt;
    rttvar_ = rtt / 2;
    return;
  }
  Millis delta = srtt_ > rtt ? srtt_ - rtt : rtt - srtt_;
  rttvar_ = (3 * rttvar_ + delta) / 4;
  srtt_ = (7 * srtt_ + rtt) / 8;
}

Millis TftpClient::first_interval() const {
  // The RRQ opens a file on the server: no estimate applies before it.
  if (state_ != State::Receiving || !have_rtt_) return base_interval_;
  Millis rto = srtt_ + (4 * rttvar_ > 1 ? 4 * rttvar_ : 1);
  if (rto < kMinDataRto) rto = kMinDataRto;
  return rto < base_interval_ ? rto : base_interval_;
}

Millis TftpClient::give_up_time() const {
  // What max_retransmits retransmissions take at the full schedule, plus the
  // wait after the last one.
  Millis cap = request_.max_retransmit_ms > base_interval_ ? request_.max_retransmit_ms
                                                            : base_interval_;
  Millis total = 0;
  Millis interval = base_interval_;
  for (unsigned i = 0; i <= request_.max_retransmits; ++i) {
    total += interval;
    interval = interval * 2 < cap ? interval * 2 : cap;
  }
  return total;
}

void TftpClient::arm(Millis now) {
  if (last_send_failed_) {
    deadline_ = now + kSendRetryMs;
    return;
  }
  Millis cap = request_.max_retransmit_ms > base_interval_ ? request_.max_retransmit_ms
                                                            : base_interval_;
  Millis interval = first_interval();
  for (uint8_t i = 0; i < retries_ && interval < cap; ++i) interval *= 2;
  deadline_ = now + (interval < cap ? interval : cap);
}

}  // namespace mpxe::net
