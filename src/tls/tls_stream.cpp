#include "tls/tls_stream.h"

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "core/byte_ops.h"
#include "core/format.h"
#include "net/wire/ip_address.h"
#include "tls/tls_platform.h"

namespace mpxe::tls {
namespace {

using net::Errc;
using net::Millis;

net::Error tls_error(Errc reason) { return net::Error(net::Layer::Tls, reason); }

template <typename T>
constexpr T min_of(T a, T b) {
  return a < b ? a : b;
}

size_t text_len(const char* s) {
  size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}

void copy_text(const char* from, size_t len, char* out, size_t capacity) {
  copy_printable(Bytes(reinterpret_cast<const uint8_t*>(from), len), out, capacity);
}

extern "C" int tls_io_recv(WOLFSSL*, char* buf, int size, void* ctx) {
  return static_cast<TlsStream*>(ctx)->io_recv(buf, size);
}

extern "C" int tls_io_send(WOLFSSL*, char* buf, int size, void* ctx) {
  return static_cast<TlsStream*>(ctx)->io_send(buf, size);
}

// Called by wolfSSL only for a certificate that failed (no WOLFSSL_ALWAYS_VERIFY_CB):
// note which and why, and keep the failure.
extern "C" int tls_verify(int preverify, WOLFSSL_X509_STORE_CTX* store) {
  if (preverify != 0 || store == nullptr || store->userCtx == nullptr) return preverify;
  const uint8_t* der = nullptr;
  size_t der_len = 0;
  if (store->certs != nullptr && store->error_depth >= 0 && store->error_depth < store->totalCerts) {
    der = store->certs[store->error_depth].buffer;
    der_len = store->certs[store->error_depth].length;
  }
  static_cast<TlsStream*>(store->userCtx)->on_verify_failure(store->error, store->error_depth, der, der_len);
  return 0;
}

// An ASN.1 UTCTime or GeneralizedTime (tag, length, digits) as "YYYY-MM-DD HH:MM:SS UTC".
void format_asn_time(const uint8_t* item, int len, char* out, size_t capacity) {
  out[0] = 0;
  if (item == nullptr || len < 2) return;
  const uint8_t tag = item[0];
  const uint8_t* d = item + 2;
  const int n = len - 2;
  char year[5] = {};
  if (tag == ASN_UTC_TIME && n >= 12) {
    // RFC 5280 4.1.2.5.1: YY >= 50 is 19YY.
    const bool past = d[0] >= '5';
    year[0] = past ? '1' : '2';
    year[1] = past ? '9' : '0';
    year[2] = static_cast<char>(d[0]);
    year[3] = static_cast<char>(d[1]);
    d += 2;
  } else if (tag == ASN_GENERALIZED_TIME && n >= 14) {
    for (int i = 0; i < 4; ++i) year[i] = static_cast<char>(d[i]);
    d += 4;
  } else {
    return;
  }
  for (int i = 0; i < 10; ++i)
    if (d[i] < '0' || d[i] > '9') return;
  format(out, capacity, "%s-%c%c-%c%c %c%c:%c%c:%c%c UTC", year, d[0], d[1], d[2], d[3], d[4], d[5],
         d[6], d[7], d[8], d[9]);
}

TlsFailure verify_failure(int reason) {
  switch (reason) {
    case ASN_NO_SIGNER_E:
    case ASN_SELF_SIGNED_E: return TlsFailure::UnknownCa;
    case DOMAIN_NAME_MISMATCH:
    case IPADDR_MISMATCH: return TlsFailure::NameMismatch;
    case ASN_AFTER_DATE_E: return TlsFailure::Expired;
    case ASN_BEFORE_DATE_E: return TlsFailure::NotYetValid;
    default: return TlsFailure::BadCertificate;
  }
}

bool is_verify_error(int error) {
  switch (error) {
    case ASN_NO_SIGNER_E:
    case ASN_SELF_SIGNED_E:
    case DOMAIN_NAME_MISMATCH:
    case IPADDR_MISMATCH:
    case ASN_AFTER_DATE_E:
    case ASN_BEFORE_DATE_E:
    case ASN_SIG_CONFIRM_E:
      return true;
    default:
      return false;
  }
}

}  // namespace

TlsStream::TlsStream(net::ByteStream& lower, TlsContext& context, MutableBytes cipher_ring)
    : lower_(lower), context_(context), ring_(cipher_ring) {}

TlsStream::~TlsStream() {
  if (ssl_ != nullptr) wolfSSL_free(ssl_);
}

void TlsStream::set_peer_name(const char* host) {
  size_t n = 0;
  for (; host != nullptr && host[n] != 0 && n < kMaxHost; ++n) host_[n] = host[n];
  host_[n] = 0;
}

net::Result<void> TlsStream::open(net::IpAddress remote, uint16_t port, net::StreamReceiver& receiver,
                                  const net::TcpConfig& config, Millis now) {
  if (ssl_ != nullptr) {
    wolfSSL_free(ssl_);
    ssl_ = nullptr;
  }
  phase_ = Phase::Idle;
  failure_ = TlsFailure::None;
  error_ = net::Error();
  refused_ = TlsCertificateInfo();
  library_error_ = 0;
  has_alert_ = false;
  receiver_ = &receiver;
  port_ = port;
  cipher_used_ = cipher_end_ = 0;
  lower_fin_ = false;
  tx_len_ = 0;
  close_wanted_ = shutdown_sent_ = false;
  plain_end_ = 0;
  peer_fin_ = false;
  session_kept_ = false;
  abort_pending_ = false;
  hello_sent_ = false;
  failed_in_handshake_ = false;
  opened_at_ = last_now_ = now;

  if (context_.handle() == nullptr || context_.anchors() == 0) {
    fail(TlsFailure::NoTrustAnchors);
    return error_;
  }
  if (ring_.size() < kMinCipherRing) return tls_error(Errc::NoSpace);
  if (host_[0] == 0 && remote.is_v4()) {
    const net::Ipv4Address a = remote.v4();
    format(host_, sizeof(host_), "%u.%u.%u.%u", a.octets[0], a.octets[1], a.octets[2], a.octets[3]);
  }
  ssl_ = wolfSSL_new(context_.handle());
  if (ssl_ == nullptr) {
    fail(TlsFailure::Internal);
    return error_;
  }
  wolfSSL_SSLSetIORecv(ssl_, tls_io_recv);
  wolfSSL_SSLSetIOSend(ssl_, tls_io_send);
  wolfSSL_SetIOReadCtx(ssl_, this);
  wolfSSL_SetIOWriteCtx(ssl_, this);
  wolfSSL_set_verify(ssl_, WOLFSSL_VERIFY_PEER, tls_verify);
  wolfSSL_SetCertCbCtx(ssl_, this);
  const size_t host_len = text_len(host_);
  const net::Result<net::IpAddress> address =
      net::IpAddress::parse(Bytes(reinterpret_cast<const uint8_t*>(host_), host_len));
  const bool literal = address.ok();
  // wolfSSL writes a certificate's IPv6 entry as eight four-digit groups
  // ("FD00:0000:...:0001") and compares text: an IPv6 address is checked in
  // that form, however it was written.
  char check_name[kMaxHost + 1];
  if (literal && address.value().is_v6()) {
    const net::Ipv6Address a = address.value().v6();
    size_t n = 0;
    for (size_t i = 0; i < 8; ++i)
      n += format(check_name + n, sizeof(check_name) - n, "%s%02X%02X", i == 0 ? "" : ":",
                  a.octets[2 * i], a.octets[2 * i + 1]);
  } else {
    copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(check_name), host_len + 1),
               Bytes(reinterpret_cast<const uint8_t*>(host_), host_len + 1));
  }
  bool ok = true;
  // RFC 6066 3: SNI carries names only, never an address; an address is
  // checked against the certificate's IP entries (WOLFSSL_IP_ALT_NAME).
  if (!literal)
    ok = wolfSSL_UseSNI(ssl_, WOLFSSL_SNI_HOST_NAME, host_, static_cast<unsigned short>(host_len)) ==
         WOLFSSL_SUCCESS;
  // A name matches the certificate's DNS entries (or its CN when it has none),
  // an address its IP entries (WOLFSSL_IP_ALT_NAME), during the handshake.
  ok = ok && wolfSSL_check_domain_name(ssl_, check_name) == WOLFSSL_SUCCESS;
  char alpn[] = "http/1.1";
  ok = ok && wolfSSL_UseALPN(ssl_, alpn, sizeof(alpn) - 1, WOLFSSL_ALPN_CONTINUE_ON_MISMATCH) ==
                 WOLFSSL_SUCCESS;
  if (!ok) {
    fail(TlsFailure::Internal);
    return error_;
  }
  if (WOLFSSL_SESSION* session = context_.session_for(host_, port)) wolfSSL_set_session(ssl_, session);

  net::Result<void> opened = lower_.open(remote, port, *this, config, now);
  if (!opened) return opened.error();
  phase_ = Phase::Handshake;
  return {};
}

