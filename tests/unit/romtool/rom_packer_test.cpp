// The packed ROM, byte by byte. Offsets are written out here from the PCI
// Firmware Specification 3.0 and UEFI 2.10 section 14.4.2 rather than taken
// from host/romtool/rom_format.h, so the test is an independent reading.
#include "romtool/rom_packer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "pe_builder.h"

namespace {

using mpxe::rom::pack_rom;
using mpxe::rom::RomErrc;
using mpxe::rom::RomImageInput;
using mpxe::rom::RomPackResult;
using mpxe::test::get16;
using mpxe::test::get32;
using mpxe::test::put32;
using mpxe::test::TestPe;

constexpr size_t kPcir = 0x1C;   // where our PCIR sits
constexpr size_t kImage = 0x200;  // where our PE sits

std::vector<uint8_t> packed(const std::vector<uint8_t>& pe, uint16_t vendor = 0x1AF4,
                            uint16_t device = 0x1000) {
  RomPackResult result = pack_rom(pe, vendor, device);
  EXPECT_TRUE(result.ok()) << (result.error ? result.error->detail : "");
  return result.rom;
}

RomErrc error_of(const std::vector<uint8_t>& pe) {
  RomPackResult result = pack_rom(pe, 0x1AF4, 0x1000);
  EXPECT_TRUE(result.rom.empty());
  if (!result.error) {
    ADD_FAILURE() << "packed without error";
    return RomErrc::NoImages;
  }
  return result.error->code;
}

TEST(RomPacker, EfiRomHeaderFields) {
  std::vector<uint8_t> pe = TestPe{}.build();
  std::vector<uint8_t> rom = packed(pe);
  ASSERT_EQ(rom.size(), kImage + pe.size());
  EXPECT_EQ(rom[0x00], 0x55);
  EXPECT_EQ(rom[0x01], 0xAA);
  EXPECT_EQ(get16(rom, 0x02), rom.size() / 512);       // initialization size
  EXPECT_EQ(get32(rom, 0x04), 0x0EF1u);                 // EFI signature
  EXPECT_EQ(get16(rom, 0x08), 0x0B);                    // boot-service driver, from the PE
  EXPECT_EQ(get16(rom, 0x0A), 0x8664);                  // machine, from the PE
  EXPECT_EQ(get16(rom, 0x0C), 0);                       // uncompressed
  for (size_t i = 0x0E; i < 0x16; ++i) EXPECT_EQ(rom[i], 0) << "reserved byte " << i;
  EXPECT_EQ(get16(rom, 0x16), kImage);                  // EFI image offset
  EXPECT_EQ(get16(rom, 0x18), kPcir);                   // PCIR offset
  EXPECT_EQ(get16(rom, 0x1A), 0);                       // pad before the PCIR
}

TEST(RomPacker, PciDataStructureFields) {
  std::vector<uint8_t> rom = packed(TestPe{}.build(), 0x8086, 0x10D3);
  EXPECT_EQ(rom[kPcir + 0], 'P');
  EXPECT_EQ(rom[kPcir + 1], 'C');
  EXPECT_EQ(rom[kPcir + 2], 'I');
  EXPECT_EQ(rom[kPcir + 3], 'R');
  EXPECT_EQ(get16(rom, kPcir + 0x04), 0x8086);         // vendor
  EXPECT_EQ(get16(rom, kPcir + 0x06), 0x10D3);         // device
  EXPECT_EQ(get16(rom, kPcir + 0x08), 0);              // no device list
  EXPECT_EQ(get16(rom, kPcir + 0x0A), 0x1C);           // structure length, revision 3
  EXPECT_EQ(rom[kPcir + 0x0C], 3);                     // revision
  EXPECT_EQ(rom[kPcir + 0x0D], 0x00);                  // programming interface
  EXPECT_EQ(rom[kPcir + 0x0E], 0x00);                  // subclass: Ethernet
  EXPECT_EQ(rom[kPcir + 0x0F], 0x02);                  // base class: network controller
  EXPECT_EQ(get16(rom, kPcir + 0x10), rom.size() / 512);  // image length
  EXPECT_EQ(get16(rom, kPcir + 0x12), 0);              // code revision
  EXPECT_EQ(rom[kPcir + 0x14], 3);                     // code type: EFI
  EXPECT_EQ(rom[kPcir + 0x15], 0x80);                  // last image
  EXPECT_EQ(get16(rom, kPcir + 0x16), 0);              // max runtime image length
  EXPECT_EQ(get16(rom, kPcir + 0x18), 0);              // config utility code header
  EXPECT_EQ(get16(rom, kPcir + 0x1A), 0);              // DMTF CLP entry point
}

TEST(RomPacker, OffsetsAreAligned) {
  std::vector<uint8_t> rom = packed(TestPe{}.build());
  EXPECT_EQ(get16(rom, 0x18) % 4, 0);    // PCI firmware spec: PCIR DWORD aligned
  EXPECT_EQ(get16(rom, 0x16) % 512, 0);  // PE headers on a ROM unit
}

TEST(RomPacker, ImageIsEmbeddedUnchanged) {
  std::vector<uint8_t> pe = TestPe{}.build();
  std::vector<uint8_t> rom = packed(pe);
  size_t offset = get16(rom, 0x16);
  ASSERT_LE(offset + pe.size(), rom.size());
  EXPECT_TRUE(std::equal(pe.begin(), pe.end(), rom.begin() + static_cast<long>(offset)));
}

TEST(RomPacker, PadsToA512Multiple) {
  std::vector<uint8_t> pe = TestPe{}.build();
  pe.resize(pe.size() + 3, 0xAB);  // trailing bytes a PE may carry
  std::vector<uint8_t> rom = packed(pe);
  EXPECT_EQ(rom.size() % 512, 0u);
  EXPECT_EQ(rom.size(), kImage + pe.size() - 3 + 512);
  EXPECT_EQ(get16(rom, 0x02), rom.size() / 512);
  EXPECT_EQ(get16(rom, kPcir + 0x10), rom.size() / 512);
  EXPECT_TRUE(std::equal(pe.begin(), pe.end(), rom.begin() + kImage));
  EXPECT_TRUE(std::all_of(rom.begin() + static_cast<long>(kImage + pe.size()), rom.end(),
                          [](uint8_t b) { return b == 0xFF; }));
  // Between the PCIR and the image too.
  EXPECT_TRUE(std::all_of(rom.begin() + kPcir + 0x1C, rom.begin() + kImage,
                          [](uint8_t b) { return b == 0xFF; }));
}

// EFI ROMs carry no checksum (a legacy BIOS rule): the packer must not patch
// any byte to make the sum zero, so the bytes are exactly header + PE + pad.
TEST(RomPacker, NoChecksumByte) {
  std::vector<uint8_t> pe = TestPe{}.build();
  std::vector<uint8_t> rom = packed(pe);
  std::vector<uint8_t> again = packed(pe);
  EXPECT_EQ(rom, again);
  EXPECT_TRUE(std::equal(pe.begin(), pe.end(), rom.begin() + kImage));
  EXPECT_EQ(rom.size(), kImage + pe.size());  // nothing appended after the image
}

TEST(RomPacker, RuntimeDriverSubsystem) {
  TestPe pe;
  pe.subsystem = 12;
  EXPECT_EQ(get16(packed(pe.build()), 0x08), 0x0C);
}

TEST(RomPacker, ClassCodeAndRevision) {
  std::vector<uint8_t> pe = TestPe{}.build();
  RomImageInput input{pe, 0x1234, 0x5678, 0x0C0330, 0x0102};
  RomPackResult result = pack_rom(std::span<const RomImageInput>(&input, 1));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.rom[kPcir + 0x0D], 0x30);
  EXPECT_EQ(result.rom[kPcir + 0x0E], 0x03);
  EXPECT_EQ(result.rom[kPcir + 0x0F], 0x0C);
  EXPECT_EQ(get16(result.rom, kPcir + 0x12), 0x0102);
}

