// "0x1f4"-style text for values in diagnostics.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <string>

namespace mpxe::pe {

inline std::string hex(uint64_t value) {
  char text[24];
  snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace mpxe::pe
