// TFTP read client (RFC 1350) with option negotiation (RFC 2347), blksize
// (RFC 2348), tsize and timeout (RFC 2349) and windowsize (RFC 7440): an I/O-free
// state machine after smoltcp's sockets.
//
//   Idle -start()-> Requesting -OACK or DATA 1-> Receiving -short DATA-> Closing -3 s-> Complete
//                       |  \-- size-only: OACK with tsize ----------------------------^
//                       +-- ERROR, timeout, bad OACK, sink error, cancel() --> Failed
//
// Datagrams come in through on_datagram() and are answered from inside it: the
// ACK for a block leaves before on_datagram() returns, so a block costs one pass
// through the receive path and no timer tick. Time comes in through `now`; poll()
// retransmits the RRQ or the last ACK when next_deadline() has passed. Received
// bytes go straight from the device's receive buffer to a TftpSink; only a block
// that comes ahead of a gap is copied once, into the reorder store.
//
// Transfer IDs (RFC 1350 section 4): the server's source port in its first reply
// fixes the transfer; a datagram from any other address or port is answered with
// ERROR 5 and otherwise ignored.
//
// Receiving (RFC 7440 with windowsize W; W = 1 is RFC 1350's lock-step):
//   - the last block of each window is acknowledged, and the short block that
//     ends the file at once;
//   - a block that arrives ahead of a gap is kept in the caller's reorder store
//     (TftpRequest::reorder_store) and handed to the sink once the gap fills, so
//     a pair of blocks swapped on the way costs neither an ACK nor a resend.
//     Why a store and not a placement sink: the sinks stay "in order, in place"
//     (a hash, a file, an image), one copy is paid only by blocks that really
//     came early, and the store's size is the caller's choice (W x blksize,
//     e.g. 16 x 1468 = 23 KiB; no heap). Measured: 16 MiB from atftpd at
//     windowsize 16 with every block doubled or swapped on the way in took
//     1.5-2.7 s and 6-27 retransmissions without it, 0.18-0.5 s (the clean
//     run's 0.2 s) and none with it;
//   - a gap is taken for a loss, and answered with an ACK of the last block in
//     order (the server restarts after it, RFC 7440), once until the data moves
//     on again: when kReorderTolerance blocks are held after it, when a block
//     has no room in the store, or when it is still open kReorderWaitMs after
//     it opened (a block lost at the end of a window has no followers);
//   - a duplicate (of a block delivered or held) is dropped; it draws an ACK
//     only if it is at or before our last ACK and that ACK is older than the
//     first retransmission interval (the server timed out and resent). A copy
//     right behind our ACK is never answered, which keeps a server that resends
//     on every ACK out of the Sorcerer's Apprentice syndrome;
//   - without a store, or in lock-step, nothing is kept: a block after a gap is
//     dropped and answered as a loss at once;
//   - block numbers roll over from 65535 to 0 (tftpd-hpa, atftpd, dnsmasq), or to
//     1 for a lock-step server seen to skip 0; 64-bit counters throughout.
//
// A failure names what the server did wrong: tftp_failure_format() gives one
// line with its address (every OACK violation its own TftpOackFault), and
// tftp_drop_summary() the datagrams dropped by reason, each with the sender of
// the first one.
//
// Timers: the RRQ is resent after 1, 2, 4, 4, 4 s and the request fails 4 s
// after the fifth. In the transfer the first interval comes from the measured
// round trip (RFC 6298; at least 20 ms, at most 1 s or the negotiated timeout)
// and doubles on each retransmission of the last ACK; the transfer fails when
// nothing has moved for 19 s, and when fewer than 512 bytes a second arrive
// over any 60 s (TftpRequest::min_rate). After the final ACK the machine lingers
// 3 s to answer a resent last block.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/socket/udp_endpoint.h"
#include "net/wire/ip_address.h"
#include "net/wire/ipv4_address.h"
#include "net/wire/tftp.h"

