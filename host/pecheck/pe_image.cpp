#include "pecheck/pe_image.h"

#include <utility>

#include "core/bytes.h"
#include "pecheck/hex_text.h"

namespace mpxe::pe {
namespace {

using FileBytes = std::span<const uint8_t>;

// Callers have proved offset + width <= bytes.size().
uint16_t read16(FileBytes bytes, size_t offset) { return load_le16(bytes.data() + offset); }
uint32_t read32(FileBytes bytes, size_t offset) { return load_le32(bytes.data() + offset); }

// Whether [offset, offset + length) lies inside the file, without overflow.
bool fits(FileBytes file, uint64_t offset, uint64_t length) {
  return offset <= file.size() && length <= file.size() - offset;
}

PeParseResult fail(PeError error, std::string detail) {
  return PeParseResult{std::nullopt, error, std::move(detail)};
}

std::string ends_before(const char* what, uint64_t offset, uint64_t length, FileBytes file) {
  return std::string(what) + " at " + hex(offset) + " needs " + hex(length) + " bytes, the file is " +
         hex(file.size()) + " bytes";
}

std::string read_section_name(FileBytes header) {
  std::string name;
  for (size_t i = 0; i < section::kNameSize && header[section::kName + i] != 0; ++i)
    name.push_back(static_cast<char>(header[section::kName + i]));
  return name;
}

Section read_section(FileBytes header) {
  Section s;
  s.name = read_section_name(header);
  s.virtual_size = read32(header, section::kVirtualSize);
  s.virtual_address = read32(header, section::kVirtualAddress);
  s.size_of_raw_data = read32(header, section::kSizeOfRawData);
  s.pointer_to_raw_data = read32(header, section::kPointerToRawData);
  s.characteristics = read32(header, section::kCharacteristics);
  return s;
}

// `optional` holds the fixed part and `directory_count` directories.
OptionalHeader64 read_optional64(FileBytes optional, uint32_t directory_count) {
  OptionalHeader64 h;
  h.address_of_entry_point = read32(optional, opt::kAddressOfEntryPoint);
  h.section_alignment = read32(optional, opt::kSectionAlignment);
  h.file_alignment = read32(optional, opt::kFileAlignment);
  h.size_of_image = read32(optional, opt::kSizeOfImage);
  h.size_of_headers = read32(optional, opt::kSizeOfHeaders);
  h.subsystem = read16(optional, opt::kSubsystem);
  h.dll_characteristics = read16(optional, opt::kDllCharacteristics);
  for (uint32_t i = 0; i < directory_count; ++i) {
    size_t entry = opt::kDataDirectories + i * data_dir::kEntrySize;
    h.data_directories.push_back(DataDirectory{read32(optional, entry + data_dir::kVirtualAddress),
                                               read32(optional, entry + data_dir::kSize)});
  }
  return h;
}

}  // namespace

const Section* PeImage::section_at(uint32_t rva) const {
  for (const Section& s : sections)
    if (s.contains_rva(rva)) return &s;
  return nullptr;
}

const char* pe_error_text(PeError error) {
  switch (error) {
    case PeError::None: return "no error";
    case PeError::TruncatedDosHeader: return "truncated MS-DOS header";
    case PeError::BadDosSignature: return "no MZ signature";
    case PeError::TruncatedPeHeader: return "truncated PE header";
    case PeError::BadPeSignature: return "no PE signature";
    case PeError::TruncatedOptionalHeader: return "truncated optional header";
    case PeError::OptionalHeaderTooSmall: return "optional header too small";
    case PeError::TooManyDataDirectories: return "too many data directories";
    case PeError::TruncatedSectionTable: return "truncated section table";
    case PeError::SectionDataOutOfFile: return "section data outside the file";
  }
  return "unknown error";
}

PeParseResult parse_pe(FileBytes file) {
  if (file.size() < dos::kSize)
    return fail(PeError::TruncatedDosHeader, ends_before("MS-DOS header", 0, dos::kSize, file));
  if (read16(file, dos::kSignature) != dos::kSignatureValue)
    return fail(PeError::BadDosSignature,
                "starts with " + hex(read16(file, dos::kSignature)) + ", not \"MZ\"");

  uint64_t pe_offset = read32(file, dos::kPeHeaderOffset);
  if (!fits(file, pe_offset, kPeSignatureSize + coff::kSize))
    return fail(PeError::TruncatedPeHeader,
                ends_before("PE header", pe_offset, kPeSignatureSize + coff::kSize, file));
  if (read32(file, pe_offset) != kPeSignatureValue)
    return fail(PeError::BadPeSignature, "no \"PE\\0\\0\" at " + hex(pe_offset));

  uint64_t coff_offset = pe_offset + kPeSignatureSize;
  FileBytes coff_header = file.subspan(coff_offset, coff::kSize);
  PeImage image;
  image.machine = read16(coff_header, coff::kMachine);
  image.characteristics = read16(coff_header, coff::kCharacteristics);
  uint16_t section_count = read16(coff_header, coff::kNumberOfSections);
  uint16_t optional_size = read16(coff_header, coff::kSizeOfOptionalHeader);

  uint64_t optional_offset = coff_offset + coff::kSize;
  if (optional_size < sizeof(uint16_t) || !fits(file, optional_offset, optional_size))
    return fail(PeError::TruncatedOptionalHeader,
                ends_before("optional header", optional_offset, optional_size, file));
  FileBytes optional = file.subspan(optional_offset, optional_size);
  image.magic = read16(optional, opt::kMagic);
  if (image.magic == kMagicPe32Plus) {
    if (optional_size < opt::kFixedSize)
      return fail(PeError::OptionalHeaderTooSmall, "SizeOfOptionalHeader is " + hex(optional_size) +
                                                       ", PE32+ needs at least " + hex(opt::kFixedSize));
    uint32_t directory_count = read32(optional, opt::kNumberOfRvaAndSizes);
    if (directory_count > data_dir::kMaxEntries)
      return fail(PeError::TooManyDataDirectories,
                  "NumberOfRvaAndSizes is " + std::to_string(directory_count) + ", at most 16");
    uint64_t needed = opt::kFixedSize + uint64_t{directory_count} * data_dir::kEntrySize;
    if (needed > optional_size)
      return fail(PeError::OptionalHeaderTooSmall,
                  "SizeOfOptionalHeader is " + hex(optional_size) + ", " +
                      std::to_string(directory_count) + " data directories need " + hex(needed));
    image.pe32_plus = read_optional64(optional, directory_count);
  }

  uint64_t table_offset = optional_offset + optional_size;
  uint64_t table_size = uint64_t{section_count} * section::kSize;
  if (!fits(file, table_offset, table_size))
    return fail(PeError::TruncatedSectionTable,
                ends_before("section table", table_offset, table_size, file));
  for (uint16_t i = 0; i < section_count; ++i) {
    Section s = read_section(file.subspan(table_offset + i * section::kSize, section::kSize));
    if (s.size_of_raw_data != 0 && !fits(file, s.pointer_to_raw_data, s.size_of_raw_data))
      return fail(PeError::SectionDataOutOfFile,
                  "section " + s.name + ": " +
                      ends_before("data", s.pointer_to_raw_data, s.size_of_raw_data, file));
    image.sections.push_back(std::move(s));
  }
  return PeParseResult{std::move(image), PeError::None, {}};
}

}  // namespace mpxe::pe
