#include "uefi/types.h"

namespace uefi {

const char* status_text(Status s) {
  if (s == kSuccess) return "Success";
  if (!is_error(s)) {
    static const char* const kWarning[] = {
        "Success",          "Warning Unknown Glyph", "Warning Delete Failure",
        "Warning Write Failure", "Warning Buffer Too Small", "Warning Stale Data",
        "Warning File System", "Warning Reset Required"};
    if (s < sizeof(kWarning) / sizeof(kWarning[0])) return kWarning[s];
    return "Warning";
  }
  static const char* const kText[] = {
      "Success",           "Load Error",         "Invalid Parameter",    "Unsupported",
      "Bad Buffer Size",   "Buffer Too Small",   "Not Ready",            "Device Error",
      "Write Protected",   "Out of Resources",   "Volume Corrupt",       "Volume Full",
      "No Media",          "Media changed",      "Not Found",            "Access Denied",
      "No Response",       "No mapping",         "Time out",             "Not started",
      "Already started",   "Aborted",            "ICMP Error",           "TFTP Error",
      "Protocol Error",    "Incompatible Version", "Security Violation", "CRC Error",
      "End of Media",      "Reserved (29)",      "Reserved (30)",        "End of File",
      "Invalid Language",  "Compromised Data",   "IP Address Conflict",  "HTTP Error"};
  Uintn code = s & ~kErrorBit;
  if (code < sizeof(kText) / sizeof(kText[0])) return kText[code];
  return "Unknown Error";
}

}  // namespace uefi
