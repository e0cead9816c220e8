#include "tls/cipher_suites.h"

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/cpuid.h>

#include "core/format.h"

namespace mpxe::tls {
namespace {

// TLS 1.3 (RFC 8446 B.4), then 1.2's AEAD suites with ECDHE (ECDSA before RSA:
// the server's certificate picks one of each pair), with DHE, and last the CBC
// suites for servers that have nothing better. Each group with ChaCha20-Poly1305
// first; ordered(true) moves AES-GCM ahead of it.
constexpr uint16_t kTls13Chacha[] = {0x1303};
constexpr uint16_t kTls13Aes[] = {0x1301, 0x1302};
constexpr uint16_t kEcdheChacha[] = {0xcca9, 0xcca8};
constexpr uint16_t kEcdheAes[] = {0xc02b, 0xc02f, 0xc02c, 0xc030};
constexpr uint16_t kDheChacha[] = {0xccaa};
constexpr uint16_t kDheAes[] = {0x009e, 0x009f};
constexpr uint16_t kCbc[] = {0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013,
                             0xc00a, 0xc014, 0x0067, 0x006b, 0x0033, 0x0039};

constexpr char kRefused[] = "; https is refused";
// Suite names a line shows before "...".
constexpr size_t kShownNames = 4;

}  // namespace

const char* cipher_suite_name(uint16_t id) {
  const char* name =
      wolfSSL_get_cipher_name_from_suite(static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id));
  if (name == nullptr) return nullptr;
  const char* none = "None";
  for (size_t i = 0;; ++i) {
    if (name[i] != none[i]) return name;
    if (name[i] == 0) return nullptr;
  }
}

bool CipherSuites::aes_uses_cpu_instructions() {
#ifdef WOLFSSL_AESNI
  return true;
#else
  return false;
#endif
}

void CipherSuites::keep_aes_in_c() {
#ifdef WOLFSSL_AESNI
  cpuid_get_flags();  // cpuid once, so that the cleared flag stays cleared
  cpuid_clear_flag(CPUID_AESNI);
#endif
}

// Ids wolfSSL lacks are left out (counted, the first few kept for the line);
// an id already in the list is dropped, as wolfSSL would drop it.
void CipherSuites::add(uint16_t id) {
  if (cipher_suite_name(id) == nullptr) {
    if (skipped_ < kMaxNamed) named_[skipped_] = id;
    ++skipped_;
    return;
  }
  for (size_t i = 0; i < count_; ++i)
    if (this->id(i) == id) return;
  if (count_ == kMaxSuites) return;
  store_be16(bytes_ + 2 * count_, id);
  ++count_;
}

bool CipherSuites::has_tls13() const {
  for (size_t i = 0; i < count_; ++i)
    if (id(i) >> 8 == 0x13) return true;
  return false;
}

bool CipherSuites::has_tls12() const {
  for (size_t i = 0; i < count_; ++i)
    if (id(i) >> 8 != 0x13) return true;
  return false;
}

CipherSuites CipherSuites::ordered(bool aes_first) {
  CipherSuites suites;
  suites.aes_first_ = aes_first;
  auto add_pair = [&](Span<const uint16_t> chacha, Span<const uint16_t> aes) {
    for (uint16_t id : aes_first ? aes : chacha) suites.add(id);
    for (uint16_t id : aes_first ? chacha : aes) suites.add(id);
  };
  add_pair(kTls13Chacha, kTls13Aes);
  add_pair(kEcdheChacha, kEcdheAes);
  add_pair(kDheChacha, kDheAes);
  for (uint16_t id : kCbc) suites.add(id);
  // Our own table names only what the configuration builds; nothing to report.
  suites.skipped_ = 0;
  return suites;
}

CipherSuites CipherSuites::builtin(bool cpu_has_aes) {
  CipherSuites suites = ordered(cpu_has_aes && aes_uses_cpu_instructions());
  suites.cpu_has_aes_ = cpu_has_aes;
  return suites;
}

CipherSuites CipherSuites::from_ids(Bytes preferred, const char* source) {
  CipherSuites suites;
  suites.source_ = source;
  for (size_t i = 0; i + 1 < preferred.size(); i += 2) suites.add(load_be16(preferred.data() + i));
  return suites;
}

size_t CipherSuites::describe(char* out, size_t capacity) const {
  size_t length = 0;
  if (capacity > 0) out[0] = '\0';
  if (source_ == nullptr) {
    format_append(out, capacity, length, "tls: cipher suites: %s first (%s)",
                  aes_first_ ? "AES-GCM" : "ChaCha20-Poly1305",
                  aes_first_       ? "the CPU has AES instructions"
                  : !cpu_has_aes_ ? "the CPU has no AES instructions"
                                  : "AES-GCM runs in C in this build");
    return length;
  }
  auto append_skipped = [&] {
    for (size_t i = 0; i < skipped_ && i < kMaxNamed; ++i)
      format_append(out, capacity, length, "%s0x%04x", i == 0 ? "" : " ", named_[i]);
    if (skipped_ > kMaxNamed)
      format_append(out, capacity, length, " and %u more", static_cast<unsigned>(skipped_ - kMaxNamed));
  };
  if (count_ == 0) {
    format_append(out, capacity, length, "tls: %s names no cipher suite mpxe supports (", source_);
    append_skipped();
    format_append(out, capacity, length, ")%s", kRefused);
    return length;
  }
  format_append(out, capacity, length, "tls: %u cipher suite%s from %s:", static_cast<unsigned>(count_),
                count_ == 1 ? "" : "s", source_);
  for (size_t i = 0; i < count_ && i < kShownNames; ++i)
    format_append(out, capacity, length, " %s", cipher_suite_name(id(i)));
  if (count_ > kShownNames) format_append(out, capacity, length, " ...");
  if (skipped_ != 0) {
    format_append(out, capacity, length, "; not supported, skipped: ");
    append_skipped();
  }
  return length;
}

}  // namespace mpxe::tls
