// Layout of an EFI PCI expansion ROM image (PCI Firmware Specification 3.0;
// UEFI 2.10 section 14.4.2; EDK II MdePkg IndustryStandard/Pci22.h, Pci30.h,
// EfiPci.h). Offsets are relative to the start of the structure they belong
// to; all fields are little-endian.
//
// One ROM image, as mpxe-rom lays it out:
//   0x000  EFI expansion ROM header (0x1A bytes), zero pad to 0x1C
//   0x01C  PCI data structure, revision 3 (0x1C bytes)
//   0x200  the PE32+ image, unchanged
//          0xFF pad to a multiple of 512
// A ROM is one or more such images back to back; the last has the
// last-image indicator set.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::rom {

// Sizes in the headers count these units.
inline constexpr size_t kUnitSize = 512;
// The largest expansion ROM a PCI device can decode (and EfiRom's limit).
inline constexpr size_t kMaxRomSize = 16 * 1024 * 1024;

namespace efi_header {
inline constexpr size_t kSignature = 0x00;           // uint16 0xAA55
inline constexpr size_t kInitializationSize = 0x02;  // uint16, in 512-byte units
inline constexpr size_t kEfiSignature = 0x04;        // uint32 0x0EF1
inline constexpr size_t kEfiSubsystem = 0x08;        // uint16, the PE Subsystem
inline constexpr size_t kEfiMachineType = 0x0A;      // uint16, the PE Machine
inline constexpr size_t kCompressionType = 0x0C;     // uint16
inline constexpr size_t kReserved = 0x0E;            // 8 bytes, zero
inline constexpr size_t kReservedSize = 8;
inline constexpr size_t kEfiImageOffset = 0x16;      // uint16, from the start of this header
inline constexpr size_t kPcirOffset = 0x18;          // uint16, from the start of this header
inline constexpr size_t kSize = 0x1A;

inline constexpr uint16_t kSignatureValue = 0xAA55;
inline constexpr uint32_t kEfiSignatureValue = 0x0EF1;
inline constexpr uint16_t kUncompressed = 0;
inline constexpr uint16_t kCompressed = 1;
}  // namespace efi_header

// PCI data structure ("PCIR"), revision 3 layout.
namespace pcir {
inline constexpr size_t kSignature = 0x00;       // "PCIR"
inline constexpr size_t kVendorId = 0x04;
inline constexpr size_t kDeviceId = 0x06;
inline constexpr size_t kDeviceListOffset = 0x08;  // 0: no device list
inline constexpr size_t kLength = 0x0A;          // of this structure
inline constexpr size_t kRevision = 0x0C;
inline constexpr size_t kClassCode = 0x0D;       // 3 bytes: interface, subclass, base class
inline constexpr size_t kImageLength = 0x10;     // uint16, in 512-byte units
inline constexpr size_t kCodeRevision = 0x12;
inline constexpr size_t kCodeType = 0x14;
inline constexpr size_t kIndicator = 0x15;
inline constexpr size_t kMaxRuntimeImageLength = 0x16;         // revision 3
inline constexpr size_t kConfigUtilityCodeHeaderOffset = 0x18; // revision 3
inline constexpr size_t kDmtfClpEntryPointOffset = 0x1A;       // revision 3
inline constexpr size_t kSize = 0x1C;
// The revision 2.x structure ends before the revision 3 fields.
inline constexpr size_t kSizeRevision2 = 0x18;

inline constexpr uint32_t kSignatureValue = 0x52494350;  // 'P' 'C' 'I' 'R' read little-endian
inline constexpr uint8_t kRevision3 = 3;
inline constexpr uint8_t kCodeTypeEfi = 3;
inline constexpr uint8_t kIndicatorLastImage = 0x80;
// PCI firmware spec: the structure must start on a 4-byte boundary.
inline constexpr size_t kAlignment = 4;
}  // namespace pcir

// PCI class code 02 00 00: network controller, Ethernet.
inline constexpr uint32_t kClassCodeEthernet = 0x020000;
// Class codes are 3 bytes: base class, subclass, programming interface.
inline constexpr uint32_t kMaxClassCode = 0xFFFFFF;

// Where the PE image starts inside a ROM image. A 512-byte boundary keeps the
// PE headers on a ROM unit, and for a PE whose size is a multiple of 512 (as
// lld-link's -filealign:512 makes) the layout is the one EDK II's EfiRom emits.
inline constexpr size_t kImageAlignment = 512;

// Padding is the erased-flash value, as EfiRom writes it.
inline constexpr uint8_t kPadByte = 0xFF;

}  // namespace mpxe::rom
