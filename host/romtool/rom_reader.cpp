#include "romtool/rom_reader.h"

#include <utility>

#include "core/bytes.h"
#include "pecheck/hex_text.h"
#include "romtool/rom_format.h"

namespace mpxe::rom {
namespace {

using pe::hex;
using RomBytes = std::span<const uint8_t>;

bool fits(RomBytes rom, uint64_t offset, uint64_t length) {
  return offset <= rom.size() && length <= rom.size() - offset;
}

struct Failure {
  RomReadErrc code;
  std::string detail;
};

// Fills the PCIR fields of `info`; `image` starts at the image's header and
// runs to the end of the ROM.
std::optional<Failure> read_pcir(RomBytes image, RomImageInfo& info) {
  info.pcir_offset = load_le16(image.data() + efi_header::kPcirOffset);
  if (info.pcir_offset == 0 || info.pcir_offset % pcir::kAlignment != 0)
    return Failure{RomReadErrc::BadPcirOffset, "PCIR offset " + hex(info.pcir_offset)};
  if (!fits(image, info.pcir_offset, pcir::kSizeRevision2))
    return Failure{RomReadErrc::Truncated, "PCIR at " + hex(info.pcir_offset) + " past the end"};
  const uint8_t* p = image.data() + info.pcir_offset;
  if (load_le32(p + pcir::kSignature) != pcir::kSignatureValue)
    return Failure{RomReadErrc::BadPcirSignature, "no \"PCIR\" at " + hex(info.pcir_offset)};
  info.vendor_id = load_le16(p + pcir::kVendorId);
  info.device_id = load_le16(p + pcir::kDeviceId);
  info.pcir_length = load_le16(p + pcir::kLength);
  info.pcir_revision = p[pcir::kRevision];
  info.class_code = uint32_t{p[pcir::kClassCode]} | uint32_t{p[pcir::kClassCode + 1]} << 8 |
                    uint32_t{p[pcir::kClassCode + 2]} << 16;
  info.image_length_units = load_le16(p + pcir::kImageLength);
  info.code_revision = load_le16(p + pcir::kCodeRevision);
  info.code_type = p[pcir::kCodeType];
  info.indicator = p[pcir::kIndicator];
  if (info.pcir_length < pcir::kSizeRevision2 || info.image_length_units == 0)
    return Failure{RomReadErrc::BadLength, "PCIR length " + hex(info.pcir_length) +
                                               ", image length " + hex(info.image_length_units)};
  if (!fits(image, 0, size_t{info.image_length_units} * kUnitSize))
    return Failure{RomReadErrc::Truncated,
                   "image length " + hex(size_t{info.image_length_units} * kUnitSize) +
                       " runs past the end of the ROM"};
  return std::nullopt;
}

// The same checks as EDK II's PCI bus driver makes before LoadImage.
std::optional<Failure> read_efi_header(RomBytes image, RomImageInfo& info) {
  const uint8_t* h = image.data();
  if (load_le32(h + efi_header::kEfiSignature) != efi_header::kEfiSignatureValue)
    return Failure{RomReadErrc::BadEfiHeader, "EFI code type without the 0x0EF1 signature"};
  info.initialization_units = load_le16(h + efi_header::kInitializationSize);
  info.efi_subsystem = load_le16(h + efi_header::kEfiSubsystem);
  info.efi_machine = load_le16(h + efi_header::kEfiMachineType);
  info.compression = load_le16(h + efi_header::kCompressionType);
  info.efi_image_offset = load_le16(h + efi_header::kEfiImageOffset);
  size_t initialization_size = size_t{info.initialization_units} * kUnitSize;
  if (info.initialization_units > info.image_length_units ||
      info.efi_image_offset >= initialization_size)
    return Failure{RomReadErrc::BadEfiHeader,
                   "initialization size " + hex(initialization_size) + ", image offset " +
                       hex(info.efi_image_offset) + ", image length " +
                       hex(size_t{info.image_length_units} * kUnitSize)};
  info.efi_image = image.subspan(info.efi_image_offset, initialization_size - info.efi_image_offset);
  return std::nullopt;
}

}  // namespace

bool RomImageInfo::is_efi() const { return code_type == pcir::kCodeTypeEfi; }
bool RomImageInfo::is_last() const { return (indicator & pcir::kIndicatorLastImage) != 0; }

const char* rom_read_error_text(RomReadErrc code) {
  switch (code) {
    case RomReadErrc::Truncated: return "truncated";
    case RomReadErrc::BadSignature: return "no 0xAA55 signature";
    case RomReadErrc::BadPcirOffset: return "bad PCIR offset";
    case RomReadErrc::BadPcirSignature: return "no PCIR signature";
    case RomReadErrc::BadLength: return "bad length";
    case RomReadErrc::BadEfiHeader: return "bad EFI header";
    case RomReadErrc::NoLastImage: return "no last image";
  }
  return "unknown error";
}

RomReadResult read_rom(RomBytes rom) {
  RomReadResult result;
  auto fail = [&](RomReadErrc code, size_t offset, std::string detail) {
    result.error = code;
    result.detail = "image at " + hex(offset) + ": " + std::move(detail);
    return std::move(result);
  };
  size_t offset = 0;
  while (offset < rom.size()) {
    RomBytes image = rom.subspan(offset);
    if (!fits(image, 0, efi_header::kSize))
      return fail(RomReadErrc::Truncated, offset, "header past the end of the ROM");
    if (load_le16(image.data() + efi_header::kSignature) != efi_header::kSignatureValue)
      return fail(RomReadErrc::BadSignature, offset, "no 0xAA55");
    RomImageInfo info;
    info.offset = offset;
    std::optional<Failure> failure = read_pcir(image, info);
    if (!failure && info.is_efi()) failure = read_efi_header(image, info);
    if (failure) return fail(failure->code, offset, std::move(failure->detail));
    result.images.push_back(info);
    if (info.is_last()) return result;
    offset += size_t{info.image_length_units} * kUnitSize;
  }
  return fail(RomReadErrc::NoLastImage, offset, "the ROM ends without a last image");
}

}  // namespace mpxe::rom
