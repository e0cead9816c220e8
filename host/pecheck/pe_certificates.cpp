#include "pecheck/pe_certificates.h"

#include <algorithm>
#include <utility>

#include "core/bytes.h"
#include "pecheck/hex_text.h"

namespace mpxe::pe {
namespace {

using FileBytes = std::span<const uint8_t>;

constexpr uint8_t kDerSequence = 0x30;
// DER long-form lengths this parser reads: up to 4 length bytes.
constexpr uint8_t kDerLongForm = 0x80;
constexpr size_t kDerMaxLengthBytes = 4;

CertParseResult fail(CertError error, std::string detail) {
  return CertParseResult{std::nullopt, error, std::move(detail)};
}

// The DER element at the start of `bytes`, header included, if it is a
// SEQUENCE that fits in `bytes`; else 0.
uint64_t der_sequence_size(FileBytes bytes) {
  if (bytes.size() < 2 || bytes[0] != kDerSequence) return 0;
  uint64_t content = bytes[1];
  size_t header = 2;
  if (content & kDerLongForm) {
    size_t length_bytes = content & ~kDerLongForm;
    // 0x80 is BER's indefinite length, which DER forbids.
    if (length_bytes == 0 || length_bytes > kDerMaxLengthBytes || bytes.size() < 2 + length_bytes) return 0;
    content = 0;
    for (size_t i = 0; i < length_bytes; ++i) content = content << 8 | bytes[2 + i];
    header += length_bytes;
  }
  uint64_t total = header + content;
  return total <= bytes.size() ? total : 0;
}

// Where the image's own bytes end: the headers and every section's file data.
uint64_t image_data_end(const PeImage& image) {
  uint64_t end = image.pe32_plus->size_of_headers;
  for (const Section& s : image.sections)
    if (s.size_of_raw_data != 0)
      end = std::max(end, uint64_t{s.pointer_to_raw_data} + s.size_of_raw_data);
  return end;
}

}  // namespace

const char* cert_error_text(CertError error) {
  switch (error) {
    case CertError::None: return "no error";
    case CertError::OutsideFile: return "certificate table outside the file";
    case CertError::Misaligned: return "certificate table not 8-byte aligned";
    case CertError::OverlapsImage: return "certificate table overlaps the image";
    case CertError::NotAtEnd: return "certificate table does not end the file";
    case CertError::TruncatedEntry: return "truncated certificate entry";
    case CertError::BadLength: return "bad certificate length";
    case CertError::BadRevision: return "bad certificate revision";
    case CertError::UnsupportedType: return "unsupported certificate type";
    case CertError::NotDer: return "certificate is not DER";
  }
  return "unknown error";
}

CertParseResult parse_certificate_table(FileBytes file, const PeImage& image) {
  CertificateTable table;
  if (!image.pe32_plus) return CertParseResult{std::move(table), CertError::None, {}};
  DataDirectory directory = image.pe32_plus->directory(Directory::Security);
  // A zero size means unsigned, whatever the offset says (as EDK II reads it).
  if (directory.size == 0) return CertParseResult{std::move(table), CertError::None, {}};
  table.offset = directory.virtual_address;
  table.size = directory.size;

  uint64_t start = table.offset;
  uint64_t end = start + table.size;
  std::string range = "table at " + hex(start) + ", " + hex(table.size) + " bytes";
  if (end > file.size())
    return fail(CertError::OutsideFile, range + ", the file is " + hex(file.size()) + " bytes");
  if (start % win_certificate::kAlignment != 0) return fail(CertError::Misaligned, range);
  uint64_t data_end = image_data_end(image);
  if (start < data_end)
    return fail(CertError::OverlapsImage, range + ", the image's data ends at " + hex(data_end));
  if (end != file.size())
    return fail(CertError::NotAtEnd, range + ", the file is " + hex(file.size()) + " bytes");

  for (uint64_t at = start; at < end;) {
    if (end - at < win_certificate::kHeaderSize)
      return fail(CertError::TruncatedEntry, "entry at " + hex(at) + " has " + hex(end - at) + " bytes");
    Certificate entry;
    entry.offset = static_cast<uint32_t>(at);
    entry.length = load_le32(file.data() + at + win_certificate::kLength);
    entry.revision = load_le16(file.data() + at + win_certificate::kRevision);
    entry.type = load_le16(file.data() + at + win_certificate::kCertificateType);
    std::string where = "entry at " + hex(at);
    if (entry.length < win_certificate::kHeaderSize || entry.length > end - at)
      return fail(CertError::BadLength, where + ": dwLength " + hex(entry.length) + ", " +
                                            hex(end - at) + " bytes left in the table");
    if (entry.revision != win_certificate::kRevision2)
      return fail(CertError::BadRevision, where + ": wRevision " + hex(entry.revision) + ", not 0x200");
    if (entry.type != win_certificate::kTypePkcsSignedData)
      return fail(CertError::UnsupportedType,
                  where + ": wCertificateType " + hex(entry.type) + ", not PKCS_SIGNED_DATA (0x2)");
    FileBytes content = file.subspan(at + win_certificate::kHeaderSize, entry.length - win_certificate::kHeaderSize);
    uint64_t der_size = der_sequence_size(content);
    if (der_size == 0)
      return fail(CertError::NotDer, where + ": no DER SEQUENCE fits in its " + hex(content.size()) + " bytes");
    entry.signed_data_size = static_cast<uint32_t>(der_size);
    table.entries.push_back(entry);
    at += (uint64_t{entry.length} + win_certificate::kAlignment - 1) / win_certificate::kAlignment *
          win_certificate::kAlignment;
  }
  return CertParseResult{std::move(table), CertError::None, {}};
}

}  // namespace mpxe::pe
