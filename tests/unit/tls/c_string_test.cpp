// The string functions the ROM's libc gives wolfSSL (src/uefi/libc), against the
// host's C library on the cases where the standard is easy to get wrong.
#include "uefi/libc/c_string.h"

#include <gtest/gtest.h>

#include <strings.h>

#include <array>
#include <cstring>

namespace mpxe::libc {
namespace {

int sign(int v) { return (v > 0) - (v < 0); }

TEST(CString, StrncpyPadsWithZerosAndDoesNotTerminateWhenFull) {
  std::array<char, 8> ours, theirs;
  ours.fill('x');
  theirs.fill('x');
  copy_n_padded(ours.data(), "ab", 6);
  std::strncpy(theirs.data(), "ab", 6);
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours[5], '\0');
  EXPECT_EQ(ours[6], 'x');

  ours.fill('x');
  theirs.fill('x');
  copy_n_padded(ours.data(), "abcdefgh", 4);
  std::strncpy(theirs.data(), "abcdefgh", 4);
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours[4], 'x');  // no terminator

  EXPECT_EQ(copy_n_padded(ours.data(), "", 0), ours.data());
}

TEST(CString, ComparisonsTakeBytesAsUnsigned) {
  const char* pairs[][2] = {{"", ""},       {"a", ""},      {"abc", "abd"}, {"abc", "abc"},
                            {"ab", "abc"},  {"\x80", "a"},  {"a\xff", "a\x01"},
                            {"Host", "host"}};
  for (const auto& p : pairs) {
    EXPECT_EQ(sign(compare(p[0], p[1])), sign(std::strcmp(p[0], p[1]))) << p[0] << " " << p[1];
    for (size_t n = 0; n < 5; ++n)
      EXPECT_EQ(sign(compare_n(p[0], p[1], n)), sign(std::strncmp(p[0], p[1], n))) << n;
  }
  // strncmp stops at n even before a NUL.
  EXPECT_EQ(compare_n("abcX", "abcY", 3), 0);
}

TEST(CString, StrcasecmpFoldsAsciiOnly) {
  const char* pairs[][2] = {{"Example.COM", "example.com"}, {"a", "B"}, {"B", "a"}, {"[", "a"},
                            {"_", "A"},  // '_' sorts after 'A' but before 'a': fold first
                            {"\xc3\x89", "\xc3\xa9"},  // no folding past ASCII
                            {"abc", "ABCD"}, {"", ""}};
  for (const auto& p : pairs)
    EXPECT_EQ(sign(compare_ignoring_case(p[0], p[1])), sign(strcasecmp(p[0], p[1])))
        << p[0] << " " << p[1];
  EXPECT_EQ(to_lower('Q'), 'q');
  EXPECT_EQ(to_lower('q'), 'q');
  EXPECT_EQ(to_lower('@'), '@');
  EXPECT_EQ(to_lower(0xc9), 0xc9);
}

TEST(CString, StrstrFindsTheFirstOccurrence) {
  const char* hay = "www.example.com.example.com";
  EXPECT_EQ(find(hay, "example"), std::strstr(hay, "example"));
  EXPECT_EQ(find(hay, ""), hay);
  EXPECT_EQ(find(hay, "com"), hay + 12);
  EXPECT_EQ(find(hay, "comx"), nullptr);
  EXPECT_EQ(find("aaab", "aab"), std::strstr("aaab", "aab"));  // restart after a partial match
  EXPECT_EQ(find("", "a"), nullptr);
  EXPECT_EQ(find("ab", "abc"), nullptr);
}

}  // namespace
}  // namespace mpxe::libc
