// wolfSSL's snprintf (XSNPRINTF in user_settings.h), the same in the ROM, which
// has no C library, and on the host: core's bounded printf. wolfSSL formats
// certificate addresses ("%u.%u.%u.%u", "%02X%02X:") and dates with it.
#include <stdarg.h>
#include <stddef.h>

#include "core/format.h"

extern "C" int mpxe_snprintf(char* out, size_t capacity, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  const size_t length = mpxe::format_v(out, capacity, fmt, args);
  va_end(args);
  return static_cast<int>(length);
}
