#include "phy/multicast_table.h"

#include <gtest/gtest.h>

#include "core/prng.h"

namespace mpxe::phy {
namespace {

const uint8_t kAllHosts[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};  // 224.0.0.1
const uint8_t kSsdp[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};      // 239.255.255.250

// The manuals' definition, read literally: the 48-bit address with byte 0 in bits
// 7:0, and MO picking bits 47:36, 46:35, 45:34 or 43:32 of it.
uint32_t manual_hash(const uint8_t mac[6], uint32_t offset_mode) {
  uint64_t address = 0;
  for (int i = 0; i < 6; ++i) address |= uint64_t{mac[i]} << (8 * i);
  const int low_bit[4] = {36, 35, 34, 32};
  return static_cast<uint32_t>(address >> low_bit[offset_mode]) & 0xfff;
}

TEST(MulticastTable, HashTakesTheBitsRctlMoSelects) {
  EXPECT_EQ(MulticastTable::hash(kAllHosts, 0), 0x010u);
  EXPECT_EQ(MulticastTable::hash(kAllHosts, 1), 0x020u);
  EXPECT_EQ(MulticastTable::hash(kAllHosts, 2), 0x040u);
  EXPECT_EQ(MulticastTable::hash(kAllHosts, 3), 0x100u);
  EXPECT_EQ(MulticastTable::hash(kSsdp, 0), 0xfafu);
  EXPECT_EQ(MulticastTable::hash(kSsdp, 1), 0xf5fu);
  EXPECT_EQ(MulticastTable::hash(kSsdp, 2), 0xebfu);
  EXPECT_EQ(MulticastTable::hash(kSsdp, 3), 0xaffu);
}

TEST(MulticastTable, HashMatchesTheManualsBitRanges) {
  Prng prng(7);
  for (int n = 0; n < 10000; ++n) {
    uint8_t mac[6];
    for (uint8_t& b : mac) b = static_cast<uint8_t>(prng.next_u32());
    for (uint32_t mo = 0; mo < 4; ++mo)
      ASSERT_EQ(MulticastTable::hash(mac, mo), manual_hash(mac, mo)) << "MO " << mo;
  }
}

TEST(MulticastTable, EmptyTablePassesNothing) {
  MulticastTable table;
  for (uint32_t i = 0; i < MulticastTable::kWords; ++i) EXPECT_EQ(table.word(i), 0u);
  EXPECT_FALSE(table.passes(kAllHosts));
  EXPECT_FALSE(table.passes(kSsdp));
}

TEST(MulticastTable, AddedGroupsSetOneBitEachInTheirRegister) {
  MulticastTable table;  // MO 00, as our driver leaves RCTL
  table.add(kAllHosts);
  table.add(kSsdp);
  EXPECT_EQ(table.word(0), 1u << 16);   // 0x010: MTA[0] bit 16
  EXPECT_EQ(table.word(125), 1u << 15); // 0xfaf: MTA[125] bit 15
  int bits = 0;
  for (uint32_t i = 0; i < MulticastTable::kWords; ++i) bits += __builtin_popcount(table.word(i));
  EXPECT_EQ(bits, 2);
  EXPECT_TRUE(table.passes(kAllHosts));
  EXPECT_TRUE(table.passes(kSsdp));
  const uint8_t other[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};  // 224.0.0.251
  EXPECT_FALSE(table.passes(other));
  EXPECT_EQ(table.word(MulticastTable::kWords), 0u);  // out of range reads as empty
}

TEST(MulticastTable, IsImperfect_GroupsSharingTheHashedBitsPassToo) {
  MulticastTable table;
  table.add(kAllHosts);
  // Same bits 47:36, different elsewhere: the device cannot tell them apart, which
  // is why the SNP still matches its list exactly in software.
  const uint8_t twin[6] = {0x33, 0x33, 0x12, 0x34, 0x0f, 0x01};
  EXPECT_TRUE(table.passes(twin));
}

TEST(MulticastTable, OffsetModeChangesWhichBitIsSet) {
  MulticastTable mo3(3);
  mo3.add(kAllHosts);
  EXPECT_EQ(mo3.word(8), 1u);  // 0x100: MTA[8] bit 0
  EXPECT_EQ(mo3.word(0), 0u);
}

}  // namespace
}  // namespace mpxe::phy
