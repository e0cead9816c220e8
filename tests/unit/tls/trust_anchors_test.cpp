// The ROM's trust anchors and cipher preferences from the bytes it reads (fw_cfg
// etc/edk2/https/cacerts or the TlsCaCertificate variable, etc/edk2/https/ciphers):
// which certificates it trusts, and the console line that says so or why not.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/byte_ops.h"
#include "tls/trust_anchors.h"

namespace mpxe::tls {
namespace {

using Buffer = std::vector<uint8_t>;

Buffer make_der(const std::string& dir, const std::string& cn) {
  std::string base = dir + "/" + cn;
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + base + ".key -outform DER -out " +
                    base + ".der -days 2 -subj /CN=" + cn + " 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return {};
  std::ifstream in(base + ".der", std::ios::binary);
  return Buffer((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void append_list(Buffer& to, const Buffer& der) {
  size_t at = to.size();
  to.resize(at + x509_signature_list_size(der.size()));
  ASSERT_TRUE(emit_x509_signature_list(Bytes(der.data(), der.size()), kMpxeOwnerGuid,
                                       MutableBytes(to.data() + at, to.size() - at))
                  .ok());
}

std::string line(const TrustAnchors& anchors) {
  char text[200];
  anchors.describe(text, sizeof text);
  return text;
}

std::string line(const CipherPreferences& ciphers) {
  char text[200];
  ciphers.describe(text, sizeof text);
  return text;
}

class TrustAnchorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/mpxe-trust-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    a_ = make_der(dir_, "ca-one");
    b_ = make_der(dir_, "ca-two");
    ASSERT_FALSE(a_.empty());
    ASSERT_FALSE(b_.empty());
  }
  static void TearDownTestSuite() { std::system(("rm -rf " + dir_).c_str()); }
  static std::string dir_;
  static Buffer a_, b_;
};
std::string TrustAnchorsTest::dir_;
Buffer TrustAnchorsTest::a_, TrustAnchorsTest::b_;

TEST_F(TrustAnchorsTest, EveryCertificateBecomesAnAnchorPointingIntoTheBytes) {
  Buffer lists;
  append_list(lists, a_);
  append_list(lists, b_);
  Bytes bytes(lists.data(), lists.size());
  ASSERT_EQ(TrustAnchors::count(bytes), 2u);
  TrustAnchor slots[2];
  TrustAnchors anchors;
  anchors.load(TrustSource::kFwCfg, bytes, slots, 2);
  ASSERT_EQ(anchors.anchors().size(), 2u);
  EXPECT_EQ(Buffer(anchors.anchors()[0].der, anchors.anchors()[0].der + anchors.anchors()[0].length), a_);
  EXPECT_EQ(Buffer(anchors.anchors()[1].der, anchors.anchors()[1].der + anchors.anchors()[1].length), b_);
  EXPECT_GE(anchors.anchors()[0].der, lists.data());
  EXPECT_EQ(line(anchors), "tls: 2 trust anchors from fw_cfg etc/edk2/https/cacerts");
}

TEST_F(TrustAnchorsTest, OneAnchorFromTheVariable) {
  Buffer lists;
  append_list(lists, a_);
  TrustAnchor slot;
  TrustAnchors anchors;
  anchors.load(TrustSource::kVariable, Bytes(lists.data(), lists.size()), &slot, 1);
  EXPECT_EQ(anchors.anchors().size(), 1u);
  EXPECT_EQ(line(anchors), "tls: 1 trust anchor from the TlsCaCertificate variable");
}

TEST_F(TrustAnchorsTest, ABrokenListRefusesTheWholeSource) {
  Buffer lists;
  append_list(lists, a_);
  size_t second = lists.size();
  append_list(lists, b_);
  store_le32(lists.data() + second + 24, 3);  // SignatureSize below the owner's 16 bytes
  Bytes bytes(lists.data(), lists.size());
  EXPECT_EQ(TrustAnchors::count(bytes), 0u);
  TrustAnchor slots[2];
  TrustAnchors anchors;
  anchors.load(TrustSource::kFwCfg, bytes, slots, 2);
  EXPECT_TRUE(anchors.anchors().empty());
  EXPECT_EQ(line(anchors), "tls: no trust anchors: fw_cfg etc/edk2/https/cacerts: list 1 at byte " +
                               std::to_string(second) +
                               ": SignatureSize 3 does not cut the list into whole signatures of "
                               "at least 16 bytes; https is refused");
}

TEST_F(TrustAnchorsTest, NoSourceEmptySourceAndTooBigAreEachSaid) {
  TrustAnchors none;
  EXPECT_EQ(line(none),
            "tls: no trust anchors (no fw_cfg etc/edk2/https/cacerts, no TlsCaCertificate "
            "variable); https is refused");
  TrustAnchors empty;
  empty.load(TrustSource::kFwCfg, Bytes(), nullptr, 0);
  EXPECT_EQ(line(empty), "tls: no trust anchors: fw_cfg etc/edk2/https/cacerts is empty; https is refused");
  TrustAnchors big;
  big.refuse(TrustSource::kVariable, 5u << 20, true);
  EXPECT_EQ(line(big),
            "tls: no trust anchors: the TlsCaCertificate variable holds 5242880 bytes, more than "
            "a trust store may; https is refused");
}

TEST_F(TrustAnchorsTest, OtherTypesAloneAreNoAnchors) {
  // One list of SHA-256 hashes (a db-style list): well formed, nothing to trust.
  Buffer hashes(28 + 48, 0);
  const EfiGuid sha256 =
      EfiGuid::make(0xc1c41626, 0x504c, 0x4092, {0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28});
  std::copy(std::begin(sha256.bytes), std::end(sha256.bytes), hashes.begin());
  store_le32(hashes.data() + 16, 76);
  store_le32(hashes.data() + 24, 48);
  TrustAnchors anchors;
  anchors.load(TrustSource::kFwCfg, Bytes(hashes.data(), hashes.size()), nullptr, 0);
  EXPECT_EQ(line(anchors),
            "tls: no trust anchors: fw_cfg etc/edk2/https/cacerts holds no X.509 certificate; "
            "https is refused");
  append_list(hashes, a_);
  TrustAnchor slot;
  anchors.load(TrustSource::kFwCfg, Bytes(hashes.data(), hashes.size()), &slot, 1);
  EXPECT_EQ(line(anchors),
            "tls: 1 trust anchor from fw_cfg etc/edk2/https/cacerts (1 list of another type skipped)");
}

TEST(CipherPreferencesTest, IanaIdsInPreferenceOrder) {
  // TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, ECDHE-RSA-AES128-GCM-SHA256.
  const uint8_t ids[] = {0x13, 0x01, 0x13, 0x03, 0xc0, 0x2f};
  CipherPreferences ciphers;
  ciphers.load(Bytes(ids));
  EXPECT_TRUE(ciphers.present());
  EXPECT_FALSE(ciphers.malformed());
  ASSERT_EQ(ciphers.count(), 3u);
  EXPECT_EQ(ciphers.id(0), 0x1301);
  EXPECT_EQ(ciphers.id(2), 0xc02f);
  EXPECT_EQ(ciphers.ids().size(), 6u);
  EXPECT_EQ(line(ciphers),
            "tls: 3 cipher suites preferred by fw_cfg etc/edk2/https/ciphers: 0x1301 0x1303 0xc02f");
}

TEST(CipherPreferencesTest, AbsentOddEmptyAndOversizedLists) {
  CipherPreferences absent;
  EXPECT_FALSE(absent.present());
  EXPECT_EQ(line(absent), "tls: no fw_cfg etc/edk2/https/ciphers: mpxe's own cipher suites");
  const uint8_t odd[] = {0x13, 0x01, 0x13};
  CipherPreferences broken;
  broken.load(Bytes(odd));
  EXPECT_TRUE(broken.malformed());
  EXPECT_TRUE(broken.ids().empty());
  EXPECT_EQ(line(broken),
            "tls: fw_cfg etc/edk2/https/ciphers holds 3 bytes, not whole 2-byte cipher suite ids; "
            "https is refused");
  CipherPreferences empty;
  empty.load(Bytes());
  EXPECT_TRUE(empty.malformed());
  CipherPreferences big;
  big.refuse(4096);
  EXPECT_TRUE(big.malformed());
  EXPECT_EQ(line(big),
            "tls: fw_cfg etc/edk2/https/ciphers holds 4096 bytes, more than any cipher list; https "
            "is refused");
}

}  // namespace
}  // namespace mpxe::tls
