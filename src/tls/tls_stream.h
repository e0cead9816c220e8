// ByteStream over another ByteStream (TCP): TLS 1.3 or 1.2 through wolfSSL, the
// seam net/stream/byte_stream.h describes. HTTP over it is unchanged.
//
//   Closed -open()-> Opening (transport, then handshake) -> Open -> Closing -> Closed
//                        \-- no anchors, verification, alert, timeout, garbage --> Closed + failure()
//
// Where bytes go. This stream is the lower stream's StreamReceiver: ciphertext
// lands in `cipher_ring`, given by the caller (no heap of ours; wolfSSL's own
// buffers come from XMALLOC), and the window the transport advertises is the
// ring's free room, so the peer never sends more than it holds. wolfSSL reads
// records out of the ring through its IO callbacks and decrypts each straight
// into the space our receiver gives for the next in-order offset (over HTTP's
// Direct phase: the body buffer), then the receiver hears stream_rx_data. A
// record's plaintext thus costs one copy after decryption.
//
// What drives it. Ciphertext arriving (the transport calls stream_rx_data)
// runs the handshake and the decryption at once; poll() (the user's, e.g.
// HttpClient::poll) starts the handshake once the transport is open, bounds it
// (TlsConfig::handshake_ms), writes plaintext queued while the handshake ran or
// the transport was full, and resumes reading when the receiver makes room.
// Plaintext to send waits in a fixed buffer (kSendBuffer) until wolfSSL has
// taken it whole: HTTP requests are small.
//
// The peer's close_notify is the end of the stream (stream_rx_fin); a transport
// that closes without it after the handshake is TlsFailure::Truncated, so a body
// delimited by the close cannot be cut short unseen.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/stream/byte_stream.h"
#include "tls/tls_context.h"
#include "tls/tls_failure.h"

struct WOLFSSL;

namespace mpxe::tls {

class TlsStream final : public net::ByteStream, private net::StreamReceiver {
 public:
  static constexpr size_t kSendBuffer = 4096;
  // The smallest ring that takes a whole record of the largest size (16 KiB
  // plaintext and its overhead): below it a handshake could deadlock.
  static constexpr size_t kMinCipherRing = 18 << 10;
  static constexpr size_t kMaxHost = 253;

  // `lower`, `context` and `cipher_ring` must outlive the stream.
  TlsStream(net::ByteStream& lower, TlsContext& context, MutableBytes cipher_ring);
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream();

  // ByteStream.
  void set_peer_name(const char* host) override;
  // Tls/NotFound without trust anchors (nothing is sent), Tls/NoSpace for a
  // ring under kMinCipherRing, Tls/Exhausted without memory; the transport's
  // own errors.
  net::Result<void> open(net::IpAddress remote, uint16_t port, net::StreamReceiver& receiver,
                         const net::TcpConfig& config, net::Millis now) override;
  net::Result<size_t> send(Bytes data) override;
  void flush(net::Millis now) override;
  void close() override;
  void abort() override;
  void release() override;
  net::StreamState state() const override;
  net::Error error() const override;
  uint64_t received() const override { return plain_end_; }
  bool peer_closed() const override { return peer_fin_; }
  bool secure() const override { return true; }
  void poll(net::Millis now) override;
  net::Millis next_deadline() const override;
  // e.g. "certificate for another name: asked 10.0.0.1, certificate has
  // boot.example, 10.0.0.2 (subject /CN=boot.example)".
  size_t describe_error(char* out, size_t capacity) const override;

  TlsFailure failure() const { return failure_; }
  // The certificate verification failed on (failure() UnknownCa .. BadCertificate).
  const TlsCertificateInfo& refused_certificate() const { return refused_; }
  // The fatal alert the peer sent (PeerAlert, NoCommonVersion): its code.
  bool has_peer_alert() const { return has_alert_; }
  uint8_t peer_alert() const { return alert_; }
  // After the handshake: "TLSv1.3", the suite's name, whether the session was resumed.
  const char* version() const;
  const char* cipher() const;
  bool resumed() const;
  // Ciphertext bytes taken from the transport so far.
  uint64_t cipher_received() const { return cipher_used_; }

  // wolfSSL's IO and verify callbacks (C linkage needs them reachable).
  int io_recv(char* buf, int size);
  int io_send(const char* buf, int size);
  void on_verify_failure(int error, int depth, const uint8_t* der, size_t der_len);

 private:
  enum class Phase : uint8_t { Idle, Handshake, Open, Failed };

  // StreamReceiver of the lower stream: the ciphertext ring.
  MutableBytes stream_rx_space(uint64_t offset, size_t len) override;
  uint64_t stream_rx_limit() const override;
  void stream_rx_data(uint64_t end) override;
  void stream_rx_fin(uint64_t end) override;

  // Runs whatever can run now: handshake, queued writes, reads, the shutdown.
  void pump();
  bool pump_once();
  bool step_handshake();
  bool write_pending();
  bool read_records();
  void fail(TlsFailure failure);
  // wolfSSL's error after a call that failed with `ret`, as our failure.
  void fail_from_library(int ret);
  void keep_session();
  void free_session();

  net::ByteStream& lower_;
  TlsContext& context_;
  MutableBytes ring_;
  net::StreamReceiver* receiver_ = nullptr;
  WOLFSSL* ssl_ = nullptr;

  char host_[kMaxHost + 1] = {};
  uint16_t port_ = 0;
  Phase phase_ = Phase::Idle;
  TlsFailure failure_ = TlsFailure::None;
  net::Error error_;
  bool pumping_ = false;
  bool repump_ = false;         // pump() was asked for while it ran
  bool in_lower_ = false;       // inside the lower stream's delivery
  bool abort_pending_ = false;  // reset the transport at the next poll
  bool hello_sent_ = false;     // wolfSSL_connect ran once
  bool sent_ = false;           // bytes went to the transport since it was last flushed
  bool failed_in_handshake_ = false;

  // The ring: ciphertext [cipher_used_, cipher_end_) waits for wolfSSL.
  uint64_t cipher_used_ = 0;
  uint64_t cipher_end_ = 0;
  bool lower_fin_ = false;

  uint8_t tx_[kSendBuffer] = {};
  size_t tx_len_ = 0;
  bool close_wanted_ = false;
  bool shutdown_sent_ = false;

  uint64_t plain_end_ = 0;
  bool peer_fin_ = false;
  bool session_kept_ = false;

  net::Millis opened_at_ = 0;
  net::Millis last_now_ = 0;

  TlsCertificateInfo refused_;
  int library_error_ = 0;  // wolfSSL's error code behind failure_, for the line
  bool has_alert_ = false;
  uint8_t alert_ = 0;
};

}  // namespace mpxe::tls
