// The parser reads the fields it promises and turns every kind of broken or
// hostile input into one Malformed violation, never a read past the bytes.
#include "pecheck/pe_image.h"

#include <gtest/gtest.h>

#include <vector>

#include "pe_builder.h"
#include "pecheck/pe_rules.h"

namespace {

using mpxe::pe::check_pe;
using mpxe::pe::parse_pe;
using mpxe::pe::PeError;
using mpxe::pe::Rule;
using mpxe::test::put16;
using mpxe::test::put32;
using mpxe::test::TestPe;

// The single violation check_pe reports for bytes that do not parse.
PeError malformed_reason(const std::vector<uint8_t>& bytes) {
  std::vector<mpxe::pe::Violation> v = check_pe(bytes);
  if (v.size() != 1 || v[0].rule != Rule::Malformed) {
    ADD_FAILURE() << "expected one malformed violation, got " << v.size();
    return PeError::None;
  }
  return v[0].parse_error;
}

TEST(PeImage, ParsesHeadersAndSections) {
  TestPe pe;
  mpxe::pe::PeParseResult parsed = parse_pe(pe.build());
  ASSERT_TRUE(parsed.image) << parsed.detail;
  const mpxe::pe::PeImage& image = *parsed.image;
  EXPECT_EQ(image.machine, 0x8664);
  EXPECT_EQ(image.magic, 0x20B);
  ASSERT_TRUE(image.pe32_plus);
  EXPECT_EQ(image.pe32_plus->subsystem, 11);
  EXPECT_EQ(image.pe32_plus->section_alignment, 0x1000u);
  EXPECT_EQ(image.pe32_plus->file_alignment, 0x200u);
  EXPECT_EQ(image.pe32_plus->address_of_entry_point, 0x1010u);
  EXPECT_EQ(image.pe32_plus->dll_characteristics, 0x0160);
  EXPECT_EQ(image.pe32_plus->size_of_image, 0x4000u);
  EXPECT_EQ(image.pe32_plus->size_of_headers, 0x200u);
  ASSERT_EQ(image.pe32_plus->data_directories.size(), 16u);
  auto relocations = image.pe32_plus->directory(mpxe::pe::Directory::BaseRelocation);
  EXPECT_EQ(relocations.virtual_address, 0x3000u);
  EXPECT_EQ(relocations.size, 0x0Cu);
  ASSERT_EQ(image.sections.size(), 3u);
  EXPECT_EQ(image.sections[0].name, ".text");
  EXPECT_EQ(image.sections[0].virtual_address, 0x1000u);
  EXPECT_EQ(image.sections[0].virtual_size, 0x123u);
  EXPECT_EQ(image.sections[0].pointer_to_raw_data, 0x200u);
  EXPECT_EQ(image.sections[0].size_of_raw_data, 0x200u);
  EXPECT_EQ(image.sections[2].name, ".reloc");
  EXPECT_EQ(image.sections[2].characteristics, mpxe::test::kRelocations);
  EXPECT_EQ(image.section_at(0x1122), &image.sections[0]);
  EXPECT_EQ(image.section_at(0x1123), nullptr);
}

TEST(PeImage, EightCharacterSectionNameHasNoNul) {
  TestPe pe;
  pe.sections[1].name = ".rodata1";
  mpxe::pe::PeParseResult parsed = parse_pe(pe.build());
  ASSERT_TRUE(parsed.image);
  EXPECT_EQ(parsed.image->sections[1].name, ".rodata1");
}

TEST(PeImage, Empty) { EXPECT_EQ(malformed_reason({}), PeError::TruncatedDosHeader); }

TEST(PeImage, ShorterThanDosHeader) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  bytes.resize(0x3F);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedDosHeader);
}

TEST(PeImage, ElfIsNotPe) {
  std::vector<uint8_t> elf(0x100, 0);
  elf[0] = 0x7F;
  elf[1] = 'E';
  elf[2] = 'L';
  elf[3] = 'F';
  EXPECT_EQ(malformed_reason(elf), PeError::BadDosSignature);
}

TEST(PeImage, TextIsNotPe) {
  std::string text(200, 'x');
  EXPECT_EQ(malformed_reason(std::vector<uint8_t>(text.begin(), text.end())), PeError::BadDosSignature);
}

