#include "romtool/rom_packer.h"

#include <algorithm>
#include <utility>

#include "core/bytes.h"
#include "pecheck/hex_text.h"
#include "pecheck/pe_image.h"

namespace mpxe::rom {
namespace {

using pe::hex;

constexpr size_t align_up(size_t value, size_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

constexpr size_t kPcirOffset = align_up(efi_header::kSize, pcir::kAlignment);
constexpr size_t kHeadersEnd = kPcirOffset + pcir::kSize;
constexpr size_t kImageOffset = align_up(kHeadersEnd, kImageAlignment);
static_assert(kPcirOffset == 0x1C);
static_assert(kImageOffset == 0x200);

// What the ROM header repeats from the PE headers.
struct DriverFacts {
  uint16_t machine = 0;
  uint16_t subsystem = 0;
};

struct Checked {
  std::optional<DriverFacts> facts;
  std::optional<RomError> error;
};

Checked fail(RomErrc code, size_t index, std::string detail) {
  return Checked{std::nullopt, RomError{code, index, std::move(detail)}};
}

Checked check_input(const RomImageInput& input, size_t index) {
  pe::PeParseResult parsed = pe::parse_pe(input.pe);
  if (!parsed.image)
    return fail(RomErrc::NotPe, index,
                std::string(pe::pe_error_text(parsed.error)) + ": " + parsed.detail);
  const pe::PeImage& image = *parsed.image;
  if (!image.pe32_plus)
    return fail(RomErrc::NotPe32Plus, index, "optional header magic is " + hex(image.magic));
  if (image.machine != pe::kMachineX64)
    return fail(RomErrc::WrongMachine, index, "Machine is " + hex(image.machine));
  uint16_t subsystem = image.pe32_plus->subsystem;
  // PCI bus drivers skip applications in ROMs; only drivers are started.
  if (subsystem != pe::kSubsystemEfiBootServiceDriver && subsystem != pe::kSubsystemEfiRuntimeDriver)
    return fail(RomErrc::NotEfiDriver, index, "Subsystem is " + std::to_string(subsystem));
  // The firmware hands the whole ROM image, padding included, to LoadImage as
  // the file, and Authenticode hashes what lies between the sections and the
  // certificate table at the file's end: padding after a signed image would
  // break its signature. sign-efi pads before signing instead.
  if (image.pe32_plus->directory(pe::Directory::Security).size != 0 && input.pe.size() % kUnitSize != 0)
    return fail(RomErrc::SignedNotUnits, index,
                hex(input.pe.size()) + " bytes: the ROM's padding would follow its certificate table");
  if (input.class_code > kMaxClassCode)
    return fail(RomErrc::BadClassCode, index, "class code " + hex(input.class_code));
  return Checked{DriverFacts{image.machine, subsystem}, std::nullopt};
}

size_t rom_image_size(const RomImageInput& input) {
  return align_up(kImageOffset + input.pe.size(), kUnitSize);
}

void write_efi_header(uint8_t* header, uint16_t units, const DriverFacts& facts) {
  store_le16(header + efi_header::kSignature, efi_header::kSignatureValue);
  store_le16(header + efi_header::kInitializationSize, units);
  store_le32(header + efi_header::kEfiSignature, efi_header::kEfiSignatureValue);
  store_le16(header + efi_header::kEfiSubsystem, facts.subsystem);
  store_le16(header + efi_header::kEfiMachineType, facts.machine);
  store_le16(header + efi_header::kCompressionType, efi_header::kUncompressed);
  store_le16(header + efi_header::kEfiImageOffset, kImageOffset);
  store_le16(header + efi_header::kPcirOffset, kPcirOffset);
}

void write_pcir(uint8_t* data, const RomImageInput& input, uint16_t units, bool last) {
  store_le32(data + pcir::kSignature, pcir::kSignatureValue);
  store_le16(data + pcir::kVendorId, input.vendor_id);
  store_le16(data + pcir::kDeviceId, input.device_id);
  store_le16(data + pcir::kLength, pcir::kSize);
  data[pcir::kRevision] = pcir::kRevision3;
  for (size_t i = 0; i < 3; ++i)
    data[pcir::kClassCode + i] = static_cast<uint8_t>(input.class_code >> (8 * i));
  store_le16(data + pcir::kImageLength, units);
  store_le16(data + pcir::kCodeRevision, input.code_revision);
  data[pcir::kCodeType] = pcir::kCodeTypeEfi;
  data[pcir::kIndicator] = last ? pcir::kIndicatorLastImage : 0;
  // Device list, runtime size, config utility and DMTF CLP pointers stay 0.
}

void write_rom_image(uint8_t* out, const RomImageInput& input, const DriverFacts& facts, bool last) {
  size_t size = rom_image_size(input);
  auto units = static_cast<uint16_t>(size / kUnitSize);
  std::fill(out, out + size, kPadByte);
  std::fill(out, out + kHeadersEnd, uint8_t{0});
  write_efi_header(out, units, facts);
  write_pcir(out + kPcirOffset, input, units, last);
  std::copy(input.pe.begin(), input.pe.end(), out + kImageOffset);
}

RomPackResult too_large(size_t index) {
  return RomPackResult{{}, RomError{RomErrc::TooLarge, index,
                                    "the ROM would exceed " + hex(kMaxRomSize) + " bytes"}};
}

}  // namespace

const char* rom_error_text(RomErrc code) {
  switch (code) {
    case RomErrc::NoImages: return "no images to pack";
    case RomErrc::NotPe: return "not a PE image";
    case RomErrc::NotPe32Plus: return "not a PE32+ image";
    case RomErrc::WrongMachine: return "not an x64 image";
    case RomErrc::NotEfiDriver: return "not an EFI driver (subsystem 11 or 12)";
    case RomErrc::BadClassCode: return "class code over 24 bits";
    case RomErrc::TooLarge: return "ROM over 16 MiB";
    case RomErrc::SignedNotUnits: return "signed image not a multiple of 512 bytes";
  }
  return "unknown error";
}

RomPackResult pack_rom(std::span<const RomImageInput> images) {
  if (images.empty()) return RomPackResult{{}, RomError{RomErrc::NoImages, 0, "no images"}};

  std::vector<DriverFacts> facts;
  size_t total = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    Checked checked = check_input(images[i], i);
    if (checked.error) return RomPackResult{{}, std::move(checked.error)};
    facts.push_back(*checked.facts);
    // Checked before adding so the sum cannot overflow.
    if (images[i].pe.size() > kMaxRomSize) return too_large(i);
    total += rom_image_size(images[i]);
    if (total > kMaxRomSize) return too_large(i);
  }

  std::vector<uint8_t> rom(total);
  size_t offset = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    write_rom_image(rom.data() + offset, images[i], facts[i], i + 1 == images.size());
    offset += rom_image_size(images[i]);
  }
  return RomPackResult{std::move(rom), std::nullopt};
}

RomPackResult pack_rom(std::span<const uint8_t> pe, uint16_t vendor_id, uint16_t device_id) {
  RomImageInput input;
  input.pe = pe;
  input.vendor_id = vendor_id;
  input.device_id = device_id;
  return pack_rom(std::span<const RomImageInput>(&input, 1));
}

}  // namespace mpxe::rom