namespace mpxe::net {

// The largest block that crosses an Ethernet link unfragmented: MTU 1500 less the
// IPv4 header (20), the UDP header (8) and the TFTP DATA header (4).
inline constexpr uint16_t kTftpClientBlockSize = 1500 - 20 - 8 - 4;
// The same over IPv6, whose header is 40 bytes and which is never fragmented here.
inline constexpr uint16_t kTftpClientBlockSize6 = 1500 - 40 - 8 - 4;
// Blocks in flight before an ACK. RFC 7440's measurements flatten out around 16:
// beyond it the per-block cost of the receive path, not the round trip, sets the
// rate, while a lost block costs the server a resend of up to window-1 blocks.
// 16 x 1468 bytes (23 KiB) also sits well inside the 256-slot receive rings of
// our NIC drivers. EDK II asks 4; a server without windowsize drops the option
// and the transfer falls back to lock-step.
inline constexpr uint16_t kTftpClientWindowSize = 16;
// The most blocks a reorder store is used for, whatever its size: the arrival
// map is one 64-bit word.
inline constexpr size_t kTftpMaxHeldBlocks = 64;
// A reorder store for the default blksize and windowsize: every block of a window
// but the one that is late.
inline constexpr size_t kTftpReorderStoreSize =
    size_t{kTftpClientWindowSize} * kTftpClientBlockSize;

// Where the file goes. Both calls happen inside on_datagram(); an error from
// either aborts the transfer (the server gets ERROR 3 for Errc::NoSpace, else
// ERROR 0 with the error's text) and becomes the client's error().
class TftpSink {
 public:
  // The size the server announced in its OACK (tsize), before any data; not
  // called when the server sent none.
  virtual Result<void> on_size(uint64_t tsize) = 0;
  // The next bytes of the file, in order: offset is the sum of all earlier
  // sizes. `data` points into the device's receive buffer and is valid only
  // during the call; it may be empty (the last block of a file whose size is a
  // multiple of the block size).
  virtual Result<void> on_data(uint64_t offset, Bytes data) = 0;

 protected:
  ~TftpSink() = default;
};

struct TftpRequest {
  IpAddress server;
  uint16_t server_port = kTftpServerPort;
  // Our side: the source of what we send (unspecified: the interface's own) and
  // the local port this endpoint is bound to.
  IpAddress client;
  uint16_t client_port = 0;
  // Copied into the RRQ by start(); need not outlive the call.
  Bytes filename;
  // Not needed in size-only mode.
  TftpSink* sink = nullptr;
  // Where blocks that come ahead of a gap wait for it (windowed transfers only):
  // room for size / blksize of them, at most kTftpMaxHeldBlocks. Must outlive
  // the transfer. Empty: such blocks are dropped and the server resends them.
  MutableBytes reorder_store;

  // Options asked for. blksize 0: not asked (RFC 1350's 512). windowsize 0 or 1:
  // not asked (lock-step). timeout 0: not asked (RFC 2349: 1-255 seconds; when
  // the server accepts it, it also becomes our retransmission interval).
  uint16_t blksize = kTftpClientBlockSize;
  uint16_t windowsize = kTftpClientWindowSize;
  uint8_t timeout_s = 0;
  bool ask_tsize = true;
  // PXE Base Code's GET_FILE_SIZE: ask tsize only, and on the OACK refuse the
  // transfer (ERROR 8) and complete with tsize().
  bool size_only = false;

