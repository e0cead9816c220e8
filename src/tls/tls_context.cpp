#include "tls/tls_context.h"

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include "core/byte_ops.h"

namespace mpxe::tls {
namespace {

net::Error tls_error(net::Errc reason) { return net::Error(net::Layer::Tls, reason); }

bool same_text(const char* a, const char* b) {
  while (*a != 0 && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

}  // namespace

TlsContext::~TlsContext() {
  drop_session();
  if (ctx_ != nullptr) wolfSSL_CTX_free(ctx_);
  if (library_) wolfSSL_Cleanup();
}

net::Result<void> TlsContext::init(const TlsConfig& config) {
  if (ctx_ != nullptr) return tls_error(net::Errc::InUse);
  if (wolfSSL_Init() != WOLFSSL_SUCCESS) return tls_error(net::Errc::Exhausted);
  library_ = true;
  config_ = config;
  config_.trust_anchors = nullptr;  // loaded below; the caller's list need not outlive us
  config_.cipher_ids = Bytes();     // wolfSSL keeps its own copy of the list
  suites_ = config.cipher_ids.empty() ? CipherSuites::builtin(config.cpu_has_aes)
                                      : CipherSuites::from_ids(config.cipher_ids, config.cipher_source);
  if (suites_.count() == 0) return tls_error(net::Errc::Unsupported);
  // The version-flexible method offers TLS 1.3 and falls back to what the
  // server picks, no lower than the minimum set next. A list without TLS 1.3
  // suites (EDK II's cipher lists are TLS 1.2's) offers 1.2 alone: a server
  // that picked 1.3 would find no suite in common; one without 1.2 suites
  // offers 1.3 alone, for the same reason.
  const bool tls12 = config.allow_tls12 && suites_.has_tls12();
  ctx_ = wolfSSL_CTX_new(suites_.has_tls13() ? wolfSSLv23_client_method() : wolfTLSv1_2_client_method());
  if (ctx_ == nullptr) return tls_error(net::Errc::Exhausted);
  if (wolfSSL_CTX_SetMinVersion(ctx_, tls12 ? WOLFSSL_TLSV1_2 : WOLFSSL_TLSV1_3) != WOLFSSL_SUCCESS)
    return tls_error(net::Errc::Unsupported);
  const Bytes list = suites_.bytes();
  if (wolfSSL_CTX_set_cipher_list_bytes(ctx_, list.data(), static_cast<int>(list.size())) !=
      WOLFSSL_SUCCESS)
    return tls_error(net::Errc::Exhausted);  // every id is one wolfSSL has: only memory fails
  for (size_t i = 0; i < config.trust_anchor_count; ++i) {
    const Bytes der = config.trust_anchors[i];
    if (wolfSSL_CTX_load_verify_buffer(ctx_, der.data(), static_cast<long>(der.size()),
                                       WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
      bad_anchor_ = i;
      return tls_error(net::Errc::BadValue);
    }
    ++anchors_;
  }
  // Every connection verifies its peer; TlsStream installs the callback that
  // records why a certificate failed.
  wolfSSL_CTX_set_verify(ctx_, WOLFSSL_VERIFY_PEER, nullptr);
  return {};
}

WOLFSSL_SESSION* TlsContext::session_for(const char* host, uint16_t port) const {
  if (session_ == nullptr || !config_.resume_sessions) return nullptr;
  if (port != session_port_ || !same_text(host, session_host_)) return nullptr;
  return session_;
}

void TlsContext::keep_session(WOLFSSL_SESSION* session, const char* host, uint16_t port) {
  drop_session();
  size_t n = 0;
  for (; host[n] != 0 && n < kMaxHost; ++n) session_host_[n] = host[n];
  session_host_[n] = 0;
  session_port_ = port;
  session_ = session;
}

void TlsContext::drop_session() {
  if (session_ != nullptr) wolfSSL_SESSION_free(session_);
  session_ = nullptr;
}

}  // namespace mpxe::tls
