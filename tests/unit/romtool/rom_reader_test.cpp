// Reading ROMs back: what the packer wrote, hostile ROMs, and the ROM this
// build packed from the real driver.
#include "romtool/rom_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

#include "pe_builder.h"
#include "pecheck/pe_rules.h"
#include "romtool/rom_packer.h"

namespace {

using mpxe::rom::read_rom;
using mpxe::rom::RomImageInput;
using mpxe::rom::RomReadErrc;
using mpxe::rom::RomReadResult;
using mpxe::test::put16;
using mpxe::test::TestPe;

std::vector<uint8_t> two_image_rom(const std::vector<uint8_t>& pe) {
  std::vector<RomImageInput> inputs = {{pe, 0x8086, 0x100E}, {pe, 0x8086, 0x10D3, 0x020000, 7}};
  return mpxe::rom::pack_rom(inputs).rom;
}

TEST(RomReader, ReadsBackWhatThePackerWrote) {
  std::vector<uint8_t> pe = TestPe{}.build();
  std::vector<uint8_t> rom = two_image_rom(pe);
  RomReadResult read = read_rom(rom);
  ASSERT_TRUE(read.ok()) << read.detail;
  ASSERT_EQ(read.images.size(), 2u);
  for (const mpxe::rom::RomImageInfo& image : read.images) {
    EXPECT_TRUE(image.is_efi());
    EXPECT_EQ(image.vendor_id, 0x8086);
    EXPECT_EQ(image.class_code, 0x020000u);
    EXPECT_EQ(image.pcir_revision, 3);
    EXPECT_EQ(image.pcir_length, 0x1C);
    EXPECT_EQ(image.efi_subsystem, 11);
    EXPECT_EQ(image.efi_machine, 0x8664);
    EXPECT_EQ(image.compression, 0);
    EXPECT_EQ(image.initialization_units, image.image_length_units);
    // What LoadImage gets starts with the PE, unchanged.
    ASSERT_GE(image.efi_image.size(), pe.size());
    EXPECT_TRUE(std::equal(pe.begin(), pe.end(), image.efi_image.begin()));
  }
  EXPECT_EQ(read.images[0].device_id, 0x100E);
  EXPECT_FALSE(read.images[0].is_last());
  EXPECT_EQ(read.images[1].offset, size_t{read.images[0].image_length_units} * 512);
  EXPECT_EQ(read.images[1].device_id, 0x10D3);
  EXPECT_EQ(read.images[1].code_revision, 7);
  EXPECT_TRUE(read.images[1].is_last());
}

TEST(RomReader, EmptyRomHasNoLastImage) {
  RomReadResult read = read_rom({});
  EXPECT_EQ(read.error, RomReadErrc::NoLastImage);
}

TEST(RomReader, TruncatedRom) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  rom.resize(rom.size() - 512);
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::Truncated);
  rom.resize(0x10);
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::Truncated);
}

TEST(RomReader, BadSignature) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  rom[0] = 0;
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::BadSignature);
}

TEST(RomReader, UnalignedPcirOffset) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  put16(rom, 0x18, 0x1D);
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::BadPcirOffset);
}

TEST(RomReader, PcirOffsetPastTheEnd) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  put16(rom, 0x18, 0xFFFC);
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::Truncated);
}

TEST(RomReader, MissingPcirSignature) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  rom[0x1C] = 'X';
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::BadPcirSignature);
}

TEST(RomReader, ZeroImageLength) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  put16(rom, 0x1C + 0x10, 0);
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::BadLength);
}

TEST(RomReader, ImageOffsetBeyondInitializationSize) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  put16(rom, 0x16, static_cast<uint16_t>(rom.size()));
  EXPECT_EQ(read_rom(rom).error, RomReadErrc::BadEfiHeader);
}

TEST(RomReader, NoLastIndicator) {
  std::vector<uint8_t> rom = mpxe::rom::pack_rom(TestPe{}.build(), 1, 2).rom;
  rom[0x1C + 0x15] = 0;
  RomReadResult read = read_rom(rom);
  EXPECT_EQ(read.error, RomReadErrc::NoLastImage);
  EXPECT_EQ(read.images.size(), 1u);
}

#if defined(MPXE_VIRTIO_ROM) && defined(MPXE_DRIVER_IMAGE)
std::vector<uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
#endif

// The ROM the build packed for virtio-net from the real driver image; only in a
// build that makes firmware (the sanitizer builds do not), where it must exist.
#if defined(MPXE_VIRTIO_ROM) && defined(MPXE_DRIVER_IMAGE)
TEST(RomReader, BuiltVirtioRom) {
  std::vector<uint8_t> rom = read_file(MPXE_VIRTIO_ROM);
  std::vector<uint8_t> driver = read_file(MPXE_DRIVER_IMAGE);
  ASSERT_FALSE(rom.empty()) << "no ROM built at " << MPXE_VIRTIO_ROM;
  ASSERT_FALSE(driver.empty()) << "no driver image at " << MPXE_DRIVER_IMAGE;
  EXPECT_EQ(rom.size() % 512, 0u);
  RomReadResult read = read_rom(rom);
  ASSERT_TRUE(read.ok()) << read.detail;
  ASSERT_EQ(read.images.size(), 1u);
  const mpxe::rom::RomImageInfo& image = read.images[0];
  EXPECT_EQ(image.vendor_id, 0x1AF4);
  EXPECT_EQ(image.device_id, 0x1000);
  EXPECT_TRUE(image.is_efi());
  EXPECT_TRUE(image.is_last());
  EXPECT_EQ(image.efi_subsystem, 11);
  EXPECT_EQ(image.efi_machine, 0x8664);
  EXPECT_EQ(image.efi_image_offset % 512, 0);
  // The driver is signed and ends on a ROM unit, so the image the firmware
  // loads from the ROM is the signed file itself, with no padding after its
  // certificate table.
  ASSERT_EQ(image.efi_image.size(), driver.size());
  EXPECT_TRUE(std::equal(driver.begin(), driver.end(), image.efi_image.begin()));
  std::vector<mpxe::pe::Violation> violations =
      mpxe::pe::check_pe(image.efi_image, mpxe::pe::CheckOptions{.require_signature = true});
  for (const mpxe::pe::Violation& v : violations) ADD_FAILURE() << v.message;
}
#endif

}  // namespace
