// A bounded printf for firmware logs and host tests alike.
// Supports %s %c %d %i %u %x %X %p %% with optional '0' flag, width and the
// 'l'/'ll'/'z' length modifiers. Output is always NUL-terminated when capacity > 0.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

namespace mpxe {

// Returns the length the full output would have had (like vsnprintf).
size_t format_v(char* out, size_t capacity, const char* fmt, va_list args);
size_t format(char* out, size_t capacity, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// format() at the end of `out`, which holds `length` characters already; `length`
// grows by the full length, as format() returns it, even when the text no longer
// fits (so a caller can tell how long the whole line would have been).
void format_append(char* out, size_t capacity, size_t& length, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// `text` (from the network) for a console line: printable ASCII kept, any other
// byte '?', cut to fit; NUL-terminated when capacity > 0.
void copy_printable(Bytes text, char* out, size_t capacity);

// A size for console lines, in MiB rounded to tenths: "8 MiB", "4.5 MiB", "0.1 MiB".
size_t format_mib(uint64_t bytes, char* out, size_t capacity);

// Binary units for sizes on the console, each 1024 times the one before.
enum class SizeUnit : uint8_t { kB, kKiB, kMiB, kGiB };

// The largest unit that `bytes` fills at least once: 1023 is B, 1024 KiB (0 is B).
SizeUnit size_unit_for(uint64_t bytes);
const char* size_unit_name(SizeUnit unit);

// `bytes` in `unit`, without the unit's name: whole bytes for B ("512"), else tenths
// cut, not rounded ("12.0", "1023.9"), so a transfer shows its total only when done.
size_t format_in_unit(uint64_t bytes, SizeUnit unit, char* out, size_t capacity);

// A transfer's progress in the unit its total fits: "12.0/64.0 MiB", "58.0/58.0 KiB",
// "100/512 B", "1.2/4.0 GiB"; with the total unknown (0), the bytes alone in their
// own unit: "12.0 MiB".
size_t format_progress(uint64_t done, uint64_t total, char* out, size_t capacity);

}  // namespace mpxe