net::Result<size_t> TlsStream::send(Bytes data) {
  if (phase_ != Phase::Handshake && phase_ != Phase::Open) return tls_error(Errc::Closed);
  if (close_wanted_) return tls_error(Errc::Closed);
  const size_t n = min_of(data.size(), kSendBuffer - tx_len_);
  copy_bytes(MutableBytes(tx_ + tx_len_, n), data.first(n));
  tx_len_ += n;
  if (phase_ == Phase::Open) pump();
  return n;
}

void TlsStream::flush(Millis now) {
  last_now_ = now;
  pump();
  sent_ = false;
  lower_.flush(now);
}

void TlsStream::close() {
  close_wanted_ = true;
  if (phase_ == Phase::Open) return pump();
  if (phase_ == Phase::Handshake) lower_.close();
}

void TlsStream::abort() {
  abort_pending_ = false;
  lower_.abort();
  if (phase_ != Phase::Failed) phase_ = Phase::Idle;
}

void TlsStream::release() {
  lower_.release();
  if (ssl_ != nullptr) wolfSSL_free(ssl_);
  ssl_ = nullptr;
  if (phase_ != Phase::Failed) phase_ = Phase::Idle;
}

net::StreamState TlsStream::state() const {
  switch (phase_) {
    case Phase::Idle:
    case Phase::Failed:
      return net::StreamState::Closed;
    case Phase::Handshake:
      return lower_.is_closed() ? net::StreamState::Closed : net::StreamState::Opening;
    case Phase::Open: {
      const net::StreamState lower = lower_.state();
      if (lower == net::StreamState::Closed) return net::StreamState::Closed;
      if (shutdown_sent_ || peer_fin_ || lower == net::StreamState::Closing)
        return net::StreamState::Closing;
      return net::StreamState::Open;
    }
  }
  return net::StreamState::Closed;
}

