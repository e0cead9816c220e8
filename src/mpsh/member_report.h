// How the `pxebc` and `snp` commands print what a protocol member answered: one
// line per item, "<command>: <member>: <STATUS> <details>", the status by its
// specification name (pxebc_text.h), so tests grep the same words for every
// firmware.
#pragma once

#include <stdint.h>

#include "mpsh/pxebc_text.h"
#include "uefi/types.h"

namespace mpsh {

class MemberReport {
 public:
  explicit constexpr MemberReport(const char* command) : command_(command) {}

  // "<command>: <label>: <text>".
  void say(const char* label, const char* fmt, ...) const __attribute__((format(printf, 3, 4)));
  // "<command>: <member>: <STATUS>" and the details, if any, after a space.
  void report(const char* member, uefi::Status s, const char* fmt, ...) const
      __attribute__((format(printf, 4, 5)));

 private:
  const char* command_;
};

struct MacText {
  explicit MacText(const uefi::MacAddress& mac);
  char text[18];
};

struct StatusText {
  explicit StatusText(uefi::Status s) { format_efi_status(s, text); }
  char text[kStatusNameSize];
};

}  // namespace mpsh