TEST(RomPacker, SeveralImagesChainWithLastIndicatorOnTheLast) {
  std::vector<uint8_t> first = TestPe{}.build();
  TestPe bigger;
  bigger.sections[0].raw_size = 0x600;
  std::vector<uint8_t> second = bigger.build();
  std::vector<RomImageInput> inputs = {{first, 0x8086, 0x100E}, {second, 0x8086, 0x10D3}};
  RomPackResult result = pack_rom(inputs);
  ASSERT_TRUE(result.ok());
  const std::vector<uint8_t>& rom = result.rom;

  size_t first_size = get16(rom, kPcir + 0x10) * size_t{512};
  EXPECT_EQ(first_size, kImage + first.size());
  EXPECT_EQ(get16(rom, kPcir + 0x06), 0x100E);
  EXPECT_EQ(rom[kPcir + 0x15], 0x00);  // more images follow
  EXPECT_TRUE(std::equal(first.begin(), first.end(), rom.begin() + kImage));

  size_t base = first_size;
  ASSERT_EQ(rom.size(), base + kImage + second.size());
  EXPECT_EQ(rom[base], 0x55);
  EXPECT_EQ(rom[base + 1], 0xAA);
  EXPECT_EQ(get16(rom, base + 0x02), (rom.size() - base) / 512);
  EXPECT_EQ(get16(rom, base + 0x16), kImage);  // offsets are relative to each image's header
  EXPECT_EQ(get16(rom, base + 0x18), kPcir);
  EXPECT_EQ(get16(rom, base + kPcir + 0x06), 0x10D3);
  EXPECT_EQ(get16(rom, base + kPcir + 0x10), (rom.size() - base) / 512);
  EXPECT_EQ(rom[base + kPcir + 0x15], 0x80);
  EXPECT_TRUE(std::equal(second.begin(), second.end(), rom.begin() + static_cast<long>(base + kImage)));
}

