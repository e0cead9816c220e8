// A real TLS server for TlsStream's tests: OpenSSL over memory BIOs, with
// certificates made at run time (no key is ever committed), and an in-memory
// ByteStream that stands for TCP between the two.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "net/stream/byte_stream.h"

namespace mpxe::tls::test {

// A key pair and its certificate.
struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  Identity() = default;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  Identity(Identity&& o) noexcept : key(o.key), cert(o.cert) { o.key = nullptr; o.cert = nullptr; }
  ~Identity() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
  std::vector<uint8_t> der() const {
    unsigned char* out = nullptr;
    int len = i2d_X509(cert, &out);
    std::vector<uint8_t> bytes(out, out + (len > 0 ? len : 0));
    OPENSSL_free(out);
    return bytes;
  }
};

struct CertSpec {
  std::string cn;
  std::string san;  // "DNS:boot.example,IP:10.0.0.2"; empty: none
  long not_before = -3600;  // seconds from now
  long not_after = 86400;
  bool ca = false;
};

inline void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signed by `issuer` (null: self-signed). EC P-256 keys: quick to make.
inline Identity make_identity(const CertSpec& spec, const Identity* issuer) {
  static long serial = 1;
  Identity id;
  id.key = EVP_EC_gen("P-256");
  id.cert = X509_new();
  X509_set_version(id.cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(id.cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(id.cert), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(id.cert), spec.not_after);
  X509_set_pubkey(id.cert, id.key);
  X509_NAME* name = X509_get_subject_name(id.cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mpxe test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer->cert : id.cert;
  X509_set_issuer_name(id.cert, X509_get_subject_name(signer));
  if (spec.ca) {
    add_ext(id.cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(id.cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(id.cert, signer, NID_basic_constraints, "CA:FALSE");
  }
  if (!spec.san.empty()) add_ext(id.cert, signer, NID_subject_alt_name, spec.san);
  X509_sign(id.cert, issuer != nullptr ? issuer->key : id.key, EVP_sha256());
  return id;
}

// TCP, as TlsStream sees it: open at once, a 4 KiB send buffer, delivery into
// the receiver's space in pieces of the test's choosing.
class MemoryStream final : public net::ByteStream {
 public:
  net::Result<void> open(net::IpAddress, uint16_t, net::StreamReceiver& receiver, const net::TcpConfig&,
                         net::Millis) override {
    receiver_ = &receiver;
    state_ = net::StreamState::Open;
    to_server.clear();
    to_client.clear();
    delivered_ = 0;
    fin_ = false;
    ++opens;
    return {};
  }
  net::Result<size_t> send(Bytes data) override {
    if (state_ != net::StreamState::Open) return net::Error(net::Layer::Tcp, net::Errc::Closed);
    size_t n = std::min(data.size(), kSendBuffer - to_server.size());
    to_server.insert(to_server.end(), data.begin(), data.begin() + n);
    return n;
  }
  void flush(net::Millis) override {}
  void close() override {
    closed_by_us = true;
    if (state_ == net::StreamState::Open) state_ = net::StreamState::Closing;
  }
  void abort() override {
    aborted = true;
    state_ = net::StreamState::Closed;
  }
  void release() override {}
  net::StreamState state() const override { return state_; }
  net::Error error() const override { return net::Error(); }
  uint64_t received() const override { return delivered_; }
  bool peer_closed() const override { return fin_; }

  // Hands over what the server sent, `piece` bytes per call of the receiver at
  // most, as far as its window goes.
  bool deliver(size_t piece) {
    bool moved = false;
    while (!to_client.empty() && receiver_ != nullptr && state_ != net::StreamState::Closed) {
      uint64_t limit = receiver_->stream_rx_limit();
      if (limit <= delivered_) break;
      size_t n = std::min<uint64_t>({piece, to_client.size(), limit - delivered_});
      MutableBytes space = receiver_->stream_rx_space(delivered_, n);
      if (space.empty()) break;
      std::copy(to_client.begin(), to_client.begin() + space.size(), space.begin());
      to_client.erase(to_client.begin(), to_client.begin() + space.size());
      delivered_ += space.size();
      max_window = std::max<uint64_t>(max_window, limit - (delivered_ - space.size()));
      receiver_->stream_rx_data(delivered_);
      moved = true;
    }
    return moved;
  }
  void deliver_fin() {
    fin_ = true;
    receiver_->stream_rx_fin(delivered_);
  }

  static constexpr size_t kSendBuffer = 4096;
  std::vector<uint8_t> to_server;
  std::deque<uint8_t> to_client;
  int opens = 0;
  bool aborted = false;
  bool closed_by_us = false;
  uint64_t max_window = 0;  // the largest window the receiver ever gave

 private:
  net::StreamReceiver* receiver_ = nullptr;
  net::StreamState state_ = net::StreamState::Closed;
  uint64_t delivered_ = 0;
  bool fin_ = false;
};

// OpenSSL's server end over memory BIOs.
class TlsServer {
 public:
  TlsServer(const Identity& leaf, const Identity* chain_ca, int min_version, int max_version) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ctx_, min_version);
    SSL_CTX_set_max_proto_version(ctx_, max_version);
    SSL_CTX_use_certificate(ctx_, leaf.cert);
    SSL_CTX_use_PrivateKey(ctx_, leaf.key);
    if (chain_ca != nullptr) {
      X509_up_ref(chain_ca->cert);
      SSL_CTX_add_extra_chain_cert(ctx_, chain_ca->cert);
    }
    SSL_CTX_set_session_id_context(ctx_, reinterpret_cast<const unsigned char*>("mpxe"), 4);
  }
  ~TlsServer() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  // A new connection (the old one forgotten).
  void accept() {
    SSL_free(ssl_);
    ssl_ = SSL_new(ctx_);
    rbio_ = BIO_new(BIO_s_mem());
    wbio_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, rbio_, wbio_);
    SSL_set_accept_state(ssl_);
    request.clear();
    handshake_done = false;
  }
  // Moves bytes between the stream and OpenSSL; runs the handshake and reads
  // the request. `silent`: takes bytes but answers nothing (a stalled server).
  void step(MemoryStream& link, bool silent = false) {
    if (!link.to_server.empty()) {
      BIO_write(rbio_, link.to_server.data(), static_cast<int>(link.to_server.size()));
      link.to_server.clear();
    }
    if (silent) return;
    if (!handshake_done) {
      int r = SSL_do_handshake(ssl_);
      if (r == 1) {
        handshake_done = true;
        version = SSL_get_version(ssl_);
        cipher = SSL_get_cipher_name(ssl_);
      }
    }
    if (handshake_done) {
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl_, buf, sizeof buf)) > 0) request.append(buf, static_cast<size_t>(n));
    }
    drain(link);
  }
  void write(const uint8_t* data, size_t len, MemoryStream& link) {
    while (len > 0) {
      int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(len, 16384)));
      if (n <= 0) break;
      data += n;
      len -= static_cast<size_t>(n);
      drain(link);
    }
  }
  void shutdown(MemoryStream& link) {
    SSL_shutdown(ssl_);
    drain(link);
  }
  void drain(MemoryStream& link) {
    char buf[16384];
    int n;
    while ((n = BIO_read(wbio_, buf, sizeof buf)) > 0) link.to_client.insert(link.to_client.end(), buf, buf + n);
  }
  bool session_reused() const { return SSL_session_reused(ssl_) == 1; }
  // The TLS 1.3 suites this server accepts (OpenSSL's names, ':'-separated).
  void set_tls13_suites(const char* list) { SSL_CTX_set_ciphersuites(ctx_, list); }

  bool handshake_done = false;
  std::string version;
  std::string cipher;  // OpenSSL's name of the suite it agreed to
  std::string request;

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* rbio_ = nullptr;
  BIO* wbio_ = nullptr;
};

}  // namespace mpxe::tls::test
