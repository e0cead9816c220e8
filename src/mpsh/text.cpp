#include "mpsh/text.h"

#include "core/format.h"

namespace mpsh {

size_t text_length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

bool text_equal(const char* a, const char* b) {
  for (;; ++a, ++b) {
    if (*a != *b) return false;
    if (*a == '\0') return true;
  }
}

size_t text_copy(char* dst, size_t capacity, const char* src, size_t n) {
  if (capacity == 0) return 0;
  size_t i = 0;
  for (; i < n && i + 1 < capacity && src[i] != '\0'; ++i) dst[i] = src[i];
  dst[i] = '\0';
  return i;
}

namespace {
int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool parse_u64(const char* text, uint64_t* value) {
  unsigned base = 10;
  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text += 2;
  }
  if (*text == '\0') return false;
  uint64_t v = 0;
  for (; *text != '\0'; ++text) {
    int d = digit_value(*text);
    if (d < 0 || static_cast<unsigned>(d) >= base) return false;
    if (v > (UINT64_MAX - static_cast<unsigned>(d)) / base) return false;
    v = v * base + static_cast<unsigned>(d);
  }
  *value = v;
  return true;
}

void format_uefi_revision(uint32_t revision, char out[kRevisionTextSize]) {
  unsigned major = revision >> 16;
  unsigned minor = revision & 0xffff;
  if (minor % 10 != 0)
    mpxe::format(out, kRevisionTextSize, "%u.%u.%u", major, minor / 10, minor % 10);
  else
    mpxe::format(out, kRevisionTextSize, "%u.%u", major, minor / 10);
}

const char* memory_type_name(uint32_t type) {
  static constexpr const char* kNames[] = {
      "Reserved",       "LoaderCode",     "LoaderData",      "BootServicesCode",
      "BootServicesData", "RuntimeCode",  "RuntimeData",     "Conventional",
      "Unusable",       "AcpiReclaim",    "AcpiNvs",         "Mmio",
      "MmioPortSpace",  "PalCode",        "Persistent",      "Unaccepted"};
  if (type < sizeof(kNames) / sizeof(kNames[0])) return kNames[type];
  return "Unknown";
}

}  // namespace mpsh
