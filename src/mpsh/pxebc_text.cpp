#include "mpsh/pxebc_text.h"

#include "core/format.h"

namespace mpsh {
namespace {

constexpr uint64_t kErrorBit = uint64_t{1} << 63;

// Indexed by the code without the error bit; null for the reserved 29 and 30.
constexpr const char* kErrors[] = {
    "SUCCESS",              "LOAD_ERROR",           "INVALID_PARAMETER",    "UNSUPPORTED",
    "BAD_BUFFER_SIZE",      "BUFFER_TOO_SMALL",     "NOT_READY",            "DEVICE_ERROR",
    "WRITE_PROTECTED",      "OUT_OF_RESOURCES",     "VOLUME_CORRUPTED",     "VOLUME_FULL",
    "NO_MEDIA",             "MEDIA_CHANGED",        "NOT_FOUND",            "ACCESS_DENIED",
    "NO_RESPONSE",          "NO_MAPPING",           "TIMEOUT",              "NOT_STARTED",
    "ALREADY_STARTED",      "ABORTED",              "ICMP_ERROR",           "TFTP_ERROR",
    "PROTOCOL_ERROR",       "INCOMPATIBLE_VERSION", "SECURITY_VIOLATION",   "CRC_ERROR",
    "END_OF_MEDIA",         nullptr,                nullptr,                "END_OF_FILE",
    "INVALID_LANGUAGE",     "COMPROMISED_DATA",     "IP_ADDRESS_CONFLICT",  "HTTP_ERROR"};

// EDK II's ICMP and TCP codes (MdePkg's UefiBaseType.h), from 100 on: its UDP
// stack hands an ICMP error up as one, and its PXE Base Code passes it through.
constexpr uint64_t kNetworkErrorsBase = 100;
constexpr const char* kNetworkErrors[] = {
    "NETWORK_UNREACHABLE", "HOST_UNREACHABLE", "PROTOCOL_UNREACHABLE", "PORT_UNREACHABLE",
    "CONNECTION_FIN",      "CONNECTION_RESET", "CONNECTION_REFUSED"};

constexpr const char* kWarnings[] = {
    "SUCCESS",               "WARN_UNKNOWN_GLYPH",    "WARN_DELETE_FAILURE",
    "WARN_WRITE_FAILURE",    "WARN_BUFFER_TOO_SMALL", "WARN_STALE_DATA",
    "WARN_FILE_SYSTEM",      "WARN_RESET_REQUIRED"};

template <size_t N>
const char* lookup(const char* const (&table)[N], uint64_t code) {
  return code < N ? table[code] : nullptr;
}

struct FilterBit {
  uint8_t bit;
  const char* name;
};

// EFI_PXE_BASE_CODE_IP_FILTER_* (UEFI 2.10, 24.3).
constexpr FilterBit kFilterBits[] = {
    {0x01, "STATION_IP"},
    {0x02, "BROADCAST"},
    {0x04, "PROMISCUOUS"},
    {0x08, "PROMISCUOUS_MULTICAST"},
};

}  // namespace

void format_efi_status(uint64_t status, char out[kStatusNameSize]) {
  const bool error = (status & kErrorBit) != 0;
  const uint64_t code = status & ~kErrorBit;
  const char* name = !error                       ? lookup(kWarnings, code)
                     : code < kNetworkErrorsBase ? lookup(kErrors, code)
                                                 : lookup(kNetworkErrors, code - kNetworkErrorsBase);
  if (error && code == 0) name = nullptr;  // the error bit alone is no EFI_SUCCESS
  if (name != nullptr)
    mpxe::format(out, kStatusNameSize, "%s", name);
  else
    mpxe::format(out, kStatusNameSize, "%s_%llu", error ? "ERROR" : "WARN",
                 static_cast<unsigned long long>(code));
}

size_t format_ip_filters(uint8_t filters, char* out, size_t capacity) {
  if (filters == 0) return mpxe::format(out, capacity, "none");
  size_t length = 0;
  auto append = [&](const char* word) {
    size_t at = length < capacity ? length : capacity;
    length += mpxe::format(out + at, capacity - at, "%s%s", length == 0 ? "" : "|", word);
  };
  uint8_t known = 0;
  for (const FilterBit& f : kFilterBits) {
    known |= f.bit;
    if (filters & f.bit) append(f.name);
  }
  if (filters & ~known) {
    char rest[8];
    mpxe::format(rest, sizeof(rest), "0x%02x", static_cast<unsigned>(filters & ~known));
    append(rest);
  }
  return length;
}

}  // namespace mpsh
