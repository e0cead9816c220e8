// Hex numbers on the command line: PCI ids and class codes are always written
// in hex (lspci, the PCI ID database), so "1000" means 0x1000 here, not 1000.
#pragma once

#include <stdint.h>

#include <optional>
#include <string_view>

namespace mpxe::rom {

// "0x1af4", "0X1AF4" or "1af4"; nullopt when empty, not hex, or over max.
inline std::optional<uint32_t> parse_hex_arg(std::string_view text, uint32_t max) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<uint64_t>(digit);
    if (value > max) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace mpxe::rom
