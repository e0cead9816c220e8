// Reads back the images of a PCI expansion ROM, walking it as UEFI's PCI bus
// driver does (header, PCIR, image length, last-image indicator), with every
// offset checked against the ROM's size. Used to describe a ROM (mpxe-rom
// --info) and by tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mpxe::rom {

struct RomImageInfo {
  size_t offset = 0;  // of this image's header within the ROM
  // PCI data structure.
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint16_t pcir_offset = 0;
  uint16_t pcir_length = 0;
  uint8_t pcir_revision = 0;
  uint32_t class_code = 0;
  uint16_t image_length_units = 0;
  uint16_t code_revision = 0;
  uint8_t code_type = 0;
  uint8_t indicator = 0;
  // EFI header fields; meaningful only when code_type is EFI.
  uint16_t initialization_units = 0;
  uint16_t efi_subsystem = 0;
  uint16_t efi_machine = 0;
  uint16_t compression = 0;
  uint16_t efi_image_offset = 0;
  // The EFI image as the PCI bus driver hands it to LoadImage: from the image
  // offset to the end of the initialization size, padding included.
  std::span<const uint8_t> efi_image;

  bool is_efi() const;
  bool is_last() const;
};

// Values are stable: tests compare them.
enum class RomReadErrc : uint8_t {
  Truncated,         // a header, the PCIR or an image runs past the end of the ROM
  BadSignature,      // no 0xAA55 where an image must start
  BadPcirOffset,     // PCIR offset zero or not 4-byte aligned
  BadPcirSignature,  // no "PCIR" at the PCIR offset
  BadLength,         // image length 0, or a PCIR length shorter than its fields
  BadEfiHeader,      // EFI code type without the 0x0EF1 signature, or sizes/offsets that contradict
  NoLastImage,       // the ROM ends without an image marked last
};

const char* rom_read_error_text(RomReadErrc code);

struct RomReadResult {
  std::vector<RomImageInfo> images;  // every image read, also those before an error
  std::optional<RomReadErrc> error;
  std::string detail;
  bool ok() const { return !error.has_value(); }
};

RomReadResult read_rom(std::span<const uint8_t> rom);

}  // namespace mpxe::rom