net::Error TlsStream::error() const { return error_.is_error() ? error_ : lower_.error(); }

void TlsStream::poll(Millis now) {
  last_now_ = now;
  if (abort_pending_) abort();
  if (phase_ == Phase::Handshake && now >= opened_at_ + context_.config().handshake_ms) {
    fail(TlsFailure::HandshakeTimeout);
    if (abort_pending_) abort();
    return;
  }
  pump();
  if (abort_pending_) return abort();
  // What the handshake or a queued write gave the transport leaves now, not at
  // the transport's next timer (over TCP, the first flight would wait for it).
  if (sent_ && !is_closed()) lower_.flush(now);
  sent_ = false;
}

Millis TlsStream::next_deadline() const {
  if (abort_pending_) return last_now_;
  if (phase_ != Phase::Handshake) return net::kNever;
  // The first flight leaves at the first poll after the transport opens.
  if (lower_.is_open() && !hello_sent_) return last_now_;
  return opened_at_ + context_.config().handshake_ms;
}

// ---------------------------------------------------------------------------
// The ciphertext ring (the lower stream's receiver)

MutableBytes TlsStream::stream_rx_space(uint64_t offset, size_t len) {
  if (offset >= stream_rx_limit()) return MutableBytes();
  const size_t at = static_cast<size_t>(offset % ring_.size());
  const size_t room = static_cast<size_t>(stream_rx_limit() - offset);
  return MutableBytes(ring_.data() + at, min_of(min_of(len, room), ring_.size() - at));
}

uint64_t TlsStream::stream_rx_limit() const { return cipher_used_ + ring_.size(); }

void TlsStream::stream_rx_data(uint64_t end) {
  cipher_end_ = end;
  in_lower_ = true;
  pump();
  in_lower_ = false;
}

void TlsStream::stream_rx_fin(uint64_t end) {
  cipher_end_ = end;
  lower_fin_ = true;
  in_lower_ = true;
  pump();
  in_lower_ = false;
}

