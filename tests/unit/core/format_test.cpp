#include "core/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

TEST(Format, IntegersAndPadding) {
  char out[64];
  mpxe::format(out, sizeof(out), "%d|%5d|%-3s|%05u|%x|%04X", -42, 7, "a", 12u, 0xbeefu, 0xabu);
  EXPECT_STREQ(out, "-42|    7|a  |00012|beef|00AB");
}

TEST(Format, LongAndSizeModifiers) {
  char out[64];
  mpxe::format(out, sizeof(out), "%llu %llx %zu %ld", 18446744073709551615ull, 0x1234567890ull,
               size_t{99}, -5L);
  EXPECT_STREQ(out, "18446744073709551615 1234567890 99 -5");
}

TEST(Format, TruncatesButReportsFullLength) {
  char out[8];
  size_t n = mpxe::format(out, sizeof(out), "%s", "0123456789");
  EXPECT_EQ(n, 10u);
  EXPECT_STREQ(out, "0123456");
}

TEST(Format, NullStringAndPercent) {
  char out[32];
  mpxe::format(out, sizeof(out), "%s %% %c", static_cast<const char*>(nullptr), 'z');
  EXPECT_STREQ(out, "(null) % z");
}

TEST(Format, ZeroCapacityWritesNothing) {
  char out[1] = {'q'};
  EXPECT_EQ(mpxe::format(out, 0, "abc"), 3u);
  EXPECT_EQ(out[0], 'q');
}

}  // namespace
