// Builds small PE32+ images in memory for tests. Field offsets are written out
// here from the PE/COFF specification rather than taken from
// host/pecheck/pe_format.h, so a wrong constant there cannot hide behind the
// same wrong constant here. The default image conforms to every mpxe rule:
// a boot-service driver with .text (RX), .data (RW) and a discardable .reloc.
#pragma once

#include <stdint.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mpxe::test {

inline void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
inline void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint16_t get16(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint16_t>(b.at(at) | (b.at(at + 1) << 8));
}
inline uint32_t get32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b.at(at)} | uint32_t{b.at(at + 1)} << 8 | uint32_t{b.at(at + 2)} << 16 |
         uint32_t{b.at(at + 3)} << 24;
}

struct TestSection {
  std::string name;
  uint32_t virtual_address;
  uint32_t virtual_size;
  uint32_t characteristics;
  uint32_t raw_size;  // bytes of (patterned) file data, a multiple of file_alignment
};

inline constexpr uint32_t kCode = 0x60000020;           // CNT_CODE | MEM_EXECUTE | MEM_READ
inline constexpr uint32_t kData = 0xC0000040;           // CNT_INITIALIZED_DATA | MEM_READ | MEM_WRITE
inline constexpr uint32_t kRelocations = 0x42000040;    // CNT_INITIALIZED_DATA | MEM_DISCARDABLE | MEM_READ

struct TestPe {
  uint16_t machine = 0x8664;
  uint16_t magic = 0x020B;
  uint16_t subsystem = 11;  // EFI boot-service driver
  uint32_t section_alignment = 0x1000;
  uint32_t file_alignment = 0x200;
  uint16_t dll_characteristics = 0x0160;  // DYNAMIC_BASE | HIGH_ENTROPY_VA | NX_COMPAT
  uint32_t entry_point = 0x1010;
  uint32_t directory_count = 16;
  // Data directories to set: index, RVA, size. Base relocations by default.
  struct Dir {
    uint32_t index, rva, size;
  };
  std::vector<Dir> directories = {{5, 0x3000, 0x0C}};
  std::vector<TestSection> sections = {
      {".text", 0x1000, 0x0123, kCode, 0x200},
      {".data", 0x2000, 0x0040, kData, 0x200},
      {".reloc", 0x3000, 0x000C, kRelocations, 0x200},
  };

  // Offsets inside the built file, for tests that corrupt it.
  static constexpr size_t kPeOffset = 0x40;                 // e_lfanew
  static constexpr size_t kCoffOffset = kPeOffset + 4;
  static constexpr size_t kOptionalOffset = kCoffOffset + 20;
  size_t optional_size() const { return 112 + 8 * size_t{directory_count}; }
  size_t section_table_offset() const { return kOptionalOffset + optional_size(); }

  std::vector<uint8_t> build() const {
    size_t headers_end = section_table_offset() + 40 * sections.size();
    size_t headers_size = (headers_end + file_alignment - 1) / file_alignment * file_alignment;
    size_t file_size = headers_size;
    for (const TestSection& s : sections) file_size += s.raw_size;
    std::vector<uint8_t> b(file_size, 0);

    b[0] = 'M';
    b[1] = 'Z';
    put32(b, 0x3C, kPeOffset);
    b[kPeOffset] = 'P';
    b[kPeOffset + 1] = 'E';

    put16(b, kCoffOffset + 0, machine);
    put16(b, kCoffOffset + 2, static_cast<uint16_t>(sections.size()));
    put16(b, kCoffOffset + 16, static_cast<uint16_t>(optional_size()));
    put16(b, kCoffOffset + 18, 0x0022);  // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE

    uint32_t image_end = section_alignment;
    for (const TestSection& s : sections)
      image_end = std::max(image_end, s.virtual_address + std::max(s.virtual_size, s.raw_size));
    size_t o = kOptionalOffset;
    put16(b, o + 0, magic);
    put32(b, o + 16, entry_point);
    put32(b, o + 32, section_alignment);
    put32(b, o + 36, file_alignment);
    put32(b, o + 56, (image_end + section_alignment - 1) / section_alignment * section_alignment);
    put32(b, o + 60, static_cast<uint32_t>(headers_size));
    put16(b, o + 68, subsystem);
    put16(b, o + 70, dll_characteristics);
    put32(b, o + 108, directory_count);
    for (const Dir& d : directories) {
      if (d.index >= directory_count) continue;
      put32(b, o + 112 + 8 * d.index, d.rva);
      put32(b, o + 112 + 8 * d.index + 4, d.size);
    }

    size_t raw = headers_size;
    for (size_t i = 0; i < sections.size(); ++i) {
      const TestSection& s = sections[i];
      size_t h = section_table_offset() + 40 * i;
      for (size_t c = 0; c < s.name.size() && c < 8; ++c) b[h + c] = static_cast<uint8_t>(s.name[c]);
      put32(b, h + 8, s.virtual_size);
      put32(b, h + 12, s.virtual_address);
      put32(b, h + 16, s.raw_size);
      put32(b, h + 20, static_cast<uint32_t>(raw));
      put32(b, h + 36, s.characteristics);
      for (size_t k = 0; k < s.raw_size; ++k) b[raw + k] = static_cast<uint8_t>(i * 31 + k);
      raw += s.raw_size;
    }
    return b;
  }
};

}  // namespace mpxe::test