  // Retransmission of the RRQ and of the last ACK. The RRQ goes again after
  // retransmit_ms, each next time twice as late up to max_retransmit_ms. In the
  // transfer the first interval is learnt from the round trip (ACK to the next
  // block, RFC 6298's estimator, at least kMinDataRto, at most retransmit_ms or
  // the negotiated timeout), then doubles the same way: a lost window-ending
  // block or ACK costs tens of milliseconds, not a second.
  // The transfer fails when nothing moves for as long as max_retransmits
  // retransmissions take at the full schedule (1+2+4+4+4+4 = 19 s by default).
  Millis retransmit_ms = 1000;
  Millis max_retransmit_ms = 4000;
  uint8_t max_retransmits = 5;
  // How long the final ACK is repeated for a server that resends the last DATA
  // (our ACK was lost) before the machine goes from Closing to Complete.
  Millis linger_ms = 3000;
  // The transfer fails when fewer than min_rate bytes a second arrive over
  // rate_window_ms, the first window from the RRQ (0: no such rule). A server
  // can send each block just before the retransmissions give up, for hours;
  // lock-step 512-byte blocks over a 600 ms satellite round trip still bring
  // 850 bytes/s.
  uint32_t min_rate = 512;
  Millis rate_window_ms = 60000;
};

// Why a transfer failed; error() gives the same as an Error.
enum class TftpFailure : uint8_t {
  None = 0,
  BadRequest = 1,   // start() refused the request
  Timeout = 2,      // no progress after every retransmission
  ServerError = 3,  // the server sent ERROR: remote_code(), remote_text()
  BadOack = 4,      // the OACK broke RFC 2347 (oack_fault() says how; ERROR 8 sent)
  NoTsize = 5,      // size-only: the server does not answer tsize (transfer aborted)
  SinkFailed = 6,   // the sink refused the size or a block (ERROR 3 or 0 sent)
  Unreachable = 7,  // ICMP said the server's port is closed
  Cancelled = 8,    // cancel()
  TooSlow = 9,      // under min_rate over a window: slow_bytes() in slow_ms() (ERROR 0 sent)
};
const char* tftp_failure_text(TftpFailure failure);

// How an OACK broke RFC 2347-2349/7440 ("the server may only answer options the
// client asked for, with a value no larger than asked").
enum class TftpOackFault : uint8_t {
  None = 0,
  Malformed = 1,      // the option pairs do not parse (a string without its NUL, ...)
  Repeated = 2,       // the same option twice
  NotANumber = 3,     // blksize, windowsize, timeout or tsize not a decimal number
  NotAsked = 4,       // an option this client knows but did not ask for
  Unknown = 5,        // an option this client does not know (so never asked)
  OutOfRange = 6,     // outside its RFC's range (blksize 8-65464, windowsize 1-65535, timeout 1-255)
  LargerThanAsked = 7,  // blksize, windowsize or timeout above the value asked
};

// Who sent a datagram.
struct TftpPeer {
  IpAddress address;
  uint16_t port = 0;
};

struct TftpStats {
  uint64_t bytes = 0;         // delivered to the sink
  uint64_t blocks = 0;        // delivered in order (64-bit: block numbers roll over)
  uint64_t retransmits = 0;   // RRQs and ACKs sent again after a timeout
  uint64_t duplicates = 0;    // DATA blocks already delivered or held (dropped)
  uint64_t out_of_order = 0;  // DATA blocks after a gap, no room to keep them (dropped)
  uint64_t held = 0;          // DATA blocks after a gap, kept until it filled
  uint64_t gap_acks = 0;      // ACKs that answered a gap (a loss) rather than a window
  uint64_t acks = 0;          // ACKs sent, first and repeated
  uint64_t malformed = 0;     // packets from the server that make no sense now (dropped)
  uint64_t intruders = 0;     // packets from another transfer ID (ERROR 5 sent back)
  // The sender of the first datagram dropped for each reason (set when its
  // count is non-zero).
  TftpPeer first_duplicate;
  TftpPeer first_out_of_order;
  TftpPeer first_malformed;
  TftpPeer first_intruder;
};

// The dropped datagrams by reason, each with the sender of the first, e.g.
// "dropped 12 duplicates (first from 10.77.0.1:50123), 1 malformed (first from
// 10.77.0.1:50123)". Returns the full length (as format()); 0 and "" when
// nothing was dropped.
size_t tftp_drop_summary(const TftpStats& stats, char* out, size_t capacity);

class TftpClient;
// One line that says why a transfer failed and names the server, e.g. "bad OACK
// from 10.77.0.1: blksize 2048 granted, more than the 1468 asked" or "TFTP error
// 1 from 10.77.0.1: File not found". Returns the full length; "" when the
// client has not failed.
size_t tftp_failure_format(const TftpClient& client, char* out, size_t capacity);

class TftpClient final : public UdpEndpoint {
 public:
  enum class State : uint8_t {
    Idle,        // nothing started
    Requesting,  // RRQ sent, waiting for an OACK or DATA 1
    Receiving,   // transfer ID fixed, blocks arriving
    Closing,     // every byte delivered, final ACK sent; repeating it until the linger ends
    Complete,    // done (size-only: tsize() holds the size)
    Failed,      // failure() and error() say why
  };