int TlsStream::io_recv(char* buf, int size) {
  if (cipher_used_ == cipher_end_) {
    if (lower_fin_) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
    if (lower_.is_closed()) return WOLFSSL_CBIO_ERR_CONN_RST;
    return WOLFSSL_CBIO_ERR_WANT_READ;
  }
  size_t want = min_of<uint64_t>(static_cast<uint64_t>(size), cipher_end_ - cipher_used_);
  size_t done = 0;
  while (done < want) {
    const size_t at = static_cast<size_t>(cipher_used_ % ring_.size());
    const size_t n = min_of(want - done, ring_.size() - at);
    copy_bytes(MutableBytes(reinterpret_cast<uint8_t*>(buf) + done, n), Bytes(ring_.data() + at, n));
    done += n;
    cipher_used_ += n;
  }
  return static_cast<int>(done);
}

int TlsStream::io_send(const char* buf, int size) {
  net::Result<size_t> sent = lower_.send(Bytes(reinterpret_cast<const uint8_t*>(buf), static_cast<size_t>(size)));
  if (!sent) return WOLFSSL_CBIO_ERR_CONN_CLOSE;
  if (sent.value() == 0) return WOLFSSL_CBIO_ERR_WANT_WRITE;
  sent_ = true;
  return static_cast<int>(sent.value());
}

// ---------------------------------------------------------------------------
// The work

void TlsStream::pump() {
  if (pumping_) {
    repump_ = true;
    return;
  }
  pumping_ = true;
  do {
    repump_ = false;
    while (pump_once()) {
    }
  } while (repump_ && (phase_ == Phase::Handshake || phase_ == Phase::Open));
  pumping_ = false;
}

bool TlsStream::pump_once() {
  if (phase_ == Phase::Handshake) {
    if (lower_.state() == net::StreamState::Opening || lower_.is_closed()) return false;
    return step_handshake();
  }
  if (phase_ != Phase::Open) return false;
  bool progress = write_pending();
  if (phase_ != Phase::Open) return false;
  progress = read_records() || progress;
  if (phase_ != Phase::Open) return false;
  if (close_wanted_ && tx_len_ == 0 && !shutdown_sent_) {
    // close_notify, then the transport's FIN; the peer's answer is not awaited.
    shutdown_sent_ = true;
    wolfSSL_shutdown(ssl_);
    lower_.close();
    progress = true;
  }
  return progress;
}

bool TlsStream::step_handshake() {
  hello_sent_ = true;
  const int ret = wolfSSL_connect(ssl_);
  if (ret == WOLFSSL_SUCCESS) {
    phase_ = Phase::Open;
    return true;
  }
  const int error = wolfSSL_get_error(ssl_, ret);
  if (error == WOLFSSL_ERROR_WANT_READ || error == WOLFSSL_ERROR_WANT_WRITE) return false;
  fail_from_library(error);
  return false;
}

bool TlsStream::write_pending() {
  if (tx_len_ == 0) return false;
  const int ret = wolfSSL_write(ssl_, tx_, static_cast<int>(tx_len_));
  if (ret > 0) {
    const size_t n = static_cast<size_t>(ret);
    for (size_t i = n; i < tx_len_; ++i) tx_[i - n] = tx_[i];
    tx_len_ -= n;
    return true;
  }
  const int error = wolfSSL_get_error(ssl_, ret);
  if (error == WOLFSSL_ERROR_WANT_READ || error == WOLFSSL_ERROR_WANT_WRITE) return false;
  fail_from_library(error);
  return false;
}

bool TlsStream::read_records() {
  bool progress = false;
  while (phase_ == Phase::Open && !peer_fin_ && receiver_ != nullptr) {
    const uint64_t limit = receiver_->stream_rx_limit();
    if (limit <= plain_end_) break;
    const size_t want = static_cast<size_t>(min_of<uint64_t>(limit - plain_end_, 1u << 30));
    MutableBytes space = receiver_->stream_rx_space(plain_end_, want);
    if (space.empty()) break;
    const int ret = wolfSSL_read(ssl_, space.data(), static_cast<int>(space.size()));
    if (ret > 0) {
      plain_end_ += static_cast<uint64_t>(ret);
      progress = true;
      // A TLS 1.3 server's tickets come before its first data: the session is
      // complete by now.
      if (!session_kept_) keep_session();
      receiver_->stream_rx_data(plain_end_);
      continue;
    }
    const int error = wolfSSL_get_error(ssl_, ret);
    if (error == WOLFSSL_ERROR_WANT_READ || error == WOLFSSL_ERROR_WANT_WRITE) break;
    if (error == WOLFSSL_ERROR_ZERO_RETURN) {
      peer_fin_ = true;
      receiver_->stream_rx_fin(plain_end_);
      return true;
    }
    fail_from_library(error);
    break;
  }
  return progress;
}

