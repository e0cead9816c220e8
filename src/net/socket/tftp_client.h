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
// bytes go straight from the device's receive buffer to a TftpSink, never through
// a buffer of ours.
//
// Transfer IDs (RFC 1350 section 4): the server's source port in its first reply
// fixes the transfer; a datagram from any other address or port is answered with
// ERROR 5 and otherwise ignored.
//
// Receiving (RFC 7440 with windowsize W; W = 1 is RFC 1350's lock-step):
//   - the last block of each window is acknowledged, and the short block that
//     ends the file at once;
//   - a block after a gap draws an ACK of the last block in order, once until the
//     data moves on again: the server restarts after it. Nothing is buffered out
//     of order (the sink is written in place, in order);
//   - a duplicate is dropped; it draws an ACK only if it is at or before our
//     last ACK and that ACK is older than the first retransmission interval
//     (the server timed out and resent). A copy right behind our ACK is never
//     answered, which keeps a server that resends on every ACK out of the
//     Sorcerer's Apprentice syndrome;
//   - block numbers roll over from 65535 to 0 (tftpd-hpa, atftpd, dnsmasq), or to
//     1 for a lock-step server seen to skip 0; 64-bit counters throughout.
//
// Timers: the RRQ is resent after 1, 2, 4, 4, 4 s and the request fails 4 s
// after the fifth. In the transfer the first interval comes from the measured
// round trip (RFC 6298; at least 20 ms, at most 1 s or the negotiated timeout)
// and doubles on each retransmission of the last ACK; the transfer fails when
// nothing has moved for 19 s. After the final ACK the machine lingers 3 s to
// answer a resent last block.
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
// Blocks in flight before an ACK. RFC 7440's measurements flatten out around 16:
// beyond it the per-block cost of the receive path, not the round trip, sets the
// rate, while a lost block costs the server a resend of up to window-1 blocks.
// 16 x 1468 bytes (23 KiB) also sits well inside the 256-slot receive rings of
// our NIC drivers. EDK II asks 4; a server without windowsize drops the option
// and the transfer falls back to lock-step.
inline constexpr uint16_t kTftpClientWindowSize = 16;

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
};

// Why a transfer failed; error() gives the same as an Error.
enum class TftpFailure : uint8_t {
  None = 0,
  BadRequest = 1,   // start() refused the request
  Timeout = 2,      // no progress after every retransmission
  ServerError = 3,  // the server sent ERROR: remote_code(), remote_text()
  BadOack = 4,      // the OACK had options we never asked for, or larger values (ERROR 8 sent)
  NoTsize = 5,      // size-only: the server does not answer tsize (transfer aborted)
  SinkFailed = 6,   // the sink refused the size or a block (ERROR 3 or 0 sent)
  Unreachable = 7,  // ICMP said the server's port is closed
  Cancelled = 8,    // cancel()
};
const char* tftp_failure_text(TftpFailure failure);

struct TftpStats {
  uint64_t bytes = 0;         // delivered to the sink
  uint64_t blocks = 0;        // delivered in order (64-bit: block numbers roll over)
  uint64_t retransmits = 0;   // RRQs and ACKs sent again after a timeout
  uint64_t duplicates = 0;    // DATA blocks already delivered (dropped)
  uint64_t out_of_order = 0;  // DATA blocks after a gap (dropped; the server resends them)
  uint64_t acks = 0;          // ACKs sent, first and repeated
  uint64_t malformed = 0;     // packets from the server that make no sense now (dropped)
  uint64_t intruders = 0;     // packets from another transfer ID (ERROR 5 sent back)
};

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

  // What was negotiated (RFC 1350 defaults until an OACK says otherwise).
  uint16_t blksize() const { return blksize_; }
  uint16_t windowsize() const { return window_; }
  bool oack_received() const { return oack_; }
  bool has_tsize() const { return has_tsize_; }
  uint64_t tsize() const { return tsize_; }
  uint16_t server_tid() const { return tid_port_; }

  const TftpStats& stats() const { return stats_; }

 private:
  void on_first_reply(const UdpMeta& meta, const TftpPacket& packet, Millis now, UdpSender& tx);
  void on_oack(const TftpPacket& packet, Millis now, UdpSender& tx);
  void on_data(const TftpPacket& packet, Millis now, UdpSender& tx);
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

  // Timers. progress_at_: the RRQ, or the last block delivered in order.
  Millis base_interval_ = 1000;  // retransmit_ms, or the negotiated timeout
  Millis deadline_ = kNever;
  Millis progress_at_ = 0;
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

  TftpStats stats_;
};

}  // namespace mpxe::net
