// Offsets and values of the PE/COFF fields mpxe reads (Microsoft PE/COFF
// specification; EDK II MdePkg/Include/IndustryStandard/PeImage.h). Offsets are
// relative to the start of the structure they belong to; all fields are
// little-endian.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::pe {

// MS-DOS stub header: only its signature and the pointer to the PE header matter.
namespace dos {
inline constexpr size_t kSignature = 0x00;  // "MZ"
inline constexpr size_t kPeHeaderOffset = 0x3C;  // e_lfanew, uint32
inline constexpr size_t kSize = 0x40;
inline constexpr uint16_t kSignatureValue = 0x5A4D;  // 'M' 'Z'
}  // namespace dos

// "PE\0\0", then the COFF file header.
inline constexpr uint32_t kPeSignatureValue = 0x00004550;
inline constexpr size_t kPeSignatureSize = 4;

namespace coff {
inline constexpr size_t kMachine = 0x00;
inline constexpr size_t kNumberOfSections = 0x02;
inline constexpr size_t kSizeOfOptionalHeader = 0x10;
inline constexpr size_t kCharacteristics = 0x12;
inline constexpr size_t kSize = 0x14;
}  // namespace coff

inline constexpr uint16_t kMachineX64 = 0x8664;

// Optional header, PE32+ layout.
namespace opt {
inline constexpr size_t kMagic = 0x00;
inline constexpr size_t kAddressOfEntryPoint = 0x10;
inline constexpr size_t kSectionAlignment = 0x20;
inline constexpr size_t kFileAlignment = 0x24;
inline constexpr size_t kSizeOfImage = 0x38;
inline constexpr size_t kSizeOfHeaders = 0x3C;
inline constexpr size_t kSubsystem = 0x44;
inline constexpr size_t kDllCharacteristics = 0x46;
inline constexpr size_t kNumberOfRvaAndSizes = 0x6C;
inline constexpr size_t kDataDirectories = 0x70;
// Everything before the data directories.
inline constexpr size_t kFixedSize = kDataDirectories;
}  // namespace opt

inline constexpr uint16_t kMagicPe32 = 0x010B;
inline constexpr uint16_t kMagicPe32Plus = 0x020B;

// One data directory entry: RVA then size, both uint32.
namespace data_dir {
inline constexpr size_t kVirtualAddress = 0x00;
inline constexpr size_t kSize = 0x04;
inline constexpr size_t kEntrySize = 0x08;
// The PE/COFF specification defines 16; EDK II's loader rejects more.
inline constexpr uint32_t kMaxEntries = 16;
}  // namespace data_dir

// Data directory indices.
enum class Directory : uint32_t {
  Export = 0,
  Import = 1,
  Resource = 2,
  Exception = 3,
  Security = 4,  // holds a file offset, not an RVA
  BaseRelocation = 5,
  Debug = 6,
};

namespace section {
inline constexpr size_t kName = 0x00;
inline constexpr size_t kNameSize = 8;
inline constexpr size_t kVirtualSize = 0x08;
inline constexpr size_t kVirtualAddress = 0x0C;
inline constexpr size_t kSizeOfRawData = 0x10;
inline constexpr size_t kPointerToRawData = 0x14;
inline constexpr size_t kCharacteristics = 0x24;
inline constexpr size_t kSize = 0x28;
}  // namespace section

// Section characteristics.
inline constexpr uint32_t kScnCntCode = 0x00000020;
inline constexpr uint32_t kScnMemDiscardable = 0x02000000;
inline constexpr uint32_t kScnMemExecute = 0x20000000;
inline constexpr uint32_t kScnMemRead = 0x40000000;
inline constexpr uint32_t kScnMemWrite = 0x80000000;

// Optional header Subsystem values a UEFI firmware loads.
inline constexpr uint16_t kSubsystemEfiApplication = 10;
inline constexpr uint16_t kSubsystemEfiBootServiceDriver = 11;
inline constexpr uint16_t kSubsystemEfiRuntimeDriver = 12;

// DllCharacteristics.
inline constexpr uint16_t kDllDynamicBase = 0x0040;
inline constexpr uint16_t kDllNxCompat = 0x0100;

// The page size UEFI applies memory protection at.
inline constexpr uint32_t kPageSize = 4096;

}  // namespace mpxe::pe
