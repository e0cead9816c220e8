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

}  // namespace mpxe
