// Words for the `pxebc` command's report (cmd_pxebc.cpp): EFI status codes and
// EFI_PXE_BASE_CODE_IP_FILTER bits by their specification names, so that a test
// greps "BUFFER_TOO_SMALL" rather than a firmware's own wording of it. Portable
// (no UEFI): the status is the raw 64-bit EFI_STATUS.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpsh {

// Long enough for any name below and for "WARN_18446744073709551615".
constexpr size_t kStatusNameSize = 32;

// The EFI_STATUS name without "EFI_" (UEFI 2.10 Appendix D): "SUCCESS",
// "BUFFER_TOO_SMALL", "WARN_STALE_DATA", and EDK II's network codes 100-106
// ("PORT_UNREACHABLE"). A code the tables do not know is "ERROR_<n>" or
// "WARN_<n>" with its number, so an odd answer still shows.
void format_efi_status(uint64_t status, char out[kStatusNameSize]);

// "STATION_IP|BROADCAST" for IpFilter.Filters, "none" for 0; bits the
// specification does not define follow as "0x30". Returns the full length,
// NUL-terminates when capacity > 0.
size_t format_ip_filters(uint8_t filters, char* out, size_t capacity);

}  // namespace mpsh
