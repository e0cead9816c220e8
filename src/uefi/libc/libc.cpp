// The C names of the string functions wolfSSL calls in the option ROM (the
// linker's list: see include/string.h). memcpy, memmove, memset, memcmp and
// strlen are src/uefi/runtime/crt.cpp's.
#include <stddef.h>

#include "uefi/libc/c_string.h"

extern "C" {

int strcmp(const char* a, const char* b) { return mpxe::libc::compare(a, b); }
int strncmp(const char* a, const char* b, size_t n) { return mpxe::libc::compare_n(a, b, n); }
int strcasecmp(const char* a, const char* b) { return mpxe::libc::compare_ignoring_case(a, b); }
char* strncpy(char* dest, const char* src, size_t n) {
  return mpxe::libc::copy_n_padded(dest, src, n);
}
char* strstr(const char* haystack, const char* needle) {
  return mpxe::libc::find(haystack, needle);
}
int tolower(int c) { return mpxe::libc::to_lower(c); }

}  // extern "C"