  // RFC 2347: "the request packet ... must not exceed 512 octets".
  static constexpr size_t kMaxRequestLen = 512;
  // The server's ERROR text is kept up to this many characters (then a NUL).
  static constexpr size_t kMaxRemoteText = 127;
  // A send the interface refused (next hop's MAC unknown, ring full) is tried
  // again this soon, without counting as a retransmission (the give-up time
  // still bounds it).
  static constexpr Millis kSendRetryMs = 10;
  // The shortest first retransmission in a transfer, whatever the round trip.
  // A LAN round trip is well under a millisecond, so what waits here is a block
  // lost at the end of a window, or our ACK of it: each costs this much (100 ms
  // made a lossy 4 MiB transfer from atftpd 3x slower than 20 ms). Below it a
  // server that merely pauses (disk, scheduling) would be asked too often to
  // resend what is on its way; the estimator's variance term covers servers
  // whose pauses vary.
  static constexpr Millis kMinDataRto = 20;
  // A gap with this many blocks held after it is a loss, not reordering: a
  // network that reorders moves a datagram by one or two places.
  static constexpr unsigned kReorderTolerance = 3;
  // A gap still open this long after it opened is a loss; a reordered block is
  // microseconds behind its neighbours, a lost one never comes.
  static constexpr Millis kReorderWaitMs = 2;
  // How much of the OACK's offending option is kept for the message.
  static constexpr size_t kMaxOackText = 23;

  constexpr TftpClient() = default;

  // Sends the RRQ. Fails (and changes nothing) when the request cannot be sent at
  // all: no file name, a request over 512 octets, an option out of range, no
  // sink. A transfer already running is dropped without a word to its server.
  Result<void> start(const TftpRequest& request, Millis now, UdpSender& tx);
  void on_datagram(const UdpMeta& meta, Bytes payload, Millis now, UdpSender& tx) override;
  void on_unreachable(const UdpMeta& quoted, uint8_t code, Millis now) override;
  // Retransmits or gives up once next_deadline() has passed; ends the linger.
  void poll(Millis now, UdpSender& tx);
  // When poll() has something to do; kNever when nothing is pending.
  Millis next_deadline() const;
  // Stops a running transfer: the server gets ERROR 0 once it is known.
  void cancel(UdpSender& tx);

  State state() const { return state_; }
  // Every byte is with the sink (Closing or Complete): the caller may go on; keep
  // polling until finished() to answer a resent last block.
  bool succeeded() const { return state_ == State::Closing || state_ == State::Complete; }
  // Nothing more will be sent or accepted: the endpoint may be unbound.
  bool finished() const { return state_ == State::Complete || state_ == State::Failed; }

  TftpFailure failure() const { return failure_; }
  Error error() const { return error_; }
  // The server's ERROR packet, when failure() is ServerError.
  uint16_t remote_code() const { return remote_code_; }
  const char* remote_text() const { return remote_text_; }
  // When failure() is BadOack: what was wrong, the option's name and value as the
  // server wrote them (printable, cut at kMaxOackText), and what we asked (for
  // LargerThanAsked).
  TftpOackFault oack_fault() const { return oack_fault_; }
  const char* oack_option() const { return oack_option_; }
  const char* oack_value() const { return oack_value_; }
  uint64_t oack_asked() const { return oack_asked_; }
  Error oack_error() const { return oack_error_; }
  // Where the request went.
  IpAddress server() const { return request_.server; }

  // What was negotiated (RFC 1350 defaults until an OACK says otherwise).
  uint16_t blksize() const { return blksize_; }
  uint16_t windowsize() const { return window_; }
  bool oack_received() const { return oack_; }
  bool has_tsize() const { return has_tsize_; }
  uint64_t tsize() const { return tsize_; }
  // When failure() is TooSlow: what the window that tripped the rule brought.
  uint64_t slow_bytes() const { return slow_bytes_; }
  Millis slow_ms() const { return slow_ms_; }
  uint32_t min_rate() const { return request_.min_rate; }
  uint16_t server_tid() const { return tid_port_; }

  const TftpStats& stats() const { return stats_; }

