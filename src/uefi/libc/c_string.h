// The C library's string functions that wolfSSL calls in the option ROM, with
// the C standard's semantics (C17 7.24, POSIX strcasecmp in the C locale).
// Portable: no UEFI header, so tests/unit/libc checks them on the host; libc.cpp
// gives them their C names in the firmware. Named in a namespace so that the
// host build, which has its own libc, never sees two definitions.
#pragma once

#include <stddef.h>

namespace mpxe::libc {

inline int to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

// Bytes compare as unsigned char (C17 7.24.4).
inline int compare_n(const char* a, const char* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
    if (x == '\0') return 0;
  }
  return 0;
}

inline int compare(const char* a, const char* b) { return compare_n(a, b, ~size_t{0}); }

inline int compare_ignoring_case(const char* a, const char* b) {
  for (;; ++a, ++b) {
    const int x = to_lower(static_cast<unsigned char>(*a));
    const int y = to_lower(static_cast<unsigned char>(*b));
    if (x != y) return x < y ? -1 : 1;
    if (x == '\0') return 0;
  }
}

// strncpy: at most n bytes; when src is shorter, the rest of dest is zeroed,
// and when it is not, dest gets no terminator.
inline char* copy_n_padded(char* dest, const char* src, size_t n) {
  size_t i = 0;
  for (; i < n && src[i] != '\0'; ++i) dest[i] = src[i];
  for (; i < n; ++i) dest[i] = '\0';
  return dest;
}

// strstr: the first occurrence of needle; an empty needle is found at haystack.
inline char* find(const char* haystack, const char* needle) {
  if (*needle == '\0') return const_cast<char*>(haystack);
  for (; *haystack != '\0'; ++haystack) {
    size_t i = 0;
    while (needle[i] != '\0' && haystack[i] == needle[i]) ++i;
    if (needle[i] == '\0') return const_cast<char*>(haystack);
  }
  return nullptr;
}

}  // namespace mpxe::libc
