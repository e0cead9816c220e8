#include "tls/trust_anchors.h"

#include "core/format.h"

namespace mpxe::tls {

namespace {

const char* source_text(TrustSource source) {
  switch (source) {
    case TrustSource::kNone: return "nowhere";
    case TrustSource::kFwCfg: return "fw_cfg etc/edk2/https/cacerts";
    case TrustSource::kVariable: return "the TlsCaCertificate variable";
  }
  return "?";
}

constexpr char kRefused[] = "; https is refused";

}  // namespace

size_t TrustAnchors::count(Bytes lists) {
  SignatureListWalker walker(lists);
  Bytes der;
  size_t n = 0;
  while (walker.next(&der)) ++n;
  return walker.fault().ok() ? n : 0;
}

void TrustAnchors::load(TrustSource source, Bytes lists, TrustAnchor* slots, size_t capacity) {
  *this = TrustAnchors();
  source_ = source;
  size_ = static_cast<uint32_t>(lists.size());
  slots_ = slots;
  SignatureListWalker walker(lists);
  Bytes der;
  while (walker.next(&der)) {
    if (count_ == capacity) {
      truncated_ = true;
      continue;
    }
    slots_[count_++] = TrustAnchor{der.data(), der.size()};
  }
  skipped_lists_ = walker.skipped_lists();
  fault_ = walker.fault();
  if (!fault_.ok()) count_ = 0;  // a source with a broken list is not trusted at all
}

void TrustAnchors::refuse(TrustSource source, uint32_t size, bool too_big) {
  *this = TrustAnchors();
  source_ = source;
  size_ = size;
  too_big_ = too_big;
  no_memory_ = !too_big;
}

size_t TrustAnchors::describe(char* out, size_t capacity) const {
  size_t length = 0;
  if (capacity > 0) out[0] = '\0';
  const char* from = source_text(source_);
  if (source_ == TrustSource::kNone) {
    format_append(out, capacity, length,
                  "tls: no trust anchors (no fw_cfg %s, no TlsCaCertificate variable)%s",
                  kCaCertsFwCfgFile, kRefused);
    return length;
  }
  if (too_big_ || no_memory_) {
    format_append(out, capacity, length, "tls: no trust anchors: %s holds %u bytes, %s%s", from,
                  size_, too_big_ ? "more than a trust store may" : "and no memory is left for them",
                  kRefused);
    return length;
  }
  if (!fault_.ok()) {
    format_append(out, capacity, length, "tls: no trust anchors: %s: ", from);
    char fault[128];
    signature_list_fault_format(fault_, fault, sizeof fault);
    format_append(out, capacity, length, "%s%s", fault, kRefused);
    return length;
  }
  if (count_ == 0) {
    format_append(out, capacity, length, "tls: no trust anchors: %s %s%s", from,
                  size_ == 0 ? "is empty" : "holds no X.509 certificate", kRefused);
    return length;
  }
  format_append(out, capacity, length, "tls: %u trust anchor%s from %s",
                static_cast<unsigned>(count_), count_ == 1 ? "" : "s", from);
  if (skipped_lists_ != 0)
    format_append(out, capacity, length, " (%u list%s of another type skipped)", skipped_lists_,
                  skipped_lists_ == 1 ? "" : "s");
  if (truncated_) format_append(out, capacity, length, " (more were left out: no room)");
  return length;
}

void CipherPreferences::load(Bytes ids) {
  ids_ = ids;
  size_ = static_cast<uint32_t>(ids.size());
  present_ = true;
}

void CipherPreferences::refuse(uint32_t size) {
  *this = CipherPreferences();
  size_ = size;
  present_ = true;
  refused_ = true;
}

size_t CipherPreferences::describe(char* out, size_t capacity) const {
  size_t length = 0;
  if (capacity > 0) out[0] = '\0';
  if (!present_) {
    format_append(out, capacity, length, "tls: no fw_cfg %s: mpxe's own cipher suites",
                  kCiphersFwCfgFile);
    return length;
  }
  if (refused_) {
    format_append(out, capacity, length, "tls: fw_cfg %s holds %u bytes, %s%s", kCiphersFwCfgFile,
                  size_, size_ > kMaxCipherBytes ? "more than any cipher list" : "no memory for them",
                  kRefused);
    return length;
  }
  if (malformed()) {
    format_append(out, capacity, length,
                  "tls: fw_cfg %s holds %u bytes, not whole 2-byte cipher suite ids%s",
                  kCiphersFwCfgFile, size_, kRefused);
    return length;
  }
  format_append(out, capacity, length, "tls: %u cipher suite%s preferred by fw_cfg %s:",
                static_cast<unsigned>(count()), count() == 1 ? "" : "s", kCiphersFwCfgFile);
  constexpr size_t kShown = 8;
  for (size_t i = 0; i < count() && i < kShown; ++i)
    format_append(out, capacity, length, " 0x%04x", id(i));
  if (count() > kShown) format_append(out, capacity, length, " ...");
  return length;
}

}  // namespace mpxe::tls
