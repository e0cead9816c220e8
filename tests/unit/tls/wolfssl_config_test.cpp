// What user_settings.h promises of the wolfSSL the build makes: TLS 1.3 and 1.2
// with modern suites only.
#include <gtest/gtest.h>

#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/ssl.h>

#include <string>

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

}  // namespace
