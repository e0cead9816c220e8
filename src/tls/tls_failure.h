// Why a TLS connection failed, in terms a person can act on: which certificate
// was refused and why (its subject and issuer, the names it holds, its dates
// against our clock), which alert the peer sent, what did not arrive in time.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "net/error.h"

namespace mpxe::tls {

enum class TlsFailure : uint8_t {
  None = 0,
  NoTrustAnchors,    // no CA certificate given: HTTPS refused, never unverified
  UnknownCa,         // the chain ends in no trust anchor (self-signed included)
  NameMismatch,      // the certificate is for other names than the one asked
  Expired,           // notAfter is before our clock
  NotYetValid,       // notBefore is after our clock
  BadCertificate,    // another verification failure (signature, usage, chain form)
  NoCommonVersion,   // the server takes no version or suite we offer
  PeerAlert,         // the peer ended the handshake or connection with a fatal alert
  HandshakeTimeout,  // not complete within TlsConfig::handshake_ms
  Garbage,           // bytes that are not valid TLS records (or fail their MAC)
  Truncated,         // the transport closed without the peer's close_notify
  Transport,         // the stream underneath failed (TCP reset, timeout)
  Internal,          // out of memory, or the library refused a setting
};
const char* tls_failure_text(TlsFailure failure);

// The net::Error a failure reports as (Layer::Tls).
net::Error tls_failure_error(TlsFailure failure);

// "handshake_failure", "unknown_ca", ...: RFC 8446 6 names; "alert N" otherwise.
const char* tls_alert_name(uint8_t code);

// The certificate a verification failed on, as the verify callback saw it.
struct TlsCertificateInfo {
  static constexpr size_t kMaxName = 160;
  static constexpr size_t kMaxNames = 200;
  bool present = false;
  int depth = 0;                    // 0: the server's own, 1: its issuer, ...
  int reason = 0;                   // wolfSSL's verify error
  char subject[kMaxName + 1] = {};  // "/C=../O=../CN=..", wolfSSL's one-line form
  char issuer[kMaxName + 1] = {};
  char names[kMaxNames + 1] = {};   // subjectAltName DNS and IP entries, ", "-separated
  char not_before[24] = {};         // "2026-11-25 12:00:00 UTC"
  char not_after[24] = {};
  int64_t clock = 0;                // our clock when it failed, seconds since 1970
};

// "2026-11-25 12:00:00 UTC" for seconds since 1970 (UTC).
void tls_format_time(int64_t seconds, char* out, size_t capacity);

}  // namespace mpxe::tls
