// The few C runtime symbols the compiler may emit calls to in freestanding code.
#include <stddef.h>
#include <stdint.h>

extern "C" {

// Tells the MSVC-ABI object model that floating point is in use; nothing reads it.
int _fltused = 0;

void* memcpy(void* dest, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dest);
  const auto* s = static_cast<const uint8_t*>(src);
  // rep movsb is fast on every CPU we target (ERMSB) and keeps the compiler from
  // turning this loop back into a call to memcpy.
  asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dest);
  const auto* s = static_cast<const uint8_t*>(src);
  if (d <= s || d >= s + n) return memcpy(dest, src, n);
  d += n - 1;
  s += n - 1;
  asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dest;
}

void* memset(void* dest, int value, size_t n) {
  auto* d = static_cast<uint8_t*>(dest);
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(value) : "memory");
  return dest;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

}  // extern "C"

// Called through a vtable slot that was never overridden: a bug, so stop loudly.
extern "C" int _purecall() {
  for (;;) asm volatile("hlt");
}
