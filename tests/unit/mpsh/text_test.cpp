#include "mpsh/text.h"

#include <gtest/gtest.h>

namespace mpsh {
namespace {

TEST(Text, ParsesDecimalAndHex) {
  uint64_t v = 99;
  EXPECT_TRUE(parse_u64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_u64("7", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(parse_u64("0x1F", &v));
  EXPECT_EQ(v, 31u);
  EXPECT_TRUE(parse_u64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
}

TEST(Text, RejectsBadNumbers) {
  uint64_t v = 42;
  EXPECT_FALSE(parse_u64("", &v));
  EXPECT_FALSE(parse_u64("0x", &v));
  EXPECT_FALSE(parse_u64("12a", &v));
  EXPECT_FALSE(parse_u64("-1", &v));
  EXPECT_FALSE(parse_u64("18446744073709551616", &v));
  EXPECT_FALSE(parse_u64("0x10000000000000000", &v));
  EXPECT_EQ(v, 42u);
}

TEST(Text, FormatsUefiRevisionsAsTheSpecWritesThem) {
  char out[kRevisionTextSize];
  format_uefi_revision((2u << 16) | 70, out);
  EXPECT_STREQ(out, "2.7");
  format_uefi_revision((2u << 16) | 31, out);
  EXPECT_STREQ(out, "2.3.1");
  format_uefi_revision((2u << 16) | 100, out);
  EXPECT_STREQ(out, "2.10");
  format_uefi_revision((1u << 16) | 10, out);
  EXPECT_STREQ(out, "1.1");
}

TEST(Text, NamesMemoryTypes) {
  EXPECT_STREQ(memory_type_name(7), "Conventional");
  EXPECT_STREQ(memory_type_name(4), "BootServicesData");
  EXPECT_STREQ(memory_type_name(0x80000000u), "Unknown");
}

TEST(Text, CopiesBounded) {
  char out[4];
  EXPECT_EQ(text_copy(out, sizeof(out), "abcdef", 6), 3u);
  EXPECT_STREQ(out, "abc");
  EXPECT_EQ(text_copy(out, sizeof(out), "xy", 6), 2u);
  EXPECT_STREQ(out, "xy");
  EXPECT_TRUE(text_equal("help", "help"));
  EXPECT_FALSE(text_equal("help", "hel"));
  EXPECT_EQ(text_length("mpsh"), 4u);
}

}  // namespace
}  // namespace mpsh