 private:
  void on_first_reply(const UdpMeta& meta, const TftpPacket& packet, Millis now, UdpSender& tx);
  void on_oack(const TftpPacket& packet, Millis now, UdpSender& tx);
  void on_data(const TftpPacket& packet, Millis now, UdpSender& tx);
  void on_early_block(uint16_t distance, Bytes data, Millis now, UdpSender& tx);
  bool deliver(Bytes data, Millis now, UdpSender& tx);
  void deliver_held(Millis now, UdpSender& tx);
  void answer_gap(Millis now, UdpSender& tx, bool at_once);
  TftpOackFault check_oack(Bytes body);
  void note_oack_fault(TftpOackFault fault, Bytes name, Bytes value, uint64_t asked);
  void count_drop(uint64_t& counter, TftpPeer& first);
  void on_error(const TftpPacket& packet);
  void reject_intruder(const UdpMeta& meta, Bytes payload, UdpSender& tx);

  bool send_to(UdpSender& tx, IpAddress dst, uint16_t port, Bytes bytes);
  void send_ack(Millis now, UdpSender& tx, uint16_t block);
  void send_error(UdpSender& tx, IpAddress dst, uint16_t port, TftpErrorCode code,
                  const char* text);
  void abort_with(UdpSender& tx, TftpErrorCode code, const char* text, TftpFailure failure,
                  Error error);
  void abort_for_sink(UdpSender& tx, Error error);
  void fail(TftpFailure failure, Error error);
  void retransmit(Millis now, UdpSender& tx);
  void sample_rtt(Millis rtt);
  Millis first_interval() const;
  Millis give_up_time() const;
  void arm(Millis now);

  State state_ = State::Idle;
  TftpFailure failure_ = TftpFailure::None;
  Error error_;

  // The request as given; filename points at rrq_ after start().
  TftpRequest request_;
  uint8_t rrq_[kMaxRequestLen] = {};
  size_t rrq_len_ = 0;

  bool tid_known_ = false;
  uint16_t tid_port_ = 0;

  bool oack_ = false;
  bool has_tsize_ = false;
  uint64_t tsize_ = 0;
  uint16_t blksize_ = kTftpDefaultBlockSize;
  uint16_t window_ = 1;

  // Wire block numbers. Block 65535 is followed by 0, or by 1 when a lock-step
  // server is seen to skip 0.
  uint16_t expected_ = 1;       // the next in-order block
  uint16_t last_in_order_ = 0;  // the last block delivered (0: the OACK's ACK)
  uint16_t last_acked_ = 0;
  bool wrap_to_one_ = false;
  uint16_t since_ack_ = 0;      // in-order blocks since the last ACK
  bool gap_acked_ = false;      // a gap was answered since the last progress

  // The reorder store: slots_ blocks of blksize_ bytes. Bit d of held_ says
  // block expected_ + d is in slot (head_ + d) % slots_, held_len_ its length
  // (d from 1 to slots_; bit 0 only while deliver_held() empties the store).
  size_t slots_ = 0;
  size_t head_ = 0;
  uint64_t held_ = 0;
  uint16_t held_len_[kTftpMaxHeldBlocks] = {};
  Millis gap_deadline_ = kNever;  // a gap not yet answered is taken for a loss then

  // Timers. progress_at_: the RRQ, or the last block delivered in order.
  Millis base_interval_ = 1000;  // retransmit_ms, or the negotiated timeout
  Millis deadline_ = kNever;
  Millis progress_at_ = 0;
  // The rate window: stats_.bytes at its start, and when it began.
  uint64_t rate_mark_ = 0;
  Millis rate_at_ = 0;
  uint64_t slow_bytes_ = 0;
  Millis slow_ms_ = 0;
  Millis last_ack_at_ = 0;
  uint8_t retries_ = 0;          // since the last progress
  bool last_send_failed_ = false;
  // Round-trip estimate (RFC 6298), sampled from a first send (never a
  // retransmission: Karn) to the reply it asked for.
  bool timing_ = false;
  Millis timed_send_at_ = 0;
  bool have_rtt_ = false;
  Millis srtt_ = 0;
  Millis rttvar_ = 0;

  uint16_t remote_code_ = 0;
  char remote_text_[kMaxRemoteText + 1] = {};

  TftpOackFault oack_fault_ = TftpOackFault::None;
  char oack_option_[kMaxOackText + 1] = {};
  char oack_value_[kMaxOackText + 1] = {};
  uint64_t oack_asked_ = 0;
  Error oack_error_;

  TftpPeer from_;  // the sender of the datagram being read

  TftpStats stats_;
};

}  // namespace mpxe::net
