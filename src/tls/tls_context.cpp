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
  // The version-flexible method offers TLS 1.3 and falls back to what the
  // server picks, no lower than the minimum set next.
  ctx_ = wolfSSL_CTX_new(wolfSSLv23_client_method());
  if (ctx_ == nullptr) return tls_error(net::Errc::Exhausted);
  if (wolfSSL_CTX_SetMinVersion(ctx_, config.allow_tls12 ? WOLFSSL_TLSV1_2 : WOLFSSL_TLSV1_3) !=
      WOLFSSL_SUCCESS)
    return tls_error(net::Errc::Unsupported);
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
