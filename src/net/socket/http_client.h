// An HTTP/1.1 client for one resource at a time over one ByteStream (RFC 9110,
// RFC 9112): GET (optionally of a byte range) or HEAD, following redirects,
// keeping the connection alive between requests to the same server. An I/O-free
// state machine like the others: the stream (TCP, or TLS over it) delivers bytes
// to this client (it is the stream's StreamReceiver), and poll() runs its timers.
// The client never owns its transport: the caller gives it the stream to talk
// through, which is where a TLS layer would go.
//
//   Idle -start()-> Running -body complete-> Done   (start() again: next request,
//                      |  \-redirect: same or new connection-^      same connection
//                      +-- RST, timeout, stall, slow head, too slow, status, bad framing,
//                          early close --> Failed
//
// Where the bytes go. The response head (and chunk framing) lands in `scratch`,
// a ring the caller sizes at construction; the head must fit in it. Once the
// head says Content-Length, the rest of the stream maps straight onto the
// caller's body buffer: the stream (over plain TCP, the TCP machine) writes every
// payload byte, in order or not, at its final offset there, and the receive window is the body's end. So a
// 256 MiB image costs one copy (frame to image) and the window is as large as
// TcpConfig::max_window. A chunked body is decoded out of the ring into the body
// buffer (one more copy, and a window of the ring's size): servers send static
// files with a length.
//
// Bounded: redirects (max_redirects), the time without a byte (stall_ms), the
// time from the request to the whole head (head_ms: a server that trickles its
// head a byte at a time never stalls), the rate once the head is in (at least
// min_rate bytes/s over each rate_window_ms: a body trickled a byte a second
// fails as TooSlow with the figures, while an honest slow link moves thousands
// of times more), the head's size (the ring's), the body (the buffer's size: a
// larger one fails with TooBig and content_length() says how large, as LoadFile
// asks).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/socket/tcp_connection.h"
#include "net/stream/byte_stream.h"
#include "net/wire/http.h"

namespace mpxe::net {

struct HttpGetRequest {
  Bytes url;  // copied by start()
  // Where a URL that names its host (not A.B.C.D) connects, as the caller's DNS
  // lookup found it; the Host header keeps the name. A redirect to another name
  // still fails with NeedsDns.
  bool has_address = false;
  IpAddress address;
  // HEAD: only the head is wanted (content_length() tells the size).
  bool head = false;
  // Where the body goes; with a range, its byte 0 is range.first of the resource.
  MutableBytes body;
  bool has_range = false;
  HttpRange range;
  // Ask the server to keep the connection for a next request.
  bool keep_alive = true;
  uint8_t max_redirects = 5;
  // The request fails when nothing arrives for this long (handshake, head or body).
  Millis stall_ms = 20000;
  // ... when the whole response head has not arrived this long after the request
  // (connection included).
  Millis head_ms = 30000;
  // ... when, once the head is in, fewer than min_rate bytes a second arrive over
  // a window of rate_window_ms (0: no rate rule). 1 KiB/s: a 1 Mbit/s link moves
  // 125 KB/s, and TCP's retransmission backoff within one window still leaves
  // thousands of bytes a second on a link that loses a tenth of its frames.
  uint32_t min_rate = 1024;
  Millis rate_window_ms = 20000;
  // The connection's settings; its MSS is capped by the link's.
  TcpConfig tcp;
};

enum class HttpFailure : uint8_t {
  None = 0,
  BadRequest = 1,        // start() refused the request
  NeedsDns = 2,          // the URL (or a redirect) names a host, not an IP address
  Connection = 3,        // TCP failed: refused, reset, timed out (error() says which)
  Stalled = 4,           // nothing arrived for stall_ms
  Status = 5,            // the server answered with an error status: status(), reason()
  TooManyRedirects = 6,
  BadResponse = 7,       // a head or chunk framing that does not parse, or a 206 for another range
  TooBig = 8,            // the body does not fit the buffer: content_length() says what it needs
  ClosedEarly = 9,       // the server closed before the whole body: body_bytes() of content_length()
  RangeIgnored = 10,     // a range was asked and the server sent the whole resource (200)
  HeadTimeout = 11,      // the response head was not complete within head_ms
  TooSlow = 12,          // under min_rate over a window: slow_bytes() in slow_window_ms()
};
const char* http_failure_text(HttpFailure failure);

struct HttpStats {
  uint32_t requests = 0;     // sent, redirects included
  uint32_t connections = 0;  // opened
  uint32_t reused = 0;       // requests sent on a kept-alive connection
  uint32_t redirects = 0;
};

class HttpClient final : public StreamReceiver {
 public:
  enum class State : uint8_t { Idle, Running, Done, Failed };

  // Smallest ring that holds a typical response head.
  static constexpr size_t kMinScratch = 2048;
  static constexpr size_t kMaxRequestLen = 2048;
  static constexpr size_t kMaxReason = 63;
  static constexpr size_t kMaxMediaType = 63;

