#include "driver/boot/trust_store.h"

#include "qemu/fw_cfg.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {

using namespace uefi;

namespace {

// gEfiTlsCaCertificateGuid (EDK II NetworkPkg/Include/Guid/TlsAuthentication.h);
// tls::kTlsCaCertificateGuid is the same GUID in its wire bytes.
constexpr Guid kTlsCaCertificateVendor = {
    0xfd2340d0, 0x3dab, 0x4349, {0xa6, 0xc7, 0x3b, 0x4f, 0x12, 0xb4, 0x8e, 0xae}};
constexpr char16_t kTlsCaCertificateName[] = u"TlsCaCertificate";

TrustStore g_trust_store;

}  // namespace

TrustStore& trust_store() { return g_trust_store; }

void TrustStore::load() {
  if (loaded_) return;
  load_anchors();
  load_ciphers();
  loaded_ = true;
}

// Counts the certificates first so the list of them takes one allocation of its
// exact size; the bytes themselves stay where they were read.
void TrustStore::take_anchors(tls::TrustSource source, uint8_t* bytes, uint32_t size) {
  Bytes lists(bytes, size);
  size_t count = tls::TrustAnchors::count(lists);
  tls::TrustAnchor* slots = nullptr;
  if (count != 0) {
    slots = static_cast<tls::TrustAnchor*>(allocate(count * sizeof(tls::TrustAnchor)));
    if (slots == nullptr) {
      anchors_.refuse(source, size, false);
      return;
    }
  }
  anchors_.load(source, lists, slots, count);
}

void TrustStore::load_anchors() {
  // The fw_cfg file wins, even empty (OVMF then empties the variable too: an empty
  // list from the host means "trust nothing", never "trust what was there").
  qemu::FwCfgFile file;
  if (qemu::fw_cfg_lookup(tls::kCaCertsFwCfgFile, &file)) {
    if (file.size > tls::kMaxTrustBytes) return anchors_.refuse(tls::TrustSource::kFwCfg, file.size, true);
    uint8_t* bytes = nullptr;
    if (file.size != 0) {
      bytes = static_cast<uint8_t*>(allocate(file.size));
      if (bytes == nullptr) return anchors_.refuse(tls::TrustSource::kFwCfg, file.size, false);
      qemu::fw_cfg_read(file.select, bytes, file.size);
    }
    return take_anchors(tls::TrustSource::kFwCfg, bytes, file.size);
  }
  Uintn size = 0;
  Status s = rt()->GetVariable(kTlsCaCertificateName, &kTlsCaCertificateVendor, nullptr, &size,
                               nullptr);
  if (s != kBufferTooSmall) {
    anchors_ = tls::TrustAnchors();  // no source: refused, and said so
    return;
  }
  if (size > tls::kMaxTrustBytes)
    return anchors_.refuse(tls::TrustSource::kVariable, static_cast<uint32_t>(size), true);
  auto* bytes = static_cast<uint8_t*>(allocate(size));
  if (bytes == nullptr)
    return anchors_.refuse(tls::TrustSource::kVariable, static_cast<uint32_t>(size), false);
  s = rt()->GetVariable(kTlsCaCertificateName, &kTlsCaCertificateVendor, nullptr, &size, bytes);
  if (is_error(s)) {
    release(bytes);
    anchors_ = tls::TrustAnchors();
    return;
  }
  take_anchors(tls::TrustSource::kVariable, bytes, static_cast<uint32_t>(size));
}

void TrustStore::load_ciphers() {
  qemu::FwCfgFile file;
  if (!qemu::fw_cfg_lookup(tls::kCiphersFwCfgFile, &file)) return ciphers_.set_absent();
  if (file.size > tls::kMaxCipherBytes) return ciphers_.refuse(file.size);
  uint8_t* bytes = nullptr;
  if (file.size != 0) {
    bytes = static_cast<uint8_t*>(allocate(file.size));
    if (bytes == nullptr) return ciphers_.refuse(file.size);
    qemu::fw_cfg_read(file.select, bytes, file.size);
  }
  ciphers_.load(Bytes(bytes, file.size));
}

}  // namespace mpxe::driver