void TlsStream::keep_session() {
  session_kept_ = true;
  if (!context_.config().resume_sessions || wolfSSL_session_reused(ssl_)) return;
  if (WOLFSSL_SESSION* session = wolfSSL_get1_session(ssl_)) context_.keep_session(session, host_, port_);
}

void TlsStream::fail(TlsFailure failure) {
  failed_in_handshake_ = phase_ == Phase::Handshake;
  phase_ = Phase::Failed;
  failure_ = failure;
  error_ = tls_failure_error(failure);
  if (failure == TlsFailure::Transport && lower_.error().is_error()) error_ = lower_.error();
  // Not from inside the transport's own delivery: it resets at the next poll.
  if (in_lower_) abort_pending_ = true;
  else lower_.abort();
}

void TlsStream::fail_from_library(int error) {
  library_error_ = error;
  if (refused_.present) return fail(verify_failure(refused_.reason));
  if (is_verify_error(error)) return fail(verify_failure(error));
  if (error == FATAL_ERROR) {
    WOLFSSL_ALERT_HISTORY history{};
    wolfSSL_get_alert_history(ssl_, &history);
    has_alert_ = true;
    alert_ = static_cast<uint8_t>(history.last_rx.code);
    const bool no_common = alert_ == 40 || alert_ == 70 || alert_ == 71;  // handshake_failure,
    // protocol_version, insufficient_security: what a server says when nothing we offer suits it
    return fail(no_common && phase_ == Phase::Handshake ? TlsFailure::NoCommonVersion
                                                        : TlsFailure::PeerAlert);
  }
  // A record of another version after the handshake is not a version problem.
  if (error == MATCH_SUITE_ERROR || (error == VERSION_ERROR && phase_ == Phase::Handshake))
    return fail(TlsFailure::NoCommonVersion);
  if (error == SOCKET_PEER_CLOSED_E || error == SOCKET_ERROR_E) {
    if (lower_.error().is_error()) return fail(TlsFailure::Transport);
    return fail(TlsFailure::Truncated);
  }
  if (error == MEMORY_E) return fail(TlsFailure::Internal);
  fail(TlsFailure::Garbage);
}

