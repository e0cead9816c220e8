// The rates of a lossy link (FaultInjector) and their text form, as the runner's
// --faults hands them to the option ROM: "drop=10,dup=10,reorder=20,corrupt=0,
// seed=7". Rates are per mille (0 never, 1000 always), any subset, in any order,
// separated by commas or spaces; the seed picks the run to replay. Header-only so
// that the runner checks a spec with the same code the ROM reads it with.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::phy {

struct FaultRates {
  // Each in per mille: 0 never, 1000 always.
  uint16_t drop = 0;
  uint16_t duplicate = 0;
  uint16_t reorder = 0;
  uint16_t corrupt = 0;

  constexpr bool any() const { return drop != 0 || duplicate != 0 || reorder != 0 || corrupt != 0; }
};

// Parses `text` (NUL-terminated) into *rates and *seed, which keep their values
// for keys not given. False, with both untouched, on an unknown key, a missing
// or malformed number, or a rate over 1000.
inline bool parse_fault_spec(const char* text, FaultRates* rates, uint64_t* seed) {
  FaultRates r = *rates;
  uint64_t s = *seed;
  const char* p = text;
  auto key_is = [](const char* at, size_t n, const char* key) {
    size_t i = 0;
    for (; i < n && key[i] != '\0'; ++i)
      if (at[i] != key[i]) return false;
    return i == n && key[i] == '\0';
  };
  for (;;) {
    while (*p == ',' || *p == ' ' || *p == '\n') ++p;
    if (*p == '\0') break;
    const char* key = p;
    while (*p != '=' && *p != '\0' && *p != ',' && *p != ' ') ++p;
    if (*p != '=') return false;
    size_t key_len = static_cast<size_t>(p - key);
    ++p;
    if (*p < '0' || *p > '9') return false;
    uint64_t value = 0;
    for (int digits = 0; *p >= '0' && *p <= '9'; ++p) {
      if (++digits > 19) return false;
      value = value * 10 + static_cast<uint64_t>(*p - '0');
    }
    if (*p != '\0' && *p != ',' && *p != ' ' && *p != '\n') return false;
    if (key_is(key, key_len, "seed")) {
      s = value;
      continue;
    }
    if (value > 1000) return false;
    uint16_t rate = static_cast<uint16_t>(value);
    if (key_is(key, key_len, "drop")) r.drop = rate;
    else if (key_is(key, key_len, "dup")) r.duplicate = rate;
    else if (key_is(key, key_len, "reorder")) r.reorder = rate;
    else if (key_is(key, key_len, "corrupt")) r.corrupt = rate;
    else return false;
  }
  *rates = r;
  *seed = s;
  return true;
}

}  // namespace mpxe::phy
