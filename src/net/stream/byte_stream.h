// The seam between an application protocol (HTTP) and its transport: an ordered,
// reliable byte stream. TCP implements it (TcpStream); a TLS layer can implement
// it over another ByteStream without HTTP or TCP knowing.
//
// Receiving is by placement: the receiver says where each stream offset goes
// (StreamReceiver::stream_rx_space) and the stream writes the bytes there. Over
// plain TCP that is the zero-copy path: payload goes from the frame to its final
// offset in the caller's buffer, in order or not. A stream that must transform the
// bytes first (TLS decrypts whole records) asks for the same space, in order only,
// and copies its plaintext into it; the receiver cannot tell the difference.
//
// Calls are per request or per segment, never per byte.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/error.h"
#include "net/result.h"
#include "net/socket/tcp_connection.h"
#include "net/stream/stream_receiver.h"

namespace mpxe::net {

enum class StreamState : uint8_t {
  Closed,   // never opened, or over (nothing more either way)
  Opening,  // the transport's handshake
  Open,     // bytes both ways
  Closing,  // one side has closed; the other may still send
};

class ByteStream {
 public:
  // Opens a stream to remote:port whose bytes go to `receiver`; anything this
  // object held before is forgotten (abort() first to tell the peer). `config`
  // is the transport's (window, MSS, timers).
  virtual Result<void> open(IpAddress remote, uint16_t port, StreamReceiver& receiver,
                            const TcpConfig& config, Millis now) = 0;
  // Queues bytes to send; how many fit. Fails once closed or not open.
  virtual Result<size_t> send(Bytes data) = 0;
  // Sends what is due now (a queued request) instead of at the next poll.
  virtual void flush(Millis now) = 0;
  // Ends our side after the queued bytes; receiving goes on.
  virtual void close() = 0;
  // Ends the stream at once, telling the peer (TCP: RST).
  virtual void abort() = 0;
  // Forgets the stream for good: call before destroying it.
  virtual void release() = 0;

  virtual StreamState state() const = 0;
  // Why it closed, when it failed.
  virtual Error error() const = 0;
  // Bytes received in order so far.
  virtual uint64_t received() const = 0;
  // The peer has closed its side and every byte before that has arrived.
  virtual bool peer_closed() const = 0;

  // What a stream over another one adds (TLS); plain TCP, driven by the
  // interface, needs none of it.
  // The server's name as the URL wrote it (a name or A.B.C.D), for the next
  // open(): TLS sends it (SNI) and checks the certificate against it.
  virtual void set_peer_name(const char* host) { (void)host; }
  // Bytes travel encrypted to an authenticated peer (an https:// URL needs it).
  virtual bool secure() const { return false; }
  // The stream's own work and timers (TLS: the handshake, its bound, records
  // waiting for the transport); its user calls it from its own poll.
  virtual void poll(Millis now) { (void)now; }
  virtual Millis next_deadline() const { return kNever; }
  // Why it failed, in one line with its figures; the length format() would return.
  virtual size_t describe_error(char* out, size_t capacity) const {
    return error_format(error(), out, capacity);
  }

  bool is_open() const { return state() == StreamState::Open; }
  bool is_closed() const { return state() == StreamState::Closed; }

 protected:
  ~ByteStream() = default;
};

}  // namespace mpxe::net