  // `stream` and `scratch` (at least kMinScratch bytes) must outlive the client.
  HttpClient(ByteStream& stream, MutableBytes scratch);
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request: on the open connection when it goes to the same server
  // and was kept alive, else on a new one (the old one is reset). Fails, with
  // nothing started, for a URL that does not parse (Http/BadValue,
  // Http/Unsupported for https over a plain stream, http over a secure one, or
  // a host name without an address) or a scratch ring too small.
  Result<void> start(const HttpGetRequest& request, Millis now);
  // Timers and deferred actions (redirects, resets); call after each interface poll.
  void poll(Millis now);
  Millis next_deadline() const;
  // Ends the connection: FIN after a finished request (graceful), RST in the
  // middle of one. Poll until connection_closed() (TIME-WAIT counts: it ends by
  // itself), then release().
  void close();
  bool connection_closed() const;
  // Forgets the stream for good: call before destroying the client.
  void release() { stream_.release(); }

  State state() const { return state_; }
  bool finished() const { return state_ == State::Done || state_ == State::Failed; }
  bool succeeded() const { return state_ == State::Done; }
  HttpFailure failure() const { return failure_; }
  Error error() const { return error_; }
  // The final response's status line.
  uint16_t status() const { return status_; }
  const char* reason() const { return reason_; }
  // Content-Length of the final response (HEAD: the resource's size).
  bool has_content_length() const { return has_content_length_; }
  uint64_t content_length() const { return content_length_; }
  // The resource's whole size when known: Content-Range's complete length, or
  // Content-Length of a 200.
  bool has_total_size() const { return has_total_; }
  uint64_t total_size() const { return total_; }
  bool accept_ranges() const { return accept_ranges_; }
  // The final response's media type (Content-Type without parameters), lower
  // case; empty when absent or longer than kMaxMediaType.
  const char* media_type() const { return media_type_; }
  // Body bytes in the buffer, in order, so far.
  uint64_t body_bytes() const;
  // TooSlow: the bytes that arrived in the window that failed, and its length.
  uint64_t slow_bytes() const { return slow_bytes_; }
  Millis slow_window_ms() const { return slow_ms_; }
  // The failure in one line with its figures, e.g. "server too slow: 12 bytes in
  // 20 s, under 1024 bytes/s"; the length format() would return.
  size_t describe_failure(char* out, size_t capacity) const;
  // The URL the final response came from (after redirects).
  const HttpUrl& url() const { return url_; }
  const HttpStats& stats() const { return stats_; }
  const ByteStream& stream() const { return stream_; }

  // StreamReceiver.
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override;
  uint64_t stream_rx_limit() const override;
  void stream_rx_data(uint64_t end) override;
  void stream_rx_fin(uint64_t end) override;

 private:
  // How stream offsets map to storage.
  enum class Phase : uint8_t {
    None,    // no response expected: the window is closed
    Head,    // the ring, from ring_base_
    Direct,  // the body buffer, from body_base_
    Ring,    // the ring, consumed in order (chunked, or a body being discarded)
  };

  void begin_request(Millis now);
  void set_peer_name();
  void on_head(uint64_t end);
  void setup_body(const HttpResponseHead& head, uint64_t end, bool discard);
  void process_ring(uint64_t end);
  void complete_response(uint64_t end_offset);
  void fail(HttpFailure failure, Error error);
  MutableBytes ring_space(uint64_t offset, size_t len);

  ByteStream& stream_;
  MutableBytes ring_;
  HttpUrl conn_origin_;  // where stream_ goes
  HttpUrl url_;
  HttpUrl next_url_;     // a redirect's target
  HttpGetRequest request_;

  State state_ = State::Idle;
  HttpFailure failure_ = HttpFailure::None;
  Error error_;
  Phase phase_ = Phase::None;

  uint64_t resp_start_ = 0;  // stream offset where this response begins
  uint64_t ring_base_ = 0;   // stream offset of ring_[0]
  uint64_t body_base_ = 0;   // stream offset of the body's first byte
  uint64_t body_end_ = 0;    // Direct: stream offset past the body
  bool close_delimited_ = false;
  uint64_t consumed_ = 0;    // Ring: stream offset up to which bytes are handled
  uint64_t received_ = 0;    // stream offset of in-order data so far
  bool discard_ = false;     // Ring: the body is not wanted (a redirect's)
  bool chunked_ = false;
  uint64_t discard_left_ = 0;
  uint64_t written_ = 0;     // Ring: body bytes written
  HttpChunkDecoder decoder_;

  bool keep_ = false;             // the connection may carry the next request
  bool redirect_pending_ = false;
  bool abort_pending_ = false;
  bool reused_ = false;           // this request went on a kept-alive connection
  bool retried_ = false;          // ... and was already retried on a new one once
  bool retry_pending_ = false;
  uint8_t redirects_ = 0;

  uint16_t status_ = 0;
  char reason_[kMaxReason + 1] = {};
  bool has_content_length_ = false;
  uint64_t content_length_ = 0;
  bool has_total_ = false;
  uint64_t total_ = 0;
  bool accept_ranges_ = false;
  char media_type_[kMaxMediaType + 1] = {};

  Millis last_now_ = 0;
  Millis request_at_ = 0;        // when the request began (head_ms runs from here)
  bool head_done_ = false;
  Millis rate_at_ = 0;           // the current rate window began here...
  uint64_t rate_mark_ = 0;       // ... with the stream at this offset
  uint64_t slow_bytes_ = 0;
  Millis slow_ms_ = 0;
  Millis progress_at_ = 0;
  uint64_t progress_mark_ = 0;
  StreamState progress_state_ = StreamState::Closed;

  HttpStats stats_;
};

}  // namespace mpxe::net
