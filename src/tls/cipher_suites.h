// The cipher suites a TLS context offers, most preferred first, as IANA ids.
//
// Either mpxe's own order, decided once per context from what the CPU can do:
// wolfSSL's AES-GCM is plain C unless the library is built to use AES-NI, and
// plain-C ChaCha20-Poly1305 is faster than plain-C AES-GCM on every CPU (about
// 1.5x on an AES-NI Xeon, more under QEMU's TCG), so ChaCha20-Poly1305 goes first
// unless the CPU has AES instructions and the library uses them.
//
// Or the ids of etc/edk2/https/ciphers (EDK II's HttpTlsCipherList) that wolfSSL
// has, in the file's order: the others are skipped and named, as EDK II's TlsLib
// skips ids it cannot map; a file that leaves none gives no suite, and https is
// refused rather than run with suites the file did not allow.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe::tls {

class CipherSuites {
 public:
  // More than wolfSSL builds with mpxe's configuration (27 suites).
  static constexpr size_t kMaxSuites = 48;
  // Skipped ids a line names; the rest are counted.
  static constexpr size_t kMaxNamed = 8;

  // mpxe's order for a CPU that does (not) have AES instructions (AES-NI with
  // PCLMULQDQ, SSE4.1 and SSSE3: what wolfSSL's AES-GCM runs on).
  static CipherSuites builtin(bool cpu_has_aes);
  // The order itself: TLS 1.3 suites first, then 1.2's ECDHE, DHE and CBC ones;
  // within each, AES-GCM or ChaCha20-Poly1305 first as `aes_first` says.
  static CipherSuites ordered(bool aes_first);
  // The ids of `preferred` (two bytes each, big-endian, most preferred first)
  // that wolfSSL has, each once. `source` names them in describe() and must
  // outlive this object ("fw_cfg etc/edk2/https/ciphers").
  static CipherSuites from_ids(Bytes preferred, const char* source);

  // Whether this build's AES-GCM runs on the CPU's AES instructions when it has them.
  static bool aes_uses_cpu_instructions();
  // Keeps wolfSSL's AES in C on a CPU whose cpuid has the AES bit but not the
  // rest its AES-NI code runs (PCLMULQDQ, SSE4.1, SSSE3): wolfSSL looks at the AES bit
  // alone, a CPU model such as QEMU's qemu64,+aes may have it alone. Call before
  // the first TLS context (wolfSSL reads the flag once, at the first key).
  static void keep_aes_in_c();

  size_t count() const { return count_; }
  uint16_t id(size_t i) const { return load_be16(bytes_ + 2 * i); }
  // The list as wolfSSL_CTX_set_cipher_list_bytes takes it.
  Bytes bytes() const { return Bytes(bytes_, 2 * count_); }
  bool aes_first() const { return aes_first_; }
  // Whether the list has TLS 1.3 suites (0x13xx), and suites of TLS 1.2.
  bool has_tls13() const;
  bool has_tls12() const;
  // Ids of the preferred list wolfSSL does not have (duplicates not counted).
  size_t skipped() const { return skipped_; }
  uint16_t skipped_id(size_t i) const { return named_[i]; }

  // One console line, no newline:
  //   "tls: cipher suites: ChaCha20-Poly1305 first (the CPU has no AES instructions)"
  //   "tls: 1 cipher suite from fw_cfg etc/edk2/https/ciphers: TLS13-AES256-GCM-SHA384;
  //    not supported, skipped: 0x1305"
  //   "tls: fw_cfg etc/edk2/https/ciphers names no cipher suite mpxe supports
  //    (0x1305 0x009d); https is refused"
  size_t describe(char* out, size_t capacity) const;

 private:
  void add(uint16_t id);

  uint8_t bytes_[2 * kMaxSuites] = {};
  size_t count_ = 0;
  uint16_t named_[kMaxNamed] = {};
  size_t skipped_ = 0;
  const char* source_ = nullptr;  // null: mpxe's own order
  bool aes_first_ = false;
  bool cpu_has_aes_ = false;
};

// wolfSSL's name of a suite it has ("TLS13-CHACHA20-POLY1305-SHA256"); null when
// this build has no such suite.
const char* cipher_suite_name(uint16_t id);

}  // namespace mpxe::tls
