// What every TLS connection of a download shares: the trust anchors, the
// protocol versions and the handshake's bound, held in one wolfSSL context, and
// the session the first connection got so the others resume it.
//
// Trust is explicit: the caller hands over DER X.509 certificates (from the
// firmware's cacerts, or a --ca-cert file); a context without any refuses to
// open connections (TlsFailure::NoTrustAnchors), so no connection ever runs
// unverified. TLS 1.3 is preferred, 1.2 the minimum. The cipher suites are
// chosen once, here (tls/cipher_suites.h): mpxe's order for the CPU, or the
// platform's etc/edk2/https/ciphers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "net/clock.h"
#include "net/result.h"
#include "tls/cipher_suites.h"

struct WOLFSSL_CTX;
struct WOLFSSL_SESSION;

namespace mpxe::tls {

struct TlsConfig {
  // DER certificates the server's chain must end in; copied by init().
  const Bytes* trust_anchors = nullptr;
  size_t trust_anchor_count = 0;
  // A handshake not complete this long after open() fails (TlsFailure::HandshakeTimeout).
  net::Millis handshake_ms = 30000;
  // Accept a server that offers TLS 1.2 only (1.3 is always offered first).
  bool allow_tls12 = true;
  // Offer the first connection's session to the next ones of the same server.
  bool resume_sessions = true;
  // The CPU has AES-NI, PCLMULQDQ, SSE4.1 and SSSE3 (CPUID.1:ECX[25], [1], [19], [9]):
  // whether AES-GCM may go ahead of ChaCha20-Poly1305 in mpxe's own order.
  bool cpu_has_aes = false;
  // Cipher suite ids to offer instead of mpxe's order (two bytes each, most
  // preferred first, as etc/edk2/https/ciphers holds them; read by init() only).
  // Empty: mpxe's order. Ids wolfSSL lacks are skipped (suites() names them).
  Bytes cipher_ids;
  // What names cipher_ids in console lines.
  const char* cipher_source = "the cipher list";
};

class TlsContext {
 public:
  TlsContext() = default;
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  ~TlsContext();

  // Makes the wolfSSL context, sets its cipher suites and loads the anchors.
  // Tls/Unsupported when cipher_ids leave no suite wolfSSL has (suites().describe()
  // says which were asked), Tls/BadValue when an anchor is not a DER certificate
  // (bad_anchor() says which, from 0), Tls/Exhausted without memory. No anchors is
  // not an error here: open() refuses then, with the failure named.
  net::Result<void> init(const TlsConfig& config);

  WOLFSSL_CTX* handle() const { return ctx_; }
  size_t anchors() const { return anchors_; }
  size_t bad_anchor() const { return bad_anchor_; }
  const TlsConfig& config() const { return config_; }
  // The suites every connection offers, in order.
  const CipherSuites& suites() const { return suites_; }

  // The session a finished handshake with `host`:`port` left (null: none).
  WOLFSSL_SESSION* session_for(const char* host, uint16_t port) const;
  // Keeps `session` (taken over) for the next connection to host:port.
  void keep_session(WOLFSSL_SESSION* session, const char* host, uint16_t port);

 private:
  static constexpr size_t kMaxHost = 253;
  void drop_session();

  WOLFSSL_CTX* ctx_ = nullptr;
  TlsConfig config_;
  CipherSuites suites_;
  size_t anchors_ = 0;
  size_t bad_anchor_ = 0;
  bool library_ = false;  // wolfSSL_Init() succeeded (it counts its users)
  WOLFSSL_SESSION* session_ = nullptr;
  char session_host_[kMaxHost + 1] = {};
  uint16_t session_port_ = 0;
};

}  // namespace mpxe::tls
