#include "mpsh/member_report.h"

#include <stdarg.h>

#include "core/format.h"
#include "net/wire/mac_address.h"
#include "uefi/runtime/log.h"

namespace mpsh {

void MemberReport::say(const char* label, const char* fmt, ...) const {
  char text[240];
  va_list args;
  va_start(args, fmt);
  mpxe::format_v(text, sizeof(text), fmt, args);
  va_end(args);
  uefi::print("%s: %s: %s\n", command_, label, text);
}

void MemberReport::report(const char* member, uefi::Status s, const char* fmt, ...) const {
  char details[200];
  va_list args;
  va_start(args, fmt);
  mpxe::format_v(details, sizeof(details), fmt, args);
  va_end(args);
  say(member, "%s%s%s", StatusText(s).text, details[0] != '\0' ? " " : "", details);
}

MacText::MacText(const uefi::MacAddress& mac) {
  mpxe::net::MacAddress::from_bytes(mac.Addr).format(text, sizeof(text));
}

}  // namespace mpsh
