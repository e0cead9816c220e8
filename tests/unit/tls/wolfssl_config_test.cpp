// What user_settings.h promises of the wolfSSL the build makes: TLS 1.3 and 1.2
// with modern suites only.
#include <gtest/gtest.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/cpuid.h>

#include <string>
#include <vector>

#include "tls/tls_heap.h"

namespace {

// Every suite the library has, as "A:B:...:".
std::string built_in_suites() {
  char names[4096] = {};
  EXPECT_EQ(wolfSSL_get_ciphers(names, sizeof(names)), WOLFSSL_SUCCESS);
  return std::string(names) + ':';
}

class WolfSslConfig : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_EQ(wolfSSL_Init(), WOLFSSL_SUCCESS); }
  static void TearDownTestSuite() { wolfSSL_Cleanup(); }
};

TEST_F(WolfSslConfig, OffersTls13SuitesWithAesGcmAndChaCha) {
  const std::string suites = built_in_suites();
  EXPECT_NE(suites.find("TLS13-AES128-GCM-SHA256:"), std::string::npos) << suites;
  EXPECT_NE(suites.find("TLS13-AES256-GCM-SHA384:"), std::string::npos) << suites;
  EXPECT_NE(suites.find("TLS13-CHACHA20-POLY1305-SHA256:"), std::string::npos) << suites;
}

TEST_F(WolfSslConfig, OffersTls12WithForwardSecrecyAndNothingOld) {
  const std::string suites = built_in_suites();
  EXPECT_NE(suites.find("ECDHE-RSA-AES128-GCM-SHA256:"), std::string::npos) << suites;
  EXPECT_NE(suites.find("ECDHE-ECDSA-CHACHA20-POLY1305:"), std::string::npos) << suites;
  for (const char* old : {"RC4", "DES", "MD5", "PSK", "NULL"})
    EXPECT_EQ(suites.find(old), std::string::npos) << old << " in " << suites;
}

TEST_F(WolfSslConfig, AllocatesFromTheTlsHeapAndGivesItAllBack) {
  const mpxe::tls::HeapStats before = mpxe::tls::tls_heap().stats();
  EXPECT_GT(before.pool_bytes, 0u);
  WOLFSSL_CTX* ctx = wolfSSL_CTX_new(wolfTLS_client_method());
  ASSERT_NE(ctx, nullptr);
  WOLFSSL* ssl = wolfSSL_new(ctx);  // seeds its DRBG through mpxe_tls_seed
  ASSERT_NE(ssl, nullptr);
  const mpxe::tls::HeapStats during = mpxe::tls::tls_heap().stats();
  EXPECT_GT(during.allocations, before.allocations);
  EXPECT_GT(during.in_use_bytes, before.in_use_bytes);
  wolfSSL_free(ssl);
  wolfSSL_CTX_free(ctx);
  const mpxe::tls::HeapStats after = mpxe::tls::tls_heap().stats();
  EXPECT_EQ(after.in_use_bytes, before.in_use_bytes);
  EXPECT_EQ(after.failures, 0u);
  EXPECT_EQ(after.bad_frees, 0u);
}

// The host's AES is wolfSSL's AES-NI assembly wherever the CPU has it: wolfSSL
// sees the instructions, and its AES-GCM gives the specification's answer (GCM
// test case 2: key, IV and one block of zeros) and takes back what it made over
// many blocks (the assembly's 8-block loop and its tail).
TEST(WolfSslAes, GcmOnTheCpusAesInstructions) {
#ifndef WOLFSSL_AESNI
  GTEST_FAIL() << "user_settings.h builds wolfSSL with WOLFSSL_AESNI";
#else
  if (!__builtin_cpu_supports("aes") || !__builtin_cpu_supports("pclmul")) GTEST_SKIP() << "no AES-NI";
  EXPECT_TRUE(IS_INTEL_AESNI(cpuid_get_flags()));
  Aes aes;
  ASSERT_EQ(wc_AesInit(&aes, nullptr, INVALID_DEVID), 0);
  const uint8_t key[16] = {};
  ASSERT_EQ(wc_AesGcmSetKey(&aes, key, sizeof key), 0);
  const uint8_t iv[12] = {};
  const uint8_t zeros[16] = {};
  uint8_t cipher[16], tag[16];
  ASSERT_EQ(wc_AesGcmEncrypt(&aes, cipher, zeros, sizeof zeros, iv, sizeof iv, tag, sizeof tag, nullptr, 0), 0);
  const uint8_t want_cipher[16] = {0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
                                   0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78};
  const uint8_t want_tag[16] = {0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
                                0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf};
  EXPECT_EQ(std::vector<uint8_t>(cipher, cipher + 16), std::vector<uint8_t>(want_cipher, want_cipher + 16));
  EXPECT_EQ(std::vector<uint8_t>(tag, tag + 16), std::vector<uint8_t>(want_tag, want_tag + 16));

  std::vector<uint8_t> plain(16 * 1024 + 13), sealed(plain.size()), opened(plain.size());
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * 7 + 1);
  const uint8_t aad[13] = {0x17, 0x03, 0x03};
  ASSERT_EQ(wc_AesGcmEncrypt(&aes, sealed.data(), plain.data(), plain.size(), iv, sizeof iv, tag,
                             sizeof tag, aad, sizeof aad), 0);
  EXPECT_NE(sealed, plain);
  ASSERT_EQ(wc_AesGcmDecrypt(&aes, opened.data(), sealed.data(), sealed.size(), iv, sizeof iv, tag,
                             sizeof tag, aad, sizeof aad), 0);
  EXPECT_EQ(opened, plain);
  sealed[5000] ^= 1;
  EXPECT_EQ(wc_AesGcmDecrypt(&aes, opened.data(), sealed.data(), sealed.size(), iv, sizeof iv, tag,
                             sizeof tag, aad, sizeof aad), AES_GCM_AUTH_E);
  wc_AesFree(&aes);
#endif
}

}  // namespace
