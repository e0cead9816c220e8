// Small string helpers for the shell. Portable: no UEFI, no C library beyond the
// compiler's own headers, so host tests and the firmware build share them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpsh {

size_t text_length(const char* s);
bool text_equal(const char* a, const char* b);
// Copies at most `n` characters of `src` (stopping at a NUL) into `dst`, which always
// ends NUL-terminated when capacity > 0. Returns the number of characters copied.
size_t text_copy(char* dst, size_t capacity, const char* src, size_t n);

// Unsigned decimal, or hex with a 0x prefix; rejects empty text, junk and overflow.
bool parse_u64(const char* text, uint64_t* value);

// A UEFI revision word as the specification writes it: the high 16 bits are the
// major number, the low 16 bits the minor in tenths with an optional third digit
// (2.70 -> "2.7", 2.31 -> "2.3.1", 2.100 -> "2.10").
constexpr size_t kRevisionTextSize = 24;
void format_uefi_revision(uint32_t revision, char out[kRevisionTextSize]);

// Name of an EFI_MEMORY_TYPE value, e.g. 7 -> "Conventional"; "Unknown" past the table.
const char* memory_type_name(uint32_t type);

}  // namespace mpsh