void TlsStream::on_verify_failure(int error, int depth, const uint8_t* der, size_t der_len) {
  if (refused_.present) return;  // the first failure is the one to name
  refused_.present = true;
  refused_.reason = error;
  refused_.depth = depth;
  refused_.clock = mpxe_tls_time(nullptr);
  if (der == nullptr) return;
  DecodedCert* cert = static_cast<DecodedCert*>(XMALLOC(sizeof(DecodedCert), nullptr, DYNAMIC_TYPE_DCERT));
  if (cert == nullptr) return;
  // wolfSSL reports a wrong name over an unknown issuer (its leaf check replaces
  // the chain's error): ask the chain on its own, and name the issuer first, since
  // a name nobody we trust vouches for says nothing.
  if (refused_.reason == DOMAIN_NAME_MISMATCH || refused_.reason == IPADDR_MISMATCH) {
    wc_InitDecodedCert(cert, der, static_cast<word32>(der_len), nullptr);
    const int chain = wc_ParseCert(cert, CERT_TYPE, VERIFY, wolfSSL_CTX_GetCertManager(context_.handle()));
    if (chain == ASN_NO_SIGNER_E || chain == ASN_SELF_SIGNED_E) refused_.reason = chain;
    wc_FreeDecodedCert(cert);
  }
  wc_InitDecodedCert(cert, der, static_cast<word32>(der_len), nullptr);
  if (wc_ParseCert(cert, CERT_TYPE, NO_VERIFY, nullptr) == 0) {
    copy_text(cert->subject, text_len(cert->subject), refused_.subject, sizeof(refused_.subject));
    copy_text(cert->issuer, text_len(cert->issuer), refused_.issuer, sizeof(refused_.issuer));
    size_t len = 0;
    for (DNS_entry* name = cert->altNames; name != nullptr; name = name->next) {
      char one[96];
      if (name->type == ASN_DNS_TYPE) {
        copy_text(name->name, static_cast<size_t>(name->len), one, sizeof(one));
      } else if (name->type == ASN_IP_TYPE && name->len == 4) {
        const uint8_t* ip = reinterpret_cast<const uint8_t*>(name->name);
        format(one, sizeof(one), "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
      } else {
        continue;
      }
      format_append(refused_.names, sizeof(refused_.names), len, "%s%s", len == 0 ? "" : ", ", one);
    }
    if (len == 0 && cert->subjectCN != nullptr && cert->subjectCNLen > 0) {
      char cn[96];
      copy_text(cert->subjectCN, static_cast<size_t>(cert->subjectCNLen), cn, sizeof(cn));
      format(refused_.names, sizeof(refused_.names), "CN %s (no subjectAltName)", cn);
    }
    format_asn_time(cert->beforeDate, cert->beforeDateLen, refused_.not_before, sizeof(refused_.not_before));
    format_asn_time(cert->afterDate, cert->afterDateLen, refused_.not_after, sizeof(refused_.not_after));
  }
  wc_FreeDecodedCert(cert);
  XFREE(cert, nullptr, DYNAMIC_TYPE_DCERT);
}

// ---------------------------------------------------------------------------
// What it says

const char* TlsStream::version() const { return ssl_ != nullptr ? wolfSSL_get_version(ssl_) : ""; }
const char* TlsStream::cipher() const {
  const char* name = ssl_ != nullptr ? wolfSSL_get_cipher_name(ssl_) : nullptr;
  return name != nullptr ? name : "";
}
bool TlsStream::resumed() const { return ssl_ != nullptr && wolfSSL_session_reused(ssl_) != 0; }

size_t TlsStream::describe_error(char* out, size_t capacity) const {
  const char* what = tls_failure_text(failure_);
  const TlsCertificateInfo& c = refused_;
  char library[80] = "";
  if (library_error_ != 0)
    wolfSSL_ERR_error_string_n(static_cast<unsigned long>(library_error_), library, sizeof(library));
  switch (failure_) {
    case TlsFailure::None:
      return net::error_format(error(), out, capacity);
    case TlsFailure::UnknownCa:
      return format(out, capacity, "%s: %s issued by %s, which no trust anchor is", what,
                    c.subject, c.issuer);
    case TlsFailure::NameMismatch:
      return format(out, capacity, "%s: asked for %s, the certificate names %s (subject %s)", what,
                    host_, c.names[0] != 0 ? c.names : "nothing", c.subject);
    case TlsFailure::Expired:
    case TlsFailure::NotYetValid: {
      char clock[24];
      tls_format_time(c.clock, clock, sizeof(clock));
      return format(out, capacity, "%s: %s valid from %s to %s, our clock says %s", what, c.subject,
                    c.not_before, c.not_after, clock);
    }
    case TlsFailure::BadCertificate:
      return format(out, capacity, "%s: %s (depth %d: %s, issuer %s)", what, library, c.depth,
                    c.subject, c.issuer);
    case TlsFailure::NoCommonVersion:
    case TlsFailure::PeerAlert: {
      if (!has_alert_) return format(out, capacity, "%s (%s)", what, library);
      const char* name = tls_alert_name(alert_);
      if (name != nullptr) return format(out, capacity, "%s: alert %s", what, name);
      return format(out, capacity, "%s: alert %u", what, alert_);
    }
    case TlsFailure::HandshakeTimeout:
      return format(out, capacity, "%s: not complete %llu ms after the connection began (%llu bytes from the server)",
                    what, static_cast<unsigned long long>(context_.config().handshake_ms),
                    static_cast<unsigned long long>(cipher_used_));
    case TlsFailure::Garbage:
      return format(out, capacity, "%s: %s, %llu bytes in (%s)", what, library,
                    static_cast<unsigned long long>(cipher_used_),
                    failed_in_handshake_ ? "during the handshake" : "after the handshake");
    case TlsFailure::Truncated:
      return format(out, capacity, "%s (%llu bytes of plaintext, %s)", what,
                    static_cast<unsigned long long>(plain_end_),
                    failed_in_handshake_ ? "during the handshake" : "after the handshake");
    case TlsFailure::Transport: {
      char lower[96];
      lower_.describe_error(lower, sizeof(lower));
      return format(out, capacity, "%s: %s", what, lower);
    }
    case TlsFailure::NoTrustAnchors:
      return format(out, capacity, "%s", what);
    case TlsFailure::Internal:
      return format(out, capacity, "%s (%s)", what, library);
  }
  return format(out, capacity, "%s", what);
}

}  // namespace mpxe::tls
