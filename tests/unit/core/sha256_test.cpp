#include "core/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

std::string hex_of(const std::string& data) {
  mpxe::Sha256 h;
  h.update(data.data(), data.size());
  char hex[mpxe::Sha256::kHexSize];
  h.finish_hex(hex);
  return hex;
}

// Vectors from FIPS 180-4 examples and NIST CAVP.
TEST(Sha256, EmptyInput) {
  EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage) {
  EXPECT_EQ(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAsInUnevenChunks) {
  std::string a(1000000, 'a');
  mpxe::Sha256 h;
  size_t offset = 0;
  for (size_t chunk = 1; offset < a.size(); chunk = chunk * 3 % 1021 + 1) {
    size_t n = std::min(chunk, a.size() - offset);
    h.update(a.data() + offset, n);
    offset += n;
  }
  char hex[mpxe::Sha256::kHexSize];
  h.finish_hex(hex);
  EXPECT_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  // Lengths around the 55/56/64-byte padding edges must match a one-shot digest
  // of the same bytes fed byte by byte.
  for (size_t len : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u}) {
    std::string data(len, 'x');
    mpxe::Sha256 bytewise;
    for (char c : data) bytewise.update(&c, 1);
    char hex[mpxe::Sha256::kHexSize];
    bytewise.finish_hex(hex);
    EXPECT_EQ(hex, hex_of(data)) << len;
  }
  EXPECT_EQ(hex_of(std::string(64, 'x')),
            "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

}  // namespace
