// Packs EFI driver images into an uncompressed PCI expansion ROM (layout in
// rom_format.h). The ROM needs no checksum: that is a legacy BIOS ROM rule,
// and UEFI's PCI bus driver does not read one.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "romtool/rom_format.h"

namespace mpxe::rom {

// One driver image and the PCI function it is for.
struct RomImageInput {
  std::span<const uint8_t> pe;  // the PE32+ file as linked
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint32_t class_code = kClassCodeEthernet;  // 24 bits: base class, subclass, interface
  uint16_t code_revision = 0;
};

// Values are stable: tests compare them.
enum class RomErrc : uint8_t {
  NoImages,       // nothing to pack
  NotPe,          // the bytes do not parse as a PE image
  NotPe32Plus,    // a PE, but not PE32+ (UEFI on x64 loads only PE32+)
  WrongMachine,   // not an x64 image
  NotEfiDriver,   // Subsystem is not an EFI boot-service or runtime driver
  BadClassCode,   // class code over 24 bits
  TooLarge,       // over the 16 MiB a PCI expansion ROM can hold
  SignedNotUnits, // signed, but not a whole number of 512-byte units (see check_input)
};

const char* rom_error_text(RomErrc code);

struct RomError {
  RomErrc code;
  size_t image_index;  // which RomImageInput
  std::string detail;  // the values found, for people
};

struct RomPackResult {
  std::vector<uint8_t> rom;  // empty on error
  std::optional<RomError> error;
  bool ok() const { return !error.has_value(); }
};

// All images in order, the last one marked as the last image.
RomPackResult pack_rom(std::span<const RomImageInput> images);

// The common case: one driver for one vendor:device.
RomPackResult pack_rom(std::span<const uint8_t> pe, uint16_t vendor_id, uint16_t device_id);

}  // namespace mpxe::rom
