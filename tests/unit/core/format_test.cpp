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

TEST(FormatAppend, KeepsTheFullLengthWhenTheTextNoLongerFits) {
  char out[8];
  size_t length = 0;
  mpxe::format_append(out, sizeof(out), length, "%s", "abc");
  mpxe::format_append(out, sizeof(out), length, "-%u", 12345u);
  EXPECT_EQ(length, 9u) << "what the whole line would take";
  EXPECT_STREQ(out, "abc-123");
  mpxe::format_append(out, sizeof(out), length, "%s", "more");
  EXPECT_EQ(length, 13u);
  EXPECT_STREQ(out, "abc-123") << "nothing written past a full buffer";
}

TEST(CopyPrintable, ReplacesWhatIsNotPrintableAndCutsToFit) {
  const uint8_t text[] = {'o', 'k', 0x07, 0xFF, ' ', '~', 0x7F, 'x'};
  char out[16];
  mpxe::copy_printable(mpxe::Bytes(text, sizeof(text)), out, sizeof(out));
  EXPECT_STREQ(out, "ok?? ~?x");
  char small[4];
  mpxe::copy_printable(mpxe::Bytes(text, sizeof(text)), small, sizeof(small));
  EXPECT_STREQ(small, "ok?");
  char untouched = 'q';
  mpxe::copy_printable(mpxe::Bytes(text, sizeof(text)), &untouched, 0);
  EXPECT_EQ(untouched, 'q');
}

namespace {

std::string progress(uint64_t done, uint64_t total) {
  char out[48];
  size_t n = mpxe::format_progress(done, total, out, sizeof(out));
  EXPECT_EQ(n, std::string(out).size());
  return out;
}

TEST(FormatProgress, TheUnitComesFromTheTotal) {
  EXPECT_EQ(progress(0, 512), "0/512 B");
  EXPECT_EQ(progress(512, 512), "512/512 B");
  EXPECT_EQ(progress(1023, 1023), "1023/1023 B");
  EXPECT_EQ(progress(0, 1024), "0.0/1.0 KiB");
  EXPECT_EQ(progress(30 << 10, 59392), "30.0/58.0 KiB");  // mpsh.efi, which showed 0.0/0.0 MiB
  EXPECT_EQ(progress(59392, 59392), "58.0/58.0 KiB");
  EXPECT_EQ(progress((1 << 20) - 1, (1 << 20) - 1), "1023.9/1023.9 KiB");
  EXPECT_EQ(progress(0, 1 << 20), "0.0/1.0 MiB");
  EXPECT_EQ(progress(12u << 20, 64u << 20), "12.0/64.0 MiB");
  EXPECT_EQ(progress(5557452, 64u << 20), "5.2/64.0 MiB");
  EXPECT_EQ(progress((1ull << 30) - 1, (1ull << 30) - 1), "1023.9/1023.9 MiB");
  EXPECT_EQ(progress(1288490188, 4ull << 30), "1.1/4.0 GiB");
  EXPECT_EQ(progress(1288490189, 4ull << 30), "1.2/4.0 GiB");
  EXPECT_EQ(progress(100ull << 30, 100ull << 30), "100.0/100.0 GiB");
}

TEST(FormatProgress, TenthsAreCutSoOnlyTheEndShowsTheTotal) {
  EXPECT_EQ(progress((64u << 20) - 1, 64u << 20), "63.9/64.0 MiB");
  EXPECT_EQ(progress(1023, 1024), "0.9/1.0 KiB");
}

TEST(FormatProgress, WithoutATotalTheBytesPickTheirOwnUnit) {
  EXPECT_EQ(progress(0, 0), "0 B");
  EXPECT_EQ(progress(2048, 0), "2.0 KiB");
  EXPECT_EQ(progress(3u << 20, 0), "3.0 MiB");
}

TEST(FormatProgress, MoreThanTheTotalStaysInTheTotalsUnit) {
  EXPECT_EQ(progress(2048, 1000), "2048/1000 B");
}

TEST(FormatProgress, CutToTheBuffer) {
  char out[6];
  EXPECT_EQ(mpxe::format_progress(12u << 20, 64u << 20, out, sizeof(out)), 13u);
  EXPECT_STREQ(out, "12.0/");
}

TEST(SizeUnit, Boundaries) {
  using mpxe::SizeUnit;
  EXPECT_EQ(mpxe::size_unit_for(0), SizeUnit::kB);
  EXPECT_EQ(mpxe::size_unit_for(1023), SizeUnit::kB);
  EXPECT_EQ(mpxe::size_unit_for(1024), SizeUnit::kKiB);
  EXPECT_EQ(mpxe::size_unit_for((1 << 20) - 1), SizeUnit::kKiB);
  EXPECT_EQ(mpxe::size_unit_for(1 << 20), SizeUnit::kMiB);
  EXPECT_EQ(mpxe::size_unit_for((1ull << 30) - 1), SizeUnit::kMiB);
  EXPECT_EQ(mpxe::size_unit_for(1ull << 30), SizeUnit::kGiB);
  EXPECT_EQ(mpxe::size_unit_for(~0ull), SizeUnit::kGiB);
  char out[32];
  mpxe::format_in_unit(~0ull, SizeUnit::kGiB, out, sizeof(out));
  EXPECT_STREQ(out, "17179869183.9");
  EXPECT_STREQ(mpxe::size_unit_name(SizeUnit::kKiB), "KiB");
}

}  // namespace
