// A PE32+ image's headers and section table, parsed from untrusted bytes.
//
// parse_pe() is the one checked gate: it either proves that every header and
// every section's file data lies inside the file and returns the fields, or it
// names the first thing that does not fit. Nothing that reads a PeImage can
// run past the file afterwards.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pecheck/pe_format.h"

namespace mpxe::pe {

struct DataDirectory {
  uint32_t virtual_address = 0;
  uint32_t size = 0;
};

struct Section {
  std::string name;  // the 8-byte short name up to its first NUL
  uint32_t virtual_size = 0;
  uint32_t virtual_address = 0;
  uint32_t size_of_raw_data = 0;
  uint32_t pointer_to_raw_data = 0;
  uint32_t characteristics = 0;

  bool has(uint32_t flags) const { return (characteristics & flags) == flags; }
  // Bytes the section spans once loaded (some linkers leave VirtualSize 0).
  uint32_t loaded_size() const { return virtual_size != 0 ? virtual_size : size_of_raw_data; }
  bool contains_rva(uint32_t rva) const {
    return rva >= virtual_address && uint64_t{rva} < uint64_t{virtual_address} + loaded_size();
  }
};

// The PE32+ optional header fields the rules and the ROM packer use.
struct OptionalHeader64 {
  uint32_t address_of_entry_point = 0;
  uint32_t section_alignment = 0;
  uint32_t file_alignment = 0;
  uint32_t size_of_image = 0;
  uint32_t size_of_headers = 0;
  uint16_t subsystem = 0;
  uint16_t dll_characteristics = 0;
  std::vector<DataDirectory> data_directories;  // NumberOfRvaAndSizes entries

  // An absent entry reads as zero, as the PE/COFF specification says.
  DataDirectory directory(Directory which) const {
    auto index = static_cast<size_t>(which);
    return index < data_directories.size() ? data_directories[index] : DataDirectory{};
  }
};

struct PeImage {
  uint16_t machine = 0;
  uint16_t characteristics = 0;
  uint16_t magic = 0;  // optional header magic
  // Present only when magic is PE32+; other layouts are not parsed further.
  std::optional<OptionalHeader64> pe32_plus;
  std::vector<Section> sections;

  // The section an RVA falls in, or null.
  const Section* section_at(uint32_t rva) const;
};

// Why bytes are not a PE image. Values are stable: tests compare them.
enum class PeError : uint8_t {
  None = 0,
  TruncatedDosHeader,       // shorter than the 64-byte MS-DOS header
  BadDosSignature,          // does not start with "MZ"
  TruncatedPeHeader,        // the PE signature and COFF header do not fit where e_lfanew points
  BadPeSignature,           // no "PE\0\0" where e_lfanew points
  TruncatedOptionalHeader,  // the file ends inside SizeOfOptionalHeader, or it has no room for a magic
  OptionalHeaderTooSmall,   // SizeOfOptionalHeader is smaller than the PE32+ fields it must hold
  TooManyDataDirectories,   // NumberOfRvaAndSizes over 16
  TruncatedSectionTable,    // the file ends inside the section table
  SectionDataOutOfFile,     // a section's raw data lies past the end of the file
};

const char* pe_error_text(PeError error);

struct PeParseResult {
  std::optional<PeImage> image;  // set exactly when error is None
  PeError error = PeError::None;
  std::string detail;  // what did not fit, with offsets, for people
};

PeParseResult parse_pe(std::span<const uint8_t> file);

}  // namespace mpxe::pe
