// Copy, fill and compare over byte views, for code that may not include <string.h>.
// The builtins lower to the memcpy/memmove/memset/memcmp that the firmware's
// runtime (src/uefi/runtime/crt.cpp) and the host's libc both provide.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe {

// Copies min(dst.size(), src.size()) bytes; the two may overlap. Returns the count.
inline size_t copy_bytes(MutableBytes dst, Bytes src) {
  size_t n = dst.size() < src.size() ? dst.size() : src.size();
  if (n != 0) __builtin_memmove(dst.data(), src.data(), n);
  return n;
}

inline void fill_bytes(MutableBytes dst, uint8_t value) {
  if (!dst.empty()) __builtin_memset(dst.data(), value, dst.size());
}

// Same length and same contents.
inline bool bytes_equal(Bytes a, Bytes b) {
  if (a.size() != b.size()) return false;
  return a.empty() || __builtin_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A NUL-terminated string as bytes, without the terminator.
inline Bytes bytes_of(const char* text) {
  size_t n = 0;
  while (text[n] != '\0') ++n;
  return Bytes(reinterpret_cast<const uint8_t*>(text), n);
}

// ASCII-only case folding, as protocol keywords (TFTP options, DNS labels) need.
inline uint8_t ascii_lower(uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<uint8_t>(c + ('a' - 'A')) : c;
}

inline bool bytes_equal_nocase(Bytes a, Bytes b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// `text` begins with `prefix`, ASCII case ignored (URL schemes); both NUL-terminated.
inline bool starts_with_nocase(const char* text, const char* prefix) {
  for (; *prefix != '\0'; ++text, ++prefix)
    if (ascii_lower(static_cast<uint8_t>(*text)) != ascii_lower(static_cast<uint8_t>(*prefix)))
      return false;
  return true;
}

// The value of one hex digit, or -1 for any other character.
inline int hex_digit_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace mpxe
