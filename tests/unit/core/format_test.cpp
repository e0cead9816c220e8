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

TEST(FormatMib, TenthsRoundedAndWholeMibPlain) {
  char out[16];
  EXPECT_EQ(mpxe::format_mib(8u << 20, out, sizeof(out)), 5u);
  EXPECT_STREQ(out, "8 MiB");
  mpxe::format_mib((4u << 20) + (1u << 19), out, sizeof(out));
  EXPECT_STREQ(out, "4.5 MiB");
  mpxe::format_mib(100 << 10, out, sizeof(out));
  EXPECT_STREQ(out, "0.1 MiB");
  mpxe::format_mib(0, out, sizeof(out));
  EXPECT_STREQ(out, "0.0 MiB");
  mpxe::format_mib((2u << 20) - 1, out, sizeof(out));  // 1.99... rounds up to 2
  EXPECT_STREQ(out, "2 MiB");
}
