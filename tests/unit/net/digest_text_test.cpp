// The digest a server publishes beside a boot file, in the forms sha256sum and
// people write it; its digest here is FIPS 180-4's "abc" test vector.
#include "net/wire/digest_text.h"

#include <gtest/gtest.h>

#include <string>

#include "core/sha256.h"

namespace mpxe::net {
namespace {

constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

Result<Sha256Text> parse(const std::string& text) {
  return parse_sha256_text(Bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

TEST(DigestText, MatchesTheHashOfTheFileItNames) {
  Sha256 sha;
  sha.update("abc", 3);
  char hex[Sha256::kHexSize];
  sha.finish_hex(hex);
  auto r = parse(std::string(kAbc) + "  abc.efi\n");  // sha256sum's text mode
  ASSERT_TRUE(r.ok());
  EXPECT_STREQ(r.value().hex, hex);
}

TEST(DigestText, AcceptsTheFormsInUse) {
  for (const std::string& text :
       {std::string(kAbc), std::string(kAbc) + "\n", std::string(kAbc) + "\r\n",
        std::string(kAbc) + " *abc.efi\n", std::string(kAbc) + "\tabc.efi"}) {
    auto r = parse(text);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_STREQ(r.value().hex, kAbc);
  }
}

TEST(DigestText, UpperCaseBecomesLowerCase) {
  std::string upper(kAbc);
  for (char& c : upper) c = static_cast<char>(toupper(c));
  auto r = parse(upper + "\n");
  ASSERT_TRUE(r.ok());
  EXPECT_STREQ(r.value().hex, kAbc);
}

TEST(DigestText, RefusesWhatIsNotOneSha256) {
  const std::string abc(kAbc);
  EXPECT_EQ(parse("").error().reason(), Errc::Truncated);
  EXPECT_EQ(parse(abc.substr(0, 63)).error().reason(), Errc::Truncated);
  EXPECT_EQ(parse(abc.substr(0, 63) + "g").error().reason(), Errc::BadValue);
  EXPECT_EQ(parse(abc + "0").error().reason(), Errc::BadLength);  // 65 digits: SHA-512 cut short?
  EXPECT_EQ(parse("<html>404 Not Found</html>" + abc).error().reason(), Errc::BadValue);
}

}  // namespace
}  // namespace mpxe::net
