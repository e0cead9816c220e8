// The seed wolfSSL's DRBG starts from, mixed from what the platform has: bytes
// from a true random source (RDRAND, EFI_RNG_PROTOCOL) and bytes that only help
// (TSC jitter). Everything added is hashed, each item with its kind and length;
// output block i is SHA-256(everything, i). Without enough bytes from a true
// source there is no seed: a TSC alone is guessable, and a TLS key made from it
// would be too.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/sha256.h"

namespace mpxe::tls {

class EntropyMix {
 public:
  EntropyMix();

  // From a true random source.
  void add_strong(const void* data, size_t size);
  // Unpredictable in part only: mixed in, never counted.
  void add_weak(const void* data, size_t size);

  size_t strong_bytes() const { return strong_bytes_; }

  // Fills out[0, size) when at least `size` strong bytes went in; otherwise
  // false and out is left alone.
  bool extract(uint8_t* out, size_t size) const;

 private:
  void add(uint8_t kind, const void* data, size_t size);

  Sha256 hash_;
  size_t strong_bytes_ = 0;
};

}  // namespace mpxe::tls
