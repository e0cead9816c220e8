// HTTPS trust for the ROM, read once when the driver starts: the CA certificates of
// fw_cfg etc/edk2/https/cacerts, else of the TlsCaCertificate variable (what OVMF's
// TlsAuthConfigLib copies that file into), and the cipher preferences of
// etc/edk2/https/ciphers. The bytes are copied into pool memory that lives as long
// as the driver; nothing is printed here (describe() gives the lines for when an
// https:// URL is booted).
#pragma once

#include "tls/trust_anchors.h"

namespace mpxe::driver {

class TrustStore {
 public:
  // Reads both sources; call once, on the BSP, before any HTTPS connection.
  void load();

  // The certificates the TLS layer trusts; empty: refuse https (anchors().describe()
  // says why).
  Span<const tls::TrustAnchor> anchor_list() const { return anchors_.anchors(); }
  const tls::TrustAnchors& anchors() const { return anchors_; }
  // Present and not malformed: ids() become TlsConfig::cipher_ids.
  // Malformed: refuse https. Absent: the TLS layer's own suites.
  const tls::CipherPreferences& ciphers() const { return ciphers_; }
  bool loaded() const { return loaded_; }

 private:
  void load_anchors();
  void load_ciphers();
  void take_anchors(tls::TrustSource source, uint8_t* bytes, uint32_t size);

  tls::TrustAnchors anchors_;
  tls::CipherPreferences ciphers_;
  bool loaded_ = false;
};

// The driver's one store (constant-initialised: no constructor runs at load).
TrustStore& trust_store();

}  // namespace mpxe::driver
