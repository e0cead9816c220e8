#include "romtool/hex_arg.h"

#include <gtest/gtest.h>

namespace {

using mpxe::rom::parse_hex_arg;

TEST(HexArg, WithAndWithoutPrefix) {
  EXPECT_EQ(parse_hex_arg("0x1af4", 0xFFFF), 0x1AF4u);
  EXPECT_EQ(parse_hex_arg("0X1AF4", 0xFFFF), 0x1AF4u);
  EXPECT_EQ(parse_hex_arg("1000", 0xFFFF), 0x1000u);  // hex, as PCI ids are always written
  EXPECT_EQ(parse_hex_arg("020000", 0xFFFFFF), 0x020000u);
}

TEST(HexArg, Rejects) {
  EXPECT_FALSE(parse_hex_arg("", 0xFFFF));
  EXPECT_FALSE(parse_hex_arg("0x", 0xFFFF));
  EXPECT_FALSE(parse_hex_arg("1af4g", 0xFFFF));
  EXPECT_FALSE(parse_hex_arg("-1", 0xFFFF));
  EXPECT_FALSE(parse_hex_arg("0x10000", 0xFFFF));
  EXPECT_FALSE(parse_hex_arg("ffffffffffffffffffff", 0xFFFF));
}

}  // namespace