TEST(PeImage, PeOffsetPastTheEnd) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put32(bytes, 0x3C, static_cast<uint32_t>(bytes.size() - 10));
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedPeHeader);
}

TEST(PeImage, PeOffsetThatWouldOverflow) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put32(bytes, 0x3C, 0xFFFFFFF8);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedPeHeader);
}

TEST(PeImage, DosStubOnly) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  bytes.resize(0x40);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedPeHeader);
}

TEST(PeImage, BadPeSignature) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  bytes[TestPe::kPeOffset + 1] = 'X';
  EXPECT_EQ(malformed_reason(bytes), PeError::BadPeSignature);
}

TEST(PeImage, OptionalHeaderSizePastTheEnd) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put16(bytes, TestPe::kCoffOffset + 16, 0xFFFF);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedOptionalHeader);
}

TEST(PeImage, OptionalHeaderTooSmallForMagic) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put16(bytes, TestPe::kCoffOffset + 16, 1);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedOptionalHeader);
}

TEST(PeImage, OptionalHeaderTooSmallForPe32PlusFields) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put16(bytes, TestPe::kCoffOffset + 16, 0x60);
  EXPECT_EQ(malformed_reason(bytes), PeError::OptionalHeaderTooSmall);
}

TEST(PeImage, OptionalHeaderTooSmallForItsDirectories) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put16(bytes, TestPe::kCoffOffset + 16, 0x70 + 8 * 4);  // room for 4 of the 16 directories
  EXPECT_EQ(malformed_reason(bytes), PeError::OptionalHeaderTooSmall);
}

TEST(PeImage, TooManyDataDirectories) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put32(bytes, TestPe::kOptionalOffset + 108, 17);
  EXPECT_EQ(malformed_reason(bytes), PeError::TooManyDataDirectories);
}

TEST(PeImage, HugeDataDirectoryCount) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put32(bytes, TestPe::kOptionalOffset + 108, 0xFFFFFFFF);
  EXPECT_EQ(malformed_reason(bytes), PeError::TooManyDataDirectories);
}

TEST(PeImage, SectionTablePastTheEnd) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  put16(bytes, TestPe::kCoffOffset + 2, 0xFFFF);
  EXPECT_EQ(malformed_reason(bytes), PeError::TruncatedSectionTable);
}

TEST(PeImage, SectionDataPastTheEnd) {
  TestPe pe;
  std::vector<uint8_t> bytes = pe.build();
  put32(bytes, pe.section_table_offset() + 40 + 20, 0xFFFFFF00);  // .data PointerToRawData
  EXPECT_EQ(malformed_reason(bytes), PeError::SectionDataOutOfFile);
}

TEST(PeImage, MalformedMessageSaysWhat) {
  std::vector<uint8_t> bytes = TestPe{}.build();
  bytes.resize(0x160);  // inside the section table (0x148..0x1c0)
  std::vector<mpxe::pe::Violation> v = check_pe(bytes);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].parse_error, PeError::TruncatedSectionTable);
  EXPECT_EQ(v[0].message,
            "truncated section table: section table at 0x148 needs 0x78 bytes, the file is 0x160 bytes");
}

// The last section's data ends at the end of the file, so every shorter
// prefix is malformed somewhere; none may be read past.
TEST(PeImage, EveryTruncationIsMalformed) {
  std::vector<uint8_t> whole = TestPe{}.build();
  for (size_t size = 0; size < whole.size(); ++size) {
    std::vector<uint8_t> prefix(whole.begin(), whole.begin() + static_cast<long>(size));
    std::vector<mpxe::pe::Violation> v = check_pe(prefix);
    ASSERT_EQ(v.size(), 1u) << size;
    EXPECT_EQ(v[0].rule, Rule::Malformed) << size;
  }
}

// Corrupted headers: whatever comes out, it comes out without a crash (the
// ASan build makes any stray read fatal).
TEST(PeImage, CorruptedHeadersNeverCrash) {
  std::vector<uint8_t> whole = TestPe{}.build();
  uint32_t state = 0x12345678;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> bytes = whole;
    for (int flips = 1 + next() % 4; flips > 0; --flips) bytes[next() % 0x200] = static_cast<uint8_t>(next());
    if (parse_pe(bytes).image) ++parsed;
    (void)check_pe(bytes);
  }
  EXPECT_GT(parsed, 0u);  // most flips land in fields that do not break parsing
}

}  // namespace
