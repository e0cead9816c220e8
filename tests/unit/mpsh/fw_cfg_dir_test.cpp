#include "qemu/fw_cfg_dir.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace mpxe::qemu {
namespace {

void add_entry(std::vector<uint8_t>& dir, uint32_t size, uint16_t select, const char* name) {
  uint8_t e[kFwCfgFileEntrySize] = {};
  mpxe::store_be32(e, size);
  mpxe::store_be16(e + 4, select);
  std::memcpy(e + 8, name, std::strlen(name));
  dir.insert(dir.end(), e, e + sizeof(e));
}

std::vector<uint8_t> directory() {
  std::vector<uint8_t> dir(4, 0);
  add_entry(dir, 0x2000, 0x20, "etc/acpi/tables");
  add_entry(dir, 60, 0x21, "opt/org.mpxe/mpsh-cmd");
  add_entry(dir, 8, 0x22, "etc/boot-fail-wait");
  mpxe::store_be32(dir.data(), 3);
  return dir;
}

TEST(FwCfgDir, FindsAFileByName) {
  auto dir = directory();
  EXPECT_EQ(fw_cfg_file_count(Bytes(dir.data(), dir.size())), 3u);
  FwCfgFile f;
  ASSERT_TRUE(fw_cfg_find_file(Bytes(dir.data(), dir.size()), "opt/org.mpxe/mpsh-cmd", &f));
  EXPECT_EQ(f.size, 60u);
  EXPECT_EQ(f.select, 0x21);
  EXPECT_STREQ(f.name, "opt/org.mpxe/mpsh-cmd");
}

TEST(FwCfgDir, MissingFileAndPrefixesDoNotMatch) {
  auto dir = directory();
  FwCfgFile f;
  EXPECT_FALSE(fw_cfg_find_file(Bytes(dir.data(), dir.size()), "opt/org.mpxe", &f));
  EXPECT_FALSE(fw_cfg_find_file(Bytes(dir.data(), dir.size()), "etc/acpi/tables/x", &f));
}

TEST(FwCfgDir, CountLargerThanTheBufferIsSafe) {
  auto dir = directory();
  mpxe::store_be32(dir.data(), 1000);
  FwCfgFile f;
  EXPECT_TRUE(fw_cfg_find_file(Bytes(dir.data(), dir.size()), "etc/boot-fail-wait", &f));
  EXPECT_FALSE(fw_cfg_find_file(Bytes(dir.data(), dir.size()), "nope", &f));
  dir.resize(4 + kFwCfgFileEntrySize + 10);  // second entry cut short
  EXPECT_FALSE(
      fw_cfg_find_file(Bytes(dir.data(), dir.size()), "opt/org.mpxe/mpsh-cmd", &f));
  EXPECT_EQ(fw_cfg_file_count(Bytes(dir.data(), 3)), 0u);
}

TEST(FwCfgDir, FullLengthNameIsTerminated) {
  uint8_t e[kFwCfgFileEntrySize];
  std::memset(e, 'n', sizeof(e));
  FwCfgFile f;
  ASSERT_TRUE(fw_cfg_parse_file_entry(Bytes(e), &f));
  EXPECT_EQ(std::strlen(f.name), kFwCfgFileNameSize);
  EXPECT_FALSE(fw_cfg_parse_file_entry(Bytes(e, 63), &f));
}

TEST(FwCfgDir, Signature) {
  const uint8_t qemu[] = {'Q', 'E', 'M', 'U'};
  const uint8_t absent[] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_TRUE(fw_cfg_signature_ok(Bytes(qemu)));
  EXPECT_FALSE(fw_cfg_signature_ok(Bytes(absent)));
  EXPECT_FALSE(fw_cfg_signature_ok(Bytes(qemu, 3)));
}

}  // namespace
}  // namespace mpxe::qemu
