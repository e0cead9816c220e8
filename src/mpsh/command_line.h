// Splitting shell input: a script into commands, a command into words.
// Portable (no UEFI) so host tests cover it.
#pragma once

#include <stddef.h>

#include "core/bytes.h"

namespace mpsh {

using TextView = mpxe::Span<const char>;

// Walks a script whose commands are separated by ';', newlines or NULs (a fw_cfg
// file may end with either). Each command comes back with surrounding spaces and
// tabs trimmed; empty commands are skipped.
class CommandSplitter {
 public:
  CommandSplitter(const char* text, size_t size) : text_(text), size_(size) {}
  // False once the script is exhausted.
  bool next(TextView* command);

 private:
  const char* text_;
  size_t size_;
  size_t pos_ = 0;
};

// The script's commands joined by "; " into `out` (NUL-terminated, truncated to
// fit), so a multi-line script prints as one line. Returns the untruncated length.
size_t join_commands(const char* text, size_t size, char* out, size_t capacity);

// Splits `line` in place on spaces and tabs: NUL-terminates each word and stores
// a pointer to it in argv. Words past max_args are dropped; returns the count.
size_t split_words(char* line, char** argv, size_t max_args);

}  // namespace mpsh
