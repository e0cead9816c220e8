// What user_settings.h promises of the wolfSSL the build makes: TLS 1.3 and 1.2
// with modern suites only.
#include <gtest/gtest.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include <string>

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

}  // namespace