TEST(RomPacker, RejectsNoImages) {
  RomPackResult result = pack_rom(std::span<const RomImageInput>{});
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, RomErrc::NoImages);
}

TEST(RomPacker, RejectsEmptyFile) { EXPECT_EQ(error_of({}), RomErrc::NotPe); }

TEST(RomPacker, RejectsNonPe) {
  std::string text = "#!/bin/sh\necho this is not a driver\n";
  text.resize(512, ' ');
  EXPECT_EQ(error_of(std::vector<uint8_t>(text.begin(), text.end())), RomErrc::NotPe);
}

TEST(RomPacker, RejectsTruncatedPe) {
  std::vector<uint8_t> pe = TestPe{}.build();
  pe.resize(0x100);
  EXPECT_EQ(error_of(pe), RomErrc::NotPe);
}

TEST(RomPacker, RejectsPe32) {
  TestPe pe;
  pe.magic = 0x010B;
  EXPECT_EQ(error_of(pe.build()), RomErrc::NotPe32Plus);
}

TEST(RomPacker, RejectsWrongMachine) {
  TestPe pe;
  pe.machine = 0xAA64;  // AArch64
  RomPackResult result = pack_rom(pe.build(), 0x1AF4, 0x1000);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, RomErrc::WrongMachine);
  EXPECT_NE(result.error->detail.find("0xaa64"), std::string::npos) << result.error->detail;
}

TEST(RomPacker, RejectsApplication) {
  TestPe pe;
  pe.subsystem = 10;  // PCI bus drivers do not start applications from ROMs
  EXPECT_EQ(error_of(pe.build()), RomErrc::NotEfiDriver);
}

TEST(RomPacker, RejectsClassCodeOver24Bits) {
  std::vector<uint8_t> pe = TestPe{}.build();
  RomImageInput input{pe, 0x1AF4, 0x1000, 0x1000000, 0};
  RomPackResult result = pack_rom(std::span<const RomImageInput>(&input, 1));
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, RomErrc::BadClassCode);
}

// A signed image is packed only if no padding follows it: the firmware would
// hash the padding as image data and the signature would fail.
TEST(RomPacker, RejectsSignedImageThatNeedsPadding) {
  TestPe pe;
  std::vector<uint8_t> unpadded = pe.build();
  uint32_t table = static_cast<uint32_t>(unpadded.size());
  pe.directories.push_back({4, table, 0x10});
  std::vector<uint8_t> bytes = pe.build();
  bytes.resize(bytes.size() + 0x10);  // the table's bytes (the packer does not read them)
  EXPECT_EQ(error_of(bytes), RomErrc::SignedNotUnits);
  bytes.resize(bytes.size() + 512 - 0x10);
  put32(bytes, TestPe::kOptionalOffset + 112 + 8 * 4 + 4, 512);
  std::vector<uint8_t> rom = packed(bytes);
  EXPECT_EQ(rom.size(), kImage + bytes.size());
}

TEST(RomPacker, RejectsOver16MiB) {
  std::vector<uint8_t> pe = TestPe{}.build();
  pe.resize(16 * 1024 * 1024);
  EXPECT_EQ(error_of(pe), RomErrc::TooLarge);
}

TEST(RomPacker, ErrorNamesTheBadImage) {
  std::vector<uint8_t> good = TestPe{}.build();
  std::vector<uint8_t> bad(100, 0);
  std::vector<RomImageInput> inputs = {{good, 1, 2}, {bad, 1, 3}};
  RomPackResult result = pack_rom(inputs);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->code, RomErrc::NotPe);
  EXPECT_EQ(result.error->image_index, 1u);
}

}  // namespace
