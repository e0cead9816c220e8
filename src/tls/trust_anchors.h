// What HTTPS trusts and prefers, taken the way OVMF takes it, so one VM
// configuration serves both: the CA certificates of an EFI_SIGNATURE_LIST buffer
// (fw_cfg etc/edk2/https/cacerts, else the TlsCaCertificate variable) and the
// cipher suite preferences of etc/edk2/https/ciphers. Portable: the ROM reads the
// bytes (src/driver/boot/trust_store.cpp) and keeps them; this holds the views.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "tls/signature_list.h"

namespace mpxe::tls {

// One DER certificate the TLS layer is to trust, in memory that lives as long as
// the driver.
struct TrustAnchor {
  const uint8_t* der = nullptr;
  size_t length = 0;
};

enum class TrustSource : uint8_t {
  kNone,      // neither the fw_cfg file nor the variable exists
  kFwCfg,     // fw_cfg etc/edk2/https/cacerts
  kVariable,  // the TlsCaCertificate variable (gEfiTlsCaCertificateGuid)
};

inline constexpr char kCaCertsFwCfgFile[] = "etc/edk2/https/cacerts";
inline constexpr char kCiphersFwCfgFile[] = "etc/edk2/https/ciphers";
// Bigger than any CA bundle (Debian's ca-certificates is about 200 KB as DER).
inline constexpr size_t kMaxTrustBytes = 4u << 20;
// Far more than every suite there is, two bytes each.
inline constexpr size_t kMaxCipherBytes = 2048;

// The certificates of one source. A source with a malformed list is refused as a
// whole: no anchor from it is trusted, and describe() names the list and the byte.
class TrustAnchors {
 public:
  // The X.509 certificates a well-formed buffer holds (0 when it is malformed):
  // how many slots load() needs.
  static size_t count(Bytes lists);

  // Takes the certificates of `lists` (which must outlive this object) into
  // `slots`, at most `capacity` of them.
  void load(TrustSource source, Bytes lists, TrustAnchor* slots, size_t capacity);
  // The source exists but could not be read: `size` bytes over kMaxTrustBytes, or
  // no memory for them.
  void refuse(TrustSource source, uint32_t size, bool too_big);

  Span<const TrustAnchor> anchors() const { return Span<const TrustAnchor>(slots_, count_); }
  TrustSource source() const { return source_; }

  // One console line, no newline: "tls: 1 trust anchor from fw_cfg etc/edk2/https/cacerts",
  // or why there is none ("...; https is refused").
  size_t describe(char* out, size_t capacity) const;

 private:
  TrustSource source_ = TrustSource::kNone;
  TrustAnchor* slots_ = nullptr;
  size_t count_ = 0;
  uint32_t size_ = 0;
  uint32_t skipped_lists_ = 0;
  bool too_big_ = false;
  bool no_memory_ = false;
  bool truncated_ = false;  // more certificates than slots
  SignatureListFault fault_{};
};

// etc/edk2/https/ciphers: TLS CipherSuite ids (RFC 5246 7.4.1.2), two bytes each,
// most preferred first -- EDK II's HttpTlsCipherList format. They are kept as the
// bytes, which is what wolfSSL_CTX_set_cipher_list_bytes takes.
class CipherPreferences {
 public:
  // Absent: the TLS layer's own suites. Present: must be whole, non-empty ids.
  void load(Bytes ids);
  // Present but not read: over kMaxCipherBytes, or no memory for it.
  void refuse(uint32_t size);
  void set_absent() { *this = CipherPreferences(); }

  bool present() const { return present_; }
  // A file that is empty or of odd length: OVMF stops the machine on it; HTTPS
  // here is refused rather than run with suites the file did not allow.
  bool malformed() const { return present_ && (refused_ || size_ == 0 || size_ % 2 != 0); }
  Bytes ids() const { return malformed() ? Bytes() : ids_; }
  size_t count() const { return ids().size() / 2; }
  uint16_t id(size_t i) const { return load_be16(ids_.data() + 2 * i); }

  // "tls: 3 cipher suites preferred by fw_cfg etc/edk2/https/ciphers: 0x1301 ..."
  size_t describe(char* out, size_t capacity) const;

 private:
  Bytes ids_;
  uint32_t size_ = 0;
  bool present_ = false;
  bool refused_ = false;
};

}  // namespace mpxe::tls
