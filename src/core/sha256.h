// SHA-256 (FIPS 180-4), streaming. Used to fingerprint every downloaded image.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe {

class Sha256 {
 public:
  static constexpr size_t kDigestSize = 32;
  static constexpr size_t kHexSize = 2 * kDigestSize + 1;  // with the NUL

  Sha256() { reset(); }
  void reset();
  void update(const void* data, size_t size);
  void finish(uint8_t digest[kDigestSize]);
  // Lower-case hex of the digest, NUL-terminated.
  void finish_hex(char hex[kHexSize]);
  static void to_hex(const uint8_t digest[kDigestSize], char hex[kHexSize]);

 private:
  void compress(const uint8_t block[64]);

  uint32_t state_[8];
  uint8_t block_[64];
  size_t block_used_;
  uint64_t total_bytes_;
};

}  // namespace mpxe
