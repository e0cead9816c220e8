#include "tls/entropy_mix.h"

namespace mpxe::tls {

namespace {
constexpr uint8_t kStrong = 1;
constexpr uint8_t kWeak = 2;
constexpr char kLabel[] = "mpxe tls seed v1";
}  // namespace

EntropyMix::EntropyMix() { hash_.update(kLabel, sizeof(kLabel) - 1); }

void EntropyMix::add(uint8_t kind, const void* data, size_t size) {
  uint8_t tag[9] = {kind};
  for (int i = 0; i < 8; ++i) tag[1 + i] = static_cast<uint8_t>(uint64_t{size} >> (8 * i));
  hash_.update(tag, sizeof(tag));
  hash_.update(data, size);
}

void EntropyMix::add_strong(const void* data, size_t size) {
  add(kStrong, data, size);
  strong_bytes_ += size;
}

void EntropyMix::add_weak(const void* data, size_t size) { add(kWeak, data, size); }

bool EntropyMix::extract(uint8_t* out, size_t size) const {
  if (strong_bytes_ < size) return false;
  for (uint32_t block = 0; size > 0; ++block) {
    Sha256 h = hash_;
    const uint8_t counter[4] = {static_cast<uint8_t>(block), static_cast<uint8_t>(block >> 8),
                                static_cast<uint8_t>(block >> 16), static_cast<uint8_t>(block >> 24)};
    h.update(counter, sizeof(counter));
    uint8_t digest[Sha256::kDigestSize];
    h.finish(digest);
    const size_t n = size < sizeof(digest) ? size : sizeof(digest);
    for (size_t i = 0; i < n; ++i) out[i] = digest[i];
    out += n;
    size -= n;
  }
  return true;
}

}  // namespace mpxe::tls
