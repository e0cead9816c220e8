// The seed mix: no seed without a true source, every input changes the output,
// and the output is the documented construction (so a reviewer can check it).
#include "tls/entropy_mix.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

namespace mpxe::tls {
namespace {

std::vector<uint8_t> extract(const EntropyMix& mix, size_t size) {
  std::vector<uint8_t> out(size, 0xee);
  EXPECT_TRUE(mix.extract(out.data(), out.size()));
  return out;
}

TEST(EntropyMix, NoSeedFromJitterAlone) {
  EntropyMix mix;
  const std::array<uint8_t, 256> tsc_samples{1, 2, 3};
  mix.add_weak(tsc_samples.data(), tsc_samples.size());
  std::array<uint8_t, 32> out{};
  out.fill(0xaa);
  EXPECT_FALSE(mix.extract(out.data(), out.size()));
  for (uint8_t b : out) EXPECT_EQ(b, 0xaa);  // left alone
}

TEST(EntropyMix, AsManyTrueBytesAsTheSeedAsks) {
  EntropyMix mix;
  const std::array<uint8_t, 48> rdrand{};
  mix.add_strong(rdrand.data(), 32);
  std::array<uint8_t, 48> out{};
  EXPECT_FALSE(mix.extract(out.data(), 48));
  mix.add_strong(rdrand.data(), 16);
  EXPECT_EQ(mix.strong_bytes(), 48u);
  EXPECT_TRUE(mix.extract(out.data(), 48));
}

TEST(EntropyMix, EveryInputChangesTheSeed) {
  const std::array<uint8_t, 64> strong{9, 8, 7};
  std::array<uint8_t, 64> other_strong = strong;
  other_strong[63] ^= 1;
  const uint64_t tsc = 0x123456789;
  const uint64_t other_tsc = 0x12345678a;

  EntropyMix a, b, c, d;
  a.add_strong(strong.data(), strong.size());
  a.add_weak(&tsc, sizeof(tsc));
  b.add_strong(other_strong.data(), other_strong.size());
  b.add_weak(&tsc, sizeof(tsc));
  c.add_strong(strong.data(), strong.size());
  c.add_weak(&other_tsc, sizeof(other_tsc));
  d.add_strong(strong.data(), strong.size());
  d.add_weak(&tsc, sizeof(tsc));
  EXPECT_NE(extract(a, 64), extract(b, 64));
  EXPECT_NE(extract(a, 64), extract(c, 64));
  EXPECT_EQ(extract(a, 64), extract(d, 64));
}

TEST(EntropyMix, TheKindOfASourceIsPartOfTheMix) {
  const std::array<uint8_t, 32> bytes{1};
  EntropyMix strong_then_weak, weak_then_strong;
  strong_then_weak.add_strong(bytes.data(), bytes.size());
  strong_then_weak.add_weak(bytes.data(), bytes.size());
  weak_then_strong.add_weak(bytes.data(), bytes.size());
  weak_then_strong.add_strong(bytes.data(), bytes.size());
  EXPECT_NE(extract(strong_then_weak, 32), extract(weak_then_strong, 32));
}

TEST(EntropyMix, OutputBlocksAreSha256OfTheInputsAndACounter) {
  const std::array<uint8_t, 80> strong{0x42, 0x43};
  EntropyMix mix;
  mix.add_strong(strong.data(), strong.size());
  const std::vector<uint8_t> seed = extract(mix, 80);

  Sha256 expected_base;
  const char label[] = "mpxe tls seed v1";
  expected_base.update(label, sizeof(label) - 1);
  const uint8_t tag[9] = {1, 80, 0, 0, 0, 0, 0, 0, 0};
  expected_base.update(tag, sizeof(tag));
  expected_base.update(strong.data(), strong.size());
  for (uint8_t block = 0; block < 3; ++block) {
    Sha256 h = expected_base;
    const uint8_t counter[4] = {block, 0, 0, 0};
    h.update(counter, sizeof(counter));
    uint8_t digest[32];
    h.finish(digest);
    const size_t n = block < 2 ? 32 : 16;
    EXPECT_EQ(std::memcmp(seed.data() + 32 * block, digest, n), 0) << "block " << int{block};
  }
}

}  // namespace
}  // namespace mpxe::tls
