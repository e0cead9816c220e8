// The attribute certificate table of a signed PE image (PE/COFF specification,
// "The Attribute Certificate Table"; UEFI 2.10 section 32.2.4, WIN_CERTIFICATE).
//
// Data directory 4 holds a file offset and a size, not an RVA. Each entry is a
// WIN_CERTIFICATE: dwLength (the entry's bytes, header included), wRevision,
// wCertificateType, then the certificate; the next entry starts at the next
// 8-byte boundary. An Authenticode signature is an entry of type
// PKCS_SIGNED_DATA holding a DER PKCS#7 SignedData.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pecheck/pe_image.h"

namespace mpxe::pe {

namespace win_certificate {
inline constexpr size_t kLength = 0x00;           // uint32, the entry's bytes, header included
inline constexpr size_t kRevision = 0x04;         // uint16
inline constexpr size_t kCertificateType = 0x06;  // uint16
inline constexpr size_t kHeaderSize = 0x08;
inline constexpr uint32_t kAlignment = 8;

inline constexpr uint16_t kRevision2 = 0x0200;
inline constexpr uint16_t kTypePkcsSignedData = 0x0002;
}  // namespace win_certificate

struct Certificate {
  uint32_t offset = 0;  // of the WIN_CERTIFICATE header, in the file
  uint32_t length = 0;  // dwLength
  uint16_t revision = 0;
  uint16_t type = 0;
  // The DER SignedData: its outer SEQUENCE, header included, inside the entry.
  uint32_t signed_data_size = 0;
};

struct CertificateTable {
  uint32_t offset = 0;  // the security directory's file offset
  uint32_t size = 0;    // and size; both 0 for an unsigned image
  std::vector<Certificate> entries;

  bool signed_image() const { return !entries.empty(); }
};

// Why a certificate table is unusable. Values are stable: tests compare them.
enum class CertError : uint8_t {
  None = 0,
  OutsideFile,      // the directory's range runs past the end of the file
  Misaligned,       // the table does not start on an 8-byte boundary
  OverlapsImage,    // the table starts before the headers or a section's data end
  NotAtEnd,         // bytes follow the table: Authenticode hashes would cover them
  TruncatedEntry,   // fewer than 8 bytes left for an entry's header
  BadLength,        // dwLength under 8, or past the end of the table
  BadRevision,      // wRevision is not 0x0200
  UnsupportedType,  // wCertificateType is not PKCS_SIGNED_DATA (0x0002)
  NotDer,           // the certificate is not one DER SEQUENCE inside its entry
};

const char* cert_error_text(CertError error);

struct CertParseResult {
  std::optional<CertificateTable> table;  // set exactly when error is None
  CertError error = CertError::None;
  std::string detail;  // what did not fit, with offsets, for people
};

// `image` is what parse_pe(file) returned for the same bytes. An image without
// a security directory (size 0) yields a table with no entries.
CertParseResult parse_certificate_table(std::span<const uint8_t> file, const PeImage& image);

}  // namespace mpxe::pe
